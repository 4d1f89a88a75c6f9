//! The boundary every exported function runs inside: panics caught, errors turned into codes
//! and a thread-local message, and every pointer checked before use.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::error;
use crate::result::wsusdiag_result;

/// Runs a fallible function body: its `Result<wsusdiag_result, Failure>` becomes a code, a
/// failure's message becomes the thread's last error, a panic becomes `WSUSDIAG_RESULT_PANIC`.
///
/// The body is a block that may use `?` and ends in `Ok(wsusdiag_result::Ok)` (or `End`).
macro_rules! ffi_boundary {
    ($function:literal, $body:block) => {
        $crate::boundary::run(
            $function,
            || -> ::std::result::Result<$crate::result::wsusdiag_result, $crate::boundary::Failure> {
                $body
            },
        )
    };
}

/// Runs the body of a function that returns no result code: a panic gives `$default`, and
/// its message becomes the thread's last error.
macro_rules! ffi_boundary_or {
    ($function:literal, $default:expr, $body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(payload) => {
                $crate::boundary::keep_panic($function, payload);
                $default
            }
        }
    };
}

/// Why a call failed: its code and a message for people.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: wsusdiag_result,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: wsusdiag_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A NULL pointer where one was required.
    pub(crate) fn null(what: &str) -> Self {
        Self::new(wsusdiag_result::NullParameter, format!("`{what}` is NULL"))
    }

    /// An unusable argument.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(wsusdiag_result::InvalidArgument, message)
    }
}

/// What [`ffi_boundary!`] expands to.
pub(crate) fn run(
    function: &str,
    body: impl FnOnce() -> Result<wsusdiag_result, Failure>,
) -> wsusdiag_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) => {
            error::clear();
            code
        }
        Ok(Err(failure)) => {
            if failure.code.is_argument_error() {
                error::set(format!("{function}: {}", failure.message));
            } else {
                error::set(failure.message);
            }
            failure.code
        }
        Err(payload) => {
            keep_panic(function, payload);
            wsusdiag_result::Panic
        }
    }
}

/// Stores a caught panic's message as the thread's last error (`function: panic: message`)
/// and drops its payload.
pub(crate) fn keep_panic(function: &str, payload: Box<dyn Any + Send>) {
    error::set(format!(
        "{function}: panic: {}",
        panic_message(payload.as_ref())
    ));
    discard(payload);
}

/// The text of a panic, from its payload (a `&str` or a `String` for `panic!` with a message).
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// Drops a panic payload; should its destructor panic too, the payload is leaked rather than
/// let the second panic cross the boundary.
pub(crate) fn discard(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// Borrows an input `(ptr, len)` of bytes: NULL is allowed only when `len` is 0.
///
/// # Safety
///
/// As [`array`].
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a [u8], Failure> {
    // SAFETY: passed on from the caller.
    unsafe { array(ptr, len, what) }
}

/// Borrows an input array of `len` values (bytes, `size_t`s, handles): NULL is allowed only
/// when `len` is 0.
///
/// # Safety
///
/// When `ptr` is not NULL, it must point to `len` readable values that stay unchanged for
/// `'a`.
pub(crate) unsafe fn array<'a, T>(
    ptr: *const T,
    len: usize,
    what: &str,
) -> Result<&'a [T], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    if len > isize::MAX as usize / size_of::<T>().max(1) {
        return Err(Failure::invalid(format!(
            "`{what}`: length {len} is too large"
        )));
    }
    if !ptr.is_aligned() {
        return Err(Failure::invalid(format!("`{what}` is not aligned")));
    }
    // SAFETY: not NULL, aligned, length in range; `len` readable values per the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows an input `(ptr, len)` that must be UTF-8 text.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, Failure> {
    // SAFETY: passed on from the caller.
    let b = unsafe { bytes(ptr, len, what) }?;
    std::str::from_utf8(b).map_err(|e| {
        Failure::new(
            wsusdiag_result::InvalidUtf8,
            format!(
                "`{what}` is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Splits a NUL-separated list of UTF-8 items (`"a\0b"`, one trailing NUL allowed).
/// An empty buffer is an empty list; an empty item is an error.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn text_list<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<Vec<&'a str>, Failure> {
    // SAFETY: passed on from the caller.
    let all = unsafe { text(ptr, len, what) }?;
    if all.is_empty() {
        return Ok(Vec::new());
    }
    let all = all.strip_suffix('\0').unwrap_or(all);
    let items: Vec<&str> = all.split('\0').collect();
    if let Some(i) = items.iter().position(|s| s.is_empty()) {
        return Err(Failure::invalid(format!(
            "`{what}`: item {} of the NUL-separated list is empty",
            i + 1
        )));
    }
    Ok(items)
}

/// Checks an output pointer, to be written once the call has succeeded.
pub(crate) fn out<T>(ptr: *mut T, what: &str) -> Result<Out<T>, Failure> {
    let p = NonNull::new(ptr).ok_or_else(|| Failure::null(what))?;
    if !ptr.is_aligned() {
        return Err(Failure::invalid(format!("`{what}` is not aligned")));
    }
    Ok(Out(p))
}

/// A checked output pointer.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Writes the output without reading or dropping what was there.
    ///
    /// # Safety
    ///
    /// The pointer the caller gave must be valid for a write of a `T`.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: not NULL and aligned (checked in `out`); valid for writes per the caller.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// An opaque C handle and the Rust value behind it. The pointer C holds is a `Box` of the
/// value, cast.
pub(crate) trait Handle: Sized {
    /// The value behind the handle.
    type Target;

    /// Boxes a value and hands out its pointer.
    fn into_raw(value: Self::Target) -> *mut Self {
        Box::into_raw(Box::new(value)).cast()
    }

    /// Hands a value out as a new handle through a checked output pointer: the end of a
    /// function that makes one.
    ///
    /// # Safety
    ///
    /// The pointer the caller gave for `out` must be valid for one write.
    unsafe fn hand_out(
        out: Out<*mut Self>,
        value: Self::Target,
    ) -> Result<wsusdiag_result, Failure> {
        // SAFETY: checked by `out`, valid per the caller.
        unsafe { out.write(Self::into_raw(value)) };
        Ok(wsusdiag_result::Ok)
    }

    /// Borrows the value behind a handle.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or a live handle of this type, not used mutably elsewhere during `'a`.
    unsafe fn borrow<'a>(ptr: *const Self, what: &str) -> Result<&'a Self::Target, Failure> {
        if ptr.is_null() {
            return Err(Failure::null(what));
        }
        // SAFETY: a live handle is a `Box<Self::Target>` cast (see `into_raw`).
        Ok(unsafe { &*ptr.cast::<Self::Target>() })
    }

    /// Borrows the value behind a handle mutably.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or a live handle of this type, not used elsewhere during `'a`.
    unsafe fn borrow_mut<'a>(ptr: *mut Self, what: &str) -> Result<&'a mut Self::Target, Failure> {
        if ptr.is_null() {
            return Err(Failure::null(what));
        }
        // SAFETY: a live handle is a `Box<Self::Target>` cast (see `into_raw`).
        Ok(unsafe { &mut *ptr.cast::<Self::Target>() })
    }

    /// Frees a handle; NULL does nothing.
    ///
    /// # Safety
    ///
    /// `ptr` is NULL or a live handle of this type, never used again.
    unsafe fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            // SAFETY: a live handle is a `Box<Self::Target>` cast (see `into_raw`).
            drop(unsafe { Box::from_raw(ptr.cast::<Self::Target>()) });
        }
    }
}

#[cfg(test)]
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_nul() {
        let list = |s: &str| unsafe { text_list(s.as_ptr(), s.len(), "l") };
        assert_eq!(list("a.log\0b.log").unwrap(), ["a.log", "b.log"]);
        assert_eq!(list("a.log\0").unwrap(), ["a.log"]);
        assert!(list("").unwrap().is_empty());
        assert_eq!(
            list("a\0\0b").unwrap_err().code,
            wsusdiag_result::InvalidArgument
        );
        assert_eq!(
            list("\0").unwrap_err().code,
            wsusdiag_result::InvalidArgument
        );
    }

    #[test]
    fn null_input_is_fine_when_empty() {
        assert!(
            unsafe { bytes(std::ptr::null(), 0, "x") }
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            unsafe { bytes(std::ptr::null(), 1, "x") }.unwrap_err().code,
            wsusdiag_result::NullParameter
        );
    }

    #[test]
    fn panics_become_codes() {
        let r = run("f", || panic!("boom {}", 1));
        assert_eq!(r, wsusdiag_result::Panic);
        assert_eq!(error::get().as_deref(), Some("f: panic: boom 1"));
        assert_eq!(run("f", || Ok(wsusdiag_result::Ok)), wsusdiag_result::Ok);
        assert_eq!(error::get(), None);
    }

    #[test]
    fn a_panic_without_a_result_code_keeps_its_message() {
        let value: u8 = ffi_boundary_or!("f", 7, { panic!("lost {}", 2) });
        assert_eq!(value, 7);
        assert_eq!(error::get().as_deref(), Some("f: panic: lost 2"));
    }
}
