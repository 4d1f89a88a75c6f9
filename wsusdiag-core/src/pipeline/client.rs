//! One client log, read once: its faults, identity, detections, time zone, update source and
//! what succeeded. The result is owned, so logs can be read in parallel and joined afterwards.
//!
//! How a fault is found depends on the log's format. A classic log says each failure in a few
//! `WARNING:` lines, so a failure line and its cascade of follow-on lines are one fault. A
//! Windows 10 log traces every failed internal call (`*FAILED*`), most of them routine, so there
//! a fault is an operation whose outcome line says it failed ([`crate::events::Outcome`]); the
//! failure lines of its thread before it are its evidence ([`super::outcomes`]).

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::outcomes::{Chains, Outcomes};
use super::{EVIDENCE_TEXT_CAP, Evidence, Quoted, cut, cut_shared};
use crate::events::{ClientEvent, Ended, Operation, Outcome, SoapFault, normalize_guid};
pub(crate) use crate::events::{EndpointKind, UpdateSource};
use crate::knowledge::hresult;
use crate::knowledge::rules::BenignMatcher;
use crate::records::{ClientFormat, ClientRecord};

/// Lines of one fault kept as evidence.
pub(super) const EVIDENCE_CAP: usize = 16;
/// A follow-on line further than this from the fault's last line starts a new fault.
const CASCADE_LINES: u32 = 40;
/// A follow-on line later than this after the fault's last line starts a new fault.
const CASCADE_SECONDS: i64 = 120;
/// A fault this young (in lines) takes any failure code as part of itself.
const YOUNG_LINES: u32 = 12;
/// A line repeating an outcome this much later still belongs to it: the reporter logs its
/// `REPORT EVENT` lines up to minutes after the outcome.
const REPEAT_SECONDS: i64 = 600;
/// Lines kept per rule whose line pattern matched.
const LINE_HITS_CAP: usize = 50;

/// A line a rule's line pattern matched.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct LineHit {
    /// Index of the rule in the rule set the log was read with.
    pub rule: usize,
    pub evidence: Quoted,
}

/// One line of a fault, kept as evidence; its log is the analysis's.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct FaultLine {
    pub line: u32,
    /// The whole entry, cut when long; shared with the evidence quoting it.
    pub text: Arc<str>,
    /// Its message, for rule patterns.
    message: Message,
}

/// Where a fault line's message is.
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Message {
    /// The end of the text, from this byte (the entry was short enough to keep whole).
    Tail(usize),
    /// Cut on its own, from a long entry.
    Own(String),
}

impl FaultLine {
    /// Keeps `entry` (header and message) and its `message`, each cut when long.
    pub(super) fn new(line: u32, entry: &str, message: &str) -> Self {
        let text = cut_shared(entry);
        // A short entry is kept whole, and its message, which ends it, is its tail.
        let message = if entry.trim_end().len() <= EVIDENCE_TEXT_CAP {
            Message::Tail(text.len() - message.trim_end().len().min(text.len()))
        } else {
            Message::Own(cut(message))
        };
        Self {
            line,
            text,
            message,
        }
    }

    /// The message, cut when long.
    pub(crate) fn message(&self) -> &str {
        match &self.message {
            Message::Tail(at) => self.text.get(*at..).unwrap_or_default(),
            Message::Own(m) => m,
        }
    }

    /// The line as evidence from the log at index `input` of the inputs.
    pub(crate) fn evidence(&self, input: u32) -> Evidence {
        Evidence::new(input, self.line, Arc::clone(&self.text))
    }

    /// [`Self::evidence`], taking the text along instead of sharing it.
    pub(crate) fn into_evidence(self, input: u32) -> Evidence {
        Evidence::new(input, self.line, self.text)
    }
}

/// A client fault, owned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ClientFault {
    pub line: u32,
    pub last_line: u32,
    pub time: Option<NaiveDateTime>,
    pub last_time: Option<NaiveDateTime>,
    pub pid: Option<u32>,
    /// The main HRESULT: the outcome's (Windows 10), else the call failure's, else the first
    /// Windows Update code, else the first.
    pub hresult: u32,
    /// Every code seen, in order, without repeats.
    pub codes: Vec<u32>,
    /// Whether a `<Method> failure, error = …` line opened it.
    pub has_call: bool,
    pub method: Option<String>,
    pub fault_id: Option<String>,
    pub error_code: Option<String>,
    pub fault_message: Option<String>,
    pub http_status: Option<u32>,
    pub soap_client_error: Option<u32>,
    pub soap_error_code: Option<u32>,
    pub server_url: Option<String>,
    /// The operation that failed, when the log says (Windows 10 outcomes).
    pub operation: Option<Operation>,
    /// The line that says how the operation ended.
    pub outcome_line: Option<u32>,
    /// Classic: the line that says how its operation ended was seen, so a failure line after
    /// it, unless it repeats that outcome, is another failure.
    pub concluded: bool,
    /// The ID of the call that failed, when a callback names it.
    pub call_id: Option<String>,
    /// The URL the failed call went to, when the log shows it.
    pub endpoint: Option<String>,
    /// Whose server that is.
    pub endpoint_kind: EndpointKind,
    /// Its first lines (the log's name is added when they are reported).
    pub evidence: Vec<FaultLine>,
}

impl ClientFault {
    fn add_code(&mut self, code: u32) {
        self.keep_code(code);
        let wu = |c: u32| c & 0xFFFF_F000 >= 0x8024_0000 && c & 0xFFFF_0000 == 0x8024_0000;
        if self.hresult == 0 || (!self.has_call && !wu(self.hresult) && wu(code)) {
            self.hresult = code;
        }
    }

    /// Adds a code and makes it the fault's own, whatever was there.
    pub(super) fn set_code(&mut self, code: u32) {
        self.keep_code(code);
        self.hresult = code;
    }

    /// Keeps a code among the fault's codes, once.
    pub(super) fn keep_code(&mut self, code: u32) {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
    }

    pub(super) fn add_line(&mut self, record: &ClientRecord<'_>, entry: &str) {
        self.last_line = record.line;
        if record.time.is_some() {
            self.last_time = record.time;
        }
        if self.evidence.len() < EVIDENCE_CAP {
            self.evidence
                .push(FaultLine::new(record.line, entry, record.message));
        }
    }

    pub(super) fn merge_fault(&mut self, f: &SoapFault<'_>) {
        let own = |v: Option<&str>| v.map(str::to_owned);
        if f.method.is_some() {
            self.method = own(f.method);
        }
        if f.id.is_some() {
            self.fault_id = own(f.id);
        }
        if f.error_code.is_some() {
            self.error_code = own(f.error_code);
        }
        if f.message.is_some() {
            self.fault_message = own(f.message);
        }
        if let Some(c) = f.fault_code {
            self.soap_error_code.get_or_insert(c);
        }
    }

    /// Takes a `<Method> failure, error = …` line.
    pub(super) fn call_failure(
        &mut self,
        record: &ClientRecord<'_>,
        entry: &str,
        call: &CallFailure<'_>,
    ) {
        self.has_call = true;
        self.hresult = call.hresult;
        self.add_code(call.hresult);
        self.method = Some(call.method.to_owned());
        self.soap_client_error = call.soap_client_error;
        self.soap_error_code = call.soap_error_code;
        self.http_status = call.http_status.filter(|&s| s != 0);
        self.add_line(record, entry);
    }

    /// Whether a failure line belongs to this fault's cascade.
    fn continues_with(&self, record: &ClientRecord<'_>, code: Option<u32>) -> bool {
        if self.concluded || record.line.saturating_sub(self.last_line) > CASCADE_LINES {
            return false;
        }
        if let (Some(a), Some(b)) = (self.pid, record.pid)
            && a != b
        {
            return false;
        }
        if let (Some(a), Some(b)) = (self.last_time, record.time)
            && (b - a).num_seconds().abs() > CASCADE_SECONDS
        {
            return false;
        }
        match code {
            None => true,
            Some(c) => {
                self.codes.contains(&c) || record.line.saturating_sub(self.line) <= YOUNG_LINES
            }
        }
    }
}

/// The fields of a `<Method> failure, error = …` line.
#[derive(Clone, Copy, Debug)]
pub(super) struct CallFailure<'a> {
    pub method: &'a str,
    pub hresult: u32,
    pub soap_client_error: Option<u32>,
    pub soap_error_code: Option<u32>,
    pub http_status: Option<u32>,
}

impl<'a> CallFailure<'a> {
    /// The failed call `event` reports, if it reports one.
    pub(super) fn of(event: &ClientEvent<'a>) -> Option<Self> {
        match *event {
            ClientEvent::CallFailure {
                method,
                hresult,
                soap_client_error,
                soap_error_code,
                http_status,
            } => Some(Self {
                method,
                hresult,
                soap_client_error,
                soap_error_code,
                http_status,
            }),
            _ => None,
        }
    }
}

/// Operations that ended well, counted: what a healthy log shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Successes {
    pub scans: u32,
    pub downloads: u32,
    pub installs: u32,
    /// Failure lines whose operation then succeeded (a retry, a refreshed link).
    pub recovered: u32,
}

/// What one client log holds, owned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ClientAnalysis {
    pub faults: Vec<ClientFault>,
    /// The first `tz:` banner's offset.
    pub tz_minutes: Option<i32>,
    /// Times are UTC already (a raw trace).
    pub utc: bool,
    pub client_id: Option<String>,
    pub dns_name: Option<String>,
    pub server_url: Option<String>,
    /// The WSUS server of the policy snapshot: `Some(None)` when the policy names none.
    pub wsus_policy: Option<Option<String>>,
    /// The update services the client talked to (`wsus`, `windows-update`, …), in order.
    pub update_sources: Vec<UpdateSource>,
    pub agent_version: Option<String>,
    pub os_version: Option<String>,
    pub detections: u32,
    pub successes: Successes,
    pub last_success: Option<NaiveDateTime>,
    /// The line that showed the client ID.
    pub identity: Option<Quoted>,
    /// The longest detection, in seconds, and its first line.
    pub longest_detection: Option<(i64, Quoted)>,
    /// Lines that rules' line patterns matched.
    pub line_hits: Vec<LineHit>,
}

/// Builds the analysis of a client log record by record.
#[derive(Debug)]
pub(crate) struct ClientAnalyzer<'s> {
    source: &'s str,
    benign: &'s BenignMatcher,
    pub(super) out: ClientAnalysis,
    /// The fault being built: open to more lines.
    pub(super) open: Option<ClientFault>,
    /// Windows 10: faults are operations' failed outcomes (`None` for a classic log, whose
    /// faults are failure lines and their cascades).
    outcomes: Option<Outcomes>,
    /// Detections under way, by thread: when each started, its first line's number and text
    /// (copied: the text it was read from may be gone when the detection ends), and the idle
    /// time since (seconds without any record).
    detections: Chains<(NaiveDateTime, u32, Arc<str>, i64)>,
}

/// The thread a record was logged by.
pub(super) fn thread(record: &ClientRecord<'_>) -> (u32, u32) {
    (record.pid.unwrap_or(0), record.tid.unwrap_or(0))
}

impl<'s> ClientAnalyzer<'s> {
    pub(crate) fn new(source: &'s str, format: ClientFormat, benign: &'s BenignMatcher) -> Self {
        Self {
            source,
            benign,
            out: ClientAnalysis::default(),
            open: None,
            outcomes: (format == ClientFormat::Win10).then(Outcomes::default),
            detections: Chains::default(),
        }
    }

    fn evidence(&self, record: &ClientRecord<'_>, entry: &str) -> Quoted {
        Quoted::new(self.source.into(), record.line, cut_shared(entry))
    }

    /// Keeps `record` as a hit of each rule in `rules` (indices into the rule set).
    fn line_hits(&mut self, record: &ClientRecord<'_>, entry: &str, rules: &[usize]) {
        if rules.is_empty() || self.benign_trace(record, None) {
            return;
        }
        for &rule in rules {
            let kept = self.out.line_hits.iter().filter(|h| h.rule == rule).count();
            if kept < LINE_HITS_CAP {
                let evidence = self.evidence(record, entry);
                self.out.line_hits.push(LineHit { rule, evidence });
            }
        }
    }

    /// Whether `record` is a benign trace (with `code`, or the first code in it).
    pub(super) fn benign_trace(&self, record: &ClientRecord<'_>, code: Option<u32>) -> bool {
        let code = code.or_else(|| crate::events::first_code(record.message));
        let codes = code.as_slice();
        self.benign
            .find(record.component, record.message, codes)
            .is_some()
    }

    /// Ends the open fault: kept when it has a code.
    pub(super) fn close(&mut self) {
        if let Some(f) = self.open.take()
            && f.hresult != 0
        {
            self.out.faults.push(f);
        }
    }

    fn start(&mut self, record: &ClientRecord<'_>) -> &mut ClientFault {
        self.close();
        self.open.insert(ClientFault {
            line: record.line,
            last_line: record.line,
            time: record.time,
            last_time: record.time,
            pid: record.pid,
            server_url: self.out.server_url.clone(),
            ..ClientFault::default()
        })
    }

    /// No record was logged for `seconds` before the next one (the machine slept, or the
    /// service stopped): time the detections under way did not spend working.
    pub(crate) fn idle(&mut self, seconds: i64) {
        // Windows 10 logs something every few minutes while it works, so silence there is
        // idle time; a classic agent busy evaluating a scan (KB938947) logs nothing for hours.
        if self.outcomes.is_some() {
            self.detections.each(|d| d.3 += seconds);
        }
    }

    /// Whether [`Self::push_read`] does anything with `event` (the readers leave out the
    /// records that matter to nothing).
    pub(crate) fn uses(event: &ClientEvent<'_>) -> bool {
        !matches!(event, ClientEvent::SyncStart)
    }

    /// Takes the next record already read: its event and the rules whose line patterns it
    /// matched.
    pub(crate) fn push_read(
        &mut self,
        record: &ClientRecord<'_>,
        entry: &str,
        event: Option<ClientEvent<'_>>,
        rules: &[usize],
    ) {
        self.line_hits(record, entry, rules);
        let Some(event) = event else {
            return;
        };
        if self.context(record, entry, &event) {
            return;
        }
        if let Some(mut outcomes) = self.outcomes.take() {
            outcomes.push(self, record, entry, event);
            self.outcomes = Some(outcomes);
        } else {
            self.cascade(record, entry, event);
        }
    }

    /// Takes what every format says the same way: identity, time zone, servers, versions,
    /// detections. Returns whether the event is used up.
    fn context(&mut self, record: &ClientRecord<'_>, entry: &str, event: &ClientEvent<'_>) -> bool {
        match *event {
            ClientEvent::LoggingInitialized { tz_minutes, .. } => {
                if let Some(tz) = tz_minutes {
                    self.out.tz_minutes = self.out.tz_minutes.or(Some(tz));
                }
            }
            ClientEvent::DetectionStart { .. } => {
                self.out.detections += 1;
                if let Some(t) = record.time {
                    self.detections
                        .put(thread(record), (t, record.line, cut_shared(entry), 0));
                }
                // A classic detection closes the fault before it; a Windows 10 one starts a
                // new operation on its thread.
                match self.outcomes.as_mut() {
                    Some(o) => o.operation_starts(record),
                    None => self.close(),
                }
            }
            ClientEvent::DetectionEnd { .. } => {
                self.detection_ended(record);
                return !matches!(event, ClientEvent::DetectionEnd { exit: Some(_), .. });
            }
            ClientEvent::ServerUrl { url, service_id } => {
                if self.out.server_url.as_deref() != Some(url) {
                    self.out.server_url = Some(url.to_owned());
                }
                let source = UpdateSource::of(url, service_id);
                if !self.out.update_sources.contains(&source) {
                    self.out.update_sources.push(source);
                }
                if let Some(o) = self.outcomes.as_mut() {
                    o.url_seen(record, url);
                }
            }
            ClientEvent::WsusPolicy { url } => {
                self.out.wsus_policy = Some(url.map(str::to_owned));
                if let Some(url) = url {
                    self.out.server_url = Some(url.to_owned());
                }
            }
            ClientEvent::AgentVersion(v) => self.out.agent_version = Some(v.to_owned()),
            ClientEvent::OsVersion(v) => self.out.os_version = Some(v.to_owned()),
            ClientEvent::ClientIdentity {
                client_id,
                dns_name,
            } => {
                if self.out.client_id.as_deref() != Some(client_id) {
                    self.out.identity = Some(self.evidence(record, entry));
                }
                self.out.client_id = Some(client_id.to_owned());
                if let Some(d) = dns_name {
                    self.out.dns_name = Some(d.to_owned());
                }
            }
            _ => return false,
        }
        true
    }

    /// A detection ended on `record`'s thread: how long it took, if it started on that thread.
    fn detection_ended(&mut self, record: &ClientRecord<'_>) {
        let (Some((start, line, first, idle)), Some(end)) =
            (self.detections.take(thread(record)), record.time)
        else {
            return;
        };
        let seconds = (end - start).num_seconds() - idle;
        if self
            .out
            .longest_detection
            .as_ref()
            .is_none_or(|(s, _)| seconds > *s)
        {
            let first = Quoted::new(self.source.into(), line, first);
            self.out.longest_detection = Some((seconds, first));
        }
    }

    /// A classic log: each failure line and its cascade of follow-on lines is one fault.
    fn cascade(&mut self, record: &ClientRecord<'_>, entry: &str, event: ClientEvent<'_>) {
        match event {
            ClientEvent::DetectionFound { .. } | ClientEvent::ExitCode { hresult: 0 } => {
                self.success(record);
            }
            ClientEvent::CallFailure { hresult, .. } => {
                // The call's failure ends the lines of the layers below it (`Send failed`,
                // `SendRequest failed`, `+ Last proxy send request failed`): they are one
                // failure when they said its code, or came just before it.
                let joins = self.open.as_ref().is_some_and(|f| {
                    !f.has_call
                        && f.continues_with(record, None)
                        && (f.codes.contains(&hresult) || record.line - f.line <= 3)
                });
                if !joins {
                    self.start(record);
                }
                if let (Some(f), Some(call)) = (self.open.as_mut(), CallFailure::of(&event)) {
                    f.call_failure(record, entry, &call);
                }
            }
            ClientEvent::Fault(fault) => {
                // Another fault ID starts a new fault; the same ID repeated (the Windows 10
                // `detail:` and `Soap fault detail:` lines) does not.
                let joins = self.open.as_ref().is_some_and(|f| {
                    f.continues_with(record, None)
                        && match (f.fault_id.as_deref(), fault.id) {
                            (Some(a), Some(b)) => normalize_guid(a) == normalize_guid(b),
                            _ => true,
                        }
                });
                if !joins {
                    self.start(record);
                }
                if let Some(f) = self.open.as_mut() {
                    f.merge_fault(&fault);
                    f.add_line(record, entry);
                }
            }
            ClientEvent::Outcome(Outcome {
                ended: Ended::Failed(Some(hresult)),
                repeat: true,
                ..
            }) if hresult::is_failure(hresult) && !self.benign_trace(record, Some(hresult)) => {
                self.repeat(record, entry, hresult);
            }
            ClientEvent::Failure { hresult }
            | ClientEvent::ExitCode { hresult }
            | ClientEvent::ReportingFailure { hresult }
            | ClientEvent::SelfUpdate {
                hresult: Some(hresult),
            }
            | ClientEvent::Outcome(Outcome {
                ended: Ended::Failed(Some(hresult)),
                ..
            }) => {
                if !hresult::is_failure(hresult) || self.benign_trace(record, Some(hresult)) {
                    return;
                }
                let joins = self
                    .open
                    .as_ref()
                    .is_some_and(|f| f.continues_with(record, Some(hresult)));
                if !joins {
                    self.start(record);
                }
                if let Some(f) = self.open.as_mut() {
                    f.add_code(hresult);
                    if let ClientEvent::ReportingFailure { .. } = event {
                        f.method
                            .get_or_insert_with(|| "ReportEventBatch".to_owned());
                    }
                    f.add_line(record, entry);
                    // An agent call's exit code, an upload's or a download's error: the
                    // operation ended here.
                    f.concluded |= matches!(
                        event,
                        ClientEvent::ExitCode { .. }
                            | ClientEvent::ReportingFailure { .. }
                            | ClientEvent::Outcome(_)
                    );
                }
            }
            _ => {}
        }
    }

    /// A line repeating an outcome (the agent's, Automatic Updates', an API caller's or the
    /// reporter's view of it) adds to the latest fault that holds its code, open or closed, by
    /// any process, when that fault is recent; it starts a fault only when the outcome itself
    /// was not logged.
    fn repeat(&mut self, record: &ClientRecord<'_>, entry: &str, code: u32) {
        let recent = |f: &ClientFault| match (f.last_time, record.time) {
            (Some(a), Some(b)) => (b - a).num_seconds() <= REPEAT_SECONDS,
            _ => record.line.saturating_sub(f.last_line) <= CASCADE_LINES,
        };
        let latest = self
            .open
            .iter_mut()
            .chain(self.out.faults.iter_mut().rev())
            .take_while(|f| recent(f))
            .find(|f| f.codes.contains(&code));
        let f = match latest {
            Some(f) => f,
            None => {
                let f = self.start(record);
                f.add_code(code);
                f
            }
        };
        // A repeat never ends the operation: a repeat logged before the outcome (the agent's
        // `WU client failed Searching for update` comes before its `Exit code`) leaves the
        // fault open for it.
        f.add_line(record, entry);
    }

    fn success(&mut self, record: &ClientRecord<'_>) {
        self.close();
        self.succeeded(Operation::Scan, record);
    }

    /// Counts an operation that ended well; a scan's time is the last success.
    pub(super) fn succeeded(&mut self, operation: Operation, record: &ClientRecord<'_>) {
        let s = &mut self.out.successes;
        match operation {
            Operation::Scan => {
                s.scans += 1;
                if record.time.is_some() {
                    self.out.last_success = record.time;
                }
            }
            Operation::Download => s.downloads += 1,
            Operation::Install => s.installs += 1,
            _ => {}
        }
    }

    /// Closes the last fault and returns the analysis.
    pub(crate) fn finish(mut self) -> ClientAnalysis {
        if let Some(mut outcomes) = self.outcomes.take() {
            outcomes.finish(&mut self);
        }
        self.close();
        let policy_wsus = matches!(self.out.wsus_policy, Some(Some(_)));
        for f in &mut self.out.faults {
            // Where the log does not say where this call went (a classic log), the client's
            // server is its server.
            let url = f.endpoint.as_deref().or(f.server_url.as_deref());
            let url = url.or(self.out.server_url.as_deref());
            f.endpoint_kind = EndpointKind::of(url, policy_wsus);
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_line_keeps_its_message_for_the_rules() {
        let header = "2008-07-14\t09:12:58:640\t1100\tee4\tPT\t";
        let message = "WARNING: SyncUpdates failure, error = 0x8024400E";
        let entry = format!("{header}{message}  ");
        let l = FaultLine::new(47, &entry, &entry[header.len()..]);
        assert_eq!((l.line, &*l.text), (47, entry.trim_end()));
        assert_eq!(l.message(), message);
        assert!(matches!(l.message, Message::Tail(_)));

        // A long entry is cut; its message is cut on its own, from its start.
        let long = format!("{header}{message} {}", "x".repeat(600));
        let l = FaultLine::new(48, &long, &long[header.len()..]);
        assert!(l.text.ends_with('…') && l.text.starts_with(header));
        assert!(l.message().starts_with(message) && l.message().ends_with('…'));
        assert!(matches!(l.message, Message::Own(_)));

        // A blank message.
        let l = FaultLine::new(49, header, "");
        assert_eq!(l.message(), "");
    }
}
