"""The Python examples of docs/API.md ("## Python") run against the live gateway."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from support import REPO_ROOT, TEST_IMAGES

DOCUMENTED_SERVER = "localhost:50051"


def python_examples() -> List[str]:
    text = (REPO_ROOT / "docs" / "API.md").read_text()
    section = re.search(r"^## Python\n(.*?)(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    assert section, "docs/API.md has no '## Python' section"
    return re.findall(r"^```python\n(.*?)^```", section.group(1), flags=re.MULTILINE | re.DOTALL)


EXAMPLES = python_examples()


def test_the_python_section_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example{i + 1}" for i in range(len(EXAMPLES))])
def test_the_example_runs(code: str, server: str, tmp_path: Path) -> None:
    assert DOCUMENTED_SERVER in code
    shutil.copy(TEST_IMAGES / "chelsea.png", tmp_path / "chelsea.png")

    run = subprocess.run([sys.executable, "-c", code.replace(DOCUMENTED_SERVER, server)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip(), "the example printed nothing"
