//! A JSON payload as text (byte-order mark, UTF-8) and its nesting depth.

use crate::error::{Error, ErrorKind};

/// Finds where JSON nesting first goes deeper than `max`, skipping strings.
/// Returns the byte offset of the opening bracket that is one too deep.
pub(crate) fn depth_exceeded(input: &[u8], max: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = input.get(i) {
        match c {
            b'"' => {
                // Skip the string: find the closing quote not escaped.
                let mut j = i + 1;
                loop {
                    let rest = input.get(j..).unwrap_or_default();
                    match memchr::memchr2(b'"', b'\\', rest) {
                        Some(k) if rest.get(k) == Some(&b'\\') => j += k + 2,
                        Some(k) => {
                            j += k + 1;
                            break;
                        }
                        None => return None,
                    }
                }
                i = j;
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The JSON parser's own nesting guard.
const PARSER_DEPTH: usize = 128;

/// Returns a depth error if `input` nests deeper than `max`. At the
/// parser's own limit (128, the default) there is nothing to add: the
/// parser enforces it while reading, so the extra pass is skipped.
pub(crate) fn check_depth(input: &[u8], max: usize) -> Result<(), Error> {
    if max >= PARSER_DEPTH {
        return Ok(());
    }
    match depth_exceeded(input, max) {
        Some(at) => Err(Error::at(
            ErrorKind::Limit,
            format!("JSON nests deeper than the max_depth option ({max})"),
            input,
            at,
        )),
        None => Ok(()),
    }
}

/// A JSON input as text: borrowed when it was valid UTF-8, else a lossy copy
/// (lenient mode only).
pub(crate) enum Utf8Input<'a> {
    Str(&'a str),
    Lossy(String),
}

/// Strips a UTF-8 byte-order mark and checks UTF-8. Invalid UTF-8 is an
/// error in strict mode and a lossy copy in lenient mode (the caller notes
/// [`Note::InvalidUtf8`](crate::Note::InvalidUtf8) on every event).
pub(crate) fn utf8_input<'a>(input: &'a [u8], strict: bool) -> Result<Utf8Input<'a>, Error> {
    let body = crate::text::strip_bom(input);
    let bom = input.len() - body.len();
    match crate::text::utf8(body) {
        Ok(s) => Ok(Utf8Input::Str(s)),
        Err(e) if strict => Err(Error::at(
            ErrorKind::Utf8,
            "input is not valid UTF-8",
            input,
            bom + e.valid_up_to(),
        )),
        Err(_) => Ok(Utf8Input::Lossy(String::from_utf8_lossy(body).into_owned())),
    }
}
