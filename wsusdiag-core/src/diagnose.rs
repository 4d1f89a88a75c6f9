//! The one call: logs in, [`Diagnosis`] out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Duration;
use rayon::prelude::*;

use crate::analyze::{self, Analysis};
use crate::correlate::{self, Fleet};
use crate::diagnosis::Diagnosis;
use crate::input::FileData;
use crate::knowledge::rules::{LineMatcher, RuleSet};
use crate::{Error, Result};

/// One log to diagnose: a file (or a folder of logs), or bytes already in memory.
#[derive(Clone, Debug)]
pub enum Input<'a> {
    /// A file, or a folder whose files are all read.
    Path(PathBuf),
    /// Bytes in memory, with a name to report them by.
    Buffer {
        /// The name used in reports.
        name: String,
        /// The log's bytes, in any supported encoding.
        bytes: &'a [u8],
    },
}

impl From<&Path> for Input<'_> {
    fn from(p: &Path) -> Self {
        Self::Path(p.to_path_buf())
    }
}

impl From<PathBuf> for Input<'_> {
    fn from(p: PathBuf) -> Self {
        Self::Path(p)
    }
}

/// How to diagnose.
#[derive(Clone, Debug)]
pub struct Options {
    /// The widest a join by time looks, after the clock offset is applied: the window of a
    /// client whose offset rests on its `tz:` banner (or a UTC log) alone, its clock's own error
    /// unknown. An offset from fault-ID pairs gets a window from their spread, never wider.
    /// Default two minutes.
    pub time_window: Duration,
    /// Read inputs on all cores. Default true.
    pub parallel: bool,
    /// The known issues to match; `None` means the built-in ones ([`RuleSet::builtin`]).
    pub rules: Option<RuleSet>,
    /// Rules files (TOML) to load on top of [`Options::rules`]; a rule with an id already
    /// there replaces it.
    pub rule_files: Vec<PathBuf>,
}

impl Options {
    /// The rules a diagnosis with these options matches: [`Options::rules`] (or the built-in
    /// set) and then every file of [`Options::rule_files`].
    pub fn rule_set(&self) -> Result<RuleSet> {
        let mut set = self.rules.clone().unwrap_or_else(RuleSet::builtin);
        for file in &self.rule_files {
            set.extend(RuleSet::from_file(file)?);
        }
        Ok(set)
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            time_window: Duration::seconds(120),
            parallel: true,
            rules: None,
            rule_files: Vec::new(),
        }
    }
}

/// Diagnoses a set of logs: client and server logs in any order and number, each one's kind
/// sniffed from its content.
///
/// A path that cannot be read is an error; inside a folder, unreadable files are reported in
/// [`InputSummary::problems`](crate::diagnosis::InputSummary::problems) instead. An input that
/// is not a log is reported in the same way, never guessed.
pub fn diagnose<'a>(
    inputs: impl IntoIterator<Item = Input<'a>>,
    options: &Options,
) -> Result<Diagnosis> {
    enum Job<'a> {
        File(PathBuf),
        /// The `.etl` traces of one folder: one machine's log.
        Traces(PathBuf, Vec<PathBuf>),
        Bytes(String, &'a [u8]),
    }
    let rules = options.rule_set()?;
    let lines = LineMatcher::new(&rules);
    let mut jobs = Vec::new();
    let mut traces: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    for input in inputs {
        match input {
            Input::Path(p) => {
                let meta = std::fs::metadata(&p).map_err(|e| Error::io(&p, e))?;
                let files = if meta.is_dir() {
                    files_under(&p)?
                } else {
                    vec![p]
                };
                for file in files {
                    if is_trace(&file) {
                        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
                        traces.entry(dir).or_default().push(file);
                    } else {
                        jobs.push(Job::File(file));
                    }
                }
            }
            Input::Buffer { name, bytes } => jobs.push(Job::Bytes(name, bytes)),
        }
    }
    for (dir, files) in traces {
        jobs.push(match <[PathBuf; 1]>::try_from(files) {
            Ok([file]) => Job::File(file),
            Err(files) => Job::Traces(dir, files),
        });
    }
    let run = |job: &Job<'_>| -> Result<Analysis> {
        match job {
            Job::File(p) => {
                let data = FileData::open(p)?;
                Ok(analyze::analyze(
                    &p.display().to_string(),
                    &data,
                    &lines,
                    options.parallel,
                    &|part| data.release(part),
                ))
            }
            Job::Traces(dir, files) => {
                let data = files
                    .iter()
                    .map(|f| FileData::open(f))
                    .collect::<Result<Vec<_>>>()?;
                let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
                let parts: Vec<(&str, &[u8])> = names
                    .iter()
                    .map(String::as_str)
                    .zip(data.iter().map(|d| &d[..]))
                    .collect();
                let name = format!("{} ({} traces)", dir.display(), files.len());
                Ok(analyze::analyze_etl(
                    &name,
                    &parts,
                    &lines,
                    options.parallel,
                ))
            }
            Job::Bytes(name, bytes) => Ok(analyze::analyze(
                name,
                bytes,
                &lines,
                options.parallel,
                &|_| {},
            )),
        }
    };
    let analyses: Vec<Analysis> = if options.parallel {
        // Largest first, so that no big log is left to one core at the end; results in the
        // order given.
        let size = |job: &Job<'_>| -> u64 {
            let file = |p: &PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
            match job {
                Job::File(p) => file(p),
                Job::Traces(_, files) => files.iter().map(file).sum(),
                Job::Bytes(_, bytes) => bytes.len() as u64,
            }
        };
        let mut order: Vec<(u64, usize)> = jobs.iter().map(size).zip(0..).collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let mut done: Vec<(usize, Result<Analysis>)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&(_, i)| (i, run(&jobs[i])))
            .collect();
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, a)| a).collect::<Result<_>>()?
    } else {
        jobs.iter().map(run).collect::<Result<_>>()?
    };
    let fleet = Fleet::new(analyses);
    let corr = correlate::correlate(&fleet, options.time_window, options.parallel);
    let matches = correlate::match_rules(&fleet, &corr, &rules, options.parallel);
    Ok(correlate::assemble(fleet, &corr, matches, options.parallel))
}

/// [`diagnose`] over file paths.
pub fn diagnose_paths<P: AsRef<Path>>(paths: &[P], options: &Options) -> Result<Diagnosis> {
    diagnose(
        paths.iter().map(|p| Input::Path(p.as_ref().to_path_buf())),
        options,
    )
}

/// [`diagnose`] over named buffers.
pub fn diagnose_buffers(buffers: &[(&str, &[u8])], options: &Options) -> Result<Diagnosis> {
    diagnose(
        buffers.iter().map(|&(name, bytes)| Input::Buffer {
            name: name.to_owned(),
            bytes,
        }),
        options,
    )
}

/// Whether a file is an `.etl` trace (judged by its first bytes).
fn is_trace(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 128];
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    crate::etl::is_etl(&head[..n])
}

/// Every file below `dir`, sorted, hidden ones left out.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(|e| Error::io(&d, e))? {
            let entry = entry.map_err(|e| Error::io(&d, e))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
