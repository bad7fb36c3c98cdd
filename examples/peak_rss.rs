//! Peak resident memory of parsing a ~100 MB input (issue 6).
//!
//! ```sh
//! cargo build --release --example peak_rss
//! target/release/examples/peak_rss gen target/peak-rss 100   # write the inputs once
//! target/release/examples/peak_rss all target/peak-rss       # measure every mode
//! ```
//!
//! `gen` writes `codearts.log`, `swr.json` (one job-log document of many
//! batches) and `bk.json` (one v2 response of many steps), each about the
//! given number of MB, with the generators of the benches. The inputs are
//! generated in a separate run so that generating them cannot inflate a peak.
//!
//! `<mode> <file>` reads the file and parses it, consuming the events one at
//! a time (the `*-collect` modes keep them all in a `Vec`, the `*-value`
//! modes build `serde_json::Value` trees, for comparison), then prints its
//! own peak RSS (`VmHWM`). `all` runs every mode as a child process under
//! `/usr/bin/time -v` and prints a table of peak RSS ÷ input size and
//! (peak − the `load` mode's peak) ÷ input size.

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

use std::hint::black_box;
use std::io::Read;
use std::path::Path;
use std::process::Command;

use cilog::codearts::Follower;
use cilog::{LogEvent, Options, Source, parse_as};
use workload::{Rng, SEED_BK, SEED_SWR, SEED_TEXT, TextOpts};

/// (mode, input file, what it does).
const MODES: &[(&str, &str, &str)] = &[
    ("noop", "codearts.log", "start and exit (the process floor)"),
    (
        "load",
        "codearts.log",
        "read the text into memory, nothing else",
    ),
    (
        "text-parse",
        "codearts.log",
        "parse_as(codearts-log), events one by one",
    ),
    (
        "text-follow-mem",
        "codearts.log",
        "read whole, Follower::feed_text of 64 KiB slices",
    ),
    (
        "text-follow-file",
        "codearts.log",
        "Follower::feed_text of 64 KiB reads from the file (the CLI)",
    ),
    (
        "text-collect",
        "codearts.log",
        "parse_as(codearts-log), all events kept in a Vec",
    ),
    (
        "load",
        "swr.json",
        "read the document into memory, nothing else",
    ),
    (
        "swr",
        "swr.json",
        "parse_as(swr-job-log), events one by one",
    ),
    (
        "swr-collect",
        "swr.json",
        "parse_as(swr-job-log), all events kept in a Vec",
    ),
    (
        "swr-value",
        "swr.json",
        "serde_json::Value, outer and every inner content, kept",
    ),
    (
        "load",
        "bk.json",
        "read the document into memory, nothing else",
    ),
    ("bk", "bk.json", "parse_as(bkjob-log), events one by one"),
    (
        "bk-collect",
        "bk.json",
        "parse_as(bkjob-log), all events kept in a Vec",
    ),
    (
        "bk-value",
        "bk.json",
        "serde_json::Value of the document, kept",
    ),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(path)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: peak_rss gen <dir> [MB] | peak_rss all <dir> | peak_rss <mode> <file>");
        std::process::exit(2);
    };
    match mode.as_str() {
        "gen" => {
            let mb = args.get(3).map_or(100, |s| s.parse().unwrap());
            generate(Path::new(path), mb << 20);
        }
        "all" => all(Path::new(path)),
        m => {
            let t = run(m, Path::new(path));
            println!("{m}: {} items; VmHWM {} KiB", t, vm_hwm_kib());
        }
    }
}

fn generate(dir: &Path, target: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let text = workload::codearts_text(target, SEED_TEXT, TextOpts { ansi: true });
    std::fs::write(dir.join("codearts.log"), &text).unwrap();
    drop(text);

    // One SWR document and one BlueKing response of about `target` bytes:
    // sized from a sample, then once more from the first try.
    let mut doc = String::new();
    let mut batches = 20;
    for _ in 0..3 {
        doc.clear();
        workload::swr_doc(&mut Rng(SEED_SWR), &mut doc, batches, 100, 500);
        batches = (batches * target).div_ceil(doc.len());
    }
    std::fs::write(dir.join("swr.json"), &doc).unwrap();
    let mut steps = 8;
    for _ in 0..3 {
        doc.clear();
        workload::bk_doc(&mut Rng(SEED_BK), &mut doc, steps);
        steps = (steps * target).div_ceil(doc.len());
    }
    std::fs::write(dir.join("bk.json"), &doc).unwrap();
    for f in ["codearts.log", "swr.json", "bk.json"] {
        let len = std::fs::metadata(dir.join(f)).unwrap().len();
        println!("{}: {:.1} MB", dir.join(f).display(), len as f64 / 1e6);
    }
}

fn consume(n: &mut u64, e: &LogEvent<'_>) {
    *n += 1;
    black_box(e.message.len());
}

fn events(source: Source, input: &[u8]) -> u64 {
    let mut n = 0;
    for e in parse_as(source, input, &Options::default()).unwrap() {
        consume(&mut n, &e.unwrap());
    }
    n
}

fn collect(source: Source, input: &[u8]) -> u64 {
    let all: Vec<LogEvent<'_>> = parse_as(source, input, &Options::default())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let n = all.len() as u64;
    // Still alive here, at the peak.
    black_box(&all);
    n
}

/// Runs one mode; returns the number of events (or bytes, for `load`).
fn run(mode: &str, path: &Path) -> u64 {
    match mode {
        "noop" => 0,
        "text-follow-file" => {
            let mut file = std::fs::File::open(path).unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut f = Follower::new(Options::default());
            let mut n = 0;
            loop {
                let got = file.read(&mut buf).unwrap();
                if got == 0 {
                    break;
                }
                f.feed_text(&buf[..got], |e| consume(&mut n, &e)).unwrap();
            }
            f.finish(|e| consume(&mut n, &e)).unwrap();
            n
        }
        _ => {
            let input = std::fs::read(path).unwrap();
            match mode {
                "load" => input.iter().map(|&b| u64::from(b)).sum(),
                "text-parse" => events(Source::CodeartsLog, &input),
                "text-collect" => collect(Source::CodeartsLog, &input),
                "text-follow-mem" => {
                    let mut f = Follower::new(Options::default());
                    let mut n = 0;
                    for chunk in input.chunks(64 * 1024) {
                        f.feed_text(chunk, |e| consume(&mut n, &e)).unwrap();
                    }
                    f.finish(|e| consume(&mut n, &e)).unwrap();
                    n
                }
                "swr" => events(Source::SwrJobLog, &input),
                "swr-collect" => collect(Source::SwrJobLog, &input),
                "bk" => events(Source::BkjobLog, &input),
                "bk-collect" => collect(Source::BkjobLog, &input),
                "swr-value" => {
                    let v: serde_json::Value = serde_json::from_slice(&input).unwrap();
                    let inner: Vec<serde_json::Value> = v["log"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|b| serde_json::from_str(b["content"].as_str().unwrap()).unwrap())
                        .collect();
                    let n = inner
                        .iter()
                        .map(|i| i.as_array().unwrap().len() as u64)
                        .sum();
                    black_box((&v, &inner));
                    n
                }
                "bk-value" => {
                    let v: serde_json::Value = serde_json::from_slice(&input).unwrap();
                    let n = v["data"].as_array().unwrap().len() as u64;
                    black_box(&v);
                    n
                }
                m => panic!("unknown mode {m}"),
            }
        }
    }
}

/// This process's peak resident set size, from `/proc/self/status`.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Runs every mode under `/usr/bin/time -v` and prints the table.
fn all(dir: &Path) {
    let me = std::env::current_exe().unwrap();
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        eprintln!("/usr/bin/time is missing (apt-get install time); peaks are VmHWM only");
    }
    println!(
        "| input | mode | what | max RSS (KiB) | ÷ input | (RSS − load) ÷ input | RSS − noop (KiB) | VmHWM (KiB) |"
    );
    println!("|---|---|---|---:|---:|---:|---:|---:|");
    let (mut load_kib, mut noop_kib) = (0, 0);
    for &(mode, file, what) in MODES {
        let path = dir.join(file);
        let input = std::fs::metadata(&path).unwrap().len();
        let out = if time.exists() {
            Command::new(time)
                .arg("-v")
                .arg(&me)
                .arg(mode)
                .arg(&path)
                .output()
        } else {
            Command::new(&me).arg(mode).arg(&path).output()
        }
        .unwrap();
        assert!(out.status.success(), "{mode} {file} failed: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let hwm: u64 = stdout
            .rsplit("VmHWM ")
            .next()
            .and_then(|s| s.trim().trim_end_matches("KiB").trim().parse().ok())
            .unwrap_or(0);
        let max_rss: u64 = stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(hwm);
        match mode {
            "load" => load_kib = max_rss,
            "noop" => noop_kib = max_rss,
            _ => {}
        }
        let input_kib = input as f64 / 1024.0;
        let over = if mode == "noop" || mode == "load" || load_kib == 0 {
            String::from("—")
        } else {
            format!("{:.3}", (max_rss as f64 - load_kib as f64) / input_kib)
        };
        println!(
            "| {file} ({:.1} MB) | {mode} | {what} | {max_rss} | {:.3} | {over} | {} | {hwm} |",
            input as f64 / 1e6,
            max_rss as f64 / input_kib,
            max_rss as i64 - noop_kib as i64,
        );
    }
}
