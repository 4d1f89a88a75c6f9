"""The PowerShell module as the Windows zip ships it (no PowerShell here: the files are read).

Run by scripts/test-windows, which sets:
  WSUSDIAG_WINDOWS_ZIP      the zip scripts/package-windows made;
  WSUSDIAG_DIAGNOSIS_JSON   a diagnosis of the KB954960 sample, as JSON.
Checks that the manifest's FileList, RootModule, FormatsToProcess, RequiredAssemblies and
NestedModules match the zip; that the P/Invoke declarations name the DLL as packaged and that
it exports each of them; and that WsusDiag.format.ps1xml is well-formed XML whose views select
type names the module gives its objects, with columns those objects have.
"""

import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULE = HERE.parent / "powershell"
ROOT = HERE.parent.parent
ZIP = Path(os.environ["WSUSDIAG_WINDOWS_ZIP"])
DIAGNOSIS = json.loads(Path(os.environ["WSUSDIAG_DIAGNOSIS_JSON"]).read_text(encoding="utf-8"))
PSM1 = (MODULE / "WsusDiag.psm1").read_text(encoding="utf-8-sig")
PSD1 = (MODULE / "WsusDiag.psd1").read_text(encoding="utf-8-sig")


def manifest_list(key: str) -> list[str]:
    """A manifest entry: @('a', 'b') or 'a', as a list."""
    m = re.search(rf"^\s*{key}\s*=\s*(@\([^)]*\)|'[^']*')", PSD1, flags=re.M)
    assert m, f"the manifest has no {key}"
    return re.findall(r"'([^']*)'", m.group(1))


def zip_names() -> list[str]:
    with zipfile.ZipFile(ZIP) as z:
        return [n for n in z.namelist() if not n.endswith("/")]


def test_the_zip_holds_the_module_the_command_the_readme_and_the_licences():
    names = set(zip_names())
    assert {"wsusdiag.exe", "README-Windows.md", "LICENSE-MIT", "LICENSE-APACHE"} <= names
    assert not [n for n in names if not n.startswith("WsusDiag/") and "/" in n], names
    with zipfile.ZipFile(ZIP) as z:
        for name in ("WsusDiag.psd1", "WsusDiag.psm1", "WsusDiag.format.ps1xml"):
            assert z.read(f"WsusDiag/{name}") == (MODULE / name).read_bytes(), f"{name} differs from the repository's"


def test_the_manifest_matches_the_zip():
    in_module = sorted(n.removeprefix("WsusDiag/") for n in zip_names() if n.startswith("WsusDiag/"))
    assert sorted(manifest_list("FileList")) == in_module
    assert manifest_list("RootModule") == ["WsusDiag.psm1"]
    for key in ("FormatsToProcess", "RequiredAssemblies", "NestedModules"):
        for name in manifest_list(key):
            assert name in in_module, f"{key}: {name} is not in the zip's WsusDiag folder"
    assert manifest_list("FormatsToProcess") == ["WsusDiag.format.ps1xml"]


def test_the_pinvoke_declarations_name_the_dll_as_packaged():
    # On Windows the module looks for $file beside itself (or under runtimes\win-<arch>\native).
    windows = re.search(r"if \(\$onWindows\) \{\s*\$os = 'win'; \$file = '([^']+)'", PSM1)
    assert windows, "the module's Windows library name is not found"
    assert "(Join-Path $PSScriptRoot $file)" in PSM1
    assert f"WsusDiag/{windows.group(1)}" in zip_names()
    # Each declaration binds to the library the module substitutes, by its own name.
    imports = re.findall(r"\[DllImport\((\w+)[^\]]*\]\s*public static extern \w+ (\w+)\(", PSM1)
    assert imports and {lib for lib, _ in imports} == {"Library"}
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(ZIP) as z:
        dll = z.extract(f"WsusDiag/{windows.group(1)}", tmp)
        dump = subprocess.run(
            ["x86_64-w64-mingw32-objdump", "-p", dll], check=True, capture_output=True, text=True
        ).stdout
    table = dump[dump.index("[Ordinal/Name Pointer] Table") :]
    exported = set(re.findall(r"^\s*\[\s*\d+\]\s+(\w+)$", table, flags=re.M))
    missing = sorted({name for _, name in imports} - exported)
    assert not missing, f"the packaged DLL does not export {missing}"


def module_hashtable(name: str) -> dict[str, str]:
    body = re.search(rf"^\$script:{name} = @\{{(.*?)\}}", PSM1, flags=re.M | re.S)
    assert body, f"no $script:{name}"
    return dict(re.findall(r"'(\w+)'\s*=\s*'([\w.]+)'", body.group(1)))


def pascal(name: str) -> str:
    words = module_hashtable("PascalWords")
    return "".join(words.get(w, w[:1].upper() + w[1:]) for w in name.split("_"))


def object_properties() -> dict[str, set[str]]:
    """Type name -> the properties the module's objects of that type have (from the sample's
    diagnosis, converted as the module converts it, and from the C# LogRecord)."""
    type_of = module_hashtable("TypeOfProperty")
    types: dict[str, set[str]] = {}

    def walk(value, type_name):
        if isinstance(value, list):
            for item in value:
                walk(item, type_name)
        elif isinstance(value, dict):
            if type_name:
                types.setdefault(type_name, set()).update(pascal(k) for k in value)
            for k, v in value.items():
                walk(v, type_of.get(k))

    walk(DIAGNOSIS, "WsusDiag.Diagnosis")
    # The names Add-WsusDiagName gives a fault's Client and Server objects.
    for side, name in re.findall(r"\$fault\.(Client|Server) \| Add-Member -NotePropertyName (\w+)", PSM1):
        types[f"WsusDiag.{side}Side"].add(name)
    record = re.search(r"public sealed class LogRecord\s*\{(.*?)\n    \}", PSM1, flags=re.S)
    assert record
    types["WsusDiag.LogRecord"] = set(re.findall(r"public [\w?]+ (\w+) \{ get; set; \}", record.group(1)))
    # Resolve-WsusDiagError: the fields of wsusdiag-core's hresult Description.
    describe = (ROOT / "wsusdiag-core/src/knowledge/hresult.rs").read_text(encoding="utf-8")
    fields = re.search(r"pub struct Description \{(.*?)\n\}", describe, flags=re.S)
    assert fields
    types["WsusDiag.ErrorCode"] = {pascal(f) for f in re.findall(r"pub (\w+):", fields.group(1))}
    return types


def test_the_module_gives_its_objects_these_type_names():
    given = set(module_hashtable("TypeOfProperty").values())
    given |= set(re.findall(r"-TypeName '(WsusDiag\.\w+)'", PSM1))
    assert {"WsusDiag.Finding", "WsusDiag.Fault", "WsusDiag.Diagnosis", "WsusDiag.ErrorCode"} <= given
    assert set(object_properties()) <= given | {"WsusDiag.LogRecord"}


def test_the_format_file_is_well_formed_and_fits_the_objects():
    root = ET.parse(MODULE / "WsusDiag.format.ps1xml").getroot()
    assert root.tag == "Configuration"
    properties = object_properties()
    selected = set()
    for view in root.iter("View"):
        names = [t.text for t in view.iter("TypeName")]
        assert len(names) == 1, names
        type_name = names[0]
        assert type_name in properties, f"{type_name}: not a type name the module gives its objects"
        selected.add(type_name)
        headers = list(view.iter("TableColumnHeader"))
        items = list(view.iter("TableColumnItem"))
        assert headers and len(headers) == len(items), type_name
        for item in items:
            prop = item.findtext("PropertyName")
            paths = [prop] if prop else re.findall(r"\$_\.(\w+)", item.findtext("ScriptBlock") or "")
            assert paths, f"{type_name}: a column with neither a property nor $_.Property"
            for path in paths:
                assert path in properties[type_name], f"{type_name} has no property {path}"
        for block in view.iter("ScriptBlock"):
            # $_.Client.Time: the nested object's property too.
            for outer, inner in re.findall(r"\$_\.(\w+)\.(\w+)", block.text):
                nested = module_hashtable("TypeOfProperty")[
                    next(k for k in module_hashtable("TypeOfProperty") if pascal(k) == outer)
                ]
                assert inner in properties[nested], f"{type_name}.{outer} has no property {inner}"
    assert {"WsusDiag.Finding", "WsusDiag.Fault", "WsusDiag.LogRecord"} <= selected
