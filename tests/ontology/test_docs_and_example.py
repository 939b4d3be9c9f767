"""docs/ontology.md, its worked example, the HTML documentation and `collabkg reason`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF

from collabkg.docs import build_docs
from collabkg.ontology import defined_terms, used_terms
from collabkg.reasoning import ReasoningReport, check_consistency, load_project_graph
from tests.support.ontology import FIXTURES, PREFIXES, REPO

EXAMPLE = REPO / "docs" / "examples" / "wigan-community-fund.ttl"
GUIDE = REPO / "docs" / "ontology.md"
CKD = PREFIXES["ckd"]
CK = PREFIXES["ck"]


def _example_report() -> ReasoningReport:
    graph = load_project_graph(REPO)
    graph.parse(EXAMPLE, format="turtle")
    return check_consistency(graph, root=REPO)


# ---------------------------------------------------------------- the worked example


def test_example_is_in_the_guide_verbatim():
    guide = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```turtle\n(.*?)```", guide, flags=re.DOTALL)
    assert EXAMPLE.read_text(encoding="utf-8") in blocks


def test_example_uses_only_defined_terms(ontology: rdflib.Graph):
    defined = defined_terms(ontology)
    wrong = [u.one_line() for u in used_terms(EXAMPLE) if u.iri not in defined]
    assert wrong == []


def test_example_passes_the_shapes_with_no_error():
    from collabkg.validate import Severity, validate

    report = validate([EXAMPLE], root=REPO)
    errors = [
        f"{i.file}:{i.line}: {i.message}"
        for i in report.issues
        if i.severity == Severity.VIOLATION and i.file and i.file.endswith(EXAMPLE.name)
    ]
    assert errors == []


@pytest.mark.java
def test_example_is_consistent_and_cross_sector_but_not_co_creating():
    report = _example_report()
    assert report.consistent, report.to_text()
    inferred = {c.individual: set(c.classes) for c in report.inferred}
    classes = inferred.get(CKD + "example-collaboration", set())
    assert CK + "CrossSectorCollaboration" in classes
    assert CK + "CoCreatingCollaboration" not in classes


def test_example_says_what_the_issue_asks():
    graph = rdflib.Graph().parse(EXAMPLE, format="turtle")
    ck = rdflib.Namespace(CK)
    ckc = rdflib.Namespace(PREFIXES["ckc"])
    ckd = rdflib.Namespace(CKD)
    grant = ckd["example-community-fund-grant"]
    activity = ckd["example-community-activity"]
    line = ckd["example-acct-grant-to-elected-council"]
    assert (grant, ck.hasFunder, ckd["example-wigan-council"]) in graph
    assert (grant, ck.hasRecipient, ckd["example-community-group"]) in graph
    assert (grant, ck.hasFundingMechanism, ckc.communityFundGrant) in graph
    assert (line, ck.hasAccountableParty, ckd["example-wigan-council"]) in graph
    assert (line, ck.isAccountableTo, ckd["example-wigan-elected-council"]) in graph
    assert (line, ck.hasAccountabilityForum, ckc.electedCouncil) in graph
    assert (line, ck.isAccountableFor, grant) in graph
    assert (activity, ck.isClaimedAs, ckc.coCreation) in graph
    assert (activity, ck.isClaimedBy, ckd["example-wigan-council"]) in graph
    assert (activity, ck.isClassifiedAs, ckc.communitySelfOrganisation) in graph


# ---------------------------------------------------------------- the guide


def test_guide_counts_match_the_ontology(ontology: rdflib.Graph):
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"(\d+) classes, (\d+) object properties, (\d+) datatype properties", text)
    assert match, "docs/ontology.md should say how many classes and properties there are"

    def count(kind: rdflib.URIRef) -> int:
        return sum(1 for s in ontology.subjects(RDF.type, kind) if str(s).startswith(CK))

    assert tuple(int(n) for n in match.groups()) == (
        count(OWL.Class),
        count(OWL.ObjectProperty),
        count(OWL.DatatypeProperty),
    ), "update the counts in docs/ontology.md"


def test_guide_explains_the_design_choice():
    text = GUIDE.read_text(encoding="utf-8")
    for phrase in (
        "ck:includesMembership ∘ org:member ∘ ck:hasSector ⊑ ck:involvesSector",
        "owl:AllDifferent",
        "open-world",
        "closed-world",
        "```mermaid",
    ):
        assert phrase in text


def test_readme_links_the_guide():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Ontology" in readme and "docs/ontology.md" in readme


# ---------------------------------------------------------------- HTML documentation


@pytest.mark.slow
def test_html_documentation_is_built_offline(tmp_path: Path):
    written = build_docs(REPO, tmp_path)
    assert [p.name for p in written] == ["index.html", "concepts.html"]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    concepts = (tmp_path / "concepts.html").read_text(encoding="utf-8")
    assert "cross-sector collaboration" in index and "has sector" in index
    assert "pyLODE" in index
    assert "public sector" in concepts and "co-design" in concepts
    for page in (index, concepts):
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", page)


@pytest.mark.slow
def test_html_documentation_is_the_same_every_time(tmp_path: Path):
    build_docs(REPO, tmp_path / "a")
    build_docs(REPO, tmp_path / "b")
    for name in ("index.html", "concepts.html"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# ---------------------------------------------------------------- collabkg reason


@pytest.mark.java
def test_reason_command_on_the_project(cli):
    code, out, _err = cli("--root", str(REPO), "reason")
    assert code == 0, out
    assert "Consistent: yes." in out
    assert "Unsatisfiable classes: none." in out


@pytest.mark.java
def test_reason_command_json(cli):
    code, out, _err = cli(
        "--root", str(REPO), "reason", str(FIXTURES / "defined-classes.ttl"), "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["consistent"] is True and data["unsatisfiable_classes"] == []
    labels = {
        c["label"]: [k["label"] for k in c["classes"]] for c in data["inferred_classifications"]
    }
    assert labels["Two sectors"] == ["cross-sector collaboration"]


@pytest.mark.java
def test_reason_command_exits_1_on_inconsistency(cli):
    code, out, _err = cli(
        "--root", str(REPO), "reason", str(FIXTURES / "inconsistent-clashes.ttl"), "--no-explain"
    )
    assert code == 1
    assert "Consistent: NO" in out
