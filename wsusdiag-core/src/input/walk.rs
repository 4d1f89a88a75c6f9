//! Walking the paths given: the regular files below a folder, each read once, and what could
//! not be read listed as a problem of its own instead of failing the walk.
//!
//! A file reached twice (through a link, or given twice) is read once, judged by device and
//! inode; a link back to a folder already walked is skipped and listed, so a link loop ends.
//! Named pipes, sockets and devices inside a folder are listed, never opened: opening a pipe
//! without a writer blocks forever.

use std::collections::HashMap;
use std::fs::{File, Metadata};
use std::path::{Path, PathBuf};

use super::file::NotAFile;
use crate::error::ProblemKind;
use crate::{Error, Result};

/// One thing found below the paths given.
#[derive(Debug)]
pub(crate) enum Found {
    /// A regular file found in a folder, to read.
    Listed(PathBuf),
    /// A path given directly that is a file (regular or not), to read.
    Given(PathBuf),
    /// An entry of a folder that is not read, and why.
    Skipped {
        /// The entry.
        path: PathBuf,
        /// `unreadable`, `not-a-file` or `already-read`.
        kind: ProblemKind,
        /// A sentence for people.
        message: String,
    },
    /// A folder with no entry to read.
    EmptyFolder(PathBuf),
}

/// A file's identity: device and inode where there are such, else its canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg(not(unix))]
    Path(PathBuf),
}

fn identity(path: &Path, meta: &Metadata) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Some(FileId::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        path.canonicalize().ok().map(FileId::Path)
    }
}

/// The walk over every path given, remembering what it has already met.
#[derive(Debug, Default)]
pub(crate) struct Walk {
    seen: HashMap<FileId, PathBuf>,
    found: Vec<Found>,
}

impl Walk {
    /// Adds a path given by the caller: a file or a folder. A path that cannot be read is an
    /// error; inside a folder, it would be listed instead.
    pub(crate) fn add(&mut self, path: &Path) -> Result<()> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if let Some(first) = self.first_seen(path, &meta) {
            self.skip_again(path, &meta, first);
            return Ok(());
        }
        if !meta.is_dir() {
            self.found.push(Found::Given(path.to_path_buf()));
            return Ok(());
        }
        let before = self.found.len();
        let entries = read_dir_sorted(path).map_err(|e| Error::io(path, e))?;
        self.walk(entries);
        if self.found.len() == before {
            self.found.push(Found::EmptyFolder(path.to_path_buf()));
        }
        Ok(())
    }

    /// What was found, in the order met (each folder's entries sorted by name, regular
    /// entries before links).
    pub(crate) fn finish(self) -> Vec<Found> {
        self.found
    }

    /// Walks a folder's entries depth first.
    fn walk(&mut self, entries: Vec<(PathBuf, bool)>) {
        let mut stack: Vec<PathBuf> = entries.into_iter().rev().map(|(p, _)| p).collect();
        while let Some(path) = stack.pop() {
            let meta = match std::fs::metadata(&path) {
                Ok(meta) => meta,
                Err(e) => {
                    self.skip(
                        path,
                        ProblemKind::Unreadable,
                        format!("cannot be read: {e}"),
                    );
                    continue;
                }
            };
            if let Some(first) = self.first_seen(&path, &meta) {
                self.skip_again(&path, &meta, first);
                continue;
            }
            match NotAFile::of(&meta) {
                None => self.found.push(Found::Listed(path)),
                Some(NotAFile::Special) => {
                    let message = NotAFile::Special.describe().to_owned();
                    self.skip(path, ProblemKind::NotAFile, message);
                }
                Some(NotAFile::Folder) => match read_dir_sorted(&path) {
                    Ok(entries) => stack.extend(entries.into_iter().rev().map(|(p, _)| p)),
                    Err(e) => self.skip(
                        path,
                        ProblemKind::Unreadable,
                        format!("cannot be read: {e}"),
                    ),
                },
            }
        }
    }

    /// The path this file or folder was first met at, or `None` (and it is remembered) when
    /// this is the first time.
    fn first_seen(&mut self, path: &Path, meta: &Metadata) -> Option<PathBuf> {
        let id = identity(path, meta)?;
        match self.seen.get(&id) {
            Some(first) => Some(first.clone()),
            None => {
                self.seen.insert(id, path.to_path_buf());
                None
            }
        }
    }

    fn skip_again(&mut self, path: &Path, meta: &Metadata, first: PathBuf) {
        let what = if meta.is_dir() { "folder" } else { "file" };
        let message = format!(
            "the same {what} as {} (a link to it, or a link loop): read once",
            first.display()
        );
        self.skip(path.to_path_buf(), ProblemKind::AlreadyRead, message);
    }

    fn skip(&mut self, path: PathBuf, kind: ProblemKind, message: String) {
        self.found.push(Found::Skipped {
            path,
            kind,
            message,
        });
    }
}

/// A folder's entries, hidden ones (`.name`) left out, sorted by name with the entries that
/// are links last (so that the real path of a linked file is the one read).
fn read_dir_sorted(dir: &Path) -> std::io::Result<Vec<(PathBuf, bool)>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let link = entry.file_type().is_ok_and(|t| t.is_symlink());
        entries.push((entry.path(), link));
    }
    entries.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    Ok(entries)
}

/// Opens a file found in a folder without blocking, and only if it is still a regular file
/// (it may have been swapped for a pipe since the walk).
pub(crate) fn open_listed(path: &Path) -> Result<File> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    match NotAFile::of(&meta) {
        None => Ok(file),
        Some(not) => Err(Error::io(path, std::io::Error::other(not.describe()))),
    }
}
