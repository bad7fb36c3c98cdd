//! # cilog
//!
//! Turns the job-log payloads of CI/CD and ops platforms into one typed,
//! unified stream of [`LogEvent`]s: time with its real offset, severity,
//! unified status with the raw vendor value kept, step/job/host context and
//! message.
//!
//! Sources ([`Source`]):
//!
//! | name | payload |
//! |---|---|
//! | `swr-job-log` | Huawei ContainerOps/SWR pipeline step job log |
//! | `swr-job-history` | Huawei ContainerOps/SWR pipeline step job history |
//! | `codearts-realtime-log` | Huawei CodeArts Build real-time log page (follow a live log with [`codearts::Follower`]) |
//! | `codearts-log` | Huawei CodeArts Build task-log / download-log text |
//! | `bkjob-log` | Tencent BlueKing JOB v2 `get_job_instance_log` (legacy and 3.x servers) |
//! | `bkjob-ip-log` | Tencent BlueKing JOB v3 `get_job_instance_ip_log`, `batch_get_job_instance_ip_log` |
//! | `bkjob-status` | Tencent BlueKing JOB v3 `get_job_instance_status` |
//!
//! ```
//! use cilog::{parse, EventKind, Options, Status};
//!
//! # fn main() -> Result<(), cilog::Error> {
//! let payload = r#"{"id":1408,"state":"success","duration":"9","progress":"100",
//!   "created_at":"2018-12-06T06:45:16.554903Z","log":[{"content":
//!   "[{\"Type\":\"content\",\"Message\":\" * branch master -\\u003e FETCH_HEAD\",\"Time\":\"2018-12-06T06:45:21.966001Z\",\"State\":\"Building\",\"Progress\":10}]"}]}"#;
//!
//! let events = parse(payload, &Options::default())?.collect::<Result<Vec<_>, _>>()?;
//! assert_eq!(events.len(), 2);
//! assert_eq!(events[0].kind, EventKind::Status);
//! assert_eq!(events[0].status, Some(Status::Succeeded));
//! assert_eq!(events[1].message, " * branch master -> FETCH_HEAD");
//! assert_eq!(events[1].time.unwrap().to_string(), "2018-12-06T06:45:21.966001Z");
//! # Ok(())
//! # }
//! ```
//!
//! ## Lenient and strict
//!
//! By default ([`Mode::Lenient`]) every input line or entry yields an event;
//! whatever could not be parsed is kept raw and marked with a [`Note`].
//! [`Mode::Strict`] returns an [`Error`] at exactly those places instead.
//! Errors carry a [`kind`](Error::kind), a [`Position`] (byte, line, column)
//! and a short escaped excerpt, and tell a vendor error body
//! ([`Error::vendor`]) apart from a malformed payload.
//!
//! ## Time
//!
//! No clock is read and no host time zone is used. A zone-less stamp takes the
//! offset from [`Options::default_offset`] (or the source's documented default)
//! and is marked [`assumed`](Timestamp::assumed).
//!
//! ## Features
//!
//! `cli` (on by default) builds the `cilog` command and pulls in clap. A
//! library user can leave it out:
//! `cilog = { version = "0.1", default-features = false }`.

mod detect;
mod error;
mod event;
mod events;
mod json;
mod ndjson;
mod note;
mod options;
pub mod output;
mod redact;
mod runner;
mod scan;
mod severity;
mod source;
mod sources;
mod status;
mod steps;
pub mod summary;
#[cfg(test)]
mod testing;
mod text;
mod time;

pub use detect::detect;
pub use error::{Error, ErrorKind, Position, VendorError};
pub use event::{Context, EventKind, LogEvent, Scalar};
pub use events::Events;
pub use note::{Note, Notes, NotesIter};
pub use options::{Mode, Options, TextMode, parse_offset};
pub use severity::{ACCEPTED_SEVERITY_NAMES, ParseSeverityError, Severity};
pub use source::{ParseSourceError, Source};
pub use status::{ACCEPTED_STATUS_NAMES, Outcome, ParseStatusError, Status};
pub use steps::{StepSpan, step_spans};
pub use time::Timestamp;

/// Tencent BlueKing JOB status codes as data, for callers that hold raw
/// codes: step / job status (`RunStatusEnum`), host status (`ip_status`) and
/// file-transfer status, each with its unified [`Status`], whether the
/// vendor counts it as finished, and its English meaning.
///
/// ```
/// use cilog::{bkjob, Status};
/// assert_eq!(bkjob::HOST_STATUS.len(), 32);
/// let c = bkjob::host_status(3).unwrap();
/// assert_eq!(c.status, Status::Succeeded);
/// assert_eq!(c.meaning, "already succeeded in the previous run (skipped on retry)");
/// ```
///
/// # Attributes of BlueKing events
///
/// Vendor fields without a [`LogEvent`] field of their own are attributes,
/// named as the vendor sends them where it has a name:
///
/// | attribute | on | what |
/// |---|---|---|
/// | `job_request_id`, `request_id` | the response's first event | JOB's request id, and the ESB's or API gateway's (32 hex digits or a UUID), as sent |
/// | `job_name`, `bk_biz_id`, `bk_scope_type`, `bk_scope_id`, `finished` | the v3 job status event | the job instance's fields |
/// | `is_finished`, `step_type`, `tag`, `error_code`, `bk_cloud_id`, `bk_host_id`, `ipv6`, `create_time`, `end_time` | step, host and file events | as sent (times as RFC 3339) |
/// | `mode`, `src_host`, `src_path`, `dest_host`, `dest_path`, `file_size`, `speed` | v3 file-task events | the task; an upload (`mode` 0) is filed under its source host |
/// | `queried_host` | v3 upload events | the host the single-host call asked about, when the upload ran on another (its source) |
/// | `file_path`, `is_directory`, `file_size`, `state`, `status_desc`, `speed`, `detail`, `error` | file-transfer lines | the line's fields (`FileName:`/`FileName：`, …) |
/// | `phase` | legacy file-transfer lines | the `【Upload source files】` tag |
/// | `raw_time`, `pid`, `progress`, `process`, `status`, `log_content`, … | any | a value that could not be read, kept as sent (with a note) |
pub mod bkjob {
    pub use crate::sources::bkjob::codes::{
        FILE_STATUS, HOST_STATUS, STEP_STATUS, StatusCode, file_status, host_status, step_status,
    };
}

/// Huawei ContainerOps/SWR states as data, for callers that hold raw
/// values: every job `state` (or its alias `status`) and inner entry `State`
/// the API is known to send, with its unified [`Status`].
///
/// Values are matched ignoring ASCII case and surrounding white space. Any
/// other value becomes [`Status::Unknown`] in events, with the value kept
/// in [`LogEvent::vendor_status`] and the note [`Note::UnknownStatus`] (in
/// strict mode with [`Options::unknown_status_is_error`], an error).
///
/// | SWR value | unified status | meaning |
/// |---|---|---|
/// | `Waiting` | `pending` | waiting to run (job) |
/// | `waiting` | `pending` | waiting to run (entry) |
/// | `pulling` | `pending` | preparing the code pull (entry) |
/// | `Building` | `running` | running (job and entry) |
/// | `running` | `running` | running (the pipeline-level word for `Building`) |
/// | `Successful` | `succeeded` | finished successfully (job, as documented, and entry) |
/// | `success` | `succeeded` | finished successfully (job, as actually sent; undocumented) |
/// | `Failed` | `failed` | failed (job) |
/// | `Timeout` | `timed_out` | timed out (job) |
/// | `Cancel` | `cancelled` | cancelled (job) |
///
/// ```
/// use cilog::{swr, Status};
/// assert_eq!(swr::STATES.len(), 10);
/// let s = swr::state("success").unwrap();
/// assert_eq!(s.status, Status::Succeeded);
/// assert_eq!(swr::state(" BUILDING").unwrap().name, "Building");
/// assert_eq!(swr::state("Rollbacking"), None);
/// ```
pub mod swr {
    pub use crate::sources::swr::states::{STATES, State, state};
}

/// Huawei CodeArts Build: follow a live real-time log page by page
/// ([`Follower`](codearts::Follower)), and the line grammar shared by its
/// real-time pages and task-log text ([`buildlog`](codearts::buildlog)).
///
/// # Endpoints
///
/// Which [`Source`] reads each CodeArts Build log endpoint's response:
///
/// | operation | endpoint | source | response |
/// |---|---|---|---|
/// | DownloadRealTimeLog | `GET /v3/jobs/{job_id}/{build_no}/real-time-log` | `codearts-realtime-log` | v3 page `{result:{has_more_data, offset, current_offset, content}, error, status}` |
/// | DownloadBuildRealTimeLog | `GET /v1/log/{job_id}/{build_no}/real-time-log` | `codearts-realtime-log` | v1 page `{result:{has_more, start_offset, end_offset, log, location}, error, status}` |
/// | ShowActionInfo (a running step's log) | `GET /v1/log/task/step` | `codearts-realtime-log` | v1 page |
/// | ShowActionIInfo (the build's log after it ended) | `GET /v1/log/stage/page` | `codearts-realtime-log` | v1 page |
/// | ShowConsoleInfo (a step's log after the build ended) | `GET /v1/log/task/page` | `codearts-realtime-log` | v1 page |
/// | DownloadTaskLog | `GET /v4/{record_id}/task-log` | `codearts-log` | text file, one line per record |
///
/// The three `/v1/log/task|stage/…` operations answer with the schema of
/// DownloadBuildRealTimeLog (`OctopusV3LogResponseBody`), per Huawei's API
/// reference (support.huaweicloud.com/api-codeci, 2025-11) and its OpenAPI
/// spec; the reference's example has number offsets where the schema says
/// string, and both are read. Pages of one log, from any of these, are
/// stitched by the [`Follower`](codearts::Follower) (and by the CLI, given
/// the page files in order). The other download endpoints
/// (`/v4/{record_id}/download-log`, `/v1/log/{record_id}/download-log`,
/// `/v3/{record_id}/download-log`) return files this crate has not seen.
///
/// ```
/// use cilog::{detect, parse, Options, Source};
///
/// # fn main() -> Result<(), cilog::Error> {
/// // The shape of ShowActionIInfo's documented example (`/v1/log/stage/page`).
/// let page = r#"{"result":{"start_offset":0,"end_offset":79,
///   "log":"[2025/06/26 14:23:32.169 GMT+08:00] [INFO] [代码检出:external_pre_checkout] : 该步骤开始执行\n",
///   "has_more":false,"location":"jenkins"},"error":null,"status":"success"}"#;
/// assert_eq!(detect(page.as_bytes()), Some(Source::CodeartsRealtimeLog));
/// let events = parse(page, &Options::strict())?.collect::<Result<Vec<_>, _>>()?;
/// assert_eq!(events[0].ctx.step_id.as_deref(), Some("external_pre_checkout"));
/// # Ok(())
/// # }
/// ```
///
/// # Lines
///
/// Every input line is one event. A line is
/// `[yyyy/MM/dd HH:mm:ss.SSS GMT±HH:MM] ` followed by one of:
///
/// | form | example | event |
/// |---|---|---|
/// | platform record | `[INFO] [代码检出:external_pre_checkout] : 该步骤开始执行` | severity from the level; `step_name` / `step_id` from the tag, split at its **last** colon |
/// | platform record, empty tag | `[INFO]  : [JobStatusPlugin] onStarted: j_YE1bu9Z7 #1` | severity, no step |
/// | bare level | `[INFO] BUILD SUCCESS` (a tool's own) | severity from the token, no step of its own |
/// | raw tool output | `$ docker stop --time=1 8db5…` | message only |
///
/// Levels are `INFO WARNING WARN ERROR DEBUG FATAL TRACE`, in any case
/// (`severity_text` keeps the token). A line without a prefix (a
/// continuation) has no time and the note [`NoPrefix`](crate::Note::NoPrefix);
/// a prefix with a field out of range is an
/// [`InvalidTime`](crate::Note::InvalidTime) recovery, the whole line kept
/// as the message.
///
/// # Status mapping
///
/// | line | event | [`Status`] |
/// |---|---|---|
/// | `… : 该步骤开始执行` / `… : This step starts.` (a tagged platform record) | [`Phase`](crate::EventKind::Phase) of the tag's step | `Running` |
/// | `… : 该步骤执行完成` / `… : This step is complete.` | `Phase` of the tag's step | `Succeeded` |
/// | `[JobStatusPlugin] onStarted: j_XXXX #N` | `Phase`, `job` `j_XXXX`, `attrs.build_no` N | `Running` |
/// | `[JobStatusPlugin] onCompleted: j_XXXX #N` | `Phase`, `job`, `build_no` | none |
/// | `Finished: SUCCESS` (Jenkins' last line) | [`Status`](crate::EventKind::Status) of the build | `Succeeded` |
/// | `Finished: FAILURE` | `Status` | `Failed` |
/// | `Finished: ABORTED` | `Status` | `Cancelled` |
/// | `Finished: UNSTABLE` | `Status` | `Failed` |
/// | `Finished: NOT_BUILT` | `Status` | `Skipped` |
/// | `Finished: ` another upper-case word | `Status`, noted [`UnknownStatus`](crate::Note::UnknownStatus) | `Unknown` |
///
/// The `Finished:` word is kept as sent in `vendor_status`. Lines between a
/// step's start and complete markers that have no tag of their own (tool
/// output, continuation lines) get that step's `step_id` / `step_name`,
/// noted [`StepInferred`](crate::Note::StepInferred); the build's `Finished:`
/// line belongs to no step. [`step_spans`] turns the
/// phase events into steps with start, end and final status.
///
/// ```
/// use cilog::{parse_as, EventKind, Options, Source, Status};
///
/// # fn main() -> Result<(), cilog::Error> {
/// let log = "[2026/06/26 14:30:10.000 GMT+08:00] [INFO] [Maven构建:m2] : 该步骤开始执行\n\
///            [2026/06/26 14:30:11.000 GMT+08:00] [ERROR] compilation failed\n\
///            [2026/06/26 14:30:14.010 GMT+08:00] Finished: ABORTED\n";
/// let events = parse_as(Source::CodeartsLog, log, &Options::default())?
///     .collect::<Result<Vec<_>, _>>()?;
/// assert_eq!((events[0].kind, events[0].status), (EventKind::Phase, Some(Status::Running)));
/// assert_eq!(events[1].ctx.step_id.as_deref(), Some("m2")); // inferred
/// assert_eq!((events[2].kind, events[2].status), (EventKind::Status, Some(Status::Cancelled)));
/// # Ok(())
/// # }
/// ```
pub mod codearts {
    pub use crate::sources::codearts::buildlog;
    pub use crate::sources::codearts::follow::{
        Cursor, EmitResult, Follower, OffsetUnit, page_offsets,
    };
}

/// Detects the source of `input` and parses it.
///
/// # Errors
/// [`ErrorKind::UnknownSource`] if [`detect`] cannot name the source; any
/// error of [`parse_as`] otherwise.
pub fn parse<'a, I>(input: &'a I, options: &Options) -> Result<Events<'a>, Error>
where
    I: AsRef<[u8]> + ?Sized,
{
    events::dispatch_detected(input.as_ref(), options)
}

/// Parses `input` as the given source.
///
/// # Errors
/// A vendor error body ([`ErrorKind::Vendor`]), an envelope that cannot be
/// read ([`ErrorKind::Syntax`], [`ErrorKind::Eof`], [`ErrorKind::Schema`]),
/// or, in strict mode, the first place lenient mode would have recovered.
/// Later strict-mode errors come out of the returned iterator.
pub fn parse_as<'a, I>(source: Source, input: &'a I, options: &Options) -> Result<Events<'a>, Error>
where
    I: AsRef<[u8]> + ?Sized,
{
    events::dispatch(source, input.as_ref(), options)
}

/// Detects the source of `input`, parses it, and collects the events owned,
/// so they outlive `input`: a function that reads a file can return them.
///
/// The events are those of [`parse`], with every borrowed string copied
/// ([`LogEvent::into_owned`]). To keep memory flat on a large input, iterate
/// [`parse`] instead.
///
/// ```
/// use std::error::Error;
/// use std::path::Path;
/// use cilog::{LogEvent, Options};
///
/// fn read_events(path: &Path) -> Result<Vec<LogEvent<'static>>, Box<dyn Error>> {
///     let bytes = std::fs::read(path)?;
///     Ok(cilog::parse_owned(&bytes, &Options::default())?)
/// }
///
/// # fn main() -> Result<(), Box<dyn Error>> {
/// # let _ = read_events;
/// let log = b"[2023/12/21 15:44:18.793 GMT+08:00] [INFO] BUILD SUCCESS\n".to_vec();
/// let events = cilog::parse_owned(&log, &Options::default())?;
/// drop(log);
/// assert_eq!(events[0].message, "BUILD SUCCESS");
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Any error of [`parse`], or the first error the events yield (in strict
/// mode, the first place lenient mode would have recovered).
pub fn parse_owned<I>(input: &I, options: &Options) -> Result<Vec<LogEvent<'static>>, Error>
where
    I: AsRef<[u8]> + ?Sized,
{
    parse(input, options)?
        .map(|e| e.map(LogEvent::into_owned))
        .collect()
}

/// Parses `input` as the given source and collects the events owned, as
/// [`parse_owned`] does after detecting the source.
///
/// # Errors
/// Any error of [`parse_as`], or the first error the events yield.
pub fn parse_owned_as<I>(
    source: Source,
    input: &I,
    options: &Options,
) -> Result<Vec<LogEvent<'static>>, Error>
where
    I: AsRef<[u8]> + ?Sized,
{
    parse_as(source, input, options)?
        .map(|e| e.map(LogEvent::into_owned))
        .collect()
}

/// Runs the README's Rust examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
