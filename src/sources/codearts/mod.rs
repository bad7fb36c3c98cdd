//! Huawei CodeArts Build: real-time log pages (`codearts-realtime-log`) and
//! task-log / download-log text files (`codearts-log`), which share one line
//! grammar ([`crate::buildlog`]).
//!
//! Every input line yields one event: platform records carry their level and
//! step tag; tool output between a step's `该步骤开始执行` / `This step starts.`
//! and its `该步骤执行完成` / `This step is complete.` gets that step's context
//! (noted `step_inferred`); `[JobStatusPlugin] onStarted/onCompleted: j_… #N`
//! gives the job id and build number; `Finished: SUCCESS|FAILURE|…` is the
//! build's status event. Lines without a prefix have no time (`no_prefix`).

use crate::error::{Error, ErrorKind};
use crate::event::LogEvent;
use crate::events::{Events, Inner};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::sources::Source;
use crate::text;

pub(crate) mod follow;
pub(crate) mod machine;
pub(crate) mod page;

use machine::{Loc, Machine};

/// Parses a task-log / download-log text file.
pub(crate) fn text_log<'a>(input: &'a [u8], opts: &Options) -> Result<Events<'a>, Error> {
    if let Some(err) = page::error_body(input) {
        return Err(err);
    }
    let body = crate::detect::strip_bom(input);
    let bom = input.len() - body.len();
    let mut machine = Machine::new(Source::CodeartsLog, 0, None);
    // One scan of the whole input spares every line its own: a CR that
    // ends a CRLF line break is not part of any line.
    machine.may_need_cleaning = memchr::memchr2_iter(text::ESC, b'\r', body)
        .any(|i| body.get(i) == Some(&text::ESC) || body.get(i + 1) != Some(&b'\n'));
    Ok(Events::from_inner(Inner::CodeartsText(Box::new(
        TextEvents {
            input,
            text: text::utf8(body).ok(),
            body,
            pos: 0,
            bom,
            machine,
            opts: opts.clone(),
        },
    ))))
}

/// Parses one real-time log page: its lines, then its unfinished last line.
pub(crate) fn realtime_log<'a>(input: &'a [u8], opts: &Options) -> Result<Events<'a>, Error> {
    Ok(Events::from_inner(Inner::CodeartsPage(Box::new(
        follow::SinglePage::new(input, opts)?,
    ))))
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
    machine: Machine<'a>,
    opts: Options,
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
        let mut end = match memchr::memchr(b'\n', rest) {
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
        let loc = Loc {
            input: self.input,
            byte: self.bom + start,
        };
        let mut notes = Notes::EMPTY;
        let mut line = match self.text {
            Some(t) => std::borrow::Cow::Borrowed(t.get(start..end).unwrap_or_default()),
            None => {
                let bytes = self.body.get(start..end).unwrap_or_default();
                if let Err(e) = std::str::from_utf8(bytes) {
                    let at = self.bom + start + e.valid_up_to();
                    if let Err(err) = self.opts.recover(&mut notes, Note::InvalidUtf8, || {
                        Error::at(ErrorKind::Utf8, "a line is not valid UTF-8", self.input, at)
                    }) {
                        return Some(Err(err));
                    }
                }
                text::utf8_lossy(bytes, &mut notes)
            }
        };
        if line.len() > self.opts.max_line_len {
            let max = self.opts.max_line_len;
            if let Err(err) = self.opts.recover(&mut notes, Note::LineTruncated, || {
                loc.error(
                    ErrorKind::Limit,
                    format!("a line is longer than {max} bytes (the max_line_len option)"),
                )
            }) {
                return Some(Err(err));
            }
            text::truncate_cow(&mut line, max);
        }
        // Filled where it is returned from (see `Machine::line_into`).
        let mut item = Some(Ok(self.machine.blank()));
        if let Some(Ok(e)) = &mut item
            && let Err(err) = self.machine.line_into(e, line, notes, &self.opts, loc)
        {
            return Some(Err(err));
        }
        item
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
        .unwrap_err();
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
}
