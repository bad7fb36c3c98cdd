//! The JSONTestSuite parsing cases (318 files, `tests/data/json-test-suite/`,
//! MIT, copied unchanged from nst/JSONTestSuite) fed to every front door in
//! both modes: each must end in events or a clear error, never a panic, an
//! abort or a stack overflow (`n_structure_100000_opening_arrays.json`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fs;
use std::path::Path;

use cilog::codearts::Follower;
use cilog::{Error, Options, Source, detect, parse, parse_as};

fn check_error(name: &str, input: &[u8], e: &Error) {
    if let Some(p) = e.position() {
        assert!(
            p.byte <= input.len(),
            "{name}: position {} past the input ({})",
            p.byte,
            input.len()
        );
        assert!(p.line >= 1 && p.column >= 1, "{name}: {p:?}");
    }
    let text = e.to_string();
    assert!(!text.is_empty());
    assert!(
        !text.contains('\n') && !text.contains('\u{1b}'),
        "{name}: unescaped control characters in {text:?}"
    );
    assert!(
        e.excerpt().is_none_or(|x| x.chars().count() <= 24 * 10),
        "{name}: excerpt too long"
    );
}

fn run(name: &str, input: &[u8], result: Result<cilog::Events<'_>, Error>) -> usize {
    let mut n = 0;
    match result {
        Err(e) => check_error(name, input, &e),
        Ok(events) => {
            for ev in events {
                match ev {
                    Ok(ev) => {
                        let line = ev.to_ndjson();
                        serde_json::from_str::<serde_json::Value>(&line)
                            .unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
                        n += 1;
                    }
                    Err(e) => check_error(name, input, &e),
                }
            }
        }
    }
    n
}

#[test]
fn json_test_suite_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/json-test-suite/test_parsing");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 318);
    let mut outcomes = [0usize; 2];
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let input = fs::read(path).unwrap();
        let _ = detect(&input);
        for opts in [Options::default(), Options::strict()] {
            run(&name, &input, parse(&input, &opts));
            for src in Source::ALL.iter().filter(|s| s.is_json()) {
                let r = parse_as(*src, &input, &opts);
                outcomes[usize::from(r.is_ok())] += 1;
                run(&name, &input, r);
            }
            let mut f = Follower::new(opts.clone());
            if let Err(e) = f.feed_page(&input, |e| drop(e.to_ndjson())) {
                check_error(&name, &input, &e);
            }
            let _ = f.finish(|_| {});
        }
    }
    // Most of these are not vendor payloads at all: they must mostly fail,
    // with clear errors, and some (`[]`, `{}`-like shapes) may parse.
    assert!(outcomes[0] > outcomes[1], "{outcomes:?}");
}
