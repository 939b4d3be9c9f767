"""The canned-query catalogue: every file parses, every header follows the schema, every
query is portable SPARQL 1.1 (no unbounded paths, no engine-specific functions)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.paths import MulPath
from rdflib.paths import Path as RdfPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef

from collabkg.catalogue import (
    AUDIENCES,
    VIEWS,
    CannedQuery,
    Catalogue,
    metadata_problems,
    parse_query_file,
)
from collabkg.graph import KnowledgeGraph
from tests.support.queries import REPO

QUERY_FILES = sorted((REPO / "queries").glob("*.rq")) + sorted(
    (REPO / "queries" / "choices").glob("*.rq")
)

REQUIRED_IDS = {
    "accountable-for-transferred-assets",
    "accountability-gaps",
    "co-creation-by-structure-type",
    "co-creation-claims-vs-practice",
    "collaborations-by-structure-type",
    "collaboration-profile",
    "cross-sector-collaborations",
    "funding-by-mechanism",
    "funding-at-risk",
    "reporting-burden",
    "accountability-chain",
    "rationales",
    "barriers",
    "engagement-levels",
    "organisations-in-many-collaborations",
    "evidence-for",
    "policy-context",
    "contradictory-relations",
    # issue 17: what the sources say (tactics, advice, questions, designs, rankings)
    "tactics-by-hype-cycle-stage",
    "recommendations",
    "open-questions",
    "study-designs",
    "source-disagreements",
    "rationales-ranked",
    "comparative-statements",
    "claims-by-topic",
    "inferences",
    "sources",
    "claims-by-policy",
}

# SPARQL 1.1 built-in function names as rdflib's algebra spells them (Builtin_<NAME>)
ENGINE_SPECIFIC = re.compile(r"\b(bif|sql|virtrdf|ofn|jena|arq|afn|fn|spif|apf):", re.I)


def _walk(node: object):
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue | dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, RdfPath) and hasattr(item, "args"):
            stack.extend(item.args)
        elif isinstance(item, MulPath):
            stack.append(item.path)


def _algebra(query: CannedQuery):
    return translateQuery(parseQuery(query.text)).algebra


def test_the_catalogue_holds_every_required_question(catalogue: Catalogue):
    assert set(catalogue.ids) >= REQUIRED_IDS


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_query_file_parses_in_both_engines(path: Path):
    text = path.read_text(encoding="utf-8")
    parseQuery(text)  # rdflib's parser (used by the read-only guard)
    result = ox.Store().query(text)  # Oxigraph's parser, on an empty store
    assert isinstance(result, ox.QuerySolutions)


def test_the_metadata_of_every_query_follows_the_schema(catalogue: Catalogue):
    assert catalogue.problems() == {}
    for query in catalogue.all():
        assert query.summary.strip()
        assert query.description.strip()
        assert set(query.audience) <= set(AUDIENCES) and query.audience
        assert query.tags
        assert query.default_view in VIEWS
        for spec in query.params:
            assert spec.type in ("iri", "string", "integer", "date")
            assert spec.label
            assert spec.choices, f"{query.id}: parameter {spec.name} has no way to list choices"


def test_helper_queries_stay_out_of_the_user_catalogue(catalogue: Catalogue):
    assert all(not q.internal for q in catalogue)
    helpers = {q.id for q in catalogue.internal}
    assert {"choices/collaborations", "choices/accountable-parties", "choices/entities"} <= helpers
    assert all("internal" in catalogue.get(h).tags for h in helpers)
    assert "internal" not in catalogue.by_tag()
    for query in catalogue:
        for spec in query.params:
            if spec.choices_query:
                assert spec.choices_query in helpers


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_queries_are_portable_sparql(path: Path):
    query = parse_query_file(path)
    text = "\n".join(line for line in query.text.splitlines() if not line.startswith("#"))
    assert not ENGINE_SPECIFIC.search(text), "engine-specific function prefix"
    assert "ORDER BY" in " ".join(text.split()), "every query needs ORDER BY"
    for node in _walk(_algebra(query)):
        if isinstance(node, MulPath):
            assert node.mod not in ("*", "+"), f"unbounded property path {node.n3()}"
        if isinstance(node, CompValue) and node.name == "Function":
            assert not isinstance(node.iri, URIRef), f"non-standard function {node.iri}"


def test_parameters_are_projected_and_bound_in_the_main_pattern(catalogue: Catalogue):
    with_params = [q for q in catalogue if q.params]
    assert {q.id for q in with_params} == {
        "accountability-chain",
        "claims-by-policy",
        "claims-by-topic",
        "collaboration-profile",
        "evidence-for",
    }
    for query in with_params:
        assert metadata_problems(query) == []


def _write(tmp_path: Path, header: str, body: str = "") -> CannedQuery:
    path = tmp_path / "q.rq"
    path.write_text(header + (body or "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n"))
    return parse_query_file(path)


GOOD = (
    "#+ summary: Q?\n#+ description: D.\n#+ audience: [policy]\n#+ tags: [t]\n"
    "#+ params: []\n#+ defaultView: table\n#+ chart: none\n#+ answer: [s]\n"
)


def test_the_schema_check_accepts_a_good_header(tmp_path: Path):
    assert metadata_problems(_write(tmp_path, GOOD)) == []


def test_a_parameter_bound_by_a_sub_select_that_projects_it_is_accepted(tmp_path: Path):
    """accountability-chain binds its parameter in a sub-select (so that the value binds
    the grouping there too): every solution still has it bound."""
    header = GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}")
    body = (
        "SELECT ?s ?x ?n WHERE { { SELECT ?s ?x (COUNT(?o) AS ?n) WHERE {"
        " { ?s ?p ?x } UNION { ?s ?q ?x . ?s ?p ?o } } GROUP BY ?s ?x } } ORDER BY ?s\n"
    )
    assert metadata_problems(_write(tmp_path, header, body)) == []


@pytest.mark.parametrize(
    ("header", "body", "problem"),
    [
        (GOOD.replace("#+ summary: Q?\n", ""), "", "no 'summary'"),
        (GOOD.replace("#+ description: D.\n", ""), "", "no 'description'"),
        (GOOD.replace("[policy]", "[everyone]"), "", "unknown audience 'everyone'"),
        (GOOD.replace("#+ tags: [t]", "#+ tags: []"), "", "'tags' must be"),
        (GOOD.replace("table", "pie"), "", "'defaultView' is 'pie'"),
        (GOOD + "#+ colour: blue\n", "", "unknown header key 'colour'"),
        (GOOD, "SELECT ?s WHERE { ?s ?p ?o }\n", "no ORDER BY"),
        (GOOD, "ASK { ?s ?p ?o }\n", "must be a SELECT"),
        (GOOD, "SELECT ?s WHERE { ?s ?p }\n", "syntax error"),
        (GOOD, "DELETE WHERE { ?s ?p ?o }\n", "read-only"),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: iri, label: X}"),
            "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n",
            "says nothing about its choices",
        ),
        (
            GOOD.replace(
                "params: []",
                "params:\n#+   - {name: x, type: string, label: X}",
            ),
            "SELECT ?s WHERE { ?s ?p ?x } ORDER BY ?s\n",
            "not in the SELECT clause",
        ),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}"),
            "SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?x } } ORDER BY ?s\n",
            "not used in a triple pattern of every branch",
        ),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}"),
            "SELECT ?s ?x WHERE { ?s ?p ?o FILTER(?o = ?x) } ORDER BY ?s\n",
            "not used in a triple pattern of every branch",
        ),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}"),
            "SELECT ?s ?x WHERE { { ?s ?p ?x } UNION { ?s ?p ?o } } ORDER BY ?s\n",
            "not used in a triple pattern of every branch",
        ),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}"),
            "SELECT ?s ?x WHERE { { SELECT ?s WHERE { ?s ?p ?x } } } ORDER BY ?s\n",
            "not used in a triple pattern of every branch",
        ),
        (
            GOOD.replace("params: []", "params:\n#+   - {name: x, type: string, label: X}"),
            "SELECT ?s ?x WHERE { { SELECT ?s ?x WHERE { { ?s ?p ?x } UNION { ?s ?p ?o } } } }"
            " ORDER BY ?s\n",
            "not used in a triple pattern of every branch",
        ),
        (
            GOOD.replace(
                "params: []",
                "params:\n#+   - {name: n, type: integer, label: N, default: ten}",
            ),
            "SELECT ?n WHERE { ?s ?p ?n } ORDER BY ?n\n",
            "the default 'ten' is not a whole number",
        ),
        (
            GOOD.replace(
                "params: []",
                "params:\n#+   - {name: x, type: iri, label: X, flavour: 1,"
                " choices: {class: ck:Collaboration}}",
            ),
            "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n",
            "unknown key 'flavour'",
        ),
    ],
)
def test_the_schema_check_names_each_problem(tmp_path: Path, header: str, body: str, problem: str):
    problems = metadata_problems(_write(tmp_path, header, body))
    assert any(problem in p for p in problems), problems


def test_choices_are_declared_by_class_or_by_query(tmp_path: Path):
    by_class = _write(
        tmp_path,
        GOOD.replace(
            "params: []",
            "params:\n#+   - {name: x, type: iri, label: X, choices: {class: ck:Alliance}}",
        ).replace("answer: [s]", "answer: [x]"),
        "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n",
    )
    [spec] = by_class.params
    assert (spec.choices_class, spec.choices_query) == ("ck:Alliance", None)
    assert spec.choices == {"class": "ck:Alliance"}
    assert metadata_problems(by_class) == []


def test_every_parameter_lists_its_choices_on_the_real_data(
    catalogue: Catalogue, real_graph: KnowledgeGraph
):
    from collabkg.catalogue import choices

    for query in catalogue:
        for spec in query.params:
            options = choices(real_graph, spec, catalogue)
            assert options, f"{query.id}: no choices for {spec.name}"
            assert all(label and not label.startswith("http") for _iri, label in options)


def test_class_choices_include_subclass_instances(fixture_graph: KnowledgeGraph):
    from collabkg.catalogue import ParamSpec, choices

    spec = ParamSpec("c", "iri", "Collaboration", choices_class="ck:Collaboration")
    labels = [label for _iri, label in choices(fixture_graph, spec)]
    # ck:Alliance and ck:Partnership instances are found without a reasoner
    assert labels == [
        "Agent Partnership",
        "Connector Collaboration",
        "Council Collaboration",
        "Market Alliance",
        "Untyped Project",
    ]


def test_a_query_text_is_translated_to_algebra_once_per_process(tmp_path: Path, monkeypatch):
    """rdflib's SPARQL parser takes a second or more per query; checking the same text
    again (the catalogue, the chart and parameter checks) reuses its algebra, and a
    changed text is translated again."""
    from rdflib.plugins.sparql import parser

    parsed: list[str] = []
    real = parser.parseQuery
    monkeypatch.setattr(parser, "parseQuery", lambda text: parsed.append(text) or real(text))
    body = f"SELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY ?s # {tmp_path.name}\n"
    assert metadata_problems(_write(tmp_path, GOOD, body)) == []
    assert metadata_problems(_write(tmp_path, GOOD, body)) == []
    assert len(parsed) == 1
    changed = body.replace("ORDER BY ?s", "ORDER BY ?p ?o ?s")
    problems = metadata_problems(_write(tmp_path, GOOD, changed))
    assert len(parsed) == 2 and problems == []
