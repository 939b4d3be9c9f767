"""Helpers of the ontology tests: fixture files, their ``# expect:`` lines, parsing."""

from __future__ import annotations

import re
from pathlib import Path

import rdflib

from tests.support.paths import REPO

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


__all__ = ["EXPECT", "FIXTURES", "PREFIXES", "REPO", "expand", "expected_terms", "parse"]
