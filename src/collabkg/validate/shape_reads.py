"""Which statements each shape reads, as walks from its focus node: what an incremental run
needs to know which focus nodes a changed statement can affect.

A shape reads the statements along its paths: ``ck:isAbout / ^org:member`` from a case
reads ``?case ck:isAbout ?x`` forwards, then ``?m org:member ?x`` backwards (the value is
the subject). A changed statement ``s p o`` can change the results about a focus node F only
where one of F's walks reads ``p``: forwards at ``s``, backwards at ``o``; F is then found
by walking the steps before it back from ``s`` (or ``o``). :func:`shape_walks` lists every
walk of every shape as a tuple of :class:`Step` (sh:class adds a forward ``rdf:type`` step,
sh:node continues the walk, a SHACL-SPARQL constraint adds the statements its query reads
from ``$this``); what this module cannot read exactly (``*``/``+`` paths, sh:closed,
SPARQL that walks further than ``$this``'s own statements...) raises
:class:`UnreadableShapes`, and the caller checks more widely.

A shape's targets are walks too: sh:targetClass reads the focus's ``rdf:type`` (a walk of
one forward step), sh:targetSubjectsOf / sh:targetObjectsOf the focus's own statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath, ZeroOrOne
from rdflib.term import Node

from collabkg.errors import CollabkgError


class UnreadableShapes(CollabkgError):
    """A shape reads statements in a way :func:`shape_walks` does not follow."""


@dataclass(frozen=True)
class Step:
    """One statement read on a walk: ``predicate`` from the current node forwards (it is the
    subject) or backwards (it is the object)."""

    predicate: str
    forward: bool


Walk = tuple[Step, ...]

TYPE = str(RDF.type)

_TERM_ONLY = {
    SH.datatype, SH.nodeKind, SH["in"], SH.hasValue, SH.pattern, SH.flags, SH.minLength,
    SH.maxLength, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.languageIn, SH.uniqueLang, SH.minCount, SH.maxCount, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.severity, SH.message, SH.name, SH.description, SH.order,
    SH.group, SH.deactivated, SH.defaultValue, SH.path, SH.prefixes, SH.declare,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
}  # fmt: skip
"""Parameters that test the value nodes themselves (or say nothing about the data)."""
_COMPARED = {SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals}
"""Compare the value nodes with the focus's values of another property."""
_SHAPE_LISTS = {SH["and"], SH["or"], SH.xone}


def _steps(shapes: Graph, path: Node) -> list[Walk]:
    """Every sequence of steps the SHACL path ``path`` can take."""
    if isinstance(path, URIRef):
        return [(Step(str(path), True),)]
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        if not isinstance(inverse, URIRef):
            raise UnreadableShapes(f"an inverse of a complex path at {path}")
        return [(Step(str(inverse), False),)]
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return [w for step in Collection(shapes, alternatives) for w in _steps(shapes, step)]
    if (path, RDF.first, None) in shapes:
        walks: list[Walk] = [()]
        for part in Collection(shapes, path):
            walks = [a + b for a in walks for b in _steps(shapes, part)]
        return walks
    optional = shapes.value(path, SH.zeroOrOnePath)
    if optional is not None:  # the node itself, or one walk of the inner path
        return [(), *_steps(shapes, optional)]
    raise UnreadableShapes(f"a path with no fixed length at {path}")


class _Reader:
    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.walks: set[Walk] = set()
        self.components = self._components()
        self.prefixes = "".join(
            f"PREFIX {prefix}: <{namespace}>\n"
            for declaration in shapes.objects(None, SH.declare)
            for prefix in shapes.objects(declaration, SH.prefix)
            for namespace in shapes.objects(declaration, SH.namespace)
        )
        self.seen: set[tuple[Node, Walk]] = set()

    def _components(self) -> dict[Node, list[Node]]:
        """Parameter predicate of each SHACL-SPARQL constraint component -> its validators."""
        found: dict[Node, list[Node]] = {}
        for component in self.shapes.subjects(RDF.type, SH.ConstraintComponent):
            validators = [
                v
                for kind in (SH.validator, SH.nodeValidator, SH.propertyValidator)
                for v in self.shapes.objects(component, kind)
            ]
            for parameter in self.shapes.objects(component, SH.parameter):
                predicate = self.shapes.value(parameter, SH.path)
                if predicate is not None:
                    found.setdefault(predicate, []).extend(validators)
        return found

    def node(self, shape: Node, prefix: Walk, depth: int = 0) -> None:
        """The walks of the value nodes reached by ``prefix`` checked against ``shape``."""
        if (shape, prefix) in self.seen:
            return
        self.seen.add((shape, prefix))
        if depth > 8:
            raise UnreadableShapes(f"shapes nested too deeply at {shape}")
        self.walks.add(prefix)
        shapes = self.shapes
        for predicate, value in shapes.predicate_objects(shape):
            if predicate == SH.property:
                self.property(value, prefix, depth + 1)
            elif predicate == SH["class"]:
                self.walks.add((*prefix, Step(TYPE, True)))
            elif predicate in (SH.node, SH["not"], SH.qualifiedValueShape):
                self.node(value, prefix, depth + 1)
            elif predicate in _SHAPE_LISTS:
                for member in Collection(shapes, value):
                    self.node(member, prefix, depth + 1)
            elif predicate in _COMPARED:
                if shapes.value(shape, SH.path) is None:  # a node shape: the node's values
                    self.walks.add((*prefix, Step(str(value), True)))
            elif predicate == SH.sparql or predicate in self.components:
                if shapes.value(shape, SH.path) is None:  # else: the property shape's own
                    self._sparql_of(shape, predicate, value, prefix, None)
            elif predicate in _TERM_ONLY or predicate == RDF.type:
                continue
            elif str(predicate).startswith(str(SH)):
                raise UnreadableShapes(f"{predicate} on {shape} is not followed")
            # other predicates (labels, comments, a component's parameters) read nothing

    def property(self, shape: Node, prefix: Walk, depth: int) -> None:
        path = self.shapes.value(shape, SH.path)
        if path is None:
            raise UnreadableShapes(f"a property shape without a path: {shape}")
        for compared in _COMPARED:
            for other in self.shapes.objects(shape, compared):
                self.walks.add((*prefix, Step(str(other), True)))
        for predicate, value in self.shapes.predicate_objects(shape):
            if predicate == SH.sparql or predicate in self.components:
                # $this is the focus of the property shape, $PATH its path
                self._sparql_of(shape, predicate, value, prefix, path)
        for walk in _steps(self.shapes, path):
            self.node(shape, prefix + walk, depth)

    def _sparql_of(
        self, shape: Node, predicate: Node, value: Node, prefix: Walk, path: Node | None
    ) -> None:
        if predicate == SH.sparql:
            self.sparql(value, prefix, path)
        else:
            for validator in self.components[predicate]:
                self.sparql(validator, prefix, path)

    def sparql(self, constraint: Node, prefix: Walk, path: Node | None) -> None:
        """The statements a SHACL-SPARQL query reads: only ``$this``'s own (one step from
        it, by a property, a path of properties or ``$PATH``) are followed."""
        text = self.shapes.value(constraint, SH.select) or self.shapes.value(constraint, SH.ask)
        if text is None:
            raise UnreadableShapes(f"a SPARQL constraint without a query: {constraint}")
        # imported here: the SPARQL parser's grammar costs 0.07 s to build, and the walks
        # are usually found in the cache (an incremental validate needs it only then)
        from rdflib.plugins.sparql import prepareQuery

        from collabkg.sparql_text import RDFLIB_PARSER

        try:
            with RDFLIB_PARSER:
                parsed = prepareQuery(self.prefixes + _with_rdf(str(text))).algebra
        except Exception as exc:  # pyparsing's errors have no common base worth naming
            raise UnreadableShapes(f"a SPARQL constraint not read: {exc}") from exc
        this, path_var = Variable("this"), Variable("PATH")
        for s, p, o in _patterns(parsed):
            if s == this and o == this:
                raise UnreadableShapes("a SPARQL pattern from $this to itself")
            if s != this and o != this:
                raise UnreadableShapes(f"a SPARQL pattern not on $this: {s} {p} {o}")
            forward = s == this
            if p == path_var:
                if path is None:
                    raise UnreadableShapes("$PATH outside a property shape")
                walks = _steps(self.shapes, path)
            else:
                walks = _sparql_steps(p)
            for walk in walks:
                if not forward:
                    walk = tuple(Step(x.predicate, not x.forward) for x in reversed(walk))
                self.walks.add(prefix + walk)


def _with_rdf(text: str) -> str:
    head = ""
    if "PREFIX rdf:" not in text:
        head += f"PREFIX rdf: <{RDF}>\n"
    if "PREFIX rdfs:" not in text:
        head += f"PREFIX rdfs: <{RDFS}>\n"
    return head + text


def _sparql_steps(p: object) -> list[Walk]:
    if isinstance(p, URIRef):
        return [(Step(str(p), True),)]
    if isinstance(p, InvPath):
        return [
            tuple(Step(x.predicate, not x.forward) for x in reversed(w))
            for w in _sparql_steps(p.arg)
        ]
    if isinstance(p, AlternativePath):
        return [w for arg in p.args for w in _sparql_steps(arg)]
    if isinstance(p, SequencePath):
        walks: list[Walk] = [()]
        for arg in p.args:
            walks = [a + b for a in walks for b in _sparql_steps(arg)]
        return walks
    if isinstance(p, MulPath) and p.mod == ZeroOrOne:
        return [(), *_sparql_steps(p.path)]
    if isinstance(p, Path):
        raise UnreadableShapes(f"a SPARQL path with no fixed length: {p}")
    raise UnreadableShapes(f"a SPARQL pattern with a variable property: {p}")


def _patterns(tree: object) -> Iterator[tuple[object, object, object]]:
    """Every triple pattern anywhere in a query's algebra (FILTER EXISTS included)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(tree, CompValue):
        for triple in dict.get(tree, "triples") or []:
            if not isinstance(triple, list | tuple) or len(triple) != 3:
                raise UnreadableShapes("a SPARQL block not read as triples")
            yield triple[0], triple[1], triple[2]
        for key, value in tree.items():
            if key != "triples":
                yield from _patterns(value)
    elif isinstance(tree, list | tuple):
        for value in tree:
            yield from _patterns(value)


def shape_walks(shapes: Graph) -> frozenset[Walk]:
    """Every walk any shape of ``shapes`` takes from a focus node (a target's own test
    included); raises :class:`UnreadableShapes` where a shape reads what is not followed."""
    reader = _Reader(shapes)
    focus_shapes: set[Node] = set()
    for kind in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        focus_shapes |= set(shapes.subjects(kind, None))
    focus_shapes |= set(shapes.subjects(RDF.type, SH.NodeShape)) & set(
        shapes.subjects(RDF.type, RDFS.Class)
    )
    for shape in shapes.subjects(SH.targetSubjectsOf, None):
        for p in shapes.objects(shape, SH.targetSubjectsOf):
            reader.walks.add((Step(str(p), True),))
    for shape in shapes.subjects(SH.targetObjectsOf, None):
        for p in shapes.objects(shape, SH.targetObjectsOf):
            reader.walks.add((Step(str(p), False),))
    reader.walks.add((Step(TYPE, True),))  # sh:targetClass (and implicit class targets)
    for shape in sorted(focus_shapes, key=str):
        if shapes.value(shape, SH.path) is not None:
            reader.property(shape, (), 0)
        else:
            reader.node(shape, ())
    return frozenset(w for w in reader.walks if w)


__all__ = ["Step", "UnreadableShapes", "Walk", "shape_walks"]
