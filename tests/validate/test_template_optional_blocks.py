"""The template's optional blocks (groups, an outcomes-based contract) validate once
un-commented and filled in: every new term has a place a case author can copy."""

from __future__ import annotations

import re
from pathlib import Path

from collabkg.validate import validate
from collabkg.validate.report import Severity

REPO = Path(__file__).resolve().parents[2]


def _filled_in(text: str) -> str:
    # the quotation is checked against the source's text: words the fixture text has
    words = "we share the work and the risk"
    text = text.replace("CHANGE-ME: the exact words from the source", words)
    text = text.replace("ckd:src-CHANGE-ME", "ckd:src-fx-report")
    text = text.replace("ckd:case-CHANGE-ME", "ckd:case-my-case")
    text = re.sub(r'"CHANGE-ME: ([^"]*)"', r'"\1"', text)
    return text.replace("CHANGE-ME", "mine")


def _uncommented(text: str) -> str:
    """Every commented block of Turtle in the template, un-commented (a source block for
    data/sources.ttl left out: it belongs in that file)."""
    body = text.split(
        "# " + "-" * 75 + " optional blocks",
        1,
    )[1]
    body = body.split("# A web page or report as a source", 1)[0]
    lines = [line[2:] for line in body.splitlines() if re.match(r"^# (ckd:|    )", line)]
    return "\n".join(lines) + "\n"


def test_the_templates_optional_blocks_validate_when_filled_in(small_copy: Path):
    text = (REPO / "data" / "TEMPLATE.ttl").read_text(encoding="utf-8")
    blocks = _uncommented(text)
    for term in (
        "ck:SocialImpactBond",
        "ck:OutcomeMetric",
        "ck:Investment",
        "ck:OutcomePayment",
        "ck:LicensedIntervention",
        "ck:OrganisationGroup",
        "ck:CollaborationGroup",
        "ck:hasDuration",
        "ck:hasCapitalAtRiskInPounds",
        "ck:hasCohortSize",
        "ckc:investorRole",
        "ck:hasCollaborationStatus",
    ):
        assert term in blocks, term
    path = small_copy / "data" / "cases" / "my-case.ttl"
    path.write_text(_filled_in(text + "\n" + blocks), encoding="utf-8")
    report = validate([path], root=small_copy)
    # the asset-transfer block's warnings (no accountability line for the asset, no recipient
    # named) mark gaps on purpose; everything else must be clean
    problems = [
        i
        for i in report.issues
        if i.severity is not Severity.INFO
        and not (
            i.severity is Severity.WARNING
            and i.path in ("ck:transfersAsset", "ck:hasTransferee")
        )
    ]
    assert problems == [], [f"{i.location} {i.message}" for i in problems]
