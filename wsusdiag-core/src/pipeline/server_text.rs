//! The text of a server entry that the rules' patterns read: its message and its continuation
//! lines (the stack), kept apart so that a stack the log repeats word for word is held once.
//!
//! A server log in trouble logs the same exception with the same stack again and again, each
//! time with another message (`Key in dictionary: '8881'`); the stack is most of the text.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use super::chunks::fingerprint;
use crate::error::head_to;
use crate::events;
use crate::records::ServerRecord;

/// Stack frames read per entry.
const FRAMES_CAP: usize = 64;
/// Bytes of an entry kept for rule patterns: its message, a line break and its continuation.
const TEXT_CAP: usize = 16 * 1024;
/// Stacks remembered: more than the kinds of exception a log interleaves.
const STACKS: usize = 16;

/// The text of a server entry, capped at [`TEXT_CAP`] bytes: its message, then its
/// continuation lines. Cheap to clone.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct EntryText {
    message: Arc<str>,
    /// Empty when there are none.
    continuation: Option<Arc<str>>,
}

impl EntryText {
    /// Lines of a ConfigMgr site-server failure, which have no stack.
    pub(crate) fn lines(text: &str) -> Self {
        Self {
            message: head_to(text, TEXT_CAP).into(),
            continuation: None,
        }
    }

    /// The message: what the first line says after its header.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// The continuation lines (the stack), when there are any.
    pub(crate) fn continuation(&self) -> Option<&str> {
        self.continuation.as_deref()
    }

    /// Where the continuation is held, when other entries share it: what a verdict on it is
    /// remembered by while the entries live.
    pub(crate) fn shared_stack(&self) -> Option<usize> {
        (self.continuation.as_ref())
            .filter(|c| Arc::strong_count(c) > 1)
            .map(|c| Arc::as_ptr(c).cast::<u8>() as usize)
    }

    /// Its stack frames (`at` lines of the continuation), without `at `, at most
    /// [`FRAMES_CAP`]; those past the cap on the text are not read.
    pub(crate) fn frames(&self) -> impl Iterator<Item = &str> {
        events::frames_in(self.continuation.as_deref().unwrap_or_default())
            .map(str::trim)
            .take(FRAMES_CAP)
    }

    /// Whether the two hold the same continuation, not a copy of it.
    #[cfg(test)]
    pub(crate) fn shares_stack(&self, other: &Self) -> bool {
        self.shared_stack().is_some() && self.shared_stack() == other.shared_stack()
    }
}

/// The stacks of the entries read lately, each held once: an entry whose continuation is one
/// of them shares it.
#[derive(Debug, Default)]
pub(crate) struct RecentStacks {
    /// Chosen by a stack's fingerprint.
    slots: [Option<(u64, Arc<str>)>; STACKS],
}

impl RecentStacks {
    /// The text of `record`, capped; its continuation shared with an entry read lately that
    /// had the same.
    pub(crate) fn text_of(&mut self, record: &ServerRecord<'_>) -> EntryText {
        let message = head_to(record.message, TEXT_CAP);
        // The message, a line break, then as much of the continuation as the cap leaves.
        let room = TEXT_CAP.saturating_sub(message.len() + 1);
        let continuation = head_to(record.continuation, room);
        EntryText {
            message: message.into(),
            continuation: (!continuation.is_empty()).then(|| self.share(continuation)),
        }
    }

    /// `stack`, as remembered or remembered now.
    fn share(&mut self, stack: &str) -> Arc<str> {
        let print = fingerprint(stack);
        let slot = &mut self.slots[(print >> (64 - STACKS.ilog2())) as usize];
        match slot {
            Some((p, held)) if *p == print && **held == *stack => Arc::clone(held),
            _ => {
                let held: Arc<str> = stack.into();
                *slot = Some((print, Arc::clone(&held)));
                held
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::ServerRecords;

    #[test]
    fn a_repeated_stack_is_held_once_and_read_as_before() {
        let stack = "   at System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)\r\n   at Microsoft.UpdateServices.Internal.ClientImplementation.GetSyncInfo(DataAccess dataAccess)";
        let other = "   at System.Data.SqlClient.SqlConnection.OnError(SqlException exception)";
        let entry = |key: u32, stack: &str| {
            format!(
                "2024-03-12 07:16:00.018 UTC\tError\tw3wp.5\tClientImplementation.SyncUpdates\tSystem.ArgumentException: Item has already been added. Key in dictionary: '{key}'\r\n{stack}\r\n"
            )
        };
        let log = [entry(8881, stack), entry(8882, other), entry(8883, stack)].concat();
        let mut recent = RecentStacks::default();
        let texts: Vec<EntryText> = (ServerRecords::new(&log))
            .map(|r| recent.text_of(&r.unwrap()))
            .collect();
        assert!(texts[0].shares_stack(&texts[2]));
        assert!(!texts[0].shares_stack(&texts[1]));
        assert_eq!(
            texts[2].message(),
            "System.ArgumentException: Item has already been added. Key in dictionary: '8883'"
        );
        assert_eq!(texts[2].continuation(), Some(stack));
        // Once the reading is done, a stack held by one entry only has nothing to remember a
        // verdict by.
        drop(recent);
        assert_eq!(texts[1].shared_stack(), None);
        let frames: Vec<&str> = texts[0].frames().collect();
        assert_eq!(
            frames,
            [
                "System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)",
                "Microsoft.UpdateServices.Internal.ClientImplementation.GetSyncInfo(DataAccess dataAccess)"
            ]
        );
        assert_eq!(texts[1].frames().count(), 1);
    }

    #[test]
    fn message_and_stack_are_capped_together_at_a_character_boundary() {
        // A message of 10,000 bytes, then a stack of 10,000 two-byte characters.
        let message = "m".repeat(10_000);
        let stack = "é".repeat(10_000);
        let log =
            format!("2024-03-12 07:16:00.018 UTC\tError\tw3wp.5\tX.Y\t{message}\r\n{stack}\r\n");
        let record = ServerRecords::new(&log).next().unwrap().unwrap();
        assert_eq!(
            record.continuation.len(),
            20_000,
            "the stack is the continuation"
        );
        let text = RecentStacks::default().text_of(&record);
        assert_eq!(text.message(), message);
        // 16,384 - 10,001 = 6,383 bytes of room: 3,191 whole characters.
        assert_eq!(text.continuation(), Some(&*"é".repeat(3_191)));
        let lines = EntryText::lines(&"é".repeat(10_000));
        assert_eq!(lines.message().len(), TEXT_CAP);
        assert_eq!(lines.continuation(), None);
        assert_eq!(lines.frames().count(), 0);
    }
}
