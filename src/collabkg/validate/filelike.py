"""What the per-file rules (:mod:`collabkg.validate.integrity`,
:mod:`collabkg.validate.quotations`) need of a file and of the workspace, as protocols.

:class:`collabkg.validate.model.FileData` and :class:`collabkg.validate.workspace.Workspace`
answer them; the rules name only these, so that they can be called on anything that does
(the tests call them on small fakes).
"""

from __future__ import annotations

from typing import Protocol

from rdflib.term import Node


class FileIndex(Protocol):
    """Where things are written in a file's text."""

    lines: list[str]

    def property_line(self, subject: str, prop: str) -> int | None: ...
    def subject_line(self, iri: str) -> int | None: ...
    def source_line(self, line: int | None) -> str | None: ...


class ParsedLike(Protocol):
    @property
    def index(self) -> FileIndex: ...


class FileLike(Protocol):
    """A file asked about: its name as shown, its text's index and its statements."""

    @property
    def display(self) -> str: ...
    @property
    def parsed(self) -> ParsedLike: ...
    @property
    def triples(self) -> list[tuple[Node, Node, Node]]: ...


class Names(Protocol):
    """How the workspace names items (optional for the rules: issues then carry the IRI)."""

    def label_of(self, node: Node) -> str | None: ...
    def kind_of(self, node: Node) -> str | None: ...


__all__ = ["FileIndex", "FileLike", "Names", "ParsedLike"]
