//! Reading one log record by record, in bounded memory: batches are parsed without the GIL
//! and handed to Python as light `Record` objects.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime, Timelike};

use pyo3::prelude::*;
use pyo3::types::PyList;
use wsusdiag_core::log::{Log, Record as CoreRecord};
use wsusdiag_core::stream::LogStream;
use wsusdiag_core::{Error, ParseError};

use crate::errors::detached;

/// Bytes parsed per batch.
const CHUNK: usize = 4 << 20;

/// One record of a log. Client records have `pid`, `tid` and `component`; server records have
/// `level`, `process`, `thread` and `source` (`Class.Method`), and their `message` carries the
/// continuation lines (a stack trace).
///
/// Light: the texts of a whole batch share one buffer, and the time is only formatted when it
/// is read.
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

    /// As written, ISO 8601 without zone (client: its local time; server: UTC).
    #[getter]
    fn time(&self) -> Option<String> {
        self.fields.time.map(iso_millis)
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

    fn __repr__(&self) -> String {
        format!(
            "Record(line={}, time={:?}, component={:?}, message={:?})",
            self.fields.line,
            self.time(),
            self.component(),
            self.message()
        )
    }
}

/// `2008-07-14T09:12:01.375`, written by hand: `chrono`'s formatter parses its format string
/// on every call.
fn iso_millis(t: NaiveDateTime) -> String {
    let (date, clock) = (t.date(), t.time());
    let millis = clock.nanosecond() / 1_000_000 % 1000;
    let fields = [
        (u32::try_from(date.year()).unwrap_or(0), 4, '-'),
        (date.month(), 2, '-'),
        (date.day(), 2, 'T'),
        (clock.hour(), 2, ':'),
        (clock.minute(), 2, ':'),
        (clock.second(), 2, '.'),
        (millis, 3, ' '),
    ];
    let mut s = String::with_capacity(24);
    for (value, width, then) in fields {
        for place in (0..width).rev() {
            let digit = value / 10u32.pow(place) % 10;
            s.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
        }
        s.push(then);
    }
    s.pop();
    s
}

/// A bad line, as it is handed to Python: `(line, column, kind, text)`.
type BadLine = (u32, u32, String, String);

/// The texts of one batch, and where each record's are in them.
#[derive(Default)]
struct Batch {
    texts: String,
    records: Vec<Fields>,
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
                // Opened once: a named pipe cannot be opened again for the same bytes.
                let mut file = File::open(&path).map_err(|e| Error::io(&path, e))?;
                let mut head = [0u8; 128];
                let n = file.read(&mut head).map_err(|e| Error::io(&path, e))?;
                let head = head[..n].to_vec();
                if wsusdiag_core::etl::is_etl(&head) {
                    // A trace is decoded whole (a regular file: it is read again from its start).
                    let log = Log::open(&path)?;
                    let text = log.text().as_bytes();
                    let mut copy = Vec::new();
                    copy.try_reserve_exact(text.len())
                        .map_err(|_| Error::OutOfMemory {
                            name: path.display().to_string(),
                            bytes: text.len() as u64,
                        })?;
                    copy.extend_from_slice(text);
                    return Ok((
                        Box::new(Cursor::new(copy)) as Box<dyn Read + Send + Sync>,
                        Some("client-etl"),
                    ));
                }
                Ok((
                    Box::new(Cursor::new(head).chain(BufReader::new(file)))
                        as Box<dyn Read + Send + Sync>,
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

    /// The kind of log (`client-classic`, `client-win10`, `client-etl`, `client-configmgr`, `server`, `server-configmgr`), once known.
    #[getter]
    fn kind(&self) -> Option<&'static str> {
        self.kind.or_else(|| self.stream.kind().map(|k| k.as_str()))
    }

    /// The next batch: records and bad lines, or `None` at the end.
    fn next_batch<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<Option<(Bound<'py, PyList>, Vec<BadLine>)>> {
        if self.done {
            return Ok(None);
        }
        let stream = &mut self.stream;
        let (records, errors, more) = detached(py, || {
            let (mut batch, mut errors) = (Batch::default(), Vec::new());
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
