//! Private wire structs of the BlueKing JOB payloads. Every scalar is kept as
//! raw JSON ([`RawValue`]) and read through [`json::Raw`](crate::json::Raw),
//! which handles numbers sent as strings and gives exact error positions.
//! Unknown keys are ignored everywhere; `null` is accepted for every member.

use crate::json::Obj;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Raw scalar member.
pub(super) type R<'a> = Option<&'a RawValue>;

/// A `log_content` member as sent: a string (its raw text, quotes
/// included, already checked to be a well-formed JSON string), or another
/// value kept raw. The v2 skim ([`super::skim`]) builds the string form
/// without handing the (long) text to the JSON parser again.
#[derive(Clone, Copy, Debug)]
pub(super) enum LogContent<'a> {
    /// A JSON string, quotes included, and where the skim noted the
    /// positions of its escapes, if it did.
    Str(&'a str, Option<Marks>),
    /// Any other value (`null` never reaches here: the member is `None`).
    Other(&'a RawValue),
}

/// Where the positions (in the document) of a string's escapes are in the
/// list the skim made (`marks[start..end]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Marks {
    pub(super) start: usize,
    pub(super) end: usize,
}

impl<'de: 'a, 'a> Deserialize<'de> for LogContent<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'de RawValue>::deserialize(d)?;
        Ok(if raw.get().starts_with('"') {
            LogContent::Str(raw.get(), None)
        } else {
            LogContent::Other(raw)
        })
    }
}

/// The ESB / API-gateway envelope around every response.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing envelope object")]
pub(super) struct Envelope<'a, T> {
    #[serde(borrow, default)]
    pub(super) result: R<'a>,
    #[serde(borrow, default)]
    pub(super) code: R<'a>,
    #[serde(borrow, default)]
    pub(super) message: R<'a>,
    // A missing `Option` member is `None` without `default` (which would
    // ask for `T: Default`).
    pub(super) data: Option<T>,
}

/// The envelope without its data: read when the full parse failed, to tell
/// an error body apart from a malformed payload.
#[derive(Deserialize)]
pub(super) struct BareEnvelope<'a> {
    #[serde(borrow, default)]
    pub(super) result: R<'a>,
    #[serde(borrow, default)]
    pub(super) code: R<'a>,
    #[serde(borrow, default)]
    pub(super) message: R<'a>,
}

/// v2 `get_job_instance_log`: one step (`data[]`).
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step object")]
pub(super) struct Step<'a> {
    #[serde(borrow, default)]
    pub(super) step_instance_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) name: R<'a>,
    #[serde(borrow, default)]
    pub(super) status: R<'a>,
    #[serde(borrow, default)]
    pub(super) is_finished: R<'a>,
    #[serde(borrow, default)]
    pub(super) step_results: Option<Vec<Obj<Group<'a>>>>,
}

/// v2: hosts of one step grouped by (`ip_status`, `tag`).
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step_results object")]
pub(super) struct Group<'a> {
    #[serde(borrow, default)]
    pub(super) ip_status: R<'a>,
    #[serde(borrow, default)]
    pub(super) tag: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip_logs: Option<Vec<Obj<IpLog<'a>>>>,
}

/// v2: one host's result and log. `retry_count` (legacy) and
/// `execute_count` (3.x) are the same thing.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing ip_logs object")]
pub(super) struct IpLog<'a> {
    #[serde(borrow, default)]
    pub(super) retry_count: R<'a>,
    #[serde(borrow, default)]
    pub(super) execute_count: R<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip: R<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: R<'a>,
    #[serde(borrow, default)]
    pub(super) error_code: R<'a>,
    #[serde(borrow, default)]
    pub(super) exit_code: R<'a>,
    #[serde(borrow, default)]
    pub(super) tag: R<'a>,
    #[serde(borrow, default)]
    pub(super) log_content: Option<LogContent<'a>>,
}

/// A host as BlueKing names it: by id, or by cloud area and address.
/// `host_id` is the compatibility duplicate of `bk_host_id` (v3 script logs,
/// and the docs' own `src_ip` example).
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(expecting = "a BlueKing host object")]
pub(super) struct Host<'a> {
    #[serde(borrow, default)]
    pub(super) bk_host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip: R<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: R<'a>,
}

/// v3 `get_job_instance_ip_log` data (one host) and
/// `batch_get_job_instance_ip_log` data (many hosts).
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing ip log object")]
pub(super) struct IpLogData<'a> {
    #[serde(borrow, default)]
    pub(super) job_instance_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) step_instance_id: R<'a>,
    // `log_type` (1 script, 2 file) is not read: which of `log_content` and
    // `file_logs` is present says the same.
    // The single-host form: the host fields and its log sit in `data`.
    #[serde(borrow, default)]
    pub(super) bk_host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip: R<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: R<'a>,
    #[serde(borrow, default)]
    pub(super) log_content: Option<LogContent<'a>>,
    #[serde(borrow, default)]
    pub(super) file_logs: Option<Vec<Obj<FileLog<'a>>>>,
    #[serde(borrow, default)]
    pub(super) script_task_logs: Option<Vec<Obj<HostLog<'a>>>>,
    #[serde(borrow, default)]
    pub(super) file_task_logs: Option<Vec<Obj<HostLog<'a>>>>,
}

/// v3: one host's script log or file logs.
#[derive(Deserialize, Default)]
#[serde(expecting = "a BlueKing host log object")]
pub(super) struct HostLog<'a> {
    #[serde(borrow, default)]
    pub(super) bk_host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip: R<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: R<'a>,
    #[serde(borrow, default)]
    pub(super) log_content: Option<LogContent<'a>>,
    #[serde(borrow, default)]
    pub(super) file_logs: Option<Vec<Obj<FileLog<'a>>>>,
}

/// v3: one file task of a host (`mode` 0 upload from the source, 1 download
/// to the target). `size`, `speed` and `process` are strings.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing file_logs object")]
pub(super) struct FileLog<'a> {
    #[serde(borrow, default)]
    pub(super) mode: R<'a>,
    #[serde(borrow, default)]
    pub(super) src_ip: Option<Obj<Host<'a>>>,
    #[serde(borrow, default)]
    pub(super) src_path: R<'a>,
    #[serde(borrow, default)]
    pub(super) dest_ip: Option<Obj<Host<'a>>>,
    #[serde(borrow, default)]
    pub(super) dest_path: R<'a>,
    #[serde(borrow, default)]
    pub(super) status: R<'a>,
    #[serde(borrow, default)]
    pub(super) log_content: Option<LogContent<'a>>,
    #[serde(borrow, default)]
    pub(super) size: R<'a>,
    #[serde(borrow, default)]
    pub(super) speed: R<'a>,
    #[serde(borrow, default)]
    pub(super) process: R<'a>,
}

/// v3 `get_job_instance_status` data.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing job status object")]
pub(super) struct StatusData<'a> {
    #[serde(borrow, default)]
    pub(super) finished: R<'a>,
    #[serde(borrow, default)]
    pub(super) job_instance: Option<Obj<JobInstance<'a>>>,
    #[serde(borrow, default)]
    pub(super) step_instance_list: Option<Vec<Obj<StepInstance<'a>>>>,
}

/// v3: the job instance. Times are epoch milliseconds, `total_time`
/// milliseconds.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing job_instance object")]
pub(super) struct JobInstance<'a> {
    #[serde(borrow, default)]
    pub(super) job_instance_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_scope_type: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_scope_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_biz_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) name: R<'a>,
    #[serde(borrow, default)]
    pub(super) status: R<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: R<'a>,
}

/// v3: one step instance.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step instance object")]
pub(super) struct StepInstance<'a> {
    #[serde(borrow, default)]
    pub(super) step_instance_id: R<'a>,
    #[serde(borrow, default, rename = "type")]
    pub(super) step_type: R<'a>,
    #[serde(borrow, default)]
    pub(super) name: R<'a>,
    #[serde(borrow, default)]
    pub(super) execute_count: R<'a>,
    #[serde(borrow, default)]
    pub(super) status: R<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) step_ip_result_list: Option<Vec<Obj<IpResult<'a>>>>,
}

/// v3: one host's result in a step.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step_ip_result object")]
pub(super) struct IpResult<'a> {
    #[serde(borrow, default)]
    pub(super) bk_host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: R<'a>,
    #[serde(borrow, default)]
    pub(super) ip: R<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: R<'a>,
    #[serde(borrow, default)]
    pub(super) tag: R<'a>,
    #[serde(borrow, default)]
    pub(super) exit_code: R<'a>,
    #[serde(borrow, default)]
    pub(super) error_code: R<'a>,
    #[serde(borrow, default)]
    pub(super) status: R<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: R<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: R<'a>,
}

/// Status and times shared by v3 jobs, steps and host results.
#[derive(Clone, Copy)]
pub(super) struct Run<'a> {
    pub(super) status: R<'a>,
    pub(super) create_time: R<'a>,
    pub(super) start_time: R<'a>,
    pub(super) end_time: R<'a>,
    pub(super) total_time: R<'a>,
}

macro_rules! host_of {
    ($($t:ident),*) => {$(
        impl<'a> $t<'a> {
            /// The host fields of this object.
            pub(super) fn host(&self) -> Host<'a> {
                Host {
                    bk_host_id: self.bk_host_id,
                    host_id: self.host_id,
                    bk_cloud_id: self.bk_cloud_id,
                    ip: self.ip,
                    ipv6: self.ipv6,
                }
            }
        }
    )*};
}
host_of!(IpLog, IpLogData, HostLog, IpResult);

macro_rules! run_of {
    ($($t:ident),*) => {$(
        impl<'a> $t<'a> {
            /// The status and time fields of this object.
            pub(super) fn run(&self) -> Run<'a> {
                Run {
                    status: self.status,
                    create_time: self.create_time,
                    start_time: self.start_time,
                    end_time: self.end_time,
                    total_time: self.total_time,
                }
            }
        }
    )*};
}
run_of!(JobInstance, StepInstance, IpResult);
