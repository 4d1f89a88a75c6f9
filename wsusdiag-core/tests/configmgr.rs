//! ConfigMgr logs, read from real excerpts (tests/configmgr/, sources in SOURCES.md): which
//! side each comes from, its records, what they mean, and what the diagnosis makes of them.

use std::path::Path;

use wsusdiag_core::events::{ConfigMgrEvent, configmgr_codes, configmgr_event};
use wsusdiag_core::input::{LogKind, sniff};
use wsusdiag_core::knowledge::hresult;
use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::records::cmtrace::{CmRecord, CmRecords};
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
        // components and words are SMS_*, WCM's and WSyncMgr's; the client's are the agents'.
        let expected = if ["wsyncmgr", "wcm", "smsdbmon"]
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
    // The Windows Update side is the real excerpt of http://www.burkharttech.com/Tips/Tip07.htm
    // (a Vista client, pasted with spaces); the ConfigMgr side is the WUAHandler line of the
    // issue's format, written at the same minute with a bias of +240 (UTC-4).
    let dir = std::env::temp_dir().join(format!("wsusdiag-configmgr-fleet-{}", std::process::id()));
    let client = dir.join("PC01");
    std::fs::create_dir_all(&client).expect("temp folder");
    std::fs::write(
        client.join("WindowsUpdate.log"),
        "2008-07-01 10:30:59:972 1116 308 PT WARNING: GetCookie failure, error = 0x80244022, soap client error = 10, soap error code = 0, HTTP status code = 503\n\
         2008-07-01 10:30:59:972 1116 308 PT WARNING: PTError: 0x80244022\n",
    )
    .expect("write");
    std::fs::write(
        client.join("WUAHandler.log"),
        "<![LOG[OnSearchComplete - Failed to end search job. Error = 0x80244022.]LOG]!><time=\"10:31:02.123+240\" date=\"07-01-2008\" component=\"WUAHandler\" context=\"\" type=\"3\" thread=\"4240\" file=\"cwuahandler.cpp:2809\">\r\n",
    )
    .expect("write");
    let d =
        wsusdiag_core::diagnose_paths(&[client.as_path()], &Options::default()).expect("diagnosis");
    std::fs::remove_dir_all(&dir).ok();

    let kinds: Vec<_> = d.inputs.iter().map(|i| i.kind).collect();
    assert!(
        kinds.contains(&Some(LogKind::ClientConfigMgr))
            && kinds.contains(&Some(LogKind::ClientClassic))
    );
    // One failure: WUAHandler's report of it is the Windows Update failure, not a second one.
    assert_eq!(d.faults.len(), 1, "{:#?}", d.faults);
    assert!(
        d.input_path(d.faults[0].client.input)
            .ends_with("WindowsUpdate.log")
    );
    assert_eq!(d.faults[0].client.hresult, "0x80244022");
    // The Windows Update log has no time-zone banner: its clock is the ConfigMgr log's bias.
    let wu = d
        .clock_offsets
        .iter()
        .find(|o| o.source.ends_with("WindowsUpdate.log"))
        .expect("an offset for the Windows Update log");
    assert_eq!(wu.offset_seconds, Some(240 * 60));
    assert_eq!(wu.tz_minutes, Some(-240));
}
