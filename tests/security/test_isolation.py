"""Defence in depth: the process that evaluates an analyst's query cannot reach the
network, so even a SERVICE the filter missed (sent here on purpose, past the filter)
makes no request."""

from __future__ import annotations

import contextlib
import socket
import threading

import pyoxigraph as ox
import pytest

from collabkg.errors import QueryError
from collabkg.sandbox import isolate
from collabkg.server import Request, evaluate
from collabkg.sparql_safety import run_with_timeout
from collabkg.sparql_text import CheckedQuery
from tests.support.listener import CountingListener


def _service(url: str) -> str:
    return f"SELECT * WHERE {{ SERVICE <{url}/bypass> {{ ?s ?p ?o }} }}"


def test_control_unisolated_children_do_call_out(listener: CountingListener):
    before = listener.count()

    def work(cancel: threading.Event) -> int:
        return len(list(ox.Store().query(_service(listener.url))))

    assert run_with_timeout(work, 10, sandbox=False) == 1  # the listener's one row
    assert listener.arrives_after(before)


def test_a_service_sent_past_the_filter_makes_no_request(listener: CountingListener):
    before = listener.count()

    def work(cancel: threading.Event) -> int:
        return len(list(ox.Store().query(_service(listener.url))))

    with pytest.raises(QueryError) as caught:
        run_with_timeout(work, 10)
    assert "Permission denied" in caught.value.message or "refused" in caught.value.message
    assert listener.stays_at(before)


def test_no_socket_can_be_made_in_the_isolated_child(listener: CountingListener):
    def work(cancel: threading.Event) -> list[str]:
        outcomes = []
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
            try:
                socket.socket(family, socket.SOCK_STREAM).close()
                outcomes.append("made")
            except OSError:
                outcomes.append("refused")
        return outcomes

    assert run_with_timeout(work, 10) == ["refused", "refused", "refused"]


def test_isolation_names_its_layers():
    def work(cancel: threading.Event) -> list[str]:
        return isolate()

    layers = run_with_timeout(work, 10, sandbox=False)
    assert "seccomp" in layers


def test_the_endpoint_engine_makes_no_request_even_for_an_unchecked_service(
    listener: CountingListener, endpoint
):
    """A test hook: a SERVICE query handed to the endpoint's runner as if checked."""
    before = listener.count()
    forged = Request(CheckedQuery(_service(listener.url), "SELECT"),
                     "application/sparql-results+json", "JSON")
    with pytest.raises(QueryError):
        endpoint.endpoint.filter.run(forged)
    # the same work, unisolated, does call out (so the hook would have shown a leak)
    store = endpoint.endpoint.filter.store
    assert listener.stays_at(before)
    with contextlib.suppress(QueryError):
        evaluate(store, forged, endpoint.url)(None)  # in this process: not isolated
    assert listener.arrives_after(before)
