//! Wrapping a valid log the way people paste it (markdown, HTML, e-mail quotes, line numbers,
//! prose around it), joining its records or putting blank lines between them gives the same
//! faults, codes and findings as the log itself.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wsusdiag_core::diagnosis::LogKind;
use wsusdiag_core::events::codes;
use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::{Diagnosis, Options, diagnose_buffers};

/// The logs of the test corpus, by case: the bundled sample and every rule fixture that hits.
fn corpus() -> Vec<Vec<(String, Vec<u8>)>> {
    let mut cases = vec![vec![
        (
            "WindowsUpdate.log".to_owned(),
            wsusdiag_core::sample::KB954960_CLIENT.to_vec(),
        ),
        (
            "SoftwareDistribution.log".to_owned(),
            wsusdiag_core::sample::KB954960_SERVER.to_vec(),
        ),
    ]];
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(rules)
        .expect("fixtures")
        .map(|e| e.expect("entry").path().join("hit"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .expect("hit")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).expect("log"))
            })
            .collect();
        files.sort();
        // A fixture of other files (traces, say) is no text to wrap.
        if !files.is_empty() {
            cases.push(files);
        }
    }
    cases
}

/// What must not change: the distinct faults (code, fault ID, SOAP ErrorCode, the server fault
/// joined), and the known issues found. How many lines make one fault, and which method a
/// fault is put down to, rest on the client fault model (being reworked on its own), so they
/// are not compared.
fn fingerprint(d: &Diagnosis) -> (Vec<String>, Vec<String>) {
    let mut faults: Vec<String> = d
        .faults
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {:?} {:?}",
                f.client.hresult,
                f.client.fault_id,
                f.client.error_code,
                f.server.as_ref().map(|s| &s.throw_id)
            )
        })
        .collect();
    faults.sort();
    faults.dedup();
    let mut rules: Vec<String> = d.findings.iter().map(|f| f.rule_id.clone()).collect();
    rules.sort();
    rules.dedup();
    (faults, rules)
}

/// The failure codes of every record of the logs (messages and continuation lines).
fn codes_read(files: &[(String, Vec<u8>)]) -> Vec<u32> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let log = Log::from_bytes(name.clone(), bytes.clone()).expect("a log");
        for record in log.records().flatten() {
            let texts = match record {
                Record::Client(r) => [r.message, ""],
                Record::Server(r) => [r.message, r.continuation],
            };
            for t in texts {
                out.extend(codes(t).filter(|c| c & 0x8000_0000 != 0));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn diagnose(files: &[(String, Vec<u8>)]) -> Diagnosis {
    let buffers: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    diagnose_buffers(&buffers, &Options::default()).expect("diagnose")
}

/// How a paste wraps a log.
#[derive(Clone, Copy, Debug)]
enum Wrapper {
    /// A question before, a fence, the log, the fence, a signature.
    MarkdownFence,
    /// Every line behind `> `, the way markdown and e-mail quote.
    Quoted,
    /// Quoted twice, as a reply to a reply.
    EmailReply,
    /// In a `<pre>` block, with `&`, `<`, `>` and `"` as HTML entities.
    HtmlPre,
    /// A paste site's line numbers (`12: `).
    LineNumbers,
    /// Two trailing spaces on every line (markdown hard breaks).
    HardBreaks,
    /// A fence indented under a list item.
    ListFence,
}

const WRAPPERS: [Wrapper; 7] = [
    Wrapper::MarkdownFence,
    Wrapper::Quoted,
    Wrapper::EmailReply,
    Wrapper::HtmlPre,
    Wrapper::LineNumbers,
    Wrapper::HardBreaks,
    Wrapper::ListFence,
];

fn wrap(text: &str, w: Wrapper) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let each = |f: &dyn Fn(usize, &str) -> String| -> String {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| f(i, l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match w {
        Wrapper::MarkdownFence => format!(
            "Hi all, our clients stopped getting updates. Here is the log:\n\n```\n{text}\n```\n\nAny idea? Thanks, Bob\n"
        ),
        Wrapper::Quoted => each(&|_, l| format!("> {l}")) + "\n",
        Wrapper::EmailReply => {
            format!(
                "On Monday, Alice wrote:\n{}\n",
                each(&|_, l| format!("> > {l}"))
            )
        }
        Wrapper::HtmlPre => {
            let escaped = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            format!("<p>The log:</p>\n<pre>{}</pre>\n", escaped.trim_end())
        }
        Wrapper::LineNumbers => each(&|i, l| format!("{}: {l}", i + 1)) + "\n",
        Wrapper::HardBreaks => each(&|_, l| format!("{l}  ")) + "\n",
        Wrapper::ListFence => format!(
            "1. Check the log for entries like these:\n\n   ```output\n{}\n   ```\n\n1. Then run the scan again.\n",
            each(&|_, l| format!("   {l}"))
        ),
    }
}

/// Joins the record after each of `at` (line indexes) onto the line before it, as a lost line
/// break does, when both lines start an entry.
fn join_records(text: &str, at: &[usize]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let starts = |l: &str| l.starts_with(|c: char| c.is_ascii_digit());
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            let joined = at.contains(&i) && starts(l) && starts(lines[i - 1]);
            out.push(if joined { ' ' } else { '\n' });
        }
        out.push_str(l);
    }
    out.push('\n');
    out
}

/// Puts a blank line after each of `at` (line indexes).
fn blank_lines(text: &str, at: &[usize]) -> String {
    let mut out = String::new();
    for (i, l) in text.lines().enumerate() {
        out.push_str(l);
        out.push('\n');
        if at.contains(&i) {
            out.push('\n');
        }
    }
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Each wrapper, on every log of every case, leaves its diagnosis as it was.
#[test]
fn wrapped_logs_read_as_the_logs() {
    let mut wrong = Vec::new();
    for files in corpus() {
        let clean = fingerprint(&diagnose(&files));
        for w in WRAPPERS {
            let wrapped: Vec<(String, Vec<u8>)> = files
                .iter()
                .map(|(n, b)| (n.clone(), wrap(&text(b), w).into_bytes()))
                .collect();
            let d = diagnose(&wrapped);
            let unread = d.inputs.iter().any(|i| i.kind.is_none());
            let got = fingerprint(&d);
            if codes_read(&wrapped) != codes_read(&files) {
                wrong.push(format!("{:?} {w:?}: codes differ", files[0].0));
            }
            if unread || got != clean {
                wrong.push(format!("{:?} {w:?}: {got:?}, not {clean:?}", files[0].0));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Two wrappers, one inside the other, on every log of a case, leave its diagnosis as it
    /// was.
    #[test]
    fn doubly_wrapped_logs_read_as_the_logs(
        case in 0usize..64,
        inner in proptest::sample::select(WRAPPERS.to_vec()),
        outer in proptest::sample::select(WRAPPERS.to_vec()),
    ) {
        let all = corpus();
        let files = &all[case % all.len()];
        let clean = fingerprint(&diagnose(files));
        let wrapped: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, b)| (n.clone(), wrap(&wrap(&text(b), inner), outer).into_bytes()))
            .collect();
        prop_assert_eq!(fingerprint(&diagnose(&wrapped)), clean, "{:?} in {:?}", inner, outer);
    }

    /// Records joined on one line, or blank lines between them, leave the diagnosis as it was.
    #[test]
    fn joined_records_and_blank_lines(
        case in 0usize..64,
        joins in proptest::collection::vec(1usize..200, 0..6),
        blanks in proptest::collection::vec(0usize..200, 0..6),
    ) {
        let all = corpus();
        let files = &all[case % all.len()];
        let clean = fingerprint(&diagnose(files));
        let damaged: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(n, b)| (n.clone(), blank_lines(&join_records(&text(b), &joins), &blanks).into_bytes()))
            .collect();
        prop_assert_eq!(fingerprint(&diagnose(&damaged)), clean);
        prop_assert_eq!(codes_read(&damaged), codes_read(files));
    }
}

#[test]
#[ignore = "exhaustive: every pair of wrappers on every case (run by hand)"]
fn every_pair_of_wrappers() {
    let mut wrong = Vec::new();
    for files in corpus() {
        let clean = fingerprint(&diagnose(&files));
        for inner in WRAPPERS {
            for outer in WRAPPERS {
                let wrapped: Vec<(String, Vec<u8>)> = files
                    .iter()
                    .map(|(n, b)| (n.clone(), wrap(&wrap(&text(b), inner), outer).into_bytes()))
                    .collect();
                let got = fingerprint(&diagnose(&wrapped));
                if got != clean {
                    wrong.push(format!(
                        "{:?} {inner:?} in {outer:?}: {got:?}, not {clean:?}",
                        files[0].0
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A case's logs, by name.
type Case = Vec<(String, Vec<u8>)>;

/// How a header is printed, from the captures of [`reheader`]'s pattern.
type Printer<'a> = &'a dyn Fn(&regex::Captures<'_>) -> String;

/// The Windows 10 logs of the corpus: each case with the index of its Windows 10 log.
fn win10_cases() -> Vec<(Case, usize)> {
    let mut out = Vec::new();
    for files in corpus() {
        for (i, (name, bytes)) in files.iter().enumerate() {
            let log = Log::from_bytes(name.clone(), bytes.clone()).expect("a log");
            if log.kind() == LogKind::ClientWin10 {
                out.push((files.clone(), i));
            }
        }
    }
    out
}

/// Rewrites each entry header of a Windows 10 text as `f(pid, tid, date, time, fraction,
/// component)` would print it, the message after it; other lines are kept.
fn reheader(text: &str, f: Printer<'_>) -> String {
    let header = regex::Regex::new(
        r"^(\d{4})/(\d{2})/(\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{7}) +(\d+) +(\d+) +([A-Za-z]+) +(.*)$",
    )
    .expect("pattern");
    text.lines()
        .map(|l| match header.captures(l) {
            Some(c) => format!("{}{}", f(&c), &c[9]),
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn hex(n: &str) -> String {
    format!("{:04X}", n.parse::<u32>().expect("a decimal ID"))
}

/// The same entries as `tracefmt` prints them (`[0]0A1C.0F3C::2024-03-05 10:12:44.1230000
/// [Agent]…`, and with its default `MM/DD/YYYY-` date) give the same diagnosis.
#[test]
fn trace_formatter_lines_read_as_the_log() {
    let styles: [(&str, Printer<'_>); 2] = [
        ("iso date", &|c| {
            let (y, m, d, t, fr) = (&c[1], &c[2], &c[3], &c[4], &c[5]);
            format!(
                "[0]{}.{}::{y}-{m}-{d} {t}.{fr} [{}]",
                hex(&c[6]),
                hex(&c[7]),
                &c[8]
            )
        }),
        ("tracefmt date", &|c| {
            let (y, m, d, t, fr) = (&c[1], &c[2], &c[3], &c[4], &c[5]);
            format!(
                "[1]{}.{}::{m}/{d}/{y}-{t}.{fr} [{}] ",
                hex(&c[6]),
                hex(&c[7]),
                &c[8]
            )
        }),
    ];
    let cases = win10_cases();
    assert!(!cases.is_empty(), "the corpus has Windows 10 logs");
    let mut wrong = Vec::new();
    for (files, at) in cases {
        let clean = fingerprint(&diagnose(&files));
        for (style, f) in styles {
            let mut traced = files.clone();
            traced[at].1 = reheader(&text(&files[at].1), f).into_bytes();
            assert_ne!(traced[at].1, files[at].1, "{style}: nothing rewritten");
            let d = diagnose(&traced);
            let got = fingerprint(&d);
            if got != clean || d.inputs.iter().any(|i| i.kind.is_none()) {
                wrong.push(format!("{} {style}: {got:?}, not {clean:?}", files[at].0));
            }
            let input = d
                .inputs
                .iter()
                .find(|i| i.path == files[at].0)
                .expect("input");
            assert_eq!(input.kind, Some(LogKind::ClientWin10));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The messages of a Windows 10 log, each after its component in brackets and without a date
/// (`[DownloadManager] …`), are a client fragment with the same failure codes (or a ConfigMgr
/// client log, for the fixture whose last line is `WUAHandler.log`'s policy-conflict line).
#[test]
fn bracketed_components_read_as_a_fragment() {
    for (files, at) in win10_cases() {
        let (name, bytes) = &files[at];
        let bracketed = reheader(&text(bytes), &|c| format!("[{}] ", &c[8]));
        let pasted = vec![(name.clone(), bracketed.into_bytes())];
        let d = diagnose(&pasted);
        let kind = d.inputs[0].kind;
        assert!(
            matches!(
                kind,
                Some(LogKind::ClientFragment | LogKind::ClientConfigMgr)
            ),
            "{name}: {kind:?}"
        );
        assert!(
            d.inputs[0]
                .repairs
                .iter()
                .any(|r| r == "took brackets off components"),
            "{name}: {:?}",
            d.inputs[0].repairs
        );
        assert_eq!(codes_read(&pasted), codes_read(&files[at..=at]), "{name}");
    }
}
