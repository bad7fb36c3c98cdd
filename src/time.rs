//! Every vendor timestamp shape to a [`Timestamp`]; no clock, no host time zone.
//!
//! The scanners here read fixed-width digits by hand and build chrono values
//! through its constructors, which validate ranges and days-in-month; chrono's
//! format-string parser is never on a per-line path (it is ~10× slower).

use std::fmt;

use chrono::{
    DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};

/// An event time: an instant with the UTC offset the source gave.
///
/// It also remembers how many fractional-second digits the source wrote, so
/// the RFC 3339 rendering shows the same precision, and whether the offset
/// was **assumed** (the source gave a zone-less stamp and the offset came from
/// [`Options`](crate::Options) or the source's documented default).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    datetime: DateTime<FixedOffset>,
    frac_digits: u8,
    assumed: bool,
}

impl Timestamp {
    /// A timestamp; `frac_digits` is clamped to 0–9.
    #[inline]
    pub fn new(datetime: DateTime<FixedOffset>, frac_digits: u8, assumed: bool) -> Timestamp {
        Timestamp {
            datetime,
            frac_digits: frac_digits.min(9),
            assumed,
        }
    }

    /// The instant with its offset.
    #[inline]
    pub fn datetime(&self) -> DateTime<FixedOffset> {
        self.datetime
    }

    /// Whether the offset was assumed rather than given by the source.
    #[inline]
    pub fn assumed(&self) -> bool {
        self.assumed
    }

    /// How many fractional-second digits the source wrote (0–9).
    #[inline]
    pub fn frac_digits(&self) -> u8 {
        self.frac_digits
    }

    /// Milliseconds since the Unix epoch.
    #[inline]
    pub fn unix_millis(&self) -> i64 {
        self.datetime.timestamp_millis()
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 with the original offset (`Z` for +00:00) and the source's
    /// number of fractional digits: `2023-12-21T15:44:18.744+08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.datetime.naive_local();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        )?;
        if self.frac_digits > 0 {
            let nanos = dt.nanosecond() % 1_000_000_000;
            let scaled = nanos / 10u32.pow(9 - u32::from(self.frac_digits));
            write!(
                f,
                ".{:0width$}",
                scaled,
                width = usize::from(self.frac_digits)
            )?;
        }
        let secs = self.datetime.offset().local_minus_utc();
        if secs == 0 {
            f.write_str("Z")
        } else {
            let sign = if secs < 0 { '-' } else { '+' };
            let abs = secs.unsigned_abs();
            write!(f, "{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)
        }
    }
}

/// A duration as seconds with up to nine exact fraction digits, trailing
/// zeros trimmed (`9`, `60.599`, `0.000000001`): the NDJSON `duration`
/// number, and the reference for its fast writer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seconds(pub(crate) std::time::Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.as_secs())?;
        let mut nanos = self.0.subsec_nanos();
        if nanos == 0 {
            return Ok(());
        }
        let mut width = 9;
        while nanos.is_multiple_of(10) {
            nanos /= 10;
            width -= 1;
        }
        write!(f, ".{nanos:0width$}")
    }
}

/// Serialized as its RFC 3339 `Display` string, as the NDJSON `time` key
/// writes it. Whether the offset was [assumed](Timestamp::assumed) is not
/// part of the string: a [`LogEvent`](crate::LogEvent) says it in its own
/// `time_assumed` key.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why a timestamp text was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeError {
    /// Not of the expected shape.
    Shape,
    /// The right shape, but a field is out of range (month 13, 31 April, …).
    Range,
}

impl TimeError {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TimeError::Shape => {
                "expected a date-time such as 2024-05-20 10:00:01, 2018-12-06T06:45:16.5Z or 2024-05-20 10:00:01 +0800"
            }
            TimeError::Range => "date or time field out of range",
        }
    }
}

/// A date-time as written, before an offset is chosen for a zone-less stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Written {
    pub(crate) naive: NaiveDateTime,
    pub(crate) offset: Option<FixedOffset>,
    pub(crate) frac_digits: u8,
}

impl Written {
    /// The timestamp, taking `fallback` (marked assumed) when no offset was written.
    pub(crate) fn resolve(self, fallback: FixedOffset) -> Result<Timestamp, TimeError> {
        let (offset, assumed) = match self.offset {
            Some(o) => (o, false),
            None => (fallback, true),
        };
        let dt = offset
            .from_local_datetime(&self.naive)
            .single()
            .ok_or(TimeError::Range)?;
        Ok(Timestamp::new(dt, self.frac_digits, assumed))
    }
}

/// The zero offset.
pub(crate) fn utc() -> FixedOffset {
    use chrono::Offset as _;
    chrono::Utc.fix()
}

/// Builds a validated date-time from its fields.
pub(crate) fn civil(
    y: i32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    nanos: u32,
) -> Option<NaiveDateTime> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let time = if s < 60 && nanos < 1_000_000_000 {
        NaiveTime::from_hms_nano_opt(h, mi, s, nanos)?
    } else {
        return None;
    };
    Some(NaiveDateTime::new(date, time))
}

/// An offset from hours and minutes and a sign; hours up to 23.
pub(crate) fn offset_hm(negative: bool, h: u32, m: u32) -> Option<FixedOffset> {
    if h > 23 || m > 59 {
        return None;
    }
    let secs = i32::try_from(h * 3600 + m * 60).ok()?;
    FixedOffset::east_opt(if negative { -secs } else { secs })
}

/// Reads `n` ASCII digits at `pos` as a number.
#[inline]
pub(crate) fn digits(b: &[u8], pos: usize, n: usize) -> Option<u32> {
    let s = b.get(pos..pos.checked_add(n)?)?;
    let mut v: u32 = 0;
    for &c in s {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

/// Reads 1–9 fraction digits at `pos`: (nanoseconds, digit count).
pub(crate) fn fraction(b: &[u8], pos: usize) -> Option<(u32, u8, usize)> {
    let mut n: u32 = 0;
    let mut count: u8 = 0;
    let mut i = pos;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        if count == 9 {
            return None;
        }
        n = n * 10 + u32::from(c - b'0');
        count += 1;
        i += 1;
    }
    if count == 0 {
        return None;
    }
    Some((n * 10u32.pow(9 - u32::from(count)), count, i))
}

/// Parses the date-time shapes the JSON sources use:
///
/// - `2018-12-06T06:45:16.559896079Z` (RFC 3339, 0–9 fraction digits; `t` or a space for `T`)
/// - `2018-03-15 14:39:30 +0800`, `…+08:00`, `…+0800` (BlueKing legacy)
/// - `2024-05-20 10:00:01` (zone-less: [`Written::offset`] is `None`)
/// - `2024/05/20  9:00:01` (slashes and a space-padded hour, the BlueKing Windows template)
///
/// The whole text must be consumed.
pub(crate) fn parse_written(s: &str) -> Result<Written, TimeError> {
    let b = s.as_bytes();
    let (w, end) = scan_written(b, 0)?;
    if end != b.len() {
        return Err(TimeError::Shape);
    }
    Ok(w)
}

/// Like [`parse_written`] from `start`, returning where the stamp ended
/// (`]` or anything after it is left to the caller).
pub(crate) fn scan_written(b: &[u8], start: usize) -> Result<(Written, usize), TimeError> {
    let y = digits(b, start, 4).ok_or(TimeError::Shape)?;
    let sep = *b.get(start + 4).ok_or(TimeError::Shape)?;
    if sep != b'-' && sep != b'/' {
        return Err(TimeError::Shape);
    }
    let mo = digits(b, start + 5, 2).ok_or(TimeError::Shape)?;
    if b.get(start + 7) != Some(&sep) {
        return Err(TimeError::Shape);
    }
    let d = digits(b, start + 8, 2).ok_or(TimeError::Shape)?;
    let mut i = start + 10;
    match b.get(i) {
        Some(b'T' | b't' | b' ') => i += 1,
        _ => return Err(TimeError::Shape),
    }
    // Hour: two digits, or a space-padded / single digit (Windows `%time%`).
    let h = if let Some(h) = digits(b, i, 2) {
        i += 2;
        h
    } else if b.get(i) == Some(&b' ') {
        let h = digits(b, i + 1, 1).ok_or(TimeError::Shape)?;
        i += 2;
        h
    } else {
        let h = digits(b, i, 1).ok_or(TimeError::Shape)?;
        i += 1;
        h
    };
    if b.get(i) != Some(&b':') {
        return Err(TimeError::Shape);
    }
    let mi = digits(b, i + 1, 2).ok_or(TimeError::Shape)?;
    if b.get(i + 3) != Some(&b':') {
        return Err(TimeError::Shape);
    }
    let sec = digits(b, i + 4, 2).ok_or(TimeError::Shape)?;
    i += 6;
    let (mut nanos, mut frac_digits) = (0, 0);
    if matches!(b.get(i), Some(b'.' | b',')) {
        let (n, c, next) = fraction(b, i + 1).ok_or(TimeError::Shape)?;
        nanos = n;
        frac_digits = c;
        i = next;
    }
    let year = i32::try_from(y).map_err(|_| TimeError::Range)?;
    let naive = civil(year, mo, d, h, mi, sec, nanos).ok_or(TimeError::Range)?;
    // Zone: `Z`, `±HH:MM`, `±HHMM`, optionally after one space.
    let mut offset = None;
    match b.get(i) {
        Some(b'Z' | b'z') => {
            offset = Some(FixedOffset::east_opt(0).ok_or(TimeError::Range)?);
            i += 1;
        }
        Some(b'+' | b'-') => {
            let (o, next) = scan_offset(b, i)?;
            offset = Some(o);
            i = next;
        }
        Some(b' ') if matches!(b.get(i + 1), Some(b'+' | b'-')) => {
            let (o, next) = scan_offset(b, i + 1)?;
            offset = Some(o);
            i = next;
        }
        _ => {}
    }
    Ok((
        Written {
            naive,
            offset,
            frac_digits,
        },
        i,
    ))
}

/// `±HH:MM` or `±HHMM` at `i`.
fn scan_offset(b: &[u8], i: usize) -> Result<(FixedOffset, usize), TimeError> {
    let negative = b.get(i) == Some(&b'-');
    let h = digits(b, i + 1, 2).ok_or(TimeError::Shape)?;
    let (m, next) = if b.get(i + 3) == Some(&b':') {
        (digits(b, i + 4, 2).ok_or(TimeError::Shape)?, i + 6)
    } else {
        (digits(b, i + 3, 2).ok_or(TimeError::Shape)?, i + 5)
    };
    let o = offset_hm(negative, h, m).ok_or(TimeError::Range)?;
    Ok((o, next))
}

/// An epoch-milliseconds value (BlueKing v3) as a UTC timestamp with three
/// fraction digits. Years outside 0–9999 are rejected (RFC 3339 cannot say them).
pub(crate) fn from_epoch_millis(ms: i64) -> Option<Timestamp> {
    let dt = DateTime::from_timestamp_millis(ms)?;
    if !(0..=9999).contains(&dt.year()) {
        return None;
    }
    Some(Timestamp::new(dt.with_timezone(&utc()), 3, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    fn render(s: &str) -> String {
        parse_written(s)
            .unwrap()
            .resolve(FixedOffset::east_opt(8 * 3600).unwrap())
            .unwrap()
            .to_string()
    }

    #[test]
    fn ok_shapes() {
        let cases = [
            (
                "2018-12-06T06:45:16.559896079Z",
                "2018-12-06T06:45:16.559896079Z",
            ),
            ("2018-12-06T06:45:16.554903Z", "2018-12-06T06:45:16.554903Z"),
            ("2018-12-15T12:33:46.1Z", "2018-12-15T12:33:46.1Z"),
            ("2018-12-06T06:45:16Z", "2018-12-06T06:45:16Z"),
            ("2018-12-06t06:45:16z", "2018-12-06T06:45:16Z"),
            ("2018-03-15 14:39:30 +0800", "2018-03-15T14:39:30+08:00"),
            ("2018-03-15 14:39:30+08:00", "2018-03-15T14:39:30+08:00"),
            ("2018-03-15T14:39:30-05:30", "2018-03-15T14:39:30-05:30"),
            ("2024-05-20 10:00:01", "2024-05-20T10:00:01+08:00"),
            ("2024/05/20  9:00:01", "2024-05-20T09:00:01+08:00"),
            ("2024/05/20 9:00:01", "2024-05-20T09:00:01+08:00"),
            ("2024-02-29 23:59:59.000", "2024-02-29T23:59:59.000+08:00"),
        ];
        for (input, want) in cases {
            assert_eq!(render(input), want, "{input}");
        }
    }

    #[test]
    fn assumed_only_when_zone_less() {
        let o8 = FixedOffset::east_opt(8 * 3600).unwrap();
        assert!(
            parse_written("2024-05-20 10:00:01")
                .unwrap()
                .resolve(o8)
                .unwrap()
                .assumed()
        );
        assert!(
            !parse_written("2024-05-20 10:00:01 +0800")
                .unwrap()
                .resolve(utc())
                .unwrap()
                .assumed()
        );
        assert!(
            !parse_written("2024-05-20T10:00:01Z")
                .unwrap()
                .resolve(o8)
                .unwrap()
                .assumed()
        );
    }

    #[test]
    fn err_shapes() {
        let shape = [
            "",
            "2018",
            "2018-12-06",
            "2018-12-06X06:45:16Z",
            "2018-12/06 06:45:16",
            "2018-12-06T06:45Z",
            "2018-12-06T06:45:16.Z",
            "2018-12-06T06:45:16.1234567890Z",
            "2018-12-06T06:45:16+8",
            "2018-12-06T06:45:16Z ",
            "2018-12-06T06:45:16 junk",
            "１９９９-12-06T06:45:16Z",
        ];
        for s in shape {
            assert_eq!(parse_written(s), Err(TimeError::Shape), "{s:?}");
        }
        let range = [
            "2018-13-06T06:45:16Z",
            "2018-02-30 06:45:16",
            "2023-02-29 06:45:16",
            "2018-12-06T24:00:00Z",
            "2018-12-06T23:60:00Z",
            "2018-12-06T23:59:60Z",
            "2018-12-06T23:59:59+24:00",
            "2018-00-06T06:45:16Z",
        ];
        for s in range {
            assert_eq!(parse_written(s), Err(TimeError::Range), "{s:?}");
        }
    }

    #[test]
    fn epoch_millis() {
        assert_eq!(
            from_epoch_millis(1_716_170_401_200).unwrap().to_string(),
            "2024-05-20T02:00:01.200Z"
        );
        assert!(from_epoch_millis(i64::MAX).is_none());
        assert_eq!(
            from_epoch_millis(-1).unwrap().to_string(),
            "1969-12-31T23:59:59.999Z"
        );
        assert!(from_epoch_millis(-70_000_000_000_000).is_none());
        assert!(!from_epoch_millis(0).unwrap().assumed());
    }

    #[test]
    fn renders_negative_and_odd_offsets() {
        let o = FixedOffset::east_opt(-(5 * 3600 + 45 * 60)).unwrap();
        let dt = o.with_ymd_and_hms(2020, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            Timestamp::new(dt, 0, false).to_string(),
            "2020-01-02T03:04:05-05:45"
        );
        assert_eq!(
            Timestamp::new(dt, 3, true).to_string(),
            "2020-01-02T03:04:05.000-05:45"
        );
    }
}
