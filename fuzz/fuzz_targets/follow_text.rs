//! Chunk invariance: a text log fed to the Follower in chunks (split where
//! the first bytes say, inside lines and characters, with the cursor saved
//! and restored between chunks) gives the events of parsing it whole.
#![no_main]

use cilog::codearts::{Cursor, Follower};
use cilog::{Options, Source, parse_as};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (cuts, text) = data.split_at(4);
    let opts = Options::default();
    let whole: Vec<String> = parse_as(Source::CodeartsLog, text, &opts)
        .map(|ev| ev.map(|e| e.unwrap().to_ndjson()).collect())
        .unwrap_or_default();
    if whole.is_empty() && !text.is_empty() && text.iter().any(|b| !b.is_ascii_whitespace()) {
        // A JSON error body where a log file was expected: not a text log.
        return;
    }
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|&c| usize::from(c) * text.len() / 256)
        .collect();
    points.sort_unstable();
    points.push(text.len());
    let mut out = Vec::new();
    let mut cursor = Cursor::default();
    let mut prev = 0;
    for p in points {
        let mut f = Follower::resume(cursor, opts.clone());
        f.feed_text(&text[prev..p], |e| {
            common::check_event(&e, &opts);
            out.push(e.to_ndjson());
        })
        .unwrap();
        let json = serde_json::to_string(f.cursor()).unwrap();
        cursor = serde_json::from_str(&json).unwrap();
        prev = p;
    }
    let mut f = Follower::resume(cursor, opts.clone());
    f.finish(|e| out.push(e.to_ndjson())).unwrap();
    assert_eq!(out, whole);
});
