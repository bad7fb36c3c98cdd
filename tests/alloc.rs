//! Heap allocations per event (issue 6): the text path must not allocate per
//! line when the message borrows (over a whole input, allocations / events
//! ≤ 0.01); the other paths are measured and printed, not asserted.
//!
//! A counting global allocator counts every allocation of this test binary.
//! The crate forbids `unsafe_code` in every target, so the allocator is
//! `stats_alloc`'s instead of one written here. Its counters are global, so
//! this binary holds a single `#[test]` (tests run on parallel threads) and
//! generates each input before counting starts.
//!
//! `cargo test --test alloc -- --nocapture` prints the table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss
)]

#[path = "../benches/support/workload.rs"]
mod workload;

use std::alloc::System;
use std::borrow::Cow;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

use cilog::codearts::Follower;
use cilog::{LogEvent, Options, Source, parse_as};
use workload::{SEED_BK, SEED_SWR, SEED_TEXT, TextOpts};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// What one path did.
struct Measured {
    path: &'static str,
    input: usize,
    events: u64,
    /// Events whose message borrows from the input.
    borrowed: u64,
    /// `alloc` + `realloc` calls while parsing.
    allocs: usize,
    bytes: usize,
}

impl Measured {
    fn per_event(&self) -> f64 {
        self.allocs as f64 / self.events as f64
    }
}

/// Counts events and borrowed messages; allocates nothing itself.
#[derive(Default)]
struct Seen {
    events: u64,
    borrowed: u64,
}

impl Seen {
    fn see(&mut self, e: &LogEvent<'_>) {
        self.events += 1;
        if matches!(e.message, Cow::Borrowed(_)) {
            self.borrowed += 1;
        }
    }
}

fn measure(path: &'static str, input: usize, parse: impl FnOnce(&mut Seen)) -> Measured {
    let mut seen = Seen::default();
    let region = Region::new(GLOBAL);
    parse(&mut seen);
    let s = region.change();
    Measured {
        path,
        input,
        events: seen.events,
        borrowed: seen.borrowed,
        allocs: s.allocations + s.reallocations,
        bytes: s.bytes_allocated,
    }
}

fn whole(source: Source, docs: &[String], seen: &mut Seen) {
    let opts = Options::default();
    for d in docs {
        for e in parse_as(source, d.as_bytes(), &opts).unwrap() {
            seen.see(&e.unwrap());
        }
    }
}

#[test]
fn allocations_per_event() {
    // ~4 MB of CodeArts text whose messages all borrow: no ANSI, no CR, no
    // invalid UTF-8, no escapes.
    let text = workload::codearts_text(4 << 20, SEED_TEXT, TextOpts { ansi: false });
    let pages = workload::realtime_pages(&text, 1 << 20);
    let (swr, _) = workload::swr_docs(2 << 20, SEED_SWR);
    let (bk, _) = workload::bk_docs(2 << 20, SEED_BK);
    let total = |v: &[String]| v.iter().map(String::len).sum::<usize>();

    let opts = Options::default();
    let results = [
        measure("codearts-log parse_as", text.len(), |seen| {
            whole(Source::CodeartsLog, std::slice::from_ref(&text), seen);
        }),
        measure(
            "codearts-log Follower::feed_text 64 KiB",
            text.len(),
            |seen| {
                let mut f = Follower::new(opts.clone());
                for chunk in text.as_bytes().chunks(64 * 1024) {
                    f.feed_text(chunk, |e| seen.see(&e)).unwrap();
                }
                f.finish(|e| seen.see(&e)).unwrap();
            },
        ),
        measure(
            "codearts-realtime-log Follower::feed_page 1 MB",
            total(&pages),
            |seen| {
                let mut f = Follower::new(opts.clone());
                for p in &pages {
                    f.feed_page(p.as_bytes(), |e| seen.see(&e)).unwrap();
                }
                f.finish(|e| seen.see(&e)).unwrap();
            },
        ),
        measure("swr-job-log parse_as", total(&swr), |seen| {
            whole(Source::SwrJobLog, &swr, seen);
        }),
        measure("bkjob-log parse_as", total(&bk), |seen| {
            whole(Source::BkjobLog, &bk, seen);
        }),
    ];

    println!(
        "| path | input | events | borrowed messages | allocations | bytes allocated | allocations / event |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for m in &results {
        println!(
            "| {} | {:.1} MB | {} | {} | {} | {} | {:.4} |",
            m.path,
            m.input as f64 / 1e6,
            m.events,
            m.borrowed,
            m.allocs,
            m.bytes,
            m.per_event()
        );
    }

    let text_path = &results[0];
    assert_eq!(
        text_path.borrowed, text_path.events,
        "the generated text must give borrowed messages only"
    );
    assert!(
        text_path.per_event() <= 0.01,
        "text path: {} allocations for {} events = {:.4} per event (target ≤ 0.01)",
        text_path.allocs,
        text_path.events,
        text_path.per_event()
    );
}
