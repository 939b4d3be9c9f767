"""What a report says about one wrong value: what is wrong with it, the item named.

An academic's report: `ck:hasAmountInPounds 4.5e4` was told "must be one number without
quotes, £ sign or commas" (it had none of them); a start date typed xsd:dateTime was told
"Write the start date once"; a single ck:mayBeClassifiedAs read "property: two or more
possible kinds  value: ckd:…" (the item itself as its value); an item of a misspelt class
(`a ck:Charty`) was headed "charty “…”".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from collabkg.validate import Severity, render, validate
from collabkg.validate.report import Issue, Report

PREFIXES = """\
@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

CASE = PREFIXES + """
ckd:fx-v-funding a ck:FundingStream ;
    rdfs:label "Fixton grant (scientific notation)" ;
    ck:hasFunder ckd:fx-good-council ;
    ck:hasRecipient ckd:fx-good-charity ;
    ck:hasFundingMechanism ckc:grant ;
    ck:hasPeriod ckd:fx-v-period ;
    ck:hasAmountInPounds 4.5e4 ;
    prov:wasDerivedFrom ckd:src-fx-report .

ckd:fx-v-period a ck:Period ;
    rdfs:label "from April 2019" ;
    ck:hasStartDate "2019-04-01T00:00:00"^^xsd:dateTime .

ckd:fx-v-activity a ck:Activity ;
    rdfs:label "Fixton volunteering" ;
    ck:isActivityOf ckd:fx-good-partnership ;
    ck:mayBeClassifiedAs ckc:coDelivery ;
    dcterms:source ckd:src-fx-report .

ckd:fx-v-charity a ck:Charty ;
    rdfs:label "Fixton Friends" ;
    ck:hasSector ckc:voluntaryCommunitySector ;
    dcterms:source ckd:src-fx-report .
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    from tests.support.project import make_project

    root = make_project(tmp_path_factory.mktemp("values") / "project")
    path = root / "data" / "cases" / "values.ttl"
    path.write_text(CASE, encoding="utf-8")
    return validate([path], root=root)


def _about(report: Report, focus: str, path: str | None = None) -> list[Issue]:
    return [
        i
        for i in report.issues
        if i.focus == focus and (path is None or (i.path or "").startswith(path))
    ]


def test_an_amount_in_scientific_notation_was_told_it_had_quotes_or_a_pound_sign(report):
    (issue,) = _about(report, "ckd:fx-v-funding", "ck:hasAmountInPounds")
    assert issue.severity is Severity.VIOLATION
    assert "scientific notation" in issue.message
    assert "ck:hasAmountInPounds 45000 ;" in issue.message
    assert "£" not in issue.message and "quotes" not in issue.message


def test_a_start_date_typed_as_a_date_time_was_told_to_write_it_once(report):
    (issue,) = _about(report, "ckd:fx-v-period", "ck:hasStartDate")
    assert "once" not in issue.message
    assert "date and time" in issue.message
    assert '"2019-04-01"^^xsd:date' in issue.message
    assert issue.subject_text() == "period “from April 2019” (ckd:fx-v-period)"


def test_one_possible_kind_read_as_the_item_being_its_own_value(report):
    issues = [
        i for i in _about(report, "ckd:fx-v-activity") if "hesitate" in i.message
    ]
    assert len(issues) == 1
    assert issues[0].path == "ck:mayBeClassifiedAs"
    assert issues[0].value is None
    text = render(Report(files=report.files, issues=issues), "human")
    assert "value: ckd:fx-v-activity" not in text
    assert "property: ck:mayBeClassifiedAs" in text


def test_an_item_of_a_misspelt_class_was_headed_by_the_misspelling(report):
    issues = _about(report, "ckd:fx-v-charity")
    assert issues
    for issue in issues:
        assert "charty" not in issue.subject_text().lower()
        assert "“Fixton Friends” (ckd:fx-v-charity)" in issue.subject_text()


SYNTAX_CASE = PREFIXES + """
ckd:fx-s-period a ck:Period ;
    rdfs:label "the grant's years" ;
    ck:hasStartDate "2019"^^xsd:gYear ;
    ck:hasEndDate "31/03/2021"^^xsd:date .

ckd:fx-s-quote a ck:Quotation ;
    rdfs:label "A council officer, at length" ;
    ck:hasText "we share the work and the risk" ;
    ck:hasSpeakerRole "TEXT" ;
    prov:wasQuotedFrom ckd:src-fx-report .
""".replace("TEXT", "word " * 4000)


def test_a_wrong_date_and_a_huge_text_were_reported_without_naming_the_item(tmp_path):
    from tests.support.project import make_project

    root = make_project(tmp_path / "project")
    path = root / "data" / "cases" / "syntax-values.ttl"
    path.write_text(SYNTAX_CASE, encoding="utf-8")
    report = validate([path], root=root)
    (date,) = [i for i in report.issues if i.code == "syntax.ill-typed-literal"]
    assert date.subject_text() == "period “the grant's years” (ckd:fx-s-period)"
    assert date.path == "ck:hasEndDate"
    assert '"2021-03-31"^^xsd:date' in (date.hint or "")
    (text,) = [i for i in report.issues if i.code == "syntax.text-too-long"]
    assert text.subject_text() == "quotation “A council officer, at length” (ckd:fx-s-quote)"
    assert text.path == "ck:hasSpeakerRole"
    shown = render(report, "human")
    assert "error: period “the grant's years” (ckd:fx-s-period)" in shown


def test_a_date_written_with_a_time_of_day_was_not_told_so():
    from collabkg.validate.syntax import parse_bytes

    text = PREFIXES + (
        'ckd:fx-t-period a ck:Period ; rdfs:label "from April" ;\n'
        '    ck:hasStartDate "2021-04-01T09:00:00"^^xsd:date .\n'
    )
    _parsed, issues = parse_bytes(text.encode(), Path("t.ttl"), "t.ttl")
    (issue,) = [i for i in issues if i.code == "syntax.ill-typed-literal"]
    assert '"2021-04-01"^^xsd:date' in (issue.hint or "")
    assert "not a date-time" in (issue.hint or "")
    assert issue.focus == "ckd:fx-t-period"
