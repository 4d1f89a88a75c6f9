//! The Windows Update HRESULT table and its lookup.
//!
//! The table holds every `WU_E_*` / `WU_S_*` code of `wuerror.h` (Windows SDK 10.0.26100, 477
//! codes) plus the WinHTTP, Win32, certificate, BITS and Windows Web Services codes that show up
//! in `WindowsUpdate.log` and `SoftwareDistribution.log`. It lives in `data/hresults.tsv`, one
//! readable row per code; `build.rs` checks it and compiles it into a sorted static array, so a
//! [`lookup`] is a binary search.
//!
//! ```
//! use wsusdiag_core::knowledge::hresult::{self, Component};
//!
//! let code = hresult::parse_code("[8024400E]").unwrap();
//! let info = hresult::lookup(code).unwrap();
//! assert_eq!(info.name, "WU_E_PT_SOAP_SERVER");
//! assert_eq!(info.component, Component::ProtocolTalker);
//! assert!(info.server_side);
//!
//! // A code that is not in the table still gets its family.
//! let d = hresult::describe(0x8007_05AA);
//! assert!(!d.listed);
//! assert_eq!(d.component, Some(Component::Win32));
//! assert_eq!(d.win32_error, Some(1450));
//! ```
//!
//! The SOAP side of a failure (`soap client error = N`, `soap error code = M`, and the WSUS
//! fault `ErrorCode` names) is decoded by [`soap_client_error`], [`soap_error_code`] and
//! [`wsus_error_code`].

use std::fmt;

use serde::{Serialize, Serializer};

mod soap;

pub use soap::{
    FaultKind, SoapCode, WsusErrorCode, soap_client_error, soap_client_error_info, soap_error_code,
    soap_error_code_info, wsus_error_code, wsus_error_codes,
};

/// The subsystem an HRESULT comes from. Serializes as its kebab-case name ([`Component::as_str`]),
/// the same word the `component` column of `data/hresults.tsv` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Component {
    /// `WU_S_*` success codes (`0x0024xxxx`).
    Success,
    /// Windows Update Agent, general errors (`0x80240xxx`).
    Agent,
    /// Windows Installer problems met during a scan (`0x80241xxx`).
    WindowsInstaller,
    /// Update handlers, the installers behind updates (`0x80242xxx`).
    Handler,
    /// Windows Update UI and AU client (`0x80243xxx`).
    Ui,
    /// Protocol Talker: client-server SOAP and HTTP (`0x80244xxx`, and NWS-raised `0x802404xx`).
    ProtocolTalker,
    /// Redirector and service locator (`0x802450xx`).
    Redirector,
    /// Service-initiated healing (`0x802451xx`).
    Sih,
    /// Download manager (`0x80246xxx`).
    DownloadManager,
    /// Offline scan and event payload (`0x802470xx`).
    OfflineScan,
    /// Update metadata signature verification (`0x802471xx`).
    MetadataIntegrity,
    /// Client data store, `DataStore.edb` (`0x80248xxx`).
    Datastore,
    /// Inventory (`0x80249xxx`).
    Inventory,
    /// Automatic Updates (`0x8024Axxx`).
    AutomaticUpdates,
    /// WU task, hardware capability, SLS and file trust (`0x8024Bxxx`).
    Task,
    /// Driver updates (`0x8024Cxxx`).
    Driver,
    /// Windows Update Agent setup and self-update (`0x8024Dxxx`).
    Setup,
    /// Applicability expression evaluator (`0x8024Exxx`).
    ExpressionEvaluator,
    /// Reporter, the events sent to the server (`0x8024Fxxx`).
    Reporter,
    /// Generic COM errors (`0x8000xxxx`).
    Com,
    /// Win32 errors as HRESULTs (`0x8007xxxx`, except WinHTTP).
    Win32,
    /// WinHTTP / WinINet transport errors (`0x80072EE0`–`0x800732C7`, Win32 12000–12999).
    WinHttp,
    /// Certificates, signatures and TLS (`0x800Bxxxx`, `0x8009xxxx`).
    Certificate,
    /// Servicing stack, CBS (`0x800Fxxxx`): install phase, not client-server.
    Servicing,
    /// BITS: HTTP statuses (`0x8019xxxx`) and BITS errors (`0x8020xxxx`).
    Bits,
    /// Windows Web Services, the SOAP stack of Windows 10+ (`0x803Dxxxx`).
    WebServices,
    /// Delivery Optimization (`0x80D0xxxx`).
    DeliveryOptimization,
    /// Windows feature upgrade (`0xC180xxxx`).
    Upgrade,
    /// The Configuration Manager client (`0x87D0xxxx`).
    ConfigMgr,
}

impl Component {
    /// Every component, in declaration order.
    pub const ALL: [Component; 29] = [
        Component::Success,
        Component::Agent,
        Component::WindowsInstaller,
        Component::Handler,
        Component::Ui,
        Component::ProtocolTalker,
        Component::Redirector,
        Component::Sih,
        Component::DownloadManager,
        Component::OfflineScan,
        Component::MetadataIntegrity,
        Component::Datastore,
        Component::Inventory,
        Component::AutomaticUpdates,
        Component::Task,
        Component::Driver,
        Component::Setup,
        Component::ExpressionEvaluator,
        Component::Reporter,
        Component::Com,
        Component::Win32,
        Component::WinHttp,
        Component::Certificate,
        Component::Servicing,
        Component::Bits,
        Component::WebServices,
        Component::DeliveryOptimization,
        Component::Upgrade,
        Component::ConfigMgr,
    ];

    /// The kebab-case name, as in the data file and in JSON: `"protocol-talker"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Component::Success => "success",
            Component::Agent => "agent",
            Component::WindowsInstaller => "windows-installer",
            Component::Handler => "handler",
            Component::Ui => "ui",
            Component::ProtocolTalker => "protocol-talker",
            Component::Redirector => "redirector",
            Component::Sih => "sih",
            Component::DownloadManager => "download-manager",
            Component::OfflineScan => "offline-scan",
            Component::MetadataIntegrity => "metadata-integrity",
            Component::Datastore => "datastore",
            Component::Inventory => "inventory",
            Component::AutomaticUpdates => "automatic-updates",
            Component::Task => "task",
            Component::Driver => "driver",
            Component::Setup => "setup",
            Component::ExpressionEvaluator => "expression-evaluator",
            Component::Reporter => "reporter",
            Component::Com => "com",
            Component::Win32 => "win32",
            Component::WinHttp => "winhttp",
            Component::Certificate => "certificate",
            Component::Servicing => "servicing",
            Component::Bits => "bits",
            Component::WebServices => "web-services",
            Component::DeliveryOptimization => "delivery-optimization",
            Component::Upgrade => "upgrade",
            Component::ConfigMgr => "configmgr",
        }
    }

    /// A short human label: `"Protocol Talker (client-server SOAP/HTTP)"`.
    pub const fn label(self) -> &'static str {
        match self {
            Component::Success => "Windows Update success code",
            Component::Agent => "Windows Update Agent",
            Component::WindowsInstaller => "Windows Installer (during scan)",
            Component::Handler => "Update handler (installers)",
            Component::Ui => "Windows Update UI",
            Component::ProtocolTalker => "Protocol Talker (client-server SOAP/HTTP)",
            Component::Redirector => "Redirector / service locator",
            Component::Sih => "Service-initiated healing",
            Component::DownloadManager => "Download manager",
            Component::OfflineScan => "Offline scan",
            Component::MetadataIntegrity => "Update metadata integrity",
            Component::Datastore => "Client data store",
            Component::Inventory => "Inventory",
            Component::AutomaticUpdates => "Automatic Updates",
            Component::Task => "WU task, hardware capability, SLS and file trust",
            Component::Driver => "Driver updates",
            Component::Setup => "Windows Update Agent setup / self-update",
            Component::ExpressionEvaluator => "Applicability expression evaluator",
            Component::Reporter => "Reporter (events sent to the server)",
            Component::Com => "Generic COM error",
            Component::Win32 => "Win32 error",
            Component::WinHttp => "WinHTTP / WinINet (HTTP transport)",
            Component::Certificate => "Certificates, signatures and TLS",
            Component::Servicing => "Servicing stack (CBS)",
            Component::Bits => "BITS (background downloads)",
            Component::WebServices => "Windows Web Services (SOAP stack)",
            Component::DeliveryOptimization => "Delivery Optimization",
            Component::Upgrade => "Windows feature upgrade",
            Component::ConfigMgr => "Configuration Manager client",
        }
    }

    /// The component whose kebab-case name is `name` (exact match): `"winhttp"` → [`Component::WinHttp`].
    pub fn from_name(name: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// What a code of this family means when the table has no row for it.
    const fn unlisted(self) -> &'static str {
        match self {
            Component::Success => {
                "A Windows Update success code not listed in wuerror.h; not a failure."
            }
            Component::Agent => {
                "An unlisted Windows Update Agent error; read the surrounding log lines for context."
            }
            Component::WindowsInstaller => {
                "An unlisted Windows Installer error met while scanning; scan results may be incomplete."
            }
            Component::Handler => {
                "An unlisted update handler (installer) error; see the handler and CBS logs."
            }
            Component::Ui => "An unlisted Windows Update UI error.",
            Component::ProtocolTalker => {
                "An unlisted Protocol Talker error: talking to the update server (SOAP/HTTP) failed."
            }
            Component::Redirector => "An unlisted redirector / service locator error.",
            Component::Sih => "An unlisted service-initiated healing error.",
            Component::DownloadManager => {
                "An unlisted download manager error: fetching update content failed."
            }
            Component::OfflineScan => "An unlisted offline scan error.",
            Component::MetadataIntegrity => "An unlisted update metadata verification error.",
            Component::Datastore => {
                "An unlisted client data store error; a damaged DataStore.edb is a candidate."
            }
            Component::Inventory => "An unlisted inventory error.",
            Component::AutomaticUpdates => "An unlisted Automatic Updates error.",
            Component::Task => "An unlisted WU task, hardware capability, SLS or file trust error.",
            Component::Driver => "An unlisted driver update error.",
            Component::Setup => "An unlisted Windows Update Agent setup / self-update error.",
            Component::ExpressionEvaluator => {
                "An unlisted applicability expression evaluator error."
            }
            Component::Reporter => {
                "An unlisted reporter error: sending events to the server failed."
            }
            Component::Com => "A generic COM error.",
            Component::Win32 => {
                "A Win32 error returned as an HRESULT; `net helpmsg <win32_error>` prints its text."
            }
            Component::WinHttp => {
                "A WinHTTP / WinINet error: the HTTP connection to the server failed."
            }
            Component::Certificate => "A certificate, signature or TLS error.",
            Component::Servicing => {
                "A servicing stack (CBS) or SetupAPI error: an install-phase problem, see CBS.log."
            }
            Component::Bits => "A BITS download error.",
            Component::WebServices => {
                "A Windows Web Services (SOAP stack) error; the agent usually follows it with a WU_E_PT_* code."
            }
            Component::DeliveryOptimization => "A Delivery Optimization download error.",
            Component::Upgrade => "A Windows feature upgrade error.",
            Component::ConfigMgr => "A Configuration Manager client error.",
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One row of the HRESULT table. Serializes with `code` as `"0x8024400E"` and `name` as null
/// when no symbol is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HresultInfo {
    /// The HRESULT value.
    #[serde(serialize_with = "serialize_code")]
    pub code: u32,
    /// The SDK symbol, e.g. `WU_E_PT_SOAP_SERVER`; empty when no symbol has been verified.
    #[serde(serialize_with = "serialize_name")]
    pub name: &'static str,
    /// The subsystem that raises it.
    pub component: Component,
    /// What it means and what to check.
    pub description: &'static str,
    /// The HTTP status this code stands for (`0x80244016`–`0x80244024`, `0x8019xxxx`).
    pub http_status: Option<u16>,
    /// Not a failure in practice: success codes and routine no-ops such as `WU_E_NOOP`.
    pub benign: bool,
    /// The WSUS server side (IIS, WsusPool, SUSDB) failed or timed out. Whether a failure may
    /// be joined to the server log by time is the time-join table's call (`data/joins.toml`):
    /// a 503 is server-side, yet the server's code never saw it.
    pub server_side: bool,
}

impl HresultInfo {
    /// The SDK symbol, or `None` when none has been verified.
    pub fn symbol(&self) -> Option<&'static str> {
        (!self.name.is_empty()).then_some(self.name)
    }
}

fn serialize_code<S: Serializer>(code: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&format_args!("0x{code:08X}"))
}

fn serialize_name<S: Serializer>(name: &&'static str, serializer: S) -> Result<S::Ok, S::Error> {
    if name.is_empty() {
        serializer.serialize_none()
    } else {
        serializer.serialize_some(*name)
    }
}

// `static TABLE: [HresultInfo; N]`, sorted by code; generated by build.rs from data/hresults.tsv.
include!(concat!(env!("OUT_DIR"), "/hresult_table.rs"));

/// Every row of the table, sorted by code.
pub fn table() -> &'static [HresultInfo] {
    &TABLE
}

/// The table's row for `code`, if it has one.
pub fn lookup(code: u32) -> Option<&'static HresultInfo> {
    TABLE
        .binary_search_by_key(&code, |info| info.code)
        .ok()
        .map(|index| &TABLE[index])
}

/// The row whose symbol is `name`, compared ASCII case-insensitively: `"WU_E_PT_SOAP_SERVER"`.
pub fn lookup_name(name: &str) -> Option<&'static HresultInfo> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    TABLE
        .iter()
        .find(|info| info.name.eq_ignore_ascii_case(name))
}

/// Formats a code the way the table and the JSON report write it: `0x8024400E`.
pub fn format_code(code: u32) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut text = *b"0x00000000";
    for (i, digit) in text[2..].iter_mut().rev().enumerate() {
        *digit = HEX[(code >> (4 * i) & 0xF) as usize];
    }
    String::from_utf8_lossy(&text).into_owned()
}

/// Reads an error code as the logs and people write it.
///
/// Accepted, after trimming whitespace and one pair of surrounding brackets (`[8024400E]`):
/// * `0x` or `0X` and 1–8 hex digits (leading zeros beyond that are fine): `0x8024400E`;
/// * a bare group of **exactly 8** hex digits is hex, even when all of them are decimal
///   digits: `80070005` is `0x80070005`, because that is how `WindowsUpdate.log` writes codes
///   (`*FAILED* [80070005]`);
/// * other all-decimal text is decimal: unsigned `2149859342`, or signed (as in .NET or
///   PowerShell) `-2145107954`, which must fit an `i32`;
/// * other bare hex text that holds a letter `a`–`f` is hex: `2EE2`.
///
/// Anything else, and values that do not fit 32 bits, give `None`.
pub fn parse_code(text: &str) -> Option<u32> {
    let mut text = text.trim();
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        text = inner.trim();
    }
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return parse_hex(hex);
    }
    if let Some(decimal) = text.strip_prefix('-') {
        if !is_decimal(decimal) {
            return None;
        }
        let magnitude: i64 = decimal.parse().ok()?;
        return i32::try_from(-magnitude).ok().map(i32::cast_unsigned);
    }
    if text.len() == 8 {
        return parse_hex(text);
    }
    if is_decimal(text) {
        return text.parse().ok();
    }
    parse_hex(text)
}

fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn parse_hex(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// True when `code` is a real failure: the severity bit is set and the table does not mark the
/// code benign. Success codes (`S_OK`, `WU_S_*`) and benign codes such as `0x8024000C`
/// (`WU_E_NOOP`) are not failures.
pub fn is_failure(code: u32) -> bool {
    code & SEVERITY_ERROR != 0 && !lookup(code).is_some_and(|info| info.benign)
}

const SEVERITY_ERROR: u32 = 0x8000_0000;

/// Everything wsusdiag can say about one code, listed or not. Built by [`describe`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Description {
    /// The code as `0x8024400E`.
    pub code: String,
    /// The numeric value.
    pub value: u32,
    /// The SDK symbol, when the table has one.
    pub name: Option<&'static str>,
    /// The subsystem: the table's, or else the one its numeric range belongs to.
    pub component: Option<Component>,
    /// Human label of `component`.
    pub component_label: Option<&'static str>,
    /// The HRESULT facility field (bits 16–26): 36 for Windows Update, 7 for Win32.
    pub facility: u16,
    /// What it means: the table's text, or a note on the family for an unlisted code.
    pub description: &'static str,
    /// Whether the table has a row for this code.
    pub listed: bool,
    /// The HTTP status the code stands for.
    pub http_status: Option<u16>,
    /// The Win32 error number inside a `0x8007xxxx` code.
    pub win32_error: Option<u16>,
    /// See [`is_failure`].
    pub failure: bool,
    /// Not a failure in practice (see [`HresultInfo::benign`]).
    pub benign: bool,
    /// The WSUS server side failed or timed out (see [`HresultInfo::server_side`]).
    pub server_side: bool,
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)?;
        if let Some(name) = self.name {
            write!(f, " {name}")?;
        }
        if let Some(component) = self.component {
            write!(f, " [{component}]")?;
        }
        write!(f, ": {}", self.description)
    }
}

/// Describes any code: the table's row when there is one; otherwise the family its range
/// belongs to (`0x80244FFF`… → protocol-talker, `0x8007xxxx` → win32 with the Win32 number,
/// `0x80072EE0`–`0x800732C7` → winhttp, `0x8019xxxx` → bits with the HTTP status, `0x803Dxxxx`
/// → web-services, …).
pub fn describe(code: u32) -> Description {
    let win32_error =
        (code >> 16 == 0x8007).then(|| u16::try_from(code & 0xFFFF).unwrap_or(u16::MAX));
    let facility = u16::try_from((code >> 16) & 0x7FF).unwrap_or(u16::MAX);
    let (name, component, description, listed, http_status, benign, server_side) = match lookup(
        code,
    ) {
        Some(info) => (
            info.symbol(),
            Some(info.component),
            info.description,
            true,
            info.http_status,
            info.benign,
            info.server_side,
        ),
        None => {
            let component = range_component(code);
            let description = match component {
                Some(component) => component.unlisted(),
                None if code & SEVERITY_ERROR == 0 => {
                    "A success or informational code (severity bit clear); not a failure."
                }
                None => {
                    "Not a code wsusdiag knows; search for it together with the component that logged it."
                }
            };
            let http_status = (code >> 16 == 0x8019)
                .then(|| u16::try_from(code & 0xFFFF).ok())
                .flatten()
                .filter(|status| (100..=599).contains(status));
            (
                None,
                component,
                description,
                false,
                http_status,
                false,
                false,
            )
        }
    };
    Description {
        code: format_code(code),
        value: code,
        name,
        component,
        component_label: component.map(Component::label),
        facility,
        description,
        listed,
        http_status,
        win32_error,
        failure: is_failure(code),
        benign,
        server_side,
    }
}

/// The component a code's numeric range belongs to, regardless of whether the table lists it.
fn range_component(code: u32) -> Option<Component> {
    let component = match code >> 16 {
        0x0024 => Component::Success,
        0x8024 => match (code >> 12) & 0xF {
            0x0 if code & 0xFFFF_FF00 == 0x8024_0400 => Component::ProtocolTalker,
            0x0 => Component::Agent,
            0x1 => Component::WindowsInstaller,
            0x2 => Component::Handler,
            0x3 => Component::Ui,
            0x4 => Component::ProtocolTalker,
            0x5 if code & 0xF00 == 0x100 => Component::Sih,
            0x5 => Component::Redirector,
            0x6 => Component::DownloadManager,
            0x7 if code & 0xF00 == 0x100 => Component::MetadataIntegrity,
            0x7 => Component::OfflineScan,
            0x8 => Component::Datastore,
            0x9 => Component::Inventory,
            0xA => Component::AutomaticUpdates,
            0xB => Component::Task,
            0xC => Component::Driver,
            0xD => Component::Setup,
            0xE => Component::ExpressionEvaluator,
            _ => Component::Reporter,
        },
        0x8000 => Component::Com,
        0x8007 if (12000..=12999).contains(&(code & 0xFFFF)) => Component::WinHttp,
        0x8007 => Component::Win32,
        0x8009 | 0x800B => Component::Certificate,
        0x800F => Component::Servicing,
        0x8019 | 0x8020 => Component::Bits,
        0x803D => Component::WebServices,
        0x80D0 => Component::DeliveryOptimization,
        0xC180 => Component::Upgrade,
        0x87D0 => Component::ConfigMgr,
        _ => return None,
    };
    Some(component)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_written_as_eight_upper_case_hex_digits() {
        for code in [0, 1, 0xA, 0x8024_400E, 0x800B_0109, 0x0000_F00D, u32::MAX] {
            assert_eq!(format_code(code), format!("0x{code:08X}"));
        }
    }

    #[test]
    fn table_is_strictly_sorted_so_binary_search_works() {
        assert!(TABLE.windows(2).all(|pair| pair[0].code < pair[1].code));
        for info in table() {
            assert_eq!(lookup(info.code).map(|found| found.code), Some(info.code));
        }
    }

    #[test]
    fn listed_rows_sit_in_their_numeric_family() {
        // WU_E_SERVICEPROP_NOTAVAIL is a general agent code inside the NWS Protocol Talker block.
        const EXCEPTIONS: &[u32] = &[0x8024_043D];
        for info in table() {
            if EXCEPTIONS.contains(&info.code) {
                assert_eq!(info.component, Component::Agent);
                continue;
            }
            assert_eq!(
                range_component(info.code),
                Some(info.component),
                "{} {} is filed under {} but its range says otherwise",
                format_code(info.code),
                info.name,
                info.component
            );
        }
    }

    #[test]
    fn component_names_round_trip_and_are_distinct() {
        for component in Component::ALL {
            assert_eq!(Component::from_name(component.as_str()), Some(component));
            assert_eq!(component.to_string(), component.as_str());
            assert!(!component.label().is_empty());
        }
        let mut names: Vec<_> = Component::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Component::ALL.len());
        assert_eq!(Component::from_name("Protocol-Talker"), None);
    }

    #[test]
    fn unlisted_codes_in_a_known_range_get_their_family() {
        let d = describe(0x8024_4FFE);
        assert!(!d.listed);
        assert_eq!(d.component, Some(Component::ProtocolTalker));
        assert_eq!(d.facility, 36);
        assert!(d.failure);
        assert_eq!(describe(0x8024_5150).component, Some(Component::Sih));
        assert_eq!(describe(0x8024_5050).component, Some(Component::Redirector));
        assert_eq!(
            describe(0x8024_71F0).component,
            Some(Component::MetadataIntegrity)
        );
        assert_eq!(
            describe(0x8024_7050).component,
            Some(Component::OfflineScan)
        );
        assert_eq!(
            describe(0x8024_0450).component,
            Some(Component::ProtocolTalker)
        );
        assert_eq!(describe(0x8024_0500).component, Some(Component::Agent));
        assert_eq!(describe(0x0024_0FFF).component, Some(Component::Success));
        assert!(!describe(0x0024_0FFF).failure);
    }
}
