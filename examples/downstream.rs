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
//! With `--follow N DIR`, it follows the pages of a CodeArts real-time log
//! (the files of `DIR` in name order, as a poller would fetch them) with
//! `cilog::codearts::Follower`, taking at most N events per session: the
//! callback stops the feed with `?` when the budget is spent, the cursor
//! is saved as JSON, and the next session resumes from it.
//!
//! `tests/downstream.rs` runs [`run`] over corpus files, so this cannot rot.

// The crate's own lints deny printing outside the CLI; a program may print.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use cilog::codearts::Follower;
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

/// Why a follow session ended before the pages did.
#[derive(Debug)]
pub enum Stop {
    /// The session's event budget is spent.
    Budget,
    /// A page that could not be read.
    Read(io::Error),
    /// The follower's own error.
    Log(cilog::Error),
}

impl From<cilog::Error> for Stop {
    fn from(e: cilog::Error) -> Stop {
        Stop::Log(e)
    }
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::Budget => f.write_str("the event budget is spent"),
            Stop::Read(e) => write!(f, "reading a page: {e}"),
            Stop::Log(e) => write!(f, "following the log: {e}"),
        }
    }
}

impl Error for Stop {}

/// Takes one event if the session's budget allows.
fn take(event: LogEvent<'_>, taken: &mut Vec<String>, budget: usize) -> Result<(), Stop> {
    if taken.len() == budget {
        return Err(Stop::Budget);
    }
    taken.push(event.to_string());
    Ok(())
}

/// The pages of one session: every page file in order (pages already seen
/// are recognised by their offsets and skipped by the follower), then the
/// end of the log.
fn session(
    f: &mut Follower,
    pages: &[&Path],
    taken: &mut Vec<String>,
    budget: usize,
) -> Result<(), Stop> {
    for path in pages {
        let page = std::fs::read(path).map_err(Stop::Read)?;
        f.feed_page(&page, |e| take(e, taken, budget))?;
    }
    f.finish(|e| take(e, taken, budget))
}

/// One follow session: resumes from `cursor` (JSON a session before saved;
/// `None` at the start), takes at most `budget` events, and returns their
/// human lines and the cursor to save (`None` once the log is done).
///
/// # Errors
/// A page that cannot be read, the follower's own error, or a cursor that
/// is not one.
pub fn follow(
    pages: &[&Path],
    cursor: Option<&str>,
    budget: usize,
) -> Result<(Vec<String>, Option<String>), Box<dyn Error>> {
    let mut f = match cursor {
        Some(json) => Follower::resume(serde_json::from_str(json)?, Options::default()),
        None => Follower::new(Options::default()),
    };
    let mut taken = Vec::new();
    match session(&mut f, pages, &mut taken, budget) {
        Ok(()) => Ok((taken, None)),
        Err(Stop::Budget) => Ok((taken, Some(serde_json::to_string(f.cursor())?))),
        Err(e) => Err(e.into()),
    }
}

/// Follows `pages` session by session, `budget` events each, writing each
/// session's events under a heading.
///
/// # Errors
/// As [`follow`], or a failed write.
pub fn follow_all(
    pages: &[&Path],
    budget: usize,
    out: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    if budget == 0 {
        return Err("a session must be allowed at least one event".into());
    }
    let mut cursor: Option<String> = None;
    for n in 1.. {
        let (lines, next) = follow(pages, cursor.as_deref(), budget)?;
        writeln!(out, "== session {n}: {} events", lines.len())?;
        for line in lines {
            writeln!(out, "{line}")?;
        }
        match next {
            Some(c) if cursor.as_ref() == Some(&c) => {
                return Err(format!("session {n} ended where it began: {c}").into());
            }
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, budget, dir] = args.as_slice()
        && flag == "--follow"
    {
        let mut files: Vec<_> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        files.sort();
        let pages: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let stdout = io::stdout();
        return follow_all(&pages, budget.parse()?, &mut stdout.lock());
    }
    if args.is_empty() {
        return Err("usage: downstream FILE... | downstream --follow N DIR".into());
    }
    let paths: Vec<&Path> = args.iter().map(Path::new).collect();
    let stdout = io::stdout();
    run(&paths, &mut stdout.lock())
}
