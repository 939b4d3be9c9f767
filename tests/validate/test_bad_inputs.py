"""The bad-input corpus: every broken file gets its own clear error, never a traceback.

Each file in tests/fixtures/bad/ breaks one rule. ``collabkg validate FILE`` must exit 1,
print no Python traceback, and report the expected kind of problem (``code``) at the
expected line; putting the file into a project must make loading refuse (all-or-nothing),
and a graph loaded before must not change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.errors import LoadError, ValidationFailed
from collabkg.graph import KnowledgeGraph
from collabkg.validate import render, validate

BAD = Path(__file__).resolve().parents[1] / "fixtures" / "bad"

# file -> (expected code, expected line or None when a line makes no sense)
EXPECTED: dict[str, tuple[str, int | None]] = {
    # Turtle syntax: line (and column) from the parser, with a hint
    "01-missing-final-dot.ttl": ("syntax.error", 20),
    "02-missing-semicolon.ttl": ("syntax.error", 17),
    "03-unclosed-string.ttl": ("syntax.error", 16),
    "04-unclosed-long-string.ttl": ("syntax.error", 16),
    "05-undeclared-prefix.ttl": ("syntax.undeclared-prefix", 19),
    "06-misspelt-prefix.ttl": ("syntax.undeclared-prefix", 20),
    "07-curly-quotes.ttl": ("syntax.error", 16),
    "08-space-in-name.ttl": ("syntax.error", 15),
    "09-unclosed-bracket.ttl": ("syntax.error", 19),
    "10-stray-bracket.ttl": ("syntax.error", 19),
    "11-comma-before-dot.ttl": ("syntax.error", 18),
    "12-space-in-iri.ttl": ("syntax.error", 15),
    "13-bad-escape.ttl": ("syntax.error", 16),
    "14-unescaped-quote.ttl": ("syntax.error", 16),
    "15-pound-sign.ttl": ("syntax.error", 18),
    "16-sparql-prefix-with-dot.ttl": ("syntax.error", 14),
    "17-language-and-datatype.ttl": ("syntax.error", 17),
    "18-missing-value.ttl": ("syntax.error", 16),
    # files that are not Turtle text at all
    "19-empty.ttl": ("file.empty", None),
    "20-only-comments.ttl": ("file.no-statements", None),
    "21-binary.ttl": ("file.binary", None),
    "22-latin1.ttl": ("file.encoding", 16),
    "23-utf16.ttl": ("file.utf16", None),
    "24-html.ttl": ("file.not-turtle", 1),
    "25-json.ttl": ("file.not-turtle", 1),
    # literals that do not fit their datatype (parsers accept them silently)
    "26-not-a-date.ttl": ("syntax.ill-typed-literal", 17),
    "27-impossible-date.ttl": ("syntax.ill-typed-literal", 17),
    "28-two-digit-year.ttl": ("syntax.ill-typed-literal", 17),
    "29-boolean-yes.ttl": ("syntax.ill-typed-literal", 19),
    # words: typos, misused terms, links to nothing, duplicates, not our model
    "30-typo-in-class.ttl": ("vocabulary.unknown-term", 16),
    "31-typo-in-property.ttl": ("vocabulary.unknown-term", 18),
    "32-typo-in-value.ttl": ("vocabulary.unknown-term", 18),
    "33-class-as-property.ttl": ("vocabulary.class-as-property", 19),
    "34-property-as-class.ttl": ("vocabulary.property-as-class", 16),
    "35-value-as-class.ttl": ("vocabulary.value-as-class", 16),
    "36-text-instead-of-link.ttl": ("vocabulary.text-for-link", 17),
    "37-dangling-link.ttl": ("vocabulary.undefined-item", 23),
    "38-no-type.ttl": ("vocabulary.untyped-item", 16),
    "39-wrong-namespace.ttl": ("vocabulary.wrong-namespace", 2),
    "40-duplicate-case-id.ttl": ("vocabulary.duplicate-case", 11),
    "41-foaf-only.ttl": ("vocabulary.no-collabkg-data", 1),
    "42-no-case.ttl": ("vocabulary.no-case", 1),
    "43-two-cases.ttl": ("vocabulary.several-cases", 16),
    "44-disjoint-types.ttl": ("vocabulary.disjoint-types", 16),
    "45-template-placeholder.ttl": ("vocabulary.template-placeholder", 17),
    "46-unknown-rdfs-term.ttl": ("vocabulary.unknown-standard-term", 17),
    # the data model (SHACL)
    "47-reversed-dates.ttl": ("shacl.SPARQL", 18),
    "48-negative-amount.ttl": ("shacl.MinInclusive", 21),
    "49-missing-funder.ttl": ("shacl.MinCount", 15),
    "50-quotation-without-source.ttl": ("shacl.MinCount", 15),
    "51-missing-evidence.ttl": ("shacl.MinCount", 15),
    "52-derived-from-non-source.ttl": ("shacl.Class", 19),
    "53-sector-not-in-scheme.ttl": ("shacl.Class", 18),
    "54-missing-label.ttl": ("shacl.MinCount", 16),
    "55-wrong-datatype.ttl": ("shacl.Or", 21),
    "56-wrong-kind-of-value.ttl": ("shacl.Class", 19),
    "57-deeply-nested-blank-nodes.ttl": ("syntax.too-deep", 18),
    # mistakes a newcomer makes, each of which once got a wrong or useless hint
    "58-half-uncommented-block.ttl": ("syntax.error", 23),
    "59-unfinished-last-statement.ttl": ("syntax.error", 18),
    "60-unclosed-text-mid-file.ttl": ("syntax.error", 16),
    "61-missing-a-before-kind.ttl": ("syntax.error", 15),
    "62-space-in-linked-id.ttl": ("syntax.error", 23),
    "63-comma-instead-of-semicolon.ttl": ("syntax.error", 17),
    "64-two-values-without-comma.ttl": ("syntax.error", 17),
    "65-prefix-line-without-dot.ttl": ("syntax.error", 6),
    "66-text-in-single-quotes.ttl": ("syntax.error", 16),
    "67-no-colon-after-prefix.ttl": ("syntax.error", 23),
    "68-en-dash-in-id.ttl": ("syntax.error", 24),
    "69-non-breaking-space.ttl": ("syntax.error", 24),
    "70-prefix-address-without-brackets.ttl": ("syntax.error", 5),
    "71-slash-comment.ttl": ("syntax.error", 15),
    "72-period-link-to-nothing.ttl": ("vocabulary.undefined-item", 20),
    "73-member-typo-of-the-right-kind.ttl": ("vocabulary.undefined-item", 19),
    "74-source-not-listed.ttl": ("vocabulary.undefined-item", 19),
    "75-list-value-as-text.ttl": ("vocabulary.text-for-link", 18),
    "76-period-as-text.ttl": ("vocabulary.text-for-link", 26),
    "77-misspelt-required-property.ttl": ("vocabulary.unknown-term", 17),
    "78-class-as-property-of-link.ttl": ("vocabulary.class-as-property", 20),
    "79-kind-with-id-prefix.ttl": ("vocabulary.id-as-class", 16),
    "80-list-value-in-quotes.ttl": ("vocabulary.text-for-link", 25),
    "81-double-dot.ttl": ("syntax.error", 18),
    "82-capitalised-prefix-keyword.ttl": ("syntax.error", 5),
}

# file -> (what the human report must say to get the fix right, what it must not say)
EXPECTED_ADVICE: dict[str, tuple[str, str | None]] = {
    "01-missing-final-dot.ttl": ("line 18 (prov:wasDerivedFrom ckd:src-fx-report)", "curly"),
    "58-half-uncommented-block.ttl": ("remove the '# ' from all of its lines", "curly"),
    "59-unfinished-last-statement.ttl": (
        "line 18 (prov:wasDerivedFrom ckd:src-fx-report) needs ' .'",
        "curly",
    ),
    "60-unclosed-text-mid-file.ttl": ("is not closed on this line", "curly"),
    "61-missing-a-before-kind.ttl": ("the 'a' before ck:CommunityGroup is missing", "has no value"),
    "62-space-in-linked-id.ttl": ("write ckd:bad-group", "must start with the ID"),
    "63-comma-instead-of-semicolon.ttl": ("change the ',' at the end of line 16 to ' ;'", None),
    "64-two-values-without-comma.ttl": ("put a ',' before it", "a ' ;' is missing"),
    "65-prefix-line-without-dot.ttl": ("add ' .' at the end of line 5", "needs ' ;'"),
    "66-text-in-single-quotes.ttl": ('rdfs:label "Fixton\'s Friends"', None),
    "67-no-colon-after-prefix.ttl": ("write ckd:bad-group", None),
    "68-en-dash-in-id.ttl": ("plain hyphen '-'", None),
    "69-non-breaking-space.ttl": ("non-breaking space", None),
    "70-prefix-address-without-brackets.ttl": ("@prefix org: <http://www.w3.org/ns/org#> .", None),
    "71-slash-comment.ttl": ("comments start with '#'", None),
    "72-period-link-to-nothing.ttl": (
        "ckd:period-fixton-grant a ck:Period ;",
        "did you mean ckd:case-",
    ),
    "73-member-typo-of-the-right-kind.ttl": (
        "did you mean ckd:fx-good-charity?",
        "did you mean ckd:fx-good-partnership",
    ),
    "74-source-not-listed.ttl": ("add it to data/sources.ttl", None),
    "75-list-value-as-text.ttl": (
        "e.g. ck:hasSector ckc:voluntaryCommunitySector ;",
        "wigan-council",
    ),
    "76-period-as-text.ttl": ('ck:Period ; rdfs:label "2019-2021" ; ck:hasStartDate "2019"', None),
    "77-misspelt-required-property.ttl": ("did you mean ck:hasFunder?", "needs a funder"),
    "78-class-as-property-of-link.ttl": ("ck:hasPeriod ckd:fx-good-period ;", "has no period"),
    "79-kind-with-id-prefix.ttl": ("did you mean ck:CommunityGroup?", "org:member must point"),
    "80-list-value-in-quotes.ttl": ("e.g. org:role ckc:communityPartner ;", "wigan-council"),
    "81-double-dot.ttl": ("two ' .' in a row", None),
    "82-capitalised-prefix-keyword.ttl": ("write @prefix in lower case", None),
}


def test_the_corpus_is_big_and_every_file_has_an_expectation():
    files = sorted(p.name for p in BAD.glob("*.ttl"))
    assert len(files) >= 40
    assert set(files) == set(EXPECTED)


@pytest.fixture(scope="module")
def loaded(small_project: Path) -> KnowledgeGraph:
    """A graph loaded before the bad files are tried: it must never change."""
    return KnowledgeGraph.load(small_project)


def _check_cli(path: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["--root", str(root), "validate", "--format", "json", str(path)])
    out, err = capsys.readouterr()
    assert code == 1, out
    assert "Traceback" not in out + err
    return json.loads(out)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gets_its_specific_error(
    name: str, small_project: Path, loaded: KnowledgeGraph, capsys: pytest.CaptureFixture[str]
):
    before = (loaded.triple_count(), list(loaded.files))
    expected_code, expected_line = EXPECTED[name]
    report = _check_cli(BAD / name, small_project, capsys)
    assert report["valid"] is False
    codes = {(i["code"], i.get("line")) for i in report["issues"]}
    assert any(code == expected_code for code, _line in codes), codes
    if expected_line is not None:
        assert (expected_code, expected_line) in codes, codes
    first = next(i for i in report["issues"] if i["code"] == expected_code)
    assert first["severity"] in ("violation", "warning")
    assert first["file"].endswith(name)
    assert len(first["message"]) > 15
    # the human report renders, names the file and line, and has no traceback
    text = render(validate([BAD / name], root=small_project))
    assert name in text and "Traceback" not in text
    if expected_line is not None:
        assert f"{name}:{expected_line}" in text
    assert (loaded.triple_count(), list(loaded.files)) == before


@pytest.mark.parametrize("name", sorted(EXPECTED_ADVICE))
def test_the_report_says_how_to_fix_it(name: str, small_project: Path):
    """A newcomer fixes the file from the report alone: the advice names the right fix (and
    not a wrong one, such as curly quotes for a missing ' .')."""
    wanted, unwanted = EXPECTED_ADVICE[name]
    text = render(validate([BAD / name], root=small_project))
    assert wanted in text, text
    if unwanted is not None:
        assert unwanted not in text, text


def test_a_case_id_that_does_not_match_its_file_name_is_a_warning(small_copy: Path):
    case = small_copy / "data" / "cases" / "fixton-friends.ttl"
    good = (small_copy / "data" / "cases" / "good.ttl").read_text(encoding="utf-8")
    case.write_text(
        good.replace("ckd:case-good", "ckd:case-my-case").replace("ckd:fx-good-", "ckd:fxf-"),
        encoding="utf-8",
    )
    report = validate([case], root=small_copy)
    found = [i for i in report.issues if i.code == "vocabulary.case-id-not-file-name"]
    assert found and found[0].severity.value == "warning", report.issues
    assert "ckd:case-fixton-friends" in (found[0].hint or "")
    assert not [i for i in report.issues if i.severity.value == "violation"], report.issues


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_project_holding_the_bad_file_refuses_to_load(name: str, small_copy: Path):
    target = small_copy / "data" / "cases" / name
    target.write_bytes((BAD / name).read_bytes())
    with pytest.raises((LoadError, ValidationFailed)):
        KnowledgeGraph.load(small_copy)


def test_a_50_mb_literal_is_refused_before_parsing(tmp_path: Path, small_project: Path, capsys):
    path = tmp_path / "huge.ttl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("@prefix ckd: <https://w3id.org/collabkg/id/> .\n")
        handle.write("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
        handle.write('ckd:huge rdfs:label "')
        chunk = "x" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
        handle.write('" .\n')
    report = _check_cli(path, small_project, capsys)
    [issue] = report["issues"]
    assert issue["code"] == "file.too-large"
    assert "50.0 MB" in issue["message"]


def test_a_long_literal_under_the_size_limit_is_named(tmp_path: Path, small_project: Path, capsys):
    path = tmp_path / "long.ttl"
    text = (BAD / "50-quotation-without-source.ttl").read_text(encoding="utf-8")
    path.write_text(text.replace("nobody asked us", "word " * 40_000), encoding="utf-8")
    report = _check_cli(path, small_project, capsys)
    issue = next(i for i in report["issues"] if i["code"] == "syntax.text-too-long")
    assert issue["line"] == 17  # the ck:hasText line
