"""Fixtures for the endpoint integration tests: every server is started here, on free
loopback ports, once for this package (tests/endpoint), and stopped when its last test
has run — package scope, so that no server process outlives these tests (other tests
check that the test process has no children).

The project graph is loaded with ``allow_invalid=True``: these tests compare query
engines on the same data, and must not depend on whether today's case data passes
validation (``collabkg serve`` and ``publish`` themselves refuse invalid data — see
test_serve_cli.py, which runs the real command on the validated mini project).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from collabkg.backends.remote import RemoteBackend
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from collabkg.server import free_port, running_endpoint
from tests.support.endpoint_servers import Listener, OxigraphWritable, Virtuoso, virtuoso_available
from tests.support.endpoints import DATA_GRAPH, MINI, REPO, Served

TIMINGS: dict[str, float] = {}
"""Start-up times of the servers, shown at the end of the session."""


@pytest.fixture(scope="package")
def project_graph() -> KnowledgeGraph:
    return load_graph(REPO, allow_invalid=True)


@pytest.fixture(scope="package")
def project_nt(project_graph: KnowledgeGraph) -> str:
    return project_graph.export("nt")


def _serve_in_thread(graph: KnowledgeGraph, timeout_s: float) -> Iterator[Served]:
    with running_endpoint(graph, port=free_port(), timeout_s=timeout_s) as endpoint:
        thread = threading.Thread(
            target=endpoint.filter.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        try:
            yield Served(endpoint, thread)
        finally:
            endpoint.filter.shutdown()
            thread.join(10)


@pytest.fixture(scope="package")
def served(project_graph: KnowledgeGraph) -> Iterator[Served]:
    """What ``collabkg serve`` runs (Oxigraph read-only + the query filter), over the project."""
    started = time.monotonic()
    generator = _serve_in_thread(project_graph, timeout_s=10.0)
    value = next(generator)
    TIMINGS["collabkg serve endpoint start (project graph)"] = time.monotonic() - started
    yield value
    next(generator, None)


@pytest.fixture(scope="package")
def served_mini_short_timeout() -> Iterator[Served]:
    """The endpoint over the mini project with a 1-second query timeout."""
    generator = _serve_in_thread(load_graph(MINI), timeout_s=1.0)
    yield next(generator)
    next(generator, None)


@pytest.fixture(scope="package")
def served_graph(served: Served) -> KnowledgeGraph:
    return served.graph()


@pytest.fixture(scope="package")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, project_nt: str) -> Iterator[Virtuoso]:
    """Virtuoso Open Source 7 with the project loaded into DATA_GRAPH."""
    if not virtuoso_available():
        pytest.skip("Virtuoso is not installed (make test installs virtuoso-opensource-7)")
    instance = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    instance.start()
    started = time.monotonic()
    try:
        instance.load(project_nt, DATA_GRAPH)
        TIMINGS["Virtuoso start"] = instance.startup_s
        TIMINGS["Virtuoso bulk load"] = time.monotonic() - started
        yield instance
    finally:
        stopping = time.monotonic()
        instance.stop()
        TIMINGS["Virtuoso stop"] = time.monotonic() - stopping


@pytest.fixture(scope="package")
def virtuoso_graph(virtuoso: Virtuoso) -> KnowledgeGraph:
    """The remote backend on Virtuoso, with DATA_GRAPH as the default graph."""
    return load_graph(
        REPO, backend=RemoteBackend(virtuoso.sparql_url, default_graph=DATA_GRAPH)
    )


@pytest.fixture(scope="package")
def oxigraph_rw() -> Iterator[OxigraphWritable]:
    server = OxigraphWritable()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    server.start()
    yield server
    server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("endpoint server timings")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{name}: {seconds:.2f} s")
