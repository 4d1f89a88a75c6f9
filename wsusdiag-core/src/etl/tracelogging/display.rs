//! Field values as text.

use std::fmt;

use super::super::bytes::{slice, u8_at};
use super::super::time::filetime_to_utc;
use super::payload::Value;

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Int(v) => write!(f, "{v}"),
            Self::UInt(v) => write!(f, "{v}"),
            Self::Hex(v) => write!(f, "0x{v:X}"),
            Self::Float(v) => write!(f, "{v}"),
            Self::Bool(v) => write!(f, "{v}"),
            Self::Guid(g) => write!(f, "{g}"),
            Self::FileTime(t) => match filetime_to_utc(*t) {
                Some(time) => write!(
                    f,
                    "{}.{:07}Z",
                    time.format("%Y-%m-%dT%H:%M:%S"),
                    time.and_utc().timestamp_subsec_nanos() / 100
                ),
                None => write!(f, "FILETIME({t})"),
            },
            Self::SystemTime([y, mo, _, d, h, mi, s, ms]) => {
                write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}")
            }
            Self::Sid(bytes) => fmt_sid(bytes, f),
            Self::Binary(bytes) => {
                f.write_str("0x")?;
                bytes.iter().try_for_each(|b| write!(f, "{b:02X}"))
            }
            Self::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Self::Struct(members) => {
                f.write_str("{")?;
                for (i, member) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {}", member.name, member.value)?;
                }
                f.write_str("}")
            }
        }
    }
}

/// Writes a SID as `S-1-5-21-…`.
fn fmt_sid(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let revision = u8_at(bytes, 0).unwrap_or_default();
    let authority = slice(bytes, 2, 6)
        .map(|a| a.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .unwrap_or_default();
    write!(f, "S-{revision}-{authority}")?;
    for sub in bytes.get(8..).unwrap_or_default().chunks_exact(4) {
        write!(
            f,
            "-{}",
            u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::super::writer::tl_meta as meta;
    use super::super::payload::decode;
    use super::super::schema::parse_schema;

    #[test]
    fn scalar_values() {
        let fields = b"i8\0\x03u16\0\x06b\0\x0Dg\0\x0Fft\0\x11sid\0\x13cs\0\x16bin\0\x0Ep\0\x10";
        let s = parse_schema(&meta("E", fields)).unwrap();
        let mut p = vec![0xFF, 0x34, 0x12, 1, 0, 0, 0];
        p.extend_from_slice(&[0x19, 0x6f, 0x7a, 0x0b, 0xc4, 0x47, 0x4e, 0x45]);
        p.extend_from_slice(&[0x8c, 0x5c, 0xe8, 0x68, 0xd6, 0x37, 0xe4, 0xd8]);
        p.extend_from_slice(&134_044_310_069_403_716i64.to_le_bytes());
        p.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0]);
        p.extend_from_slice(&[4, 0, b'h', 0, b'i', 0]);
        p.extend_from_slice(&[2, 0, 0xAB, 0xCD]);
        p.extend_from_slice(&[0x10, 0, 0, 0]);
        let shown: Vec<String> = decode(&s, &p, 4)
            .iter()
            .map(|f| f.value.to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "-1",
                "4660",
                "true",
                "0b7a6f19-47c4-454e-8c5c-e868d637e4d8",
                "2025-10-08T21:03:26.9403716Z",
                "S-1-5-32-544",
                "hi",
                "0xABCD",
                "0x10",
            ]
        );
    }
}
