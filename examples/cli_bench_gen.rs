//! Inputs of the whole-process benchmark `benches/cli.sh` (issue 16).
//!
//! ```sh
//! cargo build --release --example cli_bench_gen
//! target/release/examples/cli_bench_gen target/cli-bench/inputs
//! target/release/examples/cli_bench_gen DIR FILES MANY_MB LARGE_MB PAYLOAD_MB
//! ```
//!
//! Writes, with the generators of the benches (`benches/support/workload.rs`)
//! and fixed seeds, so the same arguments give the same bytes on every run:
//!
//! - `many/000.log` … : `FILES` CodeArts build logs (default 100) totalling
//!   about `MANY_MB` MB (default 90, 1 MB = 10⁶ bytes). Sizes are
//!   log-uniform over a 30:1 range (0.10–2.99 MB at the defaults, most
//!   files small, a few large, as a CI system's logs are); each file is the
//!   start of its own seeded log, cut at the first line end at or after its
//!   size (a log of a build still running, or truncated by the service).
//! - `large.log`: one CodeArts text log of about `LARGE_MB` MB (default 64).
//! - `swr.json`: one SWR job-log document of about `PAYLOAD_MB` MB (default
//!   48), `bk.json`: one BlueKing JOB v2 response of about as many.
//!
//! Prints one line per input (`name bytes lines`) for the script.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

#[path = "../benches/support/workload.rs"]
mod workload;

use std::path::Path;

use workload::{Rng, SEED_BK, SEED_SWR, SEED_TEXT, TextOpts};

/// Seed of the file sizes; each file's text has its own seed after it.
const SEED_SIZES: u64 = 0xC11_BE4C;
/// Seed of `large.log` (not one of the many files' seeds).
const SEED_LARGE: u64 = SEED_TEXT ^ 0x1A_4CE0;
/// 30^(1/1000): a thousand steps span the 30:1 size range.
const STEP: f64 = 1.003_406_988;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: cli_bench_gen DIR [FILES [MANY_MB [LARGE_MB [PAYLOAD_MB]]]]");
        std::process::exit(2);
    };
    let num = |i: usize, default: usize| args.get(i).map_or(default, |s| s.parse().unwrap());
    let (files, many_mb, large_mb, payload_mb) = (num(2, 100), num(3, 90), num(4, 64), num(5, 48));
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir.join("many")).unwrap();

    for (i, size) in sizes(files, many_mb * 1_000_000).into_iter().enumerate() {
        let seed = SEED_TEXT.wrapping_add((i as u64 + 1).wrapping_mul(0x9E37_79B9));
        let text = cut(
            workload::codearts_text(size, seed, TextOpts { ansi: true }),
            size,
        );
        write(dir, &format!("many/{i:03}.log"), &text);
    }

    let text = cut(
        workload::codearts_text(large_mb * 1_000_000, SEED_LARGE, TextOpts { ansi: true }),
        large_mb * 1_000_000,
    );
    write(dir, "large.log", &text);
    drop(text);

    // One SWR document and one BlueKing response of about the target size:
    // sized from a sample, then twice more from the previous try (as
    // `examples/peak_rss.rs` does).
    let target = payload_mb * 1_000_000;
    let mut doc = String::new();
    let mut batches = 20;
    for _ in 0..3 {
        doc.clear();
        workload::swr_doc(&mut Rng(SEED_SWR), &mut doc, batches, 100, 500);
        batches = (batches * target).div_ceil(doc.len());
    }
    write(dir, "swr.json", &doc);
    let mut steps = 8;
    for _ in 0..3 {
        doc.clear();
        workload::bk_doc(&mut Rng(SEED_BK), &mut doc, steps);
        steps = (steps * target).div_ceil(doc.len());
    }
    write(dir, "bk.json", &doc);
}

/// `n` sizes, log-uniform over a 30:1 range, scaled to sum to about `total`.
/// Only additions and multiplications of floats (no `powf`), so the sizes
/// are the same on every platform.
fn sizes(n: usize, total: usize) -> Vec<usize> {
    let mut rng = Rng(SEED_SIZES);
    let weights: Vec<f64> = (0..n)
        .map(|_| (0..rng.below(1001)).fold(1.0, |w, _| w * STEP))
        .collect();
    let sum: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| ((w / sum) * total as f64) as usize)
        .collect()
}

/// `text` cut after the first line end at or after `size`.
fn cut(mut text: String, size: usize) -> String {
    if let Some(nl) = text.as_bytes().iter().skip(size).position(|&b| b == b'\n') {
        text.truncate(size + nl + 1);
    }
    text
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
    let lines = text.bytes().filter(|&b| b == b'\n').count();
    println!("{name} {} {lines}", text.len());
}
