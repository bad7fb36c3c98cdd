//! The one JSON string unescaper, and the decoded length of a string body.

use std::borrow::Cow;

use crate::scan::hex4;

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

/// Decodes `\uXXXX` (and a following low surrogate) at `at`: (char, bytes
/// used, valid).
pub(crate) fn decode_u_escape(b: &[u8], at: usize) -> (char, usize, bool) {
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
