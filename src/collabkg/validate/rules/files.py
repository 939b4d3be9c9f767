"""Rules about a file as a whole and about items several files describe: a file with no
collabkg data, a case file with no case or several, a case ID not named after its file;
the same case ID in two files; an item two files give different kinds or names."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from collabkg.rdfterms import solutions
from collabkg.terms import CK, compact
from collabkg.validate.model import FileData, a, show
from collabkg.validate.report import Severity
from collabkg.validate.rules.base import (
    CASE,
    ORG_MEMBERSHIP,
    OUR_TERMS,
    REDUCED_GRAPH,
    Context,
    FileScan,
    GraphScope,
    is_case_file,
)
from collabkg.validate.rules.base import local_name as _local
from collabkg.validate.rules.checker import Checker, FileRule, GraphRule
from collabkg.validate.rules.hints import PLACEHOLDER


def content_filter(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: no collabkg type at all; in a case file, not exactly one case, or a case
    ID not named after the file."""
    if not any(t.startswith(OUR_TERMS) or t == ORG_MEMBERSHIP for t in scan.own_types):
        return True
    parsed = scan.parsed
    if not ctx.case_rules or not is_case_file(parsed.display, parsed.path):
        return False
    if len(scan.cases) != 1:
        return True
    return parsed.display.startswith("data/cases/") and (
        _local(next(iter(scan.cases))) != f"case-{parsed.path.stem}"
    )


def check_content_rule(chk: Checker, item: FileData) -> None:
    if not chk.wrong_ns:  # the file's terms are all misread: said by the prefixes rule
        check_file_content(chk, item)


def check_file_content(chk: Checker, item: FileData) -> None:
    own_types = {str(o) for s, p, o in item.triples if p == RDF.type}
    ours = [t for t in own_types if chk.ont.is_ours(t) or t == str(ORG.Membership)]
    if not ours:
        namespaces = sorted(
            {compact(str(p)).split(":")[0] for _s, p, _o in item.triples if ":" in compact(str(p))}
        )
        uses = (
            f" It uses {', '.join(n + ':' for n in namespaces[:6])} terms."
            if namespaces and "ck" not in namespaces
            else ""
        )
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.no-collabkg-data",
            "This file has no collabkg data: nothing in it has a collabkg type ('a ck:…')." + uses,
            line=1,
            hint="a case file describes items with types such as ck:Case, "
            "ck:Collaboration, ck:Charity (copy data/TEMPLATE.ttl); check it is the right "
            "file",
        )
        return
    if not chk.case_rules or not _is_case_file(chk, item):
        return
    cases = sorted({s for s, p, o in item.triples if p == RDF.type and str(o) == CASE}, key=str)
    if not cases:
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.no-case",
            "This case file has no case item: every case file needs one ck:Case.",
            line=1,
            hint="add (see data/TEMPLATE.ttl): ckd:case-<file name> a ck:Case ; rdfs:label "
            '"…" ; ck:isAbout ckd:<the collaboration> ; prov:wasDerivedFrom ckd:src-… .',
        )
    elif len(cases) > 1:
        index = item.parsed.index
        lines = [index.subject_line(str(c)) for c in cases]
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.several-cases",
            f"This file has {len(cases)} case items ("
            + ", ".join(show(c) for c in cases)
            + "); a case file has exactly one ck:Case.",
            line=lines[1],
            hint="keep one ck:Case per file: split the file in two, or list everything the "
            "case is about with ck:isAbout on one case",
        )
    elif item.display.startswith("data/cases/"):
        expected = f"case-{item.parsed.path.stem}"
        local = _local(str(cases[0]))
        if local != expected and PLACEHOLDER not in local.upper():
            chk.issue(
                item,
                Severity.WARNING,
                "vocabulary.case-id-not-file-name",
                f"The case ID {show(cases[0])} does not match the file name "
                f"{item.parsed.path.name}: a case's ID is ckd:case- followed by the name "
                "of its file, so that two cases never get the same ID.",
                line=item.parsed.index.subject_line(str(cases[0])),
                focus=cases[0],
                hint=f"rename the case to ckd:{expected} (everywhere it is used), or "
                f"rename the file to {local.removeprefix('case-')}.ttl",
            )


def _is_case_file(chk: Checker, item: FileData) -> bool:
    return is_case_file(item.display, item.parsed.path)


def shared_filter(scope: GraphScope) -> set[str]:
    """Pre-filter: the files giving a type to an item that another file types too, and the
    files that only add statements to an item another file types (with that file).

    The second part reads what each file's worker found (:attr:`Facts.untyped`: items a file
    says something of without typing them, almost always none) and looks up only those in
    the store: grouping every statement of the graph by subject instead cost 9–30 s at a
    million triples, where grouping the types costs 8."""
    reduced = f"<{REDUCED_GRAPH}>"
    found = {
        row["g"].value
        for row in solutions(
            scope.store,
            "SELECT DISTINCT ?g WHERE { { SELECT ?s WHERE { GRAPH ?h { ?s a ?t } FILTER(isIRI(?s) "
            "&& ?h != "
            + reduced
            + ") } GROUP BY ?s HAVING (COUNT(DISTINCT ?h) > 1) } GRAPH ?g { ?s a ?x } }",
        )
    }
    kind = ox.NamedNode(str(RDF.type))
    for graph, facts in scope.facts:
        for iri in facts.untyped if facts is not None else ():
            typing = {
                q.graph_name.value
                for q in scope.store.quads_for_pattern(ox.NamedNode(iri), kind, None, None)
                if isinstance(q.graph_name, ox.NamedNode)
            } - {REDUCED_GRAPH, graph}
            if typing:
                found |= typing | {graph}
    found.discard(REDUCED_GRAPH)
    return found


def check_shared_items(chk: Checker) -> None:
    """Same case ID in two files; the same item described differently in two files; a file
    adding to an item another file describes values that file gives otherwise."""
    # the subjects of each file as one set each (set operations, not a step per statement
    # in Python: the workspace of a whole run holds every file)
    subjects = [
        (item, {s for s, _p, _o in item.triples if isinstance(s, URIRef)}) for item in chk.ws.files
    ]
    seen: set[Node] = set()
    twice: set[Node] = set()
    for _item, mine in subjects:
        twice |= mine & seen
        seen |= mine
    typed = {
        s for item in chk.ws.files for s, p, _o in item.triples if p == RDF.type and s in twice
    }
    where: dict[Node, list[FileData]] = {}
    for item, mine in subjects:
        for s in sorted(mine & typed, key=str):  # a stable order of issues, run after run
            where.setdefault(s, []).append(item)
    for subject, files in where.items():
        if len(files) < 2 or not any(f.target for f in files):
            continue
        per_file_types = {
            f.display: {str(o) for s, p, o in f.triples if s == subject and p == RDF.type}
            for f in files
        }
        is_case = any(CASE in types for types in per_file_types.values())
        for item in files:
            if not item.target:
                continue
            others = [f for f in files if f is not item]
            line = item.parsed.index.subject_line(str(subject))
            related = [
                f"{f.display}:{f.parsed.index.subject_line(str(subject)) or 1}" for f in others
            ]
            if is_case and per_file_types[item.display]:
                if CASE not in per_file_types[item.display] and not any(
                    CASE in per_file_types[f.display] for f in others
                ):
                    continue
                chk.issue(
                    item,
                    Severity.VIOLATION,
                    "vocabulary.duplicate-case",
                    f"The case ID {show(subject)} is also used in "
                    + ", ".join(r.replace(":", " line ", 1) for r in related)
                    + ": each case needs its own ID.",
                    line=line,
                    focus=subject,
                    related=related,
                    as_here=(None, _label_in(item, subject)),
                    hint="rename this case, e.g. ckd:case-"
                    + item.parsed.path.stem
                    + " (and the items you copied, if they are not the same real things)",
                )
                continue
            _compare_shared(chk, item, subject, others, per_file_types, line, related)


def _compare_shared(
    chk: Checker,
    item: FileData,
    subject: Node,
    others: list[FileData],
    per_file_types: dict[str, set[str]],
    line: int | None,
    related: list[str],
) -> None:
    ont = chk.ont
    mine = ont.most_specific(per_file_types[item.display])
    my_labels = {str(o) for s, p, o in item.triples if s == subject and p == RDFS.label}
    here = (ont.kind(mine) if mine else None, sorted(my_labels)[0] if my_labels else None)
    for other in others:
        theirs = ont.most_specific(per_file_types[other.display])
        compatible = (
            all(any(ont.is_a([a], b) or ont.is_a([b], a) for b in theirs) for a in mine)
            if mine and theirs
            else True
        )
        if not compatible:
            there = _place(other, subject)
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.conflicting-types",
                f"{show(subject)} is described here as {a(ont.kind(mine))}, but as "
                f"{a(ont.kind(theirs))} in {there}: one ID is one thing everywhere, or it "
                "changes the other cases' answers (its sector, what it is a member of).",
                line=line,
                focus=subject,
                related=related,
                as_here=here,
                hint=f"if it is the same organisation, use the kind given in {there} (or do "
                "not describe it again: just use its ID); if it is another one, give it "
                "another ID",
            )
            return
    for other in others:
        their_labels = {str(o) for s, p, o in other.triples if s == subject and p == RDFS.label}
        if my_labels and their_labels and not my_labels & their_labels:
            there = _place(other, subject, RDFS.label)
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.conflicting-labels",
                f"{show(subject)} is named “{sorted(my_labels)[0]}” here but "
                f"“{sorted(their_labels)[0]}” in {there}: one ID has one name, or lists "
                "and profiles show it twice.",
                line=item.parsed.index.property_line(str(subject), str(RDFS.label)) or line,
                focus=subject,
                related=related,
                as_here=here,
                hint=f"if it is the same item, copy the name used in {there} (other names go "
                "in skos:altLabel); if it is another one, give it another ID",
            )
            return
    _compare_values(chk, item, subject, others, related, here)


SAID_ANYWHERE = frozenset(
    {RDF.type, RDFS.label, RDFS.comment, SKOS.altLabel, SKOS.note, DCTERMS.source,
     PROV.wasDerivedFrom, CK.hasUnstatedProperty, CK.isEvidencedBy}
)
"""Properties two files may give an item different values of: its kinds and names (checked
above), notes, where each file's statements come from (each file cites its own source) and
the quotations that evidence it (each case adds its own)."""


def _values(item: FileData, subject: Node) -> dict[Node, set[Node]]:
    values: dict[Node, set[Node]] = {}
    for s, p, o in item.triples:
        if s == subject and p not in SAID_ANYWHERE:
            values.setdefault(p, set()).add(o)
    return values


def _compare_values(
    chk: Checker,
    item: FileData,
    subject: Node,
    others: list[FileData],
    related: list[str],
    here: tuple[str | None, str | None],
) -> None:
    """An item whose property two files give different values (a sector, a funder, a
    member, a quotation's text, a period's start): reported in each file, once per item,
    naming the other file, for it changes the other file's answers (a one-member
    collaboration listed as cross-sector, a funding with two funders)."""
    my_values = _values(item, subject)
    for other in others:
        their_values = _values(other, subject)
        for prop in sorted(set(my_values) & set(their_values), key=str):
            if my_values[prop] == their_values[prop]:
                continue
            there = _place(other, subject, prop)
            here_text = _listed(my_values[prop])
            there_text = _listed(their_values[prop])
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.conflicting-values",
                f"{show(subject)} has {show(prop)} {here_text} here but {there_text} in "
                f"{there}: an item described in two files is described alike in both, or "
                "one file changes the other's answers.",
                line=item.parsed.index.property_line(str(subject), str(prop))
                or item.parsed.index.subject_line(str(subject)),
                focus=subject,
                path=prop,
                related=related,
                as_here=here,
                hint=f"if it is the same item, give it the values in {there} (or describe "
                "it in one file only: elsewhere just use its ID); if the sources disagree, "
                "describe it in one file and record the disagreement there; if it is "
                "another item, give it another ID",
            )
            return


def _listed(values: set[Node]) -> str:
    shown = sorted(show(v) if isinstance(v, URIRef) else f"“{v}”" for v in values)
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0]


def _label_in(item: FileData, subject: Node) -> str | None:
    """The name ``item``'s file gives ``subject`` (its first, in order), if any."""
    labels = sorted(str(o) for s, p, o in item.triples if s == subject and p == RDFS.label)
    return labels[0] if labels else None


def _place(other: FileData, subject: Node, prop: Node | None = None) -> str:
    """``data/cases/wigan.ttl line 42``: where another file describes ``subject``."""
    index = other.parsed.index
    line = (index.property_line(str(subject), str(prop)) if prop is not None else None) or (
        index.subject_line(str(subject))
    )
    return f"{other.display} line {line}" if line else other.display


CONTENT = FileRule("file-content", check_content_rule, local=content_filter)
SHARED = GraphRule("shared-items", check_shared_items, graph=shared_filter)

__all__ = ["CONTENT", "SHARED"]
