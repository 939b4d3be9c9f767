"""The one conversion between pyoxigraph terms and rdflib terms (both ways).

Every module that meets both libraries (the embedded backend, the remote backend's
CONSTRUCT results, the validator, the SHACL compiler) converts here, so a literal's
datatype or a blank node's name is treated the same way everywhere.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.xsd import RDF_LANGSTRING, XSD_STRING

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_rdflib(term: object, bnode_prefix: str = "") -> Node:
    """A pyoxigraph term as the equivalent rdflib term.

    ``bnode_prefix`` is put before a blank node's name (files parsed separately each
    number their blank nodes from zero: the prefix keeps them apart)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return RdfLiteral(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return RdfLiteral(term.value)
        return RdfLiteral(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(f"{bnode_prefix}{term.value}")
    if isinstance(term, ox.DefaultGraph):  # pragma: no cover - never in results
        raise TypeError("the default graph is not a term")
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> OxTerm:
    """An rdflib term as the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, RdfLiteral):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) not in (XSD_STRING, RDF_LANGSTRING):
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"unsupported term {term!r}")


def node_to_oxigraph(node: Node) -> ox.NamedNode | ox.BlankNode | None:
    """An IRI or blank node as a pyoxigraph subject; None for anything else (or a blank
    node name pyoxigraph does not accept)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        try:
            return ox.BlankNode(str(node))
        except ValueError:
            return None
    return None


Substitutions = dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple]
"""Variables bound before a query runs (SEP-0007), as pyoxigraph takes them."""


def solutions(
    store: ox.Store,
    query: str,
    *,
    use_default_graph_as_union: bool = False,
    substitutions: Substitutions | None = None,
) -> ox.QuerySolutions:
    """The rows of a SELECT query on a pyoxigraph store (typed as rows)."""
    result = store.query(
        query,
        use_default_graph_as_union=use_default_graph_as_union,
        substitutions=substitutions,
    )
    if not isinstance(result, ox.QuerySolutions):  # pragma: no cover - a SELECT was asked
        raise TypeError("not a SELECT query")
    return result


__all__ = ["OxTerm", "Substitutions", "node_to_oxigraph", "solutions", "to_oxigraph", "to_rdflib"]
