//! The bundled KB954960 sample's diagnosis, as JSON and as the text report, against reviewed
//! snapshots (`tests/snapshots/`). A change to either shows up as a diff to review, never as a
//! silent rewrite: in CI, insta refuses to write snapshots.

use wsusdiag_core::{Options, diagnose, sample};

fn sample_diagnosis() -> wsusdiag_core::Diagnosis {
    diagnose(sample::kb954960(), &Options::default()).unwrap()
}

#[test]
fn kb954960_sample_json() {
    let json = sample_diagnosis().to_json().unwrap();
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

#[test]
fn the_readme_shows_the_sample_report_as_it_is() {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```text\nwsusdiag ")
        .expect("the README quotes the report")
        + 8;
    let quoted = &readme[start..start + readme[start..].find("```").unwrap()];
    let report = sample_diagnosis()
        .to_text()
        .replace(env!("CARGO_PKG_VERSION"), "0.1.0");
    assert!(
        report.starts_with(quoted.trim_end()),
        "README.md's report excerpt is stale; replace it with the start of:\n{report}"
    );
}

#[test]
fn the_report_wraps_to_the_width_asked_and_cuts_no_word() {
    let d = sample_diagnosis();
    for width in [60, 80, 100, 160] {
        let text = d.to_text_width(width);
        for line in text.lines() {
            // Only a word longer than the width may stand alone past it.
            let long = line.chars().count() > width;
            assert!(!long || !line.trim().contains(' '), "{width}: {line}");
        }
        assert!(text.contains("0x8024400E"), "{width}");
        assert!(
            text.contains("c0a7445f-b989-43fa-ac20-11f8ca65fa8c"),
            "{width}"
        );
        assert!(!text.contains('…'), "{width}");
    }
}

/// What a Rust program reads back from the JSON is the diagnosis that wrote it, for the sample
/// and for every committed real log (all kinds, every value of the typed fields they reach).
#[test]
fn every_diagnosis_reads_back_from_its_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut all = vec![sample_diagnosis()];
    for dir in ["corpus", "pastes", "configmgr"] {
        all.push(wsusdiag_core::diagnose_paths(&[root.join(dir)], &Options::default()).unwrap());
    }
    for d in all {
        let json = d.to_json().unwrap();
        let read = wsusdiag_core::Diagnosis::from_json(&json).unwrap();
        assert_eq!(read, d);
        assert_eq!(read.to_json().unwrap(), json);
    }
}

/// With no known issue to match, the sample's two faults (same client, code, method and server
/// cause) are one group, and the reports count and list the group.
#[test]
fn the_reports_count_faults_from_their_groups() {
    let options =
        Options::default().with_rules(wsusdiag_core::knowledge::rules::RuleSet::default());
    let d = diagnose(sample::kb954960(), &options).unwrap();
    assert_eq!(d.faults.len(), 2);
    let [g] = &d.fault_groups[..] else {
        panic!("{:#?}", d.fault_groups)
    };
    assert_eq!((g.count, &g.faults[..]), (2, &[0, 1][..]));
    assert_eq!(g.server_cause.as_deref(), Some("System.ArgumentException"));
    assert_eq!(
        (g.first_time_utc.as_deref(), g.last_time_utc.as_deref()),
        (
            Some("2008-07-14T13:12:16.640Z"),
            Some("2008-07-14T13:13:27.640Z")
        )
    );
    let text = d.to_text_width(400);
    assert!(
        text.contains("2 client failures in 1 group and 0 server errors, but no known issue"),
        "{text}"
    );
    // One line for the group: its first fault, how many, until when.
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("0x8024400E ("))
        .collect();
    assert_eq!(listed.len(), 1, "{text}");
    assert!(listed[0].contains(":47 2008-07-14T09:12:58.640 0x8024400E (WU_E_PT_SOAP_SERVER"));
    assert!(
        text.contains("2 times to 2008-07-14T09:14:09.640"),
        "{text}"
    );
    let page = d.to_html();
    assert!(page.contains("2 client failures in 1 group and 0 server errors"));
    assert!(page.contains("explains (2 failures in 1 group)"));
}
