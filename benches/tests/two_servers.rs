//! The two-server fleet of 500 clients (`two_servers.rs`), diagnosed from disk: no false join
//! at all, every unambiguous failure the server's code logged joined to its own entry, the
//! ambiguous ones said to be with their candidates, fault-ID joins and clock offsets exact.

use std::collections::BTreeMap;

use wsusdiag_benches::generate::FaultKind;
use wsusdiag_benches::name_under;
use wsusdiag_benches::two_servers::{Anchor, TwoServerSpec, two_server_fleet};
use wsusdiag_core::diagnosis::{Confidence, Fault, OffsetBasis, ServerScope};
use wsusdiag_core::{Options, diagnose_paths};

#[test]
fn five_hundred_clients_of_two_servers_are_joined_as_their_truth_says() {
    let g = two_server_fleet(&TwoServerSpec {
        seed: 24,
        clients: 500,
        detections_between: 1,
    });
    let dir = std::env::temp_dir().join(format!("wsusdiag-two-servers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (name, text) in &g.logs {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let d = diagnose_paths(&[&dir], &Options::default()).unwrap();
    let name = |path: &str| name_under(&dir, path);
    let input = |i: u32| name(d.input_path(i));
    assert_eq!(d.inputs.len(), 502);
    assert!(d.inputs.iter().all(|i| i.malformed_lines == 0));

    let found: BTreeMap<(String, u32), &Fault> = (d.faults.iter())
        .map(|f| ((input(f.client.input), f.client.line), f))
        .collect();
    assert_eq!(found.len(), g.truth.faults.len(), "every fault found, once");
    let mut seen: BTreeMap<(FaultKind, &str), usize> = BTreeMap::new();
    for truth in &g.truth.faults {
        let t = &truth.fault;
        let f = found
            .get(&(t.file.clone(), t.line))
            .unwrap_or_else(|| panic!("not found: {t:?}"));
        assert_eq!(f.client.hresult, t.hresult, "{t:?}");
        // The join, exactly: no false join, no missed one, the right server and entry.
        assert_eq!(f.correlation, t.correlation, "{t:?}\n{f:#?}");
        let joined = f.server.as_ref().map(|s| (input(s.input), s.line));
        assert_eq!(joined, truth.server, "{t:?}");
        let candidates: Vec<(String, u32)> = (f.candidates.iter())
            .map(|s| (input(s.input), s.line))
            .collect();
        assert_eq!(candidates, truth.candidates, "{t:?}");
        if t.correlation == "ambiguous" {
            assert_ne!(f.confidence, Some(Confidence::Confirmed), "{t:?}");
        }
        if t.kind == FaultKind::Http503 {
            assert_eq!(f.failure_kind, "service-unavailable");
            assert_eq!(f.time_window, None);
        }
        *seen.entry((t.kind, t.correlation)).or_default() += 1;
    }
    // The fleet has the shape it claims.
    let count = |k: FaultKind, c: &str| seen.get(&(k, c)).copied().unwrap_or(0);
    assert_eq!(count(FaultKind::Http503, "none"), 500);
    assert!(count(FaultKind::Http500, "time-window") > 400, "{seen:?}");
    assert!(count(FaultKind::Http500, "ambiguous") >= 30, "{seen:?}");
    assert!(count(FaultKind::Http500, "none") > 0, "{seen:?}");
    assert!(
        count(FaultKind::SqlTimeout, "time-window") > 400,
        "{seen:?}"
    );
    assert!(count(FaultKind::Kb954960, "fault-id") > 700, "{seen:?}");

    // Clock offsets as they can be known, and the window each allowed.
    for c in &g.truth.clients {
        let o = (d.clock_offsets.iter())
            .find(|o| name(&o.source) == c.client.file)
            .unwrap();
        assert_eq!(o.offset_seconds, c.expected_offset_seconds, "{c:?}: {o:?}");
        let windows: Vec<(i64, OffsetBasis, ServerScope)> = (d.faults.iter())
            .filter(|f| d.input_path(f.client.input) == o.source)
            .filter_map(|f| f.time_window.as_ref())
            .map(|w| (w.seconds, w.basis, w.servers))
            .collect();
        for &(seconds, basis, servers) in &windows {
            assert_eq!(servers, ServerScope::Matched, "{c:?}");
            match c.anchor {
                Anchor::FaultId => assert!(basis == OffsetBasis::FaultId && seconds <= 15, "{c:?}"),
                Anchor::TzBanner => assert_eq!((seconds, basis), (120, OffsetBasis::TzBanner)),
                Anchor::Unknown => panic!("a window without an offset: {c:?}"),
            }
        }
        if c.anchor != Anchor::Unknown {
            assert!(!windows.is_empty(), "{c:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
