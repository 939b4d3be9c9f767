"""The graph's count of distinct triples kept on disk by content (collabkg/kept_count.py).

What a user checks: the home page and ``collabkg stats`` give the number of distinct triples
the files hold. So after seeded random edits (a label edited, a reference moved, a block
dropped, a thing retyped, a case added, deleted, copied whole, a statement of another case
repeated), the count read from disk and brought up to date equals the engine's count of the
same files; the update is really made (not a silent recount) where the change can be
followed; a count is read back when nothing changed; anything damaged or not followed is
counted afresh.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

import collabkg.kept_count as kept_count
from collabkg.answer_update import MAX_FILES
from collabkg.graph import KnowledgeGraph
from collabkg.terms import GRAPH_BASE
from collabkg.validate.cached import validate
from tests.support.case_edits import (
    KINDS,
    PROJECTS,
    case_files,
    change_a_case,
    count_outcomes,
    project_copy,
)

EDITS = (*KINDS, "copied", "shared")


@pytest.fixture(params=PROJECTS)
def project(request: pytest.FixtureRequest, small_generated: Path, tmp_path: Path) -> Path:
    return project_copy(request.param, small_generated, tmp_path / "project")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the count was brought up to date ("made"), and how often it could not be."""
    return count_outcomes(monkeypatch, kept_count, "_brought_up_to_date")


def _counts(root: Path) -> tuple[int, int]:
    """(the count a start is given, the engine's count of the same graph)."""
    with KnowledgeGraph.from_files(root) as graph:
        assert graph.kept_content() is not None
        return graph.triple_count(), graph._count_triples()


def _kept_folder(root: Path) -> Path:
    return root / ".collabkg-cache" / kept_count.FOLDER


def test_with_nothing_changed_the_kept_count_is_read_and_the_engine_not_asked(
    project: Path, made: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    validate(root=project)
    first, engine = _counts(project)
    assert first == engine > 0
    asked: list[str] = []
    real = KnowledgeGraph._count_triples

    def count(graph: KnowledgeGraph) -> int:
        asked.append("engine")
        return real(graph)

    monkeypatch.setattr(KnowledgeGraph, "_count_triples", count)
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.triple_count() == first
    assert asked == []
    assert made == Counter({"not made": 1})  # the first count: nothing kept yet
    assert len(list(_kept_folder(project).iterdir())) == 1


def test_after_random_edits_the_count_brought_up_to_date_equals_the_engine_count(
    project: Path, made: Counter[str]
) -> None:
    """Seeded: each kind of edit in turn, the project validated after each (as the explorer
    and the CLI do before they load the graph), then the count of a new load."""
    rng = random.Random(20261208)
    validate(root=project)
    _counts(project)
    kinds = Counter[str]()
    steps = 2 * len(EDITS)
    for step in range(steps):
        what = change_a_case(project, rng, step, EDITS)
        validate(root=project)
        before = made["made"]
        served, engine = _counts(project)
        assert served == engine, what
        kinds[what.split()[0]] += made["made"] - before
    assert set(kinds) == set(EDITS)
    assert sum(kinds.values()) >= steps - 2, kinds  # made, not recounted, nearly every time
    assert len(list(_kept_folder(project).iterdir())) == kept_count.KEEP


def test_a_statement_also_in_an_unchanged_file_is_counted_once_and_kept_when_removed(
    project: Path, made: Counter[str]
) -> None:
    """Regression guard for the union: a statement repeated in a changed file leaves the
    count as it was, and taking it out again too (another file still has it)."""
    validate(root=project)
    first, _ = _counts(project)
    victim, other = case_files(project)[:2]
    statement = next(
        t
        for t in (q.triple for q in ox.parse(other.read_bytes(), format=ox.RdfFormat.TURTLE))
        if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
    )
    text = victim.read_text(encoding="utf-8")
    line = f"\n{statement.subject} {statement.predicate} {statement.object} .\n"
    victim.write_text(text + line, encoding="utf-8")
    validate(root=project)
    assert _counts(project) == (first, first)
    victim.write_text(text, encoding="utf-8")
    validate(root=project)
    assert _counts(project) == (first, first)
    # the first count; the statement repeated (made); taken out: the content as it was, read
    assert made == Counter({"not made": 1, "made": 1}), made


def test_a_damaged_count_file_is_counted_afresh_and_kept_again(
    project: Path, made: Counter[str]
) -> None:
    validate(root=project)
    first, _ = _counts(project)
    (kept,) = _kept_folder(project).iterdir()
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0xFF
    kept.write_bytes(bytes(data))
    assert _counts(project) == (first, first)
    assert kept_count._read(kept) is not None  # kept again, readable


def test_a_changed_ontology_means_the_count_is_counted_afresh(
    project: Path, made: Counter[str]
) -> None:
    validate(root=project)
    _counts(project)
    ontology = sorted((project / "ontology").glob("*.ttl"))[0]
    ontology.write_text(
        ontology.read_text(encoding="utf-8") + "\n<urn:x:a> <urn:x:b> <urn:x:c> .\n",
        encoding="utf-8",
    )
    served, engine = _counts(project)
    assert served == engine
    assert made == Counter({"not made": 2}), made


def test_more_changed_files_than_followed_are_counted_afresh(
    project: Path, made: Counter[str]
) -> None:
    validate(root=project)
    _counts(project)
    for case in case_files(project)[: MAX_FILES + 1]:
        case.unlink()
    validate(root=project)
    served, engine = _counts(project)
    assert served == engine
    assert made == Counter({"not made": 2}), made


def _quads(graph: str, triples: list[ox.Triple]) -> list[ox.Quad]:
    name = ox.NamedNode(GRAPH_BASE + graph)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]


def _distinct(store: ox.Store) -> int:
    (row,) = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )
    return int(row["n"].value)


def test_statements_with_blank_nodes_are_each_files_own() -> None:
    """The same Turtle with a blank node, in two files, is two statements (each file's blank
    nodes are its own); a file's earlier statements, parsed again, have other blank nodes
    than the store's, and are still counted as that file's alone."""
    text = b'<urn:x:a> <urn:x:p> [ <urn:x:q> "same" ] . <urn:x:a> <urn:x:r> "named" .'
    parse = lambda: [q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE)]  # noqa: E731
    store = ox.Store()
    store.extend(_quads("data/a.ttl", parse()))
    before = _distinct(store)
    assert before == 3
    store.extend(_quads("data/b.ttl", parse()))  # file b added: a copy of a
    assert _distinct(store) == 5
    assert kept_count.updated_count(store, before, {}, {"data/b.ttl": parse()}) == 5
    store.remove_graph(ox.NamedNode(GRAPH_BASE + "data/a.ttl"))  # then a deleted
    assert _distinct(store) == 3
    assert kept_count.updated_count(store, 5, {"data/a.ttl": parse()}, {}) == 3


def test_a_store_not_holding_the_files_as_said_gives_no_count() -> None:
    """A count is brought up to date only for the store it describes: a file said to be added
    whose graph the store has not (or said to be deleted whose graph it still has) means the
    count is taken afresh, not guessed."""
    triples = [
        q.triple for q in ox.parse(b"<urn:x:a> <urn:x:p> <urn:x:b> .", format=ox.RdfFormat.TURTLE)
    ]
    store = ox.Store()
    store.extend(_quads("data/a.ttl", triples))
    assert kept_count.updated_count(store, 0, {}, {"data/a.ttl": triples}) == 1
    assert kept_count.updated_count(store, 0, {}, {"data/b.ttl": triples}) is None
    assert kept_count.updated_count(store, 1, {"data/a.ttl": triples}, {}) is None
    assert kept_count.updated_count(store, 1, {"data/b.ttl": triples}, {}) == 1
