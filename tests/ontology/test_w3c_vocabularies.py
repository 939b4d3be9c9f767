"""Reasoning with the REAL W3C ORG and PROV-O files (``../shared/vocabularies`` beside the
checkout, or the folder in ``COLLABKG_VOCABULARIES``): the ontology, the alignment and all
data stay consistent, no class is unsatisfiable, and no item is inferred to be of a kind the
data did not give it. Needs Java (HermiT); about two minutes on a busy machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS

from collabkg.errors import ReasonerError
from collabkg.paths import ProjectPaths
from collabkg.reasoning import ReasoningReport, check_consistency, load_project_graph
from collabkg.reasoning.loading import assemble, prepare
from collabkg.reasoning.words import AxiomGraph
from collabkg.vocabularies import ENV_VOCABULARIES, file_origins, find_vocabularies
from tests.support.ontology import FIXTURES, PREFIXES, REPO, parse

CK = PREFIXES["ck"]
CKD = PREFIXES["ckd"]


def _supers(schema: Graph, classes: set[URIRef]) -> set[URIRef]:
    """Every named class the given ones are subclasses of, the given ones included."""
    out: set[URIRef] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls in out:
            continue
        out.add(cls)
        todo += [o for o in schema.objects(cls, RDFS.subClassOf) if isinstance(o, URIRef)]
        todo += [o for o in schema.objects(cls, OWL.equivalentClass) if isinstance(o, URIRef)]
    return out


def _wrong_kinds(report: ReasoningReport, data: Graph, schema: Graph) -> dict[str, set[str]]:
    """Inferred classes of each data individual that its asserted types do not reach up
    the class hierarchy, other than the ontology's defined classes (cross-sector and
    co-creating collaborations, inferred on purpose). Computed here, independently of
    ReasoningReport.unexpected."""
    defined = {
        s for s, o in schema.subject_objects(OWL.equivalentClass) if not isinstance(o, URIRef)
    }
    wrong: dict[str, set[str]] = {}
    for item in report.inferred:
        asserted = {
            o for o in data.objects(URIRef(item.individual), RDF.type) if isinstance(o, URIRef)
        }
        reach = _supers(schema, asserted)
        extra = {
            c
            for c in item.classes
            if URIRef(c) not in reach
            # a defined class is meant to be inferred, but only for an item that already is
            # of every kind above it (a collaboration for a cross-sector collaboration)
            and not (URIRef(c) in defined and _supers(schema, {URIRef(c)}) - {URIRef(c)} <= reach)
        }
        if extra:
            wrong[item.individual] = extra
    return wrong


@pytest.fixture(scope="module")
def schema() -> Graph:
    graph = Graph()
    for path in [
        *ProjectPaths.discover(REPO).root.joinpath("ontology").rglob("*.ttl"),
        *find_vocabularies(REPO),
    ]:
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def project_report(data_report: ReasoningReport) -> ReasoningReport:
    """The whole project with the real W3C files (conftest's data_report: the default)."""
    return data_report


@pytest.mark.java
def test_project_is_consistent_with_the_real_org_and_prov_o(project_report: ReasoningReport):
    assert [Path(name).name for name in project_report.vocabularies] == ["org.ttl", "prov-o.ttl"]
    assert project_report.consistent, project_report.to_text()
    assert project_report.unsatisfiable == [], project_report.to_text()


@pytest.mark.java
def test_no_data_item_is_inferred_to_be_of_a_kind_it_was_not_given(
    project_report: ReasoningReport, schema: Graph
):
    data = load_project_graph(REPO)
    assert _wrong_kinds(project_report, data, schema) == {}
    assert project_report.unexpected == []
    # the defined classes still work under the real vocabularies
    kinds = {c.individual: set(c.classes) for c in project_report.inferred}
    assert any(CK + "CrossSectorCollaboration" in k for k in kinds.values())


@pytest.mark.java
def test_probe_membership_in_a_council_does_not_make_it_a_collaboration(schema: Graph):
    data = parse(FIXTURES / "probe-w3c.ttl")
    report = check_consistency(data, root=REPO, vocabularies=find_vocabularies(REPO))
    assert report.consistent, report.to_text()
    kinds = {c.individual: set(c.classes) for c in report.inferred}
    council = kinds.get(CKD + "probe-council", set())
    assert not {c for c in council if "Collaboration" in c}, council
    assert _wrong_kinds(report, data, schema) == {}, report.to_text()
    assert report.unexpected == [], report.to_text()


@pytest.mark.java
def test_activity_derived_from_a_source_is_explained_with_item_file_and_prov_axiom(tmp_path: Path):
    """Regression: prov:wasDerivedFrom on an activity made 25 activities contradictions
    under the real PROV-O; the explanation names the item, its file and PROV-O's axioms."""
    path = FIXTURES / "derived-activity.ttl"
    report = check_consistency(
        parse(path),
        root=REPO,
        vocabularies=find_vocabularies(REPO),
        origins=file_origins([path], REPO),
        budget=6,
    )
    assert not report.consistent
    text = report.to_text()
    assert "ckd:derived-activity" in text and "A co-design workshop" in text
    assert "tests/fixtures/ontology/derived-activity.ttl" in text
    assert "prov-o.ttl" in text, text
    assert "prov:wasDerivedFrom" in text


def test_a_property_punned_as_annotation_and_object_property_is_read_one_way_every_run():
    """Regression: PROV-O declares prov:wasRevisionOf (a sub-property of prov:wasDerivedFrom)
    and prov:specializationOf both owl:AnnotationProperty and owl:ObjectProperty, which OWL 2 DL
    forbids. HermiT read that input one way or the other from run to run, so the derived-activity
    contradiction was found in most runs but missed in one. The input HermiT gets must carry one
    reading only (object property), and the report says so."""
    data = parse(FIXTURES / "derived-activity.ttl")
    triples, origin, _foreign, _used = assemble(data, None, REPO, find_vocabularies(REPO))
    graph = AxiomGraph(triples, origin)
    punned = graph.declared_annotation_props & graph.object_props
    assert {PROV.wasRevisionOf, PROV.specializationOf} <= punned, punned
    prepared = prepare(graph)
    kept = set(prepared.triples)
    for prop in punned:
        assert (prop, RDF.type, OWL.ObjectProperty) in kept
        assert (prop, RDF.type, OWL.AnnotationProperty) not in kept
        assert any(
            note.startswith(f"prov:{prop.split('#')[-1]} is declared both") and "prov-o.ttl" in note
            for note in prepared.notes
        ), prepared.notes
    assert (PROV.wasRevisionOf, RDFS.subPropertyOf, PROV.wasDerivedFrom) in kept


@pytest.mark.java
def test_an_activity_revised_from_a_report_is_a_contradiction_not_an_annotation():
    """Regression: with PROV-O's two declarations of prov:wasRevisionOf both given to HermiT,
    it read the statement as an annotation and called this graph consistent."""
    path = FIXTURES / "revised-activity.ttl"
    report = check_consistency(
        parse(path), root=REPO, vocabularies=find_vocabularies(REPO), explain=False
    )
    assert not report.consistent, report.to_text()


def test_missing_vocabularies_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_VOCABULARIES, str(tmp_path))
    with pytest.raises(ReasonerError) as caught:
        find_vocabularies(REPO)
    message = f"{caught.value} {caught.value.hint}"
    assert "org.ttl" in message and "prov-o.ttl" in message
    assert "http://www.w3.org/ns/org" in message and ENV_VOCABULARIES in message


def test_vocabularies_are_found_beside_the_checkout(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(ENV_VOCABULARIES, raising=False)
    files = find_vocabularies(REPO)
    assert [f.name for f in files] == ["org.ttl", "prov-o.ttl"]
    assert files[0].parent == REPO.parent / "shared" / "vocabularies"


@pytest.mark.java
def test_the_probe_check_catches_the_old_membership_domain(schema: Graph):
    """With the old axiom (ck:includesMembership with the domain ck:Collaboration), the
    probe council IS inferred to be a collaboration, and both checks say so."""
    data = parse(FIXTURES / "probe-w3c.ttl")
    data.add((URIRef(CK + "includesMembership"), RDFS.domain, URIRef(CK + "Collaboration")))
    report = check_consistency(data, root=REPO, vocabularies=find_vocabularies(REPO))
    assert report.consistent, report.to_text()
    wrong = {c.individual: set(c.classes) for c in report.unexpected}
    assert CKD + "probe-council" in wrong, report.to_text()
    assert CKD + "probe-council" in _wrong_kinds(report, data, schema)
    assert "Kinds the data did not give (1)" in report.to_text()
