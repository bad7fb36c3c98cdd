//! What the golden tests share: where the corpus is, which files are
//! payloads, and the bless switch (`CILOG_BLESS=1` rewrites the expected
//! files instead of comparing).

use std::fs;
use std::path::{Path, PathBuf};

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// A payload: not an expected output (`.expected.`, `.strict.`,
/// `.summary.`) and not a note.
pub fn is_payload(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    p.is_file()
        && !name.contains(".expected.")
        && !name.contains(".strict.")
        && !name.contains(".summary.")
        && !name.ends_with(".md")
}

pub fn bless() -> bool {
    std::env::var_os("CILOG_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with the file at `path` (or writes it, blessing); a
/// difference is added to `failures`. `test` names the test to bless with.
pub fn check(path: &Path, actual: &str, test: &str, failures: &mut Vec<String>) {
    if bless() {
        fs::write(path, actual).unwrap();
        return;
    }
    match fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{}: output differs\n--- expected\n{}\n--- actual\n{}",
            path.display(),
            expected,
            actual
        )),
        Err(_) => failures.push(format!(
            "{}: missing (run CILOG_BLESS=1 cargo test --test {test})\n--- actual\n{actual}",
            path.display()
        )),
    }
}
