"""The W3C SPARQL test suites' query files, read at run time from ../shared/w3c-sparql-tests/.

Only the manifests decide what a file is: positive syntax tests and the queries of
evaluation tests are valid SPARQL queries; negative syntax tests are not. Update tests
are left out (the graph is read-only, so they are refused on purpose).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[2]
SUITE_ENV = "COLLABKG_W3C_SPARQL_TESTS"


def suite_dir() -> Path:
    """Where the suites are: $COLLABKG_W3C_SPARQL_TESTS, else ../shared beside the checkout."""
    if os.environ.get(SUITE_ENV):
        return Path(os.environ[SUITE_ENV])
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "w3c-sparql-tests"
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared" / "w3c-sparql-tests"


@dataclass(frozen=True)
class SuiteQuery:
    path: Path
    kind: str  # "positive", "negative", "evaluation"

    @property
    def name(self) -> str:
        return str(self.path.relative_to(suite_dir()))

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def suite_queries() -> tuple[SuiteQuery, ...]:
    import rdflib

    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    qt = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
    kinds = {
        mf.PositiveSyntaxTest: "positive",
        mf.PositiveSyntaxTest11: "positive",
        mf.NegativeSyntaxTest: "negative",
        mf.NegativeSyntaxTest11: "negative",
        mf.QueryEvaluationTest: "evaluation",
    }
    found: dict[Path, str] = {}
    root = suite_dir()
    for manifest in sorted(root.rglob("manifest*.ttl")):
        graph = rdflib.Graph()
        graph.parse(manifest, format="turtle", publicID=manifest.as_uri())
        for test_type, kind in kinds.items():
            for test in graph.subjects(rdflib.RDF.type, test_type):
                action = graph.value(test, mf.action)
                if action is None:
                    continue
                query = graph.value(action, qt.query) if kind == "evaluation" else action
                if query is None or not str(query).startswith("file:"):
                    continue
                path = Path(unquote(urlsplit(str(query)).path))
                if path.suffix == ".rq" and path.is_file():
                    found.setdefault(path, kind)
    return tuple(SuiteQuery(p, k) for p, k in sorted(found.items()))
