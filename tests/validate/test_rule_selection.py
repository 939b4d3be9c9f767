"""Each vocabulary rule runs on a file only where its own pre-filter selected it.

Regression (issue 19, ten million triples): with many files, a file selected by any
pre-filter went through every rule, and the integrity and quotations pre-filters (any
sector, any accountability line, any quotation) selected almost every file, so a whole
project ran every rule on every file. Now each rule runs where its own pre-filter selected
the file; the integrity pre-filter is the integrity check itself on the parsed triples, and
the quotations are matched against their sources' texts on the store. The reports stay
those of the reference path (every rule on every file, ``prefilter=False``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from collabkg.paths import ProjectPaths
from collabkg.validate import pipeline as pipeline_module
from collabkg.validate import rules as rules_module
from collabkg.validate.inputs import project_inputs
from collabkg.validate.model import Ontology
from collabkg.validate.pipeline import run
from collabkg.validate.report import Report
from collabkg.validate.rules import checker, statements
from collabkg.validate.rules.base import Context, FileScan
from collabkg.validate.rules.integrity import INTEGRITY, may_break_integrity
from collabkg.validate.syntax import parse_bytes
from tests.support.paths import FIXTURES, REPO

GOOD = FIXTURES / "validate" / "data" / "cases" / "good.ttl"


def _norm(report: Report) -> dict[str, object]:
    data = report.to_dict()
    data["issues"] = sorted(json.dumps(i, sort_keys=True) for i in data["issues"])  # type: ignore[union-attr]
    data.pop("seconds", None)
    return data


def _context() -> Context:
    graph = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return Context.of(Ontology(graph), True)


def _scan(text: str, ctx: Context) -> FileScan:
    parsed, issues = parse_bytes(text.encode("utf-8"), Path("x.ttl"), "x.ttl")
    assert parsed is not None, issues
    return FileScan.of(parsed, ctx)


INTEGRITY_FAULTS = {
    "two names in one language": (
        'rdfs:label "Fixton Carers" ;',
        'rdfs:label "Fixton Carers", "Fixton Carers Trust" ;',
    ),
    # the pre-filter let a file whose item is named in Welsh only skip the check of it
    "named in another language only": (
        'rdfs:label "Fixton Carers" ;',
        'rdfs:label "Gofalwyr Fixton"@cy ;',
    ),
    # a period given and said unstated passed without a word
    "stated and unstated": (
        "ck:hasPeriod ckd:fx-good-period ;",
        "ck:hasPeriod ckd:fx-good-period ;\n    ck:hasUnstatedProperty ck:hasPeriod ;",
    ),
    "accountable to itself": (
        "ck:isAccountableTo ckd:fx-good-council ;",
        "ck:isAccountableTo ckd:fx-good-charity ;",
    ),
    "kind and sector disagree": (
        "ck:hasSector ckc:voluntaryCommunitySector ;",
        "ck:hasSector ckc:publicSector ;",
    ),
    "blank-node loop": (
        "ck:isExternal true ;",
        "ck:isExternal true ;\n    ck:isAccountableFor _:x .\n_:x ck:isPartOf _:y .\n"
        "_:y ck:isPartOf _:x .\nckd:fx-good-acct rdfs:comment \"loop\" ;",
    ),
}


def test_integrity_pre_filter_passes_a_file_whose_sectors_and_lines_are_sound() -> None:
    """Regression: any sector or accountability line selected the file."""
    ctx = _context()
    assert not may_break_integrity(_scan(GOOD.read_text(encoding="utf-8"), ctx), ctx)


@pytest.mark.parametrize("fault", sorted(INTEGRITY_FAULTS))
def test_integrity_pre_filter_selects_each_integrity_fault(fault: str) -> None:
    ctx = _context()
    old, new = INTEGRITY_FAULTS[fault]
    text = GOOD.read_text(encoding="utf-8")
    assert old in text
    assert may_break_integrity(_scan(text.replace(old, new, 1), ctx), ctx), fault


def test_a_file_selected_only_by_the_quotations_pre_filter_skips_the_other_rules(
    small_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a file any pre-filter selected went through every rule. A case whose
    only fault is a quotation not in its source goes through the quotations rule (and the
    report says so), not through the statement or integrity rules; the report is the
    reference's."""
    cases = small_copy / "data" / "cases"
    text = GOOD.read_text(encoding="utf-8")
    misquoted = text.replace("the work and the risk", "the work and the money").replace(
        "ckd:case-good ", "ckd:case-misquoted "
    )
    # the misquoted case describes its own items (no item shared with good.ttl)
    misquoted = misquoted.replace("ckd:fx-good-", "ckd:fx-mq-")
    (cases / "misquoted.ttl").write_text(misquoted, encoding="utf-8")

    ran: dict[str, set[str]] = {}

    def recording(rule: statements.StatementRule) -> statements.StatementRule:
        def check(chk, item, s, p, o):  # type: ignore[no-untyped-def]
            ran.setdefault(rule.name, set()).add(item.display)
            return rule.check(chk, item, s, p, o)

        return statements.StatementRule(rule.name, check, rule.local, rule.graph)

    def integrity(chk, item):  # type: ignore[no-untyped-def]
        ran.setdefault("integrity", set()).add(item.display)
        INTEGRITY.check(chk, item)

    selections: list[dict[str, frozenset[str]] | None] = []
    original = pipeline_module.check_vocabulary

    def vocabulary(workspace, **options):  # type: ignore[no-untyped-def]
        selections.append(workspace.selection)
        return original(workspace, **options)

    project = ProjectPaths.discover(small_copy)
    inputs = project_inputs(project)
    reference = _norm(run(inputs, project, prefilter=False, many_targets=0))

    monkeypatch.setattr(
        statements, "STATEMENT_RULES", tuple(recording(r) for r in statements.STATEMENT_RULES)
    )
    monkeypatch.setattr(
        rules_module,
        "FILE_RULES",
        tuple(
            checker.FileRule("integrity", integrity, INTEGRITY.local) if r is INTEGRITY else r
            for r in rules_module.FILE_RULES
        ),
    )
    monkeypatch.setattr(pipeline_module, "check_vocabulary", vocabulary)
    fast = _norm(run(inputs, project, many_targets=0))

    assert fast == reference
    issues = [json.loads(i) for i in fast["issues"]]  # type: ignore[union-attr]
    assert any(
        i["code"] == "quotation.not-in-source" and i["file"] == "data/cases/misquoted.ttl"
        for i in issues
    )
    [selection] = selections
    assert selection is not None
    chosen = selection.get("data/cases/misquoted.ttl", frozenset())
    assert "quotations" in chosen
    assert "integrity" not in chosen
    # every rule ran only where its own pre-filter selected the file
    for name, files in ran.items():
        for shown in files:
            assert shown in selection and name in selection[shown], (name, shown)
    # the sound case is not selected by the quotations or the integrity pre-filter
    assert not {"quotations", "integrity"} & selection.get("data/cases/good.ttl", frozenset())


def test_a_missing_source_text_selects_one_quoting_file_not_all(
    small_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: every file quoting a source whose text is missing went to the quotations
    rule (a generated project, whose texts are not beside it, read every case file again),
    though the warning is said once. Now the first quoting file is selected; the report is
    the reference's."""
    seeds = small_copy.parent / "shared" / "seeds"
    for text in seeds.rglob("*.txt"):
        text.unlink()
    cases = small_copy / "data" / "cases"
    original = GOOD.read_text(encoding="utf-8")
    for name in ("copy-a", "copy-b", "copy-c"):
        copy = original.replace("ckd:case-good ", f"ckd:case-{name} ").replace(
            "ckd:fx-good-", f"ckd:fx-{name}-"
        )
        (cases / f"{name}.ttl").write_text(copy, encoding="utf-8")

    selections: list[dict[str, frozenset[str]] | None] = []
    vocabulary = pipeline_module.check_vocabulary

    def recording(workspace, **options):  # type: ignore[no-untyped-def]
        selections.append(workspace.selection)
        return vocabulary(workspace, **options)

    project = ProjectPaths.discover(small_copy)
    inputs = project_inputs(project)
    reference = _norm(run(inputs, project, prefilter=False, many_targets=0))
    monkeypatch.setattr(pipeline_module, "check_vocabulary", recording)
    fast = _norm(run(inputs, project, many_targets=0))

    assert fast == reference
    issues = [json.loads(i) for i in fast["issues"]]  # type: ignore[union-attr]
    assert any(i["code"] == "quotation.text-unavailable" for i in issues)
    [selection] = selections
    assert selection is not None
    quoting = [
        shown
        for shown, chosen in selection.items()
        if shown.startswith("data/cases/") and "quotations" in chosen
    ]
    assert len(quoting) == 1, quoting
