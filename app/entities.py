"""The Collaborations and Organisations pages: a searchable list, or a profile (``?id=``)."""

from __future__ import annotations

import streamlit as st
from ui import (
    cached_entity_table,
    cached_profile,
    context,
    keep_address,
    page_title,
    remember_url,
    render_profile,
    sync_from_url,
)

from collabkg.explorer import (
    PAGE_OF_KIND,
    Kind,
    ListFilters,
    filter_entities,
    filter_options,
    resolve_id,
    table_html,
    to_curie,
)

TEXT = {
    "collaboration": {
        "title": "Collaborations",
        "intro": (
            "Partnerships, alliances, consortia and other collaborations the sources describe. "
            "Search or filter, then select a name to see its members, funding, accountability "
            "and activities, with the quotation behind each fact."
        ),
        "one": "collaboration",
        "a": "a collaboration",
        "many": "collaborations",
        "back": "All collaborations",
    },
    "organisation": {
        "title": "Organisations",
        "intro": (
            "Councils, NHS bodies, charities, community groups, companies and other "
            "organisations that take part in the collaborations. Many are not named in the "
            "sources; their names say so."
        ),
        "one": "organisation",
        "a": "an organisation",
        "many": "organisations",
        "back": "All organisations",
    },
}

# URL parameters that hold the list's filters (e.g. ?structure=Collaborative+market)
URL_FILTERS = {
    "structure": "structure_types",
    "sector": "sectors",
    "place": "places",
    "source": "sources",
}


def _open_profile(kind: Kind, key: str) -> None:
    chosen = st.session_state.get(key)
    st.session_state[key] = None
    if chosen:  # the same page shows the profile when the address names one
        st.query_params.from_dict({"id": to_curie(chosen)})


def show_list(kind: Kind) -> None:
    _root, _graph, index = context()
    words = TEXT[kind]
    page_title(words["title"])
    st.title(words["title"])
    st.markdown(words["intro"])
    options = filter_options(index, kind)

    # the address holds the search and the filters: a link reopens the same list
    search_key = f"search:{kind}"
    sync_from_url(search_key, st.query_params.get("search"))
    for param, field in URL_FILTERS.items():
        wanted = [v for v in st.query_params.get_all(param) if v in options[field]]
        sync_from_url(f"filter:{kind}:{field}", wanted or None)

    search = st.text_input(
        "Search",
        placeholder="A name, a place, a kind of organisation…",
        key=search_key,
    )
    fields = [("sectors", "Sector"), ("places", "Place"), ("sources", "Source")]
    if kind == "collaboration":
        fields.insert(0, ("structure_types", "Structure type"))
    columns = st.columns(len(fields))
    chosen: dict[str, tuple[str, ...]] = {}
    for column, (field, label) in zip(columns, fields, strict=True):
        with column:
            chosen[field] = tuple(
                st.multiselect(
                    label,
                    options[field],
                    key=f"filter:{kind}:{field}",
                    placeholder="Any",
                )
            )
    address: dict[str, str | list[str]] = {"search": search.strip()}
    for param, field in URL_FILTERS.items():
        if field in chosen:
            address[param] = list(chosen[field])
            remember_url(f"filter:{kind}:{field}", list(chosen[field]) or None)
    remember_url(search_key, search.strip() or None)
    keep_address(address)

    filters = ListFilters(text=search, **chosen)
    entities = filter_entities(index, kind, filters)
    table = cached_entity_table(_root, kind)
    table = table[table["iri"].isin({e.iri for e in entities})]

    total = len(index.collaborations() if kind == "collaboration" else index.organisations())
    st.caption(f"{len(table)} of {total} {words['many']}.")
    if table.empty:
        st.info(f"No {words['one']} matches. Clear a filter or change the search.")
        return
    # names link to their profiles (same tab); every cell whole; a card per row when narrow
    shown = table.drop(columns=["iri", "Name"]).rename(columns={"link": "Name"})
    st.html(table_html(shown, ["Name"], rows=len(shown)))
    labels = {e.iri: e.label for e in entities}
    key = f"open:{kind}"
    st.selectbox(
        f"Open the profile of {words['a']}",
        options=list(labels),
        index=None,
        format_func=lambda iri: labels.get(iri, iri),
        placeholder=f"Choose {words['a']}…",
        key=key,
        on_change=_open_profile,
        args=(kind, key),
    )


def show(kind: Kind) -> None:
    """The page: a profile when the URL names one, the list otherwise."""
    _root, _graph, index = context()
    wanted = st.query_params.get("id")
    iri = resolve_id(index, wanted, kind)
    if wanted and iri is None:
        st.warning(
            f"There is no {TEXT[kind]['one']} with that identifier. Choose one from the list below."
        )
    if iri is None:
        show_list(kind)
        return
    page = PAGE_OF_KIND[kind]
    shown = cached_profile(_root, iri)
    page_title(shown.label, TEXT[kind]["title"])
    keep_address({"id": to_curie(iri)})
    render_profile(shown, index, page, TEXT[kind]["back"])
