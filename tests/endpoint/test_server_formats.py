"""collabkg.server_formats without a server: the format chosen for each request, and an
answer cut at the row limit written exactly as the engine writes the same rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from collabkg.server_formats import negotiate, serialize_limited
from collabkg.server_http import RefusedRequest

TERMS = (
    'SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 UNDEF) (UNDEF "a,b\\"c\\td\\ne") '
    '(<http://a> 2.5) ("é"@fr-be true) (<http://b> "x"^^<http://example.org/t>) } }'
)
QUERIES = [
    TERMS,
    "SELECT * WHERE {}",
    "SELECT ?x WHERE { FILTER(false) }",
    'SELECT (STRLANGDIR("a", "en", "rtl") AS ?x) ("b"@en--ltr AS ?y) WHERE {}',
    "SELECT (<<( <http://a> <http://b> <http://c> )>> AS ?t) WHERE {}",
    "SELECT ?s ?o WHERE { ?s ?p ?o }",  # a blank node kept in the store
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("format_name", ["JSON", "XML", "CSV", "TSV"])
def test_an_answer_under_the_limit_is_what_the_engine_writes(query: str,
                                                             format_name: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode("http://p"), ox.Literal("o")))
    native = store.query(query).serialize(format=getattr(ox.QueryResultsFormat, format_name))
    written, cut = serialize_limited(store.query(query), format_name, 1000)
    assert not cut
    assert written == native


@pytest.mark.parametrize("format_name", ["JSON", "XML", "CSV", "TSV"])
def test_an_answer_over_the_limit_is_its_first_rows(format_name: str) -> None:
    store = ox.Store()
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 } }"
    written, cut = serialize_limited(store.query(query), format_name, 2)
    first_two = store.query(query + " LIMIT 2")
    assert cut
    assert written == first_two.serialize(format=getattr(ox.QueryResultsFormat, format_name))
    _whole, cut = serialize_limited(store.query(query), format_name, 5)
    assert not cut


def test_a_graph_is_cut_at_the_triple_limit() -> None:
    store = ox.Store()
    query = ("CONSTRUCT { ?s <http://p> ?n } "
             "WHERE { VALUES ?n { 1 2 3 4 5 } BIND(<http://s> AS ?s) }")
    written, cut = serialize_limited(store.query(query), "N_TRIPLES", 3)
    assert cut and written.count(b"\n") == 3
    written, cut = serialize_limited(store.query(query), "TURTLE", 5)
    assert not cut


@pytest.mark.parametrize(("form", "accept", "formats", "expected"), [
    ("CONSTRUCT", "*/*", ["json", "application/x"], "application/ld+json"),
    ("CONSTRUCT", "application/rdf+xml", ["rdf+xml", "application/rdf+xml"],
     "application/rdf+xml"),
    ("CONSTRUCT", "*/*", ["tsv", ""], "text/turtle"),  # SPARQLWrapper's TSV for a graph
    ("DESCRIBE", "text/rdf+n3", ["n3"], "text/turtle"),
    ("SELECT", "*/*", ["json-ld", ""], "application/sparql-results+json"),
    ("SELECT", "*/*", ["xml"], "application/sparql-results+xml"),
    ("ASK", None, ["TSV"], "text/tab-separated-values"),
    ("SELECT", "text/*", [], "text/csv"),
    ("CONSTRUCT", "text/*", [], "text/turtle"),
    ("SELECT", "application/xml;q=0.5, text/csv;q=0.9", [], "text/csv"),
    ("SELECT", "text/xml", [], "text/xml"),
    ("CONSTRUCT", "application/json", [], "application/ld+json"),
    ("CONSTRUCT", "", [], "text/turtle"),
    ("CONSTRUCT", "image/png", ["no-such-word"], None),
    ("SELECT", "application/sparql-results+json;q=0", [], None),
])
def test_the_answer_format_chosen(form: str, accept: str | None, formats: list[str],
                                  expected: str | None) -> None:
    if expected is None:
        with pytest.raises(RefusedRequest) as refused:
            negotiate(form, accept, formats)
        assert refused.value.status == 406 and "format=" in refused.value.message
        return
    assert negotiate(form, accept, formats)[0] == expected
