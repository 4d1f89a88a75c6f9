//! Reads a client log in chunks on all cores, then hands what matters to the analyzer in order.
//!
//! Parsing a record, finding what it means and matching the rules' line patterns are the cost
//! of a diagnosis, and none of them depends on the records before: they run on chunks of the
//! text in parallel. What does depend on order (which failure lines make one fault, the
//! detection under way) is cheap and runs after, on the few records that mean something.
//! Chunks are read in windows of a few per core, so memory stays bounded whatever the size of
//! the log. The events of a trace, records already, are read the same way, in runs.

mod idle;
mod lookahead;
mod memo;
mod read;
mod text;

use std::ops::Range;

use rayon::prelude::*;

use super::client::ClientAnalyzer;
use super::{ReadDone, end_in};
use crate::error::{ParseError, ParseErrorKind};
use crate::knowledge::rules::LineMatcher;
use crate::records::{ClientFormat, ClientRecord, ClientRecords};
use read::{Read, Reader};
use text::chunks;
pub(crate) use text::{CHUNK_BYTES, ChunkText};

/// The room a new record buffer starts with: a record that matters per this many bytes of its
/// chunk, about as many as a fault-dense log has (a buffer that grows is copied whole).
const BYTES_PER_READ: usize = 256;
/// Chunks read at once per core before the analyzer takes them.
const WINDOW_PER_CORE: usize = 4;
/// Records already taken apart read at once on one core: about as many as a chunk holds.
pub(crate) const RUN_RECORDS: usize = 8192;

/// A record that means something, as read from its chunk, with its whole entry (header and
/// message).
type Entry<'a> = (Read<'a>, &'a str);

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
    reads: Vec<Entry<'a>>,
}

/// Totals of a log read in chunks.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub records: u64,
    /// Malformed lines, in order, with their place in the whole text.
    pub errors: Vec<ParseError>,
    pub malformed: u64,
}

/// Parses one chunk: its records, their events and their line-pattern hits, the records kept
/// in `reads` (an emptied buffer of an earlier chunk, or a new one).
fn read_chunk<'a>(
    text: &'a str,
    start: usize,
    format: ClientFormat,
    lines: &LineMatcher,
    errors_cap: usize,
    reads: Vec<Entry<'a>>,
) -> ChunkRead<'a> {
    let mut reader = Reader::new(text, lines, None);
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
                // An entry with an impossible date is still read (it comes next): a problem,
                // not a skipped line.
                out.malformed += u64::from(e.kind != ParseErrorKind::ImpossibleDate);
                if out.errors.len() < errors_cap {
                    out.errors.push(e);
                }
                continue;
            }
        };
        out.records += 1;
        if let Some(read) = reader.read(record) {
            let entry = &text[record.offset..end_in(text, record.message)];
            out.reads.push((read, entry));
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
/// window taken is handed to `read_done`, which stops the read when it returns false.
pub(crate) fn read_client<'t, T: ChunkText<'t>>(
    text: T,
    format: ClientFormat,
    lines: &LineMatcher,
    analyzer: &mut ClientAnalyzer<'_, 't>,
    (parallel, chunk_bytes): (bool, usize),
    read_done: ReadDone<'_>,
    errors_cap: usize,
) -> Result<Counts, T::Error> {
    let window = if parallel {
        WINDOW_PER_CORE * rayon::current_num_threads().max(1)
    } else {
        1
    };
    let mut chunks = chunks(text.bytes(), chunk_bytes);
    let mut next_window = || chunks.by_ref().take(window).collect::<Vec<_>>();
    // Each window reads into the emptied buffers of the one taken before it: a buffer kept
    // keeps its pages, where a new one would fault in fresh pages from the allocator.
    type Window<'t, E> = Result<Vec<ChunkRead<'t>>, E>;
    let read_window = |ranges: &[Range<usize>], mut spare: Vec<Vec<Entry<'t>>>| -> Window<'t, _> {
        let jobs: Vec<_> = (ranges.iter().cloned())
            .map(|range| {
                let reads = spare
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(range.len() / BYTES_PER_READ));
                (range, reads)
            })
            .collect();
        let read = |(range, reads): (Range<usize>, Vec<Entry<'t>>)| {
            let start = range.start;
            let chunk = text.chunk(range)?;
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
    let mut ahead = next_window();
    let mut next = (!ahead.is_empty()).then(|| read_window(&ahead, Vec::new()));
    let mut spare = Vec::new();
    while let Some(chunks) = next.take() {
        let chunks = chunks?;
        let done = &text.bytes()[ahead[0].start..ahead[ahead.len() - 1].end];
        ahead = next_window();
        let more = !ahead.is_empty();
        let taking = || {
            let emptied = taken.take(chunks, analyzer);
            (emptied, read_done(done))
        };
        let go_on;
        if parallel {
            ((spare, go_on), next) =
                rayon::join(taking, || more.then(|| read_window(&ahead, spare)));
        } else {
            (spare, go_on) = taking();
            next = more.then(|| read_window(&ahead, std::mem::take(&mut spare)));
        }
        if !go_on {
            // The caller stopped the read (cancelled): what was taken stays taken.
            break;
        }
    }
    Ok(taken.counts)
}

/// Reads records already taken apart (a trace's events), whose messages are slices of `text`
/// in order, into `analyzer`: in runs of `run` records ([`RUN_RECORDS`] but in tests), in
/// parallel when `parallel`. Only the records that mean something get an entry: `write_entry`
/// writes each into `entries`, where the analyzer borrows it from.
pub(crate) fn read_records<'t>(
    text: &'t str,
    records: &[ClientRecord<'t>],
    lines: &LineMatcher,
    analyzer: &mut ClientAnalyzer<'_, 't>,
    (parallel, run): (bool, usize),
    (entries, write_entry): (&'t mut String, impl Fn(&ClientRecord<'t>, &mut String)),
) {
    let run = run.max(1);
    let read_run = |(i, part): (usize, &[ClientRecord<'t>])| {
        let (Some(first), Some(last)) = (part.first(), part.last()) else {
            return Vec::new();
        };
        // The run's messages, and the time of the record before it: the run reads as it would
        // in one pass over all.
        let from = end_in(text, first.message) - first.message.len();
        let text = &text[from..end_in(text, last.message)];
        let before = (i * run).checked_sub(1).and_then(|at| records[at].time);
        let mut reader = Reader::new(text, lines, before);
        part.iter().filter_map(|r| reader.read(*r)).collect()
    };
    let mut reads: Vec<Vec<Read<'t>>> = if parallel {
        records.par_chunks(run).enumerate().map(read_run).collect()
    } else {
        records.chunks(run).enumerate().map(read_run).collect()
    };
    let mut ends = Vec::with_capacity(reads.iter().map(Vec::len).sum());
    for read in reads.iter().flatten() {
        write_entry(&read.record, entries);
        ends.push(entries.len());
    }
    let entries: &'t str = entries;
    let mut start = 0;
    for (read, end) in reads.iter_mut().flatten().zip(ends) {
        read.hand(&entries[start..end], analyzer);
        start = end;
    }
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
    ) -> Vec<Vec<Entry<'t>>> {
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
            // Each record is handed over from its place in the buffer, not moved out of it.
            for (read, entry) in &mut chunk.reads {
                read.record.shift(self.line_base, chunk.start);
                read.hand(entry, analyzer);
            }
            chunk.reads.clear();
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

    /// Everything the analyzer and the counts end up with, as text to compare, or why a chunk
    /// was not text. Checks that what was read was released once, in order, from the start.
    fn read_into<'t, T: ChunkText<'t>>(
        text: T,
        size: usize,
        parallel: bool,
    ) -> Result<String, T::Error> {
        let lines = LineMatcher::new(&RuleSet::builtin());
        let mut analyzer =
            ClientAnalyzer::new("WindowsUpdate.log", ClientFormat::Classic, &lines.benign);
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
                true
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
    fn a_read_done_hook_that_says_stop_stops_the_read_after_its_window() {
        let sample = String::from_utf8_lossy(crate::sample::KB954960_CLIENT).into_owned();
        let text = sample.repeat(40);
        let lines = LineMatcher::new(&RuleSet::builtin());
        for parallel in [false, true] {
            let read = |stop_after: usize| {
                let mut analyzer =
                    ClientAnalyzer::new("WindowsUpdate.log", ClientFormat::Classic, &lines.benign);
                let calls = std::sync::atomic::AtomicUsize::new(0);
                let Ok(counts) = read_client(
                    text.as_str(),
                    ClientFormat::Classic,
                    &lines,
                    &mut analyzer,
                    (parallel, 512),
                    &|_| calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1 < stop_after,
                    3,
                );
                (counts.records, calls.into_inner())
            };
            let (all, windows) = read(usize::MAX);
            assert!(windows > 2, "{windows} windows");
            // Stopped after the first window: one window's records, one call.
            let (some, calls) = read(1);
            assert_eq!(calls, 1);
            assert!(0 < some && some < all, "{some} of {all}");
        }
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

    /// A classic log line with `message`.
    fn line(message: &str) -> String {
        format!("2008-07-14\t09:12:58:640\t1100\tee4\tPT\t{message}\r\n")
    }

    #[test]
    fn a_remembered_message_means_what_reading_it_means() {
        // Messages repeated at every distance, many more than there are slots, with pairs of
        // one fingerprint and another meaning, and matches of the rules' line patterns.
        let sample = String::from_utf8_lossy(crate::sample::KB954960_CLIENT).into_owned();
        let mut text = sample.clone();
        for round in 0..3u32 {
            for i in 0..150u32 {
                let code = 0x8024_4000 + (i * 7 + round) % 40;
                text += &line(&format!("WARNING: Exit code = 0x{code:08X} for the scan"));
                text += &line(&format!(
                    "Update number {} is not applicable",
                    i % (50 + round)
                ));
                if i % 9 == 0 {
                    text += &line("ECP: Failed to validate cab file digest for C:\\x.cab");
                    text += &line("  * Found 3 updates and 70 categories in search");
                }
            }
            text += &sample;
        }
        let lines = LineMatcher::new(&RuleSet::builtin());
        let read = read_chunk(&text, 0, ClientFormat::Classic, &lines, 0, Vec::new());
        let mut expected = Vec::new();
        for r in ClientRecords::new(&text, ClientFormat::Classic).map(Result::unwrap) {
            let event = crate::events::message_event(r.message);
            let mut rules = Vec::new();
            lines.each_match(r.message, |i| rules.push(i));
            if event.as_ref().is_some_and(ClientAnalyzer::uses) || !rules.is_empty() {
                expected.push((r.line, event, rules));
            }
        }
        let got: Vec<_> = (read.reads.iter())
            .map(|(r, _)| (r.record.line, r.event, r.rules.clone()))
            .collect();
        assert!(expected.iter().any(|(_, _, rules)| !rules.is_empty()));
        assert!(expected.len() > 450, "{}", expected.len());
        assert_eq!(got, expected);
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
