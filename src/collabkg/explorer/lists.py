"""The Collaborations and Organisations lists: one row per entity, filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from collabkg.explorer.common import (
    Kind,
    profile_href,
    sentence_case,
)
from collabkg.explorer.index import Entity, ExplorerIndex

if TYPE_CHECKING:
    import pandas as pd


# --------------------------------------------------------------------------- list tables


LIST_COLUMNS = {
    "collaboration": [
        "Name",
        "Structure type",
        "Sectors involved",
        "Place",
        "Kind",
        "Members",
        "Sources",
    ],
    "organisation": ["Name", "Kind", "Sector", "Place", "Collaborations", "Sources"],
}


NOT_RECORDED = "Not recorded"
"""A list's cell where the sources give no structure type, sector or place (as Home's charts
say it), never an empty cell that could be a fault of the page."""


def _or_not_recorded(values: list[str]) -> str:
    return ", ".join(values) if values else NOT_RECORDED


def entity_table(index: ExplorerIndex, kind: Kind) -> pd.DataFrame:
    """The list page's table: one row per entity, labels only (plus ``iri`` and ``link``)."""
    import pandas as pd

    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    rows: list[dict[str, object]] = []
    for e in entities:
        linked = ", ".join(sorted((index.label(i) for i in e.links), key=str.lower))
        row: dict[str, object] = {
            "iri": e.iri,
            "link": profile_href(e.iri, e.kind, e.label),
            "Name": e.label,
            "Kind": e.type_label,
        }
        sectors = _or_not_recorded([sentence_case(s) for s in e.sectors])
        if kind == "collaboration":
            row["Structure type"] = _or_not_recorded(
                [sentence_case(s) for s in e.structure_types]
            )
            row["Sectors involved"] = sectors
            row["Place"] = _or_not_recorded(list(e.places))
            row["Members"] = linked
        else:
            row["Sector"] = sectors
            row["Place"] = _or_not_recorded(list(e.places))
            row["Collaborations"] = linked
        row["Sources"] = "; ".join(e.sources)
        rows.append(row)
    return pd.DataFrame(rows, columns=["iri", "link", *LIST_COLUMNS[kind]])


@dataclass(frozen=True)
class ListFilters:
    text: str = ""
    structure_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


def filter_options(index: ExplorerIndex, kind: Kind) -> dict[str, list[str]]:
    """The values each filter can take (labels, sentence case where they are concepts)."""
    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    return {
        "structure_types": sorted({sentence_case(s) for e in entities for s in e.structure_types}),
        "sectors": sorted({sentence_case(s) for e in entities for s in e.sectors}),
        "places": sorted({p for e in entities for p in e.places}),
        "sources": sorted({s for e in entities for s in e.sources}),
    }


def filter_entities(index: ExplorerIndex, kind: Kind, filters: ListFilters) -> list[Entity]:
    """Entities matching every filter; the text matches names, kinds, places and members."""
    entities = index.collaborations() if kind == "collaboration" else index.organisations()
    words = filters.text.lower().split()
    out: list[Entity] = []
    for e in entities:
        if filters.structure_types and not (
            {sentence_case(s) for s in e.structure_types} & set(filters.structure_types)
        ):
            continue
        if filters.sectors and not ({sentence_case(s) for s in e.sectors} & set(filters.sectors)):
            continue
        if filters.places and not (set(e.places) & set(filters.places)):
            continue
        if filters.sources and not (set(e.sources) & set(filters.sources)):
            continue
        if words:
            haystack = " ".join(
                [
                    e.label,
                    e.type_label,
                    *e.places,
                    *e.structure_types,
                    *e.sectors,
                    *(index.label(i) for i in e.links),
                ]
            ).lower()
            if not all(w in haystack for w in words):
                continue
        out.append(e)
    return out


@dataclass(frozen=True)
class FilterField:
    """One filter of a list page: its address parameter, its label, every value a person
    may tick, and those ticked now."""

    param: str
    label: str
    options: tuple[str, ...]
    chosen: tuple[str, ...] = ()


def filters_form_html(
    page: str, search: str, fields: list[FilterField], *, placeholder: str = ""
) -> str:
    """The search box and filters of a list page as one plain HTML form (``GET page``).

    Submitting it changes the address (the explorer's same-tab script turns the submission
    into an address change without a reload; without the script the browser loads the
    address itself), so the address always holds the search and the filters. A filter is a
    ``<details>`` of labelled checkboxes, open when something in it is ticked. Drawn by the
    browser at once: no widget script to load."""
    import html as _html

    def esc(text: str) -> str:
        return _html.escape(text, quote=True)

    box = f"ck-search-{esc(page)}"
    parts = [
        f'<form class="ck-filters" action="{esc(page)}" method="get" role="search" '
        'aria-label="Search and filter the list">',
        f'<div class="ck-filter-search"><label for="{box}">Search</label>'
        f'<input id="{box}" type="search" name="search" value="{esc(search)}" '
        f'placeholder="{esc(placeholder)}"></div>',
        '<div class="ck-filter-fields">',
    ]
    for field in fields:
        ticked = set(field.chosen)
        state = f"{len(ticked)} chosen" if ticked else "any"
        boxes = "".join(
            f'<label><input type="checkbox" name="{esc(field.param)}" value="{esc(option)}"'
            f'{" checked" if option in ticked else ""}> {esc(option)}</label>'
            for option in field.options
        )
        parts.append(
            f'<details class="ck-filter"{" open" if ticked else ""}>'
            f'<summary>{esc(field.label)} <span class="ck-filter-state">({state})</span>'
            f"</summary><fieldset><legend>{esc(field.label)}</legend>{boxes}</fieldset>"
            "</details>"
        )
    parts.append(
        '</div><div class="ck-filter-actions"><button type="submit">Apply</button> '
        f'<a href="{esc(page)}">Clear the search and filters</a></div></form>'
    )
    return "".join(parts)
