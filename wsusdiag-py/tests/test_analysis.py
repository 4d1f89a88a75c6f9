"""Analyse, then combine: each log analysed alone, the analyses sent as bytes or pickles, merged
in any grouping and combined, give the diagnosis of the folder, byte for byte in the JSON."""

import os
import pickle
import random
import shutil
import threading
import time

import pytest

import wsusdiag
from wsusdiag import LogAnalysis, WsusDiagError
from conftest import ROOT, SAMPLE

CORPUS = ROOT / "wsusdiag-core" / "tests" / "corpus"
TRACES = ROOT / "wsusdiag-core" / "tests" / "data" / "etl"
SITE_RULE = (
    '[[rule]]\nid = "SITE-1"\ntitle = "Site"\nseverity = "info"\ncause = "c"\n'
    'remediation = ["r"]\n[rule.client]\nlines = [\'Logging initialized\']\n'
)


def files(folder):
    """The files of a folder named as `diagnose(folder)` names them: the folder as given,
    joined with the path inside it."""
    return [os.path.join(root, name) for root, _, names in os.walk(str(folder)) for name in names]


@pytest.mark.parametrize("folder", [SAMPLE, CORPUS], ids=["sample", "corpus"])
def test_combining_the_analyses_of_a_folder_is_diagnosing_it(folder):
    whole = wsusdiag.diagnose(folder).to_json()
    paths = files(folder)
    random.Random(7).shuffle(paths)
    # Sent as bytes and as pickles, merged in uneven groups, received in any order.
    sent = [LogAnalysis.from_bytes(wsusdiag.analyse(p).to_bytes()) for p in paths]
    groups = [sent[:1], sent[1:4], sent[4:]]
    parts = []
    for group in filter(None, groups):
        merged = group[0]
        for a in group[1:]:
            merged = merged.merge(a)
        parts.append(pickle.loads(pickle.dumps(merged)))
    assert wsusdiag.combine(reversed(parts)).to_json() == whole
    assert wsusdiag.combine([wsusdiag.analyse(folder)]).to_json() == whole


def test_logs_analysed_from_bytes_under_their_paths_combine_the_same():
    paths = files(SAMPLE)
    from_bytes = [wsusdiag.analyse(open(p, "rb").read(), name=p) for p in paths]
    assert wsusdiag.combine(from_bytes).to_json() == wsusdiag.diagnose(SAMPLE).to_json()


def test_a_machines_traces_are_one_log_analysed_together(tmp_path, client_log):
    # The traces of a folder are one input, named after it, wherever it sorts among the others.
    for name in ("a", "z"):
        shutil.copytree(TRACES, tmp_path / name)
    shutil.copy(client_log, tmp_path / "m.log")
    parts = []
    for root, _, names in os.walk(tmp_path):
        paths = [os.path.join(root, n) for n in names]
        traces = [p for p in paths if p.endswith(".etl")]
        parts += [wsusdiag.analyse(p) for p in paths if p not in traces]
        if traces:
            parts.append(wsusdiag.analyse(traces))
            assert parts[-1].names == [f"{root} ({len(traces)} traces)"]
    assert wsusdiag.combine(parts).to_json() == wsusdiag.diagnose(tmp_path).to_json()


def test_bytes_round_trip_and_pickle(client_log, server_log):
    a = wsusdiag.analyse(client_log).merge(wsusdiag.analyse(server_log))
    data = a.to_bytes()
    assert isinstance(data, bytes) and data.startswith(b"WSUSDIAG")
    assert LogAnalysis.from_bytes(data).to_bytes() == data
    assert LogAnalysis.from_bytes(bytearray(data)).to_bytes() == data
    copy = pickle.loads(pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy.to_bytes() == data and copy.names == a.names


def test_merge_orders_by_path_leaves_both_as_they_were_and_is_associative(client_log, server_log):
    client, server = wsusdiag.analyse(client_log), wsusdiag.analyse(server_log)
    merged = server.merge(client)
    assert merged.names == sorted([str(client_log), str(server_log)])
    assert merged.kinds == ["server", "client-classic"]
    assert len(merged) == 2 and len(client) == 1 and client.names == [str(client_log)]
    third = wsusdiag.analyse(b"not a log", name=str(SAMPLE / "notes.txt"))
    one_by_one = (client.merge(server)).merge(third).to_bytes()
    assert one_by_one == client.merge(server.merge(third)).to_bytes()
    assert one_by_one == third.merge(server, client).to_bytes()
    assert client.merge().to_bytes() == client.to_bytes()


def test_repr_counts_and_names(client_log, server_log):
    client = wsusdiag.analyse(client_log)
    assert repr(client) == f"<LogAnalysis of 1 input (1 client log, 0 server logs): {str(client_log)!r}>"
    both = client.merge(wsusdiag.analyse(server_log)).merge(wsusdiag.analyse(b"x", name="zz"))
    assert repr(both) == (
        f"<LogAnalysis of 3 inputs (1 client log, 1 server log, 1 not a log): "
        f"{str(server_log)!r} … 'zz'>"
    )


def runs_without_the_gil(call):
    """Whether another Python thread runs while `call` does: with the GIL held all along it
    could run only at the call's very start, never in the middle of it."""
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    start = time.monotonic()
    call()
    end = time.monotonic()
    stop.set()
    ticker.join()
    # Long enough that the two cannot be told apart by chance.
    assert end - start > 0.1, f"the call took {end - start:.3f} s: give it more to do"
    quarter = (end - start) / 4
    return any(start + quarter < t < end - quarter for t in ticks)


def lasting(make):
    """`make(n)`, a call on n times some input, for the first n of 1, 2, 4, … whose call takes
    0.3 s: what is long enough on one machine is over too soon on a faster one."""
    n = 1
    while True:
        call = make(n)
        start = time.monotonic()
        call()
        if time.monotonic() - start >= 0.3 or n >= 64:
            return call
        n *= 2


def test_analyse_and_combine_release_the_gil(client_log, server_log):
    # A call into C that keeps the GIL: the check tells.
    assert not runs_without_the_gil(lambda: sum(range(30_000_000)))
    client, server = client_log.read_bytes(), server_log.read_bytes()

    def analyse(n):
        big = client * 1000 * n  # 11.5 MB a step
        return lambda: wsusdiag.analyse(big, name="big.log")

    assert runs_without_the_gil(lasting(analyse))

    def combine(n):
        parts = [wsusdiag.analyse(client * 1000 * n, name="big.log")]
        parts.append(wsusdiag.analyse(server * 2000 * n, name="server.log"))
        return lambda: wsusdiag.combine(parts)

    assert runs_without_the_gil(lasting(combine))


def test_bytes_that_are_no_analysis_say_what_is_wrong(client_log):
    with pytest.raises(WsusDiagError, match="not a wsusdiag analysis: it does not start with WSUSDIAG"):
        LogAnalysis.from_bytes(b"junk")
    good = wsusdiag.analyse(client_log).to_bytes()
    with pytest.raises(WsusDiagError, match="not a wsusdiag analysis"):
        LogAnalysis.from_bytes(good[:-3])
    other = bytearray(good)
    other[11] = ord("9")  # the version of wsusdiag that wrote it
    with pytest.raises(WsusDiagError, match="analyse and combine with the same version"):
        LogAnalysis.from_bytes(bytes(other))
    with pytest.raises(TypeError):
        LogAnalysis.from_bytes("text")  # type: ignore[arg-type]


def test_analyses_read_with_other_rules_are_refused(tmp_path, client_log, server_log):
    site = tmp_path / "site.toml"
    site.write_text(SITE_RULE)
    with_site = wsusdiag.analyse(client_log, rules=site)
    plain = wsusdiag.analyse(server_log)
    with pytest.raises(WsusDiagError, match="analysed with other rules"):
        wsusdiag.combine([with_site])
    with pytest.raises(WsusDiagError, match="analysed with other rules"):
        plain.merge(with_site)
    d = wsusdiag.combine([with_site, wsusdiag.analyse(server_log, rules=[site])], rules=site)
    assert "SITE-1" in [f["rule_id"] for f in d.findings]


def test_wrong_arguments_say_what_is_expected(tmp_path, client_log):
    with pytest.raises(TypeError, match="needs name="):
        wsusdiag.analyse(b"bytes")
    with pytest.raises(TypeError, match="name= is for bytes"):
        wsusdiag.analyse(client_log, name="x")
    with pytest.raises(TypeError, match="not int"):
        wsusdiag.analyse(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes LogAnalysis objects, not str"):
        wsusdiag.combine(["x"])  # type: ignore[list-item]
    with pytest.raises(FileNotFoundError):
        wsusdiag.analyse(tmp_path / "missing.log")
    with pytest.raises(WsusDiagError, match="no input is a Windows Update or WSUS log"):
        wsusdiag.combine([])
    with pytest.raises(WsusDiagError, match="no input is a Windows Update or WSUS log"):
        wsusdiag.combine([wsusdiag.analyse(b"hello", name="hello.txt")])
