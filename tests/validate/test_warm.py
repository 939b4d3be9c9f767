"""Checking a few files as a warm run (validate/warm.py): its report equals an ordinary
run's, and it is never used when a file other than the ones checked was edited, added or
deleted since the cached store was brought in step, or when the store was left unclean.

Random changes (seeded, so a failure can be replayed) are made to a small generated
project; after each, new case files and existing files are checked with ``validate([F])``
and compared with the pipeline run over every file without any cache.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from collabkg.cache import Cache
from collabkg.paths import ProjectPaths
from collabkg.validate import pipeline as pipeline_module
from collabkg.validate import project_inputs, run, validate
from collabkg.validate import warm as warm_module
from collabkg.validate.report import Report
from collabkg.validate.store import PersistentStore
from collabkg.validate.syntax import parse_bytes
from tests.support.synthetic import generate

pytestmark = pytest.mark.slow

SIZE = 4_000
ITEM = re.compile(r"ckd:[A-Za-z0-9_-]+")


def _seen(report: Report) -> tuple[object, ...]:
    return (
        report.files,
        [i.to_dict() for i in report.sorted_issues()],
        report.counts(),
        report.notes,
        report.other_files_problems,
        report.context_files,
        report.stages,
    )


def _data_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


def _new_case(root: Path, number: int) -> Path:
    """A case file not yet in the project (new IDs), as the benchmark makes them."""
    plan = generate.plan_for(SIZE)
    organisations = [(f"ckd:syn-org-{i}", "") for i in range(plan.organisations)]
    index = plan.cases + 1000 + number
    path = root / "data" / "cases" / "new" / f"{generate.case_file_stem(index)}.ttl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        generate.case_text(index, plan, organisations, random.Random(number)), encoding="utf-8"
    )
    return path


def _change(root: Path, rng: random.Random, step: int) -> str:
    """One random change to a data file; what it was."""
    files = [p for p in _data_files(root) if "new" not in p.parts]
    victim = rng.choice(files)
    text = victim.read_text(encoding="utf-8")
    kind = rng.choice(["delete", "copy", "relink", "same-size", "break"])
    if kind == "delete":
        victim.unlink()
        return f"deleted {victim.name}"
    if kind == "copy":
        victim.with_name(f"copy-{step}-{victim.name}").write_text(text, encoding="utf-8")
        return f"copied {victim.name}"
    if kind == "break":
        victim.write_text(text + "\nckd:broken-{step} a .\n", encoding="utf-8")
        return f"made {victim.name} unreadable"
    items = sorted(set(ITEM.findall(text)))
    if kind == "relink" and len(items) > 2:
        old, new = rng.sample(items, 2)
        victim.write_text(text.replace(old, new, 1), encoding="utf-8")
        return f"relinked {old} to {new} in {victim.name}"
    # as many bytes as before, the same modification time: only the content differs
    stat = victim.stat()
    spot = text.index("ckd:")
    victim.write_text(text[:spot] + "ckx" + text[spot + 3 :], encoding="utf-8")
    import os

    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert victim.stat().st_size == stat.st_size
    return f"changed one letter of {victim.name}"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    generate.generate(root, SIZE)
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "no-texts"))
    # the persistent store (and so the warm run) from the first file: the project is small
    monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    monkeypatch.setattr(warm_module, "PERSISTENT_MIN_FILES", 0)
    return root


@pytest.fixture()
def warm_used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each ``validate([F])`` was a warm run (True) or the ordinary one."""
    used: list[bool] = []
    real = warm_module.run_warm

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        used.append(found is not None)
        return found

    monkeypatch.setattr(warm_module, "run_warm", spy)
    return used


def _ordinary(root: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """The pipeline over every file, nothing cached: what the warm run must equal."""
    project = ProjectPaths.discover(root)
    with monkeypatch.context() as patch:
        patch.setenv("COLLABKG_NO_CACHE", "1")
        return run(project_inputs(project, [target]), project)


def _check(root: Path, target: Path, monkeypatch: pytest.MonkeyPatch, what: str) -> Report:
    report = validate([target], root=root)
    assert _seen(report) == _seen(_ordinary(root, target, monkeypatch)), what
    return report


def test_warm_reports_equal_ordinary_ones_and_no_change_is_missed(
    project: Path, warm_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(19)
    first = _new_case(project, 0)
    _check(project, first, monkeypatch, "first check")
    assert warm_used == [False]  # no record yet: the ordinary run, which leaves one
    first.unlink()
    for step in range(8):
        again = _new_case(project, 100 + step)
        _check(project, again, monkeypatch, f"step {step}: nothing changed")
        assert warm_used[-1], f"step {step}: nothing changed, yet the run was not warm"
        again.unlink()
        what = _change(project, rng, step)
        new = _new_case(project, 200 + step)
        _check(project, new, monkeypatch, f"step {step}: {what}")
        assert not warm_used[-1], f"step {step}: {what}, yet the stale record was used"
        new.unlink()
        existing = rng.choice([p for p in _data_files(project) if "new" not in p.parts])
        _check(project, existing, monkeypatch, f"step {step}: {existing.name} checked")
    assert sum(warm_used) >= 8


def test_an_edited_file_checked_again_is_checked_as_it_is_now(
    project: Path, warm_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file asked about is in the store with its old content: the warm run checks its
    new content (the old graph taken out), and the next check sees the store changed."""
    new = _new_case(project, 0)
    _check(project, new, monkeypatch, "first check")
    new.unlink()
    case = next(p for p in _data_files(project) if "cases" in p.parts)
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("ckd:", "ckx:", 1), encoding="utf-8")
    _check(project, case, monkeypatch, "edited")
    assert warm_used[-1]  # the other files are as the record says
    case.write_text(text, encoding="utf-8")
    _check(project, case, monkeypatch, "edited back")
    other = _new_case(project, 1)
    _check(project, other, monkeypatch, "a new file after the edits")


def test_a_store_left_unclean_is_not_trusted(
    project: Path, warm_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run stopped after it put a graph in the store (and before it closed it): the next
    check lists the store again and removes what was left, instead of trusting it."""
    for number in range(2):
        new = _new_case(project, number)
        _check(project, new, monkeypatch, f"check {number}")
        new.unlink()
    assert warm_used == [False, True]
    cache = Cache.open(project)
    assert cache is not None
    keeper = PersistentStore(cache)
    keeper.open()
    assert keeper.clean
    stray = _new_case(project, 7)  # its items are left in the store, as by a killed run
    parsed, _issues = parse_bytes(stray.read_bytes(), stray, "stray.ttl")
    assert parsed is not None
    keeper.add_temporary(parsed, "https://example.org/stray")
    stray.unlink()
    keeper.store = None  # stopped: never closed
    cache.close()
    new = _new_case(project, 2)
    _check(project, new, monkeypatch, "after a stopped run")
    assert not warm_used[-1]


def test_a_manifest_written_by_other_code_is_not_trusted(
    project: Path, warm_used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(2):
        new = _new_case(project, number)
        _check(project, new, monkeypatch, f"check {number}")
        new.unlink()
    cache = Cache.open(project)
    assert cache is not None
    keeper = PersistentStore(cache)
    changed = dict(keeper.manifest)
    changed.popitem()
    cache.put(keeper._manifest_key(), changed)  # as code that knows no store state would
    cache.close()
    new = _new_case(project, 2)
    _check(project, new, monkeypatch, "after another program saved the manifest")
    assert not warm_used[-1]


class _FlushCounter:
    """The store, with its flushes counted."""

    def __init__(self, store: object) -> None:
        self.store = store
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        self.store.flush()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def test_a_store_only_read_is_not_flushed_and_stays_clean(tmp_path: Path) -> None:
    """Regression (issue 19): the incremental run opens the store to walk it, reads only,
    and closing it flushed it (0.07 s at 1M). A store opened clean and not written to is
    left as it is, still clean; one written to is flushed and marked clean again."""
    cache = Cache(tmp_path / "cache")
    first = PersistentStore(cache)
    first.open()  # a new store: not clean until closed
    assert not first.clean
    counted = _FlushCounter(first.store)
    first.store = counted  # type: ignore[assignment]
    first.close()
    assert counted.flushes == 1
    del counted  # the store is released (one process may hold it once)
    reader = PersistentStore(cache)
    reader.open()
    assert reader.clean
    generation = reader.generation
    counted = _FlushCounter(reader.store)
    reader.store = counted  # type: ignore[assignment]
    reader.close()
    assert counted.flushes == 0
    del counted
    writer = PersistentStore(cache)
    writer.open()
    assert writer.clean and writer.generation == generation  # nothing changed it
    parsed, _issues = parse_bytes(
        b"<https://example.org/a> a <https://example.org/T> .\n", tmp_path / "a.ttl", "a.ttl"
    )
    assert parsed is not None
    writer.add_temporary(parsed, "https://example.org/a")
    counted = _FlushCounter(writer.store)
    writer.store = counted  # type: ignore[assignment]
    writer.close()
    assert counted.flushes == 1
    del counted  # the store is released (one process may hold it once)
    again = PersistentStore(cache)
    store = again.open()
    assert again.clean
    assert not store.contains_named_graph(ox.NamedNode("https://example.org/a"))
    again.close()
    cache.close()
