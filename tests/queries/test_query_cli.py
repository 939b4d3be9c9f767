"""`collabkg queries` and `collabkg query` for the canned queries and for analysts' own
SPARQL: labels not IRIs, CURIE/IRI/label parameters, read-only before anything runs, a row
limit that says when rows were cut, syntax errors with line and column, and a timeout that
really stops a runaway query."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import collabkg.cli
from collabkg.errors import QueryError
from collabkg.graph import KnowledgeGraph
from collabkg.sparql_safety import ISOLATION_ENV, isolation_mode, run_with_timeout
from tests.support.queries import REPO

MINI = REPO / "tests" / "fixtures" / "mini"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o }"


@pytest.fixture
def on_fixture(monkeypatch: pytest.MonkeyPatch, fixture_graph: KnowledgeGraph) -> KnowledgeGraph:
    """Make the CLI run the real catalogue over the fixture graph."""
    monkeypatch.setattr(collabkg.cli, "_load_graph", lambda args: fixture_graph)
    monkeypatch.chdir(REPO)
    return fixture_graph


@pytest.fixture
def no_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the CLI loads the graph (checks must come first)."""

    def refuse(args: object) -> None:
        raise AssertionError("the graph was loaded before the query was checked")

    monkeypatch.setattr(collabkg.cli, "_load_graph", refuse)


def test_queries_lists_ids_and_summaries_by_tag(cli):
    code, out, _err = cli("--root", str(REPO), "queries")
    assert code == 0
    assert "accountability:" in out and "co-creation:" in out
    assert re.search(r"accountable-for-transferred-assets +Who is accountable for transferred", out)
    # the helper queries under queries/choices/ (tag "internal") are not questions
    assert "choices/" not in out and not re.search(r"^\s*internal:", out, re.M)
    helpers = [p.stem for p in (REPO / "queries" / "choices").glob("*.rq")]
    assert helpers
    assert not any(re.search(rf"^\s+choices/{h}\b", out, re.M) for h in helpers)


NO_PARAMS = [
    "accountable-for-transferred-assets",
    "accountability-gaps",
    "barriers",
    "co-creation-by-structure-type",
    "co-creation-claims-vs-practice",
    "collaborations-by-structure-type",
    "contradictory-relations",
    "cross-sector-collaborations",
    "engagement-levels",
    "funding-at-risk",
    "funding-by-mechanism",
    "organisations-in-many-collaborations",
    "policy-context",
    "rationales",
    "reporting-burden",
]


@pytest.mark.parametrize("query_id", NO_PARAMS)
def test_tables_show_labels_never_iris(cli, on_fixture, query_id: str):
    code, out, err = cli("query", query_id)
    assert code == 0, err
    assert "https://" not in out and "ckd:" not in out and "ckc:" not in out
    assert out.rstrip().endswith("rows)") or out.rstrip().endswith("row)")


def test_a_table_shows_an_iri_column_only_by_its_label(cli, on_fixture):
    _code, out, _err = cli("query", "accountable-for-transferred-assets")
    header = out.splitlines()[0].split()
    assert "assetLabel" in header and "asset" not in header
    assert "accountableLabel" in header and "accountable" not in header
    assert "none recorded" in out


def test_csv_and_json_keep_the_iris_in_extra_columns(cli, on_fixture):
    code, out, _err = cli("query", "accountable-for-transferred-assets", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["asset_iri"] == "https://w3id.org/collabkg/id/fx-asset-centre"
    assert rows[0]["assetLabel"] == "Centre"
    assert "asset" not in rows[0]
    assert rows[1]["accountable_iri"] == "" and rows[1]["accountableLabel"] == "none recorded"
    code, out, _err = cli("query", "cross-sector-collaborations", "--format", "json")
    data = json.loads(out)
    assert data[0]["collaboration_iri"] == "https://w3id.org/collabkg/id/fx-collab-council"
    assert data[0]["sectorCount"] == 3


@pytest.mark.parametrize(
    "value",
    [
        "ckd:fx-charity-b",
        "https://w3id.org/collabkg/id/fx-charity-b",
        "<https://w3id.org/collabkg/id/fx-charity-b>",
        "Charity B",
        "charity b",
    ],
)
def test_parameters_as_curie_iri_or_label(cli, on_fixture, value: str):
    code, out, err = cli("query", "accountability-chain", "--param", f"organisation={value}")
    assert code == 0, err
    assert "Charity B to Funder E" in out and "Government H" in out


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ckd:fx-charity-b> } UNION { ?s ?p ?o", "not a valid IRI"),
        ("https://w3id.org/collabkg/id/fx charity b", "not a valid IRI"),
        ("Co", "matches 2"),
        ("nothing like it", "no Organisation or collaboration has a label like it"),
    ],
)
def test_bad_parameters_are_usage_errors(cli, on_fixture, value: str, message: str):
    code, out, err = cli("query", "accountability-chain", "--param", f"organisation={value}")
    assert code == 2
    assert out == ""
    assert message in err and "organisation" in err


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("DELETE WHERE { ?s ?p ?o }", "read-only"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
        ("LOAD <http://127.0.0.1:9/x.ttl>", "read-only"),
        ("DROP ALL", "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        (
            "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> {} } }",
            "SERVICE",
        ),
    ],
)
def test_own_sparql_is_refused_before_anything_is_loaded(cli, no_graph, query: str, word: str):
    code, out, err = cli("query", "--sparql", query)
    assert code == 1
    assert word in err and out == ""


def test_own_query_file_is_checked_too(cli, no_graph, tmp_path: Path):
    path = tmp_path / "mine.rq"
    path.write_text("PREFIX ck: <https://w3id.org/collabkg/ontology#>\nCLEAR DEFAULT\n")
    code, _out, err = cli("query", str(path))
    assert code == 1 and "read-only" in err


def test_the_word_service_in_a_string_is_fine(cli, on_fixture):
    query = 'SELECT ?s WHERE { ?s rdfs:label ?l FILTER(CONTAINS(?l, "SERVICE <http://x/>")) }'
    code, out, err = cli("query", "--sparql", query)
    assert code == 0, err
    assert "(0 rows)" in out


def test_syntax_errors_say_line_and_column(cli, no_graph):
    code, _out, err = cli("query", "--sparql", "SELECT ?s\nWHERE {\n  ?s ?p }")
    assert code == 1
    assert "line 3" in err and "column" in err and "syntax error" in err


def test_own_sparql_row_limit_defaults_to_1000_and_says_so(cli, on_fixture, tmp_path: Path):
    path = tmp_path / "all.rq"
    path.write_text("SELECT ?s ?p ?o ?x WHERE { ?s ?p ?o . ?x a ck:Collaboration } ORDER BY ?s")
    code, out, err = cli("query", str(path), "--format", "csv")
    assert code == 0
    assert len(out.splitlines()) == 1 + 1000
    assert "only the first 1000 rows" in err
    code, out, err = cli("query", str(path), "--format", "csv", "--limit", "7")
    assert len(out.splitlines()) == 1 + 7 and "only the first 7 rows" in err
    code, out, err = cli("query", "--sparql", "SELECT ?s WHERE { ?s a ck:Service }")
    assert code == 0 and "only the first" not in err  # nothing was cut


def test_own_sparql_with_parameters(cli, on_fixture):
    code, out, _err = cli(
        "query",
        "--sparql",
        "SELECT ?thing ?name WHERE { ?thing rdfs:label ?name }",
        "--param",
        "name=Charity B",
    )
    assert code == 0 and "Charity B" in out and "(1 row)" in out
    code, out, _err = cli(
        "query",
        "--sparql",
        "SELECT ?thing ?name WHERE { ?thing rdfs:label ?name }",
        "--param",
        'name=Charity B" } UNION { ?thing ?p ?o } #',
    )
    assert code == 0 and "(0 rows)" in out


# --------------------------------------------------------------------------- timeout


def _children() -> set[int]:
    """This process's live child processes (Linux: /proc/self/task/*/children)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            continue
    return pids


def test_a_runaway_query_is_killed_on_time(fixture_graph: KnowledgeGraph):
    assert isolation_mode() == "process"
    before = _children()  # other tests' servers (e.g. the browser tests') may be running
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"longer than 0\.5 s"):
        fixture_graph.select(RUNAWAY, timeout_s=0.5)
    elapsed = time.monotonic() - started
    # cut off at the limit, not when the (endless) query would finish; generous on a busy machine
    assert 0.5 <= elapsed < 5.0
    assert _children() <= before  # the worker process is gone, not left running


def test_the_thread_fallback_also_answers_on_time(
    monkeypatch: pytest.MonkeyPatch, fixture_graph: KnowledgeGraph
):
    monkeypatch.setenv(ISOLATION_ENV, "thread")
    assert isolation_mode() == "thread"
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"longer than 0\.3 s"):
        fixture_graph.select(RUNAWAY, timeout_s=0.3)
    assert time.monotonic() - started < 5.0


def test_timed_queries_answer_and_fail_as_usual(fixture_graph: KnowledgeGraph):
    result = fixture_graph.select("SELECT ?s WHERE { ?s a ck:Service } ORDER BY ?s", timeout_s=5)
    assert [str(r["s"]).rsplit("/", 1)[1] for r in result] == ["fx-service-s", "fx-service-t"]
    with pytest.raises(QueryError) as info:
        fixture_graph.select("SELECT ?s WHERE {\n ?s a }", timeout_s=5)
    assert info.value.line == 2 and info.value.column is not None
    assert run_with_timeout(lambda cancel: 42, 1.0) == 42


def _run_query_cli(query: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "collabkg", "--root", str(MINI), "query", "--timeout", "1",
         "--sparql", query],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
    )
    return done, time.monotonic() - started


def test_the_cli_returns_within_the_timeout(tmp_path: Path):
    """The runaway query is stopped at its 1 s limit and the CLI returns then: no later
    than twice the same CLI answering a trivial query, plus the limit, plus a margin. (The bound
    was 4 s of wall time, start-up included, which a loaded machine exceeded.)"""
    quick, baseline = _run_query_cli("ASK {}", tmp_path)
    assert quick.returncode == 0, quick.stderr
    done, elapsed = _run_query_cli(RUNAWAY, tmp_path)
    assert done.returncode == 1
    assert "took longer than 1 s and was stopped" in done.stderr
    # twice the start-up: two start-ups on a loaded machine differ by seconds
    assert elapsed < 2 * baseline + 1 + 2.0, (elapsed, baseline)


def test_a_query_run_without_its_required_parameter_is_an_error_listing_the_choices(
    cli, on_fixture
):
    """Regression: accountability-chain without --param silently answered for its default."""
    code, out, err = cli("query", "accountability-chain")
    assert code == 2
    assert out == ""
    assert "needs a value for 'organisation'" in err
    assert "--param organisation=" in err
    assert "Charity B = ckd:fx-charity-b" in err


def test_queries_shows_each_querys_parameters_and_their_choices(cli, on_fixture):
    code, out, _err = cli("queries")
    assert code == 0
    assert "--param organisation=VALUE  (iri, required)" in out
    assert re.search(r"^ +ckd:fx-[\w-]+  \S", out, re.M), "no choice listed under a parameter"
    code, out, _err = cli("queries", "accountability-chain")
    assert code == 0
    assert "parameters:" in out and "ckd:fx-charity-b  Charity B" in out
    assert "... and" not in out  # in full


def test_a_whole_answer_streamed_as_csv_and_json_equals_the_converted_answer_written(
    real_graph, catalogue
) -> None:
    """Every canned question's whole answer, as ``collabkg query ID --format csv|json``
    writes it (rows read from the engine and converted a chunk at a time), is exactly the
    output of the earlier path (the whole answer converted first, then written)."""
    from collabkg.cli import _write_result, _write_rows
    from collabkg.results import iri_variables

    checked = 0
    for query in catalogue.queries:
        if any(spec.required or spec.picks_an_item for spec in query.params):
            continue
        bindings = query.bind({}, graph=real_graph)
        whole = query.ordered(real_graph.select(query.text, bindings))
        names, rows = real_graph.select_rows(query.text, bindings)
        for fmt in ("csv", "json"):
            before, streamed = io.StringIO(), io.StringIO()
            _write_result(whole, real_graph, fmt, before)
            _write_rows(query.column_order(names), rows, iri_variables(names, rows),
                        real_graph, fmt, streamed)
            assert streamed.getvalue() == before.getvalue(), (query.id, fmt)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("kept", [False, True], ids=["computed", "kept-on-disk"])
def test_a_download_is_written_before_the_whole_answer_is_converted(
    real_graph, catalogue, monkeypatch, kept
) -> None:
    """Regression: ``collabkg query ID --format csv`` turned the whole answer into rdflib
    terms before writing its first row; now each chunk is converted, labelled and written
    (and flushed) before the next is read — from the engine's answer, and from the answer
    kept on disk (collabkg/answers.py) alike."""
    import collabkg.answers as answers
    import collabkg.backends.embedded as embedded
    from collabkg.answers import KeptAnswer
    from collabkg.cli import _write_rows
    from collabkg.results import iri_variables

    query = catalogue.get("barriers")
    bindings = query.bind({}, graph=real_graph)
    if kept:
        real_graph.select_rows(query.text, bindings)  # computed and kept on disk
        real_graph._answers.clear()  # as a new process: read from disk
    names, rows = real_graph.select_rows(query.text, bindings, keep=kept)
    assert isinstance(rows, KeptAnswer) is kept
    assert len(rows) >= 6
    converted: list[object] = []
    real = embedded.to_rdflib
    monkeypatch.setattr(embedded, "to_rdflib", lambda t, *a: converted.append(t) or real(t, *a))
    decode = answers.decode_term
    monkeypatch.setattr(answers, "decode_term", lambda t: converted.append(t) or decode(t))
    monkeypatch.setattr(collabkg.cli, "STREAM_CHUNK", 2)

    class Recorder(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.converted_at_flush: list[int] = []

        def flush(self) -> None:
            self.converted_at_flush.append(len(converted))

    out = Recorder()
    _write_rows(query.column_order(names), rows, iri_variables(names, rows), real_graph,
                "csv", out)
    width = len(names)
    # the header first, before any row is read; then one flush per chunk of two rows
    assert len(out.converted_at_flush) == 1 + -(-len(rows) // 2)
    assert out.converted_at_flush[0] == 0
    assert out.converted_at_flush[1] <= 2 * width < out.converted_at_flush[-1]
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == len(rows) + 1
