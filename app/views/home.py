"""Home: what this is, where the data comes from, the graph in numbers and charts."""

from __future__ import annotations

import html
from dataclasses import dataclass

import streamlit as st
from state import graph_or_stop, overview
from ui import (
    FLAGSHIP_QUESTIONS,
    bars_html,
    catalogue,
    counts_html,
    explorer_index,
    link_html,
    matrix_html,
    page_title,
    run_canned,
)

from collabkg.errors import CollabkgError
from collabkg.explorer import (
    ExplorerIndex,
    collaborations_by_structure_type,
    filter_options,
    find_activity,
    home_counts,
    observed_matrix,
    organisations_by_sector,
    to_curie,
)

MATRIX_CAPTION = "Co-creation observed in each type of collaboration (the sources’ Table 1)"


@dataclass(frozen=True)
class HomeParts:
    counts: dict[str, int]
    starts: str
    """The flagship questions as an HTML list of same-tab links."""
    by_type: str | None
    by_sector: str | None
    matrix: str | None
    """Table 1 as HTML (None when the question or its answer is missing)."""
    sources: str
    """The sources as an HTML list of same-tab links."""


@st.cache_resource(show_spinner=False)
def home_parts(root: str, _index: ExplorerIndex) -> HomeParts:
    """What Home draws, worked out once per project (a rerun only draws): counts, the
    flagship links, the two bar charts, Table 1 and the list of sources."""
    index = _index
    ids = set(catalogue(root).ids)
    wigan = find_activity(index, "Wigan Deal")
    starts: list[str] = []
    markets = "Collaborative market"
    listed_markets = markets in filter_options(index, "collaboration")["structure_types"]
    for text, query_id in FLAGSHIP_QUESTIONS:
        if query_id == "collaborations-by-structure-type" and listed_markets:
            # the collaborative markets themselves (the question lists every structure type)
            starts.append(link_html(text, "collaborations", {"structure": markets}))
        elif query_id == "co-creation-claims-vs-practice" and wigan is not None:
            starts.append(link_html(text, "collaborations", {"id": to_curie(wigan[1])}))
        elif query_id in ids:
            starts.append(link_html(text, "questions", {"q": query_id}))
    starts.append(link_html("All questions", "questions"))
    by_type = collaborations_by_structure_type(index)
    by_sector = organisations_by_sector(index)
    matrix = None
    if "co-creation-by-structure-type" in ids:
        try:
            matrix = observed_matrix(index, run_canned(root, "co-creation-by-structure-type", ()))
        except CollabkgError:
            matrix = None
    lines = []
    for source in sorted(index.sources.values(), key=lambda s: (s.date or "9999", s.label)):
        who = ", ".join(source.creators) if source.creators else "author not named in the text"
        bits = [b for b in (source.kind, who, source.publisher, source.date) if b]
        link = link_html(source.label, "sources", {"id": to_curie(source.iri)})
        lines.append(f"<li>{link} — {html.escape(' · '.join(bits))}</li>")
    return HomeParts(
        counts=home_counts(index),
        starts="<ul>" + "".join(f"<li>{line}</li>" for line in starts) + "</ul>",
        by_type=None if by_type.empty else bars_html(by_type, "Structure type", "Collaborations"),
        by_sector=None
        if by_sector.empty
        else bars_html(by_sector, "Sector", "Organisations", colour="#2f7d4f"),
        matrix=None
        if matrix is None or matrix.empty
        else matrix_html(matrix, MATRIX_CAPTION),
        sources="<ul>" + "".join(lines) + "</ul>",
    )


page_title("Home")
st.title("Collaborations in public services", anchor=False)
st.markdown(
    "A knowledge graph of **partnerships between councils, NHS bodies, voluntary and "
    "community organisations, businesses and citizens** in England, built from published "
    "case-study research. It records who works with whom, who pays, who is accountable to "
    "whom, what citizens are asked to do — and, beside every fact, the source and the "
    "quotation it comes from."
)

root, graph = graph_or_stop()
# counted before the index is made: where no earlier count is kept, the engine's count holds
# every triple (1.9 GB at 10M triples), which beside the index being made took the first
# start's peak to 8.3 GB
numbers = overview(root)
index = explorer_index(root)
parts = home_parts(root, index)
# the counts as one HTML list (no metric widget script to load in each new tab)
st.html(counts_html(parts.counts))

st.header("Start with a question", anchor=False)
# HTML links (same tab; Streamlit's Markdown gives a link target="_blank"): a list of
# links draws at once, with no element per link
st.html(parts.starts)

st.header("What the graph holds", anchor=False)
left, right = st.columns(2, gap="large")
with left:
    st.markdown("**Collaborations by structure type**")
    if parts.by_type is None:
        st.info("No collaborations yet.")
    else:
        st.html(parts.by_type)
        st.caption(
            "Structure types are the GO Lab typology. “Not recorded”: the source does not "
            "place the collaboration in the typology."
        )
with right:
    st.markdown("**Organisations by sector**")
    if parts.by_sector is None:
        st.info("No organisations yet.")
    else:
        st.html(parts.by_sector)
        st.caption("A hybrid organisation counts once in each of its sectors.")

if parts.matrix is None:
    st.markdown(f"**{MATRIX_CAPTION}**")
    st.info("The co-creation table is not available.")
else:
    st.html(parts.matrix)
    st.caption(
        "“Observed”: the researchers classify an activity of a collaboration of that type as "
        "that kind of co-creation. Claims made by councils do not count here."
    )
    st.html(
        "<p>"
        + link_html(
            "The table behind this chart", "questions", {"q": "co-creation-by-structure-type"}
        )
        + "</p>"
    )

st.header("Where the data comes from", anchor=False)
st.markdown(
    "Each case is a Turtle file written by researchers from the published sources below. "
    "Nothing is invented: where a source does not name an organisation or a place, the "
    "graph says so (“not named in the source”)."
)
st.html(parts.sources)

files = f" from {numbers.files} files" if numbers.files else ""
st.html(
    '<details class="ck-details"><summary>About the graph (for analysts)</summary>'
    f"<p>{numbers.triples:,} facts (triples){html.escape(files)}.</p>"
    "<p>Analysts can ask their own questions on the SPARQL page, or run the same queries "
    "from the command line with <code>collabkg query</code>.</p></details>"
)
