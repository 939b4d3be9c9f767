"""A canned query whose SHAPE was rewritten for speed gives exactly the rows of its earlier text.

The earlier text of each rewritten query is kept in ``tests/fixtures/earlier-queries/<id>.rq``
(as it was before the rewrite). Both texts run on three graphs: the invented world of the
query fixtures (its edge cases: nothing recorded, several names, several values), the real
project, and a generated project (bench/generate.py) where every question has many rows.
The rows must be the same, in the same order, value for value.
"""

from __future__ import annotations

import pytest

from collabkg.catalogue import Catalogue, parse_query_file
from collabkg.graph import KnowledgeGraph
from tests.support.paths import REPO
from tests.support.synthetic import generate

EARLIER = REPO / "tests" / "fixtures" / "earlier-queries"
REWRITTEN = sorted(p.stem for p in EARLIER.glob("*.rq"))


@pytest.fixture(scope="module")
def generated_graph(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeGraph:
    out = tmp_path_factory.mktemp("gen-rewrites") / "project"
    generate.generate(out, 20_000)
    return KnowledgeGraph.from_files(out)


def _rows(graph: KnowledgeGraph, text: str) -> tuple[list[str], list[tuple[str | None, ...]]]:
    result = graph.select(text)
    return result.vars, [
        tuple(None if row.get(v) is None else row[v].n3() for v in result.vars)
        for row in result.rows
    ]


SORTED_LISTS = {"reporting-burden": "reportsTo"}
"""Rewrites that also put a "; "-separated list in alphabetical order (its order was the
engine's, which differed between the whole listing and one party's rows computed again):
the same rows but for the order within that list, which is now sorted."""


def _sorted_list(cell: str | None) -> str | None:
    if cell is None:
        return None
    text = cell[1 : cell.rindex('"')]
    return '"' + "; ".join(sorted(text.split("; "))) + cell[cell.rindex('"') :]


def _compare(graph: KnowledgeGraph, earlier: str, now: str, query_id: str) -> int:
    before_vars, before = _rows(graph, earlier)
    after_vars, after = _rows(graph, now)
    assert after_vars == before_vars
    if query_id in SORTED_LISTS:
        at = after_vars.index(SORTED_LISTS[query_id])
        assert all(row[at] == _sorted_list(row[at]) for row in after), f"{query_id}: not sorted"
        before = [(*row[:at], _sorted_list(row[at]), *row[at + 1 :]) for row in before]
    assert after == before, f"{query_id}: the rewritten query gives other rows"
    return len(before)


def _same_rows(graph: KnowledgeGraph, query_id: str, catalogue: Catalogue) -> int:
    earlier = parse_query_file(EARLIER / f"{query_id}.rq", query_id).text
    now = catalogue.get(query_id).text
    assert now != earlier, f"{query_id}: the rewritten text is the earlier text"
    return _compare(graph, earlier, now, query_id)


def test_every_earlier_text_names_a_canned_query(catalogue: Catalogue) -> None:
    assert REWRITTEN, "no earlier texts kept"
    for query_id in REWRITTEN:
        catalogue.get(query_id)  # raises for an unknown id


@pytest.mark.parametrize("query_id", REWRITTEN)
def test_rewritten_query_gives_the_rows_of_its_earlier_text_on_the_query_fixtures(
    query_id: str, fixture_graph: KnowledgeGraph, catalogue: Catalogue
) -> None:
    _same_rows(fixture_graph, query_id, catalogue)


@pytest.mark.parametrize("query_id", REWRITTEN)
def test_rewritten_query_gives_the_rows_of_its_earlier_text_on_the_real_data(
    query_id: str, real_graph: KnowledgeGraph, catalogue: Catalogue
) -> None:
    _same_rows(real_graph, query_id, catalogue)


@pytest.mark.slow
@pytest.mark.parametrize("query_id", REWRITTEN)
def test_rewritten_query_gives_the_rows_of_its_earlier_text_on_generated_data(
    query_id: str, generated_graph: KnowledgeGraph, catalogue: Catalogue
) -> None:
    assert _same_rows(generated_graph, query_id, catalogue) > 10


@pytest.mark.parametrize("query_id", REWRITTEN)
def test_a_rewrite_that_loses_a_row_is_caught(
    query_id: str, real_graph: KnowledgeGraph, catalogue: Catalogue
) -> None:
    """The comparison can fail: the rewritten text without its first row is told apart."""
    now = catalogue.get(query_id).text
    with pytest.raises(AssertionError, match="other rows"):
        _compare(real_graph, now, now + "\nOFFSET 1\n", query_id)
