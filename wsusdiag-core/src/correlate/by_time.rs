//! Joins by time: a client fault without a usable fault ID, to the one server entry of a kind
//! its family may be joined to (`data/joins.toml`), on the client's own server, inside the
//! window its clock offset allows. Two or more such entries make it ambiguous, never a guess.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDateTime};
use rustc_hash::FxHashMap;

use super::kinds::CANDIDATES_CAP;
use super::{Correlation, EntryRef, Fleet, Joined, OffsetBasis, ServerScope, TimeWindow};
use crate::knowledge::joins::{self, Failure, Family, ServerKind};
use crate::pipeline::client::ClientFault;
use crate::pipeline::server::{ServerEntry, host_of};

/// Entries of one server thread this close together are one failure logged twice (the SQL
/// layer's `DBLAYER` line, then the exception that ends the request): one event, not two.
const SAME_EVENT_MILLISECONDS: i64 = 1000;

/// A server entry on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Moment {
    /// Its time, UTC, in milliseconds since 1970.
    at: i64,
    entry: EntryRef,
    /// Its kind's [`ServerKind::bit`].
    kind: u8,
    /// Its server log and thread, numbered.
    thread: u32,
}

/// What a join by time searches: every server entry a client fault may be joined to, in time
/// order, and the names each server log goes by.
pub(super) struct Timeline {
    moments: Vec<Moment>,
    /// Per server log, the short names of its hosts ([`short`]), in lower case.
    hosts: Vec<HashSet<String>>,
}

impl Timeline {
    pub(super) fn new(fleet: &Fleet) -> Self {
        let hosts = (fleet.servers.iter())
            .map(|(_, s)| {
                s.hosts
                    .iter()
                    .map(|h| short(h).to_ascii_lowercase())
                    .collect()
            })
            .collect();
        let mut t = Vec::new();
        // Thread names are the log's text: the standard hash, which a log cannot defeat.
        let mut threads: HashMap<(usize, &str), u32> = HashMap::new();
        for (si, (source, s)) in fleet.servers.iter().enumerate() {
            if fleet.is_site_log(source) {
                continue;
            }
            let throws = s.throws.iter().enumerate().map(|(i, e)| (true, i, e));
            let errors = s.errors.iter().enumerate().map(|(i, e)| (false, i, e));
            for (throw, index, e) in throws.chain(errors) {
                if let (Some(time), Some(kind)) = (e.time, kind_of(e)) {
                    let numbered = u32::try_from(threads.len()).unwrap_or(u32::MAX);
                    t.push(Moment {
                        at: millis(time),
                        entry: EntryRef {
                            server: si,
                            throw,
                            index,
                        },
                        kind: kind.bit(),
                        thread: *threads.entry((si, e.thread.as_str())).or_insert(numbered),
                    });
                }
            }
        }
        t.sort_unstable();
        Self { moments: t, hosts }
    }

    /// The entries within `window` milliseconds of `at` whose kind is in `kinds` and that `ok`
    /// accepts, in time order.
    fn within(
        &self,
        at: i64,
        window: i64,
        kinds: u8,
        ok: impl Fn(EntryRef) -> bool,
    ) -> impl Iterator<Item = &Moment> {
        let lo = self.moments.partition_point(|m| m.at < at - window);
        self.moments[lo..]
            .iter()
            .take_while(move |m| m.at <= at + window)
            .filter(move |m| m.kind & kinds != 0 && ok(m.entry))
    }
}

/// What one core reuses from fault to fault: a storm of server errors fits thousands of them in
/// each fault's window.
#[derive(Default)]
pub(super) struct Scratch {
    /// The events that fit, in time order.
    events: Vec<Moment>,
    /// Per thread, the index of its latest event.
    latest: FxHashMap<u32, usize>,
    /// (Distance to the fault, index) of each event.
    by_distance: Vec<(i64, usize)>,
}

/// `time` (UTC) in milliseconds since 1970.
fn millis(time: NaiveDateTime) -> i64 {
    time.and_utc().timestamp_millis()
}

/// What kind of entry `e` is for a join by time; `None` for one no client fault is joined to
/// by time: a fault from the upstream server, the exception already reported with the fault it
/// caused, an entry that is no error.
fn kind_of(e: &ServerEntry) -> Option<ServerKind> {
    if let Some(t) = &e.throw {
        return (!t.upstream).then_some(ServerKind::FaultSent);
    }
    if e.explains_throw {
        return None;
    }
    match &e.cause {
        Some(c) if c.sql_number == Some(-2) => Some(ServerKind::SqlTimeout),
        Some(c)
            if c.exception.contains("SqlException") && c.message.contains("Timeout expired") =>
        {
            Some(ServerKind::SqlTimeout)
        }
        Some(_) => Some(ServerKind::Exception),
        None => e
            .level
            .eq_ignore_ascii_case("error")
            .then_some(ServerKind::Error),
    }
}

/// The family of a client fault in the time-join table.
pub(super) fn family(f: &ClientFault) -> &'static Family {
    joins::family(&Failure {
        hresult: f.hresult,
        codes: &f.codes,
        http_status: f.http_status,
        soap_fault: f.error_code.is_some() || f.soap_error_code.is_some_and(|c| c >= 300),
        fault_id: f.fault_id.is_some(),
    })
}

/// The server logs that may be the one the client at `host` talks to, and how that is known:
/// those that name `host` (`matched`); else, when none does, those whose host is unknown, and
/// every one when `host` is (`host-unknown`).
fn servers_of(timeline: &Timeline, host: Option<&str>) -> (Vec<usize>, ServerScope) {
    let hosts = &timeline.hosts;
    let all = 0..hosts.len();
    let Some(host) = host else {
        return (all.collect(), ServerScope::HostUnknown);
    };
    // The same machine as one of a log's hosts ([`same_host`]): the same short name.
    let name = short(host).to_ascii_lowercase();
    let named: Vec<usize> = all.clone().filter(|&s| hosts[s].contains(&name)).collect();
    if named.is_empty() {
        (
            all.filter(|&s| hosts[s].is_empty()).collect(),
            ServerScope::HostUnknown,
        )
    } else {
        (named, ServerScope::Matched)
    }
}

/// A host name up to its first dot: `wsus01` of `wsus01.contoso.com`.
fn short(host: &str) -> &str {
    host.split('.').next().unwrap_or(host)
}

/// Whether two host names are the same machine: equal short names, letter case aside
/// (`wsus01.contoso.com` and `WSUS01`).
pub(super) fn same_host(a: &str, b: &str) -> bool {
    short(a).eq_ignore_ascii_case(short(b))
}

/// Joins `j` by time when it was not joined by ID: `window` is its client's (seconds, basis),
/// `offset` its clock offset, `taken` the entries joined by ID (sorted).
pub(super) fn join(
    fleet: &Fleet,
    timeline: &Timeline,
    taken: &[EntryRef],
    offset: Option<i64>,
    window: Option<(i64, OffsetBasis)>,
    scratch: &mut Scratch,
    j: &mut Joined,
) {
    if j.join != Correlation::None || j.family.joins == 0 {
        return;
    }
    let c = &fleet.clients[j.client].1;
    let f = &c.faults[j.fault];
    let (Some(time), Some(offset), Some((seconds, basis))) = (f.time, offset, window) else {
        return;
    };
    let client_host = (f.server_url.as_deref())
        .or(c.server_url.as_deref())
        .and_then(host_of);
    let (servers, how) = servers_of(timeline, client_host);
    if servers.is_empty() {
        return;
    }
    let at = millis(time + Duration::seconds(offset));
    let fits = timeline.within(at, seconds * 1000, j.family.joins, |r| {
        servers.contains(&r.server) && taken.binary_search(&r).is_err()
    });
    events(fits, scratch);
    let events = &scratch.events;
    j.window = Some(TimeWindow {
        seconds,
        basis,
        servers: how,
        fits: u32::try_from(events.len()).unwrap_or(u32::MAX),
    });
    match events.as_slice() {
        [] => {}
        [one] => {
            j.server = Some(one.entry);
            j.join = Correlation::TimeWindow;
        }
        _ => {
            nearest(at, scratch);
            j.candidates = (scratch.by_distance.iter())
                .map(|&(_, i)| scratch.events[i].entry)
                .collect();
            j.join = Correlation::Ambiguous;
        }
    }
}

/// Leaves in `scratch.by_distance` the [`CANDIDATES_CAP`] events of `scratch.events` nearest
/// to `at`, in the order of the events.
fn nearest(at: i64, scratch: &mut Scratch) {
    let Scratch {
        events,
        by_distance,
        ..
    } = scratch;
    by_distance.clear();
    by_distance.extend(
        events
            .iter()
            .enumerate()
            .map(|(i, m)| ((m.at - at).abs(), i)),
    );
    if by_distance.len() > CANDIDATES_CAP {
        // Nearest first; ties by order.
        by_distance.select_nth_unstable(CANDIDATES_CAP - 1);
        by_distance.truncate(CANDIDATES_CAP);
        by_distance.sort_unstable_by_key(|&(_, i)| i);
    }
}

/// The distinct events among `fits` (in time order), into `scratch.events`: entries of one
/// thread of one server within [`SAME_EVENT_MILLISECONDS`] of each other are one, named by its
/// last entry.
fn events<'t>(fits: impl Iterator<Item = &'t Moment>, scratch: &mut Scratch) {
    let Scratch { events, latest, .. } = scratch;
    events.clear();
    // Per thread, its latest event: in time order, the only one an entry may be close to.
    // (Keys are numbers the timeline gave: the fast hash is safe.)
    latest.clear();
    for &m in fits {
        let k = latest.entry(m.thread).or_insert(usize::MAX);
        match events.get_mut(*k) {
            Some(event) if m.at - event.at <= SAME_EVENT_MILLISECONDS => *event = m,
            _ => {
                *k = events.len();
                events.push(m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Cause;

    fn cause(exception: &str, message: &str, sql_number: Option<i64>) -> Option<Cause> {
        Some(Cause {
            exception: exception.to_owned(),
            message: message.to_owned(),
            method: None,
            line: 1,
            inner: Vec::new(),
            sql_number,
        })
    }

    #[test]
    fn server_entries_are_told_apart() {
        let sql = ServerEntry {
            cause: cause("SqlException", "Timeout expired.", Some(-2)),
            ..ServerEntry::default()
        };
        assert_eq!(kind_of(&sql), Some(ServerKind::SqlTimeout));
        let thrown_sql = ServerEntry {
            cause: cause(
                "System.Data.SqlClient.SqlException",
                "Timeout expired.",
                None,
            ),
            ..ServerEntry::default()
        };
        assert_eq!(kind_of(&thrown_sql), Some(ServerKind::SqlTimeout));
        let pool = ServerEntry {
            cause: cause("System.InvalidOperationException", "Timeout expired.", None),
            ..ServerEntry::default()
        };
        assert_eq!(kind_of(&pool), Some(ServerKind::Exception));
        let reported = ServerEntry {
            explains_throw: true,
            ..pool
        };
        assert_eq!(kind_of(&reported), None);
        let error = ServerEntry {
            level: "Error".to_owned(),
            ..ServerEntry::default()
        };
        assert_eq!(kind_of(&error), Some(ServerKind::Error));
        let info = ServerEntry {
            level: "Info".to_owned(),
            ..ServerEntry::default()
        };
        assert_eq!(kind_of(&info), None);
    }

    #[test]
    fn host_names_match_by_short_name() {
        assert!(same_host("wsus01.contoso.com", "WSUS01"));
        assert!(same_host("wsus01", "wsus01.fabrikam.com"));
        assert!(!same_host("wsus01", "wsus02"));
    }
}
