//! The redactor as it was before the one-pass scans (`separators`,
//! `token_shapes` with anchor bytes), kept word for word as the reference the
//! property test `fast_redact_agrees_with_reference` compares against.

use std::borrow::Cow;

use super::{MASK, SECRET_HEADERS, SECRET_KEYS, Span};

/// Masks the secrets in `text`. Borrows when nothing was masked.
pub(super) fn redact(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    url_userinfo(text, &mut spans);
    headers(text, &mut spans);
    key_values(text, &mut spans);
    token_shapes(text, &mut spans);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in spans {
        if s.start < at {
            // Overlaps a span already masked.
            at = at.max(s.end);
            continue;
        }
        out.push_str(text.get(at..s.start).unwrap_or_default());
        out.push_str(MASK);
        at = s.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    }
}

/// Whether a value is already masked (all `*`), or empty.
fn masked_or_empty(v: &str) -> bool {
    v.is_empty() || v.bytes().all(|b| b == b'*')
}

fn push(spans: &mut Vec<Span>, text: &str, start: usize, end: usize) {
    if end > start
        && let Some(v) = text.get(start..end)
        && !masked_or_empty(v)
    {
        spans.push(Span { start, end });
    }
}

/// `scheme://user:password@host`.
fn url_userinfo(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    for at in memchr::memmem::find_iter(b, b"://") {
        let start = at + 3;
        // User-info ends at '@' before any '/' or white space ('#' and '?'
        // are allowed: raw passwords in logs are often not percent-encoded).
        let mut i = start;
        let mut colon = None;
        let mut end = None;
        while let Some(&c) = b.get(i) {
            match c {
                b'@' => {
                    end = Some(i);
                    break;
                }
                b':' if colon.is_none() => colon = Some(i),
                b'/' | b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>' => break,
                _ => {}
            }
            i += 1;
        }
        if let (Some(c), Some(e)) = (colon, end) {
            push(spans, text, c + 1, e);
        }
    }
}

/// Case-insensitive ASCII search.
fn find_ci(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = needle.first()?;
    let mut i = from;
    while i + needle.len() <= hay.len() {
        let rest = hay.get(i..)?;
        let pos = memchr::memchr2(first.to_ascii_lowercase(), first.to_ascii_uppercase(), rest)?;
        let at = i + pos;
        if hay
            .get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// `Authorization: Bearer xyz`, `X-Auth-Token: xyz` (also `-H 'Authorization: …'`).
fn headers(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    for name in SECRET_HEADERS {
        let mut from = 0;
        while let Some(at) = find_ci(b, name.as_bytes(), from) {
            from = at + 1;
            let before_ok = at == 0 || !is_key_byte(b.get(at - 1).copied().unwrap_or(b' '));
            let mut i = at + name.len();
            if !before_ok || b.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            let value_start = i;
            let mut end = i;
            while let Some(&c) = b.get(end) {
                if matches!(c, b'\'' | b'"' | b'\r' | b'\n' | b',' | b';') {
                    break;
                }
                end += 1;
            }
            let value = text.get(value_start..end).unwrap_or_default().trim_end();
            let end = value_start + value.len();
            // Keep the scheme word (`Bearer`, `Basic`, `token`) when there is one.
            let start = match value.find(' ') {
                Some(sp)
                    if value
                        .get(..sp)
                        .is_some_and(|w| w.bytes().all(|c| c.is_ascii_alphabetic())) =>
                {
                    value_start + sp + 1
                }
                _ => value_start,
            };
            push(spans, text, start, end);
        }
    }
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// Whether `key` names a secret.
fn secret_key(key: &str) -> bool {
    SECRET_KEYS.iter().any(|name| {
        key.len() >= name.len() && {
            let tail_at = key.len() - name.len();
            key.get(tail_at..)
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
                && (tail_at == 0 || matches!(key.as_bytes().get(tail_at - 1), Some(b'_' | b'-')))
        }
    })
}

/// `key=value`, `key: value`, `"key": "value"`, `--key=value`.
fn key_values(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(rel) = memchr::memchr2(b'=', b':', b.get(i..).unwrap_or_default()) {
        let at = i + rel;
        i = at + 1;
        if b.get(at + 1) == Some(&b'/') && b.get(at + 2) == Some(&b'/') {
            continue; // a URL scheme
        }
        // The key: key bytes right before, maybe inside quotes.
        let mut k_end = at;
        while k_end > 0 && b.get(k_end - 1) == Some(&b' ') {
            k_end -= 1;
        }
        let quoted_key = k_end > 0 && b.get(k_end - 1) == Some(&b'"');
        if quoted_key {
            k_end -= 1;
        }
        let mut k_start = k_end;
        while k_start > 0 && b.get(k_start - 1).is_some_and(|&c| is_key_byte(c)) {
            k_start -= 1;
        }
        let key = text.get(k_start..k_end).unwrap_or_default();
        let key = key.trim_start_matches('-');
        if key.is_empty() || !secret_key(key) {
            continue;
        }
        // The value.
        let mut v = at + 1;
        while b.get(v) == Some(&b' ') {
            v += 1;
        }
        let (start, end) = match b.get(v) {
            Some(&q @ (b'"' | b'\'')) => {
                let s = v + 1;
                let mut e = s;
                while let Some(&c) = b.get(e) {
                    if c == q {
                        break;
                    }
                    if c == b'\\' {
                        e += 1;
                    }
                    e += 1;
                }
                (s, e.min(b.len()))
            }
            _ => {
                let mut e = v;
                while let Some(&c) = b.get(e) {
                    if c.is_ascii_whitespace()
                        || matches!(c, b'&' | b',' | b';' | b'"' | b'\'' | b'}' | b')')
                    {
                        break;
                    }
                    e += 1;
                }
                (v, e)
            }
        };
        let value = text.get(start..end).unwrap_or_default();
        if key.eq_ignore_ascii_case("pwd") && (value.starts_with('/') || value.starts_with('~')) {
            continue; // the shell's working directory
        }
        push(spans, text, start, end);
    }
}

/// A token shape: prefix, shortest and longest rest, the bytes of the rest.
type Shape<'f> = (&'static [u8], usize, usize, &'f dyn Fn(u8) -> bool);

/// Well-known token shapes, and JWTs.
fn token_shapes(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    let upper_digit = |c: u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    let alnum_us = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b64url = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    let shapes: &[Shape<'_>] = &[
        (b"AKIA", 16, 16, &upper_digit),
        (b"ASIA", 16, 16, &upper_digit),
        (b"ghp_", 36, 255, &alnum),
        (b"gho_", 36, 255, &alnum),
        (b"ghu_", 36, 255, &alnum),
        (b"ghs_", 36, 255, &alnum),
        (b"ghr_", 36, 255, &alnum),
        (b"github_pat_", 22, 255, &alnum_us),
        (b"glpat-", 20, 255, &b64url),
        (b"xoxb-", 10, 255, &b64url),
        (b"xoxp-", 10, 255, &b64url),
        (b"xoxa-", 10, 255, &b64url),
    ];
    for (prefix, min, max, ok) in shapes {
        for at in memchr::memmem::find_iter(b, prefix) {
            if at > 0 && b.get(at - 1).is_some_and(|&c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let start = at + prefix.len();
            let mut end = start;
            while b.get(end).is_some_and(|&c| ok(c)) && end - start < *max + 1 {
                end += 1;
            }
            let len = end - start;
            let bounded = !b.get(end).is_some_and(|&c| c.is_ascii_alphanumeric());
            if len >= *min && len <= *max && bounded {
                push(spans, text, start, end);
            }
        }
    }
    // JWT: eyJ<header>.eyJ<payload>.<signature>
    for at in memchr::memmem::find_iter(b, b"eyJ") {
        if at > 0 && b.get(at - 1).is_some_and(|&c| b64url(c)) {
            continue;
        }
        let seg = |from: usize| {
            let mut e = from;
            while b.get(e).is_some_and(|&c| b64url(c)) {
                e += 1;
            }
            e
        };
        let h_end = seg(at + 3);
        if b.get(h_end) != Some(&b'.') || b.get(h_end + 1..h_end + 4) != Some(b"eyJ") {
            continue;
        }
        let p_end = seg(h_end + 4);
        if b.get(p_end) != Some(&b'.') {
            continue;
        }
        let s_end = seg(p_end + 1);
        if s_end > p_end + 1 {
            push(spans, text, at + 3, s_end);
        }
    }
}
