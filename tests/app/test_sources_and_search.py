"""A page per source and one search across the graph (view models and pages)."""

from __future__ import annotations

import html
import re

import pytest

from collabkg import explorer as ex
from collabkg.catalogue import Catalogue, choices_result
from collabkg.explorer.search import plural
from collabkg.explorer.sources import passage, texts_folder
from collabkg.graph import KnowledgeGraph
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
    found = ex.search(index, "wigan council", things=_things(index.kg))  # as the page searches
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
    # the page searches the evidence question's things too: their kinds ("People") are not
    # all a plural with an "s" at the end, so the singular is the one the results give
    results = ex.search(index, text, things=_things(graph_of(index)))
    counts = results.counts
    assert 1 in counts.values(), "a count of one, or this test says nothing"
    app = open_page(SEARCH, text=text)
    found = ", ".join(
        f"{n} {results.singular[kind] if n == 1 else kind.lower()}" for kind, n in counts.items()
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
        for row in graph.select("SELECT ?s ?p ?v WHERE { ?s ?p ?v }", {"s": URIRef(source)}).rows:
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


# --------------------------------------------------------------------------- words and things


def graph_of(index: ex.ExplorerIndex) -> KnowledgeGraph:
    return index.kg


def _things(graph: KnowledgeGraph) -> list[tuple[str, str]]:
    """What the search page searches besides the lists: the evidence question's choices."""
    catalogue = Catalogue.load(DATA_ROOT)
    spec = catalogue.get("evidence-for").param("entity")
    return ex.param_choices(
        ex.ExplorerIndex(graph), "entity", choices_result(graph, spec, catalogue)
    )


def _titles(results: ex.SearchResults) -> list[str]:
    return [hit.title for hits in results.groups.values() for hit in hits]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _norm(text))


def test_a_word_matches_at_the_start_of_a_word_never_inside_one(index: ex.ExplorerIndex):
    """Regression: /search?text=lab found 15 of the 18 collaborations ("collaboration" holds
    "lab"), and "GO Lab" found Golden Key. A word finds what has a word starting with it."""
    every = ex.search(index, "collaboration", per_kind=10_000)
    collabs = [h.title for h in every.groups.get("Collaborations", [])]
    assert collabs, "the seed data has collaborations named so"
    # "lab" finds only results with a word starting "lab" in what was searched
    lab = ex.search(index, "lab", per_kind=10_000)
    for hits in lab.groups.values():
        for hit in hits:
            if hit.title in collabs:
                assert any(w.startswith("lab") for w in _words(hit.title + " " + hit.detail))
    assert "Golden Key (agent-of-change collaboration)" not in _titles(
        ex.search(index, "GO Lab", per_kind=10_000)
    )
    # a word's start finds it: "collab" finds what "collaboration" finds
    prefix = ex.search(index, "collab", per_kind=10_000)
    assert set(collabs) <= {h.title for h in prefix.groups.get("Collaborations", [])}


def test_every_word_must_match_and_whole_words_and_names_come_first(index: ex.ExplorerIndex):
    both = ex.search(index, "wigan council", per_kind=10_000)
    for hits in both.groups.values():
        for hit in hits:
            words = _words(hit.title + " " + hit.detail)
            assert any(w.startswith("wigan") for w in words) or hit.page == "sources"
    # the organisation named by the words comes before anything that only mentions them
    assert both.groups["Organisations"][0].title == "Wigan council"
    named = ex.search(index, "council", per_kind=10_000).groups["Organisations"]
    in_name = [h for h in named if "council" in _words(h.title)]
    assert named[: len(in_name)] == in_name, "names holding the whole word come first"


def test_a_possessive_finds_the_word_with_and_without_it(index: ex.ExplorerIndex):
    """Regression: "Wigan's" found nothing, though profiles show "Grants from Wigan's
    community funds…"."""
    things = _things(index.kg)
    possessive = ex.search(index, "Wigan's", things=things, per_kind=10_000)
    plain = ex.search(index, "Wigan", things=things, per_kind=10_000)
    assert possessive.total and set(_titles(possessive)) == set(_titles(plain))
    assert ex.search(index, "Wigan’s", things=things).counts == possessive.counts


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Wigan Deal", "The Wigan Deal 2030"),
        ("Sure Start funding", "The funding stream for the Sure Start project"),
        ("Linda Milbourne", "Linda Milbourne"),
        ("Wigan's", "Grants from Wigan’s community funds"),
    ],
)
def test_search_finds_the_things_the_answers_show(index: ex.ExplorerIndex, text: str, title: str):
    """Regression: "Wigan Deal" found only a quotation, not the deal; "Sure Start funding"
    and "Wigan's" found nothing; "Linda Milbourne" found her source, not her. The things the
    evidence question offers are searched, grouped by their kind, each leading to the
    evidence for it."""
    results = ex.search(index, text, things=_things(index.kg), per_kind=10_000)
    hits = [
        (kind, hit)
        for kind, group in results.groups.items()
        for hit in group
        if hit.title.startswith(title)
    ]
    assert hits, (text, results.counts)
    for kind, hit in hits:
        assert kind not in ("Quotations", "Sources")
        params = dict(hit.params)
        assert hit.page == "questions" and params["q"] == "evidence-for"
        assert params["entity"].startswith("ckd:")
        assert kind[:1].isupper() and not re.search(r"https?://|\bckd:|\bck:", kind + hit.detail)
        assert results.singular[kind] and results.singular[kind] != kind.lower()


def test_each_thing_found_is_one_the_evidence_question_answers_for(
    open_page: Opener, index: ex.ExplorerIndex
):
    """The link of a thing found opens the evidence question with it chosen, never a broken
    choice (the things are the question's own choices)."""
    results = ex.search(index, "Sure Start funding", things=_things(index.kg))
    hit = next(h for hits in results.groups.values() for h in hits if h.page == "questions")
    app = open_page("views/questions.py", **dict(hit.params))
    assert not app.warning, [w.value for w in app.warning]
    assert any(hit.title in t for t in visible_text(app))


def test_the_search_page_lists_the_things_by_kind(open_page: Opener):
    app = open_page(SEARCH, text="Linda Milbourne")
    headers = [h.value for h in app.header]
    assert "People (1)" in headers, headers
    assert any("Linda Milbourne" in line for line in _listed(app))
    assert identifiers_on_screen(app) == []


@pytest.mark.parametrize(
    ("one", "many"),
    [
        ("Funding stream", "Funding streams"),
        ("Person", "People"),
        ("Research study", "Research studies"),
        ("Group of organisations", "Groups of organisations"),
        ("Source discrepancy", "Source discrepancies"),
        ("Day", "Days"),
        ("Local authority area", "Local authority areas"),
        ("Success factor", "Success factors"),
    ],
)
def test_a_kind_in_the_plural(one: str, many: str):
    assert plural(one) == many


@pytest.mark.slow
def test_a_search_of_a_large_graph_scans_its_text_once_per_word():
    """At a million triples the search holds about 100,000 entries: a word (even one letter,
    which starts a word in nearly every entry) is found without matching a pattern against
    each entry, well within a keystroke's time."""
    import importlib
    import time

    search_module = importlib.import_module("collabkg.explorer.search")

    entries = [
        search_module._Entry(
            "Organisations",
            search_module._haystack(f"Organisation {n} in area {n % 97}", "a collaboration"),
            ex.Hit(f"Organisation {n}"),
        )
        for n in range(100_000)
    ]
    searchable = search_module._Searchable(entries)
    numbered = sum(1 for n in range(100_000) if str(n).startswith("4242"))  # word starts
    for word, expected in (("a", 100_000), ("lab", 0), ("organisation 4242", numbered)):
        started = time.perf_counter()
        found = searchable.having(search_module._term(word))
        took = time.perf_counter() - started
        assert len(found) == expected, word
        assert took < 0.5, f"{word!r}: {took:.2f} s"
