"""Rules about single statements: a term in the wrong position (a class as a property,
a value after 'a'), text for a link and a link for text, links to nothing, items with no
type, two kinds that cannot go together, a property on the wrong kind of item.

Each statement of a file asked about goes through :data:`STATEMENT_RULES` in order; a rule
that settles a statement (returns True) hides it from the rules after it.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from collabkg.rdfterms import solutions
from collabkg.terms import CK, CKD, compact
from collabkg.validate.model import FileData, a, show
from collabkg.validate.report import Severity
from collabkg.validate.rules.base import (
    CKD_NS,
    REDUCED_GRAPH,
    Context,
    FileScan,
    GraphScope,
)
from collabkg.validate.rules.base import local_name as _local
from collabkg.validate.rules.checker import Checker, FileRule, StatementRule
from collabkg.validate.rules.hints import closest


def misused_as_property(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """A class or a value from a list written where a property belongs."""
    ont = chk.ont
    prop = str(p)
    if prop in ont.classes and prop not in ont.properties:
        line, column, width, also = chk.at_statement(item, s, p, prop)
        chk.result.bad_values.add(p)
        linking = chk.properties_to(prop, s)
        message = f"{compact(prop)} is a kind of thing (a class), not a property{also}"
        hint = (
            f"to say what kind of thing an item is, write 'a {compact(prop)}' "
            "(with 'a' in front); a property here would start with has… or is…"
        )
        if linking:
            message += f" — did you mean {compact(linking)}?"
            hint = (
                f"to link this item to {a(ont.label(prop))}, write {compact(linking)} "
                f"{show(o)} ; (to say what kind of thing an item is, write "
                f"'a {compact(prop)}' instead)"
            )
            # "no ck:hasPeriod" from the data model is this same mistake
            chk.result.bad_triples.add((s, URIRef(linking), None))
        else:
            message += "."
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.class-as-property",
            message,
            line=line,
            column=column,
            width=width,
            hint=hint,
            focus=s,
        )
        return True
    if prop in ont.concepts and prop not in ont.properties:
        line, column, width, also = chk.at_statement(item, s, p, prop)
        chk.result.bad_values.add(p)
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.value-as-property",
            f"{compact(prop)} is a value from a list, not a property{also}.",
            line=line,
            column=column,
            width=width,
            hint=chk.value_hint(prop),
            focus=s,
        )
        return True
    return False


def property_position_filter(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a class or a value used as a property."""
    return any(
        (p in ctx.classes or p in ctx.concepts) and p not in ctx.properties for p, _l in scan.kinds
    )


def disjoint_types(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """Two kinds that cannot go together (owl:disjointWith), possibly given in two files."""
    ont = chk.ont
    ws = chk.ws
    reported_clash = chk.reported.setdefault("disjoint-types", set())
    subject_types = ws.types.get(s, set())
    if p == RDF.type and s not in reported_clash and len(subject_types) > 1:
        clash = ont.clash(subject_types)
        if clash is not None:
            reported_clash.add(s)
            t1, t2, x, y = clash
            line = chk.term_line(item, s, p)
            why = (
                ""
                if {t1, t2} == {x, y}
                else (f" (nothing is both {a(ont.label(x))} and {a(ont.label(y))})")
            )
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.disjoint-types",
                "This item is given two kinds that cannot go together: "
                f"{a(ont.label(t1))} and {a(ont.label(t2))}{why}.",
                line=line,
                focus=s,
                path=p,
                hint="keep the one kind that fits; if they are two different things, "
                "give each its own ID",
            )
    return False


def disjoint_filter(scope: GraphScope) -> set[str]:
    """Pre-filter: the files giving a type to an item that has two kinds that clash."""
    reduced = f"<{REDUCED_GRAPH}>"
    multi: dict[str, set[str]] = {}
    nodes: dict[str, object] = {}
    for row in solutions(
        scope.store,
        "SELECT DISTINCT ?s ?t WHERE { GRAPH ?g { ?s a ?t } FILTER(?g != "
        + reduced
        + " && isIRI(?t)) FILTER EXISTS { GRAPH ?h { ?s a ?u } FILTER(?h != "
        + reduced
        + " && isIRI(?u) && ?u != ?t) } }",
    ):
        key = str(row["s"])
        nodes[key] = row["s"]
        multi.setdefault(key, set()).add(row["t"].value)
    found: set[str] = set()
    type_ = ox.NamedNode(str(RDF.type))
    for key, types in multi.items():
        if scope.ontology.clash(types) is not None:
            for quad in scope.store.quads_for_pattern(nodes[key], type_, None, None):  # type: ignore[arg-type]
                if isinstance(quad.graph_name, ox.NamedNode):
                    found.add(quad.graph_name.value)
    found.discard(REDUCED_GRAPH)
    return found


def type_values(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """What follows 'a': text, an ID, a property or a value instead of a class."""
    ont = chk.ont
    str(p)
    if p == RDF.type:
        if isinstance(o, Literal):
            chk.text_for_link(item, s, p, o)
            return True
        obj = str(o)
        if obj.startswith(str(CKD)) and obj not in ont.classes:
            # a kind written with the prefix of IDs: ckd:Charity for ck:Charity
            line, column, width, also = chk.at_statement(item, s, p, obj)
            chk.result.bad_values.add(o)
            ours = [c for c in ont.classes if c.startswith(str(CK))]
            written = str(CK) + _local(obj)
            guess = written if written in ours else closest(written, ours)
            message = (
                f"{compact(obj)} follows 'a', so it should be a kind of thing, but ckd: "
                f"is the prefix of item IDs{also}"
            )
            message += f" — did you mean {compact(guess)}?" if guess else "."
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.id-as-class",
                message,
                line=line,
                column=column,
                width=width,
                hint="kinds of things are written with ck: (a ck:Charity, a "
                "ck:LocalAuthority...; the kinds are listed in data/TEMPLATE.ttl); "
                "ckd: is only for the IDs you give items",
                focus=s,
            )
            return True
        if obj in ont.properties and obj not in ont.classes:
            line, column, width, also = chk.at_statement(item, s, p, obj)
            chk.result.bad_values.add(o)
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.property-as-class",
                f"{compact(obj)} is a property, not a kind of thing{also}: it cannot follow 'a'.",
                line=line,
                column=column,
                width=width,
                hint=f"write 'a' followed by a class such as ck:Charity, and use "
                f"{compact(obj)} as a property: {compact(obj)} <value> ;",
                focus=s,
            )
        elif obj in ont.concepts and obj not in ont.classes:
            line, column, width, also = chk.at_statement(item, s, p, obj)
            chk.result.bad_values.add(o)
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.value-as-class",
                f"{compact(obj)} is a value from a list, not a kind of thing{also}: it "
                "cannot follow 'a'.",
                line=line,
                column=column,
                width=width,
                hint=chk.value_hint(obj),
                focus=s,
            )
        return True
    return False


def type_values_filter(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: text after 'a', or an ID, a property or a value used as a class."""
    return scan.text_after_a or any(
        value not in ctx.classes
        and (value.startswith(CKD_NS) or value in ctx.properties or value in ctx.concepts)
        for value in scan.type_values
    )


def text_or_link(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """Text where a link belongs, a link where text belongs."""
    ont = chk.ont
    prop = str(p)
    if isinstance(o, Literal) and ont.is_object_property(prop):
        chk.text_for_link(item, s, p, o)
    elif isinstance(o, URIRef | BNode) and ont.is_datatype_property(prop):
        line = chk.term_line(item, s, p)
        chk.result.bad_triples.add((s, p, o))
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.link-for-text",
            f"{compact(prop)} takes text, a number or a date, but here it points to {show(o)}.",
            line=line,
            hint=f"write the value in double quotes, e.g. {compact(prop)} "
            '"…" ; (with ^^xsd:… for dates)',
            focus=s,
            path=p,
            value=o,
        )
    return False


def text_or_link_filter(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a literal given to an object property, or a node to a datatype one."""
    return any(
        (p in ctx.object_properties) if literal else (p in ctx.datatype_properties)
        for p, literal in scan.kinds
    )


def dangling_link(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """A link to an item (ckd:) described nowhere in the graph."""
    ws = chk.ws
    reported_dangling = chk.reported.setdefault("dangling", set())
    if (
        isinstance(o, URIRef)
        and str(o).startswith(str(CKD))
        and o not in ws.subjects
        and o not in chk.result.bad_values
        and (s, p, o) not in chk.result.bad_triples
        and str(o) not in reported_dangling
    ):
        reported_dangling.add(str(o))
        chk.result.bad_values.add(o)
        chk.undefined_item(item, s, p, o)
    return False


def dangling_filter(scope: GraphScope) -> set[str]:
    """Pre-filter: files linking to an ID no file (and not the ontology) describes."""
    return scope.files_where(lambda f: any(not scope.is_described(o) for o in f.links))


def wrong_domain(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """A property used on the wrong kind of item (its rdfs:domain): a warning."""
    ont = chk.ont
    ws = chk.ws
    prop = str(p)
    reported_domain = chk.reported.setdefault("wrong-domain", set())
    domain = ont.domain(prop) if ont.is_ours(prop) else []
    subject_types = ws.types.get(s, set())
    if (
        domain
        and subject_types
        and (s, p) not in reported_domain
        and not any(ont.is_a(subject_types, d) for d in domain)
        and any(t in ont.classes for t in subject_types)
    ):
        reported_domain.add((s, p))
        line = chk.term_line(item, s, p)
        kinds = " or ".join(a(ont.label(d)) for d in domain)
        hint = (
            "check the property (a similar one may fit this kind of item) or the "
            "item's type after 'a'"
        )
        linking = chk.properties_to(domain[0], s) if len(domain) == 1 else None
        if linking:
            # e.g. a start date on a funding stream: it belongs on its period
            hint = (
                f"{compact(prop)} belongs on {a(ont.label(domain[0]))}: describe "
                f"{a(ont.label(domain[0]))} ({compact(domain[0])}) with it, and link "
                f"this item to it with {compact(linking)} ckd:… ;"
            )
        chk.issue(
            item,
            Severity.WARNING,
            "vocabulary.wrong-domain",
            f"{compact(prop)} is meant for {kinds}, but this item is {a(ws.kind_of(s))}.",
            line=line,
            focus=s,
            path=p,
            hint=hint,
        )
    return False


def wrong_domain_local(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a property on an item whose kinds given here do not fit its domain."""
    for p, key in scan.uses:
        kinds = scan.types.get(key)
        if kinds and not any(ctx.is_a(kinds, d) for d in ctx.domains[p]):
            return True
    return False


def wrong_domain_graph(scope: GraphScope) -> set[str]:
    """Pre-filter: a property on an item whose kinds, given in other files, do not fit."""

    def misfit(p: str, s: str) -> bool:
        kinds = scope.kinds_of(s)
        return bool(kinds) and not any(scope.ctx.is_a(kinds, d) for d in scope.ctx.domains[p])

    return scope.files_where(lambda f: any(misfit(p, s) for p, s in f.domain_elsewhere))


def untyped_item(chk: Checker, item: FileData, s: Node, p: Node, o: Node) -> bool:
    """An item with no type anywhere in the graph."""
    ont = chk.ont
    ws = chk.ws
    reported_untyped = chk.reported.setdefault("untyped", set())
    subject_types = ws.types.get(s, set())
    if (
        isinstance(s, URIRef)
        and s not in reported_untyped
        and not subject_types
        and not ont.is_ours(str(s))
        and str(s) not in ont.defined
    ):
        reported_untyped.add(s)
        located = ws.locate(s)
        line = located[1] if located and located[0] is item else None
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.untyped-item",
            f"{show(s)} has no type, so nothing can check it or show it.",
            line=line,
            focus=s,
            hint="say what kind of thing it is with 'a', e.g. "
            f"{show(s)} a ck:Charity ; (see docs/modelling.md for the kinds)",
        )

    return False


def untyped_filter(scope: GraphScope) -> set[str]:
    """Pre-filter: items described in a file with a type in no file."""
    return scope.files_where(lambda f: any(not scope.kinds_of(s) for s in f.untyped))


STATEMENT_RULES: tuple[StatementRule, ...] = (
    StatementRule("misused-as-property", misused_as_property, local=property_position_filter),
    StatementRule("disjoint-types", disjoint_types, graph=disjoint_filter),
    StatementRule("type-values", type_values, local=type_values_filter),
    StatementRule("text-or-link", text_or_link, local=text_or_link_filter),
    StatementRule("dangling-link", dangling_link, graph=dangling_filter),
    StatementRule("wrong-domain", wrong_domain, local=wrong_domain_local, graph=wrong_domain_graph),
    StatementRule("untyped-item", untyped_item, graph=untyped_filter),
)
"""In the order they look at a statement."""


def check_statements(chk: Checker, item: FileData) -> None:
    """Every statement of ``item`` through :data:`STATEMENT_RULES`."""
    chk.reported = {}
    rules = [rule for rule in STATEMENT_RULES if chk.selects(rule.name, item)]
    if not rules:
        return
    for s, p, o in item.triples:
        for rule in rules:
            if rule.check(chk, item, s, p, o):
                break


STATEMENTS = FileRule("statements", check_statements)
"""The file-level unit that runs the statement rules (their pre-filters are their own)."""

__all__ = ["STATEMENTS", "STATEMENT_RULES"]
