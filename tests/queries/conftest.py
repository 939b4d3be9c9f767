"""Shared fixtures for the canned-query tests: the catalogue, the fixture graph, the real graph."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef

from collabkg.catalogue import Catalogue
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.project import load_graph
from collabkg.terms import compact

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "queries"

Row = dict[str, object]


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


def plain(value: object) -> object:
    """A result term as a test compares it: CURIEs for IRIs, Python values for literals."""
    if value is None:
        return None
    if isinstance(value, URIRef):
        return compact(str(value))
    if isinstance(value, BNode):
        return "_:"
    if isinstance(value, Literal):
        return value.toPython() if value.datatype is not None else str(value)
    return value


def canon(value: object, separators: tuple[str, ...] = ("; ",)) -> object:
    """GROUP_CONCAT leaves the order of the joined parts to the engine: sort them (also in
    a list written inside parentheses, as in "no named party (forum: a; b)")."""
    if not isinstance(value, str):
        return value
    wrapped = re.fullmatch(r"(.*\(\w+: )(.*)(\))", value, flags=re.DOTALL)
    if wrapped is not None and "; " in wrapped.group(2):
        inner = canon(wrapped.group(2), separators)
        return f"{wrapped.group(1)}{inner}{wrapped.group(3)}"
    for separator in separators:
        if separator in value:
            return separator.join(sorted(value.split(separator)))
    return value


def rows_of(
    result: QueryResult, separators: Mapping[str, tuple[str, ...]] | None = None
) -> list[Row]:
    """Every row, every projected column, in the engine's order, concatenations sorted."""
    extra = separators or {}
    return [
        {var: canon(plain(row.get(var)), ("; ", *extra.get(var, ()))) for var in result.vars}
        for row in result.rows
    ]


Runner = Callable[..., QueryResult]


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
