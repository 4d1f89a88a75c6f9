//! Parses one log file with one record grammar and prints how many records it read: a fixed
//! amount of work for instruction counts (`valgrind --tool=callgrind`), which a shared host's
//! load does not move as it moves timings.
//!
//! ```text
//! wsusdiag-parse classic|win10|server|configmgr FILE
//! ```
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use wsusdiag_core::records::cmtrace::CmRecords;
use wsusdiag_core::records::{ClientFormat, ClientRecords, ServerRecords};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [format, path] = args.as_slice() else {
        eprintln!("usage: wsusdiag-parse classic|win10|server|configmgr FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("wsusdiag-parse: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let records = match format.as_str() {
        "classic" => ClientRecords::new(&text, ClientFormat::Classic)
            .filter(Result::is_ok)
            .count(),
        "win10" => ClientRecords::new(&text, ClientFormat::Win10)
            .filter(Result::is_ok)
            .count(),
        "server" => ServerRecords::new(&text).filter(Result::is_ok).count(),
        "configmgr" => CmRecords::new(&text).filter(Result::is_ok).count(),
        other => {
            eprintln!("wsusdiag-parse: unknown format {other}");
            return ExitCode::from(2);
        }
    };
    println!("{records}");
    ExitCode::SUCCESS
}
