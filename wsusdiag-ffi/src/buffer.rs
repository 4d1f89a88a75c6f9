//! Byte buffers handed to the caller, and their free function.

use crate::boundary::{self, Failure, Handle};
use crate::result::wsusdiag_result;

/// Hands `bytes` to the caller as `(ptr, len)`: a heap buffer of `len + 1` bytes whose last
/// byte is NUL, to be given back to [`wsusdiag_buffer_free`] with the same `len`.
pub(crate) fn into_raw(bytes: Vec<u8>) -> (*mut u8, usize) {
    let mut bytes = bytes;
    let len = bytes.len();
    bytes.reserve_exact(1);
    bytes.push(0);
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    (Box::into_raw(boxed).cast::<u8>(), len)
}

/// The outputs of a function that hands out a buffer: its pointer and length, each with its
/// name.
pub(crate) type Outs<'a> = (*mut *mut u8, &'a str, *mut usize, &'a str);

/// The body of a function that writes what a handle holds into a new buffer (the
/// `wsusdiag_diagnosis_to_*` functions, `wsusdiag_analysis_to_bytes`): `form` of the value
/// behind `handle` (named `what`), handed out through the outputs (see [`into_raw`]).
///
/// # Safety
///
/// `handle` is NULL or a live handle of its type; each output is NULL or valid for one write.
pub(crate) unsafe fn render<H: Handle, B: Into<Vec<u8>>>(
    (handle, what): (*const H, &str),
    (ptr_out, ptr_name, len_out, len_name): Outs<'_>,
    form: impl FnOnce(&H::Target) -> wsusdiag_core::Result<B>,
) -> Result<wsusdiag_result, Failure> {
    // SAFETY: per the caller.
    let value = unsafe { H::borrow(handle, what) }?;
    let ptr_out = boundary::out(ptr_out, ptr_name)?;
    let len_out = boundary::out(len_out, len_name)?;
    let (ptr, len) = into_raw(form(value)?.into());
    // SAFETY: checked by `out`, valid per the caller.
    unsafe {
        ptr_out.write(ptr);
        len_out.write(len);
    }
    Ok(wsusdiag_result::Ok)
}

/// Frees a buffer the library handed out (`uint8_t *` + `size_t` outputs, such as the JSON
/// of a diagnosis). `len` must be the length the library gave with it. NULL does nothing.
///
/// # Safety
///
/// `ptr` is NULL, or a buffer from this library not yet freed, with its own `len`. Freeing
/// twice, or with another length, is undefined behaviour.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wsusdiag_buffer_free(ptr: *mut u8, len: usize) {
    ffi_boundary_or!("wsusdiag_buffer_free", (), {
        if ptr.is_null() {
            return;
        }
        let Some(size) = len.checked_add(1) else {
            return;
        };
        let slice = std::ptr::slice_from_raw_parts_mut(ptr, size);
        // SAFETY: per the caller, `ptr` came from `into_raw` with this `len`, so it is a
        // `Box<[u8]>` of `len + 1` bytes.
        drop(unsafe { Box::from_raw(slice) });
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let (p, n) = into_raw(b"{}".to_vec());
        assert_eq!(n, 2);
        // SAFETY: just made, three bytes.
        assert_eq!(unsafe { std::slice::from_raw_parts(p, 3) }, b"{}\0");
        // SAFETY: ours, freed once.
        unsafe { wsusdiag_buffer_free(p, n) };
        let (p, n) = into_raw(Vec::new());
        assert!(!p.is_null());
        // SAFETY: ours, freed once.
        unsafe { wsusdiag_buffer_free(p, n) };
    }
}
