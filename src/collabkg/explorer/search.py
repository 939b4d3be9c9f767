"""One search across organisations, collaborations, places, concepts, sources, quotations
and every other labelled thing a source speaks of (funding streams, programmes, people,
activities...): every word must start a word of the result (in any order, any case: "collab"
finds "collaboration", "lab" does not), and words in double quotes (straight or curly)
together, in that order; results grouped by kind, whole-word and name matches first."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from collabkg.explorer.common import _q, _text, sentence_case
from collabkg.explorer.index import ExplorerIndex
from collabkg.terms import CK

KINDS: tuple[str, ...] = (
    "Collaborations",
    "Organisations",
    "Places",
    "Concepts",
    "Sources",
    "Quotations",
)
"""The result groups every graph has, in the order shown; the groups of other things (by
their kind: "Funding streams", "People") come between the concepts and the sources."""
ONE_OF_KIND: dict[str, str] = {
    "Collaborations": "collaboration",
    "Organisations": "organisation",
    "Places": "place",
    "Concepts": "concept",
    "Sources": "source",
    "Quotations": "quotation",
}
"""A result group's name for one result ("1 place", not "1 places")."""
EVIDENCE_QUESTION = "evidence-for"
"""The question a thing without a profile page leads to: the evidence for it."""
EVIDENCE_PARAM = "entity"
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
    singular: dict[str, str] = field(default_factory=dict)
    """Each group's name for one result, in lower case ("1 funding stream", "1 person")."""

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
    title: str = ""
    """The name alone, folded (results whose name holds the words come first)."""

    def __post_init__(self) -> None:
        if not self.title:
            self.title = _haystack(self.hit.title)


def _searchable(index: ExplorerIndex, things: Sequence[tuple[str, str]] = ()) -> _Searchable:
    """Everything searchable, built once per index (and list of ``things``): a search then
    only reads it, never the graph."""
    key = hash(tuple(things))
    cached = getattr(index, "_search_entries", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    searchable = _Searchable(_entries(index, things))
    index._search_entries = (key, searchable)  # type: ignore[attr-defined]
    return searchable


def _entries(index: ExplorerIndex, things: Sequence[tuple[str, str]] = ()) -> list[_Entry]:
    """Every entry a search looks in: organisations and collaborations, places, concepts,
    sources, quotations, then ``things``."""
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
    entries.extend(_thing_entries(index, things, seen, places))
    return entries


def _thing_entries(
    index: ExplorerIndex,
    things: Sequence[tuple[str, str]],
    quotations: Collection[str],
    places: Collection[str],
) -> list[_Entry]:
    """The things of the evidence question's choices that have no page of their own (not an
    organisation, collaboration, source or quotation), by kind (the label of their most
    specific type, in the plural), each leading to the evidence for it. A place already
    listed among the places (by the collaborations there) is not listed again."""
    from collabkg.explorer.common import to_curie

    wanted = [
        (label, iri)
        for label, iri in things
        if index.kind(iri) is None and iri not in index.sources and iri not in quotations
    ]
    types = index.types_of([iri for _label, iri in wanted])
    singular: dict[str, str] = getattr(index, "_search_singular", {})
    entries: list[_Entry] = []
    for label, iri in wanted:
        kind = sentence_case(index.label(types[iri]) if iri in types else "Other thing")
        group = plural(kind)
        if label in places and index.is_subclass(types.get(iri, ""), str(CK.Place)):
            continue  # listed among the places already, leading to their collaborations
        if group in ONE_OF_KIND:  # a kind of its own elsewhere: never mixed with it
            group, kind = f"Other {group.lower()}", f"other {kind.lower()}"
        singular[group] = kind.lower()
        params = (("q", EVIDENCE_QUESTION), (EVIDENCE_PARAM, to_curie(iri)))
        hit = Hit(label, f"{kind} · the evidence for it", "questions", params)
        entries.append(_Entry(group, _haystack(label), hit))
    index._search_singular = singular  # type: ignore[attr-defined]
    return entries


_POSSESSIVE = re.compile(r"(?<=\w)'s?$")
"""A possessive at a word's end ("Wigan's", "councils'"): it matches the word with or
without it."""


@dataclass(frozen=True)
class _Term:
    """One word or quoted phrase of a search, as patterns over a folded haystack."""

    text: str
    """What is looked for (a possessive taken off)."""
    starts: re.Pattern[str]
    """Where it starts a word (a word prefix)."""
    whole: re.Pattern[str]
    """Where it is a whole word (or phrase), a possessive allowed after it."""


def _term(text: str) -> _Term:
    base = _POSSESSIVE.sub("", text.replace(_END, "").replace(_WORD, "")) or text
    start = r"(?<!\w)" + re.escape(base)
    return _Term(base, re.compile(start), re.compile(start + r"(?:'s?)?(?!\w)"))


_END = "\x00"
"""Between two entries' haystacks in the text a search scans (never in a haystack)."""


_WORD = "\x01"
"""Put before every word's start in the text a search scans (and in what it looks for),
so finding a word's start is finding a plain string (never in a haystack)."""
_WORD_START = re.compile(r"(?<!\w)(?=\w)")


def _marked(text: str) -> str:
    """``text`` with :data:`_WORD` before the start of each of its words."""
    return _WORD_START.sub(_WORD, text)


@dataclass
class _Searchable:
    """Every entry's haystack in one text, each word's start marked (:func:`_marked`), so a
    search finds the entries holding a word's start with the string search of C, not a
    pattern matched against each entry; an entry found, the scan goes on from the next."""

    entries: list[_Entry]
    text: str = ""
    starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        offset = 0
        parts: list[str] = []
        for entry in self.entries:
            self.starts.append(offset)
            part = _marked(entry.haystack.replace(_END, " ").replace(_WORD, " "))
            parts.append(part)
            offset += len(part) + 1
        self.text = _END.join(parts)

    def having(self, term: _Term) -> set[int]:
        """The entries where ``term`` starts a word (their positions in ``entries``)."""
        text, starts, found, at = self.text, self.starts, set(), 0
        wanted = _marked(term.text)
        last = len(starts) - 1
        while (at := text.find(wanted, at)) >= 0:
            number = bisect.bisect_right(starts, at) - 1
            found.add(number)
            if number >= last:
                break
            at = starts[number + 1]
        return found


def search(
    index: ExplorerIndex,
    text: str,
    per_kind: int = PER_KIND,
    *,
    things: Sequence[tuple[str, str]] = (),
) -> SearchResults:
    """Results for ``text`` by kind (the first ``per_kind`` of each; ``counts`` has all).

    Every word must start a word of the result ("council" finds "councils", "lab" does not
    find "collaboration"); a word with a possessive ("Wigan's") finds the word with or
    without it; a phrase in double quotes must appear as it is written, from the start of a
    word, its words in that order, next to each other. In each kind, results whose name
    holds every word come first, then those where more words are whole words, then by name.

    ``things`` ((label, IRI), the evidence question's choices) are searched too, those that
    are not organisations, collaborations, sources or quotations grouped by their kind, each
    leading to the evidence for it."""
    wanted = [_term(t) for t in terms(text)]
    results = SearchResults(text=text.strip())
    if not wanted:
        return results
    found: dict[str, list[tuple[tuple[int, int, int, str], Hit]]] = {}
    searchable = _searchable(index, things)
    matching = searchable.having(wanted[0])
    for term in wanted[1:]:
        if matching:
            matching &= searchable.having(term)
    for number in sorted(matching):
        entry = searchable.entries[number]
        haystack, title = entry.haystack, entry.title
        rank = (
            0 if all(t.starts.search(title) for t in wanted) else 1,
            sum(1 for t in wanted if not t.whole.search(haystack)),
            0 if wanted[0].starts.match(title) else 1,
            entry.hit.title.casefold(),
        )
        found.setdefault(entry.kind, []).append((rank, entry.hit))
    for kind in _kind_order(found):
        hits = [hit for _rank, hit in sorted(found[kind], key=lambda pair: pair[0])]
        results.counts[kind] = len(hits)
        results.groups[kind] = hits[:per_kind]
        results.singular[kind] = ONE_OF_KIND.get(kind) or _singular_of(index, kind)
    return results


def _kind_order(kinds: Iterable[str]) -> list[str]:
    """The groups in the order shown: :data:`KINDS` up to the concepts, the other kinds in
    alphabetical order, then sources and quotations."""
    fixed = {kind: number for number, kind in enumerate(KINDS)}
    middle = fixed["Concepts"] + 0.5
    return sorted(kinds, key=lambda kind: (fixed.get(kind, middle), kind))


def _singular_of(index: ExplorerIndex, kind: str) -> str:
    names: dict[str, str] = getattr(index, "_search_singular", {})
    return names.get(kind, kind.lower())


# --------------------------------------------------------------------------- kinds in words

_IRREGULAR = {"person": "people", "child": "children", "staff": "staff", "series": "series"}


def plural(name: str) -> str:
    """A kind's name in the plural ("Funding stream" -> "Funding streams", "Person" ->
    "People", "Research study" -> "Research studies", "Group of organisations" -> "Groups of
    organisations"): its last word, or the word before "of", made plural."""
    noun, of, rest = name.partition(" of ")
    if of:  # "Group of organisations" -> "Groups of organisations"
        return f"{plural(noun)}{of}{rest}"
    head, _, last = name.rpartition(" ")
    lower = last.lower()
    if lower in _IRREGULAR:
        word = _IRREGULAR[lower]
        word = word[:1].upper() + word[1:] if last[:1].isupper() else word
    elif lower.endswith("y") and lower[-2:-1] not in tuple("aeiou"):
        word = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word
