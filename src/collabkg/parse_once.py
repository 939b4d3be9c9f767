"""Each Turtle file parsed once per process: its triples (and, once scanned, its positions)
kept by its name and exact bytes.

Checking one changed file used to parse it three or four times in one command (for the
incremental run's signatures, for its syntax, into the checker's memory, for line numbers)
and the query's load a fifth time. Every reader of a file's Turtle goes through
:func:`parse` (the triples as Python objects) or :func:`load` (into a store: from the kept
triples when the file was parsed already, else by the engine's own loader, which keeps
nothing). An entry is used only when the bytes are the same as those parsed (compared
whole: a file edited in between is parsed again); the most recent entries are kept, up to
:data:`KEPT_FILES` files and :data:`KEPT_BYTES` bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import pyoxigraph as ox

KEPT_FILES = 512
"""Files whose triples are kept (the most recently parsed)."""
KEPT_BYTES = 64 * 1024 * 1024
"""... and their bytes at most (a case file is a few kilobytes)."""
_BOM = b"\xef\xbb\xbf"


@dataclass
class Parsed:
    """One file's bytes as parsed, its triples, and what was worked out from them once."""

    data: bytes
    triples: list[ox.Triple]
    positions: object | None = None
    """The file's position index (:class:`collabkg.validate.locate.FileIndex`), once scanned."""


_KEPT: OrderedDict[str, Parsed] = OrderedDict()
_SIZE = 0
_LOCK = threading.Lock()


def _strip(data: bytes) -> bytes:
    return data[3:] if data.startswith(_BOM) else data


def _parse(data: bytes) -> list[ox.Triple]:
    """The one place Turtle is parsed into Python objects (tests count the calls)."""
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]


def _engine_load(
    store: ox.Store, data: bytes, graph: ox.NamedNode | ox.DefaultGraph, lenient: bool
) -> None:
    """The one place the engine parses Turtle into a store itself (tests count the calls)."""
    store.load(data, format=ox.RdfFormat.TURTLE, to_graph=graph, lenient=lenient)


def kept(name: str, data: bytes) -> Parsed | None:
    """The entry for file ``name`` if it was parsed from exactly ``data``."""
    data = _strip(data)
    with _LOCK:
        entry = _KEPT.get(name)
        if entry is None or entry.data != data:
            return None
        _KEPT.move_to_end(name)
        return entry


def parse(name: str, data: bytes) -> Parsed:
    """File ``name``'s bytes parsed (a UTF-8 byte order mark ignored), or its kept entry.
    Raises the parser's ``SyntaxError`` (nothing is kept then)."""
    global _SIZE
    data = _strip(data)
    found = kept(name, data)
    if found is not None:
        return found
    entry = Parsed(data, _parse(data))
    with _LOCK:
        old = _KEPT.pop(name, None)
        if old is not None:
            _SIZE -= len(old.data)
        _KEPT[name] = entry
        _SIZE += len(data)
        while _KEPT and (len(_KEPT) > KEPT_FILES or _SIZE > KEPT_BYTES):
            _old_name, dropped = _KEPT.popitem(last=False)
            _SIZE -= len(dropped.data)
    return entry


def parse_path(path: object) -> Parsed:
    """:func:`parse` of the file at ``path`` (``OSError`` when it cannot be read)."""
    with open(str(path), "rb") as handle:  # noqa: PTH123 - a str or a Path
        data = handle.read()
    return parse(str(path), data)


def load(
    store: ox.Store,
    name: str,
    data: bytes,
    graph: str | None,
    *,
    lenient: bool = False,
    keep: bool = False,
) -> None:
    """File ``name``'s triples into ``graph`` of ``store`` (None: the default graph): from
    its kept entry when it was parsed already in this process, else parsed by the engine
    (nothing kept) or, with ``keep``, by :func:`parse` (kept for the next reader)."""
    node: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    entry = parse(name, data) if keep else kept(name, data)
    if entry is not None:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in entry.triples)
        return
    _engine_load(store, _strip(data), node, lenient)


def forget() -> None:
    """Drop every kept entry (tests; a long-running process that wants the memory back)."""
    global _SIZE
    with _LOCK:
        _KEPT.clear()
        _SIZE = 0


__all__ = ["KEPT_BYTES", "KEPT_FILES", "Parsed", "forget", "kept", "load", "parse", "parse_path"]
