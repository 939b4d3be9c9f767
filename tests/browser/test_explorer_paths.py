"""The explorer's main paths in a real browser: the address always reopens what is on screen,
links stay in the same tab, charts and the network tell the truth in labels, the source page
and search, and each page is titled, ordered and usable on a phone.

Every path starts where a newcomer would: the Questions list, a list page, the search box.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from collabkg.catalogue import Catalogue
from collabkg.sources import texts_folder
from tests.support.browser import (
    DATA_ROOT,
    address,
    mark_tab,
    screenshot,
    still_same_tab,
    wait_idle,
)

pytestmark = pytest.mark.browser

CATALOGUE = Catalogue.load(DATA_ROOT)
CHARTED = [q.id for q in CATALOGUE if not q.internal and q.chart is not None]
_IDENTIFIER = re.compile(r"https?://|\bckd:[a-z]|\bckc:[a-z]|\?id=")


def open_at(tab: Page, path: str, heading: str) -> None:
    tab.goto(f"/{path}")
    expect(tab.get_by_role("heading", name=heading, exact=True).first).to_be_visible(timeout=60_000)
    wait_idle(tab)


def main_text(tab: Page) -> str:
    return tab.locator('[data-testid="stMain"]').inner_text()


def views_nav(tab: Page):  # type: ignore[no-untyped-def]
    """The question's "Show as" links (a view per link; the one shown is marked current)."""
    return tab.get_by_role("navigation", name="Show as")


def test_a_question_opened_from_the_questions_list_keeps_its_place(tab: Page):
    """Regression: from the Questions list the address stayed /questions, so the next click
    (Row by row, Chart, Download CSV) threw the user back to the list."""
    open_at(tab, "questions", "Questions")
    question = CATALOGUE.get("rationales")
    tab.get_by_role("link", name=question.summary).first.click()
    expect(tab.get_by_role("heading", name=question.summary)).to_be_visible(timeout=30_000)
    wait_idle(tab)
    expect(tab).to_have_url(re.compile(r"/questions\?q=rationales"))
    for view, shown in (("Row by row", "list"), ("Table", "table"), ("Chart", None)):
        views_nav(tab).get_by_role("link", name=view, exact=True).click()
        wait_idle(tab)
        expect(tab.get_by_role("heading", name=question.summary)).to_be_visible()
        assert address(tab)["q"] == ["rationales"]
        if shown and shown != question.default_view:
            assert address(tab)["view"] == [shown]
    with tab.expect_download():
        tab.get_by_role("link", name="Download CSV").click()
    wait_idle(tab)
    expect(tab.get_by_role("heading", name=question.summary)).to_be_visible()
    views_nav(tab).get_by_role("link", name="Row by row", exact=True).click()
    wait_idle(tab)
    kept = tab.url
    tab.reload()
    expect(tab.get_by_role("heading", name=question.summary)).to_be_visible(timeout=60_000)
    wait_idle(tab)
    assert tab.url == kept
    expect(views_nav(tab).locator('[aria-current="page"]')).to_have_text("Row by row")
    screenshot(tab, "path-questions-list-row-by-row")


def test_a_question_with_a_choice_from_the_list_keeps_choice_and_view(tab: Page):
    open_at(tab, "questions", "Questions")
    question = CATALOGUE.get("collaboration-profile")
    tab.get_by_role("link", name=question.summary).first.click()
    expect(tab.get_by_role("heading", name=question.summary)).to_be_visible(timeout=30_000)
    wait_idle(tab)
    box = tab.get_by_role("combobox", name="Collaboration")
    box.select_option(label="Plymouth Alliance Contract")
    box.focus()
    tab.keyboard.press("Tab")  # to the form's button, and submit it from the keyboard
    expect(tab.get_by_role("button", name="Show the answer")).to_be_focused()
    tab.keyboard.press("Enter")
    wait_idle(tab)
    expect(tab.locator("table.ck-answer")).to_contain_text("Plymouth")
    views_nav(tab).get_by_role("link", name="Row by row", exact=True).click()
    wait_idle(tab)
    assert address(tab)["collaboration"] == ["ckd:plymouth-alliance-contract"]
    assert address(tab)["view"] == ["list"]
    tab.goto(tab.url)  # the permalink, opened fresh
    box = tab.get_by_role("combobox", name="Collaboration")
    expect(box.locator("option:checked")).to_have_text("Plymouth Alliance Contract", timeout=60_000)
    wait_idle(tab)
    assert "Plymouth Alliance Contract" in main_text(tab)


def test_a_broken_choice_in_a_link_never_answers_for_another(tab: Page):
    open_at(
        tab,
        "questions?q=accountability-chain&organisation=ckd:no-such-organisation",
        CATALOGUE.get("accountability-chain").summary,
    )
    expect(tab.get_by_text("not in the graph")).to_be_visible()
    assert "Download CSV" not in main_text(tab), "no answer for a different organisation"


def test_links_between_pages_stay_in_the_same_tab(tab: Page):
    open_at(tab, "collaborations?id=ckd:plymouth-alliance-contract", "Plymouth Alliance Contract")
    mark_tab(tab)
    # a name inside a fact, then the source of a quotation (both links in drawn HTML)
    link = tab.locator('[data-testid="stMain"] .ck-card-main a[href*="organisations?id="]')
    link = link.filter(has_text=re.compile(r"\w"))
    name = link.first.inner_text()
    link.first.click()
    expect(tab.get_by_role("heading", name=name, exact=True).first).to_be_visible(timeout=30_000)
    wait_idle(tab)
    still_same_tab(tab)
    assert "/organisations?id=" in tab.url
    tab.locator('.ck-src a[href*="sources?id="]').filter(visible=True).first.click()
    expect(tab.locator("h1").first).not_to_have_text(name, timeout=30_000)
    wait_idle(tab)
    still_same_tab(tab)
    assert "/sources?id=" in tab.url
    tab.go_back()
    expect(tab.get_by_role("heading", name=name, exact=True).first).to_be_visible(timeout=30_000)
    still_same_tab(tab)


def test_a_name_in_the_list_opens_the_profile_in_the_same_tab(tab: Page):
    """Regression: every name link in a table opened a new tab with a full reload (and the
    table's text for screen readers was the raw link)."""
    open_at(tab, "collaborations", "Collaborations")
    mark_tab(tab)
    table = tab.locator("table.ck-answer")
    expect(table).to_contain_text("Plymouth Alliance Contract")
    assert "?id=" not in table.inner_text() and "ckd" not in table.inner_text()
    table.get_by_role("link", name="Plymouth Alliance Contract", exact=True).click()
    expect(tab).to_have_url(re.compile(r"/collaborations\?id=ckd"), timeout=30_000)
    expect(tab.get_by_role("heading", name="Plymouth Alliance Contract")).to_be_visible()
    wait_idle(tab)
    expect(tab.get_by_text("recorded facts")).to_be_visible()
    still_same_tab(tab)


@pytest.mark.parametrize("query_id", CHARTED)
def test_the_chart_of_every_chartable_question(tab: Page, query_id: str):
    query = CATALOGUE.get(query_id)
    open_at(tab, f"questions?q={query_id}&view=chart", query.summary)
    chart = tab.locator("table.ck-bars")
    expect(chart).to_be_visible()
    assert query.chart is not None
    expect(chart.locator("caption")).to_contain_text(query.chart.label)
    bars = chart.locator("tbody tr")
    assert bars.count() >= 1, "a one-row answer draws its bar too"
    widths = chart.locator(".ck-bar").evaluate_all("bars => bars.map(b => b.offsetWidth)")
    assert max(widths) > 0, "a chart whose bars are all empty"
    # every bar is named and numbered in words: the chart is its own text alternative
    for row in bars.all():
        assert row.locator("th").inner_text().strip()
        assert row.locator(".ck-bar-value").inner_text().strip()
    assert _IDENTIFIER.findall(main_text(tab)) == []
    screenshot(tab, f"chart-{query_id}")


def test_the_network_panel_names_things_and_the_cap_is_kept(tab: Page):
    """Regressions: clicking a node showed its IRI and internal field names; "show at most
    10" drew 7; names were about 6 px. The drawing is now a picture drawn on the server:
    each shape a link named by its name and kind, the selection and filters in the address."""
    open_at(tab, "network?cap=12", "Network")
    mark_tab(tab)
    expect(tab.get_by_text("showing the 12 most connected")).to_be_visible()
    shapes = tab.locator("svg.ck-net a.ck-node")
    assert shapes.count() == 12
    # names drawn at a readable size on screen
    size = tab.evaluate(
        """() => { const text = document.querySelector('svg.ck-net text');
        return text.getBoundingClientRect().height; }"""
    )
    assert size >= 9, f"names drawn {size:.1f} px high"
    # select a shape with the keyboard: its panel names it and its links, in words
    name = shapes.first.get_attribute("aria-label") or ""
    label = name.rsplit(", ", 1)[0]
    shapes.first.focus()
    tab.keyboard.press("Enter")
    expect(tab.get_by_role("heading", name=label, exact=True)).to_be_visible(timeout=30_000)
    wait_idle(tab)
    assert address(tab).get("node"), "the selection is in the address"
    panel_box = tab.locator("section.ck-panel")
    expect(panel_box).to_be_in_viewport()  # brought into view, and focused for the keyboard
    expect(panel_box).to_be_focused()
    panel = tab.locator("section.ck-panel").inner_text()
    assert "Links in this drawing" in panel
    assert not re.search(r"https?://|\bckd:|\bfull_name\b|^id$", panel, re.M), panel
    still_same_tab(tab)
    # the filters are a form whose submission is the address: reopening it draws the same
    tab.get_by_role("checkbox", name="Funds").uncheck()
    tab.get_by_role("button", name="Apply").click()
    wait_idle(tab)
    assert "funds" not in address(tab).get("relation", [])
    assert address(tab).get("relation"), "the relations kept are named in the address"
    still_same_tab(tab)
    kept = tab.url
    tab.goto(kept)
    wait_idle(tab)
    expect(tab.get_by_role("checkbox", name="Funds")).not_to_be_checked()
    expect(tab.get_by_role("checkbox", name="Member of")).to_be_checked()
    expect(tab.get_by_text("showing the 12 most connected")).to_be_visible()
    assert tab.url == kept
    screenshot(tab, "path-network-panel")


def test_a_shape_opens_its_profile_from_the_panel_in_the_same_tab(tab: Page):
    open_at(tab, "network?cap=1000&node=ckd:wigan-council", "Network")
    mark_tab(tab)
    expect(tab.locator("section.ck-panel")).to_contain_text("Wigan council")
    tab.get_by_role("link", name="Open the profile of Wigan council").first.click()
    expect(tab.get_by_role("heading", name="Wigan council", exact=True)).to_be_visible(
        timeout=30_000
    )
    expect(tab).to_have_url(re.compile(r"/organisations\?id=ckd"))
    still_same_tab(tab)


def test_a_question_choice_is_a_form_kept_in_the_address(tab: Page):
    """The choices of a question are one HTML form (no widget script to load); choosing
    changes the address in the same tab, and the address reopens the same answer."""
    question = CATALOGUE.get("collaboration-profile")
    open_at(tab, "questions?q=collaboration-profile", question.summary)
    mark_tab(tab)
    box = tab.get_by_label("Collaboration", exact=True)
    expect(box).to_be_visible()
    box.select_option(label="Plymouth Alliance Contract")
    tab.get_by_role("button", name="Show the answer").click()
    wait_idle(tab)
    assert address(tab)["collaboration"] == ["ckd:plymouth-alliance-contract"]
    assert address(tab)["q"] == ["collaboration-profile"]
    expect(tab.locator("table.ck-answer")).to_contain_text("Plymouth")
    still_same_tab(tab)
    kept = tab.url
    tab.reload()
    wait_idle(tab)
    expect(tab.get_by_label("Collaboration", exact=True)).to_have_value(
        "ckd:plymouth-alliance-contract"
    )
    assert tab.url == kept


def test_list_filters_survive_a_reload(tab: Page):
    open_at(tab, "collaborations", "Collaborations")
    mark_tab(tab)
    tab.get_by_role("searchbox", name="Search").fill("council")
    tab.keyboard.press("Enter")
    wait_idle(tab)
    assert address(tab)["search"] == ["council"]
    shown = tab.get_by_text(re.compile(r"\d+ of \d+ collaborations")).inner_text()
    tab.locator("details.ck-filter summary", has_text="Structure type").click()  # opens its boxes
    tab.get_by_role("checkbox", name="Collaborative council").check()
    tab.get_by_role("button", name="Apply").click()
    wait_idle(tab)
    assert address(tab)["structure"] == ["Collaborative council"]
    assert address(tab)["search"] == ["council"]
    still_same_tab(tab)  # the form changed the address without reloading the app
    narrowed = tab.get_by_text(re.compile(r"\d+ of \d+ collaborations")).inner_text()
    tab.reload()
    wait_idle(tab)
    expect(tab.get_by_role("searchbox", name="Search")).to_have_value("council", timeout=30_000)
    expect(tab.get_by_role("checkbox", name="Collaborative council")).to_be_checked()
    expect(tab.get_by_text(narrowed)).to_be_visible()
    assert shown


def test_a_searched_list_downloads_the_rows_it_counts(tab: Page):
    """The list's download link carries its search and filters: the file has every row the
    page counts (streamed by the server's route), and the page keeps its place."""
    import csv
    import io
    from pathlib import Path

    open_at(tab, "collaborations?search=council", "Collaborations")
    counted = tab.get_by_text(re.compile(r"\d+ of \d+ collaborations")).inner_text()
    count = int(counted.split(" of ")[0])
    assert count > 0
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name=re.compile(r"^Download the \d+ collaboration")).click()
    download = download_info.value
    assert download.suggested_filename == "collaborations.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == count
    assert all(row["Name"] for row in rows)
    wait_idle(tab)
    assert address(tab)["search"] == ["council"], "the page keeps its place"


def test_search_finds_and_leads_to_a_profile(tab: Page):
    open_at(tab, "search", "Search")
    mark_tab(tab)
    tab.get_by_label("Search the graph").fill("wigan")
    tab.keyboard.press("Enter")
    wait_idle(tab)
    for kind in ("Collaborations", "Organisations", "Places", "Quotations"):
        expect(tab.get_by_role("heading", name=re.compile(rf"^{kind} \(\d+\)"))).to_be_visible()
    assert address(tab)["text"] == ["wigan"]
    tab.get_by_role("link", name="Wigan council", exact=True).click()
    expect(tab.get_by_role("heading", name="Wigan council")).to_be_visible(timeout=30_000)
    still_same_tab(tab)
    screenshot(tab, "path-search")


def test_the_source_page_shows_each_quotation_in_its_passage(tab: Page):
    open_at(tab, "sources", "Sources")
    source = "Findings from Are We Rallying Together?"
    tab.get_by_role("link", name=source).click()
    expect(tab.get_by_role("heading", name=source)).to_be_visible(timeout=30_000)
    wait_idle(tab)
    expect(tab.get_by_text(re.compile(r"\d+ facts"))).to_be_visible()
    marks = tab.locator(".ck-quote mark")
    expect(marks.first).to_be_visible()
    # the source's own words may print a web address (its references): those are text, not
    # identifiers; nothing else on the page may show one
    text = (texts_folder(DATA_ROOT) / "001_7dac589254d6b202.txt").read_text(encoding="utf-8")
    own_words = re.sub(r"\s+", " ", text)
    shown = main_text(tab)
    for url in set(re.findall(r"https?://[^\s)\]]+", shown)):
        if url.rstrip(".,;:") in own_words:
            shown = shown.replace(url, " ")
    assert [shown[max(0, m.start() - 80) : m.end() + 40] for m in _IDENTIFIER.finditer(shown)] == []
    assert "sources?id=ckd" in tab.url.replace("%3A", ":")
    screenshot(tab, "path-source-page")


def test_a_sparql_permalink_reruns_its_query(tab: Page):
    query = "SELECT ?org WHERE { ?org a ck:LocalAuthority } ORDER BY ?org LIMIT 3"
    from urllib.parse import quote

    open_at(tab, f"sparql?query={quote(query)}&run=1", "SPARQL")
    expect(tab.get_by_text("3 rows.")).to_be_visible()
    expect(tab.get_by_label("Query")).to_have_value(query)


def test_a_query_too_long_for_an_address_got_the_servers_bare_400(tab: Page):
    """A SPARQL text of over about 128 KB made an address the server refuses: a reload (or
    a shared link) got the browser's bare "HTTP ERROR 400". The form stops it now, says why
    and what to do, and sends nothing."""
    open_at(tab, "sparql", "SPARQL")
    before = tab.url
    long_query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 110_000
    tab.get_by_label("Query").fill(long_query)
    tab.get_by_role("button", name="Run query").click()
    said = tab.locator(".ck-too-long")
    expect(said).to_contain_text("This is too long to send")
    expect(said).to_contain_text("collabkg query that-file.rq")
    assert tab.url == before  # nothing sent: the page and its address are as they were
    # shortened, it runs, and the message goes
    tab.get_by_label("Query").fill("SELECT ?org WHERE { ?org a ck:LocalAuthority } LIMIT 2")
    tab.get_by_role("button", name="Run query").click()
    expect(tab.get_by_text("2 rows.")).to_be_visible(timeout=30_000)
    expect(tab.locator(".ck-too-long")).to_have_count(0)


PAGES_TO_TITLE = {
    "": "Collaborations in public services",
    "questions": "Questions",
    "collaborations": "Collaborations",
    "organisations": "Organisations",
    "network": "Network",
    "sources": "Sources",
    "search": "Search",
    "check": "Check a case file",
    "sparql": "SPARQL",
}


def test_each_page_has_its_own_title_and_ordered_headings(tab: Page):
    titles = set()
    for path, heading in PAGES_TO_TITLE.items():
        open_at(tab, path, heading)
        titles.add(tab.title())
        levels = tab.evaluate(
            """() => [...document.querySelectorAll('[data-testid="stMain"] h1, '
                + '[data-testid="stMain"] h2, [data-testid="stMain"] h3')]
                .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]))"""
        )
        assert levels[0] == 1, (path, levels)
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{path or 'home'}: heading H{before} then H{after}"
    assert len(titles) == len(PAGES_TO_TITLE), titles


def test_keyboard_focus_on_a_question_link_is_visible(tab: Page):
    open_at(tab, "questions", "Questions")
    link = tab.get_by_role("link", name=CATALOGUE.get("rationales").summary).first
    link.focus()
    tab.keyboard.press("Shift+Tab")
    tab.keyboard.press("Tab")
    outline = link.evaluate(
        "a => getComputedStyle(a).outlineStyle + ' ' + getComputedStyle(a).outlineWidth"
    )
    assert not outline.startswith("none"), outline


def test_usable_on_a_375_pixel_screen(tab: Page):
    tab.set_viewport_size({"width": 375, "height": 800})
    query = CATALOGUE.get("accountable-for-transferred-assets")
    open_at(tab, f"questions?q={query.id}&view=list", query.summary)
    text = main_text(tab)
    for column in ("Accountable", "Mechanism", "Asset"):
        assert column in text, column
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 2, f"the page is {width} px wide: it scrolls sideways"
    screenshot(tab, "path-375px-row-by-row")


def test_at_375_pixels_the_answer_table_reads_row_by_row(tab: Page):
    """Regression: at 375 px the answer table showed 2 of 10 columns; now each row is a card
    whose lines name their column, with every value whole."""
    tab.set_viewport_size({"width": 375, "height": 800})
    query = CATALOGUE.get("accountable-for-transferred-assets")
    open_at(tab, f"questions?q={query.id}", query.summary)
    table = tab.locator("table.ck-answer")
    expect(table).to_be_visible()
    first = table.locator("tbody tr").first
    cells = first.locator("td")
    assert cells.count() >= 2
    for number in range(cells.count()):
        cell = cells.nth(number)
        label = cell.get_attribute("data-label")
        before = cell.evaluate("(td) => getComputedStyle(td, '::before').content")
        assert label and label in before, (label, before)
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375 + 1, "a cell is cut at the right"
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 2, f"the page is {width} px wide: it scrolls sideways"
    screenshot(tab, "path-375px-table-cards")


def test_answer_cells_are_shown_whole_and_names_open_in_the_same_tab(tab: Page):
    """Regression: multi-line cells were clipped to five lines in the grid, and table names
    were raw links opening a new tab."""
    query = CATALOGUE.get("barriers")  # long quotations
    open_at(tab, f"questions?q={query.id}", query.summary)
    table = tab.locator("table.ck-answer")
    expect(table).to_be_visible()
    clipped = table.evaluate(
        """(t) => [...t.querySelectorAll('td')].filter(
            td => td.scrollHeight > td.clientHeight + 1 || td.scrollWidth > td.clientWidth + 1
        ).length"""
    )
    assert clipped == 0, f"{clipped} cells cut"
    assert "?id=" not in table.inner_text()
    query = CATALOGUE.get("collaborations-by-structure-type")  # names with profiles
    open_at(tab, f"questions?q={query.id}", query.summary)
    mark_tab(tab)
    link = tab.locator('table.ck-answer a[href*="?id="]').first
    name = link.inner_text()
    link.click()
    expect(tab.get_by_role("heading", name=name, exact=True).first).to_be_visible(timeout=30_000)
    wait_idle(tab)
    still_same_tab(tab)


def test_every_page_is_reached_from_the_navigation_in_the_same_tab(tab: Page):
    """The explorer's own navigation (one line of links in place of Streamlit's sidebar,
    which cost every new tab about 0.1 s of the browser's CPU): on every page it lists every
    page, marks the one shown, and each link opens its page in the same tab without a
    reload; at 375 px it wraps instead of widening the page."""
    open_at(tab, "", PAGES_TO_TITLE[""])
    mark_tab(tab)
    nav = tab.get_by_role("navigation", name="Explorer pages")
    expect(nav).to_be_visible()
    for path, heading in PAGES_TO_TITLE.items():
        if not path:
            continue
        link = nav.get_by_role("link", name=heading, exact=False).first
        link.click()
        expect(tab.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
            timeout=60_000
        )
        still_same_tab(tab)
        assert tab.url.rstrip("/").endswith(f"/{path}"), tab.url
        # the mark moves with the page's navigation, drawn by the same run as the heading:
        # waited for (read at once, it was still on the page before in one CI run)
        expect(nav.locator(f'a[aria-current="page"][href="{path}"]')).to_have_count(1)
        expect(nav.locator('a[aria-current="page"]')).to_have_count(1)
    nav.get_by_role("link", name="Home", exact=True).click()
    expect(tab.get_by_role("heading", name=PAGES_TO_TITLE[""]).first).to_be_visible()
    still_same_tab(tab)
    tab.set_viewport_size({"width": 375, "height": 800})
    open_at(tab, "questions", "Questions")
    expect(tab.get_by_role("navigation", name="Explorer pages")).to_be_visible()
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375 + 2, f"the page is {width} px wide: it scrolls sideways"


def test_the_last_group_of_a_long_source_page_is_reached_by_its_link(tab: Page):
    """The source page is one HTML element now: the jump link to its last group still lands
    on it, with its facts shown there. (Regression: drawing far facts only when near the
    screen, ``content-visibility: auto``, made this link land a screen too far.)"""
    open_at(tab, "sources?id=ckd:src-golab-blog-2019", "Findings from Are We Rallying Together?")
    jumps = tab.locator('[data-testid="stMain"] a[href^="#group-"]')
    assert jumps.count() >= 3
    last = jumps.nth(jumps.count() - 1)
    anchor = (last.get_attribute("href") or "").lstrip("#")
    last.click()
    heading = tab.locator(f"h2#{anchor}")
    expect(heading).to_be_in_viewport()
    fact = tab.locator(f"h2#{anchor} + .ck-fact, h2#{anchor} ~ .ck-fact").first
    expect(fact).to_be_visible()
    expect(fact).to_be_in_viewport()
    title = fact.locator(".ck-fact-title").inner_text().strip()
    assert title and title in main_text(tab)
