"""Search: one box across organisations, collaborations, places, concepts, sources and
quotations; results by kind. The address holds the search (``?text=``)."""

from __future__ import annotations

import html

import streamlit as st
from ui import context, keep_address, md_escape, page_title

from collabkg.explorer import search
from collabkg.explorer.search import KINDS, ONE_OF_KIND, terms

root, graph, index = context()
page_title("Search")
st.title("Search")
st.markdown(
    "One search across the organisations, collaborations, places, concepts, sources and "
    "quotations in the graph. Every word you type must appear; case and accents do not matter. "
    'Put words in double quotes to find them together, in that order: "wigan council".'
)

# the address holds the search; the box is a plain GET form (its submission is the
# address, same tab), drawn at once by the browser: no widget script to load
text = st.query_params.get("text", "")
st.html(
    '<form class="ck-filters" action="search" method="get" role="search" '
    'aria-label="Search across the graph"><div class="ck-filter-search">'
    '<label for="ck-search-text">Search the graph</label>'
    '<input id="ck-search-text" type="search" name="text" '
    f'value="{html.escape(text, quote=True)}" '
    'placeholder="e.g. Wigan, co-design, short-term funding, trust…"></div>'
    '<div class="ck-filter-actions"><button type="submit">Search</button></div></form>'
)
keep_address({"text": text.strip()})

if text.strip():
    results = search(index, text)
    if not results.total:
        if any(" " in term for term in terms(text)):
            st.info(
                "Nothing matches every word and quoted phrase. Try fewer or other words, "
                "or the words without quotes."
            )
        else:
            st.info("Nothing matches every word. Try fewer or other words.")
    else:
        found = ", ".join(
            f"{results.counts[k]} {ONE_OF_KIND[k] if results.counts[k] == 1 else k.lower()}"
            for k in KINDS
            if k in results.counts
        )
        st.caption(f"Found: {found}.")
        for kind in KINDS:
            hits = results.groups.get(kind)
            if not hits:
                continue
            st.header(f"{kind} ({results.counts[kind]})")
            lines = []
            for hit in hits:
                title = md_escape(hit.title)
                if hit.href:
                    title = f"[{title}]({hit.href})"
                detail = f" — {md_escape(hit.detail)}" if hit.detail else ""
                lines.append(f"- {title}{detail}")
            st.markdown("\n".join(lines))
            if results.counts[kind] > len(hits):
                st.caption(
                    f"The first {len(hits)} of {results.counts[kind]}: "
                    "add a word to narrow the search."
                )
