"""A checked file that no longer describes an ID other files use: ``collabkg validate
data/sources.ttl`` after renaming a source said OK (it checked that file alone), while every
case citing the old ID linked to nothing and ``collabkg stats`` refused the graph; the
pre-commit hook, which runs the same check, let the commit through."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.validate import Severity, validate
from collabkg.validate.removed import CODE

SOURCE = "ckd:src-fx-report"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def committed(small_copy: Path) -> Path:
    _git(small_copy, "init", "-q")
    _git(small_copy, "add", "-A")
    _git(small_copy, "commit", "-qm", "start")
    return small_copy


def _rename_source(root: Path, new: str) -> Path:
    sources = root / "data" / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    assert f"\n{SOURCE} " in text or f"\n{SOURCE}\n" in text  # described at a line's start
    sources.write_text(text.replace(SOURCE, new), encoding="utf-8")
    return sources


def test_a_renamed_source_passed_its_files_check_while_its_citations_broke(
    committed: Path, capsys: pytest.CaptureFixture[str]
):
    sources = _rename_source(committed, "ckd:src-fx-report-2021")
    report = validate([sources], root=committed)
    [issue] = [i for i in report.issues if i.code == CODE]
    assert issue.file == "data/sources.ttl" and issue.severity is Severity.VIOLATION
    assert f"{SOURCE} is no longer described in this file" in issue.message
    assert "data/cases/good.ttl (lines " in issue.message
    assert f"rename {SOURCE} in those files too" in (issue.hint or "")
    assert not report.ok()
    assert main(["--root", str(committed), "validate", str(sources)]) == 1
    assert "no longer described" in capsys.readouterr().out
    # renamed everywhere, as the message says: nothing to report
    good = committed / "data" / "cases" / "good.ttl"
    good.write_text(
        good.read_text(encoding="utf-8").replace(SOURCE, "ckd:src-fx-report-2021"),
        encoding="utf-8",
    )
    report = validate([sources], root=committed)
    assert not [i for i in report.issues if i.code == CODE]


def test_an_item_moved_to_another_file_is_not_removed(committed: Path):
    cases = committed / "data" / "cases"
    good = cases / "good.ttl"
    text = good.read_text(encoding="utf-8")
    block = text[text.index("ckd:fx-good-place a") :]
    block = block[: block.index("\n\n") + 1]
    good.write_text(text.replace(block, ""), encoding="utf-8")
    prefixes = "".join(line + "\n" for line in text.splitlines() if line.startswith("@prefix"))
    (cases / "places.ttl").write_text(prefixes + "\n" + block, encoding="utf-8")
    report = validate([good], root=committed)
    assert not [i for i in report.issues if i.code == CODE]


def test_outside_git_there_is_nothing_to_compare_with(small_copy: Path):
    sources = _rename_source(small_copy, "ckd:src-fx-report-2021")
    report = validate([sources], root=small_copy)
    assert not [i for i in report.issues if i.code == CODE]
