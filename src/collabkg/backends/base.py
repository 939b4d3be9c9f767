"""The Backend protocol: what the KnowledgeGraph facade needs from a store.

Terms crossing this boundary are rdflib terms. ``bindings`` are already validated
(variable name without ``?`` -> rdflib term); a backend must pass them to its engine as
terms, never by formatting them into the query text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeAlias, runtime_checkable

from rdflib.term import Node

Row: TypeAlias = dict[str, Node | None]
"""One solution: variable name -> term, or None where the variable is unbound."""

Triple: TypeAlias = tuple[Node, Node, Node]


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


__all__ = ["Backend", "Row", "Triple"]
