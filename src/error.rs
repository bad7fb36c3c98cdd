//! The one public error type: what went wrong, and where.

use std::fmt;
use std::fmt::Write as _;

use crate::source::Source;

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed JSON (or not the expected line grammar).
    Syntax,
    /// The input ended in the middle of a document.
    Eof,
    /// Well-formed, but not the shape this source sends (a field of the wrong
    /// type, a required field missing).
    Schema,
    /// A field has a value this crate cannot accept (strict mode).
    Value,
    /// A timestamp could not be read (strict mode).
    Time,
    /// The input is not valid UTF-8 (strict mode).
    Utf8,
    /// The vendor answered with an error body instead of a log; see [`Error::vendor`].
    Vendor,
    /// The source could not be detected, or a source name is not known.
    UnknownSource,
    /// A vendor status value is not in the tables (strict mode, when asked for).
    UnknownStatus,
    /// A configured limit was exceeded (line length, nesting depth, entry count).
    Limit,
    /// Page offsets of a followed log are inconsistent (a gap or a rewind; strict mode).
    Offset,
    /// Reading the input failed (CLI and streaming helpers only).
    Io,
    /// The input looks binary: a NUL byte in its first 8 KiB (strict mode).
    Binary,
}

impl ErrorKind {
    /// A short lowercase name of the kind (`"invalid json"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Eof => "unexpected end of input",
            ErrorKind::Schema => "unexpected payload shape",
            ErrorKind::Value => "invalid value",
            ErrorKind::Time => "invalid timestamp",
            ErrorKind::Utf8 => "invalid utf-8",
            ErrorKind::Vendor => "vendor error",
            ErrorKind::UnknownSource => "unknown source",
            ErrorKind::UnknownStatus => "unknown status",
            ErrorKind::Limit => "limit exceeded",
            ErrorKind::Offset => "inconsistent offsets",
            ErrorKind::Io => "i/o error",
            ErrorKind::Binary => "binary input",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in the input: byte offset (0-based), line and column (1-based;
/// the column counts characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    /// Byte offset from the start of the input.
    pub byte: usize,
    /// Line number, starting at 1.
    pub line: usize,
    /// Column in characters, starting at 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `byte` in `input` (clamped to the input's length).
    pub fn locate(input: &[u8], byte: usize) -> Position {
        let byte = byte.min(input.len());
        let before = input.get(..byte).unwrap_or_default();
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
        let line = memchr::memchr_iter(b'\n', before).count() + 1;
        let in_line = before.get(line_start..).unwrap_or_default();
        // Count characters: every byte that does not continue a UTF-8 sequence.
        let column = in_line.iter().filter(|&&b| (b & 0xC0) != 0x80).count() + 1;
        Position { byte, line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {} (byte {})",
            self.line, self.column, self.byte
        )
    }
}

/// The error body a vendor sent instead of a log.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VendorError {
    /// The vendor's error code (`CB.00060200`, `1244006`, `SVCSTG.S2I.4016000`).
    pub code: String,
    /// The vendor's message.
    pub message: String,
}

/// The one error type of this crate.
///
/// Everything is behind accessors: [`kind`](Error::kind),
/// [`position`](Error::position), [`excerpt`](Error::excerpt),
/// [`vendor`](Error::vendor). `Display` says what was expected or found and
/// where, lowercase, with a short escaped excerpt of the input.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    source: Option<Source>,
    detail: String,
    position: Option<Position>,
    excerpt: Option<String>,
    vendor: Option<VendorError>,
}

/// How many characters of input an excerpt shows.
const EXCERPT_CHARS: usize = 24;

impl Error {
    /// An error with a message and no position.
    pub(crate) fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                source: None,
                detail: detail.into(),
                position: None,
                excerpt: None,
                vendor: None,
            }),
        }
    }

    /// An error at byte `byte` of `input`, with position and excerpt.
    pub(crate) fn at(
        kind: ErrorKind,
        detail: impl Into<String>,
        input: &[u8],
        byte: usize,
    ) -> Error {
        let mut e = Error::new(kind, detail);
        e.set_position(input, byte);
        e
    }

    /// The vendor-error kind, carrying the vendor's code and message.
    pub(crate) fn vendor_body(code: impl Into<String>, message: impl Into<String>) -> Error {
        let vendor = VendorError {
            code: code.into(),
            message: message.into(),
        };
        let mut e = Error::new(ErrorKind::Vendor, String::new());
        e.inner.vendor = Some(vendor);
        e
    }

    pub(crate) fn set_position(&mut self, input: &[u8], byte: usize) {
        // Snap back to the start of a character so column and excerpt agree.
        let mut byte = byte.min(input.len());
        while byte > 0 && input.get(byte).is_some_and(|b| (b & 0xC0) == 0x80) {
            byte -= 1;
        }
        let pos = Position::locate(input, byte);
        self.inner.excerpt = Some(excerpt(input, pos.byte));
        self.inner.position = Some(pos);
    }

    /// Sets the source the error came from.
    pub(crate) fn with_source(mut self, source: Source) -> Error {
        self.inner.source = Some(source);
        self
    }

    /// Shifts the position by `base` bytes, recomputing line and column
    /// against `whole` (used when a part was parsed on its own).
    pub(crate) fn rebase(mut self, whole: &[u8], base: usize) -> Error {
        if let Some(p) = self.inner.position {
            self.set_position(whole, base.saturating_add(p.byte));
        }
        self
    }

    /// Moves the position to byte `byte` of `input`.
    pub(crate) fn reposition(mut self, input: &[u8], byte: usize) -> Error {
        self.set_position(input, byte);
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Where in the input it happened, when it is about a place in the input.
    pub fn position(&self) -> Option<Position> {
        self.inner.position
    }

    /// A short excerpt of the input starting at [`position`](Error::position),
    /// with control characters, quotes and backslashes escaped.
    pub fn excerpt(&self) -> Option<&str> {
        self.inner.excerpt.as_deref()
    }

    /// The payload kind being parsed when the error happened, when known.
    ///
    /// Named so as not to shadow [`std::error::Error::source`], which is
    /// about the cause of an error (this error has none).
    pub fn payload_source(&self) -> Option<Source> {
        self.inner.source
    }

    /// The error body the vendor sent, when [`kind`](Error::kind) is
    /// [`ErrorKind::Vendor`].
    pub fn vendor(&self) -> Option<&VendorError> {
        self.inner.vendor.as_ref()
    }

    /// Whether the vendor answered with an error body (the payload was fine,
    /// the request was not).
    pub fn is_vendor(&self) -> bool {
        self.inner.kind == ErrorKind::Vendor
    }

    /// Whether the payload itself is malformed or unexpected (anything but a
    /// vendor error body, an unknown source or an I/O failure).
    pub fn is_malformed(&self) -> bool {
        !matches!(
            self.inner.kind,
            ErrorKind::Vendor | ErrorKind::UnknownSource | ErrorKind::Io
        )
    }

    /// The message without kind, position or excerpt.
    pub fn detail(&self) -> &str {
        &self.inner.detail
    }
}

/// Escapes `s` so it is safe to print on a terminal and inside quotes.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                use fmt::Write as _;
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// Up to [`EXCERPT_CHARS`] characters of `input` from `byte`, escaped.
fn excerpt(input: &[u8], byte: usize) -> String {
    let start = byte.min(input.len());
    let window = input
        .get(start..input.len().min(start.saturating_add(EXCERPT_CHARS * 4)))
        .unwrap_or_default();
    let text = String::from_utf8_lossy(window);
    let taken: String = text.chars().take(EXCERPT_CHARS).collect();
    let mut out = String::with_capacity(taken.len() + 8);
    escape_into(&mut out, &taken);
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        if let Some(v) = &i.vendor {
            let mut msg = String::new();
            escape_into(&mut msg, &v.message);
            let mut code = String::new();
            escape_into(&mut code, &v.code);
            // Either may be missing from the body: no dangling separators.
            return match (code.is_empty(), msg.is_empty()) {
                (false, false) => write!(f, "vendor error {code}: {msg}"),
                (false, true) => write!(f, "vendor error {code}"),
                (true, false) => write!(f, "vendor error: {msg}"),
                (true, true) => f.write_str("vendor error"),
            };
        }
        f.write_str(i.kind.as_str())?;
        if !i.detail.is_empty() {
            // Details quote input; keep them on one line, terminal-safe.
            f.write_str(": ")?;
            for c in i.detail.chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    f.write_char(c)?;
                }
            }
        }
        if let Some(p) = i.position {
            write!(f, " at {p}")?;
        }
        if let Some(x) = &i.excerpt {
            if x.is_empty() {
                f.write_str(", at end of input")?;
            } else {
                write!(f, ", near \"{x}\"")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("source", &self.inner.source)
            .field("detail", &self.inner.detail)
            .field("position", &self.inner.position)
            .field("excerpt", &self.inner.excerpt)
            .field("vendor", &self.inner.vendor)
            .finish()
    }
}

/// An [`Error`] is the root of its chain: it wraps no other error, so
/// [`source`](std::error::Error::source) is `None`. Everything it knows is
/// in [`Display`](fmt::Display) and the accessors; the payload kind being
/// parsed is [`Error::payload_source`].
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_lines_and_characters() {
        let input = "ab\n中文x\n".as_bytes();
        assert_eq!(
            Position::locate(input, 0),
            Position {
                byte: 0,
                line: 1,
                column: 1
            }
        );
        assert_eq!(
            Position::locate(input, 3),
            Position {
                byte: 3,
                line: 2,
                column: 1
            }
        );
        // After the two Chinese characters (6 bytes) we are at column 3.
        assert_eq!(
            Position::locate(input, 9),
            Position {
                byte: 9,
                line: 2,
                column: 3
            }
        );
        assert_eq!(Position::locate(input, 999).byte, input.len());
    }

    #[test]
    fn display_of_each_kind() {
        let input = b"{\"a\":\x1b[31m1}";
        let cases = [
            (
                ErrorKind::Syntax,
                "syntax error: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Eof,
                "unexpected end of input: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Schema,
                "unexpected payload shape: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Value,
                "invalid value: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Time,
                "invalid timestamp: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Utf8,
                "invalid utf-8: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::UnknownSource,
                "unknown source: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::UnknownStatus,
                "unknown status: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Limit,
                "limit exceeded: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Offset,
                "inconsistent offsets: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Io,
                "i/o error: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
            (
                ErrorKind::Binary,
                "binary input: expected value at line 1, column 6 (byte 5), near \"\\u{1b}[31m1}\"",
            ),
        ];
        for (kind, want) in cases {
            let e = Error::at(kind, "expected value", input, 5);
            assert_eq!(e.to_string(), want);
            assert_eq!(e.kind(), kind);
        }
        let e = Error::at(ErrorKind::Eof, "expected `]`", b"[1,", 3);
        assert_eq!(
            e.to_string(),
            "unexpected end of input: expected `]` at line 1, column 4 (byte 3), at end of input"
        );
    }

    #[test]
    fn details_cannot_inject_control_characters() {
        let e = Error::new(ErrorKind::Value, "found \"a\nb\u{1b}[31m\"");
        assert_eq!(e.to_string(), "invalid value: found \"a\\nb\\u{1b}[31m\"");
    }

    #[test]
    fn vendor_error_is_not_malformed() {
        let e = Error::vendor_body("CB.00060200", "Invalid param");
        assert_eq!(e.to_string(), "vendor error CB.00060200: Invalid param");
        assert!(e.is_vendor());
        assert!(!e.is_malformed());
        assert_eq!(e.vendor().unwrap().code, "CB.00060200");
        assert_eq!(e.kind(), ErrorKind::Vendor);
        // A hostile message cannot inject terminal escapes.
        let e = Error::vendor_body("X", "bad\x1b]0;pwned\x07");
        assert_eq!(e.to_string(), "vendor error X: bad\\u{1b}]0;pwned\\u{7}");
        // A body may leave out the code or the message.
        assert_eq!(
            Error::vendor_body("1241007", "").to_string(),
            "vendor error 1241007"
        );
        assert_eq!(
            Error::vendor_body("", "denied").to_string(),
            "vendor error: denied"
        );
        assert_eq!(Error::vendor_body("", "").to_string(), "vendor error");
    }

    #[test]
    fn payload_source_is_not_the_error_source() {
        let e = Error::new(ErrorKind::Syntax, "x").with_source(Source::BkjobLog);
        assert_eq!(e.payload_source(), Some(Source::BkjobLog));
        // The trait method is about a cause, and this error has none.
        assert!(std::error::Error::source(&e).is_none());
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.source().is_none());
        assert_eq!(Error::new(ErrorKind::Io, "x").payload_source(), None);
    }

    #[test]
    fn excerpt_is_bounded_and_char_safe() {
        let long = "中".repeat(100);
        let e = Error::at(ErrorKind::Syntax, "x", long.as_bytes(), 4);
        // Byte 4 is inside the second character; the excerpt starts at its first byte.
        assert_eq!(e.excerpt().unwrap(), "中".repeat(EXCERPT_CHARS));
        assert_eq!(e.position().unwrap().column, 2);
    }
}
