"""A validation hint ("What to do") as the explorer shows it: prose as text, and only the
code in it (a whole line to paste, such as ``@prefix prov: <http://www.w3.org/ns/prov#> .``,
or a fragment written between backticks) as a copyable box. A template with a placeholder
(``@prefix ckzz: <…> .``) is not code to paste: it stays in the text."""

from __future__ import annotations

import re
from typing import Literal

Part = tuple[Literal["text", "code"], str]

_CODE = re.compile(
    r"(?P<prefix>@prefix\s+(?:[A-Za-z][\w.-]*)?\s*:\s*<[^<>\s…]+>\s*\.(?=\s|$|[,;)]))"
    r"|`(?P<quoted>[^`\n]+)`"
)


def fix_parts(hint: str) -> list[Part]:
    """``hint`` cut into text and code, in order; empty text between them left out."""
    parts: list[Part] = []
    at = 0
    for match in _CODE.finditer(hint):
        before = hint[at : match.start()].strip()
        if before:
            parts.append(("text", before))
        parts.append(("code", (match.group("prefix") or match.group("quoted")).strip()))
        at = match.end()
    rest = hint[at:].strip()
    if rest:
        parts.append(("text", rest))
    return parts
