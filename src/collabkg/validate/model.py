"""What the validator knows about the ontology and the data: terms, kinds, labels, positions.

:class:`Ontology` answers "is this term defined, and as what?" (class, property, concept);
:class:`FileData` is one parsed file as rdflib triples (the files the vocabulary rules
read); :func:`show` and :func:`a` are how reports write terms and kinds.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from collabkg.labels import LabelIndex
from collabkg.terms import CK, CKC, OWL, RDF, RDFS, SKOS, compact
from collabkg.validate.syntax import ParsedFile
from collabkg.xsd import SHOWN_BARE, XSD, short_name

Triple = tuple[Node, Node, Node]

CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
OUR_TERM_NAMESPACES = (str(CK), str(CKC))

PROV_NS = "http://www.w3.org/ns/prov#"
ORG_NS = "http://www.w3.org/ns/org#"
SUPPORT_AXIOMS: tuple[tuple[str, str], ...] = (
    (PROV_NS + "Person", PROV_NS + "Agent"),
    (PROV_NS + "Organization", PROV_NS + "Agent"),
    (PROV_NS + "SoftwareAgent", PROV_NS + "Agent"),
    (ORG_NS + "Organization", PROV_NS + "Agent"),
    (ORG_NS + "FormalOrganization", ORG_NS + "Organization"),
    (ORG_NS + "OrganizationalUnit", ORG_NS + "Organization"),
    (ORG_NS + "OrganizationalCollaboration", ORG_NS + "Organization"),
)
"""rdfs:subClassOf axioms of the W3C vocabularies we reuse (PROV-O, ORG), added to the
validation graph so that, e.g., a prov:Person counts as a prov:Agent even if the ontology
does not repeat these axioms."""

STANDARD_LABELS = {
    ORG_NS + "Membership": "membership",
    ORG_NS + "Organization": "organisation",
    ORG_NS + "OrganizationalUnit": "organisational unit",
    ORG_NS + "OrganizationalCollaboration": "collaboration",
    PROV_NS + "Person": "person",
    PROV_NS + "Agent": "agent",
    PROV_NS + "Organization": "organisation",
    "http://www.w3.org/2006/time#Interval": "period",
    "http://www.w3.org/2004/02/skos/core#Concept": "value from a list",
}


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal it meets; the validator reports
    those itself, so silence rdflib while terms are built and checked."""
    logger = logging.getLogger("rdflib.term")
    was = logger.disabled
    logger.disabled = True
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.disabled = was


def a(word: str | None) -> str:
    """``a charity``, ``an agent``: the indefinite article for a kind's label."""
    if not word:
        return "a different kind of thing"
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def show(term: Node | None) -> str:
    """A term as a person reads it in a report: ``ckd:x``, ``"text"``, ``42``."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return "(an unnamed item in [ ])"
    if isinstance(term, Literal):
        text = str(term)
        if len(text) > 60:
            text = text[:57] + "…"
        if term.datatype is not None and str(term.datatype).startswith(XSD):
            if str(term.datatype) in SHOWN_BARE:
                return text
            return f'"{text}"^^{short_name(str(term.datatype))}'
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"'
    return str(term)


class Ontology:
    """Terms of the ontology and concept schemes (an rdflib Graph), indexed."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        for sub, sup in SUPPORT_AXIOMS:
            graph.add((URIRef(sub), RDFS.subClassOf, URIRef(sup)))
        self.classes: set[str] = set()
        self.properties: dict[str, set[str]] = {}
        for kind in CLASS_TYPES:
            self.classes |= {
                str(s) for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)
            }
        self.classes |= {
            str(s) for s, o in graph.subject_objects(RDFS.subClassOf) if isinstance(s, URIRef)
        }
        for kind in PROPERTY_TYPES:
            for s in graph.subjects(RDF.type, kind):
                if isinstance(s, URIRef):
                    self.properties.setdefault(str(s), set()).add(str(kind))
        self.concepts: set[str] = {
            str(s) for s in graph.subjects(SKOS.inScheme, None) if isinstance(s, URIRef)
        } | {str(s) for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}
        self.schemes: set[str] = {
            str(s) for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)
        }
        self.subjects: frozenset[str] = frozenset(
            str(s) for s in graph.subjects() if isinstance(s, URIRef)
        )
        """Every IRI the ontology says something about."""
        self.defined: set[str] = (
            self.classes | set(self.properties) | self.concepts | self.schemes
        ) | self.subjects
        self.labels = LabelIndex()
        for predicate in (SKOS.prefLabel, RDFS.label):
            for s, o in graph.subject_objects(predicate):
                self.labels.add(s, predicate, o)
        self._supers: dict[str, set[str]] = {}
        self.disjoint: set[frozenset[str]] = set()
        for a, b in graph.subject_objects(OWL.disjointWith):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                self.disjoint.add(frozenset((str(a), str(b))))
        for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
            members_list = graph.value(group, OWL.members)
            if members_list is None:
                continue
            from rdflib.collection import Collection

            members = [str(m) for m in Collection(graph, members_list) if isinstance(m, URIRef)]
            for i, first in enumerate(members):
                for second in members[i + 1 :]:
                    self.disjoint.add(frozenset((first, second)))

    # ---------------------------------------------------------------- kinds of terms

    def is_object_property(self, iri: str) -> bool:
        return str(OWL.ObjectProperty) in self.properties.get(iri, ())

    def is_datatype_property(self, iri: str) -> bool:
        return str(OWL.DatatypeProperty) in self.properties.get(iri, ())

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(OUR_TERM_NAMESPACES)

    def superclasses(self, iri: str) -> set[str]:
        """The class and all its superclasses (rdfs:subClassOf, transitively)."""
        if iri in self._supers:
            return self._supers[iri]
        found = {iri}
        todo = [URIRef(iri)]
        while todo:
            current = todo.pop()
            for parent in self.graph.objects(current, RDFS.subClassOf):
                if isinstance(parent, URIRef) and str(parent) not in found:
                    found.add(str(parent))
                    todo.append(parent)
        self._supers[iri] = found
        return found

    def clash(self, types: Iterable[str]) -> tuple[str, str, str, str] | None:
        """Two of ``types`` that cannot go together: (type, type, disjoint, disjoint)."""
        given = sorted(set(types))
        for i, a in enumerate(given):
            for b in given[i + 1 :]:
                for x in self.superclasses(a):
                    for y in self.superclasses(b):
                        if frozenset((x, y)) in self.disjoint:
                            return a, b, x, y
        return None

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        return any(cls in self.superclasses(t) for t in types)

    def most_specific(self, types: Iterable[str]) -> list[str]:
        """The types that are not a superclass of another of the given types."""
        given = [t for t in dict.fromkeys(types) if t in self.classes]
        return [
            t
            for t in given
            if not any(t != other and t in self.superclasses(other) for other in given)
        ]

    def kind(self, types: Iterable[str]) -> str | None:
        """The label of the most specific type (``local authority``), for reports; none for
        a misspelt class of ours (``ck:Charty`` is no kind: the item is named without one)."""
        types = list(types)
        best = (
            [t for t in self.most_specific(types) if t.startswith(str(CK))]
            or self.most_specific(types)
            or sorted(
                t
                for t in types
                if t not in self.properties and t not in self.concepts and not self.is_ours(t)
            )
        )
        if not best:
            return None
        return self.label(sorted(best)[0])

    def label(self, iri: str) -> str:
        found = self.labels.get(iri)
        if found:
            return found
        if iri in STANDARD_LABELS:
            return STANDARD_LABELS[iri]
        return self.labels.label(URIRef(iri)).lower()

    def domain(self, prop: str) -> list[str]:
        return [
            str(d) for d in self.graph.objects(URIRef(prop), RDFS.domain) if isinstance(d, URIRef)
        ]

    def range(self, prop: str) -> list[str]:
        return [
            str(r) for r in self.graph.objects(URIRef(prop), RDFS.range) if isinstance(r, URIRef)
        ]

    def members_of_class(self, cls: str) -> list[str]:
        return sorted(
            str(s) for s in self.graph.subjects(RDF.type, URIRef(cls)) if isinstance(s, URIRef)
        )

    def scheme_members(self, scheme: str) -> list[str]:
        return sorted(
            str(s)
            for s in self.graph.subjects(SKOS.inScheme, URIRef(scheme))
            if isinstance(s, URIRef)
        )

    def concept_types(self, concept: str) -> list[str]:
        return [
            str(t)
            for t in self.graph.objects(URIRef(concept), RDF.type)
            if isinstance(t, URIRef) and str(t).startswith(str(CK))
        ]

    def properties_with_range(self, cls: str) -> list[str]:
        return sorted(
            str(p) for p in self.graph.subjects(RDFS.range, URIRef(cls)) if isinstance(p, URIRef)
        )


@dataclass
class FileData:
    """One parsed file of the graph, as rdflib triples."""

    parsed: ParsedFile
    triples: list[Triple]
    target: bool
    """True when the file is one the user asked about (results are reported for it)."""

    @property
    def display(self) -> str:
        return self.parsed.display


__all__ = [
    "FileData",
    "Ontology",
    "Triple",
    "a",
    "quiet_rdflib",
    "show",
]
