//! The bundled KB954960 sample's diagnosis, as JSON and as the text report, against reviewed
//! snapshots (`tests/snapshots/`). A change to either shows up as a diff to review, never as a
//! silent rewrite: in CI, insta refuses to write snapshots.

use wsusdiag_core::{Options, diagnose, sample};

fn sample_diagnosis() -> wsusdiag_core::Diagnosis {
    diagnose(sample::kb954960(), &Options::default()).unwrap()
}

#[test]
fn kb954960_sample_json() {
    let json = sample_diagnosis().to_json();
    // The tool's version is the only field that moves with releases.
    let json = json.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("kb954960_sample_json", json);
}

#[test]
fn kb954960_sample_text_report() {
    let text = sample_diagnosis().to_text();
    let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("kb954960_sample_text", text);
}
