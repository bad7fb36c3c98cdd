//! Issue 13's done-when: `cilog` over every corpus payload in auto mode
//! gives what it gives with the payload's explicit `--source` (its
//! directory), in lenient and strict mode: same stdout, same exit status.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output};

fn cilog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cilog"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn auto_mode_equals_the_explicit_source_on_every_payload() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut checked = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let source = dir.file_name().unwrap().to_str().unwrap().to_owned();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_str().unwrap().to_owned();
            let payload = file.is_file()
                && (name.ends_with(".json") || name.ends_with(".log"))
                && !name.contains(".expected.")
                && !name.contains(".strict.")
                && !name.contains(".summary.");
            if !payload {
                continue;
            }
            let rel = format!("corpus/{source}/{name}");
            for strict in [false, true] {
                let mut auto = vec![rel.as_str()];
                let mut explicit = vec!["--source", source.as_str(), rel.as_str()];
                if strict {
                    auto.insert(0, "--strict");
                    explicit.insert(0, "--strict");
                }
                let (a, e) = (cilog(&auto), cilog(&explicit));
                assert_eq!(
                    String::from_utf8_lossy(&a.stdout),
                    String::from_utf8_lossy(&e.stdout),
                    "{rel} strict={strict}"
                );
                assert_eq!(a.status.code(), e.status.code(), "{rel} strict={strict}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} runs");
}
