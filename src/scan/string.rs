//! The end of a JSON string, checked.

use super::swar::{HIGH, check_rare_escapes, classify, escaped_bytes, gather, words};

/// [`skip_string`] for a string that is likely short and plain (a key, an
/// id): byte by byte to the first quote; a string with an escape or a
/// control character, or longer than a few words, is left to
/// [`skip_string`] from its start. Same result on every input.
#[inline]
pub(crate) fn skip_short_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while let Some(&c) = b.get(j) {
        if c == b'"' {
            return Some(j + 1);
        }
        if c == b'\\' || c < 0x20 || j - i > 48 {
            break;
        }
        j += 1;
    }
    skip_string(b, i)
}

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
    match b.get(k + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' if b.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => Some(6),
        _ => None,
    }
}
