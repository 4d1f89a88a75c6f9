//! Line patterns of every rule, matched together against each client log message.
//!
//! When every pattern starts with one of a few literals, a search for those (Teddy, gigabytes
//! a second) first skips the messages where none is. One alternation of all patterns then
//! answers "does any match?" in a single pass, and only messages that match are run through
//! the set to learn which patterns did.

use regex::{Regex, RegexSet};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::syntax;
use regex_automata::{MatchKind, Span};

use super::{BenignMatcher, RuleSet};

/// The `[rule.client] lines` patterns of a rule set.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineMatcher {
    any: Option<Regex>,
    set: Option<RegexSet>,
    /// Finds the literals one of which starts any match, when every pattern has them.
    prefixes: Option<Prefilter>,
    /// Per pattern: the index of its rule in the set.
    owners: Vec<usize>,
    /// The benign traces, which client lines are checked against before they count.
    pub(crate) benign: BenignMatcher,
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
        let benign = BenignMatcher::new(rules);
        if sources.is_empty() {
            return Self {
                benign,
                ..Self::default()
            };
        }
        let alternation = sources
            .iter()
            .map(|s| format!("(?:{s})"))
            .collect::<Vec<_>>()
            .join("|");
        // Each pattern compiled alone; together they may pass the size limit, in which case
        // the set alone does the work.
        let prefixes = syntax::parse_many(&sources)
            .ok()
            .and_then(|hirs| Prefilter::from_hirs_prefix(MatchKind::All, &hirs));
        Self {
            any: Regex::new(&alternation).ok(),
            set: RegexSet::new(&sources).ok(),
            prefixes,
            owners,
            benign,
        }
    }

    /// Calls `hit` with the rule index of every pattern `message` matches.
    pub(crate) fn each_match(&self, message: &str, mut hit: impl FnMut(usize)) {
        let Some(set) = &self.set else {
            return;
        };
        let bytes = message.as_bytes();
        if let Some(prefixes) = &self.prefixes
            && prefixes.find(bytes, Span::from(0..bytes.len())).is_none()
        {
            return;
        }
        if self.any.as_ref().is_some_and(|a| !a.is_match(message)) {
            return;
        }
        for p in set.matches(message).iter() {
            hit(self.owners[p]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher(patterns: &[&str]) -> LineMatcher {
        let mut text = String::new();
        for (i, p) in patterns.iter().enumerate() {
            text.push_str(&format!(
                "[[rule]]\nid = \"R{i}\"\ntitle = \"t\"\nseverity = \"warning\"\ncause = \"c\"\n\
                 remediation = [\"r\"]\n[rule.client]\nlines = ['{p}']\n"
            ));
        }
        LineMatcher::new(&RuleSet::parse("test.toml", &text).expect("valid rules"))
    }

    fn hits(m: &LineMatcher, message: &str) -> Vec<usize> {
        let mut hits = Vec::new();
        m.each_match(message, |r| hits.push(r));
        hits
    }

    #[test]
    fn literal_prefixes_skip_the_messages_without_them() {
        let m = matcher(&[
            "ECP: Failed to validate",
            r"\b800[bB]0109\b.*Failure",
            "^Group policy",
        ]);
        assert!(m.prefixes.is_some());
        assert_eq!(hits(&m, "x ECP: Failed to validate it"), [0]);
        assert_eq!(
            hits(&m, "800b0109 Failure, ECP: Failed to validate"),
            [0, 1]
        );
        // A literal found is only where to look: the anchored pattern needs it first.
        assert_eq!(hits(&m, "Group policy settings were overwritten"), [2]);
        assert!(hits(&m, "see Group policy").is_empty());
        assert!(hits(&m, "800B0109 without the word").is_empty());
        assert!(hits(&m, "nothing to see").is_empty());
    }

    #[test]
    fn patterns_without_literal_prefixes_are_matched_against_every_message() {
        let any_word = matcher(&[r"\w+ failed"]);
        let any_start = matcher(&["ECP", ".*digest"]);
        assert!(any_word.prefixes.is_none() && any_start.prefixes.is_none());
        assert_eq!(hits(&any_word, "download failed"), [0]);
        assert_eq!(hits(&any_start, "bad digest"), [1]);
        assert_eq!(hits(&matcher(&["^$"]), ""), [0]);
    }
}
