//! Error positions: serde_json's line/column as a byte, offsets mapped
//! back through decoding and lossy UTF-8, errors re-anchored on the payload.

use super::unescape::decode_u_escape;
use crate::error::{Error, ErrorKind};

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
pub(crate) fn byte_of_line_col(input: &[u8], line: usize, column: usize) -> usize {
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
    let body = crate::text::strip_bom(input);
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
