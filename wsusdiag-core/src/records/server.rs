//! Server records: the WSUS `SoftwareDistribution.log`.
//!
//! `2014-01-16 18:53:54.231 UTC→Change→w3wp.58→AdminDataAccess.StartSubscriptionManually→message`
//! then any number of continuation lines (stack frames `   at …`, inner exceptions `--->`,
//! `--- End of inner exception stack trace ---`, wrapped messages), kept with the entry as one
//! borrowed span. Published copies lose the separators: TABs become space runs or vanish
//! (`Changew3wp.6AdminDataAccess.StartSubscriptionManuallySynchronization manually started`).

use std::sync::LazyLock;

use chrono::NaiveDateTime;
use memchr::memmem::Finder;

use super::grammar;
use super::lines::{Line, Lines, column_of};
use super::scan::{
    DateCache, at, blanks, date_parts, decimal, looks_binary, run, time_parts, trim_paste,
};
use crate::error::{ParseError, ParseErrorKind, Position, excerpt};

/// One entry of `SoftwareDistribution.log`, with its continuation lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerRecord<'a> {
    /// 1-based line of the entry's first line.
    pub line: u32,
    /// 1-based line of its last continuation line (equal to `line` when there is none).
    pub end_line: u32,
    /// 1-based column where the entry starts.
    pub column: u32,
    /// Byte offset of the entry in the text.
    pub offset: usize,
    /// Time, UTC. `None` when the entry had none (placeholders, an excerpt).
    pub time: Option<NaiveDateTime>,
    /// Level: `Error`, `Warning`, `Info`, `Change`, …; empty when the entry had no header.
    pub level: &'a str,
    /// Process name: `w3wp` (the web services) or `WsusService`.
    pub process: &'a str,
    /// The thread number after the process name.
    pub thread: Option<u32>,
    /// The logging `Class.Method`.
    pub source: &'a str,
    /// The message on the first line.
    pub message: &'a str,
    /// The continuation lines, as one span of the input (empty when there are none).
    pub continuation: &'a str,
    /// The input ended inside this entry (no final line break).
    pub truncated: bool,
}

impl<'a> ServerRecord<'a> {
    /// Moves a record read from a part of a text that starts after `lines` lines and `bytes`
    /// bytes to its place in the whole text.
    pub(crate) fn shift(&mut self, lines: u32, bytes: usize) {
        self.line = self.line.saturating_add(lines);
        self.end_line = self.end_line.saturating_add(lines);
        self.offset += bytes;
    }

    /// The continuation lines, one by one.
    pub fn continuation_lines(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let continuation: &'a str = self.continuation;
        Lines::new(continuation).map(|l| l.text)
    }

    /// Whether this is an error-level entry.
    pub fn is_error(&self) -> bool {
        self.level.eq_ignore_ascii_case("error") || self.level.eq_ignore_ascii_case("fatal")
    }
}

/// Levels the server writes; a glued level is recognised by these prefixes.
const LEVELS: &[&str] = &[
    "Error", "Warning", "Info", "Change", "Fatal", "Debug", "Verbose", "Trace", "Audit", "Critical",
];

/// Message openings that tell where a `Class.Method` glued to its message ends.
const MESSAGE_OPENINGS: &[&str] = &[
    "DBLAYER",
    "USS ",
    "ThrowException",
    "EventId=",
    "System.",
    "Microsoft.",
    "ServerHealth",
    "Synchronization",
    "Firing",
    "DispatchManager",
];

/// A parsed server header.
#[derive(Clone, Copy, Debug)]
struct Header {
    time: Option<NaiveDateTime>,
    level: (usize, usize),
    process: (usize, usize),
    thread: Option<u32>,
    source: (usize, usize),
    message: usize,
}

/// Why a line is not a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Miss {
    NotHeader,
    BadAt(usize),
}

/// Iterator over the records of a server log: `Ok` per entry (with its continuation lines),
/// `Err` per malformed line, in input order.
#[derive(Debug, Clone)]
pub struct ServerRecords<'a> {
    text: &'a str,
    lines: Lines<'a>,
    dates: DateCache,
    /// The entry being built, waiting for its continuation lines.
    open: Option<Open<'a>>,
    /// A line read ahead: the header of the next entry, or an error to report.
    ahead: Option<Ahead<'a>>,
    /// Read as a fragment: a line without a header starts an entry of its own unless it reads
    /// as a continuation (indented, a stack frame, an inner exception).
    fragment: bool,
}

#[derive(Debug, Clone, Copy)]
struct Open<'a> {
    record: ServerRecord<'a>,
    cont: Option<(usize, usize, u32)>,
    /// Whether the entry's last line so far ended with a line break.
    terminated: bool,
}

impl Open<'_> {
    /// Takes `line` as the entry's next continuation line.
    fn continue_with(&mut self, line: Line<'_>) {
        let line_end = line.offset + line.text.len();
        let cont_start = self.cont.map_or(line.offset, |c| c.0);
        self.cont = Some((cont_start, line_end, line.number));
        self.terminated = line.terminated;
    }
}

#[derive(Debug, Clone)]
enum Ahead<'a> {
    Entry(Line<'a>, usize, usize),
}

impl<'a> ServerRecords<'a> {
    /// Parses `text` as a server log.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            lines: Lines::new(text),
            dates: DateCache::default(),
            open: None,
            ahead: None,
            fragment: false,
        }
    }

    /// Parses `text` as a fragment of a server log: lines without headers, each its own entry
    /// unless it continues the one before (see [`ServerRecords::new`] for whole logs).
    pub fn fragment(text: &'a str) -> Self {
        Self {
            fragment: true,
            ..Self::new(text)
        }
    }

    fn finish(&self, open: Open<'a>) -> ServerRecord<'a> {
        let mut r = open.record;
        if let Some((start, end, last)) = open.cont {
            r.continuation = &self.text[start..end];
            r.end_line = last;
        }
        r.truncated = !open.terminated;
        r
    }

    /// Opens an entry at `line.text[start..end]` with header `h`, splitting off an entry joined
    /// onto the same line.
    fn open_entry(&mut self, line: Line<'a>, start: usize, end: usize, h: Header) {
        let text = &line.text[start..end];
        let msg = h.message.min(text.len());
        let mut msg_end = text.len();
        if let Some(split) = find_joined(&text[msg..]) {
            msg_end = msg + text[msg..msg + split].trim_end().len();
            self.ahead = Some(Ahead::Entry(line, start + msg + split, end));
        }
        let field = |(a, b): (usize, usize)| &text[a..b];
        self.open = Some(Open {
            record: ServerRecord {
                line: line.number,
                end_line: line.number,
                column: column_of(line.text, start),
                offset: line.offset + start,
                time: h.time,
                level: field(h.level),
                process: field(h.process),
                thread: h.thread,
                source: field(h.source),
                message: &text[msg..msg_end],
                continuation: "",
                truncated: false,
            },
            cont: None,
            terminated: line.terminated || self.ahead.is_some(),
        });
    }
}

impl<'a> Iterator for ServerRecords<'a> {
    type Item = Result<ServerRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (line, start, end) = match self.ahead.take() {
                Some(Ahead::Entry(line, start, end)) => (line, start, end),
                None => match self.lines.next() {
                    Some(line) => {
                        // A stack frame of the open entry, most of a server log's lines: no
                        // header, no paste wrapper, only more of the entry.
                        if let Some(open) = &mut self.open
                            && is_frame(line.text)
                            && !looks_binary(line.text)
                        {
                            open.continue_with(line);
                            continue;
                        }
                        if let Some(h) = strict(line.text, &mut self.dates) {
                            if let Some(done) = self.open.take() {
                                self.open_entry(line, 0, line.text.len(), h);
                                return Some(Ok(self.finish(done)));
                            }
                            self.open_entry(line, 0, line.text.len(), h);
                            continue;
                        }
                        let mut probe = DateCache::default();
                        let (s, e) = trim_paste(line.text, |t| lenient(t, &mut probe).is_ok());
                        (line, s, e)
                    }
                    None => {
                        let done = self.open.take()?;
                        return Some(Ok(self.finish(done)));
                    }
                },
            };
            let text = &line.text[start..end];
            match lenient(text, &mut self.dates) {
                Ok(h) => {
                    let done = self.open.take();
                    self.open_entry(line, start, end, h);
                    if let Some(done) = done {
                        return Some(Ok(self.finish(done)));
                    }
                }
                Err(Miss::BadAt(i)) => {
                    let e = bad_line(line, start + i, ParseErrorKind::BadHeader);
                    return Some(Err(e));
                }
                Err(Miss::NotHeader) => {
                    if text.trim().is_empty() {
                        continue;
                    }
                    if looks_binary(text) {
                        return Some(Err(bad_line(line, start, ParseErrorKind::Binary)));
                    }
                    if self.fragment && !is_continuation(line.text) {
                        let done = self.open.take();
                        self.open = Some(headerless_entry(line, start, text));
                        if let Some(done) = done {
                            return Some(Ok(self.finish(done)));
                        }
                        continue;
                    }
                    match &mut self.open {
                        Some(open) => open.continue_with(line),
                        None => {
                            // An excerpt that starts without a header: keep it as an entry.
                            self.open = Some(headerless_entry(line, start, text));
                        }
                    }
                }
            }
        }
    }
}

/// An entry of a line without a header: its text is the message.
fn headerless_entry<'a>(line: Line<'a>, start: usize, text: &'a str) -> Open<'a> {
    Open {
        record: ServerRecord {
            line: line.number,
            end_line: line.number,
            column: column_of(line.text, start),
            offset: line.offset + start,
            time: None,
            level: "",
            process: "",
            thread: None,
            source: "",
            message: text,
            continuation: "",
            truncated: false,
        },
        cont: None,
        terminated: line.terminated,
    }
}

/// Whether `line` is a frame of a stack trace: indented, then `at `.
fn is_frame(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t']);
    t.len() < line.len() && t.starts_with("at ")
}

/// Whether a line without a header continues the entry before it: indented, a stack frame, an
/// inner exception or the end of its trace.
fn is_continuation(line: &str) -> bool {
    let t = line.trim_start();
    t.len() < line.len() || t.starts_with("at ") || t.starts_with("---")
}

fn bad_line(line: Line<'_>, at: usize, kind: ParseErrorKind) -> ParseError {
    let at = at.min(line.text.len());
    ParseError {
        position: Position {
            line: line.number,
            column: column_of(line.text, at),
            byte_offset: line.offset + at,
        },
        kind,
        text: excerpt(line.text),
    }
}

/// The well-formed header, `YYYY-MM-DD HH:MM:SS.mmm UTC→Level→proc.N→Class.Method→`, with
/// TABs (or single spaces) between fields.
#[inline]
fn strict(s: &str, dates: &mut DateCache) -> Option<Header> {
    let b = s.as_bytes();
    let (time, mut i) = dates.stamp(b, b' ', b":", b".")?;
    if b.get(i..i + 4) != Some(b" UTC") {
        return None;
    }
    i += 4;
    match grammar::server_fields(&b[i..]) {
        Ok((_, f)) => Some(Header {
            time: Some(time),
            level: (i + f.level.0, i + f.level.1),
            process: (i + f.process.0, i + f.process.1),
            thread: Some(f.thread),
            source: (i + f.source.0, i + f.source.1),
            message: i + f.message,
        }),
        // Separators lost in a copy: the lenient reading of the fields.
        Err(_) => fields(s, i, Some(time)).ok(),
    }
}

/// Level, process.thread, Class.Method and message, from byte `i` on.
#[inline]
fn fields(s: &str, mut i: usize, time: Option<NaiveDateTime>) -> Result<Header, Miss> {
    let b = s.as_bytes();
    i += blanks(&b[i..]);
    let word = run(&b[i..], |c| c.is_ascii_alphabetic());
    let level_len = LEVELS
        .iter()
        .find(|l| b[i..].starts_with(l.as_bytes()))
        .map(|l| l.len())
        .or_else(|| (word > 0 && blanks(&b[i + word..]) > 0).then_some(word))
        .ok_or(Miss::BadAt(i))?;
    let level = (i, i + level_len);
    i += level_len;
    let gap_after_level = blanks(&b[i..]);
    i += gap_after_level;
    let n = run(&b[i..], |c| {
        c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
    });
    if n == 0 || b.get(i + n) != Some(&b'.') {
        return Err(Miss::BadAt(i));
    }
    let process = (i, i + n);
    i += n + 1;
    let n = run(&b[i..], |c| c.is_ascii_digit());
    let thread = decimal(&b[i..i + n]).ok_or(Miss::BadAt(i))?;
    i += n;
    let gap_after_thread = blanks(&b[i..]);
    i += gap_after_thread;
    // Separators deleted by a copy: the message is glued to the method as well.
    let glued = gap_after_level == 0 || gap_after_thread == 0;
    let n = run(&b[i..], |c| {
        c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'`')
    });
    let mut source = (i, i + n);
    let mut message = i + n;
    if n > 0 && (glued || b.get(i + n).is_some_and(|&c| c != b' ' && c != b'\t')) {
        // Glued to the message: cut at a known message opening after the method's dot.
        let ident = &s[i..i + n];
        let dot = ident.find('.').map_or(0, |d| d + 1);
        if let Some(cut) = MESSAGE_OPENINGS
            .iter()
            .filter_map(|o| ident[dot..].find(o.trim_end()).map(|p| dot + p))
            .filter(|&p| p > dot + 2)
            .min()
        {
            source = (i, i + cut);
            message = i + cut;
        }
    }
    message += blanks(&b[message..]);
    Ok(Header {
        time,
        level,
        process,
        thread: Some(thread),
        source,
        message,
    })
}

/// Headers as published: space runs or nothing between fields, `Date Time UTC`,
/// `<Date> <Time>` and `<DATE> <TIME> UTC` placeholders.
fn lenient(s: &str, dates: &mut DateCache) -> Result<Header, Miss> {
    let b = s.as_bytes();
    let mut i;
    let mut time = None;
    let dated = date_parts(b, b"-/.");
    if dated.is_some() {
        i = 10;
        i += blanks(&b[i..]);
        let (t, used) = time_parts(&b[i..], b":", b".,:").ok_or(Miss::BadAt(i))?;
        i += used;
        let date = dates.date_at(b, b"-/.").ok_or(Miss::BadAt(0))?;
        time = Some(at(date, t));
    } else if let Some(level) = timeless(s) {
        return fields(s, level, None).map_err(|_| Miss::NotHeader);
    } else {
        i = placeholders(s).ok_or(Miss::NotHeader)?;
    }
    let g = blanks(&b[i..]);
    if b.get(i + g..i + g + 3)
        .is_some_and(|u| u.eq_ignore_ascii_case(b"UTC"))
    {
        i += g + 3;
    } else if dated.is_some() && b[i..].starts_with(b"Z") {
        i += 1;
    }
    match fields(s, i, time) {
        Ok(h) => Ok(h),
        // A date that is not followed by a level is a message line, not a broken header,
        // unless it also had a time.
        Err(Miss::BadAt(at)) if dated.is_some() => Err(Miss::BadAt(at)),
        Err(_) => Err(Miss::NotHeader),
    }
}

/// Where the level starts in a header that lost its date and time (`UTC Error w3wp.130 …`,
/// `Error→w3wp.126→…`): a level word, then a blank.
fn timeless(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    if b.len() > 3 && b[..3].eq_ignore_ascii_case(b"UTC") && blanks(&b[3..]) > 0 {
        i = 3 + blanks(&b[3..]);
    }
    let level = LEVELS.iter().find(|l| b[i..].starts_with(l.as_bytes()))?;
    (blanks(&b[i + level.len()..]) > 0).then_some(i)
}

/// `Date Time`, `<Date> <Time>`, `<DATE> <TIME>` and translations: two words standing for the
/// date and the time; returns their length.
fn placeholders(s: &str) -> Option<usize> {
    let mut i = 0;
    for _ in 0..2 {
        let word = s[i..]
            .char_indices()
            .find(|&(_, c)| !(c.is_alphabetic() || c == '<' || c == '>'))
            .map_or(s.len() - i, |(n, _)| n);
        if word == 0 || word > 24 {
            return None;
        }
        i += word;
        let gap = blanks(&s.as_bytes()[i..]);
        if gap == 0 {
            return None;
        }
        i += gap;
    }
    Some(i)
}

/// Where a second entry starts inside a message whose line break was lost: a full timestamp
/// followed by ` UTC` and a level, so a date inside a message never splits an entry.
fn find_joined(msg: &str) -> Option<usize> {
    // Built once: building a searcher costs more than most searches.
    static UTC: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(" UTC"));
    let b = &msg.as_bytes()[..msg.len().min(super::MAX_LINE)];
    let mut dates = DateCache::default();
    for p in UTC.find_iter(b) {
        // `YYYY-MM-DD HH:MM:SS.mmm` is 23 bytes.
        let Some(start) = p.checked_sub(23) else {
            continue;
        };
        if msg.is_char_boundary(start) && strict(&msg[start..], &mut dates).is_some() {
            return Some(start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Result<ServerRecord<'_>, ParseError>> {
        ServerRecords::new(text).collect()
    }

    fn ok(text: &str) -> Vec<ServerRecord<'_>> {
        parse(text)
            .into_iter()
            .map(|r| r.expect("record"))
            .collect()
    }

    fn summary(r: &ServerRecord<'_>) -> String {
        format!(
            "{} [{}] {}.{:?} <{}> {:?} +{} lines {}-{}{}",
            r.time.map(|t| t.to_string()).unwrap_or_default(),
            r.level,
            r.process,
            r.thread,
            r.source,
            r.message,
            r.continuation_lines().count(),
            r.line,
            r.end_line,
            if r.truncated { " truncated" } else { "" }
        )
    }

    #[test]
    fn well_formed_with_tabs() {
        let r = ok(
            "2014-01-16 18:53:54.231 UTC\tChange\tw3wp.58\tAdminDataAccess.StartSubscriptionManually\tSynchronization manually started\n",
        );
        insta::assert_snapshot!(summary(&r[0]), @r#"2014-01-16 18:53:54.231 [Change] w3wp.Some(58) <AdminDataAccess.StartSubscriptionManually> "Synchronization manually started" +0 lines 1-1"#);
    }

    #[test]
    fn space_runs_as_published() {
        let r = ok(
            "2014-01-16 18:53:56.168 UTC  Info         WsusService.15 EventLogEventReporter.ReportEvent  EventId=382,Type=Information,Category=Synchronization,Message=A manual synchronization was started.\n",
        );
        assert_eq!(
            (r[0].level, r[0].process, r[0].thread),
            ("Info", "WsusService", Some(15))
        );
        assert_eq!(r[0].source, "EventLogEventReporter.ReportEvent");
        assert!(r[0].message.starts_with("EventId=382"));
    }

    #[test]
    fn separators_deleted() {
        let r = ok(
            "2014-01-16 18:53:54.231 UTC Changew3wp.6AdminDataAccess.StartSubscriptionManuallySynchronization manually started\n",
        );
        insta::assert_snapshot!(summary(&r[0]), @r#"2014-01-16 18:53:54.231 [Change] w3wp.Some(6) <AdminDataAccess.StartSubscriptionManually> "Synchronization manually started" +0 lines 1-1"#);
        let r = ok(
            "2009-01-20 10:00:00.000 UTC Error w3wp.130DBConnection.LogSqlExceptionDBLAYER: Errors[0]: Source .Net SqlClient Data Provider, Server X\\WSUS, Number -2\n",
        );
        assert_eq!(
            (r[0].thread, r[0].source),
            (Some(130), "DBConnection.LogSqlException")
        );
        assert!(r[0].message.starts_with("DBLAYER: Errors[0]"));
    }

    #[test]
    fn stack_trace_is_one_entry() {
        let text = "Date Time UTC Error w3wp.12 ClientImplementation.SyncUpdates System.ArgumentException: Item has already been added. Key in dictionary: '8862' Key being added: '8862'\n   at System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)\n   at Microsoft.UpdateServices.Internal.ClientImplementation.GetSyncInfo(DataAccess dataAccess, Hashtable stateTable, Hashtable deploymentTable, Boolean haveGroupsChanged, Boolean doChunking)\n\nDate Time UTC Warning w3wp.12 SoapUtilities.CreateException ThrowException: actor = http://wsusebc/ClientWebService/client.asmx, ID=c0a7445f-b989-43fa-ac20-11f8ca65fa8c, ErrorCode=InternalServerError, Message=, Client=?\n";
        let r = ok(text);
        assert_eq!(r.len(), 2);
        insta::assert_snapshot!(summary(&r[0]), @r#" [Error] w3wp.Some(12) <ClientImplementation.SyncUpdates> "System.ArgumentException: Item has already been added. Key in dictionary: '8862' Key being added: '8862'" +2 lines 1-3"#);
        assert!(
            r[0].continuation
                .contains("ClientImplementation.GetSyncInfo")
        );
        assert_eq!(
            (r[1].level, r[1].source),
            ("Warning", "SoapUtilities.CreateException")
        );
    }

    #[test]
    fn inner_exceptions_stay_with_the_entry() {
        let text = "2021-03-02 09:15:42.130 UTC\tError\tWsusService.25\tSoapUtilities.LogException\tSystem.Net.WebException: The operation has timed out\n ---> System.IO.IOException: Unable to read data from the transport connection\n   --- End of inner exception stack trace ---\n   at System.Net.HttpWebRequest.GetResponse()\n2021-03-02 09:15:43.000 UTC\tInfo\tWsusService.25\tX.Y\tnext";
        let r = ok(text);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].continuation_lines().count(), 3);
        assert!(!r[0].truncated);
        assert!(r[1].truncated, "the last entry has no line break");
    }

    #[test]
    fn stack_frames_are_continuation_lines_and_a_binary_one_is_an_error() {
        let text = "   at Before.AnyHeader()\n\
            2021-03-02 09:15:42.130 UTC\tError\tw3wp.25\tX.Y\tSystem.Exception: boom\n\
            \x20  at A.B()\n\
            \tat C.D(String s)\n\
            \x20  at E.F()\u{1}\u{2}\n\
            \x20  at G.H() |\n\
            at I.J()\n";
        let read: Vec<_> = ServerRecords::new(text).collect();
        let got: Vec<String> = (read.iter())
            .map(|r| match r {
                Ok(r) => format!("{} {:?}", summary(r), r.continuation),
                Err(e) => format!("{:?} at {}:{}", e.kind, e.position.line, e.position.column),
            })
            .collect();
        // A frame before any header is an excerpt's entry; a frame with control characters is
        // binary, reported and skipped; an unindented `at` line is still the entry's.
        let expected = [
            r#" [] .None <> "at Before.AnyHeader()" +0 lines 1-1 """#,
            "Binary at 5:4",
            concat!(
                r#"2021-03-02 09:15:42.130 [Error] w3wp.Some(25) <X.Y> "System.Exception: boom" "#,
                r#"+5 lines 2-7 "   at A.B()\n\tat C.D(String s)\n   at E.F()\u{1}\u{2}\n"#,
                r#"   at G.H() |\nat I.J()""#,
            ),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn placeholders_of_other_kbs() {
        let r = ok(
            "<Date> <Time> Error WsusService.25 SoapUtilities.LogException USS ThrowException: Actor = https://fe2.update.microsoft.com/v6/ServerSyncWebService/ServerSyncWebService.asmx, Method = \"http://www.microsoft.com/SoftwareDistribution/GetUpdateData\", ID=<ID>, ErrorCode=InternalServerError, Message=  \n   at Microsoft.UpdateServices.Internal.SoapUtilities.LogException(SoapException e)\n",
        );
        assert_eq!(
            (r[0].source, r[0].continuation_lines().count()),
            ("SoapUtilities.LogException", 1)
        );
        let r = ok(
            "<DATE> <TIME> UTC Error w3wp.130 DBConnection.LogSqlException DBLAYER: Errors[0]: Number -2\n",
        );
        assert_eq!(r[0].process, "w3wp");
    }

    #[test]
    fn excerpt_without_header_is_kept() {
        let r = ok(
            "ThrowException: actor = http://WSUSServerName:8530/ClientWebService/client.asmxs, ID=GUID, ErrorCode=InvalidParameters, Message=parameters.InstalledNonLeafUpdateIDs, Client=Client_ID\n",
        );
        assert_eq!((r[0].level, r[0].time), ("", None));
        assert!(r[0].message.starts_with("ThrowException"));
    }

    #[test]
    fn joined_entries() {
        let r = ok(
            "2014-01-16 18:53:54.231 UTC Change w3wp.58 A.B first 2014-01-16 18:53:56.168 UTC Info WsusService.15 C.D second\n",
        );
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].message, r[1].message), ("first", "second"));
        assert_eq!(r[1].column, 54);
    }

    #[test]
    fn bad_header_is_reported_and_skipped() {
        let all = parse(
            "2014-01-16 18:5x:54.231 UTC Info w3wp.1 A.B m\n2014-01-16 18:53:54.231 UTC Info w3wp.1 A.B ok\n",
        );
        let e = all[0].as_ref().unwrap_err();
        assert_eq!((e.position.line, e.position.column), (1, 12));
        assert_eq!(all[1].as_ref().unwrap().message, "ok");
    }

    #[test]
    fn stamps_read_the_same_after_any_line() {
        // Each stamp after each other one: what the parser remembers of the second before
        // never changes a time.
        let stamps = [
            "2024-03-12 06:00:20.300",
            "2024-03-12 06:00:20.301",
            "2024-03-12 06:00:21.300",
            "2024-03-13 06:00:20.300",
            "2024-03-12 06:00:20.3001",
            "2024-03-12 06:00:20.3",
            "2024-03-12 06:00:20",
            "2024-03-12 06:00:20:300",
            "2024-03-12 06:00:20.30x",
        ];
        let line = |s: &str| format!("{s} UTC\tInfo\tw3wp.5\tClass.Method\tm\n");
        // The time of the entry on the last line, if one starts there (a line that is not a
        // header continues the entry before).
        let time = |text: &str| {
            let last = text.lines().count() as u32;
            parse(text)
                .into_iter()
                .find_map(|r| r.ok().filter(|r| r.line == last).map(|r| r.time))
        };
        for a in stamps {
            for b in stamps {
                let alone = time(&line(b));
                let after = time(&(line(a) + &line(b)));
                assert_eq!(after, alone, "{b} after {a}");
            }
        }
        assert_eq!(
            time(&(line(stamps[0]) + &line(stamps[1])))
                .flatten()
                .map(|t| t.to_string()),
            Some("2024-03-12 06:00:20.301".to_owned())
        );
    }
}
