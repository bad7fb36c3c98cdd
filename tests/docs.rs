//! The README documents what the code has: every note code with its class
//! and meaning, every source name, every unified status. Its Rust examples
//! are whole programs (compiled and run by `cargo test --doc` through
//! `cilog::ReadmeDoctests`), so they work when copied.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use cilog::{Note, Source, Status};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The bodies of the README's ```rust blocks.
fn rust_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match current.as_mut() {
            None if line.trim_start().starts_with("```rust") => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    blocks
}

#[test]
fn readme_lists_every_note_with_its_class_and_meaning() {
    let readme = readme();
    for n in Note::ALL {
        let class = if n.is_recovery() {
            "recovery"
        } else {
            "informational"
        };
        let row = format!("| `{}` | {class} | {} |", n.code(), n.description());
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

#[test]
fn readme_status_table_has_every_status() {
    let readme = readme();
    for status in Status::ALL {
        let name = status.as_str();
        assert!(
            readme.contains(&format!("\n| `{name}` |")),
            "README status table lacks {name}"
        );
    }
}

#[test]
fn readme_rust_examples_are_whole_programs() {
    let readme = readme();
    let blocks = rust_blocks(&readme);
    assert!(!blocks.is_empty(), "README has no Rust example");
    for body in &blocks {
        assert!(
            body.contains("fn main()"),
            "README example without its own `fn main`:\n{body}"
        );
        for line in body.lines() {
            let t = line.trim_start();
            assert!(
                t != "#" && !t.starts_with("# "),
                "README example has a rustdoc hidden line `{line}`, which is not Rust when copied"
            );
        }
    }
}

#[test]
fn readme_stays_short() {
    let lines = readme().lines().count();
    assert!(
        lines <= 250,
        "README has {lines} lines; details belong in rustdoc or benches/README.md"
    );
}
