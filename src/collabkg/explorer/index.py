"""The explorer's index: entities, labels, sources and evidence, read once per graph.

Built from a handful of whole-graph queries (:meth:`ExplorerIndex.__init__`), or brought up
to date from the index of an earlier content after a few case files changed
(:meth:`ExplorerIndex.update`: only what the changed statements can reach is read again).
Everything it holds is plain strings, so that it can be kept on disk by content
(:mod:`collabkg.explorer.kept_index`); an index that met a blank node is never kept (a blank
node's name belongs to one load of the store).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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
from collabkg.terms import CK, DCTERMS, ORG, PROV, RDFS

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
    """Collaborations of an organisation, or members of a collaboration (IRIs, sorted)."""
    unnamed: bool = False


# Each query below reads one kind of thing; the ``WHERE {`` that opens it is where
# :func:`_restricted` puts a VALUES block of the items an update reads again.
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
FACT_PROPERTIES = (
    CK.hasStructureType,
    CK.hasSector,
    CK.operatesIn,
    PROV.wasDerivedFrom,
    DCTERMS.source,
    CK.isUnnamedInSource,
    ORG.unitOf,
)
"""What the lists show of an entity besides its type and members."""
Q_ENTITY_FACTS = _q(
    "SELECT ?e ?p ?v WHERE {\n  VALUES ?p { "
    + " ".join(p.n3() for p in FACT_PROPERTIES)
    + " }\n  ?e ?p ?v .\n}"
)
_FACT_FILTER = "FILTER(?p IN (" + ", ".join(p.n3() for p in FACT_PROPERTIES) + "))"
Q_FACTS_OF = _q("SELECT ?e ?p ?v WHERE {\n  ?e ?p ?v .\n  " + _FACT_FILTER + "\n}")
""":data:`Q_ENTITY_FACTS` asked only for given values of ``?e`` (:func:`_restricted`): the
properties a filter, not a VALUES block. The engine joined two VALUES blocks before the
pattern and read every statement of every fact property: 140 ms at 1M for the things of one
new case, against 0.2 ms (``?e`` known, its statements filtered)."""
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
Q_QUOTATION_COUNT = _q("""SELECT (COUNT(DISTINCT ?q) AS ?n) WHERE { ?q a ck:Quotation }""")
Q_DERIVED = _q(
    """SELECT DISTINCT ?x ?src WHERE {
  { ?x prov:wasDerivedFrom ?src } UNION { ?x dcterms:source ?src }
}"""
)
Q_SOURCES = _q(
    """SELECT ?s ?type ?creator ?date ?publisher WHERE {
  ?s a ?type . ?type rdfs:subClassOf* ck:Source .
  OPTIONAL { ?s dcterms:creator ?creator }
  OPTIONAL { ?s dcterms:date ?date }
  OPTIONAL { ?s dcterms:publisher ?publisher }
}"""
)
Q_SUBCLASS = _q(
    # the direct link first gives the path a start: Virtuoso refuses an unbound start
    """SELECT DISTINCT ?sub ?super WHERE { ?sub rdfs:subClassOf ?direct .
  ?sub rdfs:subClassOf+ ?super . FILTER(isIRI(?super)) }"""
)

# what an update asks of the graph as it is now, about the things it changed (``?t``)
Q_REFERRING = _q("SELECT DISTINCT ?e WHERE {\n  ?e ?p ?t .\n  " + _FACT_FILTER + "\n}")
"""Things with a fact whose value is one of them (its label is shown, or its sectors). A
class's label is shown too, but a class is in the hierarchy (its change is not followed).
Asked only for given values of ``?t``, the properties a filter (as :data:`Q_FACTS_OF`; 150
ms at 1M with them a VALUES block, against 0.1 ms)."""
Q_TYPES_OF = _q("SELECT ?x ?type WHERE {\n  ?x a ?type .\n  FILTER(isIRI(?type))\n}")
"""The types of given things (``?x``, :func:`_restricted`): what the search calls them."""
Q_UNITS = _q("""SELECT DISTINCT ?e WHERE { ?e org:unitOf ?t . }""")
Q_EVIDENCED = _q(
    """SELECT DISTINCT ?x WHERE {
  { ?x ck:isEvidencedBy ?t } UNION
  { ?q ck:hasSpeakerOrganisation ?t . ?x ck:isEvidencedBy ?q } UNION
  { ?q prov:wasQuotedFrom ?t . ?x ck:isEvidencedBy ?q }
}"""
)
"""Things whose quotations show one of them (the quotation, its speaker's organisation or its
source: their labels are in the quotation as shown). Asked only for given values of ``?t``;
no property path: the engine evaluated ``hasSpeakerOrganisation|wasQuotedFrom`` over every
quotation before joining it with them (0.6-1.5 s at 1M for a new case, against 0.2 ms)."""

BATCH = 2000
"""Items per restricted query."""


def _restricted(query: str, variable: str, iris: Iterable[str]) -> Iterator[str]:
    """``query`` with a VALUES block of ``iris`` for ``variable`` opening its WHERE group, in
    batches of :data:`BATCH` (each IRI written by ``URIRef.n3()``, which refuses characters an
    IRI cannot hold: nothing is pasted; :class:`NotFollowed` for such an IRI)."""
    items = sorted(set(iris))
    head, found, tail = query.partition("WHERE {")
    assert found, "an index query opens its WHERE group"
    for start in range(0, len(items), BATCH):
        written = []
        for iri in items[start : start + BATCH]:
            try:
                written.append(URIRef(iri).n3())
            except Exception as exc:  # rdflib raises a bare Exception for such an IRI
                raise NotFollowed(f"an IRI SPARQL cannot hold: {iri!r}") from exc
        yield f"{head}WHERE {{ VALUES ?{variable} {{ {' '.join(written)} }}{tail}"


def _most_specific(types: Iterable[str], parents: Mapping[str, set[str]]) -> str:
    """The type that is no other listed type's superclass (ck: types first)."""
    listed = [t for t in types]
    ours = [t for t in listed if t.startswith(str(CK))] or listed
    supers: set[str] = set()
    for t in ours:
        supers |= parents.get(t, set()) - {t}
    specific = [t for t in ours if t not in supers]
    return sorted(specific or ours)[0] if (specific or ours) else ""


class NotFollowed(Exception):
    """A change :meth:`ExplorerIndex.update` does not follow (the index is built afresh)."""


_KEPT = (
    "_parents",
    "_types",
    "kinds",
    "_facts",
    "_members",
    "_member_of",
    "_source_rows",
    "_labels",
    "sources",
    "entities",
    "_sector_iris",
    "_structure_iris",
    "_parent_unit",
    "_derived",
    "_quotes",
    "quotation_count",
    "keepable",
)
"""What the index is (:meth:`ExplorerIndex.state`): everything but the graph it was read from."""


class ExplorerIndex:
    """Everything the lists, the network and the evidence panels need, read once per graph."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.keepable = True
        """False when a blank node was met: the index is then not kept on disk."""
        self._parents: dict[str, set[str]] = {}
        for sub, sup in self._rows(Q_SUBCLASS, ("sub", "super")):
            self._parents.setdefault(sub, set()).add(sup)
        self._types: dict[str, list[str]] = {}
        self.kinds: dict[str, Kind] = {}
        self._read_kinds([Q_COLLABORATIONS], [Q_ORGANISATIONS])
        self._facts: dict[str, dict[str, list[str]]] = {}
        self._read_facts([Q_ENTITY_FACTS])
        self._members: dict[str, list[str]] = {}
        self._member_of: dict[str, list[str]] = {}
        self._read_pairs([Q_MEMBERSHIPS])
        self._source_rows: dict[str, dict[str, list[str]]] = {}
        self._read_sources([Q_SOURCES])
        self._labels: dict[str, str] = kg.labels(self._needed(self.kinds, self._source_rows))
        self.sources: dict[str, SourceInfo] = {}
        for source_iri in self._source_rows:
            self._make_source(source_iri)
        self.entities: dict[str, Entity] = {}
        self._sector_iris: dict[str, list[str]] = {}
        self._structure_iris: dict[str, list[str]] = {}
        for entity_iri in self.kinds:
            self._make_entity(entity_iri)
        self._parent_unit: dict[str, str] = {}
        for subject in self._facts:
            self._make_parent(subject)
        self._derived: dict[str, list[str]] = {}
        self._read_derived([Q_DERIVED])
        self._quotes: dict[str, list[Quote]] = {}
        self._read_quotes([Q_QUOTES])
        self.quotation_count = self._count()
        self._in_order()

    # ------------------------------------------------------------------ reading

    def _rows(self, query: str, names: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        """The answer's rows as text ("" for an unbound column); a blank node makes the
        index one that is not kept on disk."""
        for row in self.kg.select(query).rows:
            values = []
            for name in names:
                term = row.get(name)
                if isinstance(term, BNode):
                    self.keepable = False
                values.append(_text(term))
            yield tuple(values)

    def _read_kinds(self, collaborations: Iterable[str], organisations: Iterable[str]) -> None:
        found: dict[str, tuple[Kind, set[str]]] = {}
        kinds: tuple[tuple[Iterable[str], Kind], ...] = (
            (collaborations, "collaboration"),
            (organisations, "organisation"),
        )
        for queries, kind in kinds:
            for query in queries:
                for row in self.kg.select(query).rows:
                    entity = row["e"]
                    if not isinstance(entity, URIRef):
                        continue
                    known = found.get(str(entity))
                    if known is not None and known[0] != kind:
                        continue  # Virtuoso's FILTER NOT EXISTS with a path lets these through
                    found.setdefault(str(entity), (kind, set()))[1].add(_text(row["type"]))
        for iri, (kind, types) in found.items():
            self.kinds[iri] = kind
            self._types[iri] = sorted(types)

    def _read_facts(self, queries: Iterable[str]) -> None:
        found: dict[str, dict[str, set[str]]] = {}
        for query in queries:
            for subject, prop, value in self._rows(query, ("e", "p", "v")):
                found.setdefault(subject, {}).setdefault(prop, set()).add(value)
        for subject, facts in found.items():
            self._facts[subject] = {p: sorted(values) for p, values in sorted(facts.items())}

    def _read_pairs(self, queries: Iterable[str]) -> None:
        pairs = {pair for query in queries for pair in self._rows(query, ("c", "o"))}
        for collab, org in sorted(pairs):
            _insert(self._members.setdefault(collab, []), org)
            _insert(self._member_of.setdefault(org, []), collab)

    def _read_sources(self, queries: Iterable[str]) -> None:
        names = ("s", "type", "creator", "date", "publisher")
        found: dict[str, dict[str, set[str]]] = {}
        for query in queries:
            for source, *values in self._rows(query, names):
                item = found.setdefault(source, {})
                for name, value in zip(names[1:], values, strict=True):
                    if value:
                        item.setdefault(name, set()).add(value)
        for source, item in found.items():
            self._source_rows[source] = {name: sorted(v) for name, v in sorted(item.items())}

    def _read_derived(self, queries: Iterable[str]) -> None:
        found: dict[str, set[str]] = {}
        for query in queries:
            for subject, source in self._rows(query, ("x", "src")):
                found.setdefault(subject, set()).add(source)
        for subject, sources in found.items():
            self._derived[subject] = sorted(sources)

    def _read_quotes(self, queries: Iterable[str]) -> None:
        names = ("x", "q", "text", "role", "name", "speakerOrg", "loc", "src")
        rows = sorted({row for query in queries for row in self._rows(query, names)})
        org_labels = self.kg.labels({row[5] for row in rows if row[5]})
        seen: set[tuple[str, str]] = set()
        found: dict[str, list[Quote]] = {}
        for subject, quote_iri, text, role, name, speaker_org, locator, source_iri in rows:
            if (subject, quote_iri) in seen:
                continue  # the first of a quotation's rows (two roles give two)
            seen.add((subject, quote_iri))
            speaker = ", ".join(
                part for part in (name, role, org_labels.get(speaker_org, "")) if part
            )
            found.setdefault(subject, []).append(
                Quote(
                    iri=quote_iri,
                    text=" ".join(text.split()),
                    speaker=speaker,
                    locator=locator,
                    source=self.source_label(source_iri) if source_iri else "",
                    source_iri=source_iri,
                )
            )
        self._quotes.update(found)

    def _count(self) -> int:
        rows = self.kg.select(Q_QUOTATION_COUNT).rows
        found = rows[0].get("n") if rows else None
        return int(found.toPython()) if isinstance(found, RdfLiteral) else 0

    def _needed(self, entities: Iterable[str], sources: Iterable[str]) -> set[str]:
        """The IRIs whose labels the entities and sources given show."""
        needed: set[str] = set()
        for iri in entities:
            needed.add(iri)
            needed.update(self._types.get(iri, []))
            for values in self._facts.get(iri, {}).values():
                needed.update(v for v in values if v.startswith("http"))
            for member in self._members.get(iri, []):
                needed.update(self._own_sectors(member))
            needed.update(self._own_sectors(iri))
        for iri in sources:
            needed.add(iri)
            needed.update(self._source_rows.get(iri, {}).get("type", []))
        return needed

    # ------------------------------------------------------------------ derived

    def _own_sectors(self, iri: str) -> list[str]:
        """An organisation's sectors; a unit with none of its own has its parent's."""
        facts = self._facts.get(iri, {})
        found = facts.get(str(CK.hasSector), [])
        parents = facts.get(str(ORG.unitOf), [])
        if not found and parents:
            found = self._facts.get(parents[0], {}).get(str(CK.hasSector), [])
        return found

    def _make_source(self, source_iri: str) -> None:
        item = self._source_rows.get(source_iri)
        if item is None:
            self.sources.pop(source_iri, None)
            return
        source_kind = _most_specific(item.get("type", []), self._parents)
        self.sources[source_iri] = SourceInfo(
            iri=source_iri,
            label=self.label(source_iri),
            kind=sentence_case(self.label(source_kind)) if source_kind else "",
            creators=tuple(item.get("creator", [])),
            date=min(item.get("date", [""])),
            publisher=(item.get("publisher", []) or [""])[0],
        )

    def _make_entity(self, entity_iri: str) -> None:
        entity_kind = self.kinds.get(entity_iri)
        if entity_kind is None:
            for table in (self.entities, self._sector_iris, self._structure_iris):
                table.pop(entity_iri, None)
            return
        facts = self._facts.get(entity_iri, {})
        specific = _most_specific(self._types.get(entity_iri, []), self._parents)
        sectors = self._own_sectors(entity_iri)
        if entity_kind == "collaboration":
            links = self._members.get(entity_iri, [])
            sectors = [s for member in links for s in self._own_sectors(member)]
        else:
            links = self._member_of.get(entity_iri, [])

        def labels(values: Iterable[str]) -> list[str]:
            return sorted(_unique(self.label(v) for v in values))

        self.entities[entity_iri] = Entity(
            iri=entity_iri,
            label=self.label(entity_iri),
            kind=entity_kind,
            type_label=sentence_case(self.label(specific)) if specific else "",
            structure_types=labels(facts.get(str(CK.hasStructureType), [])),
            sectors=labels(sectors),
            places=labels(facts.get(str(CK.operatesIn), [])),
            sources=labels(
                v for p in (PROV.wasDerivedFrom, DCTERMS.source) for v in facts.get(str(p), [])
            ),
            links=list(links),
            unnamed="true" in facts.get(str(CK.isUnnamedInSource), []),
        )
        self._sector_iris[entity_iri] = _unique(self._own_sectors(entity_iri))
        self._structure_iris[entity_iri] = list(facts.get(str(CK.hasStructureType), []))

    def _make_parent(self, subject: str) -> None:
        parents = self._facts.get(subject, {}).get(str(ORG.unitOf))
        if parents:
            self._parent_unit[subject] = parents[0]
        else:
            self._parent_unit.pop(subject, None)

    def _in_order(self) -> None:
        """The tables in one order whatever built them (an update puts new items last)."""
        for name in ("kinds", "entities", "sources", "_quotes"):
            table = getattr(self, name)
            setattr(self, name, dict(sorted(table.items())))

    # ------------------------------------------------------------------ kept and brought up to date

    def state(self) -> dict[str, Any]:
        """What the index holds, as builtins only (strings, lists, dicts, tuples: it is kept
        with :mod:`marshal`), everything but its graph. The labels are copied first: a page
        may be adding one while it is kept."""
        state = {name: getattr(self, name) for name in _KEPT}
        state["_labels"] = dict(self._labels)
        state["_parents"] = {k: sorted(v) for k, v in self._parents.items()}
        state["entities"] = {
            iri: (
                e.label,
                e.kind,
                e.type_label,
                e.structure_types,
                e.sectors,
                e.places,
                e.sources,
                e.links,
                e.unnamed,
            )
            for iri, e in self.entities.items()
        }
        state["sources"] = {
            iri: (s.label, s.kind, s.creators, s.date, s.publisher)
            for iri, s in self.sources.items()
        }
        state["_quotes"] = {
            x: [(q.iri, q.text, q.speaker, q.locator, q.source, q.source_iri) for q in quotes]
            for x, quotes in self._quotes.items()
        }
        return state

    @classmethod
    def from_state(cls, state: Mapping[str, Any], kg: KnowledgeGraph) -> ExplorerIndex:
        """The index :meth:`state` gave, reading labels it does not hold from ``kg``."""
        index = cls.__new__(cls)
        index.__dict__.update({name: state[name] for name in _KEPT})
        index.kg = kg
        index._parents = {k: set(v) for k, v in state["_parents"].items()}
        index.entities = {iri: Entity(iri, *fields) for iri, fields in state["entities"].items()}
        index.sources = {iri: SourceInfo(iri, *fields) for iri, fields in state["sources"].items()}
        index._quotes = {
            x: [Quote(*fields) for fields in quotes] for x, quotes in state["_quotes"].items()
        }
        return index

    def update(self, kg: KnowledgeGraph, ends: Iterable[tuple[str, str, str]]) -> None:
        """Bring an index of an earlier content up to date with ``kg``, the graph as it is
        now. ``ends`` are the ends (role, property, IRI) of the statements that changed
        (:func:`collabkg.answer_update.changed_ends`): an ``s``, ``l`` or ``t`` end names an
        IRI whose own statements changed, an ``o`` end one that a changed statement points
        to. Everything the index derives from such a statement is read again; the result
        equals an index built afresh (``tests/app/test_kept_index.py`` compares the two
        after seeded random edits). :class:`NotFollowed`, before anything is changed, when a
        subclass link changed (the type hierarchy is read once, in full)."""
        ends = list(ends)
        if any(predicate == str(RDFS.subClassOf) for _role, predicate, _iri in ends):
            raise NotFollowed("a subclass link changed")
        changed = {iri for role, _predicate, iri in ends if role != "o"}
        touched = changed | {iri for _role, _predicate, iri in ends}
        if changed & self._parents.keys():
            raise NotFollowed("a class of the hierarchy changed")
        self.kg = kg
        self.__dict__.pop("_search_entries", None)
        if not touched:
            return
        # what refers to a changed thing, in the graph as it is now
        referring = self._ask(Q_REFERRING, "t", changed, "e")
        # memberships: a pair (c, o) comes and goes with a statement pointing to c or to o
        old_pairs = {(c, o) for c in touched for o in self._members.get(c, [])}
        old_pairs |= {(c, o) for o in touched for c in self._member_of.get(o, [])}
        for collab, org in old_pairs:
            _remove(self._members, collab, org)
            _remove(self._member_of, org, collab)
        new_pairs = {
            pair
            for variable in ("c", "o")
            for query in _restricted(Q_MEMBERSHIPS, variable, touched)
            for pair in self._rows(query, ("c", "o"))
        }
        for collab, org in sorted(new_pairs):
            _insert(self._members.setdefault(collab, []), org)
            _insert(self._member_of.setdefault(org, []), collab)
        moved = {iri for pair in old_pairs ^ new_pairs for iri in pair}
        # what each changed thing is, says and cites
        for iri in changed:
            for table in (self.kinds, self._types, self._facts, self._source_rows, self._derived):
                table.pop(iri, None)
        self._read_kinds(
            _restricted(Q_COLLABORATIONS, "e", changed), _restricted(Q_ORGANISATIONS, "e", changed)
        )
        self._read_facts(_restricted(Q_FACTS_OF, "e", changed))
        self._read_sources(_restricted(Q_SOURCES, "s", changed))
        self._read_derived(_restricted(Q_DERIVED, "x", changed))
        # entities: their own, those whose facts show a changed thing, units of those (a
        # unit shows its parent's sectors), and collaborations with a member among them
        level = changed | referring
        level |= self._ask(Q_UNITS, "t", level, "e")
        around = set(level) | moved  # moved: both ends of a membership that came or went
        for member in level:
            around.update(self._member_of.get(member, []))
        for iri in changed:
            self._labels.pop(iri, None)
        needed = self._needed(around & self.kinds.keys(), changed & self._source_rows.keys())
        self._labels.update(self.kg.labels(needed - self._labels.keys()))
        for iri in around:
            self._make_entity(iri)
        for iri in changed:
            self._make_source(iri)  # a source shows its own statements and its class
        for iri in changed:
            self._make_parent(iri)
        # quotations: of the changed things, and those whose quotation, speaker or source changed
        evidenced = changed | self._ask(Q_EVIDENCED, "t", changed, "x")
        for iri in evidenced:
            self._quotes.pop(iri, None)
        self._read_quotes(_restricted(Q_QUOTES, "x", evidenced))
        self.quotation_count = self._count()
        self._in_order()

    def _ask(self, query: str, variable: str, iris: Collection[str], column: str) -> set[str]:
        """The IRIs in ``column`` of ``query`` with ``variable`` one of ``iris``."""
        return {
            row[0]
            for restricted in _restricted(query, variable, iris)
            for row in self._rows(restricted, (column,))
            if row[0]
        }

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
            for src in self._derived.get(key, [])
            if src in self.sources or src not in quoted_sources
        ]
        return Evidence(quotes=quotes, sources=sources)

    def types_of(self, iris: Collection[str]) -> dict[str, str]:
        """The most specific type (an IRI) of each of ``iris`` that has one; asked of the
        graph for these things only, a batch at a time. Their labels are looked up."""
        types: dict[str, set[str]] = {}
        for restricted in _restricted(Q_TYPES_OF, "x", iris):
            for thing, kind in self._rows(restricted, ("x", "type")):
                if thing and kind:
                    types.setdefault(thing, set()).add(kind)
        specific = {thing: _most_specific(kinds, self._parents) for thing, kinds in types.items()}
        self.add_labels(set(specific.values()) - {""})
        return {thing: kind for thing, kind in specific.items() if kind}

    def is_subclass(self, sub: str, sup: str) -> bool:
        """Whether class ``sub`` is ``sup`` or one of its subclasses."""
        return sub == sup or sup in self._parents.get(sub, set())

    def quotes_by_subject(self) -> dict[str, list[Quote]]:
        """Every quotation, by the fact or thing it evidences."""
        return {key: list(quotes) for key, quotes in self._quotes.items()}

    def collaborations(self) -> list[Entity]:
        return sorted(
            (e for e in self.entities.values() if e.kind == "collaboration"),
            key=lambda e: (is_unnamed(e), e.label.lower(), e.iri),
        )

    def organisations(self) -> list[Entity]:
        return sorted(
            (e for e in self.entities.values() if e.kind == "organisation"),
            key=lambda e: (is_unnamed(e), e.label.lower(), e.iri),
        )

    def href(self, iri: str, label: str | None = None) -> str | None:
        return profile_href(iri, self.kind(iri), label)


def _insert(items: list[str], item: str) -> None:
    """Put ``item`` in the sorted list ``items`` (once)."""
    import bisect

    at = bisect.bisect_left(items, item)
    if at == len(items) or items[at] != item:
        items.insert(at, item)


def _remove(table: dict[str, list[str]], key: str, item: str) -> None:
    items = table.get(key)
    if items is not None and item in items:
        items.remove(item)
        if not items:
            del table[key]


def is_unnamed(entity: Entity) -> bool:
    """Things the sources describe without naming them sort after named ones."""
    label = entity.label
    return entity.unnamed or "not named in the source" in label or "none named" in label
