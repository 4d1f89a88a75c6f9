//! Runs the `cmtraceopen-parser` crate over log files as its own app would, and prints what it
//! recovered as one JSON line, for benches/peers/run.
//!
//! `cmt_probe FILE...`

use std::process::ExitCode;

use cmtraceopen_parser::error_db::lookup::lookup_error_code;
use cmtraceopen_parser::parser::{decode_bytes, detect_encoding, parse_content};

fn main() -> ExitCode {
    let mut out = Vec::new();
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("cmt_probe: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        let text = match decode_bytes(&bytes, detect_encoding(&bytes)) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cmt_probe: {path}: {e:?}");
                return ExitCode::from(2);
            }
        };
        drop(bytes);
        let (result, selection) = parse_content(&text, &path, text.len() as u64);
        let timestamps = result
            .entries
            .iter()
            .filter(|e| e.timestamp.is_some())
            .count();
        let components = result
            .entries
            .iter()
            .filter(|e| e.component.is_some())
            .count();
        out.push(format!(
            "{{\"path\":{path:?},\"parser\":\"{:?}\",\"entries\":{},\"parse_errors\":{},\"with_timestamp\":{timestamps},\"with_component\":{components}}}",
            selection.to_info().parser,
            result.entries.len(),
            result.parse_errors,
        ));
    }
    println!(
        "{{\"files\":[{}],\"knows_0x8024400E\":{}}}",
        out.join(","),
        lookup_error_code("0x8024400E").found
    );
    ExitCode::SUCCESS
}
