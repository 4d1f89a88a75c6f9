//! What each record means to the analyzer: its event, the rules whose line patterns its message
//! matched, and the idle time before it (a message repeated lately is not read again).

use chrono::NaiveDateTime;

use super::super::client::ClientAnalyzer;
use super::idle::IdleGaps;
use super::lookahead::WordsAhead;
use super::memo::{Meaning, Meanings};
use crate::events::keywords::{self, Word};
use crate::events::{ClientEvent, message_event_in};
use crate::knowledge::rules::LineMatcher;
use crate::records::ClientRecord;

/// Fewer than one message in this many new: few enough to search each on its own.
const FEW_NEW: u64 = 4;

/// A record that means something, with what it means.
pub(super) struct Read<'a> {
    pub(super) record: ClientRecord<'a>,
    pub(super) event: Option<ClientEvent<'a>>,
    /// Rules whose line patterns the message matched.
    pub(super) rules: Vec<usize>,
    /// Seconds without any record before this one, when more than [`super::idle::IDLE_SECONDS`]
    /// (the machine slept, or the service was stopped): not time an operation spent.
    pub(super) idle_before: i64,
}

impl<'a> Read<'a> {
    /// Hands the record, whose whole entry (header and message) is `entry`, to the analyzer.
    pub(super) fn hand(&mut self, entry: &str, analyzer: &mut ClientAnalyzer<'_>) {
        if self.idle_before > 0 {
            analyzer.idle(self.idle_before);
        }
        analyzer.push_read(&self.record, entry, self.event.take(), &self.rules);
    }
}

/// Reads a run of records in order and keeps those that mean something.
pub(super) struct Reader<'a, 'l> {
    lines: &'l LineMatcher,
    meanings: Meanings<'a>,
    ahead: WordsAhead<'a>,
    /// The words of the message read; kept from one message to the next.
    words: Vec<Word>,
    /// Records read so far.
    seen: u64,
    /// Messages new to the run so far (read, not remembered).
    fresh: u64,
    idle: IdleGaps,
}

impl<'a, 'l> Reader<'a, 'l> {
    /// A reader of records whose messages are slices of `text`, in order, after a record at
    /// `last` (`None`: the first, or of unknown time).
    pub(super) fn new(text: &'a str, lines: &'l LineMatcher, last: Option<NaiveDateTime>) -> Self {
        Self {
            lines,
            meanings: Meanings::new(),
            ahead: WordsAhead::new(text),
            words: Vec::new(),
            seen: 0,
            fresh: 0,
            idle: IdleGaps::after(last),
        }
    }

    /// What the next record means, when it means something to the analyzer.
    ///
    /// Always inlined, and the per-record steps it calls from the other files of this folder
    /// marked inline: the split into files had cost 1% more instructions per Windows 10 record
    /// (callgrind, a 4 MiB log), which this wins back but for 0.4%.
    #[inline(always)]
    pub(super) fn read(&mut self, record: ClientRecord<'a>) -> Option<Read<'a>> {
        self.seen += 1;
        let idle_before = self.idle.before(record.time);
        let meaning = self.meanings.of(record.message, |message| {
            self.fresh += 1;
            // While few messages are new, each is searched on its own; when many are, the
            // search runs ahead through the text, which costs less a byte.
            if self.fresh * FEW_NEW < self.seen {
                self.words.clear();
                self.words.extend(keywords::words(message));
            } else {
                self.ahead.words_in(message, &mut self.words);
            }
            let mut rules = Vec::new();
            self.lines.each_match(message, |r| rules.push(r));
            Meaning {
                event: message_event_in(message, &self.words),
                rules,
            }
        });
        (meaning.matters() || idle_before > 0).then(|| Read {
            record,
            event: meaning.event,
            rules: meaning.rules.clone(),
            idle_before,
        })
    }
}
