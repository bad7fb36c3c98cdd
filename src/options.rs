//! Parsing options: strict or lenient, assumed offsets, text cleaning, limits.
//!
//! Each knob documents the vendor behaviour it tolerates. Build options from
//! [`Options::default`] (lenient) or [`Options::strict`] and the `with_*`
//! methods; the fields are public for reading and for direct assignment.

use chrono::FixedOffset;

use crate::error::Error;
use crate::note::{Note, Notes};

/// Lenient or strict parsing.
///
/// Exhaustive on purpose: finer leniency is configured by the other
/// [`Options`] knobs, not by more modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Every input line or entry yields an event; what could not be parsed is
    /// kept raw and marked with a recovery [`Note`](crate::Note). The default.
    #[default]
    Lenient,
    /// Return an [`Error`](crate::Error) exactly where lenient mode would
    /// attach a recovery note.
    Strict,
}

/// What to do with terminal control sequences in message text.
///
/// Not exhaustive: finer modes (keeping colours, say) may come.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TextMode {
    /// Strip ANSI escape sequences (SGR colours and the rest) and treat a
    /// carriage return as "the terminal overwrote this line": keep the last
    /// non-empty segment. Each change is noted. The default.
    #[default]
    Clean,
    /// Keep the text exactly as sent (only the line break itself is removed).
    Raw,
}

/// Options for [`parse`](crate::parse), [`parse_as`](crate::parse_as) and the streaming types.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Lenient (default) or strict.
    pub mode: Mode,
    /// Offset for zone-less timestamps, overriding each source's documented
    /// default (BlueKing JOB: +08:00, the servers' default zone; everything
    /// else: UTC). Times that get it are marked assumed.
    pub default_offset: Option<FixedOffset>,
    /// In strict mode, make a vendor status value missing from the tables an
    /// error ([`ErrorKind::UnknownStatus`](crate::ErrorKind::UnknownStatus))
    /// instead of `status: unknown` with the raw value kept. Off by default:
    /// vendors add states without notice.
    pub unknown_status_is_error: bool,
    /// ANSI and carriage-return handling of message text.
    pub text: TextMode,
    /// Decode the HTML entities BlueKing JOB v2 servers put in `log_content`
    /// (`&lt; &gt; &amp; &quot; &#39; &#NN; &#xHH;`). On by default: current
    /// (3.x) servers escape `&` too, so decoding restores the script's exact
    /// output; legacy servers did not escape, so a script that printed a
    /// literal `&lt;` shows as `<`. Turn off to see the text as sent.
    pub html_unescape: bool,
    /// Longest line kept whole, in bytes (default 1 MiB). Longer lines are cut
    /// at a character boundary with the note `line_truncated` (strict: an
    /// error). Real CodeArts lines reach ~18 000 characters.
    pub max_line_len: usize,
    /// Deepest JSON nesting accepted (default and most: 128). At 128 the
    /// JSON parser's own recursion guard enforces it (and values this crate
    /// skips are skipped without recursion), so no stack can overflow; a
    /// lower value costs one extra pass over the payload to check it.
    /// Vendor payloads nest at most 6 deep.
    pub max_depth: usize,
    /// Most inner entries read from one SWR log batch (default 100 000); the
    /// rest of the batch is kept raw in one event with `too_many_entries`.
    pub max_entries: usize,
    /// Mask secrets (passwords in URLs, tokens, keys) in messages. Off in the
    /// library, which stays a faithful parser; on by default in the CLI.
    pub redact: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::Lenient,
            default_offset: None,
            unknown_status_is_error: false,
            text: TextMode::Clean,
            html_unescape: true,
            max_line_len: 1 << 20,
            max_depth: 128,

            max_entries: 100_000,
            redact: false,
        }
    }
}

impl Options {
    /// Lenient defaults (same as [`Options::default`]).
    pub fn lenient() -> Options {
        Options::default()
    }

    /// Strict defaults: errors instead of recoveries.
    pub fn strict() -> Options {
        Options {
            mode: Mode::Strict,
            ..Options::default()
        }
    }

    /// Whether the mode is [`Mode::Strict`].
    pub fn is_strict(&self) -> bool {
        self.mode == Mode::Strict
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: Mode) -> Options {
        self.mode = mode;
        self
    }

    /// Sets the offset for zone-less timestamps.
    pub fn with_default_offset(mut self, offset: FixedOffset) -> Options {
        self.default_offset = Some(offset);
        self
    }

    /// Sets [`Options::unknown_status_is_error`].
    pub fn with_unknown_status_is_error(mut self, yes: bool) -> Options {
        self.unknown_status_is_error = yes;
        self
    }

    /// Sets the text mode.
    pub fn with_text(mut self, text: TextMode) -> Options {
        self.text = text;
        self
    }

    /// Sets [`Options::html_unescape`].
    pub fn with_html_unescape(mut self, yes: bool) -> Options {
        self.html_unescape = yes;
        self
    }

    /// Sets [`Options::max_line_len`] (at least 1).
    pub fn with_max_line_len(mut self, bytes: usize) -> Options {
        self.max_line_len = bytes.max(1);
        self
    }

    /// Sets [`Options::max_depth`] (1 to 128).
    pub fn with_max_depth(mut self, depth: usize) -> Options {
        self.max_depth = depth.clamp(1, 128);
        self
    }

    /// Sets [`Options::max_entries`] (at least 1).
    pub fn with_max_entries(mut self, entries: usize) -> Options {
        self.max_entries = entries.max(1);
        self
    }

    /// Sets [`Options::redact`].
    pub fn with_redact(mut self, yes: bool) -> Options {
        self.redact = yes;
        self
    }

    /// The offset for a zone-less stamp of a source whose own default is
    /// `source_default`.
    pub(crate) fn offset_or(&self, source_default: FixedOffset) -> FixedOffset {
        self.default_offset.unwrap_or(source_default)
    }

    /// The one place leniency is decided: in lenient mode adds the recovery
    /// `note` to `notes`; in strict mode returns the error `err` builds.
    pub(crate) fn recover(
        &self,
        notes: &mut Notes,
        note: Note,
        err: impl FnOnce() -> Error,
    ) -> Result<(), Error> {
        debug_assert!(note.is_recovery());
        if self.is_strict() {
            Err(err())
        } else {
            notes.insert(note);
            Ok(())
        }
    }
}

/// Parses `±HH:MM`, `±HHMM`, `±HH` or `Z` into an offset.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    let t = text.trim();
    let bad = || format!("invalid offset {t:?}: expected Z, ±HH, ±HHMM or ±HH:MM (hours 0-23)");
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0).ok_or_else(bad);
    }
    let b = t.as_bytes();
    let negative = match b.first() {
        Some(b'+') => false,
        Some(b'-') => true,
        _ => return Err(bad()),
    };
    let h = crate::time::digits(b, 1, 2).ok_or_else(bad)?;
    let m = match b.len() {
        3 => 0,
        5 => crate::time::digits(b, 3, 2).ok_or_else(bad)?,
        6 if b.get(3) == Some(&b':') => crate::time::digits(b, 4, 2).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    crate::time::offset_hm(negative, h, m).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_offsets() {
        let cases = [
            ("+08:00", 8 * 3600),
            ("+0800", 8 * 3600),
            ("+08", 8 * 3600),
            ("-05:30", -(5 * 3600 + 30 * 60)),
            ("Z", 0),
            ("utc", 0),
            ("+00:00", 0),
        ];
        for (t, secs) in cases {
            assert_eq!(parse_offset(t).unwrap().local_minus_utc(), secs, "{t}");
        }
    }

    #[test]
    fn err_offsets() {
        for t in [
            "", "8", "+8", "+24:00", "+08:60", "08:00", "+08:0", "+08-00", "+0800x",
        ] {
            assert_eq!(
                parse_offset(t).unwrap_err(),
                format!(
                    "invalid offset {:?}: expected Z, ±HH, ±HHMM or ±HH:MM (hours 0-23)",
                    t.trim()
                ),
            );
        }
    }

    #[test]
    fn builders_clamp() {
        let o = Options::strict()
            .with_max_depth(1000)
            .with_max_line_len(0)
            .with_max_entries(0);
        assert!(o.is_strict());
        assert_eq!(o.max_depth, 128);
        assert_eq!(o.max_line_len, 1);
        assert_eq!(o.max_entries, 1);
        assert!(!Options::default().redact);
    }
}
