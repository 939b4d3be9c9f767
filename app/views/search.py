"""Search: one box across organisations, collaborations, places, concepts, sources,
quotations and the other things the sources speak of (funding streams, programmes, people,
activities...); results by kind. The address holds the search (``?text=``)."""

from __future__ import annotations

import html

import streamlit as st
from ui import catalogue, context, keep_address, md_escape, page_title, run_choices

from collabkg.errors import CollabkgError
from collabkg.explorer import param_choices, search
from collabkg.explorer.search import EVIDENCE_PARAM, EVIDENCE_QUESTION, terms

root, graph, index = context()


@st.cache_resource(show_spinner=False)
def _things(root: str) -> tuple[tuple[str, str], ...]:
    """The things the evidence question offers ((label, IRI)): searched beside the lists'
    organisations and collaborations, each leading to the evidence for it. Read once."""
    try:
        catalogue(root).get(EVIDENCE_QUESTION)
        choices = run_choices(root, EVIDENCE_QUESTION, EVIDENCE_PARAM)
    except CollabkgError:
        return ()  # a catalogue without the question: the things are not searched
    return tuple(param_choices(index, EVIDENCE_PARAM, choices))


page_title("Search")
st.title("Search")
st.markdown(
    "One search across the organisations, collaborations, places, concepts, sources, "
    "quotations and the other things the sources speak of (funding streams, programmes, "
    "people, activities…). Every word you type must start a word of what is found "
    "(“collab” finds “collaboration”); case and accents do not matter. "
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
    results = search(index, text, things=_things(root))
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
            f"{count} {results.singular[kind] if count == 1 else kind.lower()}"
            for kind, count in results.counts.items()
        )
        st.caption(f"Found: {found}.")
        for kind, hits in results.groups.items():
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
