//! The lazy cursor over the lines of one `log_content`: one event per
//! call, each line split at the skim's marks when it has them, else found
//! by searching.

use std::borrow::Cow;

use crate::error::Error;
use crate::event::{Context, LogEvent};
use crate::json::{MarkedLine, StrLines};
use crate::note::{Note, Notes};

use super::Doc;
use super::line_event::{
    PLAIN, checked_event, cut_long_line, event, finish_message, invalid_escape, may_be_runner,
    prefixed_event, prefixed_raw_event,
};
use super::lines::{LineText, marked_text, searched_text};
use super::prefix::{Day, FULL_WIDTH_LEAD};
use super::wire::Marks;

/// Walks the lines of one `log_content`, one event at a time.
pub(super) struct LineCursor<'a> {
    lines: StrLines<'a>,
    /// Where the string body starts in the input.
    base: usize,
    /// Decode HTML entities (v2 only, when the options say so).
    html: bool,
    /// Job, step and host context copied onto every line.
    pub(super) ctx: Context<'a>,
    /// Notes every line carries (a host field that could not be read).
    pub(super) notes: Notes,
    /// The next of the string's escape positions (an index in the list
    /// the skim made), and whether there is such a list: the lines are
    /// then split without a search.
    mark: usize,
    /// The date of the last template prefix read.
    pub(super) day: Option<Day>,
    /// Where the string's escape positions end in the list.
    marks_end: usize,
    marked: bool,
}

impl<'a> LineCursor<'a> {
    /// A cursor over the raw JSON string body `body`, which starts at byte
    /// `base` of the input.
    pub(super) fn new(
        body: &'a str,
        base: usize,
        html: bool,
        ctx: Context<'a>,
        notes: Notes,
    ) -> Self {
        LineCursor {
            lines: StrLines::new(body),
            base,
            html,
            ctx,
            notes,
            mark: 0,
            day: None,
            marks_end: 0,
            marked: false,
        }
    }

    /// Splits the lines at the escapes the skim noted (`marks` in
    /// [`LineCursor::next_event`]).
    pub(super) fn with_marks(mut self, marks: Option<Marks>) -> Self {
        if let Some(m) = marks {
            self.mark = m.start;
            self.marks_end = m.end;
            self.marked = true;
        }
        self
    }

    /// The next line's event. `marks` is the list the skim made, if this
    /// cursor's string has its escapes in it.
    #[inline(always)]
    pub(super) fn next_event(
        &mut self,
        doc: &Doc<'a, '_>,
        seq: &mut u64,
        marks: &[u32],
    ) -> Option<Result<LogEvent<'a>, Error>> {
        let at = self.base + self.lines.position();
        let line = if self.marked {
            let marks = marks.get(..self.marks_end).unwrap_or_default();
            let l = self.lines.split_marked(marks, &mut self.mark, self.base)?;
            if l.has & MarkedLine::ESCAPED == 0 && (l.has & MarkedLine::AMP == 0 || !self.html) {
                // Nothing to decode (most lines): the text as it is in the
                // input, as `marked_text` gives it.
                let raw = self.lines.body().get(l.start..l.end).unwrap_or_default();
                // A prefix starts with `[` (or `【`, the legacy
                // file-transfer form); most lines have none. Each path
                // returns its event as it is built (no move of the event
                // from one to the other).
                if matches!(raw.as_bytes().first(), Some(&(b'[' | FULL_WIDTH_LEAD))) {
                    return Some(prefixed_raw_event(doc, raw, at, self, seq));
                }
                if !may_be_runner(raw) {
                    return Some(self.plain_event(doc, seq, raw, at));
                }
                // A workflow command or exit-code phrase: the careful path.
                let line = LineText {
                    text: Cow::Borrowed(raw),
                    invalid_escape: false,
                    html: false,
                    may_need_cleaning: false,
                };
                return Some(self.text_event(doc, seq, line, at));
            }
            marked_text(self.lines.body(), &l, marks, self.base, self.html)
        } else {
            searched_text(self.lines.next()?, self.html)
        };
        Some(self.text_event(doc, seq, line, at))
    }

    /// The event of a line that needed no decoding and has no prefix, `raw`
    /// as it is in the input: every field but the text and the context
    /// empty.
    #[inline(always)]
    fn plain_event(
        &mut self,
        doc: &Doc<'a, '_>,
        seq: &mut u64,
        raw: &'a str,
        at: usize,
    ) -> Result<LogEvent<'a>, Error> {
        let mut message = Cow::Borrowed(raw);
        let mut notes = self.notes;
        if raw.len() > doc.opts.max_line_len {
            cut_long_line(doc, &mut message, at, &mut notes)?;
        }
        Ok(event(doc, self, seq, PLAIN, message, notes, Vec::new()))
    }

    /// The event of a line whose text was decoded.
    #[inline(never)]
    fn text_event(
        &mut self,
        doc: &Doc<'a, '_>,
        seq: &mut u64,
        line: LineText<'a>,
        at: usize,
    ) -> Result<LogEvent<'a>, Error> {
        let mut notes = self.notes;
        if line.invalid_escape {
            invalid_escape(doc, at, &mut notes)?;
        }
        if line.html {
            notes.insert(Note::HtmlUnescaped);
        }
        if matches!(
            line.text.as_bytes().first(),
            Some(&(b'[' | FULL_WIDTH_LEAD))
        ) {
            return prefixed_event(doc, line, at, self, seq, notes);
        }
        let message = finish_message(doc, line.text, line.may_need_cleaning, at, &mut notes)?;
        checked_event(doc, self, seq, PLAIN, message, notes, Vec::new())
    }
}

/// The cursor's text-only step, on the marked path or the searched one
/// (the reference): what the test of [`super::lines`]'s one-pass decoding
/// drives.
#[cfg(test)]
mod reference {
    use super::*;

    impl<'a> LineCursor<'a> {
        /// The next line's text, and where it starts in the input: what
        /// [`LineCursor::next_event`] reads, for the tests.
        pub(in crate::sources::bkjob) fn next_text(
            &mut self,
            marks: &[u32],
        ) -> Option<(usize, LineText<'a>)> {
            let at = self.base + self.lines.position();
            let text = if self.marked {
                let marks = marks.get(..self.marks_end).unwrap_or_default();
                let l = self.lines.split_marked(marks, &mut self.mark, self.base)?;
                marked_text(self.lines.body(), &l, marks, self.base, self.html)
            } else {
                searched_text(self.lines.next()?, self.html)
            };
            Some((at, text))
        }
    }
}
