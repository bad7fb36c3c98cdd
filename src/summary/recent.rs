//! The failure class of a failing status event (or of a line giving a
//! non-zero exit code, which is how a text log without status fails), for
//! the writers that give
//! it as `error.type` (OTLP, ECS) one event at a time, without a summary.
//!
//! The class follows the summary's classification
//! ([`rules::classify`]): status and exit code (the status event's, else
//! the last a line of its step gave) first, then the rule hits
//! among the last [`KEPT`] lines of the same step and host before the
//! status event (all of them for a job's own status). A writer cannot look
//! past the event it is writing, so a class the summary finds in lines
//! further back, or after the status, is `_OTHER` here.

use super::rules::{self, ErrorType, Rule};
use crate::event::{EventKind, LogEvent};
use crate::status::Status;

/// How many lines are kept.
const KEPT: usize = 50;

/// How much of a line's text is kept for the rules.
const TEXT: usize = 4096;

/// One kept line.
#[derive(Clone, Debug, Default)]
struct Line {
    seq: u64,
    step: String,
    host: String,
    /// Whether the line had a step id or name, and a host.
    has_step: bool,
    has_host: bool,
    exit_code: Option<i64>,
    text: String,
}

/// The last lines of an input, and the class of each failing status.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recent {
    input: String,
    lines: Vec<Line>,
    /// Where the next line goes once `lines` is full.
    next: usize,
}

impl Recent {
    /// Takes `e`, read from `input`; for a failing status or phase event
    /// (failed, timed out, error), or a line giving a non-zero exit code,
    /// returns its class.
    pub(crate) fn error_type(&mut self, e: &LogEvent<'_>, input: &str) -> Option<ErrorType> {
        if !same(self.input.as_bytes(), input.as_bytes()) {
            self.input.clear();
            self.input.push_str(input);
            self.lines.clear();
            self.next = 0;
        }
        let step = e.ctx.step_id.as_deref().or(e.ctx.step_name.as_deref());
        let host = e.ctx.host.as_deref();
        let status = if e.kind == EventKind::Line {
            self.keep(e.seq, step, host, e.ctx.exit_code, &e.message);
            // A runner's `exit code N` line: the step failed there.
            match e.ctx.exit_code {
                Some(c) if c != 0 => Status::Failed,
                _ => return None,
            }
        } else {
            e.status?
        };
        if !matches!(status, Status::Failed | Status::TimedOut | Status::Error) {
            return None;
        }
        let job_level = step.is_none() && host.is_none();
        let mut hits: Vec<(u64, &'static Rule)> = Vec::new();
        // The status's exit code, else the last one a line of the step gave
        // (a runner's `script returned exit code N`).
        let mut exit_code = None;
        let (newer, older) = self.lines.split_at(self.next);
        for l in older.iter().chain(newer) {
            let same = job_level
                || (l.has_step == step.is_some()
                    && l.step == step.unwrap_or_default()
                    && l.has_host == host.is_some()
                    && l.host == host.unwrap_or_default());
            if !same {
                continue;
            }
            exit_code = l.exit_code.or(exit_code);
            if let Some(r) = rules::head_rule(&l.text).or_else(|| rules::tail_rule(&l.text)) {
                hits.push((l.seq, r));
            }
        }
        Some(rules::classify(status, e.ctx.exit_code.or(exit_code), &hits).0)
    }

    /// Keeps a line, the oldest one making room.
    fn keep(
        &mut self,
        seq: u64,
        step: Option<&str>,
        host: Option<&str>,
        exit_code: Option<i64>,
        text: &str,
    ) {
        let l = if self.lines.len() < KEPT {
            self.lines.push(Line::default());
            self.lines.last_mut()
        } else {
            let i = self.next;
            self.next = (self.next + 1) % KEPT;
            self.lines.get_mut(i)
        };
        let Some(l) = l else { return };
        l.seq = seq;
        set_short(&mut l.step, step.unwrap_or_default());
        set_short(&mut l.host, host.unwrap_or_default());
        l.has_step = step.is_some();
        l.has_host = host.is_some();
        l.exit_code = exit_code;
        let mut end = text.len().min(TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        set(&mut l.text, text.get(..end).unwrap_or_default());
    }
}

/// Copies `to` into `s`.
fn set(s: &mut String, to: &str) {
    s.clear();
    s.push_str(to);
}

/// Copies a short text (a step, a host) into `s` unless it is there
/// already. Compared a word at a time here: a `memcmp` call per field and
/// line cost more than the copy (on the bench text the ECS writer took
/// half as long again with it).
fn set_short(s: &mut String, to: &str) {
    if !same(s.as_bytes(), to.as_bytes()) {
        set(s, to);
    }
}

/// Whether two byte strings are equal, without a library call.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if u64::from_ne_bytes(*x) != u64::from_ne_bytes(*y) {
            return false;
        }
        (a, b) = (ra, rb);
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use std::borrow::Cow;

    fn line(seq: u64, step: Option<&str>, text: &str) -> LogEvent<'static> {
        let mut e = LogEvent::new(
            Source::CodeartsLog,
            EventKind::Line,
            seq,
            Cow::Owned(text.to_owned()),
        );
        e.ctx.step_id = step.map(|s| s.to_owned().into());
        e
    }

    fn status(seq: u64, step: Option<&str>, s: Status, exit: Option<i64>) -> LogEvent<'static> {
        let mut e = line(seq, step, "");
        e.kind = EventKind::Status;
        e.status = Some(s);
        e.ctx.exit_code = exit;
        e
    }

    fn classes(events: &[LogEvent<'_>]) -> Vec<Option<&'static str>> {
        let mut r = Recent::default();
        events
            .iter()
            .map(|e| r.error_type(e, "a.log").map(ErrorType::as_str))
            .collect()
    }

    #[test]
    fn status_and_exit_code_first_then_the_steps_own_lines() {
        let events = [
            line(0, Some("build"), "error[E0308]: mismatched types"),
            line(1, Some("test"), "No space left on device"),
            status(2, Some("build"), Status::Failed, Some(101)),
            status(3, Some("test"), Status::Failed, Some(127)),
            status(4, Some("lint"), Status::Failed, Some(1)),
            status(5, Some("deploy"), Status::TimedOut, None),
            status(6, Some("pack"), Status::Error, None),
            status(7, Some("docs"), Status::Succeeded, Some(0)),
            status(8, Some("docs"), Status::Cancelled, None),
            // The job's own status sees every kept line.
            status(9, None, Status::Failed, None),
            line(10, None, "plain"),
            {
                let mut l = line(11, None, "Process completed with exit code 2.");
                l.ctx.exit_code = Some(2);
                l
            },
            {
                let mut l = line(12, None, "exit code 0");
                l.ctx.exit_code = Some(0);
                l
            },
        ];
        assert_eq!(
            classes(&events),
            [
                None,
                None,
                Some("compile_error"),
                Some("command_not_found"),
                Some("_OTHER"),
                Some("timeout"),
                Some("infra"),
                None,
                None,
                Some("compile_error"),
                None,
                Some("compile_error"),
                None,
            ]
        );
    }

    #[test]
    fn only_the_last_lines_count_and_a_new_input_starts_afresh() {
        let mut r = Recent::default();
        let _ = r.error_type(&line(0, Some("s"), "error: linking failed"), "a.log");
        for i in 1..=KEPT as u64 {
            let _ = r.error_type(&line(i, Some("s"), "ok"), "a.log");
        }
        let failed = status(99, Some("s"), Status::Failed, Some(1));
        assert_eq!(r.error_type(&failed, "a.log"), Some(ErrorType::Other));
        let mut r = Recent::default();
        let _ = r.error_type(&line(0, Some("s"), "error: linking failed"), "a.log");
        assert_eq!(
            r.error_type(&failed, "a.log"),
            Some(ErrorType::CompileError)
        );
        assert_eq!(r.error_type(&failed, "b.log"), Some(ErrorType::Other));
    }

    #[test]
    fn out_of_memory_counts_with_exit_code_137_only_and_long_lines_are_cut_safely() {
        let long = "é".repeat(TEXT) + "OutOfMemoryError";
        let events = [
            line(0, Some("s"), "java.lang.OutOfMemoryError: Java heap space"),
            status(1, Some("s"), Status::Failed, Some(137)),
            status(2, Some("s"), Status::Failed, Some(1)),
            line(3, Some("t"), &long),
            status(4, Some("t"), Status::Failed, Some(137)),
            {
                let mut l = line(5, Some("u"), "script returned exit code 127");
                l.ctx.exit_code = Some(127);
                l
            },
            status(6, Some("u"), Status::Failed, None),
        ];
        assert_eq!(
            classes(&events),
            [
                None,
                Some("oom_killed"),
                Some("_OTHER"),
                None,
                Some("killed"),
                Some("command_not_found"),
                Some("command_not_found")
            ]
        );
    }
}
