"""Home: what this is, where the data comes from, the graph in numbers and charts."""

from __future__ import annotations

import html

import streamlit as st
from state import overview
from ui import (
    FLAGSHIP_QUESTIONS,
    bars_html,
    catalogue,
    context,
    link_md,
    matrix_html,
    md_escape,
    page_title,
    run_canned,
)

from collabkg.errors import CollabkgError
from collabkg.explorer import (
    collaborations_by_structure_type,
    find_activity,
    home_counts,
    observed_matrix,
    organisations_by_sector,
    to_curie,
)

page_title("Home")
st.title("Collaborations in public services")
st.markdown(
    "A knowledge graph of **partnerships between councils, NHS bodies, voluntary and "
    "community organisations, businesses and citizens** in England, built from published "
    "case-study research. It records who works with whom, who pays, who is accountable to "
    "whom, what citizens are asked to do — and, beside every fact, the source and the "
    "quotation it comes from."
)

root, graph, index = context()
counts = home_counts(index)
for column, (label, value) in zip(st.columns(len(counts)), counts.items(), strict=True):
    column.metric(label, f"{value:,}")

st.header("Start with a question")
ids = set(catalogue(root).ids)
wigan = find_activity(index, "Wigan Deal")
# Markdown links (same tab): a list of links draws at once, with no element per link
starts: list[str] = []
for text, query_id in FLAGSHIP_QUESTIONS:
    if query_id == "co-creation-claims-vs-practice" and wigan is not None:
        starts.append(link_md(text, "collaborations", {"id": to_curie(wigan[1])}))
    elif query_id in ids:
        starts.append(link_md(text, "questions", {"q": query_id}))
starts.append(link_md("All questions", "questions"))
st.markdown("\n".join(f"- {line}" for line in starts))

st.header("What the graph holds")
left, right = st.columns(2, gap="large")
with left:
    by_type = collaborations_by_structure_type(index)
    st.markdown("**Collaborations by structure type**")
    if by_type.empty:
        st.info("No collaborations yet.")
    else:
        st.html(bars_html(by_type, "Structure type", "Collaborations"))
        st.caption(
            "Structure types are the GO Lab typology. “Not recorded”: the source does not "
            "place the collaboration in the typology."
        )
with right:
    by_sector = organisations_by_sector(index)
    st.markdown("**Organisations by sector**")
    if by_sector.empty:
        st.info("No organisations yet.")
    else:
        st.html(bars_html(by_sector, "Sector", "Organisations", colour="#2f7d4f"))
        st.caption("A hybrid organisation counts once in each of its sectors.")

st.markdown("**Co-creation observed in each type of collaboration** (the sources’ Table 1)")
matrix = None
if "co-creation-by-structure-type" in ids:
    try:
        matrix = observed_matrix(index, run_canned(root, "co-creation-by-structure-type", ()))
    except CollabkgError:
        matrix = None
if matrix is None or matrix.empty:
    st.info("The co-creation table is not available.")
else:
    st.html(matrix_html(matrix))
    st.caption(
        "“Observed”: the researchers classify an activity of a collaboration of that type as "
        "that kind of co-creation. Claims made by councils do not count here."
    )
    st.markdown(
        link_md("The table behind this chart", "questions", {"q": "co-creation-by-structure-type"})
    )

st.header("Where the data comes from")
st.markdown(
    "Each case is a Turtle file written by researchers from the published sources below. "
    "Nothing is invented: where a source does not name an organisation or a place, the "
    "graph says so (“not named in the source”)."
)
sources = sorted(index.sources.values(), key=lambda s: (s.date or "9999", s.label))
lines = []
for source in sources:
    who = ", ".join(source.creators) if source.creators else "author not named in the text"
    bits = [b for b in (source.kind, who, source.publisher, source.date) if b]
    link = link_md(source.label, "sources", {"id": to_curie(source.iri)})
    lines.append(f"- {link} — {md_escape(' · '.join(bits))}")
st.markdown("\n".join(lines))

numbers = overview(root)
files = f" from {len(numbers.per_file)} files" if numbers.per_file else ""
st.html(
    '<details class="ck-details"><summary>About the graph (for analysts)</summary>'
    f"<p>{numbers.triples:,} facts (triples){html.escape(files)}.</p>"
    "<p>Analysts can ask their own questions on the SPARQL page, or run the same queries "
    "from the command line with <code>collabkg query</code>.</p></details>"
)
