//! The dispatch: [`Events`], the iterator every front door returns, and the
//! one `match` from a [`Source`] to its vendor reader. Error anchoring and
//! redaction are applied here, once, for every source.

use std::borrow::Cow;

use crate::detect::{Form, Misfit, Shape};
use crate::error::{Error, ErrorKind};
use crate::event::{EventKind, LogEvent, Parsed, Scalar};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;
use crate::sources::{bkjob, codearts, swr};

/// The events of one input, in order.
///
/// Items are `Result`s: lenient mode only yields `Ok`; strict mode may yield
/// one `Err` where the input stops being acceptable, after which the iterator
/// is finished (it is fused). Errors found before the first event (a vendor
/// error body, an unreadable envelope) are returned by the front door itself.
///
/// Collect with `events.collect::<Result<Vec<_>, _>>()`.
pub struct Events<'a> {
    inner: Inner<'a>,
    redact: bool,
    /// Notes for every event (`binary_input`).
    notes: Notes,
    /// Neither redaction nor notes to add: events are handed on untouched.
    plain: bool,
    /// The payload as given, when the reader positions its errors in the
    /// text it made of it (after a byte-order mark, or a lossy copy): see
    /// `json::anchor`.
    anchor: Option<&'a [u8]>,
}

enum Inner<'a> {
    Swr(Box<swr::JobLogEvents<'a>>),
    CodeartsText(Box<codearts::TextEvents<'a>>),
    CodeartsPage(Box<codearts::SinglePage<'a>>),
    BkJob(Box<bkjob::BkEvents<'a>>),
    Buffered(std::vec::IntoIter<LogEvent<'a>>),
    Done,
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The text log's and BlueKing's events are handed on untouched,
        // straight from where they are built (each stops by itself after an
        // error): moving a `LogEvent` (a few hundred bytes) out and back
        // costs as much as parsing a short line.
        if self.plain {
            match &mut self.inner {
                Inner::CodeartsText(it) => return text_next(it),
                // The BlueKing walk anchors its own errors and stops after
                // one: matching on its item here would move every event
                // out and back (the bkjob-log bench group lost a seventh).
                Inner::BkJob(it) => return it.next(),
                _ => {}
            }
        }
        self.next_general()
    }
}

/// The text log's `next`, out of line so that [`Events::next`] itself
/// stays a few checks and a jump, without the text path's frame (which
/// cost every BlueKing event a prologue).
#[inline(never)]
fn text_next<'a>(it: &mut codearts::TextEvents<'a>) -> Option<Result<LogEvent<'a>, Error>> {
    it.next()
}

impl<'a> Events<'a> {
    fn new(inner: Inner<'a>, input: &'a [u8], source: Source, options: &Options) -> Self {
        Events {
            inner,
            redact: options.redact,
            notes: Notes::EMPTY,
            plain: !options.redact,
            anchor: anchored_in_text(source).then_some(input),
        }
    }

    /// Adds `note` to every event.
    fn noting(mut self, note: Note) -> Self {
        self.notes.insert(note);
        self.plain = false;
        self
    }

    /// [`Iterator::next`] of every source but the text log without
    /// redaction; out of line so that the text log's `next` is a check and a
    /// jump.
    #[inline(never)]
    fn next_general(&mut self) -> Option<Result<LogEvent<'a>, Error>> {
        let mut item = match &mut self.inner {
            Inner::Swr(it) => it.next(),
            Inner::CodeartsText(it) => it.next(),
            Inner::CodeartsPage(it) => it.next(),
            Inner::BkJob(it) => it.next(),
            Inner::Buffered(it) => it.next().map(Ok),
            Inner::Done => None,
        };
        // The event is changed in place and the item handed on as it came:
        // a `LogEvent` is a few hundred bytes, and moving it out and back
        // costs as much as parsing a line.
        match &mut item {
            Some(Ok(e)) => {
                e.notes.extend(self.notes);
                if self.redact {
                    crate::redact::apply(e);
                }
                item
            }
            Some(Err(_)) if matches!(self.inner, Inner::BkJob(_)) => {
                self.inner = Inner::Done;
                item
            }
            Some(Err(_)) => item.map(|r| r.map_err(|e| self.fail(e))),
            None => {
                self.inner = Inner::Done;
                None
            }
        }
    }

    /// Ends the iteration at `e`, anchored onto the payload as given.
    #[cold]
    #[inline(never)]
    fn fail(&mut self, e: Error) -> Error {
        self.inner = Inner::Done;
        match self.anchor {
            Some(input) => crate::json::anchor(e, input),
            None => e,
        }
    }
}

impl std::iter::FusedIterator for Events<'_> {}

impl std::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events { .. }")
    }
}

/// Whether the source's reader positions its errors in the text it made of
/// the payload (`json::utf8_input`: after a byte-order mark, or in a lossy
/// copy) rather than in the payload itself.
fn anchored_in_text(source: Source) -> bool {
    match source {
        Source::SwrJobLog | Source::SwrJobHistory => true,
        Source::BkjobLog | Source::BkjobIpLog | Source::BkjobStatus => true,
        Source::CodeartsRealtimeLog | Source::CodeartsLog => false,
    }
}

/// Detects the source of `input` and parses it: the front door of
/// [`crate::parse`].
pub(crate) fn dispatch_detected<'a>(
    input: &'a [u8],
    options: &Options,
) -> Result<Events<'a>, Error> {
    let shape = Shape::of(input);
    match shape.source() {
        Some(source) => dispatch_shaped(source, input, &shape, options),
        None if shape.form == Form::Empty => empty(input, options),
        None => Err(Error::new(
            ErrorKind::UnknownSource,
            "could not detect the source of the input; name it explicitly",
        )),
    }
}

/// The single dispatch: parse `input` as `source`.
pub(crate) fn dispatch<'a>(
    source: Source,
    input: &'a [u8],
    options: &Options,
) -> Result<Events<'a>, Error> {
    dispatch_shaped(source, input, &Shape::of(input), options)
}

fn dispatch_shaped<'a>(
    source: Source,
    input: &'a [u8],
    shape: &Shape<'_>,
    options: &Options,
) -> Result<Events<'a>, Error> {
    if shape.form == Form::Empty {
        return empty(input, options).map_err(|e| e.with_source(source));
    }
    if let Err(misfit) = shape.fit(source) {
        return mismatch(source, input, shape, misfit, options);
    }
    let binary = shape.form == Form::Binary;
    if binary && options.is_strict() {
        let at = memchr::memchr(0, input).unwrap_or(0);
        let e = Error::at(
            ErrorKind::Binary,
            "the input looks binary (a NUL byte), not a log",
            input,
            at,
        );
        return Err(e.with_source(source));
    }
    let result = match read(source, input, options) {
        Err(e) if e.kind() == ErrorKind::Eof && source.is_json() && !options.is_strict() => {
            truncated(source, input, options).ok_or(e)
        }
        other => other,
    };
    result
        .map(|inner| {
            let events = Events::new(inner, input, source, options);
            if binary {
                events.noting(Note::BinaryInput)
            } else {
                events
            }
        })
        .map_err(|e| {
            let e = if anchored_in_text(source) {
                crate::json::anchor(e, input)
            } else {
                e
            };
            e.with_source(source)
        })
}

/// An input of nothing but white space: no events (lenient), or an error
/// (strict).
fn empty<'a>(input: &'a [u8], options: &Options) -> Result<Events<'a>, Error> {
    if options.is_strict() {
        return Err(Error::at(
            ErrorKind::Eof,
            "the input is empty",
            input,
            input.len(),
        ));
    }
    Ok(Events {
        inner: Inner::Done,
        redact: false,
        notes: Notes::EMPTY,
        plain: true,
        anchor: None,
    })
}

/// A payload that does not fit `source`: strict mode's schema error, or
/// lenient mode's one raw event noted `shape_mismatch` (never an empty
/// result).
fn mismatch<'a>(
    source: Source,
    input: &'a [u8],
    shape: &Shape<'_>,
    misfit: Misfit,
    options: &Options,
) -> Result<Events<'a>, Error> {
    if options.is_strict() {
        let e = Error::at(
            ErrorKind::Schema,
            format!("the payload does not fit {source}: {}", misfit.why),
            input,
            shape.start,
        );
        return Err(e.with_source(source));
    }
    let body = crate::text::strip_bom(input);
    let mut notes = Notes::EMPTY;
    notes.insert(Note::ShapeMismatch);
    let mut message = match std::str::from_utf8(body) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            notes.insert(Note::InvalidUtf8);
            Cow::Owned(String::from_utf8_lossy(body).into_owned())
        }
    };
    if crate::text::truncate_cow(&mut message, options.max_line_len) {
        notes.insert(Note::LineTruncated);
    }
    let mut event = LogEvent::new(source, EventKind::Line, 0, message);
    event.notes = notes;
    if let Some(d) = misfit.detected {
        event
            .attrs
            .push(("detected_source", Scalar::Str(Cow::Borrowed(d.as_str()))));
    }
    Ok(Events::new(
        Inner::Buffered(vec![event].into_iter()),
        input,
        source,
        options,
    ))
}

/// The one `match` from a source to its reader.
fn read<'a>(source: Source, input: &'a [u8], options: &Options) -> Result<Inner<'a>, Error> {
    Ok(match source {
        Source::SwrJobLog => lazy(swr::job_log(input, options)?, Inner::Swr),
        Source::SwrJobHistory => Inner::Buffered(swr::job_history(input, options)?.into_iter()),
        Source::CodeartsRealtimeLog => Inner::CodeartsPage(codearts::realtime_log(input, options)?),
        Source::CodeartsLog => Inner::CodeartsText(codearts::text_log(input, options)?),
        Source::BkjobLog => lazy(bkjob::job_log(input, options)?, Inner::BkJob),
        Source::BkjobIpLog => lazy(bkjob::ip_log(input, options)?, Inner::BkJob),
        Source::BkjobStatus => Inner::Buffered(bkjob::status(input, options)?.into_iter()),
    })
}

/// A reader's result as the dispatch holds it: a lazy reader in its own
/// variant (so that `next` matches one enum, not two: the nested match cost
/// the BlueKing group about a tenth of its time in the throughput bench),
/// events already read as `Buffered`.
fn lazy<'a, I>(parsed: Parsed<'a, I>, variant: fn(I) -> Inner<'a>) -> Inner<'a> {
    match parsed {
        Parsed::Lazy(it) => variant(it),
        Parsed::Ready(events) => Inner::Buffered(events),
    }
}

/// Lenient mode's answer to a JSON payload that ends early: the events of
/// everything complete (the document cut at its last complete value, or
/// inside a long log-text string, and closed), the last of them noted
/// `truncated`, then the cut-off rest kept raw in one more event. `None`
/// if the completed document cannot be read either: the caller reports the
/// original error.
fn truncated<'a>(source: Source, input: &[u8], options: &Options) -> Option<Inner<'a>> {
    let body = crate::text::strip_bom(input);
    let text = String::from_utf8_lossy(body);
    let done = crate::json::complete_truncated(&text)?;
    let unredacted = Options {
        redact: false,
        ..options.clone()
    };
    let inner = read(source, done.text.as_bytes(), &unredacted).ok()?;
    let mut events: Vec<LogEvent<'static>> =
        Events::new(inner, done.text.as_bytes(), source, &unredacted)
            .map(|e| e.map(LogEvent::into_owned))
            .collect::<Result<_, _>>()
            .ok()?;
    if let Some(last) = events.last_mut() {
        last.notes.insert(Note::Truncated);
    }
    let rest = text.get(done.cut..).unwrap_or_default();
    let rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
    if !rest.is_empty() || events.is_empty() {
        let seq = events.last().map_or(0, |e| e.seq + 1);
        let mut message = Cow::Owned(rest.to_owned());
        let mut tail = LogEvent::new(source, EventKind::Line, seq, Cow::Borrowed(""));
        if crate::text::truncate_cow(&mut message, options.max_line_len) {
            tail.notes.insert(Note::LineTruncated);
        }
        tail.message = message;
        tail.notes.insert(Note::Truncated);
        events.push(tail);
    }
    Some(Inner::Buffered(events.into_iter()))
}
