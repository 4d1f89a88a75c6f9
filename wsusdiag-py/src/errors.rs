//! Python exceptions, and how core errors and panics become them.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{
    PyException, PyFileNotFoundError, PyMemoryError, PyOSError, PyPermissionError,
};
use pyo3::prelude::*;
use pyo3::types::PyString;
use wsusdiag_core::Error;

pyo3::create_exception!(
    _wsusdiag,
    WsusDiagError,
    PyException,
    "Base class of wsusdiag's errors."
);
pyo3::create_exception!(
    _wsusdiag,
    ParseError,
    WsusDiagError,
    "Input (a rules file) that cannot be read, with its path, line and column."
);

/// A core error as the Python exception a user expects.
pub(crate) fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Io { path, source } => io_error(py, &path, &source),
        Error::Rules {
            name,
            line,
            column,
            message,
        } => {
            let err =
                ParseError::new_err(format!("{name}: line {line}, column {column}: {message}"));
            let value = err.value(py);
            // Setting attributes on a fresh exception object cannot fail in practice; if it
            // did, the message still says where.
            let _ = value.setattr("path", name);
            let _ = value.setattr("line", line);
            let _ = value.setattr("column", column);
            err
        }
        e @ Error::OutOfMemory { .. } => PyMemoryError::new_err(e.to_string()),
        other => WsusDiagError::new_err(other.to_string()),
    }
}

/// An I/O error as Python's own: `[Errno 2] No such file or directory: '/x'`, the path in
/// `filename` (on Windows `[WinError 2] …`, the code in `winerror`).
fn io_error(py: Python<'_>, path: &std::path::Path, source: &std::io::Error) -> PyErr {
    let filename = path.display().to_string();
    let text = source.to_string();
    let Some(code) = source.raw_os_error() else {
        // No error number: the message names the path as Python's would.
        let shown = PyString::new(py, &filename).repr().map(|r| r.to_string());
        let err = PyOSError::new_err(format!("{text}: {}", shown.unwrap_or_default()));
        // Setting an attribute of a fresh exception cannot fail in practice.
        let _ = err.value(py).setattr("filename", filename);
        return err;
    };
    // Rust's message ends in ` (os error 2)`; Python's strerror does not.
    let strerror = text
        .strip_suffix(&format!(" (os error {code})"))
        .unwrap_or(&text)
        .to_owned();
    #[cfg(windows)]
    let args = (0, strerror, filename, code);
    #[cfg(not(windows))]
    let args = (code, strerror, filename);
    match source.kind() {
        std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(args),
        std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(args),
        // OSError picks the subclass of the errno (IsADirectoryError, …).
        _ => PyOSError::new_err(args),
    }
}

/// Runs `f` without the GIL; an error comes back as the Python exception a user expects, and
/// a panic as a `WsusDiagError`, never a crash.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    unpanicked(py, f)?.map_err(|e| to_py(py, e))
}

/// Runs a diagnosis without the GIL on a worker thread, while this thread checks for a pending
/// signal every 50 ms: on Ctrl-C the diagnosis is told to stop (`Options::cancel`, checked
/// between inputs and between its steps) and the signal's exception (KeyboardInterrupt) is
/// raised as soon as it has. Errors and panics come back as in [`detached`].
pub(crate) fn interruptible<T: Send>(
    py: Python<'_>,
    cancel: &AtomicBool,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    let outcome = std::thread::scope(|scope| {
        let worker = scope.spawn(|| catch_unwind(AssertUnwindSafe(f)));
        let mut interrupted = None;
        while !worker.is_finished() {
            py.detach(|| {
                let mut waited = 0;
                while waited < 50 && !worker.is_finished() {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    waited += 2;
                }
            });
            if interrupted.is_none()
                && let Err(signal) = py.check_signals()
            {
                cancel.store(true, Ordering::Relaxed);
                interrupted = Some(signal);
            }
        }
        (worker.join(), interrupted)
    });
    match outcome {
        (_, Some(signal)) => Err(signal),
        (Ok(Ok(result)), None) => result.map_err(|e| to_py(py, e)),
        (Ok(Err(panic)) | Err(panic), None) => Err(panicked(panic.as_ref())),
    }
}

/// The `WsusDiagError` for a caught panic.
fn panicked(panic: &(dyn std::any::Any + Send)) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    WsusDiagError::new_err(format!("internal error (please report it): {what}"))
}

/// Runs `f` without the GIL; a panic comes back as a `WsusDiagError`, never a crash.
pub(crate) fn unpanicked<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|panic| panicked(panic.as_ref()))
}
