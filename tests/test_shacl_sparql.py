"""The SPARQL engine for SHACL must report exactly what pySHACL reports."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from collabkg.shacl_sparql import ShaclResult, UnsupportedShape, compile_shapes, run
from tests.support.paths import REPO as ROOT
from tests.support.synthetic import generate

CKD = "https://w3id.org/collabkg/id/"

FIXTURE_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix cksh: <https://w3id.org/collabkg/shapes#> .
cksh:FundingStreamShape a sh:NodeShape ; sh:targetClass ck:FundingStream ;
  sh:property [ sh:path ck:hasFunder ; sh:minCount 1 ; sh:class prov:Agent ; sh:message "needs funder" ] ;
  sh:property [ sh:path ck:hasAmountInPounds ; sh:datatype xsd:decimal ; sh:minInclusive 0 ; sh:maxCount 1 ] ;
  sh:property [ sh:path ck:hasPeriod ; sh:minCount 1 ; sh:severity sh:Warning ] ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:datatype xsd:string ; sh:minLength 3 ] .
cksh:PeriodShape a sh:NodeShape ; sh:targetClass ck:Period ;
  sh:property [ sh:path ck:hasStartDate ; sh:lessThan ck:hasEndDate ;
                sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) ] .
cksh:CollabShape a sh:NodeShape ; sh:targetClass ck:Collaboration ;
  sh:sparql [ sh:select \"\"\"SELECT $this WHERE { $this a <https://w3id.org/collabkg/ontology#Collaboration> .
     FILTER NOT EXISTS { ?m <http://www.w3.org/ns/org#organization> $this } }\"\"\" ; sh:message "no members" ] .
"""

FIXTURE_DATA = """
@prefix ck: <https://w3id.org/collabkg/ontology#> . @prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ck:LocalAuthority rdfs:subClassOf prov:Agent .
ckd:f1 a ck:FundingStream ; rdfs:label "ok funding" ; ck:hasFunder ckd:o1 ; ck:hasAmountInPounds -5.0, 3.0 .
ckd:f2 a ck:FundingStream ; rdfs:label "x" ; ck:hasFunder ckd:p1 ; ck:hasPeriod ckd:p1 .
ckd:o1 a ck:LocalAuthority .
ckd:p1 a ck:Period ; ck:hasStartDate "2019"^^xsd:gYear ; ck:hasEndDate "2018"^^xsd:gYear .
ckd:p2 a ck:Period ; ck:hasStartDate "2019-01"^^xsd:gYearMonth .
ckd:c1 a ck:Collaboration .
"""


def pyshacl_keys(data: Graph, shapes: Graph) -> set[tuple[object, ...]]:
    _conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    keys = set()
    for r in report.objects(None, SH.result):  # top-level results, not nested sh:detail ones
        keys.add(
            ShaclResult(
                report.value(r, SH.focusNode),
                report.value(r, SH.resultPath),
                report.value(r, SH.value),
                report.value(r, SH.resultSeverity),
                report.value(r, SH.sourceConstraintComponent),
                report.value(r, SH.sourceShape),
            ).key()
        )
    return keys


def store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(input=graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def engine_keys(data: Graph, shapes: Graph) -> set[tuple[object, ...]]:
    """The SPARQL engine, with pySHACL for the node shapes it cannot translate."""
    compiled = compile_shapes(shapes)
    keys = {r.key() for r in run(compiled, store_of(data))}
    fallback = compiled.fallback_shapes(shapes)
    if fallback is not None:
        keys |= pyshacl_keys(data, fallback)
    return keys


def test_fixture_results_are_the_ones_a_reader_expects() -> None:
    shapes = Graph().parse(data=FIXTURE_SHAPES, format="turtle")
    data = Graph().parse(data=FIXTURE_DATA, format="turtle")
    results = run(compile_shapes(shapes), store_of(data))
    found = {(str(r.focus).removeprefix(CKD), str(r.component).split("#")[1]) for r in results}
    assert found == {
        ("f1", "MinCountConstraintComponent"),  # no period (warning)
        ("f1", "MinInclusiveConstraintComponent"),  # -5.0
        ("f1", "MaxCountConstraintComponent"),  # two amounts
        ("f2", "ClassConstraintComponent"),  # funder is a period, not an agent
        ("f2", "MinLengthConstraintComponent"),  # label "x"
        ("p1", "LessThanConstraintComponent"),  # ends before it starts
        ("p2", "OrConstraintComponent"),  # gYearMonth is neither gYear nor date
        ("c1", "SPARQLConstraintComponent"),  # no members
    }
    warnings = [r for r in results if r.severity == SH.Warning]
    assert [str(w.focus).removeprefix(CKD) for w in warnings] == ["f1"]


def test_fixture_results_equal_pyshacl() -> None:
    shapes = Graph().parse(data=FIXTURE_SHAPES, format="turtle")
    data = Graph().parse(data=FIXTURE_DATA, format="turtle")
    assert engine_keys(data, shapes) == pyshacl_keys(data, shapes)


def test_an_untranslatable_constraint_is_refused_not_skipped() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:qualifiedMinCount 1 ;
            sh:qualifiedValueShape [ sh:class ex:D ] ] .""",
        format="turtle",
    )
    compiled = compile_shapes(shapes)
    assert compiled.constraints == []
    assert list(compiled.unsupported) == [URIRef("http://example.org/S")]
    fallback = compiled.fallback_shapes(shapes)
    assert (
        fallback is not None
        and (URIRef("http://example.org/S"), SH.deactivated, None) not in fallback
    )
    with pytest.raises(UnsupportedShape):
        from collabkg.shacl_sparql import _compile_node_shape

        _compile_node_shape(shapes, URIRef("http://example.org/S"), "{ }")


# Faults injected into generated case files: (what, regex, replacement).
FAULTS = [
    ("negative amount", r"ck:hasAmountInPounds \d+\.00", "ck:hasAmountInPounds -250.00"),
    ("reversed period", r'ck:hasEndDate "(\d+)"\^\^xsd:gYear', 'ck:hasEndDate "1999"^^xsd:gYear'),
    ("missing funder", r"    ck:hasFunder ckd:syn-org-\d+ ;\n", ""),
    (
        "unknown source",
        r"prov:wasDerivedFrom ckd:syn-src-\d+ \.",
        "prov:wasDerivedFrom ckd:no-such-source .",
    ),
    ("wrong concept", r"ck:hasFundingMechanism ckc:\w+", "ck:hasFundingMechanism ckc:publicSector"),
    ("missing label", r'(ckd:syn-m-\d+-0 a org:Membership ;\n)    rdfs:label "[^"]*" ;\n', r"\1"),
    ("wrong datatype", r'ck:hasStartDate "(\d+)"\^\^xsd:gYear', r'ck:hasStartDate "\1"'),
    ("quote marks", r'ck:hasText "', 'ck:hasText "\\"'),
]


@pytest.fixture(scope="module")
def faulty_10k(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    out = tmp_path_factory.mktemp("syn10k")
    generate.generate(out, 10_000)
    cases = sorted((out / "data" / "cases").rglob("*.ttl"))
    assert len(cases) > 40
    for n, (_what, pattern, repl) in enumerate(FAULTS):
        for case in cases[n * 3 : n * 3 + 2]:
            text = case.read_text(encoding="utf-8")
            new = re.sub(pattern, repl, text, count=1)
            assert new != text, (_what, case)
            case.write_text(new, encoding="utf-8")
    graph = Graph()
    for path in sorted(out.rglob("*.ttl")):
        if "shapes" not in path.parts:
            graph.parse(path)
    return graph


@pytest.mark.slow
def test_engine_equals_pyshacl_on_10k_generated_triples_with_injected_faults(
    faulty_10k: Graph,
) -> None:
    shapes = Graph()
    shape_files = sorted((ROOT / "shapes").glob("*.ttl"))
    assert shape_files
    for path in shape_files:
        shapes.parse(path)
    expected = pyshacl_keys(faulty_10k, shapes)
    violations = [k for k in expected if k[3] == str(SH.Violation)]
    # seven faults break structure (two files each); quote marks around a quotation only warn
    assert len(violations) >= (len(FAULTS) - 1) * 2, (
        "every injected structural fault must be caught"
    )
    pattern_warnings = [k for k in expected if k[4] == str(SH.PatternConstraintComponent)]
    assert len(pattern_warnings) == 2
    assert engine_keys(faulty_10k, shapes) == expected


def test_our_shapes_need_no_pyshacl_and_say_what_pyshacl_says() -> None:
    """Every shape of shapes/ compiles (pySHACL is never needed for them), and every
    constraint that reports carries the shape's own sh:message, so the SPARQL engine's
    messages are pySHACL's word for word."""
    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    compiled = compile_shapes(shapes)
    assert compiled.unsupported == {}
    assert compiled.fallback_shapes(shapes) is None
    assert all(c.message for c in compiled.constraints)


def store_per_file(root: Path) -> ox.Store:
    """Each file in its own named graph, as the validator's store holds them: a statement
    written in two files is there twice in the union default graph."""
    store = ox.Store()
    for path in sorted(root.rglob("*.ttl")):
        if "shapes" not in path.parts and "queries" not in path.parts:
            store.load(
                path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(path.as_uri())
            )
    return store


def test_engine_equals_pyshacl_on_per_file_graphs_with_repeated_statements(
    tmp_path: Path,
) -> None:
    out = tmp_path / "p"
    generate.generate(out, 2_000)
    org_file = next((out / "data" / "organisations").glob("organisations-*.ttl"))
    # the same organisation described again, word for word, in another file; an amount
    # written in three files (one value, three statements: sh:maxCount 1 must hold)
    text = org_file.read_text(encoding="utf-8")
    first = text.split("\n\n", 1)[1].split(" .\n", 1)[0] + " .\n"
    (out / "data" / "again.ttl").write_text(text.split("\n\n", 1)[0] + "\n\n" + first)
    case = sorted((out / "data" / "cases").rglob("*.ttl"))[0]
    found = re.search(
        r"(ckd:syn-fund-\d+-0) a ck:FundingStream ;.*?ck:hasAmountInPounds ([\d.]+) ;",
        case.read_text(encoding="utf-8"),
        re.S,
    )
    assert found is not None
    fund, amount = found.groups()
    prefixes = text.split("\n\n", 1)[0]
    for name in ("amount.ttl", "amount-again.ttl"):  # the same amount, said twice more
        (out / "data" / name).write_text(
            f"{prefixes}\n\n{fund} ck:hasAmountInPounds {amount} .\n", encoding="utf-8"
        )
    graph = Graph()
    for path in sorted(out.rglob("*.ttl")):
        if "shapes" not in path.parts and "queries" not in path.parts:
            graph.parse(path)
    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    expected = pyshacl_keys(graph, shapes)
    assert not any(k[4] == str(SH.MaxCountConstraintComponent) for k in expected)
    engine = {r.key() for r in run(compile_shapes(shapes), store_per_file(out))}
    assert engine == expected


def test_a_focus_restricts_class_targets_to_the_nodes_given_blank_nodes_too() -> None:
    shapes = Graph().parse(data=FIXTURE_SHAPES, format="turtle")
    data = (
        FIXTURE_DATA
        + '[] a ck:Period ; ck:hasStartDate "2019"^^xsd:gYear ; '
        + ('ck:hasEndDate "2018"^^xsd:gYear .\n')
    )
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g:1"))
    compiled = compile_shapes(shapes)
    everything = run(compiled, store)
    blank = {r.focus for r in everything if not isinstance(r.focus, URIRef)}
    assert len(blank) == 1
    f1 = URIRef(CKD + "f1")
    focused = run(compiled, store, focus_nodes=[f1, *blank])
    assert {r.key() for r in focused} == {
        r.key() for r in everything if r.focus == f1 or r.focus in blank
    }
    by_graph = run(compiled, store, focus_graphs=["urn:g:1"])
    assert {r.key() for r in by_graph} == {r.key() for r in everything}


def test_a_focused_run_asks_only_the_constraints_of_the_focus_nodes_classes(
    tmp_path: Path,
) -> None:
    """A focused run (the incremental check) gives each class-targeted constraint only the
    focus IRIs of its target classes, subclasses included, and runs none whose target class
    no focus IRI has: the same results as the whole run restricted to the focus, from fewer
    queries."""
    from collabkg.shacl_sparql import prepare

    out = tmp_path / "p"
    generate.generate(out, 2_000)
    store = store_per_file(out)
    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    compiled = compile_shapes(shapes)
    everything = run(compiled, store)
    assert everything, "the generated data must give some results for this to show anything"
    rows = store.query(
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } FILTER(isIRI(?s)) } ORDER BY ?s"
    )
    nodes = [URIRef(row["s"].value) for row in rows]  # type: ignore[index]
    results_of = {r.focus for r in everything}
    # a few focus IRIs, among them some that have results, and one node of a subclass only
    chosen = [n for n in nodes if n in results_of][:3] + nodes[:: max(len(nodes) // 5, 1)]
    assert chosen
    focused = run(compiled, store, focus_nodes=chosen)
    assert {r.key() for r in focused} == {r.key() for r in everything if r.focus in chosen}
    prepared = prepare(compiled, store, focus_nodes=chosen)
    assert prepared is not None
    targeted = [c for c in compiled.constraints if c.target_classes]
    asked = [c for c, _q, _b in prepared if c.target_classes]
    assert targeted and 0 < len(asked) < len(targeted)
    # an IRI typed with a class that no shape targets asks no class-targeted constraint
    store.add(
        ox.Quad(
            ox.NamedNode("urn:x:only"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("urn:x:Untargeted"),
            ox.NamedNode("urn:g:x"),
        )
    )
    alone = prepare(compiled, store, focus_nodes=[URIRef("urn:x:only")]) or []
    assert not [c for c, _q, _b in alone if c.target_classes]
    # a subclass instance is asked by its superclass's constraints
    store.add(
        ox.Quad(
            ox.NamedNode("urn:x:Sub"),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            ox.NamedNode("https://w3id.org/collabkg/ontology#FundingStream"),
            ox.NamedNode("urn:g:x"),
        )
    )
    store.add(
        ox.Quad(
            ox.NamedNode("urn:x:sub1"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("urn:x:Sub"),
            ox.NamedNode("urn:g:x"),
        )
    )
    sub = run(compiled, store, focus_nodes=[URIRef("urn:x:sub1")])
    # it has no label, funder or period: the funding stream's shape says so
    assert sub and {str(r.focus) for r in sub} == {"urn:x:sub1"}


def test_class_tests_are_cut_where_the_pattern_finds_them() -> None:
    """The class tests are found by their fixed middle (fast); they must be exactly the
    ones the marked pattern finds, in every compiled query and in generated texts."""
    import random

    from collabkg.shacl_sparql import _ISA, _cut_at_class_tests

    def by_pattern(query: str) -> tuple[tuple[str, str, str, str], ...]:
        parts, end = [], 0
        for match in _ISA.finditer(query):
            parts.append((query[end : match.start()], match.group(0), *match.groups()))
            end = match.end()
        parts.append((query[end:], "", "", ""))
        return tuple(parts)  # type: ignore[arg-type]

    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    texts = [c.query for c in compile_shapes(shapes).constraints]
    assert texts and any(len(by_pattern(t)) > 1 for t in texts)
    pieces = [
        "?x", "$this", " ", "\n", "{", "}", "rdf:type/rdfs:subClassOf* ", "<urn:c>", " #isa\n",
        " rdf:type/rdfs:subClassOf* <urn:d> #isa\n", "?y rdf:type/rdfs:subClassOf* <urn:e>",
        "a", ">", "<", "#isa", "\t",
    ]
    rng = random.Random(19)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert _cut_at_class_tests(text) == by_pattern(text), text
