"""Fixtures for the attack tests: a counting loopback listener, the mini graph."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .listener import CountingListener


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    server = CountingListener()
    yield server
    server.close()


import threading  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

from collabkg.graph import KnowledgeGraph  # noqa: E402
from collabkg.server import RunningEndpoint, free_port, running_endpoint  # noqa: E402

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@dataclass
class Endpoint:
    endpoint: RunningEndpoint

    @property
    def url(self) -> str:
        return self.endpoint.url


def serve_in_thread(graph: KnowledgeGraph, timeout_s: float) -> Iterator[Endpoint]:
    with running_endpoint(graph, port=free_port(), timeout_s=timeout_s) as endpoint:
        thread = threading.Thread(
            target=endpoint.filter.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield Endpoint(endpoint)
        finally:
            endpoint.filter.shutdown()
            thread.join(10)


@pytest.fixture(scope="module")
def endpoint(mini_graph: KnowledgeGraph) -> Iterator[Endpoint]:
    """``collabkg serve`` over the mini project, with a 3 s query timeout."""
    yield from serve_in_thread(mini_graph, timeout_s=3.0)
