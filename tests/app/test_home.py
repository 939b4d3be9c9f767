"""Home: what this is, counts, charts, flagship questions — on the seed data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.support.apptest import (
    MINI,
    Opener,
    drawn_html,
    identifiers_on_screen,
    page_links,
    visible_text,
)


def test_home_counts_and_explains(open_page: Opener):
    app = open_page()
    metrics = {
        label: int(value.replace(",", ""))
        for label, value in re.findall(r"<dt>([^<]*)</dt><dd>([\d,]+)</dd>", drawn_html(app))
    }
    assert set(metrics) == {"Collaborations", "Organisations", "Sources", "Quotations"}
    assert metrics["Sources"] == 5
    assert metrics["Collaborations"] >= 9
    assert metrics["Organisations"] >= 10
    assert metrics["Quotations"] >= 20
    text = " ".join(visible_text(app))
    assert "Where the data comes from" in text
    # each source by its title, a link to its own page
    sources = [
        (label, params)
        for label, page, params in page_links(app, drawn=True)
        if page == "sources"
    ]
    assert any("Rallying together" in label for label, _ in sources)
    assert all(params.get("id", "").startswith("ckd:") for _, params in sources)


def test_home_has_the_three_charts(open_page: Opener):
    app = open_page()
    # drawn in HTML: each bar's name and number are text (the chart's own text alternative)
    drawn = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    assert drawn.count('class="ck-bars"') == 2
    assert drawn.count('class="ck-matrix"') == 1
    assert '<th scope="row">' in drawn
    subjects = " ".join(m.value for m in app.markdown)
    assert "Collaborations by structure type" in subjects
    assert "Organisations by sector" in subjects
    # Table 1's title is its caption (and names the box it scrolls in on a narrow screen)
    assert "Table 1)</caption>" in drawn


def test_home_links_to_the_flagship_questions(open_page: Opener):
    app = open_page()
    links = {label: (page, params) for label, page, params in page_links(app, drawn=True)}
    # the collaborative markets themselves, not every collaboration by structure type
    page, params = links["Which partnerships are collaborative markets?"]
    assert (page, params) == ("collaborations", {"structure": "Collaborative market"})
    app = open_page("views/collaborations.py", **params)
    from collabkg.project import load_graph
    from tests.support.apptest import DATA_ROOT

    graph = load_graph(DATA_ROOT)
    try:
        markets = graph.select(
            "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE "
            "{ ?c ck:hasStructureType ckc:collaborativeMarket }"
        ).rows[0]["n"]
    finally:
        graph.close()
    captions = " ".join(c.value for c in app.caption)
    assert f"{int(markets)} of " in captions and int(markets) > 0
    assert links["Who is accountable for transferred assets?"] == (
        "questions",
        {"q": "accountable-for-transferred-assets"},
    )
    page, params = links["What does the Wigan Deal ask of citizens, and is it co-creation?"]
    assert page == "collaborations"
    assert params == {"id": "ckd:wigan-collaborative-council"}


def test_home_shows_no_identifiers(open_page: Opener):
    app = open_page()
    assert identifiers_on_screen(app) == []


def test_home_explains_a_broken_graph(open_page: Opener, tmp_path: Path):
    broken = tmp_path / "mini"
    shutil.copytree(MINI, broken, ignore=shutil.ignore_patterns(".collabkg-cache"))
    (broken / "data" / "x.ttl").write_text("ckd:a ckd:b ckd:c .\n", encoding="utf-8")
    app = open_page(root=broken)
    assert app.error, "a graph that cannot load is explained"
    assert "data/x.ttl:1:1" in app.error[0].value
    assert 'class="ck-counts"' not in drawn_html(app), "no counts of a graph that failed"


def test_the_navigation_lists_every_page_and_marks_the_one_shown(open_page: Opener):
    """The pages are listed by one HTML ``<nav>`` (same-tab links), not Streamlit's sidebar."""
    app = open_page("views/questions.py")
    drawn = drawn_html(app)
    nav = re.search(r'<nav class="ck-nav" aria-label="Explorer pages">.*?</nav>', drawn, re.DOTALL)
    assert nav is not None
    links = re.findall(r'<a href="([^"]*)"( aria-current="page")?>([^<]*)</a>', nav.group(0))
    assert [href for href, _, _ in links] == [
        "./",
        "questions",
        "collaborations",
        "organisations",
        "network",
        "sources",
        "search",
        "check",
        "sparql",
    ]
    assert [name for _href, current, name in links if current] == ["Questions"]
    assert "Tools" in nav.group(0)
