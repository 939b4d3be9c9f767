"""Network: organisations and collaborations, linked by membership, funding, accountability
and asset transfers. Drawn on the server as a picture with named shapes (no graph library
for the browser to load); select a shape to see its links, then open its profile."""

from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st
from ui import context, draw_network, keep_address, page_title

from collabkg.errors import CollabkgError
from collabkg.explorer import (
    DEFAULT_NODE_CAP,
    NetEdge,
    Network,
    NetworkState,
    build_network,
    filter_options,
    from_curie,
    legend_html,
    links_table_html,
    network_address,
    network_edges,
    network_form_html,
    network_state,
    profile_href,
    selection_html,
    to_curie,
)
from collabkg.explorer.network import coverage_words, network_groups, shapes_words

root, graph, index = context()


@st.cache_resource(show_spinner=False)
def _edges(root: str) -> list[NetEdge]:
    return network_edges(index)


@st.cache_resource(show_spinner=False)
def _groups(root: str) -> dict[str, str]:
    """The groups the sources speak of without naming their members (by IRI): neither
    organisations nor collaborations, and counted as neither."""
    return network_groups(index)


def _address(state: NetworkState) -> str:
    return "network?" + urlencode(network_address(state, default_cap=DEFAULT_NODE_CAP), doseq=True)


page_title("Network")
st.title("Network")
st.markdown(
    "Who works with whom. Circles are organisations, coloured by sector; dark squares are "
    "collaborations. Lines show who is a **member of** a collaboration, who **funds** whom, "
    "who is **accountable to** whom and who **transfers an asset to** whom. "
    "Select a shape (or its name) to see its links beside the drawing and open its profile."
)

options = filter_options(index, "collaboration")["structure_types"]
# the address holds the filters and the selected shape: a link reopens the same drawing
state = network_state(st.query_params.get_all, options, default_cap=DEFAULT_NODE_CAP)


# at most this many names in "Open the profile of…" when more than the drawing's
PROFILES_LISTED = 300


@st.cache_resource(show_spinner=False, max_entries=64)
def _network(
    root: str, relations: tuple[str, ...], structure_types: tuple[str, ...], cap: int
) -> tuple[Network, str]:
    """The drawing the filters ask for, and the list of profiles to open (HTML): made once
    per filters, not on every run (0.3 s at a million triples). The list holds everything
    the filters keep, drawn or not, up to :data:`PROFILES_LISTED`; past that, the shapes
    drawn, the others counted and found in the Collaborations and Organisations lists (at a
    million triples they were 10,000 names, about 0.9 MB for every visitor's browser)."""
    built = build_network(
        index,
        _edges(root),
        relations=relations,
        structure_types=structure_types,
        cap=cap,
        groups=_groups(root),
    )
    kept = [iri for iri in built.matching if index.kind(iri)]
    drawn = [iri for iri in kept if iri in built.node_labels]
    listed = kept if len(kept) <= PROFILES_LISTED else drawn
    labels = {iri: index.label(iri) for iri in listed}
    items = "".join(
        f'<li><a href="{html.escape(profile_href(iri, index.kind(iri)) or "", quote=True)}">'
        f"{html.escape(labels[iri])}</a></li>"
        for iri in sorted(labels, key=lambda iri: labels[iri].lower())
    )
    if len(listed) < len(kept):
        summary = (
            f"Open the profile of… ({len(listed)} drawn of the {len(kept)} organisations and "
            "collaborations the filters keep)"
        )
        rest = (
            f"<p>The other {len(kept) - len(listed)} are not drawn: find them in the "
            '<a href="collaborations">Collaborations</a> and '
            '<a href="organisations">Organisations</a> lists, or draw more shapes.</p>'
        )
    else:
        summary = (
            f"Open the profile of… ({len(kept)} organisations and collaborations the filters keep)"
        )
        rest = ""
    return built, (
        f'<details class="ck-details"><summary>{html.escape(summary)}</summary>'
        f'<ul class="ck-columns">{items}</ul>{rest}</details>'
    )


network, profiles_html = _network(
    root, tuple(state.relations), tuple(state.structure_types), state.cap
)
selected: str | None = None
if state.node:
    try:
        wanted = str(from_curie(state.node))
    except CollabkgError:
        wanted = ""
    if wanted in network.node_labels:
        selected = wanted
    elif wanted and index.kind(wanted):
        # a shape kept selected while the filters changed, which the new drawing leaves out
        st.warning(
            f"{index.label(wanted)} is not in this drawing with these filters; its selection "
            "is cleared. Draw more shapes or change the filters to see it, or select another."
        )
        state = NetworkState(state.relations, state.structure_types, state.cap)
    else:
        st.warning("The shape named in the address is not in this drawing; select another.")
        state = NetworkState(state.relations, state.structure_types, state.cap)
keep_address(network_address(state, default_cap=DEFAULT_NODE_CAP))

st.html(
    network_form_html(
        state.relations,
        options,
        state.structure_types,
        state.cap,
        selected=to_curie(selected) if selected else None,
    )
)
if network.message:
    st.warning(network.message, icon=":material/filter_alt:")
if not network.shown_nodes:
    st.info("Nothing to show: choose at least one relation, or clear the structure type filter.")
    st.stop()

st.html(legend_html(network))
links = len(network.elements["edges"])
st.caption(
    f"Drawn: {shapes_words(network.drawn_counts())} and {links} link{'' if links == 1 else 's'}"
    f"{' (' + ', '.join(network.relations) + ')' if network.relations else ''}. "
    + coverage_words(network.kept_counts(), len(index.organisations()), len(index.collaborations()))
)


def _select(iri: str) -> str:
    chosen = NetworkState(state.relations, state.structure_types, state.cap, to_curie(iri))
    return _address(chosen)


if selected is not None:
    panel = selection_html(
        network,
        selected,
        kind=network.kind_words(selected),
        profile=profile_href(selected, index.kind(selected)),
        clear=_address(NetworkState(state.relations, state.structure_types, state.cap)),
    )
else:
    panel = (
        '<section class="ck-panel" aria-label="The selected shape"><p>Select a shape, or '
        "tab to it and press Enter, to see its links here.</p></section>"
    )
draw_network(network, _select, selected=selected, after=panel)
st.html(links_table_html(network))

st.html(profiles_html)
