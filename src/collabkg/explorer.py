"""View models for the explorer: lists, profiles, evidence and results tables, in labels.

Everything here is plain Python over :class:`collabkg.graph.KnowledgeGraph` (no Streamlit),
so the explorer's pages stay thin and this logic is tested directly. Nothing returned for
display carries an IRI except in fields named ``iri`` (used to build links and downloads).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.bindings import parse_iri
from collabkg.errors import ParameterError
from collabkg.terms import CK, CKC, DCTERMS, ORG, PROV, RDFS, compact, sparql_prologue

if TYPE_CHECKING:
    import pandas as pd

    from collabkg.graph import KnowledgeGraph, QueryResult

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


# --------------------------------------------------------------------------- the index


@dataclass(frozen=True)
class Quote:
    """A quotation behind a fact, ready to show."""

    iri: str
    text: str
    speaker: str = ""
    locator: str = ""
    source: str = ""
    source_iri: str = ""


@dataclass(frozen=True)
class SourceInfo:
    iri: str
    label: str
    kind: str = ""
    creators: tuple[str, ...] = ()
    date: str = ""
    publisher: str = ""


@dataclass
class Evidence:
    quotes: list[Quote] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.quotes or self.sources)


@dataclass
class Entity:
    """A collaboration or organisation as the lists show it."""

    iri: str
    label: str
    kind: Kind
    type_label: str = ""
    structure_types: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    """Collaborations of an organisation, or members of a collaboration (labels)."""
    unnamed: bool = False


def _q(body: str) -> str:
    return _PROLOGUE + body


Q_COLLABORATIONS = _q(
    """SELECT DISTINCT ?e ?type WHERE {
  ?e a ?type . ?type rdfs:subClassOf* org:OrganizationalCollaboration .
}"""
)
Q_ORGANISATIONS = _q(
    """SELECT DISTINCT ?e ?type WHERE {
  ?e a ?type . ?type rdfs:subClassOf* org:Organization .
  FILTER NOT EXISTS { ?e a/rdfs:subClassOf* org:OrganizationalCollaboration }
}"""
)
Q_ENTITY_FACTS = _q(
    """SELECT ?e ?p ?v WHERE {
  VALUES ?p { ck:hasStructureType ck:hasSector ck:operatesIn prov:wasDerivedFrom
              dcterms:source ck:isUnnamedInSource org:unitOf }
  ?e ?p ?v .
}"""
)
Q_MEMBERSHIPS = _q("""SELECT DISTINCT ?c ?o WHERE { ?m org:organization ?c ; org:member ?o . }""")
Q_QUOTES = _q(
    """SELECT ?x ?q ?text ?role ?name ?speakerOrg ?loc ?src WHERE {
  ?x ck:isEvidencedBy ?q . ?q ck:hasText ?text .
  OPTIONAL { ?q ck:hasSpeakerRole ?role }
  OPTIONAL { ?q ck:hasSpeakerName ?name }
  OPTIONAL { ?q ck:hasSpeakerOrganisation ?speakerOrg }
  OPTIONAL { ?q ck:hasLocator ?loc }
  OPTIONAL { ?q prov:wasQuotedFrom ?src }
}"""
)
Q_ALL_QUOTATIONS = _q("""SELECT DISTINCT ?q WHERE { ?q a ck:Quotation }""")
Q_DERIVED = _q(
    """SELECT DISTINCT ?x ?src WHERE { ?x prov:wasDerivedFrom|dcterms:source ?src }"""
)
Q_SOURCES = _q(
    """SELECT ?s ?type ?creator ?date ?publisher WHERE {
  ?s a ?type . ?type rdfs:subClassOf* ck:Source .
  OPTIONAL { ?s dcterms:creator ?creator }
  OPTIONAL { ?s dcterms:date ?date }
  OPTIONAL { ?s dcterms:publisher ?publisher }
}"""
)


def _most_specific(types: Iterable[str], parents: Mapping[str, set[str]]) -> str:
    """The type that is no other listed type's superclass (ck: types first)."""
    listed = [t for t in types]
    ours = [t for t in listed if t.startswith(str(CK))] or listed
    supers: set[str] = set()
    for t in ours:
        supers |= parents.get(t, set()) - {t}
    specific = [t for t in ours if t not in supers]
    return sorted(specific or ours)[0] if (specific or ours) else ""


Q_SUBCLASS = _q(
    # the direct link first gives the path a start: Virtuoso refuses an unbound start
    """SELECT DISTINCT ?sub ?super WHERE { ?sub rdfs:subClassOf ?direct .
  ?sub rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }"""
)


class ExplorerIndex:
    """Everything the lists, the network and the evidence panels need, read once per graph."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        parents: dict[str, set[str]] = {}
        for row in kg.select(Q_SUBCLASS).rows:
            parents.setdefault(_text(row["sub"]), set()).add(_text(row["super"]))

        types: dict[str, list[str]] = {}
        kinds: dict[str, Kind] = {}
        for query, kind in ((Q_COLLABORATIONS, "collaboration"), (Q_ORGANISATIONS, "organisation")):
            for row in kg.select(query).rows:
                iri = row["e"]
                if not isinstance(iri, URIRef):
                    continue
                if kinds.get(str(iri)) == "collaboration":
                    continue  # Virtuoso's FILTER NOT EXISTS with a path lets these through
                kinds[str(iri)] = kind  # type: ignore[assignment]
                types.setdefault(str(iri), []).append(_text(row["type"]))
        self.kinds: dict[str, Kind] = kinds

        facts: dict[str, dict[str, list[str]]] = {}
        for row in kg.select(Q_ENTITY_FACTS).rows:
            subject = _text(row["e"])
            facts.setdefault(subject, {}).setdefault(_text(row["p"]), []).append(_text(row["v"]))
        self._facts = facts

        memberships: dict[str, list[str]] = {}
        member_of: dict[str, list[str]] = {}
        for row in kg.select(Q_MEMBERSHIPS).rows:
            collab, org = _text(row["c"]), _text(row["o"])
            memberships.setdefault(collab, []).append(org)
            member_of.setdefault(org, []).append(collab)

        # sources
        self.sources: dict[str, SourceInfo] = {}
        source_rows: dict[str, dict[str, list[str]]] = {}
        for row in kg.select(Q_SOURCES).rows:
            item = source_rows.setdefault(_text(row["s"]), {})
            for var in ("type", "creator", "date", "publisher"):
                if row.get(var) is not None:
                    item.setdefault(var, []).append(_text(row[var]))

        needed: set[str] = set(kinds) | set(source_rows)
        for subject_types in types.values():
            needed.update(subject_types)
        for item in facts.values():
            for values in item.values():
                needed.update(v for v in values if v.startswith("http"))
        for item in source_rows.values():
            needed.update(item.get("type", []))
        self._labels: dict[str, str] = kg.labels(needed)

        for iri, item in source_rows.items():
            kind = _most_specific(_unique(item.get("type", [])), parents)
            self.sources[iri] = SourceInfo(
                iri=iri,
                label=self.label(iri),
                kind=sentence_case(self.label(kind)) if kind else "",
                creators=tuple(sorted(_unique(item.get("creator", [])))),
                date=min(item.get("date", [""])),
                publisher=(_unique(item.get("publisher", [])) or [""])[0],
            )

        def own_sectors(iri: str) -> list[str]:
            """An organisation's sectors; a unit with none of its own has its parent's."""
            found = facts.get(iri, {}).get(str(CK.hasSector), [])
            parents = facts.get(iri, {}).get(str(ORG.unitOf), [])
            if not found and parents:
                found = facts.get(parents[0], {}).get(str(CK.hasSector), [])
            return found

        # entities
        self.entities: dict[str, Entity] = {}
        for iri, kind in kinds.items():
            item = facts.get(iri, {})
            specific = _most_specific(_unique(types.get(iri, [])), parents)
            links = memberships.get(iri, []) if kind == "collaboration" else member_of.get(iri, [])
            sectors = own_sectors(iri)
            if kind == "collaboration":
                sectors = [s for member in memberships.get(iri, []) for s in own_sectors(member)]
            self.entities[iri] = Entity(
                iri=iri,
                label=self.label(iri),
                kind=kind,
                type_label=sentence_case(self.label(specific)) if specific else "",
                structure_types=sorted(
                    _unique(self.label(v) for v in item.get(str(CK.hasStructureType), []))
                ),
                sectors=sorted(_unique(self.label(v) for v in sectors)),
                places=sorted(_unique(self.label(v) for v in item.get(str(CK.operatesIn), []))),
                sources=sorted(
                    _unique(
                        self.label(v)
                        for p in (PROV.wasDerivedFrom, DCTERMS.source)
                        for v in item.get(str(p), [])
                    )
                ),
                links=_unique(links),
                unnamed="true" in item.get(str(CK.isUnnamedInSource), []),
            )
        self._sector_iris = {iri: _unique(own_sectors(iri)) for iri in kinds}
        self._structure_iris = {
            iri: _unique(facts.get(iri, {}).get(str(CK.hasStructureType), [])) for iri in kinds
        }
        self._parent_unit = {
            iri: values[0] for iri, item in facts.items() if (values := item.get(str(ORG.unitOf)))
        }

        # evidence
        self._derived: dict[str, list[str]] = {}
        for row in kg.select(Q_DERIVED).rows:
            self._derived.setdefault(_text(row["x"]), []).append(_text(row["src"]))
        self._quotes: dict[str, list[Quote]] = {}
        speaker_orgs = {
            _text(row["speakerOrg"]) for row in kg.select(Q_QUOTES).rows if row.get("speakerOrg")
        }
        org_labels = kg.labels(speaker_orgs)
        seen: set[tuple[str, str]] = set()
        for row in kg.select(Q_QUOTES).rows:
            subject, quote_iri = _text(row["x"]), _text(row["q"])
            if (subject, quote_iri) in seen:
                continue
            seen.add((subject, quote_iri))
            speaker = ", ".join(
                part
                for part in (
                    _text(row.get("name")),
                    _text(row.get("role")),
                    org_labels.get(_text(row.get("speakerOrg")), ""),
                )
                if part
            )
            source_iri = _text(row.get("src"))
            self._quotes.setdefault(subject, []).append(
                Quote(
                    iri=quote_iri,
                    text=" ".join(_text(row["text"]).split()),
                    speaker=speaker,
                    locator=_text(row.get("loc")),
                    source=self.source_label(source_iri) if source_iri else "",
                    source_iri=source_iri,
                )
            )
        self.quotation_count = len(kg.select(Q_ALL_QUOTATIONS).rows)

    # ------------------------------------------------------------------ lookups

    def label(self, iri: str | Node | None) -> str:
        if iri is None:
            return ""
        if isinstance(iri, RdfLiteral):
            return str(iri)
        if isinstance(iri, BNode):
            return "(unnamed)"
        key = str(iri)
        found = self._labels.get(key)
        if found is None:
            found = self.kg.label(URIRef(key))
            self._labels[key] = found
        return found

    def add_labels(self, iris: Iterable[str]) -> None:
        missing = [i for i in iris if i not in self._labels]
        if missing:
            self._labels.update(self.kg.labels(missing))

    def kind(self, iri: str | Node | None) -> Kind | None:
        return self.kinds.get(str(iri)) if iri is not None else None

    def source_label(self, iri: str) -> str:
        info = self.sources.get(iri)
        return info.label if info else self.label(iri)

    def sectors_of(self, iri: str) -> list[str]:
        return self._sector_iris.get(iri, [])

    def structure_types_of(self, iri: str) -> list[str]:
        return self._structure_iris.get(iri, [])

    def parent_of(self, iri: str) -> str | None:
        return self._parent_unit.get(iri)

    def evidence(self, iri: str | Node | None) -> Evidence:
        """Quotations and sources recorded for a fact node."""
        if iri is None:
            return Evidence()
        key = str(iri)
        quotes = list(self._quotes.get(key, []))
        quoted_sources = {q.source_iri for q in quotes}
        sources = [
            self.sources.get(src) or SourceInfo(src, self.label(src))
            for src in _unique(self._derived.get(key, []))
            if src in self.sources or src not in quoted_sources
        ]
        return Evidence(quotes=quotes, sources=sources)

    def collaborations(self) -> list[Entity]:
        return sorted(
            (e for e in self.entities.values() if e.kind == "collaboration"),
            key=lambda e: (_is_unnamed(e), e.label.lower()),
        )

    def organisations(self) -> list[Entity]:
        return sorted(
            (e for e in self.entities.values() if e.kind == "organisation"),
            key=lambda e: (_is_unnamed(e), e.label.lower()),
        )

    def href(self, iri: str, label: str | None = None) -> str | None:
        return profile_href(iri, self.kind(iri), label)


def _is_unnamed(entity: Entity) -> bool:
    """Things the sources describe without naming them sort after named ones."""
    label = entity.label
    return entity.unnamed or "not named in the source" in label or "none named" in label


# --------------------------------------------------------------------------- list tables


LIST_COLUMNS = {
    "collaboration": [
        "Name",
        "Structure type",
        "Sectors involved",
        "Place",
        "Kind",
        "Members",
        "Sources",
    ],
    "organisation": ["Name", "Kind", "Sector", "Place", "Collaborations", "Sources"],
}


def entity_table(index: ExplorerIndex, kind: Kind) -> pd.DataFrame:
    """The list page's table: one row per entity, labels only (plus ``iri`` and ``link``)."""
    import pandas as pd

    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    rows: list[dict[str, object]] = []
    for e in entities:
        linked = ", ".join(sorted((index.label(i) for i in e.links), key=str.lower))
        row: dict[str, object] = {
            "iri": e.iri,
            "link": profile_href(e.iri, e.kind, e.label),
            "Name": e.label,
            "Kind": e.type_label,
        }
        if kind == "collaboration":
            row["Structure type"] = ", ".join(sentence_case(s) for s in e.structure_types)
            row["Sectors involved"] = ", ".join(sentence_case(s) for s in e.sectors)
            row["Place"] = ", ".join(e.places)
            row["Members"] = linked
        else:
            row["Sector"] = ", ".join(sentence_case(s) for s in e.sectors)
            row["Place"] = ", ".join(e.places)
            row["Collaborations"] = linked
        row["Sources"] = "; ".join(e.sources)
        rows.append(row)
    return pd.DataFrame(rows, columns=["iri", "link", *LIST_COLUMNS[kind]])


@dataclass(frozen=True)
class ListFilters:
    text: str = ""
    structure_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def filter_options(index: ExplorerIndex, kind: Kind) -> dict[str, list[str]]:
    """The values each filter can take (labels, sentence case where they are concepts)."""
    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    return {
        "structure_types": sorted({sentence_case(s) for e in entities for s in e.structure_types}),
        "sectors": sorted({sentence_case(s) for e in entities for s in e.sectors}),
        "places": sorted({p for e in entities for p in e.places}),
        "sources": sorted({s for e in entities for s in e.sources}),
    }


def filter_entities(index: ExplorerIndex, kind: Kind, filters: ListFilters) -> list[Entity]:
    """Entities matching every filter; the text matches names, kinds, places and members."""
    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    words = filters.text.lower().split()
    out: list[Entity] = []
    for e in entities:
        if filters.structure_types and not (
            {sentence_case(s) for s in e.structure_types} & set(filters.structure_types)
        ):
            continue
        if filters.sectors and not ({sentence_case(s) for s in e.sectors} & set(filters.sectors)):
            continue
        if filters.places and not (set(e.places) & set(filters.places)):
            continue
        if filters.sources and not (set(e.sources) & set(filters.sources)):
            continue
        if words:
            haystack = " ".join(
                [
                    e.label,
                    e.type_label,
                    *e.places,
                    *e.structure_types,
                    *e.sectors,
                    *(index.label(i) for i in e.links),
                ]
            ).lower()
            if not all(w in haystack for w in words):
                continue
        out.append(e)
    return out


# --------------------------------------------------------------------------- counts & charts


def home_counts(index: ExplorerIndex) -> dict[str, int]:
    return {
        "Collaborations": len(index.collaborations()),
        "Organisations": len(index.organisations()),
        "Sources": len(index.sources),
        "Quotations": index.quotation_count,
    }


def collaborations_by_structure_type(index: ExplorerIndex) -> pd.DataFrame:
    import pandas as pd

    counts: Counter[str] = Counter()
    for e in index.collaborations():
        for s in e.structure_types or ["not recorded"]:
            counts[sentence_case(s)] += 1
    return pd.DataFrame(
        sorted(counts.items(), key=_count_order),
        columns=["Structure type", "Collaborations"],
    )


def organisations_by_sector(index: ExplorerIndex) -> pd.DataFrame:
    import pandas as pd

    counts: Counter[str] = Counter()
    for e in index.organisations():
        for s in e.sectors or ["not recorded"]:
            counts[sentence_case(s)] += 1
    return pd.DataFrame(
        sorted(counts.items(), key=_count_order),
        columns=["Sector", "Organisations"],
    )


def _count_order(item: tuple[str, int]) -> tuple[bool, int, str]:
    """Largest first, "Not recorded" last."""
    return (item[0] == "Not recorded", -item[1], item[0])


Q_COCREATION_BY_TYPE = _q(
    """SELECT ?st ?act ?kind ?how WHERE {
  ?c ck:hasStructureType ?st .
  { ?act ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?act }
  { ?act ck:isClassifiedAs ?kind BIND("classified by the researchers" AS ?how) }
  UNION { ?act ck:mayBeClassifiedAs ?kind BIND("possibly (researchers undecided)" AS ?how) }
}"""
)


def cocreation_by_structure_type(index: ExplorerIndex) -> pd.DataFrame:
    """Activities per (structure type, kind of involvement) as the researchers classify them."""
    import pandas as pd

    rows = index.kg.select(Q_COCREATION_BY_TYPE).rows
    seen: set[tuple[str, str, str]] = set()
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        key = (_text(row["st"]), _text(row["kind"]), _text(row["act"]))
        if key in seen:
            continue
        seen.add(key)
        counts[(_text(row["st"]), _text(row["kind"]), _text(row["how"]))] += 1
    index.add_labels({k[0] for k in counts} | {k[1] for k in counts})
    data = [
        {
            "Structure type": sentence_case(index.label(st)),
            "Kind of involvement": sentence_case(index.label(kind)),
            "Co-creation?": "yes" if kind in COCREATION_KINDS else "no",
            "How sure": how,
            "Activities": n,
        }
        for (st, kind, how), n in sorted(counts.items())
    ]
    return pd.DataFrame(
        data,
        columns=["Structure type", "Kind of involvement", "Co-creation?", "How sure", "Activities"],
    )


COCREATION_KINDS = {
    str(CKC.coCommissioning),
    str(CKC.coDesign),
    str(CKC.coDelivery),
    str(CKC.coAssessment),
    str(CKC.coCreation),
}


# --------------------------------------------------------------------------- profiles


Segment = str | tuple[str, str]
"""Text, or (label, iri) for a named thing (rendered as a link when it has a profile)."""


@dataclass
class Fact:
    """One statement on a profile page, with the node whose evidence backs it."""

    title: list[Segment]
    details: list[tuple[str, list[Segment]]] = field(default_factory=list)
    node: str | None = None
    notes: list[str] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    flag: str = ""
    """A short warning shown with the fact (e.g. no accountability recorded)."""


@dataclass
class Section:
    key: str
    title: str
    facts: list[Fact] = field(default_factory=list)
    empty: str = ""
    """What to say when there is nothing (the absence can be the finding)."""


@dataclass
class Profile:
    iri: str
    label: str
    kind: Kind
    summary: list[tuple[str, list[Segment]]]
    sections: list[Section]
    node: str
    notes: list[str] = field(default_factory=list)


@dataclass
class _Node:
    iri: str
    props: dict[str, list[Node]] = field(default_factory=dict)

    def all(self, prop: URIRef) -> list[Node]:
        return self.props.get(str(prop), [])

    def one(self, prop: URIRef) -> Node | None:
        values = self.all(prop)
        return values[0] if values else None

    def has(self, prop: URIRef) -> bool:
        return bool(self.all(prop))


def _describe_self(kg: KnowledgeGraph, iri: str) -> _Node:
    """Every property of one node."""
    node = _Node(iri)
    for row in kg.select(_q("SELECT ?s ?p ?v WHERE { ?s ?p ?v }"), {"s": URIRef(iri)}).rows:
        values = node.props.setdefault(_text(row["p"]), [])
        if row["v"] not in values:
            values.append(row["v"])  # type: ignore[arg-type]
    return node


def _describe(kg: KnowledgeGraph, var: str, value: str, pattern: str) -> list[_Node]:
    """Every property of the nodes ``?x`` matched by ``pattern`` (with ``?<var>`` bound)."""
    query = _q(f"SELECT DISTINCT ?{var} ?x ?p ?v WHERE {{ {pattern} ?x ?p ?v . }}")
    nodes: dict[str, _Node] = {}
    for row in kg.select(query, {var: URIRef(value)}).rows:
        x = row.get("x")
        if x is None:
            continue
        node = nodes.setdefault(str(x), _Node(str(x)))
        values = node.props.setdefault(_text(row["p"]), [])
        if row["v"] not in values:
            values.append(row["v"])  # type: ignore[arg-type]
    return list(nodes.values())


class _Builder:
    def __init__(self, index: ExplorerIndex, current: str = "") -> None:
        self.index = index
        self.current = current

    def others(self, terms: list[Node]) -> list[Node]:
        """The terms other than the entity whose profile is being built."""
        return [t for t in terms if str(t) != self.current]

    def ref(self, term: Node | None) -> Segment:
        if term is None:
            return ""
        if isinstance(term, RdfLiteral):
            return str(term)
        if isinstance(term, BNode):
            return "(unnamed)"
        return (self.index.label(term), str(term))

    def refs(self, terms: Iterable[Node]) -> list[Segment]:
        out: list[Segment] = []
        for i, term in enumerate(sorted(terms, key=lambda t: self.index.label(t).lower())):
            if i:
                out.append(", ")
            out.append(self.ref(term))
        return out

    def concepts(self, terms: Iterable[Node]) -> str:
        return ", ".join(sorted(_unique(self.index.label(t) for t in terms)))

    def notes(self, node: _Node) -> list[str]:
        out = []
        for prop in (DCTERMS.description, RDFS.comment):
            for value in node.all(prop):
                note = plain_note(str(value))
                if note:
                    out.append(note)
        return out

    def label_nodes(self, nodes: Sequence[_Node]) -> None:
        iris: set[str] = set()
        for node in nodes:
            iris.add(node.iri)
            for values in node.props.values():
                iris.update(str(v) for v in values if isinstance(v, URIRef))
        self.index.add_labels(iris)

    def detail(self, label: str, terms: list[Node], *, concept: bool = False):
        if not terms:
            return None
        if concept:
            return (label, [self.concepts(terms)])
        return (label, self.refs(terms))

    @staticmethod
    def details(*items: tuple[str, list[Segment]] | None) -> list[tuple[str, list[Segment]]]:
        return [item for item in items if item is not None]

    # ---------------------------------------------------------------- fact kinds

    def membership(self, m: _Node, *, side: Literal["member", "collaboration"]) -> Fact:
        target = m.one(ORG.member) if side == "member" else m.one(ORG.organization)
        role = self.concepts(m.all(ORG.role))
        title: list[Segment] = [self.ref(target)]
        if role:
            title.append(f" — {role}")
        details = []
        if side == "member" and target is not None:
            sectors = self.index.sectors_of(str(target))
            entity = self.index.entities.get(str(target))
            if entity and entity.type_label:
                details.append(("Kind", [entity.type_label]))
            if sectors:
                details.append(("Sector", [self.concepts(URIRef(s) for s in sectors)]))
            parent = self.index.parent_of(str(target))
            if parent:
                details.append(("Part of", [self.ref(URIRef(parent))]))
        if side == "collaboration" and target is not None:
            structure = self.index.structure_types_of(str(target))
            if structure:
                details.append(("Structure type", [self.concepts(URIRef(s) for s in structure)]))
        period = m.all(ORG.memberDuring)
        if period:
            details.append(("When", [self.concepts(period)]))
        return Fact(title=title, details=details, node=m.iri, notes=self.notes(m))

    def funding(self, f: _Node) -> Fact:
        funders, recipients = f.all(CK.hasFunder), f.all(CK.hasRecipient)
        title: list[Segment] = [*self.refs(funders)] if funders else ["Funder not recorded"]
        title.append(" funds ")
        title.extend(self.refs(recipients) if recipients else ["a recipient not recorded"])
        amount = f.one(CK.hasAmountInPounds)
        details = self.details(
            self.detail("What", [URIRef(f.iri)]),
            self.detail("Mechanism", f.all(CK.hasFundingMechanism), concept=True),
            self.detail("Programme", f.all(CK.isPartOfProgramme), concept=True),
            self.detail("Status", f.all(CK.hasFundingStatus), concept=True),
            self.detail("Period", f.all(CK.hasPeriod), concept=True),
            ("Amount", [f"£{float(str(amount)):,.2f}"]) if amount is not None else None,
            self.detail("Sustains", f.all(CK.sustains)),
            self.detail("Reporting required", f.all(CK.hasReportingRequirement), concept=True),
            self.detail("Grant reference", f.all(CK.hasGrantReference), concept=True),
        )
        status = self.concepts(f.all(CK.hasFundingStatus)).lower()
        flag = "This funding is ending or has ended." if status in ("ending", "ended") else ""
        return Fact(title=title, details=details, node=f.iri, notes=self.notes(f), flag=flag)

    def accountability(self, a: _Node) -> Fact:
        parties = a.all(CK.hasAccountableParty)
        title: list[Segment] = (
            [*self.refs(parties)] if parties else ["No accountable party recorded"]
        )
        title.append(" is accountable to ")
        to = a.all(CK.isAccountableTo)
        forum = self.concepts(a.all(CK.hasAccountabilityForum))
        if to:
            title.extend(self.refs(to))
            if forum:
                title.append(f" ({forum})")
        else:
            title.append(forum or "(not recorded)")
        external = a.one(CK.isExternal)
        details = self.details(
            self.detail("For", a.all(CK.isAccountableFor)),
            self.detail("How", a.all(CK.hasAccountabilityMechanism), concept=True),
            (
                "External or internal",
                [
                    "external to the collaboration"
                    if str(external).lower() in ("true", "1")
                    else "internal to the collaboration"
                ],
            )
            if external is not None
            else None,
            self.detail("Collaboration", self.others(a.all(CK.concernsCollaboration))),
        )
        return Fact(title=title, details=details, node=a.iri, notes=self.notes(a))

    def activity(self, act: _Node) -> Fact:
        claimed = self.concepts(act.all(CK.isClaimedAs))
        classified = act.all(CK.isClassifiedAs)
        maybe = act.all(CK.mayBeClassifiedAs)
        details = self.details(
            self.detail("Activity of", self.others(act.all(CK.isActivityOf))),
            ("Claimed as", [claimed, " by ", *self.refs(act.all(CK.isClaimedBy))])
            if claimed and act.has(CK.isClaimedBy)
            else (("Claimed as", [claimed]) if claimed else None),
            ("Researchers classify it as", [self.concepts(classified)]) if classified else None,
            (
                "Researchers cannot tell whether it is",
                [" or ".join(sorted(_unique(self.index.label(t) for t in maybe)))],
            )
            if maybe
            else None,
            self.detail("Classified by", self.others(act.all(CK.isClassifiedBy))),
            self.detail("Participants", act.all(CK.involvesParticipants), concept=True),
            self.detail("Asset", act.all(CK.transfersAsset)),
            self.detail("From", act.all(CK.hasTransferor)),
            self.detail("To", act.all(CK.hasTransferee)),
            self.detail("How", act.all(CK.hasTransferMode), concept=True),
            self.detail(
                "Responsibilities passed on", act.all(CK.transfersResponsibility), concept=True
            ),
        )
        lists = []
        public = sorted(str(v) for v in act.all(CK.hasPublicSectorCommitment))
        citizens = sorted(str(v) for v in act.all(CK.hasCitizenCommitment))
        if public:
            lists.append(("What the public sector commits to", public))
        if citizens:
            lists.append(("What it asks of citizens", citizens))
        flag = ""
        verdict = verdict_on_claim(
            [str(t) for t in act.all(CK.isClaimedAs)],
            [str(t) for t in classified],
            [str(t) for t in maybe],
        )
        if verdict:
            flag = verdict
        return Fact(
            title=[self.ref(URIRef(act.iri))],
            details=details,
            node=act.iri,
            notes=self.notes(act),
            lists=lists,
            flag=flag,
        )

    def asset_transfer(self, t: _Node, lines: Sequence[_Node]) -> Fact:
        fact = self.activity(t)
        assets = {str(a) for a in t.all(CK.transfersAsset)}
        covering = [
            line
            for line in lines
            if {str(v) for v in line.all(CK.isAccountableFor)} & (assets | {t.iri})
        ]
        if covering:
            for line in covering:
                parties = self.refs(line.all(CK.hasAccountableParty)) or ["not recorded"]
                to = self.refs(line.all(CK.isAccountableTo)) or [
                    self.concepts(line.all(CK.hasAccountabilityForum)) or "not recorded"
                ]
                fact.details.append(("Accountable", [*parties, " to ", *to]))
        else:
            fact.details.append(("Accountable", ["no one recorded"]))
            note = (
                "No one is recorded as accountable for this asset once transferred: "
                "the sources ask who is responsible and give no answer."
            )
            fact.flag = f"{fact.flag} {note}".strip() if fact.flag else note
        return fact

    def statement(self, s: _Node) -> Fact:
        what = s.all(CK.hasBarrier) or s.all(CK.hasRationale) or s.all(CK.hasSuccessFactor)
        title: list[Segment] = (
            [sentence_case(self.concepts(what))] if what else [self.ref(URIRef(s.iri))]
        )
        details = self.details(
            self.detail("In full", [URIRef(s.iri)]) if what else None,
            self.detail("Reported by", self.others(s.all(CK.isReportedBy))),
            self.detail("Collaboration", self.others(s.all(CK.concernsCollaboration))),
        )
        return Fact(title=title, details=details, node=s.iri, notes=self.notes(s))

    def action(self, a: _Node) -> Fact:
        effect = self.concepts(a.all(CK.hasEffect))
        details = self.details(
            self.detail("Who acts", a.all(CK.hasActor)),
            self.detail("Affects", a.all(CK.affectsAgent)),
            ("Effect", [effect]) if effect else None,
            self.detail("Asset involved", a.all(CK.involvesAsset)),
        )
        return Fact(
            title=[self.ref(URIRef(a.iri))], details=details, node=a.iri, notes=self.notes(a)
        )

    def policy(self, policy: Node, assessments: Sequence[_Node]) -> Fact:
        """A policy behind a collaboration, with the hype-cycle stage a source gives it."""
        about = [a for a in assessments if policy in a.all(CK.assessesPolicy)]
        details = [
            ("Stage of the hype cycle", [self.concepts(a.all(CK.hasHypeCycleStage))])
            for a in about
            if a.has(CK.hasHypeCycleStage)
        ]
        return Fact(
            title=[sentence_case(self.index.label(policy))],
            details=details,
            node=about[0].iri if about else self.current,
            notes=[n for a in about for n in self.notes(a)],
        )

    def generic(self, n: _Node, *extra: tuple[str, URIRef]) -> Fact:
        details = self.details(*(self.detail(label, n.all(prop)) for label, prop in extra))
        return Fact(
            title=[self.ref(URIRef(n.iri))], details=details, node=n.iri, notes=self.notes(n)
        )


def _flag_contradictions(facts: list[Fact], actions: Sequence[_Node]) -> list[Fact]:
    """Mark actions when one organisation's parts both support and undermine the same agent."""
    effects: dict[str, set[str]] = {}
    for action in actions:
        for agent in action.all(CK.affectsAgent):
            effects.setdefault(str(agent), set()).update(str(e) for e in action.all(CK.hasEffect))
    torn = {
        agent
        for agent, found in effects.items()
        if str(CKC.supports) in found and str(CKC.undermines) in found
    }
    for fact, action in zip(facts, actions, strict=True):
        if {str(a) for a in action.all(CK.affectsAgent)} & torn:
            fact.flag = (
                "Units of one organisation pull in opposite directions here: one supports "
                "and another undermines the same organisation."
            )
    return facts


def verdict_on_claim(
    claimed: Sequence[str], classified: Sequence[str], maybe: Sequence[str]
) -> str:
    """Plain words for how a claim of co-creation compares with the researchers' reading."""
    if not claimed:
        return ""
    claims_cocreation = any(c in COCREATION_KINDS for c in claimed)
    if not claims_cocreation:
        return ""
    if classified and not any(c in COCREATION_KINDS for c in classified):
        return "Claimed as co-creation, but the researchers classify it as something else."
    if maybe and not all(m in COCREATION_KINDS for m in maybe):
        return (
            "Claimed as co-creation, but the researchers cannot tell whether it is co-creation "
            "at all."
        )
    return ""


def _section(key: str, title: str, facts: list[Fact], empty: str = "") -> Section:
    return Section(key=key, title=title, facts=facts, empty=empty)


_TYPE_OF = str(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))


def _types(node: _Node) -> set[str]:
    return {str(v) for v in node.props.get(_TYPE_OF, [])}


def collaboration_profile(index: ExplorerIndex, iri: str) -> Profile:
    """Everything the collaboration profile shows (members, funding, accountability...)."""
    kg, b = index.kg, _Builder(index, iri)
    entity = index.entities[iri]
    d = lambda pattern: _describe(kg, "c", iri, pattern)  # noqa: E731
    me = _describe_self(kg, iri)
    members = d("?x org:organization ?c .")
    funding = d(
        "?x a ck:FundingStream . { ?x ck:hasRecipient ?c } UNION { ?x ck:hasFunder ?c } "
        "UNION { ?x ck:sustains ?c } UNION { ?x ck:sustains ?a . ?a ck:isActivityOf ?c } "
        "UNION { ?x ck:sustains ?a . ?c ck:hasActivity ?a } "
        "UNION { ?m org:organization ?c ; org:member ?o . { ?x ck:hasRecipient ?o } }"
    )
    lines = d(
        "?x a ck:AccountabilityLine . { ?x ck:concernsCollaboration ?c } "
        "UNION { ?x ck:hasAccountableParty ?c } UNION { ?x ck:isAccountableTo ?c }"
    )
    activities = d("{ ?x ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?x }")
    transfers = d(
        "?x ck:transfersAsset ?asset . { ?x ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?x } "
        "UNION { ?x ck:hasTransferor ?c } UNION { ?x ck:hasTransferee ?c } "
        "UNION { ?m org:organization ?c ; org:member ?o . "
        "{ ?x ck:hasTransferor ?o } UNION { ?x ck:hasTransferee ?o } }"
    )
    asset_lines = d(
        "?t ck:transfersAsset ?asset . "
        "{ ?t ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?t } "
        "UNION { ?t ck:hasTransferor ?c } UNION { ?t ck:hasTransferee ?c } "
        "UNION { ?m org:organization ?c ; org:member ?o . "
        "{ ?t ck:hasTransferor ?o } UNION { ?t ck:hasTransferee ?o } } "
        "{ ?x ck:isAccountableFor ?asset } UNION { ?x ck:isAccountableFor ?t }"
    )
    statements = d(
        "?x ck:concernsCollaboration ?c . FILTER NOT EXISTS { ?x a ck:AccountabilityLine }"
    )
    studies = d("?x ck:studiesCollaboration ?c .")
    assessments = d("?c ck:isDrivenByPolicy ?policy . ?x ck:assessesPolicy ?policy .")
    cases = d("?x ck:isAbout ?c .")
    b.label_nodes(
        [
            me,
            *members,
            *funding,
            *lines,
            *activities,
            *transfers,
            *asset_lines,
            *statements,
            *studies,
            *cases,
            *assessments,
        ]
    )

    transfer_iris = {t.iri for t in transfers}
    plain_activities = [a for a in activities if a.iri not in transfer_iris]
    barriers = [s for s in statements if s.has(CK.hasBarrier)]
    rationales = [s for s in statements if s.has(CK.hasRationale)]
    successes = [s for s in statements if s.has(CK.hasSuccessFactor)]
    others = [s for s in statements if s not in barriers + rationales + successes]

    policies = me.all(CK.isDrivenByPolicy)
    summary = b.details(
        ("Kind", [entity.type_label])
        if entity.type_label and entity.type_label != "Collaboration"
        else None,
        b.detail("Structure type", me.all(CK.hasStructureType), concept=True),
        b.detail("Place", me.all(CK.operatesIn)),
        b.detail("Level of engagement", me.all(CK.hasEngagementLevel), concept=True),
        b.detail("Hosted by", me.all(CK.isHostedBy)),
        ("Sectors involved", [", ".join(sentence_case(s) for s in entity.sectors)])
        if entity.sectors
        else None,
    )
    by_label = lambda items: sorted(items, key=lambda n: index.label(n.iri).lower())  # noqa: E731
    sections = [
        _section(
            "members",
            "Members",
            [
                b.membership(m, side="member")
                for m in sorted(members, key=lambda m: index.label(m.one(ORG.member)).lower())
            ],
            "The sources name no members of this collaboration.",
        ),
        _section(
            "activities",
            "Activities: claimed and classified kind of involvement",
            [b.activity(a) for a in by_label(plain_activities)],
            "No activity is recorded for this collaboration.",
        ),
        _section(
            "transfers",
            "Asset transfers",
            [b.asset_transfer(t, asset_lines) for t in by_label(transfers)],
            "No asset transfer is recorded for this collaboration.",
        ),
        _section(
            "accountability",
            "Accountability",
            [b.accountability(a) for a in by_label(lines)],
            "No accountability line is recorded for this collaboration.",
        ),
        _section(
            "funding",
            "Funding",
            [b.funding(f) for f in by_label(funding)],
            "No funding is recorded for this collaboration.",
        ),
        _section(
            "rationales",
            "Why they collaborate",
            [b.statement(s) for s in by_label(rationales)],
            "No rationale is recorded for this collaboration.",
        ),
        _section(
            "barriers",
            "Barriers",
            [b.statement(s) for s in by_label(barriers)],
            "No barrier is recorded for this collaboration.",
        ),
        _section("success", "Success factors", [b.statement(s) for s in by_label(successes)]),
        _section("other", "Other statements", [b.statement(s) for s in by_label(others)]),
        _section(
            "policy",
            "Policy context",
            [b.policy(p, assessments) for p in sorted(policies, key=index.label)],
            "The sources tie this collaboration to no named policy.",
        ),
        _section(
            "studies",
            "Studied by",
            [b.generic(s, ("Research team", PROV.wasAssociatedWith)) for s in by_label(studies)],
        ),
    ]
    return _finish_profile(b, iri, entity.label, "collaboration", summary, sections, me, cases)


def _finish_profile(
    b: _Builder,
    iri: str,
    label: str,
    kind: Kind,
    summary: list[tuple[str, list[Segment]]],
    sections: list[Section],
    me: _Node,
    cases: list[_Node],
) -> Profile:
    """A profile of the non-empty sections, with the notes of the entity and of its cases."""
    notes = b.notes(me)
    for case in cases:
        notes.extend(b.notes(case))
    return Profile(
        iri=iri,
        label=label,
        kind=kind,
        summary=summary,
        sections=[s for s in sections if s.facts or s.empty],
        node=iri,
        notes=_unique(notes),
    )


def organisation_profile(index: ExplorerIndex, iri: str) -> Profile:
    """Everything the organisation profile shows."""
    kg, b = index.kg, _Builder(index, iri)
    entity = index.entities[iri]
    d = lambda pattern: _describe(kg, "o", iri, pattern)  # noqa: E731
    me = _describe_self(kg, iri)
    units = d("?x org:unitOf ?o .")
    memberships = d("?x org:member ?o .")
    funding = d(
        "?x a ck:FundingStream . { ?x ck:hasFunder ?o } UNION { ?x ck:hasRecipient ?o } "
        "UNION { ?x ck:hasFunder ?u . ?u org:unitOf ?o } "
        "UNION { ?x ck:hasRecipient ?u . ?u org:unitOf ?o }"
    )
    lines = d(
        "?x a ck:AccountabilityLine . { ?x ck:hasAccountableParty ?o } "
        "UNION { ?x ck:isAccountableTo ?o }"
    )
    transfers = d("{ ?x ck:hasTransferor ?o } UNION { ?x ck:hasTransferee ?o }")
    asset_lines = d(
        "{ ?t ck:hasTransferor ?o } UNION { ?t ck:hasTransferee ?o } "
        "?t ck:transfersAsset ?asset . "
        "{ ?x ck:isAccountableFor ?asset } UNION { ?x ck:isAccountableFor ?t }"
    )
    actions = d(
        "{ ?x ck:hasActor ?o } UNION { ?x ck:affectsAgent ?o } "
        "UNION { ?x ck:hasActor ?u . ?u org:unitOf ?o } "
        "UNION { ?x ck:affectsAgent ?u . ?u org:unitOf ?o }"
    )
    claims = d("{ ?x ck:isClaimedBy ?o } UNION { ?x ck:isClassifiedBy ?o }")
    reported = d("?x ck:isReportedBy ?o .")
    studies = d("?x prov:wasAssociatedWith ?o .")
    cases = d("?x ck:isAbout ?o .")
    b.label_nodes(
        [
            me,
            *units,
            *memberships,
            *funding,
            *lines,
            *transfers,
            *asset_lines,
            *actions,
            *claims,
            *reported,
            *studies,
            *cases,
        ]
    )

    by_label = lambda items: sorted(items, key=lambda n: index.label(n.iri).lower())  # noqa: E731
    asset_transfers = [t for t in transfers if t.has(CK.transfersAsset)]
    org_transfers = [t for t in transfers if not t.has(CK.transfersAsset)]
    summary = b.details(
        ("Kind", [entity.type_label]) if entity.type_label else None,
        b.detail("Sector", me.all(CK.hasSector), concept=True),
        b.detail("Place", me.all(CK.operatesIn)),
        b.detail("Part of", me.all(ORG.unitOf)),
        ("Units", b.refs(URIRef(u.iri) for u in units)) if units else None,
        ("Named in the sources", ["no — the sources describe it without naming it"])
        if entity.unnamed
        else None,
    )
    sections = [
        _section(
            "memberships",
            "Collaborations",
            [
                b.membership(m, side="collaboration")
                for m in sorted(
                    memberships, key=lambda m: index.label(m.one(ORG.organization)).lower()
                )
            ],
            "No membership of a collaboration is recorded.",
        ),
        _section(
            "funding",
            "Funding given and received",
            [b.funding(f) for f in by_label(funding)],
            "No funding is recorded for this organisation.",
        ),
        _section(
            "accountability",
            "Accountability",
            [b.accountability(a) for a in by_label(lines)],
            "No accountability line is recorded for this organisation.",
        ),
        _section(
            "transfers",
            "Asset transfers",
            [b.asset_transfer(t, asset_lines) for t in by_label(asset_transfers)],
        ),
        _section(
            "org-transfers",
            "Organisation transfers",
            [
                b.generic(
                    t,
                    ("Organisation moved", CK.transfersOrganisation),
                    ("From", CK.hasTransferor),
                    ("To", CK.hasTransferee),
                )
                for t in by_label(org_transfers)
            ],
        ),
        _section(
            "actions",
            "Actions for and against others (units pulling apart)",
            _flag_contradictions([b.action(a) for a in by_label(actions)], by_label(actions)),
        ),
        _section(
            "claims",
            "Activities it describes or classifies",
            [b.activity(a) for a in by_label(claims)],
        ),
        _section(
            "statements",
            "What it reports (rationales, barriers, success factors)",
            [b.statement(s) for s in by_label(reported)],
        ),
        _section(
            "studies",
            "Research it carries out",
            [b.generic(s, ("Studies", CK.studiesCollaboration)) for s in by_label(studies)],
        ),
    ]
    return _finish_profile(b, iri, entity.label, "organisation", summary, sections, me, cases)


def profile(index: ExplorerIndex, iri: str) -> Profile:
    kind = index.kind(iri)
    if kind == "collaboration":
        return collaboration_profile(index, iri)
    if kind == "organisation":
        return organisation_profile(index, iri)
    raise ParameterError(
        "there is no collaboration or organisation with this identifier",
        hint="choose one from the list",
    )


def resolve_id(index: ExplorerIndex, value: str | None, kind: Kind) -> str | None:
    """The IRI of an entity of ``kind`` named by a URL ``id`` parameter, or None."""
    if not value:
        return None
    try:
        iri = from_curie(value)
    except ParameterError:
        return None
    return iri if index.kind(iri) == kind else None


# --------------------------------------------------------------------------- result tables


@dataclass
class ResultTable:
    """A query answer for people: labelled frame, which columns are profile links."""

    frame: pd.DataFrame
    link_columns: list[str]
    hidden: list[str]
    profiles: list[tuple[str, str, str]]
    """(label, iri, kind) of every entity in the answer that has a profile page."""


def _label_partner(var: str, names: Sequence[str]) -> str | None:
    for candidate in (f"{var}Label", f"{var}_label", f"{var}Name", f"{var}_name"):
        if candidate in names:
            return candidate
    return None


def result_table(index: ExplorerIndex, result: QueryResult) -> ResultTable:
    """Labels instead of IRIs; IRI columns with profiles become links; helper columns hidden.

    A variable ``x`` holding IRIs and a partner ``xLabel`` (or ``x_label``) are shown as one
    column (the label, linked to x's profile when it has one). Other IRI columns show labels.
    """
    import pandas as pd

    names = list(result.vars)
    iri_vars = set(result.iri_vars())
    index.add_labels(result.iris())
    link_columns: list[str] = []
    hidden: list[str] = []
    partners: dict[str, str] = {}
    for var in names:
        partner = _label_partner(var, names)
        no_literals = not any(isinstance(v, RdfLiteral) for v in result.column(var))
        if partner and no_literals:
            partners[partner] = var
            hidden.append(var)
    columns: list[str] = []
    data: dict[str, list[object]] = {}
    profiles: dict[str, tuple[str, str, str]] = {}
    for var in names:
        if var in hidden:
            continue
        source_var = partners.get(var, var)
        values = result.column(source_var)
        shown = result.column(var)
        # a link column only when every row names something with a profile: a row with
        # nothing to link ("none recorded") must not look like a link
        linkable = source_var in iri_vars and all(
            isinstance(v, URIRef) and index.kind(v) is not None for v in values
        )
        column: list[object] = []
        for term, display in zip(values, shown, strict=True):
            label = _display(index, display)
            if linkable and isinstance(term, URIRef):
                label_text = str(label) if label not in (None, "") else index.label(term)
                column.append(index.href(str(term), label_text))
                profiles.setdefault(
                    str(term), (index.label(term), str(term), index.kind(term) or "")
                )
            else:
                column.append(label)
                if isinstance(term, URIRef) and index.kind(term) is not None:
                    profiles.setdefault(
                        str(term), (index.label(term), str(term), index.kind(term) or "")
                    )
        numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in column)
        if not numeric and not linkable:
            column = ["" if v is None else v for v in column]
        title = humanise(var)
        base, n = title, 2
        while title in data:
            title, n = f"{base} ({n})", n + 1
        data[title] = column
        columns.append(title)
        if linkable:
            link_columns.append(title)
    empty = [c for c in columns if all(v in (None, "") for v in data[c])]
    if len(empty) < len(columns) and result.rows:
        columns = [c for c in columns if c not in empty]
        link_columns = [c for c in link_columns if c not in empty]
    frame = pd.DataFrame({c: data[c] for c in columns}, columns=columns)
    ordered = sorted(profiles.values(), key=lambda p: (p[2], p[0].lower()))
    return ResultTable(frame=frame, link_columns=link_columns, hidden=hidden, profiles=ordered)


def _display(index: ExplorerIndex, term: Node | None) -> object:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return index.label(term)
    if isinstance(term, BNode):
        return "(unnamed)"
    value = term.toPython() if isinstance(term, RdfLiteral) else str(term)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return str(term)


def download_frame(index: ExplorerIndex, result: QueryResult) -> pd.DataFrame:
    """The answer for CSV/JSON downloads: labels plus an ``<var>_iri`` column per IRI column."""
    return result.to_dataframe(index.kg, with_iris=True)


def chart_spec(frame: pd.DataFrame) -> tuple[str, str, str | None] | None:
    """(category column, value column, colour column or None) for a bar chart, if possible."""
    import pandas as pd

    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    text = [c for c in frame.columns if c not in numeric]
    if not numeric or not text:
        return None
    colour = text[1] if len(text) > 1 else None
    return text[0], numeric[-1], colour


# --------------------------------------------------------------------------- parameters


Q_CHOICES_GENERIC = _q(
    """SELECT DISTINCT ?x WHERE {
  ?x prov:wasDerivedFrom|dcterms:source ?src .
  FILTER(STRSTARTS(STR(?x), STR(ckd:)))
  FILTER NOT EXISTS { ?x a ck:Quotation }
  FILTER NOT EXISTS { ?x a ck:Case }
}"""
)


def param_choices(
    index: ExplorerIndex, name: str, choices: QueryResult | None = None
) -> list[tuple[str, str]]:
    """(label, iri) options for an IRI parameter, sorted by label.

    From ``choices`` (the answer of the parameter's choices query, first IRI column) when
    given; otherwise guessed from the parameter's name: collaborations, organisations, or
    any documented entity.
    """
    iris: list[str] = []
    if choices is not None:
        for var in choices.vars:
            column = [str(v) for v in choices.column(var) if isinstance(v, URIRef)]
            if column:
                iris = _unique(column)
                break
    elif "collab" in name.lower() or "partnership" in name.lower():
        iris = [e.iri for e in index.collaborations()]
    elif "org" in name.lower():
        iris = [e.iri for e in index.organisations()]
    else:
        iris = _unique(
            str(row["x"])
            for row in index.kg.select(Q_CHOICES_GENERIC).rows
            if isinstance(row.get("x"), URIRef)
        )
    index.add_labels(iris)
    labelled = [(index.label(i), i) for i in iris]
    return sorted(labelled, key=lambda item: (item[0].lower(), item[1]))


# --------------------------------------------------------------------------- network


RELATIONS: dict[str, str] = {
    "member of": "member of",
    "funds": "funds",
    "accountable to": "accountable to",
    "transfers asset to": "transfers asset to",
}
RELATION_COLOURS: dict[str, str] = {
    "member of": "#6b7280",
    "funds": "#b45309",
    "accountable to": "#7c3aed",
    "transfers asset to": "#be123c",
}
SECTOR_GROUPS: dict[str, str] = {
    str(CKC.publicSector): "Public sector",
    str(CKC.voluntaryCommunitySector): "Voluntary and community sector",
    str(CKC.privateSector): "Private sector",
    str(CKC.citizensCommunities): "Citizens and communities",
}
GROUP_COLOURS: dict[str, str] = {
    "Collaboration": "#1f2937",
    "Public sector": "#2563eb",
    "Voluntary and community sector": "#16a34a",
    "Private sector": "#ea580c",
    "Citizens and communities": "#db2777",
    "Several sectors": "#0891b2",
    "Sector not recorded": "#9ca3af",
    "Other": "#a16207",
}
DEFAULT_NODE_CAP = 150

Q_NETWORK = _q(
    """SELECT DISTINCT ?s ?o ?rel WHERE {
  { ?m org:member ?s ; org:organization ?o . BIND("member of" AS ?rel) }
  UNION { ?f ck:hasFunder ?s ; ck:hasRecipient ?o . BIND("funds" AS ?rel) }
  UNION { ?a ck:hasAccountableParty ?s ; ck:isAccountableTo ?o . BIND("accountable to" AS ?rel) }
  UNION { ?t ck:hasTransferor ?s ; ck:hasTransferee ?o . BIND("transfers asset to" AS ?rel) }
}"""
)


@dataclass(frozen=True)
class NetEdge:
    source: str
    target: str
    relation: str


@dataclass
class Network:
    """Graph elements for st-link-analysis plus what the page should say about them."""

    elements: dict[str, list[dict[str, object]]]
    groups: list[str]
    relations: list[str]
    total_nodes: int
    shown_nodes: int
    message: str = ""
    node_labels: dict[str, str] = field(default_factory=dict)


def network_edges(index: ExplorerIndex) -> list[NetEdge]:
    edges = [
        NetEdge(str(row["s"]), str(row["o"]), str(row["rel"]))
        for row in index.kg.select(Q_NETWORK).rows
        if isinstance(row.get("s"), URIRef) and isinstance(row.get("o"), URIRef)
    ]
    index.add_labels({e.source for e in edges} | {e.target for e in edges})
    return edges


def node_group(index: ExplorerIndex, iri: str) -> str:
    kind = index.kind(iri)
    if kind == "collaboration":
        return "Collaboration"
    sectors = index.sectors_of(iri)
    if not sectors:
        parent = index.parent_of(iri)
        sectors = index.sectors_of(parent) if parent else []
    if len(sectors) > 1:
        return "Several sectors"
    if sectors:
        return SECTOR_GROUPS.get(sectors[0], "Sector not recorded")
    return "Sector not recorded" if kind == "organisation" else "Other"


def build_network(
    index: ExplorerIndex,
    edges: Sequence[NetEdge],
    *,
    relations: Iterable[str] | None = None,
    structure_types: Iterable[str] | None = None,
    cap: int = DEFAULT_NODE_CAP,
) -> Network:
    """Filter by relation and structure type (labels), cap the node count by degree."""
    wanted_relations = set(relations) if relations is not None else set(RELATIONS)
    chosen = [e for e in edges if e.relation in wanted_relations]
    types = {t.lower() for t in structure_types or ()}
    if types:
        keep_collabs = {
            iri
            for iri, entity in index.entities.items()
            if entity.kind == "collaboration"
            and {s.lower() for s in entity.structure_types} & types
        }
        # organisations linked to a chosen collaboration, then edges among kept nodes
        keep = set(keep_collabs)
        for e in chosen:
            if e.target in keep_collabs:
                keep.add(e.source)
            if e.source in keep_collabs:
                keep.add(e.target)
        chosen = [
            e
            for e in chosen
            if e.source in keep
            and e.target in keep
            and (index.kind(e.source) != "collaboration" or e.source in keep_collabs)
            and (index.kind(e.target) != "collaboration" or e.target in keep_collabs)
        ]
    degree: Counter[str] = Counter()
    for e in chosen:
        degree[e.source] += 1
        degree[e.target] += 1
    total = len(degree)
    message = ""
    if total > cap:
        kept = {n for n, _ in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:cap]}
        chosen = [e for e in chosen if e.source in kept and e.target in kept]
        message = (
            f"The graph has {total} organisations and collaborations; showing the {cap} "
            "most connected. Narrow it with the filters to see the rest."
        )
    nodes_used = _unique([n for e in chosen for n in (e.source, e.target)])
    labels = {n: index.label(n) for n in nodes_used}
    nodes = [
        {
            "data": {
                "id": n,
                "label": node_group(index, n),
                "name": _short(labels[n]),
                "full_name": labels[n],
            }
        }
        for n in nodes_used
    ]
    edge_elements = [
        {
            "data": {
                "id": f"e{i}",
                "source": e.source,
                "target": e.target,
                "label": e.relation,
            }
        }
        for i, e in enumerate(chosen)
    ]
    groups = sorted({str(n["data"]["label"]) for n in nodes}, key=list(GROUP_COLOURS).index)
    return Network(
        elements={"nodes": nodes, "edges": edge_elements},
        groups=groups,
        relations=sorted({e.relation for e in chosen}, key=_relation_rank),
        total_nodes=total,
        shown_nodes=len(nodes),
        message=message,
        node_labels=labels,
    )


def _relation_rank(relation: str) -> tuple[int, str]:
    order = list(RELATIONS)
    return (order.index(relation) if relation in order else len(order), relation)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


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


def observed_matrix(index: ExplorerIndex, result: QueryResult) -> pd.DataFrame:
    """A long table (row label, column, value) from a result whose cells say observed or not.

    Used for the sources' Table 1 (co-creation kinds by structure type): the first text
    column names the rows; every column whose values are all "observed"/"not observed"
    becomes one column of the matrix.
    """
    import pandas as pd

    frame = result_table(index, result).frame
    flags = {"observed", "not observed"}
    matrix_cols = [
        c
        for c in frame.columns
        if len(frame[c].dropna()) and set(frame[c].dropna().astype(str)) <= flags
    ]
    row_col = next(
        (
            c
            for c in frame.columns
            if c not in matrix_cols and not pd.api.types.is_numeric_dtype(frame[c])
        ),
        None,
    )
    if row_col is None or not matrix_cols:
        return pd.DataFrame(columns=["Row", "Column", "Value"])
    long = frame.melt(
        id_vars=[row_col], value_vars=matrix_cols, var_name="Column", value_name="Value"
    )
    long = long.rename(columns={row_col: "Row"})
    long["Row"] = long["Row"].map(lambda v: sentence_case(str(v)))
    long["Column"] = long["Column"].map(lambda v: sentence_case(str(v)))
    return long[["Row", "Column", "Value"]]


def find_activity(index: ExplorerIndex, words: str) -> tuple[str, str] | None:
    """(activity IRI, collaboration IRI) of the first activity whose label has ``words``."""
    query = _q(
        """SELECT ?act ?c ?label WHERE {
  { ?act ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?act }
  ?act rdfs:label ?label .
}"""
    )
    wanted = words.lower()
    for row in sorted(index.kg.select(query).rows, key=lambda r: _text(r["label"])):
        if wanted in _text(row["label"]).lower() and index.kind(row["c"]) == "collaboration":
            return _text(row["act"]), _text(row["c"])
    return None


def result_network(
    index: ExplorerIndex, result: QueryResult, cap: int = DEFAULT_NODE_CAP
) -> Network:
    """A graph of an answer: each row links the things in its first two IRI columns."""
    iri_vars = [v for v in result.vars if v in set(result.iri_vars())]
    if len(iri_vars) < 2:
        return Network({"nodes": [], "edges": []}, [], [], 0, 0, "")
    first, second = iri_vars[:2]
    relation = humanise(second).lower()
    edges = _unique(
        f"{row[first]}\n{row[second]}"
        for row in result.rows
        if isinstance(row.get(first), URIRef) and isinstance(row.get(second), URIRef)
    )
    net_edges = [NetEdge(*pair.split("\n"), relation=relation) for pair in edges]
    index.add_labels({e.source for e in net_edges} | {e.target for e in net_edges})
    return build_network(index, net_edges, relations={relation}, cap=cap)


NETWORK_LAYOUT: dict[str, object] = {
    "name": "fcose",
    "animate": False,
    "fit": True,
    "padding": 24,
    "nodeDimensionsIncludeLabels": True,
    "packComponents": True,
    "nodeRepulsion": 9000,
    "idealEdgeLength": 70,
}
"""Cytoscape layout for the network (fcose ships with st-link-analysis)."""


def graph_styles(groups: Iterable[str], relations: Iterable[str]) -> list[dict[str, object]]:
    """Cytoscape style rules: nodes coloured by group and named, edges coloured by relation."""
    styles: list[dict[str, object]] = [{"selector": "*", "style": {"min-zoomed-font-size": 4}}]
    for group in groups:
        size = 22 if group == "Collaboration" else 16
        styles.append(
            {
                "selector": f"node[label='{group}']",
                "style": {
                    "background-color": GROUP_COLOURS.get(group, "#6b7280"),
                    "label": "data(name)",
                    "font-size": 12,
                    "text-wrap": "wrap",
                    "text-max-width": 130,
                    "width": size,
                    "height": size,
                    "shape": "round-rectangle" if group == "Collaboration" else "ellipse",
                },
            }
        )
    for relation in relations:
        colour = RELATION_COLOURS.get(relation, "#6b7280")
        styles.append(
            {
                "selector": f"edge[label='{relation}']",
                "style": {
                    "line-color": colour,
                    "target-arrow-color": colour,
                    "target-arrow-shape": "triangle",
                    "arrow-scale": 0.8,
                    "width": 1.6,
                },
            }
        )
    return styles


# --------------------------------------------------------------------------- table layout

NONE_RECORDED = "none recorded"


def column_widths(
    frame: pd.DataFrame, *, budget: int = 900, keep: Sequence[str] = ()
) -> dict[str, int]:
    """Pixel widths that fit every column on screen where possible (long text wraps).

    Columns named in ``keep`` keep the width their text wants (up to 360 px); the others
    share what is left, none narrower than 100 px.
    """
    import pandas as pd

    wanted: dict[str, int] = {}
    for column in frame.columns:
        values = [str(v) for v in frame[column].tolist() if v not in (None, "")]
        values = [v.rsplit("label=", 1)[-1] if "?id=" in v else v for v in values]
        longest = max([len(str(column)), *(len(v) for v in values)], default=8)
        if pd.api.types.is_numeric_dtype(frame[column]):
            wanted[column] = max(70, min(8 * len(str(column)) + 24, 160))
        else:
            wanted[column] = max(90, min(7 * longest + 24, 360 if column in keep else 420))
    if sum(wanted.values()) <= budget:
        return wanted
    floor = 100 if len(wanted) <= 8 else 90
    fixed = {c: w for c, w in wanted.items() if c in keep or w <= floor}
    flexible = {c: w for c, w in wanted.items() if c not in fixed}
    spare = budget - sum(fixed.values())
    if not flexible:
        return wanted
    if spare <= floor * len(flexible):
        return {**fixed, **{c: min(w, 160) if w > 160 else w for c, w in flexible.items()}}
    scale = spare / sum(flexible.values())
    return {**fixed, **{c: max(floor, int(w * scale)) for c, w in flexible.items()}}


def row_height(frame: pd.DataFrame, widths: Mapping[str, int]) -> int | None:
    """A taller row (text wraps) when some cells do not fit their column, else None."""
    lines = 1
    for column, width in widths.items():
        chars_per_line = max(width // 7, 8)
        for value in frame[column].tolist():
            text = "" if value is None else str(value)
            text = text.rsplit("label=", 1)[-1] if "?id=" in text else text
            lines = max(lines, -(-len(text) // chars_per_line))
    if lines <= 1:
        return None
    return 22 * min(lines, 5) + 12


def gap_summary(frame: pd.DataFrame) -> list[str]:
    """Plain sentences for columns that say "none recorded" (the gaps are findings)."""
    out: list[str] = []
    total = len(frame)
    for column in frame.columns:
        count = sum(1 for v in frame[column].tolist() if str(v).strip().lower() == NONE_RECORDED)
        if count:
            rows = "row" if total == 1 else "rows"
            out.append(f"{column}: none recorded in {count} of {total} {rows}.")
    return out


__all__ = [
    "LINK_DISPLAY_REGEX",
    "NETWORK_LAYOUT",
    "PAGE_OF_KIND",
    "RELATIONS",
    "Entity",
    "Evidence",
    "ExplorerIndex",
    "Fact",
    "ListFilters",
    "NetEdge",
    "Network",
    "Profile",
    "Quote",
    "ResultTable",
    "Section",
    "SourceInfo",
    "build_network",
    "chart_spec",
    "cocreation_by_structure_type",
    "collaboration_profile",
    "collaborations_by_structure_type",
    "column_widths",
    "download_frame",
    "entity_table",
    "filter_entities",
    "filter_options",
    "find_activity",
    "from_curie",
    "gap_summary",
    "graph_styles",
    "home_counts",
    "humanise",
    "network_edges",
    "observed_matrix",
    "organisation_profile",
    "organisations_by_sector",
    "param_choices",
    "plain_note",
    "plain_text",
    "profile",
    "profile_href",
    "profile_target",
    "resolve_id",
    "result_network",
    "result_table",
    "row_height",
    "sentence_case",
    "to_curie",
    "verdict_on_claim",
]
