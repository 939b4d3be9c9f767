"""The values a shape's message or description names are the values the shape accepts.

A message that listed the allowed values by hand fell behind the list it checks against
(`org:role ckc:publicSector` was told "must be one of … ckc:member or ckc:host", leaving out
the investor, intermediary and outcomes payer roles, all accepted). Every value a message
or description names must be accepted by its shape, and a message that says "must be one of"
followed by a list (not "such as …") must list every accepted value.
"""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib import RDF, RDFS, SH, Node, URIRef
from rdflib.collection import Collection

from tests.support.paths import REPO

CKC = "https://w3id.org/collabkg/concept/"
EXAMPLES_ONLY = ("such as", "e.g.", "for example", "including")


def _graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for folder in ("ontology", "shapes"):
        for path in sorted((REPO / folder).rglob("*.ttl")):
            graph.parse(path, format="turtle")
    return graph


GRAPH = _graph()


def _accepted(shape: Node) -> set[str] | None:
    """The ckc: values the shape accepts (sh:in, or the members of sh:class), if it says."""
    listed = GRAPH.value(shape, SH["in"])
    if listed is not None:
        return {str(v) for v in Collection(GRAPH, listed) if str(v).startswith(CKC)}
    cls = GRAPH.value(shape, SH["class"])
    if cls is None:
        return None
    classes = set(GRAPH.transitive_subjects(RDFS.subClassOf, cls))
    return {
        str(s)
        for c in classes
        for s in GRAPH.subjects(RDF.type, c)
        if isinstance(s, URIRef) and str(s).startswith(CKC)
    }


def _named(text: str) -> set[str]:
    return {CKC + name for name in re.findall(r"\bckc:([A-Za-z][\w-]*)", text)}


def _worded() -> list[tuple[str, Node, str, str]]:
    out = []
    for predicate, what in ((SH.message, "message"), (SH.description, "description")):
        for shape, text in GRAPH.subject_objects(predicate):
            path = GRAPH.value(shape, SH.path)
            name = GRAPH.qname(path) if isinstance(path, URIRef) else str(shape)
            out.append((f"{name} {what}", shape, what, str(text)))
    return sorted(out, key=lambda item: item[0] + item[3])


WORDED = [item for item in _worded() if _named(item[3]) and _accepted(item[1])]


def test_there_are_messages_that_name_values():
    assert len(WORDED) > 10


@pytest.mark.parametrize(("where", "shape", "what", "text"), WORDED, ids=[w[0] for w in WORDED])
def test_a_message_listing_allowed_values_left_out_accepted_ones(
    where: str, shape: Node, what: str, text: str
) -> None:
    accepted = _accepted(shape)
    assert accepted
    named = _named(text)
    assert named <= accepted, f"{where} names values the shape refuses: {named - accepted}"
    listing = re.search(r"must be one of(.*?)(;|$)", text) or re.search(
        r"takes a value from .*?:(.*?)(\.$|;|$)", text
    )
    if listing and _named(listing.group(1)) and not any(
        word in listing.group(1) for word in EXAMPLES_ONLY
    ):
        missing = sorted(v[len(CKC) :] for v in accepted - _named(listing.group(1)))
        assert not missing, f"{where} lists the allowed values but leaves out {missing}"
