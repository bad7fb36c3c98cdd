//! Vendor-neutral text helpers: line splitting, ANSI and carriage-return
//! cleaning, bounded line length. Nothing here knows a vendor.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use crate::note::{Note, Notes};
use crate::options::TextMode;

pub(crate) const ESC: u8 = 0x1b;
const BEL: u8 = 0x07;

/// `bytes` as text if it is all valid UTF-8. A whole input is checked
/// with SIMD (several times faster than `std` on log text); where it fails,
/// `std::str::from_utf8` says where.
#[inline]
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Whether `s` needs [`clean`] (holds an ESC or a CR).
#[inline]
pub(crate) fn needs_cleaning(s: &str) -> bool {
    memchr::memchr2(ESC, b'\r', s.as_bytes()).is_some()
}

/// Cleans message text per `mode`: strips ANSI escape sequences, then keeps
/// the last non-empty carriage-return segment. Notes what changed. Borrows
/// when nothing changed.
#[inline]
pub(crate) fn clean<'a>(s: Cow<'a, str>, mode: TextMode, notes: &mut Notes) -> Cow<'a, str> {
    if mode == TextMode::Raw || !needs_cleaning(&s) {
        return s;
    }
    clean_slow(s, notes)
}

fn clean_slow<'a>(s: Cow<'a, str>, notes: &mut Notes) -> Cow<'a, str> {
    let mut out = s;

    if memchr::memchr(ESC, out.as_bytes()).is_some() {
        out = Cow::Owned(strip_ansi(&out));
        notes.insert(Note::AnsiStripped);
    }
    if memchr::memchr(b'\r', out.as_bytes()).is_some() {
        let last = out
            .split('\r')
            .rev()
            .find(|seg| !seg.is_empty())
            .unwrap_or("")
            .to_owned();
        out = Cow::Owned(last);
        notes.insert(Note::CrOverwrite);
    }
    out
}

/// Removes ANSI/ECMA-48 escape sequences: CSI (`ESC [ … final`), OSC
/// (`ESC ] … BEL|ST`), DCS/SOS/PM/APC strings, and two-byte and `nF`
/// escapes. A truncated sequence at the end is dropped.
pub(crate) fn strip_ansi(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let Some(rel) = memchr::memchr(ESC, b.get(i..).unwrap_or_default()) else {
            out.push_str(s.get(i..).unwrap_or_default());
            break;
        };
        let at = i + rel;
        out.push_str(s.get(i..at).unwrap_or_default());
        i = skip_escape(b, at);
    }
    out
}

/// Returns the index just past the escape sequence starting at `at` (an ESC).
fn skip_escape(b: &[u8], at: usize) -> usize {
    let mut j = at + 1;
    match b.get(j) {
        None => j,
        // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E.
        Some(b'[') => sequence_end(b, j + 1, 0x20..=0x3F, 0x40..=0x7E),
        Some(b']' | b'P' | b'X' | b'^' | b'_') => {
            // String sequences, ended by BEL or ST (ESC \).
            j += 1;
            while let Some(&c) = b.get(j) {
                if c == BEL {
                    return j + 1;
                }
                if c == ESC {
                    return if b.get(j + 1) == Some(&b'\\') {
                        j + 2
                    } else {
                        j
                    };
                }
                j += 1;
            }
            j
        }
        // nF: intermediates then a final byte 0x30-0x7E.
        Some(&c) if (0x20..=0x2F).contains(&c) => sequence_end(b, j, 0x20..=0x2F, 0x30..=0x7E),
        Some(&c) if (0x30..=0x7E).contains(&c) => j + 1,
        // ESC followed by something else (including non-ASCII): drop the ESC only.
        Some(_) => j,
    }
}

/// The end of a sequence's bytes from `j`: bytes in `more`, then one in
/// `last`, which ends it. Any other byte (malformed) ends it before itself;
/// so does the end of `b`.
fn sequence_end(
    b: &[u8],
    mut j: usize,
    more: RangeInclusive<u8>,
    last: RangeInclusive<u8>,
) -> usize {
    while let Some(c) = b.get(j) {
        if last.contains(c) {
            return j + 1;
        }
        if !more.contains(c) {
            return j;
        }
        j += 1;
    }
    j
}

/// Cuts `s` to at most `max` bytes at a character boundary. Returns whether
/// it was cut.
pub(crate) fn truncate_cow(s: &mut Cow<'_, str>, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    match s {
        Cow::Borrowed(b) => *b = b.get(..end).unwrap_or_default(),
        Cow::Owned(o) => o.truncate(end),
    }
    true
}

/// Decodes a line of bytes: borrowed when valid UTF-8, otherwise replaced
/// lossily with [`Note::InvalidUtf8`].
pub(crate) fn utf8_lossy<'a>(line: &'a [u8], notes: &mut Notes) -> Cow<'a, str> {
    match std::str::from_utf8(line) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            notes.insert(Note::InvalidUtf8);
            String::from_utf8_lossy(line)
        }
    }
}

/// Skips a UTF-8 byte-order mark.
pub(crate) fn strip_bom(input: &[u8]) -> &[u8] {
    input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(s: &str) -> (String, Vec<&'static str>) {
        let mut notes = Notes::EMPTY;
        let out = clean(Cow::Borrowed(s), TextMode::Clean, &mut notes);
        (out.into_owned(), notes.iter().map(Note::code).collect())
    }

    /// Each kind of escape sequence and carriage return: (text, cleaned,
    /// notes).
    #[test]
    fn ansi_and_cr_cleaning() {
        const ANSI: &str = "ansi_stripped";
        const CR: &str = "cr_overwrite";
        let cases: &[(&str, &str, &[&str])] = &[
            ("plain", "plain", &[]),
            (
                "\x1b[31mred\x1b[0m and \x1b[1;32mbold\x1b[m",
                "red and bold",
                &[ANSI],
            ),
            ("dl 10%\rdl 50%\rdl 100%", "dl 100%", &[CR]),
            ("done\r", "done", &[CR]),
            ("\x1b[2K\r\x1b[32m100%\x1b[0m", "100%", &[ANSI, CR]),
            ("\x1b]0;title\x07text", "text", &[ANSI]),
            ("\x1b]8;;http://x\x1b\\link", "link", &[ANSI]),
            ("\x1b_bk;t=123\x07out", "out", &[ANSI]),
            ("\x1b(Bx", "x", &[ANSI]),
            ("trailing\x1b", "trailing", &[ANSI]),
            ("bad\x1b[12中", "bad中", &[ANSI]),
            ("\x1b[31", "", &[ANSI]),
        ];
        for &(text, want, notes) in cases {
            assert_eq!(cleaned(text), (want.to_owned(), notes.to_vec()), "{text:?}");
        }
    }

    #[test]
    fn raw_mode_keeps_everything() {
        let mut notes = Notes::EMPTY;
        let s = "\x1b[31mred\rx";
        assert_eq!(clean(Cow::Borrowed(s), TextMode::Raw, &mut notes), s);
        assert!(notes.is_empty());
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let mut s = Cow::Borrowed("中文字");
        assert!(truncate_cow(&mut s, 4));
        assert_eq!(s, "中");
        let mut s: Cow<'_, str> = Cow::Owned("abc".into());
        assert!(!truncate_cow(&mut s, 3));
    }
}
