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
    "17-language-and-datatype.ttl": ("syntax.error", 16),
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
    "29-boolean-yes.ttl": ("syntax.ill-typed-literal", 18),
    # words: typos, misused terms, links to nothing, duplicates, not our model
    "30-typo-in-class.ttl": ("vocabulary.unknown-term", 15),
    "31-typo-in-property.ttl": ("vocabulary.unknown-term", 17),
    "32-typo-in-value.ttl": ("vocabulary.unknown-term", 17),
    "33-class-as-property.ttl": ("vocabulary.class-as-property", 18),
    "34-property-as-class.ttl": ("vocabulary.property-as-class", 15),
    "35-value-as-class.ttl": ("vocabulary.value-as-class", 15),
    "36-text-instead-of-link.ttl": ("vocabulary.text-for-link", 17),
    "37-dangling-link.ttl": ("vocabulary.undefined-item", 22),
    "38-no-type.ttl": ("vocabulary.untyped-item", 15),
    "39-wrong-namespace.ttl": ("vocabulary.wrong-namespace", 2),
    "40-duplicate-case-id.ttl": ("vocabulary.duplicate-case", 10),
    "41-foaf-only.ttl": ("vocabulary.no-collabkg-data", 1),
    "42-no-case.ttl": ("vocabulary.no-case", 1),
    "43-two-cases.ttl": ("vocabulary.several-cases", 15),
    "44-disjoint-types.ttl": ("vocabulary.disjoint-types", 15),
    "45-template-placeholder.ttl": ("vocabulary.template-placeholder", 16),
    "46-unknown-rdfs-term.ttl": ("vocabulary.unknown-standard-term", 16),
    # the data model (SHACL)
    "47-reversed-dates.ttl": ("shacl.SPARQL", 18),
    "48-negative-amount.ttl": ("shacl.MinInclusive", 21),
    "49-missing-funder.ttl": ("shacl.MinCount", 15),
    "50-quotation-without-source.ttl": ("shacl.MinCount", 15),
    "51-missing-evidence.ttl": ("shacl.MinCount", 15),
    "52-derived-from-non-source.ttl": ("shacl.Class", 18),
    "53-sector-not-in-scheme.ttl": ("shacl.Class", 17),
    "54-missing-label.ttl": ("shacl.MinCount", 15),
    "55-wrong-datatype.ttl": ("shacl.Or", 21),
    "56-wrong-kind-of-value.ttl": ("shacl.Class", 18),
    "57-deeply-nested-blank-nodes.ttl": ("syntax.too-deep", 18),
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
