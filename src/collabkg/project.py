"""Opening the project's graph: validated and loaded (nothing invalid is served).

:func:`load_graph` is what every command and the explorer use to get a
:class:`~collabkg.graph.KnowledgeGraph` of the project's files: the files are validated by
the pipeline (:mod:`collabkg.validate`; by a worker process while this one loads them,
:mod:`collabkg.validate.beside`), a Turtle syntax error is a located
:class:`~collabkg.errors.LoadError`, and files with errors are refused with
:class:`~collabkg.errors.ValidationFailed` (``allow_invalid`` keeps the graph and flags
it). A store loaded beside a validation that finds errors is thrown away, never handed
out. :func:`open_graph` picks a remote endpoint instead when one is configured. The facade
itself (:mod:`collabkg.graph`) knows nothing of validation.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from collabkg import file_state
from collabkg.backends.base import Backend
from collabkg.errors import LoadError, LoadStopped, ValidationFailed
from collabkg.graph import KnowledgeGraph, graph_files
from collabkg.paths import ProjectPaths
from collabkg.validate import Severity, Stage, beside, summary_line, validate_graph_files
from collabkg.validate.report import Report
from collabkg.validate.strays import with_strays

_UNREADABLE = (Stage.SYNTAX, Stage.FILE)
ATTEMPTS = 3
"""How many times the files are validated and loaded again when they changed meanwhile."""


def load_graph(
    root: str | os.PathLike[str] | None = None,
    *,
    paths: Iterable[str | os.PathLike[str]] | None = None,
    backend: Backend | None = None,
    allow_invalid: bool = False,
) -> KnowledgeGraph:
    """The project's graph in a fresh embedded store, validated.

    The validation runs in a worker process while this one loads, where that is safe
    (:mod:`collabkg.validate.beside`), else first; either way the graph is handed out only
    once the report allows it.

    ``root`` defaults to the discovered project root; ``paths`` replaces the default file
    set (see :meth:`KnowledgeGraph.from_files`). With ``backend`` (a remote endpoint that
    holds the data already) no file is read and nothing is validated here.

    Nothing invalid is served: a :class:`~collabkg.errors.ValidationFailed` (with the full
    report as ``.report``) is raised if any file has a violation — unless ``allow_invalid``
    is set, in which case the graph is returned with ``invalid`` True and ``validation``
    holding the report.
    """
    if backend is not None:
        return KnowledgeGraph.from_files(root, paths=paths, backend=backend)
    # the validation and the load each read the files: a file saved between the two reads
    # would give a graph of one version validated as another, so the files' state is taken
    # before both and compared after; when it changed, both run again, from the files as
    # listed again (a file deleted meanwhile was validated as "cannot be read" each time)
    for _attempt in range(ATTEMPTS):
        project, files = graph_files(root, paths)
        shapes = sorted(project.shapes.glob("*.ttl")) if project.shapes.is_dir() else []
        watched = [*files, *shapes]
        taken = file_state.take(watched)
        graph, report = _validated_load(root, files, project, allow_invalid=allow_invalid)
        if paths is None:  # a file under data/ the graph does not read (case.TTL): an error
            report = with_strays(report, project)
        if taken.holds():
            try:
                return _checked(root, paths, files, report, graph, allow_invalid=allow_invalid)
            except BaseException:
                if graph is not None:
                    graph.close()
                raise
        if graph is not None:
            graph.close()
    changed = taken.changed()
    raise LoadError(
        f"the data files changed while they were being read ({ATTEMPTS} tries), so nothing"
        " was loaded",
        file=file_state.shown_name(changed[0], project) if changed else None,
        hint="run the command again once the files are saved",
    )


def _validated_load(
    root: str | os.PathLike[str] | None,
    files: list[Path],
    project: ProjectPaths,
    *,
    allow_invalid: bool,
) -> tuple[KnowledgeGraph | None, Report]:
    """The report of ``files`` and, where a worker validated beside, the graph loaded
    meanwhile (None when validated first, or when the load stopped or failed)."""
    worker = beside.start(files, project)
    if worker is None:
        # Validate first, then load: the validation's own store is gone before the graph's
        # is built, so peak memory is the larger of the two, not their sum (10M: 9.9 GB).
        report = validate_graph_files(files, project)
        return _loaded_if_allowed(root, files, report, allow_invalid=allow_invalid), report
    # A worker validates while this process loads (the graph is handed out by the caller
    # only when the report allows it); before a full validation it stops the load, freeing
    # the partial store, so the two big ones still run one after the other; a report with
    # violations stops it too (the graph will be refused: no use loading on).
    stop = worker.full_run_started if allow_invalid else worker.stop_loading
    graph: KnowledgeGraph | None = None
    try:
        graph = KnowledgeGraph.from_files(root, paths=files, stop=stop)
    except (LoadStopped, LoadError):
        graph = None  # a file that cannot be read is reported (and raised) by the caller
    except BaseException:
        worker.cancel()
        raise
    try:
        report = worker.report()
        if graph is None:  # stopped for a full validation (memory): loaded after it
            graph = _loaded_if_allowed(root, files, report, allow_invalid=allow_invalid)
    except BaseException:
        if graph is not None:
            graph.close()
        raise
    return graph, report


def _loaded_if_allowed(
    root: str | os.PathLike[str] | None,
    files: list[Path],
    report: Report,
    *,
    allow_invalid: bool,
) -> KnowledgeGraph | None:
    """The graph of ``files`` when ``report`` lets it be handed out, else None."""
    if any(i.severity is Severity.VIOLATION and i.stage in _UNREADABLE for i in report.issues):
        return None
    if report.violations and not allow_invalid:
        return None
    return KnowledgeGraph.from_files(root, paths=files)


def _checked(
    root: str | os.PathLike[str] | None,
    paths: Iterable[str | os.PathLike[str]] | None,
    files: list[Path],
    report: Report,
    graph: KnowledgeGraph | None,
    *,
    allow_invalid: bool,
) -> KnowledgeGraph:
    """The graph of ``files`` once ``report`` allows it (``graph``: loaded already)."""
    if any(i.severity is Severity.VIOLATION and i.stage in _UNREADABLE for i in report.issues):
        # A file that cannot be read at all: loading says where, as a located LoadError
        # naming every broken file (raised here; nothing is handed back).
        KnowledgeGraph.from_files(root, paths=paths).close()
    if report.violations and not allow_invalid:
        bad = report.files_with_violations()
        error = ValidationFailed(
            f"the data has errors, so the graph was not loaded: {summary_line(report)}",
            file=bad[0] if len(bad) == 1 else None,
            hint=f"run 'collabkg validate' to see them ({', '.join(bad[:3])}"
            + ("…" if len(bad) > 3 else "")
            + ")",
        )
        error.report = report  # type: ignore[attr-defined]
        raise error
    if graph is None:  # the files validated, not listed again
        graph = KnowledgeGraph.from_files(root, paths=files)
    graph.validation = report
    graph.invalid = bool(report.violations)
    return graph


def open_graph(
    root: str | os.PathLike[str] | None = None,
    *,
    endpoint: str | None = None,
    default_graph: str | None = None,
    allow_invalid: bool = False,
) -> KnowledgeGraph:
    """The project's graph: a remote endpoint when configured, else the local files.

    The endpoint is ``endpoint`` or the ``COLLABKG_ENDPOINT`` environment variable (its
    data graph ``default_graph`` or ``COLLABKG_GRAPH``); without one the files are loaded
    into the embedded store with :func:`load_graph` (validated first; see
    ``allow_invalid`` there).
    """
    from collabkg.backends.remote import ENV_ENDPOINT, ENV_GRAPH, RemoteBackend

    url = endpoint or os.environ.get(ENV_ENDPOINT, "").strip() or None
    if url is None:
        return load_graph(root, allow_invalid=allow_invalid)
    graph = default_graph or os.environ.get(ENV_GRAPH, "").strip() or None
    return load_graph(root, backend=RemoteBackend(url, default_graph=graph))


__all__ = ["load_graph", "open_graph"]
