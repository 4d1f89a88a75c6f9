//! What a rule looks for on each side, and how a fault or a server entry is tested against it.

use regex::Regex;
use rustc_hash::FxHashMap;

use crate::events::EndpointKind;
use crate::pipeline::client::ClientFault;
use crate::pipeline::server::{EntryText, ServerEntry};

/// What the client log shows. Every field that is set must match (any of its values); `lines`
/// is separate: it matches single lines anywhere in the log, fault or not.
#[derive(Clone, Debug, Default)]
pub struct ClientSignature {
    /// HRESULTs, any of which the fault logged.
    pub hresults: Vec<u32>,
    /// Whether the rule is about WSUS itself (`endpoint = "wsus"`): it never matches a fault
    /// whose call is known to have gone to Microsoft's servers.
    pub wsus_only: bool,
    /// SOAP fault `ErrorCode` names (`InternalServerError`).
    pub error_codes: Vec<String>,
    /// Web methods (`SyncUpdates`); a method URL matches by its last segment.
    pub methods: Vec<String>,
    /// HTTP status codes of the failed call.
    pub http_status: Vec<u32>,
    /// Patterns, one of which a line of the fault must match.
    pub messages: Vec<Regex>,
    /// Patterns matched against every message of the log.
    pub lines: Vec<Regex>,
}

impl ClientSignature {
    /// Whether the signature says anything about faults (as opposed to lines only).
    pub fn matches_faults(&self) -> bool {
        !(self.hresults.is_empty()
            && self.error_codes.is_empty()
            && self.methods.is_empty()
            && self.http_status.is_empty()
            && self.messages.is_empty())
    }

    /// Whether a match rests on the fault's codes (and method) alone: nothing the fault shows
    /// (a SOAP `ErrorCode`, an HTTP status, a line) points at this cause rather than another.
    pub fn on_code_alone(&self) -> bool {
        self.error_codes.is_empty() && self.http_status.is_empty() && self.messages.is_empty()
    }

    pub(crate) fn specificity(&self) -> u32 {
        [
            !self.hresults.is_empty(),
            !self.error_codes.is_empty(),
            !self.methods.is_empty(),
            !self.http_status.is_empty(),
            !self.messages.is_empty(),
        ]
        .into_iter()
        .map(u32::from)
        .sum()
    }

    /// Whether a client fault matches.
    pub(crate) fn matches(&self, f: &ClientFault) -> bool {
        self.matches_faults()
            && !(self.wsus_only && f.endpoint_kind == EndpointKind::Microsoft)
            && (self.hresults.is_empty() || f.codes.iter().any(|c| self.hresults.contains(c)))
            && (self.error_codes.is_empty()
                || f.error_code
                    .as_deref()
                    .is_some_and(|e| any_name(&self.error_codes, e.trim())))
            && (self.methods.is_empty()
                || f.method
                    .as_deref()
                    .is_some_and(|m| any_name(&self.methods, method_name(m))))
            && (self.http_status.is_empty()
                || f.http_status.is_some_and(|s| self.http_status.contains(&s)))
            && (self.messages.is_empty()
                || f.evidence
                    .iter()
                    .any(|l| any_match(&self.messages, l.message())))
    }
}

/// What the server log shows. Every field that is set must match (any of its values).
#[derive(Clone, Debug, Default)]
pub struct ServerSignature {
    /// The logging `Class.Method` of the entry or of the exception behind it.
    pub sources: Vec<String>,
    /// Exception types, outer or inner; `ArgumentException` matches `System.ArgumentException`.
    pub exceptions: Vec<String>,
    /// `ErrorCode` of the `ThrowException` entry.
    pub error_codes: Vec<String>,
    /// Patterns, one of which the entry's message or its continuation lines (the stack) must
    /// match.
    pub messages: Vec<Regex>,
    /// Patterns, one of which a stack frame must match.
    pub frames: Vec<Regex>,
    /// SQL error numbers (`-2` is a time-out).
    pub sql_numbers: Vec<i64>,
    /// Whether the fault came from the upstream server (`USS ThrowException`).
    pub upstream: Option<bool>,
}

impl ServerSignature {
    pub(crate) fn specificity(&self) -> u32 {
        [
            !self.sources.is_empty(),
            !self.exceptions.is_empty(),
            !self.error_codes.is_empty(),
            !self.messages.is_empty(),
            !self.frames.is_empty(),
            !self.sql_numbers.is_empty(),
            self.upstream.is_some(),
        ]
        .into_iter()
        .map(u32::from)
        .sum()
    }

    /// Whether a server entry matches; what its patterns find in a stack other entries share
    /// is remembered in `seen`.
    pub(crate) fn matches(&self, e: &ServerEntry, seen: &mut StackVerdicts) -> bool {
        let cause = e.cause.as_ref();
        let throw = e.throw.as_ref();
        (self.sources.is_empty()
            || any_name(&self.sources, &e.source)
            || cause
                .and_then(|c| c.method.as_deref())
                .is_some_and(|m| any_name(&self.sources, m)))
            && (self.exceptions.is_empty()
                || e.exception_kinds
                    .iter()
                    .map(String::as_str)
                    .chain(cause.map(|c| c.exception.as_str()))
                    .any(|k| self.exceptions.iter().any(|x| same_type(k, x))))
            && (self.error_codes.is_empty()
                || throw
                    .and_then(|t| t.error_code.as_deref())
                    .is_some_and(|c| any_name(&self.error_codes, c.trim())))
            && (self.messages.is_empty()
                || e.texts().any(|t| {
                    any_match(&self.messages, t.message())
                        || seen.verdict(&self.messages, t, || {
                            t.continuation()
                                .is_some_and(|c| any_match(&self.messages, c))
                        })
                }))
            && (self.frames.is_empty()
                || e.texts().any(|t| {
                    seen.verdict(&self.frames, t, || {
                        t.frames().any(|f| any_match(&self.frames, f))
                    })
                })
                || cause
                    .and_then(|c| c.method.as_deref())
                    .is_some_and(|m| any_match(&self.frames, m)))
            && (self.sql_numbers.is_empty()
                || cause
                    .and_then(|c| c.sql_number)
                    .is_some_and(|n| self.sql_numbers.contains(&n)))
            && self
                .upstream
                .is_none_or(|u| throw.is_some_and(|t| t.upstream == u))
    }
}

/// What patterns found in the stacks entries share, by pattern list and stack: a stack a log
/// repeats word for word is held once (`pipeline/server_text.rs`), and so tested once by each
/// rule, not once for each entry. Good while the rules and the entries tested live.
#[derive(Debug, Default)]
pub(crate) struct StackVerdicts(FxHashMap<(usize, usize), bool>);

impl StackVerdicts {
    /// What `test` says of the stack of `text` for `patterns` (a rule's list): remembered when
    /// other entries share that stack.
    fn verdict(
        &mut self,
        patterns: &[Regex],
        text: &EntryText,
        test: impl FnOnce() -> bool,
    ) -> bool {
        match text.shared_stack() {
            Some(stack) => *(self.0)
                .entry((patterns.as_ptr() as usize, stack))
                .or_insert_with(test),
            None => test(),
        }
    }
}

#[cfg(test)]
impl StackVerdicts {
    /// How many verdicts are remembered.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Whether one of `patterns` matches `text`.
fn any_match(patterns: &[Regex], text: &str) -> bool {
    patterns.iter().any(|p| p.is_match(text))
}

fn any_name(names: &[String], value: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(value))
}

/// `"http://…/ClientWebService/SyncUpdates"` → `SyncUpdates`.
fn method_name(method: &str) -> &str {
    let m = method.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    m.rsplit('/').next().unwrap_or(m)
}

/// Whether exception type `kind` is `name`, with or without its namespace.
fn same_type(kind: &str, name: &str) -> bool {
    kind.eq_ignore_ascii_case(name)
        || kind
            .len()
            .checked_sub(name.len() + 1)
            .and_then(|i| kind.get(i..))
            .and_then(|tail| tail.strip_prefix('.'))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_and_types() {
        assert_eq!(
            method_name(
                "\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\""
            ),
            "SyncUpdates"
        );
        assert_eq!(method_name("  GetCookie "), "GetCookie");
        assert!(same_type("System.ArgumentException", "ArgumentException"));
        assert!(same_type(
            "System.ArgumentException",
            "system.argumentexception"
        ));
        assert!(!same_type(
            "System.ArgumentNullException",
            "ArgumentException"
        ));
        assert!(!same_type("XArgumentException", "ArgumentException"));
    }
}
