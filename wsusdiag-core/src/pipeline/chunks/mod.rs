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
pub(crate) use memo::fingerprint;
use read::{Read, Reader};
use text::chunks;
pub(crate) use text::{CHUNK_BYTES, FileWindows, InMemory, Window, Windows};

/// The room a new record buffer starts with: a record that matters per this many bytes of its
/// chunk, about as many as a fault-dense log has (a buffer that grows is copied whole).
const BYTES_PER_READ: usize = 256;
/// Chunks read at once per core before the analyzer takes them. Two, not more: four took about
/// 10 ms more and 13 to 22 MB more memory on each 128 MB peer pair (BENCHMARKS.md), from the
/// fresh pages zeroed for larger buffers and, likely, a window no longer in the cache by the
/// time its chunks are parsed.
const WINDOW_PER_CORE: usize = 2;
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

/// Why a client log could not be read in windows.
#[derive(Debug)]
pub(crate) enum WindowError {
    /// A chunk is not UTF-8: the text is to be decoded whole instead.
    NotUtf8(std::str::Utf8Error),
    /// The file could not be read on.
    Read(crate::Error),
}

impl std::fmt::Display for WindowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotUtf8(e) => write!(f, "not UTF-8 text: {e}"),
            Self::Read(e) => e.fmt(f),
        }
    }
}

/// The records of a window's chunks.
type ChunkReads<'a> = Vec<ChunkRead<'a>>;

self_cell::self_cell!(
    /// A window of text and its chunks, read: the records of the chunks borrow the window's
    /// text, which a window read from a file owns.
    struct ReadWindow<'t> {
        owner: Window<'t>,
        #[covariant]
        dependent: ChunkReads,
    }
);

/// An emptied record buffer made ready for the records of another text, keeping its room (the
/// standard library collects a vector's iterator into its own buffer).
#[expect(
    clippy::unnecessary_filter_map,
    reason = "the map is there to change the type of what it keeps, which is nothing"
)]
fn recycle<'b>(mut reads: Vec<Entry<'_>>) -> Vec<Entry<'b>> {
    reads.clear();
    reads.into_iter().filter_map(|_| None).collect()
}

/// How the chunks of a log are read: its format, the rules' line patterns, the chunk size, on
/// how many cores, and how many malformed lines to keep.
struct ChunkReading<'l> {
    format: ClientFormat,
    lines: &'l LineMatcher,
    chunk_bytes: usize,
    parallel: bool,
    errors_cap: usize,
}

impl ChunkReading<'_> {
    /// Reads the chunks of `window` into the record buffers `spare` (emptied buffers of an
    /// earlier window, or new ones), on all cores when parallel.
    fn window<'t>(
        &self,
        window: Window<'t>,
        mut spare: Vec<Vec<Entry<'static>>>,
    ) -> Result<ReadWindow<'t>, std::str::Utf8Error> {
        ReadWindow::try_new(window, |w| {
            let jobs: Vec<_> = chunks(&w.bytes, self.chunk_bytes)
                .map(|range| {
                    let reads = spare
                        .pop()
                        .map_or_else(|| Vec::with_capacity(range.len() / BYTES_PER_READ), recycle);
                    (range, reads)
                })
                .collect();
            let read = |(range, reads): (Range<usize>, _)| {
                let start = w.start + range.start;
                let chunk = std::str::from_utf8(&w.bytes[range])?;
                let (format, lines, errors_cap) = (self.format, self.lines, self.errors_cap);
                Ok(read_chunk(chunk, start, format, lines, errors_cap, reads))
            };
            if self.parallel {
                jobs.into_par_iter().map(read).collect()
            } else {
                jobs.into_iter().map(read).collect()
            }
        })
    }
}

/// Reads a client log, a window at a time from `text`, into `analyzer` in chunks of about
/// `chunk_bytes` ([`CHUNK_BYTES`] but in tests), in parallel when `parallel`. Returns the
/// record count and the malformed lines (the first `errors_cap` of them, and how many), or why
/// the text could not be read on (the analyzer is then half fed: drop it).
///
/// In parallel, the analyzer takes one window while the next is read. Each window taken is
/// handed to `read_done`, which stops the read when it returns false. At most two windows are
/// in memory at once, whatever the size of the log.
pub(crate) fn read_client<'t>(
    text: &mut impl Windows<'t>,
    format: ClientFormat,
    lines: &LineMatcher,
    analyzer: &mut ClientAnalyzer<'_>,
    (parallel, chunk_bytes): (bool, usize),
    read_done: ReadDone<'_>,
    errors_cap: usize,
) -> Result<Counts, WindowError> {
    let window_chunks = if parallel {
        WINDOW_PER_CORE * rayon::current_num_threads().max(1)
    } else {
        1
    };
    let want = chunk_bytes.max(1).saturating_mul(window_chunks);
    let reading = ChunkReading {
        format,
        lines,
        chunk_bytes,
        parallel,
        errors_cap,
    };
    // Each window is read into the buffers of the one taken before it: a buffer kept keeps its
    // pages, where a new one would fault in fresh pages from the allocator.
    let read_next = |text: &mut _, spare_bytes, spare_reads| {
        Windows::next(text, want, spare_bytes)
            .map_err(WindowError::Read)?
            .map(|w| reading.window(w, spare_reads).map_err(WindowError::NotUtf8))
            .transpose()
    };
    let mut taken = Taken {
        counts: Counts::default(),
        line_base: 0,
        errors_cap,
    };
    let mut next = read_next(text, Vec::new(), Vec::new());
    // The buffers of the window taken last, for the next one to be read into.
    let mut spares = (Vec::new(), Vec::new());
    while let Some(mut window) = next? {
        let taking = || {
            let (emptied, go_on) = window.with_dependent_mut(|w, chunks| {
                let emptied = taken.take(std::mem::take(chunks), analyzer);
                let emptied: Vec<_> = emptied.into_iter().map(recycle).collect();
                (emptied, read_done(&w.bytes))
            });
            ((window.into_owner().into_buffer(), emptied), go_on)
        };
        let go_on;
        if parallel {
            let (bytes, reads) = std::mem::take(&mut spares);
            ((spares, go_on), next) = rayon::join(taking, || read_next(text, bytes, reads));
        } else {
            let ((bytes, reads), taken_on) = taking();
            go_on = taken_on;
            next = read_next(text, bytes, reads);
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
    analyzer: &mut ClientAnalyzer<'_>,
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
        analyzer: &mut ClientAnalyzer<'_>,
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
    use crate::input::TempLog;
    use crate::knowledge::rules::RuleSet;

    /// Everything the analyzer and the counts end up with, as text to compare, or why the text
    /// could not be read. Checks that what was read was released once, in order, whole.
    fn read_into<'t>(
        text: &mut impl Windows<'t>,
        len: usize,
        size: usize,
        parallel: bool,
    ) -> Result<String, WindowError> {
        let lines = LineMatcher::new(&RuleSet::builtin());
        let mut analyzer =
            ClientAnalyzer::new("WindowsUpdate.log", ClientFormat::Classic, &lines.benign);
        let released = std::sync::Mutex::new(Vec::new());
        let counts = read_client(
            text,
            ClientFormat::Classic,
            &lines,
            &mut analyzer,
            (parallel, size),
            &|part| {
                released.lock().unwrap().push(part.len());
                true
            },
            3,
        );
        let released = released.into_inner().unwrap();
        assert!(
            released.iter().all(|&n| n > 0),
            "{size} {parallel}: {released:?}"
        );
        let counts = counts?;
        let all: usize = released.iter().sum();
        assert_eq!(all, len, "{size} {parallel}: {released:?}");
        Ok(format!("{counts:?}\n{:?}", analyzer.finish()))
    }

    /// The windows of `file`, its first `head` bytes read first, as a caller sniffing it does.
    fn windows(file: &TempLog, head: usize) -> FileWindows {
        let mut parts = file.parts();
        let head = parts.head(head).unwrap();
        parts.put_back(head);
        FileWindows::new(parts)
    }

    /// [`read_into`] on bytes in memory, and on the same bytes read from a file, whose windows
    /// must read the same (its head cut at a few places).
    fn read_bytes(bytes: &[u8], size: usize, parallel: bool) -> Result<String, WindowError> {
        let in_memory = read_into(&mut InMemory::new(bytes), bytes.len(), size, parallel);
        let file = TempLog::new("windows", bytes);
        for head in [1, 200, 1 << 20] {
            let from_file = read_into(&mut windows(&file, head), bytes.len(), size, parallel);
            // Where in its chunk a byte that is not UTF-8 is depends on the chunks' ends.
            let outcome = |r: &Result<String, WindowError>| match r {
                Err(WindowError::NotUtf8(e)) => Err(e.error_len()),
                Err(WindowError::Read(e)) => panic!("{e}"),
                Ok(read) => Ok(read.clone()),
            };
            let (from_file, expected) = (outcome(&from_file), outcome(&in_memory));
            assert_eq!(from_file, expected, "{size} {parallel} {head}");
        }
        in_memory
    }

    /// [`read_bytes`] on text.
    fn read_with(text: &str, size: usize, parallel: bool) -> String {
        read_bytes(text.as_bytes(), size, parallel).unwrap()
    }

    #[test]
    fn a_recycled_record_buffer_keeps_its_room() {
        let reads: Vec<Entry<'_>> = Vec::with_capacity(4096);
        let room = reads.capacity();
        let recycled: Vec<Entry<'static>> = recycle(reads);
        assert_eq!((recycled.len(), recycled.capacity()), (0, room));
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
                let counts = read_client(
                    &mut InMemory::new(text.as_bytes()),
                    ClientFormat::Classic,
                    &lines,
                    &mut analyzer,
                    (parallel, 512),
                    &|_| calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1 < stop_after,
                    3,
                )
                .unwrap();
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
                assert!(read_bytes(&text, size, parallel).is_ok());
                let not_utf8 = |bytes: &[u8]| match read_bytes(bytes, size, parallel) {
                    Err(WindowError::NotUtf8(e)) => e.error_len(),
                    other => panic!("{size} {parallel}: {other:?}"),
                };
                assert_eq!(not_utf8(&latin), Some(1), "{size} {parallel}");
                assert_eq!(not_utf8(&cut), None, "{size} {parallel}");
            }
        }
    }
}
