//! Running a diagnosis: the inputs and options, and its two steps, reading every input into
//! its analysis ([`read`]) and concluding from the analyses ([`conclude`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Duration;
use rayon::prelude::*;

use crate::correlate::{self, Fleet};
use crate::diagnosis::{Diagnosis, InputSummary, Problem, ProblemKind};
use crate::input::{FileData, Found, Shrunk, TextEncoding, Walk, open_listed};
use crate::knowledge::rules::{LineMatcher, RuleSet};
use crate::pipeline::{self, Analysis, Body, ReadDone, whole_input_problem};
use crate::progress::{Progress, Tally};
use crate::{Error, Result};

/// One log to diagnose: a file (or a folder of logs), or bytes already in memory.
#[derive(Clone, Debug)]
#[non_exhaustive]
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

/// How to diagnose: [`Options::default`], then the `with_` methods (or the fields) for what
/// differs.
///
/// ```
/// use wsusdiag_core::Options;
///
/// let options = Options::default().with_parallel(false).with_rule_files(["site.toml"]);
/// assert_eq!(options.rule_files.len(), 1);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
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
    /// Set to `true` from another thread to stop the diagnosis: it ends with
    /// [`Error::Cancelled`] before the next input is read, within a few megabytes of the one
    /// being read (the readers check it between windows of chunks), or between the steps after
    /// (a binding sets it on Ctrl-C). Default `None`.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Which lines of a client fault the diagnosis quotes with their text. Default
    /// [`EvidenceDetail::Key`].
    pub evidence: EvidenceDetail,
}

crate::named::named_enum! {
    /// Which lines of a client fault a diagnosis quotes with their text (all are listed by
    /// number in its `lines`).
    #[derive(Default)]
    pub enum EvidenceDetail {
        /// The key lines: the failure, the fault's ErrorCode and ID (at most five).
        #[default]
        Key = "key",
        /// Every line of the fault.
        Full = "full",
    }
}

impl Options {
    /// With [`Options::time_window`] set.
    pub fn with_time_window(mut self, widest: Duration) -> Self {
        self.time_window = widest;
        self
    }

    /// With [`Options::parallel`] set.
    pub fn with_parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }

    /// With [`Options::rules`] set: these known issues instead of the built-in ones.
    pub fn with_rules(mut self, rules: RuleSet) -> Self {
        self.rules = Some(rules);
        self
    }

    /// With [`Options::rule_files`] set.
    pub fn with_rule_files<P: Into<PathBuf>>(mut self, files: impl IntoIterator<Item = P>) -> Self {
        self.rule_files = files.into_iter().map(Into::into).collect();
        self
    }

    /// With [`Options::evidence`] set.
    pub fn with_evidence(mut self, evidence: EvidenceDetail) -> Self {
        self.evidence = evidence;
        self
    }

    /// With [`Options::cancel`] set.
    pub fn with_cancel(mut self, cancel: Arc<AtomicBool>) -> Self {
        self.cancel = Some(cancel);
        self
    }

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
            cancel: None,
            evidence: EvidenceDetail::Key,
        }
    }
}

/// Diagnoses a set of logs: client and server logs in any order and number, each one's kind
/// sniffed from its content.
///
/// A path given that cannot be read is an error. Inside a folder, only regular files are read,
/// each once (by device and inode, however many links lead to it); an entry that cannot be
/// read, a pipe, a socket, a device or a link back to a folder already read is listed in
/// [`InputSummary::problems`](crate::diagnosis::InputSummary::problems) of an input of its own,
/// and the other logs are still diagnosed. An input that is not a log is listed in the same
/// way, never guessed; when no input is a log the result is [`Error::NoLog`].
///
/// Each file is read once into memory ([`FileData`]): up to the size it had when opened (a log
/// still growing is read as it was then), a file cut while it is read gives what was there and
/// a `truncated` problem, and a pipe or device given directly is read as a stream up to
/// [`SPECIAL_FILE_CAP`](crate::input::SPECIAL_FILE_CAP).
pub fn diagnose<'a>(
    inputs: impl IntoIterator<Item = Input<'a>>,
    options: &Options,
) -> Result<Diagnosis> {
    diagnose_with_progress(inputs, options, &|_| true)
}

/// [`diagnose`], telling `progress` how far the reading has come (see [`Progress`]): as each
/// input starts and ends, and every few megabytes within one. `progress` is called from the
/// threads that read, one call at a time (under a lock): it should return quickly, and not
/// call into wsusdiag nor wait on work of rayon's pool. When it returns false the diagnosis
/// stops as a cancel does (see [`Options::cancel`]), with [`Error::Cancelled`].
pub fn diagnose_with_progress<'a>(
    inputs: impl IntoIterator<Item = Input<'a>>,
    options: &Options,
    progress: &(dyn Fn(Progress<'_>) -> bool + Sync),
) -> Result<Diagnosis> {
    // The patterns that tell what each input is compile beside the rules, on the other core.
    let (rules, ()) = rayon::join(|| options.rule_set(), crate::input::compile_patterns);
    let rules = rules?;
    let (analyses, empty_folders) = read(inputs, &rules, options, progress)?;
    conclude(analyses, &empty_folders, &rules, options)
}

/// Reads every input into its analysis, on all cores when [`Options::parallel`]; also returns
/// the folders given that held nothing.
pub(crate) fn read<'a>(
    inputs: impl IntoIterator<Item = Input<'a>>,
    rules: &RuleSet,
    options: &Options,
    progress: &(dyn Fn(Progress<'_>) -> bool + Sync),
) -> Result<(Vec<Analysis>, Vec<PathBuf>)> {
    let lines = LineMatcher::new(rules);
    let (jobs, empty_folders) = jobs(inputs)?;
    let sizes: Vec<u64> = jobs.iter().map(Job::size).collect();
    let tally = Tally::new(progress, sizes.clone());
    let cancelled = || {
        if tally.stopped() {
            return Err(Error::Cancelled);
        }
        cancelled(options)
    };
    let run = |i: usize| {
        cancelled()?;
        let job = &jobs[i];
        let name = job.name();
        let reading = tally.start(i, &name);
        // A cancel stops each reader between windows of chunks, not only between inputs.
        let go_on = |part: &[u8]| cancelled().is_ok() && reading.read(part);
        let a = run(job, &name, &lines, options.parallel, &go_on)?;
        reading.finish();
        cancelled()?;
        Ok(without_entries_no_log(a))
    };
    let analyses: Vec<Analysis> = if options.parallel {
        // Largest first, so that no big log is left to one core at the end; results in the
        // order given.
        let mut order: Vec<(u64, usize)> = sizes.into_iter().zip(0..).collect();
        order.sort_unstable_by(|a, b| b.cmp(a));
        let mut done: Vec<(usize, Result<Analysis>)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&(_, i)| (i, run(i)))
            .collect();
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, a)| a).collect::<Result<_>>()?
    } else {
        (0..jobs.len()).map(run).collect::<Result<_>>()?
    };
    Ok((analyses, empty_folders))
}

/// The diagnosis of inputs read: their joins, the known issues they match, the report.
pub(crate) fn conclude(
    analyses: Vec<Analysis>,
    empty_folders: &[PathBuf],
    rules: &RuleSet,
    options: &Options,
) -> Result<Diagnosis> {
    // A log of a kind read but not analysed (a site server's ConfigMgr log) is still a log.
    if analyses.iter().all(|a| a.summary.kind.is_none()) {
        return Err(no_log(&analyses, empty_folders));
    }
    cancelled(options)?;
    let fleet = Fleet::new(analyses);
    let corr = correlate::correlate(&fleet, options.time_window, options.parallel);
    cancelled(options)?;
    let matches = correlate::match_rules(&fleet, &corr, rules, options.parallel);
    let mut diagnosis = crate::assemble::assemble(fleet, &corr, matches, rules, options);
    crate::fields::cap(&mut diagnosis);
    diagnosis.regroup();
    Ok(diagnosis)
}

/// [`Error::Cancelled`] once [`Options::cancel`] is set.
fn cancelled(options: &Options) -> Result<()> {
    if (options.cancel.as_ref()).is_some_and(|c| c.load(Ordering::Relaxed)) {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// One input to read.
enum Job<'a> {
    /// A regular file; `listed` when found in a folder, where a failure to read it is a problem
    /// of that file, not an error.
    File {
        path: PathBuf,
        listed: bool,
    },
    /// The `.etl` traces of one folder: one machine's log.
    Traces(PathBuf, Vec<PathBuf>),
    Bytes(String, &'a [u8]),
    /// A pipe or device given directly, read as it was met (it can be read only once).
    Read(String, FileData),
    /// An entry that is not read, and why.
    Skipped(String, Problem),
}

impl Job<'_> {
    /// The name the report gives the input.
    fn name(&self) -> String {
        match self {
            Job::File { path, .. } => path.display().to_string(),
            Job::Traces(dir, files) => format!("{} ({} traces)", dir.display(), files.len()),
            Job::Bytes(name, _) | Job::Read(name, _) | Job::Skipped(name, _) => name.clone(),
        }
    }

    /// The bytes to read, to start the largest first.
    fn size(&self) -> u64 {
        let file = |p: &PathBuf| std::fs::metadata(p).map_or(0, |m| m.len());
        match self {
            Job::File { path, .. } => file(path),
            Job::Traces(_, files) => files.iter().map(file).sum(),
            Job::Bytes(_, bytes) => bytes.len() as u64,
            Job::Read(_, data) => data.len() as u64,
            Job::Skipped(..) => 0,
        }
    }
}

/// The inputs as jobs, in the order met, the `.etl` traces of a folder grouped (and put where
/// their name sorts); and the folders with nothing to read.
fn jobs<'a>(inputs: impl IntoIterator<Item = Input<'a>>) -> Result<(Vec<Job<'a>>, Vec<PathBuf>)> {
    let mut walk = Walk::default();
    let mut jobs = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) => walk.add(&p)?,
            Input::Buffer { name, bytes } => jobs.push(Job::Bytes(name, bytes)),
        }
    }
    let mut traces: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut empty_folders = Vec::new();
    for found in walk.finish() {
        let (path, listed) = match found {
            Found::Listed(path) => (path, true),
            Found::Given(path) => (path, false),
            Found::Skipped {
                path,
                kind,
                message,
            } => {
                let problem = whole_input_problem(kind, message);
                jobs.push(Job::Skipped(path.display().to_string(), problem));
                continue;
            }
            Found::EmptyFolder(path) => {
                empty_folders.push(path);
                continue;
            }
        };
        let file = if listed {
            open_listed(&path)
        } else {
            std::fs::File::open(&path).map_err(|e| Error::io(&path, e))
        };
        match file.and_then(|f| Ok((f.metadata().map_err(|e| Error::io(&path, e))?, f))) {
            // A pipe or a device can be read only once: now, whole.
            Ok((meta, file)) if !meta.is_file() => {
                let data = FileData::read(&path, file)?;
                jobs.push(Job::Read(path.display().to_string(), data));
            }
            Ok((_, file)) if is_trace(&file) => {
                let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                traces.entry(dir).or_default().push(path);
            }
            // Read on a worker; a listed file that cannot be opened becomes a problem there.
            Ok(_) => jobs.push(Job::File { path, listed }),
            Err(Error::Io { .. }) if listed => jobs.push(Job::File { path, listed }),
            Err(e) => return Err(e),
        }
    }
    let mut groups: Vec<(PathBuf, Job<'a>)> = (traces.into_iter())
        .map(|(dir, mut files)| {
            // In the order a folder lists them, however they were given.
            files.sort();
            match <[PathBuf; 1]>::try_from(files) {
                Ok([path]) => Job::File { path, listed: true },
                Err(files) => Job::Traces(dir, files),
            }
        })
        .map(|job| (PathBuf::from(job.name()), job))
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    // Each where its name sorts among the files, as a folder is read (and `combine` orders).
    let mut groups = groups.into_iter().peekable();
    let mut ordered = Vec::with_capacity(jobs.len() + groups.len());
    for job in jobs {
        let name = PathBuf::from(job.name());
        while let Some((_, group)) = groups.next_if(|(g, _)| *g < name) {
            ordered.push(group);
        }
        ordered.push(job);
    }
    ordered.extend(groups.map(|(_, job)| job));
    Ok((ordered, empty_folders))
}

/// Reads one job.
fn run(
    job: &Job<'_>,
    name: &str,
    lines: &LineMatcher,
    parallel: bool,
    go_on: ReadDone<'_>,
) -> Result<Analysis> {
    let open = |path: &Path, listed: bool| {
        if listed {
            open_listed(path)
        } else {
            std::fs::File::open(path).map_err(|e| Error::io(path, e))
        }
    };
    let read = |path: &Path, listed: bool| FileData::read(path, open(path, listed)?);
    match job {
        Job::File { path, listed } => {
            let read = open(path, *listed)
                .and_then(|file| pipeline::analyze_file(name, path, file, lines, parallel, go_on));
            match read {
                Ok((mut a, shrunk)) => {
                    note_shrunk(&mut a, shrunk);
                    Ok(a)
                }
                Err(e @ Error::Io { .. }) if *listed => Ok(unreadable(name, &e)),
                Err(e) => Err(e),
            }
        }
        Job::Read(_, data) => Ok(pipeline::analyze(name, data, lines, parallel, go_on)),
        Job::Traces(_, files) => {
            let mut data = Vec::with_capacity(files.len());
            let mut failed = Vec::new();
            for file in files {
                match read(file, true) {
                    Ok(d) => data.push((file.display().to_string(), d)),
                    Err(e @ Error::Io { .. }) => failed.push(e),
                    Err(e) => return Err(e),
                }
            }
            let parts: Vec<(&str, &[u8])> =
                data.iter().map(|(n, d)| (n.as_str(), &d[..])).collect();
            let mut a = pipeline::analyze_etl(name, &parts, lines, parallel);
            for (_, d) in &data {
                note_shrunk(&mut a, d.shrunk());
            }
            for e in failed {
                let problem = whole_input_problem(ProblemKind::Unreadable, e.to_string());
                a.summary.problems.push(problem);
            }
            Ok(a)
        }
        Job::Bytes(_, bytes) => Ok(pipeline::analyze(name, bytes, lines, parallel, go_on)),
        Job::Skipped(_, problem) => Ok(skipped(name, problem.clone())),
    }
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

/// Whether an open file is an `.etl` trace (judged by its first bytes); it is read again from
/// its start afterwards.
fn is_trace(mut file: &std::fs::File) -> bool {
    use std::io::{Read, Seek};
    let mut head = [0u8; 128];
    let n = file.read(&mut head).unwrap_or(0);
    let _ = file.rewind();
    crate::etl::is_etl(&head[..n])
}

/// Why a Windows 10 log whose every event is `Unknown(N): GUID=… (No Format Information found)`
/// cannot be read, and what to do.
const UNDECODED: &str = "not one event of this Windows Update log was decoded: Get-WindowsUpdateLog \
     wrote each as \"Unknown(…): GUID=… (No Format Information found)\", as it does without Windows \
     Update's symbols (run in a remote PowerShell session, or with no access to the Microsoft \
     symbol server). Run Get-WindowsUpdateLog on the machine itself, or bring the .etl files of \
     C:\\Windows\\Logs\\WindowsUpdate, which wsusdiag reads itself (Windows 10 1709 and later)";

/// A text taken for a log in which not one entry could be read is not a log after all: it is
/// listed, never counted as a log with no failure.
fn without_entries_no_log(mut a: Analysis) -> Analysis {
    if a.summary.records == 0 && !matches!(a.body, Body::Unknown) {
        a.body = Body::Unknown;
        a.summary.kind = None;
        let undecoded = a
            .summary
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::Undecoded);
        let (kind, message) = if undecoded {
            (ProblemKind::NeedsSymbols, UNDECODED.to_owned())
        } else {
            let message = "not a Windows Update or WSUS log: not one log entry in it";
            (ProblemKind::UnknownFormat, message.to_owned())
        };
        a.summary.problems.push(whole_input_problem(kind, message));
    }
    a
}

/// An input that was not read: its summary holds only why.
fn skipped(name: &str, problem: Problem) -> Analysis {
    Analysis {
        summary: InputSummary {
            path: name.to_owned(),
            kind: None,
            encoding: TextEncoding::Binary,
            bytes: 0,
            records: 0,
            malformed_lines: 0,
            problems: vec![problem],
            repairs: Vec::new(),
        },
        body: Body::Unknown,
    }
}

/// A file of a folder that could not be read.
fn unreadable(name: &str, e: &Error) -> Analysis {
    skipped(
        name,
        whole_input_problem(ProblemKind::Unreadable, format!("cannot be read: {e}")),
    )
}

/// Lists the cut of a file that shrank while it was read.
fn note_shrunk(a: &mut Analysis, shrunk: Shrunk) {
    if let Some((size, read)) = shrunk {
        let message = format!(
            "the file shrank from {size} to {read} bytes while it was read (cut by another \
             process): what was read is diagnosed"
        );
        a.summary
            .problems
            .push(whole_input_problem(ProblemKind::Truncated, message));
    }
}

/// The error when no input is a log: what each one is instead.
fn no_log(analyses: &[Analysis], empty_folders: &[PathBuf]) -> Error {
    const SHOWN: usize = 3;
    let mut why: Vec<String> = empty_folders
        .iter()
        .map(|f| format!("{}: an empty folder", f.display()))
        .collect();
    why.extend(analyses.iter().map(|a| {
        // The last problem is the verdict (an `.etl` trace lists what it holds first).
        let problem = a.summary.problems.last();
        let message = problem.map_or("not a log", |p| p.message.as_str());
        format!("{}: {message}", a.summary.path)
    }));
    let more = why.len().saturating_sub(SHOWN);
    why.truncate(SHOWN);
    let mut reason = why.join("; ");
    if more > 0 {
        reason.push_str(&format!("; and {more} more"));
    }
    if reason.is_empty() {
        reason = "no input given".to_owned();
    }
    Error::NoLog { reason }
}
