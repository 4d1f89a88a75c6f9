"""The Windows command (wsusdiag.exe from the zip) under Wine, as a Windows user runs it.

Run by scripts/test-windows, which sets:
  WSUSDIAG_WINE      the wine64 program (WINEPREFIX and WINEDEBUG set too);
  WSUSDIAG_EXE       wsusdiag.exe (Linux path), with wsusdiag.dll's test shim beside it;
  WSUSDIAG_SAMPLES   the KB954960 sample folder (Linux path);
  WSUSDIAG_WORK      a scratch folder.
Paths are given the Windows way: Wine's drive Z: is the Linux root.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WINE = os.environ["WSUSDIAG_WINE"]
EXE = Path(os.environ["WSUSDIAG_EXE"])
SAMPLES = Path(os.environ["WSUSDIAG_SAMPLES"])
WORK = Path(os.environ["WSUSDIAG_WORK"])
CLIENT = SAMPLES / "WindowsUpdate.log"
SERVER = SAMPLES / "SoftwareDistribution.log"


def win(path: Path) -> str:
    """A Linux path as Wine's Z: drive sees it: Z:\\work\\...\\WindowsUpdate.log."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def wsusdiag(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    # A UTF-8 locale, so that Wine reads non-ASCII arguments as UTF-8.
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return subprocess.run(
        [WINE, str(EXE), *args], cwd=cwd or WORK, env=env, capture_output=True, timeout=300
    )


def diagnosis(*paths: str, cwd: Path | None = None) -> dict:
    run = wsusdiag("--json", *paths, cwd=cwd)
    assert run.returncode == 1, run.stderr.decode("utf-8", "replace")
    return json.loads(run.stdout.decode("utf-8"))


def confirmed_kb954960(d: dict) -> None:
    rules = {(f["rule_id"], f["confidence"]) for f in d["findings"]}
    assert ("KB954960", "confirmed") in rules, rules
    assert any(f["correlation"] == "fault-id" for f in d["faults"])


@pytest.fixture(scope="module", autouse=True)
def work():
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)


def folder(name: str, transform=lambda text: text.encode("utf-8")) -> Path:
    """A folder below WORK holding the sample's two logs, rewritten by `transform`."""
    target = WORK / name
    target.mkdir(parents=True, exist_ok=True)
    for log in (CLIENT, SERVER):
        (target / log.name).write_bytes(transform(log.read_text(encoding="utf-8")))
    return target


def test_the_sample_as_text():
    run = wsusdiag(win(CLIENT), win(SERVER))
    out = run.stdout.decode("utf-8")
    assert run.returncode == 1, run.stderr
    assert re.search(r"KB954960\s+confirmed", out), out[:2000]


def test_the_bundled_sample_without_arguments():
    run = wsusdiag()
    assert run.returncode == 1, run.stderr
    assert b"KB954960" in run.stdout


def test_json_and_its_paths_written_the_windows_way():
    d = diagnosis(win(CLIENT), win(SERVER))
    confirmed_kb954960(d)
    paths = sorted(i["path"] for i in d["inputs"])
    assert paths == sorted([win(CLIENT), win(SERVER)])
    for fault in d["faults"]:
        # Schema 2 names each side's log by its index in the inputs.
        assert d["inputs"][fault["client"]["input"]]["path"] == win(CLIENT)
        assert d["inputs"][fault["server"]["input"]]["path"] == win(SERVER)


def test_a_folder_with_a_space_and_a_non_ascii_name():
    logs = folder("Büro Logs")
    d = diagnosis(win(logs))
    confirmed_kb954960(d)
    paths = sorted(i["path"] for i in d["inputs"])
    # The files found in the folder, joined with backslashes.
    assert paths == [win(logs) + "\\SoftwareDistribution.log", win(logs) + "\\WindowsUpdate.log"], paths


def test_relative_paths_with_backslashes():
    folder("rel\\ative".replace("\\", "/"))
    d = diagnosis("rel\\ative\\WindowsUpdate.log", "rel\\ative\\SoftwareDistribution.log")
    confirmed_kb954960(d)


def test_crlf_logs():
    logs = folder("crlf", lambda text: text.replace("\n", "\r\n").encode("utf-8"))
    assert b"\r\n" in (logs / "WindowsUpdate.log").read_bytes()
    confirmed_kb954960(diagnosis(win(logs / "WindowsUpdate.log"), win(logs / "SoftwareDistribution.log")))


def test_a_utf16_client_log_with_crlf():
    # What Windows' own tools write: UTF-16 little-endian with a BOM, CRLF line ends.
    logs = folder("utf16", lambda text: b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"))
    d = diagnosis(win(logs / "WindowsUpdate.log"), win(logs / "SoftwareDistribution.log"))
    confirmed_kb954960(d)
    encodings = {i["path"]: i["encoding"] for i in d["inputs"]}
    assert encodings[win(logs / "WindowsUpdate.log")].lower().startswith("utf-16"), encodings


def test_a_non_ascii_file_name_on_a_drive_letter():
    logs = WORK / "Büro"
    logs.mkdir(exist_ok=True)
    shutil.copy(CLIENT, logs / "WindowsUpdate.log")
    shutil.copy(SERVER, logs / "Überwachung Server.log")
    d = diagnosis(win(logs / "WindowsUpdate.log"), win(logs / "Überwachung Server.log"))
    confirmed_kb954960(d)
    assert win(logs / "Überwachung Server.log") in {i["path"] for i in d["inputs"]}


def test_a_missing_file_exits_2_with_the_windows_message():
    missing = WORK / "Büro" / "nicht da.log"
    run = wsusdiag(win(missing))
    err = run.stderr.decode("utf-8", "replace")
    assert run.returncode == 2, err
    assert win(missing) in err, err
    # The system's message for ERROR_FILE_NOT_FOUND (Windows' words, or Wine's), not Linux's
    # "No such file or directory".
    assert re.search(r"(The system cannot find the file specified|File not found)\. \(os error 2\)", err), err
