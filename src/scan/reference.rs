//! Byte-at-a-time references for the scanners, which the property tests
//! compare the fast code against.

use super::Stop;

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
