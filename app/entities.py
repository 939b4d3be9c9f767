"""The Collaborations and Organisations pages: a searchable list, or a profile (``?id=``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import streamlit as st
from downloads import LIST_FILTERS, list_download_href
from ui import (
    cached_entity_table,
    cached_profile,
    context,
    keep_address,
    more_rows_html,
    page_title,
    render_profile,
    shown_rows,
)

from collabkg.explorer import (
    PAGE_OF_KIND,
    ROWS_PER_PAGE,
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

if TYPE_CHECKING:
    import pandas as pd

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


def show_list(kind: Kind, _root: str, index: ExplorerIndex) -> None:
    """The list of ``kind``. The root and index are the page's, from its one call of
    :func:`context`, which draws the banner about the data (a second call drew it twice)."""
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
    unknown: list[str] = []
    for param, field in LIST_FILTERS.items():
        if field == "structure_types" and kind != "collaboration":
            continue
        asked_for = st.query_params.get_all(param)
        wanted = tuple(v for v in asked_for if v in options[field])
        unknown += [f"{labels[field].lower()} “{v}”" for v in asked_for if v not in wanted]
        chosen[field] = wanted
        fields.append(FilterField(param, labels[field], tuple(options[field]), wanted))
    if unknown:  # never quietly: the list below is not filtered by what the link asked
        st.warning(
            f"The link asks for {' and '.join(unknown)}, which no {words['one']} in the list"
            " has: the list below is not filtered by it. Choose from the filters below."
        )
    address: dict[str, str | list[str]] = {"search": search}
    for asked in fields:
        address[asked.param] = list(asked.chosen)
    rows = shown_rows()
    page = PAGE_OF_KIND[kind]
    key = tuple(sorted(chosen.items()))
    count, drawn = list_table(_root, kind, search, key, rows, index)
    drawn += more_rows_html(page, address, rows, count, "the download has every one")
    if rows > ROWS_PER_PAGE:
        address["rows"] = str(rows)
    keep_address(address)
    hint = "A name, a place, a kind of organisation…"
    st.html(filters_form_html(page, search, fields, placeholder=hint))

    total = len(index.collaborations() if kind == "collaboration" else index.organisations())
    st.caption(f"{count} of {total} {words['many']}. Select a name to open its profile.")
    if not count:
        st.info(f"No {words['one']} matches. Clear a filter or change the search.")
        return
    st.html(drawn)

    noun = words["many"] if count != 1 else words["one"]
    href = list_download_href(kind, {k: v for k, v in address.items() if k != "rows"})
    st.html(
        f'<p class="ck-downloads"><a href="{html.escape(href, quote=True)}" download '
        f'type="text/csv">Download the {count} {noun} (CSV)</a></p>'
    )


Chosen = tuple[tuple[str, tuple[str, ...]], ...]


@st.cache_resource(show_spinner=False, max_entries=128)
def filtered_list(
    root: str, kind: Kind, search: str, chosen: Chosen, _index: ExplorerIndex
) -> pd.DataFrame:
    """The entities the search and filters keep, as the list's table (``iri``, ``Name``, the
    name as a profile ``link``, and the list's other columns), in the list's order."""
    entities = filter_entities(_index, kind, ListFilters(text=search, **dict(chosen)))
    table = cached_entity_table(root, kind)
    return table[table["iri"].isin({e.iri for e in entities})]


@st.cache_resource(show_spinner=False, max_entries=128)
def list_table(
    root: str, kind: Kind, search: str, chosen: Chosen, rows: int, _index: ExplorerIndex
) -> tuple[int, str]:
    """How many entities the search and filters keep, and the first ``rows`` of their table
    as HTML (names link to their profiles, same tab; every cell whole; a card per row when
    narrow). Made once per search, filters and length: filtering the table in pandas was
    about a fifth of the list page's server work on every run, for every new session; and a
    list is drawn a page at a time (at a million triples, every collaboration at once was
    4 MB for the browser to draw)."""
    table = filtered_list(root, kind, search, chosen, _index)
    if table.empty:
        return 0, ""
    shown = table.drop(columns=["iri", "Name"]).rename(columns={"link": "Name"})
    return len(table), table_html(shown, ["Name"], rows=rows)


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
        show_list(kind, _root, index)
        return
    page = PAGE_OF_KIND[kind]
    shown = cached_profile(_root, iri)
    page_title(shown.label, TEXT[kind]["title"])
    keep_address({"id": to_curie(iri)})
    render_profile(shown, index, page, TEXT[kind]["back"])
