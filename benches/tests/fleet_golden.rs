//! A small generated fleet's JSON, pinned: a change that moves a byte of a fleet's diagnosis
//! (a refactor that should not, or a new field that should) shows in review as a snapshot diff.

use wsusdiag_benches::generate::{FleetSpec, fleet};
use wsusdiag_core::{Options, diagnose_buffers};

#[test]
fn a_generated_fleets_json_is_as_reviewed() {
    // Three clients (two classic logs in two time zones, one Windows 10 log), four faults each:
    // SOAP faults joined by their ID, SQL time-outs joined by time, and 503s, which the WSUS log
    // never shows. Named as a folder of them would be.
    let g = fleet(&FleetSpec {
        seed: 5,
        clients: 3,
        faults_per_client: 4,
        detections_between: 2,
        client_bytes: 0,
        server_every: 1,
    });
    let mut named: Vec<(&str, &[u8])> = (g.clients.iter())
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    named.push((g.truth.server_file.as_str(), g.server.as_bytes()));
    let d = diagnose_buffers(&named, &Options::default()).expect("a diagnosis");
    assert_eq!(d.faults.len(), g.truth.faults.len());
    insta::assert_snapshot!(d.to_json().expect("JSON"));
}
