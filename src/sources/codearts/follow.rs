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

use serde::{Deserialize, Serialize};

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

/// What the page offsets count, once inferred.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Not inferred yet (every page so far was ASCII, or nothing fitted).
    #[default]
    Unknown,
    /// Offsets count UTF-8 bytes of the decoded content.
    Bytes,
    /// Offsets count characters (Unicode scalar values).
    Chars,
}

/// Where a followed log stands: enough to resume without loss or duplication.
///
/// Serialize it (it is `serde`-serializable) after each page; build a
/// [`Follower::resume`] from it later.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    offset: Option<u64>,
    recent: VecDeque<PageSig>,
    unit: OffsetUnit,
    partial: String,
    partial_tail: Vec<u8>,
    partial_notes: Notes,
    open_step: Option<(String, String)>,
    next_seq: u64,
    more: Option<bool>,
    pending: Notes,
    source: Option<Source>,
    bom_checked: bool,
}

impl Cursor {
    /// The offset to request next (the end of the last page), if any page
    /// carried offsets.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// The inferred offset unit.
    pub fn unit(&self) -> OffsetUnit {
        self.unit
    }

    /// The `seq` the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Bytes of an unfinished line held back.
    pub fn held_back(&self) -> usize {
        self.partial.len() + self.partial_tail.len()
    }

    /// Whether the last page said no more data is available (`has_more_data`
    /// false). The build may still be running: poll its status to know.
    pub fn no_more_data(&self) -> bool {
        self.more == Some(false)
    }

    /// Notes waiting for the next event (a gap or rewind seen on a page that
    /// produced no event).
    pub fn pending_notes(&self) -> Notes {
        self.pending
    }
}

/// How many recent pages are remembered to recognise a stale copy.
const RECENT_PAGES: usize = 16;

/// A cheap signature of a page: its offsets, content length, and a hash of
/// the first and last 64 bytes of its content. A stale copy of a page seen
/// before matches it; a rewound log (new text at old offsets) does not,
/// since its lines carry other millisecond timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct PageSig {
    start: u64,
    end: u64,
    len: u64,
    sample: u64,
}

impl PageSig {
    fn of(start: u64, end: u64, content: Option<&str>) -> PageSig {
        let c = content.unwrap_or_default().as_bytes();
        // FNV-1a over a sample: stable across processes and versions.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let head = c.get(..c.len().min(64)).unwrap_or_default();
        let tail = c.get(c.len().saturating_sub(64)..).unwrap_or_default();
        for &b in head.iter().chain(tail) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        PageSig {
            start,
            end,
            len: c.len() as u64,
            sample: h,
        }
    }
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
    /// # Errors
    /// A vendor error body, an unreadable page, or (strict mode) a gap,
    /// rewind or malformed line. After an error, resume from a cursor saved
    /// before this page.
    pub fn feed_page<'p>(
        &mut self,
        page: &'p [u8],
        mut emit: impl FnMut(LogEvent<'p>),
    ) -> Result<(), Error> {
        let mut run = self.begin_page(page)?;
        let redact = self.opts.redact;
        loop {
            // An event is a few hundred bytes: moved once, not bound first.
            match self.next_in(&mut run) {
                Some(Ok(e)) if !redact => emit(e),
                Some(Ok(mut e)) => {
                    crate::redact::apply(&mut e);
                    emit(e);
                }
                Some(Err(err)) => return Err(err),
                None => break,
            }
        }
        self.end_run(run);
        Ok(())
    }

    /// Feeds one chunk of plain log text (a task-log file read piece by
    /// piece). Chunks may split lines and multi-byte characters anywhere.
    ///
    /// # Errors
    /// Strict mode: a malformed line (invalid UTF-8, a bad prefix, a line
    /// over `max_line_len`).
    pub fn feed_text<'c>(
        &mut self,
        chunk: &'c [u8],
        mut emit: impl FnMut(LogEvent<'c>),
    ) -> Result<(), Error> {
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
            emit(self.redacted(e));
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
                // An event is a few hundred bytes: moved once, not bound first.
                match it.next() {
                    Some(Ok(e)) if !redact => emit(e),
                    Some(Ok(mut e)) => {
                        crate::redact::apply(&mut e);
                        emit(e);
                    }
                    Some(Err(err)) => {
                        self.cur.pending = it.pending;
                        return Err(err);
                    }
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
    /// the log is complete (the build finished) or when giving up.
    ///
    /// The event carries `unterminated_line` if the last page still
    /// announced more data.
    ///
    /// # Errors
    /// Strict mode: the flushed line is malformed.
    pub fn finish(&mut self, mut emit: impl FnMut(LogEvent<'static>)) -> Result<(), Error> {
        if let Some(e) = self.flush(&[])? {
            emit(self.redacted(e));
        }
        Ok(())
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
        Machine::new(source, self.cur.next_seq, open)
    }

    fn store_machine(&mut self, m: Machine<'_>) {
        self.cur.next_seq = m.seq;
        self.cur.open_step = m.open.map(|(a, b)| (a.into_owned(), b.into_owned()));
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

    /// Parses a page and decides what of it is new.
    fn begin_page<'p>(&mut self, bytes: &'p [u8]) -> Result<Run<'p>, Error> {
        if self.cur.source.is_none() {
            self.cur.source = Some(Source::CodeartsRealtimeLog);
        }
        let source = self.source(Source::CodeartsRealtimeLog);
        let page = page::parse(bytes, &self.opts).map_err(|e| e.with_source(source))?;
        let mut pending = page.notes;
        let loc = Loc {
            input: bytes,
            byte: page.content_at,
        };
        let mut skip: u64 = 0;
        let mut drop = false;
        let mut gap = false;
        let mut rewound = false;
        if let (Some(c), Some(s), Some(e)) = (self.cur.offset, page.start, page.end) {
            if e < s {
                rewound = true;
                self.opts.recover(&mut pending, Note::OffsetRewind, || {
                    loc.error(
                        ErrorKind::Offset,
                        format!("the page ends (offset {e}) before it starts (current_offset {s})"),
                    )
                })?;
            } else if s > c {
                self.opts.recover(&mut pending, Note::PageGap, || {
                    loc.error(
                        ErrorKind::Offset,
                        format!("the page starts at offset {s} but the log so far ends at {c}: text is missing"),
                    )
                })?;
                gap = true;
            } else if s < c {
                if e <= c {
                    drop = true;
                    let sig = PageSig::of(s, e, page.content);
                    // A copy of a recent page, an empty range, or a re-fetch
                    // that ends where we are: nothing new, nothing lost.
                    let repeat = e == c || e == s || self.cur.recent.contains(&sig);
                    if !repeat {
                        rewound = true;
                        self.opts.recover(&mut pending, Note::OffsetRewind, || {
                            loc.error(
                                ErrorKind::Offset,
                                format!("the page (offsets {s}..{e}) lies before the log so far (offset {c})"),
                            )
                        })?;
                    }
                } else {
                    skip = c - s;
                    pending.insert(Note::PageOverlap);
                }
            }
        }
        if let (Some(s), Some(e), Some(content)) = (page.start, page.end, page.content)
            && self.cur.unit == OffsetUnit::Unknown
            && e > s
        {
            self.cur.unit = infer_unit(e - s, content, self.cur.unit);
        }
        if let Some(e) = page.end
            && page.start.is_none_or(|s| e >= s)
        {
            self.cur.offset = Some(match self.cur.offset {
                Some(c) if drop => c,
                Some(c) if !gap => c.max(e),
                _ => e,
            });
        }

        if let (Some(s), Some(e)) = (page.start, page.end)
            && !rewound
            && !self.cur.recent.contains(&PageSig::of(s, e, page.content))
        {
            if self.cur.recent.len() == RECENT_PAGES {
                self.cur.recent.pop_front();
            }
            self.cur.recent.push_back(PageSig::of(s, e, page.content));
        }
        if let Some(m) = page.has_more {
            self.cur.more = Some(m);
        }
        self.cur.pending.extend(pending);
        let mut machine = self.machine(source);
        let mut flush_first = None;
        if gap && self.cur.held_back() > 0 {
            // The held-back text cannot be joined across missing text.
            let saved_more = self.cur.more;
            self.cur.more = Some(true);
            self.store_machine(machine);
            flush_first = self.flush(bytes)?;
            self.cur.more = saved_more;
            // Both sides of the missing text carry the note.
            self.cur.pending.insert(Note::PageGap);
            machine = self.machine(source);
        }
        let breaks = page.breaks;
        let lines = match page.content {
            None => Lines::Done,
            _ if drop => Lines::Done,
            Some(raw) if skip > 0 => {
                let decoded = json::decode_str(raw).unwrap_or_default().into_owned();
                let mut notes = Notes::EMPTY;
                let rest = skip_units(&decoded, skip, self.cur.unit, &mut notes);
                Lines::Owned(split_owned(rest), notes)
            }
            Some(raw) => {
                let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                match page::literal_newlines(body, &self.opts) {
                    Some(lines) => Lines::Owned(lines, Note::LiteralNewlines.into()),
                    None => {
                        machine.borrow_open_from(body.as_bytes());
                        Lines::Json(ContentLines::new(body, breaks))
                    }
                }
            }
        };
        Ok(Run {
            lines,
            machine,
            flush_first,
            input: bytes,
            base: page.content_at,
        })
    }

    /// The event of a complete line of a page's content that needed no
    /// decoding: [`finish_line`] for a line with nothing to drop or clean (a
    /// JSON string holds no raw control character, so no CR or ESC).
    #[inline]
    fn plain_line<'p>(
        &mut self,
        machine: &mut Machine<'p>,
        mut line: &'p str,
        loc: Loc<'_>,
    ) -> Result<LogEvent<'p>, Error> {
        let mut notes = Notes::EMPTY;
        if line.len() > self.opts.max_line_len {
            let mut cut = Cow::Borrowed(line);
            super::cut_long_line(&mut cut, &mut notes, &self.opts, loc)?;
            if let Cow::Borrowed(c) = cut {
                line = c;
            }
        }
        notes.extend(std::mem::take(&mut self.cur.pending));
        machine.plain_line(line, notes, &self.opts, loc)
    }

    /// The next event of a run, or `None` when its lines are used up (an
    /// unfinished last line is then held back).
    fn next_in<'p>(&mut self, run: &mut Run<'p>) -> Option<Result<LogEvent<'p>, Error>> {
        if let Some(e) = run.flush_first.take() {
            return Some(Ok(e));
        }
        loop {
            let (text, terminated, mut notes): (Cow<'p, str>, bool, Notes) = match &mut run.lines {
                Lines::Done => return None,
                Lines::Json(it) => match it.next() {
                    None => {
                        run.lines = Lines::Done;
                        return None;
                    }
                    Some(StrLine {
                        text: Cow::Borrowed(line),
                        terminated: true,
                        ..
                    }) if self.cur.held_back() == 0 => {
                        let loc = run.loc();
                        return Some(self.plain_line(&mut run.machine, line, loc));
                    }
                    Some(l) => {
                        let mut notes = Notes::EMPTY;
                        if l.invalid_escape {
                            let loc = Loc {
                                input: run.input,
                                byte: run.base,
                            };
                            if let Err(e) =
                                self.opts.recover(&mut notes, Note::InvalidEscape, || {
                                    loc.error(
                                        ErrorKind::Syntax,
                                        "invalid escape in the log content",
                                    )
                                })
                            {
                                return Some(Err(e));
                            }
                        }
                        (l.text, l.terminated, notes)
                    }
                },
                Lines::Owned(q, notes) => match q.pop_front() {
                    None => {
                        run.lines = Lines::Done;
                        return None;
                    }
                    Some((t, term)) => (Cow::Owned(t), term, *notes),
                },
            };
            if !terminated {
                // The last piece of the page: hold it back.
                let held = self.cur.held_back() > 0;
                if held || !text.is_empty() {
                    self.cur.partial.push_str(&text);
                    self.cur.partial_notes.extend(notes);
                    if let Err(e) = self.cap_partial() {
                        return Some(Err(e));
                    }
                }
                continue;
            }
            let line: Cow<'p, str> = if self.cur.held_back() > 0 {
                notes.extend(std::mem::take(&mut self.cur.partial_notes));
                let tail = std::mem::take(&mut self.cur.partial_tail);
                let mut joined = std::mem::take(&mut self.cur.partial);
                joined.push_str(&text::utf8_lossy(&tail, &mut notes));
                joined.push_str(&text);
                Cow::Owned(joined)
            } else {
                text
            };
            let loc = Loc {
                input: run.input,
                byte: run.base,
            };
            return Some(finish_line(
                &mut run.machine,
                line,
                notes,
                &mut self.cur.pending,
                &self.opts,
                loc,
            ));
        }
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

/// Splits decoded text into (line, terminated) pairs.
fn split_owned(text: &str) -> VecDeque<(String, bool)> {
    let mut out = VecDeque::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('\n') {
            Some(i) => {
                out.push_back((rest.get(..i).unwrap_or_default().to_owned(), true));
                rest = rest.get(i + 1..).unwrap_or_default();
            }
            None => {
                out.push_back((rest.to_owned(), false));
                break;
            }
        }
    }
    out
}

/// `text` without its first `n` units (bytes or chars; bytes when unknown,
/// noted). A byte count inside a character moves to its end.
fn skip_units<'t>(text: &'t str, n: u64, unit: OffsetUnit, notes: &mut Notes) -> &'t str {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    match unit {
        OffsetUnit::Chars => match text.char_indices().nth(n) {
            Some((i, _)) => text.get(i..).unwrap_or_default(),
            None => "",
        },
        OffsetUnit::Bytes | OffsetUnit::Unknown => {
            if unit == OffsetUnit::Unknown && !text.is_ascii() {
                notes.insert(Note::OffsetUnitUnknown);
            }
            let mut i = n.min(text.len());
            while i < text.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            text.get(i..).unwrap_or_default()
        }
    }
}

/// Infers the offset unit from a page whose offsets span `span` units.
fn infer_unit(span: u64, content: &str, current: OffsetUnit) -> OffsetUnit {
    let body = content
        .get(1..content.len().saturating_sub(1))
        .unwrap_or_default();
    // Plain ASCII without \u escapes: bytes and chars agree, nothing to learn.
    if body.is_ascii() && memchr::memmem::find(body.as_bytes(), b"\\u").is_none() {
        return current;
    }
    let (bytes, chars) = json::decoded_len(body);
    match (span == bytes as u64, span == chars as u64) {
        (true, false) => OffsetUnit::Bytes,
        (false, true) => OffsetUnit::Chars,
        _ => current,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(start: u64, end: u64, content: &str, more: bool) -> String {
        format!(
            r#"{{"result":{{"has_more_data":{more},"current_offset":{start},"offset":{end},"content":{}}},"error":null,"status":"success"}}"#,
            serde_json::to_string(content).unwrap()
        )
    }

    fn follow(pages: &[String], opts: &Options) -> Vec<String> {
        let mut f = Follower::new(opts.clone());
        let mut out = Vec::new();
        for p in pages {
            f.feed_page(p.as_bytes(), |e| out.push(render(&e))).unwrap();
        }
        f.finish(|e| out.push(render(&e))).unwrap();
        out
    }

    fn render(e: &LogEvent<'_>) -> String {
        let notes: Vec<_> = e.notes.iter().map(Note::code).collect();
        format!("{}|{}|{}", e.seq, e.message, notes.join(","))
    }

    #[test]
    fn partial_lines_are_joined_across_pages() {
        let pages = [
            page(0, 4, "ab\ncd", true),
            page(4, 8, "ef\ngh", true),
            page(8, 8, "", false),
        ];
        assert_eq!(
            follow(&pages, &Options::default()),
            ["0|ab|no_prefix", "1|cdef|no_prefix", "2|gh|no_prefix"]
        );
    }

    #[test]
    fn repeated_and_overlapping_pages_are_deduplicated() {
        let pages = [
            page(0, 6, "one\ntw", true),
            page(0, 6, "one\ntw", true),
            page(3, 10, "\ntwo\nthr", true),
            page(10, 10, "", true),
            page(10, 14, "ee\n", false),
        ];
        assert_eq!(
            follow(&pages, &Options::default()),
            [
                "0|one|no_prefix",
                "1|two|no_prefix,page_overlap",
                "2|three|no_prefix"
            ]
        );
    }

    #[test]
    fn gaps_and_rewinds_are_noted() {
        let pages = [
            page(0, 4, "one\n", true),
            page(8, 12, "two\n", true),
            page(2, 6, "xxxx", true),
            page(12, 18, "three\n", false),
        ];
        assert_eq!(
            follow(&pages, &Options::default()),
            [
                "0|one|no_prefix",
                "1|two|page_gap,no_prefix",
                "2|three|offset_rewind,no_prefix"
            ]
        );
        let mut f = Follower::new(Options::strict());
        f.feed_page(pages[0].as_bytes(), |_| {}).unwrap();
        let err = f.feed_page(pages[1].as_bytes(), |_| {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Offset);
        assert!(
            err.to_string()
                .contains("the page starts at offset 8 but the log so far ends at 4")
        );
    }

    /// Regression (found by `pages_equal_whole`): a page that was redundant
    /// when it arrived (it ended where the log already was) was not
    /// remembered, so a later stale copy of it was reported as a rewind.
    #[test]
    fn stale_copy_of_a_redundant_page_is_not_a_rewind() {
        let pages = [
            page(0, 4, "ab\nc", true),
            page(2, 8, "\ncdef\ng", true),
            page(4, 8, "def\ng", true),
            page(8, 10, "h\n", true),
            page(4, 8, "def\ng", true),
            page(10, 10, "", false),
        ];
        assert_eq!(
            follow(&pages, &Options::strict()),
            [
                "0|ab|no_prefix",
                "1|cdef|no_prefix,page_overlap",
                "2|gh|no_prefix"
            ]
        );
    }

    #[test]
    fn gap_flushes_the_held_back_line() {
        let pages = [page(0, 6, "one\ntw", true), page(9, 13, "two\n", false)];
        assert_eq!(
            follow(&pages, &Options::default()),
            [
                "0|one|no_prefix",
                "1|tw|page_gap,no_prefix,unterminated_line",
                "2|two|page_gap,no_prefix"
            ]
        );
    }

    #[test]
    fn unit_is_inferred_from_non_ascii_pages() {
        // "中\n" is 4 bytes, 2 chars.
        let mut f = Follower::new(Options::default());
        f.feed_page(page(0, 4, "中\n", true).as_bytes(), |_| {})
            .unwrap();
        assert_eq!(f.cursor().unit(), OffsetUnit::Bytes);
        let mut f = Follower::new(Options::default());
        f.feed_page(page(0, 2, "中\n", true).as_bytes(), |_| {})
            .unwrap();
        assert_eq!(f.cursor().unit(), OffsetUnit::Chars);
        // Overlap by 1 char: skip "中".
        let mut out = Vec::new();
        f.feed_page(page(1, 4, "\nb\n", false).as_bytes(), |e| {
            out.push(e.message.into_owned())
        })
        .unwrap();
        assert_eq!(out, ["b"]);
    }

    #[test]
    fn text_chunks_split_inside_characters() {
        let text = "[2023/12/21 15:44:18.744 GMT+08:00] 中文\r\nsecond\n\nlast";
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let mut f = Follower::new(Options::default());
            let mut out = Vec::new();
            f.feed_text(&bytes[..cut], |e| out.push(e.into_owned()))
                .unwrap();
            f.feed_text(&bytes[cut..], |e| out.push(e.into_owned()))
                .unwrap();
            f.finish(|e| out.push(e)).unwrap();
            let msgs: Vec<_> = out.iter().map(|e| e.message.to_string()).collect();
            assert_eq!(msgs, ["中文", "second", "", "last"], "cut at {cut}");
            assert!(out.iter().all(|e| !e.notes.contains(Note::InvalidUtf8)));
        }
    }

    /// [`Follower::feed_text`] as it was before it used the whole-log text
    /// path: every complete line split, decoded, and handed to
    /// [`finish_line`] one at a time, each error at the start of the
    /// chunk's new lines.
    fn old_feed_text<'c>(
        f: &mut Follower,
        chunk: &'c [u8],
        mut emit: impl FnMut(LogEvent<'c>),
    ) -> Result<(), Error> {
        if f.cur.source.is_none() {
            f.cur.source = Some(Source::CodeartsLog);
        }
        let mut data = chunk;
        let source = f.source(Source::CodeartsLog);
        if !f.cur.bom_checked {
            const BOM: &[u8] = b"\xEF\xBB\xBF";
            let need = 3 - f.cur.partial_tail.len().min(3);
            let mut probe = f.cur.partial_tail.clone();
            probe.extend(chunk.iter().take(need));
            if BOM.starts_with(&probe) {
                if probe.len() < 3 {
                    f.cur.partial_tail = probe;
                    return Ok(());
                }
                f.cur.partial_tail.clear();
                data = chunk.get(need..).unwrap_or_default();
            }
            f.cur.bom_checked = true;
        }
        if f.cur.held_back() > 0 {
            let Some(nl) = memchr::memchr(b'\n', data) else {
                f.hold_back(data)?;
                return Ok(());
            };
            let mut bytes = std::mem::take(&mut f.cur.partial_tail);
            bytes.extend_from_slice(&data[..nl]);
            let mut notes = std::mem::take(&mut f.cur.partial_notes);
            let decoded = text::utf8_lossy(&bytes, &mut notes);
            let mut line = std::mem::take(&mut f.cur.partial);
            line.push_str(&decoded);
            let mut machine = f.machine(source);
            let e = finish_line(
                &mut machine,
                Cow::Owned(line),
                notes,
                &mut f.cur.pending,
                &f.opts,
                Loc {
                    input: chunk,
                    byte: 0,
                },
            )?;
            f.store_machine(machine);
            emit(f.redacted(e));
            data = &data[nl + 1..];
        }
        let loc = Loc {
            input: chunk,
            byte: chunk.len() - data.len(),
        };
        let mut machine = f.machine(source);
        let mut pos = 0;
        loop {
            let rest = &data[pos..];
            let Some(nl) = memchr::memchr(b'\n', rest) else {
                if !rest.is_empty() {
                    f.hold_back(rest)?;
                }
                break;
            };
            let line = &rest[..nl];
            pos += nl + 1;
            let mut notes = Notes::EMPTY;
            let text = match std::str::from_utf8(line) {
                Ok(s) => Cow::Borrowed(s),
                Err(_) => {
                    f.opts.recover(&mut notes, Note::InvalidUtf8, || {
                        loc.error(ErrorKind::Utf8, "a line is not valid UTF-8")
                    })?;
                    String::from_utf8_lossy(line)
                }
            };
            let e = finish_line(&mut machine, text, notes, &mut f.cur.pending, &f.opts, loc)?;
            emit(f.redacted(e));
        }
        f.store_machine(machine);
        Ok(())
    }

    /// [`Follower::next_in`] as it was before its fast path for plain lines
    /// of a page: every line through [`finish_line`].
    fn old_next_in<'p>(f: &mut Follower, run: &mut Run<'p>) -> Option<Result<LogEvent<'p>, Error>> {
        if let Some(e) = run.flush_first.take() {
            return Some(Ok(e));
        }
        loop {
            let (text, terminated, mut notes): (Cow<'p, str>, bool, Notes) = match &mut run.lines {
                Lines::Done => return None,
                Lines::Json(it) => match it.next() {
                    None => {
                        run.lines = Lines::Done;
                        return None;
                    }
                    Some(l) => {
                        let mut notes = Notes::EMPTY;
                        if l.invalid_escape {
                            let loc = Loc {
                                input: run.input,
                                byte: run.base,
                            };
                            if let Err(e) = f.opts.recover(&mut notes, Note::InvalidEscape, || {
                                loc.error(ErrorKind::Syntax, "invalid escape in the log content")
                            }) {
                                return Some(Err(e));
                            }
                        }
                        (l.text, l.terminated, notes)
                    }
                },
                Lines::Owned(q, notes) => match q.pop_front() {
                    None => {
                        run.lines = Lines::Done;
                        return None;
                    }
                    Some((t, term)) => (Cow::Owned(t), term, *notes),
                },
            };
            if !terminated {
                // The last piece of the page: hold it back.
                let held = f.cur.held_back() > 0;
                if held || !text.is_empty() {
                    f.cur.partial.push_str(&text);
                    f.cur.partial_notes.extend(notes);
                    if let Err(e) = f.cap_partial() {
                        return Some(Err(e));
                    }
                }
                continue;
            }
            let line: Cow<'p, str> = if f.cur.held_back() > 0 {
                notes.extend(std::mem::take(&mut f.cur.partial_notes));
                let tail = std::mem::take(&mut f.cur.partial_tail);
                let mut joined = std::mem::take(&mut f.cur.partial);
                joined.push_str(&text::utf8_lossy(&tail, &mut notes));
                joined.push_str(&text);
                Cow::Owned(joined)
            } else {
                text
            };
            let loc = Loc {
                input: run.input,
                byte: run.base,
            };
            return Some(finish_line(
                &mut run.machine,
                line,
                notes,
                &mut f.cur.pending,
                &f.opts,
                loc,
            ));
        }
    }

    /// [`Follower::feed_page`] as it was before its fast path: the page's
    /// run without the open step borrowed from the page, and every line
    /// through [`old_next_in`].
    fn old_feed_page<'p>(
        f: &mut Follower,
        page: &'p [u8],
        mut emit: impl FnMut(LogEvent<'p>),
    ) -> Result<(), Error> {
        let mut run = f.begin_page(page)?;
        run.machine = f.machine(f.source(Source::CodeartsRealtimeLog));
        if let Lines::Json(ContentLines::Found { body, .. }) = run.lines {
            run.lines = Lines::Json(ContentLines::Split(crate::json::StrLines::new(body)));
        }
        while let Some(e) = old_next_in(f, &mut run) {
            emit(f.redacted(e?));
        }
        f.end_run(run);
        Ok(())
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// `feed_text` (the whole-log text path over each chunk's complete
        /// lines, steps carried in from earlier chunks borrowed from the
        /// chunk) gives the events, errors and cursors of the old per-line
        /// path, for any chunking, options and starting cursor.
        #[test]
        fn feed_text_agrees_with_old_path(
            lines in prop::collection::vec((super::super::tests::any_line(), 0u8..4), 0..12),
            last in prop::bool::ANY,
            bom in prop::bool::ANY,
            picks in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
            strict in prop::bool::ANY,
            raw in prop::bool::ANY,
            redact in prop::bool::ANY,
            max in prop::option::of(0usize..40),
            open in prop::option::of(prop_oneof![
                Just(("m2", "Maven构建")),
                Just(("co", "代码检出")),
                Just(("absent", "nowhere")),
            ]),
            pending in prop::bool::ANY,
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
            opts.redact = redact;
            let cursor = Cursor {
                open_step: open.map(|(id, name)| (id.to_owned(), name.to_owned())),
                pending: if pending { Note::PageGap.into() } else { Notes::EMPTY },
                ..Cursor::default()
            };
            let mut cuts: Vec<usize> = picks.iter().map(|p| p.index(input.len() + 1)).collect();
            cuts.push(input.len());
            cuts.sort_unstable();
            let mut new = Follower::resume(cursor.clone(), opts.clone());
            let mut old = Follower::resume(cursor, opts);
            let mut prev = 0;
            for cut in cuts {
                let chunk = &input[prev..cut];
                prev = cut;
                let (mut got, mut want) = (Vec::new(), Vec::new());
                let got_r = new.feed_text(chunk, |e| got.push(e)).map_err(|e| e.to_string());
                let want_r = old_feed_text(&mut old, chunk, |e| want.push(e)).map_err(|e| e.to_string());
                prop_assert_eq!(&got, &want, "input {:?}", String::from_utf8_lossy(&input));
                prop_assert_eq!(&got_r, &want_r);
                prop_assert_eq!(new.cursor(), old.cursor());
                if got_r.is_err() {
                    return Ok(());
                }
            }
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let got_r = new.finish(|e| got.push(e)).map_err(|e| e.to_string());
            let want_r = old.finish(|e| want.push(e)).map_err(|e| e.to_string());
            prop_assert_eq!(got, want);
            prop_assert_eq!(got_r, want_r);
            prop_assert_eq!(new.cursor(), old.cursor());
        }
    }

    /// `s` as a JSON string literal: line breaks as `\n` or `\u000a`,
    /// `<` as `\u003c` (Go's encoder) or as itself.
    fn json_literal(s: &str, unicode_breaks: bool, go: bool) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '\n' if unicode_breaks => out.push_str("\\u000a"),
                '\n' => out.push_str("\\n"),
                '<' if go => out.push_str("\\u003c"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// `feed_page` (plain lines of a page straight to
        /// `Machine::plain_line`, the open step borrowed from the page)
        /// gives the events, errors and cursors of the old path, for any
        /// paging (byte or character offsets; repeated, empty, overlapping,
        /// missing and stale pages), escapes, options and starting cursor.
        #[test]
        fn feed_page_agrees_with_old_path(
            lines in prop::collection::vec((super::super::tests::any_line(), 0u8..4), 0..12),
            last in prop::bool::ANY,
            picks in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
            extras in prop::collection::vec((0u8..5, any::<prop::sample::Index>()), 0..4),
            chars in prop::bool::ANY,
            unicode_breaks in prop::bool::ANY,
            go in prop::bool::ANY,
            strict in prop::bool::ANY,
            raw in prop::bool::ANY,
            redact in prop::bool::ANY,
            max in prop::option::of(0usize..40),
            open in prop::option::of(prop_oneof![
                Just(("m2", "Maven构建")),
                Just(("co", "代码检出")),
                Just(("absent", "nowhere")),
            ]),
            pending in prop::bool::ANY,
        ) {
            let mut bytes = Vec::new();
            for (i, (line, brk)) in lines.iter().enumerate() {
                bytes.extend_from_slice(line);
                if i + 1 < lines.len() || last {
                    bytes.extend_from_slice(match brk { 0 => "\r\n", 1 => "\r\r\n", 2 => "\\n", _ => "\n" }.as_bytes());
                }
            }
            let log = String::from_utf8_lossy(&bytes).into_owned();
            let bounds: Vec<usize> = log.char_indices().map(|(i, _)| i).chain([log.len()]).collect();
            let unit = |byte: usize| -> usize {
                if chars { bounds.iter().position(|&b| b == byte).unwrap() } else { byte }
            };
            let page = |from: usize, to: usize, more: bool| -> String {
                format!(
                    r#"{{"result":{{"has_more_data":{more},"current_offset":{},"offset":{},"content":{}}},"error":null,"status":"success"}}"#,
                    unit(from), unit(to), json_literal(&log[from..to], unicode_breaks, go)
                )
            };
            let mut points: Vec<usize> = picks.iter().map(|p| bounds[p.index(bounds.len())]).collect();
            points.push(log.len());
            points.sort_unstable();
            points.dedup();
            let mut pages = Vec::new();
            let mut prev = 0;
            for (i, &cut) in points.iter().enumerate() {
                let mut skip = false;
                for (kind, at) in &extras {
                    if at.index(points.len()) == i {
                        match kind {
                            0 => pages.push(page(prev, cut, true)),
                            1 => pages.push(page(prev, prev, true)),
                            2 => {
                                let k = bounds.iter().position(|&b| b == prev).unwrap();
                                pages.push(page(bounds[k.saturating_sub(3)], cut, true));
                            }
                            3 => skip = true,
                            _ => pages.push(page(0, prev, true)),
                        }
                    }
                }
                if !skip {
                    pages.push(page(prev, cut, i + 1 < points.len()));
                }
                prev = cut;
            }
            let mut opts = if strict { Options::strict() } else { Options::default() };
            if raw {
                opts = opts.with_text(crate::options::TextMode::Raw);
            }
            if let Some(max) = max {
                opts = opts.with_max_line_len(max);
            }
            opts.redact = redact;
            let cursor = Cursor {
                open_step: open.map(|(id, name)| (id.to_owned(), name.to_owned())),
                pending: if pending { Note::PageGap.into() } else { Notes::EMPTY },
                ..Cursor::default()
            };
            let mut new = Follower::resume(cursor.clone(), opts.clone());
            let mut old = Follower::resume(cursor, opts);
            for p in &pages {
                let (mut got, mut want) = (Vec::new(), Vec::new());
                let got_r = new.feed_page(p.as_bytes(), |e| got.push(e)).map_err(|e| e.to_string());
                let want_r = old_feed_page(&mut old, p.as_bytes(), |e| want.push(e)).map_err(|e| e.to_string());
                prop_assert_eq!(&got, &want, "page {}", p);
                prop_assert_eq!(&got_r, &want_r);
                prop_assert_eq!(new.cursor(), old.cursor());
                if got_r.is_err() {
                    return Ok(());
                }
            }
            let (mut got, mut want) = (Vec::new(), Vec::new());
            let got_r = new.finish(|e| got.push(e)).map_err(|e| e.to_string());
            let want_r = old.finish(|e| want.push(e)).map_err(|e| e.to_string());
            prop_assert_eq!(got, want);
            prop_assert_eq!(got_r, want_r);
            prop_assert_eq!(new.cursor(), old.cursor());
        }
    }

    #[test]
    fn cursor_round_trips_through_json() {
        let mut f = Follower::new(Options::default());
        f.feed_page(
            page(
                0,
                6,
                "[2023/12/21 15:44:18.744 GMT+08:00] [INFO] [构建:b1] : 该步骤开始执行\nhal",
                true,
            )
            .as_bytes(),
            |_| {},
        )
        .unwrap();
        let json = serde_json::to_string(f.cursor()).unwrap();
        let back: Cursor = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, f.cursor());
        assert_eq!(back.held_back(), 3);
        assert_eq!(back.next_seq(), 1);
    }
}
