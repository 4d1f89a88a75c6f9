//! Windows 10 faults are operations' failed outcomes: one real failure is one fault, a
//! recovered condition or a cancellation is none. The lines are quoted from public logs (see
//! `shared/research/win10-log-anatomy.md` in the project's notes: the DCourtel/Wsus_Package_
//! Publisher issue #4 install, the afifafifafifafifali/DoorsOS log, Microsoft's troubleshooting
//! page), and from the corpus under `tests/corpus/`.

use wsusdiag_core::events::Operation;
use wsusdiag_core::{Diagnosis, Input, Options, diagnose};

fn run(log: &str) -> Diagnosis {
    let input = Input::Buffer {
        name: "WindowsUpdate.log".into(),
        bytes: log.as_bytes(),
    };
    diagnose([input], &Options::default()).unwrap()
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
