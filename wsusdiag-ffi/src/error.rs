//! The thread's last error message.

use std::cell::RefCell;

use crate::boundary;
use crate::result::wsusdiag_result;

thread_local! {
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Stores the calling thread's last error.
pub(crate) fn set(message: String) {
    // `try_with`: during thread teardown the slot may be gone; the message is then dropped.
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = Some(message));
}

/// Clears the calling thread's last error.
pub(crate) fn clear() {
    let _ = LAST_ERROR.try_with(|e| *e.borrow_mut() = None);
}

/// The calling thread's last error.
#[cfg(test)]
pub(crate) fn get() -> Option<String> {
    LAST_ERROR.with(|e| e.borrow().clone())
}

/// Copies the calling thread's last error message into `buf`.
///
/// The message is UTF-8. It is written cut to at most `len - 1` bytes, on a character
/// boundary, followed by a NUL byte; with `len` 0 nothing is written and `buf` may be NULL.
/// `*message_len_out` receives the message's full length in bytes, without the NUL: the whole
/// message fits when `*message_len_out < len`. So a caller may ask for the size first with
/// `(NULL, 0)`, or just pass a buffer of a few hundred bytes.
///
/// With no last error (the thread's last call succeeded, or it made none) the message is
/// empty: `*message_len_out` is 0 and, when `len` > 0, `buf[0]` is NUL.
///
/// This function does not change the last error. It returns `WSUSDIAG_RESULT_NULL_PARAMETER`
/// when `message_len_out` is NULL, or `buf` is NULL while `len` > 0.
///
/// # Safety
///
/// `buf` is NULL or valid for writes of `len` bytes; `message_len_out` is NULL or valid for a
/// write of a `size_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_last_error_message(
    buf: *mut u8,
    len: usize,
    message_len_out: *mut usize,
) -> wsusdiag_result {
    ffi_boundary_or!("wsusdiag_last_error_message", wsusdiag_result::Panic, {
        let Ok(message_len_out) = boundary::out(message_len_out, "message_len_out") else {
            return wsusdiag_result::NullParameter;
        };
        if buf.is_null() && len > 0 {
            return wsusdiag_result::NullParameter;
        }
        LAST_ERROR.with(|e| {
            let e = e.borrow();
            let message = e.as_deref().unwrap_or("");
            if len > 0 {
                let mut n = message.len().min(len - 1);
                while !message.is_char_boundary(n) {
                    n -= 1;
                }
                // SAFETY: `buf` is not NULL (checked) and valid for `len` bytes per the
                // caller; `n + 1 <= len`; the message is ours, so the two cannot overlap.
                unsafe {
                    std::ptr::copy_nonoverlapping(message.as_ptr(), buf, n);
                    buf.add(n).write(0);
                }
            }
            // SAFETY: checked by `out`, valid per the caller.
            unsafe { message_len_out.write(message.len()) };
        });
        wsusdiag_result::Ok
    })
}

/// Test hook, not part of the API (and not in the header): panics with the given message, so
/// that test suites can see a panic come back as `WSUSDIAG_RESULT_PANIC`. Exported only with
/// the `test-hooks` feature, which only the tests turn on.
///
/// # Safety
///
/// `message` is NULL or points to `len` readable bytes.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_test_panic(message: *const u8, len: usize) -> wsusdiag_result {
    ffi_boundary!("wsusdiag_test_panic", {
        // SAFETY: per the caller.
        let message = unsafe { boundary::bytes(message, len, "message") }?;
        let message = String::from_utf8_lossy(message);
        if message.is_empty() {
            panic!("test panic");
        }
        panic!("{message}");
    })
}
