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

/// The first failure HRESULT in a message: `0x8024400E`, `0X80244007`, or a bare 8-digit
/// `8024401C` / `[80244010]` whose severity bit is set. Bare hex that is part of a GUID or a
/// longer word is not taken.
pub(crate) fn first_hresult(s: &str) -> Option<u32> {
    hresults(s).find(|&c| c & 0x8000_0000 != 0)
}

/// Every HRESULT-looking value in a message, in order (see [`first_hresult`]).
pub(crate) fn hresults(s: &str) -> impl Iterator<Item = u32> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            let c = b[i];
            let prev_ok = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-');
            if c == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) && prev_ok {
                let n = b[i + 2..]
                    .iter()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                i += 2 + n;
                if (1..=8).contains(&n) {
                    return u32::from_str_radix(&s[i - n..i], 16).ok();
                }
                continue;
            }
            if c.is_ascii_hexdigit() && prev_ok {
                let n = b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
                let next = b.get(i + n);
                let start = i;
                i += n;
                if n == 8
                    && !next.is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'-')
                    && (b[start] == b'8' || b[start] == b'C' || b[start] == b'c')
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
}
