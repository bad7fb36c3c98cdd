//! Throughput per source, each with its baselines measured in the same run on
//! the same bytes (issue 6; STYLE habit 10).
//!
//! Groups: `codearts-log`, `codearts-realtime-log`, `swr-job-log`,
//! `bkjob-log`, `detect`, `ndjson` (the CLI's per-event work: parse,
//! redact, write the NDJSON line), `summary` (parse and summarize against
//! the plain parse, on the codearts-log text), `output` (the CLI's work in
//! each output format: NDJSON, OTLP, ECS, pretty) and `output-write-only`
//! (the writers alone, on events parsed beforehand). Inputs are generated
//! at start, deterministically
//! (SplitMix64, fixed seeds; `benches/support/workload.rs`), about
//! `CILOG_BENCH_MB` MB per source (default 64).
//!
//! Every case returns a [`Tally`] (items, a cross-check key, message bytes)
//! so nothing is optimised away; before timing, each case runs once and the
//! cases of a group that compute the same thing must agree on it.
//!
//! After criterion, two summaries are printed:
//! 1. per case, criterion's median (read back from
//!    `target/criterion/<group>/<case>/new/estimates.json`) as MB/s and
//!    items/s, and cilog's throughput ÷ each baseline's;
//! 2. paired rounds (`CILOG_BENCH_ROUNDS`, default 5; 0 skips): every case
//!    of a group run back to back in each round (twice, the second timed),
//!    the ratio taken per round, then the median — steadier on a noisy
//!    machine than ratios of medians taken minutes apart.
//!
//! ```sh
//! cargo bench --bench throughput -- --warm-up-time 2 --measurement-time 10 --noplot
//! ```

// Bench code is test code: panicking on a broken generator is the right thing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

#[path = "support/workload.rs"]
mod workload;

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use criterion::{Criterion, SamplingMode, Throughput};
use regex::Regex;

use cilog::codearts::Follower;
use cilog::output::ecs::{EcsOptions, EcsWriter};
use cilog::output::otlp::{OtlpOptions, OtlpWriter};
use cilog::output::pretty::PrettyWriter;
use cilog::summary::Summarizer;
use cilog::{EventKind, LogEvent, Options, Source, Status, detect, parse_as};

use workload::{SEED_BK, SEED_SWR, SEED_TEXT, TextOpts};

/// What a case computed: items (events, lines, entries), a key that cases
/// computing the same thing must agree on, and message bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    n: u64,
    key: u64,
    len: u64,
}

impl Tally {
    fn add_key(&mut self, v: u64) {
        self.key = self.key.wrapping_add(v);
    }
}

/// Unified status as a number, for the cross-check key.
fn status_code(s: Option<Status>) -> u64 {
    match s {
        None => 0,
        Some(Status::Pending) => 1,
        Some(Status::Running) => 2,
        Some(Status::Succeeded) => 3,
        Some(Status::Failed) => 4,
        Some(_) => 5,
    }
}

// ---------------------------------------------------------------------------
// cilog cases

/// CodeArts text: events, Σ unix millis of the timed ones, message bytes.
fn fold_text(t: &mut Tally, e: &LogEvent<'_>) {
    t.n += 1;
    if let Some(ts) = e.time {
        t.add_key(ts.unix_millis() as u64);
    }
    t.len += e.message.len() as u64;
}

fn cilog_text(text: &[u8], opts: &Options) -> Tally {
    let mut t = Tally::default();
    for e in parse_as(Source::CodeartsLog, text, opts).unwrap() {
        fold_text(&mut t, &e.unwrap());
    }
    t
}

/// `cilog summary`'s library work: the same events, each also read by a
/// [`Summarizer`], and the summaries made at the end. The tally is the
/// plain parse's (so the two cases must agree), plus nothing: the
/// summaries are kept from being optimised away with `black_box`.
fn cilog_summary(text: &[u8], opts: &Options) -> Tally {
    let mut t = Tally::default();
    let mut s = Summarizer::new("bench");
    for e in parse_as(Source::CodeartsLog, text, opts).unwrap() {
        // By reference: moving the event out of its `Result` copies it.
        let e = e.as_ref().unwrap();
        fold_text(&mut t, e);
        s.push(e);
    }
    black_box(s.finish());
    t
}

/// The CLI's streaming path: `Follower::feed_text` in 64 KiB chunks.
fn cilog_feed_text(text: &[u8], opts: &Options) -> Tally {
    let mut t = Tally::default();
    let mut f = Follower::new(opts.clone());
    for chunk in text.chunks(64 * 1024) {
        f.feed_text(chunk, |e| fold_text(&mut t, &e)).unwrap();
    }
    f.finish(|e| fold_text(&mut t, &e)).unwrap();
    t
}

fn cilog_pages(pages: &[String], opts: &Options) -> Tally {
    let mut t = Tally::default();
    let mut f = Follower::new(opts.clone());
    for p in pages {
        f.feed_page(p.as_bytes(), |e| fold_text(&mut t, &e))
            .unwrap();
    }
    f.finish(|e| fold_text(&mut t, &e)).unwrap();
    t
}

/// SWR: all events; key and bytes over entry events (status code, and for
/// entries also Σ unix millis and progress).
fn cilog_swr(docs: &[String], opts: &Options) -> Tally {
    let mut t = Tally::default();
    for d in docs {
        for e in parse_as(Source::SwrJobLog, d.as_bytes(), opts).unwrap() {
            let e = e.unwrap();
            t.n += 1;
            t.add_key(status_code(e.status));
            if e.kind != EventKind::Status {
                t.add_key(e.time.map_or(0, |ts| ts.unix_millis() as u64));
                t.add_key(u64::from(e.progress.unwrap_or(0)));
                t.len += e.message.len() as u64;
            }
        }
    }
    t
}

/// BlueKing: all events; key and bytes over line events (Σ unix millis of
/// prefixed lines, Σ pid).
fn cilog_bk(docs: &[String], opts: &Options) -> Tally {
    let mut t = Tally::default();
    for d in docs {
        for e in parse_as(Source::BkjobLog, d.as_bytes(), opts).unwrap() {
            let e = e.unwrap();
            t.n += 1;
            if e.kind != EventKind::Status {
                t.add_key(e.time.map_or(0, |ts| ts.unix_millis() as u64));
                t.add_key(u64::from(e.ctx.pid.unwrap_or(0)));
                t.len += e.message.len() as u64;
            }
        }
    }
    t
}

fn source_code(s: Option<Source>) -> u64 {
    match s {
        Some(Source::CodeartsLog) => 1,
        Some(Source::CodeartsRealtimeLog) => 2,
        Some(Source::SwrJobLog) => 3,
        Some(Source::BkjobLog) => 4,
        Some(_) => 5,
        None => 0,
    }
}

fn cilog_detect(heads: &[&[u8]]) -> Tally {
    let mut t = Tally::default();
    for h in heads {
        t.n += 1;
        t.add_key(source_code(detect(h)) << (8 * t.n));
        t.len += h.len() as u64;
    }
    t
}

// ---------------------------------------------------------------------------
// Baselines

/// The floor: a memchr line split yielding `&str` lines (the probe's
/// `LineIter`), over text already known to be UTF-8.
fn memchr_lines(text: &str) -> Tally {
    let b = text.as_bytes();
    let mut t = Tally::default();
    let mut start = 0;
    let line = |l: &str, t: &mut Tally| {
        t.n += 1;
        t.len += l.len() as u64;
        t.key ^= u64::from(l.as_bytes().first().copied().unwrap_or(0));
    };
    for nl in memchr::memchr_iter(b'\n', b) {
        line(&text[start..nl], &mut t);
        start = nl + 1;
    }
    if start < b.len() {
        line(&text[start..], &mut t);
    }
    t
}

/// The floor including UTF-8 validation of the bytes (which cilog does).
fn utf8_memchr_lines(bytes: &[u8]) -> Tally {
    memchr_lines(std::str::from_utf8(bytes).unwrap())
}

/// The issue's "hand-written byte parser to events" probe: UTF-8 check,
/// memchr split, the `[yyyy/MM/dd HH:mm:ss.SSS GMT+hh:mm]` prefix at fixed
/// positions, level, step tag and message into a 48-byte event. No cleaning,
/// no step state, no notes, no fallback grammar: the ceiling of the approach,
/// not a parser anyone should ship.
#[derive(Clone, Copy)]
struct ProbeEvent<'a> {
    ms: i64,
    level: u8,
    step: &'a str,
    msg: &'a str,
}

fn two_digits(b: &[u8], i: usize) -> Option<i64> {
    let x = b.get(i)?.wrapping_sub(b'0');
    let y = b.get(i + 1)?.wrapping_sub(b'0');
    (x < 10 && y < 10).then(|| i64::from(x) * 10 + i64::from(y))
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn probe_line(line: &str) -> ProbeEvent<'_> {
    let b = line.as_bytes();
    let mut e = ProbeEvent {
        ms: 0,
        level: 0,
        step: "",
        msg: line,
    };
    if b.len() < 36 || b[0] != b'[' || b[34] != b']' || !matches!(b[28], b'+' | b'-') {
        return e;
    }
    let (
        Some(c),
        Some(y),
        Some(mo),
        Some(d),
        Some(h),
        Some(mi),
        Some(s),
        Some(ms),
        Some(oh),
        Some(om),
    ) = (
        two_digits(b, 1),
        two_digits(b, 3),
        two_digits(b, 6),
        two_digits(b, 9),
        two_digits(b, 12),
        two_digits(b, 15),
        two_digits(b, 18),
        two_digits(b, 21),
        two_digits(b, 29),
        two_digits(b, 32),
    )
    else {
        return e;
    };
    let ms3 = b[23].wrapping_sub(b'0');
    if ms3 > 9 || !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return e;
    }
    let off = (oh * 60 + om) * if b[28] == b'-' { -1 } else { 1 };
    let days = days_from_civil(c * 100 + y, mo, d);
    e.ms = ((days * 24 + h) * 60 + mi - off) * 60_000 + s * 1000 + ms * 10 + i64::from(ms3);
    let mut i = 36;
    if b.get(i) == Some(&b'[')
        && let Some(end) = memchr::memchr(b']', &b[i..])
    {
        e.level = b[i + 1];
        i += end + 1;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    if b.get(i) == Some(&b'[')
        && let Some(end) = memchr::memchr(b']', &b[i..])
    {
        e.step = &line[i + 1..i + end];
        i += end + 1;
    }
    if b.get(i..i + 3) == Some(b" : ") {
        i += 3;
    }
    e.msg = line.get(i..).unwrap_or(line);
    e
}

fn probe_parser(bytes: &[u8]) -> Tally {
    let text = std::str::from_utf8(bytes).unwrap();
    let mut t = Tally::default();
    let mut start = 0;
    let one = |l: &str, t: &mut Tally| {
        let e = black_box(probe_line(l));
        t.n += 1;
        t.add_key(e.ms as u64);
        t.len += (e.msg.len() + e.step.len() + usize::from(e.level)) as u64;
    };
    for nl in memchr::memchr_iter(b'\n', bytes) {
        one(&text[start..nl], &mut t);
        start = nl + 1;
    }
    if start < bytes.len() {
        one(&text[start..], &mut t);
    }
    t
}

/// What a grok / Logstash-style user writes: one regex with captures per
/// line, the time through chrono's format-string parser.
struct Grok {
    re: Regex,
}

const GROK_TIME: &str = "%Y/%m/%d %H:%M:%S%.3f GMT%:z";

impl Grok {
    fn new() -> Grok {
        let re = Regex::new(
            r"^\[(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\.\d{3} GMT[+-]\d{2}:\d{2})\] (?:\[((?i)INFO|WARNING|WARN|ERROR|DEBUG|FATAL|TRACE)\] (?:\[([^\]]*):([^:\]]*)\] : | : )?)?(.*)$",
        )
        .unwrap();
        Grok { re }
    }

    fn run(&self, text: &str) -> Tally {
        let mut t = Tally::default();
        let b = text.as_bytes();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', b) {
            self.line(&text[start..nl], &mut t);
            start = nl + 1;
        }
        if start < b.len() {
            self.line(&text[start..], &mut t);
        }
        t
    }

    fn line(&self, line: &str, t: &mut Tally) {
        t.n += 1;
        match self.re.captures(line) {
            Some(c) => {
                let stamp = c.get(1).unwrap().as_str();
                if let Ok(dt) = DateTime::parse_from_str(stamp, GROK_TIME) {
                    t.add_key(dt.timestamp_millis() as u64);
                }
                let _level = c.get(2).map(|m| m.as_str());
                let _step = c.get(3).zip(c.get(4));
                t.len += c.get(5).map_or(0, |m| m.len()) as u64;
            }
            None => t.len += line.len() as u64,
        }
    }
}

/// SWR state → unified status, as a user's table would map it.
fn swr_state(s: Option<&str>) -> u64 {
    let Some(s) = s else { return 0 };
    let s = s.trim();
    let st = if s.eq_ignore_ascii_case("waiting") || s.eq_ignore_ascii_case("pulling") {
        Status::Pending
    } else if s.eq_ignore_ascii_case("building") || s.eq_ignore_ascii_case("running") {
        Status::Running
    } else if s.eq_ignore_ascii_case("successful") || s.eq_ignore_ascii_case("success") {
        Status::Succeeded
    } else if s.eq_ignore_ascii_case("failed") {
        Status::Failed
    } else {
        Status::Unknown
    };
    status_code(Some(st))
}

/// `serde_json::Value` for the document and for every inner `content`; each
/// entry's `Time` through `DateTime::parse_from_rfc3339`, `State` mapped.
fn value_swr(docs: &[String]) -> Tally {
    let mut t = Tally::default();
    for d in docs {
        let v: serde_json::Value = serde_json::from_str(d).unwrap();
        t.n += 1;
        t.add_key(swr_state(v["state"].as_str()));
        for b in v["log"].as_array().unwrap() {
            let Some(content) = b["content"].as_str() else {
                continue;
            };
            let inner: serde_json::Value = serde_json::from_str(content).unwrap();
            for e in inner.as_array().unwrap() {
                t.n += 1;
                t.add_key(swr_state(e["State"].as_str()));
                if let Some(Ok(time)) = e["Time"].as_str().map(DateTime::parse_from_rfc3339) {
                    t.add_key(time.timestamp_millis() as u64);
                }
                t.add_key(e["Progress"].as_u64().unwrap_or(0));
                t.len += e["Message"].as_str().map_or(0, str::len) as u64;
            }
        }
    }
    t
}

/// Decodes the entities bk-job 3.x writes (and the two common others).
fn html_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (c, n) = if rest.starts_with("&lt;") {
            ('<', 4)
        } else if rest.starts_with("&gt;") {
            ('>', 4)
        } else if rest.starts_with("&amp;") {
            ('&', 5)
        } else if rest.starts_with("&quot;") {
            ('"', 6)
        } else if rest.starts_with("&#39;") {
            ('\'', 5)
        } else {
            ('&', 1)
        };
        out.push(c);
        rest = &rest[n..];
    }
    out.push_str(rest);
    out
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// `[yyyy-MM-dd HH:mm:ss][PID:n] ` at fixed positions, the time built with
/// chrono's constructors (+08:00 assumed): (unix millis, pid, body start).
fn bk_prefix(line: &str, cst: FixedOffset) -> Option<(i64, u32, usize)> {
    let b = line.as_bytes();
    if b.len() < 21 || b[0] != b'[' || b[20] != b']' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&b[1..5])? as i32,
        digits(&b[6..8])?,
        digits(&b[9..11])?,
    )?;
    let dt = date.and_hms_opt(
        digits(&b[12..14])?,
        digits(&b[15..17])?,
        digits(&b[18..20])?,
    )?;
    let ms = cst.from_local_datetime(&dt).single()?.timestamp_millis();
    let mut body = 21;
    let mut pid = 0;
    if b[21..].starts_with(b"[PID:") {
        let end = 26 + memchr::memchr(b']', &b[26..])?;
        pid = digits(&b[26..end])?;
        body = end + 1;
    }
    if b.get(body) == Some(&b' ') {
        body += 1;
    }
    Some((ms, pid, body))
}

/// `serde_json::Value` for the document; each `log_content` split into lines
/// with memchr, HTML-unescaped where it holds `&`, the `[date][PID]` prefix
/// read at fixed positions.
fn value_bk(docs: &[String]) -> Tally {
    let cst = FixedOffset::east_opt(8 * 3600).unwrap();
    let mut t = Tally::default();
    for d in docs {
        let v: serde_json::Value = serde_json::from_str(d).unwrap();
        for step in v["data"].as_array().unwrap() {
            t.n += 1;
            let Some(groups) = step["step_results"].as_array() else {
                continue;
            };
            for g in groups {
                for host in g["ip_logs"].as_array().unwrap() {
                    t.n += 1;
                    let content = host["log_content"].as_str().unwrap_or("");
                    let b = content.as_bytes();
                    let mut start = 0;
                    let line = |l: &str, t: &mut Tally| {
                        let l = l.strip_suffix('\r').unwrap_or(l);
                        let l: Cow<'_, str> = if memchr::memchr(b'&', l.as_bytes()).is_some() {
                            Cow::Owned(html_unescape(l))
                        } else {
                            Cow::Borrowed(l)
                        };
                        t.n += 1;
                        let mut body = 0;
                        if let Some((ms, pid, at)) = bk_prefix(&l, cst) {
                            t.add_key(ms as u64);
                            t.add_key(u64::from(pid));
                            body = at;
                        }
                        t.len += (l.len() - body) as u64;
                    };
                    for nl in memchr::memchr_iter(b'\n', b) {
                        line(&content[start..nl], &mut t);
                        start = nl + 1;
                    }
                    if start < b.len() {
                        line(&content[start..], &mut t);
                    }
                }
            }
        }
    }
    t
}

/// Real-time pages the way a user would: each page to `serde_json::Value`,
/// the content split into lines with memchr, a line cut by a page boundary
/// stitched in a `String`.
fn value_pages(pages: &[String]) -> Tally {
    let mut t = Tally::default();
    let mut partial = String::new();
    let line = |l: &str, t: &mut Tally| {
        t.n += 1;
        t.len += l.len() as u64;
    };
    for p in pages {
        let v: serde_json::Value = serde_json::from_str(p).unwrap();
        let content = v["result"]["content"].as_str().unwrap_or("");
        let mut rest = content;
        if !partial.is_empty() {
            match memchr::memchr(b'\n', rest.as_bytes()) {
                Some(nl) => {
                    partial.push_str(&rest[..nl]);
                    line(&partial, &mut t);
                    partial.clear();
                    rest = &rest[nl + 1..];
                }
                None => {
                    partial.push_str(rest);
                    continue;
                }
            }
        }
        let b = rest.as_bytes();
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', b) {
            line(&rest[start..nl], &mut t);
            start = nl + 1;
        }
        partial.push_str(&rest[start..]);
    }
    if !partial.is_empty() {
        line(&partial, &mut t);
    }
    t
}

/// What the CLI does with each event of a text log: parse, (mask secrets,)
/// write its NDJSON line; events, Σ unix millis, output bytes.
fn cilog_ndjson(text: &[u8], opts: &Options) -> Tally {
    let mut t = Tally::default();
    let mut line = String::with_capacity(1024);
    for e in parse_as(Source::CodeartsLog, text, opts).unwrap() {
        let e = e.unwrap();
        line.clear();
        e.write_ndjson_to(&mut line);
        t.n += 1;
        if let Some(ts) = e.time {
            t.add_key(ts.unix_millis() as u64);
        }
        t.len += black_box(&line).len() as u64;
    }
    t
}

/// One output format's writer, fed event by event as the CLI would.
#[derive(Clone, Copy)]
enum Format {
    Ndjson,
    Otlp,
    Ecs,
    Pretty,
}

/// The fixed clock of the OTLP and ECS writers.
fn bench_clock() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + Duration::from_secs(1_768_435_200)
}

/// Writes `events` in `format`, output handed on per 64 KiB as a CLI
/// would write it; events, Σ unix millis, output bytes.
fn write_events<'e, E: std::borrow::Borrow<LogEvent<'e>>>(
    format: Format,
    events: impl Iterator<Item = E>,
) -> Tally {
    let mut t = Tally::default();
    let mut out = String::with_capacity(1 << 20);
    let mut otlp = OtlpWriter::new(OtlpOptions::new(bench_clock()));
    let mut ecs = EcsWriter::new(EcsOptions::new(bench_clock()));
    let mut pretty = PrettyWriter::new(false);
    for e in events {
        let e = e.borrow();
        match format {
            Format::Ndjson => e.write_ndjson_to(&mut out),
            Format::Otlp => otlp.push(e, "bench.log", &mut out),
            Format::Ecs => ecs.push(e, "bench.log", &mut out),
            Format::Pretty => pretty.push(e, "bench.log", &mut out),
        }
        t.n += 1;
        if let Some(ts) = e.time {
            t.add_key(ts.unix_millis() as u64);
        }
        if out.len() >= 64 << 10 {
            t.len += black_box(&out).len() as u64;
            out.clear();
        }
    }
    otlp.finish(&mut out);
    t.len += black_box(&out).len() as u64;
    t
}

/// The CLI's work per output format: parse, mask secrets, write.
fn cilog_format(text: &[u8], opts: &Options, format: Format) -> Tally {
    let events = parse_as(Source::CodeartsLog, text, opts)
        .unwrap()
        .map(Result::unwrap);
    write_events(format, events)
}

/// The writer alone, on events parsed beforehand.
fn write_only(events: &[LogEvent<'_>], format: Format) -> Tally {
    write_events(format, events.iter())
}

/// The NDJSON a user writes with serde: a derived struct of the same fields,
/// the time through chrono's RFC 3339 writer.
#[derive(serde::Serialize)]
struct SerdeEvent<'a> {
    source: &'static str,
    kind: &'static str,
    seq: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_assumed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    step_name: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<&'static str>,
}

fn serde_ndjson(text: &[u8], opts: &Options) -> Tally {
    let mut t = Tally::default();
    let mut line = Vec::with_capacity(1024);
    for e in parse_as(Source::CodeartsLog, text, opts).unwrap() {
        let e = e.unwrap();
        let out = SerdeEvent {
            source: e.source.as_str(),
            kind: e.kind.as_str(),
            seq: e.seq,
            time: e.time.map(|ts| {
                ts.datetime()
                    .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            }),
            time_assumed: e.time.and_then(|ts| ts.assumed().then_some(true)),
            severity: e.severity.map(|s| s.as_str()),
            severity_text: e.severity_text.as_deref(),
            status: e.status.map(|s| s.as_str()),
            step_id: e.ctx.step_id.as_deref(),
            step_name: e.ctx.step_name.as_deref(),
            message: &e.message,
            notes: e.notes.iter().map(|n| n.code()).collect(),
        };
        line.clear();
        serde_json::to_writer(&mut line, &out).unwrap();
        line.push(b'\n');
        t.n += 1;
        if let Some(ts) = e.time {
            t.add_key(ts.unix_millis() as u64);
        }
        t.len += black_box(&line).len() as u64;
    }
    t
}

/// A naive detector: look for one distinctive key per source with memmem.
fn memmem_detect(heads: &[&[u8]]) -> Tally {
    let mut t = Tally::default();
    for h in heads {
        t.n += 1;
        let find = |k: &str| memchr::memmem::find(h, k.as_bytes()).is_some();
        let s = if find("\"has_more_data\"") {
            Some(Source::CodeartsRealtimeLog)
        } else if find("\"log_num\"") {
            Some(Source::SwrJobLog)
        } else if find("\"ip_logs\"") {
            Some(Source::BkjobLog)
        } else if h.first() == Some(&b'[') && h.get(5) == Some(&b'/') {
            Some(Source::CodeartsLog)
        } else {
            None
        };
        t.add_key(source_code(s) << (8 * t.n));
        t.len += h.len() as u64;
    }
    t
}

// ---------------------------------------------------------------------------
// Harness

type Run<'d> = Box<dyn Fn() -> Tally + 'd>;

struct Case<'d> {
    name: &'static str,
    /// What its items are.
    unit: &'static str,
    run: Run<'d>,
    tally: Tally,
}

struct Group<'d> {
    name: &'static str,
    bytes: u64,
    what: String,
    cases: Vec<Case<'d>>,
    /// Pairs of case indexes that must agree on (items, key[, bytes]).
    agree: Vec<(usize, usize, bool)>,
}

fn case<'d>(name: &'static str, unit: &'static str, run: impl Fn() -> Tally + 'd) -> Case<'d> {
    Case {
        name,
        unit,
        run: Box::new(run),
        tally: Tally::default(),
    }
}

struct Data {
    text: String,
    pages: Vec<String>,
    swr: Vec<String>,
    swr_entries: usize,
    bk: Vec<String>,
    bk_counts: (usize, usize, usize),
}

fn size_mb(test_mode: bool) -> usize {
    if test_mode {
        return 1;
    }
    std::env::var("CILOG_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn generate(size: usize) -> Data {
    let t0 = Instant::now();
    let text = workload::codearts_text(size, SEED_TEXT, TextOpts { ansi: true });
    let pages = workload::realtime_pages(&text, 1 << 20);
    let (swr, swr_entries) = workload::swr_docs(size, SEED_SWR);
    let (bk, bk_counts) = workload::bk_docs(size, SEED_BK);
    eprintln!(
        "generated in {:.1} s: CodeArts text {:.1} MB ({} pages, {:.1} MB), SWR {} documents {:.1} MB, BlueKing {} documents {:.1} MB",
        t0.elapsed().as_secs_f64(),
        mb(text.len() as u64),
        pages.len(),
        mb(pages.iter().map(|p| p.len() as u64).sum()),
        swr.len(),
        mb(swr.iter().map(|d| d.len() as u64).sum()),
        bk.len(),
        mb(bk.iter().map(|d| d.len() as u64).sum()),
    );
    Data {
        text,
        pages,
        swr,
        swr_entries,
        bk,
        bk_counts,
    }
}

fn groups<'d>(
    d: &'d Data,
    opts: &'d Options,
    redact: &'d Options,
    grok: &'d Grok,
    heads: &'d [&'d [u8]],
    parsed: &'d [LogEvent<'d>],
) -> Vec<Group<'d>> {
    let text = d.text.as_str();
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
    let long = text.split('\n').filter(|l| l.len() > 2000).count();
    let total = |v: &[String]| v.iter().map(|s| s.len() as u64).sum::<u64>();
    vec![
        Group {
            name: "codearts-log",
            bytes: text.len() as u64,
            what: format!(
                "one task-log text, {lines} lines (avg {:.0} B, {long} over 2 KB)",
                text.len() as f64 / lines as f64
            ),
            cases: vec![
                case("cilog", "events", || cilog_text(text.as_bytes(), opts)),
                case("cilog-feed_text-64KiB", "events", || {
                    cilog_feed_text(text.as_bytes(), opts)
                }),
                case("baseline-memchr-lines", "lines", || memchr_lines(text)),
                case("baseline-utf8+memchr-lines", "lines", || {
                    utf8_memchr_lines(text.as_bytes())
                }),
                case("baseline-regex+chrono", "lines", || grok.run(text)),
                case("probe-hand-parser", "lines", || {
                    probe_parser(text.as_bytes())
                }),
            ],
            agree: vec![(0, 1, true), (0, 4, false), (0, 5, false)],
        },
        Group {
            name: "codearts-realtime-log",
            bytes: total(&d.pages),
            what: format!("the same log as {} real-time pages of ~1 MB", d.pages.len()),
            cases: vec![
                case("cilog", "events", || cilog_pages(&d.pages, opts)),
                case("baseline-serde_json-Value+memchr-lines", "lines", || {
                    value_pages(&d.pages)
                }),
            ],
            agree: vec![],
        },
        Group {
            name: "swr-job-log",
            bytes: total(&d.swr),
            what: format!(
                "{} documents of 20 batches, {} entries, parsed one after another",
                d.swr.len(),
                d.swr_entries
            ),
            cases: vec![
                case("cilog", "events", || cilog_swr(&d.swr, opts)),
                case("baseline-serde_json-Value", "entries", || value_swr(&d.swr)),
            ],
            agree: vec![(0, 1, true)],
        },
        Group {
            name: "bkjob-log",
            bytes: total(&d.bk),
            what: format!(
                "{} documents, {} steps, {} hosts, {} lines, parsed one after another",
                d.bk.len(),
                d.bk_counts.0,
                d.bk_counts.1,
                d.bk_counts.2
            ),
            cases: vec![
                case("cilog", "events", || cilog_bk(&d.bk, opts)),
                case("baseline-serde_json-Value+lines", "events", || {
                    value_bk(&d.bk)
                }),
            ],
            agree: vec![(0, 1, true)],
        },
        Group {
            name: "detect",
            bytes: heads.iter().map(|h| h.len() as u64).sum(),
            what: format!(
                "the first 64 KiB of {} payloads (text, page, SWR, BlueKing)",
                heads.len()
            ),
            cases: vec![
                case("cilog", "payloads", || cilog_detect(heads)),
                case("baseline-memmem-keys", "payloads", || memmem_detect(heads)),
            ],
            agree: vec![(0, 1, true)],
        },
        Group {
            name: "ndjson",
            bytes: text.len() as u64,
            what: "the codearts-log text parsed and written as NDJSON lines (the CLI's work)"
                .to_owned(),
            cases: vec![
                case("cilog", "events", || {
                    cilog_ndjson(text.as_bytes(), &opts.clone().with_redact(true))
                }),
                case("cilog-no-redact", "events", || {
                    cilog_ndjson(text.as_bytes(), opts)
                }),
                case("baseline-serde_json-derive", "events", || {
                    serde_ndjson(text.as_bytes(), opts)
                }),
            ],
            agree: vec![(0, 1, false), (0, 2, false)],
        },
        Group {
            name: "summary",
            bytes: text.len() as u64,
            what: "the codearts-log text parsed and summarized (`Summarizer::push` per event), \
                   against the plain parse"
                .to_owned(),
            cases: vec![
                case("cilog-summary", "events", || {
                    cilog_summary(text.as_bytes(), opts)
                }),
                case("cilog-parse", "events", || {
                    cilog_text(text.as_bytes(), opts)
                }),
            ],
            agree: vec![(0, 1, true)],
        },
        Group {
            name: "output",
            bytes: text.len() as u64,
            what: "the codearts-log text parsed, redacted and written in each output format (the CLI's work); ratio = the format's time ÷ NDJSON's".to_owned(),
            cases: vec![
                case("ndjson", "events", || {
                    cilog_format(text.as_bytes(), redact, Format::Ndjson)
                }),
                case("otlp", "events", || {
                    cilog_format(text.as_bytes(), redact, Format::Otlp)
                }),
                case("ecs", "events", || {
                    cilog_format(text.as_bytes(), redact, Format::Ecs)
                }),
                case("pretty", "events", || {
                    cilog_format(text.as_bytes(), redact, Format::Pretty)
                }),
            ],
            agree: vec![(0, 1, false), (0, 2, false), (0, 3, false)],
        },
        Group {
            name: "output-write-only",
            bytes: text.len() as u64,
            what: format!(
                "the writers alone, on the {} events of the codearts-log text parsed beforehand (borrowed); ratio = the format's time ÷ NDJSON's",
                parsed.len()
            ),
            cases: vec![
                case("ndjson", "events", || write_only(parsed, Format::Ndjson)),
                case("otlp", "events", || write_only(parsed, Format::Otlp)),
                case("ecs", "events", || write_only(parsed, Format::Ecs)),
                case("pretty", "events", || write_only(parsed, Format::Pretty)),
            ],
            agree: vec![(0, 1, false), (0, 2, false), (0, 3, false)],
        },
    ]
}

/// Runs every case once and checks that the cases agree where they must.
fn verify(groups: &mut [Group<'_>], d: &Data) {
    for g in groups.iter_mut() {
        for c in &mut g.cases {
            c.tally = (c.run)();
        }
        println!("{}: {:.1} MB, {}", g.name, mb(g.bytes), g.what);
        for c in &g.cases {
            println!(
                "  {:<40} {:>10} {:<8} key {:>20} message bytes {:>12}",
                c.name, c.tally.n, c.unit, c.tally.key, c.tally.len
            );
        }
        for &(a, b, bytes) in &g.agree {
            let (x, y) = (g.cases[a].tally, g.cases[b].tally);
            assert_eq!(
                (x.n, x.key),
                (y.n, y.key),
                "{}: {} and {} disagree",
                g.name,
                g.cases[a].name,
                g.cases[b].name
            );
            if bytes {
                assert_eq!(x.len, y.len, "{}: message bytes differ", g.name);
            }
        }
    }
    // The pages are the text: same events, same keys, same messages.
    assert_eq!(groups[0].cases[0].tally, groups[1].cases[0].tally);
    assert_eq!(groups[1].cases[0].tally.n, groups[1].cases[1].tally.n);
    assert_eq!(groups[0].cases[0].tally.n, groups[0].cases[2].tally.n);
    let (s, h, l) = d.bk_counts;
    assert_eq!(groups[3].cases[0].tally.n as usize, s + h + l);
    assert_eq!(
        groups[2].cases[1].tally.n as usize,
        d.swr.len() + d.swr_entries
    );
    assert_eq!(
        groups[4].cases[0].tally.key,
        (1 << 8) | (2 << 16) | (3 << 24) | (4 << 32)
    );
    println!("all cases agree\n");
}

/// Cases whose criterion closure ran in this process.
static RAN: Mutex<BTreeSet<(String, String)>> = Mutex::new(BTreeSet::new());

fn bench(c: &mut Criterion, groups: &[Group<'_>]) {
    for g in groups {
        let mut cg = c.benchmark_group(g.name);
        cg.throughput(Throughput::Bytes(g.bytes));
        cg.sample_size(10);
        cg.sampling_mode(SamplingMode::Flat);
        for case in &g.cases {
            cg.bench_function(case.name, |b| {
                RAN.lock()
                    .unwrap()
                    .insert((g.name.to_owned(), case.name.to_owned()));
                b.iter(|| black_box((case.run)()));
            });
        }
        cg.finish();
    }
}

fn criterion_dir() -> std::path::PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Criterion's median time per iteration of one case, in seconds.
fn criterion_median(group: &str, case: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(case)
        .join("new")
        .join("estimates.json");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    Some(v["median"]["point_estimate"].as_f64()? / 1e9)
}

fn fmt_rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2} M", per_s / 1e6)
    } else {
        format!("{:.1} k", per_s / 1e3)
    }
}

fn summary_criterion(groups: &[Group<'_>]) {
    let ran = RAN.lock().unwrap().clone();
    println!("\n## Criterion medians (ratio = cilog throughput ÷ the case's)\n");
    println!("| group | case | median | MB/s | items/s | cilog ÷ case |");
    println!("|---|---|---:|---:|---:|---:|");
    for g in groups {
        let Some(base) = criterion_median(g.name, g.cases[0].name) else {
            continue;
        };
        for c in &g.cases {
            if !ran.contains(&(g.name.to_owned(), c.name.to_owned())) {
                continue;
            }
            let Some(t) = criterion_median(g.name, c.name) else {
                continue;
            };
            println!(
                "| {} | {} | {:.2} ms | {:.0} | {}{} | {:.2} |",
                g.name,
                c.name,
                t * 1e3,
                mb(g.bytes) / t,
                fmt_rate(c.tally.n as f64 / t),
                c.unit,
                t / base
            );
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Interleaved rounds: per round, each case twice back to back, the second
/// timed (short cases repeated to ≥ 20 ms); ratios per round, then medians.
fn summary_paired(groups: &[Group<'_>], rounds: usize) {
    let ran = RAN.lock().unwrap().clone();
    println!(
        "\n## Paired rounds ({rounds} rounds; ratio = cilog throughput ÷ the case's, median of per-round ratios, min..max)\n"
    );
    println!("| group | case | median | MB/s | items/s | cilog ÷ case | min..max |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for g in groups {
        if !ran.contains(&(g.name.to_owned(), g.cases[0].name.to_owned())) {
            continue;
        }
        let reps: Vec<u32> = g
            .cases
            .iter()
            .map(|c| {
                let t0 = Instant::now();
                black_box((c.run)());
                let once = t0.elapsed().max(Duration::from_micros(1));
                (Duration::from_millis(20).as_secs_f64() / once.as_secs_f64())
                    .ceil()
                    .max(1.0) as u32
            })
            .collect();
        let mut times = vec![Vec::new(); g.cases.len()];
        for _ in 0..rounds {
            for (i, c) in g.cases.iter().enumerate() {
                for _ in 0..reps[i] {
                    black_box((c.run)());
                }
                let t0 = Instant::now();
                for _ in 0..reps[i] {
                    black_box((c.run)());
                }
                times[i].push(t0.elapsed().as_secs_f64() / f64::from(reps[i]));
            }
        }
        for (i, c) in g.cases.iter().enumerate() {
            let mut ratios: Vec<f64> = times[i]
                .iter()
                .zip(&times[0])
                .map(|(t, base)| t / base)
                .collect();
            let (lo, hi) = ratios
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            let t = median(&mut times[i].clone());
            println!(
                "| {} | {} | {:.2} ms | {:.0} | {}{} | {:.2} | {:.2}..{:.2} |",
                g.name,
                c.name,
                t * 1e3,
                mb(g.bytes) / t,
                fmt_rate(c.tally.n as f64 / t),
                c.unit,
                median(&mut ratios),
                lo,
                hi
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test" || a == "--list");
    let data = generate(size_mb(quick) << 20);
    let opts = Options::default();
    let grok = Grok::new();
    let window = |b: &'_ [u8]| -> usize { b.len().min(64 * 1024) };
    let heads: Vec<&[u8]> = vec![
        &data.text.as_bytes()[..window(data.text.as_bytes())],
        &data.pages[0].as_bytes()[..window(data.pages[0].as_bytes())],
        &data.swr[0].as_bytes()[..window(data.swr[0].as_bytes())],
        &data.bk[0].as_bytes()[..window(data.bk[0].as_bytes())],
    ];
    let redact = opts.clone().with_redact(true);
    let parsed: Vec<LogEvent<'_>> = parse_as(Source::CodeartsLog, data.text.as_bytes(), &redact)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut groups = groups(&data, &opts, &redact, &grok, &heads, &parsed);
    if !args.iter().any(|a| a == "--list") {
        verify(&mut groups, &data);
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &groups);
    c.final_summary();
    if quick {
        return;
    }
    summary_criterion(&groups);
    let rounds = std::env::var("CILOG_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize);
    if rounds > 0 {
        summary_paired(&groups, rounds);
    }
}
