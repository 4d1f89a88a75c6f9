//! The message memo: what the messages seen lately meant, so a repeated message is not read
//! again.

use super::super::client::ClientAnalyzer;
use crate::events::ClientEvent;

/// What a message means to the analyzer: its event and the rules whose line patterns it
/// matched. Both depend on the message's text alone.
#[derive(Debug, Default)]
pub(super) struct Meaning<'a> {
    pub(super) event: Option<ClientEvent<'a>>,
    pub(super) rules: Vec<usize>,
}

impl Meaning<'_> {
    /// Whether the analyzer has anything to do with a record that means this.
    pub(super) fn matters(&self) -> bool {
        self.event.as_ref().is_some_and(ClientAnalyzer::uses) || !self.rules.is_empty()
    }
}

/// Slots for the meanings of messages seen lately: many more than the lines of a detection.
const MEANINGS: usize = 64;

/// What the messages seen lately meant. A log repeats most of its messages word for word
/// (every detection logs the same dozen lines), so a message seen lately is not read again:
/// its meaning is the one remembered, whose text is borrowed from the same words earlier.
///
/// A message may be kept in one of two slots, chosen by its fingerprint; a message read
/// takes the place of the one of the two used longer ago.
pub(super) struct Meanings<'a> {
    slots: [Slot<'a>; MEANINGS],
    /// Messages looked up so far: the time of the slots' last use.
    clock: u64,
}

/// A message remembered, with its fingerprint and when it was last looked up.
#[derive(Default)]
struct Slot<'a> {
    print: u64,
    message: Option<&'a str>,
    used: u64,
    meaning: Meaning<'a>,
}

impl<'a> Meanings<'a> {
    pub(super) fn new() -> Self {
        Self {
            slots: std::array::from_fn(|_| Slot::default()),
            clock: 0,
        }
    }

    /// What `message` means: remembered, or found by `read` and remembered.
    pub(super) fn of(
        &mut self,
        message: &'a str,
        read: impl FnOnce(&'a str) -> Meaning<'a>,
    ) -> &Meaning<'a> {
        let print = fingerprint(message);
        // The pair of slots, from the fingerprint's top bits (the best mixed).
        let pair = (print >> (64 - (MEANINGS / 2).ilog2())) as usize * 2;
        let holds = |s: &Slot<'_>| s.print == print && s.message == Some(message);
        let i = match (holds(&self.slots[pair]), holds(&self.slots[pair + 1])) {
            (true, _) => pair,
            (_, true) => pair + 1,
            _ => {
                let older = pair + usize::from(self.slots[pair + 1].used < self.slots[pair].used);
                self.slots[older] = Slot {
                    print,
                    message: Some(message),
                    used: 0,
                    meaning: read(message),
                };
                older
            }
        };
        self.clock += 1;
        self.slots[i].used = self.clock;
        &self.slots[i].meaning
    }
}

/// A hash of a message's length and its first and last eight bytes, which tells apart the
/// messages a log repeats, in a few instructions.
pub(crate) fn fingerprint(message: &str) -> u64 {
    let b = message.as_bytes();
    let (head, tail) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(head), Some(tail)) => (u64::from_le_bytes(*head), u64::from_le_bytes(*tail)),
        // Shorter: all of it.
        _ => (b.iter().fold(0, |w, &c| (w << 8) | u64::from(c)), 0),
    };
    (head ^ tail.rotate_left(32) ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_that_differ_only_inside_have_one_fingerprint() {
        // What the reader's test of remembered meanings relies on to try a remembered message
        // of another meaning.
        let [a, b] = [
            "WARNING: Exit code = 0x8024400E for the scan",
            "WARNING: Exit code = 0x80244010 for the scan",
        ];
        assert_eq!(fingerprint(a), fingerprint(b));
        assert_ne!(
            fingerprint(a),
            fingerprint("WARNING: Exit code = 0x8024400E for the scans")
        );
        assert_ne!(fingerprint("hr"), fingerprint("hr="));
    }
}
