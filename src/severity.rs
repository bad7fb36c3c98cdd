//! Log severity, aligned with the OpenTelemetry log data model.

use std::fmt;
use std::str::FromStr;

/// How severe a log event is.
///
/// The six levels are the OpenTelemetry short names. [`Severity::otel_number`]
/// gives the lowest OpenTelemetry `SeverityNumber` of each range, which is what
/// the data model asks of a source with one level per range.
///
/// Vendor level tokens (`INFO`, `WARNING`, `warn`, …) parse with [`FromStr`],
/// which is case-insensitive and forgiving about aliases; the original token is
/// kept separately on the event as `severity_text`.
///
/// Exhaustive on purpose: the OpenTelemetry data model has exactly these
/// six ranges, so a match over them (to another logger's levels, say) can
/// name every case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Finest-grained diagnostics (`TRACE`).
    Trace,
    /// Debugging detail (`DEBUG`).
    Debug,
    /// Normal operation (`INFO`).
    Info,
    /// Something unexpected that did not stop the work (`WARN`, `WARNING`).
    Warn,
    /// The work failed (`ERROR`).
    Error,
    /// The process cannot go on (`FATAL`).
    Fatal,
}

/// Every spelling [`Severity::from_str`] accepts, case-insensitively.
pub const ACCEPTED_SEVERITY_NAMES: &[&str] = &[
    "TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL",
];

impl Severity {
    /// All levels, least severe first.
    pub const ALL: [Severity; 6] = [
        Severity::Trace,
        Severity::Debug,
        Severity::Info,
        Severity::Warn,
        Severity::Error,
        Severity::Fatal,
    ];

    /// The OpenTelemetry short name, lowercase (`"warn"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Trace => "trace",
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        }
    }

    /// The OpenTelemetry `SeverityNumber`: 1, 5, 9, 13, 17 or 21.
    pub const fn otel_number(self) -> u8 {
        match self {
            Severity::Trace => 1,
            Severity::Debug => 5,
            Severity::Info => 9,
            Severity::Warn => 13,
            Severity::Error => 17,
            Severity::Fatal => 21,
        }
    }

    /// Recognises a level token such as `INFO` or `warning` without allocating.
    ///
    /// Returns `None` for anything that is not one of
    /// [`ACCEPTED_SEVERITY_NAMES`] (ignoring ASCII case).
    pub fn from_token(token: &str) -> Option<Severity> {
        let b = token.as_bytes();
        let eq = |name: &[u8]| b.eq_ignore_ascii_case(name);
        match b.len() {
            4 if eq(b"INFO") => Some(Severity::Info),
            4 if eq(b"WARN") => Some(Severity::Warn),
            5 if eq(b"TRACE") => Some(Severity::Trace),
            5 if eq(b"DEBUG") => Some(Severity::Debug),
            5 if eq(b"ERROR") => Some(Severity::Error),
            5 if eq(b"FATAL") => Some(Severity::Fatal),
            7 if eq(b"WARNING") => Some(Severity::Warn),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serialized as its [`as_str`](Severity::as_str) name, as in the NDJSON `severity` key.
impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The error of [`Severity::from_str`]: the text was not a level name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSeverityError {
    found: String,
}

impl fmt::Display for ParseSeverityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown severity {:?}: expected one of {} (any case)",
            self.found,
            ACCEPTED_SEVERITY_NAMES.join(", ")
        )
    }
}

impl std::error::Error for ParseSeverityError {}

impl FromStr for Severity {
    type Err = ParseSeverityError;

    /// Parses a level name, ignoring case and surrounding white space.
    ///
    /// # Errors
    /// [`ParseSeverityError`], whose message lists the accepted names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::from_token(s.trim()).ok_or_else(|| ParseSeverityError {
            found: s.chars().take(40).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_table() {
        let cases = [
            ("INFO", Severity::Info, 9),
            ("info", Severity::Info, 9),
            ("Info", Severity::Info, 9),
            ("WARNING", Severity::Warn, 13),
            ("WARN", Severity::Warn, 13),
            ("warn", Severity::Warn, 13),
            ("Warning", Severity::Warn, 13),
            ("ERROR", Severity::Error, 17),
            ("error", Severity::Error, 17),
            ("DEBUG", Severity::Debug, 5),
            ("TRACE", Severity::Trace, 1),
            ("FATAL", Severity::Fatal, 21),
            (" fatal ", Severity::Fatal, 21),
        ];
        for (text, want, num) in cases {
            let got: Severity = text.parse().unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.otel_number(), num, "{text}");
        }
    }

    #[test]
    fn err_lists_accepted_names() {
        let err = "notice".parse::<Severity>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown severity \"notice\": expected one of TRACE, DEBUG, INFO, WARN, WARNING, ERROR, FATAL (any case)"
        );
        assert!("".parse::<Severity>().is_err());
        assert!("INFOO".parse::<Severity>().is_err());
        assert!("OK".parse::<Severity>().is_err());
    }

    #[test]
    fn display_is_otel_short_name() {
        let names: Vec<String> = Severity::ALL.iter().map(|s| s.to_string()).collect();
        assert_eq!(names, ["trace", "debug", "info", "warn", "error", "fatal"]);
    }
}
