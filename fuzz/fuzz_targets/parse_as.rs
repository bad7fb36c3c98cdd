//! `parse_as` for every source: the first byte picks the source and the
//! options (strict, raw text, no HTML decoding, redaction, small limits).
#![no_main]

use cilog::{Options, Source, TextMode, parse_as};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, payload)) = data.split_first() else {
        return;
    };
    let src = Source::ALL[usize::from(pick) % Source::ALL.len()];
    let mut opts = if pick & 0x80 != 0 {
        Options::strict()
    } else {
        Options::default()
    };
    if pick & 0x40 != 0 {
        opts = opts.with_text(TextMode::Raw).with_html_unescape(false);
    }
    if pick & 0x20 != 0 {
        opts = opts
            .with_redact(true)
            .with_max_line_len(64)
            .with_max_depth(4)
            .with_max_entries(3);
    }
    common::drain(payload.len(), parse_as(src, payload, &opts), &opts);
});
