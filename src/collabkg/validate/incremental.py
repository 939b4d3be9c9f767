"""The whole project's report after a few files changed, without checking everything again.

A whole-project run (every data file asked about) leaves a *base* in the cache: each data
file's content hash, the IRIs each file names (as a subject or an object), and the report.
When the next whole-project run finds a few data files edited, added or deleted (and the
ontology, the shapes and the sources' texts unchanged), only the files the change can affect
are checked again, against the whole graph:

- the changed and added files themselves, and the files whose issues point into a changed
  file or say "did you mean": checked whole;
- every other file that names an item whose triples differ between the old and the new
  version of a changed file (a membership in another case pointing to an organisation that
  was deleted; the organisation file whose organisation a new case names as a member...):
  the *neighbours*. Their vocabulary is checked whole, but the shapes only on their items
  linked to such an item through the file's own statements (an organisation file of 200
  organisations is checked on the one a new case names, see :func:`_reached`); a neighbour
  with blank nodes is checked whole.

Their issues replace the base's for those files (for a neighbour: its vocabulary issues, and
its shapes issues about the items checked again); every other issue is carried over.
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
from rdflib import URIRef

from collabkg.cache import Cache, code_version, key_of
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress
from collabkg.sources import texts_folder
from collabkg.validate.inputs import Inputs, display_name, resolved, resolved_names
from collabkg.validate.model import show
from collabkg.validate.pipeline import run
from collabkg.validate.reading import DESCRIBES_TERM, VOCABULARIES, mentions_of
from collabkg.validate.report import Report, Stage

MAX_CHANGED = 20
"""More data files changed than this since the base: a full run."""


ONCE_PER_SOURCE = frozenset(
    {"quotation.text-unavailable", "quotation.text-changed", "quotation.sha256-unrecorded"}
)
"""Issues said once per source (validate/quotations.py): at the source's entry when its file
is asked about, else at the first quotation from it."""


@dataclass
class Base:
    """What the last whole-project run left for the next one."""

    shas: dict[str, str]
    """Resolved path of each data file -> its sha256."""
    mentions: dict[str, frozenset[str]]
    """Resolved path of each data file -> the items (IRIs) it names (the signatures of the
    triples naming each are kept by the file's content, see :func:`save_base`)."""
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


def _signatures_key(sha: str) -> str:
    return key_of("incremental-signatures", code_version(), sha)


def _new_mentions(path: Path) -> dict[str, str] | None:
    """The items a changed file names now (None: it cannot be parsed, so it names none)."""
    try:
        return mentions_of(list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)))
    except (OSError, SyntaxError, ValueError):
        return None


def _reached(path: Path, followed: set[str]) -> tuple[set[str], frozenset[str]] | None:
    """(the items a file describes, those of them linked to an item of ``followed`` through
    the file's own statements between items, vocabulary terms left out); None when the file
    has blank nodes or cannot be read (then every item of it is checked)."""
    try:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    except (OSError, SyntaxError, ValueError):
        return None
    parent: dict[str, str] = {}

    def root(iri: str) -> str:
        while (up := parent.get(iri, iri)) != iri:
            parent[iri] = parent.get(up, up)
            iri = up
        return iri

    subjects: set[str] = set()
    for t in triples:
        s, o = t.subject, t.object
        if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode | ox.Triple):
            return None
        subjects.add(s.value)
        if isinstance(o, ox.NamedNode) and not o.value.startswith(VOCABULARIES):
            a, b = root(s.value), root(o.value)
            if a != b:
                parent[a] = b
    linked = {root(iri) for iri in followed}
    return subjects, frozenset(iri for iri in subjects if root(iri) in linked)


def save_base(
    cache: Cache,
    key: str,
    inputs: Inputs,
    project: ProjectPaths,
    report: Report,
    mentions: dict[str, dict[str, str]],
    *,
    only: set[str] | None = None,
    carried: dict[str, frozenset[str]] | None = None,
) -> None:
    """Remember a whole-project ``report`` (and what each file names) as the next base; the
    signatures of what each file names are kept by content (for the files in ``only``, when
    given: the others are kept already).

    ``collabkg validate`` also reports on the ontology files, loading the graph does not: the
    reports differ only by the ontology files' own issues (they are only read), so one base
    serves both while the ontology reads without an issue."""
    ontology = {_display(project, p, str(resolved(p))) for p in inputs.ontology}
    if any(issue.file in ontology for issue in report.issues):
        return
    states = cache.states(inputs.data)
    shas: dict[str, str] = {}
    displays: dict[str, str] = {}
    for path, state, name in zip(inputs.data, states, resolved_names(inputs.data), strict=True):
        shas[name] = state.sha256
        displays[name] = _display(project, path, name)
    named = dict(carried or {})
    named.update({k: frozenset(v) for k, v in mentions.items() if k in shas})
    cache.put_many(
        (_signatures_key(shas[k]), v)
        for k, v in mentions.items()
        if k in shas and (only is None or k in only)
    )
    cache.put(key, Base(shas, {k: v for k, v in named.items() if k in shas}, report, displays))


def _shown(project: ProjectPaths, paths: tuple[Path, ...]) -> list[str]:
    return [
        _display(project, p, name) for p, name in zip(paths, resolved_names(paths), strict=True)
    ]


def _with_files(report: Report, project: ProjectPaths, inputs: Inputs) -> Report:
    return Report(
        files=_shown(project, inputs.targets),
        issues=list(report.issues),
        context_files=report.context_files,
        stages=list(report.stages),
        notes=list(report.notes),
        other_files_problems=report.other_files_problems,
    )


def run_incremental(
    inputs: Inputs,
    project: ProjectPaths,
    cache: Cache,
    key: str,
    *,
    engine: str,
    progress: Progress | None = None,
) -> tuple[Report, dict[str, dict[str, str]], set[str], dict[str, frozenset[str]]] | None:
    """The whole-project report from the base under ``key`` and a check of the files the
    change can affect; None when a full run is needed. Also what the changed files name now
    (for :func:`save_base`), their names, and what the others name."""
    started = time.perf_counter()
    base = cache.get(key)
    if not isinstance(base, Base):
        return None
    states = cache.states(inputs.data)
    now: dict[str, tuple[Path, str]] = {}
    for path, state, name in zip(inputs.data, states, resolved_names(inputs.data), strict=True):
        if not state.sha256:
            return None  # unreadable: the full run says so
        now[name] = (path, state.sha256)
    changed = [name for name, (_p, sha) in now.items() if base.shas.get(name) != sha]
    deleted = [name for name in base.shas if name not in now]
    if not changed and not deleted:  # the same files, asked about in the other way
        same = _with_files(base.report, project, inputs)
        same.seconds = time.perf_counter() - started
        return same, {}, set(), dict(base.mentions)
    if len(changed) + len(deleted) > MAX_CHANGED:
        return None
    # what changed, item by item: the items whose triples differ before and after
    old_shas = [base.shas[name] for name in [*changed, *deleted] if name in base.shas]
    old = cache.get_many(_signatures_key(sha) for sha in old_shas)
    fresh: dict[str, dict[str, str]] = {}
    followed: set[str] = set()
    for name in [*changed, *deleted]:
        before: dict[str, str] = {}
        if name in base.shas:
            found = old.get(_signatures_key(base.shas[name]))
            if not isinstance(found, dict):
                if name in base.mentions:
                    return None  # the base's signatures are gone: check everything
                found = {}  # a file that could not be read names nothing
            before = found
        after: dict[str, str] = {}
        if name in now:
            after = _new_mentions(now[name][0]) or {}
            fresh[name] = after
        followed |= {
            iri for iri in before.keys() | after.keys() if before.get(iri) != after.get(iri)
        }
    if DESCRIBES_TERM in followed:
        return None  # a file that describes a term of the vocabulary: check everything
    # ... and the files whose issues can change: the changed files, those whose issues
    # point into a changed file (related: "file:line") or say "did you mean" (checked
    # whole), and the files naming such an item (the neighbours: their vocabulary checked
    # whole, the shapes only on their items linked to a changed item, see _reached)
    shown = {base.displays.get(name, "") for name in [*changed, *deleted]}
    shown |= {_display(project, now[name][0], name) for name in changed}
    whole = set(changed)
    pointing = {
        issue.file
        for issue in base.report.issues
        if any(r.rsplit(":", 1)[0] in shown for r in issue.related)
        or "did you mean" in issue.message
    }
    whole |= {name for name in now if base.displays.get(name) in pointing}
    focus: dict[str, frozenset[str]] = {}
    for name, named in base.mentions.items():
        if name in now and name not in whole and not named.isdisjoint(followed):
            reached = _reached(now[name][0], followed)
            if reached is None:
                whole.add(name)  # blank nodes, or unreadable now: every item
            else:
                focus[name] = reached[1]
    # the items whose shapes are checked again, as the issues name them: a base issue of
    # the shapes about one of them in a neighbour is replaced, the others are carried over
    rechecked = {iri for items in focus.values() for iri in items}
    for name in whole:
        subjects = _reached(now[name][0], set()) if name in now else None
        if subjects is None:  # a file checked whole whose items are unknown: none limited
            whole |= set(focus)
            focus = {}
            break
        rechecked |= subjects[0]
    affected = whole | set(focus)
    targets = tuple(now[name][0] for name in sorted(affected))
    checked = run(
        Inputs(inputs.ontology, inputs.data, targets, inputs.shapes),
        project,
        engine=engine,
        progress=progress,
        many_targets=max(len(targets), 1),
        replace_variants=False,
        shacl_focus=focus,
    )
    redone = shown | {base.displays.get(name, "") for name in whole}
    redone |= {_display(project, now[name][0], name) for name in whole}
    limited = {base.displays.get(name, "") for name in focus}
    limited |= {_display(project, now[name][0], name) for name in focus}
    again = {show(URIRef(iri)) for iri in rechecked}
    kept = [
        i
        for i in base.report.issues
        if i.file not in redone
        and (i.file not in limited or (i.stage is Stage.SHACL and i.focus not in again))
    ]
    # said once per source, at its entry when that is asked about (else at the first
    # quotation from it): where the entry's file was not checked again, its issue stands
    once = {(i.code, i.message) for i in kept if i.code in ONCE_PER_SOURCE}
    new = [i for i in checked.issues if (i.code, i.message) not in once]
    merged = Report(
        files=_shown(project, inputs.targets),
        issues=kept + new,
        context_files=checked.context_files,
        stages=list(checked.stages),
        notes=list(base.report.notes),
        other_files_problems=base.report.other_files_problems,
    )
    merged.seconds = time.perf_counter() - started
    carried = {k: v for k, v in base.mentions.items() if k in now and k not in fresh}
    return merged, fresh, set(fresh), carried


__all__ = ["MAX_CHANGED", "Base", "base_key", "run_incremental", "save_base", "whole_project"]
