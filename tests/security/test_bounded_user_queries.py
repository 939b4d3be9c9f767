"""The CLI and explorer path (``KnowledgeGraph.user_query``): runaway queries are
stopped with their process, memory has a ceiling, a crash is a plain error, and the next
query runs."""

from __future__ import annotations

import time

import pytest

from collabkg.errors import EngineCrashed, QueryError, QueryTimeout
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.sparql_safety import MEMORY_ENV, Limits

CROSS = (
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?c ?f ?i ?l"
)


def _works(graph: KnowledgeGraph) -> None:
    result = graph.user_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert isinstance(result, QueryResult) and len(result) == 1


def test_a_runaway_query_stops_at_its_timeout(mini_graph: KnowledgeGraph):
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as caught:
        mini_graph.user_query(CROSS + " LIMIT 1", limits=Limits(timeout_s=1.0))
    assert time.monotonic() - started < 4
    assert "stopped" in caught.value.message
    _works(mini_graph)


def test_memory_has_a_ceiling(mini_graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(MEMORY_ENV, "300")
    with pytest.raises((EngineCrashed, QueryTimeout)) as caught:
        mini_graph.user_query(CROSS, limits=Limits(timeout_s=30))
    if isinstance(caught.value, EngineCrashed):
        assert "300 MB" in caught.value.message
    _works(mini_graph)


def test_a_query_too_long_for_the_engine_is_refused_before_it_runs(mini_graph: KnowledgeGraph):
    with pytest.raises(QueryError) as caught:
        mini_graph.user_query("SELECT (" + " + ".join(["1"] * 8000) + " AS ?x) WHERE {}")
    assert "operators in one chain" in caught.value.message
    assert caught.value.line == 1
    _works(mini_graph)


@pytest.mark.slow
def test_an_engine_crash_is_a_plain_error(mini_graph: KnowledgeGraph):
    """Past the checker (the text is run as it is): the child dies, the caller does not."""
    deep = "SELECT (" + " + ".join(["1"] * 8000) + " AS ?x) WHERE {}"
    with pytest.raises((EngineCrashed, QueryTimeout)) as caught:
        mini_graph.select(deep, timeout_s=20)
    if isinstance(caught.value, EngineCrashed):
        assert "nothing else was affected" in caught.value.message
    _works(mini_graph)


def test_a_query_over_the_size_limit_is_refused(mini_graph: KnowledgeGraph):
    from collabkg.sparql_text import MAX_QUERY_BYTES

    with pytest.raises(QueryError) as caught:
        mini_graph.user_query("SELECT * {} #" + "x" * MAX_QUERY_BYTES)
    assert "longer than" in caught.value.message


def test_a_long_in_list_is_checked_within_the_check_time_limit():
    """Regression: rdflib took 71 s of CPU on a 106 KB IN list. The check has its own time
    limit (MAX_CHECK_S, it refuses past it); its speed is measured by bench/sparql_check.py."""
    from collabkg.sparql_safety import check_query

    values = ", ".join(f'"v{i}"' for i in range(12000))
    assert check_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o IN ({values})) }}").form == "SELECT"


def test_the_check_refuses_a_text_it_cannot_read_in_time():
    from collabkg.sparql_text import canonical_query

    values = ", ".join(f'"v{i}"' for i in range(12000))
    with pytest.raises(QueryError) as caught:
        canonical_query(f"SELECT * WHERE {{ FILTER(?o IN ({values})) }}", max_seconds=0)
    assert "to read" in caught.value.message
