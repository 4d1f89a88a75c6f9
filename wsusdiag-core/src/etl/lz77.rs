//! Plain LZ77 decompression ([MS-XCA] §2.3–2.4, "LZ77 Decompression Algorithm"), the scheme ETW
//! uses for the buffers of a session in compressed mode (buffer flag 0x40).
//!
//! The stream is a sequence of 32-bit flag words, each followed by up to 32 items: a clear bit is
//! one literal byte, a set bit a 16-bit match token (length in the low 3 bits, distance − 1 in the
//! high 13) whose length may continue in a shared half byte, a byte, a u16 and a u32.

/// Why a compressed buffer could not be fully decompressed. What was produced up to that point
/// is still returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lz77Error {
    /// A match points before the start of the output.
    BadDistance,
    /// A match length field is inconsistent.
    BadLength,
    /// The input ends inside a token.
    Truncated,
}

/// Decompresses `input`, producing at most `limit` bytes (the buffer's declared size). The output
/// is cut at `limit`, which bounds memory whatever the stream claims.
pub(crate) fn decompress(input: &[u8], limit: usize) -> (Vec<u8>, Option<Lz77Error>) {
    // Reserve what the buffer declares, within reason; the vector grows if the claim is a lie.
    let mut out = Vec::with_capacity(limit.min(input.len().saturating_mul(8)).min(1 << 20));
    let error = run(input, limit, &mut out).err();
    (out, error)
}

fn run(input: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<(), Lz77Error> {
    let byte = |at: usize| input.get(at).copied().ok_or(Lz77Error::Truncated);
    let word = |at: usize| {
        input
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .ok_or(Lz77Error::Truncated)
    };
    let mut pos = 0usize;
    let mut flags = 0u32;
    let mut flag_count = 0u32;
    // Position of the byte whose high half holds the next 4-bit length extension (0 = none
    // pending; position 0 is always part of the first flag word, so never a nibble byte).
    let mut half_byte_at = 0usize;
    while out.len() < limit {
        if flag_count == 0 {
            let Some(b) = input.get(pos..pos + 4) else {
                // Clean end: the stream stops at a flag-word boundary.
                return if pos >= input.len() {
                    Ok(())
                } else {
                    Err(Lz77Error::Truncated)
                };
            };
            flags = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            pos += 4;
            flag_count = 32;
        }
        flag_count -= 1;
        if flags & (1 << flag_count) == 0 {
            match input.get(pos) {
                Some(&b) => out.push(b),
                None => return Ok(()),
            }
            pos += 1;
            continue;
        }
        if pos >= input.len() {
            return Ok(());
        }
        let token = word(pos)?;
        pos += 2;
        let distance = (token >> 3) + 1;
        let mut length = token & 7;
        if length == 7 {
            if half_byte_at == 0 {
                length = usize::from(byte(pos)? & 0x0F);
                half_byte_at = pos;
                pos += 1;
            } else {
                length = usize::from(byte(half_byte_at)? >> 4);
                half_byte_at = 0;
            }
            if length == 15 {
                length = usize::from(byte(pos)?);
                pos += 1;
                if length == 255 {
                    length = word(pos)?;
                    pos += 2;
                    if length == 0 {
                        let b = input.get(pos..pos + 4).ok_or(Lz77Error::Truncated)?;
                        length = usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                            .map_err(|_| Lz77Error::BadLength)?;
                        pos += 4;
                    }
                    length = length.checked_sub(15 + 7).ok_or(Lz77Error::BadLength)?;
                }
                length += 15;
            }
            length += 7;
        }
        length += 3;
        let start = out
            .len()
            .checked_sub(distance)
            .ok_or(Lz77Error::BadDistance)?;
        let length = length.min(limit - out.len());
        if distance >= length {
            out.extend_from_within(start..start + length);
        } else {
            // Overlapping copy: each byte may repeat one just written.
            for i in 0..length {
                let b = out[start + i];
                out.push(b);
            }
        }
    }
    Ok(())
}

/// Compresses with literals and simple matches, only for building test files.
#[cfg(test)]
pub(crate) fn compress_for_tests(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut flag_bits = 0u32;
    let mut flag_count = 0u32;
    let mut half_byte_at: Option<usize> = None;
    let mut pos = 0;
    let start_flags = |out: &mut Vec<u8>| {
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        at
    };
    let mut flag_at = start_flags(&mut out);
    while pos < input.len() {
        if flag_count == 32 {
            out[flag_at..flag_at + 4].copy_from_slice(&flag_bits.to_le_bytes());
            flag_at = start_flags(&mut out);
            flag_bits = 0;
            flag_count = 0;
        }
        // Longest match within the last 8 KiB (naive search; inputs are small).
        let (mut best_len, mut best_dist) = (0, 0);
        for dist in 1..=pos.min(8192) {
            let mut len = 0;
            while pos + len < input.len()
                && input[pos + len] == input[pos - dist + len]
                && len < 70_000
            {
                len += 1;
            }
            if len > best_len {
                (best_len, best_dist) = (len, dist);
            }
        }
        if best_len >= 3 {
            flag_bits |= 1 << (31 - flag_count);
            let extra = best_len - 3;
            let low = extra.min(7);
            out.extend_from_slice(
                &u16::try_from(((best_dist - 1) << 3) | low)
                    .unwrap()
                    .to_le_bytes(),
            );
            if extra >= 7 {
                let nibble = (extra - 7).min(15);
                match half_byte_at.take() {
                    None => {
                        half_byte_at = Some(out.len());
                        out.push(u8::try_from(nibble).unwrap());
                    }
                    Some(at) => out[at] |= u8::try_from(nibble << 4).unwrap(),
                }
                if extra - 7 >= 15 {
                    let rest = extra - 7 - 15;
                    if rest < 255 {
                        out.push(u8::try_from(rest).unwrap());
                    } else {
                        out.push(255);
                        let total = extra; // the u16/u32 forms hold length − 3 in full
                        if total <= 0xFFFF {
                            out.extend_from_slice(&u16::try_from(total).unwrap().to_le_bytes());
                        } else {
                            out.extend_from_slice(&[0, 0]);
                            out.extend_from_slice(&u32::try_from(total).unwrap().to_le_bytes());
                        }
                    }
                }
            }
            pos += best_len;
        } else {
            out.push(input[pos]);
            pos += 1;
        }
        flag_count += 1;
    }
    // Terminate: the remaining flag bits are set, so the decoder sees "match at end of input".
    flag_bits |= u32::try_from((1u64 << (32 - flag_count)) - 1).unwrap();
    out[flag_at..flag_at + 4].copy_from_slice(&flag_bits.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut data = b"Soap fault detail: errorCode='InternalServerError', message=''".repeat(40);
        data.extend(std::iter::repeat_n(b'z', 100_000));
        data.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
        let packed = compress_for_tests(&data);
        assert!(packed.len() < data.len() / 4);
        let (unpacked, err) = decompress(&packed, data.len());
        assert_eq!(err, None);
        assert_eq!(unpacked, data);
        // A lower limit cuts the output, never overruns it.
        let (cut, _) = decompress(&packed, 1000);
        assert_eq!(cut, data[..1000]);
    }

    #[test]
    fn spec_example() {
        // [MS-XCA] §3.1: "abcdefghijklmnopqrstuvwxyz" is stored as literals only.
        let mut packed = vec![0x3f, 0x00, 0x00, 0x00];
        packed.extend_from_slice(b"abcdefghijklmnopqrstuvwxyz");
        let (out, err) = decompress(&packed, 26);
        assert_eq!(
            (out.as_slice(), err),
            (&b"abcdefghijklmnopqrstuvwxyz"[..], None)
        );
        // "abc" × 100: three literals and one long match (length 297, distance 3).
        let packed = [
            0xff, 0xff, 0xff, 0x1f, b'a', b'b', b'c', 0x17, 0x00, 0x0f, 0xff, 0x26, 0x01,
        ];
        let (out, err) = decompress(&packed, 300);
        assert_eq!(err, None);
        assert_eq!(out, b"abc".repeat(100));
    }

    #[test]
    fn bad_streams_do_not_panic() {
        // A match before any output.
        assert_eq!(
            decompress(&[0, 0, 0, 0x80, 0, 0], 10).1,
            Some(Lz77Error::BadDistance)
        );
        // A token cut in half.
        assert_eq!(
            decompress(&[0, 0, 0, 0x80, 7], 10).1,
            Some(Lz77Error::Truncated)
        );
        assert_eq!(decompress(&[1, 2], 10).1, Some(Lz77Error::Truncated));
        assert_eq!(decompress(&[], 10), (Vec::new(), None));
    }
}
