//! A log read from a stream, chunk by chunk, in bounded memory: for a log larger than memory, a
//! pipe, or a file that is still being written (read what is there, come back for the rest).
//!
//! Records borrow from the chunk being parsed and are handed to a callback; line numbers and
//! offsets count from the start of the stream. [`LogStream::open`] is the one way the front ends
//! read a file record by record, an `.etl` trace included. Memory holds one chunk plus the entry still
//! open at its end (a server entry's stack trace may span chunks), never the whole log.
//!
//! ```
//! use wsusdiag_core::stream::LogStream;
//! let log: &[u8] = b"2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING: PTError: 0x8024400e\n";
//! let mut stream = LogStream::new("WindowsUpdate.log", log);
//! let mut lines = Vec::new();
//! while stream.read_some(|r| lines.push(r.map(|r| r.line())))? {}
//! stream.finish(|r| lines.push(r.map(|r| r.line())))?;
//! assert_eq!(lines, [Ok(1)]);
//! # Ok::<(), wsusdiag_core::Error>(())
//! ```

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use encoding_rs::{CoderResult, Decoder, Encoding};

use crate::error::{ParseError, ParseErrorKind, Position, excerpt};
use crate::input::{LogKind, TextEncoding, sniff, utf16_without_bom};
use crate::log::Log;
use crate::records::{Record, Records, TraceEvents};
use crate::{Error, Result};

/// Bytes read per call by default.
const DEFAULT_CHUNK: usize = 1 << 20;
/// Text kept while waiting for a line break: a longer line is reported as too long and
/// skipped, so one endless line cannot exhaust memory.
const MAX_OPEN_TEXT: usize = 16 << 20;
/// Text sniffed before the kind of log is decided.
const SNIFF_BYTES: usize = 64 << 10;

/// A log read from any [`Read`], chunk by chunk.
pub struct LogStream<R> {
    name: String,
    reader: R,
    chunk: usize,
    /// Raw bytes read before the encoding is known.
    raw: Vec<u8>,
    decoder: Option<Decoder>,
    encoding: Option<TextEncoding>,
    kind: Option<LogKind>,
    /// Decoded text not yet handed over.
    text: String,
    /// Lines and bytes of text already handed over.
    line_base: u32,
    byte_base: usize,
    /// Dropping the rest of a line that was too long.
    skipping: bool,
    /// An `.etl` trace's events, and the next one to hand over.
    trace: Option<(TraceEvents, usize)>,
}

impl<R> std::fmt::Debug for LogStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStream")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("encoding", &self.encoding)
            .field("line_base", &self.line_base)
            .finish_non_exhaustive()
    }
}

/// A log file read chunk by chunk, as [`LogStream::open`] opens it.
pub type FileStream = LogStream<Box<dyn Read + Send + Sync>>;

impl FileStream {
    /// Opens a log file, named by its path in errors. A text log is read as it comes, in
    /// bounded memory; an `.etl` trace is decoded whole first (as [`Log::open`] decodes it) and
    /// its events are handed over as records, a chunk's worth of messages per call: kind
    /// `client-etl`, encoding `binary`, times in UTC, an event's number as its line.
    pub fn open(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        // Opened once: a named pipe cannot be opened again for the same bytes.
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut head = [0u8; 128];
        let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
        if crate::etl::is_etl(&head[..n]) {
            // A trace is a regular file: it is read again, whole, from its start.
            let events = Log::open(path)?.into_trace().unwrap_or_default();
            let mut stream = Self::new(name, Box::new(std::io::empty()));
            stream.kind = Some(LogKind::ClientEtl);
            stream.encoding = Some(TextEncoding::Binary);
            stream.trace = Some((events, 0));
            return Ok(stream);
        }
        let reader = Cursor::new(head[..n].to_vec()).chain(BufReader::new(file));
        Ok(Self::new(name, Box::new(reader)))
    }
}

impl<R: Read> LogStream<R> {
    /// A stream named `name` (used in errors) over `reader`.
    pub fn new(name: impl Into<String>, reader: R) -> Self {
        Self {
            name: name.into(),
            reader,
            chunk: DEFAULT_CHUNK,
            raw: Vec::new(),
            decoder: None,
            encoding: None,
            kind: None,
            text: String::new(),
            line_base: 0,
            byte_base: 0,
            skipping: false,
            trace: None,
        }
    }

    /// Reads `bytes` per call instead of 1 MiB.
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk = bytes.max(64);
        self
    }

    /// The kind of log, once enough of it was read to tell.
    pub fn kind(&self) -> Option<LogKind> {
        self.kind
    }

    /// The encoding, once known.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// Bytes of text held between calls (the entry still open): bounded by the chunk size and
    /// the longest entry, not by the size of the log; for an `.etl` trace, its decoded events.
    pub fn held_bytes(&self) -> usize {
        let trace = self.trace.as_ref().map_or(0, |(t, _)| t.heap_bytes());
        self.text.capacity() + self.raw.capacity() + trace
    }

    /// Reads one chunk and hands every complete record in it to `each`. Returns `false` when
    /// the source had nothing more to give: the end of a file, or, for a file still being
    /// written, the end for now (call again later to read what was appended, or
    /// [`finish`](Self::finish) to close).
    pub fn read_some(
        &mut self,
        mut each: impl FnMut(std::result::Result<Record<'_>, ParseError>),
    ) -> Result<bool> {
        if let Some((events, next)) = &mut self.trace {
            let mut bytes = 0;
            for record in events.records_from(*next) {
                bytes += record.message.len();
                *next += 1;
                each(Ok(Record::Client(record)));
                if bytes >= self.chunk {
                    break;
                }
            }
            return Ok(*next < events.len());
        }
        let mut buf = vec![0u8; self.chunk];
        let n = loop {
            match self.reader.read(&mut buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(&self.name, e)),
            }
        };
        if n == 0 {
            // The end for now: decide on what there is, so a small file being written is read.
            self.settle_encoding();
            if self.kind.is_none() && !self.text.is_empty() {
                match sniff(&self.text) {
                    Ok(kind) => self.kind = Some(kind),
                    Err(_) => return Ok(false), // not enough yet to tell
                }
            }
            self.hand_over(false, each)?;
            return Ok(false);
        }
        self.decode(&buf[..n], false);
        self.hand_over(false, each)?;
        Ok(true)
    }

    /// Hands over what is left at the end of the input: the last entry, even without a final
    /// line break.
    pub fn finish(
        &mut self,
        mut each: impl FnMut(std::result::Result<Record<'_>, ParseError>),
    ) -> Result<()> {
        if let Some((events, next)) = &mut self.trace {
            events
                .records_from(*next)
                .for_each(|r| each(Ok(Record::Client(r))));
            *next = events.len();
            return Ok(());
        }
        self.decode(&[], true);
        self.hand_over(true, each)
    }

    /// Decodes `bytes` onto the pending text, choosing the encoding from the first bytes.
    fn decode(&mut self, bytes: &[u8], last: bool) {
        if self.decoder.is_none() {
            self.raw.extend_from_slice(bytes);
            if self.raw.len() < 4096 && !last {
                return;
            }
            self.settle_encoding();
            if last {
                self.push_decoded(&[], true);
            }
            return;
        }
        self.push_decoded(bytes, last);
    }

    /// Chooses the encoding from the bytes read so far and decodes them.
    fn settle_encoding(&mut self) {
        if self.decoder.is_some() || self.raw.is_empty() {
            return;
        }
        let raw = std::mem::take(&mut self.raw);
        let (encoding, decoder, skip) = choose_encoding(&raw);
        self.encoding = Some(encoding);
        self.decoder = Some(decoder);
        self.push_decoded(&raw[skip..], false);
    }

    fn push_decoded(&mut self, mut bytes: &[u8], last: bool) {
        let Some(decoder) = self.decoder.as_mut() else {
            return;
        };
        loop {
            let need = decoder
                .max_utf8_buffer_length(bytes.len())
                .unwrap_or(bytes.len() * 3 + 16);
            self.text.reserve(need);
            let (result, read, _) = decoder.decode_to_string(bytes, &mut self.text, last);
            bytes = &bytes[read..];
            if result == CoderResult::InputEmpty {
                break;
            }
        }
    }

    /// Parses the complete part of the pending text and keeps the rest.
    fn hand_over(
        &mut self,
        at_end: bool,
        mut each: impl FnMut(std::result::Result<Record<'_>, ParseError>),
    ) -> Result<()> {
        if self.skipping {
            match self.text.find('\n') {
                Some(i) => {
                    self.consume(i + 1);
                    self.skipping = false;
                }
                None => {
                    let n = self.text.len();
                    self.consume(n);
                    return Ok(());
                }
            }
        }
        if self.kind.is_none() {
            if self.text.len() < SNIFF_BYTES && !at_end {
                return Ok(());
            }
            let kind = sniff(&self.text).map_err(|reason| Error::UnknownFormat {
                name: self.name.clone(),
                reason,
            })?;
            self.kind = Some(kind);
        }
        let cut = if at_end {
            self.text.len()
        } else {
            self.complete_part()
        };
        if cut == 0 && self.text.len() > MAX_OPEN_TEXT {
            let error = ParseError {
                position: Position {
                    line: self.line_base + 1,
                    column: 1,
                    byte_offset: self.byte_base,
                },
                kind: ParseErrorKind::TooLong,
                text: excerpt(&self.text),
            };
            each(Err(error));
            let n = self.text.len();
            self.consume(n);
            self.skipping = true;
            return Ok(());
        }
        let (lines, bytes) = (self.line_base, self.byte_base);
        if let Some(kind) = self.kind {
            Records::new(&self.text[..cut], kind)
                .shifted(lines, bytes)
                .for_each(&mut each);
        }
        self.consume(cut);
        Ok(())
    }

    /// Where the complete entries of the pending text end: after the last line break (client),
    /// or at the start of the last entry, which may go on in the next chunk (server).
    fn complete_part(&self) -> usize {
        let Some(last_break) = self.text.rfind('\n') else {
            return 0;
        };
        let complete = last_break + 1;
        if !self.kind.is_some_and(LogKind::is_server) {
            return complete;
        }
        // The last line that starts an entry (a date) begins the entry that may go on.
        let head = &self.text[..complete];
        let mut end = complete;
        while end > 0 {
            let start = head[..end - 1].rfind('\n').map_or(0, |i| i + 1);
            if starts_entry(&head[start..end]) {
                return start;
            }
            end = start;
        }
        0
    }

    fn consume(&mut self, n: usize) {
        let done = &self.text[..n];
        let breaks = memchr::memchr_iter(b'\n', done.as_bytes()).count();
        self.line_base = self
            .line_base
            .saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
        self.byte_base += n;
        self.text.drain(..n);
        if self.text.capacity() > 4 * self.chunk && self.text.len() < self.chunk {
            self.text.shrink_to(2 * self.chunk);
        }
    }
}

/// Whether a server log line opens an entry: it starts with a date `YYYY-MM-DD`.
fn starts_entry(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
}

/// The encoding of a stream from its first bytes: its name, a decoder, and the BOM to skip.
fn choose_encoding(head: &[u8]) -> (TextEncoding, Decoder, usize) {
    let pick =
        |enc: &'static Encoding, name, skip| (name, enc.new_decoder_without_bom_handling(), skip);
    if head.starts_with(b"\xEF\xBB\xBF") {
        return pick(encoding_rs::UTF_8, TextEncoding::Utf8Bom, 3);
    }
    if head.starts_with(b"\xFF\xFE") {
        return pick(encoding_rs::UTF_16LE, TextEncoding::Utf16le, 2);
    }
    if head.starts_with(b"\xFE\xFF") {
        return pick(encoding_rs::UTF_16BE, TextEncoding::Utf16be, 2);
    }
    match utf16_without_bom(head) {
        Some(TextEncoding::Utf16le) => {
            return pick(encoding_rs::UTF_16LE, TextEncoding::Utf16le, 0);
        }
        Some(TextEncoding::Utf16be) => {
            return pick(encoding_rs::UTF_16BE, TextEncoding::Utf16be, 0);
        }
        _ => {}
    }
    match std::str::from_utf8(head) {
        Err(e) if e.error_len().is_some() => {
            pick(encoding_rs::WINDOWS_1252, TextEncoding::Windows1252, 0)
        }
        _ => pick(encoding_rs::UTF_8, TextEncoding::Utf8, 0),
    }
}
