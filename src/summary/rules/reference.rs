//! The rules as regular expressions, the careful reference of the
//! hand-written matchers in `rules.rs`; a property test says they agree.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    AUTH_REQUIRED, CARGO_TEST, CC, CONNECTION, GO_TEST, HTTP_401, HTTP_403, IO_TIMEOUT, JAVAC,
    NAME_RESOLUTION, NINJA, NO_SPACE, OOM_JAVA, OOM_KERNEL, OOM_NODE, PYTEST, REGISTRY_DENIED,
    RESOLVE_HOST, RUSTC, SSH_PUBLICKEY, SUREFIRE, TSC,
};
use super::{Rule, error_like, head_rule, tail_rule};

/// The head rules in the order `head_rule` tries them.
fn head_table() -> Vec<(Regex, &'static Rule)> {
    [
        (r"^error(\[E\d{4}\])?: ", &RUSTC),
        (r"^FAILED: ", &NINJA),
        (r"^FAILED \S+::", &PYTEST),
        (r"^test result: FAILED", &CARGO_TEST),
        (r"^--- FAIL: ", &GO_TEST),
    ]
    .into_iter()
    .map(|(re, r)| (Regex::new(re).unwrap(), r))
    .collect()
}

/// The tail rules in the order `tail_rule` tries them.
fn tail_table() -> Vec<(Regex, &'static Rule)> {
    [
        (r"^\S+:\d+:\d+: (fatal )?error:", &CC),
        (r"^\S+\.java:\d+: error:", &JAVAC),
        (r"error TS\d+:", &TSC),
        (r"No space left on device", &NO_SPACE),
        (r"Out of memory: Killed process", &OOM_KERNEL),
        (r"OutOfMemoryError", &OOM_JAVA),
        (r"heap out of memory", &OOM_NODE),
        (r"Failures: [1-9]", &SUREFIRE),
        (r"401 Unauthorized", &HTTP_401),
        (r"403 Forbidden", &HTTP_403),
        (r"authentication required", &AUTH_REQUIRED),
        (r"denied: requested access", &REGISTRY_DENIED),
        (r"Permission denied \(publickey\)", &SSH_PUBLICKEY),
        (r"Could not resolve host", &RESOLVE_HOST),
        (r"name resolution", &NAME_RESOLUTION),
        (r"Connection (refused|timed out|reset)", &CONNECTION),
        (r"i/o timeout", &IO_TIMEOUT),
    ]
    .into_iter()
    .map(|(re, r)| (Regex::new(re).unwrap(), r))
    .collect()
}

fn first_match(table: &[(Regex, &'static Rule)], m: &str) -> Option<&'static Rule> {
    table.iter().find(|(re, _)| re.is_match(m)).map(|(_, r)| *r)
}

static HEAD: LazyLock<Vec<(Regex, &'static Rule)>> = LazyLock::new(head_table);
static TAIL: LazyLock<Vec<(Regex, &'static Rule)>> = LazyLock::new(tail_table);
static ERROR_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(fatal:|error:|Error:|Traceback|\[ERROR\]|ERROR([^A-Za-z0-9_]|$)|FAILED([^A-Za-z0-9_]|$))")
        .unwrap()
});

fn error_like_ref(m: &str) -> bool {
    ERROR_LIKE.is_match(m)
}

/// Positive and negative cases of every rule: (message, head rule id, tail
/// rule id, error-like).
const CASES: &[(&str, Option<&str>, Option<&str>, bool)] = &[
    (
        "error[E0308]: mismatched types",
        Some("compile_error.rustc"),
        None,
        false,
    ),
    (
        "error: could not compile `x`",
        Some("compile_error.rustc"),
        None,
        true,
    ),
    ("error[E03]: short code", None, None, false),
    (
        "src/main.c:3:5: error: expected ';'",
        None,
        Some("compile_error.cc"),
        false,
    ),
    (
        "a.c:1:2: fatal error: x.h: No such file",
        None,
        Some("compile_error.cc"),
        false,
    ),
    (
        "src/Foo.java:12: error: cannot find symbol",
        None,
        Some("compile_error.javac"),
        false,
    ),
    ("src/Foo.java:12: fatal error: x", None, None, false),
    (
        "FAILED: build.ninja",
        Some("compile_error.ninja"),
        None,
        true,
    ),
    (
        "test result: FAILED. 1 passed; 2 failed",
        Some("test_failure.cargo"),
        None,
        false,
    ),
    (
        "--- FAIL: TestX (0.00s)",
        Some("test_failure.go"),
        None,
        false,
    ),
    (
        "FAILED tests/test_a.py::test_b - assert 1 == 2",
        Some("test_failure.pytest"),
        None,
        true,
    ),
    ("FAILED ::x", None, None, true),
    (
        "src/a.ts(3,5): error TS2304: Cannot find name 'x'.",
        None,
        Some("compile_error.tsc"),
        false,
    ),
    (
        "cp: error writing 'x': No space left on device",
        None,
        Some("disk_full.no_space"),
        false,
    ),
    (
        "Out of memory: Killed process 1234 (java)",
        None,
        Some("oom_killed.kernel"),
        false,
    ),
    (
        "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space",
        None,
        Some("oom_killed.java"),
        false,
    ),
    (
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        None,
        Some("oom_killed.node"),
        false,
    ),
    (
        "Tests run: 5, Failures: 1, Errors: 0, Skipped: 0",
        None,
        Some("test_failure.surefire"),
        false,
    ),
    (
        "Tests run: 5, Failures: 0, Errors: 0, Skipped: 0",
        None,
        None,
        false,
    ),
    (
        "HTTP/1.1 401 Unauthorized",
        None,
        Some("auth.http_401"),
        false,
    ),
    (
        "The requested URL returned error: 403 Forbidden",
        None,
        Some("auth.http_403"),
        false,
    ),
    (
        "unauthorized: authentication required",
        None,
        Some("auth.required"),
        false,
    ),
    (
        "denied: requested access to the resource is denied",
        None,
        Some("auth.registry_denied"),
        false,
    ),
    (
        "git@github.com: Permission denied (publickey).",
        None,
        Some("auth.ssh_publickey"),
        false,
    ),
    (
        "fatal: unable to access 'https://x/': Could not resolve host: x",
        None,
        Some("network.resolve_host"),
        true,
    ),
    (
        "Temporary failure in name resolution",
        None,
        Some("network.name_resolution"),
        false,
    ),
    (
        "curl: (7) Failed to connect: Connection refused",
        None,
        Some("network.connection"),
        false,
    ),
    (
        "Connection timed out after 30s",
        None,
        Some("network.connection"),
        false,
    ),
    (
        "read: Connection reset by peer",
        None,
        Some("network.connection"),
        false,
    ),
    ("Connection established", None, None, false),
    (
        "dial tcp 10.0.0.1:443: i/o timeout",
        None,
        Some("network.io_timeout"),
        false,
    ),
    ("Traceback (most recent call last):", None, None, true),
    ("fatal: repository not found", None, None, true),
    ("Error: Process completed", None, None, true),
    ("ERROR: script returned exit code 1", None, None, true),
    ("ERROR", None, None, true),
    ("FAILED", None, None, true),
    (
        "[ERROR]execute openlibing-pytest-executor. main.py fail",
        None,
        None,
        true,
    ),
    // Must not fire.
    ("0 errors", None, None, false),
    ("cc -Werror -o x x.c", None, None, false),
    ("Compiling src/errors.rs", None, None, false),
    ("errors.rs:3:1: warning: x", None, None, false),
    ("ERROR_COUNT=0", None, None, false),
    ("FAILEDX", None, None, false),
    ("errors: none", None, None, false),
    ("[ERRORS] none", None, None, false),
    ("[command]/usr/bin/git fetch", None, None, false),
];

#[test]
fn rule_table() {
    let (head, tail) = (&*HEAD, &*TAIL);
    for (m, h, t, like) in CASES {
        assert_eq!(head_rule(m).map(|r| r.id), *h, "head {m:?}");
        assert_eq!(first_match(head, m).map(|r| r.id), *h, "head ref {m:?}");
        assert_eq!(tail_rule(m).map(|r| r.id), *t, "tail {m:?}");
        assert_eq!(first_match(tail, m).map(|r| r.id), *t, "tail ref {m:?}");
        assert_eq!(error_like(m), *like, "error-like {m:?}");
        assert_eq!(error_like_ref(m), *like, "error-like ref {m:?}");
    }
}

/// A near miss of every rule: (the rule, a line that looks like it but
/// must not fire it).
const NEAR_MISSES: &[(&str, &str)] = &[
    ("compile_error.rustc", "errors: 0 (error[E0308] fixed)"),
    (
        "compile_error.cc",
        "src/main.c:3:5: warning: unused variable",
    ),
    (
        "compile_error.javac",
        "src/Foo.java:12: warning: [deprecation] x",
    ),
    ("compile_error.ninja", "FAILED tests: none"),
    ("test_failure.cargo", "test result: ok. 3 passed; 0 failed"),
    ("test_failure.go", "--- PASS: TestParse (0.00s)"),
    ("test_failure.pytest", "FAILED=0 tests/test_a.py"),
    ("compile_error.tsc", "error TS: no code"),
    ("disk_full.no_space", "no space left on device"),
    ("oom_killed.kernel", "Out of memory: none killed"),
    ("oom_killed.java", "OutOfMemory guard enabled"),
    ("oom_killed.node", "heap usage: 40% of memory"),
    (
        "test_failure.surefire",
        "Tests run: 5, Failures: 0, Errors: 0",
    ),
    ("auth.http_401", "HTTP 401 retried"),
    ("auth.http_403", "403 forbidden paths skipped"),
    ("auth.required", "authentication not required"),
    ("auth.registry_denied", "denied: nothing"),
    ("auth.ssh_publickey", "Permission denied (password)."),
    ("network.resolve_host", "could resolve host x"),
    ("network.name_resolution", "name resolved"),
    ("network.connection", "Connection established"),
    ("network.io_timeout", "io timeout set to 30s"),
];

#[test]
fn every_rule_has_a_near_miss() {
    for (_, r) in head_table().into_iter().chain(tail_table()) {
        let Some((_, m)) = NEAR_MISSES.iter().find(|(id, _)| *id == r.id) else {
            panic!("{} has no near miss", r.id);
        };
        assert_eq!(head_rule(m), None, "{m:?}");
        assert_eq!(tail_rule(m), None, "{m:?}");
        assert_eq!(first_match(&HEAD, m), None, "{m:?}");
        assert_eq!(first_match(&TAIL, m), None, "{m:?}");
    }
}

/// Every rule has a positive case in the table.
#[test]
fn every_rule_has_a_case() {
    for (_, r) in head_table().into_iter().chain(tail_table()) {
        assert!(
            CASES
                .iter()
                .any(|(_, h, t, _)| *h == Some(r.id) || *t == Some(r.id)),
            "{} has no case",
            r.id
        );
    }
}

/// Pieces the generated messages are made of: the rules' parts, near
/// misses, white space of every kind, digits.
const PIECES: &[&str] = &[
    "error",
    "Error",
    "ERROR",
    "FAILED",
    "FAIL",
    "fatal",
    ":",
    "::",
    ": ",
    " ",
    "\t",
    "\u{3000}",
    "\u{b}",
    "[E",
    "]",
    "0308",
    "12",
    "3",
    ".java",
    "src/a",
    "é",
    "(",
    ")",
    " error:",
    " fatal error:",
    "error TS",
    "test result: ",
    "--- ",
    "Failures: ",
    "1",
    "0",
    "_",
    "No space left on device",
    "Out of memory: Killed process",
    "OutOfMemoryError",
    "heap out of memory",
    "401 Unauthorized",
    "403 Forbidden",
    "authentication required",
    "denied: requested access",
    "Permission denied (publickey)",
    "Could not resolve host",
    "name resolution",
    "Connection ",
    "refused",
    "timed out",
    "reset",
    "i/o timeout",
    "Traceback",
    "x",
];

proptest::proptest! {
    #![proptest_config(crate::testing::proptest_config(2048))]

    #[test]
    fn matchers_agree_with_the_regular_expressions(
        parts in proptest::collection::vec(proptest::sample::select(PIECES), 0..10)
    ) {
        let m: String = parts.concat();
        let (head, tail) = (&*HEAD, &*TAIL);
        proptest::prop_assert_eq!(head_rule(&m).map(|r| r.id), first_match(head, &m).map(|r| r.id), "{:?}", m);
        proptest::prop_assert_eq!(tail_rule(&m).map(|r| r.id), first_match(tail, &m).map(|r| r.id), "{:?}", m);
        proptest::prop_assert_eq!(error_like(&m), error_like_ref(&m), "{:?}", m);
    }

    #[test]
    fn matchers_agree_on_any_text(m in "\\PC{0,40}") {
        let (head, tail) = (&*HEAD, &*TAIL);
        proptest::prop_assert_eq!(head_rule(&m).map(|r| r.id), first_match(head, &m).map(|r| r.id));
        proptest::prop_assert_eq!(tail_rule(&m).map(|r| r.id), first_match(tail, &m).map(|r| r.id));
        proptest::prop_assert_eq!(error_like(&m), error_like_ref(&m));
    }
}
