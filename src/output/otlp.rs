//! OTLP/JSON: events as OpenTelemetry `ExportLogsServiceRequest`s, one
//! request per line (the file format of the Collector's `otlpjsonfile`
//! receiver, and the body of an OTLP/HTTP `POST /v1/logs`).
//!
//! # Layout
//!
//! Each line is one request holding one `resourceLogs` (one run) with one
//! `scopeLogs` (scope `{"name":"cilog","version":…}`) and its records in
//! `seq` order; `schemaUrl` is `https://opentelemetry.io/schemas/1.44.0`.
//! A line is written when the run changes, when the next record would take
//! the request past its size limit ([`OtlpOptions::with_max_request_bytes`];
//! 512 KiB unless set; never more than 1 MiB, the receiver's default
//! `max_log_size`), and at [`OtlpWriter::finish`]. A run is then split over several lines, each with
//! the run's resource.
//!
//! **Runs.** A run is the events of one input with the same source and job
//! (`job`). An event with no job belongs to the run open in its input: the
//! lines of a CodeArts log before its `onStarted: j_… #N` line and the lines
//! after it are one run, which takes the job when it first appears. An event
//! with another job, another source or another input starts a new run. The
//! attempt (`ctx.attempt`) is per record, not per run: the sources read
//! here give it per step or per host (BlueKing's `retry_count`,
//! `execute_count`), never for a whole job.
//!
//! # Mapping
//!
//! Resource attributes: `service.name` and `cilog.source` (the source
//! name), `cilog.input` (the input name), `cicd.pipeline.name` (the job),
//! `cicd.pipeline.run.id` (the event attribute `build_no` once one was
//! seen in the run, else the job).
//!
//! | event | record |
//! |---|---|
//! | `time` | `timeUnixNano`; an [assumed](crate::Timestamp::assumed) time goes in `observedTimeUnixNano` instead, with `cilog.time_assumed` true |
//! | (the clock) | `observedTimeUnixNano`: [`OtlpOptions::new`]'s time |
//! | `severity`, `severity_text` | `severityNumber` (1, 5, 9, 13, 17, 21; omitted when unknown), `severityText` (the token as written, else the short name in capitals) |
//! | `message` | `body.stringValue` |
//! | `kind` | `eventName` `cilog.phase` / `cilog.status`; none for lines |
//! | `step_id`, `step_name` | `cicd.pipeline.task.run.id`, `cicd.pipeline.task.name` |
//! | `status` of a phase or status event with a step | `cicd.pipeline.task.run.result` |
//! | `status` of a phase or status event with no step and no host (the job's) | `cicd.pipeline.result`; `pending` / `running` as `cicd.pipeline.run.state` `pending` / `executing` |
//! | `status`, `vendor_status` | `cilog.status`, `cilog.vendor_status` |
//! | `host`, `pid`, `exit_code` | `host.name`, `process.pid`, `process.exit.code` |
//! | `seq`, `attempt` | `cilog.seq`, `cilog.attempt` |
//! | | `log.record.uid`: `source:run:attempt:seq` (below) |
//! | `progress`, `duration`, `notes`, `attrs.k` | `cilog.progress`, `cilog.duration` (seconds), `cilog.notes` (array), `cilog.attr.k` |
//!
//! Results: `succeeded` → `success`, `failed` and `ignored` → `failure`,
//! `timed_out` → `timeout`, `cancelled` → `cancellation`, `skipped` →
//! `skip`, `error` → `error`; other statuses have none.
//!
//! `log.record.uid` is the same for the same input converted twice, so a
//! consumer can drop records delivered twice: `run` is the job (with
//! `#build_no` when known), or the input name while the run has no job;
//! `attempt` is empty when the event has none.
//!
//! # Encoding
//!
//! Keys are lowerCamelCase, 64-bit integers (`timeUnixNano`, `intValue`)
//! decimal strings, `severityNumber` an integer; absent values are left
//! out. A record that alone would not fit in a request is cut: each string
//! in it (the message first) is shortened to fit, at a character boundary,
//! and it gets `cilog.truncated` true. No record is dropped.

use std::time::SystemTime;

use crate::event::{EventKind, LogEvent, Scalar};
use crate::ndjson::{name, push_i64, push_u64, scalar, seconds, string, string_body};
use crate::source::Source;
use crate::status::Status;

/// The `schemaUrl` of every `resourceLogs`: the semantic conventions the
/// attribute names follow.
pub const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.44.0";

/// The largest request [`OtlpOptions::with_max_request_bytes`] allows: 1 MiB,
/// the `otlpjsonfile` receiver's default `max_log_size`.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;

/// The request size a writer aims for unless told otherwise: 512 KiB.
pub const DEFAULT_REQUEST_BYTES: usize = 512 << 10;

/// The smallest request size allowed: room for a resource and one record
/// whose strings are cut short.
pub const MIN_REQUEST_BYTES: usize = 16 << 10;

/// Bytes kept for the request around the records, beyond the resource's
/// own strings: the keys and brackets of the resource (five attributes,
/// the source name twice), scope and `schemaUrl`, and the newline, about
/// 500 bytes with a version of a few characters.
const ENVELOPE: usize = 640;

/// How an [`OtlpWriter`] writes: made by [`OtlpOptions::new`], so the
/// request size stays within its bounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtlpOptions {
    /// `observedTimeUnixNano` of every record: when the events were
    /// converted, read from the caller's clock, in nanoseconds.
    observed: u64,
    /// The most bytes a request line may hold, its newline included.
    max_request_bytes: usize,
}

impl OtlpOptions {
    /// Options with `observed` (the caller's clock, such as
    /// `SystemTime::now()`) as every record's `observedTimeUnixNano`, and
    /// requests of at most 512 KiB.
    pub fn new(observed: SystemTime) -> OtlpOptions {
        OtlpOptions {
            observed: super::unix_nanos(observed),
            max_request_bytes: DEFAULT_REQUEST_BYTES,
        }
    }

    /// The most bytes a request line may hold (its newline included),
    /// clamped to [`MIN_REQUEST_BYTES`]..=[`MAX_REQUEST_BYTES`].
    pub fn with_max_request_bytes(mut self, bytes: usize) -> OtlpOptions {
        self.max_request_bytes = bytes.clamp(MIN_REQUEST_BYTES, MAX_REQUEST_BYTES);
        self
    }
}

/// The run the buffered records belong to.
#[derive(Debug, Default)]
struct Run {
    input: String,
    source: Option<Source>,
    job: Option<String>,
    build_no: Option<String>,
    /// `source:run:` of `log.record.uid`, escaped for a JSON string.
    uid_prefix: String,
}

impl Run {
    /// Whether `e` from `input` belongs to this run (see the module docs).
    fn holds(&self, e: &LogEvent<'_>, input: &str) -> bool {
        self.source == Some(e.source)
            && self.input == input
            && match (&e.ctx.job, &self.job) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    /// `source:run:`, unescaped.
    fn uid_head(&self) -> String {
        let mut uid = String::with_capacity(64);
        uid.push_str(self.source.map_or("", Source::as_str));
        uid.push(':');
        self.uid_part(&mut uid);
        uid.push(':');
        uid
    }

    /// Sets `uid_prefix` from the run's source, job and build.
    fn refresh_uid(&mut self) {
        let head = self.uid_head();
        self.uid_prefix.clear();
        string_body(&mut self.uid_prefix, &head);
    }

    /// The `run` part of `log.record.uid`.
    fn uid_part(&self, out: &mut String) {
        match &self.job {
            Some(job) => {
                out.push_str(job);
                if let Some(b) = &self.build_no {
                    out.push('#');
                    out.push_str(b);
                }
            }
            None => out.push_str(&self.input),
        }
    }
}

/// Writes events as OTLP/JSON requests, one per line (see the [module
/// docs](self)).
///
/// Feed it every event with [`push`](OtlpWriter::push), in order, then call
/// [`finish`](OtlpWriter::finish): both append whole lines, each ending in
/// `\n`, to the caller's string. It holds at most one request's records.
///
/// ```
/// use cilog::output::otlp::{OtlpOptions, OtlpWriter};
/// use cilog::{parse_as, Options, Source};
/// use std::time::UNIX_EPOCH;
///
/// # fn main() -> Result<(), cilog::Error> {
/// let log = "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] BUILD SUCCESS\n";
/// let mut w = OtlpWriter::new(OtlpOptions::new(UNIX_EPOCH));
/// let mut out = String::new();
/// for e in parse_as(Source::CodeartsLog, log, &Options::default())? {
///     w.push(&e?, "task.log", &mut out);
/// }
/// w.finish(&mut out);
/// assert_eq!(out.lines().count(), 1);
/// assert!(out.contains(r#""timeUnixNano":"1703144658793000000""#));
/// assert!(out.contains(r#""body":{"stringValue":"BUILD SUCCESS"}"#));
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct OtlpWriter {
    opts: OtlpOptions,
    /// `"observedTimeUnixNano":"…",`, from the options.
    observed: String,
    run: Run,
    /// The records of the request being gathered, comma-separated.
    records: String,
    /// One record, moved aside while the records before it are written.
    record: String,
}

impl OtlpWriter {
    /// A writer with nothing gathered yet.
    pub fn new(opts: OtlpOptions) -> OtlpWriter {
        let observed = observed_field(opts.observed);
        OtlpWriter {
            opts,
            observed,
            run: Run::default(),
            records: String::with_capacity(DEFAULT_REQUEST_BYTES + 4096),
            record: String::with_capacity(1024),
        }
    }

    /// Sets the `observedTimeUnixNano` of the records pushed from now on (a
    /// follower that runs for hours reads its clock again).
    pub fn set_observed(&mut self, observed: SystemTime) {
        self.opts.observed = super::unix_nanos(observed);
        self.observed = observed_field(self.opts.observed);
    }

    /// Adds `event`, read from `input` (a path as given, `-` for standard
    /// input), appending to `out` any request line it completes.
    pub fn push(&mut self, event: &LogEvent<'_>, input: &str, out: &mut String) {
        if !self.run.holds(event, input) {
            self.flush(out);
            self.run = Run {
                input: input.to_owned(),
                source: Some(event.source),
                ..Run::default()
            };
            self.run.refresh_uid();
        }
        if self.run.job.is_none()
            && let Some(job) = &event.ctx.job
        {
            self.run.job = Some(job.to_string());
            self.run.refresh_uid();
        }
        if self.run.build_no.is_none()
            && let Some(b) = event.attr("build_no")
        {
            self.run.build_no = Some(b.to_string());
            self.run.refresh_uid();
        }
        let budget = self.opts.max_request_bytes.saturating_sub(self.envelope());
        let start = self.records.len();
        if start > 0 {
            self.records.push(',');
        }
        let body = self.records.len();
        render(&self.run, &self.observed, &mut self.records, event, None);
        // A record that alone would not fit: cut its strings until it does.
        let mut cap = budget / 2;
        while self.records.len() - body > budget && cap > 0 {
            self.records.truncate(body);
            render(
                &self.run,
                &self.observed,
                &mut self.records,
                event,
                Some(cap),
            );
            cap /= 4;
        }
        // A record that does not fit after the others: they go first.
        if start > 0 && self.records.len() > budget {
            self.record.clear();
            self.record
                .push_str(self.records.get(body..).unwrap_or_default());
            self.records.truncate(start);
            self.flush(out);
            self.records.push_str(&self.record);
        }
    }

    /// Appends the last request line, if any records are gathered; the
    /// next event pushed starts a new run, even from the same input (the
    /// same file read again).
    pub fn finish(&mut self, out: &mut String) {
        self.flush(out);
        self.run = Run::default();
    }

    /// Bytes of a request line besides its records.
    fn envelope(&self) -> usize {
        let r = &self.run;
        // Each string at most six bytes escaped per byte, twice where it
        // is written twice.
        ENVELOPE
            + 6 * (r.input.len()
                + 2 * r.job.as_ref().map_or(0, String::len)
                + r.build_no.as_ref().map_or(0, String::len))
    }

    /// Writes the gathered records as one request line.
    fn flush(&mut self, out: &mut String) {
        if self.records.is_empty() {
            return;
        }
        let r = &self.run;
        out.reserve(self.records.len() + 512);
        out.push_str("{\"resourceLogs\":[{\"resource\":{\"attributes\":[");
        let source = r.source.map_or("", Source::as_str);
        str_attr(out, "service.name", source);
        out.push(',');
        str_attr(out, "cilog.source", source);
        out.push(',');
        str_attr(out, "cilog.input", &r.input);
        if let Some(job) = &r.job {
            out.push(',');
            str_attr(out, "cicd.pipeline.name", job);
        }
        if let Some(run) = r.build_no.as_ref().or(r.job.as_ref()) {
            out.push(',');
            str_attr(out, "cicd.pipeline.run.id", run);
        }
        out.push_str("]},\"scopeLogs\":[{\"scope\":{\"name\":\"cilog\",\"version\":\"");
        out.push_str(env!("CARGO_PKG_VERSION"));
        out.push_str("\"},\"logRecords\":[");
        out.push_str(&self.records);
        out.push_str("]}],\"schemaUrl\":\"");
        out.push_str(SCHEMA_URL);
        out.push_str("\"}]}\n");
        self.records.clear();
    }
}

/// One `LogRecord`; with `cap`, every string cut to at most `cap` bytes
/// and `cilog.truncated` set.
fn render(run: &Run, observed: &str, out: &mut String, e: &LogEvent<'_>, cap: Option<usize>) {
    let text = |out: &mut String, s: &str| string(out, capped(s, cap));
    out.push('{');
    let mut assumed = false;
    if let Some(t) = &e.time
        && let Some(ns) = t.datetime().timestamp_nanos_opt()
        && let Ok(ns) = u64::try_from(ns)
    {
        if t.assumed() {
            assumed = true;
            out.push_str("\"observedTimeUnixNano\":\"");
            push_u64(out, ns);
            out.push_str("\",");
        } else {
            out.push_str("\"timeUnixNano\":\"");
            push_u64(out, ns);
            out.push_str("\",");
        }
    }
    if !assumed {
        out.push_str(observed);
    }
    if let Some(s) = e.severity {
        out.push_str("\"severityNumber\":");
        push_u64(out, u64::from(s.otel_number()));
        out.push_str(",\"severityText\":");
        match &e.severity_text {
            Some(t) => text(out, t),
            None => name(out, super::upper(s)),
        }
        out.push(',');
    } else if let Some(t) = &e.severity_text {
        out.push_str("\"severityText\":");
        text(out, t);
        out.push(',');
    }
    out.push_str("\"body\":{\"stringValue\":");
    text(out, &e.message);
    out.push_str("},\"attributes\":[");
    let c = &e.ctx;
    text_attr(out, "cicd.pipeline.task.run.id", c.step_id.as_deref(), cap);
    text_attr(out, "cicd.pipeline.task.name", c.step_name.as_deref(), cap);
    if let Some(st) = e.status {
        let step = c.step_id.is_some() || c.step_name.is_some();
        let derived = match (e.kind, result(st), st) {
            (EventKind::Line, ..) => None,
            (_, Some(r), _) if step => Some(("cicd.pipeline.task.run.result", r)),
            _ if step || c.host.is_some() => None,
            (_, Some(r), _) => Some(("cicd.pipeline.result", r)),
            (_, None, Status::Pending) => Some(("cicd.pipeline.run.state", "pending")),
            (_, None, Status::Running) => Some(("cicd.pipeline.run.state", "executing")),
            _ => None,
        };
        if let Some((k, v)) = derived {
            str_attr(out, k, v);
            out.push(',');
        }
        str_attr(out, "cilog.status", st.as_str());
        out.push(',');
    }
    if let Some(v) = &e.vendor_status {
        out.push_str("{\"key\":\"cilog.vendor_status\",\"value\":");
        value(out, v, cap);
        out.push_str("},");
    }
    text_attr(out, "host.name", c.host.as_deref(), cap);
    if let Some(v) = c.pid {
        int_attr(out, "process.pid", i64::from(v));
    }
    if let Some(v) = c.exit_code {
        int_attr(out, "process.exit.code", v);
    }
    int_attr(out, "cilog.seq", i64::try_from(e.seq).unwrap_or(i64::MAX));
    if let Some(v) = c.attempt {
        int_attr(out, "cilog.attempt", i64::from(v));
    }
    out.push_str("{\"key\":\"log.record.uid\",\"value\":{\"stringValue\":\"");
    match cap {
        None => out.push_str(&run.uid_prefix),
        Some(_) => string_body(out, capped(&run.uid_head(), cap)),
    }
    if let Some(a) = c.attempt {
        push_u64(out, u64::from(a));
    }
    out.push(':');
    push_u64(out, e.seq);
    out.push_str("\"}}");
    if let Some(p) = e.progress {
        out.push(',');
        int_attr_last(out, "cilog.progress", i64::from(p));
    }
    if let Some(d) = e.duration {
        out.push_str(",{\"key\":\"cilog.duration\",\"value\":{\"doubleValue\":");
        seconds(out, d);
        out.push_str("}}");
    }
    if !e.notes.is_empty() {
        out.push_str(",{\"key\":\"cilog.notes\",\"value\":{\"arrayValue\":{\"values\":[");
        for (i, n) in e.notes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"stringValue\":");
            name(out, n.code());
            out.push('}');
        }
        out.push_str("]}}}");
    }
    for (k, v) in &e.attrs {
        out.push_str(",{\"key\":\"cilog.attr.");
        string_body(out, k);
        out.push_str("\",\"value\":");
        value(out, v, cap);
        out.push('}');
    }
    if assumed {
        out.push_str(",{\"key\":\"cilog.time_assumed\",\"value\":{\"boolValue\":true}}");
    }
    if cap.is_some() {
        out.push_str(",{\"key\":\"cilog.truncated\",\"value\":{\"boolValue\":true}}");
    }
    out.push(']');
    match e.kind {
        EventKind::Phase => out.push_str(",\"eventName\":\"cilog.phase\""),
        EventKind::Status => out.push_str(",\"eventName\":\"cilog.status\""),
        _ => {}
    }
    out.push('}');
}

/// `"observedTimeUnixNano":"…",` for a time in nanoseconds.
fn observed_field(nanos: u64) -> String {
    let mut s = String::with_capacity(48);
    s.push_str("\"observedTimeUnixNano\":\"");
    push_u64(&mut s, nanos);
    s.push_str("\",");
    s
}

/// The semantic conventions' result of a status, if it has one.
fn result(s: Status) -> Option<&'static str> {
    match s {
        Status::Succeeded => Some("success"),
        Status::Failed | Status::Ignored => Some("failure"),
        Status::TimedOut => Some("timeout"),
        Status::Cancelled => Some("cancellation"),
        Status::Skipped => Some("skip"),
        Status::Error => Some("error"),
        _ => None,
    }
}

/// `{"key":"k","value":{"stringValue":` (the caller writes the string and
/// closes with `}}`); `k` is one of ours, with nothing to escape.
fn key(out: &mut String, k: &str) {
    out.push_str("{\"key\":\"");
    out.push_str(k);
    out.push_str("\",\"value\":{\"stringValue\":");
}

/// A string attribute and its comma when `v` is present, cut to `cap`.
fn text_attr(out: &mut String, k: &str, v: Option<&str>, cap: Option<usize>) {
    if let Some(v) = v {
        key(out, k);
        string(out, capped(v, cap));
        out.push_str("}},");
    }
}

/// A string attribute with a known-clean key, whole.
fn str_attr(out: &mut String, k: &str, v: &str) {
    key(out, k);
    string(out, v);
    out.push_str("}}");
}

/// An integer attribute and its comma.
fn int_attr(out: &mut String, k: &str, v: i64) {
    int_attr_last(out, k, v);
    out.push(',');
}

fn int_attr_last(out: &mut String, k: &str, v: i64) {
    out.push_str("{\"key\":\"");
    out.push_str(k);
    out.push_str("\",\"value\":{\"intValue\":\"");
    push_i64(out, v);
    out.push_str("\"}}");
}

/// An `AnyValue` for a vendor scalar, strings cut to `cap` bytes.
fn value(out: &mut String, v: &Scalar<'_>, cap: Option<usize>) {
    match v {
        Scalar::Str(s) => {
            out.push_str("{\"stringValue\":");
            string(out, capped(s, cap));
            out.push('}');
        }
        Scalar::Int(i) => {
            out.push_str("{\"intValue\":\"");
            push_i64(out, *i);
            out.push_str("\"}");
        }
        Scalar::Float(f) if f.is_finite() => {
            out.push_str("{\"doubleValue\":");
            scalar(out, v);
            out.push('}');
        }
        // Protobuf JSON spells these as strings.
        Scalar::Float(f) => {
            out.push_str("{\"doubleValue\":");
            out.push_str(if f.is_nan() {
                "\"NaN\""
            } else if *f > 0.0 {
                "\"Infinity\""
            } else {
                "\"-Infinity\""
            });
            out.push('}');
        }
        Scalar::Bool(b) => {
            out.push_str(if *b {
                "{\"boolValue\":true}"
            } else {
                "{\"boolValue\":false}"
            });
        }
    }
}

/// The largest index ≤ `i` on a char boundary of `s`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `s` cut to at most `cap` bytes, at a char boundary.
fn capped(s: &str, cap: Option<usize>) -> &str {
    match cap {
        Some(c) if s.len() > c => s.get(..floor_boundary(s, c)).unwrap_or_default(),
        _ => s,
    }
}
