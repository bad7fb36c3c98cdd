//! Tencent BlueKing JOB: v2 `get_job_instance_log` (source `bkjob-log`),
//! v3 `get_job_instance_ip_log` and `batch_get_job_instance_ip_log`
//! (`bkjob-ip-log`) and v3 `get_job_instance_status` (`bkjob-status`).
//!
//! Every response sits in the envelope `{result, code, message, data,
//! job_request_id, permission}`; `result: false` or a `code` other than 0
//! (number or string) is the vendor's error body. Two server generations
//! answer v2 (research/formats.md §4.3): the legacy one (`retry_count`, times
//! with ` +0800`, raw text) and bk-job 3.x (`execute_count`, zone-less times
//! in the caller's zone — +08:00 unless the gateway said otherwise — and
//! HTML-escaped `log_content`). Both are read. v3 text is raw; v3 status
//! times are epoch milliseconds and durations milliseconds.
//!
//! Events come lazily: steps, then host results, then the lines of each
//! host's log, walking the parsed payload without collecting the lines. A
//! line borrows from the input unless a JSON or HTML escape or a cleaning
//! step changed it. Status codes are tables in [`codes`]; the line grammar is
//! in [`lines`].

use std::borrow::Cow;
use std::time::Duration;

use chrono::FixedOffset;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Scalar};
use crate::events::{Events, Inner};
use crate::json::{self, Raw, Utf8Input};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::sources::Source;
use crate::status::Status;
use crate::time::Timestamp;

pub(crate) mod codes;
mod lines;
mod wire;

use codes::StatusCode;
use lines::LineCursor;
use wire::R;

/// BlueKing servers render zone-less times in the caller's zone, which the
/// API gateway sets and which defaults to Asia/Shanghai (UTC+8, no DST).
const BK_DEFAULT_OFFSET_SECS: i32 = 8 * 3600;

/// The documented default offset of BlueKing zone-less stamps.
pub(crate) fn default_offset() -> FixedOffset {
    FixedOffset::east_opt(BK_DEFAULT_OFFSET_SECS).unwrap_or_else(crate::time::utc)
}

type Attrs<'a> = Vec<(&'static str, Scalar<'a>)>;

/// Shared state of one parse.
pub(super) struct Cx<'a, 'o> {
    pub(super) input: &'a str,
    pub(super) opts: &'o Options,
    pub(super) source: Source,
    /// The offset for zone-less stamps.
    pub(super) offset: FixedOffset,
}

impl<'a> Cx<'a, '_> {
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
        raw: R<'a>,
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
        raw: R<'a>,
        name: &'static str,
        range: std::ops::RangeInclusive<i64>,
        notes: &mut Notes,
        attrs: &mut Attrs<'a>,
    ) -> Result<Option<i64>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        match raw.int() {
            Ok(Some(v)) if range.contains(&v) => Ok(Some(v)),
            Ok(None) => Ok(None),
            _ => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!(
                            "`{name}` must be an integer in {}..={}, found {}",
                            range.start(),
                            range.end(),
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

    /// Reads a boolean field into `attrs` (kept as sent when it is not one).
    fn flag(
        &self,
        raw: R<'a>,
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
        raw: R<'a>,
        table: fn(i64) -> Option<&'static StatusCode>,
        what: &str,
        known: &str,
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
                let (st, vendor) = lookup_code(self, n, sent, table, what, known, byte, notes)?;
                Ok((Some(st), Some(vendor)))
            }
            Ok(None) => Ok((None, None)),
            Err(_) => {
                self.opts.recover(notes, Note::InvalidValue, || {
                    self.err_raw(
                        ErrorKind::Value,
                        format!("{what} must be an integer code, found {}", clip(raw.text())),
                        raw,
                    )
                })?;
                Ok((Some(Status::Unknown), Some(sent)))
            }
        }
    }

    /// Reads a `yyyy-MM-dd HH:mm:ss[ +0800]` time (v2). A bad value is kept
    /// raw in `attrs` under `raw_key`.
    fn written_time(
        &self,
        raw: R<'a>,
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
        raw: R<'a>,
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
        raw: R<'a>,
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

/// Maps a status code through `table`; an unknown code is `unknown` with
/// the note `unknown_status`, or an error in strict mode when
/// `unknown_status_is_error` is set.
#[allow(clippy::too_many_arguments)]
pub(super) fn lookup_code<'a>(
    cx: &Cx<'a, '_>,
    n: i64,
    sent: Scalar<'a>,
    table: fn(i64) -> Option<&'static StatusCode>,
    what: &str,
    known: &str,
    byte: usize,
    notes: &mut Notes,
) -> Result<(Status, Scalar<'a>), Error> {
    if let Some(c) = table(n) {
        return Ok((c.status, sent));
    }
    if cx.opts.is_strict() && cx.opts.unknown_status_is_error {
        return Err(cx.err_at(
            ErrorKind::UnknownStatus,
            format!("BlueKing {what} {n} is not in the table ({known})"),
            byte,
        ));
    }
    notes.insert(Note::UnknownStatus);
    Ok((Status::Unknown, sent))
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

/// Keeps a value that could not be read as an attribute, as sent.
fn keep_raw<'a>(attrs: &mut Attrs<'a>, name: &'static str, raw: Raw<'a>) {
    let value = match raw.scalar() {
        Ok(Some(s)) => s,
        _ => Scalar::Str(Cow::Borrowed(raw.text())),
    };
    attrs.push((name, value));
}

/// Adds a scalar attribute if present and not an empty string.
fn attr<'a>(attrs: &mut Attrs<'a>, name: &'static str, raw: R<'a>) {
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

/// At most 40 characters of a raw value, for messages.
pub(super) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------
// Front doors

/// Parses a v2 `get_job_instance_log` response.
pub(crate) fn job_log<'a>(input: &'a [u8], opts: &Options) -> Result<Events<'a>, Error> {
    front(input, opts, job_log_str)
}

/// Parses a v3 `get_job_instance_ip_log` or `batch_get_job_instance_ip_log`
/// response.
pub(crate) fn ip_log<'a>(input: &'a [u8], opts: &Options) -> Result<Events<'a>, Error> {
    front(input, opts, ip_log_str)
}

/// Parses a v3 `get_job_instance_status` response.
pub(crate) fn status<'a>(input: &'a [u8], opts: &Options) -> Result<Events<'a>, Error> {
    front(input, opts, status_str)
}

/// UTF-8 handling shared by the front doors: borrowed when valid; in lenient
/// mode a lossy copy whose events are owned and noted `invalid_utf8`.
fn front<'a>(
    input: &'a [u8],
    opts: &Options,
    parse: for<'b> fn(&'b str, &Options) -> Result<Events<'b>, Error>,
) -> Result<Events<'a>, Error> {
    match json::utf8_input(input, opts.is_strict())? {
        Utf8Input::Str(s) => parse(s, opts),
        Utf8Input::Lossy(owned) => {
            let mut events = parse(&owned, opts)?
                .map(|e| e.map(LogEvent::into_owned))
                .collect::<Result<Vec<LogEvent<'static>>, Error>>()?;
            for e in &mut events {
                e.notes.insert(Note::InvalidUtf8);
            }
            Ok(Events::buffered(events))
        }
    }
}

fn cx<'a, 'o>(input: &'a str, opts: &'o Options, source: Source) -> Cx<'a, 'o> {
    Cx {
        input,
        opts,
        source,
        offset: opts.offset_or(default_offset()),
    }
}

/// Reads the envelope and its `data`. A vendor error body becomes
/// [`ErrorKind::Vendor`], also when its `data` does not have the expected
/// shape.
fn envelope<'a, T>(cx: &Cx<'a, '_>) -> Result<Option<T>, Error>
where
    T: Deserialize<'a>,
{
    let input = cx.input;
    json::check_depth(input.as_bytes(), cx.opts.max_depth)?;
    let start = json::skip_ws(input.as_bytes(), 0);
    if input.as_bytes().get(start) == Some(&b'[') {
        return Err(cx.err_at(
            ErrorKind::Schema,
            "expected a BlueKing envelope object {result, code, message, data}, found an array",
            start,
        ));
    }
    match serde_json::from_str::<wire::Envelope<'a, T>>(input) {
        Ok(env) => {
            vendor_check(env.result, env.code, env.message)?;
            if env.data.is_none() && env.result.is_none() && env.code.is_none() {
                return Err(cx.err_at(
                    ErrorKind::Schema,
                    "expected a BlueKing envelope with `result`, `code` and `data`",
                    start,
                ));
            }
            Ok(env.data)
        }
        Err(e) => {
            if let Ok(bare) = serde_json::from_str::<wire::BareEnvelope<'a>>(input) {
                vendor_check(bare.result, bare.code, bare.message)?;
            }
            Err(json::serde_error(&e, input.as_bytes()))
        }
    }
}

/// `result: false` or a `code` other than 0 is the vendor's error body.
fn vendor_check(result: R<'_>, code: R<'_>, message: R<'_>) -> Result<(), Error> {
    let failed = result.map(Raw).and_then(|r| r.boolean().ok().flatten()) == Some(false);
    let bad_code = code
        .map(Raw)
        .is_some_and(|r| !matches!(r.int(), Ok(None) | Ok(Some(0))));
    if !failed && !bad_code {
        return Ok(());
    }
    let text = |r: R<'_>| {
        r.map(Raw)
            .and_then(|r| r.text_value().ok().flatten())
            .map(Cow::into_owned)
            .unwrap_or_default()
    };
    Err(Error::vendor_body(text(code), text(message)))
}

fn job_log_str<'a>(input: &'a str, opts: &Options) -> Result<Events<'a>, Error> {
    let cx = cx(input, opts, Source::BkjobLog);
    let steps: Option<Vec<wire::Step<'a>>> = envelope(&cx)?;
    let walk = Walk::Log(LogWalk {
        steps: steps.unwrap_or_default().into_iter(),
        step: Context::default(),
        groups: Vec::new().into_iter(),
        group: (None, None),
        hosts: Vec::new().into_iter(),
    });
    Ok(walker(&cx, walk))
}

fn ip_log_str<'a>(input: &'a str, opts: &Options) -> Result<Events<'a>, Error> {
    let cx = cx(input, opts, Source::BkjobIpLog);
    let Some(data) = envelope::<wire::IpLogData<'a>>(&cx)? else {
        return Ok(Events::buffered(Vec::new()));
    };
    let mut notes = Notes::EMPTY;
    let mut attrs = Vec::new();
    let base = Context {
        job: cx.text(
            data.job_instance_id,
            "job_instance_id",
            &mut notes,
            &mut attrs,
        )?,
        step_id: cx.text(
            data.step_instance_id,
            "step_instance_id",
            &mut notes,
            &mut attrs,
        )?,
        ..Context::default()
    };
    let single_host = data.host();
    let mut hosts = Vec::new();
    let wire::IpLogData {
        log_content,
        file_logs,
        script_task_logs,
        file_task_logs,
        ..
    } = data;
    let single = wire::HostLog {
        bk_host_id: single_host.bk_host_id,
        host_id: single_host.host_id,
        bk_cloud_id: single_host.bk_cloud_id,
        ip: single_host.ip,
        ipv6: single_host.ipv6,
        log_content,
        file_logs,
    };
    if single.log_content.is_some() || single.file_logs.is_some() {
        hosts.push(single);
    }
    hosts.extend(script_task_logs.unwrap_or_default());
    hosts.extend(file_task_logs.unwrap_or_default());
    let walk = Walk::Ip(IpWalk {
        base,
        base_notes: notes,
        hosts: hosts.into_iter(),
        host: Context::default(),
        host_notes: Notes::EMPTY,
        host_attrs: Vec::new(),
        files: Vec::new().into_iter(),
    });
    Ok(walker(&cx, walk))
}

fn walker<'a>(cx: &Cx<'a, '_>, walk: Walk<'a>) -> Events<'a> {
    Events::from_inner(Inner::BkJob(Box::new(BkEvents {
        input: cx.input,
        opts: cx.opts.clone(),
        source: cx.source,
        offset: cx.offset,
        seq: 0,
        lines: None,
        walk,
    })))
}

// ---------------------------------------------------------------------------
// The lazy walk over steps, hosts and lines

/// The events of a BlueKing log payload, produced one at a time.
pub(crate) struct BkEvents<'a> {
    input: &'a str,
    opts: Options,
    source: Source,
    offset: FixedOffset,
    seq: u64,
    lines: Option<LineCursor<'a>>,
    walk: Walk<'a>,
}

enum Walk<'a> {
    Log(LogWalk<'a>),
    Ip(IpWalk<'a>),
}

/// What one step of a walk produced: an event, a cursor over lines, or both.
type Advance<'a> = Result<Option<(Option<LogEvent<'a>>, Option<LineCursor<'a>>)>, Error>;

impl<'a> Iterator for BkEvents<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let cx = Cx {
            input: self.input,
            opts: &self.opts,
            source: self.source,
            offset: self.offset,
        };
        loop {
            if let Some(cur) = &mut self.lines {
                if let Some(item) = cur.next_event(&cx, &mut self.seq) {
                    return Some(item);
                }
                self.lines = None;
            }
            let advanced = match &mut self.walk {
                Walk::Log(w) => w.advance(&cx, &mut self.seq),
                Walk::Ip(w) => w.advance(&cx, &mut self.seq),
            };
            match advanced {
                Err(e) => return Some(Err(e)),
                Ok(None) => return None,
                Ok(Some((event, lines))) => {
                    self.lines = lines;
                    if let Some(e) = event {
                        return Some(Ok(e));
                    }
                }
            }
        }
    }
}

/// A cursor over the lines of `log_content`, or the reason there is none.
enum Content<'a> {
    None,
    Lines(&'a str, usize),
    /// Not a string: kept raw.
    Invalid(Raw<'a>),
}

fn content<'a>(cx: &Cx<'a, '_>, raw: R<'a>) -> Content<'a> {
    let Some(raw) = raw.map(Raw) else {
        return Content::None;
    };
    let t = raw.text();
    match t.as_bytes().first() {
        Some(b'"') => {
            let body = t.get(1..t.len().saturating_sub(1)).unwrap_or_default();
            let base = raw.offset_in(cx.input).unwrap_or(0) + 1;
            Content::Lines(body, base)
        }
        Some(b'n') => Content::None,
        _ => Content::Invalid(raw),
    }
}

/// Notes an unreadable `log_content` (lenient: kept raw in `attrs`).
fn invalid_content<'a>(
    cx: &Cx<'a, '_>,
    raw: Raw<'a>,
    notes: &mut Notes,
    attrs: &mut Attrs<'a>,
) -> Result<(), Error> {
    cx.opts.recover(notes, Note::InvalidValue, || {
        cx.err_raw(
            ErrorKind::Value,
            format!("`log_content` must be a string, found {}", clip(raw.text())),
            raw,
        )
    })?;
    keep_raw(attrs, "log_content", raw);
    Ok(())
}

/// v2: steps → host groups → hosts → lines.
struct LogWalk<'a> {
    steps: std::vec::IntoIter<wire::Step<'a>>,
    /// Context of the current step.
    step: Context<'a>,
    groups: std::vec::IntoIter<wire::Group<'a>>,
    /// `ip_status` and `tag` of the current group.
    group: (R<'a>, R<'a>),
    hosts: std::vec::IntoIter<wire::IpLog<'a>>,
}

impl<'a> LogWalk<'a> {
    fn advance(&mut self, cx: &Cx<'a, '_>, seq: &mut u64) -> Advance<'a> {
        loop {
            if let Some(h) = self.hosts.next() {
                return self.host_event(cx, h, seq).map(Some);
            }
            if let Some(g) = self.groups.next() {
                self.group = (g.ip_status, g.tag);
                self.hosts = g.ip_logs.unwrap_or_default().into_iter();
                continue;
            }
            let Some(s) = self.steps.next() else {
                return Ok(None);
            };
            let e = self.step_event(cx, &s, seq)?;
            self.groups = s.step_results.unwrap_or_default().into_iter();
            return Ok(Some((Some(e), None)));
        }
    }

    fn step_event(
        &mut self,
        cx: &Cx<'a, '_>,
        s: &wire::Step<'a>,
        seq: &mut u64,
    ) -> Result<LogEvent<'a>, Error> {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        self.step = Context {
            step_id: cx.text(
                s.step_instance_id,
                "step_instance_id",
                &mut notes,
                &mut attrs,
            )?,
            step_name: cx.text(s.name, "name", &mut notes, &mut attrs)?,
            ..Context::default()
        };
        let mut e = cx.status_event(seq, self.step.clone());
        let (status, vendor) = cx.status(
            s.status,
            codes::step_status,
            "step status",
            "1-15",
            &mut notes,
        )?;
        e.status = status;
        e.vendor_status = vendor;
        cx.flag(s.is_finished, "is_finished", &mut notes, &mut attrs)?;
        e.notes = notes;
        e.attrs = attrs;
        Ok(e)
    }

    fn host_event(
        &mut self,
        cx: &Cx<'a, '_>,
        h: wire::IpLog<'a>,
        seq: &mut u64,
    ) -> Result<(Option<LogEvent<'a>>, Option<LineCursor<'a>>), Error> {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        let (ip_status, group_tag) = self.group;
        let mut ctx = self.step.clone();
        let mut host_attrs = Vec::new();
        ctx.host = cx.host(h.host(), &mut notes, &mut host_attrs)?;
        let mut e = cx.status_event(seq, ctx);
        let (status, vendor) = cx.status(
            ip_status,
            codes::host_status,
            "host status (ip_status)",
            "the 32 codes of ExecuteObjectTaskStatusEnum",
            &mut notes,
        )?;
        e.status = status;
        e.vendor_status = vendor;
        e.time = cx.written_time(h.start_time, "raw_time", &mut notes, &mut attrs)?;
        let end = cx.written_time(h.end_time, "end_time", &mut notes, &mut attrs)?;
        e.duration = cx.duration(h.total_time, false, &mut notes, &mut attrs)?;
        e.ctx.exit_code = cx.int(
            h.exit_code,
            "exit_code",
            i64::MIN..=i64::MAX,
            &mut notes,
            &mut attrs,
        )?;
        let attempt = match h.retry_count {
            Some(r) => cx.int(
                Some(r),
                "retry_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?,
            None => cx.int(
                h.execute_count,
                "execute_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?,
        };
        e.ctx.attempt = attempt.and_then(|a| u32::try_from(a).ok());
        let tag = match non_empty(group_tag) {
            Some(_) => group_tag,
            None => h.tag,
        };
        attr(&mut attrs, "tag", tag);
        attr(&mut attrs, "error_code", h.error_code);
        attrs.append(&mut host_attrs);
        time_attr(&mut attrs, "end_time", end);
        let lines = match content(cx, h.log_content) {
            Content::None => None,
            Content::Lines(body, base) => {
                let mut line_ctx = self.step.clone();
                line_ctx.host = e.ctx.host.clone();
                Some(LineCursor::new(
                    body,
                    base,
                    cx.opts.html_unescape,
                    line_ctx,
                    Notes::EMPTY,
                ))
            }
            Content::Invalid(raw) => {
                invalid_content(cx, raw, &mut notes, &mut attrs)?;
                None
            }
        };
        e.notes = notes;
        e.attrs = attrs;
        Ok((Some(e), lines))
    }
}

/// A present, non-null, non-empty scalar.
fn non_empty(raw: R<'_>) -> Option<Scalar<'_>> {
    match raw.map(|r| Raw(r).scalar()) {
        Some(Ok(Some(v))) if !v.as_str().is_some_and(str::is_empty) => Some(v),
        _ => None,
    }
}

/// v3 ip logs: hosts → (script lines | file tasks → lines).
struct IpWalk<'a> {
    /// Job and step of a batch response.
    base: Context<'a>,
    /// Notes of the batch fields, carried by every event.
    base_notes: Notes,
    hosts: std::vec::IntoIter<wire::HostLog<'a>>,
    /// Context of the current host.
    host: Context<'a>,
    /// Notes of the current host's fields, carried by its events.
    host_notes: Notes,
    /// The current host's id and cloud area, for its file events.
    host_attrs: Attrs<'a>,
    files: std::vec::IntoIter<wire::FileLog<'a>>,
}

impl<'a> IpWalk<'a> {
    fn advance(&mut self, cx: &Cx<'a, '_>, seq: &mut u64) -> Advance<'a> {
        loop {
            if let Some(f) = self.files.next() {
                return self.file_event(cx, f, seq).map(Some);
            }
            let Some(h) = self.hosts.next() else {
                return Ok(None);
            };
            let mut notes = self.base_notes;
            // A script log has no event of its own for the host's id and
            // cloud area; file events carry them.
            self.host_attrs.clear();
            self.host = self.base.clone();
            self.host.host = cx.host(h.host(), &mut notes, &mut self.host_attrs)?;
            self.host_notes = notes;
            self.files = h.file_logs.unwrap_or_default().into_iter();
            match content(cx, h.log_content) {
                Content::None => {}
                Content::Lines(body, base) => {
                    let cur = LineCursor::new(body, base, false, self.host.clone(), notes);
                    return Ok(Some((None, Some(cur))));
                }
                Content::Invalid(raw) => {
                    // No host event to carry it: the raw value is one line.
                    let mut notes = notes;
                    let mut attrs = Vec::new();
                    invalid_content(cx, raw, &mut notes, &mut attrs)?;
                    let mut e =
                        LogEvent::new(cx.source, EventKind::Line, *seq, Cow::Borrowed(raw.text()));
                    *seq += 1;
                    e.ctx = self.host.clone();
                    e.notes = notes;
                    return Ok(Some((Some(e), None)));
                }
            }
        }
    }

    fn file_event(
        &mut self,
        cx: &Cx<'a, '_>,
        f: wire::FileLog<'a>,
        seq: &mut u64,
    ) -> Result<(Option<LogEvent<'a>>, Option<LineCursor<'a>>), Error> {
        let mut notes = self.host_notes;
        let mut attrs = Vec::new();
        let mut e = cx.status_event(seq, self.host.clone());
        let (status, vendor) = cx.status(
            f.status,
            codes::file_status,
            "file-transfer status",
            "0-5",
            &mut notes,
        )?;
        e.status = status;
        e.vendor_status = vendor;
        attr(&mut attrs, "mode", f.mode);
        let mut dropped = Vec::new();
        if let Some(src) = f.src_ip
            && let Some(name) = cx.host(src, &mut notes, &mut dropped)?
        {
            attrs.push(("src_host", Scalar::Str(name)));
        }
        attr(&mut attrs, "src_path", f.src_path);
        if let Some(dest) = f.dest_ip
            && let Some(name) = cx.host(dest, &mut notes, &mut dropped)?
        {
            attrs.push(("dest_host", Scalar::Str(name)));
        }
        attr(&mut attrs, "dest_path", f.dest_path);
        attr(&mut attrs, "file_size", f.size);
        attr(&mut attrs, "speed", f.speed);
        attrs.extend(self.host_attrs.iter().cloned());
        if let Some(raw) = f.process.map(Raw) {
            let parsed = match raw.text_value() {
                Ok(Some(s)) => percent(&s),
                Ok(None) => Ok(None),
                Err(_) => Err(()),
            };
            match parsed {
                Ok(p) => e.progress = p,
                Err(()) => {
                    cx.opts.recover(&mut notes, Note::InvalidValue, || {
                        cx.err_raw(
                            ErrorKind::Value,
                            format!(
                                "`process` must be a percentage 0-100, found {}",
                                clip(raw.text())
                            ),
                            raw,
                        )
                    })?;
                    keep_raw(&mut attrs, "process", raw);
                }
            }
        }
        let lines = match content(cx, f.log_content) {
            Content::None => None,
            Content::Lines(body, base) => Some(LineCursor::new(
                body,
                base,
                false,
                self.host.clone(),
                self.host_notes,
            )),
            Content::Invalid(raw) => {
                invalid_content(cx, raw, &mut notes, &mut attrs)?;
                None
            }
        };
        e.notes = notes;
        e.attrs = attrs;
        Ok((Some(e), lines))
    }
}

// ---------------------------------------------------------------------------
// v3 status

fn status_str<'a>(input: &'a str, opts: &Options) -> Result<Events<'a>, Error> {
    let cx = cx(input, opts, Source::BkjobStatus);
    let Some(data) = envelope::<wire::StatusData<'a>>(&cx)? else {
        return Ok(Events::buffered(Vec::new()));
    };
    let mut seq = 0;
    let mut out = Vec::new();
    let mut job = Context::default();
    if let Some(j) = &data.job_instance {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        job.job = cx.text(j.job_instance_id, "job_instance_id", &mut notes, &mut attrs)?;
        let mut e = cx.status_event(&mut seq, job.clone());
        if let Some(name) = cx.text(j.name, "name", &mut notes, &mut attrs)? {
            attrs.push(("job_name", Scalar::Str(name)));
        }
        attr(&mut attrs, "bk_scope_type", j.bk_scope_type);
        attr(&mut attrs, "bk_scope_id", j.bk_scope_id);
        attr(&mut attrs, "bk_biz_id", j.bk_biz_id);
        cx.flag(data.finished, "finished", &mut notes, &mut attrs)?;
        run_fields(
            &cx,
            &mut e,
            j.run(),
            codes::step_status,
            "job status",
            "1-15",
            &mut notes,
            &mut attrs,
        )?;
        e.notes = notes;
        e.attrs = attrs;
        out.push(e);
    }
    for s in data.step_instance_list.unwrap_or_default() {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        let mut ctx = job.clone();
        ctx.step_id = cx.text(
            s.step_instance_id,
            "step_instance_id",
            &mut notes,
            &mut attrs,
        )?;
        ctx.step_name = cx.text(s.name, "name", &mut notes, &mut attrs)?;
        ctx.attempt = cx
            .int(
                s.execute_count,
                "execute_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?
            .and_then(|a| u32::try_from(a).ok());
        let mut e = cx.status_event(&mut seq, ctx.clone());
        attr(&mut attrs, "step_type", s.step_type);
        run_fields(
            &cx,
            &mut e,
            s.run(),
            codes::step_status,
            "step status",
            "1-15",
            &mut notes,
            &mut attrs,
        )?;
        e.notes = notes;
        e.attrs = attrs;
        out.push(e);
        for r in s.step_ip_result_list.unwrap_or_default() {
            let mut notes = Notes::EMPTY;
            let mut attrs = Vec::new();
            let mut host_attrs = Vec::new();
            let mut hctx = ctx.clone();
            hctx.host = cx.host(r.host(), &mut notes, &mut host_attrs)?;
            hctx.exit_code = cx.int(
                r.exit_code,
                "exit_code",
                i64::MIN..=i64::MAX,
                &mut notes,
                &mut attrs,
            )?;
            let mut e = cx.status_event(&mut seq, hctx);
            attr(&mut attrs, "tag", r.tag);
            attr(&mut attrs, "error_code", r.error_code);
            attrs.append(&mut host_attrs);
            run_fields(
                &cx,
                &mut e,
                r.run(),
                codes::host_status,
                "host status",
                "the 32 codes of ExecuteObjectTaskStatusEnum",
                &mut notes,
                &mut attrs,
            )?;
            e.notes = notes;
            e.attrs = attrs;
            out.push(e);
        }
    }
    Ok(Events::buffered(out))
}

/// Status, times and duration of a v3 job, step or host result.
#[allow(clippy::too_many_arguments)]
fn run_fields<'a>(
    cx: &Cx<'a, '_>,
    e: &mut LogEvent<'a>,
    run: wire::Run<'a>,
    table: fn(i64) -> Option<&'static StatusCode>,
    what: &str,
    known: &str,
    notes: &mut Notes,
    attrs: &mut Attrs<'a>,
) -> Result<(), Error> {
    let (status, vendor) = cx.status(run.status, table, what, known, notes)?;
    e.status = status;
    e.vendor_status = vendor;
    e.time = cx.epoch_time(run.start_time, "raw_time", notes, attrs)?;
    e.duration = cx.duration(run.total_time, true, notes, attrs)?;
    let created = cx.epoch_time(run.create_time, "create_time", notes, attrs)?;
    let end = cx.epoch_time(run.end_time, "end_time", notes, attrs)?;
    time_attr(attrs, "create_time", created);
    time_attr(attrs, "end_time", end);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(path: &str) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        std::fs::read(root.join(path)).unwrap()
    }

    fn events(src: Source, path: &str, opts: &Options) -> Vec<LogEvent<'static>> {
        let input = corpus(path);
        crate::parse_as(src, &input, opts)
            .unwrap()
            .map(|e| e.map(LogEvent::into_owned))
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn ok_plain_lines_and_context_borrow_from_the_input() {
        let input = corpus("bkjob-log/html-escaped.json");
        let all: Vec<_> = crate::parse_as(Source::BkjobLog, &input, &Options::default())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plain = all.iter().find(|e| e.message == "plain line").unwrap();
        assert!(matches!(plain.message, Cow::Borrowed(_)));
        assert!(matches!(plain.ctx.host, Some(Cow::Borrowed("10.0.0.5"))));
        assert!(matches!(plain.ctx.step_name, Some(Cow::Borrowed(_))));
        assert!(plain.attrs.is_empty() && plain.notes.is_empty());
        let decoded = all.iter().find(|e| e.message == "a && b").unwrap();
        assert!(matches!(decoded.message, Cow::Owned(_)));
        let template = all.iter().find(|e| e.ctx.pid == Some(88)).unwrap();
        assert_eq!(template.message, "echo \"x\" > /tmp/y");
    }

    #[test]
    fn ok_html_unescape_off_keeps_the_text_as_sent() {
        let opts = Options::default().with_html_unescape(false);
        let all = events(Source::BkjobLog, "bkjob-log/html-escaped.json", &opts);
        assert_eq!(all[2].message, "&lt;html&gt;&lt;/html&gt;");
        assert!(all.iter().all(|e| !e.notes.contains(Note::HtmlUnescaped)));
        // v3 text is never decoded.
        let v3 = events(
            Source::BkjobIpLog,
            "bkjob-ip-log/batch-script.json",
            &Options::default(),
        );
        assert_eq!(v3[1].message, "if [ $a -lt 3 ] && echo '&lt;kept&gt;'");
    }

    #[test]
    fn ok_default_offset_overrides_the_bk_default() {
        let utc = crate::parse_offset("Z").unwrap();
        let all = events(
            Source::BkjobLog,
            "bkjob-log/seed-example.json",
            &Options::default().with_default_offset(utc),
        );
        // The host's start time carries its own +0800; the log line has none.
        assert_eq!(
            all[1].time.unwrap().to_string(),
            "2018-03-15T14:39:30+08:00"
        );
        assert!(!all[1].time.unwrap().assumed());
        assert_eq!(all[2].time.unwrap().to_string(), "2018-03-15T14:39:30Z");
        assert!(all[2].time.unwrap().assumed());
        assert_eq!(default_offset().local_minus_utc(), 8 * 3600);
    }

    #[test]
    fn err_unknown_status_is_an_error_only_when_asked() {
        let input = corpus("bkjob-log/unknown-status.json");
        let strict = Options::strict();
        let all: Vec<_> = crate::parse_as(Source::BkjobLog, &input, &strict)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(all[0].status, Some(Status::Unknown));
        let asked = Options::strict().with_unknown_status_is_error(true);
        let err = crate::parse_as(Source::BkjobLog, &input, &asked)
            .unwrap()
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownStatus);
        let p = err.position().unwrap();
        assert_eq!(&input[p.byte..p.byte + 2], b"16");
        assert_eq!(
            err.detail(),
            "BlueKing step status 16 is not in the table (1-15)"
        );
        let status_input = corpus("bkjob-status/every-host-status.json");
        let err = crate::parse_as(Source::BkjobStatus, &status_input, &asked).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownStatus);
        assert!(
            err.detail().starts_with("BlueKing host status 42 "),
            "{err}"
        );
    }

    #[test]
    fn err_long_lines_are_cut_or_refused() {
        let lenient = Options::default().with_max_line_len(5);
        let all = events(Source::BkjobLog, "bkjob-log/seed-example.json", &lenient);
        assert_eq!(all[2].message, "job_s");
        assert!(all[2].notes.contains(Note::LineTruncated));
        let input = corpus("bkjob-log/seed-example.json");
        let strict = Options::strict().with_max_line_len(5);
        let err = crate::parse_as(Source::BkjobLog, &input, &strict)
            .unwrap()
            .find_map(Result::err)
            .unwrap();
        assert_eq!(err.kind(), ErrorKind::Limit);
        let p = err.position().unwrap();
        assert!(input[p.byte..].starts_with(b"[2018-03-15 14:39:30][PID:56875]"));
    }

    #[test]
    fn ok_raw_text_mode_keeps_escapes_and_carriage_returns() {
        let raw = Options::default().with_text(crate::TextMode::Raw);
        let all = events(Source::BkjobLog, "bkjob-log/ansi-and-cr.json", &raw);
        assert_eq!(all[2].message, "\u{1b}[32mOK\u{1b}[0m started");
        assert_eq!(
            all[4].message,
            "downloading 10%\rdownloading 55%\rdownloading 100%"
        );
    }

    #[test]
    fn err_not_an_envelope() {
        for (input, want) in [
            (
                &b"{}"[..],
                "unexpected payload shape: expected a BlueKing envelope with `result`, `code` and `data`",
            ),
            (
                b"[1]",
                "unexpected payload shape: expected a BlueKing envelope object {result, code, message, data}, found an array",
            ),
        ] {
            for src in [Source::BkjobLog, Source::BkjobIpLog, Source::BkjobStatus] {
                let err = crate::parse_as(src, input, &Options::default()).unwrap_err();
                assert!(err.to_string().starts_with(want), "{src}: {err}");
                assert_eq!(err.source(), Some(src));
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
            result: R<'a>,
            #[serde(borrow)]
            code: R<'a>,
            #[serde(borrow)]
            message: R<'a>,
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
