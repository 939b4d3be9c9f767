"""Words for the vocabulary rules' reports: the W3C vocabularies we know, "did you mean",
what a property links to, and how to describe a new item (Turtle examples in hints)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

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

from collabkg.terms import CK, CKC, CKD, CKSH, compact
from collabkg.validate.rules.base import local_name as _local

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
PLACEHOLDER = "CHANGE-ME"
"""What data/TEMPLATE.ttl marks every blank to fill with."""


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
    scored = []
    for c in candidates:
        if c == iri:
            continue
        matcher = difflib.SequenceMatcher(None, target, _local(c).lower())
        # (the quick ratios bound the ratio from above: below the cutoff, so is the ratio)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            scored.append((-matcher.ratio(), c))
    scored.sort()
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


__all__ = [
    "COMMON_PROPERTIES",
    "EXPECTED_KIND",
    "OURS",
    "PLACEHOLDER",
    "STANDARD",
    "close_matches",
    "closest",
    "describe_example",
]
