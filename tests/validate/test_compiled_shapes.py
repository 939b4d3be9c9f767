"""The shapes are parsed and compiled once per content, kept in the project's cache: a
one-file check at 10M triples has about a second, and parsing and compiling them cost half
of it on every run. An edited shapes file is compiled again; reports stay the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.cache import Cache
from collabkg.validate import compiled_shapes, pipeline, validate
from collabkg.validate.memo import ContentMemo
from tests.support.project import make_project


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COLLABKG_NO_CACHE", raising=False)
    monkeypatch.setattr(pipeline, "SHAPES", ContentMemo())
    return make_project(tmp_path / "project")


@pytest.fixture()
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry each time the shapes are parsed and compiled."""
    count: list[int] = []
    real = compiled_shapes._build
    monkeypatch.setattr(
        compiled_shapes, "_build", lambda files, load: count.append(1) or real(files, load)
    )
    return count


def _shapes(root: Path) -> list[Path]:
    return sorted((root / "shapes").glob("*.ttl"))


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "SHAPES", ContentMemo())


def test_shapes_are_compiled_once_per_content_across_processes(
    project: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache.open(project)
    assert cache is not None
    first_graph, first_compiled = compiled_shapes.shapes_and_compiled(_shapes(project), cache)
    _new_process(monkeypatch)
    graph, compiled = compiled_shapes.shapes_and_compiled(_shapes(project), cache)
    assert builds == [1]
    assert set(graph) == set(first_graph) and len(graph) > 0
    assert type(compiled) is type(first_compiled)
    cache.close()


def test_an_edited_shapes_file_is_compiled_again(
    project: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache.open(project)
    assert cache is not None
    before, _compiled = compiled_shapes.shapes_and_compiled(_shapes(project), cache)
    shapes_file = _shapes(project)[0]
    shapes_file.write_text(
        shapes_file.read_text(encoding="utf-8")
        + '\n<urn:x:probe> <http://www.w3.org/2000/01/rdf-schema#comment> "edited" .\n',
        encoding="utf-8",
    )
    _new_process(monkeypatch)
    after, _compiled = compiled_shapes.shapes_and_compiled(_shapes(project), cache)
    assert builds == [1, 1]
    assert len(after) == len(before) + 1
    cache.close()


def test_a_check_after_a_data_edit_compiles_no_shapes_and_reports_the_same(
    project: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    case = project / "data" / "cases" / "good.ttl"
    validate([case], root=project)  # compiles the shapes and keeps them in the cache
    assert builds == [1]
    case.write_text(
        case.read_text(encoding="utf-8") + "\n# edited\n",
        encoding="utf-8",
    )
    _new_process(monkeypatch)
    from_cache = validate([case], root=project)  # a new report: the file changed
    assert builds == [1]
    monkeypatch.setenv("COLLABKG_NO_CACHE", "1")
    _new_process(monkeypatch)
    fresh = validate([case], root=project)
    assert builds == [1, 1]
    assert "shacl" in from_cache.stages
    assert from_cache.issues == fresh.issues
    assert from_cache.counts() == fresh.counts()
