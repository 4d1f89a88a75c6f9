# Type stubs of the native module, checked against it by mypy's stubtest (scripts/test-py).
from typing import Callable, List, Optional, Sequence, Tuple, final

__all__ = [
    "__version__",
    "WsusDiagError",
    "ParseError",
    "Diagnosis",
    "LogReader",
    "Record",
    "diagnose_paths",
    "diagnose_buffers",
    "diagnose_sample",
    "lookup_hresult_json",
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
    def to_text(self) -> str: ...
    @property
    def has_faults(self) -> bool: ...

@final
class Record:
    """One record of a log; its texts share the batch's buffer, its time is formatted on read."""
    @property
    def line(self) -> int: ...
    @property
    def time(self) -> Optional[str]: ...
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

def diagnose_paths(paths: Sequence[str], rules: Sequence[str]) -> Diagnosis: ...
def diagnose_buffers(buffers: Sequence[Tuple[str, bytes]], rules: Sequence[str]) -> Diagnosis: ...
def diagnose_sample(rules: Sequence[str]) -> Diagnosis: ...
def lookup_hresult_json(code: object) -> Optional[str]: ...
