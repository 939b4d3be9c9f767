"""The columns that answer the question come first (issue 18): each canned question names
them in its ``#+ answer`` header, and the explorer's table, its row-by-row cards, the
downloads and the CLI's table keep that order. Every list here is derived from the
catalogue, never written by hand."""

from __future__ import annotations

import csv
import io

import pytest

import collabkg.cli
from collabkg import explorer as ex
from collabkg.catalogue import CannedQuery, Catalogue, column_of, column_order, parse_query_file
from tests.support.apptest import DATA_ROOT, Opener, answer_tables

PAGE = "views/questions.py"
CATALOGUE = Catalogue.load(DATA_ROOT)
QUESTIONS = [q for q in CATALOGUE if not q.internal]


def _titles(query: CannedQuery, variables: list[str]) -> list[str]:
    """The declared answer columns as the explorer titles them."""
    return [ex.humanise(column_of(name, variables)) for name in query.answer]


@pytest.mark.parametrize("query", QUESTIONS, ids=lambda q: q.id)
def test_every_question_declares_the_columns_that_answer_it(query, graph):
    assert query.answer, f"{query.display}: add '#+ answer: [VAR, ...]'"
    result = graph.select(query.text, query.bind({}))
    for name in query.answer:
        assert name in result.vars, f"{query.display}: 'answer' names ?{name}, not in its SELECT"


@pytest.mark.parametrize("query", QUESTIONS, ids=lambda q: q.id)
def test_the_answer_columns_come_first_in_the_explorers_table(query, open_page: Opener, graph):
    """The page itself (AppTest), the question opened as a person opens it (defaults)."""
    variables = graph.select(query.text, query.bind({})).vars
    app = open_page(PAGE, q=query.id, view="table")
    [table] = answer_tables(app)
    declared = _titles(query, variables)
    assert declared[0] in table.columns, "the first column that answers the question is shown"
    shown = [title for title in declared if title in table.columns]  # all-empty ones are dropped
    assert table.columns[: len(shown)] == shown


def test_accountable_for_transferred_assets_shows_who_is_accountable_on_screen(
    open_page: Opener,
):
    """Regression: "Accountable to" and "Mechanism" came 8th and 9th, off-screen, after the
    transfer's own columns; they answer the question, so they come right after the asset."""
    app = open_page(PAGE, q="accountable-for-transferred-assets")
    [table] = answer_tables(app)
    assert table.columns[:4] == ["Asset", "Accountable", "Accountable to", "Mechanism"]


def test_the_row_by_row_cards_keep_the_answer_order(open_page: Opener, graph):
    import re

    query = CATALOGUE.get("accountable-for-transferred-assets")
    variables = graph.select(query.text).vars
    app = open_page(PAGE, q=query.id, view="list")
    drawn = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    cards = re.findall(r'<p class="ck-row-title">.*?</ul></li>', drawn, flags=re.DOTALL)
    assert cards, "the answer is drawn row by row"
    named = re.findall(r'<span class="ck-row-key">([^<]*):</span>', cards[0])
    declared = _titles(query, variables)[1:]  # the first column is the card's title
    assert named[: len(declared)] == declared


def test_the_downloads_keep_the_answer_order(graph, index):
    query = CATALOGUE.get("accountable-for-transferred-assets")
    result = query.ordered(graph.select(query.text))
    frame = ex.download_frame(index, result)
    assert list(frame.columns[:3]) == ["asset", "asset_iri", "assetLabel"]
    labels = [c for c in frame.columns if c.endswith("Label")]
    assert labels[:4] == ["assetLabel", "accountableLabel", "accountableToLabel", "mechanismLabel"]


def test_the_cli_table_and_csv_keep_the_answer_order(cli, monkeypatch, graph):
    monkeypatch.setattr(collabkg.cli, "_load_graph", lambda args: graph)
    query = CATALOGUE.get("accountable-for-transferred-assets")
    expected = [f"{column_of(v, query.answer)}Label".replace("LabelLabel", "Label")
                for v in query.answer]
    assert expected == ["assetLabel", "accountableLabel", "accountableToLabel", "mechanismLabel"]
    code, out, _err = cli("--root", str(DATA_ROOT), "query", query.id, "--format", "csv")
    assert code == 0
    header = next(csv.reader(io.StringIO(out)))
    assert [h for h in header if h.endswith("Label")][:4] == expected
    for extra in ((), ("--page", "1")):
        code, out, _err = cli("--root", str(DATA_ROOT), "query", query.id, *extra)
        assert code == 0
        names = out.splitlines()[0].split()
        assert names[:4] == expected, extra


def test_column_order_moves_a_variable_with_its_label():
    variables = ["a", "aLabel", "b", "bLabel", "c", "dLabel"]
    assert column_order(variables, ["c", "bLabel"]) == ["c", "b", "bLabel", "a", "aLabel", "dLabel"]
    assert column_order(variables, ["dLabel"]) == ["dLabel", "a", "aLabel", "b", "bLabel", "c"]
    assert column_order(variables, []) == variables


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("#+ answer: [nowhere]", "'answer' names ?nowhere, which is not in the SELECT clause"),
        ("#+ answer: []", "'answer' must be a non-empty list"),
        ("#+ answer: [x, x]", "'answer' names 'x' twice"),
        ("#+ answer: [x, xLabel]", "which are one column"),
        (None, "the header has no 'answer'"),
    ],
)
def test_a_bad_answer_header_is_refused_with_a_reason(tmp_path, line, problem):
    header = [
        "#+ summary: Which things are there?",
        "#+ description: Every thing.",
        "#+ audience: [policy]",
        "#+ tags: [things]",
        "#+ params: []",
        "#+ defaultView: table",
        "#+ chart: none",
    ]
    text = "\n".join([*header, *([line] if line else []), "SELECT ?x ?xLabel WHERE {"])
    text += " ?x <urn:p> ?xLabel } ORDER BY ?x\n"
    path = tmp_path / "things.rq"
    path.write_text(text, encoding="utf-8")
    problems = parse_query_file(path).problems()
    assert any(problem in p for p in problems), problems
