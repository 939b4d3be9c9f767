"""Clash patterns: the asserted graph closed under RDFS-level rules (remembering why each
type holds), then SPARQL for individuals in two disjoint classes, functional properties with
two values, values outside a data property's range, and sameAs between different items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import rdflib
from rdflib import Literal, URIRef
from rdflib.query import ResultRow
from rdflib.term import Node

from collabkg.reasoning.owl import META_NAMESPACES, Triple
from collabkg.reasoning.report import Explanation
from collabkg.reasoning.words import AxiomGraph, datatype_words, fact, literal_words
from collabkg.terms import OWL, RDF, RDFS, XSD
from collabkg.xsd import INTEGER_TYPES, STRING_TYPES


def in_value_space(value: Literal, datatype: Node) -> bool | None:
    """Whether a literal fits a datatype range; None when we cannot tell."""
    dt = str(datatype)
    own = str(value.datatype) if value.datatype is not None else None
    if dt == str(RDFS.Literal):
        return True
    if dt in (str(XSD.string), str(RDF.PlainLiteral)):
        if dt == str(RDF.PlainLiteral):
            return own is None or own in STRING_TYPES
        return not value.language and (own is None or own in STRING_TYPES)
    if value.language:
        return dt == str(RDF.langString)
    if dt in (str(XSD.decimal), *INTEGER_TYPES):
        if own != dt and own not in INTEGER_TYPES and own != str(XSD.decimal):
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
        return dt in STRING_TYPES
    if own == dt:
        return True
    return None


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


def _rows(graph: rdflib.Graph, query: str) -> Iterator[tuple[Node, ...]]:
    """The rows of a SELECT query on an rdflib graph, as tuples of terms."""
    from rdflib.plugins.sparql import prepareQuery

    from collabkg.sparql_text import RDFLIB_PARSER

    with RDFLIB_PARSER:  # the parse only: the evaluation is safe in threads
        prepared = prepareQuery(query)
    for row in graph.query(prepared):
        if isinstance(row, ResultRow):
            yield tuple(row)


class Clashes:
    """RDFS-level closure with reasons, then SPARQL for clash patterns."""

    def __init__(self, graph: AxiomGraph, triples: Sequence[Triple], individuals: set[Node]):
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
                if isinstance(o, URIRef) and not str(o).startswith(META_NAMESPACES):
                    self._add_type(s, o, _Because(f"it is stated to be {g.a(o)}"))
                continue
            if str(p).startswith(META_NAMESPACES) or p in g.annotation_props:
                continue
            stated.append((s, p, o, _Because(fact(g, s, p, o))))
        self._close_subclasses()  # stated types (and their superclasses) are the best reasons
        facts = list(stated)
        known = {(s, p, o) for s, p, o, _ in facts}
        for s, p, o, why in stated:  # inverse properties
            if isinstance(o, Literal):
                continue
            for inverse, axiom in g.inverses.get(p, ()):
                if (o, inverse, s) not in known:
                    known.add((o, inverse, s))
                    text = f"{why.text}, that is, {fact(g, o, inverse, s)}"
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
                    text = "; ".join(w.text for w in whys) + f"; so {fact(g, s, target, o)}"
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
        for x, c1, c2 in _rows(closed, _DISJOINT_QUERY):
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
                    if in_value_space(o, range_) is not False:
                        continue
                    message = (
                        f"The ‘{g.name(p)}’ of {g.named(s)} is {literal_words(o)}, but every "
                        f"value of ‘{g.name(prop)}’ must be {datatype_words(range_)}."
                    )
                    out.append(self._explanation("datatype-range", message, (s,), (*path, axiom)))
        return out

    def _functional(self, closed: rdflib.Graph) -> list[tuple[Explanation, tuple[Node, ...]]]:
        g = self.graph
        out = []
        for x, p, v1, v2 in _rows(closed, _FUNCTIONAL_QUERY):
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
        for a, b in _rows(closed, _SAME_QUERY):
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


__all__ = ["Clashes", "in_value_space"]
