//! The lines inside a BlueKing `log_content`, and the lazy line cursor.
//!
//! JOB adds no prefix to script output (research/formats.md §4.7); what looks
//! like one comes from the default script template or from the platform's
//! file-transfer log:
//!
//! - template lines `[yyyy-MM-dd HH:mm:ss][PID:n] message` — the Windows
//!   batch template writes the date with slashes and a space-padded hour and
//!   may leave out `[PID:n]`;
//! - the template's markers `job_start`, `job_success:[msg]`,
//!   `job_fail:[msg]` after such a prefix;
//! - file-transfer lines `[yyyy-MM-dd HH:mm:ss] FileName: <path> FileSize:
//!   <size> Status: <n> StatusDesc: <text> Speed: <speed> Progress: <pct>
//!   Detail: <text>` (`Directory:` for directories, `State: <text>` in the
//!   docs' examples, any part left out, parts in either order), and the error
//!   form `<message>. Status: <n>, StatusDesc: <text>`.
//!
//! Anything else is a plain line without a time. The parsers here return
//! byte ranges into the line, so the event builder can borrow from the input.
//!
//! Per line: JSON unescaping (only lines that hold an escape), the CRLF `\r`
//! removed, HTML entities decoded (v2, when the options say so), the prefix
//! read, then the message after it cleaned (ANSI, carriage-return overwrite)
//! and cut to `max_line_len`. The prefix is read before cleaning so that a
//! progress line such as `[…][PID:1] 50%\r100%` keeps its time.
//!
//! A v2 log the skim read comes with the positions of its escapes and `&`s
//! ([`Marks`]): its lines are split at them without a search, a line with
//! nothing to decode is borrowed as it is, and one with one-character
//! escapes and entities is decoded in one pass ([`decode_simple`]); the
//! script template's own prefix has a one-pass reader ([`template_prefix`]).
//! Each of these is tested against the step-by-step path it stands for.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Scalar, share_text};
use crate::json::{self, MarkedLine, StrLine, StrLines};
use crate::note::{Note, Notes};
use crate::status::Status;
use crate::time::{TimeError, Timestamp, Written};

use super::Cx;
use super::codes;
use super::wire::Marks;

/// Longest stamp text looked at between the brackets
/// (`2018-03-15 14:39:30.123456789 +08:00` is 35 bytes).
const MAX_STAMP: usize = 40;

/// A `[stamp]` or `[stamp][PID:n]` prefix at the start of a line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Prefix {
    /// The stamp text inside the brackets.
    pub(super) stamp: Range<usize>,
    /// The stamp read; only a stamp of the right shape with a field out of
    /// range is an `Err` (a wrong shape is no prefix at all).
    pub(super) time: Result<Written, TimeError>,
    /// The digits of `[PID:n]`.
    pub(super) pid: Option<Range<usize>>,
    /// Where the message starts (after one space following the prefix).
    pub(super) body: usize,
}

/// Reads the timestamp prefix of a line, if it has one.
#[inline]
pub(super) fn prefix(s: &str) -> Option<Prefix> {
    let b = s.as_bytes();
    // The template's own `[yyyy-MM-dd HH:mm:ss]` at fixed positions; any
    // other shape, or a field out of range, takes the general reader.
    if let Some(p) = b.get(..21)
        && p.first() == Some(&b'[')
        && p.get(5) == Some(&b'-')
        && p.get(8) == Some(&b'-')
        && p.get(11) == Some(&b' ')
        && p.get(14) == Some(&b':')
        && p.get(17) == Some(&b':')
        && p.get(20) == Some(&b']')
        && let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
            crate::time::digits(p, 1, 4),
            crate::time::digits(p, 6, 2),
            crate::time::digits(p, 9, 2),
            crate::time::digits(p, 12, 2),
            crate::time::digits(p, 15, 2),
            crate::time::digits(p, 18, 2),
        )
        && let Some(naive) = chrono::NaiveDate::from_ymd_opt(y.cast_signed(), mo, d)
            .and_then(|date| date.and_hms_opt(h, mi, sec))
    {
        let time = Ok(Written {
            naive,
            offset: None,
            frac_digits: 0,
        });
        return Some(after_stamp(b, 1..20, time));
    }
    prefix_general(s)
}

/// A date the template prefix wrote (`yyyy-MM-dd`, as written): the lines
/// of one log mostly share it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Day {
    text: [u8; 10],
    /// The day before it, the day, the day after: a time minus the offset
    /// may fall on either side of midnight in UTC.
    utc: [chrono::NaiveDate; 3],
}

/// The script template's own `[yyyy-MM-dd HH:mm:ss][PID:n]` prefix (at
/// most nine digits of process id), with the message not starting with
/// `job_` (no template marker): the time resolved with `offset`, the
/// process id, and where the message starts — what [`prefix`] and the
/// general line path make of such a line, in one pass, the date read only
/// when it is not `day`'s (which then becomes this line's). `None` for any
/// other line, and for a field out of range: those take the general path.
#[inline]
pub(super) fn template_prefix(
    b: &[u8],
    offset: chrono::FixedOffset,
    day: &mut Option<Day>,
) -> Option<(Timestamp, u32, usize)> {
    let p = b.get(..26)?;
    if p.first() != Some(&b'[')
        || p.get(5) != Some(&b'-')
        || p.get(8) != Some(&b'-')
        || p.get(11) != Some(&b' ')
        || p.get(14) != Some(&b':')
        || p.get(17) != Some(&b':')
        || p.get(20..26) != Some(b"][PID:")
    {
        return None;
    }
    let text: [u8; 10] = p.get(1..11)?.try_into().ok()?;
    let utc = match day {
        Some(d) if d.text == text => d.utc,
        _ => {
            let date = chrono::NaiveDate::from_ymd_opt(
                crate::time::digits(p, 1, 4)?.cast_signed(),
                crate::time::digits(p, 6, 2)?,
                crate::time::digits(p, 9, 2)?,
            )?;
            let utc = [date.pred_opt()?, date, date.succ_opt()?];
            *day = Some(Day { text, utc });
            utc
        }
    };
    let (h, mi, sec) = (
        crate::time::digits(p, 12, 2)?,
        crate::time::digits(p, 15, 2)?,
        crate::time::digits(p, 18, 2)?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let (pid, n) = pid_digits(b.get(26..).unwrap_or_default())?;
    let mut body = 26 + n + 1;
    if b.get(body) == Some(&b' ') {
        body += 1;
    }
    if b.get(body..).is_some_and(|m| m.starts_with(b"job_")) {
        return None;
    }
    // The time minus the offset, on the day it falls on in UTC (the
    // offset is less than a day either way): what `Written::resolve` gives
    // for a zone-less stamp.
    let utc_secs = i64::from(h * 3600 + mi * 60 + sec) - i64::from(offset.local_minus_utc());
    let (date, secs) = if utc_secs < 0 {
        (utc[0], utc_secs + 86_400)
    } else if utc_secs >= 86_400 {
        (utc[2], utc_secs - 86_400)
    } else {
        (utc[1], utc_secs)
    };
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(secs).ok()?, 0)?;
    let utc = chrono::NaiveDateTime::new(date, time);
    let time = Timestamp::new(
        chrono::DateTime::from_naive_utc_and_offset(utc, offset),
        0,
        true,
    );
    Some((time, pid, body))
}

/// The digits of `[PID:n]` at the start of `d` and their count, when
/// there are one to nine and a `]` follows. Up to seven digits are read a
/// word at a time, without a branch on their count (PIDs have four to
/// seven digits, in no order).
#[inline(always)]
pub(super) fn pid_digits(d: &[u8]) -> Option<(u32, usize)> {
    if let Some(word) = d.get(..8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        // A byte is a digit when its high nibble is 3 and stays 3 with 6
        // added. A carry out of a byte (0xfa and above, not a digit) only
        // reaches later bytes, past the end of the digits.
        let high = (w & 0xf0f0_f0f0_f0f0_f0f0) ^ 0x3030_3030_3030_3030;
        let low =
            (w.wrapping_add(0x0606_0606_0606_0606) & 0xf0f0_f0f0_f0f0_f0f0) ^ 0x3030_3030_3030_3030;
        let not_digit = high | low;
        let n = (not_digit.trailing_zeros() / 8) as usize;
        if (1..8).contains(&n) {
            if (w >> (8 * n)) as u8 != b']' {
                return None;
            }
            // The digits moved to the top bytes, zeros (leading zero
            // digits) below them, then combined pairwise: 8 digits to 4
            // numbers of two, to 2 of four, to 1 of eight.
            let shift = 8 * (8 - n);
            let mut v = (w << shift).wrapping_sub(0x3030_3030_3030_3030 << shift);
            v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
            v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
            v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff;
            return Some((u32::try_from(v).ok()?, n));
        }
    }
    let n = d.iter().take(10).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 || d.get(n) != Some(&b']') {
        return None;
    }
    Some((crate::time::digits(d, 0, n)?, n))
}

/// [`prefix`] for any stamp shape `time::parse_written` reads.
fn prefix_general(s: &str) -> Option<Prefix> {
    let b = s.as_bytes();
    if b.first() != Some(&b'[') || !b.get(1..5)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let window = b.get(1..b.len().min(MAX_STAMP + 2))?;
    let close = 1 + memchr::memchr(b']', window)?;
    let stamp = 1..close;
    let time = match crate::time::parse_written(s.get(stamp.clone())?) {
        Ok(w) => Ok(w),
        Err(TimeError::Range) => Err(TimeError::Range),
        Err(TimeError::Shape) => return None,
    };
    Some(after_stamp(b, stamp, time))
}

/// The prefix whose stamp is `stamp` (inside brackets): an optional
/// `[PID:n]` and one space may follow.
#[inline]
fn after_stamp(b: &[u8], stamp: Range<usize>, time: Result<Written, TimeError>) -> Prefix {
    let mut body = stamp.end + 1;
    let mut pid = None;
    if let Some(rest) = b.get(body..)
        && rest.starts_with(b"[PID:")
    {
        let digits_start = body + 5;
        let digits = b.get(digits_start..).unwrap_or_default();
        let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 && digits.get(n) == Some(&b']') {
            pid = Some(digits_start..digits_start + n);
            body = digits_start + n + 1;
        }
    }
    if b.get(body) == Some(&b' ') {
        body += 1;
    }
    Prefix {
        stamp,
        time,
        pid,
        body,
    }
}

/// A marker of the default script template.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Marker {
    /// `job_start`
    Start,
    /// `job_success:[msg]`, with the range of `msg`.
    Success(Range<usize>),
    /// `job_fail:[msg]`, with the range of `msg`.
    Fail(Range<usize>),
}

/// The template marker in the message starting at `body`, if any.
pub(super) fn marker(s: &str, body: usize) -> Option<Marker> {
    let rest = s.get(body..)?.trim_end();
    if rest == "job_start" {
        return Some(Marker::Start);
    }
    let end = body + rest.len();
    for (word, success) in [("job_success:[", true), ("job_fail:[", false)] {
        if rest.starts_with(word) && rest.ends_with(']') && rest.len() > word.len() {
            let range = body + word.len()..end - 1;
            return Some(if success {
                Marker::Success(range)
            } else {
                Marker::Fail(range)
            });
        }
    }
    None
}

/// The parts of a file-transfer line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Label {
    FileName,
    Directory,
    FileSize,
    Status,
    State,
    StatusDesc,
    Speed,
    Progress,
    Detail,
}

/// Each label as written, with the space before it, and its slot.
const LABELS: [(Label, &str); 9] = [
    (Label::FileName, " FileName: "),
    (Label::Directory, " Directory: "),
    (Label::FileSize, " FileSize: "),
    (Label::Status, " Status: "),
    (Label::State, " State: "),
    (Label::StatusDesc, " StatusDesc: "),
    (Label::Speed, " Speed: "),
    (Label::Progress, " Progress: "),
    (Label::Detail, " Detail: "),
];

/// The value ranges of a file-transfer line, by [`Label`] (its index in
/// [`LABELS`]), plus the leading message of the error form.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct FileLine {
    pub(super) fields: [Option<Range<usize>>; 9],
    pub(super) error: Option<Range<usize>>,
}

impl FileLine {
    pub(super) fn get(&self, label: Label) -> Option<Range<usize>> {
        self.fields.get(label as usize).cloned().flatten()
    }
}

/// Reads a file-transfer line whose message starts at `body`. `None` when the
/// message starts with no label and is not the error form.
///
/// A value runs to the next label not seen yet (so a path may hold spaces);
/// `Detail` runs to the end of the line. A `,` before a label (the error
/// form) is not part of the value.
pub(super) fn file_line(s: &str, body: usize) -> Option<FileLine> {
    let rest = s.get(body..)?;
    let mut line = FileLine::default();
    let mut seen = 0u16;
    // The first label: at the start, or after `<message>.` in the error form.
    let (mut label, mut pos) = match LABELS
        .iter()
        .find(|(_, text)| rest.starts_with(text.get(1..).unwrap_or_default()))
    {
        Some((l, text)) => (*l, body + text.len() - 1),
        None => {
            let at = memchr::memmem::find(rest.as_bytes(), b". Status: ")?;
            let after = rest.as_bytes().get(at + 10)?;
            if !after.is_ascii_digit() {
                return None;
            }
            line.error = Some(body..body + at);
            (Label::Status, body + at + 10)
        }
    };
    loop {
        seen |= 1 << (label as u16);
        let tail = s.get(pos..).unwrap_or_default();
        let next = if label == Label::Detail {
            None
        } else {
            LABELS
                .iter()
                .filter(|(l, _)| seen & (1 << (*l as u16)) == 0)
                .filter_map(|(l, text)| {
                    memchr::memmem::find(tail.as_bytes(), text.as_bytes()).map(|i| (i, *l, text))
                })
                .min_by_key(|(i, _, _)| *i)
        };
        let Some((i, next_label, text)) = next else {
            if let Some(slot) = line.fields.get_mut(label as usize) {
                *slot = Some(pos..s.len());
            }
            return Some(line);
        };
        let mut end = pos + i;
        if s.as_bytes().get(end.wrapping_sub(1)) == Some(&b',') && end > pos {
            end -= 1;
        }
        if let Some(slot) = line.fields.get_mut(label as usize) {
            *slot = Some(pos..end);
        }
        label = next_label;
        pos = pos + i + text.len();
    }
}

/// [`html_decode`]'s text alone.
#[cfg(test)]
pub(super) fn html_unescape(s: &str) -> Option<String> {
    html_decode(s).map(|d| d.text)
}

/// A line whose HTML entities were decoded.
pub(super) struct Decoded {
    pub(super) text: String,
    /// Whether an entity decoded to ESC or CR, which the line's cleaning
    /// must then see (the named entities never do).
    pub(super) control: bool,
}

/// Decodes the HTML entities BlueKing v2 servers write (`&lt; &gt; &amp;
/// &quot; &apos; &#NN; &#xHH;`). `None` when nothing was decoded. Unknown or
/// malformed entities, and numeric ones naming no character (or NUL), are
/// kept as written.
pub(super) fn html_decode(s: &str) -> Option<Decoded> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut control = false;
    while let Some(rel) = memchr::memchr(b'&', b.get(i..).unwrap_or_default()) {
        let at = i + rel;
        match entity(b, at) {
            Some((c, len)) => {
                let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
                o.push_str(s.get(copied..at).unwrap_or_default());
                o.push(c);
                control |= c == '\x1b' || c == '\r';
                copied = at + len;
                i = copied;
            }
            None => i = at + 1,
        }
    }
    let mut text = out?;
    text.push_str(s.get(copied..).unwrap_or_default());
    Some(Decoded { text, control })
}

/// The entities `Utils.htmlEncode` writes, by the low five bits of the
/// first letter of their name (`l`, `g`, `a`, `q`, all different): the
/// name with its `;` as a little-endian word, the mask of its bytes, the
/// character, the entity's length with its `&` (0: no entity here).
// Built at compile time, where an index out of bounds is a compile error.
#[allow(clippy::indexing_slicing)]
const ENTITIES: [(u64, u64, u8, u8); 32] = {
    let mut t = [(0, 0, 0, 0); 32];
    t[(b'l' & 31) as usize] = (u64::from_le_bytes(*b"lt;\0\0\0\0\0"), 0xff_ffff, b'<', 4);
    t[(b'g' & 31) as usize] = (u64::from_le_bytes(*b"gt;\0\0\0\0\0"), 0xff_ffff, b'>', 4);
    t[(b'a' & 31) as usize] = (u64::from_le_bytes(*b"amp;\0\0\0\0"), 0xffff_ffff, b'&', 5);
    t[(b'q' & 31) as usize] = (u64::from_le_bytes(*b"quot;\0\0\0"), 0xff_ffff_ffff, b'"', 6);
    t
};

/// The entity at `at` (an `&`): (character, bytes used).
#[inline(always)]
fn entity(b: &[u8], at: usize) -> Option<(char, usize)> {
    let rest = b.get(at + 1..)?;
    // The entities `Utils.htmlEncode` writes, matched with one compare of
    // the word after the `&` (no branch on which one it is).
    if let Some(word) = rest.get(..8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        let (pattern, mask, c, len) = ENTITIES
            .get(usize::from(word[0] & 31))
            .copied()
            .unwrap_or_default();
        if len != 0 && w & mask == pattern {
            return Some((char::from(c), usize::from(len)));
        }
        return entity_general(rest);
    }
    if rest.starts_with(b"lt;") {
        return Some(('<', 4));
    }
    if rest.starts_with(b"gt;") {
        return Some(('>', 4));
    }
    if rest.starts_with(b"amp;") {
        return Some(('&', 5));
    }
    entity_general(rest)
}

/// [`entity`] for any entity, given the bytes after its `&`.
fn entity_general(rest: &[u8]) -> Option<(char, usize)> {
    let semi = rest.iter().take(9).position(|&c| c == b';')?;
    let name = rest.get(..semi)?;
    let c = match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"quot" => '"',
        b"apos" => '\'',
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() && hex.len() <= 6 => {
            let mut v = 0u32;
            for &h in hex {
                v = v * 16 + (h as char).to_digit(16)?;
            }
            char::from_u32(v).filter(|&c| c != '\0')?
        }
        [b'#', dec @ ..] if !dec.is_empty() && dec.len() <= 7 => {
            let mut v = 0u32;
            for &d in dec {
                v = v * 10 + (d as char).to_digit(10)?;
            }
            char::from_u32(v).filter(|&c| c != '\0')?
        }
        _ => return None,
    };
    Some((c, semi + 2))
}

/// A sub-slice of a line: borrowed when the line is.
fn sub<'a>(line: &Cow<'a, str>, r: Range<usize>) -> Cow<'a, str> {
    match line {
        Cow::Borrowed(s) => Cow::Borrowed(s.get(r).unwrap_or_default()),
        Cow::Owned(s) => Cow::Owned(s.get(r).unwrap_or_default().to_owned()),
    }
}

/// The line from byte `at` on, without copying a borrowed line.
#[inline]
fn tail(line: Cow<'_, str>, at: usize) -> Cow<'_, str> {
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

/// [`crate::text::clean`], kept out of line: the rare case, and inlining it
/// into the line builder measurably slowed every line.
#[inline(never)]
fn clean_message<'a>(
    s: Cow<'a, str>,
    mode: crate::options::TextMode,
    notes: &mut Notes,
) -> Cow<'a, str> {
    crate::text::clean(s, mode, notes)
}

/// Pushes a non-empty text attribute.
fn push_text<'a>(attrs: &mut Vec<(&'static str, Scalar<'a>)>, key: &'static str, v: Cow<'a, str>) {
    if !v.is_empty() {
        attrs.push((key, Scalar::Str(v)));
    }
}

/// Walks the lines of one `log_content`, one event at a time.
pub(super) struct LineCursor<'a> {
    lines: StrLines<'a>,
    /// Where the string body starts in the input.
    base: usize,
    /// Decode HTML entities (v2 only, when the options say so).
    html: bool,
    /// Job, step and host context copied onto every line.
    ctx: Context<'a>,
    /// Notes every line carries (a host field that could not be read).
    notes: Notes,
    /// The next of the string's escape positions (an index in the list
    /// the skim made), and whether there is such a list: the lines are
    /// then split without a search.
    mark: usize,
    /// The date of the last template prefix read.
    day: Option<Day>,
    /// Where the string's escape positions end in the list.
    marks_end: usize,
    marked: bool,
}

impl<'a> LineCursor<'a> {
    /// A cursor over the raw JSON string body `body`, which starts at byte
    /// `base` of the input.
    pub(super) fn new(
        body: &'a str,
        base: usize,
        html: bool,
        ctx: Context<'a>,
        notes: Notes,
    ) -> Self {
        LineCursor {
            lines: StrLines::new(body),
            base,
            html,
            ctx,
            notes,
            mark: 0,
            day: None,
            marks_end: 0,
            marked: false,
        }
    }

    /// Splits the lines at the escapes the skim noted (`marks` in
    /// [`LineCursor::next_event`]).
    pub(super) fn with_marks(mut self, marks: Option<Marks>) -> Self {
        if let Some(m) = marks {
            self.mark = m.start;
            self.marks_end = m.end;
            self.marked = true;
        }
        self
    }

    /// The next line's event. `marks` is the list the skim made, if this
    /// cursor's string has its escapes in it.
    #[inline(always)]
    pub(super) fn next_event(
        &mut self,
        cx: &Cx<'a, '_>,
        seq: &mut u64,
        marks: &[u32],
    ) -> Option<Result<LogEvent<'a>, Error>> {
        let at = self.base + self.lines.position();
        let line = if self.marked {
            let marks = marks.get(..self.marks_end).unwrap_or_default();
            let l = self.lines.split_marked(marks, &mut self.mark, self.base)?;
            if l.has & MarkedLine::ESCAPED == 0 && (l.has & MarkedLine::AMP == 0 || !self.html) {
                // Nothing to decode (most lines): the text as it is in the
                // input, as `marked_text` gives it.
                let raw = self.lines.body().get(l.start..l.end).unwrap_or_default();
                // A prefix starts with `[`; most lines have none. Each path
                // returns its event as it is built (no move of the event
                // from one to the other).
                if raw.as_bytes().first() == Some(&b'[') {
                    return Some(prefixed_raw_event(cx, raw, at, self, seq));
                }
                return Some(self.plain_event(cx, seq, raw, at));
            }
            self.marked_text(&l, marks)
        } else {
            searched_text(self.lines.next()?, self.html)
        };
        Some(self.text_event(cx, seq, line, at))
    }

    /// The event of a line that needed no decoding and has no prefix, `raw`
    /// as it is in the input: every field but the text and the context
    /// empty.
    #[inline(always)]
    fn plain_event(
        &mut self,
        cx: &Cx<'a, '_>,
        seq: &mut u64,
        raw: &'a str,
        at: usize,
    ) -> Result<LogEvent<'a>, Error> {
        let mut message = Cow::Borrowed(raw);
        let mut notes = self.notes;
        if raw.len() > cx.opts.max_line_len {
            cut_long_line(cx, &mut message, at, &mut notes)?;
        }
        Ok(event(cx, self, seq, PLAIN, message, notes, Vec::new()))
    }

    /// The event of a line whose text was decoded.
    #[inline(never)]
    fn text_event(
        &mut self,
        cx: &Cx<'a, '_>,
        seq: &mut u64,
        line: LineText<'a>,
        at: usize,
    ) -> Result<LogEvent<'a>, Error> {
        let mut notes = self.notes;
        if line.invalid_escape {
            invalid_escape(cx, at, &mut notes)?;
        }
        if line.html {
            notes.insert(Note::HtmlUnescaped);
        }
        if line.text.as_bytes().first() == Some(&b'[') {
            return prefixed_event(cx, line, at, self, seq, notes);
        }
        let message = finish_message(cx, line.text, line.may_need_cleaning, at, &mut notes)?;
        Ok(event(cx, self, seq, PLAIN, message, notes, Vec::new()))
    }

    /// The next line's text, and where it starts in the input: what
    /// [`LineCursor::next_event`] reads, for the tests.
    #[cfg(test)]
    fn next_text(&mut self, marks: &[u32]) -> Option<(usize, LineText<'a>)> {
        let at = self.base + self.lines.position();
        let text = if self.marked {
            let marks = marks.get(..self.marks_end).unwrap_or_default();
            let l = self.lines.split_marked(marks, &mut self.mark, self.base)?;
            self.marked_text(&l, marks)
        } else {
            searched_text(self.lines.next()?, self.html)
        };
        Some((at, text))
    }

    /// The text of a line split at the skim's marks: borrowed when it has
    /// no escape and no entity to decode; decoded in one pass
    /// ([`decode_simple`]) when its escapes are all of one character;
    /// else as [`searched_text`] does.
    #[inline]
    fn marked_text(&self, l: &MarkedLine, marks: &[u32]) -> LineText<'a> {
        let raw = self.lines.body().get(l.start..l.end).unwrap_or_default();
        let html = self.html && l.has & MarkedLine::AMP != 0;
        if l.has & MarkedLine::ESCAPED == 0 && !html {
            return LineText {
                text: Cow::Borrowed(raw),
                invalid_escape: false,
                html: false,
                may_need_cleaning: false,
            };
        }
        if l.has & MarkedLine::UNICODE != 0 {
            let escaped = l.has & MarkedLine::ESCAPED != 0;
            return searched_text(StrLine::decode(raw, escaped), self.html);
        }
        let own = marks.get(l.first..l.last).unwrap_or_default();
        decode_simple(raw, own, self.base + l.start, html)
    }
}

/// A line's text, decoded and ready for its prefix to be read.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct LineText<'a> {
    text: Cow<'a, str>,
    /// An escape in it was invalid.
    invalid_escape: bool,
    /// HTML entities in it were decoded.
    html: bool,
    /// Whether it may hold ESC or CR. They can only reach a line through
    /// an escape (JSON strings hold no raw control characters) or an HTML
    /// entity: a line that needed neither has nothing to clean.
    may_need_cleaning: bool,
}

/// The text of a line found by searching: JSON escapes decoded (by
/// [`StrLines`]), the CRLF `\r` removed, then HTML entities decoded when
/// `html`. The reference [`decode_simple`] is tested against.
fn searched_text(line: StrLine<'_>, html: bool) -> LineText<'_> {
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

/// The event of a line that starts with `[`: its prefix read, if it has
/// one, into the time, process id, template marker or file-transfer
/// fields. Out of line: most lines have none.
#[inline(never)]
fn prefixed_event<'a>(
    cx: &Cx<'a, '_>,
    line: LineText<'a>,
    at: usize,
    cur: &mut LineCursor<'a>,
    seq: &mut u64,
    mut notes: Notes,
) -> Result<LogEvent<'a>, Error> {
    if let Some((time, pid, body)) = template_prefix(line.text.as_bytes(), cx.offset, &mut cur.day)
    {
        let e = Head {
            time: Some(time),
            pid: Some(pid),
            ..PLAIN
        };
        let text = tail(line.text, body);
        let message = finish_message(cx, text, line.may_need_cleaning, at, &mut notes)?;
        return Ok(event(cx, cur, seq, e, message, notes, Vec::new()));
    }
    prefixed_event_general(cx, line, at, cur, seq, notes)
}

/// [`prefixed_event`] for a line that needed no decoding, `raw` as it is
/// in the input.
#[inline(never)]
fn prefixed_raw_event<'a>(
    cx: &Cx<'a, '_>,
    raw: &'a str,
    at: usize,
    cur: &mut LineCursor<'a>,
    seq: &mut u64,
) -> Result<LogEvent<'a>, Error> {
    let mut notes = cur.notes;
    if let Some((time, pid, body)) = template_prefix(raw.as_bytes(), cx.offset, &mut cur.day) {
        let e = Head {
            time: Some(time),
            pid: Some(pid),
            ..PLAIN
        };
        let mut message = Cow::Borrowed(raw.get(body..).unwrap_or_default());
        if message.len() > cx.opts.max_line_len {
            cut_long_line(cx, &mut message, at, &mut notes)?;
        }
        return Ok(event(cx, cur, seq, e, message, notes, Vec::new()));
    }
    let line = LineText {
        text: Cow::Borrowed(raw),
        invalid_escape: false,
        html: false,
        may_need_cleaning: false,
    };
    prefixed_event_general(cx, line, at, cur, seq, notes)
}

/// [`prefixed_event`] for any prefix: the reference [`template_prefix`]
/// is tested against.
#[inline(never)]
fn prefixed_event_general<'a>(
    cx: &Cx<'a, '_>,
    line: LineText<'a>,
    at: usize,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    mut notes: Notes,
) -> Result<LogEvent<'a>, Error> {
    let mut e = PLAIN;
    let mut attrs = Vec::new();
    let text = line.text;
    let body = prefixed(cx, &text, at, &mut e, &mut notes, &mut attrs)?;
    let message = finish_message(cx, tail(text, body), line.may_need_cleaning, at, &mut notes)?;
    Ok(event(cx, cur, seq, e, message, notes, attrs))
}

/// A line's message cleaned (when it may need it) and cut to
/// `max_line_len`.
#[inline(always)]
fn finish_message<'a>(
    cx: &Cx<'a, '_>,
    message: Cow<'a, str>,
    may_need_cleaning: bool,
    at: usize,
    notes: &mut Notes,
) -> Result<Cow<'a, str>, Error> {
    let mut message = if may_need_cleaning {
        clean_message(message, cx.opts.text, notes)
    } else {
        message
    };
    if message.len() > cx.opts.max_line_len {
        cut_long_line(cx, &mut message, at, notes)?;
    }
    Ok(message)
}

/// The fields of a line without a prefix.
const PLAIN: Head<'static> = Head {
    kind: EventKind::Line,
    time: None,
    status: None,
    vendor_status: None,
    progress: None,
    pid: None,
};

/// A line's event with the cursor's context, numbered `seq`.
#[inline(always)]
fn event<'a>(
    cx: &Cx<'a, '_>,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    e: Head<'a>,
    message: Cow<'a, str>,
    notes: Notes,
    attrs: Vec<(&'static str, Scalar<'a>)>,
) -> LogEvent<'a> {
    let seq_now = *seq;
    *seq += 1;
    // One struct literal as the return value: built where the caller wants
    // it, not built here and copied (the event is a few hundred bytes).
    LogEvent {
        source: cx.source,
        kind: e.kind,
        seq: seq_now,
        time: e.time,
        severity: None,
        severity_text: None,
        status: e.status,
        vendor_status: e.vendor_status,
        progress: e.progress,
        duration: None,
        ctx: Context {
            job: cur.ctx.job.as_ref().map(share_text),
            step_id: cur.ctx.step_id.as_ref().map(share_text),
            step_name: cur.ctx.step_name.as_ref().map(share_text),
            host: cur.ctx.host.as_ref().map(share_text),
            pid: e.pid,
            exit_code: cur.ctx.exit_code,
            attempt: cur.ctx.attempt,
        },
        message,
        notes,
        attrs,
    }
}

/// Notes (or, strict, refuses) a line with an invalid escape.
#[cold]
#[inline(never)]
fn invalid_escape(cx: &Cx<'_, '_>, at: usize, notes: &mut Notes) -> Result<(), Error> {
    cx.opts.recover(notes, Note::InvalidEscape, || {
        cx.err_at(
            ErrorKind::Syntax,
            "invalid escape in `log_content` (a lone surrogate or a bad `\\u`)",
            at,
        )
    })
}

/// Cuts a line longer than `max_line_len` (lenient) or refuses it.
#[cold]
#[inline(never)]
fn cut_long_line(
    cx: &Cx<'_, '_>,
    message: &mut Cow<'_, str>,
    at: usize,
    notes: &mut Notes,
) -> Result<(), Error> {
    cx.opts.recover(notes, Note::LineTruncated, || {
        cx.err_at(
            ErrorKind::Limit,
            format!(
                "line longer than {} bytes (the max_line_len option)",
                cx.opts.max_line_len
            ),
            at,
        )
    })?;
    crate::text::truncate_cow(message, cx.opts.max_line_len);
    Ok(())
}

/// Reads the prefix of a line that starts with `[`, if it has one, into
/// `e`, `notes` and `attrs`: time, process id, template marker or
/// file-transfer fields. Returns where the message starts (0 without a
/// prefix).
// `&Cow`, not `&str`: sub-slices of a borrowed line must keep the input's
// lifetime.
#[allow(clippy::ptr_arg)]
#[inline(always)]
fn prefixed<'a>(
    cx: &Cx<'a, '_>,
    text: &Cow<'a, str>,
    at: usize,
    e: &mut Head<'a>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'a>)>,
) -> Result<usize, Error> {
    let Some(p) = prefix(text) else {
        return Ok(0);
    };
    let body = p.body;
    match p.time.and_then(|w| w.resolve(cx.offset)) {
        Ok(t) => e.time = Some(t),
        Err(why) => {
            cx.opts.recover(notes, Note::InvalidTime, || {
                cx.err_at(
                    ErrorKind::Time,
                    format!(
                        "{} in the line prefix, found {}",
                        why.describe(),
                        super::clip(text.get(p.stamp.clone()).unwrap_or_default())
                    ),
                    at + 1,
                )
            })?;
            attrs.push(("raw_time", Scalar::Str(sub(text, p.stamp.clone()))));
        }
    }
    if let Some(r) = p.pid.clone() {
        match text.get(r.clone()).and_then(|d| d.parse::<u32>().ok()) {
            Some(pid) => e.pid = Some(pid),
            None => {
                cx.opts.recover(notes, Note::InvalidValue, || {
                    cx.err_at(
                        ErrorKind::Value,
                        "the `[PID:n]` of the line prefix is larger than a process id can be",
                        at + r.start,
                    )
                })?;
                attrs.push(("pid", Scalar::Str(sub(text, r))));
            }
        }
    }
    if let Some(m) = marker(text, body) {
        e.kind = EventKind::Phase;
        let (status, tag) = match m {
            Marker::Start => (Status::Running, None),
            Marker::Success(r) => (Status::Succeeded, Some(r)),
            Marker::Fail(r) => (Status::Failed, Some(r)),
        };
        e.status = Some(status);
        if let Some(r) = tag {
            push_text(attrs, "tag", sub(text, r));
        }
    } else if p.pid.is_none()
        && let Some(f) = file_line(text, body)
    {
        file_attrs(cx, text, &f, at, e, notes, attrs)?;
    }
    Ok(body)
}

/// What a line sets of its event besides the message, notes and attributes.
struct Head<'a> {
    kind: EventKind,
    time: Option<Timestamp>,
    status: Option<Status>,
    vendor_status: Option<Scalar<'a>>,
    progress: Option<u8>,
    pid: Option<u32>,
}

/// Status, progress and attributes of a file-transfer line.
// `&Cow`, not `&str`: sub-slices of a borrowed line must keep the input's
// lifetime.
#[allow(clippy::ptr_arg)]
fn file_attrs<'a>(
    cx: &Cx<'a, '_>,
    text: &Cow<'a, str>,
    f: &FileLine,
    at: usize,
    e: &mut Head<'a>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'a>)>,
) -> Result<(), Error> {
    if let Some(r) = f.error.clone() {
        push_text(attrs, "error", sub(text, r));
    }
    if let Some(r) = f.get(Label::FileName) {
        push_text(attrs, "file_path", sub(text, r));
    } else if let Some(r) = f.get(Label::Directory) {
        push_text(attrs, "file_path", sub(text, r));
        attrs.push(("is_directory", Scalar::Bool(true)));
    }
    if let Some(r) = f.get(Label::FileSize) {
        push_text(attrs, "file_size", sub(text, r));
    }
    if let Some(r) = f.get(Label::Status) {
        let raw = text.get(r.clone()).unwrap_or_default().trim();
        match raw.parse::<i64>() {
            Ok(n) => {
                let (status, vendor) = super::lookup_code(
                    cx,
                    n,
                    Scalar::Int(n),
                    codes::file_status,
                    "file-transfer status",
                    "0–5",
                    at + r.start,
                    notes,
                )?;
                e.status = Some(status);
                e.vendor_status = Some(vendor);
            }
            Err(_) => {
                cx.opts.recover(notes, Note::InvalidValue, || {
                    cx.err_at(
                        ErrorKind::Value,
                        format!(
                            "`Status:` of a file-transfer line must be an integer, found {}",
                            super::clip(raw)
                        ),
                        at + r.start,
                    )
                })?;
                push_text(attrs, "status", sub(text, r));
            }
        }
    }
    if let Some(r) = f.get(Label::State) {
        push_text(attrs, "state", sub(text, r));
    }
    if let Some(r) = f.get(Label::StatusDesc) {
        push_text(attrs, "status_desc", sub(text, r));
    }
    if let Some(r) = f.get(Label::Speed) {
        push_text(attrs, "speed", sub(text, r));
    }
    if let Some(r) = f.get(Label::Progress) {
        let raw = text.get(r.clone()).unwrap_or_default();
        match super::percent(raw) {
            Ok(p) => e.progress = p,
            Err(()) => {
                cx.opts.recover(notes, Note::InvalidValue, || {
                    cx.err_at(
                        ErrorKind::Value,
                        format!(
                            "`Progress:` of a file-transfer line must be a percentage 0–100, found {}",
                            super::clip(raw)
                        ),
                        at + r.start,
                    )
                })?;
                push_text(attrs, "progress", sub(text, r));
            }
        }
    }
    if let Some(r) = f.get(Label::Detail) {
        push_text(attrs, "detail", sub(text, r));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    fn stamp(s: &str) -> Option<(String, Option<&str>, &str)> {
        let p = prefix(s)?;
        let t = match p.time {
            Ok(w) => format!("{:?}", w.naive),
            Err(e) => format!("{e:?}"),
        };
        Some((t, p.pid.map(|r| &s[r]), &s[p.body..]))
    }

    #[test]
    fn ok_template_prefixes() {
        let cases = [
            (
                "[2018-03-15 14:39:30][PID:56875] job_start",
                "2018-03-15T14:39:30",
                Some("56875"),
                "job_start",
            ),
            (
                "[2018-03-15 14:39:30][PID:1]",
                "2018-03-15T14:39:30",
                Some("1"),
                "",
            ),
            (
                "[2018-03-15 14:39:30][PID:1]  two spaces",
                "2018-03-15T14:39:30",
                Some("1"),
                " two spaces",
            ),
            // Windows batch template: slashes, space-padded hour, no PID.
            (
                "[2024/05/20  9:00:01] job_start",
                "2024-05-20T09:00:01",
                None,
                "job_start",
            ),
            (
                "[2024/05/20 19:00:01][PID:4242] echo on",
                "2024-05-20T19:00:01",
                Some("4242"),
                "echo on",
            ),
            // An offset written in the stamp is accepted.
            (
                "[2018-03-15 14:39:30 +0800] x",
                "2018-03-15T14:39:30",
                None,
                "x",
            ),
            // A malformed PID is message text.
            (
                "[2018-03-15 14:39:30][PID:x] y",
                "2018-03-15T14:39:30",
                None,
                "[PID:x] y",
            ),
            (
                "[2018-03-15 14:39:30][PID:] y",
                "2018-03-15T14:39:30",
                None,
                "[PID:] y",
            ),
            // Out of range: still a prefix, the time is an error.
            (
                "[2018-13-45 14:39:30][PID:7] late",
                "Range",
                Some("7"),
                "late",
            ),
        ];
        for (line, time, pid, body) in cases {
            assert_eq!(stamp(line), Some((time.to_owned(), pid, body)), "{line}");
        }
    }

    #[test]
    fn ok_template_prefix_reads_the_template_only() {
        let offset = crate::time::utc();
        let mut day = None;
        let (t, pid, body) =
            template_prefix(b"[2018-03-15 14:39:30][PID:56875] x", offset, &mut day).unwrap();
        assert_eq!(t.to_string(), "2018-03-15T14:39:30Z");
        assert_eq!((pid, body), (56875, 33));
        assert!(day.is_some());
        for line in [
            "[2018-03-15 14:39:30][PID:56875] job_start",
            "[2018-03-15 14:39:30] x",
            "[2018-03-15 14:39:30][PID:1234567890] x",
            "[2018-02-30 14:39:30][PID:1] x",
            "[2018/03/15 14:39:30][PID:1] x",
        ] {
            assert_eq!(
                template_prefix(line.as_bytes(), offset, &mut day),
                None,
                "{line}"
            );
        }
    }

    #[test]
    fn err_not_a_prefix() {
        for line in [
            "",
            "plain",
            "[INFO] build",
            "[2018-03-15] date only",
            "[2018-03-15 14:39:30",
            "[2018-03-15 14:39:30 junk] x",
            " [2018-03-15 14:39:30] leading space",
            "[20180315 14:39:30] x",
            "[2018-03-15 14:39:30.123456789012345678901234567890] x",
            "[中文]",
            "[",
        ] {
            assert_eq!(prefix(line), None, "{line:?}");
        }
    }

    #[test]
    fn ok_markers() {
        let m = |s: &str| {
            marker(s, 0).map(|m| match m {
                Marker::Start => "start".to_owned(),
                Marker::Success(r) => format!("ok:{}", &s[r]),
                Marker::Fail(r) => format!("fail:{}", &s[r]),
            })
        };
        assert_eq!(m("job_start"), Some("start".into()));
        assert_eq!(m("job_start  "), Some("start".into()));
        assert_eq!(m("job_success:[done]"), Some("ok:done".into()));
        assert_eq!(m("job_success:[]"), Some("ok:".into()));
        assert_eq!(m("job_fail:[disk [full]]"), Some("fail:disk [full]".into()));
        for s in [
            "job_started",
            "job_success:done",
            "job_fail:[x",
            "job_success:[",
            "x job_start",
        ] {
            assert_eq!(m(s), None, "{s}");
        }
    }

    fn fields(s: &str) -> Vec<(String, String)> {
        let f = file_line(s, 0).unwrap();
        let mut out = Vec::new();
        if let Some(r) = f.error.clone() {
            out.push(("error".to_owned(), s[r].to_owned()));
        }
        for (label, _) in LABELS {
            if let Some(r) = f.get(label) {
                out.push((format!("{label:?}"), s[r].to_owned()));
            }
        }
        out
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn ok_file_lines() {
        assert_eq!(
            fields(
                "FileName: /opt/my app/1.log FileSize: 9.0 Bytes Status: 5 StatusDesc: download failed Speed: 0 KB/s Progress: 0% Detail: disk full"
            ),
            pairs(&[
                ("FileName", "/opt/my app/1.log"),
                ("FileSize", "9.0 Bytes"),
                ("Status", "5"),
                ("StatusDesc", "download failed"),
                ("Speed", "0 KB/s"),
                ("Progress", "0%"),
                ("Detail", "disk full"),
            ])
        );
        // The docs' order and `State:`.
        assert_eq!(
            fields(
                "FileName: /tmp/1.log FileSize: 9.0 Bytes State: dest agent success download file Speed: 1 KB/s Progress: 100% StatusDesc: dest agent success download file Detail: success"
            ),
            pairs(&[
                ("FileName", "/tmp/1.log"),
                ("FileSize", "9.0 Bytes"),
                ("State", "dest agent success download file"),
                ("StatusDesc", "dest agent success download file"),
                ("Speed", "1 KB/s"),
                ("Progress", "100%"),
                ("Detail", "success"),
            ])
        );
        assert_eq!(
            fields("Directory: /data/logs/ Status: 3"),
            pairs(&[("Directory", "/data/logs/"), ("Status", "3")])
        );
        assert_eq!(
            fields("FileName: C:\\a b\\c.txt"),
            pairs(&[("FileName", "C:\\a b\\c.txt")])
        );
        // Detail runs to the end even when it holds a label.
        assert_eq!(
            fields("FileName: x Detail: retry. Status: 5 again"),
            pairs(&[("FileName", "x"), ("Detail", "retry. Status: 5 again")])
        );
        // The error form.
        assert_eq!(
            fields("Upload failed: no space left. Status: 5, StatusDesc: failed"),
            pairs(&[
                ("error", "Upload failed: no space left"),
                ("Status", "5"),
                ("StatusDesc", "failed"),
            ])
        );
        // A part left out in the middle, an empty value.
        assert_eq!(
            fields("FileName: a FileSize:  Status: 4"),
            pairs(&[("FileName", "a"), ("FileSize", ""), ("Status", "4")])
        );
    }

    #[test]
    fn err_not_file_lines() {
        for s in [
            "job_start",
            "copied FileName: x",
            "failed. Status: x",
            "",
            "Status:5",
        ] {
            assert_eq!(file_line(s, 0), None, "{s}");
        }
    }

    #[test]
    fn ok_html_unescape() {
        let cases = [
            ("a &lt; b &gt; c &amp;&amp; d", "a < b > c && d"),
            ("&quot;q&quot; &#39;s&#39; &apos;", "\"q\" 's' '"),
            ("&#20013;&#x6587;&#X41;", "中文A"),
            ("&amp;lt;", "&lt;"),
            ("&lt;&lt;", "<<"),
        ];
        for (input, want) in cases {
            assert_eq!(html_unescape(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn err_html_unescape_keeps_what_it_cannot_read() {
        for input in [
            "",
            "no entities",
            "a & b",
            "&nbsp;",
            "&LT;",
            "&lt",
            "&#;",
            "&#x;",
            "&#0;",
            "&#xD800;",
            "&#1114112;",
            "&#12345678;",
            "&#xzz;",
            "&verylongname;",
            "&",
        ] {
            assert_eq!(html_unescape(input), None, "{input}");
        }
        assert_eq!(html_unescape("&bogus; &lt;").as_deref(), Some("&bogus; <"));
    }

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
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// The fixed-position reader of `[yyyy-MM-dd HH:mm:ss]` agrees with
        /// the general one on every line: valid and out-of-range fields,
        /// other separators, `[PID:n]` or not, anything after.
        #[test]
        fn fast_prefix_agrees_with_general(
            fields in (0u32..10000, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62),
            seps in prop::sample::select(vec!["-- ::", "// ::", "-- :.", "--T::", "-  ::"]),
            pid in prop::option::of("[0-9]{0,12}"),
            tail in "[ \\[\\]a-z0-9:]{0,8}",
            cut in 0usize..30,
        ) {
            let (y, mo, d, h, mi, sec) = fields;
            let sep: Vec<char> = seps.chars().collect();
            let mut line = format!(
                "[{y:04}{}{mo:02}{}{d:02}{}{h:02}{}{mi:02}{}{sec:02}]",
                sep[0], sep[1], sep[2], sep[3], sep[4]
            );
            if let Some(p) = pid {
                line.push_str(&format!("[PID:{p}]"));
            }
            line.push_str(&tail);
            let line = if cut < line.len() { &line[..cut] } else { &line[..] };
            prop_assert_eq!(prefix(line), prefix_general(line), "line {:?}", line);
        }

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

        /// Lines in the shape of the template's prefix, and near misses
        /// (fields out of range, other separators, no or odd `[PID:n]`,
        /// markers and file-transfer text after it, cut anywhere), give the
        /// same event or the same error through [`prefixed_event`] and
        /// [`prefixed_raw_event`] (the one-pass reader, with the date of the
        /// line before remembered) as through [`prefixed_event_general`],
        /// strict and lenient.
        #[test]
        fn template_prefix_agrees_with_general(
            lines in prop::collection::vec(
                (
                    (1990u32..2040, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62),
                    prop::sample::select(vec!["-- ::", "-- ::", "-- ::", "// ::", "-- :.", "-  ::"]),
                    prop::option::weighted(
                        0.8,
                        prop_oneof![4 => "[0-9]{1,9}", 1 => "[0-9]{0,12}", 1 => "x|[0-9]{1,3}x"],
                    ),
                    prop::sample::select(vec!["", " ", "  "]),
                    prop::sample::select(vec![
                        "job_start", "job_success:[done]", "job_fail:[x]", "job_", "jo", "hello",
                        "FileName: /a Status: 3", "", " ", "job_start  ", "中文",
                    ]),
                    0usize..80,
                    any::<bool>(),
                    prop_oneof![
                        4 => Just(8 * 3600),
                        1 => Just(0), 1 => Just(-12 * 3600), 1 => Just(5 * 3600 + 45 * 60),
                        1 => Just(86_399), 1 => Just(-86_399), 2 => -86_399i32..86_400,
                    ],
                ),
                1..4,
            ),
            strict in any::<bool>(),
            max_line_len in prop::option::weighted(0.3, 0usize..12),
        ) {
            let opts = if strict { Options::strict() } else { Options::lenient() };
            let opts = match max_line_len {
                Some(n) => opts.with_max_line_len(n),
                None => opts,
            };
            let mut day = None;
            let mut last_date = None;
            for ((y, mo, d, h, mi, sec), seps, pid, space, msg, cut, same_date, offset) in lines {
                let offset = chrono::FixedOffset::east_opt(offset).unwrap();
                // Often the date of the line before, as in a log.
                let (y, mo, d) = match last_date {
                    Some(date) if same_date => date,
                    _ => (y, mo, d),
                };
                last_date = Some((y, mo, d));
                let sep: Vec<char> = seps.chars().collect();
                let mut line = format!(
                    "[{y:04}{}{mo:02}{}{d:02}{}{h:02}{}{mi:02}{}{sec:02}]",
                    sep[0], sep[1], sep[2], sep[3], sep[4]
                );
                if let Some(p) = pid {
                    line.push_str(&format!("[PID:{p}]"));
                }
                line.push_str(space);
                line.push_str(msg);
                while cut < line.len() && !line.is_char_boundary(cut) {
                    line.pop();
                }
                if cut < line.len() {
                    line.truncate(cut);
                }
                let cx = Cx {
                    input: &line,
                    opts: &opts,
                    source: crate::source::Source::BkjobLog,
                    offset,
                };
                let text = || LineText {
                    text: Cow::Borrowed(line.as_str()),
                    invalid_escape: false,
                    html: false,
                    may_need_cleaning: false,
                };
                let show = |r: Result<LogEvent<'_>, Error>| match r {
                    Ok(e) => format!("{e:?}"),
                    Err(e) => format!("error: {e}"),
                };
                let mut cur = LineCursor::new("", 0, true, Context::default(), Notes::EMPTY);
                cur.day = day;
                let fast = show(prefixed_event(&cx, text(), 0, &mut cur, &mut 0, Notes::EMPTY));
                let mut raw_cur = LineCursor::new("", 0, true, Context::default(), Notes::EMPTY);
                raw_cur.day = day;
                let raw = show(prefixed_raw_event(&cx, &line, 0, &mut raw_cur, &mut 0));
                day = cur.day;
                let general =
                    show(prefixed_event_general(&cx, text(), 0, &cur, &mut 0, Notes::EMPTY));
                prop_assert_eq!(&fast, &general, "{:?}", line);
                prop_assert_eq!(&raw, &general, "{:?}", line);
            }
        }

        /// The word-at-a-time PID reader gives what a byte loop gives, on
        /// digit runs of any length followed by anything (a `]`, other
        /// ASCII, bytes of multi-byte characters, 0xfa and above), in
        /// inputs of any length.
        #[test]
        fn pid_digits_agree_with_byte_loop(
            digits in "[0-9]{0,12}",
            after in prop::collection::vec(prop_oneof![
                4 => Just(b']'), 1 => Just(b' '), 1 => Just(b'/'), 1 => Just(b':'),
                1 => Just(0xfa_u8), 1 => Just(0xff_u8), 1 => Just(0x80_u8), 1 => any::<u8>(),
            ], 0..10),
        ) {
            let mut d = digits.into_bytes();
            d.extend(after);
            let n = d.iter().take_while(|c| c.is_ascii_digit()).count();
            let want = (1..=9).contains(&n).then_some(()).and_then(|()| {
                (d.get(n) == Some(&b']'))
                    .then(|| (std::str::from_utf8(&d[..n]).unwrap().parse::<u32>().unwrap(), n))
            });
            prop_assert_eq!(pid_digits(&d), want, "{:?}", d);
        }

        /// The matches of `&lt; &gt; &amp;` without a search read every text
        /// as the general entity reader does, cut anywhere.
        #[test]
        fn fast_entities_agree_with_general(
            parts in prop::collection::vec(
                prop::sample::select(vec![
                    "&lt;", "&gt;", "&amp;", "&lt", "&gt", "&amp", "&lt ;", "&ampx;",
                    "&quot", "&qu", "&q;", "&lt;&gt;&amp;&quot;", "&gt;;;;;;;;", "&l t;",
                    "&#108;t;", "aaaaaaaa", "&ap;", "&a;", "&L;", "&lT;", "&,t;", "&\u{6c}",
                    "&quot;", "&apos;", "&#27;", "&#x1B;", "&#13;", "&#0;", "&nbsp;",
                    "&", ";", "l", "t", "a", "m", "p", "x", " ", "中",
                ]),
                0..12,
            ),
        ) {
            let text: String = parts.concat();
            let b = text.as_bytes();
            for at in memchr::memchr_iter(b'&', b) {
                let general = b.get(at + 1..).and_then(entity_general);
                prop_assert_eq!(entity(b, at), general, "text {:?} at {}", text, at);
            }
        }
    }
}
