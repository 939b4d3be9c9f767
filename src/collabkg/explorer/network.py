"""The network of organisations and collaborations: nodes and links, filtered and capped
(drawn by ``drawing``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import URIRef

from collabkg.explorer.common import (
    _q,
    _unique,
    humanise,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex
from collabkg.explorer.style import GROUP_COLOURS, SECTOR_GROUPS

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
    matching = list(degree)
    message = ""
    if total > cap:
        chosen = _most_connected(chosen, degree, cap)
        drawn = len({n for e in chosen for n in (e.source, e.target)})
        message = (
            f"The graph has {total} organisations and collaborations; showing the {drawn} "
            "most connected. Narrow it with the filters, or raise the number, to see the rest."
        )
    nodes_used = _unique([n for e in chosen for n in (e.source, e.target)])
    labels = {n: index.label(n) for n in nodes_used}
    ids = {n: f"n{number}" for number, n in enumerate(nodes_used)}
    nodes: list[dict[str, object]] = [
        {
            "data": {
                "id": ids[n],
                "label": node_group(index, n),
                "name": _short(labels[n]),
                "Name": labels[n],
                "Kind": _kind_words(index, n),
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
    groups = sorted({node_group(index, n) for n in nodes_used}, key=list(GROUP_COLOURS).index)
    return Network(
        elements={"nodes": nodes, "edges": edge_elements},
        groups=groups,
        relations=sorted({e.relation for e in chosen}, key=_relation_rank),
        total_nodes=total,
        shown_nodes=len(nodes),
        message=message,
        node_labels=labels,
        node_iris={ids[n]: n for n in nodes_used},
        matching=matching,
    )


def _kind_words(index: ExplorerIndex, iri: str) -> str:
    entity = index.entities.get(iri)
    if entity is not None and entity.type_label:
        return entity.type_label
    return sentence_case(index.kind(iri) or "other")


def _most_connected(edges: Sequence[NetEdge], degree: Counter[str], cap: int) -> list[NetEdge]:
    """The links among at most ``cap`` nodes, the most connected first, ``cap`` drawn.

    Capping nodes and then keeping the links among them drew fewer nodes than asked for
    (a kept node whose partners were all cut was left out). Links are taken instead, the
    best-connected first, while their nodes fit in ``cap``.
    """
    rank = lambda e: (-(degree[e.source] + degree[e.target]), e.source, e.target)  # noqa: E731
    kept: set[str] = set()
    for e in sorted(edges, key=rank):
        new = {e.source, e.target} - kept
        if len(kept) + len(new) <= cap:
            kept |= new
        if len(kept) >= cap:
            break
    return [e for e in edges if e.source in kept and e.target in kept]


def _relation_rank(relation: str) -> tuple[int, str]:
    order = list(RELATIONS)
    return (order.index(relation) if relation in order else len(order), relation)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


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
    net_edges = [
        NetEdge(source=source, target=target, relation=relation)
        for source, target in (pair.split("\n", 1) for pair in edges)
    ]
    index.add_labels({e.source for e in net_edges} | {e.target for e in net_edges})
    return build_network(index, net_edges, relations={relation}, cap=cap)
