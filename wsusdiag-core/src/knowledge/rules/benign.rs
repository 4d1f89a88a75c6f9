//! Benign traces: client lines that look like failures and are not (a probe whose "not found"
//! is an answer, a retry the agent makes on its own, a success code printed as an error).
//!
//! They are data, like the rules: `[[benign]]` tables in the built-in `rules/benign.toml`, and
//! in any rules file a user loads. A line a benign trace matches is never a fault, never
//! evidence of one, and never a rule's line hit.
//!
//! ```toml
//! [[benign]]
//! id = "ISCOMMITREQUIRED-PROBE"
//! component = "ComApi"              # optional: only lines of this component
//! codes = ["0x80246007"]            # optional: only lines with one of these codes
//! message = 'IsCommitRequired'      # a regex on the message
//! reason = "Asks whether an update is downloaded; 'not downloaded' is an answer."
//! sources = ["https://…"]
//! ```

use regex::{Regex, RegexSet};

use super::RuleSet;

/// One benign trace.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct BenignTrace {
    /// Unique id; a later file's trace with the same id replaces it.
    pub id: String,
    /// The component the line must have (`ComApi`), when given.
    pub component: Option<String>,
    /// The codes one of which the line must carry, when given.
    pub codes: Vec<u32>,
    /// The message pattern.
    pub message: Regex,
    /// Why the line is not a failure.
    pub reason: String,
    /// Where that is shown (a document, or a real log).
    pub sources: Vec<String>,
    /// The file it was read from.
    pub origin: String,
}

/// All benign traces of a rule set, matched together.
#[derive(Clone, Debug, Default)]
pub(crate) struct BenignMatcher {
    set: Option<RegexSet>,
    traces: Vec<BenignTrace>,
}

impl BenignMatcher {
    pub(crate) fn new(rules: &RuleSet) -> Self {
        let traces = rules.benign().to_vec();
        // Each pattern compiled alone when the file was read, so the set builds unless the
        // patterns together pass the size limit: then each is tried on its own.
        let set = RegexSet::new(traces.iter().map(|t| t.message.as_str())).ok();
        Self { set, traces }
    }

    /// The benign trace a client line (its component, message and codes) matches, if any.
    pub(crate) fn find(
        &self,
        component: &str,
        message: &str,
        codes: &[u32],
    ) -> Option<&BenignTrace> {
        let fits = |t: &BenignTrace| {
            t.component
                .as_deref()
                .is_none_or(|c| c.eq_ignore_ascii_case(component))
                && (t.codes.is_empty() || codes.iter().any(|c| t.codes.contains(c)))
        };
        match &self.set {
            Some(set) => set
                .matches(message)
                .into_iter()
                .map(|i| &self.traces[i])
                .find(|t| fits(t)),
            None => self
                .traces
                .iter()
                .find(|t| fits(t) && t.message.is_match(message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_traces_match_their_lines_only() {
        let m = BenignMatcher::new(&RuleSet::builtin());
        let benign =
            |component, message, code| m.find(component, message, &[code]).map(|t| t.id.as_str());
        assert_eq!(
            benign(
                "ComApi",
                "*FAILED* [80246007] ISusInternal:: IsCommitRequired",
                0x8024_6007
            ),
            Some("ISCOMMITREQUIRED-PROBE")
        );
        // The same method failing with another code is not the probe.
        assert_eq!(
            benign(
                "ComApi",
                "*FAILED* [80070005] ISusInternal:: IsCommitRequired",
                0x8007_0005
            ),
            None
        );
        assert_eq!(
            benign(
                "Agent",
                "*FAILED* [80240438] SyncUpdates_WithRecovery failed",
                0x8024_0438
            ),
            None
        );
    }

    #[test]
    fn a_users_file_adds_traces_and_checks_them() {
        let text = r#"
[[benign]]
id = "SITE-PROBE"
component = "Misc"
message = 'probe of the site cache'
reason = "Our cache probe."
"#;
        let set = RuleSet::parse("site.toml", text).unwrap();
        let m = BenignMatcher::new(&set);
        assert!(
            m.find(
                "Misc",
                "*FAILED* [80070002] probe of the site cache",
                &[0x8007_0002]
            )
            .is_some()
        );
        assert!(
            m.find(
                "Agent",
                "*FAILED* [80070002] probe of the site cache",
                &[0x8007_0002]
            )
            .is_none()
        );
        let bad = RuleSet::parse(
            "site.toml",
            "[[benign]]\nid = \"X\"\nmessage = '('\nreason = \"r\"\n",
        );
        let e = bad.unwrap_err().to_string();
        assert!(e.contains("site.toml: line 3, column 11"), "{e}");
    }
}
