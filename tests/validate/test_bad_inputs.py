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
from collabkg.project import load_graph
from collabkg.validate import render, validate
from tests.support.bad_inputs import EXPECTED
from tests.support.paths import BAD

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
    "04-unclosed-long-string.ttl": ('The long text opened here with """ is never closed', None),
    "15-pound-sign.ttl": ("write ck:hasAmountInPounds 5000 ;", None),
    "83-quotation-one-word-changed.ttl": (
        "“money” where the source has “risk”", "no passage of that text is close"
    ),
    "84-language-tag-underscore.ttl": ("write @en-GB", None),
    "85-amount-pounds-and-m.ttl": ("write ck:hasAmountInPounds 1500000 ;", "Traceback"),
    "86-amount-thousands-separators.ttl": ("Turtle reads 1,500,000 as three numbers", None),
    "87-org-term-misspelt.ttl": ("did you mean org:member?", "org:hasMember"),
    "88-dcterms-term-misspelt.ttl": ("did you mean dcterms:description?", None),
    "89-role-misspelt.ttl": ("did you mean ckc:lead?", None),
    "90-two-english-names.ttl": ('skos:altLabel "Friends of Fixton"', None),
    "91-council-redescribed-as-charity.ttl": (
        "as a local authority in data/cases/good.ttl line 26", None
    ),
    "92-council-renamed.ttl": ("“Fixton Council” in data/cases/good.ttl line 27", None),
    "93-unclosed-long-text-before-another.ttl": ("93-unclosed-long-text-before-another.ttl:19:16",
                                                None),
    # reported at the next item (line 17: "a is not a valid RDF object"), not where it was
    "94-semicolon-ends-item.ttl": ("94-semicolon-ends-item.ttl:15:43", "check the punctuation"),
    "95-comma-ends-item.ttl": ("end the item with ' .' instead of ' ,'", None),
    # it passed with no word: the explorer showed a Welsh name among English ones
    "96-name-in-welsh-only.ttl": ('skos:altLabel "Cyfeillion Fixton"@cy', None),
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
    return load_graph(small_project)


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
        load_graph(small_copy)


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
