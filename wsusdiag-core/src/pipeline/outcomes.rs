//! Windows 10 faults: an operation that ended in failure, once.
//!
//! Windows 10 traces every failed internal call as `*FAILED* [code]`, most of them routine (a
//! probe, a retry, a cache miss), and logs one real failure on many lines: each layer's trace,
//! the operation's outcome, then the caller's repeat of it (`Result code`, `Call error code`,
//! the call's counts, the callback). So here:
//!
//! - failure lines (traces, SOAP fault blocks, `<Method> failure` lines) wait on their thread
//!   as a *chain*; benign traces ([`crate::knowledge::rules::BenignTrace`]) never join one;
//! - an outcome that failed makes a fault, with its thread's chain as evidence and its own code
//!   as the fault's (the most specific one: an update's `resultMapped` over the call's
//!   `WU_E_ALL_UPDATES_FAILED`);
//! - the lines that repeat an outcome add to that fault instead of making another;
//! - an outcome that succeeded ends its thread's chain as *recovered*; a cancellation ends it
//!   as nothing;
//! - a chain with a SOAP fault or a failed web call that no outcome ever concludes (the log, or
//!   the excerpt, ends first) is a fault of its own at the end.

use rustc_hash::FxHashMap;

use super::client::{CallFailure, ClientAnalyzer, ClientFault, thread};
use crate::events::{ALL_UPDATES_FAILED, ClientEvent, Ended, Operation, Outcome, host};
use crate::knowledge::hresult;
use crate::records::ClientRecord;

/// A failure line further than this before the next on its thread starts a new chain.
const CHAIN_SECONDS: i64 = 120;
/// A repeat of an outcome comes this soon after it.
const REPEAT_SECONDS: i64 = 10;
/// Another outcome of the same call in the same process (a second update of one install)
/// comes this soon.
const SAME_CALL_SECONDS: i64 = 5;
/// Another process's outcome of the same operation (the handler's exit code, the agent's
/// history record and the deployment job's result of one install) comes this soon.
const SAME_OPERATION_SECONDS: i64 = 2;
/// Without times, a repeat is at most this many lines after the outcome.
const REPEAT_LINES: u32 = 40;

/// Values kept per thread of a log.
#[derive(Debug)]
pub(crate) struct Chains<T>(FxHashMap<(u32, u32), T>);

impl<T> Default for Chains<T> {
    fn default() -> Self {
        Self(FxHashMap::default())
    }
}

impl<T> Chains<T> {
    pub(crate) fn put(&mut self, thread: (u32, u32), value: T) {
        self.0.insert(thread, value);
    }

    pub(crate) fn take(&mut self, thread: (u32, u32)) -> Option<T> {
        self.0.remove(&thread)
    }

    fn get(&self, thread: (u32, u32)) -> Option<&T> {
        self.0.get(&thread)
    }

    fn get_mut(&mut self, thread: (u32, u32)) -> Option<&mut T> {
        self.0.get_mut(&thread)
    }

    pub(crate) fn each(&mut self, mut f: impl FnMut(&mut T)) {
        self.0.values_mut().for_each(&mut f);
    }

    fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.0.drain().map(|(_, v)| v)
    }
}

/// The first URL in a line's message that a request went to: not a name such as the SOAP
/// action's (`http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates`)
/// or an XML schema's.
fn url_in(message: &str) -> Option<&str> {
    let mut rest = message;
    while let Some(at) = rest.find("http://").or_else(|| rest.find("https://")) {
        let from = &rest[at..];
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ';' | '<'))
            .unwrap_or(from.len());
        let url = &from[..end];
        let name = [
            "www.microsoft.com",
            "schemas.microsoft.com",
            "schemas.xmlsoap.org",
        ]
        .iter()
        .any(|h| host(url).eq_ignore_ascii_case(h));
        if !name {
            return Some(url);
        }
        rest = &from[end..];
    }
    None
}

/// The Windows 10 fault model's state.
#[derive(Debug, Default)]
pub(crate) struct Outcomes {
    /// Failure lines waiting on their thread for the operation's outcome.
    chains: Chains<ClientFault>,
    /// The last `Server URL` each thread talked to.
    urls: Chains<String>,
    /// The kind of the last call each process started (for a caller's `Call error code`).
    calls: FxHashMap<u32, Operation>,
    /// The thread and time of the last `Error … occurred while downloading update` line: the
    /// download manager says so of every attempt, so the download failed only when the
    /// caller's call ends failed soon after (else the job resumed).
    download_error: Option<((u32, u32), Option<chrono::NaiveDateTime>, u32)>,
    /// Whether any line said how an operation ended.
    outcome_seen: bool,
}

impl Outcomes {
    /// A detection or call starts on `record`'s thread: its failure lines so far belong to no
    /// outcome of it.
    pub(crate) fn operation_starts(&mut self, record: &ClientRecord<'_>) {
        self.chains.take(thread(record));
    }

    pub(crate) fn url_seen(&mut self, record: &ClientRecord<'_>, url: &str) {
        self.urls.put(thread(record), url.to_owned());
    }

    /// Takes the next event of the log.
    pub(crate) fn push(
        &mut self,
        a: &mut ClientAnalyzer<'_>,
        record: &ClientRecord<'_>,
        entry: &str,
        event: ClientEvent<'_>,
    ) {
        match event {
            ClientEvent::CallStart { operation } => {
                if let Some(pid) = record.pid {
                    self.calls.insert(pid, operation);
                }
                self.operation_starts(record);
            }
            ClientEvent::DetectionEnd {
                exit: Some(code), ..
            } => self.outcome(a, record, entry, Outcome::of(Operation::Scan, code)),
            ClientEvent::Outcome(o) => self.outcome(a, record, entry, o),
            ClientEvent::ExitCode { hresult } => {
                let (operation, repeat) = match record.component {
                    // The 1709-era scan: `Exit code` on its own line before a code-less END.
                    "Agent" | "AGENT" => (Operation::Scan, false),
                    "Handler" | "HANDLER" => (Operation::Install, false),
                    "Deployment" | "UDP" => (Operation::Install, true),
                    "ComApi" | "COMAPI" => (Operation::Call, true),
                    // `Service exit [Exit code = 0x240001]` and the like.
                    _ if !hresult::is_failure(hresult) => return,
                    _ => return self.trace(a, record, entry, Some(hresult)),
                };
                let o = Outcome {
                    repeat,
                    ..Outcome::of(operation, hresult)
                };
                self.outcome(a, record, entry, o);
            }
            ClientEvent::ReportingFailure { hresult } => {
                self.outcome(a, record, entry, Outcome::of(Operation::Reporting, hresult));
            }
            ClientEvent::SelfUpdate {
                hresult: Some(hresult),
            } => {
                self.outcome(
                    a,
                    record,
                    entry,
                    Outcome::of(Operation::SelfUpdate, hresult),
                );
            }
            ClientEvent::Failure { hresult } => self.trace(a, record, entry, Some(hresult)),
            ClientEvent::CallFailure { .. } => {
                if let Some(call) = CallFailure::of(&event) {
                    self.chain(record).call_failure(record, entry, &call);
                }
            }
            ClientEvent::Fault(fault) => {
                let chain = self.chain(record);
                chain.merge_fault(&fault);
                chain.add_line(record, entry);
            }
            _ => {}
        }
    }

    /// The chain of `record`'s thread, new when there is none or it is stale.
    fn chain(&mut self, record: &ClientRecord<'_>) -> &mut ClientFault {
        let key = thread(record);
        let stale = self.chains.get_mut(key).is_none_or(|c| {
            matches!((c.last_time, record.time), (Some(a), Some(b)) if (b - a).num_seconds() > CHAIN_SECONDS)
        });
        if stale {
            self.chains.put(
                key,
                ClientFault {
                    line: record.line,
                    last_line: record.line,
                    time: record.time,
                    last_time: record.time,
                    pid: record.pid,
                    ..ClientFault::default()
                },
            );
        }
        self.chains.get_mut(key).expect("put above")
    }

    /// A failure trace: evidence for its thread's next outcome, unless it is benign.
    fn trace(
        &mut self,
        a: &ClientAnalyzer<'_>,
        record: &ClientRecord<'_>,
        entry: &str,
        code: Option<u32>,
    ) {
        let code = code.filter(|&c| hresult::is_failure(c));
        if code.is_none() || a.benign_trace(record, code) {
            return;
        }
        let chain = self.chain(record);
        if let Some(c) = code {
            chain.keep_code(c);
        }
        chain.add_line(record, entry);
    }

    fn outcome(
        &mut self,
        a: &mut ClientAnalyzer<'_>,
        record: &ClientRecord<'_>,
        entry: &str,
        o: Outcome<'_>,
    ) {
        match o.ended {
            Ended::Succeeded => {
                self.outcome_seen = true;
                if !o.repeat {
                    a.succeeded(o.operation, record);
                }
                if self
                    .chains
                    .take(thread(record))
                    .is_some_and(|c| !c.codes.is_empty())
                {
                    a.out.successes.recovered += 1;
                }
            }
            Ended::Cancelled => {
                self.outcome_seen = true;
                self.chains.take(thread(record));
            }
            Ended::Failed(code) if o.operation == Operation::Download && !o.repeat => {
                // An attempt failed: evidence for the call's outcome, if it fails, and no
                // outcome itself (an excerpt of such lines alone shows the failure they are).
                self.trace(a, record, entry, code);
                if self.chains.get(thread(record)).is_some() {
                    self.download_error = Some((thread(record), record.time, record.line));
                }
            }
            Ended::Failed(code) => {
                self.outcome_seen = true;
                self.failed(a, record, entry, o, code);
            }
        }
    }

    /// The chain of the download error a call's failure just reported, if there is one.
    fn reported_download_error(&mut self, record: &ClientRecord<'_>) -> Option<ClientFault> {
        let (key, time, line) = self.download_error.take()?;
        let recent = match (time, record.time) {
            (Some(a), Some(b)) => (b - a).num_seconds().abs() <= REPEAT_SECONDS,
            _ => record.line.saturating_sub(line) <= REPEAT_LINES,
        };
        if recent { self.chains.take(key) } else { None }
    }

    fn failed(
        &mut self,
        a: &mut ClientAnalyzer<'_>,
        record: &ClientRecord<'_>,
        entry: &str,
        o: Outcome<'_>,
        code: Option<u32>,
    ) {
        if let Some(f) = a.open.as_mut()
            && repeats(f, record, &o, code)
        {
            if let Some(c) = code {
                // "All updates failed" says less than an update's own code.
                if (says_only_that(f.hresult) || f.operation == Some(Operation::Call))
                    && !says_only_that(c)
                {
                    f.set_code(c);
                } else {
                    f.keep_code(c);
                }
            }
            if f.operation == Some(Operation::Call) && o.operation != Operation::Call {
                f.operation = Some(o.operation);
            }
            if f.call_id.is_none() {
                f.call_id = o.call.map(str::to_owned);
            }
            f.add_line(record, entry);
            return;
        }
        let key = thread(record);
        let reported = match o.operation {
            Operation::Download | Operation::Call => self.reported_download_error(record),
            _ => None,
        };
        // A count or a call's end without a code names the download error it reports, or
        // nothing.
        let Some(code) = code.or_else(|| {
            let chain = reported.as_ref()?;
            chain
                .codes
                .iter()
                .rev()
                .copied()
                .find(|&c| !says_only_that(c))
        }) else {
            return;
        };
        let from_download = reported.is_some();
        let mut f = reported
            .or_else(|| self.chains.take(key))
            .unwrap_or_default();
        let operation = match o.operation {
            Operation::Call if from_download => Operation::Download,
            Operation::Call => record
                .pid
                .and_then(|p| self.calls.get(&p).copied())
                .unwrap_or(Operation::Call),
            op => op,
        };
        // The fault is where the failure shows first: the first line of its chain, else its
        // outcome.
        if f.evidence.is_empty() {
            f.line = record.line;
            f.time = record.time;
        }
        f.pid = f.pid.or(record.pid);
        f.call_id = o.call.map(str::to_owned);
        f.operation = Some(operation);
        f.outcome_line = Some(record.line);
        // An outcome that only says the installer failed takes the installer's code, traced
        // on its thread before it.
        let why = f.codes.iter().rev().copied().find(|&c| !says_only_that(c));
        f.set_code(if says_only_that(code) {
            why.unwrap_or(code)
        } else {
            code
        });
        f.add_line(record, entry);
        // The server its thread talked to, else a URL its lines name.
        f.endpoint = self.urls.get(key).cloned().or_else(|| {
            f.evidence
                .iter()
                .find_map(|l| url_in(l.message()).map(str::to_owned))
        });
        f.server_url = a.out.server_url.clone();
        a.close();
        a.open = Some(f);
    }

    /// The end of the log: chains with a SOAP fault or a failed web call that no outcome
    /// concluded are faults of their own.
    pub(crate) fn finish(&mut self, a: &mut ClientAnalyzer<'_>) {
        a.close();
        // A log with no outcome at all is an excerpt of failure lines: each chain is a failure
        // it shows. Elsewhere only a chain with a SOAP fault or a failed web call is.
        let excerpt = !self.outcome_seen;
        let mut left: Vec<ClientFault> = self
            .chains
            .drain()
            .filter(|c| excerpt || c.has_call || c.fault_id.is_some())
            .collect();
        for f in &mut left {
            if f.hresult == 0 {
                let code = f.codes.iter().copied().find(|&c| hresult::is_failure(c));
                f.hresult = code.unwrap_or(0);
            }
        }
        left.retain(|f| f.hresult != 0);
        left.sort_by_key(|c| c.line);
        for mut f in left {
            f.server_url = a.out.server_url.clone();
            a.out.faults.push(f);
        }
        a.out.faults.sort_by_key(|f| f.line);
    }
}

/// Whether an outcome line repeats (or completes) the failure `f` already holds.
fn repeats(f: &ClientFault, record: &ClientRecord<'_>, o: &Outcome<'_>, code: Option<u32>) -> bool {
    if let (Some(a), Some(b)) = (f.call_id.as_deref(), o.call)
        && a != b
    {
        return false;
    }
    let close_in = |seconds: i64| match (f.last_time, record.time) {
        (Some(a), Some(b)) => (b - a).num_seconds().abs() <= seconds,
        _ => record.line.saturating_sub(f.last_line) <= REPEAT_LINES,
    };
    let same_code = code.is_none_or(|c| {
        f.codes.contains(&c) || c == ALL_UPDATES_FAILED || f.hresult == ALL_UPDATES_FAILED
    });
    let same_operation = f.operation == Some(o.operation)
        || f.operation == Some(Operation::Call)
        || o.operation == Operation::Call;
    (o.repeat && same_code && close_in(REPEAT_SECONDS))
        || (same_operation && f.pid == record.pid && close_in(SAME_CALL_SECONDS))
        || (same_operation && close_in(SAME_OPERATION_SECONDS))
}

/// Codes that say an operation failed, not why: the call's `WU_E_ALL_UPDATES_FAILED`, the
/// handler's `WU_E_UH_INSTALLERFAILURE` (the installer's own code says why).
fn says_only_that(code: u32) -> bool {
    matches!(code, ALL_UPDATES_FAILED | 0x8024_200B)
}
