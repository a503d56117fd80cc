"""Constants and helpers the tests share."""
from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[3]
TEST_IMAGES = Path(os.environ.get("SALIENCY_TEST_IMAGES", REPO_ROOT.parent / "shared" / "testdata" / "images"))
CAT_CLASSES = range(281, 286)
"""ImageNet's cats (tabby, tiger cat, Persian, Siamese, Egyptian cat): what the default model sees in chelsea.png."""
SMALL = {"frames": 5, "max_side": 96}
"""A small, fast job: 5 frames of at most 96 pixels."""


def cropped(path: Path, inset: int) -> Image.Image:
    """``path`` cropped by ``inset`` pixels on every side: another image (another job) of the same subject."""
    with Image.open(path) as image:
        return image.convert("RGB").crop((inset, inset, image.width - inset, image.height - inset))
