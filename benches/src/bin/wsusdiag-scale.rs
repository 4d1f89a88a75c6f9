//! Measures the two-step diagnosis of a folder of logs: the size of each log's analysis against
//! the log's, the time to analyse every log alone and to combine the analyses, and (on Linux)
//! the memory the decoded analyses, the combining and the report take.
//!
//! ```text
//! wsusdiag-scale DIR
//! ```
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use wsusdiag_core::analysis::{LogAnalysis, analyse, combine};
use wsusdiag_core::{Input, Options, diagnose_paths};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: wsusdiag-scale DIR");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wsusdiag-scale: {e}");
            ExitCode::FAILURE
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn run(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut logs = Vec::new();
    files(dir, &mut logs)?;
    let options = Options::default();
    let started = Instant::now();
    let mut log_bytes = 0u64;
    let mut sent = Vec::with_capacity(logs.len());
    for file in &logs {
        log_bytes += std::fs::metadata(file)?.len();
        sent.push(analyse([Input::Path(file.clone())], &options)?.to_bytes()?);
    }
    let analysed = started.elapsed();
    let analysis_bytes: usize = sent.iter().map(Vec::len).sum();
    let before = Memory::now();
    let started = Instant::now();
    let received = (sent.iter())
        .map(|b| LogAnalysis::from_bytes(b))
        .collect::<Result<Vec<_>, _>>()?;
    let decoded = started.elapsed();
    let held = Memory::now();
    Memory::reset_peak();
    let started = Instant::now();
    let combined = combine(received, &options)?;
    let combined_in = started.elapsed();
    let after = Memory::now();
    let started = Instant::now();
    let json = combined.to_json()?;
    let json_in = started.elapsed();
    drop(combined);
    let started = Instant::now();
    let whole = diagnose_paths(&[dir], &options)?;
    let whole_in = started.elapsed();
    let same = json == whole.to_json()?;
    println!(
        "{} logs, {:.1} MB; analyses {:.2} MB ({:.2}% of the logs, {:.0} bytes a log)",
        logs.len(),
        log_bytes as f64 / 1e6,
        analysis_bytes as f64 / 1e6,
        100.0 * analysis_bytes as f64 / log_bytes.max(1) as f64,
        analysis_bytes as f64 / logs.len().max(1) as f64
    );
    println!(
        "analyse one by one {:.2} s; decode {:.3} s; combine {:.3} s (then its JSON {:.3} s); \
         diagnose at once {:.2} s; same JSON: {same}",
        analysed.as_secs_f64(),
        decoded.as_secs_f64(),
        combined_in.as_secs_f64(),
        json_in.as_secs_f64(),
        whole_in.as_secs_f64()
    );
    if let (Some(before), Some(held), Some(after)) = (before, held, after) {
        let mb = |kb: u64| kb as f64 / 1024.0;
        println!(
            "resident: the decoded analyses {:.0} MB; combining them peaks {:.0} MB above that, \
             the diagnosis {:.0} MB; its JSON {:.0} MB",
            mb(held.rss_kb.saturating_sub(before.rss_kb)),
            mb(after.peak_kb.saturating_sub(held.rss_kb)),
            mb(after.rss_kb.saturating_sub(held.rss_kb)),
            json.len() as f64 / (1u64 << 20) as f64
        );
    }
    if same {
        Ok(())
    } else {
        Err("the combined diagnosis differs from the diagnosis at once".into())
    }
}

/// The process's resident memory, from `/proc/self/status` (Linux; `None` elsewhere).
#[derive(Clone, Copy)]
struct Memory {
    rss_kb: u64,
    /// The most resident since the process started or [`Memory::reset_peak`].
    peak_kb: u64,
}

impl Memory {
    fn now() -> Option<Self> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| {
            let line = status.lines().find(|l| l.starts_with(name))?;
            line[name.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        Some(Self {
            rss_kb: field("VmRSS:")?,
            peak_kb: field("VmHWM:")?,
        })
    }

    /// Makes the peak the memory resident now (`5` to `/proc/self/clear_refs`).
    fn reset_peak() {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }
}
