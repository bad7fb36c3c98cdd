//! [`Cursor`]: where a followed log stands, serde-serializable.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::note::Notes;
use crate::source::Source;

/// What the page offsets count, once inferred.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// Not inferred yet (every page so far was ASCII, or nothing fitted).
    #[default]
    Unknown,
    /// Offsets count UTF-8 bytes of the decoded content.
    Bytes,
    /// Offsets count characters (Unicode scalar values).
    Chars,
}

/// Where a followed log stands: enough to resume without loss or duplication.
///
/// Serialize it (it is `serde`-serializable) after each page; build a
/// [`Follower::resume`](super::Follower::resume) from it later.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub(super) offset: Option<u64>,
    pub(super) recent: VecDeque<PageSig>,
    pub(super) unit: OffsetUnit,
    pub(super) partial: String,
    pub(super) partial_tail: Vec<u8>,
    pub(super) partial_notes: Notes,
    pub(super) open_step: Option<(String, String)>,
    /// The workflow-command group open at this point (`::group::name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) open_group: Option<String>,
    pub(super) next_seq: u64,
    pub(super) more: Option<bool>,
    pub(super) pending: Notes,
    pub(super) source: Option<Source>,
    pub(super) bom_checked: bool,
    /// Events below this `seq` were sent before a feed stopped: feeding the
    /// same input again skips them.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub(super) skip_to: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Cursor {
    /// The offset to request next (the end of the last page), if any page
    /// carried offsets.
    pub fn offset(&self) -> Option<u64> {
        self.offset
    }

    /// The inferred offset unit.
    pub fn unit(&self) -> OffsetUnit {
        self.unit
    }

    /// The `seq` the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Bytes of an unfinished line held back.
    pub fn held_back(&self) -> usize {
        self.partial.len() + self.partial_tail.len()
    }

    /// Whether the last page said no more data is available (`has_more_data`
    /// false). The build may still be running: poll its status to know.
    pub fn no_more_data(&self) -> bool {
        self.more == Some(false)
    }

    /// Notes waiting for the next event (a gap or rewind seen on a page that
    /// produced no event).
    pub fn pending_notes(&self) -> Notes {
        self.pending
    }
}

/// How many recent pages are remembered to recognise a stale copy.
pub(super) const RECENT_PAGES: usize = 16;

/// A cheap signature of a page: its offsets, content length, and a hash of
/// the first and last 64 bytes of its content. A stale copy of a page seen
/// before matches it; a rewound log (new text at old offsets) does not,
/// since its lines carry other millisecond timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct PageSig {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) len: u64,
    pub(super) sample: u64,
}

impl PageSig {
    pub(super) fn of(start: u64, end: u64, content: Option<&str>) -> PageSig {
        let c = content.unwrap_or_default().as_bytes();
        // FNV-1a over a sample: stable across processes and versions.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let head = c.get(..c.len().min(64)).unwrap_or_default();
        let tail = c.get(c.len().saturating_sub(64)..).unwrap_or_default();
        for &b in head.iter().chain(tail) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        PageSig {
            start,
            end,
            len: c.len() as u64,
            sample: h,
        }
    }
}
