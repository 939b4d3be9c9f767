"""A page per source and one search across the graph (view models and pages)."""

from __future__ import annotations

import html
import re

import pytest

from collabkg import explorer as ex
from collabkg.explorer.sources import passage, texts_folder
from collabkg.project import open_graph
from tests.support.apptest import (
    DATA_ROOT,
    Opener,
    drawn_html,
    identifiers_on_screen,
    page_links,
    visible_text,
)

SOURCES = "views/sources.py"
SEARCH = "views/search.py"


@pytest.fixture(scope="module")
def index() -> ex.ExplorerIndex:
    return ex.ExplorerIndex(open_graph(DATA_ROOT))


def test_a_passage_is_found_whatever_the_line_breaks():
    text = "First line.\nThe council  said: we\nwill   help.\nThe end of it all."
    found = passage(text, "we will help.", context=12)
    assert found is not None
    assert found.quoted == "we will help."
    assert found.before.endswith("said:")
    assert found.after.startswith("The end")
    assert passage(text, "we will not help.") is None


def test_every_source_page_groups_the_facts_that_cite_it(index: ex.ExplorerIndex):
    assert index.sources
    for iri in index.sources:
        page = ex.source_page(index, iri)
        assert page is not None
        assert page.fact_count > 0
        for group in page.groups:
            assert group.title and group.facts
            for fact in group.facts:
                for quote, _ in fact.quotes:
                    assert quote.source_iri == iri  # only this source's quotations


@pytest.mark.skipif(not texts_folder(DATA_ROOT).is_dir(), reason="no source texts here")
def test_each_quotation_is_shown_in_its_passage_of_the_source_text(index: ex.ExplorerIndex):
    for iri in index.sources:
        page = ex.source_page(index, iri)
        assert page is not None and page.text_available
        for group in page.groups:
            for fact in group.facts:
                for quote, found in fact.quotes:
                    assert found is not None, quote.text  # quotations are verbatim
                    same = " ".join(quote.text.split())
                    assert found.quoted.replace("\u00a0", " ") == same.replace("\u00a0", " ")


def test_no_source_text_says_so(index: ex.ExplorerIndex, monkeypatch, tmp_path):
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path))
    page = ex.source_page(index, next(iter(index.sources)))
    assert page is not None and not page.text_available
    assert "not available" in page.text_note
    assert all(found is None for g in page.groups for f in g.facts for _, found in f.quotes)


def test_search_finds_each_kind_and_groups_by_kind(index: ex.ExplorerIndex):
    wigan = ex.search(index, "wigan")
    assert {"Collaborations", "Organisations", "Places", "Quotations"} <= set(wigan.groups)
    assert any(h.title == "Wigan council" for h in wigan.groups["Organisations"])
    assert ex.search(index, "CO-DESIGN").groups.get("Concepts")
    source = next(iter(index.sources.values()))
    found = ex.search(index, source.label.split()[0] + " " + source.label.split()[-1])
    assert any(h.title == source.label for h in found.groups.get("Sources", []))
    quote = next(iter(index.quotes_by_subject().values()))[0]
    words = " ".join(quote.text.split()[:4])
    assert ex.search(index, words).groups.get("Quotations")
    assert ex.search(index, "   ").total == 0
    assert ex.search(index, "zzqx no such words").total == 0


def test_search_results_lead_to_pages_with_ids_not_shown(index: ex.ExplorerIndex):
    for hits in ex.search(index, "council").groups.values():
        for hit in hits:
            assert not re.search(r"https?://|\bckd:", hit.title + hit.detail)
            if hit.page in ("collaborations", "organisations", "sources"):
                assert dict(hit.params)["id"].startswith("ckd:")


def test_the_source_page(open_page: Opener, index: ex.ExplorerIndex):
    source = next(iter(index.sources.values()))
    app = open_page(SOURCES, id=ex.to_curie(source.iri))
    assert app.title[0].value == source.label
    drawn = drawn_html(app)
    page = ex.source_page(index, source.iri)
    assert page is not None
    headings = re.findall(r'<h2 id="group-(\d+)">([^<]*)</h2>', drawn)
    assert [html.unescape(t) for _n, t in headings] == [
        f"{g.title} ({len(g.facts)})" for g in page.groups
    ], "facts are grouped under headings, in order"
    for number, _title in headings:  # the jump links reach each group
        assert f'href="#group-{number}"' in drawn
    assert identifiers_on_screen(app) == []
    listing = open_page(SOURCES)
    assert listing.title[0].value == "Sources"
    opened = {
        params["id"]
        for _label, page, params in page_links(listing, drawn=True)
        if page == "sources"
    }
    assert opened == {ex.to_curie(iri) for iri in index.sources}, "a link to each source"


def test_the_source_page_is_a_few_elements_however_many_groups(
    open_page: Opener, index: ex.ExplorerIndex
):
    """The source page with the most groups is drawn as a handful of elements (a heading and
    a block per group was about 60 websocket messages, each a render for the browser)."""
    pages = [ex.source_page(index, iri) for iri in index.sources]
    largest = max((p for p in pages if p is not None), key=lambda p: len(p.groups))
    assert len(largest.groups) >= 3
    app = open_page(SOURCES, id=ex.to_curie(largest.info.iri))
    elements = len(app.main.children)
    assert elements <= 5, f"{elements} elements on the source page"
    drawn = drawn_html(app)
    missing = [
        f.label for g in largest.groups for f in g.facts if html.escape(f.label) not in drawn
    ]
    assert not missing, "every fact that cites the source is on its page"


def test_a_broken_source_link_says_so(open_page: Opener):
    app = open_page(SOURCES, id="ckd:no-such-source")
    assert any("no source with that identifier" in w.value for w in app.warning)
    assert app.title[0].value == "Sources"


def test_the_search_page_keeps_its_text_in_the_address(open_page: Opener):
    """The search box is a plain GET form: its submission is the address (?text=), which
    the page searches and shows in the box again."""
    app = open_page(SEARCH, text="plymouth")
    drawn = drawn_html(app)
    assert '<label for="ck-search-text">Search the graph</label>' in drawn
    assert 'name="text" value="plymouth"' in drawn
    assert 'action="search" method="get" role="search"' in drawn
    assert "Collaborations (1)" in [h.value for h in app.header]
    assert any("Plymouth Alliance Contract" in t for t in visible_text(app))
    app = open_page(SEARCH, text="wigan")
    assert app.query_params["text"] in ("wigan", ["wigan"])
    assert 'name="text" value="wigan"' in drawn_html(app)


def test_the_search_box_escapes_what_was_typed(open_page: Opener):
    app = open_page(SEARCH, text='"><b>x</b>')
    assert 'value="&quot;&gt;&lt;b&gt;x&lt;/b&gt;"' in drawn_html(app)


def test_no_source_page_shows_an_identifier(open_page: Opener, index: ex.ExplorerIndex):
    # the first source's page was the only one tried; the sources in IRI order put first a
    # blog whose quoted text prints a web address (not an identifier of ours, and allowed),
    # which is how the check of every page came about
    assert index.sources
    for source in index.sources.values():
        app = open_page(SOURCES, id=ex.to_curie(source.iri))
        assert identifiers_on_screen(app) == [], source.iri


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _listed(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The results the search page lists, as shown (title and detail, Markdown escapes and
    link targets left out)."""
    return [
        re.sub(r"\\(.)", r"\1", line.strip()[2:])
        for text in visible_text(app)
        for line in text.splitlines()
        if line.strip().startswith("- ")
    ]


def _shows(listed: list[str], title: str) -> bool:
    return any(line.startswith((title, f"[{title}]")) for line in listed)


@pytest.mark.parametrize("quoted", ['"wigan council"', "\u201cwigan council\u201d"])
def test_a_quoted_phrase_finds_its_words_together_in_order(
    open_page: Opener, index: ex.ExplorerIndex, quoted: str
):
    """Regression: `/search?text="wigan council"` found nothing ("Nothing matches every
    word…"; the quotes were searched for as part of the words), where `wigan council`
    found a collaboration, an organisation and 2 quotations."""
    words = open_page(SEARCH, text="wigan council")
    # what has the phrase, from the unquoted results: its title or detail holds the words
    # next to each other, in that order
    found = ex.search(index, "wigan council")
    expected: dict[str, list[str]] = {}
    apart: list[str] = []
    for kind, hits in found.groups.items():
        for hit in hits:
            if "wigan council" in _norm(hit.title + "\n" + hit.detail):
                expected.setdefault(kind, []).append(hit.title)
            else:
                apart.append(hit.title)
    assert expected and apart, "the seed data has both, or this test says nothing"
    assert all(_shows(_listed(words), t) for t in apart), "the unquoted search lists them"

    app = open_page(SEARCH, text=quoted)
    assert not app.info, [i.value for i in app.info]
    assert [h.value for h in app.header] == [
        f"{kind} ({len(titles)})" for kind, titles in expected.items()
    ]
    listed = _listed(app)
    assert all(_shows(listed, t) for titles in expected.values() for t in titles), listed
    assert not any(_shows(listed, t) for t in apart), "the words apart are not the phrase"
    assert any("double quotes" in m.value for m in app.markdown), "the page says so"


def test_a_phrase_needs_its_words_in_order_and_in_one_field(index: ex.ExplorerIndex):
    assert ex.search(index, "council wigan").total > 0
    assert ex.search(index, '"council wigan"').total == 0
    assert (
        ex.search(index, '"wigan    COUNCIL"').counts == ex.search(index, '"wigan council"').counts
    )
    # a phrase is a phrase with other words too, and a quote left open runs to the end
    both = ex.search(index, 'local "wigan council"')
    assert [h.title for h in both.groups["Organisations"]] == ["Wigan council"]
    assert ex.search(index, '"wigan council').counts == ex.search(index, '"wigan council"').counts
    # the label and the detail of an entry are two fields: no phrase across them
    # ("Wigan council" then "Local authority · Wigan")
    assert not any(
        h.title == "Wigan council"
        for h in ex.search(index, '"council local"').groups.get("Organisations", [])
    )
    assert ex.search(index, '""').total == 0


def test_nothing_found_for_a_phrase_says_so(open_page: Opener):
    app = open_page(SEARCH, text='"council wigan"')
    assert any("every word and quoted phrase" in i.value for i in app.info)


@pytest.mark.parametrize("text", ["plymouth", "wigan", "wigan council"])
def test_the_counts_say_one_in_the_singular(open_page: Opener, index: ex.ExplorerIndex, text: str):
    """Regression: "Found: 1 collaborations, 1 organisations, 1 places"."""
    counts = ex.search(index, text).counts
    assert 1 in counts.values(), "a count of one, or this test says nothing"
    app = open_page(SEARCH, text=text)
    found = ", ".join(
        f"{n} {kind.lower()[:-1] if n == 1 else kind.lower()}" for kind, n in counts.items()
    )
    assert [c.value for c in app.caption if c.value.startswith("Found:")] == [f"Found: {found}."]
    assert not re.search(r"\b1 \w+s\b", found)


def test_a_source_page_omitted_the_journal_it_was_published_in(open_page: Opener):
    """Regression: the page of "Rallying together…" showed only "Journal article · CF, FR,
    JB, RD, TH", not the journal (Public Money & Management) the graph records. Every
    source's page now shows what the graph records to trace it: title, authors, where it
    was published, publisher, date (or that the source does not state it), note."""
    from rdflib import URIRef

    graph = open_graph(DATA_ROOT)
    terms = "http://purl.org/dc/terms/"
    sources = [
        str(row["s"])
        for row in graph.select(
            "SELECT ?s WHERE { ?s <https://w3id.org/collabkg/ontology#hasTextSha256> ?h }"
        ).rows
    ]
    assert sources
    for source in sources:
        recorded: dict[str, list[str]] = {}
        for row in graph.select(
            "SELECT ?s ?p ?v WHERE { ?s ?p ?v }", {"s": URIRef(source)}
        ).rows:
            recorded.setdefault(str(row["p"]), []).append(str(row["v"]))
        app = open_page(SOURCES, id=ex.to_curie(source))
        shown = html.unescape(" ".join(visible_text(app)))
        for prop in ("isPartOf", "publisher", "date", "creator"):
            for value in recorded.get(terms + prop, []):
                assert value in shown, (source, prop, value)
        if terms + "date" in recorded.get(
            "https://w3id.org/collabkg/ontology#hasUnstatedProperty", []
        ):
            assert "Date" in shown and "not stated in the source" in shown, source
    rallying = open_page(SOURCES, id="ckd:src-rallying-together-pmm")
    text = html.unescape(" ".join(visible_text(rallying)))
    assert "Public Money & Management" in text
