"""``AsyncClient``: the client over ``grpc.aio``, with ``Client``'s methods as coroutines."""
from __future__ import annotations

from typing import AsyncIterator, List, Optional

import grpc
import grpc.aio

from ._proto import saliency_pb2 as pb
from ._proto import saliency_pb2_grpc as pb_grpc
from .client import CHANNEL_OPTIONS, DEFAULT_TARGET, call_metadata
from .errors import server_errors
from .events import Event, JobStream
from .explanation import Explanation, ExplanationBuilder
from .images import ImageInput
from .records import JobInfo, ModelInfo
from .request import submit_request


class AsyncClient:
    """An asyncio client of a Saliency Slider gateway; the arguments and methods are ``Client``'s.

    Create it inside a running event loop; use ``async with`` or ``await close()``.
    """

    def __init__(self, target: str = DEFAULT_TARGET, api_key: Optional[str] = None, timeout: Optional[float] = None,
                 *, credentials: Optional[grpc.ChannelCredentials] = None) -> None:
        self.target = target
        self.timeout = timeout
        self._metadata = call_metadata(api_key)
        self._channel = (grpc.aio.secure_channel(target, credentials, options=CHANNEL_OPTIONS) if credentials
                         else grpc.aio.insecure_channel(target, options=CHANNEL_OPTIONS))
        self._stub = pb_grpc.SaliencySliderServiceStub(self._channel)  # type: ignore[no-untyped-call]

    async def models(self) -> List[ModelInfo]:
        """The models the server serves."""
        with server_errors():
            response = await self._stub.ListModels(pb.ListModelsRequest(), timeout=self.timeout,
                                                   metadata=self._metadata)
        return [ModelInfo.from_proto(model) for model in response.models]

    async def job(self, job_id: str) -> JobInfo:
        """A job's current record (``NOT_FOUND`` for an unknown or expired id)."""
        with server_errors():
            response = await self._stub.GetJob(pb.GetJobRequest(job_id=job_id), timeout=self.timeout,
                                               metadata=self._metadata)
        return JobInfo.from_proto(response.job)

    async def explain(self, image: ImageInput, *, model: Optional[str] = None, method: str = "gradcam",
                      frames: int = 21, target_class: Optional[int] = None, layer: Optional[str] = None,
                      baseline: str = "blur", deletion: bool = False, max_side: Optional[int] = None,
                      top_k: Optional[int] = None) -> Explanation:
        """Explains ``image`` and waits for every frame; see ``Client.explain``."""
        builder = ExplanationBuilder()
        async for event in self.stream(image, model=model, method=method, frames=frames, target_class=target_class,
                                       layer=layer, baseline=baseline, deletion=deletion, max_side=max_side,
                                       top_k=top_k):
            builder.add(event)
        return builder.result()

    async def stream(self, image: ImageInput, *, model: Optional[str] = None, method: str = "gradcam",
                     frames: int = 21, target_class: Optional[int] = None, layer: Optional[str] = None,
                     baseline: str = "blur", deletion: bool = False, max_side: Optional[int] = None,
                     top_k: Optional[int] = None) -> AsyncIterator[Event]:
        """Yields the job's events as they arrive; see ``Client.stream``."""
        request = submit_request(image, model=model, method=method, frames=frames, target_class=target_class,
                                 layer=layer, baseline=baseline, deletion=deletion, max_side=max_side, top_k=top_k)
        with server_errors():
            job = JobStream(await self._stub.Submit(request, timeout=self.timeout, metadata=self._metadata), deletion)
        yield job.submitted
        call = self._stub.StreamFrames(job.request, timeout=self.timeout, metadata=self._metadata)
        with server_errors(call):
            async for response in call:
                for event in job.read(response):
                    yield event
                if job.completed:
                    return
        raise job.ended()

    async def close(self) -> None:
        """Closes the channel."""
        await self._channel.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
