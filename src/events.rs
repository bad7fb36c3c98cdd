//! [`Events`]: the iterator every front door returns.

use crate::error::Error;
use crate::event::LogEvent;
use crate::sources::{codearts, swr};

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
}

pub(crate) enum Inner<'a> {
    Swr(Box<swr::JobLogEvents<'a>>),
    CodeartsText(Box<codearts::TextEvents<'a>>),
    CodeartsPage(Box<codearts::follow::SinglePage<'a>>),
    Buffered(std::vec::IntoIter<LogEvent<'a>>),
    Done,
}

impl<'a> Events<'a> {
    pub(crate) fn from_inner(inner: Inner<'a>) -> Self {
        Events {
            inner,
            redact: false,
        }
    }

    /// Events already materialised (owned or borrowed).
    pub(crate) fn buffered(events: Vec<LogEvent<'a>>) -> Self {
        Events::from_inner(Inner::Buffered(events.into_iter()))
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
        let item = match &mut self.inner {
            Inner::Swr(it) => it.next(),
            Inner::CodeartsText(it) => it.next(),
            Inner::CodeartsPage(it) => it.next(),
            Inner::Buffered(it) => it.next().map(Ok),
            Inner::Done => None,
        };
        match item {
            Some(Err(e)) => {
                self.inner = Inner::Done;
                Some(Err(e))
            }
            None => {
                self.inner = Inner::Done;
                None
            }
            Some(Ok(mut e)) => {
                if self.redact {
                    crate::redact::apply(&mut e);
                }
                Some(Ok(e))
            }
        }
    }
}

impl std::iter::FusedIterator for Events<'_> {}

impl std::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Events { .. }")
    }
}
