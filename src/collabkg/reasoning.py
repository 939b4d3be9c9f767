"""OWL reasoning over the knowledge graph: HermiT (run by owlready2), explained in words.

The one entry point is :func:`check_consistency`::

    from collabkg.reasoning import check_consistency
    report = check_consistency(graph)        # an rdflib Graph: data, with or without ontology
    report.consistent                        # False when the graph is contradictory
    report.explanations                      # why, in words: which individuals, which axioms
    report.unsatisfiable                     # classes that can have no members
    report.inferred                          # "Wigan collaborative council → cross-sector ..."
    print(report.to_text())

By default the real W3C ORG and PROV-O files are loaded too (:mod:`collabkg.vocabularies`:
``../shared/vocabularies`` beside the project, or ``COLLABKG_VOCABULARIES``), so their
domains, ranges, inverses and disjointness are checked; ``vocabularies=False`` uses only the
bare declarations of their terms. ``report.unexpected`` lists items inferred to be of a
kind the data did not give them (other than the defined classes): it should be empty.
Given ``origins`` (IRI → files), each explanation names the files describing its items,
and each axiom the file that states it.

HermiT only says *that* a graph is inconsistent (owlready2 raises an exception with an
empty message). The explanation is ours, in two steps:

1. **Clash patterns.** The asserted graph is closed under the RDFS-level rules (types
   from rdfs:domain and rdfs:range, rdfs:subClassOf chains, inverse properties, property
   chains), remembering *why* each type holds; SPARQL then finds individuals that are
   members of two disjoint classes, functional properties with two values, values
   outside a data property's range, and owl:sameAs between individuals declared
   different. The first few clashes are confirmed by running HermiT on just the
   individuals they name (the pattern is a proof by itself; this is a cross-check).
2. **Bisection.** Whatever the patterns do not explain is found by QuickXplain (or by
   deleting one candidate at a time on small sets): the data individuals are narrowed to
   a minimal set that is still inconsistent with the ontology, then the ontology's axioms
   to a minimal set that is still inconsistent with those individuals. Each step is one
   HermiT run (a second or two), within a budget.

Cross-sector and co-creating collaborations are OWL defined classes that HermiT infers
(see docs/ontology.md); an "accountability gap" is not: it is the absence of a line,
which an open-world reasoner cannot conclude, so SHACL and SPARQL look for it instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from collabkg.errors import ReasonerError
from collabkg.labels import LABEL_PROPERTIES, LabelIndex, readable_local_name
from collabkg.terms import CK, CKC, CKD, ONTOLOGY_IRI, OWL, RDF, RDFS, XSD, compact

Triple = tuple[Node, Node, Node]

DEFAULT_BUDGET = 40
"""HermiT runs allowed for explaining one inconsistency (about a second each)."""

SMALL_SET = 8
"""Up to this many candidates, minimise by deleting one at a time (n HermiT runs)."""

MAX_CONFIRMED = 3
"""Clashes confirmed one by one with HermiT; the others are reported unconfirmed."""

_LOCK = threading.Lock()

WELL_KNOWN_LABELS: dict[str, str] = {
    "http://www.w3.org/ns/org#Organization": "organization",
    "http://www.w3.org/ns/org#OrganizationalUnit": "organizational unit",
    "http://www.w3.org/ns/org#OrganizationalCollaboration": "organizational collaboration",
    "http://www.w3.org/ns/org#Role": "role",
    "http://www.w3.org/ns/org#ChangeEvent": "change event",
    "http://www.w3.org/ns/org#Membership": "membership",
    "http://www.w3.org/ns/org#member": "member",
    "http://www.w3.org/ns/org#organization": "organization",
    "http://www.w3.org/ns/org#role": "role",
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#hasUnit": "has unit",
    "http://www.w3.org/ns/org#memberDuring": "member during",
    "http://www.w3.org/ns/prov#Entity": "entity",
    "http://www.w3.org/ns/prov#Activity": "activity",
    "http://www.w3.org/ns/prov#Agent": "agent",
    "http://www.w3.org/ns/prov#Plan": "plan",
    "http://www.w3.org/ns/prov#Location": "location",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "was derived from",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "was quoted from",
    "http://www.w3.org/ns/prov#wasAssociatedWith": "was associated with",
    "http://www.w3.org/2006/time#Interval": "interval",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "concept scheme",
    "http://www.w3.org/2002/07/owl#Thing": "thing",
    "http://www.w3.org/2002/07/owl#Nothing": "nothing",
}
"""Labels for the reused W3C terms, for when their vocabularies are not loaded."""

# The OWL 2 datatype map: HermiT refuses any other datatype in a data property value.
OWL2_DATATYPES: frozenset[str] = frozenset(
    [str(RDF.PlainLiteral), str(RDF.XMLLiteral), str(RDF.langString), str(RDFS.Literal)]
    + [str(OWL.real), str(OWL.rational)]
    + [
        str(XSD[name])
        for name in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    ]
)

_INTEGER_TYPES = frozenset(
    str(XSD[n])
    for n in (
        "integer",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
_STRING_TYPES = frozenset(
    str(XSD[n])
    for n in ("string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN")
)

_BUILTIN_ANNOTATIONS = frozenset(
    str(p)
    for p in (
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.versionInfo,
        OWL.deprecated,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    )
)
_META_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_VOCABULARY_NAMESPACES = (
    *_META_NAMESPACES,
    str(CK),
    str(CKC),
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "http://www.w3.org/2006/time#",
    "http://purl.org/vocab/vann/",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/shacl#",
)
_CHARACTERISTICS = frozenset(
    str(t)
    for t in (
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
    )
)
_DECLARATION_TYPES = (
    frozenset(
        str(t)
        for t in (
            OWL.Class,
            RDFS.Class,
            OWL.ObjectProperty,
            OWL.DatatypeProperty,
            OWL.AnnotationProperty,
            RDF.Property,
            OWL.Ontology,
            RDFS.Datatype,
            OWL.Restriction,
        )
    )
    | _CHARACTERISTICS
)
_LOGICAL_PREDICATES = frozenset(
    str(p)
    for p in (
        RDFS.subClassOf,
        OWL.equivalentClass,
        OWL.disjointWith,
        OWL.complementOf,
        RDFS.domain,
        RDFS.range,
        RDFS.subPropertyOf,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.propertyDisjointWith,
        OWL.hasKey,
        OWL.disjointUnionOf,
        OWL.sameAs,
        OWL.differentFrom,
    )
)
_AXIOM_NODES = frozenset(
    str(t)
    for t in (
        OWL.AllDisjointClasses,
        OWL.AllDifferent,
        OWL.AllDisjointProperties,
        OWL.NegativePropertyAssertion,
        OWL.Axiom,
    )
)


# =========================================================================== report


@dataclass(frozen=True)
class Explanation:
    """One reason the graph is inconsistent, in words.

    ``kind`` is one of ``disjoint-classes``, ``datatype-range``, ``ill-typed-value``,
    ``functional-property``, ``different-individuals``, ``minimal-set`` (found by
    bisection) or ``ontology`` (the ontology alone is inconsistent).
    """

    kind: str
    message: str
    individuals: tuple[str, ...] = ()
    """IRIs of the individuals involved (to find them in files)."""
    individual_labels: tuple[str, ...] = ()
    axioms: tuple[str, ...] = ()
    """The ontology axioms involved, in words with their Turtle form."""
    confirmed: bool | None = True
    """HermiT found just these individuals (with the ontology) inconsistent; None when
    that was not checked (beyond the first few clashes, to save time: the clash pattern is
    a proof by itself)."""
    minimal: bool = True
    """No individual could be left out (bisection ran to the end within the budget)."""
    files: tuple[str, ...] = ()
    """The files that describe the individuals involved."""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "message": self.message,
            "files": list(self.files),
            "individuals": [
                {"iri": iri, "label": label}
                for iri, label in zip(self.individuals, self.individual_labels, strict=False)
            ],
            "axioms": list(self.axioms),
            "confirmed": self.confirmed,
            "minimal": self.minimal,
        }


@dataclass(frozen=True)
class Classification:
    """Classes HermiT infers for an individual that its asserted types do not give."""

    individual: str
    label: str
    classes: tuple[str, ...]
    class_labels: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.label} → {', '.join(self.class_labels)}"

    def to_dict(self) -> dict[str, object]:
        return {
            "individual": self.individual,
            "label": self.label,
            "classes": [
                {"iri": iri, "label": label}
                for iri, label in zip(self.classes, self.class_labels, strict=True)
            ],
        }


@dataclass(frozen=True)
class UnsatisfiableClass:
    """A class that can have no members."""

    iri: str
    label: str
    reason: str = ""

    def __str__(self) -> str:
        text = f"{self.label} ({compact(self.iri)})"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass
class ReasoningReport:
    """What HermiT says about a graph, explained."""

    consistent: bool
    explanations: list[Explanation] = field(default_factory=list)
    unsatisfiable: list[UnsatisfiableClass] = field(default_factory=list)
    inferred: list[Classification] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What was left out of reasoning and why (unsupported datatypes, non-DL usage)."""
    triples: int = 0
    individuals: int = 0
    seconds: float = 0.0
    """Wall time of the main HermiT run (consistency, classification, realisation)."""
    explain_seconds: float = 0.0
    reasoner_calls: int = 0
    vocabularies: list[str] = field(default_factory=list)
    """The W3C vocabulary files reasoned with (their real axioms), as file names."""
    unexpected: list[Classification] = field(default_factory=list)
    """Inferred kinds that neither the data's asserted types (up the class hierarchy) nor
    one of the ontology's defined classes (cross-sector, co-creating) account for: an item
    inferred to be of a kind the data did not give it. Should be empty."""

    @property
    def ok(self) -> bool:
        """Consistent and no unsatisfiable class."""
        return self.consistent and not self.unsatisfiable

    def to_dict(self) -> dict[str, object]:
        return {
            "consistent": self.consistent,
            "explanations": [e.to_dict() for e in self.explanations],
            "unsatisfiable_classes": [
                {"iri": u.iri, "label": u.label, "reason": u.reason} for u in self.unsatisfiable
            ],
            "inferred_classifications": [c.to_dict() for c in self.inferred],
            "unexpected_kinds": [c.to_dict() for c in self.unexpected],
            "vocabularies": list(self.vocabularies),
            "notes": list(self.notes),
            "triples": self.triples,
            "individuals": self.individuals,
            "seconds": round(self.seconds, 3),
            "explain_seconds": round(self.explain_seconds, 3),
            "reasoner_calls": self.reasoner_calls,
        }

    def to_text(self) -> str:
        """The report as plain text, for the command line."""
        lines = [
            f"HermiT reasoned over {self.triples} triples ({self.individuals} data "
            f"individuals) in {self.seconds:.1f} s."
        ]
        if self.vocabularies:
            lines.append(f"With the W3C axioms of: {', '.join(self.vocabularies)}.")
        else:
            lines.append(
                "Without the W3C vocabularies: only the bare declarations of ORG and PROV-O "
                "terms were used, so their domains, ranges and disjointness were not checked."
            )
        if self.consistent:
            lines.append("Consistent: yes.")
        else:
            lines.append("Consistent: NO — the graph contradicts itself. Why:")
            for number, item in enumerate(self.explanations, 1):
                lines.append(f"  {number}. {item.message}")
                if item.files:
                    lines.append(f"     described in: {', '.join(item.files)}")
                if item.individuals:
                    names = ", ".join(
                        f"{label} ({compact(iri)})"
                        for iri, label in zip(
                            item.individuals, item.individual_labels, strict=False
                        )
                    )
                    lines.append(f"     individuals: {names}")
                for axiom in item.axioms:
                    lines.append(f"     axiom: {axiom}")
                if item.confirmed is False:
                    lines.append("     (HermiT did not confirm this on its own; see the others)")
                if not item.minimal:
                    lines.append("     (not minimal: the explanation budget ran out)")
            if not self.explanations:
                lines.append("  (no explanation found)")
            if self.explain_seconds:
                lines.append(
                    f"  Explaining took {self.explain_seconds:.1f} s and "
                    f"{self.reasoner_calls - 1} more HermiT run(s)."
                )
        if self.unsatisfiable:
            lines.append(f"Unsatisfiable classes ({len(self.unsatisfiable)}):")
            lines.extend(f"  {u}" for u in self.unsatisfiable)
        elif self.consistent:
            lines.append("Unsatisfiable classes: none.")
        if self.consistent:
            if self.inferred:
                lines.append(f"Inferred classifications ({len(self.inferred)}):")
                lines.extend(f"  {c}" for c in self.inferred)
            else:
                lines.append("Inferred classifications: none.")
            if self.unexpected:
                lines.append(
                    f"Kinds the data did not give ({len(self.unexpected)}) — an axiom gives "
                    "these items a kind nobody asserted; check the data or the ontology:"
                )
                lines.extend(f"  {c}" for c in self.unexpected)
            else:
                lines.append("Kinds the data did not give: none.")
        if self.notes:
            lines.append("Notes:")
            lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


# =========================================================================== HermiT


@dataclass
class _Outcome:
    consistent: bool
    seconds: float
    unsatisfiable: list[str] = field(default_factory=list)
    types: dict[str, list[str]] = field(default_factory=dict)


def _ntriples(triples: Iterable[Triple]) -> bytes:
    graph = rdflib.Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="nt", encoding="utf-8")


def _java_message(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "Java error message is")):
            return line[:300]
    return "no message"


def _run_hermit(
    triples: Sequence[Triple], *, classify_iris: Iterable[str] = (), classify: bool = False
) -> _Outcome:
    """One HermiT run through owlready2 on a fresh World.

    With ``classify`` also returns unsatisfiable classes and, for ``classify_iris``, the
    most specific classes HermiT infers.
    """
    import owlready2

    data = _ntriples(triples)
    world = owlready2.World()
    started = time.perf_counter()
    sink = io.StringIO()
    try:
        with _LOCK, contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
            try:
                world.get_ontology(str(ONTOLOGY_IRI)).load(
                    fileobj=io.BytesIO(data), format="ntriples"
                )
            except owlready2.OwlReadyOntologyParsingError as exc:
                raise ReasonerError(f"owlready2 could not read the graph: {exc}") from None
            try:
                owlready2.sync_reasoner_hermit(
                    world,
                    infer_property_values=False,
                    debug=0,
                    ignore_unsupported_datatypes=True,
                )
            except owlready2.OwlReadyInconsistentOntologyError:
                return _Outcome(False, time.perf_counter() - started)
            except owlready2.OwlReadyJavaError as exc:
                raise ReasonerError(
                    f"HermiT failed: {_java_message(str(exc))}",
                    hint="run 'collabkg validate' first; HermiT needs OWL 2 DL input",
                ) from None
            except OSError as exc:
                raise ReasonerError(
                    f"could not start Java for HermiT: {exc}",
                    hint="install a Java runtime (apt-get install -y default-jre-headless)",
                ) from None
            outcome = _Outcome(True, time.perf_counter() - started)
            if classify:
                outcome.unsatisfiable = sorted(
                    str(c.iri)
                    for c in world.inconsistent_classes()
                    if getattr(c, "iri", None) and c.iri != str(OWL.Nothing)
                )
                for iri in classify_iris:
                    entity = world[iri]
                    if entity is None:
                        continue
                    outcome.types[iri] = sorted(
                        str(c.iri)
                        for c in entity.is_a
                        if isinstance(c, owlready2.ThingClass) and getattr(c, "iri", None)
                    )
            return outcome
    finally:
        with contextlib.suppress(Exception):
            world.close()


# =========================================================================== the graph


def _flatten(graph: rdflib.Graph) -> list[Triple]:
    if isinstance(graph, rdflib.ConjunctiveGraph):  # Dataset too: every named graph
        return list({(s, p, o) for s, p, o, _g in graph.quads((None, None, None, None))})
    return list(graph.triples((None, None, None)))


def _is_vocabulary(node: Node) -> bool:
    return isinstance(node, URIRef) and (
        str(node).startswith(_VOCABULARY_NAMESPACES) or node == ONTOLOGY_IRI
    )


class _Graph:
    """The triples with indexes, labels and the ontology's axioms, for explaining."""

    def __init__(self, triples: Sequence[Triple], origin: dict[Triple, str] | None = None) -> None:
        self.triples = list(triples)
        self.origin: dict[Triple, str] = origin or {}
        """Where a statement was made (file name), for the ontology and vocabulary files."""
        self.spo: dict[Node, dict[Node, list[Node]]] = defaultdict(lambda: defaultdict(list))
        self.refs: dict[Node, list[Triple]] = defaultdict(list)
        self.labels = LabelIndex()
        label_props = set(LABEL_PROPERTIES)
        for s, p, o in self.triples:
            self.spo[s][p].append(o)
            if isinstance(o, BNode):
                self.refs[o].append((s, p, o))
            if p in label_props:
                self.labels.add(s, p, o)
        declared: dict[str, set[Node]] = defaultdict(set)
        for s, o in self._pairs(RDF.type):
            declared[str(o)].add(s)
        self.classes = declared[str(OWL.Class)] | declared[str(RDFS.Class)]
        self.object_props = declared[str(OWL.ObjectProperty)]
        self.data_props = declared[str(OWL.DatatypeProperty)]
        self.annotation_props = declared[str(OWL.AnnotationProperty)] | {
            URIRef(p) for p in _BUILTIN_ANNOTATIONS
        }
        self.declared: set[Node] = set()
        for kind in _DECLARATION_TYPES:
            self.declared |= declared[kind]
        self._build_axioms()

    # ------------------------------------------------------------------ basics

    def _pairs(self, predicate: Node) -> Iterable[tuple[Node, Node]]:
        for s, props in self.spo.items():
            for o in props.get(predicate, ()):
                yield s, o

    def values(self, subject: Node, predicate: Node) -> list[Node]:
        return list(self.spo.get(subject, {}).get(predicate, ()))

    def rdf_list(self, head: Node) -> list[Node]:
        items: list[Node] = []
        seen: set[Node] = set()
        while head != RDF.nil and head not in seen:
            seen.add(head)
            first = self.values(head, RDF.first)
            rest = self.values(head, RDF.rest)
            if not first or not rest:
                break
            items.append(first[0])
            head = rest[0]
        return items

    def closure(self, node: Node) -> list[Triple]:
        """Triples of the blank-node structure below ``node`` (lists, restrictions)."""
        out: list[Triple] = []
        todo = [node]
        seen: set[Node] = set()
        while todo:
            current = todo.pop()
            if not isinstance(current, BNode) or current in seen:
                continue
            seen.add(current)
            for p, objects in self.spo.get(current, {}).items():
                for o in objects:
                    out.append((current, p, o))
                    todo.append(o)
        return out

    def name(self, node: Node) -> str:
        """A label for people: the node's label, or its local name made readable."""
        if isinstance(node, Literal):
            return f'"{node}"'
        if isinstance(node, BNode):
            return self.labels.get(str(node)) or "an unnamed node"
        known = self.labels.get(str(node)) or WELL_KNOWN_LABELS.get(str(node))
        if known:
            return known
        text = readable_local_name(str(node))
        return text.lower() if _is_vocabulary(node) and text[1:2].islower() else text

    def named(self, node: Node) -> str:
        """``‘Wigan Council’ (ckd:wigan-council)`` for an individual."""
        if isinstance(node, URIRef):
            return f"‘{self.name(node)}’ ({compact(str(node))})"
        return self.name(node)

    def a(self, cls: Node) -> str:
        return _article(self.name(cls))

    # ------------------------------------------------------------------ axioms

    def _build_axioms(self) -> None:
        self.supers: dict[Node, list[tuple[Node, Triple]]] = defaultdict(list)
        self.prop_supers: dict[Node, list[tuple[Node, Triple]]] = defaultdict(list)
        self.inverses: dict[Node, list[tuple[Node, Triple]]] = defaultdict(list)
        self.domains: dict[Node, list[tuple[Node, Triple]]] = defaultdict(list)
        self.ranges: dict[Node, list[tuple[Node, Triple]]] = defaultdict(list)
        self.chains: list[tuple[Node, list[Node], Triple]] = []
        self.disjoint: dict[frozenset[Node], Triple] = {}
        self.functional: dict[Node, Triple] = {}
        self.different: dict[frozenset[Node], Triple] = {}
        for s, p, o in self.triples:
            if p == RDFS.subClassOf:
                for parent in self._named_parts(o):
                    self.supers[s].append((parent, (s, p, o)))
            elif p == OWL.equivalentClass:
                if isinstance(o, URIRef) and isinstance(s, URIRef):
                    self.supers[s].append((o, (s, p, o)))
                    self.supers[o].append((s, (s, p, o)))
                else:
                    for parent in self._named_parts(o):
                        self.supers[s].append((parent, (s, p, o)))
            elif p in (RDFS.subPropertyOf,):
                self.prop_supers[s].append((o, (s, p, o)))
            elif p == OWL.equivalentProperty:
                self.prop_supers[s].append((o, (s, p, o)))
                self.prop_supers[o].append((s, (s, p, o)))
            elif p == OWL.inverseOf:
                self.inverses[s].append((o, (s, p, o)))
                self.inverses[o].append((s, (s, p, o)))
            elif p == RDFS.domain and isinstance(o, URIRef):
                self.domains[s].append((o, (s, p, o)))
            elif p == RDFS.range and isinstance(o, URIRef):
                self.ranges[s].append((o, (s, p, o)))
            elif p == OWL.propertyChainAxiom:
                self.chains.append((s, self.rdf_list(o), (s, p, o)))
            elif p == OWL.disjointWith:
                self.disjoint[frozenset((s, o))] = (s, p, o)
            elif p == OWL.differentFrom:
                self.different[frozenset((s, o))] = (s, p, o)
            elif p == RDF.type and o == OWL.FunctionalProperty:
                self.functional[s] = (s, p, o)
            elif p == RDF.type and o in (OWL.AllDisjointClasses, OWL.AllDifferent):
                key = OWL.members if o == OWL.AllDisjointClasses else OWL.distinctMembers
                members = [m for head in self.values(s, key) for m in self.rdf_list(head)]
                if o == OWL.AllDifferent and not members:
                    members = [
                        m for head in self.values(s, OWL.members) for m in self.rdf_list(head)
                    ]
                target = self.disjoint if o == OWL.AllDisjointClasses else self.different
                for i, first in enumerate(members):
                    for second in members[i + 1 :]:
                        target.setdefault(frozenset((first, second)), (s, p, o))

    def _named_parts(self, expression: Node) -> list[Node]:
        """Named classes an expression implies: itself, or the named parts of an intersection."""
        if isinstance(expression, URIRef):
            return [expression]
        out: list[Node] = []
        for head in self.values(expression, OWL.intersectionOf):
            for member in self.rdf_list(head):
                out.extend(self._named_parts(member))
        return out

    def super_paths(self, cls: Node) -> dict[Node, list[tuple[Node, Triple]]]:
        """Every named superclass of ``cls`` with the shortest path of axioms to it."""
        paths: dict[Node, list[tuple[Node, Triple]]] = {cls: []}
        queue = deque([cls])
        while queue:
            current = queue.popleft()
            for parent, axiom in self.supers.get(current, ()):
                if parent not in paths:
                    paths[parent] = [*paths[current], (parent, axiom)]
                    queue.append(parent)
        return paths

    def prop_paths(self, prop: Node) -> dict[Node, list[Triple]]:
        paths: dict[Node, list[Triple]] = {prop: []}
        queue = deque([prop])
        while queue:
            current = queue.popleft()
            for parent, axiom in self.prop_supers.get(current, ()):
                if parent not in paths:
                    paths[parent] = [*paths[current], axiom]
                    queue.append(parent)
        return paths

    # ------------------------------------------------------------------ words

    def expression(self, node: Node, depth: int = 0) -> str:
        """A class expression in words."""
        if isinstance(node, URIRef):
            return self.name(node)
        if depth > 6:
            return "…"
        for head in self.values(node, OWL.intersectionOf):
            return " and ".join(self.expression(m, depth + 1) for m in self.rdf_list(head))
        for head in self.values(node, OWL.unionOf):
            parts = [self.expression(m, depth + 1) for m in self.rdf_list(head)]
            return "(" + " or ".join(parts) + ")"
        for head in self.values(node, OWL.oneOf):
            return "one of {" + ", ".join(self.name(m) for m in self.rdf_list(head)) + "}"
        for other in self.values(node, OWL.complementOf):
            return f"not {self.expression(other, depth + 1)}"
        props = self.values(node, OWL.onProperty)
        if props:
            prop = self.name(props[0])
            for filler in self.values(node, OWL.someValuesFrom):
                if filler == OWL.Thing:
                    return f"something with a ‘{prop}’"
                return f"something whose ‘{prop}’ includes {self.expression(filler, depth + 1)}"
            for filler in self.values(node, OWL.allValuesFrom):
                return f"something whose every ‘{prop}’ is {self.expression(filler, depth + 1)}"
            for value in self.values(node, OWL.hasValue):
                return f"something whose ‘{prop}’ includes {self.name(value)}"
            for key, word in (
                (OWL.minCardinality, "at least"),
                (OWL.maxCardinality, "at most"),
                (OWL.cardinality, "exactly"),
                (OWL.minQualifiedCardinality, "at least"),
                (OWL.maxQualifiedCardinality, "at most"),
                (OWL.qualifiedCardinality, "exactly"),
            ):
                for number in self.values(node, key):
                    return f"something with {word} {number} ‘{prop}’"
        return "a class expression"

    def axiom(self, triple: Triple) -> str:
        """An ontology axiom in words, followed by its Turtle form."""
        s, p, o = triple
        turtle = self.turtle(triple)
        if p == RDFS.subClassOf:
            words = f"every {self.expression(s)} is {_article(self.expression(o))}"
        elif p == OWL.equivalentClass:
            words = f"{_article(self.expression(s))} is exactly {self.expression(o)}"
        elif p == OWL.disjointWith:
            words = f"nothing is both {self.a(s)} and {self.a(o)}"
        elif p == RDFS.domain:
            words = f"whatever has a value for ‘{self.name(s)}’ is {self.a(o)}"
        elif p == RDFS.range:
            if str(o).startswith(str(XSD)) or o == RDFS.Literal:
                words = f"every value of ‘{self.name(s)}’ is {_datatype_words(o)}"
            else:
                words = f"every value of ‘{self.name(s)}’ is {self.a(o)}"
        elif p == OWL.inverseOf:
            words = f"‘{self.name(s)}’ is the inverse of ‘{self.name(o)}’"
        elif p == RDFS.subPropertyOf:
            words = f"‘{self.name(s)}’ implies ‘{self.name(o)}’"
        elif p == OWL.propertyChainAxiom:
            chain = " then ".join(f"‘{self.name(x)}’" for x in self.rdf_list(o))
            words = f"{chain} implies ‘{self.name(s)}’"
        elif p == RDF.type and o == OWL.FunctionalProperty:
            words = f"‘{self.name(s)}’ has at most one value"
        elif p == RDF.type and o == OWL.AllDisjointClasses:
            members = [self.name(m) for h in self.values(s, OWL.members) for m in self.rdf_list(h)]
            words = f"nothing is two of: {', '.join(members)}"
        elif p == RDF.type and o == OWL.AllDifferent:
            members = [
                self.name(m)
                for key in (OWL.distinctMembers, OWL.members)
                for h in self.values(s, key)
                for m in self.rdf_list(h)
            ]
            words = f"these are all different: {', '.join(members)}"
        elif p == OWL.differentFrom:
            words = f"{self.named(s)} and {self.named(o)} are different"
        elif p == OWL.sameAs:
            words = f"{self.named(s)} and {self.named(o)} are the same"
        elif p == RDF.type:
            words = f"{self.named(s)} is {self.a(o)}"
        else:
            words = f"{self.name(s)} {self.name(p)} {self.name(o)}"
        where = self.origin.get(triple)
        return f"{words} ({turtle}{'; in ' + where if where else ''})"

    def turtle(self, triple: Triple) -> str:
        s, p, o = triple
        if isinstance(s, BNode) and p == RDF.type:
            return f"[] a {compact(str(o))} (…)"
        predicate = "a" if p == RDF.type else compact(str(p))
        if isinstance(o, BNode):
            return f"{self._term(s)} {predicate} […]"
        return f"{self._term(s)} {predicate} {self._term(o)}"

    @staticmethod
    def _term(node: Node) -> str:
        if isinstance(node, URIRef):
            return compact(str(node))
        if isinstance(node, Literal):
            return _literal_text(node)
        return "[]"


def _fact(graph: _Graph, s: Node, p: Node, o: Node) -> str:
    value = _literal_text(o) if isinstance(o, Literal) else graph.named(o)
    return f"{graph.named(s)} ‘{graph.name(p)}’ {value}"


def _literal_text(value: Literal) -> str:
    """A literal as written in Turtle, without rdflib's warnings for ill-typed values."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    if value.language:
        return f'"{text}"@{value.language}'
    if value.datatype is None or str(value.datatype) == str(XSD.string):
        return f'"{text}"'
    return f'"{text}"^^{compact(str(value.datatype))}'


def _article(text: str) -> str:
    if not text or text.startswith(("something", "one of", "(", "an ", "a ", "the ")):
        return text
    if text.startswith("not "):
        return "not " + _article(text[4:])
    first = text.split()[0]
    if first.isupper() and len(first) > 1:
        vowel_sound = first[0] in "AEFHILMNORSX"
    else:
        vowel_sound = first[0].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {text}"


_DATATYPE_WORDS = {
    str(XSD.string): "a plain string (no language tag)",
    str(XSD.decimal): "a decimal number",
    str(XSD.integer): "a whole number",
    str(XSD.nonNegativeInteger): "a whole number of zero or more",
    str(XSD.positiveInteger): "a whole number of one or more",
    str(XSD.boolean): "true or false",
    str(XSD.date): "a date",
    str(XSD.dateTime): "a date and time",
    str(XSD.anyURI): "a URI",
    str(RDFS.Literal): "any literal",
}


def _datatype_words(datatype: Node) -> str:
    return _DATATYPE_WORDS.get(str(datatype), f"a {compact(str(datatype))} value")


def _literal_words(value: Literal) -> str:
    if value.language:
        return f'"{value}"@{value.language} (text with a language tag)'
    if value.datatype is None or str(value.datatype) == str(XSD.string):
        return f'"{value}" (a plain string)'
    return f'"{value}" ({compact(str(value.datatype))})'


def _in_value_space(value: Literal, datatype: Node) -> bool | None:
    """Whether a literal fits a datatype range; None when we cannot tell."""
    dt = str(datatype)
    own = str(value.datatype) if value.datatype is not None else None
    if dt == str(RDFS.Literal):
        return True
    if dt in (str(XSD.string), str(RDF.PlainLiteral)):
        if dt == str(RDF.PlainLiteral):
            return own is None or own in _STRING_TYPES
        return not value.language and (own is None or own in _STRING_TYPES)
    if value.language:
        return dt == str(RDF.langString)
    if dt in (str(XSD.decimal), *_INTEGER_TYPES):
        if own != dt and own not in _INTEGER_TYPES and own != str(XSD.decimal):
            return False
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return False
        if dt == str(XSD.decimal):
            return True
        if number != number.to_integral_value():
            return False
        bounds = {
            str(XSD.nonNegativeInteger): (0, None),
            str(XSD.positiveInteger): (1, None),
            str(XSD.nonPositiveInteger): (None, 0),
            str(XSD.negativeInteger): (None, -1),
        }
        low, high = bounds.get(dt, (None, None))
        return (low is None or number >= low) and (high is None or number <= high)
    if dt == str(XSD.boolean):
        return own == dt
    if own is None:
        return dt in _STRING_TYPES
    if own == dt:
        return True
    return None


# =========================================================================== preparation


@dataclass
class _Prepared:
    triples: list[Triple]
    notes: list[str]
    value_problems: list[Explanation]


def _prepare(graph: _Graph) -> _Prepared:
    """Leave out what HermiT cannot read, saying what and why."""
    keep: list[Triple] = []
    notes: list[str] = []
    problems: list[Explanation] = []
    unsupported: dict[tuple[Node, str], int] = defaultdict(int)
    literal_on_object: dict[Node, int] = defaultdict(int)
    node_on_data: dict[Node, int] = defaultdict(int)
    undeclared_props: dict[Node, int] = defaultdict(int)
    undeclared_classes: set[Node] = set()
    for triple in graph.triples:
        s, p, o = triple
        annotation = p in graph.annotation_props
        if isinstance(o, Literal):
            if p in graph.object_props:
                literal_on_object[p] += 1
                continue
            if getattr(o, "ill_typed", False):
                if annotation or p not in graph.data_props:
                    notes.append(
                        f"{graph.named(s)}: {compact(str(p))} value {_literal_text(o)} is not "
                        f"a valid {compact(str(o.datatype))}; left out of reasoning "
                        "(SHACL reports it)."
                    )
                else:
                    problems.append(
                        Explanation(
                            kind="ill-typed-value",
                            message=(
                                f"The ‘{graph.name(p)}’ of {graph.named(s)} is {_literal_text(o)}, "
                                f"which is not a valid {compact(str(o.datatype))}: a value "
                                "that cannot exist makes the graph inconsistent."
                            ),
                            individuals=(str(s),) if isinstance(s, URIRef) else (),
                            individual_labels=(graph.name(s),) if isinstance(s, URIRef) else (),
                        )
                    )
                continue
            if o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES and not annotation:
                unsupported[(p, str(o.datatype))] += 1
                continue
        elif p in graph.data_props:
            node_on_data[p] += 1
            continue
        if p not in graph.declared and not annotation and not str(p).startswith(_META_NAMESPACES):
            undeclared_props[p] += 1
        if (
            p == RDF.type
            and isinstance(o, URIRef)
            and not str(o).startswith(_META_NAMESPACES)
            and o not in graph.classes
        ):
            undeclared_classes.add(o)
        keep.append(triple)
    for (p, datatype), count in sorted(unsupported.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} typed {compact(datatype)} left out: HermiT "
            "supports only the OWL 2 datatypes (no axiom of ours constrains them)."
        )
    for p, count in sorted(literal_on_object.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} are text, but it is an object property "
            "(its values must be IRIs): left out of reasoning."
        )
    for p, count in sorted(node_on_data.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} are IRIs, but it is a datatype property "
            "(its values must be literals): left out of reasoning."
        )
    for p, count in sorted(undeclared_props.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{compact(str(p))} ({count} use(s)) is not declared in the ontology: HermiT "
            "reads it as an annotation and draws nothing from it."
        )
    for cls in sorted(undeclared_classes, key=str):
        notes.append(f"{compact(str(cls))} is used as a class but not declared in the ontology.")
    return _Prepared(keep, notes, problems)


# =========================================================================== partition


class _Partition:
    """The triples split into the ontology (schema) and one group per data individual."""

    def __init__(self, graph: _Graph, triples: Sequence[Triple]) -> None:
        self.graph = graph
        parent: dict[Node, Node] = {}
        for s, _p, o in triples:
            if isinstance(o, BNode) and o not in parent and o != s:
                parent[o] = s

        def root(node: Node) -> Node:
            seen: set[Node] = set()
            while isinstance(node, BNode) and node in parent and node not in seen:
                seen.add(node)
                node = parent[node]
            return node

        self.schema: list[Triple] = []
        self.groups: dict[Node, list[Triple]] = defaultdict(list)
        bnode_roots: dict[Node, list[Triple]] = defaultdict(list)
        for triple in triples:
            owner = root(triple[0])
            if isinstance(owner, BNode):
                bnode_roots[owner].append(triple)
            elif self.is_data(owner):
                self.groups[owner].append(triple)
            else:
                self.schema.append(triple)
        for owner, group in bnode_roots.items():
            mentions_data = any(
                isinstance(x, URIRef) and self.is_data(x) for t in group for x in (t[0], t[2])
            )
            typed_axiom = any(
                t[1] == RDF.type and str(t[2]) in _AXIOM_NODES for t in group if t[0] == owner
            )
            if mentions_data or not typed_axiom:
                self.groups[owner].extend(group)
            else:
                self.schema.extend(group)

    def is_data(self, node: Node) -> bool:
        if not isinstance(node, URIRef):
            return False
        if str(node).startswith(str(CKD)):
            return True
        return not _is_vocabulary(node) and node not in self.graph.declared

    def data_triples(self, keys: Iterable[Node]) -> list[Triple]:
        out: list[Triple] = []
        for key in keys:
            out.extend(self.groups.get(key, ()))
        return out

    def axiom_groups(self) -> tuple[list[Triple], list[list[Triple]]]:
        """The schema split into fixed triples (declarations, labels) and logical axioms."""
        fixed: list[Triple] = []
        groups: list[list[Triple]] = []
        claimed: set[Node] = set()
        for triple in self.schema:
            s, p, o = triple
            if isinstance(s, BNode):
                continue
            class_assertion = str(o) not in _DECLARATION_TYPES and not str(o).startswith(
                _META_NAMESPACES
            )
            logical = str(p) in _LOGICAL_PREDICATES or (
                p == RDF.type and (str(o) in _CHARACTERISTICS or class_assertion)
            )
            if logical:
                structure = self.graph.closure(o)
                claimed.update(t[0] for t in structure)
                groups.append([triple, *structure])
            else:
                fixed.append(triple)
        roots: dict[Node, list[Triple]] = defaultdict(list)
        for triple in self.schema:
            if isinstance(triple[0], BNode) and triple[0] not in claimed:
                roots[triple[0]].append(triple)
        for root_node, group in roots.items():
            if any(t[1] == RDF.type and str(t[2]) in _AXIOM_NODES for t in group):
                groups.append(self.graph.closure(root_node))
        return fixed, groups


# =========================================================================== clash patterns


@dataclass(frozen=True)
class _Because:
    text: str
    nodes: tuple[Node, ...] = ()
    axioms: tuple[Triple, ...] = ()


_DISJOINT_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?x ?c1 ?c2 WHERE {
  { ?c1 owl:disjointWith ?c2 } UNION { ?c2 owl:disjointWith ?c1 }
  UNION {
    ?axiom a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?c1 .
    ?list rdf:rest*/rdf:first ?c2 .
  }
  FILTER(isIRI(?c1) && isIRI(?c2) && STR(?c1) < STR(?c2))
  ?x a ?c1, ?c2 .
}
"""

_SAME_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?a ?b WHERE { ?a owl:sameAs ?b . FILTER(?a != ?b) }
"""

_FUNCTIONAL_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?x ?p ?v1 ?v2 WHERE {
  ?p a owl:FunctionalProperty .
  ?x ?p ?v1, ?v2 .
  FILTER(STR(?v1) < STR(?v2) || (STR(?v1) = STR(?v2) && DATATYPE(?v1) != DATATYPE(?v2)))
}
"""


class _Clashes:
    """RDFS-level closure with reasons, then SPARQL for clash patterns."""

    def __init__(self, graph: _Graph, triples: Sequence[Triple], individuals: set[Node]):
        self.graph = graph
        self.individuals = individuals
        self.triples = triples
        self.types: dict[Node, dict[Node, _Because]] = defaultdict(dict)
        self.facts: list[tuple[Node, Node, Node, _Because]] = []
        self._derive(triples)

    # ------------------------------------------------------------------ closure

    def _derive(self, triples: Sequence[Triple]) -> None:
        g = self.graph
        stated: list[tuple[Node, Node, Node, _Because]] = []
        for s, p, o in triples:
            if p == RDF.type:
                if isinstance(o, URIRef) and not str(o).startswith(_META_NAMESPACES):
                    self._add_type(s, o, _Because(f"it is stated to be {g.a(o)}"))
                continue
            if str(p).startswith(_META_NAMESPACES) or p in g.annotation_props:
                continue
            stated.append((s, p, o, _Because(_fact(g, s, p, o))))
        self._close_subclasses()  # stated types (and their superclasses) are the best reasons
        facts = list(stated)
        known = {(s, p, o) for s, p, o, _ in facts}
        for s, p, o, why in stated:  # inverse properties
            if isinstance(o, Literal):
                continue
            for inverse, axiom in g.inverses.get(p, ()):
                if (o, inverse, s) not in known:
                    known.add((o, inverse, s))
                    text = f"{why.text}, that is, {_fact(g, o, inverse, s)}"
                    facts.append((o, inverse, s, _Because(text, why.nodes, (axiom,))))
        for _round in range(3):  # property chains (ck:involvesSector)
            added = False
            by_prop: dict[Node, list[tuple[Node, Node, _Because]]] = defaultdict(list)
            for s, p, o, why in facts:
                by_prop[p].append((s, o, why))
            for target, chain, axiom in g.chains:
                if not chain:
                    continue
                paths = [(s, o, [why]) for s, o, why in by_prop.get(chain[0], ())]
                for link in chain[1:]:
                    step = defaultdict(list)
                    for s, o, why in by_prop.get(link, ()):
                        step[s].append((o, why))
                    paths = [(s, o2, [*w, why]) for s, o, w in paths for o2, why in step.get(o, ())]
                for s, o, whys in paths:
                    if (s, target, o) in known:
                        continue
                    known.add((s, target, o))
                    nodes = tuple(n for w in whys for n in w.nodes)
                    axioms = (axiom, *(a for w in whys for a in w.axioms))
                    text = "; ".join(w.text for w in whys) + f"; so {_fact(g, s, target, o)}"
                    facts.append((s, target, o, _Because(text, nodes, axioms)))
                    added = True
            if not added:
                break
        self.facts = facts
        for s, p, o, why in facts:
            for prop, path in g.prop_paths(p).items():
                for domain, axiom in g.domains.get(prop, ()):
                    self._add_type(
                        s,
                        domain,
                        _Because(
                            f"{why.text}, and whatever has a value for ‘{g.name(prop)}’ "
                            f"is {g.a(domain)}",
                            (*why.nodes, o) if not isinstance(o, Literal) else why.nodes,
                            (*why.axioms, *path, axiom),
                        ),
                    )
                if isinstance(o, Literal):
                    continue
                for range_, axiom in g.ranges.get(prop, ()):
                    if str(range_).startswith(str(XSD)) or range_ == RDFS.Literal:
                        continue
                    self._add_type(
                        o,
                        range_,
                        _Because(
                            f"{why.text}, and every value of ‘{g.name(prop)}’ is {g.a(range_)}",
                            (*why.nodes, s),
                            (*why.axioms, *path, axiom),
                        ),
                    )
        self._close_subclasses()

    def _close_subclasses(self) -> None:
        """Add every named superclass of each type, keeping the first reason found."""
        g = self.graph
        for node in list(self.types):
            for cls, why in list(self.types[node].items()):
                for parent, path in g.super_paths(cls).items():
                    if parent in self.types[node] or not path:
                        continue
                    steps = " ⊑ ".join([g.name(cls)] + [g.name(c) for c, _ in path])
                    self.types[node][parent] = _Because(
                        f"{why.text}, and every {g.name(cls)} is {g.a(parent)} ({steps})"
                        if len(path) > 1
                        else f"{why.text}, and every {g.name(cls)} is {g.a(parent)}",
                        why.nodes,
                        (*why.axioms, *(axiom for _, axiom in path)),
                    )

    def _add_type(self, node: Node, cls: Node, why: _Because) -> None:
        if cls not in self.types[node]:
            self.types[node][cls] = why

    def closed_graph(self) -> rdflib.Graph:
        closed = rdflib.Graph(bind_namespaces="none")
        for triple in self.graph.triples:
            closed.add(triple)
        for node, classes in self.types.items():
            for cls in classes:
                closed.add((node, RDF.type, cls))
        for s, p, o, _why in self.facts:
            closed.add((s, p, o))
        return closed

    # ------------------------------------------------------------------ patterns

    def find(self) -> list[tuple[Explanation, tuple[Node, ...]]]:
        """Every clash found, with the individuals to confirm it on."""
        closed = self.closed_graph()
        found: list[tuple[Explanation, tuple[Node, ...]]] = []
        found += self._disjoint(closed)
        found += self._datatype()
        found += self._functional(closed)
        found += self._same(closed)
        return found

    def _explanation(
        self, kind: str, message: str, nodes: Iterable[Node], axioms: Iterable[Triple]
    ) -> tuple[Explanation, tuple[Node, ...]]:
        unique_nodes = tuple(dict.fromkeys(n for n in nodes if isinstance(n, URIRef)))
        people = tuple(n for n in unique_nodes if n in self.individuals)
        unique_axioms = tuple(dict.fromkeys(axioms))
        return (
            Explanation(
                kind=kind,
                message=message,
                individuals=tuple(str(n) for n in people),
                individual_labels=tuple(self.graph.name(n) for n in people),
                axioms=tuple(self.graph.axiom(a) for a in unique_axioms),
            ),
            unique_nodes,
        )

    def _disjoint(self, closed: rdflib.Graph) -> list[tuple[Explanation, tuple[Node, ...]]]:
        g = self.graph
        out = []
        seen: set[tuple[Node, Triple]] = set()
        for row in closed.query(_DISJOINT_QUERY):
            x, c1, c2 = row  # type: ignore[misc]
            axiom = g.disjoint.get(frozenset((c1, c2)))
            if axiom is None or (x, axiom) in seen:
                continue
            seen.add((x, axiom))
            why1 = self.types[x].get(c1)
            why2 = self.types[x].get(c2)
            if why1 is None or why2 is None:
                continue
            message = (
                f"{g.named(x)} cannot be both {g.a(c1)} and {g.a(c2)}: the ontology says "
                f"nothing is both. It is {g.a(c1)} because {why1.text}. "
                f"It is {g.a(c2)} because {why2.text}."
            )
            out.append(
                self._explanation(
                    "disjoint-classes",
                    message,
                    (x, *why1.nodes, *why2.nodes),
                    (axiom, *why1.axioms, *why2.axioms),
                )
            )
        return out

    def _datatype(self) -> list[tuple[Explanation, tuple[Node, ...]]]:
        g = self.graph
        out = []
        for s, p, o in self.triples:
            if not isinstance(o, Literal) or p not in g.data_props:
                continue
            for prop, path in g.prop_paths(p).items():
                for range_, axiom in g.ranges.get(prop, ()):
                    if _in_value_space(o, range_) is not False:
                        continue
                    message = (
                        f"The ‘{g.name(p)}’ of {g.named(s)} is {_literal_words(o)}, but every "
                        f"value of ‘{g.name(prop)}’ must be {_datatype_words(range_)}."
                    )
                    out.append(self._explanation("datatype-range", message, (s,), (*path, axiom)))
        return out

    def _functional(self, closed: rdflib.Graph) -> list[tuple[Explanation, tuple[Node, ...]]]:
        g = self.graph
        out = []
        for row in closed.query(_FUNCTIONAL_QUERY):
            x, p, v1, v2 = row  # type: ignore[misc]
            if isinstance(v1, Literal) and isinstance(v2, Literal):
                try:
                    if v1.eq(v2):
                        continue
                except TypeError:
                    pass
                nodes: tuple[Node, ...] = (x,)
                axioms: tuple[Triple, ...] = (g.functional[p],)
            else:
                different = g.different.get(frozenset((v1, v2)))
                if different is None:
                    continue
                nodes = (x, v1, v2)
                axioms = (g.functional[p], different)
            message = (
                f"{g.named(x)} has two values for ‘{g.name(p)}’ ({g.named(v1)} and "
                f"{g.named(v2)}), but it can have only one."
            )
            out.append(self._explanation("functional-property", message, nodes, axioms))
        return out

    def _same(self, closed: rdflib.Graph) -> list[tuple[Explanation, tuple[Node, ...]]]:
        g = self.graph
        out = []
        for row in closed.query(_SAME_QUERY):
            a, b = row  # type: ignore[misc]
            different = g.different.get(frozenset((a, b)))
            if different is None:
                continue
            message = (
                f"{g.named(a)} and {g.named(b)} are said to be the same (owl:sameAs), "
                "but the ontology says they are different."
            )
            out.append(
                self._explanation(
                    "different-individuals", message, (a, b), ((a, OWL.sameAs, b), different)
                )
            )
        return out


# =========================================================================== bisection


class _OutOfBudget(Exception):
    pass


_SEEN: dict[int, bool] = {}
"""Consistency of triple sets already checked in this process (by hash), e.g. the ontology."""


class _Reasoner:
    """HermiT consistency checks with a budget, remembering answers."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.calls = 0

    def consistent(self, triples: Sequence[Triple]) -> bool:
        unique = frozenset(triples)
        key = hash(unique)
        if key in _SEEN:
            return _SEEN[key]
        if self.calls >= self.budget:
            raise _OutOfBudget
        self.calls += 1
        result = _run_hermit(list(unique)).consistent
        if len(_SEEN) > 256:
            _SEEN.clear()
        _SEEN[key] = result
        return result


def _quickxplain(inconsistent: Callable[[list[int]], bool], items: list[int]) -> list[int]:
    """A minimal subset of ``items`` that is inconsistent (Junker's QuickXplain).

    ``inconsistent(subset)`` must be monotone; the whole of ``items`` is inconsistent.
    """

    def qx(background: list[int], changed: bool, candidates: list[int]) -> list[int]:
        if changed and inconsistent(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        second_part = qx(background + first, bool(first), second)
        first_part = qx(background + second_part, bool(second_part), first)
        return first_part + second_part

    if not items:
        return []
    if len(items) <= SMALL_SET:
        # deletion: one run per item, fewer than QuickXplain needs on a small set
        kept = list(items)
        for item in list(items):
            trial = [i for i in kept if i != item]
            if inconsistent(trial):
                kept = trial
        return kept
    return qx([], False, items)


# =========================================================================== entry point


def _assemble(
    graph: rdflib.Graph,
    with_ontology: bool | None,
    root: str | os.PathLike[str] | None,
    vocabularies: bool | Sequence[str | os.PathLike[str]],
) -> tuple[list[Triple], dict[Triple, str], set[Node], list[str]]:
    """The triples to reason over, where the ontology's and vocabularies' ones come from,
    the vocabularies' own terms (not data individuals), and the vocabulary file names."""
    from collabkg.ontology import ontology_files, parse_files
    from collabkg.vocabularies import display_path, find_vocabularies

    triples = _flatten(graph)
    present = set(triples)
    origin: dict[Triple, str] = {}
    if with_ontology is None:
        with_ontology = (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in present
    if with_ontology:
        for path in ontology_files(root):
            name = display_path(path, root)
            for triple in _flatten(parse_files([path])):
                origin.setdefault(triple, name)
                if triple not in present:
                    present.add(triple)
                    triples.append(triple)
    foreign: set[Node] = set()
    used: list[str] = []
    if vocabularies is True:
        files = find_vocabularies(root)
    elif vocabularies is False:
        files = []
    else:
        files = [Path(f) for f in vocabularies]
    for path in files:
        name = display_path(path, root)
        used.append(name)
        for triple in _flatten(parse_files([path])):
            origin.setdefault(triple, name)
            foreign.add(triple[0])
            if triple not in present:
                present.add(triple)
                triples.append(triple)
    return triples, origin, foreign, used


def check_consistency(
    graph: rdflib.Graph,
    *,
    with_ontology: bool | None = None,
    vocabularies: bool | Sequence[str | os.PathLike[str]] = True,
    origins: Mapping[str, Sequence[str]] | None = None,
    explain: bool = True,
    budget: int = DEFAULT_BUDGET,
    root: str | os.PathLike[str] | None = None,
) -> ReasoningReport:
    """Check a graph with HermiT; explain an inconsistency; list what HermiT infers.

    ``graph`` is an rdflib Graph (or Dataset) of data, with or without the ontology:
    ``with_ontology=None`` adds ``ontology/*.ttl`` and ``ontology/concepts/*.ttl`` from
    the project (``root``) when the graph does not declare the collabkg ontology itself.
    ``vocabularies``: True (default) reasons with the real W3C ORG and PROV-O files (see
    :mod:`collabkg.vocabularies`; missing files raise ReasonerError), False with the
    bare declarations only, or a list of files. ``origins`` maps an item's IRI to the
    files that describe it, so that explanations can name them.
    ``budget`` caps the extra HermiT runs spent explaining an inconsistency.

    Raises :class:`~collabkg.errors.ReasonerError` when Java or HermiT cannot run.
    """
    triples, origin, foreign, used = _assemble(graph, with_ontology, root, vocabularies)
    indexed = _Graph(triples, origin)
    prepared = _prepare(indexed)
    partition = _Partition(indexed, prepared.triples)
    individuals = [
        n
        for n in partition.groups
        if isinstance(n, URIRef) and n not in foreign and not _is_vocabulary(n)
    ]
    outcome = _run_hermit(prepared.triples, classify=True, classify_iris=map(str, individuals))
    report = ReasoningReport(
        consistent=outcome.consistent and not prepared.value_problems,
        notes=list(prepared.notes),
        triples=len(triples),
        individuals=len(individuals),
        seconds=outcome.seconds,
        reasoner_calls=1,
        vocabularies=used,
    )
    report.explanations.extend(prepared.value_problems)
    if outcome.consistent:
        report.unsatisfiable = _unsatisfiable(indexed, outcome.unsatisfiable)
        report.inferred = _inferred(indexed, outcome.types)
        report.unexpected = _unexpected(indexed, report.inferred)
    elif explain:
        started = time.perf_counter()
        reasoner = _Reasoner(budget)
        report.explanations.extend(_explain(indexed, prepared, partition, reasoner))
        report.explain_seconds = time.perf_counter() - started
        report.reasoner_calls += reasoner.calls
    if not outcome.consistent:
        report.notes.append(
            "Unsatisfiable classes and inferred classifications are not computed for an "
            "inconsistent graph (everything follows from a contradiction)."
        )
    if origins:
        report.explanations = [_with_files(e, origins) for e in report.explanations]
    return report


def _with_files(explanation: Explanation, origins: Mapping[str, Sequence[str]]) -> Explanation:
    files = sorted({f for iri in explanation.individuals for f in origins.get(iri, ())})
    return _replace(explanation, files=tuple(files)) if files else explanation


def _fits_defined(
    graph: _Graph, cls: Node, defined: AbstractSet[Node], asserted: AbstractSet[Node]
) -> bool:
    """A defined class inferred for an item that already is of every kind above it."""
    above = set(graph.super_paths(cls)) - {cls}
    return cls in defined and above <= asserted


def _unexpected(graph: _Graph, inferred: list[Classification]) -> list[Classification]:
    """Inferred kinds the data did not give: every inferred class except the ontology's
    defined classes themselves (cross-sector, co-creating collaboration), which are meant
    to be inferred. (``inferred`` already leaves out the superclasses of asserted types;
    a superclass of a defined class, such as collaboration, is not allowed here: an
    organisation inferred to be a collaboration is exactly what must not happen.)"""
    allowed = {
        s
        for s, o in graph._pairs(OWL.equivalentClass)
        if isinstance(s, URIRef) and isinstance(o, BNode)
    }
    out: list[Classification] = []
    for item in inferred:
        asserted: set[Node] = set()
        for cls in graph.values(URIRef(item.individual), RDF.type):
            asserted |= set(graph.super_paths(cls))

        kept = [
            (iri, label)
            for iri, label in zip(item.classes, item.class_labels, strict=True)
            if not _fits_defined(graph, URIRef(iri), allowed, asserted)
        ]
        if kept:
            out.append(
                Classification(
                    individual=item.individual,
                    label=item.label,
                    classes=tuple(i for i, _l in kept),
                    class_labels=tuple(lab for _i, lab in kept),
                )
            )
    return out


def _explain(
    graph: _Graph, prepared: _Prepared, partition: _Partition, reasoner: _Reasoner
) -> list[Explanation]:
    """Clash patterns first (each confirmed by HermiT), then bisection for the rest."""
    out: list[Explanation] = []
    schema = partition.schema
    clashes = _Clashes(graph, prepared.triples, set(partition.groups)).find()
    try:
        schema_consistent = reasoner.consistent(schema)
    except _OutOfBudget:
        return [e for e, _nodes in clashes]
    if not schema_consistent:
        own = [e for e, nodes in clashes if not any(n in partition.groups for n in nodes)]
        if own:
            prefix = "The ontology (with its concept schemes) contradicts itself, before any data: "
            return [_replace(e, kind="ontology", message=prefix + e.message) for e in own]
        return [_explain_schema(graph, partition, reasoner)]
    removed: set[Node] = set()
    for number, (explanation, nodes) in enumerate(clashes):
        keys = [n for n in nodes if n in partition.groups]
        confirmed: bool | None = None
        if number < MAX_CONFIRMED:
            try:
                confirmed = not reasoner.consistent(schema + partition.data_triples(keys))
            except _OutOfBudget:
                confirmed = None
        if confirmed is not False:
            removed.update(keys)
        out.append(_replace(explanation, confirmed=confirmed))
    remaining = [k for k in partition.groups if k not in removed]
    for _round in range(3):
        try:
            if reasoner.consistent(schema + partition.data_triples(remaining)):
                break
        except _OutOfBudget:
            if not out:
                out.append(_explain_set(graph, partition, reasoner, remaining, False))
            break
        found, minimal = _bisect_data(partition, reasoner, remaining)
        out.append(_explain_set(graph, partition, reasoner, found, minimal))
        chosen = set(found)
        remaining = [k for k in remaining if k not in chosen]
        if not minimal:
            break
    return out


def _replace(explanation: Explanation, **changes: object) -> Explanation:
    from dataclasses import replace

    return replace(explanation, **changes)  # type: ignore[arg-type]


def _bisect_data(
    partition: _Partition, reasoner: _Reasoner, keys: list[Node]
) -> tuple[list[Node], bool]:
    ordered = sorted(keys, key=lambda k: (len(partition.groups[k]), str(k)))
    # Suspects first: individuals described with OWL constructs (class expressions,
    # owl:sameAs...) and their neighbours; one HermiT run tells whether they suffice.
    wanted = set(keys)
    suspects: set[Node] = set()
    for key in ordered:
        for _s, p, o in partition.groups[key]:
            if str(p).startswith(str(OWL)) or (p == RDF.type and isinstance(o, BNode)):
                suspects.add(key)
    for key in list(suspects):
        suspects |= {o for _s, _p, o in partition.groups[key] if o in wanted}
    try:
        if suspects and len(suspects) < len(ordered):
            subset = [k for k in ordered if k in suspects]
            if not reasoner.consistent(partition.schema + partition.data_triples(subset)):
                ordered = subset
    except _OutOfBudget:
        return ordered, False

    def inconsistent(indexes: list[int]) -> bool:
        chosen = [ordered[i] for i in indexes]
        return not reasoner.consistent(partition.schema + partition.data_triples(chosen))

    try:
        found = _quickxplain(inconsistent, list(range(len(ordered))))
        return [ordered[i] for i in found], True
    except _OutOfBudget:
        return ordered, False


def _bisect_axioms(
    partition: _Partition, reasoner: _Reasoner, data: list[Triple]
) -> tuple[list[list[Triple]], bool]:
    fixed, groups = partition.axiom_groups()
    signature = {
        x
        for t in data
        for x in (t[0], t[1], t[2])
        if isinstance(x, URIRef) and not str(x).startswith(_META_NAMESPACES)
    }
    relevant = _module(partition.graph, groups, signature, upward=True)

    def inconsistent(indexes: list[int]) -> bool:
        triples = fixed + data + [t for i in indexes for t in relevant[i]]
        return not reasoner.consistent(triples)

    try:
        if reasoner.consistent(fixed + data + [t for g in relevant for t in g]):
            relevant = _module(partition.graph, groups, signature, upward=False)
        found = _quickxplain(inconsistent, list(range(len(relevant))))
        return [relevant[i] for i in found], True
    except _OutOfBudget:
        return relevant, False


_UPWARD = frozenset(
    str(p) for p in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf, RDF.type)
)


def _module(
    graph: _Graph, groups: list[list[Triple]], signature: AbstractSet[Node], *, upward: bool
) -> list[list[Triple]]:
    """The axiom groups reachable from a signature.

    ``upward`` follows subclass and subproperty axioms only from their left-hand side
    (what a data individual's types and properties imply), which keeps the set small;
    otherwise any shared name pulls an axiom in.
    """
    names_of: list[set[Node]] = [
        {
            x
            for t in g
            for x in (t[0], t[1], t[2])
            if isinstance(x, URIRef) and not str(x).startswith(_META_NAMESPACES)
        }
        for g in groups
    ]
    triggers: list[set[Node]] = []
    for group, names in zip(groups, names_of, strict=True):
        s, p, _o = group[0]
        if not upward:
            triggers.append(names)
        elif str(p) in _UPWARD and isinstance(s, URIRef):
            triggers.append({s})
        elif p == OWL.propertyChainAxiom:
            triggers.append({s, *(x for x in graph.rdf_list(group[0][2]) if isinstance(x, URIRef))})
        else:
            triggers.append(names)
    reached = set(signature)
    chosen: list[int] = []
    left = list(range(len(groups)))
    changed = True
    while changed:
        changed = False
        keep: list[int] = []
        for index in left:
            if triggers[index] & reached:
                chosen.append(index)
                reached |= names_of[index]
                changed = True
            else:
                keep.append(index)
        left = keep
    return [groups[i] for i in sorted(chosen)]


def _explain_set(
    graph: _Graph, partition: _Partition, reasoner: _Reasoner, keys: list[Node], minimal: bool
) -> Explanation:
    data = partition.data_triples(keys)
    axioms: tuple[str, ...] = ()
    axioms_minimal = False
    if minimal:
        groups, axioms_minimal = _bisect_axioms(partition, reasoner, data)
        if axioms_minimal or len(groups) <= 12:
            axioms = tuple(graph.axiom(group[0]) for group in groups)
    names = ", ".join(graph.named(k) for k in keys[:12])
    more = f" and {len(keys) - 12} more" if len(keys) > 12 else ""
    said = "; ".join(
        f"{graph.named(s)} is {_article(graph.expression(o))}"
        if p == RDF.type
        else _fact(graph, s, p, o)
        for s, p, o in data
        if isinstance(s, URIRef)
        and p not in graph.annotation_props
        and (p == RDF.type or not str(p).startswith(_META_NAMESPACES))
        and not (p == RDF.type and str(o).startswith(_META_NAMESPACES))
    )
    message = (
        f"These individuals contradict the ontology together: {names}{more}. "
        + (f"What the data says about them: {said}. " if said and len(said) < 1200 else "")
        + (
            "The ontology axioms below are a minimal set that the contradiction needs."
            if axioms_minimal
            else "The axioms below are those that mention their classes and properties."
            if axioms
            else ""
        )
    ).strip()
    return Explanation(
        kind="minimal-set",
        message=message,
        individuals=tuple(str(k) for k in keys if isinstance(k, URIRef)),
        individual_labels=tuple(graph.name(k) for k in keys if isinstance(k, URIRef)),
        axioms=axioms,
        confirmed=True,
        minimal=minimal,
    )


def _explain_schema(graph: _Graph, partition: _Partition, reasoner: _Reasoner) -> Explanation:
    fixed, groups = partition.axiom_groups()

    def inconsistent(indexes: list[int]) -> bool:
        return not reasoner.consistent(fixed + [t for i in indexes for t in groups[i]])

    try:
        found = _quickxplain(inconsistent, list(range(len(groups))))
        chosen, minimal = [groups[i] for i in found], True
    except _OutOfBudget:
        chosen, minimal = [], False
    return Explanation(
        kind="ontology",
        message=(
            "The ontology (with its concept schemes) is inconsistent on its own, before any "
            "data." + (" These axioms are a minimal set that contradicts itself." if chosen else "")
        ),
        axioms=tuple(graph.axiom(group[0]) for group in chosen),
        minimal=minimal,
    )


def _unsatisfiable(graph: _Graph, iris: Iterable[str]) -> list[UnsatisfiableClass]:
    out: list[UnsatisfiableClass] = []
    for iri in iris:
        node = URIRef(iri)
        paths = graph.super_paths(node)
        reason = ""
        for pair, axiom in graph.disjoint.items():
            members = sorted(pair, key=str)
            if not all(m in paths for m in members):
                continue
            if len(members) == 1:
                reason = f"{graph.a(members[0])} is declared disjoint with itself"
            else:
                reason = (
                    f"every {graph.name(node)} would be both {graph.a(members[0])} and "
                    f"{graph.a(members[1])}, which are disjoint ({graph.turtle(axiom)})"
                )
            break
        out.append(UnsatisfiableClass(iri, graph.name(node), reason))
    return out


def _inferred(graph: _Graph, types: dict[str, list[str]]) -> list[Classification]:
    out: list[Classification] = []
    for iri, inferred in types.items():
        node = URIRef(iri)
        asserted: set[Node] = set()
        for cls in graph.values(node, RDF.type):
            asserted |= set(graph.super_paths(cls))
        new = [URIRef(c) for c in inferred if URIRef(c) not in asserted and c != str(OWL.Thing)]
        if not new:
            continue
        # keep the most specific: drop any class that is a superclass of another new one
        specific = [
            c for c in new if not any(c != other and c in graph.super_paths(other) for other in new)
        ]
        specific.sort(key=lambda c: graph.name(c))
        out.append(
            Classification(
                individual=iri,
                label=graph.name(node),
                classes=tuple(str(c) for c in specific),
                class_labels=tuple(graph.name(c) for c in specific),
            )
        )
    out.sort(key=lambda c: (c.label.lower(), c.individual))
    return out


def load_project_graph(
    root: str | os.PathLike[str] | None = None,
    *,
    paths: Iterable[str | os.PathLike[str]] | None = None,
) -> rdflib.Graph:
    """The project's graph files (or the given files) parsed into one rdflib Graph.

    Files are parsed, not validated: reasoning is useful on data that SHACL still rejects.
    A Turtle syntax error raises :class:`~collabkg.errors.LoadError`.
    :func:`check_consistency` adds the ontology when the files do not include it.
    """
    from collabkg.ontology import parse_files
    from collabkg.paths import ProjectPaths

    project = ProjectPaths.discover(root)
    files = project.expand(paths) if paths is not None else project.graph_files()
    return parse_files(files)


__all__ = [
    "DEFAULT_BUDGET",
    "OWL2_DATATYPES",
    "Classification",
    "Explanation",
    "ReasoningReport",
    "UnsatisfiableClass",
    "check_consistency",
    "load_project_graph",
]
