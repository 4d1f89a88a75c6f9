//! Reads a Configuration Manager client log (`WUAHandler.log`, `ScanAgent.log`, …) into a
//! client analysis: its scan and install failures are faults with their codes, its bias gives
//! the machine's offset to UTC, its update source is the WSUS server in use, and the rules'
//! line patterns see its messages.

use super::InputSummary;
use crate::events::{ConfigMgrEvent, configmgr_event};
use crate::knowledge::rules::LineMatcher;
use crate::records::ClientFormat;
use crate::records::cmtrace::{CmRecord, CmRecords};

use super::client::{ClientAnalysis, ClientAnalyzer, ClientFault, FaultLine};
use super::{end_in, note};

/// The records of a ConfigMgr log, counted in `summary`; a malformed line is noted there and
/// skipped.
pub(super) fn counted_records<'a>(
    text: &'a str,
    summary: &'a mut InputSummary,
) -> impl Iterator<Item = CmRecord<'a>> {
    CmRecords::new(text).filter_map(move |r| match r {
        Ok(record) => {
            summary.records += 1;
            Some(record)
        }
        Err(e) => {
            note(summary, &e);
            None
        }
    })
}

/// Reads a ConfigMgr client log into a client analysis.
pub(super) fn client(
    name: &str,
    text: &str,
    lines: &LineMatcher,
    summary: &mut InputSummary,
) -> ClientAnalysis {
    let mut a = ClientAnalyzer::new(name, ClientFormat::Classic, &lines.benign);
    let mut rules = Vec::new();
    for record in counted_records(text, summary) {
        let row = record.as_client();
        let entry = &text[record.offset..end_in(text, record.message)];
        if a.out.tz_minutes.is_none() {
            a.out.tz_minutes = record.bias.map(|b| -b);
        }
        rules.clear();
        lines.each_match(record.message, |rule| rules.push(rule));
        a.push_read(&row, entry, None, &rules);
        match configmgr_event(record.message) {
            Some(ConfigMgrEvent::ScanStarted) => a.out.detections += 1,
            Some(ConfigMgrEvent::ScanCompleted) => {
                a.out.successes.scans += 1;
                a.out.last_success = row.time.or(a.out.last_success);
            }
            Some(ConfigMgrEvent::ManagedServer { url }) => {
                a.out.server_url = Some(url.to_owned());
                a.out.wsus_policy = Some(Some(url.to_owned()));
            }
            Some(
                e @ (ConfigMgrEvent::ScanFailed { code } | ConfigMgrEvent::UpdateFailed { code }),
            ) => {
                // WUAHandler logs the same failure twice (OnSearchComplete, then Scan failed):
                // one fault.
                let same = a
                    .out
                    .faults
                    .last()
                    .is_some_and(|f| f.hresult == code && f.last_line + 2 >= record.line);
                if same {
                    if let Some(f) = a.out.faults.last_mut() {
                        f.last_line = record.line;
                        f.evidence
                            .push(FaultLine::new(record.line, entry, record.message));
                    }
                    continue;
                }
                a.out.faults.push(ClientFault {
                    line: record.line,
                    last_line: record.line,
                    time: row.time,
                    last_time: row.time,
                    hresult: code,
                    codes: vec![code],
                    method: Some(match e {
                        ConfigMgrEvent::ScanFailed { .. } => "Scan".to_owned(),
                        _ => "Install".to_owned(),
                    }),
                    server_url: a.out.server_url.clone(),
                    evidence: vec![FaultLine::new(record.line, entry, record.message)],
                    ..ClientFault::default()
                });
            }
            _ => {}
        }
    }
    a.finish()
}
