//! The one stop-byte finder: the first of one, two or three bytes.

#[cfg(target_arch = "x86_64")]
use memchr::arch::x86_64::avx2::memchr as avx2;

/// Finds the first of one, two or three bytes (a line feed; a string's
/// quote and backslash; those and `&`): `Finder::new([b'\n'])`. Made once
/// per document and kept: on x86-64 with AVX2 it holds memchr's AVX2
/// searcher, sparing each search the run-time dispatch and needle set-up of
/// [`memchr::memchr`] and its kin (a few dozen instructions, about one
/// search a line); elsewhere it calls those functions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Finder<B: Bytes> {
    bytes: B,
    #[cfg(target_arch = "x86_64")]
    avx2: Option<B::Avx2>,
}

impl<B: Bytes> Finder<B> {
    /// The fastest finder of `bytes` this CPU has.
    pub(crate) fn new(bytes: B) -> Self {
        Finder {
            bytes,
            #[cfg(target_arch = "x86_64")]
            avx2: bytes.avx2(),
        }
    }

    /// The index of the first of the finder's bytes in `haystack`.
    #[inline]
    pub(crate) fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(s) = &self.avx2 {
            return B::find_avx2(s, haystack);
        }
        self.bytes.find(haystack)
    }

    /// The finder that calls memchr's functions, as on a CPU without AVX2.
    #[cfg(test)]
    fn portable(bytes: B) -> Self {
        Finder {
            bytes,
            #[cfg(target_arch = "x86_64")]
            avx2: None,
        }
    }
}

/// One, two or three bytes to find (`[u8; 1]` to `[u8; 3]`), with memchr's
/// searchers for them.
pub(crate) trait Bytes: Copy {
    /// memchr's AVX2 searcher.
    #[cfg(target_arch = "x86_64")]
    type Avx2: Copy + std::fmt::Debug;
    /// The AVX2 searcher, if the CPU has AVX2.
    #[cfg(target_arch = "x86_64")]
    fn avx2(self) -> Option<Self::Avx2>;
    /// A search with the AVX2 searcher.
    #[cfg(target_arch = "x86_64")]
    fn find_avx2(s: &Self::Avx2, haystack: &[u8]) -> Option<usize>;
    /// A search with memchr's portable function.
    fn find(self, haystack: &[u8]) -> Option<usize>;
}

/// [`Bytes`] for `[u8; $n]` with the searcher `$avx2` and the function `$any`.
macro_rules! bytes {
    ($n:literal, $avx2:ident, $any:path, $($b:ident),+) => {
        impl Bytes for [u8; $n] {
            #[cfg(target_arch = "x86_64")]
            type Avx2 = avx2::$avx2;

            #[cfg(target_arch = "x86_64")]
            fn avx2(self) -> Option<avx2::$avx2> {
                let [$($b),+] = self;
                avx2::$avx2::new($($b),+)
            }

            #[cfg(target_arch = "x86_64")]
            #[inline]
            fn find_avx2(s: &avx2::$avx2, haystack: &[u8]) -> Option<usize> {
                s.find(haystack)
            }

            #[inline]
            fn find(self, haystack: &[u8]) -> Option<usize> {
                let [$($b),+] = self;
                $any($($b),+, haystack)
            }
        }
    };
}

bytes!(1, One, memchr::memchr, a);
bytes!(2, Two, memchr::memchr2, a, b);
bytes!(3, Three, memchr::memchr3, a, b, c);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::reference;
    use proptest::prelude::*;

    /// Bytes biased towards the ones the finders look for.
    fn haystack() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![8 => any::<u8>(), 1 => Just(b'\n'), 1 => Just(b'"'), 1 => Just(b'\\')],
            0..300,
        )
    }

    fn needle() -> impl Strategy<Value = u8> {
        prop_oneof![Just(b'\n'), Just(b'"'), Just(b'\\'), any::<u8>()]
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]
        /// Each finder, the AVX2 one and the portable one, finds the first
        /// of its bytes, as a byte loop does, at every length and offset.
        #[test]
        fn finders_agree_with_byte_loop(a in needle(), b in needle(), c in needle(), hay in haystack(), from in 0usize..70) {
            let hay = hay.get(from..).unwrap_or_default();
            let want = |n: &[u8]| reference::find(n, hay);
            prop_assert_eq!(Finder::new([a]).find(hay), want(&[a]));
            prop_assert_eq!(Finder::portable([a]).find(hay), want(&[a]));
            prop_assert_eq!(Finder::new([a, b]).find(hay), want(&[a, b]));
            prop_assert_eq!(Finder::portable([a, b]).find(hay), want(&[a, b]));
            prop_assert_eq!(Finder::new([a, b, c]).find(hay), want(&[a, b, c]));
            prop_assert_eq!(Finder::portable([a, b, c]).find(hay), want(&[a, b, c]));
        }
    }
}
