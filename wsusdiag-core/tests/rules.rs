//! Every built-in rule against its fixtures: realistic log excerpts that must trigger it
//! (`hit/`) and near misses that must not (`miss/`).
//!
//! Layout: `tests/fixtures/rules/<RULE-ID>/{hit,miss}/*.log` and `expect.toml` with
//! `hit = "confirmed"`, `"probable"` or `"possible"` (how sure the hit must be) and, optionally,
//! `miss_rule = "<ID>"` (the rule the near miss must be given instead, when it has one).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use wsusdiag_core::knowledge::rules::RuleSet;
use wsusdiag_core::{Diagnosis, Options, diagnose_paths};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn diagnose_dir(dir: &Path) -> Diagnosis {
    diagnose_paths(&[dir], &Options::default()).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn expectation(dir: &Path, key: &str) -> Option<String> {
    let text = fs::read_to_string(dir.join("expect.toml")).ok()?;
    let table: toml::Table = toml::from_str(&text).expect("expect.toml parses");
    table.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

#[test]
fn every_rule_has_fixtures_and_every_fixture_a_rule() {
    let rules = RuleSet::builtin();
    let ids: BTreeSet<String> = rules.rules().iter().map(|r| r.id.clone()).collect();
    let dirs: BTreeSet<String> = fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let missing: Vec<_> = ids.difference(&dirs).collect();
    let orphans: Vec<_> = dirs.difference(&ids).collect();
    assert!(missing.is_empty(), "rules without fixtures: {missing:?}");
    assert!(orphans.is_empty(), "fixtures without a rule: {orphans:?}");
}

#[test]
fn every_rule_fires_on_its_hit_and_not_on_its_near_miss() {
    let mut failures = Vec::new();
    for rule in RuleSet::builtin().rules() {
        let dir = fixtures().join(&rule.id);
        if !dir.is_dir() {
            continue; // reported by the test above
        }
        let want = expectation(&dir, "hit").unwrap_or_else(|| "probable".to_owned());
        let hit = diagnose_dir(&dir.join("hit"));
        match hit.findings.iter().find(|f| f.rule_id == rule.id) {
            None => failures.push(format!(
                "{}: no finding on hit/ (found {:?})",
                rule.id,
                hit.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
            )),
            Some(f) if f.confidence != want.as_str() => failures.push(format!(
                "{}: hit/ is {}, expected {want}",
                rule.id, f.confidence
            )),
            Some(f) if f.evidence.is_empty() => {
                failures.push(format!("{}: finding without evidence", rule.id))
            }
            Some(_) => {}
        }
        let miss = diagnose_dir(&dir.join("miss"));
        if miss.findings.iter().any(|f| f.rule_id == rule.id) {
            failures.push(format!("{}: fired on miss/", rule.id));
        }
        if let Some(other) = expectation(&dir, "miss_rule")
            && !miss.findings.iter().any(|f| f.rule_id == other)
        {
            failures.push(format!(
                "{}: miss/ should be {other}, found {:?}",
                rule.id,
                miss.findings.iter().map(|f| &f.rule_id).collect::<Vec<_>>()
            ));
        }
        for input in hit.inputs.iter().chain(&miss.inputs) {
            if input.kind.is_none() {
                failures.push(format!("{}: {} is not read as a log", rule.id, input.path));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn builtin_files_are_all_the_rules_files() {
    let on_disk: BTreeSet<String> =
        fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .unwrap()
            .map(|e| format!("rules/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    let built_in: BTreeSet<String> = wsusdiag_core::knowledge::rules::builtin_files()
        .map(str::to_owned)
        .collect();
    assert_eq!(on_disk, built_in);
}

#[test]
fn the_55_known_issues_are_encoded_with_their_ids() {
    let rules = RuleSet::builtin();
    let ids = [
        "KB954960",
        "WU-80244010-MAXTRIPS",
        "KB4096317",
        "WU-80244007-OTHERCACHED",
        "WU-80244007-SIMPLEAUTH",
        "KB3159706",
        "WU-8024401C-1607META",
        "WU-80244022-WSUSPOOL",
        "WU-80072EE2-TIMEOUT",
        "WU-80244021-PROXY502",
        "WU-8024401B-PROXYAUTH",
        "WU-8024402C-DNS",
        "WU-80072EFD-CONNECT",
        "WU-80244017-18-IISAUTH",
        "WU-80072F0C-CLIENTCERT",
        "WU-80072F8F-TLS",
        "KB4535405",
        "KB4472027",
        "KB4482416",
        "DUP-SUSCLIENTID",
        "WUSP-COOKIE-RECOVERY",
        "WU-8024000B-FILTER",
        "WU-8024402F-ECP",
        "KB920659",
        "WU-80240032-CRITERIA",
        "KB909131",
        "KB945536",
        "KB968248",
        "KB2737219",
        "WSUS-UUP-MIME",
        "WU-8024002E-DISABLED",
        "CM-GPO-OVERRIDE",
        "KB938947",
        "SUSDB-MAINTENANCE",
        "WU-STALE-REGISTRATION",
        "WSUSSS-DSSAUTH-PARAMS",
        "WUSP-GETEXTENDEDUPDATEINFO",
        "DUP-KEY-METADATA",
        "BITS-PROXY-DOWNLOAD",
        "WU-800706D9-FIREWALL-SVC",
        "LOCALPUB-TRUST",
        "WUSP-SOAPFAULT-GENERIC",
        "CM-87D00692-GPO-CONFLICT",
        "CM-SCAN-WSUS-CERT-EXPIRED",
        "CM-3RDPARTY-SIGNING-EXPIRED",
        "CM-87D00664-MAX-RUNTIME",
        "CM-WSYNC-WSUS-NOT-CONFIGURED",
        "CM-WCM-UNKNOWN-CATEGORY",
        "CM-WCM-PROXY-AUTH",
        "CM-WSUS-SERVICE-DOWN",
        "CM-WSYNC-PRINCIPAL-PERMISSION",
        "CM-WSYNC-EULA-MISSING",
        "CM-WSYNC-SAVE-UPDATE",
        "CM-PATCHDOWNLOADER-TEMP-FILES",
        "CM-PACKAGE-SOURCE-ACCESS-DENIED",
    ];
    let missing: Vec<_> = ids.iter().filter(|id| rules.get(id).is_none()).collect();
    assert!(missing.is_empty(), "missing rules: {missing:?}");
    assert_eq!(rules.len(), ids.len(), "rules beyond the catalogue");
    for r in rules.rules() {
        assert!(!r.cause.is_empty() && !r.remediation.is_empty(), "{}", r.id);
        assert!(!r.references.is_empty(), "{} has no reference", r.id);
    }
}

#[test]
fn kb954960_carries_the_whole_fix_from_the_article() {
    let rules = RuleSet::builtin();
    let r = rules.get("KB954960").unwrap();
    let fix = r.remediation.join("\n");
    for needle in [
        "WSUS 3.0 SP1",
        "954960",
        "Declin",
        "Approve",
        "wuauclt.exe /detectnow",
        "second time",
        "top-level server",
        "autonomous",
        "replica",
    ] {
        assert!(fix.contains(needle), "the fix lacks {needle:?}");
    }
    let approve = fix.find("Approve it").unwrap();
    assert!(fix.find("Make sure it is declined").unwrap() < approve);
    assert!(approve < fix.find("Decline it again").unwrap());
}

/// A site's own rules file, loaded at run time on top of the built-in rules.
const SITE_RULES: &str = r#"
# Our WSUS farm: a SyncUpdates InternalServerError is always the approval bug here.
[[rule]]
id = "KB954960"
title = "Approval inconsistency (site override)"
severity = "critical"
priority = 60
cause = "Known to happen after our monthly Office sync."
remediation = ["Run the site's fix-approvals.ps1 on the top server."]
references = ["https://intranet.example/wsus/runbook"]

[rule.client]
error_codes = ["InternalServerError"]
methods = ["SyncUpdates"]

[[rule]]
id = "SITE-REPORTING"
title = "Reporting web service refuses events"
severity = "warning"
cause = "The reporting database is full."
remediation = ["Purge old events."]

[rule.client]
lines = ['Reporter failed to upload events']
"#;

#[test]
fn a_rules_file_adds_and_replaces_rules_at_run_time() {
    let dir = std::env::temp_dir().join(format!("wsusdiag-rules-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("site.toml");
    fs::write(&file, SITE_RULES).unwrap();
    let client = dir.join("WindowsUpdate.log");
    let mut text = String::from_utf8(wsusdiag_core::sample::KB954960_CLIENT.to_vec()).unwrap();
    text.push_str("2008-07-14\t09:20:01:015\t1100\tee4\tReport\tWARNING: Reporter failed to upload events with hr = 8024400e.\n");
    fs::write(&client, text).unwrap();

    let options = Options::default().with_rule_files([&file]);
    let d = diagnose_paths(&[&client], &options).unwrap();
    let kb = d.findings.iter().find(|f| f.rule_id == "KB954960").unwrap();
    assert_eq!(kb.title, "Approval inconsistency (site override)");
    assert_eq!(kb.severity, "critical");
    assert_eq!(kb.confidence, "probable", "no server log was given");
    let site = d
        .findings
        .iter()
        .find(|f| f.rule_id == "SITE-REPORTING")
        .unwrap();
    assert_eq!(site.occurrences, 1);
    assert!(
        site.evidence[0]
            .text
            .contains("Reporter failed to upload events")
    );
    assert!(site.evidence[0].line > 100);

    // The built-in set is untouched by the override.
    assert_ne!(
        RuleSet::builtin().get("KB954960").unwrap().title,
        "Approval inconsistency (site override)"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_rules_file_is_an_error_with_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("wsusdiag-badrules-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.toml");
    fs::write(
        &file,
        SITE_RULES.replace("'Reporter failed to upload events'", "'Reporter (failed'"),
    )
    .unwrap();
    let options = Options::default().with_rule_files([&file]);
    let err = diagnose_paths(&[dir.join("missing.log")], &options).unwrap_err();
    match &err {
        wsusdiag_core::Error::Rules {
            name,
            line,
            column,
            message,
        } => {
            assert_eq!(name, &file.display().to_string());
            assert_eq!((*line, *column), (24, 10));
            assert!(message.contains("bad pattern"), "{message}");
        }
        other => panic!("expected a rules error, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("broken.toml: line 24, column 10"), "{shown}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_slow_pattern_cannot_be_written() {
    // Backreferences and look-around, the usual ways to make a backtracking engine take
    // exponential time, are refused; and a huge repetition is refused by the size limit.
    for pattern in [r"(a+)+\1", r"(?=a)b", "(a{1000}){1000}"] {
        let text = format!(
            "[[rule]]\nid = \"X\"\ntitle = \"t\"\nseverity = \"info\"\ncause = \"c\"\nremediation = [\"r\"]\n[rule.client]\nlines = ['{pattern}']\n"
        );
        let err = RuleSet::parse("slow.toml", &text).unwrap_err();
        assert!(
            matches!(err, wsusdiag_core::Error::Rules { line: 8, .. }),
            "{pattern}: {err}"
        );
    }
}

/// A slow scan's evidence quotes the log's line as it is; how long the detection took is its
/// note, not text appended to the line.
#[test]
fn a_slow_scan_is_quoted_as_logged_with_its_duration_as_a_note() {
    let d = diagnose_dir(&fixtures().join("KB938947/hit"));
    let f = d.findings.iter().find(|f| f.rule_id == "KB938947").unwrap();
    let e = &f.evidence[0];
    let logged = fs::read_dir(fixtures().join("KB938947/hit"))
        .unwrap()
        .map(|entry| fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(logged.lines().any(|l| l.trim_end() == &*e.text), "{e:?}");
    let note = e.note.as_deref().unwrap();
    assert!(
        note.starts_with("this detection took ") && note.ends_with(" min"),
        "{note}"
    );
}
