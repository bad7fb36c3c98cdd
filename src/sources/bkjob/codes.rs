//! BlueKing JOB numeric status codes as data: step / job status
//! (`RunStatusEnum`), host status (`ip_status`, `ExecuteObjectTaskStatusEnum`)
//! and file-transfer status (`FileDistStatusEnum`), each with its unified
//! [`Status`], whether the vendor counts it as finished, and its English
//! meaning (research/formats.md §4.5, §4.6). Re-exported for callers as
//! [`cilog::bkjob`](crate::bkjob).
//!
//! At a glance, the codes of each table that map to each status (the
//! tables' own docs give every code with its meaning):
//!
//! | status | job / step | host | file transfer |
//! |---|---|---|---|
//! | `pending` | 1 | 5 | 1 |
//! | `running` | 2, 10 | 7 | 0, 2, 3 |
//! | `succeeded` | 3 | 3, 9 | 4 |
//! | `failed` | 4 | 11, 101, 104, 202, 203, 311, 312, 320, 321, 329 | 5 |
//! | `timed_out` | — | 13, 102, 303 | — |
//! | `cancelled` | 8, 11, 13, 14 | 103, 403 | — |
//! | `skipped` | 5 | — | — |
//! | `blocked` | 7, 15 | — | — |
//! | `error` | 9, 12 | 0, 1, 2, 12, 15, 16, 17, 18, 301, 310, 399, 404 | — |
//! | `ignored` | 6 | — | — |
//! | `unknown` | — | 500 | — |
//!
//! A code in none of the tables is read as `unknown`, kept raw in
//! `vendor_status` and noted `unknown_status` (an error in strict mode
//! with `unknown_status_is_error`).

use crate::status::Status;

/// One vendor status code and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusCode {
    /// The number the vendor sends.
    pub code: i64,
    /// The unified status it maps to.
    pub status: Status,
    /// Whether the vendor counts the code as finished (the step or host will
    /// not change any more). Follows the server's own `isFinished` logic;
    /// see each table for the one place it differs from
    /// [`Status::is_terminal`].
    pub finished: bool,
    /// The code's meaning in English (translated from the vendor's Chinese
    /// name).
    pub meaning: &'static str,
}

const fn code(code: i64, status: Status, finished: bool, meaning: &'static str) -> StatusCode {
    StatusCode {
        code,
        status,
        finished,
        meaning,
    }
}

/// Job and step status (`status` of a v2 step, of a v3 job instance and step
/// instance; `RunStatusEnum`). Sorted by code.
///
/// 12 appears only in legacy docs and the seed, never in the open-source
/// server; it is kept (as `error`, finished) so legacy payloads map.
///
/// | code | status | finished | meaning |
/// |---:|---|---|---|
/// | 1 | `pending` | no | not started (waiting to run) |
/// | 2 | `running` | no | running |
/// | 3 | `succeeded` | yes | succeeded |
/// | 4 | `failed` | yes | failed |
/// | 5 | `skipped` | yes | skipped |
/// | 6 | `ignored` | yes | failed, error ignored (the flow went on) |
/// | 7 | `blocked` | no | waiting for a user (manual confirmation or paused) |
/// | 8 | `cancelled` | yes | ended manually |
/// | 9 | `error` | yes | abnormal state (system error) |
/// | 10 | `running` | no | force-stop in progress |
/// | 11 | `cancelled` | yes | force-stopped |
/// | 12 | `error` | yes | force-stop failed (legacy servers only) |
/// | 13 | `cancelled` | yes | terminated at a confirmation step |
/// | 14 | `cancelled` | yes | abandoned |
/// | 15 | `blocked` | no | waiting for the next rolling batch |
pub const STEP_STATUS: &[StatusCode] = &[
    code(1, Status::Pending, false, "not started (waiting to run)"),
    code(2, Status::Running, false, "running"),
    code(3, Status::Succeeded, true, "succeeded"),
    code(4, Status::Failed, true, "failed"),
    code(5, Status::Skipped, true, "skipped"),
    code(
        6,
        Status::Ignored,
        true,
        "failed, error ignored (the flow went on)",
    ),
    code(
        7,
        Status::Blocked,
        false,
        "waiting for a user (manual confirmation or paused)",
    ),
    code(8, Status::Cancelled, true, "ended manually"),
    code(9, Status::Error, true, "abnormal state (system error)"),
    code(10, Status::Running, false, "force-stop in progress"),
    code(11, Status::Cancelled, true, "force-stopped"),
    code(
        12,
        Status::Error,
        true,
        "force-stop failed (legacy servers only)",
    ),
    code(
        13,
        Status::Cancelled,
        true,
        "terminated at a confirmation step",
    ),
    code(14, Status::Cancelled, true, "abandoned"),
    code(
        15,
        Status::Blocked,
        false,
        "waiting for the next rolling batch",
    ),
];

/// Host status (v2 `ip_status`, v3 `step_ip_result_list[].status`;
/// `ExecuteObjectTaskStatusEnum`). Sorted by code.
///
/// Rule: agent, dispatch and platform faults are `error` (the platform
/// failed, not the work); script and file failures, including a job set up
/// to run as an account the host does not have, are `failed`; the script's
/// own time-outs are `timed_out`. `finished` is the server's rule: every code
/// but 5 and 7 — including 500 "unknown status", whose unified status is
/// `unknown` (not terminal), the one place the two disagree.
///
/// | code | status | finished | meaning |
/// |---:|---|---|---|
/// | 0 | `error` | yes | unknown error (the server's fallback for unknown codes) |
/// | 1 | `error` | yes | agent abnormal |
/// | 2 | `error` | yes | invalid execution target |
/// | 3 | `succeeded` | yes | already succeeded in the previous run (skipped on retry) |
/// | 5 | `pending` | no | waiting |
/// | 7 | `running` | no | running |
/// | 9 | `succeeded` | yes | succeeded |
/// | 11 | `failed` | yes | failed |
/// | 12 | `error` | yes | task dispatch failed |
/// | 13 | `timed_out` | yes | task timed out |
/// | 15 | `error` | yes | task log error |
/// | 16 | `error` | yes | script-log pull timed out (GSE) |
/// | 17 | `error` | yes | file-log pull timed out (GSE) |
/// | 18 | `error` | yes | agent not installed |
/// | 101 | `failed` | yes | script failed |
/// | 102 | `timed_out` | yes | script timed out |
/// | 103 | `cancelled` | yes | script was terminated |
/// | 104 | `failed` | yes | script returned a non-zero exit code |
/// | 202 | `failed` | yes | file transfer failed |
/// | 203 | `failed` | yes | source file does not exist |
/// | 301 | `error` | yes | file task system error, unclassified |
/// | 303 | `timed_out` | yes | file task timed out |
/// | 310 | `error` | yes | agent abnormal (GSE) |
/// | 311 | `failed` | yes | OS user does not exist |
/// | 312 | `failed` | yes | wrong OS user password |
/// | 320 | `failed` | yes | failed to fetch the file |
/// | 321 | `failed` | yes | file exceeds the size limit |
/// | 329 | `failed` | yes | file transfer error |
/// | 399 | `error` | yes | task execution error |
/// | 403 | `cancelled` | yes | force-stopped |
/// | 404 | `error` | yes | force-stop failed |
/// | 500 | `unknown` | yes | unknown status |
pub const HOST_STATUS: &[StatusCode] = &[
    // The server's catch-all: unknown numbers are mapped to 0. Nothing
    // attributes it to the script, so it counts as a platform fault.
    code(
        0,
        Status::Error,
        true,
        "unknown error (the server's fallback for unknown codes)",
    ),
    code(1, Status::Error, true, "agent abnormal"),
    // The target is not a valid host or container: the script never ran on
    // it; a platform / inventory fault, not a failure of the work.
    code(2, Status::Error, true, "invalid execution target"),
    code(
        3,
        Status::Succeeded,
        true,
        "already succeeded in the previous run (skipped on retry)",
    ),
    code(5, Status::Pending, false, "waiting"),
    code(7, Status::Running, false, "running"),
    code(9, Status::Succeeded, true, "succeeded"),
    // Generic "execution failed": the specific platform faults have their own
    // codes (1, 12, 15–18, 310), so this one is read as the work failing.
    code(11, Status::Failed, true, "failed"),
    // Dispatch to the agent failed: a platform fault.
    code(12, Status::Error, true, "task dispatch failed"),
    code(13, Status::TimedOut, true, "task timed out"),
    // The platform could not store or read the task log; the script's own
    // outcome is not known, so it is a platform fault.
    code(15, Status::Error, true, "task log error"),
    // 16 and 17 are the platform timing out while pulling logs from GSE,
    // not the script exceeding its time-out (that is 102): platform faults.
    code(16, Status::Error, true, "script-log pull timed out (GSE)"),
    code(17, Status::Error, true, "file-log pull timed out (GSE)"),
    // No agent on the host: an agent fault.
    code(18, Status::Error, true, "agent not installed"),
    code(101, Status::Failed, true, "script failed"),
    code(102, Status::TimedOut, true, "script timed out"),
    code(103, Status::Cancelled, true, "script was terminated"),
    code(
        104,
        Status::Failed,
        true,
        "script returned a non-zero exit code",
    ),
    code(202, Status::Failed, true, "file transfer failed"),
    code(203, Status::Failed, true, "source file does not exist"),
    // "File task system error, unclassified": the platform's own error.
    code(
        301,
        Status::Error,
        true,
        "file task system error, unclassified",
    ),
    code(303, Status::TimedOut, true, "file task timed out"),
    // Same words as 1, reported by GSE for file tasks: an agent fault.
    code(310, Status::Error, true, "agent abnormal (GSE)"),
    // 311 and 312: the job names an OS account the host lacks or a wrong
    // password. The platform worked; the job as configured cannot run, so
    // it is the work failing, not the platform.
    code(311, Status::Failed, true, "OS user does not exist"),
    code(312, Status::Failed, true, "wrong OS user password"),
    // 320, 321, 329: the file itself could not be fetched, is too large or
    // could not be transferred — file failures.
    code(320, Status::Failed, true, "failed to fetch the file"),
    code(321, Status::Failed, true, "file exceeds the size limit"),
    code(329, Status::Failed, true, "file transfer error"),
    // The catch-all of the GSE task error range (like 0 and 301): nothing
    // attributes it to the script or file, so it is a platform fault.
    code(399, Status::Error, true, "task execution error"),
    code(403, Status::Cancelled, true, "force-stopped"),
    // The platform could not stop the task: a platform fault; the server
    // counts it as finished.
    code(404, Status::Error, true, "force-stop failed"),
    code(500, Status::Unknown, true, "unknown status"),
];

/// File-transfer status (`Status: <n>` in file log lines, v3
/// `file_logs[].status`; `FileDistStatusEnum`). Sorted by code. The docs list
/// only 1–5; 0 is in the server code.
///
/// | code | status | finished | meaning |
/// |---:|---|---|---|
/// | 0 | `running` | no | pulling the file from a third-party file source |
/// | 1 | `pending` | no | waiting |
/// | 2 | `running` | no | uploading |
/// | 3 | `running` | no | downloading |
/// | 4 | `succeeded` | yes | finished |
/// | 5 | `failed` | yes | failed |
pub const FILE_STATUS: &[StatusCode] = &[
    code(
        0,
        Status::Running,
        false,
        "pulling the file from a third-party file source",
    ),
    code(1, Status::Pending, false, "waiting"),
    code(2, Status::Running, false, "uploading"),
    code(3, Status::Running, false, "downloading"),
    code(4, Status::Succeeded, true, "finished"),
    code(5, Status::Failed, true, "failed"),
];

fn lookup(table: &'static [StatusCode], code: i64) -> Option<&'static StatusCode> {
    table
        .binary_search_by_key(&code, |c| c.code)
        .ok()
        .and_then(|i| table.get(i))
}

/// The entry of a job or step status code, `None` if unknown.
///
/// ```
/// use cilog::{bkjob, Status};
/// let c = bkjob::step_status(7).unwrap();
/// assert_eq!((c.status, c.finished), (Status::Blocked, false));
/// assert!(bkjob::step_status(16).is_none());
/// ```
pub fn step_status(code: i64) -> Option<&'static StatusCode> {
    lookup(STEP_STATUS, code)
}

/// The entry of a host status code (`ip_status`), `None` if unknown.
///
/// ```
/// use cilog::{bkjob, Status};
/// assert_eq!(bkjob::host_status(104).unwrap().status, Status::Failed);
/// assert_eq!(bkjob::host_status(104).unwrap().meaning, "script returned a non-zero exit code");
/// ```
pub fn host_status(code: i64) -> Option<&'static StatusCode> {
    lookup(HOST_STATUS, code)
}

/// The entry of a file-transfer status code, `None` if unknown.
pub fn file_status(code: i64) -> Option<&'static StatusCode> {
    lookup(FILE_STATUS, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_and_described(table: &[StatusCode]) {
        for w in table.windows(2) {
            assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
        }
        for c in table {
            assert!(!c.meaning.is_empty(), "{}", c.code);
            assert!(!c.meaning.ends_with('.'), "{}", c.code);
        }
    }

    #[test]
    fn step_table_covers_every_code() {
        use Status::*;
        let want = [
            (1, Pending, false),
            (2, Running, false),
            (3, Succeeded, true),
            (4, Failed, true),
            (5, Skipped, true),
            (6, Ignored, true),
            (7, Blocked, false),
            (8, Cancelled, true),
            (9, Error, true),
            (10, Running, false),
            (11, Cancelled, true),
            (12, Error, true),
            (13, Cancelled, true),
            (14, Cancelled, true),
            (15, Blocked, false),
        ];
        assert_eq!(STEP_STATUS.len(), want.len());
        for (code, status, finished) in want {
            let c = step_status(code).unwrap();
            assert_eq!((c.code, c.status, c.finished), (code, status, finished));
            assert_eq!(c.finished, c.status.is_terminal(), "{code}");
        }
        for code in [0, 16, 100, -1, i64::MAX] {
            assert!(step_status(code).is_none(), "{code}");
        }
        sorted_and_described(STEP_STATUS);
    }

    #[test]
    fn host_table_covers_every_code() {
        use Status::*;
        let want = [
            (0, Error),
            (1, Error),
            (2, Error),
            (3, Succeeded),
            (5, Pending),
            (7, Running),
            (9, Succeeded),
            (11, Failed),
            (12, Error),
            (13, TimedOut),
            (15, Error),
            (16, Error),
            (17, Error),
            (18, Error),
            (101, Failed),
            (102, TimedOut),
            (103, Cancelled),
            (104, Failed),
            (202, Failed),
            (203, Failed),
            (301, Error),
            (303, TimedOut),
            (310, Error),
            (311, Failed),
            (312, Failed),
            (320, Failed),
            (321, Failed),
            (329, Failed),
            (399, Error),
            (403, Cancelled),
            (404, Error),
            (500, Unknown),
        ];
        assert_eq!(want.len(), 32);
        assert_eq!(HOST_STATUS.len(), want.len());
        for (code, status) in want {
            let c = host_status(code).unwrap();
            assert_eq!((c.code, c.status), (code, status));
            // The server: finished is everything but 5 and 7.
            assert_eq!(c.finished, !matches!(code, 5 | 7), "{code}");
            if code != 500 {
                assert_eq!(c.finished, c.status.is_terminal(), "{code}");
            }
        }
        for code in [4, 6, 8, 10, 14, 19, 100, 105, 204, 302, 400, 501, -1] {
            assert!(host_status(code).is_none(), "{code}");
        }
        sorted_and_described(HOST_STATUS);
    }

    #[test]
    fn file_table_covers_every_code() {
        use Status::*;
        let want = [
            (0, Running, false),
            (1, Pending, false),
            (2, Running, false),
            (3, Running, false),
            (4, Succeeded, true),
            (5, Failed, true),
        ];
        assert_eq!(FILE_STATUS.len(), want.len());
        for (code, status, finished) in want {
            let c = file_status(code).unwrap();
            assert_eq!((c.code, c.status, c.finished), (code, status, finished));
            assert_eq!(c.finished, c.status.is_terminal(), "{code}");
        }
        assert!(file_status(6).is_none());
        assert!(file_status(-1).is_none());
        sorted_and_described(FILE_STATUS);
    }

    #[test]
    fn meanings_of_a_few_codes() {
        assert_eq!(
            host_status(3).unwrap().meaning,
            "already succeeded in the previous run (skipped on retry)"
        );
        assert_eq!(
            step_status(6).unwrap().meaning,
            "failed, error ignored (the flow went on)"
        );
        assert_eq!(
            file_status(0).unwrap().meaning,
            "pulling the file from a third-party file source"
        );
    }

    /// The rows of a table as its doc writes them.
    fn doc_rows(table: &[StatusCode]) -> Vec<String> {
        table
            .iter()
            .map(|c| {
                let finished = if c.finished { "yes" } else { "no" };
                format!(
                    "/// | {} | `{}` | {finished} | {} |",
                    c.code, c.status, c.meaning
                )
            })
            .collect()
    }

    /// The docs' tables are the data: each table's doc lists its codes as
    /// the table holds them, and the module's table at a glance groups
    /// them by status.
    #[test]
    fn doc_tables_are_the_data() {
        let src = include_str!("codes.rs");
        let tables = [STEP_STATUS, HOST_STATUS, FILE_STATUS];
        for (name, table) in ["STEP_STATUS", "HOST_STATUS", "FILE_STATUS"]
            .iter()
            .zip(tables)
        {
            let end = src.find(&format!("pub const {name}:")).unwrap();
            let mut doc: Vec<&str> = src[..end]
                .lines()
                .rev()
                .take_while(|l| l.starts_with("///"))
                .filter(|l| l.starts_with("/// | ") && !l.starts_with("/// | code |"))
                .collect();
            doc.reverse();
            assert_eq!(doc, doc_rows(table), "{name}");
        }
        use Status::*;
        let statuses = [
            Pending, Running, Succeeded, Failed, TimedOut, Cancelled, Skipped, Blocked, Error,
            Ignored, Unknown,
        ];
        let glance: Vec<String> = statuses
            .iter()
            .map(|&status| {
                let cols: Vec<String> = tables
                    .iter()
                    .map(|t| {
                        let codes: Vec<String> = t
                            .iter()
                            .filter(|c| c.status == status)
                            .map(|c| c.code.to_string())
                            .collect();
                        if codes.is_empty() {
                            "—".to_owned()
                        } else {
                            codes.join(", ")
                        }
                    })
                    .collect();
                format!("//! | `{status}` | {} |", cols.join(" | "))
            })
            .collect();
        let doc: Vec<&str> = src.lines().filter(|l| l.starts_with("//! | `")).collect();
        assert_eq!(doc, glance);
    }
}
