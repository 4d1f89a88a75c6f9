//! The main command: diagnoses Windows Update client logs and WSUS server logs.
//!
//! ```text
//! cargo run --release -p wsusdiag-core --example diagnose -- [--json] [--rules FILE] [FILE ...]
//! ```
//!
//! With no file it diagnoses a bundled sample of the KB954960 case. Exit status: 0 no fault
//! found, 1 faults found, 2 bad usage, unreadable input or no input that is a log. A reader
//! that stops early (`| head`) ends the output quietly.
#![allow(clippy::print_stdout)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use wsusdiag_core::{Input, Options, diagnose};

/// The library's work runs on rayon's threads, whose glibc heaps grow one page and one system
/// call at a time; mimalloc takes memory from the system in large pieces (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: diagnose [--json] [--rules FILE] [FILE|FOLDER ...]

Reads Windows Update client logs (WindowsUpdate.log, classic or Windows 10, or .etl traces)
and WSUS server logs (SoftwareDistribution.log) in any order, joins each client failure to
the server's record of it, and names the known issue and its fix.
With no file, diagnoses a bundled sample of the KB954960 case.

  --json        print the diagnosis as JSON (schema_version 2)
  --rules FILE  add known-issue rules from a TOML file (may be repeated); a rule
                with a built-in rule's id replaces it
  -h, --help    print this help

Exit status: 0 no fault found, 1 faults found, 2 bad usage, unreadable input or
no input that is a log.";

fn main() -> ExitCode {
    let mut json = false;
    let mut rules: Vec<PathBuf> = Vec::new();
    let mut files = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--json") => json = true,
            Some("--rules") => match args.next() {
                Some(f) => rules.push(PathBuf::from(f)),
                None => return usage("--rules needs a file"),
            },
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            Some("--") => files.extend(args.by_ref().map(PathBuf::from)),
            Some(a) if a.starts_with('-') && a.len() > 1 => {
                return usage(&format!("unknown option {a}"));
            }
            _ => files.push(PathBuf::from(arg)),
        }
    }
    let mut options = Options::default();
    options.rule_files.extend(rules);
    let inputs: Vec<Input<'_>> = if files.is_empty() {
        wsusdiag_core::sample::kb954960().into()
    } else {
        files.into_iter().map(Input::Path).collect()
    };
    let diagnosis = match diagnose(inputs, &options) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("diagnose: {e}");
            return ExitCode::from(2);
        }
    };
    // Large blocks: a fleet's report runs to tens of megabytes, and each write is a system call.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let written = if json {
        diagnosis
            .write_json(&mut stdout)
            .and_then(|()| writeln!(stdout))
    } else {
        writeln!(stdout, "{}", diagnosis.to_text())
    };
    let status = match written.and_then(|()| stdout.flush()) {
        // The reader left (`| head`): quiet, as command-line tools are; the status is the
        // diagnosis's.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("diagnose: cannot write the report: {e}");
            ExitCode::from(2)
        }
        _ if diagnosis.has_faults() => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    };
    // The process ends here: freeing a large report piece by piece would only delay the exit.
    std::mem::forget(diagnosis);
    status
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("diagnose: {problem}\n\n{USAGE}");
    ExitCode::from(2)
}
