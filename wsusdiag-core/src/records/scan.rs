//! Small byte-level scanners shared by the record parsers: digits, dates, times, separators,
//! and the paste damage found around real entries (line numbers, table bars, `^M`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::grammar;

/// Parses exactly `n` ASCII digits at the start of `b`.
#[inline]
pub(crate) fn digits_n(b: &[u8], n: usize) -> Option<u32> {
    if b.len() < n {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[..n] {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u32::from(d);
    }
    Some(v)
}

/// Length of the run of bytes at the start of `b` that satisfy `f`.
#[inline]
pub(crate) fn run(b: &[u8], f: impl Fn(u8) -> bool) -> usize {
    b.iter().position(|&c| !f(c)).unwrap_or(b.len())
}

/// Length of the run of TABs and spaces at the start of `b`.
#[inline]
pub(crate) fn blanks(b: &[u8]) -> usize {
    run(b, |c| c == b' ' || c == b'\t')
}

/// Parses a decimal number of up to 10 digits: all of `b`.
#[inline]
pub(crate) fn decimal(b: &[u8]) -> Option<u32> {
    decimal_prefix(b).and_then(|(v, n)| (n == b.len()).then_some(v))
}

/// Parses a hexadecimal number of up to 8 digits: all of `b`.
#[inline]
pub(crate) fn hex(b: &[u8]) -> Option<u32> {
    hex_prefix(b).and_then(|(v, n)| (n == b.len()).then_some(v))
}

/// Whether `c` is one of `set`: a few bytes, compared inline (`<[u8]>::contains` calls
/// `memchr`, a cost on every line).
#[inline]
#[allow(clippy::manual_contains)]
pub(crate) fn one_of(c: u8, set: &[u8]) -> bool {
    set.iter().any(|&s| s == c)
}

/// A decimal number of up to 10 digits at the start of `b` ([`grammar::decimal`]), and how
/// many digits it had.
#[inline]
pub(crate) fn decimal_prefix(b: &[u8]) -> Option<(u32, usize)> {
    grammar::decimal(b)
        .ok()
        .map(|(rest, v)| (v, b.len() - rest.len()))
}

/// A hexadecimal number of up to 8 digits at the start of `b` ([`grammar::hex`]), and how
/// many digits it had.
#[inline]
pub(crate) fn hex_prefix(b: &[u8]) -> Option<(u32, usize)> {
    grammar::hex(b)
        .ok()
        .map(|(rest, v)| (v, b.len() - rest.len()))
}

/// `HH:MM:SS` and a separator from `frac_seps` and exactly three digits of milliseconds, the
/// shape of nearly every classic and server line: parsed without the general case's scanning.
#[inline]
fn clock_millis(b: &[u8], seps: &[u8], frac_seps: &[u8]) -> Option<NaiveTime> {
    let b: &[u8; 12] = b.get(..12)?.try_into().ok()?;
    if !one_of(b[2], seps) || b[5] != b[2] || !one_of(b[8], frac_seps) {
        return None;
    }
    let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
    let digits = [0, 1, 3, 4, 6, 7, 9, 10, 11];
    if digits.iter().any(|&i| d(i) > 9) {
        return None;
    }
    NaiveTime::from_hms_milli_opt(
        d(0) * 10 + d(1),
        d(3) * 10 + d(4),
        d(6) * 10 + d(7),
        d(9) * 100 + d(10) * 10 + d(11),
    )
}

/// Remembers the last date and second seen: consecutive entries nearly always share the date,
/// and most share the second.
#[derive(Debug, Default, Clone)]
pub(crate) struct DateCache {
    /// The bytes of the last date read, and the date.
    raw: Option<([u8; 10], NaiveDate)>,
    /// The bytes of the last `YYYY-MM-DD?HH:MM:SS` read by [`DateCache::stamp`], and its date
    /// and second.
    second: Option<([u8; 19], NaiveDate, u32)>,
}

impl DateCache {
    /// A stamp `YYYY-MM-DD`, `sep`, `HH?MM?SS` and an optional fraction at the start of `b`
    /// (date and time as [`DateCache::date_at`] with `-` and [`time_parts`] read them), and the
    /// bytes used.
    ///
    /// The usual shape, `HH:MM:SS` and three digits of milliseconds, costs a compare with the
    /// stamp before when both fall in the same second.
    #[inline(always)]
    pub(crate) fn stamp(
        &mut self,
        b: &[u8],
        sep: u8,
        seps: &'static [u8],
        frac_seps: &'static [u8],
    ) -> Option<(NaiveDateTime, usize)> {
        if let Some(t) = self.same_second(b, frac_seps) {
            return Some((t, 23));
        }
        let date = self.date_at(b, b"-")?;
        if b.get(10) != Some(&sep) {
            return None;
        }
        let (t, used) = time_parts(&b[11..], seps, frac_seps)?;
        if let Some(head) = b.get(..19).and_then(|h| <[u8; 19]>::try_from(h).ok()) {
            self.second = Some((head, date, t.num_seconds_from_midnight()));
        }
        Some((at(date, t), 11 + used))
    }

    /// The stamp at the start of `b` when it is in the second of the one before and ends
    /// with three digits of milliseconds.
    #[inline]
    fn same_second(&self, b: &[u8], frac_seps: &[u8]) -> Option<NaiveDateTime> {
        let (head, date, second) = self.second.as_ref()?;
        let s: &[u8; 23] = b.get(..23)?.try_into().ok()?;
        if s[..19] != head[..]
            || !one_of(s[19], frac_seps)
            || b.get(23).is_some_and(u8::is_ascii_digit)
        {
            return None;
        }
        let ms = digits_n(&s[20..], 3)?;
        let t = NaiveTime::from_num_seconds_from_midnight_opt(*second, ms * 1_000_000)?;
        Some(at(*date, t))
    }

    /// The date `YYYY?MM?DD` at the start of `b` (`?` one of `seps`), or `None` when there is
    /// none or it does not exist. The same ten bytes as the line before are not parsed again.
    #[inline]
    pub(crate) fn date_at(&mut self, b: &[u8], seps: &'static [u8]) -> Option<NaiveDate> {
        let raw: [u8; 10] = b.get(..10)?.try_into().ok()?;
        if let Some((last, date)) = self.raw
            && last == raw
            && one_of(raw[4], seps)
        {
            return Some(date);
        }
        let (y, m, d, _) = date_parts(b, seps)?;
        let date = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?;
        self.raw = Some((raw, date));
        Some(date)
    }
}

/// A date `YYYY?MM?DD` at the start of `b` ([`grammar::date`]), where `?` is one of `seps`;
/// returns the parts and the separator.
#[inline]
pub(crate) fn date_parts(b: &[u8], seps: &'static [u8]) -> Option<(u32, u32, u32, u8)> {
    grammar::date(seps)(b).ok().map(|(_, parts)| parts)
}

/// A time `HH?MM?SS` followed by an optional fraction, at the start of `b`.
///
/// `seps` are the accepted separators between hours, minutes and seconds; `frac_seps` the ones
/// before the fraction, which has 1 to 7 digits. Returns the time and the bytes used.
#[inline]
pub(crate) fn time_parts(
    b: &[u8],
    seps: &'static [u8],
    frac_seps: &'static [u8],
) -> Option<(NaiveTime, usize)> {
    // The common shape, exactly three digits of milliseconds, is read in place.
    if !b.get(12).is_some_and(u8::is_ascii_digit)
        && let Some(t) = clock_millis(b, seps, frac_seps)
    {
        return Some((t, 12));
    }
    let (rest, t) = grammar::time(seps, frac_seps)(b).ok()?;
    Some((t, b.len() - rest.len()))
}

/// The length of what has the shape of a time (`HH?MM?SS` and an optional fraction, as
/// [`time_parts`] reads them) whatever its values: `25:61:00` is one, and does not exist.
#[inline]
pub(crate) fn time_shape(b: &[u8], seps: &'static [u8], frac_seps: &'static [u8]) -> Option<usize> {
    let (rest, _) = grammar::clock(seps, frac_seps)(b).ok()?;
    Some(b.len() - rest.len())
}

/// Joins a date and a time.
#[inline]
pub(crate) fn at(date: NaiveDate, time: NaiveTime) -> NaiveDateTime {
    NaiveDateTime::new(date, time)
}

/// Whether the line holds bytes that never occur in log text (control characters other than
/// TAB, or the replacement character left by undecodable bytes).
pub(crate) fn looks_binary(line: &str) -> bool {
    let bytes = line.as_bytes();
    if has_control(bytes) {
        return true;
    }
    // U+FFFD is EF BF BD in UTF-8: most lines have no EF byte to count from.
    if memchr::memchr(0xEF, bytes).is_none() {
        return false;
    }
    let replacements = line.matches('\u{FFFD}').count();
    replacements * 8 > line.chars().count().max(1)
}

/// Whether `bytes` hold a control character other than TAB and form feed. Asked of every
/// stack frame of a server log: the test is made over 32 bytes at a time without a branch, so
/// that the compiler turns it into vector compares.
fn has_control(bytes: &[u8]) -> bool {
    let control = |c: u8| (c < 0x20) & (c != b'\t') & (c != 0x0C);
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &c| any | control(c)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&c| control(c))
}

/// Paste damage around an entry: what to skip at the start and cut at the end of a line.
///
/// Handles forum and paste-site line numbers (`  12. `, `12:`, `12 |`), table bars
/// (`| … |`), a visible `^M` and trailing spaces. `looks_like_entry` tells whether text starts
/// with an entry header, so that a bare leading number is only taken for a line number when an
/// entry follows it.
pub(crate) fn trim_paste(
    line: &str,
    mut looks_like_entry: impl FnMut(&str) -> bool,
) -> (usize, usize) {
    let b = line.as_bytes();
    let mut end = b.len();
    loop {
        let before = end;
        while end > 0 && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
            end -= 1;
        }
        if b[..end].ends_with(b"^M") {
            end -= 2;
        }
        if end > 0 && b[end - 1] == b'|' {
            end -= 1;
        }
        if end == before {
            break;
        }
    }
    let mut start = 0;
    start += blanks(&b[start..end]);
    if start < end && b[start] == b'|' {
        start += 1;
        start += blanks(&b[start..end]);
    }
    // Line numbers from paste sites and editors, within what is left of the line.
    let kept = &b[..end];
    let n = run(&kept[start..], |c| c.is_ascii_digit());
    if n > 0 && n <= 6 {
        let after = start + n;
        let punct = kept.get(after).copied();
        if matches!(punct, Some(b'.' | b':' | b')' | b'|'))
            && kept
                .get(after + 1)
                .is_some_and(|&c| c == b' ' || c == b'\t')
        {
            let s = after + 1 + blanks(&b[after + 1..end]);
            if looks_like_entry(&line[s..end])
                || !line[s..end].starts_with(|c: char| c.is_ascii_digit())
            {
                start = s;
            }
        } else if matches!(punct, Some(b' ' | b'\t')) {
            let s = after + blanks(&b[after..end]);
            if s < end && looks_like_entry(&line[s..end]) && !looks_like_entry(&line[start..end]) {
                start = s;
            }
        }
    }
    // Stray characters glued before a header (`ac2018.10.21 …`).
    if !looks_like_entry(&line[start..end]) {
        let limit = (start + 8).min(end);
        for s in start + 1..limit {
            if !line.is_char_boundary(s) {
                continue;
            }
            if b[s - 1] == b' ' || b[s - 1] == b'\t' {
                break;
            }
            if b[s].is_ascii_digit() && looks_like_entry(&line[s..end]) {
                start = s;
                break;
            }
        }
    }
    (start, end.max(start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(decimal(b"6032"), Some(6032));
        assert_eq!(decimal(b"99999999999"), None);
        assert_eq!(hex(b"1f40"), Some(0x1f40));
        assert_eq!(hex(b"03E4"), Some(0x3e4));
        assert_eq!(hex(b"xyz"), None);
    }

    #[test]
    fn times() {
        let (t, n) = time_parts(b"11:23:47:375\t", b":", b":.").unwrap();
        assert_eq!((t.to_string(), n), ("11:23:47.375".to_owned(), 12));
        let (t, n) = time_parts(b"12:40:08.8784820 ", b":.", b".,").unwrap();
        assert_eq!((t.to_string(), n), ("12:40:08.878482".to_owned(), 16));
        assert!(time_parts(b"25:00:00", b":", b":").is_none());
        let (_, n) = time_parts(b"18:30:03\t992", b":", b":").unwrap();
        assert_eq!(n, 8);
    }

    #[test]
    fn paste_damage() {
        let entry = |s: &str| s.starts_with("2008-");
        let l = "  12. 2008-07-14 09:12:01:375 788 ee4 PT x |";
        let (s, e) = trim_paste(l, entry);
        assert_eq!(&l[s..e], "2008-07-14 09:12:01:375 788 ee4 PT x");
        let l = "2008-07-14 x^M";
        let (s, e) = trim_paste(l, entry);
        assert_eq!(&l[s..e], "2008-07-14 x");
        let l = "ac2008-07-14 x";
        let (s, e) = trim_paste(l, entry);
        assert_eq!(&l[s..e], "2008-07-14 x");
        let l = "3 2008-07-14 x";
        let (s, _) = trim_paste(l, entry);
        assert_eq!(s, 2);
        // A number that is not a line number stays.
        let l = "788 ee4 PT WARNING";
        assert_eq!(trim_paste(l, entry), (0, l.len()));
        // What looks like a line number's mark is looked for only in what is kept: here the
        // bar and the TABs after it are trailing damage (found by proptest).
        let l = "0|\t\t";
        assert_eq!(trim_paste(l, entry), (0, 1));
        let l = "12. \t";
        let (s, e) = trim_paste(l, entry);
        assert!(s <= e && e <= l.len(), "{s} {e}");
    }

    #[test]
    fn binary() {
        assert!(looks_binary("ab\u{1}cd"));
        // Every place in and around a 32-byte block, every control character.
        for len in [1, 31, 32, 33, 64, 100] {
            for at in 0..len {
                for c in 0u8..0x20 {
                    let mut line = vec![b'a'; len];
                    line[at] = c;
                    let line = std::str::from_utf8(&line).unwrap();
                    assert_eq!(
                        looks_binary(line),
                        c != b'\t' && c != 0x0C,
                        "{c:#x} at {at} of {len}"
                    );
                }
            }
        }
        assert!(!looks_binary("a\tb"));
        assert!(looks_binary("\u{FFFD}\u{FFFD}\u{FFFD}"));
    }

    #[test]
    fn number_prefixes() {
        assert_eq!(decimal_prefix(b"788\tee4"), Some((788, 3)));
        assert_eq!(decimal_prefix(b"4294967295x"), Some((u32::MAX, 10)));
        assert_eq!(decimal_prefix(b"4294967296"), None);
        assert_eq!(decimal_prefix(b"12345678901"), None);
        assert_eq!(decimal_prefix(b"\t1"), None);
        assert_eq!(hex_prefix(b"ee4\tPT"), Some((0xee4, 3)));
        assert_eq!(hex_prefix(b"FFFFFFFF"), Some((u32::MAX, 8)));
        assert_eq!(hex_prefix(b"123456789"), None);
        assert_eq!(hex_prefix(b"g"), None);
    }

    #[test]
    fn clock_with_milliseconds() {
        let t = |h, m, s, ms| NaiveTime::from_hms_milli_opt(h, m, s, ms);
        assert_eq!(
            clock_millis(b"09:12:01:375\t", b":", b":."),
            t(9, 12, 1, 375)
        );
        assert_eq!(
            clock_millis(b"23:59:59.999", b":", b":."),
            t(23, 59, 59, 999)
        );
        assert_eq!(clock_millis(b"09:12:01:37", b":", b":."), None);
        assert_eq!(clock_millis(b"09:12:01,375", b":", b":."), None);
        assert_eq!(clock_millis(b"09.12:01:375", b":", b":."), None);
        assert_eq!(clock_millis(b"25:12:01:375", b":", b":."), None);
        assert_eq!(clock_millis(b"09:1x:01:375", b":", b":."), None);
    }

    #[test]
    fn cached_dates_still_check_the_separator() {
        let mut c = DateCache::default();
        let d = NaiveDate::from_ymd_opt(2008, 7, 14);
        assert_eq!(c.date_at(b"2008/07/14 x", b"-/."), d);
        assert_eq!(c.date_at(b"2008/07/14 y", b"-"), None);
        assert_eq!(c.date_at(b"2008-07-14", b"-"), d);
        assert_eq!(c.date_at(b"2008-02-30", b"-"), None);
        assert_eq!(c.date_at(b"2008-07-1", b"-"), None);
    }
}
