//! The failure rules of the summary (ecosystem.md §C): what kind of error a
//! line shows, and how sure that is.
//!
//! Two kinds of rule, so that an ordinary line costs a test of its first
//! byte:
//!
//! - **head rules** hold at the start of a message behind a fixed word
//!   (`error[E…]:`, `FAILED:`, `--- FAIL:`, …): [`head_rule`] tests every
//!   line of every step, behind a first-byte test;
//! - **tail rules** hold anywhere in a message (`No space left on device`,
//!   `401 Unauthorized`, `Connection refused`, …) or behind a path
//!   (`src/a.c:3:5: error:`): [`tail_rule`] reads only the last [`TAIL`]
//!   lines of a step that failed, where a failing command prints them.
//!   (The table counts the network rules only there anyway.)
//!
//! Every rule is written once more as a regular expression in
//! `rules/reference.rs`, and a property test says the two agree.

use std::fmt;

use crate::status::Status;

/// How many of a step's last lines the tail rules read.
pub(crate) const TAIL: usize = 50;

/// What kind of failure a step shows (`error_type` in the summary).
///
/// Not exhaustive: more classes may come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorType {
    /// The step ran too long (status `timed_out`, or exit code 124).
    Timeout,
    /// The step was stopped (status `cancelled`).
    Cancelled,
    /// The platform failed, not the work (status `error`).
    Infra,
    /// Exit code 127: the shell found no such command.
    CommandNotFound,
    /// Exit code 126: the command could not be run.
    NotExecutable,
    /// `No space left on device`.
    DiskFull,
    /// A compiler's error line.
    CompileError,
    /// Exit code 137 with an out-of-memory message.
    OomKilled,
    /// Exit code 137 alone: killed (SIGKILL), not necessarily for memory.
    Killed,
    /// A test runner's failure summary.
    TestFailure,
    /// Refused credentials.
    Auth,
    /// A name that did not resolve, a connection refused or timed out.
    Network,
    /// Nothing matched (`_OTHER`).
    Other,
}

impl ErrorType {
    /// The name in the summary (`"compile_error"`, `"_OTHER"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorType::Timeout => "timeout",
            ErrorType::Cancelled => "cancelled",
            ErrorType::Infra => "infra",
            ErrorType::CommandNotFound => "command_not_found",
            ErrorType::NotExecutable => "not_executable",
            ErrorType::DiskFull => "disk_full",
            ErrorType::CompileError => "compile_error",
            ErrorType::OomKilled => "oom_killed",
            ErrorType::Killed => "killed",
            ErrorType::TestFailure => "test_failure",
            ErrorType::Auth => "auth",
            ErrorType::Network => "network",
            ErrorType::Other => "_OTHER",
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](ErrorType::as_str) name.
impl serde::Serialize for ErrorType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How reliable a classification is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// A weak signal (exit code 137 alone).
    Low,
    /// A message that usually, not always, means this.
    Medium,
    /// A status, an exit code or a compiler's own format.
    High,
}

impl Confidence {
    /// `"low"`, `"medium"` or `"high"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](Confidence::as_str) name.
impl serde::Serialize for Confidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One text rule: its id (the summary's `evidence`), class and reliability.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) class: ErrorType,
    pub(crate) confidence: Confidence,
}

const fn rule(id: &'static str, class: ErrorType, confidence: Confidence) -> Rule {
    Rule {
        id,
        class,
        confidence,
    }
}

use Confidence::{High, Medium};
use ErrorType::{Auth, CompileError, DiskFull, Network, OomKilled, TestFailure};

pub(crate) static RUSTC: Rule = rule("compile_error.rustc", CompileError, High);
pub(crate) static CC: Rule = rule("compile_error.cc", CompileError, High);
pub(crate) static JAVAC: Rule = rule("compile_error.javac", CompileError, High);
pub(crate) static NINJA: Rule = rule("compile_error.ninja", CompileError, High);
pub(crate) static CARGO_TEST: Rule = rule("test_failure.cargo", TestFailure, Medium);
pub(crate) static GO_TEST: Rule = rule("test_failure.go", TestFailure, Medium);
pub(crate) static PYTEST: Rule = rule("test_failure.pytest", TestFailure, Medium);

pub(crate) static TSC: Rule = rule("compile_error.tsc", CompileError, High);
pub(crate) static NO_SPACE: Rule = rule("disk_full.no_space", DiskFull, High);
pub(crate) static OOM_KERNEL: Rule = rule("oom_killed.kernel", OomKilled, Medium);
pub(crate) static OOM_JAVA: Rule = rule("oom_killed.java", OomKilled, Medium);
pub(crate) static OOM_NODE: Rule = rule("oom_killed.node", OomKilled, Medium);
pub(crate) static SUREFIRE: Rule = rule("test_failure.surefire", TestFailure, Medium);
pub(crate) static HTTP_401: Rule = rule("auth.http_401", Auth, Medium);
pub(crate) static HTTP_403: Rule = rule("auth.http_403", Auth, Medium);
pub(crate) static AUTH_REQUIRED: Rule = rule("auth.required", Auth, Medium);
pub(crate) static REGISTRY_DENIED: Rule = rule("auth.registry_denied", Auth, Medium);
pub(crate) static SSH_PUBLICKEY: Rule = rule("auth.ssh_publickey", Auth, Medium);
pub(crate) static RESOLVE_HOST: Rule = rule("network.resolve_host", Network, Medium);
pub(crate) static NAME_RESOLUTION: Rule = rule("network.name_resolution", Network, Medium);
pub(crate) static CONNECTION: Rule = rule("network.connection", Network, Medium);
pub(crate) static IO_TIMEOUT: Rule = rule("network.io_timeout", Network, Medium);

/// Whether a message may start a head rule or an error-like line: the
/// test of its first two bytes every line pays (`er`ror, `Er`ror, `ER`ROR,
/// `[E`RROR], `fa`tal, `FA`ILED, `te`st result, `Tr`aceback, `--`- FAIL).
/// A first-byte test let through every line starting with one of
/// `eEfFtT-[` (callgrind: 43 instructions a line in the summarizer's line
/// test on the codearts-log bench text, most of them for such lines).
#[inline(always)]
pub(crate) fn may_start_error(m: &str) -> bool {
    matches!(
        m.as_bytes().first_chunk::<2>(),
        Some(b"er" | b"Er" | b"ER" | b"[E" | b"fa" | b"FA" | b"te" | b"Tr" | b"--")
    )
}

/// The head rule `m` starts with, if any:
///
/// | id | regular expression |
/// |---|---|
/// | `compile_error.rustc` | `^error(\[E\d{4}\])?: ` |
/// | `compile_error.ninja` | `^FAILED: ` |
/// | `test_failure.cargo` | `^test result: FAILED` |
/// | `test_failure.go` | `^--- FAIL: ` |
/// | `test_failure.pytest` | `^FAILED \S+::` |
#[inline]
pub(crate) fn head_rule(m: &str) -> Option<&'static Rule> {
    if may_start_error(m) {
        prefixed_rule(m)
    } else {
        None
    }
}

/// The head rules with a fixed start.
#[inline(never)]
fn prefixed_rule(m: &str) -> Option<&'static Rule> {
    if let Some(rest) = m.strip_prefix("error") {
        if rest.starts_with(": ") {
            return Some(&RUSTC);
        }
        let code = rest.strip_prefix("[E")?;
        let b = code.as_bytes();
        let digits = b.get(..4)?;
        return (digits.iter().all(u8::is_ascii_digit) && b.get(4..7) == Some(b"]: "))
            .then_some(&RUSTC);
    }
    if let Some(rest) = m.strip_prefix("FAILED") {
        if rest.starts_with(": ") {
            return Some(&NINJA);
        }
        let rest = rest.strip_prefix(' ')?;
        let token = first_token(rest);
        let first_len = token.chars().next()?.len_utf8();
        return token
            .get(first_len..)
            .is_some_and(|t| t.contains("::"))
            .then_some(&PYTEST);
    }
    if m.starts_with("test result: FAILED") {
        return Some(&CARGO_TEST);
    }
    if m.starts_with("--- FAIL: ") {
        return Some(&GO_TEST);
    }
    None
}

/// `path:line:col: error:` and `File.java:line: error:`.
#[inline]
fn path_rule(m: &str) -> Option<&'static Rule> {
    // Everything before the rule's first space is `\S+`, so the space is
    // the message's first white space, and what follows it is fixed.
    let space = memchr::memchr(b' ', m.as_bytes())?;
    let (token, after) = (m.get(..space)?, m.get(space + 1..)?);
    if !token.ends_with(':') {
        return None;
    }
    let fatal = after.starts_with("fatal error:");
    if !fatal && !after.starts_with("error:") {
        return None;
    }
    if first_token(m).len() != space {
        return None;
    }
    let head = token.strip_suffix(':')?;
    let (head, _) = split_number(head)?;
    if let Some(head) = head.strip_suffix(':')
        && let Some((path, _)) = split_number(head)
        && let Some(path) = path.strip_suffix(':')
        && !path.is_empty()
    {
        return Some(&CC);
    }
    let path = head.strip_suffix(':')?.strip_suffix(".java")?;
    (!fatal && !path.is_empty()).then_some(&JAVAC)
}

/// `s` up to its first white space (as `\s` means it).
#[inline]
fn first_token(s: &str) -> &str {
    for (i, b) in s.bytes().enumerate() {
        if b.is_ascii_whitespace() || b == 0x0b {
            return s.get(..i).unwrap_or_default();
        }
        if b >= 0x80 {
            // Past ASCII: the careful way, for white space such as U+3000.
            let end = s
                .get(i..)
                .and_then(|t| t.char_indices().find(|(_, c)| c.is_whitespace()))
                .map_or(s.len(), |(j, _)| i + j);
            return s.get(..end).unwrap_or_default();
        }
    }
    s
}

/// `s` without its trailing ASCII digits (at least one), and those digits.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    s.split_at_checked(s.len() - n)
}

/// The tail rule `m` holds, if any (behind a path at its start, or
/// anywhere in it):
///
/// | id | regular expression |
/// |---|---|
/// | `compile_error.cc` | `^\S+:\d+:\d+: (fatal )?error:` |
/// | `compile_error.javac` | `^\S+\.java:\d+: error:` |
/// | `compile_error.tsc` | `error TS\d+:` |
/// | `disk_full.no_space` | `No space left on device` |
/// | `oom_killed.kernel` | `Out of memory: Killed process` |
/// | `oom_killed.java` | `OutOfMemoryError` |
/// | `oom_killed.node` | `heap out of memory` |
/// | `test_failure.surefire` | `Failures: [1-9]` |
/// | `auth.http_401` | `401 Unauthorized` |
/// | `auth.http_403` | `403 Forbidden` |
/// | `auth.required` | `authentication required` |
/// | `auth.registry_denied` | `denied: requested access` |
/// | `auth.ssh_publickey` | `Permission denied \(publickey\)` |
/// | `network.resolve_host` | `Could not resolve host` |
/// | `network.name_resolution` | `name resolution` |
/// | `network.connection` | `Connection (refused\|timed out\|reset)` |
/// | `network.io_timeout` | `i/o timeout` |
///
/// The first in this order wins.
pub(crate) fn tail_rule(m: &str) -> Option<&'static Rule> {
    const PLAIN: &[(&str, &Rule)] = &[
        ("No space left on device", &NO_SPACE),
        ("Out of memory: Killed process", &OOM_KERNEL),
        ("OutOfMemoryError", &OOM_JAVA),
        ("heap out of memory", &OOM_NODE),
    ];
    const PLAIN_AFTER: &[(&str, &Rule)] = &[
        ("401 Unauthorized", &HTTP_401),
        ("403 Forbidden", &HTTP_403),
        ("authentication required", &AUTH_REQUIRED),
        ("denied: requested access", &REGISTRY_DENIED),
        ("Permission denied (publickey)", &SSH_PUBLICKEY),
        ("Could not resolve host", &RESOLVE_HOST),
        ("name resolution", &NAME_RESOLUTION),
    ];
    if let Some(r) = path_rule(m) {
        return Some(r);
    }
    if m.match_indices("error TS").any(|(i, n)| {
        let rest = m.get(i + n.len()..).unwrap_or_default();
        let d = rest.bytes().take_while(u8::is_ascii_digit).count();
        d > 0 && rest.as_bytes().get(d) == Some(&b':')
    }) {
        return Some(&TSC);
    }
    if let Some((_, r)) = PLAIN.iter().find(|(n, _)| m.contains(n)) {
        return Some(r);
    }
    if m.match_indices("Failures: ").any(|(i, n)| {
        m.as_bytes()
            .get(i + n.len())
            .is_some_and(|b| (b'1'..=b'9').contains(b))
    }) {
        return Some(&SUREFIRE);
    }
    if let Some((_, r)) = PLAIN_AFTER.iter().find(|(n, _)| m.contains(n)) {
        return Some(r);
    }
    if m.match_indices("Connection ").any(|(i, n)| {
        let rest = m.get(i + n.len()..).unwrap_or_default();
        ["refused", "timed out", "reset"]
            .iter()
            .any(|w| rest.starts_with(w))
    }) {
        return Some(&CONNECTION);
    }
    if m.contains("i/o timeout") {
        return Some(&IO_TIMEOUT);
    }
    None
}

/// Whether a line looks like an error though no rule names it: it starts
/// with `fatal:`, `error:`, `Error:`, `ERROR` or `FAILED` (as a word: not
/// `ERROR_COUNT=0`), `[ERROR]` (a tool's own level, which the source did
/// not read as one: `[ERROR]execute … fail`), or with `Traceback`. (`Traceback` elsewhere in a line
/// is found in the tail, by [`holds_traceback`].)
#[inline]
pub(crate) fn error_like(m: &str) -> bool {
    may_start_error(m) && error_like_slow(m)
}

#[inline(never)]
fn error_like_slow(m: &str) -> bool {
    let word = |p: &str| {
        m.strip_prefix(p).is_some_and(|rest| {
            rest.as_bytes()
                .first()
                .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        })
    };
    m.starts_with("fatal:")
        || m.starts_with("error:")
        || m.starts_with("Error:")
        || m.starts_with("Traceback")
        || m.starts_with("[ERROR]")
        || word("ERROR")
        || word("FAILED")
}

/// Whether `Traceback` is anywhere in the line.
pub(crate) fn holds_traceback(m: &str) -> bool {
    m.contains("Traceback")
}

/// The class of a failure: status and exit code first, then the rule
/// hits in order (an out-of-memory message counts only with exit code
/// 137).
pub(crate) fn classify(
    status: Status,
    exit_code: Option<i64>,
    hits: &[(u64, &'static Rule)],
) -> (ErrorType, Option<Confidence>, Option<String>) {
    let found = |t: ErrorType, c: Confidence, why: String| (t, Some(c), Some(why));
    match status {
        Status::TimedOut => {
            return found(
                ErrorType::Timeout,
                Confidence::High,
                "status.timed_out".into(),
            );
        }
        Status::Cancelled => {
            return found(
                ErrorType::Cancelled,
                Confidence::High,
                "status.cancelled".into(),
            );
        }
        Status::Error => return found(ErrorType::Infra, Confidence::High, "status.error".into()),
        _ => {}
    }
    let oom = hits.iter().find(|(_, r)| r.class == ErrorType::OomKilled);
    match exit_code {
        Some(124) => return found(ErrorType::Timeout, Confidence::High, "exit_code.124".into()),
        Some(127) => {
            return found(
                ErrorType::CommandNotFound,
                Confidence::High,
                "exit_code.127".into(),
            );
        }
        Some(126) => {
            return found(
                ErrorType::NotExecutable,
                Confidence::High,
                "exit_code.126".into(),
            );
        }
        Some(137) => {
            return match oom {
                Some((_, r)) => found(ErrorType::OomKilled, Confidence::Medium, r.id.into()),
                None => found(ErrorType::Killed, Confidence::Low, "exit_code.137".into()),
            };
        }
        _ => {}
    }
    match hits.iter().find(|(_, r)| r.class != ErrorType::OomKilled) {
        Some((_, r)) => (r.class, Some(r.confidence), Some(r.id.to_owned())),
        None => (ErrorType::Other, None, None),
    }
}

#[cfg(test)]
pub(crate) mod reference;
