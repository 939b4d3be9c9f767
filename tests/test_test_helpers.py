"""Shared test helpers live in the ``tests.support`` package and are imported from there:
no ``sys.path`` edits, no relative imports, no importing a conftest or another test module."""

from __future__ import annotations

from pathlib import Path

from tests.support.imports import fixed_sleeps, helper_import_problems
from tests.support.paths import REPO


def test_the_suite_imports_helpers_from_tests_support_only() -> None:
    assert helper_import_problems(REPO / "tests") == []


def test_the_checker_finds_each_kind_of_stray_helper_import(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    (tests / "app").mkdir(parents=True)
    (tests / "support").mkdir()
    (tests / "support" / "__init__.py").write_text("")
    (tests / "support" / "fine.py").write_text("X = 1\n")
    (tests / "app" / "helpers.py").write_text("Y = 2\n")
    (tests / "app" / "conftest.py").write_text("Z = 3\n")
    (tests / "app" / "test_a.py").write_text(
        "import sys\n"
        "from tests.support.fine import X\n"
        "from helpers import Y\n"
        "from .conftest import Z\n"
        "from tests.app.conftest import Z\n"
        "from tests.other.test_b import W\n"
        "sys.path.insert(0, 'x')\n"
        "def test_x(monkeypatch):\n"
        "    monkeypatch.syspath_prepend('x')\n"
        "    monkeypatch.setattr(sys, 'path', [])\n"
    )
    found = "\n".join(helper_import_problems(tests))
    assert "test_a.py:2" not in found  # tests.support is the right place
    for line in (3, 4, 5, 6, 7, 9, 10):
        assert f"tests/app/test_a.py:{line}:" in found, (line, found)


def test_no_test_sleeps_for_a_fixed_time_instead_of_watching_a_condition() -> None:
    assert fixed_sleeps(REPO / "tests") == []


def test_the_sleep_checker_tells_a_poll_from_a_fixed_sleep(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_s.py").write_text(
        "import time\n"
        "def test_a():\n"
        "    time.sleep(0.5)\n"
        "    while True:\n"
        "        time.sleep(0.1)\n"
        "        break\n"
    )
    assert fixed_sleeps(tests) == ["tests/test_s.py:3: a fixed sleep"]
