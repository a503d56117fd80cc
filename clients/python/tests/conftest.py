"""Fixtures for the tests against a live gateway and worker.

SALIENCY_SERVER names the gateway's native gRPC address (tests/Service.Tests/Clients/PythonPackageTests.cs starts
one and runs these tests in a fresh virtual environment that has the package installed).
"""
from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Iterator

import pytest

from saliency_slider import Client, Explanation

from support import SMALL, TEST_IMAGES


@pytest.fixture(scope="session")
def server() -> str:
    address = os.environ.get("SALIENCY_SERVER")
    if not address:
        pytest.exit("SALIENCY_SERVER (the gateway's host:port) is not set", returncode=2)
    return address


@pytest.fixture(scope="session")
def client(server: str) -> Iterator[Client]:
    with Client(server, timeout=180) as client:
        yield client


@pytest.fixture(scope="session")
def cat_path() -> Path:
    return TEST_IMAGES / "chelsea.png"


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]


@pytest.fixture(scope="session")
def cat(client: Client, cat_path: Path) -> Explanation:
    """chelsea.png explained with the defaults but SMALL."""
    return client.explain(cat_path, **SMALL)
