"""Sources: the published texts the graph is built from, and a page per source (``?id=``)
with every fact that cites it and each quotation in its passage of the text."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st
from ui import (
    back_link,
    cached_source_page,
    context,
    inject_style,
    keep_address,
    link_html,
    page_title,
)

from collabkg.errors import ParameterError
from collabkg.explorer import PAGE_OF_KIND, SourcePage, from_curie, to_curie
from collabkg.explorer.sources import quote_anchor

root, graph, index = context()
inject_style()


def source_line(label: str, bits: list[str]) -> str:
    return " · ".join(b for b in bits if b)


def show_all() -> None:
    page_title("Sources")
    st.title("Sources", anchor=False)
    st.markdown(
        "The published texts the knowledge graph is built from. Every fact in the graph "
        "points to one of them, most with the words they quote. Open a source to see all "
        "it says, each quotation in its place in the text."
    )
    keep_address({})
    lines = []  # one HTML list (same-tab links): no element per source
    for source in sorted(index.sources.values(), key=lambda s: (s.date or "9999", s.label)):
        who = ", ".join(source.creators) if source.creators else "author not named in the text"
        line = source_line(source.label, [source.kind, who, source.publisher, source.date])
        link = link_html(source.label, "sources", {"id": to_curie(source.iri)})
        lines.append(f"<li>{link}<br>{html.escape(line)}</li>")
    st.html(f'<ul class="ck-sources">{"".join(lines)}</ul>')


def _href(page: str, **params: str) -> str:
    return f"{page}?{urlencode(params)}"


def profile_link(iri: str) -> str:
    return _href(PAGE_OF_KIND[index.kind(iri) or ""], id=to_curie(iri))


def group_html(page: SourcePage, number: int, anchored: set[str] | None = None) -> str:
    """A group's facts, each with its quotations in their passages. A quotation's first
    place on the page carries its anchor (``id="q-<its local name>"``, what links to it
    end with); ``anchored`` holds the quotations already given theirs (one that backs
    several facts is shown under each, and an id is used once on a page)."""
    anchored = set() if anchored is None else anchored
    group = page.groups[number]
    parts: list[str] = []
    for fact in group.facts:
        about = ""
        if fact.about:
            links = ", ".join(
                f'<a href="{html.escape(profile_link(iri))}">{html.escape(label)}</a>'
                for label, iri in fact.about
                if index.kind(iri)
            )
            about = f'<div class="ck-src">About: {links}</div>'
        title = html.escape(fact.label)
        kind = index.kind(fact.iri)
        if kind:
            href = html.escape(_href(PAGE_OF_KIND[kind], id=to_curie(fact.iri)))
            title = f'<a href="{href}">{title}</a>'
        quotes = []
        for quote, passage in fact.quotes:
            who = f" — {html.escape(quote.speaker)}" if quote.speaker else ""
            where = (
                f'<div class="ck-src">{html.escape(quote.locator)}</div>' if quote.locator else ""
            )
            if passage is not None:
                body = (
                    f'<span class="ck-context">{html.escape(passage.before)} </span>'
                    f"<mark>{html.escape(passage.quoted)}</mark>"
                    f'<span class="ck-context"> {html.escape(passage.after)}</span>'
                )
            else:
                body = f"“{html.escape(quote.text)}”"
            anchor = ""
            if quote.iri not in anchored:
                anchored.add(quote.iri)
                anchor = f' id="{html.escape(quote_anchor(quote.iri))}"'
            quotes.append(f'<blockquote class="ck-quote"{anchor}>{body}{who}{where}</blockquote>')
        parts.append(
            f'<div class="ck-fact"><div class="ck-fact-title">{title}</div>{about}'
            + "".join(quotes)
            + "</div>"
        )
    return "".join(parts)


def source_body_html(page: SourcePage) -> str:
    """Everything below the source's title as one HTML element: what the source is, how
    many facts cite it, links to its groups, then each group (an H2, its anchor
    ``group-<n>``) with its facts, each quotation anchored (``q-<its local name>``). One
    element instead of a heading and a block per group (about 60 websocket messages for
    the longest source): each element costs the browser a render of its own."""
    esc = html.escape
    info = page.info
    who = ", ".join(info.creators) if info.creators else "author not named in the text"
    # what the graph records to trace the source (journal, publisher, date, address...)
    record = [(what, value) for what, value in page.record if what != "Title"]
    if not any(what == "Authors" for what, _ in record):
        record.insert(0, ("Authors", who))
    details = "".join(f"<dt>{esc(what)}</dt><dd>{esc(value)}</dd>" for what, value in record)
    parts = [
        f"<p>{esc(info.kind)}</p>" if info.kind else "",
        f'<dl class="ck-record">{details}</dl>',
        f"<p><strong>{page.fact_count} facts</strong> in the graph cite this source, with "
        f"<strong>{page.quotation_count} quotations</strong>."
        + (
            " Each quotation is shown in its place in the text, highlighted."
            if page.text_available
            else ""
        )
        + "</p>",
    ]
    if page.text_note:
        parts.append(f'<p class="ck-src">{esc(page.text_note)}</p>')
    jump = " · ".join(
        f'<a href="#group-{n}">{esc(g.title)} ({len(g.facts)})</a>'
        for n, g in enumerate(page.groups)
    )
    if jump:
        parts.append(f"<p>{jump}</p>")
    anchored: set[str] = set()
    for number, group in enumerate(page.groups):
        parts.append(
            f'<h2 id="group-{number}">{esc(group.title)} ({len(group.facts)})</h2>'
            + group_html(page, number, anchored)
        )
    return "".join(parts)


@st.cache_resource(show_spinner=False, max_entries=64)
def cached_source_body(root: str, iri: str) -> str:
    """The body of a source's page, made once per source (the page is the same for all)."""
    page = cached_source_page(root, iri)
    return source_body_html(page) if page is not None else ""


def show_source(page: SourcePage) -> None:
    info = page.info
    page_title(info.label, "Sources")
    keep_address({"id": to_curie(info.iri)})
    back_link("All sources", "sources")
    st.title(info.label, anchor=False)
    st.html(cached_source_body(root, info.iri))


wanted = st.query_params.get("id")
chosen = None
if wanted:
    try:
        chosen = cached_source_page(root, from_curie(wanted))
    except ParameterError:
        chosen = None
    if chosen is None:
        st.warning("There is no source with that identifier. Choose one from the list.")
if chosen is None:
    show_all()
else:
    show_source(chosen)
