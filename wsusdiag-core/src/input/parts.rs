//! A regular file read a part at a time, each part whole lines, into buffers the caller hands
//! back for the next part: a log of any size is read with a few parts in memory, where
//! [`FileData`] holds all of it.
//!
//! Like [`FileData`], it reads up to the size the file had when opened, and says when the file
//! shrank meanwhile. It never maps the file (see [`FileData`] for why).

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::FileData;
use super::file::{Shrunk, read_regular, reserve};
use crate::{Error, Result};

/// A regular file, read in parts of whole lines.
#[derive(Debug)]
pub(crate) struct LineParts {
    path: PathBuf,
    file: File,
    /// The file's size when opened.
    len: u64,
    /// Bytes read from the file so far.
    read: u64,
    /// The start of a line read with the part before, to begin the next part.
    carry: Vec<u8>,
    /// The last byte handed out.
    last: Option<u8>,
    /// Whether the file ended before its size when opened: another process cut it.
    shrank: bool,
}

impl LineParts {
    /// Reads `file`, a regular file of `len` bytes when opened, found at `path`.
    pub(crate) fn new(path: &Path, file: File, len: u64) -> Self {
        Self {
            path: path.to_path_buf(),
            file,
            len,
            read: 0,
            carry: Vec::new(),
            last: None,
            shrank: false,
        }
    }

    /// The next part into `buf` (emptied first, its room kept): the lines that end within the
    /// next `want` bytes, or the rest of the file; one whole line when it is longer. `None` at
    /// the end.
    pub(crate) fn next(&mut self, mut buf: Vec<u8>, want: usize) -> Result<Option<Vec<u8>>> {
        buf.clear();
        buf.append(&mut self.carry);
        // Where the search for the part's last line break starts: bytes before hold none.
        let mut searched = buf.len();
        loop {
            let room = if buf.len() < want {
                want - buf.len()
            } else {
                want
            };
            let asked = (room.max(1) as u64).min(self.len - self.read);
            let got = self.fill(&mut buf, asked)?;
            self.shrank |= got < asked;
            let at_end = got < asked || self.read == self.len;
            if at_end {
                break;
            }
            if let Some(i) = memchr::memrchr(b'\n', &buf[searched..]) {
                let end = searched + i + 1;
                self.carry.extend_from_slice(&buf[end..]);
                buf.truncate(end);
                break;
            }
            // One line longer than the part: read on until it ends.
            searched = buf.len();
        }
        if buf.is_empty() {
            return Ok(None);
        }
        self.last = buf.last().copied();
        Ok(Some(buf))
    }

    /// The first `want` bytes of the file (fewer when it is shorter), whole lines or not: what
    /// is read to tell what the file holds. Handed back with [`put_back`](Self::put_back) to read
    /// on in parts, or to [`whole_from`](Self::whole_from).
    pub(crate) fn head(&mut self, want: usize) -> Result<Vec<u8>> {
        let mut head = Vec::new();
        let asked = (want as u64).min(self.len - self.read);
        let got = self.fill(&mut head, asked)?;
        self.shrank |= got < asked;
        Ok(head)
    }

    /// Puts `bytes`, the next bytes of the file, back in front of what is read next.
    pub(crate) fn put_back(&mut self, mut bytes: Vec<u8>) {
        bytes.append(&mut self.carry);
        self.carry = bytes;
    }

    /// Reads up to `asked` more bytes onto the end of `buf`; returns how many were read (fewer
    /// at the file's end).
    fn fill(&mut self, buf: &mut Vec<u8>, asked: u64) -> Result<u64> {
        reserve(buf, asked, &self.path)?;
        // `read_to_end` reads into the room reserved without writing zeros over it first.
        let got = (&mut self.file)
            .take(asked)
            .read_to_end(buf)
            .map_err(|e| Error::io(&self.path, e))? as u64;
        self.read += got;
        Ok(got)
    }

    /// Whether the part handed out last was the file's last: nothing is left to read.
    pub(crate) fn is_done(&self) -> bool {
        self.carry.is_empty() && (self.shrank || self.read == self.len)
    }

    /// The last byte handed out so far.
    pub(crate) fn last_byte(&self) -> Option<u8> {
        self.last
    }

    /// The file's size when opened and the bytes read, when it shrank while it was read (the
    /// parts ended early).
    pub(crate) fn shrunk(&self) -> Shrunk {
        self.shrank.then_some((self.len, self.read))
    }

    /// The whole file after all, read again from its start (the parts handed out are
    /// dropped): for when it cannot be taken a part at a time.
    pub(crate) fn whole(mut self) -> Result<FileData> {
        self.file.rewind().map_err(|e| Error::io(&self.path, e))?;
        read_regular(&self.path, &mut self.file, self.len)
    }

    /// The whole file, the part `first` (the first handed out) and the rest read after it.
    pub(crate) fn whole_from(mut self, mut first: Vec<u8>) -> Result<FileData> {
        first.append(&mut self.carry);
        let left = self.len - self.read;
        // Out of memory for the whole file, as its size says.
        reserve(&mut first, left, &self.path).map_err(|_| Error::OutOfMemory {
            name: self.path.display().to_string(),
            bytes: self.len,
        })?;
        let got = self.fill(&mut first, left)?;
        let mut data = FileData::from_vec(first);
        data.shrunk_from = (self.shrank || got < left).then_some(self.len);
        Ok(data)
    }
}

/// A file holding given bytes, removed when dropped, and read in parts: for tests.
#[cfg(test)]
pub(crate) struct TempLog(PathBuf);

#[cfg(test)]
impl TempLog {
    /// A new file named after `name` (and this process, and a count), holding `bytes`.
    pub(crate) fn new(name: &str, bytes: &[u8]) -> Self {
        static MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let file = format!("wsusdiag-{name}-{}-{n}.log", std::process::id());
        let path = std::env::temp_dir().join(file);
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }

    /// Where the file is.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// The file, opened to be read in parts.
    pub(crate) fn parts(&self) -> LineParts {
        let file = File::open(&self.0).unwrap();
        let len = file.metadata().unwrap().len();
        LineParts::new(&self.0, file, len)
    }
}

#[cfg(test)]
impl Drop for TempLog {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every part of `parts`, `want` bytes asked each time, through one reused buffer.
    fn all(parts: &mut LineParts, want: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = Vec::new();
        while let Some(part) = parts.next(buf, want).unwrap() {
            out.push(part.clone());
            buf = part;
        }
        out
    }

    #[test]
    fn parts_are_whole_lines_that_add_up_to_the_file() {
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        // A line far longer than a part, and a last line without its line break.
        let mut text = line.repeat(40);
        text.push_str(&"x".repeat(1000));
        text.push_str("\r\n");
        text.push_str(&line.repeat(3));
        text.push_str("no line break");
        let temp = TempLog::new("lines", text.as_bytes());
        for want in [1, 10, 97, 1000, 1 << 20] {
            let mut parts = temp.parts();
            let got = all(&mut parts, want);
            assert_eq!(got.concat(), text.as_bytes(), "{want}");
            for part in &got[..got.len() - 1] {
                assert_eq!(part.last(), Some(&b'\n'), "{want}");
                // Longer than asked only for a first line that is.
                let first_line = memchr::memchr(b'\n', part).unwrap() + 1;
                assert!(
                    part.len() <= want || first_line > want,
                    "{want}: {}",
                    part.len()
                );
            }
            assert_eq!(parts.last_byte(), Some(b'k'));
            assert_eq!(parts.shrunk(), None);
        }
        let mut parts = temp.parts();
        assert_eq!(all(&mut parts, 1 << 20).len(), 1);
    }

    #[test]
    fn a_file_that_shrank_ends_early_and_says_so() {
        let temp = TempLog::new("shrunk", b"one\ntwo\nthree\n");
        let file = File::open(&temp.0).unwrap();
        // As if the file had 100 bytes when opened.
        let mut parts = LineParts::new(&temp.0, file, 100);
        assert_eq!(all(&mut parts, 4).concat(), b"one\ntwo\nthree\n");
        assert_eq!(parts.shrunk(), Some((100, 14)));
    }

    #[test]
    fn a_head_is_the_first_bytes_whole_lines_or_not_and_can_be_read_on() {
        // No line break at all (a file of zeros), then lines.
        let temp = TempLog::new("head", b"0123456789one\ntwo\n");
        let mut parts = temp.parts();
        let head = parts.head(5).unwrap();
        assert_eq!(head, b"01234");
        parts.put_back(head);
        assert_eq!(all(&mut parts, 100).concat(), b"0123456789one\ntwo\n");
        let mut parts = temp.parts();
        let head = parts.head(1 << 20).unwrap();
        assert_eq!(head.len(), 18);
        assert_eq!(&*parts.whole_from(head).unwrap(), b"0123456789one\ntwo\n");
    }

    #[test]
    fn the_whole_file_can_still_be_had_after_some_parts() {
        let text = b"one\ntwo\nthree\nfour";
        let temp = TempLog::new("whole", text);
        let mut parts = temp.parts();
        let first = parts.next(Vec::new(), 9).unwrap().unwrap();
        assert_eq!(first, b"one\ntwo\n");
        let mut again = temp.parts();
        let _ = again.next(Vec::new(), 1).unwrap();
        assert_eq!(&*again.whole().unwrap(), text);
        assert_eq!(&*parts.whole_from(first).unwrap(), text);
    }
}
