//! The Follower on arbitrary page bodies: any sequence of pages (split from
//! the input at NUL bytes) ends in events or a clear error, in both modes,
//! and a cursor saved after each page restores.
#![no_main]

use cilog::Options;
use cilog::codearts::{Cursor, Follower};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for opts in [Options::default(), Options::strict()] {
        let mut cursor = Cursor::default();
        for page in data.split(|&b| b == 0) {
            let mut f = Follower::resume(cursor.clone(), opts.clone());
            match f.feed_page(page, |e| common::check_event(&e, &opts)) {
                Ok(()) => {
                    let json = serde_json::to_string(f.cursor()).unwrap();
                    cursor = serde_json::from_str(&json).unwrap();
                }
                Err(e) => common::check_error(page.len(), &e),
            }
        }
        let mut f = Follower::resume(cursor, opts.clone());
        let _ = f.finish(|e| common::check_event(&e, &opts));
    }
});
