"""Where the repository's test material is."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
BAD = FIXTURES / "bad"
"""The bad-input corpus: one broken file per rule."""
MINI = FIXTURES / "mini"
BENCH = REPO / "bench"

__all__ = ["BAD", "BENCH", "FIXTURES", "MINI", "REPO"]
