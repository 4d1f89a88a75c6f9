//! What wsusdiag knows: Windows Update error codes, and the known issues as rules.

pub mod hresult;
pub mod rules;
