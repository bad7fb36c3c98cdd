//! Stop bytes found with vector code, the searcher made once.

use super::{Finder, escape_len, has_control};

/// A string scan that stops at each quote, backslash and `&`, its
/// [`Finder`] made once per document.
pub(crate) struct StringStops {
    finder: Finder<[u8; 3]>,
}

impl StringStops {
    pub(crate) fn new() -> StringStops {
        StringStops {
            finder: Finder::new([b'"', b'\\', b'&']),
        }
    }

    #[inline]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        self.finder.find(haystack)
    }

    /// [`StringStops::skip_string_marking`] noting nothing, for the tests.
    #[cfg(test)]
    pub(crate) fn skip_string(&self, b: &[u8], i: usize) -> Option<usize> {
        self.skip_string_marking(b, i, &mut Vec::new(), 0)
    }

    /// [`skip_string`] for long strings with sparse escapes, as BlueKing's
    /// `log_content`: the next quote, backslash or `&` is found with vector
    /// code, each escape is checked, and once the end is found the body is
    /// checked for control characters in one pass the compiler
    /// vectorizes. Same result as [`skip_string`] on every input.
    ///
    /// It also appends to `marks` the position of every escape's backslash
    /// and of every `&`, in order, while `marks` holds fewer than `cap` —
    /// the stops it visits anyway, so that a second pass over the string
    /// (its lines) need not search. `b` must be shorter than `u32::MAX`
    /// when `cap` is not 0. Only the positions of a string it accepts are
    /// meaningful.
    #[inline(never)]
    pub(crate) fn skip_string_marking(
        &self,
        b: &[u8],
        i: usize,
        marks: &mut Vec<u32>,
        cap: usize,
    ) -> Option<usize> {
        let mut j = i + 1;
        loop {
            let k = j + self.find(b.get(j..)?)?;
            let c = *b.get(k)?;
            if c == b'"' {
                let body = b.get(i + 1..k)?;
                return (!has_control(body)).then_some(k + 1);
            }
            if marks.len() < cap {
                marks.push(k as u32);
            }
            // `\n`, the escape of every line, checked here; the others by
            // `escape_len`.
            j = k + match (c, b.get(k + 1)) {
                (b'&', _) => 1,
                (_, Some(b'n')) => 2,
                _ => escape_len(b, k)?,
            };
        }
    }
}
