//! The module layers of `src/`, checked: every `crate::…` path a product
//! file names must point to its own layer or one below, a vendor never names
//! another vendor, and the modules form no cycle.
//!
//! ```text
//! 5 root      lib.rs (front doors, re-exports)
//! 4 output    ndjson, steps, output::{otlp, ecs, pretty} (render or digest events; know no vendor)
//! 3 dispatch  events (Source -> vendor reader; anchoring, redaction), detect
//! 2 vendors   sources::{swr, codearts, bkjob}: never each other
//! 1 tools     scan, json, text, redact
//! 0 model     event, status, severity, note, time, error, options, source
//! ```
//!
//! Test code (`#[cfg(test)]` modules, inline or in their own files) is not
//! product code and may reach anywhere. A new module must be given a layer
//! here, or this test fails.

// Test code: a broken tree should fail loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layer of each unit, and whether units of that layer may name each
/// other (vendors may not).
const UNITS: &[(&str, u8)] = &[
    ("model::event", 0),
    ("model::status", 0),
    ("model::severity", 0),
    ("model::note", 0),
    ("model::time", 0),
    ("model::error", 0),
    ("model::options", 0),
    ("model::source", 0),
    ("tools::scan", 1),
    ("tools::json", 1),
    ("tools::text", 1),
    ("tools::redact", 1),
    ("tools::runner", 1),
    ("vendor::sources", 2),
    ("vendor::swr", 2),
    ("vendor::codearts", 2),
    ("vendor::bkjob", 2),
    ("dispatch::events", 3),
    ("dispatch::detect", 3),
    ("output::ndjson", 4),
    ("output::steps", 4),
    ("output::summary", 4),
    ("output::output", 4),
    ("root::crate", 5),
];

/// Functions of the crate root, reached as `crate::name`.
const ROOT_ITEMS: &[&str] = &["parse", "parse_as", "parse_owned", "parse_owned_as"];

/// The unit a module path (`["sources", "bkjob", "lines"]`) belongs to.
fn unit_of(path: &[String]) -> Option<&'static str> {
    let first = path.first().map(String::as_str);
    let second = path.get(1).map(String::as_str);
    let name = match (first, second) {
        (None, _) => "crate",
        // An item of the crate root (`crate::Options`, `crate::parse_as`).
        (Some(top), _) if top.starts_with(char::is_uppercase) || ROOT_ITEMS.contains(&top) => {
            "crate"
        }
        (Some("sources"), Some(vendor)) => vendor,
        (Some(top), _) => top,
    };
    UNITS
        .iter()
        .map(|(u, _)| *u)
        .find(|u| u.split("::").nth(1) == Some(name))
}

fn layer(unit: &str) -> u8 {
    UNITS
        .iter()
        .find(|(u, _)| *u == unit)
        .map_or(u8::MAX, |(_, l)| *l)
}

/// The module path of a file under `src/`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "bin") {
                continue;
            }
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of a file without comments, string literals and inline
/// `#[cfg(test)]` items (a `mod … { … }` block or a single item).
fn product_code(text: &str) -> String {
    let stripped = strip_comments_and_strings(text);
    let mut out = String::new();
    let mut rest = stripped.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        rest = skip_item(after);
    }
    out.push_str(rest);
    out
}

/// Skips one item: up to the end of its first balanced `{ … }` block, or to
/// its `;` if that comes first.
fn skip_item(s: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            ';' if depth == 0 => return &s[i + 1..],
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &s[i + 1..];
                }
            }
            _ => {}
        }
    }
    ""
}

fn strip_comments_and_strings(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'r' && (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#')) {
            // A raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push('r');
                i += 1;
                continue;
            }
            j += 1;
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            while j < b.len() && !b[j..].starts_with(&close) {
                j += 1;
            }
            i = j + close.len();
            out.push_str("\"\"");
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A char literal such as '{' (not a lifetime).
            i += 3;
            out.push_str("' '");
        } else if b[i] == b'\'' && b.get(i + 1) == Some(&b'\\') {
            let end = b[i + 2..].iter().position(|&c| c == b'\'').unwrap_or(0);
            i += end + 3;
            out.push_str("' '");
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The module paths a product text names: `crate::a::b` anywhere, and the
/// members of `use crate::{a, b::c}` groups (first two segments each).
fn crate_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = matching_brace(group);
            for member in split_top_level(&group[..end]) {
                out.push(segments(member.trim()));
            }
        } else {
            out.push(segments(rest));
        }
    }
    out
}

fn matching_brace(s: &str) -> usize {
    let mut depth = 1usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    s.len()
}

fn split_top_level(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|m| !m.trim().is_empty()).collect()
}

/// Up to two leading path segments.
fn segments(s: &str) -> Vec<String> {
    s.split("::")
        .take(2)
        .map_while(|seg| {
            let name: String = seg
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Files declared as `#[cfg(test)] mod name;` are test code.
fn test_only_files(src: &Path, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for file in files {
        let text = strip_comments_and_strings(&fs::read_to_string(file).unwrap());
        let dir = if file
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[cfg(test)]") {
            rest = &rest[at + "#[cfg(test)]".len()..];
            let decl = rest.trim_start();
            let decl = decl.strip_prefix("pub(crate) ").unwrap_or(decl);
            if let Some(name) = decl.strip_prefix("mod ") {
                let name: String = name
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name.chars().count() + 4 < decl.len() && decl[4 + name.len()..].starts_with(';')
                {
                    out.insert(dir.join(format!("{name}.rs")));
                    out.insert(dir.join(&name).join("mod.rs"));
                }
            }
        }
    }
    let _ = src;
    out
}

/// Every arrow `(from unit, to unit)` with where it was seen.
fn arrows(src: &Path) -> (BTreeMap<(String, String), String>, Vec<String>) {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let tests = test_only_files(src, &files);
    let mut arrows = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        if tests.contains(file) {
            continue;
        }
        let path = module_path(src, file);
        let Some(from) = unit_of(&path) else {
            problems.push(format!(
                "{}: module {:?} has no layer in tests/architecture.rs",
                file.display(),
                path.join("::")
            ));
            continue;
        };
        let code = product_code(&fs::read_to_string(file).unwrap());
        for target in crate_paths(&code) {
            if target.is_empty() {
                continue;
            }
            let Some(to) = unit_of(&target) else {
                problems.push(format!(
                    "{}: names crate::{} which has no layer",
                    file.display(),
                    target.join("::")
                ));
                continue;
            };
            if to != from {
                arrows
                    .entry((from.to_owned(), to.to_owned()))
                    .or_insert_with(|| {
                        format!("{} names crate::{}", file.display(), target.join("::"))
                    });
            }
        }
    }
    (arrows, problems)
}

/// The problems with a set of arrows: upward, vendor to vendor, cycles.
fn check(arrows: &BTreeMap<(String, String), String>) -> Vec<String> {
    let mut problems = Vec::new();
    for ((from, to), seen) in arrows {
        let (lf, lt) = (layer(from), layer(to));
        if lt > lf {
            problems.push(format!(
                "upward arrow {from} (layer {lf}) -> {to} (layer {lt}): {seen}"
            ));
        }
        if from.starts_with("vendor::")
            && to.starts_with("vendor::")
            && to != "vendor::sources"
            && from != "vendor::sources"
        {
            problems.push(format!("vendor to vendor {from} -> {to}: {seen}"));
        }
    }
    // Cycles: depth-first search over the unit graph.
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in arrows.keys() {
        graph.entry(from.as_str()).or_default().push(to.as_str());
    }
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut stack = Vec::new();
    fn visit<'g>(
        n: &'g str,
        graph: &BTreeMap<&'g str, Vec<&'g str>>,
        state: &mut BTreeMap<&'g str, u8>,
        stack: &mut Vec<&'g str>,
        problems: &mut Vec<String>,
    ) {
        match state.get(n) {
            Some(2) => return,
            Some(1) => {
                let at = stack.iter().position(|s| *s == n).unwrap_or(0);
                let mut cycle: Vec<&str> = stack[at..].to_vec();
                cycle.push(n);
                problems.push(format!("cycle: {}", cycle.join(" -> ")));
                return;
            }
            _ => {}
        }
        state.insert(n, 1);
        stack.push(n);
        for next in graph.get(n).into_iter().flatten() {
            visit(next, graph, state, stack, problems);
        }
        stack.pop();
        state.insert(n, 2);
    }
    for n in graph.keys() {
        visit(n, &graph, &mut state, &mut stack, &mut problems);
    }
    problems
}

#[test]
fn arrows_point_down_and_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (arrows, mut problems) = arrows(&src);
    assert!(
        arrows.len() > 20,
        "the scan found too few arrows to be working: {arrows:?}"
    );
    problems.extend(check(&arrows));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker itself: an upward arrow, a vendor naming a vendor and a cycle
/// are each caught.
#[test]
fn the_checker_catches_bad_arrows() {
    let mut arrows = BTreeMap::new();
    let mut add = |from: &str, to: &str| {
        arrows.insert((from.to_owned(), to.to_owned()), "test".to_owned());
    };
    add("model::event", "tools::json");
    add("vendor::swr", "vendor::bkjob");
    add("tools::json", "tools::scan");
    add("tools::scan", "tools::json");
    let problems = check(&arrows);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("upward arrow model::event"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("vendor to vendor vendor::swr"))
    );
    assert!(problems.iter().any(|p| p.starts_with("cycle: ")));
}

#[test]
fn paths_are_read_from_use_groups_and_inline_paths() {
    let code = product_code(
        "use crate::{event::LogEvent, json::{self, Raw}, Options};\n\
         fn f() { crate::scan::skip_ws(b, 0); let s = \"crate::ndjson\"; }\n\
         // crate::detect\n\
         #[cfg(test)]\nmod tests { use crate::events::Events; }\n",
    );
    let paths: Vec<String> = crate_paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        paths,
        ["event::LogEvent", "json", "Options", "scan::skip_ws"]
    );
    assert_eq!(unit_of(&segments("Options")), Some("root::crate"));
    assert_eq!(unit_of(&segments("parse_as(x)")), Some("root::crate"));
    assert_eq!(
        unit_of(&segments("sources::bkjob::codes")),
        Some("vendor::bkjob")
    );
}
