//! `wsusdiag`: diagnoses Windows Update client logs and WSUS server logs.
//!
//! Exit status: 0 no fault found, 1 faults found, 2 bad usage or unreadable input. A reader
//! that closes the pipe early (`wsusdiag | head`) ends the command quietly.
#![allow(clippy::print_stdout)]

mod args;
mod colour;
mod progress;

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anstream::AutoStream;
use anstream::stream::{AsLockedWrite, RawStream};
use clap::{CommandFactory, Parser};
use wsusdiag_core::{Diagnosis, Input, Options, diagnose_with_progress};

use args::{Args, Format};

/// The library's work runs on rayon's threads, whose glibc heaps grow one page and one system
/// call at a time; mimalloc takes memory from the system in large pieces (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bytes written at a time: a fleet's report runs to tens of megabytes, and each write is a
/// system call.
const BLOCK: usize = 1 << 20;

/// Report width when standard output is not a terminal.
const DEFAULT_WIDTH: usize = 100;

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    if let Some(shell) = args.completion_shell() {
        let mut cmd = Args::command();
        clap_complete::generate(shell, &mut cmd, "wsusdiag", &mut io::stdout());
        return ExitCode::SUCCESS;
    }
    let mut options = Options::default().with_evidence(args.evidence());
    options.rule_files.extend(args.rules.iter().cloned());
    let inputs: Vec<Input<'_>> = if args.files.is_empty() {
        wsusdiag_core::sample::kb954960().into()
    } else {
        args.files.iter().cloned().map(Input::Path).collect()
    };
    // Progress of large inputs on standard error, when it is a terminal; gone before the report.
    let meter = progress::Meter::new(io::stderr().is_terminal());
    let diagnosed = diagnose_with_progress(inputs, &options, &|p| {
        meter.update(p);
        true
    });
    meter.clear();
    let diagnosis = match diagnosed {
        Ok(d) => d,
        Err(e) => {
            eprintln!("wsusdiag: {e}");
            return ExitCode::from(2);
        }
    };
    let found = if diagnosis.has_faults() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    let written = match &args.output {
        Some(path) => File::create(path)
            .and_then(|f| write_report(&diagnosis, args.format(), DEFAULT_WIDTH, f))
            .map_err(|e| (e, path.display().to_string())),
        None => {
            let stdout = io::stdout();
            let width = if stdout.is_terminal() {
                terminal_size::terminal_size().map_or(DEFAULT_WIDTH, |(w, _)| usize::from(w.0))
            } else {
                DEFAULT_WIDTH
            };
            write_report(&diagnosis, args.format(), width, stdout.lock())
                .map_err(|e| (e, "standard output".to_owned()))
        }
    };
    let status = match written {
        Ok(()) => found,
        Err((e, _)) if e.kind() == io::ErrorKind::BrokenPipe => found,
        Err((e, to)) => {
            eprintln!("wsusdiag: cannot write to {to}: {e}");
            ExitCode::from(2)
        }
    };
    // The process ends here: freeing a large report piece by piece would only delay the exit.
    std::mem::forget(diagnosis);
    status
}

/// Writes the report in `format` to a file or standard output; text lines wrap at `width`
/// columns.
fn write_report<S>(d: &Diagnosis, format: Format, width: usize, raw: S) -> io::Result<()>
where
    S: RawStream + AsLockedWrite,
{
    match format {
        // Colour on a terminal only, never with NO_COLOR set, whether to standard output or a
        // file (anstream decides, and strips the codes elsewhere).
        Format::Text => in_blocks(AutoStream::auto(raw), |out| {
            writeln!(out, "{}", colour::paint(&d.to_text_width(width)))
        }),
        // Nothing painted, so written as made: no stripping pass over tens of megabytes (JSON
        // escapes control characters itself).
        Format::Json => in_blocks(raw, |out| {
            d.write_json(&mut *out).and_then(|()| writeln!(out))
        }),
        Format::Ndjson => in_blocks(raw, |out| d.write_ndjson(out)),
        Format::Html => in_blocks(raw, |out| d.write_html(out)),
    }
}

/// What `write` writes to `out`, [`BLOCK`] bytes at a time.
fn in_blocks<W: Write>(
    out: W,
    write: impl FnOnce(&mut io::BufWriter<W>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(BLOCK, out);
    write(&mut out)?;
    out.flush()
}
