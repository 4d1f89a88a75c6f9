"""Calls the shared library with ctypes exactly as the PowerShell module's P/Invoke does.

The ctypes prototypes are built from the module's [DllImport] declarations and C# structs
(read by ps_decls.py), not written by hand, and the calls follow the module's C# helpers
(WsusDiag.Api, WsusDiag.LogReader) step by step: byte arrays and their lengths in, out
pointers, copying and freeing buffers. So a declaration that does not fit the library fails
here, on Linux, without PowerShell.

The library is $WSUSDIAG_LIBRARY, or target/release/libwsusdiag.so (scripts/test-ffi builds it).
Runs under pytest, or alone: python3 wsusdiag-ffi/tests/test_ctypes.py
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ps_decls  # noqa: E402

FFI = ps_decls.FFI
SAMPLES = FFI.parent / "wsusdiag-core" / "samples" / "kb954960"
CLIENT = SAMPLES / "WindowsUpdate.log"
SERVER = SAMPLES / "SoftwareDistribution.log"

OK, END = 0, 1

# ---- ctypes twins of the C# declarations ----

_FIELD_TYPES = {
    "int": ctypes.c_int32,
    "uint": ctypes.c_uint32,
    "ulong": ctypes.c_uint64,
    "long": ctypes.c_int64,
    "IntPtr": ctypes.c_void_p,
    "UIntPtr": ctypes.c_size_t,
}


def _structs() -> dict[str, type]:
    """The C# [StructLayout(Sequential)] structs as ctypes Structures, dependencies first."""
    made: dict[str, type] = {}
    pending = ps_decls.cs_structs()
    while pending:
        for name, fields in list(pending.items()):
            if all(f.type in _FIELD_TYPES or f.type in made for f in fields):
                made[name] = type(
                    name,
                    (ctypes.Structure,),
                    {"_fields_": [(f.name, _FIELD_TYPES.get(f.type) or made[f.type]) for f in fields]},
                )
                del pending[name]
                break
        else:
            raise AssertionError(f"cannot lay out {sorted(pending)}")
    return made


STRUCTS = _structs()
Str = STRUCTS["Str"]
Record = STRUCTS["Record"]

_PARAM_TYPES = {
    "byte[]": ctypes.POINTER(ctypes.c_uint8),
    "[Out] byte[]": ctypes.POINTER(ctypes.c_uint8),
    "UIntPtr": ctypes.c_size_t,
    "UIntPtr[]": ctypes.POINTER(ctypes.c_size_t),
    "IntPtr": ctypes.c_void_p,
    "IntPtr[]": ctypes.POINTER(ctypes.c_void_p),
    "int": ctypes.c_int,
    "out IntPtr": ctypes.POINTER(ctypes.c_void_p),
    "out UIntPtr": ctypes.POINTER(ctypes.c_size_t),
    "out byte": ctypes.POINTER(ctypes.c_uint8),
    "out int": ctypes.POINTER(ctypes.c_int),
    "out Record": ctypes.POINTER(Record),
}
_RETURN_TYPES = {"int": ctypes.c_int, "void": None, "IntPtr": ctypes.c_void_p}


def library_path() -> Path:
    env = os.environ.get("WSUSDIAG_LIBRARY")
    if env:
        return Path(env)
    name = {"win32": "wsusdiag.dll", "darwin": "libwsusdiag.dylib"}.get(sys.platform, "libwsusdiag.so")
    return FFI.parent / "target" / "release" / name


class Native:
    """WsusDiag.Native: one attribute per [DllImport], typed from the C# declaration."""

    def __init__(self, path: Path):
        assert path.is_file(), f"{path} not built: cargo build -p wsusdiag-ffi --release"
        self.lib = ctypes.CDLL(str(path))
        self.decls = ps_decls.dllimports()
        for name, decl in self.decls.items():
            f = getattr(self.lib, name)
            f.argtypes = [_PARAM_TYPES[p.type] for p in decl.params]
            f.restype = _RETURN_TYPES[decl.ret]
            setattr(self, name, f)


NATIVE = Native(library_path())


def byte_array(data: bytes | None):
    """What the marshaler does with a byte[]: a pointer to its bytes, or NULL for null."""
    if data is None:
        return None
    return (ctypes.c_uint8 * len(data)).from_buffer_copy(data)


def length(data: bytes | None) -> int:
    return 0 if data is None else len(data)


# ---- WsusDiag.Api, step by step ----


class WsusDiagError(Exception):
    def __init__(self, result: int, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.result, self.name, self.message = result, name, message


def utf8_list(items) -> bytes | None:
    return "\0".join(items).encode() if items else None


def version() -> str:
    return ctypes.string_at(NATIVE.wsusdiag_version()).decode("ascii")


def result_name(result: int) -> str:
    return ctypes.string_at(NATIVE.wsusdiag_result_name(result)).decode("ascii")


def last_error() -> str:
    needed = ctypes.c_size_t()
    if NATIVE.wsusdiag_last_error_message(None, 0, ctypes.byref(needed)) != OK:
        return ""
    buf = (ctypes.c_uint8 * (needed.value + 1))()
    full = ctypes.c_size_t()
    if NATIVE.wsusdiag_last_error_message(buf, len(buf), ctypes.byref(full)) != OK:
        return ""
    return bytes(buf[: min(full.value, len(buf) - 1)]).decode()


def check(result: int) -> None:
    if result != OK:
        raise WsusDiagError(result, result_name(result), last_error())


def copy(ptr, n: int) -> str:
    return "" if n == 0 else ctypes.string_at(ptr, n).decode()


def read(s) -> str:
    assert s.Ptr, "strings are never NULL"
    return copy(s.Ptr, s.Len)


def take_buffer(ptr: ctypes.c_void_p, n: ctypes.c_size_t) -> str:
    try:
        return copy(ptr.value, n.value)
    finally:
        NATIVE.wsusdiag_buffer_free(ptr, n)


def render(diagnosis: ctypes.c_void_p, form: str) -> str:
    """Api.Render: form is a WsusDiag.ReportForm name (Json, Text, Html or Ndjson)."""
    try:
        buf, n = ctypes.c_void_p(), ctypes.c_size_t()
        f = getattr(NATIVE, f"wsusdiag_diagnosis_to_{form.lower()}")
        check(f(diagnosis, ctypes.byref(buf), ctypes.byref(n)))
        return take_buffer(buf, n)
    finally:
        NATIVE.wsusdiag_diagnosis_free(diagnosis)


def diagnose_files(paths, rules=None, form="Json") -> str:
    p, r = utf8_list([str(x) for x in paths]), utf8_list(rules)
    diagnosis = ctypes.c_void_p()
    check(NATIVE.wsusdiag_diagnose_files(byte_array(p), length(p), byte_array(r), length(r), ctypes.byref(diagnosis)))
    return render(diagnosis, form)


def diagnose_buffers(logs: list[bytes], names=None, rules=None, form="Json") -> str:
    data = b"".join(logs)
    lengths = (ctypes.c_size_t * len(logs))(*[len(x) for x in logs])
    n, r = utf8_list(names), utf8_list(rules)
    diagnosis = ctypes.c_void_p()
    check(
        NATIVE.wsusdiag_diagnose_buffers(
            byte_array(data), len(data), lengths, len(logs),
            byte_array(n), length(n), byte_array(r), length(r), ctypes.byref(diagnosis),
        )
    )
    return render(diagnosis, form)


def analysis_bytes(path) -> bytes:
    """One machine's part: its log analysed, and sent as bytes."""
    p = str(path).encode()
    analysis = ctypes.c_void_p()
    check(NATIVE.wsusdiag_analyse_files(byte_array(p), len(p), None, 0, ctypes.byref(analysis)))
    try:
        buf, n = ctypes.c_void_p(), ctypes.c_size_t()
        check(NATIVE.wsusdiag_analysis_to_bytes(analysis, ctypes.byref(buf), ctypes.byref(n)))
        try:
            return ctypes.string_at(buf.value, n.value)
        finally:
            NATIVE.wsusdiag_buffer_free(buf, n)
    finally:
        NATIVE.wsusdiag_analysis_free(analysis)


def combine_bytes(sent: list[bytes], merge_first=False) -> str:
    """The combining machine's part: the analyses read back (and merged), combined to JSON."""
    handles = []
    try:
        for b in sent:
            a = ctypes.c_void_p()
            check(NATIVE.wsusdiag_analysis_from_bytes(byte_array(b), len(b), ctypes.byref(a)))
            handles.append(a)
        if merge_first:
            merged = ctypes.c_void_p()
            check(NATIVE.wsusdiag_analysis_merge(handles[0], handles[1], ctypes.byref(merged)))
            handles.append(merged)
            combined = [merged]
        else:
            combined = handles
        array = (ctypes.c_void_p * len(combined))(*[h.value for h in combined])
        diagnosis = ctypes.c_void_p()
        check(NATIVE.wsusdiag_combine(array, len(combined), None, 0, ctypes.byref(diagnosis)))
        return render(diagnosis, "Json")
    finally:
        for h in handles:
            NATIVE.wsusdiag_analysis_free(h)


def lookup_hresult(code: str) -> str:
    c = code.encode()
    buf, n = ctypes.c_void_p(), ctypes.c_size_t()
    check(NATIVE.wsusdiag_hresult_lookup(byte_array(c), len(c), ctypes.byref(buf), ctypes.byref(n)))
    return take_buffer(buf, n)


class LogReader:
    """WsusDiag.LogReader."""

    def __init__(self, handle: ctypes.c_void_p, path: str):
        self.handle, self.path = handle, path

    @classmethod
    def open(cls, path) -> "LogReader":
        p = str(path).encode()
        reader = ctypes.c_void_p()
        check(NATIVE.wsusdiag_log_open(byte_array(p), len(p), ctypes.byref(reader)))
        return cls(reader, str(path))

    @classmethod
    def from_buffer(cls, name: str, data: bytes) -> "LogReader":
        n = name.encode()
        reader = ctypes.c_void_p()
        check(NATIVE.wsusdiag_log_from_buffer(byte_array(n), len(n), byte_array(data), len(data), ctypes.byref(reader)))
        return cls(reader, name)

    def kind(self) -> int:
        k = ctypes.c_int()
        check(NATIVE.wsusdiag_log_reader_kind(self.handle, ctypes.byref(k)))
        return k.value

    def next(self) -> dict | None:
        r = Record()
        result = NATIVE.wsusdiag_log_reader_next(self.handle, ctypes.byref(r))
        if result == END:
            return None
        check(result)
        # LogRecord.From: copy everything now, the strings die at the next call.
        row = {f: getattr(r, f) for f, t in Record._fields_ if t is not Str}
        row.update({f: read(getattr(r, f)) for f, t in Record._fields_ if t is Str})
        return row

    def __iter__(self):
        while (row := self.next()) is not None:
            yield row

    def close(self) -> None:
        if self.handle:
            NATIVE.wsusdiag_log_reader_free(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def raises(f, *args) -> WsusDiagError:
    try:
        f(*args)
    except WsusDiagError as e:
        return e
    raise AssertionError(f"{f.__name__}{args} did not fail")


# ---- tests ----


def test_version_is_the_module_version():
    manifest = re.search(r"ModuleVersion\s*=\s*'([^']+)'", ps_decls.PSD1.read_text(encoding="utf-8-sig"))
    assert manifest
    assert version() == manifest.group(1)


def test_record_layout_is_the_c_layout():
    if struct.calcsize("P") == 8:
        # 6 x 4-byte fields, 5 x 8-byte fields, 8 strings of (pointer, size).
        assert ctypes.sizeof(Record) == 6 * 4 + 5 * 8 + 8 * 16 == 192
        assert Record.Offset.offset == 24
        assert Record.Component.offset == 64
        assert ctypes.sizeof(Str) == 16


def test_diagnose_files_finds_kb954960():
    d = json.loads(diagnose_files([CLIENT, SERVER]))
    assert d["schema_version"] == 2
    fault = d["faults"][0]
    assert fault["client"]["hresult"] == "0x8024400E"
    assert d["codes"]["0x8024400E"]["name"] == "WU_E_PT_SOAP_SERVER"
    assert fault["correlation"] == "fault-id"
    assert [i["kind"] for i in d["inputs"]] == ["client-classic", "server"]
    finding = d["findings"][0]
    assert (finding["rule_id"], finding["confidence"]) == ("KB954960", "confirmed")
    assert finding["remediation"] and finding["evidence"]
    assert fault["rule_id"] == "KB954960"
    text = diagnose_files([CLIENT, SERVER], form="Text")
    assert "KB954960" in text and "47 │" in text
    page = diagnose_files([CLIENT, SERVER], form="Html")
    assert page.startswith("<!DOCTYPE html>") and "KB954960" in page
    lines = [json.loads(line) for line in diagnose_files([CLIENT, SERVER], form="Ndjson").splitlines()]
    assert [line["type"] for line in lines] == ["input", "input", "clock", "fault", "fault", "finding", "client"]


def test_diagnose_buffers_matches_files():
    logs = [SERVER.read_bytes(), CLIENT.read_bytes()]
    d = json.loads(diagnose_buffers(logs, names=["srv.log", "cli.log"]))
    assert [i["path"] for i in d["inputs"]] == ["srv.log", "cli.log"]
    assert d["faults"][0]["client"]["hresult"] == "0x8024400E"
    assert d["faults"][0]["correlation"] == "fault-id"
    files = json.loads(diagnose_files([CLIENT, SERVER]))
    assert len(d["faults"]) == len(files["faults"])
    unnamed = json.loads(diagnose_buffers([CLIENT.read_bytes()]))
    assert unnamed["inputs"][0]["path"] == "buffer-1"


def test_has_faults_through_out_byte():
    p = utf8_list([str(CLIENT), str(SERVER)])
    diagnosis = ctypes.c_void_p()
    check(NATIVE.wsusdiag_diagnose_files(byte_array(p), len(p), None, 0, ctypes.byref(diagnosis)))
    flag = ctypes.c_uint8(7)
    check(NATIVE.wsusdiag_diagnosis_has_faults(diagnosis, ctypes.byref(flag)))
    assert flag.value == 1
    NATIVE.wsusdiag_diagnosis_free(diagnosis)
    NATIVE.wsusdiag_diagnosis_free(None)


def test_analyses_sent_as_bytes_combine_to_the_folders_diagnosis():
    want = diagnose_files([SAMPLES])
    sent = [analysis_bytes(CLIENT), analysis_bytes(SERVER)]
    assert all(b.startswith(b"WSUSDIAG") for b in sent)
    assert combine_bytes(sent) == want
    assert combine_bytes(sent[::-1]) == want
    assert combine_bytes(sent, merge_first=True) == want
    e = raises(combine_bytes, [b"not an analysis"])
    assert (e.result, e.name) == (102, "WSUSDIAG_RESULT_INVALID_ARGUMENT")
    assert e.message.startswith("wsusdiag_analysis_from_bytes: not a wsusdiag analysis: ")


def test_lookup_hresult_in_every_form_powershell_sends():
    # Resolve-WUError sends [string]$code: an integer typed as 0x8024400E becomes "-2145107954".
    for form in ["0x8024400E", "8024400E", "[8024400E]", "2149859342", "-2145107954"]:
        info = json.loads(lookup_hresult(form))
        assert info["code"] == "0x8024400E", form
        assert info["name"] == "WU_E_PT_SOAP_SERVER"
    e = raises(lookup_hresult, "not a code")
    assert (e.result, e.name) == (102, "WSUSDIAG_RESULT_INVALID_ARGUMENT")
    assert "is not an HRESULT" in e.message


def test_errors_carry_code_name_and_file():
    missing = "/nonexistent/wsusdiag/WindowsUpdate.log"
    e = raises(diagnose_files, [missing])
    assert (e.result, e.name) == (401, "WSUSDIAG_RESULT_NOT_FOUND")
    assert e.message.startswith(missing + ": ")
    e = raises(LogReader.open, missing)
    assert e.result == 401
    e = raises(LogReader.from_buffer, "notes.txt", b"just some text\n")
    assert (e.result, e.name) == (200, "WSUSDIAG_RESULT_UNKNOWN_FORMAT")
    assert e.message.startswith("notes.txt: not a Windows Update or WSUS log")
    # After a success the last error is empty again.
    lookup_hresult("0x80072EE2")
    assert last_error() == ""
    assert result_name(12345) == "WSUSDIAG_RESULT_UNKNOWN"


def test_no_input_that_is_a_log_is_unknown_format(tmp_path):
    e = raises(diagnose_buffers, [b"just some text\n"])
    assert (e.result, e.name) == (200, "WSUSDIAG_RESULT_UNKNOWN_FORMAT")
    assert e.message.startswith("no input is a Windows Update or WSUS log: buffer-1: ")
    e = raises(diagnose_buffers, [b""])
    assert e.result == 200
    e = raises(diagnose_files, [tmp_path])
    assert e.result == 200 and "an empty folder" in e.message
    # Among logs, a text that is no log is listed, not an error.
    d = json.loads(diagnose_buffers([CLIENT.read_bytes(), b"just some text\n"]))
    assert d["inputs"][1]["problems"][0]["kind"] == "unknown-format"


def test_out_of_memory_is_a_result_not_an_abort(tmp_path):
    import resource

    large = tmp_path / "large.log"
    large.touch()
    os.truncate(large, 1 << 30)  # 1 GiB that takes no disk
    # The host (a Python process here, standing for PowerShell) has 768 MiB of address space
    # (RLIMIT_AS, what `prlimit --as` sets): the call fails with a result, and the host goes on.
    limit = 768 << 20
    host = subprocess.run(
        [sys.executable, __file__, "--diagnose-files", str(large)],
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)),
        capture_output=True,
        text=True,
    )
    assert host.returncode == 0, (host.returncode, host.stderr)
    said, after = host.stdout.splitlines()
    assert said.startswith("600 WSUSDIAG_RESULT_OUT_OF_MEMORY "), said
    assert "out of memory reading 1073741824 bytes" in said
    assert after == "WU_E_PT_SOAP_SERVER"


def test_panic_comes_back_as_a_code():
    lib = NATIVE.lib  # the test hook is not in the header, so not in the module either
    lib.wsusdiag_test_panic.argtypes = [ctypes.POINTER(ctypes.c_uint8), ctypes.c_size_t]
    lib.wsusdiag_test_panic.restype = ctypes.c_int
    msg = b"boom from ctypes"
    assert lib.wsusdiag_test_panic(byte_array(msg), len(msg)) == 900
    assert "boom from ctypes" in last_error()
    assert json.loads(lookup_hresult("0x8024400E"))["listed"] is True


def test_record_iterator_on_the_client_log():
    with LogReader.open(CLIENT) as reader:
        assert reader.kind() == 1  # ClientClassic
        rows = list(reader)
        assert reader.next() is None, "END again after the end"
    assert len(rows) > 50
    first = rows[0]
    assert (first["Kind"], first["Line"], first["Column"]) == (1, 1, 1)
    assert (first["Pid"], first["Tid"], first["Thread"]) == (1100, 0x7D8, -1)
    assert first["HasTime"] == 1 and first["TimeMs"] == 1_216_026_633_953
    assert first["Component"] == "Misc"
    assert first["Source"] == first["Level"] == first["Error"] == ""
    fault = next(r for r in rows if "SyncUpdates failure, error = 0x8024400E" in r["Message"])
    assert (fault["Line"], fault["Component"]) == (47, "PT")
    assert all(r["Kind"] == 1 for r in rows)


def test_record_iterator_on_a_configmgr_client_log():
    # A real WUAHandler.log in CMTrace form: a client log of its own kind, one row an entry.
    log = FFI.parent / "wsusdiag-core" / "tests" / "configmgr" / "client-folder" / "WUAHandler.log"
    with LogReader.open(log) as reader:
        assert reader.kind() == 7  # ClientConfigMgr
        rows = list(reader)
    assert len(rows) > 20 and all(r["Kind"] == 1 for r in rows)
    first = rows[0]
    assert (first["Line"], first["Component"], first["Tid"]) == (1, "WUAHandler", 10472)
    assert first["Message"].startswith("CWuaHandler::SetCategoriesForStateReportingExclusion")
    assert any(r["Message"].startswith("Its a WSUS Update Source type") for r in rows)


def test_record_iterator_on_the_server_log_and_malformed_lines():
    with LogReader.from_buffer("SoftwareDistribution.log", SERVER.read_bytes()) as reader:
        assert reader.kind() == 4  # Server
        rows = list(reader)
    first = rows[0]
    assert (first["Kind"], first["Level"], first["Process"], first["Thread"]) == (2, "Info", "WsusService", 20)
    assert first["Source"] == "EventLogEventReporter.ReportEvent"
    trace = next(r for r in rows if r["Continuation"])
    assert trace["EndLine"] > trace["Line"]

    broken = (
        b"2008-07-14\t09:10:33:953\t1100\t7d8\tMisc\tfirst\n"
        b"2008-07-14\t09:1x:33:953\t1100\t7d8\tMisc\tbroken header\n"
        b"2008-07-14\t09:10:34:953\t1100\t7d8\tMisc\tthird\n"
    )
    with LogReader.from_buffer("broken.log", broken) as reader:
        rows = list(reader)
    assert [(r["Kind"], r["Line"]) for r in rows] == [(1, 1), (3, 2), (1, 3)]
    bad = rows[1]
    assert bad["Error"] == "bad-header" and bad["Column"] > 1 and "broken header" in bad["Text"]
    assert bad["Message"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--diagnose-files"]:
        # The host process of test_out_of_memory_is_a_result_not_an_abort.
        failure = raises(diagnose_files, sys.argv[2:])
        print(failure.result, failure.name, failure.message)
        print(json.loads(lookup_hresult("0x8024400E"))["name"])
        sys.exit(0)
    import inspect
    import tempfile

    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    failed = 0
    for t in tests:
        try:
            if "tmp_path" in inspect.signature(t).parameters:
                with tempfile.TemporaryDirectory() as tmp:
                    t(Path(tmp))
            else:
                t()
        except AssertionError as e:
            failed += 1
            print(f"FAILED {t.__name__}: {e!r}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
