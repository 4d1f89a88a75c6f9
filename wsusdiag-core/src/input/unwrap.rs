//! Takes off what a paste wraps around log lines: markdown (quotes, fences, emphasis, escapes,
//! tables, lists), HTML (`<pre>`, entities), forum markup, line numbers, shell prompts and the
//! prose around the lines, and says what it took off.
//!
//! The text keeps its lines: line `n` of the result comes from line `n` of the input, so
//! positions reported later point into what the user gave. A clean log (judged from its first
//! lines) is handed back as it is, borrowed, at no cost.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

use crate::records::lines::Lines;

/// What [`unwrap`] made of a text.
#[derive(Debug)]
pub struct Unwrapped<'a> {
    /// The log text: borrowed when nothing was taken off.
    pub text: Cow<'a, str>,
    /// What was taken off or repaired, for people (`unwrapped markdown`, …), in a fixed order.
    pub repairs: Vec<String>,
}

/// Texts longer than this are logs, not pastes: they are never unwrapped.
const PASTE_LIMIT: usize = 4 << 20;

/// How many non-blank first lines decide that a text is a clean log.
const CLEAN_LINES: usize = 8;

/// Each kind of repair, in the order reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Repair {
    Markdown,
    Html,
    Entities,
    Markup,
    Quotes,
    LineNumbers,
    Table,
    Prompt,
    Escapes,
    TracePrefix,
    Brackets,
    Quoted,
    Joined,
    Wrapped,
    Prose,
}

impl Repair {
    fn describe(self, count: usize) -> String {
        match self {
            Self::Markdown => "unwrapped markdown".to_owned(),
            Self::Html => "took off HTML tags".to_owned(),
            Self::Entities => "decoded HTML entities".to_owned(),
            Self::Markup => "took off forum markup".to_owned(),
            Self::Quotes => "took off quote marks".to_owned(),
            Self::LineNumbers => "took off line numbers".to_owned(),
            Self::Table => "read table cells as fields".to_owned(),
            Self::Prompt => "ignored shell prompt lines".to_owned(),
            Self::Escapes => "undid escapes".to_owned(),
            Self::TracePrefix => "read trace-formatter prefixes as entry headers".to_owned(),
            Self::Brackets => "took brackets off components".to_owned(),
            Self::Quoted => "took log text out of prose".to_owned(),
            Self::Joined => "joined entries split".to_owned(),
            Self::Wrapped => "wrapped lines joined".to_owned(),
            Self::Prose => format!("ignored {count} lines of prose"),
        }
    }
}

struct Patterns {
    /// An entry header of any format, or a header without its date.
    header: Regex,
    /// A line that only a Windows Update or WSUS log writes (see [`is_log_vocabulary`]).
    vocabulary: Regex,
    /// A server continuation line: a stack frame or an inner exception.
    continuation: Regex,
    /// A second header inside a line (entries joined).
    joined: Regex,
    /// A whole header anywhere in a line (the entry before it cut).
    embedded: Regex,
    /// What is left of a header cut at its start (`53:24:377 808 ba0 `, `51.1570292 `).
    cut_stamp: Regex,
    /// The prefix `tracefmt` writes before a message (`[0]0A1C.0F3C::2024-03-05 10:12:44.123
    /// [Agent]`, or with the date as `03/05/2024-10:12:44.123`): CPU, PID.TID in hex, time,
    /// component. The message is what follows the match: a capture search spans only what its
    /// pattern spans, and a line can be long.
    trace_prefix: Regex,
    /// A component in brackets before a message (`[DownloadManager] BITS job failed …`), the
    /// message what follows the match.
    bracketed: Regex,
    /// A failure with its code, led by a component name that is no English word
    /// (`DownloadManager BITS job failed 0x800706d9`).
    component_failure: Regex,
}

pub(super) fn compile_patterns() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = super::sniff::ascii_regex;
        Patterns {
            header: re(concat!(
                r"^(\d{4}[-/.]\d{2}[-/.]\d{2}[\t ]*\d{2}[:.]\d{2}[:.]\d{2}",
                r"|(Date|<DATE>|<Date>)[\t ]+(Time|<TIME>|<Time>)[\t ]",
                r"|\d{1,6}[\t ]+[0-9a-fA-F]{1,8}[\t ]+[A-Za-z]+[\t ]",
                r"|(UTC[\t ]+)?(Error|Warning|Info|Change|Fatal|Debug)[\t ]*[A-Za-z0-9_]+\.\d+)"
            )),
            vocabulary: re(concat!(
                // An optional component and the marks WU puts before a message.
                r"^(?i:(AGENT|AU|AUCLNT|COMAPI|DNLDMGR|DOWNLOADMANAGER|DTASTOR|EP|HANDLER|IDLETMR|MISC|PT|PROTOCOLTALKER|REPORT|REPORTER|SERVICE|SETUP|SLS|WS|WEBSERVICES|SHARED)\b[ \t-]*)?",
                r"[*#\t ]*(WARNING:|FATAL:|ERROR:)?[ \t]*",
                r"(\w+ failure, error = |SOAP Fault: 0x|PTError: 0x|WU client failed|Failed to synchronize, error",
                r"|Send(Request)? failed with hr|Exit code = 0x|Exceeded max server round trips|Sync of Updates: 0x",
                r"|SyncServerUpdatesInternal failed|\*FAILED\* \[|Failed to upload events to the server",
                r"|Reporter failed to upload events|Failed to find updates with error|Search callback failed",
                r"|IsUpdateRequired failed|SelfUpdate: Default Service|Skipping scan, self-update",
                r"|WinHttp: |DownloadFileInternal failed|Soap fault detail:|Nws Failure: errorCode=",
                r"|OnCallFailure failed|\w+_WithRecovery failed|RefreshConfig failed|RefreshPTState failed",
                r"|WS error: <detail>|Installation Failure: Windows failed to install|Cached cookie has expired",
                r"|Failed to filter search results|Failed to evaluate Install|ErrorCode:\w+\(\d+\)",
                r"|faultstring:|\+\+\+\+\+ *PT: |ThrowException: |USS ThrowException|DBLAYER: ",
                r"|at Microsoft\.UpdateServices\.|ClientImplementation\.\w|SoapUtilities\.\w",
                r"|WebServiceCommunicationHelper\.|ProcessWebServiceProxyException found",
                r"|DBConnection\.LogSqlException|\* START \*|\*\* START \*\*",
                r"|\* END \*|\*\* END \*\*|## START ##|Logging initialized \(build",
                r"|The WSUS administration console was unable to connect",
                r"|Group policy settings were overwritten by a higher authority)",
            )),
            continuation: re(r"^[\t ]*(at [\w.`<>\[\]]+[.(]|--->|--- End of)"),
            joined: re(r".[\t ]\d{4}[-/.]\d{2}[-/.]\d{2}[\t ]+\d{2}:\d{2}:\d{2}[:.]\d{3,7}[\t ]+\d+[\t ]+[0-9a-fA-F]+[\t ]+[A-Za-z]"),
            embedded: re(r"\d{4}[-/.]\d{2}[-/.]\d{2}[\t ]+\d{2}:\d{2}:\d{2}[:.]\d{3,7}[\t ]+\d+[\t ]+[0-9a-fA-F]+[\t ]+[A-Za-z]"),
            cut_stamp: re(r"^[\d:.]*\d[\d:.]*[\t ]+(\d{1,6}[\t ]+[0-9a-fA-F]{1,8}[\t ]+)?"),
            trace_prefix: re(concat!(
                r"^\[\d{1,3}\]([0-9A-Fa-f]{1,8})\.([0-9A-Fa-f]{1,8})::",
                r"(?:(\d{4})-(\d{2})-(\d{2})[ -]|(\d{2})/(\d{2})/(\d{4})-)",
                r"(\d{2}:\d{2}:\d{2})\.(\d{1,7})[\t ]*\[([A-Za-z]{2,16})\][\t ]?",
            )),
            bracketed: re(r"^\[([A-Za-z]{2,16})\][\t ]*"),
            component_failure: re(concat!(
                r"^(?i:DOWNLOADMANAGER|DNLDMGR|DWNLDMGR|PROTOCOLTALKER|WEBSERVICES|COMAPI|IDLETIMER",
                r"|IDLETMR|DTASTOR|DATASTORE|EEHANDLER|ENDPOINTPROVIDER|AUCLNT|WUTASK)[\t ]+",
                r".*\b(?i:failed|failure|error)\b.*\b(0x)?8[0-9A-Fa-f]{7}\b",
            )),
        }
    })
}

/// Whether `line` says something only a Windows Update or WSUS log says (at its start, after
/// an optional component and `WARNING:`), so a paste of it is a log fragment, not prose.
pub(crate) fn is_log_vocabulary(line: &str) -> bool {
    let p = patterns();
    let t = line.trim_start();
    p.vocabulary.is_match(t) || p.component_failure.is_match(t)
}

/// Whether `line` reads as a log line: an entry header, log vocabulary, or a stack frame.
fn is_log_line(line: &str) -> bool {
    let p = patterns();
    let t = line.trim_start();
    if p.header.is_match(t) || is_log_vocabulary(t) || p.continuation.is_match(line) {
        return true;
    }
    // A trace-formatter line of Windows Update's.
    if trace_line(t).is_some() {
        return true;
    }
    // A Configuration Manager line, as written or as CMTrace copies it.
    if crate::records::cmtrace::is_line(t) {
        return true;
    }
    // An entry whose header was cut at its start.
    p.cut_stamp
        .find(t)
        .is_some_and(|m| m.end() < t.len() && p.vocabulary.is_match(&t[m.end()..]))
}

/// Whether `text` is a Configuration Manager log as written (`<![LOG[…]LOG]!><time=…>`, or the
/// site server's `… $$<component><date><thread=…>`): markup of its own, not a paste's.
fn is_cmtrace(text: &str) -> bool {
    Lines::new(text)
        .map(|l| l.text.trim_start_matches('\u{feff}').trim_start())
        .find(|l| !l.is_empty())
        .is_some_and(|l| l.starts_with("<![LOG[") || l.contains("$$<"))
}

/// Whether `text` starts as a log as written (no paste wrapping), so that [`unwrap`] has
/// nothing to do: its first non-blank line is an entry header, and none of its first few lines
/// carries a wrapper (a quote mark, a fence, a table bar, a tag, an entity, a bullet).
pub fn is_clean(text: &str) -> bool {
    let p = patterns();
    let mut seen = 0;
    for line in Lines::new(text) {
        let l = line.text.strip_prefix('\u{feff}').unwrap_or(line.text);
        if l.trim().is_empty() {
            continue;
        }
        if seen == 0 && !(l.starts_with(|c: char| c.is_ascii_digit()) && p.header.is_match(l)) {
            return false;
        }
        let t = l.trim_start();
        let wrapped = t.starts_with(['>', '`', '|', '<', '\u{2022}', '~'])
            || t.ends_with(['|', '`'])
            || l.contains("&lt;")
            || l.contains("&quot;")
            || l.contains("&amp;");
        if wrapped {
            return false;
        }
        seen += 1;
        if seen == CLEAN_LINES {
            break;
        }
    }
    seen > 0
}

/// Takes off what a paste wraps around log lines; a clean log ([`is_clean`]) is returned as
/// it is. Lines that are not log lines before the first log line, or after a blank line, are
/// prose and are blanked; a line right after a log line that looks cut is kept as its
/// continuation.
///
/// A paste of a paste (a page quoting, HTML-escaped, another page that showed the log) is
/// unwrapped again when decoding its entities revealed markup, up to three times.
pub fn unwrap(text: &str) -> Unwrapped<'_> {
    let mut found: Vec<Repair> = Vec::new();
    let mut prose = 0;
    let mut current: Option<String> = None;
    for _ in 0..PASSES {
        let before = current.as_deref().unwrap_or(text);
        let Some((next, repairs, ignored)) = unwrap_once(before) else {
            break;
        };
        // Only decoded entities can reveal another layer (`&lt;pre&gt;` is a `<pre>` now); a
        // text unwrapped without them is left as it is, its verbatim lines kept.
        let revealed = next != before && repairs.contains(&Repair::Entities);
        for r in repairs {
            if !found.contains(&r) {
                found.push(r);
            }
        }
        prose += ignored;
        current = Some(next);
        if !revealed {
            break;
        }
    }
    let Some(text_out) = current else {
        return Unwrapped {
            text: Cow::Borrowed(text),
            repairs: Vec::new(),
        };
    };
    if prose > 0 {
        found.push(Repair::Prose);
    }
    found.sort();
    Unwrapped {
        repairs: found.into_iter().map(|r| r.describe(prose)).collect(),
        text: Cow::Owned(text_out),
    }
}

/// How many times [`unwrap`] takes wrapping off.
const PASSES: usize = 3;

/// One pass of [`unwrap`]: the text with one layer of wrapping taken off, what was repaired
/// (prose aside) and how many lines of prose were ignored; `None` when there is nothing to take
/// off.
fn unwrap_once(text: &str) -> Option<(String, Vec<Repair>, usize)> {
    if text.len() > PASTE_LIMIT || is_clean(text) || is_cmtrace(text) {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    let mut found: Vec<Repair> = Vec::new();
    let mut prose = 0usize;
    let mut fence: Option<Fence> = None;
    let mut in_pre = false;
    // The line a wrapped continuation joins: the last log line, when nothing came between.
    let mut open: Option<usize> = None;
    for line in Lines::new(text) {
        let mut note = |r: Repair| {
            if !found.contains(&r) {
                found.push(r);
            }
        };
        out.push(String::new());
        if line.text.contains("<pre") && !line.text.contains("</pre>") {
            in_pre = true;
        }
        let (cleaned, fence_now) = clean_line(line.text, fence, &mut note);
        fence = fence_now;
        let cleaned = match cleaned {
            Some(c) if !c.trim().is_empty() => c,
            _ => {
                open = None;
                continue;
            }
        };
        // A trace-formatter line or a bracketed component is a log line whatever it says.
        let (cleaned, certain) = if let Some(t) = trace_header(&cleaned) {
            note(Repair::TracePrefix);
            (t, true)
        } else if let Some(t) = unbracket_component(&cleaned) {
            note(Repair::Brackets);
            (t, true)
        } else {
            (cleaned, false)
        };
        let here = out.len() - 1;
        // Inside a fence or a `<pre>` block every line is pasted text, none is prose; a fence of
        // shell commands holds the commands a post gives, prose unless they are log lines.
        let verbatim = fence.is_some_and(|f| !f.commands) || in_pre;
        if line.text.contains("</pre>") {
            in_pre = false;
        }
        if verbatim && !is_log_line(&cleaned) && embedded_header(&cleaned).is_none() {
            out[here] = cleaned.trim_end().to_owned();
            open = Some(here);
        } else if certain || is_log_line(&cleaned) {
            if patterns().joined.is_match(&cleaned) {
                note(Repair::Joined);
            }
            out[here] = cleaned.trim_end().to_owned();
            open = Some(here);
        } else if let Some(at) = embedded_header(&cleaned) {
            // A cut entry, then whole ones joined on to it: read from the first whole one.
            note(Repair::Joined);
            out[here] = cleaned[at..].trim_end().to_owned();
            open = Some(here);
        } else if let Some(inner) = quoted_log_text(&cleaned) {
            note(Repair::Quoted);
            out[here] = inner.to_owned();
            open = Some(here);
        } else if let Some(prev) = open.filter(|&p| {
            cleaned.starts_with([' ', '\t']) || continues(&cleaned) || looks_cut(&out[p])
        }) {
            // A message wrapped over several lines: one entry again, on its first line.
            note(Repair::Wrapped);
            let joined = &mut out[prev];
            joined.push(' ');
            joined.push_str(cleaned.trim());
        } else {
            prose += 1;
            open = None;
        }
    }
    let mut joined = out.join("\n");
    if text.ends_with(['\n', '\r']) {
        joined.push('\n');
    }
    Some((joined, found, prose))
}

/// Where a whole entry header starts inside a line that does not start with one (a cut entry
/// before it, its line break lost).
fn embedded_header(line: &str) -> Option<usize> {
    patterns().embedded.find(line).map(|m| m.start())
}

/// Whether a line not read as a log line goes on the entry before it (starts in lower case or
/// with a bracket, as a wrapped message does).
fn continues(line: &str) -> bool {
    line.starts_with(|c: char| c.is_lowercase() || matches!(c, '[' | '<' | '(' | '{'))
}

/// Whether a line ends as a message cut by a wrap does.
fn looks_cut(line: &str) -> bool {
    line.trim_end()
        .ends_with([':', ',', '<', '(', '[', '=', '-', '&'])
}

/// Log text quoted inside a line of prose (`` `…` ``, `"…"`, `“…”`), when it is a log line.
/// A command that searches a log for such text (`-match "…"`, `grep`) quotes none.
fn quoted_log_text(line: &str) -> Option<&str> {
    const SEARCHES: &[&str] = &[
        "$_",
        "-match",
        "-Pattern",
        "Select-String",
        "grep ",
        "findstr",
    ];
    if SEARCHES.iter().any(|s| line.contains(s)) {
        return None;
    }
    for (open, close) in [('`', '`'), ('"', '"'), ('\u{201c}', '\u{201d}')] {
        let mut rest = line;
        while let Some(a) = rest.find(open) {
            let after = &rest[a + open.len_utf8()..];
            let Some(b) = after.find(close) else { break };
            let inner = &after[..b];
            if is_log_line(inner) {
                return Some(inner);
            }
            rest = &after[b + close.len_utf8()..];
        }
    }
    None
}

/// An open code fence: its indent (inside a list item), and whether its language is a shell's
/// (` ```powershell `, ` ```cmd `, ` ```console `…), whose lines are commands.
#[derive(Clone, Copy, Debug)]
struct Fence {
    indent: usize,
    commands: bool,
}

/// The info strings of fences that hold shell commands, not a log.
const COMMAND_FENCES: &[&str] = &[
    "powershell",
    "pwsh",
    "ps",
    "ps1",
    "posh",
    "cmd",
    "bat",
    "batch",
    "console",
    "bash",
    "sh",
    "shell",
];

/// One line with its wrappers taken off, and the fence state after it. `None` when the line
/// is wrapping only (a fence, a prompt, a table rule, a shortcode).
fn clean_line(
    raw: &str,
    fence: Option<Fence>,
    note: &mut impl FnMut(Repair),
) -> (Option<String>, Option<Fence>) {
    let mut l: Cow<'_, str> = Cow::Borrowed(raw.trim_end());
    // Markup first: quote marks and fences may be written as entities inside it.
    if let Some(t) = strip_html_tags(&l) {
        note(Repair::Html);
        l = Cow::Owned(t);
    }
    // Entities escaped twice (`&amp;lt;`) by a page quoting a page are decoded twice.
    for _ in 0..3 {
        let Some(t) = decode_entities(&l) else { break };
        note(Repair::Entities);
        l = Cow::Owned(t);
    }
    if let Some(t) = strip_bbcode(&l) {
        note(Repair::Markup);
        l = Cow::Owned(t);
    }
    if let Some(t) = unescape_markdown(&l) {
        note(Repair::Escapes);
        l = Cow::Owned(t);
    }
    // Quote marks of markdown and e-mail (`> `, `> > `) and line numbers, in any nesting.
    for _ in 0..4 {
        let quoted = strip_quote_marks(&l);
        if quoted.len() < l.len() {
            note(Repair::Quotes);
            l = Cow::Owned(quoted.to_owned());
        } else if let Some(t) = strip_line_number(&l) {
            note(Repair::LineNumbers);
            l = Cow::Owned(t);
        } else {
            break;
        }
    }
    // Code fences, and the indentation of a fence inside a list item.
    let trimmed = l.trim_start();
    if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
        note(Repair::Markdown);
        if fence.is_some() {
            return (None, None);
        }
        let info = trimmed.trim_start_matches(['`', '~']).trim();
        let language = info.split_whitespace().next().unwrap_or_default();
        let commands = COMMAND_FENCES
            .iter()
            .any(|c| c.eq_ignore_ascii_case(language));
        let indent = l.len() - trimmed.len();
        return (None, Some(Fence { indent, commands }));
    }
    if let Some(Fence { indent, .. }) = fence {
        // The fence's indent, or the line's whitespace when less; never inside a character
        // (a no-break space is two bytes of whitespace).
        let mut cut = (l.len() - l.trim_start().len()).min(indent);
        while !l.is_char_boundary(cut) {
            cut -= 1;
        }
        if cut > 0 {
            l = Cow::Owned(l[cut..].to_owned());
        }
    }
    if is_wrapping_only(l.trim()) {
        note(Repair::Markdown);
        return (None, fence);
    }
    if is_prompt(l.trim_start()) {
        note(Repair::Prompt);
        return (None, fence);
    }
    let mut s = l.into_owned();
    if let Some(t) = strip_bullet(&s) {
        note(Repair::Markdown);
        s = t;
    }
    if let Some(t) = strip_emphasis(&s) {
        note(Repair::Markdown);
        s = t;
    }
    if let Some(t) = table_cells(&s) {
        note(Repair::Table);
        s = t;
    }
    (Some(s), fence)
}

/// `>` quote marks at the start of a line, each followed by a space or nothing.
fn strip_quote_marks(l: &str) -> &str {
    let mut s = l;
    loop {
        let t = s.trim_start_matches(' ');
        if s.len() - t.len() > 3 {
            return s;
        }
        match t.strip_prefix('>') {
            Some(rest) if rest.is_empty() || rest.starts_with([' ', '>']) => {
                s = rest.strip_prefix(' ').unwrap_or(rest);
            }
            _ => return s,
        }
    }
}

/// A line that only wraps: a markdown table rule, a hugo shortcode, a lone `<pre>`.
fn is_wrapping_only(t: &str) -> bool {
    (t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')))
        || (t.starts_with("{{<") && t.ends_with(">}}"))
        || (t.starts_with("{{%") && t.ends_with("%}}"))
        || matches!(
            t,
            "<pre>" | "</pre>" | "<code>" | "</code>" | "[code]" | "[/code]"
        )
}

/// A shell prompt line (`PS C:\> …`, `C:\> …`): a command, not log text.
fn is_prompt(t: &str) -> bool {
    let rest = t.strip_prefix("PS ").unwrap_or(t);
    let b = rest.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && b[2] == b'\\'
        && rest
            .split_once('>')
            .is_some_and(|(path, _)| !path.contains(' '))
}

/// `s` with each span that starts with `mark` and that `replace` recognises (it returns the
/// replacement and the span's length) replaced; `None` when there was none.
fn replace_spans(
    s: &str,
    mark: char,
    replace: impl Fn(&str) -> Option<(Option<char>, usize)>,
) -> Option<String> {
    if !s.contains(mark) {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut changed = false;
    while let Some(a) = rest.find(mark) {
        out.push_str(&rest[..a]);
        let tail = &rest[a..];
        match replace(tail) {
            Some((c, len)) => {
                out.extend(c);
                changed = true;
                rest = &tail[len..];
            }
            None => {
                out.push(mark);
                rest = &tail[mark.len_utf8()..];
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// Tags of the markup around pasted text: `<pre …>`, `<code>`, `<p>`, `<br>`, … Tags a log
/// writes itself (`<detail>`, `<ErrorCode>`) are kept.
fn strip_html_tags(s: &str) -> Option<String> {
    const TAGS: &[&str] = &[
        "pre",
        "code",
        "p",
        "br",
        "span",
        "div",
        "tt",
        "blockquote",
        "b",
        "i",
        "em",
        "strong",
    ];
    replace_spans(s, '<', |tag| {
        let end = tag.find('>')?;
        let name = tag[1..]
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("");
        let known = !name.is_empty() && TAGS.iter().any(|t| t.eq_ignore_ascii_case(name));
        known.then_some((None, end + 1))
    })
}

/// HTML entities: `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&nbsp;` and numeric ones.
fn decode_entities(s: &str) -> Option<String> {
    replace_spans(s, '&', |tail| {
        let end = tail.find(';').filter(|&e| e <= 8)?;
        let name = &tail[1..end];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            _ => {
                let n = name.strip_prefix('#')?;
                let v = match n.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => n.parse().ok(),
                };
                char::from_u32(v?)?
            }
        };
        Some((Some(c), end + 1))
    })
}

/// Forum markup: `[url]…[/url]`, `[code]`, `[quote]`, `[b]`, `[i]`.
fn strip_bbcode(s: &str) -> Option<String> {
    const TAGS: &[&str] = &[
        "[url]", "[/url]", "[code]", "[/code]", "[quote]", "[/quote]", "[b]", "[/b]", "[i]", "[/i]",
    ];
    if !s.contains("[/") && !TAGS.iter().any(|t| s.contains(t)) {
        return None;
    }
    let mut out = s.to_owned();
    for t in TAGS {
        out = out.replace(t, "");
    }
    (out != s).then_some(out)
}

/// Markdown escapes (`\*`, `\_`, `` \` ``) and backslashes doubled throughout a line.
fn unescape_markdown(s: &str) -> Option<String> {
    let mut out = s.to_owned();
    for (from, to) in [("\\*", "*"), ("\\_", "_"), ("\\`", "`")] {
        out = out.replace(from, to);
    }
    let doubled = out.matches("\\\\").count();
    if doubled > 0 && doubled * 2 == out.matches('\\').count() {
        out = out.replace("\\\\", "\\");
    }
    (out != s).then_some(out)
}

/// A list bullet before a log line (`•`, `·`, `-`, `+`).
fn strip_bullet(s: &str) -> Option<String> {
    let t = s.trim_start();
    for bullet in ["\u{2022}", "\u{b7}", "- ", "+ "] {
        if let Some(rest) = t.strip_prefix(bullet) {
            let rest = rest.trim_start();
            if is_log_line(rest) {
                return Some(rest.to_owned());
            }
        }
    }
    None
}

/// A `tracefmt` line of a Windows Update component (`[agent]` is `Agent`; other providers'
/// lines are none): its captures and the component in its usual spelling.
fn trace_line(s: &str) -> Option<TraceLine<'_>> {
    let s = bracket_first(s)?;
    let prefix = patterns().trace_prefix.captures(s)?;
    let component = crate::records::components::trace_component(prefix.get(11)?.as_str())?;
    let message = &s[prefix.get(0)?.end()..];
    Some(TraceLine {
        prefix,
        component,
        message,
    })
}

/// The parts of a [`trace_line`].
struct TraceLine<'a> {
    /// The prefix's fields, as [`Patterns::trace_prefix`] numbers them.
    prefix: regex::Captures<'a>,
    component: &'a str,
    message: &'a str,
}

/// `s` from its first non-blank, when that is a bracket: where the patterns of a bracketed
/// start are tried. Asked first, it keeps them off every other line, where the regex crate's
/// capture search costs more than its failure would suggest.
fn bracket_first(s: &str) -> Option<&str> {
    Some(s.trim_start()).filter(|t| t.starts_with('['))
}

/// A [`trace_line`] as the Windows 10 text writes the same entry:
/// `2024/03/05 10:12:44.1230000 2588  3900  Agent           …` (PID and TID in decimal).
fn trace_header(s: &str) -> Option<String> {
    let TraceLine {
        prefix: c,
        component,
        message,
    } = trace_line(s)?;
    let pid = u32::from_str_radix(&c[1], 16).ok()?;
    let tid = u32::from_str_radix(&c[2], 16).ok()?;
    let part = |a: usize, b: usize| c.get(a).or_else(|| c.get(b)).map(|m| m.as_str());
    let (year, month, day) = (part(3, 8)?, part(4, 6)?, part(5, 7)?);
    Some(format!(
        "{year}/{month}/{day} {}.{:0<7} {pid:<5} {tid:<5} {component:<15} {}",
        &c[9], &c[10], message
    ))
}

/// A known component in brackets before a message, without them: `[DownloadManager] BITS …`
/// becomes `DownloadManager BITS …`.
fn unbracket_component(s: &str) -> Option<String> {
    let s = bracket_first(s)?;
    let c = patterns().bracketed.captures(s)?;
    let message = &s[c.get(0)?.end()..];
    (message.starts_with(|c: char| !c.is_whitespace())
        && crate::records::components::is_known_component(&c[1]))
    .then(|| format!("{} {message}", &c[1]))
}

/// Emphasis around a whole log line (`*…*`, `**…**`, `_…_`), or around a label before it.
fn strip_emphasis(s: &str) -> Option<String> {
    let t = s.trim();
    for mark in ["**", "__", "*", "_"] {
        if let Some(inner) = t.strip_prefix(mark).and_then(|r| r.strip_suffix(mark))
            && inner.starts_with(|c: char| c.is_ascii_alphanumeric())
            && is_log_line(inner)
            && !is_log_line(t)
        {
            return Some(inner.to_owned());
        }
    }
    None
}

/// A paste site's or an editor's line number (`12:`, `12 |`, `12.`, `12)`, then a blank)
/// before a log line.
fn strip_line_number(s: &str) -> Option<String> {
    let t = s.trim_start();
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || n > 6 {
        return None;
    }
    let rest = t[n..].trim_start_matches(' ');
    let rest = rest.strip_prefix([':', '|', '.', ')'])?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let wrapped = rest.starts_with(['>', '`', '<']) || strip_line_number(rest).is_some();
    (wrapped || is_log_line(rest)).then(|| rest.to_owned())
}

/// A table row (`| 2005-06-01 | 18:30:03 | 992 | … |`): its cells as TAB-separated fields.
fn table_cells(s: &str) -> Option<String> {
    let t = s.trim();
    if t.matches(" | ").count() < 3 {
        return None;
    }
    let inner = t.trim_start_matches('|').trim_end_matches('|').trim();
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    let joined = cells.join("\t");
    is_log_line(&joined).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(u: &Unwrapped<'_>) -> Vec<String> {
        u.text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn trace_formatter_prefixes_become_headers() {
        // Both date forms; PID and TID from hex to decimal; the fraction padded to 7 digits.
        assert_eq!(
            trace_header("[0]0A1C.0F3C::2024-03-05 10:12:44.123 [Agent]  * END * Finding updates")
                .as_deref(),
            Some(
                "2024/03/05 10:12:44.1230000 2588  3900  Agent            * END * Finding updates"
            )
        );
        assert_eq!(
            trace_header("[1]03E4.1668::03/05/2024-10:12:44.1234567 [WebServices]WS error")
                .as_deref(),
            Some("2024/03/05 10:12:44.1234567 996   5736  WebServices     WS error")
        );
        // The lower-case WPP tags of Windows 10 1703 (a real pastebin excerpt's lines).
        assert_eq!(
            trace_header(
                "[0]39A0.357C::10/28/2017-18:24:12.149 [agent]WU client version 10.0.15063.674"
            )
            .as_deref(),
            Some(
                "2017/10/28 18:24:12.1490000 14752 13692 Agent           WU client version 10.0.15063.674"
            )
        );
        assert_eq!(
            trace_header("[0]39A0.357C::10/28/2017-18:24:12.645 [regutil]LoadHistoryEventFromRegistry completed, hr = 8024000C")
                .as_deref(),
            Some("2017/10/28 18:24:12.6450000 14752 13692 regutil         LoadHistoryEventFromRegistry completed, hr = 8024000C")
        );
        // Another provider's trace line (a driver's) stays as it is.
        assert_eq!(
            trace_header("[0]0EF8.1588::04/24/2020-10:40:04.518 [IddCx]x"),
            None
        );
    }

    #[test]
    fn only_known_components_lose_their_brackets() {
        assert_eq!(
            unbracket_component("[DownloadManager] BITS job failed 0x800706d9").as_deref(),
            Some("DownloadManager BITS job failed 0x800706d9")
        );
        assert_eq!(
            unbracket_component("[Note] the update failed with 0x80070005"),
            None
        );
        // A component with nothing after it is no message.
        assert_eq!(unbracket_component("  [DownloadManager] \t "), None);
        assert_eq!(
            unbracket_component("  [DownloadManager]\tjob failed").as_deref(),
            Some("DownloadManager job failed")
        );
        // Prose that starts with a component that is an English word is not log text.
        assert!(!is_log_vocabulary(
            "Setup failed with error 0x800F081F after the reboot"
        ));
        assert!(is_log_vocabulary(
            "DownloadManager BITS job failed 0x800706d9"
        ));
    }

    #[test]
    fn a_clean_log_is_borrowed() {
        let log = "2016-10-19\t11:23:47:375\t1532\t2150\tAU\t#############\n";
        let u = unwrap(log);
        assert!(matches!(u.text, Cow::Borrowed(_)));
        assert!(u.repairs.is_empty());
    }

    #[test]
    fn fences_prose_and_quotes() {
        let text =
            "Here is my log:\n\n```\n> 2016-10-19 11:23:47:375 1532 2150 AU x\n```\nThanks, Bob\n";
        let u = unwrap(text);
        assert_eq!(
            lines(&u),
            ["", "", "", "2016-10-19 11:23:47:375 1532 2150 AU x", "", ""]
        );
        assert_eq!(
            u.repairs,
            [
                "unwrapped markdown",
                "took off quote marks",
                "ignored 2 lines of prose"
            ]
        );
    }

    #[test]
    fn a_fence_of_shell_commands_holds_no_log_text_but_its_log_lines() {
        // The commands an article gives after its log excerpt are prose; a log line pasted
        // into such a fence still counts, and a plain fence keeps every line as pasted text.
        let text = "```output\nAgent -- WARNING: Exit code = 0x80240439\n```\n\n```powershell\nGet-Service wuauserv | Select-Object Name, Status\n2016-10-19 11:23:47:375 1532 2150 AU x\n```\n\n```\nGet-Service wuauserv\n```\n";
        let u = unwrap(text);
        let kept: Vec<String> = lines(&u).into_iter().filter(|l| !l.is_empty()).collect();
        assert_eq!(
            kept,
            [
                "Agent -- WARNING: Exit code = 0x80240439",
                "2016-10-19 11:23:47:375 1532 2150 AU x",
                "Get-Service wuauserv"
            ]
        );
        assert_eq!(
            u.repairs.last().map(String::as_str),
            Some("ignored 1 lines of prose")
        );
    }

    #[test]
    fn an_indented_fence_never_cuts_a_character_of_the_line_after() {
        // A no-break space (two bytes of whitespace) after a fence indented by one space.
        let u = unwrap(" ```\n\u{a0}items\n ```\n");
        assert!(
            lines(&u).iter().any(|l| l.ends_with("items")),
            "{:?}",
            lines(&u)
        );
        let u = unwrap("  ```\n\u{a0}\u{a0}2016-10-19 11:23:47:375 1532 2150 AU x\n  ```\n");
        assert!(lines(&u).iter().any(|l| l.contains("AU x")));
    }

    #[test]
    fn entities_and_tags() {
        let u = unwrap(
            "<pre>2015-10-30 17:12:54:073 880 1160 WS WARNING: detail: &lt;detail&gt;&lt;ErrorCode&gt;InvalidParameters&lt;/ErrorCode&gt;</pre>\n",
        );
        assert_eq!(
            lines(&u),
            [
                "2015-10-30 17:12:54:073 880 1160 WS WARNING: detail: <detail><ErrorCode>InvalidParameters</ErrorCode>"
            ]
        );
        assert_eq!(u.repairs, ["took off HTML tags", "decoded HTML entities"]);
    }

    #[test]
    fn escapes_numbers_prompts_and_tables() {
        let u = unwrap(
            "PS C:\\> Get-WindowsUpdateLog\n12: *FAILED\\* [80244007] SyncUpdates_WithRecovery failed\n2005-06-01 | 18:30:03 | 992 | 810 | Misc | = Logging initialized |\n",
        );
        assert_eq!(
            lines(&u),
            [
                "",
                "*FAILED* [80244007] SyncUpdates_WithRecovery failed",
                "2005-06-01\t18:30:03\t992\t810\tMisc\t= Logging initialized"
            ]
        );
        assert_eq!(
            u.repairs,
            [
                "took off line numbers",
                "read table cells as fields",
                "ignored shell prompt lines",
                "undid escapes"
            ]
        );
    }

    #[test]
    fn log_text_quoted_in_prose() {
        let u = unwrap(
            "One that comes up a few times is \"WARNING: Failed to filter search results, error = 0x8024000B\", but I'm not sure.\n",
        );
        assert_eq!(
            lines(&u),
            ["WARNING: Failed to filter search results, error = 0x8024000B"]
        );
    }

    #[test]
    fn a_paste_of_a_paste_is_unwrapped_twice() {
        // A page quoting, in a `<pre>`, the HTML of another page that showed the line in one.
        let line = "Failed to sync update 8b1ca2c2-e002-4dc6-a5d6-0168006fb369. Error: The Microsoft Software License Terms have not been completely downloaded";
        let inner = format!("<p>The log:</p>\n<pre>{line}</pre>\n");
        let escaped = inner.replace('<', "&lt;").replace('>', "&gt;");
        let outer = format!("<p>The log:</p>\n<pre>{}</pre>\n", escaped.trim_end());
        let u = unwrap(&outer);
        assert_eq!(u.text.trim(), line, "{u:?}");
        assert!(u.repairs.contains(&"decoded HTML entities".to_owned()));
        assert!(
            u.repairs.contains(&"ignored 2 lines of prose".to_owned()),
            "{:?}",
            u.repairs
        );
    }

    #[test]
    fn wrapped_lines_join_their_entry() {
        let u = unwrap(
            "The log shows:\n2010-11-23 11:03:45:106 800 634 Misc WARNING: SendRequest failed with hr = 80072ee2. Proxy List used:\nBypass List used : <(null)> Auth Schemes used : <>\n\nThis is prose.\n",
        );
        assert_eq!(
            lines(&u)[1],
            "2010-11-23 11:03:45:106 800 634 Misc WARNING: SendRequest failed with hr = 80072ee2. Proxy List used: Bypass List used : <(null)> Auth Schemes used : <>"
        );
        assert_eq!((lines(&u)[2].as_str(), lines(&u)[4].as_str()), ("", ""));
        assert!(u.repairs.contains(&"wrapped lines joined".to_owned()));
    }

    #[test]
    fn vocabulary_must_open_the_line() {
        assert!(is_log_vocabulary("PT WARNING: Sync of Updates: 0x80244010"));
        assert!(is_log_vocabulary("  * WARNING: Exit code = 0x80072EFD"));
        assert!(!is_log_vocabulary(
            "Get-Content WindowsUpdate.log | Where-Object {$_ -match \"PTError: 0x80072ee2\"}"
        ));
    }
}
