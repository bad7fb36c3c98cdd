//! The lines inside a BlueKing `log_content`: the text of each line.
//!
//! JOB adds no prefix to script output (research/formats.md §4.7); what looks
//! like one comes from the default script template ([`super::prefix`]) or
//! from the platform's file-transfer log ([`super::file_line`]). Anything
//! else is a plain line without a time.
//!
//! Per line ([`super::cursor`] walks them, [`super::line_event`] builds each
//! event): JSON unescaping (only lines that hold an escape), the CRLF `\r`
//! removed, HTML entities decoded (v2, when the options say so;
//! [`super::entities`]) — the text this module gives —, then the prefix
//! read, then the message after it cleaned (ANSI, carriage-return
//! overwrite) and cut to `max_line_len`. The prefix is read before cleaning
//! so that a progress line such as `[…][PID:1] 50%\r100%` keeps its time.
//!
//! A v2 log the skim read comes with the positions of its escapes and `&`s
//! ([`Marks`](super::wire::Marks)): its lines are split at them without a
//! search, a line with nothing to decode is borrowed as it is, and one with
//! one-character escapes and entities is decoded in one pass
//! ([`decode_simple`]), tested against the step-by-step path it stands for
//! ([`searched_text`]).

use std::borrow::Cow;
use std::ops::Range;

use crate::json::{self, MarkedLine, StrLine};

use super::entities::{entity, html_decode};

/// A sub-slice of a line: borrowed when the line is.
pub(super) fn sub<'a>(line: &Cow<'a, str>, r: Range<usize>) -> Cow<'a, str> {
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(r).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(r).unwrap_or_default().to_owned()),
    }
}

/// The line from byte `at` on, without copying a borrowed line.
#[inline]
pub(super) fn tail(line: Cow<'_, str>, at: usize) -> Cow<'_, str> {
    if at == 0 {
        return line;
    }
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(at..).unwrap_or_default()),
        Cow::Owned(mut s) => {
            if s.is_char_boundary(at) {
                s.drain(..at);
            }
            Cow::Owned(s)
        }
    }
}

/// Removes the `\r` of a CRLF line end.
fn strip_cr(line: &mut Cow<'_, str>) {
    match line {
        Cow::Borrowed(s) => {
            if let Some(t) = s.strip_suffix('\r') {
                *s = t;
            }
        }
        Cow::Owned(s) => {
            if s.ends_with('\r') {
                s.pop();
            }
        }
    }
}

/// The text of the line `l` of `body` (which starts at byte `base` of
/// the input) split at the skim's marks (`marks`): borrowed when it has
/// no escape and no entity to decode; decoded in one pass
/// ([`decode_simple`]) when its escapes are all of one character;
/// else as [`searched_text`] does.
#[inline]
pub(super) fn marked_text<'a>(
    body: &'a str,
    l: &MarkedLine,
    marks: &[u32],
    base: usize,
    html: bool,
) -> LineText<'a> {
    let raw = body.get(l.start..l.end).unwrap_or_default();
    let html_here = html && l.has & MarkedLine::AMP != 0;
    if l.has & MarkedLine::ESCAPED == 0 && !html_here {
        return LineText {
            text: Cow::Borrowed(raw),
            invalid_escape: false,
            html: false,
            may_need_cleaning: false,
        };
    }
    if l.has & MarkedLine::UNICODE != 0 {
        let escaped = l.has & MarkedLine::ESCAPED != 0;
        return searched_text(StrLine::decode(raw, escaped), html);
    }
    let own = marks.get(l.first..l.last).unwrap_or_default();
    decode_simple(raw, own, base + l.start, html_here)
}

/// A line's text, decoded and ready for its prefix to be read.
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct LineText<'a> {
    pub(super) text: Cow<'a, str>,
    /// An escape in it was invalid.
    pub(super) invalid_escape: bool,
    /// HTML entities in it were decoded.
    pub(super) html: bool,
    /// Whether it may hold ESC or CR. They can only reach a line through
    /// an escape (JSON strings hold no raw control characters) or an HTML
    /// entity: a line that needed neither has nothing to clean.
    pub(super) may_need_cleaning: bool,
}

/// The text of a line found by searching: JSON escapes decoded (by
/// [`StrLines`](crate::json::StrLines)), the CRLF `\r` removed, then HTML entities decoded when
/// `html`. The reference [`decode_simple`] is tested against.
pub(super) fn searched_text(line: StrLine<'_>, html: bool) -> LineText<'_> {
    let mut text = line.text;
    let mut may_need_cleaning = matches!(text, Cow::Owned(_));
    strip_cr(&mut text);
    let mut decoded_html = false;
    if html
        && memchr::memchr(b'&', text.as_bytes()).is_some()
        && let Some(decoded) = html_decode(&text)
    {
        text = Cow::Owned(decoded.text);
        decoded_html = true;
        may_need_cleaning |= decoded.control;
    }
    LineText {
        text,
        invalid_escape: line.invalid_escape,
        html: decoded_html,
        may_need_cleaning,
    }
}

/// [`searched_text`] in one pass, for the raw text of a line whose escapes
/// are all one-character ones (no `\u`), given the positions of its
/// escapes' backslashes and its `&`s (`base` more than their positions in
/// `raw`): each escape and (when `html`) each entity decoded where it is
/// by [`json::unescape_at`], the runs between copied once. An entity is
/// read in the raw text: its name can hold no escape, whose character
/// (`"`, `\\`, `/` or a control) no entity name has, so it reads the same
/// as in the decoded text; and a `\u` escape, which could write an `&` or a
/// name, sends the line to [`searched_text`]. A final `\r` escape is the
/// CRLF one and is left out (before entities are decoded: `&#13;` at the
/// end stays).
fn decode_simple<'a>(raw: &'a str, marks: &[u32], base: usize, html: bool) -> LineText<'a> {
    let at = |m: &u32| (*m as usize).wrapping_sub(base);
    let (mut raw, mut marks) = (raw, marks);
    // Whether it has an escape; then whether an entity decoded to ESC or CR.
    let (mut escaped, mut control) = (false, false);
    if let Some((last, rest)) = marks.split_last()
        && raw.as_bytes().get(at(last)..) == Some(b"\\r")
    {
        // The CRLF `\r`.
        raw = raw.get(..at(last)).unwrap_or_default();
        marks = rest;
        escaped = true;
    }
    let mut marks = marks.iter().map(at);
    let mut decoded_html = false;
    let (text, ok) = json::unescape_at(
        raw,
        |from| marks.find(|&k| k >= from),
        |b, k| {
            if b.get(k) == Some(&b'\\') {
                escaped = true;
                return Some(json::escape(b, k));
            }
            if !html {
                return None;
            }
            let (c, len) = entity(b, k)?;
            decoded_html = true;
            control |= c == '\x1b' || c == '\r';
            Some((c, len, true))
        },
    );
    LineText {
        text,
        invalid_escape: !ok,
        html: decoded_html,
        may_need_cleaning: escaped || control,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Context;
    use crate::note::Notes;

    use super::super::cursor::LineCursor;
    use super::super::wire::Marks;

    #[test]
    fn sub_and_tail_borrow() {
        let line: Cow<'_, str> = Cow::Borrowed("[x] msg");
        assert!(matches!(sub(&line, 1..2), Cow::Borrowed("x")));
        assert!(matches!(tail(line, 4), Cow::Borrowed("msg")));
        let owned: Cow<'_, str> = Cow::Owned("中文 x".to_owned());
        assert_eq!(tail(owned, 7), "x");
        let mut crlf: Cow<'_, str> = Cow::Borrowed("dir\r");
        strip_cr(&mut crlf);
        assert!(matches!(crlf, Cow::Borrowed("dir")));
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(3000))]

        /// Each line split at the skim's marks, its text decoded in one
        /// pass where it can be, reads as the same line found by searching
        /// and decoded step by step: the same characters, the same notes,
        /// the same need for cleaning, with HTML decoding on and off —
        /// entities next to escapes, escapes inside would-be entities, the
        /// CRLF `\r` next to entities, `\u` escapes that write an entity.
        #[test]
        fn marked_text_agrees_with_searched_text(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "plain", " ", "é中", "[2024-05-20 10:00:01] ", "x", "\\n", "\\r\\n",
                    "\\r", "\\\"", "\\\\", "\\/", "\\t", "\\b\\f", "\\u00e9",
                    "\\u001b[0m", "\\ud800", "\\u0026lt;", "\\u000a", "&", "&lt;", "&gt;",
                    "&amp;", "&quot;", "&apos;", "&#39;", "&#13;", "&#x1b;", "&#x1B;", "&#0;",
                    "&lt", "&l", "t;", ";", "#", "&\\\"", "&#1\\t;", "&amp\\r", "&\\\\",
                    "\\\\&", "&#x4e2d;", "&nbsp;", "&#20013;", "&verylongname;",
                    "&#12345678;", "&\\u006ct;", "&#\\r\\n",
                ]),
                0..16,
            ),
            html in any::<bool>(),
            lead in 0usize..4,
        ) {
            let body: String = parts.concat();
            let doc = format!("{}\"{body}\"", " ".repeat(lead));
            let mut marks = Vec::new();
            let end = crate::scan::StringScan::with_amp()
                .skip(doc.as_bytes(), lead, |k, _| marks.push(k as u32));
            prop_assert_eq!(end, Some(doc.len()));
            let cursor = |marked: bool| {
                let c = LineCursor::new(&body, lead + 1, html, Context::default(), Notes::EMPTY);
                let span = Marks { start: 0, end: marks.len() };
                c.with_marks(marked.then_some(span))
            };
            let (mut marked, mut searched) = (cursor(true), cursor(false));
            loop {
                let a = marked.next_text(&marks);
                let b = searched.next_text(&[]);
                prop_assert_eq!(&a, &b, "{:?}", body);
                if a.is_none() {
                    break;
                }
            }
        }
    }
}
