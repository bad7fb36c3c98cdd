//! The human report of a [`RunSummary`], in the style of `gh run view`.

use std::fmt::Write as _;

use super::{Excerpt, Failing, RunSummary};
use crate::status::Status;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl RunSummary {
    /// The report as text, every line ending in `\n`: one header line
    /// (status symbol, job, run number, source, outcome, duration), and for
    /// a failing run each failing step or host (name, host, exit code,
    /// duration, error type and confidence) with its anchors (`>`) and their
    /// context, each line with its `seq` and input line:
    ///
    /// ```text
    /// ✗ j_YDkS2cnP #1 (codearts-log) failed 3.27s
    ///   ✗ (job) exit=1 3.27s _OTHER
    ///       seq 13 line 14 │ + exit 1
    ///     > seq 14 line 15 │ script returned exit code 1, exitMessage is: command run failed
    /// ```
    ///
    /// A run without a job is named by its input. `colour` adds ANSI
    /// colours (red failures, green success, bold anchors, dim context).
    /// Control characters in names and messages are escaped (`\u{1b}`), so
    /// the log cannot drive the terminal.
    pub fn to_text(&self, colour: bool) -> String {
        let paint = |code: &'static str| if colour { code } else { "" };
        let reset = paint(RESET);
        let mut out = String::new();
        let (symbol, tint) = match self.outcome {
            Status::Succeeded => ("✓", GREEN),
            Status::Failed | Status::TimedOut | Status::Error | Status::Cancelled => ("✗", RED),
            Status::Running | Status::Pending | Status::Blocked => ("*", YELLOW),
            Status::Skipped | Status::Ignored => ("-", ""),
            _ => ("?", YELLOW),
        };
        let _ = write!(out, "{}{symbol}{reset} {}", paint(tint), paint(BOLD));
        escape_into(&mut out, self.job.as_deref().unwrap_or(&self.input));
        out.push_str(reset);
        if let Some(r) = &self.run_id {
            out.push_str(" #");
            escape_into(&mut out, r);
        }
        let _ = write!(out, " ({}) {}", self.source, self.outcome);
        if let Some(d) = self.duration_ms {
            let assumed = [self.start, self.end].iter().flatten().any(|t| t.assumed());
            out.push(' ');
            if assumed {
                out.push('~');
            }
            out.push_str(&duration(d));
        }
        out.push('\n');
        for f in &self.failing {
            failing(&mut out, f, &paint);
        }
        out
    }
}

fn failing(out: &mut String, f: &Failing, paint: &impl Fn(&'static str) -> &'static str) {
    let reset = paint(RESET);
    let _ = write!(out, "  {}✗{reset} ", paint(RED));
    match (&f.step_name, &f.step_id) {
        (Some(name), _) => escape_into(out, name),
        (None, Some(id)) => escape_into(out, id),
        (None, None) => out.push_str("(job)"),
    }
    if let Some(h) = &f.host {
        out.push_str(" host=");
        escape_into(out, h);
    }
    if let Some(c) = f.exit_code {
        let _ = write!(out, " exit={c}");
    }
    if f.status != Status::Failed {
        let _ = write!(out, " {}", f.status);
    }
    if let Some(d) = f.duration_ms {
        let _ = write!(out, " {}", duration(d));
    }
    let _ = write!(out, " {}{}", paint(YELLOW), f.error_type);
    if let Some(c) = f.confidence {
        let _ = write!(out, "({c})");
    }
    out.push_str(reset);
    out.push('\n');
    let mut last: Option<u64> = None;
    for x in &f.errors {
        excerpt(out, x, &mut last, paint);
    }
}

fn excerpt(
    out: &mut String,
    x: &Excerpt,
    last: &mut Option<u64>,
    paint: &impl Fn(&'static str) -> &'static str,
) {
    let first = x.before.first().map_or(x.seq, |b| b.seq);
    if last.is_some_and(|l| first > l + 1) {
        let _ = writeln!(out, "      {}…{}", paint(DIM), paint(RESET));
    }
    for b in &x.before {
        line(out, "      ", b.seq, b.line, &b.message, DIM, paint);
    }
    line(out, "    > ", x.seq, x.line, &x.message, BOLD, paint);
    for a in &x.after {
        line(out, "      ", a.seq, a.line, &a.message, DIM, paint);
    }
    *last = Some(x.after.last().map_or(x.seq, |a| a.seq));
}

fn line(
    out: &mut String,
    lead: &str,
    seq: u64,
    no: Option<u64>,
    message: &str,
    tint: &'static str,
    paint: &impl Fn(&'static str) -> &'static str,
) {
    let _ = write!(out, "{lead}{}seq {seq}", paint(tint));
    if let Some(n) = no {
        let _ = write!(out, " line {n}");
    }
    out.push_str(" │ ");
    escape_into(out, message);
    out.push_str(paint(RESET));
    out.push('\n');
}

/// `812ms`, `2.504s`, `4m12s`, `2h05m`.
pub(crate) fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        let s = format!("{}.{:03}", ms / 1000, ms % 1000);
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    } else if ms < 3_600_000 {
        format!("{}m{:02}s", ms / 60_000, ms % 60_000 / 1000)
    } else {
        format!("{}h{:02}m", ms / 3_600_000, ms % 3_600_000 / 60_000)
    }
}

/// Writes `s` with control characters (and U+2028, U+2029, U+FEFF)
/// escaped as Rust writes them.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
            let _ = write!(out, "{}", c.escape_default());
        } else {
            out.push(c);
        }
    }
}
