//! A fleet where a join by time can go wrong, with the truth about every join.
//!
//! Two WSUS servers, an upstream (`wsus01.contoso.com`) and a replica (`wsus02`), each client
//! talking to one. Clients write classic or Windows 10 logs in seven time zones (one of them
//! +05:30), their clocks off by up to 75 s. Their failures:
//!
//! - SOAP faults with an ID ([`FaultKind::Kb954960`]): joined by `fault-id`, and the pairs give
//!   the clock offset. Most clients have one to three (`c % 3 + 1`); the classic clients with `c % 10 == 4`
//!   have none (their offset is the `tz:` banner's), and the Windows 10 clients with
//!   `c % 20 == 9` have none (their offset cannot be known);
//! - HTTP 500 ([`FaultKind::Http500`]): the server logs the exception behind it, without an ID,
//!   and at the same moment the *other* server logs an exception of its own. Joined by
//!   `time-window` to its own server's entry (`none` when the offset is unknown);
//! - server time-outs ([`FaultKind::SqlTimeout`]): the server's database times out; joined by
//!   `time-window`;
//! - HTTP 503 ([`FaultKind::Http503`]): the server logs nothing, but another client's SQL
//!   time-out lies 20 to 100 s before it on the same server: `none`;
//! - pairs of HTTP 500s of two clients of one server 1.5 s apart: each of the two exceptions may
//!   be either's, so both faults are `ambiguous`, with both entries as candidates.
//!
//! Events that can be joined are at least 30 s apart on the servers' common clock (240 s around
//! those of clients whose offset rests on the banner alone, whose window must cover the skew),
//! so that no other join is ambiguous.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::generate::{self, ClientFormat, ClientWriter, FaultKind, Rng, ServerWriter};

/// The two servers: host in the clients' URL, host in the server's own `actor` URLs, log file.
const SERVERS: [(&str, &str, &str); 2] = [
    (
        "wsus01.contoso.com",
        "wsus01.contoso.com",
        "wsus01/SoftwareDistribution.log",
    ),
    (
        "wsus02.contoso.com",
        "wsus02",
        "wsus02/SoftwareDistribution.log",
    ),
];
/// Seven time zones, minutes east of UTC.
const ZONES: [i32; 7] = [-300, 60, 330, -480, 0, 600, -180];
/// Joinable events of clients with a known skew are this far apart.
const GAP_SECONDS: i64 = 30;
/// … and this far from those of clients whose skew is unknown.
const WIDE_GAP_SECONDS: i64 = 240;

/// What to generate.
#[derive(Clone, Debug)]
pub struct TwoServerSpec {
    /// The seed: the same spec always gives the same bytes.
    pub seed: u64,
    /// How many clients.
    pub clients: usize,
    /// Successful detections before each fault.
    pub detections_between: usize,
}

/// How a client's clock offset is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// From its SOAP faults' IDs, found on the server.
    FaultId,
    /// From its `tz:` banner alone.
    TzBanner,
    /// Not at all.
    Unknown,
}

/// One client.
#[derive(Clone, Debug, Serialize)]
pub struct ClientTruth {
    /// Its log, zone, clock and ID, as in a one-server fleet (`offset_seconds` the true one).
    #[serde(flatten)]
    pub client: generate::ClientTruth,
    /// The offset the diagnosis must report (server UTC minus log time): the true one when
    /// anchored by fault IDs, the banner's when by the banner alone, none when unknown.
    pub expected_offset_seconds: Option<i64>,
    /// How it can be known.
    pub anchor: Anchor,
    /// The server log of the server it talks to.
    pub server_file: String,
}

/// One fault, with the join a correct diagnosis makes.
#[derive(Clone, Debug, Serialize)]
pub struct FaultTruth {
    /// Where it is and what it is; its `correlation` is `fault-id`, `time-window`, `ambiguous`
    /// or `none`.
    #[serde(flatten)]
    pub fault: generate::FaultTruth,
    /// The server log and line it must be joined to.
    pub server: Option<(String, u32)>,
    /// When ambiguous: the server log and the lines of the candidates.
    pub candidates: Vec<(String, u32)>,
}

/// Everything written, and what is true about it.
#[derive(Clone, Debug, Serialize)]
pub struct Truth {
    /// The clients.
    pub clients: Vec<ClientTruth>,
    /// Every fault, by client then line.
    pub faults: Vec<FaultTruth>,
}

/// The logs, as `(file name, text)`: clients first, then the two servers, and the truth.
#[derive(Clone, Debug)]
pub struct Generated {
    /// `(file name, text)`, clients then servers.
    pub logs: Vec<(String, String)>,
    /// What is true about them.
    pub truth: Truth,
}

/// A client while its log is planned.
struct Plan {
    format: ClientFormat,
    tz_minutes: i32,
    skew: i64,
    offset: i64,
    server: usize,
    anchor: Anchor,
    client_id: String,
    /// Its faults: true UTC time, kind, index of the fault's truth.
    faults: Vec<(NaiveDateTime, FaultKind, usize)>,
}

/// A joinable event on the common clock: one client's fault, or an ambiguous pair.
enum Event {
    One(usize, FaultKind),
    Pair(usize, usize),
}

/// A fault's truth while the server lines are not numbered yet: the server entries (server,
/// index of the entry in its writer) it must be joined to or be ambiguous between.
struct Pending {
    client: usize,
    kind: FaultKind,
    fault_id: Option<String>,
    correlation: &'static str,
    entries: Vec<(usize, usize)>,
}

/// Generates the fleet.
pub fn two_server_fleet(spec: &TwoServerSpec) -> Generated {
    let mut rng = Rng::new(spec.seed);
    let start = NaiveDate::from_ymd_opt(2024, 5, 6)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .expect("a valid date");
    let mut plans: Vec<Plan> = (0..spec.clients)
        .map(|c| {
            let format = ClientFormat::of_client(c);
            let tz_minutes = ZONES[c % ZONES.len()];
            let skew = rng.below(151) as i64 - 75;
            let anchor = match (format, c % 10, c % 20) {
                (ClientFormat::Classic, 4, _) => Anchor::TzBanner,
                (ClientFormat::Win10, _, 9) => Anchor::Unknown,
                _ => Anchor::FaultId,
            };
            Plan {
                format,
                tz_minutes,
                skew,
                offset: -(i64::from(tz_minutes) * 60 + skew),
                server: (c / 3) % 2,
                anchor,
                client_id: rng.guid(),
                faults: Vec::new(),
            }
        })
        .collect();

    // The joinable events, round by round over the clients.
    let mut events = Vec::new();
    for round in 0..5 {
        for (c, p) in plans.iter().enumerate() {
            let kind = match (round, p.anchor) {
                (0, Anchor::FaultId) => Some(FaultKind::Kb954960),
                (1, _) => Some(FaultKind::Http500),
                (2, _) => Some(FaultKind::SqlTimeout),
                (3, Anchor::FaultId) if c % 3 != 0 => Some(FaultKind::Kb954960),
                (4, Anchor::FaultId) if c % 3 == 2 => Some(FaultKind::Kb954960),
                _ => None,
            };
            events.extend(kind.map(|k| Event::One(c, k)));
        }
        if round == 1 {
            // Every 24th client with a tight window, with the next such client of its server.
            let tight: Vec<usize> = (0..plans.len())
                .filter(|&c| plans[c].anchor == Anchor::FaultId && c % 24 == 0)
                .collect();
            for &a in &tight {
                let partner = (a + 1..plans.len()).find(|&b| {
                    plans[b].anchor == Anchor::FaultId && plans[b].server == plans[a].server
                });
                events.extend(partner.map(|b| Event::Pair(a, b)));
            }
        }
    }

    let mut servers = [
        ServerWriter {
            entries: Vec::new(),
        },
        ServerWriter {
            entries: Vec::new(),
        },
    ];
    let mut pending: Vec<Pending> = Vec::new();
    let mut sql_times: [Vec<(NaiveDateTime, usize)>; 2] = [Vec::new(), Vec::new()];
    let mut t = start + Duration::minutes(30);
    let thread = |rng: &mut Rng| format!("w3wp.{}", 5 + rng.below(40));
    let mut last_wide = false;
    for event in &events {
        let wide = match *event {
            Event::One(c, _) => plans[c].anchor == Anchor::TzBanner,
            Event::Pair(..) => false,
        };
        let gap = if wide || last_wide {
            WIDE_GAP_SECONDS
        } else {
            GAP_SECONDS
        };
        last_wide = wide;
        t += Duration::seconds(gap);
        let at = t + Duration::milliseconds(rng.below(900) as i64);
        match *event {
            Event::One(c, kind) => {
                let s = plans[c].server;
                let known = plans[c].anchor != Anchor::Unknown;
                let (fault_id, correlation) = match kind {
                    FaultKind::Kb954960 => {
                        let id = rng.guid();
                        let th = thread(&mut rng);
                        let key = 8000 + rng.below(999);
                        let client_id = plans[c].client_id.clone();
                        servers[s].kb954960(
                            at - Duration::milliseconds(30),
                            &th,
                            SERVERS[s].1,
                            &id,
                            &client_id,
                            key,
                        );
                        (Some(id), "fault-id")
                    }
                    FaultKind::Http500 => {
                        servers[s].http500(at, &thread(&mut rng));
                        // The other server fails at the same moment.
                        let other = at + Duration::milliseconds(rng.below(800) as i64 - 400);
                        servers[1 - s].http500(other, &thread(&mut rng));
                        (None, if known { "time-window" } else { "none" })
                    }
                    FaultKind::SqlTimeout => {
                        servers[s].sql_timeout(at, &thread(&mut rng), SERVERS[s].1);
                        sql_times[s].push((at, c));
                        (None, if known { "time-window" } else { "none" })
                    }
                    FaultKind::Http503 => (None, "none"),
                };
                // The entry joined: the fault sent (after its exception), or the only one.
                let entries = if correlation == "none" {
                    Vec::new()
                } else {
                    vec![(s, servers[s].entries.len() - 1)]
                };
                let p = Pending {
                    client: c,
                    kind,
                    fault_id,
                    correlation,
                    entries,
                };
                add_fault(&mut plans[c], &mut pending, at, p);
            }
            Event::Pair(a, b) => {
                let s = plans[a].server;
                let later = at + Duration::milliseconds(1500);
                servers[s].http500(at, &thread(&mut rng));
                servers[s].http500(later, &thread(&mut rng));
                let n = servers[s].entries.len();
                let both = vec![(s, n - 2), (s, n - 1)];
                for (c, when) in [(a, at), (b, later)] {
                    let p = Pending {
                        client: c,
                        kind: FaultKind::Http500,
                        fault_id: None,
                        correlation: "ambiguous",
                        entries: both.clone(),
                    };
                    add_fault(&mut plans[c], &mut pending, when, p);
                }
            }
        }
    }
    // HTTP 503s, 20 to 100 s after another client's SQL time-out on the same server, and far
    // from the client's own faults (which would be taken for one failure's cascade).
    for c in 0..plans.len() {
        let s = plans[c].server;
        let times = &sql_times[s];
        let own = &plans[c].faults;
        let far = |t: NaiveDateTime| own.iter().all(|f| (f.0 - t).num_minutes().abs() >= 10);
        let Some(&(sql, _)) = (0..times.len())
            .map(|k| &times[(c * 7 + k) % times.len()])
            .find(|(t, other)| *other != c && far(*t))
        else {
            continue;
        };
        let at = sql + Duration::seconds(20 + rng.below(81) as i64);
        let p = Pending {
            client: c,
            kind: FaultKind::Http503,
            fault_id: None,
            correlation: "none",
            entries: Vec::new(),
        };
        add_fault(&mut plans[c], &mut pending, at, p);
    }

    // The logs, each in time order.
    let mut logs = Vec::new();
    let mut fault_lines = vec![0u32; pending.len()];
    let mut clients = Vec::new();
    for (c, p) in plans.iter_mut().enumerate() {
        let (host, _, server_file) = SERVERS[p.server];
        let url = format!("http://{host}:8530/ClientWebService/client.asmx");
        let file = format!("PC{:04}/WindowsUpdate.log", c + 1);
        let mut w = ClientWriter {
            format: p.format,
            pid: 700 + (rng.below(900) as u32) * 4,
            tid: 0x100 + rng.below(0xE00) as u32,
            out: String::new(),
            lines: 0,
            offset: p.offset,
        };
        w.banner(
            start + Duration::seconds(c as i64),
            p.tz_minutes,
            &p.client_id,
            c + 1,
        );
        p.faults.sort_by_key(|f| f.0);
        for &(at, kind, k) in &p.faults {
            for d in 0..spec.detections_between {
                let when = at - Duration::minutes(6) + Duration::seconds(d as i64 * 40);
                w.detection(&mut rng, when, &url);
                let filler = when + Duration::milliseconds(300);
                servers[p.server].filler(&mut rng, filler, &p.client_id);
            }
            let id = pending[k].fault_id.clone().unwrap_or_default();
            fault_lines[k] = w.fault(kind, at, &url, &id);
        }
        clients.push(ClientTruth {
            client: generate::ClientTruth {
                file: file.clone(),
                format: p.format,
                tz_minutes: p.tz_minutes,
                skew_seconds: p.skew,
                offset_seconds: p.offset,
                client_id: p.client_id.clone(),
            },
            expected_offset_seconds: match p.anchor {
                Anchor::FaultId => Some(p.offset),
                Anchor::TzBanner => Some(-i64::from(p.tz_minutes) * 60),
                Anchor::Unknown => None,
            },
            anchor: p.anchor,
            server_file: server_file.to_owned(),
        });
        logs.push((file, w.out));
    }
    let mut server_lines = Vec::new();
    for (s, writer) in servers.into_iter().enumerate() {
        let (text, lines) = writer.finish_with_lines();
        logs.push((SERVERS[s].2.to_owned(), text));
        server_lines.push(lines);
    }
    let at = |(s, i): (usize, usize)| (SERVERS[s].2.to_owned(), server_lines[s][i]);
    let mut faults: Vec<FaultTruth> = pending
        .into_iter()
        .zip(fault_lines)
        .map(|(p, line)| {
            let plan = &plans[p.client];
            let ambiguous = p.correlation == "ambiguous";
            FaultTruth {
                fault: generate::FaultTruth {
                    file: clients[p.client].client.file.clone(),
                    line,
                    kind: p.kind,
                    hresult: p.kind.hresult(plan.format),
                    fault_id: p.fault_id,
                    correlation: p.correlation,
                },
                server: p.entries.first().copied().filter(|_| !ambiguous).map(at),
                candidates: if ambiguous {
                    p.entries.into_iter().map(at).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    faults.sort_by(|a, b| (&a.fault.file, a.fault.line).cmp(&(&b.fault.file, b.fault.line)));
    Generated {
        logs,
        truth: Truth { clients, faults },
    }
}

/// Plans fault `p` at `at` in its client's log.
fn add_fault(plan: &mut Plan, pending: &mut Vec<Pending>, at: NaiveDateTime, p: Pending) {
    plan.faults.push((at, p.kind, pending.len()));
    pending.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Generated {
        two_server_fleet(&TwoServerSpec {
            seed: 3,
            clients: 60,
            detections_between: 1,
        })
    }

    #[test]
    fn truth_lines_point_at_the_entries_and_failures() {
        let g = small();
        let text = |file: &str| &g.logs.iter().find(|(n, _)| n == file).unwrap().1;
        for f in &g.truth.faults {
            let t = &f.fault;
            let line = text(&t.file).lines().nth(t.line as usize - 1).unwrap();
            assert!(
                line.contains(&t.hresult[2..]) || line.contains("Nws"),
                "{f:?}"
            );
            let at = |(file, n): &(String, u32)| {
                text(file).lines().nth(*n as usize - 1).unwrap().to_owned()
            };
            match t.kind {
                FaultKind::Kb954960 => {
                    let id = t.fault_id.as_deref().unwrap();
                    assert!(at(f.server.as_ref().unwrap()).contains(id), "{f:?}");
                }
                FaultKind::Http500 => {
                    for e in f.server.iter().chain(&f.candidates) {
                        assert!(at(e).contains("InvalidOperationException"), "{f:?}");
                    }
                }
                FaultKind::SqlTimeout => {
                    if let Some(e) = &f.server {
                        assert!(at(e).contains("Number -2"), "{f:?}");
                    }
                }
                FaultKind::Http503 => assert!(f.server.is_none()),
            }
        }
        let faults = || g.truth.faults.iter().map(|f| &f.fault);
        assert_eq!(
            faults().filter(|f| f.kind == FaultKind::Http503).count(),
            60
        );
        assert!(faults().any(|f| f.correlation == "ambiguous"));
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        assert_eq!(small().logs, small().logs);
    }
}
