//! The main command (`examples/diagnose.rs`) as a user runs it: the exit status and the words
//! it ends with when the input is no log, memory runs out, or its reader goes away.
#![cfg(target_os = "linux")]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The command, built by `cargo test` beside this test's own executable.
fn command() -> Command {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = debug.join("examples").join("diagnose");
    assert!(path.exists(), "{} is built by cargo test", path.display());
    Command::new(path)
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("wsusdiag-command-{}-{name}", std::process::id()))
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // Megabytes of JSON, of which the reader takes 100 bytes.
    let log = temp("many-faults.log");
    std::fs::write(&log, wsusdiag_core::sample::KB954960_CLIENT.repeat(300)).unwrap();
    let mut child = command()
        .arg("--json")
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is closed here.
    let out = child.wait_with_output().unwrap();
    std::fs::remove_file(&log).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the diagnosis's status (faults found)"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn no_log_is_exit_2_with_a_sentence() {
    let empty = temp("empty-folder");
    std::fs::create_dir_all(&empty).unwrap();
    let out = command().arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.starts_with("diagnose: no input is a Windows Update or WSUS log: ")
            && said.contains("an empty folder"),
        "{said}"
    );
}

/// Whether `prlimit` (util-linux) is here to cap the command's memory.
fn prlimit() -> bool {
    Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn out_of_memory_is_an_error_not_an_abort() {
    assert!(prlimit(), "prlimit (util-linux) is needed");
    // 1 GiB that takes no disk (a sparse file), read with 768 MiB of address space. Less
    // space is no fairer a test: with 200 MiB, the allocator's first reservations on three
    // threads at once could take it all, and a thread starting then failed a small allocation.
    let log = temp("large.log");
    std::fs::File::create(&log)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let out = Command::new("prlimit")
        .arg(format!("--as={}", 768 << 20))
        .arg(command().get_program())
        .arg(&log)
        .output()
        .unwrap();
    std::fs::remove_file(&log).unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{:?}: {said}", out.status);
    assert!(
        said.contains("out of memory reading 1073741824 bytes"),
        "{said}"
    );
}
