//! Prints the JSON Schema of the diagnosis: what `scripts/gen-schema` commits as
//! `wsusdiag-core/schema/diagnosis.schema.json`.
#![allow(clippy::print_stdout)]

fn main() {
    print!("{}", wsusdiag_core::Diagnosis::json_schema());
}
