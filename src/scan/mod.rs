//! Shared byte scanners: the end of a JSON string (checked 64 bytes at a
//! time, or stop by stop with vector code for long strings with sparse
//! escapes), JSON values skipped, white space. They import nothing but the
//! model.

mod stops;
mod string;
pub(crate) mod swar;
mod value;

pub(crate) use stops::*;
pub(crate) use string::*;
pub(crate) use value::*;
