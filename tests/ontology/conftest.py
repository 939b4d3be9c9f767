"""Fixtures for the ontology tests: the ontology graph, its checks, reasoning reports.

HermiT runs are slow (a second or more each), so each report is computed once per session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from collabkg.ontology import load_checks, load_ontology
from collabkg.reasoning import ReasoningReport, check_consistency, load_project_graph
from tests.support.ontology import FIXTURES, REPO, parse


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
