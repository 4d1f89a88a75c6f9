//! Result codes, and how core errors map to them.

use std::ffi::{c_char, c_int};
use std::io::ErrorKind;

use wsusdiag_core::Error;

use crate::boundary::Failure;

/// What a call did. `WSUSDIAG_RESULT_OK` (0) is success; everything else but
/// `WSUSDIAG_RESULT_END` is a failure, with detail in `wsusdiag_last_error_message`.
///
/// Blocks: 1xx arguments, 2xx inputs that are not logs, 3xx reserved for log parsing, 4xx I/O,
/// 5xx rules files, 6xx resources, 9xx internal. Numbers are never reused; retired ones stay
/// listed here as comments.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum wsusdiag_result {
    /// Success.
    Ok = 0,
    /// Not a failure: the record reader has no more records.
    End = 1,

    // 1xx: the caller's arguments.
    /// A required pointer was NULL (or an input pointer was NULL with a non-zero length).
    NullParameter = 100,
    /// Text that must be UTF-8 (a path, a name, a code) is not.
    InvalidUtf8 = 101,
    /// An argument is not usable: an empty list, an empty path, lengths that do not add up,
    /// a string that is not an HRESULT.
    InvalidArgument = 102,

    // 2xx: inputs that are not logs.
    /// An input is neither a Windows Update client log nor a WSUS server log; for the
    /// `wsusdiag_diagnose_*` functions: no input is a log (an empty folder, a picture, an
    /// empty buffer), so nothing was diagnosed. A non-log among logs is listed in the
    /// diagnosis instead.
    UnknownFormat = 200,

    // 3xx: reserved for log parsing. Malformed lines are reported as rows, not as errors.

    // 4xx: I/O.
    /// A file or folder could not be read for a reason not listed below.
    Io = 400,
    /// A file or folder does not exist.
    NotFound = 401,
    /// A file or folder may not be read by this process.
    PermissionDenied = 402,
    /// An input that is not a regular file (a pipe, a device) gave more than the cap on such
    /// inputs (256 MiB): save the log to a file.
    TooLarge = 403,

    // 5xx: rules files.
    /// A rules file is not valid; the last error names its line and column.
    RulesInvalid = 500,

    // 6xx: resources.
    /// Memory for an input could not be had; the last error names the input and the size.
    /// The call had no effect; the process goes on.
    OutOfMemory = 600,

    // 9xx: internal.
    /// The library panicked; the last error holds the panic's message. The call had no effect
    /// on its outputs. Please report it.
    Panic = 900,
    /// An error the library has no code for yet. Please report it.
    Internal = 901,
}

impl wsusdiag_result {
    /// Every code, in numeric order.
    const ALL: [Self; 14] = [
        Self::Ok,
        Self::End,
        Self::NullParameter,
        Self::InvalidUtf8,
        Self::InvalidArgument,
        Self::UnknownFormat,
        Self::Io,
        Self::NotFound,
        Self::PermissionDenied,
        Self::TooLarge,
        Self::RulesInvalid,
        Self::OutOfMemory,
        Self::Panic,
        Self::Internal,
    ];

    /// The code's name as in the header, NUL-terminated.
    const fn name_nul(self) -> &'static str {
        match self {
            Self::Ok => "WSUSDIAG_RESULT_OK\0",
            Self::End => "WSUSDIAG_RESULT_END\0",
            Self::NullParameter => "WSUSDIAG_RESULT_NULL_PARAMETER\0",
            Self::InvalidUtf8 => "WSUSDIAG_RESULT_INVALID_UTF8\0",
            Self::InvalidArgument => "WSUSDIAG_RESULT_INVALID_ARGUMENT\0",
            Self::UnknownFormat => "WSUSDIAG_RESULT_UNKNOWN_FORMAT\0",
            Self::Io => "WSUSDIAG_RESULT_IO\0",
            Self::NotFound => "WSUSDIAG_RESULT_NOT_FOUND\0",
            Self::PermissionDenied => "WSUSDIAG_RESULT_PERMISSION_DENIED\0",
            Self::TooLarge => "WSUSDIAG_RESULT_TOO_LARGE\0",
            Self::RulesInvalid => "WSUSDIAG_RESULT_RULES_INVALID\0",
            Self::OutOfMemory => "WSUSDIAG_RESULT_OUT_OF_MEMORY\0",
            Self::Panic => "WSUSDIAG_RESULT_PANIC\0",
            Self::Internal => "WSUSDIAG_RESULT_INTERNAL\0",
        }
    }

    /// The code's name as in the header (`"WSUSDIAG_RESULT_NOT_FOUND"`).
    pub fn name(self) -> &'static str {
        let n = self.name_nul();
        &n[..n.len() - 1]
    }

    /// The code with this number, if there is one.
    pub fn from_code(code: c_int) -> Option<Self> {
        Self::ALL.into_iter().find(|r| *r as c_int == code)
    }

    /// Whether this code is in the 1xx block (the caller's arguments).
    pub(crate) fn is_argument_error(self) -> bool {
        (100..200).contains(&(self as c_int))
    }
}

const UNKNOWN_NAME: &str = "WSUSDIAG_RESULT_UNKNOWN\0";

/// The name of a result code as in the header (`"WSUSDIAG_RESULT_NOT_FOUND"`), for logs.
///
/// The argument is a plain `int` so that any number may be passed safely; a number that is
/// not a code gives `"WSUSDIAG_RESULT_UNKNOWN"`. The string is static and NUL-terminated: do
/// not free it. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn wsusdiag_result_name(result: c_int) -> *const c_char {
    let name = ffi_boundary_or!("wsusdiag_result_name", UNKNOWN_NAME, {
        wsusdiag_result::from_code(result).map_or(UNKNOWN_NAME, wsusdiag_result::name_nul)
    });
    name.as_ptr().cast()
}

/// The code for an I/O error.
fn io_code(kind: ErrorKind) -> wsusdiag_result {
    match kind {
        ErrorKind::NotFound => wsusdiag_result::NotFound,
        ErrorKind::PermissionDenied => wsusdiag_result::PermissionDenied,
        _ => wsusdiag_result::Io,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Io { source, .. } => io_code(source.kind()),
            Error::UnknownFormat { .. } | Error::NoLog { .. } => wsusdiag_result::UnknownFormat,
            Error::TooLarge { .. } => wsusdiag_result::TooLarge,
            Error::OutOfMemory { .. } => wsusdiag_result::OutOfMemory,
            Error::Rules { .. } => wsusdiag_result::RulesInvalid,
            Error::InvalidArgument(_) => wsusdiag_result::InvalidArgument,
            _ => wsusdiag_result::Internal,
        };
        Failure::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_codes() {
        for r in wsusdiag_result::ALL {
            assert_eq!(wsusdiag_result::from_code(r as c_int), Some(r));
            assert!(r.name().starts_with("WSUSDIAG_RESULT_"));
            assert!(!r.name().contains('\0'));
        }
        assert_eq!(wsusdiag_result::from_code(7), None);
    }

    #[test]
    fn io_errors_get_their_codes() {
        let e = Error::io("C:\\x.log", std::io::Error::from(ErrorKind::NotFound));
        let f = Failure::from(e);
        assert_eq!(f.code, wsusdiag_result::NotFound);
        assert!(f.message.starts_with("C:\\x.log: "), "{}", f.message);
    }
}
