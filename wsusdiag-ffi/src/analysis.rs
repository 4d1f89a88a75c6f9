//! The analysis handle: a diagnosis in two steps, for logs that lie on many machines. Each
//! machine analyses its own logs and sends the analysis as bytes; one machine combines them
//! into the diagnosis that `wsusdiag_diagnose_files` would have given for all the logs.

use wsusdiag_core::analysis::{self, LogAnalysis};

use crate::boundary::{self, Failure, Handle};
use crate::buffer;
use crate::diagnosis::wsusdiag_diagnosis;
use crate::inputs;
use crate::result::wsusdiag_result;

/// What a set of logs holds that a diagnosis needs (opaque): how each was read, its faults,
/// events and errors, not its text. Made by `wsusdiag_analyse_files`,
/// `wsusdiag_analyse_buffers`, `wsusdiag_analysis_from_bytes` or `wsusdiag_analysis_merge`,
/// freed by `wsusdiag_analysis_free`.
///
/// Every function but `wsusdiag_analysis_free` only reads it and leaves it to the caller:
/// merging or combining copies what it needs, so an analysis may be merged, combined and freed
/// in any order.
///
/// Thread safety: immutable once made. Any number of threads may call functions on one
/// analysis at the same time; it must not be freed while one of them runs.
pub struct wsusdiag_analysis {
    _private: [u8; 0],
}

impl Handle for wsusdiag_analysis {
    type Target = LogAnalysis;
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<LogAnalysis>();
};

/// Analyses log files (a folder: every file below it), as `wsusdiag_diagnose_files` reads
/// them, with the same arguments, into `*analysis_out`, to be freed with
/// `wsusdiag_analysis_free`.
///
/// Fails as `wsusdiag_diagnose_files` does, but for `WSUSDIAG_RESULT_UNKNOWN_FORMAT`: an input
/// that is not a log is kept in the analysis (and listed in the diagnosis as a problem), and
/// `wsusdiag_combine` fails when no input of all it combines is a log. `rules` must name the
/// same rules files as the `wsusdiag_combine` call the analysis will go to.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (`analysis_out` for one write).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_analyse_files(
    paths: *const u8,
    paths_len: usize,
    rules: *const u8,
    rules_len: usize,
    analysis_out: *mut *mut wsusdiag_analysis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_analyse_files", {
        // SAFETY: per the caller.
        unsafe {
            inputs::files(
                (paths, paths_len),
                (rules, rules_len),
                (analysis_out, "analysis_out"),
                analysis::analyse,
            )
        }
    })
}

/// Analyses logs already in memory, passed as to `wsusdiag_diagnose_buffers`, into
/// `*analysis_out`, to be freed with `wsusdiag_analysis_free`. It fails as
/// `wsusdiag_analyse_files` does.
///
/// `wsusdiag_combine` puts the logs in the order of their names, so give names that tell the
/// machines apart (`"PC042/WindowsUpdate.log"`): unnamed buffers are `buffer-1`, `buffer-2`,
/// ... in every call.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (`lengths` for `count` `size_t`s,
/// `analysis_out` for one write).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsusdiag_analyse_buffers(
    data: *const u8,
    data_len: usize,
    lengths: *const usize,
    count: usize,
    names: *const u8,
    names_len: usize,
    rules: *const u8,
    rules_len: usize,
    analysis_out: *mut *mut wsusdiag_analysis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_analyse_buffers", {
        // SAFETY: per the caller.
        unsafe {
            inputs::buffers(
                (data, data_len),
                (lengths, count),
                (names, names_len),
                (rules, rules_len),
                (analysis_out, "analysis_out"),
                analysis::analyse,
            )
        }
    })
}

/// Writes an analysis in its compact binary form (versioned: only this version of the library
/// reads it back) into a new buffer: `*bytes_out` and `*bytes_len_out` receive it, to be freed
/// with `wsusdiag_buffer_free(bytes, bytes_len)`. Send it to where the analyses are combined,
/// and read it there with `wsusdiag_analysis_from_bytes`.
///
/// # Safety
///
/// `analysis` is NULL or a live analysis; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_analysis_to_bytes(
    analysis: *const wsusdiag_analysis,
    bytes_out: *mut *mut u8,
    bytes_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_analysis_to_bytes", {
        let outs = (bytes_out, "bytes_out", bytes_len_out, "bytes_len_out");
        // SAFETY: per the caller.
        unsafe { buffer::render((analysis, "analysis"), outs, LogAnalysis::to_bytes) }
    })
}

/// Reads an analysis written by `wsusdiag_analysis_to_bytes` into `*analysis_out`, to be freed
/// with `wsusdiag_analysis_free`. The bytes are only read during the call.
///
/// Bytes from anywhere are safe: anything but a whole analysis written by this version of the
/// library fails with `WSUSDIAG_RESULT_INVALID_ARGUMENT`, the last error saying what is wrong
/// (`not a wsusdiag analysis: ...`, or the two versions).
///
/// # Safety
///
/// `bytes` is NULL or valid for `bytes_len` bytes; `analysis_out` is NULL or valid for one
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_analysis_from_bytes(
    bytes: *const u8,
    bytes_len: usize,
    analysis_out: *mut *mut wsusdiag_analysis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_analysis_from_bytes", {
        // SAFETY: per the caller.
        let bytes = unsafe { boundary::bytes(bytes, bytes_len, "bytes") }?;
        let out = boundary::out(analysis_out, "analysis_out")?;
        let analysis = LogAnalysis::from_bytes(bytes)?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { wsusdiag_analysis::hand_out(out, analysis) }
    })
}

/// Merges two analyses into a new one, `*merged_out`, to be freed with
/// `wsusdiag_analysis_free`: the logs of both, in the order `wsusdiag_combine` takes them.
/// Merging is associative, so partial merges may be gathered in any tree.
///
/// `a` and `b` are only read: they stay the caller's, to be freed with
/// `wsusdiag_analysis_free` (as soon as merged, to keep one copy of each log in memory).
/// Fails with `WSUSDIAG_RESULT_INVALID_ARGUMENT` when they were analysed with other rules.
///
/// # Safety
///
/// `a` and `b` are NULL or live analyses; `merged_out` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_analysis_merge(
    a: *const wsusdiag_analysis,
    b: *const wsusdiag_analysis,
    merged_out: *mut *mut wsusdiag_analysis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_analysis_merge", {
        // SAFETY: per the caller.
        let a = unsafe { wsusdiag_analysis::borrow(a, "a") }?;
        // SAFETY: per the caller.
        let b = unsafe { wsusdiag_analysis::borrow(b, "b") }?;
        let out = boundary::out(merged_out, "merged_out")?;
        let merged = a.clone().merge(b.clone())?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { wsusdiag_analysis::hand_out(out, merged) }
    })
}

/// Combines analyses into their diagnosis, `*diagnosis_out`, to be freed with
/// `wsusdiag_diagnosis_free`: the diagnosis `wsusdiag_diagnose_files` gives for all their logs
/// (for a folder analysed file by file, the same JSON byte for byte), whatever the order of
/// the analyses and however they were merged.
///
/// - `analyses`, `count`: `count` analyses (at least one), as the array of handles a caller
///   keeps to free them (so `wsusdiag_analysis *const *`). They are only read: they stay the
///   caller's, to be freed with `wsusdiag_analysis_free`.
/// - `rules`, `rules_len`: the rules files the analyses were made with (NUL-separated, as for
///   `wsusdiag_diagnose_files`), or 0 for none.
///
/// Fails with `WSUSDIAG_RESULT_INVALID_ARGUMENT` when an analysis was made with other rules,
/// `WSUSDIAG_RESULT_UNKNOWN_FORMAT` when no input of all the analyses is a log, and as
/// `wsusdiag_diagnose_files` for the rules files.
///
/// # Safety
///
/// `analyses` is NULL or valid for `count` pointers, each NULL or a live analysis; `rules` is
/// NULL or valid for `rules_len` bytes; `diagnosis_out` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_combine(
    analyses: *const *mut wsusdiag_analysis,
    count: usize,
    rules: *const u8,
    rules_len: usize,
    diagnosis_out: *mut *mut wsusdiag_diagnosis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_combine", {
        if count == 0 {
            return Err(Failure::invalid("`count`: no analysis given"));
        }
        // SAFETY: per the caller.
        let handles = unsafe { boundary::array(analyses, count, "analyses") }?;
        let analyses = (handles.iter().enumerate())
            .map(|(i, &a)| {
                // SAFETY: per the caller.
                unsafe { wsusdiag_analysis::borrow(a.cast_const(), "analyses") }
                    .map_err(|_| Failure::null(&format!("analyses[{i}]")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // SAFETY: per the caller.
        let options = unsafe { inputs::options((rules, rules_len)) }?;
        let out = boundary::out(diagnosis_out, "diagnosis_out")?;
        let diagnosis = analysis::combine(analyses.into_iter().cloned(), &options)?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { wsusdiag_diagnosis::hand_out(out, diagnosis) }
    })
}

/// Frees an analysis. NULL does nothing.
///
/// # Safety
///
/// `analysis` is NULL or a live analysis, not used again (nor freed again) afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_analysis_free(analysis: *mut wsusdiag_analysis) {
    ffi_boundary_or!("wsusdiag_analysis_free", (), {
        // SAFETY: per the caller.
        unsafe { wsusdiag_analysis::free(analysis) }
    })
}
