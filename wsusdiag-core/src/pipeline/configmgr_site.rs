//! Reads a ConfigMgr site-server log (`wsyncmgr.log`, `WCM.log`, `WSUSCtrl.log`,
//! `PatchDownloader.log`): each failure it states (a sync that failed, a WSUS configuration
//! error, an HTTP error from WSUS, a status message 6703, an error entry) is a server entry
//! the rules read, with the entries of its component logged just before it, which often say
//! why (`Subscription contains categories unknown to WSUS.` before `Failed to set
//! Subscriptions …`).

use std::collections::VecDeque;
use std::sync::Arc;

use super::configmgr::counted_records;
use super::server::{EntryText, HostNames, ServerAnalysis, ServerEntry};
use super::{InputSummary, Quoted, cut_shared, end_in};
use crate::events::{configmgr_codes, configmgr_event};
use crate::records::cmtrace::CmRecord;

/// Entries kept before a failure, as its context: at most this many, since the last failure.
const CONTEXT_RECORDS: usize = 3;
/// `type="3"`: an error entry.
const ERROR_TYPE: u8 = 3;

/// Reads a ConfigMgr site-server log into its failures.
pub(super) fn analyze(name: &str, text: &str, summary: &mut InputSummary) -> ServerAnalysis {
    let source: Arc<str> = name.into();
    let mut out = ServerAnalysis::default();
    let mut context: VecDeque<CmRecord<'_>> = VecDeque::with_capacity(CONTEXT_RECORDS);
    let mut hosts = HostNames::default();
    for record in counted_records(text, summary) {
        if let Some(host) = status_host(record.message) {
            hosts.add(&mut out.hosts, host);
        }
        let event = configmgr_event(record.message);
        let failed =
            record.severity == Some(ERROR_TYPE) || event.as_ref().is_some_and(|e| e.is_failure());
        if !failed {
            if context.len() == CONTEXT_RECORDS {
                context.pop_front();
            }
            context.push_back(record);
            continue;
        }
        // Another component's entries, interleaved, say nothing of this failure.
        let same_component = |c: &CmRecord<'_>| match (c.component, record.component) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let mut entry = ServerEntry {
            line: record.line,
            time: record.utc(),
            level: "Error".to_owned(),
            thread: record.thread.map(|t| t.to_string()).unwrap_or_default(),
            source: record.component.unwrap_or_default().to_owned(),
            code: (event.and_then(|e| e.code())).or_else(|| configmgr_codes(record.message).next()),
            ..ServerEntry::default()
        };
        let mut lines = String::new();
        for r in context.drain(..).filter(same_component).chain([record]) {
            let line = &text[r.offset..end_in(text, r.message)];
            let evidence = Quoted::new(Arc::clone(&source), r.line, cut_shared(line));
            entry.evidence.push(evidence);
            if !lines.is_empty() {
                lines.push('\n');
            }
            lines.push_str(r.message);
        }
        entry.text = EntryText::lines(&lines);
        out.errors.push(entry);
    }
    out
}

/// The site system a status message names: `SYS=CM1.corp.contoso.com` of a `STATMSG:` line.
fn status_host(message: &str) -> Option<&str> {
    let rest = &message[message.find("STATMSG: ")?..];
    let at = rest.find(" SYS=")? + 5;
    rest[at..]
        .split_whitespace()
        .next()
        .filter(|h| !h.is_empty())
}
