//! Tencent BlueKing JOB: v2 `get_job_instance_log` (source `bkjob-log`),
//! v3 `get_job_instance_ip_log` and `batch_get_job_instance_ip_log`
//! (`bkjob-ip-log`) and v3 `get_job_instance_status` (`bkjob-status`).
//!
//! Every response sits in the envelope `{result, code, message, data,
//! job_request_id, permission}`, to which the ESB or API gateway adds its
//! own `request_id` (32 hex digits, or a UUID), beside or instead of
//! `job_request_id`; `message` may be `""` or `"success"` on success, and
//! `data` and `permission` may be `null`. `result: false` or a `code` other
//! than 0 (number or string) is the vendor's error body. The request ids
//! are attributes (`job_request_id`, `request_id`, as sent) of the
//! response's first event: they name the response, not a line. Two server generations
//! answer v2 (research/formats.md §4.3): the legacy one (`retry_count`, times
//! with ` +0800`, raw text) and bk-job 3.x (`execute_count`, zone-less times
//! in the caller's zone — +08:00 unless the gateway said otherwise — and
//! HTML-escaped `log_content`). Both are read. v3 text is raw; v3 status
//! times are epoch milliseconds and durations milliseconds.
//!
//! In a v3 file log an upload (`mode` 0) is filed under its source host
//! (`src_ip`), as `batch_get_job_instance_ip_log` files it; the host the
//! call asked about is then the attribute `queried_host`.
//!
//! Events come lazily: steps, then host results, then the lines of each
//! host's log, walking the parsed payload without collecting the lines. A
//! line borrows from the input unless a JSON or HTML escape or a cleaning
//! step changed it.
//!
//! - [`codes`]: the status-code tables (public as `cilog::bkjob`);
//! - [`wire`]: the wire structs, and [`skim`]: the hand-written reader of the
//!   v2 log that leaves the long `log_content` strings to vector code;
//! - [`walk`]: the lazy walk over log payloads, [`cursor`]: over the lines of
//!   one `log_content`;
//! - [`lines`]: the text of a line (unescaped, entities decoded by
//!   [`entities`]); [`prefix`] and [`file_line`]: the line grammar;
//!   [`line_event`]: a line's event;
//! - [`status`](mod@status): the v3 status payload.

use std::borrow::Cow;
use std::time::Duration;

use chrono::FixedOffset;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Parsed, Scalar};
use crate::json::{self, Raw, Utf8Input};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;
use crate::status::Status;
use crate::time::Timestamp;

pub(crate) mod codes;
mod cursor;
mod entities;
mod file_line;
mod line_event;
mod lines;
mod prefix;
mod skim;
mod status;
mod walk;
mod wire;

pub(crate) use walk::BkEvents;

use codes::StatusCode;
use wire::RawField;

/// BlueKing servers render zone-less times in the caller's zone, which the
/// API gateway sets and which defaults to Asia/Shanghai (UTC+8, no DST).
const BK_DEFAULT_OFFSET_SECS: i32 = 8 * 3600;

/// The documented default offset of BlueKing zone-less stamps.
pub(crate) fn default_offset() -> FixedOffset {
    FixedOffset::east_opt(BK_DEFAULT_OFFSET_SECS).unwrap_or_else(crate::time::utc)
}

type Attrs<'a> = Vec<(&'static str, Scalar<'a>)>;

/// The document being read and how to read it: what every reader of a
/// BlueKing payload is handed.
pub(super) struct Doc<'a, 'o> {
    pub(super) input: &'a str,
    pub(super) opts: &'o Options,
    pub(super) source: Source,
    /// The offset for zone-less stamps.
    pub(super) offset: FixedOffset,
}

impl<'a, 'o> Doc<'a, 'o> {
    /// The document `input` of `source`, zone-less stamps in the options'
    /// offset or BlueKing's default.
    fn new(input: &'a str, opts: &'o Options, source: Source) -> Self {
        Doc {
            input,
            opts,
            source,
            offset: opts.offset_or(default_offset()),
        }
    }
}

impl<'a> Doc<'a, '_> {
    /// An error at byte `byte` of the input.
    pub(super) fn err_at(&self, kind: ErrorKind, detail: impl Into<String>, byte: usize) -> Error {
        Error::at(kind, detail, self.input.as_bytes(), byte).with_source(self.source)
    }

    /// An error at a raw value of the input.
    fn err_raw(&self, kind: ErrorKind, detail: impl Into<String>, raw: Raw<'_>) -> Error {
        self.err_at(kind, detail, raw.offset_in(self.input).unwrap_or(0))
    }

    /// Reads a text or id field (string or number). Empty text is absent; a
    /// value of another type is kept raw in `attrs` (lenient).
    fn text(
        &self,
        raw: RawField<'a>,
        name: &'static str,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Cow<'a, str>>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        match raw.text_value() {
            Ok(v) => Ok(v.filter(|s| !s.is_empty())),
            Err(_) => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!(
                            "`{name}` must be a string or a number, found {}",
                            clip(raw.text())
                        ),
                        raw,
                    )
                })?;
                keep_raw(attrs, name, raw);
                Ok(None)
            }
        }
    }

    /// Reads an integer field (number or numeric string) in `range`.
    fn int(
        &self,
        raw: RawField<'a>,
        name: &'static str,
        range: std::ops::RangeInclusive<i64>,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<i64>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        match raw.int_in(name, &range) {
            Ok(v) => Ok(v),
            Err(detail) => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(ErrorKind::Value, detail, raw)
                })?;
                keep_raw(attrs, name, raw);
                Ok(None)
            }
        }
    }

    /// Reads a boolean field into `attrs` (kept as sent when it is not one).
    fn flag(
        &self,
        raw: RawField<'a>,
        name: &'static str,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<(), Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(());
        };
        match raw.boolean() {
            Ok(Some(b)) => attrs.push((name, Scalar::Bool(b))),
            Ok(None) => {}
            Err(_) => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!("`{name}` must be a boolean, found {}", clip(raw.text())),
                        raw,
                    )
                })?;
                keep_raw(attrs, name, raw);
            }
        }
        Ok(())
    }

    /// Reads a status code through `table`: (status, vendor status as sent).
    fn status(
        &self,
        raw: RawField<'a>,
        table: CodeTable,
        notes: &mut Notes,
    ) -> Result<(Option<Status>, Option<Scalar<'a>>), Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok((None, None));
        };
        let sent = match raw.scalar() {
            Ok(Some(s)) => s,
            Ok(None) => return Ok((None, None)),
            Err(_) => Scalar::Str(Cow::Borrowed(raw.text())),
        };
        match raw.int() {
            Ok(Some(n)) => {
                let byte = raw.offset_in(self.input).unwrap_or(0);
                let (st, vendor) = self.code_status(n, sent, table, byte, notes)?;
                Ok((Some(st), Some(vendor)))
            }
            Ok(None) => Ok((None, None)),
            Err(_) => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!(
                            "{} must be an integer code, found {}",
                            table.what,
                            clip(raw.text())
                        ),
                        raw,
                    )
                })?;
                Ok((Some(Status::Unknown), Some(sent)))
            }
        }
    }

    /// Maps a status code through `table`; an unknown code is `unknown`
    /// with the note `unknown_status`, or an error in strict mode when
    /// `unknown_status_is_error` is set.
    pub(super) fn code_status(
        &self,
        n: i64,
        sent: Scalar<'a>,
        table: CodeTable,
        byte: usize,
        notes: &mut Notes,
    ) -> Result<(Status, Scalar<'a>), Error> {
        if let Some(c) = (table.lookup)(n) {
            return Ok((c.status, sent));
        }
        if self.opts.is_strict() && self.opts.unknown_status_is_error {
            return Err(self.err_at(
                ErrorKind::UnknownStatus,
                format!(
                    "BlueKing {} {n} is not in the table ({})",
                    table.what, table.known
                ),
                byte,
            ));
        }
        notes.insert(Note::UnknownStatus);
        Ok((Status::Unknown, sent))
    }

    /// Reads a `yyyy-MM-dd HH:mm:ss[ +0800]` time (v2). A bad value is kept
    /// raw in `attrs` under `raw_key`.
    fn written_time(
        &self,
        raw: RawField<'a>,
        raw_key: &'static str,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Timestamp>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        let parsed = match raw.text_value() {
            Ok(None) => return Ok(None),
            Ok(Some(s)) if s.trim().is_empty() => return Ok(None),
            Ok(Some(s)) => crate::time::parse_written(&s)
                .and_then(|w| w.resolve(self.offset))
                .map_err(|e| e.describe()),
            Err(_) => Err("expected a string"),
        };
        self.time_result(parsed, raw, raw_key, notes, attrs)
    }

    /// Reads an epoch-milliseconds time (v3). A bad value is kept raw in
    /// `attrs` under `raw_key`.
    fn epoch_time(
        &self,
        raw: RawField<'a>,
        raw_key: &'static str,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Timestamp>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        let parsed = match raw.int() {
            Ok(None) => return Ok(None),
            Ok(Some(ms)) => crate::time::from_epoch_millis(ms)
                .ok_or("epoch milliseconds out of the range of years 0-9999"),
            Err(_) => Err("expected epoch milliseconds (an integer)"),
        };
        self.time_result(parsed, raw, raw_key, notes, attrs)
    }

    fn time_result(
        &self,
        parsed: Result<Timestamp, &'static str>,
        raw: Raw<'a>,
        raw_key: &'static str,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Timestamp>, Error> {
        match parsed {
            Ok(t) => Ok(Some(t)),
            Err(why) => {
                self.opts.recover(notes, Note::InvalidTime, || {
                    self.err_raw(
                        ErrorKind::Time,
                        format!("{why}, found {}", clip(raw.text())),
                        raw,
                    )
                })?;
                keep_raw(attrs, raw_key, raw);
                Ok(None)
            }
        }
    }

    /// Reads a duration: decimal seconds (v2, number or string) or integer
    /// milliseconds (v3).
    fn duration(
        &self,
        raw: RawField<'a>,
        millis: bool,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Duration>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        let parsed = if millis {
            match raw.int() {
                Ok(None) => return Ok(None),
                Ok(Some(ms)) => u64::try_from(ms).map(Duration::from_millis).ok(),
                Err(_) => None,
            }
        } else {
            match raw.text_value() {
                Ok(None) => return Ok(None),
                Ok(Some(s)) if s.trim().is_empty() => return Ok(None),
                Ok(Some(s)) => decimal_seconds(&s),
                Err(_) => None,
            }
        };
        match parsed {
            Some(d) => Ok(Some(d)),
            None => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!(
                            "`total_time` must be a non-negative number of {}, found {}",
                            if millis { "milliseconds" } else { "seconds" },
                            clip(raw.text())
                        ),
                        raw,
                    )
                })?;
                keep_raw(attrs, "total_time", raw);
                Ok(None)
            }
        }
    }

    /// The host's name: its address, else its host id. The cloud area, and
    /// the host id when the address names the host, go to `attrs` as sent.
    fn host(
        &self,
        h: wire::Host<'a>,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<Cow<'a, str>>, Error> {
        let ip = self.text(h.ip, "ip", notes, attrs)?;
        let ipv6 = self.text(h.ipv6, "ipv6", notes, attrs)?;
        let (id_raw, id_name) = match non_empty(h.bk_host_id) {
            Some(_) => (h.bk_host_id, "bk_host_id"),
            None => (h.host_id, "host_id"),
        };
        let id = self.text(id_raw, id_name, notes, attrs)?;
        attr(attrs, "bk_cloud_id", h.bk_cloud_id);
        let name = match (ip, ipv6) {
            (Some(ip), v6) => {
                if let Some(v6) = v6 {
                    attrs.push(("ipv6", Scalar::Str(v6)));
                }
                ip
            }
            (None, Some(v6)) => v6,
            (None, None) => return Ok(id),
        };
        if id.is_some() {
            attr(attrs, "bk_host_id", id_raw);
        }
        Ok(Some(name))
    }

    /// A status event with the given context.
    fn status_event(&self, seq: &mut u64, ctx: Context<'a>) -> LogEvent<'a> {
        let mut e = LogEvent::new(self.source, EventKind::Status, *seq, Cow::Borrowed(""));
        *seq += 1;
        e.ctx = ctx;
        e
    }
}

/// A status-code table as the reader's messages name it.
#[derive(Clone, Copy)]
pub(super) struct CodeTable {
    /// The table's lookup.
    lookup: fn(i64) -> Option<&'static StatusCode>,
    /// What the code is called (`step status`).
    what: &'static str,
    /// The codes the table knows, for the message on an unknown one.
    known: &'static str,
}

impl CodeTable {
    /// A v2 step's `status`, a v3 step instance's.
    pub(super) const STEP: CodeTable = CodeTable {
        lookup: codes::step_status,
        what: "step status",
        known: "1-15",
    };
    /// A v3 job instance's `status`.
    pub(super) const JOB: CodeTable = CodeTable {
        what: "job status",
        ..CodeTable::STEP
    };
    /// A v2 host group's `ip_status`.
    pub(super) const IP_STATUS: CodeTable = CodeTable {
        lookup: codes::host_status,
        what: "host status (ip_status)",
        known: "the 32 codes of ExecuteObjectTaskStatusEnum",
    };
    /// A v3 host result's `status`.
    pub(super) const HOST: CodeTable = CodeTable {
        what: "host status",
        ..CodeTable::IP_STATUS
    };
    /// A v3 file task's `status`.
    pub(super) const FILE: CodeTable = CodeTable {
        lookup: codes::file_status,
        what: "file-transfer status",
        known: "0-5",
    };
    /// The `Status: <n>` of a file-transfer log line. Its message writes
    /// the range with an en dash where [`CodeTable::FILE`]'s has a hyphen;
    /// kept as released, since error messages are part of the output.
    pub(super) const FILE_LINE: CodeTable = CodeTable {
        known: "0–5",
        ..CodeTable::FILE
    };
}

/// Decimal seconds (`60.599`, `"1.204"`, `0`) as an exact duration; an
/// exponent form goes through `f64`. `None` if negative or not a number.
fn decimal_seconds(s: &str) -> Option<Duration> {
    let t = s.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if (!whole.is_empty() || !frac.is_empty())
        && digits(whole)
        && digits(frac)
        && whole.len() <= 12
        && frac.len() <= 9
    {
        let secs = if whole.is_empty() {
            0
        } else {
            whole.parse::<u64>().ok()?
        };
        let mut nanos = 0u32;
        for i in 0..9 {
            let d = frac.as_bytes().get(i).map_or(0, |b| u32::from(b - b'0'));
            nanos = nanos * 10 + d;
        }
        return Some(Duration::new(secs, nanos));
    }
    let f = t.parse::<f64>().ok()?;
    if !(0.0..1e12).contains(&f) {
        return None;
    }
    Duration::try_from_secs_f64(f).ok()
}

/// A percentage `100%`, `55`, `12.5%` (rounded). `Ok(None)` when empty.
pub(super) fn percent(s: &str) -> Result<Option<u8>, ()> {
    let t = s.trim();
    let t = t.strip_suffix('%').unwrap_or(t).trim_end();
    if t.is_empty() {
        return Ok(None);
    }
    if let Ok(p) = t.parse::<u8>() {
        return if p <= 100 { Ok(Some(p)) } else { Err(()) };
    }
    match t.parse::<f64>() {
        Ok(f) if (0.0..=100.0).contains(&f) => Ok(u8::try_from(f.round() as i64).ok()),
        _ => Err(()),
    }
}

/// A present, non-null, non-empty scalar.
fn non_empty(raw: RawField<'_>) -> Option<Scalar<'_>> {
    match raw.map(|r| Raw(r).scalar()) {
        Some(Ok(Some(v))) if !v.as_str().is_some_and(str::is_empty) => Some(v),
        _ => None,
    }
}

/// Adds a scalar attribute if present and not an empty string.
fn attr<'a>(attrs: &mut Attrs<'a>, name: &'static str, raw: RawField<'a>) {
    if let Some(Ok(Some(v))) = raw.map(|r| Raw(r).scalar()) {
        if v.as_str().is_some_and(str::is_empty) {
            return;
        }
        attrs.push((name, v));
    }
}

/// Adds a time as an RFC 3339 string attribute.
fn time_attr<'a>(attrs: &mut Attrs<'a>, name: &'static str, t: Option<Timestamp>) {
    if let Some(t) = t {
        attrs.push((name, Scalar::Str(Cow::Owned(t.to_string()))));
    }
}

pub(super) use crate::json::{clip, keep_raw};

// ---------------------------------------------------------------------------
// Front doors

/// What the log front doors return: the walk, or events already read.
pub(crate) type BkParsed<'a> = Parsed<'a, Box<BkEvents<'a>>>;

/// Parses a v2 `get_job_instance_log` response. Error positions are in the
/// text [`json::utf8_input`] made of `input` (the dispatch anchors them).
pub(crate) fn job_log<'a>(input: &'a [u8], opts: &Options) -> Result<BkParsed<'a>, Error> {
    front(input, opts, walk::job_log_str)
}

/// Parses a v3 `get_job_instance_ip_log` or `batch_get_job_instance_ip_log`
/// response.
pub(crate) fn ip_log<'a>(input: &'a [u8], opts: &Options) -> Result<BkParsed<'a>, Error> {
    front(input, opts, walk::ip_log_str)
}

/// Parses a v3 `get_job_instance_status` response.
pub(crate) fn status<'a>(input: &'a [u8], opts: &Options) -> Result<Vec<LogEvent<'a>>, Error> {
    match json::utf8_input(input, opts.is_strict())? {
        Utf8Input::Str(s) => status::status_str(s, opts),
        Utf8Input::Lossy(owned) => Ok(lossy(
            status::status_str(&owned, opts)?
                .into_iter()
                .map(LogEvent::into_owned)
                .collect(),
        )),
    }
}

/// UTF-8 handling shared by the front doors: borrowed when valid; in lenient
/// mode a lossy copy whose events are owned and noted `invalid_utf8`.
fn front<'a>(
    input: &'a [u8],
    opts: &Options,
    parse: for<'b> fn(&'b str, &Options) -> Result<BkParsed<'b>, Error>,
) -> Result<BkParsed<'a>, Error> {
    match json::utf8_input(input, opts.is_strict())? {
        Utf8Input::Str(s) => Ok(match parse(s, opts)? {
            // Lazy errors are anchored by the walk itself (see `BkEvents`).
            Parsed::Lazy(mut it) => {
                it.anchor = Some(input);
                Parsed::Lazy(it)
            }
            ready => ready,
        }),
        Utf8Input::Lossy(owned) => {
            let events = parse(&owned, opts)?
                .map(|e| e.map(LogEvent::into_owned))
                .collect::<Result<Vec<LogEvent<'static>>, Error>>()?;
            Ok(Parsed::ready(lossy(events)))
        }
    }
}

/// Events of a lossy copy, noted `invalid_utf8`.
fn lossy(mut events: Vec<LogEvent<'static>>) -> Vec<LogEvent<'static>> {
    for e in &mut events {
        e.notes.insert(Note::InvalidUtf8);
    }
    events
}

/// What the envelope holds: its `data`, and its request ids as the
/// attributes of the response's first event.
pub(super) struct Enveloped<'a, T> {
    pub(super) data: Option<T>,
    pub(super) ids: Attrs<'a>,
}

/// Reads the envelope and its `data`. A vendor error body becomes
/// [`ErrorKind::Vendor`], also when its `data` does not have the expected
/// shape.
fn envelope<'a, T>(doc: &Doc<'a, '_>) -> Result<Enveloped<'a, T>, Error>
where
    T: Deserialize<'a>,
{
    envelope_with(doc, |_| None)
}

/// The request ids of an envelope, as sent (a value that is not a scalar
/// is kept as its JSON text): `job_request_id` (JOB's), then `request_id`
/// (the ESB's or API gateway's).
fn request_ids<'a>(job_request_id: RawField<'a>, request_id: RawField<'a>) -> Attrs<'a> {
    let mut ids = Vec::new();
    for (name, raw) in [
        ("job_request_id", job_request_id),
        ("request_id", request_id),
    ] {
        let Some(raw) = raw.map(Raw) else { continue };
        match raw.scalar() {
            Ok(None) => {}
            Ok(Some(v)) if v.as_str().is_some_and(str::is_empty) => {}
            _ => keep_raw(&mut ids, name, raw),
        }
    }
    ids
}

/// [`envelope`], trying `fast` first: it reads the document as serde
/// would, or gives up (`None`) and serde reads it.
fn envelope_with<'a, T>(
    doc: &Doc<'a, '_>,
    fast: impl FnOnce(&'a str) -> Option<wire::Envelope<'a, T>>,
) -> Result<Enveloped<'a, T>, Error>
where
    T: Deserialize<'a>,
{
    let input = doc.input;
    json::check_depth(input.as_bytes(), doc.opts.max_depth)?;
    let start = crate::scan::skip_ws(input.as_bytes(), 0);
    if input.as_bytes().get(start) == Some(&b'[') {
        return Err(doc.err_at(
            ErrorKind::Schema,
            "expected a BlueKing envelope object {result, code, message, data}, found an array",
            start,
        ));
    }
    let parsed = match fast(input) {
        Some(env) => Ok(json::Obj(env)),
        None => serde_json::from_str::<json::Obj<wire::Envelope<'a, T>>>(input),
    };
    match parsed {
        Ok(json::Obj(env)) => {
            vendor_check(env.result, env.code, env.message)?;
            // An unreadable `result` is no verdict either way: strict mode
            // says so; lenient mode reads the data, and with none there is
            // nothing to read and nothing else to say.
            if let Some(r) = env.result.map(Raw)
                && r.boolean().is_err()
                && (doc.opts.is_strict() || env.data.is_none())
            {
                return Err(doc.err_raw(
                    ErrorKind::Value,
                    format!(
                        "`result` must be a boolean (or \"true\"/\"false\"), found {}",
                        clip(r.text())
                    ),
                    r,
                ));
            }
            if env.data.is_none() && env.result.is_none() && env.code.is_none() {
                return Err(doc.err_at(
                    ErrorKind::Schema,
                    "expected a BlueKing envelope with `result`, `code` and `data`",
                    start,
                ));
            }
            Ok(Enveloped {
                data: env.data,
                ids: request_ids(env.job_request_id, env.request_id),
            })
        }
        Err(e) => {
            if let Ok(json::Obj(bare)) =
                serde_json::from_str::<json::Obj<wire::BareEnvelope<'a>>>(input)
            {
                vendor_check(bare.result, bare.code, bare.message)?;
            }
            Err(json::serde_error(&e, input.as_bytes()))
        }
    }
}

/// `result: false` or a `code` other than 0 is the vendor's error body.
fn vendor_check(
    result: RawField<'_>,
    code: RawField<'_>,
    message: RawField<'_>,
) -> Result<(), Error> {
    let failed = result.map(Raw).and_then(|r| r.boolean().ok().flatten()) == Some(false);
    let bad_code = code
        .map(Raw)
        .is_some_and(|r| !matches!(r.int(), Ok(None) | Ok(Some(0))));
    if !failed && !bad_code {
        return Ok(());
    }
    let text = |r: RawField<'_>| {
        r.map(Raw)
            .and_then(|r| r.text_value().ok().flatten())
            .map(Cow::into_owned)
            .unwrap_or_default()
    };
    Err(Error::vendor_body(text(code), text(message)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn err_not_an_envelope() {
        for (input, want) in [
            (
                &b"{}"[..],
                "unexpected payload shape: the payload does not fit ",
            ),
            (
                b"[1]",
                "unexpected payload shape: expected a BlueKing envelope object {result, code, message, data}, found an array",
            ),
        ] {
            for src in [Source::BkjobLog, Source::BkjobIpLog, Source::BkjobStatus] {
                let err = crate::parse_as(src, input, &Options::strict()).unwrap_err();
                assert!(err.to_string().starts_with(want), "{src}: {err}");
                assert_eq!(err.payload_source(), Some(src));
            }
        }
    }

    #[test]
    fn ok_decimal_seconds() {
        let cases = [
            ("60.599", Duration::from_millis(60_599)),
            ("0", Duration::ZERO),
            ("1.204", Duration::from_millis(1204)),
            (" 0.363 ", Duration::from_millis(363)),
            ("5.", Duration::from_secs(5)),
            (".5", Duration::from_millis(500)),
            ("1.000000001", Duration::new(1, 1)),
            ("1e3", Duration::from_secs(1000)),
        ];
        for (s, want) in cases {
            assert_eq!(decimal_seconds(s), Some(want), "{s}");
        }
        for s in ["", ".", "-1", "abc", "1.2.3", "1e300", "NaN", "inf"] {
            assert_eq!(decimal_seconds(s), None, "{s}");
        }
    }

    #[test]
    fn ok_percent() {
        assert_eq!(percent("100%"), Ok(Some(100)));
        assert_eq!(percent(" 55 "), Ok(Some(55)));
        assert_eq!(percent("12.5%"), Ok(Some(13)));
        assert_eq!(percent(""), Ok(None));
        assert_eq!(percent("%"), Ok(None));
        assert_eq!(percent("101%"), Err(()));
        assert_eq!(percent("-1%"), Err(()));
        assert_eq!(percent("half"), Err(()));
    }

    fn vendor(json: &str) -> Option<(String, String)> {
        #[derive(Deserialize)]
        struct T<'a> {
            #[serde(borrow)]
            result: RawField<'a>,
            #[serde(borrow)]
            code: RawField<'a>,
            #[serde(borrow)]
            message: RawField<'a>,
        }
        let t: T<'_> = serde_json::from_str(json).unwrap();
        vendor_check(t.result, t.code, t.message).err().map(|e| {
            let v = e.vendor().unwrap();
            (v.code.clone(), v.message.clone())
        })
    }

    #[test]
    fn ok_envelopes_are_not_errors() {
        for json in [
            r#"{"result":true,"code":0,"message":""}"#,
            r#"{"result":true,"code":"0","message":null}"#,
            r#"{"result":null,"code":null,"message":null}"#,
            r#"{"result":"true","code":"","message":"ok"}"#,
        ] {
            assert_eq!(vendor(json), None, "{json}");
        }
    }

    #[test]
    fn err_envelopes_are_vendor_errors() {
        let cases = [
            (
                r#"{"result":false,"code":1244006,"message":"Task instance does not exist"}"#,
                ("1244006", "Task instance does not exist"),
            ),
            (
                r#"{"result":true,"code":"1241007","message":"bad"}"#,
                ("1241007", "bad"),
            ),
            (r#"{"result":false,"code":0,"message":null}"#, ("0", "")),
            (r#"{"result":false,"code":null,"message":"x"}"#, ("", "x")),
            (r#"{"result":null,"code":"E1","message":"x"}"#, ("E1", "x")),
        ];
        for (json, (code, msg)) in cases {
            assert_eq!(
                vendor(json),
                Some((code.to_owned(), msg.to_owned())),
                "{json}"
            );
        }
    }
}
