//! The command line: what `wsusdiag --help` documents, parsed by clap.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use clap_complete::Shell;

const EXAMPLES: &str = "\
Examples:
  wsusdiag                                      diagnose the bundled KB954960 sample
  wsusdiag WindowsUpdate.log SoftwareDistribution.log
  wsusdiag \\\\wsus01\\logs C:\\Temp\\clients         folders are read whole
  wsusdiag --format html -o report.html logs    a page to open in a browser
  wsusdiag --json logs > diagnosis.json
  wsusdiag --format ndjson logs > diagnosis.ndjson   one object per line, to index
  wsusdiag --completions powershell >> $PROFILE

Exit status: 0 no fault found, 1 faults found, 2 bad usage or unreadable input.";

/// Reads Windows Update client logs (WindowsUpdate.log, classic or Windows 10, or .etl traces),
/// WSUS server logs (SoftwareDistribution.log) and Configuration Manager's (WUAHandler.log,
/// wsyncmgr.log, …) in any order, joins each client failure to the server's record of it, and
/// names the known issue and its fix. With no file, diagnoses a bundled sample of the KB954960
/// case.
#[derive(Debug, Parser)]
#[command(name = "wsusdiag", version, after_help = EXAMPLES)]
pub(crate) struct Args {
    /// Log files or folders, in any order; client and server logs are told apart by content.
    #[arg(value_name = "FILE|FOLDER")]
    pub(crate) files: Vec<PathBuf>,

    /// How to write the diagnosis.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,

    /// Short for --format json (schema_version 2).
    #[arg(long, conflicts_with = "format")]
    pub(crate) json: bool,

    /// Which lines of each client fault the JSON quotes with their text: `key` (the failure,
    /// the fault's ErrorCode and ID) or `full` (every line); all are listed by number.
    #[arg(long, value_enum, default_value_t = Evidence::Key)]
    pub(crate) evidence: Evidence,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Add known-issue rules from a TOML file (may be repeated); a rule with a built-in rule's
    /// id replaces it.
    #[arg(long, value_name = "FILE")]
    pub(crate) rules: Vec<PathBuf>,

    /// Print a completion script for SHELL and exit.
    #[arg(long, value_name = "SHELL", value_parser = ["bash", "zsh", "powershell", "fish", "elvish"])]
    pub(crate) completions: Option<String>,
}

/// The report's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The report for a terminal or a text file.
    Text,
    /// The diagnosis as JSON (schema_version 2).
    Json,
    /// One flat JSON object per line (input, clock, fault, server_fault, finding, client), for
    /// log platforms.
    Ndjson,
    /// One self-contained page to open in a browser.
    Html,
}

/// The `--evidence` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Evidence {
    /// The key lines of each fault.
    Key,
    /// Every line of each fault.
    Full,
}

impl Args {
    /// The format asked for, `--json` included.
    pub(crate) fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }

    /// The evidence detail asked for.
    pub(crate) fn evidence(&self) -> wsusdiag_core::diagnosis::EvidenceDetail {
        use wsusdiag_core::diagnosis::EvidenceDetail;
        match self.evidence {
            Evidence::Key => EvidenceDetail::Key,
            Evidence::Full => EvidenceDetail::Full,
        }
    }

    /// The shell whose completion script was asked for.
    pub(crate) fn completion_shell(&self) -> Option<Shell> {
        self.completions.as_deref().and_then(|s| s.parse().ok())
    }
}
