"""Collaborations and Organisations: searchable lists and profile pages with evidence."""

from __future__ import annotations

import re
from pathlib import Path

from collabkg.explorer import ROWS_PER_PAGE
from tests.support.apptest import (
    Opener,
    answer_tables,
    column,
    download_links,
    drawn_html,
    identifiers_on_screen,
    page_links,
    visible_text,
)

COLLABS = "views/collaborations.py"
ORGS = "views/organisations.py"


def _names(app) -> list[str]:  # type: ignore[no-untyped-def]
    [table] = answer_tables(app)
    return column(table, "Name")


def _form(app) -> str:  # type: ignore[no-untyped-def]
    """The list page's search-and-filter form (HTML)."""
    import re

    drawn = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    form = re.search(r'<form class="ck-filters".*?</form>', drawn, flags=re.DOTALL)
    assert form is not None, "the list has a search-and-filter form"
    return form.group(0)


def test_collaborations_list_filters_by_structure_type(open_page: Opener):
    app = open_page(COLLABS)
    everything = _names(app)
    assert "Wigan collaborative council" in everything
    form = _form(app)
    assert 'name="structure" value="Collaborative market"' in form, "a box per structure type"
    app = open_page(COLLABS, structure="Collaborative market")
    markets = _names(app)
    assert "Plymouth Alliance Contract" in markets
    assert "Wigan collaborative council" not in markets
    assert 'name="structure" value="Collaborative market" checked' in _form(app)
    [table] = answer_tables(app)
    assert all(v == "Collaborative market" for v in column(table, "Structure type"))
    links = [row[0][1] for row in table.rows]
    assert all(link.startswith("collaborations?id=ckd%3A") for link in links), "names link"
    assert identifiers_on_screen(app) == []


def test_collaborations_list_search_and_empty_result(open_page: Opener):
    app = open_page(COLLABS, search="wigan")
    assert _names(app) == ["Wigan collaborative council"]
    assert 'name="search" value="wigan"' in _form(app), "the box shows the search"
    app = open_page(COLLABS, search="no such words at all")
    assert not answer_tables(app)
    assert any("No collaboration matches" in i.value for i in app.info)


def test_a_filter_from_the_url(open_page: Opener):
    app = open_page(COLLABS, structure="Collaborative market")
    assert "Plymouth Alliance Contract" in _names(app)
    assert "Wigan collaborative council" not in _names(app)


def test_a_filter_value_no_entity_has_is_said_never_quietly_dropped(open_page: Opener):
    app = open_page(COLLABS, sector="nope", structure="Collaborative market")
    [warning] = [w.value for w in app.warning]
    assert "sector “nope”" in warning and "not filtered by it" in warning
    # the filter that exists still applies; the one that does not is named above
    assert "Plymouth Alliance Contract" in _names(app)
    assert "Wigan collaborative council" not in _names(app)
    app = open_page(COLLABS, structure="Collaborative market")
    assert not app.warning


def test_a_name_in_the_list_opens_the_profile(open_page: Opener):
    """The list's names are links to the profiles (the "Open the profile of" box, which
    repeated them as a widget, is gone)."""
    app = open_page(COLLABS)
    [table] = answer_tables(app)
    href = next(row[0][1] for row in table.rows if row[0][0] == "Wigan collaborative council")
    from urllib.parse import parse_qs, urlsplit

    target = parse_qs(urlsplit(href).query)["id"][0]
    app = open_page(COLLABS, id=target)
    assert not app.exception
    assert app.title[0].value == "Wigan collaborative council"


def test_wigan_profile_shows_the_deal_what_it_asks_and_the_quote(open_page: Opener):
    app = open_page(COLLABS, id="ckd:wigan-collaborative-council")
    assert app.title[0].value == "Wigan collaborative council"
    text = "\n".join(visible_text(app))
    assert "collaborative council" in text
    assert "The Wigan Deal 2030" in text
    assert "What it asks of citizens" in text
    assert "recycling" in text
    assert "Claimed as: co-creation" in text
    assert "citizen self-help or co-delivery" in text
    quotes = " ".join(h.proto.body for h in app.get("html"))
    assert "very anthropological" in quotes
    assert "council executive" in quotes
    assert "Rallying together" in quotes  # the source beside the quotation
    assert identifiers_on_screen(app) == []
    # members link to their own profiles (same tab: links in the drawn facts)
    drawn = " ".join(h.proto.body for h in app.get("html"))
    assert '<a href="organisations?id=ckd%3Awigan-council">Wigan council</a>' in drawn
    # the way back: a same-tab HTML link (a Markdown link opened a new tab)
    assert '<p class="ck-back">← <a href="collaborations">All collaborations</a></p>' in drawn


def test_asset_transfers_profile_says_no_one_is_accountable(open_page: Opener):
    app = open_page(COLLABS)
    # a collaboration with a recorded asset transfer, if the data has one
    from collabkg.explorer import ExplorerIndex, profile
    from collabkg.project import load_graph
    from tests.support.apptest import DATA_ROOT

    index = ExplorerIndex(load_graph(DATA_ROOT))
    for entity in index.collaborations():
        found = profile(index, entity.iri)
        transfers = [s for s in found.sections if s.key == "transfers" and s.facts]
        if transfers:
            break
    else:
        return
    app = open_page(COLLABS, id=f"ckd:{entity.iri.rsplit('/', 1)[1]}")
    text = "\n".join(visible_text(app))
    assert "Asset transfers" in text
    assert "Accountable:" in text


def test_organisation_profile(open_page: Opener):
    app = open_page(ORGS, id="ckd:wigan-council")
    assert app.title[0].value == "Wigan council"
    text = "\n".join(visible_text(app))
    assert "Local authority" in text
    assert "Collaborations" in text
    drawn = " ".join(h.proto.body for h in app.get("html"))
    assert 'href="collaborations?id=ckd%3Awigan-collaborative-council"' in drawn
    assert identifiers_on_screen(app) == []


def test_organisations_list_by_sector(open_page: Opener):
    app = open_page(ORGS, sector="Public sector")
    sectors = column(answer_tables(app)[0], "Sector")
    assert sectors and all("Public sector" in s for s in sectors)
    assert 'name="sector" value="Public sector" checked' in _form(app)
    assert identifiers_on_screen(app) == []


def test_an_unknown_profile_falls_back_to_the_list(open_page: Opener):
    app = open_page(COLLABS, id="ckd:no-such-collaboration")
    assert any("no collaboration with that identifier" in w.value for w in app.warning)
    assert app.title[0].value == "Collaborations"
    # an organisation is not a collaboration
    app = open_page(COLLABS, id="ckd:wigan-council")
    assert app.title[0].value == "Collaborations"
    app = open_page(ORGS, id="not a valid id <>")
    assert app.title[0].value == "Organisations"


def test_a_profile_is_a_few_elements_with_its_sections_as_headings(open_page: Opener):
    """A profile is the back link, the name and one element (it was a heading and an element
    per section and fact: about 20 renders for the browser); each section with facts is an
    H2 that the line of counts links to."""
    import re

    app = open_page(COLLABS, id="ckd:wigan-collaborative-council")
    assert len(app.main.children) <= 5, f"{len(app.main.children)} elements on the profile"
    drawn = drawn_html(app)
    sections = re.findall(r'<h2 id="([a-z-]+)">([^<]*)</h2>', drawn)
    assert len(sections) >= 3
    for key, title in sections:
        if title.endswith(")"):  # a section with facts is reached from the line of counts
            assert f'<a href="#{key}">' in drawn, key
    assert "recorded facts — " in drawn


def test_the_list_count_agrees_with_its_rows_whatever_the_filters(open_page: Opener):
    """The list's table is made once per search and filters (and kept): the count line and
    the rows agree for each, also when the same filters come again, and nothing matched
    says so with no table."""
    import re

    for params in ({}, {"structure": "Collaborative market"}, {"search": "wigan"}, {}):
        app = open_page(COLLABS, **params)
        [line] = [c.value for c in app.caption if " collaborations." in c.value]
        shown = int(re.match(r"(\d+) of \d+", line)[1])  # type: ignore[index]
        [table] = answer_tables(app)
        assert len(table.rows) == shown, (params, line)
    app = open_page(COLLABS, search="no such collaboration anywhere")
    assert any("No collaboration matches" in i.value for i in app.info)
    assert not answer_tables(app)


def _count_line(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """("N of M collaborations") from the list's caption."""
    [caption] = [c.value for c in app.caption if " of " in c.value]
    found = re.match(r"(\d+) of (\d+) ", caption)
    assert found, caption
    return int(found.group(1)), int(found.group(2))


def test_a_long_list_is_drawn_a_page_at_a_time(open_page: Opener, long_lists: Path):
    """Regression: the Collaborations and Organisations lists drew every row at once (4 MB
    of HTML for the browser at a million triples). A page of rows, the address keeps how
    many, a same-tab link shows more, and the download has every one."""
    app = open_page(COLLABS, root=long_lists)
    count, total = _count_line(app)
    assert count == total > ROWS_PER_PAGE
    [table] = answer_tables(app)
    assert len(table.rows) == ROWS_PER_PAGE
    drawn = drawn_html(app)
    assert f"Rows 1–{ROWS_PER_PAGE} of {count}." in drawn
    more = [
        (page, params) for _label, page, params in page_links(app, drawn=True) if "rows" in params
    ]
    assert more == [("collaborations", {"rows": str(2 * ROWS_PER_PAGE)})]
    # the whole list, from the server's download route (tests/app/test_downloads.py)
    assert download_links(app) == [
        (f"Download the {count} collaborations (CSV)", "download/list/collaborations.csv")
    ]

    app = open_page(COLLABS, root=long_lists, rows=str(2 * ROWS_PER_PAGE))
    [table] = answer_tables(app)
    assert len(table.rows) == min(count, 2 * ROWS_PER_PAGE)
    assert app.query_params["rows"] == str(2 * ROWS_PER_PAGE), "the address keeps the length"
    assert identifiers_on_screen(app) == []


def test_a_searched_long_list_keeps_its_search_when_more_rows_are_shown(
    open_page: Opener, long_lists: Path
):
    app = open_page(COLLABS, root=long_lists, search="partnership")
    kept, _total = _count_line(app)
    assert kept > ROWS_PER_PAGE, "the generated partnerships fill more than a page"
    [table] = answer_tables(app)
    assert len(table.rows) == ROWS_PER_PAGE
    assert all("partnership" in name.lower() for name in column(table, "Name"))
    more = [(page, ps) for _label, page, ps in page_links(app, drawn=True) if "rows" in ps]
    wanted = {"search": "partnership", "rows": str(2 * ROWS_PER_PAGE)}
    assert more == [("collaborations", wanted)]
    app = open_page(COLLABS, root=long_lists, **wanted)
    assert _count_line(app)[0] == kept, "the next page keeps the search"
    [table] = answer_tables(app)
    assert len(table.rows) == min(kept, 2 * ROWS_PER_PAGE)
