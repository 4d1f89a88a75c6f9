"""The ``wsusdiag`` command: the same arguments and output as the Rust ``diagnose`` example.

    wsusdiag [--json] [--rules FILE] [FILE|FOLDER ...]

With no file it diagnoses a bundled sample of the KB954960 case. Exit status: 0 no fault found,
1 faults found, 2 bad usage, unreadable input or no input that is a log. A reader that stops
early (``wsusdiag ... | head``) ends the output quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from . import Diagnosis, WsusDiagError, _wsusdiag


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wsusdiag",
        description=(
            "Reads Windows Update client logs (WindowsUpdate.log, classic or Windows 10, or .etl "
            "traces) and WSUS server logs (SoftwareDistribution.log) in any order, joins each "
            "client failure to the server's record of it, and names the known issue and its fix. "
            "With no file, diagnoses a bundled sample of the KB954960 case."
        ),
        epilog="Exit status: 0 no fault found, 1 faults found, 2 bad usage, unreadable input or no input that is a log.",
    )
    p.add_argument("--json", action="store_true", help="print the diagnosis as JSON (schema_version 2)")
    p.add_argument("--rules", action="append", default=[], metavar="FILE", help="add known-issue rules from a TOML file (may be repeated)")
    p.add_argument("files", nargs="*", metavar="FILE", help="log files or folders")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.files:
            native = _wsusdiag.diagnose_paths(args.files, args.rules)
        else:
            native = _wsusdiag.diagnose_sample(args.rules)
    except (OSError, MemoryError, WsusDiagError) as e:
        print(f"wsusdiag: {e}", file=sys.stderr)
        return 2
    d = Diagnosis(native)
    status = 1 if d.has_faults else 0
    try:
        _write(d, args.json)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader left (`| head`): quiet, as command-line tools are. Python would flush
        # stdout again at exit and fail once more, so it is pointed at /dev/null.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return status


def _write(d: Diagnosis, json: bool) -> None:
    buffer = getattr(sys.stdout, "buffer", None)
    if json and buffer is not None:
        # Straight to the bytes under stdout, as the example writes.
        sys.stdout.flush()
        d.write_json(buffer)
        buffer.write(b"\n")
    elif json:
        d.write_json(sys.stdout)
        sys.stdout.write("\n")
    else:
        text = d.to_text()
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


if __name__ == "__main__":
    sys.exit(main())
