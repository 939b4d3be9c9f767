"""The explorer in a real browser (Chromium from Debian, driven by Playwright).

A policy user's path: open every page, ask "Who is accountable for transferred assets?",
download the answer, follow a result to a profile and read the quotation, reopen an answer
from its permalink, and check a broken case file. Screenshots of every page go to
test-artefacts/ (git-ignored) for review.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from collabkg.catalogue import Catalogue
from tests.support.browser import DATA_ROOT, screenshot
from tests.support.browser import wait_idle as settled


def cli_output(*args: str) -> str:
    """What ``collabkg --root DATA_ROOT ARGS`` prints (in a process of its own, as run by hand)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "collabkg", "--root", str(DATA_ROOT), *args],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return done.stdout

PAGES = {
    # name: (address, heading, text shown once the page has its data)
    "home": ("", "Collaborations in public services", "Where the data comes from"),
    "questions": ("questions", "Questions", "Who is accountable for transferred assets?"),
    "collaborations": ("collaborations", "Collaborations", "Select a name to open its profile"),
    "organisations": ("organisations", "Organisations", "Select a name to open its profile"),
    "network": ("network", "Network", "Open the profile of"),
    "check": ("check", "Check a case file", "Start from data/TEMPLATE.ttl"),
    "sparql": ("sparql", "SPARQL", "Show names instead of identifiers"),
    "sources": ("sources", "Sources", "Open a source"),
    "source-page": (
        "sources?id=ckd:src-milbourne-2010",
        "Collaborative solutions or new challenges in community-based work?",
        "facts",
    ),
    "search": ("search?text=plymouth", "Search", "Found:"),
    "profile-collaboration": (
        "collaborations?id=ckd:wigan-collaborative-council",
        "Wigan collaborative council",
        "recorded facts",
    ),
    "profile-organisation": (
        "organisations?id=ckd:wigan-council",
        "Wigan council",
        "recorded facts",
    ),
    "question-transferred-assets": (
        "questions?q=accountable-for-transferred-assets",
        "Who is accountable for transferred assets?",  # the flagship question, as worded
        "Download CSV",
    ),
}

pytestmark = pytest.mark.browser

_IDENTIFIER = re.compile(r"https?://|\bckd:[a-z]|\bckc:[a-z]")


def open_app(tab: Page, path: str, heading: str, ready: str | None = None) -> None:
    tab.goto(f"/{path}")
    expect(tab.get_by_role("heading", name=heading, exact=True).first).to_be_visible(timeout=60_000)
    if ready:
        expect(tab.locator('[data-testid="stMain"]')).to_contain_text(ready, timeout=60_000)
    wait_idle(tab)


def wait_idle(tab: Page) -> None:
    """Wait until Streamlit has finished running the script and drawing."""
    settled(tab, settle_ms=800)


def summary(query_id: str) -> str:
    """The question as the catalogue words it (the page's heading)."""
    return Catalogue.load(DATA_ROOT).get(query_id).summary


def main_text(tab: Page) -> str:
    """The text a person reads in the main area (collapsed expanders excluded)."""
    return tab.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_opens_without_errors_or_identifiers(tab: Page, name: str):
    requested: list[str] = []
    tab.on("request", lambda request: requested.append(request.url))
    path, heading, ready = PAGES[name]
    open_app(tab, path, heading, ready)
    expect(tab.locator('[data-testid="stException"]')).to_have_count(0)
    if name == "network":  # a picture drawn on the server, each shape a named link
        expect(tab.locator("svg.ck-net a.ck-node").first).to_be_visible(timeout=30_000)
    if name in ("collaborations", "organisations", "question-transferred-assets"):
        expect(tab.locator("table.ck-answer").first).to_be_visible()
    screenshot(tab, name)
    outside = [
        url
        for url in requested
        if not url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
    ]
    assert outside == [], f"the page fetched from outside (it must work offline): {outside}"
    if name != "sparql":  # the analysts' page is about identifiers
        shown = _IDENTIFIER.findall(main_text(tab))
        assert shown == [], f"identifiers on screen: {shown}"


def test_who_is_accountable_for_transferred_assets_and_download(tab: Page):
    open_app(tab, *PAGES["home"])
    tab.get_by_role("link", name="Who is accountable for transferred assets?").click()
    expect(
        tab.get_by_role("heading", name="Who is accountable for transferred assets?")
    ).to_be_visible(timeout=30_000)
    wait_idle(tab)
    table = tab.locator("table.ck-answer")
    expect(table).to_contain_text("none recorded")
    expect(tab.get_by_text("Accountable: none recorded", exact=False)).to_be_visible()
    with tab.expect_download() as download_info:
        tab.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "accountable-for-transferred-assets.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "the CSV has the answer's rows"
    assert "Asset" in rows[0] and "Asset (identifier)" in rows[0]  # headed for people
    assert any(row.get("Accountable") == "none recorded" for row in rows)
    # streamed by the explorer's server, the rows the command line writes
    written = cli_output("query", "accountable-for-transferred-assets", "--format", "csv")
    assert text.partition("\n")[2] == written.partition("\n")[2]
    screenshot(tab, "flow-transferred-assets")


def test_follow_a_result_to_a_profile_and_see_the_quotation(tab: Page):
    open_app(
        tab,
        "questions?q=collaborations-by-structure-type",
        summary("collaborations-by-structure-type"),
        "Download CSV",
    )
    expect(tab.locator("table.ck-answer")).to_contain_text("collaborative market")
    tab.get_by_role("link", name="Plymouth Alliance Contract").first.click()
    expect(tab.get_by_role("heading", name="Plymouth Alliance Contract")).to_be_visible(
        timeout=30_000
    )
    wait_idle(tab)
    expect(tab).to_have_url(re.compile(r"/collaborations\?id=ckd(%3A|:)plymouth-alliance-contract"))
    quotes = tab.locator(".ck-quote").filter(visible=True)
    expect(quotes.first).to_be_visible()
    expect(quotes.filter(has_text="Plymouth Alliance Contract").first).to_contain_text(
        "Findings from Are We Rallying Together?"  # the source, beside the quotation
    )
    screenshot(tab, "flow-profile-plymouth")


def test_the_wigan_deal_what_it_asks_and_why_it_may_not_be_cocreation(tab: Page):
    open_app(tab, *PAGES["home"])
    tab.get_by_role(
        "link", name="What does the Wigan Deal ask of citizens, and is it co-creation?"
    ).click()
    expect(tab.get_by_role("heading", name="Wigan collaborative council")).to_be_visible(
        timeout=30_000
    )
    wait_idle(tab)
    main = tab.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("What it asks of citizens")
    expect(main).to_contain_text("recycling")
    expect(main).to_contain_text("cannot tell whether it is co-creation")
    expect(main).to_contain_text("very anthropological")
    expect(main).to_contain_text("council executive")
    screenshot(tab, "flow-wigan-deal")


def test_a_permalink_reopens_the_answer(tab: Page):
    open_app(
        tab,
        "questions?q=collaboration-profile&collaboration=ckd:wigan-collaborative-council",
        summary("collaboration-profile"),
        "Download CSV",
    )
    box = tab.get_by_role("combobox", name="Collaboration")
    expect(box).to_have_value("ckd:wigan-collaborative-council")
    expect(box.locator("option:checked")).to_have_text("Wigan collaborative council")
    expect(tab.locator("table.ck-answer")).to_contain_text("Wigan council")
    expect(tab).to_have_url(re.compile(r"collaboration=ckd(%3A|:)wigan-collaborative-council"))
    screenshot(tab, "flow-permalink")


def test_check_a_broken_file_shows_where_it_is_wrong(tab: Page):
    open_app(tab, *PAGES["check"])
    broken = (
        "@prefix ck: <https://w3id.org/collabkg/ontology#> .\n"
        "@prefix ckd: <https://w3id.org/collabkg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        "ckd:my-org a ck:Organisation ;\n"
        '    rdfs:label "My org"\n'
        "ckd:other a ck:Charity .\n"
    )
    tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "my-case.ttl", "mimeType": "text/turtle", "buffer": broken.encode()}]
    )
    main = tab.locator('[data-testid="stMain"]')
    expect(main).to_contain_text("line 7, column 1", timeout=60_000)
    expect(main).to_contain_text("my-case.ttl: 1 error")
    expect(main).to_contain_text("ckd:other a ck:Charity .")
    wait_idle(tab)
    screenshot(tab, "flow-check-broken-file")
