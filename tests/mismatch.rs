//! A payload read as the wrong source never loses data silently: every
//! corpus payload (good and `err/`, JSON and text) against every other
//! explicit JSON source, in both modes. Strict mode fails with a position;
//! lenient mode either fails the same way or keeps the whole payload raw in
//! one event noted `shape_mismatch`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use cilog::{LogEvent, Note, Options, Source, parse_as};

/// Every corpus payload with its folder's source (good cases and `err/`).
fn corpus() -> Vec<(Source, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out = Vec::new();
    for src in Source::ALL {
        for dir in [root.join(src.as_str()), root.join(src.as_str()).join("err")] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            for e in entries {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                if p.is_file()
                    && !name.contains(".expected.")
                    && !name.contains(".strict.")
                    && !name.contains(".summary.")
                    && !name.ends_with(".md")
                {
                    out.push((*src, p));
                }
            }
        }
    }
    out.sort();
    assert!(out.len() > 80, "too few corpus payloads: {}", out.len());
    out
}

fn events(
    src: Source,
    input: &[u8],
    opts: &Options,
) -> Result<Vec<LogEvent<'static>>, cilog::Error> {
    parse_as(src, input, opts)?
        .map(|e| e.map(LogEvent::into_owned))
        .collect()
}

/// Whether `a` and `b` are sources a payload may legitimately be read as
/// both: the three BlueKing calls share their envelope, so an error body
/// (the `err/` cases without data) is for each of them to report.
fn same_vendor(a: Source, b: Source) -> bool {
    let bk = |s| {
        matches!(
            s,
            Source::BkjobLog | Source::BkjobIpLog | Source::BkjobStatus
        )
    };
    let swr = |s| matches!(s, Source::SwrJobLog | Source::SwrJobHistory);
    (bk(a) && bk(b)) || (swr(a) && swr(b))
}

#[test]
fn no_payload_loses_data_under_a_wrong_source() {
    let mut failures = Vec::new();
    let mut mismatches = 0;
    for (own, path) in corpus() {
        let input = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&input))
            .into_owned();
        let err_case = path.parent().is_some_and(|p| p.ends_with("err"));
        for &other in Source::ALL.iter().filter(|s| s.is_json() && **s != own) {
            let name = format!("{} as {other}", path.display());
            match events(other, &input, &Options::strict()) {
                Err(e) if e.position().is_some() || e.is_vendor() => {}
                Err(e) => failures.push(format!("{name}: strict error without a position: {e}")),
                Ok(ev) => failures.push(format!(
                    "{name}: strict mode accepted it ({} events)",
                    ev.len()
                )),
            }
            let opts = Options::default().with_redact(false);
            match events(other, &input, &opts) {
                Err(e) if e.position().is_some() || e.is_vendor() => {}
                Err(e) => failures.push(format!("{name}: lenient error without a position: {e}")),
                Ok(ev) => {
                    let kept = ev.len() == 1
                        && ev[0].notes.contains(Note::ShapeMismatch)
                        && ev[0].message == text;
                    if kept {
                        mismatches += 1;
                    } else if !(err_case && same_vendor(own, other)) {
                        failures.push(format!(
                            "{name}: lenient gave {} events without keeping the payload raw: {:?}",
                            ev.len(),
                            ev.iter().map(|e| e.to_ndjson()).collect::<Vec<_>>()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(mismatches > 100, "only {mismatches} payloads were kept raw");
}

/// The raw event says what the payload looks like, and strict mode's error
/// says where and why.
#[test]
fn a_codearts_page_read_as_an_swr_job() {
    let page = fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/codearts-realtime-log/seed-example.json"
    ))
    .unwrap();
    let ev = events(
        Source::SwrJobLog,
        &page,
        &Options::default().with_redact(false),
    )
    .unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].notes.iter().map(|n| n.code()).collect::<Vec<_>>(),
        ["shape_mismatch"]
    );
    assert_eq!(
        format!("{:?}", ev[0].attrs),
        r#"[("detected_source", Str("codearts-realtime-log"))]"#
    );
    let e = events(Source::SwrJobLog, &page, &Options::strict()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unexpected payload shape: the payload does not fit swr-job-log: it looks like codearts-realtime-log (top-level keys: result) at line 1, column 1 (byte 0), near \"{ \\\"result\\\" : { \\\"has_more\""
    );
}
