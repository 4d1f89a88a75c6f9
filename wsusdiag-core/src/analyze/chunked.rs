//! Reads a client log in chunks on all cores, then hands what matters to the analyzer in order.
//!
//! Parsing a record, finding what it means and matching the rules' line patterns are the cost
//! of a diagnosis, and none of them depends on the records before: they run on chunks of the
//! text in parallel. What does depend on order (which failure lines make one fault, the
//! detection under way) is cheap and runs after, on the few records that mean something.
//! Chunks are read in windows of a few per core, so memory stays bounded whatever the size of
//! the log.

use rayon::prelude::*;

use super::client::ClientAnalyzer;
use super::{Release, end_in};
use crate::error::ParseError;
use crate::events::keywords::{self, Word};
use crate::events::{ClientEvent, message_event_in};
use crate::knowledge::rules::LineMatcher;
use crate::records::{ClientFormat, ClientRecord, ClientRecords};

/// A client log's text as the chunk reader takes it: already known to be UTF-8, or bytes that
/// are checked chunk by chunk as they are read, on all cores, instead of in one pass before.
pub(crate) trait ChunkText<'t>: Copy + Send + Sync {
    /// Why a chunk could not be taken as text.
    type Error: Send;
    /// The whole text, as bytes.
    fn bytes(self) -> &'t [u8];
    /// The chunk `range`, as text. Its ends are after line breaks, never inside a character.
    fn chunk(self, range: std::ops::Range<usize>) -> Result<&'t str, Self::Error>;
}

impl<'t> ChunkText<'t> for &'t str {
    type Error = std::convert::Infallible;

    fn bytes(self) -> &'t [u8] {
        self.as_bytes()
    }

    fn chunk(self, range: std::ops::Range<usize>) -> Result<&'t str, Self::Error> {
        Ok(&self[range])
    }
}

impl<'t> ChunkText<'t> for &'t [u8] {
    type Error = std::str::Utf8Error;

    fn bytes(self) -> &'t [u8] {
        self
    }

    fn chunk(self, range: std::ops::Range<usize>) -> Result<&'t str, Self::Error> {
        std::str::from_utf8(&self[range])
    }
}

/// Bytes per chunk: large enough that splitting costs nothing, small enough to spread a
/// log of a few megabytes over the cores.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;
/// Chunks read at once per core before the analyzer takes them.
const WINDOW_PER_CORE: usize = 4;

/// A record that means something, as read from its chunk.
struct Read<'a> {
    record: ClientRecord<'a>,
    /// The whole entry, header and message.
    entry: &'a str,
    event: Option<ClientEvent<'a>>,
    /// Rules whose line patterns the message matched.
    rules: Vec<usize>,
}

/// One chunk, read. Line numbers and offsets in it count from the chunk's start.
struct ChunkRead<'a> {
    /// Byte offset of the chunk in the text.
    start: usize,
    /// Physical lines in the chunk.
    lines: u32,
    /// Records parsed.
    records: u64,
    /// Lines that were not records.
    malformed: u64,
    /// The first of them, in order.
    errors: Vec<ParseError>,
    reads: Vec<Read<'a>>,
}

/// Messages whose meaning is remembered.
const MEANINGS: usize = 8;

/// What the last few messages with words meant. A log repeats the messages that mean
/// something word for word (each detection logs the same start, server URL and end), and what
/// a message means depends on its text alone, so a repeated message is not read again.
struct Meanings<'a> {
    last: [(&'a str, Option<ClientEvent<'a>>); MEANINGS],
    next: usize,
}

impl<'a> Meanings<'a> {
    fn new() -> Self {
        // The empty message means nothing.
        Self {
            last: [("", None); MEANINGS],
            next: 0,
        }
    }

    /// What `message` means: remembered, or found by `read`.
    fn of(
        &mut self,
        message: &'a str,
        read: impl FnOnce(&'a str) -> Option<ClientEvent<'a>>,
    ) -> Option<ClientEvent<'a>> {
        let same = |(m, _): &&(&str, _)| m.len() == message.len() && *m == message;
        if let Some((_, event)) = self.last.iter().find(same) {
            return *event;
        }
        let event = read(message);
        self.last[self.next] = (message, event);
        self.next = (self.next + 1) % MEANINGS;
        event
    }
}

/// Totals of a log read in chunks.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub records: u64,
    /// Malformed lines, in order, with their place in the whole text.
    pub errors: Vec<ParseError>,
    pub malformed: u64,
}

/// Where each chunk of `b` ends: after the first line break past every `size` bytes, so
/// that no line (and no CR LF pair, and no character) is cut.
fn chunk_ends(b: &[u8], size: usize) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let want = (at + size.max(1)).min(b.len());
        let end = match memchr::memchr(b'\n', &b[want..]) {
            Some(i) if want < b.len() => want + i + 1,
            _ => b.len(),
        };
        ends.push(end);
        at = end;
    }
    ends
}

/// Parses one chunk: its records, their events and their line-pattern hits, the records kept
/// in `reads` (an emptied buffer of an earlier chunk, or a new one).
fn read_chunk<'a>(
    text: &'a str,
    start: usize,
    format: ClientFormat,
    lines: &LineMatcher,
    errors_cap: usize,
    reads: Vec<Read<'a>>,
) -> ChunkRead<'a> {
    // One pass over the chunk finds every keyword; each record takes those of its message.
    let mut words = keywords::words(text).peekable();
    let mut in_message = Vec::new();
    let mut meanings = Meanings::new();
    // Likewise for the rules' line patterns, when they start with literals.
    let mut starts = lines.starts(text).map(Iterator::peekable);
    let mut out = ChunkRead {
        start,
        lines: 0,
        records: 0,
        malformed: 0,
        errors: Vec::new(),
        reads,
    };
    let mut records = ClientRecords::new(text, format);
    for r in records.by_ref() {
        let record = match r {
            Ok(record) => record,
            Err(e) => {
                out.malformed += 1;
                if out.errors.len() < errors_cap {
                    out.errors.push(e);
                }
                continue;
            }
        };
        out.records += 1;
        // The message's place in the chunk.
        let to = end_in(text, record.message);
        let from = to - record.message.len();
        while words.next_if(|w| w.start < from).is_some() {}
        in_message.clear();
        while let Some(w) = words.next_if(|w| w.start < to) {
            if w.end <= to {
                in_message.push(Word {
                    start: w.start - from,
                    end: w.end - from,
                    key: w.key,
                });
            }
        }
        // Only messages with words are remembered: they are the ones that take reading.
        let event = if in_message.is_empty() {
            message_event_in(record.message, &in_message)
        } else {
            meanings.of(record.message, |m| message_event_in(m, &in_message))
        };
        let mut rules = Vec::new();
        let may_match = starts.as_mut().is_none_or(|s| {
            while s.next_if(|&at| at < from).is_some() {}
            s.peek().is_some_and(|&at| at < to)
        });
        if may_match {
            lines.each_match(record.message, |r| rules.push(r));
        }
        if event.as_ref().is_some_and(ClientAnalyzer::uses) || !rules.is_empty() {
            out.reads.push(Read {
                entry: &text[record.offset..to],
                record,
                event,
                rules,
            });
        }
    }
    out.lines = records.lines_read();
    out
}

/// Reads the client log `text` into `analyzer` in chunks of about `chunk_bytes`
/// ([`CHUNK_BYTES`] but in tests), in parallel when `parallel`. Returns the record count and
/// the malformed lines (the first `errors_cap` of them, and how many), or the error of the
/// first chunk that could not be taken as text (the analyzer is then half fed: drop it).
///
/// In parallel, the analyzer takes one window of chunks while the next window is read. Each
/// window taken is handed to `release`.
pub(crate) fn read_client<'t, T: ChunkText<'t>>(
    text: T,
    format: ClientFormat,
    lines: &LineMatcher,
    analyzer: &mut ClientAnalyzer<'_, 't>,
    (parallel, chunk_bytes): (bool, usize),
    release: Release<'_>,
    errors_cap: usize,
) -> Result<Counts, T::Error> {
    let ends = chunk_ends(text.bytes(), chunk_bytes);
    let window = if parallel {
        WINDOW_PER_CORE * rayon::current_num_threads().max(1)
    } else {
        1
    };
    // Each window reads into the emptied buffers of the one taken before it: a buffer kept
    // keeps its pages, where a new one would fault in fresh pages from the allocator.
    type Window<'t, E> = Result<Vec<ChunkRead<'t>>, E>;
    let read_window = |first: usize, mut spare: Vec<Vec<Read<'t>>>| -> Window<'t, T::Error> {
        let last = (first + window).min(ends.len());
        let jobs: Vec<(usize, Vec<Read<'t>>)> = (first..last)
            .map(|i| (i, spare.pop().unwrap_or_default()))
            .collect();
        let read = |(i, reads): (usize, Vec<Read<'t>>)| {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            let chunk = text.chunk(start..ends[i])?;
            Ok(read_chunk(chunk, start, format, lines, errors_cap, reads))
        };
        if parallel {
            jobs.into_par_iter().map(read).collect()
        } else {
            jobs.into_iter().map(read).collect()
        }
    };
    let mut taken = Taken {
        counts: Counts::default(),
        line_base: 0,
        errors_cap,
    };
    let mut next = (!ends.is_empty()).then(|| read_window(0, Vec::new()));
    let mut spare = Vec::new();
    let mut first = 0;
    while let Some(chunks) = next.take() {
        let chunks = chunks?;
        let from = if first == 0 { 0 } else { ends[first - 1] };
        first += chunks.len();
        let done = &text.bytes()[from..ends[first - 1]];
        let more = first < ends.len();
        let taking = || {
            let emptied = taken.take(chunks, analyzer);
            release(done);
            emptied
        };
        if parallel {
            (spare, next) = rayon::join(taking, || more.then(|| read_window(first, spare)));
        } else {
            spare = taking();
            next = more.then(|| read_window(first, std::mem::take(&mut spare)));
        }
    }
    Ok(taken.counts)
}

/// What the analyzer has taken so far.
struct Taken {
    counts: Counts,
    /// Lines before the next chunk.
    line_base: u32,
    errors_cap: usize,
}

impl Taken {
    /// Hands the chunks' records to the analyzer in order, with their places in the whole text.
    /// Returns the chunks' record buffers, emptied, for reuse.
    fn take<'t>(
        &mut self,
        chunks: Vec<ChunkRead<'t>>,
        analyzer: &mut ClientAnalyzer<'_, 't>,
    ) -> Vec<Vec<Read<'t>>> {
        let mut emptied = Vec::with_capacity(chunks.len());
        for mut chunk in chunks {
            self.counts.records += chunk.records;
            self.counts.malformed += chunk.malformed;
            for mut e in chunk.errors {
                e.position.shift(self.line_base, chunk.start);
                if self.counts.errors.len() < self.errors_cap {
                    self.counts.errors.push(e);
                }
            }
            for mut read in chunk.reads.drain(..) {
                read.record.shift(self.line_base, chunk.start);
                analyzer.push_read(&read.record, read.entry, read.event, &read.rules);
            }
            emptied.push(chunk.reads);
            self.line_base = self.line_base.saturating_add(chunk.lines);
        }
        emptied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::rules::RuleSet;

    #[test]
    fn chunks_end_after_line_breaks_and_cover_the_text() {
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        let text = line.repeat(100);
        let ends = chunk_ends(text.as_bytes(), 10 * line.len() + 3);
        assert_eq!(ends.len(), 10);
        assert_eq!(ends.last(), Some(&text.len()));
        for &end in &ends {
            assert!(text[..end].ends_with("\r\n"), "{end}");
        }
        assert!(chunk_ends(b"", 8).is_empty());
        assert_eq!(chunk_ends(b"no line break", 4), vec![13]);
    }

    /// Everything the analyzer and the counts end up with, as text to compare, or why a chunk
    /// was not text. Checks that what was read was released once, in order, from the start.
    fn read_into<'t, T: ChunkText<'t>>(
        text: T,
        size: usize,
        parallel: bool,
    ) -> Result<String, T::Error> {
        let lines = LineMatcher::new(&RuleSet::builtin());
        let mut analyzer = ClientAnalyzer::new("WindowsUpdate.log");
        let released = std::sync::Mutex::new(Vec::new());
        let base = text.bytes().as_ptr() as usize;
        let counts = read_client(
            text,
            ClientFormat::Classic,
            &lines,
            &mut analyzer,
            (parallel, size),
            &|part| {
                let start = part.as_ptr() as usize - base;
                released.lock().unwrap().push(start..start + part.len());
            },
            3,
        );
        let released = released.into_inner().unwrap();
        let mut at = 0;
        for part in &released {
            assert_eq!(part.start, at, "{size} {parallel}: {released:?}");
            assert!(part.end > part.start, "{size} {parallel}: {released:?}");
            at = part.end;
        }
        let counts = counts?;
        assert_eq!(at, text.bytes().len(), "{size} {parallel}: {released:?}");
        Ok(format!("{counts:?}\n{:?}", analyzer.finish()))
    }

    /// [`read_into`] on text known to be UTF-8, and on the same as bytes checked as read.
    fn read_with(text: &str, size: usize, parallel: bool) -> String {
        let Ok(checked) = read_into(text, size, parallel);
        let unchecked = read_into(text.as_bytes(), size, parallel);
        assert_eq!(unchecked.as_ref(), Ok(&checked), "{size} {parallel}");
        checked
    }

    #[test]
    fn any_chunking_reads_the_same_as_one_chunk() {
        // The KB954960 sample three times over, with damaged lines between (faults, their
        // cascades and the detections all cross chunk boundaries at the small sizes).
        let sample = String::from_utf8_lossy(crate::sample::KB954960_CLIENT).into_owned();
        let mut text = String::new();
        for damage in [
            "2008-07-14\t09:1x:01:375\t 788\tee4\tPT\tcut\r\n",
            "\u{1}\u{2}\r\n",
            "",
        ] {
            text.push_str(&sample);
            text.push_str(damage);
        }
        let whole = read_with(&text, usize::MAX, false);
        assert!(whole.contains("malformed: 2"), "{whole}");
        assert!(whole.contains("hresult: 2149859342"), "{whole}");
        for size in [1, 97, 1000, 4096] {
            for parallel in [false, true] {
                assert_eq!(read_with(&text, size, parallel), whole, "{size} {parallel}");
            }
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_stop_the_read() {
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        let mut text = line.repeat(50).into_bytes();
        // Windows-1252 `é` in the 40th line, and a character cut at the end.
        let at = 39 * line.len() + 44;
        let mut latin = text.clone();
        latin[at] = 0xE9;
        let mut cut = text.clone();
        cut.extend_from_slice(b"\xC3");
        text.extend_from_slice("caf\u{e9}\r\n".as_bytes());
        for parallel in [false, true] {
            for size in [1, 97, 1000, usize::MAX] {
                assert!(read_into(&text[..], size, parallel).is_ok());
                let e = read_into(&latin[..], size, parallel).unwrap_err();
                assert_eq!(e.error_len(), Some(1), "{size} {parallel}");
                let e = read_into(&cut[..], size, parallel).unwrap_err();
                assert_eq!(e.error_len(), None, "{size} {parallel}");
            }
        }
    }
}
