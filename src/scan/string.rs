//! The end of a JSON string, checked 64 bytes at a time; the escapes.

use super::swar::{HIGH, check_rare_escapes, classify, escaped_bytes, gather, words};

/// The end of the JSON string opening at `i`, if it is well formed.
///
/// Sixty-four bytes at a time: eight-byte words give one bit per backslash
/// and per quote, the escaped bytes follow from those without a branch, the
/// first quote not escaped ends the string; control characters are only
/// located in a block that has one. Only escapes other than `\"` and `\\`
/// are looked at one by one, and the last bytes. A content string is long
/// and dense in escapes (every inner quote is `\"`), so this is most of the
/// skim's work, and a byte-at-a-time loop's branches on them were most of
/// its time.
///
/// This is the second string scanner beside [`super::StringScan`] (stop by
/// stop, for long strings with sparse escapes), kept because SWR's strings
/// are dense: `valgrind --tool=callgrind target/release/cilog --no-redact
/// /work/big16/swr.json` counted 553.8 M instructions with this function,
/// 594.2 M with `StringScan` in its place (+7.3 %) and 659.0 M with a plain
/// byte loop (+19 %); on bk.json and the CodeArts pages the two scanners
/// were within 0.1 % (measured 2026-12-07 on commit c807e1f, the
/// alternative switched in by hand).
pub(crate) fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut carry = 0;
    while let Some(block) = b.get(j..j + 64) {
        let (mut backslash, mut quote, mut text) = (0, 0, HIGH);
        for (k, w) in words(block).enumerate() {
            let (bs, q, t) = classify(w);
            backslash |= gather(bs) << (8 * k);
            quote |= gather(q) << (8 * k);
            text &= t;
        }
        let escaped = escaped_bytes(backslash, &mut carry);
        let ends = quote & !escaped;
        let before = if ends == 0 {
            u64::MAX
        } else {
            (ends & ends.wrapping_neg()) - 1
        };
        if text != HIGH {
            // A control character in this block: is it in the string?
            let control = words(block)
                .enumerate()
                .fold(0, |m, (k, w)| m | gather(!classify(w).2 & HIGH) << (8 * k));
            if control & before != 0 {
                return None;
            }
        }
        check_rare_escapes(b, j, escaped & before & !(backslash | quote))?;
        if ends != 0 {
            return Some(j + ends.trailing_zeros() as usize + 1);
        }
        j += 64;
    }
    // The last bytes, one by one; an escape may have begun in the last block.
    if carry != 0 {
        let k = j.checked_sub(1)?;
        j = k + escape_len(b, k)?;
    }
    loop {
        match b.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += escape_len(b, j)?,
            c if *c < 0x20 => return None,
            _ => j += 1,
        }
    }
}

/// Whether `s` has a control character (below 0x20): the least byte of
/// each 4 KiB, a reduction the compiler vectorizes.
pub(crate) fn has_control(s: &[u8]) -> bool {
    s.chunks(4096)
        .any(|block| block.iter().copied().min().is_some_and(|m| m < 0x20))
}

/// Reads four hex digits at `pos`.
pub(crate) fn hex4(b: &[u8], pos: usize) -> Option<u32> {
    let s = b.get(pos..pos.checked_add(4)?)?;
    let mut v = 0u32;
    for &c in s {
        v = v * 16 + (c as char).to_digit(16)?;
    }
    Some(v)
}

/// The length of the valid escape at `k` (a backslash), `None` if invalid.
pub(crate) fn escape_len(b: &[u8], k: usize) -> Option<usize> {
    match *b.get(k + 1)? {
        b'u' if b.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => Some(6),
        letter => one_letter(letter).map(|_| 2),
    }
}

/// The character of the one-letter escape `\\letter`, if it is one.
#[inline]
pub(crate) fn one_letter(letter: u8) -> Option<char> {
    Some(match letter {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{StringScan, reference};
    use proptest::prelude::*;

    /// The string skip agrees with the byte loop with two events — a
    /// control character, an escape of any kind, good or bad, a raw quote,
    /// a run of backslashes — at every offset of the first blocks, at
    /// gaps around a block's length: every block edge case, exhaustively.
    #[test]
    fn string_skip_agrees_with_byte_loop_at_every_offset() {
        let events: [&[u8]; 12] = [
            b"\x1f",
            b"\x00",
            b"\\n",
            b"\\u00e9",
            b"\\u00g9",
            b"\\x",
            b"\\\"",
            b"\\\\",
            b"\\\\\\",
            b"\\\\\\\"",
            b"\"",
            b"\\/",
        ];
        for at in 0..140 {
            for first in events {
                for second in events {
                    for gap in [0, 1, 2, 5, 61, 62, 63, 64, 65] {
                        let mut bytes = vec![b'"'];
                        bytes.resize(1 + at, b'a');
                        bytes.extend(first);
                        bytes.resize(bytes.len() + gap, b'b');
                        bytes.extend(second);
                        bytes.extend_from_slice(b"cc\"");
                        assert_eq!(
                            StringScan::with_amp().skip(&bytes, 0, |_, _| {}),
                            reference::skip_string(&bytes, 0),
                            "{}",
                            String::from_utf8_lossy(&bytes)
                        );
                        assert_eq!(
                            skip_string(&bytes, 0),
                            reference::skip_string(&bytes, 0),
                            "{}",
                            String::from_utf8_lossy(&bytes)
                        );
                    }
                }
            }
        }
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// The word-at-a-time string skip gives the same end (or the same
        /// refusal) as a plain byte loop over the JSON string grammar, on
        /// bytes dense in quotes, backslashes, escape letters, hex digits
        /// and control characters, from any start.
        #[test]
        fn string_skip_agrees_with_byte_loop(
            bytes in prop::collection::vec(prop_oneof![
                4 => Just(b'"'), 6 => Just(b'\\'), 1 => Just(b'/'), 1 => Just(b'u'),
                1 => Just(b'n'), 1 => Just(b'x'), 1 => Just(b'0'), 1 => Just(b'F'),
                1 => Just(0x1f_u8), 1 => Just(0x20_u8), 1 => Just(0x7f_u8),
                1 => Just(0x80_u8), 1 => Just(0x00_u8), 1 => Just(b'#'), 1 => Just(b']'),
                4 => any::<u8>(),
            ], 0..48),
            from in 0usize..8,
        ) {
            prop_assert_eq!(skip_string(&bytes, from), reference::skip_string(&bytes, from));
            prop_assert_eq!(StringScan::with_amp().skip(&bytes, from, |_, _| {}), reference::skip_string(&bytes, from));
        }

        /// The same on strings made of the pieces strings are made of,
        /// from the quote or a byte or two after it.
        #[test]
        fn string_skip_agrees_with_byte_loop_on_pieces(bytes in reference::string(), from in 0usize..3) {
            prop_assert_eq!(skip_string(&bytes, from), reference::skip_string(&bytes, from));
            prop_assert_eq!(StringScan::with_amp().skip(&bytes, from, |_, _| {}), reference::skip_string(&bytes, from));
        }
    }
}
