//! The grammar of one timestamped CodeArts build-log line; the only module
//! that knows it.
//!
//! ```text
//! line     = prefix [SP] body / body-without-prefix
//! prefix   = "[" YYYY "/" MM "/" DD SP HH ":" mm ":" ss "." 1*9DIGIT SP "GMT" ("+"/"-") HH ":" MM "]"
//! body     = platform / bare / raw
//! platform = "[" LEVEL "]" SP "[" name ":" id "]" SP ":" [SP message]   ; split the tag at its LAST colon
//!          / "[" LEVEL "]" SP SP ":" [SP message]                       ; empty step tag
//!          / "[" LEVEL "]" SP "[" name ":" SP* id "]" ":" [SP message]  ; variant (translated docs)
//! bare     = "[" LEVEL "]" (SP message / end)                            ; tool output such as Maven's [INFO]
//! raw      = anything else
//! LEVEL    = INFO / WARNING / WARN / ERROR / DEBUG / FATAL / TRACE       ; any case
//! ```
//!
//! [`parse_line`] reads a line: its prefix with nom combinators (the
//! grammar as written, any fraction width), its body with byte scans. The
//! line machine reads prefixes through a cache of the last two minutes seen
//! (most lines fall in one of them: a compare and five digits instead of a
//! calendar validation), which falls back to the nom reader. Property
//! tests check the cache against the nom reader and the body against its
//! nom form (`reference`, test-only).
//!
//! ```
//! use cilog::codearts::buildlog::{parse_line, Body};
//!
//! let line = parse_line("[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行");
//! assert_eq!(line.time().unwrap().to_string(), "2023-12-21T15:44:18.793+08:00");
//! let Body::Platform { tag: Some(tag), message, .. } = line.body else { panic!() };
//! assert_eq!((tag.name, tag.id, message), ("Maven构建", "external_post_maven", "该步骤开始执行"));
//! assert_eq!(line.to_string(), "[2023/12/21 15:44:18.793 GMT+08:00] [INFO] [Maven构建:external_post_maven] : 该步骤开始执行");
//! ```

use nom::bytes::complete::{tag, take_while_m_n};
use nom::character::complete::{char, one_of};
use nom::combinator::{map_res, opt};
use nom::{IResult, Parser};

use crate::severity::Severity;
use crate::time::{self, Timestamp};

#[cfg(test)]
mod reference;

/// What the line's timestamp prefix was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// The line has no prefix.
    None,
    /// A valid prefix.
    Valid(Timestamp),
    /// The prefix has the right shape but a field is out of range (month 13…).
    Invalid,
}

/// A platform record's step tag `[name:id]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The display name, exactly as written (may hold spaces, colons, CJK).
    pub name: &'a str,
    /// The step (plugin) id after the last colon.
    pub id: &'a str,
    /// Written in a variant form (`[name: id]:`), as in the translated docs.
    pub variant: bool,
}

/// The part of a line after its prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// `[LEVEL] [name:id] : message` or, with no tag, `[LEVEL]  : message`.
    Platform {
        /// The level token as written.
        level: &'a str,
        /// Its severity.
        severity: Severity,
        /// The step tag; `None` for the empty-tag form.
        tag: Option<Tag<'a>>,
        /// The text after ` : `.
        message: &'a str,
    },
    /// `[LEVEL] message`: a level token printed by a tool.
    Bare {
        /// The level token as written.
        level: &'a str,
        /// Its severity.
        severity: Severity,
        /// The text after the level and one space.
        message: &'a str,
    },
    /// Anything else.
    Raw(&'a str),
}

/// One parsed line: its prefix and its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// The timestamp prefix.
    pub stamp: Stamp,
    /// Whether one space separated the prefix from the body (always true in
    /// real logs; kept so the line renders back exactly).
    pub spaced: bool,
    /// The rest of the line. Without a prefix it is [`Body::Raw`] of the
    /// whole line.
    pub body: Body<'a>,
}

impl Line<'_> {
    /// The time of a valid prefix.
    pub fn time(&self) -> Option<Timestamp> {
        match self.stamp {
            Stamp::Valid(t) => Some(t),
            _ => None,
        }
    }
}

/// Parses one line (without its line break) with the fast path.
pub fn parse_line(line: &str) -> Line<'_> {
    let (stamp, rest) = prefix(line);
    finish(line, stamp, rest, body)
}

fn finish<'a>(
    line: &'a str,
    stamp: Stamp,
    rest: &'a str,
    body: fn(&'a str) -> Body<'a>,
) -> Line<'a> {
    match stamp {
        Stamp::Valid(_) => Line {
            stamp,
            spaced: spaced_after(line, rest),
            body: body(rest),
        },
        _ => Line {
            stamp,
            spaced: false,
            body: Body::Raw(line),
        },
    }
}

/// Whether the byte before `rest` in `line` is the separating space.
fn spaced_after(line: &str, rest: &str) -> bool {
    let at = line.len() - rest.len();
    at > 0
        && line.as_bytes().get(at - 1) == Some(&b' ')
        && line.as_bytes().get(at.saturating_sub(2)) == Some(&b']')
}

impl std::fmt::Display for Line<'_> {
    /// Renders the line back in the canonical layout.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Stamp::Valid(t) = self.stamp {
            let dt = t.datetime();
            let nanos = chrono::Timelike::nanosecond(&dt) % 1_000_000_000;
            let digits = u32::from(t.frac_digits().max(1));
            let secs = dt.offset().local_minus_utc();
            let abs = secs.unsigned_abs();
            write!(
                f,
                "[{} {}.{:0width$} GMT{}{:02}:{:02}]",
                dt.format("%Y/%m/%d"),
                dt.format("%H:%M:%S"),
                nanos / 10u32.pow(9 - digits),
                if secs < 0 { '-' } else { '+' },
                abs / 3600,
                (abs / 60) % 60,
                width = digits as usize
            )?;
            if self.spaced {
                f.write_str(" ")?;
            }
        }
        match self.body {
            Body::Raw(r) => f.write_str(r),
            Body::Bare { level, message, .. } => {
                if message.is_empty() {
                    write!(f, "[{level}]")
                } else {
                    write!(f, "[{level}] {message}")
                }
            }
            Body::Platform {
                level,
                tag: None,
                message,
                ..
            } => write!(f, "[{level}]  : {message}"),
            Body::Platform {
                level,
                tag: Some(tag),
                message,
                ..
            } => {
                if tag.variant {
                    write!(f, "[{level}] [{}: {}]: {message}", tag.name, tag.id)
                } else {
                    write!(f, "[{level}] [{}:{}] : {message}", tag.name, tag.id)
                }
            }
        }
    }
}

/// Length of the standard prefix `[2023/12/21 15:44:18.744 GMT+08:00]`.
const STD_PREFIX: usize = 35;

/// Splits the prefix off `line`: the stamp, and the rest after the prefix
/// and one optional space. Without a prefix the rest is the whole line.
pub(crate) fn prefix(line: &str) -> (Stamp, &str) {
    match (stamp, opt(char(' '))).parse(line) {
        Ok((rest, (st, _))) => (st, rest),
        Err(_) => (Stamp::None, line),
    }
}

type Res<'a, O> = IResult<&'a str, O>;

/// `n` ASCII digits as a number.
fn num<'a>(n: usize) -> impl Parser<&'a str, Output = u32, Error = nom::error::Error<&'a str>> {
    map_res(
        take_while_m_n(n, n, |c: char| c.is_ascii_digit()),
        |s: &str| s.parse::<u32>(),
    )
}

/// `[yyyy/MM/dd HH:mm:ss.f GMT±HH:MM]` with 1–9 fraction digits.
fn stamp(i: &str) -> Res<'_, Stamp> {
    let (
        i,
        (_, year, _, month, _, day, _, hour, _, minute, _, second, _, frac, _, sign, oh, _, om, _),
    ) = (
        char('['),
        num(4),
        char('/'),
        num(2),
        char('/'),
        num(2),
        char(' '),
        num(2),
        char(':'),
        num(2),
        char(':'),
        num(2),
        char('.'),
        take_while_m_n(1, 9, |c: char| c.is_ascii_digit()),
        tag(" GMT"),
        one_of("+-"),
        num(2),
        char(':'),
        num(2),
        char(']'),
    )
        .parse(i)?;
    let frac_digits = u8::try_from(frac.len()).unwrap_or(9);
    let value: u32 = frac.parse().unwrap_or(0);
    let nanos = value.saturating_mul(10u32.pow(9 - u32::from(frac_digits.min(9))));
    let written = PrefixFields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        frac_digits,
        negative: sign == '-',
        offset_hours: oh,
        offset_minutes: om,
    };
    Ok((i, written.stamp()))
}

/// A prefix's fields as written, not validated yet.
struct PrefixFields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    frac_digits: u8,
    negative: bool,
    offset_hours: u32,
    offset_minutes: u32,
}

impl PrefixFields {
    /// Validates the fields and builds the stamp.
    fn stamp(self) -> Stamp {
        let Ok(year) = i32::try_from(self.year) else {
            return Stamp::Invalid;
        };
        let naive = time::civil(
            year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.nanos,
        );
        let offset = time::offset_hm(self.negative, self.offset_hours, self.offset_minutes);
        let (Some(naive), Some(offset)) = (naive, offset) else {
            return Stamp::Invalid;
        };
        let written = time::Written {
            naive,
            offset: Some(offset),
            frac_digits: self.frac_digits,
        };
        match written.resolve(offset) {
            Ok(t) => Stamp::Valid(t),
            Err(_) => Stamp::Invalid,
        }
    }
}

/// Remembers the minutes of the last two standard prefixes, so that the
/// next line in one of them (most lines, in real logs, even where agents
/// in two zones take turns) costs a compare and a few digit reads instead
/// of a full calendar validation.
#[derive(Clone, Debug, Default)]
pub(crate) struct PrefixCache {
    /// The minute of the last prefix read.
    recent: Minute,
    /// The one before, when it was another.
    other: Minute,
}

/// One remembered minute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Minute {
    /// Bytes 1..17 (`yyyy/MM/dd HH:mm`) of the prefix.
    minute: [u8; 16],
    /// Bytes 27..35 (`T±HH:MM]`) of the prefix.
    zone: [u8; 8],
    /// That minute's start in UTC (its date and second of the day), and
    /// the offset; `None` for an empty entry.
    utc: Option<(chrono::NaiveDate, u32, chrono::FixedOffset)>,
}

/// The prefix bytes a [`PrefixCache`] compares: bytes 1..17 and 27..35.
#[inline]
fn cache_key(p: &[u8; STD_PREFIX]) -> ([u8; 16], [u8; 8]) {
    let mut minute = [0; 16];
    minute.copy_from_slice(&p[1..17]);
    let mut zone = [0; 8];
    zone.copy_from_slice(&p[27..35]);
    (minute, zone)
}

impl Minute {
    /// The time of prefix `p`, whose key is this minute's: its seconds and
    /// millis read here. `None` when they are not digits or out of range.
    #[inline]
    fn time(&self, p: &[u8; STD_PREFIX]) -> Option<Timestamp> {
        let (date, minute_secs, offset) = self.utc?;
        // `ss.SSS`: five digits, read at once.
        let d = |c: u8| u32::from(c.wrapping_sub(b'0'));
        let (s1, s0, m2, m1, m0) = (d(p[18]), d(p[19]), d(p[21]), d(p[22]), d(p[23]));
        let s = s1 * 10 + s0;
        if s1.max(s0).max(m2).max(m1).max(m0) > 9 || s >= 60 {
            return None;
        }
        let t = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
            minute_secs + s,
            (m2 * 100 + m1 * 10 + m0) * 1_000_000,
        )?;
        let dt = chrono::DateTime::from_naive_utc_and_offset(
            chrono::NaiveDateTime::new(date, t),
            offset,
        );
        Some(Timestamp::new(dt, 3, false))
    }
}

impl PrefixCache {
    /// [`prefix`], with the cache.
    #[inline]
    pub(crate) fn prefix<'l>(&mut self, line: &'l str) -> (Stamp, &'l str) {
        let b = line.as_bytes();
        if let Some(p) = b.first_chunk::<STD_PREFIX>()
            && p[0] == b'['
            && p[17] == b':'
            && p[20] == b'.'
            && p[24..27] == *b" GM"
        {
            let key = cache_key(p);
            let time = if key == (self.recent.minute, self.recent.zone) {
                self.recent.time(p)
            } else if key == (self.other.minute, self.other.zone) {
                std::mem::swap(&mut self.recent, &mut self.other);
                self.recent.time(p)
            } else {
                None
            };
            if let Some(t) = time {
                return (Stamp::Valid(t), after_prefix(line, STD_PREFIX));
            }
        }
        let (stamp, rest) = prefix(line);
        if let (Stamp::Valid(t), Some(p)) = (stamp, b.first_chunk::<STD_PREFIX>())
            && line.len() - rest.len() >= STD_PREFIX
            && p[34] == b']'
            && t.frac_digits() == 3
        {
            // The minute's start in UTC (a whole-minute offset keeps the
            // seconds of the minute in the same UTC minute and day).
            let utc = t.datetime().naive_utc();
            use chrono::Timelike as _;
            let (minute, zone) = cache_key(p);
            let new = Minute {
                minute,
                zone,
                utc: Some((
                    utc.date(),
                    utc.hour() * 3600 + utc.minute() * 60,
                    *t.datetime().offset(),
                )),
            };
            if new != self.recent {
                self.other = std::mem::replace(&mut self.recent, new);
            }
        }
        (stamp, rest)
    }
}

/// The rest after a prefix of `len` bytes and one optional space.
#[inline]
fn after_prefix(line: &str, len: usize) -> &str {
    let rest = line.get(len..).unwrap_or_default();
    rest.strip_prefix(' ').unwrap_or(rest)
}

/// Parses the rest of a prefixed line.
#[inline]
pub(crate) fn body(rest: &str) -> Body<'_> {
    let b = rest.as_bytes();
    if b.first() != Some(&b'[') {
        return Body::Raw(rest);
    }
    // `[LEVEL]`: the level is 4, 5 or 7 letters.
    // A byte loop: memchr's set-up costs more than eight bytes.
    let Some(close) = b
        .get(1..b.len().min(9))
        .and_then(|w| w.iter().position(|&c| c == b']'))
    else {
        return Body::Raw(rest);
    };
    let level = rest.get(1..1 + close).unwrap_or_default();
    let Some(severity) = Severity::from_token(level) else {
        return Body::Raw(rest);
    };
    let after = rest.get(close + 2..).unwrap_or_default();
    match after.as_bytes() {
        [] => Body::Bare {
            level,
            severity,
            message: "",
        },
        [b' ', b' ', b':', ..] => Body::Platform {
            level,
            severity,
            tag: None,
            message: after_colon(after.get(3..).unwrap_or_default()),
        },
        [b' ', b'[', ..] => match fast_tag(after.get(2..).unwrap_or_default()) {
            Some((tag, message)) => Body::Platform {
                level,
                severity,
                tag: Some(tag),
                message,
            },
            None => Body::Bare {
                level,
                severity,
                message: after.get(1..).unwrap_or_default(),
            },
        },
        [b' ', ..] => Body::Bare {
            level,
            severity,
            message: after.get(1..).unwrap_or_default(),
        },
        _ => Body::Raw(rest),
    }
}

/// The message after `:`: one separating space is dropped.
#[inline]
fn after_colon(s: &str) -> &str {
    s.strip_prefix(' ').unwrap_or(s)
}

/// `name:id] : message` (after `[`): the tag and the message.
#[inline]
fn fast_tag(s: &str) -> Option<(Tag<'_>, &str)> {
    let b = s.as_bytes();
    let close = memchr::memchr(b']', b)?;
    let inner = s.get(..close)?;
    let after = s.get(close + 1..)?;
    let (message, variant) = if let Some(m) = after.strip_prefix(" :") {
        (after_colon(m), false)
    } else if let Some(m) = after.strip_prefix(':') {
        (after_colon(m), true)
    } else {
        return None;
    };
    let colon = memchr::memrchr(b':', inner.as_bytes())?;
    let name = inner.get(..colon)?;
    let raw_id = inner.get(colon + 1..)?;
    let id = raw_id.trim_start_matches(' ');
    if id.is_empty() || id.contains([' ', '[']) {
        return None;
    }
    let variant = variant || id.len() != raw_id.len();
    Some((Tag { name, id, variant }, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefix of `line` by the nom reader, checked against the minute
    /// cache reading it twice (a miss, then a hit where it can be cached).
    fn both_prefix(line: &str) -> (Stamp, &str) {
        let careful = prefix(line);
        let mut cache = PrefixCache::default();
        for _ in 0..2 {
            assert_eq!(
                cache.prefix(line),
                careful,
                "prefix paths disagree on {line:?}"
            );
        }
        careful
    }

    fn both_body(rest: &str) -> Body<'_> {
        let fast = body(rest);
        assert_eq!(
            fast,
            reference::body(rest),
            "body paths disagree on {rest:?}"
        );
        fast
    }

    fn ts(line: &str) -> String {
        match both_prefix(line).0 {
            Stamp::Valid(t) => t.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn ok_prefixes() {
        assert_eq!(
            ts("[2023/12/21 15:44:18.744 GMT+08:00] x"),
            "2023-12-21T15:44:18.744+08:00"
        );
        assert_eq!(
            ts("[2026/06/26 14:16:04.808 GMT+00:00] x"),
            "2026-06-26T14:16:04.808Z"
        );
        assert_eq!(
            ts("[2026/06/26 14:16:04.808 GMT-05:30] x"),
            "2026-06-26T14:16:04.808-05:30"
        );
        assert_eq!(
            ts("[2026/06/26 14:16:04.8 GMT+08:00] x"),
            "2026-06-26T14:16:04.8+08:00"
        );
        assert_eq!(
            ts("[2026/06/26 14:16:04.123456789 GMT+08:00]"),
            "2026-06-26T14:16:04.123456789+08:00"
        );
        assert_eq!(both_prefix("[2023/12/21 15:44:18.744 GMT+08:00] x").1, "x");
        assert_eq!(
            both_prefix("[2023/12/21 15:44:18.744 GMT+08:00]  > git").1,
            " > git"
        );
        assert_eq!(both_prefix("[2023/12/21 15:44:18.744 GMT+08:00]x").1, "x");
        assert_eq!(both_prefix("[2023/12/21 15:44:18.744 GMT+08:00]").1, "");
    }

    #[test]
    fn err_prefixes() {
        assert_eq!(ts("[2023/13/21 15:44:18.744 GMT+08:00] x"), "Invalid");
        assert_eq!(ts("[2023/02/30 15:44:18.744 GMT+08:00] x"), "Invalid");
        assert_eq!(ts("[2023/12/21 24:44:18.744 GMT+08:00] x"), "Invalid");
        assert_eq!(ts("[2023/12/21 15:44:18.744 GMT+24:00] x"), "Invalid");
        for line in [
            "",
            "plain",
            "[INFO] x",
            "[2023-12-21 15:44:18.744 GMT+08:00] x",
            "[2023/12/21 15:44:18 GMT+08:00] x",
            "[2023/12/21 15:44:18.744 UTC+08:00] x",
            "[2023/12/21 15:44:18.744 GMT+0800] x",
            "[2023/12/21 15:44:18.744 GMT+08:00 x",
            "[2023/12/21 15:44:18.1234567890 GMT+08:00] x",
            "[２０２３/12/21 15:44:18.744 GMT+08:00] x",
        ] {
            assert_eq!(both_prefix(line), (Stamp::None, line), "{line:?}");
        }
    }

    #[test]
    fn ok_bodies() {
        let p = |level, name, id, variant, message| Body::Platform {
            level,
            severity: Severity::from_token(level).unwrap(),
            tag: Some(Tag { name, id, variant }),
            message,
        };
        let cases = [
            (
                "[INFO] [代码检出:external_pre_checkout] : 该步骤开始执行",
                p(
                    "INFO",
                    "代码检出",
                    "external_pre_checkout",
                    false,
                    "该步骤开始执行",
                ),
            ),
            (
                "[INFO] [使用SWR公共镜像 :user_properties] : x",
                p("INFO", "使用SWR公共镜像 ", "user_properties", false, "x"),
            ),
            (
                "[WARNING] [PRE_ENV:slave_create] : [slave] find empty runtime",
                p(
                    "WARNING",
                    "PRE_ENV",
                    "slave_create",
                    false,
                    "[slave] find empty runtime",
                ),
            ),
            (
                "[INFO] [Build: step two:build_2] : colon in the name",
                p(
                    "INFO",
                    "Build: step two",
                    "build_2",
                    false,
                    "colon in the name",
                ),
            ),
            (
                "[INFO] [Maven build: external_post_maven]: This step starts. ",
                p(
                    "INFO",
                    "Maven build",
                    "external_post_maven",
                    true,
                    "This step starts. ",
                ),
            ),
            ("[info] [a:b] :", p("info", "a", "b", false, "")),
            (
                "[INFO] [a:b] :  two spaces",
                p("INFO", "a", "b", false, " two spaces"),
            ),
            (
                "[INFO]  : [JobStatusPlugin] onStarted: j_veSoOR3i #1",
                Body::Platform {
                    level: "INFO",
                    severity: Severity::Info,
                    tag: None,
                    message: "[JobStatusPlugin] onStarted: j_veSoOR3i #1",
                },
            ),
            (
                "[INFO] BUILD SUCCESS",
                Body::Bare {
                    level: "INFO",
                    severity: Severity::Info,
                    message: "BUILD SUCCESS",
                },
            ),
            (
                "[WARN]",
                Body::Bare {
                    level: "WARN",
                    severity: Severity::Warn,
                    message: "",
                },
            ),
            (
                "[ERROR] [notatag] : x",
                Body::Bare {
                    level: "ERROR",
                    severity: Severity::Error,
                    message: "[notatag] : x",
                },
            ),
            (
                "[INFO] [a:] : empty id",
                Body::Bare {
                    level: "INFO",
                    severity: Severity::Info,
                    message: "[a:] : empty id",
                },
            ),
            (
                "$ docker stop --time=1 8db533bfed32",
                Body::Raw("$ docker stop --time=1 8db533bfed32"),
            ),
            ("[notice] hello", Body::Raw("[notice] hello")),
            ("[OK] done", Body::Raw("[OK] done")),
            ("[INFO]x", Body::Raw("[INFO]x")),
            ("[INFORMATION] x", Body::Raw("[INFORMATION] x")),
            ("", Body::Raw("")),
            ("[", Body::Raw("[")),
        ];
        for (rest, want) in cases {
            assert_eq!(both_body(rest), want, "{rest:?}");
        }
    }

    use proptest::prelude::*;

    fn prefix_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            // Standard shape, any valid or invalid field values.
            (
                1970u32..2100,
                0u32..14,
                0u32..33,
                0u32..25,
                0u32..61,
                0u32..61,
                0u32..1000,
                prop::bool::ANY,
                0u32..25,
                0u32..61
            )
                .prop_map(|(y, mo, d, h, mi, s, ms, neg, oh, om)| format!(
                    "[{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}.{ms:03} GMT{}{oh:02}:{om:02}]",
                    if neg { '-' } else { '+' }
                )),
            // Other fraction widths.
            (1u32..10, 0u64..1_000_000_000).prop_map(|(w, f)| format!(
                "[2023/12/21 15:44:18.{:0w$} GMT+08:00]",
                f % 10u64.pow(w),
                w = w as usize
            )),
            Just(String::new()),
            Just("[2023/12/21 15:44:18 GMT+08:00]".to_owned()),
            Just("[INFO]".to_owned()),
            "\\PC{0,6}",
        ]
    }

    fn body_strategy() -> impl Strategy<Value = String> {
        let level = prop_oneof![
            Just("INFO"),
            Just("info"),
            Just("WARNING"),
            Just("Warn"),
            Just("ERROR"),
            Just("DEBUG"),
            Just("FATAL"),
            Just("trace"),
            Just("NOTICE"),
            Just("OK"),
            Just("")
        ];
        let name = "[a-zA-Z 中文:\\]\\[]{0,8}";
        let id = "[a-z_: \\]]{0,6}";
        let sep = prop_oneof![
            Just(" : "),
            Just(": "),
            Just(" :"),
            Just(":"),
            Just(" "),
            Just("")
        ];
        let message = "\\PC{0,10}";
        prop_oneof![
            (level.clone(), name, id, sep, message)
                .prop_map(|(l, n, i, s, m)| format!("[{l}] [{n}:{i}]{s}{m}")),
            (level.clone(), message).prop_map(|(l, m)| format!("[{l}]  : {m}")),
            (level, message).prop_map(|(l, m)| format!("[{l}] {m}")),
            message,
        ]
    }

    proptest! {
        #![proptest_config(crate::testing::proptest_config(2000))]

        /// The fast path and the nom reference agree on every line.
        #[test]
        fn fast_path_agrees_with_reference(p in prefix_strategy(), space in prop::bool::ANY, b in body_strategy()) {
            let line = format!("{p}{}{b}", if space { " " } else { "" });
            prop_assert_eq!(parse_line(&line), reference::parse_line(&line), "line {:?}", line);
        }

        /// Rendering a parsed line and parsing it again gives the same line.
        #[test]
        fn render_parse_round_trip(p in prefix_strategy(), space in prop::bool::ANY, b in body_strategy()) {
            let line = format!("{p}{}{b}", if space { " " } else { "" });
            let parsed = parse_line(&line);
            let rendered = parsed.to_string();
            prop_assert_eq!(parse_line(&rendered), parsed, "line {:?} rendered {:?}", line, rendered);
        }

        /// The minute cache reads every prefix of a sequence as the uncached
        /// reader does: lines in the same minute, other minutes, other
        /// offsets, days, invalid seconds, non-digits in a cached minute's
        /// seconds and odd shapes, in any order.
        #[test]
        fn prefix_cache_agrees_with_prefix(
            lines in prop::collection::vec(
                prop_oneof![
                    4 => (0usize..3, 0usize..3, 0u32..62, 0u32..1000, 0usize..3)
                        .prop_map(|(day, min, s, ms, off)| format!(
                            "[{} {}:{s:02}.{ms:03} GMT{}]x",
                            ["2023/12/21", "2024/02/29", "2023/02/29"][day],
                            ["23:59", "00:00", "15:44"][min],
                            ["+08:00", "-03:30", "+00:00"][off],
                        )),
                    1 => prefix_strategy(),
                    // A cached minute with anything where the seconds and
                    // millis go (digits, ASCII neighbours of '0' and '9').
                    1 => ("[/:;0-9 .]{2}", "[/:;0-9 .]{3}").prop_map(|(s, ms)| format!(
                        "[2023/12/21 15:44:{s}.{ms} GMT+08:00]x"
                    )),
                ],
                1..40,
            ),
        ) {
            let mut cache = PrefixCache::default();
            for line in &lines {
                prop_assert_eq!(cache.prefix(line), prefix(line), "line {:?}", line);
            }
        }

        /// A line written in the canonical layout renders back byte for byte.

        #[test]
        fn canonical_lines_render_exactly(
            p in (1970u32..2100, 1u32..13, 1u32..29, 0u32..24, 0u32..60, 0u32..60, 0u32..1000, 0u32..14)
                .prop_map(|(y, mo, d, h, mi, s, ms, oh)| format!("[{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}.{ms:03} GMT+{oh:02}:00]")),
            level in prop_oneof![Just("INFO"), Just("WARNING"), Just("ERROR"), Just("warn")],
            tag in prop::option::of(("[a-zA-Z中文 ]{0,6}[a-z中]", "[a-z_]{1,8}")),
            message in "[^ \\[\\]\\r\\n\\x1b][^\\r\\n\\x1b]{0,20}",
            kind in 0u8..3,
        ) {
            let body = match (kind, &tag) {
                (0, Some((n, i))) => format!("[{level}] [{n}:{i}] : {message}"),
                (0, None) => format!("[{level}]  : {message}"),
                (1, _) => format!("[{level}] {message}"),
                _ => message.clone(),
            };
            let line = format!("{p} {body}");
            prop_assert_eq!(parse_line(&line).to_string(), line);
        }
    }
}
