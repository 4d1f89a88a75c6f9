//! Record framing inside a buffer: what kind of trace header starts at a position, and how long
//! the record is.
//!
//! Every record begins with four bytes whose top byte holds marker flags: 0xC0 for the common
//! trace headers, whose kind is then in byte 2, and 0x90 for WPP `TraceMessage` records. Where
//! the record size sits depends on the kind. Records are padded to 8 bytes; 0xFFFFFFFF marks the
//! padding after the last one.

use super::bytes::{u16_at, u32_at};

/// Kinds of trace header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordKind {
    /// `SYSTEM_TRACE_HEADER` (kernel and logger events; the log header is one); the flag says
    /// whether it is the 64-bit variant.
    System { wide: bool },
    /// Compact system header (no CPU times).
    Compact,
    /// Kernel performance events.
    PerfInfo,
    /// `EVENT_TRACE_HEADER`: a classic (MOF) event.
    Classic,
    /// Classic instance event.
    Instance,
    /// `EVENT_HEADER`: manifest-based and TraceLogging events.
    Event,
    /// WPP `TraceMessage`: needs the binary's symbols to decode.
    Message,
}

/// What lies at a position in a buffer's records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A record of `len` bytes (unpadded).
    Record { kind: RecordKind, len: usize },
    /// Padding or the end of the data.
    End,
    /// Bytes that are no record this reader knows; the buffer's remaining records cannot be
    /// found.
    Unknown { marker: u32 },
    /// A record whose size is too small for its kind.
    TooSmall { kind: RecordKind, len: usize },
    /// A record that runs past the end of the data.
    PastEnd { kind: RecordKind, len: usize },
}

/// Smallest size of each kind of record.
fn min_len(kind: RecordKind) -> usize {
    match kind {
        RecordKind::System { .. } => 0x20,
        RecordKind::Compact => 0x18,
        RecordKind::PerfInfo => 0x10,
        RecordKind::Classic | RecordKind::Instance => 0x30,
        RecordKind::Event => 0x50,
        RecordKind::Message => 0x08,
    }
}

/// Classifies the record at `pos`.
pub(crate) fn step(data: &[u8], pos: usize) -> Step {
    let Some(marker) = u32_at(data, pos) else {
        return Step::End;
    };
    if marker == u32::MAX {
        return Step::End;
    }
    let flags = (marker >> 24) as u8;
    let header_type = (marker >> 16) as u8;
    // Where the size is: a u16 at +4 for system-style headers, at +0 otherwise.
    let (kind, size_at) = match (flags, header_type) {
        (0xC0, 0x01) => (RecordKind::System { wide: false }, 4),
        (0xC0, 0x02) => (RecordKind::System { wide: true }, 4),
        (0xC0, 0x03 | 0x04) => (RecordKind::Compact, 4),
        (0xC0, 0x10 | 0x11) => (RecordKind::PerfInfo, 4),
        (0xC0, 0x0A | 0x14) => (RecordKind::Classic, 0),
        (0xC0, 0x0B | 0x15) => (RecordKind::Instance, 0),
        (0xC0, 0x12 | 0x13) => (RecordKind::Event, 0),
        (0xC0, 0x0F) | (0x90, _) => (RecordKind::Message, 0),
        _ => return Step::Unknown { marker },
    };
    let Some(len) = u16_at(data, pos + size_at).map(usize::from) else {
        return Step::PastEnd { kind, len: 0 };
    };
    if len < min_len(kind) {
        return Step::TooSmall { kind, len };
    }
    if pos + len > data.len() {
        return Step::PastEnd { kind, len };
    }
    Step::Record { kind, len }
}

/// Hook ID of a system-style record (group in the high byte, type in the low byte).
pub(crate) fn hook_id(record: &[u8]) -> u16 {
    u16_at(record, 6).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing() {
        let mut b = vec![0u8; 0x60];
        b[..8].copy_from_slice(&[0x02, 0x00, 0x02, 0xC0, 0x30, 0x00, 0x00, 0x00]);
        assert_eq!(
            step(&b, 0),
            Step::Record {
                kind: RecordKind::System { wide: true },
                len: 0x30
            }
        );
        b[4] = 0x70;
        assert_eq!(
            step(&b, 0),
            Step::PastEnd {
                kind: RecordKind::System { wide: true },
                len: 0x70
            }
        );
        b[4] = 0x08;
        assert!(matches!(step(&b, 0), Step::TooSmall { .. }));
        b[..4].copy_from_slice(&[0x50, 0x00, 0x13, 0xC0]);
        assert_eq!(
            step(&b, 0),
            Step::Record {
                kind: RecordKind::Event,
                len: 0x50
            }
        );
        b[..4].copy_from_slice(&[0x10, 0x00, 0x00, 0x90]);
        assert_eq!(
            step(&b, 0),
            Step::Record {
                kind: RecordKind::Message,
                len: 0x10
            }
        );
        b[..4].copy_from_slice(&[0xFF; 4]);
        assert_eq!(step(&b, 0), Step::End);
        b[..4].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(step(&b, 0), Step::Unknown { marker: 0 });
        assert_eq!(step(&b, 0x5E), Step::End);
    }
}
