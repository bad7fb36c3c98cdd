//! [`Events`]: the iterator every front door returns.

use crate::error::Error;
use crate::event::LogEvent;
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
    /// The payload as given, when lazy errors are positioned in a text made
    /// from it (after a byte-order mark): see `json::anchor`.
    anchor: Option<&'a [u8]>,
}

pub(crate) enum Inner<'a> {
    Swr(Box<swr::JobLogEvents<'a>>),
    CodeartsText(Box<codearts::TextEvents<'a>>),
    CodeartsPage(Box<codearts::follow::SinglePage<'a>>),
    BkJob(Box<bkjob::BkEvents<'a>>),
    Buffered(std::vec::IntoIter<LogEvent<'a>>),
    Done,
}

impl<'a> Events<'a> {
    pub(crate) fn from_inner(inner: Inner<'a>) -> Self {
        Events {
            inner,
            redact: false,
            anchor: None,
        }
    }

    /// Events already materialised (owned or borrowed).
    pub(crate) fn buffered(events: Vec<LogEvent<'a>>) -> Self {
        Events::from_inner(Inner::Buffered(events.into_iter()))
    }

    /// Re-anchors the positions of errors found while iterating onto
    /// `input`, the payload as given.
    pub(crate) fn with_anchor(mut self, input: &'a [u8]) -> Self {
        match &mut self.inner {
            // The BlueKing walk re-anchors its own errors (see `next`).
            Inner::BkJob(it) => it.anchor = Some(input),
            _ => self.anchor = Some(input),
        }
        self
    }

    /// Masks secrets in every message (see [`Options::redact`](crate::Options::redact)).
    pub(crate) fn with_redaction(mut self, on: bool) -> Self {
        self.redact = on;
        self
    }
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        // The text log's and BlueKing's events are handed on untouched,
        // straight from where they are built (each stops by itself after an
        // error, and the BlueKing walk anchors its own errors): moving a
        // `LogEvent` (a few hundred bytes) out and back costs as much as
        // parsing a short line.
        if !self.redact {
            match &mut self.inner {
                Inner::CodeartsText(it) => return text_next(it),
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
        if let Some(Ok(e)) = &mut item {
            if self.redact {
                crate::redact::apply(e);
            }
            return item;
        }
        // An error or the end: either way the iterator is finished.
        self.inner = Inner::Done;
        match (item, self.anchor) {
            (Some(Err(e)), Some(input)) => Some(Err(crate::json::anchor(e, input))),
            (item, _) => item,
        }
    }
}

impl std::iter::FusedIterator for Events<'_> {}

impl std::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events { .. }")
    }
}
