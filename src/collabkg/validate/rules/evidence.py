"""The quotations rule: every ``ck:hasText`` of a file asked about is looked for in its
source's text (:mod:`collabkg.validate.quotations`, over :mod:`collabkg.sources`).

Its issues carry the stage ``quotations``: they are reported after the vocabulary's and
before the shapes'. The sources are read from the whole graph (the store), so a case file
checked on its own is checked against the sources of ``data/sources.ttl``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from collabkg.rdfterms import solutions
from collabkg.sources import (
    HAS_TEXT,
    HAS_TEXT_FILE,
    HAS_TEXT_SHA256,
    PROV_QUOTED_FROM,
    SourceRecord,
    SourceState,
    TextStatus,
    collect_sources,
    text_state,
    texts_folder,
)
from collabkg.validate.filelike import FileLike
from collabkg.validate.model import Ontology
from collabkg.validate.quotations import (
    QUOTED_AMONG_QUERY,
    SOURCE_PREDICATES,
    SOURCES_AMONG_QUERY,
    check_quotations,
)
from collabkg.validate.rules.base import Context, FileScan, GraphScope
from collabkg.validate.rules.checker import Checker, GraphRule

_EVIDENCE = (HAS_TEXT_FILE, HAS_TEXT_SHA256)
_SOURCE = "https://w3id.org/collabkg/ontology#Source"


def describes_source(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter (local): the file names a source's text or describes a source (where a
    warning about the source's text is given)."""
    if any(p in _EVIDENCE for p, _literal in scan.kinds):
        return True
    return any(ctx.is_a(types, _SOURCE) for types in scan.types.values())


_SOURCE_SUBJECTS = f"""SELECT DISTINCT ?s WHERE {{
  {{ ?quote <{PROV_QUOTED_FROM}> ?s }} UNION {{ ?s <{HAS_TEXT_FILE}> ?any }}
  UNION {{ ?s <{HAS_TEXT_SHA256}> ?any }}
}}"""


def source_triples(store: ox.Store) -> list[tuple[str, str, str]]:
    """The rows of :data:`SOURCES_QUERY` (each once), found subject by subject: the sources
    first (a scan of the quotations' links), then each one's triples by its index (0.02 s at
    1M triples; the query once joined every quotation with its source's triples: 12-43 s)."""
    subjects = sorted(
        (r["s"] for r in solutions(store, _SOURCE_SUBJECTS, use_default_graph_as_union=True)),
        key=str,
    )
    seen: set[tuple[str, str, str]] = set()
    out: list[tuple[str, str, str]] = []
    for subject in subjects:
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        for quad in store.quads_for_pattern(subject, None, None, None):
            value = quad.object
            if quad.predicate.value not in SOURCE_PREDICATES or isinstance(value, ox.Triple):
                continue
            row = (str(subject.value), quad.predicate.value, str(value.value))
            if row not in seen:
                seen.add(row)
                out.append(row)
    return out


def sources_of(
    store: ox.Store, ontology: Ontology, among: Collection[str] | None = None
) -> tuple[dict[str, SourceRecord], set[str]]:
    """The sources of the whole graph (by IRI) and the sources some quotation cites; with
    ``among``, only those among these IRIs (the same records for them, found from them
    rather than by reading every quotation of the graph)."""
    if among is None:
        triples = source_triples(store)
        cited = solutions(
            store,
            f"SELECT DISTINCT ?s WHERE {{ ?q <{PROV_QUOTED_FROM}> ?s }}",
            use_default_graph_as_union=True,
        )
    else:
        values = " ".join(_iris(among))
        rows = solutions(store, SOURCES_AMONG_QUERY % values, use_default_graph_as_union=True)
        triples = [(str(r["s"].value), str(r["p"].value), str(r["o"].value)) for r in rows]
        cited = solutions(store, QUOTED_AMONG_QUERY % values, use_default_graph_as_union=True)
    kinds = {o for _s, p, o in triples if p.endswith("#type")}
    source_kinds = {k for k in kinds if ontology.is_a([k], _SOURCE)}
    records = collect_sources(triples, source_kinds | {_SOURCE})
    quoted = {r["s"].value for r in cited}
    return records, quoted


def _iris(values: Iterable[str]) -> list[str]:
    """``<iri>`` for each value that is an IRI the store can hold (others cannot be in it)."""
    written = []
    for value in sorted(set(values)):
        try:
            written.append(str(ox.NamedNode(value)))
        except ValueError:
            continue
    return written or ["<urn:collabkg:none>"]


def candidate_sources(items: Iterable[FileLike]) -> set[str]:
    """Every IRI the files describe or quote from: the only sources their check can name."""
    found: set[str] = set()
    for item in items:
        for s, p, o in item.triples:
            if isinstance(s, URIRef):
                found.add(str(s))
            if isinstance(o, URIRef) and str(p) == PROV_QUOTED_FROM:
                found.add(str(o))
    return found


FEW_SOURCES = 5000
"""Up to this many candidate IRIs, the sources are looked up by IRI; beyond, all are read."""


_QUOTES = (
    f"SELECT ?g ?q ?t ?s WHERE {{ GRAPH ?g {{ ?q <{HAS_TEXT}> ?t . ?q <{PROV_QUOTED_FROM}> ?s }} }}"
)


def quotations_in_doubt(scope: GraphScope) -> set[str]:
    """Pre-filter (graph-wide): the files with a quotation that is not in its source's text,
    and, for each source whose text is missing, changed or unrecorded, the first file asked
    about that quotes it (the warning is said once, there or at the source's entry). The
    texts are matched here, on the store, so a file whose quotations are all found is never
    read again (a file with several texts for one quotation is selected if any is not
    found)."""
    records, _quoted = sources_of(scope.store, scope.ontology)
    folder = scope.texts or texts_folder()
    states: dict[str, SourceState] = {}
    found: set[str] = set()
    rank = scope.rank
    # (file, quotation) -> the sources it is quoted from: the check takes the first one
    # written, which the store does not tell, so a quotation from several sources is
    # "maybe" the first to quote each
    cited: dict[tuple[str, str], set[str]] = {}
    for row in solutions(scope.store, _QUOTES):
        graph, source = row["g"].value, row["s"].value
        cited.setdefault((graph, row["q"].value), set()).add(source)
        record = records.get(source)
        if record is None:
            continue  # a source described nowhere: the vocabulary stage reports the link
        state = states.get(record.iri)
        if state is None:
            state = states[record.iri] = text_state(record, folder)
        if graph in found or state.text is None:
            continue
        if not state.text.find(row["t"].value).found:
            found.add(graph)
    quoting: dict[str, list[tuple[int, bool, str]]] = {}
    for (graph, _quote), sources in cited.items():
        if graph not in rank:
            continue
        for source in sources:
            state = states.get(source)
            if state is not None and state.status is not TextStatus.AVAILABLE:
                quoting.setdefault(source, []).append((rank[graph], len(sources) > 1, graph))
    for places in quoting.values():
        # the first file certain to quote the source, and any that may, before it
        for _rank, maybe, graph in sorted(places):
            found.add(graph)
            if not maybe:
                break
    return found


def check_evidence(chk: Checker) -> None:
    """Every file asked about at once: where a source's text is missing is then said once,
    at the source's entry when it is asked about, else at the first quotation from it."""
    targets = [item for item in chk.ws.targets if chk.selects("quotations", item)]
    if not targets:
        return
    candidates = candidate_sources(targets)
    among = candidates if len(candidates) <= FEW_SOURCES else None
    records, quoted = sources_of(chk.ws.store, chk.ont, among)
    folder: Path = chk.ws.texts or texts_folder()
    chk.result.issues.extend(
        check_quotations(targets, records, folder, names=chk.ws, quoted_sources=quoted)
    )


QUOTATIONS = GraphRule(
    "quotations", check_evidence, local=describes_source, graph=quotations_in_doubt
)

__all__ = [
    "QUOTATIONS",
    "check_evidence",
    "describes_source",
    "quotations_in_doubt",
    "source_triples",
    "sources_of",
]
