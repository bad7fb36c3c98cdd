//! OTLP/JSON, checked with validators someone else wrote.
//!
//! - Every corpus input (lenient, as its folder's source; one writer for the
//!   whole corpus, as the CLI would run over many files) is written as OTLP;
//!   every line decodes with `opentelemetry-proto`'s serde types, and the
//!   records of each input number its events. Since those types ignore
//!   unknown keys, the raw JSON is walked too: no `_` in a key, 64-bit
//!   integers as strings, `severityNumber` in 1..=24, a line under 1 MiB.
//! - The lines are also written to `target/otlp-corpus/corpus.jsonl`, which
//!   `contrib/otlp/validate.py` checks with protobuf's own JSON parser.
//! - Golden files `tests/data/otlp/*.jsonl` for a few cases, with a fixed
//!   clock: `CILOG_BLESS=1 cargo test --test otlp` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::indexing_slicing, clippy::panic)]

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cilog::output::otlp::{MAX_REQUEST_BYTES, OtlpOptions, OtlpWriter};
use cilog::{EventKind, LogEvent, Source};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use serde_json::Value;

#[path = "support/corpus_files.rs"]
mod corpus_files;

/// The fixed clock of the tests: 2026-01-15T00:00:00Z.
fn clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_768_435_200)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

fn write_all(w: &mut OtlpWriter, inputs: &[(String, Vec<LogEvent<'static>>)]) -> String {
    let mut out = String::new();
    for (name, events) in inputs {
        for e in events {
            w.push(e, name, &mut out);
        }
    }
    w.finish(&mut out);
    out
}

/// The raw-JSON rules the serde decode cannot see.
fn walk(v: &Value, path: &str, problems: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let here = format!("{path}.{k}");
                if k.contains('_') {
                    problems.push(format!("{here}: key with '_'"));
                }
                match k.as_str() {
                    "timeUnixNano" | "observedTimeUnixNano" | "intValue" => {
                        let ok = x.as_str().is_some_and(|s| s.parse::<i64>().is_ok());
                        if !ok {
                            problems.push(format!("{here}: not a decimal string: {x}"));
                        }
                    }
                    "severityNumber" if !x.as_u64().is_some_and(|n| (1..=24).contains(&n)) => {
                        problems.push(format!("{here}: {x} not in 1..=24"));
                    }
                    _ => {}
                }
                walk(x, &here, problems);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk(x, &format!("{path}[{i}]"), problems);
            }
        }
        _ => {}
    }
}

fn str_attr<'r>(
    attrs: &'r [opentelemetry_proto::tonic::common::v1::KeyValue],
    key: &str,
) -> Option<&'r str> {
    attrs.iter().find(|kv| kv.key == key).and_then(|kv| {
        match kv.value.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(s) => Some(s.as_str()),
            _ => None,
        }
    })
}

/// Decodes and walks every line; returns the records per input (from the
/// resource's `cilog.input`) and their `cilog.seq` values in order.
fn check_lines(text: &str, problems: &mut Vec<String>) -> BTreeMap<String, Vec<i64>> {
    let mut per_input: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.len() + 1 >= MAX_REQUEST_BYTES {
            problems.push(format!("line {n}: {} bytes", line.len() + 1));
        }
        let raw: Value = serde_json::from_str(line).unwrap();
        walk(&raw, &format!("line {n}"), problems);
        let req: ExportLogsServiceRequest = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("line {n}: opentelemetry-proto: {e}"));
                continue;
            }
        };
        assert_eq!(req.resource_logs.len(), 1, "line {n}: one run per line");
        for rl in &req.resource_logs {
            let res = rl.resource.as_ref().expect("a resource");
            let input = str_attr(&res.attributes, "cilog.input").unwrap().to_owned();
            assert_eq!(rl.schema_url, cilog::output::otlp::SCHEMA_URL);
            assert_eq!(rl.scope_logs.len(), 1);
            for sl in &rl.scope_logs {
                let scope = sl.scope.as_ref().unwrap();
                assert_eq!(scope.name, "cilog");
                assert_eq!(scope.version, env!("CARGO_PKG_VERSION"));
                for r in &sl.log_records {
                    let seq = r
                        .attributes
                        .iter()
                        .find(|kv| kv.key == "cilog.seq")
                        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                            AnyValue::IntValue(i) => Some(*i),
                            _ => None,
                        })
                        .unwrap();
                    per_input.entry(input.clone()).or_default().push(seq);
                    if r.observed_time_unix_nano == 0 {
                        problems.push(format!("line {n}: record {seq} has no observed time"));
                    }
                }
            }
        }
    }
    per_input
}

#[test]
fn every_corpus_input_decodes_with_exact_record_counts() {
    let inputs = corpus_files::corpus_events();
    assert!(inputs.len() >= 80, "only {} corpus inputs", inputs.len());
    let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
    let text = write_all(&mut w, &inputs);
    let dir = target_dir().join("otlp-corpus");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("corpus.jsonl"), &text).unwrap();

    let mut problems = Vec::new();
    let per_input = check_lines(&text, &mut problems);
    let mut total = 0;
    for (name, events) in &inputs {
        total += events.len();
        let want: Vec<i64> = events.iter().map(|e| e.seq as i64).collect();
        let got = per_input.get(name).cloned().unwrap_or_default();
        if got != want {
            problems.push(format!(
                "{name}: records {} (seq {:?}…), events {} (seq {:?}…)",
                got.len(),
                &got[..got.len().min(5)],
                want.len(),
                &want[..want.len().min(5)]
            ));
        }
    }
    let records: usize = per_input.values().map(Vec::len).sum();
    assert_eq!(records, total);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn bless() -> bool {
    std::env::var_os("CILOG_BLESS").is_some_and(|v| v != "0")
}

/// A few inputs whose OTLP is kept, each written by a writer of its own.
#[test]
fn golden_cases() {
    let cases = [
        "corpus/codearts-log/realistic-task-log.log",
        "corpus/bkjob-log/generation-3x.json",
        "corpus/swr-job-history/formats-c-history.json",
        "corpus/bkjob-status/every-host-status.json",
        "corpus/swr-job-log/seed-example.json",
    ];
    let inputs = corpus_files::corpus_events();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/otlp");
    fs::create_dir_all(&golden).unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let Some((name, events)) = inputs.iter().find(|(n, _)| n == case) else {
            let have: Vec<&str> = inputs.iter().map(|(n, _)| n.as_str()).collect();
            panic!("no corpus input {case}; have {have:?}");
        };
        let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
        let text = write_all(&mut w, &[(name.clone(), events.clone())]);
        let file = golden.join(format!(
            "{}.jsonl",
            case.trim_start_matches("corpus/").replace('/', "--")
        ));
        if bless() {
            fs::write(&file, &text).unwrap();
            continue;
        }
        match fs::read_to_string(&file) {
            Ok(want) if want == text => {}
            Ok(want) => failures.push(format!(
                "{}: differs\n--- expected\n{want}\n--- actual\n{text}",
                file.display()
            )),
            Err(_) => failures.push(format!(
                "{}: missing (CILOG_BLESS=1 cargo test --test otlp)",
                file.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn line_event(seq: u64, message: String) -> LogEvent<'static> {
    let mut e = LogEvent::new(
        Source::CodeartsLog,
        EventKind::Line,
        seq,
        Cow::Owned(message),
    );
    e.ctx.job = Some("j_1".into());
    e
}

/// A run bigger than a request is split over lines of at most 512 KiB, in
/// `seq` order, each with the run's resource.
#[test]
fn a_large_run_is_split_under_the_limit() {
    let events: Vec<LogEvent<'static>> = (0..300)
        .map(|i| line_event(i, format!("{i} {}", "x".repeat(9_000))))
        .collect();
    let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
    let text = write_all(&mut w, &[("big.log".to_owned(), events)]);
    assert!(text.lines().count() >= 5, "{} lines", text.lines().count());
    for line in text.lines() {
        assert!(line.len() < 512 << 10, "{} bytes", line.len());
    }
    let mut problems = Vec::new();
    let per_input = check_lines(&text, &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(per_input["big.log"], (0..300).collect::<Vec<i64>>());
}

/// A record bigger than a request is cut to fit and marked, not dropped.
#[test]
fn a_record_bigger_than_a_request_is_truncated_and_marked() {
    let huge = "é\"\u{1}".repeat(700_000); // 2.8 MB of text, more escaped
    let mut big = line_event(1, huge);
    big.attrs
        .push(("detail", cilog::Scalar::Str("y".repeat(3 << 20).into())));
    let events = vec![
        line_event(0, "before".into()),
        big,
        line_event(2, "after".into()),
    ];
    for max in [16 << 10, 512 << 10, 1 << 20] {
        let mut w = OtlpWriter::new(OtlpOptions::new(clock()).with_max_request_bytes(max));
        let text = write_all(&mut w, &[("huge.log".to_owned(), events.clone())]);
        for line in text.lines() {
            assert!(line.len() < max, "{max}: a line of {} bytes", line.len());
        }
        let mut problems = Vec::new();
        let per_input = check_lines(&text, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(per_input["huge.log"], vec![0, 1, 2]);
        let marked: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("\"cilog.truncated\""))
            .collect();
        assert_eq!(marked.len(), 1, "{max}");
        assert!(marked[0].contains("{\"stringValue\":\"é\\\"\\u0001é"));
        assert!(!text.contains("\"before\"},\"attributes\":[{\"key\":\"cilog.truncated\""));
    }
}

/// Runs: one per input, source and job; an event with no job joins the
/// run open in its input.
#[test]
fn runs_follow_input_source_and_job() {
    let mut a0 = line_event(0, "no job yet".into());
    a0.ctx.job = None;
    let a1 = line_event(1, "job".into());
    let mut a2 = line_event(2, "no job again".into());
    a2.ctx.job = None;
    let mut a3 = line_event(3, "another job".into());
    a3.ctx.job = Some("j_2".into());
    let b0 = line_event(0, "other input".into());
    let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
    let text = write_all(
        &mut w,
        &[
            ("a.log".to_owned(), vec![a0, a1, a2, a3]),
            ("b.log".to_owned(), vec![b0]),
        ],
    );
    let runs: Vec<(String, Option<String>, usize)> = text
        .lines()
        .map(|l| {
            let req: ExportLogsServiceRequest = serde_json::from_str(l).unwrap();
            let rl = &req.resource_logs[0];
            let attrs = &rl.resource.as_ref().unwrap().attributes;
            (
                str_attr(attrs, "cilog.input").unwrap().to_owned(),
                str_attr(attrs, "cicd.pipeline.name").map(str::to_owned),
                rl.scope_logs[0].log_records.len(),
            )
        })
        .collect();
    assert_eq!(
        runs,
        vec![
            ("a.log".to_owned(), Some("j_1".to_owned()), 3),
            ("a.log".to_owned(), Some("j_2".to_owned()), 1),
            ("b.log".to_owned(), Some("j_1".to_owned()), 1),
        ]
    );
    let uids: Vec<String> = text
        .match_indices("\"log.record.uid\",\"value\":{\"stringValue\":\"")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect();
    assert_eq!(
        uids,
        [
            "codearts-log:a.log::0",
            "codearts-log:j_1::1",
            "codearts-log:j_1::2",
            "codearts-log:j_2::3",
            "codearts-log:j_1::0"
        ]
    );
}

/// Regression: a record that fit the budget left for records still made a
/// line over the limit, because the bytes kept for the resource, scope and
/// brackets (256) were fewer than they take (about 500).
#[test]
fn a_record_just_under_the_budget_fits_with_its_envelope() {
    let mut e = line_event(0, "a\"\"\u{1}".repeat(1439));
    e.ctx.job = None;
    let mut w = OtlpWriter::new(OtlpOptions::new(clock()).with_max_request_bytes(0));
    let text = write_all(&mut w, &[("p.log".to_owned(), vec![e])]);
    assert_eq!(text.lines().count(), 1);
    assert!(
        text.len() <= cilog::output::otlp::MIN_REQUEST_BYTES,
        "{}",
        text.len()
    );
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 64, ..Default::default() })]

    /// Any run of events, any message sizes, the smallest request size:
    /// every line decodes and stays under the limit, and the records are
    /// the events, in order, none lost.
    #[test]
    fn any_events_split_into_valid_requests(
        sizes in proptest::collection::vec(0usize..40_000, 1..40),
        jobs in proptest::collection::vec(0u8..3, 1..40),
        fill in "[a-z\"\\\\\u{1}é]{1,4}",
    ) {
        let events: Vec<LogEvent<'static>> = sizes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut e = line_event(i as u64, fill.repeat(n / fill.len() + 1));
                e.ctx.job = match jobs.get(i).copied().unwrap_or(0) {
                    0 => None,
                    j => Some(format!("j_{j}").into()),
                };
                if e.ctx.job.as_deref() == Some("j_2") {
                    e.attrs.push(("build_no", cilog::Scalar::Int(123_456)));
                }
                e
            })
            .collect();
        let mut w = OtlpWriter::new(OtlpOptions::new(clock()).with_max_request_bytes(0));
        let text = write_all(&mut w, &[("p.log".to_owned(), events)]);
        let mut problems = Vec::new();
        let per_input = check_lines(&text, &mut problems);
        proptest::prop_assert!(problems.is_empty(), "{:?}", problems);
        for line in text.lines() {
            proptest::prop_assert!(line.len() < cilog::output::otlp::MIN_REQUEST_BYTES);
        }
        let want: Vec<i64> = (0..sizes.len() as i64).collect();
        proptest::prop_assert_eq!(per_input.get("p.log").cloned().unwrap_or_default(), want);
    }
}

/// After `finish`, an event of the same input starts a new run: the same
/// file read twice is two runs (one `resourceLogs` each), and the second
/// takes its job afresh.
#[test]
fn finish_ends_the_run_even_for_the_same_input() {
    let mut first = line_event(0, "before the job".into());
    first.ctx.job = None;
    let second = line_event(1, "job".into());
    let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
    let mut out = String::new();
    for _ in 0..2 {
        w.push(&first, "a.log", &mut out);
        w.push(&second, "a.log", &mut out);
        w.finish(&mut out);
    }
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(lines[0], lines[1]);
    assert!(lines[0].contains("\"codearts-log:a.log::0\""), "{out}");
}

/// Every failing step's class in the summary is the `error.type` of a
/// record of its input (the failing status, or the exit-code line).
#[test]
fn failing_records_carry_the_summary_class() {
    let mut checked = 0;
    for (name, events) in corpus_files::corpus_events() {
        let mut w = OtlpWriter::new(OtlpOptions::new(clock()));
        let mut s = cilog::summary::Summarizer::new(&name);
        let mut out = String::new();
        for e in &events {
            s.push_owned(e);
            w.push(e, &name, &mut out);
        }
        w.finish(&mut out);
        let mut types = std::collections::BTreeSet::new();
        for l in out.lines() {
            let req: ExportLogsServiceRequest = serde_json::from_str(l).unwrap();
            for r in &req.resource_logs[0].scope_logs[0].log_records {
                if let Some(t) = str_attr(&r.attributes, "error.type") {
                    types.insert(t.to_owned());
                }
            }
        }
        for run in s.finish() {
            let v: Value = serde_json::from_str(&run.to_json()).unwrap();
            for step in v["failing"].as_array().unwrap() {
                let class = step["error_type"].as_str().unwrap();
                if class != "cancelled" {
                    assert!(types.contains(class), "{name}: {class} not in {types:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 40, "{checked}");
}
