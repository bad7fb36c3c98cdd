//! The careful reading of one object's scalar fields (a job's, or an inner
//! entry's): numbers, states and times that may be sent in several shapes,
//! with lenient mode's notes and the raw values it keeps.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use serde_json::value::RawValue;

use super::states;
use super::{Doc, Located};
use crate::error::{Error, ErrorKind};
use crate::event::Scalar;
use crate::json::{Raw, clip, keep_raw};
use crate::note::{Note, Notes};
use crate::status::Status;
use crate::time::{Timestamp, utc};

/// Reads the fields of one object in the text `place`, gathering the notes
/// and the attributes of the event being built.
pub(super) struct FieldReader<'r, 'b> {
    pub(super) doc: &'r Doc<'r, 'r>,
    pub(super) place: Located<'b, 'r>,
    pub(super) notes: Notes,
    pub(super) attrs: Vec<(&'static str, Scalar<'b>)>,
}

impl<'b> FieldReader<'_, 'b> {
    /// Lenient mode notes `note`; strict mode returns the error at `raw`.
    pub(super) fn recover(
        &mut self,
        note: Note,
        kind: ErrorKind,
        detail: impl Into<String>,
        raw: Raw<'_>,
    ) -> Result<(), Error> {
        let (doc, place) = (self.doc, self.place);
        doc.opts.recover(&mut self.notes, note, || {
            doc.raw_error(kind, detail, raw, place)
        })
    }

    /// A numeric field in `range`; lenient mode keeps a bad value raw in
    /// the attributes.
    pub(super) fn int(
        &mut self,
        raw: Option<&'b RawValue>,
        name: &'static str,
        range: RangeInclusive<i64>,
    ) -> Result<Option<i64>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        match raw.int_in(name, &range) {
            Ok(v) => Ok(v),
            Err(detail) => {
                self.recover(Note::InvalidValue, ErrorKind::Value, detail, raw)?;
                keep_raw(&mut self.attrs, name, raw);
                Ok(None)
            }
        }
    }

    /// A state field: its unified status and the value as sent.
    pub(super) fn state(
        &mut self,
        raw: Option<&'b RawValue>,
    ) -> Result<(Option<Status>, Option<Scalar<'b>>), Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok((None, None));
        };
        let scalar = match raw.scalar() {
            Ok(Some(s)) => s,
            Ok(None) => return Ok((None, None)),
            Err(_) => {
                self.recover(
                    Note::InvalidValue,
                    ErrorKind::Value,
                    "`state` must be a string",
                    raw,
                )?;
                return Ok((
                    Some(Status::Unknown),
                    Some(Scalar::Str(Cow::Borrowed(raw.text()))),
                ));
            }
        };
        let status = match &scalar {
            Scalar::Str(s) => states::state(s).map(|s| s.status),
            _ => None,
        };
        match status {
            Some(st) => Ok((Some(st), Some(scalar))),
            None => {
                let opts = self.doc.opts;
                if opts.is_strict() && opts.unknown_status_is_error {
                    return Err(self.doc.raw_error(
                        ErrorKind::UnknownStatus,
                        format!(
                            "SWR state {} is not one of Waiting, Building, Successful, Failed, Timeout, Cancel, waiting, pulling, success",
                            clip(raw.text())
                        ),
                        raw,
                        self.place,
                    ));
                }
                self.notes.insert(Note::UnknownStatus);
                Ok((Some(Status::Unknown), Some(scalar)))
            }
        }
    }

    /// A time field; lenient mode keeps a bad value in `attrs.raw_time`.
    /// SWR stamps are RFC 3339 with `Z`; a zone-less one is read as UTC
    /// (assumed) unless the options say otherwise.
    pub(super) fn time(&mut self, raw: Option<&'b RawValue>) -> Result<Option<Timestamp>, Error> {
        let Some(raw) = raw.map(Raw) else {
            return Ok(None);
        };
        let parsed = match raw.text_value() {
            Ok(None) => return Ok(None),
            Ok(Some(s)) if s.trim().is_empty() => return Ok(None),
            Ok(Some(s)) => crate::time::parse_written(&s)
                .and_then(|w| w.resolve(self.doc.opts.offset_or(utc())))
                .map_err(|e| e.describe()),
            Err(_) => Err("expected a string"),
        };
        match parsed {
            Ok(t) => Ok(Some(t)),
            Err(why) => {
                let detail = format!("{why}, found {}", clip(raw.text()));
                self.recover(Note::InvalidTime, ErrorKind::Time, detail, raw)?;
                keep_raw(&mut self.attrs, "raw_time", raw);
                Ok(None)
            }
        }
    }

    /// Adds a scalar attribute if present and not an empty string.
    pub(super) fn attr(&mut self, name: &'static str, raw: Option<&'b RawValue>) {
        if let Some(Ok(Some(v))) = raw.map(|r| Raw(r).scalar()) {
            if v.as_str().is_some_and(str::is_empty) {
                return;
            }
            self.attrs.push((name, v));
        }
    }
}
