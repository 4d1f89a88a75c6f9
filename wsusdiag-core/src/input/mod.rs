//! The input layer: bytes from a file or a buffer, decoded once to text, and the kind of log
//! they hold, sniffed from the content (never from the file name).

mod decode;
mod file;
mod sniff;

pub(crate) use decode::utf16_without_bom;
pub use decode::{Decoded, TextEncoding, decode};
pub use file::FileData;
pub use sniff::{LogKind, sniff};
