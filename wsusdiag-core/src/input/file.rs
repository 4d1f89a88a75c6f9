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

    /// Gives the memory holding `part` back to the system, when `part` is bytes of this file's
    /// mapping that its reader is done with: a log of gigabytes is then never all resident at
    /// once. The file stays in the page cache, and reading `part` again still gives the same
    /// bytes, mapped again from the file. Anything else (owned bytes, text decoded into a copy,
    /// a system without `madvise`) is left as it is.
    pub fn release(&self, part: &[u8]) {
        #[cfg(unix)]
        if let Self::Mapped(map) = self {
            let base = map.as_ptr() as usize;
            let Some(start) = (part.as_ptr() as usize).checked_sub(base) else {
                return;
            };
            let end = start.saturating_add(part.len());
            // Only whole pages inside `part`, whatever the page size (up to 64 KiB).
            let (start, end) = (
                start.next_multiple_of(RELEASE_ALIGN),
                end / RELEASE_ALIGN * RELEASE_ALIGN,
            );
            if end <= start || end > map.len() {
                return;
            }
            // SAFETY: the map is private and read-only, so none of its pages was ever written:
            // MADV_DONTNEED only unmaps them from this process, and the next read of one maps
            // the same page of the file again. Its bytes could differ only if the file were
            // rewritten in place, which mapping it already rules out (see `open`). A failure
            // leaves the pages where they are, which is harmless.
            #[allow(unsafe_code)]
            let _ = unsafe {
                map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
            };
        }
        #[cfg(not(unix))]
        let _ = part;
    }
}

/// [`FileData::release`] gives back whole blocks of this size (the largest common page size).
#[cfg(unix)]
const RELEASE_ALIGN: usize = 64 << 10;

impl Deref for FileData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Self::Owned(v) => v,
            Self::Mapped(m) => m,
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The resident size in KiB of this process's mapping of `path` (from /proc/self/smaps).
    fn resident_kib(path: &Path) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let name = path.to_str().unwrap();
        let mut lines = smaps.lines().skip_while(|l| !l.ends_with(name));
        lines.next().expect("the file is mapped");
        let rss = lines.find(|l| l.starts_with("Rss:")).unwrap();
        rss.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    #[test]
    fn released_pages_leave_memory_and_still_read_the_same() {
        let path =
            std::env::temp_dir().join(format!("wsusdiag-release-{}.log", std::process::id()));
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        let text = line.repeat((8 << 20) / line.len());
        std::fs::write(&path, &text).unwrap();
        let data = FileData::open(&path).unwrap();
        assert!(matches!(data, FileData::Mapped(_)));
        assert_eq!(&data[..], text.as_bytes());
        let before = resident_kib(&path);
        assert!(before >= 8000, "{before} KiB resident");

        // Not part of the map: nothing happens.
        data.release(text.as_bytes());
        data.release(&[]);
        assert_eq!(resident_kib(&path), before);

        // All but a few bytes at each end: only the blocks at the ends stay.
        data.release(&data[100..data.len() - 100]);
        let after = resident_kib(&path);
        assert!(after <= 2 * 64, "{after} KiB resident");
        assert_eq!(&data[..], text.as_bytes());
        std::fs::remove_file(&path).unwrap();
    }
}
