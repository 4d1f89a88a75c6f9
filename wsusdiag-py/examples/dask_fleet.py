"""Diagnoses a fleet's folder of logs on Dask: each log analysed on a worker, the analyses
merged in a tree, one diagnosis made on the client.

    python wsusdiag-py/examples/dask_fleet.py LOGS_DIR REPORT.json [--scheduler ADDRESS]

Without ``--scheduler`` it starts a ``LocalCluster`` of two worker processes. With it, it uses
that cluster: its workers need the ``wsusdiag`` wheel of the client's version installed (in
their image, or with ``distributed.PipInstall``) and LOGS_DIR at the same path (a share). Only
the analyses, a few percent of the logs, cross the network. REPORT.json is what
``wsusdiag --json LOGS_DIR`` prints, byte for byte.
"""

import argparse
import contextlib
import os
from typing import List, Union

import dask.bag as db
from dask.distributed import Client, LocalCluster

import wsusdiag
from wsusdiag import LogAnalysis


def logs(folder: str) -> List[Union[str, List[str]]]:
    """The files of `folder` named as ``wsusdiag.diagnose(folder)`` names them (the folder as
    given, joined with the path inside it); the ``.etl`` traces of a folder go together, as
    they are one machine's log."""
    found: List[Union[str, List[str]]] = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        traces: List[str] = []
        for name in sorted(names):
            path = os.path.join(root, name)
            (traces if name.lower().endswith(".etl") else found).append(path)
        if traces:
            found.append(traces)
    return found


def merged(parts: List[LogAnalysis]) -> LogAnalysis:
    """The analyses of a partition, or of partial results, in one."""
    first, *rest = parts
    return first.merge(*rest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logs_dir")
    parser.add_argument("report")
    parser.add_argument("--scheduler", help="the address of a running Dask scheduler")
    args = parser.parse_args()

    with contextlib.ExitStack() as stack:
        if args.scheduler:
            stack.enter_context(Client(args.scheduler))
        else:
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            stack.enter_context(cluster)
            stack.enter_context(Client(cluster))
        inputs = logs(args.logs_dir)
        bag = db.from_sequence(inputs, partition_size=max(1, len(inputs) // 16))
        # Analysed where the partition runs; partitions merged eight at a time up the tree.
        analyses = bag.map(wsusdiag.analyse)
        fleet = analyses.reduction(merged, merged, split_every=8).compute()
    # Ordered by path, whatever the order the results came in.
    diagnosis = wsusdiag.combine([fleet])
    with open(args.report, "wb") as out:
        diagnosis.write_json(out)
        out.write(b"\n")  # as `wsusdiag --json` ends it
    print(f"{args.report}: {len(fleet)} inputs analysed on Dask, in {bag.npartitions} partitions")


if __name__ == "__main__":
    main()
