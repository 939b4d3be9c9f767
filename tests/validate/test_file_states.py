"""The hashes of a few files (the ontology's, looked up on every run) are found by name,
not by reading the whole table of a 70,000-file project: a known, unchanged file is not
read again, a changed one is, whichever way it was looked up."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from collabkg import cache as cache_module
from collabkg.cache import Cache, sha256


@pytest.fixture()
def files(tmp_path: Path) -> list[Path]:
    out = []
    old = time.time() - 60  # older than the racy window: its hash is trusted
    for number in range(5):
        path = tmp_path / "project" / f"f{number}.ttl"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"# file {number}\n", encoding="utf-8")
        os.utime(path, (old, old))
        out.append(path)
    return out


@pytest.mark.parametrize("few", [0, 500])
def test_known_files_are_not_read_again_and_changed_ones_are(
    files: list[Path], few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "FEW_PATHS", few)  # 0: the whole table is read
    cache = Cache(files[0].parent / ".collabkg-cache")
    assert cache.states([]) == []
    first = cache.states(files)
    assert [s.sha256 for s in first] == [sha256(p.read_bytes()) for p in files]
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    assert [s.sha256 for s in cache.states(files[:2])] == [s.sha256 for s in first[:2]]
    assert reads == []
    files[1].write_text("# changed\n", encoding="utf-8")
    again = cache.states(files[:2])
    assert reads == [files[1]]
    assert again[1].sha256 == sha256(b"# changed\n") != first[1].sha256
    cache.close()
