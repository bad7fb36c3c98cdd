//! Eight bytes at a time: the word tricks of the 64-byte string scan.

use super::escape_len;

/// Low seven bits of each byte of a word.
pub(crate) const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
/// The high bit of each byte of a word.
pub(crate) const HIGH: u64 = 0x8080_8080_8080_8080;
/// One in each byte of a word.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit set exactly on the bytes of `w` that are a backslash, on
/// those that are a quote, and on those that are not control characters.
/// `(x & LOW7) + LOW7 | x` has the high bit of each byte set exactly where
/// the byte is not zero, and `(x & LOW7) + 0x60 | x` where it is not below
/// 0x20; no carry crosses a byte, each sum being below 0x100. The two bytes
/// sought are below 0x80, so the `^` that zeroes them commutes with `& LOW7`.
#[inline]
pub(crate) fn classify(w: u64) -> (u64, u64, u64) {
    let low = w & LOW7;
    let backslash = !(((low ^ (ONES * u64::from(b'\\'))) + LOW7) | w) & HIGH;
    let quote = !(((low ^ (ONES * u64::from(b'"'))) + LOW7) | w) & HIGH;
    let text = ((low + ONES * 0x60) | w) & HIGH;
    (backslash, quote, text)
}

/// The high bits of a mask from [`classify`], one bit per byte:
/// byte `k` of the word gives bit `k`. The multiplier is the sum of
/// `2^(7j)` for `j` in 0..8: bit `8k + 7` times `2^(7(7 - k))` lands on bit
/// `56 + k`, and the products are distinct powers of two, so nothing
/// carries.
#[inline]
pub(crate) fn gather(high: u64) -> u64 {
    high.wrapping_mul(0x0002_0408_1020_4081) >> 56
}

/// The eight words of a 64-byte block.
#[inline]
pub(crate) fn words(block: &[u8]) -> impl Iterator<Item = u64> + '_ {
    block
        .chunks_exact(8)
        .filter_map(|c| <[u8; 8]>::try_from(c).ok())
        .map(u64::from_le_bytes)
}

/// The bytes of a block that are escaped (follow an odd run of
/// backslashes), given the block's backslashes; `carry` says whether the
/// block's first byte is escaped, and is set for the next block. The
/// branch-free odd-run method of simdjson (Langdale & Lemire, "Parsing
/// gigabytes of JSON per second", 2019).
#[inline]
pub(crate) fn escaped_bytes(backslash: u64, carry: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslash = backslash & !*carry;
    let follows = (backslash << 1) | *carry;
    let odd_starts = backslash & !EVEN & !follows;
    let (sequences_on_even, overflow) = odd_starts.overflowing_add(backslash);
    *carry = u64::from(overflow);
    (EVEN ^ (sequences_on_even << 1)) & follows
}

/// Checks the escapes in `block_start + bit` for each bit of `chars`: the
/// escaped characters other than `"` and `\` (the backslash is one byte
/// before each).
#[inline]
pub(crate) fn check_rare_escapes(b: &[u8], block_start: usize, mut chars: u64) -> Option<()> {
    while chars != 0 {
        let k = block_start + chars.trailing_zeros() as usize;
        escape_len(b, k.checked_sub(1)?)?;
        chars &= chars - 1;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// The word masks flag exactly the backslashes, the quotes and the
        /// control characters of a word, one bit per byte once gathered.
        #[test]
        fn word_masks_flag_exactly_their_bytes(w in prop::array::uniform8(prop_oneof![
            Just(b'"'), Just(b'\\'), Just(0x1f_u8), Just(0x20_u8), Just(0x21_u8), Just(b'#'),
            Just(b']'), Just(b'['), Just(0x7f_u8), Just(0x80_u8), Just(0xa2_u8), Just(0xdc_u8),
            Just(0x00_u8), any::<u8>(),
        ])) {
            let want = |f: fn(u8) -> bool| w.iter().enumerate()
                .fold(0u64, |m, (k, &c)| if f(c) { m | 1 << k } else { m });
            let x = u64::from_le_bytes(w);
            let (backslash, quote, text) = classify(x);
            prop_assert_eq!(gather(backslash), want(|c| c == b'\\'));
            prop_assert_eq!(gather(quote), want(|c| c == b'"'));
            prop_assert_eq!(gather(!text & HIGH), want(|c| c < 0x20));
        }

        /// The branch-free escaped-byte masks, block after block, mark the
        /// bytes that follow an odd run of backslashes, as a byte loop does.
        #[test]
        fn escaped_bytes_agree_with_byte_loop(
            bits in prop::collection::vec(prop_oneof![3 => Just(true), 2 => Just(false)], 0..256),
        ) {
            let mut want = Vec::new();
            let mut escaped = false;
            for &backslash in &bits {
                want.push(escaped);
                escaped = backslash && !escaped;
            }
            let mut carry = 0;
            let mut got = Vec::new();
            for block in bits.chunks(64) {
                let mask = block.iter().enumerate()
                    .fold(0u64, |m, (k, &b)| if b { m | 1 << k } else { m });
                let e = escaped_bytes(mask, &mut carry);
                got.extend((0..block.len()).map(|k| e >> k & 1 == 1));
            }
            prop_assert_eq!(got, want);
        }
    }
}
