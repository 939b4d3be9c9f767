"""A question's description as people read it: where it names another question by its id
("see rationales-ranked"), the other question's title, a same-tab link to it."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import urlencode


def _pattern(ids: list[str]) -> re.Pattern[str] | None:
    """Ids as written in a description: one with a hyphen anywhere (no word of prose is
    written so), any after "see " (a one-word id is also a word: "barriers")."""
    if not ids:
        return None
    ordered = sorted(ids, key=len, reverse=True)  # the longest first: "rationales-ranked"
    hyphenated = "|".join(re.escape(i) for i in ordered if "-" in i)
    every = "|".join(re.escape(i) for i in ordered)
    parts = [rf"(?<=\bsee )(?P<see>{every})"]
    if hyphenated:
        parts.append(rf"(?P<id>{hyphenated})")
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])")


def description_segments(text: str, titles: Mapping[str, str]) -> list[str | tuple[str, str]]:
    """``text`` cut into plain text and (title, question id) for each question it names by
    id (``titles``: each question's id and title)."""
    pattern = _pattern(list(titles))
    if pattern is None:
        return [text] if text else []
    segments: list[str | tuple[str, str]] = []
    at = 0
    for match in pattern.finditer(text):
        found = match.group("see") or match.group("id")
        if found not in titles:
            continue
        if match.start() > at:
            segments.append(text[at : match.start()])
        segments.append((titles[found], found))
        at = match.end()
    if at < len(text):
        segments.append(text[at:])
    return segments


def description_html(text: str, titles: Mapping[str, str], page: str = "questions") -> str:
    """``text`` as HTML: each question it names by id shown by its title, as a link to that
    question on ``page`` (no target: the same tab); the rest escaped."""
    out: list[str] = []
    for segment in description_segments(text, titles):
        if isinstance(segment, tuple):
            title, query_id = segment
            href = html.escape(f"{page}?{urlencode({'q': query_id})}", quote=True)
            out.append(f'<a href="{href}">“{html.escape(title)}”</a>')
        else:
            out.append(html.escape(segment))
    return "".join(out)
