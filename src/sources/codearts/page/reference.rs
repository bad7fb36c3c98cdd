//! A page read as it was before the skim: serde reads every page. The
//! reference `skim_agrees_with_serde` checks [`parse`](super::parse) against.

use super::{Page, parse_result, read_result};
use crate::error::{Error, ErrorKind};
use crate::json;
use crate::options::Options;

/// [`parse`](super::parse) by serde alone.
pub(super) fn parse<'p>(bytes: &'p [u8], opts: &Options) -> Result<Page<'p>, Error> {
    let input = std::str::from_utf8(bytes).map_err(|e| {
        Error::at(
            ErrorKind::Utf8,
            "page is not valid UTF-8",
            bytes,
            e.valid_up_to(),
        )
    })?;
    let body_start = input.len() - crate::text::strip_bom(bytes).len();
    let body = &input[body_start..];
    json::check_depth(body.as_bytes(), opts.max_depth)?;
    let r = parse_result(bytes, input, body, body_start)?;
    read_result(r, bytes, input, opts)
}
