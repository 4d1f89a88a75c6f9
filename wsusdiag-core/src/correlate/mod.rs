//! The joins: each client fault to the server's record of it (by fault ID, then by time once
//! each client clock's offset to server UTC is estimated), and the known issues they match.

mod by_time;
mod findings;
mod kinds;
mod machine;
mod offsets;
mod site;

use std::collections::HashMap;

use chrono::Duration;
use rayon::prelude::*;

use crate::events::normalize_guid;
use crate::input::LogKind;
use crate::knowledge::joins::Family;
use crate::pipeline::client::ClientAnalysis;
use crate::pipeline::server::{ServerAnalysis, ServerEntry};
use crate::pipeline::{Analysis, Body, InputSummary};

pub(crate) use findings::{Occurrence, Quote, RuleMatches, SERVER_EVIDENCE, match_rules};
pub use kinds::{CANDIDATES_CAP, Correlation, OffsetBasis, ServerScope, TimeWindow};
pub(crate) use offsets::{ClockEstimate, estimate_offset};

/// Which server entry: (server log, throws or errors, index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EntryRef {
    pub server: usize,
    pub throw: bool,
    pub index: usize,
}

/// All logs, read and ready to be joined.
#[derive(Debug, Default)]
pub(crate) struct Fleet {
    pub inputs: Vec<InputSummary>,
    pub clients: Vec<(String, ClientAnalysis)>,
    pub servers: Vec<(String, ServerAnalysis)>,
    /// Each input's index in `inputs` and kind, by name (the first, for a name given twice):
    /// asked of each joined fault, so a map, not a search of every input (which made a fleet's
    /// diagnosis quadratic in its clients).
    by_name: HashMap<String, (u32, Option<LogKind>)>,
}

/// Each input's index and kind, by name (the first, for a name given twice).
fn by_name(inputs: &[InputSummary]) -> HashMap<String, (u32, Option<LogKind>)> {
    let mut map = HashMap::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        map.entry(input.path.clone()).or_insert((index, input.kind));
    }
    map
}

impl Fleet {
    pub(crate) fn new(analyses: Vec<Analysis>) -> Self {
        let mut fleet = Self::default();
        for a in analyses {
            let source = a.summary.path.clone();
            fleet.inputs.push(a.summary);
            match a.body {
                Body::Client(c) => fleet.clients.push((source, *c)),
                Body::Server(s) => fleet.servers.push((source, s)),
                Body::Unknown => {}
            }
        }
        fleet.by_name = by_name(&fleet.inputs);
        machine::join(&mut fleet);
        site::join(&mut fleet);
        fleet
    }

    /// The index in `inputs` of the input named `source` (every client and server log is one).
    pub(crate) fn input(&self, source: &str) -> u32 {
        self.by_name.get(source).map_or(0, |&(index, _)| index)
    }

    /// Frees the map by input name, which the diagnosis no longer needs once assembled. It is
    /// freed here, not with the rest of the fleet on another thread: a hash table is held
    /// through a pointer into its middle, so a leak checker takes one still in the hands of a
    /// thread that a short-lived process did not wait for as possibly lost.
    pub(crate) fn free_name_map(&mut self) {
        self.by_name = HashMap::new();
    }

    /// Whether the input named `source` is a fragment (lines without headers, no time).
    pub(crate) fn is_fragment(&self, source: &str) -> bool {
        self.kind_is(source, LogKind::is_fragment)
    }

    /// Whether the input named `source` is a ConfigMgr site-server log: its entries are the
    /// site's own failures (a sync, WSUS's configuration), never a record of a client's call.
    pub(crate) fn is_site_log(&self, source: &str) -> bool {
        self.kind_is(source, |k| k == LogKind::ServerConfigMgr)
    }

    /// Whether the input named `source` is of a kind `is` accepts.
    fn kind_is(&self, source: &str, is: impl Fn(LogKind) -> bool) -> bool {
        (self.by_name.get(source)).is_some_and(|&(_, k)| k.is_some_and(&is))
    }

    pub(crate) fn entry(&self, r: EntryRef) -> &ServerEntry {
        let s = &self.servers[r.server].1;
        if r.throw {
            &s.throws[r.index]
        } else {
            &s.errors[r.index]
        }
    }
}

/// A client fault and what it was joined to.
#[derive(Debug)]
pub(crate) struct Joined {
    pub client: usize,
    pub fault: usize,
    pub server: Option<EntryRef>,
    pub join: Correlation,
    /// Its family in the time-join table.
    pub family: &'static Family,
    /// The window searched for a join by time, when one was.
    pub window: Option<TimeWindow>,
    /// When ambiguous: the entries that fit, in time order.
    pub candidates: Vec<EntryRef>,
}

/// The result of joining.
#[derive(Debug)]
pub(crate) struct Joins {
    pub joined: Vec<Joined>,
    /// Per client: what is known of its clock.
    pub offsets: Vec<ClockEstimate>,
    /// Per client: server UTC minus log time, in seconds.
    pub offset_seconds: Vec<Option<i64>>,
}

/// Joins every client fault to the server, by fault ID first, then by time (on all cores when
/// `parallel`); `widest` is the window of a clock whose own error is unknown.
pub(crate) fn correlate(fleet: &Fleet, widest: Duration, parallel: bool) -> Joins {
    let mut by_id: HashMap<String, EntryRef> = HashMap::new();
    for (si, (_, s)) in fleet.servers.iter().enumerate() {
        for (ti, t) in s.throws.iter().enumerate() {
            if let Some(id) = t.throw.as_ref().and_then(|t| t.id.as_deref()) {
                by_id.entry(normalize_guid(id)).or_insert(EntryRef {
                    server: si,
                    throw: true,
                    index: ti,
                });
            }
        }
    }
    let mut joined = Vec::new();
    for (ci, (_, c)) in fleet.clients.iter().enumerate() {
        for (fi, f) in c.faults.iter().enumerate() {
            let server = f
                .fault_id
                .as_deref()
                .and_then(|id| by_id.get(&normalize_guid(id)).copied());
            joined.push(Joined {
                client: ci,
                fault: fi,
                server,
                join: if server.is_some() {
                    Correlation::FaultId
                } else {
                    Correlation::None
                },
                family: by_time::family(f),
                window: None,
                candidates: Vec::new(),
            });
        }
    }
    // Clock offsets, from the joined pairs and the banners, and the windows they allow.
    let mut offsets = Vec::new();
    let mut offset_seconds = Vec::new();
    let mut windows = Vec::new();
    // `joined` holds each client's faults together, in client order.
    let mut of_client = joined.as_slice();
    for (_, c) in &fleet.clients {
        let (mine, rest) = of_client.split_at(c.faults.len());
        of_client = rest;
        let pairs: Vec<i64> = mine
            .iter()
            .filter(|j| j.join == Correlation::FaultId)
            .filter_map(|j| {
                let client = c.faults[j.fault].time?;
                let server = fleet.entry(j.server?).time?;
                Some(((server - client).num_milliseconds() as f64 / 1000.0).round() as i64)
            })
            .collect();
        let o = estimate_offset(c, &pairs);
        windows.push(offsets::window(&o, &pairs, widest));
        offset_seconds.push(o.offset_seconds);
        offsets.push(o);
    }
    // Faults without an ID: the one entry of a kind their family may join, in the window, on
    // their server. Each fault is joined on its own (the entries joined by ID are the only ones
    // excluded).
    let timeline = by_time::Timeline::new(fleet);
    let mut taken: Vec<EntryRef> = joined.iter().filter_map(|j| j.server).collect();
    taken.sort_unstable();
    let join_by_time = |scratch: &mut by_time::Scratch, j: &mut Joined| {
        let (offset, window) = (offset_seconds[j.client], windows[j.client]);
        by_time::join(fleet, &timeline, &taken, offset, window, scratch, j);
    };
    if parallel {
        joined
            .par_iter_mut()
            .for_each_init(by_time::Scratch::default, join_by_time);
    } else {
        let mut scratch = by_time::Scratch::default();
        joined
            .iter_mut()
            .for_each(|j| join_by_time(&mut scratch, j));
    }
    Joins {
        joined,
        offsets,
        offset_seconds,
    }
}
