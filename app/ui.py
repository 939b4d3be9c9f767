"""Helpers shared by the explorer's pages: cached view models and the way facts are drawn.

Pages call these and the collabkg package, never rdflib or a store directly.
"""

from __future__ import annotations

import base64
import functools
import gc
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import streamlit as st
from state import after_first_page, data_generation, graph_or_stop, load_graph

from collabkg.catalogue import Catalogue, choices_result
from collabkg.errors import CollabkgError
from collabkg.explorer import (
    ROWS_PER_PAGE,
    Evidence,
    ExplorerIndex,
    Fact,
    Network,
    Profile,
    ResultTable,
    Segment,
    SourcePage,
    answer_count,
    chart_data,
    download_frame,
    entity_table,
    gap_summary,
    index_for,
    layout,
    network_svg,
    plain_text,
    profile,
    profile_target,
    result_table,
    rows_html,
    sentence_case,
    source_page,
    table_html,
    to_curie,
)
from collabkg.explorer.charts import bars_html
from collabkg.explorer.sources import source_href
from collabkg.explorer.style import BARS_CSS
from collabkg.graph import KnowledgeGraph, QueryResult
from collabkg.validate.cached import collector_paused

if TYPE_CHECKING:
    import pandas as pd

# Url paths of the pages (see streamlit_app.py); links between pages use these.
PAGE_FILES = {
    "home": "views/home.py",
    "questions": "views/questions.py",
    "collaborations": "views/collaborations.py",
    "organisations": "views/organisations.py",
    "network": "views/network.py",
    "sources": "views/sources.py",
    "search": "views/search.py",
    "check": "views/check.py",
    "sparql": "views/sparql.py",
}

APP_NAME = "collabkg explorer"


@functools.cache
def icon_url() -> str:
    """The explorer's icon (a local file: a ":material/...:" or emoji page icon makes the
    browser fetch the favicon from the internet) as a ``data:`` URL, read once per server.
    Given as a file, Streamlit read it and registered it as a media file on every run."""
    data = (Path(__file__).parent / "assets" / "icon.png").read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


MAX_ADDRESS = 100_000
"""The longest address a form of the explorer sends, in characters: the server refuses a
request line of about 128 KB (measured: 127,656 characters of address answered, 128,125
refused with a bare "400"), so a longer SPARQL text or search is stopped in the browser
with a message, never sent."""


SAME_TAB_SCRIPT = """
<script>
(function () {
  // Links between the explorer's pages open in the same tab, without reloading the app:
  // the address is changed and Streamlit is told (popstate), as the back button does.
  // Markdown links and table link cells would otherwise open a new tab.
  if (window.__ckSameTab) return;
  window.__ckSameTab = true;
  var PAGES = %(pages)s;
  var MAX_ADDRESS = %(max_address)d;
  function inApp(url) {
    if (url.origin !== window.location.origin) return false;
    var first = url.pathname.replace(/^\\/+/, "").split("/")[0];
    return PAGES.indexOf(first) >= 0;
  }
  function go(url) {
    window.history.pushState(null, "", url.pathname + url.search + url.hash);
    window.dispatchEvent(new PopStateEvent("popstate"));
    reveal();
  }
  // A link to a place on a page (a quotation on its source's page, #q-...) changes the
  // address before that page is drawn, and a page opened from its address (a bookmark, a
  // reload) is drawn after the browser looked for the place: once it is drawn, go to it.
  function reveal() {
    var id = window.location.hash.slice(1);
    if (!id) return;
    try { id = decodeURIComponent(id); } catch (error) { return; }
    var tries = 0;
    (function look() {
      var place = document.getElementById(id);
      if (place) { place.scrollIntoView({block: "start"}); return; }
      if (++tries < 150) window.setTimeout(look, 100);
    })();
  }
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.closest('[data-testid="stPageLink"], [data-testid="stSidebarNav"]')) return;
    if (link.hasAttribute("download")) return;
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (!inApp(url)) return;
    if (url.hash && url.pathname === window.location.pathname
        && url.search === window.location.search) return;
    event.preventDefault();
    event.stopPropagation();
    go(url);
  }, true);
  // A list page's search and filters are a plain GET form: its submission becomes an
  // address change in the same way (the page draws the list from the address).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("ck-filters")) return;
    var url = new URL(form.getAttribute("action"), window.location.href);
    if (!inApp(url)) return;
    event.preventDefault();
    var query = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (String(value).trim() !== "") query.append(name, value);
    });
    url.search = query.toString();
    var said = form.querySelector(".ck-too-long");
    if (url.href.length > MAX_ADDRESS) {
      // the server refuses an address this long (a bare "HTTP ERROR 400" on a reload):
      // nothing is sent, and the form says why and what to do instead
      if (!said) {
        said = document.createElement("p");
        said.className = "ck-too-long";
        said.setAttribute("role", "alert");
        form.appendChild(said);
      }
      said.textContent = "This is too long to send: the page's address would hold " +
        url.href.length.toLocaleString("en-GB") + " characters, and at most " +
        MAX_ADDRESS.toLocaleString("en-GB") + " can be sent. Shorten it; a long query " +
        "can be saved in a file ending .rq and run with: collabkg query that-file.rq";
      return;
    }
    if (said) said.remove();
    go(url);
  }, true);
  var open = window.open;
  window.open = function (href) {
    try {
      var url = new URL(href, window.location.href);
      if (inApp(url)) { go(url); return null; }
    } catch (error) { /* not a URL: let the browser decide */ }
    return open.apply(window, arguments);
  };
  // Streamlit draws a Markdown link with target="_blank": a link to one of the explorer's
  // pages loses it as soon as it is drawn, so that it opens in the same tab also when the
  // click is not seen above (a keyboard or assistive technology, a click made while the
  // page is drawn) and is not announced as opening a new window.
  function sameTabTargets(root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll('a[target]').forEach(function (link) {
      var href = link.getAttribute("href");
      if (!href) return;
      try {
        if (!inApp(new URL(href, window.location.href))) return;
      } catch (error) { return; }
      link.removeAttribute("target");
    });
  }
  sameTabTargets(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      if (change.type === "attributes") { sameTabTargets(change.target.parentNode || document); }
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) sameTabTargets(node.parentNode || node);
      });
    });
  }).observe(document.body, {childList: true, subtree: true, attributes: true,
                             attributeFilter: ["target"]});
  reveal();
})();
</script>
"""


def same_tab_links(
    sections: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (), current: str = ""
) -> None:
    """Install (once per browser tab) the script that keeps page links in the same tab, and
    draw the explorer's navigation (``sections``: (section, [(page title, url path)]), the
    page shown ``current``) in the same element."""
    import json

    values = {"pages": json.dumps(["", *PAGE_FILES]), "max_address": MAX_ADDRESS}
    st.session_state["_ck_style_sent"] = True
    # one element for the navigation, the script and the stylesheet: each element drawn
    # costs the browser
    st.html(
        nav_html(sections, current) + STYLE + SAME_TAB_SCRIPT % values,
        unsafe_allow_javascript=True,
    )


def nav_html(sections: Sequence[tuple[str, Sequence[tuple[str, str]]]], current: str) -> str:
    """The explorer's pages as one line of same-tab links (a ``<nav>`` landmark; the page
    shown marked ``aria-current``), in place of Streamlit's sidebar navigation, which cost
    every new tab about 0.1 s of the browser's CPU (its own scripts, the icon font)."""
    if not sections:
        return ""
    groups: list[str] = []
    for section, pages in sections:
        items = []
        for title, path in pages:
            name = html.escape(title)
            mark = ' aria-current="page"' if path == current else ""
            items.append(f'<li><a href="{html.escape(path or "./")}"{mark}>{name}</a></li>')
        groups.append(
            f'<li class="ck-nav-section"><span class="ck-nav-label">{html.escape(section)}</span>'
            f"<ul>{''.join(items)}</ul></li>"
        )
    return f'<nav class="ck-nav" aria-label="Explorer pages"><ul>{"".join(groups)}</ul></nav>'


def link_md(label: str, page: str, params: dict[str, str] | None = None) -> str:
    """A Markdown link to a page of the explorer. Streamlit draws every Markdown link with
    ``target="_blank"`` (a new tab, unless the same-tab script catches the click): links
    between the explorer's pages are drawn with :func:`link_html` instead."""
    query = f"?{urlencode(params)}" if params else ""
    return f"[{md_escape(label)}]({page}{query})"


def link_html(label: str, page: str, params: dict[str, str] | None = None) -> str:
    """An HTML link to a page of the explorer: no ``target`` (Streamlit's Markdown gives
    every link ``target="_blank"``), so it opens in the same tab even before or without the
    same-tab script, which makes it an address change without a reload."""
    query = f"?{urlencode(params)}" if params else ""
    return f'<a href="{html.escape(page + query, quote=True)}">{html.escape(label)}</a>'


def back_link(label: str, page: str) -> None:
    """The "← All ..." link above a page's title, in the same tab."""
    st.html(f'<p class="ck-back">← {link_html(label, page)}</p>')


def page_title(*parts: str) -> None:
    """The browser tab's title for this page ("Wigan council · Organisations · ...")."""
    title = " · ".join([*(p for p in parts if p), APP_NAME])
    st.set_page_config(page_title=title)


FLAGSHIP_QUESTIONS = (
    ("Which partnerships are collaborative markets?", "collaborations-by-structure-type"),
    ("Who is accountable for transferred assets?", "accountable-for-transferred-assets"),
    (
        "What does the Wigan Deal ask of citizens, and is it co-creation?",
        "co-creation-claims-vs-practice",
    ),
)


# --------------------------------------------------------------------------- cached data


@st.cache_resource(show_spinner="Reading the knowledge graph…")
def explorer_index(root: str) -> ExplorerIndex:
    # kept on disk by the files' content, brought up to date after a change of a few files
    # (collabkg.explorer.kept_index); kept again once the first page is on screen
    graph = load_graph(root)
    # the index (about a million objects at 1M triples) lives as long as the server: made
    # with Python's cycle collector paused, then set aside from it (gc.freeze), so that no
    # collection walks it, neither while it is made nor later (0.5 s of a 5.3 s start at 1M).
    # The garbage of before is collected first, so as not to be set aside with it.
    with collector_paused():
        gc.collect()
        index, keep = index_for(graph)
        gc.freeze()
    if keep is not None:
        after_first_page(keep, "collabkg-keep-index")
    _served_indexes[root] = (data_generation(), index)
    return index


_served_indexes: dict[str, tuple[int, ExplorerIndex]] = {}
"""The index :func:`explorer_index` made for each project root, for the server's own routes
(``downloads.py``), which run outside any page's script and so outside Streamlit's caches."""


def served_index(root: str) -> ExplorerIndex:
    """The index the pages read for ``root``; made as a page would make it when no page has."""
    found = _served_indexes.get(root)
    if found is not None and found[0] == data_generation():
        return found[1]
    return explorer_index(root)


@st.cache_resource(show_spinner=False)
def catalogue(root: str) -> Catalogue:
    return Catalogue.load(root)


def context() -> tuple[str, KnowledgeGraph, ExplorerIndex]:
    """The project root, its graph and the explorer's index; stops the page on errors."""
    root, graph = graph_or_stop()
    return root, graph, explorer_index(root)


@st.cache_resource(show_spinner="Finding the answer…", max_entries=256)
def run_canned(root: str, query_id: str, params: tuple[tuple[str, str], ...]) -> QueryResult:
    """The answer of a canned query (cached per query and parameter values), its columns in
    the order the question's ``#+ answer`` gives (table, row-by-row cards and downloads).

    Kept as it is and shared (``cache_resource``), never copied: every rerun of a page
    reads the same answer, which nothing changes. (``cache_data`` unpickled a copy on every
    rerun: 0.4 s of CPU for a 10,000-row answer at 1M triples, more than the rest of the
    page's server work.)"""
    query = catalogue(root).get(query_id)
    bindings = query.bind(dict(params))
    # the answer kept on disk for these files' content when there is one (see
    # KnowledgeGraph.select_rows), else computed and kept
    names, rows = load_graph(root).select_rows(query.text, bindings)
    return query.ordered(QueryResult(names, list(rows)))


@st.cache_resource(show_spinner=False, max_entries=256)
def answer_table(root: str, query_id: str, params: tuple[tuple[str, str], ...]) -> ResultTable:
    """The answer by label (made once per question and choices; pages only read it)."""
    return result_table(explorer_index(root), run_canned(root, query_id, params))


@dataclass(frozen=True)
class AnswerFacts:
    """What a question's page says of its answer besides the rows: read from every row, so
    made once per question and choices, not on every run (at a million triples, 70 ms of
    each run of funding-at-risk's page, for its 10,433 rows)."""

    count: str
    """"N activities" (the things the question is about)."""
    gaps: list[str]
    """What the sources do not say (:func:`gap_summary`)."""
    names_two_things: bool
    """Whether two or more columns hold identifiers (the answer can be drawn as a graph)."""


@st.cache_resource(show_spinner=False, max_entries=256)
def answer_facts(root: str, query_id: str, params: tuple[tuple[str, str], ...]) -> AnswerFacts:
    result = run_canned(root, query_id, params)
    return AnswerFacts(
        count=answer_count(result, catalogue(root).get(query_id).counts),
        gaps=gap_summary(answer_table(root, query_id, params).frame),
        names_two_things=len(result.iri_vars()) >= 2,
    )


@st.cache_resource(show_spinner=False, max_entries=256)
def answer_table_html(
    root: str, query_id: str, params: tuple[tuple[str, str], ...], rows: int
) -> str:
    """The answer's first ``rows`` rows as the HTML table drawn (made once, not per run)."""
    table = answer_table(root, query_id, params)
    return table_html(table.frame, table.link_columns, rows=rows)


@st.cache_resource(show_spinner=False, max_entries=256)
def answer_rows_html(
    root: str, query_id: str, params: tuple[tuple[str, str], ...], rows: int
) -> str:
    """The answer row by row (a card per row) as HTML, made once per question and choices."""
    table = answer_table(root, query_id, params)
    return rows_html(table.frame, table.link_columns, rows=rows)


@st.cache_resource(show_spinner=False, max_entries=256)
def answer_chart_html(root: str, query_id: str, params: tuple[tuple[str, str], ...]) -> str | None:
    """The question's bar chart (from its ``#+ chart``) as HTML; None when it draws no bar."""
    query = catalogue(root).get(query_id)
    if query.chart is None:
        return None
    data = chart_data(explorer_index(root), run_canned(root, query_id, params), query.chart)
    if data.frame.empty:
        return None
    caption = f"{data.measure}, by {data.category.lower()}"
    return bars_html(data.frame, data.category, data.measure, caption=caption)


@st.cache_resource(show_spinner=False, max_entries=512)
def cached_profile(root: str, iri: str) -> Profile:
    """A profile (made once per entity; pages only read it)."""
    return profile(explorer_index(root), iri)


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_source_page(root: str, iri: str) -> SourcePage | None:
    return source_page(explorer_index(root), iri)


@st.cache_resource(show_spinner=False)
def cached_entity_table(root: str, kind: str) -> pd.DataFrame:
    return entity_table(explorer_index(root), kind)  # type: ignore[arg-type]


@st.cache_resource(show_spinner=False, max_entries=64)
def run_choices(root: str, query_id: str, name: str) -> QueryResult:
    """The values a parameter of a canned query may take (its ``choices`` header)."""
    cat = catalogue(root)
    return choices_result(load_graph(root), cat.get(query_id).param(name), cat)


def shown_rows() -> int:
    """How many rows of a table the address asks for (``rows=``; 100 by default)."""
    wanted = st.query_params.get("rows", "")
    rows = int(wanted) if wanted.isdigit() else ROWS_PER_PAGE
    return min(max(rows, ROWS_PER_PAGE), 100_000)


def more_rows_html(
    page: str, address: dict[str, str | list[str]], rows: int, total: int, note: str
) -> str:
    """ "Rows 1-N of M" and a same-tab link to the same address with a page more rows
    (empty when every row is drawn)."""
    if total <= rows:
        return ""
    more = {k: v for k, v in address.items() if v not in ("", [])}
    more["rows"] = str(rows + ROWS_PER_PAGE)
    href = html.escape(f"{page}?{urlencode(more, doseq=True)}", quote=True)
    return (
        f"<p>Rows 1–{rows} of {total}. "
        f'<a href="{href}">Show {min(ROWS_PER_PAGE, total - rows)} more rows</a>'
        f" · {html.escape(note)}.</p>"
    )


def download_buttons(
    where: Sequence[Any],
    files: Sequence[tuple[str, Callable[[], bytes], str, str]],
    key: str,
) -> None:
    """A download button per file ((label, make the bytes, file name, MIME type)), in
    ``where`` (one place per button: a container, a column, or ``st`` itself). The bytes
    are made when the button is clicked, never on a run of the page, and clicking does not
    run the page again."""
    for place, (label, make, file_name, mime) in zip(where, files, strict=True):
        place.download_button(
            label,
            data=make,
            file_name=file_name,
            mime=mime,
            icon=":material/download:",
            key=f"{key}:{file_name}",
            on_click="ignore",
        )


def answer_files(
    index: ExplorerIndex, result: QueryResult, stem: str
) -> list[tuple[str, Callable[[], bytes], str, str]]:
    """An answer's CSV and JSON downloads (by label; the identifiers in their own columns),
    for :func:`download_buttons`."""
    import json

    def as_csv() -> bytes:
        return download_frame(index, result).to_csv(index=False).encode("utf-8")

    def as_json() -> bytes:
        records = json.loads(
            download_frame(index, result).to_json(orient="records", force_ascii=False)
        )
        return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8")

    return [
        ("Download CSV", as_csv, f"{stem}.csv", "text/csv"),
        ("Download JSON", as_json, f"{stem}.json", "application/json"),
    ]


# --------------------------------------------------------------------------- text & links


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$~])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown (no emphasis, links, LaTeX or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def href_for(iri: str, index: ExplorerIndex) -> str | None:
    target = profile_target(iri, index.kind(iri))
    if target is None:
        return None
    page, params = target
    from urllib.parse import urlencode

    return f"{page}?{urlencode(params)}"


def plain(text: str, index: ExplorerIndex) -> str:
    return plain_text(text, index.label)


def first_sentence(text: str, limit: int = 320) -> str:
    """The opening sentence of a description (whole, or cut at a word near ``limit``)."""
    text = " ".join(text.split())
    match = re.match(r"(.+?[.?!])(\s|$)", text)
    sentence = match.group(1) if match else text
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return sentence


# --------------------------------------------------------------------------- evidence


def evidence_html(evidence: Evidence) -> str:
    """The quotation(s) and source(s) behind a fact, as small sanitised HTML."""
    parts: list[str] = []
    for quote in evidence.quotes:
        who = f" — {html.escape(quote.speaker)}" if quote.speaker else ""
        where = html.escape(quote.source)
        if quote.source_iri:
            href = html.escape(source_href(quote.source_iri, quote.iri))
            where = f'<a href="{href}">{where}</a>'
        if quote.locator:
            where += f", section “{html.escape(quote.locator)}”"
        parts.append(
            '<blockquote class="ck-quote">'
            f"“{html.escape(quote.text)}”{who}"
            f'<div class="ck-src">{where}</div></blockquote>'
        )
    quoted = {q.source_iri for q in evidence.quotes}
    unquoted = [s for s in evidence.sources if s.iri not in quoted]
    if unquoted or (evidence.sources and not evidence.quotes):
        names = "; ".join(
            f'<a href="{html.escape("sources?" + urlencode({"id": to_curie(s.iri)}))}">'
            f"{html.escape(s.label)}</a>"
            for s in unquoted or evidence.sources
        )
        parts.append(f'<div class="ck-src">Source: {names}</div>')
    if not parts:
        parts.append('<div class="ck-src">No source recorded for this fact.</div>')
    return "".join(parts)


STYLE = (
    """
<style>
.ck-quote { border-left: 3px solid #94a3b8; margin: 0 0 .5rem 0; padding: .1rem .6rem;
  font-size: .9rem; color: #1f2937; background: #f8fafc; }
.ck-src { font-size: .8rem; color: #475569; margin-top: .15rem; }
.ck-quote[id] { scroll-margin-top: 4.5rem; }
.ck-context { color: #64748b; }
table.ck-bars, table.ck-matrix { border-collapse: collapse; width: 100%; font-size: .9rem; }
table.ck-bars caption, table.ck-matrix caption { caption-side: top; text-align: left;
  font-weight: 600; padding: .2rem 0; }
.ck-scroll { overflow-x: auto; max-width: 100%; margin-bottom: .3rem; }
.ck-scroll:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
table.ck-bars th, table.ck-bars td, table.ck-matrix th, table.ck-matrix td {
  padding: .25rem .4rem; border-bottom: 1px solid #e5e7eb; text-align: left;
  vertical-align: middle; font-weight: normal; }
table.ck-bars thead th, table.ck-matrix thead th { font-weight: 600; color: #475569; }
"""
    + BARS_CSS
    + """td.ck-yes { background: #2f7d4f; color: #fff; text-align: center; }
td.ck-no { background: #f1f5f9; color: #374151; text-align: center; }
.ck-quote mark { background: #fef3c7; color: #1f2937; padding: 0 .1rem; }
.ck-fact { border-top: 1px solid #e2e8f0; padding: .5rem 0 .2rem 0; }
.ck-fact-title { font-weight: 600; margin-bottom: .2rem; }
.ck-src a, .ck-fact a { color: #1d4ed8; }
a:focus-visible, button:focus-visible, [role="tab"]:focus-visible, input:focus-visible,
[data-testid="stPageLink"] a:focus-visible { outline: 3px solid #1d4ed8 !important;
  outline-offset: 2px; border-radius: 3px; }
.ck-table-wrap { overflow-x: auto; max-height: 40rem; overflow-y: auto;
  border: 1px solid #e5e7eb; border-radius: .4rem; margin-bottom: .5rem; }
table.ck-answer { border-collapse: collapse; width: 100%; font-size: .9rem; }
table.ck-answer th, table.ck-answer td { padding: .35rem .5rem; text-align: left;
  vertical-align: top; border-bottom: 1px solid #e5e7eb; white-space: normal;
  overflow-wrap: anywhere; min-width: 6rem; max-width: 32rem; font-weight: normal; }
table.ck-answer thead th { position: sticky; top: 0; background: #f8fafc; font-weight: 600;
  color: #334155; z-index: 1; }
table.ck-answer tbody th { font-weight: 600; }
table.ck-answer td.ck-num { text-align: right; font-variant-numeric: tabular-nums;
  min-width: 3rem; }
table.ck-answer a { color: #1d4ed8; }
@media (max-width: 640px) {
  .ck-table-wrap { max-height: none; border: none; }
  table.ck-answer thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); }
  table.ck-answer, table.ck-answer tbody, table.ck-answer tr,
  table.ck-answer th, table.ck-answer td { display: block; width: auto; max-width: none;
    min-width: 0; }
  table.ck-answer tr { border: 1px solid #e2e8f0; border-radius: .4rem; margin: 0 0 .6rem 0;
    padding: .3rem .5rem; }
  table.ck-answer th, table.ck-answer td { border: none; padding: .15rem 0;
    text-align: left; }
  table.ck-answer td::before { content: attr(data-label) ": "; font-weight: 600;
    color: #475569; }
  table.ck-answer td.ck-num { text-align: left; }
}
.ck-card { display: grid; grid-template-columns: 3fr 2fr; gap: 1rem; border: 1px solid #e2e8f0;
  border-radius: .5rem; padding: .6rem .8rem; margin: 0 0 .6rem 0; }
.ck-card-title { font-weight: 600; margin-bottom: .2rem; }
.ck-card ul { margin: .1rem 0 .2rem 1.1rem; padding: 0; }
.ck-card a { color: #1d4ed8; }
.ck-note { font-size: .85rem; color: #64748b; margin-top: .2rem; }
@media (max-width: 640px) { .ck-card { grid-template-columns: 1fr; gap: .4rem; } }
details.ck-details { margin: 0 0 .6rem 0; font-size: .95rem; }
details.ck-details summary { cursor: pointer; color: #1f4e79; }
details.ck-details p { margin: .4rem 0 0 0; }
nav.ck-nav { border-bottom: 1px solid #e2e8f0; padding: 0 0 .4rem 0; margin: 0 0 .6rem 0; }
nav.ck-nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  align-items: baseline; gap: .15rem .9rem; }
nav.ck-nav li { margin: 0; }
nav.ck-nav .ck-nav-label { font-size: .8rem; color: #475569; margin-right: .4rem; }
nav.ck-nav a { text-decoration: none; color: #1e3a8a; }
nav.ck-nav a:hover { text-decoration: underline; }
nav.ck-nav a[aria-current="page"] { font-weight: 700; color: #0f172a;
  border-bottom: 2px solid #1d4ed8; }
.ck-count { font-size: .875rem; color: #475569; margin: 0 0 .5rem 0; }
nav.ck-views { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem;
  margin: .2rem 0 .6rem 0; font-size: .95rem; }
nav.ck-views ul { display: flex; flex-wrap: wrap; gap: .3rem; list-style: none; margin: 0;
  padding: 0; }
nav.ck-views li { margin: 0; }
nav.ck-views a, nav.ck-views [aria-current] { display: inline-block; padding: .2rem .75rem;
  border: 1px solid #cbd5e1; border-radius: .5rem; text-decoration: none; color: #1d4ed8; }
nav.ck-views [aria-current] { background: #1f4e79; border-color: #1f4e79; color: #fff;
  font-weight: 600; }
.ck-views-label { color: #475569; }
p.ck-downloads { display: flex; flex-wrap: wrap; gap: .5rem; margin: .4rem 0 .6rem 0; }
p.ck-downloads a { display: inline-block; padding: .35rem .9rem; border: 1px solid #cbd5e1;
  border-radius: .5rem; text-decoration: none; color: #1f2937; background: #fff; }
p.ck-downloads a:hover { border-color: #1f4e79; color: #1f4e79; }
ol.ck-rows { list-style: none; margin: 0 0 .5rem 0; padding: 0; }
ol.ck-rows > li { border: 1px solid #e2e8f0; border-radius: .5rem; padding: .5rem .8rem;
  margin: 0 0 .6rem 0; }
ol.ck-rows ul { margin: .2rem 0 0 1.1rem; padding: 0; }
ol.ck-rows a { color: #1d4ed8; }
.ck-row-title { font-weight: 600; margin: 0; }
.ck-row-key { font-weight: 600; color: #475569; }
form.ck-filters { margin: .2rem 0 .6rem 0; font-size: .95rem; }
.ck-filter-search { display: flex; flex-direction: column; gap: .2rem; max-width: 40rem; }
.ck-filter-search input { padding: .4rem .6rem; border: 1px solid #94a3b8;
  border-radius: .4rem; font-size: 1rem; }
.ck-filter-fields { display: flex; flex-wrap: wrap; gap: .4rem 1rem; margin: .5rem 0; }
details.ck-filter summary { cursor: pointer; color: #1f4e79; }
.ck-filter-state { color: #64748b; }
details.ck-filter fieldset { border: 1px solid #e2e8f0; border-radius: .4rem;
  margin: .3rem 0; padding: .3rem .6rem; max-height: 16rem; overflow-y: auto; }
details.ck-filter legend { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); }
details.ck-filter label { display: block; padding: .1rem 0; }
.ck-filter-actions { display: flex; gap: 1rem; align-items: center; }
.ck-filter-actions button { padding: .3rem 1rem; border: 1px solid #1f4e79;
  border-radius: .4rem; background: #1f4e79; color: #fff; cursor: pointer; }
.ck-filter-actions a { color: #1d4ed8; }
.ck-too-long { color: #8a1c1c; font-weight: 600; margin: .5rem 0 0; }
input:focus-visible, summary:focus-visible { outline: 3px solid #1d4ed8 !important;
  outline-offset: 2px; }
.ck-flag { font-size: .9rem; color: #92400e; background: #fffbeb; border-left: 3px solid #f59e0b;
  padding: .2rem .6rem; margin: .2rem 0 .4rem 0; }
.ck-legend { font-size: .85rem; line-height: 1.8; }
.ck-key { display: inline-block; margin-right: 1rem; }
.ck-key-node { display: inline-block; width: .8rem; height: .8rem; vertical-align: middle; }
.ck-key-link { display: inline-block; width: 1.4rem; height: .2rem; vertical-align: middle; }
.ck-net-layout { display: grid; grid-template-columns: minmax(0, 1fr); gap: .8rem; }
@media (min-width: 1700px) { .ck-net-layout {
  grid-template-columns: minmax(0, 3fr) minmax(14rem, 1fr); align-items: start; } }
.ck-net-wrap { overflow-x: auto; border: 1px solid #e5e7eb; border-radius: .4rem; }
svg.ck-net { display: block; width: 100%; height: auto; background: #fff; }
svg.ck-net text { fill: #111827; paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; font-family: inherit; }
svg.ck-net a.ck-node { cursor: pointer; }
svg.ck-net a.ck-node:hover text, svg.ck-net a.ck-node:focus text { font-weight: 700; }
svg.ck-net a.ck-node:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
svg.ck-net a.ck-node:focus-visible circle, svg.ck-net a.ck-node:focus-visible rect {
  stroke: #1d4ed8; stroke-width: 4px; }
.ck-panel { border: 1px solid #e2e8f0; border-radius: .5rem; padding: .6rem .8rem;
  font-size: .95rem; }
.ck-panel:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.ck-panel h2.ck-panel-name { font-size: 1.15rem; margin: 0 0 .2rem 0; padding: 0; }
.ck-panel ul { margin: .2rem 0 .4rem 1.1rem; padding: 0; }
.ck-panel a, ul.ck-columns a { color: #1d4ed8; }
.ck-topics a, ul.ck-questions a { color: #1d4ed8; }
ul.ck-questions { margin: .2rem 0 1rem 0; }
ul.ck-columns { columns: 16rem; margin: .4rem 0 0 1.1rem; padding: 0; }
fieldset.ck-relations { border: 1px solid #e2e8f0; border-radius: .4rem; margin: 0;
  padding: .2rem .6rem; display: flex; flex-wrap: wrap; gap: .2rem 1rem; }
fieldset.ck-relations legend { font-size: .85rem; color: #475569; padding: 0 .2rem; }
.ck-cap input { width: 5.5rem; padding: .3rem .4rem; border: 1px solid #94a3b8;
  border-radius: .4rem; }
.ck-param { display: flex; flex-direction: column; gap: .2rem; min-width: 16rem;
  max-width: 32rem; }
.ck-param select, .ck-param input { padding: .4rem .5rem; border: 1px solid #94a3b8;
  border-radius: .4rem; font-size: 1rem; background: #fff; }
.ck-param .ck-help { font-size: .8rem; color: #64748b; }
.ck-param .ck-find { display: flex; flex-wrap: wrap; align-items: center; gap: .3rem;
  font-size: .85rem; color: #475569; }
.ck-param .ck-find input { flex: 1 1 10rem; }
dl.ck-counts { display: flex; flex-wrap: wrap; gap: .5rem 2.5rem; margin: .3rem 0 1rem 0; }
.ck-count { display: flex; flex-direction: column-reverse; }
.ck-count dt { font-size: .9rem; color: #475569; font-weight: normal; }
.ck-count dd { font-size: 2.1rem; margin: 0; line-height: 1.2; color: #1f2937; }
.ck-filter-search + .ck-filter-actions { margin-top: .4rem; }
.ck-param.ck-wide { max-width: none; margin-bottom: .5rem; }
.ck-param textarea { font-family: "Source Code Pro", monospace; font-size: .9rem;
  padding: .4rem .5rem; border: 1px solid #94a3b8; border-radius: .4rem; width: 100%;
  box-sizing: border-box; }
label.ck-check { display: block; margin: .2rem 0 .5rem 0; }
textarea:focus-visible, select:focus-visible { outline: 3px solid #1d4ed8 !important;
  outline-offset: 2px; }
/* Streamlit's "Link to heading" anchors (a tab stop beside every heading, all named alike):
   not drawn, so not in the tab order, on pages whose headings are not already made
   without them (anchor=False) */
[data-testid="stHeaderActionElements"] a[href^="#"] { display: none; }
p.ck-back { margin: 0 0 .2rem 0; }
ul.ck-sources li { margin-bottom: .4rem; }
dl.ck-record { display: grid; grid-template-columns: max-content minmax(0, 1fr);
  gap: .15rem .8rem; margin: 0 0 .8rem 0; }
dl.ck-record dt { font-weight: 600; color: #475569; }
dl.ck-record dd { margin: 0; overflow-wrap: anywhere; }
</style>
"""
)


def inject_style() -> None:
    """The stylesheet is sent once per run with the same-tab script (``same_tab_links``);
    pages opened without the router (tests) get it here."""
    if not st.session_state.get("_ck_style_sent"):
        st.html(STYLE)


# --------------------------------------------------------------------------- facts & profiles


def segments_html(segments: Sequence[Segment], index: ExplorerIndex, *, current: str = "") -> str:
    """HTML for a fact's text: named things with a profile become (same-tab) links."""
    out: list[str] = []
    for segment in segments:
        if isinstance(segment, tuple):
            label, iri = segment
            link = href_for(iri, index) if iri != current else None
            text = html.escape(label)
            out.append(f'<a href="{html.escape(link, quote=True)}">{text}</a>' if link else text)
        else:
            out.append(html.escape(segment))
    return "".join(out)


def fact_html(fact: Fact, index: ExplorerIndex, current: str = "") -> str:
    """One fact as one element: what is recorded on the left, its evidence on the right
    (stacked on a narrow screen). One element per fact is much lighter for the browser than
    a bordered container with two columns, a Markdown block and an HTML block."""
    lines = [
        f'<div class="ck-card-title">{segments_html(fact.title, index, current=current)}</div>'
    ]
    items = [
        f"<li>{html.escape(label)}: {segments_html(value, index, current=current)}</li>"
        for label, value in fact.details
    ]
    for label, values in fact.lists:
        inner = "".join(f"<li>{html.escape(item)}</li>" for item in values)
        items.append(f"<li>{html.escape(label)}:<ul>{inner}</ul></li>")
    if items:
        lines.append(f"<ul>{''.join(items)}</ul>")
    if fact.flag:
        lines.append(f'<div class="ck-flag">{html.escape(fact.flag)}</div>')
    lines.extend(f'<div class="ck-note">{html.escape(note)}</div>' for note in fact.notes)
    evidence = evidence_html(index.evidence(fact.node)) if fact.node is not None else ""
    return (
        f'<div class="ck-card"><div class="ck-card-main">{"".join(lines)}</div>'
        f'<div class="ck-card-evidence">{evidence}</div></div>'
    )


def render_profile(profile: Profile, index: ExplorerIndex, back_page: str, back_label: str) -> None:
    """A profile: the back link, the name, then everything else as one HTML element (what
    it is, where that comes from, the facts by section, each beside its evidence). One
    element instead of a heading and an element per fact: each is a render of its own for
    the browser."""
    inject_style()
    back_link(back_label, back_page)
    st.title(profile.label, anchor=False)
    st.html(profile_body_html(profile, index))


def profile_body_html(profile: Profile, index: ExplorerIndex) -> str:
    esc = html.escape
    kind = "Collaboration" if profile.kind == "collaboration" else "Organisation"
    summary = " · ".join(
        f"<strong>{esc(label)}:</strong> {segments_html(value, index)}"
        for label, value in profile.summary
    )
    parts = [f"<p>{kind}" + (f" · {summary}" if summary else "") + "</p>"]
    evidence = index.evidence(profile.node)
    if evidence:
        parts.append(
            '<details class="ck-details"><summary>Where this comes from</summary>'
            f"{evidence_html(evidence)}</details>"
        )
    parts.extend(f'<p class="ck-src">{esc(note)}</p>' for note in profile.notes)

    filled = [s for s in profile.sections if s.facts]
    # absences that are findings stay visible; other empty sections share one line
    shown = [s for s in profile.sections if s.facts or s.key == "accountability"]
    empty = [s for s in profile.sections if not s.facts and s.key != "accountability"]
    facts_total = sum(len(s.facts) for s in filled)
    jump = " · ".join(
        f'<a href="#{esc(s.key)}">{esc(s.title.split(":")[0])} ({len(s.facts)})</a>' for s in filled
    )
    parts.append(
        f"<p>{facts_total} recorded facts — {jump}</p>" if jump else "<p>No facts recorded yet.</p>"
    )
    parts.append(
        '<p class="ck-src">Beside each fact: the quotation and the source it comes from.</p>'
    )
    for section in shown:
        count = f" ({len(section.facts)})" if section.facts else ""
        parts.append(f'<h2 id="{esc(section.key)}">{esc(section.title)}{count}</h2>')
        if not section.facts:
            parts.append(f'<p class="ck-src">{esc(section.empty)}</p>')
            continue
        parts.extend(fact_html(fact, index, profile.iri) for fact in section.facts)
    if empty:
        names = ", ".join(s.title.split(":")[0].lower() for s in empty)
        parts.append(
            f'<p class="ck-src">Not recorded in the sources for this {esc(profile.kind)}: '
            f"{esc(names)}.</p>"
        )
    return "".join(parts)


def kind_word(kind: str) -> str:
    return sentence_case(kind)


def show_error(exc: CollabkgError, *, what: str = "That did not work") -> None:
    """An error in plain English: what, where and what to do."""
    where = f" (at {exc.location})" if exc.location else ""
    st.error(f"{what}: {exc.message}{where}", icon=":material/error:")
    if exc.hint:
        st.info(sentence_case(exc.hint), icon=":material/lightbulb:")


# --------------------------------------------------------------------------- graphs


@st.cache_resource(show_spinner=False, max_entries=64)
def network_layout(
    nodes: tuple[str, ...], edges: tuple[tuple[str, str], ...]
) -> dict[str, tuple[float, float]]:
    """Where each node of a drawing goes (made once per set of nodes and links)."""
    return layout(nodes, edges)


def draw_network(
    network: Network,
    href: Callable[[str], str | None],
    *,
    selected: str | None = None,
    after: str = "",
) -> None:
    """The network as a picture drawn on the server (``network_svg``), ``after`` beside it.

    Streamlit's sanitiser keeps HTML only (it drops SVG), so the picture is put in place by
    a one-line script of the element (``st.html`` runs it; the same-tab script already
    needs that mode): the markup is made here, every name in it escaped, and is passed as a
    JSON string. One element, drawn at once by the browser: no graph library or component
    frame to load in each new tab."""
    import hashlib
    import json

    edges = tuple(
        (network.node_iris[str(e["data"]["source"])], network.node_iris[str(e["data"]["target"])])  # type: ignore[index]
        for e in network.elements["edges"]
    )
    positions = network_layout(tuple(network.node_labels), edges)
    drawing = network_svg(network, href, selected=selected, positions=positions)
    box = "ck-net-" + hashlib.sha256(drawing.encode("utf-8")).hexdigest()[:12]
    # no "<" in the script's text: the sanitiser drops a script whose text looks like markup
    markup = json.dumps(drawing).replace("<", "\\u003c")
    st.html(
        f'<div class="ck-net-layout"><div id="{box}" class="ck-net-box"></div>{after}</div>'
        f'<script>(function () {{ var box = document.getElementById("{box}"); '
        f"if (box) box.innerHTML = {markup}; "
        # a shape just selected: its panel is brought into view and given the focus
        'var panel = document.getElementById("ck-net-panel"); '
        "if (panel) { panel.scrollIntoView({block: 'nearest'}); "
        "panel.focus({preventScroll: true}); } })();</script>",
        unsafe_allow_javascript=True,
    )


def counts_html(counts: dict[str, int]) -> str:
    """Headline counts as one HTML description list: each number with its name, in words."""
    items = "".join(
        f'<div class="ck-count"><dt>{html.escape(label)}</dt><dd>{value:,}</dd></div>'
        for label, value in counts.items()
    )
    return f'<dl class="ck-counts">{items}</dl>'


def scroll_box(table: str, label: str) -> str:
    """A wide table in a box of its own that scrolls sideways (named ``label`` for screen
    readers, and reachable by keyboard to scroll it), so that on a narrow screen only the
    table scrolls, never the whole page."""
    return (
        f'<div class="ck-scroll" role="region" aria-label="{html.escape(label, quote=True)}" '
        f'tabindex="0">{table}</div>'
    )


def matrix_html(matrix: pd.DataFrame, caption: str = "") -> str:
    """A table of "observed"/"not observed" cells (rows by columns), coloured and in words,
    in a box that scrolls sideways when the screen is narrower than the table."""
    columns = list(dict.fromkeys(matrix["Column"]))
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in columns)
    body = []
    for row, part in matrix.groupby("Row", sort=False):
        values = dict(zip(part["Column"], part["Value"], strict=True))
        cells = "".join(
            f'<td class="{"ck-yes" if values.get(c) == "observed" else "ck-no"}">'
            f"{html.escape(str(values.get(c, '')))}</td>"
            for c in columns
        )
        body.append(f'<tr><th scope="row">{html.escape(str(row))}</th>{cells}</tr>')
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (
        f'<table class="ck-matrix">{title}<thead><tr><th scope="col">Structure type</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
    return scroll_box(table, caption or "Table")


# --------------------------------------------------------------------------- the address


def sync_from_url(key: str, url_value: object, state_value: object = None) -> None:
    """Let a value in the URL (a permalink, a link) set a widget, once per new URL value.

    The page writes the URL itself after every change (``keep_address``, ``remember_url``),
    so only a value that differs from what the page last wrote comes from outside.
    """
    marker = f"_url:{key}"
    fresh = st.session_state.get(marker) != url_value or key not in st.session_state
    if url_value not in (None, [], "") and fresh:
        st.session_state[key] = url_value if state_value is None else state_value
    st.session_state[marker] = url_value


def remember_url(key: str, url_value: object) -> None:
    st.session_state[f"_url:{key}"] = url_value


def keep_address(params: dict[str, str | list[str]]) -> None:
    """Write the page's state into the address bar, on every run.

    A page opened through a link (st.page_link with query parameters) shows the
    parameters to the script, not always in the address bar; the next click would then
    rerun without them. Writing them each run keeps address and screen in step.
    """
    st.query_params.from_dict({k: v for k, v in params.items() if v not in (None, "", [])})


# --------------------------------------------------------------------------- checking


def check_turtle(data: bytes, name: str, root: str):  # type: ignore[no-untyped-def]
    """The validation report for one uploaded file, checked against the project's graph.

    Uses the validator's in-memory entry point when it has one; otherwise the bytes go to
    a private temporary folder that is deleted as soon as the check is done. Nothing is
    kept either way.
    """
    import tempfile
    from pathlib import Path

    import collabkg.validate as validation
    from collabkg.paths import ProjectPaths

    shown = Path(name).name or "case.ttl"
    in_memory = getattr(validation, "validate_text", None)
    if callable(in_memory):
        return in_memory(data, name=shown, root=root)
    project = ProjectPaths.discover(root)
    with tempfile.TemporaryDirectory(prefix="collabkg-check-") as folder:
        path = Path(folder) / (shown if shown.endswith(".ttl") else f"{shown}.ttl")
        path.write_bytes(data)
        inputs = validation.project_inputs(project, [path])
        report = validation.run(inputs, project)
    for issue in report.issues:
        if issue.file and "collabkg-check-" in issue.file:
            issue.file = shown
    report.files = [shown if "collabkg-check-" in f else f for f in report.files]
    return report
