"""The entry point: :func:`check_consistency` assembles the graph, runs HermiT once, and
explains or classifies what it says.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import rdflib
from rdflib import URIRef

from collabkg.progress import current
from collabkg.reasoning.classify import (
    inferred_classifications,
    unexpected_kinds,
    unsatisfiable_classes,
)
from collabkg.reasoning.explain import explain_inconsistency
from collabkg.reasoning.hermit import DEFAULT_BUDGET, Reasoner, run_hermit
from collabkg.reasoning.loading import assemble, prepare
from collabkg.reasoning.owl import is_vocabulary
from collabkg.reasoning.partition import Partition
from collabkg.reasoning.report import Explanation, ReasoningReport
from collabkg.reasoning.words import AxiomGraph

WHOLE_PROJECT_MINUTES = "3–5"
"""How long one HermiT run over the whole project took on a 2-core machine (160–253 s, December
2026: about 12,200 triples, the ontology and the W3C ORG and PROV-O files included)."""


def _stage(name: str) -> None:
    """Say what the reasoning is doing now (to the command's progress, if it shows one)."""
    progress = current()
    if progress is not None:
        progress.stage(name)


def check_consistency(
    graph: rdflib.Graph,
    *,
    with_ontology: bool | None = None,
    vocabularies: bool | Sequence[str | os.PathLike[str]] = True,
    origins: Mapping[str, Sequence[str]] | None = None,
    explain: bool = True,
    budget: int = DEFAULT_BUDGET,
    root: str | os.PathLike[str] | None = None,
) -> ReasoningReport:
    """Check a graph with HermiT; explain an inconsistency; list what HermiT infers.

    ``graph`` is an rdflib Graph (or Dataset) of data, with or without the ontology:
    ``with_ontology=None`` adds ``ontology/*.ttl`` and ``ontology/concepts/*.ttl`` from
    the project (``root``) when the graph does not declare the collabkg ontology itself.
    ``vocabularies``: True (default) reasons with the real W3C ORG and PROV-O files (see
    :mod:`collabkg.vocabularies`; missing files raise ReasonerError), False with the
    bare declarations only, or a list of files. ``origins`` maps an item's IRI to the
    files that describe it, so that explanations can name them.
    ``budget`` caps the extra HermiT runs spent explaining an inconsistency.

    Raises :class:`~collabkg.errors.ReasonerError` when Java or HermiT cannot run.
    """
    _stage("adding the ontology and the W3C vocabularies")
    triples, origin, foreign, used = assemble(graph, with_ontology, root, vocabularies)
    indexed = AxiomGraph(triples, origin)
    prepared = prepare(indexed)
    partition = Partition(indexed, prepared.triples)
    individuals = [
        n
        for n in partition.groups
        if isinstance(n, URIRef) and n not in foreign and not is_vocabulary(n)
    ]
    _stage(
        f"reasoning with HermiT over {len(prepared.triples):,} axioms (triples) and "
        f"{len(individuals):,} individuals; over the whole project this took about "
        f"{WHOLE_PROJECT_MINUTES} minutes on a 2-core machine"
    )
    outcome = run_hermit(prepared.triples, classify=True, classify_iris=map(str, individuals))
    report = ReasoningReport(
        consistent=outcome.consistent and not prepared.value_problems,
        notes=list(prepared.notes),
        triples=len(triples),
        individuals=len(individuals),
        seconds=outcome.seconds,
        reasoner_calls=1,
        vocabularies=used,
    )
    report.explanations.extend(prepared.value_problems)
    if outcome.consistent:
        report.unsatisfiable = unsatisfiable_classes(indexed, outcome.unsatisfiable)
        report.inferred = inferred_classifications(indexed, outcome.types)
        report.unexpected = unexpected_kinds(indexed, report.inferred)
    elif explain:
        _stage(
            f"the graph is inconsistent: explaining why, with at most {budget} more HermiT "
            "runs (each takes a second or more)"
        )
        started = time.perf_counter()
        reasoner = Reasoner(budget)
        report.explanations.extend(explain_inconsistency(indexed, prepared, partition, reasoner))
        report.explain_seconds = time.perf_counter() - started
        report.reasoner_calls += reasoner.calls
    if not outcome.consistent:
        report.notes.append(
            "Unsatisfiable classes and inferred classifications are not computed for an "
            "inconsistent graph (everything follows from a contradiction)."
        )
    if origins:
        report.explanations = [_with_files(e, origins) for e in report.explanations]
    return report


def _with_files(explanation: Explanation, origins: Mapping[str, Sequence[str]]) -> Explanation:
    files = sorted({f for iri in explanation.individuals for f in origins.get(iri, ())})
    return replace(explanation, files=tuple(files)) if files else explanation


__all__ = ["check_consistency"]
