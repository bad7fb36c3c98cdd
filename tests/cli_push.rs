//! `cilog --otlp-endpoint`: the OTLP/JSON requests POSTed to a loopback
//! OTLP/HTTP receiver in the test, which decodes every body with
//! `opentelemetry-proto`'s serde types and answers from a script (503 then
//! 200, 400, 429 with `Retry-After: 0`, …).

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;

/// Two corpus inputs: two runs, so two requests.
const FILES: [&str; 2] = [
    "corpus/bkjob-status/every-host-status.json",
    "corpus/codearts-log/realistic-task-log.log",
];

/// An answer of the receiver: status, extra headers, body.
type Answer = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// One request as the receiver read it, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    /// Header names lower-cased.
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
    status: u16,
}

/// A loopback receiver answering each request with the next status of
/// `script` (then 200); returns its URL and what it received.
fn receiver(script: Vec<Answer>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/logs", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&got);
    thread::spawn(move || {
        let mut script = script.into_iter();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let answer = script.next().unwrap_or((200, vec![], "{}"));
            serve(stream, &answer, &log);
        }
    });
    (url, got)
}

/// Reads one request from `stream` and answers it (the connection then
/// closes).
/// Reads one request, logs it, then answers: logged before the answer, so
/// that a client which exits on the answer never races the log (the test
/// read three requests of four now and then when the log came after).
fn serve(
    stream: TcpStream,
    (status, headers, body): &Answer,
    log: &Mutex<Vec<Received>>,
) -> Option<()> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut hs = BTreeMap::new();
    loop {
        line.clear();
        r.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        hs.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
    }
    let len: usize = hs.get("content-length")?.parse().ok()?;
    let mut data = vec![0u8; len];
    r.read_exact(&mut data).ok()?;
    let mut out = stream;
    let mut resp = format!(
        "HTTP/1.1 {status} Scripted\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        resp.push_str(&format!("{k}: {v}\r\n"));
    }
    resp.push_str("\r\n");
    resp.push_str(body);
    log.lock().unwrap().push(Received {
        method,
        path,
        headers: hs,
        body: data,
        status: *status,
    });
    out.write_all(resp.as_bytes()).ok()?;
    out.flush().ok()
}

fn cilog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cilog"))
        .args(args)
        .args(["--otlp-backoff-ms", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The events of `files` as the CLI reads them (its NDJSON lines).
fn event_count(files: &[&str]) -> usize {
    let o = Command::new(env!("CARGO_BIN_EXE_cilog"))
        .args(["--format", "ndjson"])
        .args(files)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(o.status.success());
    String::from_utf8(o.stdout).unwrap().lines().count()
}

/// Decodes a body with the OpenTelemetry types; its records'
/// `log.record.uid`s.
fn uids(body: &[u8]) -> Vec<String> {
    let req: ExportLogsServiceRequest = serde_json::from_slice(body).expect("an OTLP request");
    let mut out = Vec::new();
    for rl in &req.resource_logs {
        for sl in &rl.scope_logs {
            for rec in &sl.log_records {
                let uid = rec
                    .attributes
                    .iter()
                    .find(|a| a.key == "log.record.uid")
                    .and_then(|a| a.value.as_ref()?.value.as_ref())
                    .map(|v| match v {
                        AnyValue::StringValue(s) => s.clone(),
                        other => panic!("uid {other:?}"),
                    })
                    .expect("a log.record.uid");
                out.push(uid);
            }
        }
    }
    out
}

fn received(got: &Arc<Mutex<Vec<Received>>>) -> Vec<Received> {
    got.lock().unwrap().clone()
}

/// Every record of the accepted requests, each once; their number.
fn accepted_once(got: &[Received]) -> usize {
    let mut seen = HashSet::new();
    for r in got.iter().filter(|r| r.status == 200) {
        for uid in uids(&r.body) {
            assert!(seen.insert(uid.clone()), "{uid} accepted twice");
        }
    }
    seen.len()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn accepted_requests_carry_every_event_once_with_path_type_and_headers() {
    let (url, got) = receiver(vec![]);
    let o = cilog(&[
        "--otlp-endpoint",
        &url,
        "--otlp-header",
        "Authorization=Bearer t0ken",
        "--otlp-header",
        "X-Scope-OrgID=ci",
        FILES[0],
        FILES[1],
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout when pushing");
    assert_eq!(stderr(&o), "", "silent when every request is accepted");
    let got = received(&got);
    assert_eq!(got.len(), 2, "one request per run");
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.path, "/v1/logs");
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["authorization"], "Bearer t0ken");
        assert_eq!(r.headers["x-scope-orgid"], "ci");
        assert!(r.body.len() <= 1 << 20);
    }
    assert_eq!(accepted_once(&got), event_count(&FILES));
}

#[test]
fn the_same_requests_as_otlp_json_prints() {
    let (url, got) = receiver(vec![]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[1]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = Command::new(env!("CARGO_BIN_EXE_cilog"))
        .args(["--format", "otlp-json", FILES[1]])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let printed = String::from_utf8(printed.stdout).unwrap();
    let got = received(&got);
    assert_eq!(got.len(), printed.lines().count());
    // The same requests but for `observedTimeUnixNano` (the clock).
    let strip = |s: &str| {
        let re = regex::Regex::new(r#""observedTimeUnixNano":"\d+""#).unwrap();
        re.replace_all(s.trim_end(), "").into_owned()
    };
    for (r, line) in got.iter().zip(printed.lines()) {
        assert_eq!(strip(&String::from_utf8_lossy(&r.body)), strip(line));
    }
}

#[test]
fn a_503_is_retried_and_every_record_arrives_once() {
    let (url, got) = receiver(vec![(503, vec![], "busy")]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[0], FILES[1]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = received(&got);
    assert_eq!(got.len(), 3, "the first request twice, then the second");
    assert_eq!(got[0].status, 503);
    assert_eq!(got[0].body, got[1].body, "the same request retried");
    assert_eq!(accepted_once(&got), event_count(&FILES));
}

#[test]
fn a_429_with_retry_after_zero_is_retried() {
    let (url, got) = receiver(vec![
        (429, vec![("Retry-After", "0")], "slow down"),
        (502, vec![], ""),
        (504, vec![], ""),
    ]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[1]]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = received(&got);
    assert_eq!(got.len(), 4);
    assert_eq!(accepted_once(&got), event_count(&FILES[1..]));
}

#[test]
fn a_400_is_not_retried_and_its_records_are_lost() {
    let (url, got) = receiver(vec![(400, vec![], r#"{"message":"bad timeUnixNano"}"#)]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[0], FILES[1]]);
    assert_eq!(o.status.code(), Some(1));
    let got = received(&got);
    assert_eq!(got.len(), 2, "the rejected request is not sent again");
    let lost = event_count(&FILES[..1]);
    let err = stderr(&o);
    assert!(err.contains("HTTP 400"), "{err}");
    assert!(err.contains("bad timeUnixNano"), "{err}");
    assert!(err.contains(&format!("{lost} records lost")), "{err}");
    let total = event_count(&FILES);
    assert!(
        err.contains(&format!("{lost} of {total} records lost")),
        "{err}"
    );
    // The second request still went through.
    assert_eq!(accepted_once(&got), total - lost);
}

#[test]
fn retries_are_bounded() {
    let busy = || (503, vec![], "busy");
    let (url, got) = receiver(vec![busy(), busy(), busy(), busy(), busy()]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[1]]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(received(&got).len(), 5, "five attempts");
    let err = stderr(&o);
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(err.contains("after 5 attempts"), "{err}");
}

#[test]
fn an_unreachable_receiver_loses_every_record_after_bounded_retries() {
    // A port nothing listens on: bound, then closed.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v1/logs");
    let o = cilog(&["--otlp-endpoint", &url, FILES[0], FILES[1]]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let total = event_count(&FILES);
    assert!(err.contains("nothing more is sent"), "{err}");
    assert!(
        err.contains(&format!("{total} of {total} records lost")),
        "{err}"
    );
}

#[test]
fn push_options_are_checked() {
    let o = cilog(&["--otlp-header", "A=b", FILES[1]]);
    assert_eq!(o.status.code(), Some(2), "--otlp-header needs an endpoint");
    let o = cilog(&[
        "--otlp-endpoint",
        "http://127.0.0.1:9/v1/logs",
        "--otlp-header",
        "novalue",
        FILES[1],
    ]);
    assert_eq!(o.status.code(), Some(2));
    for bad in ["https://127.0.0.1:9/v1/logs", "127.0.0.1:4318", "nonsense"] {
        let o = cilog(&["--otlp-endpoint", bad, FILES[1]]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("--otlp-endpoint"), "{}", stderr(&o));
    }
    let o = cilog(&[
        "--otlp-endpoint",
        "http://127.0.0.1:9/v1/logs",
        "--format",
        "ecs",
        FILES[1],
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_partial_success_counts_its_rejected_records_lost() {
    let (url, got) = receiver(vec![(
        200,
        vec![],
        r#"{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"too old"}}"#,
    )]);
    let o = cilog(&["--otlp-endpoint", &url, FILES[1]]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(received(&got).len(), 1, "a 2xx is not retried");
    let total = event_count(&FILES[1..]);
    let err = stderr(&o);
    assert!(err.contains("too old"), "{err}");
    assert!(err.contains(&format!("3 of {total} records lost")), "{err}");
}

#[test]
fn a_long_log_goes_in_requests_under_1_mib_each_record_once_across_retries() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_push_long.log");
    let mut log = String::new();
    for i in 0..6000 {
        log.push_str(&format!(
            "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] line {i} {}\n",
            "x".repeat(300)
        ));
    }
    std::fs::write(&path, log).unwrap();
    let path = path.to_str().unwrap();
    let (url, got) = receiver(vec![
        (200, vec![], "{}"),
        (503, vec![], ""),
        (200, vec![], "{}"),
        (429, vec![("Retry-After", "0")], ""),
    ]);
    let o = cilog(&["--otlp-endpoint", &url, path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = received(&got);
    assert!(got.len() >= 5, "several requests: {}", got.len());
    assert!(got.iter().all(|r| r.body.len() <= 1 << 20));
    assert_eq!(got[1].body, got[2].body, "the refused request sent again");
    assert_eq!(got[3].body, got[4].body);
    assert_eq!(accepted_once(&got), event_count(&[path]));
}
