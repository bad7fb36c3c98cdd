//! The fast path for a batch's `content`: the inner entries are read
//! straight from the outer JSON string, without decoding it first.
//!
//! `content` is the text of a JSON array encoded as a JSON string, so the
//! inner quote `"` is written `\"` and an inner backslash `\\`. This scanner
//! decodes those two outer escapes (and `\/`) on the fly while it tokenises
//! the inner array. A string value with no backslash at all is the same
//! text at both levels, so the event borrows it from the input: most
//! messages need no copy. Anything else — another outer escape (`\u4e2d`,
//! `\n`), a nested value, a number sent as a string, a state or time that
//! needs a note — makes it give up on the batch, and the careful path in
//! `batch.rs` (decode, then serde) reads the batch instead. On the entries it
//! accepts, it gives exactly the careful path's events (a property test
//! checks it).

use std::borrow::Cow;

use super::Doc;
use super::keys::{ENTRY_KEYS, Field};
use super::states;
use crate::event::{Context, EventKind, LogEvent, Scalar};
use crate::json;
use crate::note::{Note, Notes};
use crate::scan::{Finder, skip_string, skip_value, skip_ws};
use crate::source::Source;
use crate::status::Status;
use crate::time::utc;

/// A cursor over the outer string body that yields inner (decoded) bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
    /// Finds the next quote or backslash.
    stops: Finder<[u8; 2]>,
}

impl<'a> Cursor<'a> {
    fn new(b: &'a [u8]) -> Self {
        Cursor {
            b,
            i: 0,
            stops: Finder::new([b'"', b'\\']),
        }
    }

    /// The next inner byte and where it started, or `None` at the end or
    /// at an outer escape this path does not handle.
    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.i)?;
        if c != b'\\' {
            self.i += 1;
            return Some(c);
        }
        let d = match self.b.get(self.i + 1)? {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            _ => return None,
        };
        self.i += 2;
        Some(d)
    }

    /// The next inner byte without consuming it.
    #[inline]
    fn peek(&self) -> Option<u8> {
        match *self.b.get(self.i)? {
            b'\\' => match self.b.get(self.i + 1)? {
                b'"' => Some(b'"'),
                b'\\' => Some(b'\\'),
                b'/' => Some(b'/'),
                _ => None,
            },
            c => Some(c),
        }
    }

    /// Skips inner white space (one byte each: it has no outer escape).
    #[inline]
    fn skip_ws(&mut self) -> Option<()> {
        while matches!(self.b.get(self.i)?, b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
        Some(())
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// An inner string value whose opening quote was just read: the text,
    /// borrowed from the input when it holds no backslash at all.
    fn string(&mut self, body: &'a str) -> Option<Cow<'a, str>> {
        let start = self.i;
        let mut escaped = false;
        loop {
            // Plain bytes: neither quote nor backslash, at either level.
            // (The outer string was validated by the JSON parser, so it
            // holds no raw control character.)
            self.i += self.stops.find(self.b.get(self.i..)?)?;
            let at = self.i;
            match self.next()? {
                // An inner quote is written `\"`: the value ends here.
                b'"' if self.b.get(at) == Some(&b'\\') => {
                    let raw = body.get(start..at)?;
                    return if escaped {
                        decode(raw)
                    } else {
                        Some(Cow::Borrowed(raw))
                    };
                }
                // A raw quote would have ended the outer string.
                b'"' => return None,
                // An inner escape: its character follows.
                b'\\' => {
                    escaped = true;
                    self.next()?;
                }
                c if c < 0x20 => return None,
                _ => escaped = true,
            }
        }
    }

    /// A key and its colon: the field it names (`Some(None)` for another
    /// key). `None` gives up.
    #[inline]
    fn field_key(&mut self) -> Option<Option<Field>> {
        if let Some((field, len)) = self.b.get(self.i..).and_then(usual_key) {
            self.i += len;
            return Some(Some(field));
        }
        self.any_key()
    }

    /// A key and its colon, byte by byte: [`Cursor::field_key`] for the
    /// keys [`usual_key`] does not know.
    fn any_key(&mut self) -> Option<Option<Field>> {
        self.expect(b'"')?;
        // Keys are plain ASCII: read them straight off the bytes.
        let key_start = self.i;
        while self
            .b
            .get(self.i)
            .is_some_and(|x| x.is_ascii_alphanumeric() || *x == b'_')
        {
            self.i += 1;
        }
        let key = self.b.get(key_start..self.i)?;
        self.expect(b'"')?;
        self.skip_ws()?;
        self.expect(b':')?;
        Some(Field::of_key(key))
    }

    /// A scalar to skip (string, number, literal); `None` for anything else.
    fn skip_scalar(&mut self, body: &'a str) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.next()?;
                self.string(body).map(drop)
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                {
                    self.next()?;
                }
                Some(())
            }
            _ => None,
        }
    }
}

/// Decodes a value that had backslashes, both levels in one pass: the
/// outer escapes (`\"`, `\\`, `\/`, all this path lets through) and the
/// inner text's own escapes ([`json::nested_escape`]). `None` if an inner
/// escape is invalid (the careful path notes it).
fn decode(raw: &str) -> Option<Cow<'static, str>> {
    let (text, ok) = json::unescape_at(raw, json::backslashes(raw), |b, k| {
        Some(json::nested_escape(b, k))
    });
    ok.then(|| Cow::Owned(text.into_owned()))
}

/// The fields of one inner entry.
#[derive(Default)]
struct Entry<'a> {
    kind: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    time: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    progress: Option<u8>,
    /// The [`Field::bit`]s of the keys read.
    seen: u8,
}

/// A key as Go's encoder writes the entry's fields, colon included, at the
/// start of `rest` (`\"Message\":`, outer escapes and all): its field and
/// its length, as [`Cursor::any_key`] reads the same bytes; `None` leaves
/// anything else to that reader.
///
/// Kept for its figure: `valgrind --tool=callgrind target/release/cilog
/// --no-redact /work/big16/swr.json` counts 553.74 M instructions with it,
/// 648.48 M without it (every key through `any_key`: +17 %). A hand-written
/// variant (a `match` on the key's first letter, then `#[inline(always)]`
/// compares of constant length) counted 544.77 M, 1.6 % fewer: below 3 %,
/// so not worth a second spelling of the keys.
fn usual_key(rest: &[u8]) -> Option<(Field, usize)> {
    let after_quote = rest.strip_prefix(b"\\\"")?;
    ENTRY_KEYS.iter().find_map(|&(name, field)| {
        let tail = after_quote.strip_prefix(name.as_bytes())?;
        tail.starts_with(b"\\\":")
            .then_some((field, name.len() + 5))
    })
}

/// Reads the value of `field` (`None`: another key, whose scalar value is
/// skipped) into `e`; `None` gives up.
fn field<'a>(
    c: &mut Cursor<'a>,
    body: &'a str,
    field: Option<Field>,
    e: &mut Entry<'a>,
) -> Option<()> {
    let Some(field) = field else {
        return c.skip_scalar(body);
    };
    if e.seen & field.bit() != 0 {
        return None; // a duplicate key: the careful path reports it
    }
    e.seen |= field.bit();
    let slot = match field {
        Field::Type => &mut e.kind,
        Field::Message => &mut e.message,
        Field::Time => &mut e.time,
        Field::State => &mut e.state,
        Field::Progress => return progress(c, e),
    };
    match c.peek()? {
        b'n' => null(c),
        b'"' => {
            c.next()?;
            *slot = Some(c.string(body)?);
            Some(())
        }
        _ => None,
    }
}

/// Reads `null`.
fn null(c: &mut Cursor<'_>) -> Option<()> {
    for x in b"null" {
        c.expect(*x)?;
    }
    Some(())
}

/// Reads the `Progress` value into `e`: `null` or a whole number up to 100
/// (anything else gives up).
fn progress(c: &mut Cursor<'_>, e: &mut Entry<'_>) -> Option<()> {
    let first = c.peek()?;
    if first == b'n' {
        return null(c);
    }
    let mut v: u32 = 0;
    let mut digits = 0;
    while let Some(d @ b'0'..=b'9') = c.peek() {
        c.next()?;
        digits += 1;
        v = v * 10 + u32::from(d - b'0');
        if v > 100 {
            return None;
        }
    }
    // JSON forbids leading zeros: the careful path reports them.
    if digits == 0 || first == b'0' && digits > 1 {
        return None;
    }
    e.progress = Some(u8::try_from(v).ok()?);
    Some(())
}

/// The events of a batch whose content string body is `body`, or `None`
/// to have the careful path read it.
pub(super) fn batch<'a>(
    doc: &Doc<'_, '_>,
    body: &'a str,
    job: Option<&Cow<'a, str>>,
    mut seq: u64,
) -> Option<Vec<LogEvent<'a>>> {
    let mut c = Cursor::new(body.as_bytes());
    // About one `{` per entry: enough room for the events up front.
    let mut out = Vec::with_capacity(
        memchr::memchr_iter(b'{', c.b)
            .count()
            .min(doc.opts.max_entries),
    );

    c.skip_ws()?;
    c.expect(b'[')?;
    c.skip_ws()?;
    if c.peek()? == b']' {
        c.next()?;
    } else {
        loop {
            if out.len() >= doc.opts.max_entries {
                return None;
            }
            c.skip_ws()?;
            c.expect(b'{')?;
            let mut e = Entry::default();
            c.skip_ws()?;
            if c.peek()? == b'}' {
                c.next()?;
            } else {
                loop {
                    c.skip_ws()?;
                    let key = c.field_key()?;
                    c.skip_ws()?;
                    field(&mut c, body, key, &mut e)?;
                    c.skip_ws()?;
                    match c.next()? {
                        b',' => {}
                        b'}' => break,
                        _ => return None,
                    }
                }
            }
            usual_event(doc, e, job, seq, &mut out)?;
            seq += 1;
            c.skip_ws()?;
            match c.next()? {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
    }
    // Nothing but white space may follow the array.
    while c.i < c.b.len() {
        if !matches!(c.next()?, b' ' | b'\n' | b'\r' | b'\t') {
            return None;
        }
    }
    Some(out)
}

/// Pushes the event of an entry read by [`batch`] onto `out`, or returns
/// `None` (pushing nothing) when anything about it needs a note or an
/// error: the careful path then reads the batch again and decides. Both
/// give the same event for the entries this one accepts. The event is built
/// in the push itself: an event is large, and every move of it is a copy.
fn usual_event<'a>(
    doc: &Doc<'_, '_>,
    e: Entry<'a>,
    job: Option<&Cow<'a, str>>,
    seq: u64,
    out: &mut Vec<LogEvent<'a>>,
) -> Option<()> {
    let kind = match &e.kind {
        None => EventKind::Line,
        Some(t) if t.eq_ignore_ascii_case("phase") => EventKind::Phase,
        Some(t) if t.eq_ignore_ascii_case("content") => EventKind::Line,
        Some(_) => return None,
    };
    let message = e.message.unwrap_or(Cow::Borrowed(""));
    if crate::text::needs_cleaning(&message) && doc.opts.text != crate::options::TextMode::Raw
        || message.len() > doc.opts.max_line_len
    {
        return None;
    }
    let mut notes = Notes::EMPTY;
    let time = match &e.time {
        None => None,
        Some(t) if t.trim().is_empty() => None,
        Some(t) => Some(
            crate::time::parse_written(t)
                .and_then(|x| x.resolve(doc.opts.offset_or(utc())))
                .ok()?,
        ),
    };
    let (status, vendor) = match e.state {
        None => (None, None),
        Some(s) => match states::state(&s) {
            Some(row) => (Some(row.status), Some(Scalar::Str(s))),
            None if doc.opts.is_strict() && doc.opts.unknown_status_is_error => return None,
            None => {
                notes.insert(Note::UnknownStatus);
                (Some(Status::Unknown), Some(Scalar::Str(s)))
            }
        },
    };
    let progress = match e.progress {
        Some(v) if v > 100 => return None,
        v => v,
    };
    out.push(LogEvent {
        time,
        status,
        vendor_status: vendor,
        progress,
        ctx: Context {
            job: job.cloned(),
            ..Context::default()
        },
        notes,
        ..LogEvent::new(Source::SwrJobLog, kind, seq, message)
    });
    Some(())
}

/// A job log document read by [`skim`]: the raw text of each top-level
/// member, and of each batch's `content`.
pub(super) struct Skimmed<'a> {
    /// (key, raw value text) of the top-level members other than `log`.
    pub(super) fields: Vec<(&'a str, &'a str)>,
    /// The raw `content` text of each `log[i]`, if the member is there.
    pub(super) batches: Option<Vec<Option<&'a str>>>,
}

/// Reads the structure of a job log without the JSON parser's full pass
/// over the (large, escape-dense) `content` strings: it only finds where
/// each string ends, checking that it is well-formed JSON (valid escapes,
/// no raw control characters). Small members are left for the caller to
/// check with the parser. `None` for anything unusual — a key with an
/// escape, a duplicate `content`, a `log` element that is not an object —
/// and the caller parses the document with serde instead.
pub(super) fn skim(input: &str) -> Option<Skimmed<'_>> {
    let b = input.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    let mut fields = Vec::new();
    let mut batches = None;
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            let (key, after) = key(input, i)?;
            let vstart = skip_ws(b, after);
            if key == "log" {
                if batches.is_some() {
                    return None;
                }
                let (list, end) = log_array(input, vstart)?;
                batches = Some(list);
                i = end;
            } else {
                let end = skip_value(b, vstart, MAX_DEPTH)?;
                fields.push((key, input.get(vstart..end)?));
                i = end;
            }
            i = skip_ws(b, i);
            match b.get(i)? {
                b',' => i = skip_ws(b, i + 1),
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    if skip_ws(b, i) != b.len() {
        return None;
    }
    Some(Skimmed { fields, batches })
}

/// How deep an unknown member's value may nest before the skim gives up
/// (the careful path then reads the batch).
const MAX_DEPTH: usize = 64;

/// A key without escapes at `i` (its opening quote), then `:`; returns the
/// key and where its value starts.
fn key(input: &str, i: usize) -> Option<(&str, usize)> {
    let b = input.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let end = skip_string(b, i)?;
    let key = input.get(i + 1..end - 1)?;
    if key.contains('\\') {
        return None;
    }
    let colon = skip_ws(b, end);
    (b.get(colon) == Some(&b':')).then_some((key, colon + 1))
}

/// The `log` array: the raw `content` of each element object.
fn log_array(input: &str, i: usize) -> Option<(Vec<Option<&str>>, usize)> {
    let b = input.as_bytes();
    if b.get(i..i + 4) == Some(b"null") {
        return Some((Vec::new(), i + 4));
    }
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut list = Vec::new();
    let mut i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some((list, i + 1));
    }
    loop {
        if b.get(i) != Some(&b'{') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let mut content = None;
        if b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                let (k, after) = key(input, i)?;
                let vstart = skip_ws(b, after);
                let end = skip_value(b, vstart, MAX_DEPTH)?;
                // Strings were checked by the skip; the parser checks the rest.
                if b.get(vstart) != Some(&b'"') {
                    serde_json::from_str::<serde::de::IgnoredAny>(input.get(vstart..end)?).ok()?;
                }

                if k == "content" {
                    if content.is_some() {
                        return None;
                    }
                    content = Some(input.get(vstart..end)?).filter(|t| *t != "null");
                }
                i = skip_ws(b, end);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b'}' => {
                        i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        list.push(content);
        i = skip_ws(b, i);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b']' => return Some((list, i + 1)),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Where the usual-key shortcut takes a key, the byte-by-byte key
        /// reader takes the same key, with the same length, from the same
        /// bytes; keys near the usual ones, in other cases, with spaces,
        /// raw quotes, other escapes.
        #[test]
        fn usual_key_agrees_with_key_reader(
            open in prop_oneof![4 => Just("\\\""), 1 => Just("\""), 1 => Just("\\"), 1 => Just("")],
            name in prop_oneof![
                8 => prop_oneof![
                    Just("Type"), Just("Time"), Just("Message"), Just("State"), Just("Progress"),
                ],
                4 => prop_oneof![
                    Just("type"), Just("Types"), Just("Tim"), Just("Ty"), Just("T"), Just("Mess"),
                    Just("Messages"), Just("Stat"), Just("Progres"), Just("P_x"), Just("Sé"),
                    Just(""), Just("Extra"),
                ],
            ],
            close in prop_oneof![
                6 => Just("\\\":"), 1 => Just("\\\" :"), 1 => Just("\\\""), 1 => Just("\":"),
                1 => Just("\\\"\\\":"), 1 => Just(":"), 1 => Just("\\/\":"),
            ],
            tail in "[ :\"\\\\a1{]{0,3}",
        ) {
            let text = format!("{open}{name}{close}{tail}");
            let mut c = Cursor::new(text.as_bytes());
            if let Some((field, len)) = usual_key(text.as_bytes()) {
                prop_assert_eq!(c.any_key(), Some(Some(field)));
                prop_assert_eq!(c.i, len);
            }
        }
    }
}
