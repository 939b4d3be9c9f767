"""Which items of a listing a change of the data can reach: the query read as walks.

A canned listing names the thing each row is about (its ``counts`` variable: a funding
stream, a collaboration). After a few case files change, the rows of most items are what
they were; :func:`plan_of` reads a query's triple patterns as a graph whose nodes are its
variables, and :func:`reached` finds, from the statement ends a change touched (subject or
object, property, IRI: :func:`collabkg.mentions.mentions_of`), the items whose rows
can differ, by following the query's own patterns over the graph as it is now.

Why that finds every such item: a row of item ``x`` is made of statements matched by the
query's patterns, joined through shared variables. When the change adds or removes a
statement ``d`` that one of those rows uses (or that an OPTIONAL, MINUS or NOT EXISTS of
it tests), take, along the patterns from ``x`` to ``d``, the changed statement nearest to
``x``: the statements between them are unchanged, so they are in the graph as it is now,
and the end of that statement facing ``x`` is one the change touched. Walking back from
every touched end along every path of patterns not through the pattern it matched reaches
``x``. This holds only for queries built so that a row's statements are joined through
variables bound on both sides; :func:`plan_of` refuses the others (None), and then the
whole answer is computed again:

- joins (group, OPTIONAL, MINUS, EXISTS, a sub-select) on no variable, or on one that may be
  unbound on a side, or bound by an expression (BIND, an aggregate);
- a sub-select aggregating without GROUP BY (a total over everything), or grouping by an
  expression; LIMIT or OFFSET anywhere; GRAPH, SERVICE; a variable as predicate, a negated
  property set;
- an item variable that is not certainly bound, or not grouped by at the top.

Three things keep the walks short, each sound by the same argument. The statements of one
solution are on one side of each UNION (or alternative of paths: ``p|q`` of properties is
one step), so no path goes through two sides of one (:func:`_paths`). A statement to a term
of the vocabularies (``?x a ck:Study``) has an end of its own naming the term (``t``, in
:func:`collabkg.mentions.mentions_of`): a change of ``?x a ck:Quote`` touches no pattern to
``ck:Study``. And an item reached that had no rows before is asked again only if it
matches the patterns of its own that every row of it matches (:func:`holds`): a new node
with a label is not an item of every listing that reads its item's label.

A statement whose object is a literal touches only its subject's end (an ``l`` end): where
the object side of a pattern it matches could be a literal leading to the item by another
path (a join on a literal), :func:`reached` gives up (None), as it does when more than
``limit`` items are reached or paths are too many to follow. Paths go through variables
only: a row's statements are joined through variables, so a path through a constant is
never needed (and would reach every item naming it).
"""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

from collabkg.answer_order import algebra_of
from collabkg.answers import counted_variable
from collabkg.mentions import VOCABULARIES

if TYPE_CHECKING:  # rdflib's SPARQL package takes 0.15-0.3 s to import: only when a query
    # is read (a plan is kept on disk by the query's text), not for every update
    from rdflib.plugins.sparql.parserutils import CompValue

_LOG = logging.getLogger(__name__)

Term = ox.NamedNode | ox.BlankNode | ox.Literal

MAX_PATHS = 256
"""Paths from one touched end to the item followed at most (then: computed again)."""
MAX_TERMS = 5_000
"""Terms one step of a walk may reach at most (then: computed again)."""


class Quads(Protocol):
    """What a walk reads: a store, or :class:`WithStatements`."""

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object_: Term | None,
        /,
    ) -> Iterator[ox.Quad]: ...


class WithStatements:
    """``store`` and ``triples`` read as one graph: one that holds the graph as it was before
    ``triples`` were removed from it, for :func:`reached_changed`."""

    def __init__(self, store: Quads, triples: Iterable[ox.Triple]) -> None:
        self._store = store
        self._from: dict[tuple[ox.NamedNode, object], list[ox.Triple]] = {}
        self._to: dict[tuple[ox.NamedNode, object], list[ox.Triple]] = {}
        self._all: list[ox.Triple] = []
        for t in triples:
            self._all.append(t)
            self._from.setdefault((t.predicate, t.subject), []).append(t)
            self._to.setdefault((t.predicate, t.object), []).append(t)

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object_: Term | None,
        /,
    ) -> Iterator[ox.Quad]:
        yield from self._store.quads_for_pattern(subject, predicate, object_)
        if predicate is not None and subject is not None:
            candidates = self._from.get((predicate, subject), [])
        elif predicate is not None and object_ is not None:
            candidates = self._to.get((predicate, object_), [])
        else:
            candidates = self._all
        for t in candidates:
            if (
                (subject is None or t.subject == subject)
                and (predicate is None or t.predicate == predicate)
                and (object_ is None or t.object == object_)
            ):
                yield ox.Quad(t.subject, t.predicate, t.object)


class _Unsupported(Exception):
    """The query is not one whose rows can be told apart by item."""


@dataclass(frozen=True)
class Step:
    """One triple pattern (or one step of a property path) of the query."""

    number: int
    subject: str
    """A node: a variable in its scope (``?name@scope``) or a constant (``=`` and its N3)."""
    object: str
    predicates: frozenset[str]
    closure: str = ""
    """``*``, ``+`` or ``?`` for a path repeated, else empty."""
    same: str | None = None
    """Not a pattern: the object node is the subject node's term (``BIND(?a AS ?b)``, a
    sub-select's ``(?a AS ?b)`` grouped by ``?a``), or, where the subject is unbound, this
    IRI (``BIND(COALESCE(?a, <iri>) AS ?b)``; "" when there is none). None: a pattern."""
    branches: frozenset[tuple[int, int]] = frozenset()
    """The branches it sits in: (a UNION or an alternative of paths, which side). A row is
    made on one side of each: no path goes through two sides of one."""
    optional: bool = True
    """In an OPTIONAL, MINUS or EXISTS: not matched in every solution (of its branches)."""
    groups: tuple[int, ...] = ()
    """The OPTIONAL, MINUS and EXISTS groups it sits in, outermost first: where a solution
    matches a step, it matches every step of the same groups (or of groups around them)
    that is in no other branch (:func:`reached_added`)."""


@dataclass
class Plan:
    """A query read as walks: its steps, and the node of the item variable."""

    item: str
    item_name: str
    steps: list[Step]
    never_literal: dict[int, set[str]] = field(default_factory=dict)
    """By step: the nodes that cannot be literals in a solution where the step matches."""
    by_predicate: dict[str, list[Step]] = field(default_factory=dict)
    around: dict[str, list[tuple[Step, bool, str]]] = field(default_factory=dict)
    """Each node's steps: (step, forwards from this node, the node at its other end)."""
    sides: dict[int, int] = field(default_factory=dict)
    """Each branch (UNION, alternative of paths): how many sides it has."""
    within: dict[int, tuple[int, int] | None] = field(default_factory=dict)
    """Each branch: the side of the branch it sits in (None: in none)."""


@dataclass
class _Part:
    certain: set[str]
    possible: set[str]
    patterns: bool
    subjects: set[str] = field(default_factory=set)
    """Nodes the subject of a pattern in every solution: never a literal."""


class _Reader:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.computed: set[str] = set()
        """Nodes bound by an expression (BIND, an aggregate)."""
        self.local: dict[int, set[str]] = {}
        """Each step's group's subjects (a node there is never a literal where it matches)."""
        self.alternative: set[int] = set()
        """Steps of an alternative of more than properties: a row matches only one side, so
        their subjects are not certainly subjects."""
        self._scopes = itertools.count(1)
        self._unions = itertools.count(1)
        self.branch: list[tuple[int, int]] = []
        """The branches the patterns being read sit in."""
        self.optional = 0
        """How deep in OPTIONALs, MINUSes and EXISTSes the patterns being read are."""
        self.groups: list[int] = []
        """Which OPTIONALs, MINUSes and EXISTSes (outermost first)."""
        self._groups = itertools.count(1)
        self.sides: dict[int, int] = {}
        """Each branch (UNION, alternative of paths): how many sides it has."""
        self.within: dict[int, tuple[int, int] | None] = {}
        """Each branch: the side of the branch it sits in (None: in none)."""
        self._fresh = itertools.count(1)

    # -- terms
    def node(self, term: object, scope: dict[str, str], number: int) -> str:
        if isinstance(term, Variable):
            return self.var(str(term), scope, number)
        if isinstance(term, BNode):
            return self.var(f"_b{term}", scope, number)
        if isinstance(term, URIRef | Literal):
            return "=" + term.n3()
        raise _Unsupported(f"a term {term!r}")

    @staticmethod
    def var(name: str, scope: dict[str, str], number: int) -> str:
        found = scope.get(name)
        if found is None:
            found = scope[name] = f"?{name}@{number}"
        return found

    def step(
        self, subject: str, predicates: Iterable[str], object_: str, closure: str = ""
    ) -> None:
        self.steps.append(
            Step(
                len(self.steps),
                subject,
                object_,
                frozenset(predicates),
                closure,
                branches=frozenset(self.branch),
                optional=self.optional > 0,
                groups=tuple(self.groups),
            )
        )

    def path(self, subject: str, path: object, object_: str, scope: int) -> set[str]:
        """Add a triple pattern's steps; returns the fresh nodes a sequence put between."""
        if isinstance(path, URIRef):
            self.step(subject, [str(path)], object_)
            return set()
        if isinstance(path, InvPath):
            return self.path(object_, path.arg, subject, scope)
        if isinstance(path, SequencePath):
            fresh: set[str] = set()
            here = subject
            for number, part in enumerate(path.args):
                there = object_
                if number < len(path.args) - 1:
                    there = f"?_seq{next(self._fresh)}@{scope}"
                    fresh.add(there)
                fresh |= self.path(here, part, there, scope)
                here = there
            return fresh
        if isinstance(path, AlternativePath):
            if all(isinstance(part, URIRef) for part in path.args):
                # one step, as a row matches one of them: two steps between the same nodes
                # would make a way back through the other (every item of a shared end)
                self.step(subject, [str(part) for part in path.args], object_)
                return set()
            first = len(self.steps)
            fresh = set()
            union = self.union(len(path.args))
            for side, part in enumerate(path.args):
                self.branch.append((union, side))
                fresh |= self.path(subject, part, object_, scope)
                self.branch.pop()
            self.alternative.update(range(first, len(self.steps)))
            return fresh
        if isinstance(path, MulPath):
            inner = path.path
            names = inner.args if isinstance(inner, AlternativePath) else [inner]
            if not all(isinstance(name, URIRef) for name in names):
                raise _Unsupported("a repeated path of more than properties")
            self.step(subject, [str(n) for n in names], object_, path.mod)
            return set()
        if isinstance(path, NegatedPath | Path):
            raise _Unsupported("a negated property set")
        raise _Unsupported("a variable as predicate")

    def union(self, sides: int) -> int:
        """A new branch of ``sides`` sides, within the branch being read."""
        union = next(self._unions)
        self.sides[union] = sides
        self.within[union] = self.branch[-1] if self.branch else None
        return union

    # -- patterns
    def part(self, node: CompValue, scope: dict[str, str], number: int) -> _Part:
        name = node.name
        if name == "BGP":
            return self.bgp(node.triples, scope, number)
        if name in ("Join", "LeftJoin", "Minus"):
            if name == "LeftJoin" and _has_exists(node.expr):
                raise _Unsupported("EXISTS in an OPTIONAL's filter")
            a = self.part(node.p1, scope, number)
            if name != "Join":
                self.optional += 1
                self.groups.append(next(self._groups))
            b = self.part(node.p2, scope, number)
            if name != "Join":
                self.optional -= 1
                self.groups.pop()
            self.joined(a, b)
            if name == "Join":
                return _Part(
                    a.certain | b.certain, a.possible | b.possible, True, a.subjects | b.subjects
                )
            if name == "LeftJoin":
                return _Part(a.certain, a.possible | b.possible, True, a.subjects)
            return a
        if name == "Union":
            union = self.union(2)
            self.branch.append((union, 0))
            a = self.part(node.p1, scope, number)
            self.branch[-1] = (union, 1)
            b = self.part(node.p2, scope, number)
            self.branch.pop()
            return _Part(
                a.certain & b.certain,
                a.possible | b.possible,
                a.patterns or b.patterns,
                a.subjects & b.subjects,
            )
        if name == "Filter":
            inner = self.part(node.p, scope, number)
            self.tested(inner, node.expr, scope, number)
            return inner
        if name == "Extend":
            inner = self.part(node.p, scope, number)
            self.tested(inner, node.expr, scope, number)
            alias = _alias(node.expr)
            bound = self.var(str(node.var), scope, number)
            if alias is not None and bound not in inner.possible:
                names, fallback = alias
                sources = [self.var(name, scope, number) for name in names]
                if all(n in inner.possible and n not in self.computed for n in sources):
                    for source in sources:  # the term is one of theirs (or the fallback's)
                        self.steps.append(
                            Step(
                                len(self.steps),
                                source,
                                bound,
                                frozenset(),
                                same=fallback,
                                branches=frozenset(self.branch),
                            )
                        )
                    certain = fallback != "" or any(n in inner.certain for n in sources)
                    return _Part(
                        inner.certain | ({bound} if certain else set()),
                        inner.possible | {bound},
                        inner.patterns,
                        inner.subjects,
                    )
            self.computed.add(bound)
            return _Part(inner.certain, inner.possible | {bound}, inner.patterns, inner.subjects)
        if name in ("Distinct", "Reduced", "OrderBy"):
            return self.part(node.p, scope, number)
        if name == "ToMultiSet":
            if node.p.name == "values":
                return self.values(node.p.res, scope, number)
            return self.subselect(node.p, scope, number)
        if name == "values":
            return self.values(node.res, scope, number)
        raise _Unsupported(f"{name}")

    def bgp(
        self, triples: list[tuple[object, object, object]], scope: dict[str, str], number: int
    ) -> _Part:
        nodes: set[str] = set()
        parent: dict[str, str] = {}
        first_step = len(self.steps)

        def root(n: str) -> str:
            while parent.get(n, n) != n:
                n = parent[n]
            return n

        for s, p, o in triples:
            a, b = self.node(s, scope, number), self.node(o, scope, number)
            fresh = self.path(a, p, b, number)
            ends = {n for n in (a, b, *fresh) if not n.startswith("=")}
            if not ends:
                raise _Unsupported("a pattern without a variable")
            first = next(iter(ends))
            for n in ends:
                parent[root(n)] = root(first)
            nodes |= ends
        if len({root(n) for n in nodes}) > 1:
            raise _Unsupported("patterns joined on no variable")
        # a pattern may read a variable bound by an expression (or an aggregate) elsewhere:
        # the join that meets it must also join on a variable bound by a pattern on both
        # sides (:meth:`joined`), so that its statements lead to the item through patterns
        added = self.steps[first_step:]
        for step in added:  # ``?a p* ?b`` alone matches every node of the graph with itself
            if step.closure in ("*", "?") and not any(
                end.startswith("=")
                or any(
                    other is not step
                    and other.closure in ("", "+")
                    and end in (other.subject, other.object)
                    for other in added
                )
                for end in (step.subject, step.object)
            ):
                raise _Unsupported(
                    "a path of length zero between two variables bound by nothing else"
                )
        subjects = {step.subject for step in added if step.number not in self.alternative}
        for step in added:
            self.local[step.number] = subjects
        return _Part(set(nodes), set(nodes), bool(triples), subjects & nodes)

    def values(
        self, rows: list[dict[Variable, object]], scope: dict[str, str], number: int
    ) -> _Part:
        names = {str(v) for row in rows for v in row}
        certain = {n for n in names if all(Variable(n) in row for row in rows)}
        nodes = {n: self.var(n, scope, number) for n in names}
        return _Part({nodes[n] for n in certain}, set(nodes.values()), False)

    def joined(self, a: _Part, b: _Part) -> None:
        """Two parts joined: on variables bound by patterns on both sides (a walk goes from
        one side's statements to the other's through them), and on variables bound by an
        expression only beside such a variable. Such a variable (inferences' kind, a sample
        of the item's types, read again by a pattern) only narrows the join: the statements
        of a solution still meet through the other; joined on it alone, a pattern reading it
        would be reached from nothing but the expression, which a walk cannot go back
        through."""
        shared = a.possible & b.possible
        if a.patterns and b.patterns and not shared:
            raise _Unsupported("a join on no variable")
        key = shared - self.computed
        if not key <= (a.certain & b.certain):
            raise _Unsupported(
                f"a join on a variable that may be unbound: {key - (a.certain & b.certain)}"
            )
        if shared & self.computed and not key:
            raise _Unsupported("a join on a variable bound by an expression alone")

    def tested(self, inner: _Part, expr: object, scope: dict[str, str], number: int) -> None:
        """The patterns of an expression's EXISTS, joined to the part they test."""
        self.optional += 1
        for graph in _exists(expr):
            self.groups.append(next(self._groups))
            self.joined(inner, self.part(graph, scope, number))
            self.groups.pop()
        self.optional -= 1

    def grouped(
        self, names: set[str], scope: dict[str, str], number: int, part: _Part, shared: set[str]
    ) -> None:
        """A group's members must be joined through a variable bound by a pattern in every
        one of them (and seen outside: ``shared``); the other keys may be computed, or
        unbound in some solutions (those then form groups of their own, each still about
        one term of the joining key)."""
        nodes = {n: self.var(n, scope, number) for n in names}
        if not any(nodes[n] in part.certain and nodes[n] not in self.computed for n in shared):
            raise _Unsupported("no group key bound by a pattern")

    def subselect(self, node: CompValue, outer: dict[str, str], outer_number: int) -> _Part:
        while node.name in ("Distinct", "Reduced", "OrderBy"):
            node = node.p
        if node.name != "Project":
            raise _Unsupported(f"a sub-select's {node.name}")
        projected = {str(v) for v in node.PV}
        body, grouped = _below_aggregates(node.p)
        number = next(self._scopes)
        # each variable of the sub-select seen outside, and the name it is seen by
        seen_as = {name: name for name in (projected if grouped is None else projected & grouped)}
        if grouped is not None:  # ``(?key AS ?other)`` of a key grouped by: the same term
            for name, key in _renamed_keys(node.p, grouped).items():
                if name in projected and key not in seen_as:
                    seen_as[key] = name
        outside = {name: self.var(name, outer, outer_number) for name in projected}
        inner = {key: outside[name] for key, name in seen_as.items()}
        part = self.part(body, inner, number)
        if grouped is not None:
            self.grouped(grouped, inner, number, part, set(seen_as))
        for name in projected - set(seen_as.values()):  # an aggregate or an expression
            self.computed.add(outside[name])
        certain = {inner[key] for key in seen_as if inner[key] in part.certain}
        subjects = {inner[key] for key in seen_as if inner[key] in part.subjects}
        return _Part(certain, set(outside.values()), part.patterns, subjects)


def _below_aggregates(node: CompValue) -> tuple[CompValue, set[str] | None]:
    """The pattern under a (sub-)select's aggregation and the variables grouped by (None:
    no aggregation; HAVING is a filter on each group)."""
    top = node
    exists = False
    while node.name in ("Extend", "Filter"):
        exists = exists or _has_exists(node.expr)
        node = node.p
    if node.name != "AggregateJoin":
        return top, None  # BINDs and FILTERs of the pattern itself
    if exists:
        raise _Unsupported("EXISTS in a projected expression or HAVING")
    group = node.p
    if group.name != "Group" or not group.expr:
        raise _Unsupported("an aggregate over everything")
    if not all(isinstance(e, Variable) for e in group.expr):
        raise _Unsupported("grouped by an expression")
    return group.p, {str(e) for e in group.expr}


def _renamed_keys(node: CompValue, grouped: set[str]) -> dict[str, str]:
    """The names a (sub-)select gives keys it groups by (``(?key AS ?name)``, which rdflib
    reads as the ``SAMPLE`` of the key): name -> key."""
    renames: dict[str, str] = {}
    while node.name in ("Extend", "Filter"):
        if node.name == "Extend" and isinstance(node.expr, Variable):
            renames[str(node.var)] = str(node.expr)
        node = node.p
    if node.name != "AggregateJoin":
        return {}
    sampled = {
        str(agg.res): str(agg.vars)
        for agg in node.A
        if agg.name == "Aggregate_Sample" and isinstance(agg.vars, Variable)
    }
    found: dict[str, str] = {}
    for name, source in renames.items():
        key = sampled.get(source, source)
        if key in grouped and name not in grouped:
            found[name] = key
    return found


def _alias(expr: object) -> tuple[list[str], str] | None:
    """The variables whose term a BIND gives, and the IRI it gives when they are all
    unbound ("": none): ``BIND(?a AS ?b)``: (["a"], ""); ``BIND(COALESCE(?a, ?c) AS ?b)``:
    (["a", "c"], ""); ``BIND(COALESCE(?a, <iri>) AS ?b)``: (["a"], iri); else None."""
    if isinstance(expr, Variable):
        return [str(expr)], ""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not (isinstance(expr, CompValue) and expr.name == "Builtin_COALESCE"):
        return None
    args = list(expr.arg) if isinstance(expr.arg, list) else []
    fallback = ""
    if args and isinstance(args[-1], URIRef) and str(args[-1]):
        fallback = str(args.pop())
    if not args or not all(isinstance(arg, Variable) for arg in args):
        return None
    return [str(arg) for arg in args], fallback


def _exists(expr: object) -> Iterator[CompValue]:
    """The patterns of the EXISTS and NOT EXISTS in an expression."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(expr, CompValue):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            yield expr.graph
            return
        for value in expr.values():
            yield from _exists(value)
    elif isinstance(expr, list | tuple):
        for value in expr:
            yield from _exists(value)


def _has_exists(expr: object) -> bool:
    return next(_exists(expr), None) is not None


@functools.lru_cache(maxsize=128)
def plan_of(query: str, item: str) -> Plan | None:
    """``query`` read as walks to its item variable ``item``; None when its rows cannot be
    told apart by item (see the module docstring)."""
    algebra = algebra_of(query)
    if algebra is None:
        return None
    try:
        return _plan(algebra, item)
    except _Unsupported:
        return None


def _plan(algebra: CompValue, item: str) -> Plan:
    if algebra.name != "SelectQuery":
        raise _Unsupported("not a SELECT")
    node = algebra.p
    while node.name in ("Distinct", "Reduced"):
        node = node.p
    if node.name != "Project" or item not in {str(v) for v in node.PV}:
        raise _Unsupported("the item is not in the answer")
    node = node.p
    while node.name == "OrderBy":
        node = node.p
    body, grouped = _below_aggregates(node)
    if grouped is not None and item not in grouped:
        raise _Unsupported("the item is not grouped by")
    reader = _Reader()
    scope: dict[str, str] = {}
    part = reader.part(body, scope, 0)
    target = scope.get(item)
    if target is None or target not in part.certain or target in reader.computed:
        raise _Unsupported("the item may be unbound")
    if grouped is not None:
        reader.grouped(grouped, scope, 0, part, {item})
    plan = Plan(target, item, reader.steps, sides=reader.sides, within=reader.within)
    plan.never_literal = {
        step.number: reader.local.get(step.number, set()) | part.subjects for step in reader.steps
    }
    for step in reader.steps:
        for predicate in step.predicates:
            plan.by_predicate.setdefault(predicate, []).append(step)
        plan.around.setdefault(step.subject, []).append((step, True, step.object))
        plan.around.setdefault(step.object, []).append((step, False, step.subject))
    reachable = {target}
    frontier = [target]
    while frontier:
        here = frontier.pop()
        for _step, _forwards, there in plan.around.get(here, ()):
            if there not in reachable and not there.startswith("="):
                reachable.add(there)
                frontier.append(there)
    if any(s.subject not in reachable and s.object not in reachable for s in reader.steps):
        raise _Unsupported("a pattern not joined to the item")
    return plan


# ---------------------------------------------------------------- walking the graph


class _TooMany(Exception):
    pass


def _paths(plan: Plan, start: str, avoid: Step) -> list[list[tuple[Step, bool, str]]]:
    """Every simple path of steps from ``start`` to the item, not through ``avoid``, and on
    the same side of each branch as ``avoid`` and as each other (the statements of one
    solution join the changed one to the item: a solution is made on one side)."""
    found: list[list[tuple[Step, bool, str]]] = []
    if start == plan.item:
        found.append([])
    trail: list[tuple[Step, bool, str]] = []
    seen = {start}
    sides: dict[int, tuple[int, int]] = {union: (side, 1) for union, side in avoid.branches}
    """Each branch the path is in: its side, and how many of the path's steps hold it."""

    def go(here: str) -> None:
        for step, forwards, there in plan.around.get(here, ()):
            if step is avoid or there in seen:
                continue
            if any(sides.get(union, (side, 0))[0] != side for union, side in step.branches):
                continue  # the other side of a branch the path is in
            for union, side in step.branches:
                sides[union] = (side, sides.get(union, (side, 0))[1] + 1)
            trail.append((step, forwards, there))
            if there == plan.item:
                found.append(list(trail))
                if len(found) > MAX_PATHS:
                    raise _TooMany
            elif not there.startswith("="):
                seen.add(there)
                go(there)
                seen.discard(there)
            trail.pop()
            for union, _side in step.branches:
                side, held = sides[union]
                if held == 1:
                    del sides[union]
                else:
                    sides[union] = (side, held - 1)

    go(start)
    return found


class _Paths:
    """:func:`_paths` of one plan, each worked out once (a change's statements meet the same
    steps again and again: 976 enumerations, 0.12 s, for one deleted case at 1M)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._found: dict[tuple[str, int], list[list[tuple[Step, bool, str]]]] = {}

    def __call__(self, start: str, avoid: Step) -> list[list[tuple[Step, bool, str]]]:
        key = (start, avoid.number)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = _paths(self.plan, start, avoid)
        return found


def _follow(
    store: Quads, terms: set[Term], step: Step, forwards: bool, *, reflexive: bool = False
) -> set[Term]:
    """The terms one step (a repeated path: every length it allows) from ``terms``;
    ``reflexive``: length zero too, whatever the path allows."""
    if step.same is not None:  # the same term on both sides, but for an unbound one's stand-in
        if step.same and ox.NamedNode(step.same) in terms:
            raise _TooMany  # a stand-in for no term: which rows it joins cannot be walked back
        return set(terms)
    predicates = [ox.NamedNode(p) for p in step.predicates]
    out: set[Term] = set()

    def one(frontier: set[Term]) -> set[Term]:
        found: set[Term] = set()
        for term in frontier:
            for predicate in predicates:
                if not forwards:
                    quads = store.quads_for_pattern(None, predicate, term)
                elif isinstance(term, ox.Literal):
                    continue  # a literal is the subject of nothing
                else:
                    quads = store.quads_for_pattern(term, predicate, None)
                for quad in quads:
                    end = quad.object if forwards else quad.subject
                    if not isinstance(end, ox.Triple):
                        found.add(end)
                        if len(found) > MAX_TERMS:
                            raise _TooMany  # through a node most items share: not worth it
        return found

    if not step.closure:
        return one(terms)
    if reflexive or step.closure in ("*", "?"):
        out |= terms
    frontier = one(terms)
    out |= frontier
    while step.closure != "?" and frontier:
        frontier = one(frontier) - out
        out |= frontier
    return out


def reached(
    plan: Plan,
    ends: Iterable[tuple[str, str, str]],
    store: Quads,
    limit: int,
    *,
    to_terms: Collection[tuple[str, str, str]] | None = None,
    paths: _Paths | None = None,
) -> set[ox.NamedNode] | None:
    """The items whose rows the touched statement ends can change, found over ``store`` (the
    graph as it is now); None when that cannot be told or they are more than ``limit``.
    ``to_terms``: the changed statements to a term of the vocabularies (property, IRI,
    term), when known: an ``s`` end then touches a pattern to such a term only if one of
    them is to that term. ``paths``: the plan's paths as worked out so far."""
    paths_of = paths if paths is not None else _Paths(plan)
    items: set[Term] = set()
    try:
        for role, predicate, iri in ends:
            literal = role == "l"  # statements with a literal object: their subject's end
            for step in plan.by_predicate.get(predicate, ()):
                if role == "s" and to_terms is not None and _to_other_term(step, iri, to_terms):
                    continue
                start = step.object if role == "o" else step.subject
                other = step.subject if role == "o" else step.object
                if (
                    literal
                    and not other.startswith("=")
                    and other not in plan.never_literal[step.number]
                    and paths_of(other, step)
                ):
                    _LOG.debug("%s: a literal of %s may be joined on", plan.item_name, predicate)
                    return None  # its object may be a literal joined on by another path
                if start.startswith("="):
                    continue  # a path enters a pattern at a variable: the other end's
                at: set[Term] = {ox.NamedNode(iri)}
                if step.closure:  # the statement may sit anywhere in the chain, or be all of it
                    at = _follow(store, at, step, role == "o", reflexive=True)
                for path in paths_of(start, step):
                    items |= _walk(store, at, path)
                    if len(items) > limit:
                        _LOG.debug("%s: more than %d items", plan.item_name, limit)
                        return None
    except _TooMany:
        _LOG.debug("%s: too many paths", plan.item_name)
        return None
    return _items(items)


def _walk(store: Quads, at: set[Term], path: list[tuple[Step, bool, str]]) -> set[Term]:
    """The terms at the end of ``path`` from ``at``."""
    terms = at
    for along, forwards, _there in path:
        terms = _follow(store, terms, along, forwards)
        if not terms:
            break
    return terms


def _items(found: set[Term]) -> set[ox.NamedNode] | None:
    """The items found, when every one is an IRI (else None: a row about a literal or a
    blank node cannot be asked about)."""
    if any(not isinstance(t, ox.NamedNode) for t in found):
        return None
    return {t for t in found if isinstance(t, ox.NamedNode)}


def _certain(along: Step, changed: Step) -> bool:
    """Whether every solution that matches ``changed`` also matches ``along``: a pattern (not
    a stand-in's equality) in no branch ``changed`` is not in, and in no OPTIONAL, MINUS or
    EXISTS group but those around ``changed``."""
    return (
        along.same is None
        and along.branches <= changed.branches
        and along.groups == changed.groups[: len(along.groups)]
    )


def reached_added(
    plan: Plan,
    added: Iterable[ox.Triple],
    store: Quads,
    limit: int,
) -> set[ox.NamedNode] | None:
    """The items whose rows the changed statements ``added`` can change, found over
    ``store``, a graph that holds every statement of every row before and after the change
    (the graph as it is now when statements were only added; the union of the two graphs in
    :func:`reached_changed`, which passes the removed statements here too): like
    :func:`reached`, but each statement is followed from both its ends at once. A row that
    changed matches a changed statement at some step and matches, in ``store``, every step
    that any solution matching that step matches (:func:`_certain`); so its item is at the end
    of every walk from the statement's two ends along such steps only, and the items are
    those common to all of them (where there is none, every walk's, as :func:`reached`
    gives them). A shared source cited by the new statements no longer leads back to every
    item citing it. None when that cannot be told or they are more than ``limit``."""
    paths_of = _Paths(plan)
    items: set[Term] = set()
    try:
        for triple in added:
            subject, predicate, object_ = triple.subject, triple.predicate, triple.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(
                object_, ox.NamedNode | ox.Literal
            ):
                return None  # a blank node's name belongs to one load: not found in the store
            for step in plan.by_predicate.get(predicate.value, ()):
                if any(
                    node.startswith("=") and node != "=" + _n3(term)
                    for node, term in ((step.subject, subject), (step.object, object_))
                    if not step.closure
                ):
                    continue  # a constant the statement does not have: not matched here
                common: set[Term] | None = None
                for node, term, forwards in (
                    (step.subject, subject, False),
                    (step.object, object_, True),
                ):
                    if node.startswith("="):
                        continue
                    at: set[Term] = {term}
                    if step.closure:  # the statement anywhere in the chain
                        at = _follow(store, at, step, forwards, reflexive=True)
                    for path in paths_of(node, step):
                        if not all(_certain(along, step) for along, _f, _t in path):
                            continue
                        terms = _walk(store, at, path)
                        common = terms if common is None else common & terms
                if common is None:  # no walk every such row takes: each one's items
                    found = reached(plan, _ends_of(triple), store, limit, paths=paths_of)
                    if found is None:
                        return None
                    common = set(found)
                items |= common
                if len(items) > limit:
                    _LOG.debug("%s: more than %d items", plan.item_name, limit)
                    return None
    except _TooMany:
        _LOG.debug("%s: too many paths", plan.item_name)
        return None
    return _items(items)


def reached_changed(
    plan: Plan,
    added: Sequence[ox.Triple],
    removed: Sequence[ox.Triple],
    store: ox.Store,
    limit: int,
) -> set[ox.NamedNode] | None:
    """The items whose rows a change can change that added the statements ``added`` and
    removed ``removed`` (``store`` is the graph as it is now): a case file edited, added or
    deleted. The graph before the change is within ``store`` with ``removed``
    (:class:`WithStatements`), and so is the graph after it: a row that changed matches,
    in the graph before or in the graph after, a statement that is in one and not the other,
    and every step any solution matching that statement's step matches, all within that
    union. So :func:`reached_added`'s argument holds over the union for every statement of
    either list: each is followed from both its ends over it. The lists may hold more than
    the change (a statement another file also has, whose removal changed nothing): that only
    walks more. A deleted case's quotation of a shared source, or an edit that moves a
    case's statements from one shared source to another, no longer leads back to every item
    citing those sources."""
    return reached_added(plan, [*added, *removed], WithStatements(store, removed), limit)


def _n3(term: Term) -> str:
    """A constant term as the plan writes it (rdflib's N3)."""
    from collabkg.rdfterms import to_rdflib

    return str(to_rdflib(term).n3())


def _ends_of(triple: ox.Triple) -> list[tuple[str, str, str]]:
    """A statement's ends, as :func:`collabkg.mentions.mentions_of` names them."""
    predicate = triple.predicate.value
    ends = []
    if isinstance(triple.subject, ox.NamedNode):
        role = "l" if isinstance(triple.object, ox.Literal) else "s"
        ends.append((role, predicate, triple.subject.value))
    if isinstance(triple.object, ox.NamedNode):
        ends.append(("o", predicate, triple.object.value))
    return ends


def _to_other_term(step: Step, iri: str, to_terms: Collection[tuple[str, str, str]]) -> bool:
    """Whether ``step`` reads a statement from ``iri`` to a term of the vocabularies that no
    changed statement of its property from ``iri`` is to."""
    if not step.object.startswith("=<") or step.closure:
        return False
    term = step.object[2:-1]
    return term.startswith(VOCABULARIES) and not any(
        (predicate, iri, term) in to_terms for predicate in step.predicates
    )


def holds(plan: Plan, item: ox.NamedNode, store: ox.Store) -> bool:
    """Whether ``item`` matches, in ``store``, the patterns of its own that each row of it
    matches: those in no OPTIONAL, MINUS or EXISTS (``?x a ck:Study``, ``?x ck:hasFunder
    ?f``), and in a UNION, those of one side or another (branches within branches too). An
    item reached that does not, and had no rows before, has none now either: nothing to ask
    again."""
    failed: dict[int, set[int]] = {}
    """By branch: the sides the item cannot match."""
    for step, forwards, other in plan.around.get(plan.item, ()):
        if step.optional or step.closure or step.same is not None:
            continue
        term = _constant(other)
        subject, object_ = (item, term) if forwards else (term, item)
        if any(
            next(store.quads_for_pattern(subject, ox.NamedNode(p), object_), None) is not None
            for p in step.predicates
        ):
            continue
        if not step.branches:
            return False
        union, side = max(step.branches, key=lambda branch: _depth(plan, branch[0]))
        failed.setdefault(union, set()).add(side)
    for union in sorted(plan.sides, key=lambda union: -_depth(plan, union)):
        if len(failed.get(union, ())) == plan.sides[union]:  # no side can be matched
            within = plan.within.get(union)
            if within is None:
                return False
            failed.setdefault(within[0], set()).add(within[1])
    return True


def _depth(plan: Plan, union: int) -> int:
    """How many branches ``union`` sits in."""
    depth = 0
    within = plan.within.get(union)
    while within is not None:
        depth += 1
        within = plan.within.get(within[0])
    return depth


def _constant(node: str) -> ox.NamedNode | None:
    """A node's IRI when it is a constant IRI (else None: any term)."""
    return ox.NamedNode(node[2:-1]) if node.startswith("=<") else None


@functools.lru_cache(maxsize=128)
def plan_for(query: str) -> Plan | None:
    """``query`` read as walks to the variable its rows are about: the one its metadata
    counts (``#+ counts: {variable: ...}``), else the first variable of the answer that is
    the subject of a pattern and for which :func:`plan_of` can tell rows apart."""
    algebra = algebra_of(query)
    if algebra is None:
        return None
    projected = [str(v) for v in algebra.get("PV") or []]
    counted = counted_variable(query)
    candidates = ([counted] if counted else []) + projected
    for name in dict.fromkeys(candidates):
        plan = plan_of(query, name)
        if plan is not None and plan.item in {step.subject for step in plan.steps}:
            return plan
    return None
