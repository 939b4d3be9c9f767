"""A remembered report does not depend on the folder a command runs from unless it names a
file from there (one outside the project).

Regression: the report's key held the folder the command ran in, always; the explorer started
from the repository after ``collabkg query`` had run in the project (or the benchmark's
commands, run from the repository) validated every file again: 4 minutes at 10M triples.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from collabkg.paths import ProjectPaths
from collabkg.validate import cached, validate
from collabkg.validate.inputs import display_name, named_in_project
from tests.support.paths import FIXTURES


def _runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per validation that checked files (neither remembered nor incremental)."""
    runs: list[int] = []
    real = cached.run

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cached, "run", counted)
    return runs


def _names(report: object) -> list[tuple[str | None, int | None, str]]:
    return [(i.file, i.line, i.message) for i in report.issues]  # type: ignore[attr-defined]


@pytest.mark.parametrize("texts", [False, True], ids=["no-source-texts", "source-texts-beside"])
def test_a_report_is_remembered_whatever_folder_the_command_runs_from(
    mini_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, texts: bool
) -> None:
    """The source texts sit outside the project (``../shared/seeds``): their contents key
    the report, but the report names none of them by a path from where the command runs
    (regression: with texts beside the project, the folder was in the key again)."""
    monkeypatch.delenv("COLLABKG_SEEDS", raising=False)
    if texts:
        seeds = mini_copy.parent / "shared" / "seeds"
        seeds.mkdir(parents=True)
        (seeds / "a-source.txt").write_text("A source's words.\n", encoding="utf-8")
    runs = _runs(monkeypatch)
    broken = mini_copy / "data" / "cases" / "broken.ttl"
    shutil.copy(FIXTURES / "bad" / "01-missing-final-dot.ttl", broken)
    monkeypatch.chdir(mini_copy)
    first = validate(root=mini_copy)
    assert runs == [1]
    assert any(i.file == "data/cases/broken.ttl" for i in first.issues)
    for folder in (mini_copy / "data", tmp_path, Path("/")):
        monkeypatch.chdir(folder)
        again = validate(root=mini_copy)
        assert _names(again) == _names(first), folder
    assert runs == [1]  # remembered each time, from each folder
    # after an edit, from another folder: the files the change can affect, checked again
    case = mini_copy / "data" / "cases" / "riverside.ttl"
    case.write_text("# edited\n" + case.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert _names(validate(root=mini_copy)) == _names(first)
    assert runs == [1]  # incremental: the base was found from this folder too
    # one file of the project, named relative to where the command runs: the same report
    monkeypatch.chdir(mini_copy / "data")
    one = validate(["cases/broken.ttl"], root=mini_copy)
    monkeypatch.chdir(mini_copy)
    assert _names(validate(["data/cases/broken.ttl"], root=mini_copy)) == _names(one)
    assert runs == [1, 1]


def test_a_file_outside_the_project_is_named_from_each_folder_the_command_runs_from(
    mini_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = _runs(monkeypatch)
    outside = tmp_path / "drafts" / "new-case.ttl"
    outside.parent.mkdir()
    shutil.copy(FIXTURES / "bad" / "01-missing-final-dot.ttl", outside)
    monkeypatch.chdir(tmp_path)
    here = validate([outside], root=mini_copy)
    monkeypatch.chdir(outside.parent)
    there = validate([outside], root=mini_copy)
    assert {i.file for i in here.issues if i.file} == {"drafts/new-case.ttl"}
    assert {i.file for i in there.issues if i.file} == {"new-case.ttl"}
    assert runs == [1, 1]


def test_a_path_is_named_in_the_project_only_when_written_under_its_root(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "ontology").mkdir()
    project = ProjectPaths.discover(root)
    inside = project.root / "data" / "a.ttl"
    assert named_in_project(project, inside) == "data/a.ttl"
    assert named_in_project(project, project.root / "data" / ".." / "data" / "a.ttl") == (
        "data/a.ttl"
    )
    assert named_in_project(project, project.root / "data" / ".hidden.ttl") == "data/.hidden.ttl"
    for elsewhere in (
        project.root / ".." / "a.ttl",
        Path(str(project.root) + "-other") / "a.ttl",
        Path("data/a.ttl"),  # relative: read from where the command runs
    ):
        assert named_in_project(project, elsewhere) is None, elsewhere
    # a link in the project to a file outside it is named as itself, from any folder; one
    # to a file in the project, as that file (the names the incremental base keeps)
    target = tmp_path / "elsewhere.ttl"
    target.write_text("", encoding="utf-8")
    link = project.root / "data" / "link.ttl"
    link.symlink_to(target)
    assert display_name(project, link) == "data/link.ttl"
    inner = project.root / "data" / "inner.ttl"
    inner.symlink_to(inside)
    assert display_name(project, inner) == "data/a.ttl"
    assert named_in_project(project, inner) is not None  # from any folder alike
