//! `.etl` traces as a client log: the Windows Update events of one machine's traces, in time
//! order, read as the records of a Windows 10 log (times in exact UTC), so the events and the
//! rules work on them unchanged. A record's "line" is the event's number among the Windows
//! Update events.

use super::Problem;
use super::chunks;
use super::client::{ClientAnalysis, ClientAnalyzer};
use crate::error::ProblemKind;
use crate::etl::{self, EtlIssueKind};
use crate::knowledge::rules::LineMatcher;
use crate::records::{ClientFormat, ClientRecord, TraceEvents};

/// The Windows Update events of a set of traces, and what reading them found.
#[derive(Debug, Default)]
pub(crate) struct Traces {
    /// The Windows Update events, in time order.
    pub events: TraceEvents,
    /// What each trace reported: WPP, other providers, events lost, cut buffers.
    pub problems: Vec<Problem>,
}

/// Reads the traces of one machine: their Windows Update events and messages.
pub(crate) fn read(files: &[(&str, &[u8])]) -> Traces {
    let set = etl::read_many(files);
    let mut out = Traces::default();
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
    out.events = TraceEvents::collect(set.events);
    if out.events.is_empty() && !set.files.is_empty() {
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

impl Traces {
    /// Reads the events into the analysis of a client log named `name`, in runs of `run` events
    /// ([`chunks::RUN_RECORDS`] but in tests), on all cores when `parallel`. `lines` are the
    /// rules' line patterns.
    pub(crate) fn analyze(
        &self,
        name: &str,
        lines: &LineMatcher,
        (parallel, run): (bool, usize),
    ) -> ClientAnalysis {
        let records: Vec<ClientRecord<'_>> = self.events.records().collect();
        let mut entries = String::new();
        let mut a = ClientAnalyzer::new(name, ClientFormat::Win10, &lines.benign);
        let write_entry = |r: &ClientRecord<'_>, out: &mut String| self.events.write_entry(r, out);
        chunks::read_records(
            self.events.messages(),
            &records,
            lines,
            &mut a,
            (parallel, run),
            (&mut entries, write_entry),
        );
        let mut a = a.finish();
        a.utc = true;
        a
    }
}

#[cfg(test)]
mod tests {
    use super::super::{client_text, unread};
    use super::*;
    use crate::etl::utc_to_filetime;
    use crate::etl::writer::Writer;
    use crate::input::TextEncoding;
    use crate::knowledge::rules::RuleSet;
    use crate::records::ClientRecords;

    /// A trace of one Windows Update event per record of the client log `text`, at its time
    /// (the time before when it has none).
    fn trace_of(text: &str, format: ClientFormat) -> Vec<u8> {
        let records: Vec<_> = ClientRecords::new(text, format).flatten().collect();
        let mut w = Writer::new();
        w.buffer_size = 1 << 16;
        let mut time = records.iter().find_map(|r| r.time).unwrap();
        w.start_filetime = utc_to_filetime(time) - 10_000_000;
        for r in &records {
            time = r.time.unwrap_or(time);
            let raw = w.start_raw + utc_to_filetime(time) - w.start_filetime;
            let component = if r.component.is_empty() {
                "Misc"
            } else {
                r.component
            };
            let (pid, tid) = (r.pid.unwrap_or(1), r.tid.unwrap_or(2));
            let event = w.wu_record(raw, pid, tid, component, r.message);
            w.push(&event);
        }
        w.finish()
    }

    #[test]
    fn a_trace_reads_as_its_get_windows_update_log_text_would() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
        let mut logs = vec![(
            "kb954960".to_owned(),
            crate::sample::KB954960_CLIENT.to_vec(),
            ClientFormat::Classic,
        )];
        for (dir, format) in [
            ("win10", ClientFormat::Win10),
            ("classic", ClientFormat::Classic),
        ] {
            let mut paths: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            paths.sort();
            for path in paths {
                logs.push((
                    path.display().to_string(),
                    std::fs::read(&path).unwrap(),
                    format,
                ));
            }
        }
        assert!(logs.len() > 10, "{}", logs.len());
        let lines = LineMatcher::new(&RuleSet::builtin());
        // Faults, and idle gaps (which runs of one event only find from the event before).
        let (mut faults, mut gaps) = (0, 0);
        for (name, bytes, format) in &logs {
            let trace = trace_of(&String::from_utf8_lossy(bytes), *format);
            let traces = read(&[(name, &trace)]);
            // The events as `Get-WindowsUpdateLog` text, read as a Windows 10 log.
            let text = traces.events.text();
            let mut summary = unread(name, 0, TextEncoding::Binary);
            let mut expected = client_text(
                name,
                &mut chunks::InMemory::new(text.as_bytes()),
                ClientFormat::Win10,
                &lines,
                (false, &|_| true),
                &mut summary,
            )
            .unwrap();
            expected.utc = true;
            assert_eq!(
                (summary.records, summary.malformed_lines),
                (traces.events.len() as u64, 0)
            );
            assert!(
                summary.problems.is_empty(),
                "{name}: {:?}",
                summary.problems
            );
            faults += expected.faults.len();
            let times: Vec<_> = traces.events.records().filter_map(|r| r.time).collect();
            gaps += times
                .windows(2)
                .filter(|t| (t[1] - t[0]).num_seconds() > 600)
                .count();
            let expected = format!("{expected:?}");
            for run in [1, 7, 100, chunks::RUN_RECORDS] {
                for parallel in [false, true] {
                    let got = format!("{:?}", traces.analyze(name, &lines, (parallel, run)));
                    assert!(got == expected, "{name}, runs of {run}, {parallel}");
                }
            }
        }
        assert!(faults > 5 && gaps > 5, "{faults} faults, {gaps} idle gaps");
    }
}
