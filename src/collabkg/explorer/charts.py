"""Counts and chart data: the home page's charts and the chart of a canned query's answer."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal as RdfLiteral
from rdflib import URIRef
from rdflib.term import Node

from collabkg.explorer.common import (
    COCREATION_KINDS,
    NONE_RECORDED,
    _q,
    _text,
    humanise,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex, _restricted
from collabkg.explorer.tables import result_table

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

    from collabkg.catalogue import ChartSpec, CountSpec
    from collabkg.graph import QueryResult


# --------------------------------------------------------------------------- counts & charts


def home_counts(index: ExplorerIndex) -> dict[str, int]:
    return {
        "Collaborations": len(index.collaborations()),
        "Organisations": len(index.organisations()),
        "Sources": len(index.sources),
        "Quotations": index.quotation_count,
    }


def collaborations_by_structure_type(index: ExplorerIndex) -> pd.DataFrame:
    import pandas as pd

    counts: Counter[str] = Counter()
    for e in index.collaborations():
        for s in e.structure_types or ["not recorded"]:
            counts[sentence_case(s)] += 1
    return pd.DataFrame(
        sorted(counts.items(), key=_count_order),
        columns=["Structure type", "Collaborations"],
    )


def organisations_by_sector(index: ExplorerIndex) -> pd.DataFrame:
    import pandas as pd

    counts: Counter[str] = Counter()
    for e in index.organisations():
        for s in e.sectors or ["not recorded"]:
            counts[sentence_case(s)] += 1
    return pd.DataFrame(
        sorted(counts.items(), key=_count_order),
        columns=["Sector", "Organisations"],
    )


def _count_order(item: tuple[str, int]) -> tuple[bool, int, str]:
    """Largest first, "Not recorded" last."""
    return (item[0] == "Not recorded", -item[1], item[0])


Q_COCREATION_BY_TYPE = _q(
    """SELECT ?st ?act ?kind ?how WHERE {
  ?c ck:hasStructureType ?st .
  { ?act ck:isActivityOf ?c } UNION { ?c ck:hasActivity ?act }
  { ?act ck:isClassifiedAs ?kind BIND("classified by the researchers" AS ?how) }
  UNION { ?act ck:mayBeClassifiedAs ?kind BIND("possibly (researchers undecided)" AS ?how) }
}"""
)


def cocreation_by_structure_type(index: ExplorerIndex) -> pd.DataFrame:
    """Activities per (structure type, kind of involvement) as the researchers classify them."""
    import pandas as pd

    rows = index.kg.select(Q_COCREATION_BY_TYPE).rows
    seen: set[tuple[str, str, str]] = set()
    counts: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        key = (_text(row["st"]), _text(row["kind"]), _text(row["act"]))
        if key in seen:
            continue
        seen.add(key)
        counts[(_text(row["st"]), _text(row["kind"]), _text(row["how"]))] += 1
    index.add_labels({k[0] for k in counts} | {k[1] for k in counts})
    data = [
        {
            "Structure type": sentence_case(index.label(st)),
            "Kind of involvement": sentence_case(index.label(kind)),
            "Co-creation?": "yes" if kind in COCREATION_KINDS else "no",
            "How sure": how,
            "Activities": n,
        }
        for (st, kind, how), n in sorted(counts.items())
    ]
    return pd.DataFrame(
        data,
        columns=["Structure type", "Kind of involvement", "Co-creation?", "How sure", "Activities"],
    )


def observed_matrix(index: ExplorerIndex, result: QueryResult) -> pd.DataFrame:
    """A long table (row label, column, value) from a result whose cells say observed or not.

    Used for the sources' Table 1 (co-creation kinds by structure type): the first text
    column names the rows; every column whose values are all "observed"/"not observed"
    becomes one column of the matrix.
    """
    import pandas as pd

    frame = result_table(index, result).frame
    flags = {"observed", "not observed"}
    matrix_cols = [
        c
        for c in frame.columns
        if len(frame[c].dropna()) and set(frame[c].dropna().astype(str)) <= flags
    ]
    row_col = next(
        (
            c
            for c in frame.columns
            if c not in matrix_cols and not pd.api.types.is_numeric_dtype(frame[c])
        ),
        None,
    )
    if row_col is None or not matrix_cols:
        return pd.DataFrame(columns=["Row", "Column", "Value"])
    long = frame.melt(
        id_vars=[row_col], value_vars=matrix_cols, var_name="Column", value_name="Value"
    )
    long = long.rename(columns={row_col: "Row"})
    long["Row"] = long["Row"].map(lambda v: sentence_case(str(v)))
    long["Column"] = long["Column"].map(lambda v: sentence_case(str(v)))
    return long[["Row", "Column", "Value"]]


@dataclass(frozen=True)
class ChartData:
    """A question's chart: one row per bar, by label, in the order drawn."""

    frame: pd.DataFrame
    category: str
    """Title of the column naming the bars."""
    measure: str
    """Title of the column giving each bar's length (the chart's axis title)."""
    colour: str | None = None


def _term_key(term: Node | None) -> str:
    return "" if term is None else str(term)


def chart_data(index: ExplorerIndex, result: QueryResult, spec: ChartSpec) -> ChartData:
    """The bars a question's metadata asks for: labels, never identifiers.

    ``spec.measure``: each category's value of that numeric variable (rows repeating a
    category repeat its value, so the largest is taken, not a sum); ``spec.count``: the
    number of distinct values of that variable in the category's rows (0 when none is
    recorded). A row with no category value counts under "none recorded".

    Bars are drawn longest first (then by name), except the bars of an ordered scale (see
    :func:`scale_positions`), which keep the scale's order: the hype cycle's stages are drawn
    trigger, peak, trough, slope, plateau, never by count.
    """
    import pandas as pd

    category_title = humanise(spec.category)
    colour_title = humanise(spec.colour) if spec.colour else None
    index.add_labels(result.iris())
    values: dict[str, float] = {}
    counted: dict[str, set[str]] = {}
    colours: dict[str, str] = {}
    labels: dict[str, str] = {}
    terms: dict[str, Node | None] = {}
    for row in result.rows:
        term = row.get(spec.category)
        key = _term_key(term)
        terms.setdefault(key, term)
        labels.setdefault(key, sentence_case(index.label(term)) if term is not None else "")
        if spec.colour:
            colours.setdefault(key, sentence_case(index.label(row.get(spec.colour))))
        if spec.measure:
            raw = row.get(spec.measure)
            number = raw.toPython() if isinstance(raw, RdfLiteral) else None
            if isinstance(number, int | float) and not isinstance(number, bool):
                values[key] = max(values.get(key, number), number)
            else:
                values.setdefault(key, 0)
        else:
            found = counted.setdefault(key, set())
            item = row.get(spec.count or "")
            if item is not None:
                found.add(str(item))
    if spec.count:
        values = {key: len(items) for key, items in counted.items()}
    rows = [
        {
            category_title: labels[key] or NONE_RECORDED,
            spec.label: values[key],
            **({colour_title: colours.get(key, "")} if colour_title else {}),
        }
        for key in values
    ]
    columns = [category_title, spec.label, *([colour_title] if colour_title else [])]
    frame = pd.DataFrame(rows, columns=columns)
    scale = scale_positions(index, {key: terms[key] for key in values})
    if scale is not None:
        # an ordered scale (the hype cycle's stages): its bars keep the scale's order
        frame["_position"] = [scale[key] for key in values]
        frame = frame.sort_values("_position", kind="stable").drop(columns="_position")
        frame = frame.reset_index(drop=True)
    elif not frame.empty:
        frame = frame.sort_values(
            [spec.label, category_title], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)
    if not frame.empty and all(float(v).is_integer() for v in frame[spec.label]):
        frame[spec.label] = frame[spec.label].astype(int)
    return ChartData(frame=frame, category=category_title, measure=spec.label, colour=colour_title)


Q_NOTATIONS = _q("SELECT ?c ?n WHERE { ?c skos:notation ?n }")


def _position(notation: str) -> tuple[int, float, str]:
    """A notation's place: numbers by value ("2" before "10"), then any other text."""
    try:
        return (0, float(notation), "")
    except ValueError:
        return (1, 0.0, notation)


def scale_positions(
    index: ExplorerIndex, terms: Mapping[str, Node | None]
) -> dict[str, int] | None:
    """Each category's place on its scale, when the categories are the steps of one.

    ``terms``: each category's key and its term. The concepts of an ordered scale carry
    their place as ``skos:notation`` (the hype cycle's stages: "1" policy trigger ... "5"
    plateau of productivity). Only when every category (but "none recorded", put last) is a
    thing with a notation are the bars in that order; otherwise None: drawn by length.
    """
    keys = list(terms)
    named = [key for key in keys if terms[key] is not None]
    if not named or any(not isinstance(terms[key], URIRef) for key in named):
        return None
    notations: dict[str, str] = {}
    for query in _restricted(Q_NOTATIONS, "c", named):
        for row in index.kg.select(query).rows:
            notations.setdefault(_text(row["c"]), _text(row["n"]))
    if any(key not in notations for key in named):
        return None
    ordered = sorted(named, key=lambda key: (_position(notations[key]), key))
    places = {key: place for place, key in enumerate(ordered)}
    return {key: places.get(key, len(ordered)) for key in keys}


BAR_COLOUR = "#1f4e79"


def bars_html(
    frame: pd.DataFrame,
    category: str,
    measure: str,
    *,
    colour: str = BAR_COLOUR,
    caption: str = "",
) -> str:
    """A bar chart drawn in HTML: a row per bar with its name, its bar and its number.

    The words and numbers are the chart's own text alternative (screen readers read them;
    they can be selected and copied), and it draws at once: no chart library to load.

    Each bar's length is exactly its value's share of the largest (``width`` in % of its own
    cell). The number is a cell of its own, after the bar's: the bars' cells are one column,
    as wide in every row, so a number never takes room from its bar (it did: the number
    shared the bar's cell and a long bar was capped to leave it room, so 20, 19 and 19 drew
    alike). The rules are :data:`collabkg.explorer.style.BARS_CSS`.
    """
    values = [float(v) for v in frame[measure].tolist()]
    top = max([v for v in values if v > 0] or [1.0])
    rows = []
    for name, value in zip(frame[category].tolist(), frame[measure].tolist(), strict=True):
        width = 100 * max(float(value), 0.0) / top
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        rows.append(
            "<tr>"
            f'<th scope="row">{html.escape(str(name))}</th>'
            f'<td class="ck-bar-cell"><span class="ck-bar" style="width:{width:.2f}%;'
            f'background:{html.escape(colour, quote=True)}"></span></td>'
            f'<td class="ck-bar-value">{html.escape(shown)}</td>'
            "</tr>"
        )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = (
        f'<thead><tr><th scope="col">{html.escape(category)}</th>'
        f'<th scope="col" colspan="2">{html.escape(measure)}</th></tr></thead>'
    )
    return f'<table class="ck-bars">{title}{head}<tbody>{"".join(rows)}</tbody></table>'


def answer_count(result: QueryResult, counts: CountSpec | None) -> str:
    """How many things an answer is about: "Activities: 4 (in 12 rows)" or "3 rows"."""
    rows = len(result)
    row_words = f"{rows} row{'s' if rows != 1 else ''}"
    if counts is None or counts.variable not in result.vars:
        return row_words
    things = len({str(v) for v in result.column(counts.variable) if v is not None})
    noun = sentence_case(counts.noun)
    if things == rows:
        return f"{noun}: {things}"
    return f"{noun}: {things} (in {row_words})"
