"""Read-only guard for SPARQL written by people: no updates, no SERVICE, bounded cost.

The check works on the PARSED query (rdflib's SPARQL parser), not on the raw text, so a
string literal that happens to contain the word SERVICE is fine, while a SERVICE clause
hidden in a sub-query or an EXISTS filter is found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from collabkg.errors import QueryError, ReadOnlyViolation

DEFAULT_ROW_LIMIT: Final[int] = 1000
"""Rows returned at most for SPARQL written by users (canned queries are trusted)."""
DEFAULT_TIMEOUT_S: Final[float] = 10.0
"""Seconds a user query may run before it is stopped."""

QUERY_FORMS: Final[dict[str, str]] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

_UPDATE_NAMES: Final[dict[str, str]] = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}


@dataclass(frozen=True)
class Limits:
    """How much a query may return and for how long it may run."""

    rows: int | None = DEFAULT_ROW_LIMIT
    timeout_s: float | None = DEFAULT_TIMEOUT_S


USER_LIMITS: Final[Limits] = Limits()
"""Limits applied to SPARQL typed by a user (CLI ``--sparql``, the explorer's editor)."""


def _component_names(node: object) -> Iterator[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _syntax_error(exc: Exception) -> QueryError:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    found = getattr(exc, "found", None)
    what = f"unexpected {found}" if found else "the query cannot be parsed"
    source_line = getattr(exc, "line", None)
    return QueryError(
        f"SPARQL syntax error: {what}",
        line=line if isinstance(line, int) else None,
        column=column if isinstance(column, int) else None,
        hint="check the query near this point: matching braces, a '.' between triple "
        "patterns, PREFIX declarations, quotes",
        source_line=source_line if isinstance(source_line, str) else None,
    )


def _update_operations(query_text: str) -> list[str] | None:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(query_text)
    except Exception:
        return None
    names = [_UPDATE_NAMES.get(name, name) for name in _component_names(parsed)]
    return sorted({n for n in names if n in _UPDATE_NAMES.values()})


def check_read_only(query_text: str) -> str:
    """Parse the query; return its form (SELECT, ASK, CONSTRUCT or DESCRIBE).

    Raises ReadOnlyViolation for update operations (INSERT, DELETE, LOAD, CLEAR, DROP,
    CREATE, ADD, MOVE, COPY) and for SERVICE anywhere in the query, and QueryError with
    line and column for a syntax error.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(query_text)
    except Exception as exc:
        operations = _update_operations(query_text)
        if operations is not None:
            shown = ", ".join(operations) or "an update"
            raise ReadOnlyViolation(
                f"this is an update ({shown}): the graph is read-only",
                hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            ) from None
        raise _syntax_error(exc) from None
    if "ServiceGraphPattern" in set(_component_names(parsed)):
        raise ReadOnlyViolation(
            "SERVICE is not allowed: queries may not call other endpoints",
            hint="query the collabkg graph only",
        )
    form = QUERY_FORMS.get(getattr(parsed[1], "name", ""))
    if form is None:  # pragma: no cover - the grammar allows nothing else
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return form


__all__ = [
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "QUERY_FORMS",
    "USER_LIMITS",
    "Limits",
    "check_read_only",
]
