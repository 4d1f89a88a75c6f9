//! Real excerpts people pasted (forum posts, KB articles, GitHub issues, blogs), each exactly
//! as its source has it (see `tests/pastes/SOURCES.md`): each is read as the kind of log it
//! is, with the error codes it shows, and names the known issue where its source states the
//! cause. Text that is not a Windows Update or WSUS log is `unknown`.

use std::collections::BTreeSet;
use std::path::Path;

use wsusdiag_core::diagnosis::LogKind;
use wsusdiag_core::events::codes;
use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::{Error, Options, diagnose_buffers};

/// What an excerpt must read as.
struct Case {
    file: &'static str,
    /// The kind, or `None` for text that is not a log.
    kind: Option<LogKind>,
    /// The failure codes the excerpt shows, as read from its records.
    codes: &'static [u32],
    /// The known issue its source states, when it does and the excerpt shows enough of it.
    rule: Option<&'static str>,
}

const fn case(
    file: &'static str,
    kind: Option<LogKind>,
    codes: &'static [u32],
    rule: Option<&'static str>,
) -> Case {
    Case {
        file,
        kind,
        codes,
        rule,
    }
}

const CLASSIC: Option<LogKind> = Some(LogKind::ClientClassic);
const WIN10: Option<LogKind> = Some(LogKind::ClientWin10);
const SERVER: Option<LogKind> = Some(LogKind::Server);
const CLIENT_FRAGMENT: Option<LogKind> = Some(LogKind::ClientFragment);
const SERVER_FRAGMENT: Option<LogKind> = Some(LogKind::ServerFragment);

#[rustfmt::skip]
const CASES: &[Case] = &[
    // The SyncUpdates failure alone, without the SOAP fault's ErrorCode or ID, fits several
    // known issues: the rules do not name KB954960 from it.
    case("01-expta-2009-full-header.txt", CLASSIC, &[0x8024400E], None),
    case("02-expta-2008-bullets.txt", CLIENT_FRAGMENT, &[0x8024400E], None),
    case("03-winitpro-ru-joined-component.txt", CLIENT_FRAGMENT, &[0x80244010], Some("WU-80244010-MAXTRIPS")),
    case("04-woshub-en-joined-component.txt", CLIENT_FRAGMENT, &[0x80244010], Some("WU-80244010-MAXTRIPS")),
    case("05-technet-4407-joined-full.txt", CLASSIC, &[], None),
    case("06-kb909131-en-au-message-only.txt", CLIENT_FRAGMENT, &[0x80244008], Some("KB909131")),
    // The server's SQL timeout alone is any database in need of maintenance; KB909131 is
    // named with the client's reporting failure (see `an_article_s_two_excerpts_together`).
    case("07-kb909131-en-au-server.txt", SERVER_FRAGMENT, &[], Some("SUSDB-MAINTENANCE")),
    case("08-kb909131-pt-br-date-time-lines.txt", SERVER_FRAGMENT, &[], Some("SUSDB-MAINTENANCE")),
    case("09-kb909131-zx-server-placeholder.txt", SERVER_FRAGMENT, &[], Some("SUSDB-MAINTENANCE")),
    case("10-kb909131-zx-client-message.txt", CLIENT_FRAGMENT, &[0x80244008], Some("KB909131")),
    case("11-csdn-80072efd-bbcode.txt", CLIENT_FRAGMENT, &[0x80072EFD], Some("WU-80072EFD-CONNECT")),
    case("12-oshibok-win10-glued-prefix.txt", WIN10, &[0x8024000C], None),
    case("13-kb4096317-md-escaped.txt", CLIENT_FRAGMENT, &[0x80244007], Some("KB4096317")),
    case("14-kb4096317-md-server.txt", SERVER_FRAGMENT, &[], Some("KB4096317")),
    case("15-kb4096317-pdf-wrapped.txt", CLIENT_FRAGMENT, &[0x80244007], Some("KB4096317")),
    case("16-wu-80244007-md-symptom1.txt", CLIENT_FRAGMENT, &[0x80244007], Some("KB4096317")),
    case("17-upstream-md-placeholder-server.txt", SERVER, &[], Some("KB4482416")),
    case("18-upstream-md-escaped-frames.txt", SERVER_FRAGMENT, &[], None),
    case("19-eula-80240033-md.txt", CLIENT_FRAGMENT, &[0x80240033], None),
    case("20-win10-joined-no-newline.txt", WIN10, &[0x8024000B, 0x80244019], None),
    case("21-wpp4-win10-table-pipes.txt", WIN10, &[], None),
    case("22-wpp4-win10-table-pipes-download.txt", WIN10, &[], None),
    case("23-windowsserverdocs-7423-server-no-time.txt", SERVER_FRAGMENT, &[], None),
    case("24-powershell-17899-win10-healthy.txt", WIN10, &[], None),
    case("25-ansible-26238-not-a-log.txt", None, &[], None),
    case("26-akunzai-29-powershell-not-a-log.txt", None, &[], None),
    case("27-markwilson-event-log.txt", CLIENT_FRAGMENT, &[0x80242007], None),
    case("28-ashleyknowles-wrapped-proxy.txt", CLASSIC, &[0x80072EE2], Some("WU-80072EE2-TIMEOUT")),
    case("29-hayesjupe-502-message-only.txt", CLIENT_FRAGMENT, &[0x80244021], Some("WU-80244021-PROXY502")),
    case("30-kb902093-table-pipes.txt", CLASSIC, &[], None),
    case("31-kb954960-date-time-placeholders.txt", CLASSIC, &[0x8024400E], Some("KB954960")),
    case("32-wu-80240439-md-dashes.txt", CLIENT_FRAGMENT, &[0x80240439], None),
    case("33-wu-80240439-md-list-indent.txt", CLIENT_FRAGMENT, &[0x80240439], None),
    case("34-fod-8024402c-md-list-indent.txt", CLASSIC, &[0x8024402C], None),
    case("35-hugo-selfupdate-80244019.txt", CLASSIC, &[0x80190194, 0x80244019], None),
    case("36-legacyupdate-8-classic-fenced.txt", CLASSIC, &[0x8024000B], None),
    case("37-winget-quoted-not-wu.txt", None, &[], None),
    case("38-oobe-nl-table-inline.txt", CLIENT_FRAGMENT, &[0x80240438], None),
    case("39-trentent-html-pre.txt", CLASSIC, &[0x80070057], None),
    case("40-trentent-html-pre-handler.txt", CLASSIC, &[0x800736B3], None),
    case("41-trentent-escaped-underscores-not-wu.txt", None, &[], None),
    case("42-kb902093-zx-tabs-removed.txt", CLASSIC, &[], None),
    case("43-kb902093-betaarchive-header-row.txt", CLASSIC, &[], None),
    case("44-kb902093-zx-callers.txt", CLASSIC, &[], None),
    case("45-wyse-manual-table.txt", None, &[], None),
    case("46-wu-80244007-othercached-md.txt", CLASSIC, &[0x80244007, 0x803D0013], Some("WU-80244007-OTHERCACHED")),
    case("47-wu-80244007-simpleauth-placeholders.txt", CLASSIC, &[0x80244007, 0x803D0013], Some("WU-80244007-SIMPLEAUTH")),
    case("48-java-deadlock-not-wsus.txt", None, &[], None),
    case("49-efcore-quoted-deadlock-not-wsus.txt", None, &[], None),
    case("50-powershell-select-string-not-a-log.txt", None, &[], None),
    case("51-legacyupdate-240-excerpt-prose.txt", CLASSIC, &[], None),
    case("52-legacyupdate-11-ui-message-not-a-log.txt", None, &[], None),
    case("53-legacyupdate-8-quoted-message.txt", CLIENT_FRAGMENT, &[0x8024000B], None),
    case("54-wincm-de-server-prose-classic.txt", CLASSIC, &[], None),
    case("55-saotn-httperr-and-console-message.txt", SERVER_FRAGMENT, &[], None),
    case("56-borncity-prose-only.txt", None, &[], None),
    case("57-techpress-prose-only.txt", None, &[], None),
    case("58-windowsforum-prose-bullets.txt", None, &[], None),
    case("59-irohastack-commands-not-a-log.txt", None, &[], None),
    case("60-gunnalag-one-field-per-line.txt", None, &[], None),
    case("61-electrosonics-ui-errors-not-a-log.txt", None, &[], None),
    // HTML entities inside the log (`&lt;&lt;## SUBMITTED`) and in the prose before it.
    case("62-trentent-revision-html-entities.txt", CLASSIC, &[0x80070057], None),
    // PID and TID (`1060 15a8`) without a date, TABs turned into spaces, amid prose: a header
    // cut before its date is a fragment's line (no time to join by), as the issue counts it.
    case("63-alinconstantin-pid-tid-no-date.txt", CLIENT_FRAGMENT, &[0x80246003], None),
    // A `PS C:\…>` prompt and the console output of Get-WindowsUpdateLog: no log line in it.
    case("64-hky-powershell-prompt-not-a-log.txt", None, &[], None),
    // A server exception without its header, its stack trace elided (`...`) inside a fence
    // indented under a list item; the cause (import cannot use TLS 1.2) has no rule.
    case("65-wsus-import-tls-elided-frames.txt", SERVER_FRAGMENT, &[], None),
    // Raw trace-formatter lines (`[0]0EF8.1588::04/24/2020-…`, bracketed components) of a
    // display driver, with a failure status in them: not a Windows Update log, no fault.
    case("66-iddcx-tracefmt-not-wu.txt", None, &[], None),
    // Get-WindowsUpdateLog run without the symbols: not one event decoded, an error that says
    // why (see `undecoded_events_say_why_they_cannot_be_read`).
    case("67-pastebin-getwulog-unknown-guid.txt", None, &[], None),
    // Raw trace-formatter lines with the lower-case WPP tags of Windows 10 1703, behind list
    // markers: read as the Windows 10 entries they are.
    case("68-pastebin-tracefmt-raw-wu-1703.txt", WIN10, &[0x8024000C], None),
    // Windows 10 text whose messages still carry the trace-formatter prefix.
    case("69-pastebin-getwulog-embedded-tracefmt.txt", WIN10, &[], None),
    // One decoded line and one undecoded, mid-sentence in an issue.
    case("70-psdocs-492-pssession-unknown-guid.txt", WIN10, &[], None),
    // A download error of a fenced Windows 10 excerpt: the log ends before the call reports
    // it, and the author names the cause.
    case("71-blog-800706d9-firewall-service.txt", WIN10, &[0x800706D9], Some("WU-800706D9-FIREWALL-SVC")),
    // Microsoft's own excerpt of the same: a bracketed component among the three forms.
    case("72-itpro-firewall-bracketed-component.txt", CLIENT_FRAGMENT, &[0x800706D9, 0x80D0000A], Some("WU-800706D9-FIREWALL-SVC")),
    // `Agent -- WARNING:` lines, then a fence of PowerShell commands that are no log lines.
    // The article's causes are a list of conditions, none of them the code's own meaning
    // (0x80240439 is WU_E_PT_INVALID_FORMAT in wuerror.h), so no rule is expected.
    case("73-learn-80240439-double-dash.txt", CLIENT_FRAGMENT, &[0x80240439], None),
];

fn read(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/pastes")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The failure codes of a log's records (messages and continuation lines).
fn codes_read(log: &Log) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for record in log.records().flatten() {
        let texts = match record {
            Record::Client(r) => vec![r.message],
            Record::Server(r) => vec![r.message, r.continuation],
        };
        for t in texts {
            out.extend(codes(t).filter(|c| c & 0x8000_0000 != 0));
        }
    }
    out
}

/// What one excerpt reads as, against what it must read as; `None` when it reads right.
fn check(case: &Case) -> Option<String> {
    let bytes = read(case.file);
    let d = match diagnose_buffers(&[(case.file, &bytes)], &Options::default()) {
        Ok(d) => d,
        // Text that is no log is an error of its own, never an all-clear.
        Err(Error::NoLog { .. }) if case.kind.is_none() => return None,
        Err(e) => return Some(format!("{}: {e}", case.file)),
    };
    let input = &d.inputs[0];
    let mut wrong = Vec::new();
    if input.kind != case.kind {
        wrong.push(format!("kind {:?}, not {:?}", input.kind, case.kind));
    }
    let read_codes = match Log::from_bytes(case.file, bytes.clone()) {
        Ok(log) => codes_read(&log),
        Err(_) => BTreeSet::new(),
    };
    let want: BTreeSet<u32> = case.codes.iter().copied().collect();
    if read_codes != want {
        let hex = |s: &BTreeSet<u32>| s.iter().map(|c| format!("{c:08X}")).collect::<Vec<_>>();
        wrong.push(format!(
            "codes {:?}, not {:?}",
            hex(&read_codes),
            hex(&want)
        ));
    }
    let rules: Vec<&str> = d.findings.iter().map(|f| f.rule_id.as_str()).collect();
    if let Some(rule) = case.rule
        && !rules.contains(&rule)
    {
        wrong.push(format!("findings {rules:?} lack {rule}"));
    }
    if case.kind.is_none() && !d.faults.is_empty() {
        wrong.push(format!(
            "{} faults in text that is not a log",
            d.faults.len()
        ));
    }
    (!wrong.is_empty()).then(|| {
        format!(
            "{}: {} (repairs {:?})",
            case.file,
            wrong.join("; "),
            input.repairs
        )
    })
}

#[test]
fn every_excerpt_reads_as_its_source_shows() {
    let wrong: Vec<String> = CASES.iter().filter_map(check).collect();
    assert!(
        wrong.is_empty(),
        "{} of {} excerpts read wrong:\n{}",
        wrong.len(),
        CASES.len(),
        wrong.join("\n")
    );
}

/// The client and the server excerpt of one article, given together, name its issue; with no
/// time and no fault ID to join them by, the finding is at most probable.
#[test]
fn an_article_s_two_excerpts_together() {
    for (client, server, rule) in [
        (
            "06-kb909131-en-au-message-only.txt",
            "07-kb909131-en-au-server.txt",
            "KB909131",
        ),
        (
            "13-kb4096317-md-escaped.txt",
            "14-kb4096317-md-server.txt",
            "KB4096317",
        ),
    ] {
        let (c, s) = (read(client), read(server));
        let d = diagnose_buffers(&[(client, &c), (server, &s)], &Options::default()).unwrap();
        let finding = d
            .findings
            .iter()
            .find(|f| f.rule_id == rule)
            .unwrap_or_else(|| panic!("{rule} not found: {:?}", d.findings));
        // Fragments have no time, so the two sides are not joined: KB4096317's client side
        // shows its cause (the SOAP ErrorCode and message), KB909131's only its code and method.
        let want = if rule == "KB909131" {
            "possible"
        } else {
            "probable"
        };
        assert_eq!(finding.confidence, want, "{rule}");
        let kinds: Vec<_> = d.inputs.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [CLIENT_FRAGMENT, SERVER_FRAGMENT]);
    }
}

#[test]
fn every_excerpt_is_tested_and_sourced() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pastes");
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).expect("SOURCES.md");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("pastes")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    files.sort();
    let tested: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    for f in &files {
        assert!(tested.contains(&f.as_str()), "{f} has no case");
        assert!(sources.contains(f.as_str()), "{f} is not in SOURCES.md");
    }
    assert_eq!(files.len(), CASES.len());
}

/// A Windows 10 log whose dates do not exist (a month 13, a February 30, hour 25) is still
/// read: its entries keep their message, code and fault ID with the time unknown, and each
/// impossible date is reported as a problem, not as a skipped line.
#[test]
fn impossible_dates_are_problems_not_lost_entries() {
    let log = "2024/13/05 10:12:44.1234567 1100  3812  ProtocolTalker  *FAILED* [8024400E] SyncUpdates_WithRecovery failed\n\
               2024/02/30 10:12:44.1234600 1100  3812  WebServices     WS error: <detail><ErrorCode>InternalServerError</ErrorCode><Message></Message><ID>c0a7445f-b989-43fa-ac20-11f8ca65fa8c</ID><Method>\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"</Method></detail>\n\
               2024/03/05 25:61:44.1234700 1100  3812  Agent           *FAILED* [8024400E] Exit code = 0x8024400E\n";
    let d = diagnose_buffers(
        &[("WindowsUpdate.log", log.as_bytes())],
        &Options::default(),
    )
    .unwrap();
    let input = &d.inputs[0];
    assert_eq!(input.kind, WIN10);
    assert_eq!((input.records, input.malformed_lines), (3, 0));
    let problems: Vec<(u32, &str)> = input
        .problems
        .iter()
        .map(|p| (p.line, p.kind.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (1, "impossible-date"),
            (2, "impossible-date"),
            (3, "impossible-date")
        ]
    );
    let log = Log::from_bytes("WindowsUpdate.log", log.as_bytes().to_vec()).unwrap();
    let records: Vec<Record<'_>> = log.records().flatten().collect();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.time().is_none()));
    assert!(
        records[1]
            .message()
            .contains("c0a7445f-b989-43fa-ac20-11f8ca65fa8c")
    );
    assert_eq!(codes_read(&log), BTreeSet::from([0x8024400E]));
    // The faults themselves, and how their lines group, rest on the client fault model.
    assert!(d.faults.iter().all(|f| f.client.hresult == "0x8024400E"));
}

/// HTML entities inside a log's own lines (a blog's `<pre>` block as its export has it) are
/// decoded before reading: the entry keeps its `<<`, and the input says how it was read.
#[test]
fn html_entities_inside_a_log_are_decoded() {
    let file = "62-trentent-revision-html-entities.txt";
    let bytes = read(file);
    let log = Log::from_bytes(file, bytes.clone()).unwrap();
    let submitted: Vec<String> = log
        .records()
        .flatten()
        .filter_map(|r| match r {
            Record::Client(c) if c.message.contains("SUBMITTED") => Some(c.message.to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(
        submitted,
        [
            "<<## SUBMITTED ## AU: Search for updates [CallId = {7BA17D86-EF4B-470B-AF35-2A0271736B9E}]"
        ]
    );
    let d = diagnose_buffers(&[(file, &bytes)], &Options::default()).unwrap();
    let repairs = &d.inputs[0].repairs;
    assert!(
        repairs.iter().any(|r| r == "decoded HTML entities"),
        "{repairs:?}"
    );
}

/// An elision (`...`) inside a stack trace does not cut the entry in two: the frames before
/// and after it stay with the exception they belong to.
#[test]
fn an_elided_stack_trace_stays_one_entry() {
    let file = "65-wsus-import-tls-elided-frames.txt";
    let log = Log::from_bytes(file, read(file)).unwrap();
    let entries: Vec<(String, String)> = log
        .records()
        .flatten()
        .filter_map(|r| match r {
            Record::Server(s) => Some((s.message.to_owned(), s.continuation.to_owned())),
            Record::Client(_) => None,
        })
        .collect();
    assert_eq!(entries.len(), 1, "{entries:#?}");
    let (message, continuation) = &entries[0];
    assert!(
        message.starts_with("ProcessWebServiceProxyException found"),
        "{message}"
    );
    for frame in [
        "NetworkStream.Read",
        "TlsStream.ProcessAuthentication",
        "ConnectStream.WriteHeaders",
    ] {
        assert!(
            continuation.contains(frame),
            "{frame} not in {continuation:?}"
        );
    }
}

/// Get-WindowsUpdateLog's output when it ran without Windows Update's symbols: not read as an
/// all-clear, and the reader is told why and what to do.
#[test]
fn undecoded_events_say_why_they_cannot_be_read() {
    let file = "67-pastebin-getwulog-unknown-guid.txt";
    let e = diagnose_buffers(&[(file, &read(file))], &Options::default()).unwrap_err();
    let said = e.to_string();
    assert!(matches!(e, Error::NoLog { .. }), "{said}");
    assert!(
        said.contains("not one event of this Windows Update log was decoded")
            && said.contains("symbols")
            && said.contains(".etl"),
        "{said}"
    );
    // Beside a decoded line, the undecoded one is a problem of its line; the decoded is read.
    let file = "70-psdocs-492-pssession-unknown-guid.txt";
    let d = diagnose_buffers(&[(file, &read(file))], &Options::default()).unwrap();
    let input = &d.inputs[0];
    assert_eq!((input.records, input.malformed_lines), (1, 1));
    let undecoded: Vec<_> = input
        .problems
        .iter()
        .filter(|p| p.kind == "undecoded")
        .collect();
    assert_eq!(undecoded.len(), 1, "{:?}", input.problems);
    assert!(
        undecoded[0].text.contains("Unknown( 15): GUID=1f9e54c8"),
        "{:?}",
        undecoded[0]
    );
}

/// Trace-formatter lines, raw or left inside Get-WindowsUpdateLog's messages, read as the
/// entries they are: the component as the log spells it, the message without the prefix.
#[test]
fn trace_formatter_excerpts_read_as_entries() {
    let rows = |file: &str| -> Vec<(String, String, u32)> {
        let log = Log::from_bytes(file, read(file)).unwrap();
        log.records()
            .map(|r| match r.unwrap() {
                Record::Client(c) => (c.component.to_owned(), c.message.to_owned(), c.pid.unwrap()),
                Record::Server(_) => panic!("{file}: a server record"),
            })
            .collect()
    };
    let raw = rows("68-pastebin-tracefmt-raw-wu-1703.txt");
    let embedded = rows("69-pastebin-getwulog-embedded-tracefmt.txt");
    assert_eq!(
        (raw.len(), embedded.len()),
        (14, 9),
        "{raw:?}\n{embedded:?}"
    );
    let want =
        |component: &str, message: &str, pid| (component.to_owned(), message.to_owned(), pid);
    assert_eq!(
        raw[1],
        want("Agent", "WU client version 10.0.15063.674", 0x39A0)
    );
    assert_eq!(raw[4].0, "store");
    assert_eq!(
        embedded[0],
        want(
            "IdleTimer",
            "Non-AoAc machine. Aoac operations will be ignored.",
            2860
        )
    );
    assert!(
        embedded.iter().all(|(_, m, _)| !m.starts_with('[')),
        "{embedded:?}"
    );
    // The agent's version is read from the message as from any Windows 10 log.
    for file in [
        "68-pastebin-tracefmt-raw-wu-1703.txt",
        "69-pastebin-getwulog-embedded-tracefmt.txt",
    ] {
        let d = diagnose_buffers(&[(file, &read(file))], &Options::default()).unwrap();
        let agent = d.clients[0].agent_version.as_deref();
        assert!(
            agent.is_some_and(|v| v.starts_with("10.0.150")),
            "{file}: {agent:?}"
        );
    }
}
