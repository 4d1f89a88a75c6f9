//! Line patterns of every rule, matched together against each client log message.
//!
//! One alternation of all patterns answers "does any match?" in a single pass (the regex
//! engine's literal prefilter skips most lines at memchr speed); only lines that match are run
//! through the set to learn which patterns did.

use regex::{Regex, RegexSet};

use super::RuleSet;

/// The `[rule.client] lines` patterns of a rule set.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineMatcher {
    any: Option<Regex>,
    set: Option<RegexSet>,
    /// Per pattern: the index of its rule in the set.
    owners: Vec<usize>,
}

impl LineMatcher {
    pub(crate) fn new(rules: &RuleSet) -> Self {
        let mut sources = Vec::new();
        let mut owners = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            for p in rule.client.iter().flat_map(|c| &c.lines) {
                sources.push(p.as_str().to_owned());
                owners.push(i);
            }
        }
        if sources.is_empty() {
            return Self::default();
        }
        let alternation = sources
            .iter()
            .map(|s| format!("(?:{s})"))
            .collect::<Vec<_>>()
            .join("|");
        // Each pattern compiled alone; together they may pass the size limit, in which case
        // the set alone does the work.
        Self {
            any: Regex::new(&alternation).ok(),
            set: RegexSet::new(&sources).ok(),
            owners,
        }
    }

    /// Whether there are no line patterns.
    pub(crate) fn is_empty(&self) -> bool {
        self.owners.is_empty()
    }

    /// Calls `hit` with the rule index of every pattern `message` matches.
    pub(crate) fn each_match(&self, message: &str, mut hit: impl FnMut(usize)) {
        let Some(set) = &self.set else {
            return;
        };
        if self.any.as_ref().is_some_and(|a| !a.is_match(message)) {
            return;
        }
        for p in set.matches(message).iter() {
            hit(self.owners[p]);
        }
    }
}
