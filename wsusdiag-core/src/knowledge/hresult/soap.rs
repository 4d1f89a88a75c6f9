//! The SOAP side of a Protocol Talker failure.
//!
//! Pre-Windows 10 clients (ATL Server SOAP client) log
//! `SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200`:
//! `soap client error` is atlsoap.h's `SOAPCLIENT_ERROR` (the WU code is `0x80244000 + N`) and
//! `soap error code` its `SOAP_ERROR_CODE` (the fault kind; `SOAP Fault: 0x000190` is the same
//! number in hex). When the HTTP status is not 200, go by the HTTP status and the HRESULT, not by
//! the soap client error.
//!
//! A WSUS fault's detail carries an `ErrorCode` name ([MS-WUSP] §2.2.2.4 for the client web
//! service, [MS-WSUSSS] §2.2.9.3 server-to-server), written `ErrorCode:InternalServerError(5)` in
//! legacy logs. The number in parentheses is opaque: only `InternalServerError(5)` has been seen.

use serde::Serialize;

use FaultKind::{ClientFault, ServerFault};

/// One value of atlsoap.h's `SOAPCLIENT_ERROR` or `SOAP_ERROR_CODE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SoapCode {
    /// The number as logged: `7`, `400`.
    pub value: u32,
    /// The atlsoap.h enumerator: `SOAPCLIENT_SOAPFAULT`, `SOAP_E_SERVER`.
    pub name: &'static str,
    /// The WU HRESULT the agent maps it to, if any: `0x80244007`, `0x8024400E`.
    pub hresult: Option<u32>,
    /// What it means.
    pub meaning: &'static str,
}

const fn code(
    value: u32,
    name: &'static str,
    hresult: Option<u32>,
    meaning: &'static str,
) -> SoapCode {
    SoapCode {
        value,
        name,
        hresult,
        meaning,
    }
}

static SOAP_CLIENT_ERRORS: [SoapCode; 11] = [
    code(
        0,
        "SOAPCLIENT_SUCCESS",
        None,
        "No SOAP-client error; if the call still failed, the HTTP status or HRESULT on the same line says why.",
    ),
    code(
        1,
        "SOAPCLIENT_INITIALIZE_ERROR",
        Some(0x8024_4001),
        "The SOAP client could not initialize, usually because of a broken MSXML installation.",
    ),
    code(
        2,
        "SOAPCLIENT_OUTOFMEMORY",
        Some(0x8024_4002),
        "The SOAP client ran out of memory.",
    ),
    code(
        3,
        "SOAPCLIENT_GENERATE_ERROR",
        Some(0x8024_4003),
        "The SOAP client could not build the request.",
    ),
    code(
        4,
        "SOAPCLIENT_CONNECT_ERROR",
        Some(0x8024_4004),
        "The SOAP client could not connect to the server; check the URL, DNS, firewall and proxy.",
    ),
    code(
        5,
        "SOAPCLIENT_SEND_ERROR",
        Some(0x8024_4005),
        "Sending the request failed; the WinHTTP error nearby gives the cause.",
    ),
    code(
        6,
        "SOAPCLIENT_SERVER_ERROR",
        Some(0x8024_4006),
        "The server returned an error rather than a SOAP answer; go by the HTTP status on the same line.",
    ),
    code(
        7,
        "SOAPCLIENT_SOAPFAULT",
        Some(0x8024_4007),
        "The server returned a SOAP fault. The soap error code says which kind (300 client, 400 server); the fault's ErrorCode and ID say why: look the ID up in the server's SoftwareDistribution.log.",
    ),
    code(
        8,
        "SOAPCLIENT_PARSEFAULT_ERROR",
        Some(0x8024_4008),
        "The server's SOAP fault could not be parsed.",
    ),
    code(
        9,
        "SOAPCLIENT_READ_ERROR",
        Some(0x8024_4009),
        "Reading the server's response failed; the connection broke or the reply was cut short.",
    ),
    code(
        10,
        "SOAPCLIENT_PARSE_ERROR",
        Some(0x8024_400A),
        "The server's response could not be parsed. With an HTTP status other than 200 the body was an error page from IIS or a proxy: go by the HTTP status.",
    ),
];

static SOAP_ERROR_CODES: [SoapCode; 5] = [
    code(
        0,
        "SOAP_E_UNK",
        None,
        "No SOAP fault kind: there was no fault, or its kind is unknown.",
    ),
    code(
        100,
        "SOAP_E_VERSION_MISMATCH",
        Some(0x8024_400B),
        "VersionMismatch fault: the server did not recognize the SOAP envelope namespace.",
    ),
    code(
        200,
        "SOAP_E_MUST_UNDERSTAND",
        Some(0x8024_400C),
        "MustUnderstand fault: a mandatory SOAP header was not understood.",
    ),
    code(
        300,
        "SOAP_E_CLIENT",
        Some(0x8024_400D),
        "Client fault: the server rejected the request itself (for WSUS e.g. InvalidCookie, ConfigChanged, InvalidParameters); read the fault's ErrorCode.",
    ),
    code(
        400,
        "SOAP_E_SERVER",
        Some(0x8024_400E),
        "Server fault: the server failed while handling the request (for WSUS usually InternalServerError); look the fault ID up in the server's SoftwareDistribution.log.",
    ),
];

/// `soap client error = n`: its `SOAPCLIENT_ERROR` entry (0–10).
pub fn soap_client_error_info(n: u32) -> Option<&'static SoapCode> {
    SOAP_CLIENT_ERRORS.iter().find(|c| c.value == n)
}

/// What `soap client error = n` means, e.g. 7 → the server returned a SOAP fault.
pub fn soap_client_error(n: u32) -> Option<&'static str> {
    soap_client_error_info(n).map(|c| c.meaning)
}

/// `soap error code = n`: its `SOAP_ERROR_CODE` entry (0, 100, 200, 300, 400).
pub fn soap_error_code_info(n: u32) -> Option<&'static SoapCode> {
    SOAP_ERROR_CODES.iter().find(|c| c.value == n)
}

/// What `soap error code = n` means: the kind of SOAP fault (300 client, 400 server, …).
pub fn soap_error_code(n: u32) -> Option<&'static str> {
    soap_error_code_info(n).map(|c| c.meaning)
}

/// Which side a WSUS fault `ErrorCode` blames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FaultKind {
    /// The request or the caller's state must change (renew cookies, register, fix a
    /// parameter); sent as a SOAP `Client` fault (legacy WUA: `0x8024400D`).
    ClientFault,
    /// The answering server failed or is overloaded; the request was fine and can be retried
    /// later; sent as a SOAP `Server` fault (legacy WUA: `0x8024400E`).
    ServerFault,
}

/// A WSUS SOAP fault `ErrorCode` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WsusErrorCode {
    /// The name exactly as the protocol spells it: `InternalServerError`.
    pub name: &'static str,
    /// The number legacy logs print after the name, where one has been seen: `5` for
    /// `InternalServerError(5)`. Treat numbers as opaque.
    pub number: Option<u32>,
    /// Client fault or server fault.
    pub kind: FaultKind,
    /// Listed by [MS-WUSP], the client web service (ClientWebService, SimpleAuthWebService).
    pub client_protocol: bool,
    /// Listed by [MS-WSUSSS], downstream WSUS to upstream WSUS or Microsoft Update.
    pub server_protocol: bool,
    /// What it means and what happens next.
    pub description: &'static str,
}

const fn wsus(
    name: &'static str,
    number: Option<u32>,
    kind: FaultKind,
    client_protocol: bool,
    server_protocol: bool,
    description: &'static str,
) -> WsusErrorCode {
    WsusErrorCode {
        name,
        number,
        kind,
        client_protocol,
        server_protocol,
        description,
    }
}

// [MS-WUSP] order first (the order legacy numbers seem to follow), then the WSUSSS-only names.
// Only InvalidCookie and ConfigChanged (soap:Client) and InternalServerError (Server) have been
// seen on the wire; the other kinds follow from the recovery the specifications prescribe.
static WSUS_ERROR_CODES: [WsusErrorCode; 13] = [
    wsus(
        "InvalidCookie",
        None,
        ClientFault,
        true,
        true,
        "The server could not decrypt or read the caller's cookie. The caller drops it and starts the handshake over (GetConfig, GetAuthorizationCookie, GetCookie, then RefreshCache). Normal once after a WSUS rebuild or database restore; a loop needs a client reset.",
    ),
    wsus(
        "ConfigChanged",
        None,
        ClientFault,
        true,
        false,
        "The server configuration changed since the client last read it; the client fetches the configuration and its cookies again. Self-healing.",
    ),
    wsus(
        "RegistrationRequired",
        None,
        ClientFault,
        true,
        false,
        "The server does not know this computer; the client registers (RegisterComputer) and repeats the call.",
    ),
    wsus(
        "ServerChanged",
        None,
        ClientFault,
        true,
        true,
        "The server's identity or state changed (reinstall, database restore, another server behind the name). The caller discards its cached state and starts over; a downstream server resets its sync anchors.",
    ),
    wsus(
        "InternalServerError",
        Some(5),
        ServerFault,
        true,
        true,
        "The server failed while processing the call. Find the fault ID in SoftwareDistribution.log (ThrowException) and the exception logged just before it. Clients retry later; a downstream server stops the sync.",
    ),
    wsus(
        "CookieExpired",
        None,
        ClientFault,
        true,
        false,
        "The cookie could be read but has expired; the client fetches new cookies. Self-healing; if it keeps happening, compare the client and server clocks.",
    ),
    wsus(
        "InvalidParameters",
        None,
        ClientFault,
        true,
        true,
        "The server rejected a parameter of the call; the fault's Message names it (e.g. parameters.InstalledNonLeafUpdateIDs). A downstream server stops without retrying.",
    ),
    wsus(
        "InvalidAuthorizationCookie",
        None,
        ClientFault,
        true,
        true,
        "The authorization cookie passed to GetCookie is not valid; the caller must authorize again from the start.",
    ),
    wsus(
        "RegistrationNotRequired",
        None,
        ClientFault,
        true,
        false,
        "The client called RegisterComputer although the server's configuration says registration is not needed.",
    ),
    wsus(
        "ServerBusy",
        None,
        ServerFault,
        true,
        true,
        "The server is too busy to handle the call; the caller backs off and retries later. Check WSUS load (WsusPool, SUSDB).",
    ),
    wsus(
        "FileLocationChanged",
        None,
        ClientFault,
        true,
        false,
        "Download locations changed; the client asks for the file locations again (GetFileLocations). Also spelled FileLocationsChanged.",
    ),
    wsus(
        "IncompatibleProtocolVersion",
        None,
        ClientFault,
        false,
        true,
        "The downstream server speaks a protocol version the upstream server does not accept, so the sync stops; bring both servers to compatible WSUS versions.",
    ),
    wsus(
        "FileDigestsMissing",
        None,
        ClientFault,
        false,
        true,
        "The upstream server has no record of some requested file digests, perhaps because the updates behind them were deleted there; that content cannot be fetched from it.",
    ),
];

/// Every WSUS fault `ErrorCode` known to wsusdiag.
pub fn wsus_error_codes() -> &'static [WsusErrorCode] {
    &WSUS_ERROR_CODES
}

/// The WSUS fault `ErrorCode` named by `text`, compared ASCII case-insensitively. Accepts the
/// bare name (`InternalServerError`) and the legacy log form with a number
/// (`InternalServerError(5)`); the number is not checked. `FileLocationsChanged` is read as
/// `FileLocationChanged`.
pub fn wsus_error_code(text: &str) -> Option<&'static WsusErrorCode> {
    let mut name = text.trim();
    if let Some(open) = name.find('(') {
        let number = name[open + 1..].strip_suffix(')')?;
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        name = name[..open].trim_end();
    }
    if name.eq_ignore_ascii_case("FileLocationsChanged") {
        name = "FileLocationChanged";
    }
    WSUS_ERROR_CODES
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::super::lookup;
    use super::*;

    #[test]
    fn soap_client_errors_map_onto_the_protocol_talker_block() {
        for n in 1..=10 {
            let info = soap_client_error_info(n).unwrap();
            assert_eq!(info.hresult, Some(0x8024_4000 + n));
            let row = lookup(0x8024_4000 + n).unwrap();
            assert!(row.name.starts_with("WU_E_PT_SOAPCLIENT_"), "{}", row.name);
            // The WU symbol is the SOAPCLIENT_ERROR name without its _ERROR suffix.
            let stem = info
                .name
                .trim_start_matches("SOAPCLIENT_")
                .trim_end_matches("_ERROR");
            assert_eq!(row.name, format!("WU_E_PT_SOAPCLIENT_{stem}"));
        }
        assert_eq!(soap_client_error_info(0).unwrap().hresult, None);
        assert_eq!(soap_client_error(11), None);
    }

    #[test]
    fn soap_error_codes_map_onto_the_fault_codes() {
        let expected = [
            (100, "WU_E_PT_SOAP_VERSION"),
            (200, "WU_E_PT_SOAP_MUST_UNDERSTAND"),
            (300, "WU_E_PT_SOAP_CLIENT"),
            (400, "WU_E_PT_SOAP_SERVER"),
        ];
        for (n, symbol) in expected {
            let code = soap_error_code_info(n).unwrap().hresult.unwrap();
            assert_eq!(lookup(code).unwrap().name, symbol);
        }
        assert_eq!(soap_error_code_info(0).unwrap().name, "SOAP_E_UNK");
        assert!(soap_error_code(0x190).is_some(), "0x190 is 400");
        assert_eq!(
            soap_error_code(0x400),
            None,
            "the numbers are decimal: 0x400 is 1024"
        );
        assert_eq!(soap_error_code(500), None);
    }

    #[test]
    fn wsus_error_code_names_are_distinct_and_from_a_spec() {
        for (i, a) in WSUS_ERROR_CODES.iter().enumerate() {
            assert!(a.client_protocol || a.server_protocol, "{}", a.name);
            assert!(
                WSUS_ERROR_CODES[i + 1..]
                    .iter()
                    .all(|b| !b.name.eq_ignore_ascii_case(a.name))
            );
            assert_eq!(wsus_error_code(a.name), Some(a));
        }
    }

    #[test]
    fn wsus_error_code_rejects_malformed_numbers() {
        assert!(wsus_error_code("InternalServerError()").is_none());
        assert!(wsus_error_code("InternalServerError(5").is_none());
        assert!(wsus_error_code("InternalServerError(x)").is_none());
        assert!(wsus_error_code("InternalServerError(5)x").is_none());
        assert!(wsus_error_code("").is_none());
        assert!(wsus_error_code("(5)").is_none());
    }
}
