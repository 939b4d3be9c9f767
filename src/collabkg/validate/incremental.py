"""The whole project's report after a few files changed, without checking everything again.

A whole-project run (every data file asked about) leaves a *base* in the cache: each data
file's content hash, the items it names and describes, the signatures of its statements
(kept by content: for each statement end, subject or object, property and IRI, a digest of
the statements through it, see :func:`.reading.mentions_of`) and the report. When the next
whole-project run finds a few data files edited, added or deleted (and the ontology, the
shapes and the sources' texts unchanged), the statement ends whose statements differ are
worked out from the signatures, and only what they can affect is checked again, against
the whole graph (:func:`_by_walks`):

- the changed and added files themselves, and the files whose issues point into a changed
  file or say "did you mean": checked whole;
- the shapes, on the focus nodes a changed statement ``s p o`` can reach: those whose walks
  (:mod:`.shape_reads`: each shape's paths, sh:class, sh:node, the statements its SPARQL
  reads from ``$this``) read ``p`` forwards at ``s`` or backwards at ``o``, found by walking
  the steps before it back over the graph (the cached store, beside the changed files as they
  are now). A new membership naming an organisation thus reaches a case *about* that
  organisation (``ck:isAbout / ^org:member``), not the other cases naming it. The files
  describing those nodes (or holding a shapes issue about one) are checked on them;
- the vocabulary rules read the statements about the items a file names: the files naming
  an item whose own statements changed (or one described nowhere now) have their vocabulary
  checked whole (and the shapes only on the nodes above).

Their issues replace the base's for those files (for a file checked on some nodes: its
vocabulary issues, and its shapes issues about the nodes checked again); every other issue
is carried over. When the walks cannot be worked out (a shape reads what
:mod:`.shape_reads` does not follow, a changed rdfs:subClassOf, a blank focus node, a cached
store out of step in a large project), the older rule decides (:func:`_by_links`): every
file naming an item whose statements changed, its shapes checked on its items linked to such
an item through its own statements. Terms of the vocabularies are not followed: nearly every
file names them. A change that touches the vocabulary itself (a changed file describing such
a term), more than :data:`MAX_CHANGED` files, or any doubt, means a full run.
``tests/validate/test_incremental.py`` compares the merged report with a full run after
random edits, additions and deletions (in memory and with the cached store), and after adding
and deleting files whose items other files name.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from collabkg import parse_once
from collabkg.cache import Cache, code_version, key_of
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress
from collabkg.sources import texts_folder
from collabkg.terms import GRAPH_BASE
from collabkg.validate.inputs import Inputs, display_name, resolved, resolved_names
from collabkg.validate.model import show
from collabkg.validate.pipeline import run
from collabkg.validate.reading import (
    DESCRIBES_TERM,
    VOCABULARIES,
    described_items,
    mentions_of,
    named_items,
    pack_mentions,
    unpack_mentions,
)
from collabkg.validate.report import Report, Stage
from collabkg.validate.shape_reads import Step, Walk, shape_walks
from collabkg.validate.store import PersistentStore, kept_open

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
    described: dict[str, frozenset[str]] = field(default_factory=dict)
    """Resolved path of each data file -> the items it describes (names as a subject)."""
    parts: list[str] = field(default_factory=list)
    """The cache keys of the parts the base was read from (see :func:`_store_base`)."""


@dataclass(frozen=True)
class Kept:
    """What a save can keep of the base it follows: its parts' keys, and the files whose
    records changed (edited, added, deleted). A part holding none of them is the same."""

    parts: list[str]
    touched: frozenset[str]

    def changed_parts(self) -> set[int]:
        """The parts to write again (every one when the base's parts are not all known)."""
        if len(self.parts) != CHUNKS:
            return set(range(CHUNKS))
        return {_part_of(name) for name in self.touched}


CHUNKS = 64
"""The base's per-file records are kept in this many parts, each under a key made from its
content: a run that changed a few files writes the parts holding them, not all 70,000."""


@dataclass
class _StoredBase:
    report: Report
    parts: list[str]
    """The cache keys of the parts: each a dict resolved path -> (sha256, name shown, items
    named or None when not read, items described)."""


def _part_of(name: str) -> int:
    """The part a file's record is kept in (CRC-32 of its name: stable across runs and
    processes, unlike ``hash``; a SHA-1 per name cost 0.12 s for 7,000 files)."""
    return zlib.crc32(name.encode()) % CHUNKS


def _store_base(cache: Cache, key: str, base: Base, kept: Kept | None = None) -> None:
    """Keep ``base`` under ``key``: the report, and the per-file records in parts (a part
    already kept, by its content, is not written again). With ``kept``, ``base`` holds only
    the records of the parts that changed; the others keep their keys."""
    parts: list[dict[str, tuple[str, str, frozenset[str] | None, frozenset[str]]]] = [
        {} for _ in range(CHUNKS)
    ]
    for name, sha in base.shas.items():
        parts[_part_of(name)][name] = (
            sha,
            base.displays.get(name, ""),
            base.mentions.get(name),  # None: not read (the file could not be parsed)
            base.described.get(name, frozenset()),
        )
    same = set(range(CHUNKS)) - kept.changed_parts() if kept is not None else set()
    keys = [
        kept.parts[index]
        if kept is not None and index in same
        else key_of(
            "incremental-base-part",
            code_version(),
            *(f"{n}={v[0]}={v[1]}={v[2] is None}" for n, v in sorted(part.items())),
        )
        for index, part in enumerate(parts)
    ]
    known = cache.has_many(keys)  # (reading them back cost 0.12 s at 1M)
    cache.put_many(
        (k, part)
        for index, (k, part) in enumerate(zip(keys, parts, strict=True))
        if k not in known and index not in same
    )
    cache.put(key, _StoredBase(base.report, keys))


def _load_base(cache: Cache, key: str) -> Base | None:
    stored = cache.get(key)
    if not isinstance(stored, _StoredBase):
        return None
    found = cache.get_many(stored.parts)
    base = Base({}, {}, stored.report, {}, {}, list(stored.parts))
    for part_key in stored.parts:
        part = found.get(part_key)
        if not isinstance(part, dict):
            # kept parts are not written again (:func:`_store_base`): one that cannot be
            # read goes, so that the full run this means writes it afresh
            cache.discard([part_key])
            return None
        for name, (sha, display, named, described) in part.items():
            base.shas[name] = sha
            base.displays[name] = display
            if named is not None:
                base.mentions[name] = named
            base.described[name] = described
    return base


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
    return key_of("incremental-edge-signatures", code_version(), sha)


def _reached(path: Path, followed: set[str]) -> tuple[set[str], frozenset[str]] | None:
    """(the items a file describes, those of them linked to an item of ``followed`` through
    the file's own statements between items, vocabulary terms left out); None when the file
    has blank nodes or cannot be read (then every item of it is checked)."""
    try:
        triples = parse_once.parse_path(path).triples
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
    mentions: dict[str, bytes],
    *,
    only: set[str] | None = None,
    carried: dict[str, tuple[frozenset[str], frozenset[str]]] | None = None,
    known: dict[str, tuple[Path, str]] | None = None,
    kept: Kept | None = None,
) -> None:
    """Remember a whole-project ``report`` (and what each file names) as the next base; the
    signatures of what each file names are kept by content (for the files in ``only``, when
    given: the others are kept already). ``carried``: (named, described) of the files whose
    signatures were not read again; ``known``: each data file's (path, sha256) by resolved
    path, when the caller has them (else they are read); ``kept``: what the base this one
    follows keeps (its parts holding no changed file are not made again).

    ``collabkg validate`` also reports on the ontology files, loading the graph does not: the
    reports differ only by the ontology files' own issues (they are only read), so one base
    serves both while the ontology reads without an issue."""
    ontology = {_display(project, p, str(resolved(p))) for p in inputs.ontology}
    if any(issue.file in ontology for issue in report.issues):
        return
    if known is None:
        states = cache.states(inputs.data)
        names = resolved_names(inputs.data)
        known = {
            name: (path, state.sha256)
            for path, state, name in zip(inputs.data, states, names, strict=True)
        }
    if kept is not None:  # only the records of the parts to write again
        again = kept.changed_parts()
        known = {name: v for name, v in known.items() if _part_of(name) in again}
    shas = {name: sha for name, (_path, sha) in known.items()}
    displays = {name: _display(project, path, name) for name, (path, _sha) in known.items()}
    carried = carried or {}
    named = {k: carried[k][0] for k in shas if k in carried}
    described = {k: carried[k][1] for k in shas if k in carried}
    for k, v in mentions.items():
        if k in shas:
            unpacked = unpack_mentions(v)
            named[k] = named_items(unpacked)
            described[k] = described_items(unpacked)
    cache.put_many(
        (_signatures_key(shas[k]), v)
        for k, v in mentions.items()
        if k in shas and (only is None or k in only)
    )
    _store_base(
        cache,
        key,
        Base(
            shas,
            {k: v for k, v in named.items() if k in shas},
            report,
            displays,
            {k: v for k, v in described.items() if k in shas},
        ),
        kept,
    )


def _shown(
    project: ProjectPaths, paths: tuple[Path, ...], known: dict[Path, str] | None = None
) -> list[str]:
    """The names the report gives ``paths``; ``known``: resolved paths already worked out
    (resolving 7,000 paths again cost 0.09 s at 1M)."""
    known = known or {}
    rest = [p for p in paths if p not in known]
    found = dict(zip(rest, resolved_names(rest), strict=True))
    return [_display(project, p, known.get(p) or found[p]) for p in paths]


def _with_files(
    report: Report, project: ProjectPaths, inputs: Inputs, known: dict[Path, str]
) -> Report:
    return Report(
        files=_shown(project, inputs.targets, known),
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
) -> (
    tuple[
        Report,
        dict[str, bytes],
        set[str],
        dict[str, tuple[frozenset[str], frozenset[str]]],
        dict[str, tuple[Path, str]],
        Kept,
    ]
    | None
):
    """The whole-project report from the base under ``key`` and a check of the files the
    change can affect; None when a full run is needed. Also what the changed files name now
    (for :func:`save_base`), their names, what the others name, each data file's (path,
    sha256) by resolved path, and what the next base can keep of this one."""
    started = time.perf_counter()
    base = _load_base(cache, key)
    if base is None:
        return None
    states = cache.states(inputs.data)
    now: dict[str, tuple[Path, str]] = {}
    names = dict(zip(inputs.data, resolved_names(inputs.data), strict=True))
    for path, state in zip(inputs.data, states, strict=True):
        if not state.sha256:
            return None  # unreadable: the full run says so
        now[names[path]] = (path, state.sha256)
    changed = [name for name, (_p, sha) in now.items() if base.shas.get(name) != sha]
    deleted = [name for name in base.shas if name not in now]
    if not changed and not deleted:  # the same files, asked about in the other way
        same = _with_files(base.report, project, inputs, names)
        same.seconds = time.perf_counter() - started
        known = {k: (v, base.described.get(k, frozenset())) for k, v in base.mentions.items()}
        return same, {}, set(), known, now, Kept(base.parts, frozenset())
    if len(changed) + len(deleted) > MAX_CHANGED:
        return None
    # what changed, statement end by statement end: the (subject or object, property, IRI)
    # whose statements differ before and after
    old_shas = [base.shas[name] for name in [*changed, *deleted] if name in base.shas]
    old = cache.get_many(_signatures_key(sha) for sha in old_shas)
    fresh: dict[str, dict[str, str]] = {}
    triples: dict[str, list[ox.Triple]] = {}
    ends: set[tuple[str, str, str]] = set()
    for name in [*changed, *deleted]:
        before: dict[str, str] = {}
        if name in base.shas:
            found = old.get(_signatures_key(base.shas[name]))
            if isinstance(found, bytes):
                before = unpack_mentions(found)
            elif name in base.mentions:
                return None  # the base's signatures are gone: check everything
            # else: a file that could not be read names nothing
        after: dict[str, str] = {}
        if name in now:
            parsed = _parsed(now[name][0])
            if parsed is not None:
                triples[name] = parsed
                after = mentions_of(parsed)
            fresh[name] = after
        for k in before.keys() | after.keys():
            if before.get(k) != after.get(k):
                if k == DESCRIBES_TERM:
                    return None  # a file that describes a term of the vocabulary
                role, predicate, iri = k.split("\t")
                ends.add((role, predicate, iri))
    followed = {iri for _r, _p, iri in ends if not iri.startswith(VOCABULARIES)}
    # ... and the files whose issues can change: the changed files, those whose issues
    # point into a changed file (related: "file:line") or say "did you mean" (checked
    # whole), and the others the change reaches (their vocabulary checked whole, the
    # shapes only on their items the change can affect)
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
    with kept_open(cache):  # the cached store opened once: for the walk, then the check
        reached = _by_walks(inputs, project, cache, base, now, fresh, triples, ends, whole)
        if reached is not None:
            focus, rechecked = reached
        else:
            focus, rechecked = _by_links(base, now, whole, followed)
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
            resolved_paths=names,
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
        files=_shown(project, inputs.targets, names),
        issues=kept + new,
        context_files=checked.context_files,
        stages=list(checked.stages),
        notes=list(base.report.notes),
        other_files_problems=base.report.other_files_problems,
    )
    merged.seconds = time.perf_counter() - started
    carried = {
        k: (v, base.described.get(k, frozenset()))
        for k, v in base.mentions.items()
        if k in now and k not in fresh
    }
    packed = {name: pack_mentions(named) for name, named in fresh.items()}
    return merged, packed, set(fresh), carried, now, Kept(base.parts, frozenset(changed + deleted))


def _parsed(path: Path) -> list[ox.Triple] | None:
    """A changed file's statements now (None: it cannot be parsed, so it names nothing)."""
    try:
        return parse_once.parse_path(path).triples
    except (OSError, SyntaxError, ValueError):
        return None


def _by_links(
    base: Base, now: dict[str, tuple[Path, str]], whole: set[str], followed: set[str]
) -> tuple[dict[str, frozenset[str]], set[str]]:
    """The files to check again when the shapes' walks are not known: every file naming an
    item whose statements changed, its shapes checked on its items linked to such an item
    through its own statements (see :func:`_reached`). (limited files, items checked
    again); ``whole`` may grow."""
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
    for name in sorted(whole):
        subjects = _reached(now[name][0], set()) if name in now else None
        if subjects is None:  # a file checked whole whose items are unknown: none limited
            whole |= set(focus)
            return {}, rechecked
        rechecked |= subjects[0]
    return focus, rechecked


def _by_walks(
    inputs: Inputs,
    project: ProjectPaths,
    cache: Cache,
    base: Base,
    now: dict[str, tuple[Path, str]],
    fresh: dict[str, dict[str, str]],
    triples: dict[str, list[ox.Triple]],
    ends: set[tuple[str, str, str]],
    whole: set[str],
) -> tuple[dict[str, frozenset[str]], set[str]] | None:
    """The files to check again, from what each shape reads (:mod:`.shape_reads`): the
    focus nodes a changed statement ``s p o`` can affect are those whose walks read ``p``
    forwards at ``s`` or backwards at ``o`` (found by walking the steps before it back,
    over the statements as they are now); the shapes are checked again on those, in the
    files describing them (or holding an issue about them). The vocabulary rules read the
    statements about the items a file names: the files naming an item whose own statements
    changed (or one described nowhere now) are checked whole. None: not worked out (the
    shapes read what is not followed, a changed rdfs:subClassOf, no store of the graph as
    it was...): :func:`_by_links` decides."""
    walks = _walks(inputs, cache)
    if walks is None or any(p == SUBCLASS for _r, p, _i in ends):
        return None
    steps: dict[tuple[str, bool], set[Walk]] = {}  # (property, forwards) -> the steps before
    for walk in walks:
        for i, step in enumerate(walk):
            steps.setdefault((step.predicate, step.forward), set()).add(walk[:i])
    with _Graph.of(project, cache, base, now, triples) as graph:
        if graph is None:
            return None
        items: set[str] = set()
        for role, predicate, iri in ends:
            for before in steps.get((predicate, role == "s"), ()):
                nodes: set[ox.NamedNode | ox.BlankNode] = {ox.NamedNode(iri)}
                for step in reversed(before):
                    nodes = {n for node in nodes for n in graph.back(node, step)}
                for node in nodes:
                    if not isinstance(node, ox.NamedNode):
                        return None  # a blank focus node: not placed by IRI
                    items.add(node.value)
    described: dict[str, frozenset[str]] = {
        name: base.described.get(name, frozenset()) for name in now if name not in fresh
    }
    described.update({name: described_items(fresh[name]) for name in fresh})
    anywhere = {iri for items_ in described.values() for iri in items_}
    changed_items = {iri for role, _p, iri in ends if role == "s"}
    changed_items |= {iri for _r, _p, iri in ends if iri not in anywhere}  # described nowhere
    changed_items = {iri for iri in changed_items if not iri.startswith(VOCABULARIES)}
    shown_items = {show(URIRef(iri)): iri for iri in items}
    issue_items: dict[str, set[str]] = {}
    for issue in base.report.issues:
        if issue.stage is Stage.SHACL and issue.focus is not None and issue.focus in shown_items:
            issue_items.setdefault(issue.file or "", set()).add(shown_items[issue.focus])
    focus: dict[str, frozenset[str]] = {}
    for name in now:
        if name in whole:
            continue
        mine = described[name] | issue_items.get(base.displays.get(name, ""), set())
        linked = frozenset(items & mine)
        if linked or not base.mentions.get(name, frozenset()).isdisjoint(changed_items):
            focus[name] = linked
    rechecked = set(items)
    for name in whole:
        rechecked |= described.get(name, frozenset())
    return focus, rechecked


SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def _walks(inputs: Inputs, cache: Cache) -> frozenset[Walk] | None:
    """Every shape's walks (:func:`.shape_reads.shape_walks`), kept by the shapes' content;
    None when a shape reads what is not followed."""
    states = cache.states(inputs.shapes)
    if not states or any(not state.sha256 for state in states):
        return None
    key = key_of("shape-walks", code_version(), *(f"{s.path}={s.sha256}" for s in states))
    found = cache.get(key)
    if isinstance(found, frozenset):
        return found
    if found == "unreadable":
        return None
    from collabkg.validate.shacl import load_shapes
    from collabkg.validate.shape_reads import UnreadableShapes

    try:
        walks = shape_walks(load_shapes(inputs.shapes))
    except UnreadableShapes:
        cache.put(key, "unreadable")
        return None
    cache.put(key, walks)
    return walks


SMALL = 2_000
"""Data files up to this many are read into memory to walk the graph when the cached store
is not in step with them (a larger project then checks more widely)."""


MISSING = 200
"""Up to this many unchanged files that the cached store lacks as they are now are read
beside it; more: the store is out of step (:func:`_by_links` decides)."""


class _Graph:
    """The graph as it is now, to walk back over: the cached store when it holds every
    unchanged file as it is (the changed files' statements now are added beside it), else,
    in a small project, every file read into memory."""

    def __init__(self, stores: list[ox.Store], keeper: PersistentStore | None) -> None:
        self.stores = stores
        self.keeper = keeper

    @classmethod
    @contextlib.contextmanager
    def of(
        cls,
        project: ProjectPaths,
        cache: Cache,
        base: Base,
        now: dict[str, tuple[Path, str]],
        triples: dict[str, list[ox.Triple]],
    ) -> Iterator[_Graph | None]:
        changes = ox.Store()
        for name, parsed in triples.items():
            graph = ox.NamedNode(_graph_name(project, name))
            changes.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in parsed)
        with cache.store_lock():
            keeper = PersistentStore(cache)
            try:
                store = keeper.open()
            except OSError:
                store = None
            try:
                if store is not None:
                    # files the store lacks as they are (left out by the last run, which
                    # checked them): read beside it, when they are few
                    missing = [
                        path
                        for name, (path, sha) in now.items()
                        if name not in triples
                        and name in base.mentions
                        and keeper.manifest.get(_graph_name(project, name)) != sha
                    ]
                    if len(missing) <= MISSING:
                        for path in missing:
                            _load(changes, path)
                        yield cls([store, changes], keeper)
                        return
            finally:
                keeper.close()
        if len(now) > SMALL:
            yield None
            return
        memory = ox.Store()
        for name, (path, _sha) in now.items():
            if name not in triples:
                _load(memory, path, keep=len(now) <= parse_once.KEPT_FILES)
        yield cls([memory, changes], None)

    def back(
        self, node: ox.NamedNode | ox.BlankNode, step: Step
    ) -> Iterator[ox.NamedNode | ox.BlankNode]:
        """The nodes from which ``step`` leads to ``node``."""
        predicate = ox.NamedNode(step.predicate)
        for store in self.stores:
            if step.forward:
                for quad in store.quads_for_pattern(None, predicate, node, None):
                    yield quad.subject  # type: ignore[misc]
            else:
                for quad in store.quads_for_pattern(node, predicate, None, None):
                    if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                        yield quad.object


def _load(store: ox.Store, path: Path, *, keep: bool = True) -> None:
    """A file read beside the cached store or in memory to walk the graph: ``keep``
    (a few hundred files at most) its triples for the pipeline and the load after this (it
    is parsed once)."""
    with contextlib.suppress(OSError, SyntaxError, ValueError):  # else: not in the graph
        parse_once.load(store, str(path), path.read_bytes(), None, lenient=True, keep=keep)


def _graph_name(project: ProjectPaths, name: str) -> str:
    """The named graph the pipeline gives the file of resolved path ``name``."""
    root = str(project.root)
    relative = name[len(root) + 1 :] if name.startswith(root + "/") else name
    return GRAPH_BASE + relative.lstrip("/")


__all__ = [
    "MAX_CHANGED",
    "Base",
    "Kept",
    "base_key",
    "run_incremental",
    "save_base",
    "whole_project",
]
