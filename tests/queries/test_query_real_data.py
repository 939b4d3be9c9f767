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
    # one line to one unnamed group of funders and commissioners: the source gives no number
    assert str(reporting["howMany"]).startswith("not stated")
    assert int(reporting["reportingLineCount"]) == 1  # type: ignore[arg-type]


def test_reporting_burden_keeps_a_comparison_comparative(run_real: Runner):
    """Regression (issue 17): collaborations with market- and outcomes-based financing were
    answered as reporting to two funders through two lines; the source says only that they
    "usually had more defined reporting requirements than those with grant funding"."""
    rows = _rows(run_real("reporting-burden"))
    assert not [r for r in rows if "market- and outcomes-based" in str(r["partyLabel"])]
    for row in rows:  # a body in two forum roles is one counterpart
        names = [n for n in str(row["reportsTo"]).split("; ") if n]
        assert int(row["funderOrCommissionerCount"]) <= len(names)  # type: ignore[arg-type]
    compared = _one(
        _rows(run_real("comparative-statements")), "comparedGroup", "market- and outcomes-based"
    )
    assert compared["attribute"] == "more defined reporting requirements"
    assert compared["comparisonGroup"] == "those with grant funding"
    assert compared["qualifier"] == "usually"


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


def test_a_belief_in_a_mandate_is_not_an_accountability_line(run_real: Runner):
    """Regression (issue 17): "They both believe that they have the mandate of their
    electorate" was recorded as central and local government accountable to citizens. The
    chain from local councils now stops where the source stops: at central government."""
    rows = _rows(run_real("accountability-chain"))  # the default: local councils
    assert {r["organisation"] for r in rows} == {"ckd:local-strategic-partnerships-local-councils"}
    assert {int(r["hop"]) for r in rows} == {1}  # type: ignore[arg-type]
    assert rows[0]["forumLabel"] == "central government"
    assert "citizens" not in {r["forumLabel"] for r in rows}


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
    # regression (issue 17): the heading "Consultation and instrumentality?" is a question and
    # placed the youth project at both levels; only the consultative level is supported
    assert {r["levelLabel"] for r in youth} == {"consultation"}
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


# --------------------------------------------------------------------------- issue 17: what the
# sources assert, advise and ask, answered as each source answers it


def test_tactics_for_every_stage_of_the_hype_cycle(run_real: Runner):
    rows = _rows(run_real("tactics-by-hype-cycle-stage"))
    stages = [r["stageLabel"] for r in rows]
    assert list(dict.fromkeys(stages)) == [  # in the cycle's order
        "policy trigger",
        "peak of inflated expectations",
        "trough of disillusionment",
        "slope of enlightenment",
        "plateau of productivity",
    ]
    trough = _one(rows, "stageLabel", "trough")
    assert "expertise" in str(trough["tacticLabel"])
    assert "voluntary organisations" in str(trough["addressedToLabel"])
    challenge = _one(rows, "tacticLabel", "challenge")
    assert "beneficiaries are likely to be disadvantaged" in str(challenge["condition"])


def test_recommendations_say_to_whom(run_real: Runner):
    rows = _rows(run_real("recommendations"))
    pointers = _where(rows, "recommendationLabel", "Pointer")
    assert [int(r["position"]) for r in pointers] == list(range(1, 10))  # type: ignore[arg-type]
    factors = _where(rows, "recommendationLabel", "Factor", "Spending Review")
    assert len(factors) == 4
    assert all("Coalition Government" in str(r["addressedToLabel"]) for r in factors)
    assert all(r["inferenceNote"] for r in factors)  # the addressee is read, not named
    narrative = _where(rows, "recommendationLabel", "compelling and accurate narrative")
    assert {r["sourceLabel"] for r in narrative} == {
        "Findings from Are We Rallying Together?",
        "Rallying together—The rationale for and structure of collaborative practice in England",
    }


def test_open_questions_in_the_sources_order(run_real: Runner):
    rows = _rows(run_real("open-questions"))
    blog = [r for r in _where(rows, "sourceLabel", "Findings from") if r["position"] is not None]
    assert [int(r["position"]) for r in blog] == list(range(1, 7))  # type: ignore[arg-type]
    assert "withstand a scandal" in str(blog[2]["quoteText"])
    closing = _where(rows, "questionLabel", "Closing question")
    assert "hybridity and loss of TS independence" in str(closing[0]["quoteText"])


def test_rationales_ranked_as_each_source_ranks_them(run_real: Runner):
    rows = _rows(run_real("rationales-ranked"))
    article = [r for r in _where(rows, "sourceLabel", "—The rationale") if r["position"]]
    assert [(int(r["position"]), r["prevalence"]) for r in article] == [  # type: ignore[arg-type]
        (1, "first, and most common"),
        (2, "second, widely held"),
        (3, "third, and least common"),
    ]
    assert article[0]["rationale"] == "ckc:shareResponsibility"
    assert article[2]["rationale"] == "ckc:betterPublicSectorWorkplace"
    blog = _where(rows, "sourceLabel", "Findings from")
    assert {r["prevalence"] for r in blog} == {"listed, not ranked"}


def test_study_designs_as_each_source_states_them(run_real: Runner):
    rows = _rows(run_real("study-designs"))
    article = _one(rows, "studyLabel", "Rallying together study")
    assert (article["interviews"], article["collaborations"]) == ("29", "9")
    assert article["methods"] == "semi-structured interviews"
    assert article["places"] == "England"
    blog = _one(rows, "studyLabel", "GO Lab fieldwork")
    assert (blog["interviews"], blog["collaborations"]) == ("not stated", "10")
    assert "number of collaborations" in str(blog["disagreements"])
    milbourne = _one(rows, "studyLabel", "Milbourne's studies of")
    assert milbourne["methods"] == "group discussion; interviews; observation"
    assert "not named" in str(milbourne["places"])
    phases = _where(rows, "phaseOfLabel", "Milbourne")
    assert {r["periodLabel"] for r in phases} == {"2006–2007", "2007–2009"}


def test_where_the_two_go_lab_sources_disagree(run_real: Runner):
    rows = _rows(run_real("source-disagreements"))
    count = _one(rows, "aspect", "number of collaborations")
    assert "10" in str(count["quoteTexts"]) and "nine" in str(count["quoteTexts"])
    assert _where(rows, "aspect", "ranking")


def test_ways_of_working_keep_the_sources_hedges(run_real: Runner):
    rows = _rows(run_real("claims-by-topic", topic="ckc:coLocation"))
    colocation = _one(rows, "itemLabel", "Co-location")
    assert colocation["qualifier"] == "sometimes"
    assert "not always essential" in str(colocation["quoteText"])


def test_the_authors_own_bullets_are_reported_by_the_author(run_real: Runner):
    """Regression (issue 17): Milbourne's slide bullets and headings were attributed to the
    projects they illustrate."""
    rows = _rows(run_real("barriers"))
    for words in ("Disruptive policy changes", "Competing interests within the third sector"):
        found = _where(rows, "reportLabel", words)  # one row per quotation
        assert found and {r["reporterLabel"] for r in found} == {"Linda Milbourne"}


def test_inferences_are_flagged_with_what_they_rest_on(run_real: Runner):
    rows = _rows(run_real("inferences"))
    youth = _one(rows, "itemLabel", "youth project's consultative partnership")
    assert "question" in str(youth["note"])
    assert all(r["note"] for r in rows)
    assert len(rows) >= 20


def test_sources_with_their_authors_as_the_texts_give_them(run_real: Runner):
    rows = _rows(run_real("sources"))
    assert len(rows) == 5
    blog = _one(rows, "sourceLabel", "Findings from")
    assert blog["authors"] == "Clare FitzGerald; Franziska Rosenbach"
    assert blog["date"] == "2019-07-23"
    series = _one(rows, "sourceLabel", "How Do Some Voluntary")
    assert "not named" in str(series["authors"]) and series["date"] == "not stated"


def test_what_the_sources_say_about_the_big_society(run_real: Runner):
    rows = _rows(run_real("claims-by-policy", policy="ckc:bigSociety"))
    assert {r["kind"] for r in rows} >= {"claim", "tactic", "recommendation", "open question"}
    assert _where(rows, "quoteText", "cannot be seen to fail")
    carried = _rows(run_real("claims-by-policy", policy="ckc:internalMarkets"))
    assert "Blair’s ‘Third Way’" in str(_one(carried, "itemLabel", "carried")["quoteText"])


# --------------------------------------------------------------------------- groups


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("cross-sector-collaborations", "collaborationLabel"),
        ("collaborations-by-structure-type", None),
        ("organisations-in-many-collaborations", "organisationLabel"),
    ],
)
def test_groups_spoken_of_together_are_not_counted_as_one_collaboration_or_organisation(
    run_real: Runner, query: str, column: str | None
):
    """Regression: "LSPs in general", "PCTs", "local councils" and "some of the
    collaborations studied" were single ck:Partnership / ck:LocalAuthority / ck:Collaboration
    nodes, so counting queries counted each as one collaboration or organisation."""
    rows = _rows(run_real(query))
    text = " ".join(str(value) for row in rows for value in row.values())
    for group in (
        "Local Strategic Partnerships (in general",
        "PCTs (local statutory bodies",
        "local councils (local statutory bodies",
        "some of the collaborations studied",
        "most of the collaborations the researchers spoke to",
    ):
        assert group not in text, f"{query} counts the group {group!r}"
    if column is not None:
        assert rows, f"{query} has no rows at all"
