//! The unified status of a job, step or host, and its outcome.
//!
//! This module knows no vendor codes: each source module maps its own values
//! (strings or numbers) onto [`Status`] with a table of its own, and keeps the
//! raw value on the event as `vendor_status`.

use std::fmt;
use std::str::FromStr;

/// A unified job, step or host status.
///
/// The vocabulary follows the OpenTelemetry CI/CD conventions: `failed` is the
/// work failing (non-zero exit, failing test), `error` is the platform failing
/// (agent lost, dispatch failed).
///
/// Not exhaustive: a source with states none of these names fits may add
/// one. [`Status::outcome`] is the stable three-way summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Queued or not started yet.
    Pending,
    /// Running (including "stopping" and "finalizing" states).
    Running,
    /// Finished successfully.
    Succeeded,
    /// Finished; the work itself failed.
    Failed,
    /// Killed because it ran too long.
    TimedOut,
    /// Stopped by a person or by the platform before it finished.
    Cancelled,
    /// Not run, on purpose.
    Skipped,
    /// Waiting for a person (manual confirmation) or for a batch; not finished.
    Blocked,
    /// The platform failed, not the job (agent error, dispatch failure).
    Error,
    /// Failed, but the error was ignored and the flow went on.
    Ignored,
    /// A vendor value this crate does not know; the raw value is kept.
    Unknown,
}

/// The outcome of a status, as ECS `event.outcome` defines it.
///
/// Exhaustive on purpose: ECS defines exactly these three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Finished as intended.
    Success,
    /// Finished and failed (work failure, time-out or platform error).
    Failure,
    /// Not finished, not known, or neither success nor failure (cancelled, skipped).
    Unknown,
}

/// Every name [`Status::from_str`] accepts (the `as_str` names).
pub const ACCEPTED_STATUS_NAMES: &[&str] = &[
    "pending",
    "running",
    "succeeded",
    "failed",
    "timed_out",
    "cancelled",
    "skipped",
    "blocked",
    "error",
    "ignored",
    "unknown",
];

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Status; 11] = [
        Status::Pending,
        Status::Running,
        Status::Succeeded,
        Status::Failed,
        Status::TimedOut,
        Status::Cancelled,
        Status::Skipped,
        Status::Blocked,
        Status::Error,
        Status::Ignored,
        Status::Unknown,
    ];

    /// The snake_case name used in the NDJSON output (`"timed_out"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Running => "running",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
            Status::TimedOut => "timed_out",
            Status::Cancelled => "cancelled",
            Status::Skipped => "skipped",
            Status::Blocked => "blocked",
            Status::Error => "error",
            Status::Ignored => "ignored",
            Status::Unknown => "unknown",
        }
    }

    /// Whether the job, step or host will not change state any more.
    ///
    /// `Pending`, `Running` and `Blocked` are not terminal; neither is
    /// `Unknown`, since nothing is known about it.
    pub const fn is_terminal(self) -> bool {
        match self {
            Status::Succeeded
            | Status::Failed
            | Status::TimedOut
            | Status::Cancelled
            | Status::Skipped
            | Status::Error
            | Status::Ignored => true,
            Status::Pending | Status::Running | Status::Blocked | Status::Unknown => false,
        }
    }

    /// Success, failure or unknown.
    ///
    /// `Ignored` counts as success (the flow went on, like Azure's
    /// "succeeded with issues"); `Cancelled` and `Skipped` are neither, so they
    /// are `Unknown`, as are all non-terminal states.
    pub const fn outcome(self) -> Outcome {
        match self {
            Status::Succeeded | Status::Ignored => Outcome::Success,
            Status::Failed | Status::TimedOut | Status::Error => Outcome::Failure,
            Status::Cancelled
            | Status::Skipped
            | Status::Pending
            | Status::Running
            | Status::Blocked
            | Status::Unknown => Outcome::Unknown,
        }
    }
}

impl Outcome {
    /// `"success"`, `"failure"` or `"unknown"` (the ECS values).
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](Status::as_str) name, as in the NDJSON `status` key.
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](Outcome::as_str) name (the ECS value).
impl serde::Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Status::from_str`]: the text was not a unified status name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseStatusError {
    found: String,
}

impl fmt::Display for ParseStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown status {:?}: expected one of {}",
            self.found,
            ACCEPTED_STATUS_NAMES.join(", ")
        )
    }
}

impl std::error::Error for ParseStatusError {}

impl FromStr for Status {
    type Err = ParseStatusError;

    /// Parses a unified status name (`"timed_out"`), ignoring ASCII case,
    /// surrounding white space, and `-` for `_`.
    ///
    /// This reads this crate's own names back (for example from NDJSON); vendor
    /// values go through each source's own table instead.
    ///
    /// # Errors
    /// [`ParseStatusError`], whose message lists the accepted names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Status::ALL
            .into_iter()
            .find(|st| {
                let name = st.as_str().as_bytes();
                name.len() == t.len()
                    && name.iter().zip(t.bytes()).all(|(&a, b)| {
                        let b = if b == b'-' { b'_' } else { b };
                        a == b.to_ascii_lowercase()
                    })
            })
            .ok_or_else(|| ParseStatusError {
                found: s.chars().take(40).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_and_outcome_table() {
        let table = [
            (Status::Pending, false, Outcome::Unknown),
            (Status::Running, false, Outcome::Unknown),
            (Status::Succeeded, true, Outcome::Success),
            (Status::Failed, true, Outcome::Failure),
            (Status::TimedOut, true, Outcome::Failure),
            (Status::Cancelled, true, Outcome::Unknown),
            (Status::Skipped, true, Outcome::Unknown),
            (Status::Blocked, false, Outcome::Unknown),
            (Status::Error, true, Outcome::Failure),
            (Status::Ignored, true, Outcome::Success),
            (Status::Unknown, false, Outcome::Unknown),
        ];
        assert_eq!(table.len(), Status::ALL.len());
        for (st, terminal, outcome) in table {
            assert_eq!(st.is_terminal(), terminal, "{st}");
            assert_eq!(st.outcome(), outcome, "{st}");
        }
    }

    #[test]
    fn names_round_trip() {
        for st in Status::ALL {
            assert_eq!(st.as_str().parse::<Status>().unwrap(), st);
            assert_eq!(st.as_str().to_uppercase().parse::<Status>().unwrap(), st);
        }
        assert_eq!("timed-out".parse::<Status>().unwrap(), Status::TimedOut);
        assert_eq!(ACCEPTED_STATUS_NAMES.len(), Status::ALL.len());
    }

    #[test]
    fn err_lists_accepted_names() {
        let err = "success".parse::<Status>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown status \"success\": expected one of pending, running, succeeded, failed, \
             timed_out, cancelled, skipped, blocked, error, ignored, unknown"
        );
    }
}
