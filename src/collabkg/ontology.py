"""The ontology as data: load it, check it with SPARQL, list its terms, find unknown ones.

Quality rules are SPARQL queries, one rule per file under ``queries/checks/*.rq``: each
returns the terms that break its rule, so a rule holds when its query returns no rows.
The same queries run in the tests (``tests/ontology/``), each beside a fixture that
proves it can fail.

``used_terms`` scans Turtle and SPARQL text (data/, shapes/, queries/) for terms in our
namespaces (``ck:`` and ``ckc:``, prefixed or as full IRIs, outside comments and
strings), with line numbers, so a typo such as ``ck:Organsation`` is caught before the
data is loaded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import URIRef
from rdflib.term import Node

from collabkg.catalogue import CannedQuery, parse_query_file
from collabkg.errors import LoadError
from collabkg.paths import ProjectPaths
from collabkg.terms import CK, CKC, OWL, RDF, SKOS

CHECKS_FOLDER = "checks"
"""Ontology checks live in ``queries/checks/`` (not in the canned-query catalogue)."""

OUR_NAMESPACES: tuple[str, ...] = (str(CK), str(CKC))
"""The namespaces whose terms the ontology defines."""

TERM_KINDS: tuple[URIRef, ...] = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    SKOS.Concept,
    SKOS.ConceptScheme,
)
"""What counts as a defined term: an IRI typed with one of these in the ontology files."""


# --------------------------------------------------------------------------- loading


def ontology_files(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """``ontology/*.ttl`` and ``ontology/concepts/*.ttl``, sorted."""
    paths = ProjectPaths.discover(root)
    files: list[Path] = []
    if paths.ontology.is_dir():
        files += sorted(paths.ontology.glob("*.ttl"))
    if paths.concepts.is_dir():
        files += sorted(paths.concepts.glob("*.ttl"))
    return files


@contextlib.contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal ("abc"^^xsd:decimal) it parses;
    callers report those values themselves, in words."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def parse_files(files: Iterable[str | os.PathLike[str]], graph: rdflib.Graph | None = None):
    """Parse Turtle files into one rdflib Graph; a syntax error becomes a LoadError."""
    target = graph if graph is not None else rdflib.Graph()
    with _quiet_rdflib():
        _parse_into(target, files)
    return target


def _parse_into(target: rdflib.Graph, files: Iterable[str | os.PathLike[str]]) -> None:
    for file in files:
        path = Path(file)
        try:
            target.parse(path, format="turtle")
        except SyntaxError as exc:
            line = getattr(exc, "lines", None)
            raise LoadError(
                f"not valid Turtle: {exc}",
                file=path.as_posix(),
                line=line if isinstance(line, int) else None,
                hint=f"run 'collabkg validate {path.as_posix()}' for the line and column",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise LoadError(f"cannot read the file: {exc}", file=path.as_posix()) from None


def load_ontology(root: str | os.PathLike[str] | None = None) -> rdflib.Graph:
    """The ontology and all concept schemes as one rdflib Graph."""
    return parse_files(ontology_files(root))


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class CheckResult:
    """The rows one check returned: each row is a term that breaks the check's rule."""

    check: CannedQuery
    vars: tuple[str, ...]
    rows: tuple[dict[str, str], ...]

    @property
    def id(self) -> str:
        return self.check.id

    @property
    def ok(self) -> bool:
        return not self.rows

    def lines(self) -> list[str]:
        """One readable line per row: ``term: value, value``."""
        out: list[str] = []
        for row in self.rows:
            out.append(" | ".join(row[v] for v in self.vars if row.get(v)))
        return out


def checks_folder(root: str | os.PathLike[str] | None = None) -> Path:
    return ProjectPaths.discover(root).queries / CHECKS_FOLDER


def load_checks(root: str | os.PathLike[str] | None = None) -> list[CannedQuery]:
    """Every ``queries/checks/*.rq`` file, sorted by id."""
    folder = checks_folder(root)
    if not folder.is_dir():
        return []
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


def run_check(graph: rdflib.Graph, check: CannedQuery) -> CheckResult:
    """Run one check over ``graph`` (rdflib's engine; the queries are self-contained)."""
    from rdflib.plugins.sparql import prepareQuery

    from collabkg.sparql_text import RDFLIB_PARSER

    with RDFLIB_PARSER:  # the parse only: the evaluation is safe in threads
        prepared = prepareQuery(check.text)
    result = graph.query(prepared)
    names = tuple(str(v) for v in (result.vars or ()))
    rows: list[dict[str, str]] = []
    for row in result:
        values: dict[str, str] = {}
        for name, value in zip(names, row, strict=False):  # type: ignore[arg-type]
            values[name] = "" if value is None else str(value)
        rows.append(values)
    return CheckResult(check, names, tuple(rows))


def run_checks(
    graph: rdflib.Graph,
    checks: Sequence[CannedQuery] | None = None,
    *,
    root: str | os.PathLike[str] | None = None,
) -> list[CheckResult]:
    """Run every ontology check (or the given ones) over ``graph``."""
    return [run_check(graph, c) for c in (checks if checks is not None else load_checks(root))]


# --------------------------------------------------------------------------- terms


def defined_terms(graph: rdflib.Graph) -> set[str]:
    """IRIs in our namespaces that the graph declares as a class, property or concept."""
    found: set[str] = set()
    for kind in TERM_KINDS:
        for subject in graph.subjects(RDF.type, kind):
            if isinstance(subject, URIRef) and str(subject).startswith(OUR_NAMESPACES):
                found.add(str(subject))
    return found


@dataclass(frozen=True)
class TermUse:
    """A term in our namespaces written in a file."""

    iri: str
    file: str
    line: int
    text: str
    """As written: ``ck:hasSector`` or ``<https://...>``."""

    def one_line(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


_PREFIX_DECL = re.compile(r"(?im)^\s*@?prefix\s+([A-Za-z][\w\-.]*)?:\s*<([^>]*)>")
_PNAME = re.compile(
    r"(?<![\w\-.:<])([A-Za-z][\w\-.]*)?:((?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})"
    r"(?:[\w\-.]|%[0-9A-Fa-f]{2})*)"
)


def _code_spans(text: str) -> Iterator[tuple[str, int, str]]:
    """Split Turtle/SPARQL text into ('code'|'iri', offset, text) spans.

    Comments and string literals are dropped; IRIs are given without their brackets.
    """
    i = 0
    n = len(text)
    start = 0
    while i < n:
        c = text[i]
        if c == "#":
            if i > start:
                yield "code", start, text[start:i]
            end = text.find("\n", i)
            i = n if end < 0 else end
            start = i
            continue
        if c == "<":
            end = text.find(">", i + 1)
            inner = text[i + 1 : end] if end > 0 else ""
            if end > 0 and not re.search(r"\s", inner):
                if i > start:
                    yield "code", start, text[start:i]
                yield "iri", i + 1, inner
                i = end + 1
                start = i
                continue
            i += 1
            continue
        if c in "\"'":
            if i > start:
                yield "code", start, text[start:i]
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            start = i
            continue
        i += 1
    if start < n:
        yield "code", start, text[start:]


def used_terms(path: str | os.PathLike[str], display: str | None = None) -> list[TermUse]:
    """Every use of a ``ck:``/``ckc:`` term in a Turtle or SPARQL file, with its line."""
    file = Path(path)
    shown = display or file.as_posix()
    text = file.read_text(encoding="utf-8")
    prefixes = {"ck": str(CK), "ckc": str(CKC)}
    for name, iri in _PREFIX_DECL.findall(text):
        prefixes[name or ""] = iri
    ours = {name: ns for name, ns in prefixes.items() if ns in OUR_NAMESPACES}
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    uses: list[TermUse] = []
    for kind, offset, span in _code_spans(text):
        if kind == "iri":
            if span.startswith(OUR_NAMESPACES) and span not in OUR_NAMESPACES:
                uses.append(TermUse(span, shown, line_of(offset), f"<{span}>"))
            continue
        for match in _PNAME.finditer(span):
            prefix = match.group(1) or ""
            if prefix not in ours:
                continue
            local = match.group(2).rstrip(".")
            if not local:
                continue
            uses.append(
                TermUse(
                    ours[prefix] + local,
                    shown,
                    line_of(offset + match.start()),
                    f"{prefix}:{local}",
                )
            )
    return uses


def files_using_terms(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The files whose terms must all be defined: data/, shapes/ (Turtle), queries/ (SPARQL)."""
    paths = ProjectPaths.discover(root)
    files: list[Path] = []
    sources = ((paths.data, "*.ttl"), (paths.shapes, "*.ttl"), (paths.queries, "*.rq"))
    for folder, pattern in sources:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob(pattern) if p.is_file())
    return files


def undefined_terms(
    files: Iterable[str | os.PathLike[str]],
    defined: set[str],
    *,
    root: str | os.PathLike[str] | None = None,
) -> list[TermUse]:
    """Uses of ``ck:``/``ckc:`` terms the ontology does not define, in file order."""
    project = ProjectPaths.discover(root)
    out: list[TermUse] = []
    for file in files:
        for use in used_terms(file, project.relative(file)):
            if use.iri not in defined:
                out.append(use)
    return out


def label_of(graph: rdflib.Graph, term: Node) -> str | None:
    """The English rdfs:label or skos:prefLabel of a term, if it has one."""
    from collabkg.labels import LabelIndex

    index = LabelIndex()
    for predicate in (SKOS.prefLabel, rdflib.RDFS.label):
        for value in graph.objects(term, predicate):
            index.add(term, predicate, value)
    return index.get(str(term))


__all__ = [
    "CHECKS_FOLDER",
    "OUR_NAMESPACES",
    "TERM_KINDS",
    "CheckResult",
    "TermUse",
    "checks_folder",
    "defined_terms",
    "files_using_terms",
    "label_of",
    "load_checks",
    "load_ontology",
    "ontology_files",
    "parse_files",
    "run_check",
    "run_checks",
    "undefined_terms",
    "used_terms",
]
