"""The README's Python snippets run as written, against the bundled sample."""

import re

from conftest import ROOT, SAMPLE


def test_readme_snippets_run(capsys):
    readme = (ROOT / "wsusdiag-py" / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) >= 5
    scope = {"CLIENT_LOG": str(SAMPLE / "WindowsUpdate.log"), "SERVER_LOG": str(SAMPLE / "SoftwareDistribution.log")}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)
    out = capsys.readouterr().out
    assert "KB954960 confirmed" in out
    assert "WU_E_PT_SOAP_SERVER" in out
    assert "<Diagnosis of 2 inputs: 2 faults, 0 server faults; KB954960>" in out
    assert "<LogAnalysis of 2 inputs (1 client log, 1 server log): " in out
    assert "32 Record(line=47, time=datetime.datetime(2008, 7, 14, 9, 12, 58, 640000), component='PT', " in out
