"""The integrity rules of :mod:`collabkg.validate.integrity` as one unit: two names in one
language on one item (error), an accountability line to itself, an organisation whose kind
and sector disagree, a blank-node cycle (warnings)."""

from __future__ import annotations

import pyoxigraph as ox

from collabkg.terms import CK
from collabkg.validate.integrity import (
    NAME_PROPERTIES,
    accountable_to_itself,
    blank_node_cycles,
    kind_and_sector,
    two_names,
)
from collabkg.validate.model import FileData
from collabkg.validate.rules.base import Context, FileScan
from collabkg.validate.rules.checker import Checker, FileRule

_NAMES = {str(p) for p in NAME_PROPERTIES}
_PARTY, _TO, _SECTOR = str(CK.hasAccountableParty), str(CK.isAccountableTo), str(CK.hasSector)


def may_break_integrity(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: an item with two names, a line with a party and a forum, a sector, or
    a blank node pointing to a blank node."""
    named: set[str] = set()
    for t in scan.parsed.triples:
        p = t.predicate.value
        if p in (_SECTOR, _TO):
            return True
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            return True
        if p in _NAMES:
            key = f"{t.subject}|{p}"
            if key in named:
                return True
            named.add(key)
    return False


def check_integrity(chk: Checker, item: FileData) -> None:
    names = chk.ws
    chk.result.issues.extend(
        [
            *two_names(item, names),
            *accountable_to_itself(item, names),
            *kind_and_sector(item, chk.ont.is_a, names.kind_of, names),
            *blank_node_cycles(item, names),
        ]
    )


INTEGRITY = FileRule("integrity", check_integrity, local=may_break_integrity)

__all__ = ["INTEGRITY", "check_integrity", "may_break_integrity"]
