"""Stage 1: read a file and check that it is Turtle (file, line, column, offending text, hint).

Problems found here, in order: the file cannot be read, is too large, is empty, is binary,
is not UTF-8 (or is UTF-16), is an HTML/JSON document, does not parse as Turtle (pyoxigraph
gives line and column), or holds a literal whose text does not fit its datatype
(``"abc"^^xsd:date`` parses silently in every RDF library, so it is checked here).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from collabkg import parse_once
from collabkg.terms import PREFIXES, compact
from collabkg.validate.locate import LONG_STRING, FileIndex, scan
from collabkg.validate.locate import NESTING_LIMIT as MAX_NESTING
from collabkg.validate.report import Issue, Severity, Stage
from collabkg.validate.syntax_hints import Finding, amount_problems, explain_syntax_error
from collabkg.xsd import lexical_problem, short_name

MAX_FILE_BYTES = 5 * 1024 * 1024
"""A case file is a few kilobytes; anything over 5 MB is a mistake (an export, a data dump)."""
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)



@dataclass
class ParsedFile:
    """A file that parsed: its text, its triples (pyoxigraph terms) and its position index."""

    path: Path
    display: str
    text: str
    triples: list[ox.Triple]
    issues: list[Issue] = field(default_factory=list)
    """Problems found in a file that still parsed (ill-typed literals, huge strings)."""
    _index: FileIndex | None = None
    _once: parse_once.Parsed | None = None
    """The process's entry for these bytes: the positions scanned once for all its readers."""

    @property
    def index(self) -> FileIndex:
        """Positions in the file, scanned on first use (context files rarely need them)."""
        if self._index is None:
            if self._once is not None and isinstance(self._once.positions, FileIndex):
                self._index = self._once.positions
            else:
                self._index = scan(self.text)
                if self._once is not None:
                    self._once.positions = self._index
        return self._index

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to or from a worker process) without the process's own entry."""
        state = dict(self.__dict__)
        state["_once"] = None
        return state


def _issue(display: str, code: str, message: str, **kw: Any) -> Issue:
    return Issue(
        Severity.VIOLATION,
        Stage.SYNTAX if code.startswith("syntax") else Stage.FILE,
        code,
        message,
        file=display,
        **kw,
    )


# --------------------------------------------------------------------------- reading


def _decode(data: bytes, display: str) -> tuple[str | None, Issue | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, _issue(
            display,
            "file.utf16",
            "The file is saved as UTF-16 text, not UTF-8.",
            hint="Save it again with the encoding 'UTF-8' (in most editors: Save As… → Encoding).",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte order mark is harmless: ignore it
    head = data[:8192]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # bytes 0-8 and 14-31
    if b"\x00" in head or (head and controls > len(head) // 20):
        return None, _issue(
            display,
            "file.binary",
            "This is not a text file (it contains binary data), so it cannot be Turtle.",
            hint="Check you named the right file: a case file is plain text ending in .ttl, "
            "written in a text editor (not a word processor or spreadsheet).",
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        line_bytes = data[
            line_start : data.find(b"\n", exc.start) if b"\n" in data[exc.start :] else len(data)
        ]
        shown = line_bytes.decode("cp1252", errors="replace")
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        bad = data[exc.start : exc.start + 1]
        guess = bad.decode("cp1252", errors="replace")
        return None, _issue(
            display,
            "file.encoding",
            f"The file is not UTF-8 text: byte 0x{bad.hex().upper()} (probably “{guess}” "
            "saved in a Windows/Latin-1 encoding) cannot be read.",
            line=line,
            column=column,
            source_line=shown,
            hint="Save the file again with the encoding 'UTF-8' (in most editors: Save As… → "
            "Encoding → UTF-8); the characters stay the same.",
        )


def _looks_like(text: str) -> str | None:
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        return "an HTML or XML document"
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
        except ValueError:
            return None
        return "a JSON document"
    return None


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


# --------------------------------------------------------------------------- syntax hints

_POSITION = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)|"
    r"between line \d+ column \d+ and line \d+ column \d+)?: ?"
)
_TRAILING_LINE = re.compile(r"\s*\(line \d+\)\s*$")
_UNDECLARED = re.compile(r"The prefix (\S*): has not been declared")


def _previous_code_line(lines: list[str], line: int) -> int | None:
    for number in range(min(line - 1, len(lines)), 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _code_part(text: str) -> str:
    """A line without its trailing ``# comment`` (a # inside quotes or < > is kept)."""
    quote = ""
    angle = False
    for i, char in enumerate(text):
        if quote:
            if char == quote and text[i - 1] != "\\":
                quote = ""
        elif angle:
            angle = char != ">"
        elif char == '"':
            quote = char
        elif char == "<":
            angle = True
        elif char == "#":
            return text[:i].rstrip()
    return text.rstrip()


def _shorten(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "…"


_COMMENTED_CODE = re.compile(r"^\s*#\s*(?:[A-Za-z][\w\-]*:\S*|\.\s*$|a\s)")
"""A commented-out line of Turtle (``#     ck:hasFunder ckd:x ;``), not a prose comment."""


def _commented_block_after(lines: list[str], line: int) -> tuple[int, int] | None:
    """The run of commented-out Turtle lines right after ``line`` (a half un-commented block)."""
    end = line
    while end < len(lines) and _COMMENTED_CODE.match(lines[end]):
        end += 1
    return (line + 1, end) if end > line else None


def end_of_file_line(lines: list[str], line: int | None) -> int | None:
    """For an error the parser places after the last statement (past the end of the file, or on
    a blank or comment line), the last line of Turtle, where the fix belongs."""
    if line is not None and 1 <= line <= len(lines):
        stripped = lines[line - 1].strip()
        if stripped and not stripped.startswith("#"):
            return None
    return _previous_code_line(lines, len(lines) + 1)


def _unfinished_at_end(lines: list[str]) -> str:
    last = _previous_code_line(lines, len(lines) + 1)
    if last is None:
        return "the file ends in the middle of a statement: end the last statement with ' .'"
    code = _code_part(lines[last - 1])
    ending = code[-1:]
    block = _commented_block_after(lines, last)
    uncomment = ""
    if block is not None:
        span = f"line {block[0]}" if block[0] == block[1] else f"lines {block[0]}–{block[1]}"
        uncomment = (
            f"{span} below it still start with '#': if you are un-commenting that block, "
            "remove the '# ' from all of its lines; otherwise "
        )
    uncomment = uncomment[:1].upper() + uncomment[1:]
    if ending in (";", ","):
        more = "property of the same item" if ending == ";" else "value"
        return (
            f"line {last} ends with '{ending}' (another {more} should follow) but nothing "
            f"does. {uncomment}"
            f"end the item with ' .' instead of '{ending}'"
        )
    return (
        f"the last statement is not finished: line {last} ({_shorten(code)}) needs ' .' at "
        f"its end" + (f". {uncomment}add the ' .'" if uncomment else "")
    )


_PROPERTY_NAME = re.compile(r"^(?:(?:ck|rdfs|rdf|prov|org|dcterms|skos|owl):[a-z][\w\-]*|a)$")
"""A token that reads as a property (``ck:hasSector``, ``rdfs:label``), not a value."""
_VALUE_NAME = re.compile(r"^(?:(?:ckc|ckd):[\w\-]+|\".*|'.*|[+-]?\d[\d.]*|true|false)")
"""A token that reads as a value (``ckc:publicSector``, ``ckd:wigan-council``, text, a number)."""


_SPLIT_NAME_ERRORS = ("not a valid predicate", "dot is expected", "not a valid subject")
"""Parser errors that follow a name written with a space in it (``ckd:Bolton Council``)."""


def _joined_name(first: str, second: str) -> str:
    """``ckd:Bolton`` + ``Council`` -> ``ckd:bolton-council``; ``ck:Local`` + ``Authority`` ->
    ``ck:LocalAuthority`` (classes are written in CamelCase, IDs in lower case with hyphens)."""
    prefix, _colon, local = first.partition(":")
    if prefix == "ck" and local[:1].isupper():
        return f"{first}{second[:1].upper()}{second[1:]}"
    if prefix == "ckd":
        return f"{prefix}:{local.lower()}-{second.lower()}"
    if prefix == "ckc":  # values from a list are written in camelCase: ckc:publicSector
        return f"{prefix}:{local[:1].lower()}{local[1:]}{second[:1].upper()}{second[1:]}"
    return f"{first}-{second.lower()}"


def _prefix_hint(name: str, declared: dict[str, str]) -> str:
    if name in PREFIXES:
        return (
            f"add @prefix {name}: <{PREFIXES[name]}> . at the top of the file, "
            "with the other @prefix lines"
        )
    if name.startswith("\ufeff"):
        return "the file starts with an invisible character: save it again as UTF-8 without BOM"
    candidates = sorted(set(PREFIXES) | set(declared))
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    if close:
        return (
            f"'{name}:' is not a prefix collabkg uses — did you mean '{close[0]}:'? "
            f"(If '{name}:' is really meant, declare it with @prefix {name}: <…> . at the top.)"
        )
    known = ", ".join(f"{p}:" for p in PREFIXES if p not in ("sh", "cksh"))
    return (
        f"'{name}:' is not a prefix collabkg uses (ours are {known}); check the spelling, "
        f"or declare it with @prefix {name}: <…> . at the top of the file"
    )


def syntax_hint(
    message: str, lines: list[str], line: int | None, column: int | None, declared: dict[str, str]
) -> str:
    """Plain-English advice for one pyoxigraph Turtle error."""
    text = lines[line - 1] if line is not None and 1 <= line <= len(lines) else ""
    at = text[column - 1 :] if column else ""
    before = text[: column - 1] if column else ""
    lowered = _clean(message).lower()
    undeclared = _UNDECLARED.search(message)
    if undeclared:
        return _prefix_hint(undeclared.group(1), declared)
    split = re.search(r"([A-Za-z][\w\-]*:[\w\-]+)\s+$", before)
    word = re.match(r"[A-Za-z][\w\-]*(?![\w\-]*:)", at)
    if split and word and any(m in lowered for m in _SPLIT_NAME_ERRORS):
        joined = _joined_name(split.group(1), word.group(0))
        how = "(no space)" if "-" not in joined[len(split.group(1)) :] else "(with a hyphen)"
        return (
            f"names cannot contain spaces: write {joined} {how} — or, if "
            f"'{word.group(0)}' starts something new, a ' ;' or ' .' is missing before it"
        )
    if "prefix keyword should be followed" in lowered:
        return "a prefix name ends with a colon: write @prefix org: <http://www.w3.org/ns/org#> ."
    if "prefix declaration should be followed" in lowered:
        named = re.match(r"\s*@?prefix\s+([\w\-]*):", text, re.I)
        name = named.group(1) if named else "org"
        address = PREFIXES.get(name, "http://…")
        return (
            f"the web address in a @prefix line goes between < and >: @prefix {name}: <{address}> ."
        )
    if re.match(r"\s*@prefix\b", text, re.I) and not re.match(r"\s*@prefix\b", text):
        return "write @prefix in lower case: @prefix org: <http://www.w3.org/ns/org#> ."
    if re.match(r"^\s*prefix\b.*\.\s*$", text, re.I) and not text.lstrip().startswith("@"):
        return (
            "a line starting 'PREFIX' (without @) must not end with a dot: write either "
            "'@prefix org: <…> .' or 'PREFIX org: <…>'"
        )
    if at[:1] and at[:1] in "’‘'" and re.search(r"[\w\-]:[\w\-]+$", before):
        return (
            "an ID cannot contain an apostrophe: IDs use only letters, digits and '-' "
            "(e.g. ckd:st-judes-charity)"
        )
    if at[:1] and at[:1] in "“”‘’":
        return (
            'use straight quotes " around text, not curly quotes “ ” '
            "(word processors insert them: write the file in a text editor)"
        )
    if at[:1] == "£" or at[:1] == "$" or at[:1] == "€":
        return "write amounts as plain numbers, without a currency sign or commas: 250000.00"
    if at[:1] and at[:1] in "\u00a0\u2007\u2009\u202f":
        return (
            "there is a non-breaking space here (copied from a word processor or a web page): "
            "delete it and type a normal space"
        )
    if at[:1] and at[:1] in "–—‐‑−" and re.search(r"[\w\-]:[\w\-]*$", before):
        return (
            f"IDs use the plain hyphen '-', not the dash '{at[0]}' a word processor puts in: "
            f"retype it as '-' (e.g. ckd:wigan-council)"
        )
    if at.startswith("//"):
        return "comments start with '#', not '//': write # at the start of the comment"
    if at.startswith(".") and before.rstrip().endswith("."):
        return "there are two ' .' in a row here: remove one of them"
    missing_colon = re.match(
        r"(ck|ckc|ckd|org|prov|rdfs|dcterms|xsd)\s+([A-Za-z][\w\-]*)", at, re.I
    )
    if missing_colon and "not a valid" in lowered:
        prefix, name = missing_colon.groups()
        return (
            f"a ':' is missing between the prefix and the name: write {prefix.lower()}:{name} "
            "(no space)"
        )
    if before.rstrip().endswith("'") and before.count("'") % 2 == 0 and "not a valid" in lowered:
        quoted = re.search(r"(\S+)\s+'(.*)'", text)
        example = (
            f'{quoted.group(1)} "{quoted.group(2)}"' if quoted else 'rdfs:label "Bolton\'s Council"'
        )
        return (
            "text in single quotes ends at the next apostrophe: put text in double quotes "
            f"instead, e.g. {example} ;"
        )
    if before.rstrip().endswith('"') and before.count('"') % 2 == 0 and "not a valid" in lowered:
        return (
            'a double quote inside a text ends the text early: write \\" for a quote inside '
            "the text, or use the typographic quotes “ ” the source prints"
        )
    if "line jumps are not allowed" in lowered:
        return (
            'a text in double quotes is not closed on this line: add the closing ", or for '
            'text over several lines put three double quotes """ at both ends'
        )
    if "unexpected end of file" in lowered:
        if at[:1] and at[:1] in "\"'":
            return (
                'this text is never closed: add the closing quote(s) — """ if it started with """'
            )
        return (
            "the file ends in the middle of a statement: check the last statement ends with "
            "' .' and every quote, [ and ( is closed"
        )
    if lowered == "unexpected end":
        return _unfinished_at_end(lines)
    if "should be followed by a dot" in lowered:
        previous = _previous_code_line(lines, line or len(lines) + 1)
        where = f" (line {previous})" if previous else ""
        return f"the last statement{where} is not finished: end it with ' .'"
    if "dot is expected" in lowered:
        previous = _previous_code_line(lines, line or 1)
        token = at.split()[0] if at.split() else at
        lead = before.strip()
        if previous and re.match(r"\s*@prefix\b", lines[previous - 1], re.I):
            return f"a @prefix line ends with ' .': add ' .' at the end of line {previous}"
        if (
            previous
            and _code_part(lines[previous - 1]).endswith(",")
            and _PROPERTY_NAME.match(lead)
        ):
            return (
                f"line {previous} ends with ',' (which means: another value of the same "
                f"property follows), but this line starts a new property ({lead}): change "
                f"the ',' at the end of line {previous} to ' ;'"
            )
        if (
            len(lead.split()) >= 2
            and _VALUE_NAME.match(token)
            and (lead.endswith('"') or _VALUE_NAME.match(lead.split()[-1]))
        ):
            return (
                f"two values follow each other with nothing between them: if {token} is "
                "another value of the same property, put a ',' before it (e.g. ck:hasSector "
                "ckc:publicSector, ckc:voluntaryCommunitySector ;); if it starts a new "
                "statement, end the one before with ' .'"
            )
        if before.strip() and at[:1] not in ("", " "):
            return (
                f"a ' ;' is missing just before {token}: write ' ;' there if {token} is another "
                "property of the same item (or ' .' if a new item starts there)"
            )
        where = "the line before"
        if previous:
            shown = lines[previous - 1].strip()
            shown = shown if len(shown) <= 60 else shown[:57] + "…"
            where = f"line {previous} ({shown})"
        return (
            f"the statement before this point is not finished: {where} probably needs ' ;' at "
            "its end (the same item continues) or ' .' (its description is finished)"
        )
    if "escape" in lowered:
        return "a backslash \\ in text starts an escape: write \\\\ for a backslash, or remove it"
    if "is not a valid predicate" in lowered:
        return (
            "a property is expected here: names cannot contain spaces (use hyphens, e.g. "
            "ckd:wigan-council), and text in quotes cannot be a property"
        )
    missing_a = re.fullmatch(r"\s*(\S+)\s+((?:ck|org|prov):[A-Z][\w\-]*)\s*", before)
    if missing_a and re.search(r"^[;.] is not a valid rdf object", lowered):
        subject, kind = missing_a.groups()
        return (
            f"{kind} is a kind of thing (a class): to say what {subject} is, write "
            f"'{subject} a {kind}' — the 'a' before {kind} is missing"
        )
    if re.search(r"^; is not a valid rdf object", lowered):
        return "a property has no value: write its value before the ';' (or remove the property)"
    if re.search(r"^\. is not a valid rdf object", lowered):
        return (
            "a value is missing before this point: remove the extra ',' (or ';'), or write "
            "the missing value; also check every '(' is closed with ')'"
        )
    if "should end with a ']'" in lowered:
        return "a '[' is not closed: add the matching ']' before the ';' or '.'"
    if lowered.startswith("] is not a valid"):
        return "there is a ']' without a matching '[' before it: remove it"
    if lowered.startswith("^^"):
        return "a text can have a language tag (@en) or a datatype (^^xsd:…), not both"
    if "no scheme found" in lowered or "invalid iri" in lowered:
        return (
            "inside < > only a full web address is allowed (https://…, no spaces); for our "
            "items write a prefixed name such as ckd:my-organisation instead"
        )
    if "is not a valid subject" in lowered:
        return (
            "a new statement must start with the ID of an item (e.g. ckd:wigan-council); "
            "check the line before ends with ' .', ' ;' or ',' correctly and nothing is doubled"
        )
    if "is not allowed at the beginning of a prefix name" in lowered:
        return (
            "this character cannot start a name or a value: put text in straight double quotes "
            '"…" and names as prefix:name'
        )
    return (
        "check the punctuation around this point: ';' separates properties of the same item, "
        "',' separates values, ' .' ends the item (see data/TEMPLATE.ttl)"
    )


def _clean(message: str) -> str:
    text = _TRAILING_LINE.sub("", _POSITION.sub("", message)).strip()
    if re.match(r"\S+ is not (?:a valid|allowed)", text):
        return text  # it starts with what the file says (``ckd is not a valid RDF object``)
    return text[:1].upper() + text[1:] if text else message


def _syntax_issue(exc: SyntaxError, text: str, display: str) -> Issue:
    message = str(exc.args[0]) if exc.args else str(exc)
    lines = text.splitlines()
    line = exc.lineno
    column = exc.offset
    end_line = getattr(exc, "end_lineno", None)
    end_column = getattr(exc, "end_offset", None)
    width = (end_column - column) if (end_line == line and end_column and column) else None
    declared = {
        m.group(1): m.group(2)
        for m in re.finditer(r"(?im)^\s*@?prefix\s+([\w\-.]*):\s*<([^>]*)>", text)
    }
    hint = syntax_hint(message, lines, line, column, declared)
    cleaned = _clean(message)
    if cleaned.lower() == "unexpected end" or "should be followed by a dot" in cleaned.lower():
        # the parser stops past the last statement (often past the end of the file): point
        # to the last line of Turtle, where the ' .' is missing
        last = end_of_file_line(lines, line)
        if last is not None:
            line, column, width = last, len(_code_part(lines[last - 1])) + 1, 1
        if cleaned.lower() == "unexpected end":
            cleaned = "The file ends before its last statement is finished"
    source_line = lines[line - 1] if line is not None and 1 <= line <= len(lines) else None
    return Issue(
        Severity.VIOLATION,
        Stage.SYNTAX,
        "syntax.undeclared-prefix" if _UNDECLARED.search(message) else "syntax.error",
        f"Turtle syntax error: {cleaned}",
        file=display,
        line=line,
        column=column,
        width=width if width and width > 0 else 1,
        source_line=source_line,
        hint=hint,
    )


def _finding_issue(found: Finding, text: str, display: str) -> Issue:
    lines = text.splitlines()
    return Issue(
        Severity.VIOLATION,
        Stage.SYNTAX,
        found.code,
        found.message,
        file=display,
        line=found.line,
        column=found.column,
        width=found.width,
        source_line=lines[found.line - 1] if 1 <= found.line <= len(lines) else None,
        hint=found.hint,
    )


def _explained(issue: Issue, text: str) -> Issue:
    """The parser's error, or the mistake that explains it where it was made: a long text
    never closed, a language tag with '_', an amount written as £1.5m."""
    found = explain_syntax_error(text, issue.line, issue.column)
    return issue if found is None else _finding_issue(found, text, issue.file or "")


# --------------------------------------------------------------------------- literals


_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


class _Items:
    """Which item a value of this file belongs to, named as the other stages name it
    (``“2019–2021” (ckd:period-x)``; its kind is added once the ontology is read)."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._triples = triples
        self._labels: dict[str, str] | None = None

    def label(self, subject: str) -> str | None:
        if self._labels is None:
            self._labels = {}
            for t in self._triples:
                obj = t.object
                if (
                    t.predicate.value == _LABEL
                    and isinstance(obj, ox.Literal)
                    and isinstance(t.subject, ox.NamedNode)
                    and (obj.language in (None, "", "en") or t.subject.value not in self._labels)
                ):
                    self._labels[t.subject.value] = obj.value
        return self._labels.get(subject)

    def of_text(self, length: int, start: str) -> ox.Triple | None:
        """The statement whose text value is ``length`` characters long (and starts so)."""
        found: list[ox.Triple] = []
        for t in self._triples:
            obj = t.object
            if isinstance(obj, ox.Literal) and len(obj.value) == length:
                if obj.value.startswith(start[:10]):
                    return t
                found.append(t)
        return found[0] if found else None

    def names(self, triple: ox.Triple | None) -> dict[str, Any]:
        """The Issue fields that name the item (and the property) of a statement."""
        if triple is None or not isinstance(triple.subject, ox.NamedNode):
            return {}
        subject = triple.subject.value
        return {
            "focus": compact(subject),
            "focus_label": self.label(subject),
            "path": compact(triple.predicate.value),
        }


_DATE_TIME_WRITTEN = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[T ]\d")
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*$")


def _date_written(lexical: str, datatype: str) -> str | None:
    """The date meant, when an xsd:date is written as a date and time or day first."""
    if datatype != "http://www.w3.org/2001/XMLSchema#date":
        return None
    timed = _DATE_TIME_WRITTEN.match(lexical)
    if timed:
        return (
            f'a date has no time of day: write "{timed.group(1)}"^^xsd:date '
            "(a date, not a date-time)"
        )
    day_first = _DAY_FIRST.match(lexical)
    if day_first:
        day, month, year = day_first.groups()
        if int(day) <= 31 and int(month) <= 12:
            return (
                f'a date is written year-month-day: "{year}-{int(month):02d}-{int(day):02d}"'
                "^^xsd:date (if the source gives the day first, as in 31/03/2021)"
            )
    return None


def _literal_issues(parsed_triples: list[ox.Triple], index: FileIndex, display: str) -> list[Issue]:
    issues: list[Issue] = []
    items = _Items(parsed_triples)
    seen: set[tuple[str, str]] = set()
    for triple in parsed_triples:
        obj = triple.object
        if not isinstance(obj, ox.Literal) or obj.language:
            continue
        datatype = obj.datatype.value
        hint = lexical_problem(obj.value, datatype)
        if hint is None or (obj.value, datatype) in seen:
            continue
        hint = _date_written(obj.value, datatype) or hint
        seen.add((obj.value, datatype))
        short = short_name(datatype)
        place = next(
            (
                t.position
                for t in index.typed_literals
                if t.lexical == obj.value and t.datatype == datatype
            ),
            None,
        )
        issues.append(
            Issue(
                Severity.VIOLATION,
                Stage.SYNTAX,
                "syntax.ill-typed-literal",
                f'"{obj.value}" is not a valid {short} value.',
                file=display,
                line=place.line if place else None,
                column=place.column if place else None,
                width=len(place.text) if place else None,
                source_line=index.source_line(place.line) if place else None,
                hint=hint,
                value=f'"{obj.value}"^^{short}',
                **items.names(triple),
            )
        )
    if index.max_depth > MAX_NESTING and index.deepest is not None:
        issues.append(
            Issue(
                Severity.VIOLATION,
                Stage.SYNTAX,
                "syntax.too-deep",
                f"Brackets [ ] or ( ) are nested {index.max_depth} deep here; collabkg data "
                f"nests them at most {MAX_NESTING} deep.",
                file=display,
                line=index.deepest.line,
                column=index.deepest.column,
                source_line=(index.source_line(index.deepest.line) or "")[:200],
                hint="give each item its own ID (ckd:…) and describe it in its own statement, "
                "instead of nesting [ … ] inside [ … ]",
            )
        )
    for length, place in index.long_strings:
        issues.append(
            Issue(
                Severity.VIOLATION,
                Stage.SYNTAX,
                "syntax.text-too-long",
                f"A text here is {length:,} characters long; a label or quotation is at most "
                "a few paragraphs.",
                file=display,
                line=place.line,
                column=place.column,
                source_line=(index.source_line(place.line) or "")[:200],
                hint="quote only the passage that supports the fact (a few sentences), "
                "not a whole document",
                **items.names(items.of_text(length, place.text.lstrip("\"'"))),
            )
        )
    return issues


class _LazyIndex:
    """The positions of a parsed file for :func:`_literal_issues`, scanned only when needed:
    that a file has no brackets nested too deep and no huge text can be told without
    scanning it (most files also have no ill-typed literal, so no position is asked)."""

    def __init__(self, parsed: ParsedFile) -> None:
        self._parsed = parsed

    @property
    def typed_literals(self) -> list:
        return self._parsed.index.typed_literals

    def source_line(self, line: int | None) -> str | None:
        return self._parsed.index.source_line(line)

    @property
    def max_depth(self) -> int:
        text = self._parsed.text
        if text.count("[") + text.count("(") <= MAX_NESTING:
            return 0  # each level of nesting opens a bracket
        return self._parsed.index.max_depth

    @property
    def deepest(self) -> object:
        return self._parsed.index.deepest

    @property
    def long_strings(self) -> list:
        parsed = self._parsed
        if len(parsed.text) <= LONG_STRING or not any(
            isinstance(t.object, ox.Literal) and len(t.object.value) > LONG_STRING
            for t in parsed.triples
        ):
            return []  # every text of a file is the value of one of its literals
        return parsed.index.long_strings


# --------------------------------------------------------------------------- the stage


def read_turtle(
    path: Path, display: str, *, context: bool = False
) -> tuple[ParsedFile | None, list[Issue]]:
    """Read and parse one file; return the parsed file (None if it cannot be used) and issues.

    A ``context`` file (one that is part of the graph but not reported on) is only parsed:
    its literals and nesting are checked when it is itself validated.
    """
    try:
        if path.is_dir():
            return None, [_issue(display, "file.unreadable", "This is a folder, not a file.")]
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [_too_large(display, size)]
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            _issue(
                display,
                "file.unreadable",
                f"The file cannot be read: {exc.strerror or exc}.",
                hint="check the file name and that you may read it",
            )
        ]
    return parse_bytes(data, path, display, context=context)


def _too_large(display: str, size: int) -> Issue:
    return _issue(
        display,
        "file.too-large",
        f"The file is {size / 1024 / 1024:.1f} MB; a case file is a few kilobytes "
        f"(the limit is {MAX_FILE_BYTES // 1024 // 1024} MB), so it was not read.",
        hint="check you named the right file; quotations should be short passages, "
        "not whole documents",
    )


def parse_bytes(
    data: bytes, path: Path, display: str, *, context: bool = False
) -> tuple[ParsedFile | None, list[Issue]]:
    """Check and parse the bytes of a Turtle document (a file's, or an upload's)."""
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_large(display, len(data))]
    if not data.strip():
        return None, [
            _issue(
                display,
                "file.empty",
                "The file is empty.",
                hint="copy data/TEMPLATE.ttl to start a new case file, then fill it in",
            )
        ]
    text, problem = _decode(data, display)
    if problem is not None or text is None:
        return None, [problem] if problem else []
    kind = _looks_like(text)
    if kind:
        return None, [
            _issue(
                display,
                "file.not-turtle",
                f"This file is {kind}, not Turtle.",
                line=1,
                hint="a case file is Turtle text: copy data/TEMPLATE.ttl and fill it in",
            )
        ]
    if _only_comments(text):
        return None, [
            _issue(
                display,
                "file.no-statements",
                "The file has only comments and blank lines: it says nothing yet.",
                hint="add the case's statements (copy the pattern from data/TEMPLATE.ttl)",
            )
        ]
    try:
        once = parse_once.parse(str(path), data)  # parsed once per process
    except SyntaxError as exc:
        return None, [_explained(_syntax_issue(exc, text, display), text)]
    except (ValueError, OSError) as exc:  # pragma: no cover - defensive
        return None, [_issue(display, "syntax.error", f"The file cannot be parsed: {exc}")]
    parsed = ParsedFile(path, display, text, list(once.triples), _once=once)
    if context:
        return parsed, []
    parsed.issues = _literal_issues(parsed.triples, _LazyIndex(parsed), display)  # type: ignore[arg-type]
    # 1,500,000 parses (as three numbers): say how an amount is written
    parsed.issues += [
        _finding_issue(found, text, display)
        for found in amount_problems(text)
        if re.search(r"\d,\s*\d{3}", text.splitlines()[found.line - 1])
        and not text.splitlines()[found.line - 1][found.column - 1 :].startswith('"')
    ]
    if any(issue.code == "syntax.too-deep" for issue in parsed.issues):
        return None, parsed.issues  # generated junk: checking more would only add noise
    return parsed, parsed.issues


__all__ = [
    "MAX_FILE_BYTES",
    "ParsedFile",
    "lexical_problem",
    "parse_bytes",
    "read_turtle",
    "syntax_hint",
]
