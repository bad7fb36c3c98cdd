//! The NDJSON rendering of a [`LogEvent`]: one JSON object per line, fixed
//! key names and order, absent values omitted.
//!
//! Keys, in order: `source`, `kind`, `seq`, `time`, `time_assumed` (only when
//! true), `severity`, `severity_text`, `status`, `vendor_status`, `progress`,
//! `duration` (seconds), `job`, `step_id`, `step_name`, `host`, `pid`,
//! `exit_code`, `attempt`, `message` (always), `notes` (array, when any),
//! `attrs` (object, when any).
//!
//! The output is valid JSON for any event: control characters are escaped,
//! and text is always valid UTF-8 (invalid input bytes were replaced earlier,
//! with a note).

use std::fmt::Write as _;
use std::io;

use crate::event::{LogEvent, Scalar};

impl LogEvent<'_> {
    /// Appends the event's NDJSON line (with its `\n`) to `out`.
    pub fn write_ndjson_to(&self, out: &mut String) {
        out.push('{');
        key(out, "source", true);
        string(out, self.source.as_str());
        key(out, "kind", false);
        string(out, self.kind.as_str());
        key(out, "seq", false);
        let _ = write!(out, "{}", self.seq);
        if let Some(t) = &self.time {
            key(out, "time", false);
            out.push('"');
            let _ = write!(out, "{t}");
            out.push('"');
            if t.assumed() {
                key(out, "time_assumed", false);
                out.push_str("true");
            }
        }
        if let Some(s) = self.severity {
            key(out, "severity", false);
            string(out, s.as_str());
        }
        if let Some(s) = &self.severity_text {
            key(out, "severity_text", false);
            string(out, s);
        }
        if let Some(s) = self.status {
            key(out, "status", false);
            string(out, s.as_str());
        }
        if let Some(v) = &self.vendor_status {
            key(out, "vendor_status", false);
            scalar(out, v);
        }
        if let Some(p) = self.progress {
            key(out, "progress", false);
            let _ = write!(out, "{p}");
        }
        if let Some(d) = self.duration {
            key(out, "duration", false);
            seconds(out, d);
        }
        let c = &self.ctx;
        for (name, value) in [
            ("job", &c.job),
            ("step_id", &c.step_id),
            ("step_name", &c.step_name),
            ("host", &c.host),
        ] {
            if let Some(v) = value {
                key(out, name, false);
                string(out, v);
            }
        }
        if let Some(v) = c.pid {
            key(out, "pid", false);
            let _ = write!(out, "{v}");
        }
        if let Some(v) = c.exit_code {
            key(out, "exit_code", false);
            let _ = write!(out, "{v}");
        }
        if let Some(v) = c.attempt {
            key(out, "attempt", false);
            let _ = write!(out, "{v}");
        }
        key(out, "message", false);
        string(out, &self.message);
        if !self.notes.is_empty() {
            key(out, "notes", false);
            out.push('[');
            for (i, n) in self.notes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, n.code());
            }
            out.push(']');
        }
        if !self.attrs.is_empty() {
            key(out, "attrs", false);
            out.push('{');
            for (i, (k, v)) in self.attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                scalar(out, v);
            }
            out.push('}');
        }
        out.push_str("}\n");
    }

    /// The event's NDJSON line, including its `\n`.
    pub fn to_ndjson(&self) -> String {
        let mut s = String::with_capacity(128 + self.message.len());
        self.write_ndjson_to(&mut s);
        s
    }

    /// Writes the event's NDJSON line (with its `\n`) in one call, so an
    /// error never leaves a partial line from this event.
    ///
    /// # Errors
    /// Whatever the writer returns.
    pub fn write_ndjson<W: io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(self.to_ndjson().as_bytes())
    }
}

fn key(out: &mut String, name: &str, first: bool) {
    if !first {
        out.push(',');
    }
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

fn scalar(out: &mut String, v: &Scalar<'_>) {
    match v {
        Scalar::Str(s) => string(out, s),
        Scalar::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Scalar::Float(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        Scalar::Float(_) => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Seconds with up to nine exact fraction digits, trailing zeros trimmed.
fn seconds(out: &mut String, d: std::time::Duration) {
    let _ = write!(out, "{}", d.as_secs());
    let nanos = d.subsec_nanos();
    if nanos > 0 {
        let mut frac = format!("{nanos:09}");
        while frac.ends_with('0') {
            frac.pop();
        }
        out.push('.');
        out.push_str(&frac);
    }
}

/// Writes `s` as a JSON string literal.
pub(crate) fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: &str = match c {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f | 0x7f => "",
            _ => continue,
        };
        out.push_str(s.get(start..i).unwrap_or_default());
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", c);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(s.get(start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::note::Note;
    use crate::sources::Source;
    use std::borrow::Cow;
    use std::time::Duration;

    #[test]
    fn minimal_event() {
        let e = LogEvent::new(
            Source::SwrJobLog,
            EventKind::Line,
            3,
            Cow::Borrowed("hi \"x\"\n\u{1b}[0m\u{7f}"),
        );
        assert_eq!(
            e.to_ndjson(),
            "{\"source\":\"swr-job-log\",\"kind\":\"line\",\"seq\":3,\"message\":\"hi \\\"x\\\"\\n\\u001b[0m\\u007f\"}\n"
        );
        let v: serde_json::Value = serde_json::from_str(&e.to_ndjson()).unwrap();
        assert_eq!(v["message"], "hi \"x\"\n\u{1b}[0m\u{7f}");
    }

    #[test]
    fn every_field() {
        let mut e = LogEvent::new(
            Source::SwrJobHistory,
            EventKind::Status,
            0,
            Cow::Borrowed(""),
        );
        e.severity = Some(crate::Severity::Warn);
        e.severity_text = Some("WARNING".into());
        e.status = Some(crate::Status::TimedOut);
        e.vendor_status = Some(Scalar::Int(13));
        e.progress = Some(40);
        e.duration = Some(Duration::from_millis(60_599));
        e.ctx.job = Some("2210".into());
        e.ctx.step_id = Some("s1".into());
        e.ctx.step_name = Some("检查".into());
        e.ctx.host = Some("10.0.0.1".into());
        e.ctx.pid = Some(56875);
        e.ctx.exit_code = Some(-1);
        e.ctx.attempt = Some(0);
        e.notes.insert(Note::UnknownStatus);
        e.notes.insert(Note::InvalidUtf8);
        e.attrs.push(("tag", Scalar::Str("ok".into())));
        e.attrs.push(("ratio", Scalar::Float(0.5)));
        e.attrs.push(("finished", Scalar::Bool(false)));
        assert_eq!(
            e.to_ndjson(),
            concat!(
                "{\"source\":\"swr-job-history\",\"kind\":\"status\",\"seq\":0,\"severity\":\"warn\",",
                "\"severity_text\":\"WARNING\",\"status\":\"timed_out\",\"vendor_status\":13,\"progress\":40,",
                "\"duration\":60.599,\"job\":\"2210\",\"step_id\":\"s1\",\"step_name\":\"检查\",\"host\":\"10.0.0.1\",",
                "\"pid\":56875,\"exit_code\":-1,\"attempt\":0,\"message\":\"\",",
                "\"notes\":[\"invalid_utf8\",\"unknown_status\"],",
                "\"attrs\":{\"tag\":\"ok\",\"ratio\":0.5,\"finished\":false}}\n"
            )
        );
        serde_json::from_str::<serde_json::Value>(&e.to_ndjson()).unwrap();
    }

    #[test]
    fn durations_are_exact() {
        let mut s = String::new();
        seconds(&mut s, Duration::from_secs(9));
        s.push(' ');
        seconds(&mut s, Duration::from_nanos(1_204_000_000));
        s.push(' ');
        seconds(&mut s, Duration::from_nanos(1));
        assert_eq!(s, "9 1.204 0.000000001");
    }
}
