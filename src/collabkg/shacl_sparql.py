"""Run SHACL Core shapes as SPARQL queries on the embedded Oxigraph store.

pySHACL walks an rdflib graph in Python; at a million triples that takes minutes. This module
compiles each constraint of a shapes graph into one SPARQL SELECT that returns the focus nodes
(and values) violating it, and runs those queries on a pyoxigraph ``Store``. The results have
the same shape as pySHACL's (focus node, path, value, severity, constraint component, source
shape, message) and a test asserts they are identical on generated data with injected faults.

Constraints outside the supported subset raise :class:`UnsupportedShape` at compile time, so a
caller can fall back to pySHACL for those shapes instead of silently skipping a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from collabkg.errors import CollabkgError

Term = URIRef | BNode | Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class UnsupportedShape(CollabkgError):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, comparable with a pySHACL result."""

    focus: Term
    path: Node | None
    value: Term | None
    severity: URIRef
    component: URIRef
    shape: Node
    message: str | None = None

    def key(self) -> tuple[object, ...]:
        """A comparison key: values compared by value (``-5.0`` equals ``-5`` as a decimal),
        blank-node shapes and message wording ignored."""
        path = (
            self.path.n3()
            if isinstance(self.path, URIRef)
            else ("" if self.path is None else "<complex>")
        )
        value: object = ""
        if isinstance(self.value, Literal):
            value = (
                self.value.toPython(),
                str(self.value.datatype or ""),
                self.value.language or "",
            )
        elif self.value is not None:
            value = self.value.n3()
        return (self.focus.n3(), path, value, str(self.severity), str(self.component))


@dataclass
class CompiledConstraint:
    """One SPARQL query standing for one constraint of one shape."""

    query: str
    shape: Node
    path: Node | None
    severity: URIRef
    component: URIRef
    message: str | None
    reports_value: bool


@dataclass
class CompiledShapes:
    """All compiled constraints of a shapes graph, and the node shapes left to pySHACL."""

    constraints: list[CompiledConstraint] = field(default_factory=list)
    unsupported: dict[Node, str] = field(default_factory=dict)

    def fallback_shapes(self, shapes: Graph) -> Graph | None:
        """A copy of ``shapes`` in which every compiled node shape is deactivated, so pySHACL
        runs exactly the node shapes this module could not translate (None when there are none)."""
        if not self.unsupported:
            return None
        copy = Graph()
        for triple in shapes:
            copy.add(triple)
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - set(self.unsupported):
            copy.set((shape, SH.deactivated, Literal(True)))
        return copy


_PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)

_NODE_KIND_TESTS = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}

_COMPARISONS = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}

_HANDLED = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.hasValue,
    SH.pattern,
    SH.flags,
    SH.minLength,
    SH.maxLength,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH["or"],
    SH.sparql,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.deactivated,
    SH.defaultValue,
    SH.node,
    *_COMPARISONS,
}
_IGNORED_NAMESPACES = (
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
)


def _n3(term: Node) -> str:
    if isinstance(term, BNode):
        raise UnsupportedShape(f"a blank node cannot be used as a constant in a query: {term}")
    return term.n3()


def _path_sparql(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return path.n3()
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return f"^{inverse.n3()}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return (
            "("
            + "|".join(_path_sparql(shapes, step) for step in Collection(shapes, alternatives))
            + ")"
        )
    if (path, RDF.first, None) in shapes:
        steps = list(Collection(shapes, path))
        return "/".join(_path_sparql(shapes, step) for step in steps)
    raise UnsupportedShape(f"unsupported sh:path form on {path}")


def _targets(shapes: Graph, shape: Node, class_closure: bool) -> str:
    parts: list[str] = []
    type_path = "rdf:type/rdfs:subClassOf*" if class_closure else "rdf:type"
    for cls in shapes.objects(shape, SH.targetClass):
        parts.append(f"{{ ?this {type_path} {_n3(cls)} . }}")
    nodes = [_n3(n) for n in shapes.objects(shape, SH.targetNode)]
    if nodes:
        parts.append("{ VALUES ?this { " + " ".join(nodes) + " } }")
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        parts.append(f"{{ ?this {_n3(prop)} [] . }}")
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        parts.append(f"{{ [] {_n3(prop)} ?this . }}")
    if not parts:
        return ""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _message(shapes: Graph, *candidates: Node) -> str | None:
    for node in candidates:
        msg = shapes.value(node, SH.message)
        if msg is not None:
            return str(msg)
    return None


def _conforms(shapes: Graph, shape: Node, var: str, depth: int = 0) -> str:
    """A SPARQL boolean expression true when ``var`` conforms to the (target-less) node shape.

    Supports what value shapes use: node-level sh:class / sh:in and property shapes with
    sh:hasValue, sh:minCount 1 or sh:class. Anything else is refused, not approximated.
    """
    if depth > 3:
        raise UnsupportedShape(f"sh:node nested too deeply at {shape}")
    tests: list[str] = []
    for pred, obj in shapes.predicate_objects(shape):
        if pred in (RDF.type, SH.property, SH.name, SH.description, SH.message, SH.severity) or str(
            pred
        ).startswith(_IGNORED_NAMESPACES):
            continue
        if pred == SH["class"]:
            tests.append(f"EXISTS {{ {var} rdf:type/rdfs:subClassOf* {_n3(obj)} }}")
        elif pred == SH["in"]:
            tests.append(
                "("
                + " || ".join(f"sameTerm({var}, {_n3(m)})" for m in Collection(shapes, obj))
                + ")"
            )
        else:
            raise UnsupportedShape(f"{pred} in sh:node shape {shape} is not compiled")
    for i, prop in enumerate(shapes.objects(shape, SH.property)):
        path = _path_sparql(shapes, shapes.value(prop, SH.path))
        inner = f"?n{depth}_{i}"
        for pred, obj in shapes.predicate_objects(prop):
            if pred in (SH.path, RDF.type, SH.name, SH.description, SH.message, SH.severity) or str(
                pred
            ).startswith(_IGNORED_NAMESPACES):
                continue
            if pred == SH.hasValue:
                tests.append(f"EXISTS {{ {var} {path} {_n3(obj)} }}")
            elif pred == SH.minCount and int(obj) <= 1:
                if int(obj) == 1:
                    tests.append(f"EXISTS {{ {var} {path} {inner} }}")
            elif pred == SH["class"]:
                tests.append(
                    f"NOT EXISTS {{ {var} {path} {inner} . FILTER NOT EXISTS "
                    f"{{ {inner} rdf:type/rdfs:subClassOf* {_n3(obj)} }} }}"
                )
            else:
                raise UnsupportedShape(f"{pred} in sh:node property shape {prop} is not compiled")
    return "(" + " && ".join(tests) + ")" if tests else "true"


def _value_filter(shapes: Graph, pred: URIRef, obj: Node) -> tuple[str, URIRef] | None:
    """A FILTER expression true for a value ?v that VIOLATES the constraint, and its component."""
    if pred == SH.node:
        return f"!{_conforms(shapes, obj, '?v')}", SH.NodeConstraintComponent
    if pred == SH["class"]:
        return (
            f"NOT EXISTS {{ ?v rdf:type/rdfs:subClassOf* {_n3(obj)} }}",
            SH.ClassConstraintComponent,
        )
    if pred == SH.datatype:
        return (f"(!isLiteral(?v) || datatype(?v) != {_n3(obj)})", SH.DatatypeConstraintComponent)
    if pred == SH.nodeKind:
        test = _NODE_KIND_TESTS.get(obj)  # type: ignore[arg-type]
        if test is None:
            raise UnsupportedShape(f"unknown sh:nodeKind {obj}")
        return f"!{test}", SH.NodeKindConstraintComponent
    if pred == SH["in"]:
        members = list(Collection(shapes, obj))
        same = " || ".join(f"sameTerm(?v, {_n3(m)})" for m in members) or "false"
        return f"!({same})", SH.InConstraintComponent
    if pred in _COMPARISONS:
        op, component = _COMPARISONS[pred]
        return f"!COALESCE(?v {op} {_n3(obj)}, false)", component
    if pred == SH.minLength:
        return f"(isBlank(?v) || STRLEN(STR(?v)) < {int(obj)})", SH.MinLengthConstraintComponent
    if pred == SH.maxLength:
        return f"(isBlank(?v) || STRLEN(STR(?v)) > {int(obj)})", SH.MaxLengthConstraintComponent
    if pred == SH["or"]:
        alternatives = []
        for alt in Collection(shapes, obj):
            props = {p for p in shapes.predicates(alt) if p not in (RDF.type,)}
            if props == {SH.datatype}:
                alternatives.append(
                    f"(isLiteral(?v) && datatype(?v) = {_n3(shapes.value(alt, SH.datatype))})"
                )
            elif props == {SH["class"]}:
                cls = _n3(shapes.value(alt, SH["class"]))
                alternatives.append(f"EXISTS {{ ?v rdf:type/rdfs:subClassOf* {cls} }}")
            elif props == {SH.nodeKind}:
                alternatives.append(_NODE_KIND_TESTS[shapes.value(alt, SH.nodeKind)])  # type: ignore[index]
            else:
                raise UnsupportedShape(
                    f"sh:or alternatives other than datatype/class/nodeKind on {obj}"
                )
        return f"!({' || '.join(alternatives)})", SH.OrConstraintComponent
    return None


def _compile_sparql_constraint(
    shapes: Graph, shape: Node, constraint: Node, target: str, path: Node | None, severity: URIRef
) -> CompiledConstraint:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShape(f"sh:sparql without sh:select on {shape}")
    prefixes = ""
    for decl_holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(decl_holder, SH.declare):
            prefixes += (
                f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n"
            )
    inner = str(select).replace("$this", "?this")
    if "$PATH" in inner:
        if path is None:
            raise UnsupportedShape(f"$PATH used outside a property shape in {shape}")
        inner = inner.replace("$PATH", _path_sparql(shapes, path))
    if "$" in inner:
        raise UnsupportedShape(f"pre-bound variables other than $this in {shape}")
    query = f"{_PREFIXES}{prefixes}SELECT ?this ?value ?path WHERE {{ {target} {{ {inner} }} }}"
    return CompiledConstraint(
        query,
        shape,
        path,
        severity,
        SH.SPARQLConstraintComponent,
        _message(shapes, constraint, shape),
        True,
    )


def _compile_constraints(
    shapes: Graph, shape: Node, target: str, severity: URIRef, path: Node | None, owner: Node
) -> Iterator[CompiledConstraint]:
    if path is not None:
        psparql = _path_sparql(shapes, path)
        values = f"?this {psparql} ?v ."
    else:
        values = "BIND(?this AS ?v)"
    msg = _message(shapes, shape, owner)
    for pred, obj in sorted(
        shapes.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))
    ):
        if pred == SH.deactivated or str(pred).startswith(_IGNORED_NAMESPACES) or pred == RDF.type:
            continue
        if pred not in _HANDLED:
            raise UnsupportedShape(f"{pred} on shape {shape} is not compiled")
        if pred == SH.minCount and path is not None:
            n = int(obj)
            if n == 0:
                continue
            if n == 1:
                q = f"{_PREFIXES}SELECT ?this WHERE {{ {target} FILTER NOT EXISTS {{ {values} }} }}"
                yield CompiledConstraint(
                    q, shape, path, severity, SH.MinCountConstraintComponent, msg, False
                )
                continue
            q = (
                f"{_PREFIXES}SELECT ?this WHERE {{ {target} "
                f"OPTIONAL {{ SELECT ?this (COUNT(?v) AS ?n) "
                f"WHERE {{ {target} {values} }} GROUP BY ?this }} "
                f"FILTER(COALESCE(?n, 0) < {n}) }}"
            )
            yield CompiledConstraint(
                q, shape, path, severity, SH.MinCountConstraintComponent, msg, False
            )
        elif pred == SH.maxCount and path is not None:
            q = (
                f"{_PREFIXES}SELECT ?this WHERE {{ {target} {values} }} GROUP BY ?this "
                f"HAVING (COUNT(?v) > {int(obj)})"
            )
            yield CompiledConstraint(
                q, shape, path, severity, SH.MaxCountConstraintComponent, msg, False
            )
        elif pred == SH.hasValue:
            q = (
                f"{_PREFIXES}SELECT ?this WHERE {{ {target} "
                f"FILTER NOT EXISTS {{ {values.replace('?v', _n3(obj))} }} }}"
            )
            yield CompiledConstraint(
                q, shape, path, severity, SH.HasValueConstraintComponent, msg, False
            )
        elif pred == SH.pattern:
            if "(?=" in str(obj) or "(?!" in str(obj) or "(?<" in str(obj):
                raise UnsupportedShape(
                    f"sh:pattern {obj} uses look-around, which SPARQL REGEX lacks"
                )
            flags = shapes.value(shape, SH.flags)
            flag_arg = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            q = (
                f"{_PREFIXES}SELECT ?this ?v WHERE {{ {target} {values} "
                f"FILTER(isBlank(?v) || !REGEX(STR(?v), {Literal(str(obj)).n3()}{flag_arg})) }}"
            )
            yield CompiledConstraint(
                q, shape, path, severity, SH.PatternConstraintComponent, msg, True
            )
        elif pred in (SH.lessThan, SH.lessThanOrEquals):
            op, component = (
                ("<", SH.LessThanConstraintComponent)
                if pred == SH.lessThan
                else ("<=", SH.LessThanOrEqualsConstraintComponent)
            )
            q = (
                f"{_PREFIXES}SELECT ?this ?v WHERE {{ {target} {values} ?this {_n3(obj)} ?w . "
                f"FILTER(!COALESCE(?v {op} ?w, false)) }}"
            )
            yield CompiledConstraint(q, shape, path, severity, component, msg, True)
        elif pred == SH.sparql:
            yield _compile_sparql_constraint(shapes, shape, obj, target, path, severity)
        else:
            compiled = _value_filter(shapes, pred, obj)
            if compiled is None:
                continue
            expr, component = compiled
            q = f"{_PREFIXES}SELECT ?this ?v WHERE {{ {target} {values} FILTER({expr}) }}"
            yield CompiledConstraint(q, shape, path, severity, component, msg, True)


def compile_shapes(shapes: Graph, *, class_closure: bool = True) -> CompiledShapes:
    """Compile every active node shape (and its property shapes) of ``shapes``."""
    compiled = CompiledShapes()
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    for shape in sorted(node_shapes, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        target = _targets(shapes, shape, class_closure)
        if not target:
            continue
        try:
            compiled.constraints.extend(_compile_node_shape(shapes, shape, target))
        except UnsupportedShape as exc:
            compiled.unsupported[shape] = str(exc)
    return compiled


def _compile_node_shape(shapes: Graph, shape: Node, target: str) -> list[CompiledConstraint]:
    severity = shapes.value(shape, SH.severity, default=SH.Violation)
    out = list(_compile_constraints(shapes, shape, target, severity, None, shape))
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        if shapes.value(prop, SH.deactivated) == Literal(True):
            continue
        path = shapes.value(prop, SH.path)
        if path is None:
            raise UnsupportedShape(f"property shape {prop} has no sh:path")
        psev = shapes.value(prop, SH.severity, default=severity)
        out.extend(_compile_constraints(shapes, prop, target, psev, path, shape))
    return out


def _to_rdflib(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unexpected term {term!r}")


def _focus_values(nodes: Sequence[Term]) -> str:
    return "VALUES ?this { " + " ".join(n.n3() for n in nodes if isinstance(n, URIRef)) + " }"


def run(
    compiled: CompiledShapes,
    store: ox.Store,
    *,
    focus_nodes: Iterable[Term] | None = None,
    union_default_graph: bool = True,
) -> list[ShaclResult]:
    """Run the compiled constraints on ``store``; restrict to ``focus_nodes`` when given."""
    focus = list(focus_nodes) if focus_nodes is not None else None
    results: list[ShaclResult] = []
    for c in compiled.constraints:
        query = c.query
        if focus is not None:
            if not focus:
                return []
            query = query.replace(" WHERE { ", f" WHERE {{ {_focus_values(focus)} ", 1)
        for row in store.query(query, use_default_graph_as_union=union_default_graph):
            this = _to_rdflib(row["this"])
            value: Term | None = None
            path = c.path
            if c.reports_value:
                raw = row["value"] if c.component == SH.SPARQLConstraintComponent else row["v"]
                # SHACL-SPARQL: sh:value is ?value when bound, otherwise the focus node
                value = _to_rdflib(raw) if raw is not None else this
                if c.component == SH.SPARQLConstraintComponent and row["path"] is not None:
                    path = _to_rdflib(row["path"])
            results.append(
                ShaclResult(this, path, value, c.severity, c.component, c.shape, c.message)
            )
    return results
