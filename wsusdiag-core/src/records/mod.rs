//! The record layer: one record per log entry, borrowing its fields from the input text.
//!
//! Parsers are strict and fast on well-formed logs and lenient on what people paste: spaces
//! instead of TABs, TABs deleted, `Date Time` placeholders, entries joined on one line,
//! paste-site line numbers. A line that starts like an entry but does not parse is returned as a
//! [`ParseError`](crate::ParseError) and skipped; it never stops the input.

mod client;
pub mod cmtrace;
pub(crate) mod components;
mod grammar;
pub mod lines;
mod reader;
mod scan;
mod server;
mod trace;

pub use client::{ClientFormat, ClientRecord, ClientRecords, Shape};
pub use components::is_known_component;
pub use reader::{Record, Records};
pub use server::{ServerRecord, ServerRecords};
pub use trace::{TraceEvents, TraceRecords};

/// Lines longer than this are parsed, but only their first `MAX_LINE` bytes are searched for
/// joined entries, so a pathological line cannot make parsing slow.
pub const MAX_LINE: usize = 1 << 20;
