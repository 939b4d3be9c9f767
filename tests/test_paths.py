"""ProjectPaths: the files of the graph, and their names relative to the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.paths import TEMPLATE_NAME, ProjectPaths


def _project(tmp_path: Path) -> tuple[ProjectPaths, Path]:
    real = tmp_path / "real"
    for folder in ("ontology", "data/cases", "data/other"):
        (real / folder).mkdir(parents=True)
    (real / "ontology" / "core.ttl").write_text("", encoding="utf-8")
    for name in ("cases/a.ttl", "cases/b.ttl", "other/c.ttl", TEMPLATE_NAME):
        (real / "data" / name).write_text("", encoding="utf-8")
    outside = tmp_path / "outside.ttl"
    outside.write_text("", encoding="utf-8")
    (real / "data" / "cases" / "linked.ttl").symlink_to(outside)  # a linked file
    (real / "data" / "cases" / "copy-of-template.ttl").symlink_to(real / "data" / TEMPLATE_NAME)
    (tmp_path / "link").symlink_to(real)  # the project reached through a linked folder
    return ProjectPaths(real), tmp_path


def test_relative_many_gives_what_relative_gives_each_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, top = _project(tmp_path)
    monkeypatch.chdir(project.root)
    paths = [
        *project.graph_files(),
        top / "link" / "data" / "cases" / "a.ttl",  # through the linked folder
        top / "link" / "data" / "cases" / ".." / "other" / "c.ttl",
        Path("data/cases/b.ttl"),  # relative to the working folder
        top / "outside.ttl",
    ]
    assert project.relative_many(paths) == [project.relative(p) for p in paths]
    assert project.relative_many([top / "link" / "data" / "cases" / "a.ttl"]) == [
        "data/cases/a.ttl"
    ]


def test_graph_files_leave_out_the_template_and_links_to_it(tmp_path: Path) -> None:
    project, _top = _project(tmp_path)
    names = [project.relative(p) for p in project.graph_files()]
    assert "data/" + TEMPLATE_NAME not in names
    assert "data/cases/copy-of-template.ttl" not in names
    assert "data/cases/a.ttl" in names
    assert "data/cases/linked.ttl" in names  # a link to a file outside: where the link is


def test_files_already_found_are_not_looked_at_again_when_the_graph_is_loaded(
    mini_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (a query at 10M stat-ed its 70,000 files again to tell files from folders,
    1.6 s, after the validation had found them): the files a project's graph is made of,
    found once, are loaded as they are; folders named on a command line are still
    expanded."""
    from collabkg.graph import graph_files
    from collabkg.paths import GraphFiles, ProjectPaths
    from collabkg.project import load_graph

    found = ProjectPaths.discover(mini_root).graph_files()
    assert isinstance(found, GraphFiles) and found
    looked_at: list[object] = []
    real_is_dir = Path.is_dir

    def is_dir(self: Path) -> bool:
        looked_at.append(self)
        return real_is_dir(self)

    monkeypatch.setattr(Path, "is_dir", is_dir)
    _project, again = graph_files(mini_root, found)
    assert again == found and not looked_at
    with load_graph(mini_root) as graph:
        assert graph.files
    assert not [p for p in looked_at if str(p).endswith(".ttl")], looked_at
    _project, expanded = graph_files(mini_root, [mini_root / "data"])
    assert expanded and all(p.suffix == ".ttl" for p in expanded)
    assert set(expanded) <= set(found)


def test_a_link_in_the_project_to_a_file_outside_it_is_named_where_the_link_is(
    tmp_path: Path,
) -> None:
    project, _top = _project(tmp_path)
    link = project.root / "data" / "cases" / "linked.ttl"
    assert project.relative(link) == "data/cases/linked.ttl"  # was the target's /…/outside.ttl
    assert project.relative_many([link]) == ["data/cases/linked.ttl"]
    assert project.graph_iri(link).endswith("/graph/data/cases/linked.ttl")
