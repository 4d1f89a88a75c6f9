//! Finds the values that log messages carry: HRESULTs, GUIDs, quoted values, `key = value`
//! fields.

/// A GUID as written in either log: 36 characters, optionally in braces; returned without
/// braces, as written (case kept).
pub(crate) fn guid_at(s: &str) -> Option<&str> {
    // Byte by byte: what is skipped is ASCII, so the cut is at a character boundary.
    let skip = s
        .bytes()
        .position(|c| !matches!(c, b'{' | b' ' | b'\'' | b'"'));
    let s = &s[skip.unwrap_or(s.len())..];
    let b = s.as_bytes();
    let g: &[u8; 36] = b.get(..36)?.try_into().ok()?;
    let dashes = [8, 13, 18, 23];
    if dashes.iter().any(|&i| g[i] != b'-') {
        return None;
    }
    let hex = |part: &[u8]| part.iter().all(u8::is_ascii_hexdigit);
    if !(hex(&g[..8]) && hex(&g[9..13]) && hex(&g[14..18]) && hex(&g[19..23]) && hex(&g[24..])) {
        return None;
    }
    if b.get(36).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(&s[..36])
}

/// Lower-cases a GUID and drops braces, so both logs' spellings compare equal.
pub fn normalize_guid(id: &str) -> String {
    id.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_lowercase()
}

/// The first failure HRESULT in a message, in any notation [`codes`] reads.
pub(crate) fn first_hresult(s: &str) -> Option<u32> {
    codes(s).find(|&c| c & 0x8000_0000 != 0)
}

/// Words after which a bare 8-digit number is a size or a count, not a code.
const COUNT_WORDS: &[&str] = &["bytes", "size", "total", "length", "count", "#"];
/// Words after which a negative decimal is an error code.
const CODE_WORDS: &[&str] = &["error", "hr", "code", "result", "exit", "fail", "status"];
/// How far before a number these words are looked for.
const CONTEXT_BYTES: usize = 24;

/// Every error code in a message, in order, in any notation logs and people write them:
/// `0x8024400E`, `0X8024400e`, bare `8024400E` (`hr = 80244008`, `[80244007]`,
/// `resultMapped=80070643`, `(0x80072EE2)`, `HRESULT: 0x…`), and signed decimal
/// (`-2145107954`) when a word before it says it is a code (`error`, `hr`, `code`, …) or it
/// is in parentheses.
///
/// Never taken for a code: a part of a GUID or of a longer word, a timestamp or its fraction,
/// a bare number that is not 8 hex digits with the severity bit (`8…`, `C…`), a bare number
/// after a size or count word (`bytes total = 80000000`), and a negative number without a
/// word that makes it a code.
pub fn codes(s: &str) -> impl Iterator<Item = u32> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            let prev_ok =
                i == 0 || !(b[i - 1].is_ascii_alphanumeric() || matches!(b[i - 1], b'-' | b'_'));
            let hex_run = |from: usize| {
                b[from..]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count()
            };
            if c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) && prev_ok {
                let n = hex_run(i + 2);
                i += 2 + n;
                if (1..=8).contains(&n) && !b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
                    return u32::from_str_radix(&s[i - n..i], 16).ok();
                }
                continue;
            }
            if c == b'-' && prev_ok && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                let start = i;
                let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                i += 1 + n;
                if n == 10
                    && !b
                        .get(i)
                        .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'.')
                    && (b.get(start.wrapping_sub(1)) == Some(&b'(')
                        || context_has(s, start, CODE_WORDS))
                    && let Ok(v) = s[start..i].parse::<i64>()
                    && let Ok(v) = i32::try_from(v)
                {
                    return Some(v as u32);
                }
                continue;
            }
            if c.is_ascii_hexdigit()
                && prev_ok
                && !(i > 0 && matches!(b[i - 1], b'.' | b':' | b'{'))
            {
                let n = hex_run(i);
                let start = i;
                i += n;
                let next = b.get(i);
                if n == 8
                    && !next.is_some_and(|&c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'}')
                    })
                    && matches!(b[start], b'8' | b'C' | b'c')
                    && !context_has(s, start, COUNT_WORDS)
                {
                    return u32::from_str_radix(&s[start..i], 16).ok();
                }
                continue;
            }
            i += 1;
        }
        None
    })
}

/// Whether one of `words` (ASCII, lower case) is among the bytes just before `at`.
fn context_has(s: &str, at: usize, words: &[&str]) -> bool {
    let from = at.saturating_sub(CONTEXT_BYTES);
    let before = &s.as_bytes()[from..at];
    words.iter().any(|w| {
        before
            .windows(w.len())
            .any(|win| win.eq_ignore_ascii_case(w.as_bytes()))
    })
}

/// Where `needle` first occurs in `hay`. For the short messages of a log and short keys, a
/// search for the key's first byte and a compare beats `str::find`, which prepares a Two-Way
/// search on every call.
#[inline]
pub(crate) fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return Some(0);
    };
    let mut at = 0;
    while let Some(i) = memchr::memchr(first, &h[at..]) {
        let p = at + i;
        if h[p..].starts_with(n) {
            return Some(p);
        }
        at = p + 1;
    }
    None
}

/// Whether `hay` holds `needle`; see [`find`].
#[inline]
pub(crate) fn holds(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

/// The value after `key` up to `,` or the end: `key = value` or `key=value`, trimmed.
pub(crate) fn field<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let at = find(s, key)?;
    let rest = trim_start(&s[at + key.len()..]);
    let rest = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':'))?;
    let rest = trim_start(rest);
    let end = memchr::memchr(b',', rest.as_bytes()).unwrap_or(rest.len());
    Some(trim(&rest[..end]))
}

/// Whether an ASCII byte is white space as [`char::is_whitespace`] has it.
#[inline]
fn ascii_blank(c: u8) -> bool {
    matches!(c, b'\t'..=b'\r' | b' ')
}

/// [`str::trim_start`], which first looks at one byte: most text starts with a visible ASCII
/// character, and then there is nothing to decode.
#[inline]
pub(crate) fn trim_start(s: &str) -> &str {
    match s.as_bytes().first() {
        Some(&c) if c.is_ascii() && !ascii_blank(c) => s,
        _ => s.trim_start(),
    }
}

/// [`str::trim_end`], likewise from the last byte.
#[inline]
pub(crate) fn trim_end(s: &str) -> &str {
    match s.as_bytes().last() {
        Some(&c) if c.is_ascii() && !ascii_blank(c) => s,
        _ => s.trim_end(),
    }
}

/// [`str::trim`], likewise.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    trim_end(trim_start(s))
}

/// A decimal number after `key = `.
pub(crate) fn number(s: &str, key: &str) -> Option<i64> {
    let v = field(s, key)?;
    let end = v
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(v.len(), |(i, _)| i);
    v[..end].parse().ok()
}

/// Strips quotes of any kind (straight, doubled by `Get-WindowsUpdateLog`, typographic) and
/// blanks around a value.
pub(crate) fn unquote(s: &str) -> &str {
    // Most values start and end with a letter or digit: nothing to strip.
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return s;
    }
    trim(s)
        .trim_matches(|c| {
            matches!(
                c,
                '"' | '\'' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}'
            )
        })
        .trim()
}

/// The text between `open` and `close`, as in `<ID>…</ID>`.
pub(crate) fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = find(s, open)? + open.len();
    let len = find(&s[start..], close)?;
    Some(s[start..start + len].trim())
}

/// The web method named in a SOAPAction URI or a `Class.Method`: the last path or dotted
/// segment (`…/ClientWebService/SyncUpdates` → `SyncUpdates`).
pub fn method_name(s: &str) -> &str {
    let s = unquote(s);
    let s = s.rsplit(['/', '.']).next().unwrap_or(s);
    unquote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_are_the_standard_ones() {
        for s in [
            "",
            " ",
            "a",
            " a b ",
            "\u{b}x\u{c}",
            "\u{a0}nbsp\u{a0}",
            "\u{3000}ideographic\u{2003}",
            "\té\r",
            "é",
            "x\u{85}",
        ] {
            assert_eq!(trim_start(s), s.trim_start(), "{s:?}");
            assert_eq!(trim_end(s), s.trim_end(), "{s:?}");
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn hresult_shapes() {
        let cases = [
            (
                "SyncUpdates failure, error = 0x8024400E, soap client error = 7",
                Some(0x8024400E),
            ),
            ("*FAILED* [8024401C] Method failed", Some(0x8024401C)),
            ("WARNING: Send failed with hr = 80072ee2.", Some(0x80072EE2)),
            (
                "WS FATAL: OnCallFailure failed with hr=0X80244007",
                Some(0x80244007),
            ),
            ("Send request failed, hr:0x80072f8f", Some(0x80072F8F)),
            ("WARNING: PTError: 0x8024400e", Some(0x8024400E)),
            (
                "Failed to find updates with error code 80244010",
                Some(0x80244010),
            ),
            ("ID:c0a7445f-b989-43fa-ac20-11f8ca65fa8c", None),
            ("Service exit [Exit code = 0x240001]", None),
            ("ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}", None),
            (
                "Unable to trigger Automatic Updates to detect now, hr=8024A000",
                Some(0x8024A000),
            ),
            ("Update Failed resultMapped=80070643", Some(0x80070643)),
            (
                "0x8024402F (-2145107921): External cab file",
                Some(0x8024402F),
            ),
            ("Search failed, error code -2145107924", Some(0x8024402C)),
            ("Error (-2145107921)", Some(0x8024402F)),
            ("Exception from HRESULT: 0X8024401c", Some(0x8024401C)),
            ("Progress failure bytes total = 80000000", None),
            ("offset -2145107921 from the start", None),
            ("2016-10-19 14:23:56:200-0600", None),
            ("12:40:08.8784820 1224  7052", None),
        ];
        for (text, want) in cases {
            assert_eq!(first_hresult(text), want, "{text}");
        }
    }

    #[test]
    fn find_is_str_find() {
        for (hay, needle) in [
            ("Found 3 updates in search", "in search"),
            ("aaab", "ab"),
            ("CallerId = x", "CallerId"),
            ("no key here", "CallerId"),
            ("x", ""),
            ("", "x"),
            ("ÄÖ ü Server URL", "Server URL"),
        ] {
            assert_eq!(find(hay, needle), hay.find(needle), "{hay} / {needle}");
        }
    }

    #[test]
    fn guids_and_fields() {
        assert_eq!(
            guid_at("{3DA21691-E39D-4DA6-8A4B-B43877BCB1B7} Managed"),
            Some("3DA21691-E39D-4DA6-8A4B-B43877BCB1B7")
        );
        assert_eq!(guid_at("c0a7445f-b989-43fa-ac20-11f8ca65fa8cx"), None);
        assert_eq!(
            normalize_guid("{C0A7445F-b989-43fa-ac20-11f8ca65fa8c}"),
            "c0a7445f-b989-43fa-ac20-11f8ca65fa8c"
        );
        let s = "error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200";
        assert_eq!(number(s, "soap client error"), Some(7));
        assert_eq!(number(s, "HTTP status code"), Some(200));
        assert_eq!(
            method_name(
                "\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\""
            ),
            "SyncUpdates"
        );
        assert_eq!(
            method_name("'\"  http://x/GetAuthorizationCookie \"'"),
            "GetAuthorizationCookie"
        );
        assert_eq!(
            method_name("ClientImplementation.SyncUpdates"),
            "SyncUpdates"
        );
        assert_eq!(unquote("\u{201C}x\u{201D}"), "x");
    }

    mod notation {
        use super::super::codes;
        use proptest::prelude::*;

        /// Text around a value as log messages put it.
        fn around() -> impl Strategy<Value = (String, String)> {
            (
                proptest::sample::select(vec![
                    "",
                    "ID:",
                    "id='",
                    "{",
                    "UpdateId = {",
                    "bytes total = ",
                    "operation # ",
                    "pid ",
                    "at ",
                    "Version ",
                    "(",
                    "[",
                    "value ",
                    " ",
                ]),
                proptest::sample::select(vec!["", "}", "'", ".", ",", " ok", ")", "]", ".200"]),
            )
                .prop_map(|(a, b)| (a.to_owned(), b.to_owned()))
        }

        proptest! {
            /// A GUID, in any case and with or without braces, is never read as codes.
            #[test]
            fn guids_are_not_codes(g in any::<u128>(), upper in any::<bool>(), (a, b) in around()) {
                let h = format!("{g:032x}");
                let guid = format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
                let guid = if upper { guid.to_uppercase() } else { guid };
                let text = format!("{a}{guid}{b}");
                prop_assert_eq!(codes(&text).count(), 0, "{}", text);
            }

            /// Timestamps of every format the logs write are never read as codes.
            #[test]
            fn timestamps_are_not_codes(
                y in 1990u32..2100, mo in 1u32..13, d in 1u32..29, h in 0u32..24, mi in 0u32..60,
                se in 0u32..60, frac in 0u32..10_000_000, off in 0u32..1440, (a, b) in around()
            ) {
                for stamp in [
                    format!("{y:04}-{mo:02}-{d:02}\t{h:02}:{mi:02}:{se:02}:{:03}", frac % 1000),
                    format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{se:02}.{frac:07}"),
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.{:03} UTC", frac % 1000),
                    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}:{:03}-{:02}{:02}", frac % 1000, off / 60 % 24, off % 60),
                    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{frac:07}Z"),
                ] {
                    let text = format!("{a}{stamp}{b}");
                    prop_assert_eq!(codes(&text).count(), 0, "{}", text);
                }
            }

            /// Ordinary numbers (counts, sizes, IDs, versions, negative offsets) are never
            /// read as codes; a bare 8-digit number is a code only when it starts with 8 or
            /// C and no size or count word comes before it.
            #[test]
            fn ordinary_numbers_are_not_codes(n in any::<u32>(), neg in i32::MIN..0, (a, b) in around()) {
                let plain = n.to_string();
                let is_code_shaped = plain.len() == 8 && plain.starts_with('8');
                let counted = ["bytes total = ", "operation # "].contains(&a.as_str());
                if !is_code_shaped || counted {
                    let text = format!("{a}{plain}{b}");
                    prop_assert_eq!(codes(&text).count(), 0, "{}", text);
                }
                let text = format!("moved by {neg} lines");
                prop_assert_eq!(codes(&text).count(), 0, "{}", text);
                let text = format!("version {}.{}.{}", n % 100, n % 10_000, n);
                prop_assert_eq!(codes(&text).count(), 0, "{}", text);
            }

            /// A code in any notation reads as itself.
            #[test]
            fn every_notation_reads_back(low in 0u32..0x1_0000, fac in proptest::sample::select(vec![0x8024u32, 0x8007, 0x8019, 0x800B, 0xC180])) {
                let code = (fac << 16) | low;
                let signed = code as i32;
                for text in [
                    format!("error = 0x{code:08X}"),
                    format!("hr=0X{code:08x}"),
                    format!("hr = {code:08x}"),
                    format!("*FAILED* [{code:08X}] Method failed"),
                    format!("resultMapped={code:08X}"),
                    format!("failed ({signed})"),
                    format!("error code {signed}"),
                    format!("HRESULT: 0x{code:08X}."),
                ] {
                    prop_assert_eq!(codes(&text).collect::<Vec<_>>(), vec![code], "{}", text);
                }
            }
        }
    }
}
