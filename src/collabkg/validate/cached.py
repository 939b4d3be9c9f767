"""Validation as the commands use it: :func:`validate` (``collabkg validate``),
:func:`validate_text` (an upload), :func:`validate_graph_files` (before a graph is loaded);
each report remembered by the content of every file involved (:func:`run_cached`)."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from collabkg.cache import Cache, code_version, key_of
from collabkg.paths import ProjectPaths
from collabkg.validate.incremental import (
    Kept,
    base_key,
    run_incremental,
    save_base,
    whole_project,
)
from collabkg.validate.inputs import (
    Inputs,
    named_from_here,
    project_inputs,
    resolved,
    resolved_names,
)
from collabkg.validate.pipeline import choose_engine, run
from collabkg.validate.report import Report

if TYPE_CHECKING:
    from collabkg.progress import Progress


def report_key(inputs: Inputs, project: ProjectPaths, cache: Cache, *parts: object) -> str | None:
    """A key for the report of ``inputs``: every file's path and content hash, the code, and
    where the command runs from when the report names a file from there (one outside the
    project: :func:`~collabkg.validate.inputs.named_from_here`)."""
    files = [*inputs.ontology, *inputs.data, *inputs.targets, *inputs.shapes]
    # the files a report may name by a path (the source texts below are named by their
    # folder, which is in the key, and their file names): only these can make it read
    # differently from another folder
    named = named_from_here(project, files)
    # the quotations are checked against the sources' texts: their contents count too
    from collabkg.sources import texts_folder

    folder = texts_folder(project.root)
    texts = sorted(folder.glob("*")) if folder.is_dir() else []
    files += [p for p in texts if p.is_file()]
    # the targets are usually the data files again: each file looked at once
    unique = list(dict.fromkeys(files))
    seen = dict(zip(unique, cache.states(unique), strict=True))
    states = [seen[p] for p in files]
    if any(not state.sha256 for state in states):
        return None  # a file that cannot be read: let the pipeline say so
    return key_of(
        "report",
        code_version(),
        *parts,
        str(project.root),
        str(Path.cwd()) if named else "",
        str(folder),
        len(inputs.ontology),
        len(inputs.data),
        len(inputs.targets),
        *(f"{s.path}={s.sha256}" for s in states),
        *(f"{name}={hashlib.sha256(data).hexdigest()}" for name, data in inputs.texts),
    )


def run_cached(
    inputs: Inputs,
    project: ProjectPaths,
    *,
    engine: str | None = None,
    reason: bool = False,
    progress: Progress | None = None,
    before_full: Callable[[], None] | None = None,
) -> Report:
    """:func:`collabkg.validate.pipeline.run`, remembered by the content of every file
    involved: validating unchanged files again (e.g. loading the graph) costs a lookup.

    A whole-project run after a few data files changed checks only the files the change can
    affect and carries the rest of the last whole-project report over
    (:mod:`collabkg.validate.incremental`). ``before_full`` is called just before a run
    that checks every file (neither remembered nor incremental): the costly kind, in time
    and in memory."""
    started = time.perf_counter()
    chosen = choose_engine(engine)
    cache = None if reason else Cache.open(project.root)
    scan = cache.one_scan() if cache is not None else contextlib.nullcontext()
    try:
        with scan:  # each file looked at once by this run (its key, the base, the pipeline)
            return _run_cached(
                inputs, project, cache, chosen, reason, progress, started, before_full
            )
    finally:
        if cache is not None:
            cache.close()


def _run_cached(
    inputs: Inputs,
    project: ProjectPaths,
    cache: Cache | None,
    chosen: str,
    reason: bool,
    progress: Progress | None,
    started: float,
    before_full: Callable[[], None] | None = None,
) -> Report:
    key = report_key(inputs, project, cache, chosen) if cache is not None else None
    if key is not None and cache is not None:
        found = cache.get(key)
        if isinstance(found, Report):
            found.seconds = time.perf_counter() - started
            return found
    base = None
    if key is not None and cache is not None and whole_project(inputs):
        base = base_key(inputs, project, cache, chosen)
    found_now = None
    if base is not None and cache is not None:
        with collector_paused():
            found_now = run_incremental(
                inputs, project, cache, base, engine=chosen, progress=progress
            )
    mentions: dict[str, bytes] = {}
    only: set[str] | None = None
    known: dict[str, tuple[Path, str]] | None = None
    kept: Kept | None = None
    if found_now is not None:
        report, mentions, only, known, kept = found_now
    else:
        if before_full is not None:
            before_full()
        report = run(  # mentions only for the base of a whole-project run
            inputs,
            project,
            reason=reason,
            engine=chosen,
            progress=progress,
            mentions=mentions if base is not None else None,
        )
    if key is not None and cache is not None:
        cache.put(key, report)
        if base is not None:
            with collector_paused() if found_now is not None else contextlib.nullcontext():
                save_base(
                    cache,
                    base,
                    inputs,
                    project,
                    report,
                    mentions,
                    only=only,
                    known=known,
                    kept=kept,
                )
    return report


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a bounded piece of work (an incremental run: a few
    files checked; its garbage is collected afterwards). The base it reads holds about a
    million objects, which each full collection walks: 0.28 s of a 2 s run at 1M, 0.17 s of
    it in three full collections. Not for a full run, whose memory is large."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def validate(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
    reason: bool = False,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """``collabkg validate [PATH...]``: check the named files (default: all of data/).

    The report is remembered by the content of the files (see :func:`run_cached`); a few
    files in a large project whose other files did not change are checked as a warm run
    (:mod:`.warm`: no work per other file)."""
    from collabkg.validate.strays import with_strays

    project = ProjectPaths.discover(root)
    paths = list(paths) if paths is not None else None
    if paths and not reason:
        from collabkg.validate.warm import check

        report = check(project, paths, engine=engine, progress=progress)
        if report is not None:
            return _named_checks(report, project, paths)
    inputs = project_inputs(project, paths)
    report = run_cached(inputs, project, reason=reason, engine=engine, progress=progress)
    if paths:
        return _named_checks(report, project, paths, inputs.targets)
    # a file the graph does not read (case.TTL) is an error, checked whole or named
    return with_strays(report, project)


def _named_checks(
    report: Report,
    project: ProjectPaths,
    paths: Sequence[str | os.PathLike[str]],
    targets: Sequence[Path] | None = None,
) -> Report:
    """What a check of named files adds: a named file the graph does not read
    (:mod:`.strays`), and an ID a named file no longer describes that other files use
    (:mod:`.removed`: a renamed source passed, its citations then linking to nothing)."""
    from collabkg.validate.removed import removed_issues
    from collabkg.validate.strays import with_strays

    report = with_strays(report, project, [Path(p) for p in paths])
    named = targets if targets is not None else project.expand(paths)
    removed = removed_issues(project, list(named))
    if removed:
        report = dataclasses.replace(report, issues=[*report.issues, *removed])
    return report


def validate_text(
    data: bytes | str,
    *,
    name: str = "case.ttl",
    root: str | os.PathLike[str] | None = None,
    reason: bool = False,
) -> Report:
    """Check Turtle held in memory (an upload, a text box) against the project's graph,
    exactly as ``collabkg validate`` checks a file; nothing is written to disk.

    ``name`` is what the report calls the file; a name that is already a data file's (e.g.
    ``data/cases/wigan.ttl``) replaces that file for the check.
    """
    project = ProjectPaths.discover(root)
    base = project_inputs(project)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    replaced = (project.root / name).resolve() if "/" in name else None
    context = tuple(p for p in base.data if replaced is None or resolved(p) != replaced)
    inputs = Inputs(base.ontology, context, (), base.shapes, texts=((name, raw),))
    return run(inputs, project, reason=reason)


_GRAPH_CACHE: dict[tuple[object, ...], Report] = {}


def _seen(path: Path) -> tuple[str, int, int] | None:
    """A file's name, modification time and size (one ``stat``); None when it is gone."""
    try:
        stat = os.stat(path)  # noqa: PTH116 - one call, not two
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def validate_graph_files(
    files: Sequence[Path],
    project: ProjectPaths,
    *,
    before_full: Callable[[], None] | None = None,
) -> Report:
    """Validate exactly the files a KnowledgeGraph is about to load (all of them reported).

    The result is cached in-process by the files' names, sizes and modification times, so a
    graph loaded again from unchanged files is not validated twice. ``before_full``: see
    :func:`run_cached`.
    """
    ontology_dir = str(resolved(project.ontology)) + "/"
    in_ontology = [name.startswith(ontology_dir) for name in resolved_names(files)]
    ontology = [f for f, inside in zip(files, in_ontology, strict=True) if inside]
    data = [f for f, inside in zip(files, in_ontology, strict=True) if not inside]
    shapes = _shapes(project)
    key = graph_report_key(files, project, shapes)
    if key in _GRAPH_CACHE:
        return _GRAPH_CACHE[key]
    report = run_cached(
        Inputs(tuple(ontology), tuple(data), tuple(data), shapes), project, before_full=before_full
    )
    remember_graph_report(key, report)
    return report


def _shapes(project: ProjectPaths) -> tuple[Path, ...]:
    return tuple(sorted(project.shapes.glob("*.ttl"))) if project.shapes.is_dir() else ()


def graph_report_key(
    files: Sequence[Path], project: ProjectPaths, shapes: Sequence[Path] | None = None
) -> tuple[object, ...]:
    """What :func:`validate_graph_files` remembers a report by in this process: each file's
    name, modification time and size, taken BEFORE the files are validated (an edit while
    they are makes the key stale, never the report wrong)."""
    return tuple(_seen(p) for p in [*files, *(_shapes(project) if shapes is None else shapes)])


def remember_graph_report(key: tuple[object, ...], report: Report) -> None:
    """Keep ``report`` as what :func:`validate_graph_files` answers for the files of ``key``
    (:func:`graph_report_key`) in this process (a report made by a worker process:
    :mod:`collabkg.validate.beside`)."""
    if len(_GRAPH_CACHE) > 16:
        _GRAPH_CACHE.clear()
    _GRAPH_CACHE[key] = report


def summary_line(report: Report) -> str:
    """The counts of a graph's report in a line: the files it names are the data files (the
    ontology's are what they are checked against; ``collabkg validate`` counts both)."""
    counts = report.counts()
    return (
        f"{counts['violation']} error(s), {counts['warning']} warning(s), "
        f"{counts['info']} note(s) in {len(report.files)} data file(s)"
    )


__all__ = [
    "graph_report_key",
    "remember_graph_report",
    "report_key",
    "run_cached",
    "summary_line",
    "validate",
    "validate_graph_files",
    "validate_text",
]
