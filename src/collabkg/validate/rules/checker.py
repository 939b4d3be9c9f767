"""The vocabulary checker: what every rule shares (where a term is written, how an issue
is made, what the ontology says a property links to) and the order the rules run in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from collabkg.terms import CK, CKC, CKD, compact
from collabkg.validate.model import FileData, a, show
from collabkg.validate.report import Issue, Severity, Stage
from collabkg.validate.rules.base import CASE, GraphFilter, LocalFilter, WorkspaceView
from collabkg.validate.rules.base import local_name as _local
from collabkg.validate.rules.hints import (
    _ID_STEM,
    EXPECTED_KIND,
    close_matches,
    closest,
    describe_example,
)


@dataclass
class VocabularyResult:
    issues: list[Issue] = field(default_factory=list)
    bad_values: set[Node] = field(default_factory=set)
    """Terms already reported (unknown, dangling): SHACL results about them are dropped."""
    bad_triples: set[tuple[Node, Node, Node | None]] = field(default_factory=set)
    """Statements already reported (text for a link...): SHACL results about them are dropped.
    ``(item, property, None)``: a property the item misspelt, so "it has no <property>" is
    the same mistake."""


class Checker:
    """One run of the rules over the files of a workspace (see :func:`run`)."""

    def __init__(self, workspace: WorkspaceView, *, case_rules: bool) -> None:
        self.ws = workspace
        self.ont = workspace.ontology
        self.case_rules = case_rules and CASE in self.ont.classes
        self.result = VocabularyResult()
        self.wrong_ns: set[str] = set()
        """Namespaces the file being checked binds our prefixes to by mistake."""
        self.first_use: dict[str, tuple[Node, Node]] = {}
        """Term -> (subject, property) of its first statement in the file being checked."""
        self.reported: dict[str, set[object]] = {}
        """What a statement rule reported already in the file being checked (by rule)."""
        self.selection = getattr(workspace, "selection", None)

    def selects(self, rule: str, item: FileData) -> bool:
        """Does ``rule`` run on ``item`` (its pre-filter selected it, or there was no
        selection: every rule on every file)?"""
        if self.selection is None:
            return True
        chosen = self.selection.get(item.display)
        return chosen is None or rule in chosen

    # ------------------------------------------------------------------ helpers

    def issue(
        self,
        item: FileData,
        severity: Severity,
        code: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        width: int | None = None,
        hint: str | None = None,
        focus: Node | None = None,
        path: Node | None = None,
        value: Node | None = None,
        related: list[str] | None = None,
        as_here: tuple[str | None, str | None] = (None, None),
    ) -> Issue:
        """One problem of ``item``'s file, headed by the item it concerns (``focus``) as
        the graph names it; ``as_here`` (kind, name) heads it as this file describes it
        instead, where the problem is that the files describe it differently."""
        index = item.parsed.index
        kind_here, label_here = as_here
        found = Issue(
            severity,
            Stage.VOCABULARY,
            code,
            message,
            file=item.display,
            line=line,
            column=column,
            width=width,
            hint=hint,
            source_line=index.source_line(line),
            focus=show(focus) if isinstance(focus, URIRef) else None,
            focus_label=label_here or (self.ws.label_of(focus) if focus is not None else None),
            focus_kind=kind_here or (self.ws.kind_of(focus) if focus is not None else None),
            path=show(path) if path is not None else None,
            value=show(value) if value is not None else None,
            related=related or [],
        )
        self.result.issues.append(found)
        return found

    def where(self, item: FileData, iri: str) -> tuple[int | None, int | None, int | None, str]:
        """(line, column, width, other lines text) of the first place ``iri`` is written."""
        places = item.parsed.index.occurrences.get(iri, [])
        if not places:
            return None, None, None, ""
        first = places[0]
        others = sorted({p.line for p in places[1:] if p.line != first.line})
        also = ""
        if others:
            shown = ", ".join(str(n) for n in others[:8]) + ("…" if len(others) > 8 else "")
            also = f" (also on line{'s' if len(others) > 1 else ''} {shown})"
        return first.line, first.column, len(first.text), also

    def at_statement(
        self, item: FileData, subject: Node, prop: Node, iri: str
    ) -> tuple[int | None, int | None, int | None, str]:
        """Position of ``iri`` in the statement ``subject prop ...`` (falls back to the first
        place ``iri`` is written)."""
        line = self.term_line(item, subject, prop)
        places = item.parsed.index.occurrences.get(iri, [])
        if line is not None:
            later = [p for p in places if p.line >= line]
            if later:
                found = later[0]
                return found.line, found.column, len(found.text), ""
            return line, None, None, ""
        return self.where(item, iri)

    def term_line(self, item: FileData, subject: Node, prop: Node) -> int | None:
        located = self.ws.locate(subject, prop)
        if located is not None and located[0] is item:
            return located[1]
        return None

    # ------------------------------------------------------------------ checks

    def source_ids(self) -> list[str]:
        return sorted(
            show(node)
            for node, types in self.ws.types.items()
            if isinstance(node, URIRef) and self.ont.is_a(types, str(CK.Source))
        )

    def range_members(self, prop: Node) -> list[str]:
        """The controlled values a property takes (its rdfs:range is a concept class)."""
        kinds = self.ont.range(str(prop)) or [EXPECTED_KIND.get(str(prop), "")]
        for cls in filter(None, kinds):
            members = self.ont.members_of_class(cls)
            if members and all(m in self.ont.concepts for m in members):
                return members
        return []

    def allowed_values(self, prop: Node) -> str:
        return ", ".join(compact(m) for m in self.range_members(prop))

    def our_terms(self) -> list[str]:
        return [t for t in self.ont.defined if self.ont.is_ours(t)]

    def properties_to(self, cls: str, subject: Node) -> str | None:
        """The property of ours that links ``subject`` to a ``cls`` (``ck:Period`` ->
        ``ck:hasPeriod``), if there is exactly one that fits the subject's kind."""
        types = self.ws.types.get(subject, set())
        fitting = [
            prop
            for prop in self.ont.properties_with_range(cls)
            if self.ont.is_ours(prop)
            and (
                not self.ont.domain(prop)
                or any(self.ont.is_a(types, d) for d in self.ont.domain(prop))
            )
        ]
        return fitting[0] if len(fitting) == 1 else None

    def expected_kind(self, prop: Node) -> str | None:
        """The kind of item a property links to (its range), if known."""
        ranges = self.ont.range(str(prop))
        return ranges[0] if ranges else EXPECTED_KIND.get(str(prop))

    def undefined_item(self, item: FileData, s: Node, p: Node, o: URIRef) -> None:
        """A link to an ID described nowhere: the close IDs of the right kind, and how to
        describe it (a source goes in data/sources.ttl)."""
        ws = self.ws
        kind = self.expected_kind(p)
        # the subject's other links are not what it meant (a membership's member is not
        # its own collaboration)
        linked = {str(y) for x, q, y in item.triples if x == s and q != p}
        pool = (
            {str(x) for x in ws.subjects if isinstance(x, URIRef)}
            if kind is None
            else ws.described_as(kind)  # every item with a type of that kind is described
        )
        described = sorted(x for x in pool if x.startswith(str(CKD)) and x not in linked)
        suggestions = close_matches(str(o), described)
        line, column, width, also = self.where(item, str(o))
        shown = compact(str(o))
        message = f"{shown} is used here but described nowhere in the graph{also}"
        if suggestions:
            message += " — did you mean " + " or ".join(compact(x) for x in suggestions) + "?"
        else:
            message += "."
        is_source = kind == str(CK.Source) or _local(str(o)).startswith("src-")
        if is_source:
            sources = self.source_ids()
            hint = (
                "a source must be listed in data/sources.ttl: use the ID of one listed there"
                + (f" ({', '.join(sources)})" if sources else "")
                + "; if your source is new, add it to data/sources.ttl first (copy one of the "
                "entries there and change it)"
            )
        else:
            start = "if it is a new item"
            if not suggestions:
                start = "check the ID's spelling; " + start
            hint = f"{start}, describe it in this file: {describe_example(kind, shown)}"
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.undefined-item",
            message,
            line=line,
            column=column,
            width=width,
            hint=hint,
            focus=s,
            path=p,
            value=o,
        )

    def text_for_link(self, item: FileData, s: Node, p: Node, o: Literal) -> None:
        self.result.bad_triples.add((s, p, o))
        line = self.term_line(item, s, p)
        prop = compact(str(p))
        if p == RDF.type:
            message = (
                f"'a' must be followed by a kind of thing such as ck:Charity, not by text "
                f"({show(o)})."
            )
            hint = "remove the quotes and use a class from the ontology, e.g. a ck:Charity ;"
        else:
            message = f"{prop} links to an item, but here it has text: {show(o)}."
            members = self.range_members(p)
            kind = self.expected_kind(p)
            if members:
                words = str(o).strip().removeprefix("ckc:").split()
                camel = "".join(w[:1].upper() + w[1:] for w in words)
                written = str(CKC) + camel[:1].lower() + camel[1:]
                guess = written if written in members else closest(written, members, cutoff=0.5)
                hint = (
                    "this property takes a value from a list, written without quotes, e.g. "
                    f"{prop} {compact(guess or members[0])} ; — the values allowed: "
                    + ", ".join(compact(m) for m in members)
                )
            elif kind is not None:
                ident = f"ckd:{_ID_STEM.get(kind, '')}…"
                hint = (
                    f"write the ID of {a(self.ont.label(kind))} here, without quotes, e.g. "
                    f"{prop} {ident} ; and describe that item if it is new: "
                    + describe_example(kind, ident, str(o))
                )
            else:
                hint = (
                    "remove the quotes and write the ID of the item instead (e.g. "
                    "ckd:wigan-council); describe the item if it is new"
                )
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.text-for-link",
            message,
            line=line,
            hint=hint,
            focus=s,
            path=p,
            value=o,
        )

    def value_hint(self, concept: str) -> str:
        types = self.ont.concept_types(concept)
        props: list[str] = []
        for t in types:
            props += self.ont.properties_with_range(t)
        if props:
            return (
                f"use it as the value of a property, e.g. {compact(props[0])} {compact(concept)} ;"
            )
        return "use it as the value of a property, not on its own"


@dataclass(frozen=True)
class FileRule:
    """A rule that checks one file asked about."""

    name: str
    check: Callable[[Checker, FileData], None]
    local: LocalFilter | None = None
    graph: GraphFilter | None = None


@dataclass(frozen=True)
class StatementRule:
    """A rule that checks one statement of a file asked about. ``check`` returns True when
    the statement is settled (the later statement rules do not look at it)."""

    name: str
    check: Callable[[Checker, FileData, Node, Node, Node], bool]
    local: LocalFilter | None = None
    graph: GraphFilter | None = None


@dataclass(frozen=True)
class GraphRule:
    """A rule that compares the files of the workspace (once per validation)."""

    name: str
    check: Callable[[Checker], None]
    local: LocalFilter | None = None
    graph: GraphFilter | None = None


Rule = FileRule | StatementRule | GraphRule


__all__ = ["Checker", "FileRule", "GraphRule", "Rule", "StatementRule", "VocabularyResult"]
