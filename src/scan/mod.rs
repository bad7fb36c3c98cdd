//! Shared byte scanners. They import nothing but the model.
//!
//! - [`Finder`]: the one stop-byte finder (memchr's AVX2 searcher, kept).
//! - The end of a JSON string, checked, by two scanners for two kinds of
//!   string: [`skip_string`], 64 bytes at a time, for short strings and for
//!   SWR's escape-dense JSON-in-JSON; [`StringScan`], stop by stop with a
//!   [`Finder`], for long log strings with sparse escapes, telling its
//!   caller where each escape, line break and `&` is.
//! - The grammar of an escape ([`escape_len`], [`one_letter`], [`hex4`]),
//!   which `json`'s unescaper shares, and the one [`has_control`].
//! - JSON values skipped, white space.

mod find;
mod stops;
mod string;
mod swar;
mod value;

#[cfg(test)]
pub(crate) mod reference;

pub(crate) use find::*;
pub(crate) use stops::*;
pub(crate) use string::*;
pub(crate) use value::*;
