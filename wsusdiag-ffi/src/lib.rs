//! The C ABI of wsusdiag: `wsusdiag.dll` / `libwsusdiag.so` / `libwsusdiag.a` and the header
//! `include/wsusdiag.h`, for C callers and for PowerShell through P/Invoke.
//!
//! The Rust side is [`wsusdiag_core`]; this crate only moves bytes across the boundary. Its
//! functions are `unsafe extern "C"` because they take raw pointers; a Rust program should use
//! `wsusdiag-core` directly.
//!
//! # Rules of the API
//!
//! 1. **Names.** Every symbol starts with `wsusdiag_`. A function on a handle is
//!    `wsusdiag_<handle>_<verb>`, and every handle has its `wsusdiag_<handle>_free`. A handle
//!    passed as `const *` is only read by that function; no function but its `_free` takes a
//!    handle's ownership.
//! 2. **Results.** Every function that can fail returns a [`wsusdiag_result`]:
//!    `WSUSDIAG_RESULT_OK` (0) on success, a non-zero code otherwise. The codes come in blocks:
//!    1xx the caller's arguments, 2xx the input is not a log, 3xx reserved for log parsing
//!    (a malformed line is never an error: the record reader reports it as a row), 4xx I/O,
//!    5xx rules files, 9xx internal errors and panics. A number, once given, keeps its meaning;
//!    a retired one is never reused. [`wsusdiag_result_name`] gives a code's name for logs.
//! 3. **Outputs.** Outputs are the trailing `*_out` parameters. They are written **only** when
//!    the function returns `WSUSDIAG_RESULT_OK`; on any other result they are left untouched.
//!    There is no partial success.
//! 4. **Inputs.** Text and bytes come in as a pointer and a length, `(const uint8_t *, size_t)`,
//!    never as NUL-terminated strings, so that P/Invoke can pass a `byte[]` and a `UIntPtr`.
//!    Text (paths, names, codes) must be UTF-8. A pointer may be NULL when its length is 0.
//!    Lists of paths or names are one buffer of UTF-8 items separated by NUL bytes
//!    (`"a.log\0b.log"`; one trailing NUL is allowed, empty items are not). Inputs are only read
//!    during the call and may be freed as soon as it returns.
//! 5. **NULL.** Every pointer is checked. A NULL handle, NULL output pointer, or NULL input with
//!    a non-zero length returns `WSUSDIAG_RESULT_NULL_PARAMETER`. Every `_free` function accepts
//!    NULL and then does nothing.
//! 6. **Ownership.** What the library hands out, the caller gives back exactly once: a handle to
//!    its `_free` function, a byte buffer (`uint8_t *` + `size_t`) to [`wsusdiag_buffer_free`]
//!    with the same length. Freeing twice, freeing with another length, or using a handle
//!    after it was freed is undefined behaviour. Byte buffers have a NUL byte after their last
//!    byte (not counted in the length), so C can print them as they are.
//!    Strings in a [`wsusdiag_record`] are borrowed from the reader: they are valid until the
//!    next call on that reader, and are never freed by the caller.
//! 7. **Panics.** A panic never crosses the boundary: every function body runs inside
//!    `catch_unwind`, and a panic comes back as `WSUSDIAG_RESULT_PANIC` (or NULL / nothing from
//!    the few functions that return no result), with the panic's message as the last error.
//!    The library installs no panic hook; Rust's default hook may print the panic to stderr.
//! 8. **Error detail.** A function that fails stores a message for the calling thread, read
//!    with [`wsusdiag_last_error_message`]. It names the file, and the line and column when
//!    there are any (`rules.toml: line 3, column 9: ...`, `C:\x.log: The system cannot find the
//!    file specified.`), or the function and the argument at fault. A function that returns
//!    OK (or END) clears it. The message is per thread.
//! 9. **Threads.** Each handle type states what may be done with it from several threads.
//!    A `wsusdiag_diagnosis` and a `wsusdiag_analysis` are immutable: any number of threads
//!    may read one at once. A `wsusdiag_log_reader` may be moved between threads but used by
//!    one thread at a time. Every function may be called from any thread. The
//!    `wsusdiag_diagnose_*` and `wsusdiag_analyse_*` functions read their inputs on a pool of
//!    worker threads (one per core) that the library starts on first use and keeps until the
//!    process exits.
//! 10. **Versions.** [`wsusdiag_version`] gives the library's version and the header defines
//!     `WSUSDIAG_VERSION_MAJOR`, `_MINOR` and `_PATCH`; a caller should check they agree. Before
//!     1.0 the ABI may change with any minor version.
//!
//! # Test hooks
//!
//! `wsusdiag_test_panic` is exported for the test suites only (it panics, to prove the panic
//! boundary), and only with the `test-hooks` feature: a release build does not have it. It is
//! not in the header and not part of the API.
#![allow(non_camel_case_types)]
#![allow(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[macro_use]
mod boundary;
mod analysis;
mod buffer;
mod diagnosis;
mod error;
mod hresult;
mod inputs;
mod reader;
mod result;
mod version;

pub use analysis::{
    wsusdiag_analyse_buffers, wsusdiag_analyse_files, wsusdiag_analysis, wsusdiag_analysis_free,
    wsusdiag_analysis_from_bytes, wsusdiag_analysis_merge, wsusdiag_analysis_to_bytes,
    wsusdiag_combine,
};
pub use buffer::wsusdiag_buffer_free;
pub use diagnosis::{
    wsusdiag_diagnose_buffers, wsusdiag_diagnose_files, wsusdiag_diagnosis,
    wsusdiag_diagnosis_free, wsusdiag_diagnosis_has_faults, wsusdiag_diagnosis_to_html,
    wsusdiag_diagnosis_to_json, wsusdiag_diagnosis_to_ndjson, wsusdiag_diagnosis_to_text,
};
pub use error::wsusdiag_last_error_message;
#[cfg(feature = "test-hooks")]
pub use error::wsusdiag_test_panic;
pub use hresult::wsusdiag_hresult_lookup;
pub use reader::{
    wsusdiag_log_from_buffer, wsusdiag_log_kind, wsusdiag_log_open, wsusdiag_log_reader,
    wsusdiag_log_reader_free, wsusdiag_log_reader_kind, wsusdiag_log_reader_next, wsusdiag_record,
    wsusdiag_record_kind, wsusdiag_str,
};
pub use result::{wsusdiag_result, wsusdiag_result_name};
pub use version::wsusdiag_version;
