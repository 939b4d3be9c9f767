"""Every SHACL node shape has a valid and an invalid fixture with its expected results.

tests/fixtures/shapes/<Shape>/valid.ttl must conform (no error, warning or note at all);
tests/fixtures/shapes/<Shape>/invalid.ttl must give exactly the results listed in
EXPECTED: (line, focus node, property, severity). Both are checked against the real
ontology and shapes, with tests/fixtures/shapes/context.ttl as the rest of the graph.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from collabkg.paths import ProjectPaths
from collabkg.validate.inputs import Inputs, project_inputs
from collabkg.validate.pipeline import run
from collabkg.validate.report import Report, Severity

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "shapes"
CONTEXT = FIXTURES / "context.ttl"

Expected = tuple[int, str, str, str]
"""(line, focus node, property or check name, severity) of one result."""

EXPECTED: dict[str, set[Expected]] = {
    "OutcomesBasedContractShape": {
        (12, "ckd:fx-obc-bad", "members", "warning"),
        (12, "ckd:fx-obc-bad", "ck:sustains (pointing to this item)", "warning"),
        (14, "ckd:fx-obc-bad", "ck:hasCollaborationStatus", "violation"),
    },
    "SocialInvestorShape": {
        (12, "ckd:fx-investor-idle", "ck:hasInvestor (pointing to this item)", "info"),
    },
    "InvestmentShape": {
        (12, "ckd:fx-investment-bad", "ck:hasInvestor", "violation"),
        (12, "ckd:fx-investment-bad", "ck:hasPeriod", "warning"),
        (17, "ckd:fx-investment-bad", "ck:hasCapitalAtRiskInPounds", "violation"),
        (18, "ckd:fx-investment-bad", "ck:isRepaidFrom", "violation"),
    },
    "OutcomePaymentShape": {
        (12, "ckd:fx-payment-bad", "ck:isPaidFor", "warning"),
        (12, "ckd:fx-payment-bad", "ck:hasPeriod", "warning"),
        (17, "ckd:fx-payment-bad", "ck:hasPricePerOutcomeInPounds", "violation"),
    },
    "OutcomeMetricShape": {
        (12, "ckd:fx-metric-bad", "ck:isMetricOf", "violation"),
        (12, "ckd:fx-metric-bad", "ck:hasMeasure", "violation"),
        (12, "ckd:fx-metric-bad", "ck:hasUnitOfMeasure", "warning"),
        (14, "ckd:fx-metric-bad", "ck:hasTargetValue", "violation"),
    },
    "InterventionShape": {
        (14, "ckd:fx-intervention-bad", "ck:isLicensedBy", "warning"),
        (14, "ckd:fx-intervention-bad", "ck:isLicensedBy", "violation"),
    },
    "LicensedInterventionShape": {
        (12, "ckd:fx-licensed-bad", "ck:isLicensedBy", "warning"),
    },
    "GroupShape": {
        (12, "ckd:fx-group-bad", "dcterms:source", "violation"),
        (12, "ckd:fx-group-bad", "ck:isUnnamedInSource", "violation"),
        (14, "ckd:fx-group-bad", "ck:includesMembersFrom", "violation"),
        (15, "ckd:fx-group-bad", "prov:wasDerivedFrom", "violation"),
    },
    "PersonShape": {
        (12, "ckd:fx-person-bad", "rdfs:label", "violation"),
        (12, "ckd:fx-person-bad", "dcterms:source", "violation"),
    },
    "WebPageShape": {
        (12, "ckd:fx-web-bad", "ck:hasWebAddress", "violation"),
        (12, "ckd:fx-web-bad", "ck:hasAccessDate", "warning"),
    },
    "AccountabilityLineShape": {
        (12, "ckd:fx-acct-bad", "ck:hasAccountabilityForum", "violation"),
        (12, "ckd:fx-acct-bad", "ck:hasAccountableParty", "violation"),
        (14, "ckd:fx-acct-bad", "ck:isAccountableFor", "violation"),
        (15, "ckd:fx-acct-bad", "ck:isExternal", "violation"),
        (19, "ckd:fx-acct-odd", "ck:isAccountableFor", "warning"),
        (22, "ckd:fx-acct-odd", "ck:hasAccountabilityForum", "violation"),
        (23, "ckd:fx-acct-odd", "ck:hasAccountabilityMechanism", "violation"),
    },
    "ActivityShape": {
        (12, "ckd:fx-activity-bad", "dcterms:source", "violation"),
        (12, "ckd:fx-activity-bad", "ck:mayBeClassifiedAs", "warning"),
        (14, "ckd:fx-activity-bad", "ck:isActivityOf", "violation"),
        (15, "ckd:fx-activity-bad", "ck:isClaimedAs", "violation"),
        (17, "ckd:fx-activity-bad", "ck:isClassifiedBy", "violation"),
    },
    "AssetShape": {
        (12, "ckd:fx-asset-bad", "prov:wasDerivedFrom", "violation"),
        (12, "ckd:fx-asset-bad", "rdfs:label", "violation"),
        (13, "ckd:fx-asset-bad", "ck:isUnnamedInSource", "violation"),
    },
    "AssetTransferShape": {
        (12, "ckd:fx-transfer-noasset", "ck:transfersAsset", "violation"),
        (12, "ckd:fx-transfer-noasset", "ck:hasTransferee", "warning"),
        (19, "ckd:fx-transfer-gap", "ck:transfersAsset", "warning"),
        (20, "ckd:fx-transfer-gap", "ck:hasTransferee", "violation"),
        (21, "ckd:fx-transfer-gap", "ck:hasTransferMode", "violation"),
        (22, "ckd:fx-transfer-gap", "ck:transfersResponsibility", "violation"),
    },
    "BarrierReportShape": {
        (12, "ckd:fx-barrier-none", "ck:hasBarrier", "violation"),
        (19, "ckd:fx-barrier-odd", "ck:hasBarrier", "violation"),
    },
    "CaseShape": {
        (12, "ckd:case-fx-empty", "ck:isAbout", "violation"),
        (12, "ckd:case-fx-empty", "prov:wasDerivedFrom", "violation"),
        (12, "ckd:case-fx-empty", "rdfs:label", "violation"),
        (12, "ckd:case-fx-empty", "quotation", "warning"),
        (15, "ckd:case-fx-noquote", "quotation", "warning"),
    },
    "CollaborationShape": {
        (12, "ckd:fx-collab-bad", "members", "warning"),
        (14, "ckd:fx-collab-bad", "ck:hasStructureType", "violation"),
        (15, "ckd:fx-collab-bad", "ck:hasEngagementLevel", "violation"),
        (16, "ckd:fx-collab-bad", "ck:isDrivenByPolicy", "violation"),
        (17, "ckd:fx-collab-bad", "ck:hasActivity", "violation"),
    },
    "DealShape": {
        (14, "ckd:fx-deal-bad", "ck:hasPublicSectorCommitment", "violation"),
        (15, "ckd:fx-deal-bad", "ck:hasCitizenCommitment", "violation"),
    },
    "FundingStreamShape": {
        (12, "ckd:fx-fund-bad", "ck:hasFunder", "violation"),
        (12, "ckd:fx-fund-bad", "ck:hasFundingMechanism", "warning"),
        (12, "ckd:fx-fund-bad", "ck:hasPeriod", "warning"),
        (12, "ckd:fx-fund-bad", "ck:hasRecipient", "warning"),
        (14, "ckd:fx-fund-bad", "ck:hasAmountInPounds", "violation"),
        (15, "ckd:fx-fund-bad", "ck:hasFundingStatus", "violation"),
        (21, "ckd:fx-fund-odd", "ck:hasFunder", "violation"),
        (23, "ckd:fx-fund-odd", "ck:hasFundingMechanism", "violation"),
        (25, "ckd:fx-fund-odd", "ck:hasAmountInPounds", "violation"),
    },
    "HypeCycleAssessmentShape": {
        (14, "ckd:fx-hype-bad", "ck:assessesPolicy", "violation"),
        (15, "ckd:fx-hype-bad", "ck:hasHypeCycleStage", "violation"),
        (19, "ckd:fx-hype-empty", "ck:hasHypeCycleStage", "violation"),
        (19, "ckd:fx-hype-empty", "ck:assessesPolicy", "violation"),
    },
    "MembershipShape": {
        (12, "ckd:fx-m-bad", "org:organization", "violation"),
        (14, "ckd:fx-m-bad", "org:member", "violation"),
        (15, "ckd:fx-m-bad", "org:role", "violation"),
        (19, "ckd:fx-m-place", "org:role", "warning"),
        (22, "ckd:fx-m-place", "org:member", "violation"),
        (23, "ckd:fx-m-place", "org:memberDuring", "violation"),
    },
    "OrganisationShape": {
        (12, "ckd:fx-org-bad", "dcterms:source", "violation"),
        (12, "ckd:fx-org-bad", "rdfs:label", "violation"),
        (13, "ckd:fx-org-bad", "ck:hasSector", "violation"),
        (14, "ckd:fx-org-bad", "ck:operatesIn", "violation"),
        (17, "ckd:fx-org-unnamed", "ck:hasSector", "warning"),
        (19, "ckd:fx-org-unnamed", "ck:isUnnamedInSource", "info"),
        (20, "ckd:fx-org-unnamed", "dcterms:source", "violation"),
    },
    "OrganisationTransferShape": {
        (12, "ckd:fx-org-transfer-bad", "ck:transfersOrganisation", "violation"),
        (14, "ckd:fx-org-transfer-bad", "ck:hasTransferee", "violation"),
    },
    "OrganisationalActionShape": {
        (12, "ckd:fx-action-bad", "ck:hasActor", "violation"),
        (12, "ckd:fx-action-bad", "ck:affectsAgent", "violation"),
        (14, "ckd:fx-action-bad", "ck:hasEffect", "violation"),
    },
    "OrganisationalUnitShape": {
        (12, "ckd:fx-unit-orphan", "org:unitOf or org:subOrganizationOf", "violation"),
        (19, "ckd:fx-unit-badparent", "org:unitOf", "violation"),
    },
    "OutcomeShape": {
        (12, "ckd:fx-outcome-bad", "prov:wasDerivedFrom", "violation"),
        (14, "ckd:fx-outcome-bad", "ck:isEvidencedBy", "violation"),
    },
    "PeriodShape": {
        (15, "ckd:fx-period-reversed", "ck:hasEndDate", "violation"),
        (
            18,
            "ckd:fx-period-empty",
            "ck:hasStartDate or ck:hasEndDate or ck:hasDuration",
            "violation",
        ),
        (18, "ckd:fx-period-empty", "rdfs:label", "warning"),
        (23, "ckd:fx-period-text", "ck:hasStartDate", "violation"),
    },
    "PlaceShape": {
        (12, "ckd:fx-place-bad", "dcterms:source", "violation"),
        (12, "ckd:fx-place-bad", "rdfs:label", "violation"),
        (16, "ckd:fx-place-number", "rdfs:label", "violation"),
    },
    "ProgrammeShape": {
        (12, "ckd:fx-programme-bad", "prov:wasDerivedFrom", "violation"),
        (12, "ckd:fx-programme-bad", "rdfs:label", "violation"),
        (13, "ckd:fx-programme-bad", "ck:isDrivenByPolicy", "violation"),
    },
    "QuotationShape": {
        (12, "ckd:fx-q-nosource", "prov:wasQuotedFrom", "violation"),
        (17, "ckd:fx-q-badsource", "rdfs:label", "violation"),
        (18, "ckd:fx-q-badsource", "ck:hasText", "warning"),
        (19, "ckd:fx-q-badsource", "prov:wasQuotedFrom", "violation"),
        (22, "ckd:fx-q-empty", "ck:hasText", "violation"),
        (30, "ckd:fx-q-voice", "ck:isInAuthorsVoice", "violation"),
    },
    "RationaleStatementShape": {
        (12, "ckd:fx-rationale-none", "ck:hasRationale", "violation"),
        (14, "ckd:fx-rationale-none", "ck:concernsCollaboration", "violation"),
        (20, "ckd:fx-rationale-odd", "ck:hasRationale", "violation"),
        (21, "ckd:fx-rationale-odd", "ck:isReportedBy", "violation"),
    },
    "ReportingRequirementShape": {
        (12, "ckd:fx-reporting-bad", "prov:wasDerivedFrom", "violation"),
        (14, "ckd:fx-reporting-bad", "ck:isReportedTo", "violation"),
    },
    "ResearchStudyShape": {
        (14, "ckd:fx-study-bad", "ck:hasInterviewCount", "violation"),
        (15, "ckd:fx-study-bad", "ck:hasStudiedOrganisationCount", "violation"),
        (16, "ckd:fx-study-bad", "ck:studiesCollaboration", "violation"),
        (22, "ckd:fx-study-design-bad", "ck:usesMethod", "violation"),
        (23, "ckd:fx-study-design-bad", "ck:isConductedIn", "violation"),
        (24, "ckd:fx-study-design-bad", "ck:isPhaseOf", "violation"),
        (25, "ckd:fx-study-design-bad", "ck:hasParticipantDescription", "violation"),
    },
    "ServiceShape": {
        (12, "ckd:fx-service-bad", "prov:wasDerivedFrom", "violation"),
        (12, "ckd:fx-service-bad", "rdfs:label", "violation"),
    },
    "SourceShape": {
        (12, "ckd:fx-src-bad", "rdfs:label", "violation"),
        (12, "ckd:fx-src-bad", "dcterms:title", "warning"),
        (13, "ckd:fx-src-bad", "dcterms:date", "violation"),
        (14, "ckd:fx-src-bad", "ck:hasTextFile", "violation"),
        (17, "ckd:fx-src-undated", "dcterms:date", "warning"),
        (26, "ckd:fx-src-web", "ck:hasTextFile", "violation"),
        (27, "ckd:fx-src-web", "ck:hasTextSha256", "violation"),
        (28, "ckd:fx-src-web", "ck:hasWebAddress", "violation"),
    },
    "StatutoryDutyShape": {
        (12, "ckd:fx-duty-bad", "prov:wasDerivedFrom", "violation"),
        (13, "ckd:fx-duty-bad", "rdfs:label", "violation"),
    },
    "SuccessFactorReportShape": {
        (12, "ckd:fx-success-none", "ck:hasSuccessFactor", "violation"),
        (19, "ckd:fx-success-odd", "ck:hasSuccessFactor", "violation"),
    },
    "ClaimShape": {
        (12, "ckd:fx-claim-bad", "ck:isEvidencedBy", "violation"),
        (14, "ckd:fx-claim-bad", "ck:hasTopic", "violation"),
        (15, "ckd:fx-claim-bad", "ck:isFindingOf", "violation"),
        (16, "ckd:fx-claim-bad", "ck:hasListPosition", "violation"),
    },
    "ComparativeStatementShape": {
        (12, "ckd:fx-compare-bad", "ck:hasComparisonGroup", "violation"),
        (14, "ckd:fx-compare-bad", "ck:hasComparedGroup", "violation"),
        (15, "ckd:fx-compare-bad", "ck:hasComparedAttribute", "violation"),
    },
    "OpenQuestionShape": {
        (12, "ckd:fx-question-bare", "prov:wasDerivedFrom", "violation"),
        (12, "ckd:fx-question-bare", "ck:isEvidencedBy", "violation"),
        (18, "ckd:fx-question-odd", "ck:isReportedBy", "violation"),
        (19, "ckd:fx-question-odd", "ck:hasTopic", "violation"),
        (20, "ckd:fx-question-odd", "ck:hasListPosition", "violation"),
    },
    "RecommendationShape": {
        (12, "ckd:fx-rec-nobody", "ck:isAddressedTo", "violation"),
        (20, "ckd:fx-rec-place", "ck:isAddressedTo", "violation"),
        (21, "ckd:fx-rec-place", "ck:hasCondition", "violation"),
    },
    "SourceDiscrepancyShape": {
        (12, "ckd:fx-discrepancy-bad", "ck:hasAspect", "violation"),
        (14, "ckd:fx-discrepancy-bad", "ck:concernsAccount", "violation"),
        (15, "ckd:fx-discrepancy-bad", "prov:wasDerivedFrom", "violation"),
    },
    "TacticShape": {
        (15, "ckd:fx-tactic-bad", "ck:concernsHypeCycleStage", "violation"),
    },
}


SHAPE_DIRS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _check(path: Path) -> Report:
    project = ProjectPaths(REPO)
    base = project_inputs(project)
    inputs = Inputs(base.ontology, (CONTEXT, path), (path,), base.shapes)
    # the shapes only: quotations are checked against source texts elsewhere
    return run(inputs, project, case_rules=False, stages=("syntax", "vocabulary", "shacl"))


def _targeted_shapes() -> set[str]:
    graph = Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return {
        str(shape).rsplit("#", 1)[1]
        for shape in graph.subjects(RDF.type, SH.NodeShape)
        if isinstance(shape, URIRef) and (shape, SH.targetClass, None) in graph
    }


def test_the_fixture_list_is_not_empty_and_covers_every_shape():
    assert len(SHAPE_DIRS) >= 25
    assert set(SHAPE_DIRS) == _targeted_shapes()
    assert set(EXPECTED) == set(SHAPE_DIRS)
    assert all(EXPECTED.values()), "every invalid fixture must break something"


@pytest.mark.parametrize("shape", SHAPE_DIRS)
def test_valid_fixture_conforms(shape: str):
    report = _check(FIXTURES / shape / "valid.ttl")
    assert report.issues == [], "\\n".join(i.location + " " + i.message for i in report.issues)
    assert "shacl" in report.stages


@pytest.mark.parametrize("shape", SHAPE_DIRS)
def test_invalid_fixture_gives_exactly_the_expected_results(shape: str):
    report = _check(FIXTURES / shape / "invalid.ttl")
    found = {(i.line, i.focus, i.path, i.severity.value) for i in report.issues}
    assert found == EXPECTED[shape]
    for issue in report.issues:
        assert issue.message and issue.file and issue.line, issue
        if issue.severity is not Severity.INFO:
            assert issue.focus_label or issue.focus, issue


def test_the_shape_fixture_context_is_itself_valid():
    report = _check(CONTEXT)
    assert report.issues == []


def test_every_property_shape_is_named_described_and_explained():
    graph = Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    checked = 0
    for shape in graph.subjects(SH.targetClass, None):
        for prop in graph.objects(shape, SH.property):
            checked += 1
            for needed in (SH.name, SH.description, SH.message, SH.severity):
                assert graph.value(prop, needed) is not None, (shape, prop, needed)
            message = str(graph.value(prop, SH.message))
            assert len(message) > 30 and "{$" not in message, message
    assert checked > 100
