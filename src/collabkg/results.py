"""The answer to a SELECT query (:class:`QueryResult`) and how it is shown to people
(labels for IRIs, numbers as numbers). Shared by the graph facade, the catalogue, the CLI
and the explorer, none of which needs the others to read a result."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.backends.base import Row

if TYPE_CHECKING:
    import pandas as pd


class Labeller(Protocol):
    """Anything that can name IRIs (a KnowledgeGraph does)."""

    def labels(self, iris: Iterable[Node | str]) -> dict[str, str]: ...


class Namer(Protocol):
    """Anything that gives the labels the graph has for IRIs, and no made-up ones."""

    def known_labels(self, iris: Iterable[Node | str]) -> dict[str, str]: ...


@dataclass(frozen=True)
class CompactNames:
    """A :class:`Labeller` for analysts (the CLI): an IRI by its label (skos:prefLabel,
    rdfs:label...) when the graph gives one, else by its compact name (``org:Organization``,
    ``prov:Organization``; the whole IRI where no prefix applies), never by a name made up
    from its local name, which two IRIs can share ("Organization") or which can say what the
    IRI does not ("1234" for ``urn:uuid:1234``)."""

    graph: Namer

    def labels(self, iris: Iterable[Node | str]) -> dict[str, str]:
        from collabkg.terms import compact

        wanted = list(dict.fromkeys(str(iri) for iri in iris))
        known = self.graph.known_labels(wanted)
        return {iri: known.get(iri) or compact(iri) for iri in wanted}


def _display_value(term: Node | None) -> object:
    if term is None:
        return None
    if isinstance(term, RdfLiteral):
        value = term.toPython()
        if isinstance(value, bool | int | float):
            return value
        if isinstance(value, Decimal):
            return float(value)
        return str(term)
    return str(term)


@dataclass
class QueryResult:
    """The answer to a SELECT query: variable names and rows of rdflib terms."""

    vars: list[str]
    rows: list[Row]
    truncated: bool = False
    """True when more rows existed than the limit allowed."""
    limit: int | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def column(self, name: str) -> list[Node | None]:
        return [row.get(name) for row in self.rows]

    def reordered(self, variables: Iterable[str]) -> QueryResult:
        """The same answer with its columns in this order (every variable once; rows shared)."""
        order = list(variables)
        if sorted(order) != sorted(self.vars):
            raise ValueError(f"a new column order must name {self.vars}, not {order}")
        return QueryResult(order, self.rows, truncated=self.truncated, limit=self.limit)

    def iris(self, variables: Iterable[str] | None = None) -> set[str]:
        """Every IRI that appears in the result (in these variables only, when given)."""
        names = self.vars if variables is None else list(variables)
        return {
            str(value)
            for row in self.rows
            for var in names
            if isinstance(value := row.get(var), URIRef)
        }

    def iri_vars(self) -> list[str]:
        """Variables that hold at least one IRI (they get an extra ``<var>_iri`` column)."""
        return [
            var for var in self.vars if any(isinstance(row.get(var), URIRef) for row in self.rows)
        ]

    def columns(self, *, with_iris: bool = True) -> list[str]:
        names: list[str] = []
        extra = set(self.iri_vars()) if with_iris else set()
        for var in self.vars:
            names.append(var)
            if var in extra and f"{var}_iri" not in self.vars:
                names.append(f"{var}_iri")
        return names

    def to_labelled(
        self, graph: Labeller, *, with_iris: bool = True, unlabelled: Iterable[str] = ()
    ) -> list[dict[str, object]]:
        """Rows for people: IRIs replaced by labels, numbers as numbers.

        With ``with_iris`` each IRI-valued variable keeps its IRI in ``<var>_iri`` (for
        CSV and JSON downloads). Only the IRIs of these rows are looked up; variables in
        ``unlabelled`` (e.g. ``?x`` beside its own ``?xLabel`` column) are not, and keep
        their IRI.
        """
        skip = set(unlabelled)
        names = graph.labels(self.iris(v for v in self.vars if v not in skip))
        columns = self.columns(with_iris=with_iris)
        out: list[dict[str, object]] = []
        for row in self.rows:
            item: dict[str, object] = {}
            for var in self.vars:
                value = row.get(var)
                if isinstance(value, URIRef):
                    item[var] = str(value) if var in skip else names.get(str(value), str(value))
                elif isinstance(value, BNode):
                    item[var] = "(unnamed)"
                else:
                    item[var] = _display_value(value)
                iri_column = f"{var}_iri"
                if iri_column in columns and iri_column not in self.vars:
                    item[iri_column] = str(value) if isinstance(value, URIRef) else None
            out.append(item)
        return out

    def to_dataframe(
        self, graph: Labeller | None = None, *, with_iris: bool = True
    ) -> pd.DataFrame:
        """A pandas DataFrame: labelled when a graph is given, raw strings otherwise."""
        import pandas as pd

        if graph is None:
            data = [{var: _display_value(row.get(var)) for var in self.vars} for row in self.rows]
            return pd.DataFrame(data, columns=self.vars)
        columns = self.columns(with_iris=with_iris)
        return pd.DataFrame(self.to_labelled(graph, with_iris=with_iris), columns=columns)


ANSWER_CHUNK = 1000
"""Rows labelled and written at a time by :func:`answer_chunks`."""


def iri_variables(names: Sequence[str], rows: Sequence[Row]) -> list[str]:
    """The variables holding an IRI in some row, read without converting where the rows
    can say so themselves (an answer converted on read, an answer kept on disk)."""
    said = getattr(rows, "iri_variables", None)
    if callable(said):
        return list(said())
    return [v for v in names if any(isinstance(row.get(v), URIRef) for row in rows)]


def _distinct(titles: Sequence[str]) -> list[str]:
    """``titles`` with a repeated one numbered ("Source", "Source (2)")."""
    seen: set[str] = set()
    out: list[str] = []
    for title in titles:
        shown, n = title, 2
        while shown in seen:
            shown, n = f"{title} ({n})", n + 1
        seen.add(shown)
        out.append(shown)
    return out


def answer_chunks(
    names: Sequence[str],
    rows: Sequence[Row],
    labeller: Labeller,
    fmt: str,
    *,
    iri_vars: Sequence[str] | None = None,
    chunk: int = ANSWER_CHUNK,
    header: Callable[[str], str] | None = None,
) -> Iterator[str]:
    """A whole answer as CSV or JSON text, ``chunk`` rows at a time: the one form of a
    downloaded answer, written by ``collabkg query --format csv|json`` and streamed by the
    explorer's download links.

    Each chunk is read from ``rows`` (an answer converted on read turns only those rows
    into rdflib terms), labelled on its own (the labels of the rows written, never the
    whole graph's) and yielded before the next is read: a long answer streams out, and its
    rdflib form is never held whole. A ``?x`` column with a ``?xLabel`` beside it is shown
    by its label only; every variable holding an IRI (``iri_vars``, found from the rows when
    not given) has its IRI in a ``<var>_iri`` column. The header (CSV) or the opening
    bracket (JSON) is the first chunk, so that something is sent before any row is read.
    With ``header`` (a file for people: the explorer's), the CSV's header row gives each
    column by ``header(column)`` instead of its variable name; the rows are the same."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"an answer is written as csv or json, not {fmt!r}")
    vars_ = list(names)
    labelled = {v for v in vars_ if f"{v}Label" in vars_}
    with_iri = set(iri_variables(vars_, rows) if iri_vars is None else iri_vars)
    columns: list[str] = []
    for var in vars_:
        if var not in labelled:
            columns.append(var)
        if var in with_iri and f"{var}_iri" not in vars_:
            columns.append(f"{var}_iri")
    added: list[str] = []  # labelled variables whose IRI column is added here
    for var in sorted(labelled):
        iri_column = f"{var}_iri"
        if iri_column not in columns and iri_column not in vars_:
            columns.insert(columns.index(f"{var}Label"), iri_column)
            added.append(var)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    if fmt == "csv" and header is not None:  # a file for people: each column by its title
        csv.writer(text, lineterminator="\n").writerow(_distinct([header(c) for c in columns]))
    elif fmt == "csv":
        writer.writeheader()
    else:
        text.write("[")
    yield _taken(text)
    first = True
    for start in range(0, len(rows), chunk):
        part = QueryResult(vars_, list(rows[start : start + chunk]))
        labelled_rows = part.to_labelled(labeller, with_iris=True, unlabelled=labelled)
        for row, raw in zip(labelled_rows, part.rows, strict=True):
            for var in added:
                value = raw.get(var)
                row[f"{var}_iri"] = None if value is None else str(value)
        written = [{c: row.get(c) for c in columns} for row in labelled_rows]
        if fmt == "csv":
            writer.writerows(written)
        else:
            for row in written:
                item = json.dumps(row, ensure_ascii=False, indent=2, default=str)
                text.write(("\n  " if first else ",\n  ") + item.replace("\n", "\n  "))
                first = False
        yield _taken(text)
    if fmt == "json":
        yield "\n]\n" if not first else "]\n"


def _taken(text: io.StringIO) -> str:
    """What was written to ``text`` since it was last taken (``text`` is emptied)."""
    written = text.getvalue()
    text.seek(0)
    text.truncate()
    return written


__all__ = [
    "ANSWER_CHUNK",
    "CompactNames",
    "Labeller",
    "Namer",
    "QueryResult",
    "answer_chunks",
    "iri_variables",
]
