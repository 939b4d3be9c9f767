"""Counts and chart data: the home page's charts and the chart of a canned query's answer."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from collabkg.explorer.common import (
    COCREATION_KINDS,
    _q,
    _text,
    sentence_case,
)
from collabkg.explorer.index import ExplorerIndex
from collabkg.explorer.tables import result_table

if TYPE_CHECKING:
    import pandas as pd

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


def chart_spec(frame: pd.DataFrame) -> tuple[str, str, str | None] | None:
    """(category column, value column, colour column or None) for a bar chart, if possible."""
    import pandas as pd

    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    text = [c for c in frame.columns if c not in numeric]
    if not numeric or not text:
        return None
    colour = text[1] if len(text) > 1 else None
    return text[0], numeric[-1], colour
