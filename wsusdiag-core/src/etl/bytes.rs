//! Bounds-checked little-endian reads. Every read returns `None` past the end instead of
//! panicking, so hostile sizes and offsets can never index out of a slice.

/// `len` bytes at `at`, or `None` when they do not fit.
pub(crate) fn slice(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

/// A fixed-size array at `at`.
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    slice(bytes, at, N)?.try_into().ok()
}

pub(crate) fn u8_at(bytes: &[u8], at: usize) -> Option<u8> {
    bytes.get(at).copied()
}

pub(crate) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_le_bytes)
}

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

pub(crate) fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    array(bytes, at).map(i32::from_le_bytes)
}

pub(crate) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    array(bytes, at).map(u64::from_le_bytes)
}

pub(crate) fn i64_at(bytes: &[u8], at: usize) -> Option<i64> {
    array(bytes, at).map(i64::from_le_bytes)
}

/// Rounds `n` up to a multiple of 8 (records and extended items are 8-byte aligned).
pub(crate) fn align8(n: usize) -> Option<usize> {
    n.checked_add(7).map(|n| n & !7)
}

/// Length in bytes of a NUL-terminated UTF-16LE string starting at `at`, without the NUL;
/// the second value says whether a terminator was found (otherwise the string runs to the end).
pub(crate) fn utf16z_len(bytes: &[u8], at: usize) -> (usize, bool) {
    let rest = bytes.get(at..).unwrap_or_default();
    // Search two zero bytes with SIMD, keeping only hits on a code-unit boundary (a hit at an odd
    // position is the high byte of one unit and the low byte of the next).
    let mut from = 0;
    while let Some(hit) = rest
        .get(from..)
        .and_then(|r| memchr::memmem::find(r, &[0, 0]))
    {
        let pos = from + hit;
        if pos % 2 == 0 {
            return (pos, true);
        }
        from = pos + 1;
    }
    (rest.len() & !1, false)
}

/// Length of a NUL-terminated 8-bit string starting at `at`, without the NUL, and whether the
/// terminator was found.
pub(crate) fn cstr_len(bytes: &[u8], at: usize) -> (usize, bool) {
    let rest = bytes.get(at..).unwrap_or_default();
    match memchr::memchr(0, rest) {
        Some(n) => (n, true),
        None => (rest.len(), false),
    }
}

/// Decodes UTF-16LE bytes, replacing unpaired surrogates; an odd last byte is dropped.
pub(crate) fn utf16_to_string(bytes: &[u8], out: &mut String) {
    let mut rest = &bytes[..bytes.len() & !1];
    out.reserve(rest.len() / 2);
    // Fast path for ASCII, which is nearly every Windows Update line: check a chunk (a branch-free
    // fold the compiler vectorises), narrow it into a stack buffer, append it as one string.
    let mut narrow = [0u8; 256];
    while !rest.is_empty() {
        let chunk = &rest[..rest.len().min(2 * narrow.len())];
        let any = chunk
            .chunks_exact(2)
            .fold(0u16, |acc, u| acc | u16::from_le_bytes([u[0], u[1]]));
        if any >= 0x80 {
            break; // not all ASCII: decode the rest in full
        }
        let n = chunk.len() / 2;
        for (slot, unit) in narrow.iter_mut().zip(chunk.chunks_exact(2)) {
            *slot = unit[0];
        }
        out.push_str(std::str::from_utf8(&narrow[..n]).unwrap_or_default());
        rest = &rest[chunk.len()..];
    }
    let units = rest
        .chunks_exact(2)
        .map(|u| u16::from_le_bytes([u[0], u[1]]));
    out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
}

/// Decodes UTF-16LE bytes into a new string.
pub(crate) fn utf16_string(bytes: &[u8]) -> String {
    let mut out = String::new();
    utf16_to_string(bytes, &mut out);
    out
}

/// Decodes an 8-bit string: UTF-8 when valid, else Windows-1252 (the usual ANSI code page).
pub(crate) fn ansi_string(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_none() {
        let b = [1u8, 2, 3];
        assert_eq!(u16_at(&b, 1), Some(0x0302));
        assert_eq!(u16_at(&b, 2), None);
        assert_eq!(u32_at(&b, usize::MAX), None);
        assert_eq!(slice(&b, usize::MAX, 2), None);
        assert_eq!(align8(usize::MAX), None);
        assert_eq!(align8(9), Some(16));
    }

    #[test]
    fn utf16_strings() {
        let b = [b'h', 0, b'i', 0, 0, 0, b'x', 0];
        assert_eq!(utf16z_len(&b, 0), (4, true));
        assert_eq!(utf16z_len(&b, 6), (2, false));
        assert_eq!(utf16z_len(&b, 99), (0, false));
        assert_eq!(utf16_string(&b[..4]), "hi");
        // "A" then U+0100: zero bytes meet across the unit boundary, which is no terminator.
        let b = [b'A', 0, 0, 1, 0, 0];
        assert_eq!(utf16z_len(&b, 0), (4, true));
        // "é" then a lone surrogate, then an odd trailing byte.
        let b = [0xE9, 0, 0x00, 0xD8, 0x41];
        assert_eq!(utf16_string(&b), "é\u{FFFD}");
        // Long ASCII runs cross the fast path's chunks; non-ASCII may start anywhere.
        for text in [
            "a".repeat(1000),
            format!("{}✓ b", "x".repeat(300)),
            format!("{}é", "y".repeat(256)),
        ] {
            let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            assert_eq!(utf16_string(&bytes), text);
        }
    }
}
