"""The typed values and dict shapes of `wsusdiag.types` against the library and real output."""

import enum
import typing

import pytest

import wsusdiag
from wsusdiag import types
from conftest import ROOT, SAMPLE

CORE_TESTS = ROOT / "wsusdiag-core" / "tests"

SPELLINGS = wsusdiag._wsusdiag.spellings()
ENUMS = {
    name
    for name, value in vars(types).items()
    if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == types.__name__ and not name.startswith("_")
}


def test_every_typed_value_of_the_library_is_an_enum_and_no_more():
    assert set(SPELLINGS) == ENUMS
    assert ENUMS <= set(wsusdiag.__all__) and ENUMS <= set(types.__all__)


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_enum_and_literal_spell_what_the_library_spells(name):
    spelled = SPELLINGS[name]
    members = list(getattr(wsusdiag, name))
    assert [m.value for m in members] == spelled
    assert [m.name for m in members] == [s.upper().replace("-", "_") for s in spelled]
    assert list(typing.get_args(getattr(types, f"{name}Value"))) == spelled
    for m in members:
        assert isinstance(m, str) and m == m.value and str(m) == m.value and f"{m}" == m.value


def test_dict_values_compare_equal_to_the_enums(client_log, server_log):
    d = wsusdiag.diagnose(client_log, server_log)
    fault, finding = d.faults[0], d.findings[0]
    assert fault["correlation"] == wsusdiag.Correlation.FAULT_ID
    assert wsusdiag.Correlation(fault["correlation"]) is wsusdiag.Correlation.FAULT_ID
    assert (finding["confidence"], finding["severity"]) == (wsusdiag.Confidence.CONFIRMED, wsusdiag.Severity.ERROR)
    assert [i["kind"] for i in d.inputs] == [wsusdiag.LogKind.CLIENT_CLASSIC, wsusdiag.LogKind.SERVER]
    assert fault["client"]["endpoint_kind"] == wsusdiag.EndpointKind.WSUS


def _check(value, hint, where):
    """Asserts that `value` (JSON data) has the type `hint`; returns the TypedDict keys seen."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        assert value in args, f"{where}: {value!r} is none of {args}"
    elif origin is typing.Union:
        arm = type(None) if value is None else next(a for a in args if a is not type(None))
        return _check(value, arm, where)
    elif origin is dict:
        assert isinstance(value, dict), where
        seen = set()
        for key, item in value.items():
            assert isinstance(key, args[0]), where
            seen |= _check(item, args[1], f"{where}[{key!r}]")
        return seen
    elif origin is list:
        assert isinstance(value, list), where
        seen = set()
        for i, item in enumerate(value):
            seen |= _check(item, args[0], f"{where}[{i}]")
        return seen
    elif isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__"):  # a TypedDict
        assert isinstance(value, dict), where
        required, optional = hint.__required_keys__, hint.__optional_keys__
        assert required <= value.keys() <= required | optional, f"{where}: {sorted(value.keys() ^ required)}"
        seen = {f"{hint.__name__}.{k}" for k in value}
        for key, h in typing.get_type_hints(hint).items():
            if key in value:
                seen |= _check(value[key], h, f"{where}.{key}")
        return seen
    elif hint is int:
        assert isinstance(value, int) and not isinstance(value, bool), where
    else:
        assert isinstance(value, hint), f"{where}: {value!r} is not a {hint.__name__}"
    return set()


INPUTS = {
    "kb954960 pair": [SAMPLE],
    "kb954960 client only": [SAMPLE / "WindowsUpdate.log"],
    "classic corpus": [CORE_TESTS / "corpus" / "classic"],
    "windows 10 corpus": [CORE_TESTS / "corpus" / "win10"],
    "etl traces": [CORE_TESTS / "data" / "etl"],
    "pastes": [CORE_TESTS / "pastes"],
    "configmgr": [CORE_TESTS / "configmgr"],
    "rule fixtures": [CORE_TESTS / "fixtures" / "rules"],
}


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_typed_dicts_are_the_json(name):
    d = wsusdiag.diagnose(*INPUTS[name])
    seen = _check(d.to_dict(), types.DiagnosisDict, "diagnosis")
    assert {"DiagnosisDict.server_faults", "DiagnosisDict.clock_offsets"} <= seen
    if name == "rule fixtures":
        # A slow scan's evidence: the line as logged, its duration as a note.
        assert "Evidence.note" in seen
