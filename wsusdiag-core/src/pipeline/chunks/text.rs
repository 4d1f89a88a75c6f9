//! A client log's text as the chunk reader takes it: a window of whole lines at a time, from
//! memory or read from a file, each window cut into chunks taken as UTF-8 on their own.

use std::borrow::Cow;
use std::ops::Range;

use crate::Result;
use crate::input::LineParts;

/// Whole lines of a client log's text, `start` bytes into it: a slice of a text in memory, or
/// a buffer read from a file.
#[derive(Debug)]
pub(crate) struct Window<'t> {
    pub(crate) start: usize,
    pub(crate) bytes: Cow<'t, [u8]>,
}

impl Window<'_> {
    /// The buffer the window was read into, for the next window to be read into (a window of
    /// a text in memory has none).
    pub(super) fn into_buffer(self) -> Vec<u8> {
        match self.bytes {
            Cow::Owned(buffer) => buffer,
            Cow::Borrowed(_) => Vec::new(),
        }
    }
}

/// Where a client log's text comes from, a window at a time.
pub(crate) trait Windows<'t>: Send {
    /// The next window: about `want` bytes of whole lines, or the rest of the text; one whole
    /// line when it is longer. A window that is read is read into `spare`, the buffer of a
    /// window before (or an empty one). `None` at the end.
    fn next(&mut self, want: usize, spare: Vec<u8>) -> Result<Option<Window<'t>>>;

    /// The text's last byte, once every window is read.
    fn last_byte(&self) -> Option<u8>;
}

/// A client log's text in memory, windows of it borrowed.
pub(crate) struct InMemory<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> InMemory<'t> {
    pub(crate) fn new(bytes: &'t [u8]) -> Self {
        Self { bytes, at: 0 }
    }
}

impl<'t> Windows<'t> for InMemory<'t> {
    fn next(&mut self, want: usize, _: Vec<u8>) -> Result<Option<Window<'t>>> {
        let start = self.at;
        let Some(range) = chunks(&self.bytes[start..], want).next() else {
            return Ok(None);
        };
        self.at += range.end;
        let bytes = Cow::Borrowed(&self.bytes[start..self.at]);
        Ok(Some(Window { start, bytes }))
    }

    fn last_byte(&self) -> Option<u8> {
        self.bytes.last().copied()
    }
}

/// A client log file's windows, each a part of whole lines.
pub(crate) struct FileWindows {
    parts: LineParts,
    /// Bytes handed out so far.
    at: usize,
}

impl FileWindows {
    /// The windows of the file `parts` reads, from where it is.
    pub(crate) fn new(parts: LineParts) -> Self {
        Self { parts, at: 0 }
    }

    /// The file being read.
    pub(crate) fn parts(&self) -> &LineParts {
        &self.parts
    }

    /// The file, to be read otherwise.
    pub(crate) fn into_parts(self) -> LineParts {
        self.parts
    }
}

impl Windows<'static> for FileWindows {
    fn next(&mut self, want: usize, spare: Vec<u8>) -> Result<Option<Window<'static>>> {
        let Some(bytes) = self.parts.next(spare, want)? else {
            return Ok(None);
        };
        let start = self.at;
        self.at += bytes.len();
        let bytes = Cow::Owned(bytes);
        Ok(Some(Window { start, bytes }))
    }

    fn last_byte(&self) -> Option<u8> {
        self.parts.last_byte()
    }
}

/// Bytes per chunk: large enough that splitting costs nothing, small enough to spread a
/// log of a few megabytes over the cores.
pub(crate) const CHUNK_BYTES: usize = 1 << 20;

/// The chunks of `b`, in order: each ends after the first line break past `size` bytes from
/// its start, so that no line (and no CR LF pair, and no character) is cut. Found as they
/// are asked for: finding them all first would touch every megabyte of a mapped log at once,
/// and the system may then map all of it.
pub(super) fn chunks(b: &[u8], size: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= b.len() {
            return None;
        }
        let want = (at + size.max(1)).min(b.len());
        let end = match memchr::memchr(b'\n', &b[want..]) {
            Some(i) => want + i + 1,
            None => b.len(),
        };
        let chunk = at..end;
        at = end;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_after_line_breaks_and_cover_the_text() {
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        let text = line.repeat(100);
        let ranges: Vec<_> = chunks(text.as_bytes(), 10 * line.len() + 3).collect();
        assert_eq!(ranges.len(), 10);
        assert_eq!(ranges.last().map(|r| r.end), Some(text.len()));
        for (i, r) in ranges.iter().enumerate() {
            assert_eq!(r.start, if i == 0 { 0 } else { ranges[i - 1].end });
            assert!(text[..r.end].ends_with("\r\n"), "{r:?}");
        }
        assert_eq!(chunks(b"", 8).count(), 0);
        let whole: Vec<_> = chunks(b"no line break", 4).collect();
        assert_eq!(whole, vec![0..13]);
        assert_eq!(chunks(b"a\nb\n", 1).collect::<Vec<_>>(), [0..2, 2..4]);
    }
}
