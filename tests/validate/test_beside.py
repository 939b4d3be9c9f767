"""The validation run by a worker beside the load (collabkg.validate.beside): the same
graph and the same refusals as validating first, and a worker that fails changes nothing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from collabkg import project as project_module
from collabkg.backends.embedded import SourceFile, load_store
from collabkg.errors import LoadError, LoadStopped, ValidationFailed
from collabkg.graph import KnowledgeGraph
from collabkg.paths import ProjectPaths
from collabkg.project import load_graph
from collabkg.validate import beside
from collabkg.validate import store as store_module
from collabkg.validate.cached import _GRAPH_CACHE, graph_report_key, validate


@pytest.fixture
def root(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv(beside.ENV, raising=False)
    _GRAPH_CACHE.clear()
    return project_copy


def _quads(graph: KnowledgeGraph, tmp_path: Path, name: str) -> tuple[list[str], int]:
    """The graph's quads without blank nodes (sorted), and how many have one."""
    out = tmp_path / name
    graph.write_dataset(out)
    lines = out.read_text(encoding="utf-8").splitlines()
    plain = sorted(line for line in lines if "_:" not in line)
    return plain, len(lines) - len(plain)


def _left_behind(workers: list[beside.Beside]) -> list[int]:
    """The workers' processes not collected (running, or exited and not waited for)."""
    left = []
    for worker in workers:
        if worker._process is not None:
            if worker._process.returncode is None:
                left.append(worker._pid)
            continue
        try:
            os.waitpid(worker._pid, os.WNOHANG)
        except ChildProcessError:
            continue  # collected
        left.append(worker._pid)
    return left


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[beside.Beside]:
    started: list[beside.Beside] = []
    real = beside.start

    def recording(*args: object, **kwargs: object) -> beside.Beside | None:
        worker = real(*args, **kwargs)  # type: ignore[arg-type]
        if worker is not None:
            started.append(worker)
        return worker

    monkeypatch.setattr(beside, "start", recording)
    return started


def test_the_graph_loaded_beside_the_validation_is_the_graph_loaded_after_it(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    with load_graph(root) as graph:
        quads, blanks = _quads(graph, tmp_path, "beside.nq")
        issues = sorted(str(i) for i in graph.validation.issues)  # type: ignore[union-attr]
    assert len(started) == 1, "the worker was not used: this test would prove nothing"
    assert _left_behind(started) == []
    monkeypatch.setenv(beside.ENV, "0")
    _GRAPH_CACHE.clear()
    with load_graph(root) as graph:
        assert _quads(graph, tmp_path, "after.nq") == (quads, blanks)
        assert sorted(str(i) for i in graph.validation.issues) == issues  # type: ignore[union-attr]
    assert len(started) == 1
    assert quads and blanks >= 0


def test_the_load_counts_the_workers_violations_once_not_after_every_file(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load asks the worker after every file whether to stop; once the report has come,
    its violations were counted again at each ask (877 counts of 1,440 issues, 0.3 s of a
    query at 1M). The report is final: it is counted once."""
    from collabkg.validate.report import Report

    started = _spy(monkeypatch)
    counted: list[int] = []
    real = Report.counts

    def spy(self):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real(self)

    monkeypatch.setattr(Report, "counts", spy)
    with load_graph(root) as graph:
        assert graph.validation is not None
    assert len(started) == 1, "the worker was not used: this test would prove nothing"
    worker = started[0]
    assert worker._done  # the report has come
    before = len(counted)
    assert [worker.refuses() for _ in range(20)] == [False] * 20
    assert len(counted) - before <= 1


def test_data_with_an_error_is_refused_with_the_worker_as_without_it(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    case = root / "data" / "cases" / "oldham.ttl"
    text = case.read_text(encoding="utf-8")
    assert "a ck:Case ;" in text
    case.write_text(text.replace("a ck:Case ;", "a ck:Casee ;", 1), encoding="utf-8")
    with pytest.raises(ValidationFailed) as beside_error:
        load_graph(root)
    assert started, "the worker was not used"
    assert _left_behind(started) == []
    monkeypatch.setenv(beside.ENV, "0")
    _GRAPH_CACHE.clear()
    with pytest.raises(ValidationFailed) as after_error:
        load_graph(root)
    assert str(beside_error.value) == str(after_error.value)
    assert "oldham.ttl" in str(beside_error.value)


def test_a_syntax_error_is_a_located_load_error_with_the_worker_too(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    case = root / "data" / "cases" / "oldham.ttl"
    case.write_text(case.read_text(encoding="utf-8") + "\nckd:x ckd:y \n", encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_graph(root)
    assert started
    assert error.value.file is not None and error.value.file.endswith("oldham.ttl")
    assert error.value.line is not None
    assert _left_behind(started) == []


def test_the_worker_says_when_it_checks_every_file_and_not_when_the_report_is_known(
    root: Path,
) -> None:
    project = ProjectPaths.discover(root)
    files = project.graph_files()
    cold = beside.start(files, project)
    assert cold is not None
    report = cold.report()
    assert cold.full_run_started(), (
        "a validation with nothing cached checks every file: the load must be told"
    )
    assert not report.violations
    _GRAPH_CACHE.clear()
    warm = beside.start(files, project)
    assert warm is not None
    second = warm.report()
    assert not warm.full_run_started(), "a remembered report is no reason to stop the load"
    assert [str(i) for i in second.issues] == [str(i) for i in report.issues]
    assert _left_behind([cold, warm]) == []


def test_a_load_whose_stop_test_answers_yes_is_stopped_and_keeps_nothing(root: Path) -> None:
    paths = ProjectPaths.discover(root)
    files = paths.graph_files()
    sources = [SourceFile(f, f.name, "urn:test:" + f.name) for f in files]
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return True

    with pytest.raises(LoadStopped):
        load_store(sources, stop=stop)
    assert asked
    assert len(load_store(sources, stop=lambda: False)) > 0


def test_a_worker_that_dies_means_the_validation_runs_in_this_process(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _spy(monkeypatch)
    monkeypatch.setattr(beside, "forkable", lambda: True)  # a fork runs the patched worker
    monkeypatch.setattr(beside, "_work", lambda *args: os._exit(7))
    with load_graph(root) as graph:
        assert graph.validation is not None and not graph.validation.violations
        assert _quads(graph, tmp_path, "died.nq")[0]
    assert started
    assert _left_behind(started) == []


def test_a_worker_that_raises_means_the_validation_runs_here_and_its_error_is_raised(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = beside.validate_graph_files
    calls: list[int] = []

    def failing(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("the worker failed")
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(beside, "validate_graph_files", failing)
    monkeypatch.setattr(beside, "forkable", lambda: True)  # a fork runs the patched function
    started = _spy(monkeypatch)
    with load_graph(root) as graph:
        assert graph.validation is not None and not graph.validation.violations
    assert calls == [1], "the parent validated again after the worker failed"
    assert _left_behind(started) == []


def test_with_other_threads_the_worker_is_a_new_interpreter_and_gives_the_same_graph(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with load_graph(root) as graph:  # one thread: a fork
        forked = _quads(graph, tmp_path, "forked.nq")
    started = _spy(monkeypatch)
    _GRAPH_CACHE.clear()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not beside.forkable()
        with load_graph(root) as graph:
            assert graph.validation is not None and not graph.validation.violations
            assert _quads(graph, tmp_path, "spawned.nq") == forked
        assert len(started) == 1 and started[0]._process is not None, "not a new interpreter"
        assert started[0]._process.returncode == 0
    finally:
        release.set()
        other.join()


def test_a_new_interpreter_worker_also_says_when_it_checks_every_file(root: Path) -> None:
    project = ProjectPaths.discover(root)
    files = project.graph_files()
    worker = beside._spawn(files, project, graph_report_key(files, project))
    assert worker is not None
    report = worker.report()
    assert worker.full_run_started()
    assert not report.violations and report.files


def test_an_error_in_the_data_is_found_by_a_new_interpreter_worker(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = root / "data" / "cases" / "oldham.ttl"
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("a ck:Case ;", "a ck:Casee ;", 1), encoding="utf-8")
    monkeypatch.setattr(beside, "forkable", lambda: False)
    started = _spy(monkeypatch)
    with pytest.raises(ValidationFailed) as error:
        load_graph(root)
    assert started and started[0]._process is not None
    assert "oldham.ttl" in str(error.value)


def test_a_load_interrupted_while_the_worker_runs_collects_the_worker(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> KnowledgeGraph:
        raise KeyboardInterrupt

    monkeypatch.setattr(project_module.KnowledgeGraph, "from_files", interrupted)
    started = _spy(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        load_graph(root)
    assert started
    assert _left_behind(started) == []


def test_a_file_edited_while_the_worker_validates_is_not_answered_by_its_report(
    root: Path,
) -> None:
    """Regression: the worker's report was remembered in this process by the files' state
    read after it answered, so a file edited while the worker ran (after it had read the
    file) was answered, later in the process, with the report of its old content. The
    state is now read before the worker starts."""
    from collabkg.validate.cached import validate_graph_files

    project = ProjectPaths.discover(root)
    files = project.graph_files()
    worker = beside.start(files, project)
    assert worker is not None
    case = root / "data" / "cases" / "oldham.ttl"
    case.write_text(case.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    report = worker.report()
    assert validate_graph_files(files, project) is not report, (
        "the edited files were answered with the report made before the edit"
    )
    assert _left_behind([worker]) == []


def test_a_process_that_opened_the_store_on_disk_starts_the_worker_as_a_new_interpreter(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a process that had validated in-process (the store on disk opened:
    RocksDB's own threads, unseen by ``threading``) and then loaded the graph forked the
    worker, whose opening of the store waited for ever for a background flush that no thread
    of the child would run (the CLI's tests hung after the answer-update tests had run in
    the same pytest worker). Such a process now starts a new interpreter."""
    monkeypatch.setattr(store_module, "_OPENED", [False])
    monkeypatch.setattr(beside.threading, "active_count", lambda: 1)
    assert beside.forkable()
    files = sorted((root / "data").rglob("*.ttl"))
    validate(root=root)  # in this process: the whole project
    files[-2].write_text("# edited\n" + files[-2].read_text(encoding="utf-8"), encoding="utf-8")
    validate(root=root)  # in this process: the change, over the store on disk
    assert store_module.opened_in_this_process()
    assert not beside.forkable()
    files[-1].write_text("# edited\n" + files[-1].read_text(encoding="utf-8"), encoding="utf-8")
    started = _spy(monkeypatch)
    _GRAPH_CACHE.clear()
    with load_graph(root) as graph:
        assert graph.validation is not None and not graph.validation.violations
    assert len(started) == 1 and started[0]._process is not None, "not a new interpreter"
