//! The input layer: bytes from a file or a buffer, decoded once to text, and the kind of log
//! they hold, sniffed from the content (never from the file name); what a paste wraps around
//! log lines is taken off first.

mod decode;
mod file;
mod parts;
mod sniff;
mod unwrap;
mod walk;

pub use decode::{Decoded, TextEncoding, decode};
pub(crate) use decode::{utf8_head, utf16_without_bom};
pub use file::{FileData, SPECIAL_FILE_CAP};
pub(crate) use file::{NotAFile, Shrunk};
pub(crate) use parts::LineParts;
#[cfg(test)]
pub(crate) use parts::TempLog;
pub(crate) use sniff::SNIFF_BYTES;
pub use sniff::{LogKind, NotALog, sniff};
pub use unwrap::{Unwrapped, is_clean, unwrap};
pub(crate) use walk::{Found, Walk, open_listed};

/// Compiles the patterns that tell what an input is and unwrap a paste, which every run
/// needs; done beside the rules' compilation, so that no reader waits for them.
pub(crate) fn compile_patterns() {
    sniff::compile_patterns();
    unwrap::compile_patterns();
}
