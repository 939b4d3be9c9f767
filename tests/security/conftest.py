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
