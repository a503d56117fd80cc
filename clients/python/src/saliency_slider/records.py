"""The server's records as dataclasses: the models it serves (ListModels) and a job's state (GetJob)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from ._proto import saliency_pb2 as pb
from .events import ClassScore, Timings, class_scores, timings


@dataclass(frozen=True)
class ModelInfo:
    """A model the server serves; pass ``name`` as ``explain(..., model=name)``."""

    name: str
    input_width: int
    input_height: int
    classes: int
    """Number of classes."""
    default_layer: str
    """The tensor explained unless ``layer`` is given."""
    is_default: bool
    """Used when a request names no model."""
    execution_provider: str
    """"CPU" or "CUDA" (empty before a worker reported)."""
    description: str

    @property
    def input_size(self) -> Tuple[int, int]:
        """(width, height) of the model's input."""
        return self.input_width, self.input_height

    @staticmethod
    def from_proto(model: pb.ModelInfo) -> "ModelInfo":
        return ModelInfo(model.name, model.input_width, model.input_height, model.classes, model.default_layer,
                         model.is_default, model.execution_provider, model.description)


@dataclass(frozen=True)
class JobInfo:
    """A job's record at the time of the call."""

    job_id: str
    state: str
    """"queued", "running", "done" or "failed"."""
    model: str
    prediction: List[ClassScore]
    """Empty until the explanation exists."""
    frames_ready: int
    frame_count: int
    attempts: int
    error: str
    """Why the job failed; empty otherwise."""
    timings: Optional[Timings]
    """Set once the job is done."""

    @staticmethod
    def from_proto(job: pb.Job) -> "JobInfo":
        state = pb.JobState.Name(job.state).removeprefix("JOB_STATE_").lower()
        return JobInfo(job.job_id, state, job.model, class_scores(job.prediction), job.frames_ready, job.frame_count,
                       job.attempts, job.error, timings(job.timings) if job.HasField("timings") else None)
