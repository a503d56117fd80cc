"""Image input: a path, encoded bytes, a PIL image or a numpy array, as the encoded bytes the server takes."""
from __future__ import annotations

import io
import os
from typing import Any, Union

import numpy as np
import numpy.typing as npt
from PIL import Image

ImageInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Image.Image, np.ndarray]
"""What ``explain`` and ``stream`` accept as ``image``."""

_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA"}


def encode_image(image: ImageInput) -> bytes:
    """The bytes to upload: a file's or buffer's bytes as they are; PIL images and arrays as lossless PNG.

    Arrays are ``H×W`` (gray), ``H×W×3`` (RGB) or ``H×W×4`` (RGBA), of ``uint8`` or of floats in 0..1.
    """
    if isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as file:
            return file.read()
    if isinstance(image, (bytes, bytearray, memoryview)):
        return bytes(image)
    if isinstance(image, Image.Image):
        return _png(image)
    if isinstance(image, np.ndarray):
        return _png(Image.fromarray(_as_uint8(image)))
    raise TypeError(f"image must be a path, bytes, a PIL image or a numpy array, not {type(image).__name__}")


def _as_uint8(array: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"an image array is H×W, H×W×3 or H×W×4, not {'×'.join(map(str, array.shape))}")
    if array.dtype == np.uint8:
        return array
    if np.issubdtype(array.dtype, np.floating):
        if array.size and (np.nanmin(array) < 0 or np.nanmax(array) > 1):
            raise ValueError("a float image array holds values in 0..1; scale it, or pass uint8")
        scaled: npt.NDArray[np.uint8] = np.round(np.nan_to_num(array) * 255).astype(np.uint8)
        return scaled
    raise ValueError(f"an image array is uint8 or float in 0..1, not {array.dtype}")


def _png(image: Image.Image) -> bytes:
    if image.mode not in _PNG_MODES:
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
