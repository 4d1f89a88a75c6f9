//! Known issues as rules: data, not code.
//!
//! A rule is a TOML table that says what the client shows, what the server shows, how the two
//! must be joined for the match to count as confirmed, the cause and the ordered fix. The
//! built-in rules live in `wsusdiag-core/rules/*.toml` and are compiled in; a user adds more
//! from a file at run time ([`RuleSet::from_file`]), and a rule with a built-in rule's id
//! replaces it.
//!
//! ```toml
//! [[rule]]
//! id = "KB954960"
//! title = "…"
//! severity = "error"            # critical | error | warning | info
//! priority = 50                 # the higher wins when several rules match one fault
//! applies_to = ["WSUS 3.0"]
//! cause = "…"
//! remediation = ["first step", "second step"]
//! references = ["https://…"]
//!
//! [rule.client]                 # every field given must match (any value of a list)
//! hresults = ["0x8024400E", "0x80244007"]
//! error_codes = ["InternalServerError"]
//! methods = ["SyncUpdates"]
//! messages = ['…regex…']        # against the fault's lines
//! lines = ['…regex…']           # against every line of the log, fault or not
//!
//! [rule.server]
//! exceptions = ["System.ArgumentException"]
//! messages = ['Item has already been added']
//!
//! [rule.join]
//! by = ["fault-id"]             # joins that make a two-sided match confirmed
//! ```
//!
//! Patterns are regular expressions of the `regex` crate: matching takes time linear in the
//! text whatever the pattern, so a rules file cannot make a diagnosis slow.

mod benign;
mod lines;
mod load;
mod signature;

use std::path::Path;
use std::sync::OnceLock;

use crate::named::named_enum;
use crate::{Error, Result};

pub(crate) use benign::BenignMatcher;
pub use benign::BenignTrace;
pub(crate) use lines::LineMatcher;
pub(crate) use signature::StackVerdicts;
pub use signature::{ClientSignature, ServerSignature};

/// The built-in rules files, by name.
const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/soap-faults.toml",
        include_str!("../../rules/soap-faults.toml"),
    ),
    (
        "rules/server-health.toml",
        include_str!("../../rules/server-health.toml"),
    ),
    (
        "rules/network.toml",
        include_str!("../../rules/network.toml"),
    ),
    (
        "rules/certificates-and-content.toml",
        include_str!("../../rules/certificates-and-content.toml"),
    ),
    (
        "rules/upstream.toml",
        include_str!("../../rules/upstream.toml"),
    ),
    (
        "rules/client-config.toml",
        include_str!("../../rules/client-config.toml"),
    ),
    (
        "rules/configmgr.toml",
        include_str!("../../rules/configmgr.toml"),
    ),
    ("rules/benign.toml", include_str!("../../rules/benign.toml")),
];

named_enum! {
    /// How serious a known issue is, the most serious first.
    pub enum Severity {
        /// Nothing gets updates until it is fixed.
        Critical = "critical",
        /// Some computers get no updates.
        Error = "error",
        /// Updates are late or slow, or may fail.
        Warning = "warning",
        /// Worth knowing; usually heals by itself.
        Info = "info",
    }
}

named_enum! {
    /// How sure a match is, the surest first.
    pub enum Confidence {
        /// Client and server evidence were joined and both match.
        Confirmed = "confirmed",
        /// One side alone matches, on what it shows of this cause (a SOAP `ErrorCode`, an HTTP
        /// status, a line that names it).
        Probable = "probable",
        /// Only the error code points at it: one of the causes that code can have, to be
        /// confirmed as the rule's `confirm` says.
        Possible = "possible",
    }
}

/// Which joins of a client fault to a server entry make a two-sided match confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinPolicy {
    /// The server entry carries the client fault's ID.
    pub fault_id: bool,
    /// The server entry was logged at the same time (after the clock offset).
    pub time_window: bool,
    /// Whether the client side alone counts (as probable).
    pub client_only: bool,
    /// Whether the server side alone counts (as probable).
    pub server_only: bool,
}

impl Default for JoinPolicy {
    fn default() -> Self {
        Self {
            fault_id: true,
            time_window: true,
            client_only: true,
            server_only: true,
        }
    }
}

/// A condition over all the logs of a run rather than one fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FleetCheck {
    /// Several client logs carry the same client ID (cloned images).
    DuplicateClientId,
    /// A detection ran longer than this many seconds.
    SlowScan {
        /// The longest acceptable detection.
        seconds: u32,
    },
}

/// One known issue.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id (`KB954960`, `WU-80244010-MAXTRIPS`).
    pub id: String,
    /// One line for people.
    pub title: String,
    /// How serious it is.
    pub severity: Severity,
    /// The higher wins when several rules match one fault.
    pub priority: i32,
    /// Products and versions it applies to.
    pub applies_to: Vec<String>,
    /// Why it happens.
    pub cause: String,
    /// The fix, step by step, in order.
    pub remediation: Vec<String>,
    /// Where to read more.
    pub references: Vec<String>,
    /// What would confirm the cause when only the error code points at it (a line to look for,
    /// a check to run).
    pub confirm: Option<String>,
    /// Matches a client log must show before the rule counts for it.
    pub min_occurrences: u32,
    /// Client logs that must show it before the rule counts at all.
    pub min_clients: u32,
    /// What the client shows.
    pub client: Option<ClientSignature>,
    /// What the server shows.
    pub server: Option<ServerSignature>,
    /// How the two sides are joined.
    pub join: JoinPolicy,
    /// A condition over the whole run.
    pub fleet: Option<FleetCheck>,
    /// The file the rule came from.
    pub origin: String,
}

impl Rule {
    /// How many conditions the rule sets: among rules of equal priority, the more specific
    /// wins.
    pub(crate) fn specificity(&self) -> u32 {
        self.client.as_ref().map_or(0, ClientSignature::specificity)
            + self.server.as_ref().map_or(0, ServerSignature::specificity)
    }
}

/// A set of rules with unique ids, in the order they were loaded.
#[derive(Clone, Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
    benign: Vec<BenignTrace>,
}

impl RuleSet {
    /// The built-in known issues.
    pub fn builtin() -> Self {
        static BUILTIN_SET: OnceLock<RuleSet> = OnceLock::new();
        BUILTIN_SET
            .get_or_init(|| {
                // One file after another: work stolen by a rayon worker waiting in here could
                // ask for this same set, and wait for itself.
                let mut set = RuleSet::default();
                for (name, text) in BUILTIN {
                    // The built-in files are tested; a bad one fails every test run.
                    match RuleSet::parse(name, text) {
                        Ok(more) => set.extend(more),
                        Err(e) => panic!("built-in rules: {e}"),
                    }
                }
                set
            })
            .clone()
    }

    /// Reads rules from TOML text; `name` is used in errors.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let parsed = load::parse(name, text)?;
        Ok(Self {
            rules: parsed.rules,
            benign: parsed.benign,
        })
    }

    /// Reads a rules file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let name = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            let (line, column) = load::line_column(
                &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
                e.valid_up_to(),
            );
            Error::Rules {
                name: name.clone(),
                line,
                column,
                message: "a rules file must be UTF-8".to_owned(),
            }
        })?;
        Self::parse(&name, text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Adds `more`; a rule whose id is already here replaces the old one in its place.
    pub fn extend(&mut self, more: RuleSet) {
        for rule in more.rules {
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(old) => *old = rule,
                None => self.rules.push(rule),
            }
        }
        for trace in more.benign {
            match self.benign.iter_mut().find(|t| t.id == trace.id) {
                Some(old) => *old = trace,
                None => self.benign.push(trace),
            }
        }
    }

    /// A hash of what reading a log depends on (the rules' line patterns and the benign
    /// traces), so that an analysis read with other rules is told apart.
    pub(crate) fn reading_fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for r in &self.rules {
            r.id.hash(&mut h);
            for p in r.client.iter().flat_map(|c| &c.lines) {
                p.as_str().hash(&mut h);
            }
        }
        for b in &self.benign {
            (&b.id, &b.component, &b.codes, b.message.as_str()).hash(&mut h);
        }
        h.finish()
    }

    /// The benign traces ([`BenignTrace`]), in load order.
    pub fn benign(&self) -> &[BenignTrace] {
        &self.benign
    }

    /// The rules, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// The names of the built-in rules files (for tests and tools).
pub fn builtin_files() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|(name, _)| *name)
}
