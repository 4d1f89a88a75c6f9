//! The Windows Update HRESULT table and its lookup (placeholder until the table lands).

/// One listed code.
#[derive(Debug)]
pub struct HresultInfo {
    /// The code.
    pub code: u32,
    /// Symbol.
    pub name: &'static str,
    /// Meaning.
    pub description: &'static str,
    /// Server side.
    pub server_side: bool,
}

/// Looks a code up.
pub fn lookup(_code: u32) -> Option<&'static HresultInfo> {
    None
}

/// `0x8024400E`.
pub fn format_code(code: u32) -> String {
    format!("0x{code:08X}")
}

/// Whether a code is a failure.
pub fn is_failure(code: u32) -> bool {
    code & 0x8000_0000 != 0 && code != 0x8024_000C
}
