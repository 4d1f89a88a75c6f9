//! The values the correlation decides: how a fault was joined, what a clock offset rests on,
//! and the window a join by time searched.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::named::named_enum;

named_enum! {
    /// How a client fault was joined to the server's record of it.
    pub enum Correlation {
        /// The server entry carries the fault's SOAP fault ID.
        FaultId = "fault-id",
        /// The one server entry of a kind the failure may join, within the time window.
        TimeWindow = "time-window",
        /// Two or more server entries fit in time: joined to none of them (see the fault's
        /// `candidates`).
        Ambiguous = "ambiguous",
        /// Not joined.
        None = "none",
    }
}

named_enum! {
    /// What a client clock's offset to server UTC rests on.
    pub enum OffsetBasis {
        /// The median over fault-ID pairs: the real clock, skew included.
        FaultId = "fault-id",
        /// The log's `tz:` banner: the zone, not the clock's own error.
        TzBanner = "tz-banner",
        /// The log writes UTC.
        Utc = "utc",
    }
}

named_enum! {
    /// Which server logs a join by time searched.
    pub enum ServerScope {
        /// Those that name the host of the client's server URL.
        Matched = "matched",
        /// The client's server host, or the server logs' hosts, could not be known: every
        /// server log that may be the client's.
        HostUnknown = "host-unknown",
    }
}

/// The time window a fault was joined by time in (or found ambiguous or unjoined in).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
pub struct TimeWindow {
    /// Half-width: server entries within this many seconds of the fault's UTC time fit.
    pub seconds: i64,
    /// What it rests on: `fault-id` (the spread of the clock offset's fault-ID pairs: tight),
    /// `tz-banner` or `utc` (the clock's own error unknown: the widest window, two minutes by
    /// default).
    pub basis: OffsetBasis,
    /// Which server logs were searched: `matched` (those that name the host of the client's
    /// server URL), or `host-unknown` (the client's server host, or the server logs' hosts,
    /// could not be known: every server log that may be the client's).
    pub servers: ServerScope,
    /// How many server events fit in it: none, one (joined), or more (ambiguous: the fault's
    /// `candidates` are the nearest of them, eight at most: [`CANDIDATES_CAP`]).
    #[serde(default)]
    pub fits: u32,
}

/// The most candidates an ambiguous fault names: the server events nearest its time. A server
/// in trouble can log thousands of errors in a fault's window; a list of them all would name
/// no cause and make the report as large as the server's log, once per fault.
pub const CANDIDATES_CAP: usize = 8;
