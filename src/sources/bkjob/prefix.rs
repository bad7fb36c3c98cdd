//! The timestamp prefix of a BlueKing log line and the script template's
//! markers after it.
//!
//! - template lines `[yyyy-MM-dd HH:mm:ss][PID:n] message` — the Windows
//!   batch template writes the date with slashes and a space-padded hour and
//!   may leave out `[PID:n]`;
//! - the template's markers `job_start`, `job_success:[msg]`,
//!   `job_fail:[msg]` after such a prefix.
//!
//! The readers return byte ranges into the line, so the event builder can
//! borrow from the input.

use std::ops::Range;

use crate::time::{TimeError, Timestamp, Written};

/// Longest stamp text looked at between the brackets
/// (`2018-03-15 14:39:30.123456789 +08:00` is 35 bytes).
const MAX_STAMP: usize = 40;

/// A `[stamp]` or `[stamp][PID:n]` prefix at the start of a line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Prefix {
    /// The stamp text inside the brackets.
    pub(super) stamp: Range<usize>,
    /// The stamp read; only a stamp of the right shape with a field out of
    /// range is an `Err` (a wrong shape is no prefix at all).
    pub(super) time: Result<Written, TimeError>,
    /// The digits of `[PID:n]`.
    pub(super) pid: Option<Range<usize>>,
    /// Where the message starts (after one space following the prefix).
    pub(super) body: usize,
    /// The legacy file-transfer form `【stamp】`, not `[stamp]`.
    pub(super) full_width: bool,
}

/// A date the template prefix wrote (`yyyy-MM-dd`, as written): the lines
/// of one log mostly share it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Day {
    text: [u8; 10],
    /// The day before it, the day, the day after: a time minus the offset
    /// may fall on either side of midnight in UTC.
    utc: [chrono::NaiveDate; 3],
}

/// The script template's own `[yyyy-MM-dd HH:mm:ss][PID:n]` prefix (at
/// most nine digits of process id), with the message not starting with
/// `job_` (no template marker): the time resolved with `offset`, the
/// process id, and where the message starts — what [`prefix`] and the
/// general line path make of such a line, in one pass, the date read only
/// when it is not `day`'s (which then becomes this line's). `None` for any
/// other line, and for a field out of range: those take the general path.
#[inline]
pub(super) fn template_prefix(
    b: &[u8],
    offset: chrono::FixedOffset,
    day: &mut Option<Day>,
) -> Option<(Timestamp, u32, usize)> {
    let p = b.get(..26)?;
    if p.first() != Some(&b'[')
        || p.get(5) != Some(&b'-')
        || p.get(8) != Some(&b'-')
        || p.get(11) != Some(&b' ')
        || p.get(14) != Some(&b':')
        || p.get(17) != Some(&b':')
        || p.get(20..26) != Some(b"][PID:")
    {
        return None;
    }
    let text: [u8; 10] = p.get(1..11)?.try_into().ok()?;
    let utc = match day {
        Some(d) if d.text == text => d.utc,
        _ => {
            let date = chrono::NaiveDate::from_ymd_opt(
                crate::time::digits(p, 1, 4)?.cast_signed(),
                crate::time::digits(p, 6, 2)?,
                crate::time::digits(p, 9, 2)?,
            )?;
            let utc = [date.pred_opt()?, date, date.succ_opt()?];
            *day = Some(Day { text, utc });
            utc
        }
    };
    let (h, mi, sec) = (
        crate::time::digits(p, 12, 2)?,
        crate::time::digits(p, 15, 2)?,
        crate::time::digits(p, 18, 2)?,
    );
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let (pid, n) = pid_digits(b.get(26..).unwrap_or_default())?;
    let mut body = 26 + n + 1;
    if b.get(body) == Some(&b' ') {
        body += 1;
    }
    if b.get(body..).is_some_and(|m| m.starts_with(b"job_")) {
        return None;
    }
    // The time minus the offset, on the day it falls on in UTC (the
    // offset is less than a day either way): what `Written::resolve` gives
    // for a zone-less stamp.
    let utc_secs = i64::from(h * 3600 + mi * 60 + sec) - i64::from(offset.local_minus_utc());
    let (date, secs) = if utc_secs < 0 {
        (utc[0], utc_secs + 86_400)
    } else if utc_secs >= 86_400 {
        (utc[2], utc_secs - 86_400)
    } else {
        (utc[1], utc_secs)
    };
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(secs).ok()?, 0)?;
    let utc = chrono::NaiveDateTime::new(date, time);
    let time = Timestamp::new(
        chrono::DateTime::from_naive_utc_and_offset(utc, offset),
        0,
        true,
    );
    Some((time, pid, body))
}

/// The digits of `[PID:n]` at the start of `d` and their count, when
/// there are one to nine and a `]` follows. Up to seven digits are read a
/// word at a time, without a branch on their count (PIDs have four to
/// seven digits, in no order).
#[inline(always)]
pub(super) fn pid_digits(d: &[u8]) -> Option<(u32, usize)> {
    if let Some(word) = d.get(..8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(word);
        // A byte is a digit when its high nibble is 3 and stays 3 with 6
        // added. A carry out of a byte (0xfa and above, not a digit) only
        // reaches later bytes, past the end of the digits.
        let high = (w & 0xf0f0_f0f0_f0f0_f0f0) ^ 0x3030_3030_3030_3030;
        let low =
            (w.wrapping_add(0x0606_0606_0606_0606) & 0xf0f0_f0f0_f0f0_f0f0) ^ 0x3030_3030_3030_3030;
        let not_digit = high | low;
        let n = (not_digit.trailing_zeros() / 8) as usize;
        if (1..8).contains(&n) {
            if (w >> (8 * n)) as u8 != b']' {
                return None;
            }
            // The digits moved to the top bytes, zeros (leading zero
            // digits) below them, then combined pairwise: 8 digits to 4
            // numbers of two, to 2 of four, to 1 of eight.
            let shift = 8 * (8 - n);
            let mut v = (w << shift).wrapping_sub(0x3030_3030_3030_3030 << shift);
            v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
            v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
            v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff;
            return Some((u32::try_from(v).ok()?, n));
        }
    }
    let n = d.iter().take(10).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 9 || d.get(n) != Some(&b']') {
        return None;
    }
    Some((crate::time::digits(d, 0, n)?, n))
}

/// Reads the timestamp prefix of a line, if it has one: a stamp of any
/// shape `time::parse_written` reads.
pub(super) fn prefix(s: &str) -> Option<Prefix> {
    let b = s.as_bytes();
    if b.first() == Some(&FULL_WIDTH_LEAD) {
        return full_width_prefix(s);
    }
    if b.first() != Some(&b'[') || !b.get(1..5)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let window = b.get(1..b.len().min(MAX_STAMP + 2))?;
    let close = 1 + memchr::memchr(b']', window)?;
    let stamp = 1..close;
    let time = match crate::time::parse_written(s.get(stamp.clone())?) {
        Ok(w) => Ok(w),
        Err(TimeError::Range) => Err(TimeError::Range),
        Err(TimeError::Shape) => return None,
    };
    Some(after_stamp(b, stamp, time))
}

/// The first byte of `【` (U+3010) in UTF-8: a line starting with it may
/// have the legacy file-transfer prefix `【stamp】`. Other lines starting
/// with it (kana, CJK punctuation) are rare.
pub(super) const FULL_WIDTH_LEAD: u8 = 0xE3;

/// The legacy file-transfer prefix `【yyyy-MM-dd HH:mm:ss.SSS】`, one space
/// after it: any stamp `time::parse_written` reads, no `[PID:n]`.
fn full_width_prefix(s: &str) -> Option<Prefix> {
    let inner = s.strip_prefix('【')?;
    let open = '【'.len_utf8();
    if !inner.as_bytes().get(..4)?.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let window = inner
        .as_bytes()
        .get(..inner.len().min(MAX_STAMP + '】'.len_utf8()))?;
    let close = open + memchr::memmem::find(window, "】".as_bytes())?;
    let stamp = open..close;
    let time = match crate::time::parse_written(s.get(stamp.clone())?) {
        Ok(w) => Ok(w),
        Err(TimeError::Range) => Err(TimeError::Range),
        Err(TimeError::Shape) => return None,
    };
    let mut body = close + '】'.len_utf8();
    if s.as_bytes().get(body) == Some(&b' ') {
        body += 1;
    }
    Some(Prefix {
        stamp,
        time,
        pid: None,
        body,
        full_width: true,
    })
}

/// The prefix whose stamp is `stamp` (inside brackets): an optional
/// `[PID:n]` and one space may follow.
#[inline]
fn after_stamp(b: &[u8], stamp: Range<usize>, time: Result<Written, TimeError>) -> Prefix {
    let mut body = stamp.end + 1;
    let mut pid = None;
    if let Some(rest) = b.get(body..)
        && rest.starts_with(b"[PID:")
    {
        let digits_start = body + 5;
        let digits = b.get(digits_start..).unwrap_or_default();
        let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 && digits.get(n) == Some(&b']') {
            pid = Some(digits_start..digits_start + n);
            body = digits_start + n + 1;
        }
    }
    if b.get(body) == Some(&b' ') {
        body += 1;
    }
    Prefix {
        stamp,
        time,
        pid,
        body,
        full_width: false,
    }
}

/// A marker of the default script template.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Marker {
    /// `job_start`
    Start,
    /// `job_success:[msg]`, with the range of `msg`.
    Success(Range<usize>),
    /// `job_fail:[msg]`, with the range of `msg`.
    Fail(Range<usize>),
}

/// The template marker in the message starting at `body`, if any.
pub(super) fn marker(s: &str, body: usize) -> Option<Marker> {
    let rest = s.get(body..)?.trim_end();
    if rest == "job_start" {
        return Some(Marker::Start);
    }
    let end = body + rest.len();
    for (word, success) in [("job_success:[", true), ("job_fail:[", false)] {
        if rest.starts_with(word) && rest.ends_with(']') && rest.len() > word.len() {
            let range = body + word.len()..end - 1;
            return Some(if success {
                Marker::Success(range)
            } else {
                Marker::Fail(range)
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(s: &str) -> Option<(String, Option<&str>, &str)> {
        let p = prefix(s)?;
        let t = match p.time {
            Ok(w) => format!("{:?}", w.naive),
            Err(e) => format!("{e:?}"),
        };
        Some((t, p.pid.map(|r| &s[r]), &s[p.body..]))
    }

    #[test]
    fn ok_template_prefixes() {
        let cases = [
            (
                "[2018-03-15 14:39:30][PID:56875] job_start",
                "2018-03-15T14:39:30",
                Some("56875"),
                "job_start",
            ),
            (
                "[2018-03-15 14:39:30][PID:1]",
                "2018-03-15T14:39:30",
                Some("1"),
                "",
            ),
            (
                "[2018-03-15 14:39:30][PID:1]  two spaces",
                "2018-03-15T14:39:30",
                Some("1"),
                " two spaces",
            ),
            // Windows batch template: slashes, space-padded hour, no PID.
            (
                "[2024/05/20  9:00:01] job_start",
                "2024-05-20T09:00:01",
                None,
                "job_start",
            ),
            (
                "[2024/05/20 19:00:01][PID:4242] echo on",
                "2024-05-20T19:00:01",
                Some("4242"),
                "echo on",
            ),
            // An offset written in the stamp is accepted.
            (
                "[2018-03-15 14:39:30 +0800] x",
                "2018-03-15T14:39:30",
                None,
                "x",
            ),
            // A malformed PID is message text.
            (
                "[2018-03-15 14:39:30][PID:x] y",
                "2018-03-15T14:39:30",
                None,
                "[PID:x] y",
            ),
            (
                "[2018-03-15 14:39:30][PID:] y",
                "2018-03-15T14:39:30",
                None,
                "[PID:] y",
            ),
            // Out of range: still a prefix, the time is an error.
            (
                "[2018-13-45 14:39:30][PID:7] late",
                "Range",
                Some("7"),
                "late",
            ),
        ];
        for (line, time, pid, body) in cases {
            assert_eq!(stamp(line), Some((time.to_owned(), pid, body)), "{line}");
        }
    }

    #[test]
    fn ok_template_prefix_reads_the_template_only() {
        let offset = crate::time::utc();
        let mut day = None;
        let (t, pid, body) =
            template_prefix(b"[2018-03-15 14:39:30][PID:56875] x", offset, &mut day).unwrap();
        assert_eq!(t.to_string(), "2018-03-15T14:39:30Z");
        assert_eq!((pid, body), (56875, 33));
        assert!(day.is_some());
        for line in [
            "[2018-03-15 14:39:30][PID:56875] job_start",
            "[2018-03-15 14:39:30] x",
            "[2018-03-15 14:39:30][PID:1234567890] x",
            "[2018-02-30 14:39:30][PID:1] x",
            "[2018/03/15 14:39:30][PID:1] x",
        ] {
            assert_eq!(
                template_prefix(line.as_bytes(), offset, &mut day),
                None,
                "{line}"
            );
        }
    }

    #[test]
    fn ok_full_width_prefixes() {
        let p = prefix("【2019-08-12 16:24:37.027】 【Upload source files】FileName：x").unwrap();
        assert!(p.full_width);
        assert_eq!(
            format!("{:?}", p.time.unwrap().naive),
            "2019-08-12T16:24:37.027"
        );
        assert_eq!(p.stamp, 3..26);
        assert_eq!(p.pid, None);
        assert_eq!(p.body, 30);
        let p = prefix("【2019-02-30 16:24:37】x").unwrap();
        assert_eq!((p.time, p.body), (Err(TimeError::Range), 25));
        for line in [
            "【Upload source files】FileName：x",
            "【2019-08-12 16:24:37.027 FileName：x",
            "【2019-08-12 16:24:37.027] x",
            "【2019】 x",
            "「2019-08-12 16:24:37」 x",
            "あいうえお",
            "【",
        ] {
            assert_eq!(prefix(line), None, "{line:?}");
        }
    }

    #[test]
    fn err_not_a_prefix() {
        for line in [
            "",
            "plain",
            "[INFO] build",
            "[2018-03-15] date only",
            "[2018-03-15 14:39:30",
            "[2018-03-15 14:39:30 junk] x",
            " [2018-03-15 14:39:30] leading space",
            "[20180315 14:39:30] x",
            "[2018-03-15 14:39:30.123456789012345678901234567890] x",
            "[中文]",
            "[",
        ] {
            assert_eq!(prefix(line), None, "{line:?}");
        }
    }

    #[test]
    fn ok_markers() {
        let m = |s: &str| {
            marker(s, 0).map(|m| match m {
                Marker::Start => "start".to_owned(),
                Marker::Success(r) => format!("ok:{}", &s[r]),
                Marker::Fail(r) => format!("fail:{}", &s[r]),
            })
        };
        assert_eq!(m("job_start"), Some("start".into()));
        assert_eq!(m("job_start  "), Some("start".into()));
        assert_eq!(m("job_success:[done]"), Some("ok:done".into()));
        assert_eq!(m("job_success:[]"), Some("ok:".into()));
        assert_eq!(m("job_fail:[disk [full]]"), Some("fail:disk [full]".into()));
        for s in [
            "job_started",
            "job_success:done",
            "job_fail:[x",
            "job_success:[",
            "x job_start",
        ] {
            assert_eq!(m(s), None, "{s}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// The word-at-a-time PID reader gives what a byte loop gives, on
        /// digit runs of any length followed by anything (a `]`, other
        /// ASCII, bytes of multi-byte characters, 0xfa and above), in
        /// inputs of any length.
        #[test]
        fn pid_digits_agree_with_byte_loop(
            digits in "[0-9]{0,12}",
            after in prop::collection::vec(prop_oneof![
                4 => Just(b']'), 1 => Just(b' '), 1 => Just(b'/'), 1 => Just(b':'),
                1 => Just(0xfa_u8), 1 => Just(0xff_u8), 1 => Just(0x80_u8), 1 => any::<u8>(),
            ], 0..10),
        ) {
            let mut d = digits.into_bytes();
            d.extend(after);
            let n = d.iter().take_while(|c| c.is_ascii_digit()).count();
            let want = (1..=9).contains(&n).then_some(()).and_then(|()| {
                (d.get(n) == Some(&b']'))
                    .then(|| (std::str::from_utf8(&d[..n]).unwrap().parse::<u32>().unwrap(), n))
            });
            prop_assert_eq!(pid_digits(&d), want, "{:?}", d);
        }
    }
}
