"""The explorer's view models (collabkg.explorer), on a small invented case.

These are the pure functions behind the pages: lists, profiles with evidence, result
tables by label, the network, table layout.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

from collabkg import explorer as ex
from collabkg.errors import ParameterError
from collabkg.graph import KnowledgeGraph
from collabkg.terms import CKD

REPO = Path(__file__).resolve().parents[2]
CASE = REPO / "tests" / "fixtures" / "explorer" / "riverside.ttl"


def iri(name: str) -> str:
    return str(CKD[name])


@pytest.fixture(scope="module")
def index() -> ex.ExplorerIndex:
    store = ox.Store()
    files = [
        REPO / "ontology" / "collabkg.ttl",
        *sorted((REPO / "ontology" / "concepts").glob("*.ttl")),
        CASE,
    ]
    for number, path in enumerate(files):
        store.load(
            path.read_bytes(),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(f"https://example.org/graph/{number}"),
        )
    return ex.ExplorerIndex(KnowledgeGraph.from_store(store))


# --------------------------------------------------------------------------- lists


def test_index_knows_collaborations_and_organisations(index: ex.ExplorerIndex):
    assert [e.label for e in index.collaborations()] == ["Riverside partnership"]
    names = [e.label for e in index.organisations()]
    # named organisations first, the unnamed group last; the governing body (a unit) counts
    assert names[-1] == "a residents' group (not named in the source)"
    assert {"Riverside council", "Riverside Friends", "Riverside elected council"} <= set(names)
    assert ex.home_counts(index) == {
        "Collaborations": 1,
        "Organisations": 6,
        "Sources": 1,
        "Quotations": 2,
    }


def test_entity_table_is_in_labels(index: ex.ExplorerIndex):
    table = ex.entity_table(index, "collaboration")
    row = table.iloc[0]
    assert row["Name"] == "Riverside partnership"
    assert row["Kind"] == "Partnership"
    assert row["Structure type"] == "Collaborative market"
    assert row["Sectors involved"] == "Public sector, Voluntary and community sector"
    assert row["Place"] == "Riverside"
    assert row["Members"] == "Riverside council, Riverside Friends"
    assert row["Sources"] == "Test report on Riverside"
    link = urlsplit(row["link"])
    assert link.path == "collaborations"
    assert parse_qs(link.query) == {
        "id": ["ckd:riverside-partnership"],
        "label": ["Riverside partnership"],
    }
    shown = table.drop(columns=["iri", "link"]).to_numpy().ravel()
    assert not any("https://" in str(v) or "ckd:" in str(v) for v in shown)


@pytest.fixture(scope="module")
def seed_index(graph: KnowledgeGraph) -> ex.ExplorerIndex:
    """The seed graph's index (``graph`` is the seed graph of tests/app/conftest.py)."""
    return ex.ExplorerIndex(graph)


@pytest.mark.parametrize("kind", ["collaboration", "organisation"])
def test_a_list_cell_the_sources_leave_empty_was_blank_where_home_says_not_recorded(
    kind: str, index: ex.ExplorerIndex, seed_index: ex.ExplorerIndex
):
    for idx in (index, seed_index):
        table = ex.entity_table(idx, kind)  # type: ignore[arg-type]
        entities = {e.iri: e for e in (
            idx.collaborations() if kind == "collaboration" else idx.organisations()
        )}
        assert len(table) == len(entities) > 0
        for _, row in table.iterrows():
            e = entities[row["iri"]]
            given = {"Place": e.places, "Sector": e.sectors, "Sectors involved": e.sectors,
                     "Structure type": e.structure_types}
            for column, values in given.items():
                if column in row:
                    assert (row[column] == "Not recorded") == (not values), (row["Name"], column)
                    assert row[column] != ""


def test_filters(index: ex.ExplorerIndex):
    options = ex.filter_options(index, "organisation")
    assert options["sectors"] == [
        "Citizens and communities",
        "Public sector",
        "Voluntary and community sector",
    ]
    found = ex.filter_entities(index, "organisation", ex.ListFilters(sectors=("Public sector",)))
    assert [e.label for e in found] == [
        "Riverside Adult Services",
        "Riverside council",
        "Riverside elected council",
        "Riverside Estates",
    ]
    found = ex.filter_entities(index, "organisation", ex.ListFilters(text="friends"))
    assert [e.label for e in found] == ["Riverside Friends"]
    found = ex.filter_entities(
        index, "collaboration", ex.ListFilters(structure_types=("Collaborative council",))
    )
    assert found == []


def test_home_charts(index: ex.ExplorerIndex):
    by_type = ex.collaborations_by_structure_type(index)
    assert by_type.to_dict("records") == [
        {"Structure type": "Collaborative market", "Collaborations": 1}
    ]
    by_sector = ex.organisations_by_sector(index)
    # units without a sector of their own count with their parent organisation's
    assert dict(zip(by_sector["Sector"], by_sector["Organisations"], strict=True)) == {
        "Citizens and communities": 1,
        "Public sector": 4,
        "Voluntary and community sector": 1,
    }
    kinds = ex.cocreation_by_structure_type(index)
    assert set(kinds["Kind of involvement"]) == {
        "Co-design",
        "Co-delivery",
        "Citizen self-help",
        "Community self-organisation",
    }


# --------------------------------------------------------------------------- profiles


def _section(profile: ex.Profile, key: str) -> ex.Section:
    return next(s for s in profile.sections if s.key == key)


def _text(segments) -> str:  # type: ignore[no-untyped-def]
    return "".join(s if isinstance(s, str) else s[0] for s in segments)


def test_collaboration_profile(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-partnership"))
    assert profile.label == "Riverside partnership"
    summary = {label: _text(value) for label, value in profile.summary}
    assert summary["Structure type"] == "collaborative market"
    assert summary["Place"] == "Riverside"

    members = _section(profile, "members").facts
    assert [_text(f.title) for f in members] == [
        "Riverside council — lead",
        "Riverside Friends — provider",
    ]
    council = members[0]
    assert ("Riverside council", iri("riverside-council")) in council.title
    assert dict((k, _text(v)) for k, v in council.details)["Sector"] == "public sector"
    assert index.evidence(council.node).sources[0].label == "Test report on Riverside"


def test_the_deal_shows_claim_classification_commitments_and_quote(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-partnership"))
    deal = next(
        f for f in _section(profile, "activities").facts if _text(f.title) == "The Riverside Deal"
    )
    details = {k: _text(v) for k, v in deal.details}
    assert details["Claimed as"] == "co-creation by Riverside council"
    assert details["Researchers cannot tell whether it is"] == "citizen self-help or co-delivery"
    assert dict(deal.lists)["What it asks of citizens"] == ["recycling", "volunteering"]
    assert "cannot tell whether it is co-creation" in deal.flag
    quote = index.evidence(deal.node).quotes[0]
    assert quote.text == "residents do their bit and we keep the libraries open"
    assert quote.speaker == "council officer"
    assert quote.source == "Test report on Riverside"
    assert quote.locator == "Section 2"


def test_asset_transfers_say_who_is_accountable_and_where_no_one_is(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-partnership"))
    facts = {_text(f.title): f for f in _section(profile, "transfers").facts}
    library = facts["Transfer of Riverside library to the residents' group"]
    assert dict((k, _text(v)) for k, v in library.details)["Accountable"] == "no one recorded"
    assert "No accountability line for this asset is recorded in the sources" in library.flag
    assert "classify it as something else" in library.flag
    assert index.evidence(library.node).quotes[0].speaker == "library volunteer"
    pool = facts["Transfer of Riverside pool to Riverside Friends"]
    accountable = dict((k, _text(v)) for k, v in pool.details)["Accountable"]
    assert accountable == "Riverside Friends to Riverside elected council"


UNSTATED_TRANSFER = """
@prefix ck: <https://w3id.org/collabkg/ontology#> .
@prefix ckd: <https://w3id.org/collabkg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ckd:asset-riverside-hall a ck:CommunityCentre ; rdfs:label "Riverside hall" .
ckd:transfer-riverside-hall a ck:AssetTransfer ;
    rdfs:label "Transfer of Riverside hall to the residents' group" ;
    ck:isActivityOf ckd:riverside-partnership ;
    ck:transfersAsset ckd:asset-riverside-hall ;
    ck:hasUnstatedProperty ck:isAccountableFor ;
    dcterms:source ckd:src-test-report .
"""


def test_a_transfer_without_accountability_line_said_the_sources_ask_and_give_no_answer():
    """Regression: every transfer without an accountability line said "the sources ask who
    is responsible and give no answer", words no source may have said. Now only an absence
    is reported, and that the sources leave it unstated only where the graph records so
    (ck:hasUnstatedProperty); a transfer with a line says who is accountable."""
    store = ox.Store()
    files = [
        REPO / "ontology" / "collabkg.ttl",
        *sorted((REPO / "ontology" / "concepts").glob("*.ttl")),
        CASE,
    ]
    texts = [path.read_bytes() for path in files] + [UNSTATED_TRANSFER.encode("utf-8")]
    for number, text in enumerate(texts):
        store.load(
            text,
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(f"https://example.org/graph/{number}"),
        )
    index = ex.ExplorerIndex(KnowledgeGraph.from_store(store))
    profile = ex.profile(index, iri("riverside-partnership"))
    facts = {_text(f.title): f for f in _section(profile, "transfers").facts}
    for fact in facts.values():
        assert "ask" not in (fact.flag or "")
        assert "give no answer" not in (fact.flag or "")
    library = facts["Transfer of Riverside library to the residents' group"]
    assert "No accountability line for this asset is recorded in the sources." in library.flag
    assert "unstated" not in library.flag
    hall = facts["Transfer of Riverside hall to the residents' group"]
    assert "The sources leave unstated who is accountable" in hall.flag
    pool = facts["Transfer of Riverside pool to Riverside Friends"]
    assert "Riverside Friends" in dict((k, _text(v)) for k, v in pool.details)["Accountable"]
    assert "accountab" not in (pool.flag or "").lower()


def test_accountability_funding_barriers_policy(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-partnership"))
    line = _section(profile, "accountability").facts[0]
    assert _text(line.title) == (
        "Riverside Friends is accountable to Riverside elected council (elected council)"
    )
    details = {k: _text(v) for k, v in line.details}
    assert details["How"] == "elected scrutiny"
    assert details["External or internal"] == "external to the collaboration"
    funding = _section(profile, "funding").facts[0]
    assert _text(funding.title) == "Riverside council funds Riverside Friends"
    assert funding.flag == "This funding is ending or has ended."
    barrier = _section(profile, "barriers").facts[0]
    assert _text(barrier.title) == "Time burden"
    policy = _section(profile, "policy").facts[0]
    assert _text(policy.title) == "Big Society"
    stage = dict((k, _text(v)) for k, v in policy.details)["Stage of the hype cycle"]
    assert stage == "peak of inflated expectations"
    assert index.evidence(policy.node).sources[0].label == "Test report on Riverside"


def test_organisation_profile(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-council"))
    assert profile.kind == "organisation"
    summary = {label: _text(value) for label, value in profile.summary}
    assert summary["Kind"] == "Local authority"
    assert summary["Units"] == (
        "Riverside Adult Services, Riverside elected council, Riverside Estates"
    )
    memberships = _section(profile, "memberships").facts
    assert [_text(f.title) for f in memberships] == ["Riverside partnership — lead"]
    transfers = _section(profile, "transfers").facts
    assert len(transfers) == 2
    unit = ex.profile(index, iri("riverside-elected-council"))
    assert {label: _text(v) for label, v in unit.summary}["Part of"] == "Riverside council"
    lines = _section(unit, "accountability").facts
    assert len(lines) == 1


def test_units_pulling_in_opposite_directions_are_flagged(index: ex.ExplorerIndex):
    profile = ex.profile(index, iri("riverside-council"))
    actions = _section(profile, "actions").facts
    assert [_text(f.title) for f in actions] == [
        "Adult Services refers clients to Riverside Friends",
        "Estates evicts Riverside Friends from its office",
    ]
    assert all("pull in opposite directions" in f.flag for f in actions)
    effects = [dict((k, _text(v)) for k, v in f.details)["Effect"] for f in actions]
    assert effects == ["supports", "undermines"]


def test_unknown_profile_is_refused(index: ex.ExplorerIndex):
    with pytest.raises(ParameterError):
        ex.profile(index, iri("no-such-thing"))
    assert ex.resolve_id(index, "ckd:riverside-partnership", "collaboration") == iri(
        "riverside-partnership"
    )
    assert ex.resolve_id(index, "ckd:riverside-partnership", "organisation") is None
    assert ex.resolve_id(index, "not an id", "collaboration") is None
    assert ex.resolve_id(index, None, "collaboration") is None


# --------------------------------------------------------------------------- results


def test_result_table_uses_labels_and_links(index: ex.ExplorerIndex):
    query = """SELECT ?org ?orgLabel ?collaboration ?role WHERE {
        ?m org:member ?org ; org:organization ?collaboration ; org:role ?role .
        ?org rdfs:label ?orgLabel } ORDER BY ?orgLabel"""
    result = index.kg.select(query)
    table = ex.result_table(index, result)
    assert list(table.frame.columns) == ["Org", "Collaboration", "Role"]
    assert table.link_columns == ["Org", "Collaboration"]
    first = table.frame.iloc[0]
    assert parse_qs(urlsplit(first["Org"]).query)["label"] == ["Riverside Friends"]
    assert first["Role"] == "provider"
    assert ("Riverside partnership", iri("riverside-partnership"), "collaboration") in (
        table.profiles
    )
    downloads = ex.download_frame(index, result)
    assert "org_iri" in downloads.columns
    assert downloads["org_iri"].iloc[0] == iri("riverside-charity")


def test_gaps_and_widths():
    import pandas as pd

    frame = pd.DataFrame({"Kind": ["a", "b"], "Accountable": ["x", "none recorded"], "N": [1, 2]})
    assert ex.gap_summary(frame) == ["Accountable: none recorded in 1 of 2 rows."]
    widths = ex.column_widths(frame)
    assert set(widths) == {"Kind", "Accountable", "N"}
    long = pd.DataFrame({c: ["word " * 40] for c in "ABCDEFGH"})
    widths = ex.column_widths(long, budget=900)
    assert sum(widths.values()) <= 900
    assert ex.row_height(long, widths) is not None


def test_plain_english_helpers():
    assert ex.humanise("accountableToLabel") == "Accountable to"
    assert ex.humanise("coDesign") == "Co-design"
    assert ex.humanise("organisation_iri") == "Organisation"
    labels = {"https://w3id.org/collabkg/ontology#isClassifiedAs": "is classified as"}
    text = "classified as such (ck:isClassifiedAs); see ck:isClassifiedAs."
    assert ex.plain_text(text, lambda i: labels.get(i, i)) == (
        "classified as such; see “is classified as”."
    )
    assert ex.plain_note("Typed ck:Alliance because...") is None
    assert ex.plain_note("  The source says  so. ") == "The source says so."
    assert ex.verdict_on_claim([], [], []) == ""
    cocreation = "https://w3id.org/collabkg/concept/coCreation"
    self_help = "https://w3id.org/collabkg/concept/citizenSelfHelp"
    assert "something else" in ex.verdict_on_claim([cocreation], [self_help], [])
    assert ex.to_curie(iri("x")) == "ckd:x"
    assert ex.from_curie("ckd:x") == iri("x")


# --------------------------------------------------------------------------- network


def test_network_relations_colours_and_filters(index: ex.ExplorerIndex):
    edges = ex.network_edges(index)
    relations = {e.relation for e in edges}
    assert relations == {"member of", "funds", "accountable to", "transfers asset to"}
    network = ex.build_network(index, edges)
    groups = {
        network.node_iris[n["data"]["id"]]: n["data"]["label"] for n in network.elements["nodes"]
    }
    assert groups[iri("riverside-partnership")] == "Collaboration"
    assert groups[iri("riverside-council")] == "Public sector"
    assert groups[iri("riverside-charity")] == "Voluntary and community sector"
    assert groups[iri("riverside-elected-council")] == "Public sector"  # its parent's sector
    assert not network.message

    only_funding = ex.build_network(index, edges, relations=["funds"])
    assert [e["data"]["label"] for e in only_funding.elements["edges"]] == ["funds"]

    other_type = ex.build_network(index, edges, structure_types=["Collaborative council"])
    assert other_type.shown_nodes == 0

    capped = ex.build_network(index, edges, cap=2)
    assert capped.shown_nodes == 2
    assert "showing the 2 most connected" in capped.message


def test_the_cap_draws_as_many_nodes_as_asked(index: ex.ExplorerIndex):
    """Regression: "show at most 10" drew 7 (kept nodes whose partners were cut vanished)."""
    edges = ex.network_edges(index)
    total = ex.build_network(index, edges).shown_nodes
    for cap in range(2, total):
        network = ex.build_network(index, edges, cap=cap)
        assert network.shown_nodes == cap, cap  # it drew one fewer where a link adds two
        assert f"showing the {network.shown_nodes} most connected" in network.message


def test_the_node_panel_shows_names_not_identifiers(index: ex.ExplorerIndex):
    """Regression: clicking a node showed its IRI and internal field names. The drawing
    and the panel of the selected shape now say names and kinds only."""
    import html
    import re

    network = ex.build_network(index, ex.network_edges(index))
    chosen = iri("riverside-council")
    drawn = ex.network_svg(network, lambda node: f"network?node={ex.to_curie(node)}")
    panel = ex.selection_html(
        network, chosen, kind="Local authority", profile="organisations?id=x", clear="network"
    )
    for text in (drawn, panel):
        visible = html.unescape(re.sub(r"<[^>]*>", " ", text))
        assert not re.search(r"https?://|\bckd:|\bid\b", visible), visible
    names = re.findall(r'aria-label="([^"]*), [^",]*"', drawn)
    assert sorted(html.unescape(n) for n in names) == sorted(network.node_labels.values())
    assert "Riverside council" in panel or network.node_labels[chosen] in panel


def test_the_list_filters_form_holds_the_search_and_ticked_boxes_escaped():
    from collabkg.explorer import FilterField, filters_form_html

    drawn = filters_form_html(
        "collaborations",
        'a "quoted" <b>search</b>',
        [
            FilterField("sector", "Sector", ("Public sector", "Private & co"), ("Private & co",)),
            FilterField("place", "Place", ("Wigan",)),
        ],
    )
    assert drawn.startswith('<form class="ck-filters" action="collaborations" method="get"')
    assert 'value="a &quot;quoted&quot; &lt;b&gt;search&lt;/b&gt;"' in drawn
    assert '<label for="ck-search-collaborations">Search</label>' in drawn, "a labelled box"
    assert 'name="sector" value="Private &amp; co" checked' in drawn
    assert 'name="sector" value="Public sector">' in drawn, "an unticked box is not checked"
    assert "(1 chosen)" in drawn and "(any)" in drawn
    assert '<details class="ck-filter" open>' in drawn, "a filter in use is shown open"
    assert drawn.count("<legend>") == 2 and '<button type="submit">Apply</button>' in drawn
