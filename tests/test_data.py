"""The case data is complete and faithful to its sources — as invariants, never today's counts.

Adding a valid source or case never breaks these tests. They read the sources' texts from
the folder of source texts (``COLLABKG_SEEDS``, else ``../shared/seeds`` beside the checkout)
through :mod:`collabkg.sources`, the same check ``collabkg validate`` and ``collabkg sources``
use: every quotation is found in its source's text, every source's text is the one recorded
(SHA-256), every fact points to a source, every case file is loaded, no case is lost compared
with the files under version control.

Each check is a function of a project folder and a texts folder, so that
``test_a_new_case_with_a_new_source_passes_the_data_checks`` can run the very same checks on
a temporary copy with a case and a source added.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from collabkg.sources import (
    collect_sources,
    normalise,
    read_triples,
    source_kinds,
    text_state,
    texts_folder,
)
from collabkg.terms import CK, CKC
from collabkg.validate import validate

REPO = Path(__file__).resolve().parents[1]
SEEDS = texts_folder(REPO)


# --------------------------------------------------------------------------- the checks


def data_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


def case_files(root: Path) -> list[Path]:
    return sorted((root / "data" / "cases").glob("*.ttl"))


def data_graph(root: Path) -> Graph:
    graph = Graph()
    for path in data_files(root):
        graph.parse(path, format="turtle")
    return graph


def _source_states(root: Path, seeds: Path) -> dict[str, object]:
    files = [*sorted((root / "ontology").rglob("*.ttl")), *data_files(root)]
    triples = read_triples(files)
    records = collect_sources(triples, source_kinds(triples))
    return {iri: text_state(record, seeds) for iri, record in records.items()}


def source_text_problems(root: Path, seeds: Path) -> list[str]:
    """Every source's text is in the folder of texts, and is the text recorded (SHA-256).

    A source with no SHA-256 recorded yet passes here (``collabkg validate`` warns and gives
    the line to add); a text that is missing or changed fails, saying where to put it.
    """
    problems = []
    for iri, state in _source_states(root, seeds).items():
        status = state.status  # type: ignore[attr-defined]
        if not status.usable:
            problems.append(
                f"{iri}: its text is {status.value} (looked in {seeds}; put the text file "
                "there, or set COLLABKG_SEEDS to the folder that has it)"
            )
    return problems


def quotation_problems(root: Path, seeds: Path) -> list[str]:
    """Every quotation names its source and is found in that source's text."""
    states = _source_states(root, seeds)
    problems = []
    for path in data_files(root):
        graph = Graph().parse(path, format="turtle")
        for quote in graph.subjects(RDF.type, CK.Quotation):
            text = str(graph.value(quote, CK.hasText) or "")
            source = graph.value(quote, PROV.wasQuotedFrom)
            where = f"{path.relative_to(root)}: {quote}"
            if not text.strip():
                problems.append(f"{where} has no text")
                continue
            state = states.get(str(source)) if source is not None else None
            if state is None:
                problems.append(f"{where} does not name a source described in data/")
                continue
            if state.text is None:  # type: ignore[attr-defined]
                problems.append(f"{where}: the text of {source} is not available")
                continue
            match = state.text.find(text)  # type: ignore[attr-defined]
            if not match.found:
                problems.append(f"{where} is not in the source: {match.explain()}")
    return problems


def speaker_problems(root: Path, seeds: Path) -> list[str]:
    """Speakers appear only as the source names them: a first name or a role it prints."""
    data = data_graph(root)
    states = _source_states(root, seeds)
    problems = []
    for quote in data.subjects(RDF.type, CK.Quotation):
        state = states.get(str(data.value(quote, PROV.wasQuotedFrom)))
        if state is None or state.text is None:  # type: ignore[attr-defined]
            continue  # reported by quotation_problems
        seed = normalise(state.text.text)  # type: ignore[attr-defined]
        for name in data.objects(quote, CK.hasSpeakerName):
            if " " in str(name).strip():
                problems.append(f"{quote}: only a first name, never a full name ({name})")
            if not re.search(rf"\b{re.escape(str(name))}\b", seed):
                problems.append(f"{quote}: {name} is not in the source")
        for role in data.objects(quote, CK.hasSpeakerRole):
            if normalise(str(role)).lower() not in seed.lower():
                problems.append(f"{quote}: role {str(role)!r} is not the source's")
    return problems


NOT_FACTS = {CK.Source, CK.Quotation, CK.Period}


def unsourced_facts(root: Path) -> list[str]:
    """Every fact (an instance of our classes, ORG or PROV) points to a described source."""
    data = data_graph(root)
    sources = {URIRef(iri) for iri in _source_states(root, SEEDS)}
    ontology = Graph()
    for path in sorted((root / "ontology").rglob("*.ttl")):
        ontology.parse(path, format="turtle")
    source_classes = {URIRef(k) for k in source_kinds((str(s), str(p), str(o))
                                                      for s, p, o in ontology)}
    exempt = NOT_FACTS | source_classes
    facts = {
        s
        for s, c in data.subject_objects(RDF.type)
        if str(c).startswith((str(CK), "http://www.w3.org/ns/org#", str(PROV))) and c not in exempt
    }
    def cited(s: object) -> set[object]:
        return set(data.objects(s, PROV.wasDerivedFrom)) | set(data.objects(s, DCTERMS.source))

    return sorted(str(s) for s in facts if not cited(s) & sources)


def case_problems(root: Path) -> list[str]:
    """One ck:Case per case file, named after the file; every case file is loaded."""
    from collabkg.project import load_graph

    problems = []
    expected: dict[str, Path] = {}
    for path in case_files(root):
        graph = Graph().parse(path, format="turtle")
        cases = list(graph.subjects(RDF.type, CK.Case))
        if len(cases) != 1:
            problems.append(f"{path.name}: {len(cases)} ck:Case, expected exactly one")
            continue
        expected[str(cases[0])] = path
    loaded = load_graph(root)
    try:
        found = {
            str(row["case"])
            for row in loaded.select("SELECT DISTINCT ?case WHERE { ?case a ck:Case }").rows
        }
    finally:
        loaded.close()
    for case, path in expected.items():
        if case not in found:
            problems.append(f"{path.name}: its case {case} is not in the loaded graph")
    return problems


def lost_cases(root: Path) -> list[str]:
    """Cases described in the committed case files that the working tree no longer has."""
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "data"],
        capture_output=True, check=False,
    )
    if listed.returncode != 0:
        pytest.skip(f"{root} is not a git checkout: nothing to compare with")
    committed: set[str] = set()
    for name in listed.stdout.decode().split("\0"):
        if not name.endswith(".ttl") or name.endswith("TEMPLATE.ttl"):
            continue
        shown = subprocess.run(
            ["git", "-C", str(root), "show", f"HEAD:{name}"], capture_output=True, check=False
        )
        if shown.returncode != 0:
            continue  # added but not committed yet
        graph = Graph().parse(data=shown.stdout.decode("utf-8"), format="turtle")
        committed |= {str(c) for c in graph.subjects(RDF.type, CK.Case)}
    now = {str(c) for c in data_graph(root).subjects(RDF.type, CK.Case)}
    return sorted(committed - now)


# --------------------------------------------------------------------------- on the shipped data


@pytest.fixture(scope="module")
def data() -> Graph:
    return data_graph(REPO)


def test_the_texts_folder_is_there() -> None:
    assert SEEDS.is_dir(), (
        f"the source texts are missing: expected them in {SEEDS} "
        "(../shared/seeds beside the checkout, or set COLLABKG_SEEDS)"
    )


def test_every_source_has_its_text_with_the_recorded_sha256() -> None:
    assert source_text_problems(REPO, SEEDS) == []


def test_every_quotation_is_found_in_its_sources_text() -> None:
    assert quotation_problems(REPO, SEEDS) == []


def test_speakers_appear_only_as_the_source_names_them() -> None:
    assert speaker_problems(REPO, SEEDS) == []


def test_every_fact_points_to_a_source() -> None:
    assert unsourced_facts(REPO) == []


def test_every_case_file_is_loaded_and_appears() -> None:
    assert case_files(REPO), "no case files under data/cases"
    assert case_problems(REPO) == []


def test_no_case_is_lost_compared_with_the_committed_files() -> None:
    assert lost_cases(REPO) == []


def test_unnamed_things_say_so_in_their_label(data: Graph) -> None:
    for node in data.subjects(CK.isUnnamedInSource, Literal(True)):
        label = str(data.value(node, RDFS.label) or "").lower()
        assert re.search(
            r"not named|unnamed|none named|no \w+( \w+)? named|not specified", label
        ), f"{node}: label {label!r} hides that the source does not name it"


def test_the_partnerships_the_sources_type_are_there(data: Graph) -> None:
    """003 names its typology's examples; more partnerships of each type may be added."""

    def names(structure: URIRef) -> set[str]:
        return {
            str(data.value(c, RDFS.label)) for c in data.subjects(CK.hasStructureType, structure)
        }

    assert {"Oldham", "Wigan", "Wirral"} <= {n.split()[0] for n in names(CKC.collaborativeCouncil)}
    assert {"Plymouth Alliance Contract", "Young People’s Foundations"} <= names(
        CKC.collaborativeMarket
    )
    assert {"Ignite", "Golden Key"} <= {n.split(" (")[0] for n in names(CKC.agentOfChange)}
    assert {"West London Zone", "Doing the Right Thing"} <= {
        n.split(" (")[0] for n in names(CKC.systemConnector)
    }


def test_the_data_validates_without_errors() -> None:
    report = validate(root=REPO)
    assert report.violations == 0, [
        i.to_dict() for i in report.sorted_issues() if i.severity.name == "VIOLATION"
    ][:5]


# --------------------------------------------------------------------------- a new case


NEW_TEXT = """Pilot partnerships in a northern town

The town's council and a local food bank agreed to share a building.
A volunteer coordinator said: “we run the pantry on Tuesdays and the council keeps the roof on”.
"""

NEW_SOURCE = """
ckd:src-test-new-report a ck:Report ;
    rdfs:label "Pilot partnerships in a northern town" ;
    dcterms:title "Pilot partnerships in a northern town" ;
    dcterms:date "2021"^^xsd:gYear ;
    ck:hasTextFile "new-report.txt" ;
    ck:hasTextSha256 "{sha}" .
"""

NEW_CASE = """@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckc: <https://w3id.org/collabkg/concept/> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ckd:case-test-new-case a ck:Case ;
    rdfs:label "A food bank and a council share a building" ;
    ck:isAbout ckd:test-new-partnership ;
    prov:wasDerivedFrom ckd:src-test-new-report .

ckd:test-new-quote a ck:Quotation ;
    rdfs:label "A volunteer coordinator on who does what" ;
    ck:hasText "we run the pantry on Tuesdays and the council keeps the roof on" ;
    ck:hasSpeakerRole "volunteer coordinator" ;
    prov:wasQuotedFrom ckd:src-test-new-report .

ckd:test-new-council a ck:LocalAuthority ;
    rdfs:label "the town's council (not named in the source)" ;
    ck:isUnnamedInSource true ;
    ck:hasSector ckc:publicSector ;
    dcterms:source ckd:src-test-new-report .

ckd:test-new-food-bank a ck:Charity ;
    rdfs:label "a local food bank (not named in the source)" ;
    ck:isUnnamedInSource true ;
    ck:hasSector ckc:voluntaryCommunitySector ;
    dcterms:source ckd:src-test-new-report .

ckd:test-new-partnership a ck:Collaboration ;
    rdfs:label "the council and food bank's shared building (not named in the source)" ;
    ck:isUnnamedInSource true ;
    ck:isEvidencedBy ckd:test-new-quote ;
    dcterms:source ckd:src-test-new-report .

ckd:test-new-membership-council a org:Membership ;
    rdfs:label "the council in the shared building" ;
    org:organization ckd:test-new-partnership ;
    org:member ckd:test-new-council ;
    dcterms:source ckd:src-test-new-report .

ckd:test-new-membership-food-bank a org:Membership ;
    rdfs:label "the food bank in the shared building" ;
    org:organization ckd:test-new-partnership ;
    org:member ckd:test-new-food-bank ;
    dcterms:source ckd:src-test-new-report .
"""


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A copy of the project (ontology, shapes, queries, data) and of the texts folder."""
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries", "data"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    seeds = tmp_path / "texts"
    shutil.copytree(SEEDS, seeds)
    monkeypatch.setenv("COLLABKG_SEEDS", str(seeds))
    monkeypatch.setenv("COLLABKG_HOME", str(root))
    return root, seeds


@pytest.mark.slow
def test_a_new_case_with_a_new_source_passes_the_data_checks(
    project_copy: tuple[Path, Path],
) -> None:
    root, seeds = project_copy
    (seeds / "new-report.txt").write_text(NEW_TEXT, encoding="utf-8")
    sha = hashlib.sha256(NEW_TEXT.encode("utf-8")).hexdigest()
    with (root / "data" / "sources.ttl").open("a", encoding="utf-8") as handle:
        handle.write(NEW_SOURCE.replace("{sha}", sha))
    (root / "data" / "cases" / "test-new-case.ttl").write_text(NEW_CASE, encoding="utf-8")

    assert source_text_problems(root, seeds) == []
    assert quotation_problems(root, seeds) == []
    assert speaker_problems(root, seeds) == []
    assert unsourced_facts(root) == []
    assert case_problems(root) == []
    report = validate(root=root)
    assert report.violations == 0, [i.to_dict() for i in report.sorted_issues()][:3]
    assert "test-new-case.ttl" in " ".join(report.files)


def test_the_data_checks_catch_an_altered_quotation_and_a_changed_text(
    project_copy: tuple[Path, Path],
) -> None:
    """The checks above can fail: one word changed in a quotation, one byte in a text."""
    root, seeds = project_copy
    wigan = root / "data" / "cases" / "wigan.ttl"
    text = wigan.read_text(encoding="utf-8")
    assert "it’s very anthropological" in text
    wigan.write_text(text.replace("it’s very anthropological", "it is very anthropological"),
                     encoding="utf-8")
    problems = quotation_problems(root, seeds)
    assert len(problems) == 1
    assert "“it is” where the source has “it’s”" in problems[0]

    seed = seeds / "004_88fbca80252ca494.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert [p for p in source_text_problems(root, seeds) if "sha256" in p]


def test_a_case_file_removed_is_a_lost_case(project_copy: tuple[Path, Path]) -> None:
    root, _seeds = project_copy
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "data"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        check=True,
    )
    assert lost_cases(root) == []
    (root / "data" / "cases" / "oldham.ttl").unlink()
    assert lost_cases(root) == ["https://w3id.org/collabkg/id/case-oldham"]


def test_only_prov_entities_are_derived_from_a_source(data: Graph) -> None:
    """PROV-O gives prov:wasDerivedFrom the domain prov:Entity and makes prov:Activity
    disjoint with it: an organisation, membership, collaboration, activity or place "derived
    from" a blog post is a contradiction (or a wrong kind) under the real PROV-O. Those name
    their source with dcterms:source."""
    ontology = Graph().parse(REPO / "ontology" / "collabkg.ttl")
    entity_classes = set(ontology.transitive_subjects(RDFS.subClassOf, PROV.Entity))
    entity_classes |= {PROV.Plan, PROV.Entity}
    entity_classes |= {
        c for p in list(entity_classes) for c in ontology.transitive_subjects(RDFS.subClassOf, p)
    }
    derived = set(data.subjects(PROV.wasDerivedFrom, None))
    assert derived, "no entity names its source with prov:wasDerivedFrom"
    wrong = sorted(str(s) for s in derived if not set(data.objects(s, RDF.type)) & entity_classes)
    assert wrong == [], "use dcterms:source on these non-entities"
    non_entities = set(data.subjects(DCTERMS.source, None))
    assert non_entities, "no agent or activity names its source with dcterms:source"


def test_authors_are_recorded_as_authorship_not_as_placeholder_speaker_roles(data: Graph) -> None:
    """Regression (issue 17): 56 quotations carried made-up roles such as "author of the blog
    posts (not named)". A source's own words are marked ck:isInAuthorsVoice, with no role, and
    the source names its author(s) with prov:wasAttributedTo."""
    in_own_voice = 0
    for quote in data.subjects(RDF.type, CK.Quotation):
        roles = [str(r) for r in data.objects(quote, CK.hasSpeakerRole)]
        for role in roles:
            assert "(not named)" not in role and not role.lower().startswith("author of"), (
                f"{quote}: placeholder role {role!r}; "
                "mark the author's own words ck:isInAuthorsVoice"
            )
        if data.value(quote, CK.isInAuthorsVoice) == Literal(True):
            in_own_voice += 1
            assert not roles, f"{quote}: the author's own words carry a speaker role {roles}"
    assert in_own_voice >= 100
    for source in data.subjects(CK.hasTextFile, None):
        authors = list(data.objects(source, PROV.wasAttributedTo))
        assert authors, f"{source}: no prov:wasAttributedTo naming its author(s)"
        for author in authors:
            assert (author, RDFS.label, None) in data, f"{author} ({source}) is undescribed"
