//! Client records: the classic `WindowsUpdate.log` (XP to 8.1) and the Windows 10+ text of
//! `Get-WindowsUpdateLog`.
//!
//! Classic: `2008-07-14→09:12:01:375→ 788→ee4→PT→message` (TABs, local time, PID padded to
//! width 4, TID in hex). Windows 10: `2021/04/28 12:40:08.8784820 1224  7052  WebServices
//! message` (spaces, local time of the decoding machine, decimal PID and TID, component padded
//! to 15, the culture's date separator).

use chrono::NaiveDateTime;

use super::components::is_known_component;
use super::grammar;
use super::lines::{Line, Lines, column_of};
use super::scan::{
    DateCache, at, blanks, date_parts, decimal, hex, looks_binary, run, time_parts, time_shape,
    trim_paste,
};
use crate::error::{ParseError, ParseErrorKind, Position, excerpt};

/// Which client text format a log is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientFormat {
    /// TAB-separated `WindowsUpdate.log` of Windows XP to 8.1.
    Classic,
    /// Space-padded text written by `Get-WindowsUpdateLog` on Windows 10 and later.
    Win10,
}

impl ClientFormat {
    /// The text format of a client log of `kind` (an `.etl` trace's events read as Windows 10
    /// entries; a fragment is read with the classic grammar, which takes lines without headers).
    /// Only client kinds have one; a server log is taken as Windows 10 text too.
    pub(crate) fn of(kind: crate::input::LogKind) -> Self {
        use crate::input::LogKind;
        if matches!(kind, LogKind::ClientClassic | LogKind::ClientFragment) {
            Self::Classic
        } else {
            Self::Win10
        }
    }
}

/// How much of the entry header a record had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// Date, time, PID, TID, component and message.
    Full,
    /// PID, TID, component and message, with the date and time replaced by placeholder words
    /// (`Date Time`, `<DATE> <TIME>`, a translation).
    Placeholder,
    /// PID, TID, component and message, without date or time.
    NoDate,
    /// A known component and the message only.
    ComponentMessage,
    /// The message alone (an excerpt, or a line wrapped from the entry before).
    MessageOnly,
}

/// One entry of a client log, borrowing from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientRecord<'a> {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column where the entry starts (greater than 1 when entries were joined on one
    /// line, or after a paste-site line number).
    pub column: u32,
    /// Byte offset of the entry in the text.
    pub offset: usize,
    /// Time as written: local time of the machine (classic) or of the machine that decoded the
    /// trace (Windows 10 text). `None` when the entry had no time.
    pub time: Option<NaiveDateTime>,
    /// Process ID.
    pub pid: Option<u32>,
    /// Thread ID.
    pub tid: Option<u32>,
    /// Component as written (`PT`, `Agent`, `WebServices`, …); empty when unknown.
    pub component: &'a str,
    /// The message, with the header removed.
    pub message: &'a str,
    /// How much of the header there was.
    pub shape: Shape,
}

impl ClientRecord<'_> {
    /// Moves a record read from a part of a text that starts after `lines` lines and `bytes`
    /// bytes to its place in the whole text.
    pub(crate) fn shift(&mut self, lines: u32, bytes: usize) {
        self.line = self.line.saturating_add(lines);
        self.offset += bytes;
    }
}

/// A parsed header: the fields and where the message starts.
#[derive(Clone, Copy, Debug)]
struct Header {
    time: Option<NaiveDateTime>,
    pid: Option<u32>,
    tid: Option<u32>,
    component: (usize, usize),
    message: usize,
    shape: Shape,
    /// The date or time has the shape of one but does not exist: `time` is `None`.
    impossible: bool,
}

/// Why a line is not an entry header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Miss {
    /// It does not start like a header at all.
    NotHeader,
    /// It starts like one but breaks at this byte.
    BadAt(usize),
}

/// Iterator over the records of a client log: `Ok` for each entry, `Err` for each malformed
/// line, in input order.
#[derive(Debug, Clone)]
pub struct ClientRecords<'a> {
    text: &'a str,
    lines: Lines<'a>,
    format: ClientFormat,
    recent: Recent,
    /// The rest of a line that held several entries, and its line.
    joined: Option<(Line<'a>, usize)>,
    /// An entry read with its impossible date left out, returned after the problem it is.
    stashed: Option<ClientRecord<'a>>,
}

impl<'a> ClientRecords<'a> {
    /// Parses `text` as a client log in `format`.
    pub fn new(text: &'a str, format: ClientFormat) -> Self {
        Self {
            text,
            lines: Lines::new(text),
            format,
            recent: Recent::default(),
            joined: None,
            stashed: None,
        }
    }

    /// The text being parsed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// How many physical lines have been read so far (all of them once the iterator is done).
    pub fn lines_read(&self) -> u32 {
        self.lines.count_so_far()
    }

    /// The record of a line whose header is well formed. A message holding a TAB (`may_join`)
    /// may hold a second entry whose line break was lost: it is split off.
    ///
    /// Always inlined, as is [`Self::record`]: the record is then built where it is returned
    /// (7% fewer instructions per classic record, in callgrind).
    #[inline(always)]
    fn well_formed(&mut self, line: Line<'a>, h: Header, may_join: bool) -> ClientRecord<'a> {
        let msg = &line.text[h.message.min(line.text.len())..];
        if let Some(split) = may_join.then(|| find_joined(msg, self.format)).flatten() {
            let at = h.message + split;
            let end = h.message + msg[..split].trim_end().len();
            self.joined = Some((line, at));
            return self.record(line, 0, end, h);
        }
        let end = match line.text.as_bytes().last() {
            Some(b'M' | b'|' | b' ') => trim_paste(line.text, |_| false).1.max(h.message),
            _ => line.text.len(),
        };
        self.record(line, 0, end, h)
    }

    #[inline(always)]
    fn record(&self, line: Line<'a>, start: usize, end: usize, h: Header) -> ClientRecord<'a> {
        let entry = &line.text[start..end];
        ClientRecord {
            line: line.number,
            column: column_of(line.text, start),
            offset: line.offset + start,
            time: h.time,
            pid: h.pid,
            tid: h.tid,
            component: &entry[h.component.0..h.component.1],
            message: &entry[h.message.min(entry.len())..],
            shape: h.shape,
        }
    }

    /// Parses the entry at `line.text[start..end]`, splitting off a joined entry if there is
    /// one.
    fn entry(
        &mut self,
        line: Line<'a>,
        start: usize,
        end: usize,
    ) -> Option<Result<ClientRecord<'a>, ParseError>> {
        let text = &line.text[start..end];
        let header = match strict(text, self.format, &mut self.recent) {
            Some(h) => Ok(h),
            None => lenient(text, self.format, &mut self.recent.dates),
        };
        match header {
            Ok(mut h) => {
                skip_trace_prefix(text, &mut h);
                let msg_start = h.message.min(text.len());
                let mut entry_end = end;
                if let Some(split) = find_joined(&text[msg_start..], self.format) {
                    let at = start + msg_start + split;
                    entry_end =
                        start + msg_start + text[msg_start..msg_start + split].trim_end().len();
                    self.joined = Some((line, at));
                }
                let record = self.record(line, start, entry_end, h);
                if h.impossible {
                    self.stashed = Some(record);
                    return Some(Err(bad_line(line, start, ParseErrorKind::ImpossibleDate)));
                }
                Some(Ok(record))
            }
            Err(_) if is_undecoded(text) => {
                Some(Err(bad_line(line, start, ParseErrorKind::Undecoded)))
            }
            Err(Miss::BadAt(i)) => Some(Err(bad_line(line, start + i, ParseErrorKind::BadHeader))),
            Err(Miss::NotHeader) => {
                if text.trim().is_empty() {
                    return None;
                }
                if looks_binary(text) {
                    return Some(Err(bad_line(line, start, ParseErrorKind::Binary)));
                }
                let mut h = headerless(text);
                skip_trace_prefix(text, &mut h);
                let mut entry_end = end;
                let msg = &text[h.message..];
                let split = find_joined(msg, self.format).or_else(|| {
                    (h.shape == Shape::ComponentMessage)
                        .then(|| find_joined_component(msg))
                        .flatten()
                });
                if let Some(split) = split {
                    let at = start + h.message + split;
                    entry_end =
                        start + h.message + text[h.message..h.message + split].trim_end().len();
                    self.joined = Some((line, at));
                }
                Some(Ok(self.record(line, start, entry_end, h)))
            }
        }
    }
}

impl<'a> Iterator for ClientRecords<'a> {
    type Item = Result<ClientRecord<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(record) = self.stashed.take() {
            return Some(Ok(record));
        }
        if let Some((line, at)) = self.joined.take() {
            let end = line.text.len();
            let (_, end) = trim_paste(&line.text[..end], |_| false);
            if let Some(r) = self.entry(line, at, end.max(at)) {
                return Some(r);
            }
        }
        loop {
            let rest = self.lines.rest();
            if self.format == ClientFormat::Classic
                && let Some(h) = strict_classic(rest, &mut self.recent)
            {
                // Fast path: the header is read from the text in place (none of its fields
                // can hold a line break), and one search finds both the end of the line and
                // any TAB in the message.
                let b = rest.as_bytes();
                let m = h.message;
                let (len, tab) = match memchr::memchr3(b'\n', b'\r', b'\t', &b[m..]) {
                    Some(j) if b[m + j] == b'\t' => {
                        let end = memchr::memchr2(b'\n', b'\r', &b[m + j..]);
                        (m + j + end.unwrap_or(b.len() - m - j), true)
                    }
                    Some(j) => (m + j, false),
                    None => (b.len(), false),
                };
                let line = self.lines.take_line(len);
                return Some(Ok(self.well_formed(line, h, tab)));
            }
            let line = self.lines.next()?;
            if self.format == ClientFormat::Win10
                && let Some(mut h) = strict_win10(line.text, &mut self.recent.dates)
            {
                skip_trace_prefix(line.text, &mut h);
                return Some(Ok(self.well_formed(line, h, true)));
            }
            let format = self.format;
            let mut probe = DateCache::default();
            let (start, end) = trim_paste(
                line.text,
                |s| matches!(lenient(s, format, &mut probe), Ok(h) if h.shape == Shape::Full),
            );
            if let Some(r) = self.entry(line, start, end) {
                return Some(r);
            }
        }
    }
}

/// Moves a header's message start past the trace-formatter prefix that some Windows 10 builds'
/// `Get-WindowsUpdateLog` left at the start of the message (`[0]0B2C.0C34::03/07/2017-17:08:41.736
/// [agent]WU client version …`): the header before it says the same. `text` is the entry.
#[inline(always)]
fn skip_trace_prefix(text: &str, h: &mut Header) {
    if text.as_bytes().get(h.message) == Some(&b'[') {
        h.message += trace_prefix_len(&text.as_bytes()[h.message..]);
    }
}

/// The length of the trace-formatter prefix at the start of `message`, 0 when there is none.
#[cold]
#[inline(never)]
fn trace_prefix_len(message: &[u8]) -> usize {
    grammar::trace_prefix(message).map_or(0, |(rest, _)| message.len() - rest.len())
}

/// Whether `text` is an event `Get-WindowsUpdateLog` could not decode:
/// `1600/12/31 16:00:00.0000000 944 2492 Unknown( 10): GUID=… (No Format Information found).`
#[cold]
#[inline(never)]
fn is_undecoded(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"(No Format Information found)").is_some()
        && text.contains("Unknown(")
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

/// What the headers before held: a log's entries come in bursts from one thread, within a
/// second, so most headers repeat most of the one before, and what is repeated is not parsed
/// again.
#[derive(Debug, Default, Clone)]
struct Recent {
    dates: DateCache,
    ids: IdsCache,
}

/// The `PID→TID→Component→` of a classic header.
#[derive(Clone, Copy, Debug, Default)]
struct Ids {
    pid: u32,
    tid: u32,
    /// The component's length.
    component: usize,
    /// The length of the whole, its last TAB included.
    len: usize,
}

/// The bytes of the last two different [`Ids`] read (when 16 or fewer) and what they held, the
/// latest first: a log's entries come from a few threads, often two in turn.
#[derive(Clone, Copy, Debug, Default)]
struct IdsCache {
    last: [IdsSeen; 2],
}

/// [`Ids`] as read, and their bytes.
#[derive(Clone, Copy, Debug, Default)]
struct IdsSeen {
    /// The bytes, little-endian, and a mask of as many bytes (zero while empty).
    raw: u128,
    mask: u128,
    ids: Ids,
}

impl IdsSeen {
    fn holds(&self, word: u128) -> bool {
        self.mask != 0 && (word ^ self.raw) & self.mask == 0
    }
}

impl IdsCache {
    /// The [`Ids`] at the start of `b`, from the cache when they are the same bytes.
    #[inline]
    fn ids_at(&mut self, b: &[u8]) -> Option<Ids> {
        let word = b
            .get(..16)
            .and_then(|w| <[u8; 16]>::try_from(w).ok())
            .map(u128::from_le_bytes);
        if let Some(w) = word {
            if self.last[0].holds(w) {
                return Some(self.last[0].ids);
            }
            if self.last[1].holds(w) {
                self.last.swap(0, 1);
                return Some(self.last[0].ids);
            }
        }
        let ids = classic_ids(b)?;
        if let Some(w) = word {
            // Up to 16 bytes are compared in one word; longer ones are not kept.
            let mask = match ids.len {
                16 => u128::MAX,
                n if n < 16 => (1u128 << (8 * n)) - 1,
                _ => 0,
            };
            self.last[1] = self.last[0];
            self.last[0] = IdsSeen {
                raw: w & mask,
                mask,
                ids,
            };
        }
        Some(ids)
    }
}

/// The well-formed header of each format, checked byte by byte (the hot path).
#[inline]
fn strict(s: &str, format: ClientFormat, recent: &mut Recent) -> Option<Header> {
    match format {
        ClientFormat::Classic => strict_classic(s, recent),
        ClientFormat::Win10 => strict_win10(s, &mut recent.dates),
    }
}

/// `YYYY-MM-DD→HH:MM:SS:mmm→ PID→TID→Component→message`.
#[inline]
fn strict_classic(s: &str, recent: &mut Recent) -> Option<Header> {
    let b = s.as_bytes();
    let (time, i) = recent.dates.stamp(b, b'\t', b":", b":.")?;
    if b.get(i) != Some(&b'\t') {
        return None;
    }
    let i = i + 1;
    let ids = recent.ids.ids_at(&b[i..])?;
    Some(Header {
        time: Some(time),
        pid: Some(ids.pid),
        tid: Some(ids.tid),
        // The component ends at the last TAB.
        component: (i + ids.len - 1 - ids.component, i + ids.len - 1),
        message: i + ids.len,
        shape: Shape::Full,
        impossible: false,
    })
}

/// ` PID→TID→Component→` at the start of `b` ([`grammar::classic_ids`]): a space-padded
/// decimal PID, a hexadecimal TID and an alphanumeric component, each ended by a TAB.
#[inline]
fn classic_ids(b: &[u8]) -> Option<Ids> {
    let (rest, (pid, tid, component)) = grammar::classic_ids(b).ok()?;
    Some(Ids {
        pid,
        tid,
        component,
        len: b.len() - rest.len(),
    })
}

/// `YYYY/MM/DD HH:MM:SS.fffffff PID   TID   Component       message`.
#[inline]
fn strict_win10(s: &str, dates: &mut DateCache) -> Option<Header> {
    let b = s.as_bytes();
    let date = dates.date_at(b, b"/.-")?;
    if b.get(10) != Some(&b' ') {
        return None;
    }
    let (rest, t) = grammar::time(b":.", b".,")(&b[11..]).ok()?;
    let (rest, (pid, tid)) = grammar::win10_ids(rest).ok()?;
    let i = b.len() - rest.len();
    let (component, message) = component_and_message(b, i, ClientFormat::Win10, false)?;
    Some(Header {
        time: Some(at(date, t)),
        pid: Some(pid),
        tid: Some(tid),
        component,
        message,
        shape: Shape::Full,
        impossible: false,
    })
}

/// The component at `i` and where the message after it starts.
///
/// Windows 10 pads the component to 15 characters and adds one space; spaces beyond that are
/// the message's own indentation and are kept. The classic log separates with a TAB; when TABs
/// became spaces, all of them are skipped.
#[inline]
fn component_and_message(
    b: &[u8],
    i: usize,
    format: ClientFormat,
    glued: bool,
) -> Option<((usize, usize), usize)> {
    let (_, word) = grammar::component(&b[i..]).ok()?;
    let n = word.len();
    let mut j = i + n;
    match b.get(j) {
        None => return Some(((i, j), j)),
        Some(b'\t') => return Some(((i, j), j + 1)),
        Some(b' ') => {}
        // TABs deleted: the message follows the component directly.
        Some(_) if glued => return Some(((i, j), j)),
        Some(_) => return None,
    }
    match format {
        ClientFormat::Win10 => {
            let pad = 15usize.saturating_sub(n) + 1;
            j += b[j..].iter().take(pad).take_while(|&&c| c == b' ').count();
        }
        ClientFormat::Classic => j += blanks(&b[j..]),
    }
    Some(((i, i + n), j))
}

/// Headers as people paste them: any run of TABs and spaces (or none, when TABs were deleted)
/// between fields, placeholder words for the date and time, or no date and time at all.
fn lenient(s: &str, format: ClientFormat, dates: &mut DateCache) -> Result<Header, Miss> {
    let b = s.as_bytes();
    let mut i;
    let mut time = None;
    let shape;
    let mut glued = false;
    let mut impossible = false;
    if date_parts(b, b"-/.").is_some() {
        i = 10;
        let gap = blanks(&b[i..]);
        // TABs deleted by a copy: the time follows the date directly.
        glued = gap == 0 && format == ClientFormat::Classic;
        i += gap;
        let (seps, frac) = match format {
            ClientFormat::Classic => (&b":"[..], &b":."[..]),
            ClientFormat::Win10 => (&b":."[..], &b".,:"[..]),
        };
        match time_parts(&b[i..], seps, frac) {
            Some((t, used)) => {
                i += used;
                time = dates.date_at(b, b"-/.").map(|date| at(date, t));
            }
            None => i += time_shape(&b[i..], seps, frac).ok_or(Miss::BadAt(i))?,
        }
        impossible = time.is_none();
        shape = Shape::Full;
    } else if let Some(n) = placeholders(s) {
        i = n;
        shape = Shape::Placeholder;
    } else {
        i = 0;
        shape = Shape::NoDate;
    }
    let fail = |at: usize| {
        if shape == Shape::Full {
            Miss::BadAt(at)
        } else {
            Miss::NotHeader
        }
    };
    let gap = if glued { 0 } else { blanks(&b[i..]) };
    glued |= gap == 0 && shape == Shape::Full && format == ClientFormat::Classic;
    i += gap;
    // PID: decimal; hexadecimal in the time-less rendering of a trace (`03E4 1668 SLS …`).
    let pid = if glued {
        // TABs deleted: the PID field is 4 characters wide, space-padded.
        let field = b.get(i..i + 4).ok_or(fail(i))?;
        let digits = field
            .iter()
            .skip_while(|&&c| c == b' ')
            .copied()
            .collect::<Vec<u8>>();
        let pid = decimal(&digits).ok_or(fail(i))?;
        i += 4;
        pid
    } else {
        let n = run(&b[i..], |c| c.is_ascii_hexdigit());
        let field = &b[i..i + n];
        let pid = if shape == Shape::NoDate && field.iter().any(u8::is_ascii_alphabetic) {
            hex(field)
        } else {
            decimal(field)
        };
        let pid = pid.ok_or(fail(i))?;
        i += n;
        pid
    };
    let gap = blanks(&b[i..]);
    if gap == 0 && !glued {
        return Err(fail(i));
    }
    i += gap;
    // TID: hexadecimal in the classic log, decimal in the Windows 10 text.
    let tid = if gap == 0 {
        // Glued to the component: the classic TID is lower-case hex, components start upper-case.
        let n = run(&b[i..], |c| {
            c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
        });
        let tid = hex(&b[i..i + n]).ok_or(fail(i))?;
        i += n;
        tid
    } else {
        let n = run(&b[i..], |c| c.is_ascii_hexdigit());
        let field = &b[i..i + n];
        let tid = match format {
            ClientFormat::Win10 if !field.iter().any(u8::is_ascii_alphabetic) => decimal(field),
            _ => hex(field),
        };
        let tid = tid.ok_or(fail(i))?;
        i += n;
        i += blanks(&b[i..]);
        tid
    };
    let (component, message) = component_and_message(b, i, format, glued).ok_or(fail(i))?;
    if shape == Shape::NoDate && !is_known_component(&s[component.0..component.1]) {
        return Err(Miss::NotHeader);
    }
    Ok(Header {
        time,
        pid: Some(pid),
        tid: Some(tid),
        component,
        message,
        shape,
        impossible,
    })
}

/// Two placeholder words standing for the date and the time (`Date Time`, `<DATE> <TIME>`,
/// `Dato Klokkeslett`), followed by a blank; returns their length.
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
    s.as_bytes().get(i).filter(|c| c.is_ascii_digit())?;
    Some(i)
}

/// A line without a header: a known component and its message, or the message alone.
fn headerless(s: &str) -> Header {
    let b = s.as_bytes();
    let n = run(b, |c| c.is_ascii_alphabetic());
    if n > 0 && blanks(&b[n..]) > 0 && is_known_component(&s[..n]) {
        return Header {
            time: None,
            pid: None,
            tid: None,
            component: (0, n),
            message: n + blanks(&b[n..]),
            shape: Shape::ComponentMessage,
            impossible: false,
        };
    }
    Header {
        time: None,
        pid: None,
        tid: None,
        component: (0, 0),
        message: 0,
        shape: Shape::MessageOnly,
        impossible: false,
    }
}

/// Where a second entry starts inside a message whose line break was lost.
///
/// Only a complete header counts (date, time, PID, TID, component), so dates and times that
/// messages carry themselves (`next detection timeout to 2011-08-24 00:12:30`) never split an
/// entry.
fn find_joined(msg: &str, format: ClientFormat) -> Option<usize> {
    let b = &msg.as_bytes()[..msg.len().min(super::MAX_LINE)];
    let mut from = 0;
    let mut recent = Recent::default();
    while let Some(p) = next_separator(&b[from..], format) {
        let sep = from + p;
        from = sep + 1;
        let Some(start) = sep.checked_sub(4) else {
            continue;
        };
        if !msg.is_char_boundary(start) || date_parts(&b[start..], b"-/.").is_none() {
            continue;
        }
        let rest = &msg[start..];
        let ok = match strict(rest, format, &mut recent) {
            Some(_) => true,
            None => {
                matches!(lenient(rest, format, &mut recent.dates), Ok(h) if h.shape == Shape::Full)
            }
        };
        if ok {
            return Some(start);
        }
    }
    None
}

/// Where a second entry without a header starts inside the message of one (`… 0x80244010 PT
/// WARNING: Sync of Updates …`): a known component after a blank, then what Windows Update
/// writes first in a message (`WARNING:`, `FATAL:`, `*`, `#`, `>>`, `<<`, `+`, `=`).
fn find_joined_component(msg: &str) -> Option<usize> {
    const OPENINGS: &[&str] = &["WARNING:", "FATAL:", "*", "#", ">>", "<<", "+", "="];
    let b = &msg.as_bytes()[..msg.len().min(super::MAX_LINE)];
    let mut from = 0;
    while let Some(p) = memchr::memchr(b' ', &b[from..]) {
        let start = from + p + 1;
        from = start;
        let n = run(&b[start..], |c| c.is_ascii_alphabetic());
        let gap = blanks(&b[start + n..]);
        if n == 0 || gap == 0 || start < 2 || b[start - 2] == b' ' {
            continue;
        }
        let after = &msg[start + n + gap..];
        if is_known_component(&msg[start..start + n])
            && OPENINGS.iter().any(|o| after.starts_with(o))
        {
            return Some(start);
        }
    }
    None
}

#[inline]
fn next_separator(b: &[u8], format: ClientFormat) -> Option<usize> {
    match format {
        ClientFormat::Classic => memchr::memchr(b'-', b),
        ClientFormat::Win10 => memchr::memchr3(b'/', b'.', b'-', b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, format: ClientFormat) -> Vec<Result<ClientRecord<'_>, ParseError>> {
        ClientRecords::new(text, format).collect()
    }

    fn one(text: &str, format: ClientFormat) -> ClientRecord<'_> {
        let mut all = parse(text, format);
        assert_eq!(all.len(), 1, "{all:?}");
        all.remove(0).expect("a record")
    }

    fn summary(r: &ClientRecord<'_>) -> String {
        format!(
            "{} {:?} {:?} {:?} [{}] {:?} ({:?} col {})",
            r.time.map(|t| t.to_string()).unwrap_or_default(),
            r.pid,
            r.tid,
            r.shape,
            r.component,
            r.message,
            r.line,
            r.column
        )
    }

    #[test]
    fn classic_well_formed() {
        let r = one(
            "2016-10-19\t11:23:47:610\t1532\t1f40\tPT\t  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wswsus02.healthy.bewell.ca/ClientWebService/client.asmx",
            ClientFormat::Classic,
        );
        insta::assert_snapshot!(summary(&r), @r#"2016-10-19 11:23:47.610 Some(1532) Some(8000) Full [PT] "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wswsus02.healthy.bewell.ca/ClientWebService/client.asmx" (1 col 1)"#);
    }

    #[test]
    fn classic_padded_pid_and_banner() {
        let r = one(
            "2022-11-06\t08:22:57:447\t 704\t87c\tMisc\t===========  Logging initialized (build: 7.6.7600.311, tz: -0500)  ===========",
            ClientFormat::Classic,
        );
        assert_eq!(
            (r.pid, r.tid, r.component),
            (Some(704), Some(0x87c), "Misc")
        );
        assert!(r.message.starts_with("===========  Logging initialized"));
    }

    #[test]
    fn classic_without_milliseconds() {
        let r = one(
            "2005-06-01\t18:30:03\t992\t810\tMisc\t= Logging initialized",
            ClientFormat::Classic,
        );
        assert_eq!(r.time.unwrap().to_string(), "2005-06-01 18:30:03");
        assert_eq!(r.message, "= Logging initialized");
    }

    #[test]
    fn classic_message_keeps_its_tabs() {
        let line = "2016-10-19\t14:23:56:200\t1532\t2150\tReport\tREPORT EVENT: {CA27992C-3791-43CF-8ED3-18B05939AB84}\t2016-10-19 14:23:56:200-0600\t1\t181\t101\t{37EA312C-2424-4158-B30F-E614AA28DA4A}\t501\t0\twusa\tSuccess\tContent Install\tInstallation Started";
        let r = one(line, ClientFormat::Classic);
        assert!(r.message.starts_with("REPORT EVENT:"));
        assert!(r.message.ends_with("Installation Started"));
    }

    #[test]
    fn classic_tabs_collapsed_to_spaces() {
        let r = one(
            "2016-09-08 10:48:43:109  848 604 Misc WARNING: Send failed with hr = 80072ee2.",
            ClientFormat::Classic,
        );
        insta::assert_snapshot!(summary(&r), @r#"2016-09-08 10:48:43.109 Some(848) Some(1540) Full [Misc] "WARNING: Send failed with hr = 80072ee2." (1 col 1)"#);
    }

    #[test]
    fn classic_tabs_as_wide_space_runs() {
        let r = one(
            "2017-03-19      01:54:36:379     2720     9a4      COMAPI      WARNING: Unable to trigger Automatic Updates to detect now, hr=8024A000",
            ClientFormat::Classic,
        );
        assert_eq!(
            (r.pid, r.tid, r.component),
            (Some(2720), Some(0x9a4), "COMAPI")
        );
        assert!(r.message.starts_with("WARNING: Unable"));
    }

    #[test]
    fn classic_tabs_deleted() {
        let r = one(
            "2005-06-0118:30:33 99258cAgent* WU client version 5.8.0.2469",
            ClientFormat::Classic,
        );
        insta::assert_snapshot!(summary(&r), @r#"2005-06-01 18:30:33 Some(992) Some(1420) Full [Agent] "* WU client version 5.8.0.2469" (1 col 1)"#);
        let r = one(
            "2005-06-0118:30:03 992810Service** START **  Service: Service startup",
            ClientFormat::Classic,
        );
        assert_eq!(
            (r.pid, r.tid, r.component),
            (Some(992), Some(0x810), "Service")
        );
    }

    #[test]
    fn placeholders_from_kb_articles() {
        let r = one(
            "Date Time 788 ee4 PT WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200",
            ClientFormat::Classic,
        );
        insta::assert_snapshot!(summary(&r), @r#" Some(788) Some(3812) Placeholder [PT] "WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200" (1 col 1)"#);
        let r = one(
            "Dato Klokkeslett 788 ee4 PT WARNING: ID:c0a7445f-b989-43fa-ac20-11f8ca65fa8c",
            ClientFormat::Classic,
        );
        assert_eq!((r.shape, r.component), (Shape::Placeholder, "PT"));
        let r = one(
            "<DATE> <TIME> 788 ee4 PT WARNING: SOAP Fault: 0x000190",
            ClientFormat::Classic,
        );
        assert_eq!(r.message, "WARNING: SOAP Fault: 0x000190");
    }

    #[test]
    fn excerpts_without_header() {
        let all = parse(
            "PT WARNING: Exceeded max server round trips: 0x80244010\nWARNING: Send failed with hr = 80072ee2.\n 788\tee4\tPT\tWARNING: PTError: 0x8024400e\n",
            ClientFormat::Classic,
        );
        let r: Vec<_> = all.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(
            (r[0].shape, r[0].component),
            (Shape::ComponentMessage, "PT")
        );
        assert_eq!(
            r[0].message,
            "WARNING: Exceeded max server round trips: 0x80244010"
        );
        assert_eq!(
            (r[1].shape, r[1].message),
            (
                Shape::MessageOnly,
                "WARNING: Send failed with hr = 80072ee2."
            )
        );
        assert_eq!(
            (r[2].shape, r[2].pid, r[2].component),
            (Shape::NoDate, Some(788), "PT")
        );
    }

    #[test]
    fn paste_site_damage() {
        let text = "  1. 2016-10-19 11:23:47:375 1532 2150 AU #############\r\n\r\n  2. 2016-10-19 11:23:47:375 1532 2150 AU ## START ##  AU: Search for updates |\n2016-10-19\t11:23:47:610\t1532\t1f40\tPT\tx^M\n";
        let r: Vec<_> = parse(text, ClientFormat::Classic)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].line, r[0].column, r[0].message),
            (1, 6, "#############")
        );
        assert_eq!(
            (r[1].line, r[1].message),
            (3, "## START ##  AU: Search for updates")
        );
        assert_eq!(r[2].message, "x");
    }

    #[test]
    fn joined_entries_are_split_but_message_dates_are_not() {
        let text = "2011-08-23 22:12:30:120 1000 17c4 AU AU setting next detection timeout to 2011-08-24 00:12:30 2011-08-23 22:12:30:121 1000 17c4 AU Setting AU scheduled install time to 2011-08-24 03:00:00";
        let r: Vec<_> = parse(text, ClientFormat::Classic)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(
            r[0].message,
            "AU setting next detection timeout to 2011-08-24 00:12:30"
        );
        assert_eq!((r[1].line, r[1].column), (1, 95));
        assert_eq!(
            r[1].message,
            "Setting AU scheduled install time to 2011-08-24 03:00:00"
        );
    }

    #[test]
    fn joined_entries_without_headers_are_split() {
        let text = "PT WARNING: Exceeded max server round trips: 0x80244010 PT WARNING: Sync of Updates: 0x80244010 Agent * WARNING: Exit code = 0x80244010 Agent ** END ** Agent: Finding updates";
        let got: Vec<(&str, &str)> = parse(text, ClientFormat::Classic)
            .iter()
            .map(|r| {
                r.as_ref()
                    .map(|r| (r.component, r.message))
                    .expect("a record")
            })
            .collect();
        assert_eq!(
            got,
            [
                ("PT", "WARNING: Exceeded max server round trips: 0x80244010"),
                ("PT", "WARNING: Sync of Updates: 0x80244010"),
                ("Agent", "* WARNING: Exit code = 0x80244010"),
                ("Agent", "** END ** Agent: Finding updates"),
            ]
        );
        // A component named inside a message, not opening one, does not split it.
        let r = one(
            "AU AU setting next detection timeout",
            ClientFormat::Classic,
        );
        assert_eq!(r.message, "AU setting next detection timeout");
    }

    #[test]
    fn win10_well_formed() {
        let r = one(
            "2021/04/28 12:40:08.8784820 1224  7052  WebServices     *FAILED* [80240439] Web service call",
            ClientFormat::Win10,
        );
        insta::assert_snapshot!(summary(&r), @r#"2021-04-28 12:40:08.878482 Some(1224) Some(7052) Full [WebServices] "*FAILED* [80240439] Web service call" (1 col 1)"#);
    }

    #[test]
    fn win10_wide_ids_and_separators() {
        let r = one(
            "2022-08-13 22:15:50.8367312 133420 134060 Misc            Got WSUS Client/Server URL: http://w:8530/ClientWebService/client.asmx\"\"",
            ClientFormat::Win10,
        );
        assert_eq!(
            (r.pid, r.tid, r.component),
            (Some(133420), Some(134060), "Misc")
        );
        let r = one(
            "2018.10.21 12:08:49.8046643 1276 3628 Shared * START * Service startup",
            ClientFormat::Win10,
        );
        assert_eq!(
            (r.component, r.message),
            ("Shared", "* START * Service startup")
        );
        let r = one(
            "2023/09/14 16:09:29.8316990 5000  5160  DownloadManager   Progress failure bytes total = 0",
            ClientFormat::Win10,
        );
        assert_eq!(r.message, "  Progress failure bytes total = 0");
    }

    #[test]
    fn win10_joined_without_space() {
        let text = "2020/01/23 10:11:12.1234567 1000  2000  DownloadManager bytes transferred = 02020/01/23 10:11:12.2234567 1000  2000  Agent           next";
        let r: Vec<_> = parse(text, ClientFormat::Win10)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].message, "bytes transferred = 0");
        assert_eq!((r[1].component, r[1].message), ("Agent", "next"));
    }

    #[test]
    fn win10_time_less_hex_ids() {
        let r = one(
            "03E4 1668 SLS Making request with URL HTTPS://sls.update.microsoft.com/SLS/x",
            ClientFormat::Win10,
        );
        assert_eq!(
            (r.pid, r.tid, r.shape),
            (Some(0x3e4), Some(1668), Shape::NoDate)
        );
    }

    #[test]
    fn malformed_line_is_reported_and_skipped() {
        let text = "2016-10-19\t11:23:47:375\t1532\t2150\tAU\tone\n2016-10-19\t1x:23:47:375\t1532\n2016-10-19\t11:23:47:375\t1532\t2150\tAU\ttwo\n";
        let all = parse(text, ClientFormat::Classic);
        assert_eq!(all.len(), 3);
        let e = all[1].as_ref().unwrap_err();
        assert_eq!(
            (e.position.line, e.position.column, e.kind),
            (2, 12, ParseErrorKind::BadHeader)
        );
        assert_eq!(all[2].as_ref().unwrap().message, "two");
    }

    #[test]
    fn impossible_dates_keep_the_entry_without_its_time() {
        for (text, format) in [
            (
                "2024-13-05\t10:12:44:123\t1100\tee4\tPT\tWARNING: PTError: 0x8024400e\n",
                ClientFormat::Classic,
            ),
            (
                "2024-02-30 10:12:44:123 1100 ee4 PT WARNING: PTError: 0x8024400e\n",
                ClientFormat::Classic,
            ),
            (
                "2024/03/05 25:61:44.1234567 1100  3812  ProtocolTalker  WARNING: PTError: 0x8024400e\n",
                ClientFormat::Win10,
            ),
        ] {
            let all = parse(text, format);
            assert_eq!(all.len(), 2, "{text}: {all:?}");
            let e = all[0].as_ref().unwrap_err();
            assert_eq!(
                (e.kind, e.position.line),
                (ParseErrorKind::ImpossibleDate, 1)
            );
            let r = all[1].as_ref().unwrap();
            assert_eq!(
                (r.time, r.pid, r.shape, r.message),
                (
                    None,
                    Some(1100),
                    Shape::Full,
                    "WARNING: PTError: 0x8024400e"
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn binary_lines_are_errors() {
        let all = parse("\u{1}\u{2}garbage\u{3}\n", ClientFormat::Classic);
        assert_eq!(all[0].as_ref().unwrap_err().kind, ParseErrorKind::Binary);
    }

    #[test]
    fn cr_only_line_ends() {
        let text = "2016-10-19\t11:23:47:375\t1532\t2150\tAU\tone\r2016-10-19\t11:23:47:375\t1532\t2150\tAU\ttwo";
        let r: Vec<_> = parse(text, ClientFormat::Classic)
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!((r[1].line, r[1].message), (2, "two"));
    }

    /// The parts of classic lines, well and badly formed, that a header cache could confuse:
    /// stamps in and out of the second before, and IDs and components that share a prefix.
    fn classic_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::sample::select;
        (
            select(vec!["2024-03-12", "2024-03-13", "2024-02-30", "2024-03-1x"]),
            select(vec![
                "01:47:08:015",
                "01:47:08:016",
                "01:47:09:015",
                "01:47:08",
                "01:47:08.0151",
                "01:47:08.015",
                "01:47:08:01x",
                "25:47:08:015",
            ]),
            select(vec!["1032", " 788", "12345", "10x", ""]),
            select(vec!["31c", "31C", "ee4", "12345678", "123456789"]),
            select(vec![
                "Agent",
                "AU",
                "PT",
                "AgentX",
                "SomeVeryLongComponent",
                "Ag nt",
                "",
            ]),
            select(vec![
                "hello",
                "",
                "a\tb",
                "x\t2024-03-12\t01:47:08:015\t1032\t31c\tAgent\tjoined",
            ]),
            select(vec!["\n", "\r\n", "\r"]),
        )
            .prop_map(|(date, time, pid, tid, comp, msg, end)| {
                format!("{date}\t{time}\t{pid}\t{tid}\t{comp}\t{msg}{end}")
            })
    }

    fn fields(r: &Result<ClientRecord<'_>, ParseError>) -> String {
        match r {
            Ok(r) => format!(
                "{:?} {:?} {:?} {:?} {:?} {:?}",
                r.time, r.pid, r.tid, r.component, r.message, r.shape
            ),
            Err(e) => format!("{:?} col {}", e.kind, e.position.column),
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// What the parser remembers from the lines before never changes what a line says.
        #[test]
        fn each_line_reads_as_it_would_alone(lines in proptest::collection::vec(classic_line(), 1..24)) {
            let text = lines.concat();
            let together: Vec<String> = parse(&text, ClientFormat::Classic).iter().map(fields).collect();
            let alone: Vec<String> = lines
                .iter()
                .flat_map(|l| parse(l, ClientFormat::Classic))
                .map(|r| fields(&r))
                .collect();
            prop_assert_eq!(together, alone);
        }
    }
}
