//! The diagnosis handle: logs in, verdict out.

use wsusdiag_core::Diagnosis;

use crate::boundary::{self, Handle};
use crate::buffer;
use crate::inputs;
use crate::result::wsusdiag_result;

/// A finished diagnosis (opaque). Made by `wsusdiag_diagnose_files`,
/// `wsusdiag_diagnose_buffers` or `wsusdiag_combine`, freed by `wsusdiag_diagnosis_free`.
///
/// Thread safety: immutable once made. Any number of threads may call the `const` functions
/// on one diagnosis at the same time; it must not be freed while one of them runs.
pub struct wsusdiag_diagnosis {
    _private: [u8; 0],
}

impl Handle for wsusdiag_diagnosis {
    type Target = Diagnosis;
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Diagnosis>();
};

/// Diagnoses log files: client logs (`WindowsUpdate.log`, classic or Windows 10) and server
/// logs (`SoftwareDistribution.log`) in any order and number, each one's kind judged from its
/// content. A folder stands for every file below it.
///
/// - `paths`, `paths_len`: the files, as UTF-8 paths separated by NUL bytes
///   (`"C:\\logs\\WindowsUpdate.log\0C:\\logs\\SoftwareDistribution.log"`; one trailing NUL is
///   allowed). At least one path. A relative path is resolved against the process's current
///   directory.
/// - `rules`, `rules_len`: extra known-issue rules files (TOML), in the same NUL-separated
///   form; `rules_len` 0 (and `rules` NULL) for none.
/// - `diagnosis_out`: receives the diagnosis, to be freed with `wsusdiag_diagnosis_free`.
///
/// Fails with `WSUSDIAG_RESULT_NOT_FOUND`, `_PERMISSION_DENIED` or `_IO` (the last error names
/// the file) when a given path cannot be read, `_UNKNOWN_FORMAT` when no input is a log (an
/// empty folder, a picture, a document: nothing diagnosed is no all-clear),
/// `_RULES_INVALID` when a rules file is not valid, `_TOO_LARGE` when a pipe or device given
/// directly yields more than 256 MiB, `_OUT_OF_MEMORY` when a file does not fit in memory.
///
/// Inside a folder only regular files are read, each once (however many links lead to it);
/// an entry that cannot be read (a dangling link, a file deleted meanwhile), a pipe, socket
/// or device, a link back to a folder already read, and a file that is not a log are listed
/// in the diagnosis as problems of their own and do not fail the call.
///
/// Each file is read once, into memory, never mapped: a log still being written is read up
/// to its size when opened; a log cut while it is read gives what was read, with a
/// `truncated` problem; a pipe or device given directly is read once, as a stream, up to
/// 256 MiB. An `.etl` trace's compressed buffers expand to at most 64 MiB per file (the rest
/// is then reported, not read). Text fields taken from a log are cut to 480 bytes, ending in
/// `…`.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (or, for `diagnosis_out`, for one write).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnose_files(
    paths: *const u8,
    paths_len: usize,
    rules: *const u8,
    rules_len: usize,
    diagnosis_out: *mut *mut wsusdiag_diagnosis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnose_files", {
        // SAFETY: per the caller.
        unsafe {
            inputs::files(
                (paths, paths_len),
                (rules, rules_len),
                (diagnosis_out, "diagnosis_out"),
                wsusdiag_core::diagnose,
            )
        }
    })
}

/// Diagnoses logs already in memory (client and server logs in any order and number, each
/// one's kind judged from its content).
///
/// The logs are passed back to back in one buffer, so that P/Invoke can pass plain arrays:
///
/// - `data`, `data_len`: every log's bytes, one after the other. Any encoding wsusdiag reads
///   (UTF-8, UTF-16 with or without BOM, Windows-1252).
/// - `lengths`, `count`: `count` lengths, one per log; they must add up to `data_len`. At
///   least one log.
/// - `names`, `names_len`: the logs' names for the report, UTF-8, NUL-separated, one per log;
///   or `names_len` 0 for `buffer-1`, `buffer-2`, ...
/// - `rules`, `rules_len`: extra rules files (TOML paths, NUL-separated), or 0 for none.
/// - `diagnosis_out`: receives the diagnosis, to be freed with `wsusdiag_diagnosis_free`.
///
/// The buffers are only read during the call. Fails with `WSUSDIAG_RESULT_UNKNOWN_FORMAT`
/// when no buffer is a log (a buffer that is not a log among logs is listed in the diagnosis
/// as a problem of its own), `WSUSDIAG_RESULT_INVALID_ARGUMENT` when the lengths or names do
/// not match `count`, `WSUSDIAG_RESULT_OUT_OF_MEMORY` when memory runs out for a buffer.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (`lengths` for `count` `size_t`s,
/// `diagnosis_out` for one write).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wsusdiag_diagnose_buffers(
    data: *const u8,
    data_len: usize,
    lengths: *const usize,
    count: usize,
    names: *const u8,
    names_len: usize,
    rules: *const u8,
    rules_len: usize,
    diagnosis_out: *mut *mut wsusdiag_diagnosis,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnose_buffers", {
        // SAFETY: per the caller.
        unsafe {
            inputs::buffers(
                (data, data_len),
                (lengths, count),
                (names, names_len),
                (rules, rules_len),
                (diagnosis_out, "diagnosis_out"),
                wsusdiag_core::diagnose,
            )
        }
    })
}

/// Writes a diagnosis as JSON (the wsusdiag JSON contract, `schema_version` 2) into a new
/// buffer: `*json_out` and `*json_len_out` receive it, to be freed with
/// `wsusdiag_buffer_free(json, json_len)`. The JSON is UTF-8 and followed by a NUL byte not
/// counted in the length.
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_to_json(
    diagnosis: *const wsusdiag_diagnosis,
    json_out: *mut *mut u8,
    json_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnosis_to_json", {
        let outs = (json_out, "json_out", json_len_out, "json_len_out");
        // SAFETY: per the caller.
        unsafe { buffer::render((diagnosis, "diagnosis"), outs, Diagnosis::to_json) }
    })
}

/// Writes a diagnosis as NDJSON into a new buffer, as `wsusdiag_diagnosis_to_json` does: one
/// flat JSON object per line, each with a `type` (`input`, `clock`, `fault`, `server_fault`,
/// `finding`, `client`), for log platforms to index.
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_to_ndjson(
    diagnosis: *const wsusdiag_diagnosis,
    ndjson_out: *mut *mut u8,
    ndjson_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnosis_to_ndjson", {
        let outs = (ndjson_out, "ndjson_out", ndjson_len_out, "ndjson_len_out");
        // SAFETY: per the caller.
        unsafe { buffer::render((diagnosis, "diagnosis"), outs, |d| Ok(d.to_ndjson())) }
    })
}

/// Writes a diagnosis as a text report for people (UTF-8, several lines) into a new buffer,
/// as `wsusdiag_diagnosis_to_json` does.
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_to_text(
    diagnosis: *const wsusdiag_diagnosis,
    text_out: *mut *mut u8,
    text_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnosis_to_text", {
        let outs = (text_out, "text_out", text_len_out, "text_len_out");
        // SAFETY: per the caller.
        unsafe { buffer::render((diagnosis, "diagnosis"), outs, |d| Ok(d.to_text())) }
    })
}

/// Writes a diagnosis as one self-contained HTML page (UTF-8; inline style and script,
/// nothing fetched from the network) into a new buffer, as `wsusdiag_diagnosis_to_json`
/// does: the verdict, each finding with its evidence and fix, a timeline of the failures, a
/// table of clients. Save it as a `.html` file to open in a browser.
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_to_html(
    diagnosis: *const wsusdiag_diagnosis,
    html_out: *mut *mut u8,
    html_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnosis_to_html", {
        let outs = (html_out, "html_out", html_len_out, "html_len_out");
        // SAFETY: per the caller.
        unsafe { buffer::render((diagnosis, "diagnosis"), outs, |d| Ok(d.to_html())) }
    })
}

/// Whether the diagnosis found any client fault: `*has_faults_out` receives `true` or
/// `false`. (The main command exits with 1 in the first case, 0 in the second.)
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis; `has_faults_out` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_has_faults(
    diagnosis: *const wsusdiag_diagnosis,
    has_faults_out: *mut bool,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_diagnosis_has_faults", {
        // SAFETY: per the caller.
        let diagnosis = unsafe { wsusdiag_diagnosis::borrow(diagnosis, "diagnosis") }?;
        let out = boundary::out(has_faults_out, "has_faults_out")?;
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { out.write(diagnosis.has_faults()) };
        Ok(wsusdiag_result::Ok)
    })
}

/// Frees a diagnosis. NULL does nothing.
///
/// # Safety
///
/// `diagnosis` is NULL or a live diagnosis, not used again (nor freed again) afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_diagnosis_free(diagnosis: *mut wsusdiag_diagnosis) {
    ffi_boundary_or!("wsusdiag_diagnosis_free", (), {
        // SAFETY: per the caller.
        unsafe { wsusdiag_diagnosis::free(diagnosis) }
    })
}
