"""The sources a quotation check needs, looked up by IRI for a few files.

Regression: a one-file check read every quotation of the graph to find the sources: the
query gave a row per quotation and property (43 s of a one-file check at 1M triples, 163 s
at 10M). The sources are now looked up by the IRIs the files asked about describe or quote
from; these tests hold that lookup to the whole graph's answer for those IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.term import Node

from collabkg.ontology import load_ontology
from collabkg.sources import PROV_QUOTED_FROM
from collabkg.validate.model import Ontology
from collabkg.validate.rules.evidence import FEW_SOURCES, candidate_sources, sources_of

REPO = Path(__file__).resolve().parents[2]
DATA_FILES = sorted(p for p in (REPO / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


@dataclass
class _File:
    triples: list[tuple[Node, Node, Node]]


def _file(path: Path) -> _File:
    graph = Graph().parse(path, format="turtle")
    return _File(list(graph))


@pytest.fixture(scope="module")
def store_and_ontology() -> tuple[ox.Store, Ontology]:
    store = ox.Store()
    for path in DATA_FILES:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri()))
    return store, Ontology(load_ontology(REPO))


def test_the_research_data_has_case_files_that_quote_sources():
    quoting = [
        p for p in DATA_FILES if any(str(t[1]) == PROV_QUOTED_FROM for t in _file(p).triples)
    ]
    assert len(quoting) >= 2


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_sources_looked_up_by_iri_are_the_whole_graphs_sources_for_those_iris(
    path: Path, store_and_ontology: tuple[ox.Store, Ontology]
):
    store, ontology = store_and_ontology
    candidates = candidate_sources([_file(path)])  # type: ignore[list-item]
    assert len(candidates) <= FEW_SOURCES
    all_records, all_quoted = sources_of(store, ontology)
    records, quoted = sources_of(store, ontology, candidates)
    assert records == {iri: r for iri, r in all_records.items() if iri in candidates}
    assert quoted == all_quoted & candidates
    cited = {str(o) for _s, p, o in _file(path).triples if str(p) == PROV_QUOTED_FROM}
    assert cited <= set(records)  # every source a quotation here cites is found


def test_the_whole_graph_lookup_lists_each_source_once_however_often_it_is_quoted(
    store_and_ontology: tuple[ox.Store, Ontology],
):
    store, _ontology = store_and_ontology
    from collabkg.rdfterms import solutions
    from collabkg.validate.quotations import SOURCES_QUERY

    rows = [
        (r["s"].value, r["p"].value, r["o"].value)
        for r in solutions(store, SOURCES_QUERY, use_default_graph_as_union=True)
    ]
    assert rows and len(rows) == len(set(rows))
    quotations = len(
        list(store.quads_for_pattern(None, ox.NamedNode(PROV_QUOTED_FROM), None, None))
    )
    assert len(rows) < quotations  # not a row per quotation any more


def test_iris_the_store_cannot_hold_are_left_out_of_the_lookup(
    store_and_ontology: tuple[ox.Store, Ontology],
):
    store, ontology = store_and_ontology
    assert sources_of(store, ontology, {"not an iri", "http://x/a b"}) == ({}, set())
