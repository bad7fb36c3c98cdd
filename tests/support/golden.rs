//! What the golden tests share: the bless switch (`CILOG_BLESS=1`
//! rewrites the expected files instead of comparing) and the comparison.
//! Which files are payloads: `corpus_files.rs`.

use std::fs;
use std::path::Path;

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
