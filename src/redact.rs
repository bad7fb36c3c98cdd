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

#[cfg(test)]
mod reference;

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
///
/// Two scans over the text find every candidate: one for `:` and `=` (URL
/// user-info, headers, `key=value`), one for the bytes that every token
/// shape holds at a fixed place (`_`, `-`, `I`, `J`). Most lines hold no
/// secret and cost just those scans.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    separators(text, &mut spans);
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

/// Every secret that a `:` or `=` announces, in one pass over those bytes:
/// `scheme://user:password@host`, `Authorization: …` headers, and
/// `key=value` / `key: value` pairs.
fn separators(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    for at in memchr::memchr2_iter(b'=', b':', b) {
        let url = b.get(at + 1) == Some(&b'/') && b.get(at + 2) == Some(&b'/');
        if b.get(at) == Some(&b':') {
            header(text, at, spans);
            if url {
                url_userinfo(text, at + 3, spans);
            }
        }
        if !url {
            key_value(text, at, spans);
        }
    }
}

/// The user-info of a URL whose `://` ends right before `start`.
fn url_userinfo(text: &str, start: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
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

/// `Authorization: Bearer xyz`, `X-Auth-Token: xyz` (also `-H 'Authorization: …'`),
/// for the `:` at `colon`: the header name must end right before it and not
/// be the tail of a longer key.
fn header(text: &str, colon: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    // Every secret header name ends in `n`.
    if colon == 0 || !matches!(b.get(colon - 1), Some(b'n' | b'N')) {
        return;
    }
    for name in SECRET_HEADERS {
        let Some(at) = colon.checked_sub(name.len()) else {
            continue;
        };
        let named = b
            .get(at..colon)
            .is_some_and(|w| w.eq_ignore_ascii_case(name.as_bytes()));
        let before_ok = at == 0 || !is_key_byte(b.get(at - 1).copied().unwrap_or(b' '));
        if !named || !before_ok {
            continue;
        }
        let mut i = colon + 1;
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

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// Whether a key ending in `last` may name a secret: every secret key name
/// ends in `d`, `t`, `n` or `y`.
#[inline]
fn secret_last_byte(last: Option<u8>) -> bool {
    matches!(
        last.map(|c| c.to_ascii_lowercase()),
        Some(b'd' | b't' | b'n' | b'y')
    )
}

/// Whether `key` names a secret.
fn secret_key(key: &str) -> bool {
    if !secret_last_byte(key.as_bytes().last().copied()) {
        return false;
    }
    SECRET_KEYS.iter().any(|name| {
        key.len() >= name.len() && {
            let tail_at = key.len() - name.len();
            key.get(tail_at..)
                .is_some_and(|t| t.eq_ignore_ascii_case(name))
                && (tail_at == 0 || matches!(key.as_bytes().get(tail_at - 1), Some(b'_' | b'-')))
        }
    })
}

/// `key=value`, `key: value`, `"key": "value"`, `--key=value`, for the `=`
/// or `:` at `at`.
fn key_value(text: &str, at: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    // The key: key bytes right before, maybe inside quotes.
    let mut k_end = at;
    while k_end > 0 && b.get(k_end - 1) == Some(&b' ') {
        k_end -= 1;
    }
    let quoted_key = k_end > 0 && b.get(k_end - 1) == Some(&b'"');
    if quoted_key {
        k_end -= 1;
    }
    if k_end == 0 || !secret_last_byte(b.get(k_end - 1).copied()) {
        return; // the key (if any) cannot name a secret
    }
    let mut k_start = k_end;
    while k_start > 0 && b.get(k_start - 1).is_some_and(|&c| is_key_byte(c)) {
        k_start -= 1;
    }
    let key = text.get(k_start..k_end).unwrap_or_default();
    let key = key.trim_start_matches('-');
    if key.is_empty() || !secret_key(key) {
        return;
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
        return; // the shell's working directory
    }
    push(spans, text, start, end);
}

/// A token shape: prefix, shortest and longest rest, the bytes of the rest.
struct Shape {
    prefix: &'static [u8],
    min: usize,
    max: usize,
    ok: fn(u8) -> bool,
}

fn upper_digit(c: u8) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn alnum_us(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

const fn shape(prefix: &'static [u8], min: usize, max: usize, ok: fn(u8) -> bool) -> Shape {
    Shape {
        prefix,
        min,
        max,
        ok,
    }
}

/// The shapes holding `I` two bytes in.
const SHAPES_I2: &[Shape] = &[
    shape(b"AKIA", 16, 16, upper_digit),
    shape(b"ASIA", 16, 16, upper_digit),
];
/// The shapes holding `_` three bytes in.
const SHAPES_US3: &[Shape] = &[
    shape(b"ghp_", 36, 255, alnum),
    shape(b"gho_", 36, 255, alnum),
    shape(b"ghu_", 36, 255, alnum),
    shape(b"ghs_", 36, 255, alnum),
    shape(b"ghr_", 36, 255, alnum),
];
/// The shapes holding `_` six bytes in.
const SHAPES_US6: &[Shape] = &[shape(b"github_pat_", 22, 255, alnum_us)];
/// The shapes holding `-` four bytes in.
const SHAPES_DASH4: &[Shape] = &[
    shape(b"xoxb-", 10, 255, b64url),
    shape(b"xoxp-", 10, 255, b64url),
    shape(b"xoxa-", 10, 255, b64url),
];
/// The shapes holding `-` five bytes in.
const SHAPES_DASH5: &[Shape] = &[shape(b"glpat-", 20, 255, b64url)];

/// Well-known token shapes, and JWTs. Each shape is looked for only where its
/// anchor byte (`I`, `_`, `-`; `J` for JWTs) stands.
fn token_shapes(text: &str, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    // Each group's shapes share their first byte: a candidate whose first
    // byte differs is ruled out here, without a call.
    let mut group = |q: usize, off: usize, first: u8, shapes: &[Shape]| {
        if let Some(at) = q.checked_sub(off)
            && b.get(at) == Some(&first)
        {
            shapes_at(text, at, shapes, spans);
        }
    };
    for q in memchr::memchr3_iter(b'_', b'-', b'I', b) {
        match b.get(q) {
            Some(b'I') => group(q, 2, b'A', SHAPES_I2),
            Some(b'_') => {
                group(q, 3, b'g', SHAPES_US3);
                group(q, 6, b'g', SHAPES_US6);
            }
            _ => {
                group(q, 4, b'x', SHAPES_DASH4);
                group(q, 5, b'g', SHAPES_DASH5);
            }
        }
    }
    for q in memchr::memchr_iter(b'J', b) {
        if let Some(at) = q.checked_sub(2)
            && b.get(at..q) == Some(b"ey")
        {
            jwt(text, at, spans);
        }
    }
}

/// The shapes of `shapes` that start at `at`.
fn shapes_at(text: &str, at: usize, shapes: &[Shape], spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    for s in shapes {
        if !b.get(at..).is_some_and(|r| r.starts_with(s.prefix)) {
            continue;
        }
        if at > 0 && b.get(at - 1).is_some_and(|&c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = at + s.prefix.len();
        let mut end = start;
        while b.get(end).is_some_and(|&c| (s.ok)(c)) && end - start < s.max + 1 {
            end += 1;
        }
        let len = end - start;
        let bounded = !b.get(end).is_some_and(|&c| c.is_ascii_alphanumeric());
        if len >= s.min && len <= s.max && bounded {
            push(spans, text, start, end);
        }
    }
}

/// JWT: `eyJ<header>.eyJ<payload>.<signature>`, the `eyJ` at `at`.
fn jwt(text: &str, at: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    if at > 0 && b.get(at - 1).is_some_and(|&c| b64url(c)) {
        return;
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
        return;
    }
    let p_end = seg(h_end + 4);
    if b.get(p_end) != Some(&b'.') {
        return;
    }
    let s_end = seg(p_end + 1);
    if s_end > p_end + 1 {
        push(spans, text, at + 3, s_end);
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

    /// Pieces that make every detector fire, half fire, or nearly fire
    /// (with every secret key and header name, see `pieces`).
    const PIECES: &[&str] = &[
        "://",
        "@",
        ":",
        "=",
        " ",
        "  ",
        "\"",
        "'",
        "/",
        ".",
        "-",
        "_",
        "--",
        "&",
        ",",
        ";",
        "}",
        ")",
        "\t",
        "\r",
        "\n",
        "*",
        "~",
        "#",
        "<",
        "\\",
        "I",
        "J",
        "A",
        "n",
        "N",
        "PassWord",
        "DB_PASSWORD",
        "PWD",
        "Token",
        "tokenizer",
        "x_token",
        "Authorization",
        "PROXY-AUTHORIZATION",
        "X-Subject-Token",
        "Bearer ",
        "Basic ",
        "AKIA",
        "ASIA",
        "AKIAKIA",
        "IOSFODNN7EXAMPLE",
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "xoxp-",
        "xoxa-",
        "eyJ",
        "eyJhbGciOiJIUzI1NiJ9",
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "ABCDEFGHIJ",
        "0123456789",
        "hunter2",
        "https",
        "user",
        "host",
        "代码",
        "é",
        "******",
    ];

    fn pieces() -> Vec<&'static str> {
        PIECES
            .iter()
            .chain(SECRET_KEYS)
            .chain(SECRET_HEADERS)
            .copied()
            .collect()
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #![proptest_config(crate::testing::proptest_config(2000))]

        /// The one-pass redactor masks exactly what the per-detector
        /// reference does, on text made of the detectors' own pieces.
        #[test]
        fn fast_redact_agrees_with_reference(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    4 => proptest::sample::select(pieces()).prop_map(str::to_owned).boxed(),
                    1 => "[a-zA-Z0-9_.:=/@ -]{0,12}".boxed(),
                    1 => ".{0,3}".boxed(),
                ],
                0..24,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(redact(&text), reference::redact(&text), "{:?}", text);
        }
    }
}
