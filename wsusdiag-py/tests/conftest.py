from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "wsusdiag-core" / "samples" / "kb954960"


@pytest.fixture
def client_log() -> Path:
    return SAMPLE / "WindowsUpdate.log"


@pytest.fixture
def server_log() -> Path:
    return SAMPLE / "SoftwareDistribution.log"
