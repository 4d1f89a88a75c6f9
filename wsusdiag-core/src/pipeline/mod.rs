//! The reading pipeline: each input once, from bytes to an owned analysis (which log it is, how
//! it was read, and what matters in it: client faults, server faults and errors), a large log
//! in chunks on all cores. Inputs are independent; joining them happens afterwards.

mod chunks;
pub(crate) mod client;
mod configmgr;
mod configmgr_site;
pub(crate) mod etl;
mod file;
mod found;
mod outcomes;
pub(crate) mod server;
mod server_text;
mod server_windows;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

use chunks::{InMemory, WindowError, Windows};

use crate::error::ProblemKind;
use crate::error::{ParseError, excerpt_to};
use crate::input::{
    LogKind, NotALog, SNIFF_BYTES, TextEncoding, decode, is_clean, sniff, unwrap, utf8_head,
};
use crate::knowledge::rules::LineMatcher;
use crate::records::{ClientFormat, ServerRecords};
pub(crate) use file::analyze_file;
pub(crate) use found::Quoted;
pub use found::{Cause, Evidence, InputSummary, Problem};

/// Bytes of a server log read between two calls to a [`ReadDone`].
const READ_DONE_STEP: usize = 4 << 20;

/// Problems kept per input.
const PROBLEMS_CAP: usize = 20;

/// Longest evidence line kept: a whole `ThrowException` line with its client ID fits.
pub(crate) const EVIDENCE_TEXT_CAP: usize = 480;

/// Cuts evidence text to a readable length.
pub(crate) fn cut(text: &str) -> String {
    excerpt_to(text.trim_end(), EVIDENCE_TEXT_CAP)
}

/// [`cut`], shared: text short enough is copied once, straight into the shared buffer.
pub(crate) fn cut_shared(text: &str) -> Arc<str> {
    let text = text.trim_end();
    if text.len() <= EVIDENCE_TEXT_CAP {
        Arc::from(text)
    } else {
        Arc::from(excerpt_to(text, EVIDENCE_TEXT_CAP))
    }
}

/// What one input turned out to be.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Body {
    Client(Box<client::ClientAnalysis>),
    Server(server::ServerAnalysis),
    /// Not a log wsusdiag reads.
    Unknown,
}

/// One input, read.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Analysis {
    pub summary: InputSummary,
    pub body: Body,
}

/// Called with each part of an input's bytes that its reader is done with (a window of chunks
/// of a client log, a few megabytes of a server log); returns whether to go on. The reader
/// stops where it is when it returns false (the caller cancelled), keeping what it read.
pub(crate) type ReadDone<'a> = &'a (dyn Fn(&[u8]) -> bool + Sync);

/// Where `part`, a slice of `text`, ends within it.
fn end_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize - text.as_ptr() as usize) + part.len()
}

fn problem(e: &ParseError) -> Problem {
    Problem {
        line: e.position.line,
        column: e.position.column,
        kind: e.kind.into(),
        message: e.kind.describe().to_owned(),
        text: e.text.clone(),
    }
}

/// The summary of an input before it is read: `bytes` long, in `encoding`, kind unknown.
pub(crate) fn unread(name: &str, bytes: u64, encoding: TextEncoding) -> InputSummary {
    InputSummary {
        path: name.to_owned(),
        kind: None,
        encoding,
        bytes,
        records: 0,
        malformed_lines: 0,
        repairs: Vec::new(),
        problems: Vec::new(),
    }
}

/// A problem of a whole input, not of one of its lines.
pub(crate) fn whole_input_problem(kind: ProblemKind, message: String) -> Problem {
    Problem {
        line: 0,
        column: 0,
        kind,
        message,
        text: String::new(),
    }
}

/// Reads the client records of `text` into an analysis, counting them in `summary`; or, when
/// part of `text` is not UTF-8 after all or cannot be read, returns why and leaves `summary`
/// as it was.
fn client_text<'t>(
    name: &str,
    text: &mut impl Windows<'t>,
    format: ClientFormat,
    lines: &LineMatcher,
    (parallel, read_done): (bool, ReadDone<'_>),
    summary: &mut InputSummary,
) -> Result<client::ClientAnalysis, WindowError> {
    let mut a = client::ClientAnalyzer::new(name, format, &lines.benign);
    let cap = PROBLEMS_CAP.saturating_sub(summary.problems.len());
    let chunking = (parallel, chunks::CHUNK_BYTES);
    let counts = chunks::read_client(text, format, lines, &mut a, chunking, read_done, cap)?;
    summary.records += counts.records;
    summary.malformed_lines += counts.malformed;
    summary.problems.extend(counts.errors.iter().map(problem));
    // Empty, or ending with a line break.
    let ends_cleanly = matches!(text.last_byte(), None | Some(b'\n' | b'\r'));
    if !ends_cleanly && summary.problems.len() < PROBLEMS_CAP {
        summary.problems.push(whole_input_problem(
            ProblemKind::Truncated,
            "the input ends without a line break: its last entry may be cut".to_owned(),
        ));
    }
    Ok(a.finish())
}

fn note(summary: &mut InputSummary, e: &ParseError) {
    summary.malformed_lines += 1;
    if summary.problems.len() < PROBLEMS_CAP {
        summary.problems.push(problem(e));
    }
}

/// Reads a set of `.etl` traces of one machine as one client log.
pub(crate) fn analyze_etl(
    name: &str,
    files: &[(&str, &[u8])],
    lines: &LineMatcher,
    parallel: bool,
) -> Analysis {
    let mut traces = etl::read(files);
    let bytes = files.iter().map(|(_, b)| b.len() as u64).sum();
    let mut summary = unread(name, bytes, TextEncoding::Binary);
    summary.kind = Some(LogKind::ClientEtl);
    summary.problems = std::mem::take(&mut traces.problems);
    summary.problems.truncate(PROBLEMS_CAP);
    if traces.events.is_empty() {
        summary.kind = None;
        return Analysis {
            summary,
            body: Body::Unknown,
        };
    }
    summary.records = traces.events.len() as u64;
    let a = traces.analyze(name, lines, (parallel, chunks::RUN_RECORDS));
    Analysis {
        summary,
        body: Body::Client(Box::new(a)),
    }
}

/// A log whose head (the start of `bytes`) is clean UTF-8 (no paste to unwrap): its encoding,
/// its kind and its text after any byte order mark. A classic or Windows 10 client log, or a
/// server log, in a file is read a window at a time, each checked for UTF-8 as it is read.
fn clean_utf8(bytes: &[u8]) -> Option<(TextEncoding, LogKind, &[u8])> {
    let (encoding, body, head) = utf8_head(bytes, SNIFF_BYTES)?;
    if !is_clean(head) {
        return None;
    }
    sniff(head).ok().map(|kind| (encoding, kind, body))
}

/// [`clean_utf8`], for a classic or Windows 10 client log only.
fn utf8_client(bytes: &[u8]) -> Option<(TextEncoding, LogKind, &[u8])> {
    clean_utf8(bytes)
        .filter(|(_, kind, _)| matches!(kind, LogKind::ClientClassic | LogKind::ClientWin10))
}

/// Reads one input: decodes, sniffs, parses and analyses it.
/// `lines` are the rules' line patterns, matched against every client log message; a client
/// log is read on all cores when `parallel`. The parts of `bytes` read are handed to `read_done`, which stops the read when it returns false.
pub(crate) fn analyze(
    name: &str,
    bytes: &[u8],
    lines: &LineMatcher,
    parallel: bool,
    read_done: ReadDone<'_>,
) -> Analysis {
    // Most client logs are UTF-8 from start to end: when the head is, the rest is checked
    // chunk by chunk as it is read, on all cores, and never all in memory at once. A chunk that
    // is not UTF-8 sends the whole input down the common path.
    if !crate::etl::is_etl(bytes)
        && let Some((encoding, kind, body)) = utf8_client(bytes)
    {
        let mut summary = unread(name, bytes.len() as u64, encoding);
        summary.kind = Some(kind);
        let format = ClientFormat::of(kind);
        if let Ok(a) = client_text(
            name,
            &mut InMemory::new(body),
            format,
            lines,
            (parallel, read_done),
            &mut summary,
        ) {
            return Analysis {
                summary,
                body: Body::Client(Box::new(a)),
            };
        }
    }
    analyze_whole(name, bytes, lines, (parallel, read_done))
}

/// [`analyze`] without trying first to read `bytes` as a clean UTF-8 client log: for an input
/// already found not to be one, at its head or further on. The last argument is `parallel`
/// and `read_done`, as for [`analyze`].
pub(crate) fn analyze_whole(
    name: &str,
    bytes: &[u8],
    lines: &LineMatcher,
    (parallel, read_done): (bool, ReadDone<'_>),
) -> Analysis {
    if crate::etl::is_etl(bytes) {
        return analyze_etl(name, &[(name, bytes)], lines, parallel);
    }
    let decoded = decode(bytes);
    let unwrapped = unwrap(&decoded.text);
    let text: &str = &unwrapped.text;
    let mut summary = unread(name, bytes.len() as u64, decoded.encoding);
    summary.repairs = unwrapped.repairs;
    if decoded.cut_character {
        summary.problems.push(whole_input_problem(
            ProblemKind::Truncated,
            "the input ends inside a character: it was cut".to_owned(),
        ));
    }
    let kind = match sniff(text) {
        Ok(kind) => kind,
        Err(reason) => {
            // Text that unwrapping took whole for prose around a paste is no log, not empty.
            let reason = if text.trim().is_empty() && !decoded.text.trim().is_empty() {
                NotALog::OnlyProse
            } else {
                reason
            };
            summary.problems.push(whole_input_problem(
                ProblemKind::UnknownFormat,
                format!("not a Windows Update or WSUS log: {reason}"),
            ));
            return Analysis {
                summary,
                body: Body::Unknown,
            };
        }
    };
    summary.kind = Some(kind);
    let body = match kind {
        LogKind::Server | LogKind::ServerFragment => {
            let mut a = server::ServerAnalyzer::new(name);
            // The analysis keeps nothing of the text, so it is released as it is read.
            let mut released = 0;
            let records = if kind == LogKind::ServerFragment {
                ServerRecords::fragment(text)
            } else {
                ServerRecords::new(text)
            };
            for r in records {
                if let Ok(record) = &r
                    && record.offset - released >= READ_DONE_STEP
                {
                    if !read_done(&text.as_bytes()[released..record.offset]) {
                        break;
                    }
                    released = record.offset;
                }
                server_windows::take(&mut a, &mut summary, text, r, (0, 0));
            }
            Body::Server(a.finish())
        }
        LogKind::ClientConfigMgr => {
            Body::Client(Box::new(configmgr::client(name, text, lines, &mut summary)))
        }
        LogKind::ServerConfigMgr => Body::Server(configmgr_site::analyze(name, text, &mut summary)),
        LogKind::ClientClassic
        | LogKind::ClientWin10
        | LogKind::ClientEtl
        | LogKind::ClientFragment => {
            let read = client_text(
                name,
                &mut InMemory::new(text.as_bytes()),
                ClientFormat::of(kind),
                lines,
                (parallel, read_done),
                &mut summary,
            );
            match read {
                Ok(a) => Body::Client(Box::new(a)),
                // Not met with text in memory, decoded already; said, not hidden, if it were.
                Err(e) => {
                    let why = format!("cannot be read: {e}");
                    summary
                        .problems
                        .push(whole_input_problem(ProblemKind::Unreadable, why));
                    Body::Unknown
                }
            }
        }
    };
    Analysis { summary, body }
}
