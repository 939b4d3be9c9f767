"""What HermiT infers about a consistent graph, in words: unsatisfiable classes (with the
disjointness that empties them), the kinds inferred for each item, and the inferred kinds
the data did not give (which should be none).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from rdflib import BNode, URIRef
from rdflib.term import Node

from collabkg.reasoning.report import Classification, UnsatisfiableClass
from collabkg.reasoning.words import AxiomGraph
from collabkg.terms import OWL, RDF


def unsatisfiable_classes(graph: AxiomGraph, iris: Iterable[str]) -> list[UnsatisfiableClass]:
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


def inferred_classifications(
    graph: AxiomGraph, types: dict[str, list[str]]
) -> list[Classification]:
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


def _fits_defined(
    graph: AxiomGraph, cls: Node, defined: AbstractSet[Node], asserted: AbstractSet[Node]
) -> bool:
    """A defined class inferred for an item that already is of every kind above it."""
    above = set(graph.super_paths(cls)) - {cls}
    return cls in defined and above <= asserted


def unexpected_kinds(graph: AxiomGraph, inferred: list[Classification]) -> list[Classification]:
    """Inferred kinds the data did not give: every inferred class except the ontology's
    defined classes themselves (cross-sector, co-creating collaboration), which are meant
    to be inferred. (``inferred`` already leaves out the superclasses of asserted types;
    a superclass of a defined class, such as collaboration, is not allowed here: an
    organisation inferred to be a collaboration is exactly what must not happen.)"""
    allowed = {
        s
        for s, o in graph.pairs(OWL.equivalentClass)
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


__all__ = ["inferred_classifications", "unexpected_kinds", "unsatisfiable_classes"]
