//! Trace buffers: the 0x48-byte `WMI_BUFFER_HEADER` and the walk from one buffer to the next.
//!
//! An ETL file is the sequence of buffers the session flushed. Each buffer says how many bytes it
//! takes on disk (`BufferSize`, at 0x00: the step to the next buffer) and where its valid data
//! ends (`FilledBytes`, at 0x30). Compressed buffers (flag 0x40) hold LZ77 data after the header
//! that expands to `SavedOffset` bytes, header included.

use std::borrow::Cow;

use super::bytes::{u16_at, u32_at};
use super::issue::{EtlIssueKind, Issues};
use super::lz77;
use super::record::{self, Step};

/// Size of a buffer header; records start right after it.
pub(crate) const BUFFER_HEADER_LEN: usize = 0x48;

/// Buffer flag: the records after the header are LZ77-compressed.
const FLAG_COMPRESSED: u16 = 0x40;

/// Largest buffer this reader reads or expands, 16 MiB (ETW buffers are at most that): the cap
/// on decompressed bytes per buffer.
pub const BUFFER_CAP: usize = 16 << 20;

/// Most bytes one file's compressed buffers may expand to, whatever the file claims: 64 MiB.
/// Past it the rest of the file is not read (and that is reported as
/// [`EtlIssueKind::TooLarge`]), so a small crafted file cannot make the reader hold gigabytes
/// of events.
pub const DECOMPRESSED_CAP: usize = 64 << 20;

/// The fields of a buffer header this reader uses.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BufferHeader {
    /// Bytes the buffer occupies on disk, header included.
    pub(crate) size: u32,
    /// Uncompressed size of a compressed buffer, header included.
    pub(crate) saved_offset: u32,
    /// End of valid data, header included (in uncompressed coordinates).
    pub(crate) filled: u32,
    /// `BufferFlag`.
    pub(crate) flags: u16,
}

impl BufferHeader {
    pub(crate) fn parse(bytes: &[u8], at: usize) -> Option<Self> {
        Some(Self {
            size: u32_at(bytes, at)?,
            saved_offset: u32_at(bytes, at + 4)?,
            filled: u32_at(bytes, at + 0x30)?,
            flags: u16_at(bytes, at + 0x34)?,
        })
    }

    pub(crate) fn is_compressed(&self) -> bool {
        self.flags & FLAG_COMPRESSED != 0
    }
}

/// One buffer's records, ready to walk.
pub(crate) struct Buffer<'a> {
    /// File offset of the buffer header.
    pub(crate) offset: usize,
    /// The records: bytes from the end of the header to the end of valid data, borrowed from the
    /// file or decompressed.
    pub(crate) records: Cow<'a, [u8]>,
    /// The buffer's data was cut: records that run past the end are truncated, not malformed.
    pub(crate) cut: bool,
}

impl Buffer<'_> {
    /// File offset of a position in `records`, or of the buffer for decompressed data (whose
    /// bytes have no file offset of their own).
    pub(crate) fn file_offset(&self, pos: usize) -> usize {
        match self.records {
            Cow::Borrowed(_) => self.offset + BUFFER_HEADER_LEN + pos,
            Cow::Owned(_) => self.offset,
        }
    }

    pub(crate) fn is_decompressed(&self) -> bool {
        matches!(self.records, Cow::Owned(_))
    }
}

/// Walks the buffers of a file, reporting what does not fit into `issues`.
pub(crate) struct Buffers<'a> {
    file: &'a [u8],
    offset: usize,
    /// Bytes of decompressed output still allowed ([`DECOMPRESSED_CAP`]).
    budget: usize,
    /// The size of the last buffer whose size was sound: a session writes buffers of one size.
    step: Option<usize>,
    done: bool,
}

impl<'a> Buffers<'a> {
    pub(crate) fn new(file: &'a [u8]) -> Self {
        Self {
            file,
            offset: 0,
            budget: DECOMPRESSED_CAP,
            step: None,
            done: false,
        }
    }

    /// Where the first sound buffer after the one at `at` starts: 8-byte aligned, of the size of
    /// the buffers before (when known), within the file, and its first record readable.
    fn next_boundary(&self, at: usize) -> Option<usize> {
        let file = self.file;
        let mut c = (at / 8 + 1) * 8;
        while c + BUFFER_HEADER_LEN <= file.len() {
            if self.sound_buffer_at(c) {
                return Some(c);
            }
            c += 8;
        }
        None
    }

    fn sound_buffer_at(&self, at: usize) -> bool {
        let Some(h) = BufferHeader::parse(self.file, at) else {
            return false;
        };
        let size = h.size as usize;
        let fits = (BUFFER_HEADER_LEN..=BUFFER_CAP).contains(&size)
            && at + size <= self.file.len()
            && self.step.is_none_or(|step| step == size);
        if !fits {
            return false;
        }
        if h.is_compressed() {
            return (BUFFER_HEADER_LEN..=BUFFER_CAP).contains(&(h.saved_offset as usize));
        }
        let filled = h.filled as usize;
        filled > BUFFER_HEADER_LEN
            && filled <= size
            && matches!(
                record::step(&self.file[at + BUFFER_HEADER_LEN..at + filled], 0),
                Step::Record { .. }
            )
    }

    /// The next buffer, or `None` at the end of the file or at the first buffer that cannot be
    /// stepped over.
    pub(crate) fn next(&mut self, issues: &mut Issues) -> Option<Buffer<'a>> {
        if self.done {
            return None;
        }
        let file = self.file;
        let at = self.offset;
        let rest = file.get(at..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let header = match BufferHeader::parse(file, at) {
            Some(h) if rest.len() >= BUFFER_HEADER_LEN => h,
            _ => {
                self.done = true;
                if !rest.iter().all(|&b| b == 0) {
                    issues.add(
                        EtlIssueKind::TruncatedBuffer,
                        at,
                        format!(
                            "the file ends {} bytes into a buffer header: a copy of a trace that \
                             was still being written; what comes before still counts",
                            rest.len()
                        ),
                    );
                }
                return None;
            }
        };
        if header.size == 0 && rest.iter().all(|&b| b == 0) {
            // Space the logger reserved but had not written yet.
            self.done = true;
            issues.add(
                EtlIssueKind::TruncatedBuffer,
                at,
                format!(
                    "the last {} bytes of the file are zeros, not buffers: a copy of a trace that \
                     was still being written; what comes before still counts",
                    rest.len()
                ),
            );
            return None;
        }
        let declared = header.size as usize;
        let mut size = declared;
        if !(BUFFER_HEADER_LEN..=BUFFER_CAP).contains(&declared) || declared > rest.len() {
            // A size that cannot be, or one past the end: when a sound buffer follows, the size
            // was damaged, and this buffer ends where the next one starts.
            if let Some(next) = self.next_boundary(at) {
                size = next - at;
                issues.add(
                    EtlIssueKind::BadBuffer,
                    at,
                    format!(
                        "buffer header declares {declared} bytes, which cannot be; read up to \
                         the next buffer, {size} bytes on"
                    ),
                );
            }
        } else {
            self.step = Some(declared);
        }
        if size < BUFFER_HEADER_LEN {
            self.done = true;
            issues.add(
                EtlIssueKind::BadBuffer,
                at,
                format!(
                    "buffer header declares {size} bytes, less than the header itself; the rest \
                     of the file ({} bytes) cannot be walked",
                    rest.len()
                ),
            );
            return None;
        }
        let present = size.min(rest.len());
        let cut = present < size;
        if cut {
            self.done = true;
            issues.add(
                EtlIssueKind::TruncatedBuffer,
                at,
                format!(
                    "the file ends inside its last buffer ({present} of {size} bytes present): a \
                     copy of a trace that was still being written; the complete records before \
                     the cut still count"
                ),
            );
        } else {
            self.offset = at + size;
        }
        let body = rest.get(BUFFER_HEADER_LEN..present).unwrap_or_default();
        let filled = header.filled as usize;
        if !header.is_compressed() {
            let mut end = filled.min(size);
            if filled > size {
                issues.add(
                    EtlIssueKind::BadBuffer,
                    at,
                    format!(
                        "buffer says {filled} bytes are filled but is only {size} bytes long; \
                         read to its end"
                    ),
                );
            }
            end = end.saturating_sub(BUFFER_HEADER_LEN).min(body.len());
            let records = body.get(..end).unwrap_or_default();
            return Some(Buffer {
                offset: at,
                records: Cow::Borrowed(records),
                cut,
            });
        }
        let saved = header.saved_offset as usize;
        let expanded = saved.saturating_sub(BUFFER_HEADER_LEN);
        if expanded <= BUFFER_CAP && expanded > self.budget {
            self.done = true;
            issues.add(
                EtlIssueKind::TooLarge,
                at,
                format!(
                    "the compressed buffers expand to more than {} MiB, the most read from one \
                     file; the rest of the file ({} bytes) is not read",
                    DECOMPRESSED_CAP >> 20,
                    rest.len()
                ),
            );
            return None;
        }
        if saved < BUFFER_HEADER_LEN || expanded > BUFFER_CAP {
            issues.add(
                EtlIssueKind::BadBuffer,
                at,
                format!(
                    "compressed buffer declares an uncompressed size of {saved} bytes, which this \
                     reader does not expand; its records are skipped"
                ),
            );
            return Some(Buffer {
                offset: at,
                records: Cow::Borrowed(&[]),
                cut,
            });
        }
        let (mut data, error) = lz77::decompress(body, expanded);
        self.budget -= data.len();
        if let Some(error) = error {
            issues.add(
                EtlIssueKind::BadBuffer,
                at,
                format!(
                    "compressed buffer is damaged ({error:?} after {} of {expanded} bytes); the \
                     records before the damage still count",
                    data.len()
                ),
            );
        } else if data.len() < expanded && !cut {
            issues.add(
                EtlIssueKind::BadBuffer,
                at,
                format!(
                    "compressed buffer expands to {} bytes, not the {expanded} it declares",
                    data.len()
                ),
            );
        }
        data.truncate(filled.min(saved).saturating_sub(BUFFER_HEADER_LEN));
        Some(Buffer {
            offset: at,
            records: Cow::Owned(data),
            cut: cut || error.is_some(),
        })
    }
}
