//! Robustness over the whole corpus: every strict prefix of every JSON
//! payload, and an accounting of every input line or entry.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::{Path, PathBuf};

use cilog::{EventKind, LogEvent, Note, Options, Source, TextMode, parse_as};

/// The corpus payloads of a source that parse without error (not `err/`).
fn payloads(src: Source) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(src.as_str());
    let mut out: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    out.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy();
        p.is_file()
            && !name.contains(".expected.")
            && !name.contains(".strict.")
            && !name.contains(".summary.")
    });
    out.sort();
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

/// Notes that mark an event as holding cut-off or unreadable text.
fn is_cut(e: &LogEvent<'_>) -> bool {
    [
        Note::Truncated,
        Note::EntryInvalid,
        Note::InnerJsonInvalid,
        Note::UnterminatedLine,
    ]
    .iter()
    .any(|n| e.notes.contains(*n))
}

/// Every strict prefix of every JSON corpus payload: strict mode fails with
/// a position inside the prefix (or, when only white space was cut, gives
/// the whole document's events); lenient mode gives events, marks the
/// cut-off part `truncated`, and every event it does not mark carries the
/// same message as the whole document's event of that `seq`.
#[test]
fn every_strict_prefix_of_every_json_payload() {
    let mut checked = 0usize;
    for src in Source::ALL.iter().filter(|s| s.is_json()) {
        for path in payloads(*src) {
            let input = fs::read(&path).unwrap();
            let name = path.display().to_string();
            let Ok(full) = events(*src, &input, &Options::default()) else {
                continue;
            };
            let whole_len = input.trim_ascii_end().len();
            for n in 0..whole_len {
                let prefix = &input[..n];
                checked += 1;
                match events(*src, prefix, &Options::strict()) {
                    Err(e) => {
                        if let Some(p) = e.position() {
                            assert!(
                                p.byte <= n,
                                "{name}[..{n}]: strict error at byte {} past the prefix",
                                p.byte
                            );
                        }
                    }
                    Ok(_) => panic!("{name}[..{n}]: strict mode accepted a cut document"),
                }
                let lenient = match events(*src, prefix, &Options::default()) {
                    Ok(ev) => ev,
                    // Too little to say anything (no complete value yet, or
                    // not even recognisable JSON): a clear error is fine.
                    Err(e) => {
                        assert!(
                            e.position().is_none_or(|p| p.byte <= n),
                            "{name}[..{n}]: {e}"
                        );
                        continue;
                    }
                };
                if prefix.trim_ascii().is_empty() {
                    // An empty input gives no events.
                    assert!(lenient.is_empty(), "{name}[..{n}]: events from nothing");
                    continue;
                }
                assert!(
                    lenient.iter().any(|e| e.notes.contains(Note::Truncated)),
                    "{name}[..{n}]: no event marks the cut: {lenient:?}"
                );
                for e in lenient.iter().filter(|e| !is_cut(e)) {
                    let whole = full.iter().find(|f| f.seq == e.seq);
                    assert_eq!(
                        whole.map(|f| &f.message),
                        Some(&e.message),
                        "{name}[..{n}]: seq {} differs from the whole document",
                        e.seq
                    );
                }
            }
        }
    }
    assert!(checked > 10_000, "only {checked} prefixes checked");
}

/// Every line of a text: `\n`-separated, a final break not starting a new
/// line, CRLF's `\r` removed.
fn text_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect()
}

/// Raw text options: no cleaning and no HTML decoding, so a message is
/// exactly the end of its line.
fn raw() -> Options {
    Options::default()
        .with_text(TextMode::Raw)
        .with_html_unescape(false)
}

/// Checks that `lines` are accounted for, in order, exactly once by the
/// line-ish events: each message is the line itself or the rest of it
/// after a prefix that became fields.
fn account(name: &str, lines: &[&str], events: &[&LogEvent<'_>]) {
    assert_eq!(
        events.len(),
        lines.len(),
        "{name}: {} lines but {} events",
        lines.len(),
        events.len()
    );
    for (line, e) in lines.iter().zip(events) {
        assert!(
            line.ends_with(e.message.as_ref()),
            "{name}: event {} message {:?} is not the end of its line {:?}",
            e.seq,
            e.message,
            line
        );
        if e.time.is_some() && e.message.len() < line.len() {
            // The cut-off part is a parsed prefix: it starts with `[`
            // (or `【`, the legacy file-transfer form).
            assert!(
                line.starts_with('[') || line.starts_with('【'),
                "{name}: event {} dropped text {:?}",
                e.seq,
                line
            );
        }
    }
}

#[test]
fn codearts_text_lines_are_accounted_for() {
    let mut n = 0;
    for path in payloads(Source::CodeartsLog) {
        let input = fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&input);
        let ev = events(Source::CodeartsLog, &input, &raw()).unwrap();
        let lines = text_lines(&text);
        account(
            &path.display().to_string(),
            &lines,
            &ev.iter().collect::<Vec<_>>(),
        );
        n += lines.len();
    }
    assert!(n > 100);
}

#[test]
fn codearts_page_lines_are_accounted_for() {
    for path in payloads(Source::CodeartsRealtimeLog) {
        let input = fs::read(&path).unwrap();
        let v: serde_json::Value = match serde_json::from_slice(&input) {
            Ok(v) => v,
            Err(_) => continue, // the truncated case
        };
        let content = v["result"]["content"]
            .as_str()
            .or(v["result"]["log"].as_str())
            .unwrap_or("");
        let ev = events(Source::CodeartsRealtimeLog, &input, &raw()).unwrap();
        if ev.iter().any(|e| e.notes.contains(Note::LiteralNewlines)) {
            continue; // the docs' double-escaped example: its rule is tested on its own
        }
        account(
            &path.display().to_string(),
            &text_lines(content),
            &ev.iter().collect::<Vec<_>>(),
        );
    }
}

/// SWR: every inner entry of every batch is exactly one event, in order,
/// with the entry's own `Message` (read here independently, with
/// `serde_json::Value`).
#[test]
fn swr_entries_are_accounted_for() {
    let mut n = 0;
    for path in payloads(Source::SwrJobLog) {
        let input = fs::read(&path).unwrap();
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&input) else {
            continue;
        };
        let mut messages = Vec::new();
        let mut readable = true;
        for batch in v["log"].as_array().into_iter().flatten() {
            let inner = match &batch["content"] {
                serde_json::Value::String(s) if s.is_empty() => continue,
                serde_json::Value::String(s) => serde_json::from_str::<serde_json::Value>(s).ok(),
                serde_json::Value::Array(_) => Some(batch["content"].clone()),
                _ => None,
            };
            match inner.as_ref().and_then(|i| i.as_array()) {
                Some(entries) => {
                    messages.extend(entries.iter().map(|e| match (e, &e["Message"]) {
                        // An entry that is not an object is kept raw (the
                        // corpus writes such entries compactly).
                        (e, _) if !e.is_object() => e.to_string(),
                        (_, serde_json::Value::String(s)) => s.clone(),
                        (_, serde_json::Value::Null) => String::new(),
                        (_, other) => other.to_string(),
                    }))
                }
                None => readable = false,
            }
        }
        if !readable {
            continue; // not JSON inside: kept raw, covered by the corpus case
        }
        let ev = events(Source::SwrJobLog, &input, &raw()).unwrap();
        let got: Vec<String> = ev
            .iter()
            .filter(|e| e.kind != EventKind::Status)
            .map(|e| e.message.to_string())
            .collect();
        assert_eq!(got, messages, "{}", path.display());
        n += messages.len();
    }
    assert!(n > 30, "{n}");
}

/// BlueKing v2 and v3 ip logs: every line of every host's `log_content` is
/// exactly one event, in order, whose message is the line or its end.
#[test]
fn bkjob_host_lines_are_accounted_for() {
    let mut n = 0;
    for src in [Source::BkjobLog, Source::BkjobIpLog] {
        for path in payloads(src) {
            let input = fs::read(&path).unwrap();
            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&input) else {
                continue;
            };
            let mut contents: Vec<String> = Vec::new();
            collect_log_content(&v["data"], &mut contents);
            let ev = events(src, &input, &raw()).unwrap();
            let lines: Vec<&str> = contents.iter().flat_map(|c| text_lines(c)).collect();
            // Status events of steps, hosts and file tasks carry no text.
            let line_events: Vec<&LogEvent<'_>> = ev
                .iter()
                .filter(|e| !(e.kind == EventKind::Status && e.message.is_empty()))
                .collect();

            account(&path.display().to_string(), &lines, &line_events);
            n += lines.len();
        }
    }
    assert!(n > 30, "{n}");
}

/// Every string under a `log_content` key, in document order.
fn collect_log_content(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, val) in m {
                if k == "log_content" {
                    if let Some(s) = val.as_str() {
                        out.push(s.to_owned());
                    }
                } else {
                    collect_log_content(val, out);
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_log_content(x, out)),
        _ => {}
    }
}
