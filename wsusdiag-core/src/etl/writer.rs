//! A test-only ETL writer, for what no public trace covers: 4-byte pointers, many buffers,
//! compressed buffers, chosen messages (a SOAP fault), WPP records, unknown field types, cut
//! files and lying sizes. It writes the layouts the reader expects, from the same notes, so it
//! checks the reader's handling of variants, not the layouts themselves (the public samples do
//! that).

use super::event::Guid;
use super::lz77::compress_for_tests;

/// Builder of a synthetic trace.
pub(crate) struct Writer {
    pub(crate) pointer_size: u8,
    pub(crate) buffer_size: usize,
    pub(crate) compress: bool,
    pub(crate) clock_type: u32,
    pub(crate) frequency: i64,
    pub(crate) cpu_mhz: u32,
    pub(crate) start_filetime: i64,
    pub(crate) start_raw: i64,
    pub(crate) events_lost: u32,
    pub(crate) os_build: u32,
    buffers: Vec<Vec<u8>>,
    current: Vec<u8>,
}

/// The Windows Update provider GUID as stored.
pub(crate) const WU_GUID: Guid = super::event::WINDOWS_UPDATE_PROVIDER;

impl Writer {
    /// A 64-bit, uncompressed, QPC-clocked trace starting 2025-10-08 21:02:45.4479919 UTC at raw
    /// clock 1 000 000 with 10 MHz ticks.
    pub(crate) fn new() -> Self {
        Self {
            pointer_size: 8,
            buffer_size: 4096,
            compress: false,
            clock_type: 1,
            frequency: 10_000_000,
            cpu_mhz: 3000,
            start_filetime: 134_044_309_654_479_919,
            start_raw: 1_000_000,
            events_lost: 0,
            os_build: 22631,
            buffers: Vec::new(),
            current: Vec::new(),
        }
    }

    fn wide(&self) -> bool {
        self.pointer_size == 8
    }

    /// The log-header record: a system trace header with hook 0 and a `TRACE_LOGFILE_HEADER`.
    fn header_record(&self) -> Vec<u8> {
        let shift = if self.wide() { 0 } else { 8 };
        let mut p = vec![0u8; 0x118 - shift];
        let put = |p: &mut Vec<u8>, at: usize, bytes: &[u8]| {
            p[at..at + bytes.len()].copy_from_slice(bytes)
        };
        put(
            &mut p,
            0x00,
            &u32::try_from(self.buffer_size).unwrap().to_le_bytes(),
        );
        put(&mut p, 0x04, &[10, 0, 1, 5]);
        put(&mut p, 0x08, &self.os_build.to_le_bytes());
        put(&mut p, 0x0C, &1u32.to_le_bytes());
        put(&mut p, 0x2C, &u32::from(self.pointer_size).to_le_bytes());
        put(&mut p, 0x30, &self.events_lost.to_le_bytes());
        put(&mut p, 0x34, &self.cpu_mhz.to_le_bytes());
        let tz = 0x48 - shift;
        put(&mut p, tz, &480i32.to_le_bytes());
        put(&mut p, tz + 4, &utf16("@tzres.dll,-212"));
        put(&mut p, tz + 68, &systemtime([0, 11, 0, 1, 2, 0, 0, 0]));
        put(&mut p, tz + 88, &utf16("@tzres.dll,-211"));
        put(&mut p, tz + 152, &systemtime([0, 3, 0, 2, 2, 0, 0, 0]));
        put(&mut p, tz + 168, &(-60i32).to_le_bytes());
        put(&mut p, 0x100 - shift, &self.frequency.to_le_bytes());
        put(&mut p, 0x108 - shift, &self.start_filetime.to_le_bytes());
        put(&mut p, 0x110 - shift, &self.clock_type.to_le_bytes());
        p.extend(utf16("WindowsUpdate_trace_log"));
        p.extend([0, 0]);
        p.extend(utf16(
            "C:\\Windows\\Logs\\WindowsUpdate\\WindowsUpdate.test.etl",
        ));
        p.extend([0, 0]);
        let mut r = Vec::new();
        let header_type = if self.wide() { 0x02 } else { 0x01 };
        r.extend([0x02, 0x00, header_type, 0xC0]);
        r.extend(u16::try_from(0x20 + p.len()).unwrap().to_le_bytes());
        r.extend([0, 0]); // hook 0: log header
        r.extend(0x1234u32.to_le_bytes()); // thread
        r.extend(4u32.to_le_bytes()); // process
        r.extend(self.start_raw.to_le_bytes());
        r.extend([0; 8]);
        r.extend(p);
        r
    }

    /// A TraceLogging event record.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tracelogging_record(
        &self,
        provider: &str,
        provider_id: Guid,
        raw_ts: i64,
        pid: u32,
        tid: u32,
        level: u8,
        keyword: u64,
        meta: &[u8],
        payload: &[u8],
    ) -> Vec<u8> {
        let mut traits = Vec::new();
        traits.extend(u16::try_from(provider.len() + 3).unwrap().to_le_bytes());
        traits.extend(provider.as_bytes());
        traits.push(0);
        let mut r = Vec::new();
        r.extend([0, 0, if self.wide() { 0x13 } else { 0x12 }, 0xC0]);
        let header_flag: u16 = if self.wide() { 0x40 } else { 0x20 };
        r.extend((0x0001 | header_flag).to_le_bytes());
        r.extend([0, 0]);
        r.extend(tid.to_le_bytes());
        r.extend(pid.to_le_bytes());
        r.extend(raw_ts.to_le_bytes());
        r.extend(provider_id.0);
        r.extend([0, 0, 0, 11, level, 0, 0, 0]);
        r.extend(keyword.to_le_bytes());
        r.extend([0; 8]);
        r.extend([0; 16]);
        push_item(&mut r, 12, &traits, true);
        push_item(&mut r, 11, meta, false);
        r.extend(payload);
        let len = u16::try_from(r.len()).unwrap().to_le_bytes();
        r[..2].copy_from_slice(&len);
        r
    }

    /// A Windows Update event: component = event name, one UTF-16 field `Info`.
    pub(crate) fn wu_record(
        &self,
        raw_ts: i64,
        pid: u32,
        tid: u32,
        component: &str,
        message: &str,
    ) -> Vec<u8> {
        let mut payload = utf16(message);
        payload.extend([0, 0]);
        self.tracelogging_record(
            "WUTraceLogging",
            WU_GUID,
            raw_ts,
            pid,
            tid,
            4,
            1,
            &tl_meta(component, b"Info\0\x01"),
            &payload,
        )
    }

    /// A WPP `TraceMessage` record with sequence number, message GUID, timestamp and IDs.
    pub(crate) fn wpp_record(&self, raw_ts: i64, pid: u32, tid: u32, number: u16) -> Vec<u8> {
        let mut r = vec![0, 0, 0x00, 0x90];
        r.extend(number.to_le_bytes());
        r.extend(0x002Bu16.to_le_bytes()); // sequence | GUID | timestamp | system info
        r.extend(7u32.to_le_bytes());
        r.extend([0x5A; 16]);
        r.extend(raw_ts.to_le_bytes());
        r.extend(tid.to_le_bytes());
        r.extend(pid.to_le_bytes());
        r.extend([1, 2, 3, 4]); // arguments
        let len = u16::try_from(r.len()).unwrap().to_le_bytes();
        r[..2].copy_from_slice(&len);
        r
    }

    /// Appends a record, starting a new buffer when it does not fit in the current one.
    pub(crate) fn push(&mut self, record: &[u8]) -> &mut Self {
        if self.buffers.is_empty() && self.current.is_empty() {
            self.current = self.header_record();
            pad8(&mut self.current);
            self.flush();
        }
        let padded = (record.len() + 7) & !7;
        if 0x48 + self.current.len() + padded > self.buffer_size && !self.current.is_empty() {
            self.flush();
        }
        self.current.extend(record);
        pad8(&mut self.current);
        self
    }

    /// Closes the current buffer.
    pub(crate) fn flush(&mut self) {
        let records = std::mem::take(&mut self.current);
        let first = self.buffers.is_empty();
        let filled = 0x48 + records.len();
        let mut header = vec![0u8; 0x48];
        let body = if self.compress && !first {
            let packed = compress_for_tests(&records);
            header[0..4]
                .copy_from_slice(&u32::try_from(0x48 + packed.len()).unwrap().to_le_bytes());
            header[0x34..0x36].copy_from_slice(&0x41u16.to_le_bytes());
            packed
        } else {
            let mut body = records;
            body.resize(self.buffer_size - 0x48, 0xFF);
            header[0..4].copy_from_slice(&u32::try_from(self.buffer_size).unwrap().to_le_bytes());
            header[0x34..0x36].copy_from_slice(&0x01u16.to_le_bytes());
            body
        };
        header[4..8].copy_from_slice(&u32::try_from(filled).unwrap().to_le_bytes());
        header[0x30..0x34].copy_from_slice(&u32::try_from(filled).unwrap().to_le_bytes());
        header[0x36..0x38].copy_from_slice(&(if first { 4u16 } else { 0 }).to_le_bytes());
        header.extend(body);
        self.buffers.push(header);
    }

    /// The file.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if !self.current.is_empty() || self.buffers.is_empty() {
            if self.buffers.is_empty() {
                self.current = self.header_record();
                pad8(&mut self.current);
            }
            self.flush();
        }
        self.buffers.concat()
    }

    /// File offsets of the buffers written so far.
    pub(crate) fn buffer_count(&self) -> usize {
        self.buffers.len()
    }
}

/// Event metadata: size, one tag byte, event name, then field entries.
pub(crate) fn tl_meta(name: &str, fields: &[u8]) -> Vec<u8> {
    let mut m = vec![0, 0, 0];
    m.extend(name.as_bytes());
    m.push(0);
    m.extend(fields);
    let len = u16::try_from(m.len()).unwrap().to_le_bytes();
    m[..2].copy_from_slice(&len);
    m
}

/// UTF-16LE bytes of `s`, without terminator.
pub(crate) fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn systemtime(parts: [u16; 8]) -> Vec<u8> {
    parts.iter().flat_map(|p| p.to_le_bytes()).collect()
}

fn pad8(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(8) {
        v.push(0);
    }
}

/// An extended data item as laid out in a file.
fn push_item(r: &mut Vec<u8>, ext_type: u16, data: &[u8], more: bool) {
    let item_size = (8 + data.len() + 7) & !7;
    r.extend(u16::try_from(item_size).unwrap().to_le_bytes());
    r.extend(ext_type.to_le_bytes());
    r.extend(u16::from(more).to_le_bytes());
    r.extend(u16::try_from(data.len()).unwrap().to_le_bytes());
    r.extend(data);
    pad8(r);
}
