//! What a Configuration Manager log entry says: scans and their failures, the update source
//! in use, Group Policy conflicts on the client; syncs, WSUS configuration and HTTP errors and
//! status messages on the site server.

use super::tokens::{between, find, holds, number};

/// The meaning of one ConfigMgr entry, borrowed from its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigMgrEvent<'a> {
    /// `Async searching of updates using WUAgent started.`
    ScanStarted,
    /// `Successfully completed scan.` / `Async searching completed.`
    ScanCompleted,
    /// `Scan failed with error = 0x…`, `OnSearchComplete - Failed to end search job. Error = 0x…`,
    /// `Failed at AddUpdateSource, Error = 0x…`.
    ScanFailed {
        /// The HRESULT reported.
        code: u32,
    },
    /// `Its a WSUS Update Source type ({…}), adding it.`
    UpdateSource {
        /// The update source's ID, braces included.
        id: &'a str,
    },
    /// `Enabling WUA Managed server policy to use server: http://…`, or `Existing WUA Managed
    /// server was already set (https://…), skipping Group Policy registration.`
    ManagedServer {
        /// The WSUS URL given to Windows Update.
        url: &'a str,
    },
    /// `Group policy settings were overwritten by a higher authority (…) to: Server http://…`
    PolicyOverridden {
        /// The server the domain policy names, as written.
        server: Option<&'a str>,
    },
    /// An install or download failure with its code (`… failed … 0x…` from the updates agents).
    UpdateFailed {
        /// The HRESULT reported.
        code: u32,
    },
    /// `Starting Sync` on the site server.
    SyncStarted,
    /// `Sync succeeded.` / `Done synchronizing WSUS Server …`
    SyncSucceeded,
    /// `Sync failed: …`: what follows the colon.
    SyncFailed {
        /// The reason as written (`WSUS server not configured. …`).
        reason: &'a str,
        /// An HRESULT in the reason, if any.
        code: Option<u32>,
    },
    /// `The request failed with HTTP status 503` (WCM, WSyncMgr).
    HttpError {
        /// The HTTP status.
        status: u16,
    },
    /// A communication failure of the site server with WSUS or upstream
    /// (`UssCommunicationError`, `SoapException`, `WebException` without a status).
    CommunicationError {
        /// The message as written.
        text: &'a str,
    },
    /// `STATMSG: ID=6703 …` with its `LE=` code when written.
    StatusMessage {
        /// The status message ID.
        id: u32,
        /// The `LE=` code, read as an HRESULT.
        code: Option<u32>,
    },
    /// Any other failure the entry states in words (`Failed to sync update …`,
    /// `Failed to set Subscriptions on the WSUS Server. …`, `ERROR: … failed with hr=0x…`).
    OtherFailure {
        /// The first HRESULT in the message, if any.
        code: Option<u32>,
    },
}

impl ConfigMgrEvent<'_> {
    /// The HRESULT the event reports, if any.
    pub fn code(&self) -> Option<u32> {
        match *self {
            Self::ScanFailed { code } | Self::UpdateFailed { code } => Some(code),
            Self::SyncFailed { code, .. }
            | Self::StatusMessage { code, .. }
            | Self::OtherFailure { code } => code,
            _ => None,
        }
    }

    /// Whether the event is a failure.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::ScanFailed { .. }
                | Self::UpdateFailed { .. }
                | Self::SyncFailed { .. }
                | Self::HttpError { .. }
                | Self::CommunicationError { .. }
                | Self::OtherFailure { .. }
        ) || matches!(self, Self::StatusMessage { id: 6703, .. })
    }
}

/// Every failure code in a message, in any notation ([`super::codes`]): the site server's
/// .NET code writes them as signed decimals (`-2147467259`).
pub fn codes(message: &str) -> impl Iterator<Item = u32> + '_ {
    super::tokens::codes(message).filter(|c| c & 0x8000_0000 != 0)
}

fn first_code(message: &str) -> Option<u32> {
    codes(message).next()
}

/// What `message` says, if it is one of the entries wsusdiag knows.
pub fn configmgr_event(message: &str) -> Option<ConfigMgrEvent<'_>> {
    use ConfigMgrEvent as E;
    let m = message;
    if holds(m, "Scan failed with error")
        || holds(m, "Failed to end search job")
        || holds(m, "Failed at AddUpdateSource")
        || holds(m, "Failed to Add Update Source")
    {
        return first_code(m).map(|code| E::ScanFailed { code });
    }
    if holds(m, "Async searching of updates using WUAgent started") {
        return Some(E::ScanStarted);
    }
    if holds(m, "Successfully completed scan") {
        return Some(E::ScanCompleted);
    }
    if let Some(at) = find(m, "Its a WSUS Update Source type (") {
        return between(&m[at..], "(", ")").map(|id| E::UpdateSource { id });
    }
    if let Some(at) = find(m, "Enabling WUA Managed server policy to use server:") {
        let url = m[at + 49..].trim().trim_matches(['`', '<', '>', '.']);
        return Some(E::ManagedServer { url });
    }
    if let Some(at) = find(m, "Existing WUA Managed server was already set (") {
        let rest = &m[at + 45..];
        if let Some(url) = rest.split(')').next().filter(|u| u.contains("://")) {
            return Some(E::ManagedServer { url });
        }
    }
    if holds(
        m,
        "Group policy settings were overwritten by a higher authority",
    ) {
        let server = find(m, "Server ").map(|at| {
            let rest = &m[at + 7..];
            rest.split_whitespace().next().unwrap_or(rest)
        });
        return Some(E::PolicyOverridden { server });
    }
    if m.starts_with("STATMSG: ") {
        let id = number(m, "ID")?;
        let code = find(m, " LE=").and_then(|at| {
            let v = &m[at + 4..];
            first_code_of_field(v.split_whitespace().next().unwrap_or(v))
        });
        return Some(E::StatusMessage {
            id: u32::try_from(id).ok()?,
            code,
        });
    }
    if let Some(at) = find(m, "Sync failed: ").or_else(|| find(m, "Sync Failed: ")) {
        let reason = m[at + 13..].trim();
        return Some(E::SyncFailed {
            reason,
            code: first_code(reason),
        });
    }
    if m.trim_end() == "Starting Sync" {
        return Some(E::SyncStarted);
    }
    if m.starts_with("Sync succeeded") {
        return Some(E::SyncSucceeded);
    }
    if holds(m, "request failed with")
        && let Some(at) = find(m, "HTTP status")
    {
        // Pages put the status in bold: `**HTTP status 503**`.
        let digits: String = m[at + 11..]
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        return digits.parse().ok().map(|status| E::HttpError { status });
    }
    if holds(m, "UssCommunicationError") || holds(m, "SoapException") || holds(m, "WebException") {
        return Some(E::CommunicationError { text: m.trim() });
    }
    if (holds(m, "Failed to download")
        || holds(m, "Failed to install")
        || holds(m, "failed to install")
        || holds(m, "Failed to initiate install")
        || holds(m, "Failed to start batch install")
        || holds(m, "InstallUpdatesInBatch failed")
        || m.starts_with("Job error ("))
        && let Some(code) = first_code(m)
    {
        return Some(E::UpdateFailed { code });
    }
    // `Update (…) Progress: Status = ciStateError, …, Result = 0x87d00664`
    if holds(m, "Status = ciStateError")
        && let Some(code) = find(m, "Result = ").and_then(|at| first_code(&m[at..]))
    {
        return Some(E::UpdateFailed { code });
    }
    states_failure(m).then(|| E::OtherFailure {
        code: first_code(m),
    })
}

/// Whether a message says in words that something failed: `Failed to …`, `ERROR: …`, or
/// `… failed with …` / `… failed for …`.
fn states_failure(message: &str) -> bool {
    let m = message.trim_start();
    m.starts_with("Failed to ")
        || m.starts_with("ERROR: ")
        || holds(m, " failed with ")
        || holds(m, " failed for ")
}

/// The code of an `LE=` field: hex (`0x…`) or signed decimal.
fn first_code_of_field(value: &str) -> Option<u32> {
    let v = value.trim_matches('"');
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    v.parse::<i64>()
        .ok()
        .filter(|&n| n != 0 && n >= i64::from(i32::MIN) && n <= i64::from(u32::MAX))
        .map(|n| n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_codes_are_hresults() {
        assert_eq!(
            codes("Sync failed: UssCommunicationError: WebException: -2147467259")
                .collect::<Vec<_>>(),
            [0x8000_4005]
        );
        assert_eq!(codes("port -1234567890x").count(), 0);
    }

    #[test]
    fn a_scan_failure_and_its_code() {
        let e = configmgr_event("OnSearchComplete - Failed to end search job. Error = 0x80244022.");
        assert_eq!(e, Some(ConfigMgrEvent::ScanFailed { code: 0x8024_4022 }));
        let e = configmgr_event("CScanJob::Execute- Failed at AddUpdateSource, Error = 0x87d00692");
        assert_eq!(e.and_then(|e| e.code()), Some(0x87D0_0692));
    }
}
