"""The ontology quality rules: one SPARQL query per rule under queries/checks/.

Each must return no rows on the ontology, and at least the expected rows on its failing
fixture (tests/fixtures/ontology/bad-<rule>.ttl), so that no rule passes by being unable
to fail. The queries must mean the same on rdflib and on pyoxigraph (the embedded store).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from collabkg.ontology import load_checks, run_check
from tests.support.ontology import FIXTURES, REPO, expected_terms, parse

CHECKS = load_checks(REPO)
IDS = [c.id for c in CHECKS]

REQUIRED = {
    "term-without-label",
    "term-with-two-labels",
    "term-without-definition",
    "definition-not-genus-differentia",
    "term-without-isDefinedBy",
    "concept-without-scheme",
    "class-name-not-upper-camel",
    "property-name-not-verb-first",
}


def test_the_rules_the_issue_asks_for_exist():
    assert set(IDS) >= REQUIRED


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_check_is_described(check):
    assert check.summary and check.description, f"{check.id}: add '#+ summary' and description"
    assert "ontology-check" in check.tags


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_ontology_passes_check(check, ontology: rdflib.Graph):
    result = run_check(ontology, check)
    assert result.ok, f"{check.id} ({check.summary}):\n" + "\n".join(result.lines())


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_check_fails_on_its_bad_fixture(check):
    fixture = FIXTURES / f"bad-{check.id}.ttl"
    assert fixture.is_file(), f"every check needs a failing fixture: add {fixture.name}"
    result = run_check(parse(fixture), check)
    assert not result.ok, f"{check.id} found nothing wrong in {fixture.name}"
    first = result.vars[0]
    found = {row[first] for row in result.rows}
    missing = expected_terms(fixture) - found
    assert not missing, f"{check.id} did not report {sorted(missing)} in {fixture.name}"


def _oxigraph_count(graph: rdflib.Graph, text: str) -> int:
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return len(list(store.query(text)))


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_check_means_the_same_on_oxigraph(check, ontology: rdflib.Graph):
    fixture = parse(FIXTURES / f"bad-{check.id}.ttl")
    for graph in (ontology, fixture):
        assert _oxigraph_count(graph, check.text) == len(run_check(graph, check).rows)
