"""The Collaborations and Organisations pages: a searchable list, or a profile (``?id=``)."""

from __future__ import annotations

import streamlit as st
from ui import (
    cached_entity_table,
    cached_profile,
    context,
    keep_address,
    page_title,
    render_profile,
)

from collabkg.explorer import (
    PAGE_OF_KIND,
    ExplorerIndex,
    FilterField,
    Kind,
    ListFilters,
    filter_entities,
    filter_options,
    filters_form_html,
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


def show_list(kind: Kind) -> None:
    _root, _graph, index = context()
    words = TEXT[kind]
    page_title(words["title"])
    st.title(words["title"])
    st.markdown(words["intro"])
    options = filter_options(index, kind)

    # the address holds the search and the filters (a link reopens the same list); the
    # form below changes the address, and the list is drawn from it
    search = st.query_params.get("search", "").strip()
    labels = {
        "structure_types": "Structure type",
        "sectors": "Sector",
        "places": "Place",
        "sources": "Source",
    }
    fields: list[FilterField] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for param, field in URL_FILTERS.items():
        if field == "structure_types" and kind != "collaboration":
            continue
        wanted = tuple(v for v in st.query_params.get_all(param) if v in options[field])
        chosen[field] = wanted
        fields.append(FilterField(param, labels[field], tuple(options[field]), wanted))
    address: dict[str, str | list[str]] = {"search": search}
    for field in fields:
        address[field.param] = list(field.chosen)
    keep_address(address)
    hint = "A name, a place, a kind of organisation…"
    st.html(filters_form_html(PAGE_OF_KIND[kind], search, fields, placeholder=hint))

    total = len(index.collaborations() if kind == "collaboration" else index.organisations())
    count, drawn = list_table(_root, kind, search, tuple(sorted(chosen.items())), index)
    st.caption(f"{count} of {total} {words['many']}. Select a name to open its profile.")
    if not count:
        st.info(f"No {words['one']} matches. Clear a filter or change the search.")
        return
    st.html(drawn)


@st.cache_resource(show_spinner=False, max_entries=128)
def list_table(
    root: str,
    kind: Kind,
    search: str,
    chosen: tuple[tuple[str, tuple[str, ...]], ...],
    _index: ExplorerIndex,
) -> tuple[int, str]:
    """How many entities the search and filters keep, and their table as HTML (names link to
    their profiles, same tab; every cell whole; a card per row when narrow). Made once per
    search and filters: filtering the table in pandas was about a fifth of the list page's
    server work on every run, for every new session."""
    entities = filter_entities(_index, kind, ListFilters(text=search, **dict(chosen)))
    table = cached_entity_table(root, kind)
    table = table[table["iri"].isin({e.iri for e in entities})]
    if table.empty:
        return 0, ""
    shown = table.drop(columns=["iri", "Name"]).rename(columns={"link": "Name"})
    return len(table), table_html(shown, ["Name"], rows=len(shown))


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
