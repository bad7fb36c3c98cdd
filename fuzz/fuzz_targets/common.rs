//! Invariants every fuzz target checks on what the library returns.
#![allow(dead_code)]

use cilog::{Error, Events, LogEvent, Options};

/// An error points inside the input and prints on one escaped line.
pub fn check_error(input_len: usize, e: &Error) {
    if let Some(p) = e.position() {
        assert!(
            p.byte <= input_len,
            "position {} past the input ({input_len}): {e}",
            p.byte
        );
        assert!(p.line >= 1 && p.column >= 1);
    }
    let text = e.to_string();
    assert!(
        !text.contains('\n') && !text.contains('\u{1b}'),
        "unescaped error text {text:?}"
    );
}

/// An event renders to one valid JSON line; strict mode never hands out
/// an event with a recovery note (it errors there instead).
pub fn check_event(e: &LogEvent<'_>, opts: &Options) {
    let line = e.to_ndjson();
    assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
    serde_json::from_str::<serde_json::Value>(&line).expect("NDJSON line is valid JSON");
    if opts.is_strict() {
        assert!(
            !e.notes.has_recovery(),
            "strict mode event with a recovery note: {:?}",
            e.notes
        );
    }
}

/// Drains a parse result, checking both kinds of item.
pub fn drain(input_len: usize, result: Result<Events<'_>, Error>, opts: &Options) -> usize {
    let mut n = 0;
    match result {
        Err(e) => check_error(input_len, &e),
        Ok(events) => {
            for item in events {
                match item {
                    Ok(e) => {
                        check_event(&e, opts);
                        n += 1;
                    }
                    Err(e) => check_error(input_len, &e),
                }
            }
        }
    }
    n
}
