"""The shapes of a diagnosis as Python data: its typed values as enums, its parts as TypedDicts.

The dicts of :class:`wsusdiag.Diagnosis` (``findings``, ``faults``, …) are the JSON contract
(``schema_version`` 2) as ``json.loads`` gives it: a typed value is a plain ``str`` whose type is
one of the ``…Value`` literals below. Each enum's values are those spellings, and an enum is a
``str``, so ``fault["correlation"] == Correlation.FAULT_ID`` holds. (A type checker's strict
equality keeps a ``Literal`` and an enum member apart: compare with the spelling,
``== "fault-id"``, or convert, ``Correlation(fault["correlation"])``.) The tests check both
against the Rust library's own lists of spellings.
"""

from __future__ import annotations

from enum import Enum
from typing import Dict, List, Literal, Optional, TypedDict

__all__ = [
    "Confidence",
    "Correlation",
    "EndpointKind",
    "LogKind",
    "OffsetBasis",
    "Operation",
    "ProblemKind",
    "ServerScope",
    "Severity",
    "TextEncoding",
    "UpdateSource",
    "ConfidenceValue",
    "CorrelationValue",
    "EndpointKindValue",
    "LogKindValue",
    "OffsetBasisValue",
    "OperationValue",
    "ProblemKindValue",
    "ServerScopeValue",
    "SeverityValue",
    "TextEncodingValue",
    "UpdateSourceValue",
    "Cause",
    "ClientSide",
    "Code",
    "ClientSummary",
    "ClockOffset",
    "DiagnosisDict",
    "Evidence",
    "Fault",
    "FaultGroup",
    "Finding",
    "InputSummary",
    "Problem",
    "ServerFaultGroup",
    "ServerRef",
    "ServerSide",
    "TimeWindow",
    "Tool",
]


class _Spelled(str, Enum):
    """A value spelled as the JSON spells it; ``str()`` gives the spelling."""

    def __str__(self) -> str:
        return str(self.value)


class Confidence(_Spelled):
    """How sure a finding is: client and server evidence joined, the client's alone, or only
    the error code pointing at the cause."""

    CONFIRMED = "confirmed"
    PROBABLE = "probable"
    POSSIBLE = "possible"


class Correlation(_Spelled):
    """How a client fault was joined to the server log; ``AMBIGUOUS``: two or more server
    entries fit in time (``candidates``)."""

    FAULT_ID = "fault-id"
    TIME_WINDOW = "time-window"
    AMBIGUOUS = "ambiguous"
    NONE = "none"


class EndpointKind(_Spelled):
    """Whose server a failed call went to."""

    WSUS = "wsus"
    MICROSOFT = "microsoft"
    UNKNOWN = "unknown"


class LogKind(_Spelled):
    """The kind of an input log."""

    CLIENT_CLASSIC = "client-classic"
    CLIENT_WIN10 = "client-win10"
    CLIENT_ETL = "client-etl"
    SERVER = "server"
    CLIENT_FRAGMENT = "client-fragment"
    SERVER_FRAGMENT = "server-fragment"
    CLIENT_CONFIGMGR = "client-configmgr"
    SERVER_CONFIGMGR = "server-configmgr"


class OffsetBasis(_Spelled):
    """What a client clock's offset to server UTC rests on."""

    FAULT_ID = "fault-id"
    TZ_BANNER = "tz-banner"
    UTC = "utc"


class Operation(_Spelled):
    """The client operation that failed."""

    SCAN = "scan"
    DOWNLOAD = "download"
    INSTALL = "install"
    REPORTING = "reporting"
    SELF_UPDATE = "self-update"
    CALL = "call"


class ProblemKind(_Spelled):
    """What is wrong with (part of) an input."""

    BAD_HEADER = "bad-header"
    BINARY = "binary"
    TOO_LONG = "too-long"
    TRUNCATED = "truncated"
    ORPHAN = "orphan"
    IMPOSSIBLE_DATE = "impossible-date"
    UNDECODED = "undecoded"
    UNKNOWN_FORMAT = "unknown-format"
    UNREADABLE = "unreadable"
    NOT_A_FILE = "not-a-file"
    ALREADY_READ = "already-read"
    NEEDS_SYMBOLS = "needs-symbols"
    OTHER_PROVIDER = "other-provider"
    EVENTS_LOST = "events-lost"
    UNKNOWN_FIELD_TYPE = "unknown-field-type"
    TOO_LARGE = "too-large"
    BAD_RECORD = "bad-record"
    NO_WINDOWS_UPDATE_EVENTS = "no-windows-update-events"


class ServerScope(_Spelled):
    """Which server logs a time join searched."""

    MATCHED = "matched"
    HOST_UNKNOWN = "host-unknown"


class Severity(_Spelled):
    """How serious a known issue is."""

    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class TextEncoding(_Spelled):
    """The encoding an input was decoded from (``binary``: an ``.etl`` trace)."""

    UTF_8 = "utf-8"
    UTF_8_BOM = "utf-8-bom"
    UTF_16LE = "utf-16le"
    UTF_16BE = "utf-16be"
    WINDOWS_1252 = "windows-1252"
    BINARY = "binary"


class UpdateSource(_Spelled):
    """An update service a client talked to."""

    WSUS = "wsus"
    WINDOWS_UPDATE = "windows-update"
    MICROSOFT_UPDATE = "microsoft-update"
    STORE = "store"
    FLIGHTING = "flighting"
    MICROSOFT = "microsoft"


ConfidenceValue = Literal["confirmed", "probable", "possible"]
CorrelationValue = Literal["fault-id", "time-window", "ambiguous", "none"]
EndpointKindValue = Literal["wsus", "microsoft", "unknown"]
LogKindValue = Literal[
    "client-classic", "client-win10", "client-etl", "server",
    "client-fragment", "server-fragment", "client-configmgr", "server-configmgr",
]
OffsetBasisValue = Literal["fault-id", "tz-banner", "utc"]
OperationValue = Literal["scan", "download", "install", "reporting", "self-update", "call"]
ProblemKindValue = Literal[
    "bad-header", "binary", "too-long", "truncated", "orphan", "impossible-date", "undecoded",
    "unknown-format", "unreadable", "not-a-file", "already-read", "needs-symbols",
    "other-provider", "events-lost", "unknown-field-type", "too-large", "bad-record",
    "no-windows-update-events",
]
ServerScopeValue = Literal["matched", "host-unknown"]
SeverityValue = Literal["critical", "error", "warning", "info"]
TextEncodingValue = Literal["utf-8", "utf-8-bom", "utf-16le", "utf-16be", "windows-1252", "binary"]
UpdateSourceValue = Literal[
    "wsus", "windows-update", "microsoft-update", "store", "flighting", "microsoft",
]


class _EvidenceLine(TypedDict):
    input: int
    line: int
    text: str


class Evidence(_EvidenceLine, total=False):
    """One log line quoted as evidence: ``input`` is its log's index in ``inputs``; ``text`` as
    the log has it (cut when long); ``note`` says what it shows beyond its text (``this
    detection took 1 h 30 min``), absent when none."""

    note: str


class Cause(TypedDict):
    """The exception behind a server fault; ``inner`` lists its inner exceptions."""

    exception: str
    message: str
    method: Optional[str]
    line: int
    inner: List[str]
    sql_number: Optional[int]


class ServerSide(TypedDict):
    """The server's view of a fault; ``input`` is its log's index in ``inputs``, ``time`` is
    UTC, ``lines`` its lines (``6,18``), quoted in ``evidence`` with ``evidence="full"``."""

    input: int
    line: int
    time: Optional[str]
    thread: str
    logger: str
    actor: Optional[str]
    upstream: bool
    throw_id: Optional[str]
    error_code: Optional[str]
    message: Optional[str]
    client: Optional[str]
    cause: Optional[Cause]
    lines: str
    evidence: List[Evidence]


class ClientSide(TypedDict):
    """The client's view of a fault; ``input`` is its log's index in ``inputs``; ``time`` as
    the log wrote it (its local time), ``time_utc`` when the log's clock offset is known;
    ``hresult`` is described in the diagnosis's ``codes``; ``lines`` are all its lines
    (``47-59,63``), ``evidence`` the text of its key lines (of all with ``evidence="full"``)."""

    input: int
    line: int
    time: Optional[str]
    time_utc: Optional[str]
    hresult: str
    related_codes: List[str]
    method: Optional[str]
    fault_id: Optional[str]
    error_code: Optional[str]
    fault_message: Optional[str]
    http_status: Optional[int]
    soap_client_error: Optional[int]
    soap_error_code: Optional[int]
    server_url: Optional[str]
    operation: Optional[OperationValue]
    outcome_line: Optional[int]
    endpoint: Optional[str]
    endpoint_kind: EndpointKindValue
    lines: str
    evidence: List[Evidence]


class TimeWindow(TypedDict):
    """The window a fault was searched for in the server logs: ± ``seconds``; ``fits`` server
    events fit in it (of which an ambiguous fault's ``candidates`` names the nearest eight at
    most)."""

    seconds: int
    basis: OffsetBasisValue
    servers: ServerScopeValue
    fits: int


class ServerRef(TypedDict):
    """A server entry: its log's index in ``inputs`` and its line (one of ``server_faults``)."""

    input: int
    line: int


class Code(TypedDict):
    """What an error code means."""

    name: str
    description: str


class FaultGroup(TypedDict):
    """The faults of one client log with the same code, method, known issue and server
    cause: how many, when (log time and server UTC), and their indices in ``faults``."""

    input: int
    hresult: str
    method: Optional[str]
    rule_id: Optional[str]
    server_cause: Optional[str]
    count: int
    first_time: Optional[str]
    last_time: Optional[str]
    first_time_utc: Optional[str]
    last_time_utc: Optional[str]
    faults: List[int]


class ServerFaultGroup(TypedDict):
    """The server faults of one server log with the same exception, method and message
    (numbers and IDs written ``#``), and their indices in ``server_faults``."""

    input: int
    exception: Optional[str]
    method: str
    message: Optional[str]
    count: int
    first_time: Optional[str]
    last_time: Optional[str]
    server_faults: List[int]


class Fault(TypedDict):
    """One client failure, and what the server logged about it."""

    client: ClientSide
    server: Optional[ServerSide]
    correlation: CorrelationValue
    failure_kind: str
    time_window: Optional[TimeWindow]
    candidates: List[ServerRef]
    rule_id: Optional[str]
    confidence: Optional[ConfidenceValue]


class Finding(TypedDict):
    """A known issue that matched, with its cause, fix and evidence."""

    rule_id: str
    title: str
    confirm: Optional[str]
    endpoints: List[str]
    severity: SeverityValue
    confidence: ConfidenceValue
    occurrences: int
    clients: List[str]
    cause: str
    remediation: List[str]
    references: List[str]
    evidence: List[Evidence]


class ClockOffset(TypedDict):
    """A client log's clock: server UTC minus its time, in seconds, and what that rests on."""

    source: str
    offset_seconds: Optional[int]
    basis: Optional[OffsetBasisValue]
    pairs: int
    tz_minutes: Optional[int]
    skew_seconds: Optional[int]


class Problem(TypedDict):
    """A problem in an input, at a 1-based line and column (line 0: the whole input)."""

    line: int
    column: int
    kind: ProblemKindValue
    message: str
    text: str


class InputSummary(TypedDict):
    """How one input was read; ``kind`` is ``None`` for an input that is no log."""

    path: str
    kind: Optional[LogKindValue]
    encoding: TextEncodingValue
    bytes: int
    records: int
    malformed_lines: int
    repairs: List[str]
    problems: List[Problem]


class ClientSummary(TypedDict):
    """One client log: who it is, and how its detections, downloads and installs went."""

    source: str
    client_id: Optional[str]
    dns_name: Optional[str]
    server_url: Optional[str]
    wsus_policy: Optional[str]
    update_sources: List[UpdateSourceValue]
    agent_version: Optional[str]
    os_version: Optional[str]
    detections: int
    scans_succeeded: int
    downloads_succeeded: int
    installs_succeeded: int
    recovered: int
    failures: int
    last_success: Optional[str]
    last_failure: Optional[str]


class Tool(TypedDict):
    name: str
    version: str


class DiagnosisDict(TypedDict):
    """The whole diagnosis (:meth:`wsusdiag.Diagnosis.to_dict`)."""

    schema_version: int
    tool: Tool
    inputs: List[InputSummary]
    clock_offsets: List[ClockOffset]
    codes: Dict[str, Code]
    faults: List[Fault]
    fault_groups: List[FaultGroup]
    server_faults: List[ServerSide]
    server_fault_groups: List[ServerFaultGroup]
    findings: List[Finding]
    clients: List[ClientSummary]
