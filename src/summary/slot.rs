//! What the summary keeps of one step, one host's part of a step, or the
//! step-less lines of a run: its last lines, its exit code and the anchors
//! found as its lines went by; and how a failing one becomes a [`Failing`].

use std::borrow::Cow;

use super::report::{ContextLine, Excerpt, Failing};
use super::rules::{self, Rule, TAIL, classify};
use super::{AFTER, ANCHORS, BEFORE, LAST_LINES, LINES, millis};
use crate::event::{EventKind, LogEvent};
use crate::runner;
use crate::severity::Severity;
use crate::status::Status;
use crate::steps::StepSpan;

/// A line kept: where it is and what it says.
#[derive(Clone, Debug)]
struct Entry<'i> {
    seq: u64,
    text: Cow<'i, str>,
    /// A debug line: never an anchor.
    quiet: bool,
}

impl Entry<'_> {
    /// The line as context; `base` is the input line of `seq` 0, where the
    /// source has lines.
    fn context(&self, base: Option<u64>) -> ContextLine {
        ContextLine {
            seq: self.seq,
            line: base.map(|b| b + self.seq),
            message: self.text.to_string(),
        }
    }
}

/// An anchor found as the lines went by, with its context.
#[derive(Debug)]
struct Anchor<'i> {
    at: Entry<'i>,
    rule: Option<&'static Rule>,
    before: Vec<Entry<'i>>,
    after: Vec<Entry<'i>>,
    /// Still taking lines after it.
    open: bool,
}

/// The three kinds of anchor found as lines go by: rule hits, lines of
/// severity error, error-like lines.
const KINDS: usize = 3;

/// What is kept of one step, one host's part of a step, or the step-less
/// lines of a run.
#[derive(Debug, Default)]
pub(crate) struct Slot<'i> {
    /// Lines taken.
    lines: u64,
    /// The input line of `seq` 0, where the source has lines (one event a
    /// line: `seq + 1`).
    base: Option<u64>,
    /// The last [`TAIL`] lines.
    ring: Ring<'i>,
    /// The last exit code an event gave.
    pub(crate) exit_code: Option<i64>,
    /// Anchors of each kind, the first [`ANCHORS`].
    anchors: [Vec<Anchor<'i>>; KINDS],
    /// A specific (non-generic) anchor was found.
    specific: bool,
    /// Some anchor is still taking lines after it.
    open: bool,
}

impl<'i> Slot<'i> {
    /// How many lines are kept.
    #[cfg(test)]
    pub(crate) fn kept(&self) -> usize {
        self.ring.buf.len()
    }

    #[inline(always)]
    pub(crate) fn take<'e>(
        &mut self,
        e: &LogEvent<'e>,
        line: Option<u64>,
        keep: &impl Fn(&Cow<'e, str>) -> Cow<'i, str>,
    ) {
        if let Some(c) = e.ctx.exit_code {
            self.exit_code = Some(c);
        }
        if e.kind != EventKind::Line && e.message.is_empty() {
            // A status record with no text is no line.
            return;
        }
        self.lines += 1;
        self.base = line.map(|l| l.wrapping_sub(e.seq));
        let quiet = matches!(e.severity, Some(Severity::Debug | Severity::Trace));
        let entry = Entry {
            seq: e.seq,
            text: keep(&e.message),
            quiet,
        };
        let severe = matches!(e.severity, Some(Severity::Error | Severity::Fatal));
        let kind = if quiet {
            None
        } else {
            line_kind(&e.message, severe)
        };
        match kind {
            Some((k, rule)) => self.anchor(k, rule, &entry),
            None if self.open => self.follow(&entry, usize::MAX),
            None => {}
        }
        self.ring.push(entry);
    }

    #[inline(never)]
    fn anchor(&mut self, k: usize, rule: Option<&'static Rule>, entry: &Entry<'i>) {
        let generic = runner::exit_code(&entry.text).is_some();
        if generic && self.specific {
            // Exit-code evidence only: a more specific anchor came first.
            if self.open {
                self.follow(entry, usize::MAX);
            }
            return;
        }
        if !generic {
            self.specific = true;
        }
        if self.open {
            self.follow(entry, k);
        }
        let Some(list) = self.anchors.get_mut(k) else {
            return;
        };
        let shown = list.last().map(|a| a.after.last().unwrap_or(&a.at).seq);
        if let Some(prev) = list.last_mut() {
            prev.open = false;
        }
        if list.len() >= ANCHORS {
            self.open = self
                .anchors
                .iter()
                .any(|l| l.last().is_some_and(|a| a.open));
            return;
        }
        let before: Vec<Entry<'i>> = self
            .ring
            .last(BEFORE)
            .into_iter()
            .filter(|b| shown.is_none_or(|s| b.seq > s))
            .cloned()
            .collect();
        list.push(Anchor {
            at: entry.clone(),
            rule,
            before,
            after: Vec::new(),
            open: true,
        });
        self.open = true;
    }

    /// Gives `entry` to the open anchors (but the kind `except`, which it
    /// anchors).
    fn follow(&mut self, entry: &Entry<'i>, except: usize) {
        let mut open = false;
        for (k, list) in self.anchors.iter_mut().enumerate() {
            if let Some(a) = list.last_mut()
                && a.open
            {
                if k == except {
                    a.open = false;
                    continue;
                }
                a.after.push(entry.clone());
                a.open = a.after.len() < AFTER;
                open |= a.open;
            }
        }
        self.open = open;
    }

    /// The failing entry of this slot, for the span `span` (none: the run).
    pub(crate) fn failing(
        &self,
        span: Option<&StepSpan<'_>>,
        status: Status,
        run_duration: Option<u64>,
    ) -> Failing {
        let ring: Vec<&Entry<'i>> = self.ring.iter().collect();
        // Anchors found in the tail: rules anywhere in a line, and
        // `Traceback` anywhere.
        let mut kinds: [Vec<Excerpt>; KINDS] = Default::default();
        let mut rule_hits: Vec<(u64, &'static Rule)> = Vec::new();
        for (k, list) in self.anchors.iter().enumerate() {
            for a in list {
                if let Some(r) = a.rule {
                    rule_hits.push((a.at.seq, r));
                }
                if let Some(v) = kinds.get_mut(k) {
                    v.push(Excerpt {
                        seq: a.at.seq,
                        line: self.base.map(|b| b + a.at.seq),
                        message: a.at.text.to_string(),
                        before: a.before.iter().map(|e| e.context(self.base)).collect(),
                        after: a.after.iter().map(|e| e.context(self.base)).collect(),
                    });
                }
            }
        }
        for (i, en) in ring.iter().enumerate() {
            // (The ring holds the last TAIL lines.)
            if en.quiet {
                continue;
            }
            let hit = if let Some(r) = rules::tail_rule(&en.text) {
                rule_hits.push((en.seq, r));
                Some(0)
            } else if rules::holds_traceback(&en.text) {
                Some(2)
            } else {
                None
            };
            let Some(k) = hit else { continue };
            let Some(v) = kinds.get_mut(k) else { continue };
            if v.iter().any(|x| x.seq == en.seq) {
                continue;
            }
            v.push(excerpt_in(&ring, self.base, i, BEFORE, AFTER));
        }
        rule_hits.sort_by_key(|(seq, _)| *seq);
        let chosen = kinds.into_iter().find(|v| !v.is_empty());
        let errors = match chosen {
            Some(mut v) => {
                v.sort_by_key(|x| x.seq);
                v.truncate(ANCHORS);
                tidy(v)
            }
            None => {
                // The last line with text, and the lines before it.
                let last = ring
                    .iter()
                    .rposition(|en| !en.text.trim().is_empty())
                    .or(ring.len().checked_sub(1));
                last.map(|i| vec![excerpt_in(&ring, self.base, i, LAST_LINES - 1, 0)])
                    .unwrap_or_default()
            }
        };
        let (error_type, confidence, evidence) = classify(status, self.exit_code, &rule_hits);
        Failing {
            step_id: span.map(|s| s.step_id.to_string()),
            step_name: span.and_then(|s| s.step_name.as_deref().map(str::to_owned)),
            host: span.and_then(|s| s.host.as_deref().map(str::to_owned)),
            status,
            exit_code: self.exit_code,
            duration_ms: match span {
                Some(s) => millis(s.duration()),
                None => run_duration,
            },
            error_type,
            confidence,
            evidence,
            errors,
        }
    }
}

/// The kind of anchor a line is (0 a rule hit, 1 severity error, 2
/// error-like), and its rule.
#[inline(always)]
fn line_kind(m: &str, severe: bool) -> Option<(usize, Option<&'static Rule>)> {
    if !severe && !rules::may_start_error(m) {
        // No head rule or error-like line starts so: one test for most lines.
        return None;
    }
    line_kind_of(m, severe)
}

/// [`line_kind`] past its first test.
#[inline(never)]
fn line_kind_of(m: &str, severe: bool) -> Option<(usize, Option<&'static Rule>)> {
    if let Some(r) = rules::head_rule(m) {
        Some((0, Some(r)))
    } else if severe {
        Some((1, None))
    } else if rules::error_like(m) {
        Some((2, None))
    } else {
        None
    }
}

/// The excerpt of `ring[i]` with up to `before` and `after` lines.
fn excerpt_in(
    ring: &[&Entry<'_>],
    base: Option<u64>,
    i: usize,
    before: usize,
    after: usize,
) -> Excerpt {
    let at = ring.get(i).map_or_else(
        || ContextLine {
            seq: 0,
            line: None,
            message: String::new(),
        },
        |e| e.context(base),
    );
    Excerpt {
        seq: at.seq,
        line: at.line,
        message: at.message,
        before: ring
            .get(i.saturating_sub(before)..i)
            .unwrap_or_default()
            .iter()
            .map(|e| e.context(base))
            .collect(),
        after: ring
            .get(i + 1..ring.len().min(i + 1 + after))
            .unwrap_or_default()
            .iter()
            .map(|e| e.context(base))
            .collect(),
    }
}

/// Anchors in order, no line shown twice (a line is cut from the context
/// of the one before when the next anchor shows it), and at most
/// [`LINES`] lines in all.
fn tidy(mut v: Vec<Excerpt>) -> Vec<Excerpt> {
    let mut shown: Option<u64> = None;
    // Every anchor's own line first; context from what is left.
    let mut budget = LINES.saturating_sub(v.len());
    let next_seqs: Vec<Option<u64>> = (0..v.len())
        .map(|i| {
            v.get(i + 1)
                .map(|x| x.before.first().map_or(x.seq, |b| b.seq.min(x.seq)))
        })
        .collect();
    let mut out = Vec::with_capacity(v.len());
    for (x, next) in v.iter_mut().zip(next_seqs) {
        x.before.retain(|b| shown.is_none_or(|s| b.seq > s));
        if let Some(n) = next {
            x.after.retain(|a| a.seq < n);
        }
        let keep_before = x.before.len().min(budget);
        x.before.drain(..x.before.len() - keep_before);
        budget -= keep_before;
        x.after.truncate(budget);
        budget -= x.after.len();
        shown = Some(x.after.last().map_or(x.seq, |a| a.seq));
        out.push(std::mem::replace(
            x,
            Excerpt {
                seq: 0,
                line: None,
                message: String::new(),
                before: Vec::new(),
                after: Vec::new(),
            },
        ));
    }
    out
}

/// The last [`TAIL`] lines of a slot.
#[derive(Debug, Default)]
struct Ring<'i> {
    buf: Vec<Entry<'i>>,
    /// Where the next line goes once the buffer is full.
    next: usize,
}

impl<'i> Ring<'i> {
    #[inline(always)]
    fn push(&mut self, e: Entry<'i>) {
        if self.buf.len() < TAIL {
            self.buf.push(e);
        } else {
            if let Some(slot) = self.buf.get_mut(self.next) {
                *slot = e;
            }
            self.next += 1;
            if self.next == TAIL {
                self.next = 0;
            }
        }
    }

    /// Oldest first.
    fn iter(&self) -> impl Iterator<Item = &Entry<'i>> {
        let (a, b) = self.buf.split_at(self.next.min(self.buf.len()));
        b.iter().chain(a)
    }

    /// The last `n` lines, oldest first.
    fn last(&self, n: usize) -> Vec<&Entry<'i>> {
        let all: Vec<&Entry<'i>> = self.iter().collect();
        all.get(all.len().saturating_sub(n)..)
            .unwrap_or_default()
            .to_vec()
    }
}
