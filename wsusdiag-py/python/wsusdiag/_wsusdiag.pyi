# Type stubs of the native module, checked against it by mypy's stubtest (scripts/test-py).
from datetime import datetime
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "__version__",
    "WsusDiagError",
    "ParseError",
    "Diagnosis",
    "LogAnalysis",
    "LogReader",
    "Record",
    "diagnose_paths",
    "diagnose_buffers",
    "diagnose_sample",
    "analyse_paths",
    "analyse_buffers",
    "combine",
    "lookup_hresult_json",
    "spellings",
]

__version__: str

class WsusDiagError(Exception): ...

class ParseError(WsusDiagError):
    path: str
    line: int
    column: int

@final
class Diagnosis:
    def to_json(self) -> str:
        """The JSON contract (main README, `--json`); a fault's correlation is fault-id,
        time-window, ambiguous (candidates listed) or none."""
    def write_json(self, write: Callable[[bytes], object], chunk: int = ...) -> None: ...
    def to_ndjson(self) -> str:
        """One flat JSON object per line, each with a `type`."""
    def to_text(self) -> str: ...
    def to_html(self) -> str: ...
    @property
    def has_faults(self) -> bool: ...

@final
class LogAnalysis:
    """What a diagnosis needs of a set of logs: how each was read, its faults, events and
    errors, not its text. Made by ``wsusdiag.analyse``, merged in any grouping, combined into
    the diagnosis by ``wsusdiag.combine``; pickled as its compact bytes."""
    def to_bytes(self) -> bytes:
        """The analysis in its compact binary form: a header with the version of wsusdiag
        that wrote it, then the analysis."""
    @staticmethod
    def from_bytes(data: Union[bytes, bytearray]) -> LogAnalysis:
        """Reads the bytes of ``to_bytes``. Bytes from anywhere are safe: anything but an
        analysis written by this version of wsusdiag, whole, raises ``WsusDiagError`` saying
        what is wrong."""
    def merge(self, *others: LogAnalysis) -> LogAnalysis:
        """This analysis and the others in one, none changed, sorted once (merge a
        partition's analyses in one call, not one at a time into a growing one). Merging is
        associative (a tree reduction works); analyses read with other rules files raise
        ``WsusDiagError``."""
    @property
    def names(self) -> List[str]:
        """The inputs' paths or names, in the order a folder is read."""
    @property
    def kinds(self) -> List[Optional[str]]:
        """What each input turned out to be (``client-classic``, ``server``, …; ``None``: no
        log), in the order of ``names``."""
    def __len__(self) -> int: ...
    def __reduce__(self) -> Tuple[Callable[[bytes], LogAnalysis], Tuple[bytes]]: ...

@final
class Record:
    """One record of a log; its texts share the batch's buffer, its time is made on read."""
    @property
    def line(self) -> int: ...
    @property
    def time(self) -> Optional[datetime]:
        """Aware UTC for a server log and an ``.etl`` trace; naive (the log's local time, as
        written) for the others."""
    @property
    def pid(self) -> Optional[int]: ...
    @property
    def tid(self) -> Optional[int]: ...
    @property
    def component(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def level(self) -> Optional[str]: ...
    @property
    def process(self) -> Optional[str]: ...
    @property
    def thread(self) -> Optional[int]: ...
    @property
    def source(self) -> str: ...

@final
class LogReader:
    def __new__(cls, path: str) -> LogReader: ...
    @property
    def kind(self) -> Optional[str]: ...
    def next_batch(self) -> Optional[Tuple[List[Record], List[Tuple[int, int, str, str]]]]: ...

def diagnose_paths(paths: Sequence[str], rules: Sequence[str], evidence: str = "key") -> Diagnosis:
    """Diagnoses files and folders.

    Inside a folder only regular files are read, each once (by device and inode); pipes,
    devices, dangling links, unreadable entries and links to what was already read are listed
    as problems of their own. Each file is read once into memory, up to its size when opened
    (a growing log); a log cut while it is read gives what was read and a ``truncated``
    problem. A pipe or device given directly is read up to 256 MiB; an ``.etl`` trace's
    compressed buffers expand to at most 64 MiB per file. Text fields taken from a log are cut
    to 480 bytes, ending in ``…``.

    Raises ``WsusDiagError`` when no input is a log or a pipe passes 256 MiB, ``MemoryError``
    when a file does not fit in memory, ``OSError`` (``FileNotFoundError``,
    ``PermissionError``) when a given path cannot be read, ``ParseError`` for a bad rules file.
    """

def diagnose_buffers(buffers: Sequence[Tuple[str, bytes]], rules: Sequence[str], evidence: str = "key") -> Diagnosis:
    """Diagnoses named buffers, read where they are (not copied).

    Raises ``WsusDiagError`` when no buffer is a log (a buffer that is no log among logs is
    listed as a problem of its own).
    """

def diagnose_sample(rules: Sequence[str], evidence: str = "key") -> Diagnosis: ...
def analyse_paths(paths: Sequence[str], rules: Sequence[str]) -> LogAnalysis:
    """Analyses files and folders as one set of inputs; errors as ``diagnose_paths``, but an
    input that is no log is listed, not raised."""

def analyse_buffers(buffers: Sequence[Tuple[str, bytes]], rules: Sequence[str]) -> LogAnalysis:
    """Analyses named buffers, read where they are (not copied)."""

def combine(analyses: Sequence[LogAnalysis], rules: Sequence[str], evidence: str = "key") -> Diagnosis:
    """The diagnosis of analyses, ordered by path as a folder is read: ``diagnose_paths`` of
    the same logs, byte for byte in the JSON. Raises ``WsusDiagError`` for analyses read with
    other rules and when no input is a log."""
def lookup_hresult_json(code: object) -> Optional[str]:
    """What a code means, as JSON; ``None`` for text that is no code.

    Raises ``ValueError`` for an int outside 32 bits or a str that cannot be UTF-8, and
    ``TypeError`` for anything but an int or a str.
    """

def spellings() -> Dict[str, List[str]]:
    """The JSON spellings of each typed value of the diagnosis, by its Rust name, in order."""
