//! Property tests: no panic on any input, and render → parse round trips.
//!
//! Case counts are sized so the whole file runs in seconds on 2 cores; raise
//! them with `PROPTEST_CASES=…` for a longer soak.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::Path;

use proptest::prelude::*;

use cilog::{EventKind, Options, Source, detect, parse, parse_as};

/// Parses fully in both modes through every front door; only panics count.
fn exercise(input: &[u8]) {
    let _ = detect(input);
    for opts in [Options::default(), Options::strict()] {
        if let Ok(events) = parse(input, &opts) {
            for e in events.flatten() {
                let line = e.to_ndjson();
                assert!(line.ends_with('\n'));
            }
        }
        for src in Source::ALL {
            if let Ok(events) = parse_as(*src, input, &opts) {
                events.for_each(drop);
            }
        }
    }
}

fn corpus_payloads() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut out = Vec::new();
    for src in Source::ALL {
        let Ok(dir) = fs::read_dir(root.join(src.as_str())) else {
            continue;
        };
        for entry in dir {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_file() && !name.contains(".expected.") && !name.contains(".strict.") {
                out.push(fs::read(&p).unwrap());
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_arbitrary_bytes(input in proptest::collection::vec(any::<u8>(), 0..512)) {
        exercise(&input);
    }

    #[test]
    fn no_panic_on_json_looking_text(input in r#"[\[\]{}",:0-9a-z\\ \n-]{0,200}"#) {
        exercise(input.as_bytes());
    }

    #[test]
    fn no_panic_on_mutated_corpus(pick in any::<prop::sample::Index>(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let payloads = corpus_payloads();
        let mut p = pick.get(&payloads).clone();
        if p.is_empty() { return Ok(()); }
        let i = at.index(p.len());
        if cut { p.truncate(i); } else { p[i] = byte; }
        exercise(&p);
    }
}

/// Go's `json.Marshal` of a string: escapes `<`, `>`, `&`, U+2028 and U+2029.
fn go_json(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Any batch of entries, marshalled Go-style and wrapped in a JSON
    /// string, parses back to the same messages, kinds and progress.
    #[test]
    fn swr_double_encoding_round_trips(
        entries in proptest::collection::vec(("[ -~]{0,12}|\\PC{0,12}|[<>&\"\\\\\u{2028}]{0,6}", any::<bool>(), 0u8..=100), 0..8),
        batches in 1usize..4,
    ) {
        let inner: Vec<String> = entries.iter().map(|(m, phase, p)| format!(
            r#"{{"Type":"{}","Message":{},"Time":"2018-12-06T06:45:16.559896079Z","State":"Building","Progress":{}}}"#,
            if *phase { "phase" } else { "content" }, go_json(m), p)).collect();
        let content = format!("[{}]", inner.join(","));
        let batch = format!(r#"{{"content":{},"created_at":"2018-12-06T06:45:16.559926Z"}}"#, serde_json::to_string(&content).unwrap());
        let doc = format!(r#"{{"id":1,"state":"Building","log":[{}]}}"#, vec![batch; batches].join(","));
        let events: Vec<_> = parse_as(Source::SwrJobLog, &doc, &Options::strict().with_text(cilog::TextMode::Raw))
            .unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        prop_assert_eq!(events.len(), 1 + entries.len() * batches);
        for (i, e) in events.iter().enumerate().skip(1) {
            let (m, phase, p) = &entries[(i - 1) % entries.len()];
            prop_assert_eq!(&e.message, m);
            prop_assert_eq!(e.kind, if *phase { EventKind::Phase } else { EventKind::Line });
            prop_assert_eq!(e.progress, Some(*p));
            prop_assert_eq!(e.seq, i as u64);
            prop_assert!(e.notes.is_empty());
        }
    }
}
