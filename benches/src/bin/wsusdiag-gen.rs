//! Writes generated logs to disk, with `truth.json` beside a fleet.
//!
//! ```text
//! wsusdiag-gen fleet  --out DIR [--clients N] [--faults N] [--between N] [--seed S]
//!                    [--size MB] [--server-every N] [--profile dense|verbose]
//! wsusdiag-gen two-servers --out DIR [--clients N] [--between N] [--seed S]
//! wsusdiag-gen client --out FILE --size MB [--format classic|win10] [--seed S]
//! wsusdiag-gen server --out FILE --size MB [--seed S]
//! wsusdiag-gen configmgr --out FILE --size MB
//! ```
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use wsusdiag_benches::generate::{self as gen_logs, ClientFormat, FleetSpec};
use wsusdiag_benches::two_servers::{TwoServerSpec, two_server_fleet};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wsusdiag-gen: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let what = args
        .next()
        .ok_or("usage: wsusdiag-gen fleet|two-servers|client|server|configmgr --out PATH ...")?;
    let (mut out, mut size, mut seed) = (None, 64usize, 1u64);
    let mut format = ClientFormat::Classic;
    let mut fleet_size = false;
    let mut verbose = false;
    let mut spec = FleetSpec::default();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--out" => out = Some(PathBuf::from(&value)),
            "--size" => {
                size = number()? as usize;
                fleet_size = true;
            }
            "--seed" => seed = number()?,
            "--clients" => spec.clients = number()? as usize,
            "--faults" => spec.faults_per_client = number()? as usize,
            "--between" => spec.detections_between = number()? as usize,
            "--server-every" => spec.server_every = number()? as usize,
            "--profile" => {
                verbose = match value.as_str() {
                    "dense" => false,
                    "verbose" => true,
                    _ => return Err(format!("--profile: dense or verbose, not {value}")),
                }
            }
            "--format" => {
                format = match value.as_str() {
                    "classic" => ClientFormat::Classic,
                    "win10" => ClientFormat::Win10,
                    _ => return Err(format!("--format: classic or win10, not {value}")),
                }
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    let out = out.ok_or("--out is required")?;
    match what.as_str() {
        "fleet" => {
            spec.seed = seed;
            if fleet_size {
                // Each client log grows to --size MB; faults keep coming until it does.
                spec.client_bytes = size << 20;
                spec.faults_per_client = usize::MAX;
            }
            let g = if verbose {
                gen_logs::verbose_fleet(&spec)
            } else {
                gen_logs::fleet(&spec)
            };
            let logs = (g.clients.iter())
                .map(|(name, text)| (name.as_str(), text.as_str()))
                .chain([(g.truth.server_file.as_str(), g.server.as_str())]);
            write_fleet(&out, logs, &g.truth)?;
            println!(
                "{}: {} client logs, 1 server log, {} faults",
                out.display(),
                g.clients.len(),
                g.truth.faults.len()
            );
        }
        "two-servers" => {
            let g = two_server_fleet(&TwoServerSpec {
                seed,
                clients: spec.clients,
                detections_between: spec.detections_between,
            });
            let logs = (g.logs.iter()).map(|(name, text)| (name.as_str(), text.as_str()));
            write_fleet(&out, logs, &g.truth)?;
            println!(
                "{}: {} logs (2 servers), {} faults",
                out.display(),
                g.logs.len(),
                g.truth.faults.len()
            );
        }
        "client" => write(&out, &gen_logs::client_log(format, size << 20, seed))?,
        "server" => write(&out, &gen_logs::server_log(size << 20, seed))?,
        "configmgr" => write(&out, &gen_logs::configmgr_log(size << 20))?,
        other => {
            return Err(format!(
                "unknown kind {other}: fleet, two-servers, client, server or configmgr"
            ));
        }
    }
    Ok(())
}

/// Writes `text` to `path`, making its folder.
fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes the logs of a fleet under `out`, and `truth.json` beside them.
fn write_fleet<'a>(
    out: &Path,
    logs: impl Iterator<Item = (&'a str, &'a str)>,
    truth: &impl serde::Serialize,
) -> Result<(), String> {
    for (name, text) in logs {
        write(&out.join(name), text)?;
    }
    let truth = serde_json::to_string_pretty(truth).map_err(|e| e.to_string())?;
    write(&out.join("truth.json"), &truth)
}
