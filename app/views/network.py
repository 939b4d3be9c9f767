"""Network: organisations and collaborations, linked by membership, funding, accountability
and asset transfers. Click a node to select it; double-click it to open its profile."""

from __future__ import annotations

import streamlit as st
from st_link_analysis import Event
from ui import (
    PAGE_FILES,
    context,
    draw_graph,
    keep_address,
    legend_html,
    network_links_table,
    network_summary,
    page_title,
    remember_url,
    sync_from_url,
)

from collabkg.explorer import (
    DEFAULT_NODE_CAP,
    RELATIONS,
    NetEdge,
    build_network,
    filter_options,
    network_edges,
    sentence_case,
    to_curie,
)

root, graph, index = context()


@st.cache_data(show_spinner=False)
def _edges(root: str) -> list[NetEdge]:
    return network_edges(index)


def _page_of(iri: str) -> str:
    return "collaborations" if index.kind(iri) == "collaboration" else "organisations"


page_title("Network")
st.title("Network")
st.markdown(
    "Who works with whom. Circles are organisations, coloured by sector; dark squares are "
    "collaborations. Lines show who is a **member of** a collaboration, who **funds** whom, "
    "who is **accountable to** whom and who **transfers an asset to** whom. "
    "Click a shape to select it, double-click to open its profile; scroll to zoom, drag to "
    "move."
)

options = filter_options(index, "collaboration")["structure_types"]
# the address holds the filters: a link reopens the same drawing
sync_from_url("net:relations", [r for r in st.query_params.get_all("relation") if r in RELATIONS])
sync_from_url("net:structure", [s for s in st.query_params.get_all("structure") if s in options])
url_cap = st.query_params.get("cap", "")
sync_from_url("net:cap", int(url_cap) if url_cap.isdigit() and 2 <= int(url_cap) <= 1000 else None)

left, middle, right = st.columns([3, 2, 1], vertical_alignment="bottom")
with left:
    relations = st.pills(
        "Relations",
        list(RELATIONS),
        selection_mode="multi",
        default=None if "net:relations" in st.session_state else list(RELATIONS),
        format_func=sentence_case,
        key="net:relations",
    )
with middle:
    structure_types = st.multiselect(
        "Structure type of collaborations",
        options,
        placeholder="Any",
        key="net:structure",
    )
with right:
    cap = int(
        st.number_input(
            "Show at most",
            min_value=2,
            max_value=1000,
            value=None if "net:cap" in st.session_state else DEFAULT_NODE_CAP,
            step=10,
            key="net:cap",
            help="The most organisations and collaborations drawn at once.",
        )
        or DEFAULT_NODE_CAP
    )
all_relations = set(relations or []) == set(RELATIONS)
remember_url("net:relations", list(relations or []) or None)
remember_url("net:structure", list(structure_types) or None)
remember_url("net:cap", cap)
keep_address(
    {
        "relation": [] if all_relations else list(relations or []) or ["none"],
        "structure": list(structure_types),
        "cap": "" if cap == DEFAULT_NODE_CAP else str(cap),
    }
)

network = build_network(
    index, _edges(root), relations=relations or [], structure_types=structure_types, cap=cap
)
if network.message:
    st.warning(network.message, icon=":material/filter_alt:")
if not network.shown_nodes:
    st.info("Nothing to show: choose at least one relation, or clear the structure type filter.")
    st.stop()

st.html(legend_html(network))
st.caption(network_summary(network))
picked = draw_graph(
    network,
    key="net:graph",
    events=[
        Event("select_node", "click tap", "node"),
        Event("open_node", "dblclick dbltap", "node"),
    ],
)

network_links_table(network)

selected = None
if isinstance(picked, dict):
    target = network.node_iris.get(str((picked.get("data") or {}).get("target_id")))
    if target in network.node_labels:
        selected = target
        if picked.get("action") == "open_node" and index.kind(target) is not None:
            stamp = picked.get("timestamp")
            if st.session_state.get("net:opened") != stamp:
                st.session_state["net:opened"] = stamp
                st.switch_page(PAGE_FILES[_page_of(target)], query_params={"id": to_curie(target)})

# everything the filters keep, drawn or not (the cap may leave some out)
labels = {iri: index.label(iri) for iri in network.matching if index.kind(iri)}
choice = st.selectbox(
    "Open the profile of",
    options=sorted(labels, key=lambda iri: labels[iri].lower()),
    index=None,
    format_func=lambda iri: labels[iri],
    placeholder="Choose an organisation or collaboration…",
    key="net:choice",
)
target = choice or selected
if target and index.kind(target):
    st.page_link(
        PAGE_FILES[_page_of(target)],
        label=f"Open the profile of {labels.get(target, index.label(target))}",
        icon=":material/arrow_forward:",
        query_params={"id": to_curie(target)},
    )
elif target:
    st.caption(f"{index.label(target)} has no profile page (it is not an organisation).")
