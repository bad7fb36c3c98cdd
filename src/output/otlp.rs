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
//! | a failed, timed-out or error status, a line with a non-zero exit code | `error.type`: the class `cilog summary` gives (`compile_error`, `timeout`, …, `_OTHER`) from the status, the exit code and the last 50 lines of its step up to it |
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
use crate::ndjson::{push_i64, push_u64, scalar, seconds, string, string_body};
use crate::severity::Severity;
use crate::source::Source;
use crate::status::Status;
use crate::summary::ErrorType;
use crate::summary::recent::Recent;

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
/// A request completed while the caller's string is empty is handed over
/// whole, the two buffers swapped rather than the request copied, so the
/// string may come back with another capacity.
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
    /// `observedTimeUnixNano`, from the options.
    observed: Observed,
    run: Run,
    /// The request being gathered: its head (resource, scope, up to
    /// `"logRecords":[`) and its records, comma-separated; empty when it has
    /// no record. Completed, it is handed to the caller whole.
    request: String,
    /// The length of the head at the start of `request` (0 when empty).
    head: usize,
    /// One record, moved aside while the records before it are written;
    /// the new head while it replaces the old one.
    record: String,
    /// The last lines, for the class of a failure (`error.type`).
    recent: Recent,
}

impl OtlpWriter {
    /// A writer with nothing gathered yet.
    pub fn new(opts: OtlpOptions) -> OtlpWriter {
        let observed = Observed::new(opts.observed);
        OtlpWriter {
            opts,
            observed,
            run: Run::default(),
            request: String::with_capacity(DEFAULT_REQUEST_BYTES + 4096),
            head: 0,
            record: String::with_capacity(1024),
            recent: Recent::default(),
        }
    }

    /// Sets the `observedTimeUnixNano` of the records pushed from now on (a
    /// follower that runs for hours reads its clock again).
    pub fn set_observed(&mut self, observed: SystemTime) {
        self.opts.observed = super::unix_nanos(observed);
        self.observed = Observed::new(self.opts.observed);
    }

    /// Adds `event`, read from `input` (a path as given, `-` for standard
    /// input), appending to `out` any request line it completes.
    pub fn push(&mut self, event: &LogEvent<'_>, input: &str, out: &mut String) {
        let class = self.recent.error_type(event, input).map(ErrorType::as_str);
        if !self.run.holds(event, input) {
            self.flush(out);
            self.run = Run {
                input: input.to_owned(),
                source: Some(event.source),
                ..Run::default()
            };
            self.run.refresh_uid();
        }
        let mut named = false;
        if self.run.job.is_none()
            && let Some(job) = &event.ctx.job
        {
            self.run.job = Some(job.to_string());
            named = true;
        }
        if self.run.build_no.is_none()
            && let Some(b) = event.attr("build_no")
        {
            self.run.build_no = Some(b.to_string());
            named = true;
        }
        if named {
            self.run.refresh_uid();
            self.rewrite_head();
        }
        if self.request.is_empty() {
            self.open();
        }
        let budget = self.opts.max_request_bytes.saturating_sub(self.envelope());
        let start = self.request.len();
        if start > self.head {
            self.request.push(',');
        }
        let body = self.request.len();
        render(
            &self.run,
            &self.observed,
            &mut self.request,
            event,
            class,
            None,
        );
        // A record that alone would not fit: cut its strings until it does.
        let mut cap = budget / 2;
        while self.request.len() - body > budget && cap > 0 {
            self.request.truncate(body);
            render(
                &self.run,
                &self.observed,
                &mut self.request,
                event,
                class,
                Some(cap),
            );
            cap /= 4;
        }
        // A record that does not fit after the others: they go first.
        if start > self.head && self.request.len() - self.head > budget {
            self.record.clear();
            self.record
                .push_str(self.request.get(body..).unwrap_or_default());
            self.request.truncate(start);
            self.flush(out);
            self.open();
            self.request.push_str(&self.record);
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

    /// Starts an empty request with the run's head.
    fn open(&mut self) {
        self.request.reserve(DEFAULT_REQUEST_BYTES + 4096);
        head(&self.run, &mut self.request);
        self.head = self.request.len();
    }

    /// Writes the run's head again over the one the gathered records follow,
    /// when the run has just taken its job or build.
    fn rewrite_head(&mut self) {
        if self.request.is_empty() || !self.request.is_char_boundary(self.head) {
            return;
        }
        self.record.clear();
        head(&self.run, &mut self.record);
        self.request.replace_range(..self.head, &self.record);
        self.head = self.record.len();
    }

    /// Closes the gathered request and appends it to `out` as one line; into
    /// an empty `out` by handing over the buffer, not copying it.
    fn flush(&mut self, out: &mut String) {
        if self.request.is_empty() {
            return;
        }
        self.request.push_str("]}],\"schemaUrl\":\"");
        self.request.push_str(SCHEMA_URL);
        self.request.push_str("\"}]}\n");
        if out.is_empty() {
            std::mem::swap(out, &mut self.request);
        } else {
            out.push_str(&self.request);
        }
        self.request.clear();
        self.head = 0;
    }
}

/// A request line up to its first record: the run's resource, the scope,
/// `"logRecords":[`.
fn head(r: &Run, out: &mut String) {
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
}

/// `{"key":"k","value":{"stringValue":"` for a key of ours (nothing to
/// escape): the caller writes the string's inside and closes with `"}}`.
macro_rules! string_key {
    ($k:literal) => {
        concat!("{\"key\":\"", $k, "\",\"value\":{\"stringValue\":\"")
    };
}

/// One `LogRecord`; with `cap`, every string cut to at most `cap` bytes
/// and `cilog.truncated` set.
///
/// The fixed text around the values is written in as few pieces as the
/// branches allow, since most of a record is keys and brackets.
fn render(
    run: &Run,
    observed: &Observed,
    out: &mut String,
    e: &LogEvent<'_>,
    class: Option<&str>,
    cap: Option<usize>,
) {
    let text = |out: &mut String, s: &str| string_body(out, capped(s, cap));
    let time = e.time.as_ref().and_then(|t| {
        let ns = u64::try_from(t.datetime().timestamp_nanos_opt()?).ok()?;
        Some((ns, t.assumed()))
    });
    let assumed = matches!(time, Some((_, true)));
    match time {
        Some((ns, true)) => {
            out.push_str("{\"observedTimeUnixNano\":\"");
            push_u64(out, ns);
            out.push_str("\",");
        }
        Some((ns, false)) => {
            out.push_str("{\"timeUnixNano\":\"");
            push_u64(out, ns);
            out.push_str(&observed.after_time);
        }
        None => out.push_str(&observed.alone),
    }
    match (e.severity, &e.severity_text) {
        (Some(s), Some(t)) => {
            out.push_str(severity_number(s));
            out.push_str(",\"severityText\":\"");
            text(out, t);
            out.push_str("\",\"body\":{\"stringValue\":\"");
        }
        (Some(s), None) => out.push_str(severity_fields(s)),
        (None, Some(t)) => {
            out.push_str("\"severityText\":\"");
            text(out, t);
            out.push_str("\",\"body\":{\"stringValue\":\"");
        }
        (None, None) => out.push_str("\"body\":{\"stringValue\":\""),
    }
    text(out, &e.message);
    out.push_str("\"},\"attributes\":[");
    let c = &e.ctx;
    text_attr(
        out,
        string_key!("cicd.pipeline.task.run.id"),
        c.step_id.as_deref(),
        cap,
    );
    text_attr(
        out,
        string_key!("cicd.pipeline.task.name"),
        c.step_name.as_deref(),
        cap,
    );
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
    text_attr(out, string_key!("host.name"), c.host.as_deref(), cap);
    if let Some(v) = c.pid {
        int_attr(out, "process.pid", i64::from(v));
    }
    if let Some(v) = c.exit_code {
        int_attr(out, "process.exit.code", v);
    }
    text_attr(out, string_key!("error.type"), class, cap);
    // `cilog.seq` is an int64; the uid has the whole u64.
    let mut digits = itoa::Buffer::new();
    let seq = digits.format(e.seq);
    let mut int_digits = itoa::Buffer::new();
    let seq_int = match i64::try_from(e.seq) {
        Ok(_) => seq,
        Err(_) => int_digits.format(i64::MAX),
    };
    out.push_str("{\"key\":\"cilog.seq\",\"value\":{\"intValue\":\"");
    out.push_str(seq_int);
    match c.attempt {
        None => out.push_str(concat!("\"}},", string_key!("log.record.uid"))),
        Some(v) => {
            out.push_str("\"}},");
            int_attr(out, "cilog.attempt", i64::from(v));
            out.push_str(string_key!("log.record.uid"));
        }
    }
    match cap {
        None => out.push_str(&run.uid_prefix),
        Some(_) => string_body(out, capped(&run.uid_head(), cap)),
    }
    if let Some(a) = c.attempt {
        push_u64(out, u64::from(a));
    }
    out.push(':');
    out.push_str(seq);
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
    let mut notes = e.notes.iter();
    if let Some(first) = notes.next() {
        out.push_str(
            ",{\"key\":\"cilog.notes\",\"value\":{\"arrayValue\":{\"values\":[{\"stringValue\":\"",
        );
        out.push_str(first.code());
        for n in notes {
            out.push_str("\"},{\"stringValue\":\"");
            out.push_str(n.code());
        }
        out.push_str("\"}]}}}");
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
    out.push_str(match e.kind {
        EventKind::Phase => "],\"eventName\":\"cilog.phase\"}",
        EventKind::Status => "],\"eventName\":\"cilog.status\"}",
        _ => "]}",
    });
}

/// `"severityNumber":N` of a level.
fn severity_number(s: Severity) -> &'static str {
    match s {
        Severity::Trace => "\"severityNumber\":1",
        Severity::Debug => "\"severityNumber\":5",
        Severity::Info => "\"severityNumber\":9",
        Severity::Warn => "\"severityNumber\":13",
        Severity::Error => "\"severityNumber\":17",
        Severity::Fatal => "\"severityNumber\":21",
    }
}

/// `severityNumber` and `severityText` (the short name in capitals) of a
/// level with no token of its own, and the body's opening.
fn severity_fields(s: Severity) -> &'static str {
    macro_rules! fields {
        ($n:literal, $t:literal) => {
            concat!(
                "\"severityNumber\":",
                $n,
                ",\"severityText\":\"",
                $t,
                "\",\"body\":{\"stringValue\":\""
            )
        };
    }
    match s {
        Severity::Trace => fields!("1", "TRACE"),
        Severity::Debug => fields!("5", "DEBUG"),
        Severity::Info => fields!("9", "INFO"),
        Severity::Warn => fields!("13", "WARN"),
        Severity::Error => fields!("17", "ERROR"),
        Severity::Fatal => fields!("21", "FATAL"),
    }
}

/// The fixed `observedTimeUnixNano` of the records, ready to follow a
/// `timeUnixNano`'s digits or to open a record that has none.
#[derive(Debug)]
struct Observed {
    /// `","observedTimeUnixNano":"…",`
    after_time: String,
    /// `{"observedTimeUnixNano":"…",`
    alone: String,
}

impl Observed {
    fn new(nanos: u64) -> Observed {
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(nanos);
        Observed {
            after_time: ["\",\"observedTimeUnixNano\":\"", digits, "\","].concat(),
            alone: ["{\"observedTimeUnixNano\":\"", digits, "\","].concat(),
        }
    }
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

/// A string attribute and its comma when `v` is present, cut to `cap`;
/// `key` is its opening, from `string_key!`.
fn text_attr(out: &mut String, key: &str, v: Option<&str>, cap: Option<usize>) {
    if let Some(v) = v {
        out.push_str(key);
        string_body(out, capped(v, cap));
        out.push_str("\"}},");
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

/// The writer as it was before the request was gathered behind its head and
/// handed over whole, and before the record's fixed text was joined into
/// fewer pieces, kept word for word as the reference the property test
/// `fast_writer_agrees_with_reference` compares against.
#[cfg(test)]
mod reference {
    use super::{
        DEFAULT_REQUEST_BYTES, ENVELOPE, OtlpOptions, Run, SCHEMA_URL, int_attr, int_attr_last,
        result, str_attr, value,
    };
    use super::{Source, capped};
    use crate::event::{EventKind, LogEvent};
    use crate::ndjson::{name, push_u64, seconds, string, string_body};
    use crate::status::Status;
    use crate::summary::ErrorType;
    use crate::summary::recent::Recent;
    use std::time::SystemTime;

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
        recent: Recent,
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
                recent: Recent::default(),
            }
        }

        /// Sets the `observedTimeUnixNano` of the records pushed from now on (a
        /// follower that runs for hours reads its clock again).
        pub fn set_observed(&mut self, observed: SystemTime) {
            self.opts.observed = crate::output::unix_nanos(observed);
            self.observed = observed_field(self.opts.observed);
        }

        /// Adds `event`, read from `input` (a path as given, `-` for standard
        /// input), appending to `out` any request line it completes.
        pub fn push(&mut self, event: &LogEvent<'_>, input: &str, out: &mut String) {
            let class = self.recent.error_type(event, input).map(ErrorType::as_str);
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
            render(
                &self.run,
                &self.observed,
                &mut self.records,
                event,
                class,
                None,
            );
            // A record that alone would not fit: cut its strings until it does.
            let mut cap = budget / 2;
            while self.records.len() - body > budget && cap > 0 {
                self.records.truncate(body);
                render(
                    &self.run,
                    &self.observed,
                    &mut self.records,
                    event,
                    class,
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

        /// Appends the last request line, if any records are gathered.
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
    fn render(
        run: &Run,
        observed: &str,
        out: &mut String,
        e: &LogEvent<'_>,
        class: Option<&str>,
        cap: Option<usize>,
    ) {
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
                None => name(out, crate::output::upper(s)),
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
        text_attr(out, "error.type", class, cap);
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
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use proptest::prelude::*;

    use super::{OtlpOptions, OtlpWriter, reference};
    use crate::event::{EventKind, LogEvent, Scalar};
    use crate::note::Note;
    use crate::severity::Severity;
    use crate::source::Source;
    use crate::status::Status;
    use crate::time::Timestamp;

    fn clock(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// One event of the property test, from drawn parts.
    #[derive(Clone, Debug)]
    struct Parts {
        input: bool,
        source: bool,
        kind: u8,
        seq: u64,
        time: Option<(i64, u8, bool, i32)>,
        severity: Option<usize>,
        severity_text: Option<String>,
        status: Option<usize>,
        vendor_status: Option<i64>,
        progress: Option<u8>,
        duration: Option<u64>,
        job: Option<u8>,
        step_id: Option<String>,
        step_name: Option<String>,
        host: Option<String>,
        pid: Option<u32>,
        exit_code: Option<i64>,
        attempt: Option<u32>,
        message: (String, usize),
        notes: Vec<usize>,
        build_no: Option<i64>,
        attr: Option<(f64, String)>,
        /// The caller writes its string out and clears it before this push.
        cleared: bool,
        /// The writer reads its clock again before this push.
        reclock: Option<u64>,
    }

    fn text() -> impl Strategy<Value = String> {
        "([a-z0-9 ]|é|代|\"|\\\\|[\\x00-\\x1f\\x7f]){0,12}"
    }

    fn parts() -> impl Strategy<Value = Parts> {
        (
            (
                any::<bool>(),
                prop::bool::weighted(0.1),
                0u8..3,
                prop_oneof![0u64..1000, Just(u64::MAX), Just(1u64 << 63)],
                prop::option::of((
                    -1_000_000_000_000i64..10_000_000_000_000,
                    0u8..=9,
                    any::<bool>(),
                    -50_000i32..50_000,
                )),
                prop::option::of(0usize..6),
                prop::option::of(text()),
                prop::option::of(0usize..11),
                prop::option::of(any::<i64>()),
                prop::option::of(0u8..=100),
                prop::option::of(0u64..100_000_000_000),
            ),
            (
                prop::option::weighted(0.7, 0u8..3),
                prop::option::of(text()),
                prop::option::of(text()),
                prop::option::of(text()),
                prop::option::of(any::<u32>()),
                prop::option::of(any::<i64>()),
                prop::option::of(any::<u32>()),
                (text(), prop_oneof![8 => Just(1usize), 1 => 1usize..3000]),
                prop::collection::vec(0usize..Note::ALL.len(), 0..3),
                prop::option::weighted(0.1, any::<i64>()),
                prop::option::weighted(0.1, (any::<f64>(), text())),
            ),
            (
                any::<bool>(),
                prop::option::weighted(0.05, 0u64..4_000_000_000),
            ),
        )
            .prop_map(|(a, b, c)| Parts {
                input: a.0,
                source: a.1,
                kind: a.2,
                seq: a.3,
                time: a.4,
                severity: a.5,
                severity_text: a.6,
                status: a.7,
                vendor_status: a.8,
                progress: a.9,
                duration: a.10,
                job: b.0,
                step_id: b.1,
                step_name: b.2,
                host: b.3,
                pid: b.4,
                exit_code: b.5,
                attempt: b.6,
                message: b.7,
                notes: b.8,
                build_no: b.9,
                attr: b.10,
                cleared: c.0,
                reclock: c.1,
            })
    }

    fn event(p: &Parts) -> LogEvent<'static> {
        let source = if p.source {
            Source::BkjobLog
        } else {
            Source::CodeartsLog
        };
        let kind = match p.kind {
            0 => EventKind::Line,
            1 => EventKind::Phase,
            _ => EventKind::Status,
        };
        let message = p.message.0.repeat(p.message.1);
        let mut e = LogEvent::new(source, kind, p.seq, Cow::Owned(message));
        e.time = p.time.and_then(|(ms, frac, assumed, off)| {
            let off = chrono::FixedOffset::east_opt(off)?;
            let dt = chrono::DateTime::from_timestamp_millis(ms)?.with_timezone(&off);
            Some(Timestamp::new(dt, frac, assumed))
        });
        e.severity = p.severity.and_then(|i| Severity::ALL.get(i).copied());
        e.severity_text = p.severity_text.clone().map(Cow::Owned);
        e.status = p.status.and_then(|i| Status::ALL.get(i).copied());
        e.vendor_status = p.vendor_status.map(Scalar::Int);
        e.progress = p.progress;
        e.duration = p.duration.map(Duration::from_millis);
        e.ctx.job = p.job.map(|j| Cow::Owned(format!("j_{j}\"")));
        e.ctx.step_id = p.step_id.clone().map(Cow::Owned);
        e.ctx.step_name = p.step_name.clone().map(Cow::Owned);
        e.ctx.host = p.host.clone().map(Cow::Owned);
        e.ctx.pid = p.pid;
        e.ctx.exit_code = p.exit_code;
        e.ctx.attempt = p.attempt;
        for &n in &p.notes {
            if let Some(&n) = Note::ALL.get(n) {
                e.notes.insert(n);
            }
        }
        if let Some(b) = p.build_no {
            e.attrs.push(("build_no", Scalar::Int(b)));
        }
        if let Some((f, s)) = &p.attr {
            e.attrs.push(("ratio", Scalar::Float(*f)));
            e.attrs.push(("tag", Scalar::Str(Cow::Owned(s.clone()))));
            e.attrs.push(("done", Scalar::Bool(f.is_sign_negative())));
        }
        e
    }

    /// What the property test needs of both writers.
    trait Writer {
        fn set_observed(&mut self, observed: SystemTime);
        fn push(&mut self, e: &LogEvent<'_>, input: &str, out: &mut String);
        fn finish(&mut self, out: &mut String);
    }

    impl Writer for OtlpWriter {
        fn set_observed(&mut self, observed: SystemTime) {
            OtlpWriter::set_observed(self, observed);
        }
        fn push(&mut self, e: &LogEvent<'_>, input: &str, out: &mut String) {
            OtlpWriter::push(self, e, input, out);
        }
        fn finish(&mut self, out: &mut String) {
            OtlpWriter::finish(self, out);
        }
    }

    impl Writer for reference::OtlpWriter {
        fn set_observed(&mut self, observed: SystemTime) {
            reference::OtlpWriter::set_observed(self, observed);
        }
        fn push(&mut self, e: &LogEvent<'_>, input: &str, out: &mut String) {
            reference::OtlpWriter::push(self, e, input, out);
        }
        fn finish(&mut self, out: &mut String) {
            reference::OtlpWriter::finish(self, out);
        }
    }

    /// The lines `w` gives for `events`, the caller's string written out
    /// and cleared, and the clock read again, where the parts say.
    fn lines(w: &mut impl Writer, events: &[(Parts, LogEvent<'static>)]) -> String {
        let mut written = String::new();
        let mut out = String::new();
        for (p, e) in events {
            if p.cleared {
                written.push_str(&out);
                out.clear();
            }
            if let Some(s) = p.reclock {
                w.set_observed(clock(s));
            }
            let input = if p.input { "a.log" } else { "b \"log\"" };
            w.push(e, input, &mut out);
        }
        w.finish(&mut out);
        written.push_str(&out);
        written
    }

    /// A run that takes its job and then its build after its first records:
    /// the resource of its one request has both.
    #[test]
    fn the_head_follows_a_job_and_build_that_come_late() {
        let mut first = LogEvent::new(
            Source::CodeartsLog,
            EventKind::Line,
            0,
            Cow::Borrowed("before"),
        );
        first.time = None;
        let mut named = first.clone();
        named.seq = 1;
        named.ctx.job = Some("j_9".into());
        let mut built = first.clone();
        built.seq = 2;
        built.attrs.push(("build_no", Scalar::Int(12)));
        let mut w = OtlpWriter::new(OtlpOptions::new(clock(0)));
        let mut out = String::new();
        for e in [&first, &named, &built] {
            w.push(e, "x.log", &mut out);
        }
        assert_eq!(out, "");
        w.finish(&mut out);
        assert_eq!(out.lines().count(), 1);
        assert!(out.starts_with(concat!(
            "{\"resourceLogs\":[{\"resource\":{\"attributes\":[",
            "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"codearts-log\"}},",
            "{\"key\":\"cilog.source\",\"value\":{\"stringValue\":\"codearts-log\"}},",
            "{\"key\":\"cilog.input\",\"value\":{\"stringValue\":\"x.log\"}},",
            "{\"key\":\"cicd.pipeline.name\",\"value\":{\"stringValue\":\"j_9\"}},",
            "{\"key\":\"cicd.pipeline.run.id\",\"value\":{\"stringValue\":\"12\"}}]},",
            "\"scopeLogs\":[{\"scope\":{\"name\":\"cilog\",\"version\":\""
        )));
        assert!(out.contains(
            "\"logRecords\":[{\"observedTimeUnixNano\":\"0\",\"body\":{\"stringValue\":\"before\"}"
        ));
        for uid in ["x.log::0", "j_9::1", "j_9#12::2"] {
            assert!(
                out.contains(&format!("\"stringValue\":\"codearts-log:{uid}\"}}")),
                "{uid}"
            );
        }
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(300))]

        /// The writer gives the lines the reference gives, byte for byte:
        /// any events, runs that take their job and build late, requests
        /// split at the smallest size, records cut, the caller's string
        /// cleared or not between pushes, the clock read again.
        #[test]
        fn fast_writer_agrees_with_reference(
            parts in prop::collection::vec(parts(), 1..60),
            small in any::<bool>(),
        ) {
            let max = if small { 0 } else { super::DEFAULT_REQUEST_BYTES };
            let opts = OtlpOptions::new(clock(1_768_435_200)).with_max_request_bytes(max);
            let events: Vec<(Parts, LogEvent<'static>)> =
                parts.into_iter().map(|p| { let e = event(&p); (p, e) }).collect();
            let got = lines(&mut OtlpWriter::new(opts.clone()), &events);
            let want = lines(&mut reference::OtlpWriter::new(opts), &events);
            prop_assert_eq!(got, want);
        }
    }
}
