"""Where the engine cannot be cut off the network, analysts' queries are refused (fail
closed), unless the override is set, which is said out loud."""

from __future__ import annotations

import pytest

from collabkg import sandbox
from collabkg.errors import QueryError
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.sparql_safety import ISOLATION_ENV


def test_no_layer_available_is_a_refusal(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sandbox, "_seccomp", lambda: "seccomp unavailable here")
    monkeypatch.setattr(sandbox, "_namespace", lambda: "namespaces unavailable here")
    monkeypatch.delenv(sandbox.UNSANDBOXED_ENV, raising=False)
    with pytest.raises(QueryError) as caught:
        sandbox.isolate()
    assert "cannot cut the query engine off the network" in caught.value.message
    assert sandbox.UNSANDBOXED_ENV in (caught.value.hint or "")


def test_the_override_runs_with_a_warning(monkeypatch: pytest.MonkeyPatch, capsys):
    monkeypatch.setattr(sandbox, "_seccomp", lambda: "seccomp unavailable here")
    monkeypatch.setattr(sandbox, "_namespace", lambda: "namespaces unavailable here")
    monkeypatch.setenv(sandbox.UNSANDBOXED_ENV, "1")
    assert sandbox.isolate() == []
    assert "WITH network access" in capsys.readouterr().err


def test_user_queries_need_an_isolated_process(
    mini_graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(ISOLATION_ENV, "thread")
    monkeypatch.delenv(sandbox.UNSANDBOXED_ENV, raising=False)
    with pytest.raises(QueryError) as caught:
        mini_graph.user_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert "cut off the network" in caught.value.message
    monkeypatch.setenv(sandbox.UNSANDBOXED_ENV, "1")
    assert isinstance(mini_graph.user_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"), QueryResult)
