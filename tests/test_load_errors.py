"""Loading is all-or-nothing, and a syntax error says where and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.errors import LoadError
from collabkg.graph import check_syntax
from collabkg.project import load_graph

BROKEN = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckd: <https://w3id.org/collabkg/id/> .

ckd:broken-org a ck:Charity ;
    ck:hasMotto "never closed .
"""


def _write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_one_broken_file_raises_load_error_naming_file_line_and_column(mini_copy: Path):
    _write(mini_copy, "data/cases/broken.ttl", BROKEN)
    graph = None
    with pytest.raises(LoadError) as info:
        graph = load_graph(mini_copy)
    assert graph is None  # nothing half-loaded is handed back
    error = info.value
    assert error.file == "data/cases/broken.ttl"
    assert error.line == 5
    assert error.column == 17
    assert error.source_line == '    ck:hasMotto "never closed .'
    assert error.hint
    assert error.one_line().startswith("data/cases/broken.ttl:5:17: ")


def test_every_broken_file_is_reported(mini_copy: Path):
    _write(mini_copy, "data/cases/broken.ttl", BROKEN)
    _write(mini_copy, "data/cases/typo.ttl", "ckd:a ckx:b ckd:c .\n")
    with pytest.raises(LoadError) as info:
        load_graph(mini_copy)
    assert {e.file for e in info.value.errors} == {
        "data/cases/broken.ttl",
        "data/cases/typo.ttl",
    }


def test_undeclared_prefix_of_ours_gets_the_exact_line_to_add(mini_copy: Path):
    _write(mini_copy, "data/cases/noprefix.ttl", "\nckd:a ckd:b ckd:c .\n")
    files, problems = check_syntax(mini_copy)
    assert "data/cases/noprefix.ttl" in files
    [problem] = problems
    assert (problem.line, problem.column) == (2, 1)
    assert "ckd:" in problem.message
    assert problem.hint == (
        "add '@prefix ckd: <https://w3id.org/collabkg/id/> .' at the top of the file"
    )


def test_with_a_worker_beside_the_load_a_refused_graph_stops_loading_and_is_never_handed_out(
    mini_copy: Path, monkeypatch: pytest.MonkeyPatch
):
    """The validation beside the load (collabkg.validate.beside): data with errors is
    refused as before, and the load stops once the report with its errors has come (here
    the load waits, after its first file, until the worker has answered) instead of
    parsing every file for nothing."""
    import select

    from collabkg.backends import embedded
    from collabkg.errors import ValidationFailed
    from collabkg.validate import beside
    from collabkg.validate.cached import _GRAPH_CACHE
    from tests.support.waiting import wait_until

    bad = Path(__file__).parent / "fixtures" / "bad" / "49-missing-funder.ttl"
    _write(mini_copy, "data/cases/missing-funder.ttl", bad.read_text(encoding="utf-8"))
    with pytest.raises(ValidationFailed):
        load_graph(mini_copy)  # the report is remembered from here on
    _GRAPH_CACHE.clear()
    workers: list[beside.Beside] = []
    real_start = beside.start

    def start(*args, **kwargs):  # type: ignore[no-untyped-def]
        worker = real_start(*args, **kwargs)
        workers.append(worker)
        return worker

    loaded: list[str] = []
    real_load = embedded.parse_once.load

    def load_waiting_for_the_answer(store, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        loaded.append(name)
        if len(loaded) == 1:
            answered = lambda: bool(select.select([workers[0]._answer_fd], [], [], 0)[0])  # noqa: E731
            assert wait_until(answered, timeout=120), "the worker never answered"
        return real_load(store, name, *args, **kwargs)

    monkeypatch.setattr(beside, "start", start)
    monkeypatch.setattr(beside, "forkable", lambda: True)
    monkeypatch.setattr(embedded.parse_once, "load", load_waiting_for_the_answer)
    monkeypatch.setattr(embedded, "STOP_EVERY", 1)
    with pytest.raises(ValidationFailed) as error:
        load_graph(mini_copy)
    assert workers and workers[0] is not None
    assert "missing-funder.ttl" in str(error.value)
    files = [*(mini_copy / "ontology").rglob("*.ttl"), *(mini_copy / "data").rglob("*.ttl")]
    assert len(files) > 2
    assert len(loaded) <= 1, "the load went on after the refusal had come"


def test_missing_dot_points_to_the_unfinished_statement(mini_copy: Path):
    text = (
        "@prefix ckd: <https://w3id.org/collabkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ckd:a rdfs:label "A"\n'
        'ckd:b rdfs:label "B" .\n'
    )
    _write(mini_copy, "data/cases/nodot.ttl", text)
    _files, [problem] = check_syntax(mini_copy)
    assert problem.file == "data/cases/nodot.ttl"
    assert problem.line == 4
    assert "line 3" in (problem.hint or "")


def test_a_broken_template_is_not_loaded(mini_copy: Path):
    _write(mini_copy, "data/TEMPLATE.ttl", "this is not turtle\n")
    graph = load_graph(mini_copy)
    assert "data/TEMPLATE.ttl" not in graph.files


def test_non_utf8_file_is_a_load_error(mini_copy: Path):
    path = mini_copy / "data" / "cases" / "latin1.ttl"
    path.write_bytes(b'@prefix ckd: <https://w3id.org/collabkg/id/> .\nckd:a ckd:b "caf\xe9" .\n')
    with pytest.raises(LoadError) as info:
        load_graph(mini_copy)
    assert info.value.file == "data/cases/latin1.ttl"
    assert info.value.line == 2
    assert "UTF-8" in info.value.message


def test_the_graph_is_built_only_after_validation_so_peak_memory_is_not_the_sum_of_both(
    mini_copy: Path, monkeypatch: pytest.MonkeyPatch
):
    """Regression: load_graph used to build the served store first and then validate into a
    second one, both alive at once (9.9 GB at 10M). Data with errors now never gets a
    store built, and valid data gets one only after validation has finished (validating in
    this process; a worker beside the load is tested next)."""
    from collabkg import project
    from collabkg.errors import ValidationFailed
    from collabkg.graph import KnowledgeGraph
    from collabkg.validate import beside

    monkeypatch.setenv(beside.ENV, "0")

    events: list[str] = []
    real_validate = project.validate_graph_files
    real_from_files = KnowledgeGraph.from_files.__func__  # type: ignore[attr-defined]

    def validate(*args, **kwargs):
        events.append("validate")
        return real_validate(*args, **kwargs)

    def from_files(cls, *args, **kwargs):
        events.append("load")
        return real_from_files(cls, *args, **kwargs)

    monkeypatch.setattr(project, "validate_graph_files", validate)
    monkeypatch.setattr(KnowledgeGraph, "from_files", classmethod(from_files))

    load_graph(mini_copy).close()
    assert events == ["validate", "load"]

    events.clear()
    bad = Path(__file__).parent / "fixtures" / "bad" / "49-missing-funder.ttl"
    _write(mini_copy, "data/cases/missing-funder.ttl", bad.read_text(encoding="utf-8"))
    with pytest.raises(ValidationFailed):
        load_graph(mini_copy)
    assert events == ["validate"]  # nothing loaded for data with errors
