"""Query parameters: typed conversion, validation, and safety against injection."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib import namespace as ns

from collabkg.bindings import (
    expand_curie,
    infer_type,
    normalise_bindings,
    parse_assignment,
    python_to_term,
    to_term,
    validate_iri,
)
from collabkg.errors import ParameterError
from collabkg.graph import KnowledgeGraph
from collabkg.terms import CKD

MOTTO_QUERY = "SELECT ?org ?motto WHERE { ?org ck:hasMotto ?motto }"
INJECTION = 'x" } UNION { ?s ?p ?o } #\n> } UNION { ?s ?p ?o'


def test_curies_expand_with_our_prefixes():
    assert to_term("ckd:wigan-council", "iri") == CKD["wigan-council"]
    assert expand_curie("ck:Organisation") == URIRef(
        "https://w3id.org/collabkg/ontology#Organisation"
    )
    assert expand_curie("nope:thing") is None
    assert to_term("<https://example.org/a>", "iri") == URIRef("https://example.org/a")


@pytest.mark.parametrize(
    "bad",
    [
        "https://example.org/a b",
        "https://example.org/a>",
        'https://example.org/"',
        "https://example.org/{x}",
        "https://example.org/a|b",
        "https://example.org/^",
        "https://example.org/`",
        "https://example.org/a\\b",
        "not an iri",
        "relative/path",
        "nope:thing with space",
    ],
)
def test_invalid_iris_are_refused(bad: str):
    with pytest.raises(ParameterError):
        to_term(bad, "iri")


def test_strings_integers_and_dates_are_typed():
    assert to_term('he said "hi"', "string") == Literal('he said "hi"')
    assert to_term("2010", "integer") == Literal(2010, datatype=ns.XSD.integer)
    assert to_term("-3", "integer").toPython() == -3
    date = to_term("2011-04-01", "date")
    assert date == Literal("2011-04-01", datatype=ns.XSD.date)
    assert date.toPython() == dt.date(2011, 4, 1)


@pytest.mark.parametrize(
    ("value", "type_"),
    [("twelve", "integer"), ("1.5", "integer"), ("2011-02-30", "date"), ("01/04/2011", "date")],
)
def test_values_of_the_wrong_type_are_refused_with_a_hint(value: str, type_: str):
    with pytest.raises(ParameterError) as info:
        to_term(value, type_)
    assert info.value.hint


def test_python_values_and_variable_names():
    assert python_to_term(3) == Literal(3, datatype=ns.XSD.integer)
    assert python_to_term(dt.date(2020, 1, 2)) == Literal("2020-01-02", datatype=ns.XSD.date)
    assert python_to_term(True) == Literal(True)
    assert normalise_bindings({"?a": "x", "$b": CKD.y}) == {"a": Literal("x"), "b": CKD.y}
    with pytest.raises(ParameterError):
        normalise_bindings({"bad name": "x"})
    with pytest.raises(ParameterError):
        validate_iri("")


def test_param_assignments_and_type_inference():
    assert parse_assignment("org=ckd:wigan") == ("org", None, "ckd:wigan")
    assert parse_assignment("year:integer=2010") == ("year", "integer", "2010")
    assert parse_assignment("q=a=b") == ("q", None, "a=b")
    with pytest.raises(ParameterError):
        parse_assignment("no-equals-sign")
    assert infer_type("ckd:wigan") == "iri"
    assert infer_type("https://example.org/x") == "iri"
    assert infer_type("2010") == "integer"
    assert infer_type("2010-01-01") == "date"
    assert infer_type("Wigan Council") == "string"


def test_injection_attempt_in_a_string_parameter_matches_only_that_literal(
    mini_graph: KnowledgeGraph,
):
    """A value with quotes, '>', '}', newlines and '} UNION { ?s ?p ?o' is just a value."""
    everything = mini_graph.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert len(everything) > 10  # had the UNION been injected, we would get these rows

    result = mini_graph.select(MOTTO_QUERY, {"motto": INJECTION})
    assert result.vars == ["org", "motto"]
    assert result.rows == []

    # the same kind of text stored as data is found exactly, and only it
    stored = 'Together "we" can } UNION { ?s ?p ?o'
    result = mini_graph.select(MOTTO_QUERY, {"motto": stored})
    assert result.rows == [{"org": CKD["riverside-council"], "motto": Literal(stored)}]


def test_injection_attempt_through_the_typed_path_is_also_inert(mini_graph: KnowledgeGraph):
    term = to_term(INJECTION, "string")
    assert mini_graph.select(MOTTO_QUERY, {"motto": term}).rows == []
    assert not mini_graph.ask("ASK { ?org ck:hasMotto ?motto }", {"motto": term})
    with pytest.raises(ParameterError):
        to_term("https://example.org/> } UNION { ?s ?p ?o", "iri")


@settings(max_examples=60, deadline=None)
@given(value=st.text(max_size=40))
def test_any_string_parameter_only_ever_matches_itself(mini_graph: KnowledgeGraph, value: str):
    result = mini_graph.select(MOTTO_QUERY, {"motto": value})
    assert all(row["motto"] == Literal(value) for row in result.rows)
    assert len(result) <= 1
