//! Line patterns of every rule, matched together against each client log message.
//!
//! One alternation of all patterns answers "does any match?" in a single pass (the regex
//! engine's literal prefilter skips most lines at memchr speed); only lines that match are run
//! through the set to learn which patterns did. When every pattern starts with one of a few
//! literals, a log read whole is first searched for them in one pass, and only messages where
//! one starts are matched at all.

use regex::{Regex, RegexSet};
use regex_automata::util::prefilter::Prefilter;
use regex_automata::util::syntax;
use regex_automata::{MatchKind, Span};

use super::RuleSet;

/// The `[rule.client] lines` patterns of a rule set.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineMatcher {
    any: Option<Regex>,
    set: Option<RegexSet>,
    /// Finds where a match of any pattern may start, when the patterns have literal prefixes.
    starts: Option<Prefilter>,
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
        let starts = syntax::parse_many(&sources)
            .ok()
            .and_then(|hirs| Prefilter::from_hirs_prefix(MatchKind::All, &hirs));
        Self {
            any: Regex::new(&alternation).ok(),
            set: RegexSet::new(&sources).ok(),
            starts,
            owners,
        }
    }

    /// Every byte of `text` where a match of some pattern may start, in order; `None` when
    /// the patterns do not allow it (every message must then be matched).
    pub(crate) fn starts<'t>(&'t self, text: &'t str) -> Option<impl Iterator<Item = usize> + 't> {
        let starts = self.starts.as_ref()?;
        let mut at = 0;
        Some(std::iter::from_fn(move || {
            if at > text.len() {
                return None;
            }
            let found = starts.find(text.as_bytes(), Span::from(at..text.len()))?;
            at = found.start + 1;
            Some(found.start)
        }))
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

    #[test]
    fn literal_prefixes_give_every_possible_start() {
        let m = matcher(&[
            "ECP: Failed to validate",
            r"\b800[bB]0109\b.*Failure",
            "^Group policy",
        ]);
        let text = "x ECP: Failed to validate\nGroup policy y 800B0109 Failure";
        let starts: Vec<usize> = m.starts(text).expect("literal prefixes").collect();
        assert_eq!(starts, [2, 26, 41]);
        // The starts are only where to look: the anchored pattern matches a message, not text.
        let mut hits = Vec::new();
        m.each_match("Group policy settings were overwritten", |r| hits.push(r));
        assert_eq!(hits, [2]);
    }

    #[test]
    fn patterns_without_literal_prefixes_give_no_starts() {
        assert!(matcher(&[r"\w+ failed"]).starts("a failed").is_none());
        assert!(matcher(&["ECP", ".*digest"]).starts("x").is_none());
    }
}
