//! The line machine as it was before an owned line's message kept the
//! line's buffer and the open step was shared, not copied with it: the
//! reference `line_agrees_with_old_line` checks [`Machine::line`] against.

use std::borrow::Cow;

use super::{Change, INVALID_PREFIX, Loc, Machine, Prefixed};
use crate::error::{Error, ErrorKind};
use crate::event::{EventKind, LogEvent};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::sources::codearts::buildlog::Stamp;
use crate::text;

/// `Machine::fill` as it was, the open step inferred inside.
fn fill<'x, 'y>(
    m: &Machine<'x>,
    e: &mut LogEvent<'y>,
    Prefixed { line, stamp, rest }: Prefixed<'y>,
    notes: &mut Notes,
    opts: &Options,
    loc: Loc<'_>,
) -> Result<Change<'y>, Error>
where
    'x: 'y,
{
    let mode = opts.text;
    let mut change = Change::None;
    let mut own_step = false;
    match stamp {
        Stamp::Valid(t) => {
            e.time = Some(t);
            match text::clean(Cow::Borrowed(rest), mode, notes) {
                Cow::Borrowed(r) => (change, own_step) = m.fill_body(e, r),
                Cow::Owned(r) => {
                    // Cleaned text: the fields must own their text.
                    let mut tmp =
                        LogEvent::new(m.source, EventKind::Line, m.seq, Cow::Borrowed(""));
                    let (c, own) = m.fill_body(&mut tmp, &r);
                    let mut tmp = tmp.into_owned();
                    tmp.time = e.time;
                    *e = tmp;
                    (change, own_step) = (c.into_owned(), own);
                }
            }
        }
        Stamp::Invalid | Stamp::None => {
            if stamp == Stamp::Invalid {
                opts.recover(notes, Note::InvalidTime, || {
                    loc.error(ErrorKind::Time, INVALID_PREFIX)
                })?;
            }
            // No usable prefix: the whole line is the message.
            notes.insert(Note::NoPrefix);
            e.message = text::clean(Cow::Borrowed(line), mode, notes);
        }
    }
    if !own_step && let Some((id, name)) = &m.open {
        e.ctx.step_id = Some(id.clone());
        e.ctx.step_name = Some(name.clone());
        notes.insert(Note::StepInferred);
    }
    Ok(change)
}

/// `Machine::line` as it was before an owned line's message kept the
/// line's buffer and the open step was shared, not copied with it.
pub(super) fn line<'x>(
    m: &mut Machine<'x>,
    line: Cow<'x, str>,
    mut notes: Notes,
    opts: &Options,
    loc: Loc<'_>,
) -> Result<LogEvent<'x>, Error> {
    let mut ev = m.blank();
    let e = &mut ev;
    match line {
        Cow::Borrowed(s) => {
            let read = m.read(s);
            let change = fill(m, e, read, &mut notes, opts, loc)?;
            m.apply(change);
        }
        Cow::Owned(s) => {
            let mut tmp = m.blank();
            let read = m.read(&s);
            let change = fill(m, &mut tmp, read, &mut notes, opts, loc)?.into_owned();
            *e = tmp.into_owned();
            m.apply(change);
        }
    }
    e.notes.extend(notes);
    m.seq += 1;
    Ok(ev)
}
