"""The indexed ontology is kept in the project's cache by content: a new process checking a
file does not parse and index the ontology again, and an edited ontology is built again."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.validate import pipeline, validate
from collabkg.validate.memo import ContentMemo
from tests.support.project import make_project

CK = "https://w3id.org/collabkg/ontology#"
NEW_TERM = f"<{CK}hasCacheProbe>"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COLLABKG_NO_CACHE", raising=False)
    monkeypatch.setattr(pipeline, "ONTOLOGIES", ContentMemo())
    root = make_project(tmp_path / "project")
    case = root / "data" / "cases" / "good.ttl"
    text = case.read_text(encoding="utf-8").rstrip()
    case.write_text(text[:-1] + f';\n    {NEW_TERM} "probe" .\n', encoding="utf-8")
    return root


@pytest.fixture()
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count: list[int] = []
    real = pipeline._ontology_graph
    monkeypatch.setattr(pipeline, "_ontology_graph", lambda parsed: count.append(1) or real(parsed))
    return count


def _check(root: Path, monkeypatch: pytest.MonkeyPatch, note: str) -> bool:
    """A one-file check in a "new process" (no ontology in memory; the case edited so that
    no report is remembered): does it report the probe term as undefined?"""
    monkeypatch.setattr(pipeline, "ONTOLOGIES", ContentMemo())
    case = root / "data" / "cases" / "good.ttl"
    case.write_text(case.read_text(encoding="utf-8") + f"\n# {note}\n", encoding="utf-8")
    report = validate([case], root=root)
    return any("hasCacheProbe" in f"{i.message} {i.value} {i.path}" for i in report.issues)


def test_a_new_process_takes_the_ontology_from_the_cache(
    project: Path, built: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _check(project, monkeypatch, "one")
    assert _check(project, monkeypatch, "two")  # the same answer from the kept ontology
    assert built == [1]


def test_an_edited_ontology_is_built_again(
    project: Path, built: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _check(project, monkeypatch, "one")
    ontology = project / "ontology" / "collabkg.ttl"
    ontology.write_text(
        ontology.read_text(encoding="utf-8")
        + f"\n{NEW_TERM} a <http://www.w3.org/2002/07/owl#DatatypeProperty> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#label> "cache probe"@en ;\n'
        "    <http://www.w3.org/2004/02/skos/core#definition> "
        '"a relation that tests the ontology cache."@en .\n',
        encoding="utf-8",
    )
    assert not _check(project, monkeypatch, "two")  # defined now: not a stale ontology
    assert built == [1, 1]
