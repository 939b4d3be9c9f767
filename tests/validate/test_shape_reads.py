"""What each shape reads, as walks from its focus node (validate/shape_reads.py): the
incremental run finds the focus nodes a changed statement can affect from them, so a walk
left out would let a stale issue be carried over."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from collabkg.validate.shacl import load_shapes
from collabkg.validate.shape_reads import Step, UnreadableShapes, shape_walks
from tests.support.paths import REPO

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
EX = "http://example.org/"
TYPE = Step("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", True)


def _walks(text: str) -> set[tuple[Step, ...]]:
    return set(shape_walks(Graph().parse(data=PREFIXES + text, format="turtle")))


def _f(name: str) -> Step:
    return Step(EX + name, True)


def _b(name: str) -> Step:
    return Step(EX + name, False)


def test_paths_class_and_nested_shapes_become_walks() -> None:
    walks = _walks(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ( ex:a [ sh:inversePath ex:b ] ) ; sh:class ex:D ] ,
                [ sh:path [ sh:alternativePath ( ex:c ex:d ) ] ; sh:minCount 1 ] ,
                [ sh:path ex:e ; sh:node ex:N ] ,
                [ sh:path ex:g ; sh:lessThan ex:h ] .
        ex:N a sh:NodeShape ; sh:property [ sh:path ex:f ; sh:datatype rdfs:Literal ] .
        """
    )
    assert (TYPE,) in walks  # the class target
    assert (_f("a"), _b("b")) in walks
    assert (_f("a"), _b("b"), TYPE) in walks  # sh:class reads the value's type
    assert (_f("c"),) in walks and (_f("d"),) in walks
    assert (_f("e"), _f("f")) in walks  # sh:node continues the walk
    assert (_f("h"),) in walks  # sh:lessThan reads the focus's other property


def test_a_sparql_constraint_reads_the_statements_of_this() -> None:
    query = (
        "SELECT $this ?value WHERE { $this $PATH ?value . "
        "FILTER NOT EXISTS { ?x <http://example.org/q> $this } }"
    )
    walks = _walks(
        f"""
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:sparql [ sh:select "{query}" ] ] .
        """
    )
    assert (_f("p"),) in walks
    assert (_b("q"),) in walks


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ] .",
        'ex:S sh:targetClass ex:C ; sh:sparql [ sh:select "SELECT $this WHERE { '
        '$this <http://example.org/p> ?x . ?x <http://example.org/q> ?y }" ] .',
        "ex:S sh:targetClass ex:C ; sh:closed true .",
    ],
    ids=["unbounded-path", "sparql-two-steps", "closed"],
)
def test_what_is_not_followed_is_refused_not_guessed(shape: str) -> None:
    with pytest.raises(UnreadableShapes):
        _walks(shape)


def test_the_projects_shapes_are_read_with_their_backward_steps() -> None:
    walks = shape_walks(load_shapes(sorted(Path(REPO / "shapes").glob("*.ttl"))))
    member = Step("http://www.w3.org/ns/org#member", False)
    about = Step("https://w3id.org/collabkg/ontology#isAbout", True)
    # a case's quotations are found through the memberships of an organisation it is about
    assert any(w[:2] == (about, member) for w in walks)
