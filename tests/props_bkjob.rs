//! Property tests of the BlueKing JOB sources: no panic on arbitrary or
//! mutated payloads, and render → parse round trips of the script template's
//! line prefix and of the v2 servers' HTML escaping.
//!
//! Case counts are sized for a 2-core machine; raise them with
//! `PROPTEST_CASES=…` for a longer soak.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::Path;

use proptest::prelude::*;

use cilog::{EventKind, LogEvent, Options, Source, TextMode, detect, parse, parse_as};

const BK: [Source; 3] = [Source::BkjobLog, Source::BkjobIpLog, Source::BkjobStatus];

/// Parses fully in both modes, detected and as every BK source; only panics
/// count. Every event must render as one NDJSON line.
fn exercise(input: &[u8]) {
    let _ = detect(input);
    for opts in [
        Options::default(),
        Options::strict(),
        Options::strict().with_unknown_status_is_error(true),
        Options::default()
            .with_html_unescape(false)
            .with_text(TextMode::Raw)
            .with_max_line_len(7),
    ] {
        if let Ok(events) = parse(input, &opts) {
            for e in events.flatten() {
                assert!(e.to_ndjson().ends_with('\n'));
            }
        }
        for src in BK {
            if let Ok(events) = parse_as(src, input, &opts) {
                for e in events.flatten() {
                    assert!(e.to_ndjson().ends_with('\n'));
                }
            }
        }
    }
}

/// Every BK corpus payload, `err/` cases included.
fn bk_payloads() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out = Vec::new();
    for src in BK {
        for dir in [root.join(src.as_str()), root.join(src.as_str()).join("err")] {
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            for entry in entries {
                let p = entry.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if p.is_file() && name.ends_with(".json") {
                    out.push(fs::read(&p).unwrap());
                }
            }
        }
    }
    out.sort();
    out
}

/// A JSON scalar that is sometimes of the wrong type.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0i64..600).prop_map(|n| n.to_string()),
        (0i64..600).prop_map(|n| format!("\"{n}\"")),
        "[ -~]{0,12}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[1]".to_owned()),
        Just("{}".to_owned()),
        Just("1e400".to_owned()),
        Just("-0.5".to_owned()),
    ]
}

/// Text that looks like BK log content: template prefixes, file lines,
/// entities, escapes, CR/LF and odd bytes.
fn log_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[2018-03-15 14:39:30][PID:56875] ".to_owned()),
        Just("[2024/05/20  9:00:01] ".to_owned()),
        Just("[2023-02-29 00:00:00]".to_owned()),
        Just("[PID:99999999999]".to_owned()),
        Just("job_start".to_owned()),
        Just("job_success:[".to_owned()),
        Just("job_fail:[x]".to_owned()),
        Just("FileName: /a b ".to_owned()),
        Just(" Status: ".to_owned()),
        Just(". Status: 5, StatusDesc: x".to_owned()),
        Just(" Progress: 101%".to_owned()),
        Just(" Detail: ".to_owned()),
        Just("&lt;&#x4e2d;&#0;&#1114112;&amp".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{1b}".to_owned()),
        "\\PC{0,8}",
        "[0-9\\[\\]:/ -]{0,10}",
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn v2_payload(fields: Vec<String>, logs: Vec<String>, legacy: bool) -> String {
    let f = |i: usize| fields.get(i).cloned().unwrap_or_else(|| "null".to_owned());
    let hosts: Vec<String> = logs
        .iter()
        .enumerate()
        .map(|(i, log)| {
            format!(
                r#"{{"{}":{},"total_time":{},"start_time":{},"end_time":"2024-05-20 10:00:02","ip":{},"bk_cloud_id":0,"error_code":{},"exit_code":{},"log_content":{}}}"#,
                if legacy { "retry_count" } else { "execute_count" },
                f(i),
                f(i + 1),
                f(i + 2),
                f(i + 3),
                f(i + 4),
                f(i + 5),
                serde_json::to_string(log).unwrap()
            )
        })
        .collect();
    format!(
        r#"{{"result":true,"code":0,"data":[{{"is_finished":{},"step_instance_id":{},"name":{},"status":{},"step_results":[{{"ip_status":{},"tag":{},"ip_logs":[{}]}}]}}]}}"#,
        f(6),
        f(7),
        f(8),
        f(9),
        f(10),
        f(11),
        hosts.join(",")
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_mutated_bk_corpus(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let payloads = bk_payloads();
        let mut p = pick.get(&payloads).clone();
        for (at, byte, how) in edits {
            if p.is_empty() {
                break;
            }
            let i = at.index(p.len());
            match how {
                0 => p[i] = byte,
                1 => p.truncate(i),
                _ => p.insert(i, byte),
            }
        }
        exercise(&p);
    }

    #[test]
    fn no_panic_on_generated_v2_payloads(
        fields in proptest::collection::vec(scalar(), 12),
        logs in proptest::collection::vec(log_text(), 0..4),
        legacy in any::<bool>(),
    ) {
        exercise(v2_payload(fields, logs, legacy).as_bytes());
    }

    #[test]
    fn no_panic_on_generated_v3_payloads(
        fields in proptest::collection::vec(scalar(), 8),
        log in log_text(),
        batch in any::<bool>(),
    ) {
        let f = |i: usize| fields[i].clone();
        let file = format!(
            r#"{{"mode":{},"src_ip":{{"host_id":{},"ip":{}}},"status":{},"log_content":{},"size":{},"process":{}}}"#,
            f(0), f(1), f(2), f(3), serde_json::to_string(&log).unwrap(), f(4), f(5)
        );
        let ip_log = if batch {
            format!(r#"{{"code":0,"result":true,"data":{{"job_instance_id":{},"script_task_logs":[{{"bk_host_id":{},"log_content":{}}}],"file_task_logs":[{{"ip":{},"file_logs":[{file}]}}]}}}}"#,
                f(6), f(7), serde_json::to_string(&log).unwrap(), f(2))
        } else {
            format!(r#"{{"code":0,"result":true,"data":{{"log_type":2,"bk_host_id":{},"file_logs":[{file}]}}}}"#, f(7))
        };
        exercise(ip_log.as_bytes());
        let status = format!(
            r#"{{"code":{},"result":true,"data":{{"finished":{},"job_instance":{{"job_instance_id":{},"status":{},"start_time":{}}},"step_instance_list":[{{"step_instance_id":1,"status":{},"total_time":{},"step_ip_result_list":[{{"bk_host_id":{},"status":{}}}]}}]}}}}"#,
            if batch { "0".to_owned() } else { f(0) }, f(1), f(2), f(3), f(4), f(5), f(6), f(7), f(0)
        );
        exercise(status.as_bytes());
    }
}

/// How a v2 3.x server escapes `log_content` (and the legacy `&quot;`
/// `&#39;`).
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A v2 3.x payload with one host whose log is `content`.
fn one_host(content: &str) -> String {
    format!(
        r#"{{"code":0,"result":true,"data":[{{"is_finished":true,"step_instance_id":1,"name":"s","status":3,"step_results":[{{"ip_status":9,"tag":"","ip_logs":[{{"execute_count":0,"ip":"10.0.0.1","log_content":{}}}]}}]}}]}}"#,
        serde_json::to_string(content).unwrap()
    )
}

fn lines_of(doc: &str, opts: &Options) -> Vec<LogEvent<'static>> {
    parse_as(Source::BkjobLog, doc, opts)
        .unwrap()
        .map(|e| e.map(LogEvent::into_owned))
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .into_iter()
        .skip(2)
        .collect()
}

/// Message text without line breaks (which would split the line).
const MESSAGE: &str = "[^\r\n\u{1b}]{0,24}|[<>&\"';#x0-9a-z ]{0,16}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// `[yyyy-MM-dd HH:mm:ss][PID:n] message` (and the Windows form:
    /// slashes, space-padded hour, no PID), rendered and HTML-escaped as a
    /// 3.x server sends it, parses back to the same time, pid and message.
    #[test]
    fn template_lines_round_trip(
        lines in proptest::collection::vec(
            ((1970i32..2100, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..60), any::<u32>(), MESSAGE, any::<bool>()),
            1..6),
        crlf in any::<bool>(),
    ) {
        let mut content = String::new();
        for ((y, mo, d, h, mi, s), pid, msg, windows) in &lines {
            if *windows {
                content.push_str(&format!("[{y:04}/{mo:02}/{d:02} {h:>2}:{mi:02}:{s:02}] "));
            } else {
                content.push_str(&format!("[{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}][PID:{pid}] "));
            }
            content.push_str(&html_escape(msg));
            content.push_str(if crlf { "\r\n" } else { "\n" });
        }
        let opts = Options::strict().with_text(TextMode::Raw);
        let events = lines_of(&one_host(&content), &opts);
        prop_assert_eq!(events.len(), lines.len());
        for (e, ((y, mo, d, h, mi, s), pid, msg, windows)) in events.iter().zip(&lines) {
            let t = e.time.unwrap();
            prop_assert_eq!(t.to_string(), format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+08:00"));
            prop_assert!(t.assumed());
            prop_assert_eq!(e.ctx.pid, if *windows { None } else { Some(*pid) });
            prop_assert_eq!(&e.message, msg);
            prop_assert_eq!(e.ctx.host.as_deref(), Some("10.0.0.1"));
            let marker = matches!(msg.trim_end(), "job_start")
                || (msg.starts_with("job_success:[") || msg.starts_with("job_fail:[")) && msg.trim_end().ends_with(']');
            if !marker {
                prop_assert_ne!(e.kind, EventKind::Phase);
            }
        }
    }

    /// Any text, escaped as a 3.x server escapes it, decodes back exactly;
    /// with decoding off it stays as sent.
    #[test]
    fn html_escaping_round_trips(msgs in proptest::collection::vec(MESSAGE, 1..6)) {
        let escaped: Vec<String> = msgs.iter().map(|m| html_escape(m)).collect();
        let doc = one_host(&escaped.iter().map(|x| format!("{x}\n")).collect::<String>());
        let opts = Options::strict().with_text(TextMode::Raw);
        let events = lines_of(&doc, &opts);
        prop_assert_eq!(events.len(), msgs.len());
        for (e, m) in events.iter().zip(&msgs) {
            // A message that looks like a template prefix keeps only its text.
            if !m.starts_with('[') {
                prop_assert_eq!(&e.message, m);
            }
        }
        let kept = lines_of(&doc, &opts.clone().with_html_unescape(false));
        for (e, x) in kept.iter().zip(&escaped) {
            if !x.starts_with('[') {
                prop_assert_eq!(&e.message, x);
            }
        }
    }
}
