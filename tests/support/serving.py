"""collabkg serve over a graph, in a thread of the test process (the attack tests)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

from collabkg.graph import KnowledgeGraph
from collabkg.server import RunningEndpoint, free_port, running_endpoint


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


__all__ = ["Endpoint", "serve_in_thread"]
