"""bench/run.py's report: ratios only where both answers agree, no timing on an empty answer,
the targets at 1M and 10M, and docs/performance.md's generated section.

The expected figures are written out by hand from made-up results, never computed with the
benchmark's own functions.
"""

from __future__ import annotations

import importlib.util
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "performance.md"


def _module(name: str):
    """A bench script loaded by its path (bench/run.py puts bench/ on its own path)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_run():
    return _module("run")


@pytest.fixture(scope="module")
def answers():
    return _module("answers")


def _timing(seconds: float) -> dict:
    return {"median": seconds, "min": seconds, "max": seconds, "n": 1}


def _op(seconds: float, rss: float = 100.0, **answer: object) -> dict:
    return {
        "seconds": _timing(seconds),
        "peak_rss_mb": _timing(rss),
        "runs": [{"seconds": seconds, "peak_rss_mb": rss, **answer}],
    }


def _results(size: str = "1M", **overrides: dict) -> dict:
    """A made-up run: collabkg 10 times faster than the baseline everywhere."""
    ops = {
        "validate": _op(10.0, 900, shacl={"violation": 0, "warning": 3, "info": 0}),
        "load-first": _op(14.0, 950, triples=1000),
        "load": _op(3.0, 800),
        "validate-one-first": _op(9.0, 990, shacl={"violation": 0, "warning": 1, "info": 0}),
        "validate-one": _op(0.5, 700, shacl={"violation": 0, "warning": 1, "info": 0}),
        "cli-validate-one": _op(2.5, 700),
        "queries": {
            "peak_rss_mb": 1000.0,
            "queries": {
                "agrees": {"seconds": [0.05], "rows": 10, "digest": "aaa", "error": None},
                "differs": {"seconds": [0.02], "rows": 10, "digest": "bbb", "error": None},
                "stopped": {"seconds": [0.2], "rows": 7, "digest": "ccc", "error": None},
            },
        },
        "cli-query": {"agrees": _op(4.0)},
        "baseline-load": _op(30.0, 1400, triples=1000),
        "baseline-validate": _op(100.0, 1500, shacl={"violation": 0, "warning": 3, "info": 0}),
        "baseline-validate-one": {
            **_op(5.0, 1500, shacl={"violation": 0, "warning": 1, "info": 0}),
        },
        "baseline-queries": {
            "queries": {
                "agrees": {"seconds": [5.0], "rows": 10, "digest": "aaa", "error": None},
                "differs": {"seconds": [2.0], "rows": 12, "digest": "zzz", "error": None},
                "stopped": {
                    "seconds": [],
                    "rows": None,
                    "digest": None,
                    "error": "TimeoutError: stopped after 30 s",
                },
            }
        },
    }
    ops["baseline-validate-one"]["runs"][0]["parse_seconds"] = 4.0
    ops.update(overrides)
    return {
        "date": "2026-12-04T20:00:00",
        "command": "python bench/run.py --size 1M",
        "machine": {
            "cpu": "a CPU",
            "nproc": 2,
            "memory_gb": 24,
            "system": "Linux",
            "python": "3.11",
            "packages": {"collabkg": "0.1.0"},
        },
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [1.0, 1.0, 1.0],
        "sizes": [
            {
                "size": size,
                "root": "/tmp/x",
                "runs": 1,
                "baseline_runs": 1,
                "baseline_timeout": 30.0,
                "ops": ops,
            }
        ],
    }


def _line(text: str, start: str) -> str:
    [line] = [line for line in text.splitlines() if line.startswith(start)]
    return line


# --------------------------------------------------------------------------- answers


def test_the_same_answer_from_two_engines_has_the_same_digest(answers) -> None:
    ours = [
        {
            "x": URIRef("https://e/a"),
            "n": Literal("5000", datatype=XSD.decimal),
            "s": Literal("a; b", datatype=XSD.string),
            "b": BNode("ox1"),
        },
        {"x": URIRef("https://e/b"), "n": None, "s": Literal("c"), "b": None},
    ]
    theirs = [  # another order, another way of writing the same values
        {"x": URIRef("https://e/b"), "s": Literal("c")},
        {
            "x": URIRef("https://e/a"),
            "n": Literal(Decimal("5000.00")),
            "s": Literal("b; a"),
            "b": BNode("rdflib9"),
        },
    ]
    variables = ["x", "n", "s", "b"]
    assert answers.digest(variables, ours) == answers.digest(variables, theirs)
    assert answers.digest(variables, ours)[0] == 2


def test_different_answers_have_different_digests(answers) -> None:
    row = {"x": URIRef("https://e/a")}
    assert answers.digest(["x"], [row])[1] != answers.digest(["x"], [row, row])[1]
    assert (
        answers.digest(["x"], [row])[1] != answers.digest(["x"], [{"x": URIRef("https://e/b")}])[1]
    )
    assert (
        answers.digest(["x"], [{"x": Literal("1")}])[1]
        != answers.digest(["x"], [{"x": Literal("1", datatype=XSD.integer)}])[1]
    )


# --------------------------------------------------------------------------- ratios


def test_a_ratio_is_printed_only_where_both_answers_agree(bench_run) -> None:
    text = bench_run.markdown(_results())
    assert _line(text, "| agrees |").endswith("| 100× |")
    differs = _line(text, "| differs |")
    assert "different answer (ours 10 rows, baseline 12 rows)" in differs
    assert "×" not in differs
    stopped = _line(text, "| stopped |")
    assert "> 30.00 s (stopped)" in stopped and "×" not in stopped


def test_operations_compare_their_answers_too(bench_run) -> None:
    text = bench_run.markdown(_results())
    assert _line(text, "| full validation").endswith("| 10× |")
    assert _line(text, "| load (data validated before)").endswith("| 10× |")
    assert _line(text, "| one new case file against the graph").endswith("| 10× |")
    other = _results(
        **{"baseline-validate": _op(100.0, shacl={"violation": 0, "warning": 4, "info": 0})}
    )
    row = _line(bench_run.markdown(other), "| full validation")
    assert "different answer (ours 3 SHACL results, baseline 4 SHACL results)" in row
    assert "×" not in row
    unknown = _results(**{"baseline-load": _op(30.0)})  # the baseline did not say
    assert "no ratio" in _line(bench_run.markdown(unknown), "| load (data validated before)")


def test_whole_commands_and_the_one_file_baseline_are_stated(bench_run) -> None:
    text = bench_run.markdown(_results())
    assert "`collabkg validate FILE`, the whole command | 2.50 s" in text
    assert _line(text, "| agrees |").split("|")[4].strip() == "4.00 s"  # collabkg query
    assert "interpreter start and imports excluded" in text
    assert "focus_nodes" in text and "4.00 s of its time" in text


def test_a_command_that_failed_is_reported_as_failed_not_timed(bench_run) -> None:
    """Regression: the 10M run of 7 December printed 61.55 s for a `collabkg query` that had
    exited with an error, and 0.84 s would have been printed for a failed validation alike."""
    text = bench_run.markdown(
        _results(
            **{"cli-query": {"agrees": _op(4.0, exit=1)}, "cli-validate-one": _op(2.5, exit=2)}
        )
    )
    assert _line(text, "| agrees |").split("|")[4].strip() == "failed (exit 1)"
    row = _line(text, "| `collabkg validate FILE`")
    assert "failed (exit 2)" in row and "2.50 s" not in row


# --------------------------------------------------------------------------- empty answers


def test_an_empty_answer_is_not_timed_and_is_reported(bench_run) -> None:
    found = bench_run._time_queries(
        lambda text, bindings: (["x"], []),
        [("nothing", "SELECT ...", {}), ("something", "SELECT ...", {})],
        runs=3,
        describe=lambda answer: (0, "e") if answer[1] == [] else (1, "f"),
    )
    assert found["nothing"]["seconds"] == [] and found["nothing"]["rows"] == 0
    assert bench_run.empty_answers({"queries": found}) == ["nothing", "something"]
    results = _results()
    results["sizes"][0]["ops"]["queries"]["queries"]["agrees"].update(seconds=[], rows=0)
    assert "no rows: not timed" in _line(bench_run.markdown(results), "| agrees |")


# --------------------------------------------------------------------------- targets


def test_the_targets_say_met_or_missed(bench_run) -> None:
    table = bench_run.targets(_results())
    assert _line(table, "| load |").endswith("| 3.00 s | met |")
    assert _line(table, "| full validation |").endswith("| 10.00 s | met |")
    assert _line(table, "| one-file validation |").endswith("| 500 ms | met |")
    assert _line(table, "| every canned query, p50 (slowest) |").endswith("| 200 ms | MISSED |")
    assert "| 2 of 3 | MISSED |" in table
    slow = bench_run.targets(_results(load=_op(9.0, 800)))
    assert _line(slow, "| load |").endswith("| 9.00 s | MISSED |")
    assert "10M targets were not measured" in table


def test_the_10m_targets_are_five_minutes_one_second_and_eight_gigabytes(bench_run) -> None:
    met = bench_run.targets(
        _results("10M", validate=_op(250.0, 6000), **{"validate-one": _op(0.8, 7000)})
    )
    assert _line(met, "| full validation |").endswith("| 250 s | met |")
    assert _line(met, "| one-file validation |").endswith("| 800 ms | met |")
    assert _line(met, "| peak RSS").endswith("| 7,000 MB | met |")
    missed = bench_run.targets(
        _results("10M", validate=_op(400.0, 9000), **{"validate-one": _op(1.5)})
    )
    assert _line(missed, "| full validation |").endswith("| 400 s | MISSED |")
    assert _line(missed, "| one-file validation |").endswith("| 1.50 s | MISSED |")
    assert _line(missed, "| peak RSS").endswith("| 9,000 MB | MISSED |")
    assert "1M targets were not measured" in missed


# --------------------------------------------------------------------------- the docs


@pytest.fixture(scope="module")
def saved() -> dict:
    """The run docs/performance.md names (``bench/results/<date>.json``)."""
    generated = DOCS.read_text(encoding="utf-8").split("<!-- bench:start", 1)[1]
    named = re.findall(r"bench/results/[\w.-]+\.json", generated)
    assert named, "docs/performance.md's tables name the results file behind them"
    return json.loads((REPO / named[0]).read_text(encoding="utf-8"))


def test_docs_are_rewritten_between_the_marks_only(bench_run, tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    page.write_text("# Performance\n\nWritten by hand.\n", encoding="utf-8")
    bench_run.write_docs(page, _results())
    first = page.read_text(encoding="utf-8")
    page.write_text(first + "\nAlso by hand, after.\n", encoding="utf-8")
    bench_run.write_docs(page, _results())
    second = page.read_text(encoding="utf-8")
    assert second == first + "\nAlso by hand, after.\n"  # same tables, hand text kept
    assert second.count(bench_run.DOCS_START) == 1 and "Written by hand." in second


def test_docs_performance_shows_the_saved_run(bench_run, saved, tmp_path: Path) -> None:
    """docs/performance.md's tables are exactly what the saved results give."""
    copy = tmp_path / "performance.md"
    copy.write_text(DOCS.read_text(encoding="utf-8"), encoding="utf-8")
    bench_run.write_docs(copy, saved)
    assert copy.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8")


def test_no_query_of_the_saved_run_was_timed_on_an_empty_answer(saved) -> None:
    for size in saved["sizes"]:
        for qid, item in size["ops"]["queries"]["queries"].items():
            assert item["rows"], f"{size['size']}: {qid} has no rows"


def test_growth_exponents_between_sizes_and_runs_merged(bench_run) -> None:
    small, large = _results("1M"), _results("10M")
    small["sizes"][0]["ops"]["load"]["runs"][0]["quads"] = 1_000_000
    large["sizes"][0]["ops"]["load"]["runs"][0]["quads"] = 10_000_000
    found = large["sizes"][0]["ops"]["queries"]["queries"]
    found["agrees"]["seconds"] = [0.5]  # 0.05 s at 1M: ten times the time for ten times the data
    found["differs"]["seconds"] = [0.4]  # 0.02 s at 1M: twenty times
    large["date"], large["load_before"] = "2026-12-04T22:00:00", [3.5, 3.0, 2.5]
    merged = bench_run.merge_results([large, small], ["b.json", "a.json"])
    assert [s["size"] for s in merged["sizes"]] == ["1M", "10M"]
    table = bench_run.growth(merged)
    assert "| 1M → 10M |" in table
    assert _line(table, "| agrees |") == "| agrees | 1.00 |"
    assert _line(table, "| differs |") == "| differs | 1.30 |"
    text = bench_run.markdown(merged)
    assert "From `b.json`: run on 2026-12-04T22:00:00" in text
    assert "load average before: [3.5, 3.0, 2.5]" in text
