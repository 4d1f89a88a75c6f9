//! Whose server a URL is: a WSUS server or one of Microsoft's, and which update service a
//! client's `Server URL` line names.

use crate::named::named_enum;

named_enum! {
    /// Whose server a call went to.
    #[derive(Default)]
    pub enum EndpointKind {
        /// A WSUS (or Configuration Manager software update point) server.
        Wsus = "wsus",
        /// Microsoft's servers: Windows Update, Microsoft Update, the Store, the CDN.
        Microsoft = "microsoft",
        /// The log does not say.
        #[default]
        Unknown = "unknown",
    }
}

/// Domains whose hosts are Microsoft's.
const MICROSOFT_DOMAINS: [&str; 5] = [
    "microsoft.com",
    "windowsupdate.com",
    "windows.com",
    "microsoft.net",
    "msft.net",
];

impl EndpointKind {
    /// Whose server `url` is; a client whose policy names a WSUS server is taken to use it
    /// when the call's URL is not known.
    pub fn of(url: Option<&str>, policy_wsus: bool) -> Self {
        let Some(url) = url else {
            return if policy_wsus {
                Self::Wsus
            } else {
                Self::Unknown
            };
        };
        let host = host(url).as_bytes();
        // The domain itself or a host under it, in any case, without allocating.
        let under = |d: &str| {
            host.len() >= d.len()
                && host[host.len() - d.len()..].eq_ignore_ascii_case(d.as_bytes())
                && (host.len() == d.len() || host[host.len() - d.len() - 1] == b'.')
        };
        if MICROSOFT_DOMAINS.into_iter().any(under) {
            Self::Microsoft
        } else {
            Self::Wsus
        }
    }
}

named_enum! {
    /// An update service a client talked to.
    pub enum UpdateSource {
        /// A WSUS server (or a Configuration Manager software update point).
        Wsus = "wsus",
        /// Windows Update.
        WindowsUpdate = "windows-update",
        /// Microsoft Update (Windows Update with other Microsoft products).
        MicrosoftUpdate = "microsoft-update",
        /// The Microsoft Store.
        Store = "store",
        /// Windows Insider flighting and driver service.
        Flighting = "flighting",
        /// Another Microsoft host.
        Microsoft = "microsoft",
    }
}

impl UpdateSource {
    /// Which update service a `Server URL` belongs to: by its service ID or, without one,
    /// whose host it is.
    pub fn of(url: &str, service_id: Option<&str>) -> Self {
        const SERVICES: [(&str, UpdateSource); 5] = [
            ("3DA21691-E39D-4DA6-8A4B-B43877BCB1B7", UpdateSource::Wsus),
            (
                "9482F4B4-E343-43B6-B170-9A65BC822C77",
                UpdateSource::WindowsUpdate,
            ),
            (
                "7971F918-A847-4430-9279-4A52D1EFE18D",
                UpdateSource::MicrosoftUpdate,
            ),
            ("855E8A7C-ECB4-4CA3-B045-1DFA50104289", UpdateSource::Store),
            (
                "8B24B027-1DEE-BABB-9A95-3517DFB9C552",
                UpdateSource::Flighting,
            ),
        ];
        let id = service_id.unwrap_or("");
        if let Some(&(_, source)) = SERVICES.iter().find(|(s, _)| s.eq_ignore_ascii_case(id)) {
            return source;
        }
        match EndpointKind::of(Some(url), false) {
            EndpointKind::Microsoft => Self::Microsoft,
            _ => Self::Wsus,
        }
    }
}

/// The host of a URL (`http://wsus:8530/x` → `wsus`).
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest
        .find(['/', ':', '?', '\'', '"', ' '])
        .unwrap_or(rest.len());
    &rest[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_under_microsoft_domains_are_microsoft_in_any_case() {
        let of = |u| EndpointKind::of(Some(u), false);
        assert_eq!(
            of("https://fe2cr.update.microsoft.com/v6/ClientWebService/client.asmx"),
            EndpointKind::Microsoft
        );
        assert_eq!(
            of("http://DOWNLOAD.WindowsUpdate.com/x.cab"),
            EndpointKind::Microsoft
        );
        assert_eq!(of("https://notmicrosoft.com/x"), EndpointKind::Wsus);
        assert_eq!(of("http://wsus01:8530/x"), EndpointKind::Wsus);
        assert_eq!(EndpointKind::of(None, true), EndpointKind::Wsus);
        assert_eq!(EndpointKind::of(None, false), EndpointKind::Unknown);
    }

    #[test]
    fn a_service_id_names_the_source_before_the_host() {
        let store = "855e8a7c-ecb4-4ca3-b045-1dfa50104289";
        assert_eq!(
            UpdateSource::of("https://fe3cr.delivery.mp.microsoft.com/", Some(store)),
            UpdateSource::Store
        );
        assert_eq!(
            UpdateSource::of("https://sls.update.microsoft.com/", None),
            UpdateSource::Microsoft
        );
        assert_eq!(
            UpdateSource::of("https://SCCM-SS-E1.PALAC.ES:8531", None),
            UpdateSource::Wsus
        );
        assert_eq!(
            host("https://SCCM-SS-E1.PALAC.ES:8531/x"),
            "SCCM-SS-E1.PALAC.ES"
        );
    }
}
