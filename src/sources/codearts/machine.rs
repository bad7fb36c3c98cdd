//! One CodeArts build-log line to one event, with the little state a log
//! carries from line to line: the sequence number and the open step.

use std::borrow::Cow;

use super::buildlog::{self, Body, Stamp, Tag};
use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Scalar, share_text};
use crate::note::{Note, Notes};
use crate::options::{Options, TextMode};
use crate::runner::{self, Command, Workflow};
use crate::severity::Severity;
use crate::source::Source;
use crate::status::Status;
use crate::text;
use crate::time::Timestamp;

/// Platform messages that open a step (`… : 该步骤开始执行`; the English docs'
/// translation `This step starts.`), compared after trimming.
const STEP_STARTS: &[&str] = &["该步骤开始执行", "该步骤开始执行。", "This step starts."];
/// Platform messages that close a step successfully.
const STEP_DONE: &[&str] = &[
    "该步骤执行完成",
    "该步骤执行完成。",
    "This step is complete.",
];

/// Jenkins' final `Finished: <result>` line: result → unified status.
pub(crate) const FINISHED: &[(&str, Status)] = &[
    ("SUCCESS", Status::Succeeded),
    ("FAILURE", Status::Failed),
    ("ABORTED", Status::Cancelled),
    ("UNSTABLE", Status::Failed),
    ("NOT_BUILT", Status::Skipped),
];

/// The strict-mode error of a prefix with a field out of range.
const INVALID_PREFIX: &str =
    "the line's [yyyy/MM/dd HH:mm:ss.SSS GMT±HH:MM] prefix has a field out of range";

/// Where a line sits in the input, for error positions.
#[derive(Clone, Copy)]
pub(crate) struct Loc<'i> {
    pub(crate) input: &'i [u8],
    pub(crate) byte: usize,
}

impl Loc<'_> {
    pub(crate) fn error(&self, kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error::at(kind, detail, self.input, self.byte)
    }
}

/// A line with its prefix read: the stamp, and the rest after the prefix
/// (the whole line when it has none).
#[derive(Clone, Copy)]
pub(crate) struct Prefixed<'y> {
    pub(crate) line: &'y str,
    pub(crate) stamp: Stamp,
    pub(crate) rest: &'y str,
}

/// The step open at this point of the log: (id, name).
pub(crate) type OpenStep<'x> = Option<(Cow<'x, str>, Cow<'x, str>)>;

/// Per-log state: next sequence number, the open step and the open
/// workflow-command group.
pub(crate) struct Machine<'x> {
    pub(crate) source: Source,
    pub(crate) seq: u64,
    pub(crate) open: OpenStep<'x>,
    /// The group a `::group::name` line opened and no `::endgroup::` has
    /// closed yet. While it is open, lines without a step of their own
    /// infer it (its name as step id and name), not the open step, which
    /// they infer again once it closes. Groups do not nest: a new
    /// `::group::` replaces the open one, as the runners' own viewers do.
    pub(crate) group: Option<Cow<'x, str>>,
    cache: buildlog::PrefixCache,
}

/// What a line did to the open step or group.
enum Change<'y> {
    None,
    Start(Cow<'y, str>, Cow<'y, str>),
    Done(Cow<'y, str>),
    GroupStart(Cow<'y, str>),
    GroupEnd,
}

impl Change<'_> {
    fn into_owned(self) -> Change<'static> {
        match self {
            Change::None => Change::None,
            Change::Start(a, b) => {
                Change::Start(Cow::Owned(a.into_owned()), Cow::Owned(b.into_owned()))
            }
            Change::Done(a) => Change::Done(Cow::Owned(a.into_owned())),
            Change::GroupStart(a) => Change::GroupStart(Cow::Owned(a.into_owned())),
            Change::GroupEnd => Change::GroupEnd,
        }
    }
}

impl<'x> Machine<'x> {
    pub(crate) fn new(source: Source, seq: u64, open: OpenStep<'x>) -> Self {
        Machine {
            source,
            seq,
            open,
            group: None,
            cache: buildlog::PrefixCache::default(),
        }
    }

    /// Points an open step that came in owned (carried over from an earlier
    /// chunk or page) at the same text in `input`, where it occurs there:
    /// each event that infers the step then borrows it instead of copying
    /// it. Most chunks hold the step's own records (or its name elsewhere),
    /// so this is one short search a chunk instead of two copies a line:
    /// without it, `cilog --no-redact` on /work/big16/codearts.log (read by
    /// the follower in 64 KiB chunks) costs 422.15 M instructions instead
    /// of 379.97 M (+11.1 %), callgrind.
    pub(crate) fn borrow_open_from(&mut self, input: &'x [u8]) {
        if let Some(group) = &mut self.group {
            borrow_from(group, input);
        }
        let Some((id, name)) = &mut self.open else {
            return;
        };
        if let (Cow::Owned(i), Cow::Owned(n)) = (&*id, &*name) {
            // Both at once from a record's tag `[name:id]`, where there is one.
            let tag = format!("{n}:{i}");
            if let Some(at) = memchr::memmem::find(input, tag.as_bytes()) {
                let name_at = input.get(at..at + n.len());
                let id_at = input.get(at + n.len() + 1..at + tag.len());
                if let (Some(n), Some(i)) = (name_at.and_then(as_str), id_at.and_then(as_str)) {
                    *name = Cow::Borrowed(n);
                    *id = Cow::Borrowed(i);
                    return;
                }
            }
        }
        borrow_from(id, input);
        borrow_from(name, input);
    }

    /// The event of one line (without its line break). `notes` are what
    /// decoding already noted (invalid UTF-8, a cut line, …).
    ///
    /// The event is built once, in place: at tens of millions of lines a
    /// second, moving a `LogEvent` between helpers costs more than parsing.
    #[inline]
    pub(crate) fn line(
        &mut self,
        line: Cow<'x, str>,
        notes: Notes,
        opts: &Options,
        loc: Loc<'_>,
    ) -> Result<LogEvent<'x>, Error> {
        let mut e = self.blank();
        self.line_into(&mut e, line, notes, opts, loc)?;
        Ok(e)
    }

    /// The event that [`line_into`](Machine::line_into) fills.
    #[inline]
    pub(crate) fn blank(&self) -> LogEvent<'x> {
        LogEvent::new(self.source, EventKind::Line, self.seq, Cow::Borrowed(""))
    }

    /// [`line`](Machine::line), filling `e`, a [`blank`](Machine::blank)
    /// event, where the caller will return it from: no copy of the event.
    #[inline]
    pub(crate) fn line_into(
        &mut self,
        e: &mut LogEvent<'x>,
        line: Cow<'x, str>,
        mut notes: Notes,
        opts: &Options,
        loc: Loc<'_>,
    ) -> Result<(), Error> {
        match line {
            Cow::Borrowed(s) => {
                let read = self.read(s);
                let (change, own_step) = self.fill(e, read, &mut notes, opts, loc)?;
                if !own_step {
                    self.infer_step(e, &mut notes, matches!(change, Change::GroupEnd));
                }
                self.apply(change);
            }
            Cow::Owned(s) => {
                let mut tmp = self.blank();
                let read = self.read(&s);
                let (change, own_step) = self.fill(&mut tmp, read, &mut notes, opts, loc)?;
                let change = change.into_owned();
                // The message, most of the line, keeps the line's buffer.
                let kept = match &tmp.message {
                    Cow::Borrowed(m) => crate::json::offset_in(m, &s).map(|at| at..at + m.len()),
                    Cow::Owned(_) => None,
                };
                if kept.is_some() {
                    tmp.message = Cow::Borrowed("");
                }
                *e = tmp.into_owned();
                if let Some(range) = kept {
                    let mut s = s;
                    s.truncate(range.end);
                    s.drain(..range.start);
                    e.message = Cow::Owned(s);
                }
                // The open step is shared as it is, not copied with the line.
                if !own_step {
                    self.infer_step(e, &mut notes, matches!(change, Change::GroupEnd));
                }
                self.apply(change);
            }
        }
        e.notes.extend(notes);
        self.seq += 1;
        Ok(())
    }

    /// Gives a line without a step of its own the open group, else the
    /// open step, if any; `::endgroup::` (`end_group`) only the group.
    #[inline]
    fn infer_step(&self, e: &mut LogEvent<'x>, notes: &mut Notes, end_group: bool) {
        if let Some(group) = &self.group {
            e.ctx.step_id = Some(share_text(group));
            e.ctx.step_name = Some(share_text(group));
            notes.insert(Note::StepInferred);
        } else if !end_group && let Some((id, name)) = &self.open {
            e.ctx.step_id = Some(share_text(id));
            e.ctx.step_name = Some(share_text(name));
            notes.insert(Note::StepInferred);
        }
    }

    fn apply(&mut self, change: Change<'x>) {
        match change {
            Change::None => {}
            Change::Start(id, name) => self.open = Some((id, name)),
            Change::Done(id) => {
                if self.open.as_ref().is_some_and(|(open, _)| *open == id) {
                    self.open = None;
                }
            }
            Change::GroupStart(name) => self.group = Some(name),
            Change::GroupEnd => self.group = None,
        }
    }

    /// `line` with its prefix read.
    #[inline]
    fn read<'y>(&mut self, line: &'y str) -> Prefixed<'y> {
        let (stamp, rest) = self.cache.prefix(line);
        Prefixed { line, stamp, rest }
    }

    /// Fills `e` from a line but for the open step; the bool says whether
    /// the line has a step of its own (or belongs to none), else the caller
    /// infers the open one.
    #[inline]
    fn fill<'y>(
        &self,
        e: &mut LogEvent<'y>,
        Prefixed { line, stamp, rest }: Prefixed<'y>,
        notes: &mut Notes,
        opts: &Options,
        loc: Loc<'_>,
    ) -> Result<(Change<'y>, bool), Error>
    where
        'x: 'y,
    {
        match stamp {
            Stamp::Valid(t) => {
                e.time = Some(t);
                Ok(self.fill_text(e, rest, true, opts.text, notes))
            }
            Stamp::Invalid | Stamp::None => {
                if stamp == Stamp::Invalid {
                    opts.recover(notes, Note::InvalidTime, || {
                        loc.error(ErrorKind::Time, INVALID_PREFIX)
                    })?;
                }
                // No usable prefix: the whole line is the message.
                notes.insert(Note::NoPrefix);
                Ok(self.fill_text(e, line, false, opts.text, notes))
            }
        }
    }

    /// Fills `e` from `text` cleaned per `mode`: a prefixed line's body
    /// (`prefixed`), or a whole line without a usable prefix.
    #[inline]
    fn fill_text<'y>(
        &self,
        e: &mut LogEvent<'y>,
        text: &'y str,
        prefixed: bool,
        mode: TextMode,
        notes: &mut Notes,
    ) -> (Change<'y>, bool) {
        let raw = mode == TextMode::Raw;
        fn fields(r: &str, prefixed: bool, raw: bool) -> Fields<'_> {
            if prefixed {
                Fields::of_body(buildlog::body(r), raw)
            } else {
                Fields::unprefixed(r, raw)
            }
        }
        match text::clean(Cow::Borrowed(text), mode, notes) {
            Cow::Borrowed(r) if prefixed => {
                let body = buildlog::body(r);
                // Most lines: only a message, which the blank event takes
                // as it is (as `plain_line` does). Through `Fields`, whose
                // runner and group fields came with the workflow commands,
                // the follower's 64 KiB chunks of the codearts-log bench
                // input took 19.0–19.4 ms against 18.0 ms before them.
                match body {
                    Body::Raw(m) if only_message(m) => {
                        e.message = Cow::Borrowed(m);
                        return (Change::None, false);
                    }
                    Body::Bare {
                        level,
                        severity,
                        message,
                    } if !runner::may_matter(message) => {
                        e.severity = Some(severity);
                        e.severity_text = Some(Cow::Borrowed(level));
                        e.message = Cow::Borrowed(message);
                        return (Change::None, false);
                    }
                    _ => {}
                }
                self.fill_fields(e, Fields::of_body(body, raw))
            }
            Cow::Borrowed(r) => self.fill_fields(e, fields(r, prefixed, raw)),
            Cow::Owned(r) => {
                // Cleaned text: the fields must own their text.
                let mut tmp =
                    LogEvent::new(self.source, EventKind::Line, self.seq, Cow::Borrowed(""));
                let (c, own) = self.fill_fields(&mut tmp, fields(&r, prefixed, raw));
                let mut tmp = tmp.into_owned();
                tmp.time = e.time;
                *e = tmp;
                (c.into_owned(), own)
            }
        }
    }

    /// Fills `e` from a line's fields; the bool says whether the line
    /// carries its own step context (platform records do).
    #[inline]
    fn fill_fields<'z>(&self, e: &mut LogEvent<'z>, f: Fields<'z>) -> (Change<'z>, bool) {
        let change = f.change();
        e.kind = f.kind;
        e.severity = f.severity;
        e.severity_text = f.level.map(Cow::Borrowed);
        e.status = f.status;
        e.vendor_status = f.vendor_status.map(|s| Scalar::Str(Cow::Borrowed(s)));
        if let Some(tag) = f.tag {
            e.ctx.step_id = Some(Cow::Borrowed(tag.id));
            e.ctx.step_name = Some(Cow::Borrowed(tag.name));
        }
        if let Some(group) = &f.group {
            e.ctx.step_id = Some(group.clone());
            e.ctx.step_name = Some(group.clone());
        }
        if let Some(job) = f.job {
            e.ctx.job = Some(Cow::Borrowed(job));
        }
        e.ctx.exit_code = f.exit_code;
        if !f.attrs.is_empty() {
            e.attrs.extend(f.attrs);
        }
        e.message = f.message;
        e.notes.extend(f.notes);
        (change, f.own_step)
    }

    /// [`line`](Machine::line) for a line that borrows from the input and
    /// has nothing to clean (no ESC, no CR, or raw text mode): the same
    /// event, built where it is returned to (no copy of the event).
    #[inline]
    pub(crate) fn plain_line(
        &mut self,
        line: &'x str,
        mut notes: Notes,
        opts: &Options,
        loc: Loc<'_>,
    ) -> Result<LogEvent<'x>, Error> {
        let (stamp, rest) = self.cache.prefix(line);
        match stamp {
            Stamp::Valid(t) => {
                let body = buildlog::body(rest);
                // Most lines: tool output, only a message. Its own call of
                // `event` lets the compiler fill the rest with constants:
                // without it, `cilog --no-redact` on /work/big16/codearts.log
                // costs 391.77 M instructions instead of 379.97 M (+3.1 %),
                // callgrind.
                // A line that may be a runner's (a workflow command, an
                // exit-code phrase) takes the careful path, so that this one
                // stays a message and constants.
                // A level and a message (`[INFO] text`) likewise.
                if self.group.is_none() {
                    match body {
                        Body::Raw(text) if only_message(text) => {
                            return Ok(self.message_event(Some(t), None, text, notes));
                        }
                        Body::Bare {
                            level,
                            severity,
                            message,
                        } if !runner::may_matter(message) => {
                            let level = Some((severity, level));
                            return Ok(self.message_event(Some(t), level, message, notes));
                        }
                        _ => {}
                    }
                }
                Ok(self.event(
                    Some(t),
                    Fields::of_body(body, opts.text == TextMode::Raw),
                    notes,
                ))
            }
            Stamp::Invalid | Stamp::None => {
                if stamp == Stamp::Invalid {
                    opts.recover(&mut notes, Note::InvalidTime, || {
                        loc.error(ErrorKind::Time, INVALID_PREFIX)
                    })?;
                }
                // No usable prefix: the whole line is the message.
                notes.insert(Note::NoPrefix);
                Ok(self.event(
                    None,
                    Fields::unprefixed(line, opts.text == TextMode::Raw),
                    notes,
                ))
            }
        }
    }

    /// The event of a line read as `f`: the open step inferred where the
    /// line has none of its own, the step change applied, the sequence
    /// number taken.
    ///
    /// Always inlined: each caller's constant fields fold into the event.
    /// With `#[inline]` instead, `cilog --no-redact` on
    /// /work/big16/codearts.log costs 395.49 M instructions instead of
    /// 379.97 M (+4.1 %; 17 stitched 1 MB pages of it +3.6 %), callgrind.
    #[inline(always)]
    fn event(&mut self, time: Option<Timestamp>, f: Fields<'x>, mut notes: Notes) -> LogEvent<'x> {
        let (mut step_id, mut step_name) = match f.tag {
            Some(tag) => (Some(Cow::Borrowed(tag.id)), Some(Cow::Borrowed(tag.name))),
            None => (None, None),
        };
        if let Some(group) = &f.group {
            step_id = Some(share_text(group));
            step_name = Some(share_text(group));
        }
        if !f.own_step {
            if let Some(group) = &self.group {
                step_id = Some(share_text(group));
                step_name = Some(share_text(group));
                notes.insert(Note::StepInferred);
            } else if f.mark != Mark::GroupEnd
                && let Some((id, name)) = &self.open
            {
                step_id = Some(share_text(id));
                step_name = Some(share_text(name));
                notes.insert(Note::StepInferred);
            }
        }
        notes.extend(f.notes);
        let seq = self.seq;
        if f.mark != Mark::None {
            self.apply(f.change());
        }
        self.seq += 1;
        LogEvent {
            source: self.source,
            kind: f.kind,
            seq,
            time,
            severity: f.severity,
            severity_text: f.level.map(Cow::Borrowed),
            status: f.status,
            vendor_status: f.vendor_status.map(|s| Scalar::Str(Cow::Borrowed(s))),
            progress: None,
            duration: None,
            ctx: Context {
                job: f.job.map(Cow::Borrowed),
                step_id,
                step_name,
                host: None,
                pid: None,
                exit_code: f.exit_code,
                attempt: None,
            },
            message: f.message,
            notes,
            attrs: f.attrs,
        }
    }
}

impl<'x> Machine<'x> {
    /// [`Machine::event`] for a line that is only a message (tool output:
    /// most lines), or a level and a message (`[INFO] text`), no group
    /// open: the open step inferred, every other field a constant. Its own builder, because the general one's group
    /// and runner fields cost this path: the codearts-realtime-log bench
    /// group's paired ratio was 0.80 with them against 0.90 before them
    /// (CILOG_BENCH_MB=32 CILOG_BENCH_ROUNDS=5 … codearts-realtime).
    #[inline(always)]
    fn message_event(
        &mut self,
        time: Option<Timestamp>,
        level: Option<(Severity, &'x str)>,
        message: &'x str,
        mut notes: Notes,
    ) -> LogEvent<'x> {
        let (step_id, step_name) = match &self.open {
            Some((id, name)) => {
                notes.insert(Note::StepInferred);
                (Some(share_text(id)), Some(share_text(name)))
            }
            None => (None, None),
        };
        let seq = self.seq;
        self.seq += 1;
        LogEvent {
            source: self.source,
            kind: EventKind::Line,
            seq,
            time,
            severity: level.map(|(s, _)| s),
            severity_text: level.map(|(_, l)| Cow::Borrowed(l)),
            status: None,
            vendor_status: None,
            progress: None,
            duration: None,
            ctx: Context {
                job: None,
                step_id,
                step_name,
                host: None,
                pid: None,
                exit_code: None,
                attempt: None,
            },
            message: Cow::Borrowed(message),
            notes,
            attrs: Vec::new(),
        }
    }
}

/// `text`, if owned, as the same text where it first occurs in `input`.
fn borrow_from<'x>(text: &mut Cow<'x, str>, input: &'x [u8]) {
    let Cow::Owned(owned) = text else {
        return;
    };
    let needle = owned.as_bytes();
    let found = memchr::memmem::find(input, needle)
        .and_then(|at| input.get(at..at + needle.len()))
        .and_then(as_str);
    if let Some(s) = found {
        *text = Cow::Borrowed(s);
    }
}

/// Bytes found equal to a `str`'s, as a `str` (valid UTF-8 wherever they
/// occur).
fn as_str(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok()
}

/// Whether a prefixed line's raw body (`Body::Raw`: tool output) is only a
/// message: not the build's `Finished: …`, and neither a workflow command
/// nor an exit-code phrase ([`runner::may_matter`]). Such a line's event is
/// the text and constants.
#[inline(always)]
fn only_message(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b'F') => !text.as_bytes().starts_with(b"Finished: "),
        Some(b':' | b'#') => false,
        _ => !runner::may_matter(text),
    }
}

/// How a platform record moves the open step, or a workflow command the
/// open group.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    None,
    Start,
    Done,
    GroupStart,
    GroupEnd,
}

/// What a line's text says, before it becomes an event: every field a
/// CodeArts line can set, borrowed from the line.
struct Fields<'z> {
    kind: EventKind,
    severity: Option<Severity>,
    /// The level token as written.
    level: Option<&'z str>,
    status: Option<Status>,
    vendor_status: Option<&'z str>,
    /// The platform record's own step tag.
    tag: Option<Tag<'z>>,
    job: Option<&'z str>,
    /// `build_no`; a workflow command's `file`, `line`, `col`, …
    attrs: Vec<(&'static str, Scalar<'z>)>,
    /// The exit code a runner's phrase in the message gives.
    exit_code: Option<i64>,
    /// The group a `::group::` line opens: its own step context.
    group: Option<Cow<'z, str>>,
    message: Cow<'z, str>,
    notes: Notes,
    mark: Mark,
    /// Whether the line carries its own step context (or none, for the
    /// build's status), so that the open step is not inferred.
    own_step: bool,
}

impl<'z> Fields<'z> {
    /// A plain line: only a message (and the exit code its phrase gives).
    #[inline]
    fn message(message: &'z str) -> Self {
        Fields::text(Cow::Borrowed(message))
    }

    /// [`Fields::message`] of any text.
    #[inline(always)]
    fn text(message: Cow<'z, str>) -> Self {
        Fields {
            kind: EventKind::Line,
            severity: None,
            level: None,
            status: None,
            vendor_status: None,
            tag: None,
            job: None,
            attrs: Vec::new(),
            exit_code: runner::exit_code(&message),
            group: None,
            message,
            notes: Notes::EMPTY,
            mark: Mark::None,
            own_step: false,
        }
    }

    /// The fields of a prefixed line's body (`raw`: the raw text mode).
    #[inline]
    fn of_body(body: Body<'z>, raw: bool) -> Self {
        match body {
            Body::Platform {
                level,
                severity,
                tag,
                message,
            } => {
                let mut f = Fields::message(message);
                f.severity = Some(severity);
                f.level = Some(level);
                if let Some(tag) = tag {
                    f.tag = Some(tag);
                    if tag.variant {
                        f.notes.insert(Note::TagVariant);
                    }
                    let m = message.trim();
                    if STEP_STARTS.contains(&m) {
                        f.kind = EventKind::Phase;
                        f.status = Some(Status::Running);
                        f.mark = Mark::Start;
                    } else if STEP_DONE.contains(&m) {
                        f.kind = EventKind::Phase;
                        f.status = Some(Status::Succeeded);
                        f.mark = Mark::Done;
                    }
                } else {
                    job_status_plugin(&mut f, message);
                }
                // Platform records are the platform's own: never inferred.
                f.own_step = true;
                f
            }
            Body::Bare {
                level,
                severity,
                message,
            } => {
                let mut f = Fields::message(message);
                f.severity = Some(severity);
                f.level = Some(level);
                f
            }
            Body::Raw(text) => {
                if let Some(f) = Fields::command(text, raw) {
                    return f;
                }
                let mut f = Fields::message(text);
                finished(&mut f, text);
                // The build's own status belongs to no step.
                f.own_step = f.kind == EventKind::Status;
                f
            }
        }
    }

    /// A line without a prefix: a workflow command, or a message.
    #[inline]
    fn unprefixed(line: &'z str, raw: bool) -> Self {
        Fields::command(line, raw).unwrap_or_else(|| Fields::message(line))
    }

    /// The fields of a workflow command line (see [`runner::workflow_command`]):
    /// the annotations' severity and attrs; a group's phase events, `running`
    /// at `::group::` (the group's own step context) and `succeeded` at
    /// `::endgroup::` (which infers the open group).
    #[inline]
    fn command(text: &'z str, raw: bool) -> Option<Self> {
        let w = runner::workflow_command(text, raw)?;
        Some(Fields::of_command(w))
    }

    #[inline(never)]
    fn of_command(w: Workflow<'z>) -> Self {
        let command = w.command;
        let (message, attrs) = w.into_parts();
        let mut f = Fields::text(message);
        f.attrs = attrs;
        f.notes.insert(Note::WorkflowCommand);
        if let Some(c) = command {
            f.severity = c.severity();
            if f.severity.is_some() {
                f.level = Some(c.name());
            }
        }
        match command {
            Some(Command::Group) => {
                f.kind = EventKind::Phase;
                f.status = Some(Status::Running);
                f.mark = Mark::GroupStart;
                f.group = Some(f.message.clone());
                f.own_step = true;
            }
            Some(Command::EndGroup) => {
                f.kind = EventKind::Phase;
                f.status = Some(Status::Succeeded);
                f.mark = Mark::GroupEnd;
            }
            _ => {}
        }
        f
    }

    /// What the line does to the open step or group.
    #[inline]
    fn change(&self) -> Change<'z> {
        match (self.mark, self.tag) {
            (Mark::GroupStart, _) => Change::GroupStart(self.message.clone()),
            (Mark::GroupEnd, _) => Change::GroupEnd,
            (Mark::Start, Some(tag)) => {
                Change::Start(Cow::Borrowed(tag.id), Cow::Borrowed(tag.name))
            }
            (Mark::Done, Some(tag)) => Change::Done(Cow::Borrowed(tag.id)),
            _ => Change::None,
        }
    }
}

/// `[JobStatusPlugin] onStarted: j_XXXX #N` / `onCompleted: …`: a phase
/// event with the job id and the build number.
fn job_status_plugin<'z>(f: &mut Fields<'z>, message: &'z str) {
    let Some(rest) = message.strip_prefix("[JobStatusPlugin] ") else {
        return;
    };
    let (started, rest) = if let Some(r) = rest.strip_prefix("onStarted: ") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("onCompleted: ") {
        (false, r)
    } else {
        return;
    };
    let mut parts = rest.trim_end().splitn(2, ' ');
    let (Some(job), Some(number)) = (parts.next(), parts.next()) else {
        return;
    };
    let Some(build) = number.strip_prefix('#').and_then(|n| n.parse::<i64>().ok()) else {
        return;
    };
    if job.is_empty() {
        return;
    }
    f.kind = EventKind::Phase;
    if started {
        f.status = Some(Status::Running);
    }
    f.job = Some(job);
    f.attrs.push(("build_no", Scalar::Int(build)));
}

/// `Finished: SUCCESS` (Jenkins' last line): a status event for the build.
fn finished<'z>(f: &mut Fields<'z>, text: &'z str) {
    // Most lines are not: a byte compare before `trim_end` walks the end
    // (trimming the end cannot make the prefix).
    if !text.as_bytes().starts_with(b"Finished: ") {
        return;
    }
    let Some(result) = text.trim_end().strip_prefix("Finished: ") else {
        return;
    };
    if result.is_empty() || !result.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
        return;
    }
    f.kind = EventKind::Status;
    f.vendor_status = Some(result);
    f.status = Some(match FINISHED.iter().find(|(name, _)| *name == result) {
        Some((_, st)) => *st,
        None => {
            f.notes.insert(Note::UnknownStatus);
            Status::Unknown
        }
    });
}

#[cfg(test)]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    fn run(lines: &[&'static str]) -> Vec<LogEvent<'static>> {
        let mut m = Machine::new(Source::CodeartsLog, 0, None);
        let opts = Options::default();
        lines
            .iter()
            .map(|l| {
                m.line(
                    Cow::Borrowed(l),
                    Notes::EMPTY,
                    &opts,
                    Loc {
                        input: b"",
                        byte: 0,
                    },
                )
                .unwrap()
            })
            .collect()
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// `Machine::line` (an owned line's message keeping the line's
        /// buffer, the open step shared) gives the events, errors, open
        /// step and sequence of the old one, borrowed or owned lines alike.
        #[test]
        fn line_agrees_with_old_line(
            lines in prop::collection::vec((super::super::tests::any_line(), prop::bool::ANY), 0..12),
            open in prop_oneof![Just(0u8), Just(1u8), Just(2u8)],
            strict in prop::bool::ANY,
            raw in prop::bool::ANY,
        ) {
            let texts: Vec<(String, bool)> = lines
                .iter()
                .map(|(b, owned)| (String::from_utf8_lossy(b).into_owned(), *owned))
                .collect();
            let mut opts = if strict { Options::strict() } else { Options::default() };
            if raw {
                opts = opts.with_text(crate::options::TextMode::Raw);
            }
            let start = || -> OpenStep<'static> {
                match open {
                    0 => None,
                    1 => Some((Cow::Borrowed("m2"), Cow::Borrowed("Maven构建"))),
                    _ => Some((Cow::Owned("co".to_owned()), Cow::Owned("代码检出".to_owned()))),
                }
            };
            let mut new = Machine::new(Source::CodeartsRealtimeLog, 7, start());
            let mut old = Machine::new(Source::CodeartsRealtimeLog, 7, start());
            let loc = Loc { input: b"", byte: 0 };
            for (text, owned) in &texts {
                let line = || if *owned { Cow::Owned(text.clone()) } else { Cow::Borrowed(text.as_str()) };
                let got = new.line(line(), Notes::EMPTY, &opts, loc).map_err(|e| e.to_string());
                let want = reference::line(&mut old, line(), Notes::EMPTY, &opts, loc).map_err(|e| e.to_string());
                prop_assert_eq!(&got, &want, "{:?}", text);
                prop_assert_eq!(&new.open, &old.open);
                prop_assert_eq!(new.seq, old.seq);
                if got.is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn steps_open_infer_and_close() {
        let ev = run(&[
            "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行",
            "[2023/12/21 15:44:18.794 GMT+08:00] [INFO] BUILD SUCCESS",
            "[2023/12/21 15:44:18.795 GMT+08:00] $ mvn package",
            "continuation without prefix",
            "[2023/12/21 15:44:18.797 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤执行完成",
            "[2023/12/21 15:44:18.842 GMT+08:00] $ docker stop",
        ]);
        assert_eq!(ev[0].kind, EventKind::Phase);
        assert_eq!(ev[0].status, Some(Status::Running));
        assert_eq!(ev[0].ctx.step_id.as_deref(), Some("external_post_maven"));
        for e in &ev[1..4] {
            assert_eq!(e.ctx.step_name.as_deref(), Some("Maven构建"));
            assert!(e.notes.contains(Note::StepInferred));
        }
        assert!(ev[3].notes.contains(Note::NoPrefix));
        assert!(ev[3].time.is_none());
        assert_eq!(ev[4].status, Some(Status::Succeeded));
        assert!(!ev[4].notes.contains(Note::StepInferred));
        assert_eq!(ev[5].ctx.step_id, None);
        assert_eq!(
            ev.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
    }

    #[test]
    fn job_status_plugin_and_finished() {
        let ev = run(&[
            "[2026/06/26 14:30:11.402 GMT+08:00] [INFO]  : [JobStatusPlugin] onStarted: j_YE1bu9Z7 #12",
            "[2026/06/26 14:30:11.402 GMT+08:00] [INFO]  : [JobStatusPlugin] onCompleted: j_YE1bu9Z7 #12",
            "[2026/06/26 14:30:14.010 GMT+08:00] Finished: SUCCESS",
            "[2026/06/26 14:30:14.010 GMT+08:00] Finished: NOT_BUILT",
            "[2026/06/26 14:30:14.010 GMT+08:00] Finished: WEIRD",
            "[2026/06/26 14:30:14.010 GMT+08:00] Finished: compiling module a",
            "[2026/06/26 14:30:11.402 GMT+08:00] [INFO]  : [JobStatusPlugin] onStarted: j_x #notanumber",
        ]);
        assert_eq!(ev[0].kind, EventKind::Phase);
        assert_eq!(ev[0].ctx.job.as_deref(), Some("j_YE1bu9Z7"));
        assert_eq!(ev[0].attr("build_no"), Some(&Scalar::Int(12)));
        assert_eq!(ev[0].status, Some(Status::Running));
        assert_eq!(ev[1].status, None);
        assert_eq!(ev[2].kind, EventKind::Status);
        assert_eq!(ev[2].status, Some(Status::Succeeded));
        assert_eq!(ev[2].vendor_status, Some(Scalar::Str("SUCCESS".into())));
        assert_eq!(ev[3].status, Some(Status::Skipped));
        assert_eq!(ev[4].status, Some(Status::Unknown));
        assert!(ev[4].notes.contains(Note::UnknownStatus));
        assert_eq!(ev[5].kind, EventKind::Line);
        assert_eq!(ev[6].kind, EventKind::Line);
        assert_eq!(ev[6].ctx.job, None);
    }

    /// Workflow commands: annotations take their severity, message and
    /// attrs; a group is a phase pair that lines in between infer, and the
    /// open step is inferred again once it closes; exit-code phrases fill
    /// `exit_code`, inside a command too.
    #[test]
    fn workflow_commands_and_exit_codes() {
        let ev = run(&[
            "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:m2] : 该步骤开始执行",
            "[2023/12/21 15:44:18.794 GMT+08:00] ::group::Run make",
            "[2023/12/21 15:44:18.795 GMT+08:00] make: *** [Makefile:3: all] Error 2",
            "::warning file=a%2Cb.c,line=3,col=5,title=T%3A x::50%25 done",
            "[2023/12/21 15:44:18.796 GMT+08:00] ::endgroup::",
            "[2023/12/21 15:44:18.797 GMT+08:00] after the group",
            "::error::Process exited with code 2",
            "[2023/12/21 15:44:18.798 GMT+08:00] [ERROR]  : script returned exit code 1, exitMessage is: command run failed",
            "[2023/12/21 15:44:18.799 GMT+08:00] ##[endgroup]",
            "::error::if the exit code is 1, retry",
        ]);
        let group = (Some("Run make"), Some("Run make"));
        let step = (Some("m2"), Some("Maven构建"));
        fn ctx<'e>(e: &'e LogEvent<'_>) -> (Option<&'e str>, Option<&'e str>) {
            (e.ctx.step_id.as_deref(), e.ctx.step_name.as_deref())
        }
        assert_eq!(ev[1].kind, EventKind::Phase);
        assert_eq!(ev[1].status, Some(Status::Running));
        assert_eq!(ev[1].message, "Run make");
        assert_eq!(ctx(&ev[1]), group);
        assert_eq!(ev[1].notes, Notes::from(Note::WorkflowCommand));
        assert_eq!(ev[2].exit_code_and_inferred(), (Some(2), true));
        assert_eq!(ctx(&ev[2]), group);
        assert_eq!(ev[3].severity, Some(Severity::Warn));
        assert_eq!(ev[3].severity_text.as_deref(), Some("warning"));
        assert_eq!(ev[3].message, "50% done");
        assert_eq!(ev[3].attr("file"), Some(&Scalar::Str("a,b.c".into())));
        assert_eq!(ev[3].attr("line"), Some(&Scalar::Int(3)));
        assert_eq!(ev[3].attr("col"), Some(&Scalar::Int(5)));
        assert_eq!(ev[3].attr("title"), Some(&Scalar::Str("T: x".into())));
        assert!(ev[3].notes.contains(Note::NoPrefix));
        assert!(ev[3].notes.contains(Note::WorkflowCommand));
        assert_eq!(ctx(&ev[3]), group);
        assert_eq!(ev[4].kind, EventKind::Phase);
        assert_eq!(ev[4].status, Some(Status::Succeeded));
        assert_eq!(ctx(&ev[4]), group);
        assert!(ev[4].notes.contains(Note::StepInferred));
        assert_eq!(ctx(&ev[5]), step);
        assert_eq!(ev[6].severity, Some(Severity::Error));
        assert_eq!(ev[6].message, "Process exited with code 2");
        assert_eq!(ev[6].exit_code_and_inferred(), (Some(2), true));
        assert_eq!(ev[7].exit_code_and_inferred(), (Some(1), false));
        assert_eq!(ev[7].severity, Some(Severity::Error));
        // An `::endgroup::` with no group open is a phase of no step.
        assert_eq!(ev[8].kind, EventKind::Phase);
        assert_eq!(ctx(&ev[8]), (None, None));
        assert_eq!(ev[9].ctx.exit_code, None);
        for e in [&ev[0], &ev[1], &ev[3], &ev[4], &ev[5]] {
            assert_eq!(e.ctx.exit_code, None);
        }
    }

    impl LogEvent<'_> {
        fn exit_code_and_inferred(&self) -> (Option<i64>, bool) {
            (self.ctx.exit_code, self.notes.contains(Note::StepInferred))
        }
    }

    #[test]
    fn finished_table_is_complete() {
        let names: Vec<_> = FINISHED.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["SUCCESS", "FAILURE", "ABORTED", "UNSTABLE", "NOT_BUILT"]
        );
    }
}
