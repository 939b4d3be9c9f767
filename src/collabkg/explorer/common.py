"""Small helpers shared by the explorer's view models: names for people, short forms, plain text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from rdflib.term import Node

from collabkg.bindings import parse_iri
from collabkg.terms import CKC, compact, sparql_prologue

if TYPE_CHECKING:
    import pandas as pd

    pass


Kind = Literal["collaboration", "organisation"]

PAGE_OF_KIND: dict[str, str] = {"collaboration": "collaborations", "organisation": "organisations"}
"""The explorer page (url path) that shows a profile of each kind of entity."""

_PROLOGUE = sparql_prologue()
_CURIE_IN_TEXT = re.compile(r"\b(?:ck|ckc|ckd|cksh|org|prov|skos|rdfs|rdf|owl|dcterms|xsd):\w")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# --------------------------------------------------------------------------- small helpers


def sentence_case(text: str) -> str:
    """First letter upper case, the rest as written ("public sector" -> "Public sector")."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def humanise(name: str) -> str:
    """A column or variable name for people: ``accountableToLabel`` -> "Accountable to"."""
    text = re.sub(r"(_iri|Label|_label|Labels|_labels|Name|_name)$", "", name) or name
    text = _CAMEL.sub(" ", text)
    text = re.sub(r"[_\-]+", " ", text).strip().lower()
    text = re.sub(r"\bco (design|delivery|commissioning|assessment|creation)\b", r"co-\1", text)
    return sentence_case(text) or name


def column_title(column: str) -> str:
    """A downloaded answer's column for people: ``accountableToLabel`` -> "Accountable to",
    ``asset_iri`` -> "Asset (identifier)" (the identifiers stay, named as such)."""
    if column.endswith("_iri"):
        return f"{humanise(column[: -len('_iri')])} (identifier)"
    return humanise(column)


def plain_note(text: str) -> str | None:
    """A contributor's note fit for policy readers, or None when it talks in terms/IRIs."""
    text = " ".join(str(text).split())
    if not text or _CURIE_IN_TEXT.search(text) or "://" in text:
        return None
    return text


def to_curie(iri: str) -> str:
    """The short form used in URLs (``ckd:wigan-council``); the IRI itself when not ours."""
    return compact(iri)


def from_curie(value: str) -> str:
    """The IRI behind a URL parameter (``ckd:x`` or a full IRI); raises ParameterError."""
    return str(parse_iri(value))


def profile_target(iri: str, kind: str | None) -> tuple[str, dict[str, str]] | None:
    """(page url path, query params) of the profile page of an entity, if it has one."""
    page = PAGE_OF_KIND.get(kind or "")
    if page is None:
        return None
    return page, {"id": to_curie(iri)}


def profile_href(iri: str, kind: str | None, label: str | None = None) -> str | None:
    """A relative link to a profile; with ``label`` it is appended for link columns."""
    target = profile_target(iri, kind)
    if target is None:
        return None
    page, params = target
    if label is not None:
        params = {**params, "label": label}
    return f"{page}?{urlencode(params)}"


def link_parts(href: object) -> tuple[str, str, str] | None:
    """(page, id, label) of a link made by ``profile_href``; None for any other value."""
    from urllib.parse import parse_qs, urlsplit

    if not isinstance(href, str) or "?id=" not in href:
        return None
    parts = urlsplit(href)
    query = parse_qs(parts.query)
    if parts.path not in PAGE_OF_KIND.values() or "id" not in query:
        return None
    return parts.path, query["id"][0], query.get("label", [""])[0]


def shown_frame(frame: pd.DataFrame, link_columns: Sequence[str]) -> pd.DataFrame:
    """The frame as a table shows it: link cells replaced by their labels."""
    shown = frame.copy()
    for column in link_columns:
        shown[column] = [
            (parts[2] if (parts := link_parts(v)) else v) for v in frame[column].tolist()
        ]
    return shown


LINK_DISPLAY_REGEX = r"label=(.*)$"
"""For st.column_config.LinkColumn(display_text=...): shows the label part of a profile_href."""


def _text(term: Node | None) -> str:
    return "" if term is None else str(term)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


def _q(body: str) -> str:
    return _PROLOGUE + body


COCREATION_KINDS = {
    str(CKC.coCommissioning),
    str(CKC.coDesign),
    str(CKC.coDelivery),
    str(CKC.coAssessment),
    str(CKC.coCreation),
}


NONE_RECORDED = "none recorded"


# --------------------------------------------------------------------------- plain text

_CURIE = re.compile(r"\b(ck|ckc|ckd|cksh|org|prov|skos|rdfs|rdf|owl|dcterms|xsd):([A-Za-z][\w\-]*)")
_CURIE_ONLY_PARENS = re.compile(
    r"\s*\((?:\s*(?:and|or|,|/|\b(?:ck|ckc|ckd|cksh|org|prov|skos|rdfs|rdf|owl|dcterms|xsd)"
    r":[A-Za-z][\w\-]*)\s*)+\)"
)


def plain_text(text: str, label_of: Callable[[str], str]) -> str:
    """Text for policy readers: parenthesised terms dropped, other terms replaced by labels."""
    from collabkg.terms import PREFIXES

    text = _CURIE_ONLY_PARENS.sub("", text)

    def replace(match: re.Match[str]) -> str:
        prefix, local = match.group(1), match.group(2)
        namespace = PREFIXES.get(prefix)
        if namespace is None:
            return match.group(0)
        return f"“{label_of(namespace + local)}”"

    return _CURIE.sub(replace, text)
