//! Byte-at-a-time references for the scanners, which the property tests
//! compare the fast code against.

use super::Stop;
use proptest::prelude::*;

/// The index of the first byte of `haystack` that is one of `needles`: the
/// reference for [`super::Finder::find`].
pub(super) fn find(needles: &[u8], haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|c| needles.contains(c))
}

/// The end of the JSON string opening at `i`, byte by byte: the reference
/// for [`super::skip_string`] and the other string scans.
pub(crate) fn skip_string(b: &[u8], i: usize) -> Option<usize> {
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

/// The end of the JSON string opening at `i` and what a
/// [`super::StringScan`] passes on its way: byte by byte, each escape's
/// backslash (a line break for `\n` and `\u000a`, in either case) and, with
/// `amp`, each `&`.
pub(super) fn stops(b: &[u8], i: usize, amp: bool) -> Option<(usize, Vec<(usize, Stop)>)> {
    let end = skip_string(b, i)?;
    let mut stops = Vec::new();
    let mut j = i + 1;
    while j < end - 1 {
        match b.get(j..end)? {
            [b'\\', b'n', ..] => stops.push((j, Stop::LineBreak)),
            [b'\\', b'u', b'0', b'0', b'0', b'a' | b'A', ..] => stops.push((j, Stop::LineBreak)),
            [b'\\', ..] => stops.push((j, Stop::Escape)),
            [b'&', ..] if amp => stops.push((j, Stop::Amp)),
            _ => {}
        }
        j += match b.get(j..end)? {
            [b'\\', b'u', ..] => 6,
            [b'\\', ..] => 2,
            _ => 1,
        };
    }
    Some((end, stops))
}

/// A JSON string body made of the pieces strings are made of: plain runs,
/// short and longer than a 64-byte block, `&`s, line breaks of both kinds,
/// escapes of every kind (the dense `\"` and `\\` of JSON in JSON, paired
/// and lone surrogates), any characters; now and then a broken escape, a
/// control character or a raw quote.
pub(crate) fn string_body() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        8 => "[ -!#-\\[\\]-~é中]{0,12}".prop_map(String::into_bytes),
        1 => "[ -!#-\\[\\]-~]{40,140}".prop_map(String::into_bytes),
        2 => Just(b"&".to_vec()),
        1 => Just(b"&lt;".to_vec()),
        4 => Just(b"\\n".to_vec()),
        2 => Just(b"\\u000a".to_vec()),
        1 => Just(b"\\u000A".to_vec()),
        3 => Just(b"\\\"".to_vec()),
        3 => Just(b"\\\\".to_vec()),
        1 => Just(b"\\\\n".to_vec()),
        2 => Just(b"\\\\u003e".to_vec()),
        1 => Just(b"\\n\\/\\t\\b\\f\\r".to_vec()),
        1 => prop::sample::select(vec![&b"\\u00e9"[..], b"\\u001b", b"\\ud800", b"\\ud83d\\ude00"])
            .prop_map(<[u8]>::to_vec),
        1 => "\\PC{1,3}".prop_map(String::into_bytes),
        1 => prop::sample::select(vec![
            &b"\\u12"[..], b"\\u00", b"\\x", b"\\uZZZZ", b"\\", b"\x1f", b"\x00", b"\x01", b"\"",
        ])
        .prop_map(<[u8]>::to_vec),
    ];
    prop::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

/// A JSON string of a [`string_body`], closed or not, and what may follow.
pub(crate) fn string() -> impl Strategy<Value = Vec<u8>> {
    (string_body(), any::<bool>()).prop_map(|(body, close)| {
        let mut b = b"\"".to_vec();
        b.extend(body);
        if close {
            b.extend_from_slice(b"\",\"x\"");
        }
        b
    })
}
