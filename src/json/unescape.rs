//! The one JSON string unescaper, and the decoded length of a string body.

use std::borrow::Cow;

use crate::scan::{hex4, one_letter};

/// Decodes a raw JSON string literal (with its quotes). Borrows when there
/// is no escape. `None` if `raw` is not a string literal.
pub(crate) fn decode_str(raw: &str) -> Option<Cow<'_, str>> {
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    Some(unescape(body).0)
}

/// The decoded form of a JSON string body (no quotes), and whether every
/// escape in it was valid (an invalid one is replaced with U+FFFD or kept
/// as written). Borrows when there is no escape; never panics.
pub(crate) fn unescape(body: &str) -> (Cow<'_, str>, bool) {
    unescape_at(body, backslashes(body), |b, k| Some(escape(b, k)))
}

/// The backslashes of `body`, for [`unescape_at`]: `next(from)` searches
/// from `from` on.
pub(crate) fn backslashes(body: &str) -> impl FnMut(usize) -> Option<usize> + '_ {
    let b = body.as_bytes();
    move |from| memchr::memchr(b'\\', b.get(from..)?).map(|k| from + k)
}

/// The one escape-decoding loop. `next(from)` gives the first place at or
/// after `from` that may need decoding (each escape's backslash must be
/// one), and `decode(body, k)` decodes it: (character, bytes used, valid),
/// or `None` to leave it as it is. The runs between are copied whole.
/// Borrows when nothing was decoded; with whether every escape was valid.
pub(crate) fn unescape_at<'a>(
    body: &'a str,
    mut next: impl FnMut(usize) -> Option<usize>,
    mut decode: impl FnMut(&[u8], usize) -> Option<(char, usize, bool)>,
) -> (Cow<'a, str>, bool) {
    let b = body.as_bytes();
    let mut out: Option<String> = None;
    let mut ok = true;
    let (mut copied, mut from) = (0, 0);
    while let Some(k) = next(from) {
        let Some((c, len, valid)) = decode(b, k) else {
            from = k + 1;
            continue;
        };
        ok &= valid;
        let o = out.get_or_insert_with(|| String::with_capacity(b.len()));
        o.push_str(body.get(copied..k).unwrap_or_default());
        o.push(c);
        copied = k + len;
        from = copied;
    }
    match out {
        None => (Cow::Borrowed(body), ok),
        Some(mut o) => {
            o.push_str(body.get(copied..).unwrap_or_default());
            (Cow::Owned(o), ok)
        }
    }
}

/// The escape at `k` (a backslash): (character, bytes used, valid). An
/// invalid or dangling escape keeps its backslash as written.
#[inline]
pub(crate) fn escape(b: &[u8], k: usize) -> (char, usize, bool) {
    match b.get(k + 1) {
        Some(b'u') => decode_u_escape(b, k),
        Some(&letter) => match one_letter(letter) {
            Some(c) => (c, 2, true),
            None => ('\\', 1, false),
        },
        None => ('\\', 1, false),
    }
}

/// The escape at `k` of a JSON text that is itself the body of a JSON
/// string (SWR's `content`), read straight from that body: its backslash
/// is written `\\`, and a `"` or `\` after it `\"` or `\\`; an escape `\"`
/// or `\/` of the outer string alone stands for its character. (character,
/// bytes used, valid).
pub(crate) fn nested_escape(b: &[u8], k: usize) -> (char, usize, bool) {
    const INVALID: (char, usize, bool) = ('\\', 1, false);
    match b.get(k + 1) {
        Some(b'\\') => {}
        Some(&c @ (b'"' | b'/')) => return (char::from(c), 2, true),
        _ => return INVALID,
    }
    match b.get(k + 2) {
        Some(b'u') => {
            let (c, end, valid) = decode_u(b, k + 3, b"\\\\u");
            (c, end - k, valid)
        }
        Some(b'\\') => match b.get(k + 3) {
            Some(&c @ (b'"' | b'\\' | b'/')) => (char::from(c), 4, true),
            _ => INVALID,
        },
        Some(&letter) => one_letter(letter).map_or(INVALID, |c| (c, 3, true)),
        None => INVALID,
    }
}

/// Decodes `\uXXXX` (and a following low surrogate) at `at`: (char, bytes
/// used, valid).
pub(crate) fn decode_u_escape(b: &[u8], at: usize) -> (char, usize, bool) {
    let (c, end, valid) = decode_u(b, at + 2, b"\\u");
    (c, end - at, valid)
}

/// The character of the four hex digits at `hex`, and of a low surrogate
/// after them introduced by `pair` when they are a high one: (char, where
/// it ends, valid). Where no four hex digits are, it ends at `hex`.
fn decode_u(b: &[u8], hex: usize, pair: &[u8]) -> (char, usize, bool) {
    let Some(hi) = hex4(b, hex) else {
        return ('\u{fffd}', hex, false);
    };
    if (0xD800..0xDC00).contains(&hi) {
        let lo_at = hex + 4 + pair.len();
        if b.get(hex + 4..lo_at) == Some(pair)
            && let Some(lo) = hex4(b, lo_at)
            && (0xDC00..0xE000).contains(&lo)
        {
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            return (char::from_u32(c).unwrap_or('\u{fffd}'), lo_at + 4, true);
        }
        return ('\u{fffd}', hex + 4, false);
    }
    match char::from_u32(hi) {
        Some(c) => (c, hex + 4, true),
        None => ('\u{fffd}', hex + 4, false),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::reference;
    use proptest::prelude::*;

    /// A string body made of text and escapes of every kind, good and bad:
    /// surrogates paired, lone and cut, short `\u`, unknown letters, a
    /// dangling backslash.
    fn body() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                6 => "[a-z /\"é中&]{0,8}",
                4 => prop::sample::select(vec![
                    r#"\""#, r"\\", r"\/", r"\b", r"\f", r"\n", r"\r", r"\t", r"\u0041",
                    r"\u003e", r"\u4E2d", r"\u000a", r"\ud83d\ude00", r"\uD800\uDC00",
                ]).prop_map(str::to_owned),
                2 => prop::sample::select(vec![
                    r"\ud800", r"\udc00", r"\ud800\u0041", r"\ud800\", r"\ud800\u",
                    r"\u12", r"\u+fff", r"\uzzzz", r"\q", r"\x", "\\中", r"\u", r"\",
                ]).prop_map(str::to_owned),
            ],
            0..16,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(2000))]

        /// The one loop decodes a body as the character-at-a-time reference
        /// does: the same text, the same verdict on its escapes; it borrows
        /// exactly when there is no backslash.
        #[test]
        fn unescape_agrees_with_reference(body in body()) {
            let (text, ok) = unescape(&body);
            prop_assert_eq!(matches!(text, Cow::Borrowed(_)), !body.contains('\\'));
            prop_assert_eq!((text.into_owned(), ok), reference::unescape(&body));
        }

        /// A JSON text written inside a JSON string (its `"` and `\` escaped,
        /// its `/` now and then) decodes in one pass with `nested_escape`
        /// as the reference decodes the text itself: the same verdict, and
        /// where valid the same characters.
        #[test]
        fn nested_escapes_agree_with_reference(inner in body(), slashes in any::<bool>()) {
            let mut raw = String::new();
            for c in inner.chars() {
                match c {
                    '"' => raw.push_str("\\\""),
                    '\\' => raw.push_str("\\\\"),
                    '/' if slashes => raw.push_str("\\/"),
                    c => raw.push(c),
                }
            }
            let (text, ok) = unescape_at(&raw, backslashes(&raw), |b, k| Some(nested_escape(b, k)));
            let (want, want_ok) = reference::unescape(&inner);
            prop_assert_eq!(ok, want_ok, "{}", raw);
            if ok {
                prop_assert_eq!(text.into_owned(), want);
            }
        }
    }
}
