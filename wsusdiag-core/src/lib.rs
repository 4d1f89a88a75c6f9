//! wsusdiag-core: why Windows computers do not get their updates from WSUS.
#![deny(unsafe_code)]

pub mod error;
pub mod etl;
pub mod knowledge;

pub use error::{Error, ParseError, ParseErrorKind, Position, Result};
pub mod events;
pub mod input;
pub mod lines;
pub mod records;
