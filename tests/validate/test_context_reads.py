"""Checking one file looks up its context files' syntax results as ONE record per project
state (70,000 records unpickled one by one cost about 7 s at 10M triples), and never uses a
record made for other content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from collabkg.cache import Cache
from collabkg.validate import validate
from tests.support.project import make_project


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("COLLABKG_NO_CACHE", raising=False)
    root = make_project(tmp_path / "project")
    good = root / "data" / "cases" / "good.ttl"
    for number in range(3):  # more context files
        shutil.copy(good, root / "data" / "cases" / f"other{number}.ttl")
    return root


def _edit(path: Path, note: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n# {note}\n", encoding="utf-8")


def test_a_one_file_check_unpickles_no_context_files_record(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = project / "data" / "cases" / "good.ttl"
    validate([case], root=project)  # every file's record, and the one for the context
    _edit(case, "edited")  # the report is not remembered: the check runs again
    asked: list[str] = []
    real = Cache.get_many

    def counting(self: Cache, keys: object) -> dict[str, object]:
        wanted = list(keys)  # type: ignore[call-overload]
        asked.extend(wanted)
        return real(self, wanted)

    monkeypatch.setattr(Cache, "get_many", counting)
    again = validate([case], root=project)
    assert len(asked) == 1  # the file checked, not the four others
    monkeypatch.setattr(Cache, "get_many", real)
    monkeypatch.setenv("COLLABKG_NO_CACHE", "1")
    fresh = validate([case], root=project)
    assert again.issues == fresh.issues
    assert again.notes == fresh.notes
    assert again.other_files_problems == fresh.other_files_problems


def test_a_changed_context_file_is_read_again_not_taken_from_the_record(project: Path) -> None:
    case = project / "data" / "cases" / "good.ttl"
    before = validate([case], root=project)
    assert not any("other1.ttl has errors" in note for note in before.notes)
    other = project / "data" / "cases" / "other1.ttl"
    other.write_text(other.read_text(encoding="utf-8") + "\nthis is not turtle .\n")
    _edit(case, "edited")
    after = validate([case], root=project)
    assert any("other1.ttl has errors" in note for note in after.notes)
