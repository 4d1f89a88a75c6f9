//! Faults grouped: a fleet repeats the same failure on the same client many times, and the
//! server the same error; the reports count groups, and a reader of the JSON sees a thousand
//! faults as the few failures they are.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnosis::{Diagnosis, Fault, ServerSide};

/// The faults of one client log with the same code, web method, known issue and server cause.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
pub struct FaultGroup {
    /// The client log: its index in `inputs`.
    pub input: u32,
    /// The HRESULT.
    pub hresult: String,
    /// The web method that failed.
    pub method: Option<String>,
    /// The known issue matched.
    pub rule_id: Option<String>,
    /// The exception behind the joined server entry (`System.ArgumentException`).
    pub server_cause: Option<String>,
    /// Faults in the group.
    pub count: u32,
    /// The earliest time among them, as the client log wrote it.
    pub first_time: Option<String>,
    /// The latest, as the client log wrote it.
    pub last_time: Option<String>,
    /// The earliest in server UTC, when the log's clock offset is known.
    pub first_time_utc: Option<String>,
    /// The latest in server UTC.
    pub last_time_utc: Option<String>,
    /// Their indices in `faults`, in order.
    pub faults: Vec<u32>,
}

/// The server faults of one server log with the same exception, method and message pattern.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
pub struct ServerFaultGroup {
    /// The server log: its index in `inputs`.
    pub input: u32,
    /// The exception (`SqlException`), or for a fault without one its `ErrorCode`.
    pub exception: Option<String>,
    /// The method it happened in, else the entry's logger.
    pub method: String,
    /// The message with every number and ID written `#` (`Key in dictionary: '#'`).
    pub message: Option<String>,
    /// Server faults in the group.
    pub count: u32,
    /// The earliest time among them, UTC.
    pub first_time: Option<String>,
    /// The latest, UTC.
    pub last_time: Option<String>,
    /// Their indices in `server_faults`, in order.
    pub server_faults: Vec<u32>,
}

/// Fills `d.fault_groups` and `d.server_fault_groups` from its faults.
pub(crate) fn group(d: &mut Diagnosis) {
    d.fault_groups = fault_groups(&d.faults);
    d.server_fault_groups = server_fault_groups(&d.server_faults);
}

/// Groups items by key, in the order of each group's first item: (key, indices).
fn by_key<'a, T, K: std::hash::Hash + Eq>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<(&'a T, Vec<u32>)> {
    let mut at: HashMap<K, usize> = HashMap::new();
    let mut groups: Vec<(&T, Vec<u32>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let g = *at.entry(key(item)).or_insert_with(|| {
            groups.push((item, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    groups
}

/// The earliest and latest of some times (ISO 8601, which sorts as text).
fn span<'a>(times: impl Iterator<Item = Option<&'a String>>) -> (Option<String>, Option<String>) {
    let mut times = times.flatten();
    let Some(first) = times.next() else {
        return (None, None);
    };
    let (lo, hi) = times.fold((first, first), |(lo, hi), t| (lo.min(t), hi.max(t)));
    (Some(lo.clone()), Some(hi.clone()))
}

fn count(indices: &[u32]) -> u32 {
    u32::try_from(indices.len()).unwrap_or(u32::MAX)
}

fn fault_groups(faults: &[Fault]) -> Vec<FaultGroup> {
    let cause = |f: &Fault| {
        (f.server.as_ref())
            .and_then(|s| s.cause.as_ref())
            .map(|c| c.exception.clone())
    };
    by_key(faults, |f| {
        let c = &f.client;
        (c.input, &c.hresult, &c.method, &f.rule_id, cause(f))
    })
    .into_iter()
    .map(|(f, indices)| {
        let members = || indices.iter().map(|&i| &faults[i as usize].client);
        let (first_time, last_time) = span(members().map(|c| c.time.as_ref()));
        let (first_time_utc, last_time_utc) = span(members().map(|c| c.time_utc.as_ref()));
        FaultGroup {
            input: f.client.input,
            hresult: f.client.hresult.clone(),
            method: f.client.method.clone(),
            rule_id: f.rule_id.clone(),
            server_cause: cause(f),
            count: count(&indices),
            first_time,
            last_time,
            first_time_utc,
            last_time_utc,
            faults: indices,
        }
    })
    .collect()
}

/// What a server fault is grouped by: its log, exception (or ErrorCode), method (or logger)
/// and message pattern.
fn server_key(s: &ServerSide) -> (u32, Option<&str>, &str, Option<String>) {
    let cause = s.cause.as_ref();
    let exception = cause.map(|c| c.exception.as_str());
    let exception = exception.or(s.error_code.as_deref());
    let method = cause.and_then(|c| c.method.as_deref()).unwrap_or(&s.logger);
    let message = cause.map(|c| c.message.as_str()).or(s.message.as_deref());
    (s.input, exception, method, message.map(pattern))
}

fn server_fault_groups(faults: &[ServerSide]) -> Vec<ServerFaultGroup> {
    by_key(faults, server_key)
        .into_iter()
        .map(|(s, indices)| {
            let (input, exception, method, message) = server_key(s);
            let (first_time, last_time) =
                span(indices.iter().map(|&i| faults[i as usize].time.as_ref()));
            ServerFaultGroup {
                input,
                exception: exception.map(str::to_owned),
                method: method.to_owned(),
                message,
                count: count(&indices),
                first_time,
                last_time,
                server_faults: indices,
            }
        })
        .collect()
}

/// `message` with each word of hex digits and dashes that holds a digit (a number, a GUID, a
/// fault ID) written `#`: what stays is what the messages of one error have in common.
pub(crate) fn pattern(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.bytes().any(|b| b.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for ch in message.chars() {
        if ch.is_ascii_hexdigit() || (ch == '-' && !word.is_empty()) {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_leaves_out_numbers_and_ids() {
        // From the bundled KB954960 sample's server log and a generated fleet's SQL timeout.
        assert_eq!(
            pattern(
                "Item has already been added. Key in dictionary: '8862'  Key being added: '8862'"
            ),
            "Item has already been added. Key in dictionary: '#'  Key being added: '#'"
        );
        assert_eq!(
            pattern("ID=c0a7445f-b989-43fa-ac20-11f8ca65fa8c, ErrorCode=InternalServerError"),
            "ID=#, ErrorCode=InternalServerError"
        );
        assert_eq!(pattern("Number -2, Class 10"), "Number -#, Class #");
        assert_eq!(
            pattern("a deadline was exceeded"),
            "a deadline was exceeded"
        );
        assert_eq!(pattern(""), "");
    }
}
