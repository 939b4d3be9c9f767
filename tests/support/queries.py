"""Helpers of the query tests: where the fixture graph is, rows compared as plain values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from rdflib import BNode, Literal, URIRef

from collabkg.results import QueryResult
from collabkg.terms import compact
from tests.support.paths import REPO

FIXTURE = REPO / "tests" / "fixtures" / "queries"

Row = dict[str, object]


def plain(value: object) -> object:
    """A result term as a test compares it: CURIEs for IRIs, Python values for literals."""
    if value is None:
        return None
    if isinstance(value, URIRef):
        return compact(str(value))
    if isinstance(value, BNode):
        return "_:"
    if isinstance(value, Literal):
        return value.toPython() if value.datatype is not None else str(value)
    return value


def canon(value: object, separators: tuple[str, ...] = ("; ",)) -> object:
    """GROUP_CONCAT leaves the order of the joined parts to the engine: sort them (also in
    a list written inside parentheses, as in "no named party (forum: a; b)")."""
    if not isinstance(value, str):
        return value
    wrapped = re.fullmatch(r"(.*\(\w+: )(.*)(\))", value, flags=re.DOTALL)
    if wrapped is not None and "; " in wrapped.group(2):
        inner = canon(wrapped.group(2), separators)
        return f"{wrapped.group(1)}{inner}{wrapped.group(3)}"
    for separator in separators:
        if separator in value:
            return separator.join(sorted(value.split(separator)))
    return value


def rows_of(
    result: QueryResult, separators: Mapping[str, tuple[str, ...]] | None = None
) -> list[Row]:
    """Every row, every projected column, in the engine's order, concatenations sorted."""
    extra = separators or {}
    return [
        {var: canon(plain(row.get(var)), ("; ", *extra.get(var, ()))) for var in result.vars}
        for row in result.rows
    ]


Runner = Callable[..., QueryResult]


__all__ = ["FIXTURE", "REPO", "Row", "Runner", "canon", "plain", "rows_of"]
