//! The keyword look-ahead: one search through a chunk for the words of the messages asked
//! about.

use super::super::end_in;
use crate::events::keywords::{Word, word_at};

/// The keyword search through a chunk, run only as far as the messages asked about need.
/// Messages remembered are not asked about; the text from one message asked about to the next
/// is searched at most up to the first word in it. So no byte is searched twice, and a run of
/// remembered messages is hardly searched at all.
pub(super) struct WordsAhead<'a> {
    text: &'a str,
    /// The first word at or after `from` (`None`: none to the end).
    next: Option<Word>,
    /// Where the last search started (`usize::MAX` before the first).
    from: usize,
}

impl<'a> WordsAhead<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text,
            next: None,
            from: usize::MAX,
        }
    }

    /// The first word that starts in `from..to`. `from` never goes back from one call to the
    /// next.
    fn first_in(&mut self, from: usize, to: usize) -> Option<Word> {
        // The word kept is the first anywhere between where its search started and itself.
        let kept = self.from <= from && self.next.is_none_or(|w| w.start >= from);
        if !kept {
            self.next = word_at(self.text, from);
            self.from = from;
        }
        self.next.filter(|w| w.start < to)
    }

    /// The words wholly within `message` (a slice of the chunk), into `words`, placed within
    /// it.
    #[inline]
    pub(super) fn words_in(&mut self, message: &str, words: &mut Vec<Word>) {
        let to = end_in(self.text, message);
        let from = to - message.len();
        words.clear();
        let mut at = from;
        while let Some(w) = self.first_in(at, to) {
            if w.end <= to {
                words.push(Word {
                    start: w.start - from,
                    end: w.end - from,
                    key: w.key,
                });
            }
            at = w.start + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{ClientFormat, ClientRecords};

    #[test]
    fn the_words_ahead_are_those_of_each_message_asked_about() {
        let sample = String::from_utf8_lossy(crate::sample::KB954960_CLIENT).into_owned();
        let messages: Vec<&str> = ClientRecords::new(&sample, ClientFormat::Classic)
            .map(|r| r.unwrap().message)
            .collect();
        for skip in [1, 2, 3, 7] {
            let mut ahead = WordsAhead::new(&sample);
            let mut words = Vec::new();
            for m in messages.iter().step_by(skip) {
                ahead.words_in(m, &mut words);
                let alone: Vec<Word> = crate::events::keywords::words(m).collect();
                assert_eq!(words, alone, "{skip}: {m}");
            }
        }
    }
}
