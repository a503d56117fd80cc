"""``Client``: the blocking client over a gRPC channel."""
from __future__ import annotations

from typing import Iterator, List, Optional, Sequence, Tuple

import grpc

from ._proto import saliency_pb2 as pb
from ._proto import saliency_pb2_grpc as pb_grpc
from .errors import server_errors
from .events import Event, JobStream
from .explanation import Explanation, ExplanationBuilder
from .images import ImageInput
from .records import JobInfo, ModelInfo
from .request import submit_request

DEFAULT_TARGET = "localhost:50051"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
CHANNEL_OPTIONS: Sequence[Tuple[str, int]] = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)
"""Frames and heatmaps of large jobs exceed gRPC's 4 MiB default."""


def call_metadata(api_key: Optional[str]) -> Tuple[Tuple[str, str], ...]:
    return (("x-api-key", api_key),) if api_key else ()


class Client:
    """A blocking client of a Saliency Slider gateway (native gRPC).

    Args:
        target: the gateway's ``host:port``.
        api_key: sent as ``x-api-key`` when the deployment requires keys.
        timeout: deadline in seconds for each call (for ``explain`` and ``stream``: the whole job); None: none.
        credentials: TLS credentials (``grpc.ssl_channel_credentials()``); None: cleartext.

    Use it as a context manager, or call ``close()``. Every refused call raises ``ServerError``.
    """

    def __init__(self, target: str = DEFAULT_TARGET, api_key: Optional[str] = None, timeout: Optional[float] = None,
                 *, credentials: Optional[grpc.ChannelCredentials] = None) -> None:
        self.target = target
        self.timeout = timeout
        self._metadata = call_metadata(api_key)
        self._channel = (grpc.secure_channel(target, credentials, options=CHANNEL_OPTIONS) if credentials
                         else grpc.insecure_channel(target, options=CHANNEL_OPTIONS))
        self._stub = pb_grpc.SaliencySliderServiceStub(self._channel)  # type: ignore[no-untyped-call]

    def models(self) -> List[ModelInfo]:
        """The models the server serves."""
        with server_errors():
            response = self._stub.ListModels(pb.ListModelsRequest(), timeout=self.timeout, metadata=self._metadata)
        return [ModelInfo.from_proto(model) for model in response.models]

    def job(self, job_id: str) -> JobInfo:
        """A job's current record (``NOT_FOUND`` for an unknown or expired id)."""
        with server_errors():
            response = self._stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=self.timeout, metadata=self._metadata)
        return JobInfo.from_proto(response.job)

    def explain(self, image: ImageInput, *, model: Optional[str] = None, method: str = "gradcam", frames: int = 21,
                target_class: Optional[int] = None, layer: Optional[str] = None, baseline: str = "blur",
                deletion: bool = False, max_side: Optional[int] = None, top_k: Optional[int] = None) -> Explanation:
        """Explains ``image`` and waits for every frame.

        Args:
            image: a path, encoded bytes (JPEG, PNG, WebP, GIF, BMP), a PIL image or a numpy array.
            model: a name from ``models()``; None: the server's default.
            method: gradcam, gradcampp, hirescam, xgradcam, layercam, eigencam or scorecam.
            frames: slider frames, 2..101.
            target_class: class index to explain; None: the top-1.
            layer: tensor to explain; None: the model's default layer.
            baseline: what unrevealed pixels show: blur, black or gray.
            deletion: also compute the deletion curve.
            max_side: longest side of the frames in pixels (16..2048); None: the server's default (512).
            top_k: classes per prediction (1..20); None: the server's default (5).

        Raises:
            ServerError: the server refused the request (the message says why).
            JobFailedError: the job failed while being computed.
        """
        builder = ExplanationBuilder()
        for event in self.stream(image, model=model, method=method, frames=frames, target_class=target_class,
                                 layer=layer, baseline=baseline, deletion=deletion, max_side=max_side, top_k=top_k):
            builder.add(event)
        return builder.result()

    def stream(self, image: ImageInput, *, model: Optional[str] = None, method: str = "gradcam", frames: int = 21,
               target_class: Optional[int] = None, layer: Optional[str] = None, baseline: str = "blur",
               deletion: bool = False, max_side: Optional[int] = None, top_k: Optional[int] = None) -> Iterator[Event]:
        """Submits ``image`` like ``explain`` and yields the job's events as they arrive.

        ``Submitted``, then ``Queued``/``Running``, ``ExplanationReady``, a ``FrameReady`` per frame (coarse to
        fine) and ``Completed`` last. Raises ``ServerError`` or ``JobFailedError`` like ``explain``.
        """
        request = submit_request(image, model=model, method=method, frames=frames, target_class=target_class,
                                 layer=layer, baseline=baseline, deletion=deletion, max_side=max_side, top_k=top_k)
        with server_errors():
            job = JobStream(self._stub.Submit(request, timeout=self.timeout, metadata=self._metadata), deletion)
        yield job.submitted
        call = self._stub.StreamFrames(job.request, timeout=self.timeout, metadata=self._metadata)
        with server_errors(call):
            for response in call:
                yield from job.read(response)
                if job.completed:
                    return
        raise job.ended()

    def close(self) -> None:
        """Closes the channel."""
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
