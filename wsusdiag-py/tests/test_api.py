"""The package as a user calls it, on the bundled KB954960 pair and on small fleets."""

import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest

import wsusdiag
from conftest import ROOT, SAMPLE


def test_sample_pair_is_kb954960_confirmed(client_log, server_log):
    d = wsusdiag.diagnose(client_log, str(server_log))
    assert [f["rule_id"] for f in d.findings] == ["KB954960"]
    assert d.findings[0]["confidence"] == "confirmed"
    assert len(d.faults) == 2
    fault = d.faults[0]
    assert fault["client"]["hresult"] == "0x8024400E"
    assert d.codes[fault["client"]["hresult"]]["name"] == "WU_E_PT_SOAP_SERVER"
    assert fault["correlation"] == "fault-id"
    assert fault["server"]["cause"]["exception"] == "System.ArgumentException"
    assert d.clients[0]["client_id"] == "7f3e1c52-9a4b-4d1e-8b6f-2c5a9e0d3b71"
    assert d.has_faults
    assert d.to_dict() == json.loads(d.to_json())
    assert "VERDICT" in d.to_text()
    assert repr(d) == "<Diagnosis of 2 inputs: 2 faults, 0 server faults; KB954960>"


def test_html_report(client_log, server_log, tmp_path):
    d = wsusdiag.diagnose(client_log, server_log)
    page = d.to_html()
    assert page.startswith("<!DOCTYPE html>")
    assert "KB954960" in page and "c0a7445f-b989-43fa-ac20-11f8ca65fa8c" in page
    out = tmp_path / "report.html"
    d.write_html(out)
    assert out.read_text(encoding="utf-8") == page


def test_bytes_and_files_agree(client_log, server_log):
    from_files = wsusdiag.diagnose(client_log, server_log)
    from_bytes = wsusdiag.diagnose_bytes(client=client_log.read_bytes(), server=[server_log.read_bytes()])
    assert [f["rule_id"] for f in from_bytes.findings] == [f["rule_id"] for f in from_files.findings]
    assert [f["client"]["line"] for f in from_bytes.faults] == [f["client"]["line"] for f in from_files.faults]


def test_utf16_client_log(tmp_path, client_log, server_log):
    utf16 = tmp_path / "WindowsUpdate.log"
    utf16.write_bytes(client_log.read_text().encode("utf-16"))
    d = wsusdiag.diagnose(utf16, server_log)
    assert d.inputs[0]["encoding"] == "utf-16le"
    assert d.findings[0]["rule_id"] == "KB954960"


def test_fleet_folder_with_a_client_missing_its_server(tmp_path, client_log, server_log):
    for name in ("pc1", "pc2"):
        (tmp_path / name).mkdir()
        shutil.copy(client_log, tmp_path / name / "WindowsUpdate.log")
    d = wsusdiag.diagnose(tmp_path)
    assert len(d.clients) == 2
    assert {f["correlation"] for f in d.faults} == {"none"}
    assert d.findings[0]["confidence"] == "probable"
    shutil.copy(server_log, tmp_path / "SoftwareDistribution.log")
    d = wsusdiag.diagnose(tmp_path)
    assert d.findings[0]["confidence"] == "confirmed"
    assert len(d.findings[0]["clients"]) == 2


def test_rule_fixtures_from_the_core(tmp_path):
    fixtures = ROOT / "wsusdiag-core" / "tests" / "fixtures" / "rules"
    d = wsusdiag.diagnose(fixtures / "WU-80244021-PROXY502" / "hit")
    assert d.findings[0]["rule_id"] == "WU-80244021-PROXY502"
    # Only the error code points at the proxy: a possible cause, with what would confirm it.
    assert d.findings[0]["confidence"] == "possible"
    assert "netsh winhttp show proxy" in d.findings[0]["confirm"]


def test_extra_rules_file(tmp_path, client_log):
    rules = tmp_path / "site.toml"
    rules.write_text(
        '[[rule]]\nid = "SITE-1"\ntitle = "Site"\nseverity = "info"\ncause = "c"\n'
        'remediation = ["r"]\n[rule.client]\nlines = [\'Logging initialized\']\n'
    )
    d = wsusdiag.diagnose(client_log, rules=rules)
    assert "SITE-1" in [f["rule_id"] for f in d.findings]


def test_read_log_client_and_server(client_log, server_log):
    records = list(wsusdiag.read_log(client_log))
    assert len(records) == 116
    r = records[46]
    assert (r.line, r.pid, r.tid, r.component) == (47, 1100, 0xEE4, "PT")
    # A classic log's time is its local time as written: naive.
    assert r.time == datetime(2008, 7, 14, 9, 12, 58, 640000) and r.time.tzinfo is None
    assert r.message.startswith("WARNING: SyncUpdates failure")
    server = list(wsusdiag.read_log(server_log))
    assert len(server) == 11
    e = server[5]
    assert (e.level, e.process, e.thread, e.source) == ("Error", "w3wp", 12, "ClientImplementation.SyncUpdates")
    assert "ClientImplementation.GetSyncInfo" in e.message
    # The server logs UTC: aware.
    assert e.time == datetime(2008, 7, 14, 13, 12, 16, 593000, tzinfo=timezone.utc)
    assert e.time.tzinfo is timezone.utc
    # The client's fault and the server's record of it, 42 s of clock skew apart once the
    # banner's zone (tz: -0400) is applied.
    assert e.time - r.time.replace(tzinfo=timezone(timedelta(hours=-4))) == timedelta(seconds=-42, microseconds=-47000)


def test_read_log_of_a_configmgr_client_log():
    # A real WUAHandler.log (CMTrace, BOM and CRLF, bias +240): one record an entry, its
    # component and thread from the entry's attributes, its time local as written.
    log = ROOT / "wsusdiag-core" / "tests" / "configmgr" / "client-folder" / "WUAHandler.log"
    records = list(wsusdiag.read_log(log))
    assert len(records) > 20
    first = records[0]
    assert (first.line, first.component, first.tid) == (1, "WUAHandler", 10472)
    assert first.time == datetime(2021, 7, 14, 8, 52, 44, 338000) and first.time.tzinfo is None
    assert first.message.startswith("CWuaHandler::SetCategoriesForStateReportingExclusion called")
    assert any(r.message.startswith("Its a WSUS Update Source type") for r in records)


def test_record_repr_is_python(client_log, server_log):
    r = list(wsusdiag.read_log(client_log))[46]
    assert repr(r) == (
        "Record(line=47, time=datetime.datetime(2008, 7, 14, 9, 12, 58, 640000), component='PT', "
        "message='WARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, "
        "soap error code = 400, HTTP status code = 200')"
    )
    e = list(wsusdiag.read_log(server_log))[5]
    assert repr(e).startswith(
        "Record(line=6, time=datetime.datetime(2008, 7, 14, 13, 12, 16, 593000, tzinfo=datetime.timezone.utc), "
        "level='Error', component='ClientImplementation.SyncUpdates', message=\"System.ArgumentException: "
    )
    assert repr(e).endswith(f"message={e.message!r})")
    # A value that reprs with both quotes and a line break.
    assert "\\n   at " in repr(e) and "'8862'" in repr(e)


def test_record_of_a_fragment_has_no_time(tmp_path):
    paste = ROOT / "wsusdiag-core" / "tests" / "pastes" / "06-kb909131-en-au-message-only.txt"
    log = tmp_path / "fragment.log"
    log.write_bytes(paste.read_bytes())
    records = list(wsusdiag.read_log(log))
    assert records and all(r.time is None for r in records)
    assert "time=None" in repr(records[0])


def test_log_reader_repr_names_path_and_kind(client_log):
    reader = wsusdiag._wsusdiag.LogReader(str(client_log))
    assert repr(reader) == f"LogReader(path={str(client_log)!r}, kind=None)"
    while reader.next_batch() is not None:
        pass
    assert repr(reader) == f"LogReader(path={str(client_log)!r}, kind='client-classic')"


def test_read_log_of_windows_10_text_keeps_microseconds(tmp_path):
    log = tmp_path / "WindowsUpdate.log"
    log.write_text(
        "2021/04/28 12:40:08.8784820 1224  7052  ProtocolTalker  *FAILED* [8024400E] SyncUpdates_WithRecovery\n"
        "2021/04/28 12:40:09.0000001 1224  7052  Agent           Exit code = 0x8024400E\n",
        encoding="utf-8",
    )
    records = list(wsusdiag.read_log(log))
    # As Get-WindowsUpdateLog wrote it (the local time of the machine that ran it): naive.
    assert [r.time for r in records] == [datetime(2021, 4, 28, 12, 40, 8, 878482), datetime(2021, 4, 28, 12, 40, 9)]
    assert [(r.pid, r.tid, r.component) for r in records] == [(1224, 7052, "ProtocolTalker"), (1224, 7052, "Agent")]
    assert records[1].level is None and records[1].process is None


@pytest.mark.parametrize("enabled", [True, False])
def test_read_log_leaves_the_cycle_collector_as_it_was(client_log, enabled):
    import gc

    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        assert len(list(wsusdiag.read_log(client_log))) == 116
        assert gc.isenabled() == enabled
    finally:
        gc.enable() if was else gc.disable()


def test_read_log_of_an_etl_trace():
    trace = ROOT / "wsusdiag-core" / "tests" / "data" / "etl" / "WindowsUpdate.20251008.140245.443.8.etl"
    records = list(wsusdiag.read_log(trace))
    assert len(records) == 80
    assert all(r.time is not None and r.component and r.pid for r in records)
    # A trace's times are UTC: aware, and the event's FILETIME to the microsecond.
    first = json.loads((trace.parent / "WindowsUpdate.20251008.140245.443.8.expected.jsonl").read_text().splitlines()[0])
    filetime = datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=first["filetime"] // 10)
    assert records[0].time == filetime == datetime(2025, 10, 8, 21, 3, 26, 940371, tzinfo=timezone.utc)
    assert all(r.time.tzinfo is timezone.utc for r in records)
    assert wsusdiag.diagnose(trace).clock_offsets[0]["basis"] == wsusdiag.OffsetBasis.UTC


def test_clock_offsets_and_server_faults(client_log, server_log):
    pair = wsusdiag.diagnose(client_log, server_log)
    assert pair.clock_offsets == [
        {
            "source": str(client_log),
            "offset_seconds": 14358,
            "basis": "fault-id",
            "pairs": 2,
            "tz_minutes": -240,
            "skew_seconds": -42,
        }
    ]
    assert pair.clock_offsets[0]["basis"] == wsusdiag.OffsetBasis.FAULT_ID
    alone = wsusdiag.diagnose(server_log)
    assert alone.clock_offsets == [] and alone.faults == []
    assert [(s["line"], s["cause"]["exception"], s["cause"]["line"]) for s in alone.server_faults] == [
        (18, "System.ArgumentException", 6),
        (32, "System.ArgumentException", 20),
    ]
    assert alone.server_faults == alone.to_dict()["server_faults"]
    # With the client's log, both are joined to its faults: none is left over.
    # (The server log is the second input of the pair, the first alone.)
    assert pair.server_faults == [] and [{**f["server"], "input": 0} for f in pair.faults] == alone.server_faults
    assert repr(alone) == "<Diagnosis of 1 input: 0 faults, 2 server faults; KB954960>"
    # A real classic log with its banner and no server log: the zone is all that is known.
    classic = wsusdiag.diagnose(ROOT / "wsusdiag-core" / "tests" / "corpus" / "classic" / "rkudache31-log-1.log")
    (offset,) = classic.clock_offsets
    assert (offset["basis"], offset["tz_minutes"], offset["offset_seconds"]) == ("tz-banner", 330, -19800)


def test_lookup_hresult_forms():
    a = wsusdiag.lookup_hresult("0x8024400E")
    assert a["name"] == "WU_E_PT_SOAP_SERVER"
    for form in ("8024400e", 0x8024400E, -2145107954, "-2145107954"):
        assert wsusdiag.lookup_hresult(form)["name"] == a["name"], form
    assert wsusdiag.lookup_hresult("0x80244FFF")["component"] == "protocol-talker"
    assert wsusdiag.lookup_hresult("not a code") is None
    with pytest.raises(TypeError, match="int or a str"):
        wsusdiag.lookup_hresult(1.5)


@pytest.mark.parametrize("code", [1 << 40, 2**100, -(2**100)])
def test_lookup_hresult_of_a_number_out_of_range_says_so(code):
    with pytest.raises(ValueError, match=r"is out of range: an error code is a 32-bit number"):
        wsusdiag.lookup_hresult(code)


def test_lookup_hresult_of_text_that_cannot_be_utf8_says_so():
    with pytest.raises(ValueError, match="cannot be encoded as UTF-8"):
        wsusdiag.lookup_hresult("\udcff")


def test_diagnosis_runs_without_the_gil(client_log, server_log):
    # Several threads diagnose at once; with the GIL held they would serialize but still pass:
    # this checks they do not deadlock or corrupt each other.
    results = []

    def work():
        results.append(wsusdiag.diagnose(client_log, server_log).findings[0]["rule_id"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["KB954960"] * 4


def test_write_json_to_paths_and_files(tmp_path, client_log, server_log):
    # A folder named in two- and three-byte characters, which the report then holds.
    folder = tmp_path / "Größe-日本語"
    folder.mkdir()
    shutil.copy(client_log, folder)
    shutil.copy(server_log, folder)
    d = wsusdiag.diagnose(folder)
    text = d.to_json()
    assert "Größe-日本語" in text
    d.write_json(tmp_path / "report.json")
    assert (tmp_path / "report.json").read_bytes() == text.encode()
    binary = io.BytesIO()
    d.write_json(binary)
    assert binary.getvalue() == text.encode()
    with open(tmp_path / "raw.json", "wb", buffering=0) as raw:
        d.write_json(raw)
        assert not raw.closed
    assert (tmp_path / "raw.json").read_bytes() == text.encode()
    # Chunks of the size asked for, the last one shorter.
    pieces = []
    d._native.write_json(pieces.append, chunk=1000)
    assert b"".join(pieces) == text.encode()
    assert {len(p) for p in pieces[:-1]} == {1000} and 0 < len(pieces[-1]) <= 1000

    # A text file gets the text even when every character is cut between chunks.
    class OneByteChunks:
        def __init__(self, native):
            self.native = native

        def write_json(self, write):
            self.native.write_json(write, chunk=1)

    d._native = OneByteChunks(d._native)
    stream = io.StringIO()
    d.write_json(stream)
    assert stream.getvalue() == text


def test_write_json_raises_what_the_file_raises(client_log, server_log):
    d = wsusdiag.diagnose(client_log, server_log)
    calls = []

    def full_disk(chunk):
        calls.append(len(chunk))
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError) as raised:
        d._native.write_json(full_disk, chunk=1000)
    assert raised.value.errno == 28 and calls == [1000]
    closed = io.BytesIO()
    closed.close()
    with pytest.raises(ValueError):
        d.write_json(closed)


def test_console_script_matches_the_example(tmp_path, client_log, server_log):
    out = subprocess.run([sys.executable, "-m", "wsusdiag", "--json", str(client_log), str(server_log)], capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stdout == wsusdiag.diagnose(client_log, server_log).to_json() + "\n"
    assert json.loads(out.stdout)["findings"][0]["rule_id"] == "KB954960"
    sample = subprocess.run([sys.executable, "-m", "wsusdiag"], capture_output=True, text=True)
    assert sample.returncode == 1 and sample.stdout.startswith("wsusdiag ")
    missing = subprocess.run([sys.executable, "-m", "wsusdiag", str(tmp_path / "nope.log")], capture_output=True, text=True)
    assert missing.returncode == 2 and "nope.log" in missing.stderr
    empty = tmp_path / "empty.log"
    empty.write_text("")
    no_log = subprocess.run([sys.executable, "-m", "wsusdiag", str(empty)], capture_output=True, text=True)
    assert no_log.returncode == 2, no_log.stdout
    assert no_log.stderr.startswith("wsusdiag: no input is a Windows Update or WSUS log: "), no_log.stderr
    exe = shutil.which("wsusdiag")
    if exe:
        via_script = subprocess.run([exe, "--json", str(client_log), str(server_log)], capture_output=True, text=True)
        assert via_script.stdout == out.stdout


def test_groups_codes_and_the_evidence_asked_for(client_log, server_log):
    d = wsusdiag.diagnose(client_log, server_log)
    (group,) = d.fault_groups
    assert (group["count"], group["faults"], group["rule_id"]) == (2, [0, 1], "KB954960")
    assert d.inputs[group["input"]]["path"] == str(client_log)
    # Key lines by default: the failure, the ErrorCode, the ID; every line by number.
    client = d.faults[0]["client"]
    assert [e["line"] for e in client["evidence"]] == [47, 50, 53]
    assert client["lines"] == "47-59,63,65-66"
    full = wsusdiag.diagnose(client_log, server_log, evidence="full")
    assert len(full.faults[0]["client"]["evidence"]) == 16
    assert [e["line"] for e in full.faults[0]["server"]["evidence"]] == [6, 18]
    assert wsusdiag.diagnose_bytes(client_log.read_bytes(), evidence="full").faults[0]["client"]["evidence"][1]["line"] == 48
    with pytest.raises(ValueError, match="evidence"):
        wsusdiag.diagnose(client_log, evidence="all")
    alone = wsusdiag.diagnose(server_log)
    (server_group,) = alone.server_fault_groups
    assert (server_group["count"], server_group["exception"]) == (2, "System.ArgumentException")
    assert server_group["message"] == "Item has already been added. Key in dictionary: '#'  Key being added: '#'"


def test_ndjson_is_one_typed_object_per_line(client_log, server_log):
    lines = [json.loads(line) for line in wsusdiag.diagnose(client_log, server_log).to_ndjson().splitlines()]
    assert [line["type"] for line in lines] == ["input", "input", "clock", "fault", "fault", "finding", "client"]
    assert all(not isinstance(v, dict) for line in lines for v in line.values())
    assert (lines[3]["path"], lines[3]["server_path"]) == (str(client_log), str(server_log))
