//! Golden corpus: every payload under `corpus/<source>/` is parsed (as its
//! directory's source, and auto-detected) in lenient and strict mode, and the
//! NDJSON output is compared with the expected files beside it.
//!
//! - `<case>.expected.ndjson`: lenient output. If parsing ends in an error,
//!   the last line is `{"error":"<the error's Display>"}`.
//! - `<case>.strict.ndjson`: strict output, only when it differs from the
//!   lenient output (otherwise it must not exist).
//!
//! Run `CILOG_BLESS=1 cargo test --test corpus` to rewrite the expectations,
//! then read the diff.
//!
//! Cases under `corpus/<source>/err/` are inputs that end in an error even in
//! lenient mode (vendor error bodies, truncated payloads). They need not be
//! detected as their directory's source, but auto-detected parsing of them
//! must end in an error too. Keeping them apart lets `cilog corpus/*/*.json`
//! show every other case without an error exit (the summary goldens of
//! `tests/summary.rs` are `*.summary.ndjson` and `*.summary.txt`, outside
//! that glob).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "support/corpus_files.rs"]
mod corpus_files;

use std::fs;
use std::path::Path;

use corpus_files::{cases, corpus_dir, page_dirs, payloads_in};

use cilog::codearts::Follower;
use cilog::{Events, LogEvent, Options, Source, detect, parse, parse_as};

#[path = "support/golden.rs"]
mod golden;

use golden::bless;

fn check(path: &Path, actual: &str, failures: &mut Vec<String>) {
    golden::check(path, actual, "corpus", failures);
}

/// Renders a parse result the way the expected files hold it.
pub fn render(result: Result<Events<'_>, cilog::Error>) -> String {
    let mut out = String::new();
    match result {
        Err(e) => push_error(&mut out, &e),
        Ok(events) => {
            for ev in events {
                match ev {
                    Ok(ev) => ev.write_ndjson_to(&mut out),
                    Err(e) => push_error(&mut out, &e),
                }
            }
        }
    }
    out
}

fn push_error(out: &mut String, e: &cilog::Error) {
    let line = serde_json::json!({ "error": e.to_string() });
    out.push_str(&line.to_string());
    out.push('\n');
}

fn is_err_case(path: &Path) -> bool {
    path.parent()
        .and_then(|d| d.file_name())
        .is_some_and(|n| n == "err")
}

fn stem(path: &Path) -> String {
    let name = path.file_name().unwrap().to_str().unwrap();
    match name.rfind('.') {
        Some(i) => name[..i].to_owned(),
        None => name.to_owned(),
    }
}

#[test]
fn golden_corpus() {
    let cases = cases();
    assert!(cases.len() >= 20, "corpus has only {} cases", cases.len());
    let mut failures = Vec::new();
    for (src, path) in &cases {
        let input = fs::read(path).unwrap();
        let dir = path.parent().unwrap();
        let stem = stem(path);

        let lenient = render(parse_as(*src, &input, &Options::default()));
        check(
            &dir.join(format!("{stem}.expected.ndjson")),
            &lenient,
            &mut failures,
        );

        let strict = render(parse_as(*src, &input, &Options::strict()));
        let strict_path = dir.join(format!("{stem}.strict.ndjson"));
        if strict != lenient {
            check(&strict_path, &strict, &mut failures);
        } else if bless() {
            let _ = fs::remove_file(&strict_path);
        } else if strict_path.exists() {
            failures.push(format!(
                "{}: strict output equals lenient; delete this file",
                strict_path.display()
            ));
        }

        // Auto-detection gives the same result as naming the source.
        if is_err_case(path) {
            let auto = render(parse(&input, &Options::default()));
            if !auto.lines().last().unwrap_or("").starts_with("{\"error\"") {
                failures.push(format!(
                    "{}: auto-detected parse of an err/ case did not fail",
                    path.display()
                ));
            }
            if !lenient
                .lines()
                .last()
                .unwrap_or("")
                .starts_with("{\"error\"")
            {
                failures.push(format!(
                    "{}: an err/ case parsed without error; move it up a folder",
                    path.display()
                ));
            }
        } else {
            if detect(&input) != Some(*src) {
                failures.push(format!(
                    "{}: detected as {:?}",
                    path.display(),
                    detect(&input)
                ));
            }
            if lenient
                .lines()
                .last()
                .unwrap_or("")
                .starts_with("{\"error\"")
            {
                failures.push(format!(
                    "{}: ends in an error in lenient mode; move it to err/",
                    path.display()
                ));
            }
            let auto = render(parse(&input, &Options::default()));
            if auto != lenient {
                failures.push(format!(
                    "{}: auto-detected output differs from explicit",
                    path.display()
                ));
            }
        }

        // Every expected line is valid JSON.
        for line in lenient.lines().chain(strict.lines()) {
            if serde_json::from_str::<serde_json::Value>(line).is_err() {
                failures.push(format!("{}: invalid JSON line {line}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Pages of one log in a folder `corpus/codearts-realtime-log/<case>/`,
/// stitched through one [`Follower`]; expected output in `<case>.expected.ndjson`
/// beside the folder. The pages are also each detected as real-time pages.
#[test]
fn multi_page_cases() {
    let root = corpus_dir().join(Source::CodeartsRealtimeLog.as_str());
    let dirs = page_dirs();
    assert!(dirs.len() >= 3);
    let mut failures = Vec::new();
    for dir in &dirs {
        let pages: Vec<Vec<u8>> = payloads_in(dir)
            .iter()
            .map(|p| fs::read(p).unwrap())
            .collect();
        for p in &pages {
            assert_eq!(
                detect(p),
                Some(Source::CodeartsRealtimeLog),
                "{}",
                dir.display()
            );
        }
        let name = dir.file_name().unwrap().to_str().unwrap();
        let lenient = stitch(&pages, &Options::default());
        check(
            &root.join(format!("{name}.expected.ndjson")),
            &lenient,
            &mut failures,
        );
        let strict = stitch(&pages, &Options::strict());
        let strict_path = root.join(format!("{name}.strict.ndjson"));
        if strict != lenient {
            check(&strict_path, &strict, &mut failures);
        } else if bless() {
            let _ = fs::remove_file(&strict_path);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Feeds pages through one follower and renders the events (and a final
/// error, as the expected files hold it).
pub fn stitch(pages: &[Vec<u8>], opts: &Options) -> String {
    let mut f = Follower::new(opts.clone());
    let mut out = String::new();
    for p in pages {
        if let Err(e) = f.feed_page(p, |e: LogEvent<'_>| e.write_ndjson_to(&mut out)) {
            push_error(&mut out, &e);
            return out;
        }
    }
    if let Err(e) = f.finish(|e| e.write_ndjson_to(&mut out)) {
        push_error(&mut out, &e);
    }
    out
}

/// Every expected file belongs to a payload (no stale expectations).
#[test]
fn no_orphan_expectations() {
    for src in Source::ALL {
        for dir in [
            corpus_dir().join(src.as_str()),
            corpus_dir().join(src.as_str()).join("err"),
        ] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let mut payload_stems: Vec<String> =
                payloads_in(&dir).iter().map(|p| stem(p)).collect();
            // Multi-page folders own `<folder>.expected.ndjson`.
            payload_stems.extend(
                fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.is_dir())
                    .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned()),
            );
            for e in entries {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_str().unwrap().to_owned();
                for suffix in [".expected.ndjson", ".strict.ndjson"] {
                    if let Some(stem) = name.strip_suffix(suffix) {
                        assert!(
                            payload_stems.iter().any(|s| s == stem),
                            "orphan expectation {}",
                            p.display()
                        );
                    }
                }
            }
        }
    }
}
