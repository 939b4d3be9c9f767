"""The explorer on a generated project larger than a page of any list (issue 19: a person
never needs 11,000 rows at once): long lists shown a page at a time, and a choice among
thousands of names found by name, in a real browser, in the same tab."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import ARTEFACTS, address, mark_tab, still_same_tab, wait_idle
from tests.support.browser_chromium import APP, CHROMIUM, streamlit_server
from tests.support.synthetic import generate

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def large_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    root: Path = tmp_path_factory.mktemp("large") / "project"
    generate.generate(root, 40_000)
    with streamlit_server(APP, root, ARTEFACTS / "streamlit-server-large.log") as url:
        yield url


@pytest.fixture
def large_tab(chromium, large_url: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, base_url=large_url)
    context.set_default_timeout(60_000)
    tab = context.new_page()
    yield tab
    context.close()


def _open(tab: Page, path: str, heading: str) -> None:
    tab.goto(f"/{path}")
    expect(tab.get_by_role("heading", name=heading, exact=True).first).to_be_visible(
        timeout=120_000
    )
    wait_idle(tab)


def test_a_long_list_shows_more_rows_in_the_same_tab_and_a_reload_keeps_them(large_tab: Page):
    tab = large_tab
    _open(tab, "collaborations", "Collaborations")
    rows = tab.locator("table.ck-answer tbody tr")
    expect(rows).to_have_count(100)
    expect(tab.get_by_text(re.compile(r"Rows 1–100 of \d+"))).to_be_visible()
    mark_tab(tab)
    tab.get_by_role("link", name="Show 100 more rows").click()
    wait_idle(tab)
    expect(rows).to_have_count(200)
    assert address(tab)["rows"] == ["200"]
    still_same_tab(tab)
    tab.reload()
    wait_idle(tab)
    expect(rows).to_have_count(200)


def test_a_choice_among_thousands_is_found_by_name_and_answered(large_tab: Page):
    tab = large_tab
    _open(
        tab,
        "questions?q=evidence-for",
        "What is the evidence behind what the graph says about something?",
    )
    mark_tab(tab)
    box = tab.get_by_role("searchbox", name=re.compile("by name"))
    box.fill("partnership 12")
    tab.get_by_role("button", name="Find").click()
    wait_idle(tab)
    assert address(tab)["find-entity"] == ["partnership 12"]
    choice = tab.locator("select#ck-param-entity")
    labels = [t.strip() for t in choice.locator("option:not([disabled])").all_inner_texts()]
    assert labels and all("partnership 12" in t.lower() for t in labels)
    choice.select_option(label=labels[0])
    tab.get_by_role("button", name="Show the answer").click()
    wait_idle(tab)
    assert address(tab)["entity"][0].startswith("ckd:")
    expect(tab.locator("table.ck-answer")).to_be_visible()
    still_same_tab(tab)
