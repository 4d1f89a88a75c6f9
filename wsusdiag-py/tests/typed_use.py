"""What a type checker sees of the package: checked by mypy --strict (scripts/test-py), never run."""

from datetime import datetime
from typing import List, Optional

from typing_extensions import assert_type

import wsusdiag
from wsusdiag import Correlation
from wsusdiag.types import ClockOffset, CorrelationValue, Evidence, Fault, OffsetBasisValue, ServerSide


def typed(d: wsusdiag.Diagnosis, record: wsusdiag.Record) -> None:
    assert_type(d.faults, List[Fault])
    assert_type(d.server_faults, List[ServerSide])
    assert_type(d.clock_offsets, List[ClockOffset])
    fault = d.faults[0]
    assert_type(fault["correlation"], CorrelationValue)
    # Under strict equality a Literal and an enum member never overlap: compare with the
    # spelling (a typo is an error) or with the member the spelling gives.
    assert fault["correlation"] == "fault-id"
    assert Correlation(fault["correlation"]) is Correlation.FAULT_ID
    assert_type(d.clock_offsets[0]["basis"], Optional[OffsetBasisValue])
    evidence: Evidence = fault["client"]["evidence"][0]
    note: Optional[str] = evidence.get("note")
    assert_type(d.to_dict()["findings"][0]["confidence"], wsusdiag.types.ConfidenceValue)
    assert_type(record.time, Optional[datetime])
    print(note)


def two_steps(paths: List[str]) -> None:
    parts = [wsusdiag.analyse(p) for p in paths] + [wsusdiag.analyse(b"...", name="x.log")]
    merged = parts[0].merge(wsusdiag.LogAnalysis.from_bytes(parts[1].to_bytes()))
    assert_type(merged.names, List[str])
    assert_type(wsusdiag.combine([merged, *parts[2:]]), wsusdiag.Diagnosis)
