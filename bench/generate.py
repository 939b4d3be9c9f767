"""Deterministic synthetic case data shaped like the real cases, for benchmarks.

    python bench/generate.py --size 100k --out bench/out/100k

writes a project-like folder (``ontology/`` copied from this checkout, ``data/sources.ttl``,
``data/organisations/*.ttl`` and ``data/cases/*.ttl``) that ``collabkg`` can load with
``COLLABKG_HOME=<out>``. Every case follows docs/modelling.md: a collaboration with 3-8 members
across sectors, memberships with roles, funding streams, accountability lines, activities with
claimed and classified kinds, asset transfers, sources and quotations; one case in ten also
what its source found, argued, advised and asked (studies, a discrepancy between two sources'
accounts, claims, comparisons, recommendations, tactics, open questions). Every canned query
has rows at every size (tests/test_bench_generate.py). The same ``--size`` and
``--seed`` always give byte-identical files.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

PREFIXES = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

"""

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}

ORG_KINDS = [
    ("LocalAuthority", "publicSector", "Council"),
    ("NHSBody", "publicSector", "NHS Trust"),
    ("Charity", "voluntaryCommunitySector", "Charity"),
    ("CommunityGroup", "voluntaryCommunitySector", "Community Group"),
    ("CommunityInterestCompany", "voluntaryCommunitySector", "CIC"),
    ("Company", "privateSector", "Ltd"),
    ("University", "publicSector", "University"),
]
STRUCTURE_TYPES = [
    "collaborativeCouncil",
    "collaborativeMarket",
    "agentOfChange",
    "systemConnector",
]
ROLES = [
    "lead",
    "commissionerRole",
    "provider",
    "facilitator",
    "funderRole",
    "communityPartner",
    "member",
]
MECHANISMS = [
    "grant",
    "contract",
    "allianceContract",
    "outcomesBasedPayment",
    "communityFundGrant",
    "lotteryFunding",
    "inKindSupport",
]
STATUSES = ["ongoing", "ending", "ended"]
FORUMS = [
    ("commissioner", "contractReporting"),
    ("funder", "contractReporting"),
    ("electedCouncil", "electedScrutiny"),
    ("regulator", "inspection"),
    ("serviceUsers", "userFeedback"),
]
KINDS = [
    "coDesign",
    "coDelivery",
    "coCommissioning",
    "coAssessment",
    "citizenSelfHelp",
    "communitySelfOrganisation",
    "consultation",
]
ASSETS = [
    ("Library", "library"),
    ("SwimmingPool", "swimming pool"),
    ("CommunityCentre", "community centre"),
    ("PlayingField", "playing field"),
]
BARRIERS = [
    "competingInterests",
    "shortTermFunding",
    "timeBurden",
    "jargonRedTape",
    "powerImbalance",
]
ENGAGEMENT_LEVELS = ["consultativeEngagement", "instrumentalEngagement", "committedEngagement"]
POLICIES = ["bigSociety", "localism", "totalPlace", "communityBudgets", "austerity"]
HYPE_STAGES = [
    "policyTrigger",
    "peakOfInflatedExpectations",
    "troughOfDisillusionment",
    "slopeOfEnlightenment",
    "plateauOfProductivity",
]
EVERY = 10
"""One case in EVERY is also placed at an engagement level, driven by a policy (and one in
2 * EVERY has that policy assessed on the hype cycle), and records an action by which its
funder undermines the recipient of its funding: so that every canned query has rows at every
size (engagement-levels, policy-context, contradictory-relations), in the proportions of a
few cases, as the real data has."""
FINDINGS = 5
"""Case ``i`` with ``i % EVERY == FINDINGS`` also records what its source found, argued,
advised and asked (shaped like data/cases/golab-findings.ttl and voluntary-sector-tactics.ttl):
the research study as this source and as the next source report it, the discrepancy between
the two accounts, a claim, a comparative statement, a recommendation, a tactic tied to a
hype-cycle stage and an open question, each with a topic and a policy; the claim carries an
inference note. So the research questions (claims-by-policy, claims-by-topic,
comparative-statements, recommendations, tactics-by-hype-cycle-stage, open-questions,
source-disagreements, study-designs, inferences) have rows at every size. The first such case
names the Big Society and leadership (the queries' default choices)."""
TOPICS = [
    "leadership",
    "dataCapture",
    "coLocation",
    "communityInvolvement",
    "partnershipTensions",
    "democraticAccountability",
    "policyImplementation",
]
METHODS = ["semiStructuredInterviews", "interviews", "observation", "groupDiscussion"]
RATIONALES = ["shareResponsibility", "biggerCommunityRole", "betterImpactValue", "capacityBuilding"]
WORDS = [
    "we",
    "worked",
    "together",
    "on",
    "the",
    "service",
    "and",
    "learned",
    "from",
    "each",
    "other",
    "while",
    "the",
    "funding",
    "lasted",
    "and",
    "the",
    "council",
    "listened",
    "to",
    "what",
    "residents",
    "said",
    "about",
    "the",
    "centre",
    "and",
    "its",
    "future",
]


@dataclass(frozen=True)
class Plan:
    """How many of each thing a size needs."""

    cases: int
    organisations: int
    places: int
    sources: int


def plan_for(triples: int) -> Plan:
    """About 143.5 data triples a case, counting its share of the organisations, places,
    sources and findings (10k and 100k give 10,273 and 100,216 data triples; the ontology adds
    about 2,300)."""
    cases = max(4, round(triples / 143.5))
    return Plan(
        cases=cases,
        organisations=max(12, cases // 2),
        places=max(4, cases // 40),
        sources=max(3, cases // 25),
    )


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_sources(out: Path, plan: Plan) -> None:
    lines = [PREFIXES]
    for i in range(plan.sources):
        lines.append(
            f"ckd:syn-src-{i} a ck:Report ;\n    rdfs:label {_lit(f'Synthetic report {i}')} ;\n"
            f"    dcterms:title {_lit(f'Synthetic report {i}')} ;\n"
            f'    dcterms:date "20{10 + i % 15:02d}-01-01"^^xsd:date .\n'
        )
    (out / "data" / "sources.ttl").write_text("\n".join(lines), encoding="utf-8")


def write_shared(out: Path, plan: Plan, rng: random.Random) -> list[tuple[str, str]]:
    """Organisations and places, split into files of 200 organisations each."""
    orgs: list[tuple[str, str]] = []
    folder = out / "data" / "organisations"
    folder.mkdir(parents=True, exist_ok=True)
    places = [PREFIXES]
    for p in range(plan.places):
        places.append(
            f"ckd:syn-place-{p} a ck:LocalAuthorityArea ;\n    rdfs:label "
            f"{_lit(f'Synthetic area {p}')} ;\n    dcterms:source ckd:syn-src-{p % plan.sources} .\n"
        )
    (folder / "places.ttl").write_text("\n".join(places), encoding="utf-8")
    chunk: list[str] = []
    for i in range(plan.organisations):
        kind, sector, suffix = ORG_KINDS[rng.randrange(len(ORG_KINDS))]
        iri = f"ckd:syn-org-{i}"
        orgs.append((iri, sector))
        chunk.append(
            f"{iri} a ck:{kind} ;\n    rdfs:label {_lit(f'Synthetic {suffix} {i}')} ;\n"
            f"    ck:hasSector ckc:{sector} ;\n    ck:operatesIn ckd:syn-place-{i % plan.places} ;\n"
            f"    dcterms:source ckd:syn-src-{i % plan.sources} .\n"
        )
        if len(chunk) == 200 or i == plan.organisations - 1:
            n = i // 200
            (folder / f"organisations-{n:04d}.ttl").write_text(
                PREFIXES + "\n".join(chunk), encoding="utf-8"
            )
            chunk = []
    return orgs


def case_file_stem(i: int) -> str:
    """The name of case ``i``'s file; its case ID is ``ckd:case-<stem>`` (as the validator asks)."""
    return f"syn-case-{i:06d}"


def case_text(i: int, plan: Plan, orgs: list[tuple[str, str]], rng: random.Random) -> str:
    """One case file: a collaboration and everything the modelling guide attaches to it."""
    c = f"ckd:syn-collab-{i}"
    src = f"ckd:syn-src-{i % plan.sources}"
    derived = f"    prov:wasDerivedFrom {src} ."  # entities (PROV-O: domain prov:Entity)
    sourced = f"    dcterms:source {src} ."  # collaborations, memberships, activities
    out: list[str] = [PREFIXES]
    members = rng.sample(orgs, rng.randint(3, 8))
    structure = STRUCTURE_TYPES[i % len(STRUCTURE_TYPES)]
    quotes = [f"ckd:syn-quote-{i}-{q}" for q in range(2)]
    out.append(
        f"ckd:case-{case_file_stem(i)} a ck:Case ;\n    rdfs:label {_lit(f'Synthetic case {i}')} ;\n"
        f"    ck:isAbout {c} ;\n    ck:isEvidencedBy {quotes[0]} ;\n{derived}\n"
    )
    for q, qi in enumerate(quotes):
        out.append(
            f"{qi} a ck:Quotation ;\n    rdfs:label {_lit(f'Quotation {q + 1} for case {i}')} ;\n"
            f'    ck:hasText {_lit(_sentence(rng, 14))} ;\n    ck:hasSpeakerRole "council officer" ;\n'
            f"    prov:wasQuotedFrom {src} .\n"
        )
    placed = i % EVERY == 0
    extra = (
        f"    ck:hasEngagementLevel ckc:{ENGAGEMENT_LEVELS[(i // EVERY) % 3]} ;\n"
        f"    ck:isDrivenByPolicy ckc:{POLICIES[(i // EVERY) % len(POLICIES)]} ;\n"
        if placed
        else ""
    )
    out.append(
        f"{c} a ck:Collaboration ;\n    rdfs:label {_lit(f'Synthetic partnership {i}')} ;\n"
        f"    ck:hasStructureType ckc:{structure} ;\n    ck:operatesIn ckd:syn-place-{i % plan.places} ;\n"
        f"{extra}    ck:isEvidencedBy {quotes[0]} ;\n{sourced}\n"
    )
    out.append(
        f'ckd:syn-period-{i} a ck:Period ;\n    rdfs:label "{2010 + i % 10}–{2012 + i % 10}" ;\n'
        f'    ck:hasStartDate "{2010 + i % 10}"^^xsd:gYear ;\n'
        f'    ck:hasEndDate "{2012 + i % 10}"^^xsd:gYear .\n'
    )
    for m, (org, _sector) in enumerate(members):
        role = "lead" if m == 0 else ROLES[rng.randrange(1, len(ROLES))]
        out.append(
            f"ckd:syn-m-{i}-{m} a org:Membership ;\n    rdfs:label {_lit(f'Member {m} of partnership {i}')} ;\n"
            f"    org:organization {c} ;\n    org:member {org} ;\n    org:role ckc:{role} ;\n"
            f"    org:memberDuring ckd:syn-period-{i} ;\n{sourced}\n"
        )
    funder = members[0][0]
    streams = []
    for f in range(rng.randint(1, 2)):
        fs = f"ckd:syn-fund-{i}-{f}"
        streams.append(fs)
        recipient = members[1 + f % (len(members) - 1)][0]
        out.append(
            f"{fs} a ck:FundingStream ;\n    rdfs:label {_lit(f'Funding stream {f} of partnership {i}')} ;\n"
            f"    ck:hasFunder {funder} ;\n    ck:hasRecipient {recipient} ;\n"
            f"    ck:hasFundingMechanism ckc:{MECHANISMS[rng.randrange(len(MECHANISMS))]} ;\n"
            f"    ck:hasFundingStatus ckc:{STATUSES[rng.randrange(len(STATUSES))]} ;\n"
            f"    ck:hasPeriod ckd:syn-period-{i} ;\n    ck:hasAmountInPounds {rng.randrange(5, 500) * 1000}.00 ;\n"
            f"    ck:sustains {c} ;\n{derived}\n"
        )
    if placed:
        recipient = members[1][0]  # the recipient of the first funding stream
        out.append(
            f"ckd:syn-action-{i} a ck:OrganisationalAction ;\n"
            f"    rdfs:label {_lit(f'Funder of partnership {i} withdraws premises')} ;\n"
            f"    ck:hasActor {funder} ;\n    ck:affectsAgent {recipient} ;\n"
            f"    ck:hasEffect ckc:undermines ;\n    ck:isEvidencedBy {quotes[1]} ;\n{sourced}\n"
        )
        if i % (2 * EVERY) == 0:
            policy = POLICIES[(i // EVERY) % len(POLICIES)]
            out.append(
                f"ckd:syn-hype-{i} a ck:HypeCycleAssessment ;\n"
                f"    rdfs:label {_lit(f'Assessment of a policy in case {i}')} ;\n"
                f"    ck:assessesPolicy ckc:{policy} ;\n"
                f"    ck:hasHypeCycleStage ckc:{HYPE_STAGES[(i // EVERY) % len(HYPE_STAGES)]} ;\n"
                f"    ck:isReportedBy {funder} ;\n    ck:isEvidencedBy {quotes[1]} ;\n{derived}\n"
            )
    if i % EVERY == FINDINGS:
        out.extend(findings_blocks(i, plan, c, funder, members[-1][0], quotes))
    for a in range(rng.randint(1, 3)):
        forum, mech = FORUMS[rng.randrange(len(FORUMS))]
        target = streams[a % len(streams)]
        out.append(
            f"ckd:syn-acct-{i}-{a} a ck:AccountabilityLine ;\n"
            f"    rdfs:label {_lit(f'Accountability line {a} of partnership {i}')} ;\n"
            f"    ck:hasAccountableParty {members[1 + a % (len(members) - 1)][0]} ;\n"
            f"    ck:isAccountableTo {funder} ;\n    ck:hasAccountabilityForum ckc:{forum} ;\n"
            f"    ck:isAccountableFor {target} ;\n    ck:hasAccountabilityMechanism ckc:{mech} ;\n"
            f"    ck:isExternal true ;\n    ck:concernsCollaboration {c} ;\n{derived}\n"
        )
    for k in range(rng.randint(1, 3)):
        kind = KINDS[rng.randrange(len(KINDS))]
        out.append(
            f"ckd:syn-act-{i}-{k} a ck:Activity ;\n    rdfs:label {_lit(f'Activity {k} of partnership {i}')} ;\n"
            f"    ck:isActivityOf {c} ;\n    ck:isClaimedAs ckc:coCreation ;\n    ck:isClaimedBy {funder} ;\n"
            f"    ck:isClassifiedAs ckc:{kind} ;\n    ck:isEvidencedBy {quotes[1]} ;\n{sourced}\n"
        )
    if i % 3 == 0:
        cls, noun = ASSETS[rng.randrange(len(ASSETS))]
        out.append(
            f"ckd:syn-asset-{i} a ck:{cls} ;\n    rdfs:label {_lit(f'Synthetic {noun} {i}')} ;\n{derived}\n"
        )
        out.append(
            f"ckd:syn-transfer-{i} a ck:AssetTransfer ;\n    rdfs:label {_lit(f'Transfer of synthetic {noun} {i}')} ;\n"
            f"    ck:isActivityOf {c} ;\n    ck:transfersAsset ckd:syn-asset-{i} ;\n"
            f"    ck:hasTransferor {funder} ;\n    ck:hasTransferee {members[-1][0]} ;\n"
            f"    ck:hasTransferMode ckc:{'longTermLease' if i % 2 else 'sale'} ;\n"
            f"    ck:transfersResponsibility ckc:maintenance ;\n"
            f"    ck:isClaimedAs ckc:coCreation ;\n    ck:isClassifiedAs ckc:communitySelfOrganisation ;\n{sourced}\n"
        )
        if i % 2:
            out.append(
                f"ckd:syn-acct-asset-{i} a ck:AccountabilityLine ;\n"
                f"    rdfs:label {_lit(f'Accountability for synthetic {noun} {i}')} ;\n"
                f"    ck:hasAccountableParty {members[-1][0]} ;\n    ck:isAccountableTo {funder} ;\n"
                f"    ck:hasAccountabilityForum ckc:electedCouncil ;\n    ck:isAccountableFor ckd:syn-asset-{i} ;\n"
                f"    ck:hasAccountabilityMechanism ckc:electedScrutiny ;\n    ck:isExternal true ;\n{derived}\n"
            )
    out.append(
        f"ckd:syn-barrier-{i} a ck:BarrierReport ;\n    rdfs:label {_lit(f'Barrier in partnership {i}')} ;\n"
        f"    ck:hasBarrier ckc:{BARRIERS[i % len(BARRIERS)]} ;\n    ck:concernsCollaboration {c} ;\n"
        f"    ck:isReportedBy {members[-1][0]} ;\n{derived}\n"
    )
    out.append(
        f"ckd:syn-rationale-{i} a ck:RationaleStatement ;\n    rdfs:label {_lit(f'Rationale of partnership {i}')} ;\n"
        f"    ck:hasRationale ckc:{RATIONALES[i % len(RATIONALES)]} ;\n    ck:concernsCollaboration {c} ;\n{derived}\n"
    )
    return "\n".join(out)


def findings_blocks(
    i: int, plan: Plan, collab: str, reporter: str, addressee: str, quotes: list[str]
) -> list[str]:
    """What case ``i``'s source found, argued, advised and asked (see FINDINGS). Uses no random
    numbers, so the rest of the data is the same as without it."""
    n = i // EVERY
    src = f"ckd:syn-src-{i % plan.sources}"
    other = f"ckd:syn-src-{(i + 1) % plan.sources}"
    topic = f"ckc:{TOPICS[n % len(TOPICS)]}"
    policy = f"ckc:{POLICIES[n % len(POLICIES)]}"
    stage = f"ckc:{HYPE_STAGES[n % len(HYPE_STAGES)]}"
    study, account = f"ckd:syn-study-{i}", f"ckd:syn-study-{i}-other"
    other_quote = f"ckd:syn-quote-{i}-other"
    about = f"    ck:hasTopic {topic} ;\n    ck:concernsPolicy {policy} ;\n"
    said = f"    ck:isReportedBy {reporter} ;\n    ck:isEvidencedBy {quotes[1]} ;\n"
    derived = f"    prov:wasDerivedFrom {src} ."
    return [
        f"{other_quote} a ck:Quotation ;\n    rdfs:label {_lit(f'Quotation from another source for case {i}')} ;\n"
        f"    ck:hasText {_lit(f'we spoke to {12 + n % 7} people in the partnership')} ;\n"
        f'    ck:hasSpeakerRole "researcher" ;\n    prov:wasQuotedFrom {other} .\n',
        f"{study} a ck:ResearchStudy ;\n    rdfs:label {_lit(f'Study of partnership {i}')} ;\n"
        f"    ck:usesMethod ckc:{METHODS[n % len(METHODS)]} ;\n"
        f"    ck:hasParticipantDescription {_lit(f'staff and residents of partnership {i}')} ;\n"
        f'    ck:hasInterviewCount "{20 + n % 11}"^^xsd:nonNegativeInteger ;\n'
        f'    ck:hasStudiedCollaborationCount "1"^^xsd:nonNegativeInteger ;\n'
        f"    ck:hasPeriod ckd:syn-period-{i} ;\n    ck:isConductedIn ckd:syn-place-{i % plan.places} ;\n"
        f"    ck:studiesCollaboration {collab} ;\n    prov:wasAssociatedWith {reporter} ;\n"
        f"    ck:isEvidencedBy {quotes[0]} ;\n    dcterms:source {src} .\n",
        f"{account} a ck:ResearchStudy ;\n"
        f"    rdfs:label {_lit(f'Study of partnership {i}, as another source reports it')} ;\n"
        f'    ck:hasInterviewCount "{12 + n % 7}"^^xsd:nonNegativeInteger ;\n'
        f"    ck:studiesCollaboration {collab} ;\n    ck:isEvidencedBy {other_quote} ;\n"
        f"    dcterms:source {other} .\n",
        f"ckd:syn-discrepancy-{i} a ck:SourceDiscrepancy ;\n"
        f"    rdfs:label {_lit(f'How many people the study of partnership {i} interviewed')} ;\n"
        f'    ck:hasAspect "number of interviews" ;\n    ck:concernsAccount {study}, {account} ;\n'
        f"    dcterms:description {_lit('The two sources give different counts; neither explains it.')} ;\n"
        f"    ck:isEvidencedBy {quotes[0]}, {other_quote} ;\n    prov:wasDerivedFrom {src}, {other} .\n",
        f"ckd:syn-claim-{i} a ck:Claim ;\n    rdfs:label {_lit(f'Partnership {i} relied on its lead')} ;\n"
        f"{about}"
        f'    ck:hasQualifier "sometimes" ;\n    ck:isFindingOf {study} ;\n'
        f"    ck:hasInferenceNote {_lit('The source names the agenda only by its effects.')} ;\n"
        f"{said}{derived}\n",
        f"ckd:syn-compare-{i} a ck:ComparativeStatement ;\n"
        f"    rdfs:label {_lit(f'Partnership {i} compared with grant-funded ones')} ;\n"
        f'    ck:hasComparedGroup "collaborations with outcomes-based payments" ;\n'
        f'    ck:hasComparedAttribute "more defined reporting requirements" ;\n'
        f'    ck:hasComparisonGroup "those with grant funding" ;\n    ck:hasQualifier "usually" ;\n'
        f"    ck:concernsCollaboration {collab} ;\n{about}{said}{derived}\n",
        f"ckd:syn-rec-{i} a ck:Recommendation ;\n"
        f"    rdfs:label {_lit(f'Partnerships like {i} should share their data')} ;\n"
        f"    ck:isAddressedTo {addressee} ;\n"
        f'    ck:hasCondition "when funding is short" ;\n    ck:hasListPosition 1 ;\n'
        f"{about}{said}{derived}\n",
        f"ckd:syn-tactic-{i} a ck:Tactic ;\n"
        f"    rdfs:label {_lit(f'Partnerships like {i} should tell personal stories')} ;\n"
        f"    ck:isAddressedTo {addressee} ;\n    ck:concernsHypeCycleStage {stage} ;\n"
        f"    ck:hasListPosition 2 ;\n{about}{said}{derived}\n",
        f"ckd:syn-question-{i} a ck:OpenQuestion ;\n"
        f"    rdfs:label {_lit(f'Will partnership {i} outlast its funding?')} ;\n"
        f"    ck:hasListPosition 3 ;\n{about}{said}{derived}\n",
    ]


def generate(out: Path, triples: int, seed: int = 20261122, ontology: Path | None = None) -> Plan:
    """Write a synthetic project of about ``triples`` data triples into ``out``."""
    rng = random.Random(seed)
    plan = plan_for(triples)
    if out.exists():
        shutil.rmtree(out)
    (out / "data" / "cases").mkdir(parents=True)
    src_ontology = ontology or Path(__file__).resolve().parent.parent / "ontology"
    shutil.copytree(src_ontology, out / "ontology")
    for name in ("shapes", "queries"):  # the model, and the canned questions (explorer)
        if (src_ontology.parent / name).is_dir():
            shutil.copytree(src_ontology.parent / name, out / name)
    write_sources(out, plan)
    orgs = write_shared(out, plan, rng)
    for i in range(plan.cases):
        folder = out / "data" / "cases" / f"{i // 500:03d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{case_file_stem(i)}.ttl").write_text(
            case_text(i, plan, orgs, rng), encoding="utf-8"
        )
    return plan


def size_of(text: str) -> int:
    """A number of triples as a person writes it: ``10k``, ``3M``, ``2.5M``, ``1500000`` or
    ``1_000_000``; anything else an ArgumentTypeError (argparse shows it as a usage error)."""
    cleaned = text.strip().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:].lower(), 1)
    number = cleaned[:-1] if scale != 1 else cleaned
    try:
        value = float(number) * scale
    except ValueError:
        value = 0.0
    if not math.isfinite(value) or round(value) <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: write a number of triples, e.g. 10k, 3M or 1500000"
        )
    return round(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        type=size_of,
        default="10k",
        help="triples: 10k, 100k, 1M, 3M, 10M or any number (1500000)",
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args(argv)
    plan = generate(args.out, args.size, args.seed)
    print(f"wrote {plan.cases} cases, {plan.organisations} organisations to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
