//! Tests on the public sample traces (`tests/data/etl/`, see its SOURCES.md) and on traces built
//! by the test writer.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeDelta};
use proptest::prelude::*;

use super::buffer::{BUFFER_HEADER_LEN, Buffers, DECOMPRESSED_CAP};
use super::issue::Issues;
use super::writer::{WU_GUID, Writer, tl_meta, utf16};
use super::*;

const WU: &str = "WindowsUpdate.20251008.140245.443.8.etl";

fn sample(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/etl")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

fn kinds(log: &EtlLog<'_>) -> Vec<EtlIssueKind> {
    log.issues.iter().map(|i| i.kind).collect()
}

/// One event as the independent decoders saw it (see tests/data/etl/SOURCES.md).
#[derive(serde::Deserialize)]
struct Expected {
    pid: u32,
    tid: u32,
    raw_ts: i64,
    provider: String,
    event: String,
    level: u8,
    keyword: u64,
    fields: BTreeMap<String, String>,
    filetime: i64,
}

fn expected(name: &str) -> Vec<Expected> {
    let text = String::from_utf8(sample(name)).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Compares a sample with the decoders' output, field by field, in file order.
fn check_against_oracle(etl: &str, golden: &str, message_field: &str) -> usize {
    let bytes = sample(etl);
    let log = read(&bytes);
    let want = expected(golden);
    assert_eq!(log.events.len(), want.len(), "{etl}: event count");
    let mut by_offset: Vec<&EtlEvent<'_>> = log.events.iter().collect();
    by_offset.sort_by_key(|e| e.offset);
    for (i, (got, want)) in by_offset.iter().zip(&want).enumerate() {
        let ctx = format!("{etl} event {i} at 0x{:x}", got.offset);
        assert_eq!(got.pid, want.pid, "{ctx}");
        assert_eq!(got.tid, want.tid, "{ctx}");
        assert_eq!(got.timestamp, want.raw_ts, "{ctx}");
        assert_eq!(got.provider, want.provider, "{ctx}");
        assert_eq!(got.event_name, want.event, "{ctx}");
        assert_eq!(
            (got.level, got.keyword),
            (want.level, want.keyword),
            "{ctx}"
        );
        assert_eq!(got.message(), want.fields[message_field], "{ctx}");
        assert_eq!(utc_to_filetime(got.time), want.filetime, "{ctx}");
        let fields = got.fields();
        assert_eq!(fields.len(), want.fields.len(), "{ctx}");
        assert_eq!(fields[0].name, message_field, "{ctx}");
    }
    want.len()
}

#[test]
fn windows_update_sample_matches_independent_decoders() {
    let n = check_against_oracle(
        WU,
        "WindowsUpdate.20251008.140245.443.8.expected.jsonl",
        "Info",
    );
    assert_eq!(n, 80);
}

#[test]
fn windows_update_sample() {
    let bytes = sample(WU);
    assert!(is_etl(&bytes));
    let log = read(&bytes);
    assert!(log.is_windows_update());
    assert_eq!(log.windows_update_events().count(), 80);
    let mut components = BTreeMap::new();
    for e in &log.events {
        *components.entry(e.component()).or_insert(0) += 1;
        assert!(e.is_windows_update());
        assert!(!e.in_compressed_buffer);
        assert_eq!(e.file, 0);
    }
    let want = [
        ("Agent", 27),
        ("ComApi", 22),
        ("Deployment", 14),
        ("DownloadManager", 1),
        ("IdleTimer", 2),
        ("Misc", 12),
        ("Shared", 2),
    ];
    assert_eq!(components, want.into_iter().collect());
    let first = &log.events[0];
    assert_eq!(first.time, at("2025-10-08 21:03:26.9403716"));
    assert_eq!(
        (first.pid, first.tid, first.component()),
        (11168, 10232, "Agent")
    );
    assert_eq!(
        first.message(),
        "Reschedule the tasks in callback work item if they are waiting to execute."
    );
    assert_eq!(first.offset, 0x1048);
    let last = log.events.last().unwrap();
    assert_eq!(last.time, at("2025-10-08 21:13:28.9936350"));
    assert_eq!(last.message(), "* END * Service exit Exit code = 0x240001");
    // Leading spaces are part of the message.
    assert!(
        log.events
            .iter()
            .any(|e| e.message().starts_with("    Timer: 29A863E7"))
    );
    // Already in time order in the file.
    assert!(log.events.windows(2).all(|w| w[0].offset < w[1].offset));

    let h = &log.header;
    assert!(h.found);
    assert_eq!(h.start_time, at("2025-10-08 21:02:45.4479919"));
    assert_eq!(h.end_time, Some(at("2025-10-08 21:13:28.9912269")));
    assert_eq!(
        (h.clock, h.frequency),
        (ClockType::PerformanceCounter, 10_000_000)
    );
    assert_eq!((h.pointer_size, h.events_lost, h.buffers_lost), (8, 41, 0));
    assert_eq!(
        (h.os_version, h.os_build, h.buffer_size),
        ((10, 0), 22631, 4096)
    );
    assert_eq!(h.logger_name, "WindowsUpdate_trace_log");
    assert!(
        h.log_file_name
            .ends_with("WindowsUpdate.20251008.140245.443.8.etl")
    );
    // The recording machine was on US Pacific time; the file name is its local start time.
    assert_eq!(h.time_zone.bias_minutes, 480);
    assert_eq!(h.time_zone.standard_name, "@tzres.dll,-212");
    assert_eq!(h.time_zone.utc_offset_minutes_at(h.start_time), -420);
    let local = h.time_zone.to_local(h.start_time);
    assert_eq!(local.format("%Y%m%d.%H%M%S").to_string(), "20251008.140245");

    assert_eq!(kinds(&log), [EtlIssueKind::EventsLost]);
    assert!(log.issues[0].message.contains("41 events"));
    assert_eq!(log.issues[0].count, 41);
    assert_eq!(
        log.provider_summary(),
        "WUTraceLogging {0b7a6f19-47c4-454e-8c5c-e868d637e4d8}: 80 TraceLogging events"
    );
}

#[test]
fn renders_like_get_windows_update_log() {
    let bytes = sample(WU);
    let log = read(&bytes);
    let mut text = String::new();
    for event in log.windows_update_events() {
        event.write_log_line(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 80);
    assert_eq!(
        lines[0],
        "2025/10/08 21:03:26.9403716 11168 10232 Agent           Reschedule the tasks in callback \
         work item if they are waiting to execute."
    );
    assert!(lines.contains(
        &"2025/10/08 21:13:26.9627394 11168 32860 Agent               Timer: \
          29A863E7-8609-4D1E-B7CD-5668F857F1DB, Expires 2025-10-09 03:44:14, not idle-only, not \
          network-only"
    ));
    assert_eq!(
        lines[79],
        "2025/10/08 21:13:28.9936350 11168 10232 Shared          * END * Service exit Exit code = \
         0x240001"
    );
}

#[test]
fn sih_and_waasmedic_samples_match_independent_decoders() {
    check_against_oracle(
        "SIH.20230422.034724.362.1.etl",
        "SIH.20230422.034724.362.1.expected.jsonl",
        "Info",
    );
    check_against_oracle(
        "waasmedic.20251005_113019_195.etl",
        "waasmedic.20251005_113019_195.expected.jsonl",
        "m",
    );
    let bytes = sample("SIH.20230422.034724.362.1.etl");
    let log = read(&bytes);
    assert!(!log.is_windows_update());
    assert_eq!(kinds(&log), [EtlIssueKind::OtherProvider]);
    assert_eq!(log.issues[0].count, 10);
    assert!(
        log.issues[0].message.contains("'SIHTraceLogging'"),
        "{}",
        log.issues[0]
    );
    assert!(
        log.events
            .iter()
            .any(|e| e.message().starts_with("*FAILED* [80245108]"))
    );
}

#[test]
fn compressed_sample_decompresses() {
    let bytes = sample("SelfDescribingSingleEvent.etl");
    assert!(is_etl(&bytes));
    let log = read(&bytes);
    assert_eq!(log.events.len(), 1, "{:?}", log.issues);
    let e = &log.events[0];
    assert!(e.in_compressed_buffer);
    assert_eq!(e.offset, 0x1c09);
    assert_eq!((&*e.provider, &*e.event_name), ("MySource", "TestEvent"));
    let fields = e.fields();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].name, "a");
    let Value::Struct(members) = &fields[0].value else {
        panic!("{fields:?}")
    };
    let shown: Vec<(&str, String)> = members
        .iter()
        .map(|m| (m.name, m.value.to_string()))
        .collect();
    assert_eq!(
        shown,
        [("b", "Hello".to_owned()), ("c", "World!".to_owned())]
    );
    assert_eq!(e.message(), "a: {b: Hello, c: World!}");
    // The 18 classic records around it are counted, not decoded, and no buffer is damaged.
    let classic: usize = log
        .providers
        .iter()
        .filter(|p| p.kind == ProviderKind::Classic)
        .map(|p| p.events)
        .sum();
    assert_eq!(classic, 18);
    assert!(
        log.issues
            .iter()
            .all(|i| i.kind == EtlIssueKind::OtherProvider),
        "{:?}",
        log.issues
    );
    // An owned copy outlives the input.
    let owned = read(&bytes).into_owned();
    drop(bytes);
    assert_eq!(owned.events[0].message(), "a: {b: Hello, c: World!}");
}

#[test]
fn timestamps_match_the_events_own_filetime_fields() {
    let bytes = sample("primitive-types.etl");
    let log = read(&bytes);
    assert_eq!(log.events.len(), 5);
    // FILETIMEs dissect.etl 3.14 computes for these events (see SOURCES.md).
    let dissect = [
        132_756_731_758_001_567,
        132_756_731_762_391_104,
        132_756_731_766_718_531,
        132_756_731_770_482_590,
        132_756_731_774_845_027,
    ];
    for (e, want) in log.events.iter().zip(dissect) {
        assert_eq!(utc_to_filetime(e.time), want);
        let fields = e.fields();
        let field = |name: &str| {
            fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.value.clone())
        };
        let Some(Value::FileTime(ft)) = field("file_time_type") else {
            panic!("{fields:?}")
        };
        let Some(Value::SystemTime(st)) = field("system_time_type") else {
            panic!("{fields:?}")
        };
        // Each event stamps its own FILETIME just before writing; the computed event time must
        // follow it within a few milliseconds.
        let own = filetime_to_utc(ft).unwrap();
        let lag = e.time - own;
        assert!(
            lag >= TimeDelta::zero() && lag < TimeDelta::milliseconds(5),
            "lag {lag}"
        );
        // The SYSTEMTIME field carries the same instant to the millisecond.
        let [y, mo, _, d, h, mi, s, ms] = st;
        let st_time = at(&format!("{y}-{mo}-{d} {h}:{mi}:{s}.{ms:03}"));
        assert_eq!(st_time, own);
    }
    assert_eq!(log.events[0].time, at("2021-09-09 14:59:35.8001567"));
    let first = log.events[0].fields();
    assert_eq!(first[0].value, Value::Str("Mercury".into()));
}

#[test]
fn lxcore_sample_decodes_generic_fields() {
    let bytes = sample("lxcore_kernel.etl");
    let log = read(&bytes);
    assert_eq!(log.events.len(), 2);
    let e = &log.events[0];
    assert_eq!(e.event_name, "BreakPoint");
    let names: Vec<&str> = e.fields().iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        [
            "ErrorLevel",
            "instanceId",
            "LxPid",
            "LxTid",
            "LxNs",
            "ExecutablePath",
            "Function",
            "Line",
            "Message"
        ]
    );
    assert!(
        e.message()
            .contains("Message: Failed to open volume C:\\WINDOWS\\system32\\lxss\\tools")
    );
}

#[test]
fn many_files_merge_in_time_order() {
    let wu = sample(WU);
    let sih = sample("SIH.20230422.034724.362.1.etl");
    let set = read_many(&[("wu.etl", &wu), ("sih.etl", &sih)]);
    assert_eq!(set.files.len(), 2);
    assert_eq!(set.files[1].name, "sih.etl");
    assert_eq!(set.events.len(), 90);
    assert!(set.events.windows(2).all(|w| w[0].time <= w[1].time));
    // The SIH trace is from 2023, so its events come first.
    assert!(set.events[..10].iter().all(|e| e.file == 1));
    assert!(set.events[10..].iter().all(|e| e.file == 0));
    assert_eq!(set.files[0].issues.len(), 1);
    assert!(
        set.files[1]
            .provider_summary()
            .starts_with("SIHTraceLogging")
    );
}

const SOAP_FAULT: &str = "Soap fault detail: errorCode='InternalServerError', message='', \
    id='c0a7445f-b989-43fa-ac20-11f8ca65fa8c', \
    method='\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"'";

/// A trace of `n` Windows Update events, one per millisecond, every tenth a SOAP fault.
fn synthetic(writer: &mut Writer, n: usize) {
    for i in 0..n {
        let raw = writer.start_raw + 10_000 * i as i64 + 10_000;
        let message = if i % 10 == 9 {
            SOAP_FAULT.to_owned()
        } else {
            format!("line {i}: Exit code = 0x8024400E — non-ASCII é ✓")
        };
        let record = writer.wu_record(raw, 1000 + i as u32 % 3, 2000, "WebServices", &message);
        writer.push(&record);
    }
}

#[test]
fn written_32_bit_trace_with_many_buffers() {
    let mut w = Writer::new();
    w.pointer_size = 4;
    w.buffer_size = 1024;
    synthetic(&mut w, 50);
    assert!(w.buffer_count() > 5);
    let bytes = w.finish();
    assert!(is_etl(&bytes));
    let log = read(&bytes);
    assert_eq!(log.header.pointer_size, 4);
    assert_eq!(log.header.start_time, at("2025-10-08 21:02:45.4479919"));
    assert_eq!(log.header.time_zone.daylight_bias_minutes, -60);
    assert_eq!(log.header.logger_name, "WindowsUpdate_trace_log");
    assert!(log.issues.is_empty(), "{:?}", log.issues);
    assert_eq!(log.events.len(), 50);
    for (i, e) in log.events.iter().enumerate() {
        assert_eq!(
            e.time,
            at("2025-10-08 21:02:45.4479919") + TimeDelta::milliseconds(i as i64 + 1)
        );
        assert_eq!(e.pointer_size, 4);
    }
    let fault = &log.events[9];
    assert_eq!(fault.message(), SOAP_FAULT);
    assert_eq!(fault.component(), "WebServices");
    assert_eq!(
        log.events[3].message(),
        "line 3: Exit code = 0x8024400E — non-ASCII é ✓"
    );
    // The same events written with 8-byte pointers decode the same.
    let mut w64 = Writer::new();
    w64.buffer_size = 1024;
    synthetic(&mut w64, 50);
    let bytes64 = w64.finish();
    let log64 = read(&bytes64);
    let messages = |l: &EtlLog<'_>| {
        l.events
            .iter()
            .map(|e| e.message().into_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(messages(&log), messages(&log64));
}

#[test]
fn written_compressed_trace() {
    let mut w = Writer::new();
    w.compress = true;
    w.buffer_size = 8192;
    synthetic(&mut w, 200);
    let bytes = w.finish();
    let log = read(&bytes);
    assert!(log.issues.is_empty(), "{:?}", log.issues);
    assert_eq!(log.events.len(), 200);
    assert!(log.events.iter().all(|e| e.in_compressed_buffer));
    assert_eq!(log.events[199].message(), SOAP_FAULT);
    assert!(
        bytes.len() < 200 * 100,
        "compressed to {} bytes",
        bytes.len()
    );
}

/// A synthetic trace of `n` events in buffers of 1 KiB.
fn small_buffers(n: usize) -> Vec<u8> {
    let mut w = Writer::new();
    w.buffer_size = 1024;
    synthetic(&mut w, n);
    w.finish()
}

#[test]
fn truncated_last_buffer_keeps_complete_records() {
    let bytes = small_buffers(30);
    let full = read(&bytes);
    assert_eq!(full.events.len(), 30);
    // Cut inside the last buffer's records, as a copy of a file still being written would be.
    let last_event = full.events.iter().map(|e| e.offset).max().unwrap();
    let cut = &bytes[..last_event + 40];
    let log = read(cut);
    assert_eq!(log.events.len(), 29);
    assert_eq!(kinds(&log), [EtlIssueKind::TruncatedBuffer]);
    assert!(log.issues[0].message.contains("still being written"));
    // Cut inside a buffer header.
    let buffer_start = last_event & !1023;
    let log = read(&bytes[..buffer_start + 20]);
    assert_eq!(kinds(&log), [EtlIssueKind::TruncatedBuffer]);
    // A tail of zeros where the logger had not written yet.
    let mut padded = bytes[..buffer_start].to_vec();
    padded.resize(buffer_start + 4096, 0);
    let log = read(&padded);
    assert_eq!(kinds(&log), [EtlIssueKind::TruncatedBuffer]);
    assert!(log.issues[0].message.contains("zeros"));
}

#[test]
fn wpp_trace_is_explained_not_guessed() {
    let mut w = Writer::new();
    w.os_build = 14393; // Windows Server 2016
    for i in 0..5 {
        let record = w.wpp_record(w.start_raw + i, 900, 901, 10 + i as u16);
        w.push(&record);
    }
    let bytes = w.finish();
    assert!(is_etl(&bytes));
    let log = read(&bytes);
    assert!(log.events.is_empty());
    assert_eq!(kinds(&log), [EtlIssueKind::Wpp]);
    let issue = &log.issues[0];
    assert_eq!(issue.count, 5);
    assert!(
        issue
            .message
            .contains("5 WPP records (recorded on Windows build 14393)")
    );
    assert!(issue.message.contains("Get-WindowsUpdateLog"));
    assert_eq!(log.provider_summary(), "WPP: 5 WPP records, need symbols");
}

#[test]
fn other_providers_unknown_types_and_bad_records_are_reported() {
    let mut w = Writer::new();
    w.events_lost = 3;
    let ok = w.wu_record(w.start_raw + 1, 1, 2, "Agent", "first");
    w.push(&ok);
    // A field of type 31, which no TraceLogging version defines, after the message.
    let meta = tl_meta("Agent", b"Info\0\x01odd\0\x1F");
    let mut payload = utf16("still read");
    payload.extend([0, 0, 9, 9]);
    let odd = w.tracelogging_record(
        "WUTraceLogging",
        WU_GUID,
        w.start_raw + 2,
        1,
        2,
        4,
        1,
        &meta,
        &payload,
    );
    w.push(&odd);
    w.push(&odd);
    // An event of another TraceLogging provider.
    let other = w.tracelogging_record(
        "Contoso.Thing",
        Guid([7; 16]),
        w.start_raw + 3,
        5,
        6,
        4,
        0,
        &tl_meta("Ping", b"n\0\x08"),
        &42u32.to_le_bytes(),
    );
    w.push(&other);
    // An event whose metadata is cut short.
    let broken = w.tracelogging_record(
        "WUTraceLogging",
        WU_GUID,
        w.start_raw + 4,
        1,
        2,
        4,
        1,
        &[40, 0, 0, b'X'],
        &[],
    );
    w.push(&broken);
    let last = w.wu_record(w.start_raw + 5, 1, 2, "Agent", "last");
    w.push(&last);
    let bytes = w.finish();
    let log = read(&bytes);
    let messages: Vec<String> = log
        .events
        .iter()
        .map(|e| e.message().into_owned())
        .collect();
    assert_eq!(
        messages,
        ["first", "still read", "still read", "n: 42", "last"]
    );
    let mut got = kinds(&log);
    got.sort();
    assert_eq!(
        got,
        [
            EtlIssueKind::OtherProvider,
            EtlIssueKind::EventsLost,
            EtlIssueKind::UnknownFieldType,
            EtlIssueKind::BadRecord
        ]
    );
    let unknown = log
        .issues
        .iter()
        .find(|i| i.kind == EtlIssueKind::UnknownFieldType)
        .unwrap();
    assert_eq!(unknown.count, 2);
    assert!(
        unknown.message.contains("'odd'") && unknown.message.contains("(2 events)"),
        "{unknown}"
    );
    let other = log
        .issues
        .iter()
        .find(|i| i.kind == EtlIssueKind::OtherProvider)
        .unwrap();
    assert!(
        other
            .message
            .contains("1 event from provider 'Contoso.Thing'"),
        "{other}"
    );
}

#[test]
fn a_bad_record_skips_only_the_rest_of_its_buffer() {
    let mut w = Writer::new();
    w.buffer_size = 1024;
    synthetic(&mut w, 40);
    let mut bytes = w.finish();
    let log = read(&bytes);
    let victim = log.events[12].offset;
    let buffer = victim & !1023;
    let in_buffer = log
        .events
        .iter()
        .filter(|e| e.offset & !1023 == buffer && e.offset >= victim)
        .count();
    bytes[victim + 3] = 0x77; // not a trace-header marker
    let damaged = read(&bytes);
    assert_eq!(damaged.events.len(), 40 - in_buffer);
    assert_eq!(kinds(&damaged), [EtlIssueKind::BadRecord]);
    assert_eq!(damaged.issues[0].offset, victim);
}

#[test]
fn a_damaged_buffer_size_hides_no_later_buffer() {
    let bytes = small_buffers(80);
    let whole = read(&bytes);
    assert_eq!(whole.events.len(), 80);
    let buffer = whole.events[12].offset & !1023;
    for damage in [u32::MAX, 0x10, 0, 3 << 20] {
        let mut damaged = bytes.clone();
        damaged[buffer..buffer + 4].copy_from_slice(&damage.to_le_bytes());
        let log = read(&damaged);
        assert_eq!(log.events.len(), 80, "size {damage:#x}: {:?}", log.issues);
        assert_eq!(kinds(&log), [EtlIssueKind::BadBuffer], "size {damage:#x}");
        assert_eq!(log.issues[0].offset, buffer);
        assert!(
            log.issues[0]
                .message
                .contains("read up to the next buffer, 1024 bytes on")
        );
    }
}

/// A compressed buffer of `size` bytes that claims, and expands to, 16 MiB of zeros: one
/// literal and one match of distance 1 whose length is in the u32 form.
fn bomb_buffer(size: usize) -> Vec<u8> {
    let expanded = 16 << 20;
    let mut b = vec![0u8; size];
    b[0..4].copy_from_slice(&u32::try_from(size).unwrap().to_le_bytes());
    let saved = u32::try_from(BUFFER_HEADER_LEN + expanded).unwrap();
    b[4..8].copy_from_slice(&saved.to_le_bytes());
    b[0x30..0x34].copy_from_slice(&saved.to_le_bytes());
    b[0x34..0x36].copy_from_slice(&0x40u16.to_le_bytes());
    let mut body = 0x4000_0000u32.to_le_bytes().to_vec(); // a literal, then a match
    body.push(0);
    body.extend_from_slice(&7u16.to_le_bytes()); // distance 1, length continues
    body.extend_from_slice(&[0x0F, 255, 0, 0]);
    body.extend_from_slice(&u32::try_from(expanded).unwrap().to_le_bytes());
    b[BUFFER_HEADER_LEN..BUFFER_HEADER_LEN + body.len()].copy_from_slice(&body);
    b
}

#[test]
fn decompressed_bytes_are_capped_per_file_whatever_the_file_claims() {
    // 1.6 MB of buffers that each claim 16 MiB: 3.2 GB if all were expanded.
    let file: Vec<u8> = (0..200).flat_map(|_| bomb_buffer(8192)).collect();
    let mut issues = Issues::default();
    let mut buffers = Buffers::new(&file);
    let (mut expanded, mut count) = (0usize, 0);
    while let Some(buffer) = buffers.next(&mut issues) {
        expanded += buffer.records.len();
        count += 1;
    }
    assert!(expanded <= DECOMPRESSED_CAP, "{expanded} bytes expanded");
    assert_eq!(count, DECOMPRESSED_CAP / (16 << 20));
    let issues = issues.finish();
    let capped: Vec<_> = issues
        .iter()
        .filter(|i| i.kind == EtlIssueKind::TooLarge)
        .collect();
    assert_eq!(capped.len(), 1, "{issues:?}");
    assert_eq!(capped[0].offset, count * 8192);
    assert!(
        capped[0].message.contains("more than 64 MiB"),
        "{}",
        capped[0].message
    );
}

#[test]
fn other_clock_types() {
    let mut w = Writer::new();
    w.clock_type = 2; // system time: raw values are FILETIMEs
    let record = w.wu_record(
        w.start_filetime + 5_000_000,
        1,
        1,
        "Agent",
        "half a second in",
    );
    w.push(&record);
    let bytes = w.finish();
    let log = read(&bytes);
    assert_eq!(log.events[0].time, at("2025-10-08 21:02:45.9479919"));

    let mut w = Writer::new();
    w.clock_type = 3; // CPU cycles at 3000 MHz
    let record = w.wu_record(w.start_raw + 3_000_000_000, 1, 1, "Agent", "one second in");
    w.push(&record);
    let bytes = w.finish();
    let log = read(&bytes);
    assert_eq!(log.events[0].time, at("2025-10-08 21:02:46.4479919"));

    let mut w = Writer::new();
    w.frequency = 0;
    let record = w.wu_record(w.start_raw, 1, 1, "Agent", "when?");
    w.push(&record);
    let bytes = w.finish();
    let log = read(&bytes);
    assert_eq!(log.events[0].time, FILETIME_EPOCH);
    assert_eq!(kinds(&log), [EtlIssueKind::BadHeader]);
    assert!(log.issues[0].message.contains("frequency is 0"));
}

#[test]
fn not_etl() {
    for bytes in [
        &b""[..],
        b"2025/10/08 21:03:26.9403716 11168 10232 Agent  text",
        &[0xFF; 200],
    ] {
        assert!(!is_etl(bytes));
        let log = read(bytes);
        assert!(log.events.is_empty());
        assert_eq!(kinds(&log), [EtlIssueKind::NotEtl]);
    }
}

#[test]
fn truncations_of_the_real_sample_never_panic() {
    let bytes = sample(WU);
    for len in (0..bytes.len()).step_by(13) {
        let log = read(&bytes[..len]);
        assert!(log.events.len() <= 80);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let log = read(&bytes);
        for e in &log.events {
            let _ = e.message();
            let _ = e.fields();
        }
    }

    #[test]
    fn corrupted_samples_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..32),
    ) {
        let mut bytes = sample(["WindowsUpdate.20251008.140245.443.8.etl", "SelfDescribingSingleEvent.etl", "primitive-types.etl"][which]);
        for (at, value) in edits {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        let log = read(&bytes);
        let mut line = String::new();
        for e in &log.events {
            line.clear();
            e.write_message(&mut line);
            let _ = e.fields();
        }
    }
}
