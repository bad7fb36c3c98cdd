//! `cilog summary`: golden summaries beside every corpus payload, the exact
//! first error of each failure case, `--exit-status`, colour.
//!
//! - `<case>.summary.ndjson`: one `cilog.summary/v1` object per run, one per
//!   line (what `cilog summary --format json` prints); when parsing ends in
//!   an error, a last line `{"error":"<the error's Display>"}`.
//! - `<case>.summary.txt`: the text report without colour.
//!
//! The input is parsed as its folder's source, leniently, with redaction
//! (as the CLI does); a multi-page real-time folder is stitched. Run
//! `CILOG_BLESS=1 cargo test --test summary` to rewrite them, then read the
//! diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cilog::codearts::Follower;
use cilog::summary::{RunSummary, Summarizer};
use cilog::{Options, Source, Status, parse_as};

#[path = "support/bin.rs"]
mod bin;
#[path = "support/corpus_files.rs"]
mod corpus_files;
#[path = "support/golden.rs"]
mod golden;

use corpus_files::{corpus_dir, is_payload};

fn sorted(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| keep(p))
        .collect();
    v.sort();
    v
}

/// A case: its source, its pages (one for a plain payload), and the stem
/// of its goldens.
struct Case {
    source: Source,
    pages: Vec<PathBuf>,
    golden: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for src in Source::ALL {
        let dir = corpus_dir().join(src.as_str());
        for d in [dir.clone(), dir.join("err")] {
            for p in sorted(&d, is_payload) {
                let name = p.file_name().unwrap().to_str().unwrap();
                let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
                out.push(Case {
                    source: *src,
                    golden: d.join(stem),
                    pages: vec![p],
                });
            }
        }
        if *src == Source::CodeartsRealtimeLog {
            for folder in sorted(&dir, |p| p.is_dir() && p.file_name().unwrap() != "err") {
                out.push(Case {
                    source: *src,
                    golden: folder.clone(),
                    pages: sorted(&folder, is_payload),
                });
            }
        }
    }
    out
}

fn relative(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string()
}

/// The summaries of a case, and the error parsing ended in, if any.
fn summarize(case: &Case) -> (Vec<RunSummary>, Option<String>) {
    let opts = Options::default().with_redact(true);
    let name = relative(&case.pages[0]);
    if case.pages.len() > 1 {
        let mut s = Summarizer::new(&name);
        let mut f = Follower::new(opts);
        for p in &case.pages {
            let data = fs::read(p).unwrap();
            if let Err(e) = f.feed_page(&data, |e| s.push_owned(&e)) {
                return (s.finish(), Some(e.to_string()));
            }
        }
        let end = f.finish(|e| s.push_owned(&e));
        return (s.finish(), end.err().map(|e| e.to_string()));
    }
    let data = fs::read(&case.pages[0]).unwrap();
    let mut s = Summarizer::new(&name);
    let mut error = None;
    match parse_as(case.source, &data, &opts) {
        Err(e) => error = Some(e.to_string()),
        Ok(events) => {
            for e in events {
                match e {
                    Ok(e) => s.push(&e),
                    Err(e) => error = Some(e.to_string()),
                }
            }
        }
    }
    (s.finish(), error)
}

fn render_json(runs: &[RunSummary], error: Option<&str>) -> String {
    let mut out = String::new();
    for r in runs {
        out.push_str(&r.to_json());
        out.push('\n');
    }
    if let Some(e) = error {
        out.push_str(&serde_json::json!({ "error": e }).to_string());
        out.push('\n');
    }
    out
}

fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    golden::check(path, actual, "summary", failures);
}

fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

#[test]
fn golden_summaries() {
    let cases = cases();
    assert!(cases.len() > 100, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (runs, error) = summarize(case);
        let json = render_json(&runs, error.as_deref());
        check(
            &with_ext(&case.golden, ".summary.ndjson"),
            &json,
            &mut failures,
        );
        let text: String = runs.iter().map(|r| r.to_text(false)).collect();
        check(
            &with_ext(&case.golden, ".summary.txt"),
            &text,
            &mut failures,
        );
        for line in json.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v.get("error").is_some() {
                continue;
            }
            // Exactly the schema's keys, in its order (each key's first
            // appearance is the top-level one).
            let keys = [
                "schema",
                "input",
                "source",
                "job",
                "run_id",
                "attempt",
                "outcome",
                "start",
                "end",
                "duration_ms",
                "exit_code",
                "first_error",
                "failing",
                "steps",
                "counts",
            ];
            assert_eq!(v.as_object().unwrap().len(), keys.len(), "{line}");
            let at: Vec<usize> = keys
                .iter()
                .map(|k| line.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
            assert!(line.starts_with("{\"schema\":\"cilog.summary/v1\",\"input\":"));
        }
        // A run that succeeded lists no failing step.
        for r in &runs {
            if r.outcome == Status::Succeeded {
                assert!(
                    r.failing.is_empty() && r.first_error.is_none(),
                    "{}",
                    r.input
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} summary failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every summary golden belongs to a payload or a multi-page folder.
#[test]
fn no_orphan_summaries() {
    let stems: Vec<PathBuf> = cases().into_iter().map(|c| c.golden).collect();
    for src in Source::ALL {
        let dir = corpus_dir().join(src.as_str());
        for d in [dir.clone(), dir.join("err")] {
            for p in sorted(&d, |p| p.is_file()) {
                let name = p.file_name().unwrap().to_str().unwrap();
                for suffix in [".summary.ndjson", ".summary.txt"] {
                    if let Some(stem) = name.strip_suffix(suffix) {
                        assert!(stems.contains(&d.join(stem)), "orphan {}", p.display());
                    }
                }
            }
        }
    }
}

fn cilog(args: &[&str], env: &[(&str, &str)]) -> Output {
    bin::run(args, env, b"")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// `cilog summary --format json` on every payload prints its golden (the
/// runs; a parse error goes to stderr with exit status 1).
#[test]
fn cli_prints_the_goldens() {
    for case in cases() {
        let paths: Vec<String> = case.pages.iter().map(|p| relative(p)).collect();
        let mut args = vec!["summary", "--format", "json"];
        if case.pages.len() > 1 {
            args.extend(["--source", "codearts-realtime-log"]);
        }
        args.extend(paths.iter().map(String::as_str));
        let o = cilog(&args, &[]);
        let golden = fs::read_to_string(with_ext(&case.golden, ".summary.ndjson")).unwrap();
        let (runs, error): (Vec<&str>, Vec<&str>) =
            golden.lines().partition(|l| !l.starts_with("{\"error\""));
        let want: String = runs.iter().map(|l| format!("{l}\n")).collect();
        assert_eq!(stdout(&o), want, "{paths:?}");
        let code = if error.is_empty() { 0 } else { 1 };
        assert_eq!(o.status.code(), Some(code), "{paths:?}");
    }
}

fn runs_of(path: &str) -> Vec<RunSummary> {
    let src = path.split('/').nth(1).unwrap().parse::<Source>().unwrap();
    let (runs, error) = summarize(&Case {
        source: src,
        pages: vec![corpus_dir().join(path.strip_prefix("corpus/").unwrap())],
        golden: PathBuf::new(),
    });
    assert_eq!(error, None);
    runs
}

/// The first error of each failure case, exactly: (payload, outcome, seq,
/// line, step id, host, message, error type).
#[test]
fn first_error_is_exact() {
    type Want<'a> = (
        &'a str,
        Status,
        u64,
        Option<u64>,
        Option<&'a str>,
        Option<&'a str>,
        &'a str,
        &'a str,
    );
    let cases: &[Want<'_>] = &[
        (
            "corpus/codearts-log/summary-fatal-then-exit.log",
            Status::Failed,
            6,
            Some(7),
            Some("external_pre_checkout"),
            None,
            "fatal: could not read Username for 'https://codehub.example.com': No such device or address",
            "_OTHER",
        ),
        (
            "corpus/codearts-log/summary-step-error-then-exit.log",
            Status::Failed,
            5,
            Some(6),
            Some("external_post_npm"),
            None,
            "Error: Cannot find module 'webpack'",
            "_OTHER",
        ),
        (
            "corpus/codearts-log/real-failure-tail.log",
            Status::Failed,
            12,
            Some(13),
            None,
            None,
            "[ERROR]execute openlibing-pytest-executor. main.py fail, log file is ***//openlibing-pytest-executor-workspace/executor-log/scheduler_framework.log",
            "_OTHER",
        ),
        (
            "corpus/codearts-log/status-finished-failure.log",
            Status::Failed,
            1,
            Some(2),
            Some("external_post_maven"),
            None,
            "BUILD FAILURE",
            "_OTHER",
        ),
        (
            "corpus/bkjob-log/summary-one-host-fails.json",
            Status::Failed,
            8,
            None,
            Some("42001"),
            Some("10.0.1.12"),
            "tar: app/lib/core.so: Cannot write: No space left on device",
            "disk_full",
        ),
        (
            "corpus/swr-job-log/summary-step-failed.json",
            Status::Failed,
            7,
            None,
            None,
            None,
            "denied: requested access to the resource is denied",
            "auth",
        ),
        (
            "corpus/codearts-log/class-compile-error.log",
            Status::Failed,
            3,
            Some(4),
            Some("external_post_cargo"),
            None,
            "error[E0308]: mismatched types",
            "compile_error",
        ),
        (
            "corpus/codearts-log/class-test-failure.log",
            Status::Failed,
            4,
            Some(5),
            Some("external_go_test"),
            None,
            "--- FAIL: TestParse (0.00s)",
            "test_failure",
        ),
        (
            "corpus/codearts-log/class-oom-killed.log",
            Status::Failed,
            4,
            Some(5),
            Some("external_shell"),
            None,
            "[ 5012.345678] Out of memory: Killed process 4242 (java) total-vm:9437184kB",
            "oom_killed",
        ),
        (
            "corpus/codearts-log/class-network.log",
            Status::Failed,
            3,
            Some(4),
            Some("external_shell"),
            None,
            "curl: (6) Could not resolve host: artifacts.example.internal",
            "network",
        ),
    ];
    for (path, outcome, seq, line, step, host, message, class) in cases {
        let runs = runs_of(path);
        assert_eq!(runs.len(), 1, "{path}");
        let r = &runs[0];
        assert_eq!(r.outcome, *outcome, "{path}");
        let f = r.first_error.as_ref().unwrap();
        assert_eq!(
            (
                f.seq,
                f.line,
                f.step_id.as_deref(),
                f.host.as_deref(),
                f.message.as_str()
            ),
            (*seq, *line, *step, *host, *message),
            "{path}"
        );
        assert_eq!(r.failing[0].error_type.as_str(), *class, "{path}");
    }
}

/// One class per fixture: (payload, error type, confidence, evidence).
#[test]
fn one_fixture_per_class() {
    let cases = [
        (
            "command-not-found",
            "command_not_found",
            Some("high"),
            Some("exit_code.127"),
        ),
        (
            "not-executable",
            "not_executable",
            Some("high"),
            Some("exit_code.126"),
        ),
        (
            "oom-killed",
            "oom_killed",
            Some("medium"),
            Some("oom_killed.kernel"),
        ),
        ("killed", "killed", Some("low"), Some("exit_code.137")),
        ("timeout", "timeout", Some("high"), Some("exit_code.124")),
        (
            "disk-full",
            "disk_full",
            Some("high"),
            Some("disk_full.no_space"),
        ),
        (
            "compile-error",
            "compile_error",
            Some("high"),
            Some("compile_error.rustc"),
        ),
        (
            "test-failure",
            "test_failure",
            Some("medium"),
            Some("test_failure.go"),
        ),
        ("auth", "auth", Some("medium"), Some("auth.registry_denied")),
        (
            "network",
            "network",
            Some("medium"),
            Some("network.resolve_host"),
        ),
        ("other", "_OTHER", None, None),
    ];
    for (name, class, confidence, evidence) in cases {
        let runs = runs_of(&format!("corpus/codearts-log/class-{name}.log"));
        let f = &runs[0].failing[0];
        assert_eq!(
            (
                f.error_type.as_str(),
                f.confidence.map(|c| c.as_str()),
                f.evidence.as_deref()
            ),
            (class, confidence, evidence),
            "{name}"
        );
    }
    let cancelled = runs_of("corpus/codearts-log/class-cancelled.log");
    assert_eq!(cancelled[0].outcome, Status::Cancelled);
    assert!(cancelled[0].failing.is_empty());
    // A job that timed out (SWR history `Timeout`), and a BlueKing step
    // in an abnormal state (the platform's error).
    let history = runs_of("corpus/swr-job-history/formats-c-history.json");
    let timed_out = history
        .iter()
        .find(|r| r.outcome == Status::TimedOut)
        .unwrap();
    assert_eq!(timed_out.failing[0].error_type.as_str(), "timeout");
    let every = runs_of("corpus/bkjob-log/every-step-status.json");
    assert!(
        every[0]
            .failing
            .iter()
            .any(|f| f.error_type.as_str() == "infra"),
        "{:?}",
        every[0].failing
    );
}

#[test]
fn truncated_logs_are_running_or_unknown() {
    let running = runs_of("corpus/codearts-log/summary-truncated-running.log");
    assert_eq!(running[0].outcome, Status::Running);
    assert!(running[0].failing.is_empty());
    let unknown = runs_of("corpus/codearts-log/summary-truncated-unknown.log");
    assert_eq!(unknown[0].outcome, Status::Unknown);
    assert!(unknown[0].failing.is_empty());
}

#[test]
fn exit_status() {
    let failed = "corpus/codearts-log/summary-fatal-then-exit.log";
    let ok = "corpus/codearts-log/realistic-task-log.log";
    let cancelled = "corpus/codearts-log/class-cancelled.log";
    for format in ["text", "json"] {
        let run = |args: &[&str]| {
            let mut all = vec!["summary", "--format", format];
            all.extend(args);
            cilog(&all, &[]).status.code()
        };
        assert_eq!(run(&[failed]), Some(0), "{format}");
        assert_eq!(run(&["--exit-status", failed]), Some(1), "{format}");
        assert_eq!(run(&["--exit-status", ok]), Some(0), "{format}");
        assert_eq!(run(&["--exit-status", cancelled]), Some(0), "{format}");
        assert_eq!(run(&["--exit-status", ok, failed]), Some(1), "{format}");
        assert_eq!(run(&["no/such/file"]), Some(1), "{format}");
    }
    let o = cilog(&["summary", "--format", "yaml", ok], &[]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn successful_log_is_one_line() {
    let o = cilog(
        &["summary", "corpus/codearts-log/realistic-task-log.log"],
        &[],
    );
    assert_eq!(
        stdout(&o),
        "✓ j_YE1bu9Z7 #1 (codearts-log) succeeded 14m13s\n"
    );
    let o = cilog(
        &[
            "summary",
            "--format",
            "json",
            "corpus/codearts-log/realistic-task-log.log",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim_end()).unwrap();
    assert_eq!(v["outcome"], "succeeded");
    assert_eq!(v["failing"], serde_json::json!([]));
    assert_eq!(v["schema"], "cilog.summary/v1");
}

#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let f = "corpus/codearts-log/summary-fatal-then-exit.log";
    // Piped: plain.
    let plain = stdout(&cilog(&["summary", f], &[]));
    assert!(!plain.contains('\x1b'), "{plain}");
    let forced = stdout(&cilog(&["summary", f], &[("CLICOLOR_FORCE", "1")]));
    assert!(forced.contains("\x1b["), "{forced}");
    let off = stdout(&cilog(
        &["summary", f],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    ));
    assert!(!off.contains('\x1b'), "{off}");
    assert_eq!(off, plain);
    // JSON is never coloured.
    let json = stdout(&cilog(
        &["summary", "--format", "json", f],
        &[("CLICOLOR_FORCE", "1")],
    ));
    assert!(!json.contains("\x1b["));
}

/// A file literally named `summary` is read with `./summary`; the main
/// command is unchanged.
#[test]
fn a_file_named_summary() {
    let dir = std::env::temp_dir().join(format!("cilog-summary-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let log = fs::read(corpus_dir().join("codearts-log/status-finished-failure.log")).unwrap();
    fs::File::create(dir.join("summary"))
        .unwrap()
        .write_all(&log)
        .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cilog"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let events = run(&["./summary"]);
    assert_eq!(events.status.code(), Some(0));
    assert_eq!(stdout(&events).lines().count(), 3);
    assert!(stdout(&events).starts_with("{\"source\":\"codearts-log\""));
    let summary = run(&["summary", "./summary"]);
    assert_eq!(summary.status.code(), Some(0));
    assert!(stdout(&summary).starts_with("✗ ./summary (codearts-log) failed 3s\n"));
    fs::remove_dir_all(&dir).unwrap();
}

/// Control characters in the log cannot drive the terminal.
#[test]
fn text_escapes_control_characters() {
    let log = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [构建:b] : 该步骤开始执行\n\
               [2026/06/26 14:16:01.000 GMT+08:00] error: bad \u{1b}]0;title\u{7}\n\
               [2026/06/26 14:16:03.000 GMT+08:00] Finished: FAILURE\n";
    let opts = Options::default().with_text(cilog::TextMode::Raw);
    let mut s = Summarizer::new("t");
    for e in parse_as(Source::CodeartsLog, log, &opts).unwrap() {
        s.push(&e.unwrap());
    }
    let text = s.finish()[0].to_text(false);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    assert!(text.contains("error: bad \\u{1b}]0;title\\u{7}"), "{text}");
}
