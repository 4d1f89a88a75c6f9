//! The library's version.

use std::ffi::c_char;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, `"MAJOR.MINOR.PATCH"`: a static NUL-terminated string, never NULL,
/// not to be freed. Compare it with the header's `WSUSDIAG_VERSION_*` macros.
#[unsafe(no_mangle)]
pub extern "C" fn wsusdiag_version() -> *const c_char {
    // Nothing here can panic; the boundary is kept so that every export has one.
    ffi_boundary_or!("wsusdiag_version", VERSION.as_ptr().cast(), {
        VERSION.as_ptr().cast()
    })
}
