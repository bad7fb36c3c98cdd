//! Step spans computed from events: which steps ran, when, how long, and
//! how they ended. Vendor-neutral: it reads only unified fields.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::event::{EventKind, LogEvent, share_text, write_escaped};
use crate::status::Status;
use crate::time::{Seconds, Timestamp};

/// One step of a log, or one host's part of a step, from the events that
/// carry its `step_id` (and `host`).
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
    /// `None` for the step itself; the host for one host's part of the step
    /// (a BlueKing JOB step runs on many hosts, each with its own outcome).
    pub host: Option<Cow<'a, str>>,
    /// When the step started: the time of its first `phase`/`status` event
    /// saying `running`, or else of its first event with a time. A step's
    /// start is the earliest of that and its hosts' starts.
    pub start: Option<Timestamp>,
    /// When it ended: the time of its last `phase`/`status` event with a
    /// terminal status. `None` while it has not ended. A step whose own
    /// terminal event has no time (BlueKing's step status) ended with its
    /// last host, when every host has ended.
    pub end: Option<Timestamp>,
    /// The status of its last `phase`/`status` event; `unknown` if no event
    /// said. For a step, only the step's own events count (those with no
    /// host): a host's outcome is its own span, so a failing host is never
    /// hidden by a later succeeding one, whatever the host order. A step with
    /// no event of its own (a single-host log) takes its hosts' status when
    /// they all agree, else `unknown`.
    ///
    /// A step or host still `running` when a terminal status for the whole
    /// job arrives (a `status` event with no step and no host, such as
    /// CodeArts' `Finished: FAILURE`) takes that status and that event's time
    /// as its end: it was cut short by the job's end. A step the log leaves
    /// open stays `running`.
    pub status: Status,
    /// How many events carry the step (its own, its hosts' and inferred
    /// ones); for a host, how many carry the step and that host.
    pub events: usize,
}

impl StepSpan<'_> {
    /// `end - start`, when both are known and the end is not before the start.
    pub fn duration(&self) -> Option<Duration> {
        let (s, e) = (self.start?, self.end?);
        (e.datetime() - s.datetime()).to_std().ok()
    }
}

/// One human line: id, name, host, status, start and end, duration, event
/// count, each left out when unknown:
///
/// `external_post_maven (Maven构建): succeeded, from 2023-12-21T15:44:18.793+08:00
/// to 2023-12-21T15:44:21.297+08:00, took 2.504s, 3 events`
///
/// `31001 (deploy app) on 10.0.0.2: failed, from 2021-07-01T09:30:00+08:00
/// to 2021-07-01T09:30:01+08:00, took 1s, 4 events`
///
/// (one line each; broken here for width). Control characters in the id,
/// name and host are escaped as in [`LogEvent`]'s `Display`.
impl fmt::Display for StepSpan<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.step_id)?;
        if let Some(name) = &self.step_name {
            f.write_str(" (")?;
            write_escaped(f, name)?;
            f.write_str(")")?;
        }
        if let Some(host) = &self.host {
            f.write_str(" on ")?;
            write_escaped(f, host)?;
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

/// The steps of `events`, in order of first appearance, each followed by
/// its hosts' spans (`host` set) in order of first appearance.
///
/// A step's span (`host: None`) counts all its events, but its status comes
/// from its own events only (see [`StepSpan::status`]); keep the spans with
/// `host.is_none()` for one line per step.
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
/// assert_eq!(spans[0].host, None);
/// assert_eq!(spans[0].status, Status::Succeeded);
/// assert_eq!(spans[0].duration().unwrap().as_millis(), 2504);
/// assert_eq!(spans[0].events, 3);
/// # Ok(())
/// # }
/// ```
pub fn step_spans<'e, 'a: 'e>(
    events: impl IntoIterator<Item = &'e LogEvent<'a>>,
) -> Vec<StepSpan<'a>> {
    let mut tracker: Tracker<'a, ()> = Tracker::new();
    for e in events {
        tracker.push(e, share_text);
    }
    tracker
        .finish()
        .into_iter()
        .map(|(span, ())| span)
        .collect()
}

/// The steps of a stream of events, gathered one event at a time: what
/// [`step_spans`] computes, and what the summary keeps per step and host,
/// each track (a step's own, or one host's part of it) carrying a value
/// `X` of the caller's.
///
/// Text is kept as `keep` makes it: shared with the events (`'a` their
/// lifetime) or copied.
pub(crate) struct Tracker<'a, X> {
    steps: Vec<Step<'a, X>>,
    index: HashMap<Cow<'a, str>, usize>,
    /// The step of the last event with a step: consecutive events mostly
    /// share it, so it is compared before the map is asked.
    last: usize,
}

impl<'a, X: Default> Tracker<'a, X> {
    pub(crate) fn new() -> Self {
        Tracker {
            steps: Vec::new(),
            index: HashMap::new(),
            last: 0,
        }
    }

    /// Folds one event in; returns its step's place (in order of first
    /// appearance) and the value of its track (its host's, or its step's
    /// own), `None` for an event with no step.
    #[inline]
    pub(crate) fn push<'e>(
        &mut self,
        e: &LogEvent<'e>,
        keep: impl Fn(&Cow<'e, str>) -> Cow<'a, str>,
    ) -> Option<(usize, &mut X)> {
        let Some(id) = &e.ctx.step_id else {
            self.job_level(e);
            return None;
        };
        let idx = match self.steps.get(self.last) {
            Some(s) if same(&s.own.span.step_id, id) => self.last,
            _ => self.find_or_add(e, id, &keep),
        };
        self.last = idx;
        let step = self.steps.get_mut(idx)?;
        step.own.span.events += 1;
        if step.own.span.step_name.is_none() {
            step.own.span.step_name = e.ctx.step_name.as_ref().map(&keep);
        }
        let Some(host) = &e.ctx.host else {
            step.own.apply(e);
            return Some((idx, &mut step.own.extra));
        };
        let h = match step.hosts.get(step.last_host) {
            Some(t) if t.span.host.as_ref().is_some_and(|h| same(h, host)) => step.last_host,
            _ => match step.host_index.get(host.as_ref()) {
                Some(&h) => h,
                None => {
                    let key = keep(host);
                    step.hosts.push(Track::new(
                        step.own.span.step_id.clone(),
                        e.ctx.step_name.as_ref().map(&keep),
                        Some(key.clone()),
                    ));
                    step.host_index.insert(key, step.hosts.len() - 1);
                    step.hosts.len() - 1
                }
            },
        };
        step.last_host = h;
        let track = step.hosts.get_mut(h)?;
        track.span.events += 1;
        if track.span.step_name.is_none() {
            track.span.step_name = e.ctx.step_name.as_ref().map(&keep);
        }
        track.apply(e);
        Some((idx, &mut track.extra))
    }

    /// The step `id` first seen: its place, added if new.
    #[expect(
        clippy::ptr_arg,
        reason = "`keep` shares a borrowed `Cow` without copying"
    )]
    #[inline(never)]
    fn find_or_add<'e>(
        &mut self,
        e: &LogEvent<'e>,
        id: &Cow<'e, str>,
        keep: &impl Fn(&Cow<'e, str>) -> Cow<'a, str>,
    ) -> usize {
        if let Some(&i) = self.index.get(id.as_ref()) {
            return i;
        }
        let key = keep(id);
        self.steps.push(Step {
            own: Track::new(key.clone(), e.ctx.step_name.as_ref().map(keep), None),
            hosts: Vec::new(),
            host_index: HashMap::new(),
            last_host: 0,
        });
        self.index.insert(key, self.steps.len() - 1);
        self.steps.len() - 1
    }

    /// An event with no step: a terminal status of the whole job ends every
    /// step and host still running. (A status with a host but no step is a
    /// host's or a file's outcome, not the job's.)
    fn job_level(&mut self, e: &LogEvent<'_>) {
        if e.kind == EventKind::Status
            && e.ctx.host.is_none()
            && let Some(st) = e.status.filter(|s| s.is_terminal())
        {
            for step in &mut self.steps {
                step.own.cut_short(st, e.time);
                for host in &mut step.hosts {
                    host.cut_short(st, e.time);
                }
            }
        }
    }

    /// How many steps so far.
    #[cfg(test)]
    pub(crate) fn steps_len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the step at `idx` is running (by its own events).
    pub(crate) fn is_running(&self, idx: usize) -> bool {
        self.steps
            .get(idx)
            .is_some_and(|s| s.own.span.status == Status::Running)
    }

    /// The value of the own track of the step at `idx`.
    pub(crate) fn step_extra(&mut self, idx: usize) -> Option<&mut X> {
        self.steps.get_mut(idx).map(|s| &mut s.own.extra)
    }

    /// The value of the last step's own track, while that step runs.
    pub(crate) fn running_last(&mut self) -> Option<&mut X> {
        let step = self.steps.get_mut(self.last)?;
        (step.own.span.status == Status::Running).then_some(&mut step.own.extra)
    }

    /// The spans, as [`step_spans`] gives them, each with its track's value.
    pub(crate) fn finish(self) -> Vec<(StepSpan<'a>, X)> {
        let mut spans = Vec::with_capacity(self.steps.iter().map(|s| 1 + s.hosts.len()).sum());
        for step in self.steps {
            let Step { own, hosts, .. } = step;
            let mut span = own.span;
            let host_spans: Vec<(StepSpan<'a>, X)> =
                hosts.into_iter().map(|t| (t.span, t.extra)).collect();
            if !own.has_status
                && let Some((first, _)) = host_spans.first()
                && host_spans.iter().all(|(h, _)| h.status == first.status)
            {
                span.status = first.status;
            }
            // The earliest start among the step and its hosts.
            span.start = earliest(span.start, host_spans.iter().filter_map(|(h, _)| h.start));
            if !span.status.is_terminal() {
                span.end = None;
            } else if span.end.is_none() && !host_spans.is_empty() {
                // Ended with its last host, if every host has ended.
                span.end = host_spans
                    .iter()
                    .map(|(h, _)| h.end)
                    .collect::<Option<Vec<_>>>()
                    .and_then(latest);
            }
            if span.step_name.is_none() {
                span.step_name = host_spans.iter().find_map(|(h, _)| h.step_name.clone());
            }
            spans.push((span, own.extra));
            spans.extend(host_spans);
        }
        spans
    }
}

/// Whether `a` and `b` are the same text: at once when they are the same
/// bytes of the input (consecutive events share their step's text).
#[inline]
fn same(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b
}

/// One step being gathered: its own events' span and its hosts'.
struct Step<'a, X> {
    own: Track<'a, X>,
    hosts: Vec<Track<'a, X>>,
    host_index: HashMap<Cow<'a, str>, usize>,
    /// The host of the step's last event with a host.
    last_host: usize,
}

/// The span of one step or one step × host, with whether any event of its
/// own said a status, and whether the last `status` event was terminal.
struct Track<'a, X> {
    span: StepSpan<'a>,
    has_status: bool,
    settled: bool,
    extra: X,
}

impl<'a, X: Default> Track<'a, X> {
    fn new(
        step_id: Cow<'a, str>,
        step_name: Option<Cow<'a, str>>,
        host: Option<Cow<'a, str>>,
    ) -> Track<'a, X> {
        Track {
            span: StepSpan {
                step_id,
                step_name,
                host,
                start: None,
                end: None,
                status: Status::Unknown,
                events: 0,
            },
            has_status: false,
            settled: false,
            extra: X::default(),
        }
    }
}

impl<X> Track<'_, X> {
    /// Folds one event of this track into its start, end and status (the
    /// event count is kept by the caller).
    #[inline]
    fn apply(&mut self, e: &LogEvent<'_>) {
        let span = &mut self.span;
        let marks_status = matches!(e.kind, EventKind::Phase | EventKind::Status);
        match (marks_status, e.status) {
            (true, Some(st)) => {
                self.has_status = true;
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
                // A log line's phase marker does not overrule the outcome a
                // `status` event gave (BlueKing sends a host's result before
                // its log, whose last marker may be `job_start`).
                if !(self.settled && e.kind == EventKind::Phase) {
                    span.status = st;
                }
                if e.kind == EventKind::Status {
                    self.settled = st.is_terminal();
                }
            }
            _ => {
                if span.start.is_none() {
                    span.start = e.time;
                }
            }
        }
    }

    /// The job ended with `st` at `time`: a track still running ends too.
    fn cut_short(&mut self, st: Status, time: Option<Timestamp>) {
        if self.span.status == Status::Running {
            self.settled = true;
            self.span.status = st;
            self.span.end = time;
        }
    }
}

/// The earliest of `first` and `rest` (by instant; the first seen on a tie).
fn earliest(first: Option<Timestamp>, rest: impl Iterator<Item = Timestamp>) -> Option<Timestamp> {
    first
        .into_iter()
        .chain(rest)
        .reduce(|a, b| if b.datetime() < a.datetime() { b } else { a })
}

/// The latest of `ends` (by instant; the first seen on a tie).
fn latest(ends: Vec<Timestamp>) -> Option<Timestamp> {
    ends.into_iter()
        .reduce(|a, b| if b.datetime() > a.datetime() { b } else { a })
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
        span.host = Some("10.0.0.1\x1b".into());
        span.step_name = Some("n".into());
        assert_eq!(
            span.to_string(),
            "a\\nb (n) on 10.0.0.1\\u{1b}: unknown, to 2023-12-21T15:44:22.000+08:00, 0 events"
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

    /// (step, host, status, duration in ms, events) of each span.
    type Row = (String, Option<String>, Status, Option<u128>, usize);

    fn rows(spans: &[StepSpan<'_>]) -> Vec<Row> {
        spans
            .iter()
            .map(|s| {
                (
                    s.step_id.to_string(),
                    s.host.as_deref().map(str::to_owned),
                    s.status,
                    s.duration().map(|d| d.as_millis()),
                    s.events,
                )
            })
            .collect()
    }

    fn bkjob_rows(file: &str) -> Vec<Row> {
        let path = format!("{}/corpus/bkjob-log/{file}", env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::read(path).unwrap();
        let events = crate::parse_owned_as(Source::BkjobLog, &data, &Options::default()).unwrap();
        rows(&step_spans(&events))
    }

    fn row(host: Option<&str>, st: Status, ms: Option<u128>, events: usize) -> Row {
        ("31001".to_owned(), host.map(str::to_owned), st, ms, events)
    }

    /// Regression (issue 13, point 7): host events carry the step id, so the
    /// last host's phase decided the step. Step 31001, failed per the
    /// vendor, came out `succeeded` with 2 s once its hosts were reversed.
    #[test]
    fn reg_host_order_does_not_decide_the_step() {
        let step = row(None, Status::Failed, Some(2000), 9);
        let ok = row(Some("10.0.0.1"), Status::Succeeded, Some(2000), 4);
        let failed = row(Some("10.0.0.2"), Status::Failed, Some(1000), 4);
        assert_eq!(
            bkjob_rows("generation-3x.json"),
            [step.clone(), ok.clone(), failed.clone()]
        );
        assert_eq!(
            bkjob_rows("generation-3x-hosts-reversed.json"),
            [step, failed, ok]
        );
    }

    /// BlueKing sends a host's result (`ip_status` 9) before its log, whose
    /// only marker is `job_start`: the host succeeded, it is not `running`.
    #[test]
    fn a_phase_marker_does_not_overrule_a_status_event() {
        assert_eq!(
            bkjob_rows("seed-example.json"),
            [
                ("90000".to_owned(), None, Status::Succeeded, None, 3),
                (
                    "90000".to_owned(),
                    Some("10.0.0.1".to_owned()),
                    Status::Succeeded,
                    None,
                    2
                ),
            ]
        );
    }

    fn ev(
        kind: EventKind,
        step: Option<&str>,
        host: Option<&str>,
        st: Option<Status>,
    ) -> LogEvent<'static> {
        let mut e = LogEvent::new(Source::BkjobIpLog, kind, 0, Cow::Borrowed(""));
        e.ctx.step_id = step.map(|s| Cow::Owned(s.to_owned()));
        e.ctx.host = host.map(|s| Cow::Owned(s.to_owned()));
        e.status = st;
        e
    }

    /// A step with no event of its own takes its hosts' status when they
    /// agree, else `unknown`; a status with a host but no step (a file's
    /// outcome) does not end the job's running steps.
    #[test]
    fn steps_without_their_own_status() {
        use EventKind::{Line, Phase, Status as St};
        let events = [
            ev(Phase, Some("a"), Some("h1"), Some(Status::Failed)),
            ev(Phase, Some("a"), Some("h2"), Some(Status::Failed)),
            ev(Phase, Some("b"), Some("h1"), Some(Status::Failed)),
            ev(Phase, Some("b"), Some("h2"), Some(Status::Succeeded)),
            ev(Line, Some("c"), None, None),
            ev(Phase, Some("d"), Some("h1"), Some(Status::Running)),
            ev(St, None, Some("h1"), Some(Status::Succeeded)),
        ];
        let got: Vec<(String, Option<String>, Status)> = step_spans(&events)
            .into_iter()
            .map(|s| {
                (
                    s.step_id.into_owned(),
                    s.host.map(Cow::into_owned),
                    s.status,
                )
            })
            .collect();
        let h = |s: &str| Some(s.to_owned());
        assert_eq!(
            got,
            [
                ("a".to_owned(), None, Status::Failed),
                ("a".to_owned(), h("h1"), Status::Failed),
                ("a".to_owned(), h("h2"), Status::Failed),
                ("b".to_owned(), None, Status::Unknown),
                ("b".to_owned(), h("h1"), Status::Failed),
                ("b".to_owned(), h("h2"), Status::Succeeded),
                ("c".to_owned(), None, Status::Unknown),
                ("d".to_owned(), None, Status::Running),
                ("d".to_owned(), h("h1"), Status::Running),
            ]
        );
        // The job's own end (no step, no host) closes running steps and hosts.
        let mut ended = events.to_vec();
        ended.push(ev(St, None, None, Some(Status::Cancelled)));
        let spans = step_spans(&ended);
        let d: Vec<Status> = spans
            .iter()
            .filter(|s| s.step_id == "d")
            .map(|s| s.status)
            .collect();
        assert_eq!(d, [Status::Cancelled, Status::Cancelled]);
    }

    /// One host of a generated v2 payload: its `ip_status`, and its log's
    /// markers (start second, end second, and how it ended, if it did).
    type Host = (u16, u8, u8, Option<bool>);

    fn payload(step_status: u16, hosts: &[(usize, Host)]) -> String {
        let groups: Vec<String> = hosts
            .iter()
            .map(|(i, (ip_status, from, to, end))| {
                let mut log = format!("[2021-07-01 09:30:{from:02}][PID:{i}] job_start\\nwork\\n");
                match end {
                    Some(true) => log += &format!("[2021-07-01 09:30:{to:02}][PID:{i}] job_success:[ok]\\n"),
                    Some(false) => log += &format!("[2021-07-01 09:30:{to:02}][PID:{i}] job_fail:[no]\\n"),
                    None => {}
                }
                format!(
                    r#"{{"ip_status":{ip_status},"ip_logs":[{{"start_time":"2021-07-01 09:30:{from:02}","ip":"10.0.0.{i}","bk_cloud_id":0,"log_content":"{log}"}}]}}"#
                )
            })
            .collect();
        format!(
            r#"{{"code":0,"result":true,"message":"","data":[{{"is_finished":true,"step_instance_id":7,"name":"s","status":{step_status},"step_results":[{}]}}]}}"#,
            groups.join(",")
        )
    }

    fn sorted_by_host(mut spans: Vec<StepSpan<'_>>) -> Vec<StepSpan<'_>> {
        spans.sort_by(|a, b| a.host.cmp(&b.host));
        spans
    }

    proptest::proptest! {
        #![proptest_config(crate::testing::proptest_config(256))]

        /// Host order never changes a step's span (status, start, end, event
        /// count), and each host keeps its own span.
        #[test]
        fn host_order_never_changes_a_step(
            step_status in proptest::sample::select(vec![1u16, 2, 3, 4, 5, 7, 9, 10, 11]),
            hosts in proptest::collection::vec(
                (
                    proptest::sample::select(vec![1u16, 2, 3, 4, 9, 11, 104, 202, 403]),
                    0u8..30,
                    30u8..60,
                    proptest::option::of(proptest::bool::ANY),
                ),
                1..6,
            ),
            order in proptest::num::u64::ANY,
        ) {
            let numbered: Vec<(usize, Host)> = hosts.into_iter().enumerate().collect();
            let mut shuffled = numbered.clone();
            // A deterministic permutation from `order`.
            let mut k = order;
            for i in (1..shuffled.len()).rev() {
                shuffled.swap(i, (k % (i as u64 + 1)) as usize);
                k /= i as u64 + 1;
            }
            let parse = |doc: &str| {
                crate::parse_owned_as(Source::BkjobLog, doc.as_bytes(), &Options::default()).unwrap()
            };
            let a = parse(&payload(step_status, &numbered));
            let b = parse(&payload(step_status, &shuffled));
            let (mut a, mut b) = (step_spans(&a), step_spans(&b));
            proptest::prop_assert_eq!(a.first(), b.first());
            proptest::prop_assert_eq!(sorted_by_host(a.split_off(1)), sorted_by_host(b.split_off(1)));
        }
    }
}
