//! The committed header agrees with the crate: its version macros are the crate's version,
//! and it declares every exported function but the test hook.
#![allow(unsafe_code)]

use std::ffi::CStr;

const HEADER: &str = include_str!("../include/wsusdiag.h");

fn define(name: &str) -> &'static str {
    let prefix = format!("#define {name} ");
    HEADER
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .unwrap_or_else(|| panic!("the header does not define {name}"))
        .trim()
}

#[test]
fn version_macros_are_the_crate_version() {
    assert_eq!(
        define("WSUSDIAG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR")
    );
    assert_eq!(
        define("WSUSDIAG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    assert_eq!(
        define("WSUSDIAG_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH")
    );
    assert_eq!(
        define("WSUSDIAG_VERSION"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION"))
    );
    // SAFETY: a static NUL-terminated string.
    let v = unsafe { CStr::from_ptr(wsusdiag::wsusdiag_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn header_declares_the_api_and_not_the_test_hook() {
    for f in [
        "wsusdiag_version(void)",
        "wsusdiag_result_name(int result)",
        "wsusdiag_last_error_message(",
        "wsusdiag_diagnose_files(",
        "wsusdiag_diagnose_buffers(",
        "wsusdiag_diagnosis_to_json(",
        "wsusdiag_diagnosis_to_text(",
        "wsusdiag_diagnosis_to_html(",
        "wsusdiag_diagnosis_has_faults(",
        "wsusdiag_diagnosis_free(",
        "wsusdiag_buffer_free(",
        "wsusdiag_hresult_lookup(",
        "wsusdiag_log_open(",
        "wsusdiag_log_from_buffer(",
        "wsusdiag_log_reader_next(",
        "wsusdiag_log_reader_kind(",
        "wsusdiag_log_reader_free(",
        "wsusdiag_analyse_files(",
        "wsusdiag_analyse_buffers(",
        "wsusdiag_analysis_to_bytes(",
        "wsusdiag_analysis_from_bytes(",
        "wsusdiag_analysis_merge(",
        "wsusdiag_analysis_free(",
        "wsusdiag_combine(",
    ] {
        assert!(HEADER.contains(f), "the header lacks {f}");
    }
    assert!(!HEADER.contains("wsusdiag_test_panic"));
    assert!(HEADER.contains("#ifndef WSUSDIAG_H"));
}
