//! `cilog --jobs N`: the inputs are read on N threads, and stdout, stderr
//! and the exit status are byte for byte what `--jobs 1` gives, for every
//! output format and `summary`, over the whole corpus at once (payloads,
//! error cases, real-time pages that stitch across inputs, standard input).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "support/bin.rs"]
mod bin;
#[path = "support/corpus_files.rs"]
mod corpus_files;

/// Runs the binary with `args`, `stdin` on standard input.
fn cilog(args: &[String], stdin: &[u8]) -> Output {
    bin::run(args, &[], stdin)
}

/// Every corpus payload and page, as paths relative to the repository, in
/// a fixed order: each folder's payloads, then the pages of each
/// multi-page folder.
fn corpus_inputs() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
    let mut files: Vec<String> = corpus_files::cases().iter().map(|(_, p)| rel(p)).collect();
    for dir in corpus_files::page_dirs() {
        files.extend(corpus_files::payloads_in(&dir).iter().map(|p| rel(p)));
    }
    files
}

fn args(before: &[&str], jobs: &str, files: &[String]) -> Vec<String> {
    let mut a: Vec<String> = before.iter().map(|s| s.to_string()).collect();
    a.push("--jobs".into());
    a.push(jobs.into());
    a.extend(files.iter().cloned());
    a
}

#[test]
fn every_format_is_the_same_with_one_job_or_several() {
    let mut files = corpus_inputs();
    assert!(files.len() > 150, "{} corpus inputs", files.len());
    // Standard input in the middle, and a file given twice in a row.
    files.insert(7, "-".into());
    let twice = files[20].clone();
    files.insert(21, twice);
    let stdin = std::fs::read("corpus/codearts-log/class-auth.log").unwrap();
    let clock = ["--observed-at", "1700000000"];
    let cases: &[&[&str]] = &[
        &[],
        &["--strict"],
        &["--no-redact", "--raw-text"],
        &["--format", "pretty", "--color", "always"],
        &["--format", "otlp-json", clock[0], clock[1]],
        &["--format", "ecs", clock[0], clock[1]],
        &["summary"],
        &["summary", "--format", "json", "--exit-status"],
    ];
    for before in cases {
        let one = cilog(&args(before, "1", &files), &stdin);
        assert!(!one.stdout.is_empty(), "{before:?}");
        // The error cases of the corpus make stderr and exit status 1.
        assert_eq!(one.status.code(), Some(1), "{before:?}");
        assert!(!one.stderr.is_empty(), "{before:?}");
        for jobs in ["2", "3"] {
            let many = cilog(&args(before, jobs, &files), &stdin);
            assert!(
                one.stdout == many.stdout,
                "{before:?} --jobs {jobs}: stdout differs"
            );
            assert_eq!(
                String::from_utf8_lossy(&one.stderr),
                String::from_utf8_lossy(&many.stderr),
                "{before:?} --jobs {jobs}"
            );
            assert_eq!(one.status.code(), many.status.code(), "{before:?}");
        }
    }
}

#[test]
fn the_default_is_every_core_and_zero_jobs_is_a_usage_error() {
    let files = corpus_inputs();
    let mut plain: Vec<String> = Vec::new();
    plain.extend(files.iter().cloned());
    let default = cilog(&plain, b"");
    let one = cilog(&args(&[], "1", &files), b"");
    assert!(default.stdout == one.stdout);
    let zero = cilog(&args(&[], "0", &files), b"");
    assert_eq!(zero.status.code(), Some(2));
    assert!(zero.stdout.is_empty());
}

#[test]
fn a_file_given_twice_gets_a_header_each_time() {
    let f = "corpus/bkjob-log/generation-3x.json".to_string();
    for jobs in ["1", "2"] {
        let o = cilog(
            &args(
                &["--format", "pretty", "--color", "never"],
                jobs,
                &[f.clone(), f.clone()],
            ),
            b"",
        );
        let headers = String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with(&format!("── {f} ")))
            .count();
        assert_eq!(headers, 2, "--jobs {jobs}");
    }
}

#[test]
fn a_closed_output_stops_every_thread() {
    // Many inputs, and a reader that goes away after the first bytes: the
    // process ends (exit 1, nothing on stderr for a broken pipe) instead of
    // waiting on a full channel.
    let files: Vec<String> = std::iter::repeat_n(corpus_inputs(), 20).flatten().collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cilog"))
        .args(args(&[], "2", &files))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(1));
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "cilog --jobs 2 still runs after its output closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("writing output"), "{err}");
}
