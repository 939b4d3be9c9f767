"""A page per source: every fact that cites it, grouped by kind, each quotation shown in
its passage of the source text when that text is available.

The source's text file is named by the source itself (``ck:hasTextFile``) and looked for in
the folder of source texts, found the one way the project finds it
(``collabkg.sources.texts_folder``: ``COLLABKG_SEEDS`` when set, else ``../shared/seeds``
beside the project folder).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from rdflib import URIRef

from collabkg.explorer.common import _q, _text, _unique, sentence_case, to_curie
from collabkg.explorer.index import ExplorerIndex, Quote, SourceInfo
from collabkg.sources import texts_folder
from collabkg.terms import CK, CKD

CONTEXT_CHARS = 280
"""Characters of the source text shown on each side of a quotation."""

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

Q_CITING = _q(
    """SELECT DISTINCT ?src ?x ?p ?o WHERE {
  { ?x prov:wasDerivedFrom|dcterms:source ?src }
  UNION { ?x ck:isEvidencedBy ?q . ?q prov:wasQuotedFrom ?src }
  FILTER NOT EXISTS { ?x a ck:Quotation }
  ?x ?p ?o . FILTER(isIRI(?o))
}"""
)
Q_TEXT_FILE = _q("SELECT ?src ?file WHERE { ?src ck:hasTextFile ?file }")

_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-]+")


def quote_anchor(quote_iri: str) -> str:
    """The anchor of a quotation on its source's page (its HTML ``id``, the ``#`` of a link
    to it): ``q-`` and the quotation's local name (``ckd:wigan-deal-quote-trust`` ->
    ``q-wigan-deal-quote-trust``), the same on every run. A quotation outside our namespace,
    or whose name is not plain letters, digits, ``-`` and ``_``, gets a short digest of its
    IRI as well, so that no two quotations share an anchor. Never shown as text."""
    ours = str(CKD)
    local = quote_iri[len(ours) :] if quote_iri.startswith(ours) else ""
    if _PLAIN_NAME.fullmatch(local):
        return f"q-{local}"
    name = re.split(r"[/#:]", quote_iri.rstrip("/#"))[-1]
    plain = "-".join(_PLAIN_NAME.findall(name))[:60] or "quotation"
    digest = hashlib.sha256(quote_iri.encode("utf-8")).hexdigest()[:10]
    return f"q-{plain}-{digest}"


def source_href(source_iri: str, quote_iri: str = "") -> str:
    """A relative link to a source's page; with ``quote_iri``, to that quotation on it
    (``sources?id=ckd%3Asrc-...#q-...``)."""
    href = f"sources?{urlencode({'id': to_curie(source_iri)})}"
    return f"{href}#{quote_anchor(quote_iri)}" if quote_iri else href


@dataclass(frozen=True)
class Passage:
    """A quotation in its place in the source text: the text before, the quotation, after."""

    before: str
    quoted: str
    after: str


@dataclass
class SourcedFact:
    """One thing the graph records from a source, with the quotations from that source."""

    iri: str
    label: str
    about: list[tuple[str, str]] = field(default_factory=list)
    """(label, IRI) of the organisations and collaborations it concerns (each has a profile)."""
    quotes: list[tuple[Quote, Passage | None]] = field(default_factory=list)


@dataclass
class FactGroup:
    title: str
    facts: list[SourcedFact]


@dataclass
class SourcePage:
    info: SourceInfo
    groups: list[FactGroup]
    text_available: bool
    text_note: str = ""
    record: list[tuple[str, str]] = field(default_factory=list)
    """What the graph records to trace the source (:func:`source_record`)."""

    @property
    def fact_count(self) -> int:
        return sum(len(g.facts) for g in self.groups)

    @property
    def quotation_count(self) -> int:
        return sum(len(f.quotes) for g in self.groups for f in g.facts)


@lru_cache(maxsize=16)
def _read(path: str, stamp: float) -> str:
    return Path(path).read_text(encoding="utf-8")


def source_text(index: ExplorerIndex, source_iri: str) -> str | None:
    """The text of a source, or None when it names no text file or the file is missing."""
    rows = index.kg.select(Q_TEXT_FILE, {"src": URIRef(source_iri)}).rows
    names = _unique(_text(row.get("file")) for row in rows)
    if not names:
        return None
    folder = texts_folder(index.kg.root)
    path = folder / Path(names[0]).name  # a file name only: never a path out of the folder
    try:
        return _read(str(path), path.stat().st_mtime)
    except (OSError, UnicodeDecodeError):
        return None


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs as one space (NFKC per character), and for each character
    of the result its position in the original text."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for position, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char):
            if piece.isspace():
                if not space and out:
                    out.append(" ")
                    where.append(position)
                space = True
            else:
                out.append(piece)
                where.append(position)
                space = False
    return "".join(out), where


@lru_cache(maxsize=8)
def _prepared(text: str) -> tuple[str, tuple[int, ...]]:
    normal, where = _normalised_with_map(text)
    return normal, tuple(where)


def passage(text: str, quotation: str, context: int = CONTEXT_CHARS) -> Passage | None:
    """Where ``quotation`` stands in ``text`` (whitespace and Unicode forms aside), or None."""
    wanted = " ".join(unicodedata.normalize("NFKC", quotation).split())
    if not wanted:
        return None
    normal, where = _prepared(text)
    start = normal.find(wanted)
    if start < 0:
        return None
    end = start + len(wanted)
    first, last = where[start], where[end - 1] + 1
    before = text[max(0, first - context) : first]
    after = text[last : last + context]
    before = " ".join(before.split())
    after = " ".join(after.split())
    if first - context > 0:
        before = "…" + before.split(" ", 1)[-1]
    if last + context < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return Passage(before=before, quoted=" ".join(text[first:last].split()), after=after)


def source_page(index: ExplorerIndex, source_iri: str) -> SourcePage | None:
    """Everything the graph records from one source, grouped by the kind of fact."""
    info = index.sources.get(source_iri)
    if info is None:
        return None
    types: dict[str, list[str]] = {}
    about: dict[str, list[str]] = {}
    for row in index.kg.select(Q_CITING, {"src": URIRef(source_iri)}).rows:
        x, p, o = _text(row["x"]), _text(row["p"]), _text(row["o"])
        if p == _RDF_TYPE:
            types.setdefault(x, []).append(o)
        elif index.kind(o) is not None and o != x:
            about.setdefault(x, []).append(o)
        types.setdefault(x, [])
    index.add_labels(set(types) | {t for found in types.values() for t in found})
    text = source_text(index, source_iri)
    groups: dict[str, list[SourcedFact]] = {}
    for iri, found in types.items():
        group = _group_title(index, iri, found)
        quotes = [q for q in index.evidence(iri).quotes if q.source_iri == source_iri]
        fact = SourcedFact(
            iri=iri,
            label=index.label(iri),
            about=sorted(
                {(index.label(e), e) for e in about.get(iri, [])}, key=lambda p: p[0].lower()
            ),
            quotes=[(q, passage(text, q.text) if text else None) for q in quotes],
        )
        groups.setdefault(group, []).append(fact)
    ordered = [
        FactGroup(title, sorted(facts, key=lambda f: f.label.lower()))
        for title, facts in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    note = "" if text else "The text of this source is not available here."
    return SourcePage(
        info=info,
        groups=ordered,
        text_available=text is not None,
        text_note=note,
        record=source_record(index, source_iri),
    )


def _group_title(index: ExplorerIndex, iri: str, types: list[str]) -> str:
    kind = index.kind(iri)
    if kind == "collaboration":
        return "Collaborations"
    if kind == "organisation":
        return "Organisations"
    ours = sorted(t for t in types if t.startswith(str(CK))) or sorted(types)
    if not ours:
        return "Other facts"
    return sentence_case(index.label(ours[0]))


# what a reader needs to find a source again, in the order a reference gives it
_RECORD = (
    ("Title", "http://purl.org/dc/terms/title"),
    ("Authors", "http://purl.org/dc/terms/creator"),
    ("Published in", "http://purl.org/dc/terms/isPartOf"),
    ("Publisher", "http://purl.org/dc/terms/publisher"),
    ("Date", "http://purl.org/dc/terms/date"),
    ("Address", "http://purl.org/dc/terms/identifier"),
    ("Address", "http://www.w3.org/2000/01/rdf-schema#seeAlso"),
    ("Address", "http://xmlns.com/foaf/0.1/page"),
    ("Address", "https://schema.org/url"),
    ("Note", "http://purl.org/dc/terms/description"),
)

Q_RECORD = _q(
    "SELECT ?src ?p ?v WHERE { ?src ?p ?v . "
    "FILTER(?p IN (dcterms:title, dcterms:creator, dcterms:isPartOf, dcterms:publisher, "
    "dcterms:date, dcterms:identifier, rdfs:seeAlso, <http://xmlns.com/foaf/0.1/page>, "
    "<https://schema.org/url>, dcterms:description, ck:hasUnstatedProperty)) }"
)


def source_record(index: ExplorerIndex, source_iri: str) -> list[tuple[str, str]]:
    """What the graph records about a source that a reader needs to trace it: title,
    authors, where it was published (journal or series), publisher, date, address, note;
    only what is recorded, each (what, value) in that order, several values joined. A
    property the graph records as unstated in the source (``ck:hasUnstatedProperty``)
    reads "not stated in the source"."""
    values: dict[str, list[str]] = {}
    unstated: set[str] = set()
    for row in index.kg.select(Q_RECORD, {"src": URIRef(source_iri)}).rows:
        p, v = _text(row["p"]), _text(row["v"])
        if p == str(CK.hasUnstatedProperty):
            unstated.add(v)
        elif v and v not in values.setdefault(p, []):
            values[p].append(v)
    record: list[tuple[str, str]] = []
    for what, prop in _RECORD:
        found = sorted(values.get(prop, [])) if prop.endswith("creator") else values.get(prop)
        if found:
            record.append((what, ", ".join(found) if what == "Authors" else "; ".join(found)))
        elif prop in unstated and what not in dict(record):
            record.append((what, "not stated in the source"))
    return record
