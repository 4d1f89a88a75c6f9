"""Diagnoses a fleet's folder of logs on Spark: each partition of files analysed and merged on
an executor, the partial analyses combined into one diagnosis on the driver.

    python wsusdiag-py/examples/spark_fleet.py LOGS_DIR REPORT.json

Run this way it uses ``local[2]`` (the Python of the workers is ``PYSPARK_PYTHON``: one with
``wsusdiag`` installed). REPORT.json is then what ``wsusdiag --json LOGS_DIR`` prints, byte for
byte: each log is named as the command names it (LOGS_DIR as given, joined with the path
inside it). Spark does not list files whose names start with ``_`` or ``.``.

On a cluster, submit it with a master and a folder the executors can read; the logs' names are
then their URIs::

    spark-submit --master yarn \\
        --archives wsusdiag-env.tar.gz#env --conf spark.pyspark.python=./env/bin/python \\
        spark_fleet.py hdfs:///wu-logs/2024-06-01 report.json

The executors need the ``wsusdiag`` wheel of the driver's version: installed in their image,
or in a packed virtual environment shipped with ``--archives`` as above (``venv-pack`` or
``conda-pack``). ``--py-files`` does not do for it: Python imports no compiled module from a
zip. Only the analyses, a few percent of the logs, come back to the driver.
"""

import os
import sys
from typing import Callable, Iterable, Iterator, Tuple

from pyspark import SparkConf, SparkContext

import wsusdiag
from wsusdiag import LogAnalysis


def namer(folder: str) -> Callable[[str], str]:
    """The function that names a file Spark lists under `folder`: a local file as
    ``wsusdiag.diagnose(folder)`` names it, any other by its URI."""
    local = os.path.abspath(folder)

    def name(uri: str) -> str:
        if not uri.startswith("file:"):
            return uri
        path = uri[len("file:") :]
        if path.startswith("///"):
            path = path[2:]
        return os.path.join(folder, os.path.relpath(path, local))

    return name


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: spark_fleet.py LOGS_DIR REPORT.json")
    folder, report = sys.argv[1:]
    conf = SparkConf().setAppName("wsusdiag fleet").setIfMissing("spark.master", "local[2]")
    # Partitions of at most 4 MB of logs (Spark's default, 128 MB, would give a fleet of small
    # logs to one task): the work spreads over the executors, and a task that fails is cheap
    # to run again.
    conf.setIfMissing("spark.files.maxPartitionBytes", str(4 << 20))
    sc = SparkContext(conf=conf)
    sc.setLogLevel("WARN")
    try:
        # Files in subfolders too (one per client, as logs are collected).
        sc._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
        name = namer(folder)

        def analysed(files: Iterable[Tuple[str, bytes]]) -> Iterator[LogAnalysis]:
            parts = [wsusdiag.analyse(data, name=name(uri)) for uri, data in files]
            if parts:
                yield parts[0].merge(*parts[1:])

        uri = folder if "://" in folder else "file://" + os.path.abspath(folder)
        files = sc.binaryFiles(uri, minPartitions=4 * sc.defaultParallelism)
        partials = files.mapPartitions(analysed).collect()
    finally:
        sc.stop()
    # Ordered by path, whatever the order the partitions came back in.
    diagnosis = wsusdiag.combine(partials)
    with open(report, "wb") as out:
        diagnosis.write_json(out)
        out.write(b"\n")  # as `wsusdiag --json` ends it
    inputs = sum(map(len, partials))
    print(f"{report}: {inputs} inputs analysed on Spark, in {len(partials)} partitions")


if __name__ == "__main__":
    main()
