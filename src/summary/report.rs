//! The summary's output types: `cilog.summary/v1`.

use serde::Serialize;

use super::rules::{Confidence, ErrorType};
use crate::source::Source;
use crate::status::Status;
use crate::time::Timestamp;

/// The summary of one run: `cilog.summary/v1`.
///
/// Serialized with exactly these keys in this order; absent values are
/// `null`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RunSummary {
    /// Always [`SCHEMA`](super::SCHEMA).
    pub schema: &'static str,
    /// The input's name, as given to [`Summarizer::new`](super::Summarizer::new).
    pub input: String,
    /// The source of the run's first event.
    pub source: Source,
    /// The job, when an event named it.
    pub job: Option<String>,
    /// The run number (CodeArts' build number), when an event gave it.
    pub run_id: Option<String>,
    /// The attempt, when a job-level event gave it.
    pub attempt: Option<u32>,
    /// How the run ended (see the module docs); `unknown` with no terminal
    /// status and no failure evidence.
    pub outcome: Status,
    /// The earliest event time.
    pub start: Option<Timestamp>,
    /// The latest event time.
    pub end: Option<Timestamp>,
    /// `end - start` in milliseconds.
    pub duration_ms: Option<u64>,
    /// The first failing step's exit code; else the last step's.
    pub exit_code: Option<i64>,
    /// The earliest anchor of the first failing step.
    pub first_error: Option<FirstError>,
    /// The failing steps and hosts.
    pub failing: Vec<Failing>,
    /// Every step, each followed by its hosts.
    pub steps: Vec<StepOutcome>,
    /// How many events, and how many of them error or warn.
    pub counts: Counts,
}

impl RunSummary {
    /// Whether the run failed, timed out or errored (what `--exit-status`
    /// counts; a cancelled run does not).
    pub fn is_failure(&self) -> bool {
        matches!(
            self.outcome,
            Status::Failed | Status::TimedOut | Status::Error
        )
    }

    /// The run as one JSON object (one line).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The first error of a run, and where it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FirstError {
    /// The event's `seq`.
    pub seq: u64,
    /// The 1-based input line, where the source has lines.
    pub line: Option<u64>,
    /// The step (`null` for the run itself).
    pub step_id: Option<String>,
    /// The step's name.
    pub step_name: Option<String>,
    /// The host.
    pub host: Option<String>,
    /// The message.
    pub message: String,
}

/// A failing step or host.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Failing {
    /// The step (`null` for a run that failed outside any step).
    pub step_id: Option<String>,
    /// The step's name.
    pub step_name: Option<String>,
    /// The host, for one host's part of a step.
    pub host: Option<String>,
    /// `failed`, `timed_out` or `error`.
    pub status: Status,
    /// The last exit code its events gave.
    pub exit_code: Option<i64>,
    /// How long it ran.
    pub duration_ms: Option<u64>,
    /// What kind of failure.
    pub error_type: ErrorType,
    /// How sure; `null` for `_OTHER`.
    pub confidence: Option<Confidence>,
    /// Why: a rule id (`compile_error.rustc`), `status.timed_out` or
    /// `exit_code.137`; `null` for `_OTHER`.
    pub evidence: Option<String>,
    /// The anchors with their context.
    pub errors: Vec<Excerpt>,
}

/// An anchor line with its context.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Excerpt {
    /// The anchor event's `seq`.
    pub seq: u64,
    /// Its 1-based input line, where the source has lines.
    pub line: Option<u64>,
    /// Its message.
    pub message: String,
    /// Lines before it (serialized as their messages).
    pub before: Vec<ContextLine>,
    /// Lines after it (serialized as their messages).
    pub after: Vec<ContextLine>,
}

/// A line of context. Serialized as its message alone.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ContextLine {
    /// The event's `seq`.
    pub seq: u64,
    /// The 1-based input line, where the source has lines.
    pub line: Option<u64>,
    /// The message.
    pub message: String,
}

impl Serialize for ContextLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.message)
    }
}

/// One step, or one host's part of it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StepOutcome {
    /// The step.
    pub step_id: String,
    /// Its name.
    pub step_name: Option<String>,
    /// The host, for one host's part.
    pub host: Option<String>,
    /// Its status (see [`StepSpan::status`](crate::StepSpan::status)).
    pub status: Status,
    /// How long it ran.
    pub duration_ms: Option<u64>,
}

/// Event counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Counts {
    /// All events.
    pub events: u64,
    /// Events of severity error or fatal.
    pub error: u64,
    /// Events of severity warn.
    pub warn: u64,
}
