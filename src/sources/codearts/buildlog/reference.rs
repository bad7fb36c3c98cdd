//! The body grammar written with nom combinators, as the module docs
//! give it: the reference the byte-scanning [`body`](super::body) is
//! checked against (`fast_path_agrees_with_reference`). The prefix has one
//! reader only, [`prefix`] (nom), which the minute cache is checked against.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till};
use nom::character::complete::{alpha1, char};
use nom::combinator::{eof, rest, verify};
use nom::sequence::delimited;
use nom::{IResult, Parser};

use super::{Body, Line, Tag, after_colon, finish, prefix};
use crate::severity::Severity;

type Res<'a, O> = IResult<&'a str, O>;

fn level(i: &str) -> Res<'_, (&str, Severity)> {
    let (i, lv) = delimited(
        char('['),
        verify(alpha1, |s: &str| Severity::from_token(s).is_some()),
        char(']'),
    )
    .parse(i)?;
    let sev = Severity::from_token(lv).unwrap_or(Severity::Info);
    Ok((i, (lv, sev)))
}

/// `[name:id]` then ` :` or `:`.
fn step_tag(i: &str) -> Res<'_, (Tag<'_>, &str)> {
    let (i, (_, inner, _, sep)) = (
        char('['),
        take_till(|c| c == ']'),
        char(']'),
        alt((tag(" :"), tag(":"))),
    )
        .parse(i)?;
    let Some((name, raw_id)) = inner.rsplit_once(':') else {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        )));
    };
    let id = raw_id.trim_start_matches(' ');
    if id.is_empty() || id.contains([' ', '[']) {
        return Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Verify,
        )));
    }
    let variant = sep == ":" || id.len() != raw_id.len();
    Ok((i, (Tag { name, id, variant }, after_colon(i))))
}

/// Parses one line with the reference grammar.
pub(super) fn parse_line(line: &str) -> Line<'_> {
    let (stamp, rest) = prefix(line);
    finish(line, stamp, rest, body)
}

/// The body of a prefixed line.
pub(super) fn body(input: &str) -> Body<'_> {
    let platform_tagged =
        (level, char(' '), step_tag).map(|((level, severity), _, (tag, message))| Body::Platform {
            level,
            severity,
            tag: Some(tag),
            message,
        });
    let platform_empty =
        (level, tag("  :"), rest).map(|((level, severity), _, m)| Body::Platform {
            level,
            severity,
            tag: None,
            message: after_colon(m),
        });
    let bare =
        (level, alt((eof, char(' ').map(|_| ""))), rest).map(|((level, severity), _, message)| {
            Body::Bare {
                level,
                severity,
                message,
            }
        });
    match alt((platform_tagged, platform_empty, bare)).parse(input) {
        Ok((_, b)) => b,
        Err(_) => Body::Raw(input),
    }
}
