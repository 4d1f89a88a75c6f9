//! One log, owned, read record by record: for tools that want rows, not a verdict.

use std::borrow::Cow;
use std::path::Path;

use crate::input::{FileData, LogKind, NotALog, TextEncoding, decode, sniff, unwrap};
use crate::records::TraceEvents;
pub use crate::records::{Record, Records};
use crate::{Error, Result};

/// The bytes behind a [`Log`].
#[derive(Debug)]
enum Storage {
    /// The file or buffer as given; it is UTF-8.
    Bytes(FileData),
    /// Text decoded from another encoding.
    Text(String),
    /// The Windows Update events of an `.etl` trace.
    Trace(TraceEvents),
}

/// A log file or buffer, decoded once and sniffed, ready to be read record by record.
///
/// ```
/// use wsusdiag_core::log::{Log, Record};
/// let log = Log::from_bytes("c.log", b"2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING: PTError: 0x8024400e\n".to_vec())?;
/// for record in log.records() {
///     if let Ok(Record::Client(r)) = record {
///         assert_eq!((r.pid, r.component), (Some(1100), "PT"));
///     }
/// }
/// # Ok::<(), wsusdiag_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Log {
    name: String,
    storage: Storage,
    kind: LogKind,
    encoding: TextEncoding,
}

impl Log {
    /// Opens a file (read once into memory; see [`FileData`]).
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path)?;
        Self::from_data(path.display().to_string(), data)
    }

    /// Takes a buffer.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self> {
        Self::from_data(name.into(), FileData::from_vec(bytes))
    }

    fn from_data(name: String, data: FileData) -> Result<Self> {
        if crate::etl::is_etl(&data) {
            let traces = crate::pipeline::etl::read(&[(&name, &data)]);
            if traces.events.is_empty() {
                let reason = NotALog::NoUpdateEvents(
                    traces
                        .problems
                        .last()
                        .map_or_else(String::new, |p| p.message.clone()),
                );
                return Err(Error::UnknownFormat { name, reason });
            }
            return Ok(Self {
                name,
                storage: Storage::Trace(traces.events),
                kind: LogKind::ClientEtl,
                encoding: TextEncoding::Binary,
            });
        }
        let decoded = decode(&data);
        let encoding = decoded.encoding;
        // A paste is read as the log text it wraps.
        let unwrapped = match unwrap(&decoded.text).text {
            Cow::Borrowed(_) => None,
            Cow::Owned(t) => Some(t),
        };
        let text = unwrapped.as_deref().unwrap_or(&decoded.text);
        let kind = sniff(text).map_err(|reason| Error::UnknownFormat {
            name: name.clone(),
            reason,
        })?;
        let storage = match (unwrapped, decoded.text) {
            (Some(t), _) => Storage::Text(t),
            (None, Cow::Borrowed(t)) if t.len() == data.len() => Storage::Bytes(data),
            (None, text) => Storage::Text(text.into_owned()),
        };
        Ok(Self {
            name,
            storage,
            kind,
            encoding,
        })
    }

    /// The name given (a path or a buffer name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which log it is.
    pub fn kind(&self) -> LogKind {
        self.kind
    }

    /// The encoding it was decoded from.
    pub fn encoding(&self) -> TextEncoding {
        self.encoding
    }

    /// The decoded text; for an `.etl` trace, the text `Get-WindowsUpdateLog` would write for
    /// its events (but in UTC), made on each call.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.storage {
            Storage::Trace(events) => Cow::Owned(events.text()),
            _ => Cow::Borrowed(self.plain_text()),
        }
    }

    /// The text of a log that is text (empty for a trace).
    fn plain_text(&self) -> &str {
        match &self.storage {
            // Checked valid when the log was made; checking again is cheap next to parsing.
            Storage::Bytes(b) => std::str::from_utf8(b).unwrap_or_default(),
            Storage::Text(t) => t,
            Storage::Trace(_) => "",
        }
    }

    /// The Windows Update events of an `.etl` trace, owned; `None` for a text log.
    pub(crate) fn into_trace(self) -> Option<TraceEvents> {
        match self.storage {
            Storage::Trace(events) => Some(events),
            _ => None,
        }
    }

    /// The records, in order; malformed lines come as errors and do not stop the iteration.
    /// For an `.etl` trace, the records are its Windows Update events (times in UTC) and a
    /// record's line is the event's number.
    pub fn records(&self) -> Records<'_> {
        match &self.storage {
            Storage::Trace(events) => Records::Trace(events.records()),
            _ => Records::new(self.plain_text(), self.kind),
        }
    }
}
