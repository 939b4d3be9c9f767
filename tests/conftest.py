"""Shared fixtures: the tiny 'mini' project under tests/fixtures/mini."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def mini_root() -> Path:
    return MINI


@pytest.fixture(scope="session")
def mini_graph() -> KnowledgeGraph:
    return load_graph(MINI)


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A writable copy of the mini project."""
    target = tmp_path / "mini"
    # without the cache: no last valid graph comes with the copy
    shutil.copytree(MINI, target, ignore=shutil.ignore_patterns(".collabkg-cache"))
    return target


CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``collabkg ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
