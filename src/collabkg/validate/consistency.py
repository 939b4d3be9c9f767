"""Stage 4 (``--reason``): OWL consistency with HermiT, through the ontology tooling.

The reasoner lives in :mod:`collabkg.reasoning` (``check_consistency``, which also explains
an inconsistency in words). It is imported lazily, only when asked for, because it starts
a Java process (a second or more). Each explanation becomes an issue placed where the
individuals it names are described in the files asked about.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from collabkg.errors import CollabkgError
from collabkg.validate.report import Issue, Severity, Stage
from collabkg.validate.workspace import Workspace


def check_consistency(workspace: Workspace) -> tuple[list[Issue], list[str]]:
    """Run HermiT over ontology + data; returns (issues, notes about the run)."""
    try:
        from collabkg.reasoning import check_consistency as hermit
    except ImportError:
        return [], [
            "OWL consistency was NOT checked: collabkg.reasoning (the HermiT function of the "
            "ontology tooling) is not available in this installation."
        ]
    graph = Graph()
    for triple in workspace.ontology.graph:
        graph.add(triple)
    for triple in workspace.all_triples():
        graph.add(triple)
    first_target = workspace.first_target()
    try:
        outcome = hermit(graph, with_ontology=False)
    except CollabkgError as exc:
        return [
            Issue(
                Severity.VIOLATION,
                Stage.CONSISTENCY,
                "consistency.reasoner-failed",
                f"The OWL reasoner (HermiT) could not run: {exc.message}",
                file=first_target,
                hint=exc.hint or "HermiT needs Java: check that 'java -version' works",
            )
        ], []
    issues: list[Issue] = []
    for explanation in outcome.explanations:
        file, line, focus, label = first_target, None, None, None
        for iri, name in zip(explanation.individuals, explanation.individual_labels, strict=False):
            located = workspace.locate(URIRef(iri))
            if located is not None:
                file, line = located[0].display, located[1]
                focus, label = iri, name
                break
        issues.append(
            Issue(
                Severity.VIOLATION,
                Stage.CONSISTENCY,
                f"consistency.{explanation.kind}",
                f"The graph contradicts itself (OWL): {explanation.message}",
                file=file,
                line=line,
                focus=focus and _compact(focus),
                focus_label=label,
                focus_kind=workspace.kind_of(URIRef(focus)) if focus else None,
                hint="an item probably has two kinds that cannot go together (e.g. a place "
                "that is also an organisation), or a value of the wrong kind",
                related=[f"axiom: {axiom}" for axiom in explanation.axioms],
            )
        )
    if not outcome.consistent and not issues:
        issues.append(
            Issue(
                Severity.VIOLATION,
                Stage.CONSISTENCY,
                "consistency.inconsistent",
                "The graph contradicts itself (OWL), and the reasoner found no explanation.",
                file=first_target,
            )
        )
    for cls in outcome.unsatisfiable:
        issues.append(
            Issue(
                Severity.WARNING,
                Stage.CONSISTENCY,
                "consistency.unsatisfiable-class",
                f"The ontology class {cls} can have no members.",
                file="ontology/collabkg.ttl",
                hint="a problem in the ontology, not in your file: tell the ontology maintainers",
            )
        )
    notes = [
        f"OWL consistency (HermiT): {'consistent' if outcome.consistent else 'NOT consistent'}"
        f", {outcome.seconds:.1f} s."
    ]
    return issues, notes


def _compact(iri: str) -> str:
    from collabkg.terms import compact

    return compact(iri)


__all__ = ["check_consistency"]
