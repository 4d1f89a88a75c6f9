"""Errors: the right exception, with what a user needs to act on it; never a crash."""

import _thread
import errno
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest
from hypothesis import given, settings, strategies as st

import wsusdiag


def test_missing_file_is_file_not_found_naming_the_path_once(tmp_path):
    missing = tmp_path / "WindowsUpdate.log"
    with pytest.raises(FileNotFoundError) as e:
        wsusdiag.diagnose(missing)
    # As Python's own open() says it.
    with pytest.raises(FileNotFoundError) as python:
        open(missing, "rb")
    assert str(e.value) == str(python.value) == f"[Errno 2] No such file or directory: {str(missing)!r}"
    assert (e.value.errno, e.value.strerror, e.value.filename) == (errno.ENOENT, "No such file or directory", str(missing))
    assert repr(e.value) == "FileNotFoundError(2, 'No such file or directory')"
    with pytest.raises(FileNotFoundError) as e:
        list(wsusdiag.read_log(missing))
    assert str(e.value) == str(python.value)
    assert e.value.filename == str(missing)


def test_a_folder_given_as_rules_file_is_is_a_directory_error(tmp_path, client_log):
    with pytest.raises(IsADirectoryError) as e:
        wsusdiag.diagnose(client_log, rules=tmp_path)
    assert str(e.value) == f"[Errno {errno.EISDIR}] Is a directory: {str(tmp_path)!r}"
    assert e.value.filename == str(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_permission_error(tmp_path, client_log):
    locked = tmp_path / "WindowsUpdate.log"
    locked.write_bytes(client_log.read_bytes())
    locked.chmod(0)
    with pytest.raises(PermissionError) as e:
        wsusdiag.diagnose(locked)
    assert str(e.value) == f"[Errno 13] Permission denied: {str(locked)!r}"


def test_wrong_types_say_what_is_expected(client_log):
    with pytest.raises(TypeError, match="str or os.PathLike, not int"):
        wsusdiag.diagnose(42)
    with pytest.raises(TypeError, match="at least one"):
        wsusdiag.diagnose()
    with pytest.raises(TypeError, match="bytes or a list of bytes, not str"):
        wsusdiag.diagnose_bytes(client=["text"])
    with pytest.raises(TypeError, match="str or os.PathLike"):
        wsusdiag.read_log(None).__next__()
    with pytest.raises(TypeError, match="rules path must be a str or os.PathLike"):
        wsusdiag.diagnose(client_log, rules=[3])


def test_bad_rules_file_is_a_parse_error_with_position(tmp_path, client_log):
    rules = tmp_path / "site.toml"
    rules.write_text('[[rule]]\nid = "X"\ntitle = "t"\nseverity = "fatal"\ncause = "c"\nremediation = ["r"]\n')
    with pytest.raises(wsusdiag.ParseError) as e:
        wsusdiag.diagnose(client_log, rules=rules)
    assert (e.value.path, e.value.line, e.value.column) == (str(rules), 4, 12)
    assert isinstance(e.value, wsusdiag.WsusDiagError)
    assert str(e.value).startswith(f"{rules}: line 4, column 12: ") and "fatal" in str(e.value)
    assert str(e.value).count(str(rules)) == 1 and str(e.value).count("line 4") == 1
    assert repr(e.value) == f"ParseError({str(e.value)!r})"
    # A TOML syntax error: its position said once too.
    rules.write_text('[[rule]\nid = "X"\n')
    with pytest.raises(wsusdiag.ParseError) as e:
        wsusdiag.diagnose(client_log, rules=rules)
    assert str(e.value) == f"{rules}: line 1, column 8: unclosed array table, expected `]`"


def test_no_input_that_is_a_log_raises_not_an_all_clear(tmp_path):
    with pytest.raises(wsusdiag.WsusDiagError, match="no input is a Windows Update or WSUS log: client-1: "):
        wsusdiag.diagnose_bytes(client=b"hello, world\n")
    with pytest.raises(wsusdiag.WsusDiagError, match="an empty folder"):
        wsusdiag.diagnose(tmp_path)


def test_a_non_log_among_logs_is_a_problem_of_its_own(client_log):
    d = wsusdiag.diagnose_bytes(client=[client_log.read_bytes(), b"hello, world\n"])
    assert d.inputs[1]["kind"] is None
    assert d.inputs[1]["problems"][0]["kind"] == "unknown-format"
    assert d.has_faults


def test_console_script_is_quiet_when_its_reader_leaves(tmp_path, client_log):
    many = tmp_path / "WindowsUpdate.log"
    many.write_bytes(client_log.read_bytes() * 300)
    child = subprocess.Popen(
        [sys.executable, "-m", "wsusdiag", "--json", str(many)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert len(child.stdout.read(100)) == 100
    child.stdout.close()
    stderr = child.stderr.read().decode()
    assert child.wait() == 1, stderr
    assert stderr == ""


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs prlimit (util-linux)")
def test_out_of_memory_is_memory_error_not_an_abort(tmp_path):
    large = tmp_path / "large.log"
    with open(large, "wb") as f:
        f.truncate(1 << 30)  # 1 GiB that takes no disk
    program = (
        "import sys, wsusdiag\n"
        "try:\n"
        "    wsusdiag.diagnose(sys.argv[1])\n"
        "except MemoryError as e:\n"
        "    print('MemoryError:', e)\n"
    )
    out = subprocess.run(
        ["prlimit", f"--as={768 << 20}", sys.executable, "-c", program, str(large)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, (out.returncode, out.stderr)
    assert out.stdout.startswith("MemoryError: ") and "out of memory reading 1073741824 bytes" in out.stdout


def test_read_log_of_a_non_log_raises_naming_it_once(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\nthis is not a log\n")
    with pytest.raises(wsusdiag.WsusDiagError) as e:
        list(wsusdiag.read_log(notes))
    assert str(e.value).startswith(f"{notes}: not a Windows Update or WSUS log (none of its first 2 lines")
    assert str(e.value).count(str(notes)) == 1
    assert repr(e.value) == f"WsusDiagError({str(e.value)!r})"
    with pytest.raises(wsusdiag.WsusDiagError) as e:
        wsusdiag.diagnose(notes)
    assert str(e.value).count(str(notes)) == 1, str(e.value)


def test_ctrl_c_stops_a_long_diagnosis_promptly(tmp_path, client_log):
    # A fleet folder that takes a while; Ctrl-C (interrupt_main, as the terminal's SIGINT
    # does) 0.1 s in must raise KeyboardInterrupt then, not once everything is read.
    log = client_log.read_bytes() * 100
    for i in range(150):
        (tmp_path / f"PC{i:03}.log").write_bytes(log)
    start = time.monotonic()
    wsusdiag.diagnose(tmp_path)
    whole = time.monotonic() - start
    if whole < 1.0:
        pytest.skip(f"the fleet is read in {whole:.2f} s: too fast to tell")
    timer = threading.Timer(0.1, _thread.interrupt_main)
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        wsusdiag.diagnose(tmp_path)
    stopped = time.monotonic() - start
    assert stopped < whole / 2, (stopped, whole)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096), st.binary(max_size=2048))
def test_arbitrary_bytes_give_a_result_or_a_wsusdiag_error(client, server):
    try:
        d = wsusdiag.diagnose_bytes(client=client, server=server)
    except wsusdiag.WsusDiagError as e:
        assert str(e).startswith("no input is a Windows Update or WSUS log: ")
        return
    assert isinstance(d.to_dict(), dict)
    assert isinstance(d.to_text(), str)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_files_read_or_raise_wsusdiag_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.log"
    path.write_bytes(data)
    try:
        for r in wsusdiag.read_log(path):
            assert r.line >= 1
    except wsusdiag.WsusDiagError:
        pass
