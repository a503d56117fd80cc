"""Constants and helpers the tests share."""
from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

from PIL import Image, PngImagePlugin

REPO_ROOT = Path(__file__).resolve().parents[3]
TEST_IMAGES = Path(os.environ.get("SALIENCY_TEST_IMAGES", REPO_ROOT.parent / "shared" / "testdata" / "images"))
CAT_CLASSES = range(281, 286)
"""ImageNet's cats (tabby, tiger cat, Persian, Siamese, Egyptian cat): what the default model sees in chelsea.png."""
SMALL = {"frames": 5, "max_side": 96}
"""A small, fast job: 5 frames of at most 96 pixels."""


def fresh_png(path: Path) -> bytes:
    """``path`` as a PNG with a unique text chunk: the same pixels, but bytes (and so a job) the server has not seen."""
    info = PngImagePlugin.PngInfo()
    info.add_text("nonce", uuid.uuid4().hex)
    buffer = io.BytesIO()
    with Image.open(path) as image:
        image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()
