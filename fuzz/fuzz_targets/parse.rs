//! `detect` and `parse` (auto-detected source) on any bytes, both modes.
#![no_main]

use cilog::{Options, detect, parse};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = detect(data);
    for opts in [Options::default(), Options::strict()] {
        common::drain(data.len(), parse(data, &opts), &opts);
    }
});
