"""The whole project's report after a few files changed, without checking everything again.

A whole-project run (every data file asked about) leaves a *base* in the cache: each data
file's content hash, the IRIs each file names (as a subject or an object), and the report.
When the next whole-project run finds a few data files edited, added or deleted (and the
ontology, the shapes and the sources' texts unchanged), only the files the change can affect
are checked again, against the whole graph:

- the changed and added files themselves;
- every other file that names an item the old or the new version of a changed file names
  (a membership in another case pointing to an organisation that was deleted; the
  organisation file whose organisation a new case names as a member...).

Their issues replace the base's for those files; every other file's issues are carried over.
Terms of the vocabularies (the ontology's, the concepts', W3C's) are not followed: nearly every
file names them. A change that touches the vocabulary itself (a changed file describing such a
term), more than :data:`MAX_CHANGED` files, or any doubt, means a
full run. ``tests/validate/test_incremental.py`` compares the merged report with a full run
after random edits, additions and deletions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from collabkg.cache import Cache, code_version, key_of
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress
from collabkg.sources import texts_folder
from collabkg.validate.inputs import Inputs, display_name, resolved
from collabkg.validate.pipeline import run
from collabkg.validate.reading import DESCRIBES_TERM, mentions_of
from collabkg.validate.report import Report

MAX_CHANGED = 20
"""More data files changed than this since the base: a full run."""


@dataclass
class Base:
    """What the last whole-project run left for the next one."""

    shas: dict[str, str]
    """Resolved path of each data file -> its sha256."""
    mentions: dict[str, frozenset[str]]
    """Resolved path of each data file -> the items (IRIs) it names."""
    report: Report
    displays: dict[str, str] = field(default_factory=dict)
    """Resolved path -> the name the report gives the file."""


def base_key(inputs: Inputs, project: ProjectPaths, cache: Cache, engine: str) -> str | None:
    """The base's key: everything a whole-project report depends on except the data files."""
    folder = texts_folder(project.root)
    texts = sorted(p for p in folder.glob("*") if p.is_file()) if folder.is_dir() else []
    states = cache.states([*inputs.ontology, *inputs.shapes, *texts])
    if any(not state.sha256 for state in states):
        return None
    return key_of(
        "incremental-base",
        code_version(),
        engine,
        str(project.root),
        str(Path.cwd()),
        str(folder),
        len(inputs.ontology),
        *(f"{s.path}={s.sha256}" for s in states),
    )


def whole_project(inputs: Inputs) -> bool:
    """Whether ``inputs`` ask about every data file (what ``collabkg validate``, which also
    reports on the ontology files, and loading the graph do): the only runs that have or
    use a base."""
    targets = tuple(inputs.targets)
    return not inputs.texts and targets in (
        tuple(inputs.data),
        tuple(inputs.ontology) + tuple(inputs.data),
    )


def _display(project: ProjectPaths, path: Path, resolved_path: str) -> str:
    root = str(project.root)
    if resolved_path.startswith(root + "/"):
        return resolved_path[len(root) + 1 :]
    return display_name(project, path)


def _new_mentions(path: Path) -> frozenset[str] | None:
    """The items a changed file names now (None: it cannot be parsed, so it names none)."""
    try:
        return mentions_of(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
    except (OSError, SyntaxError, ValueError):
        return None


def save_base(
    cache: Cache,
    key: str,
    inputs: Inputs,
    project: ProjectPaths,
    report: Report,
    mentions: dict[str, frozenset[str]],
) -> None:
    """Remember a whole-project ``report`` (and what each file names) as the next base.

    ``collabkg validate`` also reports on the ontology files, loading the graph does not: the
    reports differ only by the ontology files' own issues (they are only read), so one base
    serves both while the ontology reads without an issue."""
    ontology = {_display(project, p, str(resolved(p))) for p in inputs.ontology}
    if any(issue.file in ontology for issue in report.issues):
        return
    states = cache.states(inputs.data)
    shas: dict[str, str] = {}
    displays: dict[str, str] = {}
    for path, state in zip(inputs.data, states, strict=True):
        name = str(resolved(path))
        shas[name] = state.sha256
        displays[name] = _display(project, path, name)
    cache.put(key, Base(shas, {k: v for k, v in mentions.items() if k in shas}, report, displays))


def run_incremental(
    inputs: Inputs,
    project: ProjectPaths,
    cache: Cache,
    key: str,
    *,
    engine: str,
    progress: Progress | None = None,
) -> tuple[Report, dict[str, frozenset[str]]] | None:
    """The whole-project report from the base under ``key`` and a check of the files the
    change can affect; None when a full run is needed. Also what each file names now."""
    started = time.perf_counter()
    base = cache.get(key)
    if not isinstance(base, Base):
        return None
    states = cache.states(inputs.data)
    now: dict[str, tuple[Path, str]] = {}
    for path, state in zip(inputs.data, states, strict=True):
        if not state.sha256:
            return None  # unreadable: the full run says so
        now[str(resolved(path))] = (path, state.sha256)
    changed = [name for name, (_p, sha) in now.items() if base.shas.get(name) != sha]
    deleted = [name for name in base.shas if name not in now]
    if not changed and not deleted:
        return None  # the same files (the report key differs for another reason)
    if len(changed) + len(deleted) > MAX_CHANGED:
        return None
    mentions = dict(base.mentions)
    followed: set[str] = set()
    for name in [*deleted, *changed]:
        followed |= mentions.pop(name, frozenset())
        if name in now:
            fresh = _new_mentions(now[name][0])
            if fresh is not None:
                mentions[name] = fresh
                followed |= fresh
    if DESCRIBES_TERM in followed:
        return None  # a file that describes a term of the vocabulary: check everything
    affected = set(changed)
    for name, named in mentions.items():
        if name not in affected and not named.isdisjoint(followed):
            affected.add(name)
    targets = tuple(now[name][0] for name in sorted(affected))
    fresh_mentions: dict[str, frozenset[str]] = {}
    checked = run(
        Inputs(inputs.ontology, inputs.data, targets, inputs.shapes),
        project,
        engine=engine,
        progress=progress,
        many_targets=max(len(targets), 1),
        replace_variants=False,
        mentions=fresh_mentions,
    )
    mentions.update({k: v for k, v in fresh_mentions.items() if k in now})
    redone = {base.displays.get(name, "") for name in (*affected, *deleted)}
    redone |= {_display(project, now[name][0], name) for name in affected}
    merged = Report(
        files=[_display(project, path, str(resolved(path))) for path in inputs.targets],
        issues=[i for i in base.report.issues if i.file not in redone] + checked.issues,
        context_files=checked.context_files,
        stages=list(checked.stages),
        notes=list(base.report.notes),
        other_files_problems=base.report.other_files_problems,
    )
    merged.seconds = time.perf_counter() - started
    return merged, mentions


__all__ = ["MAX_CHANGED", "Base", "base_key", "run_incremental", "save_base", "whole_project"]
