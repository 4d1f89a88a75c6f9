//! The progress a diagnosis reports on generated logs of several megabytes: bytes that only
//! grow, read in parts, ending at the inputs' total; and a report that says stop cancels.

use std::sync::Mutex;

use wsusdiag_benches::generate::{ClientFormat, client_log, server_log};
use wsusdiag_core::{Error, Input, Options, Progress, diagnose_with_progress};

const MB: usize = 1 << 20;

/// A 12 MB client log, a 9 MB server log and a client log in UTF-16 (whose text is not its
/// size on disk).
fn logs() -> Vec<(&'static str, Vec<u8>)> {
    let utf16: Vec<u8> = client_log(ClientFormat::Classic, MB, 3)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let utf16 = [&[0xFF, 0xFE][..], &utf16].concat();
    vec![
        (
            "WindowsUpdate.log",
            client_log(ClientFormat::Classic, 12 * MB, 1).into_bytes(),
        ),
        (
            "SoftwareDistribution.log",
            server_log(9 * MB, 2).into_bytes(),
        ),
        ("utf16/WindowsUpdate.log", utf16),
    ]
}

fn inputs<'a>(logs: &'a [(&'static str, Vec<u8>)]) -> Vec<Input<'a>> {
    (logs.iter())
        .map(|(name, bytes)| Input::Buffer {
            name: (*name).to_owned(),
            bytes,
        })
        .collect()
}

/// What one report says, kept.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    name: String,
    input: usize,
    inputs_done: usize,
    inputs_total: usize,
    bytes_done: u64,
    bytes_total: u64,
}

fn seen(p: Progress<'_>) -> Seen {
    Seen {
        name: p.name.to_owned(),
        input: p.input,
        inputs_done: p.inputs_done,
        inputs_total: p.inputs_total,
        bytes_done: p.bytes_done,
        bytes_total: p.bytes_total,
    }
}

#[test]
fn bytes_read_grow_in_parts_to_the_total() {
    let logs = logs();
    let total: u64 = logs.iter().map(|(_, b)| b.len() as u64).sum();
    for parallel in [false, true] {
        let reports = Mutex::new(Vec::new());
        let options = Options::default().with_parallel(parallel);
        let d = diagnose_with_progress(inputs(&logs), &options, &|p| {
            reports.lock().unwrap().push(seen(p));
            true
        })
        .unwrap();
        assert_eq!(d.inputs.len(), 3);
        let reports = reports.into_inner().unwrap();

        let first = &reports[0];
        assert_eq!((first.bytes_done, first.inputs_done), (0, 0), "{parallel}");
        for pair in reports.windows(2) {
            assert!(
                pair[0].bytes_done <= pair[1].bytes_done
                    && pair[0].inputs_done <= pair[1].inputs_done,
                "{parallel}: went down: {pair:?}"
            );
        }
        assert!(
            reports
                .iter()
                .all(|r| (r.bytes_total, r.inputs_total) == (total, 3)
                    && r.name == logs[r.input].0
                    && r.bytes_done <= total),
            "{parallel}: {reports:?}"
        );
        let last = reports.last().unwrap();
        assert_eq!(
            (last.bytes_done, last.inputs_done),
            (total, 3),
            "{parallel}"
        );

        // Each input is told as it starts, in parts, and as it ends: the server log every
        // 4 MB, the client log every window of chunks (1 MB when not parallel).
        for (i, (name, _)) in logs.iter().enumerate() {
            let parts = reports.iter().filter(|r| r.input == i).count() - 2;
            let least = match (i, parallel) {
                (0, false) => 10,
                (1, _) => 2,
                _ => 0,
            };
            assert!(parts >= least, "{parallel} {name}: {parts} parts");
        }
    }
}

#[test]
fn a_report_that_says_stop_cancels_the_diagnosis() {
    let logs = logs();
    let calls = Mutex::new(0);
    let options = Options::default().with_parallel(false);
    let r = diagnose_with_progress(inputs(&logs), &options, &|p| {
        *calls.lock().unwrap() += 1;
        p.bytes_done < 2 * MB as u64
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    // Stopped within the first log, at the first part past 2 MB: no report after it.
    let calls = calls.into_inner().unwrap();
    assert!((3..=4).contains(&calls), "{calls} reports");
}
