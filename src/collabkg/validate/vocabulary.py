"""Stage 2: the words used — typos, misused terms, dangling links, duplicates across files.

Checked for the files asked about (the *targets*), against the whole graph:

- a term in our namespaces (``ck:``, ``ckc:``) that the ontology does not define, with the
  closest defined term suggested (``ck:hasMemeber`` — did you mean ``ck:hasMember``?);
- a prefix of ours declared with the wrong namespace, and IRIs under
  ``https://w3id.org/collabkg/`` outside our four namespaces;
- a term of a standard vocabulary (rdfs:, prov:, org:, skos:, dcterms:...) that does not
  exist in it (``rdfs:lable``) — a warning;
- a class used as a property, a property or a value used as a class, a value used as a
  property; text given to a property that links items, a link given to one that takes text;
- a link to an item (``ckd:...``) described nowhere in the graph; an item with no type;
- a property used on the wrong kind of item (its ``rdfs:domain``) — a warning;
- the same case ID (a ``ck:Case``) in two files; a case file with no or several cases;
  a file with no collabkg data at all (e.g. FOAF only).

Decision (documented in docs/adding-a-case.md): the same item — an organisation, a place,
a source — MAY be described in several files (cases share organisations and places).
That is allowed silently when the files agree; when they give it different kinds or
different names, each file gets a warning pointing to the other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    DefinedNamespace,
)
from rdflib.term import Node

from collabkg.terms import CK, CKC, CKD, CKSH, PREFIXES, compact
from collabkg.validate.model import FileData, Workspace, a, show
from collabkg.validate.report import Issue, Severity, Stage

STANDARD: dict[str, type[DefinedNamespace]] = {
    str(RDF): RDF,
    str(RDFS): RDFS,
    str(OWL): OWL,
    str(XSD): XSD,
    str(SKOS): SKOS,
    str(PROV): PROV,
    str(ORG): ORG,
    str(DCTERMS): DCTERMS,
    str(TIME): TIME,
}
OURS = (str(CK), str(CKC), str(CKD), str(CKSH))
COMMON_PROPERTIES = {
    str(RDFS.label),
    str(RDFS.comment),
    str(RDF.type),
    str(SKOS.prefLabel),
    str(PROV.wasDerivedFrom),
    str(DCTERMS.source),
    str(PROV.wasQuotedFrom),
    str(PROV.wasAssociatedWith),
    str(ORG.member),
    str(ORG.organization),
    str(ORG.role),
    str(ORG.memberDuring),
    str(ORG.unitOf),
    str(DCTERMS.title),
    str(DCTERMS.date),
    str(DCTERMS.creator),
    str(DCTERMS.publisher),
}
"""Properties of the W3C vocabularies that case files use (for "did you mean")."""
CASE = str(CK.Case)
PLACEHOLDER = "CHANGE-ME"
"""What data/TEMPLATE.ttl marks every blank to fill with."""


@dataclass
class VocabularyResult:
    issues: list[Issue] = field(default_factory=list)
    bad_values: set[Node] = field(default_factory=set)
    """Terms already reported (unknown, dangling): SHACL results about them are dropped."""
    bad_triples: set[tuple[Node, Node, Node | None]] = field(default_factory=set)
    """Statements already reported (text for a link...): SHACL results about them are dropped.
    ``(item, property, None)``: a property the item misspelt, so "it has no <property>" is
    the same mistake."""


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] if iri.rsplit(sep, 1)[1] else iri
    return iri


def closest(iri: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate whose local name is closest to ``iri``'s (case-insensitive)."""
    pool = [c for c in candidates if c != iri]
    target = _local(iri).lower()
    by_local: dict[str, list[str]] = {}
    for candidate in pool:
        by_local.setdefault(_local(candidate).lower(), []).append(candidate)
    if target in by_local:
        return sorted(by_local[target], key=lambda c: (not c.startswith(iri[: -len(target)]), c))[0]
    scored = sorted(
        (
            max(
                difflib.SequenceMatcher(None, target, local).ratio(),
                difflib.SequenceMatcher(None, _bare(target), _bare(local)).ratio(),
            ),
            local,
        )
        for local in by_local
    )
    if not scored or scored[-1][0] < cutoff:
        return None
    best = scored[-1][0]
    ties = sorted(local for score, local in scored if score == best)
    return sorted(by_local[ties[0]])[0]


def _bare(local: str) -> str:
    """A property's local name without has/is: ``hasmemeber`` -> ``memeber``."""
    for prefix in ("has", "is"):
        if local.startswith(prefix) and len(local) > len(prefix) + 2:
            return local[len(prefix) :]
    return local


def close_matches(iri: str, candidates: Iterable[str], *, cutoff: float = 0.75) -> list[str]:
    """Up to three candidates whose local names are close to ``iri``'s, best first (all those
    about as close as the best, so that a report can offer the real alternatives)."""
    target = _local(iri).lower()
    scored = sorted(
        (-difflib.SequenceMatcher(None, target, _local(c).lower()).ratio(), c)
        for c in candidates
        if c != iri
    )
    if not scored or -scored[0][0] < cutoff:
        return []
    best = -scored[0][0]
    return [c for score, c in scored if -score >= cutoff and -score >= best - 0.1][:3]


EXPECTED_KIND: dict[str, str] = {
    str(ORG.member): str(PROV.Agent),
    str(ORG.organization): str(ORG.Organization),
    str(ORG.memberDuring): str(CK.Period),
    str(ORG.unitOf): str(PROV.Agent),
    str(PROV.wasDerivedFrom): str(CK.Source),
    str(DCTERMS.source): str(CK.Source),
    str(PROV.wasQuotedFrom): str(CK.Source),
    str(PROV.wasAssociatedWith): str(PROV.Agent),
    str(ORG.role): str(CK.MembershipRole),
}
"""What the W3C properties case files use link to (their vocabularies' ranges are not loaded)."""

_ID_STEM: dict[str, str] = {
    str(CK.Period): "period-",
    str(CK.Quotation): "quote-",
    str(CK.Source): "src-",
    str(CK.Place): "place-",
    str(CK.Programme): "programme-",
    str(CK.FundingStream): "funding-",
}
"""How IDs of a kind of item start (``ckd:period-…``), for examples in hints."""

_NOT_ENTITIES = frozenset(
    str(c)
    for c in (
        CK.Collaboration,
        CK.Partnership,
        CK.Consortium,
        CK.Alliance,
        CK.Activity,
        CK.Deal,
        CK.AssetTransfer,
        CK.ResearchStudy,
        CK.OrganisationalAction,
        CK.OrganisationTransfer,
        CK.OrganisationalUnit,
        ORG.Membership,
        ORG.Organization,
        PROV.Agent,
        PROV.Activity,
    )
)
"""Kinds that are not PROV entities: they name their source with dcterms:source, since
PROV-O allows prov:wasDerivedFrom only between entities."""


def describe_example(cls: str | None, ident: str, text: str | None = None) -> str:
    """How to describe a new item of kind ``cls`` with the ID ``ident`` (a Turtle example)."""
    name = text or "…"
    if cls == str(CK.Period):
        years = re.findall(r"\b(?:1[89]|20)\d\d\b", text or "")
        start, end = [*years, "2018", "2019"][:2] if len(years) != 1 else (years[0], "")
        dates = f'ck:hasStartDate "{start}"^^xsd:gYear'
        if end:
            dates += f' ; ck:hasEndDate "{end}"^^xsd:gYear'
        return f'{ident} a ck:Period ; rdfs:label "{text or "2018–2019"}" ; {dates} .'

    if cls == str(CK.Quotation):
        return (
            f'{ident} a ck:Quotation ; rdfs:label "who says what" ; ck:hasText "{name}" ; '
            "prov:wasQuotedFrom ckd:src-… ."
        )
    if cls in (str(PROV.Agent), str(ORG.Organization), str(CK.Organisation)):
        return (
            f'{ident} a ck:Charity ; rdfs:label "{name}" ; ck:hasSector '
            "ckc:voluntaryCommunitySector ; dcterms:source ckd:src-… . (or ck:LocalAuthority, "
            "ck:CommunityGroup... — the kinds are listed in data/TEMPLATE.ttl)"
        )
    if cls == str(CK.Place):
        return (
            f'{ident} a ck:LocalAuthorityArea ; rdfs:label "{name}" ; '
            "dcterms:source ckd:src-… ."
        )
    kind = compact(cls) if cls else "ck:…"
    source = "dcterms:source" if cls in _NOT_ENTITIES else "prov:wasDerivedFrom"
    return f'{ident} a {kind} ; rdfs:label "{name}" ; {source} ckd:src-… .'


class _Checker:
    def __init__(self, workspace: Workspace, *, case_rules: bool) -> None:
        self.ws = workspace
        self.ont = workspace.ontology
        self.case_rules = case_rules and CASE in self.ont.classes
        self.result = VocabularyResult()

    # ------------------------------------------------------------------ helpers

    def issue(
        self,
        item: FileData,
        severity: Severity,
        code: str,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        width: int | None = None,
        hint: str | None = None,
        focus: Node | None = None,
        path: Node | None = None,
        value: Node | None = None,
        related: list[str] | None = None,
    ) -> Issue:
        index = item.parsed.index
        found = Issue(
            severity,
            Stage.VOCABULARY,
            code,
            message,
            file=item.display,
            line=line,
            column=column,
            width=width,
            hint=hint,
            source_line=index.source_line(line),
            focus=show(focus) if isinstance(focus, URIRef) else None,
            focus_label=self.ws.label_of(focus) if focus is not None else None,
            focus_kind=self.ws.kind_of(focus) if focus is not None else None,
            path=show(path) if path is not None else None,
            value=show(value) if value is not None else None,
            related=related or [],
        )
        self.result.issues.append(found)
        return found

    def where(self, item: FileData, iri: str) -> tuple[int | None, int | None, int | None, str]:
        """(line, column, width, other lines text) of the first place ``iri`` is written."""
        places = item.parsed.index.occurrences.get(iri, [])
        if not places:
            return None, None, None, ""
        first = places[0]
        others = sorted({p.line for p in places[1:] if p.line != first.line})
        also = ""
        if others:
            shown = ", ".join(str(n) for n in others[:8]) + ("…" if len(others) > 8 else "")
            also = f" (also on line{'s' if len(others) > 1 else ''} {shown})"
        return first.line, first.column, len(first.text), also

    def at_statement(
        self, item: FileData, subject: Node, prop: Node, iri: str
    ) -> tuple[int | None, int | None, int | None, str]:
        """Position of ``iri`` in the statement ``subject prop ...`` (falls back to the first
        place ``iri`` is written)."""
        line = self.term_line(item, subject, prop)
        places = item.parsed.index.occurrences.get(iri, [])
        if line is not None:
            later = [p for p in places if p.line >= line]
            if later:
                found = later[0]
                return found.line, found.column, len(found.text), ""
            return line, None, None, ""
        return self.where(item, iri)

    def term_line(self, item: FileData, subject: Node, prop: Node) -> int | None:
        located = self.ws.locate(subject, prop)
        if located is not None and located[0] is item:
            return located[1]
        return None

    # ------------------------------------------------------------------ checks

    def run(self) -> VocabularyResult:
        for item in self.ws.targets:
            self.check_placeholders(item)
            wrong_ns = self.check_prefixes(item)
            self.check_terms(item, wrong_ns)
            self.check_statements(item)
            if not wrong_ns:
                self.check_file_content(item)
        self.check_shared_items()
        return self.result

    def check_placeholders(self, item: FileData) -> None:
        """``CHANGE-ME`` left from data/TEMPLATE.ttl: one clear error per place."""
        seen: set[Node] = set()
        for s, p, o in item.triples:
            for term in (s, o):
                if term in seen or not isinstance(term, URIRef | Literal):
                    continue
                if PLACEHOLDER not in str(term).upper().replace("_", "-"):
                    continue
                seen.add(term)
                self.result.bad_values.add(term)
                if isinstance(term, URIRef):
                    line, column, width, _also = self.where(item, str(term))
                    what = f"the ID {show(term)}"
                    local = _local(str(term))
                    if local.lower().startswith("src-"):
                        sources = self._source_ids()
                        todo = (
                            "use the ID of your source from data/sources.ttl"
                            + (f" ({', '.join(sources)})" if sources else "")
                            + "; if the source is new, add it to data/sources.ttl first"
                        )
                    elif local.lower().startswith("case-"):
                        todo = f"name the case after its file: ckd:case-{item.parsed.path.stem}"
                    else:
                        todo = (
                            "replace CHANGE-ME in the ID with a short name in lower case "
                            "with hyphens (e.g. ckd:wigan-council), the same everywhere "
                            "it is used"
                        )
                else:
                    line = self.term_line(item, s, p)
                    column = width = None
                    what = f"the text {show(term)}"
                    todo = f"write the real {compact(str(p))} here (from the source)"
                self.issue(
                    item,
                    Severity.VIOLATION,
                    "vocabulary.template-placeholder",
                    f"Placeholder from the template left in {what}.",
                    line=line,
                    column=column,
                    width=width,
                    hint=todo,
                    focus=s if isinstance(s, URIRef) and s != term else None,
                )

    def _source_ids(self) -> list[str]:
        return sorted(
            show(node)
            for node, types in self.ws.types.items()
            if isinstance(node, URIRef) and self.ont.is_a(types, str(CK.Source))
        )

    def check_prefixes(self, item: FileData) -> set[str]:
        wrong: set[str] = set()
        for name, (iri, line) in item.parsed.index.prefixes.items():
            expected = PREFIXES.get(name)
            if expected is None or iri == expected:
                continue
            wrong.add(iri)
            self.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.wrong-namespace",
                f"The prefix {name}: is declared as <{iri}>, but collabkg's {name}: is "
                f"<{expected}>.",
                line=line,
                column=1,
                hint=f"correct the line to: @prefix {name}: <{expected}> .",
            )
        return wrong

    def check_terms(self, item: FileData, wrong_ns: set[str]) -> None:
        roles: dict[str, set[str]] = {}
        self.first_use: dict[str, tuple[Node, Node]] = {}
        for s, p, o in item.triples:
            roles.setdefault(str(p), set()).add("property")
            self.first_use.setdefault(str(p), (s, p))
            if isinstance(s, URIRef):
                roles.setdefault(str(s), set()).add("subject")
            if isinstance(o, URIRef):
                roles.setdefault(str(o), set()).add("class" if p == RDF.type else "value")
                self.first_use.setdefault(str(o), (s, p))
        for iri, role in roles.items():
            if any(iri.startswith(ns) for ns in wrong_ns):
                self.result.bad_values.add(URIRef(iri))
                continue
            if self.ont.is_ours(iri):
                if iri not in self.ont.defined:
                    self.unknown_ours(item, iri, role)
                continue
            if iri.startswith(OURS):
                continue
            if "w3id.org/collabkg" in iri:
                self.foreign_collabkg(item, iri)
                continue
            namespace = next((ns for ns in STANDARD if iri.startswith(ns)), None)
            if namespace is not None and iri not in self.ont.defined:
                self.unknown_standard(item, iri, namespace, role)

    def unknown_ours(self, item: FileData, iri: str, role: set[str]) -> None:
        self.result.bad_values.add(URIRef(iri))
        ont = self.ont
        if "property" in role:
            pool = sorted(set(ont.properties) | COMMON_PROPERTIES)
            what = "property"
        elif "class" in role:
            pool = [c for c in ont.classes if ont.is_ours(c)]
            what = "class (kind of thing)"
        else:
            pool = sorted(ont.concepts)
            what = "value"
        suggestion = None
        used_with = self.first_use.get(iri)
        if "value" in role and used_with is not None:
            members = self._range_members(used_with[1])
            suggestion = closest(iri, members, cutoff=0.5) if members else None
        suggestion = (
            suggestion or closest(iri, pool) or closest(iri, ont.defined & set(self._our_terms()))
        )
        if "property" in role and suggestion in ont.properties:
            # "a funding stream needs ck:hasFunder" from the data model is this same typo
            for s, p, _o in item.triples:
                if str(p) == iri:
                    self.result.bad_triples.add((s, URIRef(suggestion), None))
        line, column, width, also = self.where(item, iri)
        message = f"{compact(iri)} is not defined in the collabkg ontology{also}"
        if suggestion:
            message += f" — did you mean {compact(suggestion)}?"
        else:
            message += "."
        hint = None
        used = self.first_use.get(iri)
        allowed = self._allowed_values(used[1]) if used and "value" in role else ""
        if not allowed and suggestion and suggestion in ont.concepts and "value" in role:
            # no declared range: list the values of the same list as the suggestion
            for cls in ont.concept_types(suggestion):
                members = ont.members_of_class(cls)
                if members:
                    allowed = ", ".join(compact(m) for m in members)
                    break
        if allowed:
            hint = f"allowed values for {compact(str(used[1]))}: {allowed}"  # type: ignore[index]
        elif not suggestion:
            hint = (
                f"check the spelling; the {what} must be one of those in ontology/collabkg.ttl "
                "or ontology/concepts/*.ttl (names are case-sensitive)"
            )
        elif _local(suggestion).lower() == _local(iri).lower() and suggestion != iri:
            hint = "names are case-sensitive and the prefix matters: write it exactly as suggested"
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.unknown-term",
            message,
            line=line,
            column=column,
            width=width,
            hint=hint,
            value=URIRef(iri) if "value" in role else None,
            focus=used[0] if used and isinstance(used[0], URIRef) else None,
            path=used[1] if used and "value" in role else None,
        )

    def _range_members(self, prop: Node) -> list[str]:
        """The controlled values a property takes (its rdfs:range is a concept class)."""
        kinds = self.ont.range(str(prop)) or [EXPECTED_KIND.get(str(prop), "")]
        for cls in filter(None, kinds):
            members = self.ont.members_of_class(cls)
            if members and all(m in self.ont.concepts for m in members):
                return members
        return []

    def _allowed_values(self, prop: Node) -> str:
        return ", ".join(compact(m) for m in self._range_members(prop))

    def _our_terms(self) -> list[str]:
        return [t for t in self.ont.defined if self.ont.is_ours(t)]

    def foreign_collabkg(self, item: FileData, iri: str) -> None:
        self.result.bad_values.add(URIRef(iri))
        line, column, width, also = self.where(item, iri)
        guess = None
        local = _local(iri)
        for ns in (str(CK), str(CKC), str(CKD)):
            if ns + local in self.ont.defined:
                guess = ns + local
        hint = "collabkg's namespaces are " + ", ".join(
            f"{name}: <{PREFIXES[name]}>" for name in ("ck", "ckc", "ckd")
        )
        message = f"<{iri}> is not in one of collabkg's namespaces{also}"
        message += f" — did you mean {compact(guess)}?" if guess else "."
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.unknown-namespace",
            message,
            line=line,
            column=column,
            width=width,
            hint=hint,
            value=URIRef(iri),
        )

    def unknown_standard(self, item: FileData, iri: str, namespace: str, role: set[str]) -> None:
        vocabulary = STANDARD[namespace]
        try:
            exists = URIRef(iri) in vocabulary
        except Exception:  # pragma: no cover - defensive: rdflib internals
            exists = True
        if exists:
            return
        known = [str(t) for t in dir(vocabulary) if isinstance(t, URIRef)]
        used = [t for t in self.ont.defined if t.startswith(namespace)]
        suggestion = closest(iri, used) or closest(iri, known)
        line, column, width, also = self.where(item, iri)
        name = next((k for k, v in PREFIXES.items() if v == namespace), namespace)
        message = f"{compact(iri)} does not exist in the {name}: vocabulary{also}"
        message += f" — did you mean {compact(suggestion)}?" if suggestion else "."
        self.issue(
            item,
            Severity.WARNING,
            "vocabulary.unknown-standard-term",
            message,
            line=line,
            column=column,
            width=width,
            hint="collabkg ignores statements with a property it does not know",
            value=URIRef(iri),
        )

    def check_statements(self, item: FileData) -> None:
        ont = self.ont
        ws = self.ws
        reported_untyped: set[Node] = set()
        reported_dangling: set[str] = set()
        reported_domain: set[tuple[Node, Node]] = set()
        reported_clash: set[Node] = set()
        for s, p, o in item.triples:
            prop = str(p)
            # -- a class or a value where a property belongs
            if prop in ont.classes and prop not in ont.properties:
                line, column, width, also = self.at_statement(item, s, p, prop)
                self.result.bad_values.add(p)
                linking = self._properties_to(prop, s)
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
                    self.result.bad_triples.add((s, URIRef(linking), None))
                else:
                    message += "."
                self.issue(
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
                continue
            if prop in ont.concepts and prop not in ont.properties:
                line, column, width, also = self.at_statement(item, s, p, prop)
                self.result.bad_values.add(p)
                self.issue(
                    item,
                    Severity.VIOLATION,
                    "vocabulary.value-as-property",
                    f"{compact(prop)} is a value from a list, not a property{also}.",
                    line=line,
                    column=column,
                    width=width,
                    hint=self._value_hint(prop),
                    focus=s,
                )
                continue
            # -- two kinds that cannot go together (owl:disjointWith)
            subject_types = ws.types.get(s, set())
            if p == RDF.type and s not in reported_clash and len(subject_types) > 1:
                clash = ont.clash(subject_types)
                if clash is not None:
                    reported_clash.add(s)
                    t1, t2, x, y = clash
                    line = self.term_line(item, s, p)
                    why = (
                        ""
                        if {t1, t2} == {x, y}
                        else (f" (nothing is both {a(ont.label(x))} and {a(ont.label(y))})")
                    )
                    self.issue(
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
            # -- rdf:type objects
            if p == RDF.type:
                if isinstance(o, Literal):
                    self._text_for_link(item, s, p, o)
                    continue
                obj = str(o)
                if obj.startswith(str(CKD)) and obj not in ont.classes:
                    # a kind written with the prefix of IDs: ckd:Charity for ck:Charity
                    line, column, width, also = self.at_statement(item, s, p, obj)
                    self.result.bad_values.add(o)
                    ours = [c for c in ont.classes if c.startswith(str(CK))]
                    guess = str(CK) + _local(obj)
                    guess = guess if guess in ours else closest(guess, ours)
                    message = (
                        f"{compact(obj)} follows 'a', so it should be a kind of thing, but ckd: "
                        f"is the prefix of item IDs{also}"
                    )
                    message += f" — did you mean {compact(guess)}?" if guess else "."
                    self.issue(
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
                    continue
                if obj in ont.properties and obj not in ont.classes:
                    line, column, width, also = self.at_statement(item, s, p, obj)
                    self.result.bad_values.add(o)
                    self.issue(
                        item,
                        Severity.VIOLATION,
                        "vocabulary.property-as-class",
                        f"{compact(obj)} is a property, not a kind of thing{also}: it cannot "
                        "follow 'a'.",
                        line=line,
                        column=column,
                        width=width,
                        hint=f"write 'a' followed by a class such as ck:Charity, and use "
                        f"{compact(obj)} as a property: {compact(obj)} <value> ;",
                        focus=s,
                    )
                elif obj in ont.concepts and obj not in ont.classes:
                    line, column, width, also = self.at_statement(item, s, p, obj)
                    self.result.bad_values.add(o)
                    self.issue(
                        item,
                        Severity.VIOLATION,
                        "vocabulary.value-as-class",
                        f"{compact(obj)} is a value from a list, not a kind of thing{also}: it "
                        "cannot follow 'a'.",
                        line=line,
                        column=column,
                        width=width,
                        hint=self._value_hint(obj),
                        focus=s,
                    )
                continue
            # -- text where a link belongs, a link where text belongs
            if isinstance(o, Literal) and ont.is_object_property(prop):
                self._text_for_link(item, s, p, o)
            elif isinstance(o, URIRef | BNode) and ont.is_datatype_property(prop):
                line = self.term_line(item, s, p)
                self.result.bad_triples.add((s, p, o))
                self.issue(
                    item,
                    Severity.VIOLATION,
                    "vocabulary.link-for-text",
                    f"{compact(prop)} takes text, a number or a date, but here it points to "
                    f"{show(o)}.",
                    line=line,
                    hint=f"write the value in double quotes, e.g. {compact(prop)} "
                    '"…" ; (with ^^xsd:… for dates)',
                    focus=s,
                    path=p,
                    value=o,
                )
            # -- links to items described nowhere
            if (
                isinstance(o, URIRef)
                and str(o).startswith(str(CKD))
                and o not in ws.subjects
                and o not in self.result.bad_values
                and (s, p, o) not in self.result.bad_triples
                and str(o) not in reported_dangling
            ):
                reported_dangling.add(str(o))
                self.result.bad_values.add(o)
                self.undefined_item(item, s, p, o)
            # -- wrong kind of subject for the property (warning)
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
                line = self.term_line(item, s, p)
                kinds = " or ".join(a(ont.label(d)) for d in domain)
                hint = (
                    "check the property (a similar one may fit this kind of item) or the "
                    "item's type after 'a'"
                )
                linking = self._properties_to(domain[0], s) if len(domain) == 1 else None
                if linking:
                    # e.g. a start date on a funding stream: it belongs on its period
                    hint = (
                        f"{compact(prop)} belongs on {a(ont.label(domain[0]))}: describe "
                        f"{a(ont.label(domain[0]))} ({compact(domain[0])}) with it, and link "
                        f"this item to it with {compact(linking)} ckd:… ;"
                    )
                self.issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.wrong-domain",
                    f"{compact(prop)} is meant for {kinds}, but this item is {a(ws.kind_of(s))}.",
                    line=line,
                    focus=s,
                    path=p,
                    hint=hint,
                )
            # -- items with no type
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
                self.issue(
                    item,
                    Severity.VIOLATION,
                    "vocabulary.untyped-item",
                    f"{show(s)} has no type, so nothing can check it or show it.",
                    line=line,
                    focus=s,
                    hint="say what kind of thing it is with 'a', e.g. "
                    f"{show(s)} a ck:Charity ; (see docs/modelling.md for the kinds)",
                )

    def _properties_to(self, cls: str, subject: Node) -> str | None:
        """The property of ours that links ``subject`` to a ``cls`` (``ck:Period`` ->
        ``ck:hasPeriod``), if there is exactly one that fits the subject's kind."""
        types = self.ws.types.get(subject, set())
        fitting = [
            prop
            for prop in self.ont.properties_with_range(cls)
            if self.ont.is_ours(prop)
            and (
                not self.ont.domain(prop)
                or any(self.ont.is_a(types, d) for d in self.ont.domain(prop))
            )
        ]
        return fitting[0] if len(fitting) == 1 else None

    def expected_kind(self, prop: Node) -> str | None:
        """The kind of item a property links to (its range), if known."""
        ranges = self.ont.range(str(prop))
        return ranges[0] if ranges else EXPECTED_KIND.get(str(prop))

    def undefined_item(self, item: FileData, s: Node, p: Node, o: URIRef) -> None:
        """A link to an ID described nowhere: the close IDs of the right kind, and how to
        describe it (a source goes in data/sources.ttl)."""
        ws = self.ws
        kind = self.expected_kind(p)
        # the subject's other links are not what it meant (a membership's member is not
        # its own collaboration)
        linked = {str(y) for x, q, y in item.triples if x == s and q != p}
        described = [
            str(x)
            for x in ws.subjects
            if isinstance(x, URIRef)
            and str(x).startswith(str(CKD))
            and str(x) not in linked
            and (kind is None or self.ont.is_a(ws.types.get(x, set()), kind))
        ]
        suggestions = close_matches(str(o), described)
        line, column, width, also = self.where(item, str(o))
        shown = compact(str(o))
        message = f"{shown} is used here but described nowhere in the graph{also}"
        if suggestions:
            message += " — did you mean " + " or ".join(compact(x) for x in suggestions) + "?"
        else:
            message += "."
        is_source = kind == str(CK.Source) or _local(str(o)).startswith("src-")
        if is_source:
            sources = self._source_ids()
            hint = (
                "a source must be listed in data/sources.ttl: use the ID of one listed there"
                + (f" ({', '.join(sources)})" if sources else "")
                + "; if your source is new, add it to data/sources.ttl first (copy one of the "
                "entries there and change it)"
            )
        else:
            start = "if it is a new item"
            if not suggestions:
                start = "check the ID's spelling; " + start
            hint = f"{start}, describe it in this file: {describe_example(kind, shown)}"
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.undefined-item",
            message,
            line=line,
            column=column,
            width=width,
            hint=hint,
            focus=s,
            path=p,
            value=o,
        )

    def _text_for_link(self, item: FileData, s: Node, p: Node, o: Literal) -> None:
        self.result.bad_triples.add((s, p, o))
        line = self.term_line(item, s, p)
        prop = compact(str(p))
        if p == RDF.type:
            message = (
                f"'a' must be followed by a kind of thing such as ck:Charity, not by text "
                f"({show(o)})."
            )
            hint = "remove the quotes and use a class from the ontology, e.g. a ck:Charity ;"
        else:
            message = f"{prop} links to an item, but here it has text: {show(o)}."
            members = self._range_members(p)
            kind = self.expected_kind(p)
            if members:
                words = str(o).strip().removeprefix("ckc:").split()
                camel = "".join(w[:1].upper() + w[1:] for w in words)
                written = str(CKC) + camel[:1].lower() + camel[1:]
                guess = written if written in members else closest(written, members, cutoff=0.5)
                hint = (
                    "this property takes a value from a list, written without quotes, e.g. "
                    f"{prop} {compact(guess or members[0])} ; — the values allowed: "
                    + ", ".join(compact(m) for m in members)
                )
            elif kind is not None:
                ident = f"ckd:{_ID_STEM.get(kind, '')}…"
                hint = (
                    f"write the ID of {a(self.ont.label(kind))} here, without quotes, e.g. "
                    f"{prop} {ident} ; and describe that item if it is new: "
                    + describe_example(kind, ident, str(o))
                )
            else:
                hint = (
                    "remove the quotes and write the ID of the item instead (e.g. "
                    "ckd:wigan-council); describe the item if it is new"
                )
        self.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.text-for-link",
            message,
            line=line,
            hint=hint,
            focus=s,
            path=p,
            value=o,
        )

    def _value_hint(self, concept: str) -> str:
        types = self.ont.concept_types(concept)
        props: list[str] = []
        for t in types:
            props += self.ont.properties_with_range(t)
        if props:
            return (
                f"use it as the value of a property, e.g. {compact(props[0])} {compact(concept)} ;"
            )
        return "use it as the value of a property, not on its own"

    def check_file_content(self, item: FileData) -> None:
        own_types = {str(o) for s, p, o in item.triples if p == RDF.type}
        ours = [t for t in own_types if self.ont.is_ours(t) or t == str(ORG.Membership)]
        if not ours:
            namespaces = sorted(
                {
                    compact(str(p)).split(":")[0]
                    for _s, p, _o in item.triples
                    if ":" in compact(str(p))
                }
            )
            uses = (
                f" It uses {', '.join(n + ':' for n in namespaces[:6])} terms."
                if namespaces and "ck" not in namespaces
                else ""
            )
            self.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.no-collabkg-data",
                "This file has no collabkg data: nothing in it has a collabkg type ('a ck:…')."
                + uses,
                line=1,
                hint="a case file describes items with types such as ck:Case, "
                "ck:Collaboration, ck:Charity (copy data/TEMPLATE.ttl); check it is the right "
                "file",
            )
            return
        if not self.case_rules or not self._is_case_file(item):
            return
        cases = sorted({s for s, p, o in item.triples if p == RDF.type and str(o) == CASE}, key=str)
        if not cases:
            self.issue(
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
            self.issue(
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
                self.issue(
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

    def _is_case_file(self, item: FileData) -> bool:
        display = item.display
        if display.startswith(("ontology/", "shapes/")):
            return False
        if display.startswith("data/"):
            return display.startswith("data/cases/")
        return item.parsed.path.name != "sources.ttl"

    def check_shared_items(self) -> None:
        """Same case ID in two files; the same item described differently in two files."""
        where: dict[Node, list[FileData]] = {}
        for item in self.ws.files:
            for s in {s for s, p, _o in item.triples if p == RDF.type and isinstance(s, URIRef)}:
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
                if is_case:
                    if CASE not in per_file_types[item.display] and not any(
                        CASE in per_file_types[f.display] for f in others
                    ):
                        continue
                    self.issue(
                        item,
                        Severity.VIOLATION,
                        "vocabulary.duplicate-case",
                        f"The case ID {show(subject)} is also used in "
                        + ", ".join(r.replace(":", " line ", 1) for r in related)
                        + ": each case needs its own ID.",
                        line=line,
                        focus=subject,
                        related=related,
                        hint="rename this case, e.g. ckd:case-"
                        + item.parsed.path.stem
                        + " (and the items you copied, if they are not the same real things)",
                    )
                    continue
                self._compare_shared(item, subject, others, per_file_types, line, related)

    def _compare_shared(
        self,
        item: FileData,
        subject: Node,
        others: list[FileData],
        per_file_types: dict[str, set[str]],
        line: int | None,
        related: list[str],
    ) -> None:
        ont = self.ont
        mine = ont.most_specific(per_file_types[item.display])
        for other in others:
            theirs = ont.most_specific(per_file_types[other.display])
            compatible = (
                all(any(ont.is_a([a], b) or ont.is_a([b], a) for b in theirs) for a in mine)
                if mine and theirs
                else True
            )
            if not compatible:
                self.issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.conflicting-types",
                    f"{show(subject)} is described here as {a(ont.kind(mine))}, but as "
                    f"{a(ont.kind(theirs))} in {other.display}.",
                    line=line,
                    focus=subject,
                    related=related,
                    hint="an item shared by several cases must be the same kind of thing "
                    "everywhere: use the same type, or a different ID if they are different "
                    "things",
                )
                return
        my_labels = {str(o) for s, p, o in item.triples if s == subject and p == RDFS.label}
        for other in others:
            their_labels = {str(o) for s, p, o in other.triples if s == subject and p == RDFS.label}
            if my_labels and their_labels and not my_labels & their_labels:
                self.issue(
                    item,
                    Severity.WARNING,
                    "vocabulary.conflicting-labels",
                    f"{show(subject)} is named “{sorted(my_labels)[0]}” here but "
                    f"“{sorted(their_labels)[0]}” in {other.display}.",
                    line=line,
                    focus=subject,
                    related=related,
                    hint="an item shared by several cases has one name: copy the name used in "
                    f"{other.display}, or use a different ID if they are different things",
                )
                return


def check_vocabulary(workspace: Workspace, *, case_rules: bool = True) -> VocabularyResult:
    """Run every vocabulary check on the target files of ``workspace``."""
    return _Checker(workspace, case_rules=case_rules).run()


__all__ = ["VocabularyResult", "check_vocabulary", "closest"]
