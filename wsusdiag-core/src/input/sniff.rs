//! Which log an input holds, judged from its first lines (never from its name).

use std::sync::OnceLock;

use regex::Regex;

use crate::named::named_enum;

named_enum! {
    /// The kinds of log wsusdiag reads.
    pub enum LogKind {
        /// Classic TAB-separated `WindowsUpdate.log` (Windows XP to 8.1).
        ClientClassic = "client-classic",
        /// Windows 10+ text from `Get-WindowsUpdateLog`.
        ClientWin10 = "client-win10",
        /// A raw Windows Update `.etl` trace.
        ClientEtl = "client-etl",
        /// WSUS `SoftwareDistribution.log`.
        Server = "server",
        /// Client log lines without their headers (an excerpt): no time.
        ClientFragment = "client-fragment",
        /// Server log lines without their headers (an excerpt): no time.
        ServerFragment = "server-fragment",
        /// A Configuration Manager client log (`WUAHandler.log`, `ScanAgent.log`, …).
        ClientConfigMgr = "client-configmgr",
        /// A Configuration Manager site-server log (`wsyncmgr.log`, `WCM.log`, …).
        ServerConfigMgr = "server-configmgr",
    }
}

impl LogKind {
    /// Whether this is a client log.
    pub fn is_client(self) -> bool {
        !matches!(
            self,
            Self::Server | Self::ServerFragment | Self::ServerConfigMgr
        )
    }

    /// Whether this is a server log (whole or a fragment).
    pub fn is_server(self) -> bool {
        matches!(self, Self::Server | Self::ServerFragment)
    }

    /// Whether this is a fragment: lines without headers, so without time.
    pub fn is_fragment(self) -> bool {
        matches!(self, Self::ClientFragment | Self::ServerFragment)
    }

    /// Whether this is a Configuration Manager log.
    pub fn is_configmgr(self) -> bool {
        matches!(self, Self::ClientConfigMgr | Self::ServerConfigMgr)
    }
}

/// How much of the input is looked at.
pub(crate) const SNIFF_BYTES: usize = 256 * 1024;
/// How many non-blank lines are looked at.
const SNIFF_LINES: usize = 400;
/// A text that opens with this many entry headers of one format, and nothing between them, is
/// a log of that format: the lines after them are not looked at. (A fleet's folder holds
/// thousands of small clean logs, each of which would otherwise be read twice.)
const OPENING_ENTRIES: usize = 64;

struct Patterns {
    classic: Regex,
    win10: Regex,
    server: Regex,
    client_no_date: Regex,
    win10_words: Regex,
    server_words: Regex,
    server_no_time: Regex,
}

/// A built-in pattern, with `\d` read as `[0-9]`: log digits are ASCII, and the Unicode class
/// would make the patterns several times slower to compile (a cost on every run).
pub(crate) fn ascii_regex(pattern: &str) -> Regex {
    Regex::new(&pattern.replace(r"\d", "[0-9]")).expect("built-in pattern")
}

pub(super) fn compile_patterns() {
    patterns();
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = ascii_regex;
        Patterns {
            classic: re(r"^\d{4}-\d{2}-\d{2}[\t ]*\d{2}:\d{2}:\d{2}(:\d{3})?[\t ]*\d{1,6}[\t ]*[0-9a-fA-F]{1,8}[\t ]*[A-Za-z]"),
            win10: re(r"^\d{4}[/.-]\d{2}[/.-]\d{2} +\d{2}[:.]\d{2}[:.]\d{2}[.,]\d{5,7} +\d+ +\d+ +[A-Za-z]"),
            server: re(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC|\S{1,24} \S{1,24} UTC|<Date> <Time>)[\t ]*(Error|Warning|Info|Change|Fatal|Debug)[\t ]*[A-Za-z0-9_]+\.\d+"),
            client_no_date: re(r"^(\S{1,24}[\t ]+\S{1,24}[\t ]+)?\d{1,6}[\t ]+[0-9a-f]{1,8}[\t ]+(PT|AU|Agent|Misc|Report|Setup|Service|Handler|COMAPI|DnldMgr|DtaStor|EP|WS|IdleTmr)[\t ]"),
            win10_words: re(r"\*FAILED\* \[|WebServices|ProtocolTalker|DownloadManager|\* START \*"),
            server_words: re(r"ThrowException: |DBLAYER: |^\s*at Microsoft\.UpdateServices\.|ClientImplementation\.|SoapUtilities\.|WebServiceCommunicationHelper\.|ProcessWebServiceProxyException found|WSUS administration console|WsusService\.\d+|w3wp\.\d+"),
            server_no_time: re(r"^(UTC[\t ]+)?(Error|Warning|Info|Change|Fatal|Debug)[\t ]*(w3wp|WsusService)\.\d+"),
        }
    })
}

/// Why a text is none of the logs wsusdiag reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotALog {
    /// Nothing but blank lines.
    #[error("the input is empty")]
    Empty,
    /// Text, but none of the lines looked at is a log entry or a log's words.
    #[error(
        "none of its first {lines} lines looks like a WindowsUpdate.log or SoftwareDistribution.log entry"
    )]
    NoEntry {
        /// The non-blank lines looked at.
        lines: usize,
    },
    /// Every line was prose around a paste (a post, a mail): no log entry was left.
    #[error("not one log entry in it")]
    OnlyProse,
    /// An `.etl` trace with no Windows Update event: what the trace reader said of it.
    #[error("{0}")]
    NoUpdateEvents(String),
}

/// Whether the first word of `line` is a Windows Update component (`DownloadManager …`).
fn led_by_wu_component(line: &str) -> bool {
    line.split([' ', '\t'])
        .next()
        .is_some_and(crate::records::components::is_known_component)
}

/// Decides which log `text` holds from its first lines, or says why it is none of them.
///
/// Every non-blank line of the first 256 KiB (400 lines at most) votes: full entry headers
/// weigh most, then headers with words for their date (`Date Time`), then lines that only a
/// Windows Update or WSUS log writes (a classic header with no date at all is one of those,
/// unless dated headers are around it). Text with headers is a log of their format; text
/// with only such lines is a client or server fragment. An input with no vote is reported,
/// never guessed.
pub fn sniff(text: &str) -> Result<LogKind, NotALog> {
    let head = crate::error::head_to(text, SNIFF_BYTES);
    let p = patterns();
    let (mut classic, mut win10, mut server, mut seen) = (0u32, 0u32, 0u32, 0usize);
    let (mut client_words, mut server_words) = (0u32, 0u32);
    let (mut cm_client, mut cm_server) = (0u32, 0u32);
    for line in crate::records::lines::Lines::new(head) {
        let text = line.text.trim_start_matches('\u{feff}');
        let l = text
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '|' || c == ' ');
        let l = if l.len() < text.len() && !l.starts_with(|c: char| c.is_ascii_digit()) {
            text.trim_start()
        } else {
            l
        };
        if l.trim().is_empty() {
            continue;
        }
        seen += 1;
        if seen > SNIFF_LINES {
            break;
        }
        if p.server.is_match(l) {
            server += 4;
        } else if p.win10.is_match(l) {
            win10 += 4;
        } else if p.classic.is_match(l) {
            classic += 4;
        } else if let Some(header) = p.client_no_date.captures(l) {
            // With words in place of its date and time (`Date Time`, as KB articles print
            // them), a classic header; with no date at all, a fragment's line unless dated
            // headers are around it.
            if header.get(1).is_some() || classic + win10 > 0 {
                classic += 2;
            } else {
                client_words += 2;
            }
        } else if let Some((side, weight)) =
            // A line led by a Windows Update component is Windows Update's, whatever it says.
            (!led_by_wu_component(l))
                .then(|| crate::records::cmtrace::vote(line.text))
                .flatten()
        {
            match side {
                crate::records::cmtrace::Side::Client => cm_client += weight,
                crate::records::cmtrace::Side::Server => cm_server += weight,
            }
        } else if p.server_no_time.is_match(l) {
            server_words += 2;
        } else if super::unwrap::is_log_vocabulary(l) {
            if p.server_words.is_match(l) {
                server_words += 1;
            } else if p.win10_words.is_match(l) {
                win10 += u32::from(classic + win10 > 0);
                client_words += 1;
            } else {
                classic += u32::from(classic + win10 > 0);
                client_words += 1;
            }
        }
        // A full header is the only vote worth 4 to its format, and no line votes more: a
        // tally of 4 a line means every line so far was a header of that format.
        let all_headers = 4 * u32::try_from(seen).unwrap_or(u32::MAX);
        if seen >= OPENING_ENTRIES && [classic, win10, server].contains(&all_headers) {
            break;
        }
    }
    if seen == 0 {
        return Err(NotALog::Empty);
    }
    let best = classic.max(win10).max(server).max(cm_client).max(cm_server);
    if best == 0 {
        return match (client_words, server_words) {
            (0, 0) => Err(NotALog::NoEntry {
                lines: seen.min(SNIFF_LINES),
            }),
            (c, s) if s > c => Ok(LogKind::ServerFragment),
            _ => Ok(LogKind::ClientFragment),
        };
    }
    server += server_words;
    let best = best.max(server);
    Ok(if server == best {
        LogKind::Server
    } else if win10 == best {
        LogKind::ClientWin10
    } else if classic == best {
        LogKind::ClientClassic
    } else if cm_server == best {
        LogKind::ServerConfigMgr
    } else {
        LogKind::ClientConfigMgr
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_across_the_end_of_the_sniffed_part() {
        // A character cut by the sniffer's byte limit once made it slice inside the character.
        let line = "2016-10-19\t11:23:47:375\t1532\t2150\tAU\tVorgang abgeschlossen\r\n";
        let mut text = line.repeat(SNIFF_BYTES / line.len() + 1);
        text.truncate(SNIFF_BYTES - 1);
        text.push_str("ä\r\n");
        assert!(!text.is_char_boundary(SNIFF_BYTES));
        assert_eq!(sniff(&text), Ok(LogKind::ClientClassic));
    }

    #[test]
    fn each_format() {
        assert_eq!(
            sniff("2016-10-19\t11:23:47:375\t1532\t2150\tAU\t#############\n"),
            Ok(LogKind::ClientClassic)
        );
        assert_eq!(
            sniff("2016-10-19 11:23:47:375 1532 2150 AU ## START ##\n"),
            Ok(LogKind::ClientClassic)
        );
        assert_eq!(
            sniff(
                "\u{feff}2021/04/28 12:40:08.8784820 1224  7052  WebServices     *FAILED* [80240439] Web service call\n"
            ),
            Ok(LogKind::ClientWin10)
        );
        assert_eq!(
            sniff("2018.10.21 12:08:49.8046643 1276 3628 Shared * START * Service startup\n"),
            Ok(LogKind::ClientWin10)
        );
        assert_eq!(
            sniff(
                "2014-01-16 18:53:54.231 UTC Change w3wp.58 AdminDataAccess.StartSubscriptionManually Synchronization manually started\n"
            ),
            Ok(LogKind::Server)
        );
    }

    #[test]
    fn a_text_that_opens_with_entries_of_one_format_is_decided_by_them() {
        let classic = "2016-10-19\t11:23:47:375\t1532\t2150\tAU\t#############\n";
        let server = "2014-01-16 18:53:54.231 UTC Change w3wp.58 AdminDataAccess.StartSubscriptionManually Synchronization manually started\n";
        // Entries of one format from the first line on decide once there are enough of them,
        // whatever follows ...
        let opening = classic.repeat(OPENING_ENTRIES) + &server.repeat(SNIFF_LINES);
        assert_eq!(sniff(&opening), Ok(LogKind::ClientClassic));
        // ... but not before, nor when another line comes between them: then every line
        // looked at votes.
        let short = classic.repeat(OPENING_ENTRIES - 1) + &server.repeat(SNIFF_LINES);
        assert_eq!(sniff(&short), Ok(LogKind::Server));
        let interrupted = classic.repeat(OPENING_ENTRIES / 2)
            + "PT WARNING: SyncUpdates failure, error = 0x8024400E\n"
            + &classic.repeat(OPENING_ENTRIES / 2)
            + &server.repeat(SNIFF_LINES);
        assert_eq!(sniff(&interrupted), Ok(LogKind::Server));
    }

    #[test]
    fn kb_article_excerpts() {
        let client = "Date Time 788 ee4 PT +++++++++++ PT: Synchronizing server updates +++++++++++\nDate Time 788 ee4 PT WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200\n";
        assert_eq!(sniff(client), Ok(LogKind::ClientClassic));
        // The same header without even the words for its date: a fragment (no time).
        let cut =
            "788 ee4 PT WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7\n";
        assert_eq!(sniff(cut), Ok(LogKind::ClientFragment));
        let server = "Date Time UTC Error w3wp.12 ClientImplementation.SyncUpdates System.ArgumentException: Item has already been added.\nat System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)\n";
        assert_eq!(sniff(server), Ok(LogKind::Server));
        assert_eq!(
            sniff("PT WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7\n"),
            Ok(LogKind::ClientFragment)
        );
        assert_eq!(
            sniff(
                "ThrowException: actor = http://x/ClientWebService/client.asmx, ID=GUID, ErrorCode=InvalidParameters\n"
            ),
            Ok(LogKind::ServerFragment)
        );
        // Words of the logs inside other text are not a log.
        assert!(
            sniff(
                "Get-Content WindowsUpdate.log | Where-Object {$_ -match \"PTError: 0x80072ee2\"}\n"
            )
            .is_err()
        );
    }

    #[test]
    fn unknown_is_explained() {
        assert_eq!(sniff(""), Err(NotALog::Empty));
        assert_eq!(sniff(" \n\t\n"), Err(NotALog::Empty));
        let e = sniff("hello world\nthis is not a log\n").unwrap_err();
        assert_eq!(e, NotALog::NoEntry { lines: 2 });
        assert!(e.to_string().contains("none of its first 2 lines"), "{e}");
    }
}
