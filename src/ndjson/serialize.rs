//! `serde::Serialize` for the event model: the same JSON object as the
//! NDJSON line, key for key.
//!
//! With serde_json the output is byte for byte the line
//! [`LogEvent::write_ndjson_to`] writes (without its `\n`); the proptest at
//! the bottom checks that. Where serde_json would write a value differently
//! from the NDJSON writer, the value goes out as a serde_json raw value
//! holding the writer's text:
//!
//! - a string holding U+0008, U+000C or U+007F (serde_json writes `\b` and
//!   `\f`, and DEL unescaped; the writer `\u0008`, `\u000c`, `\u007f`);
//! - a number serde_json's shortest form spells otherwise: a float the
//!   writer writes without an exponent where serde_json would use one,
//!   `-0`, a whole float past 2^64, a duration with more digits than an
//!   `f64` holds. (A whole float the writer writes as an integer, `1` for
//!   `1.0`, goes out as that integer.)
//!
//! Other human-readable formats see such a value as serde_json's raw-value
//! struct; non-human-readable (binary) formats get the plain string or
//! `f64`.

use serde::Serialize;
use serde::ser::{Error as _, SerializeStruct, Serializer};
use std::fmt::{self, Write as _};
use std::time::Duration;

use super::{seconds, string};
use crate::event::{Context, LogEvent, Scalar};
use crate::steps::StepSpan;

/// Serializes `v` as field `key`, or skips the field when `v` is `None`.
fn field<S, T>(st: &mut S, key: &'static str, v: Option<T>) -> Result<(), S::Error>
where
    S: SerializeStruct,
    T: Serialize,
{
    match v {
        Some(v) => st.serialize_field(key, &v),
        None => st.skip_field(key),
    }
}

/// A string, escaped as the NDJSON writer escapes it.
struct Text<'s>(&'s str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The only bytes serde_json escapes differently (or not at all).
        if s.is_human_readable() && memchr::memchr3(0x08, 0x0c, 0x7f, self.0.as_bytes()).is_some() {
            let mut json = String::with_capacity(self.0.len() + 16);
            string(&mut json, self.0);
            return raw(s, json);
        }
        s.serialize_str(self.0)
    }
}

/// A JSON number whose NDJSON text is `text`.
struct Number<'t>(&'t str);

impl Serialize for Number<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = self.0;
        if let Ok(i) = text.parse::<i64>()
            && displays_as(&i, text)
        {
            return s.serialize_i64(i);
        }
        if let Ok(u) = text.parse::<u64>()
            && displays_as(&u, text)
        {
            return s.serialize_u64(u);
        }
        let Ok(x) = text.parse::<f64>() else {
            return raw(s, text.to_owned());
        };
        // serde_json writes an `f64` as its `Number` displays it.
        let same = serde_json::Number::from_f64(x).is_some_and(|n| displays_as(&n, text));
        if same || !s.is_human_readable() {
            s.serialize_f64(x)
        } else {
            raw(s, text.to_owned())
        }
    }
}

/// Whether `v` displays exactly as `text`, without allocating.
fn displays_as(v: &impl fmt::Display, text: &str) -> bool {
    /// What is left of the text to match; `None` after a mismatch.
    struct Rest<'t>(Option<&'t str>);
    impl fmt::Write for Rest<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 = self.0.and_then(|rest| rest.strip_prefix(s));
            Ok(())
        }
    }
    let mut rest = Rest(Some(text));
    write!(rest, "{v}").is_ok() && rest.0 == Some("")
}

/// `json` as a serde_json raw value (valid JSON by construction).
fn raw<S: Serializer>(s: S, json: String) -> Result<S::Ok, S::Error> {
    serde_json::value::RawValue::from_string(json)
        .map_err(S::Error::custom)?
        .serialize(s)
}

/// A duration in seconds, as the NDJSON `duration` number.
struct Secs(Duration);

impl Serialize for Secs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::new();
        seconds(&mut text, self.0);
        Number(&text).serialize(s)
    }
}

/// A string as it is, a number as its JSON number (a non-finite float as
/// `null`), a boolean as `true`/`false`: what the NDJSON line writes for
/// `vendor_status` and the `attrs` values.
impl Serialize for Scalar<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Str(t) => Text(t).serialize(s),
            Scalar::Int(i) => s.serialize_i64(*i),
            Scalar::Float(x) if x.is_finite() => Number(&x.to_string()).serialize(s),
            Scalar::Float(_) => s.serialize_none(),
            Scalar::Bool(b) => s.serialize_bool(*b),
        }
    }
}

/// The context keys of the NDJSON line, in order, absent ones left out:
/// `job`, `step_id`, `step_name`, `host`, `pid`, `exit_code`, `attempt`.
impl Serialize for Context<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Context", context_len(self))?;
        context_fields(&mut st, self)?;
        st.end()
    }
}

fn context_len(c: &Context<'_>) -> usize {
    [
        c.job.is_some(),
        c.step_id.is_some(),
        c.step_name.is_some(),
        c.host.is_some(),
        c.pid.is_some(),
        c.exit_code.is_some(),
        c.attempt.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count()
}

fn context_fields<S: SerializeStruct>(st: &mut S, c: &Context<'_>) -> Result<(), S::Error> {
    field(st, "job", c.job.as_deref().map(Text))?;
    field(st, "step_id", c.step_id.as_deref().map(Text))?;
    field(st, "step_name", c.step_name.as_deref().map(Text))?;
    field(st, "host", c.host.as_deref().map(Text))?;
    field(st, "pid", c.pid)?;
    field(st, "exit_code", c.exit_code)?;
    field(st, "attempt", c.attempt)
}

/// The `attrs` object: keys in payload order. The keys are this crate's
/// own plain names, so serde_json escapes them as the writer does.
struct Attrs<'e, 'a>(&'e [(&'static str, Scalar<'a>)]);

impl Serialize for Attrs<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (*k, v)))
    }
}

/// The NDJSON object of the event: the keys of
/// [`write_ndjson_to`](LogEvent::write_ndjson_to), in its order, with its
/// omissions (see the [`LogEvent`] docs).
///
/// ```
/// use std::borrow::Cow;
/// use cilog::{EventKind, LogEvent, Source};
///
/// let e = LogEvent::new(Source::CodeartsLog, EventKind::Line, 7, Cow::Borrowed("hi"));
/// let json = serde_json::to_string(&e).unwrap();
/// assert_eq!(json, r#"{"source":"codearts-log","kind":"line","seq":7,"message":"hi"}"#);
/// assert_eq!(json + "\n", e.to_ndjson());
/// ```
impl Serialize for LogEvent<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let assumed = self.time.filter(|t| t.assumed()).map(|_| true);
        let len = 4 // source, kind, seq, message
            + context_len(&self.ctx)
            + [
                self.time.is_some(),
                assumed.is_some(),
                self.severity.is_some(),
                self.severity_text.is_some(),
                self.status.is_some(),
                self.vendor_status.is_some(),
                self.progress.is_some(),
                self.duration.is_some(),
                !self.notes.is_empty(),
                !self.attrs.is_empty(),
            ]
            .iter()
            .filter(|&&b| b)
            .count();
        let mut st = s.serialize_struct("LogEvent", len)?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("seq", &self.seq)?;
        field(&mut st, "time", self.time)?;
        field(&mut st, "time_assumed", assumed)?;
        field(&mut st, "severity", self.severity)?;
        field(
            &mut st,
            "severity_text",
            self.severity_text.as_deref().map(Text),
        )?;
        field(&mut st, "status", self.status)?;
        field(&mut st, "vendor_status", self.vendor_status.as_ref())?;
        field(&mut st, "progress", self.progress)?;
        field(&mut st, "duration", self.duration.map(Secs))?;
        context_fields(&mut st, &self.ctx)?;
        st.serialize_field("message", &Text(&self.message))?;
        let notes = Some(self.notes).filter(|n| !n.is_empty());
        field(&mut st, "notes", notes)?;
        let attrs = Some(Attrs(&self.attrs)).filter(|a| !a.0.is_empty());
        field(&mut st, "attrs", attrs)?;
        st.end()
    }
}

/// A JSON object in the NDJSON style: `step_id`, `step_name`, `host`,
/// `start`, `end` (RFC 3339 strings), `status`, `duration` (seconds, as the
/// NDJSON `duration`) and `events`; unknown values (and a step's `host`)
/// left out.
impl Serialize for StepSpan<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let duration = self.duration();
        let len = 3 // step_id, status, events
            + [
                self.step_name.is_some(),
                self.host.is_some(),
                self.start.is_some(),
                self.end.is_some(),
                duration.is_some(),
            ]
            .iter()
            .filter(|&&b| b)
            .count();
        let mut st = s.serialize_struct("StepSpan", len)?;
        st.serialize_field("step_id", &Text(&self.step_id))?;
        field(&mut st, "step_name", self.step_name.as_deref().map(Text))?;
        field(&mut st, "host", self.host.as_deref().map(Text))?;
        field(&mut st, "start", self.start)?;
        field(&mut st, "end", self.end)?;
        st.serialize_field("status", &self.status)?;
        field(&mut st, "duration", duration.map(Secs))?;
        st.serialize_field("events", &self.events)?;
        st.end()
    }
}
