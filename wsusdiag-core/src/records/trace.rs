//! The Windows Update events of `.etl` traces, owned, read as client records: what a
//! [`Log`](crate::log::Log) or [`LogStream`](crate::stream::LogStream) of a trace holds, and
//! what the pipeline analyses. The events are handed over as records directly, never rendered
//! to text and parsed again.

use chrono::NaiveDateTime;

use super::{ClientRecord, Shape};
use crate::etl::{EtlEvent, write_log_header};

/// One event: its header fields, and where its message ends in [`TraceEvents::messages`].
#[derive(Clone, Copy, Debug)]
struct Event {
    time: NaiveDateTime,
    pid: u32,
    tid: u32,
    /// Index into [`TraceEvents::components`].
    component: u16,
    end: usize,
}

/// The Windows Update events of a set of traces, in time order, with their messages decoded
/// once (each on one line, its line breaks made spaces, trailing white space dropped). Owns all
/// it holds.
#[derive(Clone, Debug, Default)]
pub struct TraceEvents {
    events: Vec<Event>,
    /// The messages, one after another.
    messages: String,
    /// The distinct components (event names), in the order met.
    components: Vec<Box<str>>,
}

impl TraceEvents {
    /// Takes the Windows Update events of `events` (in time order), decoding their messages.
    pub(crate) fn collect(events: Vec<EtlEvent<'_>>) -> Self {
        let wu = || events.iter().filter(|e| e.is_windows_update());
        let mut out = Self::default();
        out.events.reserve_exact(wu().count());
        // A message is about half its UTF-16 payload.
        out.messages
            .reserve(wu().map(|e| e.payload().len() / 2).sum());
        for event in events.into_iter().filter(EtlEvent::is_windows_update) {
            let start = out.messages.len();
            event.write_message(&mut out.messages);
            // Trailing white space is dropped, as the text readers drop it.
            let end = start + out.messages[start..].trim_end().len();
            out.messages.truncate(end);
            if out.messages[start..].contains(['\n', '\r']) {
                let line = out.messages[start..].replace(['\n', '\r'], " ");
                out.messages.replace_range(start.., &line);
            }
            let component = out.component_index(event.component());
            out.events.push(Event {
                time: event.time,
                pid: event.pid,
                tid: event.tid,
                component,
                end: out.messages.len(),
            });
        }
        out
    }

    /// The index of `name` among the components, added when new. A trace has a few dozen
    /// components; past `u16::MAX` distinct names (a damaged trace) the last one is reused.
    fn component_index(&mut self, name: &str) -> u16 {
        if let Some(i) = self.components.iter().rposition(|c| **c == *name) {
            return i as u16;
        }
        if self.components.len() > usize::from(u16::MAX) {
            return u16::MAX;
        }
        self.components.push(name.into());
        (self.components.len() - 1) as u16
    }

    /// How many events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Bytes held on the heap.
    pub(crate) fn heap_bytes(&self) -> usize {
        let names: usize = self.components.iter().map(|c| c.len()).sum();
        self.messages.capacity() + self.events.capacity() * size_of::<Event>() + names
    }

    /// The messages, one after another: what the records' offsets count in.
    pub(crate) fn messages(&self) -> &str {
        &self.messages
    }

    /// The events as records: time (UTC), PID, TID, component, message, and the event's number
    /// as its line. A record's offset is its message's among all the messages, one after another.
    pub fn records(&self) -> TraceRecords<'_> {
        self.records_from(0)
    }

    /// The records from the `first`'s (0-based) on.
    pub(crate) fn records_from(&self, first: usize) -> TraceRecords<'_> {
        TraceRecords {
            events: self,
            next: first.min(self.events.len()),
        }
    }

    /// Appends the entry of `record`, one of [`Self::records`], as `Get-WindowsUpdateLog`
    /// prints it (but in UTC), without a line break.
    pub(crate) fn write_entry(&self, record: &ClientRecord<'_>, out: &mut String) {
        let event = &self.events[record.line as usize - 1];
        write_log_header(
            out,
            event.time,
            event.pid,
            event.tid,
            &self.components[usize::from(event.component)],
        );
        out.push_str(record.message);
    }

    /// The events as the text `Get-WindowsUpdateLog` writes (but in UTC), a line each.
    pub fn text(&self) -> String {
        let mut text = String::with_capacity(self.messages.len() + 60 * self.events.len());
        for record in self.records() {
            self.write_entry(&record, &mut text);
            text.push('\n');
        }
        text
    }
}

/// The records of [`TraceEvents`], in order.
#[derive(Clone, Debug)]
pub struct TraceRecords<'a> {
    events: &'a TraceEvents,
    next: usize,
}

impl<'a> TraceRecords<'a> {
    /// The record at `i`.
    fn record(&self, i: usize) -> ClientRecord<'a> {
        let all = self.events;
        let event = &all.events[i];
        let start = i.checked_sub(1).map_or(0, |p| all.events[p].end);
        ClientRecord {
            line: i as u32 + 1,
            column: 1,
            offset: start,
            time: Some(event.time),
            pid: Some(event.pid),
            tid: Some(event.tid),
            component: &all.components[usize::from(event.component)],
            message: &all.messages[start..event.end],
            shape: Shape::Full,
        }
    }
}

impl<'a> Iterator for TraceRecords<'a> {
    type Item = ClientRecord<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        (self.next < self.events.events.len()).then(|| {
            self.next += 1;
            self.record(self.next - 1)
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.events.events.len() - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for TraceRecords<'_> {}
