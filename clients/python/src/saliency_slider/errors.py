"""The exceptions the client raises: a refused call carries the gRPC status and the server's message."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional, Protocol

import grpc


class SaliencyError(Exception):
    """Base class of every error this package raises."""


class ServerError(SaliencyError):
    """The server refused or could not complete a call.

    Attributes:
        code: the gRPC status, e.g. ``grpc.StatusCode.INVALID_ARGUMENT`` for bad input, ``NOT_FOUND`` for an
            unknown or expired job, ``RESOURCE_EXHAUSTED`` over a limit, ``UNAVAILABLE`` when the server
            cannot be reached.
        message: the server's explanation (what to fix).
        retry_after: seconds to wait before retrying, when the server said (``RESOURCE_EXHAUSTED``).
    """

    def __init__(self, code: grpc.StatusCode, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError) -> "ServerError":
        """Wraps the error of a gRPC call (sync or ``grpc.aio``)."""
        code: grpc.StatusCode = error.code()
        details: Optional[str] = error.details()
        retry_after = None
        for key, value in error.trailing_metadata() or ():
            if key == "retry-after":
                try:
                    retry_after = float(value)
                except ValueError:
                    pass
        return cls(code, details or "", retry_after)


class _Cancellable(Protocol):
    def cancel(self) -> bool: ...


@contextmanager
def server_errors(call: Optional[_Cancellable] = None) -> Iterator[None]:
    """Raises the error of a gRPC call made inside (sync or ``grpc.aio``) as ``ServerError``; cancels ``call`` on the way out."""
    try:
        yield
    except grpc.RpcError as error:
        raise ServerError.from_rpc_error(error) from None
    finally:
        if call is not None:
            call.cancel()


class JobFailedError(SaliencyError):
    """The job was accepted but failed while being computed (its stream ended with a FAILED status)."""

    def __init__(self, job_id: str, message: str) -> None:
        super().__init__(f"job {job_id} failed: {message}")
        self.job_id = job_id
        self.message = message


class StreamEndedError(SaliencyError):
    """The job's event stream ended before the job completed (e.g. the gateway went away)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"the stream of job {job_id} ended before the job completed")
        self.job_id = job_id
