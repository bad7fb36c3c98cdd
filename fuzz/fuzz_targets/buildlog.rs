//! The CodeArts line grammar: the fast path agrees with the nom reference
//! on every line, and rendering a parsed line parses back to it.
#![no_main]

use cilog::codearts::buildlog::{grammar, parse_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        let fast = parse_line(line);
        assert_eq!(
            fast,
            grammar::parse_line(line),
            "fast path and reference disagree on {line:?}"
        );
        let rendered = fast.to_string();
        assert_eq!(
            parse_line(&rendered),
            fast,
            "{line:?} rendered as {rendered:?}"
        );
    }
});
