//! [`detect`]: name the payload kind from its first bytes. Sniffing only.
//!
//! JSON payloads are told apart by distinctive keys in the first
//! [`WINDOW`] bytes. A key counts only where it is a real key (`"key"` then
//! optional white space then `:`), so the same word inside an escaped JSON
//! string (`\"key\"`) or a log message does not match.

use crate::source::Source;
use crate::text::strip_bom;

/// How many bytes detection looks at.
pub const WINDOW: usize = 64 * 1024;

/// Names the source of `input`, or `None` if it looks like none of them.
///
/// Reads at most the first 64 KiB; never fails or panics.
///
/// ```
/// use cilog::{detect, Source};
/// assert_eq!(detect(br#"[{"id":1,"state":"Successful","log_num":1}]"#), Some(Source::SwrJobHistory));
/// assert_eq!(detect(b"hello"), None);
/// ```
pub fn detect(input: &[u8]) -> Option<Source> {
    let input = strip_bom(input);
    let window = input.get(..input.len().min(WINDOW)).unwrap_or(input);
    let start = window.iter().position(|b| !b.is_ascii_whitespace())?;
    let body = window.get(start..)?;
    match body.first()? {
        b'{' => detect_object(body),
        b'[' => {
            let next = body.get(1..)?.iter().find(|b| !b.is_ascii_whitespace());
            match next {
                Some(b'{') | Some(b']') => detect_array(body),
                _ => detect_text(body),
            }
        }
        _ => detect_text(body),
    }
}

/// A CodeArts build log: a line within the window starts with the
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

fn detect_object(w: &[u8]) -> Option<Source> {
    if let Some(src) = detect_bkjob(w) {
        return Some(src);
    }
    let page_keys: [&[u8]; 5] = [
        b"has_more_data",
        b"current_offset",
        b"has_more",
        b"start_offset",
        b"end_offset",
    ];
    if page_keys.iter().any(|k| has_key(w, k))
        || (has_key(w, b"error_code") && has_key(w, b"error_msg"))
    {
        return Some(Source::CodeartsRealtimeLog);
    }
    if has_key(w, b"log_num") || has_key(w, b"log") || has_key(w, b"creator_id") {
        return Some(Source::SwrJobLog);
    }
    if has_key(w, b"errorCode") {
        return Some(Source::SwrJobLog);
    }
    if is_bkjob_envelope(w) {
        return Some(Source::BkjobLog);
    }
    None
}

/// BlueKing JOB responses, by the keys of their `data`. A bare envelope
/// (no data keys: an error body, or an empty success) is checked last, by
/// [`is_bkjob_envelope`], and goes to `bkjob-log`, the v2 call of the seed,
/// so that an error body still ends in the vendor error when the source is
/// not named.
fn detect_bkjob(w: &[u8]) -> Option<Source> {
    let any = |keys: &[&[u8]]| keys.iter().any(|k| has_key(w, k));
    if any(&[
        b"job_instance",
        b"step_instance_list",
        b"step_ip_result_list",
    ]) {
        return Some(Source::BkjobStatus);
    }
    if any(&[
        b"log_type",
        b"file_logs",
        b"script_task_logs",
        b"file_task_logs",
    ]) {
        return Some(Source::BkjobIpLog);
    }
    if any(&[b"step_results", b"ip_logs", b"ip_status"]) {
        return Some(Source::BkjobLog);
    }
    None
}

/// A BlueKing envelope without data keys: `"result": true|false` (a boolean,
/// unlike the object other vendors put under `result`) and a `code`.
fn is_bkjob_envelope(w: &[u8]) -> bool {
    if !has_key(w, b"code") {
        return false;
    }
    for at in memchr::memmem::find_iter(w, b"\"result\"") {
        if at >= 1 && w.get(at - 1) == Some(&b'\\') {
            continue;
        }
        let mut i = at + 8;
        while w.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if w.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while w.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let value = w.get(i..).unwrap_or_default();
        if value.starts_with(b"true") || value.starts_with(b"false") {
            return true;
        }
    }
    false
}

fn detect_array(w: &[u8]) -> Option<Source> {
    let empty = w
        .get(1..)
        .and_then(|r| r.iter().find(|b| !b.is_ascii_whitespace()))
        == Some(&b']');
    if empty || has_key(w, b"errorCode") || has_key(w, b"log_num") || has_key(w, b"service_id") {
        return Some(Source::SwrJobHistory);
    }
    if has_key(w, b"id")
        && [&b"state"[..], b"status", b"duration", b"progress"]
            .iter()
            .any(|k| has_key(w, k))
    {
        return Some(Source::SwrJobHistory);
    }
    None
}

/// Whether `"key"` appears as a JSON key (followed by optional white space and `:`).
pub(crate) fn has_key(w: &[u8], key: &[u8]) -> bool {
    let finder = memchr::memmem::find_iter(w, key);
    for at in finder {
        if at == 0 || w.get(at - 1) != Some(&b'"') {
            continue;
        }
        // Not an escaped quote: `\"key\"` inside a string.
        if at >= 2 && w.get(at - 2) == Some(&b'\\') {
            continue;
        }
        let after = at + key.len();
        if w.get(after) != Some(&b'"') {
            continue;
        }
        let rest = w.get(after + 1..).unwrap_or_default();
        if rest.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
