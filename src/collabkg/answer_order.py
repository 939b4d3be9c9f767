"""Sort kept answer rows in Python as a query's ORDER BY orders them in oxigraph.

Rows are tuples of encoded terms (see :func:`collabkg.answers.encode_term`). Only simple
order conditions are followed: ``?v``, ``SUBSTR(?v, start[, length])`` and ``!BOUND(?v)``,
each optionally in ``ASC(...)`` or ``DESC(...)``.

How oxigraph 0.5 orders the values of one condition (checked against the engine by
``tests/test_answer_order.py``): unbound (or an evaluation error) first, then IRIs by their
text, then literals. Two literals are compared by value where SPARQL defines ``<`` for them
(strings; language strings of the same tag; numbers of the four numeric types; dates;
date-times); every other pair of literals falls back to comparing (lexical form, datatype
IRI, language tag). That fallback is not consistent with the numeric order (``9 < 10`` but
``"10" < "5" < 9``), so a condition whose literals mix numbers with anything else has no
order Python can reproduce: :class:`Unorderable`. Strings, language strings, booleans,
literals of datatypes oxigraph keeps as text, and dates and date-times written so that
their text sorts as their value all sit together in the fallback order.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import struct
from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

Encoded = tuple[object, ...] | None
"""One term as kept (as in :mod:`collabkg.answers`)."""

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DOUBLE = XSD + "double"
XSD_FLOAT = XSD + "float"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
RDF_LANGSTRING = RDF + "langString"

_TEXT_TYPES = frozenset(
    XSD + name
    for name in (
        "string",
        "anyURI",
        "token",
        "normalizedString",
        "language",
        "Name",
        "NCName",
        "NMTOKEN",
        "ID",
        "IDREF",
        "ENTITY",
        "NOTATION",
        "QName",
        "hexBinary",
        "base64Binary",
    )
)
"""XSD datatypes oxigraph keeps as text (compared by the fallback, found by experiment)."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{0,17}[1-9])?"
)
"""Dates and date-times without a time zone, years 0000-9999, canonical fractions: their
text sorts as their value, so they join the fallback order."""

_I64 = 2**63
_SUBSTR_LIMIT = 2**31
"""SUBSTR arguments followed (far from where oxigraph's 64-bit arithmetic could overflow)."""
_EXACT_IN_DOUBLE = 2**53
_EXACT_IN_FLOAT = 2**24


class Unorderable(Exception):
    """Oxigraph's order of these values cannot be reproduced with certainty."""


@functools.total_ordering
class _Desc:
    """A condition's key with the comparison reversed (for ``DESC``)."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[object, ...]) -> None:
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.key == other.key

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.key < self.key)

    def __repr__(self) -> str:
        return f"DESC{self.key!r}"


class _Kinds:
    """The kinds of literal one condition has met so far, to refuse mixes oxigraph does
    not order consistently."""

    __slots__ = ("biggest", "kinds")

    def __init__(self, kinds: Sequence[str] = (), biggest: int = 0) -> None:
        self.kinds: set[str] = set(kinds)
        self.biggest = biggest

    def add(self, kind: str, magnitude: int = 0) -> None:
        if kind in self.kinds and magnitude <= self.biggest:
            return
        kinds = self.kinds | {kind}
        biggest = max(self.biggest, magnitude)
        if "text" in kinds and len(kinds) > 1:
            raise Unorderable("numbers and other literals are ordered inconsistently")
        if "decimal" in kinds and ("double" in kinds or "float" in kinds):
            raise Unorderable("decimals against doubles or floats")
        if "double" in kinds and biggest > _EXACT_IN_DOUBLE:
            raise Unorderable("an integer too big for a double, against a double")
        if "float" in kinds and biggest > _EXACT_IN_FLOAT:
            raise Unorderable("an integer too big for a float, against a float")
        self.kinds = kinds
        self.biggest = biggest


def _literal_key(lexical: str, datatype: str, language: str, kinds: _Kinds) -> object:
    """The ordering value of one literal (``language`` is "" unless a language string)."""
    if language or datatype in _TEXT_TYPES or not datatype.startswith(XSD):
        kinds.add("text")
        return (lexical, datatype, language.lower())
    if datatype == XSD_BOOLEAN and lexical in ("true", "false"):
        kinds.add("text")
        return (lexical, datatype, "")
    if datatype in (XSD_DATE, XSD_DATETIME):
        match = (_DATE if datatype == XSD_DATE else _DATETIME).fullmatch(lexical)
        if match is not None and _is_date(*match.group(1, 2, 3)):
            kinds.add("text")
            return (lexical, datatype, "")
    elif datatype == XSD_INTEGER and _INTEGER.fullmatch(lexical):
        integer = int(lexical)
        if -_I64 <= integer < _I64:
            kinds.add("integer", abs(integer))
            return integer
    elif datatype == XSD_DECIMAL and _DECIMAL.fullmatch(lexical):
        whole, _, fraction = lexical.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) <= 20 and len(fraction.rstrip("0")) <= 18:
            kinds.add("decimal")
            return Decimal(lexical)
    elif datatype == XSD_DOUBLE and _DOUBLE.fullmatch(lexical):
        kinds.add("double")
        return float(lexical.replace("INF", "inf"))
    elif datatype == XSD_FLOAT and _DOUBLE.fullmatch(lexical):
        single = _exact_float(lexical)
        if single is not None:
            kinds.add("float")
            return single
    raise Unorderable(f"no certain order for {lexical!r}^^<{datatype}>")


def _is_date(year: str, month: str, day: str) -> bool:
    try:
        dt.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return True


def _exact_float(lexical: str) -> float | None:
    """The value of an ``xsd:float`` when its text is exactly a 32-bit float, else None
    (reading it through a double could round it differently from oxigraph)."""
    if lexical in ("INF", "-INF"):
        return float(lexical.replace("INF", "inf"))
    number = float(lexical)
    if math.isinf(number) or abs(number) >= 3.4e38:
        return None
    single: float = struct.unpack("<f", struct.pack("<f", number))[0]
    return single if Fraction(single) == Fraction(lexical) else None


def _term_key(term: Encoded, kinds: _Kinds) -> tuple[object, ...]:
    """The key of one value of a condition: unbound, then IRIs, then literals."""
    if term is None:
        return (0,)
    kind = term[0]
    if kind == 0:
        return (2, str(term[1]))
    if kind == 1:
        return (3, _literal_key(str(term[1]), str(term[2]), "", kinds))
    if kind == 2:
        return (3, _literal_key(str(term[1]), RDF_LANGSTRING, str(term[2]), kinds))
    raise Unorderable(f"unknown term {term!r}")


def _substring(term: Encoded, start: int, length: int | None) -> Encoded:
    """``SUBSTR`` as oxigraph evaluates it: characters at 1-based positions ``p`` with
    ``start <= p < start + length``; None (an error) unless a string literal."""
    if term is None or term[0] not in (1, 2) or (term[0] == 1 and term[2] != XSD_STRING):
        return None
    text = str(term[1])
    begin = max(start, 1) - 1
    end = len(text) if length is None else max(start + length - 1, begin)
    return (term[0], text[begin:end], term[2])


_TRUE: Encoded = (1, "true", XSD_BOOLEAN)
_FALSE: Encoded = (1, "false", XSD_BOOLEAN)

_Evaluate = Callable[[Sequence[Encoded]], Encoded]


Condition = tuple[str, int, int, int | None]
"""One order condition as data: (kind, column, SUBSTR start, SUBSTR length); kind is
``value``, ``substr`` or ``unbound`` (``!BOUND``)."""


def _condition(expr: Any, names: Sequence[str]) -> Condition | None:
    """One order expression as data; None if not an accepted form."""
    from rdflib.term import Literal, Variable

    columns = list(names)

    def column(arg: object) -> int | None:
        if isinstance(arg, Variable) and str(arg) in columns:
            return columns.index(str(arg))
        return None

    def integer(arg: object) -> int | None:
        if isinstance(arg, Literal) and str(arg.datatype) == XSD_INTEGER:
            if not _INTEGER.fullmatch(str(arg)):
                return None
            value = int(str(arg))
            return value if -_SUBSTR_LIMIT < value < _SUBSTR_LIMIT else None
        return None

    index = column(expr)
    if index is not None:
        return ("value", index, 0, None)
    name = getattr(expr, "name", None)
    if name == "Builtin_SUBSTR":
        index = column(expr["arg"])
        start = integer(expr["start"])
        raw_length = dict.get(expr, "length")  # not CompValue.get: its default is the key
        length = None if raw_length is None else integer(raw_length)
        if index is None or start is None or (raw_length is not None and length is None):
            return None
        return ("substr", index, start, length)
    if name == "UnaryNot":
        inner = expr["expr"]
        if getattr(inner, "name", None) == "Builtin_BOUND":
            index = column(inner["arg"])
            if index is not None:
                return ("unbound", index, 0, None)
    return None


def _evaluate(condition: Condition) -> _Evaluate:
    kind, at, start, length = condition
    if kind == "substr":
        return lambda row: _substring(row[at], start, length)
    if kind == "unbound":
        return lambda row: _FALSE if row[at] is not None else _TRUE
    return lambda row: row[at]


@functools.lru_cache(maxsize=64)
def algebra_of(query: str) -> Any:
    """rdflib's algebra of a query (its parser takes a few tenths of a second, so each text
    is read once per process); None if rdflib cannot read it."""
    from rdflib.plugins.sparql import prepareQuery

    from collabkg.sparql_text import RDFLIB_PARSER

    try:
        with RDFLIB_PARSER:
            return prepareQuery(query).algebra
    except Exception:
        return None


def _order_conditions(query: str) -> list[tuple[Any, bool]] | None:
    """The top-level ORDER BY as (expression, descending) pairs; None if there is none or
    rdflib cannot read the query."""
    algebra = algebra_of(query)
    if algebra is None or algebra.name != "SelectQuery":
        return None
    node = algebra["p"]
    while getattr(node, "name", None) in ("Slice", "Distinct", "Reduced", "Project"):
        node = node["p"]
    if getattr(node, "name", None) != "OrderBy":
        return None
    conditions: list[tuple[Any, bool]] = []
    for condition in node["expr"]:
        if getattr(condition, "name", None) == "OrderCondition":
            conditions.append((condition["expr"], condition["order"] == "DESC"))
        else:
            conditions.append((condition, False))
    return conditions


OrderSpec = tuple[tuple[Condition, bool], ...]
"""A query's top-level ORDER BY as data (each condition and whether it is DESC): what
:func:`key_of` needs, kept by :mod:`collabkg.answer_update` so no query is parsed twice."""


def order_spec(query: str, names: Sequence[str]) -> OrderSpec | None:
    """The query's top-level ORDER BY over the columns ``names``; None when it has none or
    an order condition this cannot follow."""
    return _spec(query, names, None)


def order_spec_through(query: str, names: Sequence[str], item: str) -> OrderSpec | None:
    """The query's top-level ORDER BY up to and including its first plain ``?item``
    condition (``item`` a column of ``names``); None when a condition before it cannot be
    followed, or when the order has no such condition.

    For an answer whose order goes on past the item with conditions this cannot follow (a
    column not returned, an expression): rows of two different items are ordered by this
    prefix alone (they differ on the item at the latest), so an item's rows, computed by the
    query itself and so in its order, can be put back among the others as one block per
    prefix value."""
    if item not in names:
        return None
    return _spec(query, names, ("value", list(names).index(item), 0, None))


def _spec(query: str, names: Sequence[str], through: Condition | None) -> OrderSpec | None:
    """The order's conditions as data, all of them or (``through``) up to that one."""
    conditions = _order_conditions(query)
    if not conditions:
        return None
    spec: list[tuple[Condition, bool]] = []
    for expr, descending in conditions:
        condition = _condition(expr, names)
        if condition is None:
            return None
        spec.append((condition, descending))
        if condition == through:
            return tuple(spec)
    return tuple(spec) if through is None else None


KindsState = tuple[tuple[tuple[str, ...], int], ...]
"""What :class:`RowKey` has met, per condition: the kinds of literal, the biggest integer."""


class RowKey:
    """A key function for rows that sorts them as the ORDER BY ``spec`` does in oxigraph.

    It raises :class:`Unorderable` for a value whose order oxigraph does not make certain;
    it remembers the kinds of literal each condition has met, so use one key function for
    all the rows to be ordered together. ``state``: what another key function met over
    rows these are ordered with (:meth:`state`), so that they need not be keyed again."""

    __slots__ = ("_evaluations", "_kinds")

    def __init__(self, spec: OrderSpec, state: KindsState | None = None) -> None:
        self._evaluations = [(_evaluate(condition), descending) for condition, descending in spec]
        if state is None:
            self._kinds = [_Kinds() for _ in self._evaluations]
        else:
            if len(state) != len(self._evaluations):
                raise ValueError("a state of another order")
            self._kinds = [_Kinds(kinds, biggest) for kinds, biggest in state]

    def __call__(self, row: tuple[Encoded, ...]) -> Any:
        parts: list[object] = []
        for (evaluate, descending), seen in zip(self._evaluations, self._kinds, strict=True):
            part = _term_key(evaluate(row), seen)
            parts.append(_Desc(part) if descending else part)
        return tuple(parts)

    def state(self) -> KindsState:
        return tuple((tuple(sorted(seen.kinds)), seen.biggest) for seen in self._kinds)


def key_of(spec: OrderSpec) -> Callable[[tuple[Encoded, ...]], object]:
    """:class:`RowKey` of ``spec``, met nothing yet."""
    return RowKey(spec)


def row_sort_key(
    query: str, names: Sequence[str]
) -> Callable[[tuple[Encoded, ...]], object] | None:
    """A key function for rows (tuples of encoded terms, one per name in ``names``) that
    sorts them as the query's top-level ORDER BY does in oxigraph (:func:`key_of`); None
    when the query has no ORDER BY or an order condition this cannot follow."""
    spec = order_spec(query, names)
    return None if spec is None else key_of(spec)
