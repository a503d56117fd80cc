"""The finished job: an ``Explanation`` assembled from the stream's events."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, NamedTuple, Optional

import numpy as np
import numpy.typing as npt
from PIL import Image

from .events import ClassScore, Completed, Event, ExplanationReady, FrameReady, SliderFrame, Submitted, Timings


class CurvePoint(NamedTuple):
    """One point of an insertion or deletion curve."""

    percent: float
    """Pixels revealed (insertion) or deleted (deletion), 0..100."""
    probability: float
    """Probability of the explained class."""


@dataclass(frozen=True)
class Explanation:
    """What the server computed for one image: prediction, heatmap, CAM, the slider frames and their curves.

    In Jupyter it displays itself: the image, the heatmap and a slider over the frames (``_repr_html_``).
    """

    job_id: str
    cached: bool
    """True when the server had computed this job before."""
    prediction: List[ClassScore]
    """The full image's top classes, most probable first."""
    target_class: int
    """The explained class (the top-1 unless ``target_class`` was given)."""
    target_label: str
    target_probability: float
    method: str
    layer: str
    heatmap: Image.Image = field(repr=False)
    """RGBA heatmap, alpha = saliency, the frames' size."""
    cam: npt.NDArray[np.float32] = field(repr=False)
    """The raw CAM (``float32``, feature-map rows × columns)."""
    steps: List[SliderFrame] = field(repr=False)
    """The slider frames with their predictions, 0 % → 100 % revealed."""
    insertion_auc: float
    deletion_auc: Optional[float]
    """None unless ``deletion=True``."""
    timings: Timings = field(repr=False)
    insertion_curve: List[CurvePoint] = field(init=False, repr=False)
    """Probability of the target class as the most salient pixels are revealed, one point per frame."""
    deletion_curve: Optional[List[CurvePoint]] = field(init=False, repr=False)
    """Probability of the target class with the most salient pixels deleted first; None unless asked for."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "insertion_curve", [CurvePoint(s.percent, s.target_probability) for s in self.steps])
        deletion = None
        if self.deletion_auc is not None:
            deletion = [CurvePoint(s.percent, s.deletion_probability or 0.0) for s in self.steps]
        object.__setattr__(self, "deletion_curve", deletion)

    @property
    def frames(self) -> List[Image.Image]:
        """The slider frames as images, 0 % → 100 % revealed."""
        return [step.image for step in self.steps]

    def _repr_html_(self) -> str:
        from .notebook import explanation_html

        return explanation_html(self)


class ExplanationBuilder:
    """Collects a stream's events; ``result()`` once ``Completed`` was added."""

    def __init__(self) -> None:
        self._submitted: Optional[Submitted] = None
        self._ready: Optional[ExplanationReady] = None
        self._frames: List[SliderFrame] = []
        self._completed: Optional[Completed] = None

    def add(self, event: Event) -> None:
        if isinstance(event, Submitted):
            self._submitted = event
        elif isinstance(event, ExplanationReady):
            self._ready = event
        elif isinstance(event, FrameReady):
            self._frames.append(event.frame)
        elif isinstance(event, Completed):
            self._completed = event

    def result(self) -> Explanation:
        submitted, ready, completed = self._submitted, self._ready, self._completed
        if submitted is None or ready is None or completed is None:
            raise RuntimeError("the stream has not completed")
        return Explanation(
            job_id=submitted.job_id, cached=submitted.cached, prediction=ready.prediction,
            target_class=ready.target_class, target_label=ready.target_label,
            target_probability=ready.target_probability, method=ready.method, layer=ready.layer,
            heatmap=ready.heatmap, cam=ready.cam, steps=sorted(self._frames, key=lambda frame: frame.index),
            insertion_auc=completed.insertion_auc, deletion_auc=completed.deletion_auc, timings=completed.timings)
