//! The spellings of the diagnosis's typed values (`fault-id`, `confirmed`), from which the
//! Python package's enums are checked.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use wsusdiag_core::diagnosis::{
    Confidence, Correlation, EndpointKind, LogKind, OffsetBasis, Operation, ProblemKind,
    ServerScope, Severity, TextEncoding, UpdateSource,
};

/// Each typed value of the JSON by its Rust name, with its spellings in declaration order.
macro_rules! spellings_of {
    ($($name:ident),+ $(,)?) => {
        BTreeMap::from([$(
            (stringify!($name), $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>()),
        )+])
    };
}

/// The spellings of every typed value: `{"Correlation": ["fault-id", …], …}`.
#[pyfunction]
pub(crate) fn spellings() -> BTreeMap<&'static str, Vec<&'static str>> {
    spellings_of!(
        Confidence,
        Correlation,
        EndpointKind,
        LogKind,
        OffsetBasis,
        Operation,
        ProblemKind,
        ServerScope,
        Severity,
        TextEncoding,
        UpdateSource,
    )
}
