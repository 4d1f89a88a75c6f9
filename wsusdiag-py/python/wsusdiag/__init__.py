"""wsusdiag: why Windows computers do not get their updates from WSUS.

Give it Windows Update client logs (``WindowsUpdate.log``, classic or Windows 10, or ``.etl``
traces) and WSUS server logs (``SoftwareDistribution.log``) in any order; it joins each client
failure to the server's record of the same fault and names the known issue and its fix.

    >>> import wsusdiag
    >>> d = wsusdiag.diagnose("WindowsUpdate.log", "SoftwareDistribution.log")  # doctest: +SKIP
    >>> d.findings[0]["rule_id"]  # doctest: +SKIP
    'KB954960'
    >>> d.faults[0]["correlation"] == wsusdiag.Correlation.FAULT_ID  # doctest: +SKIP
    True

The parts of a diagnosis are dicts of the JSON contract, typed in :mod:`wsusdiag.types`.

A fleet's logs can be analysed where they lie, one at a time, and the small analyses combined
into the diagnosis of their folder (on Dask or Spark: ``wsusdiag-py/examples``)::

    >>> parts = [wsusdiag.analyse(os.path.join(root, f)) for f in os.listdir(root)]  # doctest: +SKIP
    >>> wsusdiag.combine(parts).to_json() == wsusdiag.diagnose(root).to_json()  # doctest: +SKIP
    True
"""

from __future__ import annotations

import codecs
import io
import json
import os
from typing import IO, Any, Dict, Iterable, Iterator, List, Optional, Sequence, Sized, Union, cast

from . import _wsusdiag
from ._wsusdiag import LogAnalysis, ParseError, Record, WsusDiagError
from .types import (
    ClientSummary,
    ClockOffset,
    Code,
    Confidence,
    Correlation,
    DiagnosisDict,
    EndpointKind,
    Fault,
    FaultGroup,
    Finding,
    InputSummary,
    LogKind,
    OffsetBasis,
    Operation,
    ProblemKind,
    ServerFaultGroup,
    ServerScope,
    ServerSide,
    Severity,
    TextEncoding,
    UpdateSource,
)

__all__ = [
    "Confidence",
    "Correlation",
    "Diagnosis",
    "EndpointKind",
    "LogAnalysis",
    "LogKind",
    "OffsetBasis",
    "Operation",
    "ParseError",
    "ProblemKind",
    "Record",
    "ServerScope",
    "Severity",
    "TextEncoding",
    "UpdateSource",
    "WsusDiagError",
    "analyse",
    "combine",
    "diagnose",
    "diagnose_bytes",
    "lookup_hresult",
    "read_log",
    "__version__",
]

__version__: str = _wsusdiag.__version__

PathLike = Union[str, "os.PathLike[str]"]


def _path(value: object, what: str) -> str:
    """``value`` as a path string, or a TypeError that says what was expected."""
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if isinstance(path, str):
            return path
    raise TypeError(f"{what} must be a str or os.PathLike, not {type(value).__name__}")


def _paths(values: Optional[Union[PathLike, Iterable[PathLike]]], what: str) -> List[str]:
    if values is None:
        return []
    if isinstance(values, (str, os.PathLike)) or not isinstance(values, Iterable):
        return [_path(values, what)]
    return [_path(v, what) for v in values]


class Diagnosis:
    """Everything wsusdiag found in a set of logs (the JSON contract, ``schema_version`` 2).

    Its parts are dicts typed in :mod:`wsusdiag.types`; a typed value such as a fault's
    ``correlation`` is its JSON spelling, equal to the enum member (``Correlation.FAULT_ID``).
    """

    __slots__ = ("_native", "_dict")

    def __init__(self, native: _wsusdiag.Diagnosis) -> None:
        self._native = native
        self._dict: Optional[DiagnosisDict] = None

    def to_json(self) -> str:
        """The diagnosis as JSON text."""
        return self._native.to_json()

    def write_json(self, file: Union[PathLike, IO[bytes], IO[str]]) -> None:
        """Writes the text of :meth:`to_json` to a path or to an open binary or text file.

        A fleet's diagnosis runs to tens of megabytes: this hands it over a mebibyte at a time
        and never holds it whole. A path is created or replaced.
        """
        if isinstance(file, (str, os.PathLike)):
            with open(_path(file, "file"), "wb") as f:
                self._native.write_json(f.write)
        elif isinstance(file, io.TextIOBase):
            # A chunk may end inside a character: decode across chunks.
            decoder = codecs.getincrementaldecoder("utf-8")()
            self._native.write_json(lambda chunk: file.write(decoder.decode(chunk)))
            file.write(decoder.decode(b"", final=True))
        elif isinstance(file, io.RawIOBase):
            # An unbuffered file's write may take only part of a chunk; a buffered one's takes all.
            buffered = io.BufferedWriter(file)
            try:
                self._native.write_json(buffered.write)
            finally:
                buffered.detach()  # flushes, and leaves the file open
        else:
            self._native.write_json(cast(IO[bytes], file).write)

    def to_ndjson(self) -> str:
        """The diagnosis as NDJSON for log platforms: one flat JSON object per line, each with a
        ``type`` (``input``, ``clock``, ``fault``, ``server_fault``, ``finding``, ``client``)."""
        return self._native.to_ndjson()

    def to_dict(self) -> DiagnosisDict:
        """The diagnosis as plain Python data (a fresh copy each call)."""
        return cast(DiagnosisDict, json.loads(self.to_json()))

    def to_text(self) -> str:
        """The text report an admin reads: the verdict first, then evidence and the fix."""
        return self._native.to_text()

    def to_html(self) -> str:
        """The HTML report: one self-contained page (inline style and script, nothing fetched)
        with the verdict, findings, a timeline of failures and a table of clients."""
        return self._native.to_html()

    def write_html(self, path: PathLike) -> None:
        """Writes :meth:`to_html` to `path` (UTF-8), created or replaced."""
        with open(_path(path, "path"), "w", encoding="utf-8") as f:
            f.write(self.to_html())

    def _data(self) -> DiagnosisDict:
        if self._dict is None:
            self._dict = self.to_dict()
        return self._dict

    @property
    def has_faults(self) -> bool:
        """Whether any fault or known issue was found."""
        return self._native.has_faults

    @property
    def findings(self) -> List[Finding]:
        """One entry per known issue matched, the most serious and most certain first."""
        return self._data()["findings"]

    @property
    def faults(self) -> List[Fault]:
        """One entry per client failure, with what the server logged about it.

        ``correlation`` is ``fault-id``, ``time-window``, ``ambiguous`` (its ``candidates``
        listed, no ``server``) or ``none`` (:class:`Correlation`); ``time_window`` is the
        window searched.
        """
        return self._data()["faults"]

    @property
    def fault_groups(self) -> List[FaultGroup]:
        """The faults of one client log with the same code, method, known issue and server
        cause, together: how many, first and last time, and their indices in ``faults``."""
        return self._data()["fault_groups"]

    @property
    def codes(self) -> Dict[str, Code]:
        """What each error code the faults name means, by code (``0x8024400E``)."""
        return self._data()["codes"]

    @property
    def server_faults(self) -> List[ServerSide]:
        """Server failures no client fault was joined to, by server log then line."""
        return self._data()["server_faults"]

    @property
    def server_fault_groups(self) -> List[ServerFaultGroup]:
        """The server faults of one log with the same exception, method and message pattern,
        together, with their indices in ``server_faults``."""
        return self._data()["server_fault_groups"]

    @property
    def clock_offsets(self) -> List[ClockOffset]:
        """Per client log: its clock's offset to server UTC, and what the estimate rests on."""
        return self._data()["clock_offsets"]

    @property
    def clients(self) -> List[ClientSummary]:
        """Per client log: its identity and how its detections went."""
        return self._data()["clients"]

    @property
    def inputs(self) -> List[InputSummary]:
        """How each input was read (kind, encoding, records, malformed lines)."""
        return self._data()["inputs"]

    def __repr__(self) -> str:
        """``<Diagnosis of 2 inputs: 2 faults, 0 server faults; KB954960>``."""

        def count(items: Sized, what: str) -> str:
            return f"{len(items)} {what}{'' if len(items) == 1 else 's'}"

        ids = ", ".join(f["rule_id"] for f in self.findings) or "no known issue"
        parts = count(self.faults, "fault"), count(self.server_faults, "server fault")
        return f"<Diagnosis of {count(self.inputs, 'input')}: {', '.join(parts)}; {ids}>"


def diagnose(
    *paths: PathLike,
    rules: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    evidence: str = "key",
) -> Diagnosis:
    """Diagnoses log files and folders, client and server logs in any order.

    ``evidence="full"`` quotes every line of each fault with its text; by default (``"key"``)
    a client fault quotes its key lines (the failure, the fault's ErrorCode and ID) and every
    fault lists all its lines by number.

    ``rules`` names extra known-issue rules files (TOML). A missing file raises
    ``FileNotFoundError``, an unreadable one ``PermissionError``, a bad rules file ``ParseError``;
    when no input is a log (an empty folder, a picture) it raises ``WsusDiagError``, and
    ``MemoryError`` when a file does not fit in memory. Inside a folder only regular files are
    read, each once; pipes, devices, dangling links and unreadable entries are listed in
    ``Diagnosis.inputs`` with their problem. A log is read up to its size when opened; one cut
    while it is read gives what was read and a ``truncated`` problem; a pipe or device given
    directly is read up to 256 MiB.
    """
    files = [_path(p, "a log path") for p in paths]
    if not files:
        raise TypeError("diagnose() needs at least one log path")
    return Diagnosis(_wsusdiag.diagnose_paths(files, _paths(rules, "a rules path"), evidence))


def _buffers(value: Union[None, bytes, Sequence[bytes]], side: str) -> List[bytes]:
    if value is None:
        return []
    if isinstance(value, (bytes, bytearray, memoryview)):
        return [bytes(value)]
    out = []
    for item in value:
        if not isinstance(item, (bytes, bytearray, memoryview)):
            raise TypeError(f"{side} must be bytes or a list of bytes, not {type(item).__name__}")
        out.append(bytes(item))
    return out


def diagnose_bytes(
    client: Union[None, bytes, Sequence[bytes]] = None,
    server: Union[None, bytes, Sequence[bytes]] = None,
    rules: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    evidence: str = "key",
) -> Diagnosis:
    """Diagnoses logs already in memory: client and server logs as bytes (any encoding);
    ``evidence`` as for :func:`diagnose`."""
    named = [(f"client-{i + 1}", b) for i, b in enumerate(_buffers(client, "client"))]
    named += [(f"server-{i + 1}", b) for i, b in enumerate(_buffers(server, "server"))]
    if not named:
        raise TypeError("diagnose_bytes() needs client= or server= bytes")
    return Diagnosis(_wsusdiag.diagnose_buffers(named, _paths(rules, "a rules path"), evidence))


def analyse(
    source: Union[PathLike, Sequence[PathLike], bytes, bytearray, memoryview],
    name: Optional[str] = None,
    rules: Optional[Union[PathLike, Sequence[PathLike]]] = None,
) -> LogAnalysis:
    """What a diagnosis needs of one log, to :func:`combine` with the analyses of others.

    ``source`` is a log's path, a folder (every file it holds), a list of paths analysed
    together (a machine's ``.etl`` traces, one log as in a folder), or a log's bytes with the
    ``name`` to report them by. Name each log as :func:`diagnose` of its folder would (the
    folder as given, joined with the path inside it): :func:`combine` orders logs by name, and
    the report shows it. ``rules`` must be the rules files the analyses are combined with.
    Errors are those of :func:`diagnose`, but an input that is no log is no error here (it is
    listed, as in a folder).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        if not isinstance(name, str):
            raise TypeError("analyse() of bytes needs name=, the log's path to report it by")
        return _wsusdiag.analyse_buffers([(name, bytes(source))], _paths(rules, "a rules path"))
    if name is not None:
        raise TypeError("analyse(): name= is for bytes; a path is reported as given")
    paths = _paths(source, "a log path")
    if not paths:
        raise TypeError("analyse() needs a path, a list of paths or bytes")
    return _wsusdiag.analyse_paths(paths, _paths(rules, "a rules path"))


def combine(
    analyses: Iterable[LogAnalysis],
    rules: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    evidence: str = "key",
) -> Diagnosis:
    """The diagnosis of analyses (made by :func:`analyse`, merged or not, in any order).

    It is :func:`diagnose` of the same logs, byte for byte in the JSON. ``rules`` must name
    the rules files they were analysed with, or it raises ``WsusDiagError``; so does an empty
    set, or one in which no input is a log. ``evidence`` as for :func:`diagnose`.
    """
    parts = list(analyses)
    for part in parts:
        if not isinstance(part, LogAnalysis):
            raise TypeError(f"combine() takes LogAnalysis objects, not {type(part).__name__}")
    return Diagnosis(_wsusdiag.combine(parts, _paths(rules, "a rules path"), evidence))


def read_log(path: PathLike) -> Iterator[Record]:
    """The records of one log, in order, read in bounded memory.

    Each record has ``line``, ``time``, ``pid``, ``tid``, ``component`` and ``message``; server
    records also ``level``, ``process``, ``thread`` and ``source``, and their message carries the
    stack trace. Lines that cannot be read are skipped (``diagnose`` reports them with line and
    column).

    ``time`` is a ``datetime.datetime`` (``None`` for a line without one, as in a fragment):
    aware, in UTC (``tzinfo=datetime.timezone.utc``), for a WSUS server log and an ``.etl``
    trace, whose times are UTC; naive for the other logs, as written in the local time of the
    machine that wrote them (a classic ``WindowsUpdate.log``, a Configuration Manager log) or,
    for a Windows 10 ``WindowsUpdate.log``, of the machine that ran ``Get-WindowsUpdateLog``.
    A classic log's ``tz:`` banner, or :attr:`Diagnosis.clock_offsets`, relate it to UTC.
    """
    reader = _wsusdiag.LogReader(_path(path, "a log path"))
    while True:
        batch = reader.next_batch()
        if batch is None:
            return
        yield from batch[0]


def lookup_hresult(code: Union[int, str]) -> Optional[Dict[str, Any]]:
    """What an error code means: ``0x8024400E``, ``8024400e``, ``2149859342`` or ``-2145107954``.

    Returns ``None`` for text that is no code. Every code gets an answer: an unlisted code in a
    known range still names its component.
    """
    if isinstance(code, bool) or not isinstance(code, (int, str)):
        raise TypeError(f"lookup_hresult() expects an int or a str, not {type(code).__name__}")
    text = _wsusdiag.lookup_hresult_json(code)
    return None if text is None else json.loads(text)
