"""The quotations rule: every ``ck:hasText`` of a file asked about is looked for in its
source's text (:mod:`collabkg.validate.quotations`, over :mod:`collabkg.sources`).

Its issues carry the stage ``quotations``: they are reported after the vocabulary's and
before the shapes'. The sources are read from the whole graph (the store), so a case file
checked on its own is checked against the sources of ``data/sources.ttl``.
"""

from __future__ import annotations

from pathlib import Path

from collabkg.rdfterms import solutions
from collabkg.sources import (
    HAS_TEXT,
    HAS_TEXT_FILE,
    HAS_TEXT_SHA256,
    PROV_QUOTED_FROM,
    SourceRecord,
    collect_sources,
    texts_folder,
)
from collabkg.validate.quotations import SOURCES_QUERY, check_quotations
from collabkg.validate.rules.base import Context, FileScan
from collabkg.validate.rules.checker import Checker, GraphRule

_EVIDENCE = (HAS_TEXT, HAS_TEXT_FILE, HAS_TEXT_SHA256)
_SOURCE = "https://w3id.org/collabkg/ontology#Source"


def has_evidence(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: the file has a quotation's text, names a source's text, or describes a
    source (where a warning about the source's text is given)."""
    if any(p in _EVIDENCE for p, _literal in scan.kinds):
        return True
    return any(ctx.is_a(types, _SOURCE) for types in scan.types.values())


def _sources(chk: Checker) -> tuple[dict[str, SourceRecord], set[str]]:
    """The sources of the whole graph (by IRI), and those some quotation cites."""
    triples = [
        (str(r["s"].value), str(r["p"].value), str(r["o"].value))
        for r in solutions(chk.ws.store, SOURCES_QUERY, use_default_graph_as_union=True)
    ]
    kinds = {o for _s, p, o in triples if p.endswith("#type")}
    source_kinds = {k for k in kinds if chk.ont.is_a([k], _SOURCE)}
    records = collect_sources(triples, source_kinds | {_SOURCE})
    quoted = {
        str(r["s"].value)
        for r in solutions(
            chk.ws.store,
            f"SELECT DISTINCT ?s WHERE {{ ?q <{PROV_QUOTED_FROM}> ?s }}",
            use_default_graph_as_union=True,
        )
    }
    return records, quoted


def check_evidence(chk: Checker) -> None:
    """Every file asked about at once: where a source's text is missing is then said once,
    at the source's entry when it is asked about, else at the first quotation from it."""
    records, quoted = _sources(chk)
    folder: Path = chk.ws.texts or texts_folder()
    chk.result.issues.extend(
        check_quotations(chk.ws.targets, records, folder, names=chk.ws, quoted_sources=quoted)
    )


QUOTATIONS = GraphRule("quotations", check_evidence, local=has_evidence)

__all__ = ["QUOTATIONS", "check_evidence", "has_evidence"]
