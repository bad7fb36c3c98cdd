//! Notes: short codes that say what lenient mode noticed on an event.
//!
//! A note is either a **recovery** (something in the input was malformed and
//! lenient mode kept or repaired it; strict mode returns an error at exactly
//! these places instead) or **informational** (the event was derived or
//! cleaned in a documented way; both modes attach it).
//!
//! [`Notes`] is a small bit set, so noting costs no allocation.

use std::fmt;

macro_rules! notes {
    ($( $(#[$doc:meta])* $name:ident = $bit:literal, $code:literal, $recovery:literal, $desc:literal; )*) => {
        /// One note code. See the module documentation for the two classes.
        ///
        /// Not exhaustive: new quirks bring new notes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        #[non_exhaustive]
        pub enum Note {
            $( $(#[$doc])* $name = $bit, )*
        }

        impl Note {
            /// Every note, in bit order.
            pub const ALL: &'static [Note] = &[ $( Note::$name, )* ];

            /// The snake_case code used in the NDJSON `notes` array.
            pub const fn code(self) -> &'static str {
                match self { $( Note::$name => $code, )* }
            }

            /// Whether this note marks a recovery from malformed input (strict
            /// mode errors instead), rather than a documented transformation.
            pub const fn is_recovery(self) -> bool {
                match self { $( Note::$name => $recovery, )* }
            }

            /// One sentence on what the note means.
            pub const fn description(self) -> &'static str {
                match self { $( Note::$name => $desc, )* }
            }

            /// The note stored at bit `bit` of a [`Notes`] set.
            const fn from_bit(bit: u32) -> Option<Note> {
                match bit { $( $bit => Some(Note::$name), )* _ => None }
            }
        }
    };
}

notes! {
    /// Bytes that were not valid UTF-8 were replaced with U+FFFD.
    InvalidUtf8 = 0, "invalid_utf8", true,
        "bytes that were not valid UTF-8 were replaced with U+FFFD";
    /// A timestamp could not be read; `time` is empty and the raw text is kept.
    InvalidTime = 1, "invalid_time", true,
        "a timestamp could not be read; time is left empty and the raw text is kept in attrs.raw_time or the message";
    /// A field had a value of the wrong type or out of range; the raw value is kept in `attrs`.
    InvalidValue = 2, "invalid_value", true,
        "a field had a value of the wrong type or out of range; the raw value is kept in attrs";
    /// The SWR `content` was a bare JSON array instead of a JSON string (the docs' example) and was read as such.
    InnerJsonRepaired = 3, "inner_json_repaired", true,
        "an SWR log content was a bare JSON array instead of a JSON string (as in the vendor docs) and was read as one";
    /// The SWR `content` is not a JSON array of entries; its raw text is the message.
    InnerJsonInvalid = 4, "inner_json_invalid", true,
        "an SWR log content is not a JSON array of entries; its raw text is the message";
    /// One inner entry could not be read: kept raw by itself when it is JSON but not an object, else with the rest of its batch.
    EntryInvalid = 5, "entry_invalid", true,
        "an SWR log entry could not be read: an entry that is JSON but not an object is the message by itself; otherwise the rest of its batch is";
    /// The input ended early; this event holds the cut-off rest, raw.
    Truncated = 6, "truncated", true,
        "the input ended in the middle of a document; this event holds the cut-off rest, raw";
    /// A line was longer than `Options::max_line_len` and was cut there.
    LineTruncated = 7, "line_truncated", true,
        "a line was longer than the max_line_len option and was cut there";
    /// CodeArts content carried line breaks as the two characters `\n` (a docs artefact) and was split there.
    LiteralNewlines = 8, "literal_newlines_split", true,
        "CodeArts content carried its line breaks as the two characters \\n (a docs artefact) and was split there";
    /// Follower: the page started after the end of the previous one; text is missing before this event.
    PageGap = 9, "page_gap", true,
        "the page started after the end of the previous page: text is missing before this event";
    /// Follower: offsets went backwards; the repeated text was skipped.
    OffsetRewind = 10, "offset_rewind", true,
        "page offsets went backwards (the log was rewound or a stale page arrived); text already seen was skipped";
    /// A JSON escape was invalid (a lone surrogate) and was replaced with U+FFFD.
    InvalidEscape = 11, "invalid_escape", true,
        "a JSON escape was invalid (such as a lone surrogate) and was replaced with U+FFFD";
    /// More entries than `Options::max_entries`; the rest of the batch is kept raw in this event.
    TooManyEntries = 12, "too_many_entries", true,
        "a batch had more entries than the max_entries option; the rest of the batch is kept raw in this event";
    /// The payload does not fit the source it was read as; it is kept whole, raw, in this one event.
    ShapeMismatch = 13, "shape_mismatch", true,
        "the payload does not fit the source it was read as (attrs.detected_source names the source it looks like, if any); it is kept whole, raw, in this one event";
    /// The input looks binary (a NUL byte near its start); it was read as text anyway.
    BinaryInput = 14, "binary_input", true,
        "the input looks binary (it has a NUL byte in its first 8 KiB); it was read as text anyway";
    /// A CodeArts line has no `[yyyy/MM/dd HH:mm:ss.SSS GMT±HH:MM]` prefix (a continuation line); it has no time.
    NoPrefix = 32, "no_prefix", false,
        "a CodeArts line has no timestamp prefix (a continuation or tool line); it has no time";
    /// ANSI escape sequences were removed from the message.
    AnsiStripped = 33, "ansi_stripped", false,
        "ANSI escape sequences were removed from the message";
    /// The line held carriage returns (a terminal overwrite); only the last segment is the message.
    CrOverwrite = 34, "cr_overwrite", false,
        "the line held carriage returns (a terminal overwrite); the message is its last non-empty segment";
    /// HTML entities (`&lt;`, `&#39;`, …) in BlueKing v2 text were decoded.
    HtmlUnescaped = 35, "html_unescaped", false,
        "HTML entities in BlueKing v2 text (&lt; &gt; &amp; &#NN;) were decoded";
    /// The step context was taken from the step open at this point, not from the line itself.
    StepInferred = 36, "step_inferred", false,
        "the step context comes from the step open at this point of the log, not from the line itself";
    /// Follower: the page overlapped text already emitted; the overlap was skipped.
    PageOverlap = 37, "page_overlap", false,
        "the page overlapped text already emitted; the overlap was skipped";
    /// The log ended without a final newline while more data was still expected.
    UnterminatedLine = 38, "unterminated_line", false,
        "the last line had no newline while the source still announced more data; it may be incomplete";
    /// The vendor status is not in this crate's tables; `status` is `unknown`, `vendor_status` keeps it.
    UnknownStatus = 39, "unknown_status", false,
        "the vendor status value is not in the tables; status is unknown and vendor_status keeps the value";
    /// An SWR entry had a `Type` other than `phase` or `content`; it is a line event, the type is in `attrs`.
    UnknownEntryType = 40, "unknown_entry_type", false,
        "an SWR entry had a Type other than phase or content; it became a line event with the type in attrs";
    /// A CodeArts step tag was written in a variant form (`[name: id]:`); it was read anyway.
    TagVariant = 41, "tag_variant", false,
        "a CodeArts step tag was written in a variant form such as [name: id]: and was read anyway";
    /// Secrets in the message were masked.
    Redacted = 42, "redacted", false,
        "secrets in the message (passwords, tokens, keys) were masked";
    /// The unit of the page offsets (bytes or characters) could not be inferred; bytes were assumed.
    OffsetUnitUnknown = 43, "offset_unit_unknown", false,
        "the unit of the page offsets could not be inferred from the content; bytes were assumed";
    /// The line is a workflow command (`::error::…`, `::group::…`, `##[error]…`): severity, message and attrs come from it.
    WorkflowCommand = 44, "workflow_command", false,
        "the line is a workflow command (::error::, ::group::, ##[error] and the like); severity, message and attrs.file/line/col/title come from it";
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of [`Note`]s; iteration is in bit order, so output is stable.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Notes(u64);

impl Notes {
    /// No notes.
    pub const EMPTY: Notes = Notes(0);

    /// Adds a note.
    pub fn insert(&mut self, note: Note) {
        self.0 |= 1u64 << (note as u8);
    }

    /// Adds every note of `other`.
    pub fn extend(&mut self, other: Notes) {
        self.0 |= other.0;
    }

    /// Whether the note is present.
    pub const fn contains(self, note: Note) -> bool {
        self.0 & (1u64 << (note as u8)) != 0
    }

    /// Whether there are no notes.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any note is a recovery (see [`Note::is_recovery`]).
    pub fn has_recovery(self) -> bool {
        self.iter().any(Note::is_recovery)
    }

    /// The notes, in bit order (as `for note in &notes` does).
    pub fn iter(self) -> NotesIter {
        NotesIter { bits: self.0 }
    }

    /// How many notes there are.
    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// The notes, in bit order: `for note in &event.notes`.
impl IntoIterator for &Notes {
    type Item = Note;
    type IntoIter = NotesIter;

    fn into_iter(self) -> NotesIter {
        self.iter()
    }
}

/// The notes, in bit order: `for note in event.notes`.
impl IntoIterator for Notes {
    type Item = Note;
    type IntoIter = NotesIter;

    fn into_iter(self) -> NotesIter {
        self.iter()
    }
}

/// An iterator over the [`Note`]s of a [`Notes`] set, in bit order.
#[derive(Clone, Debug)]
pub struct NotesIter {
    bits: u64,
}

impl Iterator for NotesIter {
    type Item = Note;

    fn next(&mut self) -> Option<Note> {
        while self.bits != 0 {
            let bit = self.bits.trailing_zeros();
            self.bits &= self.bits - 1;
            if let Some(n) = Note::from_bit(bit) {
                return Some(n);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bits.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for NotesIter {}

impl std::iter::FusedIterator for NotesIter {}

impl From<Note> for Notes {
    fn from(note: Note) -> Notes {
        let mut n = Notes::EMPTY;
        n.insert(note);
        n
    }
}

impl Note {
    /// The note with this code.
    pub fn from_code(code: &str) -> Option<Note> {
        Note::ALL.iter().copied().find(|n| n.code() == code)
    }
}

/// Serialized as the array of codes, so stored cursors stay readable and
/// survive a renumbering of the bits.
impl serde::Serialize for Notes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Note::code))
    }
}

impl<'de> serde::Deserialize<'de> for Notes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Notes, D::Error> {
        let codes = Vec::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        let mut notes = Notes::EMPTY;
        for c in codes {
            let note = Note::from_code(&c)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown note code {c:?}")))?;
            notes.insert(note);
        }
        Ok(notes)
    }
}

impl fmt::Debug for Notes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Note::code)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_bits_fit() {
        let mut seen = std::collections::HashSet::new();
        for n in Note::ALL {
            assert!((*n as u8) < 64);
            assert!(seen.insert(n.code()), "duplicate code {}", n.code());
            assert!(
                n.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()),
                "{}",
                n.code()
            );
            assert!(!n.description().is_empty());
        }
    }

    #[test]
    fn notes_serialize_as_codes() {
        let mut s = Notes::EMPTY;
        s.insert(Note::PageGap);
        s.insert(Note::StepInferred);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["page_gap","step_inferred"]"#);
        assert_eq!(serde_json::from_str::<Notes>(&json).unwrap(), s);
        let err = serde_json::from_str::<Notes>(r#"["nope"]"#).unwrap_err();
        assert!(err.to_string().starts_with("unknown note code \"nope\""));
        for n in Note::ALL {
            assert_eq!(Note::from_code(n.code()), Some(*n));
        }
    }

    #[test]
    fn set_operations() {
        let mut s = Notes::EMPTY;
        assert!(s.is_empty());
        s.insert(Note::NoPrefix);
        s.insert(Note::InvalidUtf8);
        s.insert(Note::NoPrefix);
        assert_eq!(s.len(), 2);
        assert!(s.contains(Note::NoPrefix));
        assert!(!s.contains(Note::AnsiStripped));
        assert!(s.has_recovery());
        let codes: Vec<_> = s.iter().map(Note::code).collect();
        assert_eq!(codes, ["invalid_utf8", "no_prefix"]);
        assert_eq!(format!("{s:?}"), r#"{"invalid_utf8", "no_prefix"}"#);
        assert!(!Notes::from(Note::StepInferred).has_recovery());
    }

    #[test]
    fn iterates_by_reference_and_by_value_in_bit_order() {
        let mut s = Notes::EMPTY;
        for n in Note::ALL.iter().rev() {
            s.insert(*n);
        }
        let mut by_ref = Vec::new();
        for n in &s {
            by_ref.push(n);
        }
        assert_eq!(by_ref, Note::ALL);
        assert_eq!(s.into_iter().collect::<Vec<_>>(), Note::ALL);
        assert_eq!(s.iter().len(), Note::ALL.len());
        assert_eq!((&Notes::EMPTY).into_iter().next(), None);
        let two: Notes =
            [Note::Redacted, Note::InvalidUtf8]
                .into_iter()
                .fold(Notes::EMPTY, |mut s, n| {
                    s.insert(n);
                    s
                });
        let mut it = two.iter();
        assert_eq!(it.size_hint(), (2, Some(2)));
        assert_eq!(it.next(), Some(Note::InvalidUtf8));
        assert_eq!(it.next(), Some(Note::Redacted));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
    }
}
