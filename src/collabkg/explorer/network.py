"""The network of organisations and collaborations: nodes and links, filtered and capped
(drawn by ``drawing``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import URIRef

from collabkg.explorer.common import (
    _q,
    _unique,
    humanise,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex, is_unnamed
from collabkg.explorer.style import GROUP_COLOURS, SECTOR_GROUPS
from collabkg.terms import CK

if TYPE_CHECKING:
    from collabkg.graph import QueryResult


# --------------------------------------------------------------------------- network


RELATIONS: dict[str, str] = {
    "member of": "member of",
    "funds": "funds",
    "accountable to": "accountable to",
    "transfers asset to": "transfers asset to",
}
DEFAULT_NODE_CAP = 40
"""Nodes drawn at first: more and the names become too small to read."""

Q_NETWORK = _q(
    """SELECT DISTINCT ?s ?o ?rel WHERE {
  { ?m org:member ?s ; org:organization ?o . BIND("member of" AS ?rel) }
  UNION { ?f ck:hasFunder ?s ; ck:hasRecipient ?o . BIND("funds" AS ?rel) }
  UNION { ?a ck:hasAccountableParty ?s ; ck:isAccountableTo ?o . BIND("accountable to" AS ?rel) }
  UNION { ?t ck:hasTransferor ?s ; ck:hasTransferee ?o . BIND("transfers asset to" AS ?rel) }
}"""
)


Q_GROUPS = _q(
    """SELECT DISTINCT ?g ?type WHERE { ?g a ?type . ?type rdfs:subClassOf* ck:Group . }"""
)
"""Groups (``ck:Group``): several organisations, collaborations or people that a source
speaks of together without naming any one of them; neither an organisation nor a
collaboration, so never counted as one (Home does not count them either)."""

PARTIES: dict[str, tuple[str, str]] = {
    "organisation": ("organisation", "organisations"),
    "collaboration": ("collaboration", "collaborations"),
    "group": (
        "group the sources speak of without naming its members",
        "groups the sources speak of without naming their members",
    ),
    "other": ("other party", "other parties"),
}
"""What a shape stands for, in the singular and the plural, in the order counts say them."""


@dataclass(frozen=True)
class NetEdge:
    source: str
    target: str
    relation: str


@dataclass
class Network:
    """Nodes and links to draw (``elements``) plus what the page should say about them."""

    elements: dict[str, list[dict[str, object]]]
    groups: list[str]
    relations: list[str]
    total_nodes: int
    shown_nodes: int
    message: str = ""
    node_labels: dict[str, str] = field(default_factory=dict)
    """Label of each node drawn, by IRI."""
    node_iris: dict[str, str] = field(default_factory=dict)
    """IRI of each node drawn, by its element id (ids are short and carry no IRI)."""
    matching: list[str] = field(default_factory=list)
    """Every node the filters keep, drawn or left out by the cap (IRIs)."""
    parties: dict[str, str] = field(default_factory=dict)
    """What each node the filters keep stands for (a key of :data:`PARTIES`), by IRI."""

    def kept_counts(self) -> Counter[str]:
        """How many of each party the filters keep, drawn or not."""
        return Counter(self.parties.get(iri, "other") for iri in self.matching)

    def drawn_counts(self) -> Counter[str]:
        """How many of each party are drawn."""
        return Counter(self.parties.get(iri, "other") for iri in self.node_labels)

    def kind_words(self, iri: str) -> str:
        """What a node drawn is, in words ("Local authority", "Group of organisations")."""
        for node in self.elements["nodes"]:
            data = node["data"]
            if isinstance(data, dict) and self.node_iris.get(str(data["id"])) == iri:
                return str(data["Kind"])
        return ""


def network_edges(index: ExplorerIndex) -> list[NetEdge]:
    edges = [
        NetEdge(str(row["s"]), str(row["o"]), str(row["rel"]))
        for row in index.kg.select(Q_NETWORK).rows
        if isinstance(row.get("s"), URIRef) and isinstance(row.get("o"), URIRef)
    ]
    index.add_labels({e.source for e in edges} | {e.target for e in edges})
    return edges


def network_groups(index: ExplorerIndex) -> dict[str, str]:
    """The groups of the graph (``ck:Group``, by IRI) with what kind of group each is, in
    words (the label of its type: "Group of organisations")."""
    rows = [
        (str(row["g"]), str(row["type"]))
        for row in index.kg.select(Q_GROUPS).rows
        if isinstance(row.get("g"), URIRef) and isinstance(row.get("type"), URIRef)
    ]
    index.add_labels({kind for _, kind in rows})
    general = str(CK.Group)
    groups: dict[str, str] = {}
    for iri, kind in sorted(rows, key=lambda row: (row[1] == general, row)):
        groups.setdefault(iri, sentence_case(index.label(kind)))
    return groups


def party_of(index: ExplorerIndex, iri: str, groups: Mapping[str, str]) -> str:
    """What a node stands for: an organisation or a collaboration (as Home counts them), a
    group the sources speak of without naming its members, or another party."""
    kind = index.kind(iri)
    if kind is not None:
        return kind
    return "group" if iri in groups else "other"


def count_words(counts: Mapping[str, int]) -> str:
    """Counts by party in words ("43 organisations, 17 collaborations and 10 groups the
    sources speak of without naming their members"); parties with none are left out."""
    parts = [
        f"{number} {PARTIES[party][number != 1]}"
        for party in PARTIES
        if (number := counts.get(party, 0))
    ]
    if not parts:
        return "none"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def shapes_words(counts: Mapping[str, int]) -> str:
    """The shapes counted, then what they stand for: "70 shapes (43 organisations, …)"."""
    total = sum(counts.values())
    return f"{total} shape{'' if total == 1 else 's'} ({count_words(counts)})"


def coverage_words(kept: Mapping[str, int], organisations: int, collaborations: int) -> str:
    """How many of the graph's organisations and collaborations (``organisations`` and
    ``collaborations``: Home's counts) the filters keep, and why the others are not."""
    in_graph = {"organisation": organisations, "collaboration": collaborations}
    kept_here = {party: kept.get(party, 0) for party in in_graph}
    graph_words = (
        f"The graph has {sum(in_graph.values())} organisations and collaborations "
        f"({count_words(in_graph)})"
    )
    if kept_here == in_graph:
        return f"{graph_words}; the filters keep them all."
    if not any(kept_here.values()):
        return f"{graph_words}; the filters keep none of them."
    return (
        f"{graph_words}; the filters keep {sum(kept_here.values())} of them "
        f"({count_words(kept_here)}): the others have no link the filters keep."
    )


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
    groups: Mapping[str, str] | None = None,
) -> Network:
    """Filter by relation and structure type (labels), cap the node count by degree: the
    drawing has exactly ``min(cap, kept)`` nodes. ``groups`` (:func:`network_groups`, found
    in the graph when not given) tells groups from other parties that are neither an
    organisation nor a collaboration."""
    if groups is None:
        groups = network_groups(index)
    chosen = _filtered(index, edges, relations, structure_types)
    degree: Counter[str] = Counter()
    for e in chosen:
        degree[e.source] += 1
        degree[e.target] += 1
    total = len(degree)
    matching = list(degree)
    parties = {n: party_of(index, n, groups) for n in matching}
    message = ""
    nodes_used = _unique([n for e in chosen for n in (e.source, e.target)])
    if total > cap:
        nodes_used = _most_connected(degree, cap, {n: tie_rank(index, n) for n in degree})
        drawn = set(nodes_used)
        chosen = [e for e in chosen if e.source in drawn and e.target in drawn]
        message = (
            f"The filters keep {shapes_words(Counter(parties.values()))}; showing the "
            f"{len(nodes_used)} most connected ({TIE_ORDER}). Narrow it "
            "with the filters, or raise the number, to see the rest."
        )
    labels = {n: index.label(n) for n in nodes_used}
    ids = {n: f"n{number}" for number, n in enumerate(nodes_used)}
    nodes: list[dict[str, object]] = [
        {
            "data": {
                "id": ids[n],
                "label": node_group(index, n),
                "name": _short(labels[n]),
                "Name": labels[n],
                "Kind": _kind_words(index, n, groups),
            }
        }
        for n in nodes_used
    ]
    edge_elements: list[dict[str, object]] = [
        {
            "data": {
                "id": f"e{i}",
                "source": ids[e.source],
                "target": ids[e.target],
                "label": e.relation,
                "From": labels[e.source],
                "To": labels[e.target],
            }
        }
        for i, e in enumerate(chosen)
    ]
    node_groups = sorted({node_group(index, n) for n in nodes_used}, key=list(GROUP_COLOURS).index)
    return Network(
        elements={"nodes": nodes, "edges": edge_elements},
        groups=node_groups,
        relations=sorted({e.relation for e in chosen}, key=_relation_rank),
        total_nodes=total,
        shown_nodes=len(nodes),
        message=message,
        node_labels=labels,
        node_iris={ids[n]: n for n in nodes_used},
        matching=matching,
        parties=parties,
    )


def _filtered(
    index: ExplorerIndex,
    edges: Sequence[NetEdge],
    relations: Iterable[str] | None,
    structure_types: Iterable[str] | None,
) -> list[NetEdge]:
    """The links of the relations chosen (all when None) and, when structure types are
    chosen, those among the collaborations of those types and the organisations linked to
    them."""
    wanted_relations = set(relations) if relations is not None else set(RELATIONS)
    chosen = [e for e in edges if e.relation in wanted_relations]
    types = {t.lower() for t in structure_types or ()}
    if not types:
        return chosen
    keep_collabs = {
        iri
        for iri, entity in index.entities.items()
        if entity.kind == "collaboration" and {s.lower() for s in entity.structure_types} & types
    }
    # organisations linked to a chosen collaboration, then edges among kept nodes
    keep = set(keep_collabs)
    for e in chosen:
        if e.target in keep_collabs:
            keep.add(e.source)
        if e.source in keep_collabs:
            keep.add(e.target)
    return [
        e
        for e in chosen
        if e.source in keep
        and e.target in keep
        and (index.kind(e.source) != "collaboration" or e.source in keep_collabs)
        and (index.kind(e.target) != "collaboration" or e.target in keep_collabs)
    ]


def _kind_words(index: ExplorerIndex, iri: str, groups: Mapping[str, str]) -> str:
    entity = index.entities.get(iri)
    if entity is not None and entity.type_label:
        return entity.type_label
    if iri in groups and index.kind(iri) is None:
        return groups[iri] or "Group"
    return sentence_case(index.kind(iri) or "other")


def tie_rank(index: ExplorerIndex, iri: str) -> tuple[int, str, str]:
    """Which of two shapes with as many links is drawn first (:data:`TIE_ORDER`):
    collaborations, then organisations the sources name, then the rest (organisations the
    sources do not name, groups, other parties); then by name, then by IRI."""
    kind = index.kind(iri)
    entity = index.entities.get(iri)
    if kind == "collaboration":
        standing = 0
    elif kind == "organisation" and entity is not None and not is_unnamed(entity):
        standing = 1
    else:
        standing = 2
    return standing, index.label(iri).casefold(), iri


def _most_connected(
    degree: Counter[str], cap: int, rank: Mapping[str, tuple[int, str, str]]
) -> list[str]:
    """Exactly ``cap`` nodes (fewer only when there are fewer): the ``cap`` with the most
    links under the filters, most first; equal counts in the order of ``rank``
    (:func:`tie_rank`), so the same filters always draw the same shapes.

    Every shape drawn has at least as many links as every shape left out. (Links used to be
    taken by the two ends' links added together, so a shape with one link to a hub was drawn
    before shapes with two links between themselves.) A shape drawn whose partners are all
    left out is drawn on its own."""
    return sorted(degree, key=lambda n: (-degree[n], rank[n]))[:cap]


TIE_ORDER = (
    "most links first; among equal numbers of links, collaborations, then the organisations "
    "the sources name, then the rest, each in alphabetical order"
)
"""How the cap picks the shapes drawn, in words (the page says it)."""


def _relation_rank(relation: str) -> tuple[int, str]:
    order = list(RELATIONS)
    return (order.index(relation) if relation in order else len(order), relation)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def result_network(
    index: ExplorerIndex,
    result: QueryResult,
    cap: int = DEFAULT_NODE_CAP,
    *,
    link: tuple[str, str, str] | None = None,
) -> Network:
    """A graph of an answer: each row links the thing in one column to the thing in another.

    ``link`` is (from, to, relation), as the question declares it (``#+ graph``); without
    it, the first two IRI columns, the link called by the second's name (for answers that
    declare nothing, e.g. an analyst's)."""
    if link is not None:
        first, second, relation = link
    else:
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
    net_edges = [
        NetEdge(source=source, target=target, relation=relation)
        for source, target in (pair.split("\n", 1) for pair in edges)
    ]
    index.add_labels({e.source for e in net_edges} | {e.target for e in net_edges})
    return build_network(index, net_edges, relations={relation}, cap=cap)
