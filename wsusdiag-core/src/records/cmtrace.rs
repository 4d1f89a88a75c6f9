//! Configuration Manager logs (CMTrace): the client's `WUAHandler.log`, `ScanAgent.log`, … and
//! the site server's `wsyncmgr.log`, `WCM.log`, … in the three shapes an admin meets them:
//!
//! - **log**: `<![LOG[message]LOG]!><time="10:29:36.123+240" date="11-09-2018"
//!   component="WUAHandler" context="" type="3" thread="4240" file="cwuahandler.cpp:2809">`; the
//!   message may span lines and hold `<![CDATA[`, so only `]LOG]!><time=` ends it.
//! - **trace**: `message  $$<SMS_WSUS_SYNC_MANAGER><11-09-2018 10:29:36.123+240><thread=4240 (0x1090)>`.
//! - **setup**: `<02/09/14 22:53:28> Supported WSUS version found`, the form of a site system
//!   role's setup log (`SUPSetup.log`): a month-first date with a two-digit year, no bias.
//! - **copied**: what CMTrace or a web page shows: the message, then the component, then
//!   perhaps `8/23/2014 1:53:10 PM` and `1104 (0x0450)`, in columns of spaces or TABs; or the
//!   message alone. A paste's `> ` quote marker is taken off.
//!
//! The time is local; the bias is the minutes to add to get UTC (`+240` is UTC-4).

use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use memchr::memmem;
use nom::bytes::complete::{tag, take_till};
use nom::character::complete::{char, digit1, space1};
use nom::combinator::opt;
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::{ClientRecord, Shape};
use crate::any_word::AnyWord;
use crate::error::{ParseError, ParseErrorKind, Position, excerpt};

/// How a ConfigMgr entry was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CmShape {
    /// `<![LOG[…]LOG]!><time=… >`, as the client and most server logs write.
    Log,
    /// `message $$<COMPONENT><date time+bias><thread=…>`, the older site-server form.
    Trace,
    /// `<MM/DD/YY HH:MM:SS> message`, a site system role's setup log (`SUPSetup.log`).
    Setup,
    /// Columns copied from CMTrace or a page: message, then component, date and thread if any.
    Copied,
}

/// One ConfigMgr log entry, borrowing from the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CmRecord<'a> {
    /// 1-based line where the entry starts.
    pub line: u32,
    /// Byte offset of the entry.
    pub offset: usize,
    /// The message (several lines for a multi-line `log` entry).
    pub message: &'a str,
    /// The component (`WUAHandler`, `SMS_WSUS_SYNC_MANAGER`), when written.
    pub component: Option<&'a str>,
    /// Local time, when written.
    pub time: Option<NaiveDateTime>,
    /// Minutes to add to the local time to get UTC, when written.
    pub bias: Option<i32>,
    /// `type`: 1 info, 2 warning, 3 error.
    pub severity: Option<u8>,
    /// Thread ID.
    pub thread: Option<u32>,
    /// Source file and line (`cwuahandler.cpp:2809`), when written.
    pub file: Option<&'a str>,
    /// Which shape the entry had.
    pub shape: CmShape,
}

impl<'a> CmRecord<'a> {
    /// The entry's time in UTC, when both the time and the bias are written.
    pub fn utc(&self) -> Option<NaiveDateTime> {
        self.time?
            .checked_add_signed(Duration::minutes(i64::from(self.bias?)))
    }

    /// The entry as a row of the common client record (local time, thread, component,
    /// message), for readers that want rows of any log.
    pub fn as_client(&self) -> ClientRecord<'a> {
        ClientRecord {
            line: self.line,
            column: 1,
            offset: self.offset,
            time: self.time,
            pid: None,
            tid: self.thread,
            component: self.component.unwrap_or(""),
            message: self.message,
            shape: match (self.time, self.component) {
                (Some(_), _) => Shape::Full,
                (None, Some(_)) => Shape::ComponentMessage,
                (None, None) => Shape::MessageOnly,
            },
        }
    }
}

/// The entries of a ConfigMgr log, in order; a malformed entry is an error and is skipped.
#[derive(Clone, Debug)]
pub struct CmRecords<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    /// The last `date` field read and its value: a log writes the same date again and again.
    last_date: Option<(&'a str, Option<NaiveDate>)>,
}

impl<'a> CmRecords<'a> {
    /// Reads `text` (BOM already taken off or not).
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            text,
            pos,
            line: 1,
            last_date: None,
        }
    }

    /// Moves past `len` bytes from the current position, counting their line ends.
    fn advance(&mut self, len: usize) {
        let end = (self.pos + len).min(self.text.len());
        self.line +=
            memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.pos..end]).count() as u32;
        self.pos = end;
    }

    /// The physical line at the current position, without its terminator, and its length
    /// with the terminator.
    /// Reads the `<![LOG[` entry at `offset`, on the current line (after a paste's quote mark,
    /// when there is one), and moves past it; a malformed one is the line's error.
    fn log_entry_at(&mut self, offset: usize) -> Result<CmRecord<'a>, ParseError> {
        let line = self.line;
        let rest = &self.text[offset..];
        match log_entry(rest) {
            Ok((after, (mut r, date, clock))) => {
                r.line = line;
                r.offset = offset;
                r.time = self.day(date).zip(clock).map(|(d, t)| d.and_time(t));
                // The header holds no line end (its grammar stops at one): only the message's
                // and the one after the entry are counted.
                let message_end =
                    r.message.as_ptr() as usize - self.text.as_ptr() as usize + r.message.len();
                let trimmed = (self.text.as_bytes()[message_end..].iter())
                    .take_while(|&&b| b == b'\r' || b == b'\n')
                    .filter(|&&b| b == b'\n')
                    .count();
                // Most messages are one line: one search settles it.
                let bytes = r.message.as_bytes();
                let in_message = match memchr::memchr(b'\n', bytes) {
                    Some(first) => 1 + memchr::memchr_iter(b'\n', &bytes[first + 1..]).count(),
                    None => 0,
                } + trimmed;
                let used = rest.len() - after.len();
                let (rest_of_line, tail) = line_end(after);
                self.line += (in_message + usize::from(tail > rest_of_line)) as u32;
                self.pos = offset + used + tail;
                Ok(r)
            }
            Err(_) => {
                let (raw, len) = self.current_line();
                self.advance(len);
                Err(malformed(line, offset, raw))
            }
        }
    }

    /// The day a `date` field names, read once for a run of entries of the same date.
    fn day(&mut self, date: &'a str) -> Option<NaiveDate> {
        match self.last_date {
            Some((last, day)) if last == date => day,
            _ => {
                let day = month_day_year(date).ok().map(|(_, d)| d);
                self.last_date = Some((date, day));
                day
            }
        }
    }

    fn current_line(&self) -> (&'a str, usize) {
        let rest = &self.text[self.pos..];
        match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(n) => (rest[..n].strip_suffix('\r').unwrap_or(&rest[..n]), n + 1),
            None => (rest, rest.len()),
        }
    }
}

impl<'a> Iterator for CmRecords<'a> {
    type Item = Result<CmRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.pos >= self.text.len() {
                return None;
            }
            // The common case first: an entry header right at the position, read without
            // looking for the line's end first.
            if self.text.as_bytes()[self.pos..].starts_with(b"<![LOG[") {
                return Some(self.log_entry_at(self.pos));
            }
            let (raw, len) = self.current_line();
            let body = unquote(raw);
            if body.trim().is_empty() {
                self.advance(len);
                continue;
            }
            let offset = self.pos + (body.as_ptr() as usize - raw.as_ptr() as usize);
            let line = self.line;
            if body.starts_with("<![LOG[") {
                return Some(self.log_entry_at(offset));
            }
            self.advance(len);
            let mut r = match memmem::find(body.as_bytes(), b"$$<") {
                Some(at) => trace_entry(body, at),
                None => setup_entry(body).unwrap_or_else(|| copied_entry(body)),
            };
            r.line = line;
            r.offset = offset;
            return Some(Ok(r));
        }
    }
}

/// Takes off what a paste puts before a line: a markdown quote marker (`> `).
fn unquote(line: &str) -> &str {
    let t = line.trim_start();
    match t.strip_prefix('>') {
        Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
        None => line,
    }
}

/// The length of the rest of the current line after `s`, and of it with its terminator.
fn line_end(s: &str) -> (usize, usize) {
    match memchr::memchr(b'\n', s.as_bytes()) {
        Some(n) => (n, n + 1),
        None => (s.len(), s.len()),
    }
}

fn malformed(line: u32, offset: usize, text: &str) -> ParseError {
    ParseError {
        position: Position {
            line,
            column: 1,
            byte_offset: offset,
        },
        kind: ParseErrorKind::BadHeader,
        text: excerpt(text),
    }
}

/// `name="value"`, after spaces: the value; its closing quote is consumed.
fn attr<'a>(
    name: &'static str,
) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    move |s: &'a str| {
        let (rest, _) = literal(s.trim_start_matches([' ', '\t']), name)?;
        let (rest, _) = literal(rest, "=\"")?;
        quoted_rest(rest)
    }
}

/// `expected` at the start of `s`, compared as bytes at once (nom's `tag` goes byte by byte).
fn literal<'a>(s: &'a str, expected: &'static str) -> IResult<&'a str, &'a str> {
    match s.strip_prefix(expected) {
        Some(rest) => Ok((rest, &s[..expected.len()])),
        None => Err(fail(s, nom::error::ErrorKind::Tag)),
    }
}

fn fail(s: &str, kind: nom::error::ErrorKind) -> nom::Err<nom::error::Error<&str>> {
    nom::Err::Error(nom::error::Error::new(s, kind))
}

/// The text up to the next `"` on the same line (found with memchr, not char by char), and
/// what follows that quote.
fn quoted_rest(s: &str) -> IResult<&str, &str> {
    match memchr::memchr2(b'"', b'\n', s.as_bytes()) {
        Some(n) if s.as_bytes()[n] == b'"' => Ok((&s[n + 1..], &s[..n])),
        _ => Err(fail(s, nom::error::ErrorKind::Char)),
    }
}

/// The widest bias a clock can have: a day, either way (real ones stay within 14 hours).
const MAX_BIAS_MINUTES: i32 = 24 * 60;

/// `HH:MM:SS.fff` then an optional signed bias in minutes (none when wider than a day).
fn clock(s: &str) -> IResult<&str, (NaiveTime, Option<i32>)> {
    match fixed_clock(s) {
        Some(read) => Ok(read),
        None => clock_grammar(s),
    }
}

/// [`clock`]'s grammar, for every form.
fn clock_grammar(s: &str) -> IResult<&str, (NaiveTime, Option<i32>)> {
    let (s, (h, _, m, _, sec)) =
        (num::<u32>, char(':'), num::<u32>, char(':'), num::<u32>).parse(s)?;
    let (s, frac) = opt(preceded(char('.'), digit1)).parse(s)?;
    let (s, bias) = opt((nom::branch::alt((char('+'), char('-'))), num::<i32>)).parse(s)?;
    let bias = bias.map(|(sign, b)| if sign == '-' { -b } else { b });
    let nanos = frac.map_or(0, |f: &str| {
        let digits = &f[..f.len().min(9)];
        whole::<u32>(digits).unwrap_or(0) * 10u32.pow(9 - digits.len() as u32)
    });
    let time = NaiveTime::from_hms_nano_opt(h, m, sec, nanos)
        .ok_or_else(|| nom::Err::Error(nom::error::Error::new(s, nom::error::ErrorKind::Verify)))?;
    Ok((s, (time, bias.filter(|b| b.abs() <= MAX_BIAS_MINUTES))))
}

/// The usual clock, `HH:MM:SS.fff` and a bias, read by position; any other form (one-digit
/// hours, other fractions) is left to the grammar of [`clock`].
fn fixed_clock(s: &str) -> Option<(&str, (NaiveTime, Option<i32>))> {
    let b = s.as_bytes();
    if b.len() < 12 || b[2] != b':' || b[5] != b':' || b[8] != b'.' {
        return None;
    }
    let digit = |i: usize| Some(u32::from(b[i].wrapping_sub(b'0'))).filter(|d| *d < 10);
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let milli = digit(9)? * 100 + two(10)?;
    if b.get(12).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let time = NaiveTime::from_hms_milli_opt(two(0)?, two(3)?, two(6)?, milli)?;
    let rest = &s[12..];
    let (rest, bias) = match rest.as_bytes().first() {
        Some(&sign @ (b'+' | b'-')) => {
            let (rest, b) = num::<i32>(&rest[1..]).ok()?;
            (rest, Some(if sign == b'-' { -b } else { b }))
        }
        _ => (rest, None),
    };
    Some((rest, (time, bias.filter(|b| b.abs() <= MAX_BIAS_MINUTES))))
}

/// `MM-DD-YYYY` (or with `/`).
fn month_day_year(s: &str) -> IResult<&str, NaiveDate> {
    let sep = |s| nom::branch::alt((char('-'), char('/'))).parse(s);
    let (rest, (m, _, d, _, y)) = (num::<u32>, sep, num::<u32>, sep, num::<i32>).parse(s)?;
    let date = NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| nom::Err::Error(nom::error::Error::new(s, nom::error::ErrorKind::Verify)))?;
    Ok((rest, date))
}

/// A run of ASCII digits as a number (an error when there is none, or it does not fit `T`).
fn num<T: TryFrom<u64>>(s: &str) -> IResult<&str, T> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let fail = || nom::Err::Error(nom::error::Error::new(s, nom::error::ErrorKind::Digit));
    if digits == 0 || digits > 18 {
        return Err(fail());
    }
    let value = (s.as_bytes()[..digits].iter()).fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Ok((&s[digits..], T::try_from(value).map_err(|_| fail())?))
}

/// A field that is a number and nothing else (`type="3"`, `thread="4240"`).
fn whole<T: TryFrom<u64>>(s: &str) -> Option<T> {
    num::<T>(s)
        .ok()
        .filter(|(rest, _)| rest.is_empty())
        .map(|(_, n)| n)
}

/// Finds the end of a `log` entry's message.
fn message_end() -> &'static memmem::Finder<'static> {
    static F: std::sync::OnceLock<memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memmem::Finder::new(b"]LOG]!>"))
}

/// One `<![LOG[…]LOG]!><…>` entry, its time left for the caller: the entry, its `date` field
/// as written and its time of day.
fn log_entry(s: &str) -> IResult<&str, (CmRecord<'_>, &str, Option<NaiveTime>)> {
    let (s, _) = literal(s, "<![LOG[")?;
    let end = (message_end().find(s.as_bytes()))
        .ok_or_else(|| fail(s, nom::error::ErrorKind::TakeUntil))?;
    let (message, s) = s.split_at(end);
    let (s, _) = literal(s, "]LOG]!><")?;
    let (s, time) = attr("time").parse(s)?;
    let (s, date) = attr("date").parse(s)?;
    let (s, component) = attr("component").parse(s)?;
    let (s, _context) = opt(attr("context")).parse(s)?;
    let (s, severity) = opt(attr("type")).parse(s)?;
    let (s, thread) = opt(attr("thread")).parse(s)?;
    let (s, file) = opt(attr("file")).parse(s)?;
    // Whatever else the header holds, up to its `>` on the same line.
    let s = match memchr::memchr2(b'>', b'\n', s.as_bytes()) {
        Some(n) if s.as_bytes()[n] == b'>' => &s[n + 1..],
        _ => return Err(fail(s, nom::error::ErrorKind::Char)),
    };
    let clock = clock(time).ok().map(|(_, c)| c);
    let record = CmRecord {
        line: 0,
        offset: 0,
        message: message.trim_end_matches(['\r', '\n']),
        component: Some(component).filter(|c| !c.is_empty()),
        time: None,
        bias: clock.and_then(|(_, b)| b),
        severity: severity.and_then(whole::<u8>),
        thread: thread.and_then(whole::<u32>),
        file: file.filter(|v| !v.is_empty()),
        shape: CmShape::Log,
    };
    Ok((s, (record, date, clock.map(|(t, _)| t))))
}

/// `<COMPONENT><MM-DD-YYYY HH:MM:SS.fff+bias><thread=N (0xH)>` after `$$`.
/// A trace header's component, local time, bias and thread.
type TraceHeader<'a> = (&'a str, Option<NaiveDateTime>, Option<i32>, Option<u32>);

fn trace_header(s: &str) -> IResult<&str, TraceHeader<'_>> {
    let (s, component) =
        nom::sequence::delimited(char('<'), take_till(|c| c == '>'), char('>')).parse(s)?;
    let (s, stamp) = opt(nom::sequence::delimited(
        char('<'),
        (month_day_year, space1, clock),
        char('>'),
    ))
    .parse(s)?;
    let thread = opt(preceded((tag("<thread="),), num::<u32>)).parse(s)?;
    let time = stamp.map(|(d, _, (t, _))| d.and_time(t));
    let bias = stamp.and_then(|(_, _, (_, b))| b);
    Ok((thread.0, (component, time, bias, thread.1)))
}

fn trace_entry(body: &str, at: usize) -> CmRecord<'_> {
    let message = body[..at].trim_end().trim_end_matches('~').trim_end();
    let header = &body[at + 2..];
    let (component, time, bias, thread) = trace_header(header).map(|(_, h)| h).unwrap_or((
        header.trim_matches(['<', '>']),
        None,
        None,
        None,
    ));
    CmRecord {
        line: 0,
        offset: 0,
        message: message.trim_start_matches('~'),
        component: Some(component).filter(|c| !c.is_empty()),
        time,
        bias,
        severity: None,
        thread,
        file: None,
        shape: CmShape::Trace,
    }
}

/// Components of the ConfigMgr client that name themselves after a single space.
const CLIENT_COMPONENTS: &[&str] = &[
    "WUAHandler",
    "ScanAgent",
    "UpdatesDeploymentAgent",
    "UpdatesHandler",
    "UpdatesStore",
    "LocationServices",
    "CcmMessaging",
    "ContentAccess",
    "DataTransferService",
    "PolicyAgent",
    "CcmExec",
    "MP_LocationManager",
];

/// Whether `token` is a component name known to stand alone after a message.
pub(crate) fn is_component(token: &str) -> bool {
    (token.len() > 4
        && token.starts_with("SMS_")
        && token.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'))
        || CLIENT_COMPONENTS.contains(&token)
}

/// `8/23/2014 1:53:10 PM` at the end of `s`, with what comes before it.
fn trailing_stamp(s: &str) -> Option<(&str, NaiveDateTime)> {
    let t = s.trim_end();
    let mut parts = t.rsplitn(4, [' ', '\t']);
    let (ampm, clock, date) = (parts.next()?, parts.next()?, parts.next()?);
    let before = parts.next().unwrap_or("");
    let time =
        NaiveDateTime::parse_from_str(&format!("{date} {clock} {ampm}"), "%m/%d/%Y %I:%M:%S %p")
            .ok()?;
    Some((before, time))
}

/// `1104 (0x0450)` at the end of `s`, with what comes before it.
fn trailing_thread(s: &str) -> Option<(&str, u32)> {
    let t = s.trim_end();
    let t = t.strip_suffix(')')?;
    let open = t.rfind(" (0x")?;
    let before = t[..open].trim_end();
    let start = before.rfind([' ', '\t']).map_or(0, |i| i + 1);
    let tid = before[start..].parse().ok()?;
    Some((&before[..start], tid))
}

/// `08-14-2019 08:37:30.102` (and perhaps a bias) at the start of `s`, with what follows it.
fn leading_stamp(s: &str) -> Option<(NaiveDateTime, Option<i32>, &str)> {
    let (rest, (date, _, (time, bias))) = (month_day_year, space1, clock).parse(s).ok()?;
    rest.starts_with([' ', '\t'])
        .then(|| (date.and_time(time), bias, rest.trim_start()))
}

/// `<02/09/14 22:53:28>` at the start of `s` (its `<` perhaps escaped as `\<`, as markdown
/// writes it), with what follows it. A two-digit year is of this century.
fn setup_stamp(s: &str) -> Option<(NaiveDateTime, &str)> {
    let s = s.strip_prefix('\\').unwrap_or(s).strip_prefix('<')?;
    let (rest, (date, _, (time, bias), _)) = (month_day_year, space1, clock_grammar, char('>'))
        .parse(s)
        .ok()?;
    let date = match date.year() {
        0..=99 => date.with_year(2000 + date.year())?,
        _ => date,
    };
    bias.is_none().then(|| (date.and_time(time), rest))
}

/// A setup log's entry, when `body` starts with its stamp.
fn setup_entry(body: &str) -> Option<CmRecord<'_>> {
    let (time, message) = setup_stamp(body)?;
    Some(CmRecord {
        line: 0,
        offset: 0,
        message: message.trim(),
        component: None,
        time: Some(time),
        bias: None,
        severity: None,
        thread: None,
        file: None,
        shape: CmShape::Setup,
    })
}

fn copied_entry(body: &str) -> CmRecord<'_> {
    // A trailing backslash is a markdown line break, not part of the entry.
    let body = body.trim_end();
    let mut rest = body.strip_suffix('\\').unwrap_or(body).trim_end();
    let leading = leading_stamp(rest).map(|(time, bias, after)| {
        rest = after;
        (time, bias)
    });
    let thread = trailing_thread(rest).map(|(b, t)| {
        rest = b.trim_end();
        t
    });
    let time = trailing_stamp(rest).map(|(b, t)| {
        rest = b.trim_end();
        t
    });
    let mut component = None;
    if let Some(tab) = rest.rfind('\t') {
        let token = rest[tab + 1..].trim();
        if token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !token.is_empty()
        {
            component = Some(token);
            rest = rest[..tab].trim_end();
        }
    } else if let Some(space) = rest.rfind(' ') {
        let token = &rest[space + 1..];
        let gap = rest[..space].len() - rest[..space].trim_end().len();
        // After a run of spaces any CamelCase word is taken; after one space only a known name.
        let camel = token.starts_with(|c: char| c.is_ascii_uppercase())
            && token.bytes().any(|b| b.is_ascii_lowercase())
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if is_component(token) || (gap >= 1 && camel) {
            component = Some(token);
            rest = rest[..space].trim_end();
        }
    }
    CmRecord {
        line: 0,
        offset: 0,
        message: rest,
        component,
        time: leading.map(|(t, _)| t).or(time),
        bias: leading.and_then(|(_, b)| b),
        severity: None,
        thread,
        file: None,
        shape: CmShape::Copied,
    }
}

/// Which side of ConfigMgr a log line comes from, and how sure: 4 for a full entry header,
/// 2 for a copied line that names its component, 1 for words only one side writes.
pub(crate) fn vote(line: &str) -> Option<(Side, u32)> {
    let l = unquote(line).trim_start();
    let side = |component: &str| {
        if component.starts_with("SMS_") {
            Side::Server
        } else {
            Side::Client
        }
    };
    if l.starts_with("<![LOG[") {
        let component = memmem::find(l.as_bytes(), b"component=\"")
            .map_or("", |at| l[at + 11..].split('"').next().unwrap_or(""));
        return Some((side(component), 4));
    }
    // Only site systems write the trace form, whatever the component is called
    // (`Configuration Manager Setup`, `CMGService`).
    if memmem::find(l.as_bytes(), b"$$<").is_some() {
        return Some((Side::Server, 4));
    }
    // So do the role setup logs' stamps.
    if setup_stamp(l).is_some() {
        return Some((Side::Server, 4));
    }
    if let Some(c) = copied_entry(l).component.filter(|c| is_component(c)) {
        return Some((side(c), 2));
    }
    const CLIENT: &[&str] = &[
        "Failed to end search job",
        "Scan failed with error",
        "Its a WSUS Update Source type",
        "Group policy settings were overwritten by a higher authority",
        "CScanJob::",
        "Enabling WUA Managed server policy",
        "received for assignment",
        "Failed to Add Update Source",
        "Failed at AddUpdateSource",
        "the WUAgent datastore",
        "WSUS Install handler",
        "InstallUpdatesInBatch",
        "CTargetedUpdate::",
        "enforcement state message",
        "Progress: Status = ciState",
        "Update will not be monitored",
        "install of WSUS updates",
    ];
    const SERVER: &[&str] = &[
        "Sync failed",
        "Sync Failed",
        "Failed to sync update",
        "WSUS server not configured",
        "STATMSG: ID=",
        "The request failed with",
        "UssCommunicationError",
        "USSCommunicationError",
        "SMS_WSUS_",
        "unknown to WSUS",
        "not found on WSUS",
        "Subscriptions on the WSUS Server",
        "Software Updates Patch Downloader",
        "DownloadUpdateContent()",
        "for ContentID",
        "Failed to download ContentID",
        "the update content with ID",
        "Failed to download any update",
        "Failed to download update contents",
    ];
    // Asked of most lines of a log's head: each set searched for at once.
    static CLIENT_WORDS: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(CLIENT));
    static SERVER_WORDS: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(SERVER));
    if CLIENT_WORDS.is_in(l) {
        return Some((Side::Client, 1));
    }
    if SERVER_WORDS.is_in(l) {
        return Some((Side::Server, 1));
    }
    None
}

/// Whether `line` is a ConfigMgr log line: one that [`vote`]s, or a copied entry that starts
/// with CMTrace's month-first stamp (`08-14-2019 08:37:30.102 …`), which no Windows Update or
/// WSUS log writes.
pub(crate) fn is_line(line: &str) -> bool {
    vote(line).is_some() || leading_stamp(unquote(line).trim_start()).is_some()
}

/// The machine a ConfigMgr log was written on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// A ConfigMgr client (`WUAHandler.log`, `ScanAgent.log`, …).
    Client,
    /// A site server or software update point (`wsyncmgr.log`, `WCM.log`, …).
    Server,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> CmRecord<'_> {
        let mut all: Vec<_> = CmRecords::new(text).collect();
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0).expect("parses")
    }

    #[test]
    fn the_log_shape_gives_its_own_utc() {
        // The example of issue 18.
        let r = one(
            "<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!><time=\"10:29:36.123+240\" date=\"11-09-2018\" component=\"WUAHandler\" context=\"\" type=\"3\" thread=\"4240\" file=\"cwuahandler.cpp:2809\">\r\n",
        );
        assert_eq!(
            r.message,
            "OnSearchComplete - Failed to end search job. Error = 0x80244022."
        );
        assert_eq!(
            (r.component, r.severity, r.thread),
            (Some("WUAHandler"), Some(3), Some(4240))
        );
        assert_eq!(r.file, Some("cwuahandler.cpp:2809"));
        assert_eq!(r.bias, Some(240));
        assert_eq!(r.utc().unwrap().to_string(), "2018-11-09 14:29:36.123");
    }

    #[test]
    fn the_fixed_clock_reads_as_the_grammar_does() {
        // Times of the real excerpts, and forms the fixed reading leaves to the grammar.
        for t in [
            "08:52:44.338+240",
            "14:24:33.329+420",
            "04:15:01.917-60",
            "13:59:35.6721099",
            "1:02:03.000",
            "10:29:36.123",
            "10:29:36.123+99999",
        ] {
            let grammar = clock_grammar(t).ok();
            assert_eq!(fixed_clock(t).or(grammar), grammar, "{t}");
        }
        assert!(fixed_clock("08:52:44.338+240").is_some());
        assert!(fixed_clock("13:59:35.6721099").is_none());
    }

    #[test]
    fn a_negative_bias_is_east_of_greenwich() {
        let r = one(
            "<![LOG[x]LOG]!><time=\"10:00:00.000-600\" date=\"01-02-2020\" component=\"ScanAgent\" context=\"\" type=\"1\" thread=\"1\" file=\"\">",
        );
        assert_eq!(r.utc().unwrap().to_string(), "2020-01-02 00:00:00");
        assert_eq!(r.file, None);
    }

    #[test]
    fn a_message_spans_lines_and_holds_cdata() {
        let text = "\u{feff}<![LOG[Subscribed Update Categories <?xml version=\"1.0\" ?>\r\n<Categories>\r\n  <Category Id=\"Product:1\"><![CDATA[Windows Server 2012]]></Category>\r\n</Categories>]LOG]!><time=\"08:00:00.000+000\" date=\"03-04-2021\" component=\"SMS_WSUS_CONFIGURATION_MANAGER\" context=\"\" type=\"1\" thread=\"9\" file=\"\">\r\n<![LOG[next]LOG]!><time=\"08:00:01.000+000\" date=\"03-04-2021\" component=\"SMS_WSUS_CONFIGURATION_MANAGER\" context=\"\" type=\"1\" thread=\"9\" file=\"\">\r\n";
        let all: Vec<_> = CmRecords::new(text).map(Result::unwrap).collect();
        assert_eq!(all.len(), 2);
        assert!(all[0].message.ends_with("</Categories>"));
        assert_eq!((all[0].line, all[1].line), (1, 5));
        assert_eq!(all[1].message, "next");
    }

    #[test]
    fn the_trace_shape() {
        // The example of issue 18.
        let r = one(
            "Sync failed: WSUS update source not found.  $$<SMS_WSUS_SYNC_MANAGER><11-09-2018 10:29:36.123+240><thread=4240 (0x1090)>",
        );
        assert_eq!(r.message, "Sync failed: WSUS update source not found.");
        assert_eq!(r.component, Some("SMS_WSUS_SYNC_MANAGER"));
        assert_eq!((r.thread, r.bias), (Some(4240), Some(240)));
        assert_eq!(r.shape, CmShape::Trace);
    }

    #[test]
    fn the_copied_shape_with_date_and_thread() {
        let r = one(
            "Sync failed: Failed to connect.\tSMS_WSUS_SYNC_MANAGER\t08/23/2014 1:53:10 PM\t1104 (0x0450)",
        );
        assert_eq!(r.component, Some("SMS_WSUS_SYNC_MANAGER"));
        assert_eq!(r.thread, Some(1104));
        assert_eq!(r.time.unwrap().to_string(), "2014-08-23 13:53:10");
        assert_eq!(r.message, "Sync failed: Failed to connect.");
    }

    #[test]
    fn a_truncated_log_entry_is_reported() {
        let all: Vec<_> = CmRecords::new("<![LOG[cut here").collect();
        assert!(matches!(all.as_slice(), [Err(_)]));
    }
}
