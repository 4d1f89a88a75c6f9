//! Analyses of logs, made where the logs lie and combined into one diagnosis.

use std::borrow::Cow;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use wsusdiag_core::analysis;

use crate::diagnosis::{Diagnosis, options, over_buffers, over_paths, with_evidence};
use crate::errors::{detached, interruptible};

/// What a diagnosis needs of a set of logs (the Python `wsusdiag.LogAnalysis`).
#[pyclass(frozen, module = "wsusdiag._wsusdiag")]
pub(crate) struct LogAnalysis {
    inner: analysis::LogAnalysis,
}

#[pymethods]
impl LogAnalysis {
    /// The analysis in its compact binary form, versioned.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = detached(py, || self.inner.to_bytes())?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads the bytes of `to_bytes`; anything else is a `WsusDiagError` that says what is
    /// wrong (another version of wsusdiag included).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: Cow<'_, [u8]>) -> PyResult<Self> {
        let inner = detached(py, || analysis::LogAnalysis::from_bytes(&data))?;
        Ok(Self { inner })
    }

    /// This analysis and the others in one (none changes), sorted once; all must have been
    /// read with the same rules.
    #[pyo3(signature = (*others))]
    fn merge(&self, py: Python<'_>, others: Vec<PyRef<'_, Self>>) -> PyResult<Self> {
        let others: Vec<&analysis::LogAnalysis> = others.iter().map(|o| &o.inner).collect();
        let inner = detached(py, || {
            (self.inner.clone()).merge_all(others.into_iter().cloned())
        })?;
        Ok(Self { inner })
    }

    /// The inputs' paths or names, in the order a folder is read.
    #[getter]
    fn names(&self) -> Vec<&str> {
        self.inner.names().collect()
    }

    /// What each input turned out to be (`client-classic`, `server`, …; `None`: no log).
    #[getter]
    fn kinds(&self) -> Vec<Option<&'static str>> {
        self.inner.kinds().map(|k| k.map(|k| k.as_str())).collect()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// `<LogAnalysis of 3 inputs (2 client logs, 1 server log): 'a/WindowsUpdate.log' …
    /// 'wsus/SoftwareDistribution.log'>`.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let kinds: Vec<_> = self.inner.kinds().collect();
        let clients = kinds
            .iter()
            .filter(|k| k.is_some_and(|k| k.is_client()))
            .count();
        let servers = kinds
            .iter()
            .filter(|k| k.is_some_and(|k| !k.is_client()))
            .count();
        let mut parts = vec![count(clients, "client log"), count(servers, "server log")];
        if clients + servers < kinds.len() {
            parts.push(format!("{} not a log", kinds.len() - clients - servers));
        }
        let repr =
            |name: &str| -> PyResult<String> { Ok(name.into_pyobject(py)?.repr()?.to_string()) };
        let names: Vec<&str> = self.inner.names().collect();
        let shown = match names.as_slice() {
            [] => String::new(),
            [one] => format!(": {}", repr(one)?),
            [first, second] => format!(": {}, {}", repr(first)?, repr(second)?),
            [first, .., last] => format!(": {} … {}", repr(first)?, repr(last)?),
        };
        Ok(format!(
            "<LogAnalysis of {} ({}){shown}>",
            count(kinds.len(), "input"),
            parts.join(", ")
        ))
    }

    /// Pickled as its bytes: `LogAnalysis.from_bytes(analysis.to_bytes())`.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(slf.py())?,)))
    }
}

/// Analyses files and folders as one set of inputs (a folder: every file it holds).
#[pyfunction]
#[pyo3(signature = (paths, rules))]
pub(crate) fn analyse_paths(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    rules: Vec<PathBuf>,
) -> PyResult<LogAnalysis> {
    let inner = over_paths(py, paths, options(rules), analysis::analyse)?;
    Ok(LogAnalysis { inner })
}

/// Analyses named buffers, read where they are.
#[pyfunction]
#[pyo3(signature = (buffers, rules))]
pub(crate) fn analyse_buffers(
    py: Python<'_>,
    buffers: Vec<(String, Py<PyBytes>)>,
    rules: Vec<PathBuf>,
) -> PyResult<LogAnalysis> {
    let inner = over_buffers(py, &buffers, options(rules), |i, o| analysis::analyse(i, o))?;
    Ok(LogAnalysis { inner })
}

/// The diagnosis of analyses, in any grouping and order.
#[pyfunction]
#[pyo3(signature = (analyses, rules, evidence = "key"))]
pub(crate) fn combine(
    py: Python<'_>,
    analyses: Vec<Bound<'_, LogAnalysis>>,
    rules: Vec<PathBuf>,
    evidence: &str,
) -> PyResult<Diagnosis> {
    let (options, cancel) = with_evidence(options(rules), evidence)?;
    let parts: Vec<&analysis::LogAnalysis> = analyses.iter().map(|a| &a.get().inner).collect();
    let inner = interruptible(py, &cancel, move || {
        analysis::combine(parts.into_iter().cloned(), &options)
    })?;
    Ok(Diagnosis { inner })
}
