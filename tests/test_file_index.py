"""The index of the project's data files (collabkg/file_index.py): a file edited, added or
deleted since the last scan is always seen, however the index was left; a missing, corrupt
or truncated index is rebuilt; the index is replaced atomically."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from collabkg import file_index
from collabkg.file_index import INDEX_NAME, MAGIC, mix, scan


def _project(tmp_path: Path, count: int = 5, *, old: bool = True) -> Path:
    root = tmp_path / "project"
    for number in range(count):
        path = root / "data" / "cases" / f"{number % 2}" / f"case-{number}.ttl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# case {number}\n", encoding="utf-8")
        if old:  # older than the racy window: the index may trust its hash
            stamp = time.time() - 60
            os.utime(path, (stamp, stamp))
    (root / "data" / "TEMPLATE.ttl").write_text("# the template\n", encoding="utf-8")
    return root


def _truth(root: Path) -> dict[str, str]:
    """What every data file holds now, read afresh."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "data").rglob("*.ttl"))
        if p.name != "TEMPLATE.ttl"
    }


def _seen(root: Path, index: Path) -> dict[str, str]:
    listing = scan(root, index)
    seen = {name: listing.sha256(name) or "" for name in listing.names}
    expected_total = sum(mix(n, bytes.fromhex(s)) for n, s in seen.items()) % (1 << 128)
    assert listing.total == expected_total
    return seen


def test_the_listing_names_every_data_file_but_the_template_in_the_pipelines_order(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path)
    listing = scan(root, tmp_path / INDEX_NAME)
    assert listing.names == sorted(_truth(root), key=lambda n: n.split("/"))
    assert listing.plain
    assert _seen(root, tmp_path / INDEX_NAME) == _truth(root)


def test_an_unchanged_project_is_not_read_again(tmp_path: Path) -> None:
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    assert scan(root, index).hashed == 5
    again = scan(root, index)
    assert again.hashed == 0
    assert {n: again.sha256(n) for n in again.names} == _truth(root)


def test_edited_added_and_deleted_files_are_seen_through_a_stale_index(tmp_path: Path) -> None:
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    edited = root / "data" / "cases" / "0" / "case-0.ttl"
    edited.write_text("# case 0, edited and longer\n", encoding="utf-8")
    (root / "data" / "cases" / "1" / "case-1.ttl").unlink()
    (root / "data" / "cases" / "new.ttl").write_text("# new\n", encoding="utf-8")
    assert _seen(root, index) == _truth(root)
    assert _seen(root, index) == _truth(root)  # and the index written then is right too


def test_a_same_size_edit_within_the_same_second_is_seen(tmp_path: Path) -> None:
    """A file rewritten with as many bytes and its old modification time (as within one
    clock tick): a hash taken just before cannot be trusted, so it is taken again."""
    root = _project(tmp_path, old=False)
    index = tmp_path / INDEX_NAME
    path = root / "data" / "cases" / "0" / "case-0.ttl"
    before = path.stat()
    scan(root, index)
    path.write_text("# case X\n", encoding="utf-8")  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert _seen(root, index) == _truth(root)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),
        lambda data: b"not an index at all\n",
        lambda data: MAGIC + hashlib.sha256(b"x").hexdigest().encode() + b"\nx",
    ],
    ids=["empty", "truncated", "one-bit-flipped", "foreign", "not-marshal"],
)
def test_a_damaged_index_is_rebuilt_from_the_files(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    edited = root / "data" / "cases" / "0" / "case-0.ttl"
    edited.write_text("# edited\n", encoding="utf-8")
    stamp = time.time() - 30  # old enough for its new hash to be trusted next time
    os.utime(edited, (stamp, stamp))
    index.write_bytes(damage(index.read_bytes()))
    listing = scan(root, index)
    assert listing.hashed == 5  # nothing trusted
    assert {n: listing.sha256(n) for n in listing.names} == _truth(root)
    assert scan(root, index).hashed == 0  # and a good index written in its place


def test_a_missing_index_is_rebuilt(tmp_path: Path) -> None:
    root = _project(tmp_path)
    index = tmp_path / "cache" / INDEX_NAME
    assert _seen(root, index) == _truth(root)
    assert index.is_file()
    index.unlink()
    assert _seen(root, index) == _truth(root)


def test_the_index_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails leaves the old index whole and no temporary file behind."""
    monkeypatch.setattr(file_index, "KEEP_AFTER", 0)  # rewritten after any change
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    before = index.read_bytes()
    added = root / "data" / "cases" / "added.ttl"
    added.write_text("# added\n", encoding="utf-8")
    stamp = time.time() - 60  # old enough to be worth keeping in the index
    os.utime(added, (stamp, stamp))
    tried: list[Path] = []
    real_replace = Path.replace

    def fail(self: Path, target: object) -> Path:
        tried.append(self)
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    assert _seen(root, index) == _truth(root)  # the scan itself is right
    assert tried  # a new index was written, and its renaming failed
    assert index.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".files-")] == []
    monkeypatch.setattr(Path, "replace", real_replace)
    assert _seen(root, index) == _truth(root)


def test_links_under_data_make_the_listing_not_plain(tmp_path: Path) -> None:
    root = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere.ttl"
    elsewhere.write_text("# elsewhere\n", encoding="utf-8")
    (root / "data" / "cases" / "linked.ttl").symlink_to(elsewhere)
    assert not scan(root, None).plain


def test_the_mix_sum_changes_with_any_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    totals = {scan(root, index).total}
    (root / "data" / "cases" / "0" / "case-0.ttl").write_text("# other\n", encoding="utf-8")
    totals.add(scan(root, index).total)
    (root / "data" / "cases" / "0" / "case-0.ttl").rename(root / "data" / "cases" / "moved.ttl")
    totals.add(scan(root, index).total)
    (root / "data" / "cases" / "moved.ttl").unlink()
    totals.add(scan(root, index).total)
    assert len(totals) == 4
    assert file_index.MODULUS == 1 << 128


def test_a_file_written_just_now_is_hashed_again_by_the_next_scan(tmp_path: Path) -> None:
    """Its hash is not kept (nor trusted) until it is older than the racy window."""
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    before = index.read_bytes()
    (root / "data" / "cases" / "now.ttl").write_text("# now\n", encoding="utf-8")
    assert scan(root, index).hashed == 1
    assert index.read_bytes() == before  # nothing worth keeping yet
    (root / "data" / "cases" / "now.ttl").write_text("# new\n", encoding="utf-8")
    assert _seen(root, index) == _truth(root)


def test_a_deleted_file_is_dropped_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_index, "KEEP_AFTER", 0)
    root = _project(tmp_path)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    (root / "data" / "cases" / "1" / "case-1.ttl").unlink()
    assert _seen(root, index) == _truth(root)
    listing = scan(root, index)
    assert listing.hashed == 0
    assert "data/cases/1/case-1.ttl" not in listing.names
    assert {n: listing.sha256(n) for n in listing.names} == _truth(root)


def test_a_few_changes_are_seen_without_rewriting_the_index(tmp_path: Path) -> None:
    """Below KEEP_AFTER the index is left as it is (stale): every later scan must still
    see the edited, added and deleted files, and hash only those."""
    root = _project(tmp_path, count=12)
    index = tmp_path / INDEX_NAME
    scan(root, index)
    before = index.read_bytes()
    stamp = time.time() - 60
    edited = root / "data" / "cases" / "0" / "case-0.ttl"
    edited.write_text("# case 0, edited\n", encoding="utf-8")
    os.utime(edited, (stamp, stamp))
    added = root / "data" / "cases" / "added.ttl"
    added.write_text("# added\n", encoding="utf-8")
    os.utime(added, (stamp, stamp))
    (root / "data" / "cases" / "1" / "case-1.ttl").unlink()
    for _time in range(2):
        listing = scan(root, index)
        assert listing.hashed == 2  # the edited and the added file, nothing else
        assert {n: listing.sha256(n) for n in listing.names} == _truth(root)
        assert listing.names == sorted(_truth(root), key=lambda n: n.split("/"))
        assert _seen(root, index) == _truth(root)
    assert index.read_bytes() == before
