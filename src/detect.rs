//! [`detect`]: name the payload kind from its shape.
//!
//! A JSON payload is skimmed, never parsed: the keys of its top-level object
//! (in any order, at any size), and the kind and keys of its `data`,
//! `result` and `error` members (or of a top-level array's first element).
//! A key counts only where it is a real key of that object, so the same word
//! inside a string or deeper down does not match. A document that ends
//! early (or is not valid JSON further on) is judged by what was read before
//! that point. A text payload is a CodeArts build log when a line within
//! its first 64 starts with the `[yyyy/MM/dd HH:mm:ss.` prefix.
//!
//! The same shape tells the dispatch whether a payload fits the source a
//! caller named ([`Shape::fit`]): a payload of another source's shape is
//! never read as an empty result.

use crate::scan::{skip_string, skip_value, skip_ws};
use crate::source::Source;
use crate::text::strip_bom;

/// How far into the payload NUL bytes mark it as binary.
pub(crate) const BINARY_WINDOW: usize = 8 * 1024;

/// How many keys of one object the skim keeps.
const MAX_KEYS: usize = 64;

/// How deep a skipped value may nest.
const SKIP_DEPTH: usize = 128;

/// Names the source of `input`, or `None` if it looks like none of them.
///
/// Reads the top level of a JSON document whatever its size (the values it
/// does not need are skipped, not parsed); never fails or panics.
///
/// ```
/// use cilog::{detect, Source};
/// assert_eq!(detect(br#"[{"id":1,"state":"Successful","log_num":1}]"#), Some(Source::SwrJobHistory));
/// assert_eq!(detect(b"hello"), None);
/// ```
pub fn detect(input: &[u8]) -> Option<Source> {
    Shape::of(input).source()
}

/// What a payload is made of, at the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// Nothing but white space (and a byte-order mark).
    Empty,
    /// A NUL byte within the first [`BINARY_WINDOW`] bytes.
    Binary,
    /// A JSON object.
    Object,
    /// A JSON array.
    Array,
    /// Anything else: text.
    Text,
}

/// The kind of a JSON value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Not there (or not read: the document ended before it).
    #[default]
    Absent,
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
}

/// A member's value as the skim saw it: its kind, and the keys of the
/// object it is (or, for an array, of its first element when that is an
/// object).
#[derive(Clone, Debug, Default)]
pub(crate) struct Member<'a> {
    kind: Kind,
    /// For an array: its first element's kind.
    first: Kind,
    keys: Vec<&'a [u8]>,
}

impl Member<'_> {
    fn has(&self, key: &str) -> bool {
        self.keys.contains(&key.as_bytes())
    }

    fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.has(k))
    }
}

/// The shape of a payload: enough to name its source.
#[derive(Clone, Debug)]
pub(crate) struct Shape<'a> {
    pub(crate) form: Form,
    /// Where the payload's first byte of substance is (after a byte-order
    /// mark and white space).
    pub(crate) start: usize,
    /// The top-level object's keys, or a top-level array's first element.
    top: Member<'a>,
    data: Member<'a>,
    result: Member<'a>,
    error: Member<'a>,
    /// Whether the skim read the whole top level, or stopped at a key
    /// that decided the source.
    complete: bool,
    /// The source a key named beyond doubt.
    decided: Option<Source>,
    /// A top-level `result` of `false` or a `code` other than 0: a
    /// BlueKing error body, whatever its `data` (its reader reports it).
    failed: bool,
    /// The text after the byte-order mark, for text detection.
    body: &'a [u8],
}

/// Keys of a CodeArts real-time log page's `result` (v3 and v1).
const PAGE_KEYS: &[&str] = &[
    "has_more_data",
    "current_offset",
    "offset",
    "has_more",
    "start_offset",
    "end_offset",
];
/// Keys only an SWR job has at its top level.
const SWR_JOB_KEYS: &[&str] = &["log", "log_num", "creator_id", "errorCode"];
/// Keys an SWR job (or a history entry) may have; any of them makes a
/// payload SWR-like when named explicitly.
const SWR_ANY_KEYS: &[&str] = &[
    "id",
    "state",
    "status",
    "duration",
    "progress",
    "created_at",
    "creator_name",
    "service",
    "service_id",
    "resource",
    "resource_type",
    "region_name",
    "pkg",
    "log",
    "log_num",
    "creator_id",
    "errorCode",
];
/// Keys of a BlueKing v3 `get_job_instance_status` `data`.
const BK_STATUS_KEYS: &[&str] = &["job_instance", "step_instance_list"];
/// Keys of a BlueKing v3 ip log `data` (one host, or a batch).
const BK_IP_KEYS: &[&str] = &[
    "log_content",
    "log_type",
    "file_logs",
    "script_task_logs",
    "file_task_logs",
    "ip",
    "bk_cloud_id",
    "bk_host_id",
    "host_id",
    "ipv6",
];
/// Keys of a BlueKing `data` that name the job and step and nothing else
/// (an ip log with no hosts).
const BK_ID_KEYS: &[&str] = &["job_instance_id", "task_instance_id", "step_instance_id"];
/// Keys of a BlueKing v2 `get_job_instance_log` step.
const BK_STEP_KEYS: &[&str] = &["step_results", "step_instance_id", "is_finished"];

impl<'a> Shape<'a> {
    /// Skims `input`, stopping as soon as a key names the source beyond
    /// doubt (so that a large payload is not read twice).
    pub(crate) fn of(input: &'a [u8]) -> Shape<'a> {
        let body = strip_bom(input);
        let bom = input.len() - body.len();
        let at = skip_ws(body, 0);
        let mut shape = Shape {
            form: Form::Text,
            start: bom + at,
            top: Member::default(),
            data: Member::default(),
            result: Member::default(),
            error: Member::default(),
            complete: false,
            decided: None,
            failed: false,
            body,
        };
        let head = body.get(..body.len().min(BINARY_WINDOW)).unwrap_or(body);
        if memchr::memchr(0, head).is_some() {
            shape.form = Form::Binary;
            return shape;
        }
        let walked = match body.get(at) {
            None => {
                shape.form = Form::Empty;
                return shape;
            }
            Some(b'{') => {
                shape.form = Form::Object;
                shape.object(at)
            }
            Some(b'[') if !looks_like_prefix(body.get(at..).unwrap_or_default()) => {
                shape.form = Form::Array;
                shape.array(at)
            }
            Some(_) => return shape,
        };
        match walked {
            Ok(_) => shape.complete = true,
            Err(Halt::Decided(source)) => {
                shape.complete = true;
                shape.decided = Some(source);
            }
            Err(Halt::Unreadable) => {}
        }
        shape
    }

    /// Reads the top-level object at `i`: its keys, and `data`, `result`
    /// and `error` a level deeper.
    fn object(&mut self, i: usize) -> Result<usize, Halt> {
        let b = self.body;
        let Shape {
            top,
            data,
            result,
            error,
            failed,
            ..
        } = self;
        top.kind = Kind::Object;
        members(b, i, |key, at| {
            push_key(&mut top.keys, key);
            if key == b"result" || key == b"code" {
                *failed |= is_failure(key, b.get(at..).unwrap_or_default());
            }
            if SWR_JOB_KEYS.iter().any(|k| k.as_bytes() == key) {
                return Err(Halt::Decided(Source::SwrJobLog));
            }
            if PAGE_KEYS.iter().any(|k| k.as_bytes() == key) {
                return Err(Halt::Decided(Source::CodeartsRealtimeLog));
            }
            match key {
                b"data" => member(b, at, data, Slot::Data),
                b"result" => member(b, at, result, Slot::Result),
                b"error" => member(b, at, error, Slot::Other),
                _ => skip(b, at),
            }
        })
    }

    /// Reads a top-level array at `i`: its first element.
    fn array(&mut self, i: usize) -> Result<usize, Halt> {
        member(self.body, i, &mut self.top, Slot::Other)
    }

    /// The source this shape names, if any.
    pub(crate) fn source(&self) -> Option<Source> {
        if self.decided.is_some() {
            return self.decided;
        }
        match self.form {
            Form::Object => self.object_source(),
            Form::Array => self.array_source(),
            // A text log with a NUL byte in it is still a text log (read
            // with `binary_input` on every event); other binary is nothing.
            Form::Text | Form::Binary => detect_text(self.body),
            Form::Empty => None,
        }
    }

    /// A BlueKing envelope: a `code` and a `result` that is not an object
    /// (a boolean, or a quirky scalar; other vendors put an object there).
    fn is_bk(&self) -> bool {
        self.top.has("code")
            && self.top.has("result")
            && !matches!(self.result.kind, Kind::Object | Kind::Array)
    }

    fn object_source(&self) -> Option<Source> {
        if self.is_bk() {
            return Some(self.bk_source().unwrap_or(Source::BkjobLog));
        }
        let page = (self.result.kind == Kind::Object && self.result.has_any(PAGE_KEYS))
            || self.top.has_any(PAGE_KEYS);
        let error_body = self.top.has("error_code") && self.top.has("error_msg");
        let error_field = self.error.kind == Kind::Object
            && self.error.has("error_code")
            && matches!(self.result.kind, Kind::Null | Kind::Absent);
        if page || error_body || error_field {
            return Some(Source::CodeartsRealtimeLog);
        }
        if self.top.has_any(SWR_JOB_KEYS) {
            return Some(Source::SwrJobLog);
        }
        None
    }

    /// The BlueKing call a `data` of this shape answers; `None` for an
    /// envelope whose data says nothing (absent, `null`, an error's detail).
    fn bk_source(&self) -> Option<Source> {
        match self.data.kind {
            Kind::Object if self.data.has_any(BK_STATUS_KEYS) => Some(Source::BkjobStatus),
            Kind::Object if self.data.has_any(BK_IP_KEYS) => Some(Source::BkjobIpLog),
            Kind::Array if self.data.first == Kind::Object && self.data.has_any(BK_STEP_KEYS) => {
                Some(Source::BkjobLog)
            }
            Kind::Array if self.data.first == Kind::Absent => Some(Source::BkjobLog),
            _ => None,
        }
    }

    fn array_source(&self) -> Option<Source> {
        let t = &self.top;
        let empty = t.kind == Kind::Array && t.first == Kind::Absent && self.complete;
        let history = empty
            || t.has_any(&["errorCode", "log_num", "service_id"])
            || (t.has("id") && t.has_any(&["state", "status", "duration", "progress"]));
        history.then_some(Source::SwrJobHistory)
    }

    /// Whether a payload of this shape fits `source`, named by the caller:
    /// `Err` with what it looks like instead when it plainly does not (it
    /// is another source's shape, or has none of the keys `source` reads).
    /// A document that could not be read far enough to tell, and shapes the
    /// source's reader reports on itself (arrays where an SWR reader expects
    /// an error body), fit.
    pub(crate) fn fit(&self, source: Source) -> Result<(), Misfit> {
        let detected = self.source();
        let misfit = |why: String| Err(Misfit { detected, why });
        if !source.is_json() {
            return Ok(());
        }
        match self.form {
            Form::Empty => return Ok(()),
            Form::Binary => return misfit("it is binary (it has NUL bytes)".to_owned()),
            Form::Text => return misfit("it is text, not JSON".to_owned()),
            Form::Array => {
                let swr = matches!(source, Source::SwrJobLog | Source::SwrJobHistory);
                let strange = self.top.first == Kind::Object
                    && !self.top.keys.is_empty()
                    && !self.top.has_any(SWR_ANY_KEYS);
                return match source {
                    // Objects with none of the keys of a job or an error body.
                    _ if swr && strange => misfit(format!(
                        "it has none of the keys {source} reads ({})",
                        self.key_list()
                    )),
                    // An SWR reader reports any other array itself.
                    Source::SwrJobLog | Source::SwrJobHistory => Ok(()),
                    _ if detected.is_some() => misfit(self.looks_like(detected)),
                    _ => Ok(()),
                };
            }
            Form::Object => {}
        }
        if detected == Some(source) {
            return Ok(());
        }
        let bk = matches!(
            source,
            Source::BkjobLog | Source::BkjobIpLog | Source::BkjobStatus
        );
        // An envelope whose data says nothing (an error body, an empty
        // success, only the job and step ids) is for every BlueKing call to
        // read; data of another call (`fast_transfer_file`'s
        // `job_instance_name`) is not.
        // An error body is the vendor's error for every BlueKing call,
        // whatever its `data`.
        if bk && self.is_bk() && self.failed {
            return Ok(());
        }
        if bk && self.is_bk() && self.bk_source().is_none() {
            if !self.complete || self.bk_data_says_nothing() {
                return Ok(());
            }
            return Err(Misfit {
                detected: None,
                why: format!(
                    "its data has none of the keys {source} reads ({})",
                    names("data keys", &self.data.keys)
                ),
            });
        }
        match detected {
            Some(_) => misfit(self.looks_like(detected)),
            None if !self.complete => Ok(()),
            None if source == Source::SwrJobLog && self.top.has_any(SWR_ANY_KEYS) => Ok(()),
            None => misfit(format!(
                "it has none of the keys {source} reads ({})",
                self.key_list()
            )),
        }
    }

    /// Whether a BlueKing `data` holds nothing to read: not an object (nor
    /// an array of them), or one with no keys but the job and step ids.
    fn bk_data_says_nothing(&self) -> bool {
        let objects = match self.data.kind {
            Kind::Object => true,
            Kind::Array => self.data.first == Kind::Object,
            _ => false,
        };
        !objects
            || self
                .data
                .keys
                .iter()
                .all(|k| BK_ID_KEYS.iter().any(|id| id.as_bytes() == *k))
    }

    fn looks_like(&self, detected: Option<Source>) -> String {
        match detected {
            Some(d) => format!("it looks like {d} ({})", self.key_list()),
            None => format!("its shape is unknown ({})", self.key_list()),
        }
    }

    /// The top-level keys, for messages.
    fn key_list(&self) -> String {
        let what = if self.form == Form::Array {
            "first element's keys"
        } else {
            "top-level keys"
        };
        names(what, &self.top.keys)
    }
}

/// Up to 8 keys, for messages: `what: a, b, …`, or `no what`.
fn names(what: &str, keys: &[&[u8]]) -> String {
    let mut names: Vec<String> = keys
        .iter()
        .take(8)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    if keys.len() > 8 {
        names.push("…".to_owned());
    }
    if names.is_empty() {
        format!("no {what}")
    } else {
        format!("{what}: {}", names.join(", "))
    }
}

/// Whether the value at the start of `v`, of top-level key `key`
/// (`result` or `code`), marks a BlueKing error body: `result` `false` (or
/// `"false"`), a `code` other than `0`, `"0"`, `""` or `null`.
fn is_failure(key: &[u8], v: &[u8]) -> bool {
    let v = v.get(..v.len().min(24)).unwrap_or_default();
    let end = v
        .iter()
        .position(|c| matches!(c, b',' | b'}' | b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(v.len());
    let value = v.get(..end).unwrap_or_default();
    if key == b"result" {
        return value == b"false" || value == b"\"false\"";
    }
    !matches!(value, b"0" | b"\"0\"" | b"\"\"" | b"null" | b"")
}

/// Why a payload does not fit the source it was named as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Misfit {
    /// The source its shape names, if any.
    pub(crate) detected: Option<Source>,
    /// What it looks like, for messages.
    pub(crate) why: String,
}

/// Keeps a key (its raw bytes between the quotes) unless the list is full.
fn push_key<'a>(keys: &mut Vec<&'a [u8]>, key: &'a [u8]) {
    if keys.len() < MAX_KEYS {
        keys.push(key);
    }
}

/// Why the skim stopped early.
#[derive(Clone, Copy, Debug)]
enum Halt {
    /// The text is not readable JSON from here on.
    Unreadable,
    /// A key named the source beyond doubt.
    Decided(Source),
}

/// Which member a value is, for the keys that decide a source there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Data,
    Result,
    Other,
}

/// The source a key of `slot` (of kind `kind`) names beyond doubt: the keys
/// of a BlueKing `data` and of a CodeArts page's `result` belong to no other
/// payload.
fn decides(slot: Slot, kind: Kind, key: &[u8]) -> Option<Source> {
    let any = |keys: &[&str]| keys.iter().any(|k| k.as_bytes() == key);
    match (slot, kind) {
        (Slot::Data, Kind::Object) if any(BK_STATUS_KEYS) => Some(Source::BkjobStatus),
        (Slot::Data, Kind::Object) if any(BK_IP_KEYS) => Some(Source::BkjobIpLog),
        (Slot::Data, Kind::Array) if any(BK_STEP_KEYS) => Some(Source::BkjobLog),
        (Slot::Result, Kind::Object) if any(PAGE_KEYS) => Some(Source::CodeartsRealtimeLog),
        _ => None,
    }
}

fn skip(b: &[u8], i: usize) -> Result<usize, Halt> {
    skip_value(b, i, SKIP_DEPTH).ok_or(Halt::Unreadable)
}

/// Reads the value at `i` into `m`: its kind, and the keys of the object it
/// is, or of an array's first element. Returns the end of the value.
fn member<'a>(b: &'a [u8], i: usize, m: &mut Member<'a>, slot: Slot) -> Result<usize, Halt> {
    let keys_of = |m: &mut Member<'a>, at: usize| {
        let kind = m.kind;
        let keys = &mut m.keys;
        members(b, at, |key, v| {
            push_key(keys, key);
            if let Some(source) = decides(slot, kind, key) {
                return Err(Halt::Decided(source));
            }
            skip(b, v)
        })
    };
    match b.get(i) {
        Some(b'{') => {
            m.kind = Kind::Object;
            keys_of(m, i)
        }
        Some(b'[') => {
            m.kind = Kind::Array;
            let j = skip_ws(b, i + 1);
            match b.get(j) {
                Some(b']') => Ok(j + 1),
                Some(b'{') => {
                    m.first = Kind::Object;
                    keys_of(m, j)?;
                    skip(b, i)
                }
                _ => {
                    m.first = scalar_kind(b, j);
                    skip(b, i)
                }
            }
        }
        _ => {
            m.kind = scalar_kind(b, i);
            skip(b, i)
        }
    }
}

fn scalar_kind(b: &[u8], i: usize) -> Kind {
    match b.get(i) {
        Some(b'n') => Kind::Null,
        Some(b't' | b'f') => Kind::Bool,
        Some(b'"') => Kind::String,
        Some(b'[') => Kind::Array,
        Some(b'{') => Kind::Object,
        Some(_) => Kind::Number,
        None => Kind::Absent,
    }
}

/// Walks the members of the object at `i`: `value` gets each key (raw, as
/// written) and the position of its value, and returns the value's end.
/// Returns the end of the object; what was walked before an early stop
/// stays walked.
fn members<'a>(
    b: &'a [u8],
    i: usize,
    mut value: impl FnMut(&'a [u8], usize) -> Result<usize, Halt>,
) -> Result<usize, Halt> {
    let broken = Halt::Unreadable;
    let mut j = skip_ws(b, i + 1);
    if b.get(j) == Some(&b'}') {
        return Ok(j + 1);
    }
    loop {
        if b.get(j) != Some(&b'"') {
            return Err(broken);
        }
        let end = skip_string(b, j).ok_or(broken)?;
        let key = b.get(j + 1..end - 1).ok_or(broken)?;
        let colon = skip_ws(b, end);
        if b.get(colon) != Some(&b':') {
            return Err(broken);
        }
        let after = value(key, skip_ws(b, colon + 1))?;
        j = skip_ws(b, after);
        match b.get(j) {
            Some(b',') => j = skip_ws(b, j + 1),
            Some(b'}') => return Ok(j + 1),
            _ => return Err(broken),
        }
    }
}

/// A CodeArts build log: a line within the first 64 starts with the
/// `[yyyy/MM/dd HH:mm:ss.` prefix.
fn detect_text(w: &[u8]) -> Option<Source> {
    let mut start = 0;
    for _ in 0..64 {
        let line = w.get(start..)?;
        if looks_like_prefix(line) {
            return Some(Source::CodeartsLog);
        }
        start += memchr::memchr(b'\n', line)? + 1;
    }
    None
}

/// `[dddd/dd/dd dd:dd:dd.` at the start of `b`.
pub(crate) fn looks_like_prefix(b: &[u8]) -> bool {
    let shape = b"[dddd/dd/dd dd:dd:dd.";
    b.len() >= shape.len()
        && shape.iter().zip(b).all(|(&s, &c)| {
            if s == b'd' {
                c.is_ascii_digit()
            } else {
                s == c
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_log_with_a_nul_byte_is_still_detected() {
        let log = b"[2023/12/21 15:44:18.744 GMT+08:00] [INFO] tool wrote \0 here\n";
        assert_eq!(Shape::of(log).form, Form::Binary);
        assert_eq!(Shape::of(log).source(), Some(Source::CodeartsLog));
        let events: Vec<_> = crate::parse(&log[..], &crate::Options::default())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(events.len(), 1);
        assert!(events[0].notes.contains(crate::Note::BinaryInput));
        // An executable is no log.
        assert_eq!(Shape::of(b"\x7fELF\x02\x01\x01\0\0\0\0").source(), None);
    }

    /// Issue 13, point 8: a real-time page of 137 KB with `content` as its
    /// first key (as `jq -S` sorts them) is detected whole, not from its
    /// first 64 KiB.
    #[test]
    fn ok_a_big_page_with_sorted_keys() {
        let line = "[2023/12/21 15:44:18.743 GMT+08:00] [INFO] Building jar: x\\n";
        let content = line.repeat(137_000 / line.len() + 1);
        let page = format!(
            "{{\n  \"error\": null,\n  \"result\": {{\n    \"content\": \"{content}\",\n    \"current_offset\": 0,\n    \"has_more_data\": false,\n    \"offset\": 137000\n  }},\n  \"status\": \"success\"\n}}"
        );
        assert!(page.len() > 137_000);
        assert_eq!(detect(page.as_bytes()), Some(Source::CodeartsRealtimeLog));
        let flat = format!("{{\"result\":{{\"content\":\"{content}\",\"offset\":1}}}}");
        assert_eq!(detect(flat.as_bytes()), Some(Source::CodeartsRealtimeLog));
    }

    #[test]
    fn ok_table() {
        let cases: &[(&[u8], Option<Source>)] = &[
            (
                br#"{"id":1408,"state":"success","log_num":3,"log":[]}"#,
                Some(Source::SwrJobLog),
            ),
            (br#"  {"id":"2211","log" : []}"#, Some(Source::SwrJobLog)),
            (b"\xEF\xBB\xBF{\"log_num\":0}", Some(Source::SwrJobLog)),
            (
                br#"[{"id":2211,"state":"Successful","log_num":1}]"#,
                Some(Source::SwrJobHistory),
            ),
            (br#"[ ]"#, Some(Source::SwrJobHistory)),
            (
                br#"[{"errorCode":"SVCSTG.S2I.4016000","errorMessage":"x","detail":""}]"#,
                Some(Source::SwrJobHistory),
            ),
            (
                br#"{"result":true,"code":0,"data":[{"step_instance_id":1,"step_results":[]}]}"#,
                Some(Source::BkjobLog),
            ),
            (
                br#"{"code":0,"result":true,"data":{"log_type":1,"log_content":"x"}}"#,
                Some(Source::BkjobIpLog),
            ),
            (
                br#"{"data":{"script_task_logs":[]},"code":0,"result":true}"#,
                Some(Source::BkjobIpLog),
            ),
            (
                br#"{"code":0,"result":true,"data":{"finished":false,"job_instance":{}}}"#,
                Some(Source::BkjobStatus),
            ),
            (
                br#"{"code": 1244006, "result": false, "message": "Task instance does not exist"}"#,
                Some(Source::BkjobLog),
            ),
            (br#"{"result":true,"code":0}"#, Some(Source::BkjobLog)),
            (
                br#"{"result" : false , "code":"1244006"}"#,
                Some(Source::BkjobLog),
            ),
            (br#"{"code":0}"#, None),
            // Another vendor's `result` object with a nested `code`.
            (
                br#"{"result":{"code":1,"content":""},"status":"success"}"#,
                None,
            ),
            (br#"{"msg":"\"result\": true","code":1}"#, None),
            (br#"{"msg":"\"step_results\": []"}"#, None),
            (b"", None),
            (b"   ", None),
            (b"[", None),
            (b"{}", None),
            (b"plain text", None),
            (br#"{"msg":"\"log_num\": 3"}"#, None),
            (br#"{"log_numx":1}"#, None),
            (
                br#"{"result":{"has_more_data":true,"offset":1,"current_offset":0,"content":"x"}}"#,
                Some(Source::CodeartsRealtimeLog),
            ),
            (
                br#"{"result":{"has_more":false,"start_offset":"1","end_offset":"2","log":""}}"#,
                Some(Source::CodeartsRealtimeLog),
            ),
            (
                br#"{"error_code": "CB.00060200", "error_msg": "Invalid param"}"#,
                Some(Source::CodeartsRealtimeLog),
            ),
            (
                b"[2023/12/21 15:44:18.744 GMT+08:00] [INFO] BUILD SUCCESS\n",
                Some(Source::CodeartsLog),
            ),
            (
                b"\ncontinuation first\n[2023/12/21 15:44:18.744 GMT+08:00] x",
                Some(Source::CodeartsLog),
            ),
            (b"[2023-12-21 15:44:18] not codearts", None),
        ];
        for (input, want) in cases {
            assert_eq!(detect(input), *want, "{}", String::from_utf8_lossy(input));
        }
    }

    /// A BlueKing envelope named as one of the three calls: an error body
    /// fits each (its reader reports the vendor error), and so does data
    /// with nothing to read; data of another call (a `fast_transfer_file`
    /// response, which used to give no event and no error) does not.
    #[test]
    fn ok_bk_envelope_fit() {
        let bk = [Source::BkjobLog, Source::BkjobIpLog, Source::BkjobStatus];
        let fits: &[&[u8]] = &[
            br#"{"result":false,"code":1244006,"data":{"log_type":1}}"#,
            br#"{"result":true,"code":"1241007","data":[]}"#,
            br#"{"result":true,"code":0,"data":null,"permission":null}"#,
            br#"{"result":true,"code":0,"data":{"job_instance_id":1,"step_instance_id":2}}"#,
            br#"{"result":true,"code":0,"data":{"task_instance_id":1}}"#,
            br#"{"result":true,"code":0,"data":{}}"#,
            br#"{"result":true,"code":0,"data":"x"}"#,
        ];
        for input in fits {
            for src in bk {
                assert_eq!(
                    Shape::of(input).fit(src),
                    Ok(()),
                    "{src}: {}",
                    String::from_utf8_lossy(input)
                );
            }
        }
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/corpus/bkjob-log/err/real-dbm-fast-transfer-not-a-log.json"
        );
        let transfer = std::fs::read(path).unwrap();
        for src in [Source::BkjobIpLog, Source::BkjobStatus] {
            let misfit = Shape::of(&transfer).fit(src).unwrap_err();
            assert_eq!(misfit.detected, None);
            assert_eq!(
                misfit.why,
                format!(
                    "its data has none of the keys {src} reads (data keys: job_instance_id, job_instance_name, step_instance_id)"
                )
            );
        }
        // Its own reader reports the shape (`data` is not the steps array).
        assert_eq!(Shape::of(&transfer).fit(Source::BkjobLog), Ok(()));
    }

    #[test]
    fn ok_bk_failure_values() {
        for (key, v, want) in [
            ("result", "false,", true),
            ("result", "\"false\"}", true),
            ("result", "true,", false),
            ("result", "null", false),
            ("code", "0,", false),
            ("code", "\"0\" ,", false),
            ("code", "\"\"}", false),
            ("code", "null\n", false),
            ("code", "1244006,", true),
            ("code", "\"E1\"", true),
            ("code", "00", true),
        ] {
            assert_eq!(is_failure(key.as_bytes(), v.as_bytes()), want, "{key}: {v}");
        }
    }
}
