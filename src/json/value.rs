//! Wire-struct helpers: raw values read on demand, objects only, loose
//! scalars (a number sent as a string), borrowed strings.

use super::position::offset_in;
use super::unescape::decode_str;
use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::event::Scalar;

/// A JSON value kept as its raw text, read on demand.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raw<'a>(pub(crate) &'a RawValue);

/// A JSON object read into `T`, and only an object. Serde's derived
/// `Deserialize` for a struct also takes an array and fills the fields in
/// order, so `[[1]]` would read as an error body with code 1 and `[{..}]`
/// as a page: every wire struct is read through this instead.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Obj<T>(pub(crate) T);

impl<T> std::ops::Deref for Obj<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Obj<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData)).map(Obj)
    }
}

/// At most 40 characters of a raw value, for error messages.
pub(crate) fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Keeps a value that could not be read as an attribute, as sent.
pub(crate) fn keep_raw<'b>(
    attrs: &mut Vec<(&'static str, Scalar<'b>)>,
    name: &'static str,
    raw: Raw<'b>,
) {
    let value = match raw.scalar() {
        Ok(Some(s)) => s,
        _ => Scalar::Str(Cow::Borrowed(raw.text())),
    };
    attrs.push((name, value));
}

/// The objects of an optional array, unwrapped (in place: `Obj<T>` and
/// `T` have the same layout, so the vector is reused).
pub(crate) fn objs<T>(v: Option<Vec<Obj<T>>>) -> Vec<T> {
    v.unwrap_or_default().into_iter().map(|Obj(t)| t).collect()
}

/// Why a raw value could not be read as the wanted type.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WrongType;

impl<'a> Raw<'a> {
    pub(crate) fn text(self) -> &'a str {
        self.0.get()
    }

    /// Byte offset of this value inside `base`, if it lies there.
    pub(crate) fn offset_in(self, base: &str) -> Option<usize> {
        offset_in(self.text(), base)
    }

    /// The value as a vendor scalar, exactly as sent. `Ok(None)` for `null`;
    /// `Err` for objects and arrays.
    pub(crate) fn scalar(self) -> Result<Option<Scalar<'a>>, WrongType> {
        let t = self.text();
        match t.as_bytes().first() {
            Some(b'"') => Ok(Some(Scalar::Str(decode_str(t).ok_or(WrongType)?))),
            Some(b't') => Ok(Some(Scalar::Bool(true))),
            Some(b'f') => Ok(Some(Scalar::Bool(false))),
            Some(b'n') => Ok(None),
            Some(b'-' | b'0'..=b'9') => Ok(Some(number(t).ok_or(WrongType)?)),
            _ => Err(WrongType),
        }
    }

    /// [`int`](Raw::int) in `range`; the error is the detail of a message
    /// about field `name`.
    pub(crate) fn int_in(
        self,
        name: &str,
        range: &std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, String> {
        match self.int() {
            Ok(Some(v)) if range.contains(&v) => Ok(Some(v)),
            Ok(None) => Ok(None),
            _ => Err(format!(
                "`{name}` must be an integer in {}..={}, found {}",
                range.start(),
                range.end(),
                clip(self.text())
            )),
        }
    }

    /// An integer sent as a number or as a numeric string (`1408`, `"9"`,
    /// `" 9 "`, `9.0`). `Ok(None)` for `null` and for `""`.
    pub(crate) fn int(self) -> Result<Option<i64>, WrongType> {
        match self.scalar()? {
            None => Ok(None),
            Some(Scalar::Int(i)) => Ok(Some(i)),
            Some(Scalar::Float(f)) => float_to_int(f).map(Some).ok_or(WrongType),
            Some(Scalar::Str(s)) => {
                let s = s.trim();
                if s.is_empty() {
                    return Ok(None);
                }
                if let Ok(i) = s.parse::<i64>() {
                    return Ok(Some(i));
                }
                s.parse::<f64>()
                    .ok()
                    .and_then(float_to_int)
                    .map(Some)
                    .ok_or(WrongType)
            }
            Some(Scalar::Bool(_)) => Err(WrongType),
        }
    }

    /// A boolean sent as `true`/`false`, `"true"`/`"false"` (any case), or
    /// `1`/`0`. `Ok(None)` for `null`.
    pub(crate) fn boolean(self) -> Result<Option<bool>, WrongType> {
        match self.scalar()? {
            None => Ok(None),
            Some(Scalar::Bool(b)) => Ok(Some(b)),
            Some(Scalar::Int(0)) => Ok(Some(false)),
            Some(Scalar::Int(1)) => Ok(Some(true)),
            Some(Scalar::Str(s)) => {
                let s = s.trim();
                if s.eq_ignore_ascii_case("true") || s == "1" {
                    Ok(Some(true))
                } else if s.eq_ignore_ascii_case("false") || s == "0" {
                    Ok(Some(false))
                } else {
                    Err(WrongType)
                }
            }
            Some(_) => Err(WrongType),
        }
    }

    /// Text of a string, or the literal text of a number or boolean (ids are
    /// sent both ways). `Ok(None)` for `null`.
    pub(crate) fn text_value(self) -> Result<Option<Cow<'a, str>>, WrongType> {
        let t = self.text();
        match t.as_bytes().first() {
            Some(b'"') => decode_str(t).map(Some).ok_or(WrongType),
            Some(b'n') => Ok(None),
            Some(b'-' | b'0'..=b'9' | b't' | b'f') => Ok(Some(Cow::Borrowed(t))),
            _ => Err(WrongType),
        }
    }
}

fn float_to_int(f: f64) -> Option<i64> {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
        Some(f as i64)
    } else {
        None
    }
}

/// A JSON number as an integer if it has no fraction or exponent and fits
/// `i64`, otherwise as a float.
fn number(t: &str) -> Option<Scalar<'static>> {
    if !t.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
        && let Ok(i) = t.parse::<i64>()
    {
        return Some(Scalar::Int(i));
    }
    t.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Scalar::Float)
}
