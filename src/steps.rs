//! Step spans computed from events: which steps ran, when, how long, and
//! how they ended. Vendor-neutral: it reads only unified fields.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::event::{EventKind, LogEvent, write_escaped};
use crate::status::Status;
use crate::time::{Seconds, Timestamp};

/// One step of a log, from the events that carry its `step_id`.
///
/// Made by [`step_spans`]; not exhaustive, as more may be gathered per step.
/// `Display` writes one human line; `Serialize` writes a JSON object in the
/// NDJSON style (see the impl).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StepSpan<'a> {
    /// The step id.
    pub step_id: Cow<'a, str>,
    /// The step's display name (the first one seen).
    pub step_name: Option<Cow<'a, str>>,
    /// When the step started: the time of its first `phase`/`status` event
    /// saying `running`, or else of its first event with a time.
    pub start: Option<Timestamp>,
    /// When it ended: the time of its last `phase`/`status` event with a
    /// terminal status. `None` while it has not ended.
    pub end: Option<Timestamp>,
    /// The status of its last `phase`/`status` event; `unknown` if no event
    /// said. A step still `running` when a terminal status for the whole job
    /// arrives (a `status` event with no step, such as CodeArts' `Finished:
    /// FAILURE`) takes that status and that event's time as its end: it was
    /// cut short by the job's end. A step the log leaves open stays `running`.
    pub status: Status,
    /// How many events carry the step (its own and inferred ones).
    pub events: usize,
}

impl StepSpan<'_> {
    /// `end - start`, when both are known and the end is not before the start.
    pub fn duration(&self) -> Option<Duration> {
        let (s, e) = (self.start?, self.end?);
        (e.datetime() - s.datetime()).to_std().ok()
    }
}

/// One human line: id, name, status, start and end, duration, event count,
/// each left out when unknown:
///
/// `external_post_maven (Maven构建): succeeded, from 2023-12-21T15:44:18.793+08:00
/// to 2023-12-21T15:44:21.297+08:00, took 2.504s, 3 events`
///
/// (one line; broken here for width). Control characters in the id and name
/// are escaped as in [`LogEvent`]'s `Display`.
impl fmt::Display for StepSpan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.step_id)?;
        if let Some(name) = &self.step_name {
            f.write_str(" (")?;
            write_escaped(f, name)?;
            f.write_str(")")?;
        }
        write!(f, ": {}", self.status)?;
        if let Some(t) = &self.start {
            write!(f, ", from {t}")?;
        }
        if let Some(t) = &self.end {
            let sep = if self.start.is_some() { " " } else { ", " };
            write!(f, "{sep}to {t}")?;
        }
        if let Some(d) = self.duration() {
            write!(f, ", took {}s", Seconds(d))?;
        }
        let plural = if self.events == 1 { "" } else { "s" };
        write!(f, ", {} event{plural}", self.events)
    }
}

/// The steps of `events`, in order of first appearance.
///
/// ```
/// use cilog::{parse_as, step_spans, Options, Source, Status};
///
/// # fn main() -> Result<(), cilog::Error> {
/// let log = "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行\n\
///            [2023/12/21 15:44:20.000 GMT+08:00] [INFO] BUILD SUCCESS\n\
///            [2023/12/21 15:44:21.297 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤执行完成\n";
/// let events = parse_as(Source::CodeartsLog, log, &Options::default())?.collect::<Result<Vec<_>, _>>()?;
/// let spans = step_spans(&events);
/// assert_eq!(spans[0].step_id, "external_post_maven");
/// assert_eq!(spans[0].status, Status::Succeeded);
/// assert_eq!(spans[0].duration().unwrap().as_millis(), 2504);
/// assert_eq!(spans[0].events, 3);
/// # Ok(())
/// # }
/// ```
pub fn step_spans<'e, 'a: 'e>(
    events: impl IntoIterator<Item = &'e LogEvent<'a>>,
) -> Vec<StepSpan<'a>> {
    let mut spans: Vec<StepSpan<'a>> = Vec::new();
    for e in events {
        let Some(id) = &e.ctx.step_id else {
            // A terminal status of the whole job ends every step still running.
            if e.kind == EventKind::Status
                && let Some(st) = e.status.filter(|s| s.is_terminal())
            {
                for span in spans.iter_mut().filter(|s| s.status == Status::Running) {
                    span.status = st;
                    span.end = e.time;
                }
            }
            continue;
        };
        let idx = match spans.iter().position(|s| s.step_id == *id) {
            Some(i) => i,
            None => {
                spans.push(StepSpan {
                    step_id: id.clone(),
                    step_name: e.ctx.step_name.clone(),
                    start: None,
                    end: None,
                    status: Status::Unknown,
                    events: 0,
                });
                spans.len() - 1
            }
        };
        let Some(span) = spans.get_mut(idx) else {
            continue;
        };
        span.events += 1;
        if span.step_name.is_none() {
            span.step_name = e.ctx.step_name.clone();
        }
        let marks_status = matches!(e.kind, EventKind::Phase | EventKind::Status);
        match (marks_status, e.status) {
            (true, Some(st)) => {
                if st == Status::Running
                    && span.status != Status::Running
                    && let Some(t) = e.time
                {
                    span.start = Some(t);
                }

                if st.is_terminal() {
                    span.end = e.time.or(span.end);
                } else {
                    span.end = None;
                }
                span.status = st;
            }
            _ => {
                if span.start.is_none() {
                    span.start = e.time;
                }
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Source, parse_as};

    fn spans_of(log: &str) -> Vec<(String, Status, Option<u128>, usize)> {
        let events = parse_as(Source::CodeartsLog, log, &Options::default())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        step_spans(&events)
            .into_iter()
            .map(|s| {
                let d = s.duration().map(|d| d.as_millis());
                (s.step_id.into_owned(), s.status, d, s.events)
            })
            .collect()
    }

    #[test]
    fn realistic_log_has_four_steps() {
        let log = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/codearts-log/realistic-task-log.log"
        ))
        .unwrap();
        assert_eq!(
            spans_of(&log),
            [
                ("slave_create".to_owned(), Status::Succeeded, Some(717), 3),
                (
                    "external_pre_checkout".to_owned(),
                    Status::Succeeded,
                    Some(2998),
                    8
                ),
                (
                    "external_post_maven".to_owned(),
                    Status::Succeeded,
                    Some(7597),
                    12
                ),
                (
                    "external_obs_uploader".to_owned(),
                    Status::Succeeded,
                    Some(1101),
                    4
                ),
            ]
        );
    }

    #[test]
    fn display_table() {
        let log = "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行\n\
                   [2023/12/21 15:44:20.000 GMT+08:00] [INFO] BUILD SUCCESS\n\
                   [2023/12/21 15:44:21.297 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤执行完成\n\
                   [2023/12/21 15:44:22.000 GMT+08:00] [INFO] [上传:up] : 该步骤开始执行\n";
        let events = parse_as(Source::CodeartsLog, log, &Options::default())
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        let mut spans = step_spans(&events);
        let lines: Vec<String> = spans.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "external_post_maven (Maven构建): succeeded, from 2023-12-21T15:44:18.793+08:00 \
                 to 2023-12-21T15:44:21.297+08:00, took 2.504s, 3 events",
                "up (上传): running, from 2023-12-21T15:44:22.000+08:00, 1 event",
            ]
        );
        let span = &mut spans[1];
        span.step_name = None;
        span.step_id = "a\nb".into();
        span.end = span.start;
        span.start = None;
        span.status = Status::Unknown;
        span.events = 0;
        assert_eq!(
            span.to_string(),
            "a\\nb: unknown, to 2023-12-21T15:44:22.000+08:00, 0 events"
        );
    }

    #[test]
    fn job_end_closes_open_steps_and_open_steps_stay_running() {
        let failed = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [Maven构建:m] : 该步骤开始执行\n\
                      [2026/06/26 14:16:01.000 GMT+08:00] [ERROR] BUILD FAILURE\n\
                      [2026/06/26 14:16:03.000 GMT+08:00] Finished: FAILURE\n";
        assert_eq!(
            spans_of(failed),
            [("m".to_owned(), Status::Failed, Some(3000), 2)]
        );
        let open = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [构建:b] : 该步骤开始执行\n";
        assert_eq!(spans_of(open), [("b".to_owned(), Status::Running, None, 1)]);
        let no_phase = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [构建:b] : hello\n";
        assert_eq!(
            spans_of(no_phase),
            [("b".to_owned(), Status::Unknown, None, 1)]
        );
    }
}
