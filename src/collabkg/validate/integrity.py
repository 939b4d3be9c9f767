"""Rules about what the statements of a file say, beyond what the shapes can: each a function
of one file asked about (``display``, ``triples``, ``parsed.index``), returning located issues.

- :func:`two_names` — two names in one language on one item (an **error**: the profile would
  list it twice; other names go in ``skos:altLabel``);
- :func:`stated_and_unstated` — a property given and also said unstated by the source (a
  **warning**);
- :func:`accountable_to_itself` — an accountability line whose party is accountable to itself
  (a **warning**: usually an ID pasted on the wrong line);
- :func:`kind_and_sector` — an organisation whose kind and sector disagree, e.g. a charity in
  the public sector (a **warning**);
- :func:`blank_node_cycles` — blank nodes that point to each other in a loop (a **warning**:
  nothing can name or find them).

They run in the vocabulary stage. Their interface is narrow on purpose (the file, and an
``is_a(types, class)`` test from the ontology) so that the pipeline can call them as one unit
each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from collabkg.terms import CK, CKC, compact
from collabkg.validate.filelike import FileLike, Names
from collabkg.validate.report import Issue, Severity, Stage

IsA = Callable[[Iterable[str], str], bool]
NAME_PROPERTIES = (RDFS.label, SKOS.prefLabel)


def _issue(
    item: FileLike,
    severity: Severity,
    code: str,
    message: str,
    *,
    line: int | None,
    focus: Node | None,
    hint: str | None = None,
    path: Node | None = None,
    label: str | None = None,
    names: Names | None = None,
) -> Issue:
    if names is not None and focus is not None:
        label = names.label_of(focus) or label
    return Issue(
        severity,
        Stage.VOCABULARY,
        code,
        message,
        file=item.display,
        line=line,
        hint=hint,
        source_line=item.parsed.index.source_line(line),
        focus=compact(str(focus)) if isinstance(focus, URIRef) else None,
        focus_label=label,
        focus_kind=names.kind_of(focus) if names is not None and focus is not None else None,
        path=compact(str(path)) if path is not None else None,
    )


def _by_subject(item: FileLike) -> dict[Node, dict[Node, list[Node]]]:
    out: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in item.triples:
        out.setdefault(s, {}).setdefault(p, []).append(o)
    return out


def _first_label(props: dict[Node, list[Node]]) -> str | None:
    labels = sorted(str(o) for o in props.get(RDFS.label, []))
    return labels[0] if labels else None


def _language(literal: Literal) -> str:
    """The language a name is in: untagged names are English (the project's language)."""
    tag = (literal.language or "en").lower()
    return tag.split("-", 1)[0]


def two_names(item: FileLike, names: Names | None = None) -> list[Issue]:
    """Two different names (rdfs:label or skos:prefLabel) in one language on one item; and
    an item whose rdfs:label is in other languages only (the data's language is English:
    "Cyngor Kirklees"@cy alone passed, and the explorer shows English names)."""
    issues: list[Issue] = []
    index = item.parsed.index
    for subject, props in _by_subject(item).items():
        if not isinstance(subject, URIRef):
            continue
        for prop in NAME_PROPERTIES:
            by_language: dict[str, list[str]] = {}
            for value in props.get(prop, []):
                if isinstance(value, Literal):
                    by_language.setdefault(_language(value), []).append(str(value))
            if prop == RDFS.label and by_language and "en" not in by_language:
                language, written = sorted(by_language.items())[0]
                issues.append(
                    _issue(
                        item,
                        Severity.VIOLATION,
                        "vocabulary.no-english-name",
                        f"{compact(str(subject))} has no English name: its rdfs:label is "
                        f"“{written[0]}”@{language} only. Every item has an English name "
                        "(untagged, or @en), which lists, profiles and answers show.",
                        line=index.property_line(str(subject), str(prop))
                        or index.subject_line(str(subject)),
                        focus=subject,
                        path=prop,
                        label=written[0],
                        names=names,
                        hint=f'give the English name as rdfs:label "…" and keep this one as '
                        f'skos:altLabel "{written[0]}"@{language} ; (where the source gives '
                        "only this name, write it as the rdfs:label without a language tag)",
                    )
                )
            for language, written in sorted(by_language.items()):
                distinct = sorted(set(written))
                if len(distinct) < 2:
                    continue
                word = "English " if language == "en" else f"“{language}” "
                shown = " and ".join(f"“{n}”" for n in distinct[:3])
                issues.append(
                    _issue(
                        item,
                        Severity.VIOLATION,
                        "vocabulary.two-names",
                        f"{compact(str(subject))} has {len(distinct)} {word}names ({shown}) "
                        f"in {compact(str(prop))}: an item has one name per language, or "
                        "lists and profiles show it as several items.",
                        line=index.property_line(str(subject), str(prop))
                        or index.subject_line(str(subject)),
                        focus=subject,
                        path=prop,
                        label=distinct[0],
                        names=names,
                        hint=f"keep one {compact(str(prop))} and write the others as "
                        f'skos:altLabel, e.g. skos:altLabel "{distinct[1]}" ;',
                    )
                )
    return issues


def stated_and_unstated(item: FileLike, names: Names | None = None) -> list[Issue]:
    """An item that gives a property and also says its source does not state it
    (``ck:hasPeriod …`` beside ``ck:hasUnstatedProperty ck:hasPeriod``): one of the two is
    wrong (a **warning**: it passed without a word)."""
    issues: list[Issue] = []
    index = item.parsed.index
    for subject, props in _by_subject(item).items():
        for unstated in sorted(props.get(CK.hasUnstatedProperty, []), key=str):
            if not isinstance(unstated, URIRef) or unstated not in props:
                continue
            issues.append(
                _issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.stated-and-unstated",
                    f"{compact(str(subject))} gives {compact(str(unstated))} and also says "
                    f"its source does not state it (ck:hasUnstatedProperty "
                    f"{compact(str(unstated))}): one of the two is wrong.",
                    line=index.property_line(str(subject), str(CK.hasUnstatedProperty))
                    or index.subject_line(str(subject)),
                    focus=subject,
                    path=CK.hasUnstatedProperty,
                    names=names,
                    hint=f"if the source states it, remove ck:hasUnstatedProperty "
                    f"{compact(str(unstated))}; if it does not, remove the "
                    f"{compact(str(unstated))} statement",
                )
            )
    return issues


def accountable_to_itself(item: FileLike, names: Names | None = None) -> list[Issue]:
    """An accountability line whose accountable party is also the one it is accountable to."""
    issues: list[Issue] = []
    index = item.parsed.index
    for subject, props in _by_subject(item).items():
        parties = set(props.get(CK.hasAccountableParty, []))
        forums = set(props.get(CK.isAccountableTo, []))
        for same in sorted(parties & forums, key=str):
            issues.append(
                _issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.accountable-to-itself",
                    f"This accountability line makes {compact(str(same))} accountable to "
                    "itself (it is both ck:hasAccountableParty and ck:isAccountableTo).",
                    line=index.property_line(str(subject), str(CK.isAccountableTo))
                    or index.subject_line(str(subject)),
                    focus=subject,
                    path=CK.isAccountableTo,
                    label=_first_label(props),
                    names=names,
                    hint="check the source: one of the two IDs is probably another "
                    "organisation's (an accountability line runs from one party to another)",
                )
            )
    return issues


PUBLIC_SECTOR = CKC.publicSector
KIND_SECTORS: tuple[tuple[URIRef, str, Callable[[set[Node]], set[Node]]], ...] = (
    # (kind, how people call it, the sectors that disagree with it, given the sectors)
    (CK.PublicBody, "public body", lambda sectors: sectors - {PUBLIC_SECTOR}),
    (CK.VoluntaryOrganisation, "voluntary organisation",
     lambda sectors: sectors & {PUBLIC_SECTOR}),
    (CK.Company, "company", lambda sectors: sectors & {PUBLIC_SECTOR}),
)


def kind_and_sector(
    item: FileLike,
    is_a: IsA,
    kind_of: Callable[[Node], str | None],
    names: Names | None = None,
) -> list[Issue]:
    """An organisation whose kind says one sector and ck:hasSector another."""
    issues: list[Issue] = []
    index = item.parsed.index
    for subject, props in _by_subject(item).items():
        sectors = set(props.get(CK.hasSector, []))
        types = {str(t) for t in props.get(RDF.type, [])}
        if not sectors or not types:
            continue
        for kind, word, disagree in KIND_SECTORS:
            if not is_a(types, str(kind)):
                continue
            wrong = disagree(sectors)
            if not wrong:
                continue
            named = kind_of(subject) or word
            shown = ", ".join(compact(str(s)) for s in sorted(wrong, key=str))
            issues.append(
                _issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.kind-sector",
                    f"This is {'an' if named[:1] in 'aeiou' else 'a'} {named}, but its sector "
                    f"is {shown}: the kind and the sector disagree.",
                    line=index.property_line(str(subject), str(CK.hasSector))
                    or index.subject_line(str(subject)),
                    focus=subject,
                    path=CK.hasSector,
                    label=_first_label(props),
                    names=names,
                    hint="check the source: fix the kind (a ck:LocalAuthority is public, a "
                    "ck:Charity voluntary) or the sector; a hybrid that is really both (a "
                    "community interest company) is ck:SocialEnterprise with several sectors",
                )
            )
            break
    return issues


_BNODE_SUBJECT = re.compile(r"^\s*(_:[^\s;,()\[\]]+)")


def blank_node_cycles(item: FileLike, names: Names | None = None) -> list[Issue]:
    """Blank nodes linked in a loop (``_:a ck:p _:b . _:b ck:p _:a .``)."""
    edges: dict[Node, set[Node]] = {}
    for s, _p, o in item.triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            edges.setdefault(s, set()).add(o)
    if not edges:
        return []
    state: dict[Node, int] = {}  # 1 visiting, 2 done
    cycles = 0

    def visit(node: Node) -> None:
        nonlocal cycles
        stack = [(node, iter(sorted(edges.get(node, ()), key=str)))]
        state[node] = 1
        while stack:
            current, children = stack[-1]
            advanced = False
            for child in children:
                if state.get(child) == 1:
                    cycles += 1
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(sorted(edges.get(child, ()), key=str))))
                    advanced = True
                    break
            if not advanced:
                state[current] = 2
                stack.pop()

    for start in sorted(edges, key=str):
        if start not in state:
            visit(start)
    if not cycles:
        return []
    index = item.parsed.index
    labelled = [
        (number, match.group(1))
        for number, text in enumerate(index.lines, start=1)
        if (match := _BNODE_SUBJECT.match(text))
    ]
    line = labelled[0][0] if labelled else None
    shown = ", ".join(dict.fromkeys(name for _n, name in labelled[:4]))
    return [
        _issue(
            item,
            Severity.WARNING,
            "vocabulary.blank-node-cycle",
            "Unnamed items ([ ] or _:labels) point to each other in a loop"
            + (f" ({shown})" if shown else "")
            + ": nothing outside the loop can name them, and queries that follow the links "
            "go round it.",
            line=line,
            focus=None,
            hint="give the items IDs (ckd:...) and describe each once, or write the inner one "
            "inside [ ] where it is used",
        )
    ]


__all__ = [
    "accountable_to_itself",
    "blank_node_cycles",
    "kind_and_sector",
    "stated_and_unstated",
    "two_names",
]
