"""python -m saliency_slider: progress on stderr, prediction on stdout, heatmap, CAM and frames on disk."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List

import numpy as np

from support import CAT_CLASSES, fresh_png


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "saliency_slider", *args], capture_output=True, text=True,
                          timeout=300)


def test_the_cli_prints_progress_and_the_prediction_and_writes_heatmap_cam_and_frames(
        server: str, cat_path: Path, tmp_path: Path) -> None:
    image = tmp_path / "cat.png"
    image.write_bytes(fresh_png(cat_path))
    out = tmp_path / "out"

    run = run_cli(str(image), "--server", server, "--out", str(out), "--frames", "5", "--max-side", "96")

    assert run.returncode == 0, run.stderr
    top1 = [line for line in run.stdout.splitlines() if line.startswith("top-1 ")]
    assert len(top1) == 1 and int(top1[0].split()[1]) in CAT_CLASSES, run.stdout
    progress: List[str] = [line.strip() for line in run.stderr.splitlines()]
    assert any(line.startswith(("queued (position", "running (attempt 1)")) for line in progress), run.stderr
    assert progress[-1] == "frames 5/5", run.stderr
    assert run.stdout.startswith("job ") and "insertion AUC" in run.stdout
    assert (out / "heatmap.png").stat().st_size > 0
    assert np.load(out / "cam.npy").ndim == 2
    assert sorted(path.name for path in (out / "frames").iterdir()) == [f"frame_{i:02d}.jpg" for i in range(5)]


def test_the_cli_exits_1_with_the_servers_message_when_refused_and_3_when_unreachable(
        server: str, tmp_path: Path, unused_port: int) -> None:
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("this is not an image")

    refused = run_cli(str(not_an_image), "--server", server, "--out", str(tmp_path / "refused"))
    unreachable = run_cli(str(not_an_image), "--server", f"127.0.0.1:{unused_port}", "--timeout", "10",
                          "--out", str(tmp_path / "unreachable"))

    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("error: INVALID_ARGUMENT: ")
    assert unreachable.returncode == 3
    assert "error: UNAVAILABLE: " in unreachable.stderr
