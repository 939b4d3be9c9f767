"""The graph's count of distinct triples kept on disk by content, and brought up to date
after a change.

Counting the distinct triples of the union of every file's graph reads the whole store: 1.5
to 1.9 s at 1M triples, a quarter of the explorer's start (its home page shows the count),
the same with or without a change. So the count is kept under ``<cache>/triple-count/``
(see :mod:`collabkg.cache`), one small file per content of the project's files
(:class:`collabkg.answers.Content`):

- the same content again: the count is read;
- a content that differs from the latest kept one by at most
  :data:`collabkg.answer_update.MAX_FILES` data files (the ontology and concepts unchanged):
  the latest count is brought up to date (:func:`updated_count`). With ``U`` the statements
  of the files that did not change, ``Old`` and ``New`` those of the changed files before and
  now, the union held ``|U ∪ Old|`` distinct triples and holds ``|U ∪ New|``, so the count
  moves by ``|New − U| − |Old − U|``; whether a statement is in ``U`` is asked of the loaded
  store (is it in the graph of a file that did not change?). A statement with a blank node
  is its own file's: the engine gives every file's blank nodes their own identities (a file
  parsed again, others again), so it is never found in an unchanged file's graph;
- anything else (nothing kept, more files changed, a file's earlier content not kept, a file
  damaged or of another code version): counted afresh.

The file: the ``zlib`` of a JSON list (the content's identity, the code key, the count, its
data files and their SHA-256, its other files), written to a temporary file and renamed
over (atomic); the :data:`KEEP` newest are kept. ``tests/test_kept_count.py`` compares the
count brought up to date with the count afresh after seeded random edits.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import zlib
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from collabkg.answer_update import MAX_FILES, parsed_as_loaded
from collabkg.answers import Content, keep_newest, newest, write_atomically
from collabkg.cache import Cache, code_version
from collabkg.kept_files import kept_triples
from collabkg.terms import GRAPH_BASE

_LOG = logging.getLogger(__name__)

FOLDER = "triple-count"
SUFFIX = ".count"
KEEP = 2
"""Count files kept: the newest (this content's) and the one before."""


@functools.cache
def _code() -> str:
    """What a count depends on besides the files: the loader's code and the engine's version
    (in :func:`collabkg.cache.code_version`) and this module."""
    digest = hashlib.sha256(code_version().encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:32]


def count_path(folder: Path, identity: str) -> Path:
    """Where the count of the content ``identity`` is kept, under the cache ``folder``."""
    return folder / FOLDER / f"{identity[:32]}{SUFFIX}"


Kept = tuple[int, dict[str, str], tuple[tuple[str, str], ...]]
"""A kept count: the count, the data files (name -> SHA-256), the other files."""


def _read(path: Path, identity: str | None = None) -> tuple[str, Kept] | None:
    """(content identity, what is kept) at ``path``; None when missing, damaged, kept by
    other code or (``identity`` given) for another content."""
    try:
        kept, code, count, files, others = json.loads(zlib.decompress(path.read_bytes()))
    except (OSError, ValueError, TypeError, zlib.error):
        return None
    if code != _code() or not isinstance(kept, str) or (identity and kept != identity):
        return None
    if not isinstance(count, int) or not isinstance(files, dict):
        return None
    return kept, (count, files, tuple((str(a), str(b)) for a, b in others))


def _write(path: Path, content: Content, count: int) -> None:
    """Keep ``count`` (of ``content``) at ``path``; then only the :data:`KEEP` newest."""
    body = [content.identity, _code(), count, content.files, [list(o) for o in content.others]]
    write_atomically(path, zlib.compress(json.dumps(body).encode(), 1))
    keep_newest(path.parent, SUFFIX, KEEP)


def updated_count(
    store: ox.Store,
    count: int,
    old: Mapping[str, Iterable[ox.Triple]],
    new: Mapping[str, Collection[ox.Triple]],
) -> int | None:
    """The distinct triples of ``store`` (the union of its graphs, one per file, named
    ``GRAPH_BASE + name``) from ``count``, those of the files as they were: ``old`` and
    ``new`` give, for each data file that changed (added, edited or deleted), its statements
    before and now (a file absent from one: none). ``store`` holds the files as they are;
    None when it does not (a file said to be there and not in it, or the other way round)."""
    graphs = {name: ox.NamedNode(GRAPH_BASE + name.lstrip("/")) for name in old.keys() | new.keys()}
    for name, graph in graphs.items():
        if (name in new and len(new[name]) > 0) != store.contains_named_graph(graph):
            return None
    changed = set(graphs.values())

    def outside(statements: Iterable[ox.Triple]) -> int:
        """How many distinct statements of these are in no unchanged file."""
        found = 0
        for triple in set(statements):
            if any(
                quad.graph_name not in changed
                for quad in store.quads_for_pattern(triple.subject, triple.predicate, triple.object)
            ):
                continue  # an unchanged file has it
            found += 1
        return found

    before = outside(t for statements in old.values() for t in statements)
    now = outside(t for statements in new.values() for t in statements)
    return count + now - before


def _brought_up_to_date(store: ox.Store, root: Path, folder: Path, content: Content) -> int | None:
    """The newest count kept for another content, brought up to date with ``store`` (which
    holds ``content``); None when there is none or the change cannot be followed."""
    for path in newest(folder / FOLDER, SUFFIX):
        found = _read(path)
        if found is None or found[0] == content.identity:
            continue
        count, files, others = found[1]
        if others != content.others:
            return None  # the ontology or the concepts changed
        now = content.files
        changed = [name for name, sha in now.items() if files.get(name) != sha]
        changed += [name for name in files if name not in now]
        if len(changed) > MAX_FILES:
            return None
        cache = Cache.open(root)
        if cache is None:
            return None
        old: dict[str, list[ox.Triple]] = {}
        new: dict[str, list[ox.Triple]] = {}
        try:
            for name in changed:
                if name in files:
                    had = kept_triples(cache, files[name])
                    if had is None:
                        return None
                    old[name] = had
                if name in now:
                    parsed = parsed_as_loaded(root, name, now[name])
                    if parsed is None:
                        return None
                    new[name] = parsed.triples
        finally:
            cache.close()
        return updated_count(store, count, old, new)
    return None


def kept_count(store: ox.Store, kept: tuple[Path, Path, Content], count: Callable[[], int]) -> int:
    """The distinct triples of ``store``, loaded from the project's files of ``kept``
    (root, cache folder, content): read as kept for this content, else brought up to date
    from the count of the latest content, else ``count()``; kept for this content when it
    was not read. A count that cannot be kept (a read-only cache) is still given."""
    root, folder, content = kept
    path = count_path(folder, content.identity)
    found = _read(path, content.identity)
    if found is not None:
        return found[1][0]
    number = _brought_up_to_date(store, root, folder, content)
    if number is None:
        number = count()
    try:
        _write(path, content, number)
    except OSError as exc:
        _LOG.debug("triple count not kept: %s", exc)
    return number


__all__ = ["FOLDER", "KEEP", "count_path", "kept_count", "updated_count"]
