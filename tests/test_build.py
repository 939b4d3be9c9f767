"""The build commands: CI runs exactly the README's test command, and that command lints
(ruff and mypy) before it runs the suite."""

from __future__ import annotations

import re

from tests.support.paths import REPO


def _readme_test_command() -> str:
    """The command the README's first shell block gives for running the tests."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    tests = [c for c in commands if c.startswith("make test")]
    assert len(tests) == 1, f"the README's first shell block names no single test command: {block}"
    return tests[0]


def _make_target(name: str) -> tuple[list[str], list[str]]:
    """(prerequisites, recipe lines) of a Makefile target."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(name)}:([^\n=]*)\n((?:\t[^\n]*\n)*)", makefile, re.M)
    assert match, f"the Makefile has no target {name!r}"
    return match.group(1).split(), [line.strip() for line in match.group(2).splitlines()]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [
        line.strip()
        for line in script.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
        and not line.startswith(("set ", "cd "))
    ]
    assert commands == [_readme_test_command()]


def test_make_test_lints_with_ruff_and_mypy_before_the_suite() -> None:
    prerequisites, recipe = _make_target("test")
    _lint_prerequisites, lint = _make_target("lint")
    assert "lint" in prerequisites
    assert any("ruff check" in line for line in lint)
    assert any(line.endswith("mypy") or "mypy " in line for line in lint)
    assert any("pytest tests" in line for line in recipe)
