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
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::json::{self, Obj, Raw, clip};
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
    let body = crate::detect::strip_bom(input);
    let start = json::skip_ws(body, 0);
    if body.get(start) != Some(&b'{') {
        return None;
    }
    let text = crate::text::utf8(body).ok()?;
    let Obj(w): Obj<WirePage<'_>> = serde_json::from_str(text).ok()?;
    w.error_code.map(|c| vendor(Some(c), w.error_msg))
}

/// Reads a page envelope.
pub(crate) fn parse<'p>(bytes: &'p [u8], opts: &Options) -> Result<Page<'p>, Error> {
    let input = match std::str::from_utf8(bytes) {
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
    let body_start = input.len() - crate::detect::strip_bom(bytes).len();
    let body = input.get(body_start..).unwrap_or_default();
    json::check_depth(body.as_bytes(), opts.max_depth)?;
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
    let mut notes = Notes::EMPTY;
    let offset =
        |raw: Option<&'p RawValue>, name: &str, notes: &mut Notes| -> Result<Option<u64>, Error> {
            let Some(raw) = raw.map(Raw) else {
                return Ok(None);
            };
            match raw.int() {
                Ok(Some(v)) if v >= 0 => Ok(u64::try_from(v).ok()),
                Ok(None) => Ok(None),
                _ => {
                    opts.recover(notes, Note::InvalidValue, || {
                        Error::at(
                            ErrorKind::Value,
                            format!(
                                "`{name}` must be a non-negative integer, found {}",
                                clip(raw.text())
                            ),
                            bytes,
                            raw.offset_in(input).unwrap_or(0),
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
    let more_raw = r.has_more_data.or(r.has_more);
    let has_more = match more_raw.map(Raw) {
        None => None,
        Some(raw) => match raw.boolean() {
            Ok(b) => b,
            Err(_) => {
                opts.recover(&mut notes, Note::InvalidValue, || {
                    Error::at(
                        ErrorKind::Value,
                        format!(
                            "`has_more_data` must be true or false, found {}",
                            clip(raw.text())
                        ),
                        bytes,
                        raw.offset_in(input).unwrap_or(0),
                    )
                })?;
                None
            }
        },
    };
    let content_raw = r.content.or(r.log);
    let (content, content_at) = match content_raw {
        None => (None, 0),
        Some(raw) => {
            let at = Raw(raw).offset_in(input).unwrap_or(0);
            let t = raw.get();
            if t.starts_with('"') {
                (Some(t), at)
            } else if t == "null" {
                (None, at)
            } else {
                return Err(Error::at(
                    ErrorKind::Schema,
                    "`content` must be a string",
                    bytes,
                    at,
                ));
            }
        }
    };
    Ok(Page {
        start,
        end,
        has_more,
        content,
        content_at,
        notes,
    })
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
mod tests {
    use super::*;

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
}
