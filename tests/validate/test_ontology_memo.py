"""The ontology is read once per process for the same files, and again when one changes
(the explorer, a server and the test suite validate many times over one ontology)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.validate import pipeline, validate
from tests.support.project import make_project

CK = "https://w3id.org/collabkg/ontology#"
NEW_TERM = f"<{CK}hasMemoProbe>"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLLABKG_NO_CACHE", "1")  # no remembered report: every run runs
    monkeypatch.setattr(pipeline, "_ONTOLOGIES", {})
    root = make_project(tmp_path / "project")
    case = root / "data" / "cases" / "good.ttl"
    text = case.read_text(encoding="utf-8").rstrip()
    assert text.endswith(".")
    case.write_text(text[:-1] + f';\n    {NEW_TERM} "probe" .\n', encoding="utf-8")
    return root


def _mentions_new_term(root: Path) -> bool:
    report = validate(root=root)
    return any("hasMemoProbe" in f"{i.message} {i.value} {i.path}" for i in report.issues)


def test_the_ontology_is_read_once_per_process_not_once_per_run(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = pipeline._ontology_graph
    monkeypatch.setattr(pipeline, "_ontology_graph", lambda parsed: built.append(1) or real(parsed))
    first = _mentions_new_term(project)
    second = _mentions_new_term(project)
    assert first and second  # the same report both times: the term is not defined
    assert built == [1]


def test_an_edited_ontology_is_read_again(project: Path) -> None:
    assert _mentions_new_term(project)  # not defined yet: reported
    ontology = project / "ontology" / "collabkg.ttl"
    ontology.write_text(
        ontology.read_text(encoding="utf-8")
        + f"\n{NEW_TERM} a <http://www.w3.org/2002/07/owl#DatatypeProperty> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#label> "memo probe"@en ;\n'
        "    <http://www.w3.org/2004/02/skos/core#definition> "
        '"a relation that tests the ontology memo."@en .\n',
        encoding="utf-8",
    )
    assert not _mentions_new_term(project)  # defined now: a stale ontology would say it is not
