//! The NDJSON rendering of a [`LogEvent`]: one JSON object per line, fixed
//! key names and order, absent values omitted.
//!
//! Keys, in order: `source`, `input` (only from
//! [`LogEvent::write_ndjson_with_input`]), `kind`, `seq`, `time`, `time_assumed` (only when
//! true), `severity`, `severity_text`, `status`, `vendor_status`, `progress`,
//! `duration` (seconds), `job`, `step_id`, `step_name`, `host`, `pid`,
//! `exit_code`, `attempt`, `message` (always), `notes` (array, when any),
//! `attrs` (object, when any).
//!
//! The output is valid JSON for any event: control characters are escaped,
//! and text is always valid UTF-8 (invalid input bytes were replaced earlier,
//! with a note).

use std::fmt::Write as _;
use std::io;

use chrono::{Datelike as _, Timelike as _};

use crate::event::{LogEvent, Scalar};
use crate::note::Notes;
use crate::time::Timestamp;

mod serialize;

impl LogEvent<'_> {
    /// Appends the event's NDJSON line (with its `\n`) to `out`.
    pub fn write_ndjson_to(&self, out: &mut String) {
        self.write_ndjson_line(None, out);
    }

    /// Appends the event's NDJSON line (with its `\n`) to `out`, with an
    /// `input` key right after `source`: the name of the input the event was
    /// read from (a path as given, `-` for standard input), as the `cilog`
    /// command writes it.
    pub fn write_ndjson_with_input(&self, input: &str, out: &mut String) {
        self.write_ndjson_line(Some(input), out);
    }

    /// The line of both: `input` after `source` when given.
    #[inline(always)]
    fn write_ndjson_line(&self, input: Option<&str>, out: &mut String) {
        out.push_str("{\"source\":");
        name(out, self.source.as_str());
        if let Some(input) = input {
            out.push_str(",\"input\":");
            string(out, input);
        }
        out.push_str(",\"kind\":");
        name(out, self.kind.as_str());
        out.push_str(",\"seq\":");
        push_u64(out, self.seq);
        if let Some(t) = &self.time {
            out.push_str(",\"time\":\"");
            timestamp(out, t);
            out.push('"');
            if t.assumed() {
                out.push_str(",\"time_assumed\":true");
            }
        }
        if let Some(s) = self.severity {
            out.push_str(",\"severity\":");
            name(out, s.as_str());
        }
        if let Some(s) = &self.severity_text {
            out.push_str(",\"severity_text\":");
            string(out, s);
        }
        if let Some(s) = self.status {
            out.push_str(",\"status\":");
            name(out, s.as_str());
        }
        if let Some(v) = &self.vendor_status {
            out.push_str(",\"vendor_status\":");
            scalar(out, v);
        }
        if let Some(p) = self.progress {
            out.push_str(",\"progress\":");
            push_u64(out, u64::from(p));
        }
        if let Some(d) = self.duration {
            out.push_str(",\"duration\":");
            seconds(out, d);
        }
        let c = &self.ctx;
        opt_string(out, ",\"job\":", c.job.as_deref());
        opt_string(out, ",\"step_id\":", c.step_id.as_deref());
        opt_string(out, ",\"step_name\":", c.step_name.as_deref());
        opt_string(out, ",\"host\":", c.host.as_deref());
        opt_i64(out, ",\"pid\":", c.pid.map(i64::from));
        opt_i64(out, ",\"exit_code\":", c.exit_code);
        opt_i64(out, ",\"attempt\":", c.attempt.map(i64::from));
        out.push_str(",\"message\":");
        string(out, &self.message);
        notes(out, ",\"notes\":", self.notes);
        if !self.attrs.is_empty() {
            out.push_str(",\"attrs\":{");
            for (i, (k, v)) in self.attrs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(out, k);
                out.push(':');
                scalar(out, v);
            }
            out.push('}');
        }
        out.push_str("}\n");
    }

    /// The event's NDJSON line, including its `\n`.
    pub fn to_ndjson(&self) -> String {
        let mut s = String::with_capacity(128 + self.message.len());
        self.write_ndjson_to(&mut s);
        s
    }

    /// Writes the event's NDJSON line (with its `\n`) in one call, so an
    /// error never leaves a partial line from this event.
    ///
    /// # Errors
    /// Whatever the writer returns.
    pub fn write_ndjson<W: io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(self.to_ndjson().as_bytes())
    }
}

/// `prefix` (`,"key":`) and the note codes as a JSON array, when there are
/// notes.
#[inline]
pub(crate) fn notes(out: &mut String, prefix: &str, notes: Notes) {
    if notes.is_empty() {
        return;
    }
    out.push_str(prefix);
    out.push('[');
    for (i, n) in notes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        name(out, n.code());
    }
    out.push(']');
}

/// `prefix` (`,"key":`) and `v` as a JSON string, when `v` is present.
#[inline]
pub(crate) fn opt_string(out: &mut String, prefix: &str, v: Option<&str>) {
    if let Some(v) = v {
        out.push_str(prefix);
        string(out, v);
    }
}

/// `prefix` (`,"key":`) and `v` in decimal, when `v` is present.
#[inline]
pub(crate) fn opt_i64(out: &mut String, prefix: &str, v: Option<i64>) {
    if let Some(v) = v {
        out.push_str(prefix);
        push_i64(out, v);
    }
}

pub(crate) fn scalar(out: &mut String, v: &Scalar<'_>) {
    match v {
        Scalar::Str(s) => string(out, s),
        Scalar::Int(i) => push_i64(out, *i),
        Scalar::Float(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        Scalar::Float(_) => out.push_str("null"),
        Scalar::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Seconds with up to nine exact fraction digits, trailing zeros trimmed.
pub(crate) fn seconds(out: &mut String, d: std::time::Duration) {
    push_u64(out, d.as_secs());
    let mut nanos = d.subsec_nanos();
    if nanos > 0 {
        let mut width = 9;
        while nanos.is_multiple_of(10) {
            nanos /= 10;
            width -= 1;
        }
        out.push('.');
        digits(out, nanos, width);
    }
}

/// A name of ours (source, kind, severity, status, note code): ASCII
/// letters, digits, `-` and `_`, so nothing to escape.
pub(crate) fn name(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    out.push_str(s);
    out.push('"');
}

/// Appends ASCII bytes built on the stack.
fn push_ascii(out: &mut String, buf: &[u8]) {
    out.push_str(std::str::from_utf8(buf).unwrap_or_default());
}

/// `v` in decimal (what `{v}` writes, without the formatting machinery:
/// itoa's two-digits-at-a-time writer, which serde_json uses too).
#[inline]
pub(crate) fn push_u64(out: &mut String, v: u64) {
    out.push_str(itoa::Buffer::new().format(v));
}

#[inline]
pub(crate) fn push_i64(out: &mut String, v: i64) {
    out.push_str(itoa::Buffer::new().format(v));
}

/// Writes `v` as exactly `width` zero-padded decimal digits into `buf` at
/// `at`, returning the position after them (`v < 10^width`).
fn put(buf: &mut [u8], at: usize, mut v: u32, width: usize) -> usize {
    if let Some(slot) = buf.get_mut(at..at + width) {
        for d in slot.iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    at + width
}

/// `v` as exactly `width` zero-padded decimal digits (`v < 10^width`).
fn digits(out: &mut String, v: u32, width: usize) {
    let mut buf = [0u8; 10];
    let end = put(&mut buf, 0, v, width.min(10));
    push_ascii(out, buf.get(..end).unwrap_or_default());
}

/// The timestamp as its `Display` writes it (RFC 3339, the source's fraction
/// digits, `Z` or the offset), for years 0–9999 without the formatting
/// machinery; other years through `Display`.
pub(crate) fn timestamp(out: &mut String, t: &Timestamp) {
    let dt = t.datetime();
    let local = dt.naive_local();
    let year = match u32::try_from(local.year()) {
        Ok(y) if y <= 9999 => y,
        _ => {
            let _ = write!(out, "{t}");
            return;
        }
    };
    // `yyyy-mm-ddThh:mm:ss` `.fffffffff` `+hh:mm`: at most 35 bytes.
    let mut buf = *b"0000-00-00T00:00:00.000000000+00:00";
    // The date part of the last time written on this thread: a log's lines
    // mostly share their day, and month and day cost divisions.
    thread_local! {
        static DAY: std::cell::Cell<Option<(chrono::NaiveDate, [u8; 10])>> =
            const { std::cell::Cell::new(None) };
    }
    let date = local.date();
    let cached = DAY.with(|d| d.get()).filter(|(day, _)| *day == date);
    match cached {
        Some((_, text)) => {
            if let Some(slot) = buf.get_mut(..10) {
                slot.copy_from_slice(&text);
            }
        }
        None => {
            put(&mut buf, 0, year, 4);
            put(&mut buf, 5, local.month(), 2);
            put(&mut buf, 8, local.day(), 2);
            if let Some(text) = buf.first_chunk::<10>() {
                let text = *text;
                DAY.with(|d| d.set(Some((date, text))));
            }
        }
    }
    put(&mut buf, 11, local.hour(), 2);
    put(&mut buf, 14, local.minute(), 2);
    let mut end = put(&mut buf, 17, local.second(), 2);
    let frac = t.frac_digits();
    if frac > 0 {
        let nanos = local.nanosecond() % 1_000_000_000;
        let scaled = nanos / 10u32.pow(9 - u32::from(frac));
        // The '.' is already in place.
        end = put(&mut buf, end + 1, scaled, usize::from(frac));
    }
    let secs = dt.offset().local_minus_utc();
    if let Some(tail) = buf.get_mut(end..) {
        if secs == 0 {
            if let Some(z) = tail.first_mut() {
                *z = b'Z';
            }
            end += 1;
        } else {
            let abs = secs.unsigned_abs();
            let mut zone = *b"+00:00";
            if secs < 0
                && let Some(sign) = zone.first_mut()
            {
                *sign = b'-';
            }
            put(&mut zone, 1, abs / 3600, 2);
            put(&mut zone, 4, (abs / 60) % 60, 2);
            if let Some(slot) = tail.get_mut(..6) {
                slot.copy_from_slice(&zone);
            }
            end += 6;
        }
    }
    push_ascii(out, buf.get(..end).unwrap_or_default());
}

/// Bytes that must be escaped in a JSON string (and DEL, which we escape
/// too): a bit set in the top of each such byte of `w`, and possibly in
/// bytes after the first such one (never before it).
#[inline]
fn escapes_in(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    control
        | zero_in(w ^ (ONES * u64::from(b'"')))
        | zero_in(w ^ (ONES * u64::from(b'\\')))
        | zero_in(w ^ (ONES * 0x7f))
}

/// Writes `s` as a JSON string literal.
pub(crate) fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    string_body(out, s);
    out.push('"');
}

/// Writes the inside of `s`'s JSON string literal, without the quotes (to
/// join a literal from parts: a key prefix and a name).
pub(crate) fn string_body(out: &mut String, s: &str) {
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        // Eight bytes at a time to the next byte to escape; the last few
        // bytes padded with spaces to a word of their own.
        let at = loop {
            // Four words at a time while none needs escaping, then a word
            // at a time to the byte that does.
            while let Some(c) = b.get(i..).and_then(|r| r.first_chunk::<32>()) {
                let word = |k: usize| {
                    let mut w = [0u8; 8];
                    if let Some(part) = c.get(k..k + 8) {
                        w.copy_from_slice(part);
                    }
                    escapes_in(u64::from_le_bytes(w))
                };
                if word(0) | word(8) | word(16) | word(24) != 0 {
                    break;
                }
                i += 32;
            }
            let mut w = [b' '; 8];
            match b.get(i..i + 8) {
                Some(chunk) => w.copy_from_slice(chunk),
                None => match b.get(i..) {
                    Some(rest) if !rest.is_empty() => {
                        if let Some(slot) = w.get_mut(..rest.len()) {
                            slot.copy_from_slice(rest);
                        }
                    }
                    _ => break None,
                },
            }
            let hits = escapes_in(u64::from_le_bytes(w));
            if hits != 0 {
                break Some(i + (hits.trailing_zeros() / 8) as usize);
            }
            i += 8;
        };
        let Some(at) = at else { break };
        let Some(&c) = b.get(at) else { break };
        out.push_str(s.get(start..at).unwrap_or_default());
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let hi = HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(c & 15)).copied().unwrap_or(b'0');
                push_ascii(out, &[b'\\', b'u', b'0', b'0', hi, lo]);
            }
        }
        i = at + 1;
        start = i;
    }
    out.push_str(s.get(start..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use crate::note::Note;
    use crate::source::Source;
    use std::borrow::Cow;
    use std::time::Duration;

    #[test]
    fn minimal_event() {
        let e = LogEvent::new(
            Source::SwrJobLog,
            EventKind::Line,
            3,
            Cow::Borrowed("hi \"x\"\n\u{1b}[0m\u{7f}"),
        );
        assert_eq!(
            e.to_ndjson(),
            "{\"source\":\"swr-job-log\",\"kind\":\"line\",\"seq\":3,\"message\":\"hi \\\"x\\\"\\n\\u001b[0m\\u007f\"}\n"
        );
        let v: serde_json::Value = serde_json::from_str(&e.to_ndjson()).unwrap();
        assert_eq!(v["message"], "hi \"x\"\n\u{1b}[0m\u{7f}");
    }

    #[test]
    fn every_field() {
        let mut e = LogEvent::new(
            Source::SwrJobHistory,
            EventKind::Status,
            0,
            Cow::Borrowed(""),
        );
        e.severity = Some(crate::Severity::Warn);
        e.severity_text = Some("WARNING".into());
        e.status = Some(crate::Status::TimedOut);
        e.vendor_status = Some(Scalar::Int(13));
        e.progress = Some(40);
        e.duration = Some(Duration::from_millis(60_599));
        e.ctx.job = Some("2210".into());
        e.ctx.step_id = Some("s1".into());
        e.ctx.step_name = Some("检查".into());
        e.ctx.host = Some("10.0.0.1".into());
        e.ctx.pid = Some(56875);
        e.ctx.exit_code = Some(-1);
        e.ctx.attempt = Some(0);
        e.notes.insert(Note::UnknownStatus);
        e.notes.insert(Note::InvalidUtf8);
        e.attrs.push(("tag", Scalar::Str("ok".into())));
        e.attrs.push(("ratio", Scalar::Float(0.5)));
        e.attrs.push(("finished", Scalar::Bool(false)));
        assert_eq!(
            e.to_ndjson(),
            concat!(
                "{\"source\":\"swr-job-history\",\"kind\":\"status\",\"seq\":0,\"severity\":\"warn\",",
                "\"severity_text\":\"WARNING\",\"status\":\"timed_out\",\"vendor_status\":13,\"progress\":40,",
                "\"duration\":60.599,\"job\":\"2210\",\"step_id\":\"s1\",\"step_name\":\"检查\",\"host\":\"10.0.0.1\",",
                "\"pid\":56875,\"exit_code\":-1,\"attempt\":0,\"message\":\"\",",
                "\"notes\":[\"invalid_utf8\",\"unknown_status\"],",
                "\"attrs\":{\"tag\":\"ok\",\"ratio\":0.5,\"finished\":false}}\n"
            )
        );
        serde_json::from_str::<serde_json::Value>(&e.to_ndjson()).unwrap();
    }

    #[test]
    fn durations_are_exact() {
        let mut s = String::new();
        seconds(&mut s, Duration::from_secs(9));
        s.push(' ');
        seconds(&mut s, Duration::from_nanos(1_204_000_000));
        s.push(' ');
        seconds(&mut s, Duration::from_nanos(1));
        assert_eq!(s, "9 1.204 0.000000001");
    }

    /// The escaper as it was before the eight-byte skip: the reference.
    fn string_reference(out: &mut String, s: &str) {
        out.push('"');
        let b = s.as_bytes();
        let mut start = 0;
        for (i, &c) in b.iter().enumerate() {
            let esc: &str = match c {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x00..=0x1f | 0x7f => "",
                _ => continue,
            };
            out.push_str(&s[start..i]);
            if esc.is_empty() {
                out.push_str(&format!("\\u{:04x}", c));
            } else {
                out.push_str(esc);
            }
            start = i + 1;
        }
        out.push_str(&s[start..]);
        out.push('"');
    }

    fn fast<T: ?Sized>(f: fn(&mut String, &T), v: &T) -> String {
        let mut out = String::new();
        f(&mut out, v);
        out
    }

    #[test]
    fn numbers_and_times_as_display_writes_them() {
        for v in [0u64, 1, 9, 10, 99, 100, 4_294_967_295, u64::MAX] {
            assert_eq!(fast(|o, v: &u64| push_u64(o, *v), &v), v.to_string());
        }
        for v in [0i64, -1, 7, -10, i64::MIN, i64::MAX] {
            assert_eq!(fast(|o, v: &i64| push_i64(o, *v), &v), v.to_string());
        }
        // Years beyond four digits, and before year 0, go through Display.
        for (y, frac) in [(1, 0), (2023, 3), (9999, 9), (10000, 1), (-44, 2)] {
            let off = chrono::FixedOffset::east_opt(-(5 * 3600 + 30 * 60)).unwrap();
            let dt = chrono::NaiveDate::from_ymd_opt(y, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_234_567)
                .unwrap()
                .and_local_timezone(off)
                .unwrap();
            let t = Timestamp::new(dt, frac, false);
            assert_eq!(fast(timestamp, &t), t.to_string());
        }
    }

    /// The remembered day is used only for times of that day, in that
    /// offset's local date: same day, next day, back, and the same instant
    /// in offsets whose local dates differ.
    #[test]
    fn the_remembered_day_follows_the_local_date() {
        let at = |d: u32, h: u32, off_h: i32| {
            let off = chrono::FixedOffset::east_opt(off_h * 3600).unwrap();
            let dt = chrono::NaiveDate::from_ymd_opt(2024, 2, d)
                .unwrap()
                .and_hms_opt(h, 30, 0)
                .unwrap()
                .and_local_timezone(off)
                .unwrap();
            Timestamp::new(dt, 0, false)
        };
        let utc_late = at(28, 23, 0);
        let east = Timestamp::new(
            utc_late
                .datetime()
                .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()),
            0,
            false,
        );
        for t in [
            at(28, 1, 8),
            at(28, 22, 8),
            at(29, 0, 8),
            at(28, 23, 8),
            utc_late,
            east,
            utc_late,
        ] {
            assert_eq!(fast(timestamp, &t), t.to_string());
        }
        assert_eq!(fast(timestamp, &east), "2024-02-29T07:30:00+08:00");
    }

    /// A byte to escape at every place of the 32-byte and 8-byte steps,
    /// after and before runs of plain text of every length to 80.
    #[test]
    fn string_escapes_at_every_offset() {
        for c in ['"', '\\', '\n', '\u{1}', '\u{7f}'] {
            for before in 0..80 {
                for after in [0, 1, 7, 8, 31, 32, 33] {
                    let s = format!("{}{c}{}", "a".repeat(before), "é".repeat(after));
                    let mut want = String::new();
                    string_reference(&mut want, &s);
                    assert_eq!(fast(string, s.as_str()), want, "{before} {after}");
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::testing::proptest_config(1000))]

        /// The eight-byte escaper writes what the byte loop wrote.
        #[test]
        fn string_agrees_with_reference(s in "(\\PC|[\\x00-\\x1f\\x7f\"\\\\]|[a-z]{0,9}|é|代){0,40}") {
            let mut want = String::new();
            string_reference(&mut want, &s);
            proptest::prop_assert_eq!(fast(string, s.as_str()), want);
        }

        /// The hand-written number, duration and time writers agree with
        /// the formatting machinery.
        #[test]
        fn writers_agree_with_display(
            n in proptest::prelude::any::<u64>(),
            i in proptest::prelude::any::<i64>(),
            secs in 0u64..10_000_000_000,
            nanos in proptest::prop_oneof![0u32..1_000_000_000, proptest::strategy::Just(0u32), proptest::strategy::Just(500_000_000u32), proptest::strategy::Just(1u32)],
            millis in -62_000_000_000_000i64..253_000_000_000_000,
            sub in 0u32..1_000_000,
            frac in 0u8..=9,
            off in -86_399i32..86_400,
        ) {
            proptest::prop_assert_eq!(fast(|o, v: &u64| push_u64(o, *v), &n), n.to_string());
            proptest::prop_assert_eq!(fast(|o, v: &i64| push_i64(o, *v), &i), i.to_string());
            let d = Duration::new(secs, nanos);
            let mut want = secs.to_string();
            if nanos > 0 {
                let frac = format!("{nanos:09}");
                want.push('.');
                want.push_str(frac.trim_end_matches('0'));
            }
            proptest::prop_assert_eq!(fast(|o, d: &Duration| seconds(o, *d), &d), want.clone());
            proptest::prop_assert_eq!(crate::time::Seconds(d).to_string(), want);
            let offset = chrono::FixedOffset::east_opt(off).unwrap();
            let dt = chrono::DateTime::from_timestamp_millis(millis).unwrap().with_timezone(&offset);
            let dt = dt + chrono::TimeDelta::nanoseconds(i64::from(sub));
            let t = Timestamp::new(dt, frac, false);
            proptest::prop_assert_eq!(fast(timestamp, &t), t.to_string());
        }
    }
}
