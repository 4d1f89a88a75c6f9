//! Diagnoses, and error-code lookup.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsusdiag_core::{Input, Options};

use crate::errors::{interruptible, to_py, unpanicked};

/// A finished diagnosis (the Python `Diagnosis` wraps it).
#[pyclass(frozen, module = "wsusdiag._wsusdiag")]
pub(crate) struct Diagnosis {
    pub(crate) inner: wsusdiag_core::Diagnosis,
}

#[pymethods]
impl Diagnosis {
    /// The diagnosis as JSON (`schema_version` 2).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        unpanicked(py, || self.inner.to_json())?.map_err(|e| to_py(py, e))
    }

    /// The diagnosis as NDJSON: one flat JSON object per line, each with a `type`.
    fn to_ndjson(&self, py: Python<'_>) -> PyResult<String> {
        unpanicked(py, || self.inner.to_ndjson())
    }

    /// Hands the text of `to_json` to `write` (a callable taking `bytes`, such as a binary
    /// file's `write`) `chunk` bytes at a time, never holding it whole. It is rendered without
    /// the GIL, which is taken back only to hand each chunk over. An exception raised by `write`
    /// stops the rendering and is raised again here.
    #[pyo3(signature = (write, chunk = 1 << 20))]
    fn write_json(&self, py: Python<'_>, write: Py<PyAny>, chunk: usize) -> PyResult<()> {
        let chunk = chunk.max(1);
        let mut out = Chunks {
            write,
            buf: Vec::with_capacity(chunk.min(1 << 24)),
            chunk,
            failed: None,
        };
        let written = unpanicked(py, || {
            self.inner.write_json(&mut out).and_then(|()| out.flush())
        })?;
        match (out.failed, written) {
            (Some(raised), _) => Err(raised),
            (None, written) => Ok(written?),
        }
    }

    /// The text report, verdict first.
    fn to_text(&self, py: Python<'_>) -> PyResult<String> {
        unpanicked(py, || self.inner.to_text())
    }

    /// The HTML report: one self-contained page (no network needed to open it).
    fn to_html(&self, py: Python<'_>) -> PyResult<String> {
        unpanicked(py, || self.inner.to_html())
    }

    /// Whether any fault or known issue was found.
    #[getter]
    fn has_faults(&self) -> bool {
        self.inner.has_faults()
    }
}

/// A [`Write`] that hands what it is given to a Python callable in pieces of `chunk` bytes
/// (the last one shorter), taking the GIL for each.
struct Chunks {
    write: Py<PyAny>,
    buf: Vec<u8>,
    chunk: usize,
    /// What the callable raised; the writing stopped there.
    failed: Option<PyErr>,
}

impl Chunks {
    fn hand_over(&mut self) -> io::Result<()> {
        let handed = Python::attach(|py| {
            self.write
                .call1(py, (PyBytes::new(py, &self.buf),))
                .map(drop)
        });
        self.buf.clear();
        handed.map_err(|raised| {
            self.failed = Some(raised);
            io::Error::other("the Python write raised")
        })
    }
}

impl Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = (self.chunk - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.buf.len() == self.chunk {
                self.hand_over()?;
            }
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.hand_over()
    }
}

/// The options for a list of rules files, and the flag that stops the work on Ctrl-C.
pub(crate) fn options(rules: Vec<PathBuf>) -> (Options, Arc<AtomicBool>) {
    let cancel = Arc::new(AtomicBool::new(false));
    let options = Options::default()
        .with_rule_files(rules)
        .with_cancel(Arc::clone(&cancel));
    (options, cancel)
}

/// `options` quoting a fault's evidence as `evidence` (`key` or `full`) says.
pub(crate) fn with_evidence(
    (options, cancel): (Options, Arc<AtomicBool>),
    evidence: &str,
) -> PyResult<(Options, Arc<AtomicBool>)> {
    let evidence = evidence.parse().map_err(|e| {
        pyo3::exceptions::PyValueError::new_err(format!("evidence: {e} (key or full)"))
    })?;
    Ok((options.with_evidence(evidence), cancel))
}

/// Runs `step` (a diagnosis, an analysis) over files and folders, without the GIL and stopped
/// by Ctrl-C.
pub(crate) fn over_paths<T: Send>(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    (options, cancel): (Options, Arc<AtomicBool>),
    step: impl FnOnce(Vec<Input<'static>>, &Options) -> wsusdiag_core::Result<T> + Send,
) -> PyResult<T> {
    interruptible(py, &cancel, move || {
        step(paths.into_iter().map(Input::Path).collect(), &options)
    })
}

/// Runs `step` over named buffers, read where they are (never copied: a copy of a large log
/// could fail for want of memory), without the GIL and stopped by Ctrl-C.
pub(crate) fn over_buffers<T: Send>(
    py: Python<'_>,
    buffers: &[(String, Py<PyBytes>)],
    (options, cancel): (Options, Arc<AtomicBool>),
    step: impl for<'a> FnOnce(Vec<Input<'a>>, &Options) -> wsusdiag_core::Result<T> + Send,
) -> PyResult<T> {
    let named: Vec<(&str, &[u8])> = buffers
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_bytes(py)))
        .collect();
    interruptible(py, &cancel, move || {
        let inputs = named.iter().map(|&(name, bytes)| Input::Buffer {
            name: name.to_owned(),
            bytes,
        });
        step(inputs.collect(), &options)
    })
}

/// Diagnoses files and folders.
#[pyfunction]
#[pyo3(signature = (paths, rules, evidence = "key"))]
pub(crate) fn diagnose_paths(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    rules: Vec<PathBuf>,
    evidence: &str,
) -> PyResult<Diagnosis> {
    let options = with_evidence(options(rules), evidence)?;
    let inner = over_paths(py, paths, options, wsusdiag_core::diagnose)?;
    Ok(Diagnosis { inner })
}

/// Diagnoses named buffers, read where they are.
#[pyfunction]
#[pyo3(signature = (buffers, rules, evidence = "key"))]
pub(crate) fn diagnose_buffers(
    py: Python<'_>,
    buffers: Vec<(String, Py<PyBytes>)>,
    rules: Vec<PathBuf>,
    evidence: &str,
) -> PyResult<Diagnosis> {
    let options = with_evidence(options(rules), evidence)?;
    let inner = over_buffers(py, &buffers, options, |i, o| wsusdiag_core::diagnose(i, o))?;
    Ok(Diagnosis { inner })
}

/// Diagnoses the bundled KB954960 sample.
#[pyfunction]
#[pyo3(signature = (rules, evidence = "key"))]
pub(crate) fn diagnose_sample(
    py: Python<'_>,
    rules: Vec<PathBuf>,
    evidence: &str,
) -> PyResult<Diagnosis> {
    let (options, cancel) = with_evidence(options(rules), evidence)?;
    let inner = interruptible(py, &cancel, move || {
        wsusdiag_core::diagnose(wsusdiag_core::sample::kb954960(), &options)
    })?;
    Ok(Diagnosis { inner })
}

/// What a code means, as JSON, or `None` when `code` is text that is not a code. An int out
/// of the 32-bit range, or a str that cannot be UTF-8 (a lone surrogate), is a `ValueError`
/// that says so.
#[pyfunction]
pub(crate) fn lookup_hresult_json(code: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    use pyo3::exceptions::PyValueError;
    use pyo3::types::{PyInt, PyString};
    use wsusdiag_core::knowledge::hresult;
    let value = if code.is_instance_of::<PyInt>() {
        let n = code.extract::<i64>().ok();
        match n.and_then(|n| {
            u32::try_from(n)
                .or_else(|_| i32::try_from(n).map(|v| v as u32))
                .ok()
        }) {
            Some(v) => v,
            None => {
                return Err(PyValueError::new_err(format!(
                    "lookup_hresult(): {} is out of range: an error code is a 32-bit number, \
                     from -2147483648 to 4294967295",
                    code.repr()?
                )));
            }
        }
    } else if code.is_instance_of::<PyString>() {
        let Ok(s) = code.extract::<String>() else {
            return Err(PyValueError::new_err(format!(
                "lookup_hresult(): {} cannot be encoded as UTF-8 (it holds a lone surrogate), \
                 so it is no error code",
                code.repr()?
            )));
        };
        match hresult::parse_code(&s) {
            Some(v) => v,
            None => return Ok(None),
        }
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "lookup_hresult() expects an int or a str such as '0x8024400E', not {}",
            code.get_type().name()?
        )));
    };
    Ok(serde_json::to_string(&hresult::describe(value)).ok())
}
