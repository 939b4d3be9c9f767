"""The integrity rules of :mod:`collabkg.validate.integrity` as one unit: two names in one
language on one item (error), an accountability line to itself, an organisation whose kind
and sector disagree, a blank-node cycle (warnings)."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from collabkg.terms import CK
from collabkg.validate.integrity import (
    KIND_SECTORS,
    NAME_PROPERTIES,
    accountable_to_itself,
    blank_node_cycles,
    kind_and_sector,
    stated_and_unstated,
    two_names,
)
from collabkg.validate.model import FileData
from collabkg.validate.rules.base import Context, FileScan
from collabkg.validate.rules.checker import Checker, FileRule

_NAMES = {str(p) for p in NAME_PROPERTIES}
_PARTY, _TO, _SECTOR = str(CK.hasAccountableParty), str(CK.isAccountableTo), str(CK.hasSector)
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_UNSTATED = str(CK.hasUnstatedProperty)


def _language(literal: ox.Literal) -> str:
    return (literal.language or "en").lower().split("-", 1)[0]


def _has_cycle(edges: dict[ox.BlankNode, set[ox.BlankNode]]) -> bool:
    """Do the blank-node links loop (a node pointing to itself included)? Kahn's order: a
    graph has a loop when some node never loses all its incoming links."""
    incoming: dict[ox.BlankNode, int] = {}
    for source, targets in edges.items():
        incoming.setdefault(source, 0)
        for target in targets:
            incoming[target] = incoming.get(target, 0) + 1
    ready = [node for node, count in incoming.items() if count == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for target in edges.get(node, ()):
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return done < len(incoming)


def may_break_integrity(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter, exact: the integrity checks' own tests on the file's parsed triples (two
    names in one language on one item; an item named in other languages only; a property
    given and said unstated; a party
    accountable to itself; a kind whose sector disagrees, with the kinds given in this
    file; a blank-node loop), without building rdflib triples or line indexes."""
    names: dict[tuple[ox.NamedNode, str, str], set[str]] = {}
    parties: dict[object, set[object]] = {}
    forums: dict[object, set[object]] = {}
    sectors: dict[object, set[object]] = {}
    types: dict[object, set[str]] = {}
    edges: dict[ox.BlankNode, set[ox.BlankNode]] = {}
    label_languages: dict[ox.NamedNode, set[str]] = {}
    stated: dict[object, set[str]] = {}
    unstated: dict[object, set[str]] = {}
    for t in scan.parsed.triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if p in _NAMES:
            if isinstance(s, ox.NamedNode) and isinstance(o, ox.Literal):
                written = names.setdefault((s, p, _language(o)), set())
                written.add(o.value)
                if len(written) > 1:
                    return True
                if p == _LABEL:
                    label_languages.setdefault(s, set()).add(_language(o))
        elif p == _PARTY:
            parties.setdefault(s, set()).add(o)
        elif p == _TO:
            forums.setdefault(s, set()).add(o)
        elif p == _SECTOR:
            sectors.setdefault(s, set()).add(o)
        elif p == _TYPE:
            types.setdefault(s, set()).add(o.value)  # type: ignore[union-attr]
        if isinstance(s, ox.BlankNode) and isinstance(o, ox.BlankNode):
            edges.setdefault(s, set()).add(o)
        stated.setdefault(s, set()).add(p)
        if p == _UNSTATED and isinstance(o, ox.NamedNode):
            unstated.setdefault(s, set()).add(o.value)
    if any("en" not in languages for languages in label_languages.values()):
        return True  # named in other languages only
    if any(props & stated.get(s, set()) for s, props in unstated.items()):
        return True  # a property given and said unstated
    if any(parties.get(s, set()) & forum for s, forum in forums.items()):
        return True
    for subject, given in sectors.items():
        kinds = types.get(subject)
        if not kinds:
            continue
        # the sectors as the check compares them (an IRI as rdflib's, anything else unequal)
        compared = {URIRef(o.value) if isinstance(o, ox.NamedNode) else (o,) for o in given}
        if any(
            ctx.is_a(kinds, str(kind)) and disagree(compared)  # type: ignore[arg-type]
            for kind, _word, disagree in KIND_SECTORS
        ):
            return True
    return bool(edges) and _has_cycle(edges)


def check_integrity(chk: Checker, item: FileData) -> None:
    names = chk.ws
    chk.result.issues.extend(
        [
            *two_names(item, names),
            *stated_and_unstated(item, names),
            *accountable_to_itself(item, names),
            *kind_and_sector(item, chk.ont.is_a, names.kind_of, names),
            *blank_node_cycles(item, names),
        ]
    )


INTEGRITY = FileRule("integrity", check_integrity, local=may_break_integrity)

__all__ = ["INTEGRITY", "check_integrity", "may_break_integrity"]
