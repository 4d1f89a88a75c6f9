//! Diagnoses, and error-code lookup.

use std::path::PathBuf;

use pyo3::prelude::*;
use wsusdiag_core::{Input, Options};

use crate::errors::detached;

/// A finished diagnosis (the Python `Diagnosis` wraps it).
#[pyclass(frozen, module = "wsusdiag._wsusdiag")]
pub(crate) struct Diagnosis {
    inner: wsusdiag_core::Diagnosis,
}

#[pymethods]
impl Diagnosis {
    /// The diagnosis as JSON (`schema_version` 1).
    fn to_json(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.to_json())
    }

    /// The text report, verdict first.
    fn to_text(&self, py: Python<'_>) -> String {
        py.detach(|| self.inner.to_text())
    }

    /// Whether any fault or known issue was found.
    #[getter]
    fn has_faults(&self) -> bool {
        self.inner.has_faults()
    }
}

fn options(rules: Vec<PathBuf>) -> Options {
    Options {
        rule_files: rules,
        ..Options::default()
    }
}

/// Diagnoses files and folders.
#[pyfunction]
#[pyo3(signature = (paths, rules))]
pub(crate) fn diagnose_paths(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    rules: Vec<PathBuf>,
) -> PyResult<Diagnosis> {
    let options = options(rules);
    let inner = detached(py, move || wsusdiag_core::diagnose_paths(&paths, &options))?;
    Ok(Diagnosis { inner })
}

/// Diagnoses named buffers.
#[pyfunction]
#[pyo3(signature = (buffers, rules))]
pub(crate) fn diagnose_buffers(
    py: Python<'_>,
    buffers: Vec<(String, Vec<u8>)>,
    rules: Vec<PathBuf>,
) -> PyResult<Diagnosis> {
    let options = options(rules);
    let inner = detached(py, move || {
        let inputs = buffers.iter().map(|(name, bytes)| Input::Buffer {
            name: name.clone(),
            bytes,
        });
        wsusdiag_core::diagnose(inputs, &options)
    })?;
    Ok(Diagnosis { inner })
}

/// Diagnoses the bundled KB954960 sample.
#[pyfunction]
#[pyo3(signature = (rules))]
pub(crate) fn diagnose_sample(py: Python<'_>, rules: Vec<PathBuf>) -> PyResult<Diagnosis> {
    let options = options(rules);
    let inner = detached(py, move || {
        wsusdiag_core::diagnose(wsusdiag_core::sample::kb954960(), &options)
    })?;
    Ok(Diagnosis { inner })
}

/// What a code means, as JSON, or `None` when `code` is not a code.
#[pyfunction]
pub(crate) fn lookup_hresult_json(code: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    use wsusdiag_core::knowledge::hresult;
    let value = if let Ok(n) = code.extract::<i64>() {
        match u32::try_from(n).or_else(|_| i32::try_from(n).map(|v| v as u32)) {
            Ok(v) => v,
            Err(_) => return Ok(None),
        }
    } else if let Ok(s) = code.extract::<String>() {
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
