//! The lines of a raw JSON string body, split at its `\n` escapes.

use super::unescape::unescape;
use crate::scan::hex4;
use std::borrow::Cow;

/// One line of a JSON string, split at `\n` escapes without decoding the rest.
#[derive(Debug, PartialEq)]
pub(crate) struct StrLine<'a> {
    /// The decoded line without its line break (a trailing `\r` is kept).
    pub(crate) text: Cow<'a, str>,
    /// Whether a line break ended it (the last line of a string may lack one).
    pub(crate) terminated: bool,
    /// Whether an escape in it was invalid.
    pub(crate) invalid_escape: bool,
}

/// Iterates the lines of a raw JSON string body (between the quotes).
///
/// Lines without escapes borrow from the body; only lines with escapes are
/// decoded into a new string. Line breaks are `\n` and `\u000a`. A final
/// line break does not start an empty line (like [`str::lines`]).
#[derive(Clone)]
pub(crate) struct StrLines<'a> {
    body: &'a str,
    pos: usize,
}

impl<'a> StrLines<'a> {
    pub(crate) fn new(body: &'a str) -> Self {
        StrLines { body, pos: 0 }
    }

    /// Byte position in the body where the next line starts.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The whole body.
    pub(crate) fn body(&self) -> &'a str {
        self.body
    }
}

impl<'a> StrLine<'a> {
    /// The line whose raw text (between its breaks) is `raw`, decoded as
    /// [`StrLines`] decodes it; `escaped` says whether `raw` has an escape.
    pub(crate) fn decode(raw: &'a str, escaped: bool) -> StrLine<'a> {
        finish_line(raw, 0, raw.len(), escaped, true)
    }

    /// The line `start..end` of a string body, decoded if `escaped` (it has
    /// an escape), as [`StrLines`] decodes it.
    pub(crate) fn new(
        body: &'a str,
        start: usize,
        end: usize,
        escaped: bool,
        terminated: bool,
    ) -> StrLine<'a> {
        finish_line(body, start, end, escaped, terminated)
    }
}

impl<'a> Iterator for StrLines<'a> {
    type Item = StrLine<'a>;

    fn next(&mut self) -> Option<StrLine<'a>> {
        let b = self.body.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        let mut i = start;
        let mut escaped = false;
        loop {
            let Some(rel) = memchr::memchr(b'\\', b.get(i..).unwrap_or_default()) else {
                // Last line, no break.
                self.pos = b.len();
                return Some(finish_line(self.body, start, b.len(), escaped, false));
            };
            let at = i + rel;
            match b.get(at + 1) {
                Some(b'n') => {
                    self.pos = at + 2;
                    return Some(finish_line(self.body, start, at, escaped, true));
                }
                Some(b'u') if hex4(b, at + 2) == Some(0x0A) => {
                    self.pos = at + 6;
                    return Some(finish_line(self.body, start, at, escaped, true));
                }
                Some(b'u') => {
                    escaped = true;
                    i = at + 2;
                }
                Some(_) => {
                    escaped = true;
                    i = at + 2;
                }
                None => {
                    escaped = true;
                    i = at + 1;
                }
            }
        }
    }
}

/// One line of a string body, as [`StrLines::split_marked`] finds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MarkedLine {
    /// Where its raw text (without the break) starts and ends in the body.
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Whether a line break ended it.
    pub(crate) terminated: bool,
    /// What is in its raw text: [`MarkedLine::ESCAPED`] and the others.
    pub(crate) has: u8,
    /// Its own marks (not its break's): `marks[first..last]`.
    pub(crate) first: usize,
    pub(crate) last: usize,
}

impl MarkedLine {
    /// An escape.
    pub(crate) const ESCAPED: u8 = 1;
    /// A `\u` escape.
    pub(crate) const UNICODE: u8 = 2;
    /// An `&`.
    pub(crate) const AMP: u8 = 4;
}

impl<'a> StrLines<'a> {
    /// The next line of a body known to be a well-formed JSON string body,
    /// given where its escapes' backslashes and its `&`s are (as
    /// [`crate::scan::StringScan`] noted them) from the next line
    /// on: `marks[*at..]`, each `base` more than its position in the body.
    /// Advances `at` past the line's marks and its break. No search: the
    /// lines of [`Iterator::next`] (a property test checks it).
    #[inline]
    pub(crate) fn split_marked(
        &mut self,
        marks: &[u32],
        at: &mut usize,
        base: usize,
    ) -> Option<MarkedLine> {
        let b = self.body.as_bytes();
        let start = self.pos;
        if start >= b.len() {
            return None;
        }
        let first = *at;
        let mut has = 0;
        while let Some(&m) = marks.get(*at) {
            let k = (m as usize).wrapping_sub(base);
            // The length of the line break there, or what else it is.
            let len = match (b.get(k), b.get(k + 1)) {
                (Some(b'&'), _) => {
                    has |= MarkedLine::AMP;
                    0
                }
                (_, Some(b'n')) => 2,
                (_, Some(b'u')) if hex4(b, k + 2) == Some(0x0A) => 6,
                (_, Some(b'u')) => {
                    has |= MarkedLine::ESCAPED | MarkedLine::UNICODE;
                    0
                }
                _ => {
                    has |= MarkedLine::ESCAPED;
                    0
                }
            };
            if len == 0 {
                *at += 1;
                continue;
            }
            self.pos = k + len;
            let line = MarkedLine {
                start,
                end: k,
                terminated: true,
                has,
                first,
                last: *at,
            };
            *at += 1;
            return Some(line);
        }
        self.pos = b.len();
        Some(MarkedLine {
            start,
            end: b.len(),
            terminated: false,
            has,
            first,
            last: *at,
        })
    }

    /// [`StrLines::split_marked`], the line decoded as [`Iterator::next`]
    /// decodes it.
    #[cfg(test)]
    pub(crate) fn next_marked(
        &mut self,
        marks: &[u32],
        at: &mut usize,
        base: usize,
    ) -> Option<StrLine<'a>> {
        let l = self.split_marked(marks, at, base)?;
        let escaped = l.has & MarkedLine::ESCAPED != 0;
        Some(finish_line(
            self.body,
            l.start,
            l.end,
            escaped,
            l.terminated,
        ))
    }
}

fn finish_line(
    body: &str,
    start: usize,
    end: usize,
    escaped: bool,
    terminated: bool,
) -> StrLine<'_> {
    let raw = body.get(start..end).unwrap_or_default();
    if !escaped {
        return StrLine {
            text: Cow::Borrowed(raw),
            terminated,
            invalid_escape: false,
        };
    }
    let (text, ok) = unescape(raw);
    StrLine {
        text,
        terminated,
        invalid_escape: !ok,
    }
}
