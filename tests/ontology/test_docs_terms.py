"""Every term the guides and the template show exists: in the ontology (ontology/**) or in
one of the reused W3C vocabularies.

docs/adding-a-case.md told authors to write `ck:hasAmount 1500000`; there is no such
term (it is ck:hasAmountInPounds), and the validator then suggested org:hasUnit. Every
prefixed name in the docs' code (fenced blocks and `inline code`) and in data/TEMPLATE.ttl
must be defined; IDs of data (ckd:…) and placeholders are not terms, and the misspellings
the guides show on purpose (to explain the report) are listed below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from rdflib import namespace as ns

from collabkg.terms import PREFIXES
from tests.support.paths import REPO

DOCS = sorted((REPO / "docs").glob("*.md"))
TEMPLATE = REPO / "data" / "TEMPLATE.ttl"
CLOSED = (ns.RDF, ns.RDFS, ns.OWL, ns.XSD, ns.SKOS, ns.PROV, ns.ORG, ns.DCTERMS, ns.TIME, ns.SH)
NOT_TERMS = ("ckd", "cksh")
"""Data IDs (ckd:) and shape names (cksh:, described in shapes/) are not vocabulary."""

DELIBERATE = {
    "ck:hasStructureTyp",  # the typo the report example explains
    "org:memebr",
    "ckc:publicsector",  # "terms are case-sensitive"
}
"""Misspellings the guides show on purpose, to explain what the report says about them."""
PLACEHOLDERS = {"ck:SomeKind"}
"""Names that stand for "a term of your choice" in the guides' prose."""

_NAME = re.compile(r"(?<![\w\-.:/<@#])([a-z][a-z]*):([A-Za-z_][\w\-]*[\w])(?![\w:])")


def _code(text: str) -> str:
    fenced = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)
    rest = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    inline = re.findall(r"`([^`\n]+)`", rest)
    return "\n".join(fenced + inline)


def _names(text: str) -> set[str]:
    return {
        f"{prefix}:{local}"
        for prefix, local in _NAME.findall(text)
        if prefix in PREFIXES and prefix not in NOT_TERMS and "CHANGE-ME" not in local
    }


def _ontology() -> set[str]:
    graph = rdflib.Graph()
    for path in sorted((REPO / "ontology").rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return {str(s) for s in graph.subjects() if isinstance(s, URIRef)}


DEFINED = _ontology()


def _defined(name: str) -> bool:
    prefix, local = name.split(":", 1)
    iri = PREFIXES[prefix] + local
    if iri in DEFINED:
        return True
    for vocabulary in CLOSED:
        if iri.startswith(str(vocabulary)):
            try:
                return URIRef(iri) in vocabulary
            except Exception:  # pragma: no cover - rdflib internals
                return False
    return False


SOURCES: list[Path] = [*DOCS, TEMPLATE]


def test_the_docs_and_the_template_are_read():
    assert TEMPLATE.is_file() and DOCS
    assert "ck:hasAmountInPounds" in _names(_code((REPO / "docs" / "modelling.md").read_text()))


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_docs_told_authors_to_write_a_term_that_does_not_exist(path: Path):
    text = path.read_text(encoding="utf-8")
    names = _names(text if path.suffix == ".ttl" else _code(text))
    undefined = sorted(n for n in names - DELIBERATE - PLACEHOLDERS if not _defined(n))
    assert not undefined, f"{path.relative_to(REPO)} shows terms that do not exist: {undefined}"


def _shape_messages() -> set[str]:
    graph = rdflib.Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return {str(m) for m in graph.objects(None, ns.SH.message)}


def test_docs_example_note_was_one_the_validator_never_gives():
    """docs/adding-a-case.md showed the note "This item is flagged as not named in the
    source. That is fine…" for an item whose name already said "(not named in the
    source)": the validator gives that note only when the name does NOT say so, in other
    words. Every note the guides show is a message the shapes give."""
    messages = _shape_messages()
    shown = [
        line.split("): ", 1)[1]
        for doc in DOCS
        for block in re.findall(r"```text\n(.*?)```", doc.read_text("utf-8"), re.DOTALL)
        for line in block.splitlines()
        if ": note: " in line and "): " in line
    ]
    assert shown, "the guides show no note"
    assert [text for text in shown if text not in messages] == []


def _lists() -> dict[str, set[str]]:
    """Each controlled list (a class of SKOS concepts) and its values, as prefixed names."""
    graph = rdflib.Graph()
    for path in sorted((REPO / "ontology" / "concepts").glob("*.ttl")):
        graph.parse(path, format="turtle")
    ckc = PREFIXES["ckc"]
    found: dict[str, set[str]] = {}
    for member, cls in graph.subject_objects(ns.RDF.type):
        if str(member).startswith(ckc) and str(cls).startswith(PREFIXES["ck"]):
            found.setdefault(str(cls), set()).add("ckc:" + str(member)[len(ckc) :])
    return found


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_a_list_of_allowed_values_in_the_docs_left_some_out(path: Path):
    """docs/modelling.md listed the kinds of involvement without ckc:professionalService
    and ckc:otherInvolvement (as the shapes' messages did the roles): a paragraph that
    names most of a list's values names all of them."""
    lists = _lists()
    short = []
    prose = re.sub(r"```.*?```", "\n\n", path.read_text(encoding="utf-8"), flags=re.DOTALL)
    for paragraph in re.split(r"\n\s*\n", prose):
        named = _names(paragraph)
        for cls, values in lists.items():
            listed = named & values
            if len(listed) >= 4 and len(listed) >= 0.6 * len(values) and listed != values:
                short.append((cls.rsplit("#", 1)[-1], sorted(values - listed)))
    assert short == [], f"{path.name}: lists leaving out values: {short}"
