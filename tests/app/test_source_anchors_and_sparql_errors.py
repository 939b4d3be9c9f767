"""A quotation's place on its source's page (an anchor per quotation, links that end with
it), and the SPARQL page's errors (readable, and kept in the address)."""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from collabkg import explorer as ex
from collabkg.errors import QueryError
from collabkg.explorer.sources import quote_anchor, source_href
from collabkg.project import open_graph
from collabkg.terms import CKD
from tests.support.apptest import DATA_ROOT, Opener, drawn_html, visible_text

SOURCES = "views/sources.py"
SEARCH = "views/search.py"
SPARQL = "views/sparql.py"

_ID = re.compile(r'\sid="([^"]*)"')
_QUOTE_BLOCK = re.compile(r'<blockquote class="ck-quote"(?: id="([^"]*)")?>')
_MD_TARGET = re.compile(r"\]\(([^)\s]*)\)")


@pytest.fixture(scope="module")
def index() -> ex.ExplorerIndex:
    return ex.ExplorerIndex(open_graph(DATA_ROOT))


def _all_quotes(index: ex.ExplorerIndex) -> dict[str, ex.Quote]:
    return {q.iri: q for quotes in index.quotes_by_subject().values() for q in quotes}


def _page_quotes(page: ex.SourcePage) -> list[str]:
    """The quotations of a source page, in the order drawn (one per place shown)."""
    return [q.iri for g in page.groups for f in g.facts for q, _passage in f.quotes]


# --------------------------------------------------------------------------- anchors


def test_a_quotation_anchor_is_its_local_name_and_no_two_share_one(index: ex.ExplorerIndex):
    quotes = _all_quotes(index)
    assert quotes
    anchors = {iri: quote_anchor(iri) for iri in quotes}
    assert len(set(anchors.values())) == len(anchors), "one anchor per quotation"
    for iri, anchor in anchors.items():
        assert re.fullmatch(r"q-[A-Za-z0-9_-]+", anchor), anchor
        if iri.startswith(str(CKD)):
            assert anchor == "q-" + iri[len(str(CKD)) :]
        assert quote_anchor(iri) == anchor, "the same on every call"
    # outside our namespace, or not a plain name: a digest keeps them apart
    odd = ["https://example.org/a/q.1", "https://example.org/b/q.1", str(CKD) + "q.1"]
    assert len({quote_anchor(i) for i in odd}) == 3
    assert all(re.fullmatch(r"q-[A-Za-z0-9_-]+", quote_anchor(i)) for i in odd)


def test_every_quotation_links_to_a_page_that_shows_it(index: ex.ExplorerIndex):
    """Each quotation with a source is on that source's page (so its anchor is there)."""
    shown: dict[str, set[str]] = {}
    for quote in _all_quotes(index).values():
        if not quote.source_iri:
            continue
        if quote.source_iri not in shown:
            page = ex.source_page(index, quote.source_iri)
            assert page is not None
            shown[quote.source_iri] = set(_page_quotes(page))
        assert quote.iri in shown[quote.source_iri], quote.iri
        href = source_href(quote.source_iri, quote.iri)
        parts = urlsplit(href)
        assert parts.path == "sources"
        assert parse_qs(parts.query) == {"id": [ex.to_curie(quote.source_iri)]}
        assert parts.fragment == quote_anchor(quote.iri)
    assert source_href(next(iter(shown))).count("#") == 0, "a source alone: no anchor"


def test_every_quotation_on_a_source_page_has_an_anchor(open_page: Opener, index: ex.ExplorerIndex):
    assert index.sources
    for source in index.sources.values():
        page = ex.source_page(index, source.iri)
        assert page is not None
        app = open_page(SOURCES, id=ex.to_curie(source.iri))
        drawn = drawn_html(app)
        ids = _ID.findall(drawn)
        repeated = [i for i, n in Counter(ids).items() if n > 1]
        assert not repeated, f"ids used twice on {source.label}: {repeated[:5]}"
        blocks = _QUOTE_BLOCK.findall(drawn)
        order = _page_quotes(page)
        assert len(blocks) == len(order), "each place of a quotation is a block"
        # a quotation shown under several facts carries its anchor at its first place
        first = {iri: n for n, iri in reversed(list(enumerate(order)))}
        expected = [quote_anchor(iri) if first[iri] == n else "" for n, iri in enumerate(order)]
        assert [html.unescape(b) for b in blocks] == expected, source.label
        assert {quote_anchor(iri) for iri in order} <= set(ids)
        text = " ".join(visible_text(app))
        assert not any(a in text for a in expected if a), "an anchor is never shown as text"


def _quotation_targets(app: AppTest) -> dict[str, str]:
    """The search page's quotation results: the quotation's words -> the link's target."""
    found: dict[str, str] = {}
    for element in app.markdown:
        for line in str(element.value).splitlines():
            line = line.strip()
            match = re.match(r"- \[“(.*?)”\]", line, re.DOTALL)
            target = _MD_TARGET.search(line)
            if match and target:
                found[re.sub(r"\\(.)", r"\1", match[1])] = target[1]
    return found


def test_a_quotation_found_by_search_links_to_its_place(open_page: Opener, index: ex.ExplorerIndex):
    """/search?text=wigan: the quotation "Community funds in Wigan offered grants…" leads to
    its source's page at the quotation (``#q-<its local name>``), which the page carries."""
    app = open_page(SEARCH, text="wigan")
    targets = _quotation_targets(app)
    assert targets, "quotations are found"
    by_text = {q.text: q for q in _all_quotes(index).values()}
    wanted = next(t for t in by_text if t.startswith("Community funds in Wigan offered grants"))
    for words, target in targets.items():
        quote = by_text[words]
        assert target == source_href(quote.source_iri, quote.iri), words
    quote = by_text[wanted]
    link = urlsplit(targets[wanted])
    curie = ex.to_curie(quote.source_iri)
    assert link.fragment == quote_anchor(quote.iri)
    assert parse_qs(link.query) == {"id": [curie]}
    opened = open_page(SOURCES, id=parse_qs(link.query)["id"][0])
    assert f'id="{link.fragment}"' in drawn_html(opened), "the anchor is on the page"
    assert opened.query_params["id"] in (curie, [curie]), "the page keeps its address"


def test_search_hits_carry_the_anchor(index: ex.ExplorerIndex):
    hits = ex.search(index, "wigan").groups["Quotations"]
    by_text = {f"“{q.text}”": q for q in _all_quotes(index).values()}
    for hit in hits:
        quote = by_text[hit.title]
        assert hit.fragment == quote_anchor(quote.iri)
        assert hit.href == source_href(quote.source_iri, quote.iri)
    source = ex.search(index, "wigan").groups.get("Collaborations", [])
    assert all("#" not in h.href for h in source), "only quotations have a place on a page"


# --------------------------------------------------------------------------- SPARQL errors


def _flat(app: AppTest) -> dict[str, str]:
    return {
        k: (v[-1] if isinstance(v, list) else v)
        for k in app.query_params
        for v in [app.query_params[k]]
    }


def _raised(query: str) -> QueryError:
    """The error the graph raises for ``query`` (what the page is given)."""
    with pytest.raises(QueryError) as caught:
        open_graph(DATA_ROOT).user_query(query, {})
    return caught.value


def test_a_failed_run_keeps_run_in_the_address_and_reopens_the_error(open_page: Opener):
    query = "SELECT ?s WHERE { ?s ?p "
    app = open_page(SPARQL, query=query, run="1")
    assert app.error, "the error is shown"
    address = _flat(app)
    assert address == {"query": query, "run": "1"}, "the address says the query was run"
    again = open_page(SPARQL, **address)
    assert [e.value for e in again.error] == [e.value for e in app.error]
    assert [c.value for c in again.code] == [c.value for c in app.code]
    # a query given: without one, Run says to write a query first and reads nothing else
    bad = open_page(
        SPARQL,
        query="SELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
        params="this is not an assignment",
        run="1",
    )
    assert "parameter line 1" in bad.error[0].value
    assert _flat(bad).get("run") == "1"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?s WHERE { ?s ?p ",
        "SELECT ?s WHERE {\n  ?s ?p \n",
        "SELECT ?s WHERE {\r\n  ?s ?p \r\n\r\n",
        "SELECT ?s WHERE { ?s ?p ?o } ORDER BY",
    ],
)
def test_a_syntax_error_at_the_end_is_readable(open_page: Opener, query: str):
    raised = _raised(query)
    # the grammar the engine expected next is cut where the error is made (sparql_safety's
    # in_source), so no surface shows it
    assert "expected one of" not in raised.message and "\\u{" not in raised.message
    app = open_page(SPARQL, query=query, run="1")
    error = app.error[0].value
    assert "expected" not in error and "\\u{" not in error and "..=" not in error, error
    lines = query.split("\n")
    line = max(n for n, text in enumerate(lines, start=1) if text.strip())
    column = len(lines[line - 1].rstrip()) + 1
    assert f"at the end of the query (line {line}, column {column})" in error, error
    assert "incomplete, or has a typo" in error
    assert app.info and "check matching braces" in app.info[0].value.lower(), "a short hint"
    source = lines[line - 1].rstrip("\r")
    assert app.code[0].value == source + "\n" + " " * (column - 1) + "^"


def test_a_syntax_error_inside_the_query_is_located_with_a_caret(open_page: Opener):
    query = "SELECT (COUNT(?s) ?n) WHERE { ?s ?p ?o }"
    raised = _raised(query)
    assert raised.line == 1 and raised.column is not None and raised.column < len(query)
    app = open_page(SPARQL, query=query, run="1")
    error = app.error[0].value
    assert "expected" not in error, error
    assert f"at line 1, column {raised.column}: the query is incomplete or has a typo here" in (
        error
    )
    assert app.code[0].value == query + "\n" + " " * (raised.column - 1) + "^"


def test_other_query_errors_keep_their_words_and_get_a_caret(open_page: Opener):
    query = "SELECT * WHERE {\n\t?s nope:x ?o }"
    raised = _raised(query)
    assert raised.line == 2 and raised.column is not None
    app = open_page(SPARQL, query=query, run="1")
    error = app.error[0].value
    assert raised.message in error and f"(line 2, column {raised.column})" in error
    lead = "\t" + " " * (raised.column - 2)  # the tab kept: the caret stands under the place
    assert app.code[0].value == "\t?s nope:x ?o }\n" + lead + "^"
