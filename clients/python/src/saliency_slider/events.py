"""The typed events of a job's stream, converted from the contract's JobEvent as they arrive.

A stream yields, in order: ``Submitted``; ``Queued`` / ``Running`` as the state changes; for Score-CAM
``Progress`` while its channels are scored; one ``ExplanationReady``; one ``FrameReady`` per slider frame, coarse to fine (first, last, middle,
quarters, …, not in index order); then ``Completed``. A job that fails raises ``JobFailedError``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import List, Optional, Set, Union

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._proto import saliency_pb2 as pb
from .errors import JobFailedError, StreamEndedError


@dataclass(frozen=True)
class ClassScore:
    """One class of a prediction."""

    index: int
    """0-based class index."""
    label: str
    probability: float
    """Softmax probability."""
    logit: float
    """Raw score before softmax."""


@dataclass(frozen=True)
class Timings:
    """Stage timings of a job in milliseconds."""

    queue_ms: float
    decode_ms: float
    gradient_ms: float
    cam_ms: float
    frames_inference_ms: float
    render_ms: float
    total_ms: float


@dataclass(frozen=True)
class Submitted:
    """The job was accepted (or found: ``cached``); ``queue_position`` jobs are ahead of it."""

    job_id: str
    cached: bool
    queue_position: int


@dataclass(frozen=True)
class Queued:
    """The job waits in the queue; ``message`` is set when it was queued again after a worker stopped."""

    job_id: str
    position: int
    message: str


@dataclass(frozen=True)
class Running:
    """A worker is computing the job (``attempt`` counts from 1)."""

    job_id: str
    attempt: int


@dataclass(frozen=True)
class Progress:
    """Score-CAM scoring its channels before the explanation: ``done`` of ``total`` forward passes."""

    job_id: str
    done: int
    total: int


@dataclass(frozen=True)
class ExplanationReady:
    """The full image's prediction and heatmap; precedes every frame."""

    job_id: str
    prediction: List[ClassScore]
    """Top classes, most probable first."""
    target_class: int
    target_label: str
    target_probability: float
    heatmap: Image.Image
    """RGBA, colour-mapped, alpha = saliency; covers the same region as the frames."""
    cam: npt.NDArray[np.float32]
    """The raw CAM at feature-map resolution (``float32``, rows × columns), before normalisation."""
    method: str
    layer: str
    frame_count: int
    frame_width: int
    frame_height: int


@dataclass(frozen=True)
class SliderFrame:
    """One slider step: the image rebuilt from its most salient ``percent`` of pixels, and its prediction."""

    index: int
    """Position on the slider, 0..frame_count-1."""
    percent: float
    """Pixels revealed, 0..100."""
    image: Image.Image
    mime_type: str
    encoded: bytes
    """The frame as the server encoded it (``mime_type``)."""
    prediction: List[ClassScore]
    target_probability: float
    """Probability of the explained class on this frame: one point of the insertion curve."""
    deletion_probability: Optional[float]
    """With these pixels deleted instead: one point of the deletion curve (None unless asked for)."""


@dataclass(frozen=True)
class FrameReady:
    """A slider frame arrived."""

    job_id: str
    frame: SliderFrame
    received: int
    """Frames received so far, this one included."""
    total: int


@dataclass(frozen=True)
class Completed:
    """The last event of a successful job."""

    job_id: str
    insertion_auc: float
    deletion_auc: Optional[float]
    """None unless the deletion curve was asked for."""
    timings: Timings


Event = Union[Submitted, Queued, Running, Progress, ExplanationReady, FrameReady, Completed]
"""Anything ``stream`` yields."""


def class_scores(prediction: pb.Prediction) -> List[ClassScore]:
    return [ClassScore(s.index, s.label, s.probability, s.logit) for s in prediction.top]


def timings(source: pb.Timings) -> Timings:
    return Timings(source.queue_ms, source.decode_ms, source.gradient_ms, source.cam_ms,
                   source.frames_inference_ms, source.render_ms, source.total_ms)


def submitted(response: pb.SubmitResponse) -> Submitted:
    return Submitted(response.job_id, response.cached, response.queue_position)


def decode_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class EventReader:
    """Turns one job's JobEvents into typed events, counting frames; replayed frames are passed over."""

    def __init__(self, job_id: str, deletion: bool) -> None:
        self.job_id = job_id
        self._deletion = deletion
        self._frame_count = 0
        self._seen: Set[int] = set()

    def read(self, event: pb.JobEvent) -> Optional[Event]:
        """The typed event, or None for a frame seen before; raises ``JobFailedError`` for a FAILED status."""
        kind = event.WhichOneof("event")
        if kind == "status":
            return self._status(event.status)
        if kind == "progress":
            return Progress(self.job_id, event.progress.done, event.progress.total)
        if kind == "explanation":
            return self._explanation(event.explanation)
        if kind == "frame":
            return self._frame(event.frame)
        if kind == "completed":
            done = event.completed
            return Completed(self.job_id, done.insertion_auc, done.deletion_auc if self._deletion else None,
                             timings(done.timings))
        return None

    def _status(self, status: pb.JobStatus) -> Optional[Event]:
        if status.state == pb.JOB_STATE_FAILED:
            raise JobFailedError(self.job_id, status.message)
        if status.state == pb.JOB_STATE_QUEUED:
            return Queued(self.job_id, status.queue_position, status.message)
        if status.state == pb.JOB_STATE_RUNNING:
            return Running(self.job_id, status.attempt)
        return None

    def _explanation(self, explanation: pb.Explanation) -> ExplanationReady:
        self._frame_count = explanation.frame_count
        prediction = explanation.prediction
        cam = np.asarray(explanation.cam, dtype=np.float32).reshape(explanation.cam_height, explanation.cam_width)
        return ExplanationReady(
            self.job_id, class_scores(prediction), prediction.target_class, prediction.target_label,
            prediction.target_probability, decode_image(explanation.heatmap_png), cam, explanation.method,
            explanation.layer, explanation.frame_count, explanation.frame_width, explanation.frame_height)

    def _frame(self, frame: pb.Frame) -> Optional[FrameReady]:
        if frame.index in self._seen:
            return None
        self._seen.add(frame.index)
        slider_frame = SliderFrame(
            frame.index, frame.percent, decode_image(frame.image), frame.mime_type, frame.image,
            class_scores(frame.prediction), frame.target_probability,
            frame.deletion_probability if self._deletion else None)
        return FrameReady(self.job_id, slider_frame, len(self._seen), self._frame_count)


class JobStream:
    """One submitted job's events as ``Client.stream`` and ``AsyncClient.stream`` yield them: ``Submitted``, then the
    events StreamFrames delivers, up to ``Completed``."""

    def __init__(self, accepted: pb.SubmitResponse, deletion: bool) -> None:
        self.submitted = submitted(accepted)
        self.request = pb.StreamFramesRequest(job_id=accepted.job_id)
        self.completed = False
        self._reader = EventReader(accepted.job_id, deletion)

    def read(self, response: pb.StreamFramesResponse) -> List[Event]:
        """The response's typed event (none for a frame seen before); ``completed`` turns true with ``Completed``."""
        event = self._reader.read(response.event)
        self.completed = isinstance(event, Completed)
        return [] if event is None else [event]

    def ended(self) -> StreamEndedError:
        """The error for a stream that ended before ``Completed``."""
        return StreamEndedError(self._reader.job_id)
