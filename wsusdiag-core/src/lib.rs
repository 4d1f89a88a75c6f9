//! wsusdiag-core: why Windows computers do not get their updates from WSUS.
#![deny(unsafe_code)]

mod analyze;
mod correlate;
mod diagnose;
pub mod diagnosis;
pub mod error;
pub mod etl;
pub mod events;
pub mod input;
pub mod knowledge;
pub mod lines;
pub mod log;
pub mod records;
mod report;
pub mod sample;

pub use diagnose::{Input, Options, diagnose, diagnose_buffers, diagnose_paths};
pub use diagnosis::Diagnosis;
pub use error::{Error, ParseError, ParseErrorKind, Position, Result};

/// The README's Rust examples, compiled as doctests so they cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
