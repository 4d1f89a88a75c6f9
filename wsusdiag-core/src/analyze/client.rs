//! One client log, read once: its faults (each failure with its cascade of follow-on lines and
//! its SOAP fault block), identity, detections and time zone. The result is owned, so logs can
//! be read in parallel and joined afterwards.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{EVIDENCE_TEXT_CAP, Evidence, cut, cut_shared};
use crate::events::{ClientEvent, SoapFault, normalize_guid};
use crate::knowledge::hresult;
use crate::records::ClientRecord;

/// Lines of one fault kept as evidence.
const EVIDENCE_CAP: usize = 16;
/// A follow-on line further than this from the fault's last line starts a new fault.
const CASCADE_LINES: u32 = 40;
/// A follow-on line later than this after the fault's last line starts a new fault.
const CASCADE_SECONDS: i64 = 120;
/// A fault this young (in lines) takes any failure code as part of itself.
const YOUNG_LINES: u32 = 12;
/// Lines kept per rule whose line pattern matched.
const LINE_HITS_CAP: usize = 50;

/// A line a rule's line pattern matched.
#[derive(Clone, Debug)]
pub(crate) struct LineHit {
    /// Index of the rule in the rule set the log was read with.
    pub rule: usize,
    pub evidence: Evidence,
}

/// One line of a fault, kept as evidence; its log is the analysis's.
#[derive(Clone, Debug)]
pub(crate) struct FaultLine {
    pub line: u32,
    /// The whole entry, cut when long; shared with the evidence quoting it.
    pub text: Arc<str>,
    /// Its message, for rule patterns.
    message: Message,
}

/// Where a fault line's message is.
#[derive(Clone, Debug)]
enum Message {
    /// The end of the text, from this byte (the entry was short enough to keep whole).
    Tail(usize),
    /// Cut on its own, from a long entry.
    Own(String),
}

impl FaultLine {
    /// Keeps `entry` (header and message) and its `message`, each cut when long.
    fn new(line: u32, entry: &str, message: &str) -> Self {
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

    /// The line as evidence from the log `source`.
    pub(crate) fn evidence(&self, source: &Arc<str>) -> Evidence {
        Evidence {
            source: Arc::clone(source),
            line: self.line,
            text: Arc::clone(&self.text),
        }
    }

    /// [`Self::evidence`], taking the text along instead of sharing it.
    pub(crate) fn into_evidence(self, source: &Arc<str>) -> Evidence {
        Evidence {
            source: Arc::clone(source),
            line: self.line,
            text: self.text,
        }
    }
}

/// A client fault, owned.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientFault {
    pub line: u32,
    pub last_line: u32,
    pub time: Option<NaiveDateTime>,
    pub last_time: Option<NaiveDateTime>,
    pub pid: Option<u32>,
    /// The main HRESULT (the call failure's, else the first Windows Update code, else the first).
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
    /// Its first lines (the log's name is added when they are reported).
    pub evidence: Vec<FaultLine>,
}

impl ClientFault {
    fn add_code(&mut self, code: u32) {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
        let wu = |c: u32| c & 0xFFFF_F000 >= 0x8024_0000 && c & 0xFFFF_0000 == 0x8024_0000;
        if self.hresult == 0 || (!self.has_call && !wu(self.hresult) && wu(code)) {
            self.hresult = code;
        }
    }

    fn add_line(&mut self, record: &ClientRecord<'_>, entry: &str) {
        self.last_line = record.line;
        if record.time.is_some() {
            self.last_time = record.time;
        }
        if self.evidence.len() < EVIDENCE_CAP {
            self.evidence
                .push(FaultLine::new(record.line, entry, record.message));
        }
    }

    fn merge_fault(&mut self, f: &SoapFault<'_>) {
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

    /// Whether a failure line belongs to this fault's cascade.
    fn continues_with(&self, record: &ClientRecord<'_>, code: Option<u32>) -> bool {
        if record.line.saturating_sub(self.last_line) > CASCADE_LINES {
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

/// What one client log holds, owned.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClientAnalysis {
    pub faults: Vec<ClientFault>,
    /// The first `tz:` banner's offset.
    pub tz_minutes: Option<i32>,
    /// Times are UTC already (a raw trace).
    pub utc: bool,
    pub client_id: Option<String>,
    pub dns_name: Option<String>,
    pub server_url: Option<String>,
    pub detections: u32,
    pub last_success: Option<NaiveDateTime>,
    /// The line that showed the client ID.
    pub identity: Option<Evidence>,
    /// The longest detection, in seconds, and its first line.
    pub longest_detection: Option<(i64, Evidence)>,
    /// Lines that rules' line patterns matched.
    pub line_hits: Vec<LineHit>,
}

/// Builds the analysis of a client log record by record.
#[derive(Debug)]
pub(crate) struct ClientAnalyzer<'s, 't> {
    source: &'s str,
    out: ClientAnalysis,
    open: Option<ClientFault>,
    /// The detection under way: when it started, its first line's number and text.
    detection: Option<(NaiveDateTime, u32, &'t str)>,
}

impl<'s, 't> ClientAnalyzer<'s, 't> {
    pub(crate) fn new(source: &'s str) -> Self {
        Self {
            source,
            out: ClientAnalysis::default(),
            open: None,
            detection: None,
        }
    }

    fn evidence(&self, record: &ClientRecord<'_>, entry: &str) -> Evidence {
        Evidence {
            source: self.source.into(),
            line: record.line,
            text: cut_shared(entry),
        }
    }

    /// Keeps `record` as a hit of each rule in `rules` (indices into the rule set).
    fn line_hits(&mut self, record: &ClientRecord<'_>, entry: &str, rules: &[usize]) {
        for &rule in rules {
            let kept = self.out.line_hits.iter().filter(|h| h.rule == rule).count();
            if kept < LINE_HITS_CAP {
                let evidence = self.evidence(record, entry);
                self.out.line_hits.push(LineHit { rule, evidence });
            }
        }
    }

    fn close(&mut self) {
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
        entry: &'t str,
        event: Option<ClientEvent<'_>>,
        rules: &[usize],
    ) {
        self.line_hits(record, entry, rules);
        let Some(event) = event else {
            return;
        };
        match event {
            ClientEvent::LoggingInitialized {
                tz_minutes: Some(tz),
                ..
            } => {
                self.out.tz_minutes = self.out.tz_minutes.or(Some(tz));
            }
            ClientEvent::DetectionStart { .. } => {
                self.close();
                self.out.detections += 1;
                self.detection = record.time.map(|t| (t, record.line, entry));
            }
            ClientEvent::DetectionEnd { .. } => {
                if let (Some((start, line, first)), Some(end)) =
                    (self.detection.take(), record.time)
                {
                    let seconds = (end - start).num_seconds();
                    if self
                        .out
                        .longest_detection
                        .as_ref()
                        .is_none_or(|(s, _)| seconds > *s)
                    {
                        let first = Evidence {
                            source: self.source.into(),
                            line,
                            text: cut_shared(first),
                        };
                        self.out.longest_detection = Some((seconds, first));
                    }
                }
            }
            ClientEvent::DetectionFound { .. } => self.success(record),
            ClientEvent::ExitCode { hresult: 0 } => self.success(record),
            // Not used; see `uses`.
            ClientEvent::SyncStart => {}
            ClientEvent::ServerUrl { url, .. } if self.out.server_url.as_deref() != Some(url) => {
                self.out.server_url = Some(url.to_owned());
            }
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
            ClientEvent::CallFailure {
                method,
                hresult,
                soap_client_error,
                soap_error_code,
                http_status,
            } => {
                let young_same = self.open.as_ref().is_some_and(|f| {
                    !f.has_call && f.continues_with(record, None) && record.line - f.line <= 3
                });
                if !young_same {
                    self.start(record);
                }
                if let Some(f) = self.open.as_mut() {
                    f.has_call = true;
                    f.hresult = hresult;
                    f.add_code(hresult);
                    f.method = Some(method.to_owned());
                    f.soap_client_error = soap_client_error;
                    f.soap_error_code = soap_error_code;
                    f.http_status = http_status.filter(|&s| s != 0);
                    f.add_line(record, entry);
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
            ClientEvent::Failure { hresult }
            | ClientEvent::ExitCode { hresult }
            | ClientEvent::ReportingFailure { hresult }
            | ClientEvent::SelfUpdate {
                hresult: Some(hresult),
            } => {
                if !hresult::is_failure(hresult) {
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
                }
            }
            _ => {}
        }
    }

    fn success(&mut self, record: &ClientRecord<'_>) {
        self.close();
        if record.time.is_some() {
            self.out.last_success = record.time;
        }
    }

    /// Closes the last fault and returns the analysis.
    pub(crate) fn finish(mut self) -> ClientAnalysis {
        self.close();
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
