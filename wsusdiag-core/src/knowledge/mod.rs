//! What wsusdiag knows: Windows Update error codes, the known issues as rules, and which
//! client failure may be joined by time to which server entry.

pub mod hresult;
pub(crate) mod joins;
pub mod rules;
