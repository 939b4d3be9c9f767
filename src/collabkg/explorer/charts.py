"""Counts and chart data: the home page's charts and the chart of a canned query's answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.explorer.common import (
    COCREATION_KINDS,
    NONE_RECORDED,
    _q,
    _text,
    humanise,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex
from collabkg.explorer.tables import result_table

if TYPE_CHECKING:
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
    """
    import pandas as pd

    category_title = humanise(spec.category)
    colour_title = humanise(spec.colour) if spec.colour else None
    index.add_labels(result.iris())
    values: dict[str, float] = {}
    counted: dict[str, set[str]] = {}
    colours: dict[str, str] = {}
    labels: dict[str, str] = {}
    for row in result.rows:
        term = row.get(spec.category)
        key = _term_key(term)
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
    if not frame.empty:
        frame = frame.sort_values(
            [spec.label, category_title], ascending=[False, True], kind="stable"
        ).reset_index(drop=True)
        if all(float(v).is_integer() for v in frame[spec.label]):
            frame[spec.label] = frame[spec.label].astype(int)
    return ChartData(frame=frame, category=category_title, measure=spec.label, colour=colour_title)


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
