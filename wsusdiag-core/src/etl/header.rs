//! The log header: `TRACE_LOGFILE_HEADER`, the payload of the first record of the first buffer.
//!
//! It gives the session start (UTC FILETIME), the clock and its frequency, the recording
//! machine's time zone, and the counts of events and buffers lost. Pointer-sized fields (two
//! string pointers, meaningless on disk) make everything from the time zone on sit 8 bytes
//! earlier in a file written with 4-byte pointers.

use chrono::NaiveDateTime;

use super::bytes::{array, i32_at, i64_at, u32_at, utf16_string, utf16z_len};
use super::time::{Clock, ClockType, FILETIME_EPOCH, TimeZone, TransitionRule, filetime_to_utc};

/// What the log header says about the session that wrote the trace.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LogHeader {
    /// A log header was found and read; otherwise every other field is a default.
    pub found: bool,
    /// Session start, UTC.
    pub start_time: NaiveDateTime,
    /// Session end, UTC; `None` while the file was still being written (0 on disk).
    pub end_time: Option<NaiveDateTime>,
    /// The clock that stamps events.
    pub clock: ClockType,
    /// Clock ticks per second for a performance-counter clock (`PerfFreq`).
    pub frequency: u64,
    /// CPU speed in MHz, used by a CPU-cycle clock.
    pub cpu_mhz: u32,
    /// The time zone of the machine that recorded the trace.
    pub time_zone: TimeZone,
    /// Pointer size of the recording system, 4 or 8.
    pub pointer_size: u8,
    /// Events the session lost (its buffers were full): lines missing from the trace.
    pub events_lost: u32,
    /// Buffers the session lost.
    pub buffers_lost: u32,
    /// Buffers written to the file, as counted when the header was last updated.
    pub buffers_written: u32,
    /// The session's buffer size in bytes.
    pub buffer_size: u32,
    /// Windows major.minor version of the recording system, e.g. (10, 0).
    pub os_version: (u8, u8),
    /// Windows build number of the recording system (22631 for Windows 11 23H2); Windows
    /// Update traces are self-describing from build 16299 (1709) on.
    pub os_build: u32,
    /// Processors of the recording system.
    pub processors: u32,
    /// Logging mode flags (`LogFileMode`).
    pub log_file_mode: u32,
    /// Name of the session, e.g. `WindowsUpdate_trace_log`.
    pub logger_name: String,
    /// Path the file was written to on the recording machine.
    pub log_file_name: String,
}

impl Default for LogHeader {
    fn default() -> Self {
        Self {
            found: false,
            start_time: FILETIME_EPOCH,
            end_time: None,
            clock: ClockType::Unknown(0),
            frequency: 0,
            cpu_mhz: 0,
            time_zone: TimeZone::default(),
            pointer_size: 8,
            events_lost: 0,
            buffers_lost: 0,
            buffers_written: 0,
            buffer_size: 0,
            os_version: (0, 0),
            os_build: 0,
            processors: 0,
            log_file_mode: 0,
            logger_name: String::new(),
            log_file_name: String::new(),
        }
    }
}

/// Bytes of the payload up to and including the buffers-lost count (64-bit layout).
const MIN_PAYLOAD_64: usize = 0x118;

/// Reads the log header from the payload of the log-header record, taken at raw clock value
/// `raw_timestamp`. `record_pointer_size` is what the record type says (SYSTEM32 or SYSTEM64),
/// used when the header's own field is not 4 or 8. Returns the header and the clock, or `None`
/// when the payload is too short.
pub(crate) fn parse(
    payload: &[u8],
    raw_timestamp: i64,
    record_pointer_size: u8,
) -> Option<(LogHeader, Clock)> {
    let pointer_size = match u32_at(payload, 0x2C)? {
        4 => 4u8,
        8 => 8u8,
        _ => record_pointer_size,
    };
    // Offsets after the two string pointers move with the pointer size.
    let shift = if pointer_size == 4 { 8 } else { 0 };
    let at = |offset: usize| offset - shift;
    if payload.len() < MIN_PAYLOAD_64 - shift {
        return None;
    }
    let version = u32_at(payload, 0x04)?.to_le_bytes();
    let tz = at(0x48);
    let time_zone = TimeZone {
        bias_minutes: i32_at(payload, tz)?,
        standard_name: fixed_utf16(payload, tz + 4, 64),
        standard_start: systemtime(payload, tz + 68).and_then(TransitionRule::from_systemtime),
        standard_bias_minutes: i32_at(payload, tz + 84)?,
        daylight_name: fixed_utf16(payload, tz + 88, 64),
        daylight_start: systemtime(payload, tz + 152).and_then(TransitionRule::from_systemtime),
        daylight_bias_minutes: i32_at(payload, tz + 168)?,
    };
    let frequency = i64_at(payload, at(0x100))?;
    let start_filetime = i64_at(payload, at(0x108))?;
    let clock_raw = u32_at(payload, at(0x110))?;
    let cpu_mhz = u32_at(payload, 0x34)?;
    let end_filetime = i64_at(payload, 0x10)?;
    // The logger and file names follow as NUL-terminated UTF-16.
    let names = at(0x118);
    let (logger_len, _) = utf16z_len(payload, names);
    let logger_name = utf16_string(payload.get(names..names + logger_len)?);
    let file_at = names + logger_len + 2;
    let (file_len, _) = utf16z_len(payload, file_at);
    let log_file_name = payload
        .get(file_at..file_at + file_len)
        .map(utf16_string)
        .unwrap_or_default();
    let clock = Clock {
        kind: ClockType::from_raw(clock_raw),
        start_filetime,
        start_raw: raw_timestamp,
        frequency,
        cpu_mhz,
    };
    let header = LogHeader {
        found: true,
        start_time: filetime_to_utc(start_filetime).unwrap_or(FILETIME_EPOCH),
        end_time: (end_filetime > 0)
            .then(|| filetime_to_utc(end_filetime))
            .flatten(),
        clock: clock.kind,
        frequency: u64::try_from(frequency).unwrap_or(0),
        cpu_mhz,
        time_zone,
        pointer_size,
        events_lost: u32_at(payload, 0x30)?,
        buffers_lost: u32_at(payload, at(0x114))?,
        buffers_written: u32_at(payload, 0x24)?,
        buffer_size: u32_at(payload, 0)?,
        os_version: (version[0], version[1]),
        os_build: u32_at(payload, 0x08)?,
        processors: u32_at(payload, 0x0C)?,
        log_file_mode: u32_at(payload, 0x20)?,
        logger_name,
        log_file_name,
    };
    Some((header, clock))
}

/// A UTF-16 string in a fixed array of `len` bytes, up to its first NUL.
fn fixed_utf16(payload: &[u8], at: usize, len: usize) -> String {
    let field = payload.get(at..at + len).unwrap_or_default();
    let (n, _) = utf16z_len(field, 0);
    utf16_string(field.get(..n).unwrap_or_default())
}

fn systemtime(payload: &[u8], at: usize) -> Option<[u16; 8]> {
    let raw: [u8; 16] = array(payload, at)?;
    let mut out = [0u16; 8];
    for (slot, pair) in out.iter_mut().zip(raw.chunks_exact(2)) {
        *slot = u16::from_le_bytes([pair[0], pair[1]]);
    }
    Some(out)
}
