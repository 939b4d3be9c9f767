"""The shapes are standard SHACL: a second, independent engine gives pySHACL's results.

SHACL's ``sh:pattern`` is an XPath regular expression (no look-around, no ``(?...)``
groups, ``$`` only at the very end), so every pattern in shapes/ must be one; and pyrudof
(a SHACL engine written in Rust, independent of pySHACL and of collabkg's own compiler)
must report, on every shape fixture (tests/fixtures/shapes/<Shape>/valid.ttl and
invalid.ttl, with context.ttl and the ontology's classes), exactly the results pySHACL
reports: same focus node, path, constraint component, severity and value.
"""

from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path

import pyrudof
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from tests.support.paths import FIXTURES, REPO

SHAPE_FIXTURES = FIXTURES / "shapes"
Result = tuple[str, str, str, str, str]
"""(focus, path, constraint component, severity, value) of one result."""

NOT_XPATH = re.compile(r"\(\?|\\[AZzbBGKQE]|[*+?}]\+|\$.")
"""What Python's ``re`` accepts and XPath regular expressions do not: ``(?...)`` groups
(look-around, flags, non-capturing), anchors other than ``^``/``$``, possessive
quantifiers, and ``$`` anywhere but at the end."""


@functools.cache
def _shapes() -> Graph:
    graph = Graph()
    for path in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def _ontology_classes() -> Graph:
    """The ontology's rdf:type and rdfs:subClassOf statements (what the validator gives
    the shapes)."""
    ontology = Graph()
    for path in [
        *sorted((REPO / "ontology").glob("*.ttl")),
        *sorted((REPO / "ontology" / "concepts").glob("*.ttl")),
    ]:
        ontology.parse(path, format="turtle")
    reduced = Graph()
    for predicate in (RDF.type, RDFS.subClassOf):
        for triple in ontology.triples((None, predicate, None)):
            reduced.add(triple)
    return reduced


FIXTURE_FILES = sorted(SHAPE_FIXTURES.glob("*/*.ttl"))


def test_every_pattern_is_an_xpath_regular_expression() -> None:
    patterns = [str(o) for o in _shapes().objects(None, SH.pattern)]
    assert patterns, "the shapes have no sh:pattern: this test checks nothing"
    for pattern in patterns:
        assert not NOT_XPATH.search(pattern), pattern
        re.compile(pattern)


def _xpath_matches(pattern: str, text: str) -> bool:
    """fn:matches without flags: a search, ``$`` at the very end only."""
    return re.search(re.sub(r"\$$", r"\\Z", pattern), text) is not None


def test_the_quotation_pattern_refuses_exactly_surrounding_quote_marks() -> None:
    """Every string of up to six characters from the ones that matter: the pattern accepts
    it exactly when it neither starts nor ends with a straight quote nor is wrapped in
    typographic quotes."""
    (pattern,) = [
        str(o)
        for s in _shapes().subjects(SH.path, URIRef("https://w3id.org/collabkg/ontology#hasText"))
        for o in _shapes().objects(s, SH.pattern)
    ]
    for size in range(7):
        for chars in itertools.product('a"“”\n', repeat=size):
            text = "".join(chars)
            wrapped = len(text) >= 2 and text[0] == "“" and text[-1] == "”"
            expected = not text.startswith('"') and not text.endswith('"') and not wrapped
            assert _xpath_matches(pattern, text) is expected, repr(text)


def _term(node: Node | None) -> str:
    """A term the same way for both engines: a blank node (a complex path, an unnamed
    item) as ``[]``, a literal as lexical form, datatype and language."""
    if node is None:
        return "-"
    if isinstance(node, BNode):
        return "[]"
    if isinstance(node, Literal):
        datatype = node.datatype or (None if node.language else XSD.string)
        return f"{node}|{datatype or ''}|{node.language or ''}"
    return str(node)


def _pyshacl(data: Graph) -> set[Result]:
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=_shapes(), inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    return {
        (
            _term(report.value(r, SH.focusNode)),
            _term(report.value(r, SH.resultPath)),
            _term(report.value(r, SH.sourceConstraintComponent)),
            _term(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            _term(report.value(r, SH.value)),
        )
        for r in report.objects(None, SH.result)
    }


_RUDOF_LITERAL = re.compile(
    r'^"(?P<lex>.*)"(?:\^\^(?:<(?P<dt>[^>]*)>|xsd:(?P<xsd>\w+))|@(?P<lang>[\w-]+))?$', re.S
)
_BARE = (
    (re.compile(r"^(true|false)$"), XSD.boolean),
    (re.compile(r"^[+-]?\d+$"), XSD.integer),
    (re.compile(r"^[+-]?\d*\.\d+$"), XSD.decimal),
)
"""Literals pyrudof writes without quotes, as Turtle does."""


def _rudof_term(text: object) -> str:
    """pyrudof's text of a term, as :func:`_term` writes it."""
    if text is None:
        return "-"
    value = str(text)
    if value.startswith(("_:", "(", "^")) or (" " in value and not value.startswith('"')):
        return "[]"  # a blank node, or a path that is not one property
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    literal = _RUDOF_LITERAL.match(value)
    if literal is not None:
        language = literal["lang"] or ""
        datatype = literal["dt"] or (XSD + literal["xsd"] if literal["xsd"] else "")
        return f"{literal['lex']}|{datatype or ('' if language else XSD.string)}|{language}"
    for pattern, datatype in _BARE:
        if pattern.match(value):
            return f"{value}|{datatype}|"
    return value


def _pyrudof(data: Graph) -> set[Result]:
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(_shapes().serialize(format="turtle"))
    found: set[Result] = set()
    for entry in rudof.validate_shacl():
        value = _rudof_term(entry.value)
        found.add(
            (
                _rudof_term(entry.focus_node),
                _rudof_term(entry.path),
                _rudof_term(entry.constraint_component),
                str(entry.severity).rsplit("#", 1)[-1],
                value,
            )
        )
    return found


@pytest.mark.slow
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_pyrudof_reports_what_pyshacl_reports(fixture: Path) -> None:
    data = Graph()
    data += _ontology_classes()
    data.parse(SHAPE_FIXTURES / "context.ttl", format="turtle")
    data.parse(fixture, format="turtle")
    expected = _pyshacl(data)
    if fixture.name == "invalid.ttl":
        assert expected, "an invalid fixture with no result checks nothing"
    assert _pyrudof(data) == expected
