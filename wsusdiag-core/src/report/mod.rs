//! The report layer: the diagnosis as text for a terminal, as JSON (its serde form), as
//! NDJSON for log platforms, and as one HTML page.

pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod ndjson;
pub(crate) mod text;
