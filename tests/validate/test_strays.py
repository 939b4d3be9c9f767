"""A file under data/ named like Turtle but not ``*.ttl`` (``case.TTL``, ``case.turtle``)
passed ``collabkg validate`` when named and was left out of the graph without a word (the
whole check and a folder's skipped it): an error everywhere now, and a load refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.errors import ValidationFailed
from collabkg.project import load_graph
from collabkg.validate import Severity, validate
from collabkg.validate.strays import CODE, is_stray


def _stray(root: Path, name: str) -> Path:
    good = root / "data" / "cases" / "good.ttl"
    copy = good.with_name(name)
    # the same items under a case ID of its own: a valid file in all but its name
    copy.write_text(
        good.read_text(encoding="utf-8").replace("ckd:case-good", "ckd:case-copy"),
        encoding="utf-8",
    )
    return copy


@pytest.mark.slow
@pytest.mark.parametrize("name", ["copy.TTL", "copy.turtle"])
def test_a_file_named_like_turtle_but_not_ttl_was_checked_and_never_loaded(
    small_copy: Path, name: str
):
    stray = _stray(small_copy, name)
    shown = f"data/cases/{name}"
    for report in (
        validate([stray], root=small_copy),  # named
        validate([stray.parent], root=small_copy),  # its folder named
        validate(root=small_copy),  # the whole data
    ):
        [issue] = [i for i in report.issues if i.code == CODE]
        assert issue.file == shown and issue.severity is Severity.VIOLATION
        assert "rename it to copy.ttl" in (issue.hint or "")
        assert not report.ok()
    with pytest.raises(ValidationFailed) as refused:
        load_graph(small_copy)
    assert shown in str(refused.value.file or "") + str(refused.value.hint or "")
    # renamed as the message says, it is read and loads
    stray.rename(stray.with_name("copy.ttl"))
    graph = load_graph(small_copy)
    assert graph.ask("ASK { <https://w3id.org/collabkg/id/case-copy> ?p ?o }")
    graph.close()


def test_the_cli_exits_1_and_names_the_file(small_copy: Path, capsys: pytest.CaptureFixture[str]):
    _stray(small_copy, "copy.TTL")
    assert main(["--root", str(small_copy), "validate"]) == 1
    out = capsys.readouterr().out
    assert "data/cases/copy.TTL" in out and "not part of the graph" in out


def test_only_turtle_like_names_under_data_count(small_copy: Path, tmp_path: Path):
    assert is_stray(Path("a.TTL")) and is_stray(Path("a.turtle"))
    assert not any(is_stray(Path(n)) for n in ("a.ttl", "a.txt", "README.md", "a.ttl.bak"))
    # a file checked from outside the project (an edited copy) is not the graph's business
    outside = tmp_path / "elsewhere" / "copy.TTL"
    outside.parent.mkdir()
    shutil.copy(small_copy / "data" / "cases" / "good.ttl", outside)
    report = validate([outside], root=small_copy)
    assert not [i for i in report.issues if i.code == CODE]
