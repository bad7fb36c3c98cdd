//! A human view: one line per event, and a header line per input.
//!
//! ```text
//! ── corpus/codearts-log/realistic-task-log.log (codearts-log) ──
//! 15:44:18.793+08:00 INFO  j_YE1bu9Z7/Maven构建@10.0.0.1 │ ✓ succeeded: 该步骤执行完成
//! ~09:30:01+08:00 ERROR 31001@10.0.0.2 │ cp: cannot stat 'app.tar.gz'
//! ```
//!
//! - the time of day with the source's fraction digits and offset (`Z` for
//!   UTC), after `~` when the offset was [assumed](crate::Timestamp::assumed);
//!   the date is in the header and on the first line of each new day;
//! - the severity in capitals, padded to five columns;
//! - where: `job/step@host`, the step by name (else id), each part left out
//!   when unknown;
//! - `│`, then for a phase or status event with a status, gh's symbol (`✓`
//!   succeeded, `✗` failed, timed out, cancelled or error, `-` skipped or
//!   ignored, `*` pending, running or blocked), the status and a colon,
//!   then the message.
//!
//! With colour on, ANSI SGR sequences mark error and fatal lines red,
//! warnings yellow, debug and trace dim, and status lines bold (the symbol
//! green, red or yellow, as gh's). Whether colour is on is the caller's
//! decision (`NO_COLOR`, `CLICOLOR_FORCE`, a terminal): this module only
//! obeys it. Control characters in the text (and U+2028, U+2029, U+FEFF) are
//! escaped as [`LogEvent`]'s `Display` escapes them (`\n`, `\u{1b}`), so no
//! escape byte comes from the input, colour or not.

use crate::event::{EventKind, LogEvent, write_escaped};
use crate::ndjson::timestamp;
use crate::severity::Severity;
use crate::status::Status;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";

/// Writes events as human lines (see the [module docs](self)).
///
/// ```
/// use cilog::output::pretty::PrettyWriter;
/// use cilog::{parse_as, Options, Source};
///
/// # fn main() -> Result<(), cilog::Error> {
/// let log = "[2023/12/21 15:44:18.793 GMT+08:00] [ERROR] [Maven构建:m2] : a\u{1}b\tc\n";
/// let mut w = PrettyWriter::new(false);
/// let mut out = String::new();
/// for e in parse_as(Source::CodeartsLog, log, &Options::default())? {
///     w.push(&e?, "task.log", &mut out);
/// }
/// assert_eq!(
///     out,
///     "── task.log (codearts-log) 2023-12-21 ──\n15:44:18.793+08:00 ERROR Maven构建 │ a\\u{1}b\\tc\n"
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct PrettyWriter {
    color: bool,
    /// The input of the last event, for the header.
    input: Option<String>,
    /// The date (`yyyy-mm-dd`) last shown.
    date: String,
    /// Scratch for the RFC 3339 time.
    stamp: String,
}

impl PrettyWriter {
    /// A writer; `color` turns ANSI SGR sequences on.
    pub fn new(color: bool) -> PrettyWriter {
        PrettyWriter {
            color,
            input: None,
            date: String::new(),
            stamp: String::with_capacity(40),
        }
    }

    /// Another input, named `input`, starts: its first event gets a header
    /// line even when the last event came from an input of the same name (a
    /// file given twice). Events pushed before that event with the last
    /// input's name (a held-back line) still belong to the last header.
    pub fn start_input(&mut self, input: &str) {
        if self.input.as_deref() == Some(input) {
            self.input = None;
        }
    }

    /// Appends `event`'s line (and, before the first event of an input, the
    /// input's header line) to `out`; `input` is a path as given, `-` for
    /// standard input.
    pub fn push(&mut self, event: &LogEvent<'_>, input: &str, out: &mut String) {
        let e = event;
        self.stamp.clear();
        if let Some(t) = &e.time {
            timestamp(&mut self.stamp, t);
        }
        let (date, clock) = self
            .stamp
            .split_once('T')
            .unwrap_or(("", self.stamp.as_str()));
        if self.input.as_deref() != Some(input) {
            self.input = Some(input.to_owned());
            self.date.clear();
            self.date.push_str(date);
            self.paint(out, BOLD);
            out.push_str("── ");
            let _ = write_escaped(out, input);
            out.push_str(" (");
            out.push_str(e.source.as_str());
            out.push(')');
            if !date.is_empty() {
                out.push(' ');
                out.push_str(date);
            }
            out.push_str(" ──");
            self.paint(out, RESET);
            out.push('\n');
        } else if !date.is_empty() && date != self.date {
            self.date.clear();
            self.date.push_str(date);
            self.paint(out, DIM);
            out.push_str("── ");
            out.push_str(date);
            out.push_str(" ──");
            self.paint(out, RESET);
            out.push('\n');
        }
        let status = match e.kind {
            EventKind::Phase | EventKind::Status => e.status,
            EventKind::Line => None,
        };
        let line_color = match e.severity {
            Some(Severity::Error | Severity::Fatal) => RED,
            Some(Severity::Warn) => YELLOW,
            Some(Severity::Debug | Severity::Trace) => DIM,
            _ => "",
        };
        if status.is_some() {
            self.paint(out, BOLD);
        }
        self.paint(out, line_color);
        let mut sep = "";
        if let Some(t) = &e.time {
            if t.assumed() {
                out.push('~');
            }
            out.push_str(clock);
            sep = " ";
        }
        if let Some(s) = e.severity {
            out.push_str(sep);
            let name = super::upper(s);
            out.push_str(name);
            out.push_str("     ".get(name.len()..).unwrap_or_default());
            sep = " ";
        }
        let c = &e.ctx;
        let step = c.step_name.as_ref().or(c.step_id.as_ref());
        if c.job.is_some() || step.is_some() || c.host.is_some() {
            out.push_str(sep);
            if let Some(job) = &c.job {
                let _ = write_escaped(out, job);
                if step.is_some() {
                    out.push('/');
                }
            }
            if let Some(step) = step {
                let _ = write_escaped(out, step);
            }
            if let Some(host) = &c.host {
                out.push('@');
                let _ = write_escaped(out, host);
            }
            sep = " ";
        }
        if !sep.is_empty() {
            out.push_str(" │");
            if status.is_some() || !e.message.is_empty() {
                out.push(' ');
            }
        }
        if let Some(st) = status {
            if let Some((sym, color)) = symbol(st) {
                self.paint(out, color);
                out.push_str(sym);
                self.paint(out, RESET);
                self.paint(out, BOLD);
                self.paint(out, line_color);
                out.push(' ');
            }
            out.push_str(st.as_str());
            if !e.message.is_empty() {
                out.push_str(": ");
            }
        }
        let _ = write_escaped(out, &e.message);
        if status.is_some() || !line_color.is_empty() {
            self.paint(out, RESET);
        }
        out.push('\n');
    }

    fn paint(&self, out: &mut String, sgr: &str) {
        if self.color {
            out.push_str(sgr);
        }
    }
}

/// gh's symbol for a status, and its colour.
fn symbol(s: Status) -> Option<(&'static str, &'static str)> {
    match s {
        Status::Succeeded => Some(("✓", GREEN)),
        Status::Failed | Status::TimedOut | Status::Cancelled | Status::Error => Some(("✗", RED)),
        Status::Skipped | Status::Ignored => Some(("-", DIM)),
        Status::Pending | Status::Running | Status::Blocked => Some(("*", YELLOW)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::time::Timestamp;
    use chrono::{FixedOffset, TimeZone as _};
    use std::borrow::Cow;

    fn at(day: u32, assumed: bool) -> Timestamp {
        let o = FixedOffset::east_opt(8 * 3600).unwrap();
        Timestamp::new(
            o.with_ymd_and_hms(2024, 5, day, 10, 0, 1).unwrap(),
            3,
            assumed,
        )
    }

    fn event(kind: EventKind, message: &str) -> LogEvent<'_> {
        LogEvent::new(Source::BkjobLog, kind, 0, Cow::Borrowed(message))
    }

    fn render(color: bool, events: &[(&str, LogEvent<'_>)]) -> String {
        let mut w = PrettyWriter::new(color);
        let mut out = String::new();
        for (input, e) in events {
            w.push(e, input, &mut out);
        }
        out
    }

    #[test]
    fn an_input_read_again_gets_its_header_again() {
        let e = event(EventKind::Line, "x");
        let mut w = PrettyWriter::new(false);
        let mut out = String::new();
        w.start_input("a.log");
        w.push(&e, "a.log", &mut out);
        // A line held back from "a.log", written once "b.log" started.
        w.start_input("b.log");
        w.push(&e, "a.log", &mut out);
        w.start_input("a.log");
        w.push(&e, "a.log", &mut out);
        assert_eq!(
            out,
            "── a.log (bkjob-log) ──\nx\nx\n── a.log (bkjob-log) ──\nx\n"
        );
    }

    #[test]
    fn lines_table() {
        let mut err = event(EventKind::Line, "cp: cannot stat\u{1b}[0m\r\n");
        err.time = Some(at(1, true));
        err.severity = Some(Severity::Error);
        err.ctx.job = Some("100".into());
        err.ctx.step_id = Some("31001".into());
        err.ctx.host = Some("10.0.0.2".into());
        let mut done = event(EventKind::Status, "");
        done.status = Some(Status::Succeeded);
        done.time = Some(at(2, false));
        done.ctx.step_name = Some("deploy".into());
        let mut fail = event(EventKind::Phase, "job_fail");
        fail.status = Some(Status::Failed);
        let mut skip = event(EventKind::Status, "");
        skip.status = Some(Status::Skipped);
        let mut run = event(EventKind::Phase, "");
        run.status = Some(Status::Running);
        run.severity = Some(Severity::Info);
        let mut warn = event(EventKind::Line, "disk");
        warn.severity = Some(Severity::Warn);
        let mut debug = event(EventKind::Line, "x");
        debug.severity = Some(Severity::Debug);
        let plain = event(EventKind::Line, "plain");
        let events = [
            ("a\nb.log", err),
            ("a\nb.log", done),
            ("a\nb.log", fail),
            ("a\nb.log", skip),
            ("-", run),
            ("-", warn),
            ("-", debug),
            ("-", plain),
        ];
        assert_eq!(
            render(false, &events),
            concat!(
                "── a\\nb.log (bkjob-log) 2024-05-01 ──\n",
                "~10:00:01.000+08:00 ERROR 100/31001@10.0.0.2 │ cp: cannot stat\\u{1b}[0m\\r\\n\n",
                "── 2024-05-02 ──\n",
                "10:00:01.000+08:00 deploy │ ✓ succeeded\n",
                "✗ failed: job_fail\n",
                "- skipped\n",
                "── - (bkjob-log) ──\n",
                "INFO  │ * running\n",
                "WARN  │ disk\n",
                "DEBUG │ x\n",
                "plain\n",
            )
        );
        let colored = render(true, &events);
        assert_eq!(
            colored.lines().nth(1).unwrap(),
            "\x1b[31m~10:00:01.000+08:00 ERROR 100/31001@10.0.0.2 │ cp: cannot stat\\u{1b}[0m\\r\\n\x1b[0m"
        );
        assert_eq!(
            colored.lines().nth(3).unwrap(),
            "\x1b[1m10:00:01.000+08:00 deploy │ \x1b[32m✓\x1b[0m\x1b[1m succeeded\x1b[0m"
        );
        assert!(colored.contains("\x1b[33mWARN  │ disk\x1b[0m\n"));
        assert!(colored.contains("\x1b[2mDEBUG │ x\x1b[0m\n"));
        assert!(colored.ends_with("\nplain\n"));
        // Without colour, no escape byte at all, whatever the input held.
        assert!(!render(false, &events).contains('\x1b'));
    }

    proptest::proptest! {
        #![proptest_config(crate::testing::proptest_config(500))]

        /// Whatever the text, one line per event (after the header), and
        /// no control character but the line ends; with colour, escapes
        /// only from the writer's own SGR sequences.
        #[test]
        fn never_a_raw_control_character(msg in "\\PC*|[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{2028}a]{0,20}", host in "[\\x00-\\x1fa-z]{0,5}", color in proptest::prelude::any::<bool>()) {
            let mut e = event(EventKind::Line, &msg);
            e.ctx.host = Some(host.as_str().into());
            e.severity = Some(Severity::Error);
            let out = render(color, &[("in\u{1b}put", e)]);
            proptest::prop_assert_eq!(out.matches('\n').count(), 2);
            let plain = out.replace("\x1b[0m", "").replace("\x1b[31m", "").replace("\x1b[1m", "");
            proptest::prop_assert!(!plain.chars().any(|c| c != '\n' && (c.is_control() || c == '\u{2028}')), "{:?}", out);
        }
    }
}
