//! Elastic Common Schema: one ECS 9.4.0 document per event, one per line,
//! with dotted keys (`"log.level":…`), as ecs-logging writes them.
//!
//! ECS has no CI/CD fields; the CI/CD context goes in `labels.*` (strings,
//! as ECS wants them) and the rest of cilog's fields under `cilog.*`.
//!
//! | event | ECS |
//! |---|---|
//! | `time` | `@timestamp` (RFC 3339 with the source's offset); an [assumed](crate::Timestamp::assumed) time also sets `labels.time_assumed` `"true"`; an event with no time takes [`EcsOptions::new`]'s clock and `labels.time_missing` `"true"` |
//! | (the clock) | `event.created` |
//! | `severity_text` (else the severity's short name in capitals), `severity` | `log.level`, `event.severity` (the OpenTelemetry number) |
//! | `message`, `seq` | `message`, `event.sequence` |
//! | `kind` | `event.kind` `event` (`pipeline_error` for an event with a recovery note: cilog could not read part of its input), `event.action` the kind (`line`, `phase`, `status`) |
//! | a phase or status | `event.category` `["process"]`; `event.type` `["start"]` for a phase saying pending or running, `["end"]` for a terminal status, else `["info"]` |
//! | `status` | `event.outcome`: `succeeded` → `success`; `failed`, `timed_out`, `error` → `failure`; `cancelled`, `unknown` → `unknown`; none for the others |
//! | `duration` | `event.duration` (nanoseconds) |
//! | `source` | `event.module` `cilog`, `event.dataset` `cilog.<source>`, `event.provider` the source |
//! | `host`, `pid`, `exit_code` | `host.name`, `process.pid`, `process.exit_code` |
//! | a failed, timed-out or error status, a line with a non-zero exit code | `error.type`: the class `cilog summary` gives (`compile_error`, `timeout`, …, `_OTHER`) from the status, the exit code and the last 50 lines of its step up to it |
//! | `job`, `step_id`, `step_name`, `attempt`, `status`, `vendor_status`, `attrs.build_no` | `labels.job`, `labels.step_id`, `labels.step_name`, `labels.attempt`, `labels.status`, `labels.vendor_status`, `labels.build_no` (strings) |
//! | the input name | `cilog.input` (a path as given, `-` for standard input: where cilog read the event, not CI/CD context) |
//! | `progress`, `notes`, other `attrs.k` | `cilog.progress`, `cilog.notes` (array), `cilog.attr.k` (as sent) |
//!
//! `ecs.version` is `9.4.0`. `tests/ecs.rs` checks every key of every
//! corpus document against ECS 9.4.0's field list and allowed values.

use std::time::SystemTime;

use crate::event::{EventKind, LogEvent, Scalar};
use crate::ndjson::{
    name, notes, opt_i64, opt_string, push_u64, scalar, string, string_body, timestamp,
};
use crate::source::Source;
use crate::status::Status;
use crate::summary::recent::Recent;
use crate::time::Timestamp;

/// The ECS version the documents follow.
pub const ECS_VERSION: &str = "9.4.0";

/// How an [`EcsWriter`] writes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EcsOptions {
    /// `event.created` of every document, and the `@timestamp` of an event
    /// with no time: when the events were converted, read from the caller's
    /// clock. `None` leaves both out.
    pub created: Option<Timestamp>,
}

impl EcsOptions {
    /// Options with `created` (the caller's clock, such as
    /// `SystemTime::now()`) as `event.created`, written in UTC to the
    /// millisecond.
    pub fn new(created: SystemTime) -> EcsOptions {
        let nanos = super::unix_nanos(created);
        let secs = i64::try_from(nanos / 1_000_000_000).unwrap_or(i64::MAX);
        let sub = u32::try_from(nanos % 1_000_000_000).unwrap_or(0);
        EcsOptions {
            created: chrono::DateTime::from_timestamp(secs, sub)
                .map(|dt| Timestamp::new(dt.fixed_offset(), 3, false)),
        }
    }

    /// Options with no clock: no `event.created`, and no `@timestamp` on an
    /// event with no time (repeatable output, for tests).
    pub fn without_clock() -> EcsOptions {
        EcsOptions { created: None }
    }
}

/// Writes events as ECS documents, one per line (see the [module
/// docs](self)).
///
/// ```
/// use cilog::output::ecs::{EcsOptions, EcsWriter};
/// use cilog::{parse_as, Options, Source};
///
/// # fn main() -> Result<(), cilog::Error> {
/// let log = "[2023/12/21 15:44:18.793 GMT+08:00] [WARNING] disk almost full\n";
/// let mut w = EcsWriter::new(EcsOptions::without_clock());
/// let mut out = String::new();
/// for e in parse_as(Source::CodeartsLog, log, &Options::default())? {
///     w.push(&e?, "task.log", &mut out);
/// }
/// assert_eq!(
///     out,
///     concat!(
///         r#"{"@timestamp":"2023-12-21T15:44:18.793+08:00","log.level":"WARNING","message":"disk almost full","#,
///         r#""ecs.version":"9.4.0","event.kind":"event","event.action":"line","event.sequence":0,"event.severity":13,"#,
///         r#""event.module":"cilog","event.dataset":"cilog.codearts-log","event.provider":"codearts-log","#,
///         r#""cilog.input":"task.log"}"#,
///         "\n"
///     )
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct EcsWriter {
    opts: EcsOptions,
    /// `event.created`'s text, written once.
    created: String,
    /// The last lines, for the class of a failure.
    recent: Recent,
}

impl EcsWriter {
    /// A writer with these options.
    pub fn new(opts: EcsOptions) -> EcsWriter {
        let mut created = String::new();
        if let Some(t) = &opts.created {
            timestamp(&mut created, t);
        }
        EcsWriter {
            opts,
            created,
            recent: Recent::default(),
        }
    }

    /// Appends `event`'s document, read from `input` (a path as given, `-`
    /// for standard input), and its `\n` to `out`.
    pub fn push(&mut self, event: &LogEvent<'_>, input: &str, out: &mut String) {
        let e = event;
        out.reserve(320 + e.message.len());
        out.push('{');
        if let Some(t) = &e.time {
            out.push_str("\"@timestamp\":\"");
            timestamp(out, t);
            out.push_str("\",");
        } else if self.opts.created.is_some() {
            // ECS requires a time; the source gave none, so the export's
            // clock stands in, marked so that no reader takes it for when
            // the event happened.
            out.push_str("\"@timestamp\":\"");
            out.push_str(&self.created);
            out.push_str("\",\"labels.time_missing\":\"true\",");
        }
        match (&e.severity_text, e.severity) {
            (Some(t), _) => {
                out.push_str("\"log.level\":");
                string(out, t);
                out.push(',');
            }
            (None, Some(s)) => {
                out.push_str("\"log.level\":");
                name(out, super::upper(s));
                out.push(',');
            }
            (None, None) => {}
        }
        out.push_str("\"message\":");
        string(out, &e.message);
        // The fixed text between the message and the sequence, in one piece
        // per case (a piece per key cost a tenth of the writer's time).
        macro_rules! kind_action {
            ($kind:literal, $action:literal) => {
                concat!(
                    ",\"ecs.version\":\"9.4.0\",\"event.kind\":\"",
                    $kind,
                    "\",\"event.action\":\"",
                    $action,
                    "\""
                )
            };
        }
        out.push_str(match (e.notes.has_recovery(), e.kind) {
            (false, EventKind::Line) => kind_action!("event", "line"),
            (false, EventKind::Phase) => kind_action!("event", "phase"),
            (false, EventKind::Status) => kind_action!("event", "status"),
            (true, EventKind::Line) => kind_action!("pipeline_error", "line"),
            (true, EventKind::Phase) => kind_action!("pipeline_error", "phase"),
            (true, EventKind::Status) => kind_action!("pipeline_error", "status"),
        });
        if matches!(e.kind, EventKind::Phase | EventKind::Status) {
            out.push_str(",\"event.category\":[\"process\"],\"event.type\":[");
            out.push_str(match e.status {
                Some(s) if s.is_terminal() => "\"end\"]",
                Some(Status::Pending | Status::Running) if e.kind == EventKind::Phase => {
                    "\"start\"]"
                }
                _ => "\"info\"]",
            });
        }
        if let Some(o) = e.status.and_then(outcome) {
            out.push_str(",\"event.outcome\":");
            name(out, o);
        }
        if let Some(d) = e.duration {
            out.push_str(",\"event.duration\":");
            push_u64(out, u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        }
        out.push_str(",\"event.sequence\":");
        push_u64(out, e.seq);
        if let Some(s) = e.severity {
            out.push_str(",\"event.severity\":");
            push_u64(out, u64::from(s.otel_number()));
        }
        if self.opts.created.is_some() {
            out.push_str(",\"event.created\":\"");
            out.push_str(&self.created);
            out.push('"');
        }
        macro_rules! module {
            ($source:literal) => {
                concat!(
                    ",\"event.module\":\"cilog\",\"event.dataset\":\"cilog.",
                    $source,
                    "\",\"event.provider\":\"",
                    $source,
                    "\""
                )
            };
        }
        out.push_str(match e.source {
            Source::SwrJobLog => module!("swr-job-log"),
            Source::SwrJobHistory => module!("swr-job-history"),
            Source::CodeartsRealtimeLog => module!("codearts-realtime-log"),
            Source::CodeartsLog => module!("codearts-log"),
            Source::BkjobLog => module!("bkjob-log"),
            Source::BkjobIpLog => module!("bkjob-ip-log"),
            Source::BkjobStatus => module!("bkjob-status"),
        });
        let c = &e.ctx;
        opt_string(out, ",\"host.name\":", c.host.as_deref());
        opt_i64(out, ",\"process.pid\":", c.pid.map(i64::from));
        opt_i64(out, ",\"process.exit_code\":", c.exit_code);
        if let Some(t) = self.recent.error_type(e, input) {
            out.push_str(",\"error.type\":");
            name(out, t.as_str());
        }
        opt_string(out, ",\"labels.job\":", c.job.as_deref());
        opt_string(out, ",\"labels.step_id\":", c.step_id.as_deref());
        opt_string(out, ",\"labels.step_name\":", c.step_name.as_deref());
        if let Some(v) = c.attempt {
            out.push_str(",\"labels.attempt\":\"");
            push_u64(out, u64::from(v));
            out.push('"');
        }
        if let Some(s) = e.status {
            out.push_str(",\"labels.status\":");
            name(out, s.as_str());
        }
        if let Some(v) = &e.vendor_status {
            label(out, ",\"labels.vendor_status\":", v);
        }
        if let Some(v) = e.attr("build_no") {
            label(out, ",\"labels.build_no\":", v);
        }
        if e.time.is_some_and(|t| t.assumed()) {
            out.push_str(",\"labels.time_assumed\":\"true\"");
        }
        out.push_str(",\"cilog.input\":");
        string(out, input);
        if let Some(p) = e.progress {
            out.push_str(",\"cilog.progress\":");
            push_u64(out, u64::from(p));
        }
        notes(out, ",\"cilog.notes\":", e.notes);
        for (k, v) in &e.attrs {
            if *k == "build_no" {
                continue;
            }
            out.push_str(",\"cilog.attr.");
            string_body(out, k);
            out.push_str("\":");
            scalar(out, v);
        }
        out.push_str("}\n");
    }
}

/// `prefix` (`,"labels.k":`) and a vendor scalar as a string.
fn label(out: &mut String, prefix: &str, v: &Scalar<'_>) {
    out.push_str(prefix);
    match v.as_str() {
        Some(s) => string(out, s),
        None => {
            out.push('"');
            scalar(out, v);
            out.push('"');
        }
    }
}

/// `event.outcome` of a status, per ecosystem §B (gh's `IsFailureState`
/// does not count `cancelled` as a failure).
fn outcome(s: Status) -> Option<&'static str> {
    match s {
        Status::Succeeded => Some("success"),
        Status::Failed | Status::TimedOut | Status::Error => Some("failure"),
        Status::Cancelled | Status::Unknown => Some("unknown"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Scalar;
    use crate::note::Note;
    use crate::source::Source;
    use std::borrow::Cow;

    /// The fixed pieces name each source, kind and the version as the
    /// enums and the constant do.
    #[test]
    fn fixed_pieces_follow_the_names() {
        for source in Source::ALL {
            for kind in [EventKind::Line, EventKind::Phase, EventKind::Status] {
                for recovery in [false, true] {
                    let mut e = LogEvent::new(*source, kind, 3, Cow::Borrowed("m"));
                    if recovery {
                        e.notes.insert(Note::InvalidUtf8);
                    }
                    let d = doc(&e);
                    assert_eq!(d["ecs.version"], ECS_VERSION);
                    assert_eq!(d["event.action"], kind.as_str());
                    let want = if recovery { "pipeline_error" } else { "event" };
                    assert_eq!(d["event.kind"], want);
                    assert_eq!(d["event.module"], "cilog");
                    assert_eq!(d["event.dataset"], format!("cilog.{}", source.as_str()));
                    assert_eq!(d["event.provider"], source.as_str());
                }
            }
        }
    }

    fn doc(e: &LogEvent<'_>) -> serde_json::Map<String, serde_json::Value> {
        let mut out = String::new();
        EcsWriter::new(EcsOptions::without_clock()).push(e, "-", &mut out);
        assert!(out.ends_with("}\n") && out.matches('\n').count() == 1);
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn status_table() {
        let cases = [
            (EventKind::Status, Status::Succeeded, Some("success"), "end"),
            (EventKind::Status, Status::Failed, Some("failure"), "end"),
            (EventKind::Status, Status::TimedOut, Some("failure"), "end"),
            (EventKind::Status, Status::Error, Some("failure"), "end"),
            (EventKind::Status, Status::Cancelled, Some("unknown"), "end"),
            (EventKind::Status, Status::Unknown, Some("unknown"), "info"),
            (EventKind::Status, Status::Skipped, None, "end"),
            (EventKind::Status, Status::Ignored, None, "end"),
            (EventKind::Status, Status::Running, None, "info"),
            (EventKind::Phase, Status::Running, None, "start"),
            (EventKind::Phase, Status::Pending, None, "start"),
            (EventKind::Phase, Status::Blocked, None, "info"),
            (EventKind::Phase, Status::Failed, Some("failure"), "end"),
        ];
        for (kind, status, outcome, ty) in cases {
            let mut e = LogEvent::new(Source::BkjobStatus, kind, 7, Cow::Borrowed(""));
            e.status = Some(status);
            let d = doc(&e);
            let what = format!("{kind} {status}");
            assert_eq!(
                d.get("event.outcome").and_then(|v| v.as_str()),
                outcome,
                "{what}"
            );
            assert_eq!(d["event.type"], serde_json::json!([ty]), "{what}");
            assert_eq!(
                d["event.category"],
                serde_json::json!(["process"]),
                "{what}"
            );
            assert_eq!(d["labels.status"], status.as_str(), "{what}");
            assert_eq!(d["event.action"], kind.as_str(), "{what}");
        }
        let line = doc(&LogEvent::new(
            Source::BkjobLog,
            EventKind::Line,
            0,
            Cow::Borrowed("x"),
        ));
        assert!(!line.contains_key("event.type") && !line.contains_key("event.category"));
        assert!(!line.contains_key("@timestamp") && !line.contains_key("log.level"));
    }

    #[test]
    fn labels_are_strings_and_recoveries_are_pipeline_errors() {
        let mut e = LogEvent::new(Source::SwrJobLog, EventKind::Line, 3, Cow::Borrowed("m"));
        e.vendor_status = Some(Scalar::Int(13));
        e.ctx.attempt = Some(2);
        e.ctx.exit_code = Some(-1);
        e.attrs.push(("build_no", Scalar::Int(5)));
        e.attrs.push(("tag", Scalar::Str("t".into())));
        e.notes.insert(Note::InvalidTime);
        let d = doc(&e);
        assert_eq!(d["labels.vendor_status"], "13");
        assert_eq!(d["labels.attempt"], "2");
        assert_eq!(d["labels.build_no"], "5");
        assert_eq!(d["process.exit_code"], -1);
        assert_eq!(d["cilog.attr.tag"], "t");
        assert!(!d.contains_key("cilog.attr.build_no"));
        assert_eq!(d["event.kind"], "pipeline_error");
        assert_eq!(d["cilog.notes"], serde_json::json!(["invalid_time"]));
        assert_eq!(d["cilog.input"], "-");
    }

    /// An event with no time takes the export's clock as `@timestamp`
    /// (ECS requires one), marked `labels.time_missing`; one with a time
    /// keeps it, unmarked.
    #[test]
    fn a_missing_time_is_the_clock_and_marked() {
        let clock = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut w = EcsWriter::new(EcsOptions::new(clock));
        let mut out = String::new();
        let e = LogEvent::new(Source::SwrJobLog, EventKind::Line, 0, Cow::Borrowed("m"));
        w.push(&e, "-", &mut out);
        let d: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(d["@timestamp"], "2023-11-14T22:13:20.000Z");
        assert_eq!(d["labels.time_missing"], "true");
        let log = "[2023/12/21 15:44:18.793 GMT+08:00] m\n";
        let timed = crate::parse_as(Source::CodeartsLog, log, &crate::Options::default())
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        out.clear();
        w.push(&timed, "-", &mut out);
        let d: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(d["@timestamp"], "2023-12-21T15:44:18.793+08:00");
        assert!(d.get("labels.time_missing").is_none());
    }
}
