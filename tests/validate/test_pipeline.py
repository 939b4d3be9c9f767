"""The validation pipeline end to end: context, reporting, formats, exit codes, loading."""

from __future__ import annotations

import io
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from collabkg.cli import main
from collabkg.errors import ValidationFailed
from collabkg.project import load_graph
from collabkg.validate import Severity, render, use_colour, validate
from collabkg.validate.locate import scan
from collabkg.validate.rules import closest

REPO = Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "fixtures" / "bad"
CK = "https://w3id.org/collabkg/ontology#"
CKD = "https://w3id.org/collabkg/id/"
ORG = "http://www.w3.org/ns/org#"

NEW_CASE = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ckd:case-new a ck:Case ;
    rdfs:label "A new case about the Fixton partnership" ;
    ck:isAbout ckd:new-group, ckd:fx-good-partnership ;
    prov:wasDerivedFrom ckd:src-fx-report .

ckd:new-group a ck:CommunityGroup ;
    rdfs:label "Fixton Friends" ;
    ck:hasSector ckc:voluntaryCommunitySector ;
    ck:operatesIn ckd:fx-good-place ;
    dcterms:source ckd:src-fx-report .

ckd:new-m a org:Membership ;
    rdfs:label "Fixton Friends in the Fixton partnership" ;
    org:organization ckd:fx-good-partnership ;
    org:member ckd:new-group ;
    org:role ckc:communityPartner ;
    dcterms:source ckd:src-fx-report .
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _codes(report) -> set[str]:
    return {issue.code for issue in report.issues}


# --------------------------------------------------------------------------- positions


def test_scanner_finds_subjects_properties_and_typed_literals():
    text = (REPO / "tests" / "fixtures" / "validate" / "data" / "cases" / "good.ttl").read_text()
    index = scan(text)
    assert index.subject_line(CKD + "case-good") == 11
    assert index.property_line(CKD + "fx-good-funding", CK + "hasAmountInPounds") == 65
    assert index.subject_line(CKD + "fx-good-m-council") == 45
    [first] = [p for p in index.occurrences[ORG + "member"] if p.line == 48]
    assert (first.column, first.text) == (5, "org:member")
    dates = {t.lexical: t.position.line for t in index.typed_literals}
    assert dates == {"2019": 70, "2021-03-31": 71}


@pytest.mark.parametrize(
    ("typo", "pool", "expected"),
    [
        (CK + "hasMemeber", [CK + "hasBarrier", ORG + "member", CK + "hasSector"], ORG + "member"),
        (CK + "Colaboration", [CK + "Collaboration", CK + "Consortium"], CK + "Collaboration"),
        (CK + "hasfunder", [CK + "hasFunder", CK + "hasFundingStatus"], CK + "hasFunder"),
        (
            CK + "publicSector",
            ["https://w3id.org/collabkg/concept/publicSector"],
            "https://w3id.org/collabkg/concept/publicSector",
        ),
        (CK + "zzzz", [CK + "hasFunder"], None),
    ],
)
def test_closest_term_suggestions(typo: str, pool: list[str], expected: str | None):
    assert closest(typo, pool) == expected


# --------------------------------------------------------------------------- context


def test_a_new_file_is_checked_against_the_whole_graph(small_project: Path, tmp_path: Path):
    new = _write(tmp_path / "new.ttl", NEW_CASE)
    report = validate([new], root=small_project)
    assert report.issues == [], [i.message for i in report.issues]
    assert report.files == [report.files[0]] and report.files[0].endswith("new.ttl")
    assert report.context_files > 10
    assert report.stages == ["syntax", "vocabulary", "quotations", "shacl"]


def test_a_file_inside_data_replaces_its_on_disk_version(small_copy: Path):
    good = small_copy / "data" / "cases" / "good.ttl"
    good.write_text(
        good.read_text().replace("ck:hasFunder ckd:fx-good-council ;\n", ""), encoding="utf-8"
    )
    report = validate([good], root=small_copy)
    assert "vocabulary.duplicate-case" not in _codes(report)  # not counted twice
    [issue] = [i for i in report.issues if i.severity is Severity.VIOLATION]
    assert (issue.file, issue.line, issue.path) == ("data/cases/good.ttl", 59, "ck:hasFunder")
    assert issue.focus_label == "Fixton Council grant to Fixton Carers"
    assert issue.focus_kind == "funding stream"


@pytest.mark.slow
def test_only_the_named_files_are_reported(small_copy: Path, tmp_path: Path):
    good = small_copy / "data" / "cases" / "good.ttl"
    good.write_text(good.read_text().replace('    rdfs:label "Fixton" ;\n', ""), encoding="utf-8")
    new = _write(tmp_path / "new.ttl", NEW_CASE)
    report = validate([new], root=small_copy)
    assert report.issues == [] and report.ok()
    # a context file that does not even parse is left out, and the report says so
    good.write_text(good.read_text() + "\nthis is not turtle\n", encoding="utf-8")
    report = validate([new], root=small_copy)
    text = render(report)
    assert "data/cases/good.ttl has errors and was left out of the graph" in text
    assert "collabkg validate data/cases/good.ttl" in text


ADDITIONS = NEW_CASE + """
ckd:fx-good-council ck:hasSector ckc:citizensCommunities .
ckd:fx-good-funding ck:hasFunder ckd:new-group .
ckd:fx-good-period ck:hasStartDate "2005"^^<http://www.w3.org/2001/XMLSchema#gYear> .
"""


def test_a_file_adding_to_another_files_items_changed_its_answers_quietly(small_copy: Path):
    """Another file gave a council a second sector, a funding a second funder and a period a
    second start, without typing them (or typing them alike): no error, and the first case's
    answers changed (a one-member collaboration counted as cross-sector, two funders). Each
    property two files give different values is an error in both, naming the other."""
    _write(small_copy / "data" / "cases" / "new.ttl", ADDITIONS)
    report = validate(root=small_copy)
    conflicting = "vocabulary.conflicting-values"
    found = {(i.file, i.path, i.focus): i for i in report.issues if i.code == conflicting}
    for file in ("data/cases/new.ttl", "data/cases/good.ttl"):
        for path, focus in (
            ("ck:hasSector", "ckd:fx-good-council"),
            ("ck:hasFunder", "ckd:fx-good-funding"),
            ("ck:hasStartDate", "ckd:fx-good-period"),
        ):
            issue = found[(file, path, focus)]
            assert issue.severity is Severity.VIOLATION
            other = "good.ttl" if file.endswith("new.ttl") else "new.ttl"
            assert f"data/cases/{other} line" in issue.message
    council = found[("data/cases/new.ttl", "ck:hasSector", "ckd:fx-good-council")]
    assert "ckc:citizensCommunities here but ckc:publicSector in" in council.message
    assert council.line == ADDITIONS.splitlines().index(
        "ckd:fx-good-council ck:hasSector ckc:citizensCommunities ."
    ) + 1
    assert council.subject_text() == "local authority “Fixton Council” (ckd:fx-good-council)"
    # the file checked alone (an academic's check of a new case) says the same
    alone = validate([small_copy / "data" / "cases" / "new.ttl"], root=small_copy)
    assert {(i.path, i.focus) for i in alone.issues if i.code == conflicting} == {
        ("ck:hasSector", "ckd:fx-good-council"),
        ("ck:hasFunder", "ckd:fx-good-funding"),
        ("ck:hasStartDate", "ckd:fx-good-period"),
    }


def test_another_file_may_describe_a_shared_item_alike_with_its_notes_and_evidence(
    small_copy: Path,
):
    """Two files describing one council alike: the second may add its own note, and a
    property the first does not give (its evidence); notes, other names and sources are
    never compared. Nothing to report."""
    shared = NEW_CASE + """
ckd:fx-good-council a ck:LocalAuthority ;
    rdfs:label "Fixton Council" ;
    ck:hasSector ckc:publicSector ;
    rdfs:comment "Also described in the new case." ;
    ck:isEvidencedBy ckd:fx-good-quote ;
    dcterms:source ckd:src-fx-report .
"""
    _write(small_copy / "data" / "cases" / "new.ttl", shared)
    report = validate(root=small_copy)
    assert [i for i in report.issues if i.severity is Severity.VIOLATION] == []


def test_a_copied_case_id_was_headed_by_the_other_files_case_name(small_copy: Path):
    """A new case that reused another case's ID was headed by the other case's name (the
    graph's), not the one its author wrote."""
    copied = NEW_CASE.replace("ckd:case-new", "ckd:case-good").replace(
        "A new case about the Fixton partnership", "My own case"
    )
    _write(small_copy / "data" / "cases" / "new.ttl", copied)
    report = validate(root=small_copy)
    [issue] = [
        i for i in report.issues
        if i.code == "vocabulary.duplicate-case" and i.file == "data/cases/new.ttl"
    ]
    assert issue.focus_label == "My own case"


def test_a_name_clash_was_headed_by_the_other_files_name(small_copy: Path):
    """Two files naming one council differently: each file's report was headed by the
    graph's one name for it (the other file's, for one of them), beside "is named … here".
    Each is headed as its own file names (and kinds) it now."""
    shared = NEW_CASE + (
        "\nckd:fx-good-council a ck:Charity ;\n"
        '    rdfs:label "Fixton Borough Council" ;\n'
        "    ck:hasSector ckc:voluntaryCommunitySector ;\n"
        "    dcterms:source ckd:src-fx-report .\n"
    )
    _write(small_copy / "data" / "cases" / "new.ttl", shared)
    report = validate(root=small_copy)
    clashes = [i for i in report.issues if i.code.startswith("vocabulary.conflicting-")]
    assert {i.file for i in clashes} == {"data/cases/good.ttl", "data/cases/new.ttl"}
    for issue in clashes:
        mine = "Fixton Borough Council" if issue.file.endswith("new.ttl") else "Fixton Council"
        kind = "charity" if issue.file.endswith("new.ttl") else "local authority"
        if issue.code == "vocabulary.conflicting-labels":
            assert issue.focus_label == mine, issue.subject_text()
        assert issue.focus_kind == kind, issue.subject_text()
    renamed = shared.replace("a ck:Charity", "a ck:LocalAuthority").replace(
        "voluntaryCommunitySector", "publicSector"
    )
    _write(small_copy / "data" / "cases" / "new.ttl", renamed)
    report = validate(root=small_copy)
    labels = [i for i in report.issues if i.code == "vocabulary.conflicting-labels"]
    assert sorted(i.subject_text() for i in labels) == [
        "local authority “Fixton Borough Council” (ckd:fx-good-council)",
        "local authority “Fixton Council” (ckd:fx-good-council)",
    ]


@pytest.mark.slow
def test_an_organisation_shared_by_two_files_is_allowed_when_they_agree(
    small_project: Path, tmp_path: Path
):
    shared = (
        NEW_CASE
        + """
ckd:fx-good-council a ck:LocalAuthority ;
    rdfs:label "Fixton Council" ;
    ck:hasSector ckc:publicSector ;
    dcterms:source ckd:src-fx-report .
"""
    )
    report = validate([_write(tmp_path / "new.ttl", shared)], root=small_project)
    assert report.issues == []
    renamed = shared.replace('"Fixton Council"', '"Fixton Borough Council"')
    report = validate([_write(tmp_path / "new.ttl", renamed)], root=small_project)
    [issue] = report.issues
    # an error (issue 16): a second name would list the council twice in profiles
    assert issue.code == "vocabulary.conflicting-labels" and issue.severity is Severity.VIOLATION
    assert issue.related == ["data/cases/good.ttl:26"]
    assert "“Fixton Council” in data/cases/good.ttl line 27" in issue.message
    retyped = shared.replace(
        "ckd:fx-good-council a ck:LocalAuthority", "ckd:fx-good-council a ck:Charity"
    )
    report = validate([_write(tmp_path / "new.ttl", retyped)], root=small_project)
    assert "vocabulary.conflicting-types" in _codes(report)
    assert not report.ok(), "a council described again as a charity is an error"


def test_the_vocabulary_suggests_the_closest_term_in_a_message(small_project: Path):
    report = validate([BAD / "31-typo-in-property.ttl"], root=small_project)
    issue = next(i for i in report.issues if i.code == "vocabulary.unknown-term")
    assert issue.message.startswith("ck:hasSecter is not defined")
    assert "did you mean ck:hasSector?" in issue.message
    assert (issue.line, issue.column, issue.width) == (18, 5, 12)
    assert issue.focus == "ckd:bad-group" and issue.focus_label == "Fixton Friends"


def test_a_sector_outside_the_scheme_lists_the_allowed_values(small_project: Path):
    report = validate([BAD / "53-sector-not-in-scheme.ttl"], root=small_project)
    [issue] = report.issues
    assert "ckc:provider is a membership role" in (issue.hint or "")
    assert "ckc:publicSector (public sector)" in (issue.hint or "")


# --------------------------------------------------------------------------- template


@pytest.mark.slow
def test_the_template_is_never_loaded_and_copies_list_every_placeholder(small_copy: Path):
    shutil.copy(REPO / "data" / "TEMPLATE.ttl", small_copy / "data" / "TEMPLATE.ttl")
    graph = load_graph(small_copy)
    assert "data/TEMPLATE.ttl" not in graph.files
    assert "data/TEMPLATE.ttl" not in validate(root=small_copy).files
    copy = small_copy / "data" / "cases" / "my-case.ttl"
    shutil.copy(REPO / "data" / "TEMPLATE.ttl", copy)
    report = validate([copy], root=small_copy)
    violations = [i for i in report.issues if i.severity is Severity.VIOLATION]
    assert violations and {i.code for i in violations} == {"vocabulary.template-placeholder"}


def test_a_filled_in_template_validates(small_copy: Path):
    text = (REPO / "data" / "TEMPLATE.ttl").read_text(encoding="utf-8")
    text = text.replace("ckd:src-CHANGE-ME", "ckd:src-fx-report")
    text = text.replace("ckd:case-CHANGE-ME", "ckd:case-my-case")
    # the quotation is the source's own words (it is checked against the source's text)
    text = text.replace(
        '"CHANGE-ME: the exact words from the source"', '"we share the work and the risk"'
    )
    text = re.sub(r'"CHANGE-ME: ([^"]*)"', r'"\1"', text)
    text = text.replace("CHANGE-ME", "mine")
    copy = _write(small_copy / "data" / "cases" / "my-case.ttl", text)
    report = validate([copy], root=small_copy)
    problems = [i for i in report.issues if i.severity is not Severity.INFO]
    assert problems == [], [f"{i.location} {i.message}" for i in problems]


# --------------------------------------------------------------------------- CLI and formats


def test_exit_codes_warnings_strict_and_usage(small_project: Path, tmp_path: Path, capsys):
    only_warning = NEW_CASE.replace("    org:role ckc:communityPartner ;\n", "")
    path = _write(tmp_path / "warn.ttl", only_warning)
    assert main(["--root", str(small_project), "validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning:" in out and "This membership has no role" in out and "OK:" in out
    assert main(["--root", str(small_project), "validate", "--strict", str(path)]) == 1
    assert "NOT VALID" in capsys.readouterr().out
    assert main(["--root", str(small_project), "validate", str(tmp_path / "missing.ttl")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["--root", str(small_project), "validate", "--format", "xml"]) == 2


def test_json_github_and_sarif_formats(small_project: Path, capsys):
    bad = str(BAD / "49-missing-funder.ttl")
    assert main(["--root", str(small_project), "validate", "--format", "json", bad]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is False and data["summary"]["violation"] == 1
    [issue] = data["issues"]
    assert issue["line"] == 15 and issue["path"] == "ck:hasFunder"
    assert issue["focus"] == "ckd:bad-funding" and issue["focus_label"] == "A grant from someone"

    assert main(["--root", str(small_project), "validate", "--format", "github", bad]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::error file=")
    assert ",line=15," in lines[0] and "A funding stream needs a funder" in lines[0]

    assert main(["--root", str(small_project), "validate", "--format", "sarif", bad]) == 1
    sarif = json.loads(capsys.readouterr().out)
    [result] = sarif["runs"][0]["results"]
    assert result["level"] == "error" and result["ruleId"] == "shacl.MinCount"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 15


def test_human_report_groups_by_file_and_uses_colour_only_on_a_terminal(small_project: Path):
    report = validate([BAD / "49-missing-funder.ttl", BAD / "19-empty.ttl"], root=small_project)
    plain = render(report)
    assert plain.index("── ") < plain.index("49-missing-funder.ttl:15: error:")
    assert plain.count("── ") == 2 and "Summary: 2 errors" in plain
    assert "\033[" not in plain
    assert "\033[1;31m" in render(report, colour=True)
    assert use_colour(io.StringIO()) is False


def test_no_traceback_unless_debug(monkeypatch: pytest.MonkeyPatch, small_project: Path, capsys):
    import collabkg.validate as pipeline

    def boom(*_args, **_kwargs):
        raise RuntimeError("something internal broke")

    monkeypatch.setattr(pipeline, "validate", boom)
    assert main(["--root", str(small_project), "validate"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "something internal broke" in captured.err
    assert main(["--root", str(small_project), "--debug", "validate"]) == 1
    assert "Traceback" in capsys.readouterr().err


# --------------------------------------------------------------------------- loading


def test_loading_refuses_invalid_data_unless_allowed(small_copy: Path):
    graph = load_graph(small_copy)
    assert graph.invalid is False and graph.validation is not None
    shutil.copy(BAD / "49-missing-funder.ttl", small_copy / "data" / "cases" / "bad.ttl")
    with pytest.raises(ValidationFailed) as info:
        load_graph(small_copy)
    assert info.value.report.violations == 1  # type: ignore[attr-defined]
    assert "collabkg validate" in (info.value.hint or "")
    graph = load_graph(small_copy, allow_invalid=True)
    assert graph.invalid is True
    assert graph.validation is not None and graph.validation.violations == 1


def test_cli_commands_refuse_invalid_data_and_say_so_with_allow_invalid(small_copy: Path, capsys):
    shutil.copy(BAD / "49-missing-funder.ttl", small_copy / "data" / "cases" / "bad.ttl")
    assert main(["--root", str(small_copy), "stats"]) == 1
    assert "not loaded" in capsys.readouterr().err
    assert main(["--root", str(small_copy), "--allow-invalid", "stats"]) == 0
    assert "loaded anyway" in capsys.readouterr().err


def test_validating_one_file_is_fast(small_project: Path):
    validate([BAD / "49-missing-funder.ttl"], root=small_project)  # warm up imports
    started = time.perf_counter()
    validate([BAD / "49-missing-funder.ttl"], root=small_project)
    assert time.perf_counter() - started < 2.0


def test_the_real_data_can_be_validated_and_every_problem_is_located():
    report = validate(root=REPO)
    assert "shacl" in report.stages
    for issue in report.issues:
        assert issue.file and issue.message, issue
        if issue.stage.value in ("vocabulary", "shacl"):
            assert issue.line is not None, issue


# --------------------------------------------------------------------------- OWL


@pytest.mark.java
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
def test_reason_reports_an_inconsistency_at_the_item(small_project: Path, tmp_path: Path):
    # the council "operates in" another organisation: by the ontology's range that makes it a
    # place, and nothing is both a place and an agent
    text = NEW_CASE.replace(
        "ck:operatesIn ckd:fx-good-place ;", "ck:operatesIn ckd:fx-good-charity ;"
    )
    path = _write(tmp_path / "odd.ttl", text)
    report = validate([path], root=small_project, reason=True)
    assert "consistency" in report.stages
    owl = [i for i in report.issues if i.stage.value == "consistency"]
    assert owl and owl[0].file.endswith("odd.ttl") and owl[0].line is not None


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_hook_validates_changed_data_files():
    config = (REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert "collabkg validate" in config
    assert "^data/" in config and "TEMPLATE" in config


def test_the_hook_skipped_a_case_named_like_turtle_but_not_ttl():
    """The hook ran on ``data/**.ttl`` only: a case.TTL, which the graph never reads, was
    committed unchecked. It runs on every Turtle-like name under data/ now (the check then
    says the file is not part of the graph)."""
    config = (REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    [files] = re.findall(r"^\s*files:\s*(\S+)\s*$", config, flags=re.MULTILINE)
    for name in ("data/cases/a.ttl", "data/cases/a.TTL", "data/x/a.turtle", "data/sources.ttl"):
        assert re.search(files, name), name
    for name in ("shapes/a.ttl", "data/README.md", "data/cases/a.ttl.bak", "queries/a.rq"):
        assert not re.search(files, name), name


def test_an_edited_copy_of_a_case_is_checked_in_place_of_the_original(
    small_project: Path, tmp_path: Path
):
    good = (REPO / "tests" / "fixtures" / "validate" / "data" / "cases" / "good.ttl").read_text()
    copy = _write(
        tmp_path / "good-copy.ttl", good.replace('    rdfs:label "Fixton Council" ;\n', "")
    )
    report = validate([copy], root=small_project)
    found = {(i.code, i.line) for i in report.issues}
    # the original on disk does not hide the missing name in the copy
    assert ("shacl.MinCount", 26) in found
    assert ("vocabulary.duplicate-case", 11) in found
    assert any("edited copy of data/cases/good.ttl" in note for note in report.notes)


def test_validate_text_checks_an_upload_in_memory(small_project: Path):
    from collabkg.validate import validate_text

    report = validate_text(NEW_CASE, name="upload.ttl", root=small_project)
    assert report.files == ["upload.ttl"] and report.issues == []
    broken = (BAD / "49-missing-funder.ttl").read_bytes()
    report = validate_text(broken, name="upload.ttl", root=small_project)
    [issue] = report.issues
    assert (issue.file, issue.line, issue.path) == ("upload.ttl", 15, "ck:hasFunder")
    report = validate_text(b"\x00\x01binary", name="upload.ttl", root=small_project)
    assert [i.code for i in report.issues] == ["file.binary"]
