"""The tester's reports on the Network page, the search box and a question's Find box, in a
real browser: the cap draws the shapes with the most links; search matches words from their
start; Find never leaves a choice selected that the list no longer shows."""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import mark_tab, still_same_tab, wait_idle

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
