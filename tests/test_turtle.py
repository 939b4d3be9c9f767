"""Canonical Turtle: one deterministic text per graph, and `collabkg fmt`."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from collabkg.terms import CK, CKD
from collabkg.turtle import canonical_turtle, has_inner_comments, split_header

SAMPLE = (
    "@prefix ck: <https://w3id.org/collabkg/ontology#> .\n"
    "@prefix ckd: <https://w3id.org/collabkg/id/> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    'ckd:b rdfs:label "B" ; ck:hasMember [ a ck:Membership ; ck:role ckd:lead ] , ckd:a .\n'
    'ckd:a a ck:Charity ; rdfs:label "A"@en ,\n'
    '    """Long text with "quotes" and a newline\nin it"""@en ;\n'
    '    ck:count 3 , 2.5 , "2020-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
    "ck:Thing owl:unionOf ( ck:A ck:B ) .\n"
)


def _parse(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def test_canonical_text_is_stable_and_faithful():
    graph = _parse(SAMPLE)
    text = canonical_turtle(graph)
    assert isomorphic(_parse(text), graph)
    assert canonical_turtle(_parse(text)) == text  # idempotent
    reordered = rdflib.Graph()
    for triple in sorted(graph, key=str, reverse=True):
        reordered.add(triple)
    assert canonical_turtle(reordered) == text  # independent of input order


def test_canonical_layout():
    text = canonical_turtle(_parse(SAMPLE))
    assert text.startswith("@prefix ck: <https://w3id.org/collabkg/ontology#> .\n")
    assert text.index("ckd:a\n") < text.index("ckd:b\n")  # subjects sorted
    assert "    a ck:Charity ;\n" in text  # rdf:type first, as 'a'
    assert "owl:unionOf ( ck:A ck:B )" in text
    assert "ck:hasMember\n        ckd:a ,\n        [\n" in text
    assert '"""Long text with "quotes" and a newline\nin it"""@en' in text
    assert "@prefix xsd:" in text and '"2020-01-01"^^xsd:date' in text
    assert "@prefix skos:" not in text  # only prefixes that are used


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c-d", "e.f"]),
            st.sampled_from([ns.RDF.type, CK.p, CK.q]),
            st.one_of(
                st.text(max_size=100).map(Literal),
                st.integers().map(lambda i: Literal(i, datatype=ns.XSD.integer)),
                st.sampled_from([CKD.x, CK.Y, BNode("n1"), URIRef("urn:x:y z")]),
            ),
        ),
        max_size=12,
    )
)
def test_any_small_graph_round_trips(triples: list[tuple[str, URIRef, object]]):
    graph = rdflib.Graph()
    for subject, predicate, obj in triples:
        if isinstance(obj, URIRef) and " " in str(obj):
            obj = URIRef("urn:x:y")
        graph.add((CKD[subject], predicate, obj))
    text = canonical_turtle(graph)
    assert isomorphic(_parse(text), graph)
    assert canonical_turtle(_parse(text)) == text


def test_header_comments_and_inner_comments():
    header, body = split_header("# Case: Wigan\n# by A. N. Other\n\n@prefix a: <urn:a#> .\n")
    assert header == "# Case: Wigan\n# by A. N. Other\n\n"
    assert body.startswith("@prefix")
    assert has_inner_comments('a:x a:y "no # comment" .\n# but this is\n')
    assert not has_inner_comments('a:x a:y "no # comment" , <urn:x#y> .\n')


def test_fmt_rewrites_and_check_reports(cli, tmp_path: Path):
    path = tmp_path / "case.ttl"
    path.write_text("# My case\n" + SAMPLE, encoding="utf-8")
    code, out, _err = cli("fmt", "--check", str(path))
    assert code == 1
    assert f"not canonical: {path}" in out
    code, out, _err = cli("fmt", str(path))
    assert code == 0
    assert f"formatted {path}" in out
    rewritten = path.read_text(encoding="utf-8")
    assert rewritten.startswith("# My case\n\n@prefix ck:")
    assert isomorphic(_parse(rewritten), _parse(SAMPLE))
    assert cli("fmt", "--check", str(path))[0] == 0


def test_fmt_keeps_every_comment_of_a_file_made_from_the_template(cli, tmp_path: Path):
    template = (Path(__file__).resolve().parents[1] / "data" / "TEMPLATE.ttl").read_text("utf-8")
    # an academic's copy: a comment of their own inside a statement, a note at the end
    marker = "    ck:isUnnamedInSource true ;    # delete this line if the source names it\n"
    assert marker in template
    text = template.replace(
        marker, "    # the sector is the source's word\n" + marker, 1
    ) + "\n# a note at the end\n"
    path = tmp_path / "my-case.ttl"
    path.write_text(text, encoding="utf-8")
    code, _out, _err = cli("fmt", str(path))
    assert code == 0, _err
    rewritten = path.read_text(encoding="utf-8")
    comments = [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]
    for comment in comments:
        assert comment in rewritten, f"comment lost: {comment}"
    assert "ck:isUnnamedInSource true ;    # delete this line if the source names it" in rewritten
    assert "    # the sector is the source's word\n    ck:isUnnamedInSource" in rewritten
    assert rewritten.rstrip().endswith("# a note at the end")
    assert isomorphic(_parse(rewritten), _parse(text))
    assert cli("fmt", "--check", str(path))[0] == 0, "fmt output is not stable"


def test_fmt_keeps_statements_in_the_order_written(cli, tmp_path: Path):
    path = tmp_path / "case.ttl"
    path.write_text(
        "@prefix ckd: <https://w3id.org/collabkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        '# the case first\nckd:zz rdfs:label "Z" .\n\n# then the rest\nckd:aa rdfs:label "A" .\n',
        encoding="utf-8",
    )
    assert cli("fmt", str(path))[0] == 0
    rewritten = path.read_text(encoding="utf-8")
    assert rewritten.index("# the case first") < rewritten.index("ckd:zz")
    assert rewritten.index("ckd:zz") < rewritten.index("# then the rest")
    assert rewritten.index("# then the rest") < rewritten.index("ckd:aa")


SHIPPED = sorted(
    p.relative_to(Path(__file__).resolve().parents[1]).as_posix()
    for folder in ("data", "ontology", "shapes", "docs/examples")
    for p in (Path(__file__).resolve().parents[1] / folder).rglob("*.ttl")
)


@pytest.mark.slow
def test_every_shipped_turtle_file_is_canonical(cli, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    assert SHIPPED
    code, out, err = cli("fmt", "--check", *SHIPPED)
    assert code == 0, f"run 'collabkg fmt' on these files:\n{out}{err}"


def test_fmt_reports_syntax_errors_with_position(cli, tmp_path: Path):
    path = tmp_path / "bad.ttl"
    path.write_text("@prefix ckd: <https://w3id.org/collabkg/id/> .\nckd:a ckd:b .\n")
    code, _out, err = cli("fmt", str(path))
    assert code == 1
    assert f"{path}:2:" in err


def test_the_formatter_tells_graphs_apart_by_blank_node_structure_not_names():
    """The formatter's check that its statements add up to the file's triples: the same
    graph with other blank node names is the same; one blank node where the file has two
    (or a value moved to another blank node) is not. It compared with rdflib's
    ``isomorphic``, which took minutes on the ontology (its OWL lists and restrictions)."""
    from collabkg.turtle import _same_graph

    def triples(text: str) -> list:
        return list(_parse("@prefix : <http://example.org/> .\n" + text))

    two = triples(":a :p [ :q 1 ] , [ :q 2 ] .")
    assert _same_graph(set(triples(":a :p [ :q 2 ] , [ :q 1 ] .")), two)
    assert not _same_graph(set(triples(":a :p [ :q 1 , 2 ] , [ :q 2 ] .")), two)
    assert not _same_graph(set(triples(":a :p [ :q 1 ] , [ :q 3 ] .")), two)
    listed = triples(":a :p ( :x :y ) .")
    assert _same_graph(set(triples(":a :p ( :x :y ) .")), listed)
    assert not _same_graph(set(triples(":a :p ( :y :x ) .")), listed)


def test_fmt_of_a_file_saved_with_a_byte_order_mark_named_an_invisible_character(
    cli, tmp_path: Path
):
    """`validate` accepts a file saved with a UTF-8 byte order mark; `fmt` failed on it
    ("\\ufeff is not a valid subject"). It reads it as the graph does and writes it
    without the mark, saying so."""
    path = tmp_path / "case.ttl"
    text = "@prefix ckd: <https://w3id.org/collabkg/id/> .\nckd:a ckd:p ckd:b .\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, out, _err = cli("fmt", "--check", str(path))
    assert code == 1 and "byte order mark" in out
    code, out, err = cli("fmt", str(path))
    assert code == 0, err
    assert "\ufeff" not in err
    assert f"formatted {path} (removed the byte order mark)" in out
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert isomorphic(_parse(data.decode("utf-8")), _parse(text))
    assert cli("fmt", "--check", str(path))[0] == 0


COMMENTED = (
    "@prefix ck: <https://w3id.org/collabkg/ontology#> .\n"
    "@prefix ckd: <https://w3id.org/collabkg/id/> .    # our IDs\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
    'ckd:period-a a ck:Period ;\n'
    '    rdfs:label "three years" ;    # the label as printed\n'
    '    ck:hasDuration "P3Y"^^xsd:duration .  # the source says three years\n'
    "# between the period and the case\n"
    'ckd:case-b a ck:Case ; rdfs:label "B" .\n'
)


def test_fmt_moved_a_comment_after_a_statements_final_dot_onto_the_next_item(
    cli, tmp_path: Path
):
    """A comment written after an item's ' .' was put on its own line above the NEXT
    item, where it seemed to describe that item; one at the end of a prefix line was
    moved below the prefixes. Each stays with what it was written after."""
    path = tmp_path / "case.ttl"
    path.write_text(COMMENTED, encoding="utf-8")
    code, _out, err = cli("fmt", str(path))
    assert code == 0, err
    rewritten = path.read_text(encoding="utf-8")
    lines = rewritten.splitlines()

    def line_with(text: str) -> str:
        found = [line for line in lines if text in line]
        assert len(found) == 1, f"{text!r} in {found}"
        return found[0]

    # on the same line as what it was written after
    assert line_with("# the source says three years").startswith(
        '    ck:hasDuration "P3Y"^^xsd:duration'
    )
    assert line_with("# the label as printed").startswith('    rdfs:label "three years"')
    assert line_with("# our IDs").startswith("@prefix ckd: <https://w3id.org/collabkg/id/> .")
    # a comment on its own line between two items stays between them, above the second
    between = rewritten.index("# between the period and the case")
    assert rewritten.index("ckd:period-a") < between < rewritten.index("ckd:case-b")
    assert rewritten.index("# the source says three years") < between
    assert isomorphic(_parse(rewritten), _parse(COMMENTED))
    assert cli("fmt", str(path))[0] == 0
    assert path.read_text(encoding="utf-8") == rewritten, "a second fmt changed the file"


def test_fmt_check_with_no_file_was_a_usage_error(cli, monkeypatch, tmp_path: Path):
    """The docs say `collabkg fmt --check` lists the files that are not canonical; with no
    file named it was a usage error. With no file, `fmt` and `fmt --check` work on every
    Turtle file of the project (data/, ontology/, shapes/)."""
    for folder in ("data/cases", "ontology", "shapes", "queries"):
        (tmp_path / folder).mkdir(parents=True)
    canonical = "@prefix ckd: <https://w3id.org/collabkg/id/> .\n\nckd:a\n    ckd:p ckd:b .\n"
    messy = "@prefix ckd: <https://w3id.org/collabkg/id/> .\nckd:a ckd:p ckd:b .\n"
    (tmp_path / "ontology" / "o.ttl").write_text(canonical, encoding="utf-8")
    (tmp_path / "shapes" / "s.ttl").write_text(messy, encoding="utf-8")
    (tmp_path / "data" / "cases" / "c.ttl").write_text(messy, encoding="utf-8")
    (tmp_path / "notes.ttl").write_text(messy, encoding="utf-8")  # not a project folder
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("--root", str(tmp_path), "fmt", "--check")
    assert code == 1, err
    assert "not canonical: data/cases/c.ttl" in out
    assert "not canonical: shapes/s.ttl" in out
    assert "o.ttl" not in out and "notes.ttl" not in out
    code, out, err = cli("--root", str(tmp_path), "fmt")
    assert code == 0, err
    assert "formatted data/cases/c.ttl" in out and "formatted shapes/s.ttl" in out
    assert (tmp_path / "notes.ttl").read_text(encoding="utf-8") == messy
    code, out, _err = cli("--root", str(tmp_path), "fmt", "--check")
    assert code == 0
    assert "3 file(s) checked" in out
