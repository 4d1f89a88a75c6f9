//! A deterministic generator of realistic Windows Update client logs and WSUS server logs, with
//! the truth about the faults they hold.
//!
//! A fleet is any number of clients (classic `WindowsUpdate.log` in local time with its `tz:`
//! banner, or Windows 10 `Get-WindowsUpdateLog` text), each in its own time zone and with its own
//! clock error, and one server log in UTC. Faults come in three kinds, each with the join a
//! correct diagnosis must make:
//!
//! - [`FaultKind::Kb954960`]: a SyncUpdates SOAP fault whose ID the server logs with the
//!   `ArgumentException` behind it: joined by `fault-id`;
//! - [`FaultKind::SqlTimeout`]: a client time-out (0x8024401C) while the server logs a SQL
//!   time-out: joined by `time-window`;
//! - [`FaultKind::Http503`]: the pool is down (0x80244022); the server logs nothing: `none`.
//!
//! Between faults, ordinary successful detections fill the logs to the size asked for.

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

/// A small, fast, deterministic random number generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A GUID, lowercase.
    pub fn guid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFF,
            0x8000 | (b >> 48) & 0x3FFF,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

/// How a client log is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientFormat {
    /// Tab-separated `WindowsUpdate.log` of Windows XP to 8.1, local time, `tz:` banner.
    Classic,
    /// `Get-WindowsUpdateLog` text of Windows 10 and later, local time of the decoding machine.
    Win10,
}

impl ClientFormat {
    /// The format of client number `c` of a fleet: classic and Windows 10 in turn.
    pub(crate) fn of_client(c: usize) -> Self {
        if c.is_multiple_of(2) {
            Self::Classic
        } else {
            Self::Win10
        }
    }
}

/// A kind of fault, with the join that a correct diagnosis makes for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// SyncUpdates InternalServerError, the server's ArgumentException behind it.
    Kb954960,
    /// Client time-out while the server's database times out.
    SqlTimeout,
    /// HTTP 503 from a stopped application pool; nothing in the server log.
    Http503,
    /// HTTP 500: the web service failed with an exception it logged without a fault ID.
    Http500,
}

impl FaultKind {
    /// The correlation the diagnosis must report.
    pub fn correlation(self) -> &'static str {
        match self {
            Self::Kb954960 => "fault-id",
            Self::SqlTimeout => "time-window",
            Self::Http503 => "none",
            Self::Http500 => "time-window",
        }
    }

    /// The main HRESULT the client logs, as `0x8024400E`.
    pub fn hresult(self, format: ClientFormat) -> &'static str {
        match (self, format) {
            (Self::Kb954960, ClientFormat::Classic) => "0x8024400E",
            (Self::Kb954960, ClientFormat::Win10) => "0x80244007",
            (Self::SqlTimeout, _) => "0x8024401C",
            (Self::Http503, _) => "0x80244022",
            (Self::Http500, _) => "0x8024401F",
        }
    }

    const ALL: [Self; 3] = [Self::Kb954960, Self::SqlTimeout, Self::Http503];
}

/// One client of a fleet.
#[derive(Clone, Debug, Serialize)]
pub struct ClientTruth {
    /// File name of its log.
    pub file: String,
    /// How its log is written.
    pub format: ClientFormat,
    /// Its time zone, minutes east of UTC.
    pub tz_minutes: i32,
    /// How far its clock is ahead of the truth, in seconds.
    pub skew_seconds: i64,
    /// Server UTC minus the log's time: what the diagnosis must estimate.
    pub offset_seconds: i64,
    /// Its WSUS client ID.
    pub client_id: String,
}

/// One fault written into a client log.
#[derive(Clone, Debug, Serialize)]
pub struct FaultTruth {
    /// The client log's file name.
    pub file: String,
    /// 1-based line of the fault's first line.
    pub line: u32,
    /// What kind of fault.
    pub kind: FaultKind,
    /// Its main HRESULT.
    pub hresult: &'static str,
    /// The SOAP fault ID, when there is one.
    pub fault_id: Option<String>,
    /// The join the diagnosis must make.
    pub correlation: &'static str,
}

/// Everything the generator wrote, and what is true about it.
#[derive(Clone, Debug, Serialize)]
pub struct Truth {
    /// The clients.
    pub clients: Vec<ClientTruth>,
    /// Every fault, by client then line.
    pub faults: Vec<FaultTruth>,
    /// The server log's file name.
    pub server_file: String,
}

/// Generated logs: each client's `(file name, text)`, the server's text, and the truth.
#[derive(Clone, Debug)]
pub struct Generated {
    /// `(file name, text)` per client.
    pub clients: Vec<(String, String)>,
    /// The server log.
    pub server: String,
    /// What is true about them.
    pub truth: Truth,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct FleetSpec {
    /// The seed: the same spec always gives the same bytes.
    pub seed: u64,
    /// How many clients.
    pub clients: usize,
    /// Faults per client, the kinds in turn.
    pub faults_per_client: usize,
    /// Successful detections between two faults (each about a dozen lines).
    pub detections_between: usize,
    /// Stop adding to a client log once it is this long (0: no limit).
    pub client_bytes: usize,
    /// The server logs one ordinary request for every this many client detections (1: each;
    /// a larger number makes a smaller server log beside the same clients).
    pub server_every: usize,
}

impl Default for FleetSpec {
    fn default() -> Self {
        Self {
            seed: 1,
            clients: 4,
            faults_per_client: 6,
            detections_between: 3,
            client_bytes: 0,
            server_every: 1,
        }
    }
}

/// Minutes between two faults of one client. In each slot, SOAP faults and SQL time-outs come
/// at minute 6 and 503s at minute 10, clients 7 s apart: up to 16 clients, no time join is
/// ambiguous with a two-minute window.
const SLOT_MINUTES: i64 = 14;

/// Writes one client log line by line, counting lines.
pub(crate) struct ClientWriter {
    pub(crate) format: ClientFormat,
    pub(crate) pid: u32,
    pub(crate) tid: u32,
    pub(crate) out: String,
    pub(crate) lines: u32,
    /// Server UTC minus log time.
    pub(crate) offset: i64,
}

impl ClientWriter {
    /// Writes a line at true UTC time `utc` (converted to the log's clock).
    pub(crate) fn line(&mut self, utc: NaiveDateTime, component: &str, text: &str) {
        let t = utc - Duration::seconds(self.offset);
        match self.format {
            ClientFormat::Classic => {
                let _ = writeln!(
                    self.out,
                    "{}\t{}:{:03}\t{:4}\t{:x}\t{component}\t{text}",
                    t.format("%Y-%m-%d"),
                    t.format("%H:%M:%S"),
                    t.and_utc().timestamp_subsec_millis(),
                    self.pid,
                    self.tid
                );
            }
            ClientFormat::Win10 => {
                // Seven digits of fraction, as Get-WindowsUpdateLog writes them.
                let _ = writeln!(
                    self.out,
                    "{}.{:07} {:<5} {:<5} {component:<15} {text}",
                    t.format("%Y/%m/%d %H:%M:%S"),
                    t.and_utc().timestamp_subsec_nanos() / 100,
                    self.pid,
                    self.tid
                );
            }
        }
        self.lines += 1;
    }

    /// The first lines of the log of PC number `pc`: the classic `tz:` banner, or the Windows 10
    /// identity line.
    pub(crate) fn banner(
        &mut self,
        at: NaiveDateTime,
        tz_minutes: i32,
        client_id: &str,
        pc: usize,
    ) {
        match self.format {
            ClientFormat::Classic => {
                let tz = format!(
                    "{}{:02}{:02}",
                    if tz_minutes < 0 { '-' } else { '+' },
                    tz_minutes.abs() / 60,
                    tz_minutes.abs() % 60
                );
                self.line(at, "Misc", &format!("===========  Logging initialized (build: 7.6.7601.24085, tz: {tz})  ==========="));
                self.line(
                    at,
                    "Misc",
                    "  = Process: C:\\Windows\\system32\\svchost.exe",
                );
            }
            ClientFormat::Win10 => {
                let text = format!(
                    "Initializing simple targeting cookie, clientId = {client_id}, target group = Workstations, DNS name = pc{pc:04}.contoso.com"
                );
                self.line(at, "ProtocolTalker", &text);
            }
        }
    }

    pub(crate) fn detection(&mut self, rng: &mut Rng, at: NaiveDateTime, url: &str) {
        let ms = |n: i64| at + Duration::milliseconds(n);
        match self.format {
            ClientFormat::Classic => {
                self.line(ms(0), "AU", "Triggering AU detection through DetectNow API");
                self.line(ms(15), "Agent", "*************");
                self.line(
                    ms(15),
                    "Agent",
                    "** START **  Agent: Finding updates [CallerId = AutomaticUpdates]",
                );
                self.line(ms(15), "Agent", "*********");
                self.line(
                    ms(16),
                    "Agent",
                    "  * Online = Yes; Ignore download priority = No",
                );
                self.line(ms(16), "Agent", "  * Criteria = \"IsInstalled=0 and DeploymentAction='Installation' or IsPresent=1 and DeploymentAction='Uninstallation'\"");
                self.line(
                    ms(16),
                    "Agent",
                    "  * ServiceID = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7} Managed",
                );
                self.line(
                    ms(420),
                    "PT",
                    "+++++++++++  PT: Synchronizing server updates  +++++++++++",
                );
                self.line(ms(420), "PT", &format!("  + ServiceId = {{3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}}, Server URL = {url}"));
                let found = rng.below(4);
                let text = format!(
                    "  * Found {found} updates and 88 categories in search; evaluated appl. rules of 1744 out of 3190 deployed entities"
                );
                self.line(ms(5230), "Agent", &text);
                self.line(ms(5230), "Agent", "*********");
                self.line(
                    ms(5230),
                    "Agent",
                    "**  END  **  Agent: Finding updates [CallerId = AutomaticUpdates]",
                );
                self.line(ms(5230), "Agent", "*************");
                self.line(
                    ms(5246),
                    "AU",
                    &format!(
                        ">>##  RESUMED  ## AU: Search for updates [CallId = {{{}}}]",
                        rng.guid().to_uppercase()
                    ),
                );
            }
            ClientFormat::Win10 => {
                self.line(
                    ms(0),
                    "Agent",
                    "*START* Finding updates CallerId = UpdateOrchestrator  Id = 12",
                );
                self.line(
                    ms(1),
                    "Agent",
                    "Online = Yes; AllowCachedResults = No; Ignore download priority = No",
                );
                self.line(ms(2), "Agent", "Criteria = IsInstalled=0 and DeploymentAction=*Installation* or IsInstalled=0 and DeploymentAction=*OptionalInstallation*\"\"");
                self.line(
                    ms(3),
                    "Agent",
                    "ServiceID = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7} Managed",
                );
                self.line(
                    ms(40),
                    "ProtocolTalker",
                    "OK to reuse existing configuration",
                );
                self.line(
                    ms(41),
                    "ProtocolTalker",
                    "Existing cookie is valid, just use it",
                );
                self.line(
                    ms(420),
                    "ProtocolTalker",
                    &format!(
                        "ServiceId = {{3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}}, Server URL = {url}"
                    ),
                );
                self.line(ms(3120), "ProtocolTalker", "SyncUpdates round trip: FULL, sessionId = {8B9E2C41-6F0D-4E7A-9C3B-2D5A1F8E0B47}");
                let found = rng.below(4);
                self.line(
                    ms(5230),
                    "Agent",
                    &format!("Found {found} updates for FullSearch"),
                );
                self.line(ms(5231), "Agent", "Exit code = 0x00000000");
                self.line(
                    ms(5232),
                    "Agent",
                    "*END* Finding updates CallerId = UpdateOrchestrator  Id = 12",
                );
            }
        }
    }

    /// Writes a fault at `utc`; returns its first line.
    pub(crate) fn fault(
        &mut self,
        kind: FaultKind,
        utc: NaiveDateTime,
        url: &str,
        id: &str,
    ) -> u32 {
        let ms = |n: i64| utc + Duration::milliseconds(n);
        match self.format {
            ClientFormat::Classic => {
                self.line(
                    ms(-6000),
                    "PT",
                    "+++++++++++  PT: Synchronizing server updates  +++++++++++",
                );
                self.line(ms(-6000), "PT", &format!("  + ServiceId = {{3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}}, Server URL = {url}"));
                let first = self.lines + 1;
                let (hr, call) = match kind {
                    FaultKind::Kb954960 => (
                        "8024400E",
                        "soap client error = 7, soap error code = 400, HTTP status code = 200",
                    ),
                    FaultKind::SqlTimeout => (
                        "8024401C",
                        "soap client error = 5, soap error code = 0, HTTP status code = 200",
                    ),
                    FaultKind::Http503 => (
                        "80244022",
                        "soap client error = 5, soap error code = 0, HTTP status code = 503",
                    ),
                    FaultKind::Http500 => (
                        "8024401F",
                        "soap client error = 5, soap error code = 0, HTTP status code = 500",
                    ),
                };
                self.line(
                    ms(0),
                    "PT",
                    &format!("WARNING: SyncUpdates failure, error = 0x{hr}, {call}"),
                );
                if kind == FaultKind::Kb954960 {
                    for text in [
                        "WARNING: SOAP Fault: 0x000190".to_owned(),
                        "WARNING:     faultstring:Fault occurred".to_owned(),
                        "WARNING:     ErrorCode:InternalServerError(5)".to_owned(),
                        "WARNING:     Message:(null)".to_owned(),
                        "WARNING:     Method:\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"".to_owned(),
                        format!("WARNING:     ID:{id}"),
                    ] {
                        self.line(ms(0), "PT", &text);
                    }
                }
                let lower = hr.to_ascii_lowercase();
                self.line(ms(16), "PT", &format!("WARNING: PTError: 0x{lower}"));
                self.line(
                    ms(16),
                    "PT",
                    &format!("WARNING: SyncUpdates_WithRecovery failed.: 0x{lower}"),
                );
                self.line(
                    ms(16),
                    "PT",
                    &format!("WARNING: Sync of Updates: 0x{lower}"),
                );
                self.line(
                    ms(16),
                    "PT",
                    &format!("WARNING: SyncServerUpdatesInternal failed: 0x{lower}"),
                );
                self.line(
                    ms(16),
                    "Agent",
                    &format!("  * WARNING: Failed to synchronize, error = 0x{hr}"),
                );
                self.line(ms(16), "Agent", &format!("  * WARNING: Exit code = 0x{hr}"));
                self.line(ms(16), "Agent", "*********");
                self.line(
                    ms(16),
                    "Agent",
                    "**  END  **  Agent: Finding updates [CallerId = AutomaticUpdates]",
                );
                first
            }
            ClientFormat::Win10 => {
                self.line(
                    ms(-6000),
                    "Agent",
                    "*START* Finding updates CallerId = UpdateOrchestrator  Id = 13",
                );
                self.line(
                    ms(-5990),
                    "ProtocolTalker",
                    &format!(
                        "ServiceId = {{3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}}, Server URL = {url}"
                    ),
                );
                // The fault starts at its first line with a code: for a SOAP fault the NWS
                // failure, for the others the failed web service call.
                let mut first = self.lines + 1;
                let hr = match kind {
                    FaultKind::Kb954960 => {
                        self.line(ms(0), "WS", "WARNING: Nws Failure: errorCode=0x803d0013");
                        self.line(
                            ms(0),
                            "WS",
                            "WARNING: The body of the received message contained a fault.",
                        );
                        self.line(ms(0), "WS", "WARNING: Soap fault info:");
                        self.line(ms(0), "WS", "WARNING: reason: Fault occurred");
                        self.line(ms(0), "WS", "WARNING: code: Server");
                        self.line(ms(0), "WS", &format!("WARNING: detail: <detail><ErrorCode>InternalServerError</ErrorCode><Message></Message><ID>{id}</ID><Method>\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"</Method></detail>"));
                        self.line(ms(0), "WS", &format!("WARNING: Soap fault detail: errorCode='InternalServerError', message='', id='{id}', method='\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"'"));
                        self.line(
                            ms(0),
                            "WS",
                            "FATAL: OnCallFailure failed with hr=0X80244007",
                        );
                        "80244007"
                    }
                    FaultKind::SqlTimeout => {
                        self.line(ms(0), "WebServices", &format!("WS error: There was an error communicating with the endpoint at '{url}'."));
                        self.line(
                            ms(0),
                            "WebServices",
                            "WS error: The operation did not complete within the time allotted.",
                        );
                        first = self.lines + 1;
                        self.line(ms(0), "WebServices", "*FAILED* [8024401C] Web service call");
                        "8024401C"
                    }
                    FaultKind::Http503 => {
                        self.line(ms(0), "WebServices", &format!("WS error: There was an error communicating with the endpoint at '{url}'."));
                        self.line(ms(0), "WebServices", "WS error: The server returned HTTP status code '503 (0x1F7)' with text 'Service Unavailable'.");
                        first = self.lines + 1;
                        self.line(ms(0), "WebServices", "*FAILED* [80244022] Web service call");
                        "80244022"
                    }
                    FaultKind::Http500 => {
                        self.line(ms(0), "WebServices", &format!("WS error: There was an error communicating with the endpoint at '{url}'."));
                        self.line(ms(0), "WebServices", "WS error: The server returned HTTP status code '500 (0x1F4)' with text 'Internal Server Error'.");
                        first = self.lines + 1;
                        self.line(ms(0), "WebServices", "*FAILED* [8024401F] Web service call");
                        "8024401F"
                    }
                };
                self.line(
                    ms(1),
                    "ProtocolTalker",
                    &format!("*FAILED* [{hr}] SyncUpdates_WithRecovery"),
                );
                self.line(
                    ms(1),
                    "ProtocolTalker",
                    &format!("*FAILED* [{hr}] SyncServerUpdatesInternal"),
                );
                self.line(
                    ms(3),
                    "Agent",
                    &format!("*FAILED* [{hr}] Synchronize updates"),
                );
                // The scan's outcome: `Exit code` on its own line before a code-less END, as
                // Windows 10 1709 writes it.
                self.line(ms(3), "Agent", &format!("Exit code = 0x{hr}"));
                self.line(
                    ms(3),
                    "Agent",
                    "*END* Finding updates CallerId = UpdateOrchestrator  Id = 13",
                );
                first
            }
        }
    }
}

/// Server lines, collected out of order and sorted by time at the end.
pub(crate) struct ServerWriter {
    pub(crate) entries: Vec<(NaiveDateTime, String)>,
}

impl ServerWriter {
    pub(crate) fn entry(
        &mut self,
        utc: NaiveDateTime,
        level: &str,
        thread: &str,
        source: &str,
        text: &str,
    ) {
        let line = format!(
            "{} UTC\t{level}\t{thread}\t{source}\t{text}",
            utc.format("%Y-%m-%d %H:%M:%S%.3f")
        );
        self.entries.push((utc, line));
    }

    pub(crate) fn kb954960(
        &mut self,
        utc: NaiveDateTime,
        thread: &str,
        host: &str,
        id: &str,
        client: &str,
        key: u64,
    ) {
        let before = utc - Duration::milliseconds(16);
        let text = format!(
            "System.ArgumentException: Item has already been added. Key in dictionary: '{key}'  Key being added: '{key}'\n\
             \x20  at System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)\n\
             \x20  at System.Collections.Hashtable.Add(Object key, Object value)\n\
             \x20  at Microsoft.UpdateServices.Internal.ClientImplementation.GetSyncInfo(DataAccess dataAccess, Hashtable stateTable, Hashtable deploymentTable, Boolean haveGroupsChanged, Boolean doChunking)\n\
             \x20  at Microsoft.UpdateServices.Internal.ClientImplementation.SyncUpdates(Cookie cookie, SyncUpdateParameters parameters)\n\
             \x20  at Microsoft.UpdateServices.Internal.Client.SyncUpdates(Cookie cookie, SyncUpdateParameters parameters)"
        );
        self.entry(
            before,
            "Error",
            thread,
            "ClientImplementation.SyncUpdates",
            &text,
        );
        let throw = format!(
            "ThrowException: actor = http://{host}:8530/ClientWebService/client.asmx, ID={id}, ErrorCode=InternalServerError, Message=, Client={client}"
        );
        self.entry(
            utc,
            "Warning",
            thread,
            "SoapUtilities.CreateException",
            &throw,
        );
    }

    /// Gives the last exception written the frames of the ASMX pipeline below the web method,
    /// as a server running under IIS logs them: 20 frames in all for a KB954960 exception.
    pub(crate) fn deepen_last_exception(&mut self) {
        const PIPELINE: [&str; 15] = [
            "System.Reflection.RuntimeMethodInfo.UnsafeInvokeInternal(Object obj, Object[] parameters, Object[] arguments)",
            "System.Reflection.RuntimeMethodInfo.Invoke(Object obj, BindingFlags invokeAttr, Binder binder, Object[] parameters, CultureInfo culture)",
            "System.Web.Services.Protocols.LogicalMethodInfo.Invoke(Object target, Object[] values)",
            "System.Web.Services.Protocols.WebServiceHandler.Invoke()",
            "System.Web.Services.Protocols.WebServiceHandler.CoreProcessRequest()",
            "System.Web.Services.Protocols.SyncSessionlessHandler.ProcessRequest(HttpContext context)",
            "System.Web.HttpApplication.CallHandlerExecutionStep.System.Web.HttpApplication.IExecutionStep.Execute()",
            "System.Web.HttpApplication.ExecuteStep(IExecutionStep step, Boolean& completedSynchronously)",
            "System.Web.HttpApplication.PipelineStepManager.ResumeSteps(Exception error)",
            "System.Web.HttpApplication.BeginProcessRequestNotification(HttpContext context, AsyncCallback cb)",
            "System.Web.HttpRuntime.ProcessRequestNotificationPrivate(IIS7WorkerRequest wr, HttpContext context)",
            "System.Web.Hosting.PipelineRuntime.ProcessRequestNotificationHelper(IntPtr rootedObjectsPointer, IntPtr nativeRequestContext, IntPtr moduleData, Int32 flags)",
            "System.Web.Hosting.PipelineRuntime.ProcessRequestNotification(IntPtr rootedObjectsPointer, IntPtr nativeRequestContext, IntPtr moduleData, Int32 flags)",
            "System.Web.Hosting.UnsafeIISMethods.MgdIndicateCompletion(IntPtr pHandler, RequestNotificationStatus& notificationStatus)",
            "System.Web.Hosting.PipelineRuntime.ProcessRequestNotificationHelper(IntPtr rootedObjectsPointer, IntPtr nativeRequestContext, IntPtr moduleData, Int32 flags)",
        ];
        let Some(exception) =
            (self.entries.iter_mut().rev()).find(|(_, e)| e.contains("\tError\t"))
        else {
            return;
        };
        for frame in PIPELINE {
            exception.1.push_str("\n   at ");
            exception.1.push_str(frame);
        }
    }

    /// A SQL time-out on the Windows Internal Database of `host`.
    pub(crate) fn sql_timeout(&mut self, utc: NaiveDateTime, thread: &str, host: &str) {
        let text = format!(
            "DBLAYER: Errors[0]: Source .Net SqlClient Data Provider, Server {}\\MICROSOFT##WID, Number -2, Class 10, State 0, Procedure ConnectionRead (WrapperRead()).,  LineNumber 0: Timeout expired.  The timeout period elapsed prior to completion of the operation or the server is not responding.",
            host.to_ascii_uppercase()
        );
        self.entry(
            utc - Duration::milliseconds(400),
            "Error",
            thread,
            "DBConnection.LogSqlException",
            &text,
        );
    }

    /// The exception behind an HTTP 500: no fault sent, so no ID.
    pub(crate) fn http500(&mut self, utc: NaiveDateTime, thread: &str) {
        let text = "System.InvalidOperationException: Timeout expired.  The timeout period elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections were in use and max pool size was reached.\n\
             \x20  at System.Data.ProviderBase.DbConnectionFactory.GetConnection(DbConnection owningConnection)\n\
             \x20  at Microsoft.UpdateServices.Internal.DatabaseAccess.DBConnection.Connect(String connectionString)\n\
             \x20  at Microsoft.UpdateServices.Internal.ClientImplementation.SyncUpdates(Cookie cookie, SyncUpdateParameters parameters)\n\
             \x20  at Microsoft.UpdateServices.Internal.Client.SyncUpdates(Cookie cookie, SyncUpdateParameters parameters)";
        self.entry(
            utc - Duration::milliseconds(250),
            "Error",
            thread,
            "ClientImplementation.SyncUpdates",
            text,
        );
    }

    pub(crate) fn filler(&mut self, rng: &mut Rng, utc: NaiveDateTime, client: &str) {
        let thread = format!("w3wp.{}", 5 + rng.below(40));
        match rng.below(3) {
            0 => self.entry(
                utc,
                "Info",
                &thread,
                "ClientImplementation.GetCookie",
                &format!("Issued cookie for client {client}"),
            ),
            1 => self.entry(
                utc,
                "Info",
                &thread,
                "WebService.ReportEventBatch",
                &format!("Reporting web service called by client {client}"),
            ),
            _ => self.entry(
                utc,
                "Info",
                "WsusService.25",
                "SusEventDispatcher.DispatchManagerWorkerThreadProc",
                "DispatchManager Worker Thread Processing NotificationEvent: ReportingRollup",
            ),
        }
    }

    fn finish(self) -> String {
        self.finish_with_lines().0
    }

    /// The log, in time order, and the 1-based line of each entry in the order they were added.
    pub(crate) fn finish_with_lines(self) -> (String, Vec<u32>) {
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_key(|&i| self.entries[i].0);
        let mut lines = vec![0; self.entries.len()];
        let (mut out, mut line) = (String::new(), 1u32);
        for i in order {
            lines[i] = line;
            let text = &self.entries[i].1;
            out.push_str(text);
            out.push('\n');
            line += 1 + text.matches('\n').count() as u32;
        }
        (out, lines)
    }
}

/// Generates a fleet: client logs, the server log, and the truth.
pub fn fleet(spec: &FleetSpec) -> Generated {
    generate(spec, false)
}

/// A fleet in the verbose shape of a busy real server: every fault a KB954960 SOAP fault (the
/// client's 15-line block with the SOAP detail) whose server exception carries a 20-frame stack.
/// With `detections_between` 16, about 40 faults per MB of client log.
pub fn verbose_fleet(spec: &FleetSpec) -> Generated {
    generate(spec, true)
}

fn generate(spec: &FleetSpec, verbose: bool) -> Generated {
    let mut rng = Rng::new(spec.seed);
    let host = "wsus01";
    let url = format!("http://{host}:8530/ClientWebService/client.asmx");
    let start = NaiveDate::from_ymd_opt(2024, 3, 12)
        .and_then(|d| d.and_hms_opt(6, 0, 0))
        .expect("a valid date");
    let zones: [i32; 8] = [-300, 60, 330, -480, 0, 600, -180, 120];
    let mut server = ServerWriter {
        entries: Vec::new(),
    };
    let mut clients = Vec::new();
    let mut truth = Truth {
        clients: Vec::new(),
        faults: Vec::new(),
        server_file: "SoftwareDistribution.log".to_owned(),
    };
    for c in 0..spec.clients {
        let format = ClientFormat::of_client(c);
        let tz_minutes = zones[c % zones.len()];
        let skew_seconds = rng.below(90) as i64 - 45;
        let offset = -(i64::from(tz_minutes) * 60 + skew_seconds);
        let file = format!("PC{:04}/WindowsUpdate.log", c + 1);
        let client_id = rng.guid();
        let mut w = ClientWriter {
            format,
            pid: 700 + (rng.below(900) as u32) * 4,
            tid: 0x100 + rng.below(0xE00) as u32,
            out: String::new(),
            lines: 0,
            offset,
        };
        w.banner(
            start + Duration::seconds(c as i64 * 7),
            tz_minutes,
            &client_id,
            c + 1,
        );
        let mut slot = 0i64;
        let mut k = 0;
        loop {
            if spec.client_bytes == 0 && k >= spec.faults_per_client {
                break;
            }
            if spec.client_bytes > 0 && w.out.len() >= spec.client_bytes {
                break;
            }
            // Ordinary detections, spread over the slot.
            for d in 0..spec.detections_between {
                let at = start
                    + Duration::minutes(slot * SLOT_MINUTES)
                    + Duration::seconds(c as i64 * 7 + 20 + d as i64 * 40);
                w.detection(&mut rng, at, &url);
                if (slot as usize * spec.detections_between + d)
                    .is_multiple_of(spec.server_every.max(1))
                {
                    server.filler(&mut rng, at + Duration::milliseconds(300), &client_id);
                }
            }
            if k < spec.faults_per_client {
                let kind = if verbose {
                    FaultKind::Kb954960
                } else {
                    FaultKind::ALL[(k + c) % 3]
                };
                // 503s come at another time of the slot than the server's errors: nothing in
                // the server log fits them.
                let minute = if kind == FaultKind::Http503 { 10 } else { 6 };
                let at = start
                    + Duration::minutes(slot * SLOT_MINUTES + minute)
                    + Duration::seconds(c as i64 * 7)
                    + Duration::milliseconds(rng.below(900) as i64);
                let id = rng.guid();
                let line = w.fault(kind, at, &url, &id);
                let thread = format!("w3wp.{}", 5 + rng.below(40));
                match kind {
                    FaultKind::Kb954960 => {
                        server.kb954960(
                            at - Duration::milliseconds(30),
                            &thread,
                            host,
                            &id,
                            &client_id,
                            8000 + rng.below(999),
                        );
                        if verbose {
                            server.deepen_last_exception();
                        }
                    }
                    FaultKind::SqlTimeout => server.sql_timeout(at, &thread, host),
                    FaultKind::Http503 | FaultKind::Http500 => {}
                }
                truth.faults.push(FaultTruth {
                    file: file.clone(),
                    line,
                    kind,
                    hresult: kind.hresult(format),
                    fault_id: (kind == FaultKind::Kb954960).then_some(id),
                    correlation: kind.correlation(),
                });
                k += 1;
            }
            slot += 1;
        }
        truth.clients.push(ClientTruth {
            file: file.clone(),
            format,
            tz_minutes,
            skew_seconds,
            offset_seconds: offset,
            client_id,
        });
        clients.push((file, w.out));
    }
    Generated {
        clients,
        server: server.finish(),
        truth,
    }
}

/// One client log of about `bytes` bytes (faults every few detections), for benchmarks.
pub fn client_log(format: ClientFormat, bytes: usize, seed: u64) -> String {
    let spec = FleetSpec {
        seed,
        clients: if format == ClientFormat::Classic {
            1
        } else {
            2
        },
        faults_per_client: usize::MAX,
        detections_between: 20,
        client_bytes: bytes,
        server_every: 1,
    };
    let mut g = fleet(&spec);
    let index = usize::from(format == ClientFormat::Win10);
    std::mem::take(&mut g.clients[index].1)
}

/// A server log of about `bytes` bytes, for benchmarks.
pub fn server_log(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut server = ServerWriter {
        entries: Vec::new(),
    };
    let start = NaiveDate::from_ymd_opt(2024, 3, 12)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("a valid date");
    let mut size = 0;
    let mut i = 0i64;
    while size < bytes {
        let at = start + Duration::milliseconds(i * 1500);
        let client = rng.guid();
        let before = server.entries.len();
        match i % 40 {
            7 => server.kb954960(at, "w3wp.12", "wsus01", &rng.guid(), &client, 8862),
            23 => server.sql_timeout(at, "w3wp.30", "wsus01"),
            _ => server.filler(&mut rng, at, &client),
        }
        size += server.entries[before..]
            .iter()
            .map(|(_, l)| l.len() + 1)
            .sum::<usize>();
        i += 1;
    }
    server.finish()
}

/// A ConfigMgr log of about `size` bytes in the CMTrace `log` shape: the messages and
/// components of the real excerpts (wsusdiag-core/tests/configmgr), one a second, in turn.
pub fn configmgr_log(size: usize) -> String {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../wsusdiag-core/tests/configmgr"
    );
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("the excerpts")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    names.sort();
    let texts: Vec<String> = names
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("excerpt"))
        .collect();
    let mut entries = Vec::new();
    for t in &texts {
        for r in wsusdiag_core::records::cmtrace::CmRecords::new(t).flatten() {
            entries.push((
                r.message.to_owned(),
                r.component.unwrap_or("WUAHandler").to_owned(),
            ));
        }
    }
    let mut out = String::with_capacity(size + 4096);
    out.push('\u{feff}');
    let mut i = 0usize;
    while out.len() < size {
        let (message, component) = &entries[i % entries.len()];
        let s = i % 86_400;
        out.push_str(&format!(
            "<![LOG[{message}]LOG]!><time=\"{:02}:{:02}:{:02}.{:03}+240\" date=\"11-09-2018\" component=\"{component}\" context=\"\" type=\"{}\" thread=\"{}\" file=\"cwuahandler.cpp:{}\">\r\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            i % 1000,
            1 + i % 3,
            4000 + i % 97,
            1000 + i % 2000,
        ));
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let a = fleet(&FleetSpec::default());
        let b = fleet(&FleetSpec::default());
        assert_eq!(a.clients, b.clients);
        assert_eq!(a.server, b.server);
        let c = fleet(&FleetSpec {
            seed: 2,
            ..FleetSpec::default()
        });
        assert_ne!(a.server, c.server);
    }

    #[test]
    fn the_verbose_profile_has_soap_blocks_and_deep_stacks_about_40_per_mb() {
        let spec = FleetSpec {
            clients: 1,
            client_bytes: 2 << 20,
            faults_per_client: usize::MAX,
            detections_between: 16,
            server_every: 5,
            ..FleetSpec::default()
        };
        let g = verbose_fleet(&spec);
        assert!(g.truth.faults.iter().all(|f| f.kind == FaultKind::Kb954960));
        let bytes = g.clients[0].1.len() + g.server.len();
        let per_mb = g.truth.faults.len() as f64 / (bytes as f64 / f64::from(1 << 20));
        assert!((35.0..45.0).contains(&per_mb), "{per_mb}");
        // Each exception: its message line and 20 frames.
        let exception = g.server.split("\tError\t").nth(1).unwrap();
        let frames = exception
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("   at "))
            .count();
        assert_eq!(frames, 20);
    }

    #[test]
    fn sizes_are_met() {
        let log = client_log(ClientFormat::Classic, 200_000, 3);
        assert!((200_000..260_000).contains(&log.len()), "{}", log.len());
        let log = client_log(ClientFormat::Win10, 200_000, 3);
        assert!((200_000..260_000).contains(&log.len()), "{}", log.len());
        let log = server_log(200_000, 3);
        assert!((200_000..210_000).contains(&log.len()), "{}", log.len());
    }

    #[test]
    fn truth_lines_point_at_the_failure_lines() {
        let g = fleet(&FleetSpec::default());
        for f in &g.truth.faults {
            let text = &g.clients.iter().find(|(n, _)| *n == f.file).unwrap().1;
            let line = text.lines().nth(f.line as usize - 1).unwrap();
            let digits = &f.hresult[2..];
            assert!(
                line.contains(digits) || line.contains("Nws Failure") || line.contains("WS error"),
                "{f:?}: {line}"
            );
        }
    }
}
