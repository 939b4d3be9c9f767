"""Explaining an inconsistency: clash patterns first (the first few confirmed by HermiT),
then QuickXplain bisection of the data individuals and of the ontology's axioms for
whatever the patterns do not explain.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import replace

from rdflib import BNode, URIRef
from rdflib.term import Node

from collabkg.reasoning.clashes import Clashes
from collabkg.reasoning.hermit import OutOfBudget, Reasoner
from collabkg.reasoning.loading import Prepared
from collabkg.reasoning.owl import META_NAMESPACES, Triple
from collabkg.reasoning.partition import Partition
from collabkg.reasoning.report import Explanation
from collabkg.reasoning.words import AxiomGraph, article, fact
from collabkg.terms import OWL, RDF, RDFS

SMALL_SET = 8
"""Up to this many candidates, minimise by deleting one at a time (n HermiT runs)."""


MAX_CONFIRMED = 3
"""Clashes confirmed one by one with HermiT; the others are reported unconfirmed."""


def quickxplain(inconsistent: Callable[[list[int]], bool], items: list[int]) -> list[int]:
    """A minimal subset of ``items`` that is inconsistent (Junker's QuickXplain).

    ``inconsistent(subset)`` must be monotone; the whole of ``items`` is inconsistent.
    """

    def qx(background: list[int], changed: bool, candidates: list[int]) -> list[int]:
        if changed and inconsistent(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        second_part = qx(background + first, bool(first), second)
        first_part = qx(background + second_part, bool(second_part), first)
        return first_part + second_part

    if not items:
        return []
    if len(items) <= SMALL_SET:
        # deletion: one run per item, fewer than QuickXplain needs on a small set
        kept = list(items)
        for item in list(items):
            trial = [i for i in kept if i != item]
            if inconsistent(trial):
                kept = trial
        return kept
    return qx([], False, items)


def explain_inconsistency(
    graph: AxiomGraph, prepared: Prepared, partition: Partition, reasoner: Reasoner
) -> list[Explanation]:
    """Clash patterns first (each confirmed by HermiT), then bisection for the rest."""
    out: list[Explanation] = []
    schema = partition.schema
    clashes = Clashes(graph, prepared.triples, set(partition.groups)).find()
    try:
        schema_consistent = reasoner.consistent(schema)
    except OutOfBudget:
        return [e for e, _nodes in clashes]
    if not schema_consistent:
        own = [e for e, nodes in clashes if not any(n in partition.groups for n in nodes)]
        if own:
            prefix = "The ontology (with its concept schemes) contradicts itself, before any data: "
            return [replace(e, kind="ontology", message=prefix + e.message) for e in own]
        return [_explain_schema(graph, partition, reasoner)]
    removed: set[Node] = set()
    for number, (explanation, nodes) in enumerate(clashes):
        keys = [n for n in nodes if n in partition.groups]
        confirmed: bool | None = None
        if number < MAX_CONFIRMED:
            try:
                confirmed = not reasoner.consistent(schema + partition.data_triples(keys))
            except OutOfBudget:
                confirmed = None
        if confirmed is not False:
            removed.update(keys)
        out.append(replace(explanation, confirmed=confirmed))
    remaining = [k for k in partition.groups if k not in removed]
    for _round in range(3):
        try:
            if reasoner.consistent(schema + partition.data_triples(remaining)):
                break
        except OutOfBudget:
            if not out:
                out.append(_explain_set(graph, partition, reasoner, remaining, False))
            break
        found, minimal = _bisect_data(partition, reasoner, remaining)
        out.append(_explain_set(graph, partition, reasoner, found, minimal))
        chosen = set(found)
        remaining = [k for k in remaining if k not in chosen]
        if not minimal:
            break
    return out


def _bisect_data(
    partition: Partition, reasoner: Reasoner, keys: list[Node]
) -> tuple[list[Node], bool]:
    ordered = sorted(keys, key=lambda k: (len(partition.groups[k]), str(k)))
    # Suspects first: individuals described with OWL constructs (class expressions,
    # owl:sameAs...) and their neighbours; one HermiT run tells whether they suffice.
    wanted = set(keys)
    suspects: set[Node] = set()
    for key in ordered:
        for _s, p, o in partition.groups[key]:
            if str(p).startswith(str(OWL)) or (p == RDF.type and isinstance(o, BNode)):
                suspects.add(key)
    for key in list(suspects):
        suspects |= {o for _s, _p, o in partition.groups[key] if o in wanted}
    try:
        if suspects and len(suspects) < len(ordered):
            subset = [k for k in ordered if k in suspects]
            if not reasoner.consistent(partition.schema + partition.data_triples(subset)):
                ordered = subset
    except OutOfBudget:
        return ordered, False

    def inconsistent(indexes: list[int]) -> bool:
        chosen = [ordered[i] for i in indexes]
        return not reasoner.consistent(partition.schema + partition.data_triples(chosen))

    try:
        found = quickxplain(inconsistent, list(range(len(ordered))))
        return [ordered[i] for i in found], True
    except OutOfBudget:
        return ordered, False


def _bisect_axioms(
    partition: Partition, reasoner: Reasoner, data: list[Triple]
) -> tuple[list[list[Triple]], bool]:
    fixed, groups = partition.axiom_groups()
    signature = {
        x
        for t in data
        for x in (t[0], t[1], t[2])
        if isinstance(x, URIRef) and not str(x).startswith(META_NAMESPACES)
    }
    relevant = _module(partition.graph, groups, signature, upward=True)

    def inconsistent(indexes: list[int]) -> bool:
        triples = fixed + data + [t for i in indexes for t in relevant[i]]
        return not reasoner.consistent(triples)

    try:
        if reasoner.consistent(fixed + data + [t for g in relevant for t in g]):
            relevant = _module(partition.graph, groups, signature, upward=False)
        found = quickxplain(inconsistent, list(range(len(relevant))))
        return [relevant[i] for i in found], True
    except OutOfBudget:
        return relevant, False


_UPWARD = frozenset(
    str(p) for p in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf, RDF.type)
)


def _module(
    graph: AxiomGraph, groups: list[list[Triple]], signature: AbstractSet[Node], *, upward: bool
) -> list[list[Triple]]:
    """The axiom groups reachable from a signature.

    ``upward`` follows subclass and subproperty axioms only from their left-hand side
    (what a data individual's types and properties imply), which keeps the set small;
    otherwise any shared name pulls an axiom in.
    """
    names_of: list[set[Node]] = [
        {
            x
            for t in g
            for x in (t[0], t[1], t[2])
            if isinstance(x, URIRef) and not str(x).startswith(META_NAMESPACES)
        }
        for g in groups
    ]
    triggers: list[set[Node]] = []
    for group, names in zip(groups, names_of, strict=True):
        s, p, _o = group[0]
        if not upward:
            triggers.append(names)
        elif str(p) in _UPWARD and isinstance(s, URIRef):
            triggers.append({s})
        elif p == OWL.propertyChainAxiom:
            triggers.append({s, *(x for x in graph.rdf_list(group[0][2]) if isinstance(x, URIRef))})
        else:
            triggers.append(names)
    reached = set(signature)
    chosen: list[int] = []
    left = list(range(len(groups)))
    changed = True
    while changed:
        changed = False
        keep: list[int] = []
        for index in left:
            if triggers[index] & reached:
                chosen.append(index)
                reached |= names_of[index]
                changed = True
            else:
                keep.append(index)
        left = keep
    return [groups[i] for i in sorted(chosen)]


def _explain_set(
    graph: AxiomGraph, partition: Partition, reasoner: Reasoner, keys: list[Node], minimal: bool
) -> Explanation:
    data = partition.data_triples(keys)
    axioms: tuple[str, ...] = ()
    axioms_minimal = False
    if minimal:
        groups, axioms_minimal = _bisect_axioms(partition, reasoner, data)
        if axioms_minimal or len(groups) <= 12:
            axioms = tuple(graph.axiom(group[0]) for group in groups)
    names = ", ".join(graph.named(k) for k in keys[:12])
    more = f" and {len(keys) - 12} more" if len(keys) > 12 else ""
    said = "; ".join(
        f"{graph.named(s)} is {article(graph.expression(o))}"
        if p == RDF.type
        else fact(graph, s, p, o)
        for s, p, o in data
        if isinstance(s, URIRef)
        and p not in graph.annotation_props
        and (p == RDF.type or not str(p).startswith(META_NAMESPACES))
        and not (p == RDF.type and str(o).startswith(META_NAMESPACES))
    )
    message = (
        f"These individuals contradict the ontology together: {names}{more}. "
        + (f"What the data says about them: {said}. " if said and len(said) < 1200 else "")
        + (
            "The ontology axioms below are a minimal set that the contradiction needs."
            if axioms_minimal
            else "The axioms below are those that mention their classes and properties."
            if axioms
            else ""
        )
    ).strip()
    return Explanation(
        kind="minimal-set",
        message=message,
        individuals=tuple(str(k) for k in keys if isinstance(k, URIRef)),
        individual_labels=tuple(graph.name(k) for k in keys if isinstance(k, URIRef)),
        axioms=axioms,
        confirmed=True,
        minimal=minimal,
    )


def _explain_schema(graph: AxiomGraph, partition: Partition, reasoner: Reasoner) -> Explanation:
    fixed, groups = partition.axiom_groups()

    def inconsistent(indexes: list[int]) -> bool:
        return not reasoner.consistent(fixed + [t for i in indexes for t in groups[i]])

    try:
        found = quickxplain(inconsistent, list(range(len(groups))))
        chosen, minimal = [groups[i] for i in found], True
    except OutOfBudget:
        chosen, minimal = [], False
    return Explanation(
        kind="ontology",
        message=(
            "The ontology (with its concept schemes) is inconsistent on its own, before any "
            "data." + (" These axioms are a minimal set that contradicts itself." if chosen else "")
        ),
        axioms=tuple(graph.axiom(group[0]) for group in chosen),
        minimal=minimal,
    )


__all__ = ["MAX_CONFIRMED", "SMALL_SET", "explain_inconsistency", "quickxplain"]
