//! The fast scanner against the careful path, on generated batches.

use std::borrow::Cow;

use proptest::prelude::*;

use super::batch::{Batch, FromBuffer, FromInput, batch_events, entries};
use super::keys::ENTRY_KEYS;
use super::states::STATES;
use super::{Doc, Located, Origin, fast};
use crate::error::Error;
use crate::event::{LogEvent, Scalar};
use crate::json;
use crate::options::Options;

/// Go's `json.Marshal` of a string.
fn go(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A job log document holding one batch whose inner array is `inner`.
fn document(inner: &str) -> String {
    format!("{{\"content\":{}}}", serde_json::to_string(inner).unwrap())
}

/// The raw `content` value of a [`document`] and its string body.
fn content(doc: &str) -> (&str, &str) {
    let raw = &doc[11..doc.len() - 1];
    (raw, &raw[1..raw.len() - 1])
}

fn ndjson(r: Result<Vec<LogEvent<'_>>, Error>) -> Result<Vec<String>, String> {
    r.map(|v| v.iter().map(LogEvent::to_ndjson).collect())
        .map_err(|e| e.to_string())
}

/// The careful path alone on a batch's raw `content`, from `seq`: decode,
/// then serde; its events and the next `seq`.
fn careful(
    doc: &Doc<'_, '_>,
    raw: &str,
    body: &str,
    job: Option<&Cow<'_, str>>,
    mut seq: u64,
) -> (Result<Vec<String>, String>, u64) {
    let base = json::offset_in(raw, doc.input).unwrap() + 1;
    let events = match json::decode_str(raw).unwrap() {
        Cow::Borrowed(text) => {
            let inner = Located {
                text,
                origin: Origin::Direct { base },
            };
            ndjson(entries(&Batch::new(doc, job, FromInput), inner, &mut seq))
        }
        Cow::Owned(text) => {
            let inner = Located {
                text: &text,
                origin: Origin::Escaped { base, body },
            };
            ndjson(entries(&Batch::new(doc, job, FromBuffer), inner, &mut seq))
        }
    };
    (events, seq)
}

fn field() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some("null".to_owned())),
        6 => "[ -~]{0,20}|\\PC{0,10}".prop_map(|m| Some(go(&m))),
        3 => "[<>&\"\\\\/\t\u{2028}中a]{0,6}".prop_map(|m| Some(go(&m))),
        1 => "[a\u{1b}\r]{0,4}".prop_map(|m| Some(go(&m))),
            // Escapes the fast path's decoder leaves to the careful path:
            // invalid ones, lone surrogates.
            1 => prop::sample::select(vec![r#""a\qb""#, r#""\u12zz""#, r#""\ud800""#, r#""a\udc00b""#])
                .prop_map(|m| Some(m.to_owned())),
    ]
}

/// A state value: a name of the table as written, in other cases or with
/// white space around it, or not a state at all.
fn state() -> impl Strategy<Value = Option<String>> {
    let name = proptest::sample::select(STATES.iter().map(|s| s.name).collect::<Vec<_>>());
    prop_oneof![
        8 => Just(Some("\"Building\"".to_owned())),
        4 => Just(Some("\"waiting\"".to_owned())),
        4 => name.clone().prop_map(|n| Some(format!("\"{n}\""))),
        1 => name.clone().prop_map(|n| Some(format!("\"{}\"", n.to_ascii_uppercase()))),
        1 => name.prop_map(|n| Some(format!("\" {n}\""))),
        2 => Just(Some("\"WEIRD\"".to_owned())),
        1 => Just(Some("\"Succ\\u0065ss\"".to_owned())),
        2 => Just(None),
    ]
}

fn entry() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        8 => Just(Some("\"phase\"".to_owned())),
        8 => Just(Some("\"content\"".to_owned())),
        2 => Just(Some("\"Phase\"".to_owned())),
        1 => Just(Some("\"other\"".to_owned())),
        2 => Just(None),
        1 => Just(Some("3".to_owned())),
    ];
    let time = prop_oneof![
        8 => Just(Some("\"2018-12-06T06:45:16.559896079Z\"".to_owned())),
        4 => Just(Some("\"2018-12-06T06:45:16Z\"".to_owned())),
        2 => Just(Some("\"2018-12-06T06:45:16\"".to_owned())),
        1 => Just(Some("\"2018-13-06T06:45:16Z\"".to_owned())),
        1 => Just(Some("\"\"".to_owned())),
        2 => Just(None),
    ];
    let progress = prop_oneof![
        2 => Just(None),
        12 => (0u32..=100).prop_map(|p| Some(p.to_string())),
        1 => (101u32..150).prop_map(|p| Some(p.to_string())),
        1 => Just(Some("\"10\"".to_owned())),
        1 => Just(Some("010".to_owned())),
        1 => Just(Some("1.5".to_owned())),
        1 => Just(Some("-1".to_owned())),
        1 => Just(Some("null".to_owned())),
    ];
    (
        kind,
        field(),
        time,
        state(),
        progress,
        proptest::bool::weighted(0.1),
        any::<bool>(),
    )
        .prop_map(|(k, m, t, st, p, extra, spaced)| {
            let mut parts = Vec::new();
            let sep = if spaced { "\": " } else { "\":" };
            for (name, v) in [
                ("Type", k),
                ("Message", m),
                ("Time", t),
                ("State", st),
                ("Progress", p),
            ] {
                if let Some(v) = v {
                    parts.push(format!("\"{name}{sep}{v}"));
                }
            }
            if extra {
                parts.push("\"Extra\":[1]".to_owned());
            }
            format!("{{{}}}", parts.join(","))
        })
}

/// An entry written in unusual ways: keys in lower case, near misses of
/// the usual keys, a space before the colon, a key twice, values of
/// every type under any key.
fn odd_entry() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("Type"),
        Just("type"),
        Just("Message"),
        Just("message"),
        Just("Time"),
        Just("time"),
        Just("State"),
        Just("state"),
        Just("Progress"),
        Just("progress"),
        Just("Types"),
        Just("Tim"),
        Just("Messages"),
        Just("Extra"),
        Just("Progres"),
        Just("T\\u0079pe"),
    ];
    let value = prop_oneof![
        Just("\"content\""),
        Just("\"phase\""),
        Just("\"Building\""),
        Just("\"WEIRD\""),
        Just("\"2018-12-06T06:45:16Z\""),
        Just("\"a \\u003e b\""),
        Just("\"\""),
        Just("42"),
        Just("100"),
        Just("101"),
        Just("null"),
        Just("true"),
        Just("[1]"),
    ];
    let colon = prop_oneof![4 => Just(":"), 1 => Just(" :"), 1 => Just(": ")];
    proptest::collection::vec((key, colon, value), 0..5).prop_map(|fields| {
        let parts: Vec<String> = fields
            .into_iter()
            .map(|(k, c, v)| format!("\"{k}\"{c}{v}"))
            .collect();
        format!("{{{}}}", parts.join(","))
    })
}

proptest! {
    #![proptest_config(crate::testing::proptest_config(512))]

    /// On every batch the fast scanner accepts, it gives exactly the
    /// careful path's events, in both modes.
    #[test]
    fn fast_path_equals_careful_path(
        items in proptest::collection::vec(entry(), 0..6),
        strict in any::<bool>(),
    ) {
        let inner = format!("[{}]", items.join(","));
        let text = document(&inner);
        let (raw, body) = content(&text);
        let opts = if strict { Options::strict() } else { Options::default() };
        let doc = Doc { input: &text, opts: &opts };
        let job = Some(Cow::Borrowed("7"));
        if let Some(fast) = fast::batch(&doc, body, job.as_ref(), 0) {
            let fast: Vec<String> = fast.iter().map(LogEvent::to_ndjson).collect();
            let (careful, _) = careful(&doc, raw, body, job.as_ref(), 0);
            prop_assert_eq!(Ok(fast), careful, "batch {}", inner);
        }
    }

    /// A batch read by `batch_events` (the scanner, with its usual-key
    /// shortcut, first) gives exactly what the careful path alone gives:
    /// the same events and the same next `seq`, or the same error, in
    /// both modes, with and without a low entry limit.
    #[test]
    fn batch_events_equal_careful_path(
        items in proptest::collection::vec(prop_oneof![3 => entry(), 2 => odd_entry()], 0..6),
        strict in any::<bool>(),
        few in proptest::bool::weighted(0.2),
    ) {
        let inner = format!("[{}]", items.join(","));
        let text = document(&inner);
        let (raw, body) = content(&text);
        let mut opts = if strict { Options::strict() } else { Options::default() };
        if few {
            opts.max_entries = 2;
        }
        let doc = Doc { input: &text, opts: &opts };
        let job = Some(Cow::Borrowed("7"));
        let mut seq = 3;
        let got = ndjson(batch_events(&doc, Some(raw), job.as_ref(), &mut seq));
        let (want, careful_seq) = careful(&doc, raw, body, job.as_ref(), 3);
        prop_assert_eq!(got, want, "batch {}", inner);
        prop_assert_eq!(seq, careful_seq);
    }
}

/// Every state of the table, as written, in upper case and with white space
/// around it, gets the table's status and is kept as sent, on the fast path
/// and on the careful one alike.
#[test]
fn known_states_agree_with_the_table() {
    let opts = Options::default();
    for s in STATES {
        for v in [
            s.name.to_owned(),
            s.name.to_ascii_uppercase(),
            format!(" {} ", s.name),
        ] {
            let inner = format!("[{{\"Type\":\"content\",\"Message\":\"m\",\"State\":{v:?}}}]");
            let text = document(&inner);
            let (raw, body) = content(&text);
            let doc = Doc {
                input: &text,
                opts: &opts,
            };
            let fast = fast::batch(&doc, body, None, 0).expect("the fast path reads it");
            assert_eq!(fast.len(), 1);
            assert_eq!(fast[0].status, Some(s.status), "{v}");
            assert_eq!(fast[0].vendor_status, Some(Scalar::Str(Cow::Borrowed(&v))));
            let fast: Vec<String> = fast.iter().map(LogEvent::to_ndjson).collect();
            assert_eq!(Ok(fast), careful(&doc, raw, body, None, 0).0, "{v}");
        }
    }
}

/// Every key of the entry table, in both cases of its first letter, is read
/// by the fast path and by the careful path, to the same event, and not
/// skipped as an unknown key.
#[test]
fn entry_keys_read_alike_on_both_paths() {
    let opts = Options::default();
    let value = |name: &str| match name {
        "Type" => "\"phase\"",
        "Time" => "\"2018-12-06T06:45:16Z\"",
        "State" => "\"Building\"",
        "Progress" => "42",
        _ => "\"text\"",
    };
    let read = |inner: &str| {
        let text = document(inner);
        let (raw, body) = content(&text);
        let doc = Doc {
            input: &text,
            opts: &opts,
        };
        let fast = fast::batch(&doc, body, None, 0).expect("the fast path reads it");
        let fast: Vec<String> = fast.iter().map(LogEvent::to_ndjson).collect();
        assert_eq!(
            Ok(fast.clone()),
            careful(&doc, raw, body, None, 0).0,
            "{inner}"
        );
        fast
    };
    let empty = read("[{}]");
    for (name, _) in ENTRY_KEYS {
        let lower = format!("{}{}", name[..1].to_ascii_lowercase(), &name[1..]);
        for key in [name, lower.as_str()] {
            let got = read(&format!("[{{\"{key}\":{}}}]", value(name)));
            assert_ne!(got, empty, "{key} was not read");
        }
    }
}

/// Strict mode's message for an unknown state lists values of the table
/// only (it is worded by hand, in the vendor docs' order).
#[test]
fn unknown_state_message_names_table_values() {
    let mut opts = Options::strict();
    opts.unknown_status_is_error = true;
    let Err(err) = super::job_log(br#"{"id":1,"state":"WEIRD"}"#, &opts) else {
        panic!("an unknown state is an error");
    };
    let message = err.to_string();
    let (_, list) = message.split_once("is not one of ").unwrap();
    let list = list.split_once(" at ").map_or(list, |(l, _)| l);
    let names: Vec<&str> = list.split(", ").collect();
    assert_eq!(names.len(), 9, "{message}");
    for name in names {
        assert!(STATES.iter().any(|s| s.name == name), "{name} in {message}");
    }
}
