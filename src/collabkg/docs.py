"""Ontology documentation as HTML, offline: ``make docs`` (``python -m collabkg.docs``).

* ``docs/ontology/index.html`` — classes and properties, by pyLODE 3.3.4 (OntPub profile,
  CSS inline, no network).
* ``docs/ontology/concepts.html`` — the SKOS concept schemes, one section each. pyLODE
  3.3.4's VocPub profile lists only a scheme's metadata, not its concepts, so this page is
  written here.

pyLODE 3.3.4 fails (``TypeError: unhashable type: 'list'``) on a class expression that
nests a union or intersection inside another, such as the definition of
``ck:CrossSectorCollaboration``; :func:`_patch_pylode` makes its list helper return a
(hashable) tuple in a stable order, which fixes that without changing the output format.
pyLODE also shows a restriction nested inside another (the definition of
``ck:CoCreatingCollaboration``) as a blank-node link; docs/ontology.md gives that
definition in words and in Turtle.
"""

from __future__ import annotations

import html
import logging
import os
import sys
from collections.abc import Iterable
from pathlib import Path

import rdflib
from rdflib import URIRef

from collabkg.ontology import load_ontology, ontology_files, parse_files
from collabkg.paths import ProjectPaths
from collabkg.terms import CK, RDF, RDFS, SKOS, compact

OUTPUT_FOLDER = Path("docs") / "ontology"


def _patch_pylode() -> None:
    import pylode.utils as utils

    if utils.intersperse.__name__ == "_sorted_intersperse":  # patched already
        return
    original = utils.intersperse

    def rendered(item: object) -> str:
        if isinstance(item, tuple | list):
            return "".join(rendered(part) for part in item)
        return str(item)  # dominate elements render as their HTML

    def _sorted_intersperse(items: Iterable[object], separator: object) -> tuple[object, ...]:
        return tuple(original(sorted(items, key=rendered), separator))

    utils.intersperse = _sorted_intersperse


def build_ontology_page(source: Path, destination: Path) -> Path:
    """pyLODE (OntPub) HTML for the OWL ontology file."""
    _patch_pylode()
    from pylode import OntPub
    from rdflib.compare import to_canonical_graph

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))
    destination.parent.mkdir(parents=True, exist_ok=True)
    # canonical blank-node names, so that the page is the same on every run
    graph = rdflib.Graph()
    for triple in to_canonical_graph(parse_files([source])):
        graph.add(triple)
    for prefix, namespace in parse_files([source]).namespaces():
        graph.bind(prefix, namespace, override=True)
    OntPub(graph, sort_subjects=True).make_html(destination=destination)
    return destination


def _label(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            if getattr(value, "language", None) in (None, "en"):
                return str(value)
    return compact(str(node))


_CSS = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
dt { font-weight: bold; margin-top: .8em; } dd { margin-left: 1.5em; }
code { background: #f4f4f4; padding: 0 .2em; } .meta { color: #555; font-size: .9em; }
nav ul { columns: 2; }
"""


def build_concepts_page(graph: rdflib.Graph, destination: Path) -> Path:
    """One HTML page listing every concept scheme and its concepts."""
    esc = html.escape
    schemes = sorted(graph.subjects(RDF.type, SKOS.ConceptScheme), key=lambda s: _label(graph, s))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>collabkg concept schemes</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>collabkg concept schemes</h1>",
        '<p>The controlled values of the <a href="index.html">collabkg ontology</a>: '
        "SKOS concepts (prefix <code>ckc:</code>), each typed with the class of values it "
        "belongs to.</p>",
        "<nav><ul>",
    ]
    for scheme in schemes:
        anchor = str(scheme).rsplit("/", 1)[-1]
        parts.append(f'<li><a href="#{esc(anchor)}">{esc(_label(graph, scheme))}</a></li>')
    parts.append("</ul></nav>")
    for scheme in schemes:
        anchor = str(scheme).rsplit("/", 1)[-1]
        parts.append(f'<h2 id="{esc(anchor)}">{esc(_label(graph, scheme))}</h2>')
        parts.append(f'<p class="meta"><code>{esc(compact(str(scheme)))}</code></p>')
        for definition in graph.objects(scheme, SKOS.definition):
            parts.append(f"<p>{esc(str(definition))}</p>")
        concepts = sorted(
            graph.subjects(SKOS.inScheme, scheme), key=lambda c: _label(graph, c).lower()
        )
        parts.append("<dl>")
        for concept in concepts:
            anchor = str(concept).rsplit("/", 1)[-1]
            classes = sorted(
                compact(str(c))
                for c in graph.objects(concept, RDF.type)
                if isinstance(c, URIRef) and str(c).startswith(str(CK))
            )
            broader = [_label(graph, b) for b in graph.objects(concept, SKOS.broader)]
            alt = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
            parts.append(f'<dt id="{esc(anchor)}">{esc(_label(graph, concept))}</dt>')
            for definition in graph.objects(concept, SKOS.definition):
                parts.append(f"<dd>{esc(str(definition))}</dd>")
            meta = [f"<code>{esc(compact(str(concept)))}</code>"]
            meta += [f"a <code>{esc(c)}</code>" for c in classes]
            if broader:
                meta.append("broader: " + esc(", ".join(sorted(broader))))
            if alt:
                meta.append("also called: " + esc(", ".join(alt)))
            parts.append(f'<dd class="meta">{" · ".join(meta)}</dd>')
        parts.append("</dl>")
    parts.append("</body></html>")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return destination


def build_docs(
    root: str | os.PathLike[str] | None = None, output: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Write the ontology documentation; returns the files written."""
    project = ProjectPaths.discover(root)
    folder = Path(output) if output is not None else project.root / OUTPUT_FOLDER
    main = project.ontology / "collabkg.ttl"
    written = [build_ontology_page(main, folder / "index.html")]
    concept_files = [f for f in ontology_files(project.root) if f.parent == project.concepts]
    graph = parse_files(concept_files) if concept_files else load_ontology(project.root)
    written.append(build_concepts_page(graph, folder / "concepts.html"))
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m collabkg.docs [OUTPUT_FOLDER]`` (silent; ``make docs`` says what it wrote)."""
    args = sys.argv[1:] if argv is None else argv
    build_docs(output=args[0] if args else None)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
