//! Problems found while reading a trace. None stops the reader: each is reported once, with the
//! file offset where it was first seen, and the rest of the file still counts.

use std::collections::HashMap;
use std::fmt;

/// What kind of problem an [`EtlIssue`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EtlIssueKind {
    /// The bytes are not an ETL trace at all.
    NotEtl,
    /// The log header (session start, clock) is missing or unusable: event times are unknown.
    BadHeader,
    /// WPP (`TraceMessage`) records: a trace from before Windows 10 1709 whose messages can only
    /// be decoded with Microsoft's symbols.
    Wpp,
    /// Events from a provider other than Windows Update (`WUTraceLogging`).
    OtherProvider,
    /// The session lost events or buffers while tracing: lines are missing.
    EventsLost,
    /// The file ends inside a buffer, typically a copy of a trace still being written.
    TruncatedBuffer,
    /// A TraceLogging field of a type this reader does not know; the event's later fields are
    /// not decoded.
    UnknownFieldType,
    /// A buffer header that does not fit (sizes, compression).
    BadBuffer,
    /// A record whose sizes or self-description do not fit; it is skipped.
    BadRecord,
    /// The compressed buffers expand past the cap on decompressed bytes per file
    /// ([`DECOMPRESSED_CAP`](super::DECOMPRESSED_CAP)): the rest of the file is not read.
    TooLarge,
}

impl EtlIssueKind {
    /// A short name for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotEtl => "not an ETL trace",
            Self::BadHeader => "log header missing or unusable",
            Self::Wpp => "pre-1709 WPP trace, needs symbols",
            Self::OtherProvider => "not Windows Update events",
            Self::EventsLost => "events lost while tracing",
            Self::TruncatedBuffer => "truncated buffer",
            Self::UnknownFieldType => "unknown field type",
            Self::BadBuffer => "bad buffer",
            Self::BadRecord => "bad record",
            Self::TooLarge => "decompression cap reached",
        }
    }
}

/// One problem found in a trace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct EtlIssue {
    /// File offset where it was (first) seen.
    pub offset: usize,
    /// What kind of problem it is.
    pub kind: EtlIssueKind,
    /// A sentence for people: what was found and what it means for the log.
    pub message: String,
    /// How many occurrences this issue stands for (records, events or buffers); at least 1.
    pub count: usize,
}

impl fmt::Display for EtlIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offset 0x{:x}: {}: {}",
            self.offset,
            self.kind.describe(),
            self.message
        )
    }
}

/// Detailed bad-record reports kept per file; the rest are counted in one summary.
const MAX_DETAILED: usize = 20;

/// Collects issues while a file is read: one-off problems are kept as they come, repeated ones
/// are grouped under a key and reported once with their count.
#[derive(Default)]
pub(crate) struct Issues {
    list: Vec<EtlIssue>,
    grouped: HashMap<EtlIssueKind, HashMap<String, usize>>,
    detailed: usize,
    dropped: Option<(usize, usize)>,
}

impl Issues {
    /// Records a one-off problem.
    pub(crate) fn add(&mut self, kind: EtlIssueKind, offset: usize, message: String) {
        if kind == EtlIssueKind::BadRecord || kind == EtlIssueKind::BadBuffer {
            if self.detailed >= MAX_DETAILED {
                let (count, _) = self.dropped.get_or_insert((0, offset));
                *count += 1;
                return;
            }
            self.detailed += 1;
        }
        self.list.push(EtlIssue {
            offset,
            kind,
            message,
            count: 1,
        });
    }

    /// Records a problem that stands for `count` occurrences.
    pub(crate) fn add_counted(
        &mut self,
        kind: EtlIssueKind,
        offset: usize,
        message: String,
        count: usize,
    ) {
        self.list.push(EtlIssue {
            offset,
            kind,
            message,
            count: count.max(1),
        });
    }

    /// Whether an issue of this kind was recorded.
    pub(crate) fn has(&self, kind: EtlIssueKind) -> bool {
        self.list.iter().any(|i| i.kind == kind)
    }

    /// Records one occurrence of a repeated problem. `message` is built on the first one only;
    /// a `{count}` in it is replaced by the number of occurrences at the end.
    pub(crate) fn group(
        &mut self,
        kind: EtlIssueKind,
        key: &str,
        offset: usize,
        message: impl FnOnce() -> String,
    ) {
        let groups = self.grouped.entry(kind).or_default();
        if let Some(&index) = groups.get(key) {
            if let Some(issue) = self.list.get_mut(index) {
                issue.count += 1;
            }
            return;
        }
        groups.insert(key.to_owned(), self.list.len());
        self.list.push(EtlIssue {
            offset,
            kind,
            message: message(),
            count: 1,
        });
    }

    /// The issues, in the order first seen, with grouped counts written into their messages.
    pub(crate) fn finish(mut self) -> Vec<EtlIssue> {
        if let Some((count, offset)) = self.dropped {
            self.list.push(EtlIssue {
                offset,
                kind: EtlIssueKind::BadRecord,
                message: format!("{count} more bad records or buffers, not listed one by one"),
                count,
            });
        }
        for &index in self.grouped.values().flat_map(HashMap::values) {
            if let Some(issue) = self.list.get_mut(index) {
                issue.message = issue.message.replace("{count}", &issue.count.to_string());
            }
        }
        self.list
    }
}
