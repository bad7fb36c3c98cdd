//! Runs `examples/downstream.rs` (compiled in here as a module) over corpus
//! files, so the downstream example cannot silently rot: its JSON lines are
//! the corpus's expected NDJSON, its human lines and notes are printed, and
//! reading a file strictly as a wrong source fails with that source named.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

#[allow(dead_code)]
#[path = "../examples/downstream.rs"]
mod downstream;

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(rel)
}

/// The example's output for one file.
fn output_of(rel: &str) -> String {
    let path = corpus(rel);
    let mut out = Vec::new();
    downstream::run(&[&path], &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_lines_are_the_expected_ndjson() {
    for rel in [
        "bkjob-log/generation-3x.json",
        "codearts-log/realistic-task-log.log",
        "swr-job-log/ansi-and-cr.json",
        "codearts-realtime-log/formats-a-midstream.json",
        "bkjob-status/docs-finished.json",
        "bkjob-ip-log/batch-script.json",
    ] {
        let out = output_of(rel);
        let json: Vec<&str> = out
            .lines()
            .filter_map(|l| l.strip_prefix("  json: "))
            .collect();
        let expected_path = corpus(rel).with_extension("expected.ndjson");
        let expected = std::fs::read_to_string(&expected_path).unwrap();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(json, expected, "{rel}");
        let events = downstream::read_events(&corpus(rel)).unwrap();
        let heading = format!(
            "== {}: {} events of {}",
            corpus(rel).display(),
            events.len(),
            events[0].source
        );
        assert!(out.starts_with(&heading), "{rel}: {out}");
        // One human line per event, right before its JSON line.
        let lines: Vec<&str> = out.lines().collect();
        let mut e = events.iter();
        for (i, l) in lines.iter().enumerate() {
            if l.starts_with("  json: ") {
                let event = e.next().unwrap();
                let human = if event.notes.is_empty() {
                    lines[i - 1]
                } else {
                    lines[i - 2]
                };
                assert_eq!(human, event.to_string(), "{rel}");
            }
        }
        let wrong = downstream::wrong_source(events[0].source);
        assert!(
            out.contains(&format!("as {wrong}: error while reading {wrong}: ")),
            "{rel}: {out}"
        );
    }
}

#[test]
fn human_lines_and_notes() {
    let out = output_of("bkjob-log/generation-3x.json");
    for want in [
        "2021-07-01T09:30:00+08:00 deploy app@10.0.0.1 │ running: job_start\n",
        "deploy app@10.0.0.1 │ if [ $n -lt 3 ] && [ -f a ]; then echo <ok>; fi\n  notes: html_unescaped\n",
        "2021-07-01T09:30:01+08:00 deploy app@10.0.0.2 │ failed: job_fail:[copy <app> failed]\n",
    ] {
        assert!(out.contains(want), "{want:?} not in\n{out}");
    }
    let out = output_of("swr-job-log/ansi-and-cr.json");
    assert!(
        out.contains("2019-01-10T08:00:01Z │ BUILD OK\n  notes: ansi_stripped\n"),
        "{out}"
    );
}

#[test]
fn owned_events_outlive_the_file_bytes() {
    let events = downstream::read_events(&corpus("codearts-log/realistic-task-log.log")).unwrap();
    let spans = cilog::step_spans(&events);
    assert_eq!(spans.len(), 4);
    let err = downstream::read_events_as(
        &corpus("codearts-log/realistic-task-log.log"),
        cilog::Source::BkjobStatus,
    )
    .unwrap_err();
    let err = err.downcast_ref::<cilog::Error>().unwrap();
    assert_eq!(err.payload_source(), Some(cilog::Source::BkjobStatus));
    assert!(err.is_malformed());
}

/// The page files of a stitched multi-page corpus case, in order.
fn pages_of(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Following in sessions of any budget, each stopped early with `?` and
/// resumed from its saved cursor, gives each event once, in order: the
/// events of following without a budget, which are the corpus's expected
/// NDJSON.
#[test]
fn follow_stops_early_and_resumes_from_the_cursor() {
    for dir in [
        "codearts-realtime-log/multi-page-gap-rewind",
        "codearts-realtime-log/multi-page-overlap-bytes",
        "codearts-realtime-log/multi-page-overlap-chars-v1",
    ] {
        let files = pages_of(dir);
        let pages: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let (all, cursor) = downstream::follow(&pages, None, usize::MAX).unwrap();
        assert_eq!(cursor, None);
        let expected = std::fs::read_to_string(corpus(&format!("{dir}.expected.ndjson"))).unwrap();
        let want: Vec<String> = expected
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["message"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(all.len(), want.len(), "{dir}");
        for (line, message) in all.iter().zip(&want) {
            assert!(
                line.ends_with(message.as_str()),
                "{dir}: {line:?} vs {message:?}"
            );
        }
        for budget in 1..=all.len() + 1 {
            let mut out = Vec::new();
            downstream::follow_all(&pages, budget, &mut out).unwrap();
            let out = String::from_utf8(out).unwrap();
            let got: Vec<&str> = out
                .lines()
                .filter(|l| !l.starts_with("== session"))
                .collect();
            assert_eq!(got, all, "{dir}, budget {budget}");
            let sessions = out.lines().filter(|l| l.starts_with("== session")).count();
            assert_eq!(
                sessions,
                all.len().div_ceil(budget).max(1),
                "{dir}, budget {budget}"
            );
        }
    }
}
