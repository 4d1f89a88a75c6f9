//! Windows Update `.etl` traces (ETW TraceLogging), read without Windows.
//!
//! Since Windows 10 1709 (build 16299) and Windows Server 2019, Windows Update writes its log as
//! ETW traces in `%WINDIR%\Logs\WindowsUpdate\WindowsUpdate.*.etl`. Every event there comes from
//! the TraceLogging provider `WUTraceLogging` and describes itself: it carries its provider name,
//! its event name (the log component: `Agent`, `ComApi`, …) and its field names and types. The
//! single field `Info` is the finished log line. So this reader needs no symbols, manifests or
//! Windows APIs, and runs anywhere.
//!
//! What it reads: the buffers of the file (each with its own size and fill level, some
//! LZ77-compressed), the log header (session start, clock, the recording machine's time zone,
//! events lost), the event records with their extended data, and the TraceLogging metadata. Raw
//! clock values become exact UTC times.
//!
//! What it does not guess: traces from before 1709 (and from Windows Server 2016) are WPP
//! traces whose text lives in Microsoft's symbols; events of other providers without
//! self-description need their manifest. Both are counted and explained in
//! [`EtlLog::issues`], as are lost events, files cut while being written, damaged records and
//! field types this reader does not know. Nothing is skipped silently, and a problem in one
//! place never hides the rest of the file.
//!
//! Times are UTC, unlike the text `Get-WindowsUpdateLog` writes, which is in the local time of
//! the machine that ran it. [`TimeZone::to_local`] gives the recording machine's local time.
//!
//! Cost: [`read`] borrows names and payloads from the input (only events of compressed buffers
//! own copies) and allocates nothing per event beyond its slot in [`EtlLog::events`]; message
//! text stays UTF-16 until asked for. [`EtlEvent::write_message`] appends it to a caller's buffer
//! without allocating, [`EtlEvent::message`] returns a new string. `read` followed by
//! `write_message` on every event is the path to benchmark.
//!
//! ```
//! # fn demo(bytes: &[u8]) {
//! use wsusdiag_core::etl;
//!
//! if etl::is_etl(bytes) {
//!     let log = etl::read(bytes);
//!     let mut line = String::new();
//!     for event in log.windows_update_events() {
//!         line.clear();
//!         event.write_message(&mut line);
//!         println!("{} {} {} {} {line}", event.time, event.pid, event.tid, event.component());
//!     }
//!     for issue in &log.issues {
//!         eprintln!("{issue}");
//!     }
//! }
//! # }
//! ```

mod buffer;
mod bytes;
mod event;
mod header;
mod issue;
mod lz77;
mod reader;
mod record;
mod time;
mod tracelogging;

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod writer;

use std::fmt::Write as _;

pub use buffer::{BUFFER_CAP, DECOMPRESSED_CAP};
pub(crate) use event::write_log_header;
pub use event::{EtlEvent, Guid, WINDOWS_UPDATE_PROVIDER, WINDOWS_UPDATE_PROVIDER_NAME};
pub use header::LogHeader;
pub use issue::{EtlIssue, EtlIssueKind};
pub use time::{
    ClockType, FILETIME_EPOCH, TimeZone, TransitionRule, filetime_to_utc, utc_to_filetime,
};
pub use tracelogging::{Field, Value};

/// Whether `bytes` look like an ETL trace: the first buffer header is followed by a log-header
/// record (a system trace header with hook ID 0). Reads 80 bytes at most.
pub fn is_etl(bytes: &[u8]) -> bool {
    let size = bytes::u32_at(bytes, 0).unwrap_or(0) as usize;
    let marker = bytes::u32_at(bytes, 0x48).unwrap_or(0);
    size >= buffer::BUFFER_HEADER_LEN
        && matches!(marker >> 16, 0xC001 | 0xC002)
        && bytes::u16_at(bytes, 0x4E) == Some(0)
}

/// Reads an ETL trace. Never fails: what cannot be read is explained in [`EtlLog::issues`] (for
/// bytes that are no trace at all, one [`EtlIssueKind::NotEtl`] issue and no events).
///
/// Events are in time order (ties keep file order). Names and payloads borrow `bytes`, except
/// for events from compressed buffers, which own theirs.
pub fn read(bytes: &[u8]) -> EtlLog<'_> {
    reader::read_file(bytes, 0)
}

/// Reads several traces of one machine (e.g. a folder of `WindowsUpdate.*.etl`) as one log:
/// all events in time order, each carrying in [`EtlEvent::file`] the index of its input in
/// `files`. Each input's header, issues and providers stay with it in [`EtlSet::files`].
pub fn read_many<'a>(files: &[(&str, &'a [u8])]) -> EtlSet<'a> {
    let mut set = EtlSet {
        files: Vec::with_capacity(files.len()),
        events: Vec::new(),
    };
    for (index, &(name, bytes)) in files.iter().enumerate() {
        let log = reader::read_file(bytes, index);
        set.events.extend(log.events);
        set.files.push(EtlFile {
            name: name.to_owned(),
            header: log.header,
            issues: log.issues,
            providers: log.providers,
        });
    }
    // Each file's events are already in order: a stable sort merges the runs.
    set.events.sort_by_key(|e| e.time);
    set
}

/// A decoded trace.
#[derive(Clone, Debug)]
pub struct EtlLog<'a> {
    /// What the log header says about the recording session.
    pub header: LogHeader,
    /// Decoded events (TraceLogging and string-only events of every provider), in time order.
    pub events: Vec<EtlEvent<'a>>,
    /// Everything that was not read, or not fully: in file order.
    pub issues: Vec<EtlIssue>,
    /// Records per provider, in order of first appearance, including those not decoded.
    pub providers: Vec<ProviderCount>,
}

impl<'a> EtlLog<'a> {
    /// The Windows Update events (provider `WUTraceLogging`).
    pub fn windows_update_events(&self) -> impl Iterator<Item = &EtlEvent<'a>> {
        self.events.iter().filter(|e| e.is_windows_update())
    }

    /// The trace holds Windows Update events.
    pub fn is_windows_update(&self) -> bool {
        self.events.iter().any(EtlEvent::is_windows_update)
    }

    /// One line per provider, e.g. `WUTraceLogging {0b7a6f19-…}: 80 TraceLogging events`.
    pub fn provider_summary(&self) -> String {
        provider_summary(&self.providers)
    }

    /// Makes the log independent of the input bytes.
    pub fn into_owned(self) -> EtlLog<'static> {
        EtlLog {
            header: self.header,
            events: self.events.into_iter().map(EtlEvent::into_owned).collect(),
            issues: self.issues,
            providers: self.providers,
        }
    }
}

/// Several traces of one machine read as one log (see [`read_many`]).
#[derive(Clone, Debug)]
pub struct EtlSet<'a> {
    /// Each input, in the order given.
    pub files: Vec<EtlFile>,
    /// Every decoded event of every input, in time order.
    pub events: Vec<EtlEvent<'a>>,
}

/// One input of an [`EtlSet`]: everything but its events.
#[derive(Clone, Debug)]
pub struct EtlFile {
    /// The name the caller gave.
    pub name: String,
    /// Its log header.
    pub header: LogHeader,
    /// Its issues.
    pub issues: Vec<EtlIssue>,
    /// Its records per provider.
    pub providers: Vec<ProviderCount>,
}

impl EtlFile {
    /// One line per provider, as [`EtlLog::provider_summary`].
    pub fn provider_summary(&self) -> String {
        provider_summary(&self.providers)
    }
}

/// How many records of one provider a trace holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ProviderCount {
    /// Provider name from the events' traits; empty when unknown.
    pub name: String,
    /// Provider GUID (nil for kernel and WPP records).
    pub id: Guid,
    /// What kind of events they are, which decides whether they were decoded.
    pub kind: ProviderKind,
    /// Number of records.
    pub events: usize,
    /// File offset of the first one.
    pub first_offset: usize,
}

/// The encoding of a provider's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ProviderKind {
    /// Self-describing TraceLogging events: decoded.
    TraceLogging,
    /// Events that are a single string (`EventWriteString`): decoded.
    StringOnly,
    /// Manifest-based events: not decoded (the layout is in the provider's manifest).
    Manifest,
    /// Classic (MOF) events: not decoded.
    Classic,
    /// Kernel events: not decoded.
    Kernel,
    /// WPP `TraceMessage` records: not decodable without symbols.
    Wpp,
}

impl ProviderKind {
    /// Whether events of this kind are decoded into [`EtlLog::events`].
    pub fn is_decoded(self) -> bool {
        matches!(self, Self::TraceLogging | Self::StringOnly)
    }

    fn label(self) -> &'static str {
        match self {
            Self::TraceLogging => "TraceLogging events",
            Self::StringOnly => "string events",
            Self::Manifest => "manifest-based events, not decoded",
            Self::Classic => "classic events, not decoded",
            Self::Kernel => "kernel events, not decoded",
            Self::Wpp => "WPP records, need symbols",
        }
    }
}

fn provider_summary(providers: &[ProviderCount]) -> String {
    let mut out = String::new();
    for p in providers {
        if !out.is_empty() {
            out.push('\n');
        }
        match (p.name.is_empty(), p.id == Guid::NIL) {
            (false, _) => {
                let _ = write!(out, "{} {{{}}}", p.name, p.id);
            }
            (true, false) => {
                let _ = write!(out, "{{{}}}", p.id);
            }
            (true, true) => out.push_str(match p.kind {
                ProviderKind::Wpp => "WPP",
                _ => "kernel",
            }),
        }
        let _ = write!(out, ": {} {}", p.events, p.kind.label());
    }
    out
}
