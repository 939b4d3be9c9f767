"""The Backend protocol: what the KnowledgeGraph facade needs from a store.

Terms crossing this boundary are rdflib terms. ``bindings`` are already validated
(variable name without ``?`` -> rdflib term); a backend must pass them to its engine as
terms, never by formatting them into the query text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias, overload, runtime_checkable

from rdflib.term import Node

Row: TypeAlias = dict[str, Node | None]
"""One solution: variable name -> term, or None where the variable is unbound."""

Triple: TypeAlias = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ItemCost:
    """What asking a query about one item cost when last measured, and the way that was
    faster (:meth:`collabkg.backends.embedded.EmbeddedBackend.select_each`)."""

    values_first: bool
    seconds: float

    def reconsidered(self) -> ItemCost:
        """The cost to note when it made asking about the items look too slow: a little
        less (:data:`RECONSIDER`), so that a measure taken under load is tried again after
        a few changes."""
        return ItemCost(self.values_first, self.seconds * RECONSIDER)


RECONSIDER = 0.9
"""A cost that made asking about the items look too slow is taken as this much of itself
the next time."""


def convert_row(
    names: Sequence[str],
    values: Sequence[object],
    converted: dict[Any, Any],
    convert: Callable[[Any], Node | None],
) -> Row:
    """One row of an answer as rdflib terms (None where a variable is unbound), each distinct
    value converted once and remembered in ``converted``: a page or a download of a long
    answer names the same few organisations, concepts and sources over and over."""
    row: Row = {}
    for name, value in zip(names, values, strict=True):
        if value is None:
            row[name] = None
            continue
        term = converted.get(value)
        if term is None:
            term = converted[value] = convert(value)
        row[name] = term
    return row


class ConvertedOnRead(Sequence[Row]):
    """An answer's rows as the engine gave them, turned into rdflib terms only when read.

    A page of a 10,000-row answer converts its own rows, not the answer's: the cost of a
    page no longer grows with the answer (converting every row was what made the long
    listings grow faster than the engine from 1M to 3M triples). ``values`` holds one tuple
    per row, in the order of ``names``; ``convert`` turns one engine term into an rdflib
    term (each distinct term once: labels and concepts come back in many rows) and
    ``is_iri`` tells an engine term that is an IRI. Picklable when its two functions are
    (module-level functions), so a timed query in a child process can return one.
    """

    def __init__(
        self,
        names: Sequence[str],
        values: list[tuple[object, ...]],
        convert: Callable[[object], Node],
        is_iri: Callable[[object], bool],
    ) -> None:
        self.names = list(names)
        self._values = values
        self.convert = convert
        self.is_iri = is_iri
        self._converted: dict[object, Node] = {}

    @property
    def values(self) -> list[tuple[object, ...]]:
        """The rows as the engine gave them (one tuple per row, in the order of names)."""
        return self._values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self._row(values) for values in self._values[index]]
        return self._row(self._values[index])

    def __iter__(self) -> Iterator[Row]:
        return (self._row(values) for values in self._values)

    def _row(self, values: tuple[object, ...]) -> Row:
        return convert_row(self.names, values, self._converted, self.convert)

    def iri_variables(self) -> list[str]:
        """The variables holding at least one IRI in some row (read without converting)."""
        found: list[str] = []
        for index, name in enumerate(self.names):
            if any(self.is_iri(values[index]) for values in self._values):
                found.append(name)
        return found


@runtime_checkable
class Backend(Protocol):
    """A read-only SPARQL engine over the collabkg graph."""

    def select(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        limit: int | None = None,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[Row]]:
        """Run a SELECT query; at most ``limit`` rows are returned when it is given."""
        ...

    def ask(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> bool:
        """Run an ASK query."""
        ...

    def construct(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> list[Triple]:
        """Run a CONSTRUCT (or DESCRIBE) query and return its triples."""
        ...

    @property
    def location(self) -> str | None:
        """The URL of the remote SPARQL endpoint; None for a store in this process."""
        ...

    def all_triples(self) -> list[Triple]:
        """Every distinct triple of the graph (for exports)."""
        ...

    def write_nquads(self, path: str) -> int:
        """Write every statement in its named graph as N-Quads; the number written. A
        backend that cannot (a remote endpoint) raises UsageError."""
        ...

    def close(self) -> None:
        """Release resources; the backend is unusable afterwards."""
        ...


@runtime_checkable
class RowsOnRead(Protocol):
    """A backend that can hand back an answer whose rows are converted only when read."""

    def select_rows(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> tuple[list[str], ConvertedOnRead]:
        """The whole answer, read from the engine; nothing converted yet."""
        ...


__all__ = [
    "Backend",
    "ConvertedOnRead",
    "ItemCost",
    "Row",
    "RowsOnRead",
    "Triple",
    "convert_row",
]
