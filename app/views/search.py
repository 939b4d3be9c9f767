"""Search: one box across organisations, collaborations, places, concepts, sources and
quotations; results by kind. The address holds the search (``?text=``)."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from ui import context, keep_address, md_escape, page_title, remember_url, sync_from_url

from collabkg.explorer import search
from collabkg.explorer.search import KINDS

root, graph, index = context()
page_title("Search")
st.title("Search")
st.markdown(
    "One search across the organisations, collaborations, places, concepts, sources and "
    "quotations in the graph. Every word you type must appear; case and accents do not matter."
)

sync_from_url("search:text", st.query_params.get("text"))
text = st.text_input(
    "Search the graph",
    key="search:text",
    placeholder="e.g. Wigan, co-design, short-term funding, trust…",
)
remember_url("search:text", text.strip() or None)
keep_address({"text": text.strip()})

if text.strip():
    results = search(index, text)
    if not results.total:
        st.info("Nothing matches every word. Try fewer or other words.")
    else:
        found = ", ".join(f"{results.counts[k]} {k.lower()}" for k in KINDS if k in results.counts)
        st.caption(f"Found: {found}.")
        for kind in KINDS:
            hits = results.groups.get(kind)
            if not hits:
                continue
            st.header(f"{kind} ({results.counts[kind]})")
            lines = []
            for hit in hits:
                title = md_escape(hit.title)
                if hit.page:
                    title = f"[{title}]({hit.page}?{urlencode(dict(hit.params))})"
                detail = f" — {md_escape(hit.detail)}" if hit.detail else ""
                lines.append(f"- {title}{detail}")
            st.markdown("\n".join(lines))
            if results.counts[kind] > len(hits):
                st.caption(
                    f"The first {len(hits)} of {results.counts[kind]}: "
                    "add a word to narrow the search."
                )
