"""SPARQL query text read once, and written back in one form every parser reads alike.

Why: a check made with one parser on text that another parser then runs can be bypassed
wherever the two read the text differently (a ``#`` comment ended by a bare carriage
return, ``\\u0022`` inside a string, ``\\U`` escapes...). So the text is tokenised ONCE,
here, following the SPARQL 1.1 terminals (§19.8), and :func:`canonical_query` returns a
new text built from those tokens that leaves no room for another reading:

- comments are dropped (the line end stays), every line end becomes LF;
- every string is written again in double quotes, its escapes decoded and re-encoded
  with the plain escapes only (``\\" \\\\ \\n \\r``); ``\\u``/``\\U`` escapes are decoded;
- every prefixed name becomes its full ``<IRI>`` (PREFIX declarations are dropped), so no
  ``SERVICE:`` name can be taken for a keyword; an IRI right after an operand inside
  parentheses (where an engine may read its ``<`` as "less than") has ``#`` and ``'``
  escaped as ``\\u0023``/``\\u0027``, so that no comment or string can start inside it;
- everything else (keywords, variables, numbers, punctuation) is ASCII or a name and is
  kept as it was; tokens that touched are kept apart by a space when one was rewritten.

The checks (no SERVICE, no update) are made on the same tokens, so the text the engine
receives is exactly the text that was checked. Codepoint escapes outside strings and IRIs,
characters outside the grammar and undeclared prefixes are refused with their line and
column. The work is linear in the text and bounded by :data:`MAX_QUERY_BYTES`.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import time
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from collabkg.errors import QueryError, ReadOnlyViolation

RDFLIB_PARSER = threading.RLock()
"""Held around every use of rdflib's SPARQL parser: it is built on pyparsing, which is not
thread-safe (RDFLib/rdflib#1282). The explorer reads query texts in a background thread
(the answers it keeps, their order) while a page reads others; two parses at once failed
with "<lambda>() missing 1 required positional argument", and the failure was cached as
the text's answer for the life of the process."""

MAX_QUERY_BYTES: Final[int] = 512 * 1024
"""Longest query text accepted (UTF-8 bytes)."""
MAX_CHECK_S: Final[float] = 2.0
"""Longest time spent reading one query text before it is refused."""
MAX_DEPTH: Final[int] = 1000
"""Deepest nesting of brackets accepted (the engine's parser recurses on each)."""
MAX_CHAIN: Final[int] = 2000
"""Most operators in one unbroken chain (``1 + 1 + ...``, ``:p/:p/...``): the engine's
parser recurses on each, and 8,000 exhaust its stack."""
_OPERATORS: Final[frozenset[str]] = frozenset(
    {"+", "-", "*", "/", "|", "^", "&&", "||", "=", "!=", "<", ">", "<=", ">=", "!"}
)
_BREAKS: Final[frozenset[str]] = frozenset({".", ";", ","})

QUERY_FORMS: Final[frozenset[str]] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_WORDS: Final[frozenset[str]] = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
     "USING", "DATA"}
)
"""Words that exist only in SPARQL Update: a query never contains them outside a string."""
_PROLOGUE_WORDS: Final[frozenset[str]] = frozenset({"BASE", "PREFIX", "VERSION"})

# --- terminals (SPARQL 1.1 §19.8) ---------------------------------------------------------
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PREFIX = rf"(?:[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?)?"
_LOCAL = (
    rf"(?:(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?)"
)
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\\\"']"

_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)"
    r"|(?P<comment>#[^\r\n]*)"
    rf"|(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)"
    rf"|(?P<long2>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR}|{_UCHAR}))*\"\"\")"
    rf"|(?P<long1>'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*''')"
    rf"|(?P<str2>\"(?:[^\"\\\n\r]|{_ECHAR}|{_UCHAR})*\")"
    rf"|(?P<str1>'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*')"
    rf"|(?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)"
    rf"|(?P<bnode>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)"
    rf"|(?P<pname>{_PREFIX}:{_LOCAL}?)"
    r"|(?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+"
    r"|[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>\^\^|<<|>>|<=|>=|!=|&&|\|\||\{\||\|\}|[{}()\[\].,;*/|^!=<>+\-?~])"
)
_ESCAPE = re.compile(rf"{_UCHAR}|{_ECHAR}")
_ECHARS: Final[dict[str, str]] = {
    "t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", "\\": "\\", '"': '"', "'": "'",
}
_IRI_FORBIDDEN = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_PN_ESCAPE = re.compile(r"\\(.)")
_REWRITTEN: Final[frozenset[str]] = frozenset({"iri", "pname", "long1", "long2", "str1", "str2"})
_STRINGS: Final[frozenset[str]] = frozenset({"long1", "long2", "str1", "str2"})
_NEVER_MERGE: Final[str] = "(){}[],;.^!/|"
"""Punctuation that forms no longer token with a quote or an angle bracket beside it."""


def _apart(before: str, before_kind: str, piece: str, kind: str) -> bool:
    """Whether two touching tokens, one of them rewritten, need a space between them so
    that no reader can join them into another token (``<`` + ``<iri>`` = ``<<``, two
    strings = three quotes); a language tag or ``^^`` stays on its string."""
    if before_kind in _STRINGS and (kind == "langtag" or piece == "^^"):
        return False
    if before_kind in _STRINGS and kind in _STRINGS:
        return True
    return not (before[-1] in _NEVER_MERGE or piece[0] in _NEVER_MERGE)


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the check: its form and the only text that may be run."""

    text: str
    """The canonical text (see the module docstring): what the engine receives."""
    form: str
    """SELECT, ASK, CONSTRUCT or DESCRIBE."""
    names_default_graph: bool = False
    """The query says what its default graph is (``FROM <g>``): the engine must take it
    from there, not as the union of every graph (the default everywhere else)."""
    source: str = field(default="", compare=False, repr=False)
    """The text as the person wrote it (line ends made LF): what positions are given in."""
    origins: tuple[array[int], array[int], array[int]] | None = field(
        default=None, compare=False, repr=False
    )
    """Where each piece of :attr:`text` came from: its start in ``text``, the start of
    its token in :attr:`source`, and the token's length there (-1: rewritten, so a place
    inside it is the token's start)."""
    relative_iri: int | None = field(default=None, compare=False)
    """Where (in :attr:`source`) the first IRI that is not a full address is, with no BASE
    before it: an engine with no base address cannot read the query."""

    def source_offset(self, offset: int) -> int:
        """The place in :attr:`source` of the place ``offset`` in :attr:`text`."""
        if self.origins is None or not self.source:
            return min(max(offset, 0), len(self.source or self.text))
        starts, sources, lengths = self.origins
        if offset >= len(self.text) or not starts:
            return len(self.source)
        index = max(bisect.bisect_right(starts, offset) - 1, 0)
        inside = offset - starts[index]
        if lengths[index] < 0:  # rewritten: its start
            return sources[index]
        return sources[index] + min(inside, max(lengths[index], 0))

    def source_position(self, line: int, column: int) -> tuple[int, int]:
        """(line, column) in :attr:`source` of (line, column) in :attr:`text`, both from 1
        (the engine's column counts characters)."""
        lines = self.text.split("\n")
        line = min(max(line, 1), len(lines))
        offset = sum(len(text) + 1 for text in lines[: line - 1]) + max(column, 1) - 1
        return _position(self.source or self.text, self.source_offset(offset))


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _error(
    text: str, offset: int, message: str, hint: str, cls: type[QueryError] = QueryError
) -> QueryError:
    line, column = _position(text, offset)
    lines = text.split("\n")
    return cls(
        message,
        line=line,
        column=column,
        hint=hint,
        source_line=lines[line - 1] if line - 1 < len(lines) else None,
    )


def _codepoint(text: str, offset: int, digits: str) -> str:
    value = int(digits, 16)
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise _error(
            text, offset, f"\\u escape {digits} is not a Unicode character",
            "write the character itself, or a valid \\uXXXX escape",
        )
    return chr(value)


def _decode(body: str, text: str, offset: int, *, echar: bool) -> str:
    if "\\" not in body:
        return body

    def replace(match: re.Match[str]) -> str:
        escape = match.group(0)
        if escape[1] in "uU":
            return _codepoint(text, offset + match.start(), escape[2:])
        if not echar:
            raise _error(text, offset + match.start(), f"'{escape}' is not allowed in an IRI",
                         "write the IRI without backslashes")
        return _ECHARS[escape[1]]

    return _ESCAPE.sub(replace, body)


def _string(value: str, long: bool) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    if long:
        return '"""' + escaped + '"""'
    return '"' + escaped.replace("\n", "\\n") + '"'


def _iri(value: str, text: str, offset: int, *, harden: bool = False) -> str:
    """``<value>``; with ``harden``, ``#`` and ``'`` escaped (see :func:`canonical_query`)."""
    bad = _IRI_FORBIDDEN.search(value)
    if bad:
        raise _error(
            text, offset, f"the IRI contains a character that IRIs may not contain "
            f"({bad.group(0)!r}, perhaps written as an escape)",
            "percent-encode it (%20 for a space...)",
        )
    if harden:
        value = value.replace("#", "\\u0023").replace("'", "\\u0027")
    return "<" + value + ">"


def _ends_operand(kind: str, raw: str) -> bool:
    """Whether a token can end an operand of an expression (so a ``<`` after it can be
    read as "less than")."""
    if kind in ("var", "iri", "pname", "number", "langtag") or kind in _STRINGS:
        return True
    if kind == "word":
        return raw.lower() in ("true", "false")
    return raw in (")", "]")


def canonical_query(
    text: str,
    prefixes: Mapping[str, str] | None = None,
    *,
    max_bytes: int = MAX_QUERY_BYTES,
    max_seconds: float = MAX_CHECK_S,
) -> CheckedQuery:
    """Read ``text`` once; refuse updates and SERVICE; return the canonical text and form.

    ``prefixes`` are predeclared (the query's own PREFIX declarations win). Raises
    ReadOnlyViolation for SERVICE or an update, QueryError (with line and column) for a
    text that cannot be read as SPARQL or is too long.
    """
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise QueryError(
            f"the query is longer than {max_bytes // 1024} KB",
            hint="a query this long is a mistake; put the values in the data instead",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    declared: dict[str, str] = dict(prefixes or {})
    relative_prefixes: set[str] = set()
    out: list[str] = []
    # where each piece of ``out`` starts, the start of its token in ``text`` and the
    # token's length there (-1 when rewritten): positions in the text run, read back
    starts: array[int] = array("q")
    sources: array[int] = array("q")
    lengths: array[int] = array("q")
    written = 0

    def emit(piece: str, source: int, length: int) -> None:
        nonlocal written
        out.append(piece)
        starts.append(written)
        sources.append(source)
        lengths.append(length)
        written += len(piece)

    based = False  # BASE seen: relative IRIs after it have an address to resolve against
    relative_iri: int | None = None
    form: str | None = None
    position, end = 0, len(text)
    previous_kind = ""
    previous_rewritten = False
    glued = False
    deadline = time.monotonic() + max_seconds
    count = 0
    chains: list[int] = [0]  # operators in the current chain, per open bracket
    brackets: list[str] = []  # the open brackets, innermost last
    after_operand = False  # the last token (not counting whitespace) ends an operand
    values_next = False  # VALUES seen: its data block ("V") holds no expression
    pending_prefix: str | None = None  # PREFIX name: waiting for its IRI
    expect_prefix_name = False
    after_from = False  # FROM seen: NAMED next, or the default graph's IRI
    names_default_graph = False
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None:
            char = text[position]
            if char == "\\":
                raise _error(text, position, "a '\\' escape outside a string or an IRI",
                             "write the character itself (escapes belong in strings and IRIs)")
            raise _error(text, position, f"unexpected character {char!r} (U+{ord(char):04X})",
                         "SPARQL words and punctuation are ASCII; put other text in quotes")
        kind = match.lastgroup or ""
        raw = match.group(0)
        start = position
        position = match.end()
        count += 1
        if count & 1023 == 0 and time.monotonic() > deadline:
            raise QueryError(f"the query took longer than {max_seconds:g} s to read",
                             hint="make the query shorter")
        if kind == "ws":
            emit(raw, start, len(raw))
            glued = False
            continue
        if kind == "comment":
            glued = False
            continue
        if after_from:
            after_from = False
            names_default_graph = names_default_graph or raw.upper() != "NAMED"
        if kind == "word":
            word = raw.upper()
            after_from = word == "FROM"
            if word == "VALUES":
                values_next = True
            if word == "BASE":
                based = True
            if not brackets and form is not None and word in QUERY_FORMS:
                raise _error(text, start, "only one query can be run at a time",
                             f"remove what follows the first query (from this {raw} on), "
                             "and run it on its own")
            if word == "SERVICE":
                raise _error(text, start,
                             "SERVICE is not allowed: queries may not call other endpoints",
                             "query the collabkg graph only", ReadOnlyViolation)
            if word in UPDATE_WORDS:
                raise _error(text, start, f"this is an update ({word}): the graph is read-only",
                             "write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
                             ReadOnlyViolation)
            if form is None:
                if word in QUERY_FORMS:
                    form = word
                elif word not in _PROLOGUE_WORDS:
                    raise _error(text, start, f"a query starts with SELECT, ASK, CONSTRUCT or "
                                 f"DESCRIBE (after any PREFIX and BASE), not {raw}",
                                 "write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
            if word == "PREFIX" and form is None:
                expect_prefix_name = True
                emit(" " * len(raw), start, len(raw))  # dropped: names are written in full
                continue
        if expect_prefix_name:
            expect_prefix_name = False
            if kind != "pname" or not raw.endswith(":") or raw.count(":") != 1:
                raise _error(text, start, "PREFIX must be followed by a name ending in ':'",
                             "write PREFIX name: <http://...>")
            pending_prefix = raw[:-1]
            emit(" " * len(raw), start, len(raw))
            continue
        if pending_prefix is not None:
            if kind != "iri":
                raise _error(text, start, f"PREFIX {pending_prefix}: must be followed by an "
                             "IRI in <...>", "write PREFIX name: <http://...>")
            value = _decode(raw[1:-1], text, start, echar=False)
            _iri(value, text, start)  # refuses forbidden characters
            declared[pending_prefix] = value
            if _ABSOLUTE.match(value):
                relative_prefixes.discard(pending_prefix)
            else:
                relative_prefixes.add(pending_prefix)
                if not based and relative_iri is None:
                    relative_iri = start
            pending_prefix = None
            emit(" " * len(raw), start, len(raw))
            continue
        if kind == "word" and raw.upper() == "BASE" and relative_prefixes and form is None:
            raise _error(text, start, "BASE after a PREFIX with a relative IRI is ambiguous",
                         "put BASE before the PREFIX declarations")
        if kind == "punct" or (kind == "number" and raw[0] in "+-"):
            if raw in "({[":
                brackets.append("V" if raw == "{" and values_next else raw)
                values_next = values_next and raw != "{"  # VALUES (?a ?b) { ... }
                chains.append(0)
                if len(chains) > MAX_DEPTH:
                    raise _error(text, start, f"brackets are nested more than {MAX_DEPTH} deep",
                                 "write the query with less nesting")
            elif raw in ")}]":
                if len(chains) > 1:
                    chains.pop()
                if brackets:
                    brackets.pop()
            elif raw in _BREAKS:
                chains[-1] = 0
                if raw == ";" and not brackets and form is not None:
                    raise _error(text, start, "only one query can be run at a time: "
                                 "';' separates the steps of an update, not queries",
                                 "remove the ';' and what follows it, and run each query "
                                 "on its own")
            elif raw in _OPERATORS or kind == "number":
                chains[-1] += 1
                if chains[-1] > MAX_CHAIN:
                    raise _error(text, start, f"more than {MAX_CHAIN} operators in one chain "
                                 "(an expression or a property path)",
                                 "split the expression or the path into smaller parts")
        rewritten = kind in _REWRITTEN
        # an IRI right after an operand inside parentheses: an engine may read its '<' as
        # "less than" and then a '#' in it as a comment, a "'" as a string: escaped there
        harden = (
            after_operand and bool(brackets) and brackets[-1] == "("
            and not (len(brackets) > 1 and brackets[-2] == "V")  # a row of VALUES data
        )
        after_operand = _ends_operand(kind, raw)
        if kind == "iri":
            value = _decode(raw[1:-1], text, start, echar=False)
            piece = _iri(value, text, start, harden=harden)
            if not based and relative_iri is None and not _ABSOLUTE.match(value):
                relative_iri = start
        elif kind == "pname":
            name, _colon, local = raw.partition(":")
            if name not in declared:
                raise _error(text, start, f"the prefix '{name}:' is not declared",
                             f"add 'PREFIX {name}: <...>' at the top of the query")
            local = _PN_ESCAPE.sub(r"\1", local)
            piece = _iri(declared[name] + local, text, start, harden=harden)
            if not based and relative_iri is None and not _ABSOLUTE.match(declared[name]):
                relative_iri = start
        elif kind in ("long1", "long2"):
            piece = _string(_decode(raw[3:-3], text, start, echar=True), long=True)
        elif kind in ("str1", "str2"):
            piece = _string(_decode(raw[1:-1], text, start, echar=True), long=False)
        elif kind == "word" and raw.lower() in ("true", "false"):
            piece = raw.lower()  # booleans are case-insensitive; some engines know only these
        else:
            piece = raw
        if glued and (rewritten or previous_rewritten) and _apart(out[-1], previous_kind,
                                                                  piece, kind):
            emit(" ", start, -1)
        emit(piece, start, -1 if rewritten and piece != raw else len(raw))
        previous_kind, previous_rewritten, glued = kind, rewritten, True
    if expect_prefix_name or pending_prefix is not None:
        raise _error(text, end, "the query ends inside a PREFIX declaration",
                     "write PREFIX name: <http://...>")
    if form is None:
        if not text.strip() or count == 0 or all(not p.strip() for p in out):
            raise QueryError("the query is empty", hint="write a SELECT, ASK, CONSTRUCT or "
                             "DESCRIBE query")
        raise QueryError("the query has no SELECT, ASK, CONSTRUCT or DESCRIBE",
                         hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return CheckedQuery(
        "".join(out), form, names_default_graph, source=text,
        origins=(starts, sources, lengths), relative_iri=relative_iri,
    )


@functools.lru_cache(maxsize=1024)
def names_default_graph(text: str, prefixes: tuple[tuple[str, str], ...] = ()) -> bool:
    """Whether ``text`` names its default graph (``FROM <g>``; see
    :attr:`CheckedQuery.names_default_graph`), read by the same tokens as the check; False
    for a text that cannot be read (the engine says why when it runs it)."""
    try:
        return canonical_query(text, dict(prefixes)).names_default_graph
    except QueryError:
        return False


__all__ = [
    "MAX_CHECK_S",
    "MAX_QUERY_BYTES",
    "QUERY_FORMS",
    "CheckedQuery",
    "canonical_query",
    "names_default_graph",
]
