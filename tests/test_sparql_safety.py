"""User SPARQL is read-only, bounded, and its syntax errors say where."""

from __future__ import annotations

import pytest
import rdflib

from collabkg.errors import QueryError, ReadOnlyViolation
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.sparql_safety import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT_S, Limits, check_read_only


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <urn:g>",
        "CREATE GRAPH <urn:g>",
        "ADD <urn:a> TO <urn:b>",
        "MOVE <urn:a> TO <urn:b>",
        "COPY <urn:a> TO <urn:b>",
        "PREFIX ck: <urn:x#> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(update: str):
    with pytest.raises(ReadOnlyViolation) as info:
        check_read_only(update)
    assert "read-only" in info.value.message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE SILENT <http://x/> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { service <http://x/> { ?s ?p ?o } } } }",
        "ASK { SERVICE <http://x/> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_wherever_it_hides(query: str):
    with pytest.raises(ReadOnlyViolation) as info:
        check_read_only(query)
    assert "SERVICE" in info.value.message


def test_the_word_service_inside_a_string_is_fine():
    query = 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, "SERVICE <http://x/>")) }'
    assert check_read_only(query) == "SELECT"


def test_query_forms_are_recognised():
    assert check_read_only("ASK { ?s ?p ?o }") == "ASK"
    assert check_read_only("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert check_read_only("DESCRIBE <urn:x>") == "DESCRIBE"


def test_syntax_errors_carry_line_and_column():
    with pytest.raises(QueryError) as info:
        check_read_only("SELECT ?s\nWHERE { ?s ?p }")
    assert not isinstance(info.value, ReadOnlyViolation)
    assert info.value.line == 2
    assert info.value.column is not None
    assert info.value.hint


def test_engine_syntax_errors_also_carry_line_and_column(mini_graph: KnowledgeGraph):
    with pytest.raises(QueryError) as info:
        mini_graph.select("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }")
    assert info.value.line == 3


def test_user_queries_get_a_default_row_limit_and_timeout(mini_graph: KnowledgeGraph):
    assert DEFAULT_ROW_LIMIT == 1000
    assert DEFAULT_TIMEOUT_S == 10
    result = mini_graph.user_query("SELECT * WHERE { ?s ?p ?o }", limits=Limits(rows=5))
    assert isinstance(result, QueryResult)
    assert len(result) == 5
    assert result.truncated
    assert mini_graph.user_query("ASK { ?s a ck:Charity }") is True
    graph = mini_graph.user_query("CONSTRUCT { ?s a ck:Thing } WHERE { ?s a ck:Charity }")
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == 2


def test_user_query_timeout_stops_a_runaway_query(mini_graph: KnowledgeGraph):
    # a streaming cross product: millions of rows; the worker stops at the next row
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"
    with pytest.raises(QueryError) as info:
        mini_graph.user_query(runaway, limits=Limits(rows=None, timeout_s=0.2))
    assert "longer than 0.2 s" in info.value.message


def test_user_query_refuses_updates_before_anything_runs(mini_graph: KnowledgeGraph):
    with pytest.raises(ReadOnlyViolation):
        mini_graph.user_query("DELETE WHERE { ?s ?p ?o }")
    assert mini_graph.ask("ASK { ?s a ck:Charity }")


# --------------------------------------------------------------------------- sub-selects


X = rdflib.URIRef("urn:x")


def _values_in_subselects(query: str) -> str:
    from collabkg.sparql_safety import with_values_in_subselects

    return with_values_in_subselects(query, {"org": X})


def test_a_sub_select_that_projects_the_parameter_gets_its_value() -> None:
    query = (
        "SELECT ?org ?n WHERE { { SELECT ?org (COUNT(?l) AS ?n) WHERE { ?l <urn:p> ?org } "
        "GROUP BY ?org } } ORDER BY ?n"
    )
    planned = _values_in_subselects(query)
    assert "WHERE { VALUES (?org) { (<urn:x>) }  ?l <urn:p> ?org }" in planned
    assert planned.count("VALUES") == 1  # the query's own group is with_inline_values's


@pytest.mark.parametrize(
    "query",
    [
        # the sub-select has its own ?org: it does not project it
        "SELECT ?org ?n WHERE { ?org <urn:q> ?o { SELECT (COUNT(?org) AS ?n) WHERE "
        "{ ?l <urn:p> ?org } } } ORDER BY ?n",
        # projected as an expression: not the parameter
        "SELECT ?org WHERE { ?org <urn:q> ?o { SELECT (?y AS ?org) WHERE { ?l <urn:p> ?y } } }"
        " ORDER BY ?org",
        # nested in a sub-select that does not project it
        "SELECT ?org ?n WHERE { ?org <urn:q> ?o { SELECT ?n WHERE { { SELECT ?org ?n WHERE "
        "{ ?org <urn:p> ?n } } } } } ORDER BY ?n",
        # the word SELECT in a string or a comment is no sub-select
        'SELECT ?org WHERE { ?org <urn:q> "{ SELECT ?org WHERE {" # SELECT ?org {\n }'
        " ORDER BY ?org",
    ],
)
def test_a_sub_select_with_its_own_variable_of_that_name_is_left_alone(query: str) -> None:
    assert _values_in_subselects(query) == query


def test_a_chosen_organisation_binds_the_chains_grouping() -> None:
    """Regression: accountability-chain grouped the forums, mechanisms and objects of every
    accountability line in the graph for one organisation (0.3 s at 1M triples)."""
    from pathlib import Path

    from collabkg.backends.embedded import _with_values_first
    from collabkg.catalogue import Catalogue

    root = Path(__file__).resolve().parents[1]
    query = Catalogue.load(root).get("accountability-chain")
    planned = _with_values_first(query.text, {"organisation": X})
    assert planned is not None
    grouping = planned.index("GROUP BY ?organisation")
    sub_select = planned.rindex("SELECT ?organisation", 0, grouping)
    assert "VALUES (?organisation) { (<urn:x>) }" in planned[sub_select:grouping]


# -------------------------------------------------------------- FROM names the default graph

MINI_CASE_GRAPH = "https://w3id.org/collabkg/graph/data/cases/riverside.ttl"
COUNT_FROM = "SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"


def _count(graph: KnowledgeGraph, query: str) -> int:
    result = graph.user_query(query)
    assert isinstance(result, QueryResult)
    return int(result.rows[0]["n"])


def test_a_from_clause_names_the_default_graph_instead_of_being_ignored(
    mini_graph: KnowledgeGraph,
) -> None:
    everything = _count(mini_graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    in_file = _count(
        mini_graph,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{MINI_CASE_GRAPH}> {{ ?s ?p ?o }} }}",
    )
    assert 0 < in_file < everything
    assert _count(mini_graph, COUNT_FROM.format(graph=MINI_CASE_GRAPH)) == in_file
    assert _count(mini_graph, COUNT_FROM.format(graph="http://example.org/nothing")) == 0
    # FROM NAMED alone leaves the default graph the union
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{MINI_CASE_GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert _count(mini_graph, named) == everything


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("SELECT * FROM <http://g> WHERE { ?s ?p ?o }", True),
        ("select * from<http://g>{ ?s ?p ?o }", True),
        ("PREFIX g: <http://g/> SELECT * FROM g:x WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://g> FROM <http://h> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM # a comment\n <http://g> WHERE { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://g> WHERE { ?s ?p ?o }", False),
        ("SELECT * from named <http://g> WHERE { ?s ?p ?o }", False),
        ('SELECT * WHERE { ?s ?p "FROM <http://g>" }', False),
        ("SELECT * WHERE { ?s ?p ?o } # FROM <http://g>", False),
        ("SELECT * WHERE { ?s <http://x/FROM> ?o }", False),
        ("SELECT ?from WHERE { ?from ?p ?o }", False),
    ],
)
def test_the_from_clause_is_read_by_the_checks_tokens(query: str, names: bool) -> None:
    from collabkg.sparql_text import canonical_query

    assert canonical_query(query).names_default_graph is names


def test_a_long_property_path_timed_out_with_a_hint_about_selectivity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine takes seconds to read a path of hundreds of steps (time grows with the
    cube of its length); stopped, it was told to "add a LIMIT", which cannot help: what
    takes the time is the text, and the hint says how to split it."""
    import collabkg.sparql_safety as safety

    monkeypatch.setattr(safety, "_SYNTAX_PROBE_S", 0.05)
    safety._probed.cache_clear()
    path = "/".join(["<http://www.w3.org/ns/org#memberOf>"] * 300)
    with pytest.raises(QueryError) as caught:
        check_read_only(f"SELECT ?a ?b WHERE {{ ?a {path} ?b }}")
    said = f"{caught.value.message} {caught.value.hint}"
    assert "reading the query" in said and "before it ran" in said
    assert "LIMIT" not in said and "split a long path" in said


def _typed_at(text: str, line: int, column: int) -> str:
    """What the person typed from (line, column) on."""
    return text.split("\n")[line - 1][column - 1 :]


@pytest.mark.parametrize(
    "query, there",
    [
        ("SELECT * WHERE { ?s ck:hasMember ?o } LIMIT x", "x"),
        ("SELECT * WHERE {\n  ?s ck:hasMember ?o ; rdfs:label \"x\" } LIMIT many", "many"),
        ("PREFIX ex: <http://example.org/a/long/address/>\nSELECT * WHERE {\n"
         "  ?s ex:p ex:o , ex:r } OFFSET ex:r", "ex:r"),
    ],
)
def test_syntax_error_positions_pointed_into_the_rewritten_query(query: str, there: str):
    """The engine reads prefixed names written out in full: its line and column were
    given as they were in that text (column 79 of a 44-character line)."""
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    error = info.value
    assert error.line is not None and error.column is not None
    assert _typed_at(query, error.line, error.column).startswith(there)
    assert error.source_line == query.split("\n")[error.line - 1]
    assert "expected" not in error.one_line()


def test_syntax_error_at_the_end_is_placed_within_the_text_typed():
    query = "SELECT * WHERE {\n?s ck:hasMember ?o "
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    error = info.value
    assert error.line == 2
    assert error.column == len(query.split("\n")[1].rstrip()) + 1
    assert "expected" not in error.one_line()
    assert "end of the query" in (error.hint or "")


@pytest.mark.parametrize(
    "query, there",
    [
        ("SELECT * WHERE { ?s ck:hasMember ?o ?extra }", "?extra"),
        ("SELECT * WHERE {\n?s ck:hasMember ?o ?extra }", "?extra"),
        ("SELECT * WHERE { ?s ck:hasMember \"x\"^^ ?o }", "^^"),
    ],
)
def test_syntax_error_the_engine_placed_at_the_end_of_a_complete_query(query: str, there: str):
    """The engine backtracks and gives up at the end of the text (column 79 of a
    44-character query, once mapped back: its end): the place where reading stops is
    pointed at instead."""
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    error = info.value
    assert error.line is not None and error.column is not None
    assert _typed_at(query, error.line, error.column).startswith(there)
    assert "expected" not in error.one_line()


@pytest.mark.parametrize("query", ["ASK {} ;", "ASK { ?s ?p ?o } ; ASK {}",
                                   "SELECT * WHERE { ?s ?p ?o } SELECT * WHERE { ?s ?p ?o }"])
def test_a_second_query_was_told_expected_one_of_describe_from(query: str):
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    error = info.value
    assert "only one query" in error.message
    assert "remove" in (error.hint or "")
    assert "expected" not in error.one_line()
    assert error.column is not None
    assert _typed_at(query, 1, error.column)[0] in ";S"


@pytest.mark.parametrize(
    "query, iri",
    [
        ("SELECT * WHERE { BIND(<rel> AS ?x) }", "<rel>"),
        ("SELECT * WHERE { ?x <label> ?y }", "<label>"),
        ("SELECT * WHERE {\n  ?x rdfs:label ?l .\n  ?x <label> ?y }", "<label>"),
    ],
)
def test_a_relative_iri_was_told_expected_encode_for_uri(query: str, iri: str):
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    error = info.value
    assert iri in error.message and "full address" in error.message
    assert "rdfs:label" in (error.hint or "") and "https://" in (error.hint or "")
    assert error.line is not None and error.column is not None
    assert _typed_at(query, error.line, error.column).startswith(iri)
    assert "ENCODE_FOR_URI" not in error.one_line() and "expected" not in error.one_line()


def test_a_relative_iri_after_base_is_not_blamed():
    assert check_read_only("BASE <http://example.org/> SELECT * WHERE { ?x <label> ?y }") == (
        "SELECT"
    )


def test_explorers_engine_errors_pointed_into_the_rewritten_query(mini_graph: KnowledgeGraph):
    """The explorer's SPARQL page shows graph.user_query's error with a caret under the
    place in the text typed."""
    query = "SELECT * WHERE {\n  ?s ck:hasMember ?o ; rdfs:label \"x\" } LIMIT many"
    with pytest.raises(QueryError) as info:
        mini_graph.user_query(query)
    error = info.value
    assert error.line == 2 and error.column is not None
    assert _typed_at(query, 2, error.column).startswith("many")
    with pytest.raises(QueryError) as info:
        mini_graph.user_query("SELECT * WHERE { ?x <label> ?y }")
    assert "<label> is not a full address" in info.value.message


def test_the_second_reading_of_a_bad_query_is_stopped_in_time(monkeypatch):
    """rdflib's parser takes seconds over some texts (a few hundred ``1 + 1 + ...``): it
    reads in a child process, stopped after a while, and the place is then the end."""
    import time

    from collabkg import sparql_safety

    query = "SELECT * WHERE { FILTER(" + "1 + " * 900 + " ) }"
    monkeypatch.setattr(sparql_safety, "_SECOND_READING_S", 0.3)
    started = time.monotonic()
    with pytest.raises(QueryError) as info:
        check_read_only(query)
    assert time.monotonic() - started < 8
    assert info.value.line == 1 and info.value.column is not None
    assert "expected" not in info.value.one_line()
