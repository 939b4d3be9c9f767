"""Each canned query against the real data/: the answers a reader of the sources expects.

These follow the sources in shared/seeds (see docs/modelling.md for how the data says
things): the GO Lab typology and its "Table 1", Milbourne's Sure Start project, the
transferred libraries nobody is said to be accountable for, the Wigan Deal's co-creation
rhetoric, the council whose Adult and Central Services pull apart, and so on.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from collabkg.graph import QueryResult
from tests.support.queries import Row, Runner, rows_of

GO_LAB_TYPES = {
    "collaborative council",
    "collaborative market",
    "agent of change",
    "system connector",
}


def _rows(result: QueryResult) -> list[Row]:
    return rows_of(result, {"readingLabel": (" or ", " and ")})


def _where(rows: Iterable[Row], column: str, *words: str) -> list[Row]:
    """Rows whose column contains every word (case-insensitive, typographic quotes unified)."""

    def norm(text: object) -> str:
        return str(text).replace("\u2019", "'").casefold()

    return [r for r in rows if all(norm(w) in norm(r[column]) for w in words)]


def _one(rows: Iterable[Row], column: str, *words: str) -> Row:
    found = _where(rows, column, *words)
    assert len(found) == 1, f"expected one row with {words} in {column}, got {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- co-creation


def test_table_1_co_creation_by_structure_type(run_real: Runner):
    rows = {r["structureTypeLabel"]: r for r in _rows(run_real("co-creation-by-structure-type"))}
    assert set(rows) == GO_LAB_TYPES
    council = rows["collaborative council"]
    assert (council["coDesign"], council["coDelivery"]) == ("observed", "observed")
    assert rows["agent of change"]["coDesign"] == "observed"
    for kind in ("collaborative market", "system connector"):
        row = rows[kind]
        assert [row[c] for c in ("coDesign", "coDelivery", "coCommissioning", "coAssessment")] == [
            "not observed"
        ] * 4, kind
    for place in ("Oldham", "Wigan", "Wirral"):
        assert place in str(council["collaborations"])
    assert int(council["collaborationCount"]) >= 3  # type: ignore[arg-type]


def test_collaborations_by_structure_type(run_real: Runner):
    rows = _rows(run_real("collaborations-by-structure-type"))

    def labels(kind: str) -> set[str]:
        return {str(r["collaborationLabel"]) for r in rows if r["structureTypeLabel"] == kind}

    markets = {label.replace("\u2019", "'") for label in labels("collaborative market")}
    assert markets == {"Plymouth Alliance Contract", "Young People's Foundations"}
    assert all(
        any(p in c for c in labels("collaborative council")) for p in ("Oldham", "Wigan", "Wirral")
    )
    assert all(any(p in c for c in labels("agent of change")) for p in ("Ignite", "Golden Key"))
    connectors = labels("system connector")
    assert all(
        any(p in c for c in connectors) for p in ("West London Zone", "Doing the Right Thing")
    )
    # collaborations outside the typology come last, marked "none recorded"
    kinds = [r["structureTypeLabel"] for r in rows]
    untyped = [i for i, k in enumerate(kinds) if k == "none recorded"]
    assert untyped and untyped == list(range(len(kinds) - len(untyped), len(kinds)))


def test_claims_of_co_creation_against_practice(run_real: Runner):
    rows = _rows(run_real("co-creation-claims-vs-practice"))
    deal = _where(rows, "activityLabel", "Wigan Deal")
    assert deal, "the Wigan Deal is described as co-creation but may be citizen self-help"
    assert {r["verdict"] for r in deal} == {"ambiguous: may be"}
    assert all("citizen self-help" in str(r["readingLabel"]) for r in deal)
    assert all("co-delivery" in str(r["readingLabel"]) for r in deal)
    assert {r["claimLabel"] for r in deal} == {"co-creation"}
    assert any("Wigan" in str(r["claimedByLabel"]) for r in deal)
    assert any(r["speakerRole"] == "council executive" for r in deal)
    funds = _where(rows, "activityLabel", "community funds")
    assert funds and {r["readingLabel"] for r in funds} == {"community self-organisation"}
    transfers = _where(rows, "activityLabel", "transfer")
    assert transfers and {r["verdict"] for r in transfers} == {"classified as"}
    assert {r["readingLabel"] for r in transfers} == {"community self-organisation"}


# --------------------------------------------------------------------------- accountability


def test_nobody_is_recorded_as_accountable_for_the_transferred_libraries(run_real: Runner):
    rows = _rows(run_real("accountable-for-transferred-assets"))
    libraries = _where(rows, "assetLabel", "librar")
    assert len(libraries) >= 2  # the blog's libraries and the article's public libraries
    for row in libraries:
        assert row["accountableLabel"] == "none recorded"
        assert row["accountableToLabel"] == "none recorded"
        assert row["mechanismLabel"] == "none recorded"
    # the article: transfers "variously structured as long-term leases and sales"
    article = _where(rows, "assetLabel", "public libraries")
    assert article and set(str(article[0]["modeLabel"]).split("; ")) == {"long-term lease", "sale"}


def test_accountability_gaps_include_the_transferred_assets(run_real: Runner):
    rows = _rows(run_real("accountability-gaps"))
    assets = [r for r in rows if r["kind"] == "transferred asset"]
    assert _where(assets, "itemLabel", "librar")
    assert _where(assets, "itemLabel", "swimming pools")
    assert _where(rows, "itemLabel", "Sure Start")  # its funding stream has no line either


def test_reporting_burden_of_collaborations_with_several_funders(run_real: Runner):
    rows = _rows(run_real("reporting-burden"))
    reporting = _one(rows, "partyLabel", "required to report to external")
    assert int(reporting["funderOrCommissionerCount"]) >= 2  # type: ignore[arg-type]
    assert int(reporting["reportingLineCount"]) >= 1  # type: ignore[arg-type]


def test_accountability_chain_to_the_elected_council(run_real: Runner):
    rows = _rows(
        run_real(
            "accountability-chain", organisation="ckd:golab-unnamed-collabs-responsible-to-council"
        )
    )
    assert rows and rows[0]["hop"] == 1
    first = rows[0]
    assert "elected council" in str(first["forumLabel"])
    assert first["mechanismLabel"] == "elected scrutiny"
    assert "best value duty" in str(first["forLabel"]).replace("\u2019", "'")


def test_accountability_chain_up_to_the_final_forum(run_real: Runner):
    """Local councils answer to central government, which answers to citizens (the LSP post)."""
    rows = _rows(run_real("accountability-chain"))  # the default: local councils
    assert {r["organisation"] for r in rows} == {"ckd:local-strategic-partnerships-local-councils"}
    hops = {int(r["hop"]) for r in rows}  # type: ignore[arg-type]
    assert hops == {1, 2}
    second = [r for r in rows if r["hop"] == 2]
    assert all("Central Government" in str(r["partyLabel"]) for r in second)
    assert "citizens" in {r["forumLabel"] for r in second}


def test_parameter_defaults_name_things_in_the_data(run_real: Runner, catalogue):
    for query in catalogue:
        if query.params:
            assert len(run_real(query.id)) > 0, f"{query.id}: its default finds nothing"


def test_accountability_chain_for_funders_and_commissioners(run_real: Runner):
    rows = _rows(
        run_real(
            "accountability-chain", organisation="ckd:golab-unnamed-collabs-reporting-to-funders"
        )
    )
    assert rows
    assert all(r["hop"] >= 1 for r in rows)
    assert rows[0]["mechanismLabel"] == "contract reporting"
    assert set(str(rows[0]["forumLabel"]).split("; ")) == {"funder", "commissioner"}


# --------------------------------------------------------------------------- funding


def test_the_sure_start_funding_stream_is_at_risk(run_real: Runner):
    rows = _rows(run_real("funding-at-risk"))
    sure_start = _where(rows, "fundingLabel", "Sure Start") or _where(
        rows, "programmeLabel", "Sure Start"
    )
    assert sure_start, "Milbourne: 'This funding stream ends in 2 months'"
    assert {r["statusLabel"] for r in sure_start} == {"ending"}
    assert all(r["dependantLabel"] != "none recorded" for r in sure_start)
    assert _where(sure_start, "dependantLabel", "Sure Start project")


def test_funding_by_mechanism(run_real: Runner):
    rows = _rows(run_real("funding-by-mechanism"))
    dcms = _one(rows, "fundingLabel", "DCMS")
    assert (dcms["mechanismLabel"], dcms["broaderMechanismLabel"]) == ("research grant", "grant")
    assert dcms["funderSectors"] == "public sector"
    wigan = _one(rows, "fundingLabel", "Wigan", "community funds")
    assert wigan["mechanismLabel"] == "community fund grant"
    # streams whose mechanism no source gives are listed last
    mechanisms = [r["mechanismLabel"] for r in rows]
    if "none recorded" in mechanisms:
        first = mechanisms.index("none recorded")
        assert set(mechanisms[first:]) == {"none recorded"}


# --------------------------------------------------------------------------- collaborations


def test_cross_sector_collaborations_are_computed_from_members(run_real: Runner):
    rows = _rows(run_real("cross-sector-collaborations"))
    assert rows
    for row in rows:
        assert int(row["sectorCount"]) >= 2  # type: ignore[arg-type]
        assert len(str(row["sectors"]).split("; ")) == row["sectorCount"]
    plymouth = _one(rows, "collaborationLabel", "Plymouth Alliance Contract")
    assert set(str(plymouth["sectors"]).split("; ")) == {
        "public sector",
        "voluntary and community sector",
    }


def test_collaboration_profile_of_wigan(run_real: Runner):
    rows = _rows(run_real("collaboration-profile", collaboration="Wigan collaborative council"))
    facets: dict[str, set[str]] = {}
    for row in rows:
        facets.setdefault(str(row["facet"]), set()).add(str(row["itemLabel"]))
    assert facets["structure type"] == {"collaborative council"}
    assert any("Wigan" in lead for lead in facets["lead"])
    assert "Wigan" in facets["place"]
    assert any("Wigan Deal" in a for a in facets["activity"])
    assert facets["source"]
    assert {r["collaborationLabel"] for r in rows} == {"Wigan collaborative council"}


def test_organisations_in_many_collaborations(run_real: Runner):
    rows = _rows(run_real("organisations-in-many-collaborations"))
    collaborate = _one(rows, "organisationLabel", "Collaborate")
    assert int(collaborate["collaborationCount"]) >= 2  # type: ignore[arg-type]
    assert all(int(r["collaborationCount"]) >= 2 for r in rows)  # type: ignore[arg-type]


def test_engagement_levels(run_real: Runner):
    rows = _rows(run_real("engagement-levels"))
    youth = _where(rows, "collaborationLabel", "youth project")
    assert "consultation" in {r["levelLabel"] for r in youth}
    cyp = _where(rows, "collaborationLabel", "Kidscare")
    assert {r["levelLabel"] for r in cyp} == {"instrumental"}
    order = {"consultation": 1, "instrumental": 2, "committed": 3}
    depths = [order[str(r["levelLabel"])] for r in rows]
    assert depths == sorted(depths)


def test_contradictory_relations_within_a_council(run_real: Runner):
    rows = _rows(run_real("contradictory-relations"))
    assert rows
    for row in rows:
        assert "Adult Services" in str(row["supporterLabel"])
        assert "Central Services" in str(row["underminerLabel"])
        assert "carers" in str(row["targetLabel"]).replace("\u2019", "'")
        assert "council" in str(row["organisationLabel"])
    assert _where(rows, "underminingLabel", "evict")


# ------------------------------------------------------------- reasons, barriers, policy


def test_rationales(run_real: Runner):
    rows = {r["rationaleLabel"]: r for r in _rows(run_real("rationales"))}
    share = rows["share financial and service-delivery responsibility"]
    assert int(share["statementCount"]) >= 2  # type: ignore[arg-type]  # blog and article
    for label in (
        "better impact and value",
        "a better public-sector workplace",
        "capacity building",
        "access to larger contracts",
        "survival",
    ):
        assert int(rows[label]["statementCount"]) >= 1, label  # type: ignore[arg-type]
    counts = [int(r["statementCount"]) for r in rows.values()]  # type: ignore[arg-type]
    assert counts == sorted(counts, reverse=True)


def test_barriers_by_whom_and_source(run_real: Runner):
    rows = _rows(run_real("barriers"))
    jargon = _where(rows, "barrierLabel", "jargon and red tape")
    youth = _where(jargon, "reporterLabel", "youth project")
    assert youth
    assert {r["reporterSectors"] for r in youth} == {"voluntary and community sector"}
    assert all(str(r["sourceLabel"]).startswith("Collaborative solutions") for r in youth)
    assert _where(rows, "barrierLabel", "lifeless consultation")
    assert _where(rows, "barrierLabel", "multiple reporting lines")
    assert _where(rows, "barrierLabel", "competing interests")


def test_policy_context_and_the_hype_cycle(run_real: Runner):
    rows = _rows(run_real("policy-context"))
    big_society = _where(rows, "contextLabel", "Big Society")
    assert big_society
    assert {r["hypeCycleStage"] for r in big_society} == {"policy trigger"}
    assert _where(rows, "contextLabel", "Sure Start")
    assert {r["contextKind"] for r in _where(rows, "contextLabel", "Sure Start")} == {"programme"}


def test_evidence_for_the_wigan_deal(run_real: Runner):
    rows = _rows(run_real("evidence-for", entity="The Wigan Deal 2030"))
    quotes = [r for r in rows if r["evidenceKind"] == "quotation"]
    executive = _one(quotes, "speakerRole", "council executive")
    assert str(executive["quoteText"]).startswith("it’s a different way of thinking")
    assert str(executive["sourceLabel"]).startswith("Rallying together")
    assert [r for r in rows if r["evidenceKind"] == "source"]


@pytest.mark.parametrize(
    "query_id",
    [
        "accountable-for-transferred-assets",
        "accountability-gaps",
        "barriers",
        "co-creation-by-structure-type",
        "co-creation-claims-vs-practice",
        "collaborations-by-structure-type",
        "contradictory-relations",
        "cross-sector-collaborations",
        "engagement-levels",
        "funding-at-risk",
        "funding-by-mechanism",
        "organisations-in-many-collaborations",
        "policy-context",
        "rationales",
        "reporting-burden",
    ],
)
def test_every_label_column_is_filled_on_the_real_data(run_real: Runner, query_id: str):
    result = run_real(query_id)
    assert len(result) > 0
    for row in _rows(result):
        for column, value in row.items():
            if column.endswith("Label"):
                assert value not in (None, ""), f"{query_id}: empty {column}"
                assert not str(value).startswith("http"), f"{query_id}: an IRI in {column}"
