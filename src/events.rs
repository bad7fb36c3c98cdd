//! The dispatch: [`Events`], the iterator every front door returns, and the
//! one `match` from a [`Source`] to its vendor reader. Error anchoring and
//! redaction are applied here, once, for every source.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind};
use crate::event::{EventKind, LogEvent, Parsed};
use crate::note::Note;
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
        if !self.redact {
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
            anchor: anchored_in_text(source).then_some(input),
        }
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

/// The single dispatch: parse `input` as `source`.
pub(crate) fn dispatch<'a>(
    source: Source,
    input: &'a [u8],
    options: &Options,
) -> Result<Events<'a>, Error> {
    let result = match read(source, input, options) {
        Err(e) if e.kind() == ErrorKind::Eof && source.is_json() && !options.is_strict() => {
            truncated(source, input, options).ok_or(e)
        }
        other => other,
    };
    result
        .map(|inner| Events::new(inner, input, source, options))
        .map_err(|e| {
            let e = if anchored_in_text(source) {
                crate::json::anchor(e, input)
            } else {
                e
            };
            e.with_source(source)
        })
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
