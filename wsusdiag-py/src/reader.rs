//! Reading one log record by record, in bounded memory: batches are parsed without the GIL
//! and handed to Python as light `Record` objects.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::PathBuf;

use pyo3::prelude::*;
use wsusdiag_core::log::{Log, Record as CoreRecord};
use wsusdiag_core::stream::LogStream;
use wsusdiag_core::{Error, ParseError};

use crate::errors::detached;

/// Bytes parsed per batch.
const CHUNK: usize = 4 << 20;

/// One record of a log. Client records have `pid`, `tid` and `component`; server records have
/// `level`, `process`, `thread` and `source` (`Class.Method`), and their `message` carries the
/// continuation lines (a stack trace).
#[pyclass(frozen, get_all, module = "wsusdiag._wsusdiag")]
pub(crate) struct Record {
    /// 1-based line.
    line: u32,
    /// As written, ISO 8601 without zone (client: its local time; server: UTC).
    time: Option<String>,
    /// Client: process ID.
    pid: Option<u32>,
    /// Client: thread ID.
    tid: Option<u32>,
    /// Client: the component (`PT`, `Agent`); server: the `Class.Method`.
    component: String,
    /// The message.
    message: String,
    /// Server: `Error`, `Warning`, `Info`, …
    level: Option<String>,
    /// Server: `w3wp` or `WsusService`.
    process: Option<String>,
    /// Server: the thread number.
    thread: Option<u32>,
}

#[pymethods]
impl Record {
    /// Server: the logging `Class.Method` (the same as `component`).
    #[getter]
    fn source(&self) -> &str {
        &self.component
    }

    fn __repr__(&self) -> String {
        format!(
            "Record(line={}, time={:?}, component={:?}, message={:?})",
            self.line, self.time, self.component, self.message
        )
    }
}

/// A bad line, as it is handed to Python: `(line, column, kind, text)`.
type BadLine = (u32, u32, String, String);

fn own(r: &CoreRecord<'_>) -> Record {
    let time = r
        .time()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string());
    match r {
        CoreRecord::Client(c) => Record {
            line: c.line,
            time,
            pid: c.pid,
            tid: c.tid,
            component: c.component.to_owned(),
            message: c.message.to_owned(),
            level: None,
            process: None,
            thread: None,
        },
        CoreRecord::Server(s) => {
            let mut message = s.message.to_owned();
            if !s.continuation.is_empty() {
                message.push('\n');
                message.push_str(s.continuation.trim_end());
            }
            Record {
                line: s.line,
                time,
                pid: None,
                tid: None,
                component: s.source.to_owned(),
                message,
                level: Some(s.level.to_owned()),
                process: Some(s.process.to_owned()),
                thread: s.thread,
            }
        }
    }
}

fn bad(e: &ParseError) -> BadLine {
    (
        e.position.line,
        e.position.column,
        e.kind.describe().to_owned(),
        e.text.clone(),
    )
}

/// Reads a log in batches.
#[pyclass(module = "wsusdiag._wsusdiag")]
pub(crate) struct LogReader {
    stream: LogStream<Box<dyn Read + Send + Sync>>,
    done: bool,
    kind: Option<&'static str>,
}

#[pymethods]
impl LogReader {
    /// Opens a log file (an `.etl` trace is decoded first).
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let (source, kind): (Box<dyn Read + Send + Sync>, Option<&'static str>) =
            detached(py, || {
                let mut file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let mut head = [0u8; 128];
                let n = file.read(&mut head).map_err(|e| Error::io(&path, e))?;
                if wsusdiag_core::etl::is_etl(&head[..n]) {
                    let log = Log::open(&path)?;
                    let text = log.text().as_bytes().to_vec();
                    return Ok((
                        Box::new(Cursor::new(text)) as Box<dyn Read + Send + Sync>,
                        Some("client-etl"),
                    ));
                }
                let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                Ok((
                    Box::new(BufReader::new(file)) as Box<dyn Read + Send + Sync>,
                    None,
                ))
            })?;
        let name = path.display().to_string();
        Ok(Self {
            stream: LogStream::new(name, source).with_chunk_size(CHUNK),
            done: false,
            kind,
        })
    }

    /// The kind of log (`client-classic`, `client-win10`, `client-etl`, `server`), once known.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.kind.or_else(|| self.stream.kind().map(|k| k.as_str()))
    }

    /// The next batch: records and bad lines, or `None` at the end.
    fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<(Vec<Record>, Vec<BadLine>)>> {
        if self.done {
            return Ok(None);
        }
        let stream = &mut self.stream;
        let (records, errors, more) = detached(py, || {
            let (mut records, mut errors) = (Vec::new(), Vec::new());
            let mut take = |r: Result<CoreRecord<'_>, ParseError>| match r {
                Ok(r) => records.push(own(&r)),
                Err(e) => errors.push(bad(&e)),
            };
            let more = stream.read_some(&mut take)?;
            if !more {
                stream.finish(&mut take)?;
            }
            Ok((records, errors, more))
        })?;
        self.done = !more;
        Ok(Some((records, errors)))
    }
}
