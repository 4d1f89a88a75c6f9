//! Real Windows 10 (and classic) logs against a truth written by reading them.
//!
//! `tests/corpus/` holds excerpts of real `WindowsUpdate.log` files from public repositories
//! (`SOURCES.md`), and `truth.toml`, in which every real failure of each excerpt was labelled by
//! hand from the log itself (operation, outcome line, code, the lines of its chain), never from
//! wsusdiag's output. The diagnosis must report at least 95% real failures (precision), find at
//! least 95% of them (recall), each once, name no cause the log does not show, and say what a
//! healthy log did.
//!
//! `full-logs.toml` labels the whole logs the excerpts come from. They are too large to keep
//! here; with copies of them in a folder, `WSUSDIAG_FULL_CORPUS=<folder> cargo test --test
//! corpus` measures the same on them.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use wsusdiag_core::diagnosis::Fault;
use wsusdiag_core::{Diagnosis, Options, diagnose_paths};

#[derive(Deserialize)]
struct Truth {
    log: Vec<Log>,
}

#[derive(Deserialize)]
struct Log {
    file: String,
    healthy: bool,
    #[serde(default)]
    scans_ok: u32,
    #[serde(default)]
    failure: Vec<Failure>,
}

#[derive(Deserialize)]
struct Failure {
    operation: String,
    code: String,
    outcome_line: u32,
    lines: [u32; 2],
    cause: Option<String>,
}

/// Every line a fault names: its own, its outcome's, its evidence's.
fn lines_of(f: &Fault) -> Vec<u32> {
    let c = &f.client;
    let mut lines = vec![c.line];
    lines.extend(c.outcome_line);
    lines.extend(c.evidence.iter().map(|e| e.line));
    lines
}

fn has_code(f: &Fault, code: &str) -> bool {
    let c = &f.client;
    c.hresult.eq_ignore_ascii_case(code)
        || c.related_codes.iter().any(|r| r.eq_ignore_ascii_case(code))
}

/// The truth failure a fault reports: the one whose outcome line it names with its code, else
/// one whose chain holds one of its lines with its code.
fn matched(f: &Fault, truth: &[Failure]) -> Option<usize> {
    let lines = lines_of(f);
    let by_outcome = truth
        .iter()
        .position(|t| lines.contains(&t.outcome_line) && has_code(f, &t.code));
    by_outcome.or_else(|| {
        truth.iter().position(|t| {
            lines.iter().any(|l| (t.lines[0]..=t.lines[1]).contains(l)) && has_code(f, &t.code)
        })
    })
}

/// What one log's diagnosis got right and wrong.
#[derive(Default)]
struct Score {
    reported: usize,
    real: usize,
    found: usize,
    false_faults: Vec<String>,
    missed: Vec<String>,
    twice: Vec<String>,
    unfounded: Vec<String>,
}

impl Score {
    fn add(&mut self, name: &str, log: &Log, d: &Diagnosis) {
        self.reported += d.faults.len();
        self.real += log.failure.len();
        let mut hits = vec![0; log.failure.len()];
        for f in &d.faults {
            match matched(f, &log.failure) {
                Some(i) => hits[i] += 1,
                None => self.false_faults.push(format!(
                    "{name}:{} {} ({:?})",
                    f.client.line, f.client.hresult, f.client.operation
                )),
            }
        }
        for (t, n) in log.failure.iter().zip(&hits) {
            let what = format!("{name}:{} {} {}", t.outcome_line, t.operation, t.code);
            match n {
                0 => self.missed.push(what),
                1 => self.found += 1,
                _ => {
                    self.found += 1;
                    self.twice.push(what);
                }
            }
        }
        // A cause is named with confidence only where the log shows one.
        let shows_cause = log.failure.iter().any(|t| t.cause.is_some());
        for finding in &d.findings {
            if finding.confidence != "possible" && !shows_cause {
                self.unfounded.push(format!(
                    "{name}: {} ({})",
                    finding.rule_id, finding.confidence
                ));
            }
        }
    }

    fn precision(&self) -> f64 {
        let wrong = self.false_faults.len() + self.twice.len();
        if self.reported == 0 {
            1.0
        } else {
            (self.reported - wrong) as f64 / self.reported as f64
        }
    }

    fn recall(&self) -> f64 {
        if self.real == 0 {
            1.0
        } else {
            self.found as f64 / self.real as f64
        }
    }

    fn check(&self) {
        let report = format!(
            "{} faults reported, {} real, {} found; precision {:.3}, recall {:.3}\n\
             false faults: {:#?}\nmissed: {:#?}\nreported twice: {:#?}\nunfounded causes: {:#?}",
            self.reported,
            self.real,
            self.found,
            self.precision(),
            self.recall(),
            self.false_faults,
            self.missed,
            self.twice,
            self.unfounded,
        );
        // The score, for `--nocapture` (closing notes quote it before and after a change).
        eprintln!("{}", report.lines().next().unwrap_or_default());
        assert!(self.precision() >= 0.95, "{report}");
        assert!(self.recall() >= 0.95, "{report}");
        assert!(self.twice.is_empty(), "{report}");
        assert!(self.unfounded.is_empty(), "{report}");
    }
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn truth(file: &str) -> Truth {
    let text = std::fs::read_to_string(corpus().join(file)).unwrap();
    toml::from_str(&text).unwrap()
}

/// Diagnoses each log of `truth` found under `dir` and scores it.
fn score(truth: &Truth, dir: &Path) -> Score {
    let mut score = Score::default();
    for log in &truth.log {
        let path = dir.join(&log.file);
        let d = diagnose_paths(&[&path], &Options::default()).unwrap();
        score.add(&log.file, log, &d);
        if log.healthy {
            healthy(&log.file, log, &d);
        }
    }
    score
}

/// A healthy log reports no fault and says what succeeded.
fn healthy(name: &str, log: &Log, d: &Diagnosis) {
    assert!(d.faults.is_empty(), "{name}: {:#?}", d.faults);
    let client = &d.clients[0];
    assert!(
        client.scans_succeeded >= log.scans_ok,
        "{name}: {} scans succeeded, the log shows {}",
        client.scans_succeeded,
        log.scans_ok
    );
    // Words, not lines: the report wraps long lines where a path is long.
    let text = d.to_text();
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("VERDICT No update failure found."), "{text}");
    let said = format!("no failure; {} scan", client.scans_succeeded);
    assert!(
        words.contains(&said),
        "{name}: the report does not say {said:?}:\n{text}"
    );
}

#[test]
fn real_excerpts_precision_and_recall() {
    let truth = truth("truth.toml");
    assert!(
        truth.log.len() >= 12,
        "the corpus holds {} logs",
        truth.log.len()
    );
    assert!(truth.log.iter().any(|l| l.healthy) && truth.log.iter().any(|l| !l.healthy));
    score(&truth, &corpus()).check();
}

#[test]
fn real_full_logs_precision_and_recall_where_present() {
    let Some(dir) = std::env::var_os("WSUSDIAG_FULL_CORPUS") else {
        eprintln!("WSUSDIAG_FULL_CORPUS is not set: the full logs are not measured");
        return;
    };
    let truth = truth("full-logs.toml");
    let s = score(&truth, Path::new(&dir));
    eprintln!(
        "full logs: {} faults, {} real, {} found; precision {:.3}, recall {:.3}",
        s.reported,
        s.real,
        s.found,
        s.precision(),
        s.recall()
    );
    eprintln!(
        "false: {:?}\nmissed: {:?}\ntwice: {:?}\nunfounded: {:?}",
        s.false_faults, s.missed, s.twice, s.unfounded
    );
    s.check();
}
