//! One log, owned, read record by record: for tools that want rows, not a verdict.

use std::borrow::Cow;
use std::path::Path;

use chrono::NaiveDateTime;

use crate::error::ParseError;
use crate::input::{FileData, LogKind, TextEncoding, decode, sniff};
use crate::records::cmtrace::CmRecords;
use crate::records::{ClientFormat, ClientRecord, ClientRecords, ServerRecord, ServerRecords};
use crate::{Error, Result};

/// The bytes behind a [`Log`].
#[derive(Debug)]
enum Storage {
    /// The file or buffer as given; it is UTF-8.
    Bytes(FileData),
    /// Text decoded from another encoding.
    Text(String),
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
    /// Opens a file (memory-mapped when large).
    pub fn open(path: &Path) -> Result<Self> {
        let data = FileData::open(path)?;
        Self::from_data(path.display().to_string(), data)
    }

    /// Takes a buffer.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self> {
        Self::from_data(name.into(), FileData::Owned(bytes))
    }

    fn from_data(name: String, data: FileData) -> Result<Self> {
        if crate::etl::is_etl(&data) {
            let rendered = crate::analyze::etl::render(&[(&name, &data)]);
            if rendered.events == 0 {
                let reason = rendered
                    .problems
                    .last()
                    .map_or_else(String::new, |p| p.message.clone());
                return Err(Error::UnknownFormat { name, reason });
            }
            return Ok(Self {
                name,
                storage: Storage::Text(rendered.text),
                kind: LogKind::ClientEtl,
                encoding: TextEncoding::Binary,
            });
        }
        let decoded = decode(&data);
        let encoding = decoded.encoding;
        let kind = sniff(&decoded.text).map_err(|reason| Error::UnknownFormat {
            name: name.clone(),
            reason,
        })?;
        let storage = match decoded.text {
            Cow::Borrowed(t) if t.len() == data.len() => {
                drop(decoded.text);
                Storage::Bytes(data)
            }
            text => Storage::Text(text.into_owned()),
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

    /// The decoded text.
    pub fn text(&self) -> &str {
        match &self.storage {
            // Checked valid when the log was made; checking again is cheap next to parsing.
            Storage::Bytes(b) => std::str::from_utf8(b).unwrap_or_default(),
            Storage::Text(t) => t,
        }
    }

    /// The records, in order; malformed lines come as errors and do not stop the iteration.
    /// For an `.etl` trace, the records are its Windows Update events (times in UTC) and a
    /// record's line is the event's number.
    pub fn records(&self) -> Records<'_> {
        let text = self.text();
        match self.kind {
            LogKind::Server => Records::Server(ServerRecords::new(text)),
            LogKind::ClientConfigMgr | LogKind::ServerConfigMgr => {
                Records::ConfigMgr(CmRecords::new(text))
            }
            kind => Records::Client(ClientRecords::new(text, ClientFormat::of(kind))),
        }
    }
}

/// One record of either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// A client entry.
    Client(ClientRecord<'a>),
    /// A server entry.
    Server(ServerRecord<'a>),
}

impl<'a> Record<'a> {
    /// 1-based line.
    pub fn line(&self) -> u32 {
        match self {
            Self::Client(r) => r.line,
            Self::Server(r) => r.line,
        }
    }

    /// The time as written (client: local; server: UTC).
    pub fn time(&self) -> Option<NaiveDateTime> {
        match self {
            Self::Client(r) => r.time,
            Self::Server(r) => r.time,
        }
    }

    /// The client component, or the server's `Class.Method`.
    pub fn component(&self) -> &'a str {
        match self {
            Self::Client(r) => r.component,
            Self::Server(r) => r.source,
        }
    }

    /// The message (server: first line only; see [`ServerRecord::continuation`]).
    pub fn message(&self) -> &'a str {
        match self {
            Self::Client(r) => r.message,
            Self::Server(r) => r.message,
        }
    }
}

/// Iterator over the records of a [`Log`].
#[derive(Debug, Clone)]
pub enum Records<'a> {
    /// A client log.
    Client(ClientRecords<'a>),
    /// A server log.
    Server(ServerRecords<'a>),
    /// A Configuration Manager log (client or site server), read as client rows.
    ConfigMgr(CmRecords<'a>),
}

impl<'a> Iterator for Records<'a> {
    type Item = std::result::Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Client(it) => it.next().map(|r| r.map(Record::Client)),
            Self::Server(it) => it.next().map(|r| r.map(Record::Server)),
            Self::ConfigMgr(it) => it.next().map(|r| r.map(|r| Record::Client(r.as_client()))),
        }
    }
}
