//! The fields of the record headers as nom grammars over borrowed bytes: dates, times, the
//! classic `PID→TID→Component→`, the Windows 10 `PID TID Component` and the server's
//! `Level process.N Class.Method`. Line ends are found with memchr before any of these run;
//! the header caches ([`super::scan::DateCache`] and the classic ID cache) only skip a grammar
//! when the same bytes were parsed just before.

use chrono::NaiveTime;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::char;
use nom::combinator::{map_opt, opt};

use nom::sequence::preceded;
use nom::{IResult, Parser};

/// Bytes in, a value and the bytes after it out.
pub(crate) type Res<'a, O> = IResult<&'a [u8], O>;

/// A recoverable failure at `i`.
fn fail<O>(i: &[u8], kind: nom::error::ErrorKind) -> Res<'_, O> {
    Err(nom::Err::Error(nom::error::Error::new(i, kind)))
}

/// Exactly `n` ASCII digits, as a number.
#[inline]
fn fixed_digits<'a>(n: usize) -> impl FnMut(&'a [u8]) -> Res<'a, u32> {
    move |i: &'a [u8]| {
        let Some(d) = i.get(..n) else {
            return fail(i, nom::error::ErrorKind::Digit);
        };
        let mut v = 0u32;
        for &c in d {
            let x = c.wrapping_sub(b'0');
            if x > 9 {
                return fail(i, nom::error::ErrorKind::Digit);
            }
            v = v * 10 + u32::from(x);
        }
        Ok((&i[n..], v))
    }
}

/// One byte of `set` (a few bytes, compared inline: `<[u8]>::contains` would call memchr).
#[allow(clippy::manual_contains)]
fn one_of<'a>(set: &'static [u8]) -> impl FnMut(&'a [u8]) -> Res<'a, u8> {
    move |i: &'a [u8]| match i.first() {
        Some(&c) if set.iter().any(|&s| s == c) => Ok((&i[1..], c)),
        _ => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::OneOf,
        ))),
    }
}

/// Three numbers of `first`, 2 and 2 digits, separated twice by the same byte of `seps`:
/// the shape of a date and of a time.
fn triple<'a>(
    first: usize,
    seps: &'static [u8],
) -> impl FnMut(&'a [u8]) -> Res<'a, (u32, u32, u32, u8)> {
    move |i| {
        let (i, a) = fixed_digits(first)(i)?;
        let (i, sep) = one_of(seps)(i)?;
        let (i, b) = fixed_digits(2)(i)?;
        let (i, _) = char(sep as char).parse(i)?;
        let (i, c) = fixed_digits(2)(i)?;
        Ok((i, (a, b, c, sep)))
    }
}

/// `YYYY?MM?DD`, `?` one of `seps` and the same both times: year, month, day and the
/// separator. The values are not checked: a month 13 parses.
pub(crate) fn date<'a>(
    seps: &'static [u8],
) -> impl FnMut(&'a [u8]) -> Res<'a, (u32, u32, u32, u8)> {
    triple(4, seps)
}

/// A fraction of a second after one of `frac_seps`: 1 to 9 digits, as nanoseconds.
#[inline]
fn fraction<'a>(frac_seps: &'static [u8]) -> impl FnMut(&'a [u8]) -> Res<'a, u32> {
    move |i: &'a [u8]| {
        let (d, _) = one_of(frac_seps)(i)?;
        let n = d.iter().take(9).take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return fail(i, nom::error::ErrorKind::Digit);
        }
        let (rest, v) = fixed_digits(n)(d)?;
        Ok((rest, v * POWERS[9 - n]))
    }
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
pub(crate) fn clock<'a>(
    seps: &'static [u8],
    frac_seps: &'static [u8],
) -> impl FnMut(&'a [u8]) -> Res<'a, (u32, u32, u32, u32)> {
    move |i| {
        let (i, (h, m, s, _)) = triple(2, seps)(i)?;
        let (i, nanos) = opt(fraction(frac_seps)).parse(i)?;
        Ok((i, (h, m, s, nanos.unwrap_or(0))))
    }
}

/// A time that exists: [`clock`] with its values checked.
pub(crate) fn time<'a>(
    seps: &'static [u8],
    frac_seps: &'static [u8],
) -> impl FnMut(&'a [u8]) -> Res<'a, NaiveTime> {
    move |i| {
        map_opt(clock(seps, frac_seps), |(h, m, s, n)| {
            NaiveTime::from_hms_nano_opt(h, m, s, n)
        })
        .parse(i)
    }
}

/// A decimal number of 1 to 10 digits that fits in 32 bits.
#[inline]
pub(crate) fn decimal(i: &[u8]) -> Res<'_, u32> {
    let n = i.iter().take(11).take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || n > 10 {
        return fail(i, nom::error::ErrorKind::Digit);
    }
    let v = i[..n]
        .iter()
        .fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
    match u32::try_from(v) {
        Ok(v) => Ok((&i[n..], v)),
        Err(_) => fail(i, nom::error::ErrorKind::TooLarge),
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
            return fail(i, nom::error::ErrorKind::TooLarge);
        }
        v = (v << 4) | u32::from(d);
        n += 1;
    }
    if n == 0 {
        return fail(i, nom::error::ErrorKind::HexDigit);
    }
    Ok((&i[n..], v))
}

fn tab(i: &[u8]) -> Res<'_, char> {
    char('\t').parse(i)
}

/// The classic ` PID→TID→Component→`: a space-padded decimal PID, a hexadecimal TID and an
/// alphanumeric component, each ended by a TAB. Returns the PID, the TID and the component's
/// length; the bytes used are the input's length less the rest's.
pub(crate) fn classic_ids(i: &[u8]) -> Res<'_, (u32, u32, usize)> {
    let (i, _) = take_while(|c| c == b' ').parse(i)?;
    let (i, pid) = decimal(i)?;
    let (i, _) = tab(i)?;
    let (i, tid) = hex(i)?;
    let (i, _) = tab(i)?;
    let (i, component) = take_while1(|c: u8| c.is_ascii_alphanumeric()).parse(i)?;
    let (i, _) = tab(i)?;
    Ok((i, (pid, tid, component.len())))
}

/// The Windows 10 ` PID   TID   ` after the time: two decimal numbers, each after blanks.
pub(crate) fn win10_ids(i: &[u8]) -> Res<'_, (u32, u32)> {
    let (i, pid) = preceded(blanks, decimal).parse(i)?;
    let (i, tid) = preceded(blanks, decimal).parse(i)?;
    let (i, _) = blanks(i)?;
    Ok((i, (pid, tid)))
}

/// The server's levels.
fn level(i: &[u8]) -> Res<'_, &[u8]> {
    alt((
        tag("Error"),
        tag("Warning"),
        tag("Info"),
        tag("Change"),
        tag("Fatal"),
        tag("Debug"),
        tag("Verbose"),
        tag("Trace"),
        tag("Audit"),
        tag("Critical"),
    ))
    .parse(i)
}

/// A run of TABs or spaces (at least one).
fn blanks(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(|c| c == b' ' || c == b'\t').parse(i)
}

/// The server's well-separated `→Level→process.N→Class.Method→` after the time: the level,
/// the process and the method as lengths from the start of `i`, the thread, and where the
/// message starts. Glued fields (copies that lost their TABs) are read by the lenient parser.
#[allow(clippy::manual_contains)]
pub(crate) fn server_fields(i: &[u8]) -> Res<'_, ServerFields> {
    let start = i.len();
    let at = |rest: &[u8]| start - rest.len();
    let (rest, _) = blanks(i)?;
    let level_at = at(rest);
    let (rest, lvl) = level(rest)?;
    let (rest, _) = blanks(rest)?;
    let process_at = at(rest);
    let (rest, process) =
        take_while1(|c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-').parse(rest)?;
    let (rest, _) = char('.').parse(rest)?;
    let (rest, thread) = decimal(rest)?;
    let (rest, _) = blanks(rest)?;
    let source_at = at(rest);
    let (rest, source) =
        take_while1(|c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'`'))
            .parse(rest)?;
    // `Class.Method`: a dot, looked for inline (`<[u8]>::contains` would call memchr).
    if !source.iter().any(|&c| c == b'.') {
        return fail(rest, nom::error::ErrorKind::Verify);
    }
    let (rest, gap) = opt(blanks).parse(rest)?;
    if gap.is_none() && !rest.is_empty() {
        return Err(nom::Err::Error(nom::error::Error::new(
            rest,
            nom::error::ErrorKind::Space,
        )));
    }
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
