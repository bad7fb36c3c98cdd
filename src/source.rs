//! [`Source`]: the payload kinds this crate reads.

use std::fmt;
use std::str::FromStr;

/// A payload kind. The CLI names are kebab-case ([`Source::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Source {
    /// Huawei ContainerOps/SWR pipeline step job log (`…/jobs/{job_id}/logs`).
    SwrJobLog,
    /// Huawei ContainerOps/SWR pipeline step job history (`…/stages/{i}/jobs`).
    SwrJobHistory,
    /// Huawei CodeArts Build real-time log page (v3 `…/real-time-log`, or the
    /// v1 full run log).
    CodeartsRealtimeLog,
    /// Huawei CodeArts Build task-log / download-log text file.
    CodeartsLog,
    /// Tencent BlueKing JOB v2 `get_job_instance_log` (both server generations).
    BkjobLog,
    /// Tencent BlueKing JOB v3 `get_job_instance_ip_log` and `batch_get_job_instance_ip_log`.
    BkjobIpLog,
    /// Tencent BlueKing JOB v3 `get_job_instance_status`.
    BkjobStatus,
}

impl Source {
    /// Every source, in the order detection prefers them.
    pub const ALL: &'static [Source] = &[
        Source::SwrJobLog,
        Source::SwrJobHistory,
        Source::CodeartsRealtimeLog,
        Source::CodeartsLog,
        Source::BkjobLog,
        Source::BkjobIpLog,
        Source::BkjobStatus,
    ];

    /// The kebab-case name used by the CLI and the NDJSON `source` key.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::SwrJobLog => "swr-job-log",
            Source::SwrJobHistory => "swr-job-history",
            Source::CodeartsRealtimeLog => "codearts-realtime-log",
            Source::CodeartsLog => "codearts-log",
            Source::BkjobLog => "bkjob-log",
            Source::BkjobIpLog => "bkjob-ip-log",
            Source::BkjobStatus => "bkjob-status",
        }
    }

    /// One line on what the source is.
    pub const fn description(self) -> &'static str {
        match self {
            Source::SwrJobLog => {
                "Huawei ContainerOps/SWR pipeline step job log (JSON; log[].content is JSON inside a string)"
            }
            Source::SwrJobHistory => {
                "Huawei ContainerOps/SWR pipeline step job history (JSON array of jobs)"
            }
            Source::CodeartsRealtimeLog => {
                "Huawei CodeArts Build real-time log page (JSON, v3 offset/content or v1 start_offset/log)"
            }
            Source::CodeartsLog => {
                "Huawei CodeArts Build task-log / download-log (text, one prefixed line each)"
            }
            Source::BkjobLog => {
                "Tencent BlueKing JOB v2 get_job_instance_log (JSON; steps, host results, log lines)"
            }
            Source::BkjobIpLog => {
                "Tencent BlueKing JOB v3 get_job_instance_ip_log / batch_get_job_instance_ip_log (JSON)"
            }
            Source::BkjobStatus => {
                "Tencent BlueKing JOB v3 get_job_instance_status (JSON; job, step and host status)"
            }
        }
    }

    /// Whether the payload is JSON (as opposed to text).
    pub const fn is_json(self) -> bool {
        match self {
            Source::SwrJobLog | Source::SwrJobHistory | Source::CodeartsRealtimeLog => true,
            Source::BkjobLog | Source::BkjobIpLog | Source::BkjobStatus => true,
            Source::CodeartsLog => false,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Source::from_str`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSourceError {
    found: String,
}

impl fmt::Display for ParseSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        write!(
            f,
            "unknown source {:?}: expected one of {}",
            self.found,
            names.join(", ")
        )
    }
}

impl std::error::Error for ParseSourceError {}

impl FromStr for Source {
    type Err = ParseSourceError;

    /// Parses a kebab-case source name (ASCII case and `_` for `-` forgiven).
    ///
    /// # Errors
    /// [`ParseSourceError`], whose message lists the names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Source::ALL
            .iter()
            .copied()
            .find(|src| src.as_str() == t)
            .ok_or_else(|| ParseSourceError {
                found: s.chars().take(40).collect(),
            })
    }
}

/// Serialized as its kebab-case name.
impl serde::Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Source::ALL {
            assert_eq!(s.as_str().parse::<Source>().unwrap(), *s);
            assert_eq!(
                s.as_str()
                    .to_uppercase()
                    .replace('-', "_")
                    .parse::<Source>()
                    .unwrap(),
                *s
            );
            assert!(!s.description().is_empty());
        }
    }

    #[test]
    fn err_lists_names() {
        let e = "jenkins".parse::<Source>().unwrap_err();
        assert!(
            e.to_string()
                .starts_with("unknown source \"jenkins\": expected one of swr-job-log, ")
        );
    }
}
