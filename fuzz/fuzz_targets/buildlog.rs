//! The CodeArts line grammar: any line parses (no panic), and rendering a
//! parsed line parses back to it. (The byte-scanning body reader's agreement
//! with its nom reference is a property test inside the crate, where the
//! test-only reference lives.)
#![no_main]

use cilog::codearts::buildlog::parse_line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for line in text.split('\n') {
        let parsed = parse_line(line);
        let rendered = parsed.to_string();
        assert_eq!(
            parse_line(&rendered),
            parsed,
            "{line:?} rendered as {rendered:?}"
        );
    }
});
