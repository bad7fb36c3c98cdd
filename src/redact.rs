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
/// One scan over the text finds every candidate (see [`scan`]); most lines
/// hold no secret and cost just that scan and a look at a few bytes.
pub(crate) fn redact(text: &str) -> Cow<'_, str> {
    let mut spans = Vec::new();
    scan(text, &mut spans);
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

/// Whether a candidate is looked at where `c` stands, before `next` (NUL
/// after the text): `:` and `=` (URL user-info, headers, `key=value`), and a
/// byte each token shape holds at a fixed place: `_` (GitHub), `I` (AWS),
/// `J` (JWT), `x` (Slack), and `g` before `l` (GitLab; `g` alone is common).
///
/// Written with `|` and `&`, not `||` and `&&`: free of branches, the loop
/// in [`anchors_in`] compiles to vector compares, 16 bytes at a time.
#[inline]
fn is_anchor(c: u8, next: u8) -> bool {
    (c == b':')
        | (c == b'=')
        | (c == b'_')
        | (c == b'I')
        | (c == b'J')
        | (c == b'x')
        | ((c == b'g') & (next == b'l'))
}

/// The bytes [`anchors_in`] looks at per round.
const BLOCK: usize = 64;

/// Every candidate, in one pass over the text, `BLOCK` bytes at a time.
///
/// A memchr pass finds at most three bytes and costs a call per hit: the
/// seven anchors would take three passes, and on lines of a hundred bytes
/// holding a `:` or two those cost more than this scan (callgrind, see
/// benches/README.md "Redaction").
fn scan(text: &str, spans: &mut Vec<Span>) {
    let mut base = 0;
    while base < text.len() {
        anchors_in(text, base, spans);
        base += BLOCK;
    }
}

/// The candidates among the `BLOCK` bytes of `text` from `base`: one flag
/// byte per byte, then the flags read eight at a time. Near the text's end
/// the bytes are first copied into a window, NUL after the text (no
/// anchor), so that the loop always has `BLOCK` bytes and the one after.
fn anchors_in(text: &str, base: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    let mut window = [0u8; BLOCK + 1];
    let bytes: &[u8; BLOCK + 1] = match b.get(base..).and_then(|r| r.first_chunk::<{ BLOCK + 1 }>())
    {
        Some(inside) => inside,
        None => {
            for (w, &c) in window.iter_mut().zip(b.get(base..).unwrap_or_default()) {
                *w = c;
            }
            &window
        }
    };
    let (Some(cur), Some(next)) = (
        bytes.first_chunk::<BLOCK>(),
        bytes.get(1..).and_then(|w| w.first_chunk::<BLOCK>()),
    ) else {
        return;
    };
    let mut flags = [0u8; BLOCK];
    for ((f, &c), &n) in flags.iter_mut().zip(cur).zip(next) {
        *f = u8::from(is_anchor(c, n));
    }
    if flags.iter().fold(0, |any, &f| any | f) == 0 {
        return;
    }
    let mut word_at = base;
    for word in flags.as_chunks::<8>().0 {
        let mut m = u64::from_le_bytes(*word);
        while m != 0 {
            candidate(text, word_at + (m.trailing_zeros() / 8) as usize, spans);
            m &= m - 1;
        }
        word_at += 8;
    }
}

/// The secrets an anchor byte at `at` may announce. Out of line: inlined
/// into the scan's loop, its registers would crowd out the scan's own.
#[inline(never)]
fn candidate(text: &str, at: usize, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    match b.get(at) {
        Some(b'_') => {
            group(text, at, 3, b'g', SHAPES_US3, spans);
            group(text, at, 6, b'g', SHAPES_US6, spans);
        }
        Some(b'I') => group(text, at, 2, b'A', SHAPES_I2, spans),
        Some(b'x') if b.get(at + 1..at + 3) == Some(b"ox") => {
            shapes_at(text, at, SHAPES_XOX, spans);
        }
        Some(b'g') if b.get(at + 1..at + 6) == Some(b"lpat-") => {
            shapes_at(text, at, SHAPES_GLPAT, spans);
        }
        Some(b'J') => {
            if let Some(start) = at.checked_sub(2)
                && b.get(start..at) == Some(b"ey")
            {
                jwt(text, start, spans);
            }
        }
        Some(&c @ (b':' | b'=')) => separator(text, at, c, spans),
        _ => {}
    }
}

/// Every secret that the `:` or `=` at `at` announces:
/// `scheme://user:password@host`, `Authorization: …` headers, and
/// `key=value` / `key: value` pairs.
fn separator(text: &str, at: usize, c: u8, spans: &mut Vec<Span>) {
    let b = text.as_bytes();
    let url = b.get(at + 1) == Some(&b'/') && b.get(at + 2) == Some(&b'/');
    // Every header and secret key name ends in `d`, `t`, `n` or `y`
    // (any case), and a key may be followed by spaces or its closing
    // quote: any other byte before the separator rules both out.
    let named = at
        .checked_sub(1)
        .and_then(|i| b.get(i))
        .is_some_and(|&p| matches!(p | 0x20, b'd' | b't' | b'n' | b'y' | b' ' | b'"'));
    if c == b':' {
        if named {
            header(text, at, spans);
        }
        if url {
            url_userinfo(text, at + 3, spans);
        }
    }
    if named && !url {
        key_value(text, at, spans);
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
    if !ends_in(b, colon, HEADER_TAILS) {
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

/// Whether the two bytes of `b` before `end`, in any case, are one of
/// `tails`: a cheap test that a key or header name ending at `end` may name a
/// secret, before it is walked back and compared.
#[inline]
fn ends_in(b: &[u8], end: usize, tails: &[[u8; 2]]) -> bool {
    // Every tail is two lower-case letters: setting bit 5 lowers an upper-case
    // letter and makes no other byte into a lower-case one.
    match end.checked_sub(2).and_then(|s| b.get(s..end)) {
        Some(&[x, y]) => tails.contains(&[x | 0x20, y | 0x20]),
        _ => false,
    }
}

/// The last two bytes of every name in [`SECRET_KEYS`].
const KEY_TAILS: &[[u8; 2]] = &[*b"rd", *b"wd", *b"et", *b"en", *b"ey"];

/// The last two bytes of every name in [`SECRET_HEADERS`].
const HEADER_TAILS: &[[u8; 2]] = &[*b"on", *b"en"];

/// Whether `key` names a secret.
fn secret_key(key: &str) -> bool {
    if !ends_in(key.as_bytes(), key.len(), KEY_TAILS) {
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
    if !ends_in(b, k_end, KEY_TAILS) {
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
/// The Slack shapes, all starting `xox`.
const SHAPES_XOX: &[Shape] = &[
    shape(b"xoxb-", 10, 255, b64url),
    shape(b"xoxp-", 10, 255, b64url),
    shape(b"xoxa-", 10, 255, b64url),
];
/// The GitLab shape, found by its whole prefix.
const SHAPES_GLPAT: &[Shape] = &[shape(b"glpat-", 20, 255, b64url)];

/// The shapes of a group whose anchor byte stands `off` bytes into each of
/// them, for the anchor at `q`. A group's shapes share their first byte: a
/// candidate whose first byte differs is ruled out here, without a call.
#[inline]
fn group(text: &str, q: usize, off: usize, first: u8, shapes: &[Shape], spans: &mut Vec<Span>) {
    if let Some(at) = q.checked_sub(off)
        && text.as_bytes().get(at) == Some(&first)
    {
        shapes_at(text, at, shapes, spans);
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
            // An anchor byte other than `:` or `=` after a key is no separator.
            "tokenxabc tokengabc tokenIabc tokenJabc token_abc passwordglpat",
        ];
        for input in keep {
            assert!(
                matches!(redact(input), Cow::Borrowed(_)),
                "{input} -> {}",
                redact(input)
            );
        }
    }

    /// One secret of each family, each found at a different anchor byte.
    const ONE_OF_EACH: &[&str] = &[
        "https://u:pw@h/x",
        "Authorization: Bearer abc",
        "password=hunter2",
        "token: hunter2",
        "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        "github_pat_abcdefghijklmnopqrstuv",
        "AKIAIOSFODNN7EXAMPLE",
        "xoxb-1234567890",
        "glpat-abcdefghijklmnopqrst",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig",
    ];

    /// The scan looks at `BLOCK` bytes at a time and copies the text's
    /// last ones into a window: a secret is found wherever it starts or
    /// ends, at the text's start and end, and with its anchor byte (or the
    /// `l` after a `g`) on either side of a block's edge.
    #[test]
    fn ok_masks_at_every_offset() {
        for secret in ONE_OF_EACH {
            for pad in 0..=2 * BLOCK + 2 {
                for tail in ["", " end"] {
                    let text = format!("{}{secret}{tail}", " ".repeat(pad));
                    let got = redact(&text);
                    assert!(matches!(got, Cow::Owned(_)), "not masked: {text:?}");
                    assert_eq!(got, reference::redact(&text), "{text:?}");
                }
            }
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

        /// The same, with the pieces shifted across the scan's blocks.
        #[test]
        fn fast_redact_agrees_with_reference_at_any_offset(
            pad in 0..2 * BLOCK + 2,
            parts in proptest::collection::vec(
                proptest::sample::select(pieces()).prop_map(str::to_owned),
                0..12,
            )
        ) {
            let text = format!("{}{}", " ".repeat(pad), parts.concat());
            proptest::prop_assert_eq!(redact(&text), reference::redact(&text), "{:?}", text);
        }
    }
}
