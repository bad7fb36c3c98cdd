//! The two front doors: a job log (one job object whose `log` batches hold
//! the entries, read lazily batch by batch) and a job history (an array of
//! job objects, one status event each).

use std::borrow::Cow;
use std::time::Duration;

use serde::Deserialize;
use serde::de::value::MapDeserializer;
use serde_json::value::RawValue;

use super::batch::batch_events;
use super::fast::{self, Skimmed};
use super::fields::FieldReader;
use super::repair::repair_bare_content;
use super::wire::{WireJob, WirePkg, vendor_array, vendor_error};
use super::{Doc, Located, Origin};
use crate::error::{Error, ErrorKind};
use crate::event::{EventKind, LogEvent, Parsed};
use crate::json::{self, Obj, Raw, Utf8Input};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;

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
            let doc = Doc {
                input: self.input,
                opts: &self.opts,
            };
            match batch_events(&doc, batch, self.job.as_ref(), &mut self.seq) {
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
    let (wire, batches) = match fast::skim(input).and_then(skimmed_wire) {
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
    let doc = Doc { input, opts };
    let mut seq = 0;
    let first = job_event(&doc, &wire, &mut seq)?;
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

/// The wire job of a skimmed document: each small member checked by the
/// JSON parser and read by [`WireJob`]'s own `Deserialize`, the batches as
/// the skimmer found them. `None` (read the whole document with the parser
/// instead) if a member does not parse or is there twice, or the document
/// is an error body.
fn skimmed_wire(s: Skimmed<'_>) -> Option<(WireJob<'_>, Vec<Option<&str>>)> {
    let members = s
        .fields
        .into_iter()
        .map(|(key, text)| Some((key, serde_json::from_str::<&RawValue>(text).ok()?)))
        .collect::<Option<Vec<_>>>()?;
    let w = WireJob::deserialize(MapDeserializer::<_, serde_json::Error>::new(
        members.into_iter(),
    ))
    .ok()?;
    if w.error_code.is_some() || w.error_message.is_some() {
        return None;
    }
    Some((w, s.batches.unwrap_or_default()))
}

/// The status event of one job object (job log or history entry).
fn job_event<'a>(doc: &Doc<'a, '_>, w: &WireJob<'a>, seq: &mut u64) -> Result<LogEvent<'a>, Error> {
    let mut e = LogEvent::new(
        Source::SwrJobLog,
        EventKind::Status,
        *seq,
        Cow::Borrowed(""),
    );
    *seq += 1;
    let mut fields = FieldReader {
        doc,
        place: Located {
            text: doc.input,
            origin: Origin::Direct { base: 0 },
        },
        notes: Notes::EMPTY,
        attrs: Vec::new(),
    };
    e.ctx.job = match w.id.map(Raw) {
        Some(r) => match r.text_value() {
            Ok(v) => v,
            Err(_) => {
                fields.recover(
                    Note::InvalidValue,
                    ErrorKind::Value,
                    "`id` must be a string or a number",
                    r,
                )?;
                json::keep_raw(&mut fields.attrs, "id", r);
                None
            }
        },
        None => None,
    };
    (e.status, e.vendor_status) = fields.state(w.state.or(w.status))?;
    e.time = fields.time(w.created_at)?;
    e.progress = fields
        .int(w.progress, "progress", 0..=100)?
        .and_then(|p| u8::try_from(p).ok());
    e.duration = fields
        .int(w.duration, "duration", 0..=i64::MAX)?
        .and_then(|d| u64::try_from(d).ok())
        .map(Duration::from_secs);
    fields.attr("service", w.service);
    fields.attr("service_id", w.service_id);
    fields.attr("resource_type", w.resource_type);
    fields.attr("resource", w.resource);
    fields.attr("creator_id", w.creator_id);
    fields.attr("creator_name", w.creator_name);
    fields.attr("log_num", w.log_num);
    if let Some(pkg) = w.pkg.filter(|p| p.get().starts_with('{'))
        && let Ok(Obj(p)) = serde_json::from_str::<Obj<WirePkg<'a>>>(pkg.get())
    {
        fields.attr("git_branch", p.git_branch);
        fields.attr("git_clone_type", p.git_clone_type);
        fields.attr("git_tag", p.git_tag);
    }
    e.notes = fields.notes;
    e.attrs = fields.attrs;
    Ok(e)
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
    let doc = Doc { input, opts };
    let mut seq = 0;
    let mut out = Vec::with_capacity(jobs.len());
    for job in &jobs {
        let mut e = job_event(&doc, job, &mut seq)?;
        e.source = Source::SwrJobHistory;
        out.push(e);
    }
    Ok(out)
}
