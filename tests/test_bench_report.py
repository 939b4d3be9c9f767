"""bench/run.py's report: the targets table and docs/performance.md's generated section are
written from a results JSON (here the run behind docs/performance.md)."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "performance.md"


@pytest.fixture(scope="module")
def bench_run():
    sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results() -> dict:
    """The run docs/performance.md names (``bench/results/<date>.json``)."""
    named = re.findall(r"bench/results/[\w.-]+\.json", DOCS.read_text(encoding="utf-8"))
    assert named, "docs/performance.md names the results file behind its tables"
    return json.loads((REPO / named[0]).read_text(encoding="utf-8"))


def test_the_targets_table_says_met_or_missed_from_the_figures(bench_run, results) -> None:
    one = next(s for s in results["sizes"] if s["size"] == "1M")
    load = one["ops"]["load"]["seconds"]["median"]
    table = bench_run.targets(results)
    [row] = [line for line in table.splitlines() if line.startswith("| load |")]
    assert row.endswith("| met |" if load <= 8 else "| MISSED |")
    medians = [s["median"] for s in bench_run.query_stats(one["ops"]["queries"]).values() if s]
    within = sum(1 for m in medians if m <= 0.1)
    assert f"| {within} of {len(medians)} |" in table


def test_a_size_without_1m_says_the_targets_were_not_measured(bench_run, results) -> None:
    small = {**results, "sizes": [s for s in results["sizes"] if s["size"] != "1M"]}
    assert "not measured" in bench_run.targets(small)


def test_docs_are_rewritten_between_the_marks_only(bench_run, results, tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nWritten by hand.\n", encoding="utf-8")
    bench_run.write_docs(page, results)
    first = page.read_text(encoding="utf-8")
    page.write_text(first + "\nAlso by hand, after.\n", encoding="utf-8")
    bench_run.write_docs(page, results)
    second = page.read_text(encoding="utf-8")
    assert second == first + "\nAlso by hand, after.\n"  # same tables, hand text kept
    assert second.count(bench_run.DOCS_START) == 1 and "Written by hand." in second


def test_docs_performance_shows_the_saved_run(bench_run, results, tmp_path: Path) -> None:
    """docs/performance.md's tables are exactly what the saved results give."""
    copy = tmp_path / "performance.md"
    copy.write_text(DOCS.read_text(encoding="utf-8"), encoding="utf-8")
    bench_run.write_docs(copy, results)
    assert copy.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8")
