"""Run SHACL Core shapes as SPARQL queries on the embedded Oxigraph store.

pySHACL walks an rdflib graph in Python; at a million triples that takes minutes. This module
compiles each constraint of a shapes graph into one SPARQL SELECT that returns the focus nodes
(and values) violating it, and runs those queries on a pyoxigraph ``Store``. The results have
the same shape as pySHACL's (focus node, path, value, severity, constraint component, source
shape, message) and a test asserts they are identical on generated data with injected faults.

Constraints outside the supported subset raise :class:`UnsupportedShape` at compile time, so a
caller can fall back to pySHACL for those shapes instead of silently skipping a check.

Two things are done in Python rather than in SPARQL, to keep pySHACL's exact semantics:
``sh:pattern`` (pySHACL uses Python's ``re``; SPARQL REGEX has no look-around and other
flags) and the ``{?var}`` templates of SHACL-SPARQL messages. At run time every
``rdf:type/rdfs:subClassOf* C`` test is rewritten to ``rdf:type ?t`` with ``?t`` among the
subclasses of ``C`` found in the same store (same answers, several times faster on large
graphs), and :func:`run` can restrict the focus nodes of ``sh:targetClass`` targets to given
nodes or to the subjects of given named graphs (one file checked against a large graph).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from collabkg.errors import CollabkgError
from collabkg.rdfterms import solutions as select_rows
from collabkg.rdfterms import to_rdflib
from collabkg.xsd import XSD_STRING

Term = URIRef | BNode | Literal


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
    pattern: re.Pattern[str] | None = None
    """For sh:pattern: the query returns every value; Python keeps those that do not match."""
    value_is_focus: bool = True
    """SHACL-SPARQL: when ?value is unbound, sh:value is the focus node (node shapes only)."""
    target: str = ""
    """The text of the targets' group in ``query`` (replaced when the focus is restricted)."""
    target_classes: tuple[Node, ...] = ()
    """The shape's sh:targetClass values, when it has no other kind of target."""


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

_NODE_KIND_TESTS: dict[Node, str] = {
    SH.IRI: "isIRI(?v)",
    SH.BlankNode: "isBlank(?v)",
    SH.Literal: "isLiteral(?v)",
    SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))",
    SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
    SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
}

_COMPARISONS: dict[Node, tuple[str, URIRef]] = {
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


_ISA_MARK = " #isa\n"
_ISA = re.compile(r"(\S+) rdf:type/rdfs:subClassOf\* <([^>]+)> #isa\n")
_FOCUS_MARK = "#focus\n"
_FRESH = itertools.count()


def _isa(var: str, cls: Node) -> str:
    """``var`` is an instance of ``cls`` (SHACL's sh:class / sh:targetClass test).

    Written as a property path ending in a marker comment, so :func:`run` can expand the
    class into its subclasses (the query stays valid SPARQL without the expansion)."""
    return f"{var} rdf:type/rdfs:subClassOf* {_n3(cls)}{_ISA_MARK}"


def _fresh(name: str) -> str:
    return f"?_{name}{next(_FRESH)}"


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
        return "(" + "/".join(_path_sparql(shapes, step) for step in steps) + ")"
    for modifier, suffix in (
        (SH.zeroOrOnePath, "?"),
        (SH.zeroOrMorePath, "*"),
        (SH.oneOrMorePath, "+"),
    ):
        inner = shapes.value(path, modifier)
        if inner is not None:
            return f"({_path_sparql(shapes, inner)}){suffix}"
    raise UnsupportedShape(f"unsupported sh:path form on {path}")


def _targets(shapes: Graph, shape: Node, class_closure: bool) -> str:
    parts: list[str] = []
    for cls in shapes.objects(shape, SH.targetClass):
        # the focus marker restricts class targets only (as the validator's focus on the
        # files asked about does); sh:targetNode and the others stay as written
        test = _isa("?this", cls) if class_closure else f"?this rdf:type {_n3(cls)}"
        parts.append(f"{{ {_FOCUS_MARK}{test} . }}")
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
    """The first sh:message of the first candidate that has one (pySHACL reports the
    source shape's own message; a SHACL-SPARQL constraint's message comes first)."""
    for node in candidates:
        msg = shapes.value(node, SH.message)
        if msg is not None:
            return str(msg)
    return None


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_AGGREGATE = re.compile(
    r"\b(COUNT|SUM|AVG|MIN|MAX|GROUP_CONCAT|SAMPLE)\s*\(|\bGROUP\s+BY\b|\bHAVING\b",
    re.IGNORECASE,
)


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
            tests.append(f"EXISTS {{ {_isa(var, obj)} }}")
        elif pred == SH["in"]:
            tests.append(
                "("
                + " || ".join(f"sameTerm({var}, {_n3(m)})" for m in Collection(shapes, obj))
                + ")"
            )
        else:
            raise UnsupportedShape(f"{pred} in sh:node shape {shape} is not compiled")
    for prop in shapes.objects(shape, SH.property):
        tests.extend(_property_tests(shapes, prop, var))
    return "(" + " && ".join(tests) + ")" if tests else "true"


_MAX_COUNTED = 3
"""sh:minCount / sh:maxCount inside sh:node or sh:or are compiled up to this many values."""


def _distinct_values(var: str, path: str, n: int) -> str:
    """A pattern that matches when ``var`` has at least ``n`` distinct values along ``path``."""
    names = [_fresh("c") for _ in range(n)]
    pattern = " ".join(f"{var} {path} {name} ." for name in names)
    different = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(names, 2)]
    return pattern + (f" FILTER({' && '.join(different)})" if different else "")


def _property_tests(shapes: Graph, prop: Node, var: str) -> list[str]:
    """Boolean tests true when ``var`` conforms to the property shape ``prop`` (as a value of
    sh:node or an alternative of sh:or): sh:hasValue, sh:minCount, sh:maxCount, sh:class."""
    path = _path_sparql(shapes, _given(shapes.value(prop, SH.path), f"sh:path of {prop}"))
    tests: list[str] = []
    for pred, obj in shapes.predicate_objects(prop):
        if pred in (SH.path, RDF.type, SH.name, SH.description, SH.message, SH.severity) or str(
            pred
        ).startswith(_IGNORED_NAMESPACES):
            continue
        if pred == SH.hasValue:
            tests.append(f"EXISTS {{ {var} {path} {_n3(obj)} }}")
        elif pred == SH.minCount and _int(obj) <= _MAX_COUNTED:
            if _int(obj) >= 1:
                tests.append(f"EXISTS {{ {_distinct_values(var, path, _int(obj))} }}")
        elif pred == SH.maxCount and _int(obj) < _MAX_COUNTED:
            tests.append(f"NOT EXISTS {{ {_distinct_values(var, path, _int(obj) + 1)} }}")
        elif pred == SH["class"]:
            inner = _fresh("n")
            tests.append(
                f"NOT EXISTS {{ {var} {path} {inner} . FILTER NOT EXISTS "
                f"{{ {_isa(inner, obj)} }} }}"
            )
        else:
            raise UnsupportedShape(f"{pred} in the property shape {prop} is not compiled")
    return tests


def _value_filter(shapes: Graph, pred: Node, obj: Node) -> tuple[str, URIRef] | None:
    """A FILTER expression true for a value ?v that VIOLATES the constraint, and its component."""
    if pred == SH.node:
        return f"!{_conforms(shapes, obj, '?v')}", SH.NodeConstraintComponent
    if pred == SH["class"]:
        return f"NOT EXISTS {{ {_isa('?v', obj)} }}", SH.ClassConstraintComponent
    if pred == SH.datatype:
        return (f"(!isLiteral(?v) || datatype(?v) != {_n3(obj)})", SH.DatatypeConstraintComponent)
    if pred == SH.nodeKind:
        test = _NODE_KIND_TESTS.get(obj)
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
        return f"(isBlank(?v) || STRLEN(STR(?v)) < {_int(obj)})", SH.MinLengthConstraintComponent
    if pred == SH.maxLength:
        return f"(isBlank(?v) || STRLEN(STR(?v)) > {_int(obj)})", SH.MaxLengthConstraintComponent
    if pred == SH["or"]:
        alternatives = []
        for alt in Collection(shapes, obj):
            props = {p for p in shapes.predicates(alt) if p not in (RDF.type,)}
            if props == {SH.datatype}:
                datatype = _given(shapes.value(alt, SH.datatype), "sh:datatype")
                alternatives.append(f"(isLiteral(?v) && datatype(?v) = {_n3(datatype)})")
            elif props == {SH["class"]}:
                cls = _given(shapes.value(alt, SH["class"]), "sh:class")
                alternatives.append(f"EXISTS {{ {_isa('?v', cls)} }}")
            elif SH.path in props:
                # an alternative that is a property shape: ?v conforms to its constraints
                tests = _property_tests(shapes, alt, "?v")
                alternatives.append("(" + " && ".join(tests) + ")" if tests else "true")
            elif props == {SH.nodeKind} and (
                (kind := shapes.value(alt, SH.nodeKind)) in _NODE_KIND_TESTS
            ):
                alternatives.append(_NODE_KIND_TESTS[kind])
            else:
                raise UnsupportedShape(
                    f"sh:or alternatives other than datatype/class/nodeKind/property on {obj}"
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
    if _AGGREGATE.search(inner):
        # the store's default graph is the union of the files' graphs, where a statement
        # written in two files is found twice: only pySHACL (one merged graph) counts right
        raise UnsupportedShape(f"the SPARQL constraint of {shape} aggregates (left to pySHACL)")
    # the focus restriction also goes into the constraint's own query (it is evaluated
    # before the join with the targets): same answers, far less work for one file
    inner = _WHERE.sub(lambda m: m.group(0) + " " + _FOCUS_MARK, inner, count=1)
    # SELECT *: every variable of the constraint, for the {?var} templates of its message
    query = f"{_PREFIXES}{prefixes}SELECT * WHERE {{ {target} {{ {inner} }} }}"
    return CompiledConstraint(
        query,
        shape,
        path,
        severity,
        SH.SPARQLConstraintComponent,
        _message(shapes, constraint, shape),
        True,
        value_is_focus=path is None,
    )


def _compile_constraints(
    shapes: Graph, shape: Node, target: str, severity: URIRef, path: Node | None, owner: Node
) -> Iterator[CompiledConstraint]:
    if path is not None:
        psparql = _path_sparql(shapes, path)
        values = f"?this {psparql} ?v ."
    else:
        values = "BIND(?this AS ?v)"
    msg = _message(shapes, shape)
    for pred, obj in sorted(
        shapes.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))
    ):
        if pred == SH.deactivated or str(pred).startswith(_IGNORED_NAMESPACES) or pred == RDF.type:
            continue
        if pred not in _HANDLED:
            raise UnsupportedShape(f"{pred} on shape {shape} is not compiled")
        if pred == SH.minCount and path is not None:
            n = _int(obj)
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
                f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) "
                f"WHERE {{ {target} {values} }} GROUP BY ?this }} "
                f"FILTER(COALESCE(?n, 0) < {n}) }}"
            )
            yield CompiledConstraint(
                q, shape, path, severity, SH.MinCountConstraintComponent, msg, False
            )
        elif pred == SH.maxCount and path is not None:
            q = (
                f"{_PREFIXES}SELECT ?this WHERE {{ {target} {values} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?v) > {_int(obj)})"
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
            # as pySHACL does: Python's re, flags i and m only, search anywhere in the
            # value's text; a blank node never matches
            flags = shapes.value(shape, SH.flags)
            re_flags = 0
            if flags is not None:
                text = str(flags).lower()
                re_flags |= re.I if "i" in text else 0
                re_flags |= re.M if "m" in text else 0
            try:
                compiled_pattern = re.compile(str(obj), re_flags)
            except re.error as exc:
                raise UnsupportedShape(f"sh:pattern {obj} is not a valid pattern: {exc}") from None
            q = f"{_PREFIXES}SELECT ?this ?v WHERE {{ {target} {values} }}"
            yield CompiledConstraint(
                q,
                shape,
                path,
                severity,
                SH.PatternConstraintComponent,
                msg,
                True,
                pattern=compiled_pattern,
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
            constraints = _compile_node_shape(shapes, shape, target)
        except UnsupportedShape as exc:
            compiled.unsupported[shape] = str(exc)
            continue
        only_classes = class_closure and not any(
            (shape, kind, None) in shapes
            for kind in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        )
        classes = tuple(sorted(shapes.objects(shape, SH.targetClass), key=str))
        for constraint in constraints:
            constraint.target = target
            constraint.target_classes = classes if only_classes else ()
        compiled.constraints.extend(constraints)
    return compiled


def _compile_node_shape(shapes: Graph, shape: Node, target: str) -> list[CompiledConstraint]:
    severity = _iri(shapes.value(shape, SH.severity, default=SH.Violation))
    out = list(_compile_constraints(shapes, shape, target, severity, None, shape))
    for prop in sorted(shapes.objects(shape, SH.property), key=str):
        if shapes.value(prop, SH.deactivated) == Literal(True):
            continue
        path = shapes.value(prop, SH.path)
        if path is None:
            raise UnsupportedShape(f"property shape {prop} has no sh:path")
        psev = _iri(shapes.value(prop, SH.severity, default=severity))
        out.extend(_compile_constraints(shapes, prop, target, psev, path, shape))
    return out


def _rdf(term: object) -> Term:
    """A pyoxigraph term of a result as an rdflib term."""
    node = to_rdflib(term)
    assert isinstance(node, URIRef | BNode | Literal)
    return node


def _int(node: Node) -> int:
    """The integer a shape gives (sh:minCount 1)."""
    if isinstance(node, Literal) and isinstance(node.toPython(), int):
        return int(node.toPython())
    raise UnsupportedShape(f"{node} is not an integer")


def _iri(node: Node | None) -> URIRef:
    if not isinstance(node, URIRef):
        raise UnsupportedShape(f"{node} is not an IRI")
    return node


def _given(node: Node | None, what: str) -> Node:
    if node is None:
        raise UnsupportedShape(f"{what} is missing")
    return node


def _focus_values(nodes: Sequence[Term]) -> str:
    return "VALUES ?this { " + " ".join(n.n3() for n in nodes if isinstance(n, URIRef)) + " }"


def _focus_pattern(
    focus_nodes: Sequence[Term] | None, focus_graphs: Sequence[str] | None
) -> str | None:
    """What replaces the focus marker: the allowed ?this (None: no restriction)."""
    parts: list[str] = []
    if focus_nodes is not None:
        parts.append(_focus_values(focus_nodes))
    if focus_graphs is not None:
        graphs = " ".join(f"<{g}>" for g in focus_graphs)
        parts.append(
            "{ SELECT DISTINCT ?this WHERE { VALUES ?_fg { " + graphs + " } "
            "GRAPH ?_fg { ?this ?_fp ?_fo } } }"
        )
    return " ".join(parts) + " " if parts else None


def class_closures(
    store: ox.Store, classes: Iterable[str], *, union_default_graph: bool = True
) -> dict[str, list[str] | None]:
    """Every class and its subclasses (``?t rdfs:subClassOf* C``) in ``store``.

    None for a class with a blank-node subclass (it cannot be written in VALUES)."""
    wanted = sorted(set(classes))
    if not wanted:
        return {}
    query = (
        "SELECT ?c ?t WHERE { VALUES ?c { "
        + " ".join(f"<{c}>" for c in wanted)
        + " } ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c }"
    )
    found: dict[str, list[str] | None] = {c: [] for c in wanted}
    for row in select_rows(store, query, use_default_graph_as_union=union_default_graph):
        cls, sub = row["c"], row["t"]
        members = found[cls.value]
        if members is None:
            continue
        if isinstance(sub, ox.NamedNode):
            members.append(sub.value)
        else:
            found[cls.value] = None
    return {c: (sorted(set(m)) if m is not None else None) for c, m in found.items()}


_CLASS_TESTS_KEPT_BELOW = 20_000
"""Query texts up to this long have their class tests remembered (the compiled shapes'
own texts; not those carrying a long list of focus graphs, which change run to run)."""


def _class_tests(query: str) -> tuple[tuple[str, str, str, str], ...]:
    """``query`` cut at its marked class tests: (text before, the test as written, its
    variable, its class) for each, then (the rest, "", "", ""). The same texts come back
    run after run (the compiled shapes do not change): each is scanned once."""
    if len(query) < _CLASS_TESTS_KEPT_BELOW:
        return _class_tests_kept(query)
    return _cut_at_class_tests(query)


_ISA_MIDDLE = " rdf:type/rdfs:subClassOf* <"


def _cut_at_class_tests(query: str) -> tuple[tuple[str, str, str, str], ...]:
    # each test found by its fixed middle, then matched where its variable starts (a scan
    # of ``_ISA`` from every position cost 0.26 ms a query: 0.12 s for the 461 of a run)
    parts: list[tuple[str, str, str, str]] = []
    end = 0
    at = query.find(_ISA_MIDDLE)
    while at != -1:
        start = at
        while start > end and not query[start - 1].isspace():
            start -= 1
        match = _ISA.match(query, start)
        if match is not None and start < at:
            parts.append((query[end:start], match.group(0), match.group(1), match.group(2)))
            end = match.end()
            at = query.find(_ISA_MIDDLE, end)
        else:
            at = query.find(_ISA_MIDDLE, at + 1)
    parts.append((query[end:], "", "", ""))
    return tuple(parts)


_class_tests_kept = functools.lru_cache(maxsize=4096)(_cut_at_class_tests)


def classes_tested(query: str) -> Iterator[str]:
    """The classes of the marked class tests of ``query``."""
    return (cls for _text, _test, _var, cls in _class_tests(query) if cls)


def expand_classes(query: str, closures: dict[str, list[str] | None]) -> str:
    """Rewrite the marked ``?x rdf:type/rdfs:subClassOf* <C>`` tests of ``query`` as
    ``?x rdf:type ?t . VALUES ?t { C and its subclasses }``."""
    out: list[str] = []
    for text, test, var, cls in _class_tests(query):
        out.append(text)
        if not cls:
            continue
        members = closures.get(cls)
        if not members:
            out.append(test)
            continue
        fresh = _fresh("t")
        out.append(
            f"{var} rdf:type {fresh} . VALUES {fresh} {{ "
            + " ".join(f"<{m}>" for m in members)
            + " }\n"
        )
    return "".join(out)


Prepared = tuple[CompiledConstraint, str, ox.BlankNode | None]
"""A constraint, the query it runs, and the focus node ``?this`` is bound to (or None)."""


def _focused_target(
    c: CompiledConstraint, iris: Sequence[URIRef] | None, values: str | None = None
) -> str:
    """The targets' group restricted to ``iris`` (or to the text ``values``, a VALUES block
    or a placeholder for one; None and no ``values``: to the node ?this is bound to)."""
    test = " UNION ".join(f"{{ {_isa('?this', cls)} }}" for cls in c.target_classes)
    if values is None:
        values = ("VALUES ?this { " + " ".join(i.n3() for i in iris) + " } ") if iris else ""
    return f"{{ {values}FILTER EXISTS {{ {test} }} }}"


def prepare(
    compiled: CompiledShapes,
    store: ox.Store,
    *,
    focus_nodes: Iterable[Term] | None = None,
    focus_graphs: Iterable[str] | None = None,
    union_default_graph: bool = True,
    closures: dict[str, list[str] | None] | None = None,
) -> list[Prepared] | None:
    """The queries the constraints run on ``store`` (None: nothing to check).

    ``closures``: the classes' closures (:func:`class_closures`) found so far on this
    store, filled in with those this call needs (a caller preparing twice asks once).

    With a focus, each class-targeted constraint runs once for the focus IRIs (a VALUES
    clause) and once per focus blank node (bound as ?this): far faster on a large store
    than joining the targets with the focus; other targets are restricted in place."""
    nodes = list(focus_nodes) if focus_nodes is not None else None
    graphs = list(focus_graphs) if focus_graphs is not None else None
    if (nodes is not None and not nodes) or (graphs is not None and not graphs):
        return None
    iris: list[URIRef] = []
    bnodes: list[ox.BlankNode] = []
    if nodes is not None or graphs is not None:
        seen: set[object] = set()
        for node in nodes or []:
            if isinstance(node, URIRef) and node not in seen:
                seen.add(node)
                iris.append(node)
            elif isinstance(node, BNode) and node not in seen:
                seen.add(node)
                bnodes.append(ox.BlankNode(str(node)))
        for graph in graphs or []:
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                subject = quad.subject
                if subject in seen:
                    continue
                seen.add(subject)
                if isinstance(subject, ox.NamedNode):
                    iris.append(URIRef(subject.value))
                elif isinstance(subject, ox.BlankNode):
                    bnodes.append(subject)
        if not iris and not bnodes:
            return None
    focused = nodes is not None or graphs is not None
    fallback_focus = _focus_pattern(nodes, graphs)
    # the focus IRIs go in last, so the class expansion below scans short texts
    values = ("VALUES ?this { " + " ".join(i.n3() for i in iris) + " } ") if iris else ""
    placeholder = "#focus-values\n"
    prepared: list[Prepared] = []
    for c in compiled.constraints:
        if not focused:
            prepared.append((c, c.query.replace(_FOCUS_MARK, ""), None))
        elif c.target_classes:
            if iris:
                query = c.query.replace(c.target, _focused_target(c, [], placeholder))
                prepared.append((c, query.replace(_FOCUS_MARK, placeholder), None))
            for bnode in bnodes:
                query = c.query.replace(c.target, _focused_target(c, None))
                prepared.append((c, query.replace(_FOCUS_MARK, ""), bnode))
        else:
            prepared.append((c, c.query.replace(_FOCUS_MARK, fallback_focus or ""), None))
    # a constraint runs once per focus blank node with the same text: each text is
    # scanned and expanded once
    texts = dict.fromkeys(query for _c, query, _b in prepared)
    wanted = {cls for query in texts for cls in classes_tested(query)}
    if closures is None:
        closures = {}
    unknown = wanted - closures.keys()
    if unknown:
        closures.update(
            class_closures(store, unknown, union_default_graph=union_default_graph)
        )
    expanded = {query: expand_classes(query, closures) for query in texts}
    if not iris or placeholder not in "".join(expanded.values()):
        return [(c, expanded[query].replace(placeholder, values), b) for c, query, b in prepared]
    # each class-targeted constraint gets only the focus IRIs of its target classes (what
    # its FILTER EXISTS keeps of them): one with none of them is not run at all
    types = focus_types(store, iris, union_default_graph=union_default_graph)
    kept: dict[tuple[str, ...], str] = {}
    out: list[Prepared] = []
    for c, query, bound in prepared:
        text = expanded[query]
        if placeholder in text:
            of_target = _of_classes(iris, types, c.target_classes, closures)
            if of_target is not None:
                if not of_target:
                    continue
                chosen = kept.get(of_target)
                if chosen is None:
                    chosen = kept[of_target] = "VALUES ?this { " + " ".join(of_target) + " } "
                text = text.replace(placeholder, chosen)
            else:
                text = text.replace(placeholder, values)
        out.append((c, text, bound))
    return out


def focus_types(
    store: ox.Store, iris: Sequence[URIRef], *, union_default_graph: bool = True
) -> dict[str, set[str]]:
    """The rdf:type values of each of ``iris`` in ``store`` (IRIs only)."""
    query = (
        "SELECT ?this ?t WHERE { VALUES ?this { "
        + " ".join(i.n3() for i in iris)
        + " } ?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?t }"
    )
    found: dict[str, set[str]] = {}
    for row in select_rows(store, query, use_default_graph_as_union=union_default_graph):
        this, cls = row["this"], row["t"]
        if isinstance(this, ox.NamedNode) and isinstance(cls, ox.NamedNode):
            found.setdefault(this.value, set()).add(cls.value)
    return found


def _of_classes(
    iris: Sequence[URIRef],
    types: dict[str, set[str]],
    classes: Sequence[Node],
    closures: dict[str, list[str] | None],
) -> tuple[str, ...] | None:
    """The focus IRIs (as N-Triples) typed with one of ``classes`` or a subclass, as the
    target test ``?this rdf:type/rdfs:subClassOf* C`` finds them; None when that cannot be
    told here (a class without its closure, or with a blank-node subclass)."""
    members: set[str] = set()
    for cls in classes:
        closure = closures.get(str(cls))
        if not closure:
            return None
        members.update(closure)
    return tuple(i.n3() for i in iris if not types.get(str(i), set()).isdisjoint(members))


def _format_message(template: str | None, bound: dict[str, Node]) -> str | None:
    """pySHACL's substitution of ``{?var}`` / ``{$var}`` in a SHACL-SPARQL message."""
    if template is None:
        return None
    message = template
    for var, val in bound.items():
        message = re.sub(f"{{[?$]{var}}}", str(val), message)
    return message


LexicalForms = Callable[[Term, Literal], Sequence[Literal]]
"""(focus node, value as the store gives it) -> the value as written in the data."""


def _as_written(focus: Term, value: Term | None, lexical: LexicalForms | None) -> list[Term | None]:
    """The store keeps numbers, dates and booleans in canonical form (``-5000.00`` comes back
    as ``-5000``): pySHACL sees them as written, so results carry them as written."""
    if (
        lexical is None
        or not isinstance(value, Literal)
        or value.language
        or value.datatype is None
        or str(value.datatype) == XSD_STRING
    ):
        return [value]
    return list(lexical(focus, value)) or [value]


def run_one(
    constraint: CompiledConstraint,
    query: str,
    store: ox.Store,
    *,
    union_default_graph: bool = True,
    lexical: LexicalForms | None = None,
    this: ox.BlankNode | None = None,
) -> list[ShaclResult]:
    """The results of one prepared constraint (see :func:`prepare`); ``lexical`` gives back
    the literals as written (see :func:`_as_written`); ``this``: the focus node ?this is
    bound to (a pyoxigraph term), if any."""
    c = constraint
    results: list[ShaclResult] = []
    solutions = select_rows(
        store,
        query,
        use_default_graph_as_union=union_default_graph,
        substitutions={ox.Variable("this"): this} if this is not None else None,
    )
    if c.component == SH.SPARQLConstraintComponent:
        names = [v.value for v in solutions.variables]
        seen: set[tuple[object, ...]] = set()
        for row in solutions:
            bound = {
                name: _rdf(row[name])
                for name in names
                if row[name] is not None and name not in ("this", "path", "value", "failure")
            }
            focus = _rdf(row["this"])
            path = _rdf(row["path"]) if row["path"] is not None else c.path
            raw = row["value"]
            stored = _rdf(raw) if raw is not None else (focus if c.value_is_focus else None)
            for value in _as_written(focus, stored, lexical):
                key = (focus, row["path"], value, tuple(sorted(bound.items())))
                if key in seen:
                    continue
                seen.add(key)
                message = _format_message(
                    c.message,
                    {
                        **bound,
                        "this": focus,
                        **({"path": path} if row["path"] is not None and path is not None else {}),
                        **({"value": value} if value is not None else {}),
                    },
                )
                results.append(
                    ShaclResult(focus, path, value, c.severity, c.component, c.shape, message)
                )
        return results
    for row in solutions:
        focus = _rdf(row["this"])
        values: list[Term | None] = [None]
        if c.reports_value:
            values = _as_written(focus, _rdf(row["v"]), lexical)
        for value in values:
            matches = (
                c.pattern is not None
                and value is not None
                and not isinstance(value, BNode)
                and c.pattern.search(str(value))
            )
            if matches:
                continue
            results.append(
                ShaclResult(focus, c.path, value, c.severity, c.component, c.shape, c.message)
            )
    return results


def run(
    compiled: CompiledShapes,
    store: ox.Store,
    *,
    focus_nodes: Iterable[Term] | None = None,
    focus_graphs: Iterable[str] | None = None,
    union_default_graph: bool = True,
    lexical: LexicalForms | None = None,
) -> list[ShaclResult]:
    """Run the compiled constraints on ``store``; each result once.

    ``focus_nodes`` (IRIs) or ``focus_graphs`` (named graphs: their subjects, blank nodes
    included) restrict the focus nodes of class-targeted shapes; values are still checked
    against the whole store. The union of named graphs may hold a statement twice (two files
    say the same thing): counts are of distinct values and results are deduplicated, as in
    pySHACL's one merged graph."""
    prepared = prepare(
        compiled,
        store,
        focus_nodes=focus_nodes,
        focus_graphs=focus_graphs,
        union_default_graph=union_default_graph,
    )
    results: dict[ShaclResult, None] = {}
    for constraint, query, this in prepared or []:
        for result in run_one(
            constraint,
            query,
            store,
            union_default_graph=union_default_graph,
            lexical=lexical,
            this=this,
        ):
            results.setdefault(result, None)
    return list(results)
