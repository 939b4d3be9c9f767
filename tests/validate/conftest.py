"""A small, valid project for validation tests: the real ontology and shapes, invented data.

tests/fixtures/validate/data holds one source and one complete case; the real ontology/
and shapes/ are copied beside them, so the tests check the real model without depending on
the research data in data/ (which changes as cases are added).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.project import make_project


@pytest.fixture(scope="session")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A read-only small project (do not write into it; use ``small_copy``)."""
    return make_project(tmp_path_factory.mktemp("small") / "project")


@pytest.fixture
def small_copy(tmp_path: Path) -> Path:
    """A writable copy of the small project."""
    return make_project(tmp_path / "project")
