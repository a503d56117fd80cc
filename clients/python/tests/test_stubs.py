"""The stubs built into the package are what generate_stubs.py makes from protos/ today."""
from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

from support import REPO_ROOT

PACKAGE = REPO_ROOT / "clients" / "python"


def test_the_checked_in_stubs_match_the_contract_in_protos(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(PACKAGE / "generate_stubs.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)

    checked_in = PACKAGE / "src" / "saliency_slider" / "_proto"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in checked_in.iterdir() if p.name != "__pycache__")
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, checked_in, names, shallow=False)
    assert not mismatch and not errors, (
        f"{mismatch + errors} differ from protos/: run `python3 clients/python/generate_stubs.py` and commit")


def test_the_installed_stubs_are_the_checked_in_ones() -> None:
    from saliency_slider._proto import saliency_pb2

    installed = Path(saliency_pb2.__file__).read_bytes()
    assert installed == (PACKAGE / "src" / "saliency_slider" / "_proto" / "saliency_pb2.py").read_bytes()
