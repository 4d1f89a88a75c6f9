//! The input layer: bytes from a file or a buffer, decoded once to text, and the kind of log
//! they hold, sniffed from the content (never from the file name).

mod decode;
mod file;
mod sniff;
mod walk;

pub use decode::{Decoded, TextEncoding, decode};
pub(crate) use decode::{utf8_head, utf16_without_bom};
pub use file::{FileData, SPECIAL_FILE_CAP};
pub(crate) use sniff::SNIFF_BYTES;
pub use sniff::{LogKind, sniff};
pub(crate) use walk::{Found, Walk, open_listed};
