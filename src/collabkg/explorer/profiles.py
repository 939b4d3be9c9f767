"""Profiles of collaborations and organisations: facts grouped in sections, with evidence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.errors import ParameterError
from collabkg.explorer.common import (
    COCREATION_KINDS,
    Kind,
    _q,
    _text,
    _unique,
    from_curie,
    plain_note,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex
from collabkg.terms import CK, CKC, DCTERMS, ORG, PROV, RDFS

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph


# --------------------------------------------------------------------------- profiles


Segment = str | tuple[str, str]
"""Text, or (label, iri) for a named thing (rendered as a link when it has a profile)."""


@dataclass
class Fact:
    """One statement on a profile page, with the node whose evidence backs it."""

    title: list[Segment]
    details: list[tuple[str, list[Segment]]] = field(default_factory=list)
    node: str | None = None
    notes: list[str] = field(default_factory=list)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    flag: str = ""
    """A short warning shown with the fact (e.g. no accountability recorded)."""


@dataclass
class Section:
    key: str
    title: str
    facts: list[Fact] = field(default_factory=list)
    empty: str = ""
    """What to say when there is nothing (the absence can be the finding)."""


@dataclass
class Profile:
    iri: str
    label: str
    kind: Kind
    summary: list[tuple[str, list[Segment]]]
    sections: list[Section]
    node: str
    notes: list[str] = field(default_factory=list)


@dataclass
class _Node:
    iri: str
    props: dict[str, list[Node]] = field(default_factory=dict)

    def all(self, prop: URIRef) -> list[Node]:
        return self.props.get(str(prop), [])

    def one(self, prop: URIRef) -> Node | None:
        values = self.all(prop)
        return values[0] if values else None

    def has(self, prop: URIRef) -> bool:
        return bool(self.all(prop))


def _describe_self(kg: KnowledgeGraph, iri: str) -> _Node:
    """Every property of one node."""
    node = _Node(iri)
    for row in kg.select(_q("SELECT ?s ?p ?v WHERE { ?s ?p ?v }"), {"s": URIRef(iri)}).rows:
        values = node.props.setdefault(_text(row["p"]), [])
        if row["v"] not in values:
            values.append(row["v"])  # type: ignore[arg-type]
    return node


def _describe(kg: KnowledgeGraph, var: str, value: str, pattern: str) -> list[_Node]:
    """Every property of the nodes ``?x`` matched by ``pattern`` (with ``?<var>`` bound)."""
    query = _q(f"SELECT DISTINCT ?{var} ?x ?p ?v WHERE {{ {pattern} ?x ?p ?v . }}")
    nodes: dict[str, _Node] = {}
    for row in kg.select(query, {var: URIRef(value)}).rows:
        x = row.get("x")
        if x is None:
            continue
        node = nodes.setdefault(str(x), _Node(str(x)))
        values = node.props.setdefault(_text(row["p"]), [])
        if row["v"] not in values:
            values.append(row["v"])  # type: ignore[arg-type]
    return list(nodes.values())


_ACCOUNTABILITY_PROPERTIES = {
    str(CK.isAccountableFor),
    str(CK.hasAccountableParty),
    str(CK.isAccountableTo),
    str(CK.hasAccountabilityForum),
}
"""Properties of an accountability line: a transfer that records one of them as unstated
(``ck:hasUnstatedProperty``) is one whose sources leave its accountability unstated."""


class _Builder:
    def __init__(self, index: ExplorerIndex, current: str = "") -> None:
        self.index = index
        self.current = current

    def others(self, terms: list[Node]) -> list[Node]:
        """The terms other than the entity whose profile is being built."""
        return [t for t in terms if str(t) != self.current]

    def ref(self, term: Node | None) -> Segment:
        if term is None:
            return ""
        if isinstance(term, RdfLiteral):
            return str(term)
        if isinstance(term, BNode):
            return "(unnamed)"
        return (self.index.label(term), str(term))

    def refs(self, terms: Iterable[Node]) -> list[Segment]:
        out: list[Segment] = []
        for i, term in enumerate(sorted(terms, key=lambda t: self.index.label(t).lower())):
            if i:
                out.append(", ")
            out.append(self.ref(term))
        return out

    def concepts(self, terms: Iterable[Node]) -> str:
        return ", ".join(sorted(_unique(self.index.label(t) for t in terms)))

    def notes(self, node: _Node) -> list[str]:
        out = []
        for prop in (DCTERMS.description, RDFS.comment):
            for value in node.all(prop):
                note = plain_note(str(value))
                if note:
                    out.append(note)
        return out

    def label_nodes(self, nodes: Sequence[_Node]) -> None:
        iris: set[str] = set()
        for node in nodes:
            iris.add(node.iri)
            for values in node.props.values():
                iris.update(str(v) for v in values if isinstance(v, URIRef))
        self.index.add_labels(iris)

    def detail(self, label: str, terms: list[Node], *, concept: bool = False):
        if not terms:
            return None
        if concept:
            return (label, [self.concepts(terms)])
        return (label, self.refs(terms))

    @staticmethod
    def details(*items: tuple[str, list[Segment]] | None) -> list[tuple[str, list[Segment]]]:
        return [item for item in items if item is not None]

    # ---------------------------------------------------------------- fact kinds

    def membership(self, m: _Node, *, side: Literal["member", "collaboration"]) -> Fact:
        target = m.one(ORG.member) if side == "member" else m.one(ORG.organization)
        role = self.concepts(m.all(ORG.role))
        title: list[Segment] = [self.ref(target)]
        if role:
            title.append(f" — {role}")
        details: list[tuple[str, list[Segment]]] = []
        if side == "member" and target is not None:
            sectors = self.index.sectors_of(str(target))
            entity = self.index.entities.get(str(target))
            if entity and entity.type_label:
                details.append(("Kind", [entity.type_label]))
            if sectors:
                details.append(("Sector", [self.concepts(URIRef(s) for s in sectors)]))
            parent = self.index.parent_of(str(target))
            if parent:
                details.append(("Part of", [self.ref(URIRef(parent))]))
        if side == "collaboration" and target is not None:
            structure = self.index.structure_types_of(str(target))
            if structure:
                details.append(("Structure type", [self.concepts(URIRef(s) for s in structure)]))
        period = m.all(ORG.memberDuring)
        if period:
            details.append(("When", [self.concepts(period)]))
        return Fact(title=title, details=details, node=m.iri, notes=self.notes(m))

    def funding(self, f: _Node) -> Fact:
        funders, recipients = f.all(CK.hasFunder), f.all(CK.hasRecipient)
        title: list[Segment] = [*self.refs(funders)] if funders else ["Funder not recorded"]
        title.append(" funds ")
        title.extend(self.refs(recipients) if recipients else ["a recipient not recorded"])
        amount = f.one(CK.hasAmountInPounds)
        details = self.details(
            self.detail("What", [URIRef(f.iri)]),
            self.detail("Mechanism", f.all(CK.hasFundingMechanism), concept=True),
            self.detail("Programme", f.all(CK.isPartOfProgramme), concept=True),
            self.detail("Status", f.all(CK.hasFundingStatus), concept=True),
            self.detail("Period", f.all(CK.hasPeriod), concept=True),
            ("Amount", [f"£{float(str(amount)):,.2f}"]) if amount is not None else None,
            self.detail("Sustains", f.all(CK.sustains)),
            self.detail("Reporting required", f.all(CK.hasReportingRequirement), concept=True),
            self.detail("Grant reference", f.all(CK.hasGrantReference), concept=True),
        )
        status = self.concepts(f.all(CK.hasFundingStatus)).lower()
        flag = "This funding is ending or has ended." if status in ("ending", "ended") else ""
        return Fact(title=title, details=details, node=f.iri, notes=self.notes(f), flag=flag)

    def accountability(self, a: _Node) -> Fact:
        parties = a.all(CK.hasAccountableParty)
        title: list[Segment] = (
            [*self.refs(parties)] if parties else ["No accountable party recorded"]
        )
        title.append(" is accountable to ")
        to = a.all(CK.isAccountableTo)
        forum = self.concepts(a.all(CK.hasAccountabilityForum))
        if to:
            title.extend(self.refs(to))
            if forum:
                title.append(f" ({forum})")
        else:
            title.append(forum or "(not recorded)")
        external = a.one(CK.isExternal)
        details = self.details(
            self.detail("For", a.all(CK.isAccountableFor)),
            self.detail("How", a.all(CK.hasAccountabilityMechanism), concept=True),
            (
                "External or internal",
                [
                    "external to the collaboration"
                    if str(external).lower() in ("true", "1")
                    else "internal to the collaboration"
                ],
            )
            if external is not None
            else None,
            self.detail("Collaboration", self.others(a.all(CK.concernsCollaboration))),
        )
        return Fact(title=title, details=details, node=a.iri, notes=self.notes(a))

    def activity(self, act: _Node) -> Fact:
        claimed = self.concepts(act.all(CK.isClaimedAs))
        classified = act.all(CK.isClassifiedAs)
        maybe = act.all(CK.mayBeClassifiedAs)
        details = self.details(
            self.detail("Activity of", self.others(act.all(CK.isActivityOf))),
            ("Claimed as", [claimed, " by ", *self.refs(act.all(CK.isClaimedBy))])
            if claimed and act.has(CK.isClaimedBy)
            else (("Claimed as", [claimed]) if claimed else None),
            ("Researchers classify it as", [self.concepts(classified)]) if classified else None,
            (
                "Researchers cannot tell whether it is",
                [" or ".join(sorted(_unique(self.index.label(t) for t in maybe)))],
            )
            if maybe
            else None,
            self.detail("Classified by", self.others(act.all(CK.isClassifiedBy))),
            self.detail("Participants", act.all(CK.involvesParticipants), concept=True),
            self.detail("Asset", act.all(CK.transfersAsset)),
            self.detail("From", act.all(CK.hasTransferor)),
            self.detail("To", act.all(CK.hasTransferee)),
            self.detail("How", act.all(CK.hasTransferMode), concept=True),
            self.detail(
                "Responsibilities passed on", act.all(CK.transfersResponsibility), concept=True
            ),
        )
        lists = []
        public = sorted(str(v) for v in act.all(CK.hasPublicSectorCommitment))
        citizens = sorted(str(v) for v in act.all(CK.hasCitizenCommitment))
        if public:
            lists.append(("What the public sector commits to", public))
        if citizens:
            lists.append(("What it asks of citizens", citizens))
        flag = ""
        verdict = verdict_on_claim(
            [str(t) for t in act.all(CK.isClaimedAs)],
            [str(t) for t in classified],
            [str(t) for t in maybe],
        )
        if verdict:
            flag = verdict
        return Fact(
            title=[self.ref(URIRef(act.iri))],
            details=details,
            node=act.iri,
            notes=self.notes(act),
            lists=lists,
            flag=flag,
        )

    def asset_transfer(self, t: _Node, lines: Sequence[_Node]) -> Fact:
        fact = self.activity(t)
        assets = {str(a) for a in t.all(CK.transfersAsset)}
        covering = [
            line
            for line in lines
            if {str(v) for v in line.all(CK.isAccountableFor)} & (assets | {t.iri})
        ]
        if covering:
            for line in covering:
                parties = self.refs(line.all(CK.hasAccountableParty)) or ["not recorded"]
                to = self.refs(line.all(CK.isAccountableTo)) or [
                    self.concepts(line.all(CK.hasAccountabilityForum)) or "not recorded"
                ]
                fact.details.append(("Accountable", [*parties, " to ", *to]))
        else:
            fact.details.append(("Accountable", ["no one recorded"]))
            # only what the graph records: that the sources leave it unstated is said only
            # where the graph records so (ck:hasUnstatedProperty), never of a mere absence
            note = (
                "The sources leave unstated who is accountable for this asset once "
                "transferred (the graph records the gap as the sources' own)."
                if _ACCOUNTABILITY_PROPERTIES & {str(p) for p in t.all(CK.hasUnstatedProperty)}
                else "No accountability line for this asset is recorded in the sources."
            )
            fact.flag = f"{fact.flag} {note}".strip() if fact.flag else note
        return fact

    def statement(self, s: _Node) -> Fact:
        what = s.all(CK.hasBarrier) or s.all(CK.hasRationale) or s.all(CK.hasSuccessFactor)
        title: list[Segment] = (
            [sentence_case(self.concepts(what))] if what else [self.ref(URIRef(s.iri))]
        )
        details = self.details(
            self.detail("In full", [URIRef(s.iri)]) if what else None,
            self.detail("Reported by", self.others(s.all(CK.isReportedBy))),
            self.detail("Collaboration", self.others(s.all(CK.concernsCollaboration))),
        )
        return Fact(title=title, details=details, node=s.iri, notes=self.notes(s))

    def action(self, a: _Node) -> Fact:
        effect = self.concepts(a.all(CK.hasEffect))
        details = self.details(
            self.detail("Who acts", a.all(CK.hasActor)),
            self.detail("Affects", a.all(CK.affectsAgent)),
            ("Effect", [effect]) if effect else None,
            self.detail("Asset involved", a.all(CK.involvesAsset)),
        )
        return Fact(
            title=[self.ref(URIRef(a.iri))], details=details, node=a.iri, notes=self.notes(a)
        )

    def policy(self, policy: Node, assessments: Sequence[_Node]) -> Fact:
        """A policy behind a collaboration, with the hype-cycle stage a source gives it."""
        about = [a for a in assessments if policy in a.all(CK.assessesPolicy)]
        details: list[tuple[str, list[Segment]]] = [
            ("Stage of the hype cycle", [self.concepts(a.all(CK.hasHypeCycleStage))])
            for a in about
            if a.has(CK.hasHypeCycleStage)
        ]
        return Fact(
            title=[sentence_case(self.index.label(policy))],
            details=details,
            node=about[0].iri if about else self.current,
            notes=[n for a in about for n in self.notes(a)],
        )

    def generic(self, n: _Node, *extra: tuple[str, URIRef]) -> Fact:
        details = self.details(*(self.detail(label, n.all(prop)) for label, prop in extra))
        return Fact(
            title=[self.ref(URIRef(n.iri))], details=details, node=n.iri, notes=self.notes(n)
        )


def _flag_contradictions(facts: list[Fact], actions: Sequence[_Node]) -> list[Fact]:
    """Mark actions when one organisation's parts both support and undermine the same agent."""
    effects: dict[str, set[str]] = {}
    for action in actions:
        for agent in action.all(CK.affectsAgent):
            effects.setdefault(str(agent), set()).update(str(e) for e in action.all(CK.hasEffect))
    torn = {
        agent
        for agent, found in effects.items()
        if str(CKC.supports) in found and str(CKC.undermines) in found
    }
    for fact, action in zip(facts, actions, strict=True):
        if {str(a) for a in action.all(CK.affectsAgent)} & torn:
            fact.flag = (
                "Units of one organisation pull in opposite directions here: one supports "
                "and another undermines the same organisation."
            )
    return facts


def verdict_on_claim(
    claimed: Sequence[str], classified: Sequence[str], maybe: Sequence[str]
) -> str:
    """Plain words for how a claim of co-creation compares with the researchers' reading."""
    if not claimed:
        return ""
    claims_cocreation = any(c in COCREATION_KINDS for c in claimed)
    if not claims_cocreation:
        return ""
    if classified and not any(c in COCREATION_KINDS for c in classified):
        return "Claimed as co-creation, but the researchers classify it as something else."
    if maybe and not all(m in COCREATION_KINDS for m in maybe):
        return (
            "Claimed as co-creation, but the researchers cannot tell whether it is co-creation "
            "at all."
        )
    return ""


def _section(key: str, title: str, facts: list[Fact], empty: str = "") -> Section:
    return Section(key=key, title=title, facts=facts, empty=empty)


_TYPE_OF = str(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"))


def _types(node: _Node) -> set[str]:
    return {str(v) for v in node.props.get(_TYPE_OF, [])}


def collaboration_profile(index: ExplorerIndex, iri: str) -> Profile:
    """Everything the collaboration profile shows (members, funding, accountability...)."""
    kg, b = index.kg, _Builder(index, iri)
    entity = index.entities[iri]
    d = lambda pattern: _describe(kg, "c", iri, pattern)  # noqa: E731
    me = _describe_self(kg, iri)
    members = d("?x org:organization ?c .")
    funding = d(
        "?x a ck:FundingStream . { ?x ck:hasRecipient ?c } UNION { ?x ck:hasFunder ?c } "
        "UNION { ?x ck:sustains ?c } UNION { ?x ck:sustains ?a . ?a ck:isActivityOf ?c } "
        "UNION { ?x ck:sustains ?a . ?c ck:hasActivity ?a } "
        "UNION { ?m org:organization ?c ; org:member ?o . { ?x ck:hasRecipient ?o } }"
    )
    lines = d(
        "?x a ck:AccountabilityLine . { ?x ck:concernsCollaboration ?c } "
        "UNION { ?x ck:hasAccountableParty ?c } UNION { ?x ck:isAccountableTo ?c }"
    )
    activities = d("{ ?x ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?x }")
    transfers = d(
        "?x ck:transfersAsset ?asset . { ?x ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?x } "
        "UNION { ?x ck:hasTransferor ?c } UNION { ?x ck:hasTransferee ?c } "
        "UNION { ?m org:organization ?c ; org:member ?o . "
        "{ ?x ck:hasTransferor ?o } UNION { ?x ck:hasTransferee ?o } }"
    )
    asset_lines = d(
        "?t ck:transfersAsset ?asset . "
        "{ ?t ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?t } "
        "UNION { ?t ck:hasTransferor ?c } UNION { ?t ck:hasTransferee ?c } "
        "UNION { ?m org:organization ?c ; org:member ?o . "
        "{ ?t ck:hasTransferor ?o } UNION { ?t ck:hasTransferee ?o } } "
        "{ ?x ck:isAccountableFor ?asset } UNION { ?x ck:isAccountableFor ?t }"
    )
    statements = d(
        "?x ck:concernsCollaboration ?c . FILTER NOT EXISTS { ?x a ck:AccountabilityLine }"
    )
    studies = d("?x ck:studiesCollaboration ?c .")
    assessments = d("?c ck:isDrivenByPolicy ?policy . ?x ck:assessesPolicy ?policy .")
    cases = d("?x ck:isAbout ?c .")
    b.label_nodes(
        [
            me,
            *members,
            *funding,
            *lines,
            *activities,
            *transfers,
            *asset_lines,
            *statements,
            *studies,
            *cases,
            *assessments,
        ]
    )

    transfer_iris = {t.iri for t in transfers}
    plain_activities = [a for a in activities if a.iri not in transfer_iris]
    barriers = [s for s in statements if s.has(CK.hasBarrier)]
    rationales = [s for s in statements if s.has(CK.hasRationale)]
    successes = [s for s in statements if s.has(CK.hasSuccessFactor)]
    others = [s for s in statements if s not in barriers + rationales + successes]

    policies = me.all(CK.isDrivenByPolicy)
    summary = b.details(
        ("Kind", [entity.type_label])
        if entity.type_label and entity.type_label != "Collaboration"
        else None,
        b.detail("Structure type", me.all(CK.hasStructureType), concept=True),
        b.detail("Place", me.all(CK.operatesIn)),
        b.detail("Level of engagement", me.all(CK.hasEngagementLevel), concept=True),
        b.detail("Hosted by", me.all(CK.isHostedBy)),
        ("Sectors involved", [", ".join(sentence_case(s) for s in entity.sectors)])
        if entity.sectors
        else None,
    )
    by_label = lambda items: sorted(items, key=lambda n: index.label(n.iri).lower())  # noqa: E731
    sections = [
        _section(
            "members",
            "Members",
            [
                b.membership(m, side="member")
                for m in sorted(members, key=lambda m: index.label(m.one(ORG.member)).lower())
            ],
            "The sources name no members of this collaboration.",
        ),
        _section(
            "activities",
            "Activities: claimed and classified kind of involvement",
            [b.activity(a) for a in by_label(plain_activities)],
            "No activity is recorded for this collaboration.",
        ),
        _section(
            "transfers",
            "Asset transfers",
            [b.asset_transfer(t, asset_lines) for t in by_label(transfers)],
            "No asset transfer is recorded for this collaboration.",
        ),
        _section(
            "accountability",
            "Accountability",
            [b.accountability(a) for a in by_label(lines)],
            "No accountability line is recorded for this collaboration.",
        ),
        _section(
            "funding",
            "Funding",
            [b.funding(f) for f in by_label(funding)],
            "No funding is recorded for this collaboration.",
        ),
        _section(
            "rationales",
            "Why they collaborate",
            [b.statement(s) for s in by_label(rationales)],
            "No rationale is recorded for this collaboration.",
        ),
        _section(
            "barriers",
            "Barriers",
            [b.statement(s) for s in by_label(barriers)],
            "No barrier is recorded for this collaboration.",
        ),
        _section("success", "Success factors", [b.statement(s) for s in by_label(successes)]),
        _section("other", "Other statements", [b.statement(s) for s in by_label(others)]),
        _section(
            "policy",
            "Policy context",
            [b.policy(p, assessments) for p in sorted(policies, key=index.label)],
            "The sources tie this collaboration to no named policy.",
        ),
        _section(
            "studies",
            "Studied by",
            [b.generic(s, ("Research team", PROV.wasAssociatedWith)) for s in by_label(studies)],
        ),
    ]
    return _finish_profile(b, iri, entity.label, "collaboration", summary, sections, me, cases)


def _finish_profile(
    b: _Builder,
    iri: str,
    label: str,
    kind: Kind,
    summary: list[tuple[str, list[Segment]]],
    sections: list[Section],
    me: _Node,
    cases: list[_Node],
) -> Profile:
    """A profile of the non-empty sections, with the notes of the entity and of its cases."""
    notes = b.notes(me)
    for case in cases:
        notes.extend(b.notes(case))
    return Profile(
        iri=iri,
        label=label,
        kind=kind,
        summary=summary,
        sections=[s for s in sections if s.facts or s.empty],
        node=iri,
        notes=_unique(notes),
    )


def organisation_profile(index: ExplorerIndex, iri: str) -> Profile:
    """Everything the organisation profile shows."""
    kg, b = index.kg, _Builder(index, iri)
    entity = index.entities[iri]
    d = lambda pattern: _describe(kg, "o", iri, pattern)  # noqa: E731
    me = _describe_self(kg, iri)
    units = d("?x org:unitOf ?o .")
    memberships = d("?x org:member ?o .")
    funding = d(
        "?x a ck:FundingStream . { ?x ck:hasFunder ?o } UNION { ?x ck:hasRecipient ?o } "
        "UNION { ?x ck:hasFunder ?u . ?u org:unitOf ?o } "
        "UNION { ?x ck:hasRecipient ?u . ?u org:unitOf ?o }"
    )
    lines = d(
        "?x a ck:AccountabilityLine . { ?x ck:hasAccountableParty ?o } "
        "UNION { ?x ck:isAccountableTo ?o }"
    )
    transfers = d("{ ?x ck:hasTransferor ?o } UNION { ?x ck:hasTransferee ?o }")
    asset_lines = d(
        "{ ?t ck:hasTransferor ?o } UNION { ?t ck:hasTransferee ?o } "
        "?t ck:transfersAsset ?asset . "
        "{ ?x ck:isAccountableFor ?asset } UNION { ?x ck:isAccountableFor ?t }"
    )
    actions = d(
        "{ ?x ck:hasActor ?o } UNION { ?x ck:affectsAgent ?o } "
        "UNION { ?x ck:hasActor ?u . ?u org:unitOf ?o } "
        "UNION { ?x ck:affectsAgent ?u . ?u org:unitOf ?o }"
    )
    claims = d("{ ?x ck:isClaimedBy ?o } UNION { ?x ck:isClassifiedBy ?o }")
    reported = d("?x ck:isReportedBy ?o .")
    studies = d("?x prov:wasAssociatedWith ?o .")
    cases = d("?x ck:isAbout ?o .")
    b.label_nodes(
        [
            me,
            *units,
            *memberships,
            *funding,
            *lines,
            *transfers,
            *asset_lines,
            *actions,
            *claims,
            *reported,
            *studies,
            *cases,
        ]
    )

    by_label = lambda items: sorted(items, key=lambda n: index.label(n.iri).lower())  # noqa: E731
    asset_transfers = [t for t in transfers if t.has(CK.transfersAsset)]
    org_transfers = [t for t in transfers if not t.has(CK.transfersAsset)]
    summary = b.details(
        ("Kind", [entity.type_label]) if entity.type_label else None,
        b.detail("Sector", me.all(CK.hasSector), concept=True),
        b.detail("Place", me.all(CK.operatesIn)),
        b.detail("Part of", me.all(ORG.unitOf)),
        ("Units", b.refs(URIRef(u.iri) for u in units)) if units else None,
        ("Named in the sources", ["no — the sources describe it without naming it"])
        if entity.unnamed
        else None,
    )
    sections = [
        _section(
            "memberships",
            "Collaborations",
            [
                b.membership(m, side="collaboration")
                for m in sorted(
                    memberships, key=lambda m: index.label(m.one(ORG.organization)).lower()
                )
            ],
            "No membership of a collaboration is recorded.",
        ),
        _section(
            "funding",
            "Funding given and received",
            [b.funding(f) for f in by_label(funding)],
            "No funding is recorded for this organisation.",
        ),
        _section(
            "accountability",
            "Accountability",
            [b.accountability(a) for a in by_label(lines)],
            "No accountability line is recorded for this organisation.",
        ),
        _section(
            "transfers",
            "Asset transfers",
            [b.asset_transfer(t, asset_lines) for t in by_label(asset_transfers)],
        ),
        _section(
            "org-transfers",
            "Organisation transfers",
            [
                b.generic(
                    t,
                    ("Organisation moved", CK.transfersOrganisation),
                    ("From", CK.hasTransferor),
                    ("To", CK.hasTransferee),
                )
                for t in by_label(org_transfers)
            ],
        ),
        _section(
            "actions",
            "Actions for and against others (units pulling apart)",
            _flag_contradictions([b.action(a) for a in by_label(actions)], by_label(actions)),
        ),
        _section(
            "claims",
            "Activities it describes or classifies",
            [b.activity(a) for a in by_label(claims)],
        ),
        _section(
            "statements",
            "What it reports (rationales, barriers, success factors)",
            [b.statement(s) for s in by_label(reported)],
        ),
        _section(
            "studies",
            "Research it carries out",
            [b.generic(s, ("Studies", CK.studiesCollaboration)) for s in by_label(studies)],
        ),
    ]
    return _finish_profile(b, iri, entity.label, "organisation", summary, sections, me, cases)


def profile(index: ExplorerIndex, iri: str) -> Profile:
    kind = index.kind(iri)
    if kind == "collaboration":
        return collaboration_profile(index, iri)
    if kind == "organisation":
        return organisation_profile(index, iri)
    raise ParameterError(
        "there is no collaboration or organisation with this identifier",
        hint="choose one from the list",
    )


def resolve_id(index: ExplorerIndex, value: str | None, kind: Kind) -> str | None:
    """The IRI of an entity of ``kind`` named by a URL ``id`` parameter, or None."""
    if not value:
        return None
    try:
        iri = from_curie(value)
    except ParameterError:
        return None
    return iri if index.kind(iri) == kind else None


def find_activity(index: ExplorerIndex, words: str) -> tuple[str, str] | None:
    """(activity IRI, collaboration IRI) of the first activity whose label has ``words``
    (the words a bound parameter: the engine finds the few labels that have them; reading
    every activity's label cost Home 0.85 s at 1M triples)."""
    query = _q(
        """SELECT ?act ?c ?label ?words WHERE {
  { ?act ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?act }
  ?act rdfs:label ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), ?words))
}"""
    )
    wanted = words.lower()
    rows = index.kg.select(query, {"words": RdfLiteral(wanted)}).rows
    for row in sorted(rows, key=lambda r: _text(r["label"])):
        if wanted in _text(row["label"]).lower() and index.kind(row["c"]) == "collaboration":
            return _text(row["act"]), _text(row["c"])
    return None
