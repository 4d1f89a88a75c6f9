//! A server log's records into its analyzer, one at a time: from its whole text, or from a
//! UTF-8 file read a window of whole lines at a time (as a client log is), so that a server
//! log of any size is read with one window and the entry it ends with in memory.
//!
//! A window may end inside an entry (its stack trace goes on in the next one): the line that
//! entry starts on, and all after it, are read again at the start of the next window.

use super::chunks::WindowError;
use super::server::ServerAnalyzer;
use super::{InputSummary, PROBLEMS_CAP, Problem, ReadDone, end_in, note};
use crate::error::{ParseError, ProblemKind};
use crate::input::LineParts;
use crate::records::{ServerRecord, ServerRecords};

/// Bytes of whole lines read at a time: like a client log's window, small enough to be parsed
/// while it is still in the cache.
pub(super) const WINDOW_BYTES: usize = 2 << 20;

/// Hands one record of `text` (or its parse error), read from a part of a log that starts
/// after `lines` lines and `bytes` bytes, to `analyzer`, and counts it in `summary`.
pub(super) fn take(
    analyzer: &mut ServerAnalyzer,
    summary: &mut InputSummary,
    text: &str,
    read: Result<ServerRecord<'_>, ParseError>,
    (lines, bytes): (u32, usize),
) {
    match read {
        Ok(mut record) => {
            let entry = &text[record.offset..end_in(text, record.message)];
            record.shift(lines, bytes);
            summary.records += 1;
            analyzer.push(&record, entry);
            if record.truncated && summary.problems.len() < PROBLEMS_CAP {
                summary.problems.push(Problem {
                    line: record.end_line,
                    column: 1,
                    kind: ProblemKind::Truncated,
                    message:
                        "the input ends inside this entry: it was cut or is still being written"
                            .to_owned(),
                    text: super::cut(entry),
                });
            }
        }
        Err(mut e) => {
            e.position.shift(lines, bytes);
            note(summary, &e);
        }
    }
}

/// Reads the server log `parts` reads, from where it is, into `analyzer` a window of about
/// `window` bytes ([`WINDOW_BYTES`] but in tests) at a time, counting in `summary`; each window
/// taken is handed to `read_done`, which stops the read when it returns false. A window that is
/// not UTF-8 stops the read with [`WindowError::NotUtf8`]: the analyzer is then half fed, to be
/// dropped, and the log read whole.
pub(super) fn read_windows(
    parts: &mut LineParts,
    analyzer: &mut ServerAnalyzer,
    summary: &mut InputSummary,
    (window, read_done): (usize, ReadDone<'_>),
) -> Result<(), WindowError> {
    let window = window.max(1);
    let mut want = window;
    let mut spare = Vec::new();
    // Lines and bytes of the log before the window.
    let (mut lines, mut bytes) = (0u32, 0usize);
    while let Some(mut part) = parts.next(spare, want).map_err(WindowError::Read)? {
        let last = parts.is_done();
        let text = std::str::from_utf8(&part).map_err(WindowError::NotUtf8)?;
        let read: Vec<_> = ServerRecords::new(text).collect();
        // The entry that may go on in the next window starts on the line of the last entry (a
        // line may hold two entries joined): that line and the rest wait for the next window.
        let going_on = (!last)
            .then(|| read.iter().rev().find_map(|r| r.as_ref().ok()))
            .flatten()
            .map(|r| (line_start(text, r.offset), r.line));
        let cut = going_on.map_or(text.len(), |(at, _)| at);
        for r in read {
            let at = match &r {
                Ok(record) => record.offset,
                Err(e) => e.position.byte_offset,
            };
            if at < cut {
                take(analyzer, summary, text, r, (lines, bytes));
            }
        }
        if !read_done(&part[..cut]) {
            // Stopped (cancelled): what was taken stays taken.
            return Ok(());
        }
        lines = lines.saturating_add(match going_on {
            Some((_, line)) => line - 1,
            None => {
                u32::try_from(crate::records::lines::Lines::new(text).count()).unwrap_or(u32::MAX)
            }
        });
        bytes += cut;
        if last {
            break;
        }
        // An entry longer than the window: read on with a window twice as long, so that a huge
        // entry is read again a few times, not once a window.
        want = if cut == 0 {
            want.saturating_mul(2)
        } else {
            window
        };
        parts.put_back(part.split_off(cut));
        spare = part;
    }
    Ok(())
}

/// Where the line holding byte `at` of `text` starts.
fn line_start(text: &str, at: usize) -> usize {
    memchr::memrchr2(b'\n', b'\r', &text.as_bytes()[..at]).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{TempLog, TextEncoding};
    use crate::pipeline::unread;

    /// The server logs of the rule fixtures (excerpts of real logs), then entries that meet a
    /// window's end in every way: two entries on one line, lines ended by a lone CR, an entry
    /// longer than any window, a binary line, and a last entry cut without its line break.
    fn log() -> String {
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
        let mut paths: Vec<_> = (std::fs::read_dir(fixtures).unwrap())
            .flat_map(|rule| std::fs::read_dir(rule.unwrap().path()).unwrap())
            .map(|side| side.unwrap().path().join("SoftwareDistribution.log"))
            .filter(|p| p.exists())
            .collect();
        paths.sort();
        assert!(paths.len() > 10, "{paths:?}");
        let mut text: String = paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let at = "2024-03-12 10:00:00.000 UTC";
        text.push_str(&format!(
            "{at}\tInfo\tw3wp.5\tClientImplementation.GetCookie\tIssued cookie {at}\tError\tw3wp.5\tClientImplementation.SyncUpdates\tSystem.InvalidOperationException: joined\r\n"
        ));
        text.push_str(&format!(
            "{at}\tError\tw3wp.6\tClientImplementation.GetSyncInfo\tSystem.ArgumentException: Item has already been added\r   at Microsoft.UpdateServices.Internal.DataAccess.ExecuteSPGetSyncInfo()\r"
        ));
        text.push_str(&format!(
            "{at}\tError\tw3wp.7\tClientImplementation.SyncUpdates\tSystem.Data.SqlClient.SqlException: Timeout expired\n"
        ));
        for i in 0..400 {
            text.push_str(&format!(
                "   at Microsoft.UpdateServices.Internal.Frame{i}.Call()\n"
            ));
        }
        text.push_str(&format!(
            "{at}\tInfo\tw3wp.8\tSoapUtilities.CreateException\t\u{1}\u{2}\u{3}\u{4}\u{5}\n"
        ));
        text.push_str("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}\u{8}\n");
        text.push_str(&format!(
            "{at}\tWarning\tw3wp.9\tSoapUtilities.CreateException\tThrowException: actor = http://wsus01:8530/ClientWebService/client.asmx, ID=42f8f18c-49b1-40a7-ad53-efc1e4621311, ErrorCode=InternalServerError, Message=, Client=67e53669-d5fb-4b34-974e-a03046161d80\n   at Microsoft.UpdateServices.Internal.ClientImplementation.SyncUpdates(Cookie cookie)"
        ));
        text
    }

    /// What `text` reads to, whole, as [`super::super::analyze_whole`] reads a server log.
    fn read_whole(text: &str) -> (serde_json::Value, InputSummary) {
        let mut a = ServerAnalyzer::new("SoftwareDistribution.log");
        let mut summary = unread(
            "SoftwareDistribution.log",
            text.len() as u64,
            TextEncoding::Utf8,
        );
        for r in ServerRecords::new(text) {
            take(&mut a, &mut summary, text, r, (0, 0));
        }
        (serde_json::to_value(a.finish()).unwrap(), summary)
    }

    /// What the file `temp` reads to, a window of about `window` bytes at a time.
    fn read_in_windows(temp: &TempLog, window: usize) -> (serde_json::Value, InputSummary) {
        let mut a = ServerAnalyzer::new("SoftwareDistribution.log");
        let mut parts = temp.parts();
        let len = std::fs::metadata(temp.path()).unwrap().len();
        let mut summary = unread("SoftwareDistribution.log", len, TextEncoding::Utf8);
        let taken = std::sync::Mutex::new(0);
        let read_done = |part: &[u8]| {
            *taken.lock().unwrap() += part.len();
            true
        };
        read_windows(&mut parts, &mut a, &mut summary, (window, &read_done)).unwrap();
        assert_eq!(
            *taken.lock().unwrap() as u64,
            len,
            "every byte handed to read_done once"
        );
        (serde_json::to_value(a.finish()).unwrap(), summary)
    }

    #[test]
    fn a_log_read_a_window_at_a_time_reads_as_the_whole_text() {
        let text = log();
        let (whole, summary) = read_whole(&text);
        // The log holds what the test is for: faults sent, errors, and the lines read badly.
        assert!(whole["throws"].as_array().unwrap().len() > 5, "{whole}");
        assert!(whole["errors"].as_array().unwrap().len() > 5, "{whole}");
        assert!(summary.malformed_lines >= 1, "{summary:?}");
        let json = whole.to_string();
        for read in [
            "joined",
            "Item has already been added",
            "Frame199",
            "Timeout expired",
        ] {
            assert!(json.contains(read), "{read}");
        }
        assert!(
            summary
                .problems
                .iter()
                .any(|p| p.kind == ProblemKind::Truncated)
        );
        let temp = TempLog::new("server-windows", text.as_bytes());
        for window in [1, 7, 64, 333, 4096, 1 << 20] {
            let (windowed, windowed_summary) = read_in_windows(&temp, window);
            assert_eq!(windowed, whole, "window {window}");
            assert_eq!(windowed_summary, summary, "window {window}");
        }
    }

    #[test]
    fn a_window_that_is_not_utf8_stops_the_read() {
        let mut bytes = log().into_bytes();
        let at = bytes.len() / 2;
        bytes[at] = 0xE9;
        let temp = TempLog::new("server-windows-latin", &bytes);
        let mut a = ServerAnalyzer::new("SoftwareDistribution.log");
        let mut summary = unread("SoftwareDistribution.log", 0, TextEncoding::Utf8);
        let read = read_windows(&mut temp.parts(), &mut a, &mut summary, (4096, &|_| true));
        assert!(matches!(read, Err(WindowError::NotUtf8(_))));
    }
}
