"""The remote backend (SPARQLWrapper): same result shapes as the embedded store, bindings
as a VALUES block of validated terms (first in the WHERE group and trailing), clear
one-line errors, configuration."""

from __future__ import annotations

import socket
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef

from collabkg.backends.embedded import EmbeddedBackend
from collabkg.backends.remote import (
    RemoteBackend,
    term_from_json,
    values_clause,
    with_bindings,
    with_prefixes,
)
from collabkg.errors import EndpointError, ParameterError
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph, open_graph
from tests.support.endpoint_servers import Virtuoso
from tests.support.endpoints import DATA_GRAPH, MINI, REPO, Served

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


# --------------------------------------------------------------------------- shapes


def test_rows_are_the_same_rdflib_terms_as_the_embedded_stores(
    project_graph: KnowledgeGraph, served_graph: KnowledgeGraph
) -> None:
    expected = project_graph.select(ALL)
    got = served_graph.select(ALL)
    assert got.vars == expected.vars == ["s", "p", "o"]

    def exact(rows):  # blank nodes aside (labels are local to a store)
        return {
            tuple(row[v] for v in ("s", "p", "o"))
            for row in rows
            if not any(isinstance(row[v], BNode) for v in ("s", "p", "o"))
        }

    assert exact(got.rows) == exact(expected.rows)
    plain = [row["o"] for row in got.rows if isinstance(row["o"], Literal)]
    assert plain and all(lit.datatype != XSD_STRING for lit in plain)  # xsd:string normalised


def test_unbound_values_are_none_and_numbers_keep_their_datatype(
    served_graph: KnowledgeGraph,
) -> None:
    result = served_graph.select(
        "SELECT ?x ?n ?t WHERE { BIND(42 AS ?n) BIND('tea'@en AS ?t) }"
    )
    assert result.rows == [{"x": None, "n": Literal(42), "t": Literal("tea", lang="en")}]
    assert served_graph.ask("ASK { ?s ?p ?o }") is True
    assert served_graph.ask("ASK { <urn:nothing> ?p ?o }") is False


def test_construct_gives_triples(project_graph: KnowledgeGraph, served_graph: KnowledgeGraph):
    query = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c FILTER(isIRI(?s)) }"
    assert set(served_graph.construct(query)) == set(project_graph.construct(query))


def test_json_terms_are_normalised_like_the_embedded_backend() -> None:
    string = {"type": "literal", "value": "x", "datatype": str(XSD_STRING)}
    assert term_from_json(string) == Literal("x")
    assert term_from_json(string).datatype is None
    virtuoso_int = {"type": "typed-literal", "value": "5", "datatype": str(XSD_INTEGER)}
    assert term_from_json(virtuoso_int) == Literal(5)
    lang = {"type": "literal", "value": "x", "xml:lang": "en"}
    assert term_from_json(lang) == Literal("x", lang="en")
    assert term_from_json({"type": "uri", "value": "urn:x"}) == URIRef("urn:x")
    assert isinstance(term_from_json({"type": "bnode", "value": "b0"}), BNode)


def test_labels_and_statistics_work_remotely(
    project_graph: KnowledgeGraph, served_graph: KnowledgeGraph, virtuoso_graph: KnowledgeGraph
) -> None:
    iris = sorted(project_graph.select("SELECT DISTINCT ?c WHERE { ?s a ?c }").iris())
    assert served_graph.labels(iris) == project_graph.labels(iris)
    assert virtuoso_graph.labels(iris) == project_graph.labels(iris)
    assert served_graph.triple_count() == project_graph.triple_count()
    assert virtuoso_graph.triple_count() == project_graph.triple_count()
    assert served_graph.counts_per_class() == project_graph.counts_per_class()
    assert virtuoso_graph.counts_per_class() == project_graph.counts_per_class()
    # collabkg serve keeps the per-file graphs; a single published graph does not
    assert served_graph.triples_per_file() == project_graph.triples_per_file()
    assert virtuoso_graph.triples_per_file() == {}


# --------------------------------------------------------------------------- bindings


def test_parameters_are_a_trailing_values_clause_of_n3_terms() -> None:
    text = with_bindings(
        "SELECT ?org ?n WHERE { ?org ?p ?n }",
        {"org": URIRef("https://w3id.org/collabkg/id/x"), "n": Literal('a "b"\n} c')},
    )
    assert text.rstrip().endswith(
        'VALUES (?org ?n) { (<https://w3id.org/collabkg/id/x> """a "b"\n} c""") }'
    )


def test_bindings_on_the_served_endpoint_match_the_embedded_store(
    project_graph: KnowledgeGraph, served_graph: KnowledgeGraph
) -> None:
    query = "SELECT ?s ?label WHERE { ?s rdfs:label ?label }"
    council = URIRef("https://w3id.org/collabkg/id/wigan-council")
    assert served_graph.select(query, {"s": council}).rows == (
        project_graph.select(query, {"s": council}).rows
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"s": BNode()},
        {"s": URIRef("http://x/a b")},
        {"s": URIRef('http://x/a>"')},
        {"bad name": Literal("x")},
    ],
)
def test_unfit_terms_are_refused_before_anything_is_sent(bad: dict) -> None:
    with pytest.raises(ParameterError):
        with_bindings("SELECT ?s WHERE { ?s ?p ?o }", bad)


def test_a_query_with_its_own_trailing_values_cannot_take_parameters() -> None:
    with pytest.raises(ParameterError):
        with_bindings(
            "SELECT ?s WHERE { ?s ?p ?o } VALUES ?p { rdfs:label }", {"s": URIRef("urn:x")}
        )


def test_parameters_go_first_in_the_where_group_on_every_endpoint(
    served_graph: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: only Virtuoso got the leading VALUES block, so Oxigraph evaluated the
    whole query before it joined the parameter (evidence-for: 250 ms instead of 5 ms)."""
    sent: list[str] = []
    original = RemoteBackend._wrapper

    def recording(self, query, *args, **kwargs):
        sent.append(query)
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(RemoteBackend, "_wrapper", recording)
    council = URIRef("https://w3id.org/collabkg/id/wigan-council")
    rows = served_graph.select("SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"s": council})
    assert [str(row["label"]) for row in rows] == ["Wigan council"]
    where = sent[-1].index("WHERE {") + len("WHERE {")
    assert sent[-1][where:].lstrip().startswith("VALUES (?s) { (<" + str(council) + ">) }")


def test_the_trailing_values_check_parses_each_query_text_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: every parametrised remote query was parsed again by rdflib's SPARQL
    parser (100-300 ms for a canned query) to look for a trailing VALUES clause."""
    from rdflib.plugins.sparql import parser

    from collabkg.backends import remote

    calls: list[str] = []
    original = parser.parseQuery

    def counting(text):
        calls.append(text)
        return original(text)

    monkeypatch.setattr(parser, "parseQuery", counting)
    remote._has_trailing_values.cache_clear()
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    for value in ("urn:a", "urn:b", "urn:c"):
        assert with_bindings(query, {"s": URIRef(value)}).rstrip().endswith(f"(<{value}>) }}")
    assert calls == [query]


@settings(max_examples=300, deadline=None)
@given(text=st.text(), lang=st.sampled_from([None, "en", "en-GB"]))
def test_any_text_is_bound_as_exactly_that_literal(text: str, lang: str | None) -> None:
    """Injection: whatever the text, the VALUES clause binds exactly that one literal."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(ParameterError):
            values_clause({"v": Literal(text, lang=lang)})
        return
    term = Literal(text, lang=lang)
    query = with_bindings("SELECT ?v WHERE { }", {"v": term})
    rows = list(ox.Store().query(query))
    assert len(rows) == 1
    value = rows[0]["v"]
    assert isinstance(value, ox.Literal)
    assert value.value == text
    assert (value.language or None) == (lang.lower() if lang else None)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_round_trips_through_the_served_endpoint(
    served_graph: KnowledgeGraph, text: str
) -> None:
    result = served_graph.select("SELECT ?v WHERE { }", {"v": text})
    assert result.rows == [{"v": Literal(text)}]


def test_missing_collabkg_prefixes_are_declared() -> None:
    assert with_prefixes("SELECT * WHERE { ?s a ck:Organisation }").startswith(
        "PREFIX ck: <https://w3id.org/collabkg/ontology#>\n"
    )
    own = "PREFIX ck: <urn:mine#> SELECT * WHERE { ?s a ck:Organisation }"
    assert with_prefixes(own) == own


# --------------------------------------------------------------------------- errors


def test_an_unreachable_endpoint_fails_fast_with_its_message() -> None:
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    graph = load_graph(REPO, backend=RemoteBackend(url))
    started = time.monotonic()
    with pytest.raises(EndpointError) as caught:
        graph.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert time.monotonic() - started < 2.0
    message = caught.value.one_line()
    assert url in message and "unreachable" in message and "refused" in message.lower()
    assert "\n" not in message


def test_the_cli_reports_an_unreachable_endpoint_in_one_line(cli) -> None:
    url = f"http://127.0.0.1:{closed_port()}/query"
    code, out, err = cli("--endpoint", url, "query", "--sparql", "SELECT * WHERE { ?s ?p ?o }")
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("collabkg: error: the SPARQL endpoint") and url in lines[0]


def test_a_bad_endpoint_url_is_a_clear_error() -> None:
    with pytest.raises(EndpointError):
        RemoteBackend("localhost:7878/query")
    with pytest.raises(EndpointError) as caught:
        RemoteBackend("http://dba:secret@localhost:8890/sparql")
    assert "secret" not in caught.value.one_line()


def test_secrets_are_not_in_reprs() -> None:
    from collabkg.backends.remote import Credentials

    shown = repr(Credentials(user="dba", password="secret", token="tok"))
    assert "secret" not in shown and "tok" not in shown


def test_a_slow_endpoint_times_out(listener_that_hangs) -> None:
    graph = load_graph(REPO, backend=RemoteBackend(listener_that_hangs, timeout_s=1))
    started = time.monotonic()
    with pytest.raises(EndpointError) as caught:
        graph.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - started < 5
    assert "did not answer within 1 s" in caught.value.message


@pytest.fixture
def listener_that_hangs():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)  # accepts connections, never answers
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql"
    server.close()


def test_virtuosos_silent_row_cap_is_an_error(virtuoso: Virtuoso) -> None:
    graph = load_graph(
        REPO, backend=RemoteBackend(virtuoso.sparql_url, default_graph=DATA_GRAPH)
    )
    big = "SELECT ?a ?b WHERE { ?a a ?x . ?b a ?y }"
    with pytest.raises(EndpointError) as caught:
        graph.select(big)
    assert "100000 rows" in caught.value.message and "ResultSetMaxRows" in caught.value.one_line()
    assert len(graph.select(big, limit=50)) == 50  # a limit below the cap is fine



# --------------------------------------------------------------------------- configuration


def test_open_graph_picks_the_backend_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, served: Served
) -> None:
    monkeypatch.delenv("COLLABKG_ENDPOINT", raising=False)
    assert isinstance(open_graph(MINI).backend, EmbeddedBackend)
    monkeypatch.setenv("COLLABKG_ENDPOINT", served.url)
    remote = open_graph(MINI)
    assert isinstance(remote.backend, RemoteBackend)
    assert remote.endpoint == served.url
    assert remote.files == []


def test_default_graph_can_be_given_in_the_url_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, virtuoso: Virtuoso, project_graph: KnowledgeGraph
) -> None:
    expected = project_graph.triple_count()
    in_url = RemoteBackend(f"{virtuoso.sparql_url}?default-graph-uri={DATA_GRAPH}")
    assert KnowledgeGraph(in_url).triple_count() == expected
    monkeypatch.setenv("COLLABKG_ENDPOINT", virtuoso.sparql_url)
    monkeypatch.setenv("COLLABKG_GRAPH", DATA_GRAPH)
    assert open_graph(REPO).triple_count() == expected


def test_the_cli_queries_the_endpoint(cli, served: Served, project_graph: KnowledgeGraph) -> None:
    code, out, err = cli(
        "--endpoint", served.url, "query", "--format", "csv", "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    )
    assert code == 0, err
    assert out.splitlines() == ["n", str(project_graph.triple_count())]


def test_cli_stats_on_a_remote_endpoint(cli, virtuoso: Virtuoso, monkeypatch) -> None:
    monkeypatch.setenv("COLLABKG_GRAPH", DATA_GRAPH)
    code, out, err = cli("--endpoint", virtuoso.sparql_url, "stats")
    assert code == 0, err
    assert "not available on a remote endpoint" in out
    assert "Instances per class" in out
