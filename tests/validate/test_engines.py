"""The fast path of the one pipeline reports exactly what the reference path reports.

The pipeline (collabkg.validate.pipeline) runs the shapes compiled to SPARQL and gives the
vocabulary rules only the files some rule's pre-filter selects (collabkg.validate.rules).
The reference: every shape run by pySHACL over the same data (``engine="pyshacl"``) and
every file asked about given to every rule (``prefilter=False``). Compared here issue by
issue, every field, on:

- every file of the bad-input corpus (tests/fixtures/bad/), one at a time (a few files
  against a graph) and all together (many files: the pre-filters decide), in memory and
  with the persistent store of .collabkg-cache/;
- generated case data (bench/generate.py) with vocabulary and data-model faults injected.

And the same faults are found whatever the size of the graph around them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from collabkg.paths import ProjectPaths
from collabkg.validate import pipeline as pipeline_module
from collabkg.validate.inputs import project_inputs
from collabkg.validate.pipeline import run
from collabkg.validate.report import Report
from tests.support.paths import BAD, REPO
from tests.support.synthetic import generate

# Faults injected into generated case files: (what, pattern, replacement). Each is applied
# once to its own case file; together they exercise every stage of the pipeline.
FAULTS: list[tuple[str, str, str]] = [
    ("typo in a class", r"a ck:FundingStream ;", "a ck:FundingStrem ;"),
    ("link to nothing", r"ck:hasFunder ckd:syn-org-\d+", "ck:hasFunder ckd:syn-org-nowhere"),
    ("item with no type", r"(ckd:syn-period-\d+) a ck:Period ;", r"\1"),
    ("two kinds that clash", r"a ck:Quotation ;", "a ck:Quotation, ck:Source ;"),
    (
        "property on the wrong kind of item",
        r"(ck:hasStructureType ckc:\w+ ;)",
        r"\1\n    ck:hasAmountInPounds 5.00 ;",
    ),
    ("text instead of a link", r"ck:hasFunder ckd:syn-org-\d+", 'ck:hasFunder "the council"'),
    ("template placeholder", r'rdfs:label "Synthetic case \d+"', 'rdfs:label "CHANGE-ME"'),
    (
        "prefix bound to another namespace",
        r"@prefix ckc: <https://w3id.org/collabkg/concept/> \.",
        "@prefix ckc: <https://w3id.org/collabkg/concepts/> .",
    ),
    (
        "case ID of another file",
        r"ckd:case-syn-case-\d+ a ck:Case",
        "ckd:case-syn-case-000000 a ck:Case",
    ),
    ("negative amount", r"ck:hasAmountInPounds \d+\.00", "ck:hasAmountInPounds -250.00"),
    (
        "reversed period in a blank node",
        r"ck:hasPeriod ckd:syn-period-\d+ ;",
        'ck:hasPeriod [ a ck:Period ; rdfs:label "2019-2017" ; '
        'ck:hasStartDate "2019"^^xsd:gYear ; ck:hasEndDate "2017"^^xsd:gYear ] ;',
    ),
    ("missing label", r'(ckd:syn-m-\d+-0 a org:Membership ;\n)    rdfs:label "[^"]*" ;\n', r"\1"),
    ("date as plain text", r'ck:hasStartDate "(\d+)"\^\^xsd:gYear', r'ck:hasStartDate "\1"'),
    ("quote marks around a quotation", r'ck:hasText "', 'ck:hasText "\\"'),
    ("ill-typed date", r'"(\d{4})"\^\^xsd:gYear', r'"\1-13"^^xsd:gYear'),
    (
        "value from the wrong list",
        r"ck:hasFundingMechanism ckc:\w+",
        "ck:hasFundingMechanism ckc:lead",
    ),
]


def norm(report: Report) -> dict[str, object]:
    data = report.to_dict()
    data["issues"] = sorted(json.dumps(i, sort_keys=True) for i in data["issues"])  # type: ignore[union-attr]
    return data


def both(root: Path, paths: list[Path] | None = None) -> tuple[dict, dict]:
    """(the reference report, the fast report) of ``paths`` checked against ``root``."""
    project = ProjectPaths.discover(root)
    inputs = project_inputs(project, paths)
    return (
        norm(run(inputs, project, engine="pyshacl", prefilter=False)),
        norm(run(inputs, project, engine="sparql")),
    )


def inject(project: Path) -> dict[str, str]:
    """Apply each fault to its own case file; returns fault -> file (relative)."""
    cases = sorted((project / "data" / "cases").rglob("*.ttl"))
    where: dict[str, str] = {}
    for number, (what, pattern, replacement) in enumerate(FAULTS):
        case = cases[3 + 2 * number]
        text = case.read_text(encoding="utf-8")
        new = re.sub(pattern, replacement, text, count=1)
        assert new != text, (what, case)
        case.write_text(new, encoding="utf-8")
        where[what] = case.relative_to(project).as_posix()
    return where


@pytest.fixture(scope="module")
def faulty_10k(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    out = tmp_path_factory.mktemp("engines") / "p10k"
    generate.generate(out, 10_000)
    return out, inject(out)


@pytest.mark.slow
def test_every_bad_file_at_once(small_project: Path) -> None:
    pyshacl, sparql = both(small_project, sorted(BAD.glob("*.ttl")))
    assert sparql == pyshacl


def _beyond_syntax() -> list[Path]:
    """The bad files whose problem the vocabulary or SHACL stage finds (a syntax problem is
    found by the same code in both engines), and one of each early stop."""
    from tests.support.bad_inputs import EXPECTED

    names = [n for n, (code, _line) in EXPECTED.items() if code.startswith(("vocab", "shacl"))]
    names += ["01-missing-final-dot.ttl", "26-not-a-date.ttl", "57-deeply-nested-blank-nodes.ttl"]
    return [BAD / name for name in sorted(names)]


@pytest.mark.slow
def test_each_bad_file_alone(small_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One file against the graph: in memory, then with the persistent store."""
    differences = []
    files = _beyond_syntax()
    expected = {}
    for path in files:
        pyshacl, sparql = both(small_copy, [path])
        expected[path] = pyshacl
        if sparql != pyshacl:
            differences.append(path.name)
    monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    project = ProjectPaths.discover(small_copy)
    for path in files:
        persistent = norm(run(project_inputs(project, [path]), project, engine="sparql"))
        if persistent != expected[path]:
            differences.append(f"{path.name} (persistent store)")
    assert differences == []


@pytest.mark.slow
def test_generated_data_with_faults_whole_graph(faulty_10k: tuple[Path, dict[str, str]]) -> None:
    root, where = faulty_10k
    pyshacl, sparql = both(root)
    assert sparql == pyshacl
    issues = [json.loads(i) for i in pyshacl["issues"]]  # type: ignore[union-attr]
    for what, file in where.items():
        assert any(i["file"] == file and i["severity"] != "info" for i in issues), what


@pytest.mark.slow
def test_generated_data_with_faults_one_file_against_the_graph(
    faulty_10k: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, where = faulty_10k
    monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    for what in ("link to nothing", "reversed period in a blank node", "case ID of another file"):
        file = root / where[what]
        pyshacl, sparql = both(root, [file])
        assert sparql == pyshacl, what
        again = both(root, [file])[1]  # the persistent store, now warm
        assert again == pyshacl, what


def _codes_by_fault(root: Path, where: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    project = ProjectPaths.discover(root)
    report = run(project_inputs(project), project, engine="sparql")
    found: dict[str, list[tuple[str, str]]] = {}
    for what, file in where.items():
        found[what] = sorted({(i.code, i.severity.value) for i in report.issues if i.file == file})
    return found


@pytest.mark.slow
def test_the_same_faults_are_found_whatever_the_size(
    faulty_10k: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    small, where_small = faulty_10k
    large = tmp_path / "p40k"
    generate.generate(large, 40_000)
    where_large = inject(large)
    assert where_large == where_small
    assert _codes_by_fault(large, where_large) == _codes_by_fault(small, where_small)


@pytest.mark.slow
def test_the_cache_does_not_serve_stale_results(small_copy: Path) -> None:
    """Edit a file between two runs: the second run sees the edit (hashes, not dates)."""
    from collabkg.validate import validate

    case = small_copy / "data" / "cases" / "good.ttl"
    assert validate([case], root=small_copy, engine="sparql").violations == 0
    text = case.read_text(encoding="utf-8")
    case.write_text(text.replace("a ck:FundingStream", "a ck:FundingStrem"), encoding="utf-8")
    assert validate([case], root=small_copy, engine="sparql").violations > 0
    case.write_text(text, encoding="utf-8")
    assert validate([case], root=small_copy, engine="sparql").violations == 0
    shutil.rmtree(small_copy / ".collabkg-cache")
    assert validate([case], root=small_copy, engine="sparql").violations == 0


UNTRANSLATABLE_SHAPE = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix cksh: <https://w3id.org/collabkg/shapes#> .

cksh:QualifiedFunderShape a sh:NodeShape ;
    sh:name "funder of a kind not in the ontology" ;
    sh:description "A qualified value shape: the SPARQL compiler leaves it to pySHACL." ;
    sh:targetClass ck:FundingStream ;
    sh:property [
        sh:path ck:hasFunder ;
        sh:qualifiedMinCount 1 ;
        sh:qualifiedValueShape [ sh:class ck:NoSuchKind ] ;
        sh:severity sh:Warning ;
        sh:message "No funder of the required kind." ;
    ] .
"""


@pytest.mark.slow
def test_a_shape_the_compiler_cannot_translate_is_run_by_pyshacl(small_copy: Path) -> None:
    """The SPARQL engine hands the shapes it cannot translate to pySHACL over the store's
    data, and reports what the pyshacl engine reports."""
    shape_file = small_copy / "shapes" / "zz-qualified.ttl"
    shape_file.write_text(UNTRANSLATABLE_SHAPE, encoding="utf-8")
    pyshacl, sparql = both(small_copy)
    assert sparql == pyshacl
    issues = [json.loads(i) for i in sparql["issues"]]  # type: ignore[union-attr]
    assert [i for i in issues if i["message"].startswith("No funder of the required kind")]


def test_a_rule_without_a_pre_filter_selects_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a rule and forgetting its pre-filter must not skip files silently."""
    from collabkg.validate import rules
    from collabkg.validate.rules import checker
    from collabkg.validate.rules.base import Context
    from collabkg.validate.syntax import read_turtle

    seen: list[str] = []
    unfiltered = checker.FileRule("no-filter", lambda chk, item: seen.append(item.display))
    monkeypatch.setattr(rules, "RULES", (*rules.RULES, unfiltered))
    parsed, _issues = read_turtle(
        REPO / "tests" / "fixtures" / "validate" / "data" / "sources.ttl", "x.ttl"
    )
    assert parsed is not None
    ctx = Context(
        frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), False, {}, {}
    )
    chosen, _facts = rules.select_local(parsed, ctx)
    assert "no-filter" in chosen


def test_a_cached_report_depends_on_every_module_of_the_validator() -> None:
    """Regression: the code version hashed validate/*.py only, so editing a vocabulary rule
    (validate/rules/*.py) would have served reports made by the old rule."""
    from collabkg import cache

    package = REPO / "src" / "collabkg"
    hashed = {p.resolve() for p in cache.code_files()}
    validator = {p.resolve() for p in (package / "validate").rglob("*.py")}
    assert (package / "validate" / "rules" / "statements.py").resolve() in validator
    assert validator <= hashed
    for name in ("shacl_sparql.py", "rdfterms.py", "xsd.py"):
        assert (package / name).resolve() in hashed


def test_a_cached_report_depends_on_every_module_the_validator_imports() -> None:
    """Regression: mentions.py (what each file names, kept by the validation for its
    incremental runs and for bringing answers up to date) was not hashed, so a change of
    what it records would have been compared with what the old code kept. Every module of
    the package that the validator or the reasoner imports is hashed."""
    import re

    from collabkg import cache

    package = REPO / "src" / "collabkg"
    hashed = {p.resolve() for p in cache.code_files()}
    imported: set[str] = set()
    for folder in ("validate", "reasoning"):
        for path in (package / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            imported |= set(re.findall(r"^\s*from collabkg\.(\w+)", text, flags=re.MULTILINE))
            for names in re.findall(r"^\s*from collabkg import ([\w, ]+)", text, re.MULTILINE):
                imported |= {name.strip() for name in names.split(",")}
    modules = {name for name in imported if (package / f"{name}.py").is_file()}
    assert "mentions" in modules and "parse_once" in modules  # the scan finds them
    missing = sorted(name for name in modules if (package / f"{name}.py").resolve() not in hashed)
    assert not missing


def test_a_cached_report_depends_on_every_module_of_the_reasoner() -> None:
    """Regression: reasoning.py became a package (reasoning/*.py); the code version named
    the old file, so a change to HermiT's use (``validate --reason``) would have served
    reports made by the old code."""
    from collabkg import cache

    package = REPO / "src" / "collabkg"
    hashed = {p.resolve() for p in cache.code_files()}
    reasoner = {p.resolve() for p in (package / "reasoning").rglob("*.py")}
    assert (package / "reasoning" / "explain.py").resolve() in reasoner
    assert reasoner <= hashed


@pytest.mark.slow
def test_reason_only_adds_the_consistency_stage(
    small_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--reason runs the same pipeline (it once switched to another engine): the same
    issues, plus whatever the consistency stage finds (HermiT replaced by a stub here)."""
    calls: list[int] = []

    def stub(workspace: object) -> tuple[list, list[str]]:
        calls.append(1)
        return [], ["consistency checked (stub)"]

    monkeypatch.setattr(pipeline_module, "check_consistency", stub)
    project = ProjectPaths.discover(small_project)
    inputs = project_inputs(project, sorted(BAD.glob("3*.ttl")))
    plain = run(inputs, project)
    reasoned = run(inputs, project, reason=True)
    assert calls == [1]
    assert reasoned.stages == [*plain.stages, "consistency"]
    assert norm(reasoned)["issues"] == norm(plain)["issues"]
    assert "consistency checked (stub)" in reasoned.notes
