"""The data files of a project are listed without one Path comparison and system call per
file (a large part of checking one file among 70,000), in the order and with the files that
``sorted(rglob("*.ttl"))`` gives: folders whose names sort differently as text and as path
parts, hidden folders, links to files and folders, and folders named like Turtle files."""

from __future__ import annotations

from pathlib import Path

from collabkg.paths import ProjectPaths
from collabkg.validate.inputs import _turtle_files, project_inputs
from tests.support.project import make_project


def _tree(root: Path) -> None:
    for name in (
        "a/b.ttl",
        "a-b/c.ttl",
        "a.b/d.ttl",
        "A/e.ttl",
        ".hidden/f.ttl",
        "g.ttl",
        "a/deeper/h.ttl",
        "notes.txt",
        "x.TTL",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# x\n", encoding="utf-8")
    (root / "folder.ttl").mkdir()
    (root / "link.ttl").symlink_to(root / "g.ttl")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)


def test_the_listing_is_rglob_sorted(tmp_path: Path) -> None:
    root = tmp_path / "data"
    _tree(root)
    expected = sorted(p for p in root.rglob("*.ttl") if p.is_file())
    listed = _turtle_files(root)
    assert [p for p, _link in listed] == expected
    assert {p.name for p, link in listed if link} == {"link.ttl"}
    assert all(not p.is_dir() for p, _link in listed)


def test_the_template_is_left_out_even_through_a_link(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    project = ProjectPaths.discover(root)
    project.template.parent.mkdir(parents=True, exist_ok=True)
    if not project.template.exists():
        project.template.write_text("# template\n", encoding="utf-8")
    (project.data / "cases" / "copy-of-template.ttl").symlink_to(project.template)
    data = project_inputs(project).data
    assert data and all(p.resolve() != project.template.resolve() for p in data)
    assert data == tuple(sorted(data))
