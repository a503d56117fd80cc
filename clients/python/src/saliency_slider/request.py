"""The keyword options of ``explain``/``stream`` as the contract's SubmitRequest."""
from __future__ import annotations

from typing import Dict, Optional, TypeVar

from ._proto import saliency_pb2 as pb
from .images import ImageInput, encode_image

METHODS: Dict[str, "pb.CamMethod"] = {
    "gradcam": pb.CAM_METHOD_GRAD_CAM,
    "gradcampp": pb.CAM_METHOD_GRAD_CAM_PLUS_PLUS,
    "hirescam": pb.CAM_METHOD_HIRES_CAM,
    "xgradcam": pb.CAM_METHOD_XGRAD_CAM,
    "layercam": pb.CAM_METHOD_LAYER_CAM,
    "eigencam": pb.CAM_METHOD_EIGEN_CAM,
    "scorecam": pb.CAM_METHOD_SCORE_CAM,
}
"""CAM method names (as the ``saliency`` CLI spells them) and their contract values."""

BASELINES: Dict[str, "pb.Baseline"] = {"blur": pb.BASELINE_BLUR, "black": pb.BASELINE_BLACK, "gray": pb.BASELINE_GRAY}
"""What unrevealed pixels of a frame show."""


def submit_request(
    image: ImageInput,
    *,
    model: Optional[str],
    method: str,
    frames: int,
    target_class: Optional[int],
    layer: Optional[str],
    baseline: str,
    deletion: bool,
    max_side: Optional[int],
    top_k: Optional[int],
) -> pb.SubmitRequest:
    """Builds the request; unknown method or baseline names raise ``ValueError`` (ranges are the server's to check)."""
    options = pb.ExplainOptions(
        method=_choice("method", method, METHODS),
        target_layer=layer or "",
        frame_count=frames,
        baseline=_choice("baseline", baseline, BASELINES),
        max_frame_side=max_side or 0,
        top_k=top_k or 0,
        deletion_curve=deletion,
    )
    if target_class is not None:
        options.target_class = target_class
    return pb.SubmitRequest(image=encode_image(image), model=model or "", options=options)


Choice = TypeVar("Choice")


def _choice(what: str, name: str, values: Dict[str, Choice]) -> Choice:
    try:
        return values[name.lower()]
    except KeyError:
        raise ValueError(f"unknown {what} {name!r}; one of {', '.join(values)}") from None
