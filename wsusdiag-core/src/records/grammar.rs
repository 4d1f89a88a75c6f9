//! The fields of the record headers as nom grammars over borrowed bytes: dates, times, the
//! classic `PID→TID→Component→`, the Windows 10 `PID TID Component` and the server's
//! `Level process.N Class.Method`. Line ends are found with memchr before any of these run;
//! the header caches ([`super::scan::DateCache`] and the classic ID cache) only skip a grammar
//! when the same bytes were parsed just before.

use chrono::NaiveTime;
use nom::error::ErrorKind;
use nom::{IResult, Input};

/// Bytes in, a value and the bytes after it out.
pub(crate) type Res<'a, O> = IResult<&'a [u8], O>;

/// A recoverable failure at `i`.
#[cold]
fn fail<O>(i: &[u8], kind: ErrorKind) -> Res<'_, O> {
    Err(nom::Err::Error(nom::error::Error::new(i, kind)))
}

// The classes of bytes the header fields are made of, one bit each in `CLASSES`: one table
// look-up per byte instead of a chain of comparisons.
const DIGIT: u8 = 1;
const BLANK: u8 = 1 << 1;
const ALNUM: u8 = 1 << 2;
/// A client component after its first letter: letters, digits and `_`.
const WORD: u8 = 1 << 3;
/// A server process name: letters, digits, `_` and `-`.
const PROCESS: u8 = 1 << 4;
/// A server `Class.Method`: letters, digits, `_`, `.` and `` ` ``.
const SOURCE: u8 = 1 << 5;

static CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut k = 0;
        if b.is_ascii_digit() {
            k |= DIGIT;
        }
        if b == b' ' || b == b'\t' {
            k |= BLANK;
        }
        if b.is_ascii_alphanumeric() {
            k |= ALNUM | WORD | PROCESS | SOURCE;
        }
        if b == b'_' {
            k |= WORD;
        }
        if b == b'_' || b == b'-' {
            k |= PROCESS;
        }
        if matches!(b, b'_' | b'.' | b'`') {
            k |= SOURCE;
        }
        t[c] = k;
        c += 1;
    }
    t
};

/// Whether `c` is of `class`.
#[inline(always)]
fn is(c: u8, class: u8) -> bool {
    CLASSES[usize::from(c)] & class != 0
}

/// One byte or more of `class` (nom's `take_while1`, called without its `Parser` wrapper).
#[inline(always)]
fn many1(i: &[u8], class: u8) -> Res<'_, &[u8]> {
    i.split_at_position1_complete(|c| !is(c, class), ErrorKind::TakeWhile1)
}

/// A run of TABs or spaces (at least one).
#[inline(always)]
fn blanks(i: &[u8]) -> Res<'_, &[u8]> {
    many1(i, BLANK)
}

/// The byte `c`.
#[inline(always)]
fn byte(i: &[u8], c: u8) -> Res<'_, u8> {
    match i.first() {
        Some(&b) if b == c => Ok((&i[1..], c)),
        _ => fail(i, ErrorKind::Char),
    }
}

/// One byte of `set` (a few bytes, compared inline: `<[u8]>::contains` would call memchr).
#[inline(always)]
#[allow(clippy::manual_contains)]
fn one_of<'a>(i: &'a [u8], set: &[u8]) -> Res<'a, u8> {
    match i.first() {
        Some(&c) if set.iter().any(|&s| s == c) => Ok((&i[1..], c)),
        _ => fail(i, ErrorKind::OneOf),
    }
}

/// Exactly `N` ASCII digits, as a number: one bounds check, then each digit in place.
#[inline(always)]
fn fixed_digits<const N: usize>(i: &[u8]) -> Res<'_, u32> {
    let Some(d) = i.first_chunk::<N>() else {
        return fail(i, ErrorKind::Digit);
    };
    let mut v = 0u32;
    for &c in d {
        let x = c.wrapping_sub(b'0');
        if x > 9 {
            return fail(i, ErrorKind::Digit);
        }
        v = v * 10 + u32::from(x);
    }
    Ok((&i[N..], v))
}

/// Three numbers of `N`, 2 and 2 digits, separated twice by the same byte of `seps`: the
/// shape of a date and of a time. The separators are checked first: most text that is not a
/// date or a time fails there, before any digit is read.
#[inline(always)]
fn triple<'a, const N: usize>(i: &'a [u8], seps: &[u8]) -> Res<'a, (u32, u32, u32, u8)> {
    match (i.get(N), i.get(N + 3)) {
        (Some(&a), Some(&b)) if a == b && one_of(&i[N..], seps).is_ok() => {}
        _ => return fail(i, ErrorKind::OneOf),
    }
    let (i, a) = fixed_digits::<N>(i)?;
    let (i, sep) = one_of(i, seps)?;
    let (i, b) = fixed_digits::<2>(i)?;
    let (i, _) = byte(i, sep)?;
    let (i, c) = fixed_digits::<2>(i)?;
    Ok((i, (a, b, c, sep)))
}

/// `YYYY?MM?DD`, `?` one of `seps` and the same both times: year, month, day and the
/// separator. The values are not checked: a month 13 parses.
#[inline]
pub(crate) fn date<'a>(seps: &'static [u8]) -> impl Fn(&'a [u8]) -> Res<'a, (u32, u32, u32, u8)> {
    move |i| triple::<4>(i, seps)
}

/// A fraction of a second after one of `frac_seps`: 1 to 9 digits (more are left), as
/// nanoseconds.
#[inline(always)]
fn fraction<'a>(i: &'a [u8], frac_seps: &[u8]) -> Res<'a, u32> {
    let (d, _) = one_of(i, frac_seps)?;
    let (_, digits) = d.split_at_position1_complete(|c| !c.is_ascii_digit(), ErrorKind::Digit)?;
    let n = digits.len().min(9);
    let v = digits[..n]
        .iter()
        .fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
    Ok((&d[n..], v * POWERS[9 - n]))
}

/// Powers of ten, to scale a fraction's digits to nanoseconds.
const POWERS: [u32; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// `HH?MM?SS` and an optional fraction: the hour, minute, second and nanoseconds as written,
/// the values not checked (`25:61:00` parses; see [`time`]).
#[inline(always)]
pub(crate) fn clock<'a>(
    seps: &'static [u8],
    frac_seps: &'static [u8],
) -> impl Fn(&'a [u8]) -> Res<'a, (u32, u32, u32, u32)> {
    move |i| {
        let (i, (h, m, s, _)) = triple::<2>(i, seps)?;
        // An optional fraction (nom's `opt`, inline).
        let (i, nanos) = match fraction(i, frac_seps) {
            Ok((rest, n)) => (rest, n),
            Err(nom::Err::Error(_)) => (i, 0),
            Err(e) => return Err(e),
        };
        Ok((i, (h, m, s, nanos)))
    }
}

/// A time that exists: [`clock`] with its values checked.
#[inline(always)]
pub(crate) fn time<'a>(
    seps: &'static [u8],
    frac_seps: &'static [u8],
) -> impl Fn(&'a [u8]) -> Res<'a, NaiveTime> {
    move |i| {
        let (rest, (h, m, s, n)) = clock(seps, frac_seps)(i)?;
        match NaiveTime::from_hms_nano_opt(h, m, s, n) {
            Some(t) => Ok((rest, t)),
            None => fail(i, ErrorKind::MapOpt),
        }
    }
}

/// A decimal number of 1 to 10 digits that fits in 32 bits.
#[inline]
pub(crate) fn decimal(i: &[u8]) -> Res<'_, u32> {
    let (rest, digits) = i.split_at_position1_complete(|c| !is(c, DIGIT), ErrorKind::Digit)?;
    if digits.len() > 10 {
        return fail(i, ErrorKind::TooLarge);
    }
    let v = digits
        .iter()
        .fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
    match u32::try_from(v) {
        Ok(v) => Ok((rest, v)),
        Err(_) => fail(i, ErrorKind::TooLarge),
    }
}

/// A hexadecimal number of 1 to 8 digits.
#[inline]
pub(crate) fn hex(i: &[u8]) -> Res<'_, u32> {
    let mut v = 0u32;
    let mut n = 0;
    while let Some(&c) = i.get(n) {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => break,
        };
        if n == 8 {
            return fail(i, ErrorKind::TooLarge);
        }
        v = (v << 4) | u32::from(d);
        n += 1;
    }
    if n == 0 {
        return fail(i, ErrorKind::HexDigit);
    }
    Ok((&i[n..], v))
}

/// The classic ` PID→TID→Component→`: a space-padded decimal PID, a hexadecimal TID and an
/// alphanumeric component, each ended by a TAB. Returns the PID, the TID and the component's
/// length; the bytes used are the input's length less the rest's.
pub(crate) fn classic_ids(i: &[u8]) -> Res<'_, (u32, u32, usize)> {
    let (i, _) = i.split_at_position_complete::<_, nom::error::Error<&[u8]>>(|c| c != b' ')?;
    let (i, pid) = decimal(i)?;
    let (i, _) = byte(i, b'\t')?;
    let (i, tid) = hex(i)?;
    let (i, _) = byte(i, b'\t')?;
    let (i, component) = many1(i, ALNUM)?;
    let (i, _) = byte(i, b'\t')?;
    Ok((i, (pid, tid, component.len())))
}

/// The Windows 10 ` PID   TID   ` after the time: two decimal numbers, each after blanks.
#[inline]
pub(crate) fn win10_ids(i: &[u8]) -> Res<'_, (u32, u32)> {
    let (i, _) = blanks(i)?;
    let (i, pid) = decimal(i)?;
    let (i, _) = blanks(i)?;
    let (i, tid) = decimal(i)?;
    let (i, _) = blanks(i)?;
    Ok((i, (pid, tid)))
}

/// A client component: a letter, then letters, digits and `_`.
#[inline]
pub(crate) fn component(i: &[u8]) -> Res<'_, &[u8]> {
    match i.first() {
        Some(c) if c.is_ascii_alphabetic() => many1(i, WORD),
        _ => fail(i, ErrorKind::Alpha),
    }
}

/// The trace-formatter prefix some Windows 10 builds' `Get-WindowsUpdateLog` left at the start
/// of a message, `[0]0B2C.0C34::03/07/2017-17:08:41.736 [agent]`: CPU, hexadecimal PID and
/// TID, the time as the formatter wrote it, and the WPP module's tag. Returns the tag; the rest
/// is the message.
#[cold]
#[inline(never)]
pub(crate) fn trace_prefix(i: &[u8]) -> Res<'_, &[u8]> {
    let (i, _) = byte(i, b'[')?;
    let (i, _) = many1(i, DIGIT)?;
    let (i, _) = byte(i, b']')?;
    let (i, _) = hex(i)?;
    let (i, _) = byte(i, b'.')?;
    let (i, _) = hex(i)?;
    let (i, _) = byte(i, b':')?;
    let (i, _) = byte(i, b':')?;
    // The time: one word (`03/07/2017-17:08:41.736`) or two (`2024-03-05 10:12:44.123`).
    fn word(i: &[u8]) -> Res<'_, ()> {
        let (i, _) = i.split_at_position1_complete(|c| c == b' ' || c == b'[', ErrorKind::Space)?;
        let (i, _) = i.split_at_position_complete(|c| c != b' ')?;
        Ok((i, ()))
    }
    let (mut i, _) = word(i)?;
    if i.first() != Some(&b'[') {
        i = word(i)?.0;
    }
    let (i, _) = byte(i, b'[')?;
    let (i, tag) = many1(i, WORD)?;
    let (i, _) = byte(i, b']')?;
    Ok((i, tag))
}

/// The server's levels, told apart by their first bytes before one tag is compared (no `alt`
/// trying each in turn).
#[inline(always)]
fn level(i: &[u8]) -> Res<'_, &[u8]> {
    let word: &'static [u8] = match i.first() {
        Some(b'I') => b"Info",
        Some(b'E') => b"Error",
        Some(b'W') => b"Warning",
        Some(b'C') if i.get(1) == Some(&b'h') => b"Change",
        Some(b'C') => b"Critical",
        Some(b'F') => b"Fatal",
        Some(b'D') => b"Debug",
        Some(b'V') => b"Verbose",
        Some(b'T') => b"Trace",
        Some(b'A') => b"Audit",
        _ => return fail(i, ErrorKind::Tag),
    };
    if i.starts_with(word) {
        Ok(i.take_split(word.len()))
    } else {
        fail(i, ErrorKind::Tag)
    }
}

/// The server's well-separated `→Level→process.N→Class.Method→` after the time: the level,
/// the process and the method as lengths from the start of `i`, the thread, and where the
/// message starts. Glued fields (copies that lost their TABs) are read by the lenient parser.
#[allow(clippy::manual_contains)]
// Kept out of line: inlined into its one caller it took 3% more instructions (callgrind).
#[inline(never)]
pub(crate) fn server_fields(i: &[u8]) -> Res<'_, ServerFields> {
    let start = i.len();
    let at = |rest: &[u8]| start - rest.len();
    let (rest, _) = blanks(i)?;
    let level_at = at(rest);
    let (rest, lvl) = level(rest)?;
    let (rest, _) = blanks(rest)?;
    let process_at = at(rest);
    let (rest, process) = many1(rest, PROCESS)?;
    let (rest, _) = byte(rest, b'.')?;
    let (rest, thread) = decimal(rest)?;
    let (rest, _) = blanks(rest)?;
    let source_at = at(rest);
    let (rest, source) = many1(rest, SOURCE)?;
    // `Class.Method`: a dot, looked for inline (`<[u8]>::contains` would call memchr).
    if !source.iter().any(|&c| c == b'.') {
        return fail(rest, ErrorKind::Verify);
    }
    // Blanks before the message, or the end of the line.
    let rest = match blanks(rest) {
        Ok((rest, _)) => rest,
        Err(_) if rest.is_empty() => rest,
        Err(_) => return fail(rest, ErrorKind::Space),
    };
    Ok((
        rest,
        ServerFields {
            level: (level_at, level_at + lvl.len()),
            process: (process_at, process_at + process.len()),
            thread,
            source: (source_at, source_at + source.len()),
            message: at(rest),
        },
    ))
}

/// What [`server_fields`] reads, as byte ranges from where it started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ServerFields {
    pub level: (usize, usize),
    pub process: (usize, usize),
    pub thread: u32,
    pub source: (usize, usize),
    pub message: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(
            date(b"-")(b"2008-07-14\t"),
            Ok((&b"\t"[..], (2008, 7, 14, b'-')))
        );
        assert!(date(b"-")(b"2008-07/14").is_err());
        assert_eq!(
            date(b"/")(b"2024/13/05").map(|r| r.1),
            Ok((2024, 13, 5, b'/'))
        );
        let (rest, t) = time(b":.", b".,")(b"12:40:08.8784820 1224").unwrap();
        assert_eq!(
            (rest, t.to_string()),
            (&b" 1224"[..], "12:40:08.878482".to_owned())
        );
        assert!(time(b":", b":")(b"25:61:00").is_err());
        assert_eq!(
            clock(b":", b":")(b"25:61:00").map(|r| r.1),
            Ok((25, 61, 0, 0))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal(b"4294967295x"), Ok((&b"x"[..], u32::MAX)));
        assert!(decimal(b"4294967296").is_err());
        assert!(decimal(b"12345678901").is_err());
        assert_eq!(hex(b"FFFFFFFF\t"), Ok((&b"\t"[..], u32::MAX)));
        assert!(hex(b"123456789").is_err());
    }

    #[test]
    fn trace_prefixes() {
        assert_eq!(
            trace_prefix(b"[0]0B2C.0C34::03/07/2017-17:08:41.736 [agent]WU client version"),
            Ok((&b"WU client version"[..], &b"agent"[..]))
        );
        assert_eq!(
            trace_prefix(b"[1]03E4.1668::2024-03-05 10:12:44.123 [ComApi] x").map(|r| r.1),
            Ok(&b"ComApi"[..])
        );
        assert!(trace_prefix(b"[0]0B2C.0C34 03/07/2017 [agent]x").is_err());
        assert!(trace_prefix(b"[80244007] Web service call").is_err());
    }

    #[test]
    fn ids_and_fields() {
        assert_eq!(
            classic_ids(b" 788\tee4\tPT\tWARNING"),
            Ok((&b"WARNING"[..], (788, 0xee4, 2)))
        );
        assert!(classic_ids(b"788\tee4\tP T\t").is_err());
        assert_eq!(
            win10_ids(b" 1224  7052  WebServices"),
            Ok((&b"WebServices"[..], (1224, 7052)))
        );
        let line = b"\tChange\tw3wp.58\tAdminDataAccess.StartSubscriptionManually\tSynchronization manually started";
        let (_, f) = server_fields(line).unwrap();
        assert_eq!(&line[f.level.0..f.level.1], b"Change");
        assert_eq!(&line[f.process.0..f.process.1], b"w3wp");
        assert_eq!(f.thread, 58);
        assert_eq!(
            &line[f.source.0..f.source.1],
            b"AdminDataAccess.StartSubscriptionManually"
        );
        assert_eq!(&line[f.message..], b"Synchronization manually started");
    }
}
