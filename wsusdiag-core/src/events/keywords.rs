//! The words that give a client message its meaning, all found in one pass.
//!
//! Most lines of a client log mean nothing to wsusdiag. Looking for each of the thirty-odd
//! words that could make them mean something, one `contains` after another, was most of the
//! time of a whole diagnosis; one Aho-Corasick pass finds them all at once, and the readers
//! only look closer at a message when its words say there is something to find.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};

/// A word, or a family of words, that a client message reader looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Key {
    /// `<detail>`: a raw SOAP fault detail.
    Detail,
    /// `Soap fault detail:`.
    SoapFaultDetail,
    /// ` failure, error = `: a web service call failed.
    CallFailure,
    /// `Logging initialized`.
    LoggingInitialized,
    /// `Finding updates`.
    FindingUpdates,
    /// `Synchronizing server updates` or `Synchronizing extended update info`.
    Synchronizing,
    /// `SusClientId`.
    SusClientId,
    /// `clientId`.
    ClientId,
    /// `Server URL`.
    ServerUrl,
    /// `WSUS server:`.
    WsusServer,
    /// `cookie has expired`.
    CookieExpired,
    /// `Reporter successfully uploaded`.
    ReporterUploaded,
    /// `Exit code = `.
    ExitCode,
    /// `upload events`, `Reporter failed` or `ReportEventBatch`.
    Reporting,
    /// `self-update`, `SelfUpdate` or `Self-update`.
    SelfUpdate,
    /// `START *`: an operation or call starts (`* START * Finding updates`, `* START *   Download`).
    Start,
    /// A word of a line that concludes an operation or repeats its outcome (`Result code = `,
    /// `call complete (`, `resultMapped=`, `completed successfully`, `REPORT EVENT`, …).
    Outcome,
    /// `WU client version` or `OS Version`.
    Version,
    /// A word that marks a failure line (`WARNING`, `FAILED`, `error`, `hr =`, …), anywhere in
    /// the message, severity prefix included.
    FailureMarker,
}

/// Each pattern and the key it sets.
const PATTERNS: &[(&str, Key)] = &[
    ("<detail>", Key::Detail),
    ("Soap fault detail:", Key::SoapFaultDetail),
    (" failure, error = ", Key::CallFailure),
    ("Logging initialized", Key::LoggingInitialized),
    ("Finding updates", Key::FindingUpdates),
    ("Synchronizing server updates", Key::Synchronizing),
    ("Synchronizing extended update info", Key::Synchronizing),
    ("SusClientId", Key::SusClientId),
    ("clientId", Key::ClientId),
    ("Server URL", Key::ServerUrl),
    ("WSUS server:", Key::WsusServer),
    ("cookie has expired", Key::CookieExpired),
    ("Reporter successfully uploaded", Key::ReporterUploaded),
    ("Exit code = ", Key::ExitCode),
    ("upload events", Key::Reporting),
    ("Reporter failed", Key::Reporting),
    ("ReportEventBatch", Key::Reporting),
    ("self-update", Key::SelfUpdate),
    ("SelfUpdate", Key::SelfUpdate),
    ("Self-update", Key::SelfUpdate),
    ("START *", Key::Start),
    ("Result code = ", Key::Outcome),
    ("Call error code = ", Key::Outcome),
    ("call complete (", Key::Outcome),
    ("Download Call Complete", Key::Outcome),
    ("mapped result = ", Key::Outcome),
    ("resultMapped=", Key::Outcome),
    ("hrDeploy = ", Key::Outcome),
    ("occurred while downloading", Key::Outcome),
    ("with code Call ", Key::Outcome),
    ("federated searches have completed", Key::Outcome),
    ("completed successfully", Key::Outcome),
    ("deployment completed: Status", Key::Outcome),
    ("WU client failed", Key::Outcome),
    ("callback failed", Key::Outcome),
    ("Failed to find updates", Key::Outcome),
    (" failed, error = ", Key::Outcome),
    ("complete asynchronous", Key::Outcome),
    ("earlier error", Key::Outcome),
    ("REPORT EVENT", Key::Outcome),
    ("WU client version", Key::Version),
    ("OS Version", Key::Version),
    ("WARNING", Key::FailureMarker),
    ("FATAL", Key::FailureMarker),
    ("FAILED", Key::FailureMarker),
    ("failed", Key::FailureMarker),
    ("failure", Key::FailureMarker),
    ("Failure", Key::FailureMarker),
    ("error", Key::FailureMarker),
    ("Error", Key::FailureMarker),
    ("hr =", Key::FailureMarker),
    ("hr=", Key::FailureMarker),
    ("hr:", Key::FailureMarker),
    ("result = ", Key::FailureMarker),
];

/// The search for the words, the fastest this CPU runs.
static SEARCHER: LazyLock<Searcher> = LazyLock::new(Searcher::best);

/// A search for all the words at once.
enum Searcher {
    /// Teddy, a SIMD search: Fat Teddy (AVX2) finds them all at several gigabytes a second;
    /// Slim Teddy (SSSE3, or NEON on ARM) at about half that.
    Packed(packed::Searcher),
    /// An Aho-Corasick automaton, for a CPU without those instructions.
    Automaton(AhoCorasick),
}

impl Searcher {
    /// Fat Teddy where the CPU has AVX2, else Slim Teddy, else the automaton.
    fn best() -> Self {
        Self::packed(Some(true))
            .or_else(|| Self::packed(None))
            .unwrap_or_else(Self::automaton)
    }

    /// Teddy, Fat when `fat` (or as the library chooses when `None`), if this CPU runs it.
    fn packed(fat: Option<bool>) -> Option<Self> {
        let patterns = PATTERNS.iter().map(|(p, _)| p);
        let teddy = packed::Config::new()
            .only_teddy_fat(fat)
            .builder()
            .extend(patterns)
            .build();
        teddy.map(Self::Packed)
    }

    fn automaton() -> Self {
        let patterns = PATTERNS.iter().map(|(p, _)| p);
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(patterns)
            .expect("an automaton of thirty-odd short words builds on any CPU");
        Self::Automaton(automaton)
    }

    /// The first word that starts at `at` or later.
    fn word_at(&self, text: &str, at: usize) -> Option<Word> {
        let m = match self {
            Self::Packed(s) => s.find_in(text, Span::from(at..text.len())),
            Self::Automaton(a) => a.find(Input::new(text).span(at..text.len())),
        }?;
        Some(Word {
            start: m.start(),
            end: m.end(),
            key: PATTERNS[m.pattern().as_usize()].1,
        })
    }

    /// See [`words`].
    fn words<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Word> + 't {
        let mut at = 0;
        std::iter::from_fn(move || {
            if at > text.len() {
                return None;
            }
            let w = self.word_at(text, at)?;
            at = w.start + 1;
            Some(w)
        })
    }
}

/// One occurrence of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub key: Key,
}

/// Every occurrence of every word in `text`, overlapping ones included, in order of start.
///
/// One pass for a whole log: each search resumes one byte after the last word's start. No
/// word is a prefix of another, so at most one starts at any byte and none is missed.
pub(crate) fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    SEARCHER.words(text)
}

/// The first word of `text` that starts at `at` or later.
pub(crate) fn word_at(text: &str, at: usize) -> Option<Word> {
    SEARCHER.word_at(text, at)
}

/// The keys present in one message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Keys(u32);

impl Keys {
    /// The keys of a message from the words in it (positions within the message). Only words
    /// that start at `from` or later count, so that the readers, which look at
    /// `message[from..]` (the message without its severity prefix), see exactly the words they
    /// would find there; failure markers count anywhere.
    pub(crate) fn of(words: &[Word], from: usize) -> Keys {
        let mut bits = 0u32;
        for w in words {
            if w.start >= from || w.key == Key::FailureMarker {
                bits |= 1 << w.key as u8;
            }
        }
        Keys(bits)
    }

    /// Whether the message holds `key`.
    #[inline]
    pub(crate) fn has(self, key: Key) -> bool {
        self.0 & (1 << key as u8) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(message: &str, from: usize) -> Keys {
        Keys::of(&words(message).collect::<Vec<_>>(), from)
    }

    #[test]
    fn every_pattern_sets_its_key() {
        for (pattern, key) in PATTERNS {
            assert!(keys(&format!("x {pattern} y"), 0).has(*key), "{pattern}");
        }
        assert_eq!(
            keys("Found 3 updates and 70 categories", 0),
            Keys::default()
        );
    }

    #[test]
    fn every_search_this_cpu_may_get_finds_the_same_words() {
        // Fat Teddy needs AVX2; a CPU without it (older servers, some virtual machines, ARM)
        // gets Slim Teddy or the automaton, which must find exactly the same words.
        // The sample log, then every word in a line of its own, then words that overlap.
        let mut text = String::from_utf8_lossy(crate::sample::KB954960_CLIENT).into_owned();
        for (pattern, _) in PATTERNS {
            text.push_str(&format!("x {pattern} y\n"));
        }
        text.push_str("SyncUpdates failure, error = 0x8024400E *FAILED* hr=1\n");
        let words_in = |s: &Searcher| s.words(&text).collect::<Vec<_>>();
        let best = words_in(&Searcher::best());
        assert!(best.len() > 88 + PATTERNS.len(), "{}", best.len());
        assert_eq!(words_in(&Searcher::automaton()), best);
        for fat in [Some(true), Some(false), None] {
            if let Some(teddy) = Searcher::packed(fat) {
                assert_eq!(words_in(&teddy), best, "{fat:?}");
            }
        }
    }

    #[test]
    fn no_word_is_a_prefix_of_another() {
        // What lets `words` resume one byte after a start and still find every word.
        for (a, _) in PATTERNS {
            for (b, _) in PATTERNS {
                assert!(a == b || !b.starts_with(a), "{a} / {b}");
            }
        }
    }

    #[test]
    fn words_before_the_start_only_count_as_failure_markers() {
        let m = "WARNING: Exit code = 0x8024402C";
        let k = keys(m, 9);
        assert!(k.has(Key::ExitCode) && k.has(Key::FailureMarker));
        let k = keys(m, 20);
        assert!(!k.has(Key::ExitCode) && k.has(Key::FailureMarker));
    }

    #[test]
    fn overlapping_words_are_all_found() {
        let found: Vec<Key> = words("SyncUpdates failure, error = 0x8024400E")
            .map(|w| w.key)
            .collect();
        assert_eq!(
            found,
            [Key::CallFailure, Key::FailureMarker, Key::FailureMarker]
        );
        let k = keys("Got WSUS Client/Server URL: clientId=x *FAILED*", 0);
        assert!(k.has(Key::ServerUrl) && k.has(Key::ClientId) && k.has(Key::FailureMarker));
    }
}
