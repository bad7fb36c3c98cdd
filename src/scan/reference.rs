//! Byte-at-a-time references for the scanners, which the property tests
//! compare the fast code against.

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
