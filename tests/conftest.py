"""Shared fixtures (the tiny 'mini' project under tests/fixtures/mini) and the markers.

Markers (registered in pyproject.toml, ``--strict-markers``): ``browser`` (a real Chromium),
``virtuoso`` (a Virtuoso server), ``java`` (HermiT or the OWL API, on Java), ``slow`` (more
than a few seconds here). They are applied here by directory and by the fixtures a test
uses, and explicitly (``@pytest.mark.slow``) in the test modules; ``make test-fast`` leaves
all four out.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mini_root() -> Path:
    return MINI


@pytest.fixture(scope="session")
def mini_graph() -> KnowledgeGraph:
    return load_graph(MINI)


@pytest.fixture(scope="session")
def small_generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of about 6,000 triples made by the benchmark's generator, once per session
    (per worker): copy it before changing it (``tests.support.case_edits.project_copy``)."""
    from tests.support.synthetic import generate

    root = tmp_path_factory.mktemp("generated") / "project"
    generate.generate(root, 6_000)
    return root


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini project."""
    target = tmp_path / "mini"
    # without the cache: no last valid graph comes with the copy
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns(".collabkg-cache"))
    return target


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the project's own files (ontology, shapes, queries, data), with a
    cache of its own and no endpoint: for tests that edit the data."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries", "data"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("COLLABKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COLLABKG_ENDPOINT", raising=False)
    return root


CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``collabkg ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


MARK_BY_FOLDER = {"browser": ("browser", "slow")}
"""Every test under tests/<folder>/ gets these markers."""
MARK_BY_FIXTURE = {
    "virtuoso": ("virtuoso", "slow"),
    "ontology_report": ("java",),
    "data_report": ("java",),
    "defined_classes_report": ("java",),
}
"""A test that uses this fixture (directly or through another) gets these markers."""
MARK_BY_FILE = {"ontology/test_reasoning.py": ("java",)}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            relative = item.path.relative_to(TESTS)
        except ValueError:
            continue
        names: set[str] = set(MARK_BY_FOLDER.get(relative.parts[0], ()))
        names |= set(MARK_BY_FILE.get(relative.as_posix(), ()))
        for fixture in getattr(item, "fixturenames", ()):
            names |= set(MARK_BY_FIXTURE.get(fixture, ()))
        for name in sorted(names):
            item.add_marker(getattr(pytest.mark, name))
