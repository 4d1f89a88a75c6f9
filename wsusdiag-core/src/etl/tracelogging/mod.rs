//! TraceLogging self-description: the metadata that names an event and its fields and gives
//! each field's type ([`schema`]), the walk through a payload it makes possible ([`payload`]),
//! and the values as text ([`display`]). The type codes the metadata declares are kept here, for
//! the schema and the walk.

mod display;
mod payload;
mod schema;

pub use payload::{Field, Value};
pub(crate) use payload::{MessageSpan, WalkError, decode, locate, write_span};
pub(crate) use schema::{Schema, SchemaError, parse_schema, provider_name};

/// Field types (`InType`) this reader decodes.
mod in_type {
    pub(super) const NULL: u8 = 0;
    pub(super) const UNICODE_STRING: u8 = 1;
    pub(super) const ANSI_STRING: u8 = 2;
    pub(super) const INT8: u8 = 3;
    pub(super) const UINT8: u8 = 4;
    pub(super) const INT16: u8 = 5;
    pub(super) const UINT16: u8 = 6;
    pub(super) const INT32: u8 = 7;
    pub(super) const UINT32: u8 = 8;
    pub(super) const INT64: u8 = 9;
    pub(super) const UINT64: u8 = 10;
    pub(super) const FLOAT: u8 = 11;
    pub(super) const DOUBLE: u8 = 12;
    pub(super) const BOOL32: u8 = 13;
    pub(super) const BINARY: u8 = 14;
    pub(super) const GUID: u8 = 15;
    /// Pointer-sized (TDH's POINTER); its size follows the event's 32/64-bit header flag.
    pub(super) const POINTER: u8 = 16;
    pub(super) const FILETIME: u8 = 17;
    pub(super) const SYSTEMTIME: u8 = 18;
    pub(super) const SID: u8 = 19;
    pub(super) const HEX_INT32: u8 = 20;
    pub(super) const HEX_INT64: u8 = 21;
    pub(super) const COUNTED_STRING: u8 = 22;
    pub(super) const COUNTED_ANSI_STRING: u8 = 23;
    pub(super) const STRUCT: u8 = 24;
    pub(super) const COUNTED_BINARY: u8 = 25;
}

/// Output formats (`OutType`) that change how a value is shown.
mod out_type {
    pub(super) const BOOLEAN: u8 = 0x03;
    pub(super) const HEX: u8 = 0x04;
}
