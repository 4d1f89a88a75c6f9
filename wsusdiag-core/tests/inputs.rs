//! Inputs that are not plain log files: folders with links, pipes and entries that cannot be
//! read, devices, and inputs none of which is a log. Each is listed or refused, never a hang,
//! a crash or an all-clear.
#![cfg(unix)]

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use wsusdiag_core::diagnosis::LogKind;
use wsusdiag_core::{Diagnosis, Error, Options, diagnose_buffers, diagnose_paths, sample};

/// A fresh folder holding the KB954960 client log, named after the test.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wsusdiag-inputs-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("PC01")).unwrap();
    std::fs::write(dir.join("PC01/WindowsUpdate.log"), sample::KB954960_CLIENT).unwrap();
    dir
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// Runs `f` on a thread, failing the test when it does not end within `secs` (a hang).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("the call hangs")
}

fn problem<'d>(d: &'d Diagnosis, path: &Path) -> &'d wsusdiag_core::diagnosis::Problem {
    let name = path.display().to_string();
    let input = d.inputs.iter().find(|i| i.path == name);
    let input = input.unwrap_or_else(|| panic!("{name} is not listed: {:#?}", d.inputs));
    assert_eq!(input.kind, None);
    &input.problems[0]
}

#[test]
fn a_pipe_in_a_folder_is_listed_not_opened() {
    let dir = folder("fifo");
    mkfifo(&dir.join("PC01/pipe.log"));
    let walked = dir.clone();
    let d = within(20, move || diagnose_paths(&[walked], &Options::default())).unwrap();
    assert_eq!(problem(&d, &dir.join("PC01/pipe.log")).kind, "not-a-file");
    assert_eq!(d.faults.len(), 2);
}

#[test]
fn a_pipe_given_directly_is_read_once_as_a_stream() {
    let dir = folder("fifo-given");
    let pipe = dir.join("pipe.log");
    mkfifo(&pipe);
    let writer = std::thread::spawn({
        let pipe = pipe.clone();
        move || std::fs::write(pipe, sample::KB954960_CLIENT).unwrap()
    });
    let given = pipe.clone();
    let d = within(20, move || diagnose_paths(&[given], &Options::default())).unwrap();
    writer.join().unwrap();
    assert_eq!(d.inputs[0].kind, Some(LogKind::ClientClassic));
    assert_eq!(d.faults.len(), 2);
}

#[test]
fn a_device_given_directly_is_refused_past_the_cap() {
    let e = within(60, || diagnose_paths(&["/dev/zero"], &Options::default())).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
}

#[test]
fn dangling_links_and_unreadable_entries_are_problems_of_their_own() {
    let dir = folder("dangling");
    symlink(dir.join("gone.log"), dir.join("PC01/dangling.log")).unwrap();
    symlink("loop.log", dir.join("PC01/loop.log")).unwrap();
    let d = diagnose_paths(&[&dir], &Options::default()).unwrap();
    let dangling = problem(&d, &dir.join("PC01/dangling.log"));
    assert_eq!(dangling.kind, "unreadable");
    assert!(
        dangling.message.contains("cannot be read"),
        "{}",
        dangling.message
    );
    assert_eq!(problem(&d, &dir.join("PC01/loop.log")).kind, "unreadable");
    assert_eq!(d.faults.len(), 2, "the log beside them is diagnosed");
}

#[test]
fn a_linked_folder_is_read_once_and_a_link_loop_ends() {
    let dir = folder("links");
    symlink(dir.join("PC01"), dir.join("PC01-again")).unwrap();
    symlink(&dir, dir.join("PC01/up")).unwrap();
    let d = within(20, {
        let dir = dir.clone();
        move || diagnose_paths(&[dir], &Options::default())
    })
    .unwrap();
    assert_eq!(d.faults.len(), 2, "the client's faults once, not twice");
    assert!(
        d.findings.iter().all(|f| f.rule_id != "DUP-SUSCLIENTID"),
        "one client, not two sharing an ID: {:?}",
        d.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
    );
    assert_eq!(problem(&d, &dir.join("PC01-again")).kind, "already-read");
    assert_eq!(problem(&d, &dir.join("PC01/up")).kind, "already-read");
}

#[test]
fn a_file_given_twice_is_read_once() {
    let dir = folder("twice");
    let log = dir.join("PC01/WindowsUpdate.log");
    let d = diagnose_paths(&[&log, &log], &Options::default()).unwrap();
    assert_eq!(d.faults.len(), 2);
    assert_eq!(d.inputs.len(), 2);
    assert_eq!(d.inputs[1].problems[0].kind, "already-read");
}

#[test]
fn no_input_that_is_a_log_is_an_error_not_an_all_clear() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/not-logs");
    let empty = folder("empty").join("nothing");
    std::fs::create_dir(&empty).unwrap();
    for inputs in [
        vec![data.join("notes.docx")],
        vec![data.join("picture.png")],
        vec![empty.clone()],
        vec![
            data.join("notes.docx"),
            data.join("picture.png"),
            empty.clone(),
        ],
    ] {
        let e = diagnose_paths(&inputs, &Options::default()).unwrap_err();
        assert!(matches!(e, Error::NoLog { .. }), "{inputs:?}: {e}");
        let first = inputs[0].display().to_string();
        assert!(e.to_string().contains(&first), "{e}");
    }
    let e = diagnose_buffers(&[("empty", b"")], &Options::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("no input is a Windows Update or WSUS log: empty: "),
        "{e}"
    );
}

#[test]
fn a_text_taken_for_a_log_without_one_entry_is_no_log() {
    // Looks like a classic client log, but not one header parses: once counted as a client
    // log with 0 records and "No update failure found".
    let text = b"2008-07-14\t09:1x:33:953\t1100\t7d8\tMisc\tbroken header\n\
                 2008-07-14\t09:1y:33:953\t1100\t7d8\tMisc\tbroken too\n";
    let e = diagnose_buffers(&[("odd.log", text)], &Options::default()).unwrap_err();
    assert!(matches!(e, Error::NoLog { .. }), "{e}");
    assert!(
        e.to_string()
            .ends_with("odd.log: not a Windows Update or WSUS log: not one log entry in it"),
        "{e}"
    );
}

#[test]
fn a_non_log_among_logs_is_a_problem_of_that_input() {
    let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/not-logs/picture.png");
    let dir = folder("among");
    let d = diagnose_paths(&[dir.join("PC01"), png.clone()], &Options::default()).unwrap();
    assert_eq!(problem(&d, &png).kind, "unknown-format");
    assert_eq!(d.faults.len(), 2);
}

#[test]
fn a_cancelled_diagnosis_stops_with_cancelled() {
    let dir = folder("cancel");
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let options = Options::default().with_cancel(cancel);
    let e = diagnose_paths(&[dir], &options).unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e}");
}

/// The KB954960 client log over and over, about `bytes` long: past the part of a file read
/// first to tell what it is, so that the rest is read a window at a time.
fn long_client_log(bytes: usize) -> Vec<u8> {
    sample::KB954960_CLIENT.repeat(bytes / sample::KB954960_CLIENT.len() + 1)
}

/// The KB954960 server log over and over, about `bytes` long: read a window at a time past its
/// head, its entries (stack traces) cut by the windows' ends.
fn long_server_log(bytes: usize) -> Vec<u8> {
    sample::KB954960_SERVER.repeat(bytes / sample::KB954960_SERVER.len() + 1)
}

/// A file's diagnosis from its path and from its bytes in memory, as JSON.
fn from_path_and_from_memory(dir: &Path, name: &str, bytes: &[u8]) -> (String, String) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let from_path = diagnose_paths(&[&path], &Options::default()).unwrap();
    let name = path.display().to_string();
    let from_memory = diagnose_buffers(&[(&name, bytes)], &Options::default()).unwrap();
    (from_path.to_json().unwrap(), from_memory.to_json().unwrap())
}

#[test]
fn a_file_reads_as_its_bytes_in_memory_read() {
    let dir = folder("as-in-memory");
    let long = long_client_log(700 << 10);
    let mut cases = vec![("long.log".to_owned(), long.clone())];
    // With a byte order mark.
    cases.push(("bom.log".to_owned(), [&b"\xEF\xBB\xBF"[..], &long].concat()));
    // Windows-1252 in a message past the head: the file is read again, whole, and decoded.
    let mut latin = long.clone();
    let at = 600_000 + memchr::memmem::find(&long[600_000..], b"Agent\t").unwrap() + 7;
    latin[at] = 0xE9;
    cases.push(("latin.log".to_owned(), latin));
    // UTF-16, as Windows writes it.
    let text = String::from_utf8(long.clone()).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    cases.push(("utf16.log".to_owned(), utf16));
    // Cut inside its last line.
    cases.push(("cut.log".to_owned(), long[..long.len() - 20].to_vec()));
    cases.push(("server.log".to_owned(), sample::KB954960_SERVER.repeat(40)));
    // A server log of several windows: whole, with a byte order mark, cut inside its last
    // entry, and with Windows-1252 in a message past its head (read again, whole, decoded).
    let server = long_server_log(5 << 20);
    cases.push(("long-server.log".to_owned(), server.clone()));
    cases.push((
        "bom-server.log".to_owned(),
        [&b"\xEF\xBB\xBF"[..], &server].concat(),
    ));
    cases.push((
        "cut-server.log".to_owned(),
        server[..server.len() - 30].to_vec(),
    ));
    let mut latin = server.clone();
    let at = 4_000_000 + memchr::memmem::find(&server[4_000_000..], b"already").unwrap() + 2;
    latin[at] = 0xE9;
    cases.push(("latin-server.log".to_owned(), latin));
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    for kind in ["win10", "classic"] {
        for entry in std::fs::read_dir(corpus.join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{kind}-{}", path.file_name().unwrap().to_string_lossy());
            cases.push((name, std::fs::read(&path).unwrap()));
        }
    }
    for (name, bytes) in &cases {
        let (from_path, from_memory) = from_path_and_from_memory(&dir, name, bytes);
        assert_eq!(from_path, from_memory, "{name}");
    }
    // The long log's faults are all there: as many as in the sample, times its copies.
    let (json, _) = from_path_and_from_memory(&dir, "long.log", &long);
    let once = diagnose_buffers(&[("once", sample::KB954960_CLIENT)], &Options::default());
    let copies = long.len() / sample::KB954960_CLIENT.len();
    let faults = |json: &str| {
        serde_json::from_str::<serde_json::Value>(json).unwrap()["faults"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(
        faults(&json),
        copies * faults(&once.unwrap().to_json().unwrap())
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
