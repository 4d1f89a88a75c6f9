//! ConfigMgr logs, read from real excerpts (tests/configmgr/, sources in SOURCES.md): which
//! side each comes from, its records, what they mean, and what the diagnosis makes of them.

use std::path::Path;

use wsusdiag_core::events::{ConfigMgrEvent, configmgr_codes, configmgr_event};
use wsusdiag_core::input::{LogKind, sniff};
use wsusdiag_core::knowledge::hresult;
use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::records::cmtrace::{CmRecord, CmRecords, CmShape};
use wsusdiag_core::{Options, diagnose_buffers};

/// An excerpt's text, kept for the rest of the test run so events may borrow from it.
fn excerpt(name: &str) -> &'static str {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configmgr")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Box::leak(text.into_boxed_str())
}

fn records(text: &str) -> Vec<CmRecord<'_>> {
    CmRecords::new(text)
        .map(|r| r.expect("every excerpt line reads"))
        .collect()
}

fn events(text: &str) -> Vec<ConfigMgrEvent<'_>> {
    records(text)
        .iter()
        .filter_map(|r| configmgr_event(r.message))
        .collect()
}

fn all_excerpts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configmgr");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("excerpt folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_excerpt_is_listed_in_sources_and_told_by_its_content() {
    let sources = excerpt("SOURCES.md");
    let names = all_excerpts();
    assert!(names.len() >= 30, "{} excerpts", names.len());
    for name in &names {
        assert!(
            sources.contains(&format!("| {name} |")),
            "{name} has no source"
        );
        let text = excerpt(name);
        // Kinds are told by content: the file name is not looked at. The site server's
        // components and words are SMS_*, WCM's, WSyncMgr's and the update downloads' (the
        // patch downloader and the rule engine of automatic deployment rules); the client's are
        // the agents'. Only site systems write the trace form (`… $$<component><time><thread>`).
        let expected = if [
            "wsyncmgr",
            "wcm",
            "smsdbmon",
            "patchdownloader",
            "ruleengine",
            "setup",
            "supsetup",
        ]
        .iter()
        .any(|p| name.starts_with(p))
        {
            LogKind::ServerConfigMgr
        } else {
            LogKind::ClientConfigMgr
        };
        assert_eq!(sniff(text), Ok(expected), "{name}");
        assert!(!records(text).is_empty(), "{name}");
    }
}

#[test]
fn copied_lines_keep_their_component_apart_from_the_message() {
    let text = excerpt("wsyncmgr-scheduled-start.log");
    let r = records(text);
    assert_eq!(r.len(), 3);
    assert_eq!(r[1].message, "Starting Sync");
    assert!(
        r.iter()
            .all(|r| r.component == Some("SMS_WSUS_SYNC_MANAGER"))
    );

    let text = excerpt("wsyncmgr-local-request.log");
    let r = records(text);
    // One space only before a known component.
    assert_eq!(r[0].message, "Wakeup by inbox drop");

    let text = excerpt("locationservices-reply.log");
    let r = records(text);
    // The date CMTrace shows after the component.
    assert_eq!(r[0].component, Some("LocationServices"));
    assert_eq!(r[0].message, "Processing Location reply message");
    assert_eq!(
        r[0].time.map(|t| t.to_string()).as_deref(),
        Some("2014-01-20 12:18:09")
    );

    // No component: the message alone.
    let text = excerpt("wsyncmgr-not-configured.log");
    let r = records(text);
    assert_eq!(r.len(), 2, "the quote marker's blank line is no entry");
    assert_eq!(r[0].component, None);
}

#[test]
fn a_role_setup_log_gives_its_stamp_and_message() {
    // SUPSetup.log as a support article quotes it: `> \<02/09/14 22:53:28> …`, the first
    // stamps escaped for markdown, two spaces of line break after each.
    let r = records(excerpt("supsetup-install.log"));
    assert_eq!(r.len(), 24);
    assert!(
        r.iter()
            .all(|r| r.shape == CmShape::Setup && r.component.is_none())
    );
    assert_eq!(r[1].message, "SMSWSUS Setup Started....");
    assert_eq!(
        r[4].message,
        "======== Installing Pre Reqs for Role SMSWSUS ========"
    );
    let at = |r: &CmRecord<'_>| r.time.map(|t| t.to_string());
    assert_eq!(at(&r[0]).as_deref(), Some("2014-02-09 22:53:28"));
    assert_eq!(at(&r[23]).as_deref(), Some("2014-02-09 22:53:44"));
    assert_eq!(r[22].message, "Installation was successful.");
    // Local time, and no bias to make it UTC.
    assert_eq!(r[0].utc(), None);
}

#[test]
fn an_embedded_xml_message_with_cdata_stays_one_entry() {
    let text = excerpt("wcm-configuration-success.log");
    let r = records(text);
    assert_eq!(r.len(), 7);
    assert!(r[4].message.starts_with("Subscribed Update Categories"));
    assert!(r[4].message.contains("CDATA[Critical Updates]"));
    assert_eq!(r[4].component, Some("SMS_WSUS_CONFIGURATION_MANAGER"));
}

#[test]
fn the_client_shows_its_update_source_and_scan() {
    let text = excerpt("wuahandler-new-update-source.log");
    let e = events(text);
    assert!(e.contains(&ConfigMgrEvent::UpdateSource {
        id: "{C2D17964-BBDD-4339-B9F3-12D7205B39CC}"
    }));
    assert!(e.contains(&ConfigMgrEvent::ManagedServer {
        url: "http://PS1SITE.CONTOSO.COM:8530"
    }));
    assert_eq!(
        events(excerpt("wuahandler-scan-start.log")),
        [ConfigMgrEvent::ScanStarted]
    );
    assert_eq!(
        events(excerpt("wuahandler-scan-results.log")),
        [ConfigMgrEvent::ScanCompleted]
    );
}

#[test]
fn the_group_policy_conflict_and_its_code() {
    let e = events(excerpt("wuahandler-gpo-override.log"));
    assert_eq!(
        e,
        [ConfigMgrEvent::PolicyOverridden {
            server: Some("http://server")
        }]
    );

    let e = events(excerpt("wuahandler-gpo-conflict-0x87d00692.log"));
    assert_eq!(
        e,
        [
            ConfigMgrEvent::PolicyOverridden {
                server: Some("http://server.example.local:8530")
            },
            ConfigMgrEvent::ScanFailed { code: 0x87D0_0692 },
        ]
    );
    let e = events(excerpt("scanagent-gpo-conflict-0x87d00692.log"));
    assert_eq!(e, [ConfigMgrEvent::ScanFailed { code: 0x87D0_0692 }]);
    let e = events(excerpt("updatesdeployment-gpo-conflict-0x87d00692.log"));
    assert_eq!(e, [ConfigMgrEvent::UpdateFailed { code: 0x87D0_0692 }]);

    let info = hresult::lookup(0x87D0_0692).expect("ConfigMgr codes are in the table");
    assert_eq!(info.component, hresult::Component::ConfigMgr);
    assert!(info.description.contains("Group Policy"));
}

#[test]
fn the_site_server_syncs_and_fails() {
    let e = events(excerpt("wsyncmgr-scheduled-start.log"));
    assert_eq!(e, [ConfigMgrEvent::SyncStarted]);
    let e = events(excerpt("wsyncmgr-sync-succeeded.log"));
    assert_eq!(
        e,
        [
            ConfigMgrEvent::StatusMessage {
                id: 6702,
                code: None
            },
            ConfigMgrEvent::SyncSucceeded
        ]
    );
    let e = events(excerpt("wsyncmgr-not-configured.log"));
    assert!(matches!(
        e[0],
        ConfigMgrEvent::SyncFailed { reason, code: None } if reason.starts_with("WSUS server not configured.")
    ));
    assert!(e.iter().all(ConfigMgrEvent::is_failure));
    for (name, status) in [
        ("wcm-http-500.log", 500),
        ("wcm-http-502.log", 502),
        ("wcm-http-503.log", 503),
    ] {
        assert_eq!(
            events(excerpt(name)),
            [ConfigMgrEvent::HttpError { status }],
            "{name}"
        );
    }
    assert_eq!(
        events(excerpt("wsyncmgr-statmsg-6701.log")),
        [ConfigMgrEvent::StatusMessage {
            id: 6701,
            code: None
        }]
    );
}

#[test]
fn decimal_codes_read_as_hresults() {
    assert_eq!(
        configmgr_codes("Sync failed: UssCommunicationError: -2146233088").collect::<Vec<_>>(),
        [0x8013_1500]
    );
}

#[test]
fn a_configmgr_client_failure_is_a_fault_of_the_diagnosis() {
    let text = excerpt("wuahandler-gpo-conflict-0x87d00692.log");
    let d = diagnose_buffers(&[("WUAHandler.log", text.as_bytes())], &Options::default())
        .expect("diagnosis");
    assert_eq!(d.inputs[0].kind, Some(LogKind::ClientConfigMgr));
    assert_eq!(d.inputs[0].records, 2);
    assert_eq!(d.faults.len(), 1, "{:#?}", d.faults);
    assert_eq!(d.faults[0].client.hresult, "0x87D00692");
    assert_eq!(d.faults[0].client.line, 2);

    let server = excerpt("wsyncmgr-not-configured.log");
    let d = diagnose_buffers(&[("wsyncmgr.log", server.as_bytes())], &Options::default())
        .expect("diagnosis");
    assert_eq!(d.inputs[0].kind, Some(LogKind::ServerConfigMgr));
    assert_eq!(d.inputs[0].records, 2);
}

#[test]
fn the_record_reader_gives_rows_of_configmgr_logs() {
    let text = excerpt("wuahandler-new-update-source.log");
    let log = Log::from_bytes("WUAHandler.log", text.as_bytes().to_vec()).expect("a log");
    assert_eq!(log.kind(), LogKind::ClientConfigMgr);
    let rows: Vec<_> = log.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 7);
    assert!(matches!(rows[0], Record::Client(r) if r.component == "WUAHandler"));
}

#[test]
fn a_client_folder_is_one_client_whose_clock_comes_from_the_bias() {
    // One real client's folder: WUAHandler.log, UpdatesHandler.log and UpdatesDeployment.log in
    // the native CMTrace shape (bias +240, UTC-4) and its Windows 10 WindowsUpdate.log, which
    // writes local time and no zone.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configmgr/client-folder");
    let d =
        wsusdiag_core::diagnose_paths(&[dir.as_path()], &Options::default()).expect("diagnosis");
    let kind = |name: &str| {
        (d.inputs.iter())
            .find(|i| i.path.ends_with(name))
            .and_then(|i| i.kind)
    };
    for name in [
        "WUAHandler.log",
        "UpdatesHandler.log",
        "UpdatesDeployment.log",
    ] {
        assert_eq!(kind(name), Some(LogKind::ClientConfigMgr), "{name}");
    }
    assert_eq!(kind("WindowsUpdate.log"), Some(LogKind::ClientWin10));
    assert!(d.inputs.iter().all(|i| i.malformed_lines == 0));
    // The Windows Update log's clock is the ConfigMgr logs' bias.
    let wu = (d.clock_offsets.iter())
        .find(|o| o.source.ends_with("WindowsUpdate.log"))
        .expect("an offset for the Windows Update log");
    assert_eq!(wu.offset_seconds, Some(240 * 60));
    assert_eq!(wu.tz_minutes, Some(-240));
    // Healthy: every scan completed, on both sides, against the same software update point.
    assert!(d.faults.is_empty(), "{:#?}", d.faults);
    let summary = |name: &str| {
        (d.clients.iter())
            .find(|c| c.source.ends_with(name))
            .expect("a client summary")
    };
    let cm = summary("WUAHandler.log");
    assert_eq!(cm.scans_succeeded, 3);
    assert_eq!(
        cm.server_url.as_deref(),
        Some("https://SCCM01D.firm.saulewing.net:8531")
    );
    let wu = summary("WindowsUpdate.log");
    assert!(
        (wu.server_url.as_deref())
            .is_some_and(|u| u.starts_with("https://SCCM01D.firm.saulewing.net:8531/"))
    );
}

#[test]
fn native_cmtrace_entries_give_their_fields_and_utc() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configmgr/client-folder");
    let sources = excerpt("SOURCES.md");
    for name in [
        "WUAHandler.log",
        "UpdatesHandler.log",
        "UpdatesDeployment.log",
        "WindowsUpdate.log",
    ] {
        assert!(
            sources.contains(&format!("| client-folder/{name} |")),
            "{name}"
        );
    }
    let text = std::fs::read_to_string(dir.join("WUAHandler.log")).expect("the log");
    assert!(text.starts_with('\u{feff}') && text.contains("\r\n"));
    let r = records(&text);
    assert_eq!(r.len(), 26);
    assert!(
        r.iter()
            .all(|r| r.component == Some("WUAHandler") && r.bias == Some(240))
    );
    let source = &r[1];
    assert_eq!(
        source.message,
        "Its a WSUS Update Source type ({A70BBF1F-4768-4A41-AB5B-9ADBBBE009D0}), adding it."
    );
    assert_eq!(source.severity, Some(1));
    assert_eq!(source.thread, Some(10444));
    assert_eq!(source.file, Some("sourcemanager.cpp:1461"));
    // 08:53:25.263 local, bias +240: 12:53:25.263 UTC.
    assert_eq!(
        source.utc().map(|t| t.to_string()).as_deref(),
        Some("2021-07-14 12:53:25.263")
    );
    assert!(events(&text).contains(&ConfigMgrEvent::ManagedServer {
        url: "https://SCCM01D.firm.saulewing.net:8531"
    }));

    // Each entry's line is the physical line it starts on, multi-line messages included.
    for name in [
        "WUAHandler.log",
        "UpdatesHandler.log",
        "UpdatesDeployment.log",
    ] {
        let text = std::fs::read_to_string(dir.join(name)).expect("the log");
        for r in records(&text) {
            let physical = text[..r.offset].matches('\n').count() + 1;
            assert_eq!(r.line as usize, physical, "{name}: {}", r.message);
        }
    }

    // An error entry (type 3) of UpdatesDeployment.log, with its ConfigMgr code.
    let text = std::fs::read_to_string(dir.join("UpdatesDeployment.log")).expect("the log");
    let errors: Vec<_> = (records(&text).into_iter())
        .filter(|r| r.severity == Some(3))
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        configmgr_codes(errors[0].message).collect::<Vec<_>>(),
        [0x87D0_0215]
    );
    assert_eq!(errors[0].component, Some("UpdatesDeploymentAgent"));
}

#[test]
fn the_rules_configmgr_fixtures_are_sourced_excerpts() {
    let excerpts: Vec<&str> = all_excerpts().iter().map(|n| excerpt(n)).collect();
    let mut checked = 0;
    for dir in rule_fixtures() {
        for side in ["hit", "miss"] {
            for e in std::fs::read_dir(dir.join(side)).expect("hit and miss folders") {
                let path = e.expect("entry").path();
                let text = std::fs::read_to_string(&path).expect("a text fixture");
                if !matches!(
                    sniff(&text),
                    Ok(LogKind::ClientConfigMgr | LogKind::ServerConfigMgr)
                ) {
                    continue;
                }
                assert!(
                    excerpts.contains(&text.as_str()),
                    "{} is not a copy of an excerpt in tests/configmgr",
                    path.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 24, "{checked} ConfigMgr fixtures");
}

#[test]
fn the_rules_hits_read_as_configmgr_with_their_codes() {
    // (rule, the side its failure is logged on, the client fault's code when there is one)
    let table = [
        (
            "CM-WSUS-SERVICE-DOWN",
            LogKind::ServerConfigMgr,
            Some("0x80244022"),
        ),
        (
            "CM-87D00692-GPO-CONFLICT",
            LogKind::ClientConfigMgr,
            Some("0x87D00692"),
        ),
        (
            "CM-87D00664-MAX-RUNTIME",
            LogKind::ClientConfigMgr,
            Some("0x87D00664"),
        ),
        (
            "CM-SCAN-WSUS-CERT-EXPIRED",
            LogKind::ClientConfigMgr,
            Some("0x800B0101"),
        ),
        (
            "CM-3RDPARTY-SIGNING-EXPIRED",
            LogKind::ClientConfigMgr,
            Some("0x800B0101"),
        ),
        (
            "CM-WSYNC-WSUS-NOT-CONFIGURED",
            LogKind::ServerConfigMgr,
            None,
        ),
        ("CM-WCM-UNKNOWN-CATEGORY", LogKind::ServerConfigMgr, None),
        ("CM-WCM-PROXY-AUTH", LogKind::ServerConfigMgr, None),
        (
            "CM-WSYNC-PRINCIPAL-PERMISSION",
            LogKind::ServerConfigMgr,
            None,
        ),
        ("CM-WSYNC-EULA-MISSING", LogKind::ServerConfigMgr, None),
        ("CM-WSYNC-SAVE-UPDATE", LogKind::ServerConfigMgr, None),
        (
            "CM-PATCHDOWNLOADER-TEMP-FILES",
            LogKind::ServerConfigMgr,
            None,
        ),
        (
            "CM-PACKAGE-SOURCE-ACCESS-DENIED",
            LogKind::ServerConfigMgr,
            None,
        ),
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    for (rule, kind, code) in table {
        let hit = root.join(rule).join("hit");
        let d = wsusdiag_core::diagnose_paths(&[hit.as_path()], &Options::default())
            .expect("diagnosis");
        let kinds: Vec<_> = d.inputs.iter().filter_map(|i| i.kind).collect();
        assert!(
            kinds.len() == d.inputs.len()
                && kinds.contains(&kind)
                && (kinds.iter())
                    .all(|k| matches!(k, LogKind::ClientConfigMgr | LogKind::ServerConfigMgr)),
            "{rule}: {kinds:?}"
        );
        assert!(d.findings.iter().any(|f| f.rule_id == rule), "{rule}");
        match code {
            Some(code) => assert!(
                d.faults.iter().any(|f| f.client.hresult == code),
                "{rule}: {:#?}",
                d.faults
            ),
            None => assert!(!d.server_faults.is_empty(), "{rule}"),
        }
    }
}

#[test]
fn site_server_failures_carry_the_codes_they_log() {
    for (name, codes) in [
        // `STATMSG: ID=6703 … LE=0X8013150a` after the failed sync.
        ("wsyncmgr-principal-permission.log", &["0x8013150A"][..]),
        // `Error(-2147467259)`, the decimal form of E_FAIL.
        ("wcm-unknown-category.log", &["0x80004005"]),
        ("patchdownloader-temp-files.log", &["0x80070050"]),
        ("ruleengine-access-denied.log", &[]),
    ] {
        let text = excerpt(name);
        let d =
            diagnose_buffers(&[(name, text.as_bytes())], &Options::default()).expect("diagnosis");
        assert_eq!(d.inputs[0].kind, Some(LogKind::ServerConfigMgr), "{name}");
        let found: Vec<_> = (d.server_faults.iter())
            .filter_map(|s| s.error_code.as_deref())
            .collect();
        for code in codes {
            assert!(found.contains(code), "{name}: {found:?}");
        }
        assert!(!d.server_faults.is_empty(), "{name}");
    }
}

#[test]
fn the_site_server_trace_form_gives_component_thread_and_utc() {
    let r = records(excerpt("setup-sql-connection-trace.log"));
    assert_eq!(r.len(), 3);
    // `~~` ends the first message (an embedded line break), not part of its words.
    assert_eq!(
        r[0].message,
        "[SQL Server Native Client 11.0]TCP Provider: An existing connection was forcibly closed by the remote host."
    );
    assert!(r[2].message.ends_with("connection type: SMS ACCESS."));
    for r in &r {
        assert_eq!(r.component, Some("Configuration Manager Setup"));
        assert_eq!(r.thread, Some(2868));
        assert_eq!(r.bias, Some(420));
        // 04:15 local with a bias of +420 minutes (UTC-7) is 11:15 UTC.
        assert_eq!(
            r.utc().map(|t| t.to_string()).as_deref(),
            Some("2016-08-22 11:15:01.917")
        );
    }
}

/// The ConfigMgr rules' fixture folders (`tests/fixtures/rules/CM-*`).
fn rule_fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .expect("rule fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("CM-"))
        })
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn a_site_server_failure_quotes_its_wsus_servers_error_by_that_logs_input() {
    // The sync failure of `wsyncmgr-principal-permission.log` in the trace form of
    // `setup-sql-connection-trace.log` (a site server writes its local time and bias: 13:54 at
    // +420 is 20:54 UTC), and a WSUS error of the corpus moved to six seconds before it.
    let site = "Sync failed: Request for principal permission failed. Source: Microsoft.UpdateServices.Administration.AdminProxy.CreateUpdateServer  $$<SMS_WSUS_SYNC_MANAGER><08-02-2024 13:54:26.571+420><thread=9640 (0x25A8)>\r\n";
    let wsus = "2024-08-02 20:54:20.283 UTC\tError\tw3wp.6\tClientImplementation.GetCookie\tSystem.NullReferenceException: Object reference not set to an instance of an object.\n";
    let d = diagnose_buffers(
        &[
            ("wsyncmgr.log", site.as_bytes()),
            ("SoftwareDistribution.log", wsus.as_bytes()),
        ],
        &Options::default(),
    )
    .expect("diagnosis");
    let input = |name: &str| (d.inputs.iter()).position(|i| i.path == name).unwrap() as u32;
    let sync = (d.server_faults.iter())
        .find(|s| s.input == input("wsyncmgr.log"))
        .expect("the sync failure is a server fault");
    // Its own lines are its site log's; the WSUS line it quotes names the WSUS log, with how
    // far apart the two are, though the default evidence quotes no server line of its own.
    assert_eq!(sync.lines, "1");
    assert_eq!(sync.evidence.len(), 1, "{:#?}", sync.evidence);
    let quoted = &sync.evidence[0];
    assert_eq!(quoted.input, input("SoftwareDistribution.log"));
    assert_eq!(quoted.line, 1);
    assert!(quoted.text.contains("NullReferenceException"));
    assert_eq!(
        quoted.note.as_deref(),
        Some("the WSUS server's log, 6 s before")
    );
}
