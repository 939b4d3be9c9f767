"""``resolved_names`` (each folder resolved once) gives what resolving each path gives."""

from __future__ import annotations

from pathlib import Path

from collabkg.validate.inputs import resolved, resolved_names


def test_resolved_names_match_resolving_each_path(tmp_path: Path, monkeypatch) -> None:
    real = tmp_path / "real"
    (real / "cases").mkdir(parents=True)
    for name in ("a.ttl", "b.ttl"):
        (real / "cases" / name).write_text("", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.ttl"
    elsewhere.write_text("", encoding="utf-8")
    (tmp_path / "linked").symlink_to(real)  # a linked folder
    (real / "cases" / "link.ttl").symlink_to(elsewhere)  # a linked file
    monkeypatch.chdir(real)
    paths = [
        tmp_path / "linked" / "cases" / "a.ttl",
        real / "cases" / "b.ttl",
        real / "cases" / "link.ttl",
        Path("cases/a.ttl"),  # relative
        tmp_path / "linked" / "cases" / ".." / "cases" / "b.ttl",
        tmp_path / "linked" / "cases" / "missing.ttl",
    ]
    assert resolved_names(paths) == [str(resolved(p)) for p in paths]
    assert resolved_names(paths)[2] == str(elsewhere)
    assert Path(resolved_names(paths)[0]).parent == real / "cases"
