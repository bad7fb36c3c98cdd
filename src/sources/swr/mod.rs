//! Huawei ContainerOps/SWR pipeline step job log and job history.
//!
//! The job log is one JSON object; `log[i].content` is the *text* of a JSON
//! array of entries `{Type, Message, Time, State, Progress}` (Go field names),
//! so it is decoded twice: once as the outer string, once as the inner array.
//! Go's `\u003e` escapes survive the first decode and become `>` in the second.
//!
//! Quirks handled here (research/formats.md §1): every scalar may be a number
//! or a numeric string; `state` in any case, including the undocumented
//! `success`; `status` as an alias of `state`; `pkg` null or an object; the
//! docs' example with *unescaped* inner quotes (recovered in lenient mode by
//! reading the bare inner array, an error in strict mode).

use std::borrow::Cow;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Parsed, Scalar};
use crate::json::{self, Obj, Raw, Utf8Input, clip, keep_raw};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;
use crate::status::Status;

/// Job and inner-entry states, matched ignoring ASCII case and white space.
/// Job states per the docs: Waiting, Building, Successful (seen as
/// `success`), Failed, Timeout, Cancel. Inner entry states seen: waiting,
/// pulling (preparing the code pull; pending-ish per research), Building,
/// Successful. `running` is the pipeline-level word for Building.
pub(crate) const STATES: &[(&str, Status)] = &[
    ("waiting", Status::Pending),
    ("pulling", Status::Pending),
    ("building", Status::Running),
    ("running", Status::Running),
    ("successful", Status::Succeeded),
    ("success", Status::Succeeded),
    ("failed", Status::Failed),
    ("timeout", Status::TimedOut),
    ("cancel", Status::Cancelled),
];

/// The unified status of an SWR state value, `None` if not in [`STATES`].
pub(crate) fn map_state(value: &str) -> Option<Status> {
    let v = value.trim();
    STATES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(v))
        .map(|(_, st)| *st)
}

#[derive(Default, Deserialize)]
#[serde(expecting = "an SWR job object")]
struct WireJob<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    status: Option<&'a RawValue>,
    #[serde(borrow, default)]
    duration: Option<&'a RawValue>,
    #[serde(borrow, default)]
    progress: Option<&'a RawValue>,
    #[serde(borrow, default)]
    created_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    service: Option<&'a RawValue>,
    #[serde(borrow, default)]
    service_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource_type: Option<&'a RawValue>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
    #[serde(borrow, default)]
    creator_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    creator_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    log_num: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pkg: Option<&'a RawValue>,
    #[serde(borrow, default)]
    log: Option<Vec<Obj<WireBatch<'a>>>>,
    #[serde(borrow, default, rename = "errorCode")]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "errorMessage")]
    error_message: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "an SWR log batch object")]
struct WireBatch<'a> {
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "an SWR pkg object")]
struct WirePkg<'a> {
    #[serde(borrow, default)]
    git_branch: Option<&'a RawValue>,
    #[serde(borrow, default)]
    git_clone_type: Option<&'a RawValue>,
    #[serde(borrow, default)]
    git_tag: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(expecting = "an SWR log entry object")]
struct WireEntry<'b> {
    #[serde(borrow, default, rename = "Type", alias = "type")]
    kind: Option<&'b RawValue>,
    #[serde(borrow, default, rename = "Message", alias = "message")]
    message: Option<&'b RawValue>,
    #[serde(borrow, default, rename = "Time", alias = "time")]
    time: Option<&'b RawValue>,
    #[serde(borrow, default, rename = "State", alias = "state")]
    state: Option<&'b RawValue>,
    #[serde(borrow, default, rename = "Progress", alias = "progress")]
    progress: Option<&'b RawValue>,
}

/// SWR stamps are RFC 3339 with `Z`; a zone-less one is read as UTC (assumed)
/// unless the options say otherwise.
use crate::time::utc;

mod fast;

/// Where a text being parsed lives in the input, to turn its offsets into
/// input positions for errors.
#[derive(Clone, Copy)]
enum Origin<'s> {
    /// The text is the input itself, or a slice of it at `base`.
    Direct { base: usize },
    /// The text is the decoded form of the JSON string body `body`, which
    /// starts at `base` in the input.
    Escaped { base: usize, body: &'s str },
}

/// Shared state of one parse: the input and options.
struct Ctx<'a, 'o> {
    input: &'a str,
    opts: &'o Options,
}

impl Ctx<'_, '_> {
    fn error(
        &self,
        kind: ErrorKind,
        detail: impl Into<String>,
        origin: Origin<'_>,
        at: usize,
    ) -> Error {
        let byte = match origin {
            Origin::Direct { base } => base.saturating_add(at),
            Origin::Escaped { base, body } => {
                base.saturating_add(json::raw_offset_of_decoded(body, at))
            }
        };
        Error::at(kind, detail, self.input.as_bytes(), byte).with_source(Source::SwrJobLog)
    }

    /// The offset of `raw` inside `text` (which lives at `origin`).
    fn raw_error(
        &self,
        kind: ErrorKind,
        detail: impl Into<String>,
        raw: Raw<'_>,
        text: &str,
        origin: Origin<'_>,
    ) -> Error {
        let at = raw.offset_in(text).unwrap_or(0);
        self.error(kind, detail, origin, at)
    }
}

/// Reads a numeric field; lenient mode keeps a bad value raw in `attrs`.
#[allow(clippy::too_many_arguments)]
fn int_field<'b>(
    cx: &Ctx<'_, '_>,
    raw: Option<&'b RawValue>,
    name: &'static str,
    range: std::ops::RangeInclusive<i64>,
    text: &'b str,
    origin: Origin<'_>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'b>)>,
) -> Result<Option<i64>, Error> {
    let Some(raw) = raw.map(Raw) else {
        return Ok(None);
    };
    match raw.int_in(name, &range) {
        Ok(v) => Ok(v),
        Err(detail) => {
            cx.opts.recover(notes, Note::InvalidValue, || {
                cx.raw_error(ErrorKind::Value, detail, raw, text, origin)
            })?;
            keep_raw(attrs, name, raw);
            Ok(None)
        }
    }
}

/// Reads a state field: (status, vendor_status).
fn state_field<'b>(
    cx: &Ctx<'_, '_>,
    raw: Option<&'b RawValue>,
    text: &'b str,
    origin: Origin<'_>,
    notes: &mut Notes,
) -> Result<(Option<Status>, Option<Scalar<'b>>), Error> {
    let Some(raw) = raw.map(Raw) else {
        return Ok((None, None));
    };
    let scalar = match raw.scalar() {
        Ok(Some(s)) => s,
        Ok(None) => return Ok((None, None)),
        Err(_) => {
            cx.opts.recover(notes, Note::InvalidValue, || {
                cx.raw_error(
                    ErrorKind::Value,
                    "`state` must be a string",
                    raw,
                    text,
                    origin,
                )
            })?;
            return Ok((
                Some(Status::Unknown),
                Some(Scalar::Str(Cow::Borrowed(raw.text()))),
            ));
        }
    };
    let status = match &scalar {
        Scalar::Str(s) => map_state(s),
        _ => None,
    };
    match status {
        Some(st) => Ok((Some(st), Some(scalar))),
        None => {
            if cx.opts.is_strict() && cx.opts.unknown_status_is_error {
                return Err(cx.raw_error(
                    ErrorKind::UnknownStatus,
                    format!(
                        "SWR state {} is not one of Waiting, Building, Successful, Failed, Timeout, Cancel, waiting, pulling, success",
                        clip(raw.text())
                    ),
                    raw,
                    text,
                    origin,
                ));
            }
            notes.insert(Note::UnknownStatus);
            Ok((Some(Status::Unknown), Some(scalar)))
        }
    }
}

/// Reads a time field; lenient mode keeps a bad value in `attrs.raw_time`.
fn time_field<'b>(
    cx: &Ctx<'_, '_>,
    raw: Option<&'b RawValue>,
    text: &'b str,
    origin: Origin<'_>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'b>)>,
) -> Result<Option<crate::time::Timestamp>, Error> {
    let Some(raw) = raw.map(Raw) else {
        return Ok(None);
    };
    let parsed = match raw.text_value() {
        Ok(None) => return Ok(None),
        Ok(Some(s)) if s.trim().is_empty() => return Ok(None),
        Ok(Some(s)) => crate::time::parse_written(&s)
            .and_then(|w| w.resolve(cx.opts.offset_or(utc())))
            .map_err(|e| e.describe()),
        Err(_) => Err("expected a string"),
    };
    match parsed {
        Ok(t) => Ok(Some(t)),
        Err(why) => {
            cx.opts.recover(notes, Note::InvalidTime, || {
                cx.raw_error(
                    ErrorKind::Time,
                    format!("{why}, found {}", clip(raw.text())),
                    raw,
                    text,
                    origin,
                )
            })?;
            keep_raw(attrs, "raw_time", raw);
            Ok(None)
        }
    }
}

/// Adds a scalar attribute if present and not an empty string.
fn attr<'b>(
    attrs: &mut Vec<(&'static str, Scalar<'b>)>,
    name: &'static str,
    raw: Option<&'b RawValue>,
) {
    if let Some(Ok(Some(v))) = raw.map(|r| Raw(r).scalar()) {
        if v.as_str().is_some_and(str::is_empty) {
            return;
        }
        attrs.push((name, v));
    }
}

/// The events of a job log, lazily batch by batch.
pub(crate) struct JobLogEvents<'a> {
    input: &'a str,
    opts: Options,
    first: Option<LogEvent<'a>>,
    job: Option<Cow<'a, str>>,
    /// The raw JSON text of each batch's `content`.
    batches: std::vec::IntoIter<Option<&'a str>>,
    current: std::vec::IntoIter<LogEvent<'a>>,
    seq: u64,
}

impl<'a> Iterator for JobLogEvents<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.first.take() {
            return Some(Ok(e));
        }
        while self.current.as_slice().is_empty() {
            let batch = self.batches.next()?;
            let cx = Ctx {
                input: self.input,
                opts: &self.opts,
            };
            match batch_events(&cx, batch, self.job.as_ref(), &mut self.seq) {
                Ok(events) => self.current = events.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
        // Straight from the batch's buffer into the result: one copy.
        self.current.next().map(Ok)
    }
}

/// Parses an SWR step job log.
///
/// Error positions are in the text [`json::utf8_input`] made of `input`
/// (the dispatch anchors them on `input`).
pub(crate) fn job_log<'a>(
    input: &'a [u8],
    opts: &Options,
) -> Result<Parsed<'a, Box<JobLogEvents<'a>>>, Error> {
    match json::utf8_input(input, opts.is_strict())? {
        Utf8Input::Str(s) => job_log_str(s, opts),
        Utf8Input::Lossy(owned) => {
            let events = job_log_str(&owned, opts).and_then(owned_events)?;
            Ok(Parsed::ready(with_note(events, Note::InvalidUtf8)))
        }
    }
}

fn owned_events(
    events: Parsed<'_, Box<JobLogEvents<'_>>>,
) -> Result<Vec<LogEvent<'static>>, Error> {
    events.map(|e| e.map(LogEvent::into_owned)).collect()
}

fn with_note<'a>(mut events: Vec<LogEvent<'a>>, note: Note) -> Vec<LogEvent<'a>> {
    for e in &mut events {
        e.notes.insert(note);
    }
    events
}

/// Parses the job log text `input`; error positions are in `input`.
fn job_log_str<'a>(
    input: &'a str,
    opts: &Options,
) -> Result<Parsed<'a, Box<JobLogEvents<'a>>>, Error> {
    json::check_depth(input.as_bytes(), opts.max_depth)?;
    let start = crate::scan::skip_ws(input.as_bytes(), 0);
    if input.as_bytes().get(start) == Some(&b'[') {
        // An array is an error body (or a job history sent to the wrong parser).
        vendor_array(input)?;
        return Err(Error::at(
            ErrorKind::Schema,
            "expected an SWR job object, found an array (a job history? use the swr-job-history source)",
            input.as_bytes(),
            start,
        ));
    }
    let (wire, batches) = match fast::skim(input).and_then(|s| skimmed_wire(s)) {
        Some(parts) => parts,
        None => match serde_json::from_str::<Obj<WireJob<'a>>>(input) {
            Ok(Obj(mut w)) => {
                let batches = w
                    .log
                    .take()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|b| b.content.map(RawValue::get))
                    .collect();
                (w, batches)
            }
            Err(e) => {
                let err = json::serde_error(&e, input.as_bytes());
                if opts.is_strict() || err.kind() != ErrorKind::Syntax {
                    return Err(err);
                }
                // The docs print `content` with unescaped inner quotes; read
                // the bare inner arrays instead.
                // If the repair does not give a readable document, the
                // original error is the one to report.
                return match repair_bare_content(input) {
                    Some(repaired) => match job_log_str(&repaired, opts).and_then(owned_events) {
                        Ok(events) => Ok(Parsed::ready(events)),
                        Err(_) => Err(err),
                    },
                    None => Err(err),
                };
            }
        },
    };
    if let Some(code) = wire.error_code {
        return Err(vendor_error(Raw(code), wire.error_message.map(Raw)));
    }
    let cx = Ctx { input, opts };
    let origin = Origin::Direct { base: 0 };
    let mut seq = 0;
    let first = job_event(&cx, &wire, origin, &mut seq)?;
    let job = first.ctx.job.clone();
    Ok(Parsed::Lazy(Box::new(JobLogEvents {
        input,
        opts: opts.clone(),
        first: Some(first),
        job,
        batches: batches.into_iter(),
        current: Vec::new().into_iter(),
        seq,
    })))
}

/// The wire job of a skimmed document: each small member checked and read
/// by the JSON parser, the batches as the skimmer found them. `None` (read
/// the whole document with the parser instead) if a member does not parse,
/// or the document is an error body.
fn skimmed_wire(s: fast::Skimmed<'_>) -> Option<(WireJob<'_>, Vec<Option<&str>>)> {
    let mut w = WireJob::default();
    for (key, text) in s.fields {
        let raw: &RawValue = serde_json::from_str(text).ok()?;
        let slot = match key {
            "id" => &mut w.id,
            "state" => &mut w.state,
            "status" => &mut w.status,
            "duration" => &mut w.duration,
            "progress" => &mut w.progress,
            "created_at" => &mut w.created_at,
            "service" => &mut w.service,
            "service_id" => &mut w.service_id,
            "resource_type" => &mut w.resource_type,
            "resource" => &mut w.resource,
            "creator_id" => &mut w.creator_id,
            "creator_name" => &mut w.creator_name,
            "log_num" => &mut w.log_num,
            "pkg" => &mut w.pkg,
            "errorCode" | "errorMessage" => return None,
            _ => continue,
        };
        if slot.is_some() {
            return None; // a duplicate: the parser reports it
        }
        // `null` reads as absent, as serde's `Option` does.
        *slot = (text != "null").then_some(raw);
    }
    Some((w, s.batches.unwrap_or_default()))
}

/// The status event of one job object (job log or history entry).
fn job_event<'a>(
    cx: &Ctx<'a, '_>,
    w: &WireJob<'a>,
    origin: Origin<'_>,
    seq: &mut u64,
) -> Result<LogEvent<'a>, Error> {
    let text = cx.input;
    let mut e = LogEvent::new(
        Source::SwrJobLog,
        EventKind::Status,
        *seq,
        Cow::Borrowed(""),
    );
    *seq += 1;
    let mut notes = Notes::EMPTY;
    let mut attrs = Vec::new();
    e.ctx.job = match w.id.map(Raw) {
        Some(r) => match r.text_value() {
            Ok(v) => v,
            Err(_) => {
                cx.opts.recover(&mut notes, Note::InvalidValue, || {
                    cx.raw_error(
                        ErrorKind::Value,
                        "`id` must be a string or a number",
                        r,
                        text,
                        origin,
                    )
                })?;
                keep_raw(&mut attrs, "id", r);
                None
            }
        },
        None => None,
    };
    let (status, vendor) = state_field(cx, w.state.or(w.status), text, origin, &mut notes)?;
    e.status = status;
    e.vendor_status = vendor;
    e.time = time_field(cx, w.created_at, text, origin, &mut notes, &mut attrs)?;
    e.progress = int_field(
        cx,
        w.progress,
        "progress",
        0..=100,
        text,
        origin,
        &mut notes,
        &mut attrs,
    )?
    .and_then(|p| u8::try_from(p).ok());
    e.duration = int_field(
        cx,
        w.duration,
        "duration",
        0..=i64::MAX,
        text,
        origin,
        &mut notes,
        &mut attrs,
    )?
    .and_then(|d| u64::try_from(d).ok())
    .map(Duration::from_secs);
    attr(&mut attrs, "service", w.service);
    attr(&mut attrs, "service_id", w.service_id);
    attr(&mut attrs, "resource_type", w.resource_type);
    attr(&mut attrs, "resource", w.resource);
    attr(&mut attrs, "creator_id", w.creator_id);
    attr(&mut attrs, "creator_name", w.creator_name);
    attr(&mut attrs, "log_num", w.log_num);
    if let Some(pkg) = w.pkg.filter(|p| p.get().starts_with('{'))
        && let Ok(Obj(p)) = serde_json::from_str::<Obj<WirePkg<'a>>>(pkg.get())
    {
        attr(&mut attrs, "git_branch", p.git_branch);
        attr(&mut attrs, "git_clone_type", p.git_clone_type);
        attr(&mut attrs, "git_tag", p.git_tag);
    }
    e.notes = notes;
    e.attrs = attrs;
    Ok(e)
}

/// The events of one batch (`log[i]`).
fn batch_events<'a>(
    cx: &Ctx<'a, '_>,
    content: Option<&'a str>,
    job: Option<&Cow<'a, str>>,
    seq: &mut u64,
) -> Result<Vec<LogEvent<'a>>, Error> {
    let Some(raw) = content else {
        return Ok(Vec::new());
    };
    let base = json::offset_in(raw, cx.input).unwrap_or(0);
    match raw.as_bytes().first() {
        Some(b'"') => {
            let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
            if let Some(events) = fast::batch(cx, body, job, *seq) {
                *seq += events.len() as u64;
                return Ok(events);
            }
            let origin = Origin::Escaped {
                base: base + 1,
                body,
            };
            match json::decode_str(raw) {
                Some(Cow::Borrowed(inner)) => entries(
                    cx,
                    inner,
                    Origin::Direct { base: base + 1 },
                    job,
                    seq,
                    Notes::EMPTY,
                    &Same,
                ),
                Some(Cow::Owned(inner)) => {
                    entries(cx, &inner, origin, job, seq, Notes::EMPTY, &Copied)
                }
                None => Ok(Vec::new()),
            }
        }
        Some(b'[') => {
            // A bare array where a string was expected (the docs' example,
            // after repair, or a producer that does not double-encode).
            let mut notes = Notes::EMPTY;
            cx.opts.recover(&mut notes, Note::InnerJsonRepaired, || {
                cx.error(
                    ErrorKind::Schema,
                    "`content` must be a JSON string holding a JSON array, found a bare array",
                    Origin::Direct { base },
                    0,
                )
            })?;
            entries(cx, raw, Origin::Direct { base }, job, seq, notes, &Same)
        }
        Some(b'n') => Ok(Vec::new()),
        _ => {
            let mut notes = Notes::EMPTY;
            cx.opts.recover(&mut notes, Note::InnerJsonInvalid, || {
                cx.error(
                    ErrorKind::Schema,
                    "`content` must be a JSON string holding a JSON array",
                    Origin::Direct { base },
                    0,
                )
            })?;
            Ok(vec![raw_event(cx, raw, job, seq, notes, &Same)])
        }
    }
}

/// Cleans a message per the text mode and enforces the line-length limit.
fn finish_message<'b>(
    cx: &Ctx<'_, '_>,
    message: Cow<'b, str>,
    notes: &mut Notes,
    origin: Origin<'_>,
    at: usize,
) -> Result<Cow<'b, str>, Error> {
    let mut message = crate::text::clean(message, cx.opts.text, notes);
    if message.len() > cx.opts.max_line_len {
        cx.opts.recover(notes, Note::LineTruncated, || {
            cx.error(
                ErrorKind::Limit,
                format!(
                    "message longer than {} bytes (the max_line_len option)",
                    cx.opts.max_line_len
                ),
                origin,
                at,
            )
        })?;
        crate::text::truncate_cow(&mut message, cx.opts.max_line_len);
    }
    Ok(message)
}

/// Turns text taken from the inner content (lifetime `'b`) into text of
/// the event (lifetime `'a`): free when the content was a slice of the
/// input, a copy when it was decoded into a buffer of its own.
trait Promote<'b, 'a> {
    fn text(&self, c: Cow<'b, str>) -> Cow<'a, str>;

    fn scalar(&self, s: Scalar<'b>) -> Scalar<'a> {
        match s {
            Scalar::Str(c) => Scalar::Str(match known_spelling(&c) {
                Some(k) => Cow::Borrowed(k),
                None => self.text(c),
            }),
            Scalar::Int(i) => Scalar::Int(i),
            Scalar::Float(f) => Scalar::Float(f),
            Scalar::Bool(b) => Scalar::Bool(b),
        }
    }
}

/// The inner content is a slice of the input.
struct Same;

impl<'a> Promote<'a, 'a> for Same {
    fn text(&self, c: Cow<'a, str>) -> Cow<'a, str> {
        c
    }
}

/// The inner content was decoded into a buffer that does not outlive the batch.
struct Copied;

impl<'a> Promote<'_, 'a> for Copied {
    fn text(&self, c: Cow<'_, str>) -> Cow<'a, str> {
        Cow::Owned(c.into_owned())
    }
}

/// The state spellings seen on the wire, so a `vendor_status` that is one
/// of them needs no copy.
fn known_spelling(s: &str) -> Option<&'static str> {
    known_state(s).map(|(k, _)| k)
}

/// A state spelling seen on the wire, as written, with its status (what
/// [`map_state`] gives it): the usual entry's state in one `match`, without
/// the trimming, case-blind walk of [`STATES`].
fn known_state(s: &str) -> Option<(&'static str, Status)> {
    Some(match s {
        "waiting" => ("waiting", Status::Pending),
        "pulling" => ("pulling", Status::Pending),
        "Building" => ("Building", Status::Running),
        "Successful" => ("Successful", Status::Succeeded),
        "success" => ("success", Status::Succeeded),
        "Waiting" => ("Waiting", Status::Pending),
        "Failed" => ("Failed", Status::Failed),
        "Timeout" => ("Timeout", Status::TimedOut),
        "Cancel" => ("Cancel", Status::Cancelled),
        "building" => ("building", Status::Running),
        "successful" => ("successful", Status::Succeeded),
        "failed" => ("failed", Status::Failed),
        "timeout" => ("timeout", Status::TimedOut),
        "cancel" => ("cancel", Status::Cancelled),
        "running" => ("running", Status::Running),
        _ => return None,
    })
}

/// An event that keeps unparsed text raw.
/// Only reached in lenient mode, so an over-long text is simply cut and noted.
fn raw_event<'b, 'a>(
    cx: &Ctx<'_, '_>,
    text: &'b str,
    job: Option<&Cow<'a, str>>,
    seq: &mut u64,
    mut notes: Notes,
    p: &impl Promote<'b, 'a>,
) -> LogEvent<'a> {
    let mut message = Cow::Borrowed(text);
    if crate::text::truncate_cow(&mut message, cx.opts.max_line_len) {
        notes.insert(Note::LineTruncated);
    }
    let mut e = LogEvent::new(Source::SwrJobLog, EventKind::Line, *seq, p.text(message));
    *seq += 1;
    e.ctx.job = job.cloned();
    e.notes = notes;
    e
}

/// Parses the inner array text into one event per entry.
fn entries<'b, 'a>(
    cx: &Ctx<'_, '_>,
    inner: &'b str,
    origin: Origin<'_>,
    job: Option<&Cow<'a, str>>,
    seq: &mut u64,
    batch_notes: Notes,
    p: &impl Promote<'b, 'a>,
) -> Result<Vec<LogEvent<'a>>, Error> {
    let b = inner.as_bytes();
    let mut out = Vec::new();
    let mut pos = crate::scan::skip_ws(b, 0);
    if pos >= b.len() {
        // `content: ""`: a batch with no entries.
        return Ok(out);
    }
    // `inner[from..to]` kept raw as one event noted `note`.
    let keep_raw =
        |out: &mut Vec<LogEvent<'a>>, from: usize, to: usize, seq: &mut u64, note: Note| {
            let mut notes = batch_notes;
            notes.insert(note);
            out.push(raw_event(
                cx,
                inner.get(from..to).unwrap_or_default(),
                job,
                seq,
                notes,
                p,
            ));
        };
    // Strict mode's error at `at`; lenient mode goes on (the caller keeps
    // the part raw with the note).
    let recover = |note: Note, kind: ErrorKind, detail: String, at: usize| {
        let mut ignored = Notes::EMPTY;
        cx.opts
            .recover(&mut ignored, note, || cx.error(kind, detail, origin, at))
    };
    if b.get(pos) != Some(&b'[') {
        recover(
            Note::InnerJsonInvalid,
            ErrorKind::Syntax,
            "expected `[` (the log content is a JSON array of entries)".into(),
            pos,
        )?;
        keep_raw(&mut out, pos, b.len(), seq, Note::InnerJsonInvalid);
        return Ok(out);
    }
    pos += 1;
    let mut count = 0usize;
    loop {
        pos = crate::scan::skip_ws(b, pos);
        match b.get(pos) {
            None => {
                // The array never closed.
                recover(
                    Note::Truncated,
                    ErrorKind::Eof,
                    "expected `]` (the entry array is not closed)".into(),
                    pos,
                )?;
                match out.last_mut() {
                    Some(last) => last.notes.insert(Note::Truncated),
                    None => keep_raw(&mut out, pos, b.len(), seq, Note::Truncated),
                }
                return Ok(out);
            }
            Some(b']') => {
                let end = crate::scan::skip_ws(b, pos + 1);
                if end < b.len() {
                    recover(
                        Note::InnerJsonInvalid,
                        ErrorKind::Syntax,
                        "trailing characters after the entry array".into(),
                        end,
                    )?;
                    keep_raw(&mut out, end, b.len(), seq, Note::InnerJsonInvalid);
                }
                return Ok(out);
            }
            Some(_) => {}
        }
        if count >= cx.opts.max_entries {
            recover(
                Note::TooManyEntries,
                ErrorKind::Limit,
                format!(
                    "more than {} entries in one batch (the max_entries option)",
                    cx.opts.max_entries
                ),
                pos,
            )?;
            keep_raw(&mut out, pos, b.len(), seq, Note::TooManyEntries);
            return Ok(out);
        }
        let tail = inner.get(pos..).unwrap_or_default();
        // The common shape in one pass; anything unusual goes the careful way.
        let mut fast = serde_json::Deserializer::from_str(tail).into_iter::<Obj<FastEntry<'b>>>();
        if let Some(Ok(Obj(entry))) = fast.next()
            && usual_event(
                cx,
                entry.kind.map(|t| t.0),
                entry.message.map(|t| t.0),
                entry.time.map(|t| t.0),
                entry.state.map(|t| t.0),
                entry.progress,
                job,
                *seq,
                batch_notes,
                p,
                &mut out,
            )
            .is_some()
        {
            *seq += 1;
            pos += fast.byte_offset();
            count += 1;
        } else {
            let mut stream =
                serde_json::Deserializer::from_str(tail).into_iter::<Obj<WireEntry<'b>>>();
            match stream.next() {
                Some(Ok(Obj(entry))) => {
                    let used = stream.byte_offset();
                    out.push(entry_event(
                        cx,
                        &entry,
                        inner,
                        origin,
                        job,
                        seq,
                        batch_notes,
                        p,
                    )?);
                    pos += used;
                    count += 1;
                }
                Some(Err(e)) => {
                    let err = json::serde_error(&e, tail.as_bytes());
                    let at = pos + err.position().map_or(0, |p| p.byte);
                    recover(
                        Note::EntryInvalid,
                        err.kind(),
                        format!("in a log entry: {}", err.detail()),
                        at,
                    )?;
                    // Well-formed JSON that is not an object (an array, a
                    // string, …): that entry alone is kept raw, and the
                    // entries after it are read. Anything else cannot be
                    // resynchronised: the rest is kept raw.
                    let mut value = serde_json::Deserializer::from_str(tail)
                        .into_iter::<serde::de::IgnoredAny>();
                    if let Some(Ok(_)) = value.next() {
                        let end = pos + value.byte_offset();
                        keep_raw(&mut out, pos, end, seq, Note::EntryInvalid);
                        pos = end;
                        count += 1;
                    } else {
                        keep_raw(&mut out, pos, b.len(), seq, Note::EntryInvalid);
                        return Ok(out);
                    }
                }
                None => return Ok(out),
            }
        }
        pos = crate::scan::skip_ws(b, pos);
        match b.get(pos) {
            Some(b',') => pos += 1,
            Some(b']') | None => {}
            Some(_) => {
                recover(
                    Note::EntryInvalid,
                    ErrorKind::Syntax,
                    "expected `,` or `]` after a log entry".into(),
                    pos,
                )?;
                keep_raw(&mut out, pos, b.len(), seq, Note::EntryInvalid);
                return Ok(out);
            }
        }
    }
}

/// The usual shape of an entry, read in one pass: strings borrowed where
/// they need no unescaping, `Progress` a small number.
#[derive(Deserialize)]
struct FastEntry<'b> {
    #[serde(borrow, default, rename = "Type", alias = "type")]
    kind: Option<json::Text<'b>>,
    #[serde(borrow, default, rename = "Message", alias = "message")]
    message: Option<json::Text<'b>>,
    #[serde(borrow, default, rename = "Time", alias = "time")]
    time: Option<json::Text<'b>>,
    #[serde(borrow, default, rename = "State", alias = "state")]
    state: Option<json::Text<'b>>,
    #[serde(default, rename = "Progress", alias = "progress")]
    progress: Option<u8>,
}

/// Pushes the event of a usual entry (read by [`FastEntry`] or by the
/// scanner in `fast.rs`) onto `out`, or returns `None` (pushing nothing)
/// when anything about it needs a note or an error: [`entry_event`] then
/// reads it again, carefully, and decides. Both give the same event for the
/// entries this one accepts. The event is built in the push itself: an
/// event is large, and every move of it is a copy.
#[allow(clippy::too_many_arguments)]
fn usual_event<'b, 'a>(
    cx: &Ctx<'_, '_>,
    kind: Option<Cow<'b, str>>,
    message: Option<Cow<'b, str>>,
    time: Option<Cow<'b, str>>,
    state: Option<Cow<'b, str>>,
    progress: Option<u8>,
    job: Option<&Cow<'a, str>>,
    seq: u64,
    batch_notes: Notes,
    p: &impl Promote<'b, 'a>,
    out: &mut Vec<LogEvent<'a>>,
) -> Option<()> {
    let kind = match &kind {
        None => EventKind::Line,
        Some(t) if t.eq_ignore_ascii_case("phase") => EventKind::Phase,
        Some(t) if t.eq_ignore_ascii_case("content") => EventKind::Line,
        Some(_) => return None,
    };
    let message = message.unwrap_or(Cow::Borrowed(""));
    if crate::text::needs_cleaning(&message) && cx.opts.text != crate::options::TextMode::Raw
        || message.len() > cx.opts.max_line_len
    {
        return None;
    }
    let mut notes = batch_notes;
    let time = match &time {
        None => None,
        Some(t) if t.trim().is_empty() => None,
        Some(t) => Some(
            crate::time::parse_written(t)
                .and_then(|x| x.resolve(cx.opts.offset_or(utc())))
                .ok()?,
        ),
    };
    let (status, vendor) = match state {
        None => (None, None),
        Some(s) => match known_state(&s) {
            Some((k, st)) => (Some(st), Some(Scalar::Str(Cow::Borrowed(k)))),
            None => match map_state(&s) {
                Some(st) => (Some(st), Some(p.scalar(Scalar::Str(s)))),
                None if cx.opts.is_strict() && cx.opts.unknown_status_is_error => return None,
                None => {
                    notes.insert(Note::UnknownStatus);
                    (Some(Status::Unknown), Some(p.scalar(Scalar::Str(s))))
                }
            },
        },
    };
    let progress = match progress {
        Some(v) if v > 100 => return None,
        v => v,
    };
    out.push(LogEvent {
        time,
        status,
        vendor_status: vendor,
        progress,
        ctx: Context {
            job: job.cloned(),
            ..Context::default()
        },
        notes,
        ..LogEvent::new(Source::SwrJobLog, kind, seq, p.text(message))
    });
    Some(())
}

/// One inner entry as an event.
#[allow(clippy::too_many_arguments)]
fn entry_event<'b, 'a>(
    cx: &Ctx<'_, '_>,
    w: &WireEntry<'b>,
    inner: &'b str,
    origin: Origin<'_>,
    job: Option<&Cow<'a, str>>,
    seq: &mut u64,
    batch_notes: Notes,
    p: &impl Promote<'b, 'a>,
) -> Result<LogEvent<'a>, Error> {
    let mut notes = batch_notes;
    let mut attrs = Vec::new();
    let message = match w.message.map(Raw) {
        None => Cow::Borrowed(""),
        Some(r) => match r.text_value() {
            Ok(v) => v.unwrap_or(Cow::Borrowed("")),
            Err(_) => {
                cx.opts.recover(&mut notes, Note::InvalidValue, || {
                    cx.raw_error(
                        ErrorKind::Value,
                        "`Message` must be a string",
                        r,
                        inner,
                        origin,
                    )
                })?;
                Cow::Borrowed(r.text())
            }
        },
    };
    let kind = match w.kind.map(Raw).map(|r| (r, r.text_value())) {
        None => EventKind::Line,
        Some((_, Ok(Some(t)))) if t.eq_ignore_ascii_case("phase") => EventKind::Phase,
        Some((_, Ok(Some(t)))) if t.eq_ignore_ascii_case("content") => EventKind::Line,
        Some((_, Ok(None))) => EventKind::Line,
        Some((r, _)) => {
            notes.insert(Note::UnknownEntryType);
            keep_raw(&mut attrs, "entry_type", r);
            EventKind::Line
        }
    };
    let at = w
        .message
        .map(Raw)
        .and_then(|r| r.offset_in(inner))
        .unwrap_or(0);
    let message = finish_message(cx, message, &mut notes, origin, at)?;
    let mut e = LogEvent::new(Source::SwrJobLog, kind, *seq, p.text(message));
    *seq += 1;
    e.ctx.job = job.cloned();
    e.time = time_field(cx, w.time, inner, origin, &mut notes, &mut attrs)?;
    let (status, vendor) = state_field(cx, w.state, inner, origin, &mut notes)?;
    e.status = status;
    e.vendor_status = vendor.map(|v| p.scalar(v));
    e.progress = int_field(
        cx,
        w.progress,
        "Progress",
        0..=100,
        inner,
        origin,
        &mut notes,
        &mut attrs,
    )?
    .and_then(|p| u8::try_from(p).ok());
    e.notes = notes;
    e.attrs = attrs.into_iter().map(|(k, v)| (k, p.scalar(v))).collect();
    Ok(e)
}

/// Rewrites `"content":"[ … ]"` whose inner quotes are not escaped into
/// `"content":[ … ]`, which is valid JSON. `None` if nothing was repaired.
fn repair_bare_content(input: &str) -> Option<String> {
    let b = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut copied = 0;
    let mut repaired = false;
    for at in memchr::memmem::find_iter(b, b"\"content\"") {
        if at < copied {
            continue;
        }
        let colon = crate::scan::skip_ws(b, at + 9);
        if b.get(colon) != Some(&b':') {
            continue;
        }
        let open_quote = crate::scan::skip_ws(b, colon + 1);
        if b.get(open_quote) != Some(&b'"') {
            continue;
        }
        let bracket = crate::scan::skip_ws(b, open_quote + 1);
        if b.get(bracket) != Some(&b'[') {
            continue;
        }
        let tail = input.get(bracket..)?;
        let mut stream =
            serde_json::Deserializer::from_str(tail).into_iter::<serde::de::IgnoredAny>();
        if !matches!(stream.next(), Some(Ok(_))) {
            continue;
        }
        let array_end = bracket + stream.byte_offset();
        let close_quote = crate::scan::skip_ws(b, array_end);
        if b.get(close_quote) != Some(&b'"') {
            continue;
        }
        out.push_str(input.get(copied..open_quote)?);
        out.push_str(input.get(bracket..array_end)?);
        copied = close_quote + 1;
        repaired = true;
    }
    if !repaired {
        return None;
    }
    out.push_str(input.get(copied..)?);
    Some(out)
}

#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(borrow, default, rename = "errorCode")]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "errorMessage")]
    error_message: Option<&'a RawValue>,
}

/// If `input` is an SWR error body (`[{"errorCode", "errorMessage", "detail"}]`),
/// returns the vendor error.
fn vendor_array(input: &str) -> Result<(), Error> {
    if let Ok(items) = serde_json::from_str::<Vec<Obj<WireError<'_>>>>(input)
        && let Some((code, first)) = items.iter().find_map(|i| i.error_code.map(|c| (c, i)))
    {
        return Err(vendor_error(Raw(code), first.error_message.map(Raw)));
    }
    Ok(())
}

fn vendor_error(code: Raw<'_>, message: Option<Raw<'_>>) -> Error {
    let text = |r: Raw<'_>| {
        r.text_value()
            .ok()
            .flatten()
            .map(Cow::into_owned)
            .unwrap_or_default()
    };
    Error::vendor_body(text(code), message.map(text).unwrap_or_default())
}

/// Parses an SWR step job history (an array of job objects).
///
/// Error positions are in the text [`json::utf8_input`] made of `input`
/// (the dispatch anchors them on `input`).
pub(crate) fn job_history<'a>(input: &'a [u8], opts: &Options) -> Result<Vec<LogEvent<'a>>, Error> {
    match json::utf8_input(input, opts.is_strict())? {
        Utf8Input::Str(s) => history_str(s, opts),
        Utf8Input::Lossy(owned) => {
            let events: Vec<LogEvent<'static>> = history_str(&owned, opts)?
                .into_iter()
                .map(LogEvent::into_owned)
                .collect();
            Ok(with_note(events, Note::InvalidUtf8))
        }
    }
}

fn history_str<'a>(input: &'a str, opts: &Options) -> Result<Vec<LogEvent<'a>>, Error> {
    json::check_depth(input.as_bytes(), opts.max_depth)?;
    let start = crate::scan::skip_ws(input.as_bytes(), 0);
    if input.as_bytes().get(start) == Some(&b'{') {
        // A single object: an error body, or one job.
        let Obj(wire): Obj<WireJob<'a>> =
            serde_json::from_str(input).map_err(|e| json::serde_error(&e, input.as_bytes()))?;
        if let Some(code) = wire.error_code {
            return Err(vendor_error(Raw(code), wire.error_message.map(Raw)));
        }
        return Err(Error::at(
            ErrorKind::Schema,
            "expected an array of SWR jobs, found an object (a job log? use the swr-job-log source)",
            input.as_bytes(),
            start,
        ));
    }
    let jobs: Vec<WireJob<'a>> = serde_json::from_str::<Vec<Obj<WireJob<'a>>>>(input)
        .map_err(|e| json::serde_error(&e, input.as_bytes()))?
        .into_iter()
        .map(|Obj(j)| j)
        .collect();
    if let Some((code, err)) = jobs.iter().find_map(|j| j.error_code.map(|c| (c, j))) {
        return Err(vendor_error(Raw(code), err.error_message.map(Raw)));
    }
    let cx = Ctx { input, opts };
    let mut seq = 0;
    let mut out = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let mut e = job_event(&cx, job, Origin::Direct { base: 0 }, &mut seq)?;
        e.source = Source::SwrJobHistory;
        out.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table() {
        let cases = [
            ("Waiting", Status::Pending),
            ("waiting", Status::Pending),
            ("pulling", Status::Pending),
            ("Building", Status::Running),
            ("BUILDING", Status::Running),
            ("running", Status::Running),
            ("Successful", Status::Succeeded),
            ("success", Status::Succeeded),
            ("Failed", Status::Failed),
            ("Timeout", Status::TimedOut),
            ("Cancel", Status::Cancelled),
            (" cancel ", Status::Cancelled),
        ];
        for (v, want) in cases {
            assert_eq!(map_state(v), Some(want), "{v}");
        }
        for v in ["", "done", "cancelled", "rollbacking", "Successful!"] {
            assert_eq!(map_state(v), None, "{v}");
        }
    }

    /// The spellings read without the table walk get the table's status,
    /// and are kept as written.
    #[test]
    fn known_states_agree_with_the_table() {
        let spellings = [
            "waiting",
            "pulling",
            "Building",
            "Successful",
            "success",
            "Waiting",
            "Failed",
            "Timeout",
            "Cancel",
            "building",
            "successful",
            "failed",
            "timeout",
            "cancel",
            "running",
        ];
        for v in spellings {
            assert_eq!(known_state(v), Some((v, map_state(v).unwrap())), "{v}");
        }
        for v in ["", "WAITING", " waiting", "Succ", "cancelled", "Running"] {
            assert_eq!(known_state(v), None, "{v}");
        }
    }

    #[test]
    fn repair_unescaped_content() {
        let bad = r#"{"log":[{"content":"[{"Type":"phase","Message":"a\"b"}]","created_at":"x"}]}"#;
        let fixed = repair_bare_content(bad).unwrap();
        assert_eq!(
            fixed,
            r#"{"log":[{"content":[{"Type":"phase","Message":"a\"b"}],"created_at":"x"}]}"#
        );
        assert!(repair_bare_content(r#"{"content":"[1,2"}"#).is_none());
        assert!(repair_bare_content(r#"{"content":"text"}"#).is_none());
    }

    use proptest::prelude::*;

    /// Go's `json.Marshal` of a string.
    fn go(s: &str) -> String {
        serde_json::to_string(s)
            .unwrap()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
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
        let state = prop_oneof![
            8 => Just(Some("\"Building\"".to_owned())),
            4 => Just(Some("\"waiting\"".to_owned())),
            2 => Just(Some("\"WEIRD\"".to_owned())),
            1 => Just(Some("\"Succ\\u0065ss\"".to_owned())),
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
        ];
        (
            kind,
            field(),
            time,
            state,
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

    proptest! {
        #![proptest_config(crate::testing::proptest_config(512))]

        /// On every batch the fast scanner accepts, it gives exactly the
        /// careful path's events, in both modes.
        #[test]
        fn fast_path_equals_careful_path(entries in proptest::collection::vec(entry(), 0..6), strict in any::<bool>()) {
            let inner = format!("[{}]", entries.join(","));
            let doc = format!("{{\"content\":{}}}", serde_json::to_string(&inner).unwrap());
            let raw: &str = &doc[11..doc.len() - 1];
            let body = &raw[1..raw.len() - 1];
            let opts = if strict { Options::strict() } else { Options::default() };
            let cx = Ctx { input: &doc, opts: &opts };
            let job = Some(Cow::Borrowed("7"));
            if let Some(fast) = fast::batch(&cx, body, job.as_ref(), 0) {
                let decoded = json::decode_str(raw).unwrap();
                let careful = entries_of(&cx, &decoded, job.as_ref());
                let fast: Vec<String> = fast.iter().map(LogEvent::to_ndjson).collect();
                prop_assert_eq!(Ok(fast), careful, "batch {}", inner);
            }
        }
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
            let doc = format!("{{\"content\":{}}}", serde_json::to_string(&inner).unwrap());
            let raw: &str = &doc[11..doc.len() - 1];
            let body = &raw[1..raw.len() - 1];
            let mut opts = if strict { Options::strict() } else { Options::default() };
            if few {
                opts.max_entries = 2;
            }
            let cx = Ctx { input: &doc, opts: &opts };
            let job = Some(Cow::Borrowed("7"));
            let ndjson = |r: Result<Vec<LogEvent<'_>>, Error>| {
                r.map(|v| v.iter().map(LogEvent::to_ndjson).collect::<Vec<_>>())
                    .map_err(|e| e.to_string())
            };
            let mut seq = 3;
            let got = ndjson(batch_events(&cx, Some(raw), job.as_ref(), &mut seq));
            let base = json::offset_in(raw, &doc).unwrap() + 1;
            let mut careful_seq = 3;
            let want = match json::decode_str(raw).unwrap() {
                Cow::Borrowed(text) => ndjson(entries(
                    &cx, text, Origin::Direct { base }, job.as_ref(), &mut careful_seq,
                    Notes::EMPTY, &Same,
                )),
                Cow::Owned(text) => ndjson(entries(
                    &cx, &text, Origin::Escaped { base, body }, job.as_ref(), &mut careful_seq,
                    Notes::EMPTY, &Copied,
                )),
            };
            prop_assert_eq!(got, want, "batch {}", inner);
            prop_assert_eq!(seq, careful_seq);
        }
    }

    fn entries_of(
        cx: &Ctx<'_, '_>,
        inner: &str,
        job: Option<&Cow<'_, str>>,
    ) -> Result<Vec<String>, String> {
        let mut seq = 0;
        entries(
            cx,
            inner,
            Origin::Direct { base: 0 },
            job,
            &mut seq,
            Notes::EMPTY,
            &Copied,
        )
        .map(|v| v.iter().map(LogEvent::to_ndjson).collect())
        .map_err(|e| e.to_string())
    }
}
