//! One server log, read once: every SOAP fault it sent (`ThrowException`) with the exception
//! that caused it, and every other error entry. Owned, so logs are read in parallel.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::Cause;
pub(crate) use super::server_text::EntryText;
use super::server_text::RecentStacks;
use super::{Quoted, cut_shared};
use crate::events::{self, ServerEvent};
use crate::records::ServerRecord;

/// The exception behind a `ThrowException` is logged by the same thread just before it.
const CAUSE_RECORDS: usize = 64;
/// … and at most this many seconds before it.
const CAUSE_SECONDS: i64 = 30;

/// A server entry that matters: a fault sent to a client, or an error.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ServerEntry {
    pub line: u32,
    pub time: Option<NaiveDateTime>,
    pub level: String,
    pub thread: String,
    /// The logging `Class.Method`.
    pub source: String,
    /// `ThrowException` fields, when it is one: boxed, as most entries of a log in trouble are
    /// errors, which would each carry its room.
    pub throw: Option<Box<Throw>>,
    /// The exception (its own, or for a throw, the one that caused it).
    pub cause: Option<Cause>,
    /// Exception types: outer and inner.
    pub exception_kinds: Vec<String>,
    /// Message and continuation lines (the stack among them), for rule patterns.
    pub text: EntryText,
    /// For a fault sent: the text of the exception entry that caused it, shared with that
    /// entry, not copied.
    pub cause_text: Option<EntryText>,
    pub evidence: Vec<Quoted>,
    /// This error is the cause of a fault sent right after it (reported with that fault).
    pub explains_throw: bool,
    /// The HRESULT a ConfigMgr site-server failure logs (`LE=0x8013150A`, `hr=0x80070005`).
    pub code: Option<u32>,
}

impl ServerEntry {
    /// Its text, then for a fault sent the text of the exception that caused it.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &EntryText> {
        std::iter::once(&self.text).chain(&self.cause_text)
    }
}

/// The fields of a `ThrowException` entry.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Throw {
    pub upstream: bool,
    pub actor: String,
    pub id: Option<String>,
    pub error_code: Option<String>,
    pub message: String,
    pub client: Option<String>,
}

/// What one server log holds, owned.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ServerAnalysis {
    /// Faults sent, in log order.
    pub throws: Vec<ServerEntry>,
    /// Error entries that are not faults sent, in log order.
    pub errors: Vec<ServerEntry>,
    /// Host names of this server: of the web services the faults it sends name (`actor =
    /// http://host/…`), and of its Windows Internal Database (`Server HOST\MICROSOFT##WID`).
    pub hosts: Vec<String>,
}

/// Builds the analysis of a server log record by record.
#[derive(Debug)]
pub(crate) struct ServerAnalyzer {
    /// The log's name, shared by the evidence of all its entries.
    source: Arc<str>,
    out: ServerAnalysis,
    /// Per `process.thread`: the last exception entry (index into `errors`) and when it was seen.
    last_exception: HashMap<String, (usize, usize)>,
    hosts: HostNames,
    /// The stacks of the entries read lately, for an entry that repeats one to share it.
    stacks: RecentStacks,
    count: usize,
}

/// The host names a log has named so far, each once whatever its letter case: a log may name
/// a host on every line, or a different one on each.
#[derive(Debug, Default)]
pub(crate) struct HostNames(HashSet<String>);

impl HostNames {
    /// Adds `host` to `hosts` (the names in the order first named) unless it is there already.
    pub(crate) fn add(&mut self, hosts: &mut Vec<String>, host: &str) {
        let again = hosts.last().is_some_and(|h| h.eq_ignore_ascii_case(host));
        if !again && self.0.insert(host.to_ascii_lowercase()) {
            hosts.push(host.to_owned());
        }
    }
}

impl ServerAnalyzer {
    pub(crate) fn new(source: &str) -> Self {
        Self {
            source: source.into(),
            out: ServerAnalysis::default(),
            last_exception: HashMap::new(),
            hosts: HostNames::default(),
            stacks: RecentStacks::default(),
            count: 0,
        }
    }

    /// Takes the next record; `entry` is the text of its first line.
    pub(crate) fn push(&mut self, record: &ServerRecord<'_>, entry: &str) {
        self.count += 1;
        let event = events::server_event(record);
        let is_error = record.is_error();
        if event.is_none() && !is_error {
            return;
        }
        let thread = match record.thread {
            Some(n) => format!("{}.{n}", record.process),
            None => record.process.to_owned(),
        };
        let mut e = ServerEntry {
            line: record.line,
            time: record.time,
            level: record.level.to_owned(),
            thread,
            source: record.source.to_owned(),
            text: self.stacks.text_of(record),
            evidence: vec![Quoted::new(
                Arc::clone(&self.source),
                record.line,
                cut_shared(entry),
            )],
            ..ServerEntry::default()
        };
        let exceptions = events::exceptions(record);
        e.exception_kinds = exceptions.iter().map(|x| x.kind.to_owned()).collect();
        match event {
            Some(ServerEvent::Throw(t)) => {
                e.throw = Some(Box::new(Throw {
                    upstream: t.upstream,
                    actor: t.actor.to_owned(),
                    id: t.id.map(str::to_owned),
                    error_code: t.error_code.map(str::to_owned),
                    message: t.message.to_owned(),
                    client: t.client.map(str::to_owned),
                }));
                if let Some(host) = host_of(t.actor)
                    && !t.upstream
                {
                    self.add_host(host);
                }
                // The exception that caused the fault: its own (upstream form), or the one the
                // same thread logged just before.
                e.cause = cause_of(record, &exceptions, None).or_else(|| {
                    let &(i, at) = self.last_exception.get(&e.thread)?;
                    let prior = &self.out.errors[i];
                    let close_in_time = match (prior.time, record.time) {
                        (Some(a), Some(b)) => (b - a).num_seconds().abs() <= CAUSE_SECONDS,
                        _ => true,
                    };
                    (self.count - at <= CAUSE_RECORDS && close_in_time)
                        .then(|| prior.cause.clone())
                        .flatten()
                        .map(|mut c| {
                            c.line = prior.line;
                            c
                        })
                });
                if let Some(c) = &e.cause
                    && c.line != record.line
                    && let Some(prior) = self.out.errors.iter_mut().rev().find(|p| p.line == c.line)
                {
                    prior.explains_throw = true;
                    e.evidence.splice(0..0, prior.evidence.iter().cloned());
                    e.exception_kinds
                        .extend(prior.exception_kinds.iter().cloned());
                    e.cause_text = Some(prior.text.clone());
                }
                self.out.throws.push(e);
            }
            Some(ServerEvent::Sql(sql)) => {
                // A Windows Internal Database is on the WSUS server itself: its host is this
                // log's.
                if let Some(host) = sql.server.and_then(wid_host) {
                    self.add_host(host);
                }
                e.cause = Some(Cause {
                    exception: "SqlException".to_owned(),
                    message: sql.message.to_owned(),
                    method: Some(record.source.to_owned()),
                    line: record.line,
                    inner: Vec::new(),
                    sql_number: sql.number,
                });
                self.remember(e);
            }
            _ => {
                e.cause = cause_of(record, &exceptions, None);
                self.remember(e);
            }
        }
    }

    fn add_host(&mut self, host: &str) {
        self.hosts.add(&mut self.out.hosts, host);
    }

    fn remember(&mut self, e: ServerEntry) {
        if e.cause.is_some() {
            let at = (self.out.errors.len(), self.count);
            self.last_exception.insert(e.thread.clone(), at);
        }
        self.out.errors.push(e);
    }

    pub(crate) fn finish(self) -> ServerAnalysis {
        self.out
    }
}

/// The exception of a record as a [`Cause`].
fn cause_of(
    record: &ServerRecord<'_>,
    exceptions: &[events::ExceptionInfo<'_>],
    sql_number: Option<i64>,
) -> Option<Cause> {
    let (outer, inner) = exceptions.split_first()?;
    Some(Cause {
        exception: outer.kind.to_owned(),
        message: outer.message.to_owned(),
        method: events::wsus_frame(record)
            .map(str::to_owned)
            .or_else(|| (!record.source.is_empty()).then(|| record.source.to_owned())),
        line: record.line,
        inner: inner
            .iter()
            .map(|x| format!("{}: {}", x.kind, x.message))
            .collect(),
        sql_number,
    })
}

/// `WSUS01\MICROSOFT##WID` (or the older `##SSEE`) → `WSUS01`: the host of a Windows Internal
/// Database, always the WSUS server's own.
fn wid_host(sql_server: &str) -> Option<&str> {
    let (host, instance) = sql_server.split_once('\\')?;
    // Some copies double the backslash.
    let instance = instance.trim_start_matches('\\');
    let wid = ["MICROSOFT##WID", "MICROSOFT##SSEE"];
    (wid.iter().any(|w| instance.eq_ignore_ascii_case(w)) && !host.is_empty()).then_some(host)
}

/// `http://host:8530/ClientWebService/client.asmx` → `host`.
pub(crate) fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::rules::{ServerSignature, StackVerdicts};
    use crate::records::ServerRecords;

    #[test]
    fn each_host_is_named_once_in_the_order_first_named() {
        let mut hosts = Vec::new();
        let mut seen = HostNames::default();
        for host in [
            "wsus01",
            "WSUS01",
            "wsus01.contoso.com",
            "wsus02",
            "wsus01",
            "Wsus02",
        ] {
            seen.add(&mut hosts, host);
        }
        assert_eq!(hosts, ["wsus01", "wsus01.contoso.com", "wsus02"]);
    }

    /// The bundled KB954960 server log, analysed.
    fn kb954960_server() -> ServerAnalysis {
        let text = include_str!("../../samples/kb954960/SoftwareDistribution.log");
        let mut a = ServerAnalyzer::new("SoftwareDistribution.log");
        for record in ServerRecords::new(text) {
            let record = record.unwrap();
            a.push(
                &record,
                &text[record.offset..super::super::end_in(text, record.message)],
            );
        }
        a.finish()
    }

    #[test]
    fn a_fault_sent_matches_through_the_exception_behind_it_without_a_copy() {
        let a = kb954960_server();
        let throw = &a.throws[0];
        let cause = a.errors.iter().find(|e| e.explains_throw).unwrap();
        assert_eq!(throw.cause.as_ref().unwrap().line, cause.line);
        // The exception's text is the fault's, shared.
        let shared = throw.cause_text.as_ref().unwrap();
        assert!(shared.shares_stack(&cause.text));
        let own = [
            throw.text.message(),
            throw.text.continuation().unwrap_or_default(),
        ];
        assert!(
            !own.iter()
                .any(|p| p.contains("Item has already been added"))
        );
        // Its frames are read from its text: each without `at `, trimmed.
        let frames: Vec<&str> = shared.frames().collect();
        assert_eq!(
            frames[0],
            "System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)"
        );
        assert!(
            frames
                .iter()
                .all(|f| !f.starts_with("at ") && f.trim() == *f)
        );
        assert_eq!(throw.text.frames().count(), 0);

        assert!(
            signature(&["Item has already been added"], &[])
                .matches(throw, &mut StackVerdicts::default())
        );
        // A message pattern reads the stack too.
        assert!(
            signature(&[r"Hashtable\.Insert\(Object key"], &[])
                .matches(throw, &mut StackVerdicts::default())
        );
        assert!(
            signature(&[], &[r"Internal\.ClientImplementation\.GetSyncInfo\("])
                .matches(throw, &mut StackVerdicts::default())
        );
        assert!(!signature(&[], &["^at "]).matches(throw, &mut StackVerdicts::default()));
        assert!(
            !signature(&["Timeout expired"], &[]).matches(throw, &mut StackVerdicts::default())
        );
    }

    /// A server signature of these message and frame patterns only.
    fn signature(messages: &[&str], frames: &[&str]) -> ServerSignature {
        let patterns = |p: &[&str]| p.iter().map(|p| regex::Regex::new(p).unwrap()).collect();
        ServerSignature {
            messages: patterns(messages),
            frames: patterns(frames),
            ..ServerSignature::default()
        }
    }

    #[test]
    fn what_a_rule_found_in_a_shared_stack_is_remembered_for_that_rule_alone() {
        let a = kb954960_server();
        // The fault sent shares the stack of the exception behind it.
        let throw = &a.throws[0];
        let cause = a.errors.iter().find(|e| e.explains_throw).unwrap();
        let frame_found = signature(&[], &[r"Hashtable\.Insert\("]);
        let frame_missed = signature(&[], &[r"SqlConnection\.OnError\("]);
        let message_found = signature(&[r"Hashtable\.Add\(Object key"], &[]);
        let mut seen = StackVerdicts::default();
        for entry in [throw, cause, throw] {
            assert!(frame_found.matches(entry, &mut seen));
            assert!(!frame_missed.matches(entry, &mut seen));
            assert!(message_found.matches(entry, &mut seen));
        }
        // One verdict a rule's list of patterns: each of the three remembered once.
        assert_eq!(seen.len(), 3);
    }

    #[test]
    fn an_internal_database_names_its_server() {
        assert_eq!(wid_host("WSUS01\\MICROSOFT##WID"), Some("WSUS01"));
        assert_eq!(wid_host("wsus02\\microsoft##ssee"), Some("wsus02"));
        assert_eq!(wid_host("WSUS01\\\\MICROSOFT##WID"), Some("WSUS01"));
        // A named SQL Server instance may be on another machine.
        assert_eq!(wid_host("SQL07\\WSUS"), None);
        assert_eq!(wid_host("\\MICROSOFT##WID"), None);
    }
}
