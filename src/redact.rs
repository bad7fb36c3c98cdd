//! Secret redaction in message text.
//!
//! Masks, keeping enough to recognise what was there:
//!
//! - passwords in URL user-info: `https://user:secret@host` → `https://user:****@host`;
//! - the values of `Authorization:` (the scheme word is kept: `Bearer ****`),
//!   `Proxy-Authorization:`, `X-Auth-Token:`, `X-Subject-Token:` and
//!   `Private-Token:` headers;
//! - `key=value`, `key: value`, `"key": "value"` and `--key value`-free forms
//!   `--key=value` whose key (any case) is, or ends in `_`/`-` plus, one of
//!   password, passwd, pwd, secret, token, access_key, secret_key, api_key,
//!   apikey, access_token, bk_app_secret, client_secret, private_key
//!   (`PWD=/a/path`, the shell's working directory, is left alone);
//! - well-known token shapes: AWS access key ids (`AKIA…`, `ASIA…`), GitHub
//!   tokens (`ghp_…`, `gho_…`, `ghu_…`, `ghs_…`, `ghr_…`, `github_pat_…`),
//!   GitLab tokens (`glpat-…`), Slack tokens (`xoxb-…`), JWTs (`eyJ….eyJ….…`).
//!
//! Text the vendor already masked (`******`, `***//`) stays as is. Hashes,
//! commit ids and ordinary words are not touched.

use std::borrow::Cow;

use crate::event::LogEvent;
use crate::note::Note;

/// The mask that replaces a secret.
pub(crate) const MASK: &str = "****";

/// Secret key names; a key matches if it equals one, or ends in `_` or `-`
/// followed by one (`DB_PASSWORD`, `gitlab-token`).
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "access_key",
    "secret_key",
    "api_key",
    "apikey",
    "access_token",
    "bk_app_secret",
    "client_secret",
    "private_key",
];

/// Headers whose whole value is a credential.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-auth-token",
    "x-subject-token",
    "private-token",
];

/// A byte range to mask, and what to keep in front of the mask.
#[derive(Debug)]
struct Span {
    start: usize,
    end: usize,
}

/// Masks the secrets in an event's message, noting [`Note::Redacted`].
pub(crate) fn apply(e: &mut LogEvent<'_>) {
    if let Cow::Owned(masked) = redact(&e.message) {
        e.message = Cow::Owned(masked);
        e.notes.insert(Note::Redacted);
    }
}

/// Masks the secrets in `text`. Borrows when nothing was masked.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_masks() {
        let cases = [
            (
                "git clone https://user:s3cr3t@github.com/org/repo.git",
                "git clone https://user:****@github.com/org/repo.git",
            ),
            (
                "https://xianglizhi123:******@github.com/x.git",
                "https://xianglizhi123:******@github.com/x.git",
            ),
            (
                "curl -H 'Authorization: Bearer abc.def.ghi' https://x",
                "curl -H 'Authorization: Bearer ****' https://x",
            ),
            (
                "authorization: Basic dXNlcjpwYXNz",
                "authorization: Basic ****",
            ),
            (
                "X-Auth-Token: MIIZtgYJKoZIhvcNAQcCoIIZpzCCGaMCAQExDTALBglghkgBZQMEAgEwgheIBgkqhkiG9w0BBwGggheIBIIXhHsidG9rZW4iOnsiZXhwaXJlc19hdCI6",
                "X-Auth-Token: ****",
            ),
            ("password=hunter2 next", "password=**** next"),
            ("DB_PASSWORD=hunter2", "DB_PASSWORD=****"),
            ("--password=hunter2", "--password=****"),
            ("mysql_pwd: 'a b c'", "mysql_pwd: '****'"),
            (
                r#"{"bk_app_secret": "xyz123", "bk_app_code": "esb"}"#,
                r#"{"bk_app_secret": "****", "bk_app_code": "esb"}"#,
            ),
            (
                "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "GITHUB_TOKEN=****",
            ),
            (
                "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                "token: ****",
            ),
            (
                "use ghp_abcdefghijklmnopqrstuvwxyz0123456789 now",
                "use ghp_**** now",
            ),
            ("aws AKIAIOSFODNN7EXAMPLE key", "aws AKIA**** key"),
            (
                "access_key=AKIAIOSFODNN7EXAMPLE&secret_key=wJalrXUtnFEMI",
                "access_key=****&secret_key=****",
            ),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c end",
                "jwt eyJ**** end",
            ),
            ("api_key=abc&x=1", "api_key=****&x=1"),
            ("client_secret = 'zz'", "client_secret = '****'"),
            (
                "https://u:p@h/a https://v:q@h/b",
                "https://u:****@h/a https://v:****@h/b",
            ),
            (
                "https://b:Xk9#pQ2v@h.example.com/x.git",
                "https://b:****@h.example.com/x.git",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), want, "{input}");
        }
    }

    #[test]
    fn no_false_positives() {
        let keep = [
            "commit 1c61f2fdd1054c2f56ae9984f5770123d60dfe9c",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d08c15d0a0f08",
            "Clone code successfully.",
            "PWD=/home/builder/workspace",
            "tokenizer=fast",
            "password_policy is strict",
            "the token was refreshed",
            "https://github.com/org/repo.git",
            "https://user@github.com/org/repo.git",
            "password=",
            "password=******",
            "***//target/server-1.0.jar",
            "AKIA is a prefix, AKIAshort",
            "ghp_short",
            "eyJnot.a.jwt",
            "time=12:30:45 level=info",
            "Authorization header missing",
            "[INFO] [代码检出:external_pre_checkout] : [WARN]DEV.CB.02101217,用户名或密码为空。",
        ];
        for input in keep {
            assert!(
                matches!(redact(input), Cow::Borrowed(_)),
                "{input} -> {}",
                redact(input)
            );
        }
    }
}
