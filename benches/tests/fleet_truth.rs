//! A generated fleet with known truth, diagnosed from disk: every fault found where it was
//! written, joined the way its kind must be joined, every clock offset recovered, and nothing
//! joined that should not be.

use std::collections::BTreeMap;
use std::path::PathBuf;

use wsusdiag_benches::generate::{FaultKind, FleetSpec, fleet};
use wsusdiag_benches::name_under;
use wsusdiag_core::diagnosis::{Confidence, OffsetBasis};
use wsusdiag_core::{Diagnosis, Options, diagnose_paths};

fn write_fleet(spec: &FleetSpec) -> (PathBuf, wsusdiag_benches::generate::Generated) {
    let g = fleet(spec);
    let dir = std::env::temp_dir().join(format!(
        "wsusdiag-fleet-{}-{}",
        std::process::id(),
        spec.seed
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in &g.clients {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.join(&g.truth.server_file), &g.server).unwrap();
    (dir, g)
}

#[test]
fn a_generated_fleet_is_diagnosed_as_its_truth_says() {
    let spec = FleetSpec {
        seed: 7,
        clients: 6,
        faults_per_client: 6,
        detections_between: 4,
        client_bytes: 0,
        server_every: 1,
    };
    let (dir, g) = write_fleet(&spec);
    let d = diagnose_paths(&[&dir], &Options::default()).unwrap();
    let name = |path: &str| name_under(&dir, path);

    // Every input read whole, with its kind.
    assert_eq!(d.inputs.len(), 7);
    assert!(
        d.inputs
            .iter()
            .all(|i| i.malformed_lines == 0 && i.kind.is_some()),
        "{:#?}",
        d.inputs
    );

    // The faults: exactly the truth's, each joined as its kind must be.
    let found: BTreeMap<(String, u32), &wsusdiag_core::diagnosis::Fault> = d
        .faults
        .iter()
        .map(|f| ((name(d.input_path(f.client.input)), f.client.line), f))
        .collect();
    assert_eq!(
        found.len(),
        g.truth.faults.len(),
        "{:#?}",
        found.keys().collect::<Vec<_>>()
    );
    for t in &g.truth.faults {
        let f = found
            .get(&(t.file.clone(), t.line))
            .unwrap_or_else(|| panic!("not found: {t:?}"));
        assert_eq!(f.client.hresult, t.hresult, "{t:?}");
        assert_eq!(f.correlation, t.correlation, "{t:?}");
        match t.kind {
            FaultKind::Kb954960 => {
                let server = f.server.as_ref().unwrap();
                assert_eq!(server.throw_id, t.fault_id, "{t:?}");
                assert_eq!(
                    server.cause.as_ref().unwrap().exception,
                    "System.ArgumentException"
                );
                assert_eq!(
                    (f.rule_id.as_deref(), f.confidence),
                    (Some("KB954960"), Some(Confidence::Confirmed))
                );
            }
            FaultKind::SqlTimeout => {
                let cause = f.server.as_ref().unwrap().cause.as_ref().unwrap();
                assert_eq!(cause.sql_number, Some(-2), "{t:?}");
                assert_eq!(
                    (f.rule_id.as_deref(), f.confidence),
                    (Some("SUSDB-MAINTENANCE"), Some(Confidence::Confirmed))
                );
            }
            FaultKind::Http503 => {
                assert!(f.server.is_none(), "{t:?} joined to {:?}", f.server);
                assert_eq!(f.rule_id.as_deref(), Some("WU-80244022-WSUSPOOL"));
            }
            FaultKind::Http500 => panic!("{t:?}: this fleet writes no HTTP 500"),
        }
    }

    // Clock offsets, to the second, whatever the zone and the clock's error.
    for c in &g.truth.clients {
        let o = d
            .clock_offsets
            .iter()
            .find(|o| name(&o.source) == c.file)
            .unwrap();
        assert_eq!(o.offset_seconds, Some(c.offset_seconds), "{c:?}: {o:?}");
        assert_eq!(o.basis, Some(OffsetBasis::FaultId));
    }

    // Findings: the three causes, over the clients that show them.
    let finding = |id: &str| {
        d.findings
            .iter()
            .find(|f| f.rule_id == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    assert_eq!(finding("KB954960").clients.len(), 6);
    assert_eq!(finding("KB954960").occurrences, 12);
    assert_eq!(finding("SUSDB-MAINTENANCE").confidence, "confirmed");
    assert_eq!(finding("WU-80244022-WSUSPOOL").occurrences, 12);
    assert!(d.server_faults.is_empty(), "{:#?}", d.server_faults);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fleet_without_its_server_log_joins_nothing() {
    let (dir, g) = write_fleet(&FleetSpec {
        seed: 8,
        ..FleetSpec::default()
    });
    std::fs::remove_file(dir.join(&g.truth.server_file)).unwrap();
    let d = diagnose_paths(&[&dir], &Options::default()).unwrap();
    assert_eq!(d.faults.len(), g.truth.faults.len());
    assert!(
        d.faults
            .iter()
            .all(|f| f.correlation == "none" && f.server.is_none())
    );
    // Without the server, KB954960 is only probable, and the time-outs are no known issue
    // that needs the server's side.
    let kb = d.findings.iter().find(|f| f.rule_id == "KB954960").unwrap();
    assert_eq!(kb.confidence, "probable");
    assert!(!d.findings.iter().any(|f| f.rule_id == "SUSDB-MAINTENANCE"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Logs of several megabytes are read in chunks on all cores; the diagnosis must be the one a
/// single thread reading each log whole gives, and still the truth's.
#[test]
fn logs_read_in_parallel_chunks_are_diagnosed_as_read_whole() {
    let spec = FleetSpec {
        seed: 11,
        clients: 3,
        faults_per_client: usize::MAX,
        detections_between: 25,
        client_bytes: 3 << 20,
        server_every: 2,
    };
    let (dir, g) = write_fleet(&spec);
    assert!(g.clients.iter().all(|(_, text)| text.len() >= 3 << 20));
    let parallel = diagnose_paths(&[&dir], &Options::default()).unwrap();
    let one_thread = Options::default().with_parallel(false);
    let sequential = diagnose_paths(&[&dir], &one_thread).unwrap();
    let json = parallel.to_json().unwrap();
    assert_eq!(json, sequential.to_json().unwrap());
    assert_eq!(parallel.faults.len(), g.truth.faults.len());
    // A program reads back the fleet's JSON as the diagnosis it was, and writes it the same.
    let read = Diagnosis::from_json(&json).unwrap();
    assert_eq!(read, parallel);
    assert_eq!(read.to_json().unwrap(), json);
    let records: u64 = parallel.inputs.iter().map(|i| i.records).sum();
    let lines: usize = g.clients.iter().map(|(_, t)| t.lines().count()).sum();
    assert!(
        records as usize >= lines,
        "{records} records, {lines} client lines"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
