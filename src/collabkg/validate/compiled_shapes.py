"""The shapes, parsed and compiled to SPARQL once per content: a one-file check at 10M
triples has about a second in all, and parsing the shapes with rdflib and compiling them
cost about half of it on every run.

The parsed graph and its compiled form are kept in the project's cache
(:mod:`collabkg.cache`), under a key made of the shapes files' SHA-256 digests (in order)
and the validator's code version: an edited shapes file, or a changed compiler, is parsed
and compiled again; nothing is trusted by date. In a process, the pipeline keeps them by
content (:data:`collabkg.validate.pipeline.SHAPES`).
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph

from collabkg.cache import Cache, code_version, key_of
from collabkg.validate.memo import content_key
from collabkg.validate.shacl import load_shapes


def shapes_key(files: Sequence[Path]) -> str | None:
    """The shapes files' digests with the code version, or None when one cannot be read
    (then nothing is cached and the parser reports the problem). The files are read with a
    fixed base IRI, so the graph depends on their content only, not on where they are."""
    digests = content_key(files)
    return None if digests is None else key_of("compiled-shapes", code_version(), *digests)


def _build(files: Sequence[Path], load: Callable[[Sequence[Path]], Graph]) -> tuple[Graph, object]:
    from collabkg.shacl_sparql import compile_shapes

    graph = load(files)
    return graph, compile_shapes(graph)


def shapes_and_compiled(
    files: Sequence[Path],
    cache: Cache | None,
    load: Callable[[Sequence[Path]], Graph] = load_shapes,
) -> tuple[Graph, object]:
    """The shapes of ``files`` in one rdflib graph (read by ``load``), and their compiled
    form (:func:`collabkg.shacl_sparql.compile_shapes`): from ``cache``, else parsed and
    compiled (and kept there)."""
    key = shapes_key(files)
    if key is None:
        return _build(files, load)
    stored = cache.get(key) if cache is not None else None
    if isinstance(stored, tuple) and len(stored) == 2 and isinstance(stored[0], Graph):
        return stored[0], stored[1]
    found = _build(files, load)
    if cache is not None:
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            cache.put(key, found)  # not kept: the next process compiles them again
    return found


__all__ = ["shapes_and_compiled", "shapes_key"]
