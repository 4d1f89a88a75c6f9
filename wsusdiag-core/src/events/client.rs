//! What a client record means: detections, syncs, failures, SOAP faults, identity.

use super::keywords::{self, Key, Keys, Word};
use super::outcome::{self, Operation, Outcome, hex_code};
use super::tokens::{
    between, field, find, first_hresult, guid_at, holds, method_name, number, trim, unquote,
};
use crate::records::ClientRecord;

/// One field of a SOAP fault as the client logs it.
///
/// The classic log writes the fault as a block of `PT WARNING:` lines (`SOAP Fault:`,
/// `faultstring:`, `ErrorCode:`, `Message:`, `Method:`, `ID:`); Windows 8.1 and 10 write a
/// `WS WARNING: Soap fault info:` block with a raw `detail:` and a parsed `Soap fault detail:`
/// line. Both are read into these fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SoapFault<'a> {
    /// `SOAP Fault: 0x000190` (the SOAP error code, 400 here).
    pub fault_code: Option<u32>,
    /// `faultstring:` or `reason:`.
    pub fault_string: Option<&'a str>,
    /// `code: Client` or `code: Server`.
    pub code: Option<&'a str>,
    /// The WSUS `ErrorCode` name (`InternalServerError`).
    pub error_code: Option<&'a str>,
    /// The fault `Message` (empty when the log says `(null)`).
    pub message: Option<&'a str>,
    /// The web method (`SyncUpdates`), from the SOAPAction URI.
    pub method: Option<&'a str>,
    /// The server's fault ID, the key to its `ThrowException` entry.
    pub id: Option<&'a str>,
}

impl<'a> SoapFault<'a> {
    /// Copies every field `other` has into `self`.
    pub fn merge(&mut self, other: &SoapFault<'a>) {
        macro_rules! take {
            ($($f:ident),*) => {$( if other.$f.is_some() { self.$f = other.$f; } )*};
        }
        take!(
            fault_code,
            fault_string,
            code,
            error_code,
            message,
            method,
            id
        );
    }
}

/// The meaning of one client record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// `Logging initialized (build: 7.6.7600.256, tz: -0500)`: a process started logging; the
    /// offset of its local time from UTC in minutes.
    LoggingInitialized {
        /// The agent's build.
        build: &'a str,
        /// Local time minus UTC, in minutes.
        tz_minutes: Option<i32>,
    },
    /// A detection (search for updates) started.
    DetectionStart {
        /// Who asked (`AutomaticUpdates`, `CcmExec`, …).
        caller: &'a str,
    },
    /// A detection ended.
    DetectionEnd {
        /// Who asked.
        caller: &'a str,
        /// Its `Exit code`, when the line carries it (Windows 10 since 1803).
        exit: Option<u32>,
    },
    /// A call of another kind started (`* START *   Download`, `* START * Begin Downloading
    /// Updates`, `* START *   Install`).
    CallStart {
        /// What it does.
        operation: Operation,
    },
    /// A line that says how an operation ended (see [`Outcome`]).
    Outcome(Outcome<'a>),
    /// `WU client version 10.0.19041.2913`: the agent's version.
    AgentVersion(&'a str),
    /// `OS Version = 6.1.7601.1.0.65792` (classic logs).
    OsVersion(&'a str),
    /// `WSUS server: …` of the policy snapshot: the WSUS server the policy names, or none
    /// (`(null)`, `<NULL>`).
    WsusPolicy {
        /// The URL, when the policy names one.
        url: Option<&'a str>,
    },
    /// `Found 163 updates and 70 categories in search`: a detection succeeded.
    DetectionFound {
        /// How many updates were found.
        updates: u32,
    },
    /// `Exit code = 0x…` of an agent call.
    ExitCode {
        /// The HRESULT.
        hresult: u32,
    },
    /// `PT: Synchronizing server updates` (or extended update info).
    SyncStart,
    /// The server the client talks to: `ServiceId = {…}, Server URL = …`, `WSUS server: …`.
    ServerUrl {
        /// The service ID, when given.
        service_id: Option<&'a str>,
        /// The URL.
        url: &'a str,
    },
    /// `SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400,
    /// HTTP status code = 200`: a web service call failed.
    CallFailure {
        /// The web method.
        method: &'a str,
        /// The HRESULT.
        hresult: u32,
        /// `soap client error = N`.
        soap_client_error: Option<u32>,
        /// `soap error code = N`.
        soap_error_code: Option<u32>,
        /// `HTTP status code = N`.
        http_status: Option<u32>,
    },
    /// Part of a SOAP fault block.
    Fault(SoapFault<'a>),
    /// A failure line with an HRESULT (`WARNING:`, `FATAL:`, `*FAILED* [X]`, `hr = X`, …).
    Failure {
        /// The HRESULT.
        hresult: u32,
    },
    /// Reporting events to the server failed.
    ReportingFailure {
        /// The HRESULT.
        hresult: u32,
    },
    /// `Reporter successfully uploaded N events`.
    ReportingSuccess,
    /// `Cached cookie has expired or new PID is available`.
    CookieExpired,
    /// The client's WSUS identity (`SusClientId`), and its DNS name when logged with it.
    ClientIdentity {
        /// The SusClientId.
        client_id: &'a str,
        /// The computer's DNS name.
        dns_name: Option<&'a str>,
    },
    /// The agent updated itself or checked for it; a failure there stops the scan.
    SelfUpdate {
        /// The HRESULT when it failed.
        hresult: Option<u32>,
    },
}

/// Reads the meaning of a client record, if it has one wsusdiag uses.
pub fn client_event<'a>(record: &ClientRecord<'a>) -> Option<ClientEvent<'a>> {
    message_event(record.message)
}

/// Reads the meaning of a client message (the text after the header).
pub fn message_event(message: &str) -> Option<ClientEvent<'_>> {
    let words: Vec<Word> = keywords::words(message).collect();
    message_event_in(message, &words)
}

/// [`message_event`], given the [`keywords`] words in `message` (found by one search over the
/// whole log, positions within the message).
pub(crate) fn message_event_in<'a>(message: &'a str, words: &[Word]) -> Option<ClientEvent<'a>> {
    let m = strip_severity(message);
    let keys = Keys::of(words, message.len() - m.len());
    if let Some(e) = fault_field(m, keys) {
        return Some(e);
    }
    if keys.has(Key::CallFailure)
        && let Some(e) = call_failure(m)
    {
        return Some(e);
    }
    if keys.has(Key::LoggingInitialized) {
        let build = field(m, "(build").map_or("", |b| b.trim_end_matches(')'));
        let tz = field(m, "tz").and_then(|t| parse_tz(t.trim_end_matches([')', ' ', '='])));
        return Some(ClientEvent::LoggingInitialized {
            build,
            tz_minutes: tz,
        });
    }
    if let Some(e) = detection(m, keys) {
        return Some(e);
    }
    if let Some(o) = outcome::outcome(m, keys) {
        return Some(ClientEvent::Outcome(o));
    }
    if keys.has(Key::Start)
        && let Some(operation) = outcome::started(m)
    {
        return Some(ClientEvent::CallStart { operation });
    }
    if keys.has(Key::Version) {
        if let Some(at) = find(m, "WU client version") {
            return Some(ClientEvent::AgentVersion(version(&m[at + 17..])));
        }
        if let Some(v) = field(m, "OS Version") {
            return Some(ClientEvent::OsVersion(version(v)));
        }
    }
    if keys.has(Key::Synchronizing) {
        return Some(ClientEvent::SyncStart);
    }
    if let Some(e) = identity(m, keys) {
        return Some(e);
    }
    if let Some(e) = server_url(m, keys) {
        return Some(e);
    }
    if keys.has(Key::CookieExpired) {
        return Some(ClientEvent::CookieExpired);
    }
    if keys.has(Key::ReporterUploaded) {
        return Some(ClientEvent::ReportingSuccess);
    }
    let coded = [
        Key::ExitCode,
        Key::Reporting,
        Key::SelfUpdate,
        Key::FailureMarker,
    ];
    if !coded.into_iter().any(|k| keys.has(k)) {
        return None;
    }
    let code = first_hresult(m);
    if let Some(hresult) = code {
        if keys.has(Key::ExitCode) {
            return Some(ClientEvent::ExitCode { hresult });
        }
        if keys.has(Key::Reporting) {
            return Some(ClientEvent::ReportingFailure { hresult });
        }
        if keys.has(Key::SelfUpdate) {
            return Some(ClientEvent::SelfUpdate {
                hresult: Some(hresult),
            });
        }
        if keys.has(Key::FailureMarker) {
            return Some(ClientEvent::Failure { hresult });
        }
    } else if keys.has(Key::ExitCode) && holds(m, "Exit code = 0x00000000") {
        return Some(ClientEvent::ExitCode { hresult: 0 });
    }
    None
}

/// Drops the bullets and severity words that start failure messages (`  * WARNING: `,
/// `# WARNING: `, `FATAL: `).
fn strip_severity(m: &str) -> &str {
    // Byte by byte: the bullets are ASCII, so any cut is at a character boundary.
    let bullets = |s: &str| -> usize {
        s.bytes()
            .position(|c| !matches!(c, b' ' | b'*' | b'#' | b'+' | b'-' | b'\t'))
            .unwrap_or(s.len())
    };
    let mut m = &m[bullets(m)..];
    for p in ["WARNING:", "FATAL:", "ERROR:", "Warning:"] {
        if let Some(rest) = m.strip_prefix(p) {
            m = &rest[bullets(rest)..];
        }
    }
    m
}

/// `<Method> failure, error = 0x…, soap client error = N, soap error code = N, HTTP status code = N`.
fn call_failure(m: &str) -> Option<ClientEvent<'_>> {
    let at = find(m, " failure, error = ")?;
    let method = m[..at].rsplit(' ').next().unwrap_or("");
    let hresult = first_hresult(&m[at..])?;
    let small = |k| number(m, k).and_then(|v| u32::try_from(v).ok());
    Some(ClientEvent::CallFailure {
        method,
        hresult,
        soap_client_error: small("soap client error"),
        soap_error_code: small("soap error code"),
        http_status: small("HTTP status code"),
    })
}

/// A line of a SOAP fault block, classic or Windows 8.1/10.
fn fault_field(m: &str, keys: Keys) -> Option<ClientEvent<'_>> {
    // The lines of a fault block start with one of these letters (`SOAP Fault:`,
    // `faultstring:`, `ErrorCode:`, …) or hold one of its two keywords; any other line is
    // none of them.
    let block = matches!(
        m.as_bytes().first(),
        Some(b'S' | b'f' | b'E' | b'M' | b'I' | b'r' | b'c' | b'd')
    );
    if !block && !keys.has(Key::Detail) && !keys.has(Key::SoapFaultDetail) {
        return None;
    }
    let mut f = SoapFault::default();
    if let Some(v) = m.strip_prefix("SOAP Fault:") {
        f.fault_code = u32::from_str_radix(v.trim().trim_start_matches("0x"), 16).ok();
    } else if let Some(v) = m.strip_prefix("faultstring:") {
        f.fault_string = Some(v.trim());
    } else if let Some(v) = m.strip_prefix("ErrorCode:") {
        let v = v.trim();
        f.error_code = Some(v.split('(').next().unwrap_or(v).trim());
    } else if let Some(v) = m.strip_prefix("Message:") {
        let v = v.trim();
        f.message = Some(if v == "(null)" { "" } else { v });
    } else if let Some(v) = m.strip_prefix("Method:") {
        f.method = Some(method_name(v));
    } else if let Some(v) = m.strip_prefix("ID:") {
        f.id = Some(guid_at(v.trim()).unwrap_or(v.trim()));
    } else if let Some(v) = m.strip_prefix("reason:") {
        f.fault_string = Some(v.trim());
    } else if let Some(v) = m.strip_prefix("code:") {
        f.code = Some(v.trim());
    } else if m.starts_with("Soap fault info") {
        f.fault_string = None;
    } else if let Some(v) = m.strip_prefix("detail:").or_else(|| {
        keys.has(Key::Detail)
            .then(|| after_at(m, "<detail>"))
            .flatten()
    }) {
        let v = v.trim();
        f.error_code = between(v, "<ErrorCode>", "</ErrorCode>");
        f.message = between(v, "<Message>", "</Message>");
        f.id = between(v, "<ID>", "</ID>").map(|id| guid_at(id).unwrap_or(id));
        f.method = between(v, "<Method>", "</Method>").map(method_name);
    } else if let Some(v) = keys
        .has(Key::SoapFaultDetail)
        .then(|| after(m, "Soap fault detail:"))
        .flatten()
    {
        f.error_code = quoted(v, "errorCode=");
        f.message = quoted(v, "message=");
        f.id = quoted(v, "id=").map(|id| guid_at(id).unwrap_or(id));
        f.method = quoted(v, "method=").map(method_name);
    } else {
        return None;
    }
    Some(ClientEvent::Fault(f))
}

/// The text from `key` on, wherever it is in the message.
fn after_at<'a>(m: &'a str, key: &str) -> Option<&'a str> {
    find(m, key).map(|at| &m[at..])
}

/// The text after `key`, wherever it is in the message.
fn after<'a>(m: &'a str, key: &str) -> Option<&'a str> {
    find(m, key).map(|at| &m[at + key.len()..])
}

/// A single-quoted value `key='…'`; the value may itself hold quotes, so it ends at `', `.
fn quoted<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let start = find(s, key)? + key.len();
    let rest = s[start..].strip_prefix('\'')?;
    let end = rest.find("', ").or_else(|| rest.rfind('\''))?;
    Some(unquote(&rest[..end]))
}

fn detection(m: &str, keys: Keys) -> Option<ClientEvent<'_>> {
    let finding = keys.has(Key::FindingUpdates);
    if finding && holds(m, "START") && !holds(m, "Queueing") {
        return Some(ClientEvent::DetectionStart { caller: caller(m) });
    }
    if finding && holds(m, "END") && !holds(m, "Queueing") {
        return Some(ClientEvent::DetectionEnd {
            caller: caller(m),
            exit: field(m, "Exit code").and_then(hex_code),
        });
    }
    if let Some(rest) = m.strip_prefix("Found ") {
        let end = memchr::memchr(b' ', rest.as_bytes()).unwrap_or(rest.len());
        let n = rest[..end].parse().ok()?;
        // `Found 3 updates and 10 categories in search`, `Found 0 updates for FullSearch`; not
        // `Found 0 cached featured updates`, which is no scan.
        if rest[end..].starts_with(" updates") || holds(rest, "in search") {
            return Some(ClientEvent::DetectionFound { updates: n });
        }
    }
    None
}

fn caller(m: &str) -> &str {
    let Some(v) = field(m, "CallerId") else {
        return "";
    };
    let end = v.bytes().position(|c| c == b' ' || c == b']');
    &v[..end.unwrap_or(v.len())]
}

fn identity(m: &str, keys: Keys) -> Option<ClientEvent<'_>> {
    if !keys.has(Key::SusClientId) && !keys.has(Key::ClientId) {
        return None;
    }
    if let Some(v) = field(m, "SusClientId") {
        return Some(ClientEvent::ClientIdentity {
            client_id: guid_at(unquote(v)).unwrap_or(unquote(v)),
            dns_name: None,
        });
    }
    if let Some(at) = find(m, "new random SusClientId") {
        let v = m[at + "new random SusClientId".len()..].trim_start();
        return Some(ClientEvent::ClientIdentity {
            client_id: guid_at(v)?,
            dns_name: None,
        });
    }
    if holds(m, "clientId = ") || holds(m, "clientId=") {
        let id = field(m, "clientId")?;
        return Some(ClientEvent::ClientIdentity {
            client_id: guid_at(id).unwrap_or(id),
            dns_name: field(m, "DNS name").filter(|d| !d.is_empty()),
        });
    }
    None
}

fn server_url(m: &str, keys: Keys) -> Option<ClientEvent<'_>> {
    if !keys.has(Key::ServerUrl) && !keys.has(Key::WsusServer) {
        return None;
    }
    if let Some(url) = field(m, "Server URL") {
        let service_id = field(m, "ServiceId").and_then(guid_at);
        return Some(ClientEvent::ServerUrl {
            service_id,
            url: clean_url(url),
        });
    }
    if let Some(rest) = m.strip_prefix("WSUS server:") {
        let url = clean_url(rest);
        let url = url
            .starts_with("http")
            .then(|| url.split(' ').next().unwrap_or(url));
        return Some(ClientEvent::WsusPolicy { url });
    }
    for key in ["WSUS server:", "Got WSUS Client/Server URL:"] {
        if let Some(at) = find(m, key) {
            let url = clean_url(&m[at + key.len()..]);
            if url.starts_with("http") {
                return Some(ClientEvent::ServerUrl {
                    service_id: None,
                    url,
                });
            }
        }
    }
    None
}

/// A version number: the text up to the first blank.
fn version(s: &str) -> &str {
    let s = trim(s);
    s.split([' ', ',']).next().unwrap_or(s)
}

/// Strips quotes (and `Get-WindowsUpdateLog`'s doubled `""`) around a URL, and the
/// correlation vector Windows 10 appends (` (cV = …)`).
fn clean_url(s: &str) -> &str {
    let s = find(s, " (cV").map_or(s, |at| &s[..at]);
    let mut s = trim(s);
    while let Some(rest) = s.strip_suffix("\"\"") {
        s = rest;
    }
    unquote(s)
}

/// `-0500`, `+0200`, `+0530` → minutes east of UTC.
fn parse_tz(t: &str) -> Option<i32> {
    let t = t.trim();
    let (sign, digits) = match t.as_bytes().first()? {
        b'-' => (-1, &t[1..]),
        b'+' => (1, &t[1..]),
        _ => (1, t),
    };
    if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    Some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(m: &str) -> Option<ClientEvent<'_>> {
        message_event(m)
    }

    #[test]
    fn kb954960_block() {
        assert_eq!(
            ev(
                "WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200"
            ),
            Some(ClientEvent::CallFailure {
                method: "SyncUpdates",
                hresult: 0x8024400E,
                soap_client_error: Some(7),
                soap_error_code: Some(400),
                http_status: Some(200)
            })
        );
        let fault = |m| match ev(m) {
            Some(ClientEvent::Fault(f)) => f,
            other => panic!("{m}: {other:?}"),
        };
        assert_eq!(fault("WARNING: SOAP Fault: 0x000190").fault_code, Some(400));
        assert_eq!(
            fault("WARNING: faultstring:Fault occurred").fault_string,
            Some("Fault occurred")
        );
        assert_eq!(
            fault("WARNING: ErrorCode:InternalServerError(5)").error_code,
            Some("InternalServerError")
        );
        assert_eq!(fault("WARNING: Message:(null)").message, Some(""));
        assert_eq!(fault("WARNING: Method:\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"").method, Some("SyncUpdates"));
        assert_eq!(
            fault("WARNING: ID:c0a7445f-b989-43fa-ac20-11f8ca65fa8c").id,
            Some("c0a7445f-b989-43fa-ac20-11f8ca65fa8c")
        );
        assert_eq!(
            ev("WARNING: PTError: 0x8024400e"),
            Some(ClientEvent::Failure {
                hresult: 0x8024400E
            })
        );
        assert_eq!(
            ev("  * WARNING: Exit code = 0x8024400E"),
            Some(ClientEvent::ExitCode {
                hresult: 0x8024400E
            })
        );
    }

    #[test]
    fn windows_8_and_10_fault() {
        let d = ev(
            "WARNING: detail: <detail><ErrorCode> InternalServerError </ErrorCode><Message>parameters.OtherCachedUpdateIDs</Message><ID>8889e6f6-cc94-4b2b-9d0c-9818649a5dfc</ID><Method>\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"</Method></detail>",
        );
        let Some(ClientEvent::Fault(f)) = d else {
            panic!("{d:?}")
        };
        assert_eq!(
            (f.error_code, f.id, f.method),
            (
                Some("InternalServerError"),
                Some("8889e6f6-cc94-4b2b-9d0c-9818649a5dfc"),
                Some("SyncUpdates")
            )
        );
        let d = ev(
            "WARNING: Soap fault detail: errorCode='InvalidParameters', message='parameters.OtherCachedUpdateIDs', id='8889e6f6-cc94-4b2b-9d0c-9818649a5dfc', method='\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"'",
        );
        let Some(ClientEvent::Fault(f)) = d else {
            panic!("{d:?}")
        };
        assert_eq!(
            (f.error_code, f.message, f.method),
            (
                Some("InvalidParameters"),
                Some("parameters.OtherCachedUpdateIDs"),
                Some("SyncUpdates")
            )
        );
        assert_eq!(
            ev("FATAL: OnCallFailure failed with hr=0X80244007"),
            Some(ClientEvent::Failure {
                hresult: 0x80244007
            })
        );
        assert_eq!(
            ev(
                "*FAILED* [8024401C] Method failed [CAgentProtocolTalker::SyncUpdates_WithRecovery:5437]"
            ),
            Some(ClientEvent::Failure {
                hresult: 0x8024401C
            })
        );
    }

    #[test]
    fn banner_and_detection() {
        assert_eq!(
            ev("===========  Logging initialized (build: 7.6.7600.256, tz: -0500)  ==========="),
            Some(ClientEvent::LoggingInitialized {
                build: "7.6.7600.256",
                tz_minutes: Some(-300)
            })
        );
        assert_eq!(
            ev("** START **  Agent: Finding updates [CallerId = CcmExec  Id = 1]"),
            Some(ClientEvent::DetectionStart { caller: "CcmExec" })
        );
        assert_eq!(
            ev(
                "* START * Finding updates CallerId = packer-windows-update  Id = 3811 (cV = K8n0gmSm9UWA8yf2.1.1.0.2)"
            ),
            Some(ClientEvent::DetectionStart {
                caller: "packer-windows-update"
            })
        );
        assert_eq!(
            ev("**  END  **  Agent: Finding updates [CallerId = AutomaticUpdates]"),
            Some(ClientEvent::DetectionEnd {
                caller: "AutomaticUpdates",
                exit: None
            })
        );
        assert_eq!(
            ev(
                "  * Found 163 updates and 70 categories in search; evaluated appl. rules of 622 out of 1150 deployed entities"
            ),
            Some(ClientEvent::DetectionFound { updates: 163 })
        );
        assert_eq!(
            ev("Found 0 updates for FullSearch"),
            Some(ClientEvent::DetectionFound { updates: 0 })
        );
        // Automatic Updates at start, not a scan (Windows 7, 2018).
        assert_eq!(ev("Found 0 cached featured updates"), None);
        assert_eq!(
            ev("* END * Queueing Finding updates [CallerId = x  Id = 1]"),
            None
        );
    }

    #[test]
    fn identity_and_urls() {
        assert_eq!(
            ev("  * SusClientId = '071ffd36-f490-4d63-87a7-f7b11866b9fb'"),
            Some(ClientEvent::ClientIdentity {
                client_id: "071ffd36-f490-4d63-87a7-f7b11866b9fb",
                dns_name: None
            })
        );
        assert_eq!(
            ev(
                "Created new random SusClientId c9646f22-fc6f-4372-b6a7-1a9056600e2f. Old Id: none."
            ),
            Some(ClientEvent::ClientIdentity {
                client_id: "c9646f22-fc6f-4372-b6a7-1a9056600e2f",
                dns_name: None
            })
        );
        assert_eq!(
            ev(
                "Initializing simple targeting cookie, clientId = 5b1c3a3e-8d3f-4f7e-9b0a-2f1d6c7e8a90, target group = , DNS name = pc01.contoso.local"
            ),
            Some(ClientEvent::ClientIdentity {
                client_id: "5b1c3a3e-8d3f-4f7e-9b0a-2f1d6c7e8a90",
                dns_name: Some("pc01.contoso.local")
            })
        );
        assert_eq!(
            ev(
                "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, Server URL = http://WSUS Server/ClientWebService/client.asmx"
            ),
            Some(ClientEvent::ServerUrl {
                service_id: Some("3DA21691-E39D-4DA6-8A4B-B43877BCB1B7"),
                url: "http://WSUS Server/ClientWebService/client.asmx"
            })
        );
        assert_eq!(
            ev(
                "Got WSUS Client/Server URL: http://WIN-LUL8KLLSCLH:8530/ClientWebService/client.asmx\"\""
            ),
            Some(ClientEvent::ServerUrl {
                service_id: None,
                url: "http://WIN-LUL8KLLSCLH:8530/ClientWebService/client.asmx"
            })
        );
    }

    #[test]
    fn other_failures() {
        assert_eq!(
            ev("WARNING: Reporter failed to upload events with hr = 80244021."),
            Some(ClientEvent::ReportingFailure {
                hresult: 0x80244021
            })
        );
        assert_eq!(
            ev("  * WARNING: Skipping scan, self-update check returned 0x80072EFD"),
            Some(ClientEvent::SelfUpdate {
                hresult: Some(0x80072EFD)
            })
        );
        assert_eq!(
            ev("WARNING: Cached cookie has expired or new PID is available"),
            Some(ClientEvent::CookieExpired)
        );
        assert_eq!(ev("Service exit [Exit code = 0x240001]"), None);
        assert_eq!(
            ev(
                "WARNING: GetConfig failure, error = 0x80244021, soap client error = 10, soap error code = 0, HTTP status code = 502"
            ),
            Some(ClientEvent::CallFailure {
                method: "GetConfig",
                hresult: 0x80244021,
                soap_client_error: Some(10),
                soap_error_code: Some(0),
                http_status: Some(502)
            })
        );
    }
}
