"""Every link the explorer draws between its pages opens in the same tab (and Back returns),
no heading carries a "Link to heading" tab stop, and no page scrolls sideways at 375 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import mark_tab, still_same_tab, wait_idle

pytestmark = pytest.mark.browser

PAGES = {
    "": "Collaborations in public services",
    "questions": "Questions",
    "questions?q=barriers": None,
    "collaborations": "Collaborations",
    "collaborations?id=ckd:wigan-collaborative-council": None,
    "organisations": "Organisations",
    "organisations?id=ckd:wigan-council": None,
    "network": "Network",
    "sources": "Sources",
    "sources?id=ckd:src-rallying-together-pmm": None,
    "search?text=wigan": "Search",
    "check": "Check a case file",
    "sparql": "SPARQL",
}
"""Each page (the lists, a question, a profile of each kind, a source, a search) with its
heading where it is known beforehand."""

_IN_APP_TARGETS = """() => [...document.querySelectorAll('[data-testid="stMain"] a[href]')]
    .filter(a => !['', '_self', '_top', '_parent'].includes(a.getAttribute('target') || ''))
    .map(a => new URL(a.getAttribute('href'), location.href))
    .filter(u => u.origin === location.origin && !u.pathname.startsWith('/download'))
    .map(u => u.pathname + u.search)"""


def open_page(tab: Page, path: str) -> None:
    tab.goto(f"/{path}")
    expect(tab.locator('[data-testid="stMain"] h1').first).to_be_visible(timeout=60_000)
    wait_idle(tab)
    heading = PAGES.get(path)
    if heading:
        expect(tab.locator('[data-testid="stMain"] h1').first).to_have_text(heading)


def follow(tab: Page, link, path: str) -> None:  # type: ignore[no-untyped-def]
    """Click ``link`` on ``path``: the address changes in the same tab (no new tab, no
    reload), and Back returns to ``path``."""
    before = tab.url
    mark_tab(tab)
    link.click()
    tab.wait_for_function("(before) => location.href !== before", arg=before, timeout=30_000)
    wait_idle(tab)
    still_same_tab(tab)
    assert tab.url != before
    tab.go_back()
    tab.wait_for_function("(before) => location.href === before", arg=before, timeout=30_000)
    wait_idle(tab)
    still_same_tab(tab)
    expect(tab.locator('[data-testid="stMain"] h1').first).to_be_visible()


def main_link(tab: Page, name: str | re.Pattern[str]):  # type: ignore[no-untyped-def]
    return tab.locator('[data-testid="stMain"]').get_by_role("link", name=name).first


def test_links_between_pages_drawn_with_target_blank_opened_a_new_tab(tab: Page):
    """Regression: Home's question links, "All questions", "The table behind this chart" and
    its source links, the "All ..." links above questions, profiles and sources, the list
    of sources and the search results were Markdown links, drawn with target="_blank": a
    click opened a second tab (Back did nothing). No link to a page of the explorer carries
    a target now, and each kind, clicked, changes the address in the same tab."""
    for path in PAGES:
        open_page(tab, path)
        assert tab.evaluate(_IN_APP_TARGETS) == [], f"/{path}: links that open a new tab"
    clicks = {
        "": [
            "Who is accountable for transferred assets?",
            "All questions",
            "The table behind this chart",
            re.compile("^Rallying together"),
        ],
        "questions?q=barriers": ["All questions"],
        "collaborations?id=ckd:wigan-collaborative-council": ["All collaborations"],
        "organisations?id=ckd:wigan-council": ["All organisations"],
        "sources": [re.compile("^Rallying together")],
        "sources?id=ckd:src-rallying-together-pmm": ["All sources"],
    }
    for path, names in clicks.items():
        for name in names:
            open_page(tab, path)
            follow(tab, main_link(tab, name), path)
    open_page(tab, "search?text=wigan")
    result = tab.locator('[data-testid="stMain"] a[href*="?id="]').first
    follow(tab, result, "search?text=wigan")


def test_every_heading_had_a_link_to_heading_tab_stop(tab: Page):
    """Regression: every heading had a tab stop named only "Link to heading" (Streamlit's
    anchor). Keyboard users now tab through the page's own links only; headings stay."""
    for path in PAGES:
        open_page(tab, path)
        expect(tab.get_by_role("link", name="Link to heading")).to_have_count(0)
        assert tab.locator('[data-testid="stMain"] h1').count() == 1


def test_at_375_pixels_home_scrolled_sideways_as_a_whole(tab: Page):
    """Regression: at 375 px Home's co-creation table (422 px) made the whole page scroll
    sideways. A wide table scrolls in a box of its own (named for screen readers); no page
    is wider than the screen."""
    tab.set_viewport_size({"width": 375, "height": 800})
    for path in PAGES:
        open_page(tab, path)
        widths = tab.evaluate(
            """() => {
                const main = document.querySelector('[data-testid="stMain"]');
                return [document.scrollingElement.scrollWidth, window.innerWidth,
                        main.scrollWidth, main.clientWidth];
            }"""
        )
        page, screen, main, shown = widths
        assert page <= screen, f"/{path}: the page is {page} px wide on a {screen} px screen"
        assert main <= shown, f"/{path}: the page scrolls sideways ({main} px in {shown} px)"
    open_page(tab, "")
    box = tab.locator(".ck-scroll").filter(has=tab.locator("table.ck-matrix"))
    expect(box).to_have_attribute("role", "region")
    assert "Co-creation" in (box.get_attribute("aria-label") or "")
