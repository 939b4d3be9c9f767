"""Every ck:/ckc: term used in data/, shapes/ and queries/ is defined in the ontology.

The files are scanned as text (outside comments and strings), so the test runs on
whatever is there, even a file still being written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.ontology import defined_terms, files_using_terms, undefined_terms, used_terms
from tests.support.ontology import FIXTURES, REPO

FILES = files_using_terms(REPO)


@pytest.fixture(scope="module")
def defined(ontology) -> set[str]:
    return defined_terms(ontology)


@pytest.mark.parametrize(
    "path",
    FILES or [pytest.param(None, marks=pytest.mark.skip(reason="no data, shapes or queries yet"))],
    ids=[p.relative_to(REPO).as_posix() for p in FILES] or None,
)
def test_terms_used_are_defined(path: Path, defined: set[str]):
    wrong = undefined_terms([path], defined, root=REPO)
    assert not wrong, "terms not defined in the ontology:\n" + "\n".join(
        w.one_line() for w in wrong
    )


@pytest.mark.parametrize("doc", ["docs/modelling.md", "docs/ontology.md"])
def test_docs_use_defined_terms(doc: str, defined: set[str]):
    path = REPO / doc
    wrong = [u for u in used_terms(path, doc) if u.iri not in defined]
    assert not wrong, "\n".join(w.one_line() for w in wrong)


def test_scanner_finds_typos_and_ignores_comments_and_strings(defined: set[str]):
    wrong = undefined_terms(
        [FIXTURES / "uses-undefined-terms.ttl", FIXTURES / "uses-undefined-terms.rq"],
        defined,
        root=REPO,
    )
    found = {(Path(w.file).name, w.line, w.text) for w in wrong}
    assert found == {
        ("uses-undefined-terms.ttl", 10, "ck:Organsation"),
        ("uses-undefined-terms.ttl", 12, "ckc:pubicSector"),
        ("uses-undefined-terms.ttl", 13, "<https://w3id.org/collabkg/ontology#hasSectr>"),
        ("uses-undefined-terms.ttl", 14, "x:operatesInn"),
        ("uses-undefined-terms.rq", 7, "ck:hasFundr"),
    }
