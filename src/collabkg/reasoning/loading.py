"""What HermiT reasons over: the graph, with the project's ontology and the W3C
vocabularies added (:func:`assemble`), and what HermiT cannot read left out with a note
(:func:`prepare`); :func:`load_project_graph` parses the project's files.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib import Literal, URIRef
from rdflib.term import Node

from collabkg.reasoning.owl import META_NAMESPACES, Triple
from collabkg.reasoning.report import Explanation
from collabkg.reasoning.words import AxiomGraph, literal_text
from collabkg.terms import ONTOLOGY_IRI, OWL, RDF, compact
from collabkg.xsd import OWL2_DATATYPES


def flatten(graph: rdflib.Graph) -> list[Triple]:
    if isinstance(graph, rdflib.ConjunctiveGraph):  # Dataset too: every named graph
        return list({(s, p, o) for s, p, o, _g in graph.quads((None, None, None, None))})
    return list(graph.triples((None, None, None)))


def assemble(
    graph: rdflib.Graph,
    with_ontology: bool | None,
    root: str | os.PathLike[str] | None,
    vocabularies: bool | Sequence[str | os.PathLike[str]],
) -> tuple[list[Triple], dict[Triple, str], set[Node], list[str]]:
    """The triples to reason over, where the ontology's and vocabularies' ones come from,
    the vocabularies' own terms (not data individuals), and the vocabulary file names."""
    from collabkg.ontology import ontology_files, parse_files
    from collabkg.vocabularies import display_path, find_vocabularies

    triples = flatten(graph)
    present = set(triples)
    origin: dict[Triple, str] = {}
    if with_ontology is None:
        with_ontology = (ONTOLOGY_IRI, RDF.type, OWL.Ontology) not in present
    if with_ontology:
        for path in ontology_files(root):
            name = display_path(path, root)
            for triple in flatten(parse_files([path])):
                origin.setdefault(triple, name)
                if triple not in present:
                    present.add(triple)
                    triples.append(triple)
    foreign: set[Node] = set()
    used: list[str] = []
    if vocabularies is True:
        files = find_vocabularies(root)
    elif vocabularies is False:
        files = []
    else:
        files = [Path(f) for f in vocabularies]
    for path in files:
        name = display_path(path, root)
        used.append(name)
        for triple in flatten(parse_files([path])):
            origin.setdefault(triple, name)
            foreign.add(triple[0])
            if triple not in present:
                present.add(triple)
                triples.append(triple)
    return triples, origin, foreign, used


def load_project_graph(
    root: str | os.PathLike[str] | None = None,
    *,
    paths: Iterable[str | os.PathLike[str]] | None = None,
) -> rdflib.Graph:
    """The project's graph files (or the given files) parsed into one rdflib Graph.

    Files are parsed, not validated: reasoning is useful on data that SHACL still rejects.
    A Turtle syntax error raises :class:`~collabkg.errors.LoadError`.
    :func:`check_consistency` adds the ontology when the files do not include it.
    """
    from collabkg.ontology import parse_files
    from collabkg.paths import ProjectPaths

    project = ProjectPaths.discover(root)
    files = project.expand(paths) if paths is not None else project.graph_files()
    return parse_files(files)


@dataclass
class Prepared:
    triples: list[Triple]
    notes: list[str]
    value_problems: list[Explanation]


def prepare(graph: AxiomGraph) -> Prepared:
    """Leave out what HermiT cannot read, saying what and why."""
    keep: list[Triple] = []
    notes: list[str] = []
    problems: list[Explanation] = []
    unsupported: dict[tuple[Node, str], int] = defaultdict(int)
    literal_on_object: dict[Node, int] = defaultdict(int)
    node_on_data: dict[Node, int] = defaultdict(int)
    undeclared_props: dict[Node, int] = defaultdict(int)
    undeclared_classes: set[Node] = set()
    punned = graph.declared_annotation_props & (graph.object_props | graph.data_props)
    for triple in graph.triples:
        s, p, o = triple
        if s in punned and p == RDF.type and o == OWL.AnnotationProperty:
            continue
        annotation = p in graph.annotation_props and p not in punned
        if isinstance(o, Literal):
            if p in graph.object_props:
                literal_on_object[p] += 1
                continue
            if getattr(o, "ill_typed", False):
                if annotation or p not in graph.data_props:
                    notes.append(
                        f"{graph.named(s)}: {compact(str(p))} value {literal_text(o)} is not "
                        f"a valid {compact(str(o.datatype))}; left out of reasoning "
                        "(SHACL reports it)."
                    )
                else:
                    problems.append(
                        Explanation(
                            kind="ill-typed-value",
                            message=(
                                f"The ‘{graph.name(p)}’ of {graph.named(s)} is {literal_text(o)}, "
                                f"which is not a valid {compact(str(o.datatype))}: a value "
                                "that cannot exist makes the graph inconsistent."
                            ),
                            individuals=(str(s),) if isinstance(s, URIRef) else (),
                            individual_labels=(graph.name(s),) if isinstance(s, URIRef) else (),
                        )
                    )
                continue
            if o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES and not annotation:
                unsupported[(p, str(o.datatype))] += 1
                continue
        elif p in graph.data_props:
            node_on_data[p] += 1
            continue
        if p not in graph.declared and not annotation and not str(p).startswith(META_NAMESPACES):
            undeclared_props[p] += 1
        if (
            p == RDF.type
            and isinstance(o, URIRef)
            and not str(o).startswith(META_NAMESPACES)
            and o not in graph.classes
        ):
            undeclared_classes.add(o)
        keep.append(triple)
    for (p, datatype), count in sorted(unsupported.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} typed {compact(datatype)} left out: HermiT "
            "supports only the OWL 2 datatypes (no axiom of ours constrains them)."
        )
    for p, count in sorted(literal_on_object.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} are text, but it is an object property "
            "(its values must be IRIs): left out of reasoning."
        )
    for p, count in sorted(node_on_data.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{count} value(s) of {compact(str(p))} are IRIs, but it is a datatype property "
            "(its values must be literals): left out of reasoning."
        )
    for p, count in sorted(undeclared_props.items(), key=lambda i: str(i[0])):
        notes.append(
            f"{compact(str(p))} ({count} use(s)) is not declared in the ontology: HermiT "
            "reads it as an annotation and draws nothing from it."
        )
    for p in sorted(punned, key=str):
        kind = "an object" if p in graph.object_props else "a datatype"
        where = graph.origin.get((p, RDF.type, OWL.AnnotationProperty))
        notes.append(
            f"{compact(str(p))} is declared both an annotation property and {kind} property"
            f"{f' in {where}' if where else ''}, which OWL 2 DL does not allow: reasoned as "
            f"{kind} property only, so that HermiT reads it the same way on every run."
        )
    for cls in sorted(undeclared_classes, key=str):
        notes.append(f"{compact(str(cls))} is used as a class but not declared in the ontology.")
    return Prepared(keep, notes, problems)


__all__ = ["Prepared", "assemble", "flatten", "load_project_graph", "prepare"]
