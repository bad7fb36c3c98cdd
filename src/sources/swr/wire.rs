//! The SWR wire structs, private to this module: a job object, its log
//! batches and `pkg`, an inner log entry, and the error body.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::keys::{Field, Key};
use crate::error::Error;
use crate::json::{Obj, Raw};

/// A job object: the job log document, or one element of a job history.
#[derive(Default, Deserialize)]
#[serde(expecting = "an SWR job object")]
pub(super) struct WireJob<'a> {
    #[serde(borrow, default)]
    pub(super) id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) state: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) status: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) duration: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) progress: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) created_at: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) service: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) service_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) resource_type: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) resource: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) creator_id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) creator_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) log_num: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) pkg: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) log: Option<Vec<Obj<WireBatch<'a>>>>,
    #[serde(borrow, default, rename = "errorCode")]
    pub(super) error_code: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "errorMessage")]
    pub(super) error_message: Option<&'a RawValue>,
}

/// One element of a job's `log`: a batch of entries.
#[derive(Deserialize)]
#[serde(expecting = "an SWR log batch object")]
pub(super) struct WireBatch<'a> {
    /// The text of a JSON array of entries, as a JSON string.
    #[serde(borrow, default)]
    pub(super) content: Option<&'a RawValue>,
}

/// A job's `pkg`: the code it built.
#[derive(Deserialize)]
#[serde(expecting = "an SWR pkg object")]
pub(super) struct WirePkg<'a> {
    #[serde(borrow, default)]
    pub(super) git_branch: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) git_clone_type: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(super) git_tag: Option<&'a RawValue>,
}

/// One inner log entry: the raw value of each key of
/// [`ENTRY_KEYS`](super::keys::ENTRY_KEYS). Read as serde's derive would
/// read a struct with those fields (a duplicate key is an error, other keys
/// are skipped), but with the names taken from the table.
#[derive(Default)]
pub(super) struct WireEntry<'b> {
    kind: Option<&'b RawValue>,
    message: Option<&'b RawValue>,
    time: Option<&'b RawValue>,
    state: Option<&'b RawValue>,
    progress: Option<&'b RawValue>,
}

impl<'b> WireEntry<'b> {
    /// The raw value of `field`, `None` if absent or `null`.
    pub(super) fn get(&self, field: Field) -> Option<&'b RawValue> {
        match field {
            Field::Type => self.kind,
            Field::Message => self.message,
            Field::Time => self.time,
            Field::State => self.state,
            Field::Progress => self.progress,
        }
    }

    fn slot(&mut self, field: Field) -> &mut Option<&'b RawValue> {
        match field {
            Field::Type => &mut self.kind,
            Field::Message => &mut self.message,
            Field::Time => &mut self.time,
            Field::State => &mut self.state,
            Field::Progress => &mut self.progress,
        }
    }
}

impl<'de> Deserialize<'de> for WireEntry<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = WireEntry<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an SWR log entry object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<WireEntry<'de>, A::Error> {
                let mut entry = WireEntry::default();
                let mut seen = 0u8;
                while let Some(Key(field)) = map.next_key()? {
                    let Some(field) = field else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        continue;
                    };
                    if seen & field.bit() != 0 {
                        return Err(serde::de::Error::duplicate_field(field.name()));
                    }
                    seen |= field.bit();
                    *entry.slot(field) = map.next_value()?;
                }
                Ok(entry)
            }
        }
        d.deserialize_map(V)
    }
}

/// The error body's fields.
#[derive(Deserialize)]
struct WireError<'a> {
    #[serde(borrow, default, rename = "errorCode")]
    error_code: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "errorMessage")]
    error_message: Option<&'a RawValue>,
}

/// If `input` is an SWR error body (`[{"errorCode", "errorMessage", "detail"}]`),
/// returns the vendor error.
pub(super) fn vendor_array(input: &str) -> Result<(), Error> {
    if let Ok(items) = serde_json::from_str::<Vec<Obj<WireError<'_>>>>(input)
        && let Some((code, first)) = items.iter().find_map(|i| i.error_code.map(|c| (c, i)))
    {
        return Err(vendor_error(Raw(code), first.error_message.map(Raw)));
    }
    Ok(())
}

/// The vendor error of an error body's code and message.
pub(super) fn vendor_error(code: Raw<'_>, message: Option<Raw<'_>>) -> Error {
    let text = |r: Raw<'_>| {
        r.text_value()
            .ok()
            .flatten()
            .map(Cow::into_owned)
            .unwrap_or_default()
    };
    Error::vendor_body(text(code), message.map(text).unwrap_or_default())
}
