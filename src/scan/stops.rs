//! The end of a long JSON string with sparse escapes, found stop by stop,
//! noting what it passes.

use super::{Bytes, Finder, escape_len, has_control, hex4};

/// What a [`StringScan`] passed at one of its stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A line break escape, `\n` or `\u000a` (its backslash).
    LineBreak,
    /// Any other escape (its backslash).
    Escape,
    /// An `&` (the start of an HTML entity), for a scan that stops there.
    Amp,
}

/// Finds the end of a JSON string stop by stop, for long strings with
/// sparse escapes (a log's text: about one escape a line, its line break):
/// the next quote or backslash (and `&` with [`StringScan::with_amp`]) is
/// found with vector code, each escape is checked, and once the end is
/// found the body is checked for control characters in one pass the
/// compiler vectorizes. On its way it tells the caller what it passes, so
/// that a second pass over the string (its lines) need not search. Made
/// once per document. Same result as [`super::skip_string`] on every input.
pub(crate) struct StringScan<B: Bytes> {
    finder: Finder<B>,
}

impl StringScan<[u8; 2]> {
    /// A scan that stops at escapes.
    pub(crate) fn new() -> Self {
        StringScan {
            finder: Finder::new([b'"', b'\\']),
        }
    }
}

impl StringScan<[u8; 3]> {
    /// A scan that stops at escapes and at `&`.
    pub(crate) fn with_amp() -> Self {
        StringScan {
            finder: Finder::new([b'"', b'\\', b'&']),
        }
    }
}

impl<B: Bytes> StringScan<B> {
    /// The end of the JSON string opening at `i`, if it is well formed;
    /// `stop(k, what)` is called for each escape's backslash and each `&`
    /// at `k` on the way, in order. What it was told of a string it does
    /// not accept means nothing.
    #[inline]
    pub(crate) fn skip(
        &self,
        b: &[u8],
        i: usize,
        mut stop: impl FnMut(usize, Stop),
    ) -> Option<usize> {
        let mut j = i + 1;
        loop {
            let k = j + self.finder.find(b.get(j..)?)?;
            match *b.get(k)? {
                b'"' => {
                    let body = b.get(i + 1..k)?;
                    return (!has_control(body)).then_some(k + 1);
                }
                b'\\' => {
                    // `\n`, the escape of every line, checked here; the
                    // others by `escape_len`.
                    let (len, what) = match b.get(k + 1) {
                        Some(b'n') => (2, Stop::LineBreak),
                        _ => match escape_len(b, k)? {
                            6 if hex4(b, k + 2) == Some(0x0A) => (6, Stop::LineBreak),
                            len => (len, Stop::Escape),
                        },
                    };
                    stop(k, what);
                    j = k + len;
                }
                _ => {
                    stop(k, Stop::Amp);
                    j = k + 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::reference;
    use proptest::prelude::*;

    /// What a scan found: its end and its stops.
    fn scanned<B: Bytes>(scan: &StringScan<B>, b: &[u8]) -> Option<(usize, Vec<(usize, Stop)>)> {
        let mut stops = Vec::new();
        let end = scan.skip(b, 0, |k, what| stops.push((k, what)))?;
        Some((end, stops))
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]
        /// Both scans end (or refuse) a string where the byte loop does,
        /// and tell of each escape and (with `&`) each `&` it passes, in
        /// order, line breaks as such.
        #[test]
        fn string_scans_agree_with_byte_loop(b in reference::string()) {
            prop_assert_eq!(scanned(&StringScan::new(), &b), reference::stops(&b, 0, false));
            prop_assert_eq!(scanned(&StringScan::with_amp(), &b), reference::stops(&b, 0, true));
        }
    }
}
