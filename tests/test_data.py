"""The case data is complete and faithful to its sources.

These tests read the sources themselves (``../shared/seeds`` beside the checkout, or the
folder named by ``COLLABKG_SEEDS``): every quotation must be found there word for word, every
speaker's name and role must be the source's own, and losing a case fails the build.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from collabkg.terms import CK, CKC
from collabkg.validate import validate

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEEDS = Path(os.environ.get("COLLABKG_SEEDS", REPO.parent / "shared" / "seeds"))


def normalise(text: str) -> str:
    """Whitespace is not significant (the sources wrap lines); every other character is."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def seeds() -> dict[str, str]:
    files = sorted(SEEDS.glob("*.txt"))
    assert files, (
        f"the sources are missing: expected the seed texts in {SEEDS} "
        "(shared/seeds beside the checkout, or set COLLABKG_SEEDS)"
    )
    return {p.name: normalise(p.read_text(encoding="utf-8")) for p in files}


def _data_files() -> list[Path]:
    return sorted(p for p in DATA.rglob("*.ttl") if p.name != "TEMPLATE.ttl")


@pytest.fixture(scope="module")
def data() -> Graph:
    graph = Graph()
    for path in _data_files():
        graph.parse(path, format="turtle")
    return graph


def _quotations() -> list[tuple[str, URIRef, str, URIRef | None]]:
    out = []
    for path in _data_files():
        graph = Graph().parse(path, format="turtle")
        for quote in graph.subjects(RDF.type, CK.Quotation):
            text = graph.value(quote, CK.hasText)
            out.append((path.name, quote, str(text or ""), graph.value(quote, PROV.wasQuotedFrom)))
    return out


QUOTATIONS = _quotations()


def test_there_are_quotations_to_check() -> None:
    assert len(QUOTATIONS) >= 150


@pytest.mark.parametrize(
    ("file", "quote", "text", "source"),
    QUOTATIONS,
    ids=[str(q[1]).rsplit("/", 1)[-1] for q in QUOTATIONS],
)
def test_quotation_is_verbatim_in_the_source_it_cites(
    file: str, quote: URIRef, text: str, source: URIRef | None, data: Graph, seeds: dict[str, str]
) -> None:
    assert text.strip(), f"{file}: {quote} has no text"
    assert source is not None, f"{file}: {quote} does not say which source it is quoted from"
    seed_name = data.value(source, CK.hasTextFile)
    assert seed_name is not None, f"{source} has no ck:hasTextFile naming its seed text"
    assert normalise(text) in seeds[str(seed_name)], (
        f"{file}: {quote} is not found word for word in {seed_name}: {text[:80]!r}"
    )


def test_every_source_points_to_its_seed_text(data: Graph, seeds: dict[str, str]) -> None:
    sources = set(data.subjects(CK.hasTextFile, None))
    assert len(sources) == 5
    assert {str(data.value(s, CK.hasTextFile)) for s in sources} == set(seeds)


def test_speakers_appear_only_as_the_source_names_them(data: Graph, seeds: dict[str, str]) -> None:
    checked = 0
    for quote in data.subjects(RDF.type, CK.Quotation):
        seed = seeds[str(data.value(data.value(quote, PROV.wasQuotedFrom), CK.hasTextFile))]
        for name in data.objects(quote, CK.hasSpeakerName):
            assert " " not in str(name).strip(), f"{quote}: only a first name, never a full name"
            assert re.search(rf"\b{re.escape(str(name))}\b", seed), (
                f"{quote}: {name} is not in the source"
            )
            checked += 1
        for role in data.objects(quote, CK.hasSpeakerRole):
            role_text = str(role)
            assert role_text.lower() in seed.lower(), (
                f"{quote}: role {role_text!r} is not the source's"
            )
            checked += 1
    assert checked >= 15


def test_every_fact_points_to_a_source(data: Graph) -> None:
    exempt = {
        CK.Source,
        CK.Quotation,
        CK.Period,
        CK.JournalArticle,
        CK.Report,
        CK.BlogPost,
        CK.SlideDeck,
        CK.OpinionPiece,
    }
    sources = set(data.subjects(CK.hasTextFile, None))
    facts = [
        s
        for s, c in data.subject_objects(RDF.type)
        if str(c).startswith((str(CK), "http://www.w3.org/ns/org#", str(PROV))) and c not in exempt
    ]
    assert len(facts) > 250

    def cited(s: object) -> set[object]:
        return set(data.objects(s, PROV.wasDerivedFrom)) | set(data.objects(s, DCTERMS.source))

    unsourced = sorted({str(s) for s in facts if not cited(s) & sources})
    assert unsourced == []


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


def test_unnamed_things_say_so_in_their_label(data: Graph) -> None:
    unnamed = list(data.subjects(CK.isUnnamedInSource, Literal(True)))
    assert len(unnamed) >= 20
    for node in unnamed:
        label = str(data.value(node, RDFS.label) or "").lower()
        assert re.search(
            r"not named|unnamed|none named|no \w+( \w+)? named|not specified", label
        ), f"{node}: label {label!r} hides that the source does not name it"


def _cases_by_source(data: Graph) -> Counter[str]:
    counts: Counter[str] = Counter()
    for case in data.subjects(RDF.type, CK.Case):
        seeds = sorted(
            str(data.value(s, CK.hasTextFile))[:3]
            for p in (PROV.wasDerivedFrom, DCTERMS.source)
            for s in data.objects(case, p)
        )
        counts[seeds[0]] += 1
    return counts


def test_no_case_is_lost(data: Graph) -> None:
    cases = list(data.subjects(RDF.type, CK.Case))
    assert len(cases) == len(_data_files()) - 1, "one ck:Case per case file (sources.ttl has none)"
    # first source each case draws on: 000 Milbourne, 001/003 GO Lab, 002 The MJ, 004 blog posts
    assert _cases_by_source(data) == Counter({"000": 8, "001": 11, "002": 2, "004": 4})


def test_each_structure_type_has_the_partnerships_the_sources_name(data: Graph) -> None:
    def names(structure: URIRef) -> set[str]:
        return {
            str(data.value(c, RDFS.label)) for c in data.subjects(CK.hasStructureType, structure)
        }

    assert len(names(CKC.collaborativeCouncil)) == 3
    assert {n.split()[0] for n in names(CKC.collaborativeCouncil)} == {"Oldham", "Wigan", "Wirral"}
    assert names(CKC.collaborativeMarket) == {
        "Plymouth Alliance Contract",
        "Young People’s Foundations",
    }
    assert {n.split(" (")[0] for n in names(CKC.agentOfChange)} == {"Ignite", "Golden Key"}
    assert {n.split(" (")[0] for n in names(CKC.systemConnector)} == {
        "West London Zone",
        "Doing the Right Thing",
    }


def test_the_data_validates_without_errors() -> None:
    report = validate(root=REPO)
    assert report.violations == 0, [
        i.to_dict() for i in report.sorted_issues() if i.severity.name == "VIOLATION"
    ][:5]


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
