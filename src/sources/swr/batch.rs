//! The events of one batch (`log[i]`): the fast scanner first, then, when
//! it gives up, the careful path: decode the outer string, read each entry
//! with serde ([`WireEntry`]) and each field with [`FieldReader`].

use std::borrow::Cow;

use super::fast;
use super::fields::FieldReader;
use super::keys::Field;
use super::wire::WireEntry;
use super::{Doc, Located, Origin};
use crate::error::{Error, ErrorKind};
use crate::event::{EventKind, LogEvent, Scalar};
use crate::json::{self, Obj, Raw, keep_raw};
use crate::note::{Note, Notes};
use crate::source::Source;

/// The events of one batch whose `content` has the raw JSON text `content`.
pub(super) fn batch_events<'a>(
    doc: &Doc<'a, '_>,
    content: Option<&'a str>,
    job: Option<&Cow<'a, str>>,
    seq: &mut u64,
) -> Result<Vec<LogEvent<'a>>, Error> {
    let Some(raw) = content else {
        return Ok(Vec::new());
    };
    let base = json::offset_in(raw, doc.input).unwrap_or(0);
    let direct = |text| Located {
        text,
        origin: Origin::Direct { base },
    };
    match raw.as_bytes().first() {
        Some(b'"') => {
            let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
            if let Some(events) = fast::batch(doc, body, job, *seq) {
                *seq += events.len() as u64;
                return Ok(events);
            }
            match json::decode_str(raw) {
                Some(Cow::Borrowed(text)) => {
                    let inner = Located {
                        text,
                        origin: Origin::Direct { base: base + 1 },
                    };
                    entries(&Batch::new(doc, job, FromInput), inner, seq)
                }
                Some(Cow::Owned(text)) => {
                    let inner = Located {
                        text: &text,
                        origin: Origin::Escaped {
                            base: base + 1,
                            body,
                        },
                    };
                    entries(&Batch::new(doc, job, FromBuffer), inner, seq)
                }
                None => Ok(Vec::new()),
            }
        }
        Some(b'[') => {
            // A bare array where a string was expected (the docs' example,
            // after repair, or a producer that does not double-encode).
            let mut batch = Batch::new(doc, job, FromInput);
            doc.opts
                .recover(&mut batch.notes, Note::InnerJsonRepaired, || {
                    doc.error(
                        ErrorKind::Schema,
                        "`content` must be a JSON string holding a JSON array, found a bare array",
                        Origin::Direct { base },
                        0,
                    )
                })?;
            entries(&batch, direct(raw), seq)
        }
        Some(b'n') => Ok(Vec::new()),
        _ => {
            let mut notes = Notes::EMPTY;
            doc.opts.recover(&mut notes, Note::InnerJsonInvalid, || {
                doc.error(
                    ErrorKind::Schema,
                    "`content` must be a JSON string holding a JSON array",
                    Origin::Direct { base },
                    0,
                )
            })?;
            let batch = Batch::new(doc, job, FromInput);
            Ok(vec![raw_event(&batch, raw, seq, notes)])
        }
    }
}

/// Turns text taken from the inner content (lifetime `'b`) into text of
/// the event (lifetime `'a`): free when the content is a slice of the
/// input, a copy when it was decoded into a buffer of its own.
pub(super) trait ContentText<'b, 'a> {
    fn text(&self, c: Cow<'b, str>) -> Cow<'a, str>;

    fn scalar(&self, s: Scalar<'b>) -> Scalar<'a> {
        match s {
            Scalar::Str(c) => Scalar::Str(self.text(c)),
            Scalar::Int(i) => Scalar::Int(i),
            Scalar::Float(f) => Scalar::Float(f),
            Scalar::Bool(b) => Scalar::Bool(b),
        }
    }
}

/// The inner content is a slice of the input: its text is borrowed.
pub(super) struct FromInput;

impl<'a> ContentText<'a, 'a> for FromInput {
    fn text(&self, c: Cow<'a, str>) -> Cow<'a, str> {
        c
    }
}

/// The inner content was decoded into a buffer that does not outlive the
/// batch: its text is copied.
pub(super) struct FromBuffer;

impl<'a> ContentText<'_, 'a> for FromBuffer {
    fn text(&self, c: Cow<'_, str>) -> Cow<'a, str> {
        Cow::Owned(c.into_owned())
    }
}

/// What the events of one batch share: the document, the job, the batch's
/// notes, and how their text outlives the content.
pub(super) struct Batch<'r, 'a, T> {
    doc: &'r Doc<'a, 'r>,
    job: Option<&'r Cow<'a, str>>,
    notes: Notes,
    content: T,
}

impl<'r, 'a, T> Batch<'r, 'a, T> {
    /// A batch with no notes of its own.
    pub(super) fn new(doc: &'r Doc<'a, 'r>, job: Option<&'r Cow<'a, str>>, content: T) -> Self {
        Batch {
            doc,
            job,
            notes: Notes::EMPTY,
            content,
        }
    }
}

/// Cleans a message per the text mode and enforces the line-length limit.
fn finish_message<'b>(
    doc: &Doc<'_, '_>,
    message: Cow<'b, str>,
    notes: &mut Notes,
    origin: Origin<'_>,
    at: usize,
) -> Result<Cow<'b, str>, Error> {
    let mut message = crate::text::clean(message, doc.opts.text, notes);
    if message.len() > doc.opts.max_line_len {
        doc.opts.recover(notes, Note::LineTruncated, || {
            doc.error(
                ErrorKind::Limit,
                format!(
                    "message longer than {} bytes (the max_line_len option)",
                    doc.opts.max_line_len
                ),
                origin,
                at,
            )
        })?;
        crate::text::truncate_cow(&mut message, doc.opts.max_line_len);
    }
    Ok(message)
}

/// An event that keeps unparsed text raw.
/// Only reached in lenient mode, so an over-long text is simply cut and noted.
fn raw_event<'b, 'a, T: ContentText<'b, 'a>>(
    batch: &Batch<'_, 'a, T>,
    text: &'b str,
    seq: &mut u64,
    mut notes: Notes,
) -> LogEvent<'a> {
    let mut message = Cow::Borrowed(text);
    if crate::text::truncate_cow(&mut message, batch.doc.opts.max_line_len) {
        notes.insert(Note::LineTruncated);
    }
    let mut e = LogEvent::new(
        Source::SwrJobLog,
        EventKind::Line,
        *seq,
        batch.content.text(message),
    );
    *seq += 1;
    e.ctx.job = batch.job.cloned();
    e.notes = notes;
    e
}

/// Parses the inner array text into one event per entry.
pub(super) fn entries<'b, 'a, T: ContentText<'b, 'a>>(
    batch: &Batch<'_, 'a, T>,
    inner: Located<'b, '_>,
    seq: &mut u64,
) -> Result<Vec<LogEvent<'a>>, Error> {
    let doc = batch.doc;
    let text = inner.text;
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = crate::scan::skip_ws(b, 0);
    if pos >= b.len() {
        // `content: ""`: a batch with no entries.
        return Ok(out);
    }
    // `text[from..to]` kept raw as one event noted `note`.
    let keep_raw =
        |out: &mut Vec<LogEvent<'a>>, from: usize, to: usize, seq: &mut u64, note: Note| {
            let mut notes = batch.notes;
            notes.insert(note);
            let part = text.get(from..to).unwrap_or_default();
            out.push(raw_event(batch, part, seq, notes));
        };
    // Strict mode's error at `at`; lenient mode goes on (the caller keeps
    // the part raw with the note).
    let recover = |note: Note, kind: ErrorKind, detail: String, at: usize| {
        let mut ignored = Notes::EMPTY;
        doc.opts.recover(&mut ignored, note, || {
            doc.error(kind, detail, inner.origin, at)
        })
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
        if count >= doc.opts.max_entries {
            recover(
                Note::TooManyEntries,
                ErrorKind::Limit,
                format!(
                    "more than {} entries in one batch (the max_entries option)",
                    doc.opts.max_entries
                ),
                pos,
            )?;
            keep_raw(&mut out, pos, b.len(), seq, Note::TooManyEntries);
            return Ok(out);
        }
        let tail = text.get(pos..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_str(tail).into_iter::<Obj<WireEntry<'b>>>();
        match stream.next() {
            Some(Ok(Obj(entry))) => {
                let used = stream.byte_offset();
                out.push(entry_event(batch, &entry, inner, seq)?);
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
                let mut value =
                    serde_json::Deserializer::from_str(tail).into_iter::<serde::de::IgnoredAny>();
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

/// One inner entry as an event.
fn entry_event<'b, 'a, T: ContentText<'b, 'a>>(
    batch: &Batch<'_, 'a, T>,
    w: &WireEntry<'b>,
    inner: Located<'b, '_>,
    seq: &mut u64,
) -> Result<LogEvent<'a>, Error> {
    let doc = batch.doc;
    let mut fields = FieldReader {
        doc,
        place: inner,
        notes: batch.notes,
        attrs: Vec::new(),
    };
    let message = match w.get(Field::Message).map(Raw) {
        None => Cow::Borrowed(""),
        Some(r) => match r.text_value() {
            Ok(v) => v.unwrap_or(Cow::Borrowed("")),
            Err(_) => {
                fields.recover(
                    Note::InvalidValue,
                    ErrorKind::Value,
                    "`Message` must be a string",
                    r,
                )?;
                Cow::Borrowed(r.text())
            }
        },
    };
    let kind = match w.get(Field::Type).map(Raw).map(|r| (r, r.text_value())) {
        None => EventKind::Line,
        Some((_, Ok(Some(t)))) if t.eq_ignore_ascii_case("phase") => EventKind::Phase,
        Some((_, Ok(Some(t)))) if t.eq_ignore_ascii_case("content") => EventKind::Line,
        Some((_, Ok(None))) => EventKind::Line,
        Some((r, _)) => {
            fields.notes.insert(Note::UnknownEntryType);
            keep_raw(&mut fields.attrs, "entry_type", r);
            EventKind::Line
        }
    };
    let at = w
        .get(Field::Message)
        .and_then(|r| Raw(r).offset_in(inner.text))
        .unwrap_or(0);
    let message = finish_message(doc, message, &mut fields.notes, inner.origin, at)?;
    let mut e = LogEvent::new(Source::SwrJobLog, kind, *seq, batch.content.text(message));
    *seq += 1;
    e.ctx.job = batch.job.cloned();
    e.time = fields.time(w.get(Field::Time))?;
    let (status, vendor) = fields.state(w.get(Field::State))?;
    e.status = status;
    e.vendor_status = vendor.map(|v| batch.content.scalar(v));
    e.progress = fields
        .int(w.get(Field::Progress), "Progress", 0..=100)?
        .and_then(|p| u8::try_from(p).ok());
    e.notes = fields.notes;
    e.attrs = fields
        .attrs
        .into_iter()
        .map(|(k, v)| (k, batch.content.scalar(v)))
        .collect();
    Ok(e)
}
