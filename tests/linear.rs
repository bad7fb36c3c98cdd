//! Time stays linear in the input size: a line of hundreds of MB, a 10⁶-entry array,
//! and deep nesting, each timed at two sizes (4× apart) and compared.
//!
//! These tests read the clock, so they are `#[ignore]`d: `cargo test` stays
//! free of timing. Run them on a quiet machine, in release mode:
//!
//! ```sh
//! cargo test --release --test linear -- --ignored --nocapture --test-threads 1
//! ```
//!
//! Linear work gives a ratio near 4; quadratic work, near 16. The assertion
//! allows 8, which noise on a shared 2-core machine stays far below.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr
)]

use std::time::{Duration, Instant};

use cilog::codearts::Follower;
use cilog::{Options, Source, parse_as};

/// Writes over 1 GiB so that no input is left in a cache: a timing then
/// shows the work, not where the bytes happened to be.
fn evict() {
    let mut v = vec![0u8; 1 << 30];
    for (i, b) in v.iter_mut().enumerate().step_by(64) {
        *b = i as u8;
    }
    std::hint::black_box(&v);
}

/// The best of three timings of `f` (the least disturbed one), each from
/// cold caches.
fn time(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..3 {
        evict();
        let t = Instant::now();

        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn check(what: &str, small: (Duration, usize), large: (Duration, usize)) {
    let ratio = large.0.as_secs_f64() / small.0.as_secs_f64().max(1e-9);
    eprintln!(
        "{what}: small {:?} ({} events), large {:?} ({} events), 4× the input took {ratio:.2}× the time (linear ≈ 4, quadratic ≈ 16)",
        small.0, small.1, large.0, large.1
    );
    assert!(
        ratio < 8.0,
        "{what}: time grew {ratio:.1}× for 4× the input"
    );
}

fn one_line(bytes: usize) -> Vec<u8> {
    let mut s = "[2026/06/26 14:16:00.000 GMT+08:00] [INFO] [Maven构建:m] : "
        .as_bytes()
        .to_vec();
    s.resize(bytes, b'x');
    s.extend_from_slice(b"\nnext\n");
    s
}

#[test]
#[ignore = "timing: run in release with --ignored"]
fn a_100_mb_line() {
    let opts = Options::default().with_max_line_len(usize::MAX);
    let run = |input: &[u8]| parse_as(Source::CodeartsLog, input, &opts).unwrap().count();
    // Both sizes well past any cache, so the ratio shows the algorithm.
    let (small, large) = (one_line(200 << 20), one_line(800 << 20));
    check(
        "200 MB vs 800 MB line, parsed whole",
        time(|| run(&small)),
        time(|| run(&large)),
    );
    // The follower, fed in 64 KiB chunks, with the default 1 MiB line cap:
    // the last quarter of one long line must cost what the first did
    // (work that grew with the held-back line would make it ~7× dearer).
    // Two separate runs are not compared here: on this VM a freshly
    // written buffer reads several times faster on its first pass.
    evict();
    let mut f = Follower::new(Options::default());
    let mut n = 0;
    let quarter = large.len() / 4;
    let mut quarters = Vec::new();
    for part in large.chunks(quarter) {
        let t = Instant::now();
        for chunk in part.chunks(64 << 10) {
            f.feed_text(chunk, |_| n += 1).unwrap();
        }
        quarters.push(t.elapsed());
    }
    f.finish(|_| n += 1).unwrap();
    let ratio = quarters[3].as_secs_f64() / quarters[0].as_secs_f64().max(1e-9);
    eprintln!(
        "800 MB line, followed in 64 KiB chunks: quarters {quarters:?}, last ÷ first {ratio:.2} (linear ≈ 1, quadratic ≈ 7)"
    );
    assert_eq!(n, 2);
    assert!(
        ratio < 3.0,
        "the follower slowed down {ratio:.1}× along one long line"
    );
}

fn swr_batch(entries: usize) -> String {
    let one = r#"{\"Type\":\"content\",\"Message\":\"x \\u003e y\",\"Time\":\"2018-12-06T06:45:16.559896079Z\",\"State\":\"Building\",\"Progress\":10}"#;
    let mut inner = String::with_capacity(entries * (one.len() + 1) + 2);
    inner.push('[');
    for i in 0..entries {
        if i > 0 {
            inner.push(',');
        }
        inner.push_str(one);
    }
    inner.push(']');
    format!(r#"{{"id":1,"state":"Building","log":[{{"content":"{inner}"}}]}}"#)
}

#[test]
#[ignore = "timing: run in release with --ignored"]
fn a_million_entry_array() {
    let opts = Options::default().with_max_entries(usize::MAX);
    let run = |doc: &str| parse_as(Source::SwrJobLog, doc, &opts).unwrap().count();
    let (small, large) = (swr_batch(250_000), swr_batch(1_000_000));
    check(
        "10⁶ SWR entries in one batch",
        time(|| run(&small)),
        time(|| run(&large)),
    );
}

#[test]
#[ignore = "timing: run in release with --ignored"]
fn deep_nesting() {
    let nest = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let run = |doc: &str| {
        for src in Source::ALL.iter().filter(|s| s.is_json()) {
            assert!(parse_as(*src, doc, &Options::default()).is_err());
        }
        0
    };
    let (small, large) = (nest(2_500_000), nest(10_000_000));
    check(
        "nesting 10⁷ deep",
        time(|| run(&small)),
        time(|| run(&large)),
    );
}
