//! `serde::Serialize` of the model against the hand-written NDJSON writer:
//! `serde_json::to_string(&event)` is the event's NDJSON line without its
//! `\n`, byte for byte, for any event. Built only through the public API, as
//! a downstream crate would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::borrow::Cow;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use proptest::prelude::*;

use cilog::{
    Context, EventKind, LogEvent, Note, Notes, Scalar, Severity, Source, Status, Timestamp,
};

/// Text with what a JSON writer must escape (every C0 control, DEL, quote,
/// backslash), what serde_json escapes its own way (`\b`, `\f`), and
/// non-ASCII (two-, three- and four-byte, line separators, BOM).
fn text() -> impl Strategy<Value = String> {
    "(\\PC|[\\x00-\\x1f\\x7f\"\\\\/]|[a-z ]{0,9}|é|代|😀|\u{2028}|\u{feff}|\u{85}){0,24}"
}

fn cow() -> impl Strategy<Value = Cow<'static, str>> {
    text().prop_map(Cow::Owned)
}

/// Floats at every formatting edge: whole, tiny, huge, signed zero,
/// non-finite, around 1e-5 and 1e16 (where serde_json switches to an
/// exponent), around 2^53 and 2^64, and any bit pattern.
fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        (-1e7f64..1e7),
        (-1e-3f64..1e-3),
        (-1e25f64..1e25),
        (any::<i64>()).prop_map(|i| i as f64),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            0.1,
            1e-5,
            9.999_999_999_999_999e-6,
            1.000_000_000_000_001e-5,
            1e-7,
            5e-324,
            f64::MIN_POSITIVE,
            1e15,
            1e16,
            123_456_789_012_345.67,
            9_007_199_254_740_992.0,
            9_007_199_254_740_993.0,
            9.223_372_036_854_776e18,
            1.844_674_407_370_955_2e19,
            1e20,
            1.5e300,
            f64::MAX,
            f64::MIN,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]),
    ]
}

fn scalar() -> impl Strategy<Value = Scalar<'static>> {
    prop_oneof![
        cow().prop_map(Scalar::Str),
        any::<i64>().prop_map(Scalar::Int),
        float().prop_map(Scalar::Float),
        any::<bool>().prop_map(Scalar::Bool),
    ]
}

/// Times of any year chrono holds, any offset, 0–9 fraction digits, with
/// and without an assumed offset.
fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        prop_oneof![
            -62_000_000_000_000i64..253_000_000_000_000,
            -8_000_000_000_000_000i64..8_000_000_000_000_000,
        ],
        0u32..1_000_000,
        prop_oneof![Just(0i32), Just(8 * 3600), -86_399i32..86_400],
        0u8..=9,
        any::<bool>(),
    )
        .prop_filter_map("in chrono's range", |(millis, sub, off, frac, assumed)| {
            let offset = FixedOffset::east_opt(off)?;
            let dt = DateTime::from_timestamp_millis(millis)?.with_timezone(&offset);
            let dt = dt.checked_add_signed(TimeDelta::nanoseconds(i64::from(sub)))?;
            Some(Timestamp::new(dt, frac, assumed))
        })
}

fn duration() -> impl Strategy<Value = Duration> {
    (
        prop_oneof![0u64..100_000, any::<u64>()],
        prop_oneof![Just(0u32), 0u32..1_000_000_000, Just(1), Just(500_000_000)],
    )
        .prop_map(|(s, n)| Duration::new(s, n))
}

fn notes() -> impl Strategy<Value = Notes> {
    any::<u64>().prop_map(|bits| {
        let mut n = Notes::EMPTY;
        for (i, note) in Note::ALL.iter().enumerate() {
            if bits & (1 << i) != 0 {
                n.insert(*note);
            }
        }
        n
    })
}

/// Attribute keys are this crate's own static names.
const KEYS: &[&str] = &[
    "tag",
    "raw_time",
    "Progress",
    "file_size",
    "error_code",
    "entry_type",
];

fn context() -> impl Strategy<Value = Context<'static>> {
    (
        prop::option::of(cow()),
        prop::option::of(cow()),
        prop::option::of(cow()),
        prop::option::of(cow()),
        prop::option::of(any::<u32>()),
        prop::option::of(any::<i64>()),
        prop::option::of(any::<u32>()),
    )
        .prop_map(|(job, step_id, step_name, host, pid, exit_code, attempt)| {
            let mut c = Context::default();
            c.job = job;
            c.step_id = step_id;
            c.step_name = step_name;
            c.host = host;
            c.pid = pid;
            c.exit_code = exit_code;
            c.attempt = attempt;
            c
        })
}

fn event() -> impl Strategy<Value = LogEvent<'static>> {
    let head = (
        prop::sample::select(Source::ALL.to_vec()),
        prop::sample::select(vec![EventKind::Line, EventKind::Phase, EventKind::Status]),
        any::<u64>(),
        cow(),
        prop::option::of(timestamp()),
        prop::option::of(prop::sample::select(Severity::ALL.to_vec())),
        prop::option::of(cow()),
        prop::option::of(prop::sample::select(Status::ALL.to_vec())),
    );
    let tail = (
        prop::option::of(scalar()),
        prop::option::of(any::<u8>()),
        prop::option::of(duration()),
        context(),
        notes(),
        prop::collection::vec((prop::sample::select(KEYS), scalar()), 0..4),
    );
    (head, tail).prop_map(
        |(
            (source, kind, seq, message, time, severity, severity_text, status),
            (vendor_status, progress, duration, ctx, notes, attrs),
        )| {
            let mut e = LogEvent::new(source, kind, seq, message);
            e.time = time;
            e.severity = severity;
            e.severity_text = severity_text;
            e.status = status;
            e.vendor_status = vendor_status;
            e.progress = progress;
            e.duration = duration;
            e.ctx = ctx;
            e.notes = notes;
            e.attrs = attrs;
            e
        },
    )
}

/// The writer's line, without its newline.
fn line(e: &LogEvent<'_>) -> String {
    let mut l = e.to_ndjson();
    assert_eq!(l.pop(), Some('\n'));
    l
}

/// JSON equality, numbers up to serde_json's parsing: without its
/// `float_roundtrip` feature it may read a float one ulp off, while
/// `to_value` keeps the exact `f64`.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_f64(), y.as_f64()) {
            _ if x == y => true,
            (Some(x), Some(y)) => x == y || ((x - y) / x).abs() < 1e-15,
            _ => false,
        },
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// The whole object, byte for byte.
    #[test]
    fn serialize_is_the_ndjson_line(e in event()) {
        prop_assert_eq!(serde_json::to_string(&e).unwrap(), line(&e));
    }

    /// Each part serializes as the line writes it, byte for byte.
    #[test]
    fn parts_serialize_as_in_the_line(e in event(), v in scalar(), t in timestamp()) {
        let l = line(&e);
        // `,"key":` is always structural: a quote inside a string is escaped.
        let at = |key: &str| l.find(&format!(",\"{key}\":"));
        let message = at("message").unwrap();
        let ctx_keys = ["job", "step_id", "step_name", "host", "pid", "exit_code", "attempt"];
        let ctx = match ctx_keys.iter().filter_map(|k| at(k)).min() {
            Some(start) => format!("{{{}}}", &l[start + 1..message]),
            None => "{}".to_owned(),
        };
        prop_assert_eq!(serde_json::to_string(&e.ctx).unwrap(), ctx);
        let notes = match at("notes") {
            Some(i) => {
                let from = i + ",\"notes\":".len();
                l[from..=from + l[from..].find(']').unwrap()].to_owned()
            }
            None => "[]".to_owned(),
        };
        prop_assert_eq!(serde_json::to_string(&e.notes).unwrap(), notes);
        if let (Some(t), Some(i)) = (e.time, at("time")) {
            let from = i + ",\"time\":".len();
            let to = from + 1 + l[from + 1..].find('"').unwrap();
            prop_assert_eq!(serde_json::to_string(&t).unwrap(), &l[from..=to]);
        }

        let mut with = LogEvent::new(Source::SwrJobLog, EventKind::Status, 0, Cow::Borrowed(""));
        with.vendor_status = Some(v.clone());
        with.time = Some(t);
        let w = line(&with);
        let from = w.find(",\"vendor_status\":").unwrap() + ",\"vendor_status\":".len();
        prop_assert_eq!(serde_json::to_string(&v).unwrap(), &w[from..w.rfind(",\"message\"").unwrap()]);
        let from = w.find(",\"time\":").unwrap() + ",\"time\":".len();
        let to = w.find(",\"time_assumed\"").or_else(|| w.find(",\"vendor_status\"")).unwrap();
        prop_assert_eq!(serde_json::to_string(&t).unwrap(), &w[from..to]);
    }

    /// `to_value` (the raw-value path through serde_json's `Value`) reads
    /// back as the line does.
    #[test]
    fn to_value_reads_as_the_line(e in event()) {
        // A float near f64::MAX, which the writer spells as 309 digits, is
        // out of range for serde_json's default (not correctly rounded)
        // number reader, in the line and through `to_value` alike.
        let whole: serde_json::Value = match serde_json::from_str(&line(&e)) {
            Ok(w) => w,
            Err(err) => {
                prop_assert!(err.to_string().starts_with("number out of range"), "{}", err);
                prop_assert!(serde_json::to_value(&e).is_err());
                return Ok(());
            }
        };
        let value = serde_json::to_value(&e).unwrap();
        prop_assert!(same(&value, &whole), "{} != {}", value, whole);
    }
}

#[test]
fn names_serialize_as_their_as_str() {
    for s in Status::ALL {
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            format!("\"{}\"", s.as_str())
        );
    }
    for s in Severity::ALL {
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            format!("\"{}\"", s.as_str())
        );
    }
    for k in [EventKind::Line, EventKind::Phase, EventKind::Status] {
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
    assert_eq!(
        serde_json::to_string(&Status::TimedOut).unwrap(),
        r#""timed_out""#
    );
    assert_eq!(serde_json::to_string(&Severity::Warn).unwrap(), r#""warn""#);
    assert_eq!(
        serde_json::to_string(&EventKind::Phase).unwrap(),
        r#""phase""#
    );
    assert_eq!(
        serde_json::to_string(&Status::Failed.outcome()).unwrap(),
        r#""failure""#
    );
}

/// Each case the writer spells otherwise than serde_json, one by one.
#[test]
fn where_serde_json_would_differ() {
    let cases: &[(Scalar<'_>, &str)] = &[
        (
            Scalar::Str("a\u{8}b\u{c}c\u{7f}".into()),
            r#""a\u0008b\u000cc\u007f""#,
        ),
        (Scalar::Str("tab\t\"q\"\\".into()), r#""tab\t\"q\"\\""#),
        (Scalar::Float(1.0), "1"),
        (Scalar::Float(-0.0), "-0"),
        (Scalar::Float(0.5), "0.5"),
        (Scalar::Float(1e-7), "0.0000001"),
        (Scalar::Float(1e16), "10000000000000000"),
        (Scalar::Float(1e20), "100000000000000000000"),
        (Scalar::Float(f64::NAN), "null"),
        (Scalar::Float(f64::INFINITY), "null"),
        (Scalar::Int(i64::MIN), "-9223372036854775808"),
        (Scalar::Bool(true), "true"),
    ];
    for (v, want) in cases {
        assert_eq!(serde_json::to_string(v).unwrap(), *want, "{v:?}");
    }
    let mut e = LogEvent::new(Source::BkjobLog, EventKind::Status, 1, Cow::Borrowed(""));
    e.duration = Some(Duration::new(18_446_744_073, 709_551_615));
    e.time = Some(Timestamp::new(
        DateTime::parse_from_rfc3339("2024-05-01T10:00:00.5+08:00").unwrap(),
        3,
        true,
    ));
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        concat!(
            r#"{"source":"bkjob-log","kind":"status","seq":1,"time":"2024-05-01T10:00:00.500+08:00","#,
            r#""time_assumed":true,"duration":18446744073.709551615,"message":""}"#
        )
    );
    assert_eq!(serde_json::to_string(&e).unwrap() + "\n", e.to_ndjson());
}

#[test]
fn step_spans_serialize_in_the_ndjson_style() {
    let log = "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行\n\
               [2023/12/21 15:44:20.000 GMT+08:00] [INFO] BUILD SUCCESS\n\
               [2023/12/21 15:44:21.297 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤执行完成\n\
               [2023/12/21 15:44:22.000 GMT+08:00] [INFO] [上传:up] : hello\n";
    let events =
        cilog::parse_owned_as(Source::CodeartsLog, log, &cilog::Options::default()).unwrap();
    let spans = cilog::step_spans(&events);
    assert_eq!(
        serde_json::to_string(&spans).unwrap(),
        concat!(
            r#"[{"step_id":"external_post_maven","step_name":"Maven构建","#,
            r#""start":"2023-12-21T15:44:18.793+08:00","end":"2023-12-21T15:44:21.297+08:00","#,
            r#""status":"succeeded","duration":2.504,"events":3},"#,
            r#"{"step_id":"up","step_name":"上传","start":"2023-12-21T15:44:22.000+08:00","#,
            r#""status":"unknown","events":1}]"#
        )
    );
    // A BlueKing step, then its hosts (`host` only on those).
    let payload = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/corpus/bkjob-log/generation-3x-hosts-reversed.json"
    ))
    .unwrap();
    let events =
        cilog::parse_owned_as(Source::BkjobLog, &payload, &cilog::Options::default()).unwrap();
    let spans: Vec<String> = cilog::step_spans(&events)
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    assert_eq!(
        spans,
        [
            concat!(
                r#"{"step_id":"31001","step_name":"deploy app","start":"2021-07-01T09:30:00+08:00","#,
                r#""end":"2021-07-01T09:30:02+08:00","status":"failed","duration":2,"events":9}"#
            ),
            concat!(
                r#"{"step_id":"31001","step_name":"deploy app","host":"10.0.0.2","#,
                r#""start":"2021-07-01T09:30:00+08:00","end":"2021-07-01T09:30:01+08:00","#,
                r#""status":"failed","duration":1,"events":4}"#
            ),
            concat!(
                r#"{"step_id":"31001","step_name":"deploy app","host":"10.0.0.1","#,
                r#""start":"2021-07-01T09:30:00+08:00","end":"2021-07-01T09:30:02+08:00","#,
                r#""status":"succeeded","duration":2,"events":4}"#
            ),
        ]
    );
}
