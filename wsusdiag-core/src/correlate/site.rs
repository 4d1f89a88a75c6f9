//! The site server and its WSUS: a failure in a ConfigMgr site-server log (`wsyncmgr.log`,
//! `WCM.log`) is joined by time to the nearest error or fault of a WSUS server log
//! (`SoftwareDistribution.log`) of the same machine, whose entry is then quoted with it: WSUS
//! often says why the sync or the configuration failed.

use chrono::{Duration, NaiveDateTime};

use super::Fleet;
use super::by_time::same_host;
use crate::pipeline::Quoted;
use crate::pipeline::server::ServerEntry;

/// A site-server failure and the WSUS entry behind it are at most this far apart.
const SITE_WINDOW_SECONDS: i64 = 300;

/// Quotes, with each timed failure of a site-server log, the nearest WSUS entry in time.
pub(crate) fn join(fleet: &mut Fleet) {
    let (site, wsus): (Vec<usize>, Vec<usize>) =
        (0..fleet.servers.len()).partition(|&i| fleet.is_site_log(&fleet.servers[i].0));
    if site.is_empty() || wsus.is_empty() {
        return;
    }
    let window = Duration::seconds(SITE_WINDOW_SECONDS);
    for s in site {
        let site_hosts = fleet.servers[s].1.hosts.clone();
        let mut quotes = Vec::new();
        for (i, e) in fleet.servers[s].1.errors.iter().enumerate() {
            let Some(at) = e.time else { continue };
            let nearest = (wsus.iter())
                .filter(|&&w| same_machine(&site_hosts, &fleet.servers[w].1.hosts))
                .flat_map(|&w| {
                    let a = &fleet.servers[w].1;
                    a.throws.iter().chain(&a.errors)
                })
                .filter_map(|x| Some((gap(at, x.time?), x)))
                .filter(|(d, _)| *d <= window)
                .min_by_key(|(d, x)| (*d, x.line));
            if let Some((d, x)) = nearest {
                quotes.push((i, quote(x, at, d)));
            }
        }
        for (i, evidence) in quotes {
            fleet.servers[s].1.errors[i].evidence.extend(evidence);
        }
    }
}

/// Whether two logs' machines may be one: the same host, or a host unknown to either.
fn same_machine(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|x| b.iter().any(|y| same_host(x, y)))
}

fn gap(a: NaiveDateTime, b: NaiveDateTime) -> Duration {
    (a - b).abs()
}

/// The evidence of WSUS entry `x`, each line noted with how far it is from the failure at `at`.
fn quote(x: &ServerEntry, at: NaiveDateTime, d: Duration) -> Vec<Quoted> {
    let when = if x.time.is_some_and(|t| t <= at) {
        "before"
    } else {
        "after"
    };
    let note = format!("the WSUS server's log, {} s {when}", d.num_seconds());
    (x.evidence.iter().cloned())
        .map(|mut e| {
            e.note = Some(note.clone());
            e
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::LogKind;
    use crate::input::TextEncoding;
    use crate::pipeline::server::ServerAnalysis;
    use crate::pipeline::{InputSummary, unread};

    fn at(s: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok()
    }

    fn entry(source: &str, line: u32, time: &str) -> ServerEntry {
        ServerEntry {
            line,
            time: at(time),
            evidence: vec![Quoted::new(source.into(), line, "text".into())],
            ..ServerEntry::default()
        }
    }

    fn input(path: &str, kind: LogKind) -> InputSummary {
        InputSummary {
            kind: Some(kind),
            ..unread(path, 0, TextEncoding::Utf8)
        }
    }

    fn fleet(site: Vec<ServerEntry>, wsus: Vec<ServerEntry>) -> Fleet {
        let inputs = vec![
            input("wsyncmgr.log", LogKind::ServerConfigMgr),
            input("SoftwareDistribution.log", LogKind::Server),
        ];
        Fleet {
            by_name: crate::correlate::by_name(&inputs),
            inputs,
            clients: Vec::new(),
            servers: vec![
                (
                    "wsyncmgr.log".to_owned(),
                    ServerAnalysis {
                        errors: site,
                        ..ServerAnalysis::default()
                    },
                ),
                (
                    "SoftwareDistribution.log".to_owned(),
                    ServerAnalysis {
                        errors: wsus,
                        ..ServerAnalysis::default()
                    },
                ),
            ],
        }
    }

    #[test]
    fn a_sync_failure_quotes_the_nearest_wsus_entry_within_the_window() {
        let mut f = fleet(
            vec![
                entry("wsyncmgr.log", 7, "2019-08-14 08:37:30"),
                entry("wsyncmgr.log", 9, "2019-08-14 10:00:00"),
            ],
            vec![
                entry("SoftwareDistribution.log", 40, "2019-08-14 08:30:00"),
                entry("SoftwareDistribution.log", 41, "2019-08-14 08:37:10"),
                entry("SoftwareDistribution.log", 42, "2019-08-14 08:39:00"),
            ],
        );
        join(&mut f);
        let site = &f.servers[0].1.errors;
        let quoted: Vec<_> = (site[0].evidence.iter())
            .map(|e| (&*e.source, e.line, e.note.as_deref()))
            .collect();
        assert_eq!(
            quoted,
            [
                ("wsyncmgr.log", 7, None),
                (
                    "SoftwareDistribution.log",
                    41,
                    Some("the WSUS server's log, 20 s before")
                ),
            ]
        );
        // Nothing within five minutes of the second failure.
        assert_eq!(site[1].evidence.len(), 1);
    }

    #[test]
    fn another_machine_or_an_untimed_failure_quotes_nothing() {
        let mut f = fleet(
            vec![
                entry("wsyncmgr.log", 7, "2019-08-14 08:37:30"),
                ServerEntry {
                    time: None,
                    ..entry("wsyncmgr.log", 8, "2019-08-14 08:37:30")
                },
            ],
            vec![entry("SoftwareDistribution.log", 41, "2019-08-14 08:37:10")],
        );
        f.servers[0].1.hosts = vec!["CM1.corp.contoso.com".to_owned()];
        f.servers[1].1.hosts = vec!["SUP2".to_owned()];
        join(&mut f);
        assert!(f.servers[0].1.errors.iter().all(|e| e.evidence.len() == 1));
        f.servers[1].1.hosts = vec!["cm1".to_owned()];
        join(&mut f);
        assert_eq!(f.servers[0].1.errors[0].evidence.len(), 2);
        assert_eq!(f.servers[0].1.errors[1].evidence.len(), 1);
    }
}
