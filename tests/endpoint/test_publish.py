"""``collabkg publish``: one Graph Store Protocol PUT that replaces a named graph.

Round trips go to BOTH targets the tests start themselves: an ``oxigraph serve``
(read-write) instance (GSP at /store, no authentication) and Virtuoso 7's
``/sparql-graph-crud-auth`` (Digest authentication, dba credentials from the environment).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from collabkg.backends.remote import Credentials, RemoteBackend
from collabkg.catalogue import Catalogue
from collabkg.errors import EndpointError, UsageError
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from collabkg.publish import DEFAULT_GRAPH, TerminalProgress, check_endpoint, prepare, send
from tests.support.endpoint_compare import answer, raw_params
from tests.support.endpoint_servers import Listener, OxigraphWritable, Virtuoso
from tests.support.endpoints import MINI, REPO

DBA = Credentials(user="dba", password="dba")


def remote(query_url: str, graph: str) -> KnowledgeGraph:
    return load_graph(REPO, backend=RemoteBackend(query_url, default_graph=graph))


def as_rdflib(kg: KnowledgeGraph) -> Graph:
    out = Graph()
    for triple in kg.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        out.add(triple)
    return out


@pytest.fixture
def dba_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLLABKG_TOKEN", raising=False)
    monkeypatch.setenv("COLLABKG_USER", "dba")
    monkeypatch.setenv("COLLABKG_PASSWORD", "dba")


@pytest.fixture
def no_auth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COLLABKG_USER", "COLLABKG_PASSWORD", "COLLABKG_TOKEN"):
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------- dry run


def test_dry_run_says_what_it_would_send_and_sends_nothing(
    cli, listener: Listener, dba_env: None
) -> None:
    mini = load_graph(MINI)
    code, out, err = cli(
        "--root", str(MINI), "publish", "--endpoint", f"{listener.url}/store", "--dry-run"
    )
    assert code == 0, err
    assert f"{mini.triple_count():,} triples" in out
    assert f"<{DEFAULT_GRAPH}>" in out
    assert f"{listener.url}/store" in out
    assert "user 'dba'" in out and "dba'" in out and "password" not in out.lower().replace(
        "collabkg_password", ""
    )
    assert "Nothing was sent" in out
    assert listener.requests == []


def test_invalid_data_is_not_published(cli, mini_copy: Path, listener: Listener) -> None:
    case = mini_copy / "data" / "cases" / "riverside.ttl"
    # parses, but uses a property the ontology does not define: the validator refuses it
    case.write_text(
        case.read_text() + "\nckd:riverside-council ck:hasMembr ckd:riverside-food-bank .\n"
    )
    code, _out, err = cli("--root", str(mini_copy), "publish", "--endpoint", listener.url)
    assert code == 1
    assert "riverside.ttl" in err and "collabkg validate" in err
    assert listener.requests == []


def test_credentials_never_go_in_the_url() -> None:
    with pytest.raises(UsageError):
        check_endpoint("http://dba:dba@localhost:8890/sparql-graph-crud-auth")
    with pytest.raises(UsageError):
        check_endpoint("localhost:8890")


def test_a_token_is_sent_as_a_bearer_header(listener: Listener) -> None:
    graph = load_graph(MINI)
    for token, header in (("abc123", "Bearer abc123"), ("GDB eyJx", "GDB eyJx")):
        upload = prepare(graph, f"{listener.url}/store", credentials=Credentials(token=token))
        assert send(upload) == 201
        assert listener.requests[-1].method == "PUT"
        assert listener.requests[-1].headers["Authorization"] == header
        assert "graph=" in listener.requests[-1].path


def test_progress_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(stream)
    progress(512 * 1024, 2 * 1024 * 1024)
    progress(2 * 1024 * 1024, 2 * 1024 * 1024)
    progress.finish()
    text = stream.getvalue()
    assert "Uploading:  25% (512.0 KB of 2.0 MB)" in text
    assert "100% (2.0 MB of 2.0 MB)" in text and text.endswith("\n")


# --------------------------------------------------------------------------- Oxigraph


def test_cli_publish_round_trip_to_oxigraph(
    cli, oxigraph_rw: OxigraphWritable, no_auth_env: None
) -> None:
    graph_iri = "https://example.org/graphs/mini"
    code, out, err = cli(
        "--root", str(MINI), "publish", "--endpoint", oxigraph_rw.store_url, "--graph", graph_iri
    )
    assert code == 0, err
    assert "Published" in out and graph_iri in out
    assert isomorphic(as_rdflib(remote(oxigraph_rw.query_url, graph_iri)),
                      load_graph(MINI).to_rdflib())


def test_publish_replaces_the_graph_and_every_canned_query_answers_the_same(
    oxigraph_rw: OxigraphWritable, project_graph: KnowledgeGraph, no_auth_env: None
) -> None:
    graph_iri = "https://example.org/graphs/project"
    send(prepare(load_graph(MINI), oxigraph_rw.store_url, graph_iri))
    send(prepare(project_graph, oxigraph_rw.store_url, graph_iri))  # replaces, not adds
    published = remote(oxigraph_rw.query_url, graph_iri)
    assert published.triple_count() == project_graph.triple_count()
    catalogue = Catalogue.load(REPO)
    for query in catalogue.all():
        bindings = query.bind(raw_params(project_graph, query, catalogue))
        expected = answer(project_graph, query, bindings)
        assert answer(published, query, bindings) == expected, query.id


def test_a_failed_upload_leaves_the_previous_graph_in_place_on_oxigraph(
    oxigraph_rw: OxigraphWritable, no_auth_env: None
) -> None:
    graph_iri = "https://example.org/graphs/kept"
    good = prepare(load_graph(MINI), oxigraph_rw.store_url, graph_iri)
    send(good)
    before = remote(oxigraph_rw.query_url, graph_iri).triple_count()
    broken = dataclasses.replace(good, body=good.body + b"<urn:a> <urn:b> 'unterminated .\n")
    with pytest.raises(EndpointError) as caught:
        send(broken)
    assert "previous graph is unchanged" in caught.value.message
    assert remote(oxigraph_rw.query_url, graph_iri).triple_count() == before > 0


# --------------------------------------------------------------------------- Virtuoso


def test_cli_publish_round_trip_to_virtuoso_with_digest_auth(
    cli, virtuoso: Virtuoso, dba_env: None
) -> None:
    graph_iri = "https://example.org/graphs/mini-on-virtuoso"
    code, _out, err = cli(
        "--root", str(MINI), "publish", "--endpoint", virtuoso.gsp_url, "--graph", graph_iri
    )
    assert code == 0, err
    assert isomorphic(as_rdflib(remote(virtuoso.sparql_url, graph_iri)),
                      load_graph(MINI).to_rdflib())


def test_the_whole_project_round_trips_through_virtuoso_unchanged(
    virtuoso: Virtuoso, project_graph: KnowledgeGraph
) -> None:
    """Non-ASCII text (quotes, dashes), dates and numbers survive the Turtle upload."""
    graph_iri = "https://example.org/graphs/project-on-virtuoso"
    status = send(prepare(project_graph, virtuoso.gsp_url, graph_iri, credentials=DBA))
    assert status in (200, 201, 204)
    assert isomorphic(as_rdflib(remote(virtuoso.sparql_url, graph_iri)), project_graph.to_rdflib())


def test_a_failed_upload_leaves_the_previous_graph_in_place_on_virtuoso(
    virtuoso: Virtuoso,
) -> None:
    graph_iri = "https://example.org/graphs/kept-on-virtuoso"
    good = prepare(load_graph(MINI), virtuoso.gsp_url, graph_iri, credentials=DBA)
    send(good)
    before = remote(virtuoso.sparql_url, graph_iri).triple_count()
    broken = dataclasses.replace(good, body=good.body + b"<urn:a> <urn:b> 'unterminated .\n")
    with pytest.raises(EndpointError):
        send(broken)
    assert remote(virtuoso.sparql_url, graph_iri).triple_count() == before > 0


def test_wrong_credentials_are_refused_before_the_upload(virtuoso: Virtuoso) -> None:
    graph_iri = "https://example.org/graphs/kept-on-virtuoso-2"
    good = prepare(load_graph(MINI), virtuoso.gsp_url, graph_iri, credentials=DBA)
    send(good)
    wrong = dataclasses.replace(good, credentials=Credentials(user="dba", password="nope"))
    with pytest.raises(EndpointError) as caught:
        send(wrong)
    assert "refused the credentials (HTTP 401)" in caught.value.message
    assert "COLLABKG_USER" in caught.value.one_line()
    anonymous = dataclasses.replace(good, credentials=Credentials())
    with pytest.raises(EndpointError):
        send(anonymous)
    assert remote(virtuoso.sparql_url, graph_iri).triple_count() > 0
