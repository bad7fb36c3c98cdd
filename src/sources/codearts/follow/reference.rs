//! The follower's feeds as they were before their fast paths: the
//! references the agreement proptests in `tests.rs` compare against.

use super::*;

/// [`Follower::feed_text`] as it was before it used the whole-log text
/// path: every complete line split, decoded, and handed to
/// [`finish_line`] one at a time, each error at the start of the
/// chunk's new lines.
pub(super) fn old_feed_text<'c>(
    f: &mut Follower,
    chunk: &'c [u8],
    mut emit: impl FnMut(LogEvent<'c>),
) -> Result<(), Error> {
    if f.cur.source.is_none() {
        f.cur.source = Some(Source::CodeartsLog);
    }
    let mut data = chunk;
    let source = f.source(Source::CodeartsLog);
    if !f.cur.bom_checked {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let need = 3 - f.cur.partial_tail.len().min(3);
        let mut probe = f.cur.partial_tail.clone();
        probe.extend(chunk.iter().take(need));
        if BOM.starts_with(&probe) {
            if probe.len() < 3 {
                f.cur.partial_tail = probe;
                return Ok(());
            }
            f.cur.partial_tail.clear();
            data = chunk.get(need..).unwrap_or_default();
        }
        f.cur.bom_checked = true;
    }
    if f.cur.held_back() > 0 {
        let Some(nl) = memchr::memchr(b'\n', data) else {
            f.hold_back(data)?;
            return Ok(());
        };
        let mut bytes = std::mem::take(&mut f.cur.partial_tail);
        bytes.extend_from_slice(&data[..nl]);
        let mut notes = std::mem::take(&mut f.cur.partial_notes);
        let decoded = text::utf8_lossy(&bytes, &mut notes);
        let mut line = std::mem::take(&mut f.cur.partial);
        line.push_str(&decoded);
        let mut machine = f.machine(source);
        let e = finish_line(
            &mut machine,
            Cow::Owned(line),
            notes,
            &mut f.cur.pending,
            &f.opts,
            Loc {
                input: chunk,
                byte: 0,
            },
        )?;
        f.store_machine(machine);
        emit(f.redacted(e));
        data = &data[nl + 1..];
    }
    let loc = Loc {
        input: chunk,
        byte: chunk.len() - data.len(),
    };
    let mut machine = f.machine(source);
    let mut pos = 0;
    loop {
        let rest = &data[pos..];
        let Some(nl) = memchr::memchr(b'\n', rest) else {
            if !rest.is_empty() {
                f.hold_back(rest)?;
            }
            break;
        };
        let line = &rest[..nl];
        pos += nl + 1;
        let mut notes = Notes::EMPTY;
        let text = match std::str::from_utf8(line) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => {
                f.opts.recover(&mut notes, Note::InvalidUtf8, || {
                    loc.error(ErrorKind::Utf8, "a line is not valid UTF-8")
                })?;
                String::from_utf8_lossy(line)
            }
        };
        let e = finish_line(&mut machine, text, notes, &mut f.cur.pending, &f.opts, loc)?;
        emit(f.redacted(e));
    }
    f.store_machine(machine);
    Ok(())
}

/// [`Follower::next_in`] as it was before its fast path for plain lines
/// of a page: every line through [`finish_line`].
fn old_next_in<'p>(f: &mut Follower, run: &mut Run<'p>) -> Option<Result<LogEvent<'p>, Error>> {
    if let Some(e) = run.flush_first.take() {
        return Some(Ok(e));
    }
    loop {
        let (text, terminated, mut notes): (Cow<'p, str>, bool, Notes) = match &mut run.lines {
            Lines::Done => return None,
            Lines::Json(it) => match it.next() {
                None => {
                    run.lines = Lines::Done;
                    return None;
                }
                Some(l) => {
                    let mut notes = Notes::EMPTY;
                    if l.invalid_escape {
                        let loc = Loc {
                            input: run.input,
                            byte: run.base,
                        };
                        if let Err(e) = f.opts.recover(&mut notes, Note::InvalidEscape, || {
                            loc.error(ErrorKind::Syntax, "invalid escape in the log content")
                        }) {
                            return Some(Err(e));
                        }
                    }
                    (l.text, l.terminated, notes)
                }
            },
            Lines::Owned(q, notes) => match q.pop_front() {
                None => {
                    run.lines = Lines::Done;
                    return None;
                }
                Some((t, term)) => (Cow::Owned(t), term, *notes),
            },
        };
        if !terminated {
            // The last piece of the page: hold it back.
            let held = f.cur.held_back() > 0;
            if held || !text.is_empty() {
                f.cur.partial.push_str(&text);
                f.cur.partial_notes.extend(notes);
                if let Err(e) = f.cap_partial() {
                    return Some(Err(e));
                }
            }
            continue;
        }
        let line: Cow<'p, str> = if f.cur.held_back() > 0 {
            notes.extend(std::mem::take(&mut f.cur.partial_notes));
            let tail = std::mem::take(&mut f.cur.partial_tail);
            let mut joined = std::mem::take(&mut f.cur.partial);
            joined.push_str(&text::utf8_lossy(&tail, &mut notes));
            joined.push_str(&text);
            Cow::Owned(joined)
        } else {
            text
        };
        let loc = Loc {
            input: run.input,
            byte: run.base,
        };
        return Some(finish_line(
            &mut run.machine,
            line,
            notes,
            &mut f.cur.pending,
            &f.opts,
            loc,
        ));
    }
}

/// [`Follower::feed_page`] as it was before its fast path: the page's
/// run without the open step borrowed from the page, and every line
/// through [`old_next_in`].
pub(super) fn old_feed_page<'p>(
    f: &mut Follower,
    page: &'p [u8],
    mut emit: impl FnMut(LogEvent<'p>),
) -> Result<(), Error> {
    let mut run = f.begin_page(page)?;
    run.machine = f.machine(f.source(Source::CodeartsRealtimeLog));
    if let Lines::Json(ContentLines::Found { body, .. }) = run.lines {
        run.lines = Lines::Json(ContentLines::Split(crate::json::StrLines::new(body)));
    }
    while let Some(e) = old_next_in(f, &mut run) {
        emit(f.redacted(e?));
    }
    f.end_run(run);
    Ok(())
}
