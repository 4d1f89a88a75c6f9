//! The HTML report: one self-contained page with the sample's finding, evidence and fix, and
//! data its script can read whatever the logs hold. (scripts/test-html opens it in Chromium.)

use wsusdiag_core::diagnosis::Correlation;
use wsusdiag_core::{Options, diagnose, sample};

fn sample_diagnosis() -> wsusdiag_core::Diagnosis {
    diagnose(sample::kb954960(), &Options::default()).unwrap()
}

/// The text of the page's embedded data element.
fn page_data(page: &str) -> serde_json::Value {
    let open = "<script id=\"data\" type=\"application/json\">";
    let start = page.find(open).expect("the page embeds its data") + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).expect("the data is JSON")
}

#[test]
fn the_sample_page_holds_the_finding_and_fetches_nothing() {
    let page = sample_diagnosis().to_html();
    assert!(page.starts_with("<!DOCTYPE html>"));
    for shown in [
        "KB954960",
        "0x8024400E",
        "c0a7445f-b989-43fa-ac20-11f8ca65fa8c",
        "System.ArgumentException",
        "UTC-4 (from the log's tz: banner); clock 42 s fast",
        "<ol>",
    ] {
        assert!(page.contains(shown), "{shown}");
    }
    for fetch in ["src=", "<link", "@import", "url(", "href=\"http"] {
        assert!(
            !page.contains(fetch),
            "the page must fetch nothing: {fetch}"
        );
    }
    let data = page_data(&page);
    assert_eq!(data["rules"], serde_json::json!(["KB954960"]));
    assert_eq!(data["faults"].as_array().unwrap().len(), 2);
    // The first fault's UTC time, in milliseconds: 2008-07-14T13:12:16.640Z.
    assert_eq!(data["faults"][0][1], 1_216_041_136_640_i64);
}

#[test]
fn an_ambiguous_fault_is_said_to_be_and_log_text_cannot_close_the_script() {
    let mut d = sample_diagnosis();
    let f = &mut d.faults[1];
    f.correlation = Correlation::Ambiguous;
    f.rule_id = None;
    for e in &mut f.client.evidence {
        e.text = "</script><script>alert(1)</script>".into();
    }
    d.regroup();
    let page = d.to_html();
    assert!(
        page.contains("<td>ambiguous</td>"),
        "the unexplained table says ambiguous"
    );
    assert!(!page.contains("<script>alert"));
    let data = page_data(&page);
    assert_eq!(data["faults"][1][3], "ambiguous");
    assert!(data["faults"][1][5].as_str().unwrap().contains("</script>"));
}

#[test]
fn each_client_row_lists_the_findings_seen_in_its_log_once_in_order() {
    // The sample's client, and two more: one that a second finding was also seen in (named
    // twice in it, as a merge of two diagnoses may leave it), and one with no finding.
    let mut d = sample_diagnosis();
    let first = d.clients[0].clone();
    let (a, b, c) = (
        first.source.clone(),
        "PC2/WindowsUpdate.log",
        "PC3/WindowsUpdate.log",
    );
    for source in [b, c] {
        let mut client = first.clone();
        client.source = source.to_owned();
        client.dns_name = None;
        d.clients.push(client);
    }
    let mut second = d.findings[0].clone();
    second.rule_id = "WU-80244022-WSUSPOOL".to_owned();
    second.clients = vec![b.to_owned(), a.clone(), b.to_owned()];
    d.findings.push(second);
    let data = page_data(&d.to_html());
    let listed: Vec<serde_json::Value> = (data["clients"].as_array().unwrap().iter())
        .map(|row| row["findings"].clone())
        .collect();
    assert_eq!(
        listed,
        [
            serde_json::json!(["KB954960", "WU-80244022-WSUSPOOL"]),
            serde_json::json!(["WU-80244022-WSUSPOOL"]),
            serde_json::json!([]),
        ]
    );
}
