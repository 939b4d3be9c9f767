"""The explorer's index: entities, labels, sources and evidence, read once per graph."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.explorer.common import (
    Kind,
    _q,
    _text,
    _unique,
    profile_href,
    sentence_case,
)
from collabkg.terms import CK, DCTERMS, ORG, PROV

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph


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
Q_DERIVED = _q("""SELECT DISTINCT ?x ?src WHERE { ?x prov:wasDerivedFrom|dcterms:source ?src }""")
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

        for source_iri, source_item in source_rows.items():
            source_kind = _most_specific(_unique(source_item.get("type", [])), parents)
            self.sources[source_iri] = SourceInfo(
                iri=source_iri,
                label=self.label(source_iri),
                kind=sentence_case(self.label(source_kind)) if source_kind else "",
                creators=tuple(sorted(_unique(source_item.get("creator", [])))),
                date=min(source_item.get("date", [""])),
                publisher=(_unique(source_item.get("publisher", [])) or [""])[0],
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
        for entity_iri, entity_kind in kinds.items():
            entity_facts = facts.get(entity_iri, {})
            specific = _most_specific(_unique(types.get(entity_iri, [])), parents)
            links = (
                memberships.get(entity_iri, [])
                if entity_kind == "collaboration"
                else member_of.get(entity_iri, [])
            )
            sectors = own_sectors(entity_iri)
            if entity_kind == "collaboration":
                sectors = [
                    s for member in memberships.get(entity_iri, []) for s in own_sectors(member)
                ]
            self.entities[entity_iri] = Entity(
                iri=entity_iri,
                label=self.label(entity_iri),
                kind=entity_kind,
                type_label=sentence_case(self.label(specific)) if specific else "",
                structure_types=sorted(
                    _unique(self.label(v) for v in entity_facts.get(str(CK.hasStructureType), []))
                ),
                sectors=sorted(_unique(self.label(v) for v in sectors)),
                places=sorted(
                    _unique(self.label(v) for v in entity_facts.get(str(CK.operatesIn), []))
                ),
                sources=sorted(
                    _unique(
                        self.label(v)
                        for p in (PROV.wasDerivedFrom, DCTERMS.source)
                        for v in entity_facts.get(str(p), [])
                    )
                ),
                links=_unique(links),
                unnamed="true" in entity_facts.get(str(CK.isUnnamedInSource), []),
            )
        self._sector_iris = {iri: _unique(own_sectors(iri)) for iri in kinds}
        self._structure_iris = {
            iri: _unique(facts.get(iri, {}).get(str(CK.hasStructureType), [])) for iri in kinds
        }
        self._parent_unit = {
            unit: parents_of[0]
            for unit, unit_facts in facts.items()
            if (parents_of := unit_facts.get(str(ORG.unitOf)))
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

    def quotes_by_subject(self) -> dict[str, list[Quote]]:
        """Every quotation, by the fact or thing it evidences."""
        return {key: list(quotes) for key, quotes in self._quotes.items()}

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
