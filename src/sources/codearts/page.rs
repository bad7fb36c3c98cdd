//! The JSON envelopes of the CodeArts real-time log and its error bodies.
//!
//! - v3 `DownloadRealTimeLog`: `{result:{has_more_data, offset, current_offset,
//!   content}, error, status}`; the SDKs type `has_more_data` bool and the
//!   offsets int32, the English docs say strings: both are accepted.
//! - v1 `DownloadBuildRealTimeLog`: `{result:{has_more, start_offset,
//!   end_offset, log, location}, error, status}`; offsets typed string,
//!   sent as numbers in the spec's example: both accepted.
//! - `error` may be `null`, a string or an object (`{}` on success).
//! - Error bodies `{"error_code": "CB.00060200", "error_msg": "…"}`, also
//!   with HTTP 200 and on "file" endpoints, become vendor errors.

use std::collections::VecDeque;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::json::{self, Obj, Raw, Skimmer as _, StrLine, StrLines, clip, once};
use crate::note::{Note, Notes};
use crate::options::Options;

#[derive(Deserialize)]
#[serde(expecting = "a CodeArts log page object")]
struct WirePage<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
    #[serde(borrow, default)]
    status: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error_msg: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "a CodeArts log page result object")]
struct WireResult<'a> {
    #[serde(borrow, default)]
    has_more_data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    offset: Option<&'a RawValue>,
    #[serde(borrow, default)]
    current_offset: Option<&'a RawValue>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
    #[serde(borrow, default)]
    has_more: Option<&'a RawValue>,
    #[serde(borrow, default)]
    start_offset: Option<&'a RawValue>,
    #[serde(borrow, default)]
    end_offset: Option<&'a RawValue>,
    #[serde(borrow, default)]
    log: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct WireErrorObject<'a> {
    #[serde(borrow, default)]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    code: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error_msg: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message: Option<&'a RawValue>,
}

/// One page, read.
pub(crate) struct Page<'p> {
    /// Where the page's text starts (`current_offset` / `start_offset`).
    pub(crate) start: Option<u64>,
    /// Where it ends, the offset of the next request (`offset` / `end_offset`).
    pub(crate) end: Option<u64>,
    /// `has_more_data` / `has_more`.
    pub(crate) has_more: Option<bool>,
    /// The raw JSON string literal of the content (with quotes).
    pub(crate) content: Option<&'p str>,
    /// Where the content's lines break, when the skim found out.
    pub(crate) breaks: Option<Breaks>,
    /// Byte offset of the content in the page.
    pub(crate) content_at: usize,
    /// Recovery notes about the envelope's values.
    pub(crate) notes: Notes,
}

fn text(raw: Option<&RawValue>) -> String {
    raw.and_then(|r| Raw(r).text_value().ok().flatten())
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// The vendor error a `{"error_code", "error_msg"}` body stands for.
fn vendor(code: Option<&RawValue>, msg: Option<&RawValue>) -> Error {
    Error::vendor_body(text(code), text(msg))
}

/// If `input` is a JSON error body (`{"error_code": …}`), its vendor error.
/// Used for text sources too: a "file" endpoint may answer 200 with JSON.
pub(crate) fn error_body(input: &[u8]) -> Option<Error> {
    let body = crate::text::strip_bom(input);
    let start = crate::scan::skip_ws(body, 0);
    if body.get(start) != Some(&b'{') {
        return None;
    }
    let text = crate::text::utf8(body).ok()?;
    let Obj(w): Obj<WirePage<'_>> = serde_json::from_str(text).ok()?;
    w.error_code.map(|c| vendor(Some(c), w.error_msg))
}

/// Reads a page envelope.
pub(crate) fn parse<'p>(bytes: &'p [u8], opts: &Options) -> Result<Page<'p>, Error> {
    let input = match crate::text::utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            return Err(Error::at(
                ErrorKind::Utf8,
                "page is not valid UTF-8",
                bytes,
                e.valid_up_to(),
            ));
        }
    };
    let body_start = input.len() - crate::text::strip_bom(bytes).len();
    let body = input.get(body_start..).unwrap_or_default();
    json::check_depth(body.as_bytes(), opts.max_depth)?;
    let r = match skim(body) {
        Some(r) => r,
        None => parse_result(bytes, input, body, body_start)?,
    };
    read_result(r, bytes, input, opts)
}

/// A page's `result` members as sent (raw JSON values).
#[derive(Debug, PartialEq, Eq)]
struct ResultMembers<'p> {
    has_more_data: Option<&'p str>,
    offset: Option<&'p str>,
    current_offset: Option<&'p str>,
    content: Option<&'p str>,
    has_more: Option<&'p str>,
    start_offset: Option<&'p str>,
    end_offset: Option<&'p str>,
    log: Option<&'p str>,
    /// The line breaks of `content` and of `log`, where the skim read them.
    content_breaks: Option<Breaks>,
    log_breaks: Option<Breaks>,
}

/// The page's `result` read by serde: the vendor error of an error body,
/// the error of a malformed page.
fn parse_result<'p>(
    bytes: &'p [u8],
    input: &'p str,
    body: &'p str,
    body_start: usize,
) -> Result<ResultMembers<'p>, Error> {
    let Obj(w): Obj<WirePage<'p>> = serde_json::from_str(body)
        .map_err(|e| json::serde_error(&e, body.as_bytes()).rebase(bytes, body_start))?;
    if w.error_code.is_some() {
        return Err(vendor(w.error_code, w.error_msg));
    }
    let result = match w.result.filter(|r| r.get() != "null") {
        Some(r) => r,
        None => return Err(missing_result(&w, bytes)),
    };
    let Obj(r): Obj<WireResult<'p>> = serde_json::from_str(result.get()).map_err(|e| {
        let base = Raw(result).offset_in(input).unwrap_or(0);
        json::serde_error(&e, result.get().as_bytes()).rebase(bytes, base)
    })?;
    let get = |v: Option<&'p RawValue>| v.map(RawValue::get);
    Ok(ResultMembers {
        has_more_data: get(r.has_more_data),
        offset: get(r.offset),
        current_offset: get(r.current_offset),
        content: get(r.content),
        has_more: get(r.has_more),
        start_offset: get(r.start_offset),
        end_offset: get(r.end_offset),
        log: get(r.log),
        content_breaks: None,
        log_breaks: None,
    })
}

/// The page of a `result`'s members.
fn read_result<'p>(
    r: ResultMembers<'p>,
    bytes: &'p [u8],
    input: &'p str,
    opts: &Options,
) -> Result<Page<'p>, Error> {
    let mut notes = Notes::EMPTY;
    let at = |raw: &str| json::offset_in(raw, input).unwrap_or(0);
    let offset =
        |raw: Option<&'p str>, name: &str, notes: &mut Notes| -> Result<Option<u64>, Error> {
            let Some(text) = raw else {
                return Ok(None);
            };
            match raw_value(text).map(|v| Raw(v).int()) {
                Some(Ok(Some(v))) if v >= 0 => Ok(u64::try_from(v).ok()),
                Some(Ok(None)) => Ok(None),
                _ => {
                    opts.recover(notes, Note::InvalidValue, || {
                        Error::at(
                            ErrorKind::Value,
                            format!(
                                "`{name}` must be a non-negative integer, found {}",
                                clip(text)
                            ),
                            bytes,
                            at(text),
                        )
                    })?;
                    Ok(None)
                }
            }
        };
    let start = match r.current_offset {
        Some(_) => offset(r.current_offset, "current_offset", &mut notes)?,
        None => offset(r.start_offset, "start_offset", &mut notes)?,
    };
    let end = match r.offset {
        Some(_) => offset(r.offset, "offset", &mut notes)?,
        None => offset(r.end_offset, "end_offset", &mut notes)?,
    };
    let has_more = match r.has_more_data.or(r.has_more) {
        None => None,
        Some(text) => match raw_value(text).map(|v| Raw(v).boolean()) {
            Some(Ok(b)) => b,
            _ => {
                opts.recover(&mut notes, Note::InvalidValue, || {
                    Error::at(
                        ErrorKind::Value,
                        format!(
                            "`has_more_data` must be true or false, found {}",
                            clip(text)
                        ),
                        bytes,
                        at(text),
                    )
                })?;
                None
            }
        },
    };
    let breaks = match r.content {
        Some(_) => r.content_breaks,
        None => r.log_breaks,
    };
    let (content, content_at) = match r.content.or(r.log) {
        None => (None, 0),
        Some(t) => {
            if t.starts_with('"') {
                (Some(t), at(t))
            } else if t == "null" {
                (None, at(t))
            } else {
                return Err(Error::at(
                    ErrorKind::Schema,
                    "`content` must be a string",
                    bytes,
                    at(t),
                ));
            }
        }
    };
    Ok(Page {
        start,
        end,
        has_more,
        content,
        breaks,
        content_at,
        notes,
    })
}

/// A small member's raw text as a [`RawValue`] (it is one: both paths
/// only keep values the parser checked).
fn raw_value(text: &str) -> Option<&RawValue> {
    serde_json::from_str(text).ok()
}

/// How deep a value inside an unknown member may nest before the skim
/// leaves the page to serde.
const SKIM_DEPTH: usize = 16;

/// Reads the usual page (`{"result":{…},"error":…,"status":…}`) as the
/// serde path would, without the parser's byte-wise passes over the long
/// `content` string (two: once inside `result` kept raw, once reading
/// `result`): [`scan_text`] finds its end with vector code, checking it is
/// a well-formed JSON string and noting where its lines break; each small member is handed
/// to the parser alone, which checks it as the full parse does.
///
/// `None` on anything else or anything unusual — an error body, no or a
/// `null` `result`, a key with an escape, a known member given twice, an
/// unknown member nested deeper than [`SKIM_DEPTH`], invalid JSON,
/// anything after the page — and the serde path reads the page, and makes
/// the errors. A property test checks both agree.
fn skim(body: &str) -> Option<ResultMembers<'_>> {
    let mut p = Skim {
        s: body,
        b: body.as_bytes(),
        i: crate::scan::skip_ws(body.as_bytes(), 0),
    };
    let mut result = None;
    let mut seen = 0u32;
    p.object(|p, key| {
        let bit = match key {
            "result" => 0,
            "error" => 1,
            "status" => 2,
            // An error body: serde's path words it.
            "error_code" | "error_msg" => return None,
            _ => return p.ignore(),
        };
        once(&mut seen, bit)?;
        match bit {
            0 => result = Some(p.result()?),
            _ => {
                p.raw()?;
            }
        }
        Some(())
    })?;
    (crate::scan::skip_ws(p.b, p.i) == p.b.len()).then_some(result?)
}

/// The skim's place in a page.
struct Skim<'a> {
    s: &'a str,
    b: &'a [u8],
    /// The next byte to read.
    i: usize,
}

impl<'a> json::Skimmer<'a> for Skim<'a> {
    fn text(&self) -> &'a str {
        self.s
    }

    fn at(&mut self) -> &mut usize {
        &mut self.i
    }
}

impl<'a> Skim<'a> {
    /// A member kept raw: `None` for `null`, else the value's text, checked
    /// by the parser alone.
    fn raw(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            return Some(None);
        }
        let end = crate::scan::skip_value(self.b, self.i, SKIM_DEPTH)?;
        let text = self.s.get(self.i..end)?;
        serde_json::from_str::<&RawValue>(text).ok()?;
        self.i = end;
        Some(Some(text))
    }

    /// An unknown member's value, checked as serde checks what it ignores.
    fn ignore(&mut self) -> Option<()> {
        let end = if self.b.get(self.i) == Some(&b'"') {
            crate::scan::skip_string(self.b, self.i)?
        } else {
            let end = crate::scan::skip_value(self.b, self.i, SKIM_DEPTH)?;
            serde_json::from_str::<IgnoredAny>(self.s.get(self.i..end)?).ok()?;
            end
        };
        self.i = end;
        Some(())
    }

    /// `content` / `log`: a string is checked by [`scan_text`], which
    /// notes where its lines break on the way.
    fn text(&mut self, breaks: &mut Option<Breaks>) -> Option<Option<&'a str>> {
        if self.b.get(self.i) == Some(&b'"') {
            let (end, found) = scan_text(self.b, self.i)?;
            let text = self.s.get(self.i..end)?;
            self.i = end;
            *breaks = Some(found);
            return Some(Some(text));
        }
        self.raw()
    }

    /// The `result` object.
    fn result(&mut self) -> Option<ResultMembers<'a>> {
        let mut r = ResultMembers {
            has_more_data: None,
            offset: None,
            current_offset: None,
            content: None,
            has_more: None,
            start_offset: None,
            end_offset: None,
            log: None,
            content_breaks: None,
            log_breaks: None,
        };
        let mut seen = 0u32;
        self.object(|p, key| {
            match key {
                "content" => {
                    once(&mut seen, 3)?;
                    r.content = p.text(&mut r.content_breaks)?;
                    return Some(());
                }
                "log" => {
                    once(&mut seen, 7)?;
                    r.log = p.text(&mut r.log_breaks)?;
                    return Some(());
                }
                _ => {}
            }
            let (bit, slot) = match key {
                "has_more_data" => (0, &mut r.has_more_data),
                "offset" => (1, &mut r.offset),
                "current_offset" => (2, &mut r.current_offset),
                "has_more" => (4, &mut r.has_more),
                "start_offset" => (5, &mut r.start_offset),
                "end_offset" => (6, &mut r.end_offset),
                _ => return p.ignore(),
            };
            once(&mut seen, bit)?;
            *slot = p.raw()?;
            Some(())
        })?;
        Some(r)
    }
}

/// Where the lines of a content string break: the byte (in the string's
/// body, after its quote) of each `\n` or `\u000a` escape, and whether the
/// line before it holds another escape; and whether the last line does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Breaks {
    at: Vec<(usize, bool)>,
    last_escaped: bool,
}

/// The end of the JSON string opening at `i` if it is well formed (as
/// [`crate::scan::skip_string`]), and where its lines break. One search per
/// escape (about one a line: the line break itself) serves both the check
/// and the split, which [`StrLines`] would search for again.
fn scan_text(b: &[u8], i: usize) -> Option<(usize, Breaks)> {
    let mut breaks = Breaks::default();
    let mut escaped = false;
    let end = crate::scan::StringScan::new().skip(b, i, |k, stop| {
        if stop == crate::scan::Stop::LineBreak {
            breaks.at.push((k - (i + 1), escaped));
            escaped = false;
        } else {
            escaped = true;
        }
    })?;
    breaks.last_escaped = escaped;
    Some((end, breaks))
}

/// The lines of a content string's body, as [`StrLines`] splits them: at
/// the breaks the skim found, or by [`StrLines`] itself.
pub(crate) enum ContentLines<'p> {
    Found {
        body: &'p str,
        breaks: std::vec::IntoIter<(usize, bool)>,
        last_escaped: bool,
        /// Where the next line starts.
        start: usize,
    },
    Split(StrLines<'p>),
}

impl<'p> ContentLines<'p> {
    pub(crate) fn new(body: &'p str, breaks: Option<Breaks>) -> Self {
        match breaks {
            Some(b) => ContentLines::Found {
                body,
                breaks: b.at.into_iter(),
                last_escaped: b.last_escaped,
                start: 0,
            },
            None => ContentLines::Split(StrLines::new(body)),
        }
    }
}

impl<'p> Iterator for ContentLines<'p> {
    type Item = StrLine<'p>;

    #[inline]
    fn next(&mut self) -> Option<StrLine<'p>> {
        let (body, breaks, last_escaped, start) = match self {
            ContentLines::Split(it) => return it.next(),
            ContentLines::Found {
                body,
                breaks,
                last_escaped,
                start,
            } => (*body, breaks, *last_escaped, start),
        };
        let from = *start;
        match breaks.next() {
            Some((at, escaped)) => {
                let width = if body.as_bytes().get(at + 1) == Some(&b'n') {
                    2
                } else {
                    6
                };
                *start = at + width;
                Some(StrLine::new(body, from, at, escaped, true))
            }
            None if from < body.len() => {
                *start = body.len();
                Some(StrLine::new(body, from, body.len(), last_escaped, false))
            }
            None => None,
        }
    }
}

/// The error for a page without `result`: a vendor error when `error` or
/// `status` says so, else a shape error.
fn missing_result(w: &WirePage<'_>, bytes: &[u8]) -> Error {
    if let Some(err) = w.error {
        let t = err.get();
        if t.starts_with('{') {
            if let Ok(Obj(o)) = serde_json::from_str::<Obj<WireErrorObject<'_>>>(t)
                && (o.error_code.is_some()
                    || o.code.is_some()
                    || o.error_msg.is_some()
                    || o.message.is_some())
            {
                return vendor(o.error_code.or(o.code), o.error_msg.or(o.message));
            }
        } else if t.starts_with('"') && !text(Some(err)).is_empty() {
            return vendor(w.status, Some(err));
        }
    }
    let status = text(w.status);
    if !status.is_empty() && !status.eq_ignore_ascii_case("success") {
        return Error::vendor_body(status, text(w.error));
    }
    Error::at(
        ErrorKind::Schema,
        "expected `result` (a CodeArts real-time log page) or `error_code` (an error body)",
        bytes,
        0,
    )
}

/// The CodeArts docs' example carries its line breaks as the two characters
/// `\n` (JSON `\\n`) and no real line break. In lenient mode such content is
/// split at each literal `\n` that ends the content or is followed by a
/// timestamp prefix `[dddd/`; other literal `\n` stay. Strict mode reads the
/// content literally. `None` when the rule does not apply.
pub(crate) fn literal_newlines(body: &str, opts: &Options) -> Option<VecDeque<(String, bool)>> {
    if opts.is_strict() {
        return None;
    }
    let b = body.as_bytes();
    // Any real line break (`\n` or `\u000a` escape) disables the rule.
    let mut has_literal = false;
    let mut i = 0;
    while let Some(rel) = memchr::memchr(b'\\', b.get(i..).unwrap_or_default()) {
        let at = i + rel;
        match b.get(at + 1) {
            Some(b'n') => return None,
            Some(b'u')
                if b.get(at + 2..at + 6)
                    .is_some_and(|h| h.eq_ignore_ascii_case(b"000a")) =>
            {
                return None;
            }
            Some(b'\\') => {
                if b.get(at + 2) == Some(&b'n') {
                    has_literal = true;
                }
                i = at + 2;
            }
            _ => i = at + 2,
        }
    }
    if !has_literal {
        return None;
    }
    let decoded = json::decode_str(&format!("\"{body}\""))?.into_owned();
    let mut out = VecDeque::new();
    let mut start = 0;
    let d = decoded.as_bytes();
    let mut k = 0;
    while let Some(rel) = memchr::memmem::find(d.get(k..).unwrap_or_default(), b"\\n") {
        let at = k + rel;
        let next = d.get(at + 2..).unwrap_or_default();
        let splits = next.is_empty()
            || (next.first() == Some(&b'[')
                && next
                    .get(1..5)
                    .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
                && next.get(5) == Some(&b'/'));
        if splits {
            out.push_back((decoded.get(start..at).unwrap_or_default().to_owned(), true));
            start = at + 2;
        }
        k = at + 2;
    }
    if start < decoded.len() {
        out.push_back((decoded.get(start..).unwrap_or_default().to_owned(), false));
    }
    if out.len() < 2 && out.front().is_some_and(|(_, t)| !t) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn ok_envelopes() {
        let v3 = br#"{"result":{"has_more_data":"true","offset":"126548","current_offset":121768,"content":"a\nb"},"error":{},"status":"success"}"#;
        let p = parse(v3, &Options::strict()).unwrap();
        assert_eq!(
            (p.start, p.end, p.has_more),
            (Some(121768), Some(126548), Some(true))
        );
        assert_eq!(p.content, Some(r#""a\nb""#));
        let v1 = br#"{"result":{"has_more":false,"start_offset":"542993","end_offset":657353,"log":"x","location":"jenkins"},"error":null,"status":"success"}"#;
        let p = parse(v1, &Options::strict()).unwrap();
        assert_eq!(
            (p.start, p.end, p.has_more),
            (Some(542993), Some(657353), Some(false))
        );
        let empty = br#"{"result":{"has_more_data":true,"offset":5,"current_offset":5,"content":""},"error":""}"#;
        assert_eq!(
            parse(empty, &Options::strict()).unwrap().content,
            Some("\"\"")
        );
    }

    #[test]
    fn err_envelopes() {
        let cases: &[(&[u8], &str)] = &[
            (
                br#"{"error_code":"CB.00060200","error_msg":"Invalid param"}"#,
                "vendor error CB.00060200: Invalid param",
            ),
            (
                br#"{"result":null,"error":"build not found","status":"fail"}"#,
                "vendor error fail: build not found",
            ),
            (
                br#"{"error":{"error_code":"DEV.CB.1","error_msg":"boom"}}"#,
                "vendor error DEV.CB.1: boom",
            ),
            (br#"{"status":"fail"}"#, "vendor error fail"),
            (
                br#"{"status":"success"}"#,
                "unexpected payload shape: expected `result` (a CodeArts real-time log page) or `error_code` (an error body) at line 1, column 1 (byte 0), near \"{\\\"status\\\":\\\"success\\\"}\"",
            ),
            (
                br#"{"result":{"content":5}}"#,
                "unexpected payload shape: `content` must be a string at line 1, column 22 (byte 21), near \"5}}\"",
            ),
        ];
        for (input, want) in cases {
            let e = parse(input, &Options::default()).err().unwrap();
            assert_eq!(e.to_string(), *want);
        }
        let e = parse(br#"{"result":{"offset":-1}}"#, &Options::strict())
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "invalid value: `offset` must be a non-negative integer, found -1 at line 1, column 21 (byte 20), near \"-1}}\""
        );
        let e = parse(
            br#"{"result":{"has_more_data":"maybe"}}"#,
            &Options::strict(),
        )
        .err()
        .unwrap();
        assert_eq!(e.kind(), ErrorKind::Value);
        assert!(
            parse(
                br#"{"result":{"has_more_data":"maybe"}}"#,
                &Options::default()
            )
            .unwrap()
            .notes
            .contains(Note::InvalidValue)
        );
    }

    #[test]
    fn literal_newline_rule() {
        let opts = Options::default();
        let seed = r"[2023/12/21 15:44:18.743 GMT+08:00] one\\n[2023/12/21 15:44:18.744 GMT+08:00] two \\n";
        let lines = literal_newlines(seed, &opts).unwrap();
        assert_eq!(
            lines,
            [
                ("[2023/12/21 15:44:18.743 GMT+08:00] one".to_owned(), true),
                ("[2023/12/21 15:44:18.744 GMT+08:00] two ".to_owned(), true)
            ]
        );
        // A literal \n inside a message that is not followed by a prefix stays.
        let mixed = r"[2023/12/21 15:44:18.743 GMT+08:00] printf 'a\\nb'\\n";
        assert_eq!(literal_newlines(mixed, &opts).unwrap().len(), 1);
        assert_eq!(
            literal_newlines(mixed, &opts).unwrap()[0].0,
            r"[2023/12/21 15:44:18.743 GMT+08:00] printf 'a\nb'"
        );
        // Real line breaks disable the rule; strict mode never applies it.
        assert!(literal_newlines(r"a\\n[2023/x\nb", &opts).is_none());
        assert!(literal_newlines(seed, &Options::strict()).is_none());
        assert!(literal_newlines("plain", &opts).is_none());
        assert!(literal_newlines(r"no break \\n in the middle", &opts).is_none());
    }

    /// Everything a page read gives, for comparing.
    fn outcome(r: Result<Page<'_>, Error>) -> Result<String, String> {
        r.map(|p| {
            format!(
                "{:?} {:?} {:?} {:?} {} {:?}",
                p.start, p.end, p.has_more, p.content, p.content_at, p.notes
            )
        })
        .map_err(|e| format!("{e} / {:?}", e.kind()))
    }

    use proptest::prelude::*;

    /// A JSON value of the kinds a page's members take, good and bad.
    fn value() -> impl Strategy<Value = String> {
        let good = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            (0u64..200).prop_map(|n| n.to_string()),
            (0u64..200).prop_map(|n| format!("\"{n}\"")),
            "\\PC{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("{}".to_owned()),
        ];
        prop_oneof![4 => good, 3 => odd_value()]
    }

    /// Values the skim must leave alone or read exactly as serde.
    fn odd_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("false".to_owned()),
            Just("tru".to_owned()),
            Just("0".to_owned()),
            Just("126548".to_owned()),
            Just("-1".to_owned()),
            Just("1.5".to_owned()),
            Just("1e3".to_owned()),
            Just("01".to_owned()),
            Just("1.".to_owned()),
            Just("{}".to_owned()),
            Just("[]".to_owned()),
            Just(r#"{"error_code":"CB.1","error_msg":"boom"}"#.to_owned()),
            Just(r#"[1,{"a":[null,"b"]}]"#.to_owned()),
            Just("[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]".to_owned()),
            Just("{,}".to_owned()),
            "\\PC{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            r#""([a-z 中]|\\[nrt"\\/bfux]|\\u00[0-9a-fA-Fg]{2}|\x01|\n){0,12}""#.prop_map(|s| s),
            (0u64..200).prop_map(|n| format!("\"{n}\"")),
        ]
    }

    /// A member: a key (sometimes escaped or unknown) and a value.
    fn member(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
        let key = prop_oneof![
            16 => prop::sample::select(keys).prop_map(|k| format!("\"{k}\"")),
            1 => Just(r#""res\u0075lt""#.to_owned()),
            2 => Just(r#""location""#.to_owned()),
        ];
        let ws = prop_oneof![Just(""), Just(" "), Just("\n\t")];
        (key, ws.clone(), ws, value()).prop_map(|(k, a, b, v)| format!("{k}{a}:{b}{v}"))
    }

    fn object(members: Vec<String>) -> String {
        format!("{{{}}}", members.join(","))
    }

    /// A page: the usual keys in any order, now and then twice, unknown,
    /// escaped, or with a value of the wrong kind; `result` an object of
    /// the same; something after the page, a BOM, a byte changed.
    fn page() -> impl Strategy<Value = Vec<u8>> {
        let result_keys: &'static [&'static str] = &[
            "has_more_data",
            "offset",
            "current_offset",
            "content",
            "has_more",
            "start_offset",
            "end_offset",
            "log",
        ];
        let top_keys: &'static [&'static str] = &[
            "error",
            "status",
            "error",
            "status",
            "error_code",
            "error_msg",
        ];
        let result = prop::collection::vec(member(result_keys), 0..6)
            .prop_map(object)
            .boxed();
        // Mostly one `result`; now and then none or two.
        let results = prop_oneof![
            1 => Just(Vec::new()),
            12 => result.clone().prop_map(|r| vec![r]),
            1 => (result.clone(), result).prop_map(|(a, b)| vec![a, b]),
        ];
        let top = (
            results,
            prop::collection::vec(member(top_keys), 0..3),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(results, mut members, at)| {
                for r in results {
                    members.insert(at.index(members.len() + 1), format!(r#""result":{r}"#));
                }
                object(members)
            });
        (
            top,
            prop_oneof![8 => Just(""), 4 => Just(" \n"), 1 => Just("x"), 1 => Just(",")],
            prop::bool::ANY,
            prop::option::weighted(0.2, (any::<prop::sample::Index>(), any::<u8>())),
        )
            .prop_map(|(t, tail, bom, change)| {
                let mut b = if bom {
                    b"\xEF\xBB\xBF".to_vec()
                } else {
                    Vec::new()
                };
                b.extend_from_slice(t.as_bytes());
                b.extend_from_slice(tail.as_bytes());
                if let Some((at, byte)) = change {
                    let i = at.index(b.len());
                    b[i] = byte;
                }
                b
            })
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(4000))]

        /// The skim reads every page as serde does, or leaves it to serde:
        /// the same page or the same error, strict and lenient.
        #[test]
        fn skim_agrees_with_serde(page in page(), strict in prop::bool::ANY, depth in prop_oneof![6 => Just(128usize), 1 => 1usize..6]) {
            let mut opts = if strict { Options::strict() } else { Options::default() };
            opts.max_depth = depth;
            prop_assert_eq!(
                outcome(parse(&page, &opts)),
                outcome(reference::parse(&page, &opts)),
                "{}", String::from_utf8_lossy(&page)
            );
        }
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(4000))]

        /// The skim's string scan ends (or refuses) a string where
        /// `crate::scan::skip_string` does, and its lines are those of
        /// `StrLines`: same text, borrowed or decoded alike, same breaks
        /// and invalid escapes.
        #[test]
        fn scanned_lines_agree_with_str_lines(body in crate::scan::reference::string_body(), after in prop_oneof![Just(&b""[..]), Just(&b",\"x\":1}"[..])]) {
            let mut b = b"\"".to_vec();
            b.extend_from_slice(&body);
            b.extend_from_slice(b"\"");
            b.extend_from_slice(after);
            let scanned = scan_text(&b, 0);
            prop_assert_eq!(scanned.as_ref().map(|s| s.0), crate::scan::skip_string(&b, 0));
            if let (Some((end, breaks)), Ok(text)) = (scanned, std::str::from_utf8(&b)) {
                let body = &text[1..end - 1];
                let shape = |l: StrLine<'_>| (matches!(l.text, Cow::Borrowed(_)), l.text.into_owned(), l.terminated, l.invalid_escape);
                let got: Vec<_> = ContentLines::new(body, Some(breaks)).map(shape).collect();
                let want: Vec<_> = StrLines::new(body).map(shape).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    /// The skim takes the usual page (it is not always left to serde).
    #[test]
    fn skim_reads_the_usual_page() {
        let v3 = br#"{"result":{"has_more_data":"true","offset":"126548","current_offset":121768,"content":"a\nb"},"error":{},"status":"success"}"#;
        let r = skim(std::str::from_utf8(v3).unwrap()).unwrap();
        assert_eq!(r.content, Some(r#""a\nb""#));
        assert_eq!(r.offset, Some(r#""126548""#));
        let v1 = br#"{"result":{"has_more":false,"start_offset":"542993","end_offset":657353,"log":"x","location":"jenkins"},"error":null,"status":"success"}"#;
        assert!(skim(std::str::from_utf8(v1).unwrap()).is_some());
    }
}
