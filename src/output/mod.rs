//! Writers for the formats log stacks read: OpenTelemetry's OTLP/JSON
//! ([`otlp`]), Elastic Common Schema documents ([`ecs`]) and a human view
//! ([`pretty`]). The NDJSON line is [`LogEvent::write_ndjson_to`](crate::LogEvent::write_ndjson_to).
//!
//! Every writer takes events one at a time with the name of the input they
//! came from (a path as given, `-` for standard input), and appends whole
//! lines to a `String` the caller owns, so a command can stream a log of any
//! size: write the string out, clear it, go on. None reads a clock: the time
//! of conversion, where a format has one, is a parameter.
//!
//! ```
//! use cilog::output::{ecs, otlp, pretty};
//! use cilog::{parse_as, Options, Source};
//! use std::time::{Duration, UNIX_EPOCH};
//!
//! # fn main() -> Result<(), cilog::Error> {
//! let log = "[2023/12/21 15:44:18.793 GMT+08:00] [ERROR] [Maven构建:m2] : compilation failed\n";
//! let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let mut o = otlp::OtlpWriter::new(otlp::OtlpOptions::new(now));
//! let mut e = ecs::EcsWriter::new(ecs::EcsOptions::new(now));
//! let mut p = pretty::PrettyWriter::new(false);
//! let (mut lines_o, mut lines_e, mut lines_p) = (String::new(), String::new(), String::new());
//! for ev in parse_as(Source::CodeartsLog, log, &Options::default())? {
//!     let ev = ev?;
//!     o.push(&ev, "build.log", &mut lines_o);
//!     e.push(&ev, "build.log", &mut lines_e);
//!     p.push(&ev, "build.log", &mut lines_p);
//! }
//! o.finish(&mut lines_o);
//! assert!(lines_o.starts_with(r#"{"resourceLogs":[{"resource":{"attributes":["#));
//! assert!(lines_e.contains(r#""log.level":"ERROR","message":"compilation failed""#));
//! assert!(lines_p.ends_with("\n15:44:18.793+08:00 ERROR Maven构建 │ compilation failed\n"));
//! # Ok(())
//! # }
//! ```

pub mod ecs;
pub mod otlp;
pub mod pretty;

use std::time::{SystemTime, UNIX_EPOCH};

use crate::severity::Severity;

/// The OpenTelemetry short name in capitals (`WARN`).
fn upper(s: Severity) -> &'static str {
    match s {
        Severity::Trace => "TRACE",
        Severity::Debug => "DEBUG",
        Severity::Info => "INFO",
        Severity::Warn => "WARN",
        Severity::Error => "ERROR",
        Severity::Fatal => "FATAL",
    }
}

/// Nanoseconds since the Unix epoch of a clock reading (0 before 1970,
/// `u64::MAX` after 2554).
fn unix_nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
