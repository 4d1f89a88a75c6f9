//! The one record reader: the records of a text of any kind, for every front end (the
//! [`Log`](crate::log::Log) rows, the [`LogStream`](crate::stream::LogStream) and the bindings).

use chrono::NaiveDateTime;

use super::cmtrace::CmRecords;
use super::{ClientFormat, ClientRecord, ClientRecords, ServerRecord, ServerRecords, TraceRecords};
use crate::error::ParseError;
use crate::input::LogKind;

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

/// Iterator over the records of a text of one [`LogKind`].
#[derive(Debug, Clone)]
pub enum Records<'a> {
    /// A client log.
    Client(ClientRecords<'a>),
    /// A server log.
    Server(ServerRecords<'a>),
    /// A Configuration Manager log, its entries read as client records.
    ConfigMgr(CmRecords<'a>),
    /// The Windows Update events of `.etl` traces.
    Trace(TraceRecords<'a>),
}

impl<'a> Records<'a> {
    /// The records of `text`, a log of `kind`: each kind read with its grammar (a fragment's
    /// lines without headers; `client-etl` text as the Windows 10 text it is). The events of a
    /// trace itself are read with [`TraceEvents::records`](super::TraceEvents::records).
    pub fn new(text: &'a str, kind: LogKind) -> Self {
        match kind {
            LogKind::Server => Self::Server(ServerRecords::new(text)),
            LogKind::ServerFragment => Self::Server(ServerRecords::fragment(text)),
            LogKind::ClientConfigMgr | LogKind::ServerConfigMgr => {
                Self::ConfigMgr(CmRecords::new(text))
            }
            LogKind::ClientClassic
            | LogKind::ClientWin10
            | LogKind::ClientEtl
            | LogKind::ClientFragment => {
                Self::Client(ClientRecords::new(text, ClientFormat::of(kind)))
            }
        }
    }

    /// Moves each record read from a part of a text that starts after `lines` lines and
    /// `bytes` bytes to its place in the whole text.
    pub(crate) fn shifted(
        self,
        lines: u32,
        bytes: usize,
    ) -> impl Iterator<Item = Result<Record<'a>, ParseError>> {
        self.map(move |r| {
            r.map(|mut r| {
                match &mut r {
                    Record::Client(c) => c.shift(lines, bytes),
                    Record::Server(s) => s.shift(lines, bytes),
                }
                r
            })
            .map_err(|mut e| {
                e.position.shift(lines, bytes);
                e
            })
        })
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Client(it) => it.next().map(|r| r.map(Record::Client)),
            Self::Server(it) => it.next().map(|r| r.map(Record::Server)),
            Self::ConfigMgr(it) => it.next().map(|r| r.map(|r| Record::Client(r.as_client()))),
            Self::Trace(it) => it.next().map(|r| Ok(Record::Client(r))),
        }
    }
}
