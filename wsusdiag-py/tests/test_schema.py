"""Real output against the committed JSON Schema (wsusdiag-core/schema/diagnosis.schema.json),
with a validator written in another language than the one the schema was made from."""

import json
import os
from pathlib import Path

import jsonschema
import pytest

import wsusdiag
from conftest import ROOT, SAMPLE

SCHEMA = json.loads((ROOT / "wsusdiag-core" / "schema" / "diagnosis.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CORE_TESTS = ROOT / "wsusdiag-core" / "tests"


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("evidence", ["key", "full"])
@pytest.mark.parametrize(
    "inputs",
    [[SAMPLE], [CORE_TESTS / "corpus"], [CORE_TESTS / "pastes"], [CORE_TESTS / "configmgr"], [CORE_TESTS / "data" / "etl"]],
    ids=["sample", "corpus", "pastes", "configmgr", "etl"],
)
def test_real_output_is_valid(inputs, evidence):
    d = wsusdiag.diagnose(*inputs, evidence=evidence)
    VALIDATOR.validate(json.loads(d.to_json()))


def test_a_generated_fleets_output_is_valid():
    # scripts/test-py generates the fleet (wsusdiag-gen fleet) and names it here.
    fleet = os.environ.get("WSUSDIAG_TEST_FLEET")
    if not fleet:
        pytest.skip("WSUSDIAG_TEST_FLEET is not set (scripts/test-py sets it)")
    data = json.loads(wsusdiag.diagnose(Path(fleet)).to_json())
    assert len(data["faults"]) > 100 and data["fault_groups"] and data["server_fault_groups"]
    VALIDATOR.validate(data)


def test_output_that_breaks_the_contract_is_caught():
    data = json.loads(wsusdiag.diagnose(SAMPLE).to_json())
    data["faults"][0]["correlation"] = "by-guess"
    with pytest.raises(jsonschema.ValidationError, match="by-guess"):
        VALIDATOR.validate(data)
    data = json.loads(wsusdiag.diagnose(SAMPLE).to_json())
    data["schema_version"] = 1
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(data)
