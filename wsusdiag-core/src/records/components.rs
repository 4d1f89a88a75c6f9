//! The client components Windows Update writes, used to recognise entries that lost their date.

/// Components of the classic log (KB 902093 and as actually written) and of the Windows 10
/// text, upper-cased.
const KNOWN: &[&str] = &[
    "AGENT",
    "API",
    "APPAU",
    "AU",
    "AUCLNT",
    "CDM",
    "CMPRESS",
    "COMAPI",
    "DATASTORE",
    "DEPLOYMENT",
    "DNLDMGR",
    "DOWNLOADMANAGER",
    "DRIVER",
    "DTASTOR",
    "DWNLDMGR",
    "EEHANDLER",
    "EEHNDLER",
    "ENDPOINTPROVIDER",
    "EP",
    "HANDLER",
    "IDLETIMER",
    "IDLETMR",
    "INVENTORY",
    "MISC",
    "OFFLINESYNC",
    "OFFLSNC",
    "PARSER",
    "PROTOCOLTALKER",
    "PT",
    "REPORT",
    "REPORTER",
    "SELFUPDATE",
    "SERVICE",
    "SETUP",
    "SHARED",
    "SHUTDWN",
    "SIH",
    "SLS",
    "TIMER",
    "WEBSERVICES",
    "WS",
    "WUREDIR",
    "WUTASK",
    "WUWEB",
];

/// Whether `name` is a component Windows Update is known to write (case-insensitive).
pub fn is_known_component(name: &str) -> bool {
    name.len() <= 16 && KNOWN.iter().any(|known| known.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    #[test]
    fn case_insensitive() {
        assert!(super::is_known_component("DnldMgr"));
        assert!(super::is_known_component("ProtocolTalker"));
        assert!(!super::is_known_component("Found"));
    }
}
