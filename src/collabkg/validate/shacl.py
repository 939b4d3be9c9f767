"""Stage 3, the report side: SHACL results as located, explained issues (the one conversion).

The data graph is the ontology + concept schemes + every data file (+ the new files), so
``sh:targetClass ck:Source`` reaches ``ck:BlogPost`` through ``rdfs:subClassOf`` and links
to organisations described in other case files resolve. Each result is placed at the file
and line where its focus node is described (the line of the property when there is one),
named by the node's label, and reported only if that file is one the user asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from collabkg.terms import compact
from collabkg.validate.model import a, quiet_rdflib, show
from collabkg.validate.report import Issue, Severity, Stage
from collabkg.validate.workspace import Workspace
from collabkg.xsd import is_numeric

_SEVERITY: dict[Node, Severity] = {
    SH.Violation: Severity.VIOLATION,
    SH.Warning: Severity.WARNING,
    SH.Info: Severity.INFO,
}


@dataclass
class ShaclResult:
    """Results for the files asked about, and how many were left out (other files)."""

    issues: list[Issue] = field(default_factory=list)
    elsewhere: int = 0


SHAPES_BASE = "https://w3id.org/collabkg/shapes/"
"""The base a relative IRI in a shapes file is read against (not the file's own address:
the graph depends on the files' content only, wherever the project is)."""


def load_shapes(files: Iterable[Path]) -> Graph:
    """Every shapes file in one rdflib Graph (the shapes are ours: a syntax error is a bug)."""
    graph = Graph()
    for path in files:
        graph.parse(data=Path(path).read_bytes(), format="turtle", publicID=SHAPES_BASE)
    return graph


def _required_class(shapes: Graph, shape: Node) -> URIRef | None:
    value = shapes.value(shape, SH["class"])
    return value if isinstance(value, URIRef) else None


def _path_text(shapes: Graph, path: Node | None, shape: Node) -> str | None:
    if isinstance(path, URIRef):
        return compact(str(path))
    if path is None:
        return None
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"{compact(str(inverse))} (pointing to this item)"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = list(Collection(shapes, alternatives))
        if all(isinstance(p, URIRef) for p in parts):
            return " or ".join(compact(str(p)) for p in parts)
    name = shapes.value(shape, SH.name)
    return str(name) if name else None


class _Enricher:
    """Adds what a person needs to act on a result: allowed values, what a value is."""

    def __init__(self, workspace: Workspace, shapes: Graph) -> None:
        self.ws = workspace
        self.ont = workspace.ontology
        self.shapes = shapes

    def hint(self, shape: Node, component: Node, value: Node | None) -> str | None:
        required = _required_class(self.shapes, shape)
        if component == SH.ClassConstraintComponent and required is not None:
            members = self.ont.members_of_class(str(required))
            if members and all(m in self.ont.concepts for m in members):
                # a controlled value: say what the value is and list the allowed ones
                allowed = ", ".join(f"{compact(m)} ({self.ont.label(m)})" for m in members)
                text = f"allowed values: {allowed}"
                if isinstance(value, URIRef) and str(value) in self.ont.concepts:
                    kinds = [self.ont.label(t) for t in self.ont.concept_types(str(value))]
                    if kinds:
                        text = f"{show(value)} is {a(kinds[0])}, not one of these; {text}"
                elif isinstance(value, Literal):
                    text = f"write the value without quotes; {text}"
                return text
        if component in (SH.ClassConstraintComponent, SH.OrConstraintComponent) and isinstance(
            value, URIRef | BNode
        ):
            types = self.ws.types.get(value, set())
            if types:
                located = self.ws.locate(value, targets_only=False)
                where = ""
                if located is not None:
                    where = f" ({located[0].display} line {located[1]})"
                return f"{show(value)} is described as {a(self.ont.kind(types))}{where}"
            if isinstance(value, URIRef):
                return f"{show(value)} has no type: add 'a ck:…' where it is described"
        if isinstance(value, Literal) and component == SH.DatatypeConstraintComponent:
            return f"the value written is {show(value)}"
        return None


_XSD = "http://www.w3.org/2001/XMLSchema#"
_FLOATING = {_XSD + "double", _XSD + "float"}
_WHOLE_OR_DECIMAL = {_XSD + "decimal", _XSD + "integer", _XSD + "nonNegativeInteger"}
_DATE_TIMES = {_XSD + "dateTime", _XSD + "dateTimeStamp"}
_DATE_FORMS = (
    (_XSD + "gYearMonth", 7, "a month"),
    (_XSD + "gYear", 4, "a year"),
)
_VALUE_COMPONENTS = (
    SH.OrConstraintComponent,
    SH.XoneConstraintComponent,
    SH.DatatypeConstraintComponent,
)


def _accepted_datatypes(shapes: Graph, shape: Node) -> set[str]:
    """The datatypes a property shape accepts (``sh:datatype``, or those of its ``sh:or``)."""
    found = {str(d) for d in shapes.objects(shape, SH.datatype)}
    for key in (SH["or"], SH.xone):
        members = shapes.value(shape, key)
        if members is not None:
            for member in Collection(shapes, members):
                found |= {str(d) for d in shapes.objects(member, SH.datatype)}
    return found


def _value_message(shapes: Graph, shape: Node, path: str | None, value: Node) -> str | None:
    """What is wrong with a value, when the shape's own message (written for the usual
    mistakes: quotes, a £ sign, no ^^xsd:…) does not say it: a number in scientific
    notation, a date written as a date and time."""
    if not isinstance(value, Literal) or value.datatype is None:
        return None
    datatype = str(value.datatype)
    accepted = _accepted_datatypes(shapes, shape)
    if datatype in accepted:
        return None
    name = path or "this property"
    lexical = str(value)
    if datatype in _FLOATING and accepted & _WHOLE_OR_DECIMAL:
        from decimal import Decimal, InvalidOperation

        try:
            number = Decimal(lexical.strip())
        except InvalidOperation:
            return None
        if not number.is_finite():
            return None
        full = format(number.normalize(), "f")
        written = lexical if "e" in lexical.lower() else "with an e, as in 4.5e4"
        return (
            f"{name} is written as a number in scientific notation ({written}), which is not "
            f"accepted: write the number in full, e.g. {name} {full} ;"
        )
    if datatype in _DATE_TIMES and _XSD + "date" in accepted:
        day = lexical.strip()[:10]
        others = [
            f'{what} "{day[:width]}"^^xsd:{iri.rsplit("#", 1)[1]}'
            for iri, width, what in _DATE_FORMS
            if iri in accepted
        ]
        also = f" (or {' or '.join(others)})" if others else ""
        return (
            f'{name} is a date and time ({show(value)}); a date is written "{day}"^^xsd:date, '
            f"not a date-time{also}."
        )
    return None


def _self_path(shapes: Graph, path: Node | None) -> bool:
    """Whether a shape's path leads from an item to itself (``[ sh:zeroOrOnePath cksh:… ]``):
    a check of how many values a property has, whose "value" is the item itself."""
    return isinstance(path, BNode) and shapes.value(path, SH.zeroOrOnePath) is not None


def _counted_properties(shapes: Graph, shape: Node) -> str | None:
    """The properties a count check on the item itself is about (the sh:path of its
    sh:or / sh:and / sh:xone members), as written: ``ck:mayBeClassifiedAs``."""
    found: list[str] = []
    for key in (SH["or"], SH["and"], SH.xone):
        members = shapes.value(shape, key)
        if members is None:
            continue
        for member in Collection(shapes, members):
            path = shapes.value(member, SH.path)
            if isinstance(path, URIRef) and compact(str(path)) not in found:
                found.append(compact(str(path)))
    return " or ".join(found) if found else None


RawResult = tuple[
    Node | None, Node | None, Node | None, Node | None, Node | None, Node | None, Node | None
]
"""(focus, path, value, source shape, constraint component, severity, message)."""


def _pyshacl_results(workspace: Workspace, shapes: Graph) -> list[RawResult]:
    data = Graph()
    # from the ontology only what the shapes need: types (the concepts' classes) and the
    # class hierarchy (sh:targetClass and sh:class follow rdfs:subClassOf)
    ontology = workspace.ontology.graph
    for predicate in (RDF.type, RDFS.subClassOf):
        for triple in ontology.triples((None, predicate, None)):
            data.add(triple)
    with quiet_rdflib():
        for item in workspace.files:
            for triple in item.triples:
                data.add(triple)
    return run_pyshacl(data, shapes)


def run_shacl(
    workspace: Workspace,
    shapes: Graph,
    raw: Iterable[RawResult],
    *,
    skip_values: set[Node] | None = None,
    skip_triples: set[tuple[Node, Node, Node | None]] | None = None,
) -> ShaclResult:
    """The SHACL results ``raw`` (see :mod:`collabkg.validate.shacl_run`) as issues of the
    files asked about: placed, named, explained, and those the vocabulary stage reported
    already dropped (``skip_values``, ``skip_triples``)."""
    return _issues(workspace, shapes, raw, skip_values or set(), skip_triples or set())


def run_pyshacl(data: Graph, shapes: Graph) -> list[RawResult]:
    """pySHACL over ``data`` (changed in place: no inference), as raw results."""
    import pyshacl

    from collabkg.sparql_text import RDFLIB_PARSER

    with quiet_rdflib(), RDFLIB_PARSER:  # pySHACL parses its SPARQL with rdflib's parser
        _conforms, report, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            allow_infos=True,
            inplace=True,
        )
    assert isinstance(report, Graph)
    return [
        (
            report.value(node, SH.focusNode),
            report.value(node, SH.resultPath),
            report.value(node, SH.value),
            report.value(node, SH.sourceShape),
            report.value(node, SH.sourceConstraintComponent),
            report.value(node, SH.resultSeverity),
            report.value(node, SH.resultMessage),
        )
        for node in report.objects(None, SH.result)
    ]


HAS_UNSTATED_PROPERTY = "https://w3id.org/collabkg/ontology#hasUnstatedProperty"


class _Unstated:
    """The properties each item records its sources leave unstated (ck:hasUnstatedProperty):
    the warnings that such a property is missing are the sources' gap, already recorded."""

    def __init__(self, workspace: Workspace) -> None:
        self.store = getattr(workspace, "store", None)
        self.found: dict[Node, set[str]] = {}

    def of(self, focus: Node) -> set[str]:
        if focus in self.found:
            return self.found[focus]
        values: set[str] = set()
        if self.store is not None and isinstance(focus, URIRef):
            import pyoxigraph as ox

            for quad in self.store.quads_for_pattern(
                ox.NamedNode(str(focus)), ox.NamedNode(HAS_UNSTATED_PROPERTY), None, None
            ):
                if isinstance(quad.object, ox.NamedNode):
                    values.add(quad.object.value)
        self.found[focus] = values
        return values


def _path_iris(shapes: Graph, path: Node | None) -> set[str]:
    """The properties a SHACL path goes through (one for a plain path)."""
    if path is None:
        return set()
    if isinstance(path, URIRef):
        return {str(path)}
    found: set[str] = set()
    todo, seen = [path], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _p, o in shapes.predicate_objects(node):
            if isinstance(o, URIRef):
                if not str(o).startswith(("http://www.w3.org/ns/shacl#", str(RDF))):
                    found.add(str(o))
            else:
                todo.append(o)
    return found


def _issues(
    workspace: Workspace,
    shapes: Graph,
    raw: Iterable[RawResult],
    skip_values: set[Node],
    skip_triples: set[tuple[Node, Node, Node | None]],
) -> ShaclResult:
    enricher = _Enricher(workspace, shapes)
    unstated = _Unstated(workspace)
    result = ShaclResult()
    seen: set[tuple[object, ...]] = set()
    # in a fixed order: which of two results saying the same thing is kept must not depend
    # on the order the engine gave them in (pySHACL's changes from run to run)
    ordered = sorted(raw, key=lambda r: (str(r[4]), str(r[3]), str(r[0]), str(r[1]), str(r[2])))
    for focus, path, value, shape, component, raw_severity, message in ordered:
        severity = Severity.VIOLATION
        if raw_severity is not None:
            severity = _SEVERITY.get(raw_severity, Severity.VIOLATION)
        if focus is None:
            continue
        if value is None and (focus, path, None) in skip_triples:
            continue  # "no <property>": the property is there, misspelt (vocabulary stage)
        if (
            value is None
            and severity is Severity.WARNING
            and _path_iris(shapes, path) & unstated.of(focus)
        ):
            continue  # the item records that its sources leave this unstated
        if value is not None and (value in skip_values or (focus, path, value) in skip_triples):
            continue
        if isinstance(value, Literal) and getattr(value, "ill_typed", False):
            continue  # reported by the syntax stage with its line
        if value is not None and workspace.types.get(value, set()) & {str(v) for v in skip_values}:
            continue  # its type is an unknown term, reported by the vocabulary stage
        located = workspace.locate(focus, path)
        if located is None:
            if workspace.locate(focus, path, targets_only=False) is not None:
                if severity is Severity.VIOLATION:
                    result.elsewhere += 1
                continue
            continue
        item, line = located
        if component in _RANGE_COMPONENTS and not _numeric(value):
            continue  # "must be a number" is said by the datatype check of the same value
        key = (item.display, str(focus), str(path), str(value), str(message))
        if key in seen:
            continue
        seen.add(key)
        shape_name = shapes.value(shape, SH.name) if shape is not None else None
        path_shown = _path_text(shapes, path, shape) if shape is not None else show(path)
        value_shown = show(value) if value is not None else None
        if shape is not None and _self_path(shapes, path) and value == focus:
            # a count of a property's values: name the property, not the item as its value
            path_shown = _counted_properties(shapes, shape) or path_shown
            value_shown = None
        text = str(message) if message else "This item does not fit the data model."
        if shape is not None and value is not None and component in _VALUE_COMPONENTS:
            text = _value_message(shapes, shape, path_shown, value) or text
        focus_shown = show(focus) if isinstance(focus, URIRef) else None
        if isinstance(focus, BNode):
            parent = workspace.parents.get(focus)
            if parent is not None:
                focus_shown = f"the [ ] value of {compact(str(parent[1]))} on {show(parent[0])}"
        result.issues.append(
            Issue(
                severity,
                Stage.SHACL,
                "shacl."
                + (
                    str(component).rsplit("#", 1)[-1].replace("ConstraintComponent", "")
                    if component is not None
                    else "result"
                ),
                text,
                file=item.display,
                line=line,
                source_line=item.parsed.index.source_line(line),
                hint=enricher.hint(shape, component, value)
                if shape is not None and component is not None
                else None,
                focus=focus_shown,
                focus_label=workspace.label_of(focus),
                focus_kind=workspace.kind_of(focus),
                path=path_shown,
                value=value_shown,
                shape=str(shape_name)
                if shape_name
                else (compact(str(shape)) if isinstance(shape, URIRef) else None),
            )
        )
    # results about many blank nodes of one statement (e.g. [ ] inside [ ]) read as one
    grouped: dict[tuple[object, ...], list[Issue]] = {}
    for issue in result.issues:
        group = (
            issue.file,
            issue.line,
            issue.message,
            issue.path,
            issue.severity,
            issue.focus if not (issue.focus or "").startswith("the [ ]") else "[ ]",
        )
        grouped.setdefault(group, []).append(issue)
    result.issues = []
    for same in grouped.values():
        # the one shown does not depend on the order results came in (pySHACL's varies)
        first = min(same, key=lambda i: (i.code, i.value or "", i.focus or "", i.hint or ""))
        if len(same) > 1:
            first.message += f" (the same for {len(same) - 1} more [ ] item(s) here)"
        result.issues.append(first)
    # a note about a value that is also an error (e.g. the not-named flag written as
    # "yes") only distracts: keep the error
    broken = {(i.file, i.focus, i.path) for i in result.issues if i.severity is Severity.VIOLATION}
    result.issues = [
        i
        for i in result.issues
        if i.severity is not Severity.INFO or (i.file, i.focus, i.path) not in broken
    ]
    return result


_RANGE_COMPONENTS = (
    SH.MinInclusiveConstraintComponent,
    SH.MaxInclusiveConstraintComponent,
    SH.MinExclusiveConstraintComponent,
    SH.MaxExclusiveConstraintComponent,
)


def _numeric(value: Node | None) -> bool:
    return isinstance(value, Literal) and is_numeric(value.datatype)


def shapes_in(shapes: Graph) -> list[tuple[URIRef, list[URIRef]]]:
    """Every node shape with a target class: (shape, target classes)."""
    found = []
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        targets = [t for t in shapes.objects(shape, SH.targetClass) if isinstance(t, URIRef)]
        if isinstance(shape, URIRef) and targets:
            found.append((shape, targets))
    return sorted(found)


__all__ = ["SHAPES_BASE", "ShaclResult", "load_shapes", "run_shacl", "shapes_in"]
