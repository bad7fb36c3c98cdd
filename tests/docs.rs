//! The README documents what the code has: every note code with its class,
//! every source name.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use cilog::{Note, Source};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_lists_every_note_with_its_class() {
    let readme = readme();
    for n in Note::ALL {
        let class = if n.is_recovery() {
            "recovery"
        } else {
            "informational"
        };
        let row = format!("| `{}` | {class} |", n.code());
        assert!(readme.contains(&row), "README notes table lacks {row}");
    }
    let rows = readme
        .lines()
        .filter(|l| l.contains("| recovery |") || l.contains("| informational |"))
        .count();
    assert_eq!(
        rows,
        Note::ALL.len(),
        "README notes table has rows for codes that do not exist"
    );
}

#[test]
fn readme_lists_every_source() {
    let readme = readme();
    for s in Source::ALL {
        assert!(
            readme.contains(&format!("| `{}` |", s.as_str())),
            "README sources table lacks {s}"
        );
    }
}
