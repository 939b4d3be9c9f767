"""Fixtures for the attack tests: a counting loopback listener and collabkg serve over the
mini project."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from collabkg.graph import KnowledgeGraph
from tests.support.listener import CountingListener
from tests.support.serving import Endpoint, serve_in_thread

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    server = CountingListener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def endpoint(mini_graph: KnowledgeGraph) -> Iterator[Endpoint]:
    """``collabkg serve`` over the mini project, with a 3 s query timeout."""
    yield from serve_in_thread(mini_graph, timeout_s=3.0)
