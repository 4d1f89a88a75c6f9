//! `.etl` traces as a client log: the Windows Update events of one machine's traces, in time
//! order, rendered once as `Get-WindowsUpdateLog` lines (but in exact UTC), so the Windows 10
//! record parser, the events and the rules work on them unchanged. A record's "line" is the
//! event's number among the Windows Update events.

use crate::diagnosis::{Problem, ProblemKind};
use crate::etl::{self, EtlIssueKind};

/// The Windows Update events of a set of traces, as text.
#[derive(Debug, Default)]
pub(crate) struct RenderedEtl {
    pub text: String,
    /// Windows Update events rendered.
    pub events: u64,
    /// What each trace reported: WPP, other providers, events lost, cut buffers.
    pub problems: Vec<Problem>,
}

/// Reads the traces of one machine and renders their Windows Update events.
pub(crate) fn render(files: &[(&str, &[u8])]) -> RenderedEtl {
    let set = etl::read_many(files);
    let mut out = RenderedEtl::default();
    let mut line = String::new();
    for event in set.events.iter().filter(|e| e.is_windows_update()) {
        line.clear();
        event.write_log_line(&mut line);
        let body = line.trim_end_matches(['\n', '\r']);
        if body.contains(['\n', '\r']) {
            out.text.push_str(&body.replace(['\n', '\r'], " "));
        } else {
            out.text.push_str(body);
        }
        out.text.push('\n');
        out.events += 1;
    }
    for file in &set.files {
        for issue in &file.issues {
            let kind = match issue.kind {
                EtlIssueKind::NotEtl => ProblemKind::UnknownFormat,
                EtlIssueKind::Wpp => ProblemKind::NeedsSymbols,
                EtlIssueKind::OtherProvider => ProblemKind::OtherProvider,
                EtlIssueKind::EventsLost => ProblemKind::EventsLost,
                EtlIssueKind::TruncatedBuffer => ProblemKind::Truncated,
                EtlIssueKind::UnknownFieldType => ProblemKind::UnknownFieldType,
                EtlIssueKind::TooLarge => ProblemKind::TooLarge,
                _ => ProblemKind::BadRecord,
            };
            let prefix = if files.len() > 1 {
                format!("{}: ", file.name)
            } else {
                String::new()
            };
            out.problems.push(Problem {
                line: 0,
                column: 0,
                kind,
                message: format!("{prefix}{}", issue.message),
                text: format!("byte offset {}", issue.offset),
            });
        }
    }
    if out.events == 0 && !set.files.is_empty() {
        let providers: Vec<String> = set
            .files
            .iter()
            .map(|f| f.provider_summary())
            .filter(|s| !s.is_empty())
            .collect();
        out.problems.push(Problem {
            line: 0,
            column: 0,
            kind: ProblemKind::NoWindowsUpdateEvents,
            message: if providers.is_empty() {
                "no Windows Update event could be decoded from this trace".to_owned()
            } else {
                format!(
                    "no Windows Update event in this trace; it holds: {}",
                    providers.join("; ")
                )
            },
            text: String::new(),
        });
    }
    out
}
