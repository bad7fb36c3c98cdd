//! `--otlp-endpoint`: the OTLP/JSON request lines POSTed to an OTLP/HTTP
//! receiver, with retries, instead of written to stdout.
//!
//! OTLP/HTTP's rules: 429, 502, 503 and 504 are retried with exponential
//! backoff, honouring `Retry-After` (seconds or an HTTP date, capped); any other status but
//! 2xx rejects the request for good; a connection that fails is retried a
//! bounded number of times, after which nothing more is sent. A 2xx with
//! `partialSuccess.rejectedLogRecords` loses that many records. Every
//! request's records are counted, so what is lost is said exactly.

use std::io::{self, Write};
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;

/// Attempts per request (the first one included).
const ATTEMPTS: u32 = 5;
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// How much of a rejecting response's body the error shows.
const BODY_SHOWN: usize = 200;

/// The delay a `Retry-After` value asks for at `now`: seconds, or an
/// HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`; a past date is no delay);
/// capped at [`MAX_RETRY_AFTER`].
fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(s) => Duration::from_secs(s),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            let at = std::time::SystemTime::from(at);
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Where and how requests are sent.
pub struct PushOptions {
    /// The receiver's URL, such as `http://127.0.0.1:4318/v1/logs`.
    pub endpoint: String,
    /// Extra request headers (`--otlp-header K=V`).
    pub headers: Vec<(String, String)>,
    /// The first retry's delay; each next one doubles, up to 20 times it.
    pub backoff: Duration,
}

/// Takes the request lines the OTLP writer writes (each `write` call holds
/// whole lines) and POSTs each one.
pub struct Pusher {
    opts: PushOptions,
    agent: ureq::Agent,
    /// Bytes of a line not yet ended.
    pending: Vec<u8>,
    /// Records and requests accepted.
    sent: u64,
    requests: u64,
    /// Records and requests rejected for good (or not sent once the
    /// receiver could not be reached).
    lost: u64,
    rejected: u64,
    /// Requests accepted in part (OTLP's `partialSuccess`).
    partial: u64,
    /// The receiver could not be reached: nothing more is tried.
    unreachable: bool,
}

/// Why a request was not accepted.
enum Rejection {
    /// This request only (a status, or a response that cannot be read).
    Request(String),
    /// The receiver cannot be reached: no further request is tried.
    Receiver(String),
}

impl Pusher {
    pub fn new(opts: PushOptions) -> Pusher {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Pusher {
            opts,
            agent,
            pending: Vec::new(),
            sent: 0,
            requests: 0,
            lost: 0,
            rejected: 0,
            partial: 0,
            unreachable: false,
        }
    }

    /// Sends what is left, says on `err` how many records were lost, if
    /// any; returns the exit status (1 if any were).
    pub fn finish(&mut self, err: &mut impl Write) -> u8 {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.send(&line);
        }
        if self.rejected == 0 && self.lost == 0 {
            return 0;
        }
        let partly = if self.partial > 0 {
            format!(", {} accepted in part", self.partial)
        } else {
            String::new()
        };
        let _ = writeln!(
            err,
            "cilog: {} of {} records lost: {} of {} requests to {} rejected{partly}",
            self.lost,
            self.lost + self.sent,
            self.rejected,
            self.rejected + self.requests,
            super::escape(&self.opts.endpoint)
        );
        1
    }

    /// POSTs one request line, retrying as OTLP/HTTP says; a rejection is
    /// reported on stderr and its records counted lost.
    fn send(&mut self, line: &[u8]) {
        let records = match record_count(line) {
            Ok(n) => n,
            Err(e) => {
                // The writer's own output: not expected.
                let _ = writeln!(io::stderr(), "cilog: an OTLP request cannot be read: {e}");
                self.rejected += 1;
                return;
            }
        };
        if self.unreachable {
            self.lost += records;
            self.rejected += 1;
            return;
        }
        match self.post(line) {
            Ok(partial) => {
                self.requests += 1;
                let dropped = partial.as_ref().map_or(0, |p| p.0.min(records));
                if let Some((_, why)) = partial {
                    let _ = writeln!(
                        io::stderr(),
                        "cilog: {}: accepted in part: {dropped} of {records} records rejected: {why}",
                        super::escape(&self.opts.endpoint)
                    );
                    self.partial += 1;
                }
                self.sent += records - dropped;
                self.lost += dropped;
            }
            Err(r) => {
                let why = match r {
                    Rejection::Request(why) => why,
                    Rejection::Receiver(why) => {
                        self.unreachable = true;
                        why
                    }
                };
                let _ = writeln!(
                    io::stderr(),
                    "cilog: {}: {why}; {records} records lost",
                    super::escape(&self.opts.endpoint)
                );
                self.lost += records;
                self.rejected += 1;
            }
        }
    }

    /// One request with its retries; on success, the records the
    /// receiver said it rejected (OTLP's partial success) and its message.
    fn post(&self, body: &[u8]) -> Result<Option<(u64, String)>, Rejection> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= ATTEMPTS;
            let mut req = self
                .agent
                .post(&self.opts.endpoint)
                .header("Content-Type", "application/json");
            for (k, v) in &self.opts.headers {
                req = req.header(k, v);
            }
            let wait = match req.send(body) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if resp.status().is_success() {
                        let text = resp
                            .body_mut()
                            .with_config()
                            .limit(1 << 20)
                            .read_to_vec()
                            .unwrap_or_default();
                        return Ok(partial_rejection(&text));
                    }
                    let retry = matches!(status, 429 | 502 | 503 | 504);
                    if !retry || last {
                        let text = resp
                            .body_mut()
                            .with_config()
                            .limit(64 * 1024)
                            .read_to_vec()
                            .unwrap_or_default();
                        let reason = resp.status().canonical_reason().unwrap_or("");
                        let tries = if retry {
                            format!(" after {attempt} attempts")
                        } else {
                            String::new()
                        };
                        return Err(Rejection::Request(format!(
                            "HTTP {status} {reason}{tries}: {}",
                            body_start(&text)
                        )));
                    }
                    let after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| retry_after(v, std::time::SystemTime::now()));
                    after.unwrap_or_else(|| self.backoff(attempt))
                }
                Err(e) => {
                    let transient = matches!(
                        e,
                        ureq::Error::Io(_)
                            | ureq::Error::Timeout(_)
                            | ureq::Error::ConnectionFailed
                            | ureq::Error::HostNotFound
                            | ureq::Error::Protocol(_)
                    );
                    let why = super::escape(&e.to_string());
                    if !transient {
                        return Err(Rejection::Receiver(why));
                    }
                    if last {
                        return Err(Rejection::Receiver(format!(
                            "{why} (after {attempt} attempts; nothing more is sent)"
                        )));
                    }
                    self.backoff(attempt)
                }
            };
            std::thread::sleep(wait);
        }
    }

    /// The delay after attempt `n` (1-based): base × 2^(n-1), at most 20 ×
    /// base.
    fn backoff(&self, n: u32) -> Duration {
        let base = self.opts.backoff;
        base.saturating_mul(1 << n.saturating_sub(1).min(16))
            .min(base.saturating_mul(20))
    }
}

impl Write for Pusher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = memchr::memchr(b'\n', &self.pending) {
            let rest = self.pending.split_off(end + 1);
            let line = std::mem::replace(&mut self.pending, rest);
            self.send(&line);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The records of one request, counted by decoding it.
fn record_count(line: &[u8]) -> serde_json::Result<u64> {
    #[derive(Deserialize)]
    struct Request {
        #[serde(rename = "resourceLogs")]
        resource_logs: Vec<ResourceLogs>,
    }
    #[derive(Deserialize)]
    struct ResourceLogs {
        #[serde(rename = "scopeLogs")]
        scope_logs: Vec<ScopeLogs>,
    }
    #[derive(Deserialize)]
    struct ScopeLogs {
        #[serde(rename = "logRecords")]
        log_records: Vec<IgnoredAny>,
    }
    let r: Request = serde_json::from_slice(line)?;
    Ok(r.resource_logs
        .iter()
        .flat_map(|r| &r.scope_logs)
        .map(|s| s.log_records.len() as u64)
        .sum())
}

/// OTLP's partial success in a 2xx response: `rejectedLogRecords` (an
/// int64, so a string in JSON, or a number) when above 0, and the
/// `errorMessage`.
fn partial_rejection(body: &[u8]) -> Option<(u64, String)> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let p = v.get("partialSuccess")?;
    let n = match p.get("rejectedLogRecords")? {
        serde_json::Value::String(s) => s.parse().ok()?,
        n => n.as_u64()?,
    };
    if n == 0 {
        return None;
    }
    let why = p
        .get("errorMessage")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    Some((n, body_start(why.as_bytes())))
}

/// The start of a response body, one line, control characters escaped.
fn body_start(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "(empty body)".to_owned();
    }
    let mut shown: String = text.chars().take(BODY_SHOWN).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    super::escape(&shown)
}

/// `--otlp-header K=V`.
pub fn parse_header(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

/// `--otlp-endpoint URL`: plain `http://` (this build has no TLS).
pub fn parse_endpoint(s: &str) -> Result<String, String> {
    let scheme = s.split_once("://").map(|(a, _)| a.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http") => Ok(s.to_owned()),
        Some("https") => Err(
            "https is not supported (cilog is built without TLS): send to a local collector over http"
                .to_owned(),
        ),
        _ => Err("expected an http:// URL, such as http://127.0.0.1:4318/v1/logs".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        // Wed, 21 Oct 2015 07:28:00 GMT
        let date = UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let now = date - Duration::from_secs(12);
        let at = |v: &str| retry_after(v, now);
        assert_eq!(at("7"), Some(Duration::from_secs(7)));
        assert_eq!(at(" 0 "), Some(Duration::ZERO));
        assert_eq!(at("3600"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            at("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::from_secs(12))
        );
        assert_eq!(at("Wed, 21 Oct 2015 08:28:00 GMT"), Some(MAX_RETRY_AFTER));
        assert_eq!(at("Wed, 21 Oct 2015 07:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(at("soon"), None);
        assert_eq!(at("-1"), None);
        assert!(retry_after("1", SystemTime::now()).is_some());
    }
}
