"""Where things are written in a Turtle file: lines and columns for subjects, properties, terms.

rdflib and pyoxigraph keep no positions once a file is parsed, so this module scans the
text of a file that has already parsed cleanly and records:

- the line where each IRI first appears as the *subject* of a statement (where the item
  is described),
- the line where each (subject, property) pair is written inside that description,
- every place an IRI (prefixed name or ``<...>``) is written, with line and column,
- the prefix declarations with their lines, and every typed literal (``"..."^^xsd:date``).

The scanner is deliberately forgiving: it only runs on text the real parser accepted, and
it only needs to be right about positions, not about every corner of the grammar.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<dt>\^\^)
  | (?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<bnode>_:[^\s;,()\[\]]+)
  | (?P<number>[+-]?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<punct>[;,.\[\]()])
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[^\s;,()\[\]"'<>#\\]|\\.)*)
  | (?P<word>[A-Za-z]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)", re.DOTALL)


def unescape_string(token: str) -> str:
    """The value of a Turtle string token (quotes removed, escapes resolved)."""
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]

    def repl(match: re.Match[str]) -> str:
        if match.group(1) or match.group(2):
            return chr(int(match.group(1) or match.group(2), 16))
        return _ESCAPES.get(match.group(3), match.group(0))

    return _UNICODE_ESCAPE.sub(repl, body) if "\\" in body else body


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local) if "\\" in local else local


@dataclass(frozen=True)
class Position:
    line: int
    column: int
    text: str
    """As written in the file (``ck:hasFunder``, ``<https://...>``, ``"abc"^^xsd:date``)."""


@dataclass
class TypedLiteral:
    lexical: str
    datatype: str
    position: Position


@dataclass
class FileIndex:
    """Positions in one Turtle file (see the module docstring)."""

    prefixes: dict[str, tuple[str, int]] = field(default_factory=dict)
    """prefix name -> (namespace IRI, line of the declaration)."""
    subjects: dict[str, list[int]] = field(default_factory=dict)
    """IRI -> lines where it starts a statement as subject."""
    properties: dict[tuple[str, str], int] = field(default_factory=dict)
    """(subject IRI, property IRI) -> first line where the property is written for it."""
    occurrences: dict[str, list[Position]] = field(default_factory=dict)
    """IRI -> every place it is written."""
    typed_literals: list[TypedLiteral] = field(default_factory=list)
    long_strings: list[tuple[int, Position]] = field(default_factory=list)
    """(length, position) of strings over :data:`LONG_STRING` characters."""
    lines: list[str] = field(default_factory=list)
    max_depth: int = 0
    """How deeply [ ] and ( ) nest (0: not at all)."""
    deepest: Position | None = None
    """Where the nesting first goes deeper than :data:`NESTING_LIMIT`."""

    def subject_line(self, iri: str) -> int | None:
        found = self.subjects.get(iri)
        return found[0] if found else None

    def property_line(self, subject: str, prop: str) -> int | None:
        return self.properties.get((subject, prop))

    def first(self, iri: str) -> Position | None:
        found = self.occurrences.get(iri)
        return found[0] if found else None

    def source_line(self, line: int | None) -> str | None:
        if line is None or not 1 <= line <= len(self.lines):
            return None
        return self.lines[line - 1]

    def describes(self, iri: str) -> bool:
        return iri in self.subjects


LONG_STRING = 10_000
NESTING_LIMIT = 8
"""Blank nodes and lists nested deeper than this are a mistake (or generated junk)."""


@dataclass
class _Frame:
    kind: str  # "top" | "blank" | "list"
    subject: str | None = None
    predicate: str | None = None
    expect: str = "subject"  # subject | predicate | object | after


def scan(text: str, base: str | None = None) -> FileIndex:
    """Index the positions in ``text`` (a Turtle document that parses)."""
    index = FileIndex(lines=text.splitlines())
    line_starts = [0]
    line_starts += [m.end() for m in re.finditer(r"\r\n|\n|\r", text)]

    def where(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    prefixes: dict[str, str] = {}
    stack: list[_Frame] = [_Frame("top")]
    directive: list[str] = []  # pending tokens of a @prefix/@base/PREFIX/BASE directive
    last_string: tuple[str, Position] | None = None
    expect_datatype = False
    pos = 0
    n = len(text)

    def expand(kind: str, value: str) -> str | None:
        if kind == "iri":
            iri = value[1:-1]
            if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri):
                return base + iri
            return iri
        if kind == "pname":
            prefix, _, local = value.partition(":")
            namespace = prefixes.get(prefix)
            return None if namespace is None else namespace + _unescape_local(local)
        return None

    while pos < n:
        match = _TOKEN.match(text, pos)
        if match is None:  # pragma: no cover - the pattern matches any character
            break
        kind = match.lastgroup or "other"
        value = match.group(kind)
        start = pos
        pos = match.end()
        if kind in ("ws", "comment"):
            continue
        if kind == "pname" and value.endswith("."):
            stripped = value.rstrip(".")
            pos -= len(value) - len(stripped)
            value = stripped
        frame = stack[-1]
        line, column = where(start)
        position = Position(line, column, value)

        # ---- directives
        if directive:
            directive.append(value)
            if directive[0].lower() in ("@prefix", "prefix") and len(directive) == 3:
                name = directive[1][:-1] if directive[1].endswith(":") else directive[1]
                iri = directive[2][1:-1] if directive[2].startswith("<") else directive[2]
                prefixes[name] = iri
                index.prefixes[name] = (iri, line)
            elif directive[0].lower() in ("@base", "base") and len(directive) == 2:
                base = directive[1][1:-1]
            else:
                continue
            directive = []
            continue
        if (kind == "at" and value in ("@prefix", "@base")) or (
            kind == "word" and value.upper() in ("PREFIX", "BASE") and frame.expect == "subject"
        ):
            directive = [value]
            continue
        if kind == "punct" and value == "." and frame.kind == "top" and frame.expect == "subject":
            continue  # the dot that ends an @prefix line

        # ---- datatypes of literals
        if kind == "dt":
            expect_datatype = True
            continue
        if expect_datatype:
            expect_datatype = False
            datatype = expand(kind, value)
            if last_string is not None and datatype is not None:
                lexical, where_string = last_string
                index.typed_literals.append(
                    TypedLiteral(
                        lexical,
                        datatype,
                        Position(
                            where_string.line,
                            where_string.column,
                            f"{where_string.text}^^{value}",
                        ),
                    )
                )
            if datatype is not None:
                index.occurrences.setdefault(datatype, []).append(position)
            continue
        if kind == "at":  # a language tag
            continue

        # ---- terms
        term: str | None = None
        if kind in ("iri", "pname"):
            term = expand(kind, value)
            if term is not None:
                index.occurrences.setdefault(term, []).append(position)
        elif kind == "word" and value == "a" and frame.expect == "predicate":
            term = RDF_TYPE
        if kind in ("string", "long"):
            lexical = unescape_string(value)
            last_string = (lexical, position)
            if len(lexical) > LONG_STRING:
                index.long_strings.append((len(lexical), Position(line, column, value[:40])))
        elif kind != "dt":
            last_string = None

        # ---- statement structure
        if kind == "punct":
            if value == "[":
                if frame.expect == "object":
                    frame.expect = "after"
                elif frame.expect == "subject":
                    frame.expect = "predicate_after_blank"
                stack.append(_Frame("blank", expect="predicate"))
                if len(stack) - 1 > index.max_depth:
                    index.max_depth = len(stack) - 1
                    if index.max_depth == NESTING_LIMIT + 1:
                        index.deepest = position
            elif value == "(":
                if frame.expect == "object":
                    frame.expect = "after"
                elif frame.expect == "subject":
                    frame.expect = "predicate_after_blank"
                stack.append(_Frame("list", expect="object"))
                if len(stack) - 1 > index.max_depth:
                    index.max_depth = len(stack) - 1
                    if index.max_depth == NESTING_LIMIT + 1:
                        index.deepest = position
            elif value in ("]", ")"):
                if len(stack) > 1:
                    stack.pop()
                parent = stack[-1]
                if parent.expect == "predicate_after_blank":
                    parent.expect = "predicate"
                    parent.subject = None
            elif value == ";":
                frame.expect = "predicate"
            elif value == ",":
                frame.expect = "object"
            elif value == "." and frame.kind == "top":
                frame.expect = "subject"
                frame.subject = None
                frame.predicate = None
            continue

        if frame.kind == "list":
            continue  # list members: positions recorded above, no structure
        if frame.expect == "subject":
            frame.subject = term if term is not None else (value if kind == "bnode" else None)
            if term is not None and frame.kind == "top":
                index.subjects.setdefault(term, []).append(line)
            frame.expect = "predicate"
        elif frame.expect in ("predicate", "predicate_after_blank"):
            frame.predicate = term
            frame.expect = "object"
            if frame.subject is not None and term is not None and frame.kind == "top":
                index.properties.setdefault((frame.subject, term), line)
        elif frame.expect == "object":
            frame.expect = "after"
    return index


__all__ = [
    "LONG_STRING",
    "NESTING_LIMIT",
    "FileIndex",
    "Position",
    "TypedLiteral",
    "scan",
    "unescape_string",
]
