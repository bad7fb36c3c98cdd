//! The event of one line: its prefix read into time, process id, template
//! marker or file-transfer fields, its message cleaned (ANSI,
//! carriage-return overwrite) and cut to `max_line_len`, the cursor's
//! context copied on.
//!
//! Two paths: the one-pass template reader ([`prefixed_event`],
//! [`prefixed_raw_event`], with the date of the line before remembered)
//! and the careful one ([`prefixed_event_general`], its test reference).
//! The hints, the line with nothing to decode, the remembered day, the SWAR
//! process id and the entity table stay because the bench group shows them:
//! `CILOG_BENCH_MB=32 CILOG_BENCH_ROUNDS=5 cargo bench --bench throughput --
//! --warm-up-time 1 --measurement-time 2 --noplot bkjob`, bkjob-log paired
//! ratio 0.88 with them, 0.80 without the remembered day and the
//! no-decoding line, 0.71 without the rest as well (plain code at each,
//! same tree otherwise). callgrind showed each under 3 %; it does not count
//! the moves of a 288-byte event that the bench does.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Scalar, share_text};
use crate::note::{Note, Notes};
use crate::runner::{self, Command};
use crate::status::Status;
use crate::time::Timestamp;

use super::cursor::LineCursor;
use super::file_line::{FileLine, Label, file_line, full_width_file_line};
use super::lines::{LineText, sub, tail};
use super::prefix::{Marker, marker, prefix, template_prefix};
use super::{CodeTable, Doc};

/// [`crate::text::clean`], kept out of line: the rare case, and inlining it
/// into the line builder measurably slowed every line.
#[inline(never)]
fn clean_message<'a>(
    s: Cow<'a, str>,
    mode: crate::options::TextMode,
    notes: &mut Notes,
) -> Cow<'a, str> {
    crate::text::clean(s, mode, notes)
}

/// Pushes a non-empty text attribute.
fn push_text<'a>(attrs: &mut Vec<(&'static str, Scalar<'a>)>, key: &'static str, v: Cow<'a, str>) {
    if !v.is_empty() {
        attrs.push((key, Scalar::Str(v)));
    }
}

/// The event of a line that starts with `[`: its prefix read, if it has
/// one, into the time, process id, template marker or file-transfer
/// fields. Out of line: most lines have none.
#[inline(never)]
pub(super) fn prefixed_event<'a>(
    doc: &Doc<'a, '_>,
    line: LineText<'a>,
    at: usize,
    cur: &mut LineCursor<'a>,
    seq: &mut u64,
    mut notes: Notes,
) -> Result<LogEvent<'a>, Error> {
    if let Some((time, pid, body)) = template_prefix(line.text.as_bytes(), doc.offset, &mut cur.day)
    {
        let e = LineFields {
            time: Some(time),
            pid: Some(pid),
            ..PLAIN
        };
        let text = tail(line.text, body);
        let message = finish_message(doc, text, line.may_need_cleaning, at, &mut notes)?;
        return checked_event(doc, cur, seq, e, message, notes, Vec::new());
    }
    prefixed_event_general(doc, line, at, cur, seq, notes)
}

/// [`prefixed_event`] for a line that needed no decoding, `raw` as it is
/// in the input.
#[inline(never)]
pub(super) fn prefixed_raw_event<'a>(
    doc: &Doc<'a, '_>,
    raw: &'a str,
    at: usize,
    cur: &mut LineCursor<'a>,
    seq: &mut u64,
) -> Result<LogEvent<'a>, Error> {
    let mut notes = cur.notes;
    if let Some((time, pid, body)) = template_prefix(raw.as_bytes(), doc.offset, &mut cur.day)
        && !may_be_runner(raw.get(body..).unwrap_or_default())
    {
        let e = LineFields {
            time: Some(time),
            pid: Some(pid),
            ..PLAIN
        };
        let mut message = Cow::Borrowed(raw.get(body..).unwrap_or_default());
        if message.len() > doc.opts.max_line_len {
            cut_long_line(doc, &mut message, at, &mut notes)?;
        }
        return Ok(event(doc, cur, seq, e, message, notes, Vec::new()));
    }
    let line = LineText {
        text: Cow::Borrowed(raw),
        invalid_escape: false,
        html: false,
        may_need_cleaning: false,
    };
    prefixed_event_general(doc, line, at, cur, seq, notes)
}

/// [`prefixed_event`] for any prefix: the reference [`template_prefix`]
/// is tested against.
#[inline(never)]
fn prefixed_event_general<'a>(
    doc: &Doc<'a, '_>,
    line: LineText<'a>,
    at: usize,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    mut notes: Notes,
) -> Result<LogEvent<'a>, Error> {
    let mut e = PLAIN;
    let mut attrs = Vec::new();
    let text = line.text;
    let body = prefixed(doc, &text, at, &mut e, &mut notes, &mut attrs)?;
    let message = finish_message(
        doc,
        tail(text, body),
        line.may_need_cleaning,
        at,
        &mut notes,
    )?;
    checked_event(doc, cur, seq, e, message, notes, attrs)
}

/// A line's message cleaned (when it may need it) and cut to
/// `max_line_len`.
#[inline(always)]
pub(super) fn finish_message<'a>(
    doc: &Doc<'a, '_>,
    message: Cow<'a, str>,
    may_need_cleaning: bool,
    at: usize,
    notes: &mut Notes,
) -> Result<Cow<'a, str>, Error> {
    let mut message = if may_need_cleaning {
        clean_message(message, doc.opts.text, notes)
    } else {
        message
    };
    if message.len() > doc.opts.max_line_len {
        cut_long_line(doc, &mut message, at, notes)?;
    }
    Ok(message)
}

/// The fields of a line without a prefix.
pub(super) const PLAIN: LineFields<'static> = LineFields {
    kind: EventKind::Line,
    time: None,
    status: None,
    vendor_status: None,
    progress: None,
    pid: None,
};

/// A line's event with the cursor's context, numbered `seq`.
#[inline(always)]
pub(super) fn event<'a>(
    doc: &Doc<'a, '_>,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    e: LineFields<'a>,
    message: Cow<'a, str>,
    notes: Notes,
    attrs: Vec<(&'static str, Scalar<'a>)>,
) -> LogEvent<'a> {
    let seq_now = *seq;
    *seq += 1;
    // One struct literal as the return value: built where the caller wants
    // it, not built here and copied (the event is a few hundred bytes).
    LogEvent {
        source: doc.source,
        kind: e.kind,
        seq: seq_now,
        time: e.time,
        severity: None,
        severity_text: None,
        status: e.status,
        vendor_status: e.vendor_status,
        progress: e.progress,
        duration: None,
        ctx: Context {
            job: cur.ctx.job.as_ref().map(share_text),
            step_id: cur.ctx.step_id.as_ref().map(share_text),
            step_name: cur.ctx.step_name.as_ref().map(share_text),
            host: cur.ctx.host.as_ref().map(share_text),
            pid: e.pid,
            exit_code: cur.ctx.exit_code,
            attempt: cur.ctx.attempt,
        },
        message,
        notes,
        attrs,
    }
}

/// [`event`], or [`runner_event`] for a line that may be a runner's (a
/// workflow command or an exit-code phrase). Only the careful paths call
/// it: the two fast paths (a plain line, a template-prefixed one) send
/// such a line to them first (see [`may_be_runner`]), so that their own
/// [`event`] stays the plain struct literal. The bkjob bench group's
/// paired ratio to its baseline: 0.96 before the runner check; 0.90 with
/// the check in [`event`] itself, 0.84 with an early return there.
#[inline(always)]
pub(super) fn checked_event<'a>(
    doc: &Doc<'a, '_>,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    e: LineFields<'a>,
    message: Cow<'a, str>,
    notes: Notes,
    attrs: Vec<(&'static str, Scalar<'a>)>,
) -> Result<LogEvent<'a>, Error> {
    if may_be_runner(&message) && e.kind == EventKind::Line && e.status.is_none() {
        return runner_event(doc, cur, seq, e, message, notes, attrs);
    }
    Ok(event(doc, cur, seq, e, message, notes, attrs))
}

/// Whether a line's message may be a workflow command or carry an
/// exit-code phrase ([`runner::may_matter`]).
#[inline(always)]
pub(super) fn may_be_runner(message: &str) -> bool {
    runner::may_matter(message)
}

/// [`event`] with a workflow command or an exit-code phrase read into it
/// (only lines [`may_be_runner`] lets through come here, off the fast
/// paths).
///
/// A command gives the severity, the message without the command, its
/// attrs and the note `workflow_command`; a phrase, `exit_code` (over the
/// host's). A BlueKing line already has the step and the host from the
/// payload, and a step's status from its own records: `::group::` and
/// `::endgroup::` are `phase` events with no status and no step of their
/// own (the group's name is the message), and the lines between keep the
/// vendor's step. A status there would be read as the BlueKing step's
/// (by `step_spans`), and the group's name would hide the step's.
#[inline(never)]
fn runner_event<'a>(
    doc: &Doc<'a, '_>,
    cur: &LineCursor<'a>,
    seq: &mut u64,
    e: LineFields<'a>,
    message: Cow<'a, str>,
    notes: Notes,
    attrs: Vec<(&'static str, Scalar<'a>)>,
) -> Result<LogEvent<'a>, Error> {
    let mut ev = event(doc, cur, seq, e, message, notes, attrs);
    let raw = doc.opts.text == crate::options::TextMode::Raw;
    let command = match &ev.message {
        Cow::Borrowed(m) => runner::workflow_command(m, raw),
        Cow::Owned(m) => runner::workflow_command(m, raw).map(runner::Workflow::into_owned),
    };
    if let Some(w) = command {
        let cmd = w.command;
        let (message, more) = w.into_parts();
        ev.message = message;
        ev.attrs.extend(more);
        ev.notes.insert(Note::WorkflowCommand);
        if let Some(c) = cmd {
            ev.severity = c.severity();
            if ev.severity.is_some() {
                ev.severity_text = Some(Cow::Borrowed(c.name()));
            }
            if matches!(c, Command::Group | Command::EndGroup) {
                ev.kind = EventKind::Phase;
            }
        }
    }
    if let Some(code) = runner::exit_code(&ev.message) {
        ev.ctx.exit_code = Some(code);
    }
    Ok(ev)
}

/// Notes (or, strict, refuses) a line with an invalid escape.
#[cold]
#[inline(never)]
pub(super) fn invalid_escape(doc: &Doc<'_, '_>, at: usize, notes: &mut Notes) -> Result<(), Error> {
    doc.opts.recover(notes, Note::InvalidEscape, || {
        doc.err_at(
            ErrorKind::Syntax,
            "invalid escape in `log_content` (a lone surrogate or a bad `\\u`)",
            at,
        )
    })
}

/// Cuts a line longer than `max_line_len` (lenient) or refuses it.
#[cold]
#[inline(never)]
pub(super) fn cut_long_line(
    doc: &Doc<'_, '_>,
    message: &mut Cow<'_, str>,
    at: usize,
    notes: &mut Notes,
) -> Result<(), Error> {
    doc.opts.recover(notes, Note::LineTruncated, || {
        doc.err_at(
            ErrorKind::Limit,
            format!(
                "line longer than {} bytes (the max_line_len option)",
                doc.opts.max_line_len
            ),
            at,
        )
    })?;
    crate::text::truncate_cow(message, doc.opts.max_line_len);
    Ok(())
}

/// Reads the prefix of a line that starts with `[`, if it has one, into
/// `e`, `notes` and `attrs`: time, process id, template marker or
/// file-transfer fields. Returns where the message starts (0 without a
/// prefix).
// `&Cow`, not `&str`: sub-slices of a borrowed line must keep the input's
// lifetime.
#[allow(clippy::ptr_arg)]
#[inline(always)]
fn prefixed<'a>(
    doc: &Doc<'a, '_>,
    text: &Cow<'a, str>,
    at: usize,
    e: &mut LineFields<'a>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'a>)>,
) -> Result<usize, Error> {
    let Some(p) = prefix(text) else {
        return Ok(0);
    };
    let body = p.body;
    match p.time.and_then(|w| w.resolve(doc.offset)) {
        Ok(t) => e.time = Some(t),
        Err(why) => {
            doc.opts.recover(notes, Note::InvalidTime, || {
                doc.err_at(
                    ErrorKind::Time,
                    format!(
                        "{} in the line prefix, found {}",
                        why.describe(),
                        super::clip(text.get(p.stamp.clone()).unwrap_or_default())
                    ),
                    at + p.stamp.start,
                )
            })?;
            attrs.push(("raw_time", Scalar::Str(sub(text, p.stamp.clone()))));
        }
    }
    if let Some(r) = p.pid.clone() {
        match text.get(r.clone()).and_then(|d| d.parse::<u32>().ok()) {
            Some(pid) => e.pid = Some(pid),
            None => {
                doc.opts.recover(notes, Note::InvalidValue, || {
                    doc.err_at(
                        ErrorKind::Value,
                        "the `[PID:n]` of the line prefix is larger than a process id can be",
                        at + r.start,
                    )
                })?;
                attrs.push(("pid", Scalar::Str(sub(text, r))));
            }
        }
    }
    if p.full_width {
        if let Some(f) = full_width_file_line(text, body) {
            file_attrs(doc, text, &f, at, e, notes, attrs)?;
            legacy_file_status(text, &f, e);
        }
    } else if let Some(m) = marker(text, body) {
        e.kind = EventKind::Phase;
        let (status, tag) = match m {
            Marker::Start => (Status::Running, None),
            Marker::Success(r) => (Status::Succeeded, Some(r)),
            Marker::Fail(r) => (Status::Failed, Some(r)),
        };
        e.status = Some(status);
        if let Some(r) = tag {
            push_text(attrs, "tag", sub(text, r));
        }
    } else if p.pid.is_none()
        && let Some(f) = file_line(text, body)
    {
        file_attrs(doc, text, &f, at, e, notes, attrs)?;
    }
    Ok(body)
}

/// The status of a legacy full-width file-transfer line, which has no
/// `Status：<n>`: from its `Detail` (`Success`, `succ`), else its `State`
/// when that is a verdict rather than `upload`/`download`; the word as sent
/// is the vendor status. A word it does not know sets nothing (it stays in
/// `attrs`).
// `&Cow`, not `&str`: sub-slices of a borrowed line must keep the input's
// lifetime.
#[allow(clippy::ptr_arg)]
fn legacy_file_status<'a>(text: &Cow<'a, str>, f: &FileLine, e: &mut LineFields<'a>) {
    if e.status.is_some() {
        return;
    }
    for label in [Label::Detail, Label::State] {
        let Some(r) = f.get(label) else { continue };
        let word = text.get(r.clone()).unwrap_or_default().trim();
        if let Some(status) = transfer_verdict(word) {
            e.status = Some(status);
            e.vendor_status = Some(Scalar::Str(sub(text, r)));
            return;
        }
    }
}

/// A file-transfer verdict word (ASCII case ignored): `Success`, `succ`,
/// `succeeded`, `successful` → succeeded; `fail…`, `error` → failed.
fn transfer_verdict(word: &str) -> Option<Status> {
    let is = |w: &str| word.eq_ignore_ascii_case(w);
    if ["success", "succ", "succeeded", "successful"]
        .into_iter()
        .any(is)
    {
        Some(Status::Succeeded)
    } else if word
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("fail"))
        || is("error")
    {
        Some(Status::Failed)
    } else {
        None
    }
}

/// What a line sets of its event besides the message, notes and attributes.
pub(super) struct LineFields<'a> {
    kind: EventKind,
    time: Option<Timestamp>,
    status: Option<Status>,
    vendor_status: Option<Scalar<'a>>,
    progress: Option<u8>,
    pid: Option<u32>,
}

/// Status, progress and attributes of a file-transfer line.
// `&Cow`, not `&str`: sub-slices of a borrowed line must keep the input's
// lifetime.
#[allow(clippy::ptr_arg)]
fn file_attrs<'a>(
    doc: &Doc<'a, '_>,
    text: &Cow<'a, str>,
    f: &FileLine,
    at: usize,
    e: &mut LineFields<'a>,
    notes: &mut Notes,
    attrs: &mut Vec<(&'static str, Scalar<'a>)>,
) -> Result<(), Error> {
    if let Some(r) = f.error.clone() {
        push_text(attrs, "error", sub(text, r));
    }
    if let Some(r) = f.phase.clone() {
        push_text(attrs, "phase", sub(text, r));
    }
    if let Some(r) = f.get(Label::FileName) {
        push_text(attrs, "file_path", sub(text, r));
    } else if let Some(r) = f.get(Label::Directory) {
        push_text(attrs, "file_path", sub(text, r));
        attrs.push(("is_directory", Scalar::Bool(true)));
    }
    if let Some(r) = f.get(Label::FileSize) {
        push_text(attrs, "file_size", sub(text, r));
    }
    if let Some(r) = f.get(Label::Status) {
        let raw = text.get(r.clone()).unwrap_or_default().trim();
        match raw.parse::<i64>() {
            Ok(n) => {
                let (status, vendor) =
                    doc.code_status(n, Scalar::Int(n), CodeTable::FILE_LINE, at + r.start, notes)?;
                e.status = Some(status);
                e.vendor_status = Some(vendor);
            }
            Err(_) => {
                doc.opts.recover(notes, Note::InvalidValue, || {
                    doc.err_at(
                        ErrorKind::Value,
                        format!(
                            "`Status:` of a file-transfer line must be an integer, found {}",
                            super::clip(raw)
                        ),
                        at + r.start,
                    )
                })?;
                push_text(attrs, "status", sub(text, r));
            }
        }
    }
    if let Some(r) = f.get(Label::State) {
        push_text(attrs, "state", sub(text, r));
    }
    if let Some(r) = f.get(Label::StatusDesc) {
        push_text(attrs, "status_desc", sub(text, r));
    }
    if let Some(r) = f.get(Label::Speed) {
        push_text(attrs, "speed", sub(text, r));
    }
    if let Some(r) = f.get(Label::Progress) {
        let raw = text.get(r.clone()).unwrap_or_default();
        match super::percent(raw) {
            Ok(p) => e.progress = p,
            Err(()) => {
                doc.opts.recover(notes, Note::InvalidValue, || {
                    doc.err_at(
                        ErrorKind::Value,
                        format!(
                            "`Progress:` of a file-transfer line must be a percentage 0–100, found {}",
                            super::clip(raw)
                        ),
                        at + r.start,
                    )
                })?;
                push_text(attrs, "progress", sub(text, r));
            }
        }
    }
    if let Some(r) = f.get(Label::Detail) {
        push_text(attrs, "detail", sub(text, r));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    #[test]
    fn ok_transfer_verdicts() {
        for (word, want) in [
            ("Success", Some(Status::Succeeded)),
            ("succ", Some(Status::Succeeded)),
            ("SUCCEEDED", Some(Status::Succeeded)),
            ("successful", Some(Status::Succeeded)),
            ("fail", Some(Status::Failed)),
            ("Failed", Some(Status::Failed)),
            ("failure: disk full", Some(Status::Failed)),
            ("error", Some(Status::Failed)),
            ("upload", None),
            ("download", None),
            ("successfully uploaded", None),
            ("errors", None),
            ("", None),
            ("中文", None),
        ] {
            assert_eq!(transfer_verdict(word), want, "{word}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Lines in the shape of the template's prefix, and near misses
        /// (fields out of range, other separators, no or odd `[PID:n]`,
        /// markers and file-transfer text after it, cut anywhere), give the
        /// same event or the same error through [`prefixed_event`] and
        /// [`prefixed_raw_event`] (the one-pass reader, with the date of the
        /// line before remembered) as through [`prefixed_event_general`],
        /// strict and lenient.
        #[test]
        fn template_prefix_agrees_with_general(
            lines in prop::collection::vec(
                (
                    (1990u32..2040, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62),
                    prop::sample::select(vec!["-- ::", "-- ::", "-- ::", "// ::", "-- :.", "-  ::"]),
                    prop::option::weighted(
                        0.8,
                        prop_oneof![4 => "[0-9]{1,9}", 1 => "[0-9]{0,12}", 1 => "x|[0-9]{1,3}x"],
                    ),
                    prop::sample::select(vec!["", " ", "  "]),
                    prop::sample::select(vec![
                        "job_start", "job_success:[done]", "job_fail:[x]", "job_", "jo", "hello",
                        "FileName: /a Status: 3", "", " ", "job_start  ", "中文",
                    ]),
                    0usize..80,
                    any::<bool>(),
                    prop_oneof![
                        4 => Just(8 * 3600),
                        1 => Just(0), 1 => Just(-12 * 3600), 1 => Just(5 * 3600 + 45 * 60),
                        1 => Just(86_399), 1 => Just(-86_399), 2 => -86_399i32..86_400,
                    ],
                ),
                1..4,
            ),
            strict in any::<bool>(),
            max_line_len in prop::option::weighted(0.3, 0usize..12),
        ) {
            let opts = if strict { Options::strict() } else { Options::lenient() };
            let opts = match max_line_len {
                Some(n) => opts.with_max_line_len(n),
                None => opts,
            };
            let mut day = None;
            let mut last_date = None;
            for ((y, mo, d, h, mi, sec), seps, pid, space, msg, cut, same_date, offset) in lines {
                let offset = chrono::FixedOffset::east_opt(offset).unwrap();
                // Often the date of the line before, as in a log.
                let (y, mo, d) = match last_date {
                    Some(date) if same_date => date,
                    _ => (y, mo, d),
                };
                last_date = Some((y, mo, d));
                let sep: Vec<char> = seps.chars().collect();
                let mut line = format!(
                    "[{y:04}{}{mo:02}{}{d:02}{}{h:02}{}{mi:02}{}{sec:02}]",
                    sep[0], sep[1], sep[2], sep[3], sep[4]
                );
                if let Some(p) = pid {
                    line.push_str(&format!("[PID:{p}]"));
                }
                line.push_str(space);
                line.push_str(msg);
                while cut < line.len() && !line.is_char_boundary(cut) {
                    line.pop();
                }
                if cut < line.len() {
                    line.truncate(cut);
                }
                let doc = Doc {
                    input: &line,
                    opts: &opts,
                    source: crate::source::Source::BkjobLog,
                    offset,
                };
                let text = || LineText {
                    text: Cow::Borrowed(line.as_str()),
                    invalid_escape: false,
                    html: false,
                    may_need_cleaning: false,
                };
                let show = |r: Result<LogEvent<'_>, Error>| match r {
                    Ok(e) => format!("{e:?}"),
                    Err(e) => format!("error: {e}"),
                };
                let mut cur = LineCursor::new("", 0, true, Context::default(), Notes::EMPTY);
                cur.day = day;
                let fast = show(prefixed_event(&doc, text(), 0, &mut cur, &mut 0, Notes::EMPTY));
                let mut raw_cur = LineCursor::new("", 0, true, Context::default(), Notes::EMPTY);
                raw_cur.day = day;
                let raw = show(prefixed_raw_event(&doc, &line, 0, &mut raw_cur, &mut 0));
                day = cur.day;
                let general =
                    show(prefixed_event_general(&doc, text(), 0, &cur, &mut 0, Notes::EMPTY));
                prop_assert_eq!(&fast, &general, "{:?}", line);
                prop_assert_eq!(&raw, &general, "{:?}", line);
            }
        }
    }
}
