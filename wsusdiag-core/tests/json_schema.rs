//! The committed JSON Schema is the one the types make (`scripts/gen-schema` writes it); the
//! Python tests validate real output against it with another language's validator.

use wsusdiag_core::Diagnosis;

#[test]
fn the_committed_schema_is_the_types_schema() {
    let committed = include_str!("../schema/diagnosis.schema.json");
    assert!(
        committed == Diagnosis::json_schema(),
        "wsusdiag-core/schema/diagnosis.schema.json is out of date: run scripts/gen-schema and commit it"
    );
}

#[test]
fn the_schema_is_draft_2020_12_and_pins_the_version() {
    let schema: serde_json::Value = serde_json::from_str(&Diagnosis::json_schema()).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let version = &schema["properties"]["schema_version"];
    assert_eq!(version["const"], wsusdiag_core::diagnosis::SCHEMA_VERSION);
    // Every field the JSON always has is required, and each report type is described.
    let required = schema["required"].as_array().unwrap();
    for field in ["faults", "fault_groups", "codes", "server_fault_groups"] {
        assert!(required.iter().any(|r| r == field), "{field}");
    }
    let defs = schema["$defs"].as_object().unwrap();
    assert!(defs.contains_key("FaultGroup") && defs.contains_key("Evidence"));
    assert_eq!(defs["Correlation"]["enum"][0], "fault-id");
}
