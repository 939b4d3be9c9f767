"""The quotations rule: every ``ck:hasText`` of a file asked about is looked for in its
source's text (:mod:`collabkg.validate.quotations`, over :mod:`collabkg.sources`).

Its issues carry the stage ``quotations``: they are reported after the vocabulary's and
before the shapes'. The sources are read from the whole graph (the store), so a case file
checked on its own is checked against the sources of ``data/sources.ttl``.
"""

from __future__ import annotations

from pathlib import Path

from collabkg.sources import (
    HAS_TEXT,
    HAS_TEXT_FILE,
    HAS_TEXT_SHA256,
    PROV_QUOTED_FROM,
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


def _sources(chk: Checker) -> tuple[dict, set[str]]:
    cached = getattr(chk, "_sources16", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = chk.ws.store.query(SOURCES_QUERY, use_default_graph_as_union=True)
    triples = [(r["s"].value, r["p"].value, r["o"].value) for r in rows]  # type: ignore[index]
    kinds = {o for _s, p, o in triples if p.endswith("#type")}
    source_kinds = {k for k in kinds if chk.ont.is_a([k], "https://w3id.org/collabkg/ontology#Source")}
    records = collect_sources(triples, source_kinds | {"https://w3id.org/collabkg/ontology#Source"})
    quoted = {
        r["s"].value  # type: ignore[index]
        for r in chk.ws.store.query(
            f"SELECT DISTINCT ?s WHERE {{ ?q <{PROV_QUOTED_FROM}> ?s }}",
            use_default_graph_as_union=True,
        )
    }
    chk._sources16 = (records, quoted)  # type: ignore[attr-defined]
    return records, quoted


def check_evidence(chk: Checker) -> None:
    """Every file asked about at once: where a source's text is missing is then said once,
    at the source's entry when it is asked about, else at the first quotation from it."""
    records, quoted = _sources(chk)
    folder: Path = getattr(chk.ws, "texts", None) or texts_folder()
    targets = list(chk.ws.targets)
    chk.result.issues.extend(
        check_quotations(
            targets, records, folder, names=chk.ws, quoted_sources=quoted  # type: ignore[arg-type]
        )
    )


QUOTATIONS = GraphRule("quotations", check_evidence, local=has_evidence)

__all__ = ["QUOTATIONS", "check_evidence", "has_evidence"]
