//! Huawei CodeArts Build: real-time log pages (`codearts-realtime-log`) and
//! task-log / download-log text files (`codearts-log`), which share one line
//! grammar ([`buildlog`]).
//!
//! Every input line yields one event: platform records carry their level and
//! step tag; tool output between a step's `该步骤开始执行` / `This step starts.`
//! and its `该步骤执行完成` / `This step is complete.` gets that step's context
//! (noted `step_inferred`); `[JobStatusPlugin] onStarted/onCompleted: j_… #N`
//! gives the job id and build number; `Finished: SUCCESS|FAILURE|…` is the
//! build's status event. Lines without a prefix have no time (`no_prefix`).
//!
//! What runners print into the same text ([`crate::runner`]): a line that is
//! a workflow command (`::error::…`, `::warning file=…::…`, `##[error]…`)
//! takes its severity, message and attrs from it (noted `workflow_command`);
//! `::group::name` and `::endgroup::` are `running` and `succeeded` phase
//! events of a step named for the group, which the lines between infer like
//! a CodeArts step (the open CodeArts step is inferred again after it). A
//! runner's exit-code phrase (`script returned exit code 1, …`, `Process
//! exited with code 2`, …) at the start of a message fills `exit_code`.

use crate::error::{Error, ErrorKind};
use crate::event::LogEvent;
use crate::note::{Note, Notes};
use crate::options::{Options, TextMode};
use crate::source::Source;
use crate::text;

pub mod buildlog;
pub(crate) mod follow;
pub(crate) mod machine;
pub(crate) mod page;

pub(crate) use follow::SinglePage;

use machine::{Loc, Machine};

/// Parses a task-log / download-log text file.
pub(crate) fn text_log<'a>(input: &'a [u8], opts: &Options) -> Result<Box<TextEvents<'a>>, Error> {
    if let Some(err) = page::error_body(input) {
        return Err(err);
    }
    let body = crate::text::strip_bom(input);
    let bom = input.len() - body.len();
    Ok(Box::new(TextEvents {
        input,
        text: text::utf8(body).ok(),
        body,
        pos: 0,
        bom,
        dirty: next_dirty(body, 0),
        newlines: crate::scan::Finder::new([b'\n']),
        machine: Machine::new(Source::CodeartsLog, 0, None),
        opts: opts.clone(),
        at_line: true,
        pending: Notes::EMPTY,
    }))
}

/// The first byte at or after `from` that a line's text may need cleaned
/// of: an ESC, or a CR that does not end a CRLF line break (that one is
/// never part of a line). `body.len()` when there is none. Scanning ahead
/// to it once spares every line its own scan: with a `memchr2` of each line
/// instead, `cilog --no-redact` on /work/big16/codearts.log costs 393.95 M
/// instructions instead of 379.97 M (+3.7 %), callgrind.
fn next_dirty(body: &[u8], from: usize) -> usize {
    let rest = body.get(from..).unwrap_or_default();
    memchr::memchr2_iter(text::ESC, b'\r', rest)
        .find(|&i| rest.get(i) == Some(&text::ESC) || rest.get(i + 1) != Some(&b'\n'))
        .map_or(body.len(), |i| from + i)
}

/// Parses one real-time log page: its lines, then its unfinished last line.
pub(crate) fn realtime_log<'a>(
    input: &'a [u8],
    opts: &Options,
) -> Result<Box<SinglePage<'a>>, Error> {
    Ok(Box::new(SinglePage::new(input, opts)?))
}

/// The lines of a whole text log, lazily; each borrows from the input unless
/// it had to be decoded or cleaned.
pub(crate) struct TextEvents<'a> {
    input: &'a [u8],
    /// The input after its BOM, as text when it is all valid UTF-8.
    text: Option<&'a str>,
    body: &'a [u8],
    pos: usize,
    bom: usize,
    /// [`next_dirty`] of a position at or before `pos`: no byte before it,
    /// from there on, needs cleaning.
    dirty: usize,
    newlines: crate::scan::Finder<[u8; 1]>,
    pub(crate) machine: Machine<'a>,
    opts: Options,
    /// Whether an error points at its line (a whole log), or at `bom` for
    /// every line (a [`Follower`](super::follow::Follower)'s chunk, whose errors
    /// have always pointed at where its new lines start).
    at_line: bool,
    /// Notes for the next event (a follower's pending gap or rewind).
    pub(crate) pending: Notes,
}

impl<'a> TextEvents<'a> {
    /// The events of `lines`, the complete lines of a follower's chunk
    /// (`input`) that start at byte `base` of it: the whole-log path with
    /// the follower's state (`machine`, `pending` notes) and its error
    /// positions.
    pub(crate) fn in_chunk(
        input: &'a [u8],
        base: usize,
        lines: &'a [u8],
        machine: Machine<'a>,
        opts: &Options,
        pending: Notes,
    ) -> Self {
        TextEvents {
            input,
            text: text::utf8(lines).ok(),
            body: lines,
            pos: 0,
            bom: base,
            dirty: next_dirty(lines, 0),
            newlines: crate::scan::Finder::new([b'\n']),
            machine,
            opts: opts.clone(),
            at_line: false,
            pending,
        }
    }

    /// Where the line starting at `start` of the body is, for its errors.
    #[inline]
    fn loc(&self, start: usize) -> Loc<'a> {
        Loc {
            input: self.input,
            byte: self.bom + if self.at_line { start } else { 0 },
        }
    }

    /// The notes waiting for the next event, taken.
    #[inline]
    fn take_pending(&mut self) -> Notes {
        std::mem::take(&mut self.pending)
    }

    /// Ends the iteration at an error (strict mode): the iterator is fused.
    fn fail(&mut self, err: Error) -> Option<Result<LogEvent<'a>, Error>> {
        self.pos = self.body.len();
        Some(Err(err))
    }

    /// A line that needs decoding (invalid UTF-8) or cleaning (an ESC, a
    /// CR): through [`Machine::line`], which may make an owned text.
    fn cleaned_line(
        &mut self,
        start: usize,
        end: usize,
        mut notes: Notes,
        loc: Loc<'a>,
    ) -> Option<Result<LogEvent<'a>, Error>> {
        let bytes = self.body.get(start..end).unwrap_or_default();
        let mut line = match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(e) => {
                let at = if self.at_line {
                    self.bom + start + e.valid_up_to()
                } else {
                    self.bom
                };
                if let Err(err) = self.opts.recover(&mut notes, Note::InvalidUtf8, || {
                    Error::at(ErrorKind::Utf8, "a line is not valid UTF-8", self.input, at)
                }) {
                    return self.fail(err);
                }
                text::utf8_lossy(bytes, &mut notes)
            }
        };
        if let Err(err) = self.truncate(&mut line, &mut notes, loc) {
            return self.fail(err);
        }
        notes.extend(self.take_pending());
        match self.machine.line(line, notes, &self.opts, loc) {
            Ok(e) => Some(Ok(e)),
            Err(err) => self.fail(err),
        }
    }

    /// Cuts a line longer than `max_line_len` (strict: an error).
    #[inline]
    fn truncate(
        &self,
        line: &mut std::borrow::Cow<'a, str>,
        notes: &mut Notes,
        loc: Loc<'a>,
    ) -> Result<(), Error> {
        cut_long_line(line, notes, &self.opts, loc)
    }
}

/// Cuts a line longer than `max_line_len` at a character boundary, noted
/// `line_truncated` (strict: an error at the line).
#[inline]
pub(super) fn cut_long_line(
    line: &mut std::borrow::Cow<'_, str>,
    notes: &mut Notes,
    opts: &Options,
    loc: Loc<'_>,
) -> Result<(), Error> {
    if line.len() > opts.max_line_len {
        let max = opts.max_line_len;
        opts.recover(notes, Note::LineTruncated, || {
            loc.error(
                ErrorKind::Limit,
                format!("a line is longer than {max} bytes (the max_line_len option)"),
            )
        })?;
        text::truncate_cow(line, max);
    }
    Ok(())
}

impl<'a> Iterator for TextEvents<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        let rest = self.body.get(start..)?;
        if rest.is_empty() {
            return None;
        }
        let mut end = match self.newlines.find(rest) {
            Some(i) => {
                self.pos = start + i + 1;
                start + i
            }
            None => {
                self.pos = self.body.len();
                self.body.len()
            }
        };
        if end > start && self.body.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let loc = self.loc(start);
        if self.dirty < start {
            self.dirty = next_dirty(self.body, start);
        }
        // Nothing to clean: the text is used as it is.
        let plain = self.dirty >= end || self.opts.text == TextMode::Raw;
        if !plain {
            return self.cleaned_line(start, end, Notes::EMPTY, loc);
        }
        let mut line = match self.text {
            Some(text) => text.get(start..end).unwrap_or_default(),
            // Some line is not UTF-8: each is checked by itself.
            None => match std::str::from_utf8(self.body.get(start..end).unwrap_or_default()) {
                Ok(line) => line,
                Err(_) => return self.cleaned_line(start, end, Notes::EMPTY, loc),
            },
        };
        let mut notes = Notes::EMPTY;
        if line.len() > self.opts.max_line_len {
            let mut cut = std::borrow::Cow::Borrowed(line);
            if let Err(err) = self.truncate(&mut cut, &mut notes, loc) {
                return self.fail(err);
            }
            if let std::borrow::Cow::Borrowed(c) = cut {
                line = c;
            }
        }
        notes.extend(self.take_pending());
        match self.machine.plain_line(line, notes, &self.opts, loc) {
            Ok(e) => Some(Ok(e)),
            Err(err) => self.fail(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::status::Status;

    fn events<'a>(input: &'a str, opts: &Options) -> Vec<LogEvent<'a>> {
        text_log(input.as_bytes(), opts)
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap()
    }

    #[test]
    fn every_line_is_an_event() {
        let log = "[2023/12/21 15:44:18.744 GMT+08:00] [INFO] BUILD SUCCESS\r\n\r\ncontinuation\n[2023/12/21 15:44:18.842 GMT+08:00] $ docker stop";
        let ev = events(log, &Options::default());
        let msgs: Vec<_> = ev.iter().map(|e| e.message.as_ref()).collect();
        assert_eq!(msgs, ["BUILD SUCCESS", "", "continuation", "$ docker stop"]);
        assert!(ev.iter().all(|e| e.kind == EventKind::Line));
        assert!(matches!(ev[0].message, std::borrow::Cow::Borrowed(_)));
        assert_eq!(ev[1].time, None);
        assert!(ev[1].notes.contains(Note::NoPrefix));
    }

    /// The whole-input scan for text to clean sees past CRLF line breaks
    /// but not past a CR or an ESC anywhere else, last line included.
    #[test]
    fn cleaning_is_skipped_only_when_nothing_needs_it() {
        let ts = "[2023/12/21 15:44:18.744 GMT+08:00] ";
        let cases = [
            (format!("{ts}a\r\n{ts}b\r\n"), ["a", "b"], Notes::EMPTY),
            (
                format!("{ts}a\r\n{ts}x\rb\r\n"),
                ["a", "b"],
                Notes::from(Note::CrOverwrite),
            ),
            (
                format!("{ts}a\r\n{ts}b\r\r\n"),
                ["a", "b"],
                Notes::from(Note::CrOverwrite),
            ),
            (
                format!("{ts}a\n{ts}\x1b[31mb\x1b[0m"),
                ["a", "b"],
                Notes::from(Note::AnsiStripped),
            ),
            (
                format!("{ts}a\n{ts}x\rb"),
                ["a", "b"],
                Notes::from(Note::CrOverwrite),
            ),
        ];
        for (log, want, notes) in cases {
            let ev = events(&log, &Options::default());
            let msgs: Vec<_> = ev.iter().map(|e| e.message.as_ref()).collect();
            assert_eq!(msgs, want, "{log:?}");
            assert_eq!(ev[0].notes, Notes::EMPTY, "{log:?}");
            assert_eq!(ev[1].notes, notes, "{log:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_or_an_error() {
        let log: &[u8] = b"ok\nbad \xff byte\n";
        let ev: Vec<_> = text_log(log, &Options::default())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ev[1].message, "bad \u{fffd} byte");
        assert!(ev[1].notes.contains(Note::InvalidUtf8));
        let mut it = text_log(log, &Options::strict()).unwrap();
        assert!(it.next().unwrap().is_ok());
        let err = it.next().unwrap().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid utf-8: a line is not valid UTF-8 at line 2, column 5 (byte 7), near \"\u{fffd} byte\\n\""
        );
        assert!(it.next().is_none());
    }

    #[test]
    fn long_lines_are_cut() {
        let log = format!("{}\nshort", "x".repeat(100));
        let opts = Options::default().with_max_line_len(10);
        let ev = events(&log, &opts);
        assert_eq!(ev[0].message, "x".repeat(10));
        assert!(ev[0].notes.contains(Note::LineTruncated));
        assert!(!ev[1].notes.contains(Note::LineTruncated));
        let err = text_log(log.as_bytes(), &Options::strict().with_max_line_len(10))
            .unwrap()
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limit);
    }

    #[test]
    fn json_error_body_on_a_file_endpoint() {
        let err = text_log(
            br#"{"error_code": "DEVCB.00031006", "error_msg": "build task not found"}"#,
            &Options::default(),
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "vendor error DEVCB.00031006: build task not found"
        );
    }

    #[test]
    fn finished_line_is_a_status_event() {
        let ev = events(
            "[2026/06/26 14:30:14.010 GMT+08:00] Finished: FAILURE\n",
            &Options::default(),
        );
        assert_eq!(ev[0].kind, EventKind::Status);
        assert_eq!(ev[0].status, Some(Status::Failed));
    }

    /// The text path as it was before its fast path: every line split,
    /// decoded, cut and handed to [`Machine::line`], which checks each
    /// line's text for anything to clean. The whole log's events up to and
    /// including the first error.
    fn reference<'a>(input: &'a [u8], opts: &Options) -> Vec<Result<LogEvent<'a>, String>> {
        let body = crate::text::strip_bom(input);
        let bom = input.len() - body.len();
        let mut machine = Machine::new(Source::CodeartsLog, 0, None);
        let mut out = Vec::new();
        let mut start = 0;
        while start < body.len() {
            let (mut end, next) = match body[start..].iter().position(|&b| b == b'\n') {
                Some(i) => (start + i, start + i + 1),
                None => (body.len(), body.len()),
            };
            if end > start && body[end - 1] == b'\r' {
                end -= 1;
            }
            let loc = Loc {
                input,
                byte: bom + start,
            };
            let bytes = &body[start..end];
            let mut notes = Notes::EMPTY;
            let step = (|| {
                let mut line = match std::str::from_utf8(bytes) {
                    Ok(s) => std::borrow::Cow::Borrowed(s),
                    Err(e) => {
                        let at = bom + start + e.valid_up_to();
                        opts.recover(&mut notes, Note::InvalidUtf8, || {
                            Error::at(ErrorKind::Utf8, "a line is not valid UTF-8", input, at)
                        })?;
                        String::from_utf8_lossy(bytes)
                    }
                };
                if line.len() > opts.max_line_len {
                    opts.recover(&mut notes, Note::LineTruncated, || {
                        loc.error(
                            ErrorKind::Limit,
                            format!(
                                "a line is longer than {} bytes (the max_line_len option)",
                                opts.max_line_len
                            ),
                        )
                    })?;
                    text::truncate_cow(&mut line, opts.max_line_len);
                }
                machine.line(line, notes, opts, loc)
            })();
            let stop = step.is_err();
            out.push(step.map_err(|e| e.to_string()));
            if stop {
                break;
            }
            start = next;
        }
        out
    }

    /// One line of every shape the plain path and the cleaning path split:
    /// prefixed or not, valid or out-of-range stamps, platform records that
    /// open and close steps, ESC and CR anywhere, bad UTF-8, long text.
    pub(super) fn any_line() -> impl Strategy<Value = Vec<u8>> {
        let stamp = prop_oneof![
            (0u32..60, 0u32..1000)
                .prop_map(|(s, ms)| format!("[2023/12/21 15:44:{s:02}.{ms:03} GMT+08:00]")),
            Just("[2023/13/21 15:44:18.744 GMT+08:00]".to_owned()),
            Just("[2023/12/21 15:44:18.7 GMT-05:30]".to_owned()),
            Just(String::new()),
        ];
        let body = prop_oneof![
            Just("[INFO] [Maven构建:m2] : 该步骤开始执行".to_owned()),
            Just("[INFO] [Maven构建:m2] : 该步骤执行完成".to_owned()),
            Just("[INFO] [代码检出:co] : This step starts.".to_owned()),
            Just("[INFO]  : [JobStatusPlugin] onStarted: j_x #3".to_owned()),
            Just("[INFO]  : [JobStatusPlugin] onCompleted: j_x #3".to_owned()),
            Just("Finished: SUCCESS".to_owned()),
            Just("Finished: WEIRD".to_owned()),
            Just("::group::Build %25".to_owned()),
            Just("::endgroup::".to_owned()),
            Just("::error file=a.c,line=3::Process exited with code 2".to_owned()),
            Just("##[warning]w".to_owned()),
            Just("[ERROR]  : script returned exit code 1, exitMessage is: failed".to_owned()),
            "\\[(INFO|WARNING|info|OK)\\] [a-z \\[\\]:]{0,12}",
            "[a-zA-Z0-9 .:#中\\x1b\\r\\[\\]]{0,30}",
        ];
        (stamp, prop::bool::ANY, body, prop::option::of(0usize..40)).prop_map(
            |(st, space, b, bad)| {
                let mut line = format!("{st}{}{b}", if space { " " } else { "" }).into_bytes();
                if let Some(at) = bad {
                    line.insert(at.min(line.len()), 0xFF);
                }
                line
            },
        )
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// The text path (its fast path for plain lines, its scan ahead for
        /// text to clean) gives the events and the error of the reference.
        #[test]
        fn text_path_agrees_with_reference(
            lines in prop::collection::vec((any_line(), 0u8..4), 0..12),
            last in prop::bool::ANY,
            bom in prop::bool::ANY,
            strict in prop::bool::ANY,
            raw in prop::bool::ANY,
            max in prop::option::of(0usize..40),
        ) {
            let mut input = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            for (i, (line, brk)) in lines.iter().enumerate() {
                input.extend_from_slice(line);
                if i + 1 < lines.len() || last {
                    input.extend_from_slice(match brk { 0 => "\r\n", 1 => "\r\r\n", 2 => "\r", _ => "\n" }.as_bytes());
                }
            }
            let mut opts = if strict { Options::strict() } else { Options::default() };
            if raw {
                opts = opts.with_text(crate::options::TextMode::Raw);
            }
            if let Some(max) = max {
                opts = opts.with_max_line_len(max);
            }
            let got: Vec<_> = text_log(&input, &opts)
                .unwrap()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect();
            prop_assert_eq!(got, reference(&input, &opts), "input {:?}", String::from_utf8_lossy(&input));
        }
    }
}
