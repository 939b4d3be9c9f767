"""Answers compared across engines: the benchmark prints a ratio only where both agree.

A query's answer is reduced to its row count and a digest of its rows as a multiset, each
value written the same way whichever engine produced it:

- rows are compared as a multiset (sorted): rows tied under ORDER BY may come in any order;
- an IRI is itself; every blank node is the same ``_:`` (labels are engine-local);
- a number is its value (``5000.00`` and ``5000.0`` are the same decimal);
- ``xsd:string`` and a plain literal are the same;
- a value joined by ``"; "`` (what the canned queries' GROUP_CONCATs use) is compared as the
  sorted list of its parts: SPARQL leaves the order of GROUP_CONCAT undefined.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

SEPARATOR = "; "
_NUMERIC = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.int,
    XSD.long,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
}


def canonical(term: object) -> str:
    """One value, written the same way by every engine."""
    if term is None:
        return "-"
    if isinstance(term, BNode):
        return "_:"
    if isinstance(term, Literal):
        if term.datatype in _NUMERIC:
            try:
                number = Decimal(str(term)).normalize()
            except InvalidOperation:
                number = None
            if number is not None:
                return f"n:{number:f}"
        text = str(term)
        if SEPARATOR in text:
            text = SEPARATOR.join(sorted(text.split(SEPARATOR)))
        datatype = "" if term.datatype in (None, XSD.string) else str(term.datatype)
        return f"l:{text}@{(term.language or '').lower()}^^{datatype}"
    if isinstance(term, URIRef):
        return f"i:{term}"
    return f"?:{term}"


def digest(variables: Sequence[str], rows: Iterable[Mapping[str, object]]) -> tuple[int, str]:
    """(number of rows, digest of the rows as a multiset) of a SELECT answer."""
    lines = sorted("\t".join(canonical(row.get(v)) for v in variables) for row in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


__all__ = ["canonical", "digest"]
