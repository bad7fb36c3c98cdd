//! `cilog --format` and `--color` as a user runs them: piped `auto` is the
//! NDJSON byte for byte, every NDJSON line names its input, colour follows
//! NO_COLOR / CLICOLOR_FORCE / CLICOLOR / `--color`, and the OTLP/JSON and
//! ECS lines are JSON with one record or document per event.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[path = "support/bin.rs"]
mod bin;
#[path = "support/corpus_files.rs"]
mod corpus_files;

/// Runs the binary piped, with the colour variables of `env` only.
fn cilog(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Output {
    bin::run(args, env, stdin.unwrap_or_default())
}

fn text(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn has_escape(o: &Output) -> bool {
    o.stdout.windows(2).any(|w| w == b"\x1b[")
}

/// Every NDJSON line has `input` = `input`, right after `source`.
fn assert_input_on_every_line(ndjson: &str, input: &str, what: &str) {
    let want = format!(",\"input\":{},", serde_json::to_string(input).unwrap());
    for l in ndjson.lines() {
        let after_source = l.find(',').unwrap();
        assert!(
            l[after_source..].starts_with(&want),
            "{what}: no input right after source: {l:.200}"
        );
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["input"], input, "{what}");
    }
}

#[test]
fn piped_auto_is_ndjson_byte_for_byte_with_input_on_every_line() {
    let cases = corpus_files::cases();
    assert!(cases.len() > 20);
    for (_, path) in cases {
        let p = path.display().to_string();
        let auto = cilog(&[&p], &[], None);
        let ndjson = cilog(&["--format", "ndjson", &p], &[], None);
        assert_eq!(auto.stdout, ndjson.stdout, "{p}");
        assert_eq!(auto.status.code(), ndjson.status.code(), "{p}");
        assert_input_on_every_line(&text(&auto), &p, &p);
        // Colour variables do not touch NDJSON.
        let forced = cilog(&[&p], &[("CLICOLOR_FORCE", "1")], None);
        assert_eq!(forced.stdout, auto.stdout, "{p}");
    }
}

#[test]
fn several_inputs_and_stdin_are_named() {
    let a = "corpus/swr-job-log/seed-example.json";
    let b = "corpus/bkjob-log/generation-3x.json";
    let o = cilog(&[a, b], &[], None);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o);
    let one = text(&cilog(&[a], &[], None));
    let two = text(&cilog(&[b], &[], None));
    assert_eq!(out, one.clone() + &two);
    assert_input_on_every_line(&one, a, a);
    let data = std::fs::read(a).unwrap();
    let o = cilog(&["-"], &[], Some(&data));
    assert_input_on_every_line(&text(&o), "-", "stdin as -");
    assert_eq!(
        text(&o),
        one.replace(&format!("\"input\":\"{a}\""), "\"input\":\"-\"")
    );
    // No file at all is standard input too.
    let o2 = cilog(&[], &[], Some(&data));
    assert_eq!(o2.stdout, o.stdout);
}

#[test]
fn pages_of_one_log_name_the_page_of_each_event() {
    let dir = "corpus/codearts-realtime-log/multi-page-gap-rewind";
    let mut pages: Vec<String> = corpus_files::payloads_in(Path::new(dir))
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    pages.sort();
    let args: Vec<&str> = pages.iter().map(String::as_str).collect();
    let out = text(&cilog(&args, &[], None));
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(pages.iter().any(|p| v["input"] == p.as_str()), "{l:.200}");
    }
}

#[test]
fn pretty_colour_follows_the_environment_and_the_flag() {
    let f = "corpus/bkjob-log/generation-3x.json";
    let pretty = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["--format", "pretty"];
        args.extend(extra);
        args.push(f);
        let o = cilog(&args, env, None);
        assert_eq!(o.status.code(), Some(0));
        assert!(!o.stdout.is_empty());
        has_escape(&o)
    };
    // Piped: no colour unless forced.
    assert!(!pretty(&[], &[]));
    assert!(!pretty(&[("NO_COLOR", "1")], &[]));
    assert!(pretty(&[("CLICOLOR_FORCE", "1")], &[]));
    // NO_COLOR first; an empty NO_COLOR is unset; CLICOLOR_FORCE=0 is unset.
    assert!(!pretty(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], &[]));
    assert!(pretty(&[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")], &[]));
    assert!(!pretty(&[("CLICOLOR_FORCE", "0")], &[]));
    // CLICOLOR_FORCE before CLICOLOR=0.
    assert!(pretty(&[("CLICOLOR_FORCE", "1"), ("CLICOLOR", "0")], &[]));
    // --color overrides the environment.
    assert!(!pretty(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
    assert!(pretty(&[("NO_COLOR", "1")], &["--color", "always"]));
    assert!(pretty(&[], &["--color=always"]));
    // Without colour, no escape byte at all (control characters escaped).
    let o = cilog(&["--format", "pretty", f], &[("NO_COLOR", "1")], None);
    assert!(!o.stdout.contains(&0x1b));
}

#[test]
fn summary_text_colour_follows_the_same_rule() {
    let f = "corpus/bkjob-log/generation-3x.json";
    let summary = |env: &[(&str, &str)], extra: &[&str]| {
        let mut args = vec!["summary"];
        args.extend(extra);
        args.push(f);
        let o = cilog(&args, env, None);
        assert_eq!(o.status.code(), Some(0));
        has_escape(&o)
    };
    assert!(!summary(&[], &[]));
    assert!(summary(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!summary(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], &[]));
    assert!(!summary(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
    assert!(summary(&[], &["--color", "always"]));
    assert!(!summary(&[("CLICOLOR_FORCE", "1")], &["--format", "json"]));
}

/// The OTLP records and ECS documents of a file equal its NDJSON events.
#[test]
fn otlp_and_ecs_lines_are_json_one_record_per_event() {
    for f in [
        "corpus/swr-job-log/seed-example.json",
        "corpus/bkjob-log/generation-3x.json",
        "corpus/codearts-log/realistic-task-log.log",
        "corpus/codearts-realtime-log/seed-example.json",
    ] {
        let events = text(&cilog(&["--format", "ndjson", f], &[], None))
            .lines()
            .count();
        assert!(events > 0, "{f}");
        let o = cilog(&["--format", "otlp-json", f], &[], None);
        assert_eq!(o.status.code(), Some(0), "{f}");
        let mut records = 0;
        for l in text(&o).lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            for rl in v["resourceLogs"].as_array().unwrap() {
                for sl in rl["scopeLogs"].as_array().unwrap() {
                    records += sl["logRecords"].as_array().unwrap().len();
                }
            }
        }
        assert_eq!(records, events, "{f}: otlp");
        let o = cilog(&["--format", "ecs", f], &[], None);
        assert_eq!(o.status.code(), Some(0), "{f}");
        let docs = text(&o);
        for l in docs.lines() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert!(v.is_object(), "{f}");
        }
        assert_eq!(docs.lines().count(), events, "{f}: ecs");
    }
    // Several inputs: one OTLP writer, a run per input, every event kept.
    let (a, b) = (
        "corpus/swr-job-log/seed-example.json",
        "corpus/bkjob-log/generation-3x.json",
    );
    let events = text(&cilog(&[a, b], &[], None)).lines().count();
    let o = text(&cilog(&["--format", "otlp-json", a, b], &[], None));
    let records: usize = o
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["resourceLogs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|rl| rl["scopeLogs"][0]["logRecords"].as_array().unwrap().len())
                .sum::<usize>()
        })
        .sum();
    assert_eq!(records, events);
    // Standard input as `-`.
    let data = std::fs::read(a).unwrap();
    let o = cilog(&["--format", "ecs", "-"], &[], Some(&data));
    assert_eq!(
        text(&o).lines().count(),
        text(&cilog(&[a], &[], None)).lines().count()
    );
}

#[test]
fn unknown_format_values_are_usage_errors() {
    let o = cilog(
        &["--format", "xml", "corpus/swr-job-log/seed-example.json"],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = cilog(
        &[
            "summary",
            "--format",
            "ecs",
            "corpus/swr-job-log/seed-example.json",
        ],
        &[],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

/// On a terminal (a pty from util-linux `script`), `auto` is the coloured
/// pretty view, and NO_COLOR takes the colour off.
#[cfg(target_os = "linux")]
#[test]
fn auto_on_a_terminal_is_pretty() {
    let f = "corpus/bkjob-log/generation-3x.json";
    let on_tty = |env: &str| {
        let cmd = format!("env {env} {} {f}", env!("CARGO_BIN_EXE_cilog"));
        Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("CLICOLOR")
            .stdin(Stdio::null())
            .output()
    };
    let Ok(o) = on_tty("TERM=dumb") else {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    };
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("\x1b[1m── corpus/bkjob-log/generation-3x.json"),
        "{out:.200}"
    );
    assert!(!out.contains("\"source\""));
    let o = on_tty("NO_COLOR=1").unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("── corpus/bkjob-log/generation-3x.json"),
        "{out:.200}"
    );
    assert!(!out.contains('\x1b'));
}

#[test]
fn stitched_pages_are_one_otlp_run_named_after_the_first_page() {
    for dir in corpus_files::page_dirs() {
        if dir.ends_with("multi-page-gap-rewind") {
            // Its pages start over: several logs (see cli_auto.rs).
            continue;
        }
        let pages: Vec<String> = corpus_files::payloads_in(&dir)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let events = text(&cilog(
            &pages.iter().map(String::as_str).collect::<Vec<_>>(),
            &[],
            None,
        ))
        .lines()
        .count();
        for explicit in [false, true] {
            let mut a = vec!["--format", "otlp-json"];
            if explicit {
                a.extend(["--source", "codearts-realtime-log"]);
            }
            a.extend(pages.iter().map(String::as_str));
            let o = text(&cilog(&a, &[], None));
            let mut runs = Vec::new();
            let mut records = 0;
            for l in o.lines() {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                for rl in v["resourceLogs"].as_array().unwrap() {
                    let attrs = rl["resource"]["attributes"].as_array().unwrap();
                    let input = attrs
                        .iter()
                        .find(|a| a["key"] == "cilog.input")
                        .map(|a| a["value"]["stringValue"].as_str().unwrap().to_owned());
                    runs.push(input.unwrap());
                    records += rl["scopeLogs"][0]["logRecords"].as_array().unwrap().len();
                }
            }
            assert_eq!(runs, vec![pages[0].clone()], "{dir:?} explicit {explicit}");
            assert_eq!(records, events, "{dir:?}");
        }
    }
}
