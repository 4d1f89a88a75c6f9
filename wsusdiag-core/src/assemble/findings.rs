//! The known issues found, for the report: the rules' matches ([`Occurrence`]s) gathered into
//! one [`Finding`] per rule, with the lines that show it and the hosts its faults talked to.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use crate::correlate::{Fleet, Joins, Occurrence, Quote, SERVER_EVIDENCE};
use crate::diagnosis::Finding;
use crate::knowledge::rules::{Confidence, RuleSet};
use crate::pipeline::Evidence;

/// Client lines quoted per occurrence in a finding.
const CLIENT_EVIDENCE: usize = 8;
/// Occurrences quoted per finding.
const QUOTED_OCCURRENCES: usize = 3;

/// The lines `quote` names, as the report quotes them.
fn lines(quote: &Quote, fleet: &Fleet, corr: &Joins) -> Vec<Evidence> {
    let k = match quote {
        Quote::Lines(lines) => {
            return (lines.iter())
                .map(|l| l.evidence(fleet.input(&l.source)))
                .collect();
        }
        Quote::Fault(k) => *k,
    };
    let j = &corr.joined[k];
    let (source, client) = &fleet.clients[j.client];
    let input = fleet.input(source);
    let client_lines = client.faults[j.fault].evidence.iter().take(CLIENT_EVIDENCE);
    let mut lines: Vec<Evidence> = client_lines.map(|l| l.evidence(input)).collect();
    if let Some(r) = j.server {
        let server_lines = fleet.entry(r).evidence.iter().take(SERVER_EVIDENCE);
        lines.extend(server_lines.map(|l| l.evidence(fleet.input(&l.source))));
    }
    lines
}

/// The hosts the faults of a rule's occurrences talked to, in order, without repeats.
fn endpoints(fleet: &Fleet, corr: &Joins, list: &[Occurrence]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for o in list {
        let Quote::Fault(k) = o.evidence else {
            continue;
        };
        let j = &corr.joined[k];
        let fault = &fleet.clients[j.client].1.faults[j.fault];
        if let Some(url) = fault.endpoint.as_deref().or(fault.server_url.as_deref()) {
            let host = crate::events::host(url);
            if !host.is_empty() && !hosts.iter().any(|h| h == host) {
                hosts.push(host.to_owned());
            }
        }
    }
    hosts
}

/// One finding per rule, the most serious and most certain first. Reads the faults of
/// `fleet`: call it before they are taken out for the report.
pub(super) fn gather(
    fleet: &Fleet,
    corr: &Joins,
    rules: &RuleSet,
    occurrences: Vec<Occurrence>,
) -> Vec<Finding> {
    let mut by_rule: Vec<(usize, Vec<Occurrence>)> = Vec::new();
    for o in occurrences {
        match by_rule.iter_mut().find(|(r, _)| *r == o.rule) {
            Some((_, list)) => list.push(o),
            None => by_rule.push((o.rule, vec![o])),
        }
    }
    let mut findings: Vec<Finding> = by_rule
        .into_iter()
        .map(|(rule, list)| {
            let r = &rules.rules()[rule];
            let confidence = list
                .iter()
                .map(|o| o.confidence)
                .min()
                .unwrap_or(Confidence::Probable);
            let clients: BTreeSet<&str> = list
                .iter()
                .filter_map(|o| o.client.map(|c| fleet.clients[c].0.as_str()))
                .collect();
            // Quote the most certain occurrences first.
            let mut quoted: Vec<&Occurrence> = list.iter().collect();
            quoted.sort_by_key(|o| o.confidence);
            let mut evidence: Vec<Evidence> = Vec::new();
            for o in quoted.into_iter().take(QUOTED_OCCURRENCES) {
                for e in lines(&o.evidence, fleet, corr) {
                    if !evidence.contains(&e) {
                        evidence.push(e);
                    }
                }
            }
            let endpoints = endpoints(fleet, corr, &list);
            let hosts = if endpoints.is_empty() {
                "the update server".to_owned()
            } else {
                endpoints.join(", ")
            };
            let named = |text: &str| text.replace("{endpoint}", &hosts);
            Finding {
                rule_id: r.id.clone(),
                title: named(&r.title),
                confirm: (confidence == Confidence::Possible)
                    .then(|| r.confirm.clone())
                    .flatten(),
                endpoints,
                severity: r.severity,
                confidence,
                occurrences: u32::try_from(list.len()).unwrap_or(u32::MAX),
                clients: clients.into_iter().map(str::to_owned).collect(),
                cause: named(&r.cause),
                remediation: r.remediation.iter().map(|s| named(s)).collect(),
                references: r.references.clone(),
                evidence,
            }
        })
        .collect();
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.severity,
                f.confidence != Confidence::Confirmed,
                Reverse(f.occurrences),
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    findings
}
