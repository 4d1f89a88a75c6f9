//! Line patterns of every rule, matched together against each client log message.
//!
//! When every pattern starts with one of a few literals, a search for those (Teddy, gigabytes
//! a second) first skips the messages where none is. One alternation of all patterns then
//! answers "does any match?" in a single pass, and only messages that match are run through
//! the set to learn which patterns did. Patterns too large together for one set (each one
//! compiled alone at load time) are matched one by one: slower, but no rule is ever lost.

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
    /// Every pattern as compiled at load time, matched one by one when there is no set.
    each: Vec<Regex>,
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
        let mut each = Vec::new();
        for (i, rule) in rules.rules().iter().enumerate() {
            for p in rule.client.iter().flat_map(|c| &c.lines) {
                sources.push(p.as_str().to_owned());
                owners.push(i);
                each.push(p.clone());
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
        // the set, or failing it each pattern alone, does the work.
        let prefixes = syntax::parse_many(&sources)
            .ok()
            .and_then(|hirs| Prefilter::from_hirs_prefix(MatchKind::All, &hirs));
        Self {
            any: Regex::new(&alternation).ok(),
            set: RegexSet::new(&sources).ok(),
            each,
            prefixes,
            owners,
            benign,
        }
    }

    /// Calls `hit` with the rule index of every pattern `message` matches.
    pub(crate) fn each_match(&self, message: &str, mut hit: impl FnMut(usize)) {
        if self.each.is_empty() {
            return;
        }
        let bytes = message.as_bytes();
        if let Some(prefixes) = &self.prefixes
            && prefixes.find(bytes, Span::from(0..bytes.len())).is_none()
        {
            return;
        }
        if self.any.as_ref().is_some_and(|a| !a.is_match(message)) {
            return;
        }
        match &self.set {
            Some(set) => set
                .matches(message)
                .iter()
                .for_each(|p| hit(self.owners[p])),
            None => {
                for (p, pattern) in self.each.iter().enumerate() {
                    if pattern.is_match(message) {
                        hit(self.owners[p]);
                    }
                }
            }
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

    #[test]
    fn patterns_too_large_together_for_one_set_still_match() {
        // Fifteen patterns each fine alone, too large for the regex crate's default limit
        // together (the adversarial case that once turned every line rule off).
        let mut patterns: Vec<String> = (0..15).map(|i| format!(r"z{i}\w{{20}}")).collect();
        patterns.push("ECP: Failed to validate".to_owned());
        let m = matcher(&patterns.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(
            m.set.is_none(),
            "the set is too large, so the fallback is tested"
        );
        assert_eq!(hits(&m, "x ECP: Failed to validate it"), [15]);
        let long = format!("z3{}", "w".repeat(20));
        assert_eq!(hits(&m, &long), [3]);
        assert!(hits(&m, "nothing to see").is_empty());
    }
}
