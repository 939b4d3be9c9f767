"""Hints for an analyst's SPARQL that ran but found nothing, where the reason is known.

The graph stores each thing with its most specific type only (no inferred types): a query
for ``?o a org:Organization`` finds none of the organisations typed ``ck:LocalAuthority``
and the like. When a SELECT with no row asks for things of a class that has subclasses in
the ontology (an ``a <class>`` or ``rdf:type <class>`` pattern), the hint says so and how
to include the subclasses (``?o a/rdfs:subClassOf* <class>``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, URIRef, Variable

from collabkg.terms import PREFIXES

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph

_HAS_SUBCLASS = f"""
SELECT ?sub ?class WHERE {{ ?sub <{RDFS.subClassOf}> ?class . FILTER(?sub != ?class) }} LIMIT 1
"""


MAX_READ = 20_000
"""The longest query read for a hint, in characters (rdflib's parser is slow on long texts;
an analyst's query that finds nothing is short)."""


@dataclass(frozen=True)
class TypePattern:
    """A pattern ``?subject a <cls>`` of a query (``subject``: the variable's name, or the
    term as written when it is not a variable)."""

    subject: str
    cls: str


def type_patterns(query: str) -> list[TypePattern]:
    """The ``a <class>`` / ``rdf:type <class>`` patterns of a query, each once
    (a class given by IRI; a path such as ``a/rdfs:subClassOf*`` is not one). A query
    that cannot be read has none."""
    from rdflib.plugins.sparql import prepareQuery

    if len(query) > MAX_READ:
        return []
    try:
        prepared = prepareQuery(query, initNs=dict(PREFIXES))
    except Exception:  # not ours to report: the query's own error is shown when it runs
        return []
    found: list[TypePattern] = []
    for subject, predicate, obj in _triples(prepared.algebra):
        if predicate == RDF.type and isinstance(obj, URIRef):
            name = f"?{subject}" if isinstance(subject, Variable) else _curie(str(subject))
            pattern = TypePattern(name, str(obj))
            if pattern not in found:
                found.append(pattern)
    return found


def _triples(node: object, seen: set[int] | None = None) -> Iterator[tuple[object, ...]]:
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, dict):
        if node.get("triples") and getattr(node, "name", "") == "BGP":
            yield from (tuple(t) for t in node["triples"])
        for value in node.values():
            yield from _triples(value, seen)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _triples(value, seen)


def _curie(iri: str) -> str:
    for name, base in PREFIXES.items():
        if iri.startswith(base) and iri[len(base) :].replace("-", "_").isidentifier():
            return f"{name}:{iri[len(base) :]}"
    return f"<{iri}>"


def subclass_hint(graph: KnowledgeGraph, query: str, rows: int) -> str | None:
    """What to tell an analyst whose SELECT found ``rows`` rows: when none, and the query
    asks for things of a class that has subclasses, that the graph holds no inferred types
    and how to write the pattern to include them; else None."""
    if rows:
        return None
    for pattern in type_patterns(query):
        found = graph.select(_HAS_SUBCLASS, {"class": URIRef(pattern.cls)})
        if not found.rows:
            continue
        cls = _curie(pattern.cls)
        return (
            f"No row: the graph holds no inferred types. A thing is stored with its most "
            f"specific type only, so `{pattern.subject} a {cls}` finds only what is typed "
            f"{cls} itself, none of its subclasses. To include its subclasses, write "
            f"`{pattern.subject} a/rdfs:subClassOf* {cls}`."
        )
    return None
