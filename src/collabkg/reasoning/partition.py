"""The triples split into the ontology (schema) and one group per data individual, so
that an explanation can try individuals and axioms a group at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from rdflib import BNode, URIRef
from rdflib.term import Node

from collabkg.reasoning.owl import (
    AXIOM_NODES,
    CHARACTERISTICS,
    DECLARATION_TYPES,
    LOGICAL_PREDICATES,
    META_NAMESPACES,
    Triple,
    is_vocabulary,
)
from collabkg.reasoning.words import AxiomGraph
from collabkg.terms import CKD, RDF


class Partition:
    """The triples split into the ontology (schema) and one group per data individual."""

    def __init__(self, graph: AxiomGraph, triples: Sequence[Triple]) -> None:
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
                t[1] == RDF.type and str(t[2]) in AXIOM_NODES for t in group if t[0] == owner
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
        return not is_vocabulary(node) and node not in self.graph.declared

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
            class_assertion = str(o) not in DECLARATION_TYPES and not str(o).startswith(
                META_NAMESPACES
            )
            logical = str(p) in LOGICAL_PREDICATES or (
                p == RDF.type and (str(o) in CHARACTERISTICS or class_assertion)
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
            if any(t[1] == RDF.type and str(t[2]) in AXIOM_NODES for t in group):
                groups.append(self.graph.closure(root_node))
        return fixed, groups


__all__ = ["Partition"]
