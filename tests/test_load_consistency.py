"""A file saved while a command validates and loads the graph never gets an unvalidated
version served: the validation and the load each read the files, so when a file changed
between the two reads both run again, and a file that keeps changing is a located error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import collabkg.project as project_module
from collabkg import file_state
from collabkg.errors import LoadError, ValidationFailed
from collabkg.graph import KnowledgeGraph
from collabkg.project import ATTEMPTS, load_graph
from collabkg.validate import beside

ASK_BROKEN = "ASK { ?s a <https://w3id.org/collabkg/ontology#Casee> }"


@pytest.fixture
def project(project_copy: Path) -> Path:
    return project_copy


def _case(root: Path) -> Path:
    return root / "data" / "cases" / "oldham.ttl"


def _break(root: Path) -> None:
    """An editor saves a version with an error (a class that does not exist)."""
    path = _case(root)
    text = path.read_text(encoding="utf-8")
    assert "a ck:Case ;" in text
    path.write_text(text.replace("a ck:Case ;", "a ck:Casee ;", 1), encoding="utf-8")


def _never_served(root: Path) -> None:
    graph = None
    try:
        with pytest.raises(ValidationFailed):
            graph = load_graph(root)
    finally:
        if graph is not None:  # the bug: the broken version, loaded and handed out
            assert not graph.ask(ASK_BROKEN), "an unvalidated version of a file was served"
            graph.close()


def test_a_file_saved_after_its_validation_and_before_the_load_is_not_served_unvalidated(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(beside.ENV, "0")  # validate first, then load
    real = project_module.validate_graph_files
    calls: list[int] = []

    def validate_then_save(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        report = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:
            _break(project)
        return report

    monkeypatch.setattr(project_module, "validate_graph_files", validate_then_save)
    _never_served(project)
    assert len(calls) == 2  # validated again, the saved version refused


def test_a_file_saved_while_the_worker_validates_beside_the_load_is_not_served_unvalidated(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not beside.available():
        pytest.skip("no validation worker on this platform")
    real = beside.start
    started: list[int] = []

    def start_then_save(files, project_paths):  # type: ignore[no-untyped-def]
        worker = real(files, project_paths)
        started.append(1)
        if len(started) == 1 and worker is not None:
            worker.report()  # the worker has read and validated the good version ...
            _break(project)  # ... and the file is saved before this process loads it
        return worker

    monkeypatch.setattr(beside, "start", start_then_save)
    _never_served(project)
    assert len(started) == 2


def test_a_file_that_keeps_changing_while_loading_is_a_located_error_and_nothing_is_loaded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(beside.ENV, "0")
    real = project_module.validate_graph_files
    path = _case(project)
    calls: list[int] = []

    def validate_then_edit(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        report = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(1)
        with path.open("a", encoding="utf-8") as out:  # still valid: a comment more
            out.write(f"# saved again ({len(calls)})\n")
        return report

    loaded: list[KnowledgeGraph] = []
    real_load = KnowledgeGraph.from_files

    def kept(*args: object, **kwargs: object) -> KnowledgeGraph:
        graph = real_load(*args, **kwargs)  # type: ignore[arg-type]
        loaded.append(graph)
        return graph

    closed: list[int] = []
    real_close = KnowledgeGraph.close

    def close(self: KnowledgeGraph) -> None:
        closed.append(id(self))
        real_close(self)

    monkeypatch.setattr(project_module, "validate_graph_files", validate_then_edit)
    monkeypatch.setattr(KnowledgeGraph, "from_files", kept)
    monkeypatch.setattr(KnowledgeGraph, "close", close)
    with pytest.raises(LoadError) as info:
        load_graph(project)
    assert len(calls) == ATTEMPTS
    assert info.value.file == "data/cases/oldham.ttl"
    assert "changed while" in str(info.value)
    assert info.value.hint
    assert loaded and {id(graph) for graph in loaded} <= set(closed)  # every store freed


def test_an_unchanged_project_loads_once(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = beside.start
    started: list[int] = []

    def counted(files, project_paths):  # type: ignore[no-untyped-def]
        started.append(1)
        return real(files, project_paths)

    monkeypatch.setattr(beside, "start", counted)
    graph = load_graph(project)
    try:
        assert graph.ask("ASK { ?s a <https://w3id.org/collabkg/ontology#Case> }")
    finally:
        graph.close()
    assert len(started) == 1


def test_a_file_rewritten_within_the_clock_tick_with_its_time_kept_is_seen_changed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.ttl"
    path.write_text("<a:x> <a:y> <a:z> .\n", encoding="utf-8")
    before = path.stat()
    taken = file_state.take([path])
    assert taken.holds()
    # the same size, written in place, its time put back: only the bytes tell
    path.write_text("<a:x> <a:y> <a:w> .\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert not taken.holds()
    assert taken.changed() == [path]


def test_a_file_removed_or_replaced_is_seen_changed(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    for path in (first, second):
        path.write_text("<a:x> <a:y> <a:z> .\n", encoding="utf-8")
    taken = file_state.take([first, second])
    first.unlink()
    replacement = tmp_path / "new.ttl"
    replacement.write_text("<a:x> <a:y> <a:z> .\n", encoding="utf-8")
    replacement.replace(second)  # an editor's save: a new file renamed over the old one
    assert taken.changed() == [first, second]


def test_a_refused_load_counts_the_data_files_it_checked(project: Path) -> None:
    _break(project)
    with pytest.raises(ValidationFailed) as info:
        load_graph(project)
    data_files = len(list((project / "data").rglob("*.ttl"))) - 1  # not the template
    assert f"in {data_files} data file(s)" in str(info.value)  # "in 26 file(s)": which?


def test_a_file_deleted_while_the_graph_loaded_was_refused_three_times(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case file deleted between the listing and the reading of the files: the load ran
    again, but from the same list, so each try reported the deleted file as unreadable and
    the graph was refused (the explorer then served the last valid graph with a banner
    naming a file that no longer exists, for good). The files are listed again each try."""
    ghost = project / "data" / "cases" / "ghost.ttl"
    ghost.write_text(_case(project).read_text(encoding="utf-8").replace(
        "ckd:case-oldham", "ckd:case-ghost"), encoding="utf-8")
    real = project_module._validated_load
    tries: list[int] = []

    def deleted_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        tries.append(1)
        if ghost.exists():
            ghost.unlink()  # listed and its state taken, then gone before it is read
        return real(*args, **kwargs)

    monkeypatch.setattr(project_module, "_validated_load", deleted_meanwhile)
    graph = load_graph(project)
    try:
        assert len(tries) == 2
        assert not any(str(f).endswith("ghost.ttl") for f in graph.files)
    finally:
        graph.close()
