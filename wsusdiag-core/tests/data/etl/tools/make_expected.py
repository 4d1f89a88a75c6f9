"""Builds the expected decoding of a TraceLogging .etl from two independent Python decoders.

Run in a throwaway venv:  pip install etl-parser==1.0.1 dissect.etl==3.14
    python make_expected.py FILE.etl > FILE.expected.jsonl

One JSON object per EVENT_HEADER record, in file order:
  pid, tid, raw_ts, provider, event, level, keyword, fields  -- from etl-parser (airbus-cert)
  filetime                                                     -- from dissect.etl (fox-it), UTC
"""
import json
import sys

from dissect.etl.etl import ETL
from etl.etl import IEtlFileObserver, build_from_stream
from etl.parsers.tracelogging import build_tracelogging


class Collect(IEtlFileObserver):
    def __init__(self):
        self.rows = []

    def on_event_record(self, event):
        src = event.source
        provider = None
        for item in src.extended_data or []:
            if item.ext_type == 12:  # provider traits: u16 size, then the NUL-terminated name
                raw = bytes(item.data_item)
                provider = raw[2:raw.index(b"\0", 2)].decode("utf-8")
        tl = build_tracelogging(src)
        d = src.event_header.event_descriptor
        self.rows.append({
            "pid": event.get_process_id(),
            "tid": event.get_thread_id(),
            "raw_ts": event.get_timestamp(),
            "provider": provider,
            "event": tl.get_name(),
            "level": d.Level,
            "keyword": d.Keyword,
            "fields": dict(tl),
        })

    def on_trace_record(self, event): pass
    def on_perfinfo_trace(self, obj): pass
    def on_system_trace(self, obj): pass
    def on_win_trace(self, obj): pass


path = sys.argv[1]
data = open(path, "rb").read()
collect = Collect()
build_from_stream(data).parse(collect)

times = []
with open(path, "rb") as fh:
    etl = ETL(fh)
    for rec in etl:
        h = rec.header
        if type(h).__name__ == "EventHeader":
            f = h.additional_header_fields()
            times.append((f["ProcessId"], f["ThreadId"], h.time_delta, etl.get_filetime_for_event(h.time_delta)))

assert len(times) == len(collect.rows), (len(times), len(collect.rows))
for row, (pid, tid, raw, filetime) in zip(collect.rows, times):
    assert (row["pid"], row["tid"], row["raw_ts"]) == (pid, tid, raw), (row, pid, tid, raw)
    row["filetime"] = filetime
    print(json.dumps(row, ensure_ascii=False, sort_keys=True))
print(f"{len(collect.rows)} events", file=sys.stderr)
