//! JSON values skipped without being read.

use super::skip_string;

/// Index of the first byte at or after `i` that is not JSON white space.
#[inline]
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// The end of the JSON value at `i`, nested at most `max_depth` deep; `None`
/// for a malformed or deeper value. Strings are checked; numbers and
/// literals are only delimited (the caller has the parser check the value).
pub(crate) fn skip_value(b: &[u8], i: usize, max_depth: usize) -> Option<usize> {
    skip_value_at(b, i, max_depth)
}

fn skip_value_at(b: &[u8], i: usize, depth_left: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        open @ (b'{' | b'[') => {
            let depth_left = depth_left.checked_sub(1)?;
            let close = if *open == b'{' { b'}' } else { b']' };
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&close) {
                return Some(j + 1);
            }
            loop {
                if *open == b'{' {
                    if b.get(j) != Some(&b'"') {
                        return None;
                    }
                    j = skip_ws(b, skip_string(b, j)?);
                    if b.get(j) != Some(&b':') {
                        return None;
                    }
                    j = skip_ws(b, j + 1);
                }
                j = skip_ws(b, skip_value_at(b, j, depth_left)?);
                match b.get(j)? {
                    b',' => j = skip_ws(b, j + 1),
                    c if *c == close => return Some(j + 1),
                    _ => return None,
                }
            }
        }
        _ => {
            let mut j = i;
            while b
                .get(j)
                .is_some_and(|c| !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}
