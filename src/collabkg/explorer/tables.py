"""Query answers for people: labels instead of identifiers, links, widths, gaps, choices."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.explorer.common import (
    NONE_RECORDED,
    _q,
    _unique,
    humanise,
)
from collabkg.explorer.index import ExplorerIndex
from collabkg.terms import PREFIXES

if TYPE_CHECKING:
    import pandas as pd

    from collabkg.graph import QueryResult


# --------------------------------------------------------------------------- result tables


@dataclass
class ResultTable:
    """A query answer for people: labelled frame, which columns are profile links."""

    frame: pd.DataFrame
    link_columns: list[str]
    hidden: list[str]
    profiles: list[tuple[str, str, str]]
    """(label, iri, kind) of every entity in the answer that has a profile page."""
    column_vars: dict[str, str] = field(default_factory=dict)
    """The variable each shown column comes from (``x`` for a column of ``x`` and its
    ``xLabel``), in the columns' order: the answer's order, kept from the result."""


def _label_partner(var: str, names: Sequence[str]) -> str | None:
    for candidate in (f"{var}Label", f"{var}_label", f"{var}Name", f"{var}_name"):
        if candidate in names:
            return candidate
    return None


def result_table(index: ExplorerIndex, result: QueryResult) -> ResultTable:
    """Labels instead of IRIs; IRI columns with profiles become links; helper columns hidden.

    The columns keep the result's order (a canned query's answer is ordered by its
    ``#+ answer`` before it comes here: :meth:`collabkg.catalogue.CannedQuery.ordered`).

    A variable ``x`` holding IRIs and a partner ``xLabel`` (or ``x_label``) are shown as one
    column (the label, linked to x's profile when it has one). Other IRI columns show labels.
    """
    import pandas as pd

    names = list(result.vars)
    iri_vars = set(result.iri_vars())
    index.add_labels(result.iris())
    link_columns: list[str] = []
    hidden: list[str] = []
    partners: dict[str, str] = {}
    for var in names:
        partner = _label_partner(var, names)
        no_literals = not any(isinstance(v, RdfLiteral) for v in result.column(var))
        if partner and no_literals:
            partners[partner] = var
            hidden.append(var)
    columns: list[str] = []
    sources: dict[str, str] = {}
    data: dict[str, list[object]] = {}
    profiles: dict[str, tuple[str, str, str]] = {}
    for var in names:
        if var in hidden:
            continue
        source_var = partners.get(var, var)
        values = result.column(source_var)
        shown = result.column(var)
        # a link column only when every row names something with a profile: a row with
        # nothing to link ("none recorded") must not look like a link
        linkable = source_var in iri_vars and all(
            isinstance(v, URIRef) and index.kind(v) is not None for v in values
        )
        column: list[object] = []
        for term, display in zip(values, shown, strict=True):
            label = _display(index, display)
            if linkable and isinstance(term, URIRef):
                label_text = str(label) if label not in (None, "") else index.label(term)
                column.append(index.href(str(term), label_text))
                profiles.setdefault(
                    str(term), (index.label(term), str(term), index.kind(term) or "")
                )
            else:
                column.append(label)
                if isinstance(term, URIRef) and index.kind(term) is not None:
                    profiles.setdefault(
                        str(term), (index.label(term), str(term), index.kind(term) or "")
                    )
        numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in column)
        if not numeric and not linkable:
            column = ["" if v is None else v for v in column]
        title = humanise(var)
        base, n = title, 2
        while title in data:
            title, n = f"{base} ({n})", n + 1
        data[title] = column
        sources[title] = source_var
        columns.append(title)
        if linkable:
            link_columns.append(title)
    empty = [c for c in columns if all(v in (None, "") for v in data[c])]
    if len(empty) < len(columns) and result.rows:
        columns = [c for c in columns if c not in empty]
        link_columns = [c for c in link_columns if c not in empty]
    frame = pd.DataFrame({c: data[c] for c in columns}, columns=columns)
    ordered = sorted(profiles.values(), key=lambda p: (p[2], p[0].lower()))
    return ResultTable(
        frame=frame,
        link_columns=link_columns,
        hidden=hidden,
        profiles=ordered,
        column_vars={c: sources[c] for c in columns},
    )


def _display(index: ExplorerIndex, term: Node | None) -> object:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return index.label(term)
    if isinstance(term, BNode):
        return "(unnamed)"
    value = term.toPython() if isinstance(term, RdfLiteral) else str(term)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(term)
    if _OUR_TERM.search(text):  # a contributor's note naming our terms: their labels instead
        return _OUR_TERM.sub(
            lambda m: f"“{index.label(_NAMESPACES[m.group(1)] + m.group(2))}”", text
        )
    return text


_NAMESPACES = {
    name: PREFIXES[name] for name in ("ck", "ckc", "ckd", "org", "prov", "skos", "rdfs", "dcterms")
}
_OUR_TERM = re.compile(
    r"(?<![\w/#:.@-])(" + "|".join(_NAMESPACES) + r"):([A-Za-z][\w\-]*[\w])"
)
"""A term written as a prefixed name in a text (``ckc:attitudesEgos``, ``org:memberOf``): a
contributor's note's words, never a quotation's (sources do not write these names)."""


def download_frame(index: ExplorerIndex, result: QueryResult) -> pd.DataFrame:
    """The answer for CSV/JSON downloads: labels plus an ``<var>_iri`` column per IRI column."""
    return result.to_dataframe(index.kg, with_iris=True)


# --------------------------------------------------------------------------- parameters


Q_CHOICES_GENERIC = _q(
    """SELECT DISTINCT ?x WHERE {
  ?x prov:wasDerivedFrom|dcterms:source ?src .
  FILTER(STRSTARTS(STR(?x), STR(ckd:)))
  FILTER NOT EXISTS { ?x a ck:Quotation }
  FILTER NOT EXISTS { ?x a ck:Case }
}"""
)


def param_choices(
    index: ExplorerIndex, name: str, choices: QueryResult | None = None
) -> list[tuple[str, str]]:
    """(label, iri) options for an IRI parameter, sorted by label.

    From ``choices`` (the answer of the parameter's choices query, first IRI column) when
    given; otherwise guessed from the parameter's name: collaborations, organisations, or
    any documented entity.
    """
    iris: list[str] = []
    if choices is not None:
        for var in choices.vars:
            column = [str(v) for v in choices.column(var) if isinstance(v, URIRef)]
            if column:
                iris = _unique(column)
                break
    elif "collab" in name.lower() or "partnership" in name.lower():
        iris = [e.iri for e in index.collaborations()]
    elif "org" in name.lower():
        iris = [e.iri for e in index.organisations()]
    else:
        iris = _unique(
            str(row["x"])
            for row in index.kg.select(Q_CHOICES_GENERIC).rows
            if isinstance(row.get("x"), URIRef)
        )
    index.add_labels(iris)
    labelled = [(index.label(i), i) for i in iris]
    return sorted(labelled, key=lambda item: (item[0].lower(), item[1]))


# --------------------------------------------------------------------------- table layout


def column_widths(
    frame: pd.DataFrame, *, budget: int = 900, keep: Sequence[str] = ()
) -> dict[str, int]:
    """Pixel widths that fit every column on screen where possible (long text wraps).

    Columns named in ``keep`` keep the width their text wants (up to 360 px); the others
    share what is left, none narrower than 100 px.
    """
    import pandas as pd

    wanted: dict[str, int] = {}
    for column in frame.columns:
        values = [str(v) for v in frame[column].tolist() if v not in (None, "")]
        values = [v.rsplit("label=", 1)[-1] if "?id=" in v else v for v in values]
        longest = max([len(str(column)), *(len(v) for v in values)], default=8)
        if pd.api.types.is_numeric_dtype(frame[column]):
            wanted[column] = max(70, min(8 * len(str(column)) + 24, 160))
        else:
            wanted[column] = max(90, min(7 * longest + 24, 360 if column in keep else 420))
    if sum(wanted.values()) <= budget:
        return wanted
    floor = 100 if len(wanted) <= 8 else 90
    fixed = {c: w for c, w in wanted.items() if c in keep or w <= floor}
    flexible = {c: w for c, w in wanted.items() if c not in fixed}
    spare = budget - sum(fixed.values())
    if not flexible:
        return wanted
    if spare <= floor * len(flexible):
        return {**fixed, **{c: min(w, 160) if w > 160 else w for c, w in flexible.items()}}
    scale = spare / sum(flexible.values())
    return {**fixed, **{c: max(floor, int(w * scale)) for c, w in flexible.items()}}


def row_height(frame: pd.DataFrame, widths: Mapping[str, int]) -> int | None:
    """A taller row (text wraps) when some cells do not fit their column, else None."""
    lines = 1
    for column, width in widths.items():
        chars_per_line = max(width // 7, 8)
        for value in frame[column].tolist():
            text = "" if value is None else str(value)
            text = text.rsplit("label=", 1)[-1] if "?id=" in text else text
            lines = max(lines, -(-len(text) // chars_per_line))
    if lines <= 1:
        return None
    return 22 * min(lines, 5) + 12


def gap_summary(frame: pd.DataFrame) -> list[str]:
    """Plain sentences for columns that say "none recorded" (the gaps are findings)."""
    out: list[str] = []
    total = len(frame)
    for column in frame.columns:
        count = sum(1 for v in frame[column].tolist() if str(v).strip().lower() == NONE_RECORDED)
        if count:
            rows = "row" if total == 1 else "rows"
            out.append(f"{column}: none recorded in {count} of {total} {rows}.")
    return out


# --------------------------------------------------------------------------- the table as HTML

ROWS_PER_PAGE = 100
"""Rows of an answer drawn at once; the next ones follow a "show more" link."""


def table_html(
    frame: pd.DataFrame, link_columns: Sequence[str], *, rows: int = ROWS_PER_PAGE
) -> str:
    """An answer as a plain HTML table: every cell whole (long text wraps), names as links.

    Drawn by the browser at once (no grid library to load, nothing clipped). Each cell
    carries its column's name (``data-label``), so on a narrow screen the stylesheet shows
    each row as a card of "column: value" lines instead of a table cut at the right. Only
    the first ``rows`` rows are drawn.
    """
    import html as _html

    import pandas as pd

    links = set(link_columns)
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    head = "".join(f'<th scope="col">{_html.escape(str(c))}</th>' for c in frame.columns)
    body: list[str] = []
    for values in frame.head(max(rows, 0)).itertuples(index=False, name=None):
        cells: list[str] = []
        for number, (column, value) in enumerate(zip(frame.columns, values, strict=True)):
            label = _html.escape(str(column), quote=True)
            text = _cell_html(value, column in links)
            kind = ' class="ck-num"' if column in numeric else ""
            tag = "th" if number == 0 else "td"
            scope = ' scope="row"' if number == 0 else ""
            cells.append(f'<{tag}{scope}{kind} data-label="{label}">{text}</{tag}>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<div class="ck-table-wrap"><table class="ck-answer">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def rows_html(
    frame: pd.DataFrame, link_columns: Sequence[str], *, rows: int = ROWS_PER_PAGE
) -> str:
    """An answer read row by row: a card per row, the first column as the card's title and
    every other column named ("Column: value"), in the table's order; empty cells left out.

    One HTML list (drawn at once, as the table is), for reading on a narrow screen or
    aloud; only the first ``rows`` rows are drawn."""
    import html as _html

    links = set(link_columns)
    columns = list(frame.columns)
    cards: list[str] = []
    for values in frame.head(max(rows, 0)).itertuples(index=False, name=None):
        title = ""
        lines: list[str] = []
        for number, (column, value) in enumerate(zip(columns, values, strict=True)):
            text = _cell_html(value, column in links)
            if not text.strip():
                continue
            if number == 0:
                title = f'<p class="ck-row-title">{text}</p>'
            else:
                key = _html.escape(str(column))
                lines.append(f'<li><span class="ck-row-key">{key}:</span> {text}</li>')
        cards.append(f"<li>{title}<ul>{''.join(lines)}</ul></li>")
    return f'<ol class="ck-rows">{"".join(cards)}</ol>'


def _cell_html(value: object, is_link: bool) -> str:
    import html as _html

    from collabkg.explorer.common import link_parts

    if value is None or (isinstance(value, float) and value != value):
        return ""
    if is_link and (parts := link_parts(value)) is not None:
        page, curie, label = parts
        from urllib.parse import urlencode

        href = f"{page}?{urlencode({'id': curie})}"
        return f'<a href="{_html.escape(href, quote=True)}">{_html.escape(label)}</a>'
    if isinstance(value, float):
        return f"{value:g}"
    return _html.escape(str(value))
