"""Shared fixtures for the canned-query tests: the catalogue, the fixture graph, the real graph."""

from __future__ import annotations

import pytest

from collabkg.catalogue import Catalogue
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.project import load_graph
from tests.support.queries import FIXTURE, REPO, Runner


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.load(REPO)


@pytest.fixture(scope="session")
def fixture_graph() -> KnowledgeGraph:
    """The small invented world of tests/fixtures/queries/*.ttl (its own mini vocabulary)."""
    return load_graph(FIXTURE, paths=[FIXTURE], allow_invalid=True)


@pytest.fixture(scope="session")
def real_graph() -> KnowledgeGraph:
    """Ontology, concept schemes and every data file of the project."""
    return load_graph(REPO, allow_invalid=True)


@pytest.fixture(scope="session")
def run_fixture(fixture_graph: KnowledgeGraph, catalogue: Catalogue) -> Runner:
    def run(query_id: str, **params: str) -> QueryResult:
        query = catalogue.get(query_id)
        return fixture_graph.select(query.text, query.bind(params))

    return run


@pytest.fixture(scope="session")
def run_real(real_graph: KnowledgeGraph, catalogue: Catalogue) -> Runner:
    def run(query_id: str, **params: str) -> QueryResult:
        query = catalogue.get(query_id)
        return real_graph.select(query.text, query.bind(params, graph=real_graph))

    return run
