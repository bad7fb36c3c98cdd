//! Shared byte scanners: the one stop-byte finder, the end of a JSON string
//! (checked 64 bytes at a time, or stop by stop with vector code for long
//! strings with sparse escapes), JSON values skipped, white space. They
//! import nothing but the model.

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
