//! The `wsusdiag` command as an admin runs it: the sample, the formats, the output file, bad
//! usage, completions, the exit statuses and the progress line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wsusdiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wsusdiag"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn the_sample_report_shows_the_full_code_fault_id_and_clock() {
    let o = wsusdiag(&[]);
    assert_eq!(o.status.code(), Some(1), "faults found");
    let text = stdout(&o);
    assert!(text.contains("error = 0x8024400E,"), "{text}");
    assert!(
        text.contains("ID:c0a7445f-b989-43fa-ac20-11f8ca65fa8c"),
        "{text}"
    );
    assert!(
        text.contains("UTC-4 (from the log's tz: banner); clock 42 s fast"),
        "{text}"
    );
    assert!(text.contains("[bundled sample] kb954960/WindowsUpdate.log"));
    assert!(!text.contains('…'), "nothing is cut: {text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn json_is_the_short_form_of_format_json() {
    let short = wsusdiag(&["--json"]);
    let long = wsusdiag(&["--format", "json"]);
    assert_eq!(short.status.code(), Some(1));
    assert_eq!(short.stdout, long.stdout);
    assert!(stdout(&short).contains("\"schema_version\": 2"));
}

#[test]
fn evidence_full_quotes_every_line_of_a_fault() {
    let evidence = |args: &[&str]| {
        let json: serde_json::Value = serde_json::from_slice(&wsusdiag(args).stdout).unwrap();
        let client = &json["faults"][0]["client"];
        assert_eq!(client["lines"], "47-59,63,65-66");
        let lines = client["evidence"].as_array().unwrap().iter();
        lines
            .map(|e| e["line"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    // The failure, the fault's ErrorCode and its ID.
    assert_eq!(evidence(&["--json"]), [47, 50, 53]);
    let all = evidence(&["--json", "--evidence", "full"]);
    assert_eq!(all.len(), 16);
    assert_eq!((all[0], all[15]), (47, 66));
}

#[test]
fn html_goes_to_the_output_file() {
    let dir = std::env::temp_dir().join(format!("wsusdiag-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.html");
    let o = wsusdiag(&["--format", "html", "-o", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "the report goes to the file only");
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("KB954960"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_usage_and_unreadable_input_exit_with_2() {
    assert_eq!(wsusdiag(&["--bogus"]).status.code(), Some(2));
    assert_eq!(wsusdiag(&["--format", "pdf"]).status.code(), Some(2));
    let missing = wsusdiag(&["/nonexistent/WindowsUpdate.log"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("wsusdiag: "));
    let unwritable = wsusdiag(&["-o", "/nonexistent/dir/report.txt"]);
    assert_eq!(unwritable.status.code(), Some(2));
}

#[test]
fn help_version_and_completions() {
    let help = wsusdiag(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Examples:"));
    let version = wsusdiag(&["--version"]);
    assert_eq!(
        stdout(&version).trim(),
        format!("wsusdiag {}", env!("CARGO_PKG_VERSION"))
    );
    for shell in ["bash", "zsh", "powershell"] {
        let o = wsusdiag(&["--completions", shell]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("--format"), "{shell}");
    }
}

/// The command with colour left to it: neither `NO_COLOR` nor `CLICOLOR_FORCE` set.
fn with_colour_left_to_it(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wsusdiag"));
    c.args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

#[test]
fn piped_output_has_no_colour_codes() {
    let o = with_colour_left_to_it(&[]).output().unwrap();
    assert!(stdout(&o).contains("confirmed") && !stdout(&o).contains('\x1b'));
    // Asked for, the codes are there.
    let forced = (with_colour_left_to_it(&[]).env("CLICOLOR_FORCE", "1"))
        .output()
        .unwrap();
    assert!(stdout(&forced).contains("\x1b[1;32mconfirmed\x1b[0m"));
}

#[test]
fn a_text_report_written_to_a_file_has_no_colour_codes() {
    let dir = std::env::temp_dir().join(format!("wsusdiag-cli-text-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.txt");
    let o = (with_colour_left_to_it(&["-o", path.to_str().unwrap()]))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let report = std::fs::read_to_string(&path).unwrap();
    assert!(report.contains("KB954960") && report.contains("confirmed"));
    assert!(!report.contains('\x1b'), "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A folder of 120 client logs and a server log: enough files for a progress line.
fn many_logs(tag: &str) -> PathBuf {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsusdiag-core/samples/kb954960");
    let dir = std::env::temp_dir().join(format!("wsusdiag-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let client = std::fs::read(samples.join("WindowsUpdate.log")).unwrap();
    for i in 0..120 {
        std::fs::write(dir.join(format!("client-{i}.log")), &client).unwrap();
    }
    std::fs::copy(
        samples.join("SoftwareDistribution.log"),
        dir.join("SoftwareDistribution.log"),
    )
    .unwrap();
    dir
}

/// The report's first words for [`many_logs`].
fn read_121() -> String {
    format!("wsusdiag {}: read 121 logs", env!("CARGO_PKG_VERSION"))
}

#[test]
fn no_progress_when_standard_error_is_not_a_terminal() {
    let dir = many_logs("piped");
    let o = wsusdiag(&[dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).starts_with(&read_121()), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn progress_on_a_terminal_is_cleared_and_never_in_the_report() {
    // `script` (util-linux) runs the command with a terminal for standard error.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to give the command a terminal");
        return;
    }
    let dir = many_logs("terminal");
    let out = dir.with_extension("out");
    std::fs::create_dir_all(&out).unwrap();
    let (report, typescript) = (out.join("report.txt"), out.join("typescript"));
    let command = format!(
        "'{}' '{}' > '{}'",
        env!("CARGO_BIN_EXE_wsusdiag"),
        dir.display(),
        report.display()
    );
    let o = Command::new("script")
        .args(["-qec", &command])
        .arg(&typescript)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    assert!(
        shown.contains("/121 files") && shown.contains(" left"),
        "{shown}"
    );
    // The last line drawn is erased (carriage return, erase line) before the command ends.
    let last = shown.rfind(" left").unwrap() + " left".len();
    assert!(shown[last..].starts_with("\r\x1b[2K"), "{shown:?}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        text.starts_with(&read_121()) && !text.contains(" files ["),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn ndjson_is_one_typed_object_per_line() {
    let o = wsusdiag(&["--format", "ndjson"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let types: Vec<String> = (text.lines())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["type"].to_string())
        .collect();
    assert_eq!(
        types,
        [
            "input", "input", "clock", "fault", "fault", "finding", "client"
        ]
        .map(|t| format!("\"{t}\""))
    );
}
