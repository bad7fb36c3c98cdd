//! Throughput per source, with a naive baseline measured in the same run.
//!
//! Inputs are generated deterministically at start (SplitMix64, fixed seeds).
//! `CILOG_BENCH_MB` sets the size per source (default 16).

// Bench code is test code: panicking on a broken generator is the right thing.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use cilog::{Options, Source, parse_as};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn size_bytes() -> usize {
    std::env::var("CILOG_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16usize)
        << 20
}

const MESSAGES: &[&str] = &[
    "Clone code start.",
    " * branch master -> FETCH_HEAD",
    "Step 3/12 : RUN mvn -q package && cp target/app.jar /app/",
    "https://user:******@github.com/org/rest-service.git /projects/github/org/1574/2502/rest-service",
    "[INFO] Building jar: /workspace/target/server-1.0.jar",
    "npm WARN deprecated request@2.88.2: request has been deprecated, see https://github.com/request/request/issues/3142",
    "编译成功，耗时 12.3 秒",
    "if [ \"$A\" < 10 ] && [ -f x ]; then echo ok; fi",
];

/// An SWR job log of about `target` bytes: batches of Go-marshalled entries.
fn swr_payload(target: usize) -> (String, usize) {
    let mut rng = Rng(0x53752);
    let mut batches = Vec::new();
    let mut size = 0;
    let mut entries = 0;
    while size < target {
        let n = 20 + rng.below(300) as usize;
        let mut inner = Vec::with_capacity(n);
        for _ in 0..n {
            let m = MESSAGES[rng.below(MESSAGES.len() as u64) as usize];
            let msg = serde_json::to_string(m)
                .unwrap()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026");
            let digits = rng.below(10) as usize;
            let frac = if digits == 0 {
                String::new()
            } else {
                format!(".{}", &"559896079"[..digits])
            };
            inner.push(format!(
                r#"{{"Type":"content","Message":{msg},"Time":"2018-12-06T06:45:{:02}{frac}Z","State":"Building","Progress":{}}}"#,
                rng.below(60),
                rng.below(101)
            ));
        }
        entries += n;
        let content = format!("[{}]", inner.join(","));
        let batch = format!(
            r#"{{"content":{},"created_at":"2018-12-06T06:45:16.559926Z"}}"#,
            serde_json::to_string(&content).unwrap()
        );
        size += batch.len();
        batches.push(batch);
    }
    let doc = format!(
        r#"{{"id":1408,"service":"code_source","duration":"9","state":"success","progress":"100","pkg":null,"created_at":"2018-12-06T06:45:16.554903Z","log_num":{},"log":[{}]}}"#,
        batches.len(),
        batches.join(",")
    );
    (doc, entries)
}

/// Baseline: what a user writes with `serde_json::Value`, inner content too.
fn swr_value_baseline(doc: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(doc).unwrap();
    let mut n = 0;
    for b in v["log"].as_array().unwrap() {
        let inner: serde_json::Value =
            serde_json::from_str(b["content"].as_str().unwrap()).unwrap();
        for e in inner.as_array().unwrap() {
            n += e["Message"].as_str().map_or(0, str::len)
                + e["Progress"].as_u64().unwrap_or(0) as usize;
        }
    }
    n
}

fn swr(c: &mut Criterion) {
    let (doc, entries) = swr_payload(size_bytes());
    let mut g = c.benchmark_group("swr-job-log");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.sample_size(10);
    eprintln!("swr-job-log: {} bytes, {} entries", doc.len(), entries);
    let opts = Options::default();
    g.bench_function("cilog", |b| {
        b.iter(|| {
            let n = parse_as(Source::SwrJobLog, black_box(doc.as_str()), &opts)
                .unwrap()
                .count();
            assert_eq!(n, entries + 1);
        })
    });
    g.bench_function("baseline-serde_json-Value", |b| {
        b.iter(|| swr_value_baseline(black_box(&doc)))
    });
    g.finish();
}

criterion_group!(benches, swr);
criterion_main!(benches);
