//! cilog as a downstream crate uses it: only the public `cilog::` API, plus
//! serde_json.
//!
//! ```sh
//! cargo run --example downstream -- corpus/bkjob-log/generation-3x.json corpus/codearts-log/realistic-task-log.log
//! ```
//!
//! For each file it reads the events owned, in a helper function (with
//! borrowed events such a function does not compile: E0515, "returns a
//! value referencing data owned by the current function"), then prints
//! each event as a human line (`Display`), its notes, and its JSON object
//! (`serde_json`: the same object as the NDJSON line). Last, it parses the
//! file strictly as a source it is not, and shows which source the error is
//! about (`Error::payload_source`); lenient mode would instead give one raw
//! event noted `shape_mismatch`.
//!
//! `tests/downstream.rs` runs [`run`] over corpus files, so this cannot rot.

// The crate's own lints deny printing outside the CLI; a program may print.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::io::{self, Write};
use std::path::Path;

use cilog::{LogEvent, Options, Source};

/// The events of the file at `path`, detecting its source. Owned, so they
/// outlive the bytes read here.
pub fn read_events(path: &Path) -> Result<Vec<LogEvent<'static>>, Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    Ok(cilog::parse_owned(&bytes, &Options::default())?)
}

/// The events of the file at `path`, read as `source` in strict mode.
pub fn read_events_as(
    path: &Path,
    source: Source,
) -> Result<Vec<LogEvent<'static>>, Box<dyn Error>> {
    let bytes = std::fs::read(path)?;
    Ok(cilog::parse_owned_as(source, &bytes, &Options::strict())?)
}

/// A source `source` is not, of another vendor and shape, so that reading
/// a payload of `source` as it fails (strictly; leniently it is one
/// `shape_mismatch` event).
pub fn wrong_source(source: Source) -> Source {
    match source {
        Source::BkjobLog | Source::BkjobIpLog | Source::BkjobStatus => Source::SwrJobHistory,
        _ => Source::BkjobStatus,
    }
}

/// Writes, for each file: a heading, then per event its human line, its
/// notes and its JSON line; then the error of reading the file as a wrong
/// source.
///
/// # Errors
/// A file that cannot be read or parsed, a failed write, or a wrong-source
/// read that did not fail.
pub fn run(paths: &[&Path], out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    for path in paths {
        let events = read_events(path)?;
        let Some(first) = events.first() else {
            writeln!(out, "== {}: no events", path.display())?;
            continue;
        };
        let source = first.source;
        writeln!(
            out,
            "== {}: {} events of {source}",
            path.display(),
            events.len()
        )?;
        for event in &events {
            writeln!(out, "{event}")?;
            let mut notes = Vec::new();
            for note in &event.notes {
                notes.push(note.code());
            }
            if !notes.is_empty() {
                writeln!(out, "  notes: {}", notes.join(", "))?;
            }
            writeln!(out, "  json: {}", serde_json::to_string(event)?)?;
        }

        let wrong = wrong_source(source);
        match read_events_as(path, wrong) {
            Ok(events) => {
                return Err(format!(
                    "{} read as {wrong} gave {} events, not an error",
                    path.display(),
                    events.len()
                )
                .into());
            }
            Err(err) => {
                // A `Box<dyn Error>` from the helper; cilog's own error inside.
                let Some(err) = err.downcast_ref::<cilog::Error>() else {
                    return Err(err);
                };
                let about = err.payload_source().map_or("?", Source::as_str);
                writeln!(out, "as {wrong}: error while reading {about}: {err}")?;
            }
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        return Err("usage: downstream FILE...".into());
    }
    let paths: Vec<&Path> = args.iter().map(Path::new).collect();
    let stdout = io::stdout();
    run(&paths, &mut stdout.lock())
}
