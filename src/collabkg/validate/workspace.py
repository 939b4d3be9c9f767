"""The workspace: the graph being checked as every stage sees it.

The store holds every file (each in its named graph); :class:`Workspace` answers the
graph-wide questions the rules and the reports ask (an item's types, its label, the
statement pointing to a blank node, which files describe an IRI) from the store, and holds
as rdflib triples only the files the vocabulary rules must read. :meth:`Workspace.locate`
is the one place that finds the file and line of an item.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from collabkg.labels import LabelIndex
from collabkg.rdfterms import node_to_oxigraph, solutions, to_rdflib
from collabkg.validate.model import FileData, Ontology, quiet_rdflib
from collabkg.validate.reading import file_data, scan_positions, workers
from collabkg.validate.store import OX_REDUCED, OX_TYPE, FileRef, ListedFiles
from collabkg.validate.syntax import read_turtle

_LABEL_PREDICATES = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))


class _Types:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def get(self, node: Node, default: set[str] | None = None) -> set[str]:
        """The classes of ``node`` (``default``, else an empty set, when it has none)."""
        found = self.ws.types_of(node)
        return found if found else (default if default is not None else set())

    def __contains__(self, node: object) -> bool:
        return bool(self.ws.types_of(node))  # type: ignore[arg-type]

    def __getitem__(self, node: Node) -> set[str]:
        found = self.ws.types_of(node)
        if not found:
            raise KeyError(node)
        return found

    def items(self) -> Iterator[tuple[Node, set[str]]]:
        grouped: dict[Node, set[str]] = {}
        for quad in self.ws.store.quads_for_pattern(None, OX_TYPE, None, None):
            if quad.graph_name == OX_REDUCED or not isinstance(quad.object, ox.NamedNode):
                continue
            grouped.setdefault(to_rdflib(quad.subject), set()).add(quad.object.value)
        return iter(grouped.items())


class _Subjects:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def __contains__(self, node: object) -> bool:
        if isinstance(node, URIRef):
            if str(node) in self.ws.ontology_subjects:
                return True
            term: ox.NamedNode | ox.BlankNode = ox.NamedNode(str(node))
        elif isinstance(node, BNode):
            term = ox.BlankNode(str(node))
        else:
            return False
        return next(iter(self.ws.store.quads_for_pattern(term, None, None, None)), None) is not None

    def __iter__(self) -> Iterator[Node]:
        seen: set[Node] = {URIRef(s) for s in self.ws.ontology_subjects}
        yield from seen
        for row in solutions(
            self.ws.store,
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
            use_default_graph_as_union=False,
        ):
            node = to_rdflib(row["s"])
            if node not in seen:
                yield node


class _Labels:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def get(self, key: str) -> str | None:
        node: Node = URIRef(key) if ":" in key else BNode(key)
        return self.ws.label_of(node)


class _Parents:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def get(self, node: Node) -> tuple[Node, Node] | None:
        """(subject, property) of a statement pointing to the blank node ``node``."""
        return self.ws.parent_of(node)


class Workspace:
    """The graph being checked, as the stages see it: graph-wide look-ups (types, labels,
    who describes what) answered by the store, files read only when needed.

    ``files`` holds only the files the checker must look at (targets, and files that
    describe the same items); every other file is in the store, read when a result must be
    placed in it."""

    def __init__(
        self,
        ontology: Ontology,
        files: list[FileData],
        store: ox.Store,
        order: Sequence[FileRef],
        context: ListedFiles | None = None,
    ) -> None:
        self.ontology = ontology
        self.files = files
        self.store = store
        self.texts: Path | None = None
        """The folder of source texts the quotations are checked against."""
        self.selection: dict[str, frozenset[str]] | None = None
        """The rules each file asked about goes through (by the name the report gives it),
        as the pre-filters chose them; None, or a file not in it: every rule."""
        self.order = list(order)
        self.context = context
        """The context files of a warm run, made on demand (None: ``order`` has them all)."""
        offset = len(context.listing.names) if context is not None else 0
        self._rank = {ref.graph: offset + i for i, ref in enumerate(self.order)}
        self._by_graph = {ref.graph: ref for ref in self.order}
        self._local = {ref.graph: f for ref, f in self._pair(files)}
        self._lazy: dict[str, FileData] = {}
        self._placed: dict[str, FileData | None] = {}
        self._types: dict[Node, set[str]] = {}
        self._labels: dict[Node, str | None] = {}
        self._parents: dict[Node, tuple[Node, Node] | None] = {}
        self.ontology_subjects = ontology.subjects

    def ref(self, graph: str) -> FileRef | None:
        """The file in the named graph ``graph`` (None: not a file of this run)."""
        found = self._by_graph.get(graph)
        if found is None and self.context is not None:
            found = self.context.get(graph)
            if found is not None:
                self._by_graph[graph] = found
        return found

    def rank(self, graph: str) -> int:
        found = self._rank.get(graph)
        if found is None and self.context is not None:
            found = self.context.rank(graph)
        return (
            found
            if found is not None
            else len(self._rank)
            + (len(self.context.listing.names) if self.context is not None else 0)
        )

    def _pair(self, files: list[FileData]) -> Iterator[tuple[FileRef, FileData]]:
        by_display = {ref.display: ref for ref in self.order}
        for item in files:
            ref = by_display.get(item.display)
            if ref is not None:
                yield ref, item

    # ---------------------------------------------------------------- what reports need

    @property
    def targets(self) -> list[FileData]:
        """The files asked about that the vocabulary rules read."""
        return [f for f in self.files if f.target]

    def first_target(self) -> str | None:
        """The name of the first file asked about (where a graph-wide problem is shown)."""
        return next((ref.display for ref in self.order if ref.target), None)

    def kind_of(self, node: Node) -> str | None:
        return self.ontology.kind(self.types_of(node))

    # ---------------------------------------------------------------- look-ups

    def types_of(self, node: Node) -> set[str]:
        if node in self._types:
            return self._types[node]
        found: set[str] = set()
        term = node_to_oxigraph(node)
        if term is not None:
            for quad in self.store.quads_for_pattern(term, OX_TYPE, None, None):
                if quad.graph_name != OX_REDUCED and isinstance(quad.object, ox.NamedNode):
                    found.add(quad.object.value)
        self._types[node] = found
        return found

    def described_as(self, kind: str) -> set[str]:
        """The IRIs any file gives a class that is ``kind`` or below it: one scan of the
        type statements (asking each described item for its types took 6.8 s at 1M)."""
        found: set[str] = set()
        fits: dict[str, bool] = {}
        for quad in self.store.quads_for_pattern(None, OX_TYPE, None, None):
            cls, subject = quad.object, quad.subject
            if (
                quad.graph_name == OX_REDUCED
                or not isinstance(cls, ox.NamedNode)
                or not isinstance(subject, ox.NamedNode)
            ):
                continue
            fit = fits.get(cls.value)
            if fit is None:
                fit = fits[cls.value] = self.ontology.is_a([cls.value], kind)
            if fit:
                found.add(subject.value)
        return found

    def label_of(self, node: Node) -> str | None:
        if not isinstance(node, URIRef | BNode):
            return None
        if node not in self._labels:
            index = LabelIndex()
            term = node_to_oxigraph(node)
            if term is not None:
                for predicate in _LABEL_PREDICATES:
                    for quad in self.store.quads_for_pattern(term, predicate, None, None):
                        if quad.graph_name != OX_REDUCED:
                            index.add(node, URIRef(predicate.value), to_rdflib(quad.object))
            self._labels[node] = index.get(str(node))
        return self._labels[node]

    def parent_of(self, node: Node) -> tuple[Node, Node] | None:
        if not isinstance(node, BNode):
            return None
        if node in self._parents:
            return self._parents[node]
        found: tuple[Node, Node] | None = None
        quads = [
            q
            for q in self.store.quads_for_pattern(None, None, ox.BlankNode(str(node)), None)
            if q.graph_name != OX_REDUCED
        ]
        pairs = {(q.subject, q.predicate) for q in quads}
        if len(pairs) == 1:
            subject, predicate = next(iter(pairs))
            found = (to_rdflib(subject), to_rdflib(predicate))
        elif quads:
            # several statements point to it: the first written, as the files read
            item = self.file_of(quads[0].graph_name.value)  # type: ignore[union-attr]
            if item is not None:
                for s, p, o in item.triples:
                    if o == node:
                        found = (s, p)
                        break
        self._parents[node] = found
        return found

    @property
    def types(self) -> _Types:
        return _Types(self)

    @property
    def subjects(self) -> _Subjects:
        return _Subjects(self)

    @property
    def labels(self) -> _Labels:
        return _Labels(self)

    @property
    def parents(self) -> _Parents:
        return _Parents(self)

    def all_triples(self) -> Iterator[tuple[Node, Node, Node]]:
        with quiet_rdflib():
            for quad in self.store.quads_for_pattern(None, None, None, None):
                if quad.graph_name == OX_REDUCED or isinstance(quad.graph_name, ox.DefaultGraph):
                    continue
                yield (
                    to_rdflib(quad.subject),
                    to_rdflib(quad.predicate),
                    to_rdflib(quad.object),
                )

    def written_triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """Every file's statements as the file writes them (literals not canonicalised),
        blank nodes named as in the store: reads every file (for the reference path)."""
        refs = [*self.context, *self.order] if self.context is not None else self.order
        for ref in refs:
            item = self.file_of(ref.graph)
            if item is not None:
                yield from item.triples

    # ---------------------------------------------------------------- files

    def file_of(self, graph: str) -> FileData | None:
        if graph in self._local:
            return self._local[graph]
        if graph in self._lazy:
            return self._lazy[graph]
        ref = self.ref(graph)
        if ref is None:
            return None
        parsed, _issues = read_turtle(ref.path, ref.display, context=True)
        if parsed is None:
            return None
        item = file_data(parsed, graph, target=ref.target)
        self._lazy[graph] = item
        return item

    def placed_file(self, graph: str) -> FileData | None:
        """The file to place a result in: the checker's own FileData when it has one, else
        the parsed file alone (its triples are not needed to find a line)."""
        if graph in self._local:
            return self._local[graph]
        if graph in self._lazy:
            return self._lazy[graph]
        if graph in self._placed:
            return self._placed[graph]
        ref = self.ref(graph)
        if ref is None:
            return None
        parsed, _issues = read_turtle(ref.path, ref.display, context=True)
        item = FileData(parsed, [], ref.target) if parsed is not None else None
        self._placed[graph] = item
        return item

    def prefetch(self, foci: Iterable[Node]) -> None:
        """Read (in worker processes, when there are many) the files results about
        ``foci`` will be placed in: parsing and scanning them is most of the placing."""
        graphs: list[str] = []
        for focus in dict.fromkeys(f for f in foci if isinstance(f, URIRef)):
            for graph in self.graphs_describing(str(focus)):
                if (
                    self.ref(graph) is not None
                    and graph not in self._local
                    and graph not in self._placed
                ):
                    graphs.append(graph)
        graphs = list(dict.fromkeys(graphs))
        count = workers(len(graphs))
        if not count:
            return
        tasks = [(str(self._by_graph[g].path), self._by_graph[g].display) for g in graphs]
        with multiprocessing.get_context("fork").Pool(count) as pool:
            for graph, parsed in zip(
                graphs, pool.map(scan_positions, tasks, chunksize=8), strict=True
            ):
                ref = self._by_graph[graph]
                self._placed[graph] = FileData(parsed, [], ref.target) if parsed else None

    def lexical_forms(self, focus: Node, value: Literal) -> list[Literal]:
        """``value`` as written in the files that describe ``focus`` (the store gives
        numbers, dates and booleans back in canonical form: ``-5000.00`` as ``-5000``)."""
        if isinstance(focus, URIRef):
            graphs = self.graphs_describing(str(focus))
        elif isinstance(focus, BNode):
            graphs = sorted(
                {
                    q.graph_name.value
                    for q in self.store.quads_for_pattern(
                        ox.BlankNode(str(focus)), None, None, None
                    )
                    if isinstance(q.graph_name, ox.NamedNode)
                }
            )
        else:
            return []
        found: list[Literal] = []
        for graph in graphs:
            item = self.file_of(graph)
            if item is None:
                continue
            for s, _p, o in item.triples:
                if (
                    s == focus
                    and isinstance(o, Literal)
                    and o.datatype == value.datatype
                    and o.language == value.language
                    and o not in found
                    and (str(o) == str(value) or (o.value is not None and o.value == value.value))
                ):
                    found.append(o)
        return found

    def graphs_describing(self, iri: str) -> list[str]:
        graphs = {
            q.graph_name.value
            for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != OX_REDUCED
        }
        return sorted(graphs, key=self.rank)

    def locate(
        self, node: Node, prop: Node | None = None, *, targets_only: bool = True
    ) -> tuple[FileData, int | None] | None:
        hops = 0
        current: Node = node
        current_prop = prop
        while isinstance(current, BNode) and hops < 50:
            parent = self.parent_of(current)
            if parent is None:
                return None
            current, current_prop = parent
            hops += 1
        if not isinstance(current, URIRef):
            return None
        iri = str(current)
        graphs = [g for g in self.graphs_describing(iri) if self.ref(g) is not None]
        pools = [[g for g in graphs if self._by_graph[g].target]]
        if not targets_only:
            pools.append(graphs)
        for pool in pools:
            for graph in pool:
                item = self.placed_file(graph)
                if item is None:
                    continue
                index = item.parsed.index
                if index.describes(iri):
                    line = None
                    if isinstance(current_prop, URIRef):
                        line = index.property_line(iri, str(current_prop))
                    return item, line or index.subject_line(iri)
        return None


__all__ = ["Workspace"]
