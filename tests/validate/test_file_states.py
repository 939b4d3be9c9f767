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


class _CountingDb:
    """A stand-in for the cache's sqlite connection that counts the reads of the table."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.selects = 0

    def execute(self, sql: str, *args: object) -> object:
        if sql.lstrip().upper().startswith("SELECT") and "FROM hashes" in sql:
            self.selects += 1
        return self.real.execute(sql, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_states_asked_again_in_one_command_do_not_read_the_table_again(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The regression: one incremental ``collabkg validate`` asked for the states of the
    same 7,000 files six times, each reading the whole table (0.32 s at 1M)."""
    monkeypatch.setattr(cache_module, "FEW_PATHS", 0)  # as with 7,000 files
    monkeypatch.setattr(cache_module, "_SEEN", {})
    folder = files[0].parent / ".collabkg-cache"
    first = Cache(folder)
    expected = [s.sha256 for s in first.states(files)]
    first.close()
    cache = Cache(folder)  # another Cache of the same folder, as the pipeline opens
    counting = _CountingDb(cache._db)
    monkeypatch.setattr(cache, "_db", counting)
    assert [s.sha256 for s in cache.states(files)] == expected
    assert counting.selects == 0
    # an edit is still seen (stat differs), and only that file is looked up and read
    files[2].write_text("# edited in between\n", encoding="utf-8")
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    again = [s.sha256 for s in cache.states(files)]
    assert again[2] == sha256(b"# edited in between\n")
    assert again[:2] + again[3:] == expected[:2] + expected[3:]
    assert reads == [files[2]]
    # a file rewritten within the racy window is never trusted from memory
    before = files[2].stat()
    files[2].write_text("# edited again!!!!!\n", encoding="utf-8")  # the same size
    os.utime(files[2], ns=(before.st_atime_ns, before.st_mtime_ns))  # and time, inode
    assert files[2].stat().st_ino == before.st_ino
    assert cache.states(files)[2].sha256 == sha256(b"# edited again!!!!!\n")
    cache.close()


def test_within_one_scan_each_file_is_looked_at_once(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 19): one incremental run at 1M looked at its 7,000 data files
    three times (the report's key, the incremental run, the pipeline's reads: 21,000
    ``stat`` calls). Inside :meth:`Cache.one_scan` a file already looked at is answered
    from that answer; outside it (the next command) an edit is seen again."""
    cache = Cache(files[0].parent / ".collabkg-cache")
    stats: list[str] = []
    real = Path.stat
    monkeypatch.setattr(
        Path, "stat", lambda self, **kw: stats.append(self.name) or real(self, **kw)
    )
    with cache.one_scan():
        first = cache.states(files)
        assert sorted(stats) == sorted(p.name for p in files)
        stats.clear()
        again = cache.states([*files[:3], files[0]])
        assert stats == []
        assert [s.sha256 for s in again] == [s.sha256 for s in [*first[:3], first[0]]]
        files[1].write_text("# changed meanwhile\n", encoding="utf-8")
        assert cache.states(files[1:2])[0].sha256 == first[1].sha256  # the one view
    after = cache.states(files[1:2])
    assert after[0].sha256 == sha256(b"# changed meanwhile\n")
    cache.close()


def test_one_incremental_validation_looks_at_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole command (``collabkg validate`` after one edited file): every file is
    looked at (stat-ed, hashed when changed) once, however many stages ask."""
    from collabkg.validate import validate
    from tests.support.synthetic import generate

    root = tmp_path / "project"
    generate.generate(root, 4_000)
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "no-texts"))
    validate(root=root)  # the base
    case = sorted((root / "data" / "cases").rglob("*.ttl"))[0]
    case.write_text("# edited\n" + case.read_text(encoding="utf-8"), encoding="utf-8")
    looked: list[str] = []
    real = Cache._states

    def counting(self: Cache, paths: list[Path]) -> list[object]:
        looked.extend(str(p) for p in paths)
        return real(self, paths)

    monkeypatch.setattr(Cache, "_states", counting)
    report = validate(root=root)
    assert report.files
    data = [str(p) for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl"]
    assert set(data) <= set(looked)
    assert [name for name in set(looked) if looked.count(name) > 1] == []
