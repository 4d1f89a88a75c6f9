//! Matches the known-issue rules on the joined faults, the server entries no client fault was
//! joined to, the lines rules look for, and the fleet as a whole: each match an [`Occurrence`],
//! which the assembly gathers into one finding per rule.
//!
//! A client fault joined to a server entry where both match a rule is `confirmed` (when the
//! rule accepts that kind of join); one side alone is `probable`. A server entry joined by fault
//! ID that contradicts the rule's server side rules it out. Each fault is given the best rule
//! that matches it: highest priority, then confirmed over probable, then the most specific.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Correlation, EntryRef, Fleet, Joined, Joins};
use crate::knowledge::rules::{Confidence, FleetCheck, Rule, RuleSet, StackVerdicts};
use crate::pipeline::Quoted;
use crate::pipeline::server::ServerEntry;

/// Server lines quoted per occurrence.
pub(crate) const SERVER_EVIDENCE: usize = 4;
/// Causes named for a fault whose code alone points at them.
const POSSIBLE_CAUSES: usize = 3;

/// One match of a rule.
pub(crate) struct Occurrence {
    /// The rule's index in the rule set.
    pub rule: usize,
    pub confidence: Confidence,
    /// The client log it was seen in, when a client's.
    pub client: Option<usize>,
    pub evidence: Quote,
}

/// What an occurrence quotes. Only a few occurrences of each rule are quoted, so a fault's
/// lines are copied out only when they are.
pub(crate) enum Quote {
    /// The lines of the joined fault at this index: its first client lines, then its server
    /// entry's.
    Fault(usize),
    Lines(Vec<Quoted>),
}

/// What rule matching adds to a diagnosis.
pub(crate) struct RuleMatches {
    /// Per joined fault: its rule and confidence.
    pub per_fault: Vec<Option<(String, Confidence)>>,
    /// Every match, to be gathered into findings.
    pub occurrences: Vec<Occurrence>,
}

/// How `rule` judges a client fault and what it was joined to; `None` when it does not match.
fn judge(
    rule: &Rule,
    fleet: &Fleet,
    j: &super::Joined,
    seen: &mut StackVerdicts,
) -> Option<Confidence> {
    let client = rule.client.as_ref()?;
    let fault = &fleet.clients[j.client].1.faults[j.fault];
    if !client.matches(fault) {
        return None;
    }
    // One side alone: probable on what the fault shows of this cause, possible on its code.
    let one_side = || {
        rule.join.client_only.then_some(if client.on_code_alone() {
            Confidence::Possible
        } else {
            Confidence::Probable
        })
    };
    let joined_entry = j.server.map(|r| fleet.entry(r));
    match (&rule.server, joined_entry) {
        (Some(server), Some(entry)) => {
            let accepted = match j.join {
                Correlation::FaultId => rule.join.fault_id,
                Correlation::TimeWindow => rule.join.time_window,
                // An ambiguous fault has no entry: probable at most.
                Correlation::Ambiguous | Correlation::None => false,
            };
            // Fragments alone (no time, IDs often placeholders) never confirm.
            let fragments_only = fleet.is_fragment(&fleet.clients[j.client].0)
                && j.server
                    .is_some_and(|r| fleet.is_fragment(&fleet.servers[r.server].0));
            if server.matches(entry, seen) {
                if accepted && !fragments_only {
                    Some(Confidence::Confirmed)
                } else {
                    one_side()
                }
            } else if j.join == Correlation::FaultId {
                // The server's own record of this very fault says something else.
                None
            } else {
                one_side()
            }
        }
        _ => one_side(),
    }
}

/// Orders candidate rules for one fault, best first.
fn rank(
    rules: &RuleSet,
    (i, c): &(usize, Confidence),
) -> (Reverse<i32>, Confidence, Reverse<u32>, usize) {
    let r = &rules.rules()[*i];
    (Reverse(r.priority), *c, Reverse(r.specificity()), *i)
}

/// Orders candidate rules for a server entry alone, best first: only the server side counts.
fn rank_server_only(rules: &RuleSet, i: usize) -> (Reverse<i32>, Reverse<u32>, usize) {
    let r = &rules.rules()[i];
    let specificity = r.server.as_ref().map_or(0, |s| s.specificity());
    (Reverse(r.priority), Reverse(specificity), i)
}

/// Matches `rules` on everything the fleet holds.
pub(crate) fn match_rules(
    fleet: &Fleet,
    corr: &Joins,
    rules: &RuleSet,
    parallel: bool,
) -> RuleMatches {
    let all = rules.rules();
    // Candidates per fault, before thresholds: every rule against every fault, on all cores
    // when there are many faults.
    let judge_all = |seen: &mut StackVerdicts, j: &Joined| -> Vec<(usize, Confidence)> {
        all.iter()
            .enumerate()
            .filter_map(|(i, r)| judge(r, fleet, j, seen).map(|c| (i, c)))
            .collect()
    };
    let mut candidates: Vec<Vec<(usize, Confidence)>> = if parallel {
        (corr.joined.par_iter())
            .map_init(StackVerdicts::default, judge_all)
            .collect()
    } else {
        let mut seen = StackVerdicts::default();
        corr.joined
            .iter()
            .map(|j| judge_all(&mut seen, j))
            .collect()
    };
    // Thresholds: matches per client log (faults and lines), and client logs per rule.
    // Keys of indices, not of log text: the fast hash is safe.
    let mut per_client: FxHashMap<(usize, usize), u32> = FxHashMap::default();
    for (k, c) in candidates.iter().enumerate() {
        for &(rule, _) in c {
            *per_client.entry((rule, corr.joined[k].client)).or_default() += 1;
        }
    }
    for (ci, (_, c)) in fleet.clients.iter().enumerate() {
        for h in &c.line_hits {
            *per_client.entry((h.rule, ci)).or_default() += 1;
        }
    }
    let mut clients_per_rule: FxHashMap<usize, u32> = FxHashMap::default();
    for (&(rule, _), &n) in &per_client {
        if n >= all[rule].min_occurrences {
            *clients_per_rule.entry(rule).or_default() += 1;
        }
    }
    let counts = |rule: usize, client: usize| -> bool {
        let r = &all[rule];
        per_client.get(&(rule, client)).copied().unwrap_or(0) >= r.min_occurrences
            && clients_per_rule.get(&rule).copied().unwrap_or(0) >= r.min_clients
    };
    for (k, c) in candidates.iter_mut().enumerate() {
        let client = corr.joined[k].client;
        c.retain(|&(rule, _)| counts(rule, client));
    }

    let mut occurrences = Vec::new();
    let mut per_fault = Vec::with_capacity(corr.joined.len());
    for (k, c) in candidates.iter_mut().enumerate() {
        c.sort_by_key(|x| rank(rules, x));
        let best = c.first().copied();
        per_fault.push(best.map(|(rule, conf)| (all[rule].id.clone(), conf)));
        // A fault whose code alone points at causes gets each of them, best first: several
        // possible causes, each with what would confirm it, never one confident cause.
        let shown = match best {
            Some((_, Confidence::Possible)) => POSSIBLE_CAUSES,
            Some(_) => 1,
            None => 0,
        };
        for &(rule, confidence) in c.iter().take(shown) {
            occurrences.push(Occurrence {
                rule,
                confidence,
                client: Some(corr.joined[k].client),
                evidence: Quote::Fault(k),
            });
        }
    }
    occurrences.extend(server_only(fleet, corr, rules, parallel));
    for (ci, (_, c)) in fleet.clients.iter().enumerate() {
        for h in &c.line_hits {
            if counts(h.rule, ci) {
                occurrences.push(Occurrence {
                    rule: h.rule,
                    confidence: Confidence::Probable,
                    client: Some(ci),
                    evidence: Quote::Lines(vec![h.evidence.clone()]),
                });
            }
        }
    }
    occurrences.extend(fleet_checks(fleet, rules));
    RuleMatches {
        per_fault,
        occurrences,
    }
}

/// Server entries no client fault was joined to, matched by rules that accept the server side
/// alone; on all cores when `parallel` (a server in a storm of errors logs hundreds of
/// thousands, each tried against every such rule). In log order.
fn server_only(fleet: &Fleet, corr: &Joins, rules: &RuleSet, parallel: bool) -> Vec<Occurrence> {
    let used: BTreeSet<EntryRef> = corr.joined.iter().filter_map(|j| j.server).collect();
    // The rules that may name a cause from the server's side alone.
    let alone: Vec<usize> = (rules.rules().iter().enumerate())
        .filter(|(_, r)| r.join.server_only && r.server.is_some())
        .map(|(i, _)| i)
        .collect();
    let mut entries: Vec<&ServerEntry> = Vec::new();
    for (si, (_, s)) in fleet.servers.iter().enumerate() {
        let throws = (s.throws.iter().enumerate()).map(|(i, e)| (true, i, e));
        let errors = (s.errors.iter().enumerate())
            .filter(|(_, e)| !e.explains_throw)
            .map(|(i, e)| (false, i, e));
        for (throw, index, e) in throws.chain(errors) {
            let at = EntryRef {
                server: si,
                throw,
                index,
            };
            if !used.contains(&at) {
                entries.push(e);
            }
        }
    }
    let best = |seen: &mut StackVerdicts, e: &&ServerEntry| -> Option<Occurrence> {
        let rule = (alone.iter().copied())
            .filter(|&i| (rules.rules()[i].server.as_ref()).is_some_and(|sig| sig.matches(e, seen)))
            .min_by_key(|&i| rank_server_only(rules, i))?;
        Some(Occurrence {
            rule,
            confidence: Confidence::Probable,
            client: None,
            evidence: Quote::Lines(e.evidence.iter().take(SERVER_EVIDENCE).cloned().collect()),
        })
    };
    if parallel {
        (entries.par_iter())
            .map_init(StackVerdicts::default, best)
            .flatten_iter()
            .collect()
    } else {
        let mut seen = StackVerdicts::default();
        entries.iter().filter_map(|e| best(&mut seen, e)).collect()
    }
}

/// Conditions over the whole fleet.
fn fleet_checks(fleet: &Fleet, rules: &RuleSet) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (rule, r) in rules.rules().iter().enumerate() {
        match r.fleet {
            Some(FleetCheck::DuplicateClientId) => {
                let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
                for (ci, (_, c)) in fleet.clients.iter().enumerate() {
                    if let Some(id) = c.client_id.as_deref().filter(|id| !id.trim().is_empty()) {
                        by_id.entry(id.to_ascii_lowercase()).or_default().push(ci);
                    }
                }
                for logs in by_id.values().filter(|l| l.len() > 1) {
                    let names: BTreeSet<Option<String>> = logs
                        .iter()
                        .map(|&ci| {
                            fleet.clients[ci]
                                .1
                                .dns_name
                                .as_ref()
                                .map(|d| d.to_ascii_lowercase())
                        })
                        .collect();
                    // The same machine's logs (same DNS name) are not a duplicate.
                    if names.len() == 1 && names.iter().next().is_some_and(Option::is_some) {
                        continue;
                    }
                    for &ci in logs {
                        out.push(Occurrence {
                            rule,
                            confidence: Confidence::Probable,
                            client: Some(ci),
                            evidence: Quote::Lines(
                                fleet.clients[ci].1.identity.iter().cloned().collect(),
                            ),
                        });
                    }
                }
            }
            Some(FleetCheck::SlowScan { seconds }) => {
                for (ci, (_, c)) in fleet.clients.iter().enumerate() {
                    if let Some((took, first)) = &c.longest_detection
                        && *took > i64::from(seconds)
                    {
                        let mut e = first.clone();
                        e.note = Some(format!("this detection took {}", duration(*took)));
                        out.push(Occurrence {
                            rule,
                            confidence: Confidence::Probable,
                            client: Some(ci),
                            evidence: Quote::Lines(vec![e]),
                        });
                    }
                }
            }
            None => {}
        }
    }
    out
}

/// `5400` → `1 h 30 min`.
fn duration(seconds: i64) -> String {
    let (h, m) = (seconds / 3600, seconds % 3600 / 60);
    if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min")
    }
}
