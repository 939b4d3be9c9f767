"""Stage 3, running the shapes: every SHACL result, from the shapes compiled to SPARQL
(:mod:`collabkg.shacl_sparql`) over the store, or from pySHACL (the reference, and for the
shapes the compiler cannot translate). What the results become in the report is
:mod:`collabkg.validate.shacl`'s job.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from collabkg.progress import Progress
from collabkg.rdfterms import to_rdflib
from collabkg.shacl_sparql import ShaclResult
from collabkg.validate.model import quiet_rdflib
from collabkg.validate.reading import workers
from collabkg.validate.shacl import RawResult, run_pyshacl
from collabkg.validate.store import OX_REDUCED
from collabkg.validate.workspace import Workspace

SHACL_ENGINES = ("sparql", "pyshacl")

_COMPILED: dict[int, tuple[Graph, object]] = {}
"""The SPARQL compiled from each shapes graph used lately (by the graph's identity: a shapes
graph is never changed, and :data:`.pipeline.SHAPES` keeps one per content)."""
_COMPILED_KEPT = 4
_COMPILED_LOCK = threading.Lock()
PARALLEL_MIN_QUADS = 200_000
"""Below this many statements the constraints run in this process only."""
PARALLEL_MIN_FILES = 64
_SPARQL_COMPONENT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
_FORK_STORE: ox.Store | None = None
_FORK_PREPARED: list | None = None


def _run_constraints(indices: list[int]) -> list[ShaclResult]:
    """In a forked worker: the results of some prepared constraints, values as stored."""
    from collabkg.shacl_sparql import run_one

    assert _FORK_STORE is not None and _FORK_PREPARED is not None
    results: list[ShaclResult] = []
    for index in indices:
        constraint, query, this = _FORK_PREPARED[index]
        results.extend(run_one(constraint, query, _FORK_STORE, this=this))
    return results


def _compiled(shapes: Graph, compile_shapes: Callable[[Graph], object]) -> object:
    with _COMPILED_LOCK:
        cached = _COMPILED.get(id(shapes))
        if cached is not None and cached[0] is shapes:
            return cached[1]
    compiled = compile_shapes(shapes)
    with _COMPILED_LOCK:
        _COMPILED.pop(id(shapes), None)
        while len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[id(shapes)] = (shapes, compiled)
    return compiled


def shacl_results(
    shapes: Graph,
    store: ox.Store,
    workspace: Workspace,
    focus_graphs: Sequence[str] | None,
    progress: Progress,
    *,
    engine: str = "sparql",
    focus_nodes: Sequence[URIRef] | None = None,
    compiled: object | None = None,
) -> list[RawResult]:
    """Every SHACL result as (focus, path, value, shape, component, severity, message).

    The focus: every item described in ``focus_graphs`` and the items ``focus_nodes`` (both
    None: every item of the store).

    ``engine``: ``sparql`` (the shapes compiled to SPARQL, pySHACL for any shape the
    compiler cannot translate) or ``pyshacl`` (every shape by pySHACL: the reference the
    tests compare with). ``compiled``: ``shapes`` compiled already (see
    :mod:`.compiled_shapes`); otherwise they are compiled here, once per graph."""
    if engine == "pyshacl":
        progress.stage("SHACL shapes (pySHACL)")
        return list(
            dict.fromkeys(_pyshacl_results(workspace, store, shapes, focus_graphs, focus_nodes))
        )
    from collabkg.shacl_sparql import _as_written, compile_shapes, prepare, run_one

    if compiled is None:
        compiled = _compiled(shapes, compile_shapes)
    if focus_nodes is None:
        prepared = prepare(compiled, store, focus_graphs=focus_graphs) or []  # type: ignore[arg-type]
    else:  # the graphs' items and the nodes, each focus prepared apart (never one joined)
        prepared = []
        closures: dict[str, list[str] | None] = {}  # the classes' closures asked once
        if focus_graphs:
            prepared += prepare(compiled, store, focus_graphs=focus_graphs, closures=closures) or []  # type: ignore[arg-type]
        if focus_nodes:
            prepared += prepare(compiled, store, focus_nodes=focus_nodes, closures=closures) or []  # type: ignore[arg-type]
    out: dict[tuple[object, ...], None] = {}
    progress.stage("SHACL shapes", total=len(prepared))

    def add(results: Iterable[object]) -> None:
        for r in results:
            message = Literal(r.message) if r.message is not None else None  # type: ignore[attr-defined]
            out.setdefault((r.focus, r.path, r.value, r.shape, r.component, r.severity, message))  # type: ignore[attr-defined]

    # on a large graph in memory, a forked worker runs half of the constraints that need
    # nothing but the store (it shares the store's memory); this process runs the rest
    forked: list[int] = []
    everything = focus_graphs is None and focus_nodes is None
    if everything and workers(PARALLEL_MIN_FILES) and len(store) >= PARALLEL_MIN_QUADS:
        forked = [
            i
            for i, (c, _q, _this) in enumerate(prepared)
            if c.pattern is None and str(c.component) != _SPARQL_COMPONENT
        ][::2]
    pending = None
    pool = None
    if forked:
        global _FORK_STORE, _FORK_PREPARED
        _FORK_STORE, _FORK_PREPARED = store, prepared
        pool = multiprocessing.get_context("fork").Pool(1)
        pending = pool.map_async(_run_constraints, [forked])
    try:
        skip = set(forked)
        for index, (constraint, query, this) in enumerate(prepared):
            if index in skip:
                continue
            add(run_one(constraint, query, store, lexical=workspace.lexical_forms, this=this))
            progress.advance()
        if pending is not None:
            stored: ShaclResult
            for stored in pending.get()[0]:
                for value in _as_written(stored.focus, stored.value, workspace.lexical_forms):
                    add([replace(stored, value=value)])
            progress.advance(len(forked))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _FORK_STORE, _FORK_PREPARED = None, None
    fallback = compiled.fallback_shapes(shapes)  # type: ignore[attr-defined]
    if fallback is not None:
        progress.stage("SHACL shapes pySHACL runs (not translated to SPARQL)")
        for item in _pyshacl_results(workspace, store, fallback, focus_graphs, focus_nodes):
            out.setdefault(item)
    return list(out)  # type: ignore[arg-type]


def _pyshacl_results(
    workspace: Workspace,
    store: ox.Store,
    shapes: Graph,
    focus_graphs: Sequence[str] | None,
    focus_nodes: Sequence[URIRef] | None = None,
) -> Iterator[RawResult]:
    """pySHACL (slow: the reference, and for shapes SPARQL cannot run) over the graph as the
    files write it (the store keeps numbers and dates in canonical form, pySHACL must see
    them as written) and the ontology's part of the store; focused on the items of
    ``focus_graphs`` when given."""
    data = Graph()
    with quiet_rdflib():
        for quad in store.quads_for_pattern(None, None, None, OX_REDUCED):
            data.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        for triple in workspace.written_triples():
            data.add(triple)
    if focus_graphs is not None or focus_nodes is not None:
        described = _described(store, focus_graphs or [])
        described |= set(focus_nodes or [])
        shapes = focus_on(shapes, data, described)
    yield from run_pyshacl(data, shapes)


def _described(store: ox.Store, graphs: Sequence[str]) -> set[Node]:
    """Every subject of the named graphs ``graphs``."""
    found: set[Node] = set()
    for graph in graphs:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            found.add(to_rdflib(quad.subject))
    return found


def focus_on(shapes: Graph, data: Graph, described: set[Node]) -> Graph:
    """A copy of ``shapes`` whose ``sh:targetClass C`` is replaced by ``sh:targetNode`` for
    each item of ``described`` that is a C in ``data`` (through rdfs:subClassOf).

    pySHACL's own ``focus_nodes`` option cannot be used: it also filters the value nodes of
    nested shapes (sh:or, sh:node), which then always conform.
    """
    classes: dict[Node, set[Node]] = {}
    for node in described:
        found: set[Node] = set()
        todo = list(data.objects(node, RDF.type))
        while todo:
            cls = todo.pop()
            if cls not in found:
                found.add(cls)
                todo.extend(data.objects(cls, RDFS.subClassOf))
        classes[node] = found
    focused = Graph()
    for triple in shapes:
        if triple[1] != SH.targetClass:
            focused.add(triple)
    for shape, cls in shapes.subject_objects(SH.targetClass):
        for node, found in classes.items():
            if cls in found:
                focused.add((shape, SH.targetNode, node))
    return focused


__all__ = ["SHACL_ENGINES", "focus_on", "shacl_results"]
