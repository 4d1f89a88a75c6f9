//! Byte buffers handed to the caller, and their free function.

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
