#!/usr/bin/env python3
"""What one peer recovered, from its output, as the middle cells of benches/peers/run's table.

    python3 recovered.py wsusdiag|python|lnav|cmt OUTPUT_FILE
"""

import json
import sys


def wsusdiag(text):
    d = json.loads(text)
    records = [i["records"] for i in d["inputs"]]
    by = lambda how: sum(1 for f in d["faults"] if f["correlation"] == how)  # noqa: E731
    rules = sorted({f["rule_id"] for f in d["findings"]})
    return [
        records[0],
        records[1],
        f"{len(d['faults'])} faults: {by('fault-id')} joined by fault ID, "
        f"{by('time-window')} by time",
        ", ".join(rules),
    ]


def python(text):
    d = json.loads(text)
    return [
        d["client_records"],
        d["server_records"],
        f"{d['failure_lines']} failure lines, {d['joined']} fault IDs joined",
        "none",
    ]


def lnav(text):
    # Headless output: a header line, then the values.
    client, server, joined = text.splitlines()[1].split()
    return [client, server, f"{joined} fault IDs joined (hand-written SQL)", "none"]


def cmt(text):
    d = json.loads(text)
    c, s = d["files"]
    return [
        f"{c['entries']} ({c['parser']}, {c['with_timestamp']} with a time)",
        f"{s['entries']} ({s['parse_errors']} stack lines as errors)",
        "none",
        "none",
    ]


def main():
    peer, path = sys.argv[1:3]
    with open(path, encoding="utf-8") as f:
        cells = globals()[peer](f.read())
    print(" | ".join(str(c) for c in cells))


if __name__ == "__main__":
    main()
