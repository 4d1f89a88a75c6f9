//! The record reader: one log, row by row, for tools that want rows rather than a verdict.

use std::path::Path;

use wsusdiag_core::ParseError;
use wsusdiag_core::input::LogKind;
use wsusdiag_core::log::{Log, Record, Records};

use crate::boundary::{self, Handle};
use crate::result::wsusdiag_result;

self_cell::self_cell!(
    /// A log and the iterator borrowing from it, kept together.
    struct LogCell {
        owner: Log,
        #[covariant]
        dependent: Records,
    }
);

/// What the reader holds.
pub(crate) struct Reader {
    cell: LogCell,
    kind: LogKind,
    /// The last malformed line, kept so the row's strings can point into it.
    error: Option<ParseError>,
    /// The iterator has ended; it is not asked again.
    done: bool,
}

/// A reader of one log's records (opaque). Made by `wsusdiag_log_open` or
/// `wsusdiag_log_from_buffer`, freed by `wsusdiag_log_reader_free`.
///
/// Thread safety: `wsusdiag_log_reader_next` changes the reader, so a reader must be used by
/// one thread at a time. It may be handed from one thread to another between calls.
pub struct wsusdiag_log_reader {
    _private: [u8; 0],
}

impl Handle for wsusdiag_log_reader {
    type Target = Reader;
}

const _: () = {
    const fn send<T: Send>() {}
    send::<Reader>();
};

/// Which log a reader reads.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wsusdiag_log_kind {
    /// A kind this version of the library has no value for (none today: a test keeps every
    /// kind named).
    Unknown = 0,
    /// Classic TAB-separated `WindowsUpdate.log` (Windows XP to 8.1).
    ClientClassic = 1,
    /// Windows 10+ text from `Get-WindowsUpdateLog`.
    ClientWin10 = 2,
    /// A raw Windows Update `.etl` trace.
    ClientEtl = 3,
    /// WSUS `SoftwareDistribution.log`.
    Server = 4,
    /// Client log lines without their headers (a pasted excerpt): no time.
    ClientFragment = 5,
    /// Server log lines without their headers (a pasted excerpt): no time.
    ServerFragment = 6,
    /// A Configuration Manager client log (`WUAHandler.log`, …), read as client rows.
    ClientConfigMgr = 7,
    /// A Configuration Manager site-server log (`wsyncmgr.log`, `WCM.log`, …), read as client rows.
    ServerConfigMgr = 8,
}

impl From<LogKind> for wsusdiag_log_kind {
    fn from(k: LogKind) -> Self {
        match k {
            LogKind::ClientClassic => Self::ClientClassic,
            LogKind::ClientWin10 => Self::ClientWin10,
            LogKind::ClientEtl => Self::ClientEtl,
            LogKind::Server => Self::Server,
            LogKind::ClientFragment => Self::ClientFragment,
            LogKind::ServerFragment => Self::ServerFragment,
            LogKind::ClientConfigMgr => Self::ClientConfigMgr,
            LogKind::ServerConfigMgr => Self::ServerConfigMgr,
            _ => Self::Unknown,
        }
    }
}

/// What a record row holds.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum wsusdiag_record_kind {
    /// An entry of a client log.
    Client = 1,
    /// An entry of a server log.
    Server = 2,
    /// A line that could not be read as an entry; the iteration goes on after it.
    Malformed = 3,
}

/// A borrowed UTF-8 string: `len` bytes at `ptr`, **not** NUL-terminated. `ptr` is never
/// NULL (an empty string points to a valid empty location). Valid only as long as the thing
/// that handed it out says.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct wsusdiag_str {
    /// The first byte.
    pub ptr: *const u8,
    /// The length in bytes.
    pub len: usize,
}

/// Where empty strings point: a real location, so that no caller ever sees a dangling pointer.
static EMPTY: [u8; 1] = [0];

impl wsusdiag_str {
    fn empty() -> Self {
        Self {
            ptr: EMPTY.as_ptr(),
            len: 0,
        }
    }

    fn new(s: &str) -> Self {
        if s.is_empty() {
            Self::empty()
        } else {
            Self {
                ptr: s.as_ptr(),
                len: s.len(),
            }
        }
    }
}

/// One row of a log: a client entry, a server entry, or a malformed line.
///
/// Numbers are plain fields; a number the entry lacks is -1 (or `has_time` 0). Strings point
/// into memory owned by the reader and stay valid until the next call on that reader
/// (`wsusdiag_log_reader_next` or `wsusdiag_log_reader_free`); copy what you keep. A string the
/// row kind does not use is empty.
///
/// | field | client | server | malformed |
/// |---|---|---|---|
/// | `line`, `column`, `offset` | yes | yes | yes |
/// | `end_line` | = `line` | last continuation line | = `line` |
/// | `time_ms`, `has_time` | local time as written | UTC | no |
/// | `pid`, `tid` | yes, or -1 | -1 | -1 |
/// | `thread` | -1 | the number after the process (`w3wp.9` → 9), or -1 | -1 |
/// | `component` | `PT`, `Agent`, ... | empty | empty |
/// | `source`, `level`, `process` | empty | `Class.Method`, `Error`, `w3wp` | empty |
/// | `message` | the message | its first line | what is wrong, for people |
/// | `continuation` | empty | the following lines (stack traces) | empty |
/// | `error` | empty | empty | the kind of problem: `bad-header`, `binary`, `too-long`, `truncated`, `orphan` |
/// | `text` | empty | empty | the offending line (cut to 200 bytes) |
///
/// A server entry's full text is `message`, a line break, then `continuation`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct wsusdiag_record {
    /// What the row holds.
    pub kind: wsusdiag_record_kind,
    /// 1-based line where the entry (or bad line) starts.
    pub line: u32,
    /// 1-based line where the entry ends (server entries with continuation lines).
    pub end_line: u32,
    /// 1-based column where the entry starts (greater than 1 when several entries share a line),
    /// or where a malformed line goes wrong. Counted in characters.
    pub column: u32,
    /// 1 when `time_ms` holds a time, 0 when the entry had none.
    pub has_time: u32,
    /// 1 when the input ended inside this (server) entry.
    pub truncated: u32,
    /// Byte offset of the entry in the decoded (UTF-8) text.
    pub offset: u64,
    /// The time as milliseconds since 1970-01-01 00:00:00, reading the written date and time as
    /// if it were UTC: for a client log that is the machine's local time, for a server log UTC.
    pub time_ms: i64,
    /// Client process ID, or -1.
    pub pid: i64,
    /// Client thread ID, or -1.
    pub tid: i64,
    /// Server thread number, or -1.
    pub thread: i64,
    /// Client component.
    pub component: wsusdiag_str,
    /// Server `Class.Method`.
    pub source: wsusdiag_str,
    /// Server level.
    pub level: wsusdiag_str,
    /// Server process name.
    pub process: wsusdiag_str,
    /// The message (see the table above).
    pub message: wsusdiag_str,
    /// Server continuation lines.
    pub continuation: wsusdiag_str,
    /// Malformed rows: the kind of problem.
    pub error: wsusdiag_str,
    /// Malformed rows: the offending line.
    pub text: wsusdiag_str,
}

impl wsusdiag_record {
    fn empty(kind: wsusdiag_record_kind, line: u32, column: u32, offset: usize) -> Self {
        let e = wsusdiag_str::empty();
        Self {
            kind,
            line,
            end_line: line,
            column,
            has_time: 0,
            truncated: 0,
            offset: offset as u64,
            time_ms: 0,
            pid: -1,
            tid: -1,
            thread: -1,
            component: e,
            source: e,
            level: e,
            process: e,
            message: e,
            continuation: e,
            error: e,
            text: e,
        }
    }

    fn set_time(&mut self, time_ms: Option<i64>) {
        if let Some(t) = time_ms {
            self.has_time = 1;
            self.time_ms = t;
        }
    }

    fn from_record(record: &Record<'_>) -> Self {
        match record {
            Record::Client(r) => {
                let mut row = Self::empty(wsusdiag_record_kind::Client, r.line, r.column, r.offset);
                row.set_time(r.time.map(|t| t.and_utc().timestamp_millis()));
                row.pid = r.pid.map_or(-1, i64::from);
                row.tid = r.tid.map_or(-1, i64::from);
                row.component = wsusdiag_str::new(r.component);
                row.message = wsusdiag_str::new(r.message);
                row
            }
            Record::Server(r) => {
                let mut row = Self::empty(wsusdiag_record_kind::Server, r.line, r.column, r.offset);
                row.end_line = r.end_line;
                row.truncated = u32::from(r.truncated);
                row.set_time(r.time.map(|t| t.and_utc().timestamp_millis()));
                row.thread = r.thread.map_or(-1, i64::from);
                row.level = wsusdiag_str::new(r.level);
                row.process = wsusdiag_str::new(r.process);
                row.source = wsusdiag_str::new(r.source);
                row.message = wsusdiag_str::new(r.message);
                row.continuation = wsusdiag_str::new(r.continuation);
                row
            }
        }
    }

    fn from_error(e: &ParseError) -> Self {
        let p = &e.position;
        let mut row = Self::empty(
            wsusdiag_record_kind::Malformed,
            p.line,
            p.column,
            p.byte_offset,
        );
        row.message = wsusdiag_str::new(e.kind.describe());
        row.error = wsusdiag_str::new(e.kind.as_str());
        row.text = wsusdiag_str::new(&e.text);
        row
    }
}

impl Reader {
    fn new(log: Log) -> Self {
        let kind = log.kind();
        Self {
            cell: LogCell::new(log, Log::records),
            kind,
            error: None,
            done: false,
        }
    }

    /// The next row, or `None` at the end.
    fn next_row(&mut self) -> Option<wsusdiag_record> {
        self.error = None;
        if self.done {
            return None;
        }
        let next = self.cell.with_dependent_mut(|_, records| {
            records
                .next()
                .map(|item| item.map(|r| wsusdiag_record::from_record(&r)))
        });
        match next {
            None => {
                self.done = true;
                None
            }
            Some(Ok(row)) => Some(row),
            Some(Err(e)) => {
                let e = self.error.insert(e);
                Some(wsusdiag_record::from_error(e))
            }
        }
    }
}

/// Opens a log file for reading record by record. The file's kind (client or server) and
/// encoding are judged from its content; large files are memory-mapped.
///
/// `path`, `path_len`: the file, a UTF-8 path. `reader_out` receives the reader, to be freed
/// with `wsusdiag_log_reader_free`.
///
/// Fails with `WSUSDIAG_RESULT_NOT_FOUND`, `_PERMISSION_DENIED` or `_IO` when the file cannot
/// be read (the last error names it), `_UNKNOWN_FORMAT` when it is not a log.
///
/// # Safety
///
/// `path` is NULL or valid for `path_len` bytes; `reader_out` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_log_open(
    path: *const u8,
    path_len: usize,
    reader_out: *mut *mut wsusdiag_log_reader,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_log_open", {
        // SAFETY: per the caller.
        let path = unsafe { boundary::text(path, path_len, "path") }?;
        let out = boundary::out(reader_out, "reader_out")?;
        if path.is_empty() {
            return Err(boundary::Failure::invalid("`path` is empty"));
        }
        let log = Log::open(Path::new(path))?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { out.write(wsusdiag_log_reader::into_raw(Reader::new(log))) };
        Ok(wsusdiag_result::Ok)
    })
}

/// Reads a log from memory, record by record. The bytes are copied: the caller may free them
/// when the call returns.
///
/// `name`, `name_len`: a UTF-8 name for messages (0 for `"buffer"`). `data`, `data_len`: the
/// log, in any encoding wsusdiag reads. `reader_out` receives the reader, to be freed with
/// `wsusdiag_log_reader_free`. Fails with `WSUSDIAG_RESULT_UNKNOWN_FORMAT` when it is not a log.
///
/// # Safety
///
/// `name` and `data` are NULL or valid for their lengths; `reader_out` is NULL or valid for
/// one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_log_from_buffer(
    name: *const u8,
    name_len: usize,
    data: *const u8,
    data_len: usize,
    reader_out: *mut *mut wsusdiag_log_reader,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_log_from_buffer", {
        // SAFETY: per the caller.
        let name = unsafe { boundary::text(name, name_len, "name") }?;
        // SAFETY: per the caller.
        let data = unsafe { boundary::bytes(data, data_len, "data") }?;
        let out = boundary::out(reader_out, "reader_out")?;
        let name = if name.is_empty() { "buffer" } else { name };
        let mut copy = Vec::new();
        copy.try_reserve_exact(data.len()).map_err(|_| {
            boundary::Failure::new(
                wsusdiag_result::OutOfMemory,
                format!("{name}: out of memory copying {} bytes", data.len()),
            )
        })?;
        copy.extend_from_slice(data);
        let log = Log::from_bytes(name, copy)?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { out.write(wsusdiag_log_reader::into_raw(Reader::new(log))) };
        Ok(wsusdiag_result::Ok)
    })
}

/// Reads the next row into `*record_out`.
///
/// Returns `WSUSDIAG_RESULT_OK` with a row, or `WSUSDIAG_RESULT_END` (and leaves
/// `*record_out` untouched) when there are no more; calling again after the end gives `END`
/// again. A malformed line is not an error: it comes as a row of kind
/// `WSUSDIAG_RECORD_KIND_MALFORMED` with its line and column, and the next call goes on
/// after it. The row's strings are valid until the next call on this reader.
///
/// ```c
/// wsusdiag_record row;
/// wsusdiag_result rc;
/// while ((rc = wsusdiag_log_reader_next(reader, &row)) == WSUSDIAG_RESULT_OK) { ... }
/// if (rc != WSUSDIAG_RESULT_END) { /* failure */ }
/// ```
///
/// # Safety
///
/// `reader` is NULL or a live reader not in use by another thread; `record_out` is NULL or
/// valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_log_reader_next(
    reader: *mut wsusdiag_log_reader,
    record_out: *mut wsusdiag_record,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_log_reader_next", {
        // SAFETY: per the caller.
        let reader = unsafe { wsusdiag_log_reader::borrow_mut(reader, "reader") }?;
        let out = boundary::out(record_out, "record_out")?;
        match reader.next_row() {
            Some(row) => {
                // SAFETY: checked by `out`, valid per the caller.
                unsafe { out.write(row) };
                Ok(wsusdiag_result::Ok)
            }
            None => Ok(wsusdiag_result::End),
        }
    })
}

/// Which log the reader reads: `*kind_out` receives its kind.
///
/// # Safety
///
/// `reader` is NULL or a live reader; `kind_out` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_log_reader_kind(
    reader: *const wsusdiag_log_reader,
    kind_out: *mut wsusdiag_log_kind,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_log_reader_kind", {
        // SAFETY: per the caller.
        let reader = unsafe { wsusdiag_log_reader::borrow(reader, "reader") }?;
        let out = boundary::out(kind_out, "kind_out")?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { out.write(reader.kind.into()) };
        Ok(wsusdiag_result::Ok)
    })
}

/// Frees a reader and the log it holds; strings from its rows are no longer valid. NULL does
/// nothing.
///
/// # Safety
///
/// `reader` is NULL or a live reader, not used again (nor freed again) afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_log_reader_free(reader: *mut wsusdiag_log_reader) {
    ffi_boundary_or!("wsusdiag_log_reader_free", (), {
        // SAFETY: per the caller.
        unsafe { wsusdiag_log_reader::free(reader) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_log_kind_has_its_own_value() {
        let mut values: Vec<i32> = (LogKind::ALL.iter())
            .map(|&k| wsusdiag_log_kind::from(k) as i32)
            .collect();
        assert!(!values.contains(&(wsusdiag_log_kind::Unknown as i32)));
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), LogKind::ALL.len());
    }

    /// The layout the header, the PowerShell module's C# struct and the ctypes test assume.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn record_layout() {
        assert_eq!(size_of::<wsusdiag_str>(), 16);
        assert_eq!(size_of::<wsusdiag_record_kind>(), 4);
        assert_eq!(size_of::<wsusdiag_record>(), 192);
        assert_eq!(std::mem::offset_of!(wsusdiag_record, offset), 24);
        assert_eq!(std::mem::offset_of!(wsusdiag_record, thread), 56);
        assert_eq!(std::mem::offset_of!(wsusdiag_record, component), 64);
        assert_eq!(std::mem::offset_of!(wsusdiag_record, text), 176);
    }

    #[test]
    fn empty_strings_point_somewhere_real() {
        let e = wsusdiag_str::new("");
        assert!(!e.ptr.is_null());
        assert_eq!(e.len, 0);
        assert_eq!(e.ptr, wsusdiag_str::empty().ptr);
    }
}
