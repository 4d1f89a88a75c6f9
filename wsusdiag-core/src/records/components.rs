//! The client components Windows Update writes, used to recognise entries that lost their date.

/// Components of the classic log (KB 902093 and as actually written) and of the Windows 10
/// text, spelled as the logs spell them.
const KNOWN: &[&str] = &[
    "Agent",
    "API",
    "AppAU",
    "AU",
    "AUClnt",
    "CDM",
    "CMPRESS",
    "ComApi",
    "DataStore",
    "Deployment",
    "DnldMgr",
    "DownloadManager",
    "Driver",
    "DtaStor",
    "DwnldMgr",
    "EEHandler",
    "EEHndler",
    "EndpointProvider",
    "EP",
    "Handler",
    "IdleTimer",
    "IdleTmr",
    "Inventory",
    "Misc",
    "OfflineSync",
    "OfflSnc",
    "Parser",
    "ProtocolTalker",
    "PT",
    "Report",
    "Reporter",
    "SelfUpdate",
    "Service",
    "Setup",
    "Shared",
    "Shutdwn",
    "SIH",
    "SLS",
    "Timer",
    "WebServices",
    "WS",
    "WuRedir",
    "WuTask",
    "WUWeb",
];

/// Module tags of the WPP traces of Windows 10 1507 to 1703 that are no log component
/// (`[0]39A0.357C::10/28/2017-18:24:12.150 [store]Datastore directory: …`), as real
/// trace-formatter output shows them.
const TRACE_MODULES: &[&str] = &["store", "susenginelib", "regutil"];

/// Whether `name` is a component Windows Update is known to write (case-insensitive).
pub fn is_known_component(name: &str) -> bool {
    canonical_component(name).is_some()
}

/// The spelling the logs use for the component `name` (case-insensitive): `agent` is `Agent`.
pub(crate) fn canonical_component(name: &str) -> Option<&'static str> {
    if name.len() > 16 {
        return None;
    }
    KNOWN
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .copied()
}

/// What a trace-formatter line's bracketed tag names, as an entry's component: a known
/// component in its usual spelling, or a WPP module tag as it is; `None` for other providers'
/// tags.
pub(crate) fn trace_component(tag: &str) -> Option<&str> {
    canonical_component(tag).or_else(|| TRACE_MODULES.contains(&tag).then_some(tag))
}

#[cfg(test)]
mod tests {
    #[test]
    fn case_insensitive() {
        assert!(super::is_known_component("DnldMgr"));
        assert!(super::is_known_component("ProtocolTalker"));
        assert!(!super::is_known_component("Found"));
        assert_eq!(super::canonical_component("agent"), Some("Agent"));
        assert_eq!(super::canonical_component("COMAPI"), Some("ComApi"));
        assert_eq!(super::trace_component("store"), Some("store"));
        assert_eq!(super::trace_component("IddCx"), None);
    }
}
