"""One search across organisations, collaborations, places, concepts, sources and
quotations: every word must appear (in any order, any case), and words in double quotes
(straight or curly) together, in that order; results grouped by kind."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from collabkg.explorer.common import _q, _text, sentence_case
from collabkg.explorer.index import ExplorerIndex

KINDS: tuple[str, ...] = (
    "Collaborations",
    "Organisations",
    "Places",
    "Concepts",
    "Sources",
    "Quotations",
)
"""Result groups, in the order shown."""
ONE_OF_KIND: dict[str, str] = {
    "Collaborations": "collaboration",
    "Organisations": "organisation",
    "Places": "place",
    "Concepts": "concept",
    "Sources": "source",
    "Quotations": "quotation",
}
"""A result group's name for one result ("1 place", not "1 places")."""
PER_KIND = 20
"""Results listed per kind (the count says how many there are)."""

Q_CONCEPTS = _q(
    """SELECT ?c ?label ?definition WHERE {
  ?c a skos:Concept ; skos:prefLabel ?label .
  OPTIONAL { ?c skos:definition ?definition }
}"""
)


@dataclass(frozen=True)
class Hit:
    """One result: what to show, and where it leads (a page and its address parameters)."""

    title: str
    detail: str = ""
    page: str = ""
    params: tuple[tuple[str, str], ...] = ()
    fragment: str = ""
    """A place on the page (a quotation's anchor on its source's page), without ``#``."""

    @property
    def href(self) -> str:
        """The relative link to the result (``sources?id=...#q-...``), "" when none."""
        if not self.page:
            return ""
        query = f"?{urlencode(dict(self.params))}" if self.params else ""
        return f"{self.page}{query}" + (f"#{self.fragment}" if self.fragment else "")


@dataclass
class SearchResults:
    text: str
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _fold(text: str) -> str:
    """Lower case without accents or typographic quotes, for matching."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("\u2019", "'").replace("\u2018", "'").casefold()


_QUOTE_MARKS = re.compile('["\u201c\u201d]')
"""What marks a phrase in a search: straight or curly double quotes."""


def terms(text: str) -> list[str]:
    """What a search asks for, folded: each word outside double quotes, and each quoted
    phrase (its words one space apart). A quote left open runs to the end of the text."""
    found: list[str] = []
    for n, part in enumerate(_QUOTE_MARKS.split(_fold(text))):
        if n % 2:  # between quote marks
            phrase = " ".join(part.split())
            if phrase:
                found.append(phrase)
        else:
            found.extend(part.split())
    return found


def _haystack(*fields: str) -> str:
    """What a search looks in: the fields folded, their whitespace one space, a line break
    between fields (a quoted phrase is found within a field, never across two)."""
    return "\n".join(" ".join(_fold(f).split()) for f in fields)


@dataclass
class _Entry:
    kind: str
    haystack: str
    hit: Hit


def _entries(index: ExplorerIndex) -> list[_Entry]:
    """Everything searchable, built once per index."""
    cached = getattr(index, "_search_entries", None)
    if cached is not None:
        return cached
    from collabkg.explorer.common import PAGE_OF_KIND, to_curie
    from collabkg.explorer.sources import quote_anchor

    entries: list[_Entry] = []
    places: dict[str, int] = {}
    for entity in index.entities.values():
        kind = "Collaborations" if entity.kind == "collaboration" else "Organisations"
        detail = " · ".join(
            part
            for part in (
                entity.type_label,
                ", ".join(sentence_case(s) for s in entity.structure_types),
                ", ".join(entity.places),
            )
            if part
        )
        hit = Hit(entity.label, detail, PAGE_OF_KIND[entity.kind], (("id", to_curie(entity.iri)),))
        entries.append(_Entry(kind, _haystack(entity.label, detail, *entity.sectors), hit))
        if entity.kind == "collaboration":
            for place in entity.places:
                places[place] = places.get(place, 0) + 1
    for place, count in places.items():
        detail = f"{count} collaboration{'s' if count != 1 else ''}"
        hit = Hit(place, detail, "collaborations", (("place", place),))
        entries.append(_Entry("Places", _haystack(place), hit))
    for row in index.kg.select(Q_CONCEPTS).rows:
        label = sentence_case(_text(row["label"]))
        definition = _text(row.get("definition"))
        entries.append(
            _Entry("Concepts", _haystack(label, definition), Hit(label, definition, "", ()))
        )
    for source in index.sources.values():
        detail = " · ".join(b for b in (source.kind, ", ".join(source.creators), source.date) if b)
        hit = Hit(source.label, detail, "sources", (("id", to_curie(source.iri)),))
        entries.append(_Entry("Sources", _haystack(source.label, detail), hit))
    seen: set[str] = set()
    for subject, quotes in index.quotes_by_subject().items():
        for quote in quotes:
            if quote.iri in seen:
                continue
            seen.add(quote.iri)
            about = index.label(subject)
            detail = " · ".join(b for b in (quote.speaker, quote.source, f"about {about}") if b)
            params: tuple[tuple[str, str], ...] = ()
            if quote.source_iri:  # the quotation in its place on its source's page
                params = (("id", to_curie(quote.source_iri)),)
            page, anchor = ("sources", quote_anchor(quote.iri)) if params else ("", "")
            hit = Hit(f"“{quote.text}”", detail, page, params, anchor)
            entries.append(_Entry("Quotations", _haystack(quote.text, quote.speaker), hit))
    index._search_entries = entries  # type: ignore[attr-defined]
    return entries


def search(index: ExplorerIndex, text: str, per_kind: int = PER_KIND) -> SearchResults:
    """Results for ``text`` by kind (the first ``per_kind`` of each; ``counts`` has all).

    Every word must appear (as part of a word too: "council" finds "councils"); a phrase in
    double quotes must appear as it is written, its words in that order, next to each other."""
    wanted = terms(text)
    results = SearchResults(text=text.strip())
    if not wanted:
        return results
    found: dict[str, list[Hit]] = {kind: [] for kind in KINDS}
    for entry in _entries(index):
        if all(term in entry.haystack for term in wanted):
            found[entry.kind].append(entry.hit)
    for kind in KINDS:
        hits = sorted(found[kind], key=lambda h: (_haystack(h.title).find(wanted[0]) != 0, h.title))
        if hits:
            results.counts[kind] = len(hits)
            results.groups[kind] = hits[:per_kind]
    return results
