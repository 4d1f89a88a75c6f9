//! The diagnosis, assembled once from what the readers found and what the joins decided: every
//! report type is built here, from the layers' own types.

mod findings;

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::correlate::{ClockEstimate, EntryRef, Fleet, Joined, Joins, RuleMatches};
use crate::diagnosis::{
    ClientSide, ClientSummary, ClockOffset, Code, Confidence, Diagnosis, EvidenceDetail, Fault,
    SCHEMA_VERSION, ServerRef, ServerSide,
};
use crate::key_lines::{key_lines, runs};
use crate::knowledge::hresult;
use crate::knowledge::rules::RuleSet;
use crate::pipeline::client::{ClientAnalysis, ClientFault};
use crate::pipeline::server::ServerEntry;
use crate::run::Options;

/// Formats a log time as ISO 8601 (milliseconds), `Z` appended for UTC: what
/// `%Y-%m-%dT%H:%M:%S%.3f` gives, written digit by digit (a report holds a few of these per
/// fault, and chrono reads its format string on every call).
fn iso(t: NaiveDateTime, utc: bool) -> String {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) || t.nanosecond() >= 1_000_000_000 {
        // Signed or five-digit years, and leap seconds: no log has them, chrono knows them.
        let s = t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
        return if utc { s + "Z" } else { s };
    }
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for digit in text[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, t.month());
    put(8, 2, t.day());
    put(11, 2, t.hour());
    put(14, 2, t.minute());
    put(17, 2, t.second());
    put(20, 3, t.nanosecond() / 1_000_000);
    let len = if utc { text.len() } else { text.len() - 1 };
    String::from_utf8_lossy(&text[..len]).into_owned()
}

/// The client's side of a fault, for the report: `f` is taken apart into it. `input` is the
/// log's index in the inputs; `detail` says which of its lines keep their text.
fn client_side(
    input: u32,
    c: &ClientAnalysis,
    f: ClientFault,
    offset: Option<i64>,
    detail: EvidenceDetail,
) -> ClientSide {
    let lines = runs(f.evidence.iter().map(|l| l.line));
    let quoted = match detail {
        EvidenceDetail::Full => (0..f.evidence.len()).collect(),
        _ => key_lines(f.evidence.iter().map(|l| &*l.text)),
    };
    let mut evidence: Vec<_> = f.evidence.into_iter().map(Some).collect();
    ClientSide {
        input,
        line: f.line,
        time: f.time.map(|t| iso(t, c.utc)),
        time_utc: f
            .time
            .zip(offset)
            .map(|(t, o)| iso(t + Duration::seconds(o), true)),
        hresult: hresult::format_code(f.hresult),
        related_codes: f
            .codes
            .iter()
            .filter(|&&c| c != f.hresult)
            .map(|&c| hresult::format_code(c))
            .collect(),
        method: f.method,
        fault_id: f.fault_id,
        error_code: f.error_code,
        fault_message: f.fault_message,
        http_status: f.http_status,
        soap_client_error: f.soap_client_error,
        soap_error_code: f.soap_error_code,
        server_url: f.server_url.or_else(|| c.server_url.clone()),
        operation: f.operation,
        outcome_line: f.outcome_line.filter(|&l| l != f.line),
        endpoint: f.endpoint,
        endpoint_kind: f.endpoint_kind,
        lines,
        evidence: (quoted.into_iter())
            .filter_map(|i| evidence[i].take())
            .map(|l| l.into_evidence(input))
            .collect(),
    }
}

/// The server's side of a fault, for the report: `e`, an entry of the fleet's server log at
/// index `server` (the input at index `input`), is taken apart into it. `detail` says whether its lines keep their text;
/// the lines it quotes of another log (a site server's failure quotes the WSUS log's error
/// nearest in time) always do, as its own lines are all its `lines` name.
fn server_side(
    fleet: &Fleet,
    server: usize,
    input: u32,
    e: ServerEntry,
    detail: EvidenceDetail,
) -> ServerSide {
    let own = fleet.servers[server].0.as_str();
    let (actor, upstream, throw_id, error_code, message, client) = match e.throw.map(|t| *t) {
        Some(t) => (
            Some(t.actor).filter(|a| !a.is_empty()),
            t.upstream,
            t.id,
            t.error_code,
            Some(t.message),
            t.client,
        ),
        None => (None, false, None, None, None, None),
    };
    let error_code = error_code.or_else(|| e.code.map(|c| format!("0x{c:08X}")));
    ServerSide {
        input,
        line: e.line,
        time: e.time.map(|t| iso(t, true)),
        thread: e.thread,
        logger: e.source,
        actor,
        upstream,
        throw_id,
        error_code,
        message,
        client,
        cause: e.cause,
        lines: runs(
            (e.evidence.iter())
                .filter(|l| &*l.source == own)
                .map(|l| l.line),
        ),
        evidence: (e.evidence.iter())
            .filter(|l| detail == EvidenceDetail::Full || &*l.source != own)
            .map(|l| {
                let from_own = &*l.source == own;
                l.evidence(if from_own {
                    input
                } else {
                    fleet.input(&l.source)
                })
            })
            .collect(),
    }
}

/// What [`server_side`] reads of `e`, copied, for an entry joined to more than one fault. The
/// text, frames and exception types, which only the rules read and which can run to kilobytes,
/// are left behind.
fn shown(e: &ServerEntry) -> ServerEntry {
    ServerEntry {
        line: e.line,
        time: e.time,
        thread: e.thread.clone(),
        source: e.source.clone(),
        throw: e.throw.clone(),
        cause: e.cause.clone(),
        evidence: e.evidence.clone(),
        code: e.code,
        ..ServerEntry::default()
    }
}

/// The server entry a fault is reported with: the entry itself, at its last join (it is
/// taken), or a copy of what the report shows of it, before.
enum EntryFor<'f> {
    Last(&'f mut ServerEntry),
    Copy(Box<ServerEntry>),
}

/// A client fault to take out of the fleet, with what it was joined to and the rule it
/// matched.
struct Taken<'f, 'c> {
    fault: &'f mut ClientFault,
    entry: Option<EntryFor<'f>>,
    /// The candidates of an ambiguous fault.
    candidates: Vec<ServerRef>,
    joined: &'c Joined,
    rule: Option<(String, Confidence)>,
}

/// Assembles the diagnosis, with the rules' matches (of `rules`). The client faults are taken out of `fleet`
/// into it, not copied: they are most of a large fleet's diagnosis.
pub(crate) fn assemble(
    mut fleet: Fleet,
    corr: &Joins,
    matches: RuleMatches,
    rules: &RuleSet,
    options: &Options,
) -> Diagnosis {
    let found = findings::gather(&fleet, corr, rules, matches.occurrences);
    let parallel = options.parallel;
    let clients = summaries(&fleet);
    // Each client fault is joined once; a server entry may be joined more than once, and is
    // copied for all but its last fault. The entries joined to none are the server faults.
    let mut uses: FxHashMap<EntryRef, usize> = FxHashMap::default();
    for r in corr.joined.iter().filter_map(|j| j.server) {
        *uses.entry(r).or_default() += 1;
    }
    // The faults and entries, out of the fleet (only the lists move), so that each can be
    // lent on its own to the core that takes it, while the fleet is read.
    let mut client_faults: Vec<Vec<ClientFault>> = (fleet.clients.iter_mut())
        .map(|(_, c)| std::mem::take(&mut c.faults))
        .collect();
    let mut server_entries: Vec<[Vec<ServerEntry>; 2]> = (fleet.servers.iter_mut())
        .map(|(_, s)| [std::mem::take(&mut s.throws), std::mem::take(&mut s.errors)])
        .collect();
    let mut fault_slots: Vec<Vec<Option<&mut ClientFault>>> = (client_faults.iter_mut())
        .map(|faults| faults.iter_mut().map(Some).collect())
        .collect();
    let mut entry_slots: Vec<[Vec<Option<&mut ServerEntry>>; 2]> = (server_entries.iter_mut())
        .map(|lists| lists.each_mut().map(|l| l.iter_mut().map(Some).collect()))
        .collect();
    let client_inputs: Vec<u32> = (fleet.clients.iter())
        .map(|(source, _)| fleet.input(source))
        .collect();
    let server_inputs: Vec<u32> = (fleet.servers.iter())
        .map(|(source, _)| fleet.input(source))
        .collect();
    let mut rules = matches.per_fault.into_iter();
    let mut owned = Vec::with_capacity(corr.joined.len());
    for joined in &corr.joined {
        let entry = joined.server.and_then(|r| {
            // Throws first, then errors.
            let slot = &mut entry_slots[r.server][usize::from(!r.throw)][r.index];
            let left = uses.entry(r).or_default();
            *left = left.saturating_sub(1);
            if *left == 0 {
                slot.take().map(EntryFor::Last)
            } else {
                slot.as_deref().map(|e| EntryFor::Copy(Box::new(shown(e))))
            }
        });
        // Never joined, so never taken: still in their slots.
        let candidates = (joined.candidates.iter())
            .filter_map(|r| {
                let slot = &entry_slots[r.server][usize::from(!r.throw)][r.index];
                slot.as_deref().map(|e| ServerRef {
                    input: server_inputs[r.server],
                    line: e.line,
                })
            })
            .collect();
        let rule = rules.next().flatten();
        // Each fault is joined once.
        if let Some(fault) = fault_slots[joined.client][joined.fault].take() {
            owned.push(Taken {
                fault,
                entry,
                candidates,
                joined,
                rule,
            });
        }
    }
    let fault = |t: Taken<'_, '_>| {
        let c = &fleet.clients[t.joined.client].1;
        let offset = corr.offset_seconds[t.joined.client];
        let entry = t.entry.map(|e| match e {
            EntryFor::Last(e) => std::mem::take(e),
            EntryFor::Copy(e) => *e,
        });
        Fault {
            client: client_side(
                client_inputs[t.joined.client],
                c,
                std::mem::take(t.fault),
                offset,
                options.evidence,
            ),
            server: (entry.zip(t.joined.server)).map(|(e, r)| {
                let input = server_inputs[r.server];
                server_side(&fleet, r.server, input, e, options.evidence)
            }),
            correlation: t.joined.join,
            failure_kind: Cow::Borrowed(t.joined.family.name.as_str()),
            time_window: t.joined.window.clone(),
            candidates: t.candidates,
            confidence: t.rule.as_ref().map(|r| r.1),
            rule_id: t.rule.map(|r| r.0),
        }
    };
    let faults: Vec<Fault> = if parallel {
        owned.into_par_iter().map(fault).collect()
    } else {
        owned.into_iter().map(fault).collect()
    };
    // The entries no fault took that are faults of their own: every fault sent, and each error
    // with an exception that did not cause a fault sent (on a site server's log, any failure).
    let sites: Vec<bool> = (fleet.servers.iter())
        .map(|(name, _)| fleet.is_site_log(name))
        .collect();
    let keep = |server: usize, throw: bool, index: usize, e: &ServerEntry| {
        (throw || ((e.cause.is_some() || sites[server]) && !e.explains_throw))
            && !uses.contains_key(&EntryRef {
                server,
                throw,
                index,
            })
    };
    let kept = |server: usize, throw: bool, entries: &[ServerEntry]| {
        (entries.iter().enumerate())
            .filter(|&(i, e)| keep(server, throw, i, e))
            .count()
    };
    // Built in place, in a list given its length first, each log's run sorted by line where it
    // lies: a log of 200,000 errors gives 200,000 server faults, which a list grown by doubling
    // or made first and copied in would hold twice.
    let total = (server_entries.iter().enumerate())
        .map(|(si, [throws, errors])| kept(si, true, throws) + kept(si, false, errors))
        .sum();
    let mut server_faults = Vec::with_capacity(total);
    for (si, [throws, errors]) in server_entries.iter_mut().enumerate() {
        let input = server_inputs[si];
        let start = server_faults.len();
        for (throw, entries) in [(true, throws), (false, errors)] {
            let taken = (entries.iter_mut().enumerate())
                .filter(|(i, e)| keep(si, throw, *i, e))
                .map(|(_, e)| server_side(&fleet, si, input, std::mem::take(e), options.evidence));
            server_faults.extend(taken);
        }
        // Each entry of a log is on a line of its own: no two keys are equal.
        server_faults[start..].sort_unstable_by_key(|s: &ServerSide| s.line);
    }
    let inputs = std::mem::take(&mut fleet.inputs);
    let clock_offsets = (fleet.clients.iter().zip(&corr.offsets))
        .map(|((source, _), o)| clock_offset(source, o))
        .collect();
    fleet.free_name_map();
    if parallel {
        // Freeing what is left of a large fleet takes a while; the caller need not wait.
        rayon::spawn(move || drop((fleet, client_faults, server_entries)));
    }
    Diagnosis {
        schema_version: SCHEMA_VERSION,
        tool: Default::default(),
        inputs,
        clock_offsets,
        codes: codes(&faults),
        faults,
        fault_groups: Vec::new(),
        server_faults,
        server_fault_groups: Vec::new(),
        findings: found,
        clients,
    }
}

/// Each code the faults name that wsusdiag knows, described.
fn codes(faults: &[Fault]) -> BTreeMap<String, Code> {
    let mut codes = BTreeMap::new();
    for f in faults {
        for code in std::iter::once(&f.client.hresult).chain(&f.client.related_codes) {
            if codes.contains_key(code) {
                continue;
            }
            let info = hresult::parse_code(code).and_then(hresult::lookup);
            if let Some(info) = info {
                codes.insert(
                    code.clone(),
                    Code {
                        name: Cow::Borrowed(info.name),
                        description: Cow::Borrowed(info.description),
                    },
                );
            }
        }
    }
    codes
}

/// Per client log: who it is and how its detections went.
fn summaries(fleet: &Fleet) -> Vec<ClientSummary> {
    fleet
        .clients
        .iter()
        .map(|(source, c)| ClientSummary {
            source: source.clone(),
            client_id: c.client_id.clone(),
            dns_name: c.dns_name.clone(),
            server_url: c.server_url.clone(),
            wsus_policy: c.wsus_policy.clone().map(Option::unwrap_or_default),
            update_sources: c.update_sources.clone(),
            agent_version: c.agent_version.clone(),
            os_version: c.os_version.clone(),
            detections: c.detections,
            scans_succeeded: c.successes.scans,
            downloads_succeeded: c.successes.downloads,
            installs_succeeded: c.successes.installs,
            recovered: c.successes.recovered,
            failures: u32::try_from(c.faults.len()).unwrap_or(u32::MAX),
            last_success: c.last_success.map(|t| iso(t, c.utc)),
            last_failure: c
                .faults
                .iter()
                .filter_map(|f| f.time)
                .max()
                .map(|t| iso(t, c.utc)),
        })
        .collect()
}

/// A client log's clock, for the report.
fn clock_offset(source: &str, o: &ClockEstimate) -> ClockOffset {
    ClockOffset {
        source: source.to_owned(),
        offset_seconds: o.offset_seconds,
        basis: o.basis,
        pairs: o.pairs,
        tz_minutes: o.tz_minutes,
        skew_seconds: o.skew_seconds,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn iso_writes_what_chrono_writes() {
        let at = |y, mo, d, h, mi, s, ms| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .and_then(|d| d.and_hms_milli_opt(h, mi, s, ms))
                .unwrap()
        };
        let times = [
            at(2008, 7, 14, 9, 12, 1, 375),
            at(2024, 2, 29, 23, 59, 59, 999),
            at(1999, 12, 31, 0, 0, 0, 7),
            at(1, 1, 1, 0, 0, 0, 0),
            at(9999, 12, 31, 23, 59, 59, 50),
            // Beyond the digit-by-digit range: a five-digit and a negative year, a leap second.
            at(10000, 1, 1, 0, 0, 0, 0),
            at(-44, 3, 15, 12, 0, 0, 0),
            at(2016, 12, 31, 23, 59, 59, 1500),
        ];
        for t in times {
            let chrono = t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
            assert_eq!(iso(t, false), chrono);
            assert_eq!(iso(t, true), chrono + "Z");
        }
        assert_eq!(iso(times[0], true), "2008-07-14T09:12:01.375Z");
    }
}
