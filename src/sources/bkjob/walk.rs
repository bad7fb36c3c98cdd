//! The lazy walk over BlueKing log payloads: v2 steps → host groups → hosts
//! → lines, and v3 hosts → (script lines | file tasks → lines). One event is
//! built per `next()`; the lines of a host are read from its raw JSON string
//! only when the walk reaches them.

use std::borrow::Cow;

use chrono::FixedOffset;

use crate::error::{Error, ErrorKind};
use crate::event::{Context, EventKind, LogEvent, Parsed, Scalar};
use crate::json::{self, Obj, Raw};
use crate::note::{Note, Notes};
use crate::options::Options;
use crate::source::Source;

use super::cursor::LineCursor;
use super::wire::{self, RawField};
use super::{
    Attrs, BkParsed, CodeTable, Doc, attr, clip, envelope, envelope_with, keep_raw, non_empty,
    percent, skim, time_attr,
};

pub(super) fn job_log_str<'a>(input: &'a str, opts: &Options) -> Result<BkParsed<'a>, Error> {
    job_log_with(input, opts, skim::job_log)
}

type Skimmed<'a> = (wire::Envelope<'a, skim::Steps<'a>>, Vec<u32>);

fn job_log_with<'a>(
    input: &'a str,
    opts: &Options,
    fast: fn(&'a str) -> Option<Skimmed<'a>>,
) -> Result<BkParsed<'a>, Error> {
    let doc = Doc::new(input, opts, Source::BkjobLog);
    let mut marks = Vec::new();
    let env = envelope_with(&doc, |s| {
        let (env, m) = fast(s)?;
        marks = m;
        Some(env)
    })?;
    let steps = json::objs(env.data);
    let walk = Walk::Log(LogWalk {
        steps: steps.into_iter(),
        step: Context::default(),
        groups: Vec::new().into_iter(),
        group: (None, None),
        hosts: Vec::new().into_iter(),
    });
    Ok(walker(&doc, walk, marks, env.ids))
}

pub(super) fn ip_log_str<'a>(input: &'a str, opts: &Options) -> Result<BkParsed<'a>, Error> {
    let doc = Doc::new(input, opts, Source::BkjobIpLog);
    let env = envelope::<Obj<wire::IpLogData<'a>>>(&doc)?;
    let Some(Obj(data)) = env.data else {
        return Ok(Parsed::ready(Vec::new()));
    };
    let mut notes = Notes::EMPTY;
    let mut attrs = Vec::new();
    let (job_raw, job_name) = match data.job_instance_id {
        Some(_) => (data.job_instance_id, "job_instance_id"),
        None => (data.task_instance_id, "task_instance_id"),
    };
    let base = Context {
        job: doc.text(job_raw, job_name, &mut notes, &mut attrs)?,
        step_id: doc.text(
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
    hosts.extend(json::objs(script_task_logs));
    hosts.extend(json::objs(file_task_logs));
    let walk = Walk::Ip(IpWalk {
        base,
        base_notes: notes,
        hosts: hosts.into_iter(),
        host: Context::default(),
        host_notes: Notes::EMPTY,
        host_attrs: Vec::new(),
        files: Vec::new().into_iter(),
    });
    Ok(walker(&doc, walk, Vec::new(), env.ids))
}

fn walker<'a>(doc: &Doc<'a, '_>, walk: Walk<'a>, marks: Vec<u32>, ids: Attrs<'a>) -> BkParsed<'a> {
    Parsed::Lazy(Box::new(BkEvents {
        input: doc.input,
        opts: doc.opts.clone(),
        source: doc.source,
        offset: doc.offset,
        seq: 0,
        lines: None,
        walk,
        marks,
        ids,
        anchor: None,
    }))
}

/// The events of a BlueKing log payload, produced one at a time.
pub(crate) struct BkEvents<'a> {
    input: &'a str,
    opts: Options,
    source: Source,
    offset: FixedOffset,
    seq: u64,
    lines: Option<LineCursor<'a>>,
    walk: Walk<'a>,
    /// Positions of the escapes in the `log_content` strings, as the skim
    /// noted them (see [`wire::Marks`]).
    marks: Vec<u32>,
    /// The envelope's request ids, for the first event (then empty).
    ids: Attrs<'a>,
    /// The payload as given: the walk anchors its own errors on it (see
    /// `json::anchor`), so that the dispatch hands its events on untouched.
    pub(crate) anchor: Option<&'a [u8]>,
}

enum Walk<'a> {
    Log(LogWalk<'a>),
    Ip(IpWalk<'a>),
    /// After an error: nothing more.
    Done,
}

/// What one step of a walk produced: an event, a cursor over lines, or both.
type Advance<'a> = Result<Option<(Option<LogEvent<'a>>, Option<LineCursor<'a>>)>, Error>;

impl<'a> Iterator for BkEvents<'a> {
    type Item = Result<LogEvent<'a>, Error>;

    // Out of line: `Events::next` stays a check and a jump for the other
    // sources, and the event is still built in the caller's slot. The next
    // line of a host's log (most events) is read here; steps, hosts and
    // files out of line.
    #[inline(never)]
    fn next(&mut self) -> Option<Self::Item> {
        if !self.ids.is_empty() {
            return self.first();
        }
        self.next_event()
    }
}

impl<'a> BkEvents<'a> {
    /// The first event, with the envelope's request ids.
    #[cold]
    #[inline(never)]
    fn first(&mut self) -> Option<Result<LogEvent<'a>, Error>> {
        let mut r = self.next_event();
        if let Some(Ok(e)) = &mut r {
            e.attrs.append(&mut self.ids);
        }
        r
    }

    /// The next event.
    #[inline(always)]
    fn next_event(&mut self) -> Option<Result<LogEvent<'a>, Error>> {
        if let Some(cur) = &mut self.lines {
            let doc = Doc {
                input: self.input,
                opts: &self.opts,
                source: self.source,
                offset: self.offset,
            };
            match cur.next_event(&doc, &mut self.seq, &self.marks) {
                Some(Ok(e)) => return Some(Ok(e)),
                Some(Err(e)) => return self.fail(e),
                None => self.lines = None,
            }
        }
        self.walk_on()
    }

    /// The walk past the end of a host's lines: the next step, host or file
    /// event, or the first line of the next log.
    #[inline(never)]
    fn walk_on(&mut self) -> Option<Result<LogEvent<'a>, Error>> {
        let doc = Doc {
            input: self.input,
            opts: &self.opts,
            source: self.source,
            offset: self.offset,
        };
        loop {
            if let Some(cur) = &mut self.lines {
                match cur.next_event(&doc, &mut self.seq, &self.marks) {
                    Some(Ok(e)) => return Some(Ok(e)),
                    Some(Err(e)) => return self.fail(e),
                    None => {}
                }
                self.lines = None;
            }
            let advanced = match &mut self.walk {
                Walk::Log(w) => w.advance(&doc, &mut self.seq),
                Walk::Ip(w) => w.advance(&doc, &mut self.seq),
                Walk::Done => return None,
            };
            match advanced {
                Err(e) => return self.fail(e),
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

impl BkEvents<'_> {
    /// Ends the walk with `e` (the dispatch anchors it onto the payload).
    #[cold]
    #[inline(never)]
    fn fail(&mut self, e: Error) -> Option<Result<LogEvent<'static>, Error>> {
        self.lines = None;
        self.walk = Walk::Done;
        Some(Err(match self.anchor {
            Some(input) => json::anchor(e, input),
            None => e,
        }))
    }
}

impl std::iter::FusedIterator for BkEvents<'_> {}

/// A cursor over the lines of `log_content`, or the reason there is none.
enum Content<'a> {
    None,
    /// The string's body, where it starts in the input, and where its
    /// escapes are if the skim noted them.
    Lines(&'a str, usize, Option<wire::Marks>),
    /// Not a string: kept raw.
    Invalid(Raw<'a>),
}

fn content<'a>(doc: &Doc<'a, '_>, lc: Option<wire::LogContent<'a>>) -> Content<'a> {
    match lc {
        None => Content::None,
        Some(wire::LogContent::Str(t, marks)) => {
            let body = t.get(1..t.len().saturating_sub(1)).unwrap_or_default();
            let base = json::offset_in(t, doc.input).unwrap_or(0) + 1;
            Content::Lines(body, base, marks)
        }
        Some(wire::LogContent::Other(raw)) if raw.get().starts_with('n') => Content::None,
        Some(wire::LogContent::Other(raw)) => Content::Invalid(Raw(raw)),
    }
}

/// Notes an unreadable `log_content` (lenient: kept raw in `attrs`).
fn invalid_content<'a>(
    doc: &Doc<'a, '_>,
    raw: Raw<'a>,
    notes: &mut Notes,
    attrs: &mut Attrs<'a>,
) -> Result<(), Error> {
    doc.opts.recover(notes, Note::InvalidValue, || {
        doc.err_raw(
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
    group: (RawField<'a>, RawField<'a>),
    hosts: std::vec::IntoIter<wire::IpLog<'a>>,
}

impl<'a> LogWalk<'a> {
    fn advance(&mut self, doc: &Doc<'a, '_>, seq: &mut u64) -> Advance<'a> {
        loop {
            if let Some(h) = self.hosts.next() {
                return self.host_event(doc, h, seq).map(Some);
            }
            if let Some(g) = self.groups.next() {
                self.group = (g.ip_status, g.tag);
                self.hosts = json::objs(g.ip_logs).into_iter();
                continue;
            }
            let Some(s) = self.steps.next() else {
                return Ok(None);
            };
            let e = self.step_event(doc, &s, seq)?;
            self.groups = json::objs(s.step_results).into_iter();
            return Ok(Some((Some(e), None)));
        }
    }

    fn step_event(
        &mut self,
        doc: &Doc<'a, '_>,
        s: &wire::Step<'a>,
        seq: &mut u64,
    ) -> Result<LogEvent<'a>, Error> {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        self.step = Context {
            step_id: doc.text(
                s.step_instance_id,
                "step_instance_id",
                &mut notes,
                &mut attrs,
            )?,
            step_name: doc.text(s.name, "name", &mut notes, &mut attrs)?,
            ..Context::default()
        };
        let mut e = doc.status_event(seq, self.step.clone());
        let (status, vendor) = doc.status(s.status, CodeTable::STEP, &mut notes)?;
        e.status = status;
        e.vendor_status = vendor;
        doc.flag(s.is_finished, "is_finished", &mut notes, &mut attrs)?;
        e.notes = notes;
        e.attrs = attrs;
        Ok(e)
    }

    fn host_event(
        &mut self,
        doc: &Doc<'a, '_>,
        h: wire::IpLog<'a>,
        seq: &mut u64,
    ) -> Result<(Option<LogEvent<'a>>, Option<LineCursor<'a>>), Error> {
        let mut notes = Notes::EMPTY;
        let mut attrs = Vec::new();
        let (ip_status, group_tag) = self.group;
        let mut ctx = self.step.clone();
        let mut host_attrs = Vec::new();
        ctx.host = doc.host(h.host(), &mut notes, &mut host_attrs)?;
        let mut e = doc.status_event(seq, ctx);
        let (status, vendor) = doc.status(ip_status, CodeTable::IP_STATUS, &mut notes)?;
        e.status = status;
        e.vendor_status = vendor;
        e.time = doc.written_time(h.start_time, "raw_time", &mut notes, &mut attrs)?;
        let end = doc.written_time(h.end_time, "end_time", &mut notes, &mut attrs)?;
        e.duration = doc.duration(h.total_time, false, &mut notes, &mut attrs)?;
        e.ctx.exit_code = doc.int(
            h.exit_code,
            "exit_code",
            i64::MIN..=i64::MAX,
            &mut notes,
            &mut attrs,
        )?;
        let attempt = match h.retry_count {
            Some(r) => doc.int(
                Some(r),
                "retry_count",
                0..=i64::from(u32::MAX),
                &mut notes,
                &mut attrs,
            )?,
            None => doc.int(
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
        let lines = match content(doc, h.log_content) {
            Content::None => None,
            Content::Lines(body, base, marks) => {
                let mut line_ctx = self.step.clone();
                line_ctx.host = e.ctx.host.clone();
                Some(
                    LineCursor::new(body, base, doc.opts.html_unescape, line_ctx, Notes::EMPTY)
                        .with_marks(marks),
                )
            }
            Content::Invalid(raw) => {
                invalid_content(doc, raw, &mut notes, &mut attrs)?;
                None
            }
        };
        e.notes = notes;
        e.attrs = attrs;
        Ok((Some(e), lines))
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
    fn advance(&mut self, doc: &Doc<'a, '_>, seq: &mut u64) -> Advance<'a> {
        loop {
            if let Some(f) = self.files.next() {
                return self.file_event(doc, f, seq).map(Some);
            }
            let Some(h) = self.hosts.next() else {
                return Ok(None);
            };
            let mut notes = self.base_notes;
            // A script log has no event of its own for the host's id and
            // cloud area; file events carry them.
            self.host_attrs.clear();
            self.host = self.base.clone();
            self.host.host = doc.host(h.host(), &mut notes, &mut self.host_attrs)?;
            self.host_notes = notes;
            self.files = json::objs(h.file_logs).into_iter();
            match content(doc, h.log_content) {
                Content::None => {}
                Content::Lines(body, base, _) => {
                    let cur = LineCursor::new(body, base, false, self.host.clone(), notes);
                    return Ok(Some((None, Some(cur))));
                }
                Content::Invalid(raw) => {
                    // No host event to carry it: the raw value is one line.
                    let mut notes = notes;
                    let mut attrs = Vec::new();
                    invalid_content(doc, raw, &mut notes, &mut attrs)?;
                    let mut e =
                        LogEvent::new(doc.source, EventKind::Line, *seq, Cow::Borrowed(raw.text()));
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
        doc: &Doc<'a, '_>,
        f: wire::FileLog<'a>,
        seq: &mut u64,
    ) -> Result<(Option<LogEvent<'a>>, Option<LineCursor<'a>>), Error> {
        let mut notes = self.host_notes;
        let mut attrs = Vec::new();
        let mut src_attrs = Vec::new();
        let src = match f.src_ip {
            Some(Obj(src)) => doc.host(src, &mut notes, &mut src_attrs)?,
            None => None,
        };
        // An upload (`mode` 0) ran on its source host: the batch call files
        // it there, and so does this event, with the queried host in
        // `queried_host` and the source's id and cloud area as the host's.
        let upload = f.mode.map(Raw).is_some_and(|m| m.int() == Ok(Some(0)));
        let moved = upload && src.is_some() && src != self.host.host;
        let mut ctx = self.host.clone();
        if moved {
            ctx.host.clone_from(&src);
        }
        let mut e = doc.status_event(seq, ctx);
        let (status, vendor) = doc.status(f.status, CodeTable::FILE, &mut notes)?;
        e.status = status;
        e.vendor_status = vendor;
        attr(&mut attrs, "mode", f.mode);
        let mut dropped = Vec::new();
        if let Some(name) = src {
            attrs.push(("src_host", Scalar::Str(name)));
        }
        attr(&mut attrs, "src_path", f.src_path);
        if let Some(Obj(dest)) = f.dest_ip
            && let Some(name) = doc.host(dest, &mut notes, &mut dropped)?
        {
            attrs.push(("dest_host", Scalar::Str(name)));
        }
        attr(&mut attrs, "dest_path", f.dest_path);
        attr(&mut attrs, "file_size", f.size);
        attr(&mut attrs, "speed", f.speed);
        if moved {
            attrs.append(&mut src_attrs);
            if let Some(queried) = &self.host.host {
                attrs.push(("queried_host", Scalar::Str(queried.clone())));
            }
        } else {
            attrs.extend(self.host_attrs.iter().cloned());
        }
        if let Some(raw) = f.process.map(Raw) {
            let parsed = match raw.text_value() {
                Ok(Some(s)) => percent(&s),
                Ok(None) => Ok(None),
                Err(_) => Err(()),
            };
            match parsed {
                Ok(p) => e.progress = p,
                Err(()) => {
                    doc.opts.recover(&mut notes, Note::InvalidValue, || {
                        doc.err_raw(
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
        let lines = match content(doc, f.log_content) {
            Content::None => None,
            Content::Lines(body, base, _) => {
                let mut ctx = self.host.clone();
                ctx.host.clone_from(&e.ctx.host);
                Some(LineCursor::new(body, base, false, ctx, self.host_notes))
            }
            Content::Invalid(raw) => {
                invalid_content(doc, raw, &mut notes, &mut attrs)?;
                None
            }
        };
        e.notes = notes;
        e.attrs = attrs;
        Ok((Some(e), lines))
    }
}

/// The v2 log read by serde alone: the reference the skim is tested
/// against; and the skim with its list of escape positions cut short.
#[cfg(test)]
pub(super) mod reference {
    use super::*;

    /// [`job_log_str`] with serde alone.
    pub(in crate::sources::bkjob) fn job_log_serde_str<'a>(
        input: &'a str,
        opts: &Options,
    ) -> Result<BkParsed<'a>, Error> {
        job_log_with(input, opts, |_| None)
    }

    /// [`job_log_str`] with a skim that notes at most `CAP` escape
    /// positions.
    pub(in crate::sources::bkjob) fn job_log_capped_str<'a, const CAP: usize>(
        input: &'a str,
        opts: &Options,
    ) -> Result<BkParsed<'a>, Error> {
        job_log_with(input, opts, |s| skim::job_log_capped(s, CAP))
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::status::Status;

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
        assert_eq!(super::super::default_offset().local_minus_utc(), 8 * 3600);
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

    /// Errors found while walking are positioned in the payload as given,
    /// byte-order mark included, also on the walk's own fast path in
    /// `Events::next` (which bypasses the general re-anchoring).
    #[test]
    fn err_lazy_errors_are_anchored_after_a_byte_order_mark() {
        let doc = r#"{"result":true,"code":0,"data":[{"step_results":[{"ip_logs":[{"ip":"10.0.0.1","log_content":"ok\nbad \ud800 x\n"}]}]}]}"#;
        for redact in [false, true] {
            let opts = Options::strict().with_redact(redact);
            let mut input = b"\xEF\xBB\xBF".to_vec();
            input.extend_from_slice(doc.as_bytes());
            let mut events = crate::parse_as(Source::BkjobLog, &input, &opts).unwrap();
            let err = events.find_map(Result::err).unwrap();
            let p = err.position().unwrap();
            assert!(input[p.byte..].starts_with(b"bad "), "{err}");
            assert!(events.next().is_none());
        }
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
}
