"""The ontology and the shapes are read once per process for the same content, and again
when a file changes (the explorer, a server and the test suite validate many times over one
ontology, often from copies of one project)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from collabkg import shacl_sparql
from collabkg.validate import pipeline, shacl_run, validate
from collabkg.validate.memo import ContentMemo
from tests.support.paths import BAD
from tests.support.project import make_project

CK = "https://w3id.org/collabkg/ontology#"
NEW_TERM = f"<{CK}hasMemoProbe>"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLLABKG_NO_CACHE", "1")  # no remembered report: every run runs
    monkeypatch.setattr(pipeline, "ONTOLOGIES", ContentMemo())
    monkeypatch.setattr(pipeline, "SHAPES", ContentMemo())
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


def test_a_copy_of_the_project_in_another_folder_reuses_the_ontology_and_shapes(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memo is keyed by the files' content, not by where they are: a test's temporary
    copy, or a second checkout, does not read and compile the same ontology again."""
    built: list[str] = []
    real_graph, real_shapes = pipeline._ontology_graph, pipeline.load_shapes
    monkeypatch.setattr(
        pipeline, "_ontology_graph", lambda parsed: built.append("ontology") or real_graph(parsed)
    )
    monkeypatch.setattr(
        pipeline, "load_shapes", lambda files: built.append("shapes") or real_shapes(files)
    )
    copy = tmp_path / "elsewhere" / "project"
    shutil.copytree(project, copy)
    assert _mentions_new_term(project)
    assert _mentions_new_term(copy)  # the same report from the copy
    assert built == ["ontology", "shapes"]


def _funder_messages(root: Path) -> set[str]:
    report = validate(root=root)
    return {
        i.message
        for i in report.issues
        if i.code == "shacl.MinCount" and i.path and "hasFunder" in i.path
    }


def test_a_shapes_file_edited_to_the_same_size_and_time_is_read_again(project: Path) -> None:
    """Regression: the shapes were remembered by (path, modification time, size), so an edit
    that kept the size, saved within the file system's time resolution (here: the time set
    back), validated against the old shapes."""
    shutil.copy(BAD / "49-missing-funder.ttl", project / "data" / "cases" / "49-missing-funder.ttl")
    funding = project / "shapes" / "funding.ttl"
    before = _funder_messages(project)
    assert any("A funding stream needs a funder" in m for m in before), before
    stat = funding.stat()
    text = funding.read_text(encoding="utf-8")
    edited = text.replace("A funding stream needs a funder", "A FUNDING STREAM NEEDS A FUNDER")
    assert edited != text and len(edited.encode()) == len(text.encode())
    funding.write_text(edited, encoding="utf-8")
    os.utime(funding, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = _funder_messages(project)
    assert any("A FUNDING STREAM NEEDS A FUNDER" in m for m in after), after


def test_the_shapes_are_compiled_once_per_content(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[int] = []
    monkeypatch.setattr(shacl_run, "_COMPILED", {})
    real = shacl_sparql.compile_shapes
    monkeypatch.setattr(
        shacl_sparql, "compile_shapes", lambda shapes: compiled.append(1) or real(shapes)
    )
    copy = tmp_path / "elsewhere" / "project"
    shutil.copytree(project, copy)
    first, second = validate(root=project), validate(root=copy)
    assert "shacl" in first.stages and "shacl" in second.stages
    assert [i.message for i in first.issues if i.code.startswith("shacl.")] == [
        i.message for i in second.issues if i.code.startswith("shacl.")
    ]
    assert compiled == [1]
