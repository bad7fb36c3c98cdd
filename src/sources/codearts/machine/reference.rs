//! The line machine as it was before an owned line's message kept the
//! line's buffer and the open step was shared, not copied with it: the
//! reference `line_agrees_with_old_line` checks [`Machine::line`] against.
//! What a line's text means (its fields, workflow commands included) is
//! shared; the open step or group is inferred here, by copying.

use std::borrow::Cow;

use super::{Change, INVALID_PREFIX, Loc, Machine, Prefixed};
use crate::error::{Error, ErrorKind};
use crate::event::LogEvent;
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::sources::codearts::buildlog::Stamp;

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
    let (change, own_step) = match stamp {
        Stamp::Valid(t) => {
            e.time = Some(t);
            m.fill_text(e, rest, true, opts.text, notes)
        }
        Stamp::Invalid | Stamp::None => {
            if stamp == Stamp::Invalid {
                opts.recover(notes, Note::InvalidTime, || {
                    loc.error(ErrorKind::Time, INVALID_PREFIX)
                })?;
            }
            // No usable prefix: the whole line is the message.
            notes.insert(Note::NoPrefix);
            m.fill_text(e, line, false, opts.text, notes)
        }
    };
    if !own_step {
        if let Some(group) = &m.group {
            e.ctx.step_id = Some(group.clone());
            e.ctx.step_name = Some(group.clone());
            notes.insert(Note::StepInferred);
        } else if !matches!(change, Change::GroupEnd)
            && let Some((id, name)) = &m.open
        {
            e.ctx.step_id = Some(id.clone());
            e.ctx.step_name = Some(name.clone());
            notes.insert(Note::StepInferred);
        }
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
