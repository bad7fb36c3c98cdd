//! The payload files of `corpus/`, shared by the tests that walk it
//! (`corpus.rs`, `otlp.rs`, `ecs.rs`, `summary.rs`).

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use cilog::Source;

/// `corpus/` of this repository.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A payload: not an expected output (`.expected.`, `.strict.`,
/// `.summary.`) and not a README.
pub fn is_payload(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    p.is_file()
        && !name.contains(".expected.")
        && !name.contains(".strict.")
        && !name.contains(".summary.")
        && !name.ends_with(".md")
}

/// The payloads of one folder, sorted.
pub fn payloads_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| is_payload(p))
        .collect();
    paths.sort();
    paths
}

/// Every single-payload case: (source, payload path), `err/` cases included.
pub fn cases() -> Vec<(Source, PathBuf)> {
    let mut out = Vec::new();
    for src in Source::ALL {
        let dir = corpus_dir().join(src.as_str());
        for p in payloads_in(&dir)
            .into_iter()
            .chain(payloads_in(&dir.join("err")))
        {
            out.push((*src, p));
        }
    }
    out
}

/// The multi-page folders of `corpus/codearts-realtime-log/`, sorted.
pub fn page_dirs() -> Vec<PathBuf> {
    let root = corpus_dir().join(Source::CodeartsRealtimeLog.as_str());
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap() != "err")
        .collect();
    dirs.sort();
    dirs
}

/// Every corpus input read in lenient mode as the source its folder names:
/// (path relative to the repository, its events up to any error). A
/// multi-page folder is one input, its pages stitched by a follower.
pub fn corpus_events() -> Vec<(String, Vec<cilog::LogEvent<'static>>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = |p: &Path| p.strip_prefix(root).unwrap().display().to_string();
    let opts = cilog::Options::default();
    let mut out = Vec::new();
    for (src, path) in cases() {
        let input = fs::read(&path).unwrap();
        let mut events = Vec::new();
        if let Ok(it) = cilog::parse_as(src, &input, &opts) {
            for e in it {
                match e {
                    Ok(e) => events.push(e.into_owned()),
                    Err(_) => break,
                }
            }
        }
        out.push((rel(&path), events));
    }
    for dir in page_dirs() {
        let mut f = cilog::codearts::Follower::new(opts.clone());
        let mut events = Vec::new();
        for p in payloads_in(&dir) {
            let page = fs::read(&p).unwrap();
            if f.feed_page(&page, |e| events.push(e.into_owned())).is_err() {
                break;
            }
        }
        let _ = f.finish(|e| events.push(e.into_owned()));
        out.push((rel(&dir), events));
    }
    out
}
