//! HRESULT lookup.

use wsusdiag_core::knowledge::hresult;

use crate::boundary::{self, Failure};
use crate::buffer;
use crate::result::wsusdiag_result;

/// Decodes a Windows Update error code into a new JSON buffer, to be freed with
/// `wsusdiag_buffer_free(json, json_len)`.
///
/// `code`, `code_len`: the code as UTF-8 text, in any of the forms the logs and people use:
/// `0x8024400E`, `8024400E` (eight hex digits), `[8024400E]`, decimal `2149859342` or
/// `-2145107954`. A code wsusdiag does not list still gets its family (Win32, WinHTTP, ...).
///
/// The JSON object has at least `code` (`"0x8024400E"`), `value`, `name`
/// (`"WU_E_PT_SOAP_SERVER"` or null), `component`, `component_label`, `facility`,
/// `description`, `listed`, `http_status`, `win32_error`, `failure`, `benign`.
///
/// Fails with `WSUSDIAG_RESULT_INVALID_ARGUMENT` when the text is not a code.
///
/// # Safety
///
/// `code` is NULL or valid for `code_len` bytes; each output is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_hresult_lookup(
    code: *const u8,
    code_len: usize,
    json_out: *mut *mut u8,
    json_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_hresult_lookup", {
        // SAFETY: per the caller.
        let text = unsafe { boundary::text(code, code_len, "code") }?;
        let ptr_out = boundary::out(json_out, "json_out")?;
        let len_out = boundary::out(json_len_out, "json_len_out")?;
        let value = hresult::parse_code(text)
            .ok_or_else(|| Failure::invalid(format!("`code`: {text:?} is not an HRESULT")))?;
        let json = serde_json::to_vec(&hresult::describe(value))
            .map_err(|e| Failure::new(wsusdiag_result::Internal, e.to_string()))?;
        let (ptr, len) = buffer::into_raw(json);
        // SAFETY: checked by `out`, valid per the caller.
        unsafe {
            ptr_out.write(ptr);
            len_out.write(len);
        }
        Ok(wsusdiag_result::Ok)
    })
}
