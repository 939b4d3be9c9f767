"""What a vocabulary rule is, and what its pre-filter may look at.

A rule is one unit: its **check** (which reports issues about a file, on a
:class:`~collabkg.validate.workspace.Workspace`) and, beside it, its **pre-filter**: a cheap
test that is True whenever the check could report something about a file. There are two
kinds of pre-filter, and a rule has either or both:

- ``local(scan, ctx)``: about the file alone (with the ontology). It runs in the worker that
  parsed the file, on a :class:`FileScan` of it; what it says is cached with the file.
- ``graph(scope)``: about the whole graph. It runs once per validation on the store
  (:class:`GraphScope`) and returns the named graphs (files) it selects.

A file that no pre-filter selects cannot have a vocabulary issue, so the checker never
reads it (this is what makes a million triples fast); a file that some pre-filter selects
goes through the rules whose own pre-filter selected it, in order (and through the rules
with no pre-filter at all). A rule that relies on an earlier one relies on what that rule
found, which is nothing where its pre-filter did not select the file (the terms rule on
the prefixes rule: no prefix bound to another namespace). With ``prefilter=False`` every
file goes through every rule: the exact reference. ``tests/validate/test_engines.py``
proves the pre-filters right: the reports with and without them are compared on the
bad-input corpus and on generated data with faults injected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox
from rdflib import URIRef

from collabkg.terms import CK, CKC, CKD
from collabkg.validate.model import Ontology
from collabkg.validate.syntax import ParsedFile

if TYPE_CHECKING:
    from rdflib.term import Node

    from collabkg.validate.model import FileData

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CASE = str(CK.Case)
ORG_MEMBERSHIP = "http://www.w3.org/ns/org#Membership"
OUR_TERMS = (str(CK), str(CKC))
CKD_NS = str(CKD)
REDUCED_GRAPH = "urn:collabkg:validation:ontology"
"""As :data:`collabkg.validate.store.REDUCED_GRAPH` (the ontology's part of the store)."""
PREFIX_DECLARATION = re.compile(
    r"(?i:prefix)\s+([A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*|)\s*:\s*<([^>]*)>"
)


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] if iri.rsplit(sep, 1)[1] else iri
    return iri


def is_case_file(display: str, path: Path) -> bool:
    """Is this file (named as the report names it) a case file? Sources and the ontology
    are not."""
    if display.startswith(("ontology/", "shapes/")):
        return False
    if display.startswith("data/"):
        return display.startswith("data/cases/")
    return path.name != "sources.ttl"


@dataclass
class Context:
    """What the pre-filters know about the ontology (inherited by the workers when they
    fork)."""

    defined: frozenset[str]
    classes: frozenset[str]
    properties: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    concepts: frozenset[str]
    case_rules: bool
    domains: dict[str, tuple[str, ...]]
    """Our properties that have an rdfs:domain, and their domains."""
    supers: dict[str, frozenset[str]]
    """Each class of the ontology and its superclasses."""

    @classmethod
    def of(cls, ontology: Ontology, case_rules: bool) -> Context:
        return cls(
            frozenset(ontology.defined),
            frozenset(ontology.classes),
            frozenset(ontology.properties),
            frozenset(p for p in ontology.properties if ontology.is_object_property(p)),
            frozenset(p for p in ontology.properties if ontology.is_datatype_property(p)),
            frozenset(ontology.concepts),
            case_rules and CASE in ontology.classes,
            {
                p: tuple(ontology.domain(p))
                for p in ontology.properties
                if ontology.is_ours(p) and ontology.domain(p)
            },
            {c: frozenset(ontology.superclasses(c)) for c in ontology.classes},
        )

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        """As :meth:`Ontology.is_a` (a class not in the ontology is only itself)."""
        return any(cls in self.supers.get(t, (t,)) for t in types)


@dataclass
class FileScan:
    """One pass over a parsed file: what the local pre-filters look at."""

    parsed: ParsedFile
    lowered: str
    iris: set[str] = field(default_factory=set)
    """Every IRI written as subject, property or object."""
    own_types: set[str] = field(default_factory=set)
    """The classes the file gives items ('a ...')."""
    cases: set[str] = field(default_factory=set)
    """Items typed ck:Case here."""
    kinds: set[tuple[str, bool]] = field(default_factory=set)
    """(property, its value is a literal) for every statement."""
    type_values: set[str] = field(default_factory=set)
    """What follows 'a' (IRIs)."""
    text_after_a: bool = False
    types: dict[str, set[str]] = field(default_factory=dict)
    """Item (IRI, or ``_:name``) -> its classes given here."""
    subjects: set[str] = field(default_factory=set)
    """IRIs described here."""
    links: set[str] = field(default_factory=set)
    """ckd: IDs used as values here."""
    uses: set[tuple[str, str]] = field(default_factory=set)
    """(property with a domain, item) pairs."""

    @classmethod
    def of(cls, parsed: ParsedFile, ctx: Context) -> FileScan:
        scan = cls(parsed, parsed.text.lower())
        for t in parsed.triples:
            s, p, o = t.subject, t.predicate.value, t.object
            key = s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"  # type: ignore[union-attr]
            if isinstance(s, ox.NamedNode):
                scan.iris.add(key)
                scan.subjects.add(key)
            scan.iris.add(p)
            literal = isinstance(o, ox.Literal)
            if isinstance(o, ox.NamedNode):
                scan.iris.add(o.value)
                if p != TYPE and o.value.startswith(CKD_NS):
                    scan.links.add(o.value)
            if p == TYPE:
                if literal:
                    scan.text_after_a = True
                elif isinstance(o, ox.NamedNode):
                    scan.own_types.add(o.value)
                    scan.type_values.add(o.value)
                    scan.types.setdefault(key, set()).add(o.value)
                    if o.value == CASE:
                        scan.cases.add(key)
            scan.kinds.add((p, literal))
            if p in ctx.domains:
                scan.uses.add((p, key))
        return scan


@dataclass
class Facts:
    """What one file says that the graph-wide pre-filters need, worked out (and cached)
    with its local pre-filters."""

    links: frozenset[str] = frozenset()
    """IDs (ckd:) the file links to without describing them: described elsewhere or nowhere."""
    untyped: frozenset[str] = frozenset()
    """Items described here with no type here (not ours, not ontology terms)."""
    domain_elsewhere: frozenset[tuple[str, str]] = frozenset()
    """(property, item) with a domain, on an item that has no kind in this file."""

    @classmethod
    def of(cls, scan: FileScan, ctx: Context) -> Facts:
        elsewhere = {
            (p, key) for p, key in scan.uses if key not in scan.types and not key.startswith("_:")
        }
        untyped = {
            s
            for s in scan.subjects
            if s not in scan.types and not s.startswith(OUR_TERMS) and s not in ctx.defined
        }
        return cls(frozenset(scan.links - scan.subjects), frozenset(untyped), frozenset(elsewhere))


class GraphScope:
    """What the graph-wide pre-filters look at: the store, the ontology, and the
    :class:`Facts` of each file asked about (by named graph; None when unknown)."""

    def __init__(
        self,
        store: ox.Store,
        ontology: Ontology,
        ctx: Context,
        facts: list[tuple[str, Facts | None]],
        texts: Path | None = None,
        order: Iterable[str] | None = None,
    ) -> None:
        self.texts = texts
        """The folder of source texts (None: the project's default)."""
        self.rank = {graph: i for i, graph in enumerate(order or (g for g, _f in facts))}
        """The files asked about, in the order the rules see them."""
        self.store = store
        self.ontology = ontology
        self.ctx = ctx
        self.facts = facts
        self._subjects = {str(s) for s in ontology.graph.subjects() if isinstance(s, URIRef)}
        self._described: dict[str, bool] = {}
        self._kinds: dict[str, set[str]] = {}

    def is_described(self, iri: str) -> bool:
        if iri not in self._described:
            self._described[iri] = iri in self._subjects or (
                next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None)
                is not None
            )
        return self._described[iri]

    def kinds_of(self, iri: str) -> set[str]:
        """The classes any file gives ``iri``."""
        if iri not in self._kinds:
            self._kinds[iri] = {
                q.object.value
                for q in self.store.quads_for_pattern(
                    ox.NamedNode(iri), ox.NamedNode(TYPE), None, None
                )
                if q.graph_name != ox.NamedNode(REDUCED_GRAPH)
                and isinstance(q.object, ox.NamedNode)
            }
        return self._kinds[iri]

    def files_where(self, test: Callable[[Facts], bool]) -> set[str]:
        """The graphs whose facts pass ``test`` (and those with no facts: unknown)."""
        return {graph for graph, fact in self.facts if fact is None or test(fact)}


class WorkspaceView(Protocol):
    """What the rules ask of the workspace (:class:`collabkg.validate.workspace.Workspace`
    answers it; named here so that the rules do not import the workspace)."""

    ontology: Ontology
    files: list[FileData]
    store: ox.Store
    texts: Path | None
    """The folder of source texts the quotations are checked against (None: the default)."""
    selection: dict[str, frozenset[str]] | None
    """The rules each file asked about goes through (by the name the report gives the
    file); None, or a file not in it: every rule."""

    @property
    def targets(self) -> list[FileData]: ...

    @property
    def types(self) -> Any: ...

    @property
    def subjects(self) -> Any: ...

    def label_of(self, node: Node) -> str | None: ...

    def kind_of(self, node: Node) -> str | None: ...

    def described_as(self, kind: str) -> set[str]: ...

    def locate(
        self, node: Node, prop: Node | None = None, *, targets_only: bool = True
    ) -> tuple[FileData, int | None] | None: ...


LocalFilter = Callable[[FileScan, Context], bool]
GraphFilter = Callable[[GraphScope], set[str]]


__all__ = [
    "Context",
    "Facts",
    "FileScan",
    "GraphFilter",
    "GraphScope",
    "LocalFilter",
    "WorkspaceView",
    "is_case_file",
    "local_name",
]
