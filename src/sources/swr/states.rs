//! SWR job and entry states as data: each value the API sends, its unified
//! [`Status`] and where it is seen (research/formats.md §1). The one table
//! both the fast path and the careful path read.
//!
//! Re-exported for callers as [`cilog::swr`](crate::swr).

use crate::status::Status;

/// One state value the SWR API sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct State {
    /// The value as the vendor writes it. Values are matched ignoring ASCII
    /// case and surrounding white space, so `waiting` finds `Waiting`.
    pub name: &'static str,
    /// The unified status it maps to.
    pub status: Status,
    /// Where the value is seen and what it means.
    pub meaning: &'static str,
}

const fn row(name: &'static str, status: Status, meaning: &'static str) -> State {
    State {
        name,
        status,
        meaning,
    }
}

/// Every job `state` (or its alias `status`) and inner entry `State` value
/// the SWR API is known to send. Job states per the docs: `Waiting`,
/// `Building`, `Successful` (sent as `success`), `Failed`, `Timeout`,
/// `Cancel`; entries write `waiting`, `pulling`, `Building` and
/// `Successful`. Any other value maps to [`Status::Unknown`] in events, with
/// the value kept in `vendor_status`.
pub const STATES: &[State] = &[
    row("Waiting", Status::Pending, "waiting to run (job)"),
    row("waiting", Status::Pending, "waiting to run (entry)"),
    row(
        "pulling",
        Status::Pending,
        "preparing the code pull (entry)",
    ),
    row("Building", Status::Running, "running (job and entry)"),
    row(
        "running",
        Status::Running,
        "running (the pipeline-level word for `Building`)",
    ),
    row(
        "Successful",
        Status::Succeeded,
        "finished successfully (job, as documented, and entry)",
    ),
    row(
        "success",
        Status::Succeeded,
        "finished successfully (job, as actually sent; undocumented)",
    ),
    row("Failed", Status::Failed, "failed (job)"),
    row("Timeout", Status::TimedOut, "timed out (job)"),
    row("Cancel", Status::Cancelled, "cancelled (job)"),
];

/// The row of [`STATES`] for a state value as sent, matched ignoring ASCII
/// case and surrounding white space; `None` for any other value.
///
/// ```
/// use cilog::{swr, Status};
/// assert_eq!(swr::state(" BUILDING ").map(|s| s.status), Some(Status::Running));
/// assert_eq!(swr::state("rollbacking"), None);
/// ```
pub fn state(value: &str) -> Option<&'static State> {
    // Most values are spelled as in the table: look for those first.
    if let Some(s) = STATES.iter().find(|s| s.name == value) {
        return Some(s);
    }
    let find = |v: &str| STATES.iter().find(|s| s.name.eq_ignore_ascii_case(v));
    find(value).or_else(|| {
        let trimmed = value.trim();
        (trimmed.len() != value.len())
            .then(|| find(trimmed))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_table() {
        let cases = [
            ("Waiting", Status::Pending),
            ("waiting", Status::Pending),
            ("pulling", Status::Pending),
            ("Building", Status::Running),
            ("BUILDING", Status::Running),
            ("running", Status::Running),
            ("Successful", Status::Succeeded),
            ("success", Status::Succeeded),
            ("Failed", Status::Failed),
            ("Timeout", Status::TimedOut),
            ("Cancel", Status::Cancelled),
            (" cancel ", Status::Cancelled),
            ("\tcancel", Status::Cancelled),
        ];
        for (v, want) in cases {
            assert_eq!(state(v).map(|s| s.status), Some(want), "{v}");
        }
        for v in ["", " ", "done", "cancelled", "rollbacking", "Successful!"] {
            assert_eq!(state(v), None, "{v}");
        }
    }

    /// Every row is found by its name as written; in another case or with
    /// white space around it, by a row of the same name and status (`Waiting`
    /// and `waiting` are both rows).
    #[test]
    fn every_row_is_found_by_its_name() {
        for s in STATES {
            assert_eq!(state(s.name), Some(s));
            for v in [
                s.name.to_ascii_lowercase(),
                s.name.to_ascii_uppercase(),
                format!(" {} ", s.name),
                format!("{}\t", s.name),
            ] {
                let found = state(&v).unwrap_or_else(|| panic!("{v}"));
                assert!(found.name.eq_ignore_ascii_case(s.name), "{v}");
                assert_eq!(found.status, s.status, "{v}");
            }
        }
        let mut names: Vec<String> = STATES.iter().map(|s| s.name.to_owned()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), STATES.len(), "a name twice");
    }

    /// The table at a glance in the `cilog::swr` docs (src/lib.rs) has one
    /// line per row of [`STATES`], with the row's status and meaning.
    #[test]
    fn rustdoc_table_agrees_with_the_table() {
        let lib = include_str!("../../lib.rs");
        let (before, _) = lib.split_once("\npub mod swr {").unwrap();
        // The doc comment right above `pub mod swr`, its table lines.
        let mut doc: Vec<&str> = before
            .lines()
            .rev()
            .take_while(|l| l.starts_with("///"))
            .filter_map(|l| l.strip_prefix("/// | `"))
            .collect();
        doc.reverse();
        let want: Vec<String> = STATES
            .iter()
            .map(|s| format!("{}` | `{}` | {} |", s.name, s.status.as_str(), s.meaning))
            .collect();
        assert_eq!(doc, want);
    }
}
