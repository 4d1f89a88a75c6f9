//! Reading a file: memory-mapped when large, read into memory when small.

use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::Path;

use crate::{Error, Result};

/// Files at least this large are memory-mapped instead of read.
pub(crate) const MMAP_THRESHOLD: u64 = 1 << 20;

/// The bytes of a file, owned or mapped.
#[derive(Debug)]
pub enum FileData {
    /// Read into memory.
    Owned(Vec<u8>),
    /// Mapped read-only.
    Mapped(memmap2::Mmap),
}

impl FileData {
    /// Reads or maps `path`.
    ///
    /// A mapped file must not be truncated by another process while it is read; a log that is
    /// still growing is fine (the mapping covers the size seen when it was opened).
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Err(Error::io(
                path,
                std::io::Error::other("is a directory, not a log file"),
            ));
        }
        if meta.len() >= MMAP_THRESHOLD {
            // SAFETY: the map is read-only and private to this process. wsusdiag documents that
            // input files must not be truncated while they are being read (the one hazard of
            // mapping); appending, as a live log does, is harmless.
            #[allow(unsafe_code)]
            let map = unsafe { memmap2::Mmap::map(&file) };
            if let Ok(map) = map {
                return Ok(Self::Mapped(map));
            }
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        Ok(Self::Owned(bytes))
    }
}

impl Deref for FileData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Self::Owned(v) => v,
            Self::Mapped(m) => m,
        }
    }
}
