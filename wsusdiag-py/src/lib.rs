//! `wsusdiag._wsusdiag`: the native module behind the `wsusdiag` Python package.
//!
//! Thin by design: every call goes to `wsusdiag-core` with the GIL released, inside a panic
//! guard, and comes back as a `Diagnosis` or `LogAnalysis` handle, JSON text or `Record`
//! objects; the Python package (`python/wsusdiag`) shapes them for users.

mod analysis;
mod diagnosis;
mod errors;
mod reader;
mod values;

use pyo3::prelude::*;

/// The allocator of everything the module allocates in Rust (Python's objects keep Python's).
/// The library's work runs on rayon's threads, whose glibc heaps grow one page and one system
/// call at a time; mimalloc takes memory from the system in large pieces (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The native module.
#[pymodule]
fn _wsusdiag(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("WsusDiagError", py.get_type::<errors::WsusDiagError>())?;
    m.add("ParseError", py.get_type::<errors::ParseError>())?;
    m.add_class::<diagnosis::Diagnosis>()?;
    m.add_class::<analysis::LogAnalysis>()?;
    m.add_class::<reader::LogReader>()?;
    m.add_class::<reader::Record>()?;
    m.add_function(wrap_pyfunction!(diagnosis::diagnose_paths, m)?)?;
    m.add_function(wrap_pyfunction!(diagnosis::diagnose_buffers, m)?)?;
    m.add_function(wrap_pyfunction!(diagnosis::diagnose_sample, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::analyse_paths, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::analyse_buffers, m)?)?;
    m.add_function(wrap_pyfunction!(analysis::combine, m)?)?;
    m.add_function(wrap_pyfunction!(diagnosis::lookup_hresult_json, m)?)?;
    m.add_function(wrap_pyfunction!(values::spellings, m)?)?;
    Ok(())
}
