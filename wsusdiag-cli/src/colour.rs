//! Colour for the text report on a terminal: confidence and severity in the verdict and in
//! each finding's heading. The codes are always written here; `anstream` drops them when
//! standard output is not a terminal or `NO_COLOR` is set.

const RESET: &str = "\x1b[0m";

/// The colour of a confidence or severity word, if it is one.
fn style(word: &str) -> Option<&'static str> {
    Some(match word {
        "confirmed" => "\x1b[1;32m",
        "probable" | "ambiguous" => "\x1b[1;33m",
        "possible" => "\x1b[1m",
        "critical" => "\x1b[1;31m",
        "error" => "\x1b[31m",
        "warning" => "\x1b[33m",
        _ => return None,
    })
}

/// `report` with the confidence and severity of each verdict line (`  RULE  confidence
/// severity  title`) and of each finding's heading (`── 1. RULE · confidence ──`) coloured.
pub(crate) fn paint(report: &str) -> String {
    let mut out = String::with_capacity(report.len() + 1024);
    for line in report.split_inclusive('\n') {
        let words: Vec<&str> = line.split_whitespace().take(5).collect();
        let painted = match words.as_slice() {
            ["──", _, _, "·", confidence, ..] => paint_words(line, &[confidence]),
            [_, confidence, severity, ..] if line.starts_with("  ") && !line.starts_with("   ") => {
                match (style(confidence), style(severity)) {
                    (Some(_), Some(_)) => paint_words(line, &[confidence, severity]),
                    _ => None,
                }
            }
            _ => None,
        };
        out.push_str(painted.as_deref().unwrap_or(line));
    }
    out
}

/// `line` with the first occurrence of each of `words` (in order) coloured, when all are
/// styled words.
fn paint_words(line: &str, words: &[&str]) -> Option<String> {
    let mut out = String::with_capacity(line.len() + 32);
    let mut rest = line;
    for word in words {
        let code = style(word)?;
        let at = rest.find(&format!(" {word}"))? + 1;
        out.push_str(&rest[..at]);
        out.push_str(code);
        out.push_str(word);
        out.push_str(RESET);
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::paint;

    #[test]
    fn colours_the_verdict_and_headings_only() {
        let report = "VERDICT\n  KB954960               confirmed error    An error title\n\
                      ── 1. KB954960 · confirmed ─────\n    an error in prose stays plain\n";
        let painted = paint(report);
        assert!(
            painted.contains("\x1b[1;32mconfirmed\x1b[0m \x1b[31merror\x1b[0m    An error title")
        );
        assert!(painted.contains("· \x1b[1;32mconfirmed\x1b[0m ──"));
        assert!(painted.contains("    an error in prose stays plain\n"));
        let plain = anstream::adapter::strip_str(&painted).to_string();
        assert_eq!(plain, report);
    }
}
