"""Comparing answers from different engines: rows as sets of labelled tuples.

Literals are normalised so that equal answers compare equal:

- numbers by value (Virtuoso and Oxigraph may pick different numeric datatypes);
- language tags in lower case;
- a ``GROUP_CONCAT`` result as the sorted list of its parts: SPARQL 1.1 leaves the order
  of the concatenated values undefined (§18.5.1.7), and Virtuoso, in-memory Oxigraph and
  on-disk Oxigraph each use their own; the separators are read from the query text;
- blank nodes as "a blank node" (their labels are local to each store).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from collabkg.catalogue import CannedQuery, Catalogue, choices
from collabkg.graph import KnowledgeGraph

_SEPARATOR = re.compile(r"""separator\s*=\s*(["'])((?:(?!\1).)*)\1""", re.IGNORECASE)
_STRING_TYPES = {None, XSD.string}

Value = tuple[object, ...] | None
Row = tuple[tuple[str, Value], ...]


def separators(query_text: str) -> list[str]:
    return sorted({m.group(2) for m in _SEPARATOR.finditer(query_text) if m.group(2)})


def normalise(term: Node | None, seps: Sequence[str] = ()) -> Value:
    if term is None:
        return None
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool):
            return ("bool", value)
        if isinstance(value, int | float | Decimal):
            return ("number", float(f"{float(value):.9g}"))
        text = str(term)
        if seps:
            parts = re.split("|".join(re.escape(s) for s in seps), text)
            if len(parts) > 1:
                text = "\u241f".join(sorted(parts))
        datatype = None if term.datatype in _STRING_TYPES else str(term.datatype)
        return ("literal", text, (term.language or "").lower(), datatype)
    raise TypeError(f"unexpected term {term!r}")


def row_set(
    variables: Sequence[str], rows: Iterable[Mapping[str, Node | None]], seps: Sequence[str] = ()
) -> set[Row]:
    return {tuple((v, normalise(row.get(v), seps)) for v in variables) for row in rows}


def raw_params(graph: KnowledgeGraph, query: CannedQuery, catalogue: Catalogue) -> dict[str, str]:
    """Each parameter's default, or else the first of its choices (on the embedded store)."""
    values: dict[str, str] = {}
    for spec in query.params:
        if spec.default is not None:
            continue
        options = choices(graph, spec, catalogue)
        assert options, f"{query.id}: parameter {spec.name} has no choices"
        values[spec.name] = str(options[0][0])
    return values


def answer(
    graph: KnowledgeGraph, query: CannedQuery, bindings: Mapping[str, Node]
) -> tuple[list[str], set[Row], int]:
    """(variables, normalised row set, number of rows) of a canned query on ``graph``."""
    result = graph.select(query.text, dict(bindings))
    return result.vars, row_set(result.vars, result.rows, separators(query.text)), len(result)


def describe_difference(expected: set[Row], got: set[Row], limit: int = 2) -> str:
    missing = sorted(expected - got, key=repr)[:limit]
    extra = sorted(got - expected, key=repr)[:limit]
    return (
        f"{len(expected - got)} row(s) missing, {len(got - expected)} extra; "
        f"missing e.g. {missing}; extra e.g. {extra}"
    )


def replace_sameterm(query: str) -> str:
    """``sameTerm(a, b)`` -> ``(a = b)`` (parentheses and top-level comma matched)."""
    out: list[str] = []
    index = 0
    lowered = query.lower()
    while True:
        start = lowered.find("sameterm(", index)
        if start < 0:
            out.append(query[index:])
            return "".join(out)
        out.append(query[index:start])
        depth, cursor, comma = 0, start + len("sameterm("), -1
        while cursor < len(query):
            char = query[cursor]
            if char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                comma = cursor
            cursor += 1
        inner_start = start + len("sameterm(")
        left, right = query[inner_start:comma], query[comma + 1 : cursor]
        out.append(f"(({left.strip()}) = ({right.strip()}))")
        index = cursor + 1
