"""Turtle mistakes people make, found in the text and explained where they are.

The parsers report where they gave up, which is often far from the mistake. These scanners
look at the text itself:

- :func:`unclosed_long_string` — a ``\"\"\"`` text that is never closed (the parser swallows the
  rest of the file and fails at its end, or at the next ``\"\"\"``): reported where it opens;
- :func:`language_tag_typos` — ``"…"@en_GB``: a language tag takes a hyphen (``@en-GB``);
- :func:`unended_item` — an item ended with ``;`` where `` .`` belongs: the parser fails in
  the next item; reported at the ``;``;
- :func:`amount_problems` — ``ck:hasAmountInPounds £1.5m`` / ``1,500,000`` / ``"£250k"``:
  an amount is one plain number; said how to write it (and ``1,500,000``, which Turtle reads
  as three numbers, is caught even though it parses).

:func:`explain_syntax_error` picks the one that explains a parser's error at (line, column).
Each finding is a :class:`Finding` (line, column, width, message, hint) for the syntax stage
to turn into an issue. Nothing here parses Turtle; it only needs the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True)
class Finding:
    code: str
    line: int
    column: int
    width: int
    message: str
    hint: str


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


_PROPERTY_LINE = re.compile(
    r"^\s*(?:[A-Za-z][\w.-]*:[A-Za-z_][\w.-]*|a)\s+\S.*\s[;.]\s*$|^\s*[A-Za-z][\w.-]*:[\w.-]+ a "
)


def _scan(text: str) -> list[tuple[str, int, int]]:
    """Strings in the text: (kind, start, end); kind 'long' or 'short'; end -1 if unclosed."""
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "<":
            end = text.find(">", i + 1)
            newline = text.find("\n", i + 1)
            if end < 0 or (0 <= newline < end):
                i += 1  # not an IRI (a '<' in a comparison, or a broken one)
                continue
            i = end + 1
            continue
        if c in "\"'":
            if text.startswith(c * 3, i):
                quote = c * 3
                j = i + 3
                while j < n and not text.startswith(quote, j):
                    j += 2 if text[j] == "\\" else 1
                if j >= n:
                    out.append(("long", i, -1))
                    return out
                # """a "quoted" end"""" : the closing quotes are the last three
                while j + 3 < n and text[j + 3] == c:
                    j += 1
                out.append(("long", i, j + 3))
                i = j + 3
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] == "\n":
                out.append(("short", i, -1))
                i = j
                continue
            out.append(("short", i, j + 1))
            i = j + 1
            continue
        i += 1
    return out


def unclosed_long_string(text: str) -> Finding | None:
    """The ``\"\"\"`` (or ``'''``) that opens a text never properly closed, if any.

    Either the file ends inside it, or it runs over lines that are plainly Turtle statements
    (``    prov:wasQuotedFrom ckd:src-x .``): its closing quotes are missing, and the next
    ``\"\"\"`` closed it instead.
    """
    for kind, start, end in _scan(text):
        if kind != "long":
            continue
        body = text[start + 3 : end - 3] if end >= 0 else text[start + 3 :]
        if end >= 0 and not any(_PROPERTY_LINE.match(line) for line in body.splitlines()[1:]):
            continue
        line, column = _position(text, start)
        quote = text[start : start + 3]
        return Finding(
            "syntax.unclosed-long-string",
            line,
            column,
            3,
            f"The long text opened here with {quote} is never closed: the rest of the file "
            "was read as part of it.",
            f"add {quote} where the text ends (before the ' ;' or ' .' that follows it)",
        )
    return None


_LANG_TYPO = re.compile(r"(?<=[\"'])@([A-Za-z]+)((?:[_.][A-Za-z0-9]+)+)")


def language_tag_typos(text: str) -> list[Finding]:
    """``"…"@en_GB`` (or ``@en.GB``): a language tag's parts are joined by a hyphen."""
    found: list[Finding] = []
    strings = [(s, e) for _k, s, e in _scan(text) if e >= 0]
    ends = {e for _s, e in strings}
    for match in _LANG_TYPO.finditer(text):
        if match.start() not in ends:
            continue
        wrong = match.group(1) + match.group(2)
        right = match.group(1) + re.sub(r"[_.]", "-", match.group(2))
        line, column = _position(text, match.start())
        found.append(
            Finding(
                "syntax.language-tag",
                line,
                column,
                len(wrong) + 1,
                f"{wrong} is not a language tag: its parts are joined by a hyphen, not "
                f"“{match.group(2)[0]}”.",
                f"write @{right} (or just @en)",
            )
        )
    return found


_AMOUNT_PROPERTY = re.compile(r"\bck:hasAmountInPounds\s+")
_AMOUNT_VALUE = re.compile(
    r"""(?P<quoted>"[^"\n]*")(?:\^\^\S+)?|(?P<raw>[^\s;.,]*(?:[.,]\d[^\s;.,]*)*(?:\s*,\s*\d{3}(?!\d))*"""
    r"""(?:[ \t]+(?:million|thousand|billion|bn|m|k)\b)?)"""
)
_WORDS = {"k": Decimal(1000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000),
          "b": Decimal(1_000_000_000)}
_MONEY = re.compile(
    r"^£?\s*(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<word>k|m|bn|b|million|"
    r"thousand|billion)?$",
    re.IGNORECASE,
)


def _plain(value: str) -> str | None:
    """What an amount written as ``£1.5m`` or ``1,500,000`` is as a plain number."""
    match = _MONEY.match(value.strip())
    if not match:
        return None
    try:
        number = Decimal(match.group("number").replace(",", ""))
    except InvalidOperation:
        return None
    word = (match.group("word") or "").lower()
    word = {"million": "m", "thousand": "k", "billion": "bn"}.get(word, word)
    if word:
        number *= _WORDS[word]
    text = format(number.normalize(), "f")
    return text


def amount_problems(text: str) -> list[Finding]:
    """Amounts written with £, a word (m, k, bn) or thousands separators, or in quotes."""
    found: list[Finding] = []
    strings = [(s, e if e >= 0 else len(text)) for _k, s, e in _scan(text)]
    for prop in _AMOUNT_PROPERTY.finditer(text):
        if any(s <= prop.start() < e for s, e in strings):
            continue  # words inside a text (a shape's message, a description)
        line_start = text.rfind("\n", 0, prop.start()) + 1
        if prop.start() == line_start:
            continue  # the property as the subject of a statement (the ontology defines it)
        start = prop.end()
        match = _AMOUNT_VALUE.match(text, start)
        if match is None:
            continue
        written = match.group(0).strip()
        if not written:
            continue
        if not re.search(r"[\d£]", written):
            continue  # an ID or a word: the other checks say what is wrong with it
        inner = written
        if match.group("quoted"):
            inner = match.group("quoted")[1:-1]
        elif re.fullmatch(r"[+-]?\d+(\.\d+)?", written):
            continue  # a plain number: fine
        plain = _plain(inner)
        line, column = _position(text, start)
        example = plain if plain is not None else "250000"
        found.append(
            Finding(
                "syntax.amount",
                line,
                column,
                len(written),
                f"The amount {written} is not a plain number: an amount in pounds is written "
                "as digits only, without quotes, £ sign, thousands separators or words "
                "like m or k"
                + (" (Turtle reads 1,500,000 as three numbers)" if re.search(r"\d,\d{3}", written)
                   and not match.group("quoted") else "")
                + ".",
                f"write ck:hasAmountInPounds {example} ;",
            )
        )
    return found


_CONTENT_END = re.compile(r"([;,])\s*(?:#[^\n]*)?$")


def unended_item(text: str, line: int | None) -> Finding | None:
    """An item that ends with ``;`` (or ``,``) where it should end with `` .``, when the
    parser's error at ``line`` is in the next item's first two lines: the parser read the
    next item's ID as one more property of the item above, and failed after it.

    Only an item whose first line starts at the line's start (as every item of ours and of
    the template does) is taken for a new item; its properties are indented."""
    if line is None:
        return None
    lines = text.splitlines()
    for start in (line, line - 1):
        if not 1 <= start <= len(lines):
            continue
        first = lines[start - 1]
        if not first or first[0].isspace() or first[0] in "#@;,.[(" or first.upper().startswith(
            ("PREFIX", "BASE")
        ):
            continue
        before = start - 1
        while before >= 1 and (not lines[before - 1].strip() or
                               lines[before - 1].lstrip().startswith("#")):
            before -= 1
        if before < 1:
            return None
        # the last ';' or ',' of the line above, outside a text (the scan knows strings)
        above = lines[before - 1]
        if above.lstrip().startswith("@") or above.lstrip().upper().startswith(("PREFIX", "BASE")):
            return None  # a prefix line: its own hint says how it ends
        found = _CONTENT_END.search(above)
        if found is None or ("#" in above[: found.start()] and '"' not in above):
            return None  # no ';' at the end, or only in a comment
        offset = sum(len(text_line) + 1 for text_line in lines[: before - 1]) + found.start(1)
        if any(s <= offset < (e if e >= 0 else len(text)) for _k, s, e in _scan(text)):
            return None  # the ';' is inside a text
        mark = found.group(1)
        return Finding(
            "syntax.unended-item",
            before,
            found.start(1) + 1,
            1,
            f"This item ends with '{mark}' where ' .' belongs, so the next item "
            f"({first.split()[0]}, line {start}) was read as more of this one.",
            f"end the item with ' .' instead of ' {mark}' (';' goes between properties of the "
            "same item, ' .' after its last)",
        )
    return None


def explain_syntax_error(text: str, line: int | None, column: int | None = None) -> Finding | None:
    """The mistake that explains a parser's error at ``line`` (None when none of ours does)."""
    unclosed = unclosed_long_string(text)
    if unclosed is not None and (line is None or unclosed.line <= line):
        return unclosed
    for finding in (*language_tag_typos(text), *amount_problems(text)):
        if line is None or finding.line == line or finding.line == line - 1:
            return finding
    return unended_item(text, line)


__all__ = [
    "Finding",
    "amount_problems",
    "explain_syntax_error",
    "language_tag_typos",
    "unclosed_long_string",
    "unended_item",
]
