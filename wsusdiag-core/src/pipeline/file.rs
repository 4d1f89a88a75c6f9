//! A log file read a window at a time: a client log in UTF-8, which is most of them and the
//! largest, is read and analysed with two windows in memory, and a server log in UTF-8 with
//! one, never the whole file; any other input is read whole and goes through
//! [`analyze`](super::analyze).

use std::fs::File;
use std::path::Path;

use super::chunks::{FileWindows, WindowError};
use super::server::ServerAnalyzer;
use super::{
    Analysis, Body, ReadDone, analyze, analyze_whole, clean_utf8, client_text, server_windows,
    unread,
};
use crate::input::{FileData, LineParts, LogKind, NotAFile, SNIFF_BYTES, Shrunk};
use crate::knowledge::rules::LineMatcher;
use crate::records::ClientFormat;
use crate::{Error, Result};

/// The head read first, to tell what the file is: the sniffed bytes and a byte order mark.
/// Read as they are, not to the end of a line: a file without line breaks is not read whole to
/// find one.
const HEAD_BYTES: usize = SNIFF_BYTES + 3;

/// Reads the file `file` at `path` into an analysis named `name`, as [`analyze`] reads bytes,
/// and says whether the file shrank while it was read.
pub(crate) fn analyze_file(
    name: &str,
    path: &Path,
    file: File,
    lines: &LineMatcher,
    parallel: bool,
    read_done: ReadDone<'_>,
) -> Result<(Analysis, Shrunk)> {
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if NotAFile::of(&meta).is_some() || meta.len() == 0 {
        let data = FileData::read(path, file)?;
        let a = analyze(name, &data, lines, parallel, read_done);
        return Ok((a, data.shrunk()));
    }
    // Found not to be a clean UTF-8 client or server log: read the common way, not tried again.
    let whole = |data: FileData| {
        let a = analyze_whole(name, &data, lines, (parallel, read_done));
        (a, data.shrunk())
    };
    let mut parts = LineParts::new(path, file, meta.len());
    let mut head = parts.head(HEAD_BYTES)?;
    let clean = clean_utf8(&head).map(|(encoding, kind, body)| {
        // The byte order mark's length.
        (encoding, kind, head.len() - body.len())
    });
    let (encoding, kind, mark) = match clean {
        Some(found @ (_, LogKind::ClientClassic | LogKind::ClientWin10 | LogKind::Server, _)) => {
            found
        }
        _ => return Ok(whole(parts.whole_from(head)?)),
    };
    head.drain(..mark);
    parts.put_back(head);
    let mut summary = unread(name, meta.len(), encoding);
    summary.kind = Some(kind);
    if kind == LogKind::Server {
        let mut a = ServerAnalyzer::new(name);
        let window = (server_windows::WINDOW_BYTES, read_done);
        return match server_windows::read_windows(&mut parts, &mut a, &mut summary, window) {
            Ok(()) => {
                let body = Body::Server(a.finish());
                Ok((Analysis { summary, body }, parts.shrunk()))
            }
            // Not UTF-8 after all: read again, whole, and decoded.
            Err(WindowError::NotUtf8(_)) => Ok(whole(parts.whole()?)),
            Err(WindowError::Read(e)) => Err(e),
        };
    }
    let mut windows = FileWindows::new(parts);
    let format = ClientFormat::of(kind);
    let read = (parallel, read_done);
    match client_text(name, &mut windows, format, lines, read, &mut summary) {
        Ok(a) => {
            let body = Body::Client(Box::new(a));
            Ok((Analysis { summary, body }, windows.parts().shrunk()))
        }
        // Not UTF-8 after all: read again, whole, and decoded.
        Err(WindowError::NotUtf8(_)) => Ok(whole(windows.into_parts().whole()?)),
        Err(WindowError::Read(e)) => Err(e),
    }
}
