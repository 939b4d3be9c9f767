"""The shapes, parsed and compiled to SPARQL once per content: a one-file check at 10M
triples has about a second in all, and parsing the shapes with rdflib and compiling them
cost about half of it on every run.

The parsed graph and its compiled form are kept in this process and in the project's
cache (:mod:`collabkg.cache`), under a key made of every shapes file's name and SHA-256
digest and the validator's code version: an edited shapes file, or a changed compiler, is
parsed and compiled again; nothing is trusted by date.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import threading
from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from collabkg.cache import Cache, code_version, key_of
from collabkg.validate.shacl import load_shapes

_KEPT: dict[str, tuple[Graph, object]] = {}
"""Shapes built in this process, by key (the explorer and the tests validate many times)."""
_KEPT_MAX = 4
_LOCK = threading.Lock()


def shapes_key(files: Sequence[Path]) -> str | None:
    """The shapes files' names and digests with the code version, or None when one cannot
    be read (then nothing is cached and the parser reports the problem)."""
    parts: list[str] = []
    for path in files:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        parts.append(f"{path}={hashlib.sha256(data).hexdigest()}")
    return key_of("compiled-shapes", code_version(), *parts)


def _build(files: Sequence[Path]) -> tuple[Graph, object]:
    from collabkg.shacl_sparql import compile_shapes

    graph = load_shapes(files)
    return graph, compile_shapes(graph)


def shapes_and_compiled(files: Sequence[Path], cache: Cache | None) -> tuple[Graph, object]:
    """The shapes of ``files`` in one rdflib graph, and their compiled form
    (:func:`collabkg.shacl_sparql.compile_shapes`): from this process's memory, else from
    ``cache``, else parsed and compiled (and remembered in both)."""
    key = shapes_key(files)
    if key is None:
        return _build(files)
    with _LOCK:
        found = _KEPT.get(key)
    if found is not None:
        return found
    stored = cache.get(key) if cache is not None else None
    if isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], Graph):
        found = (stored[0], stored[1])
    else:
        found = _build(files)
        if cache is not None:
            with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
                cache.put(key, found)  # not kept: the next process compiles them again
    with _LOCK:
        while len(_KEPT) >= _KEPT_MAX:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = found
    return found


__all__ = ["shapes_and_compiled", "shapes_key"]
