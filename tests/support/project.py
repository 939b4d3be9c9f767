"""Small projects for validation tests: the real ontology and shapes, invented data."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.support.paths import FIXTURES, REPO


def make_project(target: Path) -> Path:
    """tests/fixtures/validate/data (one source, one complete case) beside copies of the
    real ontology/ and shapes/ in ``target``."""
    shutil.copytree(REPO / "ontology", target / "ontology")
    shutil.copytree(REPO / "shapes", target / "shapes")
    shutil.copytree(FIXTURES / "validate" / "data", target / "data")
    # the sources' texts where a checkout finds them by default: ../shared/seeds beside it
    seeds = target.parent / "shared" / "seeds"
    if not seeds.exists():
        shutil.copytree(FIXTURES / "validate" / "texts", seeds)
    return target


__all__ = ["make_project"]
