//! The fault model end to end: fault-ID joins, clock offsets, time-window joins, logs that do
//! not belong together, a missing side, and a WSUS hierarchy.

use wsusdiag_core::diagnosis::{Confidence, Correlation, LogKind, OffsetBasis, ServerScope};
use wsusdiag_core::{Diagnosis, Options, diagnose, diagnose_buffers, sample};

fn run(inputs: &[(&str, &str)]) -> Diagnosis {
    let buffers: Vec<(&str, &[u8])> = inputs.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    diagnose_buffers(&buffers, &Options::default()).expect("diagnosis")
}

/// A classic client line.
fn c(date: &str, time: &str, comp: &str, msg: &str) -> String {
    format!("{date}\t{time}\t1044\t5f0\t{comp}\t{msg}\n")
}

fn banner(date: &str, tz: &str) -> String {
    c(
        date,
        "07:00:00:000",
        "Misc",
        &format!("===========  Logging initialized (build: 7.6.7600.320, tz: {tz})  ==========="),
    )
}

/// A server line.
fn s(date: &str, time: &str, level: &str, thread: &str, source: &str, msg: &str) -> String {
    format!("{date} {time} UTC\t{level}\t{thread}\t{source}\t{msg}\n")
}

/// A client log in UTC whose sync with `http://wsus01:8530` failed at 18:00:04 with `failure`
/// (the code and what follows it).
fn wsus01_client(failure: &str) -> String {
    banner("2023-02-07", "+0000")
        + &c(
            "2023-02-07",
            "18:00:04:000",
            "PT",
            "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wsus01:8530/ClientWebService/client.asmx",
        )
        + &c(
            "2023-02-07",
            "18:00:04:000",
            "PT",
            &format!("WARNING: SyncUpdates failure, error = {failure}"),
        )
}

const SQL_TIMEOUT: &str = "DBLAYER: Errors[0]: Source .Net SqlClient Data Provider, Server WSUS01\\MICROSOFT##WID, Number -2, Class 10, State 0, Procedure ConnectionRead (WrapperRead())., LineNumber 0: Timeout expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.";

/// The SQL layer's line for a query that timed out.
fn sql_timeout(date: &str, time: &str, thread: &str) -> String {
    s(
        date,
        time,
        "Error",
        thread,
        "DBConnection.LogSqlException",
        SQL_TIMEOUT,
    )
}

#[test]
fn sample_joins_by_fault_id_and_finds_the_clock() {
    let d = diagnose(sample::kb954960(), &Options::default()).unwrap();
    assert_eq!(d.faults.len(), 2);
    for f in &d.faults {
        assert_eq!(f.correlation, "fault-id");
        let server = f.server.as_ref().unwrap();
        assert_eq!(server.throw_id, f.client.fault_id);
        let cause = server.cause.as_ref().unwrap();
        assert_eq!(cause.exception, "System.ArgumentException");
        assert_eq!(
            cause.method.as_deref(),
            Some("ClientImplementation.GetSyncInfo")
        );
    }
    // tz -0400 and a clock 42 s fast: server UTC = local + 4 h - 42 s.
    let o = &d.clock_offsets[0];
    assert_eq!(
        (o.offset_seconds, o.basis, o.pairs, o.skew_seconds),
        (Some(14_358), Some(OffsetBasis::FaultId), 2, Some(-42))
    );
    assert!(d.server_faults.is_empty(), "{:#?}", d.server_faults);
    assert_eq!(
        d.clients[0].client_id.as_deref(),
        Some("7f3e1c52-9a4b-4d1e-8b6f-2c5a9e0d3b71")
    );
    assert_eq!((d.clients[0].detections, d.clients[0].failures), (2, 2));
}

#[test]
fn a_log_collected_twice_joins_both_copies_to_the_same_server_entries() {
    // A fleet folder often holds the same log twice (collected on two days, or copied). Both
    // copies' faults carry the same fault IDs, so each server entry is joined to two faults,
    // and each must report it whole.
    let d = diagnose_buffers(
        &[
            ("day1/WindowsUpdate.log", sample::KB954960_CLIENT),
            ("day2/WindowsUpdate.log", sample::KB954960_CLIENT),
            (sample::KB954960_NAMES[1], sample::KB954960_SERVER),
        ],
        &Options::default(),
    )
    .unwrap();
    let once = diagnose(sample::kb954960(), &Options::default()).unwrap();
    assert_eq!(d.faults.len(), 2 * once.faults.len());
    let (day1, day2) = d.faults.split_at(once.faults.len());
    for ((a, b), alone) in day1.iter().zip(day2).zip(&once.faults) {
        assert_eq!(d.input_path(a.client.input), "day1/WindowsUpdate.log");
        assert_eq!(d.input_path(b.client.input), "day2/WindowsUpdate.log");
        assert_eq!(
            (a.correlation, b.correlation),
            (Correlation::FaultId, Correlation::FaultId)
        );
        // The server log is the third input here, the second alone.
        let mut expected = alone.server.clone().expect("joined alone");
        expected.input = 2;
        expected.evidence.iter_mut().for_each(|e| e.input = 2);
        assert_eq!(a.server.as_ref(), Some(&expected));
        assert_eq!(b.server.as_ref(), Some(&expected));
        assert_eq!(a.rule_id, alone.rule_id);
    }
    assert!(d.server_faults.is_empty(), "{:#?}", d.server_faults);
}

#[test]
fn one_exception_behind_two_faults_explains_both() {
    // The sample's server log cut down to its first exception and the fault sent after it,
    // then the second fault sent by the same thread a few seconds later, with no exception of
    // its own: the one before explains both.
    let server = String::from_utf8_lossy(sample::KB954960_SERVER);
    let lines: Vec<&str> = server.lines().collect();
    let mut log: String = lines[5..19].iter().map(|l| format!("{l}\n")).collect();
    assert!(log.contains("System.ArgumentException") && log.contains("c0a7445f"));
    log += &s(
        "2008-07-14",
        "13:12:20.000",
        "Warning",
        "w3wp.12",
        "SoapUtilities.CreateException",
        "ThrowException: actor = http://wsus01/ClientWebService/client.asmx, ID=5b3f1e52-7d0c-4a8e-b2f9-6e1d4c8a0f37, ErrorCode=InternalServerError, Message=, Client=7f3e1c52-9a4b-4d1e-8b6f-2c5a9e0d3b71",
    );
    let client = String::from_utf8_lossy(sample::KB954960_CLIENT);
    let d = run(&[
        ("WindowsUpdate.log", &client),
        ("SoftwareDistribution.log", &log),
    ]);
    assert_eq!(d.faults.len(), 2);
    let sides: Vec<_> = d
        .faults
        .iter()
        .map(|f| f.server.as_ref().expect("joined"))
        .collect();
    for (f, side) in d.faults.iter().zip(&sides) {
        assert_eq!(f.correlation, "fault-id");
        // The exception's line first, then the fault's own.
        assert_eq!(side.lines, format!("1,{}", side.line));
        let cause = side.cause.as_ref().expect("the exception");
        assert_eq!(
            (cause.line, &*cause.exception),
            (1, "System.ArgumentException")
        );
        // The rule reads the exception's text and stack, which each fault carries.
        assert_eq!(f.rule_id.as_deref(), Some("KB954960"));
    }
    assert_eq!((sides[0].line, sides[1].line), (13, 15));
    // Reported with its faults, never on its own.
    assert!(d.server_faults.is_empty(), "{:#?}", d.server_faults);
}

/// Clients in different zones while the server's database times out: one times out itself
/// (0x8024401C) between two of the database's time-outs, one gets HTTP 503 (the application
/// pool turned it away: the server's code never saw it), one fails at its proxy, and a fourth
/// times out beside the only database time-out near it.
fn fleet_by_time() -> Vec<(&'static str, String)> {
    let pacific = banner("2023-02-07", "-0800")
        + &c(
            "2023-02-07",
            "10:00:04:120",
            "PT",
            "+++++++++++  PT: Synchronizing server updates  +++++++++++",
        )
        + &c(
            "2023-02-07",
            "10:00:04:120",
            "PT",
            "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wsus01.contoso.com:8530/ClientWebService/client.asmx",
        )
        + &c(
            "2023-02-07",
            "10:00:05:500",
            "PT",
            "WARNING: SyncUpdates failure, error = 0x8024401C, soap client error = 5, soap error code = 0, HTTP status code = 200",
        )
        + &c(
            "2023-02-07",
            "10:00:05:500",
            "PT",
            "WARNING: PTError: 0x8024401c",
        )
        + &c(
            "2023-02-07",
            "10:00:05:510",
            "Agent",
            "  * WARNING: Exit code = 0x8024401C",
        );
    let berlin = banner("2023-02-07", "+0100")
        + &c(
            "2023-02-07",
            "19:00:09:010",
            "PT",
            "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wsus01:8530/ClientWebService/client.asmx",
        )
        + &c(
            "2023-02-07",
            "19:00:09:880",
            "PT",
            "WARNING: SyncUpdates failure, error = 0x80244022, soap client error = 10, soap error code = 0, HTTP status code = 503",
        );
    let proxied = banner("2023-02-07", "+0000")
        + &c(
            "2023-02-07",
            "18:00:06:000",
            "PT",
            "WARNING: GetConfig failure, error = 0x8024401B, soap client error = 10, soap error code = 0, HTTP status code = 407",
        );
    let sydney = banner("2023-02-08", "+1100")
        + &c(
            "2023-02-08",
            "05:05:01:300",
            "PT",
            "WARNING: SyncUpdates failure, error = 0x8024401C, soap client error = 5, soap error code = 0, HTTP status code = 200",
        );
    let server = s(
        "2023-02-07",
        "17:59:40.100",
        "Info",
        "w3wp.14",
        "ClientImplementation.GetCookie",
        "Issued cookie",
    ) + &sql_timeout("2023-02-07", "18:00:03.250", "w3wp.22")
        + &sql_timeout("2023-02-07", "18:00:08.900", "w3wp.23")
        + &sql_timeout("2023-02-07", "18:05:00.200", "w3wp.24")
        + &s(
            "2023-02-07",
            "18:10:00.000",
            "Warning",
            "w3wp.9",
            "SoapUtilities.CreateException",
            "ThrowException: actor = http://wsus01.contoso.com:8530/ClientWebService/client.asmx, ID=0b6d1f4e-2a8c-4e55-9c61-7f3d2e1a9b08, ErrorCode=InvalidCookie, Message=, Client=x",
        );
    vec![
        ("pacific.log", pacific),
        ("berlin.log", berlin),
        ("proxied.log", proxied),
        ("sydney.log", sydney),
        ("server.log", server),
    ]
}

#[test]
fn one_thread_and_all_cores_give_the_same_diagnosis() {
    // The fleet joined by time, and the sample with its client log given twice (a server entry
    // joined to two faults): every step has a one-thread path and a parallel one.
    let one_thread = Options::default().with_parallel(false);
    let logs = fleet_by_time();
    let mut fleets: Vec<Vec<(&str, &[u8])>> = vec![
        logs.iter().map(|(n, t)| (*n, t.as_bytes())).collect(),
        vec![
            ("day1/WindowsUpdate.log", sample::KB954960_CLIENT),
            ("day2/WindowsUpdate.log", sample::KB954960_CLIENT),
            (sample::KB954960_NAMES[1], sample::KB954960_SERVER),
        ],
    ];
    // The sample's log 200 times over: each server entry joined to 200 faults.
    let many = sample::KB954960_CLIENT.repeat(200);
    fleets.push(vec![
        ("many/WindowsUpdate.log", &many),
        (sample::KB954960_NAMES[1], sample::KB954960_SERVER),
    ]);
    for inputs in &fleets {
        let all = diagnose_buffers(inputs, &Options::default()).unwrap();
        let one = diagnose_buffers(inputs, &one_thread).unwrap();
        assert!(!all.faults.is_empty());
        assert_eq!(one, all);
    }
}

#[test]
fn joins_by_time_only_what_the_server_can_have_logged() {
    let logs = fleet_by_time();
    let refs: Vec<(&str, &str)> = logs.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let d = run(&refs);
    let by = |src: &str| {
        (d.faults.iter())
            .find(|f| d.input_path(f.client.input) == src)
            .unwrap()
    };
    let window = |f: &wsusdiag_core::diagnosis::Fault| {
        f.time_window
            .as_ref()
            .map(|w| (w.seconds, w.basis.as_str(), w.servers.as_str()))
    };
    // Its offset from the banner alone (skew unknown): the widest window, two minutes, which
    // holds both of the database's time-outs. Either may be the cause: said, not guessed.
    let pacific = by("pacific.log");
    assert_eq!(
        (pacific.correlation.as_str(), &*pacific.failure_kind),
        ("ambiguous", "server-time-out")
    );
    assert!(pacific.server.is_none());
    assert_eq!(window(pacific), Some((120, "tz-banner", "matched")));
    let lines: Vec<u32> = pacific.candidates.iter().map(|s| s.line).collect();
    assert_eq!(lines, [2, 3]);
    assert!((pacific.candidates.iter()).all(|&r| {
        let s = d.server_fault(r).expect("a candidate is a server fault");
        s.cause.as_ref().unwrap().sql_number == Some(-2)
    }));
    assert_ne!(pacific.confidence, Some(Confidence::Confirmed));
    assert_eq!(
        pacific.client.time_utc.as_deref(),
        Some("2023-02-07T18:00:05.500Z")
    );
    // HTTP 503: the pool turned the request away; the database errors beside it are other
    // requests'.
    let berlin = by("berlin.log");
    assert_eq!(
        (berlin.correlation.as_str(), &*berlin.failure_kind),
        ("none", "service-unavailable")
    );
    assert!(berlin.server.is_none() && berlin.candidates.is_empty());
    assert_eq!(window(berlin), None);
    let proxied = by("proxied.log");
    assert_eq!(
        (proxied.correlation.as_str(), &*proxied.failure_kind),
        ("none", "auth"),
        "a proxy 407 never reached the server"
    );
    // One database time-out in its window: joined to it.
    let sydney = by("sydney.log");
    assert_eq!(sydney.correlation, "time-window");
    assert_eq!(sydney.server.as_ref().map(|s| s.line), Some(4));
    // Its log names no server URL: the server log is searched, saying so.
    assert_eq!(window(sydney), Some((120, "tz-banner", "host-unknown")));
    assert!(sydney.candidates.is_empty());
    let offsets: Vec<_> = d
        .clock_offsets
        .iter()
        .map(|o| (o.source.as_str(), o.offset_seconds, o.basis))
        .collect();
    assert_eq!(
        offsets,
        [
            ("pacific.log", Some(28_800), Some(OffsetBasis::TzBanner)),
            ("berlin.log", Some(-3_600), Some(OffsetBasis::TzBanner)),
            ("proxied.log", Some(0), Some(OffsetBasis::TzBanner)),
            ("sydney.log", Some(-39_600), Some(OffsetBasis::TzBanner))
        ]
    );
    // Unjoined: the two candidates, and the InvalidCookie fault the server sent.
    let unjoined: Vec<u32> = d.server_faults.iter().map(|s| s.line).collect();
    assert_eq!(unjoined, [2, 3, 5]);
    assert_eq!(
        d.server_faults[2].error_code.as_deref(),
        Some("InvalidCookie")
    );
    // The text report says so.
    let text = d.to_text();
    assert!(text.contains("ambiguous"), "{text}");
}

#[test]
fn logs_that_do_not_belong_together_are_not_joined() {
    let mut logs = fleet_by_time();
    // The same server log, a day later: nothing may be joined.
    let server = logs.len() - 1;
    logs[server].1 = logs[server].1.replace("2023-02-07", "2023-02-08");
    let refs: Vec<(&str, &str)> = logs.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let d = run(&refs);
    assert!(
        d.faults
            .iter()
            .all(|f| f.correlation == "none" && f.server.is_none())
    );
}

#[test]
fn a_client_of_another_server_is_not_joined_by_time() {
    let client = banner("2023-02-07", "+0000")
        + &c(
            "2023-02-07",
            "18:00:03:000",
            "PT",
            "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://wsus07:8530/ClientWebService/client.asmx",
        )
        + &c(
            "2023-02-07",
            "18:00:04:000",
            "PT",
            "WARNING: SyncUpdates failure, error = 0x8024401C, soap client error = 5, soap error code = 0, HTTP status code = 200",
        );
    let logs = fleet_by_time();
    let d = run(&[("other.log", &client), ("server.log", &logs[4].1)]);
    // The server log is wsus01's (its faults' actor, its internal database): not searched.
    assert_eq!(d.faults[0].failure_kind, "server-time-out");
    assert_eq!(d.faults[0].correlation, "none");
    assert_eq!(d.faults[0].time_window, None);
}

#[test]
fn server_logs_that_name_no_host_are_all_searched_and_said_to_be() {
    let client = wsus01_client(
        "0x8024401F, soap client error = 5, soap error code = 0, HTTP status code = 500",
    );
    let error = |time: &str| {
        s(
            "2023-02-07",
            time,
            "Error",
            "w3wp.40",
            "ClientImplementation.SyncUpdates",
            "System.Data.SqlClient.SqlException: Transaction (Process ID 67) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
        )
    };
    let d = run(&[
        ("client.log", &client),
        ("a/SoftwareDistribution.log", &error("18:00:03.100")),
        ("b/SoftwareDistribution.log", &error("18:00:03.900")),
    ]);
    let f = &d.faults[0];
    assert_eq!(f.failure_kind, "http-500");
    assert_eq!(f.correlation, "ambiguous");
    let w = f.time_window.as_ref().unwrap();
    assert_eq!(
        (w.basis, w.servers),
        (OffsetBasis::TzBanner, ServerScope::HostUnknown)
    );
    let sources: Vec<&str> = (f.candidates.iter())
        .map(|s| d.input_path(s.input))
        .collect();
    assert_eq!(
        sources,
        ["a/SoftwareDistribution.log", "b/SoftwareDistribution.log"]
    );
    // Given one of them only, the one entry is joined, still saying the host is unknown.
    let d = run(&[
        ("client.log", &client),
        ("a/SoftwareDistribution.log", &error("18:00:03.100")),
    ]);
    let f = &d.faults[0];
    assert_eq!(f.correlation, "time-window");
    assert_eq!(f.time_window.as_ref().unwrap().servers, "host-unknown");
}

#[test]
fn windows_10_client_without_tz_gets_its_offset_from_fault_ids() {
    let client = "2023/09/14 16:09:29.8316990 5000  5160  Agent           * START * Finding updates CallerId = UpdateOrchestrator  Id = 38\n\
2023/09/14 16:09:31.1200000 5000  5160  WebServices     WS WARNING: Soap fault detail: errorCode='InvalidParameters', message='parameters.InstalledNonLeafUpdateIDs', id='8889e6f6-cc94-4b2b-9d0c-9818649a5dfc', method='\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"'\n\
2023/09/14 16:09:31.1210000 5000  5160  WebServices     *FAILED* [80244007] Web service call\n\
2023/09/14 16:09:31.1220000 5000  5160  ProtocolTalker  *FAILED* [80244007] Method failed [CAgentProtocolTalker::SyncUpdates_WithRecovery:1234]\n\
2023/09/14 16:09:31.2000000 5000  5160  Agent           * END * Finding updates CallerId = UpdateOrchestrator, Id = 38, Exit code = 0x80244007\n\
2023/09/14 16:11:40.0000000 5000  5160  Agent           * START * Finding updates CallerId = UpdateOrchestrator  Id = 39\n\
2023/09/14 16:12:02.4000000 5000  5160  WebServices     *FAILED* [8024401C] Web service call\n\
2023/09/14 16:12:02.5000000 5000  5160  Agent           * END * Finding updates CallerId = UpdateOrchestrator, Id = 39, Exit code = 0x8024401C\n";
    let server = s(
        "2023-09-14",
        "14:09:30.410",
        "Warning",
        "w3wp.31",
        "SoapUtilities.CreateException",
        "ThrowException: actor = http://wsus:8530/ClientWebService/client.asmx, ID=8889E6F6-CC94-4B2B-9D0C-9818649A5DFC, ErrorCode=InvalidParameters, Message=parameters.InstalledNonLeafUpdateIDs, Client=5b1c3a3e-8d3f-4f7e-9b0a-2f1d6c7e8a90",
    ) + &s(
        "2023-09-14",
        "14:12:00.900",
        "Error",
        "w3wp.31",
        "ClientImplementation.SyncUpdates",
        "System.Data.SqlClient.SqlException: Timeout expired.",
    );
    let d = run(&[("server.log", &server), ("win10.log", client)]);
    assert_eq!(d.inputs[1].kind, Some(LogKind::ClientWin10));
    assert_eq!(d.faults.len(), 2);
    let first = &d.faults[0];
    assert_eq!(
        (first.correlation.as_str(), first.client.hresult.as_str()),
        ("fault-id", "0x80244007")
    );
    assert_eq!(
        first.client.error_code.as_deref(),
        Some("InvalidParameters")
    );
    let o = &d.clock_offsets[0];
    assert_eq!(
        (o.offset_seconds, o.basis, o.tz_minutes),
        (Some(-7_201), Some(OffsetBasis::FaultId), None)
    );
    // With the offset known, the later timeout joins the server's SQL error by time.
    assert_eq!(d.faults[1].correlation, "time-window");
    assert_eq!(d.faults[1].server.as_ref().unwrap().line, 2);
}

#[test]
fn a_missing_side_still_reports_every_fault() {
    let d = diagnose([sample::kb954960()[0].clone()], &Options::default()).unwrap();
    assert_eq!(d.faults.len(), 2);
    assert!(d.faults.iter().all(|f| f.correlation == "none"));
    assert_eq!(d.clock_offsets[0].basis, Some(OffsetBasis::TzBanner));
    let d = diagnose([sample::kb954960()[1].clone()], &Options::default()).unwrap();
    assert!(d.faults.is_empty());
    assert_eq!(d.server_faults.len(), 2, "both faults the server sent");
}

#[test]
fn a_hierarchy_keeps_upstream_faults_on_their_server() {
    let [client, downstream] = sample::kb954960();
    let upstream = s(
        "2008-07-14",
        "12:41:09.000",
        "Error",
        "WsusService.25",
        "SoapUtilities.LogException",
        "USS ThrowException: Actor = https://upstream01:8531/ServerSyncWebService/ServerSyncWebService.asmx, Method = \"http://www.microsoft.com/SoftwareDistribution/GetUpdateData\", ID=3c7a0e55-0b8d-4f0e-a2f1-59c6d8e4b713, ErrorCode=InternalServerError, Message=",
    ) + "   at Microsoft.UpdateServices.Internal.SoapUtilities.LogException(SoapException e)\n   at Microsoft.UpdateServices.ServerSync.CatalogSyncAgentCore.ExecuteSyncProtocol(Boolean allowRedirect)\n";
    let d = diagnose(
        [
            client,
            downstream,
            wsusdiag_core::Input::Buffer {
                name: "upstream.log".into(),
                bytes: upstream.as_bytes(),
            },
        ],
        &Options::default(),
    )
    .unwrap();
    assert!(d.faults.iter().all(|f| f.correlation == "fault-id"));
    assert!(d.faults.iter().all(|f| {
        let server = f.server.as_ref().unwrap();
        d.input_path(server.input)
            .ends_with("SoftwareDistribution.log")
    }));
    assert_eq!(d.server_faults.len(), 1);
    assert_eq!(d.input_path(d.server_faults[0].input), "upstream.log");
}

#[test]
fn one_failure_logged_twice_by_one_thread_is_one_event() {
    let client = banner("2023-02-07", "+0000")
        + &c(
            "2023-02-07",
            "18:00:04:000",
            "PT",
            "WARNING: SyncUpdates failure, error = 0x8024401C, soap client error = 5, soap error code = 0, HTTP status code = 200",
        );
    let server = |second_thread: &str| {
        sql_timeout("2023-02-07", "18:00:03.250", "w3wp.22")
            + &s(
                "2023-02-07",
                "18:00:03.270",
                "Error",
                second_thread,
                "ClientImplementation.SyncUpdates",
                "System.Data.SqlClient.SqlException: Timeout expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.",
            )
    };
    // The SQL layer's line, then the exception that ended the same request: one event, joined
    // by its last entry.
    let d = run(&[("client.log", &client), ("server.log", &server("w3wp.22"))]);
    assert_eq!(d.faults[0].correlation, "time-window");
    assert_eq!(d.faults[0].server.as_ref().map(|s| s.line), Some(2));
    // The same on two threads: two requests failed, and either may be this client's.
    let d = run(&[("client.log", &client), ("server.log", &server("w3wp.23"))]);
    assert_eq!(d.faults[0].correlation, "ambiguous");
    assert_eq!(d.faults[0].candidates.len(), 2);
}

#[test]
fn a_server_logging_errors_by_the_thousand_leaves_each_fault_ambiguous_with_its_nearest() {
    // A WSUS in trouble: ten errors a second on forty threads for an hour, while a client's
    // syncs fail with HTTP 500 every ten seconds. Each fault's two-minute window holds some
    // 2,400 of them: the fault names the eight nearest and counts them all.
    let mut client = banner("2023-02-07", "+0000");
    let faults: Vec<i64> = (0..300).map(|k| 600_000 + k * 10_000 + 30).collect();
    // The time `ms` milliseconds after 17:00, its milliseconds after `sep` (`:` in a classic
    // client log, `.` in a server log).
    let clock = |ms: i64, sep: char| {
        format!(
            "{:02}:{:02}:{:02}{sep}{:03}",
            17 + ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    for &ms in &faults {
        client += &c(
            "2023-02-07",
            &clock(ms, ':'),
            "PT",
            "WARNING: SyncUpdates failure, error = 0x8024401F, soap client error = 5, soap error code = 0, HTTP status code = 500",
        );
    }
    // Server entry k (line k + 1) at 17:00:00 + 100 ms * k, UTC like the client.
    let errors = 36_000i64;
    let server: String = (0..errors)
        .map(|k| {
            s(
                "2023-02-07",
                &clock(k * 100, '.'),
                "Error",
                &format!("w3wp.{}", k % 40),
                "ClientImplementation.SyncUpdates",
                "System.Data.SqlClient.SqlException: Transaction (Process ID 67) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.",
            )
        })
        .collect();
    let d = run(&[("client.log", &client), ("server.log", &server)]);
    assert_eq!(d.faults.len(), faults.len());
    for (f, &at) in d.faults.iter().zip(&faults) {
        assert_eq!(f.correlation, "ambiguous");
        // Every entry is its own event: a thread logs every four seconds.
        let fit: Vec<i64> = (0..errors)
            .filter(|k| (k * 100 - at).abs() <= 120_000)
            .collect();
        assert_eq!(f.time_window.as_ref().unwrap().fits as usize, fit.len());
        assert_eq!(f.fits(), fit.len());
        // The eight nearest (30, 70, 130, 170, ... ms away), in time order.
        let mut nearest = fit.clone();
        nearest.sort_by_key(|k| (k * 100 - at).abs());
        nearest.truncate(8);
        nearest.sort_unstable();
        let lines: Vec<u32> = f.candidates.iter().map(|r| r.line).collect();
        let expected: Vec<u32> = nearest.iter().map(|k| *k as u32 + 1).collect();
        assert_eq!(lines, expected);
        // Each is one of the server faults, and found among the 36,000 of them.
        for &r in &f.candidates {
            assert_eq!(d.server_fault(r).map(|s| s.line), Some(r.line));
        }
    }
    // As the diagnosis lists them, by log and line; changed out of order, still found.
    let mut shuffled = d.clone();
    shuffled.server_faults.reverse();
    let r = d.faults[0].candidates[3];
    assert_eq!(shuffled.server_fault(r).map(|s| s.line), Some(r.line));
    // The report says how many could explain it, and which it names (the first fault's).
    let text = d.to_text();
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("2400 server errors could explain the client failure"),
        "{text}"
    );
    assert!(
        words.contains("the 8 nearest in time, server.log lines 5998, 5999, 6000, 6001, 6002, 6003, 6004, 6005."),
        "{text}"
    );
}

#[test]
fn a_server_log_naming_a_host_on_every_line_is_still_searched_by_name() {
    // Faults sent all day, each naming another host in its actor URL (a log gone wrong, or
    // made to look so); one of them names the client's server, in another letter case.
    let client = wsus01_client(
        "0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200",
    );
    let throws = 20_000;
    let server: String = (0..throws)
        .map(|k: u32| {
            let host = if k == 3_604 {
                "WSUS01.contoso.com".to_owned()
            } else {
                format!("host{k}.contoso.com")
            };
            s(
                "2023-02-07",
                &format!("{:02}:{:02}:{:02}.500", 17 + k / 3600, k / 60 % 60, k % 60),
                "Warning",
                &format!("w3wp.{}", k % 40),
                "SoapUtilities.CreateException",
                &format!(
                    "ThrowException: actor = http://{host}/ClientWebService/client.asmx, ID={:08x}-0000-4000-8000-000000000000, ErrorCode=InternalServerError, Message=, Client=?",
                    k
                ),
            )
        })
        .collect();
    let d = run(&[("client.log", &client), ("server.log", &server)]);
    let f = &d.faults[0];
    assert_eq!(f.failure_kind, "soap-fault");
    let w = f.time_window.as_ref().unwrap();
    assert_eq!(w.servers, "matched");
    // Every fault sent within two minutes fits (17:58:04.500 to 18:02:03.500): the log is the
    // client's server's.
    assert_eq!(f.correlation, "ambiguous");
    assert_eq!(w.fits, 240);
    // A log that names only other hosts is not the client's server's: nothing is searched.
    let other = server.replace("WSUS01.contoso.com", "wsus02.contoso.com");
    let d = run(&[("client.log", &client), ("server.log", &other)]);
    let f = &d.faults[0];
    assert_eq!(f.correlation, "none");
    assert!(f.time_window.is_none());
}
