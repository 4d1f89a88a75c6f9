//! `.etl` traces through the whole pipeline: sniffed, diagnosed, read row by row.

use std::path::Path;

use chrono::NaiveDateTime;

use wsusdiag_core::diagnosis::{LogKind, OffsetBasis, TextEncoding};
use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::records::{ClientFormat, ClientRecords};
use wsusdiag_core::{Error, Options, diagnose_paths};

fn data(name: &str) -> std::path::PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/etl")
        .join(name);
    assert!(p.exists(), "{}", p.display());
    p
}

#[test]
fn windows_update_trace_is_a_client_log_in_utc() {
    let d = diagnose_paths(
        &[data("WindowsUpdate.20251008.140245.443.8.etl")],
        &Options::default(),
    )
    .unwrap();
    let input = &d.inputs[0];
    assert_eq!(
        (
            input.kind,
            input.encoding,
            input.records,
            input.malformed_lines
        ),
        (Some(LogKind::ClientEtl), TextEncoding::Binary, 80, 0)
    );
    assert!(
        input
            .problems
            .iter()
            .any(|p| p.kind == "events-lost" && p.message.contains("41"))
    );
    let clock = &d.clock_offsets[0];
    assert_eq!(
        (clock.offset_seconds, clock.basis),
        (Some(0), Some(OffsetBasis::Utc))
    );
    assert!(
        d.faults.is_empty(),
        "the sample's only code is the benign service exit 0x240001"
    );
}

#[test]
fn trace_rows_carry_pid_tid_component_and_utc_time() {
    let log = Log::open(&data("WindowsUpdate.20251008.140245.443.8.etl")).unwrap();
    let rows: Vec<_> = log.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 80);
    let Record::Client(first) = rows[0] else {
        panic!()
    };
    assert_eq!(
        (first.pid, first.tid, first.component),
        (Some(11168), Some(10232), "Agent")
    );
    assert_eq!(
        first.time.unwrap().to_string(),
        "2025-10-08 21:03:26.940371600"
    );
    assert!(first.message.starts_with("Reschedule the tasks"));
    let Record::Client(last) = rows[79] else {
        panic!()
    };
    assert_eq!(
        (last.component, last.message),
        ("Shared", "* END * Service exit Exit code = 0x240001")
    );
}

#[test]
fn a_trace_of_another_provider_is_explained_not_guessed() {
    let trace = data("waasmedic.20251005_113019_195.etl");
    let e = diagnose_paths(&[&trace], &Options::default()).unwrap_err();
    assert!(matches!(e, Error::NoLog { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("no Windows Update event in this trace; it holds: "),
        "{e}"
    );
    // Beside a log, it is a problem of its own.
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/kb954960/WindowsUpdate.log");
    let d = diagnose_paths(&[&trace, &client], &Options::default()).unwrap();
    let listed = d
        .inputs
        .iter()
        .find(|i| i.path == trace.display().to_string());
    let listed = listed.unwrap();
    assert_eq!(listed.kind, None);
    let last = listed.problems.last().unwrap();
    assert_eq!(last.kind, "no-windows-update-events");
    assert!(Log::open(&data("waasmedic.20251005_113019_195.etl")).is_err());
}

#[test]
fn trace_rows_are_the_events_themselves_and_read_as_their_rendered_text_does() {
    let log = Log::open(&data("WindowsUpdate.20251008.140245.443.8.etl")).unwrap();
    fn fields(
        r: Record<'_>,
    ) -> (
        u32,
        Option<NaiveDateTime>,
        Option<u32>,
        Option<u32>,
        String,
        String,
    ) {
        let Record::Client(c) = r else {
            panic!("a trace has client records only")
        };
        let text = (c.component.to_owned(), c.message.to_owned());
        (c.line, c.time, c.pid, c.tid, text.0, text.1)
    }
    let rows: Vec<_> = log.records().map(|r| fields(r.unwrap())).collect();
    // The text `Get-WindowsUpdateLog` would write for the events, read back as a Windows 10 log.
    let text = log.text();
    assert_eq!(text.lines().count(), 80);
    assert!(
        text.starts_with("2025/10/08 21:03:26.9403716 11168 10232 Agent           Reschedule"),
        "{}",
        &text[..100]
    );
    let reread: Vec<_> = ClientRecords::new(&text, ClientFormat::Win10)
        .map(|r| fields(Record::Client(r.unwrap())))
        .collect();
    assert_eq!(rows, reread);
}
