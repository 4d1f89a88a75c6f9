//! Compiles `data/hresults.tsv` into a sorted static table, `$OUT_DIR/hresult_table.rs`, which
//! `src/knowledge/hresult.rs` includes. A malformed row or a duplicate code or name fails the
//! build with `file:line`.

use std::path::Path;
use std::{env, fs, process};

#[path = "build/hresult_tsv.rs"]
mod hresult_tsv;

const TABLE: &str = "data/hresults.tsv";

fn main() {
    println!("cargo::rerun-if-changed={TABLE}");
    println!("cargo::rerun-if-changed=build/hresult_tsv.rs");
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let path = Path::new(&manifest_dir).join(TABLE);
    let file = path.display().to_string();
    let text = fs::read_to_string(&path).unwrap_or_else(|e| fail(&[format!("{file}: {e}")]));
    let rows = hresult_tsv::parse(&text, &file).unwrap_or_else(|errors| fail(&errors));
    let out = Path::new(&out_dir).join("hresult_table.rs");
    if let Err(e) = fs::write(&out, hresult_tsv::render(&rows, TABLE)) {
        fail(&[format!("{}: {e}", out.display())]);
    }
}

fn fail(errors: &[String]) -> ! {
    for error in errors {
        eprintln!("error: {error}");
    }
    process::exit(1);
}
