//! Reading a file once into memory: a regular file up to the size it had when opened, anything
//! else (a pipe, a device) as a stream up to [`SPECIAL_FILE_CAP`].
//!
//! Files are read, never memory-mapped: a mapped file cut by another process while it is read
//! kills the reader with `SIGBUS`. A file that shrinks while it is read gives what was there
//! ([`FileData::shrunk_from`] says so); a file that grows is read up to the size it had when
//! opened. The buffer is reserved fallibly, so that a file larger than the memory left is an
//! [`Error::OutOfMemory`], not an abort.

use std::fs::{File, Metadata};
use std::io::Read;
use std::ops::Deref;
use std::path::Path;

use crate::{Error, Result};

/// Most bytes read from an input that is not a regular file (a pipe, `/dev/stdin`, a device):
/// 256 MiB. Past it the read fails with [`Error::TooLarge`], so `/dev/zero` cannot exhaust
/// memory.
pub const SPECIAL_FILE_CAP: u64 = 256 << 20;

/// Bytes read per call from a stream.
const STREAM_STEP: usize = 64 << 10;

/// The bytes of a file, read once.
#[derive(Debug, Default)]
pub struct FileData {
    bytes: Vec<u8>,
    /// The size the file had when opened, when fewer bytes than that could be read: another
    /// process cut it while it was read.
    pub shrunk_from: Option<u64>,
}

/// A file's size when opened and the bytes read of it, when it shrank while it was read.
pub(crate) type Shrunk = Option<(u64, u64)>;

/// What a path is, when it is not something to read as a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotAFile {
    /// A folder.
    Folder,
    /// A named pipe, a socket or a device.
    Special,
}

impl NotAFile {
    /// What a [`Metadata`] stands for, when it is not a regular file.
    pub(crate) fn of(meta: &Metadata) -> Option<Self> {
        if meta.is_file() {
            None
        } else if meta.is_dir() {
            Some(Self::Folder)
        } else {
            Some(Self::Special)
        }
    }

    /// A sentence for people.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::Folder => "is a folder, not a log file",
            Self::Special => {
                "is not a regular file (a named pipe, a socket or a device); only regular files \
                 are read inside a folder"
            }
        }
    }
}

impl FileData {
    /// Bytes already in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            shrunk_from: None,
        }
    }

    /// The file's size when opened and the bytes read, when it shrank while it was read.
    pub(crate) fn shrunk(&self) -> Shrunk {
        self.shrunk_from.map(|from| (from, self.bytes.len() as u64))
    }

    /// Opens `path` once and reads it: a regular file up to its size when opened, anything
    /// else as a stream up to [`SPECIAL_FILE_CAP`]. A folder is an error.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Self::read(path, file)
    }

    /// Reads an open file, as [`open`](Self::open) does.
    pub fn read(path: &Path, mut file: File) -> Result<Self> {
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        match NotAFile::of(&meta) {
            Some(NotAFile::Folder) => Err(Error::io(
                path,
                std::io::Error::other(NotAFile::Folder.describe()),
            )),
            // A file of the kernel's (`/proc`) says 0 bytes whatever it holds: read as a stream.
            Some(NotAFile::Special) => read_stream(path, &mut file),
            None if meta.len() == 0 => read_stream(path, &mut file),
            None => read_regular(path, &mut file, meta.len()),
        }
    }
}

/// Reads `len` bytes, or fewer when the file shrank meanwhile; what was appended after it was
/// opened is left for the next run.
pub(super) fn read_regular(path: &Path, file: &mut File, len: u64) -> Result<FileData> {
    let mut bytes = Vec::new();
    reserve(&mut bytes, len, path)?;
    file.take(len)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    let shrunk_from = (bytes.len() as u64) < len;
    Ok(FileData {
        bytes,
        shrunk_from: shrunk_from.then_some(len),
    })
}

/// Reads to the end of a stream, failing past [`SPECIAL_FILE_CAP`].
fn read_stream(path: &Path, file: &mut File) -> Result<FileData> {
    let mut bytes = Vec::new();
    loop {
        if bytes.len() as u64 > SPECIAL_FILE_CAP {
            return Err(Error::TooLarge {
                name: path.display().to_string(),
                cap: SPECIAL_FILE_CAP,
            });
        }
        reserve(&mut bytes, STREAM_STEP as u64, path)?;
        let start = bytes.len();
        bytes.resize(start + STREAM_STEP, 0);
        let n = loop {
            match file.read(&mut bytes[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io(path, e)),
            }
        };
        bytes.truncate(start + n);
        if n == 0 {
            return Ok(FileData::from_vec(bytes));
        }
    }
}

/// Reserves room for `more` bytes, or says that memory ran out.
pub(crate) fn reserve(bytes: &mut Vec<u8>, more: u64, path: &Path) -> Result<()> {
    let out_of_memory = || Error::OutOfMemory {
        name: path.display().to_string(),
        bytes: more,
    };
    let more = usize::try_from(more).map_err(|_| out_of_memory())?;
    bytes.try_reserve(more).map_err(|_| out_of_memory())
}

impl Deref for FileData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_read_up_to_the_cap_then_refused() {
        let e = FileData::open(Path::new("/dev/zero")).unwrap_err();
        assert!(
            matches!(
                e,
                Error::TooLarge {
                    cap: SPECIAL_FILE_CAP,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("/dev/zero: more than 268435456 bytes"),
            "{e}"
        );
    }

    #[test]
    fn a_kernel_file_of_size_zero_is_read_whole() {
        let data = FileData::open(Path::new("/proc/self/status")).unwrap();
        assert!(data.starts_with(b"Name:"));
        assert_eq!(data.shrunk_from, None);
    }

    #[test]
    fn a_log_cut_after_it_was_read_stays_readable() {
        let path = std::env::temp_dir().join(format!("wsusdiag-cut-{}.log", std::process::id()));
        let line = "2008-07-14\t09:12:01:375\t 788\tee4\tAgent\t*************\r\n";
        std::fs::write(&path, line.repeat((4 << 20) / line.len())).unwrap();
        let data = FileData::open(&path).unwrap();
        // Mapped, the pages past the new end would now raise SIGBUS when touched.
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(0)
            .unwrap();
        assert_eq!(
            data.iter().filter(|&&b| b == b'\n').count(),
            (4 << 20) / line.len()
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_file_that_shrank_while_read_gives_what_was_there() {
        let path = std::env::temp_dir().join(format!("wsusdiag-shrunk-{}.log", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let mut file = File::open(&path).unwrap();
        // As if the file had 100 bytes when opened.
        let data = read_regular(&path, &mut file, 100).unwrap();
        assert_eq!(
            (&data[..], data.shrunk_from),
            (&b"0123456789"[..], Some(100))
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_folder_is_refused() {
        let e = FileData::open(Path::new("/")).unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
    }
}
