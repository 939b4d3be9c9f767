"""The whole project's report after a few files changed, without checking everything again.

A whole-project run (every data file asked about) leaves a *base* in the cache: each data
file's content hash, the signatures of its statements (kept by content: for each statement
end, subject or object, property and IRI, a digest of the statements through it, see
:func:`.reading.mentions_of`), an index of which files name and describe each item (read a
part at a time, for the items a change reaches: a change costs what it reaches, not the
number of files) and the report. When the next
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
- the vocabulary rules read, of an item a file names, its kinds, whether it is described at
  all and what makes it a source (:data:`READ_BY_NAMERS`); of an item a file describes, also
  its names and whether it is quoted: the files naming an item whose kinds or source
  statements changed (or that is described nowhere now, or was before), those describing an
  item whose other statements changed or whose quotations did (a source no longer quoted, or
  first quoted), and those whose issues' words name such an item have their vocabulary
  checked whole (and the shapes only on the nodes above). A file with a link to an ID
  described nowhere is checked whole after any change (its suggestions are drawn from every
  item described).

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
import pickle
import re
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, URIRef

from collabkg import parse_once
from collabkg.cache import Cache, code_version, key_of
from collabkg.kept_files import keep_files
from collabkg.mentions import (
    DESCRIBES_TERM,
    VOCABULARIES,
    described_items,
    end_of,
    mentions_of,
    named_items,
    pack_mentions,
    signatures_key,
    unpack_mentions,
)
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress
from collabkg.sources import PROV_QUOTED_FROM, texts_folder
from collabkg.terms import GRAPH_BASE, compact
from collabkg.validate.inputs import (
    Inputs,
    display_name,
    named_from_here,
    resolved,
    resolved_names,
)
from collabkg.validate.model import show
from collabkg.validate.pipeline import run
from collabkg.validate.quotations import SOURCE_PREDICATES
from collabkg.validate.report import Report, Stage
from collabkg.validate.shape_reads import Step, Walk, shape_walks
from collabkg.validate.store import PersistentStore, kept_open

MAX_CHANGED = 20
"""More data files changed than this since the base: a full run."""

SUGGESTING = frozenset({"vocabulary.undefined-item"})
"""Issues whose words depend on every item described anywhere (a link to an ID described
nowhere suggests the close IDs of the right kind): their files are checked whole after any
change, since an item added or retyped in any file can be the suggestion."""

READ_BY_NAMERS = frozenset({str(RDF.type), *(SOURCE_PREDICATES - {str(RDFS.label)})})
"""What the vocabulary rules read about an item a file names but need not describe: its kinds
(a link's range, clashing kinds, the kind in a message) and what makes it a source whose
text quotations are looked for in. A change of any other statement of an item (a name, a
date, a link from it) changes other files' issues only where they describe the item (one ID
one name), where their words name it (a source's name in a quotation's warning), or where
its being described at all changes (a link to nothing): see :func:`_by_walks`."""


ONCE_PER_SOURCE = frozenset(
    {"quotation.text-unavailable", "quotation.text-changed", "quotation.sha256-unrecorded"}
)
"""Issues said once per source (validate/quotations.py): at the source's entry when its file
is asked about, else at the first quotation from it."""


@dataclass
class Base:
    """What the last whole-project run left for the next one: every data file's row (read
    whole at each run) and the keys of the index of the items they name (read a part at a
    time, for the items a change reaches)."""

    shas: dict[str, str]
    """Resolved path of each data file -> its sha256."""
    report: Report
    displays: dict[str, str] = field(default_factory=dict)
    """Resolved path -> the name the report gives the file."""
    readable: set[str] = field(default_factory=set)
    """The files that could be read: their items are in the index (and the signatures of
    the statements naming each are kept by the file's content, see :func:`save_base`)."""
    ids: dict[str, int] = field(default_factory=dict)
    """Resolved path -> the number the index knows the file by."""
    parts: list[str] = field(default_factory=list)
    """The cache keys of the parts the rows were read from (see :func:`_store_base`)."""
    index: list[str] = field(default_factory=list)
    """The cache keys of the index's parts (see :class:`_Index`)."""
    next_id: int = 0
    """The number the next added file gets (numbers are never given twice)."""


@dataclass(frozen=True)
class Kept:
    """What a save can keep of the base it follows: the base, the files whose rows changed
    (edited, added, deleted) and the items each of them named and described before (from
    its signatures; none for a file added or one that could not be read)."""

    base: Base
    touched: frozenset[str]
    before: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    index: _Index | None = None
    """The base's index as the run read it (its parts read once)."""

    def changed_parts(self) -> set[int]:
        """The row parts to write again (every one when the base's parts are not all known)."""
        if len(self.base.parts) != CHUNKS:
            return set(range(CHUNKS))
        return {_part_of(name) for name in self.touched}


CHUNKS = 64
"""The base's per-file rows are kept in this many parts, each under a key made from its
content: a run that changed a few files writes the parts holding them, not all 70,000."""

INDEX_CHUNKS = 256
"""The index (item -> the files naming it, those describing it) is kept in this many parts,
by the item's CRC-32: a change reads and writes the parts of the items it reaches."""


class _Gone(Exception):
    """A part of the base cannot be read: the run is a full one, which writes it again."""


@dataclass
class _StoredBase:
    report: Report
    parts: list[str]
    """The cache keys of the row parts: each a dict resolved path -> (sha256, name shown,
    readable, number)."""
    index: list[str]
    """The cache keys of the index's :data:`INDEX_CHUNKS` parts."""
    next_id: int


def _part_of(name: str) -> int:
    """The part a file's row is kept in (CRC-32 of its name: stable across runs and
    processes, unlike ``hash``; a SHA-1 per name cost 0.12 s for 7,000 files)."""
    return zlib.crc32(name.encode()) % CHUNKS


def _index_part_of(iri: str) -> int:
    return zlib.crc32(iri.encode()) % INDEX_CHUNKS


IndexPart = dict[str, tuple[tuple[int, ...], tuple[int, ...]]]
"""Item IRI -> (the numbers of the files naming it, of those describing it), sorted."""


class _Index:
    """The base's index, read a part at a time: which files name an item, which describe it
    (as the base has them: the files changed since are the caller's to look at)."""

    def __init__(self, cache: Cache, base: Base) -> None:
        self.cache = cache
        self.keys = base.index
        self.names = {number: name for name, number in base.ids.items()}
        self.parts: dict[int, IndexPart] = {}

    def read(self, iris: Iterable[str]) -> None:
        """Read the parts holding ``iris`` (one query for those not read yet)."""
        self._read_parts({_index_part_of(iri) for iri in iris})

    def read_all(self) -> None:
        """Read every part (to look at the whole index)."""
        self._read_parts(set(range(INDEX_CHUNKS)))

    def _read_parts(self, wanted: set[int]) -> None:
        wanted -= self.parts.keys()
        if not wanted:
            return
        if len(self.keys) != INDEX_CHUNKS:
            raise _Gone
        found = self.cache.get_many(self.keys[n] for n in wanted)
        for n in wanted:
            part = found.get(self.keys[n])
            if not isinstance(part, dict):
                # kept parts are not written again: one that cannot be read goes, so that
                # the full run this means writes it afresh
                self.cache.discard([self.keys[n]])
                raise _Gone
            self.parts[n] = part

    def files(self, iris: Iterable[str], *, describing: bool = False) -> dict[str, set[str]]:
        """Item -> the files (resolved paths) that name it (``describing``: describe it)."""
        iris = list(iris)
        self.read(iris)
        found: dict[str, set[str]] = {}
        for iri in iris:
            numbers = self.parts[_index_part_of(iri)].get(iri, ((), ()))[1 if describing else 0]
            if numbers:
                found[iri] = {self.names[n] for n in numbers if n in self.names}
        return found


def _index_key(part: IndexPart) -> str:
    return key_of("incremental-index-part", code_version(), pickle.dumps(part, protocol=4))


def _whole_index(items: Iterable[tuple[int, Iterable[str], Iterable[str]]]) -> list[IndexPart]:
    """The index of every file's (number, named, described) items, given in the order of
    their numbers: one file at a time, so that no file's item set outlives its turn (an
    item's text is held once, as the index's key)."""
    gathered: list[dict[str, tuple[list[int], list[int]]]] = [{} for _ in range(INDEX_CHUNKS)]
    where: dict[str, dict[str, tuple[list[int], list[int]]]] = {}
    for number, named, described in items:
        for side, iris in ((0, named), (1, described)):
            for iri in iris:
                part = where.get(iri)
                if part is None:
                    part = where[iri] = gathered[_index_part_of(iri)]
                    part[iri] = ([], [])
                part[iri][side].append(number)
    where.clear()
    parts: list[IndexPart] = []
    for part in gathered:
        parts.append({iri: (tuple(part[iri][0]), tuple(part[iri][1])) for iri in sorted(part)})
        part.clear()
    return parts


def _changed_index(
    index: _Index, changes: dict[int, tuple[tuple[frozenset[str], frozenset[str]], ...]]
) -> dict[int, IndexPart]:
    """The index's parts that differ after ``changes`` (file number -> (named, described)
    before, (named, described) now), made again from the parts as they were."""
    moves: dict[str, tuple[set[int], set[int], set[int], set[int]]] = {}
    for number, ((named_before, described_before), (named_now, described_now)) in changes.items():
        for side, before, now in (
            (0, named_before, named_now),
            (1, described_before, described_now),
        ):
            for iri in before - now:
                moves.setdefault(iri, (set(), set(), set(), set()))[side * 2].add(number)
            for iri in now - before:
                moves.setdefault(iri, (set(), set(), set(), set()))[side * 2 + 1].add(number)
    index.read(moves)
    changed: dict[int, IndexPart] = {}
    for iri, (named_out, named_in, described_out, described_in) in moves.items():
        n = _index_part_of(iri)
        part = changed.get(n)
        if part is None:
            part = changed[n] = dict(index.parts[n])
        named, described = part.get(iri, ((), ()))
        entry = (
            tuple(sorted((set(named) - named_out) | named_in)),
            tuple(sorted((set(described) - described_out) | described_in)),
        )
        if entry == ((), ()):
            part.pop(iri, None)
        else:
            part[iri] = entry
    return {n: {iri: part[iri] for iri in sorted(part)} for n, part in changed.items()}


def _store_base(cache: Cache, key: str, base: Base, kept: Kept | None = None) -> None:
    """Keep ``base`` under ``key``: the report, the rows in parts (a part already kept, by
    its content, is not written again; with ``kept``, only the parts holding a touched file
    are made again, the others keep their keys) and the index's keys (``base.index``)."""
    same = set(range(CHUNKS)) - kept.changed_parts() if kept is not None else set()
    parts: list[dict[str, tuple[str, str, bool, int]]] = [{} for _ in range(CHUNKS)]
    for name, sha in base.shas.items():
        number = _part_of(name)
        if number not in same:
            parts[number][name] = (
                sha,
                base.displays.get(name, ""),
                name in base.readable,
                base.ids[name],
            )
    keys = [
        kept.base.parts[number]
        if kept is not None and number in same
        else key_of(
            "incremental-base-part",
            code_version(),
            *(f"{n}={v[0]}={v[1]}={v[2]}={v[3]}" for n, v in sorted(part.items())),
        )
        for number, part in enumerate(parts)
    ]
    known = cache.has_many(keys)  # (reading them back cost 0.12 s at 1M)
    cache.put_many(
        (k, part)
        for number, (k, part) in enumerate(zip(keys, parts, strict=True))
        if k not in known and number not in same
    )
    cache.put(key, _StoredBase(base.report, keys, list(base.index), base.next_id))


def _load_base(cache: Cache, key: str) -> Base | None:
    stored = cache.get(key)
    if not isinstance(stored, _StoredBase) or len(getattr(stored, "index", ())) != INDEX_CHUNKS:
        return None
    found = cache.get_many(stored.parts)
    base = Base({}, stored.report, parts=list(stored.parts), index=list(stored.index))
    base.next_id = stored.next_id
    for part_key in stored.parts:
        part = found.get(part_key)
        if not isinstance(part, dict):
            # kept parts are not written again (:func:`_store_base`): one that cannot be
            # read goes, so that the full run this means writes it afresh
            cache.discard([part_key])
            return None
        for name, (sha, display, readable, number) in part.items():
            base.shas[name] = sha
            base.displays[name] = display
            if readable:
                base.readable.add(name)
            base.ids[name] = number
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
        str(Path.cwd())
        if named_from_here(project, [*inputs.ontology, *inputs.shapes, *inputs.data])
        else "",
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
    known: dict[str, tuple[Path, str]] | None = None,
    kept: Kept | None = None,
) -> None:
    """Remember a whole-project ``report`` (and what each file names) as the next base; the
    signatures of what each file names are kept by content (for the files in ``only``, when
    given: the others are kept already). ``known``: each data file's (path, sha256) by
    resolved path, when the caller has them (else they are read); ``kept``: what the base
    this one follows keeps after an incremental run (``mentions`` then holds the touched
    files still there: their rows and the index's parts holding their items are made
    again, the rest keep their keys); without it, every file's ``mentions``.

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
    cache.put_many(
        (signatures_key(known[k][1]), v)
        for k, v in mentions.items()
        if k in known and (only is None or k in only)
    )
    # and their content (what a deleted file said: collabkg.answer_update follows it)
    keep_files(cache, {k: known[k] for k in mentions if k in known and (only is None or k in only)})
    if kept is None:
        names = sorted(known)
        ids = {name: number for number, name in enumerate(names)}

        def items() -> Iterator[tuple[int, frozenset[str], frozenset[str]]]:
            for name in names:
                packed = mentions.get(name)
                if packed is not None:
                    unpacked = unpack_mentions(packed)
                    yield ids[name], named_items(unpacked), described_items(unpacked)

        index = _whole_index(items())
        index_keys = [_index_key(part) for part in index]
        stored = cache.has_many(index_keys)
        for start in range(0, INDEX_CHUNKS, 16):  # (written 16 parts at a time: memory)
            cache.put_many(
                (index_keys[n], index[n])
                for n in range(start, start + 16)
                if index_keys[n] not in stored
            )
        _store_base(
            cache,
            key,
            Base(
                {name: sha for name, (_path, sha) in known.items()},
                report,
                {name: _display(project, path, name) for name, (path, _sha) in known.items()},
                {name for name in mentions if name in ids},
                ids,
                index=index_keys,
                next_id=len(names),
            ),
        )
        return
    old = kept.base
    base = Base(
        dict(old.shas),
        report,
        dict(old.displays),
        set(old.readable),
        dict(old.ids),
        index=list(old.index),
        next_id=old.next_id,
    )
    changes: dict[int, tuple[tuple[frozenset[str], frozenset[str]], ...]] = {}
    for name in kept.touched:
        before = kept.before.get(name, (frozenset(), frozenset()))
        now: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
        if name in known:
            path, sha = known[name]
            base.shas[name] = sha
            base.displays[name] = _display(project, path, name)
            if name not in base.ids:
                base.ids[name] = base.next_id
                base.next_id += 1
            if name in mentions:
                base.readable.add(name)
                unpacked = unpack_mentions(mentions[name])
                now = (named_items(unpacked), described_items(unpacked))
            else:
                base.readable.discard(name)
        else:  # deleted
            base.shas.pop(name, None)
            base.displays.pop(name, None)
            base.readable.discard(name)
        number = base.ids.get(name)
        if name not in known:
            base.ids.pop(name, None)
        if number is not None and before != now:
            changes[number] = (before, now)
    if changes:
        changed = _changed_index(kept.index or _Index(cache, old), changes)
        written = {n: _index_key(part) for n, part in changed.items()}
        for n, part_key in written.items():
            base.index[n] = part_key
        stored = cache.has_many(written.values())
        cache.put_many(
            (written[n], part) for n, part in changed.items() if written[n] not in stored
        )
    _store_base(cache, key, base, kept)


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
) -> tuple[Report, dict[str, bytes], set[str], dict[str, tuple[Path, str]], Kept] | None:
    """The whole-project report from the base under ``key`` and a check of the files the
    change can affect; None when a full run is needed. Also what the changed files name now
    (for :func:`save_base`), their names, each data file's (path, sha256) by resolved path,
    and what the next base can keep of this one."""
    started = time.perf_counter()
    base = _load_base(cache, key)
    if base is None:
        return None
    try:
        return _incremental(inputs, project, cache, base, engine, progress, started)
    except _Gone:
        return None


def _incremental(
    inputs: Inputs,
    project: ProjectPaths,
    cache: Cache,
    base: Base,
    engine: str,
    progress: Progress | None,
    started: float,
) -> tuple[Report, dict[str, bytes], set[str], dict[str, tuple[Path, str]], Kept] | None:
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
        return same, {}, set(), now, Kept(base, frozenset())
    if len(changed) + len(deleted) > MAX_CHANGED:
        return None
    index = _Index(cache, base)
    # what changed, statement end by statement end: the (subject or object, property, IRI)
    # whose statements differ before and after
    old_shas = [base.shas[name] for name in [*changed, *deleted] if name in base.shas]
    old = cache.get_many(signatures_key(sha) for sha in old_shas)
    fresh: dict[str, dict[str, str]] = {}
    triples: dict[str, list[ox.Triple]] = {}
    ends: set[tuple[str, str, str]] = set()
    before_items: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for name in [*changed, *deleted]:
        before: dict[str, str] = {}
        if name in base.shas:
            found = old.get(signatures_key(base.shas[name]))
            if isinstance(found, bytes):
                before = unpack_mentions(found)
            elif name in base.readable:
                return None  # the base's signatures are gone: check everything
            # else: a file that could not be read names nothing
        before_items[name] = (named_items(before), described_items(before))
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
                role, predicate, iri, term = end_of(k)
                if term is not None:
                    continue  # which term: its subject's ``s`` end changed with it
                role = "s" if role == "l" else role  # a literal's statement: its subject's
                ends.add((role, predicate, iri))
    followed = {iri for _r, _p, iri in ends if not iri.startswith(VOCABULARIES)}
    # ... and the files whose issues can change: the changed files, those whose issues
    # point into a changed file (related: "file:line", or its name and a line in their
    # words: "described as a quotation (FILE line N)") or say "did you mean" (checked
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
        or issue.code in SUGGESTING
        or any(
            name and name in text for text in (issue.message, issue.hint) if text for name in shown
        )
    }
    if pointing:
        whole |= {name for name, display in base.displays.items() if display in pointing}
        whole &= now.keys()
    with kept_open(cache):  # the cached store opened once: for the walk, then the check
        reached = _by_walks(inputs, project, cache, base, index, now, fresh, triples, ends, whole)
        if reached is not None:
            focus, rechecked = reached
        else:
            focus, rechecked = _by_links(index, now, whole, followed)
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
    packed = {name: pack_mentions(named) for name, named in fresh.items()}
    touched = frozenset(changed + deleted)
    return merged, packed, set(fresh), now, Kept(base, touched, before_items, index)


def _parsed(path: Path) -> list[ox.Triple] | None:
    """A changed file's statements now (None: it cannot be parsed, so it names nothing)."""
    try:
        return parse_once.parse_path(path).triples
    except (OSError, SyntaxError, ValueError):
        return None


def _by_links(
    index: _Index, now: dict[str, tuple[Path, str]], whole: set[str], followed: set[str]
) -> tuple[dict[str, frozenset[str]], set[str]]:
    """The files to check again when the shapes' walks are not known: every file naming an
    item whose statements changed, its shapes checked on its items linked to such an item
    through its own statements (see :func:`_reached`). (limited files, items checked
    again); ``whole`` may grow."""
    focus: dict[str, frozenset[str]] = {}
    naming = {name for files in index.files(followed).values() for name in files}
    for name in sorted(naming):
        if name in now and name not in whole:
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
    index: _Index,
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
    files describing them (or holding an issue about them). The vocabulary is checked
    whole in the files naming an item whose kinds or source statements changed or which is
    described nowhere now (or was before), in those describing an item whose other
    statements changed or that was first quoted or is no longer quoted, and in those whose
    issues name such an item. None: not worked out (the
    shapes read what is not followed, a changed rdfs:subClassOf, no store of the graph as
    it was...): :func:`_by_links` decides. Which unchanged file names or describes an item
    is read from the base's index, for the items in question only."""
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
        # a source quoted or no longer quoted: where it is described, its text is asked for
        # (or no longer) when it has quotations; one quoted by a file not changed stays so
        touched = {
            _graph_name(project, name) for name in (base.shas.keys() - now.keys()) | fresh.keys()
        }
        quoted = {
            iri
            for role, predicate, iri in ends
            if role == "o"
            and predicate == PROV_QUOTED_FROM
            and not graph.quoted_unchanged(iri, touched)
        }
    unchanged = now.keys() - fresh.keys()
    fresh_described = {name: described_items(fresh[name]) for name in fresh}
    end_iris = {iri for _r, _p, iri in ends}
    describing = index.files(end_iris | items, describing=True)
    anywhere = {iri for iri in end_iris if not describing.get(iri, set()).isdisjoint(unchanged)}
    anywhere |= {iri for described in fresh_described.values() for iri in described}
    # the files whose vocabulary is checked whole: those naming an item whose kinds or
    # source statements changed, or that is described nowhere now or was before (a link to
    # nothing); those describing an item whose other statements changed (one ID one name)
    # or whose quotations changed (a source's text is asked for when it is quoted); those
    # whose issues name such an item (their words: its name, its kind)
    own = {iri for role, _p, iri in ends if role == "s"}
    changed_items = {iri for role, p, iri in ends if role == "s" and p in READ_BY_NAMERS}
    changed_items |= {iri for iri in end_iris if (iri in anywhere) != bool(describing.get(iri))}
    changed_items |= {iri for iri in end_iris if iri not in anywhere}  # described nowhere
    changed_items = {iri for iri in changed_items if not iri.startswith(VOCABULARIES)}
    described_again = {
        iri for iri in own | quoted if iri not in changed_items and not iri.startswith(VOCABULARIES)
    }
    shown_items = {show(URIRef(iri)): iri for iri in items}
    issue_items: dict[str, set[str]] = {}
    for issue in base.report.issues:
        if issue.stage is Stage.SHACL and issue.focus is not None and issue.focus in shown_items:
            issue_items.setdefault(issue.file or "", set()).add(shown_items[issue.focus])
    linked: dict[str, set[str]] = {}  # unchanged file -> the items of ``items`` it describes
    for iri in items:
        for name in describing.get(iri, ()):
            linked.setdefault(name, set()).add(iri)
    for name, display in base.displays.items():
        if display in issue_items:
            linked.setdefault(name, set()).update(issue_items[display])
    naming = {name for files in index.files(changed_items).values() for name in files}
    naming |= {name for iri in described_again for name in describing.get(iri, ())}
    naming |= _naming_in_words(base, own - changed_items)
    focus: dict[str, frozenset[str]] = {}
    for name in sorted(linked.keys() | naming):  # (a changed file is checked whole)
        if name in unchanged and name not in whole:
            focus[name] = frozenset(linked.get(name, ()))
    rechecked = set(items)
    for name in whole:
        rechecked |= _described(cache, base, fresh, name)
    return focus, rechecked


def _naming_in_words(base: Base, iris: set[str]) -> set[str]:
    """The files (resolved paths) of the base's issues whose words name one of ``iris``
    (as a report writes an ID: ``ckd:x``, not followed by more of an ID)."""
    written = sorted(compact(iri) for iri in iris if not iri.startswith(VOCABULARIES))
    if not written:
        return set()
    named = re.compile("(?:" + "|".join(map(re.escape, written)) + r")(?![\w-])")
    files = {
        issue.file
        for issue in base.report.issues
        if any(
            named.search(text)
            for text in (issue.message, issue.hint, issue.focus, issue.value)
            if text
        )
    }
    return {name for name, display in base.displays.items() if display in files}


def _described(cache: Cache, base: Base, fresh: dict[str, dict[str, str]], name: str) -> set[str]:
    """The items file ``name`` describes now: a changed file's from its statements now, an
    unchanged one's from its signatures (kept by its content)."""
    if name in fresh:
        return set(described_items(fresh[name]))
    if name not in base.readable:
        return set()
    found = cache.get(signatures_key(base.shas[name]))
    if not isinstance(found, bytes):
        raise _Gone
    return set(described_items(unpack_mentions(found)))


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

    def __init__(
        self, stores: list[ox.Store], keeper: PersistentStore | None, stale: set[str] | None = None
    ) -> None:
        self.stores = stores
        self.keeper = keeper
        self.stale = stale or set()
        """The named graphs of the first store that hold a file as it was, not as it is (read
        again into the second)."""

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
                    manifest, root = keeper.manifest, str(project.root)
                    missing = [
                        (name, path)
                        for name, (path, sha) in now.items()
                        if name not in triples
                        and name in base.readable
                        and manifest.get(_graph_name(project, name, root)) != sha
                    ]
                    if len(missing) <= MISSING:
                        for _name, path in missing:
                            _load(changes, path)
                        stale = {_graph_name(project, name, root) for name, _path in missing}
                        yield cls([store, changes], keeper, stale)
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

    def quoted_unchanged(self, iri: str, touched: set[str]) -> bool:
        """Whether a file other than those of the named graphs ``touched`` (the files changed
        or deleted) quotes from ``iri``, as the files are now (a file read beside the cached
        store or into memory is in the default graph: one not changed)."""
        predicate, source = ox.NamedNode(PROV_QUOTED_FROM), ox.NamedNode(iri)
        for number, store in enumerate(self.stores):
            skip = touched | self.stale if number == 0 else touched
            for quad in store.quads_for_pattern(None, predicate, source, None):
                graph = quad.graph_name
                if not isinstance(graph, ox.NamedNode) or graph.value not in skip:
                    return True
        return False

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


def _graph_name(project: ProjectPaths, name: str, root: str | None = None) -> str:
    """The named graph the pipeline gives the file of resolved path ``name`` (``root``:
    ``str(project.root)``, when the caller names thousands of files)."""
    root = str(project.root) if root is None else root
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
