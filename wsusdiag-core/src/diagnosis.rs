//! The owned result of a diagnosis: what every report and binding is made from.
//!
//! Serialized, it is the JSON contract (`schema_version` 2): fields may be added, none may change
//! meaning without a new schema version. Every list is in a fixed order, so the same inputs
//! always give the same bytes. A fault and the lines it quotes name their log by its index in
//! `inputs`; each error code is described once, in `codes`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::correlate::{CANDIDATES_CAP, Correlation, OffsetBasis, ServerScope, TimeWindow};
pub use crate::error::ProblemKind;
pub use crate::events::{EndpointKind, Operation, UpdateSource};
pub use crate::groups::{FaultGroup, ServerFaultGroup};
pub use crate::input::{LogKind, TextEncoding};
pub use crate::key_lines::KEY_LINES_CAP;
pub use crate::knowledge::rules::{Confidence, Severity};
pub use crate::pipeline::{Cause, Evidence, InputSummary, Problem};
pub use crate::run::EvidenceDetail;

/// The JSON schema version this crate writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything wsusdiag found in a set of logs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, JsonSchema)]
#[non_exhaustive]
pub struct Diagnosis {
    /// The version of this schema: 2 ([`SCHEMA_VERSION`]).
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// One entry per input log, in the order given.
    pub inputs: Vec<InputSummary>,
    /// Per client log: its clock's offset to server UTC.
    pub clock_offsets: Vec<ClockOffset>,
    /// Each error code the faults name (their `hresult` and `related_codes`) that wsusdiag
    /// knows, by code (`0x8024400E`).
    pub codes: BTreeMap<String, Code>,
    /// One entry per client failure, by client log then line.
    pub faults: Vec<Fault>,
    /// The faults of the same client log, code, web method, known issue and server cause,
    /// together, in the order of their first fault.
    pub fault_groups: Vec<FaultGroup>,
    /// Server failures no client fault was joined to, by server log then line.
    pub server_faults: Vec<ServerSide>,
    /// The server faults of the same log, exception, method and message (its numbers and IDs
    /// left out), together, in the order of their first.
    pub server_fault_groups: Vec<ServerFaultGroup>,
    /// One entry per known issue matched, the most serious and most certain first.
    pub findings: Vec<Finding>,
    /// Per client log: who it is and how its detections went.
    pub clients: Vec<ClientSummary>,
}

impl Diagnosis {
    /// The path or buffer name of the input at `index`.
    pub fn input_path(&self, index: u32) -> &str {
        (self.inputs.get(index as usize)).map_or("", |i| i.path.as_str())
    }

    /// The server fault `r` names (a candidate of an ambiguous fault), when it is one.
    pub fn server_fault(&self, r: ServerRef) -> Option<&ServerSide> {
        let at = |s: &ServerSide| (s.input, s.line);
        // In order of log and line, as a diagnosis lists them: found at once. A list changed
        // out of that order is searched through.
        match (self.server_faults).binary_search_by_key(&(r.input, r.line), at) {
            Ok(i) => Some(&self.server_faults[i]),
            Err(_) => (self.server_faults.iter()).find(|s| at(s) == (r.input, r.line)),
        }
    }

    /// Makes `fault_groups` and `server_fault_groups` again from the faults, after they were
    /// changed (filtered, merged).
    pub fn regroup(&mut self) {
        crate::groups::group(self);
    }

    /// Whether any client or server failure was found (the command's exit status 1).
    pub fn has_faults(&self) -> bool {
        !self.faults.is_empty() || !self.server_faults.is_empty() || !self.findings.is_empty()
    }
}

/// Name and version of the tool.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
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

/// What an error code means.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
pub struct Code {
    /// Its symbolic name (`WU_E_PT_SOAP_SERVER`).
    pub name: Cow<'static, str>,
    /// What it means, in a sentence.
    pub description: Cow<'static, str>,
}

/// A server entry named by its log (index in `inputs`) and line.
#[derive(
    Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema,
)]
#[non_exhaustive]
pub struct ServerRef {
    /// The server log: its index in `inputs`.
    pub input: u32,
    /// 1-based line of the entry.
    pub line: u32,
}

/// The offset of a client log's clock to server UTC.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
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
    /// When `ambiguous`: the server entries that fit, in time order, else empty; each is among
    /// `server_faults`. At most eight ([`CANDIDATES_CAP`]), the nearest in time: `time_window.fits`
    /// says how many fit in all.
    pub candidates: Vec<ServerRef>,
    /// The known issue it matches, if any.
    pub rule_id: Option<String>,
    /// `confirmed` or `probable`, when a rule matched.
    pub confidence: Option<Confidence>,
}

impl Fault {
    /// How many server events fit the time window: for an ambiguous fault, all of those that
    /// could explain it, where `candidates` names the nearest few. (A diagnosis read from JSON
    /// written before the window counted them has its candidates only.)
    pub fn fits(&self) -> usize {
        let counted = (self.time_window.as_ref()).map_or(0, |w| w.fits);
        (counted as usize).max(self.candidates.len())
    }
}

/// The client's view of a fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
#[non_exhaustive]
pub struct ClientSide {
    /// The client log: its index in `inputs`.
    pub input: u32,
    /// 1-based line of the first line of the fault.
    pub line: u32,
    /// Time as the client log wrote it (its local time), ISO 8601 without zone.
    pub time: Option<String>,
    /// The same time in UTC, when the log's clock offset is known.
    pub time_utc: Option<String>,
    /// The HRESULT, as `0x8024400E` (described in `codes` when known).
    pub hresult: String,
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
    /// Every line of the fault (1-based), runs of lines written first-last: `47-59,63,65-66`.
    pub lines: String,
    /// The text of its key lines (the failure, the fault's ErrorCode and ID), at most
    /// [`KEY_LINES_CAP`]; of all its lines with [`EvidenceDetail::Full`].
    pub evidence: Vec<Evidence>,
}

/// The server's view of a fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
#[non_exhaustive]
pub struct ServerSide {
    /// The server log: its index in `inputs`.
    pub input: u32,
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
    /// Its `ErrorCode`; for a ConfigMgr site-server failure, the HRESULT it logs (`LE=` of a
    /// status message, `hr=0x…`), as `0x8013150A`.
    pub error_code: Option<String>,
    /// Its `Message`.
    pub message: Option<String>,
    /// Its `Client` (the client's identity).
    pub client: Option<String>,
    /// The exception that caused it.
    pub cause: Option<Cause>,
    /// The lines of the entries behind it (the exception, the `ThrowException`), as `lines`
    /// of a client fault: `6,18`.
    pub lines: String,
    /// Their text, with [`EvidenceDetail::Full`]; else empty (the fields above say what they
    /// say, and a finding quotes them).
    pub evidence: Vec<Evidence>,
}

/// One client log, summed up.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
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

/// A known issue that matched.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
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
