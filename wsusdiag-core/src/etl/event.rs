//! Events: the `EVENT_HEADER` record (0x50 bytes, then extended data items, then the payload) and
//! the decoded [`EtlEvent`] the reader hands out.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use chrono::NaiveDateTime;

use super::bytes::{align8, array, i64_at, u8_at, u16_at, u32_at, u64_at, utf16_to_string};
use super::tracelogging::{self, Field, MessageSpan, Schema};

/// A GUID as stored by Windows (first three groups little-endian).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Self = Self([0; 16]);
}

impl fmt::Display for Guid {
    /// Formats as `0b7a6f19-47c4-454e-8c5c-e868d637e4d8`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-",
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_le_bytes([b[4], b[5]]),
            u16::from_le_bytes([b[6], b[7]])
        )?;
        b[8..10].iter().try_for_each(|x| write!(f, "{x:02x}"))?;
        f.write_str("-")?;
        b[10..].iter().try_for_each(|x| write!(f, "{x:02x}"))
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{self}}}")
    }
}

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The Windows Update provider, `WUTraceLogging` {0b7a6f19-47c4-454e-8c5c-e868d637e4d8}.
pub const WINDOWS_UPDATE_PROVIDER: Guid = Guid([
    0x19, 0x6f, 0x7a, 0x0b, 0xc4, 0x47, 0x4e, 0x45, 0x8c, 0x5c, 0xe8, 0x68, 0xd6, 0x37, 0xe4, 0xd8,
]);

/// Name of the Windows Update provider.
pub const WINDOWS_UPDATE_PROVIDER_NAME: &str = "WUTraceLogging";

/// Size of an `EVENT_HEADER` record before its extended items.
pub(crate) const EVENT_HEADER_LEN: usize = 0x50;

/// `EVENT_HEADER.Flags` bits used here.
pub(crate) mod flags {
    pub(crate) const EXTENDED_INFO: u16 = 0x0001;
    pub(crate) const STRING_ONLY: u16 = 0x0004;
    pub(crate) const TRACE_MESSAGE: u16 = 0x0008;
    pub(crate) const HEADER_32: u16 = 0x0020;
    pub(crate) const HEADER_64: u16 = 0x0040;
}

/// Extended item types used here.
const EXT_EVENT_SCHEMA_TL: u16 = 11;
const EXT_PROV_TRAITS: u16 = 12;

/// An `EVENT_HEADER` record, split into its parts (ranges are offsets into the record).
pub(crate) struct RawEvent {
    pub(crate) flags: u16,
    pub(crate) tid: u32,
    pub(crate) pid: u32,
    pub(crate) timestamp: i64,
    pub(crate) provider_id: Guid,
    pub(crate) level: u8,
    pub(crate) opcode: u8,
    pub(crate) keyword: u64,
    pub(crate) activity_id: Guid,
    /// TraceLogging event metadata (extended item 11), as a range of the record.
    pub(crate) schema: Option<Range<usize>>,
    /// Provider traits, which start with the provider name (extended item 12).
    pub(crate) traits: Option<Range<usize>>,
    /// The payload: from the end of the extended items to the end of the record.
    pub(crate) user_data: Range<usize>,
}

/// Splits an `EVENT_HEADER` record (exactly `Size` bytes). Errors say what does not fit.
pub(crate) fn parse_event_header(record: &[u8]) -> Result<RawEvent, &'static str> {
    if record.len() < EVENT_HEADER_LEN {
        return Err("event record shorter than its 0x50-byte header");
    }
    let short = "event record shorter than its header";
    let flags = u16_at(record, 4).ok_or(short)?;
    let mut event = RawEvent {
        flags,
        tid: u32_at(record, 8).ok_or(short)?,
        pid: u32_at(record, 0x0C).ok_or(short)?,
        timestamp: i64_at(record, 0x10).ok_or(short)?,
        provider_id: Guid(array(record, 0x18).ok_or(short)?),
        level: u8_at(record, 0x2C).ok_or(short)?,
        opcode: u8_at(record, 0x2D).ok_or(short)?,
        keyword: u64_at(record, 0x30).ok_or(short)?,
        activity_id: Guid(array(record, 0x40).ok_or(short)?),
        schema: None,
        traits: None,
        user_data: 0..0,
    };
    let mut pos = EVENT_HEADER_LEN;
    if flags & flags::EXTENDED_INFO != 0 {
        // Each item: u16 item size, u16 type, u16 linkage (bit 0: another item follows), u16
        // data size, then the data, padded to 8 bytes.
        loop {
            let bad = "extended data item runs past the end of its event record";
            let ext_type = u16_at(record, pos + 2).ok_or(bad)?;
            let linkage = u16_at(record, pos + 4).ok_or(bad)?;
            let data_size = usize::from(u16_at(record, pos + 6).ok_or(bad)?);
            let data = pos + 8..pos + 8 + data_size;
            if data.end > record.len() {
                return Err(bad);
            }
            match ext_type {
                EXT_EVENT_SCHEMA_TL => event.schema = Some(data),
                EXT_PROV_TRAITS => event.traits = Some(data),
                _ => {}
            }
            pos = align8(pos + 8 + data_size).ok_or(bad)?;
            if linkage & 1 == 0 {
                break;
            }
        }
    }
    event.user_data = pos.min(record.len())..record.len();
    Ok(event)
}

/// One decoded event. For Windows Update these are the rows `Get-WindowsUpdateLog` prints: time,
/// process and thread, component (the event name) and message (the `Info` field).
///
/// Names and payload borrow the file's bytes; events from compressed buffers own a copy.
#[derive(Clone, Debug)]
pub struct EtlEvent<'a> {
    /// When the event was written, UTC, to 100 ns; 1601-01-01 when the log header is unusable.
    pub time: NaiveDateTime,
    /// The raw clock value from the event header.
    pub timestamp: i64,
    /// Process ID.
    pub pid: u32,
    /// Thread ID.
    pub tid: u32,
    /// Provider name from the event's provider traits (`WUTraceLogging` for Windows Update);
    /// empty when the event does not carry one.
    pub provider: Cow<'a, str>,
    /// Provider GUID from the event header.
    pub provider_id: Guid,
    /// Event name from the TraceLogging metadata: the component for Windows Update (`Agent`,
    /// `ComApi`, …); empty for string-only events.
    pub event_name: Cow<'a, str>,
    /// Level: 1 critical, 2 error, 3 warning, 4 information, 5 verbose.
    pub level: u8,
    /// Keyword bits (Windows Update: one bit per component).
    pub keyword: u64,
    /// Opcode.
    pub opcode: u8,
    /// Activity ID (zero for Windows Update).
    pub activity_id: Guid,
    /// File offset of the event record; for an event in a compressed buffer, of that buffer.
    pub offset: usize,
    /// The event came from a compressed buffer: `offset` points at the buffer.
    pub in_compressed_buffer: bool,
    /// Index of the file the event came from in [`read_many`](super::read_many) (0 for
    /// [`read`](super::read)).
    pub file: usize,
    pub(crate) payload: Cow<'a, [u8]>,
    pub(crate) schema: Option<Arc<Schema>>,
    pub(crate) message: MessageSpan,
    pub(crate) pointer_size: u8,
}

impl EtlEvent<'_> {
    /// The Windows Update component: the event name.
    pub fn component(&self) -> &str {
        &self.event_name
    }

    /// The event comes from the Windows Update provider.
    pub fn is_windows_update(&self) -> bool {
        self.provider == WINDOWS_UPDATE_PROVIDER_NAME || self.provider_id == WINDOWS_UPDATE_PROVIDER
    }

    /// The message: for Windows Update (and SIH) the `Info` field, the finished log line; for an
    /// event with a single string field that field; otherwise every field as `name: value`
    /// joined by `; `. Decoded from UTF-16 on each call; see [`write_message`](Self::write_message)
    /// to reuse a buffer.
    pub fn message(&self) -> Cow<'_, str> {
        if let MessageSpan::Ansi { start, end } = self.message
            && let Some(Ok(text)) = self
                .payload
                .get(start as usize..end as usize)
                .map(std::str::from_utf8)
        {
            return Cow::Borrowed(text);
        }
        let mut out = String::new();
        self.write_message(&mut out);
        Cow::Owned(out)
    }

    /// Appends the message (as [`message`](Self::message) returns it) to `out`, so a caller
    /// walking many events can reuse one buffer and allocate nothing per event.
    pub fn write_message(&self, out: &mut String) {
        if tracelogging::write_span(self.message, &self.payload, out) {
            return;
        }
        match (&self.schema, self.message) {
            (Some(schema), MessageSpan::Fields) => {
                let fields = tracelogging::decode(schema, &self.payload, self.pointer_size);
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str("; ");
                    }
                    use fmt::Write as _;
                    let _ = write!(out, "{}: {}", field.name, field.value);
                }
            }
            (None, _) => {
                // A string-only event: the payload is one UTF-16 string.
                let (len, _) = super::bytes::utf16z_len(&self.payload, 0);
                utf16_to_string(self.payload.get(..len).unwrap_or_default(), out);
            }
            _ => {}
        }
    }

    /// Appends the event as `Get-WindowsUpdateLog` prints it, with a line break:
    /// `2025/10/08 21:03:26.9403716 11168 10232 Agent           message` (PID and TID padded to
    /// 5, the component to 15). The time is UTC, where the cmdlet prints the local time of the
    /// machine it runs on.
    pub fn write_log_line(&self, out: &mut String) {
        self.write_log_header(out);
        self.write_message(out);
        out.push('\n');
    }

    /// Appends what [`write_log_line`](Self::write_log_line) writes before the message: time,
    /// PID, TID and component, each padded, and a space.
    pub(crate) fn write_log_header(&self, out: &mut String) {
        write_log_header(out, self.time, self.pid, self.tid, &self.event_name);
    }

    /// Every field the event's metadata declares, decoded, in order (up to the first that cannot
    /// be decoded). Empty for string-only events.
    pub fn fields(&self) -> Vec<Field<'_>> {
        match &self.schema {
            Some(schema) => tracelogging::decode(schema, &self.payload, self.pointer_size),
            None => Vec::new(),
        }
    }

    /// The raw payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Makes the event independent of the input bytes.
    pub fn into_owned(self) -> EtlEvent<'static> {
        EtlEvent {
            time: self.time,
            timestamp: self.timestamp,
            pid: self.pid,
            tid: self.tid,
            provider: Cow::Owned(self.provider.into_owned()),
            provider_id: self.provider_id,
            event_name: Cow::Owned(self.event_name.into_owned()),
            level: self.level,
            keyword: self.keyword,
            opcode: self.opcode,
            activity_id: self.activity_id,
            offset: self.offset,
            in_compressed_buffer: self.in_compressed_buffer,
            file: self.file,
            payload: Cow::Owned(self.payload.into_owned()),
            schema: self.schema,
            message: self.message,
            pointer_size: self.pointer_size,
        }
    }
}

/// Pointer size of the process that wrote an event, from its header flags, else the file's.
/// Appends an event's header as `Get-WindowsUpdateLog` prints it: time (UTC, to 100 ns), PID,
/// TID and component, each padded, and a space.
pub(crate) fn write_log_header(
    out: &mut String,
    time: NaiveDateTime,
    pid: u32,
    tid: u32,
    component: &str,
) {
    use fmt::Write as _;
    let nanos = time.and_utc().timestamp_subsec_nanos();
    let _ = write!(
        out,
        "{}.{:07} {:<5} {:<5} {:<15} ",
        time.format("%Y/%m/%d %H:%M:%S"),
        nanos / 100,
        pid,
        tid,
        component
    );
}

pub(crate) fn event_pointer_size(flags: u16, file_pointer_size: u8) -> u8 {
    if flags & flags::HEADER_32 != 0 {
        4
    } else if flags & flags::HEADER_64 != 0 {
        8
    } else {
        file_pointer_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_text() {
        assert_eq!(
            WINDOWS_UPDATE_PROVIDER.to_string(),
            "0b7a6f19-47c4-454e-8c5c-e868d637e4d8"
        );
        assert_eq!(
            format!("{:?}", Guid::NIL),
            "{00000000-0000-0000-0000-000000000000}"
        );
    }

    #[test]
    fn bad_extended_items() {
        let mut record = vec![0u8; 0x58];
        record[4] = 1; // extended info
        record[0x50..0x58].copy_from_slice(&[0x20, 0, 11, 0, 0, 0, 0x40, 0]);
        assert!(parse_event_header(&record).is_err());
        assert!(parse_event_header(&record[..0x40]).is_err());
        record[0x56] = 0; // empty item, last
        let event = parse_event_header(&record).unwrap();
        assert_eq!(event.schema, Some(0x58..0x58));
        assert!(event.user_data.is_empty());
    }
}
