//! Byte-order marks and encodings: UTF-8, UTF-16LE/BE (with or without BOM), Windows-1252.

use std::borrow::Cow;

use crate::named::named_enum;

named_enum! {
    /// The text encoding an input was read with.
    pub enum TextEncoding {
        /// UTF-8 without a byte-order mark (ASCII included).
        Utf8 = "utf-8",
        /// UTF-8 with a byte-order mark.
        Utf8Bom = "utf-8-bom",
        /// UTF-16 little-endian (with BOM, or detected without one).
        Utf16le = "utf-16le",
        /// UTF-16 big-endian (with BOM, or detected without one).
        Utf16be = "utf-16be",
        /// Not valid UTF-8: read as the Windows ANSI code page 1252.
        Windows1252 = "windows-1252",
        /// Binary data (an `.etl` trace), not text.
        Binary = "binary",
    }
}

/// Text decoded from an input's bytes.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text: borrowed when the bytes were already UTF-8.
    pub text: Cow<'a, str>,
    /// How it was decoded.
    pub encoding: TextEncoding,
    /// The input ended inside a character (a cut file); the broken character was replaced.
    pub cut_character: bool,
}

/// Decodes `bytes` once, sniffing the BOM and the encoding.
///
/// Valid UTF-8 is borrowed as is. A UTF-8 file cut inside its last character stays UTF-8 (the
/// broken character becomes U+FFFD). UTF-16 without a BOM is recognised by its zero bytes.
/// Anything else is read as Windows-1252, the ANSI code page classic logs were written in.
pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    let (encoding, body) = form(bytes);
    match encoding {
        TextEncoding::Utf16le => utf16(body, encoding_rs::UTF_16LE, encoding),
        TextEncoding::Utf16be => utf16(body, encoding_rs::UTF_16BE, encoding),
        TextEncoding::Utf8Bom => {
            let (text, cut_character) = utf8(body);
            Decoded {
                text,
                encoding,
                cut_character,
            }
        }
        _ => match std::str::from_utf8(body) {
            Ok(text) => Decoded {
                text: Cow::Borrowed(text),
                encoding: TextEncoding::Utf8,
                cut_character: false,
            },
            Err(e) if e.error_len().is_none() => {
                let (text, cut_character) = utf8(body);
                Decoded {
                    text,
                    encoding: TextEncoding::Utf8,
                    cut_character,
                }
            }
            Err(_) => {
                let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(body);
                Decoded {
                    text,
                    encoding: TextEncoding::Windows1252,
                    cut_character: false,
                }
            }
        },
    }
}

/// The encoding `bytes` announce by their BOM or their zero bytes, and the bytes after the BOM.
/// `Utf8` stands for UTF-8 without a BOM or, if the bytes are not UTF-8, Windows-1252.
fn form(bytes: &[u8]) -> (TextEncoding, &[u8]) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (TextEncoding::Utf8Bom, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (TextEncoding::Utf16le, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (TextEncoding::Utf16be, rest)
    } else {
        (
            utf16_without_bom(bytes).unwrap_or(TextEncoding::Utf8),
            bytes,
        )
    }
}

/// For input that [`decode`] reads as UTF-8 (with or without a BOM) as far as its first `len`
/// bytes show: the encoding, the bytes after the BOM, and the whole characters of their first
/// `len` bytes as text. The rest is not looked at: the caller checks it as it reads it.
pub(crate) fn utf8_head(bytes: &[u8], len: usize) -> Option<(TextEncoding, &[u8], &str)> {
    let (encoding, body) = form(bytes);
    if !matches!(encoding, TextEncoding::Utf8 | TextEncoding::Utf8Bom) {
        return None;
    }
    let head = &body[..body.len().min(len)];
    let head = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut by `len` (or by the end of a cut file).
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    Some((encoding, body, head))
}

fn utf8(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    match std::str::from_utf8(bytes) {
        Ok(t) => (Cow::Borrowed(t), false),
        Err(e) if e.error_len().is_none() => {
            let valid = e.valid_up_to();
            // The prefix is valid by construction.
            let head = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
            (Cow::Owned(format!("{head}\u{FFFD}")), true)
        }
        Err(_) => (String::from_utf8_lossy(bytes), false),
    }
}

fn utf16(
    bytes: &[u8],
    encoding: &'static encoding_rs::Encoding,
    name: TextEncoding,
) -> Decoded<'static> {
    let cut_character = bytes.len() % 2 == 1;
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: name,
        cut_character,
    }
}

/// Recognises UTF-16 without a BOM: text logs are mostly ASCII, so every other byte is zero.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<TextEncoding> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut zero_odd, mut zero_even) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let most = pairs * 7 / 10;
    let few = pairs / 20;
    if zero_odd >= most && zero_even <= few {
        Some(TextEncoding::Utf16le)
    } else if zero_even >= most && zero_odd <= few {
        Some(TextEncoding::Utf16be)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    #[test]
    fn utf8_is_borrowed() {
        let d = decode(b"2008-07-14\t09:12:01:375");
        assert!(matches!(d.text, Cow::Borrowed(_)));
        assert_eq!(d.encoding, TextEncoding::Utf8);
    }

    #[test]
    fn boms() {
        let d = decode(b"\xEF\xBB\xBFabc");
        assert_eq!(
            (d.text.as_ref(), d.encoding),
            ("abc", TextEncoding::Utf8Bom)
        );
        let bytes = utf16le("Fehler: Der Index war au\u{df}erhalb", true);
        let d = decode(&bytes);
        assert_eq!(d.encoding, TextEncoding::Utf16le);
        assert_eq!(d.text, "Fehler: Der Index war au\u{df}erhalb");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'o', 0, b'k'].to_vec();
        assert_eq!(decode(&be).text, "ok");
    }

    #[test]
    fn utf16_without_bom_is_detected() {
        let bytes = utf16le("2023/09/14 16:09:29.8316990 5000  5160  Agent", false);
        let d = decode(&bytes);
        assert_eq!(d.encoding, TextEncoding::Utf16le);
        assert!(d.text.starts_with("2023/09/14"));
    }

    #[test]
    fn ansi_falls_back_to_windows_1252() {
        let d = decode(b"Der Index war au\xDFerhalb des Arraybereichs.\n");
        assert_eq!(d.encoding, TextEncoding::Windows1252);
        assert!(d.text.contains("au\u{df}erhalb"));
    }

    #[test]
    fn cut_inside_a_character() {
        let d = decode("abc \u{df}".as_bytes().split_last().unwrap().1);
        assert_eq!(d.encoding, TextEncoding::Utf8);
        assert!(d.cut_character);
        assert_eq!(d.text, "abc \u{FFFD}");
        let odd = &utf16le("abcd", true)[..7];
        assert!(decode(odd).cut_character);
    }
}
