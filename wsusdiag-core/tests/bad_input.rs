//! Bad input never panics and never stops a file: empty, binary, huge lines, invalid UTF-8,
//! UTF-16 without BOM, a file cut inside a character, control characters meant for a terminal.

use proptest::prelude::*;
use wsusdiag_core::diagnosis::LogKind;
use wsusdiag_core::records::{ClientFormat, ClientRecords, ServerRecords};
use wsusdiag_core::{Error, Options, diagnose_buffers};

fn run(name: &str, bytes: &[u8]) -> wsusdiag_core::Diagnosis {
    diagnose_buffers(&[(name, bytes)], &Options::default()).expect("a log")
}

/// Bytes that may or may not be a log: a diagnosis, or the error that no input is a log.
fn run_any(name: &str, bytes: &[u8]) {
    match diagnose_buffers(&[(name, bytes)], &Options::default()) {
        Ok(_) | Err(Error::NoLog { .. }) => {}
        Err(e) => panic!("{e}"),
    }
}

/// The error of a lone input that is not a log.
fn not_a_log(name: &str, bytes: &[u8]) -> String {
    match diagnose_buffers(&[(name, bytes)], &Options::default()) {
        Err(e @ Error::NoLog { .. }) => e.to_string(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn empty_input_is_reported_not_guessed() {
    let e = not_a_log("empty.log", b"");
    assert!(e.contains("empty.log: ") && e.contains("empty"), "{e}");
}

#[test]
fn binary_garbage_is_unknown() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = not_a_log("garbage.bin", &bytes);
    assert!(
        e.starts_with("no input is a Windows Update or WSUS log: garbage.bin: "),
        "{e}"
    );
}

#[test]
fn a_100_mb_line_is_read() {
    let mut text = String::from(
        "2016-09-08\t10:48:43:109\t 848\t604\tMisc\tWARNING: Send failed with hr = 80072ee2.\n",
    );
    text.push_str("2016-09-08\t10:48:43:110\t 848\t604\tMisc\tWARNING: ");
    text.extend(std::iter::repeat_n("x", 100 << 20));
    text.push_str("\n2016-09-08\t10:48:44:000\t 848\t604\tMisc\tWARNING: SendRequest failed with hr = 80072ee2.\n");
    let d = run("huge.log", text.as_bytes());
    assert_eq!(d.inputs[0].kind, Some(LogKind::ClientClassic));
    assert_eq!(d.inputs[0].records, 3);
    assert_eq!(d.faults.len(), 1);
    assert_eq!(d.faults[0].client.hresult, "0x80072EE2");
}

#[test]
fn invalid_utf8_in_one_line_does_not_lose_the_file() {
    let mut bytes =
        b"2016-09-08\t10:48:43:109\t 848\t604\tMisc\tWARNING: Send failed with hr = 80072ee2.\n"
            .to_vec();
    bytes.extend_from_slice(
        b"2016-09-08\t10:48:43:110\t 848\t604\tMisc\tDer Index war au\xDFerhalb\n",
    );
    let d = run("ansi.log", &bytes);
    assert_eq!(d.inputs[0].encoding, "windows-1252");
    assert_eq!((d.inputs[0].records, d.faults.len()), (2, 1));
}

#[test]
fn a_large_log_turning_out_not_utf8_is_read_whole_as_windows_1252() {
    // Read chunk by chunk as UTF-8 until, megabytes in, a byte of the ANSI code page: the
    // whole log is read again as Windows-1252, and nothing is counted twice or lost.
    let sample = wsusdiag_core::sample::KB954960_CLIENT;
    let one = run("WindowsUpdate.log", sample);
    let times = (9 << 20) / sample.len() + 1;
    let mut bytes = sample.repeat(times);
    bytes.extend_from_slice(
        b"2016-09-08\t10:48:43:110\t 848\t604\tMisc\tDer Index war au\xDFerhalb\n",
    );
    let d = run("WindowsUpdate.log", &bytes);
    assert_eq!(d.inputs[0].encoding, "windows-1252");
    assert_eq!(
        d.inputs[0].records,
        one.inputs[0].records * times as u64 + 1
    );
    assert_eq!(d.faults.len(), one.faults.len() * times);
    // The same log cut inside its last character stays UTF-8, with the cut reported.
    let mut cut = sample.repeat(times);
    cut.extend_from_slice("2016-09-08\t10:48:43:110\t 848\t604\tMisc\tau\u{df}".as_bytes());
    cut.pop();
    let d = run("WindowsUpdate.log", &cut);
    assert_eq!(d.inputs[0].encoding, "utf-8");
    assert_eq!(
        d.inputs[0].records,
        one.inputs[0].records * times as u64 + 1
    );
    assert!(d.inputs[0].problems.iter().any(|p| p.kind == "truncated"));
}

#[test]
fn a_large_utf8_log_with_characters_everywhere_is_read_whole() {
    // Characters of two to four bytes across every chunk and sniffing limit, with and without
    // a BOM: the log is checked as UTF-8 chunk by chunk and read once, as the record reader
    // alone reads it.
    let sample = String::from_utf8_lossy(wsusdiag_core::sample::KB954960_CLIENT).into_owned();
    let one = run("WindowsUpdate.log", sample.as_bytes());
    let extra =
        "2008-07-14\t09:12:01:375\t 788\tee4\tMisc\tGr\u{fc}\u{df}e \u{2192} \u{1F4BB} fertig\r\n";
    let times = (3 << 20) / (sample.len() + 7 * extra.len()) + 1;
    let mut text = String::new();
    for _ in 0..times {
        text.push_str(&sample);
        text.push_str(&extra.repeat(7));
    }
    let records = ClientRecords::new(&text, ClientFormat::Classic)
        .filter(Result::is_ok)
        .count() as u64;
    assert_eq!(records, (one.inputs[0].records + 7) * times as u64);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    for (bytes, encoding) in [(text.as_bytes(), "utf-8"), (&bom[..], "utf-8-bom")] {
        let d = run("WindowsUpdate.log", bytes);
        assert_eq!(d.inputs[0].encoding, encoding);
        assert_eq!(d.inputs[0].records, records);
        assert_eq!(d.inputs[0].malformed_lines, 0);
        assert_eq!(d.faults.len(), one.faults.len() * times);
    }
}

#[test]
fn utf16_without_bom_and_cut_in_a_character() {
    // A scan's outcome line (a trace alone, `*FAILED*`, is no fault of Windows 10).
    let text = "2026/03/12 13:49:13.4140911 6508  7484  Agent           * END * Finding updates CallerId = MoUpdateOrchestrator, Id = 9, Exit code = 0x80240439 (cV = LZNV0g7tTUO/Mwy8.0.1.1.0.2)\r\n";
    let mut bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.push(0x41);
    let d = run("win10.log", &bytes);
    assert_eq!(d.inputs[0].encoding, "utf-16le");
    assert_eq!(d.inputs[0].kind, Some(LogKind::ClientWin10));
    assert!(d.inputs[0].problems.iter().any(|p| p.kind == "truncated"));
    assert_eq!(d.faults[0].client.hresult, "0x80240439");
}

#[test]
fn control_characters_a_log_holds_are_shown_in_the_text_report_never_obeyed() {
    let samples = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/kb954960/");
    let server = std::fs::read(format!("{samples}SoftwareDistribution.log")).unwrap();
    let client = std::fs::read_to_string(format!("{samples}WindowsUpdate.log")).unwrap();
    // A key line that retitles the terminal, rings it, clears it and starts a CSI sequence.
    let hostile = "soap client error = 7 \x1b]0;pwned\x07\x1b[2J\u{9b}31m,";
    let client = client.replacen("soap client error = 7,", hostile, 1);
    let d = diagnose_buffers(
        &[
            ("WindowsUpdate.log", client.as_bytes()),
            ("SoftwareDistribution.log", &server),
        ],
        &Options::default(),
    )
    .unwrap();
    let text = d.to_text();
    assert!(
        text.contains("7 \u{241b}]0;pwned\u{2407}\u{241b}[2J\u{fffd}31m,"),
        "{text}"
    );
    assert!(!text.chars().any(|c| c != '\n' && c.is_control()));
    // The data keeps the line as logged.
    let quoted = d.faults[0]
        .client
        .evidence
        .iter()
        .find(|e| e.text.contains("pwned"));
    assert!(quoted.unwrap().text.contains("\x1b]0;pwned\x07"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        run_any("fuzz.log", &bytes);
    }

    #[test]
    fn arbitrary_text_never_panics_any_parser(text in "[ -~\t\r\n\u{a0}-\u{2ff}]{0,400}") {
        for format in [ClientFormat::Classic, ClientFormat::Win10] {
            for r in ClientRecords::new(&text, format) {
                let _ = r;
            }
        }
        for r in ServerRecords::new(&text) {
            let _ = r;
        }
    }

    #[test]
    fn log_like_text_never_panics(lines in proptest::collection::vec(
        prop_oneof![
            "20[0-9]{2}-[01][0-9]-[0-3][0-9][\t ]{0,2}[0-2][0-9]:[0-5][0-9]:[0-5][0-9]:[0-9]{3}[\t ]{0,2}[0-9 ]{1,5}[\t ]{0,2}[0-9a-f]{1,4}[\t ]{0,2}[A-Za-z]{1,8}[\t ][ -~]{0,60}",
            "20[0-9]{2}/[01][0-9]/[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\.[0-9]{7} [0-9]{1,6} +[0-9]{1,6} +[A-Za-z]{1,15} +[ -~]{0,60}",
            "20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\\.[0-9]{3} UTC[\t ]{0,2}(Error|Info|Change)[\t ]{0,2}w3wp\\.[0-9]{1,3}[\t ]{0,2}[A-Za-z.]{1,20}[\t ][ -~]{0,60}",
            "   at [A-Za-z.]{1,30}\\([ -~]{0,20}\\)",
            "[ -~]{0,80}",
        ], 0..40)) {
        let text = lines.join("\n");
        run_any("logish.log", text.as_bytes());
    }
}
