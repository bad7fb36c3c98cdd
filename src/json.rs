//! Shared JSON helpers for the JSON sources: loose scalars, error positions,
//! depth checks, and a zero-copy line splitter over a raw JSON string.
//!
//! Wire structs keep every scalar as `&RawValue` ([`Raw`]): that costs almost
//! nothing, gives the exact byte offset of each value for error messages, and
//! lets one place decide how "a number sent as a string" is read.

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::event::Scalar;

/// A JSON value kept as its raw text, read on demand.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raw<'a>(pub(crate) &'a RawValue);

/// A JSON object read into `T`, and only an object. Serde's derived
/// `Deserialize` for a struct also takes an array and fills the fields in
/// order, so `[[1]]` would read as an error body with code 1 and `[{..}]`
/// as a page: every wire struct is read through this instead.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Obj<T>(pub(crate) T);

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData)).map(Obj)
    }
}

/// At most 40 characters of a raw value, for error messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Keeps a value that could not be read as an attribute, as sent.
pub(crate) fn keep_raw<'b>(
    attrs: &mut Vec<(&'static str, Scalar<'b>)>,
    name: &'static str,
    raw: Raw<'b>,
) {
    let value = match raw.scalar() {
        Ok(Some(s)) => s,
        _ => Scalar::Str(Cow::Borrowed(raw.text())),
    };
    attrs.push((name, value));
}

/// The objects of an optional array, unwrapped (in place: `Obj<T>` and
/// `T` have the same layout, so the vector is reused).
pub(crate) fn objs<T>(v: Option<Vec<Obj<T>>>) -> Vec<T> {
    v.unwrap_or_default().into_iter().map(|Obj(t)| t).collect()
}

/// A JSON string that borrows from the input when it has no escape. (Serde
/// does not borrow a `Cow<str>` inside an `Option`; this does.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Text<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// Why a raw value could not be read as the wanted type.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WrongType;

impl<'a> Raw<'a> {
    pub(crate) fn text(self) -> &'a str {
        self.0.get()
    }

    /// Byte offset of this value inside `base`, if it lies there.
    pub(crate) fn offset_in(self, base: &str) -> Option<usize> {
        offset_in(self.text(), base)
    }

    /// The value as a vendor scalar, exactly as sent. `Ok(None)` for `null`;
    /// `Err` for objects and arrays.
    pub(crate) fn scalar(self) -> Result<Option<Scalar<'a>>, WrongType> {
        let t = self.text();
        match t.as_bytes().first() {
            Some(b'"') => Ok(Some(Scalar::Str(decode_str(t).ok_or(WrongType)?))),
            Some(b't') => Ok(Some(Scalar::Bool(true))),
            Some(b'f') => Ok(Some(Scalar::Bool(false))),
            Some(b'n') => Ok(None),
            Some(b'-' | b'0'..=b'9') => Ok(Some(number(t).ok_or(WrongType)?)),
            _ => Err(WrongType),
        }
    }

    /// [`int`](Raw::int) in `range`; the error is the detail of a message
    /// about field `name`.
    pub(crate) fn int_in(
        self,
        name: &str,
        range: &std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, String> {
        match self.int() {
            Ok(Some(v)) if range.contains(&v) => Ok(Some(v)),
            Ok(None) => Ok(None),
            _ => Err(format!(
                "`{name}` must be an integer in {}..={}, found {}",
                range.start(),
                range.end(),
                clip(self.text())
            )),
        }
    }

    /// An integer sent as a number or as a numeric string (`1408`, `"9"`,
    /// `" 9 "`, `9.0`). `Ok(None)` for `null` and for `""`.
    pub(crate) fn int(self) -> Result<Option<i64>, WrongType> {
        match self.scalar()? {
            None => Ok(None),
            Some(Scalar::Int(i)) => Ok(Some(i)),
            Some(Scalar::Float(f)) => float_to_int(f).map(Some).ok_or(WrongType),
            Some(Scalar::Str(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                if let Ok(i) = s.parse::<i64>() {
                    return Ok(Some(i));
                }
                s.parse::<f64>()
                    .ok()
                    .and_then(float_to_int)
                    .map(Some)
                    .ok_or(WrongType)
            }
            Some(Scalar::Bool(_)) => Err(WrongType),
        }
    }

    /// A boolean sent as `true`/`false`, `"true"`/`"false"` (any case), or
    /// `1`/`0`. `Ok(None)` for `null`.
    pub(crate) fn boolean(self) -> Result<Option<bool>, WrongType> {
        match self.scalar()? {
            None => Ok(None),
            Some(Scalar::Bool(b)) => Ok(Some(b)),
            Some(Scalar::Int(0)) => Ok(Some(false)),
            Some(Scalar::Int(1)) => Ok(Some(true)),
            Some(Scalar::Str(s)) => {
                let s = s.trim();
                if s.eq_ignore_ascii_case("true") || s == "1" {
                    Ok(Some(true))
                } else if s.eq_ignore_ascii_case("false") || s == "0" {
                    Ok(Some(false))
                } else {
                    Err(WrongType)
                }
            }
            Some(_) => Err(WrongType),
        }
    }

    /// Text of a string, or the literal text of a number or boolean (ids are
    /// sent both ways). `Ok(None)` for `null`.
    pub(crate) fn text_value(self) -> Result<Option<Cow<'a, str>>, WrongType> {
        let t = self.text();
        match t.as_bytes().first() {
            Some(b'"') => decode_str(t).map(Some).ok_or(WrongType),
            Some(b'n') => Ok(None),
            Some(b'-' | b'0'..=b'9' | b't' | b'f') => Ok(Some(Cow::Borrowed(t))),
            _ => Err(WrongType),
        }
    }
}

fn float_to_int(f: f64) -> Option<i64> {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(f as i64)
    } else {
        None
    }
}

/// A JSON number as an integer if it has no fraction or exponent and fits
/// `i64`, otherwise as a float.
fn number(t: &str) -> Option<Scalar<'static>> {
    if !t.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && let Ok(i) = t.parse::<i64>()
    {
        return Some(Scalar::Int(i));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Scalar::Float)
}

/// Byte offset of `part` inside `base`, if `part` is a sub-slice of it.
pub(crate) fn offset_in(part: &str, base: &str) -> Option<usize> {
    let p = part.as_ptr() as usize;
    let b = base.as_ptr() as usize;
    if p >= b && p.checked_add(part.len())? <= b.checked_add(base.len())? {
        Some(p - b)
    } else {
        None
    }
}

/// Decodes a raw JSON string literal (with its quotes). Borrows when there
/// is no escape. `None` if `raw` is not a string literal.
pub(crate) fn decode_str(raw: &str) -> Option<Cow<'_, str>> {
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    if memchr::memchr(b'\\', body.as_bytes()).is_none() {
        return Some(Cow::Borrowed(body));
    }
    let mut out = String::with_capacity(body.len());
    unescape_into(&mut out, body);
    Some(Cow::Owned(out))
}

/// Appends the decoded form of a JSON string body (no quotes) to `out`.
/// Returns `false` if an escape was invalid (it is replaced with U+FFFD or
/// kept as written); never panics.
pub(crate) fn unescape_into(out: &mut String, body: &str) -> bool {
    // Bytes are copied run by run with a plain loop: JSON-in-JSON (SWR
    // content) has an escape every few bytes, where a memchr call per
    // escape costs more than it saves.
    let b = body.as_bytes();
    let mut buf = std::mem::take(out).into_bytes();
    buf.reserve(b.len());
    let mut ok = true;
    let mut i = 0;
    loop {
        let start = i;
        while b.get(i).is_some_and(|&c| c != b'\\') {
            i += 1;
        }
        buf.extend_from_slice(b.get(start..i).unwrap_or_default());
        if i >= b.len() {
            break;
        }
        let simple = match b.get(i + 1) {
            Some(b'"') => Some(b'"'),
            Some(b'\\') => Some(b'\\'),
            Some(b'/') => Some(b'/'),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            _ => None,
        };
        if let Some(c) = simple {
            buf.push(c);
            i += 2;
        } else if b.get(i + 1) == Some(&b'u') {
            let (c, used, valid) = decode_u_escape(b, i);
            let mut tmp = [0u8; 4];
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
            ok &= valid;
            i += used;
        } else {
            // Invalid or dangling escape: keep the backslash as written.
            buf.push(b'\\');
            ok = false;
            i += 1;
        }
    }
    // Whole runs of a `&str` and encoded characters: always UTF-8.
    *out = String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    ok
}

/// Reads four hex digits at `pos`.
fn hex4(b: &[u8], pos: usize) -> Option<u32> {
    let s = b.get(pos..pos.checked_add(4)?)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Decodes `\uXXXX` (and a following low surrogate) at `at`: (char, bytes
/// used, valid).
fn decode_u_escape(b: &[u8], at: usize) -> (char, usize, bool) {
    let Some(hi) = hex4(b, at + 2) else {
        return ('\u{fffd}', 2, false);
    };
    if (0xD800..0xDC00).contains(&hi) {
        if b.get(at + 6) == Some(&b'\\')
            && b.get(at + 7) == Some(&b'u')
            && let Some(lo) = hex4(b, at + 8)
            && (0xDC00..0xE000).contains(&lo)
        {
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return (char::from_u32(c).unwrap_or('\u{fffd}'), 12, true);
        }
        return ('\u{fffd}', 6, false);
    }
    match char::from_u32(hi) {
        Some(c) => (c, 6, true),
        None => ('\u{fffd}', 6, false),
    }
}

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
    /// [`StringStops::skip_string_marking`] noted them) from the next line
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
    let mut out = String::with_capacity(raw.len());
    let ok = unescape_into(&mut out, raw);
    StrLine {
        text: Cow::Owned(out),
        terminated,
        invalid_escape: !ok,
    }
}

/// Converts a serde_json error about `input` into an [`Error`] with a
/// position and excerpt.
pub(crate) fn serde_error(err: &serde_json::Error, input: &[u8]) -> Error {
    use serde_json::error::Category;
    let kind = match err.classify() {
        Category::Syntax if err.to_string().starts_with("recursion limit exceeded") => {
            ErrorKind::Limit
        }
        Category::Syntax => ErrorKind::Syntax,

        Category::Eof => ErrorKind::Eof,
        Category::Data => ErrorKind::Schema,
        Category::Io => ErrorKind::Io,
    };
    let mut detail = err.to_string();
    if let Some(cut) = detail.rfind(" at line ") {
        detail.truncate(cut);
    }
    if err.line() == 0 {
        return Error::new(kind, detail);
    }
    let mut byte = byte_of_line_col(input, err.line(), err.column());
    if kind == ErrorKind::Eof {
        // serde_json points at the last byte it read; the input ends after it.
        byte = byte.saturating_add(1).min(input.len());
    }
    Error::at(kind, detail, input, byte)
}

/// The byte offset of serde_json's (1-based line, byte column) position,
/// where column 0 means "before the first byte of the line".
fn byte_of_line_col(input: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    if line > 1 {
        match memchr::memchr_iter(b'\n', input).nth(line - 2) {
            Some(nl) => start = nl + 1,
            None => return input.len(),
        }
    }
    start
        .saturating_add(column.saturating_sub(1))
        .min(input.len())
}

/// Finds where JSON nesting first goes deeper than `max`, skipping strings.
/// Returns the byte offset of the opening bracket that is one too deep.
pub(crate) fn depth_exceeded(input: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = input.get(i) {
        match c {
            b'"' => {
                // Skip the string: find the closing quote not escaped.
                let mut j = i + 1;
                loop {
                    let rest = input.get(j..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(k) if rest.get(k) == Some(&b'\\') => j += k + 2,
                        Some(k) => {
                            j += k + 1;
                            break;
                        }
                        None => return None,
                    }
                }
                i = j;
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The JSON parser's own nesting guard.
const PARSER_DEPTH: usize = 128;

/// Returns a depth error if `input` nests deeper than `max`. At the
/// parser's own limit (128, the default) there is nothing to add: the
/// parser enforces it while reading, so the extra pass is skipped.
pub(crate) fn check_depth(input: &[u8], max: usize) -> Result<(), Error> {
    if max >= PARSER_DEPTH {
        return Ok(());
    }
    match depth_exceeded(input, max) {
        Some(at) => Err(Error::at(
            ErrorKind::Limit,
            format!("JSON nests deeper than the max_depth option ({max})"),
            input,
            at,
        )),
        None => Ok(()),
    }
}

/// A JSON input as text: borrowed when it was valid UTF-8, else a lossy copy
/// (lenient mode only).
pub(crate) enum Utf8Input<'a> {
    Str(&'a str),
    Lossy(String),
}

/// Strips a UTF-8 byte-order mark and checks UTF-8. Invalid UTF-8 is an
/// error in strict mode and a lossy copy in lenient mode (the caller notes
/// [`Note::InvalidUtf8`](crate::Note::InvalidUtf8) on every event).
pub(crate) fn utf8_input<'a>(input: &'a [u8], strict: bool) -> Result<Utf8Input<'a>, Error> {
    let body = crate::detect::strip_bom(input);
    let bom = input.len() - body.len();
    match crate::text::utf8(body) {
        Ok(s) => Ok(Utf8Input::Str(s)),
        Err(e) if strict => Err(Error::at(
            ErrorKind::Utf8,
            "input is not valid UTF-8",
            input,
            bom + e.valid_up_to(),
        )),
        Err(_) => Ok(Utf8Input::Lossy(String::from_utf8_lossy(body).into_owned())),
    }
}

/// The decoded length of a JSON string body, in UTF-8 bytes and in
/// characters, without decoding it into a new string.
pub(crate) fn decoded_len(body: &str) -> (usize, usize) {
    let b = body.as_bytes();
    let (mut bytes, mut chars) = (0usize, 0usize);
    let mut i = 0;
    while i < b.len() {
        let Some(rel) = memchr::memchr(b'\\', b.get(i..).unwrap_or_default()) else {
            let run = b.get(i..).unwrap_or_default();
            bytes += run.len();
            chars += run.iter().filter(|&&c| (c & 0xC0) != 0x80).count();
            break;
        };
        let run = b.get(i..i + rel).unwrap_or_default();
        bytes += run.len();
        chars += run.iter().filter(|&&c| (c & 0xC0) != 0x80).count();
        let at = i + rel;
        match b.get(at + 1) {
            Some(b'u') => {
                let (c, used, _) = decode_u_escape(b, at);
                bytes += c.len_utf8();
                chars += 1;
                i = at + used;
            }
            Some(_) => {
                bytes += 1;
                chars += 1;
                i = at + 2;
            }
            None => {
                bytes += 1;
                chars += 1;
                i = at + 1;
            }
        }
    }
    (bytes, chars)
}

/// Maps a byte offset in `String::from_utf8_lossy(original)` back to the
/// offset in `original` (each invalid sequence became a 3-byte U+FFFD).
pub(crate) fn original_offset(original: &[u8], lossy_at: usize) -> usize {
    let (mut orig, mut lossy) = (0usize, 0usize);
    let mut rest = original;
    while lossy < lossy_at {
        match std::str::from_utf8(rest) {
            Ok(_) => return (orig + (lossy_at - lossy)).min(original.len()),
            Err(e) => {
                let valid = e.valid_up_to();
                if lossy + valid >= lossy_at {
                    return orig + (lossy_at - lossy);
                }
                let bad = e.error_len().unwrap_or(rest.len() - valid);
                orig += valid + bad;
                lossy += valid + 3;
                rest = rest.get(valid + bad..).unwrap_or_default();
            }
        }
    }
    orig.min(original.len())
}

/// Re-anchors an error found in the text [`utf8_input`] made of `input`
/// (after its byte-order mark, and lossily decoded if it was not UTF-8)
/// onto `input` itself.
pub(crate) fn anchor(e: Error, input: &[u8]) -> Error {
    let Some(p) = e.position() else { return e };
    let body = crate::detect::strip_bom(input);
    let bom = input.len() - body.len();
    let at = if crate::text::utf8(body).is_ok() {
        if bom == 0 {
            return e;
        }
        p.byte
    } else {
        original_offset(body, p.byte)
    };
    e.reposition(input, bom + at)
}

/// A truncated JSON document made whole again (lenient mode only).
#[derive(Debug, PartialEq)]
pub(crate) struct Completion {
    /// The readable document: the input up to `cut`, then the closers.
    pub(crate) text: String,
    /// Where the input stopped being used: the text from here on is the
    /// cut-off part, kept raw by the caller.
    pub(crate) cut: usize,
    /// Whether the cut fell inside a long string value that was kept and
    /// closed (a log text cut short), instead of being dropped.
    pub(crate) partial_string: bool,
}

/// A string value longer than this (raw bytes so far) is kept when the
/// input ends inside it: it is log text, and its complete lines are worth
/// having. Shorter ones (ids, states, times) are dropped rather than kept
/// cut short, which would be a silently wrong value.
const KEEP_PARTIAL_STRING: usize = 64;

/// Completes a JSON document that ends early: cuts it at the last point
/// where every open container can be closed (after a complete value, or
/// inside a long string value), and closes them. `None` when there is
/// nothing to complete (the document is whole, empty, or not JSON-shaped).
pub(crate) fn complete_truncated(input: &str) -> Option<Completion> {
    let b = input.as_bytes();
    // Stack of open containers: b'{' or b'['; for objects, whether a key is
    // expected next (after `{` or `,`).
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut safe: Option<(usize, usize)> = None; // (cut, depth)
    let mut i = skip_ws(b, 0);
    if !matches!(b.get(i), Some(b'{' | b'[')) {
        return None;
    }
    while i < b.len() {
        let c = *b.get(i)?;
        match c {
            b'{' | b'[' => {
                if stack.len() >= 128 {
                    break;
                }
                stack.push((c, c == b'{'));
                i += 1;
                safe = Some((i, stack.len()));
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
                if stack.is_empty() {
                    return None; // the document is complete
                }
                safe = Some((i, stack.len()));
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = top.0 == b'{';
                }
                i += 1;
            }
            b':' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = false;
                }
                i += 1;
            }
            b'"' => {
                let is_key = stack.last().is_some_and(|t| t.0 == b'{' && t.1);
                let start = i;
                let mut j = i + 1;
                let end = loop {
                    let rest = b.get(j..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(k) if rest.get(k) == Some(&b'\\') => j += k + 2,
                        Some(k) => break Some(j + k + 1),
                        None => break None,
                    }
                };
                match end {
                    Some(e) => {
                        i = e;
                        if !is_key {
                            safe = Some((i, stack.len()));
                        }
                    }
                    None => {
                        // The input ends inside this string.
                        if !is_key && b.len() - start > KEEP_PARTIAL_STRING {
                            let body = input.get(start + 1..)?;
                            let keep = start + 1 + complete_escapes(body);
                            let mut text = String::with_capacity(keep + stack.len() + 1);
                            text.push_str(input.get(..keep)?);
                            text.push('"');
                            close(&mut text, &stack);
                            return Some(Completion {
                                text,
                                cut: b.len(),
                                partial_string: true,
                            });
                        }
                        break;
                    }
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                // A number or literal: complete only if a delimiter follows.
                let mut j = i;
                while b.get(j).is_some_and(|&x| {
                    !matches!(x, b',' | b'}' | b']' | b':') && !x.is_ascii_whitespace()
                }) {
                    j += 1;
                }
                if j >= b.len() {
                    break;
                }
                i = j;
                safe = Some((i, stack.len()));
            }
        }
    }
    let (cut, depth) = safe?;
    let mut text = String::with_capacity(cut + depth);
    text.push_str(input.get(..cut)?);
    close(&mut text, stack.get(..depth).unwrap_or_default());
    Some(Completion {
        text,
        cut,
        partial_string: false,
    })
}

/// Appends the closers of `stack`, innermost first.
fn close(text: &mut String, stack: &[(u8, bool)]) {
    for (c, _) in stack.iter().rev() {
        text.push(if *c == b'{' { '}' } else { ']' });
    }
}

/// The length of `body` (a string body cut short) without a trailing
/// incomplete escape (`\`, `\u`, `\u12`, or a lone high surrogate escape).
fn complete_escapes(body: &str) -> usize {
    let b = body.as_bytes();
    let mut i = 0;
    let mut last_ok = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'\\') {
            match b.get(i + 1) {
                None => break,
                Some(b'u') => {
                    let Some(v) = hex4(b, i + 2) else { break };
                    if (0xD800..0xDC00).contains(&v) {
                        // A high surrogate needs its low half.
                        if hex4(b, i + 8).is_none() || b.get(i + 6) != Some(&b'\\') {
                            break;
                        }
                        i += 12;
                    } else {
                        i += 6;
                    }
                }
                Some(_) => i += 2,
            }
            last_ok = i.min(b.len());
        } else {
            let rest = b.get(i..).unwrap_or_default();
            let next = memchr::memchr(b'\\', rest).map_or(b.len(), |k| i + k);
            i = next;
            last_ok = i;
        }
    }
    last_ok
}

/// Index of the first byte at or after `i` that is not JSON white space.
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of the JSON value at `i`, nested at most `max_depth` deep; `None`
/// for a malformed or deeper value. Strings are checked; numbers and
/// literals are only delimited (the caller has the parser check the value).
pub(crate) fn skip_value(b: &[u8], i: usize, max_depth: usize) -> Option<usize> {
    skip_value_at(b, i, max_depth)
}

fn skip_value_at(b: &[u8], i: usize, depth_left: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        open @ (b'{' | b'[') => {
            let depth_left = depth_left.checked_sub(1)?;
            let close = if *open == b'{' { b'}' } else { b']' };
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if *open == b'{' {
                    if b.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = skip_ws(b, skip_string(b, j)?);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(b, j + 1);
                }
                j = skip_ws(b, skip_value_at(b, j, depth_left)?);
                match b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    c if *c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Maps a byte offset in the decoded form of a JSON string body back to the
/// offset in the body as written (escapes widen text).
pub(crate) fn raw_offset_of_decoded(body: &str, decoded: usize) -> usize {
    let b = body.as_bytes();
    let (mut raw, mut out) = (0usize, 0usize);
    while out < decoded && raw < b.len() {
        if b.get(raw) == Some(&b'\\') {
            match b.get(raw + 1) {
                Some(b'u') => {
                    let (c, used, _) = decode_u_escape(b, raw);
                    raw += used;
                    out += c.len_utf8();
                }
                Some(_) => {
                    raw += 2;
                    out += 1;
                }
                None => raw += 1,
            }
        } else {
            raw += 1;
            out += 1;
        }
    }
    raw.min(b.len())
}

/// Low seven bits of each byte of a word.
pub(crate) const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// The high bit of each byte of a word.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;
/// One in each byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit set exactly on the bytes of `w` that are a backslash, on
/// those that are a quote, and on those that are not control characters.
/// `(x & LOW7) + LOW7 | x` has the high bit of each byte set exactly where
/// the byte is not zero, and `(x & LOW7) + 0x60 | x` where it is not below
/// 0x20; no carry crosses a byte, each sum being below 0x100. The two bytes
/// sought are below 0x80, so the `^` that zeroes them commutes with `& LOW7`.
#[inline]
pub(crate) fn classify(w: u64) -> (u64, u64, u64) {
    let low = w & LOW7;
    let backslash = !(((low ^ (ONES * u64::from(b'\\'))) + LOW7) | w) & HIGH;
    let quote = !(((low ^ (ONES * u64::from(b'"'))) + LOW7) | w) & HIGH;
    let text = ((low + ONES * 0x60) | w) & HIGH;
    (backslash, quote, text)
}

/// The high bits of a mask from [`classify`], one bit per byte:
/// byte `k` of the word gives bit `k`. The multiplier is the sum of
/// `2^(7j)` for `j` in 0..8: bit `8k + 7` times `2^(7(7 - k))` lands on bit
/// `56 + k`, and the products are distinct powers of two, so nothing
/// carries.
#[inline]
pub(crate) fn gather(high: u64) -> u64 {
    high.wrapping_mul(0x0002_0408_1020_4081) >> 56
}

/// The eight words of a 64-byte block.
#[inline]
pub(crate) fn words(block: &[u8]) -> impl Iterator<Item = u64> + '_ {
    block
        .chunks_exact(8)
        .filter_map(|c| <[u8; 8]>::try_from(c).ok())
        .map(u64::from_le_bytes)
}

/// The bytes of a block that are escaped (follow an odd run of
/// backslashes), given the block's backslashes; `carry` says whether the
/// block's first byte is escaped, and is set for the next block. The
/// branch-free odd-run method of simdjson (Langdale & Lemire, "Parsing
/// gigabytes of JSON per second", 2019).
#[inline]
pub(crate) fn escaped_bytes(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslash = backslash & !*carry;
    let follows = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows;
    let (sequences_on_even, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    (EVEN ^ (sequences_on_even << 1)) & follows
}

/// Checks the escapes in `block_start + bit` for each bit of `chars`: the
/// escaped characters other than `"` and `\` (the backslash is one byte
/// before each).
#[inline]
pub(crate) fn check_rare_escapes(b: &[u8], block_start: usize, mut chars: u64) -> Option<()> {
    while chars != 0 {
        let k = block_start + chars.trailing_zeros() as usize;
        escape_len(b, k.checked_sub(1)?)?;
        chars &= chars - 1;
    }
    Some(())
}

/// Marks member `bit` as read; `None` if it was already (serde's derive
/// refuses a duplicate field). For the hand-written skims.
pub(crate) fn once(seen: &mut u32, bit: u32) -> Option<()> {
    if *seen & (1 << bit) != 0 {
        return None;
    }
    *seen |= 1 << bit;
    Some(())
}

/// What the hand-written skims (CodeArts pages, BlueKing logs) share: a
/// document and the position of the next byte to read, and the walk over an
/// object's members. Anything unusual gives `None`, and the caller hands the
/// document to serde.
pub(crate) trait Skimmer<'a>: Sized {
    /// The document.
    fn text(&self) -> &'a str;
    /// The position of the next byte to read.
    fn at(&mut self) -> &mut usize;

    /// Skips white space.
    fn ws(&mut self) {
        let b = self.text().as_bytes();
        let i = *self.at();
        *self.at() = skip_ws(b, i);
    }

    /// Reads `null` if it is next (serde reads an `Option` member sent as
    /// `null` as `None`).
    fn null(&mut self) -> bool {
        let b = self.text().as_bytes();
        let i = *self.at();
        let found = b.get(i..i + 4) == Some(b"null");
        if found {
            *self.at() = i + 4;
        }
        found
    }

    /// An object next: `member` is called with each key (no escapes) and the
    /// position at its value, which it must read.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        let s = self.text();
        let b = s.as_bytes();
        if b.get(*self.at()) != Some(&b'{') {
            return None;
        }
        *self.at() += 1;
        self.ws();
        if b.get(*self.at()) == Some(&b'}') {
            *self.at() += 1;
            return Some(());
        }
        loop {
            let i = *self.at();
            if b.get(i) != Some(&b'"') {
                return None;
            }
            let end = skip_short_string(b, i)?;
            let key = s.get(i + 1..end.checked_sub(1)?)?;
            if key.contains('\\') {
                return None;
            }
            let colon = skip_ws(b, end);
            if b.get(colon) != Some(&b':') {
                return None;
            }
            *self.at() = colon + 1;
            self.ws();
            member(self, key)?;
            self.ws();
            match b.get(*self.at())? {
                b',' => {
                    *self.at() += 1;
                    self.ws();
                }
                b'}' => {
                    *self.at() += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }
}

/// [`skip_string`] for a string that is likely short and plain (a key, an
/// id): byte by byte to the first quote; a string with an escape or a
/// control character, or longer than a few words, is left to
/// [`skip_string`] from its start. Same result on every input.
#[inline]
pub(crate) fn skip_short_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while let Some(&c) = b.get(j) {
        if c == b'"' {
            return Some(j + 1);
        }
        if c == b'\\' || c < 0x20 || j - i > 48 {
            break;
        }
        j += 1;
    }
    skip_string(b, i)
}

/// The end of the JSON string opening at `i`, if it is well formed.
///
/// Sixty-four bytes at a time: eight-byte words give one bit per backslash
/// and per quote, the escaped bytes follow from those without a branch, the
/// first quote not escaped ends the string; control characters are only
/// located in a block that has one. Only escapes other than `\"` and `\\`
/// are looked at one by one, and the last bytes. A content string is long
/// and dense in escapes (every inner quote is `\"`), so this is most of the
/// skim's work, and a byte-at-a-time loop's branches on them were most of
/// its time.
pub(crate) fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut carry = 0;
    while let Some(block) = b.get(j..j + 64) {
        let (mut backslash, mut quote, mut text) = (0, 0, HIGH);
        for (k, w) in words(block).enumerate() {
            let (bs, q, t) = classify(w);
            backslash |= gather(bs) << (8 * k);
            quote |= gather(q) << (8 * k);
            text &= t;
        }
        let escaped = escaped_bytes(backslash, &mut carry);
        let ends = quote & !escaped;
        let before = if ends == 0 {
            u64::MAX
        } else {
            (ends & ends.wrapping_neg()) - 1
        };
        if text != HIGH {
            // A control character in this block: is it in the string?
            let control = words(block)
                .enumerate()
                .fold(0, |m, (k, w)| m | gather(!classify(w).2 & HIGH) << (8 * k));
            if control & before != 0 {
                return None;
            }
        }
        check_rare_escapes(b, j, escaped & before & !(backslash | quote))?;
        if ends != 0 {
            return Some(j + ends.trailing_zeros() as usize + 1);
        }
        j += 64;
    }
    // The last bytes, one by one; an escape may have begun in the last block.
    if carry != 0 {
        let k = j.checked_sub(1)?;
        j = k + escape_len(b, k)?;
    }
    loop {
        match b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += escape_len(b, j)?,
            c if *c < 0x20 => return None,
            _ => j += 1,
        }
    }
}

/// A searcher for the next quote, backslash or `&`, made once per
/// document: `memchr3` itself picks its vector code on every call, which
/// costs more than the search itself between two escapes of a log (about
/// one `\n` a line).
pub(crate) struct StringStops {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::Three>,
}

impl StringStops {
    pub(crate) fn new() -> StringStops {
        StringStops {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::Three::new(b'"', b'\\', b'&'),
        }
    }

    /// The next quote, backslash or `&` (the start of an HTML entity, which
    /// the lines of a BlueKing log may need decoded).
    #[inline]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(three) = &self.avx2 {
            return three.find(haystack);
        }
        memchr::memchr3(b'"', b'\\', b'&', haystack)
    }

    /// [`StringStops::skip_string_marking`] noting nothing, for the tests.
    #[cfg(test)]
    pub(crate) fn skip_string(&self, b: &[u8], i: usize) -> Option<usize> {
        self.skip_string_marking(b, i, &mut Vec::new(), 0)
    }

    /// [`skip_string`] for long strings with sparse escapes, as BlueKing's
    /// `log_content`: the next quote, backslash or `&` is found with vector
    /// code, each escape is checked, and once the end is found the body is
    /// checked for control characters in one pass the compiler
    /// vectorizes. Same result as [`skip_string`] on every input.
    ///
    /// It also appends to `marks` the position of every escape's backslash
    /// and of every `&`, in order, while `marks` holds fewer than `cap` —
    /// the stops it visits anyway, so that a second pass over the string
    /// (its lines) need not search. `b` must be shorter than `u32::MAX`
    /// when `cap` is not 0. Only the positions of a string it accepts are
    /// meaningful.
    #[inline(never)]
    pub(crate) fn skip_string_marking(
        &self,
        b: &[u8],
        i: usize,
        marks: &mut Vec<u32>,
        cap: usize,
    ) -> Option<usize> {
        let mut j = i + 1;
        loop {
            let k = j + self.find(b.get(j..)?)?;
            let c = *b.get(k)?;
            if c == b'"' {
                let body = b.get(i + 1..k)?;
                return (!has_control(body)).then_some(k + 1);
            }
            if marks.len() < cap {
                marks.push(k as u32);
            }
            // `\n`, the escape of every line, checked here; the others by
            // `escape_len`.
            j = k + match (c, b.get(k + 1)) {
                (b'&', _) => 1,
                (_, Some(b'n')) => 2,
                _ => escape_len(b, k)?,
            };
        }
    }
}

/// Whether `s` has a control character (below 0x20), 64 bytes at a time
/// without a branch inside a block.
fn has_control(s: &[u8]) -> bool {
    s.chunks(64)
        .any(|block| block.iter().fold(0u8, |m, &c| m | u8::from(c < 0x20)) != 0)
}

/// The length of the valid escape at `k` (a backslash), `None` if invalid.
pub(crate) fn escape_len(b: &[u8], k: usize) -> Option<usize> {
    match b.get(k + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' if b.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => Some(6),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The end of the JSON string opening at `i`, byte by byte: the
    /// reference for [`skip_string`].
    fn skip_string_bytewise(b: &[u8], i: usize) -> Option<usize> {
        let mut j = i + 1;
        loop {
            match *b.get(j)? {
                b'"' => return Some(j + 1),
                b'\\' => {
                    j += match *b.get(j + 1)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                        b'u' if b.get(j + 2..j + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => j += 1,
            }
        }
    }

    /// The string skip agrees with the byte loop with two events — a
    /// control character, an escape of any kind, good or bad, a raw quote,
    /// a run of backslashes — at every offset of the first blocks, at
    /// gaps around a block's length: every block edge case, exhaustively.
    #[test]
    fn string_skip_agrees_with_byte_loop_at_every_offset() {
        let events: [&[u8]; 12] = [
            b"\x1f",
            b"\x00",
            b"\\n",
            b"\\u00e9",
            b"\\u00g9",
            b"\\x",
            b"\\\"",
            b"\\\\",
            b"\\\\\\",
            b"\\\\\\\"",
            b"\"",
            b"\\/",
        ];
        for at in 0..140 {
            for first in events {
                for second in events {
                    for gap in [0, 1, 2, 5, 61, 62, 63, 64, 65] {
                        let mut bytes = vec![b'"'];
                        bytes.resize(1 + at, b'a');
                        bytes.extend(first);
                        bytes.resize(bytes.len() + gap, b'b');
                        bytes.extend(second);
                        bytes.extend_from_slice(b"cc\"");
                        assert_eq!(
                            StringStops::new().skip_string(&bytes, 0),
                            skip_string_bytewise(&bytes, 0),
                            "{}",
                            String::from_utf8_lossy(&bytes)
                        );
                        assert_eq!(
                            skip_string(&bytes, 0),
                            skip_string_bytewise(&bytes, 0),
                            "{}",
                            String::from_utf8_lossy(&bytes)
                        );
                        assert_eq!(
                            skip_short_string(&bytes, 0),
                            skip_string_bytewise(&bytes, 0),
                            "{}",
                            String::from_utf8_lossy(&bytes)
                        );
                    }
                }
            }
        }
    }

    proptest! {
        /// The word-at-a-time string skip gives the same end (or the same
        /// refusal) as a plain byte loop over the JSON string grammar, on
        /// bytes dense in quotes, backslashes, escape letters, hex digits
        /// and control characters, from any start.
        #[test]
        fn string_skip_agrees_with_byte_loop(
            bytes in prop::collection::vec(prop_oneof![
                4 => Just(b'"'), 6 => Just(b'\\'), 1 => Just(b'/'), 1 => Just(b'u'),
                1 => Just(b'n'), 1 => Just(b'x'), 1 => Just(b'0'), 1 => Just(b'F'),
                1 => Just(0x1f_u8), 1 => Just(0x20_u8), 1 => Just(0x7f_u8),
                1 => Just(0x80_u8), 1 => Just(0x00_u8), 1 => Just(b'#'), 1 => Just(b']'),
                4 => any::<u8>(),
            ], 0..48),
            from in 0usize..8,
        ) {
            prop_assert_eq!(skip_string(&bytes, from), skip_string_bytewise(&bytes, from));
            prop_assert_eq!(StringStops::new().skip_string(&bytes, from), skip_string_bytewise(&bytes, from));
            prop_assert_eq!(skip_short_string(&bytes, from), skip_string_bytewise(&bytes, from));
        }

        /// The same on string bodies made of pieces, most longer than a
        /// block: long plain runs, valid escapes of every kind, and now and then a
        /// broken escape, a control character or a raw quote.
        #[test]
        fn string_skip_agrees_with_byte_loop_on_pieces(
            pieces in prop::collection::vec(prop_oneof![
                6 => "[ -!#-\\[\\]-~]{0,12}".prop_map(String::into_bytes),
                1 => "[ -!#-\\[\\]-~]{40,140}".prop_map(String::into_bytes),
                3 => Just(b"\\\"".to_vec()),
                3 => Just(b"\\\\".to_vec()),
                2 => Just(b"\\\\u003e".to_vec()),
                1 => Just(b"\\u00e9".to_vec()),
                1 => Just(b"\\n\\/\\t\\b\\f\\r".to_vec()),
                1 => "\\PC{1,3}".prop_map(String::into_bytes),
                1 => prop_oneof![
                    Just(b"\\u12".to_vec()), Just(b"\\x".to_vec()), Just(b"\\uZZZZ".to_vec()),
                    Just(vec![0x1f]), Just(vec![b'\\']), Just(vec![b'"']), Just(vec![0x00]),
                ],
            ], 0..64),
            close in any::<bool>(),
            from in 0usize..3,
        ) {
            let mut bytes = vec![b'"'];
            bytes.extend(pieces.concat());
            if close {
                bytes.extend_from_slice(b"\",\"x\"");
            }
            prop_assert_eq!(skip_string(&bytes, from), skip_string_bytewise(&bytes, from));
            prop_assert_eq!(StringStops::new().skip_string(&bytes, from), skip_string_bytewise(&bytes, from));
            prop_assert_eq!(skip_short_string(&bytes, from), skip_string_bytewise(&bytes, from));
        }

        /// Lines split at the escapes the string skip noted are the lines a
        /// search finds ([`StrLines::next`]), with the same text, breaks,
        /// escape flags and positions, for two strings noted in one list:
        /// `\n` and `\u000a` breaks, escaped backslashes before an `n`,
        /// lone and paired surrogates, `\r`, other escapes, a last line
        /// with or without a break, empty strings.
        #[test]
        fn marked_lines_agree_with_searched_lines(
            strings in prop::array::uniform2(prop::collection::vec(prop_oneof![
                4 => "[ -!#-\\[\\]-~]{0,12}",
                1 => "[ -!#-\\[\\]-~]{40,140}",
                1 => Just("é中&lt;".to_owned()),
                1 => Just("&".to_owned()),
                1 => Just("&amp;&#13;".to_owned()),
                6 => Just(r"\n".to_owned()),
                2 => Just(r"\u000a".to_owned()),
                1 => Just(r"\u000A".to_owned()),
                1 => Just(r"\u000b".to_owned()),
                2 => Just(r"\\n".to_owned()),
                1 => Just(r"\\".to_owned()),
                2 => Just(r#"\""#.to_owned()),
                2 => Just(r"\r".to_owned()),
                1 => Just(r"\t\b\f\/".to_owned()),
                1 => Just(r"\u00e9".to_owned()),
                1 => Just(r"\u000d".to_owned()),
                1 => Just(r"\ud83d\ude00".to_owned()),
                1 => Just(r"\ud800".to_owned()),
                1 => Just(r"\udc00x".to_owned()),
                1 => Just(r"\ud800\u000a".to_owned()),
            ], 0..24)),
            lead in "[ a-z:{]{0,5}",
        ) {
            let bodies: Vec<String> = strings.iter().map(|p| p.concat()).collect();
            let doc = format!("{lead}\"{}\",\"{}\"", bodies[0], bodies[1]);
            let b = doc.as_bytes();
            let stops = StringStops::new();
            let mut marks = Vec::new();
            // Both strings noted first, as the skim does before any line
            // is read: a string's lines see the list up to its own end.
            let mut spans = Vec::new();
            let mut at = lead.len();
            for body in &bodies {
                let start = marks.len();
                let end = stops.skip_string_marking(b, at, &mut marks, usize::MAX);
                prop_assert_eq!(end, Some(at + body.len() + 2), "{}", doc);
                spans.push((at + 1, start, marks.len()));
                at += body.len() + 3;
            }
            for (body, &(base, start, end)) in bodies.iter().zip(&spans) {
                let span = &marks[..end];
                let (mut searched, mut marked) = (StrLines::new(body), StrLines::new(body));
                let mut mark = start;
                loop {
                    let (p1, p2) = (searched.position(), marked.position());
                    let split = marked.clone().split_marked(span, &mut mark.clone(), base);
                    let (l1, l2) = (searched.next(), marked.next_marked(span, &mut mark, base));
                    prop_assert_eq!(p1, p2, "{}", body);
                    prop_assert_eq!(&l1, &l2, "{}", body);
                    let (Some(l1), Some(split)) = (l1, split) else {
                        break;
                    };
                    // What the split says is in the line is there.
                    let raw = &body[split.start..split.end];
                    let has = |f| split.has & f != 0;
                    prop_assert_eq!(has(MarkedLine::ESCAPED), matches!(l1.text, Cow::Owned(_)));
                    prop_assert_eq!(has(MarkedLine::AMP), raw.contains('&'));
                    prop_assert_eq!(
                        has(MarkedLine::UNICODE),
                        (0..raw.len()).any(|k| raw.as_bytes()[k..].starts_with(b"\\u")
                            && raw.as_bytes()[..k].iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 0)
                    );
                    // And its own marks are the ones inside it.
                    let inside: Vec<u32> = span[split.first..split.last].to_vec();
                    let want: Vec<u32> = span[start..end]
                        .iter()
                        .copied()
                        .filter(|&m| (base + split.start..base + split.end).contains(&(m as usize)))
                        .collect();
                    prop_assert_eq!(inside, want);
                }
                prop_assert_eq!(mark, end);
            }
            // Every backslash that starts an escape and every `&`, and
            // nothing else.
            let mut want = Vec::new();
            let mut k = 0;
            while k < b.len() {
                if b[k] == b'\\' || b[k] == b'&' {
                    want.push(u32::try_from(k).unwrap());
                    k += usize::from(b[k] == b'\\');
                }
                k += 1;
            }
            prop_assert_eq!(marks, want);
        }

        /// The word masks flag exactly the backslashes, the quotes and the
        /// control characters of a word, one bit per byte once gathered.
        #[test]
        fn word_masks_flag_exactly_their_bytes(w in prop::array::uniform8(prop_oneof![
            Just(b'"'), Just(b'\\'), Just(0x1f_u8), Just(0x20_u8), Just(0x21_u8), Just(b'#'),
            Just(b']'), Just(b'['), Just(0x7f_u8), Just(0x80_u8), Just(0xa2_u8), Just(0xdc_u8),
            Just(0x00_u8), any::<u8>(),
        ])) {
            let want = |f: fn(u8) -> bool| w.iter().enumerate()
                .fold(0u64, |m, (k, &c)| if f(c) { m | 1 << k } else { m });
            let x = u64::from_le_bytes(w);
            let (backslash, quote, text) = classify(x);
            prop_assert_eq!(gather(backslash), want(|c| c == b'\\'));
            prop_assert_eq!(gather(quote), want(|c| c == b'"'));
            prop_assert_eq!(gather(!text & HIGH), want(|c| c < 0x20));
        }

        /// The branch-free escaped-byte masks, block after block, mark the
        /// bytes that follow an odd run of backslashes, as a byte loop does.
        #[test]
        fn escaped_bytes_agree_with_byte_loop(
            bits in prop::collection::vec(prop_oneof![3 => Just(true), 2 => Just(false)], 0..256),
        ) {
            let mut want = Vec::new();
            let mut escaped = false;
            for &backslash in &bits {
                want.push(escaped);
                escaped = backslash && !escaped;
            }
            let mut carry = 0;
            let mut got = Vec::new();
            for block in bits.chunks(64) {
                let mask = block.iter().enumerate()
                    .fold(0u64, |m, (k, &b)| if b { m | 1 << k } else { m });
                let e = escaped_bytes(mask, &mut carry);
                got.extend((0..block.len()).map(|k| e >> k & 1 == 1));
            }
            prop_assert_eq!(got, want);
        }
    }

    /// Serde's derive reads `[1, "a"]` into a struct field by field; `Obj`
    /// takes objects only, borrowing as the derive does.
    #[test]
    fn obj_takes_objects_only() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct S<'a> {
            #[serde(default)]
            n: Option<u32>,
            #[serde(borrow, default)]
            s: Option<&'a str>,
        }
        let plain: S<'_> = serde_json::from_str(r#"[1, "a"]"#).unwrap();
        assert_eq!(
            plain,
            S {
                n: Some(1),
                s: Some("a")
            }
        );
        let err = serde_json::from_str::<Obj<S<'_>>>(r#"[1, "a"]"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid type: sequence, expected a JSON object"),
            "{err}"
        );
        let Obj(ok) = serde_json::from_str::<Obj<S<'_>>>(r#"{"s": "a", "n": 1}"#).unwrap();
        assert_eq!(
            ok,
            S {
                n: Some(1),
                s: Some("a")
            }
        );
        let v = objs(serde_json::from_str::<Option<Vec<Obj<S<'_>>>>>(r#"[{"n": 2}]"#).unwrap());
        assert_eq!(
            v,
            [S {
                n: Some(2),
                s: None
            }]
        );
        assert!(serde_json::from_str::<Vec<Obj<S<'_>>>>(r#"[[2]]"#).is_err());
    }

    fn raw(s: &str) -> Raw<'_> {
        Raw(serde_json::from_str::<&RawValue>(s).unwrap())
    }

    #[test]
    fn ok_loose_numbers() {
        assert_eq!(raw("1408").int(), Ok(Some(1408)));
        assert_eq!(raw("\"9\"").int(), Ok(Some(9)));
        assert_eq!(raw("\" 9 \"").int(), Ok(Some(9)));
        assert_eq!(raw("9.0").int(), Ok(Some(9)));
        assert_eq!(raw("\"100\"").int(), Ok(Some(100)));
        assert_eq!(raw("null").int(), Ok(None));
        assert_eq!(raw("\"\"").int(), Ok(None));
        assert_eq!(raw("-3").int(), Ok(Some(-3)));
    }

    #[test]
    fn err_loose_numbers() {
        assert_eq!(raw("\"nine\"").int(), Err(WrongType));
        assert_eq!(raw("9.5").int(), Err(WrongType));
        assert_eq!(raw("true").int(), Err(WrongType));
        assert_eq!(raw("[1]").int(), Err(WrongType));
        assert_eq!(raw("99999999999999999999").int(), Err(WrongType));
    }

    #[test]
    fn loose_bools() {
        assert_eq!(raw("true").boolean(), Ok(Some(true)));
        assert_eq!(raw("\"false\"").boolean(), Ok(Some(false)));
        assert_eq!(raw("\"TRUE\"").boolean(), Ok(Some(true)));
        assert_eq!(raw("1").boolean(), Ok(Some(true)));
        assert_eq!(raw("null").boolean(), Ok(None));
        assert_eq!(raw("\"yes\"").boolean(), Err(WrongType));
        assert_eq!(raw("2").boolean(), Err(WrongType));
    }

    #[test]
    fn scalars_keep_their_kind() {
        assert_eq!(
            raw("\"success\"").scalar(),
            Ok(Some(Scalar::Str("success".into())))
        );
        assert_eq!(raw("3").scalar(), Ok(Some(Scalar::Int(3))));
        assert_eq!(raw("3.5").scalar(), Ok(Some(Scalar::Float(3.5))));
        assert_eq!(raw("false").scalar(), Ok(Some(Scalar::Bool(false))));
        assert_eq!(raw("null").scalar(), Ok(None));
        assert_eq!(raw("{\"a\":1}").scalar(), Err(WrongType));
        assert_eq!(raw("1408").text_value(), Ok(Some(Cow::Borrowed("1408"))));
    }

    #[test]
    fn decode_borrows_when_possible() {
        assert!(matches!(
            decode_str("\"plain\""),
            Some(Cow::Borrowed("plain"))
        ));
        let d = decode_str(r#""a\"b\\c\/d\u003e\u4e2d\ud83d\ude00\t""#).unwrap();
        assert_eq!(d, "a\"b\\c/d>中😀\t");
        assert!(decode_str("plain").is_none());
    }

    #[test]
    fn unescape_never_panics_on_bad_escapes() {
        let mut s = String::new();
        assert!(!unescape_into(&mut s, r"\ud800x"));
        assert_eq!(s, "\u{fffd}x");
        s.clear();
        assert!(!unescape_into(&mut s, r"\u12"));
        s.clear();
        assert!(!unescape_into(&mut s, "end\\"));
        assert_eq!(s, "end\\");
        s.clear();
        assert!(!unescape_into(&mut s, r"\q"));
        assert_eq!(s, "\\q");
        s.clear();
        assert!(!unescape_into(&mut s, r"\udc00"));
    }

    fn lines(body: &str) -> Vec<(String, bool)> {
        StrLines::new(body)
            .map(|l| (l.text.into_owned(), l.terminated))
            .collect()
    }

    #[test]
    fn str_lines_split_on_newline_escapes() {
        assert_eq!(lines(""), Vec::<(String, bool)>::new());
        assert_eq!(lines(r"a\nb"), [("a".into(), true), ("b".into(), false)]);
        assert_eq!(lines(r"a\n"), [("a".into(), true)]);
        assert_eq!(lines(r"\n"), [("".into(), true)]);
        assert_eq!(
            lines(r"a\n\nb\n"),
            [("a".into(), true), ("".into(), true), ("b".into(), true)]
        );
        assert_eq!(
            lines(r"x\u000ay\u000Az"),
            [("x".into(), true), ("y".into(), true), ("z".into(), false)]
        );
        assert_eq!(
            lines(r"a\r\nb"),
            [("a\r".into(), true), ("b".into(), false)]
        );
        assert_eq!(lines(r#"q\"x\\n"#), [("q\"x\\n".into(), false)]);
        assert_eq!(lines(r"&lt;\t\n"), [("&lt;\t".into(), true)]);
    }

    #[test]
    fn str_lines_borrow_plain_lines() {
        let mut it = StrLines::new(r"plain\nwith \u003e\n");
        assert!(matches!(it.next().unwrap().text, Cow::Borrowed("plain")));
        assert!(matches!(it.next().unwrap().text, Cow::Owned(ref s) if s == "with >"));
        assert!(it.next().is_none());
    }

    #[test]
    fn serde_error_positions() {
        let input = "{\n  \"a\": 1,\n  \"b\": x\n}";
        let err = serde_json::from_str::<serde_json::Value>(input).unwrap_err();
        let e = serde_error(&err, input.as_bytes());
        assert_eq!(e.kind(), ErrorKind::Syntax);
        let p = e.position().unwrap();
        assert_eq!((p.line, p.column), (3, 8));
        assert_eq!(&input[p.byte..p.byte + 1], "x");
        assert_eq!(
            e.to_string(),
            "syntax error: expected value at line 3, column 8 (byte 19), near \"x\\n}\""
        );
        let err = serde_json::from_str::<serde_json::Value>("[1,").unwrap_err();
        let e = serde_error(&err, b"[1,");
        assert_eq!(e.kind(), ErrorKind::Eof);
        assert_eq!(e.position().unwrap().byte, 3);
    }

    #[test]
    fn decoded_offsets_map_back() {
        let body = r#"a\"b\u003ec中d"#;
        let quoted = format!("\"{body}\"");
        let decoded = decode_str(&quoted).unwrap();
        assert_eq!(decoded, "a\"b>c中d");
        for (k, ch) in decoded.char_indices() {
            let raw = raw_offset_of_decoded(body, k);
            let expect = match ch {
                '"' => "\\\"",
                '>' => "\\u003e",
                _ => "",
            };
            if !expect.is_empty() {
                assert!(body[raw..].starts_with(expect), "{k} {ch}");
            } else {
                assert!(body[raw..].starts_with(ch), "{k} {ch}");
            }
        }
        assert_eq!(raw_offset_of_decoded(body, 999), body.len());
    }

    #[test]
    fn decoded_len_counts_bytes_and_chars() {
        for body in [
            "",
            "abc",
            r"a\nb",
            r"中\u4e2d\ud83d\ude00",
            r#"q\"\\x"#,
            "é",
        ] {
            let quoted = format!("\"{body}\"");
            let decoded = decode_str(&quoted).unwrap();
            assert_eq!(
                decoded_len(body),
                (decoded.len(), decoded.chars().count()),
                "{body}"
            );
        }
    }

    #[test]
    fn lossy_offsets_map_back() {
        let original: &[u8] = b"ab\xffcd\xe4\xb8xy";
        let lossy = String::from_utf8_lossy(original);
        assert_eq!(lossy, "ab\u{fffd}cd\u{fffd}xy");
        for (ch_at, want) in [("a", 0), ("b", 1), ("c", 3), ("d", 4), ("x", 7), ("y", 8)] {
            assert_eq!(
                original_offset(original, lossy.find(ch_at).unwrap()),
                want,
                "{ch_at}"
            );
        }
        assert_eq!(original_offset(original, lossy.len()), original.len());
        assert_eq!(original_offset(b"plain", 3), 3);
    }

    #[test]
    fn truncated_documents_are_completed() {
        let c = |s: &str| complete_truncated(s).map(|c| (c.text, c.cut, c.partial_string));
        assert_eq!(
            c(r#"{"a":1,"b":[1,2"#),
            Some((r#"{"a":1,"b":[1]}"#.into(), 13, false))
        );
        assert_eq!(
            c(r#"{"a":1,"b":[1,2,"#),
            Some((r#"{"a":1,"b":[1,2]}"#.into(), 15, false))
        );
        assert_eq!(
            c(r#"{"a":"x","sta"#),
            Some((r#"{"a":"x"}"#.into(), 8, false))
        );
        assert_eq!(
            c(r#"{"a":"x","state":"succ"#),
            Some((r#"{"a":"x"}"#.into(), 8, false))
        );
        assert_eq!(c(r#"{"a":"#), Some((r#"{}"#.into(), 1, false)));
        assert_eq!(c(r#"[{"a":tru"#), Some((r#"[{}]"#.into(), 2, false)));
        assert_eq!(c(r#"{"a":true}"#), None);
        assert_eq!(c("  "), None);
        assert_eq!(c("tru"), None);
        let long = format!(r#"{{"log":"{}\u00"#, "x".repeat(70));
        let done = c(&long).unwrap();
        assert_eq!(done.0, format!(r#"{{"log":"{}"}}"#, "x".repeat(70)));
        assert!(done.2);
        let esc = format!(r#"{{"log":"{}\"#, "y".repeat(70));
        assert_eq!(
            c(&esc).unwrap().0,
            format!(r#"{{"log":"{}"}}"#, "y".repeat(70))
        );
        let surrogate = format!(r#"[["{}\ud83d\ude0"#, "z".repeat(70));
        assert_eq!(
            c(&surrogate).unwrap().0,
            format!(r#"[["{}"]]"#, "z".repeat(70))
        );
        // Every completion parses.
        let doc = r#"{"id":1,"log":[{"content":"[{\"Type\":\"x\"}]","created_at":"2018"},{"content":"abc"}],"state":"Successful"}"#;
        for n in 1..doc.len() {
            if let Some(done) = complete_truncated(&doc[..n]) {
                assert!(
                    serde_json::from_str::<serde_json::Value>(&done.text).is_ok(),
                    "{n}: {}",
                    done.text
                );
            }
        }
    }

    #[test]
    fn depth_check_skips_strings() {
        assert_eq!(depth_exceeded(b"[[[]]]", 3), None);
        assert_eq!(depth_exceeded(b"[[[[]]]]", 3), Some(3));
        assert_eq!(depth_exceeded(br#"["[[[[[", {"a":"\"[[[["}]"#, 2), None);
        assert_eq!(depth_exceeded(br#"["unterminated"#, 1), None);
        let deep = "[".repeat(100_000);
        assert_eq!(depth_exceeded(deep.as_bytes(), 64), Some(64));
    }
}
