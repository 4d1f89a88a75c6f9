//! The report layer: the diagnosis as text for a terminal (JSON is its serde form).

mod text;

pub(crate) use text::text;
