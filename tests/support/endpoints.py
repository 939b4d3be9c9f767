"""Helpers of the endpoint tests: the projects they serve and a served endpoint."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from collabkg.backends.remote import RemoteBackend
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from collabkg.server import RunningEndpoint
from tests.support.paths import MINI, REPO

DATA_GRAPH = "https://w3id.org/collabkg/graph"
"""The named graph the Virtuoso fixture loads the project into (= publish's default)."""


@dataclass
class Served:
    endpoint: RunningEndpoint
    thread: threading.Thread

    @property
    def url(self) -> str:
        return self.endpoint.url

    def graph(self) -> KnowledgeGraph:
        return load_graph(REPO, backend=RemoteBackend(self.url))


__all__ = ["DATA_GRAPH", "MINI", "REPO", "Served"]
