"""OWL reasoning with HermiT: the ontology and the data are consistent, the defined classes
infer what they should, and an inconsistency is explained (individuals and axioms)."""

from __future__ import annotations

import rdflib

from collabkg.reasoning import ReasoningReport, check_consistency
from tests.support.ontology import FIXTURES, PREFIXES, REPO, parse

CK = PREFIXES["ck"]
CKD = PREFIXES["ckd"]
CROSS = CK + "CrossSectorCollaboration"
COCREATING = CK + "CoCreatingCollaboration"


def inferred(report: ReasoningReport) -> dict[str, set[str]]:
    return {c.individual: set(c.classes) for c in report.inferred}


# ---------------------------------------------------------------- the ontology itself


def test_ontology_is_consistent(ontology_report: ReasoningReport):
    assert ontology_report.consistent, ontology_report.to_text()


def test_ontology_has_no_unsatisfiable_class(ontology_report: ReasoningReport):
    assert ontology_report.unsatisfiable == [], ontology_report.to_text()


def test_unsatisfiable_class_is_found_and_explained(ontology: rdflib.Graph):
    graph = ontology + parse(FIXTURES / "unsatisfiable-class.ttl")
    report = check_consistency(graph, with_ontology=False, vocabularies=False)
    assert report.consistent
    assert [u.iri for u in report.unsatisfiable] == [CK + "PlaceOrganisation"]
    reason = report.unsatisfiable[0].reason
    assert "place" in reason and "agent" in reason and "disjoint" in reason


def test_inconsistent_ontology_is_explained_as_such(ontology: rdflib.Graph):
    graph = ontology + parse(FIXTURES / "ontology-contradiction.ttl")
    report = check_consistency(graph, with_ontology=False, vocabularies=False)
    assert not report.consistent
    assert [e.kind for e in report.explanations] == ["ontology"]
    axioms = " ".join(report.explanations[0].axioms)
    assert "ckc:coDesign owl:sameAs ckc:coDelivery" in axioms
    assert "owl:AllDifferent" in axioms


# ---------------------------------------------------------------- defined classes


def test_two_sector_collaboration_is_cross_sector(defined_classes_report: ReasoningReport):
    assert defined_classes_report.consistent, defined_classes_report.to_text()
    assert CROSS in inferred(defined_classes_report)[CKD + "two-sectors"]


def test_one_sector_collaboration_is_not_cross_sector(defined_classes_report: ReasoningReport):
    assert CROSS not in inferred(defined_classes_report).get(CKD + "one-sector", set())


def test_one_hybrid_member_in_two_sectors_is_cross_sector(defined_classes_report):
    assert CROSS in inferred(defined_classes_report)[CKD + "hybrid-only"]


def test_activity_classified_as_co_design_makes_collaboration_co_creating(
    defined_classes_report: ReasoningReport,
):
    assert COCREATING in inferred(defined_classes_report)[CKD + "one-sector"]


def test_may_be_co_delivery_or_claimed_co_creation_is_not_co_creating(defined_classes_report):
    assert COCREATING not in inferred(defined_classes_report).get(CKD + "two-sectors", set())


def test_self_organisation_is_not_co_creating(defined_classes_report: ReasoningReport):
    assert COCREATING not in inferred(defined_classes_report).get(CKD + "self-organised", set())


def test_classification_reads_as_label_then_classes(defined_classes_report: ReasoningReport):
    lines = [str(c) for c in defined_classes_report.inferred]
    assert "Two sectors → cross-sector collaboration" in lines
    assert "One sector → co-creating collaboration" in lines


# ---------------------------------------------------------------- the real data


def test_data_graph_is_consistent(data_report: ReasoningReport):
    assert data_report.consistent, data_report.to_text()
    assert data_report.unsatisfiable == []


def test_data_graph_infers_cross_sector_collaborations(data_report: ReasoningReport):
    if not (REPO / "data" / "cases").is_dir() or not any((REPO / "data" / "cases").glob("*.ttl")):
        return  # no case data yet
    classes = set().union(*inferred(data_report).values()) if data_report.inferred else set()
    assert CROSS in classes, data_report.to_text()


# ---------------------------------------------------------------- explanations


def test_clashes_are_explained_with_individuals_and_axioms():
    report = check_consistency(
        parse(FIXTURES / "inconsistent-clashes.ttl"), root=REPO, vocabularies=False
    )
    assert not report.consistent
    by_first = {e.individuals[0]: e for e in report.explanations if e.individuals}
    assert set(by_first) == {
        CKD + "place-wigan",
        CKD + "source-and-quote",
        CKD + "grant-in-words",
        CKD + "grant-bad-number",
    }, report.to_text()

    place = by_first[CKD + "place-wigan"]
    assert place.kind == "disjoint-classes" and place.confirmed
    assert set(place.individuals) == {CKD + "place-wigan", CKD + "grant"}
    assert "‘Wigan’ (ckd:place-wigan) cannot be both an agent and a place" in place.message
    assert "‘A grant’ (ckd:grant) ‘has funder’ ‘Wigan’ (ckd:place-wigan)" in place.message
    assert any("ck:Place owl:disjointWith prov:Agent" in a for a in place.axioms)
    assert any("ck:hasFunder rdfs:range prov:Agent" in a for a in place.axioms)

    both = by_first[CKD + "source-and-quote"]
    assert both.kind == "disjoint-classes"
    assert any("owl:AllDisjointClasses" in a for a in both.axioms)

    words = by_first[CKD + "grant-in-words"]
    assert words.kind == "datatype-range"
    assert "must be a decimal number" in words.message
    assert any("ck:hasAmountInPounds rdfs:range xsd:decimal" in a for a in words.axioms)

    assert by_first[CKD + "grant-bad-number"].kind == "ill-typed-value"
    named = {iri for e in report.explanations for iri in e.individuals}
    assert CKD + "council" not in named
    text = report.to_text()
    assert "Consistent: NO" in text and "axiom: nothing is both a place and an agent" in text


def test_contradiction_without_a_pattern_is_found_by_bisection():
    report = check_consistency(
        parse(FIXTURES / "inconsistent-needs-bisection.ttl"), root=REPO, vocabularies=False
    )
    assert not report.consistent
    [explanation] = report.explanations
    assert explanation.kind == "minimal-set" and explanation.minimal
    assert explanation.individuals == (CKD + "odd",)
    assert "‘Odd’ (ckd:odd) is not an agent" in explanation.message
    # one axiom of ours (no axiom is stated on ORG's own terms), and the file that states it
    assert any("ck:Organisation rdfs:subClassOf prov:Agent" in a for a in explanation.axioms)
    assert any("ontology/collabkg.ttl" in a for a in explanation.axioms)
    assert len(explanation.axioms) == 1


def test_no_explanation_when_not_asked():
    report = check_consistency(
        parse(FIXTURES / "inconsistent-needs-bisection.ttl"), root=REPO, explain=False
    )
    assert not report.consistent and report.explanations == [] and report.reasoner_calls == 1


def test_values_hermit_cannot_read_are_left_out_with_a_note():
    graph = rdflib.Graph()
    graph.parse(
        data="""
        @prefix ck: <https://w3id.org/collabkg/ontology#> .
        @prefix ckd: <https://w3id.org/collabkg/id/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ckd:p a ck:Period ;
            ck:hasStartDate "2018"^^xsd:gYear ;
            ck:hasEndDate "2019-03-31"^^xsd:date .
        """,
        format="turtle",
    )
    report = check_consistency(graph, root=REPO)
    assert report.consistent, report.to_text()
    # dates are annotation properties: HermiT accepts them (nothing dropped, no failure)
    notes = " ".join(report.notes)
    assert "ck:hasStartDate" not in notes and "ck:hasEndDate" not in notes
    # a datatype property with a value outside the OWL 2 datatype map is left out, with a note
    graph.parse(
        data="""
        @prefix ck: <https://w3id.org/collabkg/ontology#> .
        @prefix ckd: <https://w3id.org/collabkg/id/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ckd:fund a ck:FundingStream ; ck:hasGrantReference "2019"^^xsd:gYear .
        """,
        format="turtle",
    )
    report = check_consistency(graph, root=REPO)
    assert report.consistent, report.to_text()
    assert "ck:hasGrantReference typed xsd:gYear left out" in " ".join(report.notes)
