//! [`Follower`]: follow a live CodeArts build log page by page, emitting every
//! complete line exactly once; and its resumable [`Cursor`].
//!
//! A page is one response of the real-time log API (v3 `{result:{offset,
//! current_offset, content, has_more_data}}` or v1 `{result:{start_offset,
//! end_offset, log, has_more}}`). The follower
//!
//! - holds back a trailing partial line until a later page completes it, and
//!   flushes it on [`Follower::finish`];
//! - tolerates empty, repeated and overlapping pages (deduplicated by offset)
//!   and marks gaps (`page_gap`) and rewinds (`offset_rewind`) on the next
//!   event, never silently (strict mode: an [`ErrorKind::Offset`] error);
//! - does not assume whether offsets count bytes or characters: it infers the
//!   unit from `offset − current_offset` against the page's content when the
//!   content has non-ASCII text and exactly one of the two lengths fits. Until
//!   a unit is known, an overlap is skipped by bytes and marked
//!   `offset_unit_unknown`;
//! - keeps everything it needs in a serde-serializable [`Cursor`], so a
//!   process can stop and resume without loss or duplication.
//!
//! For any split of a log into pages or chunks (inside a line, inside a
//! multi-byte character), the events equal those of parsing the whole text
//! at once.

use std::borrow::Cow;
use std::collections::VecDeque;

use super::TextEvents;
use super::machine::{Loc, Machine};
use super::page::{self, ContentLines};
use crate::error::{Error, ErrorKind};
use crate::event::LogEvent;
use crate::json::{self, StrLine};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;
use crate::text;

mod cursor;
mod emit;
mod pages;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use cursor::PageSig;
pub use cursor::{Cursor, OffsetUnit};
pub use emit::EmitResult;
use emit::Halt;

/// The offsets a real-time log page covers, `(start, end)`: its
/// `current_offset` / `start_offset` and its `offset` / `end_offset`, when
/// the page can be read and gives both. A caller holding page files can
/// tell from them whether a page continues a log (it starts at or before
/// where the log so far ends) or starts one (offset 0).
///
/// ```
/// let page = br#"{"result":{"current_offset":"30","offset":67,"content":"two\n"}}"#;
/// assert_eq!(cilog::codearts::page_offsets(page), Some((30, 67)));
/// assert_eq!(cilog::codearts::page_offsets(b"[1] text"), None);
/// ```
pub fn page_offsets(page: &[u8]) -> Option<(u64, u64)> {
    let p = page::parse(page, &Options::default()).ok()?;
    Some((p.start?, p.end?))
}

/// Follows a live CodeArts build log page by page (or a text log chunk by
/// chunk), emitting every complete line exactly once.
///
/// A page is one response of the real-time log API (v3 `{result:{offset,
/// current_offset, content, has_more_data}}` or v1 `{result:{start_offset,
/// end_offset, log, has_more}}`). The follower
///
/// - holds back a trailing partial line until a later page completes it, and
///   flushes it on [`Follower::finish`];
/// - tolerates empty, repeated and overlapping pages (deduplicated by offset)
///   and marks gaps (`page_gap`) and rewinds (`offset_rewind`) on the next
///   event, never silently (strict mode: an
///   [`ErrorKind::Offset`](crate::ErrorKind::Offset) error);
/// - does not assume whether offsets count bytes or characters: it infers the
///   unit from `offset − current_offset` against the page's content when the
///   content has non-ASCII text and exactly one of the two lengths fits. Until
///   a unit is known, an overlap is skipped by bytes and marked
///   `offset_unit_unknown`;
/// - keeps everything it needs in a serde-serializable [`Cursor`], so a
///   process can stop and resume without loss or duplication.
///
/// For any split of a log into pages or chunks (inside a line, inside a
/// multi-byte character), the events equal those of parsing the whole text
/// at once.
///
/// ```
/// use cilog::Options;
/// use cilog::codearts::Follower;
///
/// # fn main() -> Result<(), cilog::Error> {
/// let mut f = Follower::new(Options::default());
/// let mut lines = Vec::new();
/// let p1 = br#"{"result":{"has_more_data":true,"current_offset":0,"offset":30,"content":"[2023/12/21 15:44:18.744 GMT+08:00] one\n[2"}}"#;
/// f.feed_page(p1, |e| lines.push(e.message.into_owned()))?;
/// assert_eq!(lines, ["one"]); // "[2" is held back
/// let cursor = serde_json::to_string(f.cursor()).unwrap();
///
/// // … later, in another process:
/// let mut f = Follower::resume(serde_json::from_str(&cursor).unwrap(), Options::default());
/// let p2 = br#"{"result":{"has_more_data":false,"current_offset":30,"offset":67,"content":"023/12/21 15:44:18.745 GMT+08:00] two\n"}}"#;
/// f.feed_page(p2, |e| lines.push(e.message.into_owned()))?;
/// f.finish(|e| lines.push(e.message.into_owned()))?;
/// assert_eq!(lines, ["one", "two"]);
/// # Ok(())
/// # }
/// ```
///
/// # Stopping early
///
/// A callback may return `Result<(), E>` for any `E: From<cilog::Error>`
/// instead of `()`. Its first `Err` stops the feed, and the feed returns
/// it. The follower then stands where it stood before that page or chunk,
/// with the events the callback accepted (those it returned `Ok` for)
/// marked as sent: feed the same input again, in this process or after
/// resuming from the saved cursor, and the rest comes, each event once.
/// The follower's own errors leave it the same way.
///
/// ```
/// use cilog::Options;
/// use cilog::codearts::Follower;
///
/// #[derive(Debug)]
/// enum Stop {
///     Enough,
///     Log(cilog::Error),
/// }
/// impl From<cilog::Error> for Stop {
///     fn from(e: cilog::Error) -> Stop {
///         Stop::Log(e)
///     }
/// }
///
/// # fn main() -> Result<(), Stop> {
/// let page = br#"{"result":{"has_more_data":false,"current_offset":0,"offset":8,"content":"a\nb\nc\n"}}"#;
/// let mut f = Follower::new(Options::default());
/// let mut got = Vec::new();
/// let r = f.feed_page(page, |e| {
///     if got.len() == 2 {
///         return Err(Stop::Enough);
///     }
///     got.push(e.message.into_owned());
///     Ok(())
/// });
/// assert!(matches!(r, Err(Stop::Enough)));
/// // Later: the same page again gives what was not taken.
/// f.feed_page(page, |e| {
///     got.push(e.message.into_owned());
///     Ok::<(), Stop>(())
/// })?;
/// assert_eq!(got, ["a", "b", "c"]);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Follower {
    opts: Options,
    cur: Cursor,
}

/// The lines of one page (or chunk) still to emit.
enum Lines<'p> {
    /// Split from the raw JSON string (at the breaks the page's skim
    /// found, or lazily), borrowing plain lines.
    Json(ContentLines<'p>),
    /// Decoded up front (after an overlap skip, or a literal-`\n` recovery).
    Owned(VecDeque<(String, bool)>, Notes),
    Done,
}

/// One page or chunk being emitted.
pub(crate) struct Run<'p> {
    lines: Lines<'p>,
    machine: Machine<'p>,
    /// A held-back line flushed before the first new line (after a gap).
    flush_first: Option<LogEvent<'p>>,
    input: &'p [u8],
    base: usize,
}

impl<'p> Run<'p> {
    /// Where the run's lines are, for their errors: where the page's
    /// content starts.
    #[inline]
    fn loc(&self) -> Loc<'p> {
        Loc {
            input: self.input,
            byte: self.base,
        }
    }
}

impl Follower {
    /// A follower at the start of a log.
    pub fn new(options: Options) -> Follower {
        Follower::resume(Cursor::default(), options)
    }

    /// A follower that continues from a saved cursor.
    pub fn resume(cursor: Cursor, options: Options) -> Follower {
        Follower {
            opts: options,
            cur: cursor,
        }
    }

    /// Where the log stands now.
    pub fn cursor(&self) -> &Cursor {
        &self.cur
    }

    /// The cursor, giving the follower up.
    pub fn into_cursor(self) -> Cursor {
        self.cur
    }

    fn source(&self, default: Source) -> Source {
        self.cur.source.unwrap_or(default)
    }

    /// Feeds one page response (JSON); `emit` receives each complete line's
    /// event, in order. Lines that need no unescaping borrow from `page`.
    ///
    /// `emit` returns `()`, or a `Result` to stop early (see [`Follower`]:
    /// an `Err` from it is returned as it is, the follower rolled back to
    /// before this page with the events `emit` accepted marked as sent).
    ///
    /// # Errors
    /// `emit`'s error; a vendor error body, an unreadable page, or (strict
    /// mode) a gap, rewind or malformed line. After any error the follower
    /// stands where it stood before this page (less the events accepted).
    pub fn feed_page<'p, R: EmitResult>(
        &mut self,
        page: &'p [u8],
        mut emit: impl FnMut(LogEvent<'p>) -> R,
    ) -> Result<(), R::Error> {
        let saved = self.cur.clone();
        let mut sent = 0;
        let r = self.page_events(page, &mut sent, &mut emit);
        self.settle(saved, sent, r)
    }

    fn page_events<'p, R: EmitResult>(
        &mut self,
        page: &'p [u8],
        sent: &mut u64,
        emit: &mut impl FnMut(LogEvent<'p>) -> R,
    ) -> Result<(), Halt<R::Error>> {
        let mut run = self.begin_page(page)?;
        let redact = self.opts.redact;
        let skip = self.cur.skip_to;
        loop {
            // An event is a few hundred bytes: moved once, not bound first.
            // (Masking it where it lies, as the text path does, made this
            // path 7 % slower in the codearts-realtime-log bench.)
            match self.next_in(&mut run) {
                Some(Ok(e)) if e.seq < skip => {}
                Some(Ok(e)) if !redact => {
                    let seq = e.seq;
                    emit(e).into_result().map_err(Halt::Caller)?;
                    *sent = seq + 1;
                }
                Some(Ok(mut e)) => {
                    let seq = e.seq;
                    crate::redact::apply(&mut e);
                    emit(e).into_result().map_err(Halt::Caller)?;
                    *sent = seq + 1;
                }
                Some(Err(err)) => return Err(Halt::Follower(err)),
                None => break,
            }
        }
        self.end_run(run);
        Ok(())
    }

    /// Feeds one chunk of plain log text (a task-log file read piece by
    /// piece). Chunks may split lines and multi-byte characters anywhere.
    /// `emit` is as for [`Follower::feed_page`].
    ///
    /// # Errors
    /// `emit`'s error; strict mode: a malformed line (invalid UTF-8, a bad
    /// prefix, a line over `max_line_len`). After any error the follower
    /// stands where it stood before this chunk (less the events accepted).
    pub fn feed_text<'c, R: EmitResult>(
        &mut self,
        chunk: &'c [u8],
        mut emit: impl FnMut(LogEvent<'c>) -> R,
    ) -> Result<(), R::Error> {
        let saved = self.cur.clone();
        let mut sent = 0;
        let r = self.text_events(chunk, &mut sent, &mut emit);
        self.settle(saved, sent, r)
    }

    fn text_events<'c, R: EmitResult>(
        &mut self,
        chunk: &'c [u8],
        sent: &mut u64,
        emit: &mut impl FnMut(LogEvent<'c>) -> R,
    ) -> Result<(), Halt<R::Error>> {
        if self.cur.source.is_none() {
            self.cur.source = Some(Source::CodeartsLog);
        }
        let mut data = chunk;
        let source = self.source(Source::CodeartsLog);
        if !self.cur.bom_checked {
            // A UTF-8 byte-order mark may open the text, split over chunks.
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let need = 3 - self.cur.partial_tail.len().min(3);
            let mut probe = self.cur.partial_tail.clone();
            probe.extend(chunk.iter().take(need));
            if BOM.starts_with(&probe) {
                if probe.len() < 3 {
                    self.cur.partial_tail = probe;
                    return Ok(());
                }
                self.cur.partial_tail.clear();
                data = chunk.get(need..).unwrap_or_default();
            }
            self.cur.bom_checked = true;
        }
        let skip = self.cur.skip_to;
        if self.cur.held_back() > 0 {
            let Some(nl) = memchr::memchr(b'\n', data) else {
                self.hold_back(data)?;
                return Ok(());
            };
            let piece = data.get(..nl).unwrap_or_default();
            let mut bytes = std::mem::take(&mut self.cur.partial_tail);
            bytes.extend_from_slice(piece);
            let mut notes = std::mem::take(&mut self.cur.partial_notes);
            let decoded = text::utf8_lossy(&bytes, &mut notes);
            let mut line = std::mem::take(&mut self.cur.partial);
            line.push_str(&decoded);
            let mut machine = self.machine(source);
            let e = finish_line(
                &mut machine,
                Cow::Owned(line),
                notes,
                &mut self.cur.pending,
                &self.opts,
                Loc {
                    input: chunk,
                    byte: 0,
                },
            )?;
            self.store_machine(machine);
            if e.seq >= skip {
                let seq = e.seq;
                emit(self.redacted(e)).into_result().map_err(Halt::Caller)?;
                *sent = seq + 1;
            }
            data = data.get(nl + 1..).unwrap_or_default();
        }
        // The complete lines: the whole-log text path over them, with this
        // follower's state; the unfinished last line is held back.
        let (lines, tail) = match memchr::memrchr(b'\n', data) {
            Some(nl) => data.split_at(nl + 1),
            None => (&[][..], data),
        };
        if !lines.is_empty() {
            let mut machine = self.machine(source);
            machine.borrow_open_from(chunk);
            let pending = std::mem::take(&mut self.cur.pending);
            let base = chunk.len() - data.len();
            let mut it = TextEvents::in_chunk(chunk, base, lines, machine, &self.opts, pending);
            let redact = self.opts.redact;
            loop {
                // An event is a few hundred bytes: masked where it lies and
                // moved once, not bound first (binding it `mut` cost a copy).
                let mut next = it.next();
                if redact && let Some(Ok(e)) = &mut next {
                    crate::redact::apply(e);
                }
                match next {
                    Some(Ok(e)) if e.seq < skip => {}
                    Some(Ok(e)) => {
                        let seq = e.seq;
                        emit(e).into_result().map_err(Halt::Caller)?;
                        *sent = seq + 1;
                    }
                    Some(Err(err)) => return Err(Halt::Follower(err)),
                    None => break,
                }
            }
            self.cur.pending = it.pending;
            if !tail.is_empty() {
                self.hold_back(tail)?;
            }
            self.store_machine(it.machine);
        } else if !tail.is_empty() {
            self.hold_back(tail)?;
        }
        Ok(())
    }

    /// Flushes a held-back unfinished line as the last event. Call it when
    /// the log is complete (the build finished) or when giving up. `emit`
    /// is as for [`Follower::feed_page`].
    ///
    /// The event carries `unterminated_line` if the last page still
    /// announced more data.
    ///
    /// # Errors
    /// `emit`'s error; strict mode: the flushed line is malformed. After
    /// either the follower stands where it stood before the call.
    pub fn finish<R: EmitResult>(
        &mut self,
        mut emit: impl FnMut(LogEvent<'static>) -> R,
    ) -> Result<(), R::Error> {
        let saved = self.cur.clone();
        let mut sent = 0;
        let r = self.flush_events(&mut sent, &mut emit);
        self.settle(saved, sent, r)
    }

    fn flush_events<R: EmitResult>(
        &mut self,
        sent: &mut u64,
        emit: &mut impl FnMut(LogEvent<'static>) -> R,
    ) -> Result<(), Halt<R::Error>> {
        let skip = self.cur.skip_to;
        if let Some(e) = self.flush(&[])?
            && e.seq >= skip
        {
            let seq = e.seq;
            emit(self.redacted(e)).into_result().map_err(Halt::Caller)?;
            *sent = seq + 1;
        }
        Ok(())
    }

    /// Ends a feed: on an error, the cursor from before it, with the events
    /// the callback accepted (`sent`: the `seq` after the last) marked sent
    /// so that feeding the same input again skips them.
    fn settle<E: From<Error>>(
        &mut self,
        saved: Cursor,
        sent: u64,
        r: Result<(), Halt<E>>,
    ) -> Result<(), E> {
        match r {
            Ok(()) => {
                if self.cur.next_seq >= self.cur.skip_to {
                    self.cur.skip_to = 0;
                }
                Ok(())
            }
            Err(halt) => {
                self.cur = saved;
                self.cur.skip_to = self.cur.skip_to.max(sent);
                Err(match halt {
                    Halt::Follower(e) => E::from(e),
                    Halt::Caller(e) => e,
                })
            }
        }
    }

    fn flush(&mut self, input: &[u8]) -> Result<Option<LogEvent<'static>>, Error> {
        if self.cur.held_back() == 0 {
            return Ok(None);
        }
        let tail = std::mem::take(&mut self.cur.partial_tail);
        let mut notes = std::mem::take(&mut self.cur.partial_notes);
        let mut line = std::mem::take(&mut self.cur.partial);
        line.push_str(&text::utf8_lossy(&tail, &mut notes));
        if self.cur.more == Some(true) {
            notes.insert(Note::UnterminatedLine);
        }
        let source = self.source(Source::CodeartsRealtimeLog);
        let mut machine = self.machine(source);
        let e = finish_line(
            &mut machine,
            Cow::Owned(line),
            notes,
            &mut self.cur.pending,
            &self.opts,
            Loc { input, byte: 0 },
        )?;
        self.store_machine(machine);
        Ok(Some(e.into_owned()))
    }

    /// Applies [`Options::redact`] to an event about to be emitted.
    fn redacted<'p>(&self, mut e: LogEvent<'p>) -> LogEvent<'p> {
        if self.opts.redact {
            crate::redact::apply(&mut e);
        }
        e
    }

    fn machine<'p>(&self, source: Source) -> Machine<'p> {
        let open = self
            .cur
            .open_step
            .as_ref()
            .map(|(id, name)| (Cow::Owned(id.clone()), Cow::Owned(name.clone())));
        let mut m = Machine::new(source, self.cur.next_seq, open);
        m.group = self.cur.open_group.clone().map(Cow::Owned);
        m
    }

    fn store_machine(&mut self, m: Machine<'_>) {
        self.cur.next_seq = m.seq;
        self.cur.open_step = m.open.map(|(a, b)| (a.into_owned(), b.into_owned()));
        self.cur.open_group = m.group.map(Cow::into_owned);
    }

    fn end_run(&mut self, run: Run<'_>) {
        self.store_machine(run.machine);
    }

    /// Appends an unfinished piece to the held-back line, keeping an
    /// incomplete trailing UTF-8 sequence raw for the next chunk.
    fn hold_back(&mut self, piece: &[u8]) -> Result<(), Error> {
        let mut bytes = std::mem::take(&mut self.cur.partial_tail);
        bytes.extend_from_slice(piece);
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.cur.partial.push_str(s);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    self.cur
                        .partial
                        .push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        Some(n) => {
                            self.opts.recover(
                                &mut self.cur.partial_notes,
                                Note::InvalidUtf8,
                                || Error::new(ErrorKind::Utf8, "a line is not valid UTF-8"),
                            )?;
                            self.cur.partial.push('\u{fffd}');
                            rest = after.get(n..).unwrap_or_default();
                        }
                        None => {
                            self.cur.partial_tail = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        self.cap_partial()
    }

    /// Keeps the held-back line within `max_line_len` (plus room to find a
    /// character boundary); the cut is applied when the line completes.
    fn cap_partial(&mut self) -> Result<(), Error> {
        let max = self.opts.max_line_len;
        if self.cur.partial.len() > max {
            self.opts
                .recover(&mut self.cur.partial_notes, Note::LineTruncated, || {
                    Error::new(
                        ErrorKind::Limit,
                        format!("a line is longer than {max} bytes (the max_line_len option)"),
                    )
                })?;
            let mut cut = Cow::Borrowed(self.cur.partial.as_str());
            text::truncate_cow(&mut cut, max);
            let keep = cut.len();
            self.cur.partial.truncate(keep);
            // Nothing after the cut can matter any more, but a final `\r`
            // must still be seen to be dropped like a CRLF: keep one byte.
            self.cur.partial_tail.clear();
        }
        Ok(())
    }
}

/// Drops a CRLF's `\r`, cuts an over-long line, attaches pending notes, and
/// makes the event.
fn finish_line<'p>(
    machine: &mut Machine<'p>,
    mut line: Cow<'p, str>,
    mut notes: Notes,
    pending: &mut Notes,
    opts: &Options,
    loc: Loc<'_>,
) -> Result<LogEvent<'p>, Error> {
    if line.ends_with('\r') {
        match &mut line {
            Cow::Borrowed(s) => *s = s.get(..s.len() - 1).unwrap_or_default(),
            Cow::Owned(s) => {
                s.pop();
            }
        }
    }
    super::cut_long_line(&mut line, &mut notes, opts, loc)?;
    notes.extend(std::mem::take(pending));
    machine.line(line, notes, opts, loc)
}

/// The events of one page parsed on its own: the page's lines, then the
/// unfinished last line (flushed as if the log ended there).
pub(crate) struct SinglePage<'a> {
    follower: Follower,
    run: Option<Run<'a>>,
    input: &'a [u8],
}

impl<'a> SinglePage<'a> {
    pub(crate) fn new(input: &'a [u8], opts: &Options) -> Result<Self, Error> {
        let mut follower = Follower::new(opts.clone());
        let run = follower.begin_page(input)?;
        Ok(SinglePage {
            follower,
            run: Some(run),
            input,
        })
    }
}

impl<'a> Iterator for SinglePage<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(run) = &mut self.run {
            if let Some(e) = self.follower.next_in(run) {
                return Some(e);
            }
            if let Some(run) = self.run.take() {
                self.follower.end_run(run);
            }
        }
        self.follower.flush(self.input).transpose()
    }
}
