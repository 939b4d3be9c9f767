"""The tester's reports on the Network page, the search box and a question's Find box, in a
real browser: the cap draws the shapes with the most links; search matches words from their
start; Find never leaves a choice selected that the list no longer shows."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import address, mark_tab, still_same_tab, wait_idle

pytestmark = pytest.mark.browser


def open_at(tab: Page, path: str, heading: str) -> None:
    tab.goto(f"/{path}")
    expect(tab.get_by_role("heading", name=heading, exact=True).first).to_be_visible(timeout=60_000)
    wait_idle(tab)


def _links_by_name(tab: Page) -> Counter[str]:
    """Each name's number of links, counted from the page's own links table."""
    rows = tab.evaluate(
        """() => Array.from(document.querySelectorAll('table.ck-answer tbody tr')).map(
            tr => [tr.children[0].textContent, tr.children[2].textContent])"""
    )
    degree: Counter[str] = Counter()
    for source, target in rows:
        degree[source] += 1
        degree[target] += 1
    return degree


def _drawn_names(tab: Page) -> set[str]:
    """The names of the shapes drawn (a shape's accessible name, or its tooltip, is its name
    then its kind)."""
    labels = tab.locator("svg.ck-net .ck-node").evaluate_all(
        """nodes => nodes.map(n => [n.getAttribute('aria-label') || '',
            n.querySelector('title').textContent])"""
    )
    return {aria.rsplit(", ", 1)[0] if aria else tip.rsplit(" (", 1)[0] for aria, tip in labels}


def test_the_network_draws_the_most_connected_as_it_says(tab: Page):
    """Regression: /network said "showing the 40 most connected" but drew shapes with one
    link (CIPFA) and left out shapes with two (Wigan council), counted from the links table
    at /network?cap=500."""
    open_at(tab, "network?cap=500", "Network")
    expect(tab.locator("svg.ck-net")).to_be_visible()
    degree = _links_by_name(tab)
    open_at(tab, "network", "Network")
    mark_tab(tab)
    expect(tab.get_by_text("showing the 40 most connected")).to_be_visible()
    expect(tab.locator("svg.ck-net")).to_be_visible()
    drawn = _drawn_names(tab)
    assert len(drawn) <= 40 and drawn <= set(degree), drawn - set(degree)
    left_out = set(degree) - drawn
    fewest = min(degree[name] for name in drawn)
    assert all(degree[name] <= fewest for name in left_out), sorted(
        (name, degree[name]) for name in left_out if degree[name] > fewest
    )
    # and the page says how it broke ties
    expect(tab.get_by_text("alphabetical order", exact=False).first).to_be_visible()
    still_same_tab(tab)


def _results(tab: Page, kind: str) -> list[str]:
    """The names listed under a kind's heading ("Collaborations (3)")."""
    heading = tab.get_by_role("heading", name=re.compile(rf"^{kind} \(\d+\)$"))
    if not heading.count():
        return []
    return heading.first.evaluate(
        """h => { let el = h.closest('[data-testid="stVerticalBlock"] > div') || h;
        let next = el.nextElementSibling;
        while (next && !next.querySelector('ul')) next = next.nextElementSibling;
        return next ? Array.from(next.querySelectorAll('li')).map(li => li.textContent) : []; }"""
    )


def test_search_matches_words_from_their_start(tab: Page):
    """Regression: /search?text=lab listed 15 of the 18 collaborations ("collaboration"
    holds "lab"); "GO Lab" listed Golden Key. A word finds words starting with it."""
    open_at(tab, "search", "Search")
    mark_tab(tab)
    box = tab.get_by_label("Search the graph")
    box.fill("collab")
    tab.keyboard.press("Enter")
    wait_idle(tab)
    assert address(tab)["text"] == ["collab"]
    expect(tab.get_by_role("heading", name=re.compile(r"^Collaborations \(\d+\)$"))).to_be_visible()
    found = _results(tab, "Collaborations")
    assert any("collaboration" in name.lower() for name in found), found
    tab.get_by_label("Search the graph").fill("lab")
    tab.keyboard.press("Enter")
    wait_idle(tab)
    assert address(tab)["text"] == ["lab"]
    expect(tab.get_by_text(re.compile(r"^Found: "))).to_be_visible()
    for name in _results(tab, "Collaborations"):
        assert re.search(r"\blab", name.lower()), f"{name} has no word starting 'lab'"
    tab.get_by_label("Search the graph").fill("GO Lab")
    tab.keyboard.press("Enter")
    wait_idle(tab)
    main = tab.locator('[data-testid="stMain"]').inner_text()
    assert "Government Outcomes Lab" in main
    assert "Golden Key" not in main
    still_same_tab(tab)


def test_search_finds_a_funding_stream_and_opens_its_evidence(tab: Page):
    """Regression: "Sure Start funding" found nothing, though answers show "The funding
    stream for the Sure Start project…"; its link opens the evidence for it."""
    open_at(tab, "search?text=Sure+Start+funding", "Search")
    mark_tab(tab)
    expect(
        tab.get_by_role("heading", name=re.compile(r"^Funding streams \(\d+\)$"))
    ).to_be_visible()
    link = tab.get_by_role("link", name=re.compile(r"^The funding stream for the Sure Start"))
    link.first.click()
    wait_idle(tab)
    assert address(tab).get("q") == ["evidence-for"]
    expect(tab.locator('[data-testid="stMain"]')).to_contain_text(
        "The funding stream for the Sure Start"
    )
    still_same_tab(tab)


def test_find_never_leaves_a_choice_the_list_no_longer_shows(tab: Page):
    """Regression: on /questions?q=evidence-for, "Plymouth" in the Find box then Find
    narrowed the list to the Plymouth names, but "The Wigan Deal 2030" stayed selected and
    "Show the answer" answered for it again."""
    open_at(
        tab,
        "questions?q=evidence-for",
        "What is the evidence behind what the graph says about something?",
    )
    mark_tab(tab)
    choice = tab.locator("select#ck-param-entity")
    before = choice.evaluate("s => s.options[s.selectedIndex].textContent")
    assert before and "plymouth" not in before.lower()
    tab.get_by_role("searchbox", name=re.compile("by name")).fill("Plymouth")
    tab.get_by_role("button", name="Find").click()
    wait_idle(tab)
    assert address(tab)["find-entity"] == ["Plymouth"]
    labels = [t.strip() for t in choice.locator("option:not([disabled])").all_inner_texts()]
    assert labels and all("plymouth" in t.lower() for t in labels), labels
    selected = choice.evaluate("s => s.options[s.selectedIndex].textContent")
    assert selected.startswith("Choose"), selected
    assert "entity" not in address(tab)
    main = tab.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("to see the answer")
    assert not tab.locator("table.ck-answer").count(), "no answer for a name not listed"
    # a reload of that address shows the same: nothing chosen, no answer
    tab.reload()
    wait_idle(tab)
    mark_tab(tab)
    expect(choice).to_be_visible()
    selected = choice.evaluate("s => s.options[s.selectedIndex].textContent")
    assert selected.startswith("Choose"), selected
    assert not tab.locator("table.ck-answer").count()
    # a name found is chosen and answered
    choice.select_option(label=labels[0])
    tab.get_by_role("button", name="Show the answer").click()
    wait_idle(tab)
    expect(tab.locator("table.ck-answer")).to_be_visible()
    assert address(tab)["entity"][0].startswith("ckd:")
    selected = choice.evaluate("s => s.options[s.selectedIndex].textContent")
    assert selected.strip() == labels[0]
    still_same_tab(tab)


@pytest.mark.parametrize("path", ["network", "network?cap=500"])
def test_the_names_drawn_do_not_overlap_and_parallel_links_are_apart(tab: Page, path: str):
    """Regression: in Chromium, names printed on top of each other ("PCTs (local
    statutory bodies…)", "Central Government departments…", "local councils…"), and the
    "funds" link between Central Government and the PCTs was hidden under the "accountable
    to" link. Measured as the browser draws them: no two names shown overlap, and links
    between the same two shapes are drawn along different paths."""
    open_at(tab, path, "Network")
    expect(tab.locator("svg.ck-net")).to_be_visible()
    boxes = tab.locator("svg.ck-net text.ck-label:not(.ck-label-hidden)").evaluate_all(
        """texts => texts.map(t => { const b = t.getBBox();
            return [b.x, b.y, b.x + b.width, b.y + b.height, t.textContent]; })"""
    )
    assert boxes
    overlapping = [
        (a[4], b[4])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5
    ]
    assert not overlapping, overlapping
    # the middle of each link, by the two shapes it joins
    links = tab.locator("svg.ck-net .ck-link").evaluate_all(
        """links => links.map(l => { const p = l.getPointAtLength(l.getTotalLength() / 2);
            return [l.getAttribute('data-pair'), p.x, p.y]; })"""
    )
    by_pair: dict[str, list[tuple[float, float]]] = {}
    for pair, x, y in links:
        by_pair.setdefault(pair, []).append((x, y))
    assert any(len(middles) > 1 for middles in by_pair.values()) or path == "network"
    for pair, middles in by_pair.items():
        for i, a in enumerate(middles):
            for b in middles[i + 1 :]:
                assert math.dist(a, b) >= 8, f"two links of {pair} drawn on one line"
