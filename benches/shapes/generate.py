#!/usr/bin/env python3
"""Writes a client log and a server log of a shape that once made a join grow faster than its
input, for timing the command on them (BENCHMARKS.md, "Inputs that grew the joins").

    benches/shapes/generate.py storm OUT    # a WSUS logging 10 errors a second beside a client
                                            # whose syncs fail with HTTP 500 every second
    benches/shapes/generate.py hosts OUT    # faults sent, each naming another host, beside a
                                            # client's SOAP faults without an ID

OUT is a folder, made if missing; it gets WindowsUpdate.log and SoftwareDistribution.log.
"""

import datetime
import os
import sys

START = datetime.datetime(2024, 3, 12, 10, 0, 0)
SERVICE = (
    "  + ServiceId = {3DA21691-E39D-4DA6-8A4B-B43877BCB1B7}, "
    "Server URL = http://wsus01:8530/ClientWebService/client.asmx"
)


def client_time(t):
    return t.strftime("%Y-%m-%d\t%H:%M:%S:") + "%03d" % (t.microsecond // 1000)


def server_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (t.microsecond // 1000)


def client_log(path, faults, failure, tz):
    with open(path, "w", newline="\r\n") as f:
        f.write(
            "2024-03-12\t05:59:00:000\t1100\t7d8\tMisc\t===========  Logging initialized "
            f"(build: 7.6.7600.256, tz: {tz})  ===========\n"
        )
        for i in range(faults):
            t = START + datetime.timedelta(seconds=i)
            if tz == "-0400":
                t -= datetime.timedelta(hours=4)
            ts = client_time(t)
            f.write(f"{ts}\t1100\t7d8\tPT\t{SERVICE}\n")
            f.write(f"{ts}\t1100\t7d8\tPT\tWARNING: SyncUpdates failure, error = {failure}\n")


def server_log(out, entries):
    """Writes SoftwareDistribution.log into `out`: one entry (its lines) a `(time, text)`."""
    with open(os.path.join(out, "SoftwareDistribution.log"), "w", newline="\r\n") as f:
        for time, text in entries:
            f.write(f"{server_time(time)} UTC\t{text}\n")


def storm(out):
    client_log(
        os.path.join(out, "WindowsUpdate.log"),
        20_000,
        "0x8024401F, soap client error = 5, soap error code = 0, HTTP status code = 500",
        "-0400",
    )
    server_log(
        out,
        (
            (
                START + datetime.timedelta(milliseconds=100 * i),
                f"Error\tw3wp.{i % 40}\tClientImplementation.SyncUpdates\t"
                f"System.InvalidOperationException: The connection pool is exhausted {i}\n"
                "   at System.Data.ProviderBase.DbConnectionFactory.GetConnection("
                "DbConnection owningConnection)",
            )
            for i in range(200_000)
        ),
    )


def hosts(out):
    client_log(
        os.path.join(out, "WindowsUpdate.log"),
        20_000,
        "0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200",
        "+0000",
    )
    server_log(
        out,
        (
            (
                START + datetime.timedelta(seconds=i, milliseconds=500),
                f"Warning\tw3wp.{i % 40}\tSoapUtilities.CreateException\t"
                f"ThrowException: actor = http://host{i}.contoso.com/ClientWebService/"
                f"client.asmx, ID={i:08x}-0000-4000-8000-000000000000, "
                "ErrorCode=InternalServerError, Message=, Client=?",
            )
            for i in range(20_000)
        ),
    )


def main():
    shapes = {"storm": storm, "hosts": hosts}
    if len(sys.argv) != 3 or sys.argv[1] not in shapes:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(shapes)} OUT")
    os.makedirs(sys.argv[2], exist_ok=True)
    shapes[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
