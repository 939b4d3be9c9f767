"""Charts from the catalogue's metadata: every question says how it is charted, or that it
is not chartable, and the chart tells the truth about the answer (labels, right measure)."""

from __future__ import annotations

import re

import pytest
from rdflib import Literal, URIRef

from collabkg import explorer as ex
from collabkg.catalogue import Catalogue, ChartSpec, CountSpec, metadata_problems, parse_query_file
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.project import open_graph
from tests.support.apptest import DATA_ROOT

CATALOGUE = Catalogue.load(DATA_ROOT)
QUESTIONS = [q for q in CATALOGUE if not q.internal]
CHARTED = [q for q in QUESTIONS if q.chart is not None]
_IDENTIFIER = re.compile(r"https?://|\b(?:ckd|ckc|ck|org|prov|skos|rdfs):[A-Za-z]|\?id=")


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return open_graph(DATA_ROOT)


@pytest.fixture(scope="module")
def index(graph: KnowledgeGraph) -> ex.ExplorerIndex:
    return ex.ExplorerIndex(graph)


@pytest.mark.parametrize("query", QUESTIONS, ids=lambda q: q.id)
def test_every_question_declares_how_it_is_charted(query):
    assert "chart" in query.meta, f"{query.display}: add '#+ chart: none' or a chart spec"
    assert metadata_problems(query) == []


def test_some_questions_are_charted_and_some_are_not():
    assert CHARTED and len(CHARTED) < len(QUESTIONS)


@pytest.mark.parametrize("query", CHARTED, ids=lambda q: q.id)
def test_the_chart_of_each_chartable_question_tells_the_truth(query, graph, index):
    result = graph.select(query.text, query.bind({}))
    spec = query.chart
    assert spec is not None
    data = ex.chart_data(index, result, spec)
    assert not data.frame.empty, "the seed data answers every chartable question"
    frame = data.frame
    # one bar per distinct category, named by label
    categories = {str(row.get(spec.category)) for row in result.rows}
    assert len(frame) == len(categories)
    for name in frame[data.category]:
        assert name and not _IDENTIFIER.search(str(name)), name
    # the lengths are the declared measure, not some other number in the row
    for _, bar in frame.iterrows():
        rows = [
            r
            for r in result.rows
            if str(ex.sentence_case(index.label(r.get(spec.category))) or "none recorded")
            == bar[data.category]
        ]
        if spec.measure:
            expected = max(r[spec.measure].toPython() for r in rows)
        else:
            expected = len({str(r[spec.count]) for r in rows if r.get(spec.count) is not None})
        assert bar[data.measure] == expected
    assert (frame[data.measure] > 0).any(), "a chart whose bars are all empty says nothing"


def test_why_organisations_collaborate_is_charted_by_statements(graph, index):
    """Regression: the chart took the last number column (collaborations, mostly 0) and
    drew 9 of 11 bars empty; the question is how often each reason is given."""
    query = CATALOGUE.get("rationales")
    assert query.chart is not None and query.chart.measure == "statementCount"
    data = ex.chart_data(index, graph.select(query.text), query.chart)
    result = graph.select(query.text)
    given = sum(1 for row in result.rows if row["statementCount"].toPython() > 0)
    assert (data.frame[data.measure] > 0).sum() == given


def test_a_one_row_answer_gives_one_bar(index):
    """Regression: a one-row chart drew nothing."""
    iri = next(iter(index.kinds))
    result = QueryResult(["org", "n"], [{"org": URIRef(iri), "n": Literal(2)}])
    spec = ChartSpec(category="org", measure="n", label="Collaborations")
    data = ex.chart_data(index, result, spec)
    assert data.frame.to_dict("records") == [
        {"Org": ex.sentence_case(index.label(iri)), "Collaborations": 2}
    ]


def test_counted_bars_count_distinct_things_and_name_the_missing(index):
    rows = [
        {"kind": Literal("asset"), "item": URIRef("urn:x:1")},
        {"kind": Literal("asset"), "item": URIRef("urn:x:1")},
        {"kind": Literal("asset"), "item": URIRef("urn:x:2")},
        {"kind": None, "item": URIRef("urn:x:3")},
        {"kind": Literal("service"), "item": None},
    ]
    result = QueryResult(["kind", "item"], rows)
    data = ex.chart_data(index, result, ChartSpec(category="kind", count="item", label="Items"))
    assert dict(zip(data.frame["Kind"], data.frame["Items"], strict=True)) == {
        "Asset": 2,
        "none recorded": 1,
        "Service": 0,
    }


def test_row_counts_count_the_things_the_question_is_about():
    """Regression: "12 rows" for 4 activities."""
    rows = [{"a": URIRef(f"urn:x:{n % 4}"), "q": Literal(n)} for n in range(12)]
    result = QueryResult(["a", "q"], rows)
    assert ex.answer_count(result, CountSpec("a", "activities")) == "Activities: 4 (in 12 rows)"
    assert ex.answer_count(result, None) == "12 rows"
    one = QueryResult(["a"], [{"a": URIRef("urn:x:1")}])
    assert ex.answer_count(one, CountSpec("a", "activities")) == "Activities: 1"


@pytest.mark.parametrize(
    ("chart", "problem"),
    [
        ("pie", "'chart' must be 'none' or"),
        ("{category: s, label: L}", "exactly one of 'measure'"),
        ("{category: s, measure: n, count: s, label: L}", "exactly one of 'measure'"),
        ("{measure: n, label: L}", "needs a 'category'"),
        ("{category: s, measure: n}", "needs a 'label'"),
        ("{category: s, measure: n, label: L, shape: bar}", "unknown key 'shape'"),
        ("{category: nowhere, measure: n, label: L}", "?nowhere, which is not in the SELECT"),
    ],
)
def test_a_bad_chart_key_is_reported(tmp_path, chart, problem):
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: Q?\n#+ description: D.\n#+ audience: [policy]\n#+ tags: [t]\n"
        f"#+ params: []\n#+ defaultView: table\n#+ chart: {chart}\n"
        "SELECT ?s (1 AS ?n) WHERE { ?s ?p ?o } ORDER BY ?s\n"
    )
    problems = metadata_problems(parse_query_file(path))
    assert any(problem in p for p in problems), problems


def test_a_question_without_a_chart_key_is_reported(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: Q?\n#+ description: D.\n#+ audience: [policy]\n#+ tags: [t]\n"
        "#+ params: []\n#+ defaultView: table\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n"
    )
    assert any("no 'chart'" in p for p in metadata_problems(parse_query_file(path)))
