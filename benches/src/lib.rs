//! Benchmarks for wsusdiag, and the generator of large, realistic logs they run on.
//!
//! [`generate`] writes client logs (classic and Windows 10) and server logs of any size with a known
//! mix of faults, and the truth about them, deterministically from a seed. [`probe`] is the
//! near-limit baseline every parser figure is compared with: it only splits lines and tab
//! fields.

pub mod generate;
pub mod probe;
pub mod two_servers;
