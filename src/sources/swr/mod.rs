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
//!
//! The vendor's knowledge is data: the states in [`states`], the entry keys
//! in [`keys`], the wire structs in [`wire`]. The front doors (job log, job
//! history) are in [`job`]. A batch of entries is read by the scanner in
//! [`fast`] straight from the outer string; when it gives up, [`batch`]
//! decodes the string and reads the entries carefully with serde, and
//! [`fields`] reads each scalar with its notes. [`repair`] rewrites the
//! docs' unescaped `content` in lenient mode.

mod batch;
mod fast;
mod fields;
mod job;
mod keys;
mod repair;
pub(crate) mod states;
#[cfg(test)]
mod tests;
mod wire;

pub(crate) use job::{JobLogEvents, job_history, job_log};

use crate::error::{Error, ErrorKind};
use crate::json::{self, Raw};
use crate::options::Options;
use crate::source::Source;

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

/// A text being parsed (the input, or a batch's inner array) and where it
/// lives in the input.
#[derive(Clone, Copy)]
struct Located<'t, 's> {
    text: &'t str,
    origin: Origin<'s>,
}

/// One SWR document being parsed: the input and the options.
struct Doc<'a, 'o> {
    input: &'a str,
    opts: &'o Options,
}

impl Doc<'_, '_> {
    /// The error at offset `at` of a text that lives at `origin`.
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

    /// The error at the value `raw` of the text `place`.
    fn raw_error(
        &self,
        kind: ErrorKind,
        detail: impl Into<String>,
        raw: Raw<'_>,
        place: Located<'_, '_>,
    ) -> Error {
        let at = raw.offset_in(place.text).unwrap_or(0);
        self.error(kind, detail, place.origin, at)
    }
}
