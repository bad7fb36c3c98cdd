//! The unified event every source produces, and its parts.
//!
//! Nothing here knows a vendor: sources fill a [`LogEvent`] and hand it out.

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;
use std::time::Duration;

use crate::error::Error;
use crate::note::Notes;
use crate::severity::Severity;
use crate::source::Source;
use crate::status::Status;
use crate::time::Timestamp;

/// What a vendor reader hands the dispatch: its events read lazily (`I`),
/// or events it had to read ahead (owned after a lossy UTF-8 copy or a
/// repair, or a payload read whole).
pub(crate) enum Parsed<'a, I> {
    /// Read as iterated.
    Lazy(I),
    /// Already read.
    Ready(std::vec::IntoIter<LogEvent<'a>>),
}

impl<'a, I> Parsed<'a, I> {
    /// Events already read.
    pub(crate) fn ready(events: Vec<LogEvent<'a>>) -> Self {
        Parsed::Ready(events.into_iter())
    }
}

impl<'a, I: Iterator<Item = Result<LogEvent<'a>, Error>>> Iterator for Parsed<'a, I> {
    type Item = Result<LogEvent<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Parsed::Lazy(it) => it.next(),
            Parsed::Ready(it) => it.next().map(Ok),
        }
    }
}

/// What an event stands for.
///
/// Not exhaustive: more kinds may come with more sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// One line (or one entry) of log output.
    Line,
    /// A phase or step boundary (a step started or finished, a template marker).
    Phase,
    /// A status record of a job, step or host.
    Status,
}

impl EventKind {
    /// `"line"`, `"phase"` or `"status"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Line => "line",
            EventKind::Phase => "phase",
            EventKind::Status => "status",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](EventKind::as_str) name, as in the NDJSON `kind` key.
impl serde::Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A scalar exactly as the vendor sent it: a string stays a string, a number
/// a number. Used for `vendor_status` and for the extra attributes.
///
/// Exhaustive on purpose: the variants are the JSON scalar kinds (a JSON
/// `null` is an absent value), so code converting a `Scalar` into its own
/// value type can match every case.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    /// A JSON string (or a text token).
    Str(Cow<'a, str>),
    /// A JSON integer.
    Int(i64),
    /// A JSON number with a fraction or exponent, or one too large for `i64`.
    Float(f64),
    /// A JSON boolean.
    Bool(bool),
}

impl Scalar<'_> {
    /// Copies any borrowed text so the value no longer borrows the input.
    pub fn into_owned(self) -> Scalar<'static> {
        match self {
            Scalar::Str(s) => Scalar::Str(Cow::Owned(s.into_owned())),
            Scalar::Int(i) => Scalar::Int(i),
            Scalar::Float(f) => Scalar::Float(f),
            Scalar::Bool(b) => Scalar::Bool(b),
        }
    }

    /// The text of a string value, `None` for the other kinds.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer, `None` for the other kinds.
    ///
    /// A number sent as a string (`"42"`) stays a string, as sent: this
    /// does not parse text, and a float is not rounded.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The value of a number (an integer converted, possibly rounded), `None`
    /// for strings and booleans.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Int(i) => Some(*i as f64),
            Scalar::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The value of a boolean, `None` for the other kinds.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Str(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Where an event happened: job, step, host, process.
///
/// Every field is optional; a source fills what its payload carries. Not
/// exhaustive: start from [`Context::default`] and set the fields.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Context<'a> {
    /// The job (or build, or job instance) identifier.
    pub job: Option<Cow<'a, str>>,
    /// The step identifier (CodeArts plugin id, BlueKing step instance id).
    pub step_id: Option<Cow<'a, str>>,
    /// The step's display name.
    pub step_name: Option<Cow<'a, str>>,
    /// The host (an IP address, or a host id when no address is given).
    pub host: Option<Cow<'a, str>>,
    /// The process id printed by the script template.
    pub pid: Option<u32>,
    /// The exit code of the script or step.
    pub exit_code: Option<i64>,
    /// Which run of a retried step this is (0 for the first run, as sent).
    pub attempt: Option<u32>,
}

impl Context<'_> {
    /// Copies any borrowed text so the context no longer borrows the input.
    pub fn into_owned(self) -> Context<'static> {
        Context {
            job: self.job.map(own),
            step_id: self.step_id.map(own),
            step_name: self.step_name.map(own),
            host: self.host.map(own),
            pid: self.pid,
            exit_code: self.exit_code,
            attempt: self.attempt,
        }
    }
}

/// `c.clone()`, inline: context text is copied into most events, and
/// `Cow::clone` is an out-of-line call per field, per event.
#[inline(always)]
pub(crate) fn share_text<'c>(c: &Cow<'c, str>) -> Cow<'c, str> {
    match c {
        Cow::Borrowed(s) => Cow::Borrowed(s),
        Cow::Owned(s) => Cow::Owned(s.clone()),
    }
}

fn own(s: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(s.into_owned())
}

/// One unified log event.
///
/// Text borrows from the input (`Cow::Borrowed`) wherever no unescaping or
/// cleaning was needed; [`LogEvent::into_owned`] detaches it.
///
/// Not exhaustive (fields will be added): build one with [`LogEvent::new`]
/// and set the public fields.
///
/// [`Display`](fmt::Display) writes one human line (see its impl);
/// [`Serialize`](serde::Serialize) writes the same JSON object as the
/// NDJSON line ([`LogEvent::to_ndjson`]).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct LogEvent<'a> {
    /// The payload kind that produced the event.
    pub source: Source,
    /// Line, phase or status.
    pub kind: EventKind,
    /// 0-based position of the event in its input; stable for the same input
    /// and options.
    pub seq: u64,
    /// When it happened, with the offset the source gave (or an assumed one,
    /// see [`Timestamp::assumed`]). `None` when the source gave no time: a time
    /// is never invented or inherited from another line.
    pub time: Option<Timestamp>,
    /// The unified severity, when the source gave a level.
    pub severity: Option<Severity>,
    /// The level token exactly as the source wrote it (`WARNING`, `warn`).
    pub severity_text: Option<Cow<'a, str>>,
    /// The unified status of a status or phase event.
    pub status: Option<Status>,
    /// The vendor's status value exactly as sent (string or number).
    pub vendor_status: Option<Scalar<'a>>,
    /// Progress in percent, 0–100.
    pub progress: Option<u8>,
    /// How long the job, step or host run took, when the source says.
    pub duration: Option<Duration>,
    /// Job, step, host and process context.
    pub ctx: Context<'a>,
    /// The message text (cleaned of ANSI escapes unless the options say otherwise).
    pub message: Cow<'a, str>,
    /// What lenient mode noticed, recovered or could not parse on this event.
    pub notes: Notes,
    /// Further vendor fields worth keeping (`tag`, `creator_name`, `file_size`, …),
    /// in payload order.
    pub attrs: Vec<(&'static str, Scalar<'a>)>,
}

impl<'a> LogEvent<'a> {
    /// A bare event of the given kind; every optional field empty.
    pub fn new(source: Source, kind: EventKind, seq: u64, message: Cow<'a, str>) -> Self {
        LogEvent {
            source,
            kind,
            seq,
            time: None,
            severity: None,
            severity_text: None,
            status: None,
            vendor_status: None,
            progress: None,
            duration: None,
            ctx: Context::default(),
            message,
            notes: Notes::EMPTY,
            attrs: Vec::new(),
        }
    }

    /// Copies every borrowed string, so the event outlives its input.
    pub fn into_owned(self) -> LogEvent<'static> {
        LogEvent {
            source: self.source,
            kind: self.kind,
            seq: self.seq,
            time: self.time,
            severity: self.severity,
            severity_text: self.severity_text.map(own),
            status: self.status,
            vendor_status: self.vendor_status.map(Scalar::into_owned),
            progress: self.progress,
            duration: self.duration,
            ctx: self.ctx.into_owned(),
            message: own(self.message),
            notes: self.notes,
            attrs: self
                .attrs
                .into_iter()
                .map(|(k, v)| (k, v.into_owned()))
                .collect(),
        }
    }

    /// The value of an extra attribute, if the event has it.
    pub fn attr(&self, key: &str) -> Option<&Scalar<'a>> {
        self.attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// One human line: time, severity, where, then `│` and what happened.
///
/// `2024-05-01T10:00:00+08:00 ERROR build@10.0.0.1 │ message`
///
/// - the time as RFC 3339 ([`Timestamp`]'s `Display`);
/// - the severity in capitals;
/// - where: the step name (or, without one, the step id), then `@` and the
///   host: `build@10.0.0.1`, `build`, `@10.0.0.1`;
/// - for a phase or status event with a status, the status and a colon
///   before the message (`succeeded`, `failed: job_fail:[copy failed]`),
///   since such events often have no message of their own.
///
/// Absent parts are left out, with their space; with nothing before it the
/// `│` is left out too, and with nothing after it the line ends there.
/// Control characters (and U+2028, U+2029, U+FEFF) in the text are escaped
/// as Rust writes them (`\n`, `\u{1b}`), so the line stays one
/// terminal-safe line; other text, quotes and backslashes included, is
/// written as it is.
impl fmt::Display for LogEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(t) = &self.time {
            write!(f, "{t}")?;
            sep = " ";
        }
        if let Some(s) = self.severity {
            f.write_str(sep)?;
            for c in s.as_str().chars() {
                f.write_char(c.to_ascii_uppercase())?;
            }
            sep = " ";
        }
        let step = self.ctx.step_name.as_ref().or(self.ctx.step_id.as_ref());
        if step.is_some() || self.ctx.host.is_some() {
            f.write_str(sep)?;
            if let Some(step) = step {
                write_escaped(f, step)?;
            }
            if let Some(host) = &self.ctx.host {
                f.write_char('@')?;
                write_escaped(f, host)?;
            }
            sep = " ";
        }
        let status = match self.kind {
            EventKind::Phase | EventKind::Status => self.status,
            EventKind::Line => None,
        };
        if !sep.is_empty() {
            f.write_str(" │")?;
            if status.is_some() || !self.message.is_empty() {
                f.write_char(' ')?;
            }
        }
        if let Some(st) = status {
            f.write_str(st.as_str())?;
            if !self.message.is_empty() {
                f.write_str(": ")?;
            }
        }
        write_escaped(f, &self.message)
    }
}

/// Writes `s`, escaping what would break a one-line, terminal-safe
/// rendering: control characters, U+2028, U+2029 and U+FEFF.
pub(crate) fn write_escaped<W: fmt::Write + ?Sized>(f: &mut W, s: &str) -> fmt::Result {
    // Printable ASCII only (most lines): nothing to escape, no char walk.
    if printable_ascii(s.as_bytes()) {
        return f.write_str(s);
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
            f.write_str(s.get(start..i).unwrap_or_default())?;
            write!(f, "{}", c.escape_default())?;
            start = i + c.len_utf8();
        }
    }
    f.write_str(s.get(start..).unwrap_or_default())
}

/// Whether every byte is printable ASCII (0x20..=0x7e), checked sixteen
/// bytes at a time without a branch per byte.
fn printable_ascii(b: &[u8]) -> bool {
    let bad = |c: u8| u8::from(!(0x20..0x7f).contains(&c));
    let mut chunks = b.chunks_exact(16);
    for chunk in &mut chunks {
        if chunk.iter().fold(0u8, |acc, &c| acc | bad(c)) != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(|&c| bad(c) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone as _};

    /// The char-by-char escape `write_escaped` did before its shortcut.
    fn escaped_reference(t: &str) -> String {
        t.chars()
            .flat_map(|ch| {
                if ch.is_control() || matches!(ch, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                    ch.escape_default().collect::<Vec<_>>()
                } else {
                    vec![ch]
                }
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// Any text, mostly printable ASCII with controls, DEL and
        /// non-ASCII mixed in, escapes as the char walk does.
        #[test]
        fn escaping_agrees_with_the_char_walk(
            t in "([ -~]{0,40}|[\\x00-\\x1f\\x7f]|\\PC|\u{2028}|\u{85}){0,12}"
        ) {
            let mut out = String::new();
            write_escaped(&mut out, &t).unwrap();
            proptest::prop_assert_eq!(out, escaped_reference(&t));
        }
    }

    /// The printable-ASCII shortcut takes exactly the texts with nothing to
    /// escape: a control, DEL or any non-ASCII byte at any offset goes the
    /// careful way, and what it writes is the same either way.
    #[test]
    fn escaping_shortcut_is_exact() {
        for len in 0..40 {
            let plain = "a".repeat(len);
            assert!(printable_ascii(plain.as_bytes()));
            for at in 0..len {
                for c in ['\u{1}', '\u{7f}', 'é', '\u{2028}', '\n'] {
                    let mut t: Vec<char> = plain.chars().collect();
                    t[at] = c;
                    let t: String = t.into_iter().collect();
                    assert!(!printable_ascii(t.as_bytes()), "{t:?}");
                    let mut out = String::new();
                    write_escaped(&mut out, &t).unwrap();
                    assert_eq!(out, escaped_reference(&t));
                }
            }
        }
    }

    fn at(offset_hours: i32, frac: u8, assumed: bool) -> Timestamp {
        let o = FixedOffset::east_opt(offset_hours * 3600).unwrap();
        let dt = o.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
        Timestamp::new(dt, frac, assumed)
    }

    fn event(kind: EventKind, message: &str) -> LogEvent<'_> {
        LogEvent::new(Source::CodeartsLog, kind, 0, Cow::Borrowed(message))
    }

    #[test]
    fn display_table() {
        let mut full = event(EventKind::Line, "BUILD FAILURE");
        full.time = Some(at(8, 0, false));
        full.severity = Some(Severity::Error);
        full.ctx.step_name = Some("build".into());
        full.ctx.step_id = Some("external_post_maven".into());
        full.ctx.host = Some("10.0.0.1".into());

        let mut id_only = event(EventKind::Line, "x");
        id_only.ctx.step_id = Some("s1".into());
        id_only.time = Some(at(0, 3, true));

        let mut host_only = event(EventKind::Line, "cp: cannot stat");
        host_only.ctx.host = Some("10.0.0.2".into());

        let mut status = event(EventKind::Status, "");
        status.status = Some(Status::Succeeded);
        status.ctx.step_name = Some("deploy app".into());
        status.ctx.host = Some("10.0.0.1".into());

        let mut phase = event(EventKind::Phase, "job_fail:[copy failed]");
        phase.status = Some(Status::Failed);
        phase.time = Some(at(8, 0, false));

        let mut line_with_status = event(EventKind::Line, "BUILD OK");
        line_with_status.status = Some(Status::Running);
        line_with_status.severity = Some(Severity::Warn);

        let mut empty = event(EventKind::Line, "");
        empty.severity = Some(Severity::Info);

        let mut hostile = event(
            EventKind::Line,
            "a\nb\r\u{1b}[31mred\u{7f}\u{2028}\u{feff}\t\"q\" \\",
        );
        hostile.ctx.step_name = Some("st\nep".into());
        hostile.ctx.host = Some("h\u{0}".into());

        let cases = [
            (
                &full,
                "2024-05-01T10:00:00+08:00 ERROR build@10.0.0.1 │ BUILD FAILURE",
            ),
            (&id_only, "2024-05-01T10:00:00.000Z s1 │ x"),
            (&host_only, "@10.0.0.2 │ cp: cannot stat"),
            (&status, "deploy app@10.0.0.1 │ succeeded"),
            (
                &phase,
                "2024-05-01T10:00:00+08:00 │ failed: job_fail:[copy failed]",
            ),
            (&line_with_status, "WARN │ BUILD OK"),
            (&empty, "INFO │"),
            (
                &hostile,
                "st\\nep@h\\u{0} │ a\\nb\\r\\u{1b}[31mred\\u{7f}\\u{2028}\\u{feff}\\t\"q\" \\",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
        assert_eq!(event(EventKind::Line, "bare").to_string(), "bare");
        assert_eq!(event(EventKind::Line, "").to_string(), "");
        let mut bare_status = event(EventKind::Status, "");
        bare_status.status = Some(Status::Unknown);
        assert_eq!(bare_status.to_string(), "unknown");
    }

    #[test]
    fn scalar_accessors() {
        let s = Scalar::Str("42".into());
        assert_eq!(
            (s.as_str(), s.as_i64(), s.as_f64(), s.as_bool()),
            (Some("42"), None, None, None)
        );
        let i = Scalar::Int(-7);
        assert_eq!(
            (i.as_str(), i.as_i64(), i.as_f64(), i.as_bool()),
            (None, Some(-7), Some(-7.0), None)
        );
        let f = Scalar::Float(2.5);
        assert_eq!(
            (f.as_str(), f.as_i64(), f.as_f64(), f.as_bool()),
            (None, None, Some(2.5), None)
        );
        let b = Scalar::Bool(true);
        assert_eq!(
            (b.as_str(), b.as_i64(), b.as_f64(), b.as_bool()),
            (None, None, None, Some(true))
        );
    }
}
