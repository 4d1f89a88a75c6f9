//! The owned result of a diagnosis: what every report and binding is made from.
//!
//! Serialized, it is the JSON contract (`schema_version` 1): fields may be added, none may change
//! meaning without a new schema version. Every list is in a fixed order, so the same inputs
//! always give the same bytes.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::correlate::{Correlation, OffsetBasis, ServerScope};
pub use crate::error::ProblemKind;
pub use crate::events::{EndpointKind, Operation, UpdateSource};
pub use crate::input::{LogKind, TextEncoding};
pub use crate::knowledge::rules::{Confidence, Severity};

/// The JSON schema version this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything wsusdiag found in a set of logs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Diagnosis {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// One entry per input log, in the order given.
    pub inputs: Vec<InputSummary>,
    /// Per client log: its clock's offset to server UTC.
    pub clock_offsets: Vec<ClockOffset>,
    /// One entry per client failure, by client source then line.
    pub faults: Vec<Fault>,
    /// Server failures no client fault was joined to, by source then line.
    pub server_faults: Vec<ServerSide>,
    /// One entry per known issue matched, the most serious and most certain first.
    pub findings: Vec<Finding>,
    /// Per client log: who it is and how its detections went.
    pub clients: Vec<ClientSummary>,
}

impl Diagnosis {
    /// Whether any client or server failure was found (the command's exit status 1).
    pub fn has_faults(&self) -> bool {
        !self.faults.is_empty() || !self.server_faults.is_empty() || !self.findings.is_empty()
    }
}

/// Name and version of the tool.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Tool {
    /// `wsusdiag`.
    pub name: Cow<'static, str>,
    /// The crate version.
    pub version: Cow<'static, str>,
}

impl Default for Tool {
    fn default() -> Self {
        Self {
            name: Cow::Borrowed("wsusdiag"),
            version: Cow::Borrowed(env!("CARGO_PKG_VERSION")),
        }
    }
}

/// How one input was read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct InputSummary {
    /// The path or buffer name.
    pub path: String,
    /// `client-classic`, `client-win10`, `client-etl`, `client-fragment`, `server` or
    /// `server-fragment`; null when unknown.
    pub kind: Option<LogKind>,
    /// The text encoding it was decoded from.
    pub encoding: TextEncoding,
    /// Size in bytes.
    pub bytes: u64,
    /// Entries read.
    pub records: u64,
    /// Lines that could not be read and were skipped.
    pub malformed_lines: u64,
    /// What was taken off or repaired to read pasted text (`unwrapped markdown`, `decoded HTML
    /// entities`, `ignored 3 lines of prose`, …); empty for a log read as written.
    pub repairs: Vec<String>,
    /// The first problems found (malformed lines, a cut end, an unknown format), at most 20.
    pub problems: Vec<Problem>,
}

/// A problem in an input, with its position.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// 1-based line (0 when it concerns the whole input).
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What kind of problem (`bad-header`, `binary`, `truncated`, `unknown-format`, …).
    pub kind: ProblemKind,
    /// A sentence for people.
    pub message: String,
    /// The offending text, cut.
    pub text: String,
}

/// The offset of a client log's clock to server UTC.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClockOffset {
    /// The client log.
    pub source: String,
    /// Server UTC minus the client log's time, in seconds; null when it cannot be known.
    pub offset_seconds: Option<i64>,
    /// How it was found: `fault-id` (median over joined faults), `tz-banner` (the log's
    /// `tz:`), `utc` (the log is in UTC), or null.
    pub basis: Option<OffsetBasis>,
    /// Fault-ID pairs the estimate rests on.
    pub pairs: u32,
    /// `tz:` of the log, in minutes east of UTC, when it has one.
    pub tz_minutes: Option<i32>,
    /// The part of the offset the time zone does not explain: clock skew, in seconds, when
    /// both the banner and joined faults are known.
    pub skew_seconds: Option<i64>,
}

/// One client failure, and what the server logged about it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Fault {
    /// What the client logged.
    pub client: ClientSide,
    /// What the server logged, when joined.
    pub server: Option<ServerSide>,
    /// `fault-id`, `time-window`, `ambiguous` (two or more server entries fit: see
    /// `candidates`) or `none`.
    pub correlation: Correlation,
    /// The failure's family in the time-join table (`data/joins.toml`): `fault-id`,
    /// `soap-fault`, `http-500`, `server-time-out`, `service-unavailable`, `gateway`,
    /// `client-time-out`, `connection`, `dns`, `tls`, `auth` or `other`. It decides which
    /// server entries the failure may be joined to by time; most families, none.
    pub failure_kind: Cow<'static, str>,
    /// The window searched for a join by time; null when none was searched (joined by fault
    /// ID, a family that joins nothing by time, the clock offset unknown, or no server log
    /// that may be the client's).
    pub time_window: Option<TimeWindow>,
    /// When `ambiguous`: the server entries that fit, in time order; else empty.
    pub candidates: Vec<ServerSide>,
    /// The known issue it matches, if any.
    pub rule_id: Option<String>,
    /// `confirmed` or `probable`, when a rule matched.
    pub confidence: Option<Confidence>,
}

/// The time window a fault was joined by time in (or found ambiguous or unjoined in).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeWindow {
    /// Half-width: server entries within this many seconds of the fault's UTC time fit.
    pub seconds: i64,
    /// What it rests on: `fault-id` (the spread of the clock offset's fault-ID pairs: tight),
    /// `tz-banner` or `utc` (the clock's own error unknown: the widest window, two minutes by
    /// default).
    pub basis: OffsetBasis,
    /// Which server logs were searched: `matched` (those that name the host of the client's
    /// server URL), or `host-unknown` (the client's server host, or the server logs' hosts,
    /// could not be known: every server log that may be the client's).
    pub servers: ServerScope,
}

/// The client's view of a fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ClientSide {
    /// The client log.
    pub source: String,
    /// 1-based line of the first line of the fault.
    pub line: u32,
    /// Time as the client log wrote it (its local time), ISO 8601 without zone.
    pub time: Option<String>,
    /// The same time in UTC, when the log's clock offset is known.
    pub time_utc: Option<String>,
    /// The HRESULT, as `0x8024400E`.
    pub hresult: String,
    /// Its symbolic name (`WU_E_PT_SOAP_SERVER`).
    pub hresult_name: Option<Cow<'static, str>>,
    /// What it means, in a sentence.
    pub hresult_description: Option<Cow<'static, str>>,
    /// Every other code logged with this failure.
    pub related_codes: Vec<String>,
    /// The web method that failed (`SyncUpdates`).
    pub method: Option<String>,
    /// The SOAP fault ID.
    pub fault_id: Option<String>,
    /// The SOAP fault `ErrorCode`.
    pub error_code: Option<String>,
    /// The SOAP fault message.
    pub fault_message: Option<String>,
    /// HTTP status of the call.
    pub http_status: Option<u32>,
    /// `soap client error = N`.
    pub soap_client_error: Option<u32>,
    /// `soap error code = N`.
    pub soap_error_code: Option<u32>,
    /// The server URL the client was using.
    pub server_url: Option<String>,
    /// The operation that failed (`scan`, `download`, `install`, `reporting`, `self-update`,
    /// `call`), when the log says (Windows 10).
    pub operation: Option<Operation>,
    /// The line that says how the operation ended, when it is not `line`.
    pub outcome_line: Option<u32>,
    /// The URL the failed call went to, when the log shows it for this call (Windows 10);
    /// else the call went to `server_url`.
    pub endpoint: Option<String>,
    /// Whose server the call went to: `wsus`, `microsoft` or `unknown`.
    pub endpoint_kind: EndpointKind,
    /// The lines of the fault.
    pub evidence: Vec<Evidence>,
}

/// The server's view of a fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ServerSide {
    /// The server log.
    pub source: String,
    /// 1-based line of the entry.
    pub line: u32,
    /// Time, UTC.
    pub time: Option<String>,
    /// `process.thread` (`w3wp.12`).
    pub thread: String,
    /// The `Class.Method` that wrote the entry.
    pub logger: String,
    /// The web service URL the fault names (`actor`).
    pub actor: Option<String>,
    /// Whether the fault came from the upstream server (`USS ThrowException`), not a client.
    pub upstream: bool,
    /// The fault ID of the `ThrowException` entry.
    pub throw_id: Option<String>,
    /// Its `ErrorCode`.
    pub error_code: Option<String>,
    /// Its `Message`.
    pub message: Option<String>,
    /// Its `Client` (the client's identity).
    pub client: Option<String>,
    /// The exception that caused it.
    pub cause: Option<Cause>,
    /// The entries shown as evidence.
    pub evidence: Vec<Evidence>,
}

/// The exception behind a server fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Cause {
    /// The exception type (`System.ArgumentException`).
    pub exception: String,
    /// Its message.
    pub message: String,
    /// The WSUS method it happened in (`ClientImplementation.GetSyncInfo`).
    pub method: Option<String>,
    /// 1-based line of the exception entry.
    pub line: u32,
    /// Inner exceptions, outermost first, as `Type: message`.
    pub inner: Vec<String>,
    /// SQL error number, for database errors.
    pub sql_number: Option<i64>,
}

/// A known issue that matched.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct Finding {
    /// The rule's id (`KB954960`).
    pub rule_id: String,
    /// Its title.
    pub title: String,
    /// What would confirm the cause, when only the error code points at it (`possible`).
    pub confirm: Option<String>,
    /// The hosts the failed calls went to, when the log shows them.
    pub endpoints: Vec<String>,
    /// `critical`, `error`, `warning` or `info`.
    pub severity: Severity,
    /// `confirmed` when client and server evidence were joined, else `probable`.
    pub confidence: Confidence,
    /// Faults or lines it matched.
    pub occurrences: u32,
    /// The client logs it was seen in.
    pub clients: Vec<String>,
    /// Why it happens.
    pub cause: String,
    /// The fix, step by step.
    pub remediation: Vec<String>,
    /// Where to read more.
    pub references: Vec<String>,
    /// The log lines that show it (client first, then server), at most a few per occurrence.
    pub evidence: Vec<Evidence>,
}

/// One log line quoted as evidence.
///
/// Its texts are shared: a fault's lines name the same log, and the text of a line quoted by
/// several faults and findings is held once.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct Evidence {
    /// The log.
    pub source: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// The line's text as the log has it (cut when long).
    pub text: Arc<str>,
    /// What the line shows that it does not say itself (`this detection took 1 h 30 min`);
    /// absent from the JSON when none.
    #[serde(default)]
    pub note: Option<String>,
}

/// `note` is left out of text formats (JSON) when there is none; binary formats, which have
/// no field names, always carry it.
impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let with_note = self.note.is_some() || !s.is_human_readable();
        let mut st = s.serialize_struct("Evidence", 3 + usize::from(with_note))?;
        st.serialize_field("source", &self.source)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("text", &self.text)?;
        if with_note {
            st.serialize_field("note", &self.note)?;
        }
        st.end()
    }
}

impl Evidence {
    /// The line `line` of the log `source`, whose text is `text`, without a note.
    pub fn new(source: Arc<str>, line: u32, text: Arc<str>) -> Self {
        Self {
            source,
            line,
            text,
            note: None,
        }
    }
}

/// One client log, summed up.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[non_exhaustive]
pub struct ClientSummary {
    /// The client log.
    pub source: String,
    /// Its SusClientId, when logged.
    pub client_id: Option<String>,
    /// Its DNS name, when logged.
    pub dns_name: Option<String>,
    /// The WSUS server URL it used.
    pub server_url: Option<String>,
    /// The WSUS server its policy names (`WSUS server:` of the policy snapshot), when the log
    /// shows the snapshot; `""` when the policy names none (`(null)`).
    pub wsus_policy: Option<String>,
    /// The update services it talked to, in order: `wsus`, `windows-update`,
    /// `microsoft-update`, `store`, `flighting`, or `microsoft` (another Microsoft host).
    pub update_sources: Vec<UpdateSource>,
    /// The Windows Update agent's version (`WU client version`), when logged.
    pub agent_version: Option<String>,
    /// The OS version, when logged.
    pub os_version: Option<String>,
    /// Detections started.
    pub detections: u32,
    /// Scans that ended well.
    pub scans_succeeded: u32,
    /// Downloads that ended well (Windows 10: DO or BITS jobs completed).
    pub downloads_succeeded: u32,
    /// Updates installed (Windows 10).
    pub installs_succeeded: u32,
    /// Failure lines whose operation then succeeded (a retry, a refreshed link): recovered,
    /// not faults.
    pub recovered: u32,
    /// Faults found.
    pub failures: u32,
    /// Time of the last successful detection (log time).
    pub last_success: Option<String>,
    /// Time of the last fault (log time).
    pub last_failure: Option<String>,
}
