//! What failed, where, and why: one [`RunSummary`] per run of a log, read
//! from its events one at a time.
//!
//! Vendor-neutral: it reads only unified fields, and builds on the step
//! spans of [`step_spans`](crate::step_spans) (the same tracker, fed one
//! event at a time), the per-host spans included.
//!
//! ## Runs
//!
//! A run is a (source, job, attempt), in the order first seen. Events that
//! name no job belong to the run of their input (the last run it opened;
//! a run opened by such events takes the job of the first event naming
//! one):
//! a CodeArts build log is one run although only its `JobStatusPlugin`
//! lines name the job, and so is a BlueKing job instance or an SWR job. An
//! attempt is read from job-level events (no step); it splits a job's runs
//! only when two events give different ones.
//!
//! ## Outcome
//!
//! 1. The last job-level status (a `status` event with no step and no host)
//!    wins; `unknown` (a vendor value this crate does not know) says nothing.
//! 2. Else a step or host that failed, timed out or errored makes the run
//!    `failed` (or that status).
//! 3. Else a non-zero exit code in the run's last step (or, with no steps,
//!    in its step-less lines) makes it `failed`.
//! 4. Else a last phase still `running` gives `running`.
//! 5. Else every step succeeded (or was skipped) gives `succeeded`; else
//!    `unknown` (a truncated log with no terminal status).
//!
//! `duration_ms` runs from the earliest to the latest event time; when the
//! events span no time (one history record), the job's own duration, if a
//! job-level status gave it.
//!
//! ## Failing steps and their errors
//!
//! Each failing host is listed, and each failing step none of whose hosts
//! failed. A failing run with no failing step (CodeArts' `Finished:
//! FAILURE` after step-less lines) lists the run itself, `step_id` null,
//! with the lines that belong to no step.
//!
//! The anchors of a failing step are, in this priority: rule hits (see
//! [`ErrorType`]), else lines of severity error or above (`::error::`
//! included), else lines starting `fatal:`, `error:`, `Error:`, `ERROR`,
//! `FAILED` or holding `Traceback`, else the step's last line with the 19
//! before it. A runner's generic exit line (`Process exited with code N`,
//! `script returned exit code N`) is exit-code evidence, and an anchor only
//! when no more specific anchor comes before it in the step. Debug lines
//! never anchor. Each anchor has 3 lines before and 8 after, no line shown
//! twice; at most 5 anchors and 40 lines a step. `first_error` is the
//! earliest anchor of the first failing step.
//!
//! Rules that hold anywhere in a line, or behind a path at its start
//! (`src/a.c:3:5: error:`), are read in a failing step's last 50 lines
//! (see `rules.rs`); the others in every line.
//!
//! ## Memory
//!
//! Per step and host: its span, its last 50 lines (shared with the input
//! when [`Summarizer::push`] is given borrowed text) and at most 5 anchors
//! of each kind with their context. Never the whole log.
//!
//! ```
//! use cilog::summary::Summarizer;
//! use cilog::{parse_as, Options, Source, Status};
//!
//! # fn main() -> Result<(), cilog::Error> {
//! let log = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [Maven构建:mvn] : 该步骤开始执行\n\
//!            [2026/06/26 14:16:01.000 GMT+08:00] src/main.c:3:5: error: expected ';'\n\
//!            [2026/06/26 14:16:03.000 GMT+08:00] Finished: FAILURE\n";
//! let mut s = Summarizer::new("build.log");
//! for e in parse_as(Source::CodeartsLog, log, &Options::default())? {
//!     s.push(&e?);
//! }
//! let runs = s.finish();
//! assert_eq!(runs[0].outcome, Status::Failed);
//! let first = runs[0].first_error.as_ref().unwrap();
//! assert_eq!((first.seq, first.line), (1, Some(2)));
//! assert_eq!(runs[0].failing[0].error_type.as_str(), "compile_error");
//! # Ok(())
//! # }
//! ```

pub(crate) mod recent;
mod report;
mod rules;
mod slot;
mod text;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use crate::event::{EventKind, LogEvent, Scalar, share_text};
use crate::note::Note;
use crate::severity::Severity;
use crate::source::Source;
use crate::status::Status;
use crate::steps::Tracker;
use crate::time::Timestamp;

pub use report::{ContextLine, Counts, Excerpt, Failing, FirstError, RunSummary, StepOutcome};
pub use rules::{Confidence, ErrorType};
use slot::Slot;

/// The `schema` of every summary.
pub const SCHEMA: &str = "cilog.summary/v1";

/// Lines of context before an anchor.
const BEFORE: usize = 3;
/// Lines of context after an anchor.
const AFTER: usize = 8;
/// Anchors a step at most.
const ANCHORS: usize = 5;
/// Lines (anchors and context) a step at most.
const LINES: usize = 40;
/// Lines shown when nothing anchors: the step's last line and those before.
const LAST_LINES: usize = 20;

/// Reads events one at a time and summarizes each run.
///
/// `'i` is the input's lifetime: [`push`](Summarizer::push) keeps the last
/// lines of each step shared with the input where the events borrow it.
/// [`push_owned`](Summarizer::push_owned) (on a `Summarizer<'static>`)
/// takes events of any lifetime and copies the lines it keeps.
pub struct Summarizer<'i> {
    input: String,
    runs: Vec<Run<'i>>,
    /// The run of events that name no job: the last one opened.
    input_run: Option<usize>,
    /// The run of the last event.
    last: usize,
}

impl<'i> Summarizer<'i> {
    /// A summarizer for the input called `input_name` (a path, or `-`).
    pub fn new(input_name: &str) -> Self {
        Summarizer {
            input: input_name.to_owned(),
            runs: Vec::new(),
            input_run: None,
            last: 0,
        }
    }

    /// Reads one event.
    #[inline]
    pub fn push(&mut self, e: &LogEvent<'i>) {
        self.push_with(e, share_text);
    }

    /// The summaries, one per run in the order first seen (none for an
    /// input with no events).
    pub fn finish(self) -> Vec<RunSummary> {
        let input = self.input;
        self.runs
            .into_iter()
            .map(|r| r.finish(input.clone()))
            .collect()
    }

    #[inline]
    fn push_with<'e>(&mut self, e: &LogEvent<'e>, keep: impl Fn(&Cow<'e, str>) -> Cow<'i, str>) {
        let r = self.run_of(e, &keep);
        let Some(run) = self.runs.get_mut(r) else {
            return;
        };
        run.push(e, &keep);
    }

    /// The run of `e`, opened if new.
    #[inline]
    fn run_of<'e>(
        &mut self,
        e: &LogEvent<'e>,
        keep: &impl Fn(&Cow<'e, str>) -> Cow<'i, str>,
    ) -> usize {
        let Some(job) = &e.ctx.job else {
            if let Some(r) = self.input_run {
                return r;
            }
            return self.open(e.source, None, None);
        };
        let attempt = if e.ctx.step_id.is_none() {
            e.ctx.attempt
        } else {
            None
        };
        if let Some(run) = self.runs.get(self.last)
            && run.is(e.source, job, attempt)
        {
            return self.last;
        }
        self.find_run(e.source, job, attempt, keep)
    }

    #[expect(
        clippy::ptr_arg,
        reason = "`keep` shares a borrowed `Cow` without copying"
    )]
    #[inline(never)]
    fn find_run<'e>(
        &mut self,
        source: Source,
        job: &Cow<'e, str>,
        attempt: Option<u32>,
        keep: &impl Fn(&Cow<'e, str>) -> Cow<'i, str>,
    ) -> usize {
        let r = if let Some(r) = self
            .runs
            .iter()
            .position(|run| run.is(source, job, attempt))
        {
            r
        } else if let Some(r) = self.input_run
            && let Some(run) = self.runs.get_mut(r)
            && run.job.is_none()
            && run.source == source
        {
            // The input's run learns its job.
            run.job = Some(keep(job));
            r
        } else {
            self.open(source, Some(keep(job)), attempt)
        };
        if let Some(run) = self.runs.get_mut(r)
            && run.attempt.is_none()
        {
            run.attempt = attempt;
        }
        self.last = r;
        r
    }

    fn open(&mut self, source: Source, job: Option<Cow<'i, str>>, attempt: Option<u32>) -> usize {
        self.runs.push(Run::new(source, job, attempt));
        let r = self.runs.len() - 1;
        self.input_run = Some(r);
        self.last = r;
        r
    }
}

impl Summarizer<'static> {
    /// Reads one event of any lifetime, copying the text it keeps (the
    /// last lines of each step, the step and host names). For events read
    /// from a buffer that does not outlive the summarizer, as when a log is
    /// streamed in chunks.
    #[inline]
    pub fn push_owned(&mut self, e: &LogEvent<'_>) {
        self.push_with(e, |c| Cow::Owned(c.as_ref().to_owned()));
    }
}

/// One run being read.
struct Run<'i> {
    source: Source,
    job: Option<Cow<'i, str>>,
    attempt: Option<u32>,
    run_id: Option<String>,
    tracker: Tracker<'i, Slot<'i>>,
    /// The lines of no step.
    loose: Slot<'i>,
    /// The last job-level status (a vendor value this crate does not know
    /// says nothing).
    job_status: Option<Status>,
    /// How long the job ran, as a job-level status said.
    job_duration: Option<std::time::Duration>,
    /// The status of the last phase or status event.
    last_mark: Option<Status>,
    /// Whether the last event with a step or without one was step-less.
    last_loose: bool,
    /// The last step with an event that is not a group's.
    plain: Option<usize>,
    /// Groups (step places) and the step each opened in.
    groups: Vec<(usize, Option<usize>)>,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    counts: Counts,
}

impl<'i> Run<'i> {
    fn new(source: Source, job: Option<Cow<'i, str>>, attempt: Option<u32>) -> Self {
        Run {
            source,
            job,
            attempt,
            run_id: None,
            tracker: Tracker::new(),
            loose: Slot::default(),
            job_status: None,
            job_duration: None,
            last_mark: None,
            last_loose: false,
            plain: None,
            groups: Vec::new(),
            start: None,
            end: None,
            counts: Counts::default(),
        }
    }

    /// Whether events of `source`, `job` and `attempt` belong here.
    fn is(&self, source: Source, job: &str, attempt: Option<u32>) -> bool {
        self.source == source
            && self.job.as_deref() == Some(job)
            && (attempt.is_none() || self.attempt.is_none() || self.attempt == attempt)
    }

    #[inline]
    fn push<'e>(&mut self, e: &LogEvent<'e>, keep: &impl Fn(&Cow<'e, str>) -> Cow<'i, str>) {
        self.counts.events += 1;
        match e.severity {
            Some(Severity::Error | Severity::Fatal) => self.counts.error += 1,
            Some(Severity::Warn) => self.counts.warn += 1,
            _ => {}
        }
        if let Some(t) = e.time {
            self.times(t);
        }
        if e.kind != EventKind::Line {
            self.mark(e);
        }
        // One event a line, `seq` from 0, in the text log; not when the
        // whole input was kept as one event (`shape_mismatch`).
        let line = (e.source == Source::CodeartsLog && !e.notes.contains(Note::ShapeMismatch))
            .then_some(e.seq + 1);
        let slot = match self.tracker.push(e, keep) {
            Some((idx, slot)) => {
                self.last_loose = false;
                slot.take(e, line, keep);
                if e.kind == EventKind::Phase || !self.groups.is_empty() {
                    self.nest(e, idx, line, keep);
                } else {
                    self.plain = Some(idx);
                }
                return;
            }
            None => {
                self.last_loose = true;
                if let Some(c) = e.ctx.exit_code
                    && let Some(open) = self.tracker.running_last()
                {
                    // A platform record with no step (CodeArts' `[ERROR]  :
                    // script returned exit code 1`) gives the exit code of
                    // the step still running.
                    open.exit_code = Some(c);
                }
                &mut self.loose
            }
        };
        slot.take(e, line, keep);
    }

    /// A workflow-command group (`::group::name`) is a step of its own
    /// inside the step that opened it: its lines are that step's lines too,
    /// so a failing step shows the errors printed in its groups.
    #[inline(never)]
    fn nest<'e>(
        &mut self,
        e: &LogEvent<'e>,
        idx: usize,
        line: Option<u64>,
        keep: &impl Fn(&Cow<'e, str>) -> Cow<'i, str>,
    ) {
        let opens = e.kind == EventKind::Phase
            && e.attr("command").and_then(Scalar::as_str) == Some("group");
        if opens && !self.groups.iter().any(|(g, _)| *g == idx) {
            let parent = self.plain.filter(|&p| self.tracker.is_running(p));
            self.groups.push((idx, parent));
        }
        match self.groups.iter().find(|(g, _)| *g == idx) {
            Some(&(_, Some(parent))) => {
                if let Some(slot) = self.tracker.step_extra(parent) {
                    slot.take(e, line, keep);
                }
            }
            Some((_, None)) => {}
            None => self.plain = Some(idx),
        }
    }

    #[inline]
    fn times(&mut self, t: Timestamp) {
        // Times mostly go forward: one comparison.
        match (self.start, self.end) {
            (Some(_), Some(end)) if t.datetime() > end.datetime() => self.end = Some(t),
            (Some(start), Some(_)) => {
                if t.datetime() < start.datetime() {
                    self.start = Some(t);
                }
            }
            _ => {
                self.start = Some(t);
                self.end = Some(t);
            }
        }
    }

    /// A phase or status event: the job's status, the last mark, the run
    /// number.
    #[inline(never)]
    fn mark(&mut self, e: &LogEvent<'_>) {
        if let Some(st) = e.status {
            self.last_mark = Some(st);
            if e.kind == EventKind::Status
                && e.ctx.step_id.is_none()
                && e.ctx.host.is_none()
                && st != Status::Unknown
            {
                self.job_status = Some(st);
                self.job_duration = e.duration.or(self.job_duration);
            }
        }
        if self.run_id.is_none()
            && let Some(v) = e.attr("build_no")
        {
            self.run_id = Some(match v {
                Scalar::Str(s) => s.to_string(),
                other => other.to_string(),
            });
        }
    }

    fn finish(self, input: String) -> RunSummary {
        let spans = self.tracker.finish();
        let steps: Vec<StepOutcome> = spans
            .iter()
            .map(|(s, _)| StepOutcome {
                step_id: s.step_id.to_string(),
                step_name: s.step_name.as_deref().map(str::to_owned),
                host: s.host.as_deref().map(str::to_owned),
                status: s.status,
                duration_ms: millis(s.duration()),
            })
            .collect();
        let fails = |st: Status| matches!(st, Status::Failed | Status::TimedOut | Status::Error);

        // Which spans fail: every failing host, and each failing step none
        // of whose hosts fails.
        let mut failing_spans: Vec<usize> = Vec::new();
        let mut i = 0;
        while let Some((step, _)) = spans.get(i) {
            let hosts = spans
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .take_while(|(h, _)| h.host.is_some())
                .count();
            let failing_hosts: Vec<usize> = (i + 1..=i + hosts)
                .filter(|&j| spans.get(j).is_some_and(|(h, _)| fails(h.status)))
                .collect();
            if failing_hosts.is_empty() {
                if fails(step.status) {
                    failing_spans.push(i);
                }
            } else {
                failing_spans.extend(failing_hosts);
            }
            i += 1 + hosts;
        }

        // The last step: the step-less lines when the run ended there or
        // has no steps.
        let last_step = spans.iter().rposition(|(s, _)| s.host.is_none());
        let last_exit = match last_step {
            Some(k) if !self.last_loose => spans.get(k).and_then(|(_, slot)| slot.exit_code),
            _ => self.loose.exit_code,
        };
        let evidence = last_exit.is_some_and(|c| c != 0);

        let outcome = if let Some(st) = self.job_status {
            st
        } else if let Some((s, _)) = failing_spans.first().and_then(|&k| spans.get(k)) {
            s.status
        } else if evidence {
            Status::Failed
        } else if self.last_mark == Some(Status::Running) {
            Status::Running
        } else if last_step.is_some()
            && spans
                .iter()
                .filter(|(s, _)| s.host.is_none())
                .all(|(s, _)| matches!(s.status, Status::Succeeded | Status::Skipped))
            && spans.iter().any(|(s, _)| s.status == Status::Succeeded)
        {
            Status::Succeeded
        } else {
            Status::Unknown
        };

        // From the first to the last event; the job's own duration when
        // its events hold no span (a history entry, one status record).
        let duration_ms = match (self.start, self.end) {
            (Some(s), Some(e)) if s.datetime() < e.datetime() => {
                millis((e.datetime() - s.datetime()).to_std().ok())
            }
            (s, e) => millis(self.job_duration).or_else(|| s.and(e).map(|_| 0)),
        };
        let mut failing: Vec<Failing> = failing_spans
            .iter()
            .filter_map(|&k| spans.get(k))
            .map(|(s, slot)| slot.failing(Some(s), s.status, None))
            .collect();
        if failing.is_empty() && fails(outcome) {
            // Failed by the exit code of its last step, or failed outside
            // any step: the run itself.
            let last = last_step.and_then(|k| spans.get(k));
            failing.push(match last {
                Some((s, slot)) if evidence && !self.last_loose => {
                    slot.failing(Some(s), Status::Failed, None)
                }
                _ => self.loose.failing(None, outcome, duration_ms),
            });
        }
        let first_error = failing.iter().find_map(|f| {
            f.errors.first().map(|x| FirstError {
                seq: x.seq,
                line: x.line,
                step_id: f.step_id.clone(),
                step_name: f.step_name.clone(),
                host: f.host.clone(),
                message: x.message.clone(),
            })
        });
        let exit_code = match failing.first() {
            Some(f) => f.exit_code,
            None => last_exit,
        };
        RunSummary {
            schema: SCHEMA,
            input,
            source: self.source,
            job: self.job.map(Cow::into_owned),
            run_id: self.run_id,
            attempt: self.attempt,
            outcome,
            start: self.start,
            end: self.end,
            duration_ms,
            exit_code,
            first_error,
            failing,
            steps,
            counts: self.counts,
        }
    }
}

pub(crate) fn millis(d: Option<std::time::Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
