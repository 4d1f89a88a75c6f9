#!/usr/bin/env python3
"""The script an admin writes today: line regexes over the client and server logs, fault IDs
pulled out of both, joined by hand in a dict.

    python3 regex_join.py CLIENT_LOG SERVER_LOG

Prints one JSON object: what it recovered (records, failures, fault IDs, joined pairs). It is
the Python baseline of benches/peers/run; only the standard library is used, as an admin would.
"""

import json
import re
import sys

# The header of each client format, as the published PowerShell and Python parsers write it.
CLASSIC = re.compile(
    r"^(\d{4}-\d{2}-\d{2})\t(\d{2}:\d{2}:\d{2}:\d{3})\t\s*(\d+)\t([0-9A-Fa-f]+)\t(\w+)\t(.*)$"
)
WIN10 = re.compile(
    r"^(\d{4}[/.-]\d{2}[/.-]\d{2}) (\d{2}:\d{2}:\d{2}\.\d+) +(\d+) +(\d+) +(\w+) +(.*)$"
)
SERVER = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) UTC\t(\w+)\t([^\t]+)\t([^\t]+)\t(.*)$"
)
# What the client writes about a failure, and the fault ID in its three spellings.
FAILURE = re.compile(r"(?:error = 0x|\*FAILED\* \[|failed\.?: 0x)([0-9A-Fa-f]{8})")
CLIENT_ID = re.compile(r"(?:ID:|<ID>|id=')\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})")
THROW = re.compile(r"ThrowException: .*?ID=\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})")


def read_client(path):
    records = failures = 0
    faults = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = CLASSIC.match(line) or WIN10.match(line)
            if not m:
                continue
            records += 1
            message = m.group(6)
            if FAILURE.search(message):
                failures += 1
            fid = CLIENT_ID.search(message)
            if fid:
                faults.setdefault(fid.group(1).lower(), (m.group(1), m.group(2), message))
    return records, failures, faults


def read_server(path):
    records = continuation = 0
    throws = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = SERVER.match(line)
            if not m:
                # A stack frame or inner exception: part of the entry before.
                continuation += 1
                continue
            records += 1
            t = THROW.search(m.group(5))
            if t:
                throws[t.group(1).lower()] = (m.group(1), m.group(3), m.group(4))
    return records, continuation, throws


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: regex_join.py CLIENT_LOG SERVER_LOG")
    client_records, failures, faults = read_client(sys.argv[1])
    server_records, continuation, throws = read_server(sys.argv[2])
    joined = [fid for fid in faults if fid in throws]
    json.dump(
        {
            "client_records": client_records,
            "server_records": server_records,
            "server_continuation_lines": continuation,
            "failure_lines": failures,
            "fault_ids": len(faults),
            "joined": len(joined),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
