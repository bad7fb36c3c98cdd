//! Truncated JSON made whole again (lenient mode).

use crate::scan::hex4;
use crate::scan::skip_ws;

/// A truncated JSON document made whole again (lenient mode only).
#[derive(Debug, PartialEq)]
pub(crate) struct Completion {
    /// The readable document: the input up to `cut`, then the closers.
    pub(crate) text: String,
    /// Where the input stopped being used: the text from here on is the
    /// cut-off part, kept raw by the caller.
    pub(crate) cut: usize,
    /// Whether the cut fell inside a long string value that was kept and
    /// closed (a log text cut short), instead of being dropped.
    pub(crate) partial_string: bool,
}

/// A string value longer than this (raw bytes so far) is kept when the
/// input ends inside it: it is log text, and its complete lines are worth
/// having. Shorter ones (ids, states, times) are dropped rather than kept
/// cut short, which would be a silently wrong value.
const KEEP_PARTIAL_STRING: usize = 64;

/// Completes a JSON document that ends early: cuts it at the last point
/// where every open container can be closed (after a complete value, or
/// inside a long string value), and closes them. `None` when there is
/// nothing to complete (the document is whole, empty, or not JSON-shaped).
pub(crate) fn complete_truncated(input: &str) -> Option<Completion> {
    let b = input.as_bytes();
    // Stack of open containers: b'{' or b'['; for objects, whether a key is
    // expected next (after `{` or `,`).
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut safe: Option<(usize, usize)> = None; // (cut, depth)
    let mut i = skip_ws(b, 0);
    if !matches!(b.get(i), Some(b'{' | b'[')) {
        return None;
    }
    while i < b.len() {
        let c = *b.get(i)?;
        match c {
            b'{' | b'[' => {
                if stack.len() >= 128 {
                    break;
                }
                stack.push((c, c == b'{'));
                i += 1;
                safe = Some((i, stack.len()));
            }
            b'}' | b']' => {
                stack.pop();
                i += 1;
                if stack.is_empty() {
                    return None; // the document is complete
                }
                safe = Some((i, stack.len()));
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = top.0 == b'{';
                }
                i += 1;
            }
            b':' => {
                if let Some(top) = stack.last_mut() {
                    top.1 = false;
                }
                i += 1;
            }
            b'"' => {
                let is_key = stack.last().is_some_and(|t| t.0 == b'{' && t.1);
                let start = i;
                let mut j = i + 1;
                let end = loop {
                    let rest = b.get(j..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(k) if rest.get(k) == Some(&b'\\') => j += k + 2,
                        Some(k) => break Some(j + k + 1),
                        None => break None,
                    }
                };
                match end {
                    Some(e) => {
                        i = e;
                        if !is_key {
                            safe = Some((i, stack.len()));
                        }
                    }
                    None => {
                        // The input ends inside this string.
                        if !is_key && b.len() - start > KEEP_PARTIAL_STRING {
                            let body = input.get(start + 1..)?;
                            let keep = start + 1 + complete_escapes(body);
                            let mut text = String::with_capacity(keep + stack.len() + 1);
                            text.push_str(input.get(..keep)?);
                            text.push('"');
                            close(&mut text, &stack);
                            return Some(Completion {
                                text,
                                cut: b.len(),
                                partial_string: true,
                            });
                        }
                        break;
                    }
                }
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                // A number or literal: complete only if a delimiter follows.
                let mut j = i;
                while b.get(j).is_some_and(|&x| {
                    !matches!(x, b',' | b'}' | b']' | b':') && !x.is_ascii_whitespace()
                }) {
                    j += 1;
                }
                if j >= b.len() {
                    break;
                }
                i = j;
                safe = Some((i, stack.len()));
            }
        }
    }
    let (cut, depth) = safe?;
    let mut text = String::with_capacity(cut + depth);
    text.push_str(input.get(..cut)?);
    close(&mut text, stack.get(..depth).unwrap_or_default());
    Some(Completion {
        text,
        cut,
        partial_string: false,
    })
}

/// Appends the closers of `stack`, innermost first.
fn close(text: &mut String, stack: &[(u8, bool)]) {
    for (c, _) in stack.iter().rev() {
        text.push(if *c == b'{' { '}' } else { ']' });
    }
}

/// The length of `body` (a string body cut short) without a trailing
/// incomplete escape (`\`, `\u`, `\u12`, or a lone high surrogate escape).
fn complete_escapes(body: &str) -> usize {
    let b = body.as_bytes();
    let mut i = 0;
    let mut last_ok = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'\\') {
            match b.get(i + 1) {
                None => break,
                Some(b'u') => {
                    let Some(v) = hex4(b, i + 2) else { break };
                    if (0xD800..0xDC00).contains(&v) {
                        // A high surrogate needs its low half.
                        if hex4(b, i + 8).is_none() || b.get(i + 6) != Some(&b'\\') {
                            break;
                        }
                        i += 12;
                    } else {
                        i += 6;
                    }
                }
                Some(_) => i += 2,
            }
            last_ok = i.min(b.len());
        } else {
            let rest = b.get(i..).unwrap_or_default();
            let next = memchr::memchr(b'\\', rest).map_or(b.len(), |k| i + k);
            i = next;
            last_ok = i;
        }
    }
    last_ok
}
