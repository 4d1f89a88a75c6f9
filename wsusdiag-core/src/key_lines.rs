//! The key lines of a client fault: those that tell its story (the failure, the SOAP fault's
//! ErrorCode and ID), which the JSON quotes by default and the reports show.

use std::sync::LazyLock;

use crate::any_word::AnyWord;

/// Key lines kept per fault.
pub const KEY_LINES_CAP: usize = 5;

/// Lines kept when none is a key line: the first few of the fault.
const FIRST_LINES: usize = 3;

/// What a key line says: the failure (classic and Windows 10 logs), the fault's ErrorCode and
/// ID (SOAP fault and its XML), a failed call, a fatal error.
const KEYS: &[&str] = &[
    "failure, error",
    "ErrorCode",
    "ID:",
    "errorCode=",
    "*FAILED*",
    "<ID>",
    "FATAL",
];

/// Finds the lines that hold one of [`KEYS`]: asked of every line of every fault of a fleet.
static KEY_WORDS: LazyLock<AnyWord> = LazyLock::new(|| AnyWord::new(KEYS));

/// The indices of the key lines among `texts`, at most [`KEY_LINES_CAP`]; the first three
/// when none is.
pub(crate) fn key_lines<'t>(texts: impl IntoIterator<Item = &'t str>) -> Vec<usize> {
    let texts: Vec<&str> = texts.into_iter().collect();
    let keys: Vec<usize> = (0..texts.len())
        .filter(|&i| KEY_WORDS.is_in(texts[i]))
        .take(KEY_LINES_CAP)
        .collect();
    if keys.is_empty() {
        (0..texts.len().min(FIRST_LINES)).collect()
    } else {
        keys
    }
}

/// `lines` (ascending) with each run of consecutive numbers written first-last:
/// `47-59,63,65-66`.
pub(crate) fn runs(lines: impl IntoIterator<Item = u32>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut put = |(first, last): (u32, u32)| {
        let comma = if out.is_empty() { "" } else { "," };
        // Writing into a String cannot fail.
        let _ = match first == last {
            true => write!(out, "{comma}{first}"),
            false => write!(out, "{comma}{first}-{last}"),
        };
    };
    let mut run: Option<(u32, u32)> = None;
    for line in lines {
        run = match run {
            Some((first, last)) if last.checked_add(1) == Some(line) => Some((first, line)),
            Some(done) => {
                put(done);
                Some((line, line))
            }
            None => Some((line, line)),
        };
    }
    if let Some(done) = run {
        put(done);
    }
    out
}

/// Whether `line` is among `runs` as [`runs`] writes them.
pub(crate) fn in_runs(runs: &str, line: u32) -> bool {
    runs.split(',').any(|run| {
        let (first, last) = run.split_once('-').unwrap_or((run, run));
        let from = first.parse().is_ok_and(|first: u32| first <= line);
        from && last.parse().is_ok_and(|last: u32| line <= last)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_are_the_failure_the_error_code_and_the_id() {
        // The bundled KB954960 sample's first fault, lines 47 to 53.
        let crate::Input::Buffer { bytes, .. } = &crate::sample::kb954960()[0] else {
            unreachable!("the sample is in memory")
        };
        let text = std::str::from_utf8(bytes).unwrap();
        let fault: Vec<&str> = text.lines().skip(46).take(7).collect();
        assert_eq!(key_lines(fault.iter().copied()), [0, 3, 6]);
        // No key line: the first three.
        assert_eq!(key_lines(["a", "b", "c", "d"]), [0, 1, 2]);
        assert_eq!(key_lines(["a"]), [0]);
    }

    #[test]
    fn runs_join_consecutive_lines() {
        assert_eq!(runs([47, 48, 49, 63, 65, 66]), "47-49,63,65-66");
        assert_eq!(runs([]), "");
        assert_eq!(runs([7]), "7");
        assert_eq!(runs([u32::MAX - 1, u32::MAX]), "4294967294-4294967295");
        let written = runs([47, 48, 49, 63, 65, 66]);
        let found: Vec<u32> = (40..70).filter(|&l| in_runs(&written, l)).collect();
        assert_eq!(found, [47, 48, 49, 63, 65, 66]);
        assert!(!in_runs("", 0));
    }
}
