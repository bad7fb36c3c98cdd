//! The unified event every source produces, and its parts.
//!
//! Nothing here knows a vendor: sources fill a [`LogEvent`] and hand it out.

use std::borrow::Cow;
use std::fmt;
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// A scalar exactly as the vendor sent it: a string stays a string, a number
/// a number. Used for `vendor_status` and for the extra attributes.
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
/// Every field is optional; a source fills what its payload carries.
#[derive(Clone, Debug, Default, PartialEq)]
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
#[derive(Clone, Debug, PartialEq)]
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
