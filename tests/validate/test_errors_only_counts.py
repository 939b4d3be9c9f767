"""`collabkg validate --errors-only`: the counts it prints agree with what it left out.

The file's header and the Summary said "0 warnings" while a note said "1 warning(s) …
not shown" (the warning was counted before it was left out, and not after).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.project import make_project

NO_PERIOD = """\
@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ckd:fx-w-funding a ck:FundingStream ;
    rdfs:label "Fixton grant with no period" ;
    ck:hasFunder ckd:fx-good-council ;
    ck:hasRecipient ckd:fx-good-charity ;
    ck:hasFundingMechanism ckc:grant ;
    prov:wasDerivedFrom ckd:src-fx-report .
"""


def test_errors_only_header_and_summary_said_0_warnings_while_a_note_said_1(
    cli, tmp_path: Path
):
    root = make_project(tmp_path / "project")
    path = root / "data" / "cases" / "no-period.ttl"  # no case item: an error; no period: a warning
    path.write_text(NO_PERIOD, encoding="utf-8")
    code, full, _err = cli("--root", str(root), "validate", str(path), "--format", "json")
    summary = json.loads(full)["summary"]
    assert summary["violation"] >= 1 and summary["warning"] == 1
    code_only, out, _err = cli("--root", str(root), "validate", "--errors-only", str(path))
    assert code_only == code == 1
    assert ": warning:" not in out
    assert "0 warnings" not in out
    header = next(line for line in out.splitlines() if line.startswith("── "))
    assert "1 warning (not shown)" in header
    summary_line = next(line for line in out.splitlines() if line.startswith("Summary:"))
    assert "1 warning (not shown)" in summary_line
    _code, text, _err = cli(
        "--root", str(root), "validate", "--errors-only", "--format", "json", str(path)
    )
    report = json.loads(text)
    assert report["summary"]["warning"] == 1
    assert report["not_shown"]["warning"] == 1
    assert all(issue["severity"] == "violation" for issue in report["issues"])
