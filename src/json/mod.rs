//! Shared JSON helpers for the JSON sources: loose scalars, error positions,
//! depth checks, the one unescaper, and a zero-copy line splitter over a raw
//! JSON string. The byte scanning they rest on is in [`crate::scan`].
//!
//! Wire structs keep every scalar as `&RawValue` ([`Raw`]): that costs almost
//! nothing, gives the exact byte offset of each value for error messages, and
//! lets one place decide how "a number sent as a string" is read.

mod input;
mod lines;
mod position;
mod repair;
mod skim;
mod unescape;
mod value;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub(crate) use input::*;
pub(crate) use lines::*;
pub(crate) use position::*;
pub(crate) use repair::*;
pub(crate) use skim::*;
pub(crate) use unescape::*;
pub(crate) use value::*;
