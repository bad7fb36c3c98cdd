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
            if p.is_file()
                && !name.contains(".expected.")
                && !name.contains(".strict.")
                && !name.contains(".summary.")
            {
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

// ---------------------------------------------------------------------------
// CodeArts: chunk invariance of the follower, and resuming from a cursor.

use cilog::codearts::{Cursor, Follower};
use cilog::{LogEvent, Note};

/// One build-log line (without its line break), of every grammar branch.
fn build_line() -> impl Strategy<Value = String> {
    let ts = (
        0u32..60,
        0u32..1000,
        prop_oneof![Just("+08:00"), Just("+00:00"), Just("-05:30")],
    )
        .prop_map(|(s, ms, off)| format!("[2026/06/26 14:16:{s:02}.{ms:03} GMT{off}]"));
    let text = "[a-zA-Z0-9 .:#*/=+-]{0,12}|[中文构建代码检出]{1,4}|\\PC{0,6}";
    let name = prop_oneof![
        Just("代码检出"),
        Just("Maven构建"),
        Just("使用SWR公共镜像 "),
        Just("Build: two"),
        Just("PRE_ENV")
    ];
    let id = prop_oneof![
        Just("external_pre_checkout"),
        Just("m2"),
        Just("slave_create")
    ];
    let level = prop_oneof![Just("INFO"), Just("WARNING"), Just("ERROR"), Just("warn")];
    prop_oneof![
        (
            ts.clone(),
            level.clone(),
            name,
            id,
            prop_oneof![
                Just("该步骤开始执行".to_owned()),
                Just("该步骤执行完成".to_owned()),
                text.prop_map(|t| t.to_owned())
            ]
        )
            .prop_map(|(t, l, n, i, m)| format!("{t} [{l}] [{n}:{i}] : {m}")),
        (ts.clone(), level.clone(), text).prop_map(|(t, l, m)| format!("{t} [{l}]  : {m}")),
        (ts.clone(), level, text).prop_map(|(t, l, m)| format!("{t} [{l}] {m}")),
        (ts.clone(), text).prop_map(|(t, m)| format!("{t} {m}")),
        (
            ts.clone(),
            prop_oneof![Just("SUCCESS"), Just("FAILURE"), Just("ODD")]
        )
            .prop_map(|(t, r)| format!("{t} Finished: {r}")),
        (ts, text).prop_map(|(t, m)| format!("{t} \u{1b}[31m{m}\u{1b}[0m\rover")),
        text.prop_map(|m| m.to_owned()),
        Just(String::new()),
    ]
}

/// A whole log: lines joined with LF or CRLF, with or without a final break.
fn build_log() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((build_line(), any::<bool>()), 1..12),
        any::<bool>(),
    )
        .prop_map(|(lines, last)| {
            let mut s = String::from("[2026/06/26 14:16:00.000 GMT+08:00] 中文 start\n");
            for (i, (l, crlf)) in lines.iter().enumerate() {
                s.push_str(l);
                if i + 1 < lines.len() || last {
                    s.push_str(if *crlf { "\r\n" } else { "\n" });
                }
            }
            s
        })
}

fn render(e: &LogEvent<'_>) -> String {
    let mut e = e.clone();
    e.source = Source::CodeartsLog;
    e.to_ndjson()
}

fn whole_text(log: &[u8]) -> Vec<String> {
    parse_as(Source::CodeartsLog, log, &Options::default())
        .unwrap()
        .map(|e| render(&e.unwrap()))
        .collect()
}

/// Sorted, deduplicated cut points inside `0..len`.
fn cuts(len: usize, picks: &[prop::sample::Index]) -> Vec<usize> {
    let mut c: Vec<usize> = picks.iter().map(|p| p.index(len + 1)).collect();
    c.sort_unstable();
    c.dedup();
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any split of a text log into chunks — inside lines, inside CRLF pairs,
    /// inside multi-byte characters, with a bad byte or not — gives the same
    /// events as parsing it whole; so does saving and resuming the cursor
    /// between chunks.
    #[test]
    fn text_chunks_equal_whole(log in build_log(), bad in any::<bool>(), picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..8)) {
        let mut bytes = log.into_bytes();
        if bad {
            let at = bytes.len() / 2;
            bytes.insert(at, 0xFF);
        }
        let whole = whole_text(&bytes);
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        let mut prev = 0;
        for cut in cuts(bytes.len(), &picks).into_iter().chain([bytes.len()]) {
            let mut f = match &cursor {
                None => Follower::new(Options::default()),
                Some(json) => Follower::resume(serde_json::from_str::<Cursor>(json).unwrap(), Options::default()),
            };
            f.feed_text(&bytes[prev..cut], |e| out.push(render(&e))).unwrap();
            cursor = Some(serde_json::to_string(f.cursor()).unwrap());
            prev = cut;
        }
        let mut f = Follower::resume(serde_json::from_str(&cursor.unwrap()).unwrap(), Options::default());
        f.finish(|e| out.push(render(&e))).unwrap();
        prop_assert_eq!(out, whole);
    }

    /// Any split of a log into real-time pages (byte or character offsets,
    /// with repeated, empty and overlapping pages, resuming from a stored
    /// cursor before every page) gives the events of the whole log, but for
    /// the informational note that marks an overlap.
    #[test]
    fn pages_equal_whole(
        log in build_log(),
        chars in any::<bool>(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        extras in proptest::collection::vec((0u8..3, any::<prop::sample::Index>()), 0..4),
    ) {
        let bounds: Vec<usize> = log.char_indices().map(|(i, _)| i).chain([log.len()]).collect();
        let unit = |byte: usize| -> u64 {
            if chars { bounds.iter().position(|&b| b == byte).unwrap() as u64 } else { byte as u64 }
        };
        let page = |from: usize, to: usize, more: bool| -> String {
            format!(
                r#"{{"result":{{"has_more_data":{more},"current_offset":{},"offset":{},"content":{}}},"error":null,"status":"success"}}"#,
                unit(from), unit(to), serde_json::to_string(&log[from..to]).unwrap()
            )
        };
        // Cut points on character boundaries; the first page holds "中" so
        // the offset unit can be inferred before any overlap.
        let first_cjk = log.find('中').unwrap() + '中'.len_utf8();
        let mut points: Vec<usize> = picks.iter().map(|p| bounds[p.index(bounds.len())]).filter(|&b| b >= first_cjk).collect();
        points.push(log.len());
        points.sort_unstable();
        points.dedup();
        let mut pages = Vec::new();
        let mut prev = 0;
        for (i, &cut) in points.iter().enumerate() {
            pages.push(page(prev, cut, i + 1 < points.len()));
            for (kind, at) in &extras {
                if at.index(points.len()) == i && i + 1 < points.len() {
                    match kind {
                        0 => pages.push(page(prev, cut, true)),          // repeated
                        1 => pages.push(page(cut, cut, true)),           // empty
                        _ => {                                           // overlapping the next
                            let next = points[i + 1];
                            let back = bounds[bounds.iter().position(|&b| b == cut).unwrap().saturating_sub(3)].max(prev);
                            pages.push(page(back, next, true));
                        }
                    }
                }
            }
            prev = cut;
        }
        let whole: Vec<String> = parse_as(Source::CodeartsRealtimeLog, &page(0, log.len(), false), &Options::default())
            .unwrap().map(|e| render(&e.unwrap())).collect();
        let without_overlap = |e: LogEvent<'_>| {
            let mut e = e.into_owned();
            let kept: Vec<Note> = e.notes.iter().filter(|n| *n != Note::PageOverlap).collect();
            e.notes = cilog::Notes::EMPTY;
            for n in kept {
                e.notes.insert(n);
            }
            render(&e)
        };
        let mut out = Vec::new();
        let mut cursor = serde_json::to_string(&Cursor::default()).unwrap();
        for p in &pages {
            let mut f = Follower::resume(serde_json::from_str(&cursor).unwrap(), Options::default());
            f.feed_page(p.as_bytes(), |e| out.push(without_overlap(e))).unwrap();
            cursor = serde_json::to_string(f.cursor()).unwrap();
        }
        let mut f = Follower::resume(serde_json::from_str(&cursor).unwrap(), Options::default());
        f.finish(|e| out.push(without_overlap(e))).unwrap();

        prop_assert_eq!(out, whole);
    }
}

// ---------------------------------------------------------------------------
// Structured mutations of the JSON corpus payloads.

/// What to do to one spot of a JSON document.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    DropKey,
    DuplicateKey,
    NumberToString,
    StringToNumber,
    NullValue,
    WrapInArray,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::DropKey),
        Just(Mutation::DuplicateKey),
        Just(Mutation::NumberToString),
        Just(Mutation::StringToNumber),
        Just(Mutation::NullValue),
        Just(Mutation::WrapInArray),
    ]
}

/// Writes `v` as JSON, applying `m` at the `target`-th object member met
/// (depth first), which lets a key be written twice.
fn write_mutated(
    v: &serde_json::Value,
    m: Mutation,
    target: usize,
    count: &mut usize,
    out: &mut String,
) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            out.push('{');
            let mut first = true;
            for (k, val) in map {
                let here = *count == target;
                *count += 1;
                let mut emit = |out: &mut String, val: &Value| {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    out.push_str(&serde_json::to_string(val).unwrap());
                };
                if !here {
                    // Recurse into the value normally.
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    write_mutated(val, m, target, count, out);
                    continue;
                }
                match m {
                    Mutation::DropKey => {}
                    Mutation::DuplicateKey => {
                        emit(out, val);
                        emit(out, val);
                    }
                    Mutation::NumberToString => match val {
                        Value::Number(n) => emit(out, &Value::String(n.to_string())),
                        other => emit(out, &Value::String(other.to_string())),
                    },
                    Mutation::StringToNumber => match val {
                        Value::String(s) => emit(out, &Value::from(s.len() as u64 * 7919)),
                        _ => emit(out, &Value::from(-1)),
                    },
                    Mutation::NullValue => emit(out, &Value::Null),
                    Mutation::WrapInArray => emit(out, &Value::Array(vec![val.clone()])),
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_mutated(x, m, target, count, out);
            }
            out.push(']');
        }
        other => out.push_str(&serde_json::to_string(other).unwrap()),
    }
}

fn json_payloads() -> Vec<serde_json::Value> {
    corpus_payloads()
        .iter()
        .filter_map(|p| serde_json::from_slice(p).ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Dropping or duplicating a key, swapping a number for a string (and
    /// back), nulling a value or wrapping it in an array, anywhere in any
    /// JSON corpus payload: every front door ends in events or an error.
    #[test]
    fn no_panic_on_structural_mutations(pick in any::<prop::sample::Index>(), m in mutation(), spot in any::<prop::sample::Index>()) {
        let docs = json_payloads();
        let doc = pick.get(&docs);
        // Count the object members, then mutate one of them.
        let mut members = 0;
        let mut scratch = String::new();
        write_mutated(doc, m, usize::MAX, &mut members, &mut scratch);
        if members == 0 { return Ok(()); }
        let mut out = String::new();
        write_mutated(doc, m, spot.index(members), &mut 0, &mut out);
        exercise(out.as_bytes());
    }
}
