//! Unit tests of the summary.

use super::*;
use crate::{Options, parse_as};

fn summarize(source: Source, input: &str) -> Vec<RunSummary> {
    let mut s = Summarizer::new("t");
    for e in parse_as(source, input, &Options::default()).unwrap() {
        s.push(&e.unwrap());
    }
    s.finish()
}

#[test]
fn duration_format() {
    assert_eq!(text::duration(812), "812ms");
    assert_eq!(text::duration(2504), "2.504s");
    assert_eq!(text::duration(3000), "3s");
    assert_eq!(text::duration(252_000), "4m12s");
    assert_eq!(text::duration(7_500_000), "2h05m");
}

/// A CodeArts task log of lines `(message)`, one step `s` open from the
/// first line, ended by `Finished: FAILURE`.
fn failing_step(lines: &[&str]) -> String {
    let mut log =
        String::from("[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [构建:s] : 该步骤开始执行\n");
    for l in lines {
        log.push_str("[2026/06/26 14:16:01.000 GMT+08:00] ");
        log.push_str(l);
        log.push('\n');
    }
    log.push_str("[2026/06/26 14:16:03.000 GMT+08:00] Finished: FAILURE\n");
    log
}

fn anchors(runs: &[RunSummary]) -> Vec<(u64, String)> {
    runs[0].failing[0]
        .errors
        .iter()
        .map(|x| (x.seq, x.message.clone()))
        .collect()
}

#[test]
fn a_codearts_log_is_one_run() {
    let log = "[2026/09/10 17:28:32.252 GMT+08:00] hello\n\
               [2026/09/10 17:28:32.689 GMT+08:00] [INFO]  : [JobStatusPlugin] onCompleted: j_A #4\n\
               [2026/09/10 17:28:35.524 GMT+08:00] Finished: SUCCESS\n";
    let runs = summarize(Source::CodeartsLog, log);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].job.as_deref(), Some("j_A"));
    assert_eq!(runs[0].run_id.as_deref(), Some("4"));
    assert_eq!(runs[0].outcome, Status::Succeeded);
    assert_eq!(runs[0].counts.events, 3);
}

#[test]
fn jobs_are_runs_in_order() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/swr-job-history/formats-c-history.json"
    ))
    .unwrap();
    let runs = summarize(Source::SwrJobHistory, &doc);
    let got: Vec<(Option<&str>, Status)> =
        runs.iter().map(|r| (r.job.as_deref(), r.outcome)).collect();
    assert_eq!(
        got,
        [
            (Some("2211"), Status::Succeeded),
            (Some("2210"), Status::TimedOut)
        ]
    );
    // JSON sources have no lines.
    assert_eq!(runs[1].failing[0].errors.len(), 0);
}

/// The generic exit line is exit-code evidence; an anchor only when
/// nothing more specific comes before it.
#[test]
fn generic_exit_line() {
    let runs = summarize(
        Source::CodeartsLog,
        &failing_step(&["fatal: no", "::error::Process exited with code 128"]),
    );
    assert_eq!(anchors(&runs), [(1, "fatal: no".to_owned())]);
    assert_eq!(runs[0].failing[0].exit_code, Some(128));
    assert_eq!(runs[0].exit_code, Some(128));
    let runs = summarize(
        Source::CodeartsLog,
        &failing_step(&["work", "::error::Process exited with code 2"]),
    );
    assert_eq!(
        anchors(&runs),
        [(2, "Process exited with code 2".to_owned())]
    );
    // A rule hit after it still wins (rules come first).
    let runs = summarize(
        Source::CodeartsLog,
        &failing_step(&["::error::Process exited with code 2", "error[E0308]: x"]),
    );
    assert_eq!(anchors(&runs), [(2, "error[E0308]: x".to_owned())]);
}

#[test]
fn debug_lines_never_anchor() {
    let runs = summarize(
        Source::CodeartsLog,
        &failing_step(&["::debug::error: not me", "[DEBUG] error: nor me", "last"]),
    );
    // Nothing anchors: the step's last line and those before it.
    let x = &runs[0].failing[0].errors;
    assert_eq!(x.len(), 1);
    assert_eq!(x[0].message, "last");
    assert_eq!(x[0].before.len(), 3);
}

#[test]
fn context_and_limits() {
    // Two anchors close together: no line shown twice.
    let runs = summarize(
        Source::CodeartsLog,
        &failing_step(&["a", "b", "error: one", "c", "error: two", "d"]),
    );
    let x = &runs[0].failing[0].errors;
    let seqs = |v: &[ContextLine]| v.iter().map(|c| c.seq).collect::<Vec<_>>();
    assert_eq!(
        (x[0].seq, seqs(&x[0].before), seqs(&x[0].after)),
        (3, vec![0, 1, 2], vec![4])
    );
    assert_eq!(
        (x[1].seq, seqs(&x[1].before), seqs(&x[1].after)),
        (5, vec![], vec![6])
    );
    // Many anchors: at most 5, at most 40 lines.
    let mut lines = Vec::new();
    for i in 0..30 {
        lines.push(format!("error: {i}"));
        for _ in 0..9 {
            lines.push("context".to_owned());
        }
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let runs = summarize(Source::CodeartsLog, &failing_step(&refs));
    let x = &runs[0].failing[0].errors;
    assert_eq!(x.len(), 5);
    let shown: usize = x.iter().map(|x| 1 + x.before.len() + x.after.len()).sum();
    assert!(shown <= 40, "{shown}");
    assert_eq!(x[0].message, "error: 0");
}

/// Memory stays bounded: a step of many lines keeps its last 50.
#[test]
fn bounded_state() {
    let lines: Vec<String> = (0..5000).map(|i| format!("line {i}")).collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let log = failing_step(&refs);
    let mut s = Summarizer::new("t");
    for e in parse_as(Source::CodeartsLog, &log, &Options::default()).unwrap() {
        s.push(&e.unwrap());
    }
    let run = &mut s.runs[0];
    assert_eq!(run.loose.kept(), 1);
    assert_eq!(run.tracker.steps_len(), 1);
    assert_eq!(run.tracker.step_extra(0).unwrap().kept(), 50);
    let runs = s.finish();
    let x = &runs[0].failing[0].errors[0];
    assert_eq!(x.message, "line 4999");
    assert_eq!(x.before.len(), 19);
}

/// `push` and `push_owned` give the same summary.
#[test]
fn push_owned_agrees() {
    for file in [
        "codearts-log/summary-fatal-then-exit.log",
        "bkjob-log/summary-one-host-fails.json",
        "swr-job-log/summary-step-failed.json",
    ] {
        let data = std::fs::read(format!("{}/corpus/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let src: Source = file.split('/').next().unwrap().parse().unwrap();
        let events: Vec<_> = parse_as(src, &data, &Options::default())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut a = Summarizer::new("x");
        let mut b = Summarizer::new("x");
        for e in &events {
            a.push(e);
            b.push_owned(e);
        }
        assert_eq!(a.finish(), b.finish(), "{file}");
    }
}

#[test]
fn no_events_no_runs() {
    assert!(Summarizer::new("empty").finish().is_empty());
}

/// Two builds in one text: lines that name no job belong to the build
/// last opened.
#[test]
fn two_builds_in_one_text() {
    let log = "[2026/09/10 10:00:00.000 GMT+08:00] [INFO]  : [JobStatusPlugin] onStarted: j_A #1\n\
               [2026/09/10 10:00:01.000 GMT+08:00] [INFO] [构建:a] : 该步骤开始执行\n\
               [2026/09/10 10:00:02.000 GMT+08:00] [INFO] [构建:a] : 该步骤执行完成\n\
               [2026/09/10 10:00:03.000 GMT+08:00] Finished: SUCCESS\n\
               [2026/09/10 11:00:00.000 GMT+08:00] [INFO]  : [JobStatusPlugin] onStarted: j_B #2\n\
               [2026/09/10 11:00:01.000 GMT+08:00] [INFO] [构建:b] : 该步骤开始执行\n\
               [2026/09/10 11:00:02.000 GMT+08:00] error: no\n\
               [2026/09/10 11:00:03.000 GMT+08:00] Finished: FAILURE\n";
    let runs = summarize(Source::CodeartsLog, log);
    let got: Vec<(Option<&str>, Option<&str>, Status, usize)> = runs
        .iter()
        .map(|r| {
            (
                r.job.as_deref(),
                r.run_id.as_deref(),
                r.outcome,
                r.steps.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some("j_A"), Some("1"), Status::Succeeded, 1),
            (Some("j_B"), Some("2"), Status::Failed, 1)
        ]
    );
    assert_eq!(runs[1].first_error.as_ref().unwrap().seq, 6);
}

/// `line` is the input line: blank lines and CRLF endings are lines too.
#[test]
fn lines_count_blank_lines_and_crlf() {
    let log = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [构建:s] : 该步骤开始执行\r\n\
               \r\n\
               \n\
               [2026/06/26 14:16:01.000 GMT+08:00] error: x\r\n\
               [2026/06/26 14:16:03.000 GMT+08:00] Finished: FAILURE";
    let runs = summarize(Source::CodeartsLog, log);
    let first = runs[0].first_error.as_ref().unwrap();
    assert_eq!(
        (first.seq, first.line, first.message.as_str()),
        (3, Some(4), "error: x")
    );
    let x = &runs[0].failing[0].errors[0];
    let lines: Vec<Option<u64>> = x.before.iter().map(|c| c.line).collect();
    assert_eq!(lines, [Some(1), Some(2), Some(3)]);
}
