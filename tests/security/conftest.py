"""Fixtures for the attack tests: a counting loopback listener and collabkg serve over the
mini project."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from collabkg.graph import KnowledgeGraph
from collabkg.server import RunningEndpoint, free_port, running_endpoint

from .listener import CountingListener

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    server = CountingListener()
    yield server
    server.close()


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
