"""OWL reasoning over the knowledge graph: HermiT (run by owlready2), explained in words.

The one entry point is :func:`check_consistency`::

    from collabkg.reasoning import check_consistency
    report = check_consistency(graph)        # an rdflib Graph: data, with or without ontology
    report.consistent                        # False when the graph is contradictory
    report.explanations                      # why, in words: which individuals, which axioms
    report.unsatisfiable                     # classes that can have no members
    report.inferred                          # "Wigan collaborative council → cross-sector ..."
    print(report.to_text())

By default the real W3C ORG and PROV-O files are loaded too (:mod:`collabkg.vocabularies`:
``../shared/vocabularies`` beside the project, or ``COLLABKG_VOCABULARIES``), so their
domains, ranges, inverses and disjointness are checked; ``vocabularies=False`` uses only the
bare declarations of their terms. ``report.unexpected`` lists items inferred to be of a
kind the data did not give them (other than the defined classes): it should be empty.
Given ``origins`` (IRI → files), each explanation names the files describing its items,
and each axiom the file that states it.

HermiT only says *that* a graph is inconsistent (owlready2 raises an exception with an
empty message). The explanation is ours, in two steps:

1. **Clash patterns.** The asserted graph is closed under the RDFS-level rules (types
   from rdfs:domain and rdfs:range, rdfs:subClassOf chains, inverse properties, property
   chains), remembering *why* each type holds; SPARQL then finds individuals that are
   members of two disjoint classes, functional properties with two values, values
   outside a data property's range, and owl:sameAs between individuals declared
   different. The first few clashes are confirmed by running HermiT on just the
   individuals they name (the pattern is a proof by itself; this is a cross-check).
2. **Bisection.** Whatever the patterns do not explain is found by QuickXplain (or by
   deleting one candidate at a time on small sets): the data individuals are narrowed to
   a minimal set that is still inconsistent with the ontology, then the ontology's axioms
   to a minimal set that is still inconsistent with those individuals. Each step is one
   HermiT run (a second or two), within a budget.

Cross-sector and co-creating collaborations are OWL defined classes that HermiT infers
(see docs/ontology.md); an "accountability gap" is not: it is the absence of a line,
which an open-world reasoner cannot conclude, so SHACL and SPARQL look for it instead.
"""

from __future__ import annotations

from collabkg.reasoning.check import check_consistency
from collabkg.reasoning.hermit import DEFAULT_BUDGET
from collabkg.reasoning.loading import load_project_graph
from collabkg.reasoning.report import (
    Classification,
    Explanation,
    ReasoningReport,
    UnsatisfiableClass,
)
from collabkg.xsd import OWL2_DATATYPES

__all__ = [
    "DEFAULT_BUDGET",
    "OWL2_DATATYPES",
    "Classification",
    "Explanation",
    "ReasoningReport",
    "UnsatisfiableClass",
    "check_consistency",
    "load_project_graph",
]
