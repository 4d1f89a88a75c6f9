//! Lines that conclude a client operation: a scan's exit code, a download's error, an install's
//! per-update result, and the caller's own view of the same call (`Result code`, `Call error
//! code`, the call's counts, the callback).
//!
//! Windows 10 logs one failure on many lines: the `*FAILED*` traces of each layer it passes
//! through, then the outcome of the operation, then the caller's repeat of that outcome. Only
//! the outcome says how the operation ended; this module reads those lines.

use crate::named::named_enum;

use super::keywords::{Key, Keys};
use super::tokens::{field, find, first_hresult, holds, number, trim};
use crate::knowledge::hresult;

/// `WU_E_CALL_CANCELLED`: the caller cancelled the call.
pub const CALL_CANCELLED: u32 = 0x8024_000B;
/// `WU_E_ALL_UPDATES_FAILED`: the call's status when every update in it failed; the updates'
/// own results say why.
pub const ALL_UPDATES_FAILED: u32 = 0x8024_0022;

named_enum! {
    /// A client operation, as its outcome lines name it.
    pub enum Operation {
        /// A search for updates (a detection, a scan).
        Scan = "scan",
        /// A download of update content.
        Download = "download",
        /// An installation.
        Install = "install",
        /// Reporting events to the server.
        Reporting = "reporting",
        /// The agent's check for a newer version of itself.
        SelfUpdate = "self-update",
        /// A call of the Windows Update API whose kind the line does not say.
        Call = "call",
    }
}

/// How an operation ended, as one line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It succeeded (a success code, or a count with no failure).
    Succeeded,
    /// It failed, with the code when the line gives one.
    Failed(Option<u32>),
    /// The caller cancelled it: not a failure.
    Cancelled,
}

impl Ended {
    /// How a line's code says the operation ended.
    pub fn of(code: u32) -> Self {
        if code == CALL_CANCELLED {
            Self::Cancelled
        } else if hresult::is_failure(code) {
            Self::Failed(Some(code))
        } else {
            Self::Succeeded
        }
    }
}

/// One line that concludes an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// The call's ID (`{6217E6E8-…}` of a callback), when the line gives it.
    pub call: Option<&'a str>,
    /// The operation it concludes.
    pub operation: Operation,
    /// How it ended.
    pub ended: Ended,
    /// Whether the line repeats an outcome logged on its own line (the caller's view of the
    /// call, its counts, the callback): it adds to a failure, and starts one only when the
    /// outcome itself was not logged.
    pub repeat: bool,
}

impl Outcome<'_> {
    /// The outcome a line with `code` states of `operation`, on a line of its own.
    pub fn of(operation: Operation, code: u32) -> Self {
        Self::new(operation, Ended::of(code), false)
    }

    fn new(operation: Operation, ended: Ended, repeat: bool) -> Self {
        Self {
            call: None,
            operation,
            ended,
            repeat,
        }
    }
}

/// A code written as hex with or without `0x` (`0x80240022`, `80070643`, `240006`), or `0`.
pub(crate) fn hex_code(s: &str) -> Option<u32> {
    let s = trim(s);
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let n = digits.bytes().take_while(u8::is_ascii_hexdigit).count();
    if !(1..=8).contains(&n) {
        return None;
    }
    u32::from_str_radix(&digits[..n], 16).ok()
}

/// The outcome a message (without its severity prefix) states, if it states one.
pub(crate) fn outcome(m: &str, keys: Keys) -> Option<Outcome<'_>> {
    use Operation::{Call, Download, Install, Scan};
    if !keys.has(Key::Outcome) {
        return None;
    }
    // The caller's view: `Exit code = 0x00000000, Result code = 0x80240438` (a search) or
    // `Exit code = 0x00000000; Call error code = 0x80240022` (any call). Its own `Exit code`
    // only says the API call returned.
    for key in ["Result code", "Call error code"] {
        if let Some(code) = field(m, key).and_then(hex_code) {
            return Some(Outcome::new(Call, Ended::of(code), true));
        }
    }
    if let Some(at) = find(m, " call complete (") {
        let operation = match m[..at].rsplit(' ').next() {
            Some("Download") => Download,
            Some("Install" | "Uninstall") => Install,
            _ => Call,
        };
        let count = |k| number(m, k).unwrap_or(0);
        let ended = if count("failed") > 0 {
            Ended::Failed(None)
        } else if count("cancelled") > 0 && count("succeeded") == 0 {
            Ended::Cancelled
        } else {
            Ended::Succeeded
        };
        return Some(Outcome::new(operation, ended, true));
    }
    if let Some(code) = field(m, "resultMapped").and_then(hex_code) {
        let operation = match field(m, "operation") {
            Some("Download") => Download,
            _ => Install,
        };
        return Some(Outcome::new(operation, Ended::of(code), false));
    }
    // `Deploy call … : deployment callback for top-level update …, callback code = Update
    // failed, …, mapped result = 0x80070002, unmapped result = …`: the update's own result.
    if holds(m, "callback code = Update failed")
        && let Some(code) = field(m, "mapped result").and_then(hex_code)
    {
        let ended = match Ended::of(code) {
            Ended::Succeeded => Ended::Failed(None),
            e => e,
        };
        return Some(Outcome::new(Install, ended, false));
    }
    if let Some(code) = field(m, "hrDeploy").and_then(hex_code) {
        return Some(Outcome::new(Install, Ended::of(code), false));
    }
    if holds(m, "occurred while downloading") {
        return Some(Outcome::new(
            Download,
            Ended::Failed(first_hresult(m)),
            false,
        ));
    }
    if let Some(at) = find(m, "with code Call ") {
        let operation = if holds(&m[..at], "download call") {
            Download
        } else if holds(&m[..at], "Deploy call") {
            Install
        } else {
            Call
        };
        let said = &m[at + "with code Call ".len()..];
        let ended = if said.starts_with("Aborted") {
            Ended::Cancelled
        } else if said.starts_with("complete") {
            Ended::of(
                field(said, "error")
                    .or_else(|| after_word(said, "error"))
                    .and_then(hex_code)
                    .unwrap_or(0),
            )
        } else {
            // `Call progress and error 0`: the call goes on.
            return None;
        };
        let call = find(&m[..at], "{").and_then(|i| {
            let id = &m[i + 1..at];
            id.find('}').map(|end| &id[..end])
        });
        return Some(Outcome {
            call,
            ..Outcome::new(operation, ended, true)
        });
    }
    if holds(m, "Download Call Complete") {
        // The download manager ends the call; whether it failed, the download error just
        // before it says.
        return Some(Outcome::new(Download, Ended::Failed(None), true));
    }
    if holds(m, "federated searches have completed") {
        let ended = match (number(m, "Jobs"), number(m, "Succeeded")) {
            (Some(jobs), Some(0)) if jobs > 0 => Ended::Failed(None),
            _ => Ended::Succeeded,
        };
        return Some(Outcome::new(Scan, ended, true));
    }
    if holds(m, "completed successfully") && (holds(m, "DO job") || holds(m, "BITS job")) {
        return Some(Outcome::new(Download, Ended::Succeeded, false));
    }
    if holds(m, "deployment completed: Status") {
        // A handler's failed deployment is a trace: an app's deployment also fails when its
        // download does, and the install's outcome is on the agent's lines.
        let ended = field(m, "HR").and_then(hex_code).map(Ended::of);
        return match ended {
            Some(Ended::Succeeded) => Some(Outcome::new(Install, Ended::Succeeded, false)),
            _ => None,
        };
    }
    classic_repeat(m)
}

/// The lines of a classic log that repeat an outcome logged before them, and the operation
/// each names; the first that a message holds counts.
const CLASSIC_REPEATS: [(&str, Operation); 8] = [
    // The agent, after a scan's `Exit code`.
    ("WU client failed Searching", Operation::Scan),
    ("WU client failed", Operation::Call),
    // Automatic Updates, its caller.
    ("Search callback failed", Operation::Scan),
    ("Failed to find updates with error", Operation::Scan),
    ("Download failed, error = ", Operation::Download),
    ("Install failed, error = ", Operation::Install),
    // Another process's API call, when the agent's answer reaches it.
    ("Unable to complete asynchronous search", Operation::Scan),
    ("Operation failed due to earlier error", Operation::Call),
];

/// A classic log's repeat of an outcome: the agent's, Automatic Updates' or an API caller's
/// view of it ([`CLASSIC_REPEATS`]), or the reporter's `REPORT EVENT: … <code> … Failure
/// <category> …`, which it logs up to minutes later.
fn classic_repeat(m: &str) -> Option<Outcome<'_>> {
    let operation = if holds(m, "REPORT EVENT") {
        if !holds(m, "\tFailure\t") {
            return None;
        }
        [
            ("Software Synchronization", Operation::Scan),
            ("Content Download", Operation::Download),
            ("Content Install", Operation::Install),
        ]
        .into_iter()
        .find(|(category, _)| holds(m, category))
        .map_or(Operation::Call, |(_, operation)| operation)
    } else {
        CLASSIC_REPEATS
            .into_iter()
            .find(|(words, _)| holds(m, words))?
            .1
    };
    let ended = first_hresult(m).map_or(Ended::Failed(None), Ended::of);
    Some(Outcome::new(operation, ended, true))
}

/// The word after `key ` (`error 0x80240061`), up to a blank.
fn after_word<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let rest = trim(&s[find(s, key)? + key.len()..]);
    Some(rest.split(' ').next().unwrap_or(rest))
}

/// The operation a `* START *` line begins, when it is one wsusdiag follows.
pub(crate) fn started(m: &str) -> Option<Operation> {
    let at = find(m, "START *")?;
    let what = trim(&m[at + "START *".len()..]);
    let what = what.strip_prefix("Federated ").unwrap_or(what);
    if what.starts_with("Download") || what.starts_with("Begin Downloading") {
        Some(Operation::Download)
    } else if what.starts_with("Install") {
        Some(Operation::Install)
    } else if what.starts_with("Search") {
        Some(Operation::Scan)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::keywords::{Keys, words};

    fn read(m: &str) -> Option<Outcome<'_>> {
        let w: Vec<_> = words(m).collect();
        outcome(m, Keys::of(&w, 0))
    }

    fn failed(op: Operation, code: Option<u32>, repeat: bool) -> Option<Outcome<'static>> {
        Some(Outcome::new(op, Ended::Failed(code), repeat))
    }

    #[test]
    fn a_download_failure_and_its_repeats() {
        // Lines of one failed driver download (Windows 10 22H2, 2023).
        assert_eq!(
            read(
                "FAILED* [80240061] Error occurred while downloading update 4E95DCBD-E67C-46AF-985B-F29D655C3480.1; notifying dependent calls."
            ),
            failed(Operation::Download, Some(0x8024_0061), false)
        );
        assert_eq!(
            read(
                "Download call complete (succeeded = 0, succeeded with errors = 0, failed = 1, cancelled = 0, unaccounted = 0)"
            ),
            failed(Operation::Download, None, true)
        );
        assert_eq!(
            read(
                "ClientId = Device Driver Retrieval Client: Exit code = 0x00000000; Call error code = 0x80240022"
            ),
            failed(Operation::Call, Some(ALL_UPDATES_FAILED), true)
        );
        let callback = read(
            "WU client calls back to download call {6217E6E8-5B5C-4FB2-93D1-F4902AEA9F3F} with code Call complete and error 0x80240061",
        );
        assert_eq!(
            callback.map(|o| o.call),
            Some(Some("6217E6E8-5B5C-4FB2-93D1-F4902AEA9F3F"))
        );
        assert_eq!(
            callback.map(|o| Outcome { call: None, ..o }),
            failed(Operation::Download, Some(0x8024_0061), true)
        );
        assert_eq!(
            read(
                "WU client calls back to download call {6217E6E8-5B5C-4FB2-93D1-F4902AEA9F3F} with code Call progress and error 0"
            ),
            None
        );
        assert_eq!(
            read("Error 0x800706d9 occurred while downloading update; notifying dependent calls."),
            failed(Operation::Download, Some(0x8007_06D9), false)
        );
    }

    #[test]
    fn installs_scans_and_cancellations() {
        assert_eq!(
            read(
                "LogHistory called.   idUpdate={E0F87EBF-B414-4AC7-A225-8FE802CF8618}.1, resultMapped=80070643,   resultUnMapped=FFFE"
            ),
            failed(Operation::Install, Some(0x8007_0643), false)
        );
        // 0x00240006 is a success code (WU_S_ALREADY_INSTALLED).
        assert_eq!(
            read(
                "LogHistory called for Caller=Update;ScanForUpdatesForUser, idUpdate=EBA8AD0A-781B-427D-B042-67ED57E88F3D.1, operation = Install, resultMapped=240006, resultUnMapped=0"
            ),
            Some(Outcome::new(Operation::Install, Ended::Succeeded, false))
        );
        assert_eq!(
            read(
                "Deployment job Id 91356ACB-5B40-4330-831F-EAA5A8969F83 : Method failed for update 1FD1F8D3-6ACF-4D1B-8C29-ADCAB6B4F8B6.1, hrDeploy = 0x8024200b"
            ),
            failed(Operation::Install, Some(0x8024_200B), false)
        );
        assert_eq!(
            read(
                "{4567C126-70CC-42AA-A348-B813B8A45B24} deployment completed: Status: Completed, HR: 0x00000000, Extended HR: 0x00000000"
            ),
            Some(Outcome::new(Operation::Install, Ended::Succeeded, false))
        );
        assert_eq!(
            read(
                "{243A9749-DDB7-493C-8C19-CED4BAB5E21F} deployment completed: Status: Error, HR: 0x80073cf0, Extended HR: 0x8000000b"
            ),
            None
        );
        assert_eq!(
            read(
                "Exit code = 0x00000000, Result code = 0x80240438 (cV = LZNV0g7tTUO/Mwy8.0.1.1.0)"
            ),
            failed(Operation::Call, Some(0x8024_0438), true)
        );
        assert_eq!(
            read(
                "END *   All federated searches have completed. Jobs = 2, Succeeded = 0, ClientId = MoUpdateOrchestrator (cV = LZNV0g7tTUO/Mwy8.0.1.2)"
            ),
            failed(Operation::Scan, None, true)
        );
        assert_eq!(
            read("WU client calls back to download call {F36E6EE2-F235-4077-B18C-3C8AC58276E1} with code Call Aborted and error 0x8024000b")
                .map(|o| o.ended),
            Some(Ended::Cancelled)
        );
        assert_eq!(
            read(
                "ClientId = UpdateOrchestrator Exit code = 0x00000000; Call error code = 0x8024000B"
            ),
            Some(Outcome::new(Operation::Call, Ended::Cancelled, true))
        );
        assert_eq!(
            read(
                "DO job {DE61174B-2C0C-470F-B139-E460FA2DAC51} completed successfully, updateId = CA306F02-EC58-4DC0-8DAF-DC43650ADC3B.1"
            ),
            Some(Outcome::new(Operation::Download, Ended::Succeeded, false))
        );
        assert_eq!(
            read("Deploy call B04B0AAD-050A-4C36-B4C3-2320DC98256D : Callback to client with code Call complete and error 0 ")
                .map(|o| (o.operation, o.ended)),
            Some((Operation::Install, Ended::Succeeded))
        );
        // Not outcomes.
        assert_eq!(read("Found 0 updates and 50 categories in search"), None);
        assert_eq!(read("ScanQOS. ServerId = 9482F4B4, ScanResult = 147"), None);
    }

    #[test]
    fn an_update_failed_callback_carries_the_updates_code() {
        assert_eq!(
            read(
                "Deploy call A4EB6C11-B8AB-4DD4-B90A-05F8765DD7BA : deployment callback for top-level update ad27e52b-9e18-408a-9df2-8688e5273fbf.1, callback code = Update failed, reboot required = unspecified, commit required = No, mapped result = 0x80070002, unmapped result = 0x80070002"
            ),
            failed(Operation::Install, Some(0x8007_0002), false)
        );
        // Progress callbacks say nothing of the outcome.
        assert_eq!(
            read(
                "Deploy call B4DD745B-4248-4A79-9207-F1F60DA7F7B7 : deployment callback for top-level update c76f6748-fa6a-4feb-9121-798da084a057.1, callback code = Update progress, reboot required = unspecified, commit required = No, mapped result = 0x00000000, unmapped result = 0x00000000"
            ),
            None
        );
    }

    #[test]
    fn classic_repeats_of_an_outcome() {
        // Windows 7, WSUS, 2018 (rsasbeih/HuffmanCompression WindowsUpdate.txt): the lines
        // after a failed scan's `Exit code`, and the reporter's event minutes later.
        let repeat = |m| read(m).filter(|o| o.repeat).map(|o| (o.operation, o.ended));
        let cases = [
            (
                "WU client failed Searching for update with error 0x8024800a",
                Operation::Scan,
                0x8024_800A,
            ),
            (
                "Search callback failed, result = 0x80072EE2",
                Operation::Scan,
                0x8007_2EE2,
            ),
            (
                "Failed to find updates with error code 80244010",
                Operation::Scan,
                0x8024_4010,
            ),
            (
                "Unable to complete asynchronous search. (hr=8024800A)",
                Operation::Scan,
                0x8024_800A,
            ),
            (
                "Operation failed due to earlier error, hr=8024800A",
                Operation::Call,
                0x8024_800A,
            ),
            (
                "Download failed, error = 0x80242006",
                Operation::Download,
                0x8024_2006,
            ),
            (
                "Install failed, error = 0x80240017 / 0x00000000",
                Operation::Install,
                0x8024_0017,
            ),
            (
                "REPORT EVENT: {3C4E9925-7876-45DC-8A8D-DD0131FF19CF}\t2018-10-30 09:41:06:730+0200\t1\t148\t101\t{00000000-0000-0000-0000-000000000000}\t0\t8024800a\t<<PROCESS>>: CompatTelRunner.ex\tFailure\tSoftware Synchronization\tWindows Update Client failed to detect with error 0x8024800a.",
                Operation::Scan,
                0x8024_800A,
            ),
        ];
        for (message, operation, code) in cases {
            let want = Some((operation, Ended::Failed(Some(code))));
            assert_eq!(repeat(message), want, "{message}");
        }
        // A successful event, and a failure of another kind, repeat nothing.
        assert_eq!(
            read(
                "REPORT EVENT: {4806890A-5793-4373-9F18-FCFA77E9206D}\t2018-10-30 09:41:07:275+0200\t1\t147\t101\t{00000000-0000-0000-0000-000000000000}\t0\t0\t<<PROCESS>>: CompatTelRunner.ex\tSuccess\tSoftware Synchronization\tWindows Update Client successfully detected 0 updates."
            ),
            None
        );
        assert_eq!(
            read("SelfUpdate: Default Service: IsUpdateRequired failed, error = 0x8024402C"),
            None
        );
    }

    #[test]
    fn starts() {
        assert_eq!(
            started("START *   Download ClientId = x"),
            Some(Operation::Download)
        );
        assert_eq!(
            started("START *   Federated Install ClientId = x"),
            Some(Operation::Install)
        );
        assert_eq!(
            started("START * Begin Downloading Updates [CallerId = x]"),
            Some(Operation::Download)
        );
        assert_eq!(
            started("START *   Search ClientId = x"),
            Some(Operation::Scan)
        );
        assert_eq!(started("START * Service startup"), None);
    }

    #[test]
    fn codes_in_any_of_these_spellings() {
        assert_eq!(hex_code("0x80240022"), Some(0x8024_0022));
        assert_eq!(hex_code("80070643,"), Some(0x8007_0643));
        assert_eq!(hex_code(" 240006"), Some(0x0024_0006));
        assert_eq!(hex_code("0"), Some(0));
        assert_eq!(hex_code("0x123456789"), None);
        assert_eq!(hex_code("(null)"), None);
    }
}
