//! A diagnosis in two steps, for logs that lie on many machines: [`analyse`] each log where it
//! lies, move the small [`LogAnalysis`] of each (as [`LogAnalysis::to_bytes`]), and [`combine`]
//! them into the one [`Diagnosis`] that [`diagnose`](crate::diagnose) would have given.
//!
//! The law, checked by a property test over generated fleets: for a folder of logs,
//! `diagnose(folder)` and `combine` of the analyses of its files, split and ordered in any way,
//! give the same diagnosis, byte for byte in the JSON. [`combine`] puts the analyses in the
//! order a folder is read (by path, component by component), so the order they arrive in does
//! not matter, and combining is associative: gather parts of a fleet in any tree, combine once
//! at the root.
//!
//! ```
//! use wsusdiag_core::analysis::{LogAnalysis, analyse, combine};
//! use wsusdiag_core::{Options, diagnose, sample};
//!
//! let options = Options::default();
//! // Each log analysed on its own (on the machine that holds it) and sent as bytes.
//! let sent: Vec<Vec<u8>> = sample::kb954960()
//!     .into_iter()
//!     .map(|log| analyse([log], &options)?.to_bytes())
//!     .collect::<wsusdiag_core::Result<_>>()?;
//! // Received in any order, and combined.
//! let received = sent.iter().rev().map(|b| LogAnalysis::from_bytes(b));
//! let d = combine(received.collect::<wsusdiag_core::Result<Vec<_>>>()?, &options)?;
//! assert_eq!(d.findings[0].rule_id, "KB954960");
//! # Ok::<(), wsusdiag_core::Error>(())
//! ```

use std::path::Path;

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::diagnosis::{Diagnosis, LogKind};
use crate::pipeline::{Analysis, Body};
use crate::run::{Input, Options, conclude, read};
use crate::{Error, Result};

/// The first bytes of an analysis in its binary form.
const MAGIC: &[u8; 8] = b"WSUSDIAG";
/// The version of the binary form; analyses are combined only with those of the same version
/// of this crate (the analysis types change between releases). Raised whenever the binary form
/// of the analysis types changes, so that two builds of one version that differ there refuse
/// each other's analyses: 2 when a server entry's text became its message and its stack apart.
const WIRE_VERSION: u16 = 2;

/// What a set of logs holds that a diagnosis needs: for each, how it was read and its faults,
/// events and errors (not its text). Made by [`analyse`], merged with [`LogAnalysis::merge`]
/// (in any grouping: merging is associative), serialisable, and small: a few percent of the
/// logs' size.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LogAnalysis {
    /// [`RuleSet::reading_fingerprint`](crate::knowledge::rules::RuleSet) of the rules it was
    /// read with: the rules' line patterns are matched while reading.
    rules: u64,
    /// One per input, in the order a folder is read (by path).
    logs: Vec<Analysis>,
}

impl LogAnalysis {
    /// The inputs' paths or buffer names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.logs.iter().map(|a| a.summary.path.as_str())
    }

    /// What each input turned out to be (`None`: no log), in order.
    pub fn kinds(&self) -> impl Iterator<Item = Option<LogKind>> + '_ {
        self.logs.iter().map(|a| a.summary.kind)
    }

    /// How many inputs it holds.
    pub fn len(&self) -> usize {
        self.logs.len()
    }

    /// Whether it holds no input.
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
    }

    /// The analyses of both, in order; both must have been read with the same rules.
    pub fn merge(self, other: Self) -> Result<Self> {
        self.merge_all([other])
    }

    /// [`LogAnalysis::merge`] of many at once, sorted once: merging a log at a time into a
    /// growing analysis would go over it again for each.
    pub fn merge_all(mut self, others: impl IntoIterator<Item = Self>) -> Result<Self> {
        for other in others {
            if self.logs.is_empty() {
                self.rules = other.rules;
            } else if !other.logs.is_empty() && other.rules != self.rules {
                return Err(other_rules(&other));
            }
            self.logs.extend(other.logs);
        }
        sort(&mut self.logs);
        Ok(self)
    }

    /// The analysis in a compact binary form, versioned: this crate's version, then the
    /// analysis (postcard).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&WIRE_VERSION.to_le_bytes());
        out.push(version.len() as u8);
        out.extend_from_slice(version);
        postcard::to_extend(self, out)
            .map_err(|e| Error::InvalidArgument(format!("an analysis cannot be written: {e}")))
    }

    /// Reads an analysis written by [`LogAnalysis::to_bytes`]. Bytes from anywhere are safe:
    /// anything but an analysis of this version, whole and consistent, is an
    /// [`Error::InvalidArgument`] that says what is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |why: String| Error::InvalidArgument(format!("not a wsusdiag analysis: {why}"));
        let rest = bytes
            .strip_prefix(MAGIC)
            .ok_or_else(|| bad("it does not start with WSUSDIAG".to_owned()))?;
        let (wire, rest) = rest
            .split_first_chunk::<2>()
            .ok_or_else(|| bad("it ends in its header".to_owned()))?;
        let (&len, rest) = rest
            .split_first()
            .ok_or_else(|| bad("it ends in its header".to_owned()))?;
        let (version, body) = rest
            .split_at_checked(usize::from(len))
            .ok_or_else(|| bad("it ends in its header".to_owned()))?;
        let ours = env!("CARGO_PKG_VERSION");
        if u16::from_le_bytes(*wire) != WIRE_VERSION || version != ours.as_bytes() {
            return Err(Error::InvalidArgument(format!(
                "an analysis written by wsusdiag {} (format {}) cannot be read by wsusdiag \
                 {ours} (format {WIRE_VERSION}): analyse and combine with the same version",
                String::from_utf8_lossy(version),
                u16::from_le_bytes(*wire)
            )));
        }
        let (analysis, left): (Self, &[u8]) =
            postcard::take_from_bytes(body).map_err(|e| bad(e.to_string()))?;
        if !left.is_empty() {
            return Err(bad(format!("{} bytes after its end", left.len())));
        }
        analysis.check().map_err(bad)?;
        Ok(analysis)
    }

    /// Whether what was read holds what the diagnosis takes for granted of an analysis this
    /// crate made: logs in order, times within years 1 to 9999, a time zone within a day.
    fn check(&self) -> std::result::Result<(), String> {
        let in_order = (self.logs.windows(2))
            .all(|w| Path::new(&w[0].summary.path) <= Path::new(&w[1].summary.path));
        if !in_order {
            return Err("its logs are out of order".to_owned());
        }
        let time_ok = |t: &Option<NaiveDateTime>| t.is_none_or(|t| (1..=9999).contains(&t.year()));
        for log in &self.logs {
            match &log.body {
                Body::Client(c) => {
                    let times = (c.faults.iter())
                        .flat_map(|f| [&f.time, &f.last_time])
                        .chain([&c.last_success]);
                    for t in times {
                        if !time_ok(t) {
                            return Err(format!("a time out of range: {t:?}"));
                        }
                    }
                    if c.tz_minutes.is_some_and(|tz| tz.abs() > 24 * 60) {
                        return Err(format!("a time zone out of range: {:?}", c.tz_minutes));
                    }
                }
                Body::Server(s) => {
                    for e in s.throws.iter().chain(&s.errors) {
                        if !time_ok(&e.time) {
                            return Err(format!("a time out of range: {:?}", e.time));
                        }
                    }
                }
                Body::Unknown => {}
            }
        }
        Ok(())
    }
}

/// Puts analyses in the order a folder is read: by path, component by component.
fn sort(logs: &mut [Analysis]) {
    logs.sort_by(|a, b| Path::new(&a.summary.path).cmp(Path::new(&b.summary.path)));
}

/// The error for an analysis read with other rules.
fn other_rules(a: &LogAnalysis) -> Error {
    let first = a.names().next().unwrap_or("an analysis");
    Error::InvalidArgument(format!(
        "{first} was analysed with other rules: analyse and combine with the same rules files"
    ))
}

/// Reads inputs into their analysis (a folder: every file it holds), with the rules of
/// `options`, on all cores when [`Options::parallel`].
pub fn analyse<'a>(
    inputs: impl IntoIterator<Item = Input<'a>>,
    options: &Options,
) -> Result<LogAnalysis> {
    let rules = options.rule_set()?;
    let (mut logs, _) = read(inputs, &rules, options, &|_| true)?;
    sort(&mut logs);
    Ok(LogAnalysis {
        rules: rules.reading_fingerprint(),
        logs,
    })
}

/// The diagnosis of any number of analyses, merged in any grouping and order: the logs are
/// taken in the order a folder is read (by path). `options` must name the rules they were
/// analysed with, or the result is an [`Error::InvalidArgument`]; no log among them is
/// [`Error::NoLog`], as for [`diagnose`](crate::diagnose).
pub fn combine(
    analyses: impl IntoIterator<Item = LogAnalysis>,
    options: &Options,
) -> Result<Diagnosis> {
    let rules = options.rule_set()?;
    let fingerprint = rules.reading_fingerprint();
    let mut logs = Vec::new();
    for a in analyses {
        if a.rules != fingerprint && !a.logs.is_empty() {
            return Err(other_rules(&a));
        }
        logs.extend(a.logs);
    }
    let rules_count = rules.len();
    for log in &logs {
        if let Body::Client(c) = &log.body
            && c.line_hits.iter().any(|h| h.rule >= rules_count)
        {
            return Err(Error::InvalidArgument(format!(
                "{} names a rule these rules do not have",
                log.summary.path
            )));
        }
    }
    sort(&mut logs);
    conclude(logs, &[], &rules, options)
}
