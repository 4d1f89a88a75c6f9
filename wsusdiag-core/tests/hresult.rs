//! The HRESULT table against its data file, and the lookups against codes seen in real logs.

use std::collections::{BTreeMap, HashSet};

use wsusdiag_core::knowledge::hresult::{
    self, Component, FaultKind, describe, format_code, is_failure, lookup, lookup_name, parse_code,
    soap_client_error, soap_client_error_info, soap_error_code, soap_error_code_info, table,
    wsus_error_code, wsus_error_codes,
};

#[allow(dead_code)]
#[path = "../build/hresult_tsv.rs"]
mod hresult_tsv;

const TSV: &str = include_str!("../data/hresults.tsv");

/// The data rows of the file, split by hand (independently of build.rs): (line, fields).
fn file_rows() -> Vec<(usize, Vec<&'static str>)> {
    TSV.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|(index, line)| (index + 1, line.split('\t').collect()))
        .collect()
}

#[test]
fn compiled_table_agrees_with_the_data_file_row_by_row() {
    let rows = file_rows();
    assert_eq!(rows.len(), table().len());
    for (line, fields) in &rows {
        assert_eq!(fields.len(), 5, "line {line}");
        let code = u32::from_str_radix(fields[0].trim_start_matches("0x"), 16).unwrap();
        assert_eq!(
            fields[0],
            format_code(code),
            "line {line}: code not written as 0x%08X"
        );
        let info = lookup(code).unwrap_or_else(|| panic!("line {line}: {} missing", fields[0]));
        let name = if fields[1] == "-" { "" } else { fields[1] };
        assert_eq!(info.name, name, "line {line}");
        assert_eq!(info.component.as_str(), fields[2], "line {line}");
        let flags: HashSet<&str> = fields[3].split(',').filter(|f| !f.is_empty()).collect();
        assert_eq!(info.benign, flags.contains("benign"), "line {line}");
        assert_eq!(
            info.server_side,
            flags.contains("server-side"),
            "line {line}"
        );
        let http = flags
            .iter()
            .find_map(|f| f.strip_prefix("http="))
            .map(|s| s.parse::<u16>().unwrap());
        assert_eq!(info.http_status, http, "line {line}");
        assert_eq!(info.description, fields[4], "line {line}");
    }
    // The file is kept in code order too, so reading it top to bottom matches the table.
    let file_codes: Vec<&str> = rows.iter().map(|(_, f)| f[0]).collect();
    let table_codes: Vec<String> = table().iter().map(|i| format_code(i.code)).collect();
    assert_eq!(file_codes, table_codes);
}

#[test]
fn no_code_or_name_appears_twice() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for info in table() {
        assert!(codes.insert(info.code), "{} twice", format_code(info.code));
        if let Some(name) = info.symbol() {
            assert!(names.insert(name), "{name} twice");
        }
    }
}

#[test]
fn all_477_wuerror_codes_are_present() {
    let wu: Vec<_> = table()
        .iter()
        .filter(|i| i.name.starts_with("WU_E_") || i.name.starts_with("WU_S_"))
        .collect();
    assert_eq!(wu.len(), 477);
    assert_eq!(
        wu.iter().filter(|i| i.name.starts_with("WU_E_")).count(),
        458
    );
    assert_eq!(
        wu.iter().filter(|i| i.name.starts_with("WU_S_")).count(),
        19
    );
    // Facility 36 holds exactly the WU symbols, errors with the severity bit and successes without.
    for info in table() {
        let wu_facility = matches!(info.code >> 16, 0x8024 | 0x0024);
        assert_eq!(wu_facility, info.name.starts_with("WU_"), "{}", info.name);
        if wu_facility {
            assert_eq!(
                info.code >> 16 == 0x0024,
                info.name.starts_with("WU_S_"),
                "{}",
                info.name
            );
        }
    }
    // Per-range counts as listed in wuerror.h (SDK 10.0.26100).
    let mut per_range: BTreeMap<u32, usize> = BTreeMap::new();
    for info in &wu {
        let key = if info.code >> 16 == 0x0024 {
            0x10
        } else {
            (info.code >> 12) & 0xF
        };
        *per_range.entry(key).or_default() += 1;
    }
    let expected = [
        (0x0, 122), // 100 general + 22 raised through Windows Web Services
        (0x1, 6),
        (0x2, 40),
        (0x3, 7),
        (0x4, 56),
        (0x5, 36),
        (0x6, 30),
        (0x7, 44),
        (0x8, 42),
        (0x9, 5),
        (0xA, 9),
        (0xB, 15),
        (0xC, 9),
        (0xD, 23),
        (0xE, 8),
        (0xF, 6),
        (0x10, 19),
    ];
    assert_eq!(per_range, BTreeMap::from(expected));
    // The removed stub WU_E_NOTSUPPORTED shares 0x80240047 with WU_E_REVERT_NOT_ALLOWED.
    assert_eq!(lookup(0x8024_0047).unwrap().name, "WU_E_REVERT_NOT_ALLOWED");
    assert!(lookup_name("WU_E_NOTSUPPORTED").is_none());
}

#[test]
fn every_component_is_used_and_every_row_is_documented() {
    let used: HashSet<Component> = table().iter().map(|i| i.component).collect();
    for component in Component::ALL {
        assert!(used.contains(&component), "{component} has no row");
    }
    for info in table() {
        assert!(
            info.description.len() >= 15,
            "{}: description too thin",
            info.name
        );
        assert!(!(info.benign && info.server_side), "{}", info.name);
    }
    // build.rs and the enum agree on the vocabulary.
    let build_names: Vec<&str> = hresult_tsv::COMPONENTS
        .iter()
        .map(|(kebab, _)| *kebab)
        .collect();
    let enum_names: Vec<&str> = Component::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(build_names, enum_names);
}

#[test]
fn codes_from_real_logs() {
    let soap_server = lookup(0x8024_400E).unwrap();
    assert_eq!(soap_server.name, "WU_E_PT_SOAP_SERVER");
    assert_eq!(soap_server.component, Component::ProtocolTalker);
    assert!(soap_server.server_side && !soap_server.benign);
    assert!(soap_server.description.contains("SoftwareDistribution.log"));

    let trips = lookup(0x8024_4010).unwrap();
    assert_eq!(trips.name, "WU_E_PT_EXCEEDED_MAX_SERVER_TRIPS");
    assert!(!trips.server_side);

    let timeout = lookup(0x8024_401C).unwrap();
    assert_eq!(timeout.name, "WU_E_PT_HTTP_STATUS_REQUEST_TIMEOUT");
    assert_eq!(timeout.http_status, Some(408));
    assert!(timeout.server_side);

    let winhttp_timeout = lookup(0x8007_2EE2).unwrap();
    assert_eq!(winhttp_timeout.name, "ERROR_WINHTTP_TIMEOUT");
    assert_eq!(winhttp_timeout.component, Component::WinHttp);
    assert!(winhttp_timeout.server_side);

    let root = lookup(0x800B_0109).unwrap();
    assert_eq!(root.name, "CERT_E_UNTRUSTEDROOT");
    assert_eq!(root.component, Component::Certificate);

    let fault = lookup(0x8024_4007).unwrap();
    assert_eq!(fault.name, "WU_E_PT_SOAPCLIENT_SOAPFAULT");
    assert!(fault.server_side);

    let noop = lookup(0x8024_000C).unwrap();
    assert_eq!(noop.name, "WU_E_NOOP");
    assert!(noop.benign);
    assert!(!is_failure(0x8024_000C));

    let stop = lookup(0x0024_0001).unwrap();
    assert_eq!(stop.name, "WU_S_SERVICE_STOP");
    assert_eq!(stop.component, Component::Success);
    assert!(stop.benign);
    assert!(!is_failure(0x0024_0001));

    assert_eq!(
        lookup_name("wu_e_pt_soap_server").map(|i| i.code),
        Some(0x8024_400E)
    );
    assert_eq!(
        lookup(0x8024_4014),
        None,
        "0x80244014 is not defined in wuerror.h"
    );
}

#[test]
fn server_side_marks_server_failures_not_client_network_problems() {
    for code in [
        0x8024_400E,
        0x8024_400D,
        0x8024_4007,
        0x8024_4008,
        0x8024_401C,
        0x8024_401F,
        0x8024_4022,
        0x8024_4023,
        0x8007_2EE2,
        0x803D_0013,
        0x8024_F004,
    ] {
        assert!(lookup(code).unwrap().server_side, "{}", format_code(code));
    }
    for code in [
        0x8024_402C,
        0x8024_401B,
        0x8024_4021,
        0x8007_2EFD,
        0x8007_2F8F,
        0x8024_4010,
        0x8024_0438,
        0x8024_4017,
    ] {
        assert!(!lookup(code).unwrap().server_side, "{}", format_code(code));
    }
}

#[test]
fn http_codes_carry_their_status() {
    // wuerror.h's HTTP block; the SDK message texts of 501 and 504 wrongly say 500 and 503.
    let wu = [
        (400, 0x8024_4016),
        (401, 0x8024_4017),
        (403, 0x8024_4018),
        (404, 0x8024_4019),
        (405, 0x8024_401A),
        (407, 0x8024_401B),
        (408, 0x8024_401C),
        (409, 0x8024_401D),
        (410, 0x8024_401E),
        (500, 0x8024_401F),
        (501, 0x8024_4020),
        (502, 0x8024_4021),
        (503, 0x8024_4022),
        (504, 0x8024_4023),
        (505, 0x8024_4024),
    ];
    for (status, code) in wu {
        let info = lookup(code).unwrap();
        assert_eq!(info.http_status, Some(status), "{}", info.name);
        assert!(
            info.description.starts_with(&format!("HTTP {status} ")),
            "{}",
            info.name
        );
        // The BITS download path reports the same status as 0x80190000 + status.
        let bits = lookup(0x8019_0000 + u32::from(status)).unwrap();
        assert_eq!(bits.http_status, Some(status));
        assert_eq!(bits.name, format!("BG_E_HTTP_ERROR_{status}"));
        assert_eq!(
            bits.server_side, info.server_side,
            "{} vs {}",
            bits.name, info.name
        );
    }
    let with_http = table().iter().filter(|i| i.http_status.is_some()).count();
    let bits_http = table().iter().filter(|i| i.code >> 16 == 0x8019).count();
    assert_eq!(with_http, wu.len() + bits_http);
    assert_eq!(
        lookup(0x8024_402B).unwrap().http_status,
        None,
        "NOT_MAPPED has no single status"
    );
}

#[test]
fn win32_rows_name_their_win32_number() {
    for info in table().iter().filter(|i| i.code >> 16 == 0x8007) {
        let win32 = info.code & 0xFFFF;
        if info.symbol().is_some() {
            assert!(
                info.description.contains(&format!("Win32 error {win32}")),
                "{} should mention Win32 error {win32}",
                info.name
            );
        }
        let is_internet = (12000..=12999).contains(&win32);
        assert_eq!(
            info.component == Component::WinHttp,
            is_internet,
            "{}",
            info.name
        );
        assert_eq!(describe(info.code).win32_error, u16::try_from(win32).ok());
    }
}

#[test]
fn parse_code_reads_every_form_the_logs_use() {
    const SOAP_SERVER: u32 = 0x8024_400E;
    for text in [
        "0x8024400E",
        "0X8024400e",
        "0x8024400e",
        "8024400E",
        "8024400e",
        "-2145107954",
        "2149859342",
        "  0x8024400E\t",
        "[8024400E]",
        "[ 8024400E ]",
        " [0x8024400E] ",
    ] {
        assert_eq!(parse_code(text), Some(SOAP_SERVER), "{text:?}");
    }
    // Eight decimal digits are still hex: that is how WindowsUpdate.log writes codes.
    assert_eq!(parse_code("80070005"), Some(0x8007_0005));
    assert_eq!(parse_code("[80072EE2]"), Some(0x8007_2EE2));
    assert_eq!(parse_code("00240001"), Some(0x0024_0001));
    // Short hex and short decimal.
    assert_eq!(parse_code("0x000190"), Some(400));
    assert_eq!(parse_code("0x0"), Some(0));
    assert_eq!(parse_code("2EE2"), Some(0x2EE2));
    assert_eq!(parse_code("12002"), Some(12002));
    assert_eq!(parse_code("0"), Some(0));
    // Signed decimal covers the whole i32 range, and only it.
    assert_eq!(parse_code("-2147467259"), Some(0x8000_4005));
    assert_eq!(parse_code("-2147483648"), Some(0x8000_0000));
    assert_eq!(parse_code("-1"), Some(0xFFFF_FFFF));
    assert_eq!(parse_code("-2147483649"), None);
    assert_eq!(parse_code("4294967295"), Some(u32::MAX));
    assert_eq!(parse_code("4294967296"), None);
    for bad in [
        "",
        "  ",
        "0x",
        "0x1FFFFFFFF",
        "-",
        "--5",
        "-0x5",
        "+5",
        "0x+5",
        "8024400G",
        "hr=0x8024400E",
        "[8024400E",
        "8024400E]",
        "[]",
        "0x 8024400E",
        "1.5",
        "80244 00E",
    ] {
        assert_eq!(parse_code(bad), None, "{bad:?}");
    }
}

#[test]
fn format_code_is_upper_case_and_zero_padded() {
    assert_eq!(format_code(0x8024_400E), "0x8024400E");
    assert_eq!(format_code(0x0024_0001), "0x00240001");
    assert_eq!(format_code(0), "0x00000000");
    for info in table() {
        assert_eq!(parse_code(&format_code(info.code)), Some(info.code));
        assert_eq!(parse_code(&format_code(info.code)[2..]), Some(info.code));
    }
}

#[test]
fn describe_listed_codes() {
    let d = describe(0x8024_400E);
    assert!(d.listed);
    assert_eq!(d.code, "0x8024400E");
    assert_eq!(d.name, Some("WU_E_PT_SOAP_SERVER"));
    assert_eq!(d.component, Some(Component::ProtocolTalker));
    assert_eq!(d.facility, 36);
    assert!(d.failure && d.server_side && !d.benign);
    assert!(
        d.to_string()
            .starts_with("0x8024400E WU_E_PT_SOAP_SERVER [protocol-talker]: ")
    );

    let d = describe(0x8007_0005);
    assert_eq!(d.name, Some("E_ACCESSDENIED"));
    assert_eq!(d.win32_error, Some(5));
    assert_eq!(d.facility, 7);

    // A row without a verified symbol still has its meaning.
    let d = describe(0xC180_0118);
    assert!(d.listed);
    assert_eq!(d.name, None);
    assert_eq!(d.component, Some(Component::Upgrade));
}

#[test]
fn describe_unlisted_codes_in_known_ranges() {
    let d = describe(0x8024_4FFE);
    assert!(!d.listed);
    assert_eq!(d.name, None);
    assert_eq!(d.component, Some(Component::ProtocolTalker));
    assert_eq!(d.component_label, Some(Component::ProtocolTalker.label()));
    assert!(d.failure && !d.server_side);

    // WinHTTP / WinINet: Win32 12000-12999.
    let d = describe(0x8007_2F99);
    assert!(!d.listed);
    assert_eq!(d.component, Some(Component::WinHttp));
    assert_eq!(d.win32_error, Some(12185));
    // The rest of 0x80072xxx is ordinary Win32 (directory service errors, for example).
    let d = describe(0x8007_203A);
    assert_eq!(d.component, Some(Component::Win32));
    assert_eq!(d.win32_error, Some(8250));

    // BITS HTTP: the status is the low 16 bits.
    let d = describe(0x8019_01AD);
    assert!(!d.listed);
    assert_eq!(d.component, Some(Component::Bits));
    assert_eq!(d.http_status, Some(429));
    assert_eq!(describe(0x8019_0000).http_status, None);
    assert_eq!(describe(0x8020_0001).component, Some(Component::Bits));
    assert_eq!(describe(0x8020_0001).http_status, None);

    assert_eq!(
        describe(0x803D_0001).component,
        Some(Component::WebServices)
    );
    assert_eq!(
        describe(0x800B_0111).component,
        Some(Component::Certificate)
    );
    assert_eq!(
        describe(0x8009_0302).component,
        Some(Component::Certificate)
    );
    assert_eq!(describe(0x8000_4001).component, Some(Component::Com));
    assert_eq!(describe(0x800F_0823).component, Some(Component::Servicing));
    assert_eq!(
        describe(0x80D0_5001).component,
        Some(Component::DeliveryOptimization)
    );
    for (code, component) in [
        (0x8024_1FFE, Component::WindowsInstaller),
        (0x8024_2FFE, Component::Handler),
        (0x8024_6FFE, Component::DownloadManager),
        (0x8024_8FFE, Component::Datastore),
        (0x8024_DFFE, Component::Setup),
        (0x8024_FFFE, Component::Reporter),
    ] {
        assert_eq!(
            describe(code).component,
            Some(component),
            "{}",
            format_code(code)
        );
    }

    // Outside every known range.
    let d = describe(0x8765_4321);
    assert_eq!(d.component, None);
    assert!(d.failure);
    assert!(!describe(0).failure);
    assert_eq!(describe(1).component, None);
}

#[test]
fn is_failure_follows_severity_and_benign_flag() {
    assert!(is_failure(0x8024_400E));
    assert!(is_failure(0x8000_4005));
    assert!(is_failure(0x8024_FFFE), "unlisted errors are failures");
    assert!(!is_failure(0));
    assert!(!is_failure(0x0024_0005));
    assert!(
        !is_failure(0x8024_001E),
        "interrupted by shutdown is not a failure"
    );
    for info in table() {
        assert_eq!(is_failure(info.code), !info.benign, "{}", info.name);
        if info.name.starts_with("WU_S_") {
            assert!(info.benign, "{}", info.name);
        }
    }
}

#[test]
fn soap_client_errors_and_fault_kinds() {
    let seven = soap_client_error_info(7).unwrap();
    assert_eq!(seven.name, "SOAPCLIENT_SOAPFAULT");
    assert_eq!(seven.hresult, Some(0x8024_4007));
    assert!(soap_client_error(7).unwrap().contains("SOAP fault"));

    let ten = soap_client_error_info(10).unwrap();
    assert_eq!(ten.name, "SOAPCLIENT_PARSE_ERROR");
    assert_eq!(ten.hresult, Some(0x8024_400A));
    assert!(soap_client_error(10).unwrap().contains("HTTP status"));

    assert_eq!(soap_error_code_info(400).unwrap().name, "SOAP_E_SERVER");
    assert_eq!(
        soap_error_code_info(300).unwrap().hresult,
        Some(0x8024_400D)
    );
    assert!(soap_error_code(400).unwrap().starts_with("Server fault"));
    assert!(soap_error_code(300).unwrap().starts_with("Client fault"));
    // `SOAP Fault: 0x000190` is the soap error code in hex.
    assert_eq!(
        soap_error_code_info(parse_code("0x000190").unwrap())
            .unwrap()
            .value,
        400
    );
    assert_eq!(soap_client_error(42), None);
    assert_eq!(soap_error_code(42), None);
}

#[test]
fn wsus_fault_error_codes() {
    let ise = wsus_error_code("InternalServerError").unwrap();
    assert_eq!(ise.number, Some(5));
    assert_eq!(ise.kind, FaultKind::ServerFault);
    assert!(ise.client_protocol && ise.server_protocol);
    assert_eq!(wsus_error_code("InternalServerError(5)"), Some(ise));
    assert_eq!(wsus_error_code(" internalservererror(5) "), Some(ise));
    // The number is opaque: a different one still names the same fault.
    assert_eq!(wsus_error_code("InternalServerError(7)"), Some(ise));

    let cookie = wsus_error_code("InvalidCookie").unwrap();
    assert_eq!(cookie.kind, FaultKind::ClientFault);
    assert_eq!(cookie.number, None);
    assert_eq!(
        wsus_error_code("ConfigChanged").unwrap().kind,
        FaultKind::ClientFault
    );
    assert_eq!(
        wsus_error_code("ServerBusy").unwrap().kind,
        FaultKind::ServerFault
    );
    assert_eq!(
        wsus_error_code("FileLocationsChanged").map(|c| c.name),
        Some("FileLocationChanged")
    );

    let client: Vec<&str> = wsus_error_codes()
        .iter()
        .filter(|c| c.client_protocol)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        client,
        [
            "InvalidCookie",
            "ConfigChanged",
            "RegistrationRequired",
            "ServerChanged",
            "InternalServerError",
            "CookieExpired",
            "InvalidParameters",
            "InvalidAuthorizationCookie",
            "RegistrationNotRequired",
            "ServerBusy",
            "FileLocationChanged",
        ]
    );
    let server: HashSet<&str> = wsus_error_codes()
        .iter()
        .filter(|c| c.server_protocol)
        .map(|c| c.name)
        .collect();
    assert_eq!(
        server,
        HashSet::from([
            "InvalidParameters",
            "InvalidCookie",
            "InternalServerError",
            "IncompatibleProtocolVersion",
            "InvalidAuthorizationCookie",
            "FileDigestsMissing",
            "ServerChanged",
            "ServerBusy",
        ])
    );
    assert!(wsus_error_code("Nonsense").is_none());
    assert!(wsus_error_code("InternalServerError(five)").is_none());
}

#[test]
fn json_shapes() {
    let info = serde_json::to_value(lookup(0x8024_401C).unwrap()).unwrap();
    assert_eq!(info["code"], "0x8024401C");
    assert_eq!(info["name"], "WU_E_PT_HTTP_STATUS_REQUEST_TIMEOUT");
    assert_eq!(info["component"], "protocol-talker");
    assert_eq!(info["http_status"], 408);
    assert_eq!(info["server_side"], true);

    let unnamed = serde_json::to_value(lookup(0xC180_0118).unwrap()).unwrap();
    assert!(unnamed["name"].is_null());

    let d = serde_json::to_value(describe(0x8007_2F99)).unwrap();
    assert_eq!(d["code"], "0x80072F99");
    assert_eq!(d["component"], "winhttp");
    assert_eq!(d["win32_error"], 12185);
    assert_eq!(d["listed"], false);

    let fault = serde_json::to_value(wsus_error_code("ServerBusy").unwrap()).unwrap();
    assert_eq!(fault["kind"], "server-fault");
    assert!(fault["number"].is_null());
    assert_eq!(hresult::Component::WebServices.to_string(), "web-services");
}

#[test]
fn build_script_rejects_bad_rows_with_file_and_line() {
    let good = "0x8024400E\tWU_E_PT_SOAP_SERVER\tprotocol-talker\tserver-side\tServer fault.\n";
    let rows = hresult_tsv::parse(good, "t.tsv").unwrap();
    assert_eq!(rows[0].code, 0x8024_400E);
    assert!(rows[0].server_side);

    let cases = [
        (
            "# header\n0x8024400E\tA\tagent\t\tOne.\n0x8024400E\tB\tagent\t\tTwo.\n",
            "t.tsv:3: duplicate code 0x8024400E (first at line 2)",
        ),
        (
            "0x80244001\tSAME\tagent\t\tOne.\n\n0x80244002\tSAME\tagent\t\tTwo.\n",
            "t.tsv:3: duplicate name SAME (first at line 1)",
        ),
        (
            "0x8024400e\tA\tagent\t\tLower case hex.\n",
            "t.tsv:1: bad code",
        ),
        (
            "0x824400E\tA\tagent\t\tSeven digits.\n",
            "t.tsv:1: bad code",
        ),
        (
            "0x8024400E\tA\tagent\tOnly four fields.\n",
            "t.tsv:1: expected 5 tab-separated fields",
        ),
        (
            "0x8024400E\tA\tagents\t\tBad component.\n",
            "t.tsv:1: unknown component",
        ),
        (
            "0x8024400E\tA\tagent\thttp=999\tBad status.\n",
            "t.tsv:1: bad HTTP status",
        ),
        (
            "0x8024400E\tA\tagent\tbenign,benign\tTwice.\n",
            "t.tsv:1: flag \"benign\" given twice",
        ),
        (
            "0x8024400E\tA\tagent\tbenign,server-side\tBoth.\n",
            "t.tsv:1: a code cannot be both",
        ),
        (
            "0x8024400E\tA\tagent\tloud\tUnknown flag.\n",
            "t.tsv:1: unknown flag",
        ),
        (
            "0x8024400E\tbad name\tagent\t\tName.\n",
            "t.tsv:1: bad name",
        ),
        (
            "0x8024400E\tA\tagent\t\t\n",
            "t.tsv:1: description is empty",
        ),
        (
            "0x8024400E\tA\tagent\t\tNo full stop\n",
            "t.tsv:1: description should end",
        ),
        ("# only comments\n", "t.tsv: no rows"),
    ];
    for (text, expected) in cases {
        let errors = hresult_tsv::parse(text, "t.tsv").unwrap_err();
        assert!(
            errors.iter().any(|e| e.starts_with(expected)),
            "{text:?}: got {errors:?}"
        );
    }
    // Rows come out sorted whatever the file order, and '-' means no symbol.
    let rows = hresult_tsv::parse(
        "0x80244002\t-\tagent\t\tB.\n0x80244001\tA\tagent\thttp=404\tA.\n",
        "t.tsv",
    )
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.code).collect::<Vec<_>>(),
        [0x8024_4001, 0x8024_4002]
    );
    assert_eq!(rows[1].name, "");
    let rendered = hresult_tsv::render(&rows, "t.tsv");
    assert!(rendered.contains("static TABLE: [HresultInfo; 2]"));
    assert!(rendered.contains("http_status: Some(404)"));
}
