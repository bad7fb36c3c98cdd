//! Private wire structs of the BlueKing JOB payloads. Every scalar is kept as
//! raw JSON ([`RawValue`]) and read through [`json::Raw`](crate::json::Raw),
//! which handles numbers sent as strings and gives exact error positions.
//! Unknown keys are ignored everywhere; `null` is accepted for every member.
//!
//! The structs of the v2 log, which the skim ([`super::skim`]) also reads
//! by hand, are declared with `members!`: their keys and how each value
//! is read come from the one declaration, for serde and for the skim alike.

use crate::json::Obj;
use serde::Deserialize;
use serde_json::value::RawValue;

/// A member kept as raw JSON: `None` when absent or `null`.
pub(super) type RawField<'a> = Option<&'a RawValue>;

/// A wire struct read member by member by a hand-written reader.
pub(super) trait Members<'a>: Sized {
    /// The member keys, in field order: the names serde reads (a test
    /// checks they are).
    const KEYS: &'static [&'static str];

    /// The value with no member present.
    fn empty() -> Self;

    /// Reads the value of member `index` (in [`Members::KEYS`]) with `read`.
    /// `None` when the reader gives up.
    fn read_member(&mut self, index: usize, read: &mut impl ReadMember<'a>) -> Option<()>;
}

/// A reader of member values: what a hand-written reader gives for each
/// kind of member, or `None` when it gives up.
pub(super) trait ReadMember<'a> {
    /// A member kept raw.
    fn raw(&mut self) -> Option<RawField<'a>>;
    /// A `log_content` member.
    fn content(&mut self) -> Option<Option<LogContent<'a>>>;
    /// `null` or an array of objects.
    fn list<T: Members<'a>>(&mut self) -> Option<Option<Vec<Obj<T>>>>;
}

/// The kinds of member a `members!` struct may have.
pub(super) trait MemberValue<'a>: Sized {
    /// Reads a value of this kind with `read`.
    fn read(read: &mut impl ReadMember<'a>) -> Option<Self>;
}

impl<'a> MemberValue<'a> for RawField<'a> {
    fn read(read: &mut impl ReadMember<'a>) -> Option<Self> {
        read.raw()
    }
}

impl<'a> MemberValue<'a> for Option<LogContent<'a>> {
    fn read(read: &mut impl ReadMember<'a>) -> Option<Self> {
        read.content()
    }
}

impl<'a, T: Members<'a>> MemberValue<'a> for Option<Vec<Obj<T>>> {
    fn read(read: &mut impl ReadMember<'a>) -> Option<Self> {
        read.list::<T>()
    }
}

/// Declares a wire struct (attributes and fields as written) and its
/// [`Members`]: the keys are the field names, so a field renamed for
/// serde would break the test that compares them with serde's.
macro_rules! members {
    (
        $(#[$attr:meta])*
        pub(super) struct $name:ident<$lt:lifetime $(, $param:ident)?> {
            $(
                $(#[$field_attr:meta])*
                pub(super) $field:ident: $ty:ty,
            )*
        }
    ) => {
        $(#[$attr])*
        pub(super) struct $name<$lt $(, $param)?> {
            $(
                $(#[$field_attr])*
                pub(super) $field: $ty,
            )*
        }

        impl<$lt $(, $param)?> Members<$lt> for $name<$lt $(, $param)?>
        where
            $($ty: MemberValue<$lt>,)*
        {
            const KEYS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn empty() -> Self {
                $name { $($field: None),* }
            }

            fn read_member(
                &mut self,
                index: usize,
                read: &mut impl ReadMember<$lt>,
            ) -> Option<()> {
                let mut at = 0;
                $(
                    if index == at {
                        self.$field = MemberValue::read(read)?;
                        return Some(());
                    }
                    at += 1;
                )*
                let _ = at;
                None
            }
        }
    };
}

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

members! {
    /// The ESB / API-gateway envelope around every response.
    #[derive(Deserialize)]
    #[serde(expecting = "a BlueKing envelope object")]
    pub(super) struct Envelope<'a, T> {
        #[serde(borrow, default)]
        pub(super) result: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) code: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) message: RawField<'a>,
        /// JOB's own request id (16 or 32 hex digits in the samples).
        #[serde(borrow, default)]
        pub(super) job_request_id: RawField<'a>,
        /// The ESB's or API gateway's request id (32 hex digits, or a
        /// UUID), beside or instead of `job_request_id`.
        #[serde(borrow, default)]
        pub(super) request_id: RawField<'a>,
        // A missing `Option` member is `None` without `default` (which would
        // ask for `T: Default`).
        pub(super) data: Option<T>,
    }
}

/// The envelope without its data: read when the full parse failed, to tell
/// an error body apart from a malformed payload.
#[derive(Deserialize)]
pub(super) struct BareEnvelope<'a> {
    #[serde(borrow, default)]
    pub(super) result: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) code: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) message: RawField<'a>,
}

members! {
    /// v2 `get_job_instance_log`: one step (`data[]`).
    #[derive(Deserialize)]
    #[serde(expecting = "a BlueKing step object")]
    pub(super) struct Step<'a> {
        #[serde(borrow, default)]
        pub(super) step_instance_id: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) name: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) status: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) is_finished: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) step_results: Option<Vec<Obj<Group<'a>>>>,
    }
}

members! {
    /// v2: hosts of one step grouped by (`ip_status`, `tag`).
    #[derive(Deserialize)]
    #[serde(expecting = "a BlueKing step_results object")]
    pub(super) struct Group<'a> {
        #[serde(borrow, default)]
        pub(super) ip_status: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) tag: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) ip_logs: Option<Vec<Obj<IpLog<'a>>>>,
    }
}

members! {
    /// v2: one host's result and log. `retry_count` (legacy) and
    /// `execute_count` (3.x) are the same thing.
    #[derive(Deserialize)]
    #[serde(expecting = "a BlueKing ip_logs object")]
    pub(super) struct IpLog<'a> {
        #[serde(borrow, default)]
        pub(super) retry_count: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) execute_count: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) total_time: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) start_time: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) end_time: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) bk_host_id: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) host_id: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) bk_cloud_id: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) ip: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) ipv6: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) error_code: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) exit_code: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) tag: RawField<'a>,
        #[serde(borrow, default)]
        pub(super) log_content: Option<LogContent<'a>>,
    }
}

/// A host as BlueKing names it: by id, or by cloud area and address.
/// `host_id` is the compatibility duplicate of `bk_host_id` (v3 script logs,
/// and the docs' own `src_ip` example).
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(expecting = "a BlueKing host object")]
pub(super) struct Host<'a> {
    #[serde(borrow, default)]
    pub(super) bk_host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ip: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: RawField<'a>,
}

/// v3 `get_job_instance_ip_log` data (one host) and
/// `batch_get_job_instance_ip_log` data (many hosts).
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing ip log object")]
pub(super) struct IpLogData<'a> {
    #[serde(borrow, default)]
    pub(super) job_instance_id: RawField<'a>,
    /// The older ESB's name for `job_instance_id` (legacy-bk-paas docs).
    #[serde(borrow, default)]
    pub(super) task_instance_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) step_instance_id: RawField<'a>,
    // `log_type` (1 script, 2 file) is not read: which of `log_content` and
    // `file_logs` is present says the same.
    // The single-host form: the host fields and its log sit in `data`.
    #[serde(borrow, default)]
    pub(super) bk_host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ip: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: RawField<'a>,
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
    pub(super) bk_host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ip: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: RawField<'a>,
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
    pub(super) mode: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) src_ip: Option<Obj<Host<'a>>>,
    #[serde(borrow, default)]
    pub(super) src_path: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) dest_ip: Option<Obj<Host<'a>>>,
    #[serde(borrow, default)]
    pub(super) dest_path: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) status: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) log_content: Option<LogContent<'a>>,
    #[serde(borrow, default)]
    pub(super) size: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) speed: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) process: RawField<'a>,
}

/// v3 `get_job_instance_status` data.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing job status object")]
pub(super) struct StatusData<'a> {
    #[serde(borrow, default)]
    pub(super) finished: RawField<'a>,
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
    pub(super) job_instance_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_scope_type: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_scope_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_biz_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) name: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) status: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: RawField<'a>,
}

/// v3: one step instance.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step instance object")]
pub(super) struct StepInstance<'a> {
    #[serde(borrow, default)]
    pub(super) step_instance_id: RawField<'a>,
    #[serde(borrow, default, rename = "type")]
    pub(super) step_type: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) name: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) execute_count: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) status: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) step_ip_result_list: Option<Vec<Obj<IpResult<'a>>>>,
}

/// v3: one host's result in a step.
#[derive(Deserialize)]
#[serde(expecting = "a BlueKing step_ip_result object")]
pub(super) struct IpResult<'a> {
    #[serde(borrow, default)]
    pub(super) bk_host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) host_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) bk_cloud_id: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ip: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) ipv6: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) tag: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) exit_code: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) error_code: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) status: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) create_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) start_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) end_time: RawField<'a>,
    #[serde(borrow, default)]
    pub(super) total_time: RawField<'a>,
}

/// Status and times shared by v3 jobs, steps and host results.
#[derive(Clone, Copy)]
pub(super) struct Run<'a> {
    pub(super) status: RawField<'a>,
    pub(super) create_time: RawField<'a>,
    pub(super) start_time: RawField<'a>,
    pub(super) end_time: RawField<'a>,
    pub(super) total_time: RawField<'a>,
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

#[cfg(test)]
mod tests {
    use serde::de::{Error as _, Visitor};

    use super::*;

    /// The keys serde's derived `Deserialize` for `T` reads: the field
    /// names it hands to `deserialize_struct`.
    fn serde_keys<T: Deserialize<'static>>() -> &'static [&'static str] {
        struct Fields(Option<&'static [&'static str]>);
        impl<'de> serde::Deserializer<'de> for &mut Fields {
            type Error = serde::de::value::Error;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(Self::Error::custom("not a struct"))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                self.0 = Some(fields);
                Err(Self::Error::custom("fields noted"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }
        let mut fields = Fields(None);
        assert!(T::deserialize(&mut fields).is_err());
        fields.0.unwrap()
    }

    /// The skim's members of each struct are the ones serde reads, in the
    /// same order: a field renamed or skipped for serde fails here.
    #[test]
    fn skimmed_members_are_the_keys_serde_reads() {
        type Steps = Vec<Obj<Step<'static>>>;
        assert_eq!(
            Envelope::<Steps>::KEYS,
            serde_keys::<Envelope<'static, Steps>>()
        );
        assert_eq!(Step::KEYS, serde_keys::<Step<'static>>());
        assert_eq!(Group::KEYS, serde_keys::<Group<'static>>());
        assert_eq!(IpLog::KEYS, serde_keys::<IpLog<'static>>());
        assert_eq!(IpLog::KEYS.len(), 14);
    }
}
