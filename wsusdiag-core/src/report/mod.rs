//! The report layer: the diagnosis as text for a terminal, and as JSON (its serde form).

pub(crate) mod json;
mod text;

pub(crate) use text::text;
