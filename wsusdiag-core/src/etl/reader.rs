//! The reader: walks buffers and records, reads the log header, decodes TraceLogging events, and
//! accounts for everything it does not decode.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::buffer::{BUFFER_HEADER_LEN, Buffer, Buffers};
use super::bytes::{align8, array, i64_at};
use super::event::{
    EtlEvent, Guid, WINDOWS_UPDATE_PROVIDER, WINDOWS_UPDATE_PROVIDER_NAME, event_pointer_size,
    flags, parse_event_header,
};
use super::header::{self, LogHeader};
use super::issue::{EtlIssueKind, Issues};
use super::record::{self, RecordKind, Step};
use super::time::{Clock, ClockType, FILETIME_EPOCH};
use super::tracelogging::{self, MessageSpan, Schema, SchemaError, WalkError};
use super::{EtlLog, ProviderCount, ProviderKind};
use crate::error::excerpt;

/// Windows builds from this one on (1709) write self-describing Windows Update traces.
const FIRST_TRACELOGGING_BUILD: u32 = 16299;

/// `EventTraceGuid` {68fdd900-4a3e-11d1-84f4-0000f80464e3}: the logger's own classic events
/// (header, rundown), not events of a provider.
const EVENT_TRACE_GUID: Guid = Guid([
    0x00, 0xd9, 0xfd, 0x68, 0x3e, 0x4a, 0xd1, 0x11, 0x84, 0xf4, 0x00, 0x00, 0xf8, 0x04, 0x64, 0xe3,
]);

/// The bytes a buffer's records live in: borrowed from the file, or a decompressed copy whose
/// slices must be copied into the events.
#[derive(Clone, Copy)]
enum Source<'a, 'b> {
    File(&'a [u8]),
    Copy(&'b [u8]),
}

impl<'a: 'b, 'b> Source<'a, 'b> {
    fn bytes(&self) -> &'b [u8] {
        match *self {
            Self::File(b) => b,
            Self::Copy(b) => b,
        }
    }

    fn cow(&self, range: Range<usize>) -> Cow<'a, [u8]> {
        match *self {
            Self::File(b) => Cow::Borrowed(b.get(range).unwrap_or_default()),
            Self::Copy(b) => Cow::Owned(b.get(range).unwrap_or_default().to_vec()),
        }
    }

    /// Text from `range` (lossy when not UTF-8).
    fn text(&self, range: Range<usize>) -> Cow<'a, str> {
        match *self {
            Self::File(b) => {
                let bytes = b.get(range).unwrap_or_default();
                match std::str::from_utf8(bytes) {
                    Ok(text) => Cow::Borrowed(text),
                    Err(_) => String::from_utf8_lossy(bytes),
                }
            }
            Self::Copy(b) => {
                Cow::Owned(String::from_utf8_lossy(b.get(range).unwrap_or_default()).into_owned())
            }
        }
    }
}

/// Event metadata, parsed once per distinct blob.
type Parsed = Result<Arc<Schema>, SchemaError>;

/// State of one file's read.
struct Reader<'a> {
    file_index: usize,
    issues: Issues,
    header: Option<(LogHeader, Clock)>,
    header_offset: usize,
    events: Vec<EtlEvent<'a>>,
    /// Parsed metadata by blob. A trace repeats a handful of blobs (Windows Update: one per
    /// component), so the first few are searched directly, the rest hashed.
    recent_schemas: Vec<(Box<[u8]>, Parsed)>,
    schemas: HashMap<Box<[u8]>, Parsed>,
    /// The provider counted last, checked before the index.
    last_provider: usize,
    providers: Vec<ProviderCount>,
    provider_index: HashMap<Guid, Vec<usize>>,
}

/// Reads one file; `file_index` is stored in its events.
pub(crate) fn read_file(bytes: &[u8], file_index: usize) -> EtlLog<'_> {
    let mut reader = Reader {
        file_index,
        issues: Issues::default(),
        header: None,
        header_offset: 0,
        events: Vec::new(),
        recent_schemas: Vec::new(),
        schemas: HashMap::new(),
        last_provider: 0,
        providers: Vec::new(),
        provider_index: HashMap::new(),
    };
    if !looks_like_etl(bytes) {
        reader.issues.add(
            EtlIssueKind::NotEtl,
            0,
            "not an ETL trace: the file does not start with a trace buffer whose first record is \
             a trace header"
                .to_owned(),
        );
        return reader.finish();
    }
    let mut buffers = Buffers::new(bytes);
    while let Some(buffer) = buffers.next(&mut reader.issues) {
        reader.read_buffer(&buffer);
    }
    reader.finish()
}

/// The first buffer header is plausible and its first record has a known trace-header marker.
fn looks_like_etl(bytes: &[u8]) -> bool {
    let size = super::bytes::u32_at(bytes, 0).unwrap_or(0) as usize;
    size >= BUFFER_HEADER_LEN
        && matches!(
            record::step(bytes, BUFFER_HEADER_LEN),
            Step::Record { .. } | Step::PastEnd { .. }
        )
}

impl<'a> Reader<'a> {
    fn read_buffer(&mut self, buffer: &Buffer<'a>) {
        let source = match &buffer.records {
            Cow::Borrowed(b) => Source::File(b),
            Cow::Owned(v) => Source::Copy(v),
        };
        let data = source.bytes();
        let mut pos = 0;
        while pos < data.len() {
            let at = buffer.file_offset(pos);
            let (kind, len) = match record::step(data, pos) {
                Step::Record { kind, len } => (kind, len),
                Step::End => break,
                Step::Unknown { marker } => {
                    self.issues.add(
                        EtlIssueKind::BadRecord,
                        at,
                        format!(
                            "unknown record marker 0x{marker:08x}; the rest of this buffer ({} \
                             bytes) is skipped",
                            data.len() - pos
                        ),
                    );
                    break;
                }
                Step::TooSmall { kind, len } => {
                    self.issues.add(
                        EtlIssueKind::BadRecord,
                        at,
                        format!(
                            "{kind:?} record of {len} bytes is too short; the rest of this buffer \
                             is skipped"
                        ),
                    );
                    break;
                }
                Step::PastEnd { kind, len } => {
                    if !buffer.cut {
                        self.issues.add(
                            EtlIssueKind::BadRecord,
                            at,
                            format!(
                                "{kind:?} record of {len} bytes runs past the end of its buffer's \
                                 data; skipped"
                            ),
                        );
                    }
                    break;
                }
            };
            let range = pos..pos + len;
            self.read_record(kind, source, range, at, buffer.is_decompressed());
            match align8(pos + len) {
                Some(next) => pos = next,
                None => break,
            }
        }
    }

    fn read_record(
        &mut self,
        kind: RecordKind,
        source: Source<'a, '_>,
        range: Range<usize>,
        at: usize,
        compressed: bool,
    ) {
        let record = source.bytes().get(range.clone()).unwrap_or_default();
        match kind {
            RecordKind::System { .. } | RecordKind::Compact | RecordKind::PerfInfo => {
                // Hook group 0 is the logger's own records (log header, build and symbol
                // information); other groups are kernel events.
                let hook = record::hook_id(record);
                if let (RecordKind::System { wide }, 0, None) = (kind, hook, &self.header) {
                    self.read_header(record, wide, at);
                } else if hook >> 8 != 0 {
                    self.count_provider(Guid::NIL, "", ProviderKind::Kernel, at);
                }
            }
            RecordKind::Classic | RecordKind::Instance => {
                let guid = Guid(array(record, 0x18).unwrap_or_default());
                if guid != EVENT_TRACE_GUID {
                    self.count_provider(guid, "", ProviderKind::Classic, at);
                }
            }
            RecordKind::Message => self.count_provider(Guid::NIL, "", ProviderKind::Wpp, at),
            RecordKind::Event => self.read_event(source, range, at, compressed),
        }
    }

    fn read_header(&mut self, record: &[u8], wide: bool, at: usize) {
        let raw = i64_at(record, 0x10).unwrap_or_default();
        let payload = record.get(0x20..).unwrap_or_default();
        match header::parse(payload, raw, if wide { 8 } else { 4 }) {
            Some(parsed) => {
                self.header = Some(parsed);
                self.header_offset = at;
            }
            None => self.issues.add(
                EtlIssueKind::BadHeader,
                at,
                format!(
                    "the log header record is too short ({} bytes): session start and clock are \
                     unknown",
                    record.len()
                ),
            ),
        }
    }

    fn read_event(
        &mut self,
        source: Source<'a, '_>,
        range: Range<usize>,
        at: usize,
        compressed: bool,
    ) {
        let record = source.bytes().get(range.clone()).unwrap_or_default();
        let raw = match parse_event_header(record) {
            Ok(raw) => raw,
            Err(why) => {
                self.issues
                    .add(EtlIssueKind::BadRecord, at, format!("{why}; event skipped"));
                return;
            }
        };
        let base = range.start;
        let shift = |r: Range<usize>| base + r.start..base + r.end;
        let provider: Cow<'a, str> = match &raw.traits {
            Some(traits) => {
                let traits_bytes = record.get(traits.clone()).unwrap_or_default();
                match tracelogging::provider_name(traits_bytes) {
                    Some(name) => {
                        let start = traits.start + 2;
                        source.text(shift(start..start + name.len()))
                    }
                    None => Cow::Borrowed(""),
                }
            }
            None => Cow::Borrowed(""),
        };
        if raw.flags & flags::TRACE_MESSAGE != 0 {
            self.count_provider(raw.provider_id, &provider, ProviderKind::Wpp, at);
            return;
        }
        let pointer_size = event_pointer_size(raw.flags, self.pointer_size());
        let (schema, event_name, message) = match &raw.schema {
            Some(meta_range) => {
                let meta = record.get(meta_range.clone()).unwrap_or_default();
                let schema = match self.schema(meta) {
                    Ok(schema) => schema,
                    Err(error) => {
                        self.issues.add(
                            EtlIssueKind::BadRecord,
                            at,
                            format!(
                                "{error}; event of provider '{}' skipped",
                                excerpt(&provider)
                            ),
                        );
                        return;
                    }
                };
                let payload = record.get(raw.user_data.clone()).unwrap_or_default();
                let located = tracelogging::locate(&schema, payload, pointer_size);
                if let Some(problem) = located.problem {
                    self.walk_problem(problem, &provider, &schema.event_name, at);
                }
                let name_start = meta_range.start + schema.name.start;
                let name = source.text(shift(name_start..name_start + schema.name.len()));
                (Some(schema), name, located.message)
            }
            None if raw.flags & flags::STRING_ONLY != 0 => {
                (None, Cow::Borrowed(""), MessageSpan::None)
            }
            None => {
                // Manifest-based: the layout is in a manifest this reader does not have.
                self.count_provider(raw.provider_id, &provider, ProviderKind::Manifest, at);
                return;
            }
        };
        let kind = if schema.is_some() {
            ProviderKind::TraceLogging
        } else {
            ProviderKind::StringOnly
        };
        self.count_provider(raw.provider_id, &provider, kind, at);
        self.events.push(EtlEvent {
            time: FILETIME_EPOCH,
            timestamp: raw.timestamp,
            pid: raw.pid,
            tid: raw.tid,
            provider,
            provider_id: raw.provider_id,
            event_name,
            level: raw.level,
            keyword: raw.keyword,
            opcode: raw.opcode,
            activity_id: raw.activity_id,
            offset: at,
            in_compressed_buffer: compressed,
            file: self.file_index,
            payload: source.cow(shift(raw.user_data)),
            schema,
            message,
            pointer_size,
        });
    }

    fn pointer_size(&self) -> u8 {
        self.header.as_ref().map_or(8, |(h, _)| h.pointer_size)
    }

    /// The parsed metadata for a blob, parsing it the first time it is seen.
    fn schema(&mut self, meta: &[u8]) -> Result<Arc<Schema>, SchemaError> {
        const RECENT: usize = 32;
        if let Some((_, cached)) = self.recent_schemas.iter().find(|(m, _)| **m == *meta) {
            return cached.clone();
        }
        if let Some(cached) = self.schemas.get(meta) {
            return cached.clone();
        }
        let parsed = tracelogging::parse_schema(meta).map(Arc::new);
        if self.recent_schemas.len() < RECENT {
            self.recent_schemas.push((meta.into(), parsed.clone()));
        } else {
            self.schemas.insert(meta.into(), parsed.clone());
        }
        parsed
    }

    fn walk_problem(&mut self, problem: WalkError, provider: &str, event_name: &str, at: usize) {
        // Names come from the file: keep messages short whatever they hold.
        let (provider, event_name) = (excerpt(provider), excerpt(event_name));
        match problem {
            WalkError::UnknownType { field, in_type } => {
                let field = excerpt(&field);
                let key = format!("{provider}\0{event_name}\0{field}\0{in_type}");
                self.issues.group(EtlIssueKind::UnknownFieldType, &key, at, || {
                    format!(
                        "field '{field}' of event '{event_name}' (provider '{provider}') has type \
                         {in_type}, which this reader does not know; its value and the fields \
                         after it are not decoded ({{count}} events)"
                    )
                });
            }
            WalkError::Truncated { field } => self.issues.add(
                EtlIssueKind::BadRecord,
                at,
                format!(
                    "event '{event_name}' (provider '{provider}') ends before its field \
                     '{}'; the fields before it still count",
                    excerpt(&field)
                ),
            ),
            WalkError::TooComplex => self.issues.add(
                EtlIssueKind::BadRecord,
                at,
                format!(
                    "event '{event_name}' (provider '{provider}') declares more values than a \
                     real event holds; its fields are decoded only in part"
                ),
            ),
        }
    }

    fn count_provider(&mut self, id: Guid, name: &str, kind: ProviderKind, at: usize) {
        if let Some(p) = self.providers.get_mut(self.last_provider)
            && p.id == id
            && p.name == name
            && p.kind == kind
        {
            p.events += 1;
            return;
        }
        let slots = self.provider_index.entry(id).or_default();
        for &i in slots.iter() {
            if let Some(p) = self.providers.get_mut(i)
                && p.name == name
                && p.kind == kind
            {
                p.events += 1;
                self.last_provider = i;
                return;
            }
        }
        self.last_provider = self.providers.len();
        slots.push(self.providers.len());
        self.providers.push(ProviderCount {
            name: name.to_owned(),
            id,
            kind,
            events: 1,
            first_offset: at,
        });
    }

    fn finish(mut self) -> EtlLog<'a> {
        let (header, clock) = match self.header.take() {
            Some((header, clock)) => (header, Some(clock)),
            None => (LogHeader::default(), None),
        };
        let not_etl = self.events.is_empty()
            && self.providers.is_empty()
            && !header.found
            && self.issues_has_not_etl();
        if !header.found && !not_etl {
            self.issues.add(
                EtlIssueKind::BadHeader,
                0,
                "no log header (the first record of the first buffer): event times cannot be \
                 computed and show as 1601-01-01"
                    .to_owned(),
            );
        }
        // Times, now that the clock is known.
        let mut untimed = 0usize;
        for event in &mut self.events {
            match clock.as_ref().and_then(|c| c.utc(event.timestamp)) {
                Some(time) => event.time = time,
                None => untimed += 1,
            }
        }
        if header.found && untimed > 0 {
            let why = match header.clock {
                ClockType::Unknown(raw) => format!("its clock type {raw} is unknown"),
                ClockType::PerformanceCounter if header.frequency == 0 => {
                    "its clock frequency is 0".to_owned()
                }
                ClockType::CpuCycles if header.cpu_mhz == 0 => "its CPU speed is 0".to_owned(),
                _ => "their timestamps are out of range".to_owned(),
            };
            self.issues.add(
                EtlIssueKind::BadHeader,
                self.header_offset,
                format!(
                    "{untimed} event times cannot be computed because {why}; they show as \
                     1601-01-01"
                ),
            );
        }
        if header.events_lost > 0 || header.buffers_lost > 0 {
            self.issues.add_counted(
                EtlIssueKind::EventsLost,
                self.header_offset,
                format!(
                    "the session lost {} events and {} buffers while tracing (its buffers were \
                     full): those lines are missing from this log",
                    header.events_lost, header.buffers_lost
                ),
                header.events_lost as usize,
            );
        }
        self.provider_issues(&header);
        self.events.sort_by_key(|e| e.time);
        let mut issues = self.issues.finish();
        issues.sort_by_key(|i| i.offset);
        EtlLog {
            header,
            events: self.events,
            issues,
            providers: self.providers,
        }
    }

    fn issues_has_not_etl(&self) -> bool {
        self.issues.has(EtlIssueKind::NotEtl)
    }

    /// One issue per provider that is not Windows Update, and one for WPP records.
    fn provider_issues(&mut self, header: &LogHeader) {
        for p in &self.providers {
            let is_wu = p.name == WINDOWS_UPDATE_PROVIDER_NAME || p.id == WINDOWS_UPDATE_PROVIDER;
            let n = p.events;
            let (kind, message) = match p.kind {
                ProviderKind::Wpp => {
                    let build = if header.os_build > 0 && header.os_build < FIRST_TRACELOGGING_BUILD
                    {
                        format!(" (recorded on Windows build {})", header.os_build)
                    } else {
                        String::new()
                    };
                    (
                        EtlIssueKind::Wpp,
                        format!(
                            "{}{build}: a Windows Update trace from before Windows 10 \
                             1709 (build {FIRST_TRACELOGGING_BUILD}), e.g. Windows 10 1507–1703 or \
                             Windows Server 2016. Its messages are compiled into Microsoft's \
                             symbols, not stored in the file, so they cannot be read here; decode \
                             it with Get-WindowsUpdateLog on a Windows version of that era and \
                             give wsusdiag the resulting WindowsUpdate.log",
                            plural(n, "WPP record")
                        ),
                    )
                }
                _ if is_wu => continue,
                ProviderKind::TraceLogging | ProviderKind::StringOnly => (
                    EtlIssueKind::OtherProvider,
                    format!(
                        "{} from provider {} {{{}}}, not Windows Update \
                         ({WINDOWS_UPDATE_PROVIDER_NAME}): decoded and kept as records, but \
                         Windows Update rules are not written for them",
                        plural(n, "event"),
                        quoted(&p.name),
                        p.id
                    ),
                ),
                ProviderKind::Manifest => (
                    EtlIssueKind::OtherProvider,
                    format!(
                        "{} from provider {{{}}}, not Windows Update: \
                         their layout is in that provider's manifest, not in the file, so they \
                         are not decoded",
                        plural(n, "manifest-based event"),
                        p.id
                    ),
                ),
                ProviderKind::Classic => (
                    EtlIssueKind::OtherProvider,
                    format!(
                        "{} of {{{}}}, not Windows Update: not decoded",
                        plural(n, "classic (MOF) event"),
                        p.id
                    ),
                ),
                ProviderKind::Kernel => (
                    EtlIssueKind::OtherProvider,
                    format!(
                        "{}, not Windows Update: not decoded",
                        plural(n, "kernel event")
                    ),
                ),
            };
            self.issues.add_counted(kind, p.first_offset, message, n);
        }
    }
}

/// `1 event`, `2 events`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn quoted(name: &str) -> String {
    if name.is_empty() {
        "(unnamed)".to_owned()
    } else {
        format!("'{name}'")
    }
}
