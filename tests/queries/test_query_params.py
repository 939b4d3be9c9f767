"""Parameters are bound as RDF terms, never pasted into the text: hostile values cannot
change a query's meaning, bad IRIs are refused with a ParameterError, and pre-binding gives
the same answer as a trailing VALUES clause."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from collabkg.catalogue import CannedQuery, Catalogue, choices, parse_query_file
from collabkg.errors import ParameterError
from collabkg.graph import KnowledgeGraph
from collabkg.sparql_safety import with_inline_values
from collabkg.terms import CKD
from tests.support.paths import REPO
from tests.support.queries import FIXTURE, rows_of

ONE_IRI_PARAMETER = [
    q.id
    for q in Catalogue.load(REPO).all()
    if len(q.params) == 1 and q.params[0].type == "iri" and q.params[0].choices_query
]
"""The canned queries that take one IRI, chosen from a list (from the catalogue)."""

TYPED = FIXTURE / "typed"
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
MAX_VALUES_TRIED = 12

HOSTILE_TEXT = [
    'Council A" } UNION { ?thing ?p ?label } #',
    "Council A' } UNION { ?thing ?p ?label } #",
    "Council A\n} UNION {\n?thing ?p ?label",
    "Council A>",
    "<https://w3id.org/collabkg/id/fx-council-a>",
    '"""Council A"""',
    "Council A\\",
    "} UNION {",
    "",
]

BAD_IRIS = [
    "ckd:fx-charity-b> } UNION { ?s ?p ?o",
    "https://w3id.org/collabkg/id/fx charity b",
    "<https://w3id.org/collabkg/id/fx-charity-b>\n} UNION {",
    'https://w3id.org/collabkg/id/fx-charity-b"',
    "https://w3id.org/collabkg/id/fx-charity-b>",
    "https://w3id.org/collabkg/id/{x}",
    "not an iri at all",
    "fx-charity-b",
    "ckd:fx charity b",
]


def _typed(name: str) -> CannedQuery:
    return parse_query_file(TYPED / f"{name}.rq")


def test_a_string_parameter_matches_only_its_exact_value(fixture_graph: KnowledgeGraph):
    query = _typed("by-label")
    result = fixture_graph.select(query.text, query.bind({"label": "Council A"}))
    assert [str(r["thing"]) for r in result] == [str(CKD["fx-council-a"])]


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_hostile_text_is_just_a_string(fixture_graph: KnowledgeGraph, value: str):
    query = _typed("by-label")
    bound = query.bind({"label": value})
    assert bound == {"label": Literal(value)}
    result = fixture_graph.select(query.text, bound)
    assert len(result) == 0  # no thing has that label: no extra rows, no error


@pytest.mark.parametrize("value", ["29", " 29 ", "+29"])
def test_an_integer_parameter(fixture_graph: KnowledgeGraph, value: str):
    query = _typed("by-count")
    bound = query.bind({"count": value})
    assert bound == {"count": Literal(29, datatype=XSD_INTEGER)}
    assert [str(r["study"]) for r in fixture_graph.select(query.text, bound)] == [
        str(CKD["fx-study"])
    ]


@pytest.mark.parametrize(
    "value", ["29 } UNION { ?s ?p ?o }", "29.5", "twenty-nine", "29\n", "0x1D", "29'", ""]
)
def test_a_bad_integer_is_refused(value: str):
    query = _typed("by-count")
    if value == "29\n":  # surrounding whitespace is forgiven, nothing else
        assert query.bind({"count": value}) == {"count": Literal(29, datatype=XSD_INTEGER)}
        return
    with pytest.raises(ParameterError, match="count"):
        query.bind({"count": value})


def test_a_date_parameter(fixture_graph: KnowledgeGraph):
    query = _typed("by-end-date")
    bound = query.bind({"day": "2999-12-31"})
    assert bound == {"day": Literal("2999-12-31", datatype=XSD_DATE)}
    assert [str(r["period"]) for r in fixture_graph.select(query.text, bound)] == [
        str(CKD["fx-period-future"])
    ]


@pytest.mark.parametrize(
    "value",
    ['2999-12-31" } UNION { ?s ?p ?o', "2999-13-01", "31/12/2999", "2999-12-31T00:00:00", ">"],
)
def test_a_bad_date_is_refused(value: str):
    with pytest.raises(ParameterError, match="day"):
        _typed("by-end-date").bind({"day": value})


@pytest.mark.parametrize(
    "value",
    [
        "ckd:fx-charity-b",
        "https://w3id.org/collabkg/id/fx-charity-b",
        "<https://w3id.org/collabkg/id/fx-charity-b>",
        "  ckd:fx-charity-b  ",
    ],
)
def test_iri_parameters_accept_curies_and_full_iris(catalogue: Catalogue, value: str):
    bound = catalogue.get("accountability-chain").bind({"organisation": value})
    assert bound == {"organisation": CKD["fx-charity-b"]}


@pytest.mark.parametrize("value", BAD_IRIS)
def test_bad_iris_are_refused_with_a_clear_error(
    catalogue: Catalogue, fixture_graph: KnowledgeGraph, value: str
):
    query = catalogue.get("accountability-chain")
    with pytest.raises(ParameterError) as info:
        query.bind({"organisation": value})
    assert "organisation" in info.value.message
    # with a graph a label is also tried; a hostile value matches no label either
    with pytest.raises(ParameterError) as info:
        query.bind({"organisation": value}, graph=fixture_graph, catalogue=catalogue)
    assert "organisation" in info.value.message
    assert info.value.hint


def test_an_iri_parameter_also_accepts_a_label(catalogue: Catalogue, fixture_graph):
    query = catalogue.get("accountability-chain")

    def bind(value: str) -> URIRef:
        return query.bind({"organisation": value}, graph=fixture_graph, catalogue=catalogue)[
            "organisation"
        ]

    assert bind("Charity B") == CKD["fx-charity-b"]
    assert bind("  charity   b ") == CKD["fx-charity-b"]  # case and spaces do not matter
    assert bind("Regulator") == CKD["fx-regulator-g"]  # an unambiguous part of a label
    profile = catalogue.get("collaboration-profile")
    assert profile.bind(
        {"collaboration": "Market Alliance"}, graph=fixture_graph, catalogue=catalogue
    ) == {"collaboration": CKD["fx-collab-market"]}
    with pytest.raises(ParameterError, match="matches 2") as info:
        bind("Co")  # Commissioner F, Council Collaboration... (accountable parties only)
    assert "ckd:fx-" in (info.value.hint or "")


def test_a_missing_or_unknown_parameter_is_an_error(catalogue: Catalogue):
    with pytest.raises(ParameterError, match="needs a value for 'label'"):
        _typed("by-label").bind({})
    query = catalogue.get("collaboration-profile")
    with pytest.raises(ParameterError, match="no parameter 'colab'"):
        query.bind({"colab": "ckd:x"})
    assert query.bind({}) == {"collaboration": CKD["wigan-collaborative-council"]}  # default


def _values_clause(name: str, iri: URIRef) -> str:
    return f"\nVALUES ?{name} {{ <{iri}> }}\n"


@pytest.mark.parametrize("query_id", ONE_IRI_PARAMETER)
@pytest.mark.parametrize("graph_name", ["fixture_graph", "real_graph"])
def test_pre_binding_and_a_trailing_values_clause_agree(
    request: pytest.FixtureRequest, catalogue: Catalogue, query_id: str, graph_name: str
):
    graph: KnowledgeGraph = request.getfixturevalue(graph_name)
    query = catalogue.get(query_id)
    [spec] = query.params
    unbound = rows_of(graph.select(query.text))
    tried = 0
    options = choices(graph, spec, catalogue)
    step = max(1, len(options) // MAX_VALUES_TRIED)  # the trailing-VALUES form is slow
    for iri, _label in options[::step]:
        pre_bound = rows_of(graph.select(query.text, {spec.name: iri}))
        with_values = rows_of(graph.select(query.text + _values_clause(spec.name, iri)))
        assert pre_bound == with_values, f"{query_id} with {iri}"
        # and both are exactly the unbound answer's rows for that value
        from collabkg.terms import compact

        assert pre_bound == [r for r in unbound if r[spec.name] == compact(str(iri))]
        tried += 1
    assert tried > 0


@pytest.mark.parametrize("query_id", ONE_IRI_PARAMETER)
def test_an_unknown_iri_gives_no_rows(
    catalogue: Catalogue, fixture_graph: KnowledgeGraph, query_id
):
    query = catalogue.get(query_id)
    [spec] = query.params
    for value in ("ckd:no-such-thing", "nope:fx-charity-b", "ckd:"):
        bound = query.bind({spec.name: value})  # well-formed IRIs of nothing in the graph
        assert len(fixture_graph.select(query.text, bound)) == 0


@pytest.mark.parametrize("query_id", ONE_IRI_PARAMETER)
def test_inline_values_binding_agrees_with_pre_binding(
    catalogue: Catalogue, fixture_graph: KnowledgeGraph, query_id: str
):
    """The Virtuoso-safe form (VALUES inside the WHERE group) gives the same rows."""
    query = catalogue.get(query_id)
    [spec] = query.params
    for iri, _label in choices(fixture_graph, spec, catalogue):
        inline = with_inline_values(query.text, {spec.name: iri})
        assert rows_of(fixture_graph.select(inline)) == rows_of(
            fixture_graph.select(query.text, {spec.name: iri})
        )


@pytest.mark.parametrize("value", [*HOSTILE_TEXT, 'ends with a quote"', "tab\there", "x\\"])
def test_inline_values_keep_hostile_text_a_literal(fixture_graph: KnowledgeGraph, value: str):
    query = _typed("by-label")
    inline = with_inline_values(query.text, {"label": Literal(value)})
    assert len(fixture_graph.select(inline)) == 0
    named = with_inline_values(query.text, {"label": Literal("Council A")})
    assert [str(r["thing"]) for r in fixture_graph.select(named)] == [str(CKD["fx-council-a"])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }"),
        (
            'SELECT ?x { ?x ?p "{" } # }',
            'SELECT ?x { VALUES (?x) { (<urn:x>) }  ?x ?p "{" } # }',
        ),
        (
            "SELECT (EXISTS { ?x ?p ?o } AS ?e) ?x WHERE { ?x ?p ?o }",
            "SELECT (EXISTS { ?x ?p ?o } AS ?e) ?x WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }",
        ),
        (
            "CONSTRUCT { ?x a <urn:T> } WHERE { ?x ?p ?o }",
            "CONSTRUCT { ?x a <urn:T> } WHERE { VALUES (?x) { (<urn:x>) }  ?x ?p ?o }",
        ),
        (
            "SELECT * WHERE { SELECT ?x WHERE { ?x ?p ?o } }",
            "SELECT * WHERE { VALUES (?x) { (<urn:x>) } { SELECT ?x WHERE { ?x ?p ?o } }}",
        ),
        (
            "ASK { ?x ?p ?o FILTER(?o < 3) }",
            "ASK { VALUES (?x) { (<urn:x>) }  ?x ?p ?o FILTER(?o < 3) }",
        ),
    ],
)
def test_inline_values_go_inside_the_where_group(query: str, expected: str):
    bound = with_inline_values(query, {"x": URIRef("urn:x")})
    assert bound == expected
    from rdflib.plugins.sparql.parser import parseQuery

    parseQuery(bound)


def test_the_catalogue_has_queries_with_one_iri_parameter() -> None:
    """The parameter lists above come from the catalogue: they must not be empty."""
    assert ONE_IRI_PARAMETER
