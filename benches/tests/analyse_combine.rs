//! The law of the two-step diagnosis: a fleet's folder diagnosed at once, and the analyses of
//! its logs (made one log at a time, sent as bytes, merged in any grouping, received in any
//! order) combined, give the same JSON byte for byte.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use wsusdiag_benches::generate::{FleetSpec, fleet};
use wsusdiag_benches::two_servers::{TwoServerSpec, two_server_fleet};
use wsusdiag_core::analysis::{LogAnalysis, analyse, combine};
use wsusdiag_core::{Input, Options, diagnose_paths};

/// Writes `logs` under a fresh folder named after `tag`; returns it and its files.
fn write(tag: &str, logs: &[(String, String)]) -> (PathBuf, Vec<PathBuf>) {
    let dir = std::env::temp_dir().join(format!("wsusdiag-combine-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut files = Vec::new();
    for (name, text) in logs {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        files.push(path);
    }
    (dir, files)
}

/// A generated fleet: several clients and a server (`two` servers and clients in several time
/// zones, some joined by time only, when asked).
fn fleet_logs(seed: u64, clients: usize, two: bool) -> Vec<(String, String)> {
    if two {
        let spec = TwoServerSpec {
            seed,
            clients,
            detections_between: 2,
        };
        two_server_fleet(&spec).logs
    } else {
        let spec = FleetSpec {
            seed,
            clients,
            faults_per_client: 3,
            detections_between: 2,
            client_bytes: 0,
            server_every: 1,
        };
        let g = fleet(&spec);
        let mut logs = g.clients;
        logs.push((g.truth.server_file.clone(), g.server));
        logs
    }
}

/// The analysis of one file, as bytes sent and read back.
fn sent(file: &Path, options: &Options) -> LogAnalysis {
    let bytes = analyse([Input::Path(file.to_path_buf())], options)
        .and_then(|a| a.to_bytes())
        .unwrap();
    LogAnalysis::from_bytes(&bytes).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn combining_the_analyses_of_a_fleet_is_diagnosing_it(
        seed in 0u64..10_000,
        clients in 1usize..9,
        two in any::<bool>(),
        order in Just(()).prop_perturb(|_, mut rng| rng.next_u64()),
        groups in 1usize..5,
    ) {
        let options = Options::default();
        let logs = fleet_logs(seed, clients, two);
        let (dir, mut files) = write(&format!("{seed}-{clients}-{two}"), &logs);
        let whole = diagnose_paths(&[&dir], &options).unwrap().to_json().unwrap();

        // Files in a shuffled order, split into groups, each group merged in turn.
        let mut state = order;
        for i in (1..files.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            files.swap(i, (state >> 33) as usize % (i + 1));
        }
        let per_group = files.len().div_ceil(groups);
        let parts: Vec<LogAnalysis> = files
            .chunks(per_group)
            .map(|group| {
                let mut merged = sent(&group[0], &options);
                for file in &group[1..] {
                    merged = merged.merge(sent(file, &options)).unwrap();
                }
                // Partial results travel as bytes too.
                LogAnalysis::from_bytes(&merged.to_bytes().unwrap()).unwrap()
            })
            .collect();
        let combined = combine(parts.into_iter().rev(), &options).unwrap().to_json().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        prop_assert_eq!(combined, whole);
    }
}

#[test]
fn analyses_read_with_other_rules_are_refused() {
    let logs = fleet_logs(3, 2, false);
    let (dir, files) = write("rules", &logs);
    let site = dir.join("site.toml");
    std::fs::write(
        &site,
        "[[rule]]\nid = \"SITE-1\"\ntitle = \"t\"\nseverity = \"info\"\ncause = \"c\"\n\
         remediation = [\"r\"]\nreferences = [\"x\"]\n[rule.client]\nlines = ['never seen']\n",
    )
    .unwrap();
    let with_site = Options::default().with_rule_files([&site]);
    let a = sent(&files[0], &Options::default());
    let e = combine([a], &with_site).unwrap_err();
    assert!(e.to_string().contains("other rules"), "{e}");
    let b = sent(&files[1], &with_site);
    let e = sent(&files[0], &Options::default()).merge(b).unwrap_err();
    assert!(e.to_string().contains("other rules"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bytes_that_are_no_analysis_are_an_error_never_a_panic() {
    let logs = fleet_logs(5, 2, false);
    let (dir, files) = write("bytes", &logs);
    let good = analyse([Input::Path(files[0].clone())], &Options::default())
        .unwrap()
        .to_bytes()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(LogAnalysis::from_bytes(b"").is_err());
    assert!(LogAnalysis::from_bytes(b"WSUSDIAG").is_err());
    // Every cut, and every single flipped byte, is read or refused without a panic.
    for n in 0..good.len() {
        assert!(LogAnalysis::from_bytes(&good[..n]).is_err(), "cut at {n}");
    }
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0xA5;
        if let Ok(a) = LogAnalysis::from_bytes(&bad) {
            let _ = combine([a], &Options::default());
        }
    }
    // Another version of the crate says so.
    let mut other = good.clone();
    let at = 8 + 2 + 1;
    other[at] = b'9';
    let e = LogAnalysis::from_bytes(&other).unwrap_err();
    assert!(e.to_string().contains("same version"), "{e}");
}

#[test]
fn a_folders_traces_are_one_log_wherever_it_sorts() {
    // Two folders of traces (one machine's log each; one of a single trace), given in any order,
    // around a client's folder (PC0001).
    let traces = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wsusdiag-core/tests/data/etl");
    let etl: Vec<PathBuf> = (std::fs::read_dir(&traces).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "etl"))
        .collect();
    let logs = fleet_logs(9, 1, false);
    let (dir, files) = write("traces", &logs[..1]);
    let mut groups = vec![vec![files[0].clone()]];
    for (folder, take) in [("PA", etl.len()), ("PZ", 1)] {
        let mut group = Vec::new();
        for file in &etl[..take] {
            let to = dir.join(folder).join(file.file_name().unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(file, &to).unwrap();
            group.push(to);
        }
        groups.push(group);
    }
    let options = Options::default();
    let whole = diagnose_paths(&[&dir], &options)
        .unwrap()
        .to_json()
        .unwrap();
    let parts = groups.iter().rev().map(|group| {
        let inputs = group.iter().map(|p| Input::Path(p.clone()));
        analyse(inputs, &options).unwrap()
    });
    let combined = combine(parts, &options).unwrap().to_json().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(combined == whole, "the combined diagnosis differs");
}
