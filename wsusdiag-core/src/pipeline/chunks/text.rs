//! A client log's text cut into chunks: lines whole, each chunk taken as UTF-8 on its own.

use std::ops::Range;

/// A client log's text as the chunk reader takes it: already known to be UTF-8, or bytes that
/// are checked chunk by chunk as they are read, on all cores, instead of in one pass before.
pub(crate) trait ChunkText<'t>: Copy + Send + Sync {
    /// Why a chunk could not be taken as text.
    type Error: Send;
    /// The whole text, as bytes.
    fn bytes(self) -> &'t [u8];
    /// The chunk `range`, as text. Its ends are after line breaks, never inside a character.
    fn chunk(self, range: Range<usize>) -> Result<&'t str, Self::Error>;
}

impl<'t> ChunkText<'t> for &'t str {
    type Error = std::convert::Infallible;

    fn bytes(self) -> &'t [u8] {
        self.as_bytes()
    }

    fn chunk(self, range: Range<usize>) -> Result<&'t str, Self::Error> {
        Ok(&self[range])
    }
}

impl<'t> ChunkText<'t> for &'t [u8] {
    type Error = std::str::Utf8Error;

    fn bytes(self) -> &'t [u8] {
        self
    }

    fn chunk(self, range: Range<usize>) -> Result<&'t str, Self::Error> {
        std::str::from_utf8(&self[range])
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
