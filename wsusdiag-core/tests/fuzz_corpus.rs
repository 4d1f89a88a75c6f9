//! Replays the fuzz corpus and any crash artifacts (`fuzz/corpus`, `fuzz/artifacts`) through the
//! parsers and the whole diagnosis, so a found crash stays fixed.

use std::path::Path;

use wsusdiag_core::records::{ClientFormat, ClientRecords, ServerRecords};
use wsusdiag_core::{Error, LogAnalysis, Options, combine, diagnose_buffers, etl};

fn replay(dir: &Path, count: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            replay(&path, count);
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for format in [ClientFormat::Classic, ClientFormat::Win10] {
            let _ = ClientRecords::new(&text, format).count();
        }
        let _ = ServerRecords::new(&text).count();
        let _ = etl::read(&bytes);
        if let Ok(a) = LogAnalysis::from_bytes(&bytes) {
            let _ = combine([a], &Options::default());
        }
        let half = bytes.len() / 2;
        let d = diagnose_buffers(
            &[("a", &bytes[..half]), ("b", &bytes[half..])],
            &Options::default(),
        );
        // A diagnosis, or the error that neither half is a log; nothing else.
        assert!(
            matches!(d, Ok(_) | Err(Error::NoLog { .. })),
            "{}: {d:?}",
            path.display()
        );
        *count += 1;
    }
}

#[test]
fn corpus_and_artifacts_replay_without_panic() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    // Every fuzz target has seeds of its own, and all of them are replayed.
    for target in std::fs::read_dir(fuzz.join("fuzz_targets"))
        .unwrap()
        .flatten()
    {
        let path = target.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut seeds = 0;
        replay(&fuzz.join("corpus").join(&name), &mut seeds);
        assert!(seeds > 0, "fuzz target {name} has no committed seed");
    }
    let mut crashes = 0;
    replay(&fuzz.join("artifacts"), &mut crashes);
}

#[test]
fn the_etl_seeds_are_traces_and_the_damaged_ones_keep_their_events() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/etl");
    let read = |name: &str| std::fs::read(seeds.join(name)).unwrap();
    let traces = std::fs::read_dir(&seeds)
        .unwrap()
        .flatten()
        .filter(|e| etl::is_etl(&std::fs::read(e.path()).unwrap()))
        .count();
    assert!(traces >= 8, "{traces} .etl seeds");
    let whole = read("WindowsUpdate.20251008.140245.443.8.etl");
    let events = etl::read(&whole).events.len();
    for damaged in [
        "damaged-buffer-size-ffffffff.etl",
        "damaged-buffer-size-below-header.etl",
    ] {
        let bytes = read(damaged);
        assert_eq!(etl::read(&bytes).events.len(), events, "{damaged}");
    }
}
