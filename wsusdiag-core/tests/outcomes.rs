//! Windows 10 faults are operations' failed outcomes: one real failure is one fault, a
//! recovered condition or a cancellation is none; a classic log's failure is one fault with the
//! lines that repeat its outcome. The lines are quoted from public logs (see
//! `shared/research/win10-log-anatomy.md` in the project's notes: the DCourtel/Wsus_Package_
//! Publisher issue #4 install, the afifafifafifafifali/DoorsOS log, Microsoft's troubleshooting
//! page), and from the corpus under `tests/corpus/`.

use wsusdiag_core::diagnosis::EvidenceDetail;
use wsusdiag_core::events::Operation;
use wsusdiag_core::{Diagnosis, Input, Options, diagnose};

/// The log's diagnosis with every line of each fault quoted: these tests check which lines a
/// fault is made of.
fn run(log: &str) -> Diagnosis {
    let input = Input::Buffer {
        name: "WindowsUpdate.log".into(),
        bytes: log.as_bytes(),
    };
    diagnose([input], &full()).unwrap()
}

fn full() -> Options {
    Options::default().with_evidence(EvidenceDetail::Full)
}

#[test]
fn a_failed_install_is_one_fault_with_the_updates_own_code() {
    // Windows 10, WSUS, 2019: the update's resultMapped, then the call's counts and its
    // "all updates failed" status.
    let d = run("\
2019/06/05 11:07:40.0950566 17784 19152 ComApi          * START *   Install ClientId = UpdateOrchestrator
2019/06/05 11:07:50.0950566 21136 9740  Agent           LogHistory called.   idUpdate={E0F87EBF-B414-4AC7-A225-8FE802CF8618}.1, resultMapped=80070643,   resultUnMapped=FFFE
2019/06/05 11:07:50.1127743 17784 19152 ComApi          Install call complete   (succeeded = 0, succeeded with errors = 0, failed = 1, cancelled = 0,   unaccounted = 0
2019/06/05 11:07:50.1128599 17784 19152 ComApi          Reboot required = False
2019/06/05 11:07:50.1128628 17784 19152 ComApi          Exit code = 0x00000000;   Call error code = 0x80240022
2019/06/05 11:07:50.1128653 17784 19152 ComApi          * END *   Install ClientId = UpdateOrchestrator
");
    assert_eq!(d.faults.len(), 1, "{:#?}", d.faults);
    let c = &d.faults[0].client;
    assert_eq!(c.hresult, "0x80070643");
    assert_eq!(c.operation, Some(Operation::Install));
    assert_eq!(c.related_codes, ["0x80240022"]);
}

#[test]
fn a_failed_scan_takes_its_chain_as_evidence_and_names_its_endpoint() {
    // Windows 11, 2026: one network failure logged by each layer, then the scan's END.
    let d = run("\
2026/03/12 13:48:07.5637162 6508  7484  Agent           * START * Finding updates CallerId = MoUpdateOrchestrator  Id = 9 (cV = LZNV0g7tTUO/Mwy8.0.1.1.0.2)
2026/03/12 13:48:08.4376469 6508  7484  ProtocolTalker  ServiceId = {9482F4B4-E343-43B6-B170-9A65BC822C77}, Server URL = https://fe2cr.update.microsoft.com/v6/ClientWebService/client.asmx (cV = LZNV0g7tTUO/Mwy8.0.1.1.0.2.0)
2026/03/12 13:48:49.9259582 6508  7484  WebServices     MapToSusHResult mapped Nws error 0x803d0010 to 0x80240438
2026/03/12 13:48:49.9259643 6508  7484  WebServices     Error 0x80240438 is considered transient
2026/03/12 13:49:13.1603245 6508  7484  ProtocolTalker  Method SyncUpdates went through 2 transient error retries.
2026/03/12 13:49:13.1910616 6508  7484  ProtocolTalker  *FAILED* [80240438] SyncUpdates_WithRecovery failed
2026/03/12 13:49:13.1912463 6508  7484  ProtocolTalker  *FAILED* [80240438] Sync of Updates
2026/03/12 13:49:13.1965840 6508  7484  Agent           *FAILED* [80240438] Synchronize
2026/03/12 13:49:13.4140911 6508  7484  Agent           * END * Finding updates CallerId = MoUpdateOrchestrator, Id = 9, Exit code = 0x80240438 (cV = LZNV0g7tTUO/Mwy8.0.1.1.0.2)
2026/03/12 13:49:13.6749919 15028 8824  ComApi          Exit code = 0x00000000, Result code = 0x80240438 (cV = LZNV0g7tTUO/Mwy8.0.1.1.0)
2026/03/12 13:49:13.6765653 15028 7744  ComApi          * END *   All federated searches have completed. Jobs = 2, Succeeded = 0, ClientId = MoUpdateOrchestrator (cV = LZNV0g7tTUO/Mwy8.0.1.2)
");
    assert_eq!(d.faults.len(), 1, "{:#?}", d.faults);
    let c = &d.faults[0].client;
    assert_eq!(
        (c.hresult.as_str(), c.operation),
        ("0x80240438", Some(Operation::Scan))
    );
    assert_eq!(
        c.endpoint.as_deref(),
        Some("https://fe2cr.update.microsoft.com/v6/ClientWebService/client.asmx")
    );
    assert_eq!(c.endpoint_kind, "microsoft");
    assert_eq!(c.outcome_line, Some(9));
    // The chain is its evidence, the outcome and the caller's repeats end it.
    let lines: Vec<u32> = c.evidence.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 6, 7, 8, 9, 10, 11]);
    assert_eq!(c.lines, "3-4,6-11");
    // A code alone: possible causes, never a confident one; the network rule names the host.
    assert!(
        d.findings.iter().all(|f| f.confidence == "possible"),
        "{:#?}",
        d.findings
    );
    let connect = d
        .findings
        .iter()
        .find(|f| f.rule_id == "WU-80072EFD-CONNECT")
        .expect("the connection rule is a possible cause of 0x80240438");
    assert!(
        connect.title.contains("fe2cr.update.microsoft.com"),
        "{}",
        connect.title
    );
    assert!(connect.confirm.is_some());
}

#[test]
fn a_refreshed_download_link_and_a_cancellation_are_no_faults() {
    // raja-fahad/wulogs (2020): a DO link expires (403), is refreshed, and the job completes;
    // then a download call is cancelled by its caller.
    let d = run("\
2020/11/19 15:27:20.4593237 3304  7028  DownloadManager * START * Begin Downloading Updates [CallerId = UpdateOrchestrator] [Call ID = {F36E6EE2-F235-4077-B18C-3C8AC58276E1}]
2020/11/19 15:27:31.4593237 3304  7028  DownloadManager DO job {15BD9B72-052C-45DD-ABC3-719819615044} 403'd, updateId = 4BD20BA5-3C60-4702-8E4E-3A477D30E21A.1, hr = 0x80190193, BG_ERROR_CONTEXT = 5
2020/11/19 15:27:31.4595771 3304  7028  DownloadManager 403'd DO job {15BD9B72-052C-45DD-ABC3-719819615044}, updateId = 4BD20BA5-3C60-4702-8E4E-3A477D30E21A.1, uses dynamic data
2020/11/19 15:27:40.2089490 3304  7028  DownloadManager DO job {15BD9B72-052C-45DD-ABC3-719819615044} completed successfully, updateId = 4BD20BA5-3C60-4702-8E4E-3A477D30E21A.1
2020/11/19 15:30:02.1000000 3304  5668  Agent           WU client calls back to download call {6217E6E8-5B5C-4FB2-93D1-F4902AEA9F3F} with code Call Aborted and error 0x8024000b
2020/11/19 15:30:02.1000100 1180  1240  ComApi          ClientId = UpdateOrchestrator Exit code = 0x00000000; Call error code = 0x8024000B
");
    assert!(d.faults.is_empty(), "{:#?}", d.faults);
    assert!(d.findings.is_empty(), "{:#?}", d.findings);
    assert_eq!(d.clients[0].downloads_succeeded, 1);
}

#[test]
fn routine_traces_of_a_successful_scan_are_no_faults() {
    // Lines each quoted from a public Windows 10 log in which the scan then succeeds.
    let d = run("\
2023/05/22 08:10:12.8000000 6996  7148  Agent           * START * Finding updates CallerId = MoUpdateOrchestrator  Id = 2 (cV = y+SkuZHTC0G6qatB.1.1.0.2)
2023/05/22 08:10:12.8479970 6996  7148  Agent           *FAILED* [80248014] GetServiceObject couldn't find service '855E8A7C-ECB4-4CA3-B045-1DFA50104289'.
2024-04-11 12:48:06.1268266 6996  7148  Agent           *FAILED* [8024000E] wuauengcore.dll, C:\\__w\\1\\s\\src\\Client\\lib\\EndpointProviders\\EndpointProviders.cpp @1874
2021/07/13 10:23:06.3875222 6996  7148  Agent           *FAILED* [80240013] m_services.Add()
2020-09-20 13:21:12.9746753 16852 17212 ComApi          *FAILED* [80246007] ISusInternal:: IsCommitRequired
2024/05/02 14:54:37.7708211 5764  9676  Handler         *FAILED* [800700B7] Handler process got unexpected result: 0, exiting
2024-04-11 12:48:10.0000000 6996  7148  Agent           * END * Finding updates CallerId = MoUpdateOrchestrator, Id = 2, Exit code = 0x00000000 (cV = y+SkuZHTC0G6qatB.1.1.0.2)
");
    assert!(d.faults.is_empty(), "{:#?}", d.faults);
    assert!(d.findings.is_empty(), "{:#?}", d.findings);
    assert_eq!(d.clients[0].scans_succeeded, 1);
}

// Classic logs (Windows XP to 8.1): a failure and its cascade of follow-on lines are one fault;
// the line that says how the operation ended closes it, and the lines that repeat that outcome
// (Automatic Updates', an API caller's, the reporter's) join it wherever they are.

/// The evidence lines of a fault.
/// A committed real excerpt of the corpus (tests/corpus/, sources in its SOURCES.md).
fn corpus(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

fn texts(d: &Diagnosis, fault: usize) -> Vec<&str> {
    d.faults[fault]
        .client
        .evidence
        .iter()
        .map(|e| e.text.as_ref())
        .collect()
}

#[test]
fn classic_each_failed_upload_and_the_failed_scan_are_one_fault_each() {
    // Windows 7, WSUS, 2018 (rsasbeih/HuffmanCompression, tests/corpus/classic/): the reporter
    // asks for a SimpleAuth cookie, times out and gives up, once a minute; then a scan fails the
    // same way. Each attempt's layers (Send failed .. + Last proxy .. the call's failure) are
    // one fault, closed by its outcome; the next attempt is another.
    let log = corpus("classic/rsasbeih-huffmancompression-1.log");
    let d = run(&log);
    assert_eq!(d.faults.len(), 6, "{:#?}", d.faults);
    let attempts = [
        "10:50:10:464",
        "10:51:10:314",
        "10:52:10:",
        "10:53:10:",
        "10:54:10:",
    ];
    for (i, time) in attempts.iter().enumerate() {
        let c = &d.faults[i].client;
        assert_eq!(c.hresult, "0x80072EE2");
        assert_eq!(c.method.as_deref(), Some("GetAuthorizationCookie"));
        let t = texts(&d, i);
        assert!(
            t[0].contains(time) && t[0].contains("Send failed"),
            "{t:#?}"
        );
        let last = t.last().copied().unwrap_or_default();
        assert!(last.contains("Reporter failed to upload"), "{t:#?}");
    }
    assert_eq!(d.faults[5].client.hresult, "0x80072EE2");
    // Its repeats (AU's callback, the REPORT EVENT, the WER report) joined it: six faults, not
    // more; its evidence is its first lines, down to the exit code.
    let scan = texts(&d, 5);
    assert!(
        scan.iter().any(|l| l.contains("Exit code = 0x80072EE2")),
        "{scan:#?}"
    );
}

#[test]
fn classic_repeats_join_their_failure_across_processes_and_minutes() {
    // The same log: a CompatTelRunner scan fails; the caller's process gets the answer after
    // the next scan has started, and the reporter's event comes 88 seconds later. The cleanup
    // of the scan's temporary service (0x80070002) is routine, and the next scan succeeds.
    let d = run("\
2018-10-30\t09:41:04:718\t 556\t8fc\tAgent\t** START **  Agent: Finding updates [CallerId = <<PROCESS>>: CompatTelRunner.exe]\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tEEHndlr\tFATAL: GetHandlerID failed with error 0x8024800a\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tEEHndlr\tFATAL: Parse failed with 0x8024800a\n\
\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tPT\tWARNING: PopulateDataStore failed: 0x8024800a\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tPT\tWARNING: Sync of Updates: 0x8024800a\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tPT\tWARNING: SyncServerUpdatesInternal failed: 0x8024800a\n\
2018-10-30\t09:41:06:059\t 556\t8fc\tAgent\t  * WARNING: Failed to synchronize, error = 0x8024800A\n\
2018-10-30\t09:41:06:730\t 556\t8fc\tAgent\t  * WARNING: Exit code = 0x8024800A\n\
2018-10-30\t09:41:06:730\t 556\t8fc\tAgent\t**  END  **  Agent: Finding updates [CallerId = <<PROCESS>>: CompatTelRunner.exe]\n\
2018-10-30\t09:41:06:730\t 556\t8fc\tAgent\tWARNING: WU client failed Searching for update with error 0x8024800a\n\
2018-10-30\t09:41:06:730\t 556\t8fc\tAgent\t** START **  Agent: Finding updates [CallerId = <<PROCESS>>: CompatTelRunner.exe]\n\
2018-10-30\t09:41:06:745\t 844\te70\tCOMAPI\t>>--  RESUMED  -- COMAPI: Search [ClientId = ]\n\
2018-10-30\t09:41:06:808\t 844\te70\tCOMAPI\t  - WARNING: Exit code = 0x00000000, Result code = 0x8024800A\n\
2018-10-30\t09:41:06:808\t 844\tb8c\tCOMAPI\tWARNING: Operation failed due to earlier error, hr=8024800A\n\
2018-10-30\t09:41:06:808\t 844\tb8c\tCOMAPI\tFATAL: Unable to complete asynchronous search. (hr=8024800A)\n\
2018-10-30\t09:41:07:057\t 556\t5b8\tAgent\tWARNING: could not delete Software\\Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Services\\20131b13-48fa-4c62-8c49-1ec3442c14d3 service registry key 0x80070002\n\
2018-10-30\t09:41:07:057\t 556\t5b8\tAgent\tWARNING: Failed to delete service from the backup store, error = 0x80070002\n\
2018-10-30\t09:41:07:275\t 556\t8fc\tAgent\t  * Found 0 updates and 9 categories in search; evaluated appl. rules of 10 out of 10 deployed entities\n\
2018-10-30\t09:41:07:275\t 556\t8fc\tAgent\t**  END  **  Agent: Finding updates [CallerId = <<PROCESS>>: CompatTelRunner.exe]\n\
2018-10-30\t09:42:34:109\t 556\t8fc\tReport\tREPORT EVENT: {3C4E9925-7876-45DC-8A8D-DD0131FF19CF}\t2018-10-30 09:41:06:730+0200\t1\t148\t101\t{00000000-0000-0000-0000-000000000000}\t0\t8024800a\t<<PROCESS>>: CompatTelRunner.ex\tFailure\tSoftware Synchronization\tWindows Update Client failed to detect with error 0x8024800a.\n
");
    assert_eq!(d.faults.len(), 1, "{:#?}", d.faults);
    assert_eq!(d.faults[0].client.hresult, "0x8024800A");
    let t = texts(&d, 0);
    for said in [
        "GetHandlerID",
        "Exit code",
        "Result code",
        "asynchronous",
        "REPORT EVENT",
    ] {
        assert!(t.iter().any(|l| l.contains(said)), "{said}: {t:#?}");
    }
    assert_eq!(d.clients[0].scans_succeeded, 1);
}

/// The agent says a search failed before it logs the exit code (a Microsoft Learn page quotes
/// the two lines): one failure, not one per line.
#[test]
fn classic_a_repeat_before_its_exit_code_is_the_same_fault() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pastes");
    for name in [
        "32-wu-80240439-md-dashes.txt",
        "33-wu-80240439-md-list-indent.txt",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let d = wsusdiag_core::diagnose_buffers(&[(name, &bytes[..])], &full()).unwrap();
        let faults: Vec<(u32, &str)> = (d.faults.iter())
            .map(|f| (f.client.evidence.len() as u32, f.client.hresult.as_str()))
            .collect();
        assert_eq!(faults, [(2, "0x80240439")], "{name}");
    }
}
