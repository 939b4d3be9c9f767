"""Naming what the reasoner works on, for people: :class:`AxiomGraph` (the triples indexed,
with labels and the ontology's axioms) says an item, a class expression or an axiom in
words; the helpers say facts, literals and datatypes.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from collabkg.labels import LABEL_PROPERTIES, LabelIndex, readable_local_name
from collabkg.reasoning.owl import (
    BUILTIN_ANNOTATIONS,
    DECLARATION_TYPES,
    WELL_KNOWN_LABELS,
    Triple,
    is_vocabulary,
)
from collabkg.terms import OWL, RDF, RDFS, XSD, compact


class AxiomGraph:
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
        for s, o in self.pairs(RDF.type):
            declared[str(o)].add(s)
        self.classes = declared[str(OWL.Class)] | declared[str(RDFS.Class)]
        self.object_props = declared[str(OWL.ObjectProperty)]
        self.data_props = declared[str(OWL.DatatypeProperty)]
        self.declared_annotation_props = declared[str(OWL.AnnotationProperty)]
        self.annotation_props = self.declared_annotation_props | {
            URIRef(p) for p in BUILTIN_ANNOTATIONS
        }
        self.declared: set[Node] = set()
        for kind in DECLARATION_TYPES:
            self.declared |= declared[kind]
        self._build_axioms()

    # ------------------------------------------------------------------ basics

    def pairs(self, predicate: Node) -> Iterable[tuple[Node, Node]]:
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
        return text.lower() if is_vocabulary(node) and text[1:2].islower() else text

    def named(self, node: Node) -> str:
        """``‘Wigan Council’ (ckd:wigan-council)`` for an individual."""
        if isinstance(node, URIRef):
            return f"‘{self.name(node)}’ ({compact(str(node))})"
        return self.name(node)

    def a(self, cls: Node) -> str:
        return article(self.name(cls))

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
            words = f"every {self.expression(s)} is {article(self.expression(o))}"
        elif p == OWL.equivalentClass:
            words = f"{article(self.expression(s))} is exactly {self.expression(o)}"
        elif p == OWL.disjointWith:
            words = f"nothing is both {self.a(s)} and {self.a(o)}"
        elif p == RDFS.domain:
            words = f"whatever has a value for ‘{self.name(s)}’ is {self.a(o)}"
        elif p == RDFS.range:
            if str(o).startswith(str(XSD)) or o == RDFS.Literal:
                words = f"every value of ‘{self.name(s)}’ is {datatype_words(o)}"
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
            return literal_text(node)
        return "[]"


def fact(graph: AxiomGraph, s: Node, p: Node, o: Node) -> str:
    value = literal_text(o) if isinstance(o, Literal) else graph.named(o)
    return f"{graph.named(s)} ‘{graph.name(p)}’ {value}"


def literal_text(value: Literal) -> str:
    """A literal as written in Turtle, without rdflib's warnings for ill-typed values."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    if value.language:
        return f'"{text}"@{value.language}'
    if value.datatype is None or str(value.datatype) == str(XSD.string):
        return f'"{text}"'
    return f'"{text}"^^{compact(str(value.datatype))}'


def article(text: str) -> str:
    if not text or text.startswith(("something", "one of", "(", "an ", "a ", "the ")):
        return text
    if text.startswith("not "):
        return "not " + article(text[4:])
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


def datatype_words(datatype: Node) -> str:
    return _DATATYPE_WORDS.get(str(datatype), f"a {compact(str(datatype))} value")


def literal_words(value: Literal) -> str:
    if value.language:
        return f'"{value}"@{value.language} (text with a language tag)'
    if value.datatype is None or str(value.datatype) == str(XSD.string):
        return f'"{value}" (a plain string)'
    return f'"{value}" ({compact(str(value.datatype))})'


__all__ = ["AxiomGraph", "article", "datatype_words", "fact", "literal_text", "literal_words"]
