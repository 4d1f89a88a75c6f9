"""The PowerShell module's P/Invoke declarations agree with the C header.

Extracts every [DllImport] declaration, struct and enum from powershell/WsusDiag.psm1 and
every prototype, struct and enum from include/wsusdiag.h, and checks that each C function has
one declaration with the same name, the same number of arguments, marshalling types that fit
the C types, and argument names that are the C names in camelCase; that the C# structs have
the C fields in the same order with fitting types; and that the C# enums have the header's
values. Also checks the module manifest's version against the crate's.

Runs under pytest, or alone: python3 wsusdiag-ffi/tests/ps_decls.py
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FFI = Path(__file__).resolve().parent.parent
HEADER = FFI / "include" / "wsusdiag.h"
PSM1 = FFI / "powershell" / "WsusDiag.psm1"
PSD1 = FFI / "powershell" / "WsusDiag.psd1"
ROOT_CARGO = FFI.parent / "Cargo.toml"


@dataclass(frozen=True)
class Param:
    type: str
    name: str


@dataclass(frozen=True)
class Function:
    ret: str
    name: str
    params: tuple[Param, ...]


# ---- the C header ----


def _strip_c_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _norm_c_type(t: str) -> str:
    t = re.sub(r"\s+", " ", t).strip()
    t = re.sub(r"\s*\*", " *", t)  # "uint8_t**" -> "uint8_t * *"
    t = t.replace("* *", "**")
    return t.replace("struct ", "").replace("enum ", "")


def _split_c_param(p: str) -> Param:
    m = re.fullmatch(r"(.*?)(\w+)", p.strip(), flags=re.S)
    assert m, f"cannot read C parameter {p!r}"
    return Param(_norm_c_type(m.group(1)), m.group(2))


def header_functions(text: str | None = None) -> dict[str, Function]:
    """Every `wsusdiag_*` prototype of the header."""
    text = _strip_c_comments(text if text is not None else HEADER.read_text())
    out: dict[str, Function] = {}
    for m in re.finditer(
        r"^((?:const\s+)?(?:enum\s+|struct\s+)?\w+(?:\s*\*)*)\s*(wsusdiag_\w+)\s*\(([^)]*)\)\s*;",
        text,
        flags=re.M,
    ):
        ret, name, args = m.group(1), m.group(2), m.group(3).strip()
        params = () if args in ("", "void") else tuple(_split_c_param(a) for a in args.split(","))
        out[name] = Function(_norm_c_type(ret), name, params)
    return out


def header_structs(text: str | None = None) -> dict[str, list[Param]]:
    text = _strip_c_comments(text if text is not None else HEADER.read_text())
    out = {}
    for m in re.finditer(r"typedef struct (\w+) \{(.*?)\} \1;", text, flags=re.S):
        fields = [f for f in (x.strip() for x in m.group(2).split(";")) if f]
        out[m.group(1)] = [_split_c_param(f) for f in fields]
    return out


def header_enums(text: str | None = None) -> dict[str, dict[str, int]]:
    text = _strip_c_comments(text if text is not None else HEADER.read_text())
    out = {}
    for m in re.finditer(r"typedef enum (\w+) \{(.*?)\} \1;", text, flags=re.S):
        values = {}
        for item in m.group(2).split(","):
            item = item.strip()
            if item:
                k, v = (x.strip() for x in item.split("="))
                values[k] = int(v)
        out[m.group(1)] = values
    return out


# ---- the PowerShell module's C# ----


def _csharp_source(text: str | None = None) -> str:
    text = text if text is not None else PSM1.read_text(encoding="utf-8-sig")
    m = re.search(r"\$script:NativeSource = @'\n(.*?)\n'@", text, flags=re.S)
    assert m, "no C# here-string ($script:NativeSource = @'...'@) in the module"
    return m.group(1)


def _split_cs_param(p: str) -> Param:
    p = re.sub(r"\[Out\]\s*", "[Out] ", p.strip())
    assert "MarshalAs" not in p, f"unexpected MarshalAs in {p!r}: keep to blittable types"
    m = re.fullmatch(r"((?:\[Out\] |out |ref )?[\w\[\]]+)\s+(\w+)", p)
    assert m, f"cannot read C# parameter {p!r}"
    return Param(m.group(1), m.group(2))


def dllimports(text: str | None = None) -> dict[str, Function]:
    """Every [DllImport] declaration of the module, by entry point name."""
    src = _csharp_source(text)
    out: dict[str, Function] = {}
    pattern = re.compile(
        r"\[DllImport\((?P<attr>[^)]*)\)\]\s*public static extern (?P<ret>\w+) (?P<name>\w+)\((?P<args>[^)]*)\);"
    )
    for m in pattern.finditer(src):
        attr = m.group("attr")
        assert "CallingConvention = CallingConvention.Cdecl" in attr, f"{m.group('name')}: not Cdecl"
        assert "CharSet" not in attr, f"{m.group('name')}: no CharSet strings, pass byte[]"
        assert attr.split(",")[0].strip() == "Library", f"{m.group('name')}: load by the absolute Library path"
        args = m.group("args").strip()
        params = tuple(_split_cs_param(a) for a in args.split(",")) if args else ()
        name = m.group("name")
        assert name not in out, f"{name} declared twice"
        out[name] = Function(m.group("ret"), name, params)
    # Every extern in the source must have been matched above.
    assert src.count("static extern") == len(out), "a declaration the parser did not read"
    return out


def cs_structs(text: str | None = None) -> dict[str, list[Param]]:
    src = _csharp_source(text)
    out = {}
    for m in re.finditer(
        r"\[StructLayout\(LayoutKind\.Sequential\)\]\s*public struct (\w+)\s*\{(.*?)\}", src, flags=re.S
    ):
        fields = re.findall(r"public (\w+) (\w+);", m.group(2))
        out[m.group(1)] = [Param(t, n) for t, n in fields]
    return out


def cs_enums(text: str | None = None) -> dict[str, dict[str, int]]:
    src = _csharp_source(text)
    out = {}
    for m in re.finditer(r"public enum (\w+)\s*\{(.*?)\}", src, flags=re.S):
        values = {}
        for item in m.group(2).split(","):
            item = item.strip()
            if item:
                k, v = (x.strip() for x in item.split("="))
                values[k] = int(v)
        out[m.group(1)] = values
    return out


# ---- how the two sides must fit ----

# C# parameter type -> the C types it may stand for.
PARAM_FITS = {
    "byte[]": {"const uint8_t *"},
    "[Out] byte[]": {"uint8_t *"},
    "UIntPtr": {"size_t"},
    "UIntPtr[]": {"const size_t *"},
    "IntPtr": {"const wsusdiag_diagnosis *", "wsusdiag_diagnosis *", "const wsusdiag_log_reader *",
               "wsusdiag_log_reader *", "const wsusdiag_analysis *", "wsusdiag_analysis *", "uint8_t *"},
    "IntPtr[]": {"wsusdiag_analysis *const *"},
    "int": {"int"},
    "out IntPtr": {"wsusdiag_diagnosis **", "wsusdiag_log_reader **", "wsusdiag_analysis **", "uint8_t **"},
    "out UIntPtr": {"size_t *"},
    "out byte": {"bool *"},
    "out int": {"wsusdiag_log_kind *"},
    "out Record": {"wsusdiag_record *"},
}

RETURN_FITS = {
    "int": {"wsusdiag_result"},
    "void": {"void"},
    "IntPtr": {"const char *"},
}

FIELD_FITS = {
    "int": {"wsusdiag_record_kind", "int32_t"},
    "uint": {"uint32_t"},
    "ulong": {"uint64_t"},
    "long": {"int64_t"},
    "IntPtr": {"const uint8_t *"},
    "UIntPtr": {"size_t"},
    "Str": {"wsusdiag_str"},
}

# C struct / enum -> the C# one.
STRUCTS = {"wsusdiag_str": "Str", "wsusdiag_record": "Record"}
ENUMS = {"wsusdiag_result": "Result", "wsusdiag_record_kind": "RecordKind", "wsusdiag_log_kind": "LogKind"}


def camel(snake: str) -> str:
    first, *rest = snake.split("_")
    return first + "".join(w.capitalize() for w in rest)


def pascal(snake: str) -> str:
    return "".join(w.capitalize() for w in snake.lower().split("_"))


def problems(header_text: str | None = None, psm1_text: str | None = None) -> list[str]:
    """Every way the module's declarations differ from the header (empty when they agree)."""
    found = []
    c = header_functions(header_text)
    cs = dllimports(psm1_text)
    for name in sorted(set(c) - set(cs)):
        found.append(f"{name}: in the header, not declared in the module")
    for name in sorted(set(cs) - set(c)):
        found.append(f"{name}: declared in the module, not in the header")
    for name in sorted(set(c) & set(cs)):
        cf, sf = c[name], cs[name]
        if sf.ret not in RETURN_FITS or cf.ret not in RETURN_FITS[sf.ret]:
            found.append(f"{name}: returns {cf.ret} in C, {sf.ret} in C#")
        if len(cf.params) != len(sf.params):
            found.append(f"{name}: {len(cf.params)} arguments in C, {len(sf.params)} in C#")
            continue
        for i, (cp, sp) in enumerate(zip(cf.params, sf.params), 1):
            if sp.type not in PARAM_FITS or cp.type not in PARAM_FITS[sp.type]:
                found.append(f"{name} argument {i} ({cp.name}): C {cp.type} cannot be passed as C# {sp.type}")
            if sp.name != camel(cp.name):
                found.append(f"{name} argument {i}: C name {cp.name}, C# name {sp.name} (want {camel(cp.name)})")
    c_structs, s_structs = header_structs(header_text), cs_structs(psm1_text)
    for c_name, s_name in STRUCTS.items():
        cfields, sfields = c_structs.get(c_name), s_structs.get(s_name)
        if cfields is None or sfields is None:
            found.append(f"struct {c_name} / {s_name} missing")
            continue
        if len(cfields) != len(sfields):
            found.append(f"struct {c_name}: {len(cfields)} fields in C, {len(sfields)} in C#")
            continue
        for cf, sf in zip(cfields, sfields):
            if sf.name != pascal(cf.name):
                found.append(f"struct {c_name}: field {cf.name} is {sf.name} in C#")
            if sf.type not in FIELD_FITS or cf.type not in FIELD_FITS[sf.type]:
                found.append(f"struct {c_name}.{cf.name}: C {cf.type} does not fit C# {sf.type}")
    c_enums, s_enums = header_enums(header_text), cs_enums(psm1_text)
    for c_name, s_name in ENUMS.items():
        prefix = c_name.upper() + "_"
        want = {pascal(k[len(prefix):]): v for k, v in c_enums.get(c_name, {}).items()}
        if not want:
            found.append(f"enum {c_name} missing from the header")
        if s_enums.get(s_name) != want:
            found.append(f"enum {s_name} is {s_enums.get(s_name)}, the header says {want}")
    return found


# ---- tests ----


def test_every_function_is_declared_and_fits():
    assert problems() == []


def test_the_parsers_see_the_whole_api():
    c = header_functions()
    assert len(c) == 25, sorted(c)
    assert c["wsusdiag_diagnose_files"].params[-1] == Param("wsusdiag_diagnosis **", "diagnosis_out")
    assert c["wsusdiag_version"].params == ()
    assert c["wsusdiag_combine"].params[0] == Param("wsusdiag_analysis *const *", "analyses")
    assert "wsusdiag_test_panic" not in c
    cs = dllimports()
    assert cs["wsusdiag_log_reader_next"].params == (Param("IntPtr", "reader"), Param("out Record", "recordOut"))
    assert len(header_structs()["wsusdiag_record"]) == 19


def test_each_report_form_has_its_render_function():
    """WsusDiag.ReportForm names the wsusdiag_diagnosis_to_* functions, all of them."""
    forms = cs_enums()["ReportForm"]
    prefix = "wsusdiag_diagnosis_to_"
    renders = {n.removeprefix(prefix) for n in header_functions() if n.startswith(prefix)}
    assert {f.lower() for f in forms} == renders == {"json", "text", "html", "ndjson"}


def test_a_mismatch_is_caught():
    """The checker is not vacuous: each kind of drift is reported."""
    psm1 = PSM1.read_text(encoding="utf-8-sig")
    header = HEADER.read_text()
    # An argument dropped, a type changed, a name changed, a function left out, a field moved.
    drift = {
        "byte[] paths, UIntPtr pathsLen, byte[] rules, UIntPtr rulesLen, out IntPtr diagnosisOut":
            "byte[] paths, UIntPtr pathsLen, byte[] rules, out IntPtr diagnosisOut",
        "int wsusdiag_log_reader_kind(IntPtr reader, out int kindOut)":
            "int wsusdiag_log_reader_kind(IntPtr reader, out UIntPtr kindOut)",
        "wsusdiag_hresult_lookup(byte[] code, UIntPtr codeLen,": "wsusdiag_hresult_lookup(byte[] text, UIntPtr codeLen,",
        "public uint EndLine;\n        public uint Column;": "public uint Column;\n        public uint EndLine;",
        "Panic = 900": "Panic = 999",
    }
    for old, new in drift.items():
        assert old in psm1, old
        assert problems(header, psm1.replace(old, new)), f"not caught: {new}"
    without = re.sub(
        r"\[DllImport\(Library[^\]]*\]\s*public static extern void wsusdiag_buffer_free\([^)]*\);", "", psm1
    )
    assert any("wsusdiag_buffer_free" in p for p in problems(header, without))


def test_manifest_version_is_the_crate_version():
    crate = re.search(r'^\[workspace\.package\]\s*\nversion = "([^"]+)"', ROOT_CARGO.read_text(), flags=re.M)
    assert crate, "no [workspace.package] version"
    manifest = re.search(r"ModuleVersion\s*=\s*'([^']+)'", PSD1.read_text(encoding="utf-8-sig"))
    assert manifest and manifest.group(1) == crate.group(1)
    exported = re.search(r"FunctionsToExport\s*=\s*@\(([^)]*)\)", PSD1.read_text(encoding="utf-8-sig"))
    assert exported
    names = set(re.findall(r"'([\w-]+)'", exported.group(1)))
    assert names == {"Get-WsusDiagReport", "Get-WsusDiagLogRecord", "Resolve-WsusDiagError"}
    psm1 = PSM1.read_text(encoding="utf-8-sig")
    for name in names:
        assert re.search(rf"^function {name} \{{\s*<#\s*\.SYNOPSIS", psm1, flags=re.M), f"{name}: no help"
    # The first names keep working: aliases, set and exported by the module and the manifest.
    aliases = re.search(r"AliasesToExport\s*=\s*@\(([^)]*)\)", PSD1.read_text(encoding="utf-8-sig"))
    assert aliases
    old_names = {"Get-WsusDiagnosis": "Get-WsusDiagReport", "Get-WsusLogRecord": "Get-WsusDiagLogRecord",
                 "Resolve-WUError": "Resolve-WsusDiagError"}
    assert set(re.findall(r"'([\w-]+)'", aliases.group(1))) == set(old_names)
    for alias, name in old_names.items():
        assert re.search(rf"^Set-Alias -Name {alias} -Value {name}$", psm1, flags=re.M), f"{alias}: no alias"
    export = re.search(r"^Export-ModuleMember -Function (.*?)\n\s*-Alias (.*)$", psm1, flags=re.M)
    assert export, "no Export-ModuleMember -Function ... -Alias ..."
    assert set(re.findall(r"'([\w-]+)'", export.group(1))) == names
    assert set(re.findall(r"'([\w-]+)'", export.group(2))) == set(old_names)


if __name__ == "__main__":
    import sys

    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    failed = 0
    for t in tests:
        try:
            t()
        except AssertionError as e:
            failed += 1
            print(f"FAILED {t.__name__}: {e}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
