//! Reading one log record by record, in bounded memory: batches are parsed without the GIL
//! and handed to Python as light `Record` objects.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDateTime;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyList;
use wsusdiag_core::ParseError;
use wsusdiag_core::diagnosis::LogKind;
use wsusdiag_core::log::Record as CoreRecord;
use wsusdiag_core::stream::{FileStream, LogStream};

use crate::errors::detached;

/// Bytes parsed per batch.
const CHUNK: usize = 4 << 20;

/// One record of a log. Client records have `pid`, `tid` and `component`; server records have
/// `level`, `process`, `thread` and `source` (`Class.Method`), and their `message` carries the
/// continuation lines (a stack trace).
///
/// Light: the texts of a whole batch share one buffer, and the time becomes a `datetime` only
/// when it is read.
#[pyclass(frozen, module = "wsusdiag._wsusdiag")]
pub(crate) struct Record {
    /// The batch's texts.
    texts: Arc<str>,
    fields: Fields,
}

/// A record's fields; its texts are places in the batch's buffer.
struct Fields {
    line: u32,
    time: Option<NaiveDateTime>,
    /// Whether `time` is UTC (a server log, an `.etl` trace) rather than the log's local time.
    utc: bool,
    pid: Option<u32>,
    tid: Option<u32>,
    thread: Option<u32>,
    /// The component (or `Class.Method`), the message, the level and the process.
    component: Range<u32>,
    message: Range<u32>,
    level: Option<Range<u32>>,
    process: Option<Range<u32>>,
}

impl Record {
    fn text(&self, r: &Range<u32>) -> &str {
        self.texts
            .get(r.start as usize..r.end as usize)
            .unwrap_or_default()
    }
}

#[pymethods]
impl Record {
    /// 1-based line.
    #[getter]
    fn line(&self) -> u32 {
        self.fields.line
    }

    /// Client: process ID.
    #[getter]
    fn pid(&self) -> Option<u32> {
        self.fields.pid
    }

    /// Client: thread ID.
    #[getter]
    fn tid(&self) -> Option<u32> {
        self.fields.tid
    }

    /// Server: the thread number.
    #[getter]
    fn thread(&self) -> Option<u32> {
        self.fields.thread
    }

    /// A `datetime`: aware UTC for a server log and an `.etl` trace, else naive (the log's
    /// local time, as written).
    #[getter]
    fn time<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let utc = self.fields.utc;
        self.fields
            .time
            .map(|t| {
                if utc {
                    t.and_utc().into_bound_py_any(py)
                } else {
                    t.into_bound_py_any(py)
                }
            })
            .transpose()
    }

    /// Client: the component (`PT`, `Agent`); server: the `Class.Method`.
    #[getter]
    fn component(&self) -> &str {
        self.text(&self.fields.component)
    }

    /// Server: the logging `Class.Method` (the same as `component`).
    #[getter]
    fn source(&self) -> &str {
        self.text(&self.fields.component)
    }

    /// The message.
    #[getter]
    fn message(&self) -> &str {
        self.text(&self.fields.message)
    }

    /// Server: `Error`, `Warning`, `Info`, …
    #[getter]
    fn level(&self) -> Option<&str> {
        self.fields.level.as_ref().map(|r| self.text(r))
    }

    /// Server: `w3wp` or `WsusService`.
    #[getter]
    fn process(&self) -> Option<&str> {
        self.fields.process.as_ref().map(|r| self.text(r))
    }

    /// `Record(line=47, time=datetime.datetime(…), component='PT', message='…')`; a server
    /// record's also shows its `level`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let level = match self.level() {
            Some(level) => format!(", level={}", repr(py, level)?),
            None => String::new(),
        };
        Ok(format!(
            "Record(line={}, time={}{level}, component={}, message={})",
            self.fields.line,
            repr(py, self.time(py)?)?,
            repr(py, self.component())?,
            repr(py, self.message())?
        ))
    }
}

/// Python's `repr` of a value.
fn repr<'py>(py: Python<'py>, value: impl IntoPyObject<'py>) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}

/// A bad line, as it is handed to Python: `(line, column, kind, text)`.
type BadLine = (u32, u32, String, String);

/// The texts of one batch, and where each record's are in them.
#[derive(Default)]
struct Batch {
    texts: String,
    records: Vec<Fields>,
    /// Whether client records' times are UTC (an `.etl` trace's events).
    clients_in_utc: bool,
}

impl Batch {
    /// Appends `parts` to the buffer and returns where the whole of them is.
    fn put(&mut self, parts: &[&str]) -> Range<u32> {
        let start = self.texts.len();
        for p in parts {
            self.texts.push_str(p);
        }
        let at = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        at(start)..at(self.texts.len())
    }

    fn push(&mut self, r: &CoreRecord<'_>) {
        let fields = match r {
            CoreRecord::Client(c) => Fields {
                line: c.line,
                time: c.time,
                utc: self.clients_in_utc,
                pid: c.pid,
                tid: c.tid,
                thread: None,
                component: self.put(&[c.component]),
                message: self.put(&[c.message]),
                level: None,
                process: None,
            },
            CoreRecord::Server(s) => {
                let message = if s.continuation.is_empty() {
                    self.put(&[s.message])
                } else {
                    self.put(&[s.message, "\n", s.continuation.trim_end()])
                };
                Fields {
                    line: s.line,
                    time: s.time,
                    utc: true,
                    pid: None,
                    tid: None,
                    thread: s.thread,
                    component: self.put(&[s.source]),
                    message,
                    level: Some(self.put(&[s.level])),
                    process: Some(self.put(&[s.process])),
                }
            }
        };
        self.records.push(fields);
    }

    /// The batch's records, sharing one buffer.
    fn finish(self) -> Vec<Record> {
        let texts: Arc<str> = Arc::from(self.texts);
        self.records
            .into_iter()
            .map(|fields| Record {
                texts: Arc::clone(&texts),
                fields,
            })
            .collect()
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
    stream: FileStream,
    done: bool,
    /// The path as given.
    path: String,
}

#[pymethods]
impl LogReader {
    /// Opens a log file (an `.etl` trace is decoded first).
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let stream = detached(py, || LogStream::open(&path))?;
        Ok(Self {
            stream: stream.with_chunk_size(CHUNK),
            done: false,
            path: path.display().to_string(),
        })
    }

    /// The kind of log (`client-classic`, `client-win10`, `client-etl`, `client-configmgr`, `server`, `server-configmgr`), once known.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.stream.kind().map(LogKind::as_str)
    }

    /// `LogReader(path='…', kind='client-classic')`; the kind is `None` until known.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "LogReader(path={}, kind={})",
            repr(py, &self.path)?,
            repr(py, self.kind())?
        ))
    }

    /// The next batch: records and bad lines, or `None` at the end.
    fn next_batch<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<Option<(Bound<'py, PyList>, Vec<BadLine>)>> {
        if self.done {
            return Ok(None);
        }
        let clients_in_utc = self.stream.kind() == Some(LogKind::ClientEtl);
        let stream = &mut self.stream;
        let (records, errors, more) = detached(py, || {
            let mut batch = Batch {
                clients_in_utc,
                ..Batch::default()
            };
            let mut errors = Vec::new();
            let mut take = |r: Result<CoreRecord<'_>, ParseError>| match r {
                Ok(r) => batch.push(&r),
                Err(e) => errors.push(bad(&e)),
            };
            let more = stream.read_some(&mut take)?;
            if !more {
                stream.finish(&mut take)?;
            }
            Ok((batch.finish(), errors, more))
        })?;
        self.done = !more;
        let records = without_collector(py, || PyList::new(py, records))?;
        Ok(Some((records, errors)))
    }
}

/// Runs `f` with Python's cycle collector paused. A batch creates tens of thousands of
/// records; each would count towards a collection, and every collection walks all the records
/// made so far (most of the time `read_log` took). Records hold no Python references, so they
/// can never be part of a cycle; the collector runs again as soon as the batch is made.
fn without_collector<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    let gc = py.import("gc")?;
    let enabled = gc.call_method0("isenabled")?.is_truthy()?;
    if enabled {
        gc.call_method0("disable")?;
    }
    let out = f();
    if enabled {
        gc.call_method0("enable")?;
    }
    out
}
