"""Fixtures for the ontology tests: the ontology graph, its checks, reasoning reports.

HermiT runs are slow (a second or more each), so each report is computed once per session.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

from collabkg.ontology import load_checks, load_ontology
from collabkg.reasoning import ReasoningReport, check_consistency, load_project_graph

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "ontology"
EXPECT = re.compile(r"^#\s*expect:\s*(.+)$", re.MULTILINE)
PREFIXES = {
    "ck": "https://w3id.org/collabkg/ontology#",
    "ckc": "https://w3id.org/collabkg/concept/",
    "ckd": "https://w3id.org/collabkg/id/",
}


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def expected_terms(path: Path) -> set[str]:
    """The IRIs a fixture's ``# expect:`` header line names."""
    match = EXPECT.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} needs a '# expect: ck:... ckc:...' header line"
    return {expand(word) for word in match.group(1).split()}


def parse(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def ontology() -> rdflib.Graph:
    return load_ontology(REPO)


@pytest.fixture(scope="session")
def checks():
    return load_checks(REPO)


@pytest.fixture(scope="session")
def ontology_report(ontology: rdflib.Graph) -> ReasoningReport:
    return check_consistency(ontology, with_ontology=False)


@pytest.fixture(scope="session")
def data_report() -> ReasoningReport:
    return check_consistency(load_project_graph(REPO), root=REPO)


@pytest.fixture(scope="session")
def defined_classes_report() -> ReasoningReport:
    return check_consistency(parse(FIXTURES / "defined-classes.ttl"), root=REPO)
