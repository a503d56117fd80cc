"""The package's type hints hold: mypy --strict (configured in pyproject.toml) finds nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import REPO_ROOT


def test_mypy_strict_passes(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)],
                         cwd=REPO_ROOT / "clients" / "python", capture_output=True, text=True, timeout=600)

    assert run.returncode == 0, run.stdout + run.stderr
