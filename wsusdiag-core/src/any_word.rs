//! Whether a text holds any of a few fixed words, asked of many short texts (the lines of a
//! log's head, of a fleet's faults).

use aho_corasick::packed;

/// A set of words searched for all at once: Teddy, a SIMD search, where this CPU runs one;
/// else each word in turn.
#[derive(Debug)]
pub(crate) struct AnyWord {
    words: &'static [&'static str],
    teddy: Option<packed::Searcher>,
}

impl AnyWord {
    pub(crate) fn new(words: &'static [&'static str]) -> Self {
        let teddy = packed::Config::new().builder().extend(words).build();
        Self { words, teddy }
    }

    /// Whether `text` holds one of the words.
    pub(crate) fn is_in(&self, text: &str) -> bool {
        match &self.teddy {
            Some(teddy) => teddy.find(text).is_some(),
            None => self.words.iter().any(|w| text.contains(w)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simd_search_finds_what_a_plain_search_finds() {
        const WORDS: &[&str] = &[
            "failure, error",
            "ErrorCode",
            "ID:",
            "*FAILED*",
            "<ID>",
            "Sync failed",
        ];
        let words = AnyWord::new(WORDS);
        // Else this test would hold the plain search to itself.
        assert!(
            words.teddy.is_some() || !cfg!(target_arch = "x86_64"),
            "an x86-64 CPU runs Teddy"
        );
        let plain = |text: &str| WORDS.iter().any(|w| text.contains(w));
        let long = "é".repeat(70);
        let fillers = [
            "",
            "x",
            "2024-03-12\t01:05:28:118\t1032\t31c\tPT\tWARNING: ",
            &long,
        ];
        let mut texts = vec![String::new(), "ID".to_owned(), "Error Code".to_owned()];
        for word in WORDS {
            for before in fillers {
                for after in fillers {
                    texts.push(format!("{before}{word}{after}"));
                    // Cut by one byte at either end: no longer the word.
                    texts.push(format!("{before}{}{after}", &word[1..]));
                    texts.push(format!("{before}{}{after}", &word[..word.len() - 1]));
                }
            }
        }
        for text in &texts {
            assert_eq!(words.is_in(text), plain(text), "{text:?}");
        }
        let found = texts.iter().filter(|t| words.is_in(t)).count();
        assert!(found >= WORDS.len() * fillers.len().pow(2), "{found}");
    }
}
