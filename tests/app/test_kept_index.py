"""The explorer's index kept on disk by content (collabkg/explorer/kept_index.py).

What a user checks: the explorer shows after a change exactly what it would show had it
read the whole graph afresh. So after seeded random edits of case files (a label edited, a
block dropped, a reference moved to another item, a thing retyped, a case added, a case
deleted), the index read from disk and brought up to date equals the index built afresh
from the same files; the update is really made (not a silent rebuild) where the change can
be followed; an index is read back as kept when nothing changed; and anything damaged or
not followed is built afresh.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import collabkg.explorer.kept_index as kept_index
from collabkg.explorer import ExplorerIndex, index_for
from collabkg.graph import KnowledgeGraph
from collabkg.validate.cached import validate
from tests.support.case_edits import PROJECTS, count_outcomes, project_copy
from tests.support.case_edits import case_files as _cases
from tests.support.case_edits import change_a_case as _change
from tests.support.case_edits import seed_project as _seed_project
from tests.support.paths import REPO


@pytest.fixture(params=PROJECTS)
def project(request: pytest.FixtureRequest, small_generated: Path, tmp_path: Path) -> Path:
    return project_copy(request.param, small_generated, tmp_path / "project")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many indexes were brought up to date ("made") and how many could not be."""
    return count_outcomes(monkeypatch, kept_index, "_updated")


def _comparable(index: ExplorerIndex) -> dict[str, Any]:
    """What the index holds, tables in their order; labels as the index gives them."""
    state = index.state()
    labels = state.pop("_labels")
    state["labels"] = sorted(labels)
    for name in ("kinds", "entities", "sources", "_quotes"):
        state[name] = list(state[name].items())
    return state


def _same(served: ExplorerIndex, afresh: ExplorerIndex) -> None:
    wanted, got = _comparable(afresh), _comparable(served)
    keys = set(wanted.pop("labels")) | set(got.pop("labels"))
    for name in wanted:
        assert got[name] == wanted[name], name
    assert {k: served.label(k) for k in keys} == {k: afresh.label(k) for k in keys}
    assert served.collaborations() == afresh.collaborations()
    assert served.organisations() == afresh.organisations()


def _start(root: Path) -> Iterator[tuple[ExplorerIndex, ExplorerIndex]]:
    """An explorer start: the index it serves (kept once served) and one built afresh."""
    with KnowledgeGraph.from_files(root) as graph:
        served, keep = index_for(graph)
        if keep is not None:
            keep()
        yield served, ExplorerIndex(graph)


def _kept_once(root: Path) -> None:
    """The project validated (what each file names kept) and an explorer started once (its
    index kept): where the change under test starts from."""
    validate(root=root)
    for _served, _afresh in _start(root):
        pass


def test_with_nothing_changed_the_kept_index_is_read_as_it_was_kept(
    project: Path, made: Counter[str]
) -> None:
    validate(root=project)
    for served, afresh in _start(project):
        _same(served, afresh)
    for served, afresh in _start(project):
        _same(served, afresh)
    assert made == Counter({"not made": 1})  # the first start: nothing kept yet
    assert len(list((project / ".collabkg-cache" / kept_index.FOLDER).iterdir())) == 1


def test_after_random_edits_the_index_brought_up_to_date_equals_the_index_built_afresh(
    project: Path, made: Counter[str]
) -> None:
    """Seeded: each kind of edit in turn, the project validated after each (as the explorer
    does before it loads the graph), then an explorer start."""
    rng = random.Random(20261207)
    _kept_once(project)
    kinds = Counter[str]()
    for step in range(12):
        what = _change(project, rng, step)
        validate(root=project)
        before = made["made"]
        for served, afresh in _start(project):
            _same(served, afresh)
        kinds[what.split()[0]] += made["made"] - before
    assert set(kinds) == {"label", "moved", "block", "retyped", "added", "deleted"}
    assert sum(kinds.values()) >= 10, kinds  # made, not rebuilt, nearly every time


def test_a_damaged_index_file_is_built_afresh_and_kept_again(
    project: Path, made: Counter[str]
) -> None:
    _kept_once(project)
    (kept,) = (project / ".collabkg-cache" / kept_index.FOLDER).iterdir()
    data = bytearray(kept.read_bytes())
    data[-100] ^= 0xFF
    kept.write_bytes(bytes(data))
    with KnowledgeGraph.from_files(project) as graph:
        served, keep = index_for(graph)
        assert keep is not None  # not read: built afresh, to be kept again
        _same(served, ExplorerIndex(graph))


def test_a_changed_ontology_means_the_index_is_built_afresh(
    project: Path, made: Counter[str]
) -> None:
    _kept_once(project)
    ontology = sorted((project / "ontology").glob("*.ttl"))[0]
    ontology.write_text("# edited\n" + ontology.read_text(encoding="utf-8"), encoding="utf-8")
    for served, afresh in _start(project):
        _same(served, afresh)
    assert made["made"] == 0 and made["not made"] == 2, made


def test_a_blank_node_in_the_index_means_it_is_not_kept(project: Path) -> None:
    case = next(p for p in _cases(project) if re.search(r"^ckd:[\w-]+", p.read_text(), re.M))
    text = case.read_text(encoding="utf-8")
    subject = re.search(r"^ckd:[\w-]+", text, re.MULTILINE).group(0)  # type: ignore[union-attr]
    case.write_text(
        text + f'\n{subject} prov:wasDerivedFrom [ rdfs:label "A source with no identifier" ] .\n',
        encoding="utf-8",
    )
    with KnowledgeGraph.from_files(project) as graph:
        served, keep = index_for(graph)
        assert keep is None and not served.keepable


CHAIN = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

# each thing is shown by others: the index must follow a change of one to all of them
ckd:chain-sector a skos:Concept ; skos:prefLabel "chain sector" .
ckd:chain-place a ck:LocalAuthorityArea ; rdfs:label "Chain town" .
ckd:chain-source a ckd:chain-kind ; rdfs:label "Chain report" .
ckd:chain-kind rdfs:subClassOf ck:Report ; rdfs:label "chain kind of report" .
ckd:chain-parent a ck:LocalAuthority ; rdfs:label "Chain council" ;
    ck:hasSector ckd:chain-sector ; ck:operatesIn ckd:chain-place ;
    prov:wasDerivedFrom ckd:chain-source .
ckd:chain-unit a org:OrganizationalUnit ; rdfs:label "Chain committee" ;
    org:unitOf ckd:chain-parent .
ckd:chain-partnership a org:OrganizationalCollaboration ; rdfs:label "Chain partnership" ;
    ck:isEvidencedBy ckd:chain-quote .
ckd:chain-membership a org:Membership ;
    org:organization ckd:chain-partnership ; org:member ckd:chain-unit .
ckd:chain-quote a ck:Quotation ; ck:hasText "we work as one" ;
    ck:hasSpeakerOrganisation ckd:chain-parent ; prov:wasQuotedFrom ckd:chain-source .
"""


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        (('"chain sector"', '"chain sector, renamed"'), "chain sector, renamed"),
        (('"Chain town"', '"Chain town, renamed"'), "Chain town, renamed"),
        (('"Chain report"', '"Chain report, renamed"'), "Chain report, renamed"),
        (('"Chain council"', '"Chain council, renamed"'), "Chain council, renamed"),
        (("ck:hasSector ckd:chain-sector", "ck:hasSector ckc:publicSector"), "ublic sector"),
        (('"chain kind of report"', '"chain kind, renamed"'), "Chain kind, renamed"),
    ],
    ids=["sector", "place", "source", "speaker", "parent-sector", "class"],
)
def test_a_changed_thing_is_shown_changed_wherever_the_index_shows_it(
    tmp_path: Path, made: Counter[str], edit: tuple[str, str], shown: str
) -> None:
    """Regression (found by breaking the update on purpose; the random edits never reached
    it): a thing's label is shown by the entities that refer to it (a place, a source, a
    sector), by the units of an organisation (its sectors) and the collaborations they are
    members of, and by the quotations it spoke or sourced."""
    project = _seed_project(tmp_path / "project")
    chain = project / "data" / "cases" / "chain.ttl"
    chain.write_text(CHAIN, encoding="utf-8")
    _kept_once(project)
    chain.write_text(CHAIN.replace(*edit), encoding="utf-8")
    validate(root=project)
    for served, afresh in _start(project):
        _same(served, afresh)
        assert shown in repr(served.state())
    # a class is in the type hierarchy, read once in full: its change is not followed
    assert made["made"] == (0 if "kind" in shown else 1), made


def test_an_iri_sparql_cannot_hold_is_not_pasted_into_a_query() -> None:
    from collabkg.explorer.index import Q_ENTITY_FACTS, NotFollowed, _restricted

    (query,) = _restricted(Q_ENTITY_FACTS, "e", ["https://example.org/a"])
    assert "VALUES ?e { <https://example.org/a> }" in query
    with pytest.raises(NotFollowed):
        list(_restricted(Q_ENTITY_FACTS, "e", ["https://example.org/a> } . ?s ?p ?o { <x"]))


# the queries an update asks for a few IRIs: the rows of the whole-graph query for them, and
# none the engine answers by reading a whole property (regression: after a case was added
# at 1M, bringing the index up to date took 2.6 s, 2.1 s of it in two such queries)
RESTRICTED = [
    ("Q_FACTS_OF", "Q_ENTITY_FACTS", "e"),
    ("Q_REFERRING", None, "t"),
    ("Q_EVIDENCED", None, "t"),
    ("Q_MEMBERSHIPS", "Q_MEMBERSHIPS", "c"),
    ("Q_MEMBERSHIPS", "Q_MEMBERSHIPS", "o"),
    ("Q_COLLABORATIONS", "Q_COLLABORATIONS", "e"),
    ("Q_ORGANISATIONS", "Q_ORGANISATIONS", "e"),
    ("Q_SOURCES", "Q_SOURCES", "s"),
    ("Q_DERIVED", "Q_DERIVED", "x"),
    ("Q_UNITS", None, "t"),
    ("Q_QUOTES", "Q_QUOTES", "x"),
]


@pytest.mark.parametrize(("name", "whole", "variable"), RESTRICTED)
def test_an_update_asks_for_its_iris_with_no_values_block_or_path_of_its_own(
    name: str, whole: str | None, variable: str
) -> None:
    """A VALUES block of the query's own or a property path alternative beside the IRIs
    asked about made the engine read every statement of those properties first."""
    from collabkg.explorer import index as ix

    body = getattr(ix, name).split("WHERE", 1)[1]
    assert "VALUES" not in body
    assert not re.search(r"\w\|\w", body)


@pytest.mark.parametrize(("name", "whole", "variable"), [r for r in RESTRICTED if r[1]])
def test_a_restricted_index_query_gives_the_whole_querys_rows_for_its_iris(
    name: str, whole: str, variable: str
) -> None:
    from collabkg.explorer import index as ix

    with KnowledgeGraph.from_files(REPO) as kg:
        every = kg.select(getattr(ix, whole))
        names = [str(v) for v in every.vars]
        rows = [tuple(str(r[n]) if r[n] is not None else None for n in names) for r in every]
        at = names.index(variable)
        iris = sorted({row[at] for row in rows if row[at]})
        assert iris, name
        chosen = set(random.Random(5).sample(iris, min(8, len(iris))))
        got: list[tuple[str | None, ...]] = []
        for query in ix._restricted(getattr(ix, name), variable, chosen):
            answer = kg.select(query)
            got.extend(
                tuple(str(r[n]) if r[n] is not None else None for n in names) for r in answer
            )
    assert sorted(got) == sorted(row for row in rows if row[at] in chosen)
