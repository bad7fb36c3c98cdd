//! The `cilog` binary as a user runs it: arguments, output, exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Output;

#[path = "support/bin.rs"]
mod bin;
fn cilog(args: &[&str], stdin: Option<&[u8]>) -> Output {
    bin::run(args, &[], stdin.unwrap_or_default())
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The CLI's NDJSON without the `input` key (a path without `"` or `\`):
/// the library's lines, as in the `*.expected.ndjson` goldens.
fn without_input(ndjson: &str) -> String {
    ndjson
        .lines()
        .map(|l| {
            let at = l.find(r#","input":""#).expect("an input key");
            let rest = &l[at + 10..];
            let end = rest.find('"').unwrap();
            format!("{}{}\n", &l[..at], &rest[end + 1..])
        })
        .collect()
}

#[test]
fn seed_example_gives_job_event_plus_thirteen_entries() {
    let o = cilog(&["corpus/swr-job-log/seed-example.json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 14);
    assert_eq!(lines[0]["kind"], "status");
    assert_eq!(lines[0]["status"], "succeeded");
    assert_eq!(lines[0]["vendor_status"], "success");
    assert_eq!(lines[9]["message"], " * branch master -> FETCH_HEAD");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l["notes"][0] == "inner_json_repaired")
    );
}

#[test]
fn strict_seed_example_exits_1_naming_the_position() {
    let o = cilog(&["--strict", "corpus/swr-job-log/seed-example.json"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "cilog: corpus/swr-job-log/seed-example.json: syntax error: expected `,` or `}` at line 22, column 27 (byte 508), near \"Type\\\":\\\"phase\\\",\\\"Message\\\":\"\n"
    );
}

#[test]
fn reads_stdin_with_and_without_dash() {
    let data = std::fs::read("corpus/swr-job-history/formats-c-history.json").unwrap();
    for args in [&[][..], &["-"][..]] {
        let o = cilog(args, Some(&data));
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stdout(&o).lines().count(), 2);
    }
}

#[test]
fn explicit_source_and_default_offset() {
    let o = cilog(
        &[
            "--source",
            "swr-job-log",
            "--default-offset",
            "+08:00",
            "corpus/swr-job-log/quirk-zone-less-time.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["time"], "2019-01-10T08:00:00+08:00");
    assert_eq!(first["time_assumed"], true);
}

#[test]
fn vendor_error_exits_1_and_other_files_still_print() {
    let o = cilog(
        &[
            "corpus/swr-job-log/err/formats-d-auth.json",
            "corpus/swr-job-history/formats-c-history.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 2);
    assert_eq!(
        stderr(&o),
        "cilog: corpus/swr-job-log/err/formats-d-auth.json: vendor error SVCSTG.S2I.4016000: Authentication error：Failed to get or parse user token\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--source", "nope", "x"][..],
        &["--default-offset", "8", "x"][..],
        &["--no-such-flag"][..],
    ] {
        let o = cilog(args, None);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_eq!(stdout(&o), "");
    }
    let o = cilog(&["--source", "nope"], None);
    assert!(stderr(&o).starts_with("cilog: unknown source \"nope\": expected one of swr-job-log"));
}

#[test]
fn missing_file_and_undetectable_input_exit_1() {
    let o = cilog(&["does/not/exist.json"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("cilog: does/not/exist.json: "),
        "{}",
        stderr(&o)
    );
    let o = cilog(&[], Some(b"\x1b]0;evil\x07 just text"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        "cilog: <stdin>: unknown source: could not detect the source of the input; name it explicitly\n"
    );
}

#[test]
fn list_sources_and_help() {
    let o = cilog(&["--list-sources"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).lines().any(|l| l.starts_with("swr-job-log ")));
    let o = cilog(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("--strict"));
}

#[test]
fn realistic_task_log_one_event_per_line() {
    let path = "corpus/codearts-log/realistic-task-log.log";
    let o = cilog(&[path], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let input_lines = std::fs::read_to_string(path).unwrap().lines().count();
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), input_lines);
    let maven = &events[20];
    assert_eq!(maven["message"], "BUILD SUCCESS");
    assert_eq!(maven["time"], "2026-06-26T14:16:12.744+08:00");
    assert_eq!(maven["severity"], "info");
    assert_eq!(maven["step_id"], "external_post_maven");
    assert_eq!(maven["step_name"], "Maven构建");
    // Streaming from stdin in chunks gives the very same output.
    let o2 = cilog(
        &["--source", "codearts-log"],
        Some(&std::fs::read(path).unwrap()),
    );
    assert_eq!(without_input(&stdout(&o2)), without_input(&stdout(&o)));
    assert!(stdout(&o2).lines().all(|l| l.contains(r#","input":"-","#)));
    assert_eq!(
        without_input(&stdout(&o)),
        std::fs::read_to_string("corpus/codearts-log/realistic-task-log.expected.ndjson").unwrap()
    );
}

#[test]
fn codearts_seed_example_is_twelve_lines() {
    let o = cilog(&["corpus/codearts-realtime-log/seed-example.json"], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 12);
    let o = cilog(
        &["--strict", "corpus/codearts-realtime-log/seed-example.json"],
        None,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn page_files_are_stitched_with_an_explicit_source() {
    let dir = "corpus/codearts-realtime-log/multi-page-overlap-bytes";
    let mut pages: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    pages.sort();
    let mut args = vec!["--source", "codearts-realtime-log"];
    args.extend(pages.iter().map(String::as_str));
    let o = cilog(&args, None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        without_input(&stdout(&o)),
        std::fs::read_to_string(
            "corpus/codearts-realtime-log/multi-page-overlap-bytes.expected.ndjson"
        )
        .unwrap()
    );
    // A gap in strict mode names the page file that has it.
    let dir = "corpus/codearts-realtime-log/multi-page-gap-rewind";
    let o = cilog(
        &[
            "--strict",
            "--source",
            "codearts-realtime-log",
            &format!("{dir}/page-01.json"),
            &format!("{dir}/page-02.json"),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with(&format!(
            "cilog: {dir}/page-02.json: inconsistent offsets: the page starts at offset 116"
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn raw_text_keeps_ansi() {
    let path = "corpus/codearts-log/grammar-ansi-and-cr.log";
    let o = cilog(&["--raw-text", path], None);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(
        first["message"],
        "\u{1b}[32m[INFO]\u{1b}[0m \u{1b}[1mBUILD SUCCESS\u{1b}[0m"
    );
    let o = cilog(&[path], None);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(first["message"], "BUILD SUCCESS");
}

#[test]
fn secrets_are_masked_by_default_and_not_with_no_redact() {
    let path = "corpus/codearts-log/secrets.log";
    let o = cilog(&[path], None);
    assert_eq!(o.status.code(), Some(0));
    let msgs: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        msgs[0]["message"],
        " > git fetch --tags --force --progress -- https://builder:****@codehub.example.com/org/app.git +refs/heads/*:refs/remotes/origin/*"
    );
    assert_eq!(msgs[0]["notes"], serde_json::json!(["redacted"]));
    assert_eq!(
        msgs[1]["message"],
        " > git clone https://xianglizhi123:******@github.com/xianglizhi123/rest-service.git"
    );
    assert!(msgs[1].get("notes").is_none());
    assert_eq!(
        msgs[2]["message"],
        "+ curl -s -H 'Authorization: Bearer ****' https://api.example.com/v1/deploy"
    );
    assert_eq!(
        msgs[3]["message"],
        "+ export DB_PASSWORD=**** GITHUB_TOKEN=****"
    );
    assert_eq!(
        msgs[4]["message"],
        "aws configure set aws_access_key_id AKIA****"
    );
    assert_eq!(
        msgs[5]["message"],
        "HEAD is now at 1c61f2fdd1054c2f56ae9984f5770123d60dfe9c Use latest git commit."
    );
    assert_eq!(
        msgs[6]["message"],
        "PWD=/home/builder/workspace ***//target/server-1.0.jar"
    );
    let o = cilog(&["--no-redact", path], None);
    let first: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("builder:Xk9#pQ2v@")
    );
    assert!(first.get("notes").is_none());
}

#[test]
fn bkjob_seed_example_prints_step_host_and_job_start() {
    let o = cilog(&["corpus/bkjob-log/seed-example.json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l["source"] == "bkjob-log"));

    let step = &lines[0];
    assert_eq!(step["kind"], "status");
    assert_eq!(step["step_id"], "90000");
    assert_eq!(step["step_name"], "test");
    assert_eq!(step["status"], "succeeded");
    assert_eq!(step["vendor_status"], 3);

    let host = &lines[1];
    assert_eq!(host["kind"], "status");
    assert_eq!(host["host"], "10.0.0.1");
    assert_eq!(host["exit_code"], 0);
    assert_eq!(host["status"], "succeeded");
    assert_eq!(host["vendor_status"], 9);
    assert_eq!(host["duration"].to_string(), "60.599");
    assert_eq!(host["time"], "2018-03-15T14:39:30+08:00");

    let start = &lines[2];
    assert_eq!(start["kind"], "phase");
    assert_eq!(start["message"], "job_start");
    assert_eq!(start["time"], "2018-03-15T14:39:30+08:00");
    assert_eq!(start["time_assumed"], true);
    assert_eq!(start["pid"], 56875);
    assert_eq!(start["host"], "10.0.0.1");
}

#[test]
fn bkjob_error_body_is_a_vendor_error_when_detected() {
    let o = cilog(&["corpus/bkjob-status/err/formats-d-error.json"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    assert_eq!(
        stderr(&o),
        "cilog: corpus/bkjob-status/err/formats-d-error.json: vendor error 1244006: Task instance does not exist\n"
    );
    let o = cilog(&["--list-sources"], None);
    for name in ["bkjob-log ", "bkjob-ip-log ", "bkjob-status "] {
        assert!(stdout(&o).lines().any(|l| l.starts_with(name)), "{name}");
    }
}

/// The page files of a stitched multi-page corpus case, in order.
fn page_files(dir: &str) -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    pages.sort();
    pages
}

/// Regression (issue 13, point 9): auto mode parsed each page on its own,
/// so a line split over two pages came out as two fragments and overlaps
/// twice (9 events instead of 5), with no warning. Consecutive real-time
/// pages are now stitched as `--source codearts-realtime-log` does.
#[test]
fn reg_auto_mode_stitches_page_files() {
    for (case, warnings) in [
        ("multi-page-overlap-bytes", Vec::<&str>::new()),
        ("multi-page-overlap-chars-v1", vec![]),
    ] {
        let dir = format!("corpus/codearts-realtime-log/{case}");
        let pages = page_files(&dir);
        let files: Vec<&str> = pages.iter().map(String::as_str).collect();
        let auto = cilog(&files, None);
        let mut args = vec!["--source", "codearts-realtime-log"];
        args.extend(&files);
        let explicit = cilog(&args, None);
        assert_eq!(auto.status.code(), Some(0), "{case}: {}", stderr(&auto));
        assert_eq!(stdout(&auto), stdout(&explicit), "{case}");
        let expected = std::fs::read_to_string(format!("{dir}.expected.ndjson")).unwrap();
        assert_eq!(without_input(&stdout(&auto)), expected, "{case}");
        let want: String = warnings
            .iter()
            .map(|w| format!("cilog: warning: {dir}/{}\n", w.replace("{dir}", &dir)))
            .collect();
        assert_eq!(stderr(&auto), want, "{case}");
        // Strict mode stops the log at the first bad page, as explicitly.
        let mut args = vec!["--strict"];
        args.extend(&files);
        let strict = cilog(&args, None);
        args.splice(1..1, ["--source", "codearts-realtime-log"]);
        assert_eq!(stdout(&strict), stdout(&cilog(&args, None)), "{case}");
    }
}

/// Pages whose offsets leave a gap neither chain nor overlap: auto mode
/// cannot tell them from pages of another log, so it reads the page after
/// the gap as another log and says so (issue 13, point 9: "otherwise print
/// a warning"); `--source codearts-realtime-log` stitches them with
/// `page_gap`. Before, auto mode stitched single pages of different corpus
/// logs into one with `page_gap` notes.
#[test]
fn a_gap_between_pages_is_another_log_in_auto_mode() {
    let dir = "corpus/codearts-realtime-log/multi-page-gap-rewind";
    let pages = page_files(dir);
    let files: Vec<&str> = pages.iter().map(String::as_str).collect();
    let o = cilog(&files, None);
    assert_eq!(o.status.code(), Some(0));
    assert!(!stdout(&o).contains("page_gap"), "{}", stdout(&o));
    assert!(
        stderr(&o).starts_with(&format!(
            "cilog: warning: {dir}/page-02.json does not continue {dir}/page-01.json (it starts at offset"
        )),
        "{}",
        stderr(&o)
    );
}

/// Pages of different logs are not stitched into one: each is read in
/// full, and a warning names the two files.
#[test]
fn pages_of_different_logs_warn() {
    let dir = "corpus/codearts-realtime-log";
    let alone = |f: &str| stdout(&cilog(&[f], None));
    // The second starts over at offset 0: another log.
    let (a, b) = (
        format!("{dir}/whole-log-one-page.json"),
        format!("{dir}/multi-page-overlap-chars-v1/page-01.json"),
    );
    let o = cilog(&[&a, &b], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), alone(&a) + &alone(&b));
    assert_eq!(
        stderr(&o),
        format!(
            "cilog: warning: {b} does not continue {a} (it starts at offset 0, not where {a} ended): read as another log\n"
        )
    );
    // After a last page (no more data), one that starts before its end.
    let (a, b) = (
        format!("{dir}/formats-c-last-chunk.json"),
        format!("{dir}/quirk-string-types.json"),
    );
    let o = cilog(&[&a, &b], None);
    assert_eq!(stdout(&o), alone(&a) + &alone(&b));
    assert!(
        stderr(&o).starts_with(&format!(
            "cilog: warning: {b} does not continue {a} (it starts at offset 100, not where {a} ended)"
        )),
        "{}",
        stderr(&o)
    );
    // A page past the end of the log so far: another log, warned.
    let (a, b) = (
        format!("{dir}/quirk-string-types.json"),
        format!("{dir}/seed-example.json"),
    );
    let o = cilog(&[&a, &b], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), alone(&a) + &alone(&b));
    assert!(!stdout(&o).contains("page_gap"), "{}", stdout(&o));
    assert!(
        stderr(&o).starts_with(&format!("cilog: warning: {b} does not continue {a}")),
        "{}",
        stderr(&o)
    );
}
