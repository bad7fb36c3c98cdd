//! A page read: what of it is new (offsets, overlaps, gaps, rewinds, the
//! offset unit), and its lines one by one.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::cursor::RECENT_PAGES;
use super::*;

impl Follower {
    /// Parses a page and decides what of it is new.
    pub(super) fn begin_page<'p>(&mut self, bytes: &'p [u8]) -> Result<Run<'p>, Error> {
        if self.cur.source.is_none() {
            self.cur.source = Some(Source::CodeartsRealtimeLog);
        }
        let source = self.source(Source::CodeartsRealtimeLog);
        let page = page::parse(bytes, &self.opts).map_err(|e| e.with_source(source))?;
        let mut pending = page.notes;
        let loc = Loc {
            input: bytes,
            byte: page.content_at,
        };
        let mut skip: u64 = 0;
        let mut drop = false;
        let mut gap = false;
        let mut rewound = false;
        if let (Some(c), Some(s), Some(e)) = (self.cur.offset, page.start, page.end) {
            if e < s {
                rewound = true;
                self.opts.recover(&mut pending, Note::OffsetRewind, || {
                    loc.error(
                        ErrorKind::Offset,
                        format!("the page ends (offset {e}) before it starts (current_offset {s})"),
                    )
                })?;
            } else if s > c {
                self.opts.recover(&mut pending, Note::PageGap, || {
                    loc.error(
                        ErrorKind::Offset,
                        format!("the page starts at offset {s} but the log so far ends at {c}: text is missing"),
                    )
                })?;
                gap = true;
            } else if s < c {
                if e <= c {
                    drop = true;
                    let sig = PageSig::of(s, e, page.content);
                    // A copy of a recent page, an empty range, or a re-fetch
                    // that ends where we are: nothing new, nothing lost.
                    let repeat = e == c || e == s || self.cur.recent.contains(&sig);
                    if !repeat {
                        rewound = true;
                        self.opts.recover(&mut pending, Note::OffsetRewind, || {
                            loc.error(
                                ErrorKind::Offset,
                                format!("the page (offsets {s}..{e}) lies before the log so far (offset {c})"),
                            )
                        })?;
                    }
                } else {
                    skip = c - s;
                    pending.insert(Note::PageOverlap);
                }
            }
        }
        if let (Some(s), Some(e), Some(content)) = (page.start, page.end, page.content)
            && self.cur.unit == OffsetUnit::Unknown
            && e > s
        {
            self.cur.unit = infer_unit(e - s, content, self.cur.unit);
        }
        if let Some(e) = page.end
            && page.start.is_none_or(|s| e >= s)
        {
            self.cur.offset = Some(match self.cur.offset {
                Some(c) if drop => c,
                Some(c) if !gap => c.max(e),
                _ => e,
            });
        }

        if let (Some(s), Some(e)) = (page.start, page.end)
            && !rewound
            && !self.cur.recent.contains(&PageSig::of(s, e, page.content))
        {
            if self.cur.recent.len() == RECENT_PAGES {
                self.cur.recent.pop_front();
            }
            self.cur.recent.push_back(PageSig::of(s, e, page.content));
        }
        if let Some(m) = page.has_more {
            self.cur.more = Some(m);
        }
        self.cur.pending.extend(pending);
        let mut machine = self.machine(source);
        let mut flush_first = None;
        if gap && self.cur.held_back() > 0 {
            // The held-back text cannot be joined across missing text.
            let saved_more = self.cur.more;
            self.cur.more = Some(true);
            self.store_machine(machine);
            flush_first = self.flush(bytes)?;
            self.cur.more = saved_more;
            // Both sides of the missing text carry the note.
            self.cur.pending.insert(Note::PageGap);
            machine = self.machine(source);
        }
        let breaks = page.breaks;
        let lines = match page.content {
            None => Lines::Done,
            _ if drop => Lines::Done,
            Some(raw) if skip > 0 => {
                let decoded = json::decode_str(raw).unwrap_or_default().into_owned();
                let mut notes = Notes::EMPTY;
                let rest = skip_units(&decoded, skip, self.cur.unit, &mut notes);
                Lines::Owned(split_owned(rest), notes)
            }
            Some(raw) => {
                let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                match page::literal_newlines(body, &self.opts) {
                    Some(lines) => Lines::Owned(lines, Note::LiteralNewlines.into()),
                    None => {
                        machine.borrow_open_from(body.as_bytes());
                        Lines::Json(ContentLines::new(body, breaks))
                    }
                }
            }
        };
        Ok(Run {
            lines,
            machine,
            flush_first,
            input: bytes,
            base: page.content_at,
        })
    }

    /// The event of a complete line of a page's content that needed no
    /// decoding: [`finish_line`] for a line with nothing to drop or clean (a
    /// JSON string holds no raw control character, so no CR or ESC).
    #[inline]
    fn plain_line<'p>(
        &mut self,
        machine: &mut Machine<'p>,
        mut line: &'p str,
        loc: Loc<'_>,
    ) -> Result<LogEvent<'p>, Error> {
        let mut notes = Notes::EMPTY;
        if line.len() > self.opts.max_line_len {
            let mut cut = Cow::Borrowed(line);
            super::super::cut_long_line(&mut cut, &mut notes, &self.opts, loc)?;
            if let Cow::Borrowed(c) = cut {
                line = c;
            }
        }
        notes.extend(std::mem::take(&mut self.cur.pending));
        machine.plain_line(line, notes, &self.opts, loc)
    }

    /// The next event of a run, or `None` when its lines are used up (an
    /// unfinished last line is then held back).
    pub(super) fn next_in<'p>(&mut self, run: &mut Run<'p>) -> Option<Result<LogEvent<'p>, Error>> {
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
                    Some(StrLine {
                        text: Cow::Borrowed(line),
                        terminated: true,
                        ..
                    }) if self.cur.held_back() == 0 => {
                        let loc = run.loc();
                        return Some(self.plain_line(&mut run.machine, line, loc));
                    }
                    Some(l) => {
                        let mut notes = Notes::EMPTY;
                        if l.invalid_escape {
                            let loc = Loc {
                                input: run.input,
                                byte: run.base,
                            };
                            if let Err(e) =
                                self.opts.recover(&mut notes, Note::InvalidEscape, || {
                                    loc.error(
                                        ErrorKind::Syntax,
                                        "invalid escape in the log content",
                                    )
                                })
                            {
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
                let held = self.cur.held_back() > 0;
                if held || !text.is_empty() {
                    self.cur.partial.push_str(&text);
                    self.cur.partial_notes.extend(notes);
                    if let Err(e) = self.cap_partial() {
                        return Some(Err(e));
                    }
                }
                continue;
            }
            let line: Cow<'p, str> = if self.cur.held_back() > 0 {
                notes.extend(std::mem::take(&mut self.cur.partial_notes));
                let tail = std::mem::take(&mut self.cur.partial_tail);
                let mut joined = std::mem::take(&mut self.cur.partial);
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
                &mut self.cur.pending,
                &self.opts,
                loc,
            ));
        }
    }
}

/// Splits decoded text into (line, terminated) pairs.
fn split_owned(text: &str) -> VecDeque<(String, bool)> {
    let mut out = VecDeque::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                out.push_back((rest.get(..i).unwrap_or_default().to_owned(), true));
                rest = rest.get(i + 1..).unwrap_or_default();
            }
            None => {
                out.push_back((rest.to_owned(), false));
                break;
            }
        }
    }
    out
}

/// `text` without its first `n` units (bytes or chars; bytes when unknown,
/// noted). A byte count inside a character moves to its end.
fn skip_units<'t>(text: &'t str, n: u64, unit: OffsetUnit, notes: &mut Notes) -> &'t str {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    match unit {
        OffsetUnit::Chars => match text.char_indices().nth(n) {
            Some((i, _)) => text.get(i..).unwrap_or_default(),
            None => "",
        },
        OffsetUnit::Bytes | OffsetUnit::Unknown => {
            if unit == OffsetUnit::Unknown && !text.is_ascii() {
                notes.insert(Note::OffsetUnitUnknown);
            }
            let mut i = n.min(text.len());
            while i < text.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            text.get(i..).unwrap_or_default()
        }
    }
}

/// Infers the offset unit from a page whose offsets span `span` units.
fn infer_unit(span: u64, content: &str, current: OffsetUnit) -> OffsetUnit {
    let body = content
        .get(1..content.len().saturating_sub(1))
        .unwrap_or_default();
    // Plain ASCII without \u escapes: bytes and chars agree, nothing to learn.
    if body.is_ascii() && memchr::memmem::find(body.as_bytes(), b"\\u").is_none() {
        return current;
    }
    let (bytes, chars) = json::decoded_len(body);
    match (span == bytes as u64, span == chars as u64) {
        (true, false) => OffsetUnit::Bytes,
        (false, true) => OffsetUnit::Chars,
        _ => current,
    }
}
