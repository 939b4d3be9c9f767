"""The rules of issue 16, unit by unit: quotations against their sources' texts, integrity
rules, syntax hints and "did you mean" ranking. The same rules run in the pipeline; these
tests call each with a parsed file, so that a wrong verdict is pinned to its rule."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib.term import Node

from collabkg.rdfterms import to_rdflib
from collabkg.sources import SourceRecord
from collabkg.validate.integrity import (
    accountable_to_itself,
    blank_node_cycles,
    kind_and_sector,
    two_names,
)
from collabkg.validate.quotations import check_quotations
from collabkg.validate.suggest import edit_distance, rank
from collabkg.validate.syntax import parse_bytes
from collabkg.validate.syntax_hints import (
    amount_problems,
    explain_syntax_error,
    language_tag_typos,
    unclosed_long_string,
)

HEAD = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
CK = "https://w3id.org/collabkg/ontology#"


@dataclass
class _File:
    parsed: object
    triples: list[tuple[Node, Node, Node]]

    @property
    def display(self) -> str:
        return "data/cases/t.ttl"


def parsed(body: str) -> _File:
    found, issues = parse_bytes((HEAD + body).encode("utf-8"), Path("t.ttl"), "data/cases/t.ttl")
    assert found is not None, issues
    triples = [
        (to_rdflib(t.subject, "b"), to_rdflib(t.predicate, "b"), to_rdflib(t.object, "b"))
        for t in found.triples
    ]
    return _File(found, triples)


# --------------------------------------------------------------------------- quotations

TEXT = "Intro.\nA council officer said: “it’s a shared risk,\nand a shared reward”.\n"


def _sources(tmp_path: Path, *, sha: str | None = None, name: str = "t.txt") -> dict:
    (tmp_path / "t.txt").write_text(TEXT, encoding="utf-8")
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest() if sha is None else sha
    record = SourceRecord(
        "https://w3id.org/collabkg/id/src-t", label="T report", text_file=name, sha256=digest
    )
    return {record.iri: record}


QUOTE = """
ckd:q a ck:Quotation ;
    rdfs:label "q" ;
    ck:hasText "{text}" ;
    prov:wasQuotedFrom ckd:src-t .
"""


def test_a_verbatim_quotation_across_a_line_break_is_verified(tmp_path: Path) -> None:
    item = parsed(QUOTE.format(text="it’s a shared risk, and a shared reward"))
    assert check_quotations([item], _sources(tmp_path), tmp_path) == []


def test_a_quotation_with_one_word_changed_is_an_error_at_its_text_line(tmp_path: Path) -> None:
    item = parsed(QUOTE.format(text="it’s a shared risk, and a joint reward"))
    issues = check_quotations([item], _sources(tmp_path), tmp_path)
    assert [(i.severity.value, i.code, i.line) for i in issues] == [
        ("violation", "quotation.not-in-source", 9)
    ]
    assert "“joint” where the source has “shared”" in issues[0].message
    assert "it’s a shared risk, and a shared reward" in (issues[0].hint or "")


def test_a_source_whose_text_is_missing_gives_one_warning(tmp_path: Path) -> None:
    item = parsed(QUOTE.format(text="a") + QUOTE.replace("ckd:q ", "ckd:q2 ").format(text="b"))
    issues = check_quotations([item], _sources(tmp_path, name="gone.txt"), tmp_path)
    assert [(i.severity.value, i.code) for i in issues] == [
        ("warning", "quotation.text-unavailable")
    ]
    assert "are not verified: its text is not available" in issues[0].message
    assert "gone.txt" in issues[0].message


def test_a_changed_text_is_an_error_and_still_checks_the_quotations(tmp_path: Path) -> None:
    item = parsed(QUOTE.format(text="it’s a shared risk"))
    issues = check_quotations([item], _sources(tmp_path, sha="0" * 64), tmp_path)
    assert [i.code for i in issues] == ["quotation.text-changed"]
    assert hashlib.sha256(TEXT.encode()).hexdigest() in (issues[0].hint or "")


# --------------------------------------------------------------------------- integrity


def test_two_english_names_are_an_error_at_the_label_line() -> None:
    item = parsed(
        '\nckd:x a ck:Charity ;\n    rdfs:label "A", "B"@en ;\n    ck:hasSector ckc:x .\n'
    )
    issues = two_names(item)
    assert [(i.severity.value, i.code, i.line) for i in issues] == [
        ("violation", "vocabulary.two-names", 8)
    ]
    assert "skos:altLabel" in (issues[0].hint or "")


def test_a_name_in_two_languages_is_fine() -> None:
    item = parsed('\nckd:x a ck:Charity ;\n    rdfs:label "Friends", "Amis"@fr .\n')
    assert two_names(item) == []


def test_an_accountability_line_to_itself_is_a_warning_at_its_line() -> None:
    item = parsed(
        "\nckd:l a ck:AccountabilityLine ;\n    ck:hasAccountableParty ckd:o ;\n"
        "    ck:isAccountableTo ckd:o .\n"
    )
    issues = accountable_to_itself(item)
    assert [(i.severity.value, i.line) for i in issues] == [("warning", 9)]
    assert "accountable to itself" in issues[0].message


def _is_a(types, cls: str) -> bool:
    parents = {CK + "Charity": {CK + "VoluntaryOrganisation"},
               CK + "LocalAuthority": {CK + "PublicBody"}}
    return any(t == cls or cls in parents.get(t, set()) for t in types)


def test_a_charity_in_the_public_sector_is_a_warning_at_its_sector_line() -> None:
    item = parsed("\nckd:c a ck:Charity ;\n    ck:hasSector ckc:publicSector .\n")
    issues = kind_and_sector(item, _is_a, lambda node: "charity")
    assert [(i.severity.value, i.code, i.line) for i in issues] == [
        ("warning", "vocabulary.kind-sector", 8)
    ]
    assert "a charity" in issues[0].message and "ckc:publicSector" in issues[0].message
    fine = parsed("\nckd:c a ck:LocalAuthority ;\n    ck:hasSector ckc:publicSector .\n")
    assert kind_and_sector(fine, _is_a, lambda node: None) == []


def test_a_blank_node_cycle_is_a_warning() -> None:
    item = parsed("\n_:a ck:isPartOf _:b .\n_:b ck:isPartOf _:a .\n")
    issues = blank_node_cycles(item)
    assert [(i.severity.value, i.line) for i in issues] == [("warning", 7)]
    assert blank_node_cycles(parsed("\n_:a ck:isPartOf _:b .\n")) == []


# --------------------------------------------------------------------------- syntax hints


def test_an_unclosed_long_text_is_reported_where_it_opens() -> None:
    text = HEAD + 'ckd:x rdfs:label """open ;\n    ck:p ckd:y .\n\nckd:z rdfs:comment """ok""" .\n'
    found = unclosed_long_string(text)
    assert found is not None and (found.line, found.column) == (6, 18)
    assert explain_syntax_error(text, 9) == found
    assert unclosed_long_string(HEAD + 'ckd:x rdfs:label """fine\nover lines""" .\n') is None


def test_a_language_tag_with_an_underscore_is_named_with_its_fix() -> None:
    found = language_tag_typos(HEAD + 'ckd:x rdfs:label "Friends"@en_GB .\n')
    assert len(found) == 1 and found[0].line == 6
    assert "en_GB is not a language tag" in found[0].message and "@en-GB" in found[0].hint


def test_amounts_written_with_pounds_words_or_separators_say_how_to_write_them() -> None:
    cases = {
        "£1.5m": "1500000", "1,500,000": "1500000", '"£250k"': "250000", "£5000": "5000",
        "2.5 million": "2500000",
    }
    for written, plain in cases.items():
        found = amount_problems(HEAD + f"ckd:f ck:hasAmountInPounds {written} .\n")
        assert len(found) == 1, written
        assert found[0].hint == f"write ck:hasAmountInPounds {plain} ;", written
    assert amount_problems(HEAD + "ckd:f ck:hasAmountInPounds 1500000.00 .\n") == []


# --------------------------------------------------------------------------- did you mean


def test_suggestions_rank_the_intended_term_first_across_vocabularies() -> None:
    org, skos = "http://www.w3.org/ns/org#", "http://www.w3.org/2004/02/skos/core#"
    pool = [org + "member", org + "hasMember", org + "memberOf", skos + "member", CK + "hasMember"]
    assert rank(org + "memebr", pool)[0] == org + "member"
    assert edit_distance("memebr", "member") == 1
    assert rank(org + "xyzzy", pool) == []
