//! The vendor readers, one folder each. A vendor imports the model and the
//! shared byte tools, never the dispatch, an output or another vendor.

pub(crate) mod bkjob;
pub(crate) mod codearts;
pub(crate) mod swr;
